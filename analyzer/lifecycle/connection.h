/* connection.h - the record of one SignalR connection as the reports read it.
 *
 * A connection is keyed by its connection token. Its record holds what the reports print: the
 * identity (token, ConnectionId when the negotiate was captured), the settings its thresholds
 * came from, a bounded timeline, the findings and how it ended. The lifecycle engine
 * (lifecycle.h) owns every record and everything inside it (strings, arrays); readers must not
 * free or keep pointers past lf_lifecycle_free() (or past the on_retire call that handed the
 * record over: lf_connection_copy() keeps one).
 *
 * Memory per connection is bounded: at most LF_MAX_EVENTS timeline entries (runs of keepalives
 * are one entry), LF_MAX_FINDINGS findings, LF_MAX_STREAMS stream ids, LF_MAX_LEGS legs;
 * whatever does not fit is counted in the *_dropped fields. Past its first LF_DETAILED_EVENTS
 * entries, a connection's routine traffic (sends, messages, keepalives, hub invocations and
 * results, healthy long-poll cycles) is summarised: one run entry per type between two
 * lifecycle-relevant entries or findings, so a long healthy connection holds a few dozen
 * entries, not thousands (record.h).
 */
#ifndef LIFELINE_LIFECYCLE_CONNECTION_H
#define LIFELINE_LIFECYCLE_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lifecycle/text_store.h"
#include "pipeline/signalr_event.h"
#include "protocol/sr_finding.h"

/* A chatty application sends a message every few seconds for hours; beyond this many entries
 * the timeline stops growing and counts what it dropped (findings are kept separately). */
#define LF_MAX_EVENTS 4096
/* Findings repeat at most once per transport loss or keepalive gap; this leaves room for a
 * pathological day-long capture without letting one connection take unbounded memory. */
#define LF_MAX_FINDINGS 512
/* Entries recorded one by one before routine traffic is summarised in runs: enough for the
 * whole story of a short capture (the lab's scenarios stay detailed), small enough that
 * thousands of hour-long connections fit in a few megabytes. */
#define LF_DETAILED_EVENTS 48
/* Entry types routine traffic can have, each with one open run at a time: send, message,
 * keepalive, invocation, result, and a healthy long poll's poll, transport_opened and
 * transport_closed. */
#define LF_RUN_KINDS 8
/* Stream ids kept for the Wireshark filter; a connection rarely uses more than a few dozen. */
#define LF_MAX_STREAMS 64
/* Stream ids kept inside the record, next to what every event reads (each event checks its
 * stream against the list); most connections use a receive stream and a pooled one. */
#define LF_FIRST_STREAMS 2
/* Client->proxy and proxy->server, plus a client address change or two. */
#define LF_MAX_LEGS 4
/* Hub names from connectionData; a page subscribes to a handful. */
#define LF_MAX_HUBS 32
/* Transports in the order used (each change is recorded once). */
#define LF_MAX_TRANSPORTS 8
/* Frames cited by one finding. */
#define LF_MAX_EVIDENCE 4

typedef enum lf_tl_type {
    LF_TL_NEGOTIATE,
    LF_TL_CONNECT,
    LF_TL_RECONNECT,
    LF_TL_POLL,
    LF_TL_START,
    LF_TL_SEND,
    LF_TL_PING,
    LF_TL_ABORT,
    LF_TL_REQUEST, /* a request of another kind carrying the token */
    LF_TL_TRANSPORT_OPENED,
    LF_TL_INIT,
    LF_TL_STARTED,
    LF_TL_MESSAGE,
    LF_TL_KEEPALIVE, /* a run of consecutive keepalives on one stream */
    LF_TL_INVOCATION,
    LF_TL_RESULT,
    LF_TL_TRANSPORT_CLOSED,
    LF_TL_DISCONNECT_COMMAND,
    LF_TL_GAP,
    LF_TL_ERROR
} lf_tl_type;

/* The cache line the hot parts of records and timeline entries are laid out on. */
#define LF_CACHE_LINE 64

/* Lower-case event type name used by the reports ("negotiate", "keepalive", ...). */
const char *lf_tl_type_name(lf_tl_type type);

typedef struct lf_timeline_event {
    /* 128 bytes, and the timeline array starts on a cache line (record.c): an entry is two
     * lines, and the first holds all that extending a run reads and writes (a long capture
     * holds up to LF_MAX_EVENTS entries per live connection, so padding costs too). */
    lf_tl_type type;
    uint32_t count;    /* events the entry stands for: 1, or more for a run */
    uint32_t elements; /* messages and init: elements in M (for a run: in all its messages) */
    uint8_t transport; /* sr_transport */
    /* Transport closed: how (lf_sr_close_how), by whom (lf_sr_party), WebSocket close code. */
    uint8_t how;
    uint8_t by;
    bool has_ws_code;
    lf_frame_ref last; /* runs: the last event of the run (else at) */
    double max_gap;    /* runs: largest silence between two consecutive events (seconds) */
    uint64_t stream;
    char *detail;    /* NUL-terminated, or NULL: hub.method, cursor, error text; lives in
                        the record's text store (lf_connection.details) */
    lf_frame_ref at;
    lf_frame_ref response_at; /* requests: their response, once its head was seen */
    double idle;     /* transport closed: seconds since the server's last data on it */
    int status;      /* requests: the response status, 0 until a response head was seen */
    uint16_t ws_code;
} lf_timeline_event;

