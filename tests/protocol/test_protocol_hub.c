/* Hub payloads and the sec. 7 discrimination rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "protocol/sr_hub.h"
#include "protocol/sr_json.h"

static JsonNode *json(const char *text)
{
    JsonNode *root;
    assert_int_equal(sr_json_parse(text, strlen(text), &root, NULL), SR_OK);
    return root;
}

static sr_message_kind classify(const char *text)
{
    JsonNode *root = json(text);
    sr_message_kind kind = sr_hub_classify(root);
    json_node_unref(root);
    return kind;
}

static void test_discrimination_rule_of_section_7(void **state)
{
    (void)state;
    assert_int_equal(classify("{\"I\":\"P|4\",\"P\":{\"I\":\"4\",\"D\":50}}"), SR_MESSAGE_HUB_PROGRESS);
    assert_int_equal(classify("{\"I\":\"0\"}"), SR_MESSAGE_HUB_RESULT);
    assert_int_equal(classify("{\"R\":42,\"I\":\"1\"}"), SR_MESSAGE_HUB_RESULT);
    assert_int_equal(classify("{\"I\":\"3\",\"H\":true,\"E\":\"not allowed\",\"D\":{\"code\":7}}"), SR_MESSAGE_HUB_RESULT);
    assert_int_equal(classify("{\"H\":\"ChatHub\",\"M\":\"addMessage\",\"A\":[\"ann\",\"hi\"]}"), SR_MESSAGE_HUB_INVOCATION);
    assert_int_equal(classify("{\"H\":\"chathub\",\"M\":\"Send\",\"A\":[],\"I\":0}"), SR_MESSAGE_HUB_INVOCATION);
    assert_int_equal(classify("{\"type\":\"chat\",\"text\":\"hi\"}"), SR_MESSAGE_PERSISTENT_PAYLOAD);
    assert_int_equal(classify("\"just a string\""), SR_MESSAGE_PERSISTENT_PAYLOAD);
    assert_int_equal(classify("[1,2]"), SR_MESSAGE_PERSISTENT_PAYLOAD);
    assert_int_equal(sr_hub_classify(NULL), SR_MESSAGE_PERSISTENT_PAYLOAD);
    assert_string_equal(sr_message_kind_name(SR_MESSAGE_HUB_RESULT), "hub-result");
}

static void test_client_invocation_from_send_body(void **state)
{
    (void)state;
    const char *text = "{\"H\":\"chathub\",\"M\":\"Send\",\"A\":[\"ann\",\"hi there\"],\"I\":0}";
    sr_hub_invocation inv;
    assert_int_equal(sr_hub_invocation_parse(text, strlen(text), &inv, NULL), SR_OK);
    assert_string_equal(inv.hub.data, "chathub");
    assert_string_equal(inv.method.data, "Send");
    assert_string_equal(inv.invocation_id.data, "0");
    assert_int_equal(inv.arg_count, 2);
    assert_string_equal(json_array_get_string_element(json_node_get_array(inv.args), 1), "hi there");
    assert_null(inv.state);
    sr_hub_invocation_clear(&inv);
}

static void test_client_invocation_with_state(void **state)
{
    (void)state;
    const char *text = "{\"H\":\"chathub\",\"M\":\"Join\",\"A\":[],\"I\":17,\"S\":{\"room\":\"a\"}}";
    sr_hub_invocation inv;
    assert_int_equal(sr_hub_invocation_parse(text, strlen(text), &inv, NULL), SR_OK);
    assert_string_equal(inv.invocation_id.data, "17");
    assert_non_null(inv.state);
    assert_true(JSON_NODE_HOLDS_OBJECT(inv.state));
    sr_hub_invocation_clear(&inv);
}

static void test_server_invocation_has_no_id(void **state)
{
    (void)state;
    JsonNode *root = json("{\"H\":\"ChatHub\",\"M\":\"addMessage\",\"A\":[\"ann\",\"hi\"]}");
    sr_hub_invocation inv;
    assert_int_equal(sr_hub_invocation_from_node(root, &inv, NULL), SR_OK);
    json_node_unref(root);
    assert_string_equal(inv.hub.data, "ChatHub");
    assert_null(inv.invocation_id.data);
    assert_int_equal(inv.arg_count, 2);
    sr_hub_invocation_clear(&inv);
}

static void test_invalid_invocations(void **state)
{
    (void)state;
    sr_hub_invocation inv;
    sr_error err = {0};
    const char *no_method = "{\"H\":\"chathub\",\"A\":[]}";
    assert_int_equal(sr_hub_invocation_parse(no_method, strlen(no_method), &inv, &err), SR_ERR_MISSING_FIELD);
    assert_string_equal(err.field, "M");
    sr_hub_invocation_clear(&inv);
    const char *args_object = "{\"H\":\"chathub\",\"M\":\"Send\",\"A\":{}}";
    assert_int_equal(sr_hub_invocation_parse(args_object, strlen(args_object), &inv, &err), SR_ERR_FIELD_TYPE);
    assert_string_equal(err.field, "A");
    sr_hub_invocation_clear(&inv);
    const char *float_id = "{\"H\":\"chathub\",\"M\":\"Send\",\"I\":1.5}";
    assert_int_equal(sr_hub_invocation_parse(float_id, strlen(float_id), &inv, &err), SR_ERR_FIELD_TYPE);
    assert_string_equal(err.field, "I");
    sr_hub_invocation_clear(&inv);
    const char *huge_id = "{\"H\":\"chathub\",\"M\":\"Send\",\"I\":1e400}";
    assert_int_equal(sr_hub_invocation_parse(huge_id, strlen(huge_id), &inv, &err), SR_ERR_FIELD_TYPE);
    sr_hub_invocation_clear(&inv);
}

static void test_hub_results_of_section_7(void **state)
{
    (void)state;
    sr_hub_result res;
    const char *plain = "{\"I\":\"0\"}";
    assert_int_equal(sr_hub_result_parse(plain, strlen(plain), &res, NULL), SR_OK);
    assert_string_equal(res.invocation_id.data, "0");
    assert_int_equal(res.fields, 0);
    sr_hub_result_clear(&res);

    const char *value = "{\"R\":42,\"I\":\"1\"}";
    assert_int_equal(sr_hub_result_parse(value, strlen(value), &res, NULL), SR_OK);
    assert_int_equal(res.fields, SR_HUB_RESULT_R);
    assert_int_equal(json_node_get_int(res.result), 42);
    sr_hub_result_clear(&res);

    const char *error = "{\"I\":\"2\",\"E\":\"There was an error invoking Hub method 'chathub.Fail'.\"}";
    assert_int_equal(sr_hub_result_parse(error, strlen(error), &res, NULL), SR_OK);
    assert_string_equal(res.error.data, "There was an error invoking Hub method 'chathub.Fail'.");
    assert_false(res.is_hub_exception);
    sr_hub_result_clear(&res);

    const char *hub_exception = "{\"I\":\"3\",\"H\":true,\"E\":\"not allowed\",\"D\":{\"code\":7}}";
    assert_int_equal(sr_hub_result_parse(hub_exception, strlen(hub_exception), &res, NULL), SR_OK);
    assert_true(res.is_hub_exception);
    assert_int_equal(res.fields, SR_HUB_RESULT_H | SR_HUB_RESULT_E | SR_HUB_RESULT_D);
    assert_int_equal(json_object_get_int_member(json_node_get_object(res.error_data), "code"), 7);
    sr_hub_result_clear(&res);
}

static void test_null_return_value_is_present(void **state)
{
    (void)state;
    sr_hub_result res;
    const char *text = "{\"S\":{\"n\":1},\"R\":null,\"I\":\"5\",\"T\":\"at Foo()\"}";
    assert_int_equal(sr_hub_result_parse(text, strlen(text), &res, NULL), SR_OK);
    assert_int_equal(res.fields, SR_HUB_RESULT_R | SR_HUB_RESULT_S | SR_HUB_RESULT_T);
    assert_true(JSON_NODE_HOLDS_NULL(res.result));
    assert_string_equal(res.stack_trace.data, "at Foo()");
    sr_hub_result_clear(&res);
}

static void test_invalid_hub_results(void **state)
{
    (void)state;
    sr_hub_result res;
    sr_error err = {0};
    const char *no_id = "{\"R\":1}";
    assert_int_equal(sr_hub_result_parse(no_id, strlen(no_id), &res, &err), SR_ERR_MISSING_FIELD);
    assert_string_equal(err.field, "I");
    sr_hub_result_clear(&res);
    const char *bad_h = "{\"I\":\"1\",\"H\":\"yes\"}";
    assert_int_equal(sr_hub_result_parse(bad_h, strlen(bad_h), &res, &err), SR_ERR_FIELD_TYPE);
    assert_string_equal(err.field, "H");
    sr_hub_result_clear(&res);
    const char *truncated = "{\"I\":\"1\",\"R\":";
    assert_int_equal(sr_hub_result_parse(truncated, strlen(truncated), &res, &err), SR_ERR_JSON_SYNTAX);
    sr_hub_result_clear(&res);
}

static void test_progress_update(void **state)
{
    (void)state;
    JsonNode *root = json("{\"I\":\"P|4\",\"P\":{\"I\":\"4\",\"D\":50}}");
    sr_hub_progress prog;
    assert_int_equal(sr_hub_progress_from_node(root, &prog, NULL), SR_OK);
    json_node_unref(root);
    assert_string_equal(prog.message_id.data, "P|4");
    assert_string_equal(prog.invocation_id.data, "4");
    assert_int_equal(json_node_get_int(prog.data), 50);
    sr_hub_progress_clear(&prog);
}

static void test_progress_without_object_p(void **state)
{
    (void)state;
    JsonNode *root = json("{\"I\":\"P|4\",\"P\":7}");
    sr_hub_progress prog;
    sr_error err = {0};
    assert_int_equal(sr_hub_progress_from_node(root, &prog, &err), SR_ERR_FIELD_TYPE);
    assert_string_equal(err.field, "P");
    json_node_unref(root);
    sr_hub_progress_clear(&prog);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discrimination_rule_of_section_7),
        cmocka_unit_test(test_client_invocation_from_send_body),
        cmocka_unit_test(test_client_invocation_with_state),
        cmocka_unit_test(test_server_invocation_has_no_id),
        cmocka_unit_test(test_invalid_invocations),
        cmocka_unit_test(test_hub_results_of_section_7),
        cmocka_unit_test(test_null_return_value_is_present),
        cmocka_unit_test(test_invalid_hub_results),
        cmocka_unit_test(test_progress_update),
        cmocka_unit_test(test_progress_without_object_p),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
