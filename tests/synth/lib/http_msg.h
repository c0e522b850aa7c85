/* HTTP/1.1 messages over a synthetic TCP connection: requests, complete responses
 * (Content-Length or one-shot chunked, optionally gzip) and incremental chunked responses
 * whose chunks are appended at later times.
 * Header lists are NULL-terminated arrays of "Name: value" strings (no CRLF), or NULL.
 * A synth_http_body is owned by the caller until synth_http_body_end/free releases it. */
#ifndef LIFELINE_SYNTH_HTTP_MSG_H
#define LIFELINE_SYNTH_HTTP_MSG_H

#include "tcp_conn.h"

#define SYNTH_HTTP_CHUNKED 0x1u /* Transfer-Encoding: chunked instead of Content-Length */
#define SYNTH_HTTP_GZIP 0x2u    /* Content-Encoding: gzip */

/* Adds Host (from the server endpoint) unless given, and Content-Length when a body exists
 * or the method is POST/PUT. */
synth_status synth_http_request(synth_conn *c, synth_time t, const char *method, const char *uri,
                                const char *const *headers, const void *body, size_t body_len);

/* reason NULL: the standard phrase for status. */
synth_status synth_http_response(synth_conn *c, synth_time t, int status, const char *reason,
                                 const char *const *headers, const void *body, size_t body_len,
                                 unsigned flags);

typedef struct synth_http_body synth_http_body;

/* Sends the response head with Transfer-Encoding: chunked and returns the open body. */
synth_http_body *synth_http_response_begin(synth_conn *c, synth_time t, int status,
                                           const char *reason, const char *const *headers,
                                           unsigned flags);
/* One chunk (gzip: the data compressed and sync-flushed, so it is decodable at once). */
synth_status synth_http_body_append(synth_http_body *b, synth_time t, const void *data, size_t len);
/* The terminating zero-size chunk; frees b whatever happens. */
synth_status synth_http_body_end(synth_http_body *b, synth_time t);
/* Forgets an unterminated body (the stream was cut). */
void synth_http_body_free(synth_http_body *b);

#endif
