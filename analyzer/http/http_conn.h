/* http_conn.h - HTTP/1.1 over one TCP stream: both directions, request/response pairing.
 *
 * Fed with in-order bytes per direction (the tcp_consumer contract), it parses heads, frames
 * and decodes bodies and reports to an http_handler: message heads, decoded body bytes as they
 * arrive (streaming responses stay open for minutes), body ends, capture gaps, errors, and after
 * a `101 Switching Protocols` the raw tunnel bytes of both directions.
 *
 * Responses pair with requests in order (a bounded queue of outstanding requests). Garbage or a
 * lost message boundary produces one error and the direction waits for a plausible message start
 * (a known method or "HTTP/1." at the beginning of a line) to resynchronise.
 *
 * A request asking for an upgrade holds the client's following bytes until the answer is seen
 * (a client may send WebSocket frames right behind its request); they are then replayed, as
 * tunnel bytes or as HTTP, with the frame of the last held segment.
 *
 * Ownership: http_conn_new() allocates; http_conn_free() releases everything. Pointers passed to
 * handler callbacks are valid only during the call.
 */
#ifndef LIFELINE_HTTP_CONN_H
#define LIFELINE_HTTP_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http_framing.h"
#include "http/http_head.h"
#include "http/http_inflate.h"
#include "pipeline/frame_ref.h"
#include "tcp/tcp_consumer.h"

/* Default limits for hostile input (http_config_defaults), each with its reason: */
/* IIS accepts 16 KiB of headers and Kestrel 32 KiB: 64 KiB is beyond any real head. */
#define HTTP_DEFAULT_MAX_HEADER_BLOCK (64 * 1024)
/* Kestrel's limit; SignalR requests carry about a dozen fields. */
#define HTTP_DEFAULT_MAX_HEADERS 100
/* Browsers keep one request per connection; 64 pipelined requests is already abuse. */
#define HTTP_DEFAULT_MAX_PENDING_REQUESTS 64
/* Longer than any SignalR URL, connection token and connectionData included. */
#define HTTP_DEFAULT_MAX_KEPT_TARGET (8 * 1024)
/* A client sends at most a frame or two before it sees the 101. */
#define HTTP_DEFAULT_MAX_UPGRADE_HOLD (64 * 1024)
/* Decompressed size of one body: far above any JSON SignalR sends through a proxy. */
#define HTTP_DEFAULT_MAX_DECODED_BODY (256u * 1024 * 1024)
/* Real JSON rarely compresses beyond 20:1; runs of one byte reach about 1000:1. */
#define HTTP_DEFAULT_MAX_INFLATE_RATIO 200

/* Limits for hostile input, overridable per analysis. */
typedef struct http_config {
    size_t max_header_block;     /* bytes of one head (start line + fields + trailers) */
    size_t max_headers;          /* header fields in one head */
    size_t max_pending_requests; /* requests awaiting their response (pipelining depth) */
    size_t max_kept_target;      /* bytes of a request target remembered for its response */
    size_t max_upgrade_hold;     /* client bytes held while an upgrade answer is pending */
    uint64_t max_decoded_body;   /* decompressed bytes of one body */
    uint32_t max_inflate_ratio;  /* decompressed/compressed ratio that flags a bomb */
} http_config;

void http_config_defaults(http_config *cfg);

/* The request a response answers. */
typedef struct http_request_ref {
    uint32_t index;
    bool is_head;
    bool wants_upgrade;
    const char *target; /* first max_kept_target bytes */
    size_t target_len;
} http_request_ref;

#define HTTP_NO_REQUEST UINT32_MAX

typedef struct http_message {
    tcp_dir dir;
    uint32_t index; /* request index; for responses the index of the answered request */
    const http_head *head;
    const http_request_ref *request; /* responses: NULL when the request was not seen */
    http_framing_mode framing;
    http_coding coding;
    bool has_body; /* body/body_end callbacks follow */
    bool switches; /* 101: both directions become a tunnel after this head */
} http_message;

/* Body flags: the LF_WIRE_TRUNCATED / LF_WIRE_INCOMPLETE / LF_WIRE_UNDECODED values of
 * pipeline/wire_event.h. */
typedef struct http_handler {
    void *ctx;
    void (*message)(void *ctx, const http_message *m, const lf_frame_ref *at);
    /* Decoded body bytes of the current message in `dir`. */
    void (*body)(void *ctx, tcp_dir dir, const uint8_t *data, size_t len, const lf_frame_ref *at);
    void (*body_end)(void *ctx, tcp_dir dir, unsigned flags, uint64_t wire_len,
                     const lf_frame_ref *at);
    void (*tunnel)(void *ctx, tcp_dir dir, const uint8_t *data, size_t len, const lf_frame_ref *at);
    void (*tunnel_gap)(void *ctx, tcp_dir dir, uint64_t missing, const lf_frame_ref *at);
    void (*gap)(void *ctx, tcp_dir dir, uint64_t missing, const lf_frame_ref *at);
    void (*error)(void *ctx, tcp_dir dir, const char *cause, const lf_frame_ref *at);
} http_handler;

typedef struct http_conn http_conn;

/* Returns NULL on allocation failure. `cfg` is copied. */
http_conn *http_conn_new(const http_config *cfg, const http_handler *handler);
void http_conn_data(http_conn *c, tcp_dir dir, const uint8_t *data, size_t len,
                    const lf_frame_ref *at);
void http_conn_gap(http_conn *c, tcp_dir dir, uint64_t missing, const lf_frame_ref *at);
/* No more bytes in `dir`: ends a close-delimited body, flags any other open body incomplete.
 * `cut` says the bytes stopped without a real end (capture ended, stream evicted): then even a
 * close-delimited body is incomplete. */
void http_conn_fin(http_conn *c, tcp_dir dir, bool cut, const lf_frame_ref *at);
void http_conn_free(http_conn *c);

#endif
