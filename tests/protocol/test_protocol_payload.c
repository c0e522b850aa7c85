/* Top-level JSON payloads as they appear in frames and bodies (sec. 3.3, 6, 7, 8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "protocol/sr_payload.h"

static sr_payload_kind classify(const char *text)
{
    sr_payload_kind kind = SR_PAYLOAD_OTHER;
    sr_error err = {0};
    assert_int_equal(sr_payload_classify(text, strlen(text), &kind, &err), SR_OK);
    return kind;
}

static void test_websocket_keepalive_frame(void **state)
{
    (void)state;
    assert_int_equal(classify("{}"), SR_PAYLOAD_KEEPALIVE);
}

static void test_websocket_init_frame_is_a_persistent_response(void **state)
{
    (void)state;
    assert_int_equal(classify("{\"C\":\"d-6A1F30C2-B,0|C,0|D,1\",\"S\":1,\"M\":[]}"), SR_PAYLOAD_PERSISTENT_RESPONSE);
    assert_int_equal(classify("{\"M\":[]}"), SR_PAYLOAD_PERSISTENT_RESPONSE);
    assert_int_equal(classify("{\"E\":\"closed by the service\"}"), SR_PAYLOAD_PERSISTENT_RESPONSE);
}

static void test_websocket_hub_result_is_not_wrapped(void **state)
{
    (void)state;
    assert_int_equal(classify("{\"I\":\"0\"}"), SR_PAYLOAD_HUB_RESULT);
    assert_int_equal(classify("{\"I\":\"2\",\"E\":\"There was an error invoking Hub method 'chathub.Fail'.\"}"),
                     SR_PAYLOAD_HUB_RESULT);
}

static void test_client_websocket_invocation(void **state)
{
    (void)state;
    assert_int_equal(classify("{\"H\":\"chathub\",\"M\":\"Send\",\"A\":[\"ann\",\"hi\"],\"I\":0}"), SR_PAYLOAD_HUB_INVOCATION);
}

static void test_progress_alone_in_a_frame(void **state)
{
    (void)state;
    assert_int_equal(classify("{\"I\":\"P|4\",\"P\":{\"I\":\"4\",\"D\":50}}"), SR_PAYLOAD_HUB_PROGRESS);
}

static void test_start_and_ping_responses_of_every_version(void **state)
{
    (void)state;
    assert_int_equal(classify("{ \"Response\": \"started\" }"), SR_PAYLOAD_START_RESPONSE);
    assert_int_equal(classify("{ \"Response\": \"pong\" }"), SR_PAYLOAD_PONG_RESPONSE);
    assert_int_equal(classify("{\"Response\":\"pong\"}"), SR_PAYLOAD_PONG_RESPONSE);
    assert_int_equal(classify("{\"Response\":\"failed\"}"), SR_PAYLOAD_OTHER_RESPONSE);
    assert_int_equal(classify("{\"Response\":1}"), SR_PAYLOAD_OTHER_RESPONSE);
    assert_string_equal(sr_payload_kind_name(SR_PAYLOAD_START_RESPONSE), "start-response");
}

static void test_jsonp_pong(void **state)
{
    (void)state;
    const char *text = "jQuery1_2({ \"Response\": \"pong\" });";
    JsonNode *root;
    sr_span callback;
    assert_int_equal(sr_payload_parse(text, strlen(text), &root, &callback, NULL), SR_OK);
    assert_int_equal(sr_payload_classify_node(root), SR_PAYLOAD_PONG_RESPONSE);
    assert_int_equal(callback.len, 9);
    assert_memory_equal(callback.ptr, "jQuery1_2", 9);
    json_node_unref(root);
}

static void test_persistent_connection_payloads_are_other(void **state)
{
    (void)state;
    assert_int_equal(classify("\"hello\""), SR_PAYLOAD_OTHER);
    assert_int_equal(classify("true"), SR_PAYLOAD_OTHER);
    assert_int_equal(classify("null"), SR_PAYLOAD_OTHER);
    assert_int_equal(classify("{\"text\":\"hi\"}"), SR_PAYLOAD_OTHER);
}

static void test_truncated_and_hostile_payloads(void **state)
{
    (void)state;
    sr_payload_kind kind;
    sr_error err = {0};
    assert_int_equal(sr_payload_classify("{\"C\":\"d-1", 9, &kind, &err), SR_ERR_JSON_SYNTAX);
    assert_int_equal(sr_payload_classify("{}\0", 3, &kind, &err), SR_ERR_EMBEDDED_NUL);
    assert_int_equal(sr_payload_classify("cb(", 3, &kind, &err), SR_ERR_BAD_JSONP);
    assert_int_equal(sr_payload_classify("", 0, &kind, &err), SR_ERR_EMPTY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_websocket_keepalive_frame),
        cmocka_unit_test(test_websocket_init_frame_is_a_persistent_response),
        cmocka_unit_test(test_websocket_hub_result_is_not_wrapped),
        cmocka_unit_test(test_client_websocket_invocation),
        cmocka_unit_test(test_progress_alone_in_a_frame),
        cmocka_unit_test(test_start_and_ping_responses_of_every_version),
        cmocka_unit_test(test_jsonp_pong),
        cmocka_unit_test(test_persistent_connection_payloads_are_other),
        cmocka_unit_test(test_truncated_and_hostile_payloads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
