/* tcp_flow_key.c - direction-independent connection keys. */
#include "tcp/tcp_flow_key.h"

#include <string.h>

/* Loads an address as key words straight from the frame (no intermediate copies). */
static void load_address(const uint8_t *bytes, uint32_t family, uint64_t words[2])
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

unsigned tcp_flow_key_from_segment(const lf_tcp_segment *t, tcp_flow_key *key)
{
    uint64_t src[2], dst[2];
    load_address(t->src, t->family, src);
    load_address(t->dst, t->family, dst);
    /* Branch-free: the direction of consecutive packets is unpredictable. */
    bool src_first =
        (src[0] < dst[0]) |
        ((src[0] == dst[0]) & ((src[1] < dst[1]) | ((src[1] == dst[1]) & (t->sport <= t->dport))));
    uint64_t m = 0 - (uint64_t)src_first; /* all ones when the sender is side 0 */
    key->addr[0][0] = (src[0] & m) | (dst[0] & ~m);
    key->addr[0][1] = (src[1] & m) | (dst[1] & ~m);
    key->addr[1][0] = (dst[0] & m) | (src[0] & ~m);
    key->addr[1][1] = (dst[1] & m) | (src[1] & ~m);
    key->port[0] = src_first ? t->sport : t->dport;
    key->port[1] = src_first ? t->dport : t->sport;
    key->family = t->family;
    return src_first ? 0 : 1;
}

tcp_endpoint tcp_flow_key_endpoint(const tcp_flow_key *key, unsigned side)
{
    tcp_endpoint e = {.family = (uint8_t)key->family, .port = key->port[side]};
    if (key->family == 4) {
        uint32_t v4 = (uint32_t)key->addr[side][0];
        memcpy(e.addr, &v4, 4);
    } else {
        memcpy(e.addr, &key->addr[side][0], 8);
        memcpy(e.addr + 8, &key->addr[side][1], 8);
    }
    return e;
}

uint32_t tcp_flow_key_hash(const tcp_flow_key *key)
{
    /* Independent multiplies (no chain between words), then one final mix. */
    uint64_t ports = (uint64_t)key->port[0] << 32 | (uint64_t)key->port[1] << 16 | key->family;
    uint64_t h = key->addr[0][0] * 0x9E3779B97F4A7C15ULL ^ key->addr[0][1] * 0xC2B2AE3D27D4EB4FULL ^
                 key->addr[1][0] * 0x165667B19E3779F9ULL ^ key->addr[1][1] * 0xD6E8FEB86659FD93ULL ^
                 ports * 0xFF51AFD7ED558CCDULL;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ULL;
    return (uint32_t)(h ^ (h >> 32));
}
