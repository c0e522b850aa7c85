/* token_table.h - finding a connection by its token bytes, once per SignalR event.
 *
 * An open-addressing table (linear probing, backward-shift removal) of (64-bit hash, key bytes,
 * value). Each slot keeps the full hash and the key length, so a probe touches one small array
 * and compares key bytes only when both match: every event is looked up, and a table of
 * glib-style separate arrays plus a key struct per entry costs several cache misses each time.
 *
 * Ownership: the table borrows the key bytes and the values; whoever inserted a key keeps its
 * bytes alive and unchanged until lf_token_table_remove() or lf_token_table_free(). The table
 * owns only its slot array.
 */
#ifndef LIFELINE_LIFECYCLE_TOKEN_TABLE_H
#define LIFELINE_LIFECYCLE_TOKEN_TABLE_H

#include <stddef.h>
#include <stdint.h>

typedef struct lf_token_slot {
    uint64_t hash;
    const char *key; /* NULL: an empty slot */
    size_t len;
    void *value;
} lf_token_slot;

typedef struct lf_token_table {
    lf_token_slot *slots;
    size_t mask; /* slot count - 1 (a power of two) */
    size_t count;
    uint64_t seed; /* varies per table so that colliding tokens cannot be prepared in advance */
} lf_token_table;

void lf_token_table_init(lf_token_table *t);
void lf_token_table_free(lf_token_table *t);

/* The hash lookups and inserts use for `len` bytes at `key`. */
uint64_t lf_token_table_hash(const lf_token_table *t, const char *key, size_t len);

/* The value stored under the key, or NULL. `hash` is lf_token_table_hash() of the key. */
void *lf_token_table_find(const lf_token_table *t, const char *key, size_t len, uint64_t hash);

/* Stores value under a key not in the table yet (the bytes are borrowed, see above). */
void lf_token_table_insert(lf_token_table *t, const char *key, size_t len, uint64_t hash,
                           void *value);

/* Forgets the key (hashed as for the other calls); nothing happens when it is absent. */
void lf_token_table_remove(lf_token_table *t, const char *key, size_t len, uint64_t hash);

#endif
