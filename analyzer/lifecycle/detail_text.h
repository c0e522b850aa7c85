/* detail_text.h - building a timeline entry's detail text on the stack.
 *
 * Details ("chathub.Send I 3", a cursor and its flags) are pieces of capture bytes joined with
 * short literals. Each piece is taken like printf's "%.*s" takes it: up to its length or its
 * first NUL byte, whichever comes first, so hostile bytes cannot smuggle a terminator into the
 * middle of a detail. The result is handed to lf_record_set_detail(), which copies it; nothing
 * here is allocated or needs freeing.
 */
#ifndef LIFELINE_LIFECYCLE_DETAIL_TEXT_H
#define LIFELINE_LIFECYCLE_DETAIL_TEXT_H

#include <stddef.h>

/* Callers cap each piece (cursors at 200 bytes, names at 64, ids at 24), so a detail stays
 * well under this; anything beyond it is cut. */
#define LF_DETAIL_TEXT_MAX 512

typedef struct lf_detail_text {
    char bytes[LF_DETAIL_TEXT_MAX];
    size_t len;
} lf_detail_text;

void lf_detail_text_init(lf_detail_text *d);

/* Appends up to `len` bytes of `bytes`, stopping at a NUL byte; `bytes` may be NULL when
 * `len` is 0. */
void lf_detail_text_add(lf_detail_text *d, const char *bytes, size_t len);

/* Appends a NUL-terminated literal. */
void lf_detail_text_add_str(lf_detail_text *d, const char *s);

#endif
