/* batch_ring.c - batches handed between two threads, meeting once per batch. */
#include "pipeline/batch_ring.h"

#include <glib.h>
#include <pthread.h>
#include <stdalign.h>
#include <string.h>

#define ALIGN alignof(max_align_t)

/* A batch belongs to the producer until `ready`, then to the consumer until it gives it back;
 * `ready` changes only under the lock. */
typedef struct slot {
    lf_batch batch;
    bool ready;
} slot;

struct lf_batch_ring {
    slot *slots;
    uint32_t n;
    size_t item_size;
    uint32_t items;
    lf_batch_seal seal;
    void *seal_ctx;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    bool stopped;  /* under the lock */
    uint32_t fill; /* the producer's slot */
    uint32_t read; /* the consumer's slot */
};

lf_batch_ring *lf_batch_ring_new(uint32_t batches, size_t item_size, uint32_t items, size_t bytes,
                                 lf_batch_seal seal, void *seal_ctx)
{
    lf_batch_ring *r = g_new0(lf_batch_ring, 1);
    r->slots = g_new0(slot, batches);
    r->n = batches;
    r->item_size = item_size;
    r->items = items;
    r->seal = seal;
    r->seal_ctx = seal_ctx;
    for (uint32_t i = 0; i < batches; i++) {
        r->slots[i].batch.items = g_malloc(item_size * items);
        r->slots[i].batch.bytes = g_malloc(bytes);
        r->slots[i].batch.cap = bytes;
    }
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->changed, NULL);
    return r;
}

void lf_batch_ring_free(lf_batch_ring *r)
{
    if (r == NULL)
        return;
    for (uint32_t i = 0; i < r->n; i++) {
        g_free(r->slots[i].batch.items);
        g_free(r->slots[i].batch.bytes);
    }
    pthread_cond_destroy(&r->changed);
    pthread_mutex_destroy(&r->lock);
    g_free(r->slots);
    g_free(r);
}

/* Hands the producer's batch over and, unless it was the last, waits for the next slot to be
 * free. False when the consumer has stopped. */
static bool hand_over(lf_batch_ring *r, bool last)
{
    slot *s = &r->slots[r->fill];
    s->batch.last = last;
    if (r->seal != NULL)
        r->seal(r->seal_ctx, &s->batch);
    pthread_mutex_lock(&r->lock);
    s->ready = true;
    pthread_cond_broadcast(&r->changed);
    r->fill = (r->fill + 1) % r->n;
    slot *next = &r->slots[r->fill];
    while (!last && next->ready && !r->stopped)
        pthread_cond_wait(&r->changed, &r->lock);
    bool go = !last && !r->stopped;
    pthread_mutex_unlock(&r->lock);
    if (go) {
        next->batch.count = 0;
        next->batch.used = 0;
    }
    return go;
}

void *lf_batch_ring_add(lf_batch_ring *r, size_t bytes, lf_batch **batch)
{
    lf_batch *b = &r->slots[r->fill].batch;
    if (b->count == r->items || b->used + bytes > b->cap) {
        if (b->count > 0) {
            if (!hand_over(r, false))
                return NULL;
            b = &r->slots[r->fill].batch;
        }
        if (bytes > b->cap) { /* one item larger than a whole batch */
            b->bytes = g_realloc(b->bytes, bytes);
            b->cap = bytes;
        }
    }
    *batch = b;
    return (uint8_t *)b->items + r->item_size * b->count++;
}

void *lf_batch_keep(lf_batch *b, const void *p, size_t len)
{
    if (p == NULL)
        return NULL;
    size_t at = (b->used + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    uint8_t *copy = b->bytes + at;
    if (len > 0)
        memcpy(copy, p, len);
    b->used = at + len;
    return copy;
}

void lf_batch_ring_finish(lf_batch_ring *r)
{
    (void)hand_over(r, true);
}

const lf_batch *lf_batch_ring_take(lf_batch_ring *r)
{
    slot *s = &r->slots[r->read];
    pthread_mutex_lock(&r->lock);
    while (!s->ready)
        pthread_cond_wait(&r->changed, &r->lock);
    pthread_mutex_unlock(&r->lock);
    return &s->batch;
}

void lf_batch_ring_give_back(lf_batch_ring *r)
{
    slot *s = &r->slots[r->read];
    pthread_mutex_lock(&r->lock);
    s->ready = false;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
    r->read = (r->read + 1) % r->n;
}

void lf_batch_ring_stop(lf_batch_ring *r)
{
    pthread_mutex_lock(&r->lock);
    r->stopped = true;
    pthread_cond_broadcast(&r->changed);
    pthread_mutex_unlock(&r->lock);
}
