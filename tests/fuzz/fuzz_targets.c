/* fuzz_targets.c - harness bodies: stream replay into the wire consumer, the transport readers,
 * the classifier and lifecycle engine, and whole captures through the pipeline. */
#define _GNU_SOURCE /* memfd_create */
#include "fuzz_targets.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cli/event_dump.h"
#include "fuzz_input.h"
#include "lifecycle/lifecycle.h"
#include "pipeline/pipeline.h"
#include "report/report.h"
#include "transport/ff_reader.h"
#include "transport/sse_reader.h"
#include "transport/wire_consumer.h"
#include "transport/ws_reader.h"

/* Config byte bits of the stream harnesses. */
enum {
    CFG_SMALL_CAPS = 1u << 0, /* tiny limits, so every cap and truncation path is reachable */
    CFG_MID_STREAM = 1u << 1, /* streams start without a handshake */
    CFG_END_RST = 1u << 2,    /* unfinished streams end with RST instead of capture end */
};

/* Limits small enough for short inputs to overflow each of them. */
static wire_config small_wire_config(void)
{
    wire_config c;
    wire_config_defaults(&c);
    c.http.max_header_block = 512;
    c.http.max_headers = 8;
    c.http.max_pending_requests = 3;
    c.http.max_kept_target = 64;
    c.http.max_upgrade_hold = 256;
    c.http.max_decoded_body = 4096;
    c.http.max_inflate_ratio = 8;
    c.max_whole_body = 256;
    c.max_ws_message = 256;
    c.max_sse_event = 128;
    c.max_ff_message = 128;
    return c;
}

static wire_config stream_wire_config(uint8_t cfg)
{
    wire_config c;
    if (cfg & CFG_SMALL_CAPS)
        return small_wire_config();
    wire_config_defaults(&c);
    return c;
}

/* ---- several TCP streams replayed into a tcp_consumer ----------------------------------- */

typedef struct fuzz_slot {
    void *state;
    bool open;
    bool fin[2];
} fuzz_slot;

typedef struct fuzz_streams {
    const tcp_consumer *tc;
    uint8_t cfg;
    uint64_t next_id;
    lf_frame_ref at;
    fuzz_slot slot[FUZZ_SLOTS];
} fuzz_streams;

static void slot_open(fuzz_streams *fs, unsigned i)
{
    tcp_stream_info info = {.id = fs->next_id++,
                            .client = {.family = 4, .addr = {127, 0, 0, 1}, .port = 41000},
                            .server = {.family = 4, .addr = {127, 0, 0, 1}, .port = 8080},
                            .saw_handshake = !(fs->cfg & CFG_MID_STREAM),
                            .opener_guessed = (fs->cfg & CFG_MID_STREAM) != 0};
    info.client.port = (uint16_t)(info.client.port + info.id);
    fuzz_slot *s = &fs->slot[i];
    *s = (fuzz_slot){.open = true};
    s->state = fs->tc->open(fs->tc->ctx, &info, &fs->at);
}

static void slot_close(fuzz_streams *fs, unsigned i, tcp_end_reason why)
{
    fuzz_slot *s = &fs->slot[i];
    if (!s->open)
        return;
    fs->tc->close(s->state, why, TCP_DIR_TO_SERVER, &fs->at);
    s->open = false;
}

/* Applies one operation the way TCP reassembly would: no bytes after a FIN, no empty data, and
 * a stream whose two sides both sent FIN is closed (its slot then opens a new stream). */
static void streams_apply(fuzz_streams *fs, const fuzz_op *op)
{
    fs->at.frame++;
    fs->at.time += 1000000;
    fuzz_slot *s = &fs->slot[op->slot];
    if (!s->open)
        slot_open(fs, op->slot);
    if (s->fin[op->dir])
        return;
    switch (op->kind) {
    case FUZZ_OP_DATA:
        if (op->len)
            fs->tc->data(s->state, op->dir, op->bytes, op->len, &fs->at);
        break;
    case FUZZ_OP_GAP:
        fs->tc->gap(s->state, op->dir, op->missing, &fs->at);
        break;
    case FUZZ_OP_FIN:
        s->fin[op->dir] = true;
        fs->tc->fin(s->state, op->dir, &fs->at);
        if (s->fin[0] && s->fin[1])
            slot_close(fs, op->slot, TCP_END_FIN);
        break;
    }
}

