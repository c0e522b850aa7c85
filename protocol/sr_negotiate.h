/* sr_negotiate: the JSON answer to GET <prefix>/negotiate (wire reference sec. 4, 11.6).
 *
 * sr_negotiate_parse() fills a caller-provided sr_negotiate whose strings it owns; release them
 * with sr_negotiate_clear() after every parse, whatever it returned. Durations are converted
 * from the wire's seconds to integer milliseconds.
 */
#ifndef LIFELINE_PROTOCOL_SR_NEGOTIATE_H
#define LIFELINE_PROTOCOL_SR_NEGOTIATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

/* Durations above this are refused as out of range. .NET's TimeSpan.MaxValue is about 9.2e11
 * seconds, so no real server exceeds it, and sums of a few such values still fit in int64 ms. */
#define SR_NEGOTIATE_MAX_SECONDS 1e12

typedef enum {
    SR_NEGOTIATE_CLASSIC = 0, /* the SignalR 1.x/2.x server answer */
    SR_NEGOTIATE_REDIRECT,    /* {"ProtocolVersion":..,"RedirectUrl":..,"AccessToken":..} (Azure) */
    SR_NEGOTIATE_ERROR,       /* {"ProtocolVersion":..,"Error":..} (Azure) */
    SR_NEGOTIATE_CORE         /* ASP.NET Core SignalR answer (camelCase, availableTransports) */
} sr_negotiate_variant;

/* Presence bits (a JSON null counts as present). */
enum {
    SR_NEG_URL = 1u << 0,
    SR_NEG_CONNECTION_TOKEN = 1u << 1,
    SR_NEG_CONNECTION_ID = 1u << 2,
    SR_NEG_KEEP_ALIVE_TIMEOUT = 1u << 3,
    SR_NEG_KEEP_ALIVE = 1u << 4, /* pre-release 1.0/1.1 "KeepAlive" */
    SR_NEG_DISCONNECT_TIMEOUT = 1u << 5,
    SR_NEG_CONNECTION_TIMEOUT = 1u << 6,
    SR_NEG_TRY_WEBSOCKETS = 1u << 7,
    SR_NEG_WEBSOCKET_SERVER_URL = 1u << 8,
    SR_NEG_PROTOCOL_VERSION = 1u << 9,
    SR_NEG_TRANSPORT_CONNECT_TIMEOUT = 1u << 10,
    SR_NEG_LONG_POLL_DELAY = 1u << 11,
    SR_NEG_REDIRECT_URL = 1u << 12,
    SR_NEG_ACCESS_TOKEN = 1u << 13,
    SR_NEG_ERROR = 1u << 14,
    SR_NEG_AVAILABLE_TRANSPORTS = 1u << 15
};

typedef struct {
    bool present;
    bool is_null; /* JSON null: for KeepAliveTimeout/KeepAlive it means keepalive disabled */
    int64_t ms;   /* valid when present && !is_null */
} sr_duration;

typedef struct {
    sr_negotiate_variant variant;
    unsigned fields; /* SR_NEG_* bits */
    sr_string url;
    sr_string connection_token; /* also the Core "connectionToken" */
    sr_string connection_id;    /* also the Core "connectionId" */
    sr_string protocol_version;
    sr_string websocket_server_url; /* absent when null */
    sr_string redirect_url;
    sr_string access_token;
    sr_string error;
    sr_duration keep_alive_timeout;
    sr_duration keep_alive; /* legacy: the keepalive PERIOD, not the client timeout */
    sr_duration disconnect_timeout;
    sr_duration connection_timeout;
    sr_duration transport_connect_timeout;
    sr_duration long_poll_delay;
    bool try_websockets;
    sr_string jsonp_callback; /* callback name when the body was JSONP-wrapped (callback=) */
} sr_negotiate;

/* Parses a negotiate response body (JSON text, len bytes, not NUL-terminated; a JSONP
 * `cb({...});` body, as sent when the request carried callback=, is unwrapped).
 * Wrong types and out-of-range numbers fail with err->field naming the JSON key. A body with
 * none of ConnectionToken/ConnectionId/RedirectUrl/Error/availableTransports is rejected with
 * SR_ERR_MISSING_FIELD ("ConnectionId"). Call sr_negotiate_clear() afterwards in every case. */
sr_status sr_negotiate_parse(const char *bytes, size_t len, sr_negotiate *out, sr_error *err);

/* sr_negotiate_parse() without its tree-free fast path for the usual classic answer: every body
 * through json-glib. Both give the same result on every input; this one is public so that the
 * tests can hold the fast path to it. */
sr_status sr_negotiate_parse_tree(const char *bytes, size_t len, sr_negotiate *out,
                                  sr_error *err);

/* Frees the strings and zeroes the struct. */
void sr_negotiate_clear(sr_negotiate *neg);

/* Server releases distinguishable from the negotiate response, oldest first (sec. 1). */
typedef enum {
    SR_SERVER_1_0_ALPHA = 0, /* ProtocolVersion 1.0, pre-release */
    SR_SERVER_1_0_RC,        /* ProtocolVersion 1.1, pre-release */
    SR_SERVER_1_0_TO_1_2,    /* 1.0.0 - 1.2.2 */
    SR_SERVER_2_0,           /* 2.0.x */
    SR_SERVER_2_1_0,         /* 2.1.0 - 2.1.1 */
    SR_SERVER_2_1_2,         /* 2.1.2 */
    SR_SERVER_2_2_TO_2_3,    /* 2.2.0 - 2.3.0 */
    SR_SERVER_2_4            /* 2.4.x */
} sr_server_release;

/* Bounds the server release from field presence and ProtocolVersion (sec. 1, 4, 11.6).
 * Only meaningful for SR_NEGOTIATE_CLASSIC. Returns false (bounds untouched) for other variants
 * or when the fields contradict each other. */
bool sr_negotiate_server_range(const sr_negotiate *neg, sr_server_release *lo,
                               sr_server_release *hi);

/* Static label such as "2.1.0-2.1.1". */
const char *sr_server_release_name(sr_server_release release);

#endif
