/* sink_thread.h - runs a wire-event sink (the pipeline's: the SignalR classifier, and behind
 * it the lifecycle engine) and the diagnostics and progress sinks on a thread of their own, so
 * that they overlap with the TCP and HTTP decoding.
 *
 * The forwarding sinks it gives copy each wire event, diagnostic or progress report, with
 * every byte it points to, into a ring of batches (batch_ring.h); the sink thread calls the
 * sinks with them in the order they were sent. Everything the sinks see happens on that one
 * thread and in that order, so the output is the same as with direct calls.
 *
 * Ownership: the caller owns the lf_sink_thread; lf_sink_thread_finish() waits until every
 * item was delivered and ends the thread, lf_sink_thread_free() releases it. The sinks and
 * their contexts must outlive lf_sink_thread_finish() and are touched by no other thread
 * until then.
 */
#ifndef LIFELINE_SINK_THREAD_H
#define LIFELINE_SINK_THREAD_H

#include "pipeline/pipeline.h"

/* Batches in flight, and their size: a few thousand events between two meetings. */
#define LF_SINK_THREAD_BATCHES 4u
#define LF_SINK_THREAD_ITEMS 2048u
#define LF_SINK_THREAD_BYTES (256u * 1024u)

typedef struct lf_sink_thread lf_sink_thread;

/* The sinks to call on the new thread: `wire`, and `opts` diag and progress (each optional).
 * NULL when no thread could be started. */
lf_sink_thread *lf_sink_thread_start(lf_wire_sink wire, const lf_pipeline_options *opts);

/* Forwarding sinks, to be called from one thread (the pipeline's). */
lf_wire_sink lf_sink_thread_wire(lf_sink_thread *t);
lf_diag_sink lf_sink_thread_diag(lf_sink_thread *t);
void lf_sink_thread_progress(void *t, const lf_pipeline_progress *p);

/* Hands the rest over and returns once the sink thread has delivered all of it. */
void lf_sink_thread_finish(lf_sink_thread *t);

void lf_sink_thread_free(lf_sink_thread *t);

#endif