static void replay_streams(const tcp_consumer *tc, uint8_t cfg, fuzz_cursor *cur)
{
    fuzz_streams fs = {.tc = tc, .cfg = cfg, .at = {.frame = 1, .time = 1718000000000000000LL}};
    fuzz_op op;
    while (fuzz_input_next(cur, &op))
        streams_apply(&fs, &op);
    for (unsigned i = 0; i < FUZZ_SLOTS; i++)
        slot_close(&fs, i, (cfg & CFG_END_RST) ? TCP_END_RST : TCP_END_CAPTURE_ENDED);
}

int fuzz_http_wire(const uint8_t *data, size_t size)
{
    FILE *null = fopen("/dev/null", "w");
    if (!null)
        return 0;
    fuzz_cursor cur;
    uint8_t cfg = fuzz_input_begin(&cur, data, size);
    wire_config wcfg = stream_wire_config(cfg);
    wire_consumer wc;
    wire_consumer_init(&wc, &wcfg, lf_dump_wire_sink(null));
    tcp_consumer tc = wire_consumer_tcp(&wc);
    replay_streams(&tc, cfg, &cur);
    fclose(null);
    return 0;
}

/* ---- transport readers on their own ----------------------------------------------------- */

typedef enum reader_kind {
    READER_WS,
    READER_WS_DEFLATE,
    READER_WS_DEFLATE_NO_TAKEOVER,
    READER_SSE,
    READER_FF,
    READER_KINDS
} reader_kind;

typedef struct readers {
    reader_kind kind;
    ws_reader ws[2];
    sse_reader sse;
    ff_reader ff;
} readers;

static void readers_init(readers *r, uint8_t cfg, const lf_wire_sink *sink)
{
    r->kind = (reader_kind)((cfg >> 1) % READER_KINDS);
    size_t cap = (cfg & CFG_SMALL_CAPS) ? 64 : WIRE_DEFAULT_MAX_MESSAGE;
    ws_deflate_params params = {.enabled = r->kind != READER_WS,
                                .server_no_context_takeover =
                                    r->kind == READER_WS_DEFLATE_NO_TAKEOVER,
                                .client_no_context_takeover =
                                    r->kind == READER_WS_DEFLATE_NO_TAKEOVER};
    for (int d = 0; d < 2; d++)
        ws_reader_init(&r->ws[d], (wire_tag){.sink = sink, .stream = 1, .dir = (tcp_dir)d},
                       params, cap);
    wire_tag body_tag = {.sink = sink, .stream = 1, .dir = TCP_DIR_TO_CLIENT};
    sse_reader_init(&r->sse, body_tag, cap);
    ff_reader_init(&r->ff, body_tag, cap);
}

static void readers_apply(readers *r, const fuzz_op *op, const lf_frame_ref *at)
{
    bool ws = r->kind <= READER_WS_DEFLATE_NO_TAKEOVER;
    switch (op->kind) {
    case FUZZ_OP_DATA:
        if (ws)
            ws_reader_feed(&r->ws[op->dir], op->bytes, op->len, at);
        else if (r->kind == READER_SSE)
            sse_reader_feed(&r->sse, op->bytes, op->len, at);
        else
            ff_reader_feed(&r->ff, op->bytes, op->len, at);
        break;
    case FUZZ_OP_GAP:
        if (ws)
            ws_reader_gap(&r->ws[op->dir], op->missing, at);
        else if (r->kind == READER_SSE)
            sse_reader_gap(&r->sse);
        else
            ff_reader_gap(&r->ff);
        break;
    case FUZZ_OP_FIN:
        if (r->kind == READER_FF)
            ff_reader_end(&r->ff, at);
        break;
    }
}

static void readers_free(readers *r)
{
    for (int d = 0; d < 2; d++)
        ws_reader_free(&r->ws[d]);
    sse_reader_free(&r->sse);
    ff_reader_free(&r->ff);
}

int fuzz_transport_readers(const uint8_t *data, size_t size)
{
    FILE *null = fopen("/dev/null", "w");
    if (!null)
        return 0;
    lf_wire_sink sink = lf_dump_wire_sink(null);
    fuzz_cursor cur;
    uint8_t cfg = fuzz_input_begin(&cur, data, size);
    readers r;
    readers_init(&r, cfg, &sink);
    lf_frame_ref at = {.frame = 1, .time = 1718000000000000000LL};
    fuzz_op op;
    while (fuzz_input_next(&cur, &op)) {
        at.frame++;
        at.time += 1000000;
        readers_apply(&r, &op, &at);
    }
    readers_free(&r);
    fclose(null);
    return 0;
}

