/*
 * flow_table.c - the connection table on libjudy.
 *
 * Model: a JudyL array, a list and a cache in front of the array.
 *   by_hash  upper 32 bits of the key hash -> live connection that left the
 *            cache (wst_conn.indexed). Keys with
 *            equal indexes are resolved by linear probing in the 32-bit
 *            index space (wrapping at 2^32): a key lives at the first free
 *            index at or after its home, the upper half of its hash. A
 *            32-bit index keeps Judy's tree four levels deep instead of
 *            eight: 15 bytes an entry instead of 20 at 300,000 entries, and
 *            a cheaper insert. With n keys about n^2 / 2^33 pairs share an
 *            index (ten at 300,000), each a probe step longer; the seeded
 *            hash keeps a sender from aiming at one index.
 *   order    every connection, live or retired, in id (first-seen) order:
 *            an intrusive singly linked list (wst_conn.next). Ids only grow,
 *            so appending keeps it sorted, and emission only ever removes
 *            its head: both O(1), cheaper than a second Judy array.
 *   cache    a 4-way set-associative cache of recently used connections
 *            (flow_table.h), checked before by_hash. Most packets belong to
 *            a connection seen a moment ago; the cache turns their lookup
 *            into one cache line and one key comparison, and the tracker
 *            prefetches both a few packets ahead. It is a write-back
 *            cache: a new connection goes into the cache only, and into
 *            by_hash when the cache has to give its way to another one
 *            (an empty way is taken first). Most connections are short:
 *            they begin and end in the cache and never cost a Judy
 *            insert and delete, which are several hundred instructions
 *            each.
 * Only this file touches Judy for connections (findings.c and select.c keep
 * their own arrays).
 *
 * Invariants (checked by flow_table_check() in debug builds):
 *  1. A connection is in by_hash exactly when it is live and indexed: once,
 *     at an index i such that every index from its home to i (mod 2^32) is
 *     occupied (the probing invariant).
 *  2. Every connection, live or retired, is on the order list exactly
 *     once, and ids increase along it.
 *  3. A cache way is NULL or points to a live connection, whose hash
 *     selects that set and whose hash tag the way holds; no connection is
 *     in two ways.
 *  4. Every live connection is indexed or cached (or both), so a lookup
 *     that misses the cache and by_hash is of a connection the table
 *     does not hold; live counts them.
 */
#include "wirestate/flow_table.h"
#include "alloc.h"

#include <Judy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


struct wst_flow_table {
    struct wst_flow_cache cache; /* first: the inline prefetch hints rely on it */
    Pvoid_t by_hash;
    struct wst_conn *head, *tail; /* the order list */
    uint64_t seed;
    wst_flow_hash_fn *hash;
    size_t live;
    struct wst_conn_pool pool;
};

/* The by_hash index where a key's probe chain starts: the hash's upper
 * half, which is also its cache tag. */
static uint32_t home_of(uint64_t hash)
{
    return (uint32_t)(hash >> 32);
}

static PWord_t judy_ins(Pvoid_t *array, Word_t index)
{
    PWord_t pv = (PWord_t)JudyLIns(array, index, PJE0);
    if (pv == PJERR)
        wst_out_of_memory("JudyLIns");
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
        wst_out_of_memory("JudyLDel");
}

#ifndef NDEBUG
/* True if c is in one of its cache set's ways. */
static bool cached(const struct wst_flow_table *t, const struct wst_conn *c, uint64_t hash)
{
    const struct wst_flow_cache_set *set = &t->cache.set[hash & (WST_FLOW_CACHE_SETS - 1)];
    for (int w = 0; w < WST_FLOW_CACHE_WAYS; w++) {
        if (set->conn[w] == c)
            return true;
    }
    return false;
}

