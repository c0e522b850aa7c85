/* Binary min-heap keyed by (timestamp, push order). */
#include "packet_queue.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    synth_time ts;
    uint64_t order;
    uint32_t len;
    uint8_t data[];
} held_frame;

struct packet_queue {
    capture_writer *writer;
    held_frame **heap;
    size_t count;
    size_t capacity;
    uint64_t next_order;
    synth_time released; /* frames older than this were already written */
};

packet_queue *packet_queue_new(capture_writer *writer)
{
    packet_queue *q = calloc(1, sizeof *q);
    if (q != NULL)
        q->writer = writer;
    return q;
}

void packet_queue_free(packet_queue *q)
{
    if (q == NULL)
        return;
    for (size_t i = 0; i < q->count; i++)
        free(q->heap[i]);
    free(q->heap);
    free(q);
}

static bool before(const held_frame *a, const held_frame *b)
{
    return a->ts < b->ts || (a->ts == b->ts && a->order < b->order);
}

static void swap(held_frame **a, held_frame **b)
{
    held_frame *t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(packet_queue *q, size_t i)
{
    while (i > 0 && before(q->heap[i], q->heap[(i - 1) / 2])) {
        swap(&q->heap[i], &q->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(packet_queue *q, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->count && before(q->heap[l], q->heap[m]))
            m = l;
        if (r < q->count && before(q->heap[r], q->heap[m]))
            m = r;
        if (m == i)
            return;
        swap(&q->heap[i], &q->heap[m]);
        i = m;
    }
}

synth_status packet_queue_push(packet_queue *q, synth_time ts, const uint8_t *frame, uint32_t len,
                               synth_error *err)
{
    if (ts < q->released)
        return synth_error_set(err, SYNTH_E_ORDER,
                               "packet at %llu ns is older than already written %llu ns",
                               (unsigned long long)ts, (unsigned long long)q->released);
    if (q->count == q->capacity) {
        size_t cap = q->capacity ? q->capacity * 2 : 256;
        held_frame **heap = realloc(q->heap, cap * sizeof *heap);
        if (heap == NULL)
            return synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
        q->heap = heap;
        q->capacity = cap;
    }
    held_frame *f = malloc(sizeof *f + len);
    if (f == NULL)
        return synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
    f->ts = ts;
    f->order = q->next_order++;
    f->len = len;
    memcpy(f->data, frame, len);
    q->heap[q->count++] = f;
    sift_up(q, q->count - 1);
    return SYNTH_OK;
}

static synth_status write_top(packet_queue *q, synth_error *err)
{
    held_frame *f = q->heap[0];
    q->heap[0] = q->heap[--q->count];
    sift_down(q, 0);
    synth_status st = capture_writer_write(q->writer, f->ts, f->data, f->len, err);
    free(f);
    return st;
}

synth_status packet_queue_release(packet_queue *q, synth_time watermark, synth_error *err)
{
    if (watermark > q->released)
        q->released = watermark;
    while (q->count > 0 && q->heap[0]->ts <= watermark) {
        synth_status st = write_top(q, err);
        if (st != SYNTH_OK)
            return st;
    }
    return SYNTH_OK;
}

synth_status packet_queue_drain(packet_queue *q, synth_error *err)
{
    while (q->count > 0) {
        if (q->heap[0]->ts > q->released)
            q->released = q->heap[0]->ts;
        synth_status st = write_top(q, err);
        if (st != SYNTH_OK)
            return st;
    }
    return SYNTH_OK;
}

size_t packet_queue_pending(const packet_queue *q)
{
    return q->count;
}
