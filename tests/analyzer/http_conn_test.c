/* test_http_conn.c - HTTP/1.1 parsing over TCP streams: pairing, framing, upgrade, caps. */
#include <stdarg.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "http_wire_log.h"

#define NEGOTIATE_JSON                                                                             \
    "{\"Url\":\"/signalr\",\"ConnectionToken\":\"Xq7+aB9/kLQw==\",\"ConnectionId\":\"7f3c\","      \
    "\"KeepAliveTimeout\":20.0}"

static void test_keep_alive_pairs_three_requests_in_order(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /signalr/negotiate?clientProtocol=2.1 HTTP/1.1\r\nHost: a\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
            "99\r\n\r\n" NEGOTIATE_JSON),
        C2S("GET /signalr/start?transport=webSockets HTTP/1.1\r\nHost: a\r\n\r\n"
            "GET /signalr/ping HTTP/1.1\r\nHost: a\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Length: 25\r\n\r\n{ \"Response\": \"started\" }"
            "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\n{ \"Response\": \"pong\" }"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /signalr/negotiate?clientProtocol=2.1\n"
                         "response #0 200\n"
                         "body s>c #0 len=99: " NEGOTIATE_JSON "\n"
                         "request #1 GET /signalr/start?transport=webSockets\n"
                         "request #2 GET /signalr/ping\n"
                         "response #1 200\n"
                         "body s>c #1 len=25: { \"Response\": \"started\" }\n"
                         "response #2 200\n"
                         "body s>c #2 len=22: { \"Response\": \"pong\" }\n");
}

static void test_head_204_304_answers_have_no_body(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("HEAD /a HTTP/1.1\r\n\r\nPOST /signalr/abort HTTP/1.1\r\nContent-Length: 0\r\n\r\n"
            "GET /c HTTP/1.1\r\n\r\nGET /d HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n"
            "HTTP/1.1 204 No Content\r\n\r\n"
            "HTTP/1.1 304 Not Modified\r\nContent-Length: 99\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    };
    REPLAY_EXPECT(steps, "request #0 HEAD /a\n"
                         "request #1 POST /signalr/abort\n"
                         "request #2 GET /c\n"
                         "request #3 GET /d\n"
                         "response #0 200\n"
                         "response #1 204\n"
                         "response #2 304\n"
                         "response #3 200\n"
                         "body s>c #3 len=2: ok\n");
}

static void test_continue_interim_response_keeps_request_pending(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("POST /signalr/send HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 6\r\n\r\n"),
        S2C("HTTP/1.1 100 Continue\r\n\r\n"),
        C2S("data=x"),
        S2C("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{\"I\":\"0\"}"),
    };
    REPLAY_EXPECT(steps, "request #0 POST /signalr/send +body\n"
                         "response #0 100\n"
                         "body c>s #0 len=6: data=x\n"
                         "response #0 200\n"
                         "body s>c #0 len=9: {\"I\":\"0\"}\n");
}

static void test_chunked_body_with_extensions_and_trailers(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /x HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "5;name=value;flag\r\nhello\r\n"
            "1\r\n \r\n"
            "5 ; ext=\"q\"\r\nworld\r\n"
            "0\r\nX-Trailer: one\r\nX-Other: two\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /x\n"
                         "response #0 200\n"
                         "body s>c #0 len=11: hello world\n"
                         "response #? 200\n");
}

static void test_close_delimited_body_ends_at_server_fin(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /old HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the "),
        S2C("end"),
        FIN(TCP_DIR_TO_CLIENT),
    };
    REPLAY_EXPECT(steps, "request #0 GET /old\n"
                         "response #0 200\n"
                         "body s>c #0 len=13: until the end\n"
                         "fin s>c\n");
}

static void test_form_post_body_delivered_whole(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("POST /signalr/send?transport=serverSentEvents HTTP/1.1\r\n"
            "Content-Type: application/x-www-form-urlencoded; charset=UTF-8\r\n"
            "Content-Length: 36\r\n\r\n"
            "data=%7B%22H%22%3A%22chathub%22%7D12"),
    };
    REPLAY_EXPECT(steps, "request #0 POST /signalr/send?transport=serverSentEvents +body\n"
                         "body c>s #0 len=36: data=%7B%22H%22%3A%22chathub%22%7D12\n");
}

typedef struct seen_request {
    char host[32], upgrade[32], user_agent[32], x_requested_with[32];
    bool has_cookie, has_authorization;
    int count;
} seen_request;

static void copy_str(char *dst, size_t cap, lf_wire_str s)
{
    size_t n = s.ptr ? (s.len < cap - 1 ? s.len : cap - 1) : 0;
    memcpy(dst, s.ptr ? s.ptr : "", n);
    dst[n] = '\0';
}

