/* http_head_test.c - the head parser's return protocol and field handling. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
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

/* Names of the indexed fields, in http_known_field order. */
static const char *const KNOWN_FIELD_NAMES[HTTP_KNOWN_FIELDS] = {
    "Content-Length", "Transfer-Encoding", "Content-Encoding",         "Content-Type",
    "Upgrade",        "Connection",        "Host",                     "User-Agent",
    "X-Requested-With", "Accept",          "Cookie",                   "Authorization",
    "Sec-WebSocket-Key", "Sec-WebSocket-Accept", "Sec-WebSocket-Extensions",
};

static void assert_index_matches_find(const http_head *head)
{
    for (int id = 0; id < HTTP_KNOWN_FIELDS; id++)
        assert_ptr_equal(head->known[id], http_head_find(head, KNOWN_FIELD_NAMES[id]));
}

static void test_head_index_finds_known_fields_in_any_case_first_one_wins(void **state)
{
    (void)state;
    static const char text[] = "HTTP/1.1 101 Switching Protocols\r\n"
                               "UPGRADE: websocket\r\n"
                               "connection: Upgrade\r\n"
                               "sec-websocket-accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                               "Sec-WebSocket-Extensions: permessage-deflate\r\n"
                               "Upgrade: h2c\r\n"
                               "content-length: 0\r\n"
                               "Content-Length: 0\r\n\r\n";
    http_header slots[16];
    http_head head;
    assert_int_equal(PARSE(text, false, &head, slots), strlen(text));
    assert_index_matches_find(&head);
    assert_memory_equal(head.known[HTTP_F_UPGRADE]->value, "websocket", 9);
    assert_int_equal(head.content_length_fields, 2);
    assert_null(head.known[HTTP_F_HOST]);
}

/* Same lengths and first letters as known names, one byte off: none may be taken for them. */
static void test_head_index_ignores_near_miss_names(void **state)
{
    (void)state;
    static const char text[] = "GET / HTTP/1.1\r\n"
                               "Hosts: a\r\nHost-: b\r\nHist: c\r\nCookiE2: d\r\nAccepT: e\r\n"
                               "Cookie: f\r\nX-Requested-Wiht: g\r\nContent-Encodinh: h\r\n"
                               "Transfer-Encodinf: i\r\nSec-WebSocket-Kez: j\r\n"
                               "Sec-WebSocket-Extension5: k\r\nAuthorizatio-: l\r\n"
                               "Content_Length: m\r\nUser-Agen: n\r\nConnectioN: o\r\n\r\n";
    http_header slots[32];
    http_head head;
    assert_int_equal(PARSE(text, true, &head, slots), strlen(text));
    assert_index_matches_find(&head);
    assert_non_null(head.known[HTTP_F_COOKIE]);
    assert_non_null(head.known[HTTP_F_ACCEPT]);
    assert_non_null(head.known[HTTP_F_CONNECTION]);
    assert_null(head.known[HTTP_F_CONTENT_LENGTH]);
    assert_null(head.known[HTTP_F_X_REQUESTED_WITH]);
    assert_int_equal(head.content_length_fields, 0);
}

/* Bytes that probe the word-at-a-time scans: tchar and not, those that lower-case onto a
 * letter or '-' (CR onto '-', '@' and '[' around 'A'..'Z'), controls, DEL, a high byte. */
static const unsigned char PROBES[] = {'-', '1', 'A', 'z', '~',  '!',  ' ',  '\t', '\r', 0x01,
                                       '@', '[', '`', '{', 0x7f, 0x80, 0xff, ':',  '/'};

