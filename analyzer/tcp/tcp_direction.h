/* tcp_direction.h - one direction of a TCP connection: turns segments, in whatever order the
 * capture shows them, into in-order bytes and gaps for the consumer.
 *
 * In-order segments are handed on straight from the packet buffer; only segments that arrive
 * ahead of a hole are copied, into a list capped at `out->cap` bytes. Retransmitted bytes are
 * dropped, and reported when they differ from what was first seen (compared byte for byte
 * against buffered data, and by fingerprint against the last few delivered segments). A
 * tcp_direction owns its buffered copies; tcp_direction_free() releases them.
 */
#ifndef LIFELINE_TCP_DIRECTION_H
#define LIFELINE_TCP_DIRECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/diag.h"
#include "tcp/tcp_consumer.h"

/* Delivered segments remembered (as sequence range + fingerprint) to recognise a
 * retransmission whose bytes changed; a retransmission normally repeats one of the last few. */
#define TCP_DIRECTION_HISTORY 4

typedef struct tcp_ooo_segment tcp_ooo_segment;

typedef struct tcp_segment_print {
    uint32_t seq;
    uint32_t len; /* 0: empty slot */
    uint32_t hash;
} tcp_segment_print;

/* Fingerprints of the last delivered segments. Kept apart from tcp_direction because it is
 * written on delivery only, while tcp_direction is read for every packet of both sides. */
typedef struct tcp_direction_history {
    tcp_segment_print print[TCP_DIRECTION_HISTORY];
    uint32_t next;
} tcp_direction_history;

typedef struct tcp_direction {
    uint32_t next_seq; /* first byte not yet delivered (or declared lost) */
    uint32_t fin_seq;  /* sequence number the FIN occupies */
    bool started;      /* next_seq is meaningful */
    bool fin_seen;
    bool fin_delivered;
    tcp_ooo_segment *ooo; /* buffered segments ahead of next_seq, sorted, not overlapping */
    size_t buffered;      /* payload bytes in `ooo` */
} tcp_direction;

typedef struct tcp_byte_counts {
    uint64_t delivered;
    uint64_t missing; /* sum of gaps */
} tcp_byte_counts;

/* Where a direction's output goes: the consumer's stream, the diagnostics, the counters. */
typedef struct tcp_direction_out {
    const tcp_consumer *consumer;
    void *stream;
    tcp_dir dir;
    const tcp_stream_info *info; /* for diagnostics */
    const lf_diag_sink *diag;
    tcp_byte_counts *counts;
    size_t cap; /* out-of-order bytes this direction may buffer */
    tcp_direction_history *history;
} tcp_direction_out;

void tcp_direction_init(tcp_direction *d);

/* Sets where the byte stream starts (first byte after a SYN, or the first sequence number
 * seen mid-connection). Ignored once started. Inline: called for every packet. */
static inline void tcp_direction_start(tcp_direction *d, uint32_t seq)
{
    if (d->started)
        return;
    d->started = true;
    d->next_seq = seq;
}

/* A segment's payload: `len` captured bytes at `seq`, then `missing` bytes the snapshot
 * length cut off. `at` is this segment's frame; it becomes the `at` of everything released.
 * With no bytes at all (len and missing 0) it does nothing beyond tcp_direction_start(): every
 * call leaves no buffered segment at or before next_seq, so an empty one has nothing to release. */
void tcp_direction_segment(tcp_direction *d, const tcp_direction_out *out, uint32_t seq,
                           const uint8_t *bytes, uint32_t len, uint32_t missing,
                           const lf_frame_ref *at);

/* No sender can have more than the largest scaled window (RFC 7323: scale 14 on a 16-bit
 * window) unacknowledged: an ACK further ahead is garbage (some RSTs carry one). */
#define TCP_MAX_WINDOW (UINT32_C(1) << 30)

/* False when tcp_direction_acked() would do nothing for `ack`: the direction has not started,
 * or `ack` is not ahead of next_seq by at most TCP_MAX_WINDOW. Inline: asked for every ACK. */
static inline bool tcp_direction_ack_pending(const tcp_direction *d, uint32_t ack)
{
    return d->started && ack - d->next_seq - 1 < TCP_MAX_WINDOW;
}

/* The other side acknowledged up to `ack`: bytes before it were sent, so holes before it will
 * not be filled by this capture and are declared gaps. */
void tcp_direction_acked(tcp_direction *d, const tcp_direction_out *out, uint32_t ack,
                         const lf_frame_ref *at);

/* Gives up every hole: buffered data is delivered with gaps between, up to the FIN if one was
 * seen. Used when the connection ends or the input does. */
void tcp_direction_flush(tcp_direction *d, const tcp_direction_out *out, const lf_frame_ref *at);

/* Records a FIN at `fin_seq` (first one wins). */
void tcp_direction_fin(tcp_direction *d, uint32_t fin_seq);

/* True once, when every byte before a seen FIN has been delivered: the FIN can be reported. */
bool tcp_direction_take_fin(tcp_direction *d);

void tcp_direction_free(tcp_direction *d);

#endif
