/*
 * flow_table.c - the connection table on libjudy.
 *
 * Model: two JudyL arrays and a cache.
 *   by_hash  64-bit key hash -> live connection. Distinct keys with equal
 *            hashes (rare: the hash is 64 bits and seeded) are resolved by
 *            linear probing in the index space: a key lives at the first
 *            free index at or after its hash.
 *   by_id    connection id -> connection, live or retired: first-seen order
 *            for emission, and the order of sweeps over the table.
 *   cache    a direct-mapped array of recently used connections, indexed by
 *            the low bits of the hash, checked before by_hash. Most packets
 *            belong to a connection seen a moment ago; the cache turns their
 *            lookup into one load and one key comparison.
 * Only this file touches Judy.
 *
 * Invariants (checked by flow_table_check() in debug builds):
 *  1. Every live connection is in by_hash exactly once, at an index i such
 *     that every index in [hash, i] is occupied (the probing invariant).
 *  2. Every connection, live or retired, is in by_id under its id.
 *  3. A cache slot is NULL or points to a live connection.
 *  4. live == number of entries in by_hash.
 */
#include "wirestate/flow_table.h"

#include <Judy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_BITS 16
#define CACHE_SIZE ((size_t)1 << CACHE_BITS)
#define CACHE_MASK (CACHE_SIZE - 1)

struct wst_flow_table {
    Pvoid_t by_hash;
    Pvoid_t by_id;
    uint64_t seed;
    wst_flow_hash_fn *hash;
    uint64_t next_id;
    size_t live;
    bool vlan_keyed;
    struct wst_conn_pool pool;
    struct wst_conn *cache[CACHE_SIZE];
};

/* Judy reports allocation failure as an error; we share its policy (conn.h). */
static void judy_fail(const char *op)
{
    fprintf(stderr, "wirestate: out of memory (%s)\n", op);
    exit(1);
}

static PWord_t judy_ins(Pvoid_t *array, Word_t index)
{
    PWord_t pv = (PWord_t)JudyLIns(array, index, PJE0);
    if (pv == PJERR)
        judy_fail("JudyLIns");
    return pv;
}

static struct wst_conn *judy_get(Pvoid_t array, Word_t index)
{
    PWord_t pv = (PWord_t)JudyLGet(array, index, PJE0);
    return pv ? (struct wst_conn *)*pv : NULL;
}

static void judy_del(Pvoid_t *array, Word_t index)
{
    if (JudyLDel(array, index, PJE0) == JERR)
        judy_fail("JudyLDel");
}

#ifndef NDEBUG
static void flow_table_check(const struct wst_flow_table *t)
{
    size_t n = 0;
    Word_t i = 0;
    for (PWord_t pv = (PWord_t)JudyLFirst(t->by_hash, &i, PJE0); pv;
         pv = (PWord_t)JudyLNext(t->by_hash, &i, PJE0)) {
        const struct wst_conn *c = (const struct wst_conn *)*pv;
        struct wst_flow_key key;
        wst_conn_key(c, &key, t->vlan_keyed);
        for (Word_t j = t->hash(&key, t->seed); j != i; j++) {
            if (!judy_get(t->by_hash, j)) {
                fprintf(stderr, "flow_table: probe chain of conn %llu broken\n", (unsigned long long)c->id);
                abort();
            }
        }
        if (c->flags & WST_CONN_RETIRED || judy_get(t->by_id, c->id) != c)
            abort();
        n++;
    }
    if (n != t->live)
        abort();
    static unsigned long calls;
    if (++calls % 64 != 0)
        return; /* the cache scan is the costly part: sample it */
    for (size_t s = 0; s < CACHE_SIZE; s++) {
        if (t->cache[s] && (t->cache[s]->flags & WST_CONN_RETIRED))
            abort();
    }
}
/* With WST_CHECK_TABLE set (the tests set it): after every change while the
 * table is small, then every 4096th change, as a full check is O(n). */
static void maybe_check(struct wst_flow_table *t)
{
    static int enabled = -1;
    static unsigned long changes;
    if (enabled < 0)
        enabled = getenv("WST_CHECK_TABLE") != NULL;
    if (enabled && (t->live <= 512 || ++changes % 4096 == 0))
        flow_table_check(t);
}
#define CHECK(t) maybe_check(t)
#else
#define CHECK(t) ((void)0)
#endif

struct wst_flow_table *wst_flow_table_new(bool vlan_keyed, uint64_t seed)
{
    struct wst_flow_table *t = wst_xcalloc(1, sizeof *t);
    t->vlan_keyed = vlan_keyed;
    t->seed = seed;
    t->hash = wst_flow_key_hash;
    wst_conn_pool_init(&t->pool);
    return t;
}

void wst_flow_table_free(struct wst_flow_table *t)
{
    if (t == NULL)
        return;
    JudyLFreeArray(&t->by_hash, PJE0);
    JudyLFreeArray(&t->by_id, PJE0);
    wst_conn_pool_fini(&t->pool);
    free(t);
}

void wst_flow_table_set_hash(struct wst_flow_table *t, wst_flow_hash_fn *fn)
{
    t->hash = fn;
}

uint64_t wst_flow_table_hash(const struct wst_flow_table *t, const struct wst_flow_key *key)
{
    return t->hash(key, t->seed);
}

