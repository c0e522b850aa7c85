/* tcp_reassembly_tests.c - TCP reassembly scenarios, each a short conversation built packet by
 * packet and checked against the consumer's log (see tcp_test_recorder.h for the line format).
 * Frame N is captured at N milliseconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pcap/dlt.h>
#include <stdlib.h>
#include <string.h>

#include "capture/frame_decode.h"
#include "tcp/tcp_direction.h"
#include "tcp/tcp_flow_key.h"
#include "tcp/tcp_reassembler.h"
#include "tcp_test_packets.h"
#include "tcp_test_recorder.h"

#define MS 1000000LL
#define C_ISN 1000u
#define S_ISN 5000u

enum side { CLIENT, SERVER };

typedef struct conn_test {
    tcp_test_recorder rec;
    tcp_reassembler_config config;
    tcp_reassembler *r;
    uint64_t frame;
    uint8_t family;
    uint16_t client_port;
    uint16_t server_port;
} conn_test;

static int setup(void **state)
{
    conn_test *t = calloc(1, sizeof *t);
    tcp_test_recorder_init(&t->rec);
    tcp_reassembler_config_default(&t->config);
    t->family = 4;
    t->client_port = 50000;
    t->server_port = 80;
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    conn_test *t = *state;
    tcp_reassembler_free(t->r);
    tcp_test_recorder_free(&t->rec);
    free(t);
    return 0;
}

static tcp_reassembler *reassembler(conn_test *t)
{
    if (!t->r)
        t->r = tcp_reassembler_new(&t->config, &t->rec.consumer, &t->rec.diag);
    return t->r;
}

static void set_addr(uint8_t family, uint8_t last, uint8_t out[16])
{
    memset(out, 0, 16);
    if (family == 4) {
        const uint8_t v4[4] = {10, 0, 0, last};
        memcpy(out, v4, 4);
    } else {
        const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = last};
        memcpy(out, v6, 16);
    }
}

/* Sends one segment, of which only `captured` payload bytes reach the capture (snaplen). */
static void send_cut(conn_test *t, enum side from, uint32_t seq, uint32_t ack, uint8_t flags,
                     const char *payload, size_t captured)
{
    tcp_test_seg s = {.family = t->family, .seq = seq, .ack = ack, .flags = flags,
                      .payload = payload, .len = payload ? strlen(payload) : 0};
    set_addr(t->family, from == CLIENT ? 1 : 2, s.src);
    set_addr(t->family, from == CLIENT ? 2 : 1, s.dst);
    s.sport = from == CLIENT ? t->client_port : t->server_port;
    s.dport = from == CLIENT ? t->server_port : t->client_port;
    uint8_t buf[2048];
    size_t len = tcp_test_build_ip(&s, buf, sizeof buf);
    assert_true(len > 0);
    size_t cut = s.len - (captured < s.len ? captured : s.len);
    lf_packet pkt = {.ref = {.file = 0, .frame = ++t->frame, .time = (lf_time_ns)t->frame * MS},
                     .wirelen = (uint32_t)len};
    assert_int_equal(lf_frame_decode(DLT_RAW, buf, (uint32_t)(len - cut), &pkt), LF_PACKET_TCP);
    tcp_reassembler_packet(reassembler(t), &pkt);
}

static void send_seg(conn_test *t, enum side from, uint32_t seq, uint32_t ack, uint8_t flags,
                     const char *payload)
{
    send_cut(t, from, seq, ack, flags, payload, SIZE_MAX);
}

/* Frames 1-3: SYN, SYN/ACK, ACK; the client's data then starts at C_ISN+1, the server's at
 * S_ISN+1. */
static void handshake(conn_test *t)
{
    send_seg(t, CLIENT, C_ISN, 0, LF_TCP_SYN, NULL);
    send_seg(t, SERVER, S_ISN, C_ISN + 1, LF_TCP_SYN | LF_TCP_ACK, NULL);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, NULL);
}

static void expect_log_after_finish(conn_test *t, const char *expected)
{
    tcp_reassembler_finish(reassembler(t));
    assert_string_equal(t->rec.log, expected);
    assert_int_equal(t->rec.open_streams, 0);
}

#define OPEN0 "open 0 client=10.0.0.1:50000 server=10.0.0.2:80 handshake @1\n"

