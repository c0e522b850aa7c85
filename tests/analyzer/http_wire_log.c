/* http_wire_log.c - wire event recorder and segmentation replay for the HTTP/transport tests. */
#include "http_wire_log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

static void log_raw(wire_log *l, const char *s, size_t n)
{
    if (l->len + n + 1 > l->cap) {
        size_t cap = l->cap ? l->cap : 1024;
        while (cap < l->len + n + 1)
            cap *= 2;
        l->text = realloc(l->text, cap);
        assert_non_null(l->text);
        l->cap = cap;
    }
    memcpy(l->text + l->len, s, n);
    l->len += n;
    l->text[l->len] = '\0';
}

static void log_fmt(wire_log *l, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    log_raw(l, buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

static void log_bytes(wire_log *l, const void *p, size_t n)
{
    const uint8_t *b = p;
    size_t shown = n < l->max_body_print ? n : l->max_body_print;
    for (size_t i = 0; i < shown; i++) {
        if (b[i] == '\n')
            log_raw(l, "\\n", 2);
        else if (b[i] == '\r')
            log_raw(l, "\\r", 2);
        else if (b[i] < 0x20 || b[i] >= 0x7f || b[i] == '\\')
            log_fmt(l, "\\x%02x", b[i]);
        else
            log_raw(l, (const char *)b + i, 1);
    }
    if (shown < n)
        log_raw(l, "...", 3);
}

static void log_str(wire_log *l, lf_wire_str s)
{
    if (s.ptr)
        log_bytes(l, s.ptr, s.len);
    else
        log_raw(l, "(none)", 6);
}

static const char *dir_name(tcp_dir d)
{
    return d == TCP_DIR_TO_SERVER ? "c>s" : "s>c";
}

static void log_flags(wire_log *l, unsigned flags)
{
    if (flags & LF_WIRE_TRUNCATED)
        log_raw(l, " truncated", 10);
    if (flags & LF_WIRE_INCOMPLETE)
        log_raw(l, " incomplete", 11);
    if (flags & LF_WIRE_UNDECODED)
        log_raw(l, " undecoded", 10);
}

static void flush_spaces(wire_log *l)
{
    if (l->pending_spaces == 0)
        return;
    log_fmt(l, "spaces %s #%u %u\n", dir_name(l->spaces_dir), l->spaces_index, l->pending_spaces);
    l->pending_spaces = 0;
}

static void log_request(wire_log *l, const lf_wire_event *ev)
{
    const lf_wire_request *r = &ev->u.request;
    log_fmt(l, "request #%u ", ev->request_index);
    log_str(l, r->method);
    log_raw(l, " ", 1);
    log_str(l, r->target);
    log_raw(l, r->has_body ? " +body\n" : "\n", r->has_body ? 7 : 1);
}

static void log_response(wire_log *l, const lf_wire_event *ev)
{
    const lf_wire_response *r = &ev->u.response;
    if (ev->request_index == LF_WIRE_NO_REQUEST)
        log_fmt(l, "response #? %d\n", r->status);
    else
        log_fmt(l, "response #%u %d\n", ev->request_index, r->status);
}

static void log_ws(wire_log *l, const lf_wire_event *ev)
{
    const lf_wire_ws_message *m = &ev->u.ws_message;
    log_fmt(l, "ws %s #%u %s%s%s frames=%u", dir_name(ev->dir), ev->request_index,
            m->opcode == LF_WS_TEXT ? "text" : "binary", m->masked ? " masked" : "",
            m->compressed ? " deflate" : "", m->fragments);
    log_flags(l, m->flags);
    log_fmt(l, " len=%zu: ", m->len);
    log_bytes(l, m->payload, m->len);
    log_raw(l, "\n", 1);
}

static void log_event(wire_log *l, const lf_wire_event *ev)
{
    switch (ev->kind) {
    case LF_WIRE_STREAM_OPEN:
        break;
    case LF_WIRE_STREAM_FIN:
        log_fmt(l, "fin %s\n", dir_name(ev->dir));
        break;
    case LF_WIRE_STREAM_CLOSE:
        break;
    case LF_WIRE_HTTP_REQUEST:
        log_request(l, ev);
        break;
    case LF_WIRE_HTTP_RESPONSE:
        log_response(l, ev);
        break;
    case LF_WIRE_HTTP_BODY:
        if (ev->request_index == LF_WIRE_NO_REQUEST)
            log_fmt(l, "body %s #? len=%zu", dir_name(ev->dir), ev->u.body.len);
        else
            log_fmt(l, "body %s #%u len=%zu", dir_name(ev->dir), ev->request_index, ev->u.body.len);
        log_flags(l, ev->u.body.flags);
        log_raw(l, ": ", 2);
        log_bytes(l, ev->u.body.data, ev->u.body.len);
        log_raw(l, "\n", 1);
        break;
    case LF_WIRE_STREAM_BODY_END:
        log_fmt(l, "body-end %s #%u wire_len=%llu", dir_name(ev->dir), ev->request_index,
                (unsigned long long)ev->u.body.wire_len);
        log_flags(l, ev->u.body.flags);
        log_raw(l, "\n", 1);
        break;
    case LF_WIRE_BODY_SPACES:
        break;
    case LF_WIRE_WS_MESSAGE:
        log_ws(l, ev);
        break;
    case LF_WIRE_WS_CONTROL:
        log_fmt(l, "ws-%s %s #%u: ", ev->u.ws_control.opcode == LF_WS_PING ? "ping" : "pong",
                dir_name(ev->dir), ev->request_index);
        log_bytes(l, ev->u.ws_control.payload, ev->u.ws_control.len);
        log_raw(l, "\n", 1);
        break;
    case LF_WIRE_WS_CLOSE:
        if (ev->u.ws_close.has_code) {
            log_fmt(l, "ws-close %s #%u %u ", dir_name(ev->dir), ev->request_index,
                    ev->u.ws_close.code);
            log_str(l, ev->u.ws_close.reason);
            log_raw(l, "\n", 1);
        } else {
            log_fmt(l, "ws-close %s #%u no-code\n", dir_name(ev->dir), ev->request_index);
        }
        break;
    case LF_WIRE_SSE_EVENT:
        log_fmt(l, "sse #%u", ev->request_index);
        if (ev->u.sse.event.ptr) {
            log_raw(l, " event=", 7);
            log_str(l, ev->u.sse.event);
        }
        if (ev->u.sse.id.ptr) {
            log_raw(l, " id=", 4);
            log_str(l, ev->u.sse.id);
        }
        log_flags(l, ev->u.sse.flags);
        log_raw(l, ": ", 2);
        log_str(l, ev->u.sse.data);
        log_raw(l, "\n", 1);
        break;
    case LF_WIRE_FF_PRELUDE:
        log_fmt(l, "ff-prelude #%u len=%zu", ev->request_index, ev->u.ff_prelude.html.len);
        log_flags(l, ev->u.ff_prelude.flags);
        log_raw(l, "\n", 1);
        break;
    case LF_WIRE_FF_MESSAGE:
        log_fmt(l, "ff #%u", ev->request_index);
        log_flags(l, ev->u.ff_message.flags);
        log_raw(l, " json=", 6);
        log_str(l, ev->u.ff_message.json);
        log_raw(l, " script=", 8);
        log_str(l, ev->u.ff_message.script);
        log_raw(l, "\n", 1);
        break;
    case LF_WIRE_GAP:
        log_fmt(l, "gap %s %llu\n", dir_name(ev->dir), (unsigned long long)ev->u.gap.missing);
        break;
    case LF_WIRE_ERROR:
        log_fmt(l, "error %s: %s\n", dir_name(ev->dir), ev->u.error.cause);
        break;
    }
}

static void log_emit(void *ctx, const lf_wire_event *ev)
{
    wire_log *l = ctx;
    if (l->n_events < WIRE_LOG_MAX_EVENTS) {
        l->kinds[l->n_events] = ev->kind;
        l->frames[l->n_events] = ev->at.frame;
        l->n_events++;
    }
    if (ev->kind == LF_WIRE_BODY_SPACES) {
        if (l->pending_spaces && (l->spaces_dir != ev->dir || l->spaces_index != ev->request_index))
            flush_spaces(l);
        l->pending_spaces += ev->u.spaces.count;
        l->spaces_dir = ev->dir;
        l->spaces_index = ev->request_index;
        return;
    }
    flush_spaces(l);
    log_event(l, ev);
}

/* ---- traces ------------------------------------------------------------------------------- */

void trace_open(wire_trace *s, const wire_config *cfg)
{
    memset(s, 0, sizeof(*s));
    s->log.max_body_print = 200;
    log_raw(&s->log, "", 0);
    wire_consumer_init(&s->wc, cfg, (lf_wire_sink){&s->log, log_emit});
    s->tc = wire_consumer_tcp(&s->wc);
    tcp_stream_info info = {.id = 7, .saw_handshake = true};
    lf_frame_ref at = {.frame = ++s->frame};
    s->stream = s->tc.open(s->tc.ctx, &info, &at);
    assert_non_null(s->stream);
}

void trace_data(wire_trace *s, tcp_dir dir, const void *bytes, size_t len)
{
    lf_frame_ref at = {.frame = ++s->frame};
    s->tc.data(s->stream, dir, bytes, len, &at);
}

void trace_gap(wire_trace *s, tcp_dir dir, uint64_t missing)
{
    lf_frame_ref at = {.frame = ++s->frame};
    s->tc.gap(s->stream, dir, missing, &at);
}

void trace_fin(wire_trace *s, tcp_dir dir)
{
    lf_frame_ref at = {.frame = ++s->frame};
    s->tc.fin(s->stream, dir, &at);
}

const char *trace_close(wire_trace *s)
{
    if (s->stream) {
        lf_frame_ref at = {.frame = ++s->frame};
        s->tc.close(s->stream, TCP_END_CAPTURE_ENDED, TCP_DIR_TO_SERVER, &at);
        s->stream = NULL;
        flush_spaces(&s->log);
    }
    return s->log.text;
}

void trace_free(wire_trace *s)
{
    trace_close(s);
    free(s->log.text);
    s->log.text = NULL;
}

uint64_t trace_frame_of(const wire_trace *s, lf_wire_kind kind, size_t nth)
{
    for (size_t i = 0; i < s->log.n_events; i++) {
        if (s->log.kinds[i] == kind && nth-- == 0)
            return s->log.frames[i];
    }
    return 0;
}

/* ---- replay ------------------------------------------------------------------------------- */

typedef struct cut_plan {
    bool bytewise;
    size_t cuts[2]; /* global data offsets where a segment is cut */
    size_t ncuts;
} cut_plan;

static void feed_step(wire_trace *s, const replay_step *st, size_t global, const cut_plan *plan)
{
    size_t from = 0;
    for (size_t i = 1; i < st->len; i++) {
        bool cut = plan->bytewise;
        for (size_t k = 0; k < plan->ncuts; k++)
            cut = cut || plan->cuts[k] == global + i;
        if (cut) {
            trace_data(s, st->dir, st->bytes + from, i - from);
            from = i;
        }
    }
    trace_data(s, st->dir, st->bytes + from, st->len - from);
}

static char *run_plan(const replay_step *steps, size_t n, const wire_config *cfg,
                      const cut_plan *plan)
{
    wire_trace s;
    trace_open(&s, cfg);
    size_t global = 0;
    for (size_t i = 0; i < n; i++) {
        const replay_step *st = &steps[i];
        if (st->kind == REPLAY_DATA) {
            feed_step(&s, st, global, plan);
            global += st->len;
        } else if (st->kind == REPLAY_GAP) {
            trace_gap(&s, st->dir, st->len);
        } else {
            trace_fin(&s, st->dir);
        }
    }
    trace_close(&s);
    char *text = s.log.text;
    s.log.text = NULL;
    return text;
}

static size_t data_total(const replay_step *steps, size_t n)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += steps[i].kind == REPLAY_DATA ? steps[i].len : 0;
    return total;
}

static void check_plan(const replay_step *steps, size_t n, const wire_config *cfg,
                       const cut_plan *plan, const char *expected)
{
    char *got = run_plan(steps, n, cfg, plan);
    if (strcmp(got, expected) != 0) {
        print_message("segmentation: %s cuts=%zu at %zu,%zu\n",
                      plan->bytewise ? "byte by byte" : "split", plan->ncuts, plan->cuts[0],
                      plan->cuts[1]);
    }
    assert_string_equal(got, expected);
    free(got);
}

char *replay_whole(const replay_step *steps, size_t n, const wire_config *cfg)
{
    cut_plan whole = {0};
    return run_plan(steps, n, cfg, &whole);
}

void replay_expect_single_splits(const replay_step *steps, size_t n, const wire_config *cfg,
                                 const char *expected)
{
    size_t total = data_total(steps, n);
    cut_plan plan = {0};
    check_plan(steps, n, cfg, &plan, expected);
    for (size_t p = 1; p < total; p++) {
        plan = (cut_plan){.cuts = {p, 0}, .ncuts = 1};
        check_plan(steps, n, cfg, &plan, expected);
    }
}

void replay_expect(const replay_step *steps, size_t n, const wire_config *cfg, const char *expected)
{
    size_t total = data_total(steps, n);
    replay_expect_single_splits(steps, n, cfg, expected);
    cut_plan plan = {.bytewise = true};
    check_plan(steps, n, cfg, &plan, expected);
    if (total > REPLAY_PAIR_SPLIT_MAX)
        return;
    for (size_t p = 1; p < total; p++) {
        for (size_t q = p + 1; q < total; q++) {
            plan = (cut_plan){.cuts = {p, q}, .ncuts = 2};
            check_plan(steps, n, cfg, &plan, expected);
        }
    }
}

void replay_expect_large(const replay_step *steps, size_t n, const wire_config *cfg,
                         const char *expected, size_t stride)
{
    size_t total = data_total(steps, n);
    cut_plan plan = {0};
    check_plan(steps, n, cfg, &plan, expected);
    plan.bytewise = true;
    check_plan(steps, n, cfg, &plan, expected);
    for (size_t p = 1; p < total; p++) {
        bool near_end = p < 64 || p + 64 > total;
        if (!near_end && p % stride != 0)
            continue;
        plan = (cut_plan){.cuts = {p, 0}, .ncuts = 1};
        check_plan(steps, n, cfg, &plan, expected);
    }
}
