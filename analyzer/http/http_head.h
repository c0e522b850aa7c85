/* http_head.h - HTTP/1.x request and response head parsing (start line + header fields).
 *
 * Zero-copy: the parsed head points into the caller's buffer, which must stay alive while the
 * head is used. The caller provides the header slot array; nothing is allocated here.
 * The fields the analyzer reads are indexed while parsing (http_head.known), so that looking
 * them up costs nothing; http_head_find() serves any other name.
 * Reference: RFC 9112 sections 2-5.
 */
#ifndef LIFELINE_HTTP_HEAD_H
#define LIFELINE_HTTP_HEAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct http_header {
    const char *name;
    size_t name_len;
    const char *value; /* optional whitespace trimmed on both sides */
    size_t value_len;
} http_header;

/* Header fields indexed by the parser: the ones framing, pairing and the wire events read. */
typedef enum http_known_field {
    HTTP_F_CONTENT_LENGTH,
    HTTP_F_TRANSFER_ENCODING,
    HTTP_F_CONTENT_ENCODING,
    HTTP_F_CONTENT_TYPE,
    HTTP_F_UPGRADE,
    HTTP_F_CONNECTION,
    HTTP_F_HOST,
    HTTP_F_USER_AGENT,
    HTTP_F_X_REQUESTED_WITH,
    HTTP_F_ACCEPT,
    HTTP_F_COOKIE,
    HTTP_F_AUTHORIZATION,
    HTTP_F_SEC_WEBSOCKET_KEY,
    HTTP_F_SEC_WEBSOCKET_ACCEPT,
    HTTP_F_SEC_WEBSOCKET_EXTENSIONS,
    HTTP_KNOWN_FIELDS
} http_known_field;

typedef struct http_head {
    bool is_request;
    const char *method; /* requests */
    size_t method_len;
    const char *target;
    size_t target_len;
    int status; /* responses */
    const char *reason;
    size_t reason_len;
    int version_minor;
    http_header *headers;
    size_t header_count;
    /* First field of each known name (NULL when absent), as http_head_find() would return. */
    const http_header *known[HTTP_KNOWN_FIELDS];
    size_t content_length_fields; /* how many Content-Length fields (repeats must agree) */
} http_head;

/* Return protocol of http_head_parse. */
enum {
    HTTP_HEAD_ERROR = -1,      /* malformed start line or header field */
    HTTP_HEAD_INCOMPLETE = -2, /* no blank line ending the head yet */
    HTTP_HEAD_TOO_MANY = -3    /* more header fields than slots */
};

/* Parses one head at the start of buf[0..len) (leading empty lines are skipped). Returns the
 * number of bytes it spans, including the terminating blank line, or one of the negative codes.
 * `slots`/`max_slots` receive the header fields; out->headers points at `slots`. */
int64_t http_head_parse(const char *buf, size_t len, bool is_request, http_head *out,
                        http_header *slots, size_t max_slots);

/* First header field named `name` (case-insensitive), or NULL. */
const http_header *http_head_find(const http_head *head, const char *name);

/* Whether a comma-separated header value list contains `token` (case-insensitive). */
bool http_value_has_token(const char *value, size_t len, const char *token);

/* Case-insensitive comparison of a counted string with a NUL-terminated one. */
bool http_str_ieq(const char *s, size_t len, const char *lit);

/* The same with the literal's length known (no strlen). */
bool http_str_ieq_n(const char *s, size_t len, const char *lit, size_t lit_len);

#endif
