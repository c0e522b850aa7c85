/* fuzz_seeds.c - seeds from captures (via capture + TCP reassembly) and hand-written ones. */
#include "fuzz_seeds.h"

#include <stdio.h>
#include <string.h>

#include "capture/capture.h"
#include "fuzz_input.h"
#include "tcp/tcp_reassembler.h"

/* One extracted stream: its own seed, its slot in the interleaved seed, its WebSocket bytes. */
typedef struct seed_recorder seed_recorder;

typedef struct seed_stream {
    seed_recorder *r;
    GByteArray *alone;
    GByteArray *ws[2]; /* bytes after the end of the upgrade heads, both directions */
    unsigned slot;     /* FUZZ_SLOTS when it did not get one in the interleaved seed */
    bool fin[2];
} seed_stream;

struct seed_recorder {
    GByteArray *all;
    bool slot_used[FUZZ_SLOTS];
    GPtrArray *done; /* every seed_stream, in order of opening */
};

static void *rec_open(void *ctx, const tcp_stream_info *info, const lf_frame_ref *at)
{
    (void)info;
    (void)at;
    seed_recorder *r = ctx;
    seed_stream *s = g_new0(seed_stream, 1);
    s->r = r;
    s->alone = g_byte_array_new();
    s->ws[0] = g_byte_array_new();
    s->ws[1] = g_byte_array_new();
    s->slot = FUZZ_SLOTS;
    for (unsigned i = 0; i < FUZZ_SLOTS && s->slot == FUZZ_SLOTS; i++)
        if (!r->slot_used[i]) {
            r->slot_used[i] = true;
            s->slot = i;
        }
    g_ptr_array_add(r->done, s);
    return s;
}

static bool room(const GByteArray *a, size_t more)
{
    return a->len + more <= FUZZ_SEED_MAX_BYTES;
}

static void rec_data(seed_recorder *r, seed_stream *s, tcp_dir dir, const uint8_t *bytes,
                     size_t len)
{
    if (room(s->alone, len))
        fuzz_input_put_data(s->alone, 0, dir, bytes, len);
    if (s->slot < FUZZ_SLOTS && room(r->all, len))
        fuzz_input_put_data(r->all, s->slot, dir, bytes, len);
}

static void rec_bytes(void *stream, tcp_dir dir, const uint8_t *bytes, size_t len,
                      const lf_frame_ref *at)
{
    (void)at;
    seed_stream *s = stream;
    rec_data(s->r, s, dir, bytes, len);
    if (room(s->ws[dir], len))
        g_byte_array_append(s->ws[dir], bytes, (guint)len);
}

static void rec_gap(void *stream, tcp_dir dir, uint64_t missing, const lf_frame_ref *at)
{
    (void)at;
    seed_stream *s = stream;
    fuzz_input_put_gap(s->alone, 0, dir, missing);
    if (s->slot < FUZZ_SLOTS)
        fuzz_input_put_gap(s->r->all, s->slot, dir, missing);
}

static void rec_fin(void *stream, tcp_dir dir, const lf_frame_ref *at)
{
    (void)at;
    seed_stream *s = stream;
    if (s->fin[dir])
        return;
    s->fin[dir] = true;
    fuzz_input_put_fin(s->alone, 0, dir);
    if (s->slot < FUZZ_SLOTS)
        fuzz_input_put_fin(s->r->all, s->slot, dir);
}

static void rec_close(void *stream, tcp_end_reason why, tcp_dir by, const lf_frame_ref *at)
{
    (void)why;
    (void)by;
    seed_stream *s = stream;
    /* Both FINs free the slot when the seed is replayed. */
    rec_fin(s, TCP_DIR_TO_SERVER, at);
    rec_fin(s, TCP_DIR_TO_CLIENT, at);
    if (s->slot < FUZZ_SLOTS)
        s->r->slot_used[s->slot] = false;
}

/* Index just past the first CRLFCRLF, or 0 when there is none. */
static size_t after_heads(const GByteArray *a)
{
    for (size_t i = 0; i + 4 <= a->len; i++)
        if (memcmp(a->data + i, "\r\n\r\n", 4) == 0)
            return i + 4;
    return 0;
}

static GBytes *take(GByteArray *a)
{
    return g_byte_array_free_to_bytes(a);
}

static void add_readers_seed(GPtrArray *seeds, uint8_t cfg, const seed_stream *s)
{
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, &cfg, 1);
    for (int d = 0; d < 2; d++) {
        size_t from = after_heads(s->ws[d]);
        if (from)
            fuzz_input_put_data(out, 0, (tcp_dir)d, s->ws[d]->data + from, s->ws[d]->len - from);
    }
    g_ptr_array_add(seeds, take(out));
}

static void add_stream_seeds(const char *target, seed_recorder *r, GPtrArray *seeds)
{
    bool readers = strcmp(target, "readers") == 0;
    for (guint i = 0; i < r->done->len; i++) {
        seed_stream *s = g_ptr_array_index(r->done, i);
        bool upgraded = s->ws[1]->len >= 12 && memcmp(s->ws[1]->data + 9, "101", 3) == 0;
        if (readers && upgraded)
            add_readers_seed(seeds, 0, s);
        if (!readers) {
            uint8_t cfg = 0;
            g_byte_array_prepend(s->alone, &cfg, 1);
            g_ptr_array_add(seeds, take(s->alone));
            s->alone = NULL;
        }
    }
    if (!readers) {
        uint8_t cfg = 0;
        g_byte_array_prepend(r->all, &cfg, 1);
        g_ptr_array_add(seeds, take(r->all));
        r->all = NULL;
    }
}

