/* signalr_event.h - SignalR-level events: what the glue stage hands to the lifecycle engine.
 *
 * The glue classifies each wire event (wire_event.h) with the protocol model and emits zero or
 * more of these, in capture order, to lf_lifecycle_feed(). One event says one SignalR fact: a
 * request of some kind, its response, a negotiate result, a transport opening, a persistent
 * response, a keepalive, a hub call or result, a transport ending, a capture gap.
 *
 * Ownership: every pointer inside an event (token, strings, hub name array) points into the
 * glue's buffers and is valid ONLY during the lf_lifecycle_feed() call. The engine copies what
 * it keeps. Events are plain values; nobody frees anything in them.
 */
#ifndef LIFELINE_SIGNALR_EVENT_H
#define LIFELINE_SIGNALR_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/frame_ref.h"
#include "pipeline/wire_event.h"
#include "protocol/sr_negotiate.h"
#include "protocol/sr_request.h"
#include "tcp/tcp_consumer.h"

typedef enum lf_sr_event_type {
    LF_SR_REQUEST,            /* u.request: a SignalR request head (dir = TO_SERVER) */
    LF_SR_RESPONSE,           /* u.response: the response head of a SignalR request */
    LF_SR_NEGOTIATE_RESULT,   /* u.negotiate: a classic negotiate response body */
    LF_SR_TRANSPORT_OPENED,   /* u.opened: a receive request became a live transport */
    LF_SR_INIT,               /* u.message: a persistent response carrying "S":1 */
    LF_SR_STARTED,            /* u.started: the body of a /start response */
    LF_SR_MESSAGE,            /* u.message: any other persistent response ({"C":...}) */
    LF_SR_KEEPALIVE,          /* no payload: a transport keepalive ({} frame, SSE data: {},
                                 FF r(c, {}), one event per LP space run) */
    LF_SR_HUB_INVOCATION,     /* u.invocation: client -> server hub call (WS frame or /send) */
    LF_SR_HUB_RESULT,         /* u.result: server -> client hub result ({"I":...}) */
    LF_SR_TRANSPORT_CLOSED,   /* u.closed: a receive transport ended */
    LF_SR_DISCONNECT_COMMAND, /* u.message: a persistent response carrying "D":1 */
    LF_SR_GAP,                /* u.gap: capture loss on a stream that carries this connection */
    LF_SR_ERROR               /* u.error: a SignalR-level parse or protocol error */
} lf_sr_event_type;

/* A persistent response is emitted exactly once: as LF_SR_INIT when it has "S":1, else as
 * LF_SR_DISCONNECT_COMMAND when it has "D":1, else as LF_SR_MESSAGE.
 *
 * What the engine counts as "data from the server" (it resets the client's keepalive timer):
 * LF_SR_INIT, LF_SR_MESSAGE, LF_SR_DISCONNECT_COMMAND and LF_SR_KEEPALIVE on the stream of the
 * latest receive request. Hub results on a WebSocket do not count, and SSE's
 * "data: initialized" must not be emitted as a message (it is at most the evidence of
 * LF_SR_TRANSPORT_OPENED). Every event of a request that carried a token (its response, the
 * transport it opened, what arrives on it, its end) carries that token too; only the
 * negotiate request, /ping and /hubs have none. */

/* Transport and request kind reuse the protocol model's vocabulary (protocol/sr_request.h):
 * sr_transport (SR_TRANSPORT_NONE when the request has no transport=) and sr_request_kind. */

/* Who did something to a transport, from the TCP/WebSocket evidence. */
typedef enum lf_sr_party {
    LF_SR_PARTY_UNKNOWN = 0,
    LF_SR_PARTY_CLIENT,
    LF_SR_PARTY_SERVER
} lf_sr_party;

typedef struct lf_sr_request {
    lf_wire_str method;          /* GET / POST */
    lf_wire_str url_prefix;      /* path with the /negotiate, /connect... suffix removed */
    lf_wire_str client_protocol; /* clientProtocol=, absent when not sent */
    lf_wire_str message_id;      /* messageId= (query or LP form body), percent-decoded */
    lf_wire_str groups_token;    /* groupsToken=, percent-decoded */
    lf_wire_str stale_token;     /* negotiate only: a connectionToken= left by a stopped
                                    connection object (JS restart pattern); event.token stays
                                    NULL for negotiates */
    const lf_wire_str *hubs;     /* hub names from connectionData, lower-case as sent */
    size_t hub_count;
    bool has_tid;      /* JS client marker on receive URLs */
    bool has_frame_id; /* forever frame */
    uint32_t frame_id;
} lf_sr_request;

