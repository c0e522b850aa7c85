/* http_framing.h - HTTP/1.1 message body framing: Content-Length, chunked, close-delimited.
 *
 * An incremental decoder that never buffers body bytes: data pieces are handed to a callback as
 * pointers into the caller's input (zero copy), so a declared 1 GB chunk streams through in
 * constant memory. Chunk extensions and trailers are skipped (bounded). Plain value state:
 * nothing to free. Reference: RFC 9112 sections 6 and 7.1.
 */
#ifndef LIFELINE_HTTP_FRAMING_H
#define LIFELINE_HTTP_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest Content-Length or chunk size accepted: 2^53, the largest integer a JSON number (and
 * so most tooling downstream) represents exactly. Anything larger is hostile or corrupt. */
#define HTTP_MAX_DECLARED_LENGTH (UINT64_C(1) << 53)

/* A chunk-size line (size + extensions) longer than this is garbage, not an extension. */
#define HTTP_MAX_CHUNK_LINE 4096

typedef enum http_framing_mode {
    HTTP_FRAMING_NONE,   /* no body */
    HTTP_FRAMING_LENGTH, /* Content-Length */
    HTTP_FRAMING_CHUNKED,
    HTTP_FRAMING_CLOSE /* until the sender closes (responses only) */
} http_framing_mode;

typedef enum http_chunk_state {
    CHUNK_SIZE,
    CHUNK_EXT,
    CHUNK_DATA,
    CHUNK_DATA_CR,
    CHUNK_DATA_LF,
    CHUNK_TRAILER_LINE_START,
    CHUNK_TRAILER_LINE,
    CHUNK_LAST_LF,
    CHUNK_RESYNC /* bytes were lost across a chunk boundary: looking for a chunk-size line */
} http_chunk_state;

typedef struct http_framing {
    http_framing_mode mode;
    uint64_t remaining; /* LENGTH: body bytes left; CHUNKED: bytes left in the current chunk */
    http_chunk_state chunk;
    unsigned size_digits;
    size_t line_len;           /* bytes of the current size/extension or trailer line */
    size_t trailer_len;        /* bytes of trailers so far */
    size_t max_trailer;        /* cap on the trailer section */
    bool resync_at_line_start; /* CHUNK_RESYNC: the next byte begins a line */
    bool done;
} http_framing;

typedef enum http_framing_status {
    HTTP_FRAMING_MORE,  /* all input consumed, body not finished */
    HTTP_FRAMING_DONE,  /* body finished; *consumed tells where the next message starts */
    HTTP_FRAMING_ERROR, /* malformed chunk framing */
    HTTP_FRAMING_LOST,  /* while resynchronising, a line that starts a new message: the body's
                         * end was lost; *consumed tells where that line starts */
} http_framing_status;

typedef void (*http_body_piece_fn)(void *ctx, const uint8_t *data, size_t len);

void http_framing_start(http_framing *f, http_framing_mode mode, uint64_t length,
                        size_t max_trailer);

/* Feeds wire bytes; body data goes to `piece`. Sets *consumed to the bytes used. */
http_framing_status http_framing_feed(http_framing *f, const uint8_t *in, size_t len,
                                      size_t *consumed, http_body_piece_fn piece, void *ctx);

/* Capture loss of `missing` bytes. Returns true when parsing can resume: the bytes fell inside
 * body data, or in a chunked body they are skipped with the chunk bookkeeping (rest of the
 * chunk, its CRLF) and, when they reach past that, the decoder resynchronises on the next line
 * that is a whole chunk-size line (a line that looks like a message start ends the body with
 * HTTP_FRAMING_LOST instead). False when the message boundary is lost. */
bool http_framing_skip(http_framing *f, uint64_t missing);

/* Parses a Content-Length value. Returns false for anything but 1*DIGIT <= the maximum. */
bool http_parse_content_length(const char *v, size_t len, uint64_t *out);

#endif
