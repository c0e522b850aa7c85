/* tcp_reassembler.h - TCP streams from decoded packets: finds each packet's connection, tracks
 * handshake, FIN and RST, and feeds a tcp_consumer in-order bytes per direction.
 *
 * Streams are numbered 0, 1, 2... in order of first appearance, a new SYN on a used 4-tuple
 * starting a new stream, as tshark numbers tcp.stream. Memory follows live streams: a hash
 * table that grows, out-of-order data capped per direction, optional idle and count limits
 * that evict the least recently active stream. A closed stream lingers briefly (without
 * buffers) so that its last ACKs are not taken for a new connection; a 4-tuple seen again
 * without a SYN after that gets a new number (where tshark would reuse the old one).
 *
 * Holes are given up (reported through the consumer's gap()) when the other side acknowledges
 * bytes never seen, when out-of-order data exceeds its cap, and when the stream ends. A
 * retransmission whose bytes differ from the first copy is reported to the diagnostics sink;
 * the first copy is what the consumer gets. Any consumer callback may be NULL.
 *
 * The caller owns the reassembler (tcp_reassembler_free()); the consumer and the diagnostics
 * sink are borrowed and must outlive it. The consumer's close() is called exactly once for every
 * open(), at the latest by tcp_reassembler_finish() or tcp_reassembler_free().
 */
#ifndef LIFELINE_TCP_REASSEMBLER_H
#define LIFELINE_TCP_REASSEMBLER_H

#include <stddef.h>
#include <stdint.h>

#include "capture/packet.h"
#include "pipeline/diag.h"
#include "tcp/tcp_consumer.h"

/* Out-of-order bytes kept per direction while waiting for a missing segment: a lost segment
 * stalls at most about one receive window of data behind it, and 1 MiB covers the windows of
 * ordinary web traffic. Beyond it the hole is declared a gap. */
#define TCP_DEFAULT_MAX_BUFFERED ((size_t)1 << 20)
/* How long (capture time) a closed stream keeps its 4-tuple and number for late ACKs and
 * retransmitted FINs; twice the longest common TIME_WAIT. */
#define TCP_DEFAULT_CLOSED_LINGER_NS (120LL * 1000000000LL)
/* Closed streams kept lingering at most (oldest dropped first), so a capture of many short
 * connections does not pile them up: a stream takes under 400 bytes, so about 25 MiB. */
#define TCP_MAX_CLOSED_STREAMS 65536

/* Start from tcp_reassembler_config_default() and change what is needed. */
typedef struct tcp_reassembler_config {
    size_t max_buffered_per_direction; /* out-of-order bytes per direction (0: default) */
    lf_time_ns idle_timeout;           /* evict streams idle this long; 0: never */
    size_t max_streams;                /* evict the least recently active beyond; 0: no limit */
    lf_time_ns closed_linger;          /* see TCP_DEFAULT_CLOSED_LINGER_NS */
} tcp_reassembler_config;

typedef struct tcp_reassembler_stats {
    uint64_t streams;      /* streams opened */
    uint64_t live_streams; /* currently open */
    uint64_t bytes_delivered;
    uint64_t bytes_missing; /* sum of all gaps */
    uint64_t evicted;
} tcp_reassembler_stats;

typedef struct tcp_reassembler tcp_reassembler;

/* Fills `config` with the defaults above. */
void tcp_reassembler_config_default(tcp_reassembler_config *config);

/* `config` may be NULL (defaults); `diag` may be NULL. NULL on out of memory. */
tcp_reassembler *tcp_reassembler_new(const tcp_reassembler_config *config,
                                     const tcp_consumer *consumer, const lf_diag_sink *diag);

/* Feeds one packet; anything but LF_PACKET_TCP is ignored. Packets are expected in capture
 * order (lf_capture_next() order). */
void tcp_reassembler_packet(tcp_reassembler *r, const lf_packet *pkt);

/* End of input: every live stream gives up its holes and is closed (TCP_END_FIN when both FINs
 * were delivered, else TCP_END_CAPTURE_ENDED), in stream-id order. Idempotent. */
void tcp_reassembler_finish(tcp_reassembler *r);

tcp_reassembler_stats tcp_reassembler_get_stats(const tcp_reassembler *r);

/* Finishes (if not done) and frees everything. NULL is fine. */
void tcp_reassembler_free(tcp_reassembler *r);

#endif
