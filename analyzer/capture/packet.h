/* packet.h - one captured frame, decoded down to TCP when it carries TCP.
 *
 * Produced by the capture stage (capture.h) and by the frame decoder (frame_decode.h). A packet
 * is a view: `frame` and `tcp.payload` point into the capture reader's buffer and stay valid
 * only until the next lf_capture_next() call. Nothing to free.
 */
#ifndef LIFELINE_PACKET_H
#define LIFELINE_PACKET_H

#include <stdbool.h>
#include <stdint.h>

#include "pipeline/frame_ref.h"

typedef enum lf_packet_kind {
    LF_PACKET_TCP,         /* `tcp` is filled in */
    LF_PACKET_OTHER,       /* well formed, but not TCP over IP (ARP, UDP, ICMP...) */
    LF_PACKET_IP_FRAGMENT, /* an IPv4/IPv6 fragment; not reassembled */
    LF_PACKET_MALFORMED,   /* headers inconsistent or cut before the TCP header ends */
} lf_packet_kind;

/* TCP header flag bits, as on the wire (low byte of the flags field). */
enum {
    LF_TCP_FIN = 0x01,
    LF_TCP_SYN = 0x02,
    LF_TCP_RST = 0x04,
    LF_TCP_PSH = 0x08,
    LF_TCP_ACK = 0x10,
    LF_TCP_URG = 0x20,
};

typedef struct lf_tcp_segment {
    uint8_t family;     /* 4 or 6 */
    const uint8_t *src; /* 4 (IPv4) or 16 (IPv6) address bytes in the frame, network order */
    const uint8_t *dst;
    uint16_t sport; /* host order */
    uint16_t dport;
    uint32_t seq;
    uint32_t ack;
    uint16_t window;          /* raw, unscaled */
    uint8_t flags;            /* LF_TCP_* */
    uint8_t header_len;       /* TCP header incl. options, bytes */
    const uint8_t *payload;   /* captured payload bytes */
    uint32_t payload_len;     /* captured payload length */
    uint32_t payload_missing; /* payload bytes the IP length announces but the snaplen cut */
} lf_tcp_segment;

typedef struct lf_packet {
    lf_frame_ref ref;
    lf_packet_kind kind;
    const char *problem; /* for MALFORMED / IP_FRAGMENT: a static phrase saying why */
    const uint8_t *frame;
    uint32_t caplen;  /* bytes captured */
    uint32_t wirelen; /* bytes on the wire */
    lf_tcp_segment tcp;
} lf_packet;

#endif
