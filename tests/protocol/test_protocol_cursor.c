/* Message cursors (wire reference sec. 6.2, 6.3). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "protocol/sr_cursor.h"

static sr_status parse(const char *text, sr_cursor *c, sr_error *err)
{
    return sr_cursor_parse(text, strlen(text), c, err);
}

static void assert_entry(const sr_cursor *c, size_t i, const char *key, uint64_t id)
{
    assert_true(i < c->count);
    assert_int_equal(c->entries[i].key.len, strlen(key));
    assert_memory_equal(c->entries[i].key.data, key, strlen(key));
    assert_int_equal(c->entries[i].id, id);
}

static void test_init_cursor_of_a_hub_connection(void **state)
{
    (void)state;
    sr_cursor c;
    assert_int_equal(parse("d-6A1F30C2-B,0|C,0|D,1", &c, NULL), SR_OK);
    assert_int_equal(c.prefix, SR_CURSOR_PREFIX_D);
    assert_int_equal(c.prefix_id, 0x6A1F30C2u);
    assert_int_equal(c.count, 3);
    assert_entry(&c, 0, "B", 0);
    assert_entry(&c, 1, "C", 0);
    assert_entry(&c, 2, "D", 1);
    sr_cursor_clear(&c);
}

static void test_published_cursor_from_a_real_deployment(void **state)
{
    (void)state;
    sr_cursor c;
    assert_int_equal(parse("d-3C9B641A-B,F4928|ECX,0|ECY,1", &c, NULL), SR_OK);
    assert_int_equal(c.prefix_id, 0x3C9B641Au);
    assert_entry(&c, 0, "B", 0xF4928);
    assert_entry(&c, 1, "ECX", 0);
    assert_entry(&c, 2, "ECY", 1);
    sr_cursor_clear(&c);
}

static void test_scale_out_cursor_has_s_prefix_and_decimal_keys(void **state)
{
    (void)state;
    sr_cursor c;
    assert_int_equal(parse("s-0,1A|1,FFFFFFFFFFFFFFFF", &c, NULL), SR_OK);
    assert_int_equal(c.prefix, SR_CURSOR_PREFIX_S);
    assert_entry(&c, 0, "0", 0x1A);
    assert_entry(&c, 1, "1", UINT64_MAX);
    sr_cursor_clear(&c);
}

static void test_1_0_cursor_has_no_prefix(void **state)
{
    (void)state;
    sr_cursor c;
    assert_int_equal(parse("hub.ChatHub,4|connection:7f3c,2", &c, NULL), SR_OK);
    assert_int_equal(c.prefix, SR_CURSOR_PREFIX_NONE);
    assert_entry(&c, 0, "hub.ChatHub", 4);
    assert_entry(&c, 1, "connection:7f3c", 2);
    sr_cursor_clear(&c);
}

static void test_escaped_separators_inside_keys(void **state)
{
    (void)state;
    sr_cursor c;
    assert_int_equal(parse("d-1-a\\,b\\|c\\\\d,5", &c, NULL), SR_OK);
    assert_entry(&c, 0, "a,b|c\\d", 5);
    sr_cursor_clear(&c);
}

static void test_same_origin_follows_the_d_prefix(void **state)
{
    (void)state;
    sr_cursor a, b, c;
    assert_int_equal(parse("d-6A1F30C2-B,0|C,0|D,1", &a, NULL), SR_OK);
    assert_int_equal(parse("d-6A1F30C2-B,1|C,0|D,2", &b, NULL), SR_OK);
    assert_int_equal(parse("d-11-B,0", &c, NULL), SR_OK);
    assert_true(sr_cursor_same_origin(&a, &b));
    assert_false(sr_cursor_same_origin(&a, &c));
    sr_cursor_clear(&a);
    sr_cursor_clear(&b);
    sr_cursor_clear(&c);
}

static void assert_prefix_text(const char *cursor, const char *expected)
{
    sr_span span = sr_cursor_prefix_text(cursor, strlen(cursor));
    if (expected == NULL) {
        assert_null(span.ptr);
        return;
    }
    assert_ptr_equal(span.ptr, cursor);
    assert_int_equal(span.len, strlen(expected));
    assert_memory_equal(span.ptr, expected, span.len);
}

static void test_prefix_text_is_a_span_into_the_cursor(void **state)
{
    (void)state;
    assert_prefix_text("d-6A1F30C2-B,0|C,0|D,1", "d-6A1F30C2-");
    assert_prefix_text("s-0,1A", "s-");
    assert_prefix_text("hub.Chat,3", NULL);
    assert_prefix_text("d-XYZ-B,0", NULL);
    assert_prefix_text("d-", NULL);
}

static void assert_bad(const char *text, size_t offset)
{
    sr_cursor c;
    sr_error err = {0};
    assert_int_equal(parse(text, &c, &err), SR_ERR_BAD_CURSOR);
    assert_int_equal(err.offset, offset);
    sr_cursor_clear(&c);
}

static void test_malformed_cursors_report_the_offset(void **state)
{
    (void)state;
    assert_bad("d-6A1F30C2B,0", 10);        /* prefix not closed by '-' */
    assert_bad("d-123456789-B,0", 10);      /* more than 8 prefix digits */
    assert_bad("d--B,0", 2);                /* no prefix digits */
    assert_bad("d-1-B", 5);                 /* key without id */
    assert_bad("d-1-B,", 6);                /* empty id */
    assert_bad("d-1-B,0|", 8);              /* trailing separator */
    assert_bad("d-1-B,0G", 7);              /* id followed by junk */
    assert_bad("s-1,10000000000000000", 4); /* id wider than a ulong */
    assert_bad("d-1-B\\", 6);               /* dangling escape */
}

static void test_empty_cursor_has_no_entries(void **state)
{
    (void)state;
    sr_cursor c;
    assert_int_equal(sr_cursor_parse("", 0, &c, NULL), SR_OK);
    assert_int_equal(c.count, 0);
    sr_cursor_clear(&c);
}

static void test_many_entries_parse_in_linear_time(void **state)
{
    (void)state;
    GString *text = g_string_new("d-ABCDEF01-");
    for (int i = 0; i < 100000; i++)
        g_string_append_printf(text, "%sK%d,%X", i ? "|" : "", i, i);
    sr_cursor c;
    assert_int_equal(sr_cursor_parse(text->str, text->len, &c, NULL), SR_OK);
    assert_int_equal(c.count, 100000);
    assert_entry(&c, 99999, "K99999", 99999);
    sr_cursor_clear(&c);
    g_string_free(text, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_cursor_of_a_hub_connection),
        cmocka_unit_test(test_published_cursor_from_a_real_deployment),
        cmocka_unit_test(test_scale_out_cursor_has_s_prefix_and_decimal_keys),
        cmocka_unit_test(test_1_0_cursor_has_no_prefix),
        cmocka_unit_test(test_escaped_separators_inside_keys),
        cmocka_unit_test(test_same_origin_follows_the_d_prefix),
        cmocka_unit_test(test_prefix_text_is_a_span_into_the_cursor),
        cmocka_unit_test(test_malformed_cursors_report_the_offset),
        cmocka_unit_test(test_empty_cursor_has_no_entries),
        cmocka_unit_test(test_many_entries_parse_in_linear_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
