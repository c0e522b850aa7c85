/* batch_ring.h - a ring of batches handed from one producer thread to one consumer thread.
 *
 * The producer fills the batch it holds with fixed-size items, whose variable parts (bytes,
 * strings) go to the batch's own arena, and hands the batch over when it is full or at the end;
 * the consumer reads whole batches in the order they were filled and gives each back for
 * reuse. The two threads meet once per batch, never per item. Memory is the ring: a batch's
 * arena grows only to hold a single item larger than it.
 *
 * Ownership: whoever creates the ring frees it with lf_batch_ring_free() once neither thread
 * uses it any more. Items and arena bytes of a batch are the consumer's from
 * lf_batch_ring_take() until lf_batch_ring_give_back().
 */
#ifndef LIFELINE_BATCH_RING_H
#define LIFELINE_BATCH_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct lf_batch {
    void *items; /* `count` items of the ring's item size */
    uint32_t count;
    uint8_t *bytes; /* the arena: `used` of `cap` bytes */
    size_t used, cap;
    uint64_t seal[2]; /* what the producer's seal callback wrote when handing it over */
    bool last;        /* nothing follows this batch */
} lf_batch;

typedef struct lf_batch_ring lf_batch_ring;

/* Called on the producer thread just before a batch is handed over. */
typedef void (*lf_batch_seal)(void *ctx, lf_batch *b);

/* `batches` batches of `items` items of `item_size` bytes and `bytes` arena bytes each. */
lf_batch_ring *lf_batch_ring_new(uint32_t batches, size_t item_size, uint32_t items, size_t bytes,
                                 lf_batch_seal seal, void *seal_ctx);
void lf_batch_ring_free(lf_batch_ring *r);

/* Producer: a slot for one more item with `bytes` arena bytes free behind it, handing the
 * current batch over first when it is full. NULL when the consumer has stopped. */
void *lf_batch_ring_add(lf_batch_ring *r, size_t bytes, lf_batch **batch);

/* Producer: copies `len` bytes into the arena of `b` (room was asked for in lf_batch_ring_add),
 * aligned for any type; NULL stays NULL. */
void *lf_batch_keep(lf_batch *b, const void *p, size_t len);

/* Producer: hands the last batch over. */
void lf_batch_ring_finish(lf_batch_ring *r);

/* Consumer: the next batch, waiting for it; its `last` says whether another follows. */
const lf_batch *lf_batch_ring_take(lf_batch_ring *r);
void lf_batch_ring_give_back(lf_batch_ring *r);

/* Consumer: wants nothing more; a producer waiting for a free batch returns at once. */
void lf_batch_ring_stop(lf_batch_ring *r);

/* Arena bytes to ask for so that lf_batch_keep() of `len` bytes fits after alignment. */
static inline size_t lf_batch_room(size_t len)
{
    return len == 0 ? 0 : len + 15u;
}

#endif
