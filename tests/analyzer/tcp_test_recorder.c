/* tcp_test_recorder.c - text log of tcp_consumer callbacks and diagnostics. */
#include "tcp_test_recorder.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct recorded_stream {
    tcp_test_recorder *rec;
    unsigned long long id;
} recorded_stream;

static void append(tcp_test_recorder *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void append(tcp_test_recorder *r, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (r->len + (size_t)n + 1 > r->cap) {
        r->cap = (r->len + (size_t)n + 1) * 2;
        r->log = realloc(r->log, r->cap);
    }
    va_start(args, fmt);
    vsnprintf(r->log + r->len, r->cap - r->len, fmt, args);
    va_end(args);
    r->len += (size_t)n;
}

static const char *dir_name(tcp_dir dir)
{
    return dir == TCP_DIR_TO_SERVER ? "to_server" : "to_client";
}

static void format_endpoint(const tcp_endpoint *e, char *out, size_t size)
{
    char addr[INET6_ADDRSTRLEN];
    inet_ntop(e->family == 4 ? AF_INET : AF_INET6, e->addr, addr, sizeof addr);
    snprintf(out, size, e->family == 4 ? "%s:%u" : "[%s]:%u", addr, e->port);
}

static void *on_open(void *ctx, const tcp_stream_info *info, const lf_frame_ref *at)
{
    tcp_test_recorder *r = ctx;
    char client[64], server[64];
    format_endpoint(&info->client, client, sizeof client);
    format_endpoint(&info->server, server, sizeof server);
    append(r, "open %llu client=%s server=%s %s @%llu\n", (unsigned long long)info->id, client,
           server,
           info->opener_guessed  ? "guessed"
           : info->saw_handshake ? "handshake"
                                 : "no-handshake",
           (unsigned long long)at->frame);
    recorded_stream *s = malloc(sizeof *s);
    s->rec = r;
    s->id = info->id;
    r->open_streams++;
    return s;
}

static void on_data(void *stream, tcp_dir dir, const uint8_t *bytes, size_t len,
                    const lf_frame_ref *at)
{
    recorded_stream *s = stream;
    if (len > TCP_TEST_RECORDER_SHOWN) {
        append(s->rec, "data %llu %s %zu bytes @%llu\n", s->id, dir_name(dir), len,
               (unsigned long long)at->frame);
        return;
    }
    append(s->rec, "data %llu %s \"%.*s\" @%llu\n", s->id, dir_name(dir), (int)len,
           (const char *)bytes, (unsigned long long)at->frame);
}

static void on_gap(void *stream, tcp_dir dir, uint64_t missing, const lf_frame_ref *at)
{
    recorded_stream *s = stream;
    append(s->rec, "gap %llu %s %llu @%llu\n", s->id, dir_name(dir), (unsigned long long)missing,
           (unsigned long long)at->frame);
}

static void on_fin(void *stream, tcp_dir dir, const lf_frame_ref *at)
{
    recorded_stream *s = stream;
    append(s->rec, "fin %llu %s @%llu\n", s->id, dir_name(dir), (unsigned long long)at->frame);
}

static const char *reason_name(tcp_end_reason why)
{
    static const char *const names[] = {"FIN", "RST", "REUSED", "EVICTED", "CAPTURE_ENDED"};
    return names[why];
}

static void on_close(void *stream, tcp_end_reason why, tcp_dir by, const lf_frame_ref *at)
{
    recorded_stream *s = stream;
    if (why == TCP_END_FIN || why == TCP_END_RST || why == TCP_END_REUSED)
        append(s->rec, "close %llu %s by %s @%llu\n", s->id, reason_name(why), dir_name(by),
               (unsigned long long)at->frame);
    else
        append(s->rec, "close %llu %s @%llu\n", s->id, reason_name(why),
               (unsigned long long)at->frame);
    s->rec->open_streams--;
    free(s);
}

static const char *code_name(lf_diag_code code)
{
    switch (code) {
    case LF_DIAG_TCP_RETRANSMIT_CONFLICT:
        return "TCP_RETRANSMIT_CONFLICT";
    case LF_DIAG_TCP_BUFFER_FULL:
        return "TCP_BUFFER_FULL";
    case LF_DIAG_TCP_STREAM_EVICTED:
        return "TCP_STREAM_EVICTED";
    default:
        return "OTHER";
    }
}

static void on_diag(void *ctx, const lf_diag *d)
{
    append(ctx, "diag %s @%llu\n", code_name(d->code), (unsigned long long)d->at.frame);
}

void tcp_test_recorder_init(tcp_test_recorder *r)
{
    memset(r, 0, sizeof *r);
    r->cap = 256;
    r->log = calloc(1, r->cap);
    r->consumer = (tcp_consumer){.ctx = r,
                                 .open = on_open,
                                 .data = on_data,
                                 .gap = on_gap,
                                 .fin = on_fin,
                                 .close = on_close};
    r->diag = (lf_diag_sink){.ctx = r, .emit = on_diag};
}

void tcp_test_recorder_clear(tcp_test_recorder *r)
{
    r->len = 0;
    r->log[0] = '\0';
}

void tcp_test_recorder_free(tcp_test_recorder *r)
{
    free(r->log);
    r->log = NULL;
}