static void remember_request(void *ctx, const lf_wire_event *ev)
{
    seen_request *seen = ctx;
    if (ev->kind != LF_WIRE_HTTP_REQUEST)
        return;
    /* the strings are only valid inside this call: copy them */
    copy_str(seen->host, sizeof(seen->host), ev->u.request.host);
    copy_str(seen->upgrade, sizeof(seen->upgrade), ev->u.request.upgrade);
    copy_str(seen->user_agent, sizeof(seen->user_agent), ev->u.request.user_agent);
    copy_str(seen->x_requested_with, sizeof(seen->x_requested_with),
             ev->u.request.x_requested_with);
    seen->has_cookie = ev->u.request.has_cookie;
    seen->has_authorization = ev->u.request.has_authorization;
    seen->count++;
}

static void test_request_event_carries_selected_headers(void **state)
{
    (void)state;
    seen_request seen = {0};
    wire_consumer wc;
    wire_consumer_init(&wc, NULL, (lf_wire_sink){&seen, remember_request});
    tcp_consumer tc = wire_consumer_tcp(&wc);
    tcp_stream_info info = {.id = 1};
    lf_frame_ref at = {.frame = 1};
    void *stream = tc.open(tc.ctx, &info, &at);
    static const char req[] =
        "GET /signalr/connect?transport=webSockets HTTP/1.1\r\nhost: example.org\r\n"
        "Upgrade: websocket\r\nConnection: Upgrade\r\nUser-Agent:   Mozilla/5.0  \r\n"
        "Cookie: a=b\r\nX-Requested-With: XMLHttpRequest\r\n\r\n";
    tc.data(stream, TCP_DIR_TO_SERVER, (const uint8_t *)req, sizeof(req) - 1, &at);
    tc.close(stream, TCP_END_FIN, TCP_DIR_TO_SERVER, &at);
    assert_int_equal(seen.count, 1);
    assert_string_equal(seen.host, "example.org");
    assert_string_equal(seen.upgrade, "websocket");
    assert_string_equal(seen.user_agent, "Mozilla/5.0");
    assert_string_equal(seen.x_requested_with, "XMLHttpRequest");
    assert_true(seen.has_cookie);
    assert_false(seen.has_authorization);
}

/* ---- compression ---------------------------------------------------------------------------- */

#include <zlib.h>

/* Compresses `in` with the given zlib window bits (31 gzip, 15 zlib, -15 raw). */
static size_t compress_with(const char *in, size_t len, int window_bits, uint8_t *out, size_t cap)
{
    z_stream z = {0};
    assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, window_bits, 9, Z_DEFAULT_STRATEGY), Z_OK);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = cap - z.avail_out;
    deflateEnd(&z);
    return n;
}

static size_t build_response(char *buf, size_t cap, const char *coding, const uint8_t *body,
                             size_t len)
{
    int n = snprintf(buf, cap,
                     "HTTP/1.1 200 OK\r\nContent-Encoding: %s\r\nContent-Length: %zu"
                     "\r\n\r\n",
                     coding, len);
    memcpy(buf + n, body, len);
    return (size_t)n + len;
}

static void expect_decoded(const char *coding, int window_bits)
{
    uint8_t z[512];
    char resp[1024];
    size_t zn = compress_with(NEGOTIATE_JSON, strlen(NEGOTIATE_JSON), window_bits, z, sizeof(z));
    size_t rn = build_response(resp, sizeof(resp), coding, z, zn);
    replay_step steps[] = {C2S("GET /signalr/negotiate HTTP/1.1\r\n\r\n"), S2C_BIN(resp, rn)};
    replay_expect(steps, 2, NULL,
                  "request #0 GET /signalr/negotiate\n"
                  "response #0 200\n"
                  "body s>c #0 len=99: " NEGOTIATE_JSON "\n");
}

static void test_gzip_body_is_decoded(void **state)
{
    (void)state;
    expect_decoded("gzip", 15 + 16);
}

static void test_deflate_body_zlib_wrapped_is_decoded(void **state)
{
    (void)state;
    expect_decoded("deflate", 15);
}

static void test_deflate_body_raw_is_decoded(void **state)
{
    (void)state;
    expect_decoded("deflate", -15);
}

static void test_gzip_bomb_is_capped(void **state)
{
    (void)state;
    size_t plain_len = 32u * 1024 * 1024;
    char *plain = calloc(1, plain_len);
    uint8_t *z = malloc(256 * 1024);
    assert_non_null(plain);
    assert_non_null(z);
    size_t zn = compress_with(plain, plain_len, 31, z, 256 * 1024);
    free(plain);
    assert_true(zn < 64 * 1024); /* about 1000:1 */
    char head[128];
    int hn =
        snprintf(head, sizeof(head),
                 "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %zu\r\n\r\n", zn);
    wire_trace s;
    trace_open(&s, NULL);
    TRACE_TEXT(&s, TCP_DIR_TO_SERVER, "GET /p HTTP/1.1\r\n\r\n");
    trace_data(&s, TCP_DIR_TO_CLIENT, head, (size_t)hn);
    s.log.max_body_print = 0;
    trace_data(&s, TCP_DIR_TO_CLIENT, z, zn);
    assert_string_equal(trace_close(&s), "request #0 GET /p\n"
                                         "response #0 200\n"
                                         "error s>c: decompressed body exceeds the size limit\n"
                                         "body s>c #0 len=1048576 truncated: ...\n");
    trace_free(&s);
    free(z);
}

