/* stream_gap_repro.c - capture loss inside streaming transports: what survives a lost or
 * snaplen-cut segment. A long-lived SSE, forever-frame or WebSocket receive stream must keep
 * delivering the events after a loss; losing it makes the lifecycle engine report a dead
 * transport (keepalive_missed, disconnect_timeout) on a healthy connection. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "transport/wire_consumer.h"

#define SSE_REQUEST "GET /signalr/connect?transport=serverSentEvents&tid=3 HTTP/1.1\r\n\r\n"
#define SSE_RESPONSE_HEAD                                                                  \
    "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"
#define WS_REQUEST                                                                         \
    "GET /signalr/connect?transport=webSockets HTTP/1.1\r\nUpgrade: websocket\r\n"         \
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
#define WS_RESPONSE_HEAD                                                                   \
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"    \
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"

/* What the wire events said, counted. */
typedef struct tally {
    unsigned sse_events, ws_messages, body_ends, errors;
    char last_payload[64];
} tally;

static void keep_last(tally *t, const void *data, size_t len)
{
    size_t n = len < sizeof t->last_payload - 1 ? len : sizeof t->last_payload - 1;
    memcpy(t->last_payload, data, n);
    t->last_payload[n] = '\0';
}

static void count_event(void *ctx, const lf_wire_event *ev)
{
    tally *t = ctx;
    switch (ev->kind) {
    case LF_WIRE_SSE_EVENT:
        t->sse_events++;
        keep_last(t, ev->u.sse.data.ptr, ev->u.sse.data.len);
        break;
    case LF_WIRE_WS_MESSAGE:
        t->ws_messages++;
        keep_last(t, ev->u.ws_message.payload, ev->u.ws_message.len);
        break;
    case LF_WIRE_STREAM_BODY_END:
        t->body_ends++;
        break;
    case LF_WIRE_ERROR:
        t->errors++;
        break;
    default:
        break;
    }
}

typedef struct stream {
    wire_consumer wc;
    tcp_consumer tc;
    void *state;
    lf_frame_ref at;
    tally tally;
} stream;

static void stream_open(stream *s)
{
    memset(s, 0, sizeof *s);
    wire_consumer_init(&s->wc, NULL, (lf_wire_sink){.ctx = &s->tally, .emit = count_event});
    s->tc = wire_consumer_tcp(&s->wc);
    tcp_stream_info info = {.id = 1, .saw_handshake = true};
    s->at = (lf_frame_ref){.frame = 1, .time = 1718000000000000000LL};
    s->state = s->tc.open(s->tc.ctx, &info, &s->at);
}

static void send_text(stream *s, tcp_dir dir, const char *text, size_t len)
{
    s->at.frame++;
    s->tc.data(s->state, dir, (const uint8_t *)text, len, &s->at);
}

#define SEND(s, dir, lit) send_text(s, dir, lit, sizeof lit - 1)

static void lose(stream *s, tcp_dir dir, uint64_t missing)
{
    s->at.frame++;
    s->tc.gap(s->state, dir, missing, &s->at);
}

static void stream_close(stream *s)
{
    s->tc.close(s->state, TCP_END_CAPTURE_ENDED, TCP_DIR_TO_SERVER, &s->at);
}

/* A snaplen cut the end of a segment: the last bytes of a chunk's data and its CRLF are
 * missing; the next chunk arrives whole. */
static void test_sse_keeps_events_after_gap_over_chunk_end(void **state)
{
    (void)state;
    stream s;
    stream_open(&s);
    SEND(&s, TCP_DIR_TO_SERVER, SSE_REQUEST);
    SEND(&s, TCP_DIR_TO_CLIENT, SSE_RESPONSE_HEAD "13\r\ndata: initialized\n\n\r\n");
    SEND(&s, TCP_DIR_TO_CLIENT, "1a\r\ndata: {\"M\":[\"lost");
    lose(&s, TCP_DIR_TO_CLIENT, 11); /* `tail"]}\n\n` and the chunk's CRLF */
    SEND(&s, TCP_DIR_TO_CLIENT, "a\r\ndata: {}\n\n\r\n");
    assert_int_equal(s.tally.body_ends, 0);
    assert_int_equal(s.tally.sse_events, 2);
    assert_string_equal(s.tally.last_payload, "{}");
    stream_close(&s);
}

/* A whole segment lost, chunk-size line included; the next write starts a new chunk. */
static void test_sse_resyncs_on_next_chunk_after_lost_chunk_header(void **state)
{
    (void)state;
    stream s;
    stream_open(&s);
    SEND(&s, TCP_DIR_TO_SERVER, SSE_REQUEST);
    SEND(&s, TCP_DIR_TO_CLIENT, SSE_RESPONSE_HEAD "13\r\ndata: initialized\n\n\r\n");
    lose(&s, TCP_DIR_TO_CLIENT, 27); /* "15\r\ndata: {\"M\":[1,2,3]}\n\n\r\n" */
    SEND(&s, TCP_DIR_TO_CLIENT, "a\r\ndata: {}\n\n\r\n");
    assert_int_equal(s.tally.body_ends, 0);
    assert_int_equal(s.tally.sse_events, 2);
    assert_string_equal(s.tally.last_payload, "{}");
    stream_close(&s);
}

/* A whole server frame lost, header included; the next segment starts a new frame. */
static void test_websocket_resyncs_on_next_frame_after_lost_frame_header(void **state)
{
    (void)state;
    stream s;
    stream_open(&s);
    SEND(&s, TCP_DIR_TO_SERVER, WS_REQUEST);
    SEND(&s, TCP_DIR_TO_CLIENT, WS_RESPONSE_HEAD "\x81\x02{}");
    lose(&s, TCP_DIR_TO_CLIENT, 13); /* 81 0b {"M":[1,2]} */
    SEND(&s, TCP_DIR_TO_CLIENT, "\x81\x02{}");
    assert_int_equal(s.tally.ws_messages, 2);
    assert_string_equal(s.tally.last_payload, "{}");
    stream_close(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_keeps_events_after_gap_over_chunk_end),
        cmocka_unit_test(test_sse_resyncs_on_next_chunk_after_lost_chunk_header),
        cmocka_unit_test(test_websocket_resyncs_on_next_frame_after_lost_frame_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
