/* tcp_flow_key.h - the 4-tuple that names a TCP connection, the same for both directions.
 *
 * The two endpoints are stored in a fixed order (a total order on address words and port, not
 * meant to be meaningful) so a packet and its reply find the same key; the builder returns which
 * stored endpoint sent the packet. Addresses are kept as 64-bit words so that building,
 * hashing and comparing a key, done once per packet, stay a handful of instructions. Plain value
 * type, nothing to free.
 */
#ifndef LIFELINE_TCP_FLOW_KEY_H
#define LIFELINE_TCP_FLOW_KEY_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/packet.h"
#include "tcp/tcp_consumer.h"

typedef struct tcp_flow_key {
    uint64_t addr[2][2]; /* per side: IPv6 as two native-order words of its 16 bytes, IPv4
                            as one word holding its 4 bytes, then 0 */
    uint16_t port[2];
    uint32_t family; /* 4 or 6; a full word so the struct has no padding */
} tcp_flow_key;

/* Fills `key` for segment `t`; returns the side (0 or 1) of `key` that sent it. */
unsigned tcp_flow_key_from_segment(const lf_tcp_segment *t, tcp_flow_key *key);

/* The endpoint stored on `side` of `key`. */
tcp_endpoint tcp_flow_key_endpoint(const tcp_flow_key *key, unsigned side);

uint32_t tcp_flow_key_hash(const tcp_flow_key *key);

static inline bool tcp_flow_key_equal(const tcp_flow_key *a, const tcp_flow_key *b)
{
    return ((a->addr[0][0] ^ b->addr[0][0]) | (a->addr[0][1] ^ b->addr[0][1]) |
            (a->addr[1][0] ^ b->addr[1][0]) | (a->addr[1][1] ^ b->addr[1][1])) == 0 &&
           a->port[0] == b->port[0] && a->port[1] == b->port[1] && a->family == b->family;
}

#endif
