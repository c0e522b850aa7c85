/* tcp_reassembler.c - stream table, connection life cycle, dispatch to tcp_direction. */
#include "tcp/tcp_reassembler.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "tcp/tcp_direction.h"
#include "tcp/tcp_flow_key.h"
#include "tcp/tcp_flow_table.h"

/* Two cache lines on the machines this runs on: processors fetch such a pair together, so
 * aligning to it makes a stream's hot fields (see tcp_stream) cost one memory access. */
#define STREAM_ALIGN 128

typedef struct tcp_stream tcp_stream;

/* Intrusive doubly linked list: O(1) move-to-tail on every packet, no allocation. */
typedef struct stream_list {
    tcp_stream *head;
    tcp_stream *tail;
    size_t length;
} stream_list;

struct tcp_stream {
    /* The first two cache lines (allocated together, see STREAM_ALIGN) hold everything a
     * packet without payload reads or writes: identity, flags, when it was last seen, and both
     * directions. */
    tcp_flow_key key;    /* first member: the flow table stores &key */
    uint8_t client_side; /* side of `key` that opened the connection */
    bool closed;         /* consumer closed; kept only to absorb late packets */
    bool base_set[2];
    /* the last packet seen (or, closed, the closing one), an lf_frame_ref split up to fit */
    uint32_t last_file;
    uint64_t last_frame;
    lf_time_ns last_time;
    tcp_direction dir[2]; /* indexed by tcp_dir */
    /* What only packets with payload, SYNs and stream changes use. */
    void *state;          /* the consumer's */
    uint32_t base_seq[2]; /* first sequence number seen per direction, as tshark keeps it */
    tcp_direction_history history[2];
    tcp_stream *prev; /* in `live` (least recently active first) or `closed` (oldest first) */
    tcp_stream *next;
    tcp_stream_info info;
    bool any_fin;
    tcp_dir first_fin;
};

_Static_assert(offsetof(tcp_stream, dir) == 64 && sizeof(tcp_direction) == 32,
               "a packet's fields fill the first two cache lines of a stream");

struct tcp_reassembler {
    tcp_reassembler_config config;
    const tcp_consumer *consumer;
    const lf_diag_sink *diag;
    tcp_flow_table streams; /* every stream, live or closed; freed by stream_discard() */
    tcp_stream *recent;     /* the last packet's stream: bursts skip the table lookup */
    uint32_t recent_hash;   /* tcp_flow_key_hash() of recent's key */
    stream_list live;       /* least recently active first when eviction is configured */
    stream_list closed;
    tcp_reassembler_stats stats;
    tcp_byte_counts counts;
    bool finished;
};

/* Ports that identify the server when a capture starts mid-connection (web and common
 * development servers, where SignalR endpoints live). */
static const uint16_t SERVER_PORTS[] = {80,   443,  8080, 8443, 8000, 8008, 8081,
                                        8888, 5000, 5001, 3000, 9000, 9443};

void tcp_reassembler_config_default(tcp_reassembler_config *config)
{
    *config = (tcp_reassembler_config){
        .max_buffered_per_direction = TCP_DEFAULT_MAX_BUFFERED,
        .idle_timeout = 0,
        .max_streams = 0,
        .closed_linger = TCP_DEFAULT_CLOSED_LINGER_NS,
    };
}

tcp_reassembler *tcp_reassembler_new(const tcp_reassembler_config *config,
                                     const tcp_consumer *consumer, const lf_diag_sink *diag)
{
    tcp_reassembler *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    tcp_reassembler_config_default(&r->config);
    if (config) {
        r->config = *config;
        if (r->config.max_buffered_per_direction == 0)
            r->config.max_buffered_per_direction = TCP_DEFAULT_MAX_BUFFERED;
    }
    r->consumer = consumer;
    r->diag = diag;
    if (!tcp_flow_table_init(&r->streams)) {
        free(r);
        return NULL;
    }
    return r;
}

static void list_unlink(stream_list *l, tcp_stream *st)
{
    if (st->prev)
        st->prev->next = st->next;
    else
        l->head = st->next;
    if (st->next)
        st->next->prev = st->prev;
    else
        l->tail = st->prev;
    st->prev = st->next = NULL;
    l->length--;
}

static void list_push_tail(stream_list *l, tcp_stream *st)
{
    st->prev = l->tail;
    st->next = NULL;
    if (l->tail)
        l->tail->next = st;
    else
        l->head = st;
    l->tail = st;
    l->length++;
}

static lf_frame_ref last_seen(const tcp_stream *st)
{
    return (lf_frame_ref){.file = st->last_file, .frame = st->last_frame, .time = st->last_time};
}

