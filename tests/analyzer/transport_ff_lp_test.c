/* transport_ff_lp_test.c - forever-frame scripts and long-polling bodies (keepalive spaces). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "http_wire_log.h"

#define FF_REQUEST                                                                                 \
    "GET /signalr/connect?transport=foreverFrame&connectionToken=x&tid=2&frameId=1 "               \
    "HTTP/1.1\r\n\r\n"
#define FF_HEAD                                                                                    \
    "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=UTF-8\r\n"                                \
    "Transfer-Encoding: chunked\r\n\r\n"
/* The 2.x prelude for frameId=1 (332 bytes up to and including <body>). */
#define FF_PRELUDE                                                                                 \
    "<!DOCTYPE html><html><head><title>SignalR Forever Frame Transport Stream</title>\r\n"         \
    "<script>\r\n"                                                                                 \
    "    var $ = window.parent.jQuery,\r\n"                                                        \
    "        ff = $ ? $.signalR.transports.foreverFrame : null,\r\n"                               \
    "        c =  ff ? ff.getConnection('1') : null,\r\n"                                          \
    "        r = ff ? ff.receive : function() {};\r\n"                                             \
    "    ff ? ff.started(c) : '';</script></head><body>\r\n"

static void chunk(char *out, size_t cap, const char *payload)
{
    size_t n = strlen(out);
    snprintf(out + n, cap - n, "%zx\r\n%s\r\n", strlen(payload), payload);
}

static void test_ff_prelude_then_messages_split_across_chunks(void **state)
{
    (void)state;
    char body[2048];
    body[0] = '\0';
    chunk(body, sizeof(body), FF_PRELUDE);
    chunk(body, sizeof(body), "<script>r(c, {\"C\":\"d-1,0|C,0\",\"S\":1,\"M\":[]});</sc");
    chunk(body, sizeof(body), "ript>\r\n<script>r(c, {});</script>\n\n");
    chunk(body, sizeof(body), "<SCRIPT>r(c, {\"M\":[\"\\u003cb\\u003e\"]});</SCRIPT>\r\n");
    replay_step steps[] = {C2S(FF_REQUEST), S2C(FF_HEAD), S2C_BIN(body, strlen(body))};
    replay_expect_single_splits(
        steps, 3, NULL,
        "request #0 GET /signalr/connect?transport=foreverFrame&connectionToken=x&tid=2&frameId=1\n"
        "response #0 200\n"
        "ff-prelude #0 len=332\n"
        "ff #0 json={\"C\":\"d-1,0|C,0\",\"S\":1,\"M\":[]} script=r(c, "
        "{\"C\":\"d-1,0|C,0\",\"S\":1,"
        "\"M\":[]});\n"
        "ff #0 json={} script=r(c, {});\n"
        "ff #0 json={\"M\":[\"\\x5cu003cb\\x5cu003e\"]} "
        "script=r(c, {\"M\":[\"\\x5cu003cb\\x5cu003e\"]});\n"
        "body-end s>c #0 wire_len=467 incomplete\n");
}

static void test_ff_small_scripts_at_every_pair_of_splits(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /c?transport=foreverFrame HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
            "<html><body>\r\n<script>r(c, 1);</script><script>alert(2)</script>"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /c?transport=foreverFrame\n"
                         "response #0 200\n"
                         "ff-prelude #0 len=12\n"
                         "ff #0 json=1 script=r(c, 1);\n"
                         "ff #0 json=(none) script=alert(2)\n"
                         "body-end s>c #0 wire_len=64 incomplete\n");
}

static void test_html_without_forever_frame_transport_is_a_whole_body(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /index.html HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 13\r\n\r\n"
            "<html></html>"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /index.html\n"
                         "response #0 200\n"
                         "body s>c #0 len=13: <html></html>\n");
}

static void test_ff_prelude_over_cap_is_truncated_and_scripts_still_found(void **state)
{
    (void)state;
    wire_config cfg;
    wire_config_defaults(&cfg);
    cfg.max_ff_message = 16;
    static const replay_step steps[] = {
        C2S("GET /c?transport=foreverFrame HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
            "<html><head><title>no body tag at all</title></head>"),
        S2C("<script>r(c, {});</script>"),
    };
    replay_expect(steps, 3, &cfg,
                  "request #0 GET /c?transport=foreverFrame\n"
                  "response #0 200\n"
                  "ff-prelude #0 len=16 truncated\n"
                  "ff #0 json={} script=r(c, {});\n"
                  "body-end s>c #0 wire_len=78 incomplete\n");
}

