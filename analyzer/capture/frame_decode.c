/* frame_decode.c - link layer, IPv4 (RFC 791), IPv6 (RFC 8200) and TCP (RFC 9293) headers.
 *
 * Every read goes through a length checked just before it; lengths announced by a header are
 * trusted only up to what the capture holds.
 */
#include "capture/frame_decode.h"

#include <pcap/dlt.h>
#include <stddef.h>

/* Stacked VLAN tags we follow before calling the frame malformed; real networks use two
 * (QinQ), a handful leaves room for odd setups while bounding the loop on hostile frames. */
#define MAX_VLAN_TAGS 8
/* IPv6 extension headers we skip before giving up; RFC 8200 recommends at most one of each
 * kind, so eight is generous and bounds work on hostile chains. */
#define MAX_IPV6_EXTENSIONS 8

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define IPPROTO_NUM_TCP 6
#define TCP_MIN_HEADER 20

/* BSD address-family values for IPv6 differ per OS (NetBSD/OpenBSD 24, FreeBSD 28, macOS 30,
 * Linux 10); IPv4 is 2 everywhere. */
#define BSD_AF_INET 2

typedef enum net_proto { NET_IPV4, NET_IPV6, NET_OTHER, NET_TRUNCATED } net_proto;

static uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static lf_packet_kind reject(lf_packet *pkt, lf_packet_kind kind, const char *problem)
{
    pkt->kind = kind;
    pkt->problem = problem;
    return kind;
}

bool lf_link_type_supported(int dlt)
{
    switch (dlt) {
    case DLT_EN10MB:
    case DLT_LINUX_SLL:
    case DLT_LINUX_SLL2:
    case DLT_NULL:
    case DLT_LOOP:
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
        return true;
    default:
        return false;
    }
}

static net_proto from_ethertype(uint16_t type)
{
    if (type == ETHERTYPE_IPV4)
        return NET_IPV4;
    if (type == ETHERTYPE_IPV6)
        return NET_IPV6;
    return NET_OTHER;
}

static bool is_vlan_tag(uint16_t type)
{
    return type == 0x8100 || type == 0x88a8 || type == 0x9100;
}

static net_proto link_ethernet(const uint8_t *f, uint32_t caplen, uint32_t *off)
{
    if (caplen < 14)
        return NET_TRUNCATED;
    uint16_t type = be16(f + 12);
    uint32_t o = 14;
    for (int tags = 0; is_vlan_tag(type); tags++) {
        if (tags == MAX_VLAN_TAGS || caplen - o < 4)
            return NET_TRUNCATED;
        type = be16(f + o + 2);
        o += 4;
    }
    *off = o;
    return from_ethertype(type);
}

static net_proto from_bsd_family(uint32_t family)
{
    if (family == BSD_AF_INET)
        return NET_IPV4;
    if (family == 10 || family == 24 || family == 28 || family == 30)
        return NET_IPV6;
    return NET_OTHER;
}

/* DLT_NULL stores the family in the byte order of the capturing host, which the file does not
 * record: a valid family is a small number, so the order that yields one is the right one. */
static uint32_t host_order_family(const uint8_t *p)
{
    uint32_t family = le32(p);
    return family > 0xFFFF ? be32(p) : family;
}

static net_proto from_ip_version(const uint8_t *f, uint32_t caplen)
{
    if (caplen < 1)
        return NET_TRUNCATED;
    if (f[0] >> 4 == 4)
        return NET_IPV4;
    if (f[0] >> 4 == 6)
        return NET_IPV6;
    return NET_OTHER;
}

static net_proto decode_link(int dlt, const uint8_t *f, uint32_t caplen, uint32_t *off)
{
    *off = 0;
    switch (dlt) {
    case DLT_EN10MB:
        return link_ethernet(f, caplen, off);
    case DLT_LINUX_SLL:
        *off = 16;
        return caplen < 16 ? NET_TRUNCATED : from_ethertype(be16(f + 14));
    case DLT_LINUX_SLL2:
        *off = 20;
        return caplen < 20 ? NET_TRUNCATED : from_ethertype(be16(f));
    case DLT_NULL:
        *off = 4;
        return caplen < 4 ? NET_TRUNCATED : from_bsd_family(host_order_family(f));
    case DLT_LOOP:
        *off = 4;
        return caplen < 4 ? NET_TRUNCATED : from_bsd_family(be32(f));
    case DLT_RAW:
        return from_ip_version(f, caplen);
    case DLT_IPV4:
        return NET_IPV4;
    case DLT_IPV6:
        return NET_IPV6;
    default:
        return NET_OTHER;
    }
}

/* `captured` bytes of the TCP segment are in the frame, `declared` are announced by IP. */
static inline lf_packet_kind decode_tcp(const uint8_t *p, uint32_t captured,
                                        uint32_t declared, lf_packet *pkt)
{
    if (declared < TCP_MIN_HEADER)
        return reject(pkt, LF_PACKET_MALFORMED, "IP payload too short for a TCP header");
    if (captured < TCP_MIN_HEADER)
        return reject(pkt, LF_PACKET_MALFORMED, "TCP header cut by the snapshot length");
    uint32_t header_len = (uint32_t)(p[12] >> 4) * 4;
    if (header_len < TCP_MIN_HEADER || header_len > declared)
        return reject(pkt, LF_PACKET_MALFORMED, "TCP data offset out of range");
    if (header_len > captured)
        return reject(pkt, LF_PACKET_MALFORMED, "TCP options cut by the snapshot length");
    lf_tcp_segment *t = &pkt->tcp;
    t->sport = be16(p);
    t->dport = be16(p + 2);
    t->seq = be32(p + 4);
    t->ack = be32(p + 8);
    t->flags = p[13];
    t->window = be16(p + 14);
    t->header_len = (uint8_t)header_len;
    t->payload = p + header_len;
    t->payload_len = captured - header_len;
    t->payload_missing = declared - captured;
    pkt->kind = LF_PACKET_TCP;
    return LF_PACKET_TCP;
}