static void set_last_seen(tcp_stream *st, const lf_frame_ref *at)
{
    st->last_file = at->file;
    st->last_frame = at->frame;
    st->last_time = at->time;
}

static tcp_dir dir_of(const tcp_stream *st, unsigned sender_side)
{
    return sender_side == st->client_side ? TCP_DIR_TO_SERVER : TCP_DIR_TO_CLIENT;
}

static tcp_direction_out direction_out(tcp_reassembler *r, tcp_stream *st, tcp_dir dir)
{
    return (tcp_direction_out){.consumer = r->consumer,
                               .stream = st->state,
                               .dir = dir,
                               .info = &st->info,
                               .diag = r->diag,
                               .counts = &r->counts,
                               .cap = r->config.max_buffered_per_direction,
                               .history = &st->history[dir]};
}

static void report_fins(tcp_reassembler *r, tcp_stream *st, const lf_frame_ref *at)
{
    if (!st->dir[0].fin_seen && !st->dir[1].fin_seen)
        return;
    for (int d = 0; d < 2; d++) {
        if (!tcp_direction_take_fin(&st->dir[d]))
            continue;
        if (!st->any_fin) {
            st->any_fin = true;
            st->first_fin = (tcp_dir)d;
        }
        if (r->consumer->fin)
            r->consumer->fin(st->state, (tcp_dir)d, at);
    }
}

static bool both_fins_delivered(const tcp_stream *st)
{
    return st->dir[0].fin_delivered && st->dir[1].fin_delivered;
}

/* Ends a live stream: holes given up, consumer closed, buffers freed. The stream stays in the
 * table (closed) until discarded. */
static void stream_end(tcp_reassembler *r, tcp_stream *st, tcp_end_reason why, tcp_dir by,
                       const lf_frame_ref *at)
{
    for (int d = 0; d < 2; d++) {
        tcp_direction_out out = direction_out(r, st, (tcp_dir)d);
        tcp_direction_flush(&st->dir[d], &out, at);
    }
    report_fins(r, st, at);
    if (why == TCP_END_CAPTURE_ENDED && both_fins_delivered(st)) {
        why = TCP_END_FIN;
        by = st->first_fin;
    }
    if (r->consumer->close)
        r->consumer->close(st->state, why, by, at);
    st->state = NULL;
    for (int d = 0; d < 2; d++)
        tcp_direction_free(&st->dir[d]);
    st->closed = true;
    set_last_seen(st, at);
    list_unlink(&r->live, st);
    list_push_tail(&r->closed, st);
    r->stats.live_streams--;
}

static void stream_discard(tcp_reassembler *r, tcp_stream *st)
{
    if (r->recent == st)
        r->recent = NULL;
    tcp_flow_table_remove(&r->streams, &st->key);
    list_unlink(st->closed ? &r->closed : &r->live, st);
    free(st);
}

static void stream_evict(tcp_reassembler *r, tcp_stream *st, const char *why)
{
    lf_frame_ref at = last_seen(st);
    lf_diag_report(r->diag, LF_DIAG_NOTE, LF_DIAG_TCP_STREAM_EVICTED, NULL, &at,
                   "stream %llu evicted: %s", (unsigned long long)st->info.id, why);
    r->stats.evicted++;
    stream_end(r, st, TCP_END_EVICTED, TCP_DIR_TO_SERVER, &at);
    stream_discard(r, st);
}

/* True when `now` is more than `limit` after `then`; safe for any timestamps. */
static bool older_than(lf_time_ns then, lf_time_ns now, lf_time_ns limit)
{
    return now > then && (uint64_t)now - (uint64_t)then > (uint64_t)limit;
}

static void expire(tcp_reassembler *r, lf_time_ns now)
{
    while (r->config.idle_timeout > 0 && r->live.head) {
        tcp_stream *st = r->live.head;
        if (!older_than(st->last_time, now, r->config.idle_timeout))
            break;
        stream_evict(r, st, "idle longer than the idle timeout");
    }
    while (r->closed.head) {
        tcp_stream *st = r->closed.head;
        if (r->closed.length <= TCP_MAX_CLOSED_STREAMS &&
            !older_than(st->last_time, now, r->config.closed_linger))
            break;
        stream_discard(r, st);
    }
}

static bool is_server_port(uint16_t port)
{
    for (size_t i = 0; i < sizeof SERVER_PORTS / sizeof SERVER_PORTS[0]; i++)
        if (SERVER_PORTS[i] == port)
            return true;
    return false;
}

