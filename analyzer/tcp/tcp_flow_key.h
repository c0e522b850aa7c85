/* tcp_flow_key.h - the 4-tuple that names a TCP connection, the same for both directions.
 *
 * The two endpoints are stored in a fixed order (a total order on address words and port, not
 * meant to be meaningful) so a packet and its reply find the same key; the builder returns which
 * stored endpoint sent the packet. The hash does not depend on that order, so a packet is hashed
 * and matched against stored keys straight from its headers, without building a key: the
 * match tells which side sent it. Addresses are kept as 64-bit words so that hashing and
 * comparing, done once per packet, stay a handful of instructions. Plain value type, nothing to
 * free.
 */
#ifndef LIFELINE_TCP_FLOW_KEY_H
#define LIFELINE_TCP_FLOW_KEY_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

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

/* The two endpoints of a segment as key words, in the segment's order (sender first). */
typedef struct tcp_flow_ends {
    uint64_t addr[2][2];
    uint16_t port[2];
    uint32_t family;
} tcp_flow_ends;

/* Loads an address as key words straight from the frame (no intermediate copies). */
static inline void tcp_flow_load_address(const uint8_t *bytes, uint32_t family, uint64_t words[2])
{
    if (family == 4) {
        uint32_t v4;
        memcpy(&v4, bytes, 4);
        words[0] = v4;
        words[1] = 0;
    } else {
        memcpy(&words[0], bytes, 8);
        memcpy(&words[1], bytes + 8, 8);
    }
}

/* Inline, like the hash and the match below: done for every packet. */
static inline void tcp_flow_ends_from_segment(const lf_tcp_segment *t, tcp_flow_ends *ends)
{
    tcp_flow_load_address(t->src, t->family, ends->addr[0]);
    tcp_flow_load_address(t->dst, t->family, ends->addr[1]);
    ends->port[0] = t->sport;
    ends->port[1] = t->dport;
    ends->family = t->family;
}

/* One endpoint's share of the hash: its address words and port folded into one word (for IPv4,
 * address and port side by side). */
static inline uint64_t tcp_flow_endpoint_word(const uint64_t addr[2], uint16_t port)
{
    return (addr[0] ^ (addr[1] << 31 | addr[1] >> 33)) + ((uint64_t)port << 32);
}

/* The endpoint words are added, which does not depend on their order, then mixed once
 * (the splitmix64 finaliser). */
static inline uint32_t tcp_flow_hash_finish(uint64_t h)
{
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBULL;
    return (uint32_t)(h ^ (h >> 31));
}

/* Equal for a key and for the ends of any segment of its connection, whichever way it goes. */
static inline uint32_t tcp_flow_ends_hash(const tcp_flow_ends *ends)
{
    return tcp_flow_hash_finish(tcp_flow_endpoint_word(ends->addr[0], ends->port[0]) +
                                tcp_flow_endpoint_word(ends->addr[1], ends->port[1]) +
                                ends->family);
}

uint32_t tcp_flow_key_hash(const tcp_flow_key *key);

/* The side (0 or 1) of `key` that sent a segment with these ends, or -1 when the segment
 * belongs to another connection. */
static inline int tcp_flow_key_sender(const tcp_flow_key *key, const tcp_flow_ends *e)
{
    /* The ports say which way round to compare the addresses (both ways when they are equal). */
    if (key->family != e->family)
        return -1;
    if (key->port[0] == e->port[0] && key->port[1] == e->port[1] &&
        ((key->addr[0][0] ^ e->addr[0][0]) | (key->addr[0][1] ^ e->addr[0][1]) |
         (key->addr[1][0] ^ e->addr[1][0]) | (key->addr[1][1] ^ e->addr[1][1])) == 0)
        return 0;
    if (key->port[0] == e->port[1] && key->port[1] == e->port[0] &&
        ((key->addr[0][0] ^ e->addr[1][0]) | (key->addr[0][1] ^ e->addr[1][1]) |
         (key->addr[1][0] ^ e->addr[0][0]) | (key->addr[1][1] ^ e->addr[0][1])) == 0)
        return 1;
    return -1;
}

#endif
