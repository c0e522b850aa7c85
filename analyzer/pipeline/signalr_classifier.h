/* signalr_classifier.h - the glue stage: wire events in, SignalR events out.
 *
 * Sits between the transport framing (wire_event.h) and the lifecycle engine. For each TCP stream
 * it remembers which SignalR request every HTTP exchange belongs to (kind, transport, token), so
 * that a response, a body, a WebSocket frame, an SSE event or a forever-frame script can be
 * classified with the protocol model (protocol/) and attributed to its connection token.
 *
 * Memory: per live TCP stream, a few outstanding requests (a small ring, as HTTP/1.1 pipelining
 * is shallow) whose token and head buffers are reused from one request to the next, so that the
 * usual request costs no allocation; everything for a stream is freed at its
 * LF_WIRE_STREAM_CLOSE.
 *
 * Ownership: the caller owns the classifier (lf_signalr_classifier_free()). Events handed to the
 * sink point into the classifier's buffers and are valid only during the sink call.
 */
#ifndef LIFELINE_SIGNALR_CLASSIFIER_H
#define LIFELINE_SIGNALR_CLASSIFIER_H

#include "pipeline/signalr_event.h"
#include "pipeline/wire_event.h"

typedef struct lf_signalr_sink {
    void *ctx;
    void (*emit)(void *ctx, const lf_signalr_event *ev);
} lf_signalr_sink;

typedef struct lf_signalr_classifier lf_signalr_classifier;

/* NULL on out of memory. */
lf_signalr_classifier *lf_signalr_classifier_new(lf_signalr_sink sink);

/* Frees every per-stream record. NULL is fine. */
void lf_signalr_classifier_free(lf_signalr_classifier *c);

/* The wire sink to hand to the transport stage; its ctx is `c`. */
lf_wire_sink lf_signalr_classifier_wire_sink(lf_signalr_classifier *c);

/* Feeds one wire event (what the wire sink does). */
void lf_signalr_classifier_feed(lf_signalr_classifier *c, const lf_wire_event *ev);

#endif
