/* pipeline.c - wiring of capture -> TCP -> wire events -> SignalR events. */
#include "pipeline/pipeline.h"

#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include "capture/capture.h"
#include "pipeline/read_ahead.h"
#include "pipeline/sink_thread.h"

/* Where the packets come from: the capture read on this thread, or on a thread of its own. */
typedef struct packet_source {
    lf_capture *cap;
    lf_read_ahead *ahead;
} packet_source;

static bool source_open(packet_source *s, const char *const *paths, uint32_t n,
                        const lf_pipeline_options *opts)
{
    memset(s, 0, sizeof *s);
    if (opts->read_ahead)
        s->ahead = lf_read_ahead_start(paths, n, &opts->diag);
    if (s->ahead == NULL)
        s->cap = lf_capture_open(paths, n, &opts->diag);
    return s->ahead != NULL || s->cap != NULL;
}

static bool source_next(packet_source *s, lf_packet *pkt)
{
    return s->ahead != NULL ? lf_read_ahead_next(s->ahead, pkt) : lf_capture_next(s->cap, pkt);
}

/* NULL until the first packet was asked for, and when the inputs could not be set up. */
static const lf_capture *source_capture(const packet_source *s)
{
    return s->ahead != NULL ? lf_read_ahead_capture(s->ahead) : s->cap;
}

static bool source_progress(const packet_source *s, uint64_t *done, uint64_t *total)
{
    return s->ahead != NULL ? lf_read_ahead_progress(s->ahead, done, total)
                            : lf_capture_progress(s->cap, done, total);
}

static void source_close(packet_source *s)
{
    lf_read_ahead_free(s->ahead);
    lf_capture_close(s->cap);
}

/* The diagnostics sink of the stages above the capture: they know a frame's file index, not
 * its path, which this adds before passing the diagnostic on. */
typedef struct diag_paths {
    lf_diag_sink out;
    const packet_source *src;
} diag_paths;

static void diag_add_path(void *ctx, const lf_diag *d)
{
    const diag_paths *p = ctx;
    if (!p->out.emit)
        return;
    lf_diag named = *d;
    if (!named.path && named.at.frame != 0)
        named.path = lf_capture_path(source_capture(p->src), named.at.file);
    p->out.emit(p->out.ctx, &named);
}

/* The wire sink of the run: the caller's tap first, then the classifier; capture gaps and
 * parse errors also become diagnostics. */
typedef struct wire_fanout {
    lf_wire_sink tap;
    lf_signalr_classifier *classifier;
    lf_diag_sink diag;
} wire_fanout;

static const char *dir_name(tcp_dir dir)
{
    return dir == TCP_DIR_TO_SERVER ? "client->server" : "server->client";
}

static void diagnose_wire(const wire_fanout *f, const lf_wire_event *ev)
{
    if (ev->kind == LF_WIRE_GAP)
        lf_diag_report(&f->diag, LF_DIAG_WARNING, LF_DIAG_STREAM_GAP, NULL, &ev->at,
                       "stream %" PRIu64 " %s: %" PRIu64 " bytes missing from the capture",
                       ev->stream, dir_name(ev->dir), ev->u.gap.missing);
    else if (ev->kind == LF_WIRE_ERROR)
        lf_diag_report(&f->diag, LF_DIAG_WARNING, LF_DIAG_STREAM_ERROR, NULL, &ev->at,
                       "stream %" PRIu64 " %s: %s", ev->stream, dir_name(ev->dir),
                       ev->u.error.cause);
}

static void fanout_emit(void *ctx, const lf_wire_event *ev)
{
    wire_fanout *f = ctx;
    diagnose_wire(f, ev);
    if (f->tap.emit)
        f->tap.emit(f->tap.ctx, ev);
    if (f->classifier)
        lf_signalr_classifier_feed(f->classifier, ev);
}

void lf_pipeline_options_default(lf_pipeline_options *opts)
{
    memset(opts, 0, sizeof *opts);
    tcp_reassembler_config_default(&opts->tcp);
    wire_config_defaults(&opts->wire);
}

static void count_frame(lf_pipeline_result *res, const lf_packet *pkt)
{
    res->frames++;
    if (pkt->ref.time > res->last_time)
        res->last_time = pkt->ref.time;
    if (pkt->ref.file >= res->input_count)
        return;
    lf_pipeline_input *in = &res->inputs[pkt->ref.file];
    if (in->frames++ == 0)
        in->first_time = pkt->ref.time;
    if (pkt->ref.time > in->last_time)
        in->last_time = pkt->ref.time;
}

