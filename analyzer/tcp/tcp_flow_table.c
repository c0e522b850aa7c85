/* tcp_flow_table.c - open addressing with linear probing and backward-shift deletion (no
 * tombstones, so lookups stay short however many connections come and go). */
#include "tcp/tcp_flow_table.h"

#include <stdlib.h>

/* Slots allocated up front; enough for small captures without any regrowth. */
#define INITIAL_SLOTS 256

bool tcp_flow_table_init(tcp_flow_table *t)
{
    t->slots = calloc(INITIAL_SLOTS, sizeof *t->slots);
    t->mask = INITIAL_SLOTS - 1;
    t->count = 0;
    return t->slots != NULL;
}

static void place(tcp_flow_slot *slots, size_t mask, tcp_flow_slot entry)
{
    size_t i = entry.hash & mask;
    while (slots[i].key)
        i = (i + 1) & mask;
    slots[i] = entry;
}

static bool grow(tcp_flow_table *t)
{
    size_t n = (t->mask + 1) * 2;
    tcp_flow_slot *slots = calloc(n, sizeof *slots);
    if (!slots)
        return false;
    for (size_t i = 0; i <= t->mask; i++)
        if (t->slots[i].key)
            place(slots, n - 1, t->slots[i]);
    free(t->slots);
    t->slots = slots;
    t->mask = n - 1;
    return true;
}

bool tcp_flow_table_insert(tcp_flow_table *t, const tcp_flow_key *key, uint32_t hash)
{
    if ((t->count + 1) * 2 > t->mask + 1 && !grow(t))
        return false;
    place(t->slots, t->mask, (tcp_flow_slot){.key = key, .hash = hash});
    t->count++;
    return true;
}

void tcp_flow_table_remove(tcp_flow_table *t, const tcp_flow_key *key)
{
    size_t i = tcp_flow_key_hash(key) & t->mask;
    while (t->slots[i].key != key) {
        if (!t->slots[i].key)
            return;
        i = (i + 1) & t->mask;
    }
    /* Shift later members of the probe run back so no lookup meets a false empty slot. */
    for (size_t j = (i + 1) & t->mask; t->slots[j].key; j = (j + 1) & t->mask) {
        size_t home = t->slots[j].hash & t->mask;
        bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!between) {
            t->slots[i] = t->slots[j];
            i = j;
        }
    }
    t->slots[i] = (tcp_flow_slot){0};
    t->count--;
}

void tcp_flow_table_free(tcp_flow_table *t)
{
    free(t->slots);
    t->slots = NULL;
    t->count = 0;
}
