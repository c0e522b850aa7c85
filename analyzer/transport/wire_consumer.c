/* wire_consumer.c - per-stream glue: TCP callbacks -> http_conn -> framing readers -> events. */
#include "transport/wire_consumer.h"

#include <stdint.h>
#include <stdlib.h>

#include "transport/body_collector.h"
#include "transport/ff_reader.h"
#include "transport/sse_reader.h"
#include "transport/wire_heads.h"
#include "transport/wire_tag.h"
#include "transport/ws_reader.h"

typedef enum body_kind { BODY_NONE, BODY_WHOLE, BODY_SSE, BODY_FF } body_kind;

typedef struct body_reader {
    body_kind kind;
    union {
        body_collector whole;
        sse_reader sse;
        ff_reader ff;
    } u;
} body_reader;

/* What every segment touches comes first, together: streams are many, their state mostly cold. */
typedef struct wire_stream {
    const wire_consumer *wc;
    http_conn *http;
    /* the segment being fed: whole bodies borrow bytes from it instead of copying them */
    const uint8_t *seg;
    size_t seg_len;
    bool lent; /* a whole body holds bytes borrowed from `seg` */
    bool fin_seen[2];
    uint64_t id;
    body_reader body[2];
    ws_reader *ws; /* both directions, allocated by a WebSocket upgrade (most streams have none) */
} wire_stream;

void wire_config_defaults(wire_config *cfg)
{
    http_config_defaults(&cfg->http);
    cfg->max_whole_body = WIRE_DEFAULT_MAX_MESSAGE;
    cfg->max_ws_message = WIRE_DEFAULT_MAX_MESSAGE;
    cfg->max_sse_event = WIRE_DEFAULT_MAX_MESSAGE;
    cfg->max_ff_message = WIRE_DEFAULT_MAX_MESSAGE;
}

void wire_consumer_init(wire_consumer *wc, const wire_config *cfg, lf_wire_sink sink)
{
    if (cfg)
        wc->cfg = *cfg;
    else
        wire_config_defaults(&wc->cfg);
    wc->sink = sink;
}

static wire_tag stream_tag(const wire_stream *s, tcp_dir dir, uint32_t request_index)
{
    return (wire_tag){
        .sink = &s->wc->sink, .stream = s->id, .dir = dir, .request_index = request_index};
}

static void emit_simple(const wire_stream *s, lf_wire_event *ev)
{
    s->wc->sink.emit(s->wc->sink.ctx, ev);
}

/* ---- body readers ------------------------------------------------------------------------- */

static void body_free(body_reader *b)
{
    switch (b->kind) {
    case BODY_WHOLE:
        body_collector_free(&b->u.whole);
        break;
    case BODY_SSE:
        sse_reader_free(&b->u.sse);
        break;
    case BODY_FF:
        ff_reader_free(&b->u.ff);
        break;
    case BODY_NONE:
        break;
    }
    b->kind = BODY_NONE;
}

static void body_start(wire_stream *s, const http_message *m)
{
    body_reader *b = &s->body[m->dir];
    const wire_config *cfg = &s->wc->cfg;
    wire_tag tag = stream_tag(s, m->dir, m->index);
    body_free(b);
    switch (wire_heads_framing(m)) {
    case WIRE_FRAMING_SSE:
        b->kind = BODY_SSE;
        sse_reader_init(&b->u.sse, tag, cfg->max_sse_event);
        break;
    case WIRE_FRAMING_FF:
        b->kind = BODY_FF;
        ff_reader_init(&b->u.ff, tag, cfg->max_ff_message);
        break;
    case WIRE_FRAMING_WHOLE:
        b->kind = BODY_WHOLE;
        body_collector_init(&b->u.whole, tag, cfg->max_whole_body, m->dir == TCP_DIR_TO_CLIENT);
        break;
    }
}

static void websocket_start(wire_stream *s, const http_message *m)
{
    s->ws = calloc(2, sizeof(*s->ws));
    if (!s->ws)
        return; /* out of memory: the tunnel goes unread */
    const http_header *ext = m->head->known[HTTP_F_SEC_WEBSOCKET_EXTENSIONS];
    ws_deflate_params p =
        ext ? ws_parse_extensions(ext->value, ext->value_len) : (ws_deflate_params){0};
    for (int d = 0; d < 2; d++)
        ws_reader_init(&s->ws[d], stream_tag(s, (tcp_dir)d, m->index), p,
                       s->wc->cfg.max_ws_message);
}

