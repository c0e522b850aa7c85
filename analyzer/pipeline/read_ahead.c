/* read_ahead.c - the capture read on a thread of its own, handed over in batches. */
#include "pipeline/read_ahead.h"

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

/* A batch belongs to the reader thread until `ready`, then to the pipeline until it hands it
 * back; `ready` changes only under the lock. */
typedef struct ra_batch {
    ra_item *items;
    uint32_t count;
    uint8_t *bytes;
    size_t used, cap;
    bool progress_known;
    uint64_t done, total;
    bool ready;
    bool last; /* the end of the input: nothing follows this batch */
} ra_batch;

struct lf_read_ahead {
    char **paths;
    uint32_t n;
    lf_diag_sink out;     /* the caller's sink, called on the pipeline's thread */
    lf_diag_sink collect; /* the capture's sink, on the reader thread: into the batches */
    lf_capture *cap;      /* written by the reader thread before its first batch is ready */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool stop; /* under the lock: the pipeline wants no more */
    ra_batch batches[LF_READ_AHEAD_BATCHES];
    uint32_t write;      /* the reader thread's batch */
    uint32_t read, pos;  /* the pipeline's batch and its next item */
    bool holding, ended; /* the pipeline holds batches[read]; it has seen the last batch */
    bool progress_known;
    uint64_t progress_done, progress_total;
};

/* Hands the batch being filled over, then waits until the next one is free. False when the
 * pipeline has asked to stop. */
static bool publish(lf_read_ahead *r, bool last)
{
    ra_batch *b = &r->batches[r->write];
    b->progress_known = r->cap != NULL && lf_capture_progress(r->cap, &b->done, &b->total);
    b->last = last;
    pthread_mutex_lock(&r->lock);
    b->ready = true;
    pthread_cond_broadcast(&r->changed);
    r->write = (r->write + 1) % LF_READ_AHEAD_BATCHES;
    ra_batch *next = &r->batches[r->write];
    while (next->ready && !r->stop && !last)
        pthread_cond_wait(&r->changed, &r->lock);
    bool go = !r->stop && !last;
    pthread_mutex_unlock(&r->lock);
    if (go) {
        next->count = 0;
        next->used = 0;
    }
    return go;
}

/* The batch to add one item and `len` bytes to, after handing over the current one when it is
 * full; NULL when the pipeline has asked to stop. */
static ra_batch *room(lf_read_ahead *r, size_t len)
{
    ra_batch *b = &r->batches[r->write];
    if (b->count < LF_READ_AHEAD_ITEMS && b->used + len <= b->cap)
        return b;
    if (b->count > 0) {
        if (!publish(r, false))
            return NULL;
        b = &r->batches[r->write];
    }
    if (len > b->cap) { /* a single frame larger than a batch */
        b->bytes = g_realloc(b->bytes, len);
        b->cap = len;
    }
    return b;
}

static const uint8_t *keep(ra_batch *b, const uint8_t *p, size_t len)
{
    if (p == NULL)
        return NULL;
    uint8_t *copy = b->bytes + b->used;
    if (len > 0)
        memcpy(copy, p, len);
    b->used += len;
    return copy;
}

/* Copies what the stages after the capture read of a packet: never the frame's other bytes. */
static bool push_packet(lf_read_ahead *r, const lf_packet *pkt)
{
    bool tcp = pkt->kind == LF_PACKET_TCP;
    size_t addr = tcp && pkt->tcp.family == 6 ? 16 : 4;
    ra_batch *b = room(r, tcp ? 2 * addr + pkt->tcp.payload_len : 0);
    if (b == NULL)
        return false;
    ra_item *it = &b->items[b->count++];
    it->is_diag = false;
    it->u.pkt = *pkt;
    it->u.pkt.frame = NULL;
    if (tcp) {
        lf_tcp_segment *seg = &it->u.pkt.tcp;
        seg->src = keep(b, pkt->tcp.src, addr);
        seg->dst = keep(b, pkt->tcp.dst, addr);
        seg->payload = keep(b, pkt->tcp.payload, pkt->tcp.payload_len);
    }
    return true;
}

static void push_diag(void *ctx, const lf_diag *d)
{
    lf_read_ahead *r = ctx;
    size_t len = d->message != NULL ? strlen(d->message) + 1 : 0;
    ra_batch *b = room(r, len);
    if (b == NULL)
        return;
    ra_item *it = &b->items[b->count++];
    it->is_diag = true;
    it->u.diag = *d; /* the path belongs to the capture, which outlives the batches */
    it->u.diag.message = (const char *)keep(b, (const uint8_t *)d->message, len);
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
        (void)publish(r, true);
    return NULL;
}

static void free_batches(lf_read_ahead *r)
{
    for (uint32_t i = 0; i < LF_READ_AHEAD_BATCHES; i++) {
        g_free(r->batches[i].items);
        g_free(r->batches[i].bytes);
    }
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
    for (uint32_t i = 0; i < LF_READ_AHEAD_BATCHES; i++) {
        r->batches[i].items = g_new(ra_item, LF_READ_AHEAD_ITEMS);
        r->batches[i].bytes = g_malloc(LF_READ_AHEAD_BYTES);
        r->batches[i].cap = LF_READ_AHEAD_BYTES;
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    if (pthread_create(&r->thread, NULL, read_all, r) != 0) {
        pthread_cond_destroy(&r->changed);
        pthread_mutex_destroy(&r->lock);
        free_batches(r);
        g_strfreev(r->paths);
        g_free(r);
        return NULL;
    }
    return r;
}

static void take_batch(lf_read_ahead *r)
{
    ra_batch *b = &r->batches[r->read];
    pthread_mutex_lock(&r->lock);
    while (!b->ready)
        pthread_cond_wait(&r->changed, &r->lock);
    pthread_mutex_unlock(&r->lock);
    r->holding = true;
    r->pos = 0;
    r->progress_known = b->progress_known;
    r->progress_done = b->done;
    r->progress_total = b->total;
}

static void give_back_batch(lf_read_ahead *r)
{
    ra_batch *b = &r->batches[r->read];
    r->ended = b->last;
    pthread_mutex_lock(&r->lock);
    b->ready = false;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    r->read = (r->read + 1) % LF_READ_AHEAD_BATCHES;
    r->holding = false;
}

bool lf_read_ahead_next(lf_read_ahead *r, lf_packet *pkt)
{
    while (!r->ended) {
        if (!r->holding)
            take_batch(r);
        const ra_batch *b = &r->batches[r->read];
        while (r->pos < b->count) {
            const ra_item *it = &b->items[r->pos++];
            if (!it->is_diag) {
                *pkt = it->u.pkt;
                return true;
            }
            if (r->out.emit != NULL)
                r->out.emit(r->out.ctx, &it->u.diag);
        }
        give_back_batch(r);
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
    pthread_mutex_lock(&r->lock);
    r->stop = true;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    lf_capture_close(r->cap);
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    free_batches(r);
    g_strfreev(r->paths);
    g_free(r);
}