/* ---- upgrade -------------------------------------------------------------------------------- */

static void test_switching_protocols_hands_both_directions_to_websocket(void **state)
{
    (void)state;
    /* client frame "hi" masked with 01 02 03 04, then the server's keepalive text frame {} */
    static const uint8_t client_frame[] = {0x81, 0x82, 0x01,       0x02,
                                           0x03, 0x04, 'h' ^ 0x01, 'i' ^ 0x02};
    static const replay_step steps[] = {
        C2S("GET /signalr/connect?transport=webSockets HTTP/1.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\n\r\n"),
        C2S_BIN(client_frame, sizeof(client_frame)),
        S2C("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "\r\n\x81\x02{}"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /signalr/connect?transport=webSockets\n"
                         "response #0 101\n"
                         "ws c>s #0 text masked frames=1 len=2: hi\n"
                         "ws s>c #0 text frames=1 len=2: {}\n");
}

static void test_refused_upgrade_keeps_parsing_http(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"),
        C2S("GET /next HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad"),
    };
    /* the held request is parsed as soon as the refusal's head is seen */
    REPLAY_EXPECT(steps, "request #0 GET /ws\n"
                         "response #0 400\n"
                         "request #1 GET /next\n"
                         "body s>c #0 len=3: bad\n");
}

/* ---- heads are read a line at a time (one run per line, its LF byte by byte) ------------------ */

#define PADDED_HEAD "GET /a HTTP/1.1\r\nX-Pad: 0123456789abcdef\r\n\r\n"

static void test_head_exactly_at_the_size_limit_is_read(void **state)
{
    (void)state;
    wire_config cfg;
    wire_config_defaults(&cfg);
    cfg.http.max_header_block = sizeof(PADDED_HEAD) - 1;
    static const replay_step steps[] = {C2S(PADDED_HEAD)};
    replay_expect(steps, 1, &cfg, "request #0 GET /a\n");
}

static void test_head_outgrowing_the_limit_inside_a_line_is_an_error_then_resync(void **state)
{
    (void)state;
    wire_config cfg;
    wire_config_defaults(&cfg);
    cfg.http.max_header_block = sizeof(PADDED_HEAD) - 12; /* reached inside the X-Pad value */
    static const replay_step steps[] = {C2S(PADDED_HEAD "GET /b HTTP/1.1\r\n\r\n")};
    replay_expect(steps, 1, &cfg,
                  "error c>s: HTTP head exceeds the size limit\n"
                  "request #0 GET /b\n");
}

static void test_empty_lines_before_a_head_and_bare_lf_line_ends(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("\r\n\n\r\nGET /a HTTP/1.1\nHost: a\n\nGET /b HTTP/1.1\r\nHost: b\r\n\r\n"),
        S2C("\nHTTP/1.1 204 No Content\n\nHTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /a\n"
                         "request #1 GET /b\n"
                         "response #0 204\n"
                         "response #1 200\n"
                         "body s>c #1 len=1: x\n");
}

/* ---- hostile input -------------------------------------------------------------------------- */

static void test_endless_headers_produce_one_error_then_resync(void **state)
{
    (void)state;
    wire_trace s;
    trace_open(&s, NULL);
    TRACE_TEXT(&s, TCP_DIR_TO_SERVER, "GET / HTTP/1.1\r\n");
    char line[] = "X-Filler: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
    for (int i = 0; i < 4000; i++)
        trace_data(&s, TCP_DIR_TO_SERVER, line, sizeof(line) - 1);
    TRACE_TEXT(&s, TCP_DIR_TO_SERVER, "\r\nGET /next HTTP/1.1\r\n\r\n");
    assert_string_equal(trace_close(&s), "error c>s: HTTP head exceeds the size limit\n"
                                         "request #0 GET /next\n");
    trace_free(&s);
}

static void test_too_many_header_fields_is_an_error_then_resync(void **state)
{
    (void)state;
    wire_config cfg;
    wire_config_defaults(&cfg);
    cfg.http.max_headers = 3;
    static const replay_step steps[] = {
        C2S("GET /a HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\nGET /b HTTP/1.1\r\nA: "
            "1\r\n\r\n"),
    };
    replay_expect(steps, 1, &cfg,
                  "error c>s: too many header fields\n"
                  "request #0 GET /b\n");
}

static void test_absurd_content_length_is_an_error(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET / HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Length: 9007199254740993\r\n\r\nxx"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /\nerror s>c: invalid Content-Length\n");
}

static void test_negative_content_length_is_an_error(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\nhello"),
    };
    REPLAY_EXPECT(steps, "error c>s: invalid Content-Length\n");
}

static void test_conflicting_content_lengths_are_an_error(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
    };
    REPLAY_EXPECT(steps, "error c>s: invalid Content-Length\n");
}