static void test_ff_prelude_carries_frame_of_body_tag(void **state)
{
    (void)state;
    wire_trace s;
    trace_open(&s, NULL);                                                                /* 1 */
    TRACE_TEXT(&s, TCP_DIR_TO_SERVER, "GET /c?transport=foreverFrame HTTP/1.1\r\n\r\n"); /* 2 */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT,
               "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
               "<html><bo");                                        /* 3 */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, "dy><script>r(c, {});</scr"); /* 4 */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, "ipt>");                      /* 5 */
    trace_close(&s);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_FF_PRELUDE, 0), 4);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_FF_MESSAGE, 0), 5);
    trace_free(&s);
}

#define LP_POLL                                                                                    \
    "POST /signalr/poll?transport=longPolling&connectionToken=x HTTP/1.1\r\n"                      \
    "Content-Length: 0\r\n\r\n"
#define LP_HEAD                                                                                    \
    "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\n"                         \
    "Transfer-Encoding: chunked\r\n\r\n"

static void test_lp_keepalive_spaces_then_json(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S(LP_POLL),
        S2C(LP_HEAD "1\r\n \r\n1\r\n \r\n2\r\n  \r\n"
                    "15\r\n{\"C\":\"d-1,2\",\"M\":[ ]}\r\n0\r\n\r\n"),
    };
    REPLAY_EXPECT(steps, "request #0 POST /signalr/poll?transport=longPolling&connectionToken=x\n"
                         "response #0 200\n"
                         "spaces s>c #0 4\n"
                         "body s>c #0 len=21: {\"C\":\"d-1,2\",\"M\":[ ]}\n");
}

static void test_lp_each_space_event_carries_its_frame(void **state)
{
    (void)state;
    wire_trace s;
    trace_open(&s, NULL);                                      /* 1 */
    TRACE_TEXT(&s, TCP_DIR_TO_SERVER, LP_POLL);                /* 2 */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, LP_HEAD);                /* 3 */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, "1\r\n \r\n");           /* 4: one keepalive tick */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, "1\r\n \r\n");           /* 5: the next tick */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, "2\r\n{}\r\n0\r\n\r\n"); /* 6 */
    trace_close(&s);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_BODY_SPACES, 0), 4);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_BODY_SPACES, 1), 5);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_HTTP_BODY, 0), 6);
    trace_free(&s);
}

static void test_lp_body_without_spaces_has_no_space_events(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S(LP_POLL),
        S2C("HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\n{\"S\":1}\n"),
    };
    REPLAY_EXPECT(steps, "request #0 POST /signalr/poll?transport=longPolling&connectionToken=x\n"
                         "response #0 200\n"
                         "body s>c #0 len=8: {\"S\":1}\\n\n");
}

/* Text between tags is skipped up to the next '<'; a '<' that starts no tag, or a tag broken
 * off by another '<', must not hide the tag that follows. */
static void test_ff_stray_angle_brackets_around_tags(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /c?transport=foreverFrame HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
            "<p>a < b <<body><scr<script>r(c, 2);<</scrip</script> << <<Script>x</script>"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /c?transport=foreverFrame\n"
                         "response #0 200\n"
                         "ff-prelude #0 len=16\n"
                         "ff #0 json=(none) script=r(c, 2);<</scrip\n"
                         "ff #0 json=(none) script=x\n"
                         "body-end s>c #0 wire_len=76 incomplete\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ff_prelude_then_messages_split_across_chunks),
        cmocka_unit_test(test_ff_small_scripts_at_every_pair_of_splits),
        cmocka_unit_test(test_ff_stray_angle_brackets_around_tags),
        cmocka_unit_test(test_html_without_forever_frame_transport_is_a_whole_body),
        cmocka_unit_test(test_ff_prelude_over_cap_is_truncated_and_scripts_still_found),
        cmocka_unit_test(test_ff_prelude_carries_frame_of_body_tag),
        cmocka_unit_test(test_lp_keepalive_spaces_then_json),
        cmocka_unit_test(test_lp_each_space_event_carries_its_frame),
        cmocka_unit_test(test_lp_body_without_spaces_has_no_space_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
