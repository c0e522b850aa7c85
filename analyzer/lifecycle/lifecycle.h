/* lifecycle.h - the lifecycle engine: SignalR events in, per-connection timelines and findings out.
 *
 * The glue feeds every lf_signalr_event in capture order; the engine keeps one record per
 * connection token (connection.h), judges each against the thresholds derived from that
 * connection's own negotiate (or assumed settings when the negotiate was not captured), and on
 * lf_lifecycle_finish() settles what only the end of the capture can decide (timeouts still
 * running, how each connection ended). Reports then walk the connections.
 *
 * Ownership: lf_lifecycle_new() returns an engine the caller frees with lf_lifecycle_free(),
 * which frees every connection record. Nothing the engine is fed is kept by reference.
 */
#ifndef LIFELINE_LIFECYCLE_H
#define LIFELINE_LIFECYCLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lifecycle/connection.h"
#include "pipeline/signalr_event.h"

/* Distinct tokens tracked at once before new ones are only counted: a capture of a busy server
 * holds thousands of short connections; this bounds a hostile capture inventing tokens. */
#define LF_DEFAULT_MAX_CONNECTIONS 200000

/* Receives a connection the engine is done with; the record is valid only during the call. */
typedef void (*lf_retire_fn)(void *ctx, const lf_connection *c);

/* Engine options. The settings are assumed for connections whose negotiate was not captured;
 * a value <= 0 means "the SignalR default" (protocol/sr_timing.h). */
typedef struct lf_lifecycle_options {
    double keepalive_timeout;
    bool keepalive_disabled;
    double disconnect_timeout;
    double connection_timeout;
    double transport_connect_timeout;
    size_t max_connections; /* 0: LF_DEFAULT_MAX_CONNECTIONS */
    /* Optional. When set, a connection with no event for twice the longest a live connection
     * stays quiet (ConnectionTimeout + DisconnectTimeout + KeepAliveTimeout: 320 s with the
     * defaults) is settled, handed to on_retire and freed while the capture goes on, and
     * lf_lifecycle_finish() hands over all the others: memory then follows the live
     * connections, not the length of the capture, connections arrive in the order they end,
     * and the engine holds none after finish (write them with lf_report_writer_connection()
     * from the callback). */
    lf_retire_fn on_retire;
    void *retire_ctx;
} lf_lifecycle_options;

typedef struct lf_lifecycle lf_lifecycle;

/* opts may be NULL (all defaults). Returns NULL only when memory is exhausted. */
lf_lifecycle *lf_lifecycle_new(const lf_lifecycle_options *opts);
void lf_lifecycle_free(lf_lifecycle *engine);

/* One SignalR event. Events must come in capture order (ties in any order) and from one
 * classifier (their token_ids are compared). Events without a token that cannot be tied to a
 * connection (a /ping, a failed negotiate) are ignored. */
void lf_lifecycle_feed(lf_lifecycle *engine, const lf_signalr_event *ev);

/* The capture ended at `capture_end` (time of its last frame): settles pending timeouts and
 * each connection's end state. Call once, after the last feed and before reading results. */
void lf_lifecycle_finish(lf_lifecycle *engine, lf_time_ns capture_end);

/* Connections in order of first appearance (those not retired). Valid until
 * lf_lifecycle_free(). */
size_t lf_lifecycle_connection_count(const lf_lifecycle *engine);
const lf_connection *lf_lifecycle_connection(const lf_lifecycle *engine, size_t index);

/* Events ignored because their token was new while max_connections were already tracked, or
 * was implausibly long. */
uint64_t lf_lifecycle_events_untracked(const lf_lifecycle *engine);

#endif