static void test_tcp_in_order_segments_are_delivered_as_sent(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK | LF_TCP_PSH, "GET /a");
    send_seg(t, CLIENT, C_ISN + 7, S_ISN + 1, LF_TCP_ACK | LF_TCP_PSH, "GET /b");
    send_seg(t, SERVER, S_ISN + 1, C_ISN + 13, LF_TCP_ACK | LF_TCP_PSH, "200 OK");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"GET /a\" @4\n"
                               "data 0 to_server \"GET /b\" @5\n"
                               "data 0 to_client \"200 OK\" @6\n"
                               "close 0 CAPTURE_ENDED @6\n");
}

static void test_tcp_out_of_order_segment_waits_for_the_frame_that_fills_the_hole(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 7, S_ISN + 1, LF_TCP_ACK, "world!");
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "hello ");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"hello \" @5\n"
                               "data 0 to_server \"world!\" @5\n"
                               "close 0 CAPTURE_ENDED @5\n");
}

static void test_tcp_identical_retransmission_is_dropped(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "hello");
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "hello");
    send_seg(t, CLIENT, C_ISN + 6, S_ISN + 1, LF_TCP_ACK, "there");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"hello\" @4\n"
                               "data 0 to_server \"there\" @6\n"
                               "close 0 CAPTURE_ENDED @6\n");
}

static void test_tcp_duplicate_of_a_buffered_segment_is_delivered_once(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 6, S_ISN + 1, LF_TCP_ACK, "there");
    send_seg(t, CLIENT, C_ISN + 6, S_ISN + 1, LF_TCP_ACK, "there");
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "hello");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"hello\" @6\n"
                               "data 0 to_server \"there\" @6\n"
                               "close 0 CAPTURE_ENDED @6\n");
}

static void test_tcp_retransmission_with_changed_bytes_is_reported(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "hello");
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "HELLO");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"hello\" @4\n"
                               "diag TCP_RETRANSMIT_CONFLICT @5\n"
                               "close 0 CAPTURE_ENDED @5\n");
}

/* Acknowledgements move next_seq 2^31 bytes past a remembered segment: a retransmission just
 * behind next_seq must not be taken to contain that segment (the serial comparisons wrap). */
static void test_tcp_retransmission_half_the_sequence_space_past_a_remembered_segment(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "hello");
    uint32_t next = C_ISN + 6;
    send_seg(t, SERVER, S_ISN + 1, next + (UINT32_C(1) << 30), LF_TCP_ACK, NULL);
    send_seg(t, SERVER, S_ISN + 1, next + (UINT32_C(1) << 31), LF_TCP_ACK, NULL);
    send_seg(t, CLIENT, next + (UINT32_C(1) << 31) - 100, S_ISN + 1, LF_TCP_ACK, "0123456789");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"hello\" @4\n"
                               "gap 0 to_server 1073741824 @5\n"
                               "gap 0 to_server 1073741824 @6\n"
                               "close 0 CAPTURE_ENDED @7\n");
}

static void test_tcp_changed_copy_of_a_buffered_segment_is_reported_and_first_kept(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 6, S_ISN + 1, LF_TCP_ACK, "world");
    send_seg(t, CLIENT, C_ISN + 6, S_ISN + 1, LF_TCP_ACK, "WORLD");
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "hello");
    expect_log_after_finish(t, OPEN0 "diag TCP_RETRANSMIT_CONFLICT @5\n"
                               "data 0 to_server \"hello\" @6\n"
                               "data 0 to_server \"world\" @6\n"
                               "close 0 CAPTURE_ENDED @6\n");
}

static void test_tcp_in_order_segment_overlapping_a_buffered_one_keeps_the_buffered_bytes(
    void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 6, S_ISN + 1, LF_TCP_ACK, "WORLD");
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "helloworld!");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"hello\" @5\n"
                               "diag TCP_RETRANSMIT_CONFLICT @5\n"
                               "data 0 to_server \"WORLD\" @5\n"
                               "data 0 to_server \"!\" @5\n"
                               "close 0 CAPTURE_ENDED @5\n");
}

