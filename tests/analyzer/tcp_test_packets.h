/* tcp_test_packets.h - builds IPv4/IPv6 + TCP segments in memory for the capture and TCP tests.
 *
 * Checksums are left zero (nothing here verifies them). The caller owns every buffer.
 */
#ifndef LIFELINE_TESTS_TCP_TEST_PACKETS_H
#define LIFELINE_TESTS_TCP_TEST_PACKETS_H

#include <stddef.h>
#include <stdint.h>

typedef struct tcp_test_seg {
    uint8_t family;  /* 4 or 6 */
    uint8_t src[16]; /* IPv4 in the first 4 bytes */
    uint8_t dst[16];
    uint16_t sport;
    uint16_t dport;
    uint32_t seq;
    uint32_t ack;
    uint8_t flags; /* LF_TCP_* */
    const void *payload;
    size_t len;
} tcp_test_seg;

/* Writes the IP packet (IP header, 20-byte TCP header, payload) to `out`; returns its length,
 * or 0 when `cap` is too small. */
size_t tcp_test_build_ip(const tcp_test_seg *s, uint8_t *out, size_t cap);

/* Prepends nothing: writes an Ethernet II header (zero MACs) with `ethertype` to `out`; returns
 * 14. */
size_t tcp_test_ethernet_header(uint16_t ethertype, uint8_t *out);

#endif
