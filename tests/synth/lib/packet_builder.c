/* Ethernet II, IPv4 (RFC 791), IPv6 (RFC 8200), TCP (RFC 9293) header construction. */
#include "packet_builder.h"

#include <string.h>

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define IP_PROTO_TCP 6
#define IP_TTL 64

static void be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t sum_bytes(uint32_t sum, const uint8_t *p, uint32_t n)
{
    for (uint32_t i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (n & 1u)
        sum += (uint32_t)p[n - 1] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return (uint16_t)~sum;
}

/* A locally administered MAC derived from the address, so each host keeps one MAC. */
static void mac_of(const synth_endpoint *ep, uint8_t *mac)
{
    const uint8_t *a = ep->family == 4 ? ep->addr : ep->addr + 12;
    mac[0] = 0x02;
    mac[1] = 0x00;
    memcpy(mac + 2, a, 4);
}

static uint32_t write_ip(const tcp_segment_spec *spec, uint32_t tcp_len, uint8_t *p)
{
    if (spec->src->family == 4) {
        memset(p, 0, 20);
        p[0] = 0x45;
        be16(p + 2, 20 + tcp_len);
        be16(p + 4, spec->ip_id);
        p[6] = 0x40; /* don't fragment */
        p[8] = IP_TTL;
        p[9] = IP_PROTO_TCP;
        memcpy(p + 12, spec->src->addr, 4);
        memcpy(p + 16, spec->dst->addr, 4);
        be16(p + 10, fold(sum_bytes(0, p, 20)));
        return 20;
    }
    memset(p, 0, 40);
    p[0] = 0x60;
    be16(p + 4, tcp_len);
    p[6] = IP_PROTO_TCP;
    p[7] = IP_TTL;
    memcpy(p + 8, spec->src->addr, 16);
    memcpy(p + 24, spec->dst->addr, 16);
    return 40;
}

static uint16_t tcp_checksum(const tcp_segment_spec *spec, const uint8_t *tcp, uint32_t tcp_len)
{
    uint32_t addr_len = spec->src->family == 4 ? 4 : 16;
    uint32_t sum = sum_bytes(0, spec->src->addr, addr_len);
    sum = sum_bytes(sum, spec->dst->addr, addr_len);
    sum += IP_PROTO_TCP + (tcp_len >> 16) + (tcp_len & 0xFFFF);
    return fold(sum_bytes(sum, tcp, tcp_len));
}

static uint32_t write_tcp(const tcp_segment_spec *spec, uint8_t *p)
{
    uint32_t hdr = spec->mss_option ? 24 : 20;
    memset(p, 0, hdr);
    be16(p, spec->src->port);
    be16(p + 2, spec->dst->port);
    be32(p + 4, spec->seq);
    be32(p + 8, spec->ack);
    p[12] = (uint8_t)((hdr / 4) << 4);
    p[13] = spec->flags;
    be16(p + 14, spec->window);
    if (spec->mss_option) {
        p[20] = 2;
        p[21] = 4;
        be16(p + 22, spec->mss_option);
    }
    if (spec->payload_len)
        memcpy(p + hdr, spec->payload, spec->payload_len);
    be16(p + 16, tcp_checksum(spec, p, hdr + spec->payload_len));
    return hdr + spec->payload_len;
}

uint32_t packet_build_tcp(synth_link link, const tcp_segment_spec *spec, uint8_t *out,
                          uint32_t out_cap)
{
    if (spec->src->family != spec->dst->family || spec->payload_len > out_cap ||
        out_cap - spec->payload_len < PACKET_MAX_HEADERS)
        return 0;
    uint32_t off = 0;
    if (link == SYNTH_LINK_ETHERNET) {
        mac_of(spec->dst, out);
        mac_of(spec->src, out + 6);
        be16(out + 12, spec->src->family == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
        off = 14;
    }
    uint32_t ip_len = spec->src->family == 4 ? 20 : 40;
    uint32_t tcp_len = write_tcp(spec, out + off + ip_len);
    write_ip(spec, tcp_len, out + off);
    return off + ip_len + tcp_len;
}