typedef struct lf_sr_response {
    int status;       /* HTTP status (101 for a WebSocket upgrade) */
    lf_wire_str text; /* short error body of a 4xx/5xx (e.g. "Protocol error: ..."), else absent */
} lf_sr_response;

typedef struct lf_sr_negotiate {
    const sr_negotiate *parsed; /* the protocol model's parse of the body (never NULL);
                                   event.token carries its ConnectionToken */
} lf_sr_negotiate;

typedef enum lf_sr_open_evidence {
    LF_SR_OPENED_WS_101,      /* 101 Switching Protocols */
    LF_SR_OPENED_SSE_HEADERS, /* 200 text/event-stream response head */
    LF_SR_OPENED_FF_PRELUDE,  /* forever-frame HTML prelude */
    LF_SR_OPENED_LP_ACCEPTED  /* long-poll response head (2.1+ flush) or its body */
} lf_sr_open_evidence;

typedef struct lf_sr_opened {
    lf_sr_open_evidence evidence;
} lf_sr_opened;

typedef struct lf_sr_message {
    lf_wire_str cursor;        /* "C" value as sent */
    lf_wire_str cursor_prefix; /* "d-XXXXXXXX-" or "s-" part of C, absent when none */
    uint32_t message_count;    /* elements of "M" */
    bool has_groups_token;     /* "G" */
    bool shutting_down;        /* "T":1 */
    bool has_long_poll_delay;  /* "L" */
    uint32_t long_poll_delay_ms;
    bool has_error; /* "E" */
} lf_sr_message;

typedef struct lf_sr_started {
    bool ok; /* Response was "started" */
} lf_sr_started;

typedef struct lf_sr_invocation {
    lf_wire_str hub;
    lf_wire_str method;
    lf_wire_str id; /* "I" as text (JS sends a number, the server treats it as a string);
                       absent for a fire-and-forget PersistentConnection payload */
} lf_sr_invocation;

typedef struct lf_sr_result {
    lf_wire_str id;
    bool is_error;    /* "E" present */
    bool is_progress; /* "P" present: not a completion */
} lf_sr_result;

typedef enum lf_sr_close_how {
    LF_SR_CLOSED_WS_CLOSE,     /* a WebSocket Close frame (first one seen) */
    LF_SR_CLOSED_RESPONSE_END, /* the streaming/LP response body ended normally */
    LF_SR_CLOSED_TCP_FIN,
    LF_SR_CLOSED_TCP_RST,
    LF_SR_CLOSED_REPLACED,    /* a newer receive request for the same token */
    LF_SR_CLOSED_CAPTURE_END, /* still open when the capture ended */
    LF_SR_CLOSED_EVICTED      /* the stream was dropped by memory limits */
} lf_sr_close_how;

typedef struct lf_sr_closed {
    lf_sr_close_how how;
    lf_sr_party by;
    bool has_ws_code; /* false: no Close frame, or one without a status code */
    uint16_t ws_code;
} lf_sr_closed;

typedef struct lf_sr_gap {
    uint64_t missing; /* bytes lost */
} lf_sr_gap;

typedef struct lf_sr_error {
    const char *text; /* NUL-terminated */
} lf_sr_error;

typedef struct lf_signalr_event {
    lf_sr_event_type type;
    lf_frame_ref at;     /* frame that completed the event (response headers for responses) */
    uint64_t stream;     /* tcp_stream_info.id */
    tcp_dir dir;         /* direction of the bytes that made this event */
    tcp_endpoint client; /* stream endpoints (client = the side that sent the SYN) */
    tcp_endpoint server;
    lf_wire_str token;            /* connectionToken, percent-decoded; ptr NULL when unknown (/ping,
                                     first /negotiate request) */
    uint64_t token_id;            /* 0, or a number the classifier gave this token when it read
                                     it from a request: within one run, events with the same
                                     nonzero token_id carry equal tokens (a cheap identity
                                     check; equal tokens may still have different ids) */
    sr_transport transport;       /* transport of the request this event belongs to */
    sr_request_kind request_kind; /* kind of the request this event belongs to */
    union {
        lf_sr_request request;
        lf_sr_response response;
        lf_sr_negotiate negotiate;
        lf_sr_opened opened;
        lf_sr_message message;
        lf_sr_started started;
        lf_sr_invocation invocation;
        lf_sr_result result;
        lf_sr_closed closed;
        lf_sr_gap gap;
        lf_sr_error error;
    } u;
} lf_signalr_event;

#endif