static void test_tcp_sequence_numbers_wrap_around_2_pow_32(void **state)
{
    conn_test *t = *state;
    const uint32_t isn = 0xFFFFFFF0u;
    send_seg(t, CLIENT, isn, 0, LF_TCP_SYN, NULL);
    send_seg(t, SERVER, S_ISN, isn + 1, LF_TCP_SYN | LF_TCP_ACK, NULL);
    send_seg(t, CLIENT, isn + 1, S_ISN + 1, LF_TCP_ACK, NULL);
    send_seg(t, CLIENT, isn + 1, S_ISN + 1, LF_TCP_ACK, "0123456789"); /* ends at 0xFFFFFFFB */
    send_seg(t, CLIENT, 5, S_ISN + 1, LF_TCP_ACK, "klmno");            /* after the wrap */
    send_seg(t, CLIENT, 0xFFFFFFFBu, S_ISN + 1, LF_TCP_ACK, "abcdefghij"); /* across it */
    send_seg(t, SERVER, S_ISN + 1, 10, LF_TCP_ACK, NULL);
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"0123456789\" @4\n"
                               "data 0 to_server \"abcdefghij\" @6\n"
                               "data 0 to_server \"klmno\" @6\n"
                               "close 0 CAPTURE_ENDED @7\n");
}

static void test_tcp_capture_starting_mid_stream_takes_port_80_as_the_server(void **state)
{
    conn_test *t = *state;
    send_seg(t, SERVER, 7000, 3000, LF_TCP_ACK, "HTTP/1.1 200");
    send_seg(t, CLIENT, 3000, 7012, LF_TCP_ACK, "GET");
    expect_log_after_finish(t, "open 0 client=10.0.0.1:50000 server=10.0.0.2:80 guessed @1\n"
                               "data 0 to_client \"HTTP/1.1 200\" @1\n"
                               "data 0 to_server \"GET\" @2\n"
                               "close 0 CAPTURE_ENDED @2\n");
}

static void test_tcp_capture_starting_mid_stream_takes_the_lower_port_as_the_server(void **state)
{
    conn_test *t = *state;
    t->client_port = 6000; /* neither port is well known: the lower one serves */
    t->server_port = 4000;
    send_seg(t, CLIENT, 3000, 7000, LF_TCP_ACK, "ping");
    expect_log_after_finish(t, "open 0 client=10.0.0.1:6000 server=10.0.0.2:4000 guessed @1\n"
                               "data 0 to_server \"ping\" @1\n"
                               "close 0 CAPTURE_ENDED @1\n");
}

static void test_tcp_lost_segment_becomes_a_gap_when_the_peer_acks_past_it(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "aaaaa");
    /* "bbbbb" at C_ISN + 6 never reaches the capture */
    send_seg(t, CLIENT, C_ISN + 11, S_ISN + 1, LF_TCP_ACK, "ccccc");
    send_seg(t, SERVER, S_ISN + 1, C_ISN + 16, LF_TCP_ACK, NULL);
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"aaaaa\" @4\n"
                               "gap 0 to_server 5 @6\n"
                               "data 0 to_server \"ccccc\" @6\n"
                               "close 0 CAPTURE_ENDED @6\n");
}

static void test_tcp_ack_beyond_all_seen_data_reports_the_unseen_byte_count(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "aaaaa");
    send_seg(t, SERVER, S_ISN + 1, C_ISN + 1006, LF_TCP_ACK, NULL);
    send_seg(t, CLIENT, C_ISN + 1006, S_ISN + 1, LF_TCP_ACK, "zz");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"aaaaa\" @4\n"
                               "gap 0 to_server 1000 @5\n"
                               "data 0 to_server \"zz\" @6\n"
                               "close 0 CAPTURE_ENDED @6\n");
}

static void test_tcp_hole_still_open_at_end_of_capture_becomes_a_gap(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "aaaaa");
    send_seg(t, CLIENT, C_ISN + 11, S_ISN + 1, LF_TCP_ACK, "ccccc");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"aaaaa\" @4\n"
                               "gap 0 to_server 5 @5\n"
                               "data 0 to_server \"ccccc\" @5\n"
                               "close 0 CAPTURE_ENDED @5\n");
}

static void test_tcp_rst_from_server_closes_the_stream_and_later_packets_are_absorbed(
    void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "GET");
    send_seg(t, SERVER, S_ISN + 1, C_ISN + 4, LF_TCP_RST | LF_TCP_ACK, NULL);
    send_seg(t, CLIENT, C_ISN + 4, S_ISN + 1, LF_TCP_ACK, NULL);
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"GET\" @4\n"
                               "close 0 RST by to_client @5\n");
}

