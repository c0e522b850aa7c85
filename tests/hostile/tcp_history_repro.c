/* tcp_history_repro.c - a retransmission compared with remembered segments far behind it.
 *
 * TCP reassembly keeps fingerprints of the last few delivered segments to spot retransmissions
 * whose bytes changed. When the peer acknowledges 2^31 bytes never captured (two ACKs of 2^30,
 * each a legal window), next_seq moves half the sequence space past a remembered segment; a
 * later "old" segment then lies so far from it that serial-number comparisons wrap, and the
 * remembered segment is taken to sit inside the new one, 2 GiB beyond its bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "tcp/tcp_reassembler.h"

static const uint8_t client_ip[4] = {10, 0, 0, 1};
static const uint8_t server_ip[4] = {10, 0, 0, 2};

typedef struct flow {
    tcp_reassembler *r;
    uint64_t frame;
    uint64_t delivered;
} flow;

static void count_bytes(void *stream, tcp_dir dir, const uint8_t *bytes, size_t len,
                        const lf_frame_ref *at)
{
    (void)dir, (void)bytes, (void)at;
    *(uint64_t *)stream += len;
}

static void *open_stream(void *ctx, const tcp_stream_info *info, const lf_frame_ref *at)
{
    (void)info, (void)at;
    return ctx;
}

static void send_segment(flow *f, bool from_client, uint32_t seq, uint32_t ack, uint8_t flags,
                         const uint8_t *payload, uint32_t len)
{
    lf_packet pkt = {.ref = {.frame = ++f->frame, .time = 1718000000000000000LL + (int64_t)f->frame},
                     .kind = LF_PACKET_TCP};
    pkt.tcp = (lf_tcp_segment){.family = 4,
                               .src = from_client ? client_ip : server_ip,
                               .dst = from_client ? server_ip : client_ip,
                               .sport = from_client ? 41000 : 80,
                               .dport = from_client ? 80 : 41000,
                               .seq = seq, .ack = ack, .window = 65535, .flags = flags,
                               .header_len = 20, .payload = payload, .payload_len = len};
    tcp_reassembler_packet(f->r, &pkt);
}

static void test_old_segment_half_the_sequence_space_behind_is_compared_safely(void **state)
{
    (void)state;
    flow f = {0};
    tcp_consumer consumer = {.ctx = &f.delivered, .open = open_stream, .data = count_bytes};
    f.r = tcp_reassembler_new(NULL, &consumer, NULL);
    const uint32_t c0 = 1000, s0 = 5000;
    static uint8_t segment[1460];
    memset(segment, 'a', sizeof segment);

    send_segment(&f, true, c0, 0, LF_TCP_SYN, NULL, 0);
    send_segment(&f, false, s0, c0 + 1, LF_TCP_SYN | LF_TCP_ACK, NULL, 0);
    send_segment(&f, true, c0 + 1, s0 + 1, LF_TCP_ACK, NULL, 0);
    /* One server segment, remembered: [s0+1, s0+1461). */
    send_segment(&f, false, s0 + 1, c0 + 1, LF_TCP_ACK, segment, sizeof segment);
    /* The client acknowledges 2^31 bytes the capture never saw, 2^30 at a time. */
    uint32_t next = s0 + 1 + sizeof segment;
    send_segment(&f, true, c0 + 1, next + (UINT32_C(1) << 30), LF_TCP_ACK, NULL, 0);
    send_segment(&f, true, c0 + 1, next + (UINT32_C(1) << 31), LF_TCP_ACK, NULL, 0);
    next += UINT32_C(1) << 31;
    /* A 10-byte retransmission of bytes just before next_seq. */
    send_segment(&f, false, next - 100, c0 + 1, LF_TCP_ACK, segment, 10);

    tcp_reassembler_free(f.r);
    assert_int_equal(f.delivered, sizeof segment);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_old_segment_half_the_sequence_space_behind_is_compared_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
