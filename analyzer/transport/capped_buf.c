/* capped_buf.c - bounded growable byte buffer. */
#include "transport/capped_buf.h"

#include <stdlib.h>
#include <string.h>

/* First allocation: small, most SignalR messages are a few hundred bytes. */
#define CAPPED_BUF_INITIAL 256

void capped_buf_init(capped_buf *b, size_t max)
{
    *b = (capped_buf){.max = max};
}

static bool reserve(capped_buf *b, size_t need)
{
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : CAPPED_BUF_INITIAL;
    while (cap < need)
        cap *= 2;
    if (cap > b->max)
        cap = b->max;
    uint8_t *p = realloc(b->data, cap ? cap : 1);
    if (!p)
        return false;
    b->data = p;
    b->cap = cap;
    return true;
}

bool capped_buf_append(capped_buf *b, const uint8_t *bytes, size_t n)
{
    size_t room = b->max - b->len;
    size_t take = n < room ? n : room;
    if (take < n)
        b->truncated = true;
    if (take == 0)
        return true;
    if (!reserve(b, b->len + take)) {
        b->truncated = true;
        return false;
    }
    memcpy(b->data + b->len, bytes, take);
    b->len += take;
    return true;
}

void capped_buf_clear(capped_buf *b)
{
    b->len = 0;
    b->truncated = false;
}

void capped_buf_free(capped_buf *b)
{
    free(b->data);
    *b = (capped_buf){.max = b->max};
}
