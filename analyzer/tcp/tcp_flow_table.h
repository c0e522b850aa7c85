/* tcp_flow_table.h - hash table from connection key to connection, growing with the number of
 * live connections (open addressing, linear probing, load kept under 1/2).
 *
 * The table stores pointers to keys that live inside the caller's records (the key is the first
 * member of the record, so the caller converts back); it never frees them. The table owns its
 * slot array; tcp_flow_table_free() releases it.
 */
#ifndef LIFELINE_TCP_FLOW_TABLE_H
#define LIFELINE_TCP_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tcp/tcp_flow_key.h"

typedef struct tcp_flow_slot {
    const tcp_flow_key *key; /* NULL: empty */
    uint32_t hash;
} tcp_flow_slot;

typedef struct tcp_flow_table {
    tcp_flow_slot *slots;
    size_t mask; /* slot count - 1 (a power of two) */
    size_t count;
} tcp_flow_table;

/* False on out of memory. */
bool tcp_flow_table_init(tcp_flow_table *t);

/* The stored key of the connection a segment with `ends` belongs to, or NULL; `*sender` gets
 * the side of that key that sent the segment. `hash` is tcp_flow_ends_hash(ends). Inline:
 * done for most packets. */
static inline const tcp_flow_key *tcp_flow_table_find(const tcp_flow_table *t,
                                                      const tcp_flow_ends *ends, uint32_t hash,
                                                      unsigned *sender)
{
    for (size_t i = hash & t->mask;; i = (i + 1) & t->mask) {
        const tcp_flow_slot *s = &t->slots[i];
        if (!s->key)
            return NULL;
        int side = s->hash == hash ? tcp_flow_key_sender(s->key, ends) : -1;
        if (side >= 0) {
            *sender = (unsigned)side;
            return s->key;
        }
    }
}

/* Stores `key` (not already present). False on out of memory, nothing stored. */
bool tcp_flow_table_insert(tcp_flow_table *t, const tcp_flow_key *key, uint32_t hash);

/* Removes the entry whose stored key pointer is `key`, if present. */
void tcp_flow_table_remove(tcp_flow_table *t, const tcp_flow_key *key);

void tcp_flow_table_free(tcp_flow_table *t);

#endif
