/* signalr_lifecycle: the lifecycle rules, applied frame by frame on the first pass.
 *
 * Each function takes what a frame shows (a request, a server frame, a transport ending, or
 * simply the passage of time) and appends the findings that become evident at that frame to a
 * signalr_findings list. Thresholds come from protocol/sr_timing.h and wording from
 * protocol/sr_finding.h, the same as the analyzer's. Finding texts are allocated in the
 * list's `scope` (the plugin passes Wireshark's file scope, freed with the capture); the
 * structs are plain values.
 */
#ifndef LIFELINE_DISSECTOR_SIGNALR_LIFECYCLE_H
#define LIFELINE_DISSECTOR_SIGNALR_LIFECYCLE_H

#include <wireshark.h>
#include <epan/wmem_scopes.h>
#include <wsutil/nstime.h>

#include "protocol/sr_finding.h"
#include "protocol/sr_request.h"
#include "protocol/sr_timing.h"

/* A frame rarely makes more than two findings evident; a third slot keeps headroom for a
 * tick that expires a connection on the same frame as a request. */
#define SIGNALR_MAX_FINDINGS_PER_FRAME 4

typedef struct {
    wmem_allocator_t *scope; /* where the texts are allocated; set by whoever fills the list */
    int count;
    sr_finding_type type[SIGNALR_MAX_FINDINGS_PER_FRAME];
    const char *text[SIGNALR_MAX_FINDINGS_PER_FRAME];
} signalr_findings;

/* Appends src's findings to dst, as many as dst has room for (texts are shared). */
void signalr_findings_append(signalr_findings *dst, const signalr_findings *src);

/* A cursor prefix is "d-" plus at most 8 hex digits, or "s"; longer ones are cut. */
#define SIGNALR_MAX_CURSOR_PREFIX 16

/* Hub calls awaiting their result: the JS client numbers them from 0 and rarely has more than
 * a few in flight; calls beyond this many are not tracked. */
#define SIGNALR_MAX_PENDING_CALLS 32
/* Invocation ids are decimal counters; longer ids are compared on this prefix. */
#define SIGNALR_MAX_CALL_ID 24

/* What a connection has shown so far. Zero-initialised means "nothing seen yet". */
typedef struct {
    sr_transport first_transport;   /* transport of the first /connect */
    gboolean fallback_reported;
    gboolean transport_lost;        /* the receive transport ended, no new one yet */
    gboolean lost_by_client;        /* the client ended it and has not reconnected since */
    nstime_t closed_at;             /* when the transport ended (lost_at may be earlier) */
    gboolean abort_missing_reported;
    sr_transport lost_transport;
    nstime_t lost_at;
    gboolean aborted;
    gboolean expiry_reported;
    nstime_t last_server_frame;     /* any server-to-client SignalR frame, any stream */
    gboolean have_server_frame;
    nstime_t last_receive_frame;    /* server frame on any receive transport (WS, SSE, FF) */
    gboolean have_receive_frame;
    /* A silence that outlived its transport: the server's side ended it, and the client keeps
     * checking keepalives until it enters reconnecting one reconnect delay later (or sooner,
     * with its next request). Judged then, at the latest at the deadline. */
    gboolean silence_open;
    nstime_t silence_deadline;
    gboolean reconnecting;          /* /reconnect sent, no receive-transport frame since */
    gboolean resume_pending;        /* a /reconnect or poll for a lost transport, unanswered */
    nstime_t resume_at;             /* when that request was sent */
    nstime_t receive_request_at;    /* the latest receive request (connect, reconnect, poll) */
    nstime_t opened_at;             /* when the server took it */
    gboolean late_reported;         /* reconnect_late is reported once per connection */
    gboolean last_reconnect_late;   /* the latest /reconnect was reported late */
    gint64 last_reconnect_delay_ms; /* from the transport loss to the latest /reconnect */
    gboolean awaiting_connect;      /* negotiated, no /connect yet */
    nstime_t negotiated_at;
    gboolean setup_reported;        /* negotiate_not_followed already reported */
    char cursor_prefix[SIGNALR_MAX_CURSOR_PREFIX]; /* last cursor prefix, "" before the first */
    sr_transport receive_transport; /* transport of the latest receive request */
    gboolean data_seen;             /* server data since the latest receive request */
    gboolean drop_established;      /* the client closed a transport up for KeepAliveTimeout */
    gint64 drop_since_data_ms;      /* ... this long after the last server data */
    int call_count;
    char calls[SIGNALR_MAX_PENDING_CALLS][SIGNALR_MAX_CALL_ID]; /* ids awaiting a result */
} signalr_lifecycle;