/* Without a SYN, the server is the side on a well-known port, else the lower port; with equal
 * ports the first sender is taken as the client. */
static unsigned guess_client_side(const tcp_flow_key *key, unsigned sender_side)
{
    bool server0 = is_server_port(key->port[0]), server1 = is_server_port(key->port[1]);
    if (server0 != server1)
        return server0 ? 1 : 0;
    if (key->port[0] != key->port[1])
        return key->port[0] < key->port[1] ? 1 : 0;
    return sender_side;
}

static void decide_opener(tcp_stream *st, unsigned sender_side, uint8_t flags)
{
    st->info.saw_handshake = (flags & LF_TCP_SYN) != 0;
    if ((flags & (LF_TCP_SYN | LF_TCP_ACK)) == LF_TCP_SYN)
        st->client_side = (uint8_t)sender_side;
    else if (flags & LF_TCP_SYN)
        st->client_side = (uint8_t)(1 - sender_side); /* a SYN/ACK comes from the server */
    else {
        st->client_side = (uint8_t)guess_client_side(&st->key, sender_side);
        st->info.opener_guessed = true;
    }
    st->info.client = tcp_flow_key_endpoint(&st->key, st->client_side);
    st->info.server = tcp_flow_key_endpoint(&st->key, 1 - st->client_side);
}

static tcp_stream *stream_new(tcp_reassembler *r, const tcp_flow_key *key, uint32_t hash,
                              unsigned sender_side, const lf_packet *pkt)
{
    if (r->config.max_streams > 0 && r->live.length >= r->config.max_streams)
        stream_evict(r, r->live.head, "too many live streams");
    /* Aligned so that the per-packet fields (see tcp_stream) come in one fetch. */
    size_t size = (sizeof(tcp_stream) + STREAM_ALIGN - 1) / STREAM_ALIGN * STREAM_ALIGN;
    tcp_stream *st = aligned_alloc(STREAM_ALIGN, size);
    if (!st)
        return NULL;
    memset(st, 0, sizeof *st);
    st->key = *key;
    if (!tcp_flow_table_insert(&r->streams, &st->key, hash)) {
        free(st);
        return NULL;
    }
    st->info.id = r->stats.streams++;
    set_last_seen(st, &pkt->ref);
    decide_opener(st, sender_side, pkt->tcp.flags);
    for (int d = 0; d < 2; d++)
        tcp_direction_init(&st->dir[d]);
    list_push_tail(&r->live, st);
    r->stats.live_streams++;
    if (r->consumer->open)
        st->state = r->consumer->open(r->consumer->ctx, &st->info, &pkt->ref);
    return st;
}

/* A SYN whose sequence number differs from the first one seen from that side opens a new
 * connection on the same 4-tuple (a retransmitted SYN repeats it). */
static bool is_new_connection(const tcp_stream *st, unsigned sender_side, const lf_tcp_segment *t)
{
    if ((t->flags & (LF_TCP_SYN | LF_TCP_ACK)) != LF_TCP_SYN)
        return false;
    tcp_dir d = dir_of(st, sender_side);
    return st->base_set[d] && st->base_seq[d] != t->seq;
}

/* The acknowledgement carried by a segment from side `d`: it may close holes in the peer's
 * direction. Most acknowledge nothing new, which the inline check settles. */
static void handle_ack(tcp_reassembler *r, tcp_stream *st, tcp_dir d, uint32_t ack,
                       const lf_frame_ref *at)
{
    tcp_dir peer = (tcp_dir)(1 - d);
    if (!tcp_direction_ack_pending(&st->dir[peer], ack))
        return;
    tcp_direction_out out = direction_out(r, st, peer);
    tcp_direction_acked(&st->dir[peer], &out, ack, at);
}

static void handle_segment(tcp_reassembler *r, tcp_stream *st, unsigned sender_side,
                           const lf_packet *pkt)
{
    const lf_tcp_segment *t = &pkt->tcp;
    const lf_frame_ref *at = &pkt->ref;
    tcp_dir d = dir_of(st, sender_side);
    if (!st->base_set[d]) {
        st->base_set[d] = true;
        st->base_seq[d] = t->seq;
    }
    /* The SYN occupies one sequence number; data (if any) follows it. */
    uint32_t seq = t->flags & LF_TCP_SYN ? t->seq + 1 : t->seq;
    tcp_direction_start(&st->dir[d], seq);
    if (t->flags & LF_TCP_ACK)
        handle_ack(r, st, d, t->ack, at);
    /* A segment without payload (a pure ACK, half the traffic) changes nothing in its
     * direction once started (see tcp_direction_segment()). */
    if (t->payload_len > 0 || t->payload_missing > 0) {
        tcp_direction_out out = direction_out(r, st, d);
        tcp_direction_segment(&st->dir[d], &out, seq, t->payload, t->payload_len,
                              t->payload_missing, at);
    }
    if (t->flags & LF_TCP_FIN)
        tcp_direction_fin(&st->dir[d], seq + t->payload_len + t->payload_missing);
    report_fins(r, st, at);
    if (t->flags & LF_TCP_RST)
        stream_end(r, st, TCP_END_RST, d, at);
    else if (both_fins_delivered(st))
        stream_end(r, st, TCP_END_FIN, st->first_fin, at);
}

