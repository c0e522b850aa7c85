/* read_ahead.c - the capture read on a thread of its own, handed over in batches. */
#include "pipeline/read_ahead.h"

#include "pipeline/batch_ring.h"

#include <glib.h>
#include <pthread.h>
#include <string.h>

typedef struct ra_item {
    bool is_diag;
    union {
        lf_packet pkt;
        lf_diag diag;
    } u;
} ra_item;

struct lf_read_ahead {
    char **paths;
    uint32_t n;
    lf_diag_sink out;     /* the caller's sink, called on the pipeline's thread */
    lf_diag_sink collect; /* the capture's sink, on the reader thread: into the batches */
    lf_capture *cap;      /* written by the reader thread before its first batch is handed over */
    lf_batch_ring *ring;
    pthread_t thread;
    const lf_batch *batch; /* the pipeline's batch, NULL between batches */
    uint32_t pos;          /* its next item */
    bool ended;            /* the pipeline has read the last batch */
    bool progress_known;
    uint64_t progress_done, progress_total;
};

/* Each batch carries how far the reading was when it was handed over. */
static void seal(void *ctx, lf_batch *b)
{
    lf_read_ahead *r = ctx;
    uint64_t done = 0, total = 0;
    bool known = r->cap != NULL && lf_capture_progress(r->cap, &done, &total);
    b->seal[0] = done;
    b->seal[1] = known ? total : UINT64_MAX;
}

/* Copies what the stages after the capture read of a packet: never the frame's other bytes. */
static bool push_packet(lf_read_ahead *r, const lf_packet *pkt)
{
    bool tcp = pkt->kind == LF_PACKET_TCP;
    size_t addr = tcp && pkt->tcp.family == 6 ? 16 : 4;
    size_t room = tcp ? 2 * lf_batch_room(addr) + lf_batch_room(pkt->tcp.payload_len) : 0;
    lf_batch *b;
    ra_item *it = lf_batch_ring_add(r->ring, room, &b);
    if (it == NULL)
        return false;
    it->is_diag = false;
    it->u.pkt = *pkt;
    it->u.pkt.frame = NULL;
    if (tcp) {
        lf_tcp_segment *seg = &it->u.pkt.tcp;
        seg->src = lf_batch_keep(b, pkt->tcp.src, addr);
        seg->dst = lf_batch_keep(b, pkt->tcp.dst, addr);
        seg->payload = lf_batch_keep(b, pkt->tcp.payload, pkt->tcp.payload_len);
    }
    return true;
}

static void push_diag(void *ctx, const lf_diag *d)
{
    lf_read_ahead *r = ctx;
    size_t len = d->message != NULL ? strlen(d->message) + 1 : 0;
    lf_batch *b;
    ra_item *it = lf_batch_ring_add(r->ring, lf_batch_room(len), &b);
    if (it == NULL)
        return;
    it->is_diag = true;
    it->u.diag = *d; /* the path belongs to the capture, which outlives the batches */
    it->u.diag.message = lf_batch_keep(b, d->message, len);
}

static void *read_all(void *arg)
{
    lf_read_ahead *r = arg;
    r->cap = lf_capture_open((const char *const *)r->paths, r->n, &r->collect);
    lf_packet pkt;
    bool go = true;
    while (go && r->cap != NULL && lf_capture_next(r->cap, &pkt))
        go = push_packet(r, &pkt);
    if (go)
        lf_batch_ring_finish(r->ring);
    return NULL;
}

lf_read_ahead *lf_read_ahead_start(const char *const *paths, uint32_t n, const lf_diag_sink *diag)
{
    lf_read_ahead *r = g_new0(lf_read_ahead, 1);
    r->paths = g_new0(char *, n + 1);
    for (uint32_t i = 0; i < n; i++)
        r->paths[i] = g_strdup(paths[i]);
    r->n = n;
    if (diag != NULL)
        r->out = *diag;
    r->collect = (lf_diag_sink){.ctx = r, .emit = push_diag};
    r->ring = lf_batch_ring_new(LF_READ_AHEAD_BATCHES, sizeof(ra_item), LF_READ_AHEAD_ITEMS,
                                LF_READ_AHEAD_BYTES, seal, r);
    if (pthread_create(&r->thread, NULL, read_all, r) != 0) {
        lf_batch_ring_free(r->ring);
        g_strfreev(r->paths);
        g_free(r);
        return NULL;
    }
    return r;
}

bool lf_read_ahead_next(lf_read_ahead *r, lf_packet *pkt)
{
    while (!r->ended) {
        if (r->batch == NULL) {
            r->batch = lf_batch_ring_take(r->ring);
            r->pos = 0;
            r->progress_known = r->batch->seal[1] != UINT64_MAX;
            r->progress_done = r->batch->seal[0];
            r->progress_total = r->batch->seal[1];
        }
        const ra_item *items = r->batch->items;
        while (r->pos < r->batch->count) {
            const ra_item *it = &items[r->pos++];
            if (!it->is_diag) {
                *pkt = it->u.pkt;
                return true;
            }
            if (r->out.emit != NULL)
                r->out.emit(r->out.ctx, &it->u.diag);
        }
        r->ended = r->batch->last;
        r->batch = NULL;
        lf_batch_ring_give_back(r->ring);
    }
    return false;
}

const lf_capture *lf_read_ahead_capture(const lf_read_ahead *r)
{
    return r->cap;
}

bool lf_read_ahead_progress(const lf_read_ahead *r, uint64_t *done, uint64_t *total)
{
    *done = r->progress_done;
    *total = r->progress_total;
    return r->progress_known;
}

void lf_read_ahead_free(lf_read_ahead *r)
{
    if (r == NULL)
        return;
    lf_batch_ring_stop(r->ring);
    pthread_join(r->thread, NULL);
    lf_capture_close(r->cap);
    lf_batch_ring_free(r->ring);
    g_strfreev(r->paths);
    g_free(r);
}
