/* capture_decode_tests.c - frame decoding: every supported link type, VLAN tags, IP options and
 * extension headers, fragments, snaplen cuts and malformed headers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pcap/dlt.h>
#include <string.h>

#include "capture/frame_decode.h"
#include "tcp_test_packets.h"

/* A client->server segment "hello" from 10.0.0.1:50000 (or 2001:db8::1) to port 80. */
static size_t hello_segment(uint8_t family, uint8_t *out, size_t cap)
{
    tcp_test_seg s = {.family = family, .sport = 50000, .dport = 80, .seq = 1001, .ack = 5001,
                      .flags = LF_TCP_ACK | LF_TCP_PSH, .payload = "hello", .len = 5};
    if (family == 4) {
        memcpy(s.src, (uint8_t[]){10, 0, 0, 1}, 4);
        memcpy(s.dst, (uint8_t[]){10, 0, 0, 2}, 4);
    } else {
        memcpy(s.src, (uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, [15] = 1}, 16);
        memcpy(s.dst, (uint8_t[16]){0x20, 0x01, 0x0d, 0xb8, [15] = 2}, 16);
    }
    return tcp_test_build_ip(&s, out, cap);
}

/* Frame = `link` header bytes followed by the hello segment of `family`. */
static size_t frame_with(const uint8_t *link, size_t link_len, uint8_t family, uint8_t *out)
{
    memcpy(out, link, link_len);
    return link_len + hello_segment(family, out + link_len, 1500);
}

static void assert_hello(int dlt, const uint8_t *frame, size_t len, uint8_t family)
{
    lf_packet pkt = {0};
    assert_int_equal(lf_frame_decode(dlt, frame, (uint32_t)len, &pkt), LF_PACKET_TCP);
    assert_int_equal(pkt.tcp.family, family);
    assert_int_equal(pkt.tcp.sport, 50000);
    assert_int_equal(pkt.tcp.dport, 80);
    assert_int_equal(pkt.tcp.seq, 1001);
    assert_int_equal(pkt.tcp.ack, 5001);
    assert_int_equal(pkt.tcp.flags, LF_TCP_ACK | LF_TCP_PSH);
    assert_int_equal(pkt.tcp.window, 65535);
    assert_int_equal(pkt.tcp.payload_len, 5);
    assert_int_equal(pkt.tcp.payload_missing, 0);
    assert_memory_equal(pkt.tcp.payload, "hello", 5);
    assert_int_equal(pkt.tcp.src[family == 4 ? 3 : 15], 1);
    assert_int_equal(pkt.tcp.dst[family == 4 ? 3 : 15], 2);
}

static lf_packet_kind decode(int dlt, const uint8_t *frame, size_t len, lf_packet *pkt)
{
    memset(pkt, 0, sizeof *pkt);
    return lf_frame_decode(dlt, frame, (uint32_t)len, pkt);
}

static void test_capture_decodes_ethernet_ipv4_tcp(void **state)
{
    (void)state;
    uint8_t f[1600];
    const uint8_t eth[14] = {[12] = 0x08, [13] = 0x00};
    assert_hello(DLT_EN10MB, f, frame_with(eth, sizeof eth, 4, f), 4);
}

static void test_capture_decodes_ethernet_ipv6_tcp(void **state)
{
    (void)state;
    uint8_t f[1600];
    const uint8_t eth[14] = {[12] = 0x86, [13] = 0xdd};
    assert_hello(DLT_EN10MB, f, frame_with(eth, sizeof eth, 6, f), 6);
}

static void test_capture_decodes_8021q_vlan_tag(void **state)
{
    (void)state;
    uint8_t f[1600];
    const uint8_t eth[18] = {[12] = 0x81, [13] = 0x00, [14] = 0x00, [15] = 0x64,
                             [16] = 0x08, [17] = 0x00};
    assert_hello(DLT_EN10MB, f, frame_with(eth, sizeof eth, 4, f), 4);
}

static void test_capture_decodes_qinq_88a8_outer_and_8100_inner_tags(void **state)
{
    (void)state;
    uint8_t f[1600];
    const uint8_t eth[22] = {[12] = 0x88, [13] = 0xa8, [15] = 0x0a, [16] = 0x81, [17] = 0x00,
                             [19] = 0x64, [20] = 0x86, [21] = 0xdd};
    assert_hello(DLT_EN10MB, f, frame_with(eth, sizeof eth, 6, f), 6);
}

