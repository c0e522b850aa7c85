/* Persistent response envelopes (wire reference sec. 6.1, 6.3, 8). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "protocol/sr_hub.h"
#include "protocol/sr_persistent.h"

static sr_status parse(const char *text, sr_persistent_response *r, sr_error *err)
{
    return sr_persistent_parse(text, strlen(text), r, err);
}

static void test_init_message_answers_connect(void **state)
{
    (void)state;
    sr_persistent_response r;
    assert_int_equal(parse("{\"C\":\"d-6A1F30C2-B,0|C,0|D,1\",\"S\":1,\"M\":[]}", &r, NULL), SR_OK);
    assert_int_equal(r.fields, SR_PERSISTENT_C | SR_PERSISTENT_S | SR_PERSISTENT_M);
    assert_string_equal(r.cursor_text.data, "d-6A1F30C2-B,0|C,0|D,1");
    assert_int_equal(r.cursor_status, SR_OK);
    assert_int_equal(r.cursor.prefix_id, 0x6A1F30C2u);
    assert_int_equal(r.cursor.count, 3);
    assert_int_equal(r.initialized, 1);
    assert_int_equal(r.message_count, 0);
    sr_persistent_clear(&r);
}

static void test_hub_invocation_inside_m(void **state)
{
    (void)state;
    sr_persistent_response r;
    assert_int_equal(parse("{\"C\":\"d-6A1F30C2-B,1|C,0|D,1\",\"M\":[{\"H\":\"ChatHub\",\"M\":\"addMessage\",\"A\":[\"ann\",\"hi\"]}]}",
                           &r, NULL),
                     SR_OK);
    assert_int_equal(r.message_count, 1);
    JsonNode *m = sr_persistent_message(&r, 0);
    assert_int_equal(sr_hub_classify(m), SR_MESSAGE_HUB_INVOCATION);
    assert_null(sr_persistent_message(&r, 1));
    sr_persistent_clear(&r);
}

static void test_groups_token_after_groups_add(void **state)
{
    (void)state;
    sr_persistent_response r;
    assert_int_equal(parse("{\"C\":\"d-6A1F30C2-B,1|C,0|D,2\",\"G\":\"Wq...==\",\"M\":[]}", &r, NULL), SR_OK);
    assert_true(r.fields & SR_PERSISTENT_G);
    assert_string_equal(r.groups_token.data, "Wq...==");
    sr_persistent_clear(&r);
}

static void test_long_poll_with_shutdown_and_delay(void **state)
{
    (void)state;
    sr_persistent_response r;
    assert_int_equal(parse("{\"C\":\"d-6A1F30C2-B,1|C,0|D,2\",\"T\":1,\"M\":[]}", &r, NULL), SR_OK);
    assert_int_equal(r.timed_out, 1);
    sr_persistent_clear(&r);
    assert_int_equal(parse("{\"C\":\"d-6A1F30C2-B,1|C,0|D,2\",\"L\":5000,\"M\":[]}", &r, NULL), SR_OK);
    assert_true(r.fields & SR_PERSISTENT_L);
    assert_int_equal(r.long_poll_delay_ms, 5000);
    sr_persistent_clear(&r);
}

static void test_2_0_disconnect_command_in_key_order(void **state)
{
    (void)state;
    sr_persistent_response r;
    assert_int_equal(parse("{\"C\":\"d-1-B,2\",\"S\":1,\"D\":1,\"T\":1,\"G\":\"g\",\"L\":0,\"M\":[]}", &r, NULL), SR_OK);
    assert_int_equal(r.disconnect, 1);
    assert_int_equal(r.fields, SR_PERSISTENT_C | SR_PERSISTENT_S | SR_PERSISTENT_D | SR_PERSISTENT_T |
                                   SR_PERSISTENT_G | SR_PERSISTENT_L | SR_PERSISTENT_M);
    sr_persistent_clear(&r);
}

static void test_1_0_cursor_without_prefix(void **state)
{
    (void)state;
    sr_persistent_response r;
    assert_int_equal(parse("{\"C\":\"hub.Chat,3\",\"M\":[\"raw text\",42,null]}", &r, NULL), SR_OK);
    assert_int_equal(r.cursor.prefix, SR_CURSOR_PREFIX_NONE);
    assert_int_equal(r.message_count, 3);
    assert_int_equal(sr_hub_classify(sr_persistent_message(&r, 1)), SR_MESSAGE_PERSISTENT_PAYLOAD);
    sr_persistent_clear(&r);
}

static void test_bad_cursor_does_not_fail_the_envelope(void **state)
{
    (void)state;
    sr_persistent_response r;
    assert_int_equal(parse("{\"C\":\"d-ZZ-\",\"M\":[]}", &r, NULL), SR_OK);
    assert_int_equal(r.cursor_status, SR_ERR_BAD_CURSOR);
    assert_string_equal(r.cursor_text.data, "d-ZZ-");
    sr_persistent_clear(&r);
}

static void test_azure_error_envelope(void **state)
{
    (void)state;
    sr_persistent_response r;
    assert_int_equal(parse("{\"E\":\"Connection was closed by the service\"}", &r, NULL), SR_OK);
    assert_int_equal(r.fields, SR_PERSISTENT_E);
    assert_string_equal(r.error.data, "Connection was closed by the service");
    sr_persistent_clear(&r);
}

static void test_jsonp_wrapped_long_poll_response(void **state)
{
    (void)state;
    sr_persistent_response r;
    assert_int_equal(parse("jQuery3710_1718({\"C\":\"d-1-B,1\",\"M\":[]});", &r, NULL), SR_OK);
    assert_string_equal(r.jsonp_callback.data, "jQuery3710_1718");
    assert_string_equal(r.cursor_text.data, "d-1-B,1");
    sr_persistent_clear(&r);
    assert_int_equal(parse("cb({\"C\":\"d-1-B,1\",\"M\":[]})", &r, NULL), SR_OK);
    assert_string_equal(r.jsonp_callback.data, "cb");
    sr_persistent_clear(&r);
}

static void test_long_poll_body_with_keepalive_spaces(void **state)
{
    (void)state;
    sr_persistent_response r;
    assert_int_equal(parse("          {\"C\":\"d-1-B,1\",\"M\":[]}", &r, NULL), SR_OK);
    assert_string_equal(r.cursor_text.data, "d-1-B,1");
    sr_persistent_clear(&r);
}

static void assert_fails(const char *text, sr_status status, const char *field)
{
    sr_persistent_response r;
    sr_error err = {0};
    assert_int_equal(parse(text, &r, &err), status);
    if (field != NULL)
        assert_string_equal(err.field, field);
    sr_persistent_clear(&r);
}

static void test_wrong_types_and_values(void **state)
{
    (void)state;
    assert_fails("{\"C\":5,\"M\":[]}", SR_ERR_FIELD_TYPE, "C");
    assert_fails("{\"C\":\"x,1\",\"M\":{}}", SR_ERR_FIELD_TYPE, "M");
    assert_fails("{\"C\":\"x,1\",\"S\":true,\"M\":[]}", SR_ERR_FIELD_TYPE, "S");
    assert_fails("{\"C\":\"x,1\",\"S\":-1,\"M\":[]}", SR_ERR_FIELD_RANGE, "S");
    assert_fails("{\"C\":\"x,1\",\"L\":1e400,\"M\":[]}", SR_ERR_FIELD_RANGE, "L");
    assert_fails("{\"C\":\"x,1\",\"T\":99999999999999999999,\"M\":[]}", SR_ERR_FIELD_RANGE, "T");
    assert_fails("{\"I\":\"0\"}", SR_ERR_MISSING_FIELD, "M");
    assert_fails("{\"C\":\"d-1-B,1\",\"M\":[", SR_ERR_JSON_SYNTAX, NULL);
    assert_fails("cb({\"C\":\"d-1-B,1\",\"M\":[]}", SR_ERR_BAD_JSONP, NULL);
    assert_fails("[1,2]", SR_ERR_NOT_OBJECT, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_message_answers_connect),
        cmocka_unit_test(test_hub_invocation_inside_m),
        cmocka_unit_test(test_groups_token_after_groups_add),
        cmocka_unit_test(test_long_poll_with_shutdown_and_delay),
        cmocka_unit_test(test_2_0_disconnect_command_in_key_order),
        cmocka_unit_test(test_1_0_cursor_without_prefix),
        cmocka_unit_test(test_bad_cursor_does_not_fail_the_envelope),
        cmocka_unit_test(test_azure_error_envelope),
        cmocka_unit_test(test_jsonp_wrapped_long_poll_response),
        cmocka_unit_test(test_long_poll_body_with_keepalive_spaces),
        cmocka_unit_test(test_wrong_types_and_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
