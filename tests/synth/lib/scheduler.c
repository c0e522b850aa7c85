/* Binary min-heap of generators by next event time. */
#include "scheduler.h"

#include <stdlib.h>

struct synth_scheduler {
    synth_generator **heap;
    size_t count;
    size_t capacity;
};

synth_scheduler *synth_scheduler_new(void)
{
    return calloc(1, sizeof(synth_scheduler));
}

static void swap(synth_generator **a, synth_generator **b)
{
    synth_generator *t = *a;
    *a = *b;
    *b = t;
}

static void sift_up(synth_scheduler *sch, size_t i)
{
    while (i > 0 && sch->heap[i]->next < sch->heap[(i - 1) / 2]->next) {
        swap(&sch->heap[i], &sch->heap[(i - 1) / 2]);
        i = (i - 1) / 2;
    }
}

static void sift_down(synth_scheduler *sch, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < sch->count && sch->heap[l]->next < sch->heap[m]->next)
            m = l;
        if (r < sch->count && sch->heap[r]->next < sch->heap[m]->next)
            m = r;
        if (m == i)
            return;
        swap(&sch->heap[i], &sch->heap[m]);
        i = m;
    }
}

synth_status synth_scheduler_add(synth_scheduler *sch, synth_generator *g, synth_error *err)
{
    if (sch->count == sch->capacity) {
        size_t cap = sch->capacity ? sch->capacity * 2 : 64;
        synth_generator **heap = realloc(sch->heap, cap * sizeof *heap);
        if (heap == NULL) {
            g->destroy(g);
            return synth_error_set(err, SYNTH_E_NOMEM, "out of memory");
        }
        sch->heap = heap;
        sch->capacity = cap;
    }
    sch->heap[sch->count++] = g;
    sift_up(sch, sch->count - 1);
    return SYNTH_OK;
}

synth_status synth_scheduler_run(synth_scheduler *sch, synth_t *s)
{
    while (sch->count > 0) {
        synth_generator *g = sch->heap[0];
        synth_status st = synth_flush_until(s, g->next);
        if (st == SYNTH_OK)
            st = g->step(g, s);
        if (st != SYNTH_OK)
            return st;
        if (g->done) {
            sch->heap[0] = sch->heap[--sch->count];
            g->destroy(g);
        }
        sift_down(sch, 0);
    }
    return SYNTH_OK;
}

void synth_scheduler_free(synth_scheduler *sch)
{
    if (sch == NULL)
        return;
    for (size_t i = 0; i < sch->count; i++)
        sch->heap[i]->destroy(sch->heap[i]);
    free(sch->heap);
    free(sch);
}