static void test_tcp_fin_from_both_sides_closes_the_stream(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "bye");
    send_seg(t, CLIENT, C_ISN + 4, S_ISN + 1, LF_TCP_FIN | LF_TCP_ACK, NULL);
    send_seg(t, SERVER, S_ISN + 1, C_ISN + 5, LF_TCP_ACK, "ok");
    send_seg(t, SERVER, S_ISN + 3, C_ISN + 5, LF_TCP_FIN | LF_TCP_ACK, NULL);
    send_seg(t, CLIENT, C_ISN + 5, S_ISN + 4, LF_TCP_ACK, NULL);
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"bye\" @4\n"
                               "fin 0 to_server @5\n"
                               "data 0 to_client \"ok\" @6\n"
                               "fin 0 to_client @7\n"
                               "close 0 FIN by to_server @7\n");
}

static void test_tcp_fin_waits_for_the_data_before_it(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "aaaaa");
    send_seg(t, CLIENT, C_ISN + 11, S_ISN + 1, LF_TCP_FIN | LF_TCP_ACK, "ccccc");
    send_seg(t, CLIENT, C_ISN + 6, S_ISN + 1, LF_TCP_ACK, "bbbbb");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"aaaaa\" @4\n"
                               "data 0 to_server \"bbbbb\" @6\n"
                               "data 0 to_server \"ccccc\" @6\n"
                               "fin 0 to_server @6\n"
                               "close 0 CAPTURE_ENDED @6\n");
}

static void test_tcp_new_syn_after_close_on_the_same_4tuple_is_a_new_stream(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_RST | LF_TCP_ACK, NULL);
    send_seg(t, CLIENT, 90000, 0, LF_TCP_SYN, NULL);
    send_seg(t, SERVER, 70000, 90001, LF_TCP_SYN | LF_TCP_ACK, NULL);
    send_seg(t, CLIENT, 90001, 70001, LF_TCP_ACK, "again");
    expect_log_after_finish(t, OPEN0 "close 0 RST by to_server @4\n"
                               "open 1 client=10.0.0.1:50000 server=10.0.0.2:80 handshake @5\n"
                               "data 1 to_server \"again\" @7\n"
                               "close 1 CAPTURE_ENDED @7\n");
}

static void test_tcp_new_syn_on_a_live_4tuple_closes_the_old_stream_as_reused(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "one");
    send_seg(t, CLIENT, 90000, 0, LF_TCP_SYN, NULL);
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"one\" @4\n"
                               "close 0 REUSED by to_server @5\n"
                               "open 1 client=10.0.0.1:50000 server=10.0.0.2:80 handshake @5\n"
                               "close 1 CAPTURE_ENDED @5\n");
}

static void test_tcp_retransmitted_syn_stays_in_the_same_stream(void **state)
{
    conn_test *t = *state;
    send_seg(t, CLIENT, C_ISN, 0, LF_TCP_SYN, NULL);
    send_seg(t, CLIENT, C_ISN, 0, LF_TCP_SYN, NULL);
    send_seg(t, SERVER, S_ISN, C_ISN + 1, LF_TCP_SYN | LF_TCP_ACK, NULL);
    expect_log_after_finish(t, OPEN0 "close 0 CAPTURE_ENDED @3\n");
}

static void test_tcp_streams_are_numbered_in_order_of_first_appearance(void **state)
{
    conn_test *t = *state;
    send_seg(t, CLIENT, C_ISN, 0, LF_TCP_SYN, NULL);
    t->client_port = 50001;
    send_seg(t, CLIENT, C_ISN, 0, LF_TCP_SYN, NULL);
    t->client_port = 50000;
    send_seg(t, SERVER, S_ISN, C_ISN + 1, LF_TCP_SYN | LF_TCP_ACK, NULL);
    expect_log_after_finish(t, OPEN0
                            "open 1 client=10.0.0.1:50001 server=10.0.0.2:80 handshake @2\n"
                            "close 0 CAPTURE_ENDED @3\n"
                            "close 1 CAPTURE_ENDED @2\n");
}

static void test_tcp_out_of_order_data_beyond_the_cap_gives_up_the_hole(void **state)
{
    conn_test *t = *state;
    t->config.max_buffered_per_direction = 16;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 11, S_ISN + 1, LF_TCP_ACK, "0123456789");
    send_seg(t, CLIENT, C_ISN + 21, S_ISN + 1, LF_TCP_ACK, "abcdefghij");
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "late data!");
    expect_log_after_finish(t, OPEN0 "diag TCP_BUFFER_FULL @5\n"
                               "gap 0 to_server 10 @5\n"
                               "data 0 to_server \"0123456789\" @5\n"
                               "data 0 to_server \"abcdefghij\" @5\n"
                               "close 0 CAPTURE_ENDED @6\n");
}