static void test_chunk_size_ffffffffffffffff_is_an_error(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET / HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\nabc"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /\n"
                         "response #0 200\n"
                         "body s>c #0 len=0 incomplete: \n"
                         "error s>c: malformed chunked body\n");
}

static void test_declared_1gb_chunk_streams_through(void **state)
{
    (void)state;
    wire_trace s;
    trace_open(&s, NULL);
    TRACE_TEXT(&s, TCP_DIR_TO_SERVER, "GET / HTTP/1.1\r\n\r\n");
    static const char head[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40000000\r\n";
    trace_data(&s, TCP_DIR_TO_CLIENT, head, sizeof(head) - 1);
    /* 64 MiB of the declared 1 GiB arrive; memory stays at the 1 MiB whole-body cap */
    uint8_t block[65536];
    memset(block, 'z', sizeof(block));
    for (int i = 0; i < 1024; i++)
        trace_data(&s, TCP_DIR_TO_CLIENT, block, sizeof(block));
    s.log.max_body_print = 4;
    trace_fin(&s, TCP_DIR_TO_CLIENT);
    assert_string_equal(trace_close(&s), "request #0 GET /\n"
                                         "response #0 200\n"
                                         "body s>c #0 len=1048576 truncated incomplete: zzzz...\n"
                                         "fin s>c\n");
    trace_free(&s);
}

static void test_whole_body_over_cap_is_truncated(void **state)
{
    (void)state;
    wire_config cfg;
    wire_config_defaults(&cfg);
    cfg.max_whole_body = 8;
    static const replay_step steps[] = {
        C2S("GET / HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n0123456789ab"),
    };
    replay_expect(steps, 2, &cfg,
                  "request #0 GET /\n"
                  "response #0 200\n"
                  "body s>c #0 len=8 truncated: 01234567\n");
}

static void test_garbage_gives_one_error_and_resyncs_at_next_request(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 random tls-ish bytes\n and more\n"
            "GET /after HTTP/1.1\r\n\r\n"),
    };
    REPLAY_EXPECT(steps, "error c>s: bytes that are not an HTTP message\n"
                         "request #0 GET /after\n");
}

static void test_gap_inside_chunk_marks_body_incomplete_and_parsing_resumes(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabcd"),
        GAP(TCP_DIR_TO_CLIENT, 8),
        S2C("mnop\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /a\n"
                         "request #1 GET /b\n"
                         "response #0 200\n"
                         "gap s>c 8\n"
                         "body s>c #0 len=8 incomplete: abcdmnop\n"
                         "response #1 200\n"
                         "body s>c #1 len=2: ok\n");
}

static void test_gap_across_message_boundary_loses_sync_until_next_response(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab"),
        GAP(TCP_DIR_TO_CLIENT, 30),
        S2C("tail of something\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /a\n"
                         "request #1 GET /b\n"
                         "response #0 200\n"
                         "gap s>c 30\n"
                         "body s>c #0 len=2 incomplete: ab\n"
                         "response #1 200\n"
                         "body s>c #1 len=2: ok\n");
}

static void test_gap_past_chunk_end_is_skipped_with_its_crlf(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabc"),
        GAP(TCP_DIR_TO_CLIENT, 5), /* "def\r\n": the rest of the chunk and its CRLF */
        S2C("2\r\ngh\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /a\n"
                         "request #1 GET /b\n"
                         "response #0 200\n"
                         "gap s>c 5\n"
                         "body s>c #0 len=5 incomplete: abcgh\n"
                         "response #1 200\n"
                         "body s>c #1 len=2: ok\n");
}

/* Resynchronisation judges whole lines of one segment: each step is one segment here. */
static void test_gap_over_chunk_size_line_resyncs_on_next_chunk_size_line(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /a HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"),
        GAP(TCP_DIR_TO_CLIENT, 5), /* "4\r\nde" */
        S2C("fg\r\n2\r\nhi\r\n0\r\n\r\n"),
    };
    char *got = replay_whole(steps, sizeof steps / sizeof steps[0], NULL);
    assert_string_equal(got, "request #0 GET /a\n"
                             "response #0 200\n"
                             "gap s>c 5\n"
                             "body s>c #0 len=5 incomplete: abchi\n");
    free(got);
}

static void test_gap_over_chunked_body_end_resyncs_on_next_response(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"),
        GAP(TCP_DIR_TO_CLIENT, 12), /* "5\r\nlosing\r\n0" */
        S2C("\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    };
    char *got = replay_whole(steps, sizeof steps / sizeof steps[0], NULL);
    assert_string_equal(got, "request #0 GET /a\n"
                             "request #1 GET /b\n"
                             "response #0 200\n"
                             "gap s>c 12\n"
                             "body s>c #0 len=3 incomplete: abc\n"
                             "response #1 200\n"
                             "body s>c #1 len=2: ok\n");
    free(got);
}

static void test_body_event_carries_frame_that_completed_it(void **state)
{
    (void)state;
    wire_trace s;
    static const char *const frames[] = {"GET / HTTP/1.1\r\n\r\n",      /* frame 2 */
                                         "HTTP/1.1 200 OK\r\nContent-", /* frame 3 */
                                         "Length: 4\r\n\r\nab",         /* frame 4 */
                                         "cd"};                         /* frame 5 */
    trace_open(&s, NULL);                                               /* frame 1 */
    trace_data(&s, TCP_DIR_TO_SERVER, frames[0], strlen(frames[0]));
    for (int i = 1; i < 4; i++)
        trace_data(&s, TCP_DIR_TO_CLIENT, frames[i], strlen(frames[i]));
    trace_close(&s);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_HTTP_REQUEST, 0), 2);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_HTTP_RESPONSE, 0), 4);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_HTTP_BODY, 0), 5);
    trace_free(&s);
}

