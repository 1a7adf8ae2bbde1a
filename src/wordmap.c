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

void wst_wordmap_init(struct wst_wordmap *m, uint64_t seed)
{
    m->slots = NULL;
    m->cap = m->n = 0;
    m->seed = seed;
}

static struct wst_wordmap_slot *alloc_slots(size_t cap)
{
    struct wst_wordmap_slot *s = wst_xcalloc(cap, sizeof *s);
    for (size_t i = 0; i < cap; i++)
        s[i].key = WST_WORDMAP_EMPTY;
    return s;
}

static void grow(struct wst_wordmap *m)
{
    size_t cap = m->cap ? 2 * m->cap : 1024;
    struct wst_wordmap_slot *slots = alloc_slots(cap);
    for (size_t i = 0; i < m->cap; i++) {
        const struct wst_wordmap_slot *old = &m->slots[i];
        if (old->key == WST_WORDMAP_EMPTY)
            continue;
        size_t j = (size_t)mix(old->key, m->seed) & (cap - 1);
        while (slots[j].key != WST_WORDMAP_EMPTY)
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
    size_t mask = m->cap - 1, j = (size_t)mix(key, m->seed) & mask;
    for (;; j = (j + 1) & mask) {
        struct wst_wordmap_slot *s = &m->slots[j];
        if (s->key == key)
            return &s->value;
        if (s->key == WST_WORDMAP_EMPTY) {
            s->key = key;
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
    size_t mask = m->cap - 1, j = (size_t)mix(key, m->seed) & mask;
    for (;; j = (j + 1) & mask) {
        struct wst_wordmap_slot *s = &m->slots[j];
        if (s->key == key)
            return &s->value;
        if (s->key == WST_WORDMAP_EMPTY)
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