static void test_capture_decodes_legacy_9100_qinq_tag(void **state)
{
    (void)state;
    uint8_t f[1600];
    const uint8_t eth[18] = {[12] = 0x91, [13] = 0x00, [15] = 0x05, [16] = 0x08, [17] = 0x00};
    assert_hello(DLT_EN10MB, f, frame_with(eth, sizeof eth, 4, f), 4);
}

static void test_capture_decodes_linux_cooked_v1(void **state)
{
    (void)state;
    uint8_t f[1600];
    const uint8_t sll[16] = {[1] = 0x04, [3] = 0x01, [5] = 0x06, [14] = 0x08, [15] = 0x00};
    assert_hello(DLT_LINUX_SLL, f, frame_with(sll, sizeof sll, 4, f), 4);
}

static void test_capture_decodes_linux_cooked_v2(void **state)
{
    (void)state;
    uint8_t f[1600];
    const uint8_t sll2[20] = {[0] = 0x86, [1] = 0xdd, [7] = 0x02, [9] = 0x01, [11] = 0x06};
    assert_hello(DLT_LINUX_SLL2, f, frame_with(sll2, sizeof sll2, 6, f), 6);
}

static void test_capture_decodes_bsd_null_little_endian_af_inet(void **state)
{
    (void)state;
    uint8_t f[1600];
    const uint8_t null_hdr[4] = {0x02, 0, 0, 0}; /* AF_INET written by a little-endian host */
    assert_hello(DLT_NULL, f, frame_with(null_hdr, sizeof null_hdr, 4, f), 4);
}

static void test_capture_decodes_bsd_null_big_endian_af_inet6(void **state)
{
    (void)state;
    uint8_t f[1600];
    const uint8_t null_hdr[4] = {0, 0, 0, 30}; /* macOS AF_INET6 from a big-endian host */
    assert_hello(DLT_NULL, f, frame_with(null_hdr, sizeof null_hdr, 6, f), 6);
}

static void test_capture_decodes_bsd_loop_network_order(void **state)
{
    (void)state;
    uint8_t f[1600];
    const uint8_t loop_hdr[4] = {0, 0, 0, 24}; /* OpenBSD AF_INET6 */
    assert_hello(DLT_LOOP, f, frame_with(loop_hdr, sizeof loop_hdr, 6, f), 6);
}

static void test_capture_decodes_raw_ip_by_version_nibble(void **state)
{
    (void)state;
    uint8_t f[1600];
    assert_hello(DLT_RAW, f, hello_segment(4, f, sizeof f), 4);
    assert_hello(DLT_RAW, f, hello_segment(6, f, sizeof f), 6);
}

static void test_capture_decodes_linktype_ipv4_and_ipv6(void **state)
{
    (void)state;
    uint8_t f[1600];
    assert_hello(DLT_IPV4, f, hello_segment(4, f, sizeof f), 4);
    assert_hello(DLT_IPV6, f, hello_segment(6, f, sizeof f), 6);
}

static void test_capture_skips_ipv4_options(void **state)
{
    (void)state;
    uint8_t seg[1600], f[1600];
    size_t len = hello_segment(4, seg, sizeof seg);
    memcpy(f, seg, 20);
    f[0] = 0x46; /* header length 24: one 4-byte option */
    f[3] = (uint8_t)(f[3] + 4);
    memcpy(f + 20, (uint8_t[]){0x94, 0x04, 0x00, 0x00}, 4); /* router alert */
    memcpy(f + 24, seg + 20, len - 20);
    assert_hello(DLT_RAW, f, len + 4, 4);
}

static void test_capture_skips_tcp_options(void **state)
{
    (void)state;
    uint8_t f[1600];
    size_t len = hello_segment(4, f, sizeof f);
    memmove(f + 52, f + 40, 5); /* make room for 12 bytes of options */
    memcpy(f + 40, (uint8_t[]){1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2}, 12); /* NOP NOP TS */
    f[32] = 8 << 4;
    f[3] = (uint8_t)(f[3] + 12);
    assert_hello(DLT_RAW, f, len + 12, 4);
}

