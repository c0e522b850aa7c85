/* WebSocket layer: accept key, masking by direction, fragmentation, close payloads and
 * permessage-deflate with and without context takeover, decoded here from the raw bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "readback.h"
#include "ws_session.h"

#include <glib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define T0 (1718000000ull * SYNTH_NS_PER_S)
#define STREAM_MAX 65536

typedef struct {
    bool fin, rsv1, masked;
    int opcode;
    size_t len;
    uint8_t payload[4096];
} ws_frame;

typedef struct {
    char *path;
    synth_t *s;
    synth_conn *c;
    synth_ws *ws;
    read_capture cap;
    uint8_t stream[2][STREAM_MAX];
    size_t stream_len[2];
    size_t offset[2]; /* parse position after the HTTP head */
} fixture;

static int open_ws(void **state, const synth_ws_options *o)
{
    fixture *f = g_new0(fixture, 1);
    synth_error err = {0};
    synth_endpoint cli, srv;
    synth_endpoint_parse("127.0.0.1:41000", &cli);
    synth_endpoint_parse("127.0.0.1:8080", &srv);
    f->path = temp_capture_path("ws.pcapng");
    f->s = synth_new_file(f->path, SYNTH_PCAPNG_NS, &err);
    f->c = synth_tcp_connect(f->s, &cli, &srv, T0);
    f->ws = synth_ws_upgrade(f->c, T0 + SYNTH_NS_PER_MS, "/signalr/connect?transport=webSockets",
                             NULL, o);
    *state = f;
    return f->ws ? 0 : -1;
}

static int setup_plain(void **state)
{
    return open_ws(state, NULL);
}

static int setup_deflate(void **state)
{
    synth_ws_options o = {.deflate = true};
    return open_ws(state, &o);
}

static int setup_deflate_no_takeover(void **state)
{
    synth_ws_options o = {.deflate = true, .no_context_takeover = true};
    return open_ws(state, &o);
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
    synth_ws_free(f->ws);
    synth_conn_free(f->c);
    assert_int_equal(synth_close(f->s, &err), SYNTH_OK);
    assert_true(capture_read(f->path, &f->cap));
    const uint16_t ports[2] = {41000, 8080};
    for (int d = 0; d < 2; d++) {
        f->stream_len[d] = capture_stream(&f->cap, ports[d], f->stream[d], STREAM_MAX);
        uint8_t *end =
            (uint8_t *)g_strstr_len((char *)f->stream[d], (gssize)f->stream_len[d], "\r\n\r\n");
        assert_non_null(end);
        f->offset[d] = (size_t)(end - f->stream[d]) + 4;
    }
}

/* Decodes the next frame of direction d (RFC 6455 5.2), unmasking client payloads. */
static void next_frame(fixture *f, synth_dir d, ws_frame *out)
{
    const uint8_t *p = f->stream[d] + f->offset[d];
    assert_true(f->offset[d] + 2 <= f->stream_len[d]);
    size_t n = 2, len = p[1] & 0x7F;
    out->fin = p[0] & 0x80;
    out->rsv1 = p[0] & 0x40;
    out->opcode = p[0] & 0x0F;
    out->masked = p[1] & 0x80;
    if (len == 126) {
        len = (size_t)p[2] << 8 | p[3];
        n = 4;
    }
    const uint8_t *mask = p + n;
    if (out->masked)
        n += 4;
    assert_true(len <= sizeof out->payload);
    for (size_t i = 0; i < len; i++)
        out->payload[i] = p[n + i] ^ (out->masked ? mask[i % 4] : 0);
    out->len = len;
    f->offset[d] += n + len;
}

static size_t inflate_raw(z_stream *z, const uint8_t *in, size_t len, char *out, size_t cap)
{
    uint8_t buf[4200];
    memcpy(buf, in, len);
    memcpy(buf + len, "\x00\x00\xff\xff", 4); /* RFC 7692 7.2.2 */
    z->next_in = buf;
    z->avail_in = (uInt)(len + 4);
    z->next_out = (Bytef *)out;
    z->avail_out = (uInt)cap;
    assert_true(inflate(z, Z_SYNC_FLUSH) == Z_OK);
    return cap - z->avail_out;
}

