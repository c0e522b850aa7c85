/* Open-addressing token table. */
#include "lifecycle/token_table.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

/* Slots allocated by the first insert: a capture usually holds a handful of connections. */
#define LF_TOKEN_TABLE_MIN_SLOTS 64

void lf_token_table_init(lf_token_table *t)
{
    memset(t, 0, sizeof *t);
    /* The table's own address differs from run to run (ASLR) and costs nothing to read. */
    t->seed = (uint64_t)(uintptr_t)t * 0x9e3779b97f4a7c15u;
}

void lf_token_table_free(lf_token_table *t)
{
    g_free(t->slots);
    t->slots = NULL;
    t->mask = 0;
    t->count = 0;
}

/* Eight bytes a step (tokens are about a hundred bytes and every event is hashed), each mixed
 * in with a multiply and a shift, the tail byte by byte, then a full avalanche so that the low
 * bits used for the slot depend on every byte. */
uint64_t lf_token_table_hash(const lf_token_table *t, const char *key, size_t len)
{
    uint64_t h = t->seed ^ 0x9e3779b97f4a7c15u ^ len;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t word;
        memcpy(&word, key + i, sizeof word);
        h = (h ^ word) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    for (; i < len; i++) {
        h = (h ^ (unsigned char)key[i]) * 0x100000001b3u;
    }
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return h;
}

static bool slot_holds(const lf_token_slot *s, const char *key, size_t len, uint64_t hash)
{
    return s->hash == hash && s->len == len && memcmp(s->key, key, len) == 0;
}

void *lf_token_table_find(const lf_token_table *t, const char *key, size_t len, uint64_t hash)
{
    if (t->slots == NULL) {
        return NULL;
    }
    for (size_t i = (size_t)hash & t->mask;; i = (i + 1) & t->mask) {
        const lf_token_slot *s = &t->slots[i];
        if (s->key == NULL) {
            return NULL;
        }
        if (slot_holds(s, key, len, hash)) {
            return s->value;
        }
    }
}

static void place(lf_token_table *t, const lf_token_slot *entry)
{
    size_t i = (size_t)entry->hash & t->mask;
    while (t->slots[i].key != NULL) {
        i = (i + 1) & t->mask;
    }
    t->slots[i] = *entry;
}

/* Keeps the load at or below one half, so that probes stay short. */
static void grow_if_needed(lf_token_table *t)
{
    size_t slots = t->slots != NULL ? t->mask + 1 : 0;
    if (2 * (t->count + 1) <= slots) {
        return;
    }
    size_t next = slots == 0 ? LF_TOKEN_TABLE_MIN_SLOTS : 2 * slots;
    lf_token_slot *old = t->slots;
    t->slots = g_new0(lf_token_slot, next);
    t->mask = next - 1;
    for (size_t i = 0; i < slots; i++) {
        if (old[i].key != NULL) {
            place(t, &old[i]);
        }
    }
    g_free(old);
}

void lf_token_table_insert(lf_token_table *t, const char *key, size_t len, uint64_t hash,
                           void *value)
{
    grow_if_needed(t);
    lf_token_slot entry = {.hash = hash, .key = key, .len = len, .value = value};
    place(t, &entry);
    t->count++;
}

/* May the entry in slot `at`, whose home slot is `home`, move back into the hole at `hole`?
 * Only when the hole lies on its probe path, i.e. cyclically within [home, at). */
static bool may_fill(size_t home, size_t hole, size_t at, size_t mask)
{
    return ((hole - home) & mask) < ((at - home) & mask);
}

void lf_token_table_remove(lf_token_table *t, const char *key, size_t len, uint64_t hash)
{
    if (t->slots == NULL) {
        return;
    }
    size_t hole = (size_t)hash & t->mask;
    for (;; hole = (hole + 1) & t->mask) {
        if (t->slots[hole].key == NULL) {
            return;
        }
        if (slot_holds(&t->slots[hole], key, len, hash)) {
            break;
        }
    }
    /* Backward shift: later entries of the same probe run move into the hole, so lookups never
     * need tombstones. */
    for (size_t i = (hole + 1) & t->mask; t->slots[i].key != NULL; i = (i + 1) & t->mask) {
        size_t home = (size_t)t->slots[i].hash & t->mask;
        if (may_fill(home, hole, i, t->mask)) {
            t->slots[hole] = t->slots[i];
            hole = i;
        }
    }
    memset(&t->slots[hole], 0, sizeof t->slots[hole]);
    t->count--;
}
