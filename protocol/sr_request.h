/* sr_request: what a SignalR classic HTTP request is, from its method, request-target and (for
 * POSTs) its form body.
 *
 * The server dispatches purely on the path SUFFIX, case-insensitively, after trimming trailing
 * '/' (wire reference sec. 2), so any mount prefix works and is reported as `prefix`.
 *
 * Ownership: sr_request_parse() fills a caller-provided sr_request. `path` and `prefix` are spans
 * into the caller's target buffer (valid while it is); every decoded parameter and hub name is
 * owned by the sr_request and freed by sr_request_clear(), which must be called after every
 * sr_request_parse(), whatever it returned. Decoded bytes normally live inside the sr_request
 * itself (no allocation for a usual request), so its strings are valid only while that very
 * struct is: use it in place, do not copy it by value.
 */
#ifndef LIFELINE_PROTOCOL_SR_REQUEST_H
#define LIFELINE_PROTOCOL_SR_REQUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

typedef enum {
    SR_REQUEST_NOT_SIGNALR = 0, /* no SignalR suffix and no transport parameter */
    SR_REQUEST_UNKNOWN,         /* unrecognised transport= value on a path with no known suffix */
    SR_REQUEST_NEGOTIATE,
    SR_REQUEST_CONNECT,
    SR_REQUEST_START,
    SR_REQUEST_RECONNECT,
    SR_REQUEST_POLL,
    SR_REQUEST_SEND,
    SR_REQUEST_PING,
    SR_REQUEST_ABORT,
    SR_REQUEST_HUBS /* generated JavaScript proxy: path ends in /hubs or /js */
} sr_request_kind;

typedef enum {
    SR_TRANSPORT_NONE = 0, /* no transport= parameter */
    SR_TRANSPORT_WEBSOCKETS,
    SR_TRANSPORT_SERVER_SENT_EVENTS,
    SR_TRANSPORT_FOREVER_FRAME,
    SR_TRANSPORT_LONG_POLLING,
    SR_TRANSPORT_UNRECOGNIZED /* present but not one of the four names (server: 400) */
} sr_transport;

typedef enum { SR_METHOD_OTHER = 0, SR_METHOD_GET, SR_METHOD_POST } sr_method;

/* Facts about the request that are not errors but that a forensic report wants to show. */
enum {
    /* WS/SSE/FF receive with a suffix other than /connect or /reconnect: served as a reconnect. */
    SR_REQUEST_FLAG_IMPLICIT_RECONNECT = 1u << 0,
    /* Long-polling receive without /connect, /reconnect or /poll (1.0.x JS): served as a poll. */
    SR_REQUEST_FLAG_BARE_POLL = 1u << 1,
    /* Request that needs transport= but has none (server answers 400 Unknown transport). */
    SR_REQUEST_FLAG_MISSING_TRANSPORT = 1u << 2,
    /* Request that needs a connection token but carries neither token nor legacy connectionId. */
    SR_REQUEST_FLAG_MISSING_TOKEN = 1u << 3,
    /* Pre-release 1.0 client: plain connectionId= instead of connectionToken=. */
    SR_REQUEST_FLAG_LEGACY_CONNECTION_ID = 1u << 4,
    /* A parameter we decode appeared twice; the first occurrence is reported. */
    SR_REQUEST_FLAG_DUPLICATE_PARAM = 1u << 5,
    /* negotiateVersion= present: an ASP.NET Core SignalR client, not classic. */
    SR_REQUEST_FLAG_CORE_NEGOTIATE = 1u << 6,
    /* messageId or groupsToken came in the form body (long polling from 2.2 on). */
    SR_REQUEST_FLAG_FORM_CURSOR = 1u << 7,
    /* Request-target in absolute form (http://host/path), as sent to a forward proxy. */
    SR_REQUEST_FLAG_ABSOLUTE_TARGET = 1u << 8,
    /* A decoded query value holds a raw '+'. It is reported byte-exact, but every server
     * generation (Microsoft.Owin, and the 1.x OWIN host's own decoder) reads it as a space, so a
     * token sent this way fails to unprotect (400). Clients normally send %2B. */
    SR_REQUEST_FLAG_RAW_PLUS_IN_QUERY = 1u << 9,
    /* A decoded query value holds a raw ';', which Microsoft.Owin treats as a parameter
     * separator: the server sees a shorter value than the one reported. */
    SR_REQUEST_FLAG_SEMICOLON_IN_QUERY = 1u << 10
};

