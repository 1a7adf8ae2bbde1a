/*
 * wirestate/flow_table.h - the connection table.
 *
 * Finds a connection by its canonical key in O(1) on the common path. A
 * connection leaves the table by _remove(), which hands it back to the
 * caller; _all() lists what is held, in id (first-seen) order.
 */
#ifndef WIRESTATE_FLOW_TABLE_H
#define WIRESTATE_FLOW_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wirestate/conn.h"
#include "wirestate/flow.h"

struct wst_flow_table;

/* Memory held by a table, for the benchmark's per-connection figure. */
struct wst_flow_table_mem {
    size_t index_bytes; /* the Judy array of the index */
    size_t filter_bytes; /* the counts in front of it: fixed, once anything is indexed */
    size_t pool_bytes;  /* slab chunks, used or free */
    size_t conn_bytes;  /* connection objects handed out */
    size_t conns;       /* connections held */
};

/*
 * Creates an empty table. `seed` seeds the key hash. What separates
 * connections beyond their 4-tuple is the keys' zone (flow.h). Never
 * returns NULL (aborts on out-of-memory).
 */
struct wst_flow_table *wst_flow_table_new(uint64_t seed);

/* Frees the table and every connection it still holds (whose extensions'
 * timelines and notes the owner has freed); NULL is allowed. */
void wst_flow_table_free(struct wst_flow_table *t);

/* A key hash; wst_flow_key_hash() unless a test installs another. */
typedef uint64_t wst_flow_hash_fn(const struct wst_flow_key *key, uint64_t seed);

/*
 * Replaces the key hash of an empty table (tests use a weak hash to force
 * collisions). Must be called before the first _create().
 */
void wst_flow_table_set_hash(struct wst_flow_table *t, wst_flow_hash_fn *fn);

/* The hash the table uses for `key`: pass it to _get and _create. */
uint64_t wst_flow_table_hash(const struct wst_flow_table *t, const struct wst_flow_key *key);

/* Starts loading the cache set of `hash` (a hint; no effect on results). */
static inline void wst_flow_table_prefetch_slot(const struct wst_flow_table *t, uint64_t hash);

/* Starts loading the cached connection whose tag matches `hash`, if any. */
static inline void wst_flow_table_prefetch_conn(const struct wst_flow_table *t, uint64_t hash);

/* The connection held under `key`, borrowed; NULL if none. */
struct wst_conn *wst_flow_table_get(struct wst_flow_table *t, const struct wst_flow_key *key, uint64_t hash);

/*
 * Creates a connection for `key` (which must not have one held) with id
 * `id` (unique: the sequence number of its first packet, item.h),
 * its displayed VLANs taken from `seg`, and returns it borrowed: the table
 * owns it.
 */
struct wst_conn *wst_flow_table_create(struct wst_flow_table *t, const struct wst_flow_key *key,
                                       uint64_t hash, const struct wst_segment *seg, uint64_t id);

/*
 * The connection held under `key`, or a new one as _create() would make
 * it; *created tells which. One walk of the index instead of a failed
 * lookup followed by an insert, for the packet path. Borrowed result.
 */
struct wst_conn *wst_flow_table_find_or_create(struct wst_flow_table *t, const struct wst_flow_key *key,
                                               uint64_t hash, const struct wst_segment *seg, uint64_t id,
                                               bool *created);

/*
 * Unlinks c from the table: it is no longer found by its key, and the
 * caller owns it (a new connection may take its 4-tuple at once). Give it
 * back with _release().
 */
void wst_flow_table_remove(struct wst_flow_table *t, struct wst_conn *c);

/* Frees a connection returned by _remove() (its extension emptied first, conn.h). */
void wst_flow_table_release(struct wst_flow_table *t, struct wst_conn *c);

/*
 * Every connection the table holds, borrowed, sorted by id, in an array the
 * caller frees; *n its length. O(n log n): for the end of a capture and
 * for snapshots, not the packet path.
 */
struct wst_conn **wst_flow_table_all(struct wst_flow_table *t, size_t *n);

/*
 * Frees every connection held at once, without unlinking each (the end of
 * a capture): their extensions must have been freed and cleared first.
 */
void wst_flow_table_clear(struct wst_flow_table *t);

/* Number of connections held (findable by key). */
size_t wst_flow_table_held(const struct wst_flow_table *t);

void wst_flow_table_mem(const struct wst_flow_table *t, struct wst_flow_table_mem *out);

/* ---- the cache in front of the index; public only so the hints inline */

/*
 * 4-way set-associative: a set is one 64-byte cache line holding four
 * connections and the upper 32 bits of their hashes as tags, so a lookup
 * loads one line and dereferences only a connection whose tag matches.
 */
#define WST_FLOW_CACHE_WAYS 4
#define WST_FLOW_CACHE_SET_BITS 13
#define WST_FLOW_CACHE_SETS ((size_t)1 << WST_FLOW_CACHE_SET_BITS)

struct wst_flow_cache_set {
    _Alignas(64) uint32_t tag[WST_FLOW_CACHE_WAYS];
    struct wst_conn *conn[WST_FLOW_CACHE_WAYS];
    uint32_t victim; /* next way to replace (round robin) */
};

/* The first member of struct wst_flow_table (private otherwise). */
struct wst_flow_cache {
    struct wst_flow_cache_set set[WST_FLOW_CACHE_SETS];
};

static inline const struct wst_flow_cache_set *wst_flow_cache_set_of(const struct wst_flow_table *t,
                                                                   uint64_t hash)
{
    const struct wst_flow_cache *cache = (const struct wst_flow_cache *)(const void *)t;
    return &cache->set[hash & (WST_FLOW_CACHE_SETS - 1)];
}

static inline uint32_t wst_flow_cache_tag(uint64_t hash)
{
    return (uint32_t)(hash >> 32);
}

static inline void wst_flow_table_prefetch_slot(const struct wst_flow_table *t, uint64_t hash)
{
    __builtin_prefetch(wst_flow_cache_set_of(t, hash));
}

static inline void wst_flow_table_prefetch_conn(const struct wst_flow_table *t, uint64_t hash)
{
    const struct wst_flow_cache_set *set = wst_flow_cache_set_of(t, hash);
    uint32_t tag = wst_flow_cache_tag(hash);
    for (int w = 0; w < WST_FLOW_CACHE_WAYS; w++) {
        if (set->tag[w] == tag && set->conn[w]) {
            /* A record (120 or 144 bytes, 8-byte aligned) spans up to three lines. */
            const char *c = (const char *)set->conn[w];
            __builtin_prefetch(c);
            __builtin_prefetch(c + 64);
            __builtin_prefetch(c + 128);
            return;
        }
    }
}

#endif
