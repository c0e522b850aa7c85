/* wire_event.h - the ordered stream of typed events the protocol stages emit above TCP.
 *
 * One event per observable protocol unit: a TCP stream opening or ending, an HTTP request or
 * response head, a complete HTTP body, a WebSocket message or control frame, a Server-Sent
 * Event, a forever-frame script, a long-poll keepalive space, a capture gap, a parse error.
 * Consumers (the SignalR glue, the CLI's dump mode) only ever see these events, never the HTTP
 * or transport internals.
 *
 * Ownership: every pointer inside an event (strings, payloads, headers) points into the
 * emitter's buffers and is valid ONLY during the sink call. A sink that needs a value later
 * copies it. Events are plain values; the sink frees nothing.
 */
#ifndef LIFELINE_WIRE_EVENT_H
#define LIFELINE_WIRE_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline/frame_ref.h"
#include "tcp/tcp_consumer.h"

typedef enum lf_wire_kind {
    LF_WIRE_STREAM_OPEN,     /* u.open: first event of every TCP stream */
    LF_WIRE_STREAM_FIN,      /* `dir` sent FIN: no more bytes from that side */
    LF_WIRE_STREAM_CLOSE,    /* u.close: last event of every TCP stream */
    LF_WIRE_HTTP_REQUEST,    /* u.request: a request head (dir = TO_SERVER) */
    LF_WIRE_HTTP_RESPONSE,   /* u.response: a response head (dir = TO_CLIENT) */
    LF_WIRE_HTTP_BODY,       /* u.body: the whole body of a non-streaming message */
    LF_WIRE_STREAM_BODY_END, /* u.body (data NULL): a streamed SSE / forever-frame body ended */
    LF_WIRE_BODY_SPACES,     /* u.spaces: leading spaces of a response body (LP keepalive ticks) */
    LF_WIRE_WS_MESSAGE,      /* u.ws_message: a complete text/binary WebSocket message */
    LF_WIRE_WS_CONTROL,      /* u.ws_control: ping or pong */
    LF_WIRE_WS_CLOSE,        /* u.ws_close: a close frame */
    LF_WIRE_SSE_EVENT,       /* u.sse: one dispatched Server-Sent Event */
    LF_WIRE_FF_PRELUDE,      /* u.ff_prelude: the forever-frame HTML prelude */
    LF_WIRE_FF_MESSAGE,      /* u.ff_message: one forever-frame <script> block */
    LF_WIRE_GAP,             /* u.gap: bytes lost by the capture in `dir` */
    LF_WIRE_ERROR            /* u.error: unparseable bytes; one event per loss of sync */
} lf_wire_kind;

/* A byte string that is not NUL-terminated. `ptr == NULL` means "absent" (as opposed to
 * present and empty, which has a non-NULL ptr and len 0). */
typedef struct lf_wire_str {
    const char *ptr;
    size_t len;
} lf_wire_str;

/* `request_index` value for events that belong to no request (or to an unknown one, e.g. a
 * response whose request was sent before the capture started). */
#define LF_WIRE_NO_REQUEST UINT32_MAX

typedef struct lf_wire_request {
    lf_wire_str method;
    lf_wire_str target; /* as sent: path and query, percent-encoding untouched */
    int version_minor;  /* HTTP/1.x */
    lf_wire_str host, content_type, upgrade, user_agent, x_requested_with, accept, connection;
    lf_wire_str sec_websocket_key;
    bool has_cookie;
    bool has_authorization;
    bool has_body; /* an LF_WIRE_HTTP_BODY with the same request_index follows */
} lf_wire_request;

typedef struct lf_wire_response {
    int status;
    lf_wire_str reason;
    int version_minor;
    lf_wire_str content_type, transfer_encoding, content_encoding, connection;
    lf_wire_str sec_websocket_extensions, sec_websocket_accept;
    bool answers_head; /* the request was HEAD: no body whatever the headers say */
} lf_wire_response;

/* Body flags (lf_wire_body.flags, lf_wire_ws_message.flags, ...). */
enum {
    LF_WIRE_TRUNCATED = 1u << 0,  /* larger than the configured cap; payload is the prefix */
    LF_WIRE_INCOMPLETE = 1u << 1, /* bytes missing (capture gap) or the stream ended early */
    LF_WIRE_UNDECODED = 1u << 2   /* compressed and could not be decompressed */
};

typedef struct lf_wire_body {
    const uint8_t *data; /* decoded (de-chunked, decompressed); leading spaces excluded;
                            NULL for LF_WIRE_STREAM_BODY_END */
    size_t len;
    uint64_t wire_len;       /* body bytes seen on the wire after de-chunking, before decoding */
    uint32_t leading_spaces; /* responses: 0x20 bytes before the first other byte */
    unsigned flags;
} lf_wire_body;

typedef struct lf_wire_spaces {
    uint32_t count; /* spaces carried by the frame in `at` */
} lf_wire_spaces;

