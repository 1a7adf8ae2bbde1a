/*
 * wirestate/wordmap.h - a map from 64-bit keys to 64-bit values, for the
 * findings' per-endpoint records.
 *
 * The findings look up the server endpoint of every connection and the
 * host of every TIME_WAIT; most of those keys are new (one per client
 * address), and a JudyL insert of a new random key costs about 700
 * instructions. Open addressing with linear probing costs a hash and one
 * or two probes. The keys come from packets, so the hash is keyed by a
 * seed the sender cannot know (a crafted set of addresses must not make
 * every key probe the same cluster). Keys that differ only in their four
 * low bits (neighbouring addresses) get neighbouring slots, so keys met in
 * address order, as clients of one subnet often are, share cache lines;
 * runs of sixteen are placed by the seeded hash.
 *
 * Invariants: n <= cap * 7 / 10; cap is 0 or a power of two; a key is in
 * the run of occupied slots starting at its home slot. Values start at 0.
 */
#ifndef WIRESTATE_WORDMAP_H
#define WIRESTATE_WORDMAP_H

#include <stddef.h>
#include <stdint.h>

/* The one key a map cannot hold: it marks an empty slot. */
#define WST_WORDMAP_EMPTY UINT64_MAX

struct wst_wordmap {
    struct wst_wordmap_slot {
        uint64_t key;            /* the key inverted (~key); 0: free (wordmap.c) */
        uint64_t value;
    } *slots;
    size_t cap, n;
    uint64_t seed;
};

/* An empty map hashing with `seed`. Allocates nothing yet. */
void wst_wordmap_init(struct wst_wordmap *m, uint64_t seed);

/*
 * The value of `key` (not WST_WORDMAP_EMPTY), added as 0 if it was not
 * there; valid until the next call. Aborts on out-of-memory (alloc.h).
 */
uint64_t *wst_wordmap_slot(struct wst_wordmap *m, uint64_t key);

/* The value of `key`, or NULL if it is not there. */
uint64_t *wst_wordmap_find(const struct wst_wordmap *m, uint64_t key);

/* Bytes held. */
size_t wst_wordmap_bytes(const struct wst_wordmap *m);

/* Frees what the map holds; it is then empty, as after init. */
void wst_wordmap_fini(struct wst_wordmap *m);

#endif