/* The stream a segment belongs to, live or closed, and the side of its key that sent it. The
 * last packet's stream is tried first: bursts of one connection skip the table. */
static tcp_stream *find_stream(const tcp_reassembler *r, const tcp_flow_ends *ends, uint32_t hash,
                               unsigned *sender_side)
{
    tcp_stream *st = r->recent;
    if (st && r->recent_hash == hash) {
        int side = tcp_flow_key_sender(&st->key, ends);
        if (side >= 0) {
            *sender_side = (unsigned)side;
            return st;
        }
    }
    return (tcp_stream *)tcp_flow_table_find(&r->streams, ends, hash, sender_side);
}

void tcp_reassembler_packet(tcp_reassembler *r, const lf_packet *pkt)
{
    if (pkt->kind != LF_PACKET_TCP || r->finished)
        return;
    tcp_flow_ends ends;
    tcp_flow_ends_from_segment(&pkt->tcp, &ends);
    uint32_t hash = tcp_flow_ends_hash(&ends);
    expire(r, pkt->ref.time);
    unsigned sender_side = 0;
    tcp_stream *st = find_stream(r, &ends, hash, &sender_side);
    if (st && is_new_connection(st, sender_side, &pkt->tcp)) {
        if (!st->closed)
            stream_end(r, st, TCP_END_REUSED, dir_of(st, sender_side), &pkt->ref);
        stream_discard(r, st);
        st = NULL;
    }
    if (!st) {
        tcp_flow_key key;
        sender_side = tcp_flow_key_from_segment(&pkt->tcp, &key);
        st = stream_new(r, &key, hash, sender_side, pkt);
    }
    if (!st || st->closed)
        return;
    r->recent = st;
    r->recent_hash = hash;
    set_last_seen(st, &pkt->ref);
    /* Recency order only matters for eviction; keeping it touches two other streams. */
    if ((r->config.idle_timeout > 0 || r->config.max_streams > 0) && r->live.tail != st) {
        list_unlink(&r->live, st);
        list_push_tail(&r->live, st);
    }
    handle_segment(r, st, sender_side, pkt);
}

static int by_id(const void *a, const void *b)
{
    const tcp_stream *x = *(tcp_stream *const *)a, *y = *(tcp_stream *const *)b;
    return (x->info.id > y->info.id) - (x->info.id < y->info.id);
}

void tcp_reassembler_finish(tcp_reassembler *r)
{
    if (r->finished)
        return;
    r->finished = true;
    size_t n = r->live.length;
    tcp_stream **order = malloc(n * sizeof *order + 1);
    if (order) {
        size_t i = 0;
        for (tcp_stream *st = r->live.head; st; st = st->next)
            order[i++] = st;
        qsort(order, n, sizeof *order, by_id);
        for (i = 0; i < n; i++) {
            lf_frame_ref at = last_seen(order[i]);
            stream_end(r, order[i], TCP_END_CAPTURE_ENDED, TCP_DIR_TO_SERVER, &at);
        }
        free(order);
    }
    while (r->live.head) { /* no memory to sort: list order */
        tcp_stream *st = r->live.head;
        lf_frame_ref at = last_seen(st);
        stream_end(r, st, TCP_END_CAPTURE_ENDED, TCP_DIR_TO_SERVER, &at);
    }
}

tcp_reassembler_stats tcp_reassembler_get_stats(const tcp_reassembler *r)
{
    tcp_reassembler_stats stats = r->stats;
    stats.bytes_delivered = r->counts.delivered;
    stats.bytes_missing = r->counts.missing;
    return stats;
}

void tcp_reassembler_free(tcp_reassembler *r)
{
    if (!r)
        return;
    tcp_reassembler_finish(r);
    while (r->closed.head)
        stream_discard(r, r->closed.head);
    tcp_flow_table_free(&r->streams);
    free(r);
}