static void report_progress(const lf_pipeline_options *opts, const lf_pipeline_result *res,
                            const packet_source *src, const tcp_reassembler *tcp, lf_time_ns now)
{
    if (opts->progress == NULL || res->frames % LF_PIPELINE_PROGRESS_EVERY != 0)
        return;
    lf_pipeline_progress p = {.frames = res->frames,
                              .capture_time = now,
                              .live_streams = tcp_reassembler_get_stats(tcp).live_streams};
    if (!source_progress(src, &p.bytes_done, &p.bytes_total))
        p.bytes_done = p.bytes_total = 0;
    opts->progress(opts->progress_ctx, &p);
}

static void read_all(packet_source *src, tcp_reassembler *tcp, const lf_pipeline_options *opts,
                     lf_pipeline_result *res)
{
    lf_packet pkt;
    while (source_next(src, &pkt)) {
        count_frame(res, &pkt);
        if (pkt.kind == LF_PACKET_TCP) {
            res->tcp_segments++;
            tcp_reassembler_packet(tcp, &pkt);
        }
        report_progress(opts, res, src, tcp, pkt.ref.time);
    }
    tcp_reassembler_finish(tcp);
}

/* The caller's sinks, or forwarders to the sink thread when there is one: the wire events go
 * there, to the classifier that runs on it. */
static lf_pipeline_options relayed(const lf_pipeline_options *opts, lf_sink_thread *relay)
{
    lf_pipeline_options local = *opts;
    if (relay == NULL)
        return local;
    local.wire_tap = lf_sink_thread_wire(relay);
    local.signalr = (lf_signalr_sink){0};
    local.diag = lf_sink_thread_diag(relay);
    if (opts->progress != NULL) {
        local.progress = lf_sink_thread_progress;
        local.progress_ctx = relay;
    }
    return local;
}

static int run(const char *const *paths, uint32_t n, const lf_pipeline_options *opts,
               lf_pipeline_result *out)
{
    memset(out, 0, sizeof *out);
    if (n == 0)
        return -1;
    out->inputs = g_new0(lf_pipeline_input, n);
    out->input_count = n;
    for (uint32_t i = 0; i < n; i++)
        out->inputs[i].path = paths[i];

    packet_source src;
    if (!source_open(&src, paths, n, opts))
        return -1;
    diag_paths named = {.out = opts->diag, .src = &src};
    lf_diag_sink diag = {.ctx = &named, .emit = diag_add_path};
    wire_fanout fan = {.tap = opts->wire_tap, .diag = diag};
    if (opts->signalr.emit)
        fan.classifier = lf_signalr_classifier_new(opts->signalr);
    wire_consumer wc;
    wire_consumer_init(&wc, &opts->wire, (lf_wire_sink){.ctx = &fan, .emit = fanout_emit});
    tcp_consumer consumer = wire_consumer_tcp(&wc);
    tcp_reassembler *tcp = tcp_reassembler_new(&opts->tcp, &consumer, &diag);

    read_all(&src, tcp, opts, out);

    const lf_capture *cap = source_capture(&src);
    out->tcp = tcp_reassembler_get_stats(tcp);
    out->files_failed = cap != NULL ? lf_capture_get_stats(cap)->files_failed : n;
    tcp_reassembler_free(tcp);
    lf_signalr_classifier_free(fan.classifier);
    source_close(&src);
    return cap != NULL ? 0 : -1;
}

static void classify(void *ctx, const lf_wire_event *ev)
{
    lf_signalr_classifier_feed(ctx, ev);
}

/* With sinks_on_thread, the classifier, the caller's sinks behind it, diagnostics and progress
 * run on the sink thread. */
int lf_pipeline_run(const char *const *paths, uint32_t n, const lf_pipeline_options *opts,
                    lf_pipeline_result *out)
{
    bool relay_wanted = opts->sinks_on_thread && opts->wire_tap.emit == NULL;
    lf_signalr_classifier *classifier = NULL;
    lf_sink_thread *relay = NULL;
    if (relay_wanted) {
        classifier = opts->signalr.emit ? lf_signalr_classifier_new(opts->signalr) : NULL;
        lf_wire_sink wire = {.ctx = classifier, .emit = classifier ? classify : NULL};
        relay = lf_sink_thread_start(wire, opts);
        if (relay == NULL) {
            lf_signalr_classifier_free(classifier);
            classifier = NULL;
        }
    }
    lf_pipeline_options local = relayed(opts, relay);
    int rc = run(paths, n, &local, out);
    lf_sink_thread_free(relay);
    lf_signalr_classifier_free(classifier);
    return rc;
}

void lf_pipeline_result_clear(lf_pipeline_result *res)
{
    g_free(res->inputs);
    memset(res, 0, sizeof *res);
}
