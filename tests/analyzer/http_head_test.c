/* http_head_test.c - the head parser's return protocol and field handling. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "http/http_framing.h"
#include "http/http_head.h"

#define PARSE(text, is_request, head, slots)                                                       \
    http_head_parse((text), strlen(text), (is_request), (head), (slots),                           \
                    sizeof(slots) / sizeof((slots)[0]))

static void test_head_request_line_and_fields_with_trimmed_values(void **state)
{
    (void)state;
    static const char text[] = "GET /signalr/negotiate?clientProtocol=2.1 HTTP/1.1\r\n"
                               "Host:   example.org  \r\nX-Empty:\r\n\r\nbody";
    http_header slots[8];
    http_head head;
    assert_int_equal(PARSE(text, true, &head, slots), strlen(text) - 4);
    assert_int_equal(head.method_len, 3);
    assert_memory_equal(head.method, "GET", 3);
    assert_int_equal(head.target_len, strlen("/signalr/negotiate?clientProtocol=2.1"));
    assert_int_equal(head.version_minor, 1);
    assert_int_equal(head.header_count, 2);
    const http_header *host = http_head_find(&head, "HOST");
    assert_non_null(host);
    assert_int_equal(host->value_len, 11);
    assert_memory_equal(host->value, "example.org", 11);
    assert_int_equal(http_head_find(&head, "X-Empty")->value_len, 0);
    assert_null(http_head_find(&head, "Cookie"));
}

/* Targets and values are scanned in bulk up to the line's space or CR/LF; a stray control byte
 * inside still ends them where a byte-by-byte scan would. */
static void test_head_control_bytes_inside_target_or_value_are_malformed(void **state)
{
    (void)state;
    http_header slots[4];
    http_head head;
    assert_int_equal(PARSE("GET /a\tb HTTP/1.1\r\n\r\n", true, &head, slots), HTTP_HEAD_ERROR);
    assert_int_equal(PARSE("GET /a\x7f HTTP/1.1\r\n\r\n", true, &head, slots), HTTP_HEAD_ERROR);
    assert_int_equal(PARSE("GET /a HTTP/1.1\r\nX: a\x01" "b\r\n\r\n", true, &head, slots),
                     HTTP_HEAD_ERROR);
    assert_int_equal(PARSE("GET /a HTTP/1.1\r\nX: a\rb\r\n\r\n", true, &head, slots),
                     HTTP_HEAD_ERROR);
}

static void test_head_value_keeps_inner_tabs_and_del_and_drops_trailing_blanks(void **state)
{
    (void)state;
    static const char text[] = "GET /a%20b HTTP/1.1\r\nX: a\tb\x7f c \t\r\nY:z\n\r\n";
    http_header slots[4];
    http_head head;
    assert_int_equal(PARSE(text, true, &head, slots), strlen(text));
    assert_int_equal(head.target_len, strlen("/a%20b"));
    const http_header *x = http_head_find(&head, "x");
    assert_non_null(x);
    assert_int_equal(x->value_len, strlen("a\tb\x7f c"));
    assert_memory_equal(x->value, "a\tb\x7f c", x->value_len);
    assert_int_equal(http_head_find(&head, "Y")->value_len, 1);
}

static void test_head_status_line_with_bare_lf_line_endings(void **state)
{
    (void)state;
    static const char text[] = "HTTP/1.0 304 Not Modified\nETag: x\n\n";
    http_header slots[4];
    http_head head;
    assert_int_equal(PARSE(text, false, &head, slots), strlen(text));
    assert_int_equal(head.status, 304);
    assert_int_equal(head.version_minor, 0);
    assert_int_equal(head.reason_len, strlen("Not Modified"));
}

static void test_head_incomplete_until_blank_line(void **state)
{
    (void)state;
    http_header slots[4];
    http_head head;
    assert_int_equal(PARSE("GET / HTTP/1.1\r\nHost: a\r\n", true, &head, slots),
                     HTTP_HEAD_INCOMPLETE);
    assert_int_equal(PARSE("GET / HTTP/1.1\r\nHost: a\r\n\r", true, &head, slots),
                     HTTP_HEAD_INCOMPLETE);
}

