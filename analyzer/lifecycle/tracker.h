/* tracker.h - the state machine of one SignalR connection (private to the lifecycle engine).
 *
 * A tracker owns its connection record (connection.h) and the live state needed to judge each
 * new event: the receive transport being followed, the loss in progress, pending hub calls,
 * the last cursor prefix. The engine (lifecycle.c) finds the tracker by token and hands it the
 * events; tracker.c handles requests, responses and server data, tracker_transport.c the
 * receive transport's life and losses. lf_tracker_free() frees the tracker and its record.
 * The record's token is not an allocation of its own: it sits right in front of the tracker,
 * in the same block (see lf_tracker_new()), and only lf_tracker_free() may release it.
 */
#ifndef LIFELINE_LIFECYCLE_TRACKER_H
#define LIFELINE_LIFECYCLE_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lifecycle/connection.h"
#include "lifecycle/record.h"
#include "lifecycle/thresholds.h"
#include "pipeline/signalr_event.h"

/* Hub invocations awaiting a result: a client rarely has more than a few in flight. */
#define LF_MAX_PENDING_CALLS 64
/* Invocation ids are decimal counters; longer ids are compared on this prefix. */
#define LF_CALL_ID_MAX 24
/* Hub and method names shown in the timeline ("chathub.Send"); longer ones are cut. */
#define LF_CALL_NAME_MAX 64
/* Cursors shown in the timeline: one entry per topic, a few dozen bytes in practice. */
#define LF_CURSOR_SHOWN_MAX 200
/* Cursor prefixes are "d-" + up to 8 hex digits + "-". */
#define LF_PREFIX_MAX 16

typedef struct lf_pending_call {
    char id[LF_CALL_ID_MAX];
    lf_frame_ref at;
    bool dropped; /* a non-WebSocket transport dropped while it was pending */
    lf_frame_ref drop_at;
    sr_transport drop_transport;
} lf_pending_call;

typedef struct lf_tracker {
    /* A capture interleaves the events of thousands of connections, so each event finds its
     * tracker out of cache and every cache line it touches costs. The tracker is allocated on
     * a cache line boundary (lf_tracker_new()) and laid out in lines: line 0 holds what every
     * event reads, lines 1-2 the thresholds (the keepalive ones first) and what messages and
     * hub calls read, then the record, whose first lines hold its own hot fields
     * (connection.h). tracker.c checks these offsets at compile time. */

    /* The receive transport being followed. */
    bool rx_open;
    bool rx_opened; /* the server took it: an opening, data or a response was seen */
    bool rx_data_seen;
    bool silence_open; /* see the silence fields below */
    bool lost;         /* see the loss fields below */
    bool expired;
    bool aborted;
    bool has_prefix;
    sr_transport rx_transport;
    sr_request_kind rx_kind;
    uint64_t rx_stream;
    lf_frame_ref last_rx; /* last data from the server on it (its opening until then) */
    lf_time_ns silence_deadline;
    size_t call_count;

    lf_thresholds th;
    char prefix[LF_PREFIX_MAX];
    lf_pending_call *calls; /* allocated on the first hub call: most connections make none */
    size_t call_capacity;

    lf_connection rec; /* what the reports see */

    lf_time_ns rx_opened_time;
    lf_frame_ref rx_request;
    sr_timing_settings timing;
    bool negotiated;
    lf_frame_ref negotiate_at;
    bool saw_connect;
    sr_transport connect_transport;
    bool any_open;

    /* A silence that outlived its transport: the client learns that a transport it did not
     * close itself has ended, and keeps checking keepalives until it enters reconnecting one
     * reconnect delay later (or sooner, with its /reconnect or /abort). Open while
     * silence_open, until silence_deadline. */
    lf_frame_ref silence_from;  /* the last server data */
    lf_frame_ref silence_ended; /* the transport's end */

    /* Transport loss, from its end until a receive request is taken by the server (while
     * lost; expired once the server must have ended the connection). */
    lf_frame_ref lost_at; /* moved later while the server still writes to the lost stream */
    uint64_t lost_stream;
    sr_transport lost_transport;
    bool late_reported; /* reconnect_late already said for this loss */
    lf_time_ns expired_at;
    bool expiry_finding_valid; /* rec.findings[expiry_finding] says so (it may be retracted) */
    size_t expiry_finding;
    double last_reconnect_delay; /* seconds from the loss to the latest reconnect */
    bool last_reconnect_late;

    /* The client closed its receive transport; settled by a reconnect, an abort or finish. */
    bool client_dropped;
    lf_frame_ref client_drop_at;
    double client_drop_since_rx;
    bool client_drop_established; /* the dropped transport had been up for a while */
    sr_transport client_drop_transport;

    lf_frame_ref abort_at; /* when aborted */
    bool disconnect_command;
    lf_time_ns disconnect_at;
} lf_tracker;