/* ---- http_handler ------------------------------------------------------------------------- */

static void on_message(void *ctx, const http_message *m, const lf_frame_ref *at)
{
    wire_stream *s = ctx;
    bool request = m->dir == TCP_DIR_TO_SERVER;
    wire_tag tag = stream_tag(s, m->dir, m->index);
    lf_wire_event ev;
    wire_tag_event(&ev, &tag, request ? LF_WIRE_HTTP_REQUEST : LF_WIRE_HTTP_RESPONSE, at);
    if (request)
        wire_heads_request(m, &ev.u.request);
    else
        wire_heads_response(m, &ev.u.response);
    emit_simple(s, &ev);
    if (m->has_body)
        body_start(s, m);
    if (wire_heads_is_websocket(m) && !s->ws)
        websocket_start(s, m);
}

/* Whether data[0..len) lies in the segment being fed (body bytes may also come from the
 * inflater's or the upgrade hold's buffers, which do not outlive the call). */
static bool in_segment(const wire_stream *s, const uint8_t *data, size_t len)
{
    uintptr_t p = (uintptr_t)data, seg = (uintptr_t)s->seg;
    return s->seg != NULL && p >= seg && p - seg <= s->seg_len && len <= s->seg_len - (p - seg);
}

static void on_body(void *ctx, tcp_dir dir, const uint8_t *data, size_t len, const lf_frame_ref *at)
{
    wire_stream *s = ctx;
    body_reader *b = &s->body[dir];
    switch (b->kind) {
    case BODY_WHOLE:
        if (in_segment(s, data, len)) {
            body_collector_lend(&b->u.whole, data, len, at);
            s->lent = true;
        } else {
            body_collector_feed(&b->u.whole, data, len, at);
        }
        break;
    case BODY_SSE:
        sse_reader_feed(&b->u.sse, data, len, at);
        break;
    case BODY_FF:
        ff_reader_feed(&b->u.ff, data, len, at);
        break;
    case BODY_NONE:
        break;
    }
}

static void on_body_end(void *ctx, tcp_dir dir, unsigned flags, uint64_t wire_len,
                        const lf_frame_ref *at)
{
    wire_stream *s = ctx;
    body_reader *b = &s->body[dir];
    if (b->kind == BODY_WHOLE) {
        body_collector_end(&b->u.whole, flags, wire_len, at);
    } else if (b->kind != BODY_NONE) {
        if (b->kind == BODY_FF)
            ff_reader_end(&b->u.ff, at);
        wire_tag tag = b->kind == BODY_FF ? b->u.ff.tag : b->u.sse.tag;
        lf_wire_event ev;
        wire_tag_event(&ev, &tag, LF_WIRE_STREAM_BODY_END, at);
        ev.u.body = (lf_wire_body){.wire_len = wire_len, .flags = flags};
        emit_simple(s, &ev);
    }
    body_free(b);
}

static void on_tunnel(void *ctx, tcp_dir dir, const uint8_t *data, size_t len,
                      const lf_frame_ref *at)
{
    wire_stream *s = ctx;
    if (s->ws)
        ws_reader_feed(&s->ws[dir], data, len, at);
}

static void on_tunnel_gap(void *ctx, tcp_dir dir, uint64_t missing, const lf_frame_ref *at)
{
    wire_stream *s = ctx;
    if (s->ws)
        ws_reader_gap(&s->ws[dir], missing, at);
}

static void on_gap(void *ctx, tcp_dir dir, uint64_t missing, const lf_frame_ref *at)
{
    wire_stream *s = ctx;
    wire_tag tag = stream_tag(s, dir, LF_WIRE_NO_REQUEST);
    lf_wire_event ev;
    wire_tag_event(&ev, &tag, LF_WIRE_GAP, at);
    ev.u.gap.missing = missing;
    emit_simple(s, &ev);
    body_reader *b = &s->body[dir];
    if (b->kind == BODY_SSE)
        sse_reader_gap(&b->u.sse);
    else if (b->kind == BODY_FF)
        ff_reader_gap(&b->u.ff);
}

