/*
 * findings.c - grouping finished connections into patterns (findings.h).
 *
 * Rules (the reasons are in docs/output.md, "Findings"):
 *  F1. Only connections whose client's SYN was captured are attempts
 *      (client decided by the SYN, not midstream): the others say nothing
 *      about how their handshake went.
 *  F2. An attempt is half-open when its handshake stalled past
 *      --syn-timeout: a SYN+ACK never acknowledged (handshake_incomplete),
 *      or a SYN never answered that its client never sent again (real
 *      stacks retransmit; a flood's spoofed SYNs come once). A SYN flood
 *      is many of them to one server endpoint from many sources; a service
 *      that is down, its clients retrying, is an unreachable service, and
 *      one client retrying is never a flood, however many SYNs it sends.
 *  F3. An attempt failed when it raised refused, unreachable, or
 *      syn_unanswered without a late answer (anomaly.c judged the
 *      threshold). Failures group by server endpoint.
 *  F4. CLOSE_WAIT belongs to the application of the endpoint that lingers
 *      (close_wait_lingering names it): a server groups by its endpoint
 *      (one listening service), a client by its host (its ports are
 *      ephemeral, its application is the one on that host).
 *  F5. TIME_WAIT sits on the active closer (RFC 9293 §3.6) and is a
 *      protection, not a leak. It costs a client one ephemeral port per
 *      4-tuple, so what can run out is the ports toward one destination
 *      address and port: the peak count held at once toward each is what
 *      is compared with the ephemeral range. A TIME_WAIT holds its port
 *      until it ends: 2 x MSL, or earlier when a new SYN takes the 4-tuple
 *      over (tcp_tw_reuse) or a RST ends it.
 *
 * Where the rules run: wst_findings_add() reads what each record's
 * anomalies say (failure_of(), stall_of(), half_open_of()) and counts it
 * in the groups of the endpoints and hosts concerned; wst_findings_collect()
 * runs one judge per kind (judges[]) on every group.
 */
#include "wirestate/findings.h"

#include <Judy.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "wirestate/anomaly.h"
#include "wirestate/conn.h"
#include "wirestate/flow.h"
#include "wirestate/sink.h"
#include "alloc.h"

static const char *const kind_names[WST_FIND__COUNT] = {
#define WST_FINDING_NAME(e, name) [WST_FIND_##e] = name,
    WST_FINDING_MAP(WST_FINDING_NAME)
#undef WST_FINDING_NAME
};

const char *wst_finding_name(enum wst_finding_kind kind)
{
    return (unsigned)kind < WST_FIND__COUNT ? kind_names[kind] : "unknown";
}

const char *wst_severity_name(enum wst_severity sev)
{
    return sev == WST_SEV_WARNING ? "warning" : "info";
}

/* ---- distinct peers: linear counting ---- */

/*
 * Distinct values are counted exactly up to DISTINCT_EXACT (the flood's
 * "at least 10 sources" is decided on exact counts, so crafted addresses
 * that collide in a bitmap cannot hide a flood), then estimated by Whang,
 * Vander-Zanden and Taylor's linear counting: hash each value to one bit
 * of m; with z bits still zero, n ~ -m ln(z/m). With m = 16384 the estimate
 * is within about 2% up to 20 000 values; past 75 000 (fewer than 1% of the
 * bits zero) it is reported as a lower bound. The caller caps it at the
 * number of values added (the estimator expects collisions that may not
 * have happened).
 */
#define DISTINCT_EXACT 16
#define DISTINCT_BITS 16384u

struct distinct {
    uint64_t first;  /* the first value */
    uint64_t *more;  /* the next DISTINCT_EXACT - 1 distinct values, once there are some */
    uint64_t *bits;  /* the bitmap, once there are more than DISTINCT_EXACT */
    uint8_t n;       /* distinct values counted exactly (while bits is NULL) */
};

