/* text_store.h - the storage behind a connection's timeline details.
 *
 * A connection's entries each carry a short detail ("chathub.Send I 3", a cursor); allocating
 * each on its own costs a malloc and a free per entry and a heap header per string. The store
 * hands out NUL-terminated copies carved from a few blocks it owns instead. Texts are never
 * freed one by one: a replaced text is counted as garbage, and the owner rebuilds the store
 * (copying the live texts into a fresh one) once garbage outweighs them, so memory follows the
 * live texts, not the number of replacements.
 *
 * Ownership: the store owns its blocks; lf_text_store_clear() frees them, invalidating every
 * text it handed out. A zeroed store is an empty one.
 */
#ifndef LIFELINE_LIFECYCLE_TEXT_STORE_H
#define LIFELINE_LIFECYCLE_TEXT_STORE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct lf_text_block lf_text_block;

typedef struct lf_text_store {
    lf_text_block *blocks; /* newest first; texts are carved from the newest */
    size_t live;           /* bytes (with their NULs) of the texts still in use */
    size_t garbage;        /* bytes of texts given back with lf_text_store_drop() */
} lf_text_store;

/* A copy of len bytes plus a NUL, writable by the caller until the store is cleared. */
char *lf_text_store_put(lf_text_store *s, const char *bytes, size_t len);

/* The text (from this store) is no longer used. */
void lf_text_store_drop(lf_text_store *s, const char *text);

/* Is enough of the store garbage that its owner should rebuild it? */
bool lf_text_store_wasteful(const lf_text_store *s);

void lf_text_store_clear(lf_text_store *s);

#endif