static void test_stream_open_fin_close_events(void **state)
{
    (void)state;
    wire_trace s;
    trace_open(&s, NULL);
    trace_fin(&s, TCP_DIR_TO_SERVER);
    trace_close(&s);
    assert_int_equal(s.log.n_events, 3);
    assert_int_equal(s.log.kinds[0], LF_WIRE_STREAM_OPEN);
    assert_int_equal(s.log.kinds[1], LF_WIRE_STREAM_FIN);
    assert_int_equal(s.log.kinds[2], LF_WIRE_STREAM_CLOSE);
    assert_string_equal(lf_wire_kind_name(s.log.kinds[1]), "stream-fin");
    trace_free(&s);
}

static void test_response_before_capture_saw_its_request(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        S2C("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"),
        C2S("GET /next HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 204 No Content\r\n\r\n"),
    };
    REPLAY_EXPECT(steps, "response #? 200\n"
                         "body s>c #? len=2: {}\n"
                         "request #0 GET /next\n"
                         "response #0 204\n");
}

static void test_capture_starting_inside_a_body_resyncs_at_next_message(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        S2C("\"M\":[]}\r\n0\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
        C2S("ransport=webSockets HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\n\r\n"),
    };
    REPLAY_EXPECT(steps, "error s>c: bytes that are not an HTTP message\n"
                         "response #? 200\n"
                         "body s>c #? len=2: ok\n"
                         "error c>s: bytes that are not an HTTP message\n"
                         "request #0 GET /b\n");
}

static void test_gap_between_messages_resyncs_at_next_message(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /a HTTP/1.1\r\n\r\n"),
        GAP(TCP_DIR_TO_SERVER, 120),
        C2S("GET /c HTTP/1.1\r\n\r\n"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /a\n"
                         "gap c>s 120\n"
                         "request #1 GET /c\n");
}

static void test_chunked_request_body_and_chunked_over_content_length(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("POST /signalr/send HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
            "Content-Length: 100\r\n\r\n4\r\ndata\r\n2\r\n=x\r\n0\r\n\r\n"
            "GET /n HTTP/1.1\r\n\r\n"),
    };
    REPLAY_EXPECT(steps, "request #0 POST /signalr/send +body\n"
                         "body c>s #0 len=6: data=x\n"
                         "request #1 GET /n\n");
}

static void test_request_with_unframeable_transfer_coding_is_an_error(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("POST /x HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n\x1f\x8b\r\n"
            "GET /y HTTP/1.1\r\n\r\n"),
    };
    REPLAY_EXPECT(steps, "error c>s: request body without a usable length\n"
                         "request #0 GET /y\n");
}

static void test_status_line_without_reason_phrase(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET / HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /\nresponse #0 200\nbody s>c #0 len=1: x\n");
}

static void test_oversized_trailers_are_an_error(void **state)
{
    (void)state;
    wire_config cfg;
    wire_config_defaults(&cfg);
    cfg.http.max_header_block = 64;
    static const replay_step steps[] = {
        C2S("GET / HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\r\n0\r\n"
            "X-Trailer: 0123456789012345678901234567890123456789012345678901234567890123\r\n\r\n"),
    };
    replay_expect(steps, 2, &cfg,
                  "request #0 GET /\n"
                  "response #0 200\n"
                  "body s>c #0 len=1 incomplete: a\n"
                  "error s>c: malformed chunked body\n");
}

/* The pending-request ring starts small and grows: a deep pipeline keeps its order across the
 * growth, the answers arriving while later requests are still being queued. */
static void test_ten_pipelined_requests_pair_with_their_answers_in_order(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /0 HTTP/1.1\r\n\r\nGET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n0"),
        C2S("GET /3 HTTP/1.1\r\n\r\nGET /4 HTTP/1.1\r\n\r\nGET /5 HTTP/1.1\r\n\r\n"
            "GET /6 HTTP/1.1\r\n\r\nGET /7 HTTP/1.1\r\n\r\nGET /8 HTTP/1.1\r\n\r\n"
            "HEAD /9 HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n1HTTP/1.1 204 No Content\r\n\r\n"
            "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
            "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
            "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n"
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"),
    };
    replay_expect_single_splits(steps, 4, NULL,
                                "request #0 GET /0\n"
                                "request #1 GET /1\n"
                                "request #2 GET /2\n"
                                "response #0 200\n"
                                "body s>c #0 len=1: 0\n"
                                "request #3 GET /3\n"
                                "request #4 GET /4\n"
                                "request #5 GET /5\n"
                                "request #6 GET /6\n"
                                "request #7 GET /7\n"
                                "request #8 GET /8\n"
                                "request #9 HEAD /9\n"
                                "response #1 200\n"
                                "body s>c #1 len=1: 1\n"
                                "response #2 204\n"
                                "response #3 204\n"
                                "response #4 204\n"
                                "response #5 204\n"
                                "response #6 204\n"
                                "response #7 204\n"
                                "response #8 204\n"
                                "response #9 200\n");
}

