/* tcp_flow_key.c - direction-independent connection keys. */
#include "tcp/tcp_flow_key.h"

#include <string.h>

unsigned tcp_flow_key_from_segment(const lf_tcp_segment *t, tcp_flow_key *key)
{
    uint64_t src[2], dst[2];
    tcp_flow_load_address(t->src, t->family, src);
    tcp_flow_load_address(t->dst, t->family, dst);
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
    return tcp_flow_hash_finish(tcp_flow_endpoint_word(key->addr[0], key->port[0]) +
                                tcp_flow_endpoint_word(key->addr[1], key->port[1]) + key->family);
}
