/* The JSON gate: hostile text never reaches json-glib in a form it mishandles. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <math.h>
#include <string.h>

#include "protocol/sr_json.h"

static sr_status parse_text(const char *text, size_t len, JsonNode **root, sr_error *err)
{
    return sr_json_parse(text, len, root, err);
}

static double member_number(JsonNode *root, const char *key)
{
    double d = 0;
    assert_true(sr_json_node_number(json_object_get_member(json_node_get_object(root), key), &d));
    return d;
}

static void test_integer_beyond_int64_reads_as_double_not_wrapped(void **state)
{
    (void)state;
    const char *text = "{\"a\":99999999999999999999,\"b\":-9223372036854775809,\"c\":9223372036854775807,\"s\":\"1234567890123456789012\"}";
    JsonNode *root;
    assert_int_equal(parse_text(text, strlen(text), &root, NULL), SR_OK);
    assert_true(member_number(root, "a") > 9.9e19);
    assert_true(member_number(root, "b") < -9.2e18);
    JsonNode *c = json_object_get_member(json_node_get_object(root), "c");
    assert_int_equal(json_node_get_value_type(c), G_TYPE_INT64);
    assert_true(json_node_get_int(c) == INT64_MAX);
    assert_string_equal(json_object_get_string_member(json_node_get_object(root), "s"), "1234567890123456789012");
    json_node_unref(root);
}

static void test_huge_exponent_is_parsed_as_infinity(void **state)
{
    (void)state;
    const char *text = "{\"a\":1e400}";
    JsonNode *root;
    assert_int_equal(parse_text(text, strlen(text), &root, NULL), SR_OK);
    assert_true(isinf(member_number(root, "a")));
    json_node_unref(root);
}

static void test_nan_literal_is_a_syntax_error(void **state)
{
    (void)state;
    JsonNode *root;
    assert_int_equal(parse_text("{\"a\":NaN}", 9, &root, NULL), SR_ERR_JSON_SYNTAX);
    assert_null(root);
}

static void test_deep_nesting_is_refused_before_parsing(void **state)
{
    (void)state;
    size_t depth = 100000;
    char *text = g_malloc(depth * 2);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    JsonNode *root;
    sr_error err = {0};
    assert_int_equal(parse_text(text, depth * 2, &root, &err), SR_ERR_JSON_TOO_DEEP);
    assert_int_equal(err.offset, SR_JSON_MAX_DEPTH);
    g_free(text);
}

static void test_nesting_at_the_limit_is_accepted(void **state)
{
    (void)state;
    char text[SR_JSON_MAX_DEPTH * 2];
    memset(text, '[', SR_JSON_MAX_DEPTH);
    memset(text + SR_JSON_MAX_DEPTH, ']', SR_JSON_MAX_DEPTH);
    JsonNode *root;
    assert_int_equal(parse_text(text, sizeof(text), &root, NULL), SR_OK);
    json_node_unref(root);
}

static void test_brackets_inside_strings_do_not_count_as_depth(void **state)
{
    (void)state;
    GString *text = g_string_new("[\"");
    for (int i = 0; i < 1000; i++)
        g_string_append(text, "[{\\\"");
    g_string_append(text, "\"]");
    JsonNode *root;
    assert_int_equal(parse_text(text->str, text->len, &root, NULL), SR_OK);
    json_node_unref(root);
    g_string_free(text, TRUE);
}

static void test_lenient_syntax_that_could_hide_nesting_is_refused(void **state)
{
    (void)state;
    JsonNode *root;
    assert_int_equal(parse_text("['\"', [[1]]]", 12, &root, NULL), SR_ERR_JSON_SYNTAX);
    assert_int_equal(parse_text("/* \" */ [1]", 11, &root, NULL), SR_ERR_JSON_SYNTAX);
    assert_int_equal(parse_text("{'a':1}", 7, &root, NULL), SR_ERR_JSON_SYNTAX);
    assert_int_equal(parse_text("{\"a\":0xFFFFFFFFFFFFFFFFFFFF}", 28, &root, NULL), SR_ERR_JSON_SYNTAX);
}

static void test_embedded_nul_and_invalid_utf8_are_refused(void **state)
{
    (void)state;
    JsonNode *root;
    sr_error err = {0};
    assert_int_equal(parse_text("{\"a\":1}\0junk", 12, &root, &err), SR_ERR_EMBEDDED_NUL);
    assert_int_equal(err.offset, 7);
    assert_int_equal(parse_text("{\"a\":\"\xff\"}", 8, &root, &err), SR_ERR_INVALID_UTF8);
    assert_int_equal(err.offset, 6);
}

static void test_empty_and_truncated_text(void **state)
{
    (void)state;
    JsonNode *root;
    assert_int_equal(parse_text("", 0, &root, NULL), SR_ERR_EMPTY);
    assert_int_equal(parse_text("   ", 3, &root, NULL), SR_ERR_EMPTY);
    assert_int_equal(parse_text("{\"C\":\"d-1-", 10, &root, NULL), SR_ERR_JSON_SYNTAX);
    assert_int_equal(parse_text("{\"a\":1} x", 9, &root, NULL), SR_ERR_JSON_SYNTAX);
}

static void test_typed_readers_name_the_field(void **state)
{
    (void)state;
    const char *text = "{\"s\":1,\"n\":\"x\",\"b\":null,\"u\":-1,\"f\":2.5,\"ok\":3.0}";
    JsonNode *root;
    assert_int_equal(parse_text(text, strlen(text), &root, NULL), SR_OK);
    JsonObject *obj = json_node_get_object(root);
    sr_field_state st;
    sr_error err = {0};
    sr_string s = {0};
    double d;
    uint64_t u;
    bool b;
    assert_int_equal(sr_json_get_string(obj, "s", false, &s, &st, &err), SR_ERR_FIELD_TYPE);
    assert_string_equal(err.field, "s");
    assert_int_equal(sr_json_get_number(obj, "n", false, &d, &st, &err), SR_ERR_FIELD_TYPE);
    assert_int_equal(sr_json_get_bool(obj, "b", &b, &st, &err), SR_ERR_FIELD_TYPE);
    assert_int_equal(st, SR_FIELD_NULL);
    assert_int_equal(sr_json_get_uint(obj, "u", UINT64_MAX, &u, &st, &err), SR_ERR_FIELD_RANGE);
    assert_int_equal(sr_json_get_uint(obj, "f", UINT64_MAX, &u, &st, &err), SR_ERR_FIELD_RANGE);
    assert_int_equal(sr_json_get_uint(obj, "ok", UINT64_MAX, &u, &st, &err), SR_OK);
    assert_int_equal(u, 3);
    assert_int_equal(sr_json_get_string(obj, "missing", false, &s, &st, &err), SR_OK);
    assert_int_equal(st, SR_FIELD_ABSENT);
    json_node_unref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_integer_beyond_int64_reads_as_double_not_wrapped),
        cmocka_unit_test(test_huge_exponent_is_parsed_as_infinity),
        cmocka_unit_test(test_nan_literal_is_a_syntax_error),
        cmocka_unit_test(test_deep_nesting_is_refused_before_parsing),
        cmocka_unit_test(test_nesting_at_the_limit_is_accepted),
        cmocka_unit_test(test_brackets_inside_strings_do_not_count_as_depth),
        cmocka_unit_test(test_lenient_syntax_that_could_hide_nesting_is_refused),
        cmocka_unit_test(test_embedded_nul_and_invalid_utf8_are_refused),
        cmocka_unit_test(test_empty_and_truncated_text),
        cmocka_unit_test(test_typed_readers_name_the_field),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