/* IPv6 hello segment with hop-by-hop, routing, destination options and AH before TCP. */
static void test_capture_skips_ipv6_extension_headers(void **state)
{
    (void)state;
    uint8_t seg[1600], f[1600];
    size_t len = hello_segment(6, seg, sizeof seg);
    const uint8_t ext[] = {
        43, 0, 1, 4, 0, 0, 0, 0,                          /* hop-by-hop: PadN, next routing */
        60, 0, 0, 0, 0, 0, 0, 0,                          /* routing (type 0, nothing left) */
        51, 0, 1, 4, 0, 0, 0, 0,                          /* destination options, next AH */
        6,  2, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0}; /* AH: 16 bytes, next TCP */
    memcpy(f, seg, 40);
    f[6] = 0; /* first next header: hop-by-hop */
    uint16_t plen = (uint16_t)(len - 40 + sizeof ext);
    f[4] = (uint8_t)(plen >> 8);
    f[5] = (uint8_t)plen;
    memcpy(f + 40, ext, sizeof ext);
    memcpy(f + 40 + sizeof ext, seg + 40, len - 40);
    assert_hello(DLT_RAW, f, len + sizeof ext, 6);
}

static size_t ipv6_with_fragment_header(uint16_t offset_and_flags, uint8_t *f)
{
    uint8_t seg[1600];
    size_t len = hello_segment(6, seg, sizeof seg);
    memcpy(f, seg, 40);
    f[6] = 44;
    f[5] = (uint8_t)(f[5] + 8);
    const uint8_t frag[8] = {6, 0, (uint8_t)(offset_and_flags >> 8), (uint8_t)offset_and_flags,
                             0, 0, 0, 7};
    memcpy(f + 40, frag, 8);
    memcpy(f + 48, seg + 40, len - 40);
    return len + 8;
}

static void test_capture_reports_ipv6_fragment(void **state)
{
    (void)state;
    uint8_t f[1600];
    lf_packet pkt;
    size_t len = ipv6_with_fragment_header(0x0001, f); /* offset 0, more fragments */
    assert_int_equal(decode(DLT_RAW, f, len, &pkt), LF_PACKET_IP_FRAGMENT);
    assert_non_null(pkt.problem);
}

static void test_capture_reads_through_an_atomic_ipv6_fragment(void **state)
{
    (void)state;
    uint8_t f[1600];
    assert_hello(DLT_RAW, f, ipv6_with_fragment_header(0x0000, f), 6);
}

static void test_capture_reports_ipv4_fragments(void **state)
{
    (void)state;
    uint8_t f[1600];
    lf_packet pkt;
    size_t len = hello_segment(4, f, sizeof f);
    f[6] = 0x20; /* more fragments */
    assert_int_equal(decode(DLT_RAW, f, len, &pkt), LF_PACKET_IP_FRAGMENT);
    f[6] = 0x00;
    f[7] = 0xb9; /* a later fragment, offset 185 * 8 */
    assert_int_equal(decode(DLT_RAW, f, len, &pkt), LF_PACKET_IP_FRAGMENT);
}

static void test_capture_snaplen_cut_reports_missing_payload_bytes(void **state)
{
    (void)state;
    uint8_t f[1600];
    lf_packet pkt;
    size_t len = hello_segment(4, f, sizeof f);
    assert_int_equal(decode(DLT_RAW, f, len - 3, &pkt), LF_PACKET_TCP);
    assert_int_equal(pkt.tcp.payload_len, 2);
    assert_int_equal(pkt.tcp.payload_missing, 3);
    assert_memory_equal(pkt.tcp.payload, "he", 2);
}

static void test_capture_ignores_ethernet_padding_after_the_ip_packet(void **state)
{
    (void)state;
    uint8_t f[1600] = {[12] = 0x08};
    size_t len = 14 + hello_segment(4, f + 14, sizeof f - 14);
    memset(f + len, 0xEE, 6);
    assert_hello(DLT_EN10MB, f, len + 6, 4);
}

