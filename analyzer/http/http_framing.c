/* http_framing.c - incremental body framing decoder (RFC 9112 sections 6, 7.1). */
#include "http/http_framing.h"

#include <string.h>

void http_framing_start(http_framing *f, http_framing_mode mode, uint64_t length,
                        size_t max_trailer)
{
    *f = (http_framing){.mode = mode, .remaining = length, .max_trailer = max_trailer};
    f->done = mode == HTTP_FRAMING_NONE || (mode == HTTP_FRAMING_LENGTH && length == 0);
}

bool http_parse_content_length(const char *v, size_t len, uint64_t *out)
{
    if (len == 0)
        return false;
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (v[i] < '0' || v[i] > '9')
            return false;
        n = n * 10 + (uint64_t)(v[i] - '0');
        if (n > HTTP_MAX_DECLARED_LENGTH)
            return false;
    }
    *out = n;
    return true;
}

static int hex_value(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static uint64_t take_data(http_framing *f, const uint8_t *in, size_t len, http_body_piece_fn piece,
                          void *ctx)
{
    uint64_t n = len < f->remaining ? len : f->remaining;
    if (n > 0)
        piece(ctx, in, (size_t)n);
    f->remaining -= n;
    return n;
}

/* One step of the chunk-size line: hex digits, then extensions up to the line end. */
static bool chunk_size_byte(http_framing *f, uint8_t c)
{
    if (++f->line_len > HTTP_MAX_CHUNK_LINE)
        return false;
    if (c == '\n') {
        if (f->size_digits == 0)
            return false;
        f->line_len = 0;
        f->chunk = f->remaining == 0 ? CHUNK_TRAILER_LINE_START : CHUNK_DATA;
        return true;
    }
    if (f->chunk == CHUNK_SIZE) {
        int h = hex_value(c);
        if (h >= 0) {
            f->remaining = f->remaining * 16 + (uint64_t)h;
            f->size_digits++;
            return f->remaining <= HTTP_MAX_DECLARED_LENGTH;
        }
        if (f->size_digits == 0)
            return false;
        f->chunk = CHUNK_EXT;
    }
    return true; /* extension bytes (`;name=value`, whitespace, CR) are skipped */
}

/* Trailer fields are skipped line by line; an empty line ends the message. */
static bool trailer_byte(http_framing *f, uint8_t c)
{
    if (++f->trailer_len > f->max_trailer)
        return false;
    if (f->chunk == CHUNK_TRAILER_LINE_START) {
        if (c == '\r') {
            f->chunk = CHUNK_LAST_LF;
            return true;
        }
        if (c == '\n') {
            f->done = true;
            return true;
        }
        f->chunk = CHUNK_TRAILER_LINE;
    }
    if (f->chunk == CHUNK_LAST_LF) {
        if (c != '\n')
            return false;
        f->done = true;
        return true;
    }
    if (c == '\n')
        f->chunk = CHUNK_TRAILER_LINE_START;
    return true;
}

static bool chunk_byte(http_framing *f, uint8_t c)
{
    switch (f->chunk) {
    case CHUNK_SIZE:
    case CHUNK_EXT:
        return chunk_size_byte(f, c);
    case CHUNK_DATA_CR:
        /* a bare LF after chunk data is tolerated */
        f->chunk = CHUNK_DATA_LF;
        if (c == '\r')
            return true;
        /* fall through */
    case CHUNK_DATA_LF:
        if (c != '\n')
            return false;
        f->chunk = CHUNK_SIZE;
        f->size_digits = 0;
        f->remaining = 0;
        return true;
    default:
        return trailer_byte(f, c);
    }
}

/* A whole chunk-size line p[0..n), '\n' included: hex digits, then optional whitespace or an
 * extension, CRLF or a bare LF. Stricter than chunk_size_byte(): after a loss it must tell a
 * chunk start from body text. */
static bool parse_size_line(const uint8_t *p, size_t n, uint64_t *size)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; i < n && hex_value(p[i]) >= 0; i++) {
        v = v * 16 + (uint64_t)hex_value(p[i]);
        if (v > HTTP_MAX_DECLARED_LENGTH)
            return false;
    }
    if (i == 0)
        return false;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i < n && p[i] == ';')
        while (i < n && p[i] >= 0x20 && p[i] < 0x7f)
            i++;
    if (i < n && p[i] == '\r')
        i++;
    if (i + 1 != n || p[i] != '\n')
        return false;
    *size = v;
    return true;
}

/* An upper-case token ended by a space or '/' ("GET ", "HTTP/1.1"): the start of a message,
 * which no chunk-size line or SignalR stream line (SSE fields, scripts) looks like. */
static bool looks_like_message_start(const uint8_t *p, size_t n)
{
    size_t k = 0;
    while (k < n && p[k] >= 'A' && p[k] <= 'Z')
        k++;
    return k >= 3 && k < n && (p[k] == ' ' || p[k] == '/');
}

/* After a loss across a chunk boundary: skips line by line (no buffering, so a line is judged
 * only when it ends in the same input) until a chunk-size line or a message start. */
static http_framing_status resync(http_framing *f, const uint8_t *in, size_t len, size_t *used)
{
    size_t i = 0;
    while (i < len) {
        const uint8_t *nl = memchr(in + i, '\n', len - i);
        size_t end = nl ? (size_t)(nl - in) + 1 : len;
        uint64_t size;
        if (f->resync_at_line_start) {
            if (looks_like_message_start(in + i, end - i)) {
                *used = i;
                return HTTP_FRAMING_LOST;
            }
            if (nl && end - i <= HTTP_MAX_CHUNK_LINE && parse_size_line(in + i, end - i, &size)) {
                f->remaining = size;
                f->chunk = size > 0 ? CHUNK_DATA : CHUNK_TRAILER_LINE_START;
                *used = end;
                return HTTP_FRAMING_MORE;
            }
        }
        f->resync_at_line_start = nl != NULL;
        i = end;
    }
    *used = len;
    return HTTP_FRAMING_MORE;
}