static void recorder_free(seed_recorder *r)
{
    for (guint i = 0; i < r->done->len; i++) {
        seed_stream *s = g_ptr_array_index(r->done, i);
        if (s->alone)
            g_byte_array_free(s->alone, TRUE);
        g_byte_array_free(s->ws[0], TRUE);
        g_byte_array_free(s->ws[1], TRUE);
        g_free(s);
    }
    g_ptr_array_free(r->done, TRUE);
    if (r->all)
        g_byte_array_free(r->all, TRUE);
}

typedef struct diag_first {
    char *err;
    size_t cap;
    bool failed;
} diag_first;

static void keep_error(void *ctx, const lf_diag *d)
{
    diag_first *f = ctx;
    if (d->severity != LF_DIAG_ERROR || f->failed)
        return;
    f->failed = true;
    snprintf(f->err, f->cap, "%s: %s", d->path ? d->path : "?", d->message);
}

static bool extract_streams(const char *target, const char *path, GPtrArray *seeds, char *err,
                            size_t err_cap)
{
    diag_first first = {.err = err, .cap = err_cap};
    lf_diag_sink diag = {.ctx = &first, .emit = keep_error};
    lf_capture *cap = lf_capture_open(&path, 1, &diag);
    seed_recorder r = {.all = g_byte_array_new(), .done = g_ptr_array_new()};
    tcp_consumer tc = {.ctx = &r,
                       .open = rec_open,
                       .data = rec_bytes,
                       .gap = rec_gap,
                       .fin = rec_fin,
                       .close = rec_close};
    tcp_reassembler *tcp = tcp_reassembler_new(NULL, &tc, NULL);
    lf_packet pkt;
    while (cap && tcp && lf_capture_next(cap, &pkt))
        tcp_reassembler_packet(tcp, &pkt);
    tcp_reassembler_free(tcp);
    lf_capture_close(cap);
    if (!first.failed)
        add_stream_seeds(target, &r, seeds);
    recorder_free(&r);
    return !first.failed;
}

bool fuzz_seeds_from_capture(const char *target, const char *path, GPtrArray *seeds, char *err,
                             size_t err_cap)
{
    if (strcmp(target, "pcap") != 0)
        return extract_streams(target, path, seeds, err, err_cap);
    gchar *bytes = NULL;
    gsize len = 0;
    GError *gerr = NULL;
    if (!g_file_get_contents(path, &bytes, &len, &gerr)) {
        snprintf(err, err_cap, "%s", gerr->message);
        g_error_free(gerr);
        return false;
    }
    g_ptr_array_add(seeds, g_bytes_new_take(bytes, len));
    return true;
}

static void add_reader_text(GPtrArray *seeds, uint8_t cfg, tcp_dir dir, const char *text,
                            size_t len)
{
    GByteArray *out = g_byte_array_new();
    g_byte_array_append(out, &cfg, 1);
    /* Fed in two halves so a boundary falls inside the framing. */
    fuzz_input_put_data(out, 0, dir, (const uint8_t *)text, len / 2);
    fuzz_input_put_data(out, 0, dir, (const uint8_t *)text + len / 2, len - len / 2);
    fuzz_input_put_fin(out, 0, dir);
    g_ptr_array_add(seeds, take(out));
}

#define ADD_TEXT(seeds, cfg, dir, lit) add_reader_text(seeds, cfg, dir, lit, sizeof lit - 1)

/* Reader config bytes (fuzz_targets.c): reader kind in bits 1-3. */
enum { RD_WS = 0 << 1, RD_WS_DEFLATE = 1 << 1, RD_SSE = 3 << 1, RD_FF = 4 << 1 };

void fuzz_seeds_builtin(const char *target, GPtrArray *seeds)
{
    if (strcmp(target, "readers") != 0)
        return;
    ADD_TEXT(seeds, RD_SSE, TCP_DIR_TO_CLIENT,
             "data: initialized\r\n\r\ndata: {}\n\nid: 7\nevent: m\ndata: {\"C\":\"d-1\",\r\n"
             "data: \"M\":[]}\r\r: comment\n\n");
    ADD_TEXT(seeds, RD_FF, TCP_DIR_TO_CLIENT,
             "<!DOCTYPE html><html><head><title>SignalR Forever Frame Transport Stream</title>"
             "<script>var $ = window.parent.jQuery, ff = $ ? $.signalR.transports.foreverFrame :"
             " null, c = ff ? ff.getConnection('1') : null, r = ff ? ff.receive : function() "
             "{};ff ? ff.started(c) : '';</script></head><body>\n"
             "<script>r(c, {});</script>\n<SCRIPT>r(c, {\"C\":\"d-9,0|A,1\",\"M\":[]});</sCrIpT>");
    /* Server text frame {}, masked client text frame "{}", ping, close 1000. */
    ADD_TEXT(seeds, RD_WS, TCP_DIR_TO_CLIENT, "\x81\x02{}\x89\x00\x88\x02\x03\xe8");
    ADD_TEXT(seeds, RD_WS, TCP_DIR_TO_SERVER, "\x81\x82\x01\x02\x03\x04\x7a\x7f\x88\x80\x00\x00\x00\x00");
    /* Fragmented text with a ping between fragments, 16-bit length form. */
    ADD_TEXT(seeds, RD_WS, TCP_DIR_TO_CLIENT,
             "\x01\x03{\"C\x89\x01x\x80\x7e\x00\x03\":1}");
    /* permessage-deflate: "{}" compressed (RSV1), sync flush tail removed. */
    ADD_TEXT(seeds, RD_WS_DEFLATE, TCP_DIR_TO_CLIENT, "\xc1\x04\xab\xae\x05\x00\xc1\x04\xab\xae\x05\x00");
}