static bool reference_tchar(unsigned char c)
{
    return c != 0 && c < 128 && (strchr("!#$%&'*+-.^_`|~", c) != NULL || (c >= '0' && c <= '9') ||
                                 (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
}

static int64_t parse_buf(const char *buf, size_t len, bool is_request, http_head *head,
                         http_header *slots)
{
    return http_head_parse(buf, len, is_request, head, slots, 4);
}

/* A field name of every length up to 24 with a probe byte at every position: the name ends
 * where a byte-by-byte token scan ends it. */
static void test_head_field_name_scan_agrees_with_bytewise_tokens(void **state)
{
    (void)state;
    for (size_t len = 1; len <= 24; len++) {
        for (size_t k = 0; k < len; k++) {
            for (size_t b = 0; b < sizeof(PROBES); b++) {
                char buf[96];
                size_t n = 0;
                n += (size_t)sprintf(buf, "GET / HTTP/1.1\r\n");
                size_t name_at = n;
                for (size_t i = 0; i < len; i++)
                    buf[n++] = i == k ? (char)PROBES[b] : (char)('a' + (i % 26));
                memcpy(buf + n, ": v\r\n\r\n", 7);
                n += 7;
                http_header slots[4];
                http_head head;
                int64_t got = parse_buf(buf, n, true, &head, slots);
                size_t end = 0;
                while (end < len && reference_tchar((unsigned char)buf[name_at + end]))
                    end++;
                if (k == 0 && (PROBES[b] == ' ' || PROBES[b] == '\t')) {
                    /* a line opening with a blank is an obsolete folding, skipped */
                    assert_int_equal(got, (int64_t)n);
                    assert_int_equal(head.header_count, 0);
                    continue;
                }
                /* with ':' inside, "ab:cd: v" names "ab" and the value takes the rest */
                bool ok = end > 0 && buf[name_at + end] == ':';
                if (!ok) {
                    assert_int_equal(got, HTTP_HEAD_ERROR);
                    continue;
                }
                assert_int_equal(got, (int64_t)n);
                assert_int_equal(head.headers[0].name_len, end);
            }
        }
    }
}

/* A value of every length up to 24 with a probe byte at every position, between two letters so
 * that trimming plays no part: controls other than HTAB break the line, all else is kept. */
static void test_head_value_scan_agrees_with_bytewise_scan(void **state)
{
    (void)state;
    for (size_t len = 1; len <= 24; len++) {
        for (size_t k = 0; k < len; k++) {
            for (size_t b = 0; b < sizeof(PROBES); b++) {
                char buf[96];
                size_t n = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nX: <");
                for (size_t i = 0; i < len; i++)
                    buf[n++] = i == k ? (char)PROBES[b] : 'v';
                memcpy(buf + n, ">\r\n\r\n", 5);
                n += 5;
                http_header slots[4];
                http_head head;
                int64_t got = parse_buf(buf, n, true, &head, slots);
                if (PROBES[b] < 0x20 && PROBES[b] != '\t') {
                    assert_int_equal(got, HTTP_HEAD_ERROR);
                    continue;
                }
                assert_int_equal(got, (int64_t)n);
                assert_int_equal(head.headers[0].value_len, len + 2);
            }
        }
    }
}

/* A request target of every length up to 24 with a probe byte at every position: a space,
 * control or DEL ends the target early and the request line no longer parses. */
static void test_head_target_scan_agrees_with_bytewise_scan(void **state)
{
    (void)state;
    for (size_t len = 1; len <= 24; len++) {
        for (size_t k = 0; k < len; k++) {
            for (size_t b = 0; b < sizeof(PROBES); b++) {
                char buf[96];
                size_t n = (size_t)sprintf(buf, "GET /");
                for (size_t i = 0; i < len; i++)
                    buf[n++] = i == k ? (char)PROBES[b] : 't';
                memcpy(buf + n, " HTTP/1.1\r\n\r\n", 13);
                n += 13;
                http_header slots[4];
                http_head head;
                int64_t got = parse_buf(buf, n, true, &head, slots);
                if (PROBES[b] <= 0x20 || PROBES[b] == 0x7f) {
                    assert_int_equal(got, HTTP_HEAD_ERROR);
                    continue;
                }
                assert_int_equal(got, (int64_t)n);
                assert_int_equal(head.target_len, len + 1);
            }
        }
    }
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
        cmocka_unit_test(test_head_index_finds_known_fields_in_any_case_first_one_wins),
        cmocka_unit_test(test_head_index_ignores_near_miss_names),
        cmocka_unit_test(test_head_field_name_scan_agrees_with_bytewise_tokens),
        cmocka_unit_test(test_head_value_scan_agrees_with_bytewise_scan),
        cmocka_unit_test(test_head_target_scan_agrees_with_bytewise_scan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
