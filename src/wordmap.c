/*
 * wordmap.c - open addressing with linear probing (wordmap.h), grown at
 * 70 % load by rehashing into twice the slots.
 */
#include "wirestate/wordmap.h"

#include <stdlib.h>

#include "alloc.h"

/* A seeded mix of the key (the finalizer of splitmix64 after the seed). */
static inline uint64_t mix(uint64_t key, uint64_t seed)
{
    uint64_t x = key ^ seed;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/*
 * A key's home slot. Keys that differ only in their low RUN_BITS bits
 * (neighbouring addresses: clients of one subnet, a NAT pool's ports) get
 * neighbouring homes, so keys met in order are looked up in the same
 * cache lines instead of one random line each; runs as a whole are
 * placed by the seeded mix, so a sender still cannot steer keys from
 * different runs into one cluster, and at most 2^RUN_BITS keys share a
 * run by construction.
 */
#define RUN_BITS 4

static inline size_t home(uint64_t key, uint64_t seed, size_t mask)
{
    return (size_t)(mix(key >> RUN_BITS, seed) << RUN_BITS | (key & ((1u << RUN_BITS) - 1))) & mask;
}

void wst_wordmap_init(struct wst_wordmap *m, uint64_t seed)
{
    m->slots = NULL;
    m->cap = m->n = 0;
    m->seed = seed;
}

/*
 * Slots hold the key inverted (~key): an empty slot is all zeros, so a
 * new table comes zeroed from the allocator (fresh pages from the kernel
 * for a large one) instead of being written over once before use.
 */
static struct wst_wordmap_slot *alloc_slots(size_t cap)
{
    return wst_xcalloc(cap, sizeof(struct wst_wordmap_slot));
}

static void grow(struct wst_wordmap *m)
{
    size_t cap = m->cap ? 2 * m->cap : 1024;
    struct wst_wordmap_slot *slots = alloc_slots(cap);
    for (size_t i = 0; i < m->cap; i++) {
        const struct wst_wordmap_slot *old = &m->slots[i];
        if (old->key == 0)
            continue;
        size_t j = home(~old->key, m->seed, cap - 1);
        while (slots[j].key != 0)
            j = (j + 1) & (cap - 1);
        slots[j] = *old;
    }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
}

uint64_t *wst_wordmap_slot(struct wst_wordmap *m, uint64_t key)
{
    if ((m->n + 1) * 10 > m->cap * 7)
        grow(m);
    uint64_t stored = ~key;
    size_t mask = m->cap - 1, j = home(key, m->seed, mask);
    for (;; j = (j + 1) & mask) {
        struct wst_wordmap_slot *s = &m->slots[j];
        if (s->key == stored)
            return &s->value;
        if (s->key == 0) {
            s->key = stored;
            s->value = 0;
            m->n++;
            return &s->value;
        }
    }
}

uint64_t *wst_wordmap_find(const struct wst_wordmap *m, uint64_t key)
{
    if (m->cap == 0)
        return NULL;
    uint64_t stored = ~key;
    size_t mask = m->cap - 1, j = home(key, m->seed, mask);
    for (;; j = (j + 1) & mask) {
        struct wst_wordmap_slot *s = &m->slots[j];
        if (s->key == stored)
            return &s->value;
        if (s->key == 0)
            return NULL;
    }
}

size_t wst_wordmap_bytes(const struct wst_wordmap *m)
{
    return m->cap * sizeof *m->slots;
}

void wst_wordmap_fini(struct wst_wordmap *m)
{
    free(m->slots);
    wst_wordmap_init(m, m->seed);
}