static void test_tcp_snaplen_cut_segment_delivers_its_bytes_then_a_gap(void **state)
{
    conn_test *t = *state;
    handshake(t);
    send_cut(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "hello world", 5);
    send_seg(t, CLIENT, C_ISN + 12, S_ISN + 1, LF_TCP_ACK, "next");
    expect_log_after_finish(t, OPEN0 "data 0 to_server \"hello\" @4\n"
                               "gap 0 to_server 6 @4\n"
                               "data 0 to_server \"next\" @5\n"
                               "close 0 CAPTURE_ENDED @5\n");
}

static void test_tcp_ipv6_connection_is_reassembled(void **state)
{
    conn_test *t = *state;
    t->family = 6;
    handshake(t);
    send_seg(t, CLIENT, C_ISN + 1, S_ISN + 1, LF_TCP_ACK, "v6!");
    expect_log_after_finish(
        t, "open 0 client=[2001:db8::1]:50000 server=[2001:db8::2]:80 handshake @1\n"
           "data 0 to_server \"v6!\" @4\n"
           "close 0 CAPTURE_ENDED @4\n");
}

static void test_tcp_idle_stream_is_evicted_when_the_capture_moves_on(void **state)
{
    conn_test *t = *state;
    t->config.idle_timeout = 10 * MS;
    handshake(t);
    t->frame = 100;
    t->client_port = 50001;
    send_seg(t, CLIENT, C_ISN, 0, LF_TCP_SYN, NULL);
    expect_log_after_finish(t, OPEN0 "diag TCP_STREAM_EVICTED @3\n"
                               "close 0 EVICTED @3\n"
                               "open 1 client=10.0.0.1:50001 server=10.0.0.2:80 handshake @101\n"
                               "close 1 CAPTURE_ENDED @101\n");
}

static void test_tcp_stream_limit_evicts_the_least_recently_active(void **state)
{
    conn_test *t = *state;
    t->config.max_streams = 1;
    send_seg(t, CLIENT, C_ISN, 0, LF_TCP_SYN, NULL);
    t->client_port = 50001;
    send_seg(t, CLIENT, C_ISN, 0, LF_TCP_SYN, NULL);
    expect_log_after_finish(t, OPEN0 "diag TCP_STREAM_EVICTED @1\n"
                               "close 0 EVICTED @1\n"
                               "open 1 client=10.0.0.1:50001 server=10.0.0.2:80 handshake @2\n"
                               "close 1 CAPTURE_ENDED @2\n");
}

/* Collects the client's byte stream and counts what should never happen without loss. */
typedef struct byte_sink {
    uint8_t bytes[32768];
    size_t len;
    int gaps;
    int diags;
} byte_sink;

static void *sink_open(void *ctx, const tcp_stream_info *info, const lf_frame_ref *at)
{
    (void)info, (void)at;
    return ctx;
}

static void sink_data(void *stream, tcp_dir dir, const uint8_t *bytes, size_t len,
                      const lf_frame_ref *at)
{
    (void)at;
    byte_sink *s = stream;
    assert_int_equal(dir, TCP_DIR_TO_SERVER);
    assert_true(s->len + len <= sizeof s->bytes);
    memcpy(s->bytes + s->len, bytes, len);
    s->len += len;
}

static void sink_gap(void *stream, tcp_dir dir, uint64_t missing, const lf_frame_ref *at)
{
    (void)dir, (void)missing, (void)at;
    ((byte_sink *)stream)->gaps++;
}

static void sink_diag(void *ctx, const lf_diag *d)
{
    (void)d;
    ((byte_sink *)ctx)->diags++;
}