static void on_error(void *ctx, tcp_dir dir, const char *cause, const lf_frame_ref *at)
{
    wire_stream *s = ctx;
    wire_tag tag = stream_tag(s, dir, LF_WIRE_NO_REQUEST);
    lf_wire_event ev;
    wire_tag_event(&ev, &tag, LF_WIRE_ERROR, at);
    ev.u.error.cause = cause;
    emit_simple(s, &ev);
}

/* ---- tcp_consumer ------------------------------------------------------------------------- */

static void stream_free(wire_stream *s)
{
    http_conn_free(s->http);
    for (int d = 0; d < 2; d++) {
        body_free(&s->body[d]);
        if (s->ws)
            ws_reader_free(&s->ws[d]);
    }
    free(s->ws);
    free(s);
}

static void *tcp_open(void *ctx, const tcp_stream_info *info, const lf_frame_ref *at)
{
    wire_consumer *wc = ctx;
    wire_stream *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->wc = wc;
    s->id = info->id;
    http_handler h = {s,         on_message,    on_body, on_body_end,
                      on_tunnel, on_tunnel_gap, on_gap,  on_error};
    s->http = http_conn_new(&wc->cfg.http, &h);
    if (!s->http) {
        free(s);
        return NULL;
    }
    wire_tag tag = stream_tag(s, TCP_DIR_TO_SERVER, LF_WIRE_NO_REQUEST);
    lf_wire_event ev;
    wire_tag_event(&ev, &tag, LF_WIRE_STREAM_OPEN, at);
    ev.u.open = *info;
    emit_simple(s, &ev);
    return s;
}

static void tcp_data(void *stream, tcp_dir dir, const uint8_t *bytes, size_t len,
                     const lf_frame_ref *at)
{
    wire_stream *s = stream;
    if (!s || s->fin_seen[dir])
        return;
    s->seg = bytes;
    s->seg_len = len;
    http_conn_data(s->http, dir, bytes, len, at);
    s->seg = NULL;
    if (!s->lent)
        return;
    s->lent = false;
    for (int d = 0; d < 2; d++)
        if (s->body[d].kind == BODY_WHOLE)
            body_collector_settle(&s->body[d].u.whole);
}

static void tcp_gap(void *stream, tcp_dir dir, uint64_t missing, const lf_frame_ref *at)
{
    wire_stream *s = stream;
    if (s && !s->fin_seen[dir])
        http_conn_gap(s->http, dir, missing, at);
}

static void tcp_fin(void *stream, tcp_dir dir, const lf_frame_ref *at)
{
    wire_stream *s = stream;
    if (!s || s->fin_seen[dir])
        return;
    s->fin_seen[dir] = true;
    http_conn_fin(s->http, dir, false, at);
    wire_tag tag = stream_tag(s, dir, LF_WIRE_NO_REQUEST);
    lf_wire_event ev;
    wire_tag_event(&ev, &tag, LF_WIRE_STREAM_FIN, at);
    emit_simple(s, &ev);
}

static void tcp_close(void *stream, tcp_end_reason why, tcp_dir by, const lf_frame_ref *at)
{
    wire_stream *s = stream;
    if (!s)
        return;
    bool cut = why == TCP_END_CAPTURE_ENDED || why == TCP_END_EVICTED;
    for (int d = 0; d < 2; d++) {
        if (!s->fin_seen[d])
            http_conn_fin(s->http, (tcp_dir)d, cut, at);
    }
    wire_tag tag = stream_tag(s, by, LF_WIRE_NO_REQUEST);
    lf_wire_event ev;
    wire_tag_event(&ev, &tag, LF_WIRE_STREAM_CLOSE, at);
    ev.u.close.why = why;
    ev.u.close.by = by;
    emit_simple(s, &ev);
    stream_free(s);
}

tcp_consumer wire_consumer_tcp(wire_consumer *wc)
{
    return (tcp_consumer){.ctx = wc,
                          .open = tcp_open,
                          .data = tcp_data,
                          .gap = tcp_gap,
                          .fin = tcp_fin,
                          .close = tcp_close};
}