static uint64_t mix64(uint64_t x)
{
    /* splitmix64's finalizer: a bijection on 64 bits, every input bit
     * reaching every output bit. */
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Distinct IPv4 addresses get distinct hashes (mix64 is a bijection). */
static uint64_t addr_hash(uint8_t family, const struct wst_addr *a)
{
    uint64_t lo, hi;
    memcpy(&lo, a->b, 8);
    memcpy(&hi, a->b + 8, 8);
    return mix64(lo ^ mix64(hi ^ family));
}

static void distinct_set(uint64_t *bits, uint64_t h)
{
    uint32_t b = (uint32_t)(h % DISTINCT_BITS);
    bits[b / 64] |= (uint64_t)1 << (b % 64);
}

static void distinct_add(struct distinct *d, uint64_t h)
{
    if (d->bits) {
        distinct_set(d->bits, h);
        return;
    }
    if (d->n == 0) {
        d->first = h;
        d->n = 1;
        return;
    }
    if (h == d->first)
        return;
    for (unsigned i = 0; i + 1 < d->n; i++)
        if (d->more[i] == h)
            return;
    if (d->n < DISTINCT_EXACT) {
        if (!d->more)
            d->more = wst_xcalloc(DISTINCT_EXACT - 1, sizeof *d->more);
        d->more[d->n++ - 1] = h;
        return;
    }
    d->bits = wst_xcalloc(DISTINCT_BITS / 64, sizeof *d->bits);
    distinct_set(d->bits, d->first);
    for (unsigned i = 0; i + 1 < d->n; i++)
        distinct_set(d->bits, d->more[i]);
    distinct_set(d->bits, h);
    free(d->more);
    d->more = NULL;
}

static uint64_t distinct_estimate(const struct distinct *d, bool *at_least)
{
    *at_least = false;
    if (!d->bits)
        return d->n;
    uint32_t ones = 0;
    for (uint32_t i = 0; i < DISTINCT_BITS / 64; i++)
        ones += (uint32_t)__builtin_popcountll(d->bits[i]);
    uint32_t zero = DISTINCT_BITS - ones;
    if (zero < DISTINCT_BITS / 100) {
        *at_least = true;
        zero = DISTINCT_BITS / 100;
    }
    uint64_t n = (uint64_t)(-(double)DISTINCT_BITS * log((double)zero / DISTINCT_BITS) + 0.5);
    return n > DISTINCT_EXACT ? n : DISTINCT_EXACT + 1; /* it overflowed the exact set */
}

static void distinct_fini(struct distinct *d)
{
    free(d->more);
    free(d->bits);
}

/* ---- groups ---- */

enum { SCOPE_SERVER = 1, SCOPE_HOST, SCOPE_DEST };

/* Connections of one pattern: how many, when, with how many peers. */
struct tally {
    uint64_t n;
    wst_ts_us since, until;
    struct distinct peers;
};

/*
 * A server endpoint (SCOPE_SERVER), a host (SCOPE_HOST), or a host's
 * TIME_WAIT toward one destination (SCOPE_DEST), once it has more to
 * remember than a light record holds (below).
 */
struct wst_find_group {
    uint8_t scope, family;
    uint16_t port;
    struct wst_addr addr;
    /* SCOPE_SERVER */
    uint64_t attempts, completed;
    struct tally half_open, failed;
    wst_ts_us half_open_last;   /* the latest start of a half-open one */
    uint64_t half_open_retried; /* half-open ones whose client sent its SYN again */
    uint64_t synack_unacked, unanswered, refused, unreachable;
    uint8_t icmp_type, icmp_code;
    struct wst_addr icmp_from;
    wst_ts_us icmp_at;
    /* SCOPE_SERVER (the server lingers) and SCOPE_HOST (a client does) */
    struct tally close_wait;
    uint64_t cw_ongoing, cw_longest_us;
    /* SCOPE_HOST: TIME_WAIT, and its busiest destination */
    struct tally time_wait;
    uint64_t tw_as_client, tw_as_server;
    uint64_t tw_peak;
    wst_ts_us tw_peak_us;
    struct wst_addr tw_dest_addr;
    uint16_t tw_dest_port;
    /* The first TIME_WAIT of the host, from its light record: its
     * destination is known only by the hash of its address, and the entry
     * goes to the first destination group with that hash. */
    bool tw_pending;
    uint32_t tw_pending_hash;   /* tw_hash() of the destination address */
    uint8_t tw_pending_port;    /* port_hash() of its port */
    wst_ts_us tw_pending_at;
    /* SCOPE_DEST: addr is the host, dest_* the destination */
    struct wst_addr dest_addr;
    uint16_t dest_port;
    size_t parent;   /* the host's group */
    void *seconds;   /* JudyL: capture second -> TIME_WAITs entered then, minus those that
                        ended then (a two's complement count), for a sweep (judge_dest) */
    /* The sweep of the seconds before folded_to, done already (fold_dest()):
     * what was held at its end, and its peak. */
    Word_t folded_to;
    int64_t folded_held, folded_peak;
    wst_ts_us folded_peak_us;
};

/*
 * Light records. Most server endpoints only ever see connections that
 * went well, and most hosts close one connection or two: a group of a few
 * hundred bytes for each would make memory grow with every client address
 * a server ever saw. Until something worth a group happens, the Judy value
 * itself holds what is needed (bit 0 set):
 *   server endpoint  bits 1-31 attempts, bits 32-63 completed handshakes
 *   host             its one TIME_WAIT: bit 1 set if it closed as the
 *                    server, bits 2-25 the hash of the peer's address
 *                    (tw_hash()), bits 26-57 when it entered, ms after
 *                    f->base_us, bits 58-63 a hash of the peer's port
 * A full group is ((index + 1) << 1). A TIME_WAIT whose time does not fit
 * (before the base, or 49 days after it) goes to a full group at once.
 */
_Static_assert(sizeof(Word_t) == 8, "light records need a 64-bit Judy word");
#define LIGHT ((Word_t)1)
#define LIGHT_MAX_ATTEMPTS 0x7FFFFFFFu

void wst_findings_init(struct wst_findings *f, const struct wst_findings_config *cfg)
{
    memset(f, 0, sizeof *f);
    f->cfg = *cfg;
    wst_wordmap_init(&f->index4, cfg->hash_seed);
    if (!f->cfg.max_groups || f->cfg.max_groups > WST_FINDINGS_MAX_GROUPS)
        f->cfg.max_groups = WST_FINDINGS_MAX_GROUPS;
}

struct key {
    uint8_t b[2 + 2 * (16 + 2)];
    size_t len;
    Word_t word; /* the key in one word, when it fits (see slot()) */
    bool fits;
};

static void make_key(struct key *k, uint8_t scope, uint8_t family, const struct wst_addr *a, uint16_t port,
                     const struct wst_addr *a2, uint16_t port2)
{
    size_t alen = wst_family_addr_len(family), n = 0;
    k->fits = family == WST_AF_INET && a2 == NULL;
    if (k->fits) {
        k->word = (Word_t)scope << 56 | (Word_t)port << 32 | (Word_t)a->b[0] << 24 | (Word_t)a->b[1] << 16 |
                  (Word_t)a->b[2] << 8 | a->b[3];
        return;
    }
    k->b[n++] = scope;
    k->b[n++] = family;
    memcpy(k->b + n, a->b, alen);
    n += alen;
    k->b[n++] = (uint8_t)(port >> 8);
    k->b[n++] = (uint8_t)port;
    if (a2) {
        memcpy(k->b + n, a2->b, alen);
        n += alen;
        k->b[n++] = (uint8_t)(port2 >> 8);
        k->b[n++] = (uint8_t)port2;
    }
    k->len = n;
}

/*
 * The value of a key (0 for a new one); valid until the next insert. An
 * IPv4 server endpoint or host, the key of nearly every connection, fits
 * in a word and goes to a hash map (wordmap.h: a new key costs a tenth of
 * a JudyL insert, and most are new, one per client); IPv6 and destination
 * keys are byte strings, in a JudyHS.
 */
_Static_assert(sizeof(Word_t) == sizeof(uint64_t), "a findings value is a word of the map");

static Word_t *slot(struct wst_findings *f, const struct key *k)
{
    if (k->fits)
        return (Word_t *)wst_wordmap_slot(&f->index4, k->word);
    PWord_t pv = (PWord_t)JudyHSIns(&f->index, (void *)k->b, k->len, PJE0);
    if (pv == PJERR)
        wst_out_of_memory("JudyHSIns");
    return pv;
}

#define NO_GROUP ((size_t)-1)

/*
 * A new full group for *pv (which it then names), or NO_GROUP when
 * cfg.max_groups are already kept: memory stays bounded, and the
 * connections left out are counted (wst_findings.untracked).
 */
static size_t new_group(struct wst_findings *f, Word_t *pv, uint8_t scope, uint8_t family, const struct wst_addr *a,
                        uint16_t port)
{
    if (f->n_groups == f->cfg.max_groups)
        return NO_GROUP;
    if (f->n_groups == f->cap_groups) {
        f->cap_groups = f->cap_groups ? 2 * f->cap_groups : 64;
        f->groups = wst_xrealloc(f->groups, f->cap_groups, sizeof *f->groups);
    }
    struct wst_find_group *g = &f->groups[f->n_groups];
    memset(g, 0, sizeof *g);
    g->scope = scope;
    g->family = family;
    g->addr = *a;
    g->port = port;
    *pv = (Word_t)(f->n_groups + 1) << 1;
    return f->n_groups++;
}

static size_t group_of(Word_t v)
{
    return (size_t)(v >> 1) - 1;
}

static void tally_add(struct tally *t, wst_ts_us since, wst_ts_us until, uint64_t peer)
{
    if (t->n == 0 || since < t->since)
        t->since = since;
    if (until > t->until)
        t->until = until;
    t->n++;
    distinct_add(&t->peers, peer);
}

/* The same cut to 24 bits, for the TIME_WAIT tally (a light record holds it). */
static uint32_t tw_hash(uint8_t family, const struct wst_addr *a)
{
    return (uint32_t)(addr_hash(family, a) & 0xFFFFFF);
}

static uint8_t port_hash(uint16_t port)
{
    return (uint8_t)(mix64(port) & 0x3F);
}

/* The slot of a server endpoint or a host (port unused). */
static Word_t *slot_of(struct wst_findings *f, uint8_t scope, uint8_t family, const struct wst_addr *a,
                       uint16_t port)
{
    struct key k;
    make_key(&k, scope, family, a, scope == SCOPE_HOST ? 0 : port, NULL, 0);
    return slot(f, &k);
}

/* The full group of a server endpoint at *pv, made from its light record if need be. */
static size_t server_group(struct wst_findings *f, Word_t *pv, uint8_t family, const struct wst_addr *a,
                           uint16_t port)
{
    Word_t v = *pv;
    if (v && !(v & LIGHT))
        return group_of(v);
    size_t gi = new_group(f, pv, SCOPE_SERVER, family, a, port);
    if (gi != NO_GROUP) {
        f->groups[gi].attempts = v >> 1 & LIGHT_MAX_ATTEMPTS;
        f->groups[gi].completed = v >> 32;
    }
    return gi;
}

/*
 * F2: the anomaly that makes an attempt half-open: its handshake_incomplete
 * (`stalled`), or else its failure when that is a syn_unanswered whose
 * client never sent its SYN again (a real stack waiting retransmits; a
 * flood's spoofed SYN comes once). NULL if it was not half-open.
 */
static const struct wst_anomaly *half_open_of(const struct wst_conn *c, const struct wst_anomaly *fail,
                                              const struct wst_anomaly *stalled)
{
    if (stalled)
        return stalled;
    if (fail && fail->kind == WST_AN_SYN_UNANSWERED && c->ep[c->client].syns_again == 0)
        return fail;
    return NULL;
}

/* F3: a failed attempt from `peer` counted in its server's group g, by how it failed. */
static void count_failure(struct wst_find_group *g, const struct wst_anomaly *fail, uint64_t peer)
{
    tally_add(&g->failed, fail->since_us, fail->until_us, peer);
    switch (fail->kind) {
    case WST_AN_REFUSED:
        g->refused++;
        break;
    case WST_AN_UNREACHABLE:
        g->unreachable++;
        if (fail->since_us >= g->icmp_at) { /* the latest ICMP error is the one shown */
            g->icmp_at = fail->since_us;
            g->icmp_type = fail->detail[0];
            g->icmp_code = fail->detail[1];
            g->icmp_from = fail->addr;
        }
        break;
    default:
        g->unanswered++;
        break;
    }
}

/* F2: a half-open attempt of c from `peer` counted in its server's group g. */
static void count_half_open(struct wst_find_group *g, const struct wst_conn *c, const struct wst_anomaly *half_open,
                            bool synack_unacked, uint64_t peer)
{
    tally_add(&g->half_open, half_open->since_us, half_open->until_us, peer);
    if (half_open->since_us > g->half_open_last)
        g->half_open_last = half_open->since_us;
    g->half_open_retried += c->ep[c->client].syns_again != 0;
    g->synack_unacked += synack_unacked;
}

/*
 * F1-F3: one attempt to the server endpoint of c. `fail` is the anomaly
 * that ended it (refused, unreachable, syn_unanswered without an answer),
 * `stalled` its handshake_incomplete, either NULL. False if it was left
 * out (no room for a group).
 */
static bool add_attempt(struct wst_findings *f, const struct wst_conn_report *r, const struct wst_anomaly *fail,
                        const struct wst_anomaly *stalled)
{
    const struct wst_conn *c = r->conn;
    int cl = c->client, sv = !cl;
    bool completed = (c->tcp_flags[cl] & WST_TH_ACK) && (c->ep[sv].flags & WST_EP_SYNACK);
    const struct wst_anomaly *half_open = half_open_of(c, fail, stalled);
    struct wst_addr ca, sa;
    wst_conn_addr(c, sv, &sa);

    Word_t *pv = slot_of(f, SCOPE_SERVER, c->family, &sa, c->port[sv]), v = *pv;
    if (!fail && !half_open && (v == 0 || ((v & LIGHT) && (v >> 1 & LIGHT_MAX_ATTEMPTS) < LIGHT_MAX_ATTEMPTS - 1))) {
        /* A connection that went well: counted in the light record while there is one. */
        *pv = (v + ((Word_t)1 << 1) + ((Word_t)completed << 32)) | LIGHT;
        return true;
    }
    size_t gi = server_group(f, pv, c->family, &sa, c->port[sv]);
    if (gi == NO_GROUP)
        return false;
    struct wst_find_group *g = &f->groups[gi];
    wst_conn_addr(c, cl, &ca);
    uint64_t peer = addr_hash(c->family, &ca);
    g->attempts++;
    g->completed += completed;
    if (fail)
        count_failure(g, fail, peer);
    if (half_open)
        count_half_open(g, c, half_open, half_open == stalled, peer);
    return true;
}

/* A light host record for a TIME_WAIT entered at `at`, or 0 if its time does not fit. */
static Word_t light_time_wait(const struct wst_findings *f, bool as_server, uint32_t peer, uint8_t port,
                              wst_ts_us at)
{
    if (at < f->base_us || (at - f->base_us) / 1000 > UINT32_MAX)
        return 0;
    uint64_t ms = (at - f->base_us) / 1000;
    return LIGHT | (Word_t)as_server << 1 | (Word_t)peer << 2 | (Word_t)ms << 26 | (Word_t)port << 58;
}

/* Counts a TIME_WAIT of host group h (not its destination). */
static void host_time_wait(struct wst_find_group *h, bool as_server, uint32_t peer, wst_ts_us at)
{
    tally_add(&h->time_wait, at, at, peer);
    if (as_server)
        h->tw_as_server++;
    else
        h->tw_as_client++;
}

/* The full group of a host at *pv, made from its light record (one TIME_WAIT) if need be. */
static size_t host_group(struct wst_findings *f, Word_t *pv, uint8_t family, const struct wst_addr *a)
{
    Word_t v = *pv;
    if (v && !(v & LIGHT))
        return group_of(v);
    size_t gi = new_group(f, pv, SCOPE_HOST, family, a, 0);
    if (gi != NO_GROUP && v) {
        struct wst_find_group *h = &f->groups[gi];
        bool as_server = v >> 1 & 1;
        uint32_t peer = (uint32_t)(v >> 2 & 0xFFFFFF);
        wst_ts_us at = f->base_us + (v >> 26 & 0xFFFFFFFF) * 1000;
        host_time_wait(h, as_server, peer, at);
        if (!as_server) {
            h->tw_pending = true;
            h->tw_pending_hash = peer;
            h->tw_pending_port = (uint8_t)(v >> 58);
            h->tw_pending_at = at;
        }
    }
    return gi;
}

/* F4: endpoint a->endpoint of c lingered in CLOSE_WAIT. False if it was left out. */
static bool add_close_wait(struct wst_findings *f, const struct wst_conn *c, const struct wst_anomaly *a)
{
    int e = a->endpoint;
    bool server = e != c->client;
    struct wst_addr ea, pa;
    wst_conn_addr(c, e, &ea);
    wst_conn_addr(c, !e, &pa);
    Word_t *pv = slot_of(f, server ? SCOPE_SERVER : SCOPE_HOST, c->family, &ea, c->port[e]);
    size_t gi = server ? server_group(f, pv, c->family, &ea, c->port[e]) : host_group(f, pv, c->family, &ea);
    if (gi == NO_GROUP)
        return false;
    struct wst_find_group *g = &f->groups[gi];
    tally_add(&g->close_wait, a->since_us, a->until_us, addr_hash(c->family, &pa));
    g->cw_ongoing += a->ongoing;
    wst_ts_us d = a->until_us > a->since_us ? a->until_us - a->since_us : 0;
    if (d > g->cw_longest_us)
        g->cw_longest_us = d;
    return true;
}

static void dest_delta(struct wst_find_group *d, wst_ts_us at, Word_t delta)
{
    PWord_t pv = (PWord_t)JudyLIns(&d->seconds, (Word_t)(at / WST_US_PER_S), PJE0);
    if (pv == PJERR)
        wst_out_of_memory("JudyLIns");
    *pv += delta;
}

/*
 * Sweeps the seconds of d that no TIME_WAIT still to come can reach, and
 * forgets them, so a capture that runs for days keeps a few minutes of
 * seconds per destination, not all of them. A TIME_WAIT is counted when
 * its connection leaves (wst_findings_gone()), at most 2 x MSL after it
 * began (its timer; a slot late at worst), so none begins before the
 * latest departure minus 2 x MSL; two seconds more cover the timer wheel
 * and timestamps a little out of order.
 */
static void fold_dest(const struct wst_findings *f, struct wst_find_group *d)
{
    wst_ts_us reach = f->cfg.time_wait_us + 2 * WST_US_PER_S;
    if (f->latest_gone_us <= reach)
        return;
    Word_t cutoff = (Word_t)((f->latest_gone_us - reach) / WST_US_PER_S);
    if (cutoff <= d->folded_to)
        return;
    Word_t sec = 0;
    PWord_t pv;
    while ((pv = (PWord_t)JudyLFirst(d->seconds, &sec, PJE0)) != NULL && sec < cutoff) {
        d->folded_held += (int64_t)*pv;
        if (d->folded_held > d->folded_peak) {
            d->folded_peak = d->folded_held;
            d->folded_peak_us = (wst_ts_us)sec * WST_US_PER_S;
        }
        JudyLDel(&d->seconds, sec, PJE0);
    }
    d->folded_to = cutoff;
}

/*
 * A TIME_WAIT toward d held from `at` to `until`. One that began in the
 * seconds already folded (a host's first TIME_WAIT, kept in its light
 * record since: host_group()) is counted as held from the fold on if it
 * still was, and as a peak of at least one: the seconds it overlapped are
 * gone, so it cannot raise their count.
 */
static void dest_entry(const struct wst_findings *f, struct wst_find_group *d, wst_ts_us at, wst_ts_us until)
{
    fold_dest(f, d);
    Word_t folded_us_end = d->folded_to * WST_US_PER_S;
    if (d->folded_to && at < folded_us_end) {
        if (until >= folded_us_end) {
            d->folded_held++;
            dest_delta(d, until, (Word_t)-1);
        }
        if (d->folded_peak < d->folded_held || d->folded_peak < 1) {
            d->folded_peak = d->folded_held > 1 ? d->folded_held : 1;
            d->folded_peak_us = at;
        }
        return;
    }
    dest_delta(d, at, 1);
    dest_delta(d, until, (Word_t)-1);
}

/*
 * F5: endpoint i of c entered TIME_WAIT; c is leaving the tracker for
 * `why` at `gone_us` (wst_findings_gone()). False if it was left out.
 */
static bool add_time_wait(struct wst_findings *f, const struct wst_conn *c, int i, enum wst_end_reason why,
                          wst_ts_us gone_us)
{
    struct wst_addr ea, pa;
    wst_conn_addr(c, i, &ea);
    wst_conn_addr(c, !i, &pa);
    bool as_server = i != c->client;
    uint32_t peer = tw_hash(c->family, &pa);
    uint16_t port = c->port[!i];
    /* When it entered: its state's start if it is still there; else the
     * last packet, which is the final ACK it sent, or within a round trip
     * of it (a timer or a RST moved it on since). It holds its port for
     * the whole TIME_WAIT (also past the capture's end), unless a new SYN
     * took the 4-tuple over (tcp_tw_reuse, or a peer's ISN above the old
     * one) or a RST ended it, at the time the RST moved it to CLOSED. */
    bool in_tw = c->ep[i].state == WST_ST_TIME_WAIT;
    wst_ts_us at = in_tw ? wst_conn_at_us(c, c->ep[i].since_ms) : c->last_ts_us;
    wst_ts_us until = at + f->cfg.time_wait_us, cut = until;
    if (why == WST_END_REUSED && in_tw)
        cut = gone_us;
    else if ((c->flags & WST_CONN_RESET) && c->ep[i].state == WST_ST_CLOSED)
        cut = wst_conn_at_us(c, c->ep[i].since_ms);
    if (cut < until)
        until = cut > at ? cut : at;

    Word_t *pv = slot_of(f, SCOPE_HOST, c->family, &ea, 0);
    /* One TIME_WAIT alone is never a finding (unless --group-min 1), nor
     * is a cut-short one worth remembering in a light record. */
    if (*pv == 0 && f->cfg.group_min > 1 && until == at + f->cfg.time_wait_us) {
        Word_t v = light_time_wait(f, as_server, peer, port_hash(port), at);
        if (v) {
            *pv = v;
            return true;
        }
    }
    size_t hi = host_group(f, pv, c->family, &ea);
    if (hi == NO_GROUP)
        return false;
    host_time_wait(&f->groups[hi], as_server, peer, at);
    if (as_server)
        return true;
    struct key k;
    make_key(&k, SCOPE_DEST, c->family, &ea, 0, &pa, port);
    pv = slot(f, &k);
    size_t di = *pv ? group_of(*pv) : new_group(f, pv, SCOPE_DEST, c->family, &ea, 0);
    if (di == NO_GROUP)
        return true; /* counted for its host; its destination's peak misses it */
    struct wst_find_group *d = &f->groups[di], *h = &f->groups[hi];
    d->parent = hi;
    d->dest_addr = pa;
    d->dest_port = port;
    dest_entry(f, d, at, until);
    if (h->tw_pending && h->tw_pending_hash == peer && h->tw_pending_port == port_hash(port)) {
        dest_entry(f, d, h->tw_pending_at, h->tw_pending_at + f->cfg.time_wait_us);
        h->tw_pending = false;
    }
    return true;
}

/*
 * F3: the anomaly that ended an attempt of r: the answer that refused it
 * (refused, unreachable; the last if several), else its client's SYN left
 * without any answer (syn_unanswered, not answered late). NULL if none.
 */
static const struct wst_anomaly *failure_of(const struct wst_conn_report *r)
{
    const struct wst_anomaly *answer = NULL, *silence = NULL;
    for (size_t i = 0; i < r->n_anomalies; i++) {
        const struct wst_anomaly *a = &r->anomalies[i];
        if (a->kind == WST_AN_REFUSED || a->kind == WST_AN_UNREACHABLE)
            answer = a;
        else if (a->kind == WST_AN_SYN_UNANSWERED && a->detail[0] == WST_ANSWER_NONE && !silence)
            silence = a;
    }
    return answer ? answer : silence;
}

/* F2: the handshake_incomplete of r (the last if several), or NULL. */
static const struct wst_anomaly *stall_of(const struct wst_conn_report *r)
{
    const struct wst_anomaly *stalled = NULL;
    for (size_t i = 0; i < r->n_anomalies; i++) {
        if (r->anomalies[i].kind == WST_AN_HANDSHAKE_INCOMPLETE)
            stalled = &r->anomalies[i];
    }
    return stalled;
}

/*
 * F2, F3 under --max-connections: a handshake still pending when a full
 * table evicted its connection counts as if it had reached --syn-timeout.
 * A flood fills the table faster than that passes, and the findings must
 * not depend on how long the table could keep the flood's records. Fills
 * *a with the anomaly it would have become, up to the eviction:
 * handshake_incomplete when the server answered (half-open), else
 * syn_unanswered (half-open and unanswered); false if the record was not
 * evicted pending.
 */
static bool evicted_pending(const struct wst_conn_report *r, struct wst_anomaly *a)
{
    const struct wst_conn *c = r->conn;
    int cl = c->client, sv = !cl;
    if (c->end_reason != WST_END_EVICTED || c->ep[cl].syns_again)
        return false; /* a client that sent its SYN again is a real stack waiting */
    const struct wst_endpoint *server = &c->ep[sv];
    enum wst_anomaly_kind kind;
    if (server->state == WST_ST_SYN_RCVD && (server->flags & WST_EP_SYNACK))
        kind = WST_AN_HANDSHAKE_INCOMPLETE;
    else if (c->ep[cl].state == WST_ST_SYN_SENT && !(server->flags & WST_EP_SENT))
        kind = WST_AN_SYN_UNANSWERED;
    else
        return false;
    *a = (struct wst_anomaly){.kind = (uint8_t)kind, .endpoint = (uint8_t)(kind == WST_AN_SYN_UNANSWERED ? cl : sv),
                              .since_us = c->first_ts_us, .until_us = r->end_us, .ongoing = true, .count = 1};
    return true;
}

/* F1: only a connection whose client's SYN was captured is an attempt. */
static bool is_attempt(const struct wst_conn *c)
{
    return !(c->flags & WST_CONN_MIDSTREAM) && c->client_basis == WST_CLIENT_SYN;
}

void wst_findings_add(struct wst_findings *f, const struct wst_conn_report *r)
{
    const struct wst_conn *c = r->conn;
    /* Records come out in first-seen order, so the first one's start is
     * usually the earliest time a light record needs (light_time_wait()
     * checks: several files may go back in time). */
    if (!f->has_base) {
        f->has_base = true;
        f->base_us = c->first_ts_us;
    }
    /* In this order (CLOSE_WAIT, the attempt, TIME_WAIT): once
     * max_groups are kept, the first to need a group gets it. */
    bool kept = true; /* false once a part of it found no room */
    for (size_t i = 0; i < r->n_anomalies; i++) {
        if (r->anomalies[i].kind == WST_AN_CLOSE_WAIT_LINGERING)
            kept &= add_close_wait(f, c, &r->anomalies[i]); /* F4 */
    }
    if (is_attempt(c)) {
        const struct wst_anomaly *fail = failure_of(r), *stalled = stall_of(r);
        struct wst_anomaly pending;
        if (!fail && !stalled && evicted_pending(r, &pending)) {
            if (pending.kind == WST_AN_HANDSHAKE_INCOMPLETE)
                stalled = &pending;
            else
                fail = &pending;
        }
        kept &= add_attempt(f, r, fail, stalled);
    }
    f->untracked += !kept;
}

void wst_findings_gone(struct wst_findings *f, const struct wst_conn *c, enum wst_end_reason why, wst_ts_us at_us)
{
    /* A TIME_WAIT lasts beyond the record that shows it: it is counted
     * when the tracker lets the connection go and its end is known. */
    if (at_us > f->latest_gone_us)
        f->latest_gone_us = at_us;
    bool kept = true;
    for (int i = 0; i < 2; i++)
        if (c->flags & (WST_CONN_TIME_WAIT << i))
            kept &= add_time_wait(f, c, i, why, at_us); /* F5 */
    f->untracked += !kept;
}

/* ---- judging ---- */

/* The most TIME_WAIT a destination group held at once; updates its host's busiest. */
static void judge_dest(struct wst_findings *f, struct wst_find_group *d)
{
    /* A sweep over the seconds: each holds the TIME_WAITs entered then
     * minus those that ended then; the running sum is what was held. */
    Word_t sec = 0;
    int64_t held = d->folded_held, peak = d->folded_peak; /* the seconds swept already */
    wst_ts_us peak_us = d->folded_peak_us;
    for (PWord_t pv = (PWord_t)JudyLFirst(d->seconds, &sec, PJE0); pv;
         pv = (PWord_t)JudyLNext(d->seconds, &sec, PJE0)) {
        held += (int64_t)*pv;
        if (held > peak) {
            peak = held;
            peak_us = (wst_ts_us)sec * WST_US_PER_S;
        }
    }
    struct wst_find_group *h = &f->groups[d->parent];
    if ((uint64_t)peak > h->tw_peak) {
        h->tw_peak = (uint64_t)peak;
        h->tw_peak_us = peak_us;
        h->tw_dest_addr = d->dest_addr;
        h->tw_dest_port = d->dest_port;
    }
}

static struct wst_finding *new_finding(struct wst_findings *f, size_t *cap, const struct wst_find_group *g,
                                       enum wst_finding_kind kind, const struct tally *t)
{
    if (f->n_out == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        f->out = wst_xrealloc(f->out, *cap, sizeof *f->out);
    }
    struct wst_finding *x = &f->out[f->n_out++];
    memset(x, 0, sizeof *x);
    x->kind = (uint8_t)kind;
    x->severity = WST_SEV_WARNING;
    x->family = g->family;
    x->role = g->scope == SCOPE_SERVER ? WST_ROLE_SERVER : WST_ROLE_CLIENT;
    x->addr = g->addr;
    x->port = g->port;
    x->host = g->scope == SCOPE_HOST;
    x->connections = t->n;
    x->peers = distinct_estimate(&t->peers, &x->peers_at_least);
    if (x->peers > t->n) {
        x->peers = t->n;
        x->peers_at_least = false;
    }
    x->since_us = t->since;
    x->until_us = t->until;
    return x;
}

/* time_wait ranks by what could run out: the most held at once. */
static uint64_t rank(const struct wst_finding *x)
{
    return x->kind == WST_FIND_TIME_WAIT ? x->peak : x->connections;
}

static int cmp_finding(const void *pa, const void *pb)
{
    const struct wst_finding *a = pa, *b = pb;
    if (a->severity != b->severity)
        return a->severity > b->severity ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    if (rank(a) != rank(b))
        return rank(a) > rank(b) ? -1 : 1;
    if (a->connections != b->connections)
        return a->connections > b->connections ? -1 : 1;
    if (a->host != b->host)
        return a->host ? 1 : -1;
    if (a->family != b->family)
        return a->family < b->family ? -1 : 1;
    int d = memcmp(a->addr.b, b->addr.b, sizeof a->addr.b);
    if (d)
        return d;
    return a->port < b->port ? -1 : a->port > b->port;
}

/*
 * A judge of one kind of finding: adds the finding group g makes, if it
 * makes one, to f's findings (cap: the array's room, new_finding()).
 */
typedef void finding_judge_fn(struct wst_findings *f, size_t *cap, const struct wst_find_group *g);

/* F2: flood_min half-open attempts or more to a server endpoint, from
 * WST_FLOOD_SOURCES_MIN sources or more (counted exactly). */
static void judge_syn_flood(struct wst_findings *f, size_t *cap, const struct wst_find_group *g)
{
    bool at_least;
    if (g->scope != SCOPE_SERVER || g->half_open.n < f->cfg.flood_min ||
        distinct_estimate(&g->half_open.peers, &at_least) < WST_FLOOD_SOURCES_MIN)
        return;
    struct wst_finding *x = new_finding(f, cap, g, WST_FIND_SYN_FLOOD, &g->half_open);
    x->synack_unacked = g->synack_unacked;
    x->unanswered = g->half_open.n - g->synack_unacked;
    x->attempts = g->attempts;
    x->completed = g->completed;
    x->spread_us = g->half_open_last - g->half_open.since;
    x->retried = g->half_open_retried;
}

/* F3: group_min failed attempts or more to a server endpoint. */
static void judge_unreachable_service(struct wst_findings *f, size_t *cap, const struct wst_find_group *g)
{
    if (g->scope != SCOPE_SERVER || g->failed.n < f->cfg.group_min)
        return;
    struct wst_finding *x = new_finding(f, cap, g, WST_FIND_UNREACHABLE_SERVICE, &g->failed);
    x->unanswered = g->unanswered;
    x->refused = g->refused;
    x->unreachable = g->unreachable;
    x->icmp_type = g->icmp_type;
    x->icmp_code = g->icmp_code;
    x->icmp_from = g->icmp_from;
    x->attempts = g->attempts;
    x->completed = g->completed;
}

/* F4: group_min connections or more lingering in CLOSE_WAIT on a server
 * endpoint or a client host. */
static void judge_close_wait_pileup(struct wst_findings *f, size_t *cap, const struct wst_find_group *g)
{
    if (g->close_wait.n < f->cfg.group_min)
        return;
    struct wst_finding *x = new_finding(f, cap, g, WST_FIND_CLOSE_WAIT_PILEUP, &g->close_wait);
    x->ongoing = g->cw_ongoing;
    x->longest_us = g->cw_longest_us;
}

/* F5: a host that closed group_min connections or more first; a warning
 * when its busiest destination held half the ephemeral ports or more. */
static void judge_time_wait(struct wst_findings *f, size_t *cap, const struct wst_find_group *g)
{
    const struct wst_findings_config *cfg = &f->cfg;
    if (g->scope != SCOPE_HOST || g->time_wait.n < cfg->group_min)
        return;
    uint32_t ports = (uint32_t)cfg->ephemeral_hi - cfg->ephemeral_lo + 1;
    struct wst_finding *x = new_finding(f, cap, g, WST_FIND_TIME_WAIT, &g->time_wait);
    x->role = g->tw_as_client >= g->tw_as_server ? WST_ROLE_CLIENT : WST_ROLE_SERVER;
    x->as_client = g->tw_as_client;
    x->as_server = g->tw_as_server;
    x->peak = g->tw_peak;
    x->peak_us = g->tw_peak_us;
    x->dest_addr = g->tw_dest_addr;
    x->dest_port = g->tw_dest_port;
    x->ports = ports;
    x->longest_us = cfg->time_wait_us;
    /* Half the range toward one destination: the next burst can use up
     * the rest, and connect() fails with EADDRNOTAVAIL. */
    x->severity = (uint64_t)2 * x->peak >= ports ? WST_SEV_WARNING : WST_SEV_INFO;
}

/* One judge per kind, run on every group in this order. */
static finding_judge_fn *const judges[WST_FIND__COUNT] = {
    [WST_FIND_SYN_FLOOD] = judge_syn_flood,
    [WST_FIND_UNREACHABLE_SERVICE] = judge_unreachable_service,
    [WST_FIND_CLOSE_WAIT_PILEUP] = judge_close_wait_pileup,
    [WST_FIND_TIME_WAIT] = judge_time_wait,
};

const struct wst_finding *wst_findings_collect(struct wst_findings *f, size_t *n)
{
    size_t cap = 0;
    free(f->out);
    f->out = NULL;
    f->n_out = 0;
    for (size_t i = 0; i < f->n_groups; i++)
        if (f->groups[i].scope == SCOPE_HOST)
            f->groups[i].tw_peak = 0;
    for (size_t i = 0; i < f->n_groups; i++)
        if (f->groups[i].scope == SCOPE_DEST)
            judge_dest(f, &f->groups[i]);

    for (size_t i = 0; i < f->n_groups; i++) {
        if (f->groups[i].scope == SCOPE_DEST)
            continue;
        for (int k = 0; k < WST_FIND__COUNT; k++)
            judges[k](f, &cap, &f->groups[i]);
    }
    if (f->n_out > 1)
        qsort(f->out, f->n_out, sizeof *f->out, cmp_finding);
    *n = f->n_out;
    return f->out;
}

/* ---- what a finding is about ---- */

size_t wst_finding_where(char *out, const struct wst_finding *x)
{
    if (x->host)
        return wst_addr_format(out, x->family, x->addr.b);
    return wst_endpoint_format(out, x->family, &x->addr, x->port);
}

void wst_findings_fini(struct wst_findings *f)
{
    for (size_t i = 0; i < f->n_groups; i++) {
        struct wst_find_group *g = &f->groups[i];
        distinct_fini(&g->half_open.peers);
        distinct_fini(&g->failed.peers);
        distinct_fini(&g->close_wait.peers);
        distinct_fini(&g->time_wait.peers);
        JudyLFreeArray(&g->seconds, PJE0);
    }
    free(f->groups);
    JudyHSFreeArray(&f->index, PJE0);
    wst_wordmap_fini(&f->index4);
    free(f->out);
    memset(f, 0, sizeof *f);
}

/* ---- the pipeline stage ---- */

static struct wst_findings_sink *stage_of(struct wst_sink *s)
{
    return (struct wst_findings_sink *)(void *)s;
}

static void stage_begin(struct wst_sink *s, const struct wst_conn *c)
{
    wst_sink_begin(stage_of(s)->next, c);
}

static void stage_event(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev)
{
    wst_sink_event(stage_of(s)->next, c, id, ev);
}

static void stage_conn(struct wst_sink *s, const struct wst_conn_report *r)
{
    struct wst_findings_sink *fs = stage_of(s);
    wst_findings_add(&fs->findings, r);
    wst_sink_conn(fs->next, r);
}

static void stage_anomaly(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_anomaly *a)
{
    wst_sink_anomaly(stage_of(s)->next, c, id, a);
}

static void stage_snapshot(struct wst_sink *s, const struct wst_conn_report *r)
{
    wst_sink_snapshot(stage_of(s)->next, r); /* not finished: nothing to count */
}

static void stage_status(struct wst_sink *s, const struct wst_status *st)
{
    wst_sink_status(stage_of(s)->next, st);
}

static void stage_gone(struct wst_sink *s, const struct wst_conn *c, enum wst_end_reason why, wst_ts_us at_us)
{
    struct wst_findings_sink *fs = stage_of(s);
    wst_findings_gone(&fs->findings, c, why, at_us);
    wst_sink_gone(fs->next, c, why, at_us);
}

static void stage_summary(struct wst_sink *s, const struct wst_summary *sum)
{
    struct wst_findings_sink *fs = stage_of(s);
    struct wst_summary out = *sum;
    out.findings = wst_findings_collect(&fs->findings, &out.n_findings);
    out.findings_untracked = fs->findings.untracked;
    wst_sink_summary(fs->next, &out);
}

static const struct wst_sink_ops stage_ops = {
    .begin = stage_begin,
    .event = stage_event,
    .anomaly = stage_anomaly,
    .conn = stage_conn,
    .snapshot = stage_snapshot,
    .status = stage_status,
    .gone = stage_gone,
    .summary = stage_summary,
};

void wst_findings_sink_init(struct wst_findings_sink *fs, const struct wst_findings_config *cfg, struct wst_sink *next)
{
    fs->sink.ops = &stage_ops;
    fs->next = next;
    wst_findings_init(&fs->findings, cfg);
}

void wst_findings_sink_fini(struct wst_findings_sink *fs)
{
    wst_findings_fini(&fs->findings);
}
