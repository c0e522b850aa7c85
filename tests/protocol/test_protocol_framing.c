/* Transport framing and keepalive bytes (wire reference sec. 8 table). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "protocol/sr_framing.h"

#define INIT_JSON "{\"C\":\"d-6A1F30C2-B,0|C,0|D,1\",\"S\":1,\"M\":[]}"

static const char FF_PRELUDE[] =
    "<!DOCTYPE html><html><head><title>SignalR Forever Frame Transport Stream</title>\r\n"
    "<script>\r\n"
    "    var $ = window.parent.jQuery,\r\n"
    "        ff = $ ? $.signalR.transports.foreverFrame : null,\r\n"
    "        c =  ff ? ff.getConnection('1') : null,\r\n"
    "        r = ff ? ff.receive : function() {};\r\n"
    "    ff ? ff.started(c) : '';</script></head><body>\r\n";

static void test_websocket_keepalive_is_exactly_two_bytes(void **state)
{
    (void)state;
    const unsigned char frame[] = {0x81, 0x02, 0x7B, 0x7D};
    assert_true(sr_ws_is_keepalive((const char *)frame + 2, frame[1]));
    assert_false(sr_ws_is_keepalive("{ }", 3));
    assert_false(sr_ws_is_keepalive("{", 1));
    assert_false(sr_ws_is_keepalive(NULL, 0));
}

static void test_sse_event_data_kinds(void **state)
{
    (void)state;
    assert_int_equal(sr_sse_classify_data("{}", 2), SR_SSE_DATA_KEEPALIVE);
    assert_int_equal(sr_sse_classify_data("initialized", 11), SR_SSE_DATA_INITIALIZED);
    assert_int_equal(sr_sse_classify_data(INIT_JSON, strlen(INIT_JSON)), SR_SSE_DATA_MESSAGE);
}

static void test_sse_fixed_events_in_both_line_endings(void **state)
{
    (void)state;
    sr_sse_data_kind kind;
    size_t consumed;
    assert_int_equal(sr_sse_match_fixed_event("data: {}\n\ndata: {}\n\n", 20, &kind, &consumed), SR_OK);
    assert_int_equal(kind, SR_SSE_DATA_KEEPALIVE);
    assert_int_equal(consumed, 10);
    assert_int_equal(sr_sse_match_fixed_event("data: {}\r\n\r\n", 12, &kind, &consumed), SR_OK);
    assert_int_equal(consumed, 12);
    assert_int_equal(sr_sse_match_fixed_event("data: initialized\n\n", 19, &kind, &consumed), SR_OK);
    assert_int_equal(kind, SR_SSE_DATA_INITIALIZED);
    assert_int_equal(consumed, 19);
    assert_int_equal(sr_sse_match_fixed_event("data: initialized\r\n\r\n", 21, &kind, &consumed), SR_OK);
    assert_int_equal(consumed, 21);
}

static void test_sse_fixed_event_split_across_segments_needs_more(void **state)
{
    (void)state;
    sr_sse_data_kind kind;
    size_t consumed;
    assert_int_equal(sr_sse_match_fixed_event("data: {", 7, &kind, &consumed), SR_ERR_NEED_MORE);
    assert_int_equal(sr_sse_match_fixed_event("data: {}\r\n", 10, &kind, &consumed), SR_ERR_NEED_MORE);
    assert_int_equal(sr_sse_match_fixed_event("data: init", 10, &kind, &consumed), SR_ERR_NEED_MORE);
    assert_int_equal(sr_sse_match_fixed_event("", 0, &kind, &consumed), SR_ERR_NEED_MORE);
}

static void test_sse_init_message_event_is_not_fixed(void **state)
{
    (void)state;
    const char event[] = "data: " INIT_JSON "\r\n\r\n";
    assert_int_equal(sizeof(event) - 1, 53);
    sr_sse_data_kind kind;
    size_t consumed;
    assert_int_equal(sr_sse_match_fixed_event(event, sizeof(event) - 1, &kind, &consumed), SR_ERR_NO_MATCH);
    assert_int_equal(sr_sse_match_fixed_event("data: {}x", 9, &kind, &consumed), SR_ERR_NO_MATCH);
}

static void test_forever_frame_prelude_for_frame_1(void **state)
{
    (void)state;
    size_t consumed = 0;
    sr_span frame_id;
    assert_int_equal(sr_ff_match_prelude(FF_PRELUDE, sizeof(FF_PRELUDE) - 1, &consumed, &frame_id), SR_OK);
    assert_int_equal(consumed, sizeof(FF_PRELUDE) - 1);
    assert_int_equal(frame_id.len, 1);
    assert_memory_equal(frame_id.ptr, "1", 1);
}

static void test_forever_frame_prelude_arriving_in_pieces(void **state)
{
    (void)state;
    size_t consumed;
    sr_span frame_id;
    for (size_t cut = 0; cut < sizeof(FF_PRELUDE) - 1; cut++)
        assert_int_equal(sr_ff_match_prelude(FF_PRELUDE, cut, &consumed, &frame_id), SR_ERR_NEED_MORE);
}

static void test_html_that_is_not_a_prelude(void **state)
{
    (void)state;
    size_t consumed;
    sr_span frame_id;
    const char *page = "<html><body>hello</body></html>";
    assert_int_equal(sr_ff_match_prelude(page, strlen(page), &consumed, &frame_id), SR_ERR_NO_MATCH);
    char big[SR_FF_PRELUDE_MAX + 10];
    memset(big, ' ', sizeof(big));
    memcpy(big, "<!DOCTYPE html>", 15);
    assert_int_equal(sr_ff_match_prelude(big, sizeof(big), &consumed, &frame_id), SR_ERR_NO_MATCH);
}

static void test_forever_frame_init_message_is_69_bytes(void **state)
{
    (void)state;
    const char msg[] = "<script>r(c, " INIT_JSON ");</script>\r\n";
    assert_int_equal(sizeof(msg) - 1, 69);
    size_t consumed;
    sr_span json;
    bool keepalive = true;
    assert_int_equal(sr_ff_match_script(msg, sizeof(msg) - 1, &consumed, &json, &keepalive), SR_OK);
    assert_int_equal(consumed, 67);
    assert_false(keepalive);
    assert_int_equal(json.len, strlen(INIT_JSON));
    assert_memory_equal(json.ptr, INIT_JSON, json.len);
}

static void test_forever_frame_keepalive_is_28_bytes(void **state)
{
    (void)state;
    const char msg[] = "<script>r(c, {});</script>\n\n";
    assert_int_equal(sizeof(msg) - 1, 28);
    size_t consumed;
    sr_span json;
    bool keepalive = false;
    assert_int_equal(sr_ff_match_script(msg, sizeof(msg) - 1, &consumed, &json, &keepalive), SR_OK);
    assert_true(keepalive);
    assert_int_equal(consumed, 26);
    /* The next call skips the newlines that ended the previous message. */
    const char next[] = "\n\n<script>r(c, {});</script>";
    assert_int_equal(sr_ff_match_script(next, sizeof(next) - 1, &consumed, &json, &keepalive), SR_OK);
    assert_int_equal(consumed, sizeof(next) - 1);
}