/* Deterministic pseudo-random numbers (a 32-bit LCG) so the scenario is the same every run. */
static uint32_t next_random(uint32_t *state)
{
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

typedef struct planned_segment {
    uint32_t offset;
    uint32_t len;
} planned_segment;

static void test_tcp_shuffled_duplicated_and_resegmented_data_reassembles_exactly(void **state)
{
    (void)state;
    static byte_sink sink;
    memset(&sink, 0, sizeof sink);
    static char message[20000];
    uint32_t rnd = 42;
    for (size_t i = 0; i < sizeof message; i++)
        message[i] = (char)('a' + next_random(&rnd) % 26);
    /* Segments of 1..1460 bytes covering the message, plus re-segmented retransmissions that
     * straddle the original boundaries, carrying the same bytes. */
    planned_segment plan[200];
    size_t n = 0;
    for (uint32_t off = 0; off < sizeof message;) {
        uint32_t len = 1 + next_random(&rnd) % 1460;
        if (len > sizeof message - off)
            len = (uint32_t)sizeof message - off;
        plan[n++] = (planned_segment){off, len};
        if (next_random(&rnd) % 4 == 0 && off > 100)
            plan[n++] = (planned_segment){off - 100, len < 900 ? len + 100 : 1000};
        off += len;
    }
    for (size_t i = n - 1; i > 0; i--) { /* shuffle within a window of 8 neighbours */
        size_t j = i - next_random(&rnd) % (i < 8 ? i + 1 : 8);
        planned_segment tmp = plan[i];
        plan[i] = plan[j];
        plan[j] = tmp;
    }
    tcp_consumer consumer = {.open = sink_open, .data = sink_data, .gap = sink_gap};
    consumer.ctx = &sink;
    lf_diag_sink diag = {.ctx = &sink, .emit = sink_diag};
    tcp_reassembler *r = tcp_reassembler_new(NULL, &consumer, &diag);
    conn_test t = {.r = r, .family = 4, .client_port = 50000, .server_port = 80};
    const uint32_t isn = 0xFFFFF000u; /* the stream wraps past 2^32 */
    send_seg(&t, CLIENT, isn, 0, LF_TCP_SYN, NULL);
    send_seg(&t, SERVER, S_ISN, isn + 1, LF_TCP_SYN | LF_TCP_ACK, NULL);
    for (size_t i = 0; i < n; i++) {
        char payload[1501];
        memcpy(payload, message + plan[i].offset, plan[i].len);
        payload[plan[i].len] = '\0';
        send_seg(&t, CLIENT, isn + 1 + plan[i].offset, S_ISN + 1, LF_TCP_ACK, payload);
    }
    tcp_reassembler_free(r);
    assert_int_equal(sink.len, sizeof message);
    assert_memory_equal(sink.bytes, message, sizeof message);
    assert_int_equal(sink.gaps, 0);
    assert_int_equal(sink.diags, 0);
}

/* The per-packet shortcuts (an empty segment skips tcp_direction_segment(), an ACK with
 * nothing new skips tcp_direction_acked(), the next bytes with nothing waiting are delivered
 * straight away, a packet's connection is found from its headers without building a key) must
 * change nothing: each is checked against the full path. */

/* One direction wired to a recorder: it delivered "hello" from 100 and, with `hole`, holds
 * "world" at 110 behind a hole. */
typedef struct direction_test {
    tcp_test_recorder rec;
    tcp_stream_info info;
    tcp_byte_counts counts;
    tcp_direction_history history;
    tcp_direction_out out;
    tcp_direction d;
} direction_test;

static void direction_test_start(direction_test *t, bool hole)
{
    memset(t, 0, sizeof *t);
    tcp_test_recorder_init(&t->rec);
    t->info.client.family = t->info.server.family = 4;
    const lf_frame_ref at = {.frame = 1};
    t->out = (tcp_direction_out){.consumer = &t->rec.consumer,
                                 .stream = t->rec.consumer.open(t->rec.consumer.ctx, &t->info, &at),
                                 .dir = TCP_DIR_TO_SERVER,
                                 .info = &t->info,
                                 .diag = &t->rec.diag,
                                 .counts = &t->counts,
                                 .cap = TCP_DEFAULT_MAX_BUFFERED,
                                 .history = &t->history};
    tcp_direction_init(&t->d);
    tcp_direction_start(&t->d, 100);
    tcp_direction_segment(&t->d, &t->out, 100, (const uint8_t *)"hello", 5, 0, &at);
    if (hole)
        tcp_direction_segment(&t->d, &t->out, 110, (const uint8_t *)"world", 5, 0, &at);
    tcp_test_recorder_clear(&t->rec);
}

static void direction_test_end(direction_test *t)
{
    tcp_direction_free(&t->d);
    t->rec.consumer.close(t->out.stream, TCP_END_CAPTURE_ENDED, TCP_DIR_TO_SERVER,
                          &(lf_frame_ref){0});
    tcp_test_recorder_free(&t->rec);
}

static bool same_direction(const tcp_direction *a, const tcp_direction *b)
{
    return a->next_seq == b->next_seq && a->fin_seq == b->fin_seq && a->started == b->started &&
           a->fin_seen == b->fin_seen && a->fin_delivered == b->fin_delivered &&
           a->ooo == b->ooo && a->buffered == b->buffered;
}

static void test_tcp_empty_segment_changes_nothing_before_at_or_after_next_seq(void **state)
{
    (void)state;
    const uint32_t seqs[] = {0, 99, 104, 105, 106, 110, 112, 115, 0x80000000u + 105};
    for (int hole = 0; hole < 2; hole++) {
        for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++) {
            direction_test t;
            direction_test_start(&t, hole);
            tcp_direction before = t.d;
            tcp_direction_segment(&t.d, &t.out, seqs[i], NULL, 0, 0, &(lf_frame_ref){.frame = 2});
            assert_true(same_direction(&t.d, &before));
            assert_int_equal(t.rec.len, 0);
            direction_test_end(&t);
        }
    }
}

