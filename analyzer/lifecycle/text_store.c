/* Block storage for short texts. */
#include "lifecycle/text_store.h"

#include <glib.h>
#include <string.h>

/* The first block of a connection: room for a few dozen details, about what a short or a
 * summarised long connection holds. Later blocks double, up to LF_TEXT_BLOCK_MAX. */
#define LF_TEXT_BLOCK_MIN 512
/* Past this, blocks stop doubling: a connection with thousands of entries grows by steps of
 * this size, never wasting more than one partly filled block. */
#define LF_TEXT_BLOCK_MAX 16384
/* Garbage below this is never worth a rebuild. */
#define LF_TEXT_GARBAGE_MIN 4096

struct lf_text_block {
    lf_text_block *next;
    size_t used, size;
    char bytes[];
};

static lf_text_block *new_block(lf_text_store *s, size_t need)
{
    size_t size = s->blocks != NULL ? 2 * s->blocks->size : LF_TEXT_BLOCK_MIN;
    if (size > LF_TEXT_BLOCK_MAX) {
        size = LF_TEXT_BLOCK_MAX;
    }
    if (size < need) {
        size = need;
    }
    lf_text_block *b = g_malloc(sizeof *b + size);
    b->next = s->blocks;
    b->used = 0;
    b->size = size;
    s->blocks = b;
    return b;
}

char *lf_text_store_put(lf_text_store *s, const char *bytes, size_t len)
{
    size_t need = len + 1;
    lf_text_block *b = s->blocks;
    if (b == NULL || b->size - b->used < need) {
        b = new_block(s, need);
    }
    char *out = b->bytes + b->used;
    if (len > 0) {
        memcpy(out, bytes, len);
    }
    out[len] = '\0';
    b->used += need;
    s->live += need;
    return out;
}

void lf_text_store_drop(lf_text_store *s, const char *text)
{
    size_t n = strlen(text) + 1;
    s->live -= n < s->live ? n : s->live;
    s->garbage += n;
}

bool lf_text_store_wasteful(const lf_text_store *s)
{
    return s->garbage > LF_TEXT_GARBAGE_MIN && s->garbage > s->live;
}

void lf_text_store_clear(lf_text_store *s)
{
    lf_text_block *b = s->blocks;
    while (b != NULL) {
        lf_text_block *next = b->next;
        g_free(b);
        b = next;
    }
    memset(s, 0, sizeof *s);
}