static void test_forever_frame_escaped_angle_brackets_stay_escaped(void **state)
{
    (void)state;
    const char msg[] = "<script>r(c, {\"C\":\"d-1-B,2\",\"M\":[\"\\u003c/script\\u003e\"]});</script>\r\n";
    size_t consumed;
    sr_span json;
    bool keepalive;
    assert_int_equal(sr_ff_match_script(msg, sizeof(msg) - 1, &consumed, &json, &keepalive), SR_OK);
    const char expected[] = "{\"C\":\"d-1-B,2\",\"M\":[\"\\u003c/script\\u003e\"]}";
    assert_int_equal(json.len, sizeof(expected) - 1);
    assert_memory_equal(json.ptr, expected, json.len);
}

static void test_forever_frame_script_split_needs_more(void **state)
{
    (void)state;
    const char msg[] = "<script>r(c, {});</script>";
    size_t consumed;
    sr_span json;
    bool keepalive;
    for (size_t cut = 0; cut < sizeof(msg) - 1; cut++)
        assert_int_equal(sr_ff_match_script(msg, cut, &consumed, &json, &keepalive), SR_ERR_NEED_MORE);
    assert_int_equal(sr_ff_match_script("<div>", 5, &consumed, &json, &keepalive), SR_ERR_NO_MATCH);
}

static void test_long_poll_keepalive_spaces_before_json(void **state)
{
    (void)state;
    const char body[] = "          {\"C\":\"d-1-B,1\",\"M\":[]}";
    assert_int_equal(sr_lp_keepalive_spaces(body, sizeof(body) - 1), 10);
    assert_int_equal(sr_lp_keepalive_spaces("{}", 2), 0);
    assert_int_equal(sr_lp_keepalive_spaces("   ", 3), 3);
    assert_int_equal(sr_lp_keepalive_spaces("\t{}", 3), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_websocket_keepalive_is_exactly_two_bytes),
        cmocka_unit_test(test_sse_event_data_kinds),
        cmocka_unit_test(test_sse_fixed_events_in_both_line_endings),
        cmocka_unit_test(test_sse_fixed_event_split_across_segments_needs_more),
        cmocka_unit_test(test_sse_init_message_event_is_not_fixed),
        cmocka_unit_test(test_forever_frame_prelude_for_frame_1),
        cmocka_unit_test(test_forever_frame_prelude_arriving_in_pieces),
        cmocka_unit_test(test_html_that_is_not_a_prelude),
        cmocka_unit_test(test_forever_frame_init_message_is_69_bytes),
        cmocka_unit_test(test_forever_frame_keepalive_is_28_bytes),
        cmocka_unit_test(test_forever_frame_escaped_angle_brackets_stay_escaped),
        cmocka_unit_test(test_forever_frame_script_split_needs_more),
        cmocka_unit_test(test_long_poll_keepalive_spaces_before_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