typedef struct lf_finding {
    sr_finding_type type;
    sr_severity severity;
    lf_time_ns time; /* when the condition became true */
    bool has_end;
    lf_time_ns end; /* spans (keepalive gaps): when the condition ended */
    char *message;  /* owned, NUL-terminated */
    lf_frame_ref evidence[LF_MAX_EVIDENCE];
    size_t evidence_count;
} lf_finding;

typedef enum lf_settings_source {
    LF_SETTINGS_NEGOTIATE, /* from this connection's captured negotiate response */
    LF_SETTINGS_ASSUMED    /* negotiate not captured: defaults or command-line overrides */
} lf_settings_source;

typedef struct lf_settings {
    double keepalive_timeout; /* seconds; meaningless when keepalive_disabled */
    bool keepalive_disabled;  /* KeepAliveTimeout: null */
    double disconnect_timeout;
    double connection_timeout;
    double transport_connect_timeout;
    double long_poll_delay;
    lf_settings_source source;
} lf_settings;

/* One network path the connection was seen on: a client address talking to a server address
 * and port. A mirror leg repeats what another leg carried (a capture on a proxy sees both
 * sides); its events are counted, not analysed. */
typedef struct lf_leg {
    /* What each event compares and updates first: 64 bytes, one cache line in place. */
    tcp_endpoint client; /* port: of the first stream seen on this leg */
    tcp_endpoint server;
    bool mirror;
    uint64_t events;
    lf_time_ns last;
    sr_request_kind last_request_kind; /* matching bookkeeping */
    lf_time_ns last_request_time;
    lf_time_ns first;
} lf_leg;

typedef enum lf_end_type {
    LF_END_STOPPED,           /* /abort seen */
    LF_END_TIMED_OUT,         /* the server ended it after DisconnectTimeout */
    LF_END_SERVER_DISCONNECT, /* the server sent the disconnect command */
    LF_END_CAPTURE_ENDED,     /* still alive when the capture ended */
    LF_END_FAILED             /* never got a working transport */
} lf_end_type;

const char *lf_end_type_name(lf_end_type type);

typedef struct lf_connection {
    /* Fields every event reads or updates come first, in three cache lines when the record
     * starts on a line boundary (as inside the engine's trackers): token to open_runs, then
     * last_seen to first_streams, then the first leg's matching fields. A capture interleaves
     * the events of thousands of connections, so each event finds its record out of cache. */
    char *token; /* owned; token_len bytes plus a NUL (the bytes may hold NULs: hostile input) */
    size_t token_len;
    lf_timeline_event *events;
    size_t event_count;
    uint32_t open_runs[LF_RUN_KINDS]; /* per routine type: 1 + index of the run being extended,
                                         0 for none */
    lf_time_ns last_seen;
    uint64_t keepalives;      /* keepalives received on the primary leg */
    double keepalive_max_gap; /* largest silence between server data on a live transport */
    uint64_t *streams; /* stream_count ids: first_streams while they fit, then owned, or NULL */
    size_t stream_count;
    size_t leg_count;
    uint64_t first_streams[LF_FIRST_STREAMS];
    lf_leg legs[LF_MAX_LEGS];
    size_t event_capacity; /* allocated entries */
    size_t stream_capacity; /* of streams */
    bool streams_truncated;
    lf_time_ns first_seen;

    char *connection_id;     /* owned, or NULL when the negotiate was not captured */
    char *protocol_version;  /* owned, or NULL */
    char *url_prefix;        /* owned, or NULL */
    char *client_protocol;   /* owned, or NULL: clientProtocol of the first request that had one */
    char *previous_token;    /* owned, or NULL: the stale connectionToken its negotiate carried,
                                i.e. the connection this page ran before (JS restart pattern) */
    char **hubs; /* owned: hub_count owned strings, or NULL */
    size_t hub_count;
    tcp_endpoint client, server; /* of the first stream seen on the primary leg */
    sr_transport transports[LF_MAX_TRANSPORTS];
    size_t transport_count;
    lf_settings settings;

    uint64_t events_dropped;
    lf_text_store details; /* owns the timeline entries' detail texts */
    lf_finding *findings;
    size_t finding_count;
    size_t finding_capacity;
    uint64_t findings_dropped;

    uint64_t polls;           /* long polling: receive requests (connect, poll, reconnect) */
    double poll_max_held;     /* longest poll, seconds from request to the end of its response */
    double poll_max_gap;      /* longest wait between a poll's end and the next request */
    lf_end_type end;
    lf_time_ns end_time;
} lf_connection;

/* A deep copy of c, for a reader that keeps a connection past the moment the engine hands it
 * over (an on_retire callback). The copy owns everything it holds; lf_connection_free() frees
 * it (NULL is fine). */
lf_connection *lf_connection_copy(const lf_connection *c);
void lf_connection_free(lf_connection *c);

#endif
