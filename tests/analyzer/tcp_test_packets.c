/* tcp_test_packets.c - in-memory IPv4/IPv6 + TCP segment builder. */
#include "tcp_test_packets.h"

#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static size_t ip_header(const tcp_test_seg *s, uint8_t *out, size_t tcp_len)
{
    if (s->family == 4) {
        memset(out, 0, 20);
        out[0] = 0x45;
        put16(out + 2, (uint16_t)(20 + tcp_len));
        out[6] = 0x40; /* don't fragment */
        out[8] = 64;
        out[9] = 6;
        memcpy(out + 12, s->src, 4);
        memcpy(out + 16, s->dst, 4);
        return 20;
    }
    memset(out, 0, 40);
    out[0] = 0x60;
    put16(out + 4, (uint16_t)tcp_len);
    out[6] = 6;
    out[7] = 64;
    memcpy(out + 8, s->src, 16);
    memcpy(out + 24, s->dst, 16);
    return 40;
}

size_t tcp_test_build_ip(const tcp_test_seg *s, uint8_t *out, size_t cap)
{
    size_t ip_len = s->family == 4 ? 20 : 40;
    size_t total = ip_len + 20 + s->len;
    if (total > cap || 20 + s->len > 0xFFFF)
        return 0;
    ip_header(s, out, 20 + s->len);
    uint8_t *tcp = out + ip_len;
    memset(tcp, 0, 20);
    put16(tcp, s->sport);
    put16(tcp + 2, s->dport);
    put32(tcp + 4, s->seq);
    put32(tcp + 8, s->ack);
    tcp[12] = 5 << 4;
    tcp[13] = s->flags;
    put16(tcp + 14, 65535);
    if (s->len)
        memcpy(tcp + 20, s->payload, s->len);
    return total;
}

size_t tcp_test_ethernet_header(uint16_t ethertype, uint8_t *out)
{
    memset(out, 0, 12);
    put16(out + 12, ethertype);
    return 14;
}