static void test_accept_key_matches_the_rfc_6455_example(void **state)
{
    (void)state;
    char *accept = synth_ws_accept_for_key("dGhlIHNhbXBsZSBub25jZQ==");
    assert_string_equal(accept, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    g_free(accept);
}

static void test_upgrade_answer_carries_the_accept_for_the_sent_key(void **state)
{
    fixture *f = *state;
    finish(f);
    char *req = g_strndup((char *)f->stream[0], f->offset[0]);
    char *resp = g_strndup((char *)f->stream[1], f->offset[1]);
    const char *k = strstr(req, "Sec-WebSocket-Key: ") + 19;
    char *key = g_strndup(k, strcspn(k, "\r"));
    char *accept = synth_ws_accept_for_key(key);
    char *line = g_strdup_printf("Sec-WebSocket-Accept: %s\r\n", accept);
    assert_non_null(strstr(resp, "HTTP/1.1 101 Switching Protocols\r\n"));
    assert_non_null(strstr(resp, line));
    g_free(line);
    g_free(accept);
    g_free(key);
    g_free(resp);
    g_free(req);
}

static void test_client_frames_are_masked_and_server_frames_are_not(void **state)
{
    fixture *f = *state;
    synth_ws_send_text(f->ws, SYNTH_C2S, T0 + SYNTH_NS_PER_S, "{\"H\":\"chathub\"}");
    synth_ws_send_text(f->ws, SYNTH_S2C, T0 + 2 * SYNTH_NS_PER_S, "{}");
    finish(f);
    ws_frame fr;
    next_frame(f, SYNTH_C2S, &fr);
    assert_true(fr.masked && fr.fin && fr.opcode == WS_OP_TEXT);
    assert_memory_equal(fr.payload, "{\"H\":\"chathub\"}", 15);
    assert_memory_equal(f->stream[1] + f->offset[1], "\x81\x02{}", 4); /* 81 02 7B 7D */
}

static void test_fragmented_message_uses_continuation_frames(void **state)
{
    fixture *f = *state;
    synth_ws_send_fragmented(f->ws, SYNTH_S2C, T0 + SYNTH_NS_PER_S, WS_OP_TEXT, "abcdefgh", 8, 3);
    finish(f);
    ws_frame a, b, c;
    next_frame(f, SYNTH_S2C, &a);
    next_frame(f, SYNTH_S2C, &b);
    next_frame(f, SYNTH_S2C, &c);
    assert_true(a.opcode == WS_OP_TEXT && !a.fin && a.len == 3);
    assert_true(b.opcode == WS_OP_CONTINUATION && !b.fin && b.len == 3);
    assert_true(c.opcode == WS_OP_CONTINUATION && c.fin && c.len == 2);
    assert_memory_equal(c.payload, "gh", 2);
}

static void test_close_with_code_and_close_without_code(void **state)
{
    fixture *f = *state;
    synth_ws_close(f->ws, SYNTH_C2S, T0 + SYNTH_NS_PER_S, 0, NULL);
    synth_ws_close(f->ws, SYNTH_S2C, T0 + 2 * SYNTH_NS_PER_S, 1000, "bye");
    finish(f);
    ws_frame c, s;
    next_frame(f, SYNTH_C2S, &c);
    next_frame(f, SYNTH_S2C, &s);
    assert_true(c.opcode == WS_OP_CLOSE && c.len == 0 && c.masked);
    assert_true(s.opcode == WS_OP_CLOSE && s.len == 5);
    assert_memory_equal(s.payload,
                        "\x03\xe8"
                        "bye",
                        5);
}

static void send_same_message_twice(fixture *f, ws_frame *a, ws_frame *b, z_stream *z)
{
    const char *msg = "{\"C\":\"d-6A1F30C2-B,1|C,0|D,1\",\"M\":[{\"H\":\"ChatHub\",\"M\":\"x\"}]}";
    synth_ws_send_text(f->ws, SYNTH_S2C, T0 + SYNTH_NS_PER_S, msg);
    synth_ws_send_text(f->ws, SYNTH_S2C, T0 + 2 * SYNTH_NS_PER_S, msg);
    synth_ws_frame(f->ws, SYNTH_S2C, T0 + 3 * SYNTH_NS_PER_S, true, false, WS_OP_PING, "p", 1);
    finish(f);
    next_frame(f, SYNTH_S2C, a);
    next_frame(f, SYNTH_S2C, b);
    assert_true(a->rsv1 && b->rsv1);
    char out[512];
    memset(z, 0, sizeof *z);
    assert_int_equal(inflateInit2(z, -15), Z_OK);
    size_t n = inflate_raw(z, a->payload, a->len, out, sizeof out);
    assert_int_equal(n, strlen(msg));
    assert_memory_equal(out, msg, n);
    ws_frame ping;
    next_frame(f, SYNTH_S2C, &ping);
    assert_true(ping.opcode == WS_OP_PING && !ping.rsv1 && ping.len == 1);
}

static void test_deflate_with_context_takeover_shrinks_a_repeat(void **state)
{
    fixture *f = *state;
    ws_frame a, b;
    z_stream z;
    send_same_message_twice(f, &a, &b, &z);
    assert_true(b.len < a.len);
    char out[512];
    size_t n = inflate_raw(&z, b.payload, b.len, out, sizeof out);
    assert_memory_equal(out, "{\"C\":", 5);
    assert_true(n > 40);
    inflateEnd(&z);
}

static void test_deflate_without_context_takeover_repeats_identically(void **state)
{
    fixture *f = *state;
    ws_frame a, b;
    z_stream z;
    send_same_message_twice(f, &a, &b, &z);
    inflateEnd(&z);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.payload, b.payload, a.len);
    char req[1024];
    memcpy(req, f->stream[0], f->offset[0]);
    req[f->offset[0]] = '\0';
    assert_non_null(strstr(req, "client_no_context_takeover"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accept_key_matches_the_rfc_6455_example),
        cmocka_unit_test_setup_teardown(test_upgrade_answer_carries_the_accept_for_the_sent_key,
                                        setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_client_frames_are_masked_and_server_frames_are_not,
                                        setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_fragmented_message_uses_continuation_frames,
                                        setup_plain, teardown),
        cmocka_unit_test_setup_teardown(test_close_with_code_and_close_without_code, setup_plain,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_deflate_with_context_takeover_shrinks_a_repeat,
                                        setup_deflate, teardown),
        cmocka_unit_test_setup_teardown(test_deflate_without_context_takeover_repeats_identically,
                                        setup_deflate_no_takeover, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