/* ---- classifier, lifecycle engine and reports ------------------------------------------- */

typedef struct signalr_fanout {
    lf_signalr_sink dump;
    lf_lifecycle *engine;
} signalr_fanout;

static void signalr_fanout_emit(void *ctx, const lf_signalr_event *ev)
{
    signalr_fanout *f = ctx;
    f->dump.emit(f->dump.ctx, ev);
    lf_lifecycle_feed(f->engine, ev);
}

/* Every report format over what the engine holds, written to `out`. */
static void write_reports(FILE *out, lf_lifecycle *engine, lf_time_ns end)
{
    lf_lifecycle_finish(engine, end);
    lf_report_input input = {.path = "fuzz", .packets = 1, .first_time = end, .last_time = end};
    lf_report_error err;
    lf_report_json(out, &input, 1, engine, &err);
    lf_report_jsonl(out, engine, &err);
    lf_report_text(out, &input, 1, engine, NULL, &err);
}

int fuzz_signalr_classifier(const uint8_t *data, size_t size)
{
    FILE *null = fopen("/dev/null", "w");
    if (!null)
        return 0;
    signalr_fanout fan = {.dump = lf_dump_signalr_sink(null), .engine = lf_lifecycle_new(NULL)};
    lf_signalr_classifier *cls =
        lf_signalr_classifier_new((lf_signalr_sink){.ctx = &fan, .emit = signalr_fanout_emit});
    fuzz_cursor cur;
    uint8_t cfg = fuzz_input_begin(&cur, data, size);
    wire_config wcfg = stream_wire_config(cfg);
    wire_consumer wc;
    wire_consumer_init(&wc, &wcfg, lf_signalr_classifier_wire_sink(cls));
    tcp_consumer tc = wire_consumer_tcp(&wc);
    replay_streams(&tc, cfg, &cur);
    write_reports(null, fan.engine, 1718000000000000000LL + 3600LL * 1000000000LL);
    lf_signalr_classifier_free(cls);
    lf_lifecycle_free(fan.engine);
    fclose(null);
    return 0;
}

/* ---- whole captures --------------------------------------------------------------------- */

/* Limits lowered so that short captures reach them: out-of-order caps and stream eviction. */
static void pcap_options(lf_pipeline_options *po)
{
    lf_pipeline_options_default(po);
    po->tcp.max_buffered_per_direction = 64 * 1024;
    po->tcp.max_streams = 16;
    po->wire.max_whole_body = 64 * 1024;
    po->wire.max_ws_message = 64 * 1024;
}

int fuzz_whole_pcap(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-capture", MFD_CLOEXEC);
    if (fd < 0)
        return 0;
    FILE *null = fopen("/dev/null", "w");
    if (null && (size == 0 || write(fd, data, size) == (ssize_t)size)) {
        char path[64];
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        const char *paths[] = {path};
        signalr_fanout fan = {.dump = lf_dump_signalr_sink(null),
                              .engine = lf_lifecycle_new(NULL)};
        lf_pipeline_options po;
        pcap_options(&po);
        po.wire_tap = lf_dump_wire_sink(null);
        po.signalr = (lf_signalr_sink){.ctx = &fan, .emit = signalr_fanout_emit};
        lf_pipeline_result res;
        if (lf_pipeline_run(paths, 1, &po, &res) == 0)
            write_reports(null, fan.engine, res.last_time);
        lf_pipeline_result_clear(&res);
        lf_lifecycle_free(fan.engine);
    }
    if (null)
        fclose(null);
    close(fd);
    return 0;
}

fuzz_target_fn fuzz_target_by_name(const char *name)
{
    static const struct {
        const char *name;
        fuzz_target_fn fn;
    } targets[] = {{"http_wire", fuzz_http_wire},
                   {"readers", fuzz_transport_readers},
                   {"classifier", fuzz_signalr_classifier},
                   {"pcap", fuzz_whole_pcap}};
    for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++)
        if (strcmp(targets[i].name, name) == 0)
            return targets[i].fn;
    return NULL;
}
