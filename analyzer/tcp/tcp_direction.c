/* tcp_direction.c - per-direction reassembly: in-order delivery, out-of-order buffer, gaps. */
#include "tcp/tcp_direction.h"

#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_seq.h"

struct tcp_ooo_segment {
    tcp_ooo_segment *next;
    uint32_t seq;
    uint32_t len;
    uint32_t tail_missing; /* bytes after this segment the snapshot length cut off */
    uint8_t bytes[];
};

/* The segment being processed, so data released from the buffer can be compared with it. */
typedef struct current_segment {
    uint32_t seq;
    const uint8_t *bytes;
    uint32_t len;
} current_segment;

void tcp_direction_init(tcp_direction *d)
{
    memset(d, 0, sizeof *d);
}

static uint64_t load64(const uint8_t *p)
{
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* Fingerprint to spot retransmissions that changed bytes, computed on every delivered
 * segment so it must be cheap: Fletcher-style pairs of sums over 8-byte words (one add per word
 * on each chain; the second sum makes it position-sensitive), in four independent lanes so the
 * adds of consecutive words do not wait on each other, mixed at the end. A changed byte always
 * changes the sums; a 32-bit fingerprint collision then is a 1 in 2^32 chance. */
static uint32_t fingerprint(const uint8_t *p, uint32_t n)
{
    uint64_t a[4] = {n, 0, 0, 0}, b[4] = {0, 0, 0, 0};
    uint32_t i = 0;
    for (; i + 32 <= n; i += 32) {
        for (int k = 0; k < 4; k++) {
            a[k] += load64(p + i + 8 * k);
            b[k] += a[k];
        }
    }
    for (; i + 8 <= n; i += 8) {
        a[0] += load64(p + i);
        b[0] += a[0];
    }
    /* The last 1-7 bytes: from the word that ends the segment when there is one. */
    uint64_t tail = 0;
    if (i < n && n >= 8)
        tail = load64(p + n - 8) >> (8 * (8 - (n - i)));
    else
        for (; i < n; i++)
            tail = tail << 8 | p[i];
    a[0] += tail;
    b[0] += a[0];
    uint64_t sa = a[0] ^ a[1] * 0xC2B2AE3D27D4EB4FULL ^ a[2] * 0x165667B19E3779F9ULL ^
                  a[3] * 0xD6E8FEB86659FD93ULL;
    uint64_t sb = b[0] + b[1] * 3 + b[2] * 5 + b[3] * 7;
    uint64_t h = (sa ^ (sb << 32 | sb >> 32)) * 0x9E3779B97F4A7C15ULL;
    return (uint32_t)(h >> 32);
}

static void report_conflict(const tcp_direction_out *out, uint32_t seq, uint32_t len,
                            const lf_frame_ref *at)
{
    lf_diag_report(out->diag, LF_DIAG_WARNING, LF_DIAG_TCP_RETRANSMIT_CONFLICT, NULL, at,
                   "stream %llu %s: retransmitted bytes at seq %u (+%u) differ from the first "
                   "copy; the first copy is kept",
                   (unsigned long long)out->info->id,
                   out->dir == TCP_DIR_TO_SERVER ? "client->server" : "server->client", seq, len);
}

static void deliver(tcp_direction *d, const tcp_direction_out *out, const uint8_t *bytes,
                    uint32_t len, const lf_frame_ref *at)
{
    if (len == 0)
        return;
    tcp_direction_history *h = out->history;
    h->print[h->next] =
        (tcp_segment_print){.seq = d->next_seq, .len = len, .hash = fingerprint(bytes, len)};
    h->next = (h->next + 1) % TCP_DIRECTION_HISTORY;
    d->next_seq += len;
    out->counts->delivered += len;
    if (out->consumer->data)
        out->consumer->data(out->stream, out->dir, bytes, len, at);
}

static void declare_gap(tcp_direction *d, const tcp_direction_out *out, uint32_t missing,
                        const lf_frame_ref *at)
{
    if (missing == 0)
        return;
    d->next_seq += missing;
    out->counts->missing += missing;
    if (out->consumer->gap)
        out->consumer->gap(out->stream, out->dir, missing, at);
}

/* An old segment (before next_seq) is a retransmission: compare it with remembered ones.
 * Containment is decided on the offset from seq, not with serial comparisons: a remembered
 * segment 2^31 bytes away would wrap those and seem to lie inside this one. */
static void check_history(const tcp_direction_out *out, uint32_t seq, const uint8_t *bytes,
                          uint32_t len, const lf_frame_ref *at)
{
    for (int i = 0; i < TCP_DIRECTION_HISTORY; i++) {
        const tcp_segment_print *p = &out->history->print[i];
        uint32_t off = p->seq - seq;
        if (p->len == 0 || off > len || p->len > len - off)
            continue;
        if (fingerprint(bytes + off, p->len) != p->hash) {
            report_conflict(out, p->seq, p->len, at);
            return;
        }
    }
}

/* Compares bytes [seq, seq+len) of a buffered segment with the current segment where they
 * overlap. */
static void compare_with_current(const tcp_direction_out *out, const current_segment *cur,
                                 uint32_t seq, const uint8_t *bytes, uint32_t len,
                                 const lf_frame_ref *at)
{
    if (!cur || len == 0 || tcp_seq_lt(seq, cur->seq))
        return;
    uint32_t off = seq - cur->seq;
    if (off >= cur->len)
        return;
    uint32_t n = cur->len - off < len ? cur->len - off : len;
    if (memcmp(cur->bytes + off, bytes, n) != 0)
        report_conflict(out, seq, n, at);
}

/* Delivers buffered segments that have become contiguous with next_seq. */
static void drain(tcp_direction *d, const tcp_direction_out *out, const current_segment *cur,
                  const lf_frame_ref *at)
{
    while (d->ooo && tcp_seq_le(d->ooo->seq, d->next_seq)) {
        tcp_ooo_segment *s = d->ooo;
        d->ooo = s->next;
        d->buffered -= s->len;
        uint32_t end = s->seq + s->len;
        uint32_t already = tcp_seq_lt(end, d->next_seq) ? s->len : d->next_seq - s->seq;
        compare_with_current(out, cur, s->seq, s->bytes, s->len, at);
        if (tcp_seq_gt(end, d->next_seq))
            deliver(d, out, s->bytes + already, s->len - already, at);
        if (s->tail_missing && tcp_seq_gt(end + s->tail_missing, d->next_seq)) {
            uint32_t until = end + s->tail_missing;
            if (d->ooo && tcp_seq_lt(d->ooo->seq, until))
                until = d->ooo->seq; /* captured bytes beat a cut-off copy */
            if (tcp_seq_gt(until, d->next_seq))
                declare_gap(d, out, until - d->next_seq, at);
        }
        free(s);
    }
}

static tcp_ooo_segment *new_piece(uint32_t seq, const uint8_t *bytes, uint32_t len)
{
    tcp_ooo_segment *s = malloc(sizeof *s + len);
    if (!s)
        return NULL;
    s->next = NULL;
    s->seq = seq;
    s->len = len;
    s->tail_missing = 0;
    memcpy(s->bytes, bytes, len);
    return s;
}

/* Buffers [seq, seq+len) ahead of a hole. Parts already buffered are compared, not stored
 * twice: only the new pieces are inserted. Returns the node ending at seq+len, if any. */
static tcp_ooo_segment *buffer_segment(tcp_direction *d, const tcp_direction_out *out, uint32_t seq,
                                       const uint8_t *bytes, uint32_t len, const lf_frame_ref *at)
{
    tcp_ooo_segment **link = &d->ooo, *last = NULL;
    while (len > 0) {
        tcp_ooo_segment *node = *link;
        if (node && tcp_seq_le(node->seq + node->len, seq)) {
            link = &node->next;
            continue;
        }
        if (!node || tcp_seq_lt(seq, node->seq)) {
            uint32_t piece = node && node->seq - seq < len ? node->seq - seq : len;
            tcp_ooo_segment *s = new_piece(seq, bytes, piece);
            if (!s)
                return NULL; /* out of memory: the bytes count as lost when the hole closes */
            s->next = node;
            *link = s;
            d->buffered += piece;
            last = s;
            link = &s->next;
            seq += piece, bytes += piece, len -= piece;
            continue;
        }
        uint32_t off = seq - node->seq;
        uint32_t n = node->len - off < len ? node->len - off : len;
        if (memcmp(node->bytes + off, bytes, n) != 0)
            report_conflict(out, seq, n, at);
        last = node;
        link = &node->next;
        seq += n, bytes += n, len -= n;
    }
    return last && last->seq + last->len == seq ? last : NULL;
}

/* Skips the first hole: its bytes are declared missing and what follows is delivered. */
static void give_up_first_hole(tcp_direction *d, const tcp_direction_out *out,
                               const lf_frame_ref *at)
{
    declare_gap(d, out, d->ooo->seq - d->next_seq, at);
    drain(d, out, NULL, at);
}

static void enforce_cap(tcp_direction *d, const tcp_direction_out *out, const lf_frame_ref *at)
{
    if (d->buffered <= out->cap)
        return;
    lf_diag_report(out->diag, LF_DIAG_WARNING, LF_DIAG_TCP_BUFFER_FULL, NULL, at,
                   "stream %llu %s: more than %zu bytes wait for a missing segment; giving it up",
                   (unsigned long long)out->info->id,
                   out->dir == TCP_DIR_TO_SERVER ? "client->server" : "server->client", out->cap);
    while (d->buffered > out->cap && d->ooo)
        give_up_first_hole(d, out, at);
}

/* Delivers a segment that starts at next_seq. Where buffered bytes (seen first) overlap it,
 * those are delivered instead and the two copies compared. A cut-off tail becomes a gap,
 * except where buffered bytes cover it. */
static void deliver_in_order(tcp_direction *d, const tcp_direction_out *out,
                             const current_segment *cur, uint32_t missing, const lf_frame_ref *at)
{
    uint32_t end = cur->seq + cur->len;
    for (;;) {
        uint32_t upto = d->ooo && tcp_seq_lt(d->ooo->seq, end) ? d->ooo->seq : end;
        if (tcp_seq_gt(upto, d->next_seq))
            deliver(d, out, cur->bytes + (d->next_seq - cur->seq), upto - d->next_seq, at);
        if (!d->ooo)
            break;
        drain(d, out, cur, at);
        if (!tcp_seq_lt(d->next_seq, end))
            break;
    }
    uint32_t tail_end = end + missing;
    if (!tcp_seq_lt(d->next_seq, tail_end))
        return;
    uint32_t until = d->ooo && tcp_seq_lt(d->ooo->seq, tail_end) ? d->ooo->seq : tail_end;
    if (tcp_seq_gt(until, d->next_seq)) {
        declare_gap(d, out, until - d->next_seq, at);
        drain(d, out, NULL, at);
    }
}

void tcp_direction_segment(tcp_direction *d, const tcp_direction_out *out, uint32_t seq,
                           const uint8_t *bytes, uint32_t len, uint32_t missing,
                           const lf_frame_ref *at)
{
    tcp_direction_start(d, seq);
    /* The usual case, the next bytes with nothing buffered or cut: deliver_in_order() would
     * only deliver them. */
    if (seq == d->next_seq && !d->ooo && missing == 0) {
        deliver(d, out, bytes, len, at);
        return;
    }
    if (tcp_seq_lt(seq, d->next_seq)) {
        check_history(out, seq, bytes, len, at);
        uint32_t old = d->next_seq - seq;
        uint32_t skip = old < len ? old : len;
        bytes += skip, len -= skip, old -= skip;
        missing -= old < missing ? old : missing; /* old bytes left lie in the cut-off tail */
        if (len == 0 && missing == 0)
            return; /* a pure duplicate */
        seq = d->next_seq;
    }
    if (seq == d->next_seq) {
        deliver_in_order(d, out, &(current_segment){seq, bytes, len}, missing, at);
        return;
    }
    if (len == 0)
        return; /* nothing captured ahead of the hole; it is found lost later */
    tcp_ooo_segment *last = buffer_segment(d, out, seq, bytes, len, at);
    if (last && missing > last->tail_missing)
        last->tail_missing = missing;
    enforce_cap(d, out, at);
}

void tcp_direction_acked(tcp_direction *d, const tcp_direction_out *out, uint32_t ack,
                         const lf_frame_ref *at)
{
    if (!tcp_direction_ack_pending(d, ack))
        return;
    /* The FIN takes a sequence number but is no byte of data. */
    if (d->fin_seen && tcp_seq_gt(ack, d->fin_seq))
        ack = d->fin_seq;
    while (tcp_seq_lt(d->next_seq, ack)) {
        if (d->ooo && tcp_seq_le(d->ooo->seq, ack)) {
            give_up_first_hole(d, out, at);
            continue;
        }
        declare_gap(d, out, ack - d->next_seq, at);
        drain(d, out, NULL, at);
    }
}

void tcp_direction_flush(tcp_direction *d, const tcp_direction_out *out, const lf_frame_ref *at)
{
    while (d->ooo)
        give_up_first_hole(d, out, at);
    if (d->fin_seen)
        tcp_direction_acked(d, out, d->fin_seq, at);
}

void tcp_direction_fin(tcp_direction *d, uint32_t fin_seq)
{
    if (d->fin_seen)
        return;
    d->fin_seen = true;
    d->fin_seq = fin_seq;
}

bool tcp_direction_take_fin(tcp_direction *d)
{
    if (!d->fin_seen || d->fin_delivered || !d->started || d->next_seq != d->fin_seq)
        return false;
    d->fin_delivered = true;
    return true;
}

void tcp_direction_free(tcp_direction *d)
{
    while (d->ooo) {
        tcp_ooo_segment *s = d->ooo;
        d->ooo = s->next;
        free(s);
    }
    d->buffered = 0;
}
