/* sr_cursor: the message cursor a server sends as "C" and a client echoes as messageId
 * (wire reference sec. 6.2): [d-<HEX>- | s-] key,hexid|key,hexid...
 *
 * sr_cursor_parse() fills a caller-provided sr_cursor that owns its entry keys; free it with
 * sr_cursor_clear() after every parse, whatever it returned.
 */
#ifndef LIFELINE_PROTOCOL_SR_CURSOR_H
#define LIFELINE_PROTOCOL_SR_CURSOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocol/sr_status.h"
#include "protocol/sr_text.h"

typedef enum {
    SR_CURSOR_PREFIX_NONE = 0, /* 1.0.x/1.1.x: entries only */
    SR_CURSOR_PREFIX_D,        /* in-memory bus: d-<1-8 hex digits>- (changes on AppDomain restart) */
    SR_CURSOR_PREFIX_S         /* scale-out bus: s- */
} sr_cursor_prefix;

typedef struct {
    sr_string key; /* topic key with backslash escapes removed */
    uint64_t id;   /* message id, hexadecimal on the wire */
} sr_cursor_entry;

typedef struct {
    sr_cursor_prefix prefix;
    uint32_t prefix_id; /* the d- hex value; 0 for other prefixes */
    sr_cursor_entry *entries;
    size_t count;
} sr_cursor;

/* Parses len bytes of cursor text. Errors are SR_ERR_BAD_CURSOR with err->offset at the first
 * byte that breaks the grammar. Linear in len; no cap on the number of entries. */
sr_status sr_cursor_parse(const char *bytes, size_t len, sr_cursor *out, sr_error *err);

/* Frees the entries and zeroes the cursor. */
void sr_cursor_clear(sr_cursor *cursor);

/* The prefix text of a cursor ("d-6A1F30C2-" or "s-") as a span into bytes, without parsing
 * the entries; an absent span when the cursor has no well-formed prefix. Cheap enough to key
 * server-instance changes on every response. */
sr_span sr_cursor_prefix_text(const char *bytes, size_t len);

/* True when both cursors come from the same message bus instance (same prefix kind and d- id):
 * a different d- prefix means a server restart or a different server (sec. 6.2). */
bool sr_cursor_same_origin(const sr_cursor *a, const sr_cursor *b);

#endif
