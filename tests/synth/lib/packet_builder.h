/* Builds one link-layer frame (Ethernet or raw) carrying IPv4/IPv6 + TCP with valid checksums,
 * into a caller-supplied buffer. Pure function of its arguments; owns nothing. */
#ifndef LIFELINE_SYNTH_PACKET_BUILDER_H
#define LIFELINE_SYNTH_PACKET_BUILDER_H

#include "synth_types.h"

#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_RST 0x04
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_ACK 0x10

/* Ethernet 14 + IPv6 40 + TCP 20 + MSS option 4. */
#define PACKET_MAX_HEADERS 78

typedef struct {
    const synth_endpoint *src;
    const synth_endpoint *dst;
    uint32_t seq;
    uint32_t ack;
    uint8_t flags;
    uint16_t window;
    uint16_t mss_option; /* 0: no option; else an MSS option (SYN segments) */
    uint16_t ip_id;
    const uint8_t *payload;
    uint32_t payload_len;
} tcp_segment_spec;

/* Writes the frame into out (capacity out_cap); returns its length or 0 if it does not fit. */
uint32_t packet_build_tcp(synth_link link, const tcp_segment_spec *spec, uint8_t *out,
                          uint32_t out_cap);

#endif