static lf_packet_kind decode_ipv4(const uint8_t *p, uint32_t avail, lf_packet *pkt)
{
    if (avail < 20)
        return reject(pkt, LF_PACKET_MALFORMED, "IPv4 header cut short");
    if (p[0] >> 4 != 4)
        return reject(pkt, LF_PACKET_MALFORMED, "IPv4 header with another version");
    uint32_t header_len = (uint32_t)(p[0] & 0x0F) * 4;
    if (header_len < 20 || header_len > avail)
        return reject(pkt, LF_PACKET_MALFORMED, "IPv4 header length out of range");
    uint32_t total = be16(p + 2);
    /* Zero is what segmentation offload leaves on outgoing packets captured on the sender:
     * the NIC fills it in later, so the captured length is the best truth. */
    if (total == 0)
        total = avail;
    if (total < header_len)
        return reject(pkt, LF_PACKET_MALFORMED, "IPv4 total length shorter than its header");
    if (be16(p + 6) & 0x3FFF)
        return reject(pkt, LF_PACKET_IP_FRAGMENT, "IPv4 fragment (not reassembled)");
    if (p[9] != IPPROTO_NUM_TCP)
        return reject(pkt, LF_PACKET_OTHER, NULL);
    pkt->tcp.family = 4;
    pkt->tcp.src = p + 12;
    pkt->tcp.dst = p + 16;
    /* Ethernet pads short frames: bytes past the IP total length are not TCP's. */
    uint32_t end = total < avail ? total : avail;
    return decode_tcp(p + header_len, end - header_len, total - header_len, pkt);
}

/* Skips extension headers from `*off`; returns the upper-layer protocol or a verdict. */
static lf_packet_kind ipv6_skip_extensions(const uint8_t *p, uint32_t end, uint32_t declared,
                                           uint32_t *off, uint8_t *next, lf_packet *pkt)
{
    for (int n = 0; n <= MAX_IPV6_EXTENSIONS; n++) {
        uint32_t len;
        switch (*next) {
        case 0:  /* hop-by-hop */
        case 43: /* routing */
        case 60: /* destination options */
            if (end - *off < 2)
                return reject(pkt, LF_PACKET_MALFORMED, "IPv6 extension header cut short");
            len = ((uint32_t)p[*off + 1] + 1) * 8;
            break;
        case 51: /* authentication header: length in 4-byte units, minus 2 */
            if (end - *off < 2)
                return reject(pkt, LF_PACKET_MALFORMED, "IPv6 extension header cut short");
            len = ((uint32_t)p[*off + 1] + 2) * 4;
            break;
        case 44: /* fragment: an atomic one (offset 0, no more fragments) carries a whole packet */
            if (end - *off < 8)
                return reject(pkt, LF_PACKET_MALFORMED, "IPv6 fragment header cut short");
            if (be16(p + *off + 2) & 0xFFF9)
                return reject(pkt, LF_PACKET_IP_FRAGMENT, "IPv6 fragment (not reassembled)");
            len = 8;
            break;
        default:
            return LF_PACKET_TCP; /* not an extension header: the caller looks at *next */
        }
        if (len > declared - *off || len > end - *off)
            return reject(pkt, LF_PACKET_MALFORMED, "IPv6 extension header overruns the packet");
        *next = p[*off];
        *off += len;
    }
    return reject(pkt, LF_PACKET_MALFORMED, "too many IPv6 extension headers");
}

static lf_packet_kind decode_ipv6(const uint8_t *p, uint32_t avail, lf_packet *pkt)
{
    if (avail < 40)
        return reject(pkt, LF_PACKET_MALFORMED, "IPv6 header cut short");
    if (p[0] >> 4 != 6)
        return reject(pkt, LF_PACKET_MALFORMED, "IPv6 header with another version");
    /* A zero payload length means a jumbogram or segmentation offload: trust the capture. */
    uint32_t declared = be16(p + 4) ? 40 + (uint32_t)be16(p + 4) : avail;
    uint32_t end = declared < avail ? declared : avail;
    uint32_t off = 40;
    uint8_t next = p[6];
    if (ipv6_skip_extensions(p, end, declared, &off, &next, pkt) != LF_PACKET_TCP)
        return pkt->kind;
    if (next != IPPROTO_NUM_TCP)
        return reject(pkt, LF_PACKET_OTHER, NULL);
    pkt->tcp.family = 6;
    pkt->tcp.src = p + 8;
    pkt->tcp.dst = p + 24;
    return decode_tcp(p + off, end - off, declared - off, pkt);
}

lf_packet_kind lf_frame_decode(int dlt, const uint8_t *frame, uint32_t caplen, lf_packet *pkt)
{
    pkt->frame = frame;
    pkt->caplen = caplen;
    pkt->problem = NULL;
    uint32_t off;
    switch (decode_link(dlt, frame, caplen, &off)) {
    case NET_IPV4:
        return decode_ipv4(frame + off, caplen - off, pkt);
    case NET_IPV6:
        return decode_ipv6(frame + off, caplen - off, pkt);
    case NET_TRUNCATED:
        return reject(pkt, LF_PACKET_MALFORMED, "link-layer header cut short");
    default:
        return reject(pkt, LF_PACKET_OTHER, NULL);
    }
}