/* ---- used by the engine ---- */

/* A tracker for ev's token, judged with `assumed` until a negotiate says otherwise. */
lf_tracker *lf_tracker_new(const lf_signalr_event *ev, const sr_timing_settings *assumed);
void lf_tracker_free(lf_tracker *t);

/* Books ev on its leg and settles what time alone decided; false: a mirror leg, skip it. */
bool lf_tracker_accept(lf_tracker *t, const lf_signalr_event *ev);

/* A negotiate result: settings, identity. request_at: its request, or NULL when not seen;
 * stale_token: owned copy of the token that request carried, or NULL (taken over). */
void lf_tracker_negotiate(lf_tracker *t, const lf_signalr_event *ev, const lf_frame_ref *request_at,
                          char *stale_token);

/* Any other event. */
void lf_tracker_feed(lf_tracker *t, const lf_signalr_event *ev);

/* The capture ended: pending timeouts, end state, findings sorted by time. */
void lf_tracker_finish(lf_tracker *t, lf_time_ns capture_end);

/* No event for so long that the connection is over whatever it was doing: twice the longest a
 * live connection stays quiet (a long poll held ConnectionTimeout, then the server's wait of
 * DisconnectTimeout, then the client's KeepAliveTimeout). */
bool lf_tracker_quiet_for_good(const lf_tracker *t, lf_time_ns now);

/* ---- shared by tracker.c and tracker_transport.c ---- */

double lf_tracker_seconds(lf_time_ns ns);
lf_time_ns lf_tracker_nanos(double seconds);
double lf_tracker_since(const lf_frame_ref *from, lf_time_ns to);
bool lf_tracker_streaming(sr_transport t);

/* Records a finding citing up to two frames (either may be NULL); returns it as
 * lf_record_add_finding() does. */
lf_finding *lf_tracker_finding(lf_tracker *t, sr_finding_type type, lf_time_ns time,
                               const lf_time_ns *end, const sr_finding_values *v,
                               const lf_frame_ref *ev1, const lf_frame_ref *ev2);

/* Makes sure the timeline shows a pending call's invocation, which a finding is about to cite
 * (a run of invocations may have summarised it). */
void lf_tracker_show_call(lf_tracker *t, const lf_pending_call *call);

bool lf_tracker_on_receive_transport(const lf_tracker *t, const lf_signalr_event *ev);
/* The server took the receive request on ev's stream (101, stream headers, prelude, data). */
void lf_tracker_opened(lf_tracker *t, const lf_signalr_event *ev);
void lf_tracker_receive_request(lf_tracker *t, const lf_signalr_event *ev);
void lf_tracker_server_data(lf_tracker *t, const lf_signalr_event *ev);
void lf_tracker_on_closed(lf_tracker *t, const lf_signalr_event *ev);
void lf_tracker_settle_expiry(lf_tracker *t, lf_time_ns now);
/* Ends a silence that outlived its transport at `at` (a receive request or /abort), or at its
 * deadline when that comes first; at->frame 0 means "no event: time alone". */
void lf_tracker_settle_silence(lf_tracker *t, const lf_frame_ref *at);
void lf_tracker_settle_transport(lf_tracker *t, lf_time_ns capture_end);

#endif