/* Decoded bytes an sr_request holds without allocating: a browser's query (token,
 * connectionData) and form body take a few hundred; longer ones cost one heap block. */
#define SR_REQUEST_INLINE_BYTES 1536

/* Hub names an sr_request holds without allocating: clients name a handful. */
#define SR_REQUEST_INLINE_HUBS 16

/* Parameters decoded from the query (and, for the FORM_ ones, from the form body). */
typedef enum {
    SR_PARAM_TRANSPORT = 0,
    SR_PARAM_CONNECTION_TOKEN,
    SR_PARAM_CONNECTION_ID, /* pre-release 1.0/1.1 only */
    SR_PARAM_CLIENT_PROTOCOL,
    SR_PARAM_CONNECTION_DATA,
    SR_PARAM_MESSAGE_ID,
    SR_PARAM_GROUPS_TOKEN,
    SR_PARAM_GROUPS, /* pre-release plain groups list */
    SR_PARAM_TID,
    SR_PARAM_FRAME_ID,
    SR_PARAM_CALLBACK, /* JSONP */
    SR_PARAM_CACHE_BUSTER, /* jQuery's "_" */
    SR_PARAM_ACCESS_TOKEN,
    SR_PARAM_DATA, /* query data= (JSONP sends) */
    SR_PARAM_NEGOTIATE_VERSION,
    SR_PARAM_FORM_DATA,
    SR_PARAM_FORM_MESSAGE_ID,
    SR_PARAM_FORM_GROUPS_TOKEN,
    SR_PARAM_COUNT
} sr_param_id;

typedef struct {
    bool present;
    /* SR_OK, or what went wrong: a percent-decoding error (value is then absent), or for
     * frameId and connectionData a value that decoded but does not parse (value kept). */
    sr_status status;
    sr_string value; /* percent-decoded bytes, byte-exact (may hold NULs) */
} sr_param;

typedef struct {
    sr_request_kind kind;
    sr_method method;
    unsigned flags; /* SR_REQUEST_FLAG_* */
    sr_transport transport;
    sr_span path;   /* raw path without query, trailing '/' trimmed; into the caller's target */
    sr_span prefix; /* path before the matched suffix (e.g. "/signalr"); whole path if none */
    sr_param params[SR_PARAM_COUNT];
    uint32_t frame_id;   /* valid when params[SR_PARAM_FRAME_ID].status == SR_OK and present */
    sr_string *hubs;     /* hub names from connectionData ("name" or "Name"), owned */
    size_t hub_count;
    /* Storage, private to sr_request.c: decoded bytes go to `store` (inline_store, or one heap
     * block when they may not fit); hubs to hub_inline unless the tree reader allocated them. */
    char *store;
    size_t store_used;
    bool store_on_heap;
    bool hubs_on_heap;
    sr_string hub_inline[SR_REQUEST_INLINE_HUBS];
    char inline_store[SR_REQUEST_INLINE_BYTES];
} sr_request;

/* Classifies and decodes one request. method/target are the request line's first two tokens
 * (not NUL-terminated); form/form_len is the body of a form-encoded POST, or NULL/0.
 * Returns SR_OK, or the first parameter that failed to decode (err->field names it, err->offset
 * is its position in target, or in form for FORM_ parameters); the request is filled as far as
 * possible either way. Call sr_request_clear() afterwards in every case. */
sr_status sr_request_parse(const char *method, size_t method_len, const char *target,
                           size_t target_len, const char *form, size_t form_len,
                           sr_request *out, sr_error *err);

/* Frees everything sr_request_parse() allocated and zeroes the fields (the inline storage
 * is left as it is: nothing points into it any more). */
void sr_request_clear(sr_request *req);

/* The cursor the client asked to resume from: form messageId (LP 2.2+) if present, else the
 * query messageId; NULL when neither decoded. Borrowed from req. */
const sr_string *sr_request_message_id(const sr_request *req);

/* Wire name of a parameter ("connectionToken", "_", ...); static. */
const char *sr_param_name(sr_param_id id);

/* Static lower-case names: "negotiate", "connect", ..., "not-signalr". */
const char *sr_request_kind_name(sr_request_kind kind);

/* Wire spelling ("webSockets", ...), "" for NONE, "unrecognized" otherwise; static. */
const char *sr_transport_name(sr_transport transport);

/* Maps a transport= value (decoded, case-insensitive) to its enum. */
sr_transport sr_transport_from_name(const char *bytes, size_t len);

#endif
