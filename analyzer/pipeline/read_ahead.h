/* read_ahead.h - reads the capture on a thread of its own, so that reading and decoding frames
 * overlaps with the rest of the pipeline on another core.
 *
 * The reader thread opens the inputs, decodes frames and copies what the pipeline uses of each
 * (its reference, kind, addresses and TCP payload) into a small ring of batches; the pipeline
 * takes them back in the same order, on its own thread. Diagnostics the capture stage raises
 * travel in the same batches and reach the caller's sink on the pipeline's thread, between the
 * packets they concern: the output is identical to reading on one thread.
 *
 * Memory is bounded by the ring (LF_READ_AHEAD_BATCHES batches of LF_READ_AHEAD_BYTES, a batch
 * growing only to hold a single frame larger than that). Ownership: the caller owns the
 * lf_read_ahead and frees it with lf_read_ahead_free(), which stops and joins the thread and
 * closes the capture; packets are views valid until the next lf_read_ahead_next() call.
 */
#ifndef LIFELINE_READ_AHEAD_H
#define LIFELINE_READ_AHEAD_H

#include <stdbool.h>
#include <stdint.h>

#include "capture/capture.h"
#include "pipeline/diag.h"

/* Enough batches for the reader to stay ahead while the pipeline digests one. */
#define LF_READ_AHEAD_BATCHES 4u
/* Per batch: packets and payload bytes. Small enough to stay in cache, large enough that the
 * two threads meet only every few thousand packets. */
#define LF_READ_AHEAD_ITEMS 4096u
#define LF_READ_AHEAD_BYTES (512u * 1024u)

typedef struct lf_read_ahead lf_read_ahead;

/* Starts reading `n` inputs (paths copied) on a new thread. Capture diagnostics go to `diag`
 * (which must outlive the reader), emitted from lf_read_ahead_next() on the caller's thread.
 * NULL when the thread or memory could not be had. */
lf_read_ahead *lf_read_ahead_start(const char *const *paths, uint32_t n, const lf_diag_sink *diag);

/* The next packet in merged time order, false at the end of every input. */
bool lf_read_ahead_next(lf_read_ahead *r, lf_packet *pkt);

/* The capture being read: NULL when it could not be opened (n == 0, out of memory). Valid once
 * lf_read_ahead_next() has been called. Only its paths may be read while the thread runs; its
 * statistics once lf_read_ahead_next() has returned false. */
const lf_capture *lf_read_ahead_capture(const lf_read_ahead *r);

/* How far the reading was when the packet last returned was read (see lf_capture_progress). */
bool lf_read_ahead_progress(const lf_read_ahead *r, uint64_t *done, uint64_t *total);

void lf_read_ahead_free(lf_read_ahead *r);

#endif