/* The negotiate response of this connection was seen at `now`. */
void signalr_life_negotiated(signalr_lifecycle *life, const nstime_t *now);

/* A request of this connection was seen at `now`. A /reconnect or poll for a lost transport
 * only resumes it once the server takes it (signalr_life_transport_opened). */
void signalr_life_request(signalr_lifecycle *life, const sr_timing_settings *settings,
                          sr_request_kind kind, sr_transport transport, const nstime_t *now,
                          signalr_findings *out);

/* The server took the latest receive request (101, stream headers, a poll answer): a lost
 * transport is resumed, and the request is judged against the server's expiry window. */
void signalr_life_transport_opened(signalr_lifecycle *life, const sr_timing_settings *settings,
                                   const nstime_t *now, signalr_findings *out);

/* The latest receive request failed before the server took it (refused, or its TCP
 * connection ended first): a loss in progress goes on. */
void signalr_life_attempt_failed(signalr_lifecycle *life);

/* A server-to-client frame arrived on a receive transport at `now`. The silence since the
 * previous one (or since the transport was requested) is checked against the client's
 * keepalive thresholds on WebSockets, Server-Sent Events and forever frame; a /reconnect on a
 * transport that was silent but not closed is checked the same way. */
void signalr_life_server_frame(signalr_lifecycle *life, const sr_timing_settings *settings,
                               sr_transport transport, const nstime_t *now,
                               signalr_findings *out);

/* The receive transport ended (WebSocket Close, FIN, a finished streamed response or poll
 * answer). A long poll held past ConnectionTimeout + one heartbeat is overdue, and was lost
 * when the server answered it (ConnectionTimeout after it took it). A client that ends
 * it stops watching keepalives at once (the silence so far is judged now); when the server's
 * side ends it, the silence goes on until the client's next request or its reconnect delay.
 * A transport that ends after a silence over KeepAliveTimeout was lost when it fell silent. */
void signalr_life_transport_end(signalr_lifecycle *life, const sr_timing_settings *settings,
                                sr_transport transport, gboolean by_client, const nstime_t *now,
                                signalr_findings *out);

/* Time passed: judges a silence that outlived its transport once its deadline is past, and
 * reports the server-side expiry of a lost transport and a negotiate left without /connect,
 * once `now` passes their deadlines. */
void signalr_life_tick(signalr_lifecycle *life, const sr_timing_settings *settings, const nstime_t *now,
                       signalr_findings *out);

/* True while the tick still has something to report for this connection. */
gboolean signalr_life_has_deadline(const signalr_lifecycle *life);

/* A persistent response carried these facts. A disconnect command answering a /reconnect
 * also makes that reconnect late (the server had expired the connection). */
void signalr_life_disconnect_command(signalr_lifecycle *life, const sr_timing_settings *settings,
                                     sr_request_kind answering, signalr_findings *out);
void signalr_life_cursor_prefix(signalr_lifecycle *life, const char *prefix,
                                signalr_findings *out);

/* The client invoked a hub method with invocation id `id` (len bytes), or a result (not a
 * progress message) for `id` came back. Calls still pending when a WebSocket transport ends or
 * is replaced are lost with it (results travel on the socket): invocation_unanswered. */
void signalr_life_call(signalr_lifecycle *life, const char *id, size_t len);
void signalr_life_result(signalr_lifecycle *life, const char *id, size_t len);

/* The capture lost `bytes` bytes on one of the connection's TCP connections. */
void signalr_life_capture_gap(guint32 bytes, signalr_findings *out);

/* The connection is first known by its token, without a negotiate. */
void signalr_life_settings_assumed(const sr_timing_settings *settings, signalr_findings *out);

/* A request carrying the token was refused with an HTTP error status. */
void signalr_life_rejected(sr_request_kind kind, unsigned status, signalr_findings *out);

#endif