struct wst_conn *wst_flow_table_get(struct wst_flow_table *t, const struct wst_flow_key *key, uint64_t hash)
{
    struct wst_conn **slot = &t->cache[hash & CACHE_MASK];
    struct wst_conn *c = *slot;
    if (c && wst_conn_matches(c, key, t->vlan_keyed))
        return c;
    for (Word_t i = hash;; i++) {
        c = judy_get(t->by_hash, i);
        if (c == NULL)
            return NULL;
        if (wst_conn_matches(c, key, t->vlan_keyed)) {
            *slot = c;
            return c;
        }
    }
}

struct wst_conn *wst_flow_table_create(struct wst_flow_table *t, const struct wst_flow_key *key,
                                       uint64_t hash, const struct wst_segment *seg)
{
    struct wst_conn *c = wst_conn_new(&t->pool, key, seg);
    c->id = ++t->next_id;

    Word_t i = hash;
    while (judy_get(t->by_hash, i))
        i++;
    *judy_ins(&t->by_hash, i) = (Word_t)c;
    *judy_ins(&t->by_id, c->id) = (Word_t)c;
    t->cache[hash & CACHE_MASK] = c;
    t->live++;
    CHECK(t);
    return c;
}

/*
 * Deletes the by_hash entry at `hole`, then walks the cluster after it and
 * moves back every entry whose probe chain ran through the hole (Knuth's
 * deletion for linear probing, TAOCP vol. 3, 6.4 Algorithm R), so lookups
 * that stop at the first free index stay correct.
 */
static void by_hash_delete(struct wst_flow_table *t, Word_t hole)
{
    judy_del(&t->by_hash, hole);
    for (Word_t j = hole + 1;; j++) {
        struct wst_conn *c = judy_get(t->by_hash, j);
        if (c == NULL)
            return;
        struct wst_flow_key key;
        wst_conn_key(c, &key, t->vlan_keyed);
        Word_t home = t->hash(&key, t->seed);
        /* Unsigned distances wrap like the index space does. */
        if (j - home >= j - hole) {
            judy_del(&t->by_hash, j);
            *judy_ins(&t->by_hash, hole) = (Word_t)c;
            hole = j;
        }
    }
}

void wst_flow_table_retire(struct wst_flow_table *t, struct wst_conn *c)
{
    if (c->flags & WST_CONN_RETIRED)
        return;
    struct wst_flow_key key;
    wst_conn_key(c, &key, t->vlan_keyed);
    uint64_t hash = t->hash(&key, t->seed);
    Word_t i = hash;
    for (struct wst_conn *at; (at = judy_get(t->by_hash, i)) != c; i++) {
        /* A live connection always sits on its probe chain (invariant 1). */
        if (at == NULL)
            abort();
    }
    by_hash_delete(t, i);
    if (t->cache[hash & CACHE_MASK] == c)
        t->cache[hash & CACHE_MASK] = NULL;
    c->flags |= WST_CONN_RETIRED;
    t->live--;
    CHECK(t);
}

void wst_flow_table_retire_all(struct wst_flow_table *t)
{
    Word_t id = 0;
    for (PWord_t pv = (PWord_t)JudyLFirst(t->by_id, &id, PJE0); pv;
         pv = (PWord_t)JudyLNext(t->by_id, &id, PJE0))
        ((struct wst_conn *)*pv)->flags |= WST_CONN_RETIRED;
    JudyLFreeArray(&t->by_hash, PJE0);
    memset(t->cache, 0, sizeof t->cache);
    t->live = 0;
}

struct wst_conn *wst_flow_table_pop_retired(struct wst_flow_table *t)
{
    Word_t id = 0;
    PWord_t pv = (PWord_t)JudyLFirst(t->by_id, &id, PJE0);
    if (pv == NULL)
        return NULL;
    struct wst_conn *c = (struct wst_conn *)*pv;
    if (!(c->flags & WST_CONN_RETIRED))
        return NULL;
    judy_del(&t->by_id, id);
    return c;
}

void wst_flow_table_release(struct wst_flow_table *t, struct wst_conn *c)
{
    wst_conn_free(&t->pool, c);
}

struct wst_conn *wst_flow_table_first(struct wst_flow_table *t)
{
    Word_t id = 0;
    PWord_t pv = (PWord_t)JudyLFirst(t->by_id, &id, PJE0);
    return pv ? (struct wst_conn *)*pv : NULL;
}

struct wst_conn *wst_flow_table_next(struct wst_flow_table *t, const struct wst_conn *c)
{
    Word_t id = c->id;
    PWord_t pv = (PWord_t)JudyLNext(t->by_id, &id, PJE0);
    return pv ? (struct wst_conn *)*pv : NULL;
}

size_t wst_flow_table_live(const struct wst_flow_table *t)
{
    return t->live;
}

uint64_t wst_flow_table_created(const struct wst_flow_table *t)
{
    return t->next_id;
}

void wst_flow_table_mem(const struct wst_flow_table *t, struct wst_flow_table_mem *out)
{
    out->index_bytes = JudyLMemUsed(t->by_hash) + JudyLMemUsed(t->by_id);
    out->pool_bytes = t->pool.chunk_bytes;
    out->conn_bytes = t->pool.used_objects[0] * t->pool.object_size[0] +
                      t->pool.used_objects[1] * t->pool.object_size[1];
    out->conns = t->pool.used_objects[0] + t->pool.used_objects[1];
}