static void test_capture_uses_captured_length_when_ipv4_total_length_is_zero(void **state)
{
    (void)state;
    uint8_t f[1600];
    size_t len = hello_segment(4, f, sizeof f);
    f[2] = f[3] = 0; /* as segmentation offload leaves it on the sending host */
    assert_hello(DLT_RAW, f, len, 4);
}

static void test_capture_rejects_malformed_headers(void **state)
{
    (void)state;
    uint8_t f[1600];
    lf_packet pkt;
    size_t len = hello_segment(4, f, sizeof f);
    f[0] = 0x44; /* IPv4 header length 16 */
    assert_int_equal(decode(DLT_RAW, f, len, &pkt), LF_PACKET_MALFORMED);
    f[0] = 0x45;
    f[32] = 15 << 4; /* TCP header of 60 bytes in a 25-byte segment */
    assert_int_equal(decode(DLT_RAW, f, len, &pkt), LF_PACKET_MALFORMED);
    f[32] = 5 << 4;
    assert_int_equal(decode(DLT_RAW, f, 30, &pkt), LF_PACKET_MALFORMED); /* TCP header cut */
    assert_int_equal(decode(DLT_EN10MB, f, 10, &pkt), LF_PACKET_MALFORMED);
    assert_int_equal(decode(DLT_LINUX_SLL2, f, 0, &pkt), LF_PACKET_MALFORMED);
}

static void test_capture_classifies_udp_and_arp_as_other(void **state)
{
    (void)state;
    uint8_t f[1600];
    lf_packet pkt;
    size_t len = hello_segment(4, f, sizeof f);
    f[9] = 17;
    assert_int_equal(decode(DLT_RAW, f, len, &pkt), LF_PACKET_OTHER);
    const uint8_t arp[42] = {[12] = 0x08, [13] = 0x06};
    assert_int_equal(decode(DLT_EN10MB, arp, sizeof arp, &pkt), LF_PACKET_OTHER);
}

static void test_capture_link_types_supported_are_the_decoded_ones(void **state)
{
    (void)state;
    assert_true(lf_link_type_supported(DLT_EN10MB));
    assert_true(lf_link_type_supported(DLT_LINUX_SLL2));
    assert_false(lf_link_type_supported(DLT_IEEE802_11));
    assert_false(lf_link_type_supported(DLT_USB_LINUX));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_decodes_ethernet_ipv4_tcp),
        cmocka_unit_test(test_capture_decodes_ethernet_ipv6_tcp),
        cmocka_unit_test(test_capture_decodes_8021q_vlan_tag),
        cmocka_unit_test(test_capture_decodes_qinq_88a8_outer_and_8100_inner_tags),
        cmocka_unit_test(test_capture_decodes_legacy_9100_qinq_tag),
        cmocka_unit_test(test_capture_decodes_linux_cooked_v1),
        cmocka_unit_test(test_capture_decodes_linux_cooked_v2),
        cmocka_unit_test(test_capture_decodes_bsd_null_little_endian_af_inet),
        cmocka_unit_test(test_capture_decodes_bsd_null_big_endian_af_inet6),
        cmocka_unit_test(test_capture_decodes_bsd_loop_network_order),
        cmocka_unit_test(test_capture_decodes_raw_ip_by_version_nibble),
        cmocka_unit_test(test_capture_decodes_linktype_ipv4_and_ipv6),
        cmocka_unit_test(test_capture_skips_ipv4_options),
        cmocka_unit_test(test_capture_skips_tcp_options),
        cmocka_unit_test(test_capture_skips_ipv6_extension_headers),
        cmocka_unit_test(test_capture_reports_ipv6_fragment),
        cmocka_unit_test(test_capture_reads_through_an_atomic_ipv6_fragment),
        cmocka_unit_test(test_capture_reports_ipv4_fragments),
        cmocka_unit_test(test_capture_snaplen_cut_reports_missing_payload_bytes),
        cmocka_unit_test(test_capture_ignores_ethernet_padding_after_the_ip_packet),
        cmocka_unit_test(test_capture_uses_captured_length_when_ipv4_total_length_is_zero),
        cmocka_unit_test(test_capture_rejects_malformed_headers),
        cmocka_unit_test(test_capture_classifies_udp_and_arp_as_other),
        cmocka_unit_test(test_capture_link_types_supported_are_the_decoded_ones),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
