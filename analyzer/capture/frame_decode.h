/* frame_decode.h - decode one captured frame: link layer -> IPv4/IPv6 -> TCP header.
 *
 * Pure functions over the caller's bytes; no allocation, no I/O. Every length is checked
 * against what was captured, so a hostile frame yields LF_PACKET_MALFORMED, never a read past
 * its end. The decoded packet points into `frame` (see packet.h).
 */
#ifndef LIFELINE_FRAME_DECODE_H
#define LIFELINE_FRAME_DECODE_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/packet.h"

/* True for the libpcap DLT_* values lf_frame_decode() understands: Ethernet (802.1Q, 802.1ad
 * and 0x9100 tags), Linux cooked v1/v2, BSD loopback NULL and LOOP, raw IP, raw IPv4/IPv6. */
bool lf_link_type_supported(int dlt);

/* Decodes `frame` (caplen bytes captured) of link type `dlt` into pkt->kind, pkt->problem and
 * pkt->tcp; also sets pkt->frame and pkt->caplen. Leaves pkt->ref and pkt->wirelen alone. */
lf_packet_kind lf_frame_decode(int dlt, const uint8_t *frame, uint32_t caplen, lf_packet *pkt);

#endif
