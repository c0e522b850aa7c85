/* sr_jscan: a strict JSON scanner that walks one object or array without building a tree.
 *
 * It accepts only a subset of RFC 8259 that sr_json_parse() (json-glib behind its screen) also
 * accepts and reads the same way: JSON whitespace only, no lone or paired surrogate escapes,
 * no raw control characters in strings, nesting up to SR_JSON_MAX_DEPTH, valid UTF-8. Whatever
 * falls outside that subset is reported as "not sure" (-1 / false), never as an error: callers
 * then hand the text to sr_json_parse(), which decides. So a fast path built on this scanner
 * gives the same answers as the tree parser wherever it answers at all.
 *
 * Nothing is allocated: keys and values are spans into the caller's buffer, valid while it is.
 */
#ifndef LIFELINE_PROTOCOL_SR_JSCAN_H
#define LIFELINE_PROTOCOL_SR_JSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "protocol/sr_text.h"

typedef enum {
    SR_JSCAN_STRING,
    SR_JSCAN_NUMBER,
    SR_JSCAN_OBJECT,
    SR_JSCAN_ARRAY,
    SR_JSCAN_TRUE,
    SR_JSCAN_FALSE,
    SR_JSCAN_NULL
} sr_jscan_type;

typedef struct {
    sr_jscan_type type;
    sr_span text; /* the value as sent; for a string, its content between the quotes */
    /* string: holds no escape, so text is its decoded value; number: an integer without sign,
     * fraction or exponent of at most 15 digits (below 2^53, exact as a double too) */
    bool plain;
    size_t count; /* array: elements; object: members */
} sr_jscan_value;

typedef struct {
    const char *bytes;
    size_t len;
    size_t pos;
    unsigned depth;  /* nesting level of the container walked; the root is 1 */
    char close;      /* '}' or ']' */
    size_t items;    /* members or elements walked so far */
    bool high_bytes; /* a byte >= 0x80 was seen: the UTF-8 check is owed by sr_jscan_finish() */
} sr_jscan;

/* Starts walking the text as a document whose root is an object (open '{') or an array ('[');
 * leading whitespace is skipped. False when the text does not start that way. */
bool sr_jscan_begin(sr_jscan *s, const char *bytes, size_t len, char open);

/* Starts walking a container value met by `parent` (its members or elements). */
bool sr_jscan_enter(sr_jscan *s, const sr_jscan *parent, const sr_jscan_value *container);

/* The next member (object: key set; a key holding an escape counts as unsure) or element
 * (array: key absent). Returns 1 with a value, 0 at the closing bracket, -1 when unsure. */
int sr_jscan_next(sr_jscan *s, sr_span *key, sr_jscan_value *value);

/* After the root's closing bracket: true when only whitespace follows and every byte seen is
 * valid UTF-8. Call it once the walk returned 0. */
bool sr_jscan_finish(sr_jscan *s);

/* True when the span holds exactly the NUL-free C string `lit`. */
bool sr_jscan_is(sr_span text, const char *lit);

#endif
