/* transport_ws_test.c - WebSocket framing after a 101 upgrade, with permessage-deflate. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <setjmp.h>
#include <cmocka.h>

#include "http_wire_log.h"
#include "transport/ws_reader.h"

#define WS_REQUEST                                                                                 \
    "GET /signalr/connect?transport=webSockets&tid=7 HTTP/1.1\r\nUpgrade: websocket\r\n"           \
    "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
#define WS_101                                                                                     \
    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"            \
    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
#define WS_LOG_HEAD                                                                                \
    "request #0 GET /signalr/connect?transport=webSockets&tid=7\n"                                 \
    "response #0 101\n"

static const uint8_t MASK[4] = {0x37, 0xfa, 0x21, 0x3d};

/* Appends one frame to `out` and returns the new length. */
static size_t frame(uint8_t *out, size_t at, bool fin, bool rsv1, uint8_t opcode,
                    const uint8_t *mask, const void *payload, size_t len)
{
    const uint8_t *p = payload;
    out[at++] = (uint8_t)((fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode);
    uint8_t m = mask ? 0x80 : 0;
    if (len < 126) {
        out[at++] = (uint8_t)(m | len);
    } else if (len <= 0xffff) {
        out[at++] = m | 126;
        out[at++] = (uint8_t)(len >> 8);
        out[at++] = (uint8_t)len;
    } else {
        out[at++] = m | 127;
        for (int i = 7; i >= 0; i--)
            out[at++] = (uint8_t)((uint64_t)len >> (8 * i));
    }
    if (mask) {
        memcpy(out + at, mask, 4);
        at += 4;
    }
    for (size_t i = 0; i < len; i++)
        out[at + i] = p[i] ^ (mask ? mask[i & 3] : 0);
    return at + len;
}

static size_t text(uint8_t *out, size_t at, const uint8_t *mask, const char *s)
{
    return frame(out, at, true, false, 0x1, mask, s, strlen(s));
}

static void test_ws_client_frames_masked_server_frames_plain(void **state)
{
    (void)state;
    uint8_t c2s[128], s2c[128];
    size_t cn = text(c2s, 0, MASK, "{\"H\":\"chathub\",\"M\":\"Send\",\"A\":[\"hi\"],\"I\":0}");
    size_t sn = text(s2c, 0, NULL, "{\"C\":\"d-6A1F30C2-B,0|C,0|D,1\",\"S\":1,\"M\":[]}");
    sn = text(s2c, sn, NULL, "{}");
    replay_step steps[] = {C2S(WS_REQUEST), S2C(WS_101 "\r\n"), C2S_BIN(c2s, cn), S2C_BIN(s2c, sn)};
    replay_expect(steps, 4, NULL,
                  WS_LOG_HEAD "ws c>s #0 text masked frames=1 len=43: "
                              "{\"H\":\"chathub\",\"M\":\"Send\",\"A\":[\"hi\"],\"I\":0}\n"
                              "ws s>c #0 text frames=1 len=43: "
                              "{\"C\":\"d-6A1F30C2-B,0|C,0|D,1\",\"S\":1,\"M\":[]}\n"
                              "ws s>c #0 text frames=1 len=2: {}\n");
}

static void test_ws_16_bit_length(void **state)
{
    (void)state;
    char payload[301];
    memset(payload, 'a', 300);
    payload[300] = '\0';
    uint8_t s2c[400];
    size_t sn = text(s2c, 0, NULL, payload);
    assert_int_equal(s2c[1], 126);
    replay_step steps[] = {C2S(WS_REQUEST), S2C(WS_101 "\r\n"), S2C_BIN(s2c, sn)};
    char *got = replay_whole(steps, 3, NULL);
    assert_non_null(strstr(got, "ws s>c #0 text frames=1 len=300: aaaa"));
    free(got);
    replay_expect_large(steps, 3, NULL, got = replay_whole(steps, 3, NULL), 7);
    free(got);
}

static void test_ws_64_bit_length(void **state)
{
    (void)state;
    size_t len = 70000;
    char *payload = malloc(len + 1);
    uint8_t *s2c = malloc(len + 16);
    assert_non_null(payload);
    assert_non_null(s2c);
    for (size_t i = 0; i < len; i++)
        payload[i] = (char)('a' + i % 26);
    payload[len] = '\0';
    size_t sn = frame(s2c, 0, true, false, 0x2, NULL, payload, len);
    assert_int_equal(s2c[1], 127);
    replay_step steps[] = {C2S(WS_REQUEST), S2C(WS_101 "\r\n"), S2C_BIN(s2c, sn)};
    char *got = replay_whole(steps, 3, NULL);
    assert_non_null(
        strstr(got, "ws s>c #0 binary frames=1 len=70000: abcdefghijklmnopqrstuvwxyzab"));
    replay_expect_large(steps, 3, NULL, got, 997);
    free(got);
    free(payload);
    free(s2c);
}

static void test_ws_fragmented_message_with_ping_in_between(void **state)
{
    (void)state;
    uint8_t c2s[128];
    size_t cn = frame(c2s, 0, false, false, 0x1, MASK, "{\"H\":\"chat", 10);
    cn = frame(c2s, cn, true, false, 0x9, MASK, "beat", 4);
    cn = frame(c2s, cn, false, false, 0x0, MASK, "hub\",", 5);
    cn = frame(c2s, cn, true, false, 0x0, MASK, "\"I\":1}", 6);
    uint8_t s2c[16];
    size_t sn = frame(s2c, 0, true, false, 0xA, NULL, "beat", 4);
    replay_step steps[] = {C2S(WS_REQUEST), S2C(WS_101 "\r\n"), C2S_BIN(c2s, cn), S2C_BIN(s2c, sn)};
    replay_expect(steps, 4, NULL,
                  WS_LOG_HEAD "ws-ping c>s #0: beat\n"
                              "ws c>s #0 text masked frames=3 len=21: {\"H\":\"chathub\",\"I\":1}\n"
                              "ws-pong s>c #0: beat\n");
}

static void test_ws_close_with_code_and_reason_and_client_close_without_code(void **state)
{
    (void)state;
    uint8_t c2s[16], s2c[32];
    size_t cn = frame(c2s, 0, true, false, 0x8, MASK, NULL, 0);
    size_t sn = frame(s2c, 0, true, false, 0x8, NULL, "\x03\xe8going away", 12);
    replay_step steps[] = {C2S(WS_REQUEST), S2C(WS_101 "\r\n"), C2S_BIN(c2s, cn), S2C_BIN(s2c, sn),
                           FIN(TCP_DIR_TO_SERVER)};
    replay_expect(steps, 5, NULL,
                  WS_LOG_HEAD "ws-close c>s #0 no-code\n"
                              "ws-close s>c #0 1000 going away\n"
                              "fin c>s\n");
}

/* ---- permessage-deflate ------------------------------------------------------------------- */

typedef struct deflater {
    z_stream z;
} deflater;

static void deflater_init(deflater *d)
{
    memset(d, 0, sizeof(*d));
    assert_int_equal(deflateInit2(&d->z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY), Z_OK);
}

/* RFC 7692: compress, sync-flush, drop the trailing 00 00 ff ff. */
static size_t deflate_message(deflater *d, const char *msg, uint8_t *out, size_t cap)
{
    d->z.next_in = (Bytef *)(uintptr_t)msg;
    d->z.avail_in = (uInt)strlen(msg);
    d->z.next_out = out;
    d->z.avail_out = (uInt)cap;
    assert_int_equal(deflate(&d->z, Z_SYNC_FLUSH), Z_OK);
    size_t n = cap - d->z.avail_out;
    assert_true(n >= 4);
    assert_memory_equal(out + n - 4, "\x00\x00\xff\xff", 4);
    return n - 4;
}

#define MSG_A "{\"C\":\"d-6A1F30C2-B,0|C,0|D,1\",\"M\":[{\"H\":\"ChatHub\",\"M\":\"send\"}]}"
#define MSG_B "{\"C\":\"d-6A1F30C2-B,1|C,0|D,1\",\"M\":[{\"H\":\"ChatHub\",\"M\":\"send\"}]}"

static void test_ws_permessage_deflate_with_context_takeover(void **state)
{
    (void)state;
    deflater d;
    deflater_init(&d);
    uint8_t z[256], s2c[512];
    size_t zn = deflate_message(&d, MSG_A, z, sizeof(z));
    size_t sn = frame(s2c, 0, true, true, 0x1, NULL, z, zn);
    zn = deflate_message(&d, MSG_B, z, sizeof(z)); /* refers back to MSG_A */
    assert_true(zn < 20);
    sn = frame(s2c, sn, true, true, 0x1, NULL, z, zn);
    deflateEnd(&d.z);
    replay_step steps[] = {C2S(WS_REQUEST),
                           S2C(WS_101 "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
                           S2C_BIN(s2c, sn)};
    replay_expect(steps, 3, NULL,
                  WS_LOG_HEAD "ws s>c #0 text deflate frames=1 len=63: " MSG_A "\n"
                              "ws s>c #0 text deflate frames=1 len=63: " MSG_B "\n");
}

static void test_ws_permessage_deflate_without_context_takeover(void **state)
{
    (void)state;
    uint8_t z[256], c2s[512];
    size_t cn = 0;
    for (int i = 0; i < 2; i++) {
        deflater d;
        deflater_init(&d); /* a fresh window per message, as client_no_context_takeover asks */
        size_t zn = deflate_message(&d, i == 0 ? MSG_A : MSG_B, z, sizeof(z));
        deflateEnd(&d.z);
        cn = frame(c2s, cn, true, true, 0x1, MASK, z, zn);
    }
    replay_step steps[] = {
        C2S(WS_REQUEST),
        S2C(WS_101 "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover;"
                   " server_no_context_takeover; server_max_window_bits=10\r\n\r\n"),
        C2S_BIN(c2s, cn)};
    replay_expect(steps, 3, NULL,
                  WS_LOG_HEAD "ws c>s #0 text masked deflate frames=1 len=63: " MSG_A "\n"
                              "ws c>s #0 text masked deflate frames=1 len=63: " MSG_B "\n");
}

static void test_ws_extension_header_parsing(void **state)
{
    (void)state;
    static const char a[] = "x-webkit-deflate-frame, permessage-deflate ; "
                            "Server_No_Context_Takeover";
    ws_deflate_params p = ws_parse_extensions(a, strlen(a));
    assert_true(p.enabled);
    assert_true(p.server_no_context_takeover);
    assert_false(p.client_no_context_takeover);
    static const char b[] = "permessage-deflatex";
    assert_false(ws_parse_extensions(b, strlen(b)).enabled);
}

static void test_ws_compressed_message_fragmented_across_frames(void **state)
{
    (void)state;
    deflater d;
    deflater_init(&d);
    uint8_t z[256], c2s[512];
    size_t zn = deflate_message(&d, MSG_A, z, sizeof(z));
    deflateEnd(&d.z);
    size_t half = zn / 2;
    /* RSV1 only on the first frame of the message, as RFC 7692 requires */
    size_t cn = frame(c2s, 0, false, true, 0x1, MASK, z, half);
    cn = frame(c2s, cn, true, false, 0x0, MASK, z + half, zn - half);
    replay_step steps[] = {C2S(WS_REQUEST),
                           S2C(WS_101 "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
                           C2S_BIN(c2s, cn)};
    replay_expect(steps, 3, NULL,
                  WS_LOG_HEAD "ws c>s #0 text masked deflate frames=2 len=63: " MSG_A "\n");
}

static void test_ws_truncated_compressed_message_breaks_shared_context(void **state)
{
    (void)state;
    wire_config cfg;
    wire_config_defaults(&cfg);
    cfg.max_ws_message = 32;
    deflater d;
    deflater_init(&d);
    uint8_t z[256], s2c[512];
    size_t zn = deflate_message(&d, MSG_A, z, sizeof(z));
    size_t sn = frame(s2c, 0, true, true, 0x1, NULL, z, zn);
    zn = deflate_message(&d, MSG_B, z, sizeof(z));
    sn = frame(s2c, sn, true, true, 0x1, NULL, z, zn);
    deflateEnd(&d.z);
    sn = text(s2c, sn, NULL, "{}");
    replay_step steps[] = {C2S(WS_REQUEST),
                           S2C(WS_101 "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n"),
                           S2C_BIN(s2c, sn)};
    replay_expect(steps, 3, &cfg,
                  WS_LOG_HEAD "ws s>c #0 text deflate frames=1 truncated len=32: "
                              "{\"C\":\"d-6A1F30C2-B,0|C,0|D,1\",\"M\n"
                              "ws s>c #0 text deflate frames=1 undecoded len=0: \n"
                              "ws s>c #0 text frames=1 len=2: {}\n");
}

static void test_ws_message_carries_frame_of_its_last_fragment(void **state)
{
    (void)state;
    uint8_t a[32], b[32];
    size_t an = frame(a, 0, false, false, 0x1, NULL, "{\"S\":", 5);
    size_t bn = frame(b, 0, true, false, 0x0, NULL, "1}", 2);
    wire_trace s;
    trace_open(&s, NULL);                             /* 1 */
    TRACE_TEXT(&s, TCP_DIR_TO_SERVER, WS_REQUEST);    /* 2 */
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT, WS_101 "\r\n"); /* 3 */
    trace_data(&s, TCP_DIR_TO_CLIENT, a, an);         /* 4 */
    trace_data(&s, TCP_DIR_TO_CLIENT, b, bn - 1);     /* 5 */
    trace_data(&s, TCP_DIR_TO_CLIENT, b + bn - 1, 1); /* 6 */
    trace_close(&s);
    assert_int_equal(trace_frame_of(&s, LF_WIRE_WS_MESSAGE, 0), 6);
    trace_free(&s);
}

static void test_rsv1_without_negotiated_deflate_is_an_error(void **state)
{
    (void)state;
    static const uint8_t s2c[] = {0xc1, 0x02, 0x7b, 0x7d};
    replay_step steps[] = {C2S(WS_REQUEST), S2C(WS_101 "\r\n"), S2C_BIN(s2c, sizeof(s2c))};
    replay_expect(steps, 3, NULL,
                  WS_LOG_HEAD
                  "error s>c: WebSocket frame with RSV1 set outside a compressed message start\n");
}

static void test_oversized_control_frame_is_an_error(void **state)
{
    (void)state;
    static const uint8_t s2c[] = {0x89, 0x7e, 0x00, 0x80};
    replay_step steps[] = {C2S(WS_REQUEST), S2C(WS_101 "\r\n"), S2C_BIN(s2c, sizeof(s2c))};
    replay_expect(steps, 3, NULL,
                  WS_LOG_HEAD "error s>c: fragmented or oversized WebSocket control frame\n");
}

/* ---- caps and hostile frames -------------------------------------------------------------- */

static void test_ws_message_over_cap_is_truncated_and_frames_still_tracked(void **state)
{
    (void)state;
    wire_config cfg;
    wire_config_defaults(&cfg);
    cfg.max_ws_message = 8;
    uint8_t s2c[128];
    size_t sn = frame(s2c, 0, false, false, 0x1, NULL, "0123456789", 10);
    sn = frame(s2c, sn, true, false, 0x0, NULL, "abcdef", 6);
    sn = text(s2c, sn, NULL, "{}");
    replay_step steps[] = {C2S(WS_REQUEST), S2C(WS_101 "\r\n"), S2C_BIN(s2c, sn)};
    replay_expect(steps, 3, &cfg,
                  WS_LOG_HEAD "ws s>c #0 text frames=2 truncated len=8: 01234567\n"
                              "ws s>c #0 text frames=1 len=2: {}\n");
}

static void test_ws_reserved_opcode_gives_one_error(void **state)
{
    (void)state;
    static const uint8_t s2c[] = {0x83, 0x01, 'x', 0x81, 0x01, 'y', 0x81, 0x01, 'z'};
    replay_step steps[] = {C2S(WS_REQUEST), S2C(WS_101 "\r\n"), S2C_BIN(s2c, sizeof(s2c))};
    replay_expect(steps, 3, NULL,
                  WS_LOG_HEAD "error s>c: WebSocket frame with a reserved opcode\n");
}

static void test_ws_gap_inside_payload_marks_message_incomplete(void **state)
{
    (void)state;
    uint8_t s2c[64];
    size_t sn = text(s2c, 0, NULL, "{\"M\":[\"abcdefgh\"]}");
    replay_step steps[] = {
        C2S(WS_REQUEST),           S2C(WS_101 "\r\n"),         S2C_BIN(s2c, 8),
        GAP(TCP_DIR_TO_CLIENT, 8), S2C_BIN(s2c + 16, sn - 16), S2C("\x81\x02{}")};
    replay_expect(steps, 6, NULL,
                  WS_LOG_HEAD "gap s>c 8\n"
                              "ws s>c #0 text frames=1 incomplete len=10: {\"M\":[h\"]}\n"
                              "ws s>c #0 text frames=1 len=2: {}\n");
}

/* Resynchronisation looks at the start of the segments after a loss: one step, one segment. */
static void test_ws_gap_over_whole_frame_resyncs_on_next_frame(void **state)
{
    (void)state;
    static const replay_step steps[] = {
        C2S(WS_REQUEST),
        S2C(WS_101 "\r\n\x81\x02{}"),
        GAP(TCP_DIR_TO_CLIENT, 13), /* 81 0b {"M":[1,2]} */
        S2C("\x81\x02{}"),
    };
    char *got = replay_whole(steps, sizeof steps / sizeof steps[0], NULL);
    assert_string_equal(got, WS_LOG_HEAD "ws s>c #0 text frames=1 len=2: {}\n"
                                         "gap s>c 13\n"
                                         "ws s>c #0 text frames=1 len=2: {}\n");
    free(got);
}

static void test_ws_gap_past_frame_end_skips_segments_not_starting_a_frame(void **state)
{
    (void)state;
    uint8_t s2c[64];
    size_t sn = text(s2c, 0, NULL, "{\"M\":[\"abcdefgh\"]}");
    sn = text(s2c, sn, NULL, "{\"M\":[\"ijklmnop\"]}");
    static const uint8_t masked_by_a_server[] = {0x81, 0x82, 1, 2, 3, 4, 'z' ^ 1, 'z' ^ 2};
    replay_step steps[] = {
        C2S(WS_REQUEST),
        S2C(WS_101 "\r\n"),
        S2C_BIN(s2c, 8),
        /* the first frame's last 12 bytes and the second one's header and first 6 */
        GAP(TCP_DIR_TO_CLIENT, 20),
        S2C_BIN(s2c + 28, sn - 28),
        S2C_BIN(masked_by_a_server, sizeof masked_by_a_server),
        S2C("\x81\x02{}"),
    };
    char *got = replay_whole(steps, sizeof steps / sizeof steps[0], NULL);
    assert_string_equal(got, WS_LOG_HEAD "gap s>c 20\n"
                                         "ws s>c #0 text frames=1 incomplete len=6: {\"M\":[\n"
                                         "ws s>c #0 text frames=1 len=2: {}\n");
    free(got);
}

/* The second fragment of a compressed message is lost whole: without context takeover the
 * next message starts a fresh window, so it still decodes. */
static void test_ws_lost_fragment_of_compressed_message_leaves_next_message_decodable(void **state)
{
    (void)state;
    uint8_t za[256], zb[256], c2s[512];
    deflater d;
    deflater_init(&d);
    size_t an = deflate_message(&d, MSG_A, za, sizeof za);
    deflateEnd(&d.z);
    deflater_init(&d);
    size_t bn = deflate_message(&d, MSG_B, zb, sizeof zb);
    deflateEnd(&d.z);
    size_t first = frame(c2s, 0, false, true, 0x1, MASK, za, an / 2);
    size_t second = frame(c2s, first, true, false, 0x0, MASK, za + an / 2, an - an / 2);
    size_t end = frame(c2s, second, true, true, 0x1, MASK, zb, bn);
    replay_step steps[] = {
        C2S(WS_REQUEST),
        S2C(WS_101 "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover;"
                   " server_no_context_takeover\r\n\r\n"),
        C2S_BIN(c2s, first), GAP(TCP_DIR_TO_SERVER, second - first),
        C2S_BIN(c2s + second, end - second)};
    char *got = replay_whole(steps, sizeof steps / sizeof steps[0], NULL);
    char expected[512];
    snprintf(expected, sizeof expected,
             WS_LOG_HEAD "gap c>s %zu\nws c>s #0 text masked deflate frames=1 len=63: " MSG_B "\n",
             second - first);
    assert_string_equal(got, expected);
    free(got);
}

static void test_ws_random_bytes_give_at_most_one_error_per_direction(void **state)
{
    (void)state;
    uint32_t x = 0x9E3779B9;
    uint8_t bytes[1 << 16];
    for (size_t i = 0; i < sizeof(bytes); i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        bytes[i] = (uint8_t)x;
    }
    wire_trace s;
    trace_open(&s, NULL);
    TRACE_TEXT(&s, TCP_DIR_TO_SERVER, WS_REQUEST);
    TRACE_TEXT(&s, TCP_DIR_TO_CLIENT,
               WS_101 "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n");
    for (size_t at = 0; at < sizeof(bytes); at += 1024)
        trace_data(&s, (tcp_dir)((at / 1024) & 1), bytes + at, 1024);
    const char *log = trace_close(&s);
    size_t errors = 0;
    for (const char *p = strstr(log, "error "); p; p = strstr(p + 1, "error "))
        errors++;
    assert_true(errors >= 1);
    assert_true(errors <= 2);
    trace_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ws_client_frames_masked_server_frames_plain),
        cmocka_unit_test(test_ws_16_bit_length),
        cmocka_unit_test(test_ws_64_bit_length),
        cmocka_unit_test(test_ws_fragmented_message_with_ping_in_between),
        cmocka_unit_test(test_ws_close_with_code_and_reason_and_client_close_without_code),
        cmocka_unit_test(test_ws_permessage_deflate_with_context_takeover),
        cmocka_unit_test(test_ws_permessage_deflate_without_context_takeover),
        cmocka_unit_test(test_ws_extension_header_parsing),
        cmocka_unit_test(test_ws_compressed_message_fragmented_across_frames),
        cmocka_unit_test(test_ws_truncated_compressed_message_breaks_shared_context),
        cmocka_unit_test(test_ws_message_carries_frame_of_its_last_fragment),
        cmocka_unit_test(test_rsv1_without_negotiated_deflate_is_an_error),
        cmocka_unit_test(test_oversized_control_frame_is_an_error),
        cmocka_unit_test(test_ws_message_over_cap_is_truncated_and_frames_still_tracked),
        cmocka_unit_test(test_ws_reserved_opcode_gives_one_error),
        cmocka_unit_test(test_ws_gap_inside_payload_marks_message_incomplete),
        cmocka_unit_test(test_ws_gap_over_whole_frame_resyncs_on_next_frame),
        cmocka_unit_test(test_ws_gap_past_frame_end_skips_segments_not_starting_a_frame),
        cmocka_unit_test(test_ws_lost_fragment_of_compressed_message_leaves_next_message_decodable),
        cmocka_unit_test(test_ws_random_bytes_give_at_most_one_error_per_direction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