static void test_too_many_pipelined_requests_is_reported_once_per_overflow(void **state)
{
    (void)state;
    wire_config cfg;
    wire_config_defaults(&cfg);
    cfg.http.max_pending_requests = 2;
    static const replay_step steps[] = {
        C2S("GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 204 No Content\r\n\r\n"),
    };
    replay_expect(steps, 2, &cfg,
                  "request #0 GET /1\n"
                  "request #1 GET /2\n"
                  "error c>s: too many requests awaiting a response\n"
                  "request #2 GET /3\n"
                  "response #1 204\n");
}

static void test_gzip_sse_stream_is_decoded_incrementally(void **state)
{
    (void)state;
    static const char events[] = "data: initialized\n\ndata: {\"S\":1}\n\n";
    uint8_t z[256];
    size_t zn = compress_with(events, strlen(events), 31, z, sizeof(z));
    char body[512];
    int n = snprintf(body, sizeof(body), "%zx\r\n", zn);
    memcpy(body + n, z, zn);
    memcpy(body + n + zn, "\r\n", 2);
    replay_step steps[] = {
        C2S("GET /signalr/connect?transport=serverSentEvents HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nContent-Encoding: gzip\r\n"
            "Transfer-Encoding: chunked\r\n\r\n"),
        S2C_BIN(body, (size_t)n + zn + 2),
        FIN(TCP_DIR_TO_CLIENT),
    };
    char expected[512];
    snprintf(expected, sizeof(expected),
             "request #0 GET /signalr/connect?transport=serverSentEvents\n"
             "response #0 200\n"
             "sse #0: initialized\n"
             "sse #0: {\"S\":1}\n"
             "body-end s>c #0 wire_len=%zu incomplete\n"
             "fin s>c\n",
             zn);
    replay_expect(steps, 4, NULL, expected);
}

