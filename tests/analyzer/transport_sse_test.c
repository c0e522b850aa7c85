/* transport_sse_test.c - Server-Sent Events framing inside streaming HTTP responses. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "http_wire_log.h"

#define SSE_REQUEST "GET /signalr/connect?transport=serverSentEvents&tid=3 HTTP/1.1\r\n\r\n"
#define SSE_HEAD "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
#define SSE_CHUNKED SSE_HEAD "Transfer-Encoding: chunked\r\n\r\n"

static void test_sse_initialized_then_messages_with_lf(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S(SSE_REQUEST),
        S2C(SSE_HEAD "\r\n"
                     "data: initialized\n\n"
                     "data: {\"C\":\"d-6A1F30C2-B,0|C,0|D,1\",\"S\":1,\"M\":[]}\n\n"
                     "data: {}\n\n"),
        FIN(TCP_DIR_TO_CLIENT),
    };
    REPLAY_EXPECT(steps, "request #0 GET /signalr/connect?transport=serverSentEvents&tid=3\n"
                         "response #0 200\n"
                         "sse #0: initialized\n"
                         "sse #0: {\"C\":\"d-6A1F30C2-B,0|C,0|D,1\",\"S\":1,\"M\":[]}\n"
                         "sse #0: {}\n"
                         "body-end s>c #0 wire_len=80\n"
                         "fin s>c\n");
}

static void test_sse_crlf_message_events_after_lf_keepalive(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S(SSE_REQUEST),
        S2C(SSE_HEAD "\r\ndata: initialized\n\ndata: {\"M\":[1]}\r\n\r\ndata: {}\n\n"
                     "data: cr only\r\r"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /signalr/connect?transport=serverSentEvents&tid=3\n"
                         "response #0 200\n"
                         "sse #0: initialized\n"
                         "sse #0: {\"M\":[1]}\n"
                         "sse #0: {}\n"
                         "sse #0: cr only\n"
                         "body-end s>c #0 wire_len=63 incomplete\n");
}

static void test_sse_event_split_across_chunks(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S(SSE_REQUEST),
        S2C(SSE_CHUNKED "13\r\ndata: initialized\n\n\r\n"
                        "7\r\ndata: {\r\n"
                        "5\r\n\"a\":1\r\n"
                        "5\r\n}\r\n\r\n\r\n"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /signalr/connect?transport=serverSentEvents&tid=3\n"
                         "response #0 200\n"
                         "sse #0: initialized\n"
                         "sse #0: {\"a\":1}\n"
                         "body-end s>c #0 wire_len=36 incomplete\n");
}

static void test_sse_multiple_data_lines_are_joined_and_comments_ignored(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S(SSE_REQUEST),
        S2C(SSE_HEAD "\r\n"
                     ": a comment line\n"
                     "data:first\n"
                     "data:  second\n"
                     "retry: 3000\n"
                     "event: note\n"
                     "id: 42\n"
                     "\n"
                     ":only a comment\n\n"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /signalr/connect?transport=serverSentEvents&tid=3\n"
                         "response #0 200\n"
                         "sse #0 event=note id=42: first\\n second\n"
                         "body-end s>c #0 wire_len=91 incomplete\n");
}

static void test_sse_event_carries_frame_of_its_blank_line(void **state)
{
    (void)state;
    wire_trace s;
    trace_open(&s, NULL);                                         /* frame 1 */
    TRACE_TEXT(&s, TCP_DIR_TO_SERVER, SSE_REQUEST);               /* frame 2 */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, SSE_HEAD "\r\n");           /* frame 3 */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, "data: {\"S\":1}\r\n");     /* frame 4 */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, "\r\ndata: {}\n\ndata: {"); /* frame 5 */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, "}\n\n");                   /* frame 6 */
    trace_close(&s);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_SSE_EVENT, 0), 5);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_SSE_EVENT, 1), 5);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_SSE_EVENT, 2), 6);
    trace_free(&s);
}

static void test_sse_gap_drops_the_event_being_built(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S(SSE_REQUEST),
        S2C(SSE_HEAD "\r\ndata: {\"M\":[\"lo"),
        GAP(TCP_DIR_TO_CLIENT, 500),
        S2C("st\"]}\n\ndata: {}\n\n"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /signalr/connect?transport=serverSentEvents&tid=3\n"
                         "response #0 200\n"
                         "gap s>c 500\n"
                         "sse #0: {}\n"
                         "body-end s>c #0 wire_len=32 incomplete\n");
}

static void test_sse_event_over_cap_is_truncated(void **state)
{
    (void)state;
    wire_config cfg;
    wire_config_defaults(&cfg);
    cfg.max_sse_event = 8;
    static const replay_step steps[] = {
        C2S(SSE_REQUEST),
        S2C(SSE_HEAD "\r\ndata: 0123456789abcdef\n\ndata: ok\n\n"),
    };
    replay_expect(steps, 2, &cfg,
                  "request #0 GET /signalr/connect?transport=serverSentEvents&tid=3\n"
                  "response #0 200\n"
                  "sse #0 truncated: 01234567\n"
                  "sse #0: ok\n"
                  "body-end s>c #0 wire_len=34 incomplete\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sse_initialized_then_messages_with_lf),
        cmocka_unit_test(test_sse_crlf_message_events_after_lf_keepalive),
        cmocka_unit_test(test_sse_event_split_across_chunks),
        cmocka_unit_test(test_sse_multiple_data_lines_are_joined_and_comments_ignored),
        cmocka_unit_test(test_sse_event_carries_frame_of_its_blank_line),
        cmocka_unit_test(test_sse_gap_drops_the_event_being_built),
        cmocka_unit_test(test_sse_event_over_cap_is_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
