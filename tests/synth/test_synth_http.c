/* HTTP/1.1 layer: request framing, Content-Length and chunked responses, chunks appended
 * later, gzip bodies that zlib inflates back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "http_msg.h"
#include "readback.h"

#include <glib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define T0 (1718000000ull * SYNTH_NS_PER_S)
#define STREAM_MAX 65536

typedef struct {
    char *path;
    synth_t *s;
    synth_conn *c;
    read_capture cap;
    char client[STREAM_MAX];
    char server[STREAM_MAX];
} fixture;

static int setup(void **state)
{
    fixture *f = g_new0(fixture, 1);
    synth_error err = {0};
    synth_endpoint cli, srv;
    synth_endpoint_parse("127.0.0.1:41000", &cli);
    synth_endpoint_parse("127.0.0.1:8080", &srv);
    f->path = temp_capture_path("http.pcap");
    f->s = synth_new_file(f->path, SYNTH_PCAP_NS, &err);
    f->c = synth_tcp_connect(f->s, &cli, &srv, T0);
    *state = f;
    return f->c ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    capture_free(&f->cap);
    unlink(f->path);
    g_free(f->path);
    g_free(f);
    return 0;
}

static void finish(fixture *f)
{
    synth_error err = {0};
    synth_conn_free(f->c);
    assert_int_equal(synth_close(f->s, &err), SYNTH_OK);
    assert_true(capture_read(f->path, &f->cap));
    capture_stream(&f->cap, 41000, (uint8_t *)f->client, STREAM_MAX - 1);
    capture_stream(&f->cap, 8080, (uint8_t *)f->server, STREAM_MAX - 1);
}

static void test_post_request_gets_host_and_content_length(void **state)
{
    fixture *f = *state;
    const char *headers[] = {"Accept: */*", NULL};
    assert_int_equal(synth_http_request(f->c, T0 + SYNTH_NS_PER_MS, "POST", "/signalr/abort?x=1",
                                        headers, NULL, 0),
                     SYNTH_OK);
    finish(f);
    assert_string_equal(f->client, "POST /signalr/abort?x=1 HTTP/1.1\r\n"
                                   "Host: 127.0.0.1:8080\r\n"
                                   "Accept: */*\r\n"
                                   "Content-Length: 0\r\n\r\n");
}

static void test_response_with_content_length(void **state)
{
    fixture *f = *state;
    const char *headers[] = {"Content-Type: application/json; charset=UTF-8", NULL};
    const char *body = "{ \"Response\": \"pong\" }";
    assert_int_equal(synth_http_response(f->c, T0, 200, NULL, headers, body, strlen(body), 0),
                     SYNTH_OK);
    finish(f);
    assert_string_equal(f->server, "HTTP/1.1 200 OK\r\n"
                                   "Content-Type: application/json; charset=UTF-8\r\n"
                                   "Content-Length: 22\r\n\r\n"
                                   "{ \"Response\": \"pong\" }");
}

static void test_chunked_body_grows_by_appended_chunks_then_ends(void **state)
{
    fixture *f = *state;
    const char *headers[] = {"Content-Type: text/event-stream", NULL};
    synth_http_body *b = synth_http_response_begin(f->c, T0, 200, NULL, headers, 0);
    assert_non_null(b);
    assert_int_equal(synth_http_body_append(b, T0 + SYNTH_NS_PER_S, "data: initialized\n\n", 19),
                     SYNTH_OK);
    assert_int_equal(synth_http_body_append(b, T0 + 10 * SYNTH_NS_PER_S, "data: {}\n\n", 10),
                     SYNTH_OK);
    assert_int_equal(synth_http_body_end(b, T0 + 11 * SYNTH_NS_PER_S), SYNTH_OK);
    finish(f);
    assert_string_equal(f->server, "HTTP/1.1 200 OK\r\n"
                                   "Content-Type: text/event-stream\r\n"
                                   "Transfer-Encoding: chunked\r\n\r\n"
                                   "13\r\ndata: initialized\n\n\r\n"
                                   "a\r\ndata: {}\n\n\r\n"
                                   "0\r\n\r\n");
}

/* Inflates a gzip member (skipping nothing: zlib parses the gzip header itself). */
static size_t gunzip(const uint8_t *in, size_t len, char *out, size_t cap)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    int rc = inflate(&z, Z_FINISH);
    assert_true(rc == Z_STREAM_END);
    size_t n = cap - z.avail_out;
    inflateEnd(&z);
    return n;
}

static void test_gzip_body_inflates_to_the_original(void **state)
{
    fixture *f = *state;
    char body[2000];
    for (size_t i = 0; i < sizeof body; i++)
        body[i] = "signalr "[i % 8];
    assert_int_equal(
        synth_http_response(f->c, T0, 200, NULL, NULL, body, sizeof body, SYNTH_HTTP_GZIP),
        SYNTH_OK);
    finish(f);
    assert_non_null(strstr(f->server, "Content-Encoding: gzip\r\n"));
    char *sep = strstr(f->server, "\r\n\r\n");
    size_t clen = strtoul(strstr(f->server, "Content-Length: ") + 16, NULL, 10);
    assert_true(clen < sizeof body);
    char out[4000];
    assert_int_equal(gunzip((uint8_t *)sep + 4, clen, out, sizeof out), sizeof body);
    assert_memory_equal(out, body, sizeof body);
}

/* Joins the chunk payloads of a chunked body that starts at p. */
static size_t dechunk(const char *p, uint8_t *out)
{
    size_t n = 0;
    for (;;) {
        char *end = NULL;
        size_t len = strtoul(p, &end, 16);
        if (len == 0)
            return n;
        p = end + 2;
        memcpy(out + n, p, len);
        n += len;
        p += len + 2;
    }
}

static void test_gzip_chunks_are_each_decodable_stream_parts(void **state)
{
    fixture *f = *state;
    synth_http_body *b = synth_http_response_begin(f->c, T0, 200, NULL, NULL, SYNTH_HTTP_GZIP);
    synth_http_body_append(b, T0 + 1, "first part;", 11);
    synth_http_body_append(b, T0 + 2, "second part", 11);
    assert_int_equal(synth_http_body_end(b, T0 + 3), SYNTH_OK);
    finish(f);
    uint8_t joined[4096];
    size_t n = dechunk(strstr(f->server, "\r\n\r\n") + 4, joined);
    char out[64] = {0};
    assert_int_equal(gunzip(joined, n, out, sizeof out - 1), 22);
    assert_string_equal(out, "first part;second part");
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_post_request_gets_host_and_content_length),
        T(test_response_with_content_length),
        T(test_chunked_body_grows_by_appended_chunks_then_ends),
        T(test_gzip_body_inflates_to_the_original),
        T(test_gzip_chunks_are_each_decodable_stream_parts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