/* Deterministic pseudo-random bytes (xorshift32): reproducible hostile input. */
static uint32_t next_random(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

static size_t count_lines_starting(const char *log, const char *prefix)
{
    size_t n = 0;
    for (const char *p = log; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        n += strncmp(p, prefix, strlen(prefix)) == 0;
    return n;
}

static void test_random_bytes_give_at_most_one_error_per_line(void **state)
{
    (void)state;
    uint32_t x = 0x2545F491;
    uint8_t bytes[1 << 16];
    size_t line_feeds = 0;
    for (size_t i = 0; i < sizeof(bytes); i++) {
        bytes[i] = (uint8_t)next_random(&x);
        line_feeds += bytes[i] == '\n';
    }
    wire_trace s;
    trace_open(&s, NULL);
    for (size_t at = 0; at < sizeof(bytes);) {
        size_t n = 1 + next_random(&x) % 1500;
        if (n > sizeof(bytes) - at)
            n = sizeof(bytes) - at;
        trace_data(&s, (tcp_dir)(next_random(&x) & 1), bytes + at, n);
        at += n;
    }
    const char *log = trace_close(&s);
    size_t errors = count_lines_starting(log, "error ");
    assert_true(errors >= 1);
    /* losing sync needs a line start to recover, so errors are bounded by line feeds */
    assert_true(errors <= line_feeds + 2);
    trace_free(&s);
}

/* Whole segments parse a head where it lies; byte by byte it goes through the head buffer: both
 * skip the blank lines before a message and end a head on a line of nothing but CRs. */
static void test_head_after_blank_lines_and_head_ended_by_a_cr_only_line(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("\r\n\n\r\nGET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: b\r\n\r\r\n"),
        S2C("\n\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /a\n"
                         "error c>s: malformed HTTP head\n"
                         "response #0 200\n"
                         "body s>c #0 len=2: ok\n");
}

/* Five requests in flight outgrow the first ring of pending requests; the targets kept for the
 * answers (a long one among them) still choose forever-frame framing for the right ones. */
#define LONG_QUERY                                                                                 \
    "connectionData=%5B%7B%22name%22%3A%22chathub%22%7D%5D&connectionToken="                       \
    "AQAAANCMnd8BFdERjHoAwE%2FCl%2BsBAAAAsvbU4b6XfUyJXHqLs0%2Bpd0AAAAACAAAAAAADZgAAwAAAABAAAAB"      \
    "X3c1NXqg8dK4cD7nSvWBRAAAAAASAAACgAAAAEAAAAHpD3t1gUvXqvKPRQqrPHLUoAAAAe1lPXNf2R5pDXF3TL8b7F"      \
    "AQAAANCMnd8BFdERjHoAwE%2FCl%2BsBAAAAsvbU4b6XfUyJXHqLs0%2Bpd0AAAAACAAAAAAADZgAAwAAAABAAAAB"      \
    "X3c1NXqg8dK4cD7nSvWBRAAAAAASAAACgAAAAEAAAAHpD3t1gUvXqvKPRQqrPHLUoAAAAe1lPXNf2R5pDXF3TL8b7F"      \
    "AQAAANCMnd8BFdERjHoAwE%2FCl%2BsBAAAAsvbU4b6XfUyJXHqLs0%2Bpd0AAAAACAAAAAAADZgAAwAAAABAAAAB"      \
    "X3c1NXqg8dK4cD7nSvWBRAAAAAASAAACgAAAAEAAAAHpD3t1gUvXqvKPRQqrPHLUoAAAAe1lPXNf2R5pDXF3TL8b7F"      \
    "AQAAANCMnd8BFdERjHoAwE%2FCl%2BsBAAAAsvbU4b6XfUyJXHqLs0%2Bpd0AAAAACAAAAAAADZgAAwAAAABAAAAB"      \
    "X3c1NXqg8dK4cD7nSvWBRAAAAAASAAACgAAAAEAAAAHpD3t1gUvXqvKPRQqrPHLUoAAAAe1lPXNf2R5pDXF3TL8b7F"      \
    "AQAAANCMnd8BFdERjHoAwE%2FCl%2BsBAAAAsvbU4b6XfUyJXHqLs0%2Bpd0AAAAACAAAAAAADZgAAwAAAABAAAAB"      \
    "X3c1NXqg8dK4cD7nSvWBRAAAAAASAAACgAAAAEAAAAHpD3t1gUvXqvKPRQqrPHLUoAAAAe1lPXNf2R5pDXF3TL8b7F"      \
    "AQAAANCMnd8BFdERjHoAwE%2FCl%2BsBAAAAsvbU4b6XfUyJXHqLs0%2Bpd0AAAAACAAAAAAADZgAAwAAAABAAAAB"

static void test_pipelined_requests_beyond_the_first_ring_keep_their_targets(void **state)
{
    (void)state;
    static const char html[] = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 31"
                               "\r\n\r\n<body><script>r(c, 1);</script>";
    static const replay_step steps[] = {
        C2S("GET /a?transport=foreverFrame&" LONG_QUERY " HTTP/1.1\r\n\r\n"
            "GET /b HTTP/1.1\r\n\r\n"
            "GET /c?transport=foreverFrame HTTP/1.1\r\n\r\n"
            "GET /d?" LONG_QUERY " HTTP/1.1\r\n\r\n"
            "GET /e?transport=foreverFrame HTTP/1.1\r\n\r\n"),
        S2C_BIN(html, sizeof(html) - 1), S2C_BIN(html, sizeof(html) - 1),
        S2C_BIN(html, sizeof(html) - 1), S2C_BIN(html, sizeof(html) - 1),
        S2C_BIN(html, sizeof(html) - 1),
        C2S("GET /f?transport=foreverFrame HTTP/1.1\r\n\r\n"), S2C_BIN(html, sizeof(html) - 1),
    };
    static const char ff_answer[] = "ff-prelude #%u len=6\n"
                                    "ff #%u json=1 script=r(c, 1);\n"
                                    "body-end s>c #%u wire_len=31\n";
    static const char whole_answer[] = "body s>c #%u len=31: <body><script>r(c, 1);</script>\n";
    char expected[4096];
    size_t n = 0;
    /* the log shows the first 200 bytes of a long target */
    n += (size_t)snprintf(expected + n, sizeof(expected) - n,
                          "request #0 GET %.200s...\nrequest #1 GET /b\n"
                          "request #2 GET /c?transport=foreverFrame\nrequest #3 GET %.200s...\n"
                          "request #4 GET /e?transport=foreverFrame\n",
                          "/a?transport=foreverFrame&" LONG_QUERY, "/d?" LONG_QUERY);
    for (unsigned i = 0; i < 6; i++) {
        if (i == 5)
            n += (size_t)snprintf(expected + n, sizeof(expected) - n,
                                  "request #5 GET /f?transport=foreverFrame\n");
        n += (size_t)snprintf(expected + n, sizeof(expected) - n, "response #%u 200\n", i);
        if (i % 2 == 0 || i == 5)
            n += (size_t)snprintf(expected + n, sizeof(expected) - n, ff_answer, i, i, i);
        else
            n += (size_t)snprintf(expected + n, sizeof(expected) - n, whole_answer, i);
    }
    replay_expect_single_splits(steps, sizeof(steps) / sizeof(steps[0]), NULL, expected);
}

/* Repeated Content-Length fields, in any case: equal ones frame the body, differing ones are
 * an error. */
static void test_repeated_content_length_fields_in_any_case(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("POST /s HTTP/1.1\r\ncontent-length: 2\r\nCONTENT-LENGTH: 2\r\n\r\nokPOST /t HTTP/1.1\r\n"
            "Content-Length: 2\r\ncontent-length: 3\r\n\r\nabc"),
    };
    REPLAY_EXPECT(steps, "request #0 POST /s +body\n"
                         "body c>s #0 len=2: ok\n"
                         "error c>s: invalid Content-Length\n");
}

/* Size lines of thirteen hex digits are read whole, longer ones byte by byte: both paths agree
 * on leading zeros, bare LF endings and a size just past the 2^53 limit. */
static void test_chunk_size_lines_around_the_digit_count_read_whole(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S("GET /x HTTP/1.1\r\n\r\n"),
        S2C("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "0000000000005\r\nhello\r\n00000000000001\n \r\nA\r\n0123456789\r\n0\r\n\r\n"
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            "20000000000001\r\nx"),
    };
    REPLAY_EXPECT(steps, "request #0 GET /x\n"
                         "response #0 200\n"
                         "body s>c #0 len=16: hello 0123456789\n"
                         "response #? 200\n"
                         "body s>c #? len=0 incomplete: \n"
                         "error s>c: malformed chunked body\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keep_alive_pairs_three_requests_in_order),
        cmocka_unit_test(test_head_after_blank_lines_and_head_ended_by_a_cr_only_line),
        cmocka_unit_test(test_pipelined_requests_beyond_the_first_ring_keep_their_targets),
        cmocka_unit_test(test_repeated_content_length_fields_in_any_case),
        cmocka_unit_test(test_chunk_size_lines_around_the_digit_count_read_whole),
        cmocka_unit_test(test_head_204_304_answers_have_no_body),
        cmocka_unit_test(test_continue_interim_response_keeps_request_pending),
        cmocka_unit_test(test_chunked_body_with_extensions_and_trailers),
        cmocka_unit_test(test_close_delimited_body_ends_at_server_fin),
        cmocka_unit_test(test_form_post_body_delivered_whole),
        cmocka_unit_test(test_request_event_carries_selected_headers),
        cmocka_unit_test(test_gzip_body_is_decoded),
        cmocka_unit_test(test_deflate_body_zlib_wrapped_is_decoded),
        cmocka_unit_test(test_deflate_body_raw_is_decoded),
        cmocka_unit_test(test_gzip_bomb_is_capped),
        cmocka_unit_test(test_switching_protocols_hands_both_directions_to_websocket),
        cmocka_unit_test(test_refused_upgrade_keeps_parsing_http),
        cmocka_unit_test(test_head_exactly_at_the_size_limit_is_read),
        cmocka_unit_test(test_head_outgrowing_the_limit_inside_a_line_is_an_error_then_resync),
        cmocka_unit_test(test_empty_lines_before_a_head_and_bare_lf_line_ends),
        cmocka_unit_test(test_endless_headers_produce_one_error_then_resync),
        cmocka_unit_test(test_too_many_header_fields_is_an_error_then_resync),
        cmocka_unit_test(test_absurd_content_length_is_an_error),
        cmocka_unit_test(test_negative_content_length_is_an_error),
        cmocka_unit_test(test_conflicting_content_lengths_are_an_error),
        cmocka_unit_test(test_chunk_size_ffffffffffffffff_is_an_error),
        cmocka_unit_test(test_declared_1gb_chunk_streams_through),
        cmocka_unit_test(test_whole_body_over_cap_is_truncated),
        cmocka_unit_test(test_garbage_gives_one_error_and_resyncs_at_next_request),
        cmocka_unit_test(test_gap_inside_chunk_marks_body_incomplete_and_parsing_resumes),
        cmocka_unit_test(test_gap_across_message_boundary_loses_sync_until_next_response),
        cmocka_unit_test(test_body_event_carries_frame_that_completed_it),
        cmocka_unit_test(test_stream_open_fin_close_events),
        cmocka_unit_test(test_response_before_capture_saw_its_request),
        cmocka_unit_test(test_capture_starting_inside_a_body_resyncs_at_next_message),
        cmocka_unit_test(test_gap_between_messages_resyncs_at_next_message),
        cmocka_unit_test(test_gap_past_chunk_end_is_skipped_with_its_crlf),
        cmocka_unit_test(test_gap_over_chunk_size_line_resyncs_on_next_chunk_size_line),
        cmocka_unit_test(test_gap_over_chunked_body_end_resyncs_on_next_response),
        cmocka_unit_test(test_chunked_request_body_and_chunked_over_content_length),
        cmocka_unit_test(test_request_with_unframeable_transfer_coding_is_an_error),
        cmocka_unit_test(test_status_line_without_reason_phrase),
        cmocka_unit_test(test_oversized_trailers_are_an_error),
        cmocka_unit_test(test_ten_pipelined_requests_pair_with_their_answers_in_order),
        cmocka_unit_test(test_too_many_pipelined_requests_is_reported_once_per_overflow),
        cmocka_unit_test(test_gzip_sse_stream_is_decoded_incrementally),
        cmocka_unit_test(test_random_bytes_give_at_most_one_error_per_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