static void flow_table_check(const struct wst_flow_table *t)
{
    size_t n = 0;
    Word_t i = 0;
    for (PWord_t pv = (PWord_t)JudyLFirst(t->by_hash, &i, PJE0); pv;
         pv = (PWord_t)JudyLNext(t->by_hash, &i, PJE0)) {
        const struct wst_conn *c = (const struct wst_conn *)*pv;
        struct wst_flow_key key;
        wst_conn_key(c, &key);
        if (i > UINT32_MAX)
            abort();
        for (uint32_t j = home_of(t->hash(&key, t->seed)); j != i; j++) {
            if (!judy_get(t->by_hash, j)) {
                fprintf(stderr, "flow_table: probe chain of conn %llu broken\n", (unsigned long long)c->id);
                abort();
            }
        }
        if ((c->flags & WST_CONN_RETIRED) || !c->indexed)
            abort();
        n++;
    }
    uint64_t last = 0;
    size_t live = 0, indexed = 0;
    for (const struct wst_conn *c = t->head; c; c = c->next) {
        if (c->id <= last || (c->next == NULL && c != t->tail))
            abort();
        last = c->id;
        if (c->flags & WST_CONN_RETIRED)
            continue;
        live++;
        indexed += c->indexed;
        if (!c->indexed && t->live <= 512) { /* invariant 4 (a hash each: small tables only) */
            struct wst_flow_key key;
            wst_conn_key(c, &key);
            if (!cached(t, c, t->hash(&key, t->seed))) {
                fprintf(stderr, "flow_table: conn %llu neither indexed nor cached\n", (unsigned long long)c->id);
                abort();
            }
        }
    }
    if (n != indexed || live != t->live)
        abort();
    static unsigned long calls;
    if (++calls % 64 != 0)
        return; /* the cache scan is the costly part: sample it */
    for (size_t s = 0; s < WST_FLOW_CACHE_SETS; s++) {
        for (int w = 0; w < WST_FLOW_CACHE_WAYS; w++) {
            const struct wst_conn *c = t->cache.set[s].conn[w];
            if (c == NULL)
                continue;
            struct wst_flow_key key;
            wst_conn_key(c, &key);
            uint64_t h = t->hash(&key, t->seed);
            if ((c->flags & WST_CONN_RETIRED) || (h & (WST_FLOW_CACHE_SETS - 1)) != s ||
                t->cache.set[s].tag[w] != wst_flow_cache_tag(h))
                abort();
            for (int v = w + 1; v < WST_FLOW_CACHE_WAYS; v++) {
                if (t->cache.set[s].conn[v] == c)
                    abort();
            }
        }
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

static struct wst_flow_cache_set *set_of(struct wst_flow_table *t, uint64_t hash)
{
    return &t->cache.set[hash & (WST_FLOW_CACHE_SETS - 1)];
}

/* The cached connection named by key, or NULL. */
static struct wst_conn *cache_get(struct wst_flow_table *t, const struct wst_flow_key *key, uint64_t hash)
{
    struct wst_flow_cache_set *set = set_of(t, hash);
    uint32_t tag = wst_flow_cache_tag(hash);
    for (int w = 0; w < WST_FLOW_CACHE_WAYS; w++) {
        struct wst_conn *c = set->conn[w];
        if (set->tag[w] == tag && c && wst_conn_matches(c, key))
            return c;
    }
    return NULL;
}

/* Puts c, not yet indexed, into by_hash at the first free index of its probe chain. */
static void index_conn(struct wst_flow_table *t, struct wst_conn *c, uint32_t home)
{
    uint32_t i = home;
    while (judy_get(t->by_hash, i))
        i++;
    *judy_ins(&t->by_hash, i) = (Word_t)c;
    c->indexed = 1;
}

/*
 * Caches c (which no way of its set holds): in an empty way if there is
 * one, else in place of the set's ways in turn. A connection that leaves
 * the cache and was never indexed goes into by_hash now (write-back):
 * invariant 4. Its home there is its hash's upper half, the way's tag.
 */
static void cache_put(struct wst_flow_table *t, struct wst_conn *c, uint64_t hash)
{
    struct wst_flow_cache_set *set = set_of(t, hash);
    unsigned w = 0;
    while (w < WST_FLOW_CACHE_WAYS && set->conn[w] != NULL)
        w++;
    if (w == WST_FLOW_CACHE_WAYS) {
        w = set->victim++ % WST_FLOW_CACHE_WAYS;
        struct wst_conn *out = set->conn[w];
        if (!out->indexed)
            index_conn(t, out, set->tag[w]);
    }
    set->tag[w] = wst_flow_cache_tag(hash);
    set->conn[w] = c;
}

static void cache_forget(struct wst_flow_table *t, const struct wst_conn *c, uint64_t hash)
{
    struct wst_flow_cache_set *set = set_of(t, hash);
    for (int w = 0; w < WST_FLOW_CACHE_WAYS; w++) {
        if (set->conn[w] == c)
            set->conn[w] = NULL;
    }
}

struct wst_flow_table *wst_flow_table_new(uint64_t seed)
{
    /* The cache is probed at random for every packet: huge pages, and
     * cache-line-aligned sets. */
    struct wst_flow_table *t = wst_huge_alloc(sizeof *t);
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
    /* The pool frees the records wholesale; their extensions one by one
     * (the owner has emptied them: wst_conn_free()'s contract). */
    for (struct wst_conn *c = t->head; c; c = c->next)
        free(c->ext);
    wst_conn_pool_fini(&t->pool);
    wst_huge_free(t, sizeof *t);
}

void wst_flow_table_set_hash(struct wst_flow_table *t, wst_flow_hash_fn *fn)
{
    t->hash = fn;
}

uint64_t wst_flow_table_hash(const struct wst_flow_table *t, const struct wst_flow_key *key)
{
    /* The usual hash called directly, so it inlines into the packet path. */
    if (t->hash == wst_flow_key_hash)
        return wst_flow_key_hash(key, t->seed);
    return t->hash(key, t->seed);
}

struct wst_conn *wst_flow_table_get(struct wst_flow_table *t, const struct wst_flow_key *key, uint64_t hash)
{
    struct wst_conn *c = cache_get(t, key, hash);
    if (c)
        return c;
    for (uint32_t i = home_of(hash);; i++) {
        c = judy_get(t->by_hash, i);
        if (c == NULL)
            return NULL;
        if (wst_conn_matches(c, key)) {
            cache_put(t, c, hash);
            return c;
        }
    }
}

/* A new connection for `key`, in the cache only (write-back) and on the order list. */
static struct wst_conn *add(struct wst_flow_table *t, const struct wst_flow_key *key, uint64_t hash,
                            const struct wst_segment *seg, uint64_t id)
{
    struct wst_conn *c = wst_conn_new(&t->pool, key, seg);
    c->id = id;
    if (t->tail)
        t->tail->next = c;
    else
        t->head = c;
    t->tail = c;
    cache_put(t, c, hash);
    t->live++;
    CHECK(t);
    return c;
}

struct wst_conn *wst_flow_table_create(struct wst_flow_table *t, const struct wst_flow_key *key,
                                       uint64_t hash, const struct wst_segment *seg, uint64_t id)
{
    return add(t, key, hash, seg, id);
}

struct wst_conn *wst_flow_table_find_or_create(struct wst_flow_table *t, const struct wst_flow_key *key,
                                               uint64_t hash, const struct wst_segment *seg, uint64_t id,
                                               bool *created)
{
    struct wst_conn *c = wst_flow_table_get(t, key, hash);
    *created = c == NULL;
    return c ? c : add(t, key, hash, seg, id);
}

/*
 * Deletes the by_hash entry at `hole`, then walks the cluster after it and
 * moves back every entry whose probe chain ran through the hole (Knuth's
 * deletion for linear probing, TAOCP vol. 3, 6.4 Algorithm R), so lookups
 * that stop at the first free index stay correct.
 */
static void by_hash_delete(struct wst_flow_table *t, uint32_t hole)
{
    judy_del(&t->by_hash, hole);
    for (uint32_t j = hole + 1;; j++) {
        struct wst_conn *c = judy_get(t->by_hash, j);
        if (c == NULL)
            return;
        struct wst_flow_key key;
        wst_conn_key(c, &key);
        uint32_t home = home_of(t->hash(&key, t->seed));
        /* 32-bit unsigned distances wrap like the index space does. */
        if ((uint32_t)(j - home) >= (uint32_t)(j - hole)) {
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
    wst_conn_key(c, &key);
    uint64_t hash = t->hash(&key, t->seed);
    if (c->indexed) {
        uint32_t i = home_of(hash);
        for (struct wst_conn *at; (at = judy_get(t->by_hash, i)) != c; i++) {
            /* An indexed connection always sits on its probe chain (invariant 1). */
            if (at == NULL)
                abort();
        }
        by_hash_delete(t, i);
        c->indexed = 0;
    }
    cache_forget(t, c, hash);
    c->flags |= WST_CONN_RETIRED;
    t->live--;
    CHECK(t);
}

void wst_flow_table_retire_all(struct wst_flow_table *t)
{
    for (struct wst_conn *c = t->head; c; c = c->next) {
        c->flags |= WST_CONN_RETIRED;
        c->indexed = 0;
    }
    JudyLFreeArray(&t->by_hash, PJE0);
    memset(&t->cache, 0, sizeof t->cache);
    t->live = 0;
}

struct wst_conn *wst_flow_table_pop_retired(struct wst_flow_table *t)
{
    struct wst_conn *c = t->head;
    if (c == NULL || !(c->flags & WST_CONN_RETIRED))
        return NULL;
    t->head = c->next;
    if (t->head == NULL)
        t->tail = NULL;
    c->next = NULL;
    return c;
}

void wst_flow_table_release(struct wst_flow_table *t, struct wst_conn *c)
{
    wst_conn_free(&t->pool, c);
}

struct wst_conn *wst_flow_table_first(struct wst_flow_table *t)
{
    return t->head;
}

struct wst_conn *wst_flow_table_next(struct wst_flow_table *t, const struct wst_conn *c)
{
    (void)t;
    return c->next;
}

size_t wst_flow_table_live(const struct wst_flow_table *t)
{
    return t->live;
}

void wst_flow_table_mem(const struct wst_flow_table *t, struct wst_flow_table_mem *out)
{
    out->index_bytes = JudyLMemUsed(t->by_hash);
    out->pool_bytes = t->pool.chunk_bytes;
    out->conn_bytes = 0;
    out->conns = 0;
    for (int k = 0; k < WST_CONN_POOL_CLASSES; k++) {
        out->conn_bytes += t->pool.used_objects[k] * t->pool.object_size[k];
        out->conns += t->pool.used_objects[k];
    }
}