/* Hex digits of a size line below this count cannot exceed HTTP_MAX_DECLARED_LENGTH. */
#define SIZE_LINE_SAFE_DIGITS 14

/* A chunk-size line of bare hex digits ending in CRLF or LF, whole in the input: the usual
 * shape, taken in one step with the effect chunk_byte() has over the same bytes. 0 for
 * anything else (extensions, many digits, a line cut by the end of the input), which then
 * goes byte by byte. */
static size_t whole_size_line(http_framing *f, const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    size_t k = 0;
    for (int h; k < n && k < SIZE_LINE_SAFE_DIGITS && (h = hex_value(p[k])) >= 0; k++)
        v = v * 16 + (uint64_t)h;
    if (k == 0 || k == SIZE_LINE_SAFE_DIGITS)
        return 0;
    size_t end = k < n && p[k] == '\r' ? k + 1 : k;
    if (end >= n || p[end] != '\n')
        return 0;
    f->remaining = v;
    f->size_digits = (unsigned)k;
    f->chunk = v > 0 ? CHUNK_DATA : CHUNK_TRAILER_LINE_START;
    return end + 1;
}

static http_framing_status feed_chunked(http_framing *f, const uint8_t *in, size_t len,
                                        size_t *consumed, http_body_piece_fn piece, void *ctx)
{
    size_t i = 0;
    while (i < len && !f->done) {
        if (f->chunk == CHUNK_RESYNC) {
            size_t used;
            http_framing_status st = resync(f, in + i, len - i, &used);
            i += used;
            if (st == HTTP_FRAMING_LOST) {
                *consumed = i;
                return st;
            }
            continue;
        }
        if (f->chunk == CHUNK_DATA) {
            i += (size_t)take_data(f, in + i, len - i, piece, ctx);
            if (f->remaining == 0)
                f->chunk = CHUNK_DATA_CR;
            continue;
        }
        if (f->chunk == CHUNK_SIZE && f->line_len == 0 && f->size_digits == 0 &&
            f->remaining == 0) {
            size_t used = whole_size_line(f, in + i, len - i);
            i += used;
            if (used > 0)
                continue;
        }
        if (!chunk_byte(f, in[i])) {
            *consumed = i;
            return HTTP_FRAMING_ERROR;
        }
        i++;
    }
    *consumed = i;
    return f->done ? HTTP_FRAMING_DONE : HTTP_FRAMING_MORE;
}

http_framing_status http_framing_feed(http_framing *f, const uint8_t *in, size_t len,
                                      size_t *consumed, http_body_piece_fn piece, void *ctx)
{
    *consumed = 0;
    if (f->done)
        return HTTP_FRAMING_DONE;
    switch (f->mode) {
    case HTTP_FRAMING_LENGTH:
        *consumed = (size_t)take_data(f, in, len, piece, ctx);
        f->done = f->remaining == 0;
        break;
    case HTTP_FRAMING_CLOSE:
        if (len > 0)
            piece(ctx, in, len);
        *consumed = len;
        break;
    case HTTP_FRAMING_CHUNKED:
        return feed_chunked(f, in, len, consumed, piece, ctx);
    case HTTP_FRAMING_NONE:
        f->done = true;
        break;
    }
    return f->done ? HTTP_FRAMING_DONE : HTTP_FRAMING_MORE;
}

/* Skips lost bytes with the chunk bookkeeping: the rest of the current chunk, then its CRLF.
 * Beyond that the next chunk-size line is unknown: resynchronise. */
static bool chunked_skip(http_framing *f, uint64_t missing)
{
    if (f->chunk == CHUNK_DATA) {
        uint64_t n = missing < f->remaining ? missing : f->remaining;
        f->remaining -= n;
        missing -= n;
        if (f->remaining == 0)
            f->chunk = CHUNK_DATA_CR;
    }
    if (f->chunk == CHUNK_DATA_CR && missing > 0) {
        missing--;
        f->chunk = CHUNK_DATA_LF;
    }
    if (f->chunk == CHUNK_DATA_LF && missing > 0) {
        missing--;
        f->chunk = CHUNK_SIZE;
        f->size_digits = 0;
        f->remaining = 0;
        f->line_len = 0;
    }
    if (missing == 0)
        return true;
    if (f->chunk != CHUNK_SIZE && f->chunk != CHUNK_EXT && f->chunk != CHUNK_RESYNC)
        return false; /* lost inside the trailers: the message end is gone */
    f->chunk = CHUNK_RESYNC;
    f->resync_at_line_start = true; /* a segment after a loss usually starts a write */
    return true;
}

bool http_framing_skip(http_framing *f, uint64_t missing)
{
    switch (f->mode) {
    case HTTP_FRAMING_CLOSE:
        return true;
    case HTTP_FRAMING_LENGTH:
        if (missing > f->remaining)
            return false;
        f->remaining -= missing;
        f->done = f->remaining == 0;
        return true;
    case HTTP_FRAMING_CHUNKED:
        return chunked_skip(f, missing);
    case HTTP_FRAMING_NONE:
        return false;
    }
    return false;
}