static void test_tcp_next_bytes_are_delivered_alike_with_or_without_data_waiting(void **state)
{
    (void)state;
    char logs[2][512];
    uint32_t next[2];
    for (int hole = 0; hole < 2; hole++) {
        direction_test t;
        direction_test_start(&t, hole);
        tcp_direction_segment(&t.d, &t.out, 105, (const uint8_t *)", ", 2, 0,
                              &(lf_frame_ref){.frame = 2});
        /* a changed retransmission of it is recognised through the history either way */
        tcp_direction_segment(&t.d, &t.out, 105, (const uint8_t *)"!!", 2, 0,
                              &(lf_frame_ref){.frame = 3});
        snprintf(logs[hole], sizeof logs[hole], "%s", t.rec.log);
        next[hole] = t.d.next_seq;
        direction_test_end(&t);
    }
    assert_string_equal(logs[0], "data 0 to_server \", \" @2\n"
                                 "diag TCP_RETRANSMIT_CONFLICT @3\n");
    assert_string_equal(logs[1], logs[0]);
    assert_int_equal(next[0], 107);
    assert_int_equal(next[1], 107);
}

static void test_tcp_ack_pending_is_false_exactly_where_acked_does_nothing(void **state)
{
    (void)state;
    /* next_seq is 105 after "hello"; the hole is 105-109. */
    const uint32_t acks[] = {0,   104, 105, 106, 110, 115, 105 + (1u << 30), 106 + (1u << 30),
                             0x80000000u + 105};
    for (size_t i = 0; i < sizeof acks / sizeof acks[0]; i++) {
        direction_test t;
        direction_test_start(&t, true);
        tcp_direction before = t.d;
        bool pending = tcp_direction_ack_pending(&t.d, acks[i]);
        tcp_direction_acked(&t.d, &t.out, acks[i], &(lf_frame_ref){.frame = 2});
        bool changed = !same_direction(&t.d, &before) || t.rec.len != 0;
        assert_int_equal(pending, changed);
        direction_test_end(&t);
    }
    tcp_direction unstarted;
    tcp_direction_init(&unstarted);
    assert_false(tcp_direction_ack_pending(&unstarted, 1));
}

static lf_tcp_segment segment_between(uint8_t family, const uint8_t *src, uint16_t sport,
                                      const uint8_t *dst, uint16_t dport)
{
    return (lf_tcp_segment){.family = family, .src = src, .dst = dst, .sport = sport,
                            .dport = dport};
}

/* For a segment and its reply: the hash and sending side found from the headers are those of
 * the key built from them; another connection does not match. */