typedef enum lf_ws_opcode {
    LF_WS_CONTINUATION = 0x0,
    LF_WS_TEXT = 0x1,
    LF_WS_BINARY = 0x2,
    LF_WS_CLOSE = 0x8,
    LF_WS_PING = 0x9,
    LF_WS_PONG = 0xA
} lf_ws_opcode;

typedef struct lf_wire_ws_message {
    lf_ws_opcode opcode;    /* TEXT or BINARY */
    const uint8_t *payload; /* unmasked and, if compressed, inflated */
    size_t len;
    uint64_t wire_len; /* sum of the frames' payload lengths */
    uint32_t fragments;
    bool masked;
    bool compressed; /* permessage-deflate (RSV1 on the first frame) */
    unsigned flags;
} lf_wire_ws_message;

typedef struct lf_wire_ws_control {
    lf_ws_opcode opcode; /* PING or PONG */
    const uint8_t *payload;
    size_t len;
    bool masked;
} lf_wire_ws_control;

typedef struct lf_wire_ws_close {
    bool has_code; /* false for a close frame without a status (peer sees 1005) */
    uint16_t code;
    lf_wire_str reason;
    bool masked;
} lf_wire_ws_close;

typedef struct lf_wire_sse {
    lf_wire_str data;  /* data lines joined with \n */
    lf_wire_str event; /* absent when no event: field */
    lf_wire_str id;    /* absent when no id: field */
    unsigned flags;    /* LF_WIRE_TRUNCATED when the event outgrew its cap */
} lf_wire_sse;

typedef struct lf_wire_ff_prelude {
    lf_wire_str html;
    unsigned flags;
} lf_wire_ff_prelude;

typedef struct lf_wire_ff_message {
    lf_wire_str script; /* content between <script> and </script> */
    lf_wire_str json;   /* argument of `r(c, ...);` when the script has that shape, else absent */
    unsigned flags;
} lf_wire_ff_message;

typedef struct lf_wire_gap {
    uint64_t missing; /* bytes */
} lf_wire_gap;

typedef struct lf_wire_error {
    const char *cause; /* NUL-terminated, static text */
} lf_wire_error;

typedef struct lf_wire_event {
    lf_wire_kind kind;
    uint64_t stream;        /* tcp_stream_info.id */
    tcp_dir dir;            /* direction of the bytes that made this event */
    lf_frame_ref at;        /* the frame whose bytes completed this event */
    uint32_t request_index; /* 0-based request number on this stream, or LF_WIRE_NO_REQUEST;
                               events inside a response carry the index of its request, events
                               after a 101 carry the index of the upgrade request */
    union {
        tcp_stream_info open;
        struct {
            tcp_end_reason why;
            tcp_dir by;
        } close;
        lf_wire_request request;
        lf_wire_response response;
        lf_wire_body body;
        lf_wire_spaces spaces;
        lf_wire_ws_message ws_message;
        lf_wire_ws_control ws_control;
        lf_wire_ws_close ws_close;
        lf_wire_sse sse;
        lf_wire_ff_prelude ff_prelude;
        lf_wire_ff_message ff_message;
        lf_wire_gap gap;
        lf_wire_error error;
    } u;
} lf_wire_event;

/* Stable lower-case name of an event kind, for dumps and logs. */
static inline const char *lf_wire_kind_name(lf_wire_kind kind)
{
    switch (kind) {
    case LF_WIRE_STREAM_OPEN:
        return "stream-open";
    case LF_WIRE_STREAM_FIN:
        return "stream-fin";
    case LF_WIRE_STREAM_CLOSE:
        return "stream-close";
    case LF_WIRE_HTTP_REQUEST:
        return "http-request";
    case LF_WIRE_HTTP_RESPONSE:
        return "http-response";
    case LF_WIRE_HTTP_BODY:
        return "http-body";
    case LF_WIRE_STREAM_BODY_END:
        return "stream-body-end";
    case LF_WIRE_BODY_SPACES:
        return "body-spaces";
    case LF_WIRE_WS_MESSAGE:
        return "ws-message";
    case LF_WIRE_WS_CONTROL:
        return "ws-control";
    case LF_WIRE_WS_CLOSE:
        return "ws-close";
    case LF_WIRE_SSE_EVENT:
        return "sse-event";
    case LF_WIRE_FF_PRELUDE:
        return "ff-prelude";
    case LF_WIRE_FF_MESSAGE:
        return "ff-message";
    case LF_WIRE_GAP:
        return "gap";
    case LF_WIRE_ERROR:
        return "error";
    }
    return "unknown";
}

/* Where events go. Called synchronously, in stream order, from inside tcp_consumer calls. */
typedef struct lf_wire_sink {
    void *ctx;
    void (*emit)(void *ctx, const lf_wire_event *ev);
} lf_wire_sink;

#endif
