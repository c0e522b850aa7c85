/* Percent-decoding and name=value splitting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "protocol/sr_urlcode.h"

static void assert_decodes(const char *in, sr_decode_mode mode, const char *expected, size_t expected_len)
{
    sr_string out = {0};
    assert_int_equal(sr_percent_decode(in, strlen(in), mode, &out, NULL), SR_OK);
    assert_int_equal(out.len, expected_len);
    assert_memory_equal(out.data, expected, expected_len);
    assert_int_equal(out.data[out.len], '\0');
    sr_string_clear(&out);
}

static void assert_bad_at(const char *in, size_t offset)
{
    sr_string out = {0};
    size_t bad = 0;
    assert_int_equal(sr_percent_decode(in, strlen(in), SR_DECODE_QUERY, &out, &bad), SR_ERR_BAD_PERCENT_ENCODING);
    assert_int_equal(bad, offset);
    assert_null(out.data);
}

static void test_query_mode_decodes_only_percent_escapes(void **state)
{
    (void)state;
    assert_decodes("Xq7%2BaB9%2fkL+Qw%3D%3D", SR_DECODE_QUERY, "Xq7+aB9/kL+Qw==", 15);
}

static void test_form_mode_turns_plus_into_space(void **state)
{
    (void)state;
    assert_decodes("hi+there%2B", SR_DECODE_FORM, "hi there+", 9);
}

static void test_percent_zero_zero_gives_an_embedded_nul(void **state)
{
    (void)state;
    assert_decodes("a%00b", SR_DECODE_QUERY, "a\0b", 3);
}

static void test_empty_value_decodes_to_empty_string(void **state)
{
    (void)state;
    assert_decodes("", SR_DECODE_QUERY, "", 0);
}

static void test_bad_escapes_report_the_percent_position(void **state)
{
    (void)state;
    assert_bad_at("%G1", 0);
    assert_bad_at("ab%4", 2);
    assert_bad_at("ab%", 2);
    assert_bad_at("%41%1G", 3);
}

static void test_pairs_are_split_skipping_empty_segments(void **state)
{
    (void)state;
    const char *q = "&&a=1&b&=2&c=x=y&";
    size_t pos = 0;
    sr_span name, value;
    const char *expect[][2] = {{"a", "1"}, {"b", ""}, {"", "2"}, {"c", "x=y"}};
    for (size_t i = 0; i < 4; i++) {
        assert_true(sr_urlencoded_next(q, strlen(q), &pos, &name, &value));
        assert_int_equal(name.len, strlen(expect[i][0]));
        assert_memory_equal(name.ptr, expect[i][0], name.len);
        assert_int_equal(value.len, strlen(expect[i][1]));
        assert_memory_equal(value.ptr, expect[i][1], value.len);
    }
    assert_false(sr_urlencoded_next(q, strlen(q), &pos, &name, &value));
}

static void test_names_compare_case_insensitively_after_decoding(void **state)
{
    (void)state;
    sr_span plain = {"CONNECTIONTOKEN", 15};
    sr_span encoded = {"connection%54oken", 17};
    sr_span other = {"connectionTokens", 16};
    assert_true(sr_urlencoded_name_is(plain, SR_DECODE_QUERY, "connectionToken"));
    assert_true(sr_urlencoded_name_is(encoded, SR_DECODE_QUERY, "connectionToken"));
    assert_false(sr_urlencoded_name_is(other, SR_DECODE_QUERY, "connectionToken"));
}

/* The decoder, one byte at a time as RFC 3986 states it: what the vector path must equal. */
static size_t reference_decode(const char *in, size_t len, sr_decode_mode mode, char *out,
                               unsigned *raw)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    *raw = 0;
    for (size_t i = 0; i < len; i++) {
        if (in[i] == '%') {
            const char *hi = i + 2 < len ? strchr(hex, g_ascii_tolower(in[i + 1])) : NULL;
            const char *lo = hi != NULL ? strchr(hex, g_ascii_tolower(in[i + 2])) : NULL;
            if (hi == NULL || lo == NULL || *hi == '\0' || *lo == '\0')
                return SIZE_MAX;
            out[o++] = (char)((hi - hex) * 16 + (lo - hex));
            i += 2;
            continue;
        }
        *raw |= in[i] == '+' ? SR_RAW_PLUS : in[i] == ';' ? SR_RAW_SEMICOLON : 0u;
        out[o++] = mode == SR_DECODE_FORM && in[i] == '+' ? ' ' : in[i];
    }
    return o;
}

static void assert_decode_into_matches_reference(const char *in, size_t len, sr_decode_mode mode)
{
    char got[128], want[128];
    unsigned got_raw = 0, want_raw = 0;
    size_t bad = SIZE_MAX;
    size_t n = sr_percent_decode_into(in, len, mode, got, &bad, &got_raw);
    size_t expected = reference_decode(in, len, mode, want, &want_raw);
    assert_int_equal(n, expected);
    if (n == SIZE_MAX)
        return;
    assert_memory_equal(got, want, n);
    assert_int_equal(got_raw, want_raw);
}

/* Every length around the sixteen-byte steps, with one special byte (or a broken escape) at
 * every position, and escapes packed back to back like connectionData's. */
static void test_decode_into_equals_byte_by_byte_decoding_at_every_position(void **state)
{
    (void)state;
    static const char *const specials[] = {"%41", "%2b", "+", ";", "%", "%4", "%G1", "%00"};
    char in[96];
    for (size_t len = 0; len <= 48; len++) {
        for (size_t s = 0; s < sizeof(specials) / sizeof(specials[0]); s++) {
            for (size_t at = 0; at <= len; at++) {
                memset(in, 'a' + (int)(len % 26), len);
                size_t n = strlen(specials[s]);
                size_t total = at + n <= len ? len : at + n;
                memcpy(in + at, specials[s], n);
                assert_decode_into_matches_reference(in, total, SR_DECODE_QUERY);
                assert_decode_into_matches_reference(in, total, SR_DECODE_FORM);
            }
        }
    }
    const char *dense = "%5B%7B%22name%22%3A%22chathub%22%7D%5D%5B%7B%22name%22%3A%22chathub%22%7D%5D";
    assert_decode_into_matches_reference(dense, strlen(dense), SR_DECODE_QUERY);
}

static void test_decode_into_reports_where_a_long_value_breaks(void **state)
{
    (void)state;
    const char *in = "abcdefghijklmnopqrstuvwxyz0123456789%zz";
    char out[64];
    size_t bad = 0;
    assert_int_equal(sr_percent_decode_into(in, strlen(in), SR_DECODE_QUERY, out, &bad, NULL),
                     SIZE_MAX);
    assert_int_equal(bad, 36);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_mode_decodes_only_percent_escapes),
        cmocka_unit_test(test_form_mode_turns_plus_into_space),
        cmocka_unit_test(test_percent_zero_zero_gives_an_embedded_nul),
        cmocka_unit_test(test_empty_value_decodes_to_empty_string),
        cmocka_unit_test(test_bad_escapes_report_the_percent_position),
        cmocka_unit_test(test_pairs_are_split_skipping_empty_segments),
        cmocka_unit_test(test_names_compare_case_insensitively_after_decoding),
        cmocka_unit_test(test_decode_into_equals_byte_by_byte_decoding_at_every_position),
        cmocka_unit_test(test_decode_into_reports_where_a_long_value_breaks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