static void check_flow_lookup(uint8_t family, const uint8_t *a, uint16_t aport, const uint8_t *b,
                              uint16_t bport)
{
    lf_tcp_segment there = segment_between(family, a, aport, b, bport);
    lf_tcp_segment back = segment_between(family, b, bport, a, aport);
    tcp_flow_key key;
    unsigned there_side = tcp_flow_key_from_segment(&there, &key);
    tcp_flow_ends ends;
    tcp_flow_ends_from_segment(&there, &ends);
    assert_int_equal(tcp_flow_ends_hash(&ends), tcp_flow_key_hash(&key));
    assert_int_equal(tcp_flow_key_sender(&key, &ends), (int)there_side);
    tcp_flow_key back_key;
    unsigned back_side = tcp_flow_key_from_segment(&back, &back_key);
    tcp_flow_ends_from_segment(&back, &ends);
    assert_int_equal(tcp_flow_ends_hash(&ends), tcp_flow_key_hash(&key));
    assert_int_equal(tcp_flow_key_sender(&key, &ends), (int)back_side);
    lf_tcp_segment other = segment_between(family, a, (uint16_t)(aport + 1), b, bport);
    tcp_flow_ends_from_segment(&other, &ends);
    assert_int_equal(tcp_flow_key_sender(&key, &ends), -1);
}

static void test_tcp_connection_found_from_headers_matches_the_built_key(void **state)
{
    (void)state;
    const uint8_t v4a[16] = {10, 0, 0, 1}, v4b[16] = {10, 0, 0, 2};
    const uint8_t v6a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    const uint8_t v6b[16] = {0x20, 0x01, 0x0d, 0xb8, [8] = 1, [15] = 1};
    check_flow_lookup(4, v4a, 50000, v4b, 80);
    check_flow_lookup(4, v4b, 50000, v4a, 80);
    check_flow_lookup(4, v4a, 80, v4a, 50000); /* same address: ports decide */
    check_flow_lookup(4, v4a, 8080, v4a, 8080); /* talking to itself */
    check_flow_lookup(6, v6a, 50000, v6b, 443);
    check_flow_lookup(6, v6b, 50000, v6a, 443);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_tcp_in_order_segments_are_delivered_as_sent),
        T(test_tcp_out_of_order_segment_waits_for_the_frame_that_fills_the_hole),
        T(test_tcp_identical_retransmission_is_dropped),
        T(test_tcp_duplicate_of_a_buffered_segment_is_delivered_once),
        T(test_tcp_retransmission_with_changed_bytes_is_reported),
        T(test_tcp_retransmission_half_the_sequence_space_past_a_remembered_segment),
        T(test_tcp_changed_copy_of_a_buffered_segment_is_reported_and_first_kept),
        T(test_tcp_in_order_segment_overlapping_a_buffered_one_keeps_the_buffered_bytes),
        T(test_tcp_sequence_numbers_wrap_around_2_pow_32),
        T(test_tcp_capture_starting_mid_stream_takes_port_80_as_the_server),
        T(test_tcp_capture_starting_mid_stream_takes_the_lower_port_as_the_server),
        T(test_tcp_lost_segment_becomes_a_gap_when_the_peer_acks_past_it),
        T(test_tcp_ack_beyond_all_seen_data_reports_the_unseen_byte_count),
        T(test_tcp_hole_still_open_at_end_of_capture_becomes_a_gap),
        T(test_tcp_rst_from_server_closes_the_stream_and_later_packets_are_absorbed),
        T(test_tcp_fin_from_both_sides_closes_the_stream),
        T(test_tcp_fin_waits_for_the_data_before_it),
        T(test_tcp_new_syn_after_close_on_the_same_4tuple_is_a_new_stream),
        T(test_tcp_new_syn_on_a_live_4tuple_closes_the_old_stream_as_reused),
        T(test_tcp_retransmitted_syn_stays_in_the_same_stream),
        T(test_tcp_streams_are_numbered_in_order_of_first_appearance),
        T(test_tcp_out_of_order_data_beyond_the_cap_gives_up_the_hole),
        T(test_tcp_snaplen_cut_segment_delivers_its_bytes_then_a_gap),
        T(test_tcp_ipv6_connection_is_reassembled),
        T(test_tcp_idle_stream_is_evicted_when_the_capture_moves_on),
        T(test_tcp_stream_limit_evicts_the_least_recently_active),
        cmocka_unit_test(test_tcp_shuffled_duplicated_and_resegmented_data_reassembles_exactly),
        cmocka_unit_test(test_tcp_empty_segment_changes_nothing_before_at_or_after_next_seq),
        cmocka_unit_test(test_tcp_next_bytes_are_delivered_alike_with_or_without_data_waiting),
        cmocka_unit_test(test_tcp_ack_pending_is_false_exactly_where_acked_does_nothing),
        cmocka_unit_test(test_tcp_connection_found_from_headers_matches_the_built_key),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