static void test_head_leading_empty_lines_are_skipped(void **state)
{
    (void)state;
    static const char text[] = "\r\n\r\nPOST /x HTTP/1.1\r\n\r\n";
    http_header slots[4];
    http_head head;
    assert_int_equal(PARSE(text, true, &head, slots), strlen(text));
    assert_memory_equal(head.method, "POST", 4);
}

static void test_head_malformed_lines_are_errors(void **state)
{
    (void)state;
    http_header slots[4];
    http_head head;
    assert_int_equal(PARSE("GET /x HTTP/2.0\r\n\r\n", true, &head, slots), HTTP_HEAD_ERROR);
    assert_int_equal(PARSE("GET  /x HTTP/1.1\r\n\r\n", true, &head, slots), HTTP_HEAD_ERROR);
    assert_int_equal(PARSE("HTTP/1.1 2x0 OK\r\n\r\n", false, &head, slots), HTTP_HEAD_ERROR);
    assert_int_equal(PARSE("GET / HTTP/1.1\r\nNo colon here\r\n\r\n", true, &head, slots),
                     HTTP_HEAD_ERROR);
    assert_int_equal(PARSE("GET / HTTP/1.1\r\nBad Name: v\r\n\r\n", true, &head, slots),
                     HTTP_HEAD_ERROR);
}

static void test_head_more_fields_than_slots(void **state)
{
    (void)state;
    http_header slots[2];
    http_head head;
    assert_int_equal(PARSE("GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", true, &head, slots),
                     HTTP_HEAD_TOO_MANY);
}

static void test_head_folded_continuation_line_is_skipped(void **state)
{
    (void)state;
    static const char text[] = "GET / HTTP/1.1\r\nX-Long: one\r\n  two\r\nHost: h\r\n\r\n";
    http_header slots[4];
    http_head head;
    assert_int_equal(PARSE(text, true, &head, slots), strlen(text));
    assert_int_equal(head.header_count, 2);
    assert_non_null(http_head_find(&head, "Host"));
}

static void test_value_token_lists(void **state)
{
    (void)state;
    static const char te[] = "gzip, Chunked";
    assert_true(http_value_has_token(te, strlen(te), "chunked"));
    static const char conn[] = "keep-alive,Upgrade";
    assert_true(http_value_has_token(conn, strlen(conn), "upgrade"));
    static const char near[] = "chunkedx";
    assert_false(http_value_has_token(near, strlen(near), "chunked"));
}

static void test_content_length_values(void **state)
{
    (void)state;
    uint64_t n = 0;
    assert_true(http_parse_content_length("9007199254740992", 16, &n));
    assert_true(n == HTTP_MAX_DECLARED_LENGTH);
    assert_false(http_parse_content_length("9007199254740993", 16, &n));
    assert_false(http_parse_content_length("99999999999999999999999", 23, &n));
    assert_false(http_parse_content_length("-1", 2, &n));
    assert_false(http_parse_content_length("1 2", 3, &n));
    assert_false(http_parse_content_length("", 0, &n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_request_line_and_fields_with_trimmed_values),
        cmocka_unit_test(test_head_status_line_with_bare_lf_line_endings),
        cmocka_unit_test(test_head_control_bytes_inside_target_or_value_are_malformed),
        cmocka_unit_test(test_head_value_keeps_inner_tabs_and_del_and_drops_trailing_blanks),
        cmocka_unit_test(test_head_incomplete_until_blank_line),
        cmocka_unit_test(test_head_leading_empty_lines_are_skipped),
        cmocka_unit_test(test_head_malformed_lines_are_errors),
        cmocka_unit_test(test_head_more_fields_than_slots),
        cmocka_unit_test(test_head_folded_continuation_line_is_skipped),
        cmocka_unit_test(test_value_token_lists),
        cmocka_unit_test(test_content_length_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
