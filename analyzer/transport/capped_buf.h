/* capped_buf.h - a growable byte buffer that never grows past a fixed limit.
 *
 * Appends beyond the limit are dropped and remembered as `truncated`, so hostile input costs at
 * most `max` bytes of memory per buffer. The buffer owns `data`; capped_buf_free() releases it.
 */
#ifndef LIFELINE_CAPPED_BUF_H
#define LIFELINE_CAPPED_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct capped_buf {
    uint8_t *data;
    size_t len, cap, max;
    bool truncated;
} capped_buf;

void capped_buf_init(capped_buf *b, size_t max);
/* Appends what fits; returns false only when memory ran out (the buffer is then truncated). */
bool capped_buf_append(capped_buf *b, const uint8_t *bytes, size_t n);
/* Empties the buffer, keeping its memory for the next message. */
void capped_buf_clear(capped_buf *b);
void capped_buf_free(capped_buf *b);

#endif
