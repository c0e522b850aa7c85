/* sr_urlcode: percent-decoding and name=value splitting for query strings and form bodies.
 *
 * The iterator is zero-copy: spans point into the caller's buffer. Decoding produces an owned
 * sr_string (free with sr_string_clear). Work is linear in the input; nothing is capped, so a
 * 1 MB token decodes like a short one.
 */
#ifndef LIFELINE_PROTOCOL_SR_URLCODE_H
#define LIFELINE_PROTOCOL_SR_URLCODE_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

typedef enum {
    /* Query values: only %XX decodes; '+' stays '+' (clients percent-encode '+' as %2B, and a
     * raw '+' in a base64 token must survive byte-exact). */
    SR_DECODE_QUERY,
    /* application/x-www-form-urlencoded bodies: '+' is a space, as jQuery encodes it. */
    SR_DECODE_FORM
} sr_decode_mode;

/* Decodes len bytes into *out (which must be absent). On a '%' not followed by two hex digits
 * returns SR_ERR_BAD_PERCENT_ENCODING, sets *bad_offset (when not NULL) to the '%' position and
 * leaves *out absent. Embedded %00 decodes to a NUL byte counted in out->len. */
sr_status sr_percent_decode(const char *bytes, size_t len, sr_decode_mode mode, sr_string *out,
                            size_t *bad_offset);

/* Raw (undecoded) bytes sr_percent_decode_into() met on its way. */
enum { SR_RAW_PLUS = 1u << 0, SR_RAW_SEMICOLON = 1u << 1 };

/* sr_percent_decode() without allocating: decodes len bytes into dst (room for len bytes; no
 * NUL is written) and returns the decoded length, or SIZE_MAX on a bad '%' (*bad_offset set as
 * above, dst partly written). On success *raw (when not NULL) holds the SR_RAW_* bits of the
 * raw '+' and ';' bytes met, in one pass over the input. */
size_t sr_percent_decode_into(const char *bytes, size_t len, sr_decode_mode mode, char *dst,
                              size_t *bad_offset, unsigned *raw);

/* Splits "a=1&b=2" one pair at a time. Start with *pos = 0; each call skips empty segments and
 * returns true with the raw (still encoded) name and value, or false at the end. A segment
 * without '=' has an empty value. Spans point into bytes. */
bool sr_urlencoded_next(const char *bytes, size_t len, size_t *pos, sr_span *name, sr_span *value);

/* True when the raw name decodes (per mode) to expected, ASCII case-insensitively, as the
 * ASP.NET collections compare parameter names. */
bool sr_urlencoded_name_is(sr_span name, sr_decode_mode mode, const char *expected);

#endif
