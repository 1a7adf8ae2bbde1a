/*
 * tracker.c - the per-segment engine.
 *
 * For each item from dispatch (item.h): advance capture time, find or
 * create the connection by its key, update its counters and client
 * orientation, and step both endpoints' state machines (fsm.c). A
 * connection is reported to the next stage as soon as it is over on the
 * wire (after a short grace, below), or when it times out, is taken over,
 * or the capture ends; its record then stays in the table, reported, only
 * as long as its TIME_WAIT lasts, so late segments and a reused 4-tuple
 * still find it.
 *
 * Assumptions and invariants:
 *  1. Capture time is the latest item time or advance() time seen; it
 *     never moves back (dispatch already keeps it monotonic).
 *  2. A connection's id is the sequence number dispatch gave its first
 *     packet: ids are unique, and grow with creation order.
 *  3. The client is the sender of the first SYN without ACK; failing that
 *     the receiver of a SYN+ACK; failing that a guess from the ports
 *     (ports.h). A SYN that also carries FIN is neither: it opens nothing
 *     (fsm.c, assumption 7). A later handshake segment overrides a weaker
 *     basis, never a stronger one (RFC 9293 §3.5: only the active opener
 *     sends a bare SYN, apart from simultaneous open, where the first SYN
 *     seen wins).
 *  4. Every connection is reported exactly once, with an end reason:
 *     closed or reset (every endpoint CLOSED, LISTEN or TIME_WAIT for
 *     REPORT_GRACE_US: done on the wire), reused (a SYN with a new ISN took
 *     the 4-tuple before it was done), timeout (idle), capture_end. Reports
 *     come in the order connections end, which is the order of the packets
 *     and timers that end them (deterministic for a given input); at the
 *     end of the capture what is left comes in id (first-seen) order.
 *  4a. A reported record stays in the table (WST_CONN_REPORTED) until both
 *     endpoints are CLOSED or LISTEN and 2 x MSL passed without packets,
 *     or it is idle, or a new connection takes its 4-tuple; then it is
 *     freed without another report.
 *  5. A PARTIAL item (a TCP header the snap length cut after the ports) is
 *     a packet (no flags, no payload) of its connection. It does not move
 *     any state: its flags and sequence numbers are unknown.
 *  6. Timers run on capture time, at the time of the item being processed:
 *     an event due before a packet is handled before it.
 *  7. Every report is whole (check_report()): it ends no earlier than its
 *     last packet; its anomalies are of known kinds, at most one per kind
 *     and endpoint, each with a count, within the record's time span and
 *     sorted by start.
 *  8. After a connection's timers ran at `now`, its next deadline is later
 *     than `now`: whatever was due was acted on.
 * Debug builds check a record's invariants (conn.c, R1-R7) after every
 * step that touched it, and invariant 7 for every report, when WST_CHECK
 * is set (the tests set it).
 */
#include "wirestate/tracker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq.h"
#include "alloc.h"

/*
 * The timer wheel: one bucket per slot of 2^16 us (65.5 ms) of capture
 * time, each an array of the connections with a deadline in that slot
 * (TIME_WAIT ending, a report due, an idle timeout, rules L and G). A
 * connection has one live entry, whose slot plus 1 it keeps in timer_slot:
 * an entry for an earlier deadline replaces it, a later deadline waits
 * until the entry fires and the connection is rescheduled from what it
 * is then. Other entries are stale and skipped, and so is a freed record
 * (id 0: the pool's memory stays mapped); one reused by another connection
 * is at worst checked early, which changes nothing. Deadlines beyond the
 * wheel wait in the furthest slot.
 */
#define SLOT_SHIFT 16
#define WHEEL_SLOTS 8192 /* 536 s ahead */

/*
 * How long a connection stays done on the wire before it is reported: a
 * last ACK lost after the capture point shows as the FIN sent again, which
 * Linux does 200 ms after it at the latest for the first time (TCP_RTO_MIN;
 * a tail loss probe comes sooner), so a record written later than that
 * rarely has to be wrong. Live, a record is out within this plus a slot
 * plus the wall-clock tick (main.c): under a second.
 */
#define REPORT_GRACE_US 500000u


struct bucket {
    struct wst_conn **e;
    size_t n, cap;
};

/*
 * The half-open handshakes, oldest first, for eviction (make_room()): a
 * ring of tagged references, pushed when a connection is created still
 * opening, checked when taken (it may have completed its handshake, or
 * been freed: a freed record's id is 0, a reused one's differs in the
 * tag). Stale entries go when the ring is full, before it grows, so it
 * holds about as many entries as there are half-open connections.
 */
struct half_open_ring {
    uint64_t *e;              /* (uintptr_t)conn | (id & 0xFFFF) << 48 */
    size_t head, n, cap;
};

struct wst_tracker {
    struct wst_flow_table *table;
    struct wst_tracker_stats stats;
    wst_ts_us now_us;         /* capture time (invariant 1) */
    struct wst_port_set server_ports;
    uint64_t time_wait_us;    /* 2 x MSL */
    uint64_t idle_us;         /* 0 = no idle timeout */
    uint64_t wheel_slot;      /* the slot of the next bucket to run */
    bool wheel_started;       /* wheel_slot is set (the first packet came) */
    uint64_t next_tick_us;    /* advance() has nothing to do before this */
    struct bucket wheel[WHEEL_SLOTS];
    uint32_t timeline_max;    /* 0: no timelines */
    struct wst_anomaly_config anomaly;
    struct wst_notes_table notes;
    bool events;              /* hand timeline-worthy segments on */
    uint64_t max_conns;       /* 0: no bound */
    struct half_open_ring half_open;
    uint64_t evict_slot;      /* make_room()'s place in the wheel: a slot... */
    size_t evict_index;       /* ...and an entry of its bucket */
    struct wst_sink *next;
};

/* The timeline of a connection, in its extension. */
static struct wst_timeline **timeline_of(struct wst_conn *c)
{
    return &wst_conn_ext(c)->timeline;
}

/* The timeline c has, or NULL (without making an extension). */
static struct wst_timeline *timeline_if_any(const struct wst_conn *c)
{
    return c->ext ? c->ext->timeline : NULL;
}

struct wst_tracker *wst_tracker_new(const struct wst_tracker_config *cfg, struct wst_sink *next)
{
    struct wst_tracker *t = wst_xcalloc(1, sizeof *t);
    t->table = wst_flow_table_new(cfg->hash_seed);
    t->server_ports = *cfg->server_ports;
    t->time_wait_us = 2ULL * cfg->msl_s * WST_US_PER_S;
    t->idle_us = (uint64_t)cfg->idle_timeout_s * WST_US_PER_S;
    t->timeline_max = cfg->timeline_max;
    t->anomaly = cfg->anomaly;
    t->events = cfg->events;
    t->max_conns = cfg->max_connections;
    t->next = next;
    return t;
}

/* Frees what c's extension owns (the extension itself goes with the record). */
static void release_ext(struct wst_tracker *t, struct wst_conn *c)
{
    if (c->ext == NULL)
        return;
    wst_timeline_free(c->ext->timeline);
    c->ext->timeline = NULL;
    wst_notes_drop(&t->notes, c);
}

void wst_tracker_free(struct wst_tracker *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < WHEEL_SLOTS; i++)
        free(t->wheel[i].e);
    free(t->half_open.e);
    size_t n;
    struct wst_conn **all = wst_flow_table_all(t->table, &n);
    for (size_t i = 0; i < n; i++)
        release_ext(t, all[i]);
    free(all);
    wst_notes_table_fini(&t->notes);
    wst_flow_table_free(t->table);
    free(t);
}

const struct wst_tracker_stats *wst_tracker_stats(const struct wst_tracker *t)
{
    return &t->stats;
}

struct wst_flow_table *wst_tracker_table(struct wst_tracker *t)
{
    return t->table;
}

const struct wst_conn *wst_tracker_get(struct wst_tracker *t, const struct wst_flow_key *key)
{
    return wst_flow_table_get(t->table, key, wst_flow_table_hash(t->table, key));
}

wst_ts_us wst_tracker_next_tick(const struct wst_tracker *t)
{
    return t->next_tick_us;
}

void wst_tracker_prefetch_slot(const struct wst_tracker *t, uint64_t hash)
{
    wst_flow_table_prefetch_slot(t->table, hash);
}

void wst_tracker_prefetch_conn(const struct wst_tracker *t, uint64_t hash)
{
    wst_flow_table_prefetch_conn(t->table, hash);
}

static bool is_over_state(uint8_t st)
{
    return st == WST_ST_CLOSED || st == WST_ST_LISTEN;
}

/* Both endpoints are done with this connection, TIME_WAIT over too. */
static bool is_over(const struct wst_conn *c)
{
    return is_over_state(c->ep[0].state) && is_over_state(c->ep[1].state);
}

/* Done on the wire (invariant 4): what is left is at most a TIME_WAIT. */
static bool is_done(const struct wst_conn *c)
{
    for (int i = 0; i < 2; i++) {
        if (!is_over_state(c->ep[i].state) && c->ep[i].state != WST_ST_TIME_WAIT)
            return false;
    }
    return true;
}

/* When c became done: its last packet, or a timer after it (rules L, G). */
static wst_ts_us done_at(const struct wst_conn *c)
{
    wst_ts_us end = c->last_ts_us;
    for (int i = 0; i < 2; i++) {
        wst_ts_us at = wst_conn_at_us(c, c->ep[i].since_ms);
        if (!is_over_state(c->ep[i].state) && c->ep[i].state != WST_ST_TIME_WAIT)
            continue;
        if (at > end && c->ep[i].state != WST_ST_TIME_WAIT)
            end = at;
    }
    return end;
}

/* Rule G's deadline of endpoint i, unless the record ends before it (idle). */
static uint32_t syn_deadline(const struct wst_tracker *t, const struct wst_conn *c, int i)
{
    uint32_t g = wst_fsm_syn_deadline(&c->ep[i], &c->ep[!i]);
    if (g && t->idle_us && wst_conn_at_us(c, g) > c->last_ts_us + t->idle_us)
        return 0;
    return g;
}

static void earliest(wst_ts_us *d, wst_ts_us e)
{
    if (e && (*d == 0 || e < *d))
        *d = e;
}

/* The next time a timer concerns c, or 0 if none does; an anomaly counts
 * when it comes due after `now`. */
static wst_ts_us next_deadline(const struct wst_tracker *t, const struct wst_conn *c, wst_ts_us now)
{
    wst_ts_us d = 0;
    for (int i = 0; i < 2; i++) {
        uint32_t fsm = wst_fsm_fin_ack_deadline(&c->ep[i]), g = syn_deadline(t, c, i);
        if (g && (!fsm || g < fsm))
            fsm = g; /* rule G's give-up, else rule L's FIN ACK */
        if (fsm)
            earliest(&d, wst_conn_at_us(c, fsm));
        else if (c->ep[i].state == WST_ST_TIME_WAIT)
            earliest(&d, wst_conn_at_us(c, c->ep[i].since_ms) + t->time_wait_us);
    }
    if (!(c->flags & WST_CONN_REPORTED) && is_done(c))
        earliest(&d, done_at(c) + REPORT_GRACE_US);
    if (is_over(c))
        earliest(&d, c->last_ts_us + t->time_wait_us);
    if (t->idle_us)
        earliest(&d, c->last_ts_us + t->idle_us);
    else
        earliest(&d, now + ((uint64_t)(WHEEL_SLOTS - 2) << SLOT_SHIFT)); /* the far slot: make_room() finds it */
    if (t->events && !(c->flags & WST_CONN_REPORTED))
        earliest(&d, wst_anomaly_next_due(c, wst_notes_find(&t->notes, c), &t->anomaly,
                                          c->ext ? c->ext->announced : 0, now));
    return d;
}

/*
 * Makes sure c's timers run by `at` (or the furthest slot): a new entry
 * unless its live one is as early already.
 */
static void schedule(struct wst_tracker *t, struct wst_conn *c, wst_ts_us at)
{
    /* Never into the bucket being run (the one before wheel_slot). */
    uint64_t s = at >> SLOT_SHIFT;
    if (s < t->wheel_slot)
        s = t->wheel_slot;
    if (s > t->wheel_slot + WHEEL_SLOTS - 2)
        s = t->wheel_slot + WHEEL_SLOTS - 2;
    uint32_t mark = (uint32_t)s + 1;
    if (c->timer_slot && (int32_t)(c->timer_slot - mark) <= 0)
        return; /* its live entry comes first; it reschedules then */
    c->timer_slot = mark;
    struct bucket *b = &t->wheel[s % WHEEL_SLOTS];
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        b->e = wst_xrealloc(b->e, cap, sizeof *b->e);
        b->cap = cap;
    }
    b->e[b->n++] = c;
}

/* A state whose entry may bring a new deadline (segment() above). */
static bool timed_state(uint8_t st)
{
    return st == WST_ST_TIME_WAIT || st == WST_ST_SYN_SENT || is_over_state(st);
}

/* Schedules c at its next deadline after `now`, if it has one. */
static void reschedule_at(struct wst_tracker *t, struct wst_conn *c, wst_ts_us now)
{
    wst_ts_us d = next_deadline(t, c, now);
    if (d)
        schedule(t, c, d);
}

/* Schedules c at its next deadline, if it has one. */
static void reschedule(struct wst_tracker *t, struct wst_conn *c)
{
    wst_ts_us d = next_deadline(t, c, t->now_us);
    if (d)
        schedule(t, c, d);
}

/* Aborts naming the report invariant (7) broken. */
static _Noreturn void report_broken(const struct wst_conn_report *r, const char *what)
{
    fprintf(stderr, "wirestate: report of connection %llu: invariant broken: %s\n",
            (unsigned long long)r->conn->id, what);
    abort();
}

/* Invariant 7. */
static void check_report(const struct wst_conn_report *r)
{
    const struct wst_conn *c = r->conn;
    wst_conn_check(c);
    if (r->end_us < c->last_ts_us)
        report_broken(r, "ends before its last packet");
    if (r->n_anomalies > WST_ANOMALY_MAX)
        report_broken(r, "too many anomalies");
    bool seen[WST_AN__COUNT][2] = {{false}};
    for (size_t i = 0; i < r->n_anomalies; i++) {
        const struct wst_anomaly *a = &r->anomalies[i];
        if (a->kind >= WST_AN__COUNT || a->endpoint > 1)
            report_broken(r, "anomaly kind or endpoint");
        if (seen[a->kind][a->endpoint])
            report_broken(r, "two anomalies of one kind and endpoint");
        seen[a->kind][a->endpoint] = true;
        if (a->count == 0)
            report_broken(r, "anomaly without a count");
        if (a->since_us > a->until_us || a->since_us < c->first_ts_us || a->until_us > r->end_us)
            report_broken(r, "anomaly outside the record's span");
        if (i > 0 && r->anomalies[i - 1].since_us > a->since_us)
            report_broken(r, "anomalies not sorted by start");
    }
}

/* Invariants of a record after a step (conn.c, R1-R7), in debug builds. */
static void check(const struct wst_conn *c)
{
    if (wst_check_enabled())
        wst_conn_check(c);
}

/* When a connection's record ends (wst_conn_report.end_us). */
static wst_ts_us record_end(const struct wst_tracker *t, const struct wst_conn *c,
                            const struct wst_anomaly_notes *notes)
{
    switch (c->end_reason) {
    case WST_END_CAPTURE_END:
    case WST_END_EVICTED:
        return t->now_us;
    case WST_END_TIMEOUT:
        return c->last_ts_us + t->idle_us;
    case WST_END_REUSED: { /* the new SYN's time, kept when a SYN of this one was waiting */
        if (notes && notes->end_us)
            return notes->end_us;
        /* ...or when its client gave up (fsm.c rule G), after its last packet. */
        wst_ts_us end = c->last_ts_us;
        for (int i = 0; i < 2; i++)
            if ((c->flags & (WST_CONN_GAVE_UP << i)) && wst_conn_at_us(c, c->ep[i].since_ms) > end)
                end = wst_conn_at_us(c, c->ep[i].since_ms);
        return end;
    }
    default: {
        /* Over: when its last endpoint was done, which a timer may have
         * decided after the last packet (rule L, the end of TIME_WAIT). */
        wst_ts_us end = c->last_ts_us;
        for (int i = 0; i < 2; i++)
            if (wst_conn_at_us(c, c->ep[i].since_ms) > end)
                end = wst_conn_at_us(c, c->ep[i].since_ms);
        return end;
    }
    }
}

/*
 * Writes c's record: its anomalies judged at its end, counted, handed to
 * the next stage. The record stays held (invariant 4a) but what it kept
 * for the record (timeline, notes) is freed.
 */
static void report(struct wst_tracker *t, struct wst_conn *c, enum wst_end_reason why)
{
    struct wst_anomaly found[WST_ANOMALY_MAX];
    struct wst_tracker_stats *st = &t->stats;
    c->end_reason = (uint8_t)why;
    c->flags |= WST_CONN_REPORTED;
    st->by_end_reason[why]++;
    st->ended++;
    const struct wst_anomaly_notes *notes = wst_notes_find(&t->notes, c);
    struct wst_timeline *tl = timeline_if_any(c);
    struct wst_conn_report r = {
        .conn = c,
        .id = c->id,
        .timeline = tl ? tl : t->timeline_max ? wst_timeline_empty() : NULL,
        .anomalies = found,
        .end_us = record_end(t, c, notes),
    };
    r.n_anomalies = wst_anomaly_collect(c, notes, r.end_us, &t->anomaly, found);
    uint32_t announced = c->ext ? c->ext->announced : 0;
    for (size_t i = 0; i < r.n_anomalies; i++) {
        st->by_anomaly[found[i].kind]++;
        st->raised += !(announced & ((uint32_t)1 << (2 * found[i].kind + found[i].endpoint)));
    }
    st->anomalies += r.n_anomalies;
    st->with_anomalies += r.n_anomalies != 0;
    if (wst_check_enabled())
        check_report(&r);
    wst_sink_conn(t->next, &r);
    release_ext(t, c);
}

/*
 * --events: writes each anomaly of c not written yet, as judged at `now`
 * (raised by a segment, or a condition that has just lasted its
 * threshold). The record, when it comes, holds them all.
 */
static void announce(struct wst_tracker *t, struct wst_conn *c, wst_ts_us now)
{
    if (!t->events || (c->flags & WST_CONN_REPORTED))
        return;
    struct wst_anomaly found[WST_ANOMALY_MAX];
    size_t n = wst_anomaly_collect(c, wst_notes_find(&t->notes, c), now, &t->anomaly, found);
    for (size_t i = 0; i < n; i++) {
        uint32_t bit = (uint32_t)1 << (2 * found[i].kind + found[i].endpoint);
        uint32_t done = c->ext ? c->ext->announced : 0;
        if (done & bit)
            continue;
        wst_conn_ext(c)->announced = done | bit;
        t->stats.announced++;
        t->stats.raised++;
        wst_sink_anomaly(t->next, c, c->id, &found[i]);
    }
}

/*
 * Takes c out of the table and frees it: reported first as `why`, if it
 * was not, then announced gone for `gone` (sink.h).
 */
static void drop(struct wst_tracker *t, struct wst_conn *c, enum wst_end_reason why, enum wst_end_reason gone,
                 wst_ts_us now)
{
    if (!(c->flags & WST_CONN_REPORTED))
        report(t, c, why);
    wst_flow_table_remove(t->table, c);
    wst_sink_gone(t->next, c, gone, now);
    release_ext(t, c);
    wst_flow_table_release(t->table, c);
}

/* ---- eviction: a full table makes room for a new connection ---- */

/* Still opening: not written, an endpoint in SYN_SENT or SYN_RCVD and
 * neither past it (UNKNOWN, CLOSED, LISTEN are not). */
static bool half_open(const struct wst_conn *c)
{
    uint8_t a = c->ep[0].state, b = c->ep[1].state;
    return !(c->flags & WST_CONN_REPORTED) && a <= WST_ST_SYN_RCVD && b <= WST_ST_SYN_RCVD &&
           (a >= WST_ST_SYN_SENT || b >= WST_ST_SYN_SENT);
}

static uint64_t ring_tag(const struct wst_conn *c)
{
    return (uint64_t)(uintptr_t)c | (uint64_t)(c->id & 0xFFFF) << 48;
}

/* The connection an entry names, if it is still that one and half-open. */
static struct wst_conn *ring_live(uint64_t e)
{
    struct wst_conn *c = (struct wst_conn *)(uintptr_t)(e & (((uint64_t)1 << 48) - 1));
    if (c->id == 0 || (c->id & 0xFFFF) != e >> 48 || !half_open(c))
        return NULL; /* freed, reused, or past its handshake */
    return c;
}

static void ring_push(struct half_open_ring *r, const struct wst_conn *c)
{
    if (r->n == r->cap) {
        /* Full: drop the stale entries first; grow if that freed too little. */
        size_t kept = 0;
        for (size_t i = 0; i < r->n; i++) {
            uint64_t e = r->e[(r->head + i) % r->cap];
            if (ring_live(e))
                r->e[(r->head + kept++) % r->cap] = e;
        }
        r->n = kept;
        if (kept > r->cap / 2 || r->cap == 0) {
            size_t cap = r->cap ? 2 * r->cap : 1024;
            uint64_t *e = wst_xcalloc(cap, sizeof *e);
            for (size_t i = 0; i < r->n; i++)
                e[i] = r->e[(r->head + i) % r->cap];
            free(r->e);
            r->e = e;
            r->cap = cap;
            r->head = 0;
        }
    }
    r->e[(r->head + r->n++) % r->cap] = ring_tag(c);
}

/* The oldest half-open connection, taken off the ring, or NULL. */
static struct wst_conn *ring_pop(struct half_open_ring *r)
{
    while (r->n) {
        uint64_t e = r->e[r->head];
        r->head = (r->head + 1) % r->cap;
        r->n--;
        struct wst_conn *c = ring_live(e);
        if (c)
            return c;
    }
    return NULL;
}

/*
 * The first live wheel entry from make_room()'s place on whose deadline is
 * in its slot, or NULL. An entry may sit earlier than its connection's
 * deadline, which a packet moved on without rescheduling (segment()): it
 * is moved to its slot on the way, as running it would.
 */
static struct wst_conn *scan_wheel(struct wst_tracker *t)
{
    for (; t->evict_slot < t->wheel_slot + WHEEL_SLOTS; t->evict_slot++, t->evict_index = 0) {
        struct bucket *b = &t->wheel[t->evict_slot % WHEEL_SLOTS];
        for (; t->evict_index < b->n; t->evict_index++) {
            struct wst_conn *c = b->e[t->evict_index];
            if (c->id == 0 || c->timer_slot != (uint32_t)t->evict_slot + 1)
                continue; /* freed, or a stale entry */
            wst_ts_us d = next_deadline(t, c, t->now_us);
            uint64_t far = t->wheel_slot + WHEEL_SLOTS - 2; /* schedule()'s furthest slot */
            if (d && (d >> SLOT_SHIFT < far ? d >> SLOT_SHIFT : far) > t->evict_slot) {
                c->timer_slot = 0;
                schedule(t, c, d); /* into a later bucket, which the scan meets again */
                continue;
            }
            return c;
        }
    }
    return NULL;
}

/*
 * The connection whose next timer comes first: the first live entry of
 * the wheel from the current slot on. Every connection held has one (its
 * idle timeout, TIME_WAIT's end, or the far slot: next_deadline()), so
 * this is one waiting out its TIME_WAIT, or the one idle longest. The scan
 * resumes where the previous one stopped, and starts over from the
 * current slot when it finds nothing beyond (entries scheduled behind it).
 */
static struct wst_conn *soonest(struct wst_tracker *t)
{
    if (t->evict_slot < t->wheel_slot) {
        t->evict_slot = t->wheel_slot;
        t->evict_index = 0;
    }
    struct wst_conn *c = scan_wheel(t);
    if (c == NULL) {
        t->evict_slot = t->wheel_slot;
        t->evict_index = 0;
        c = scan_wheel(t);
    }
    return c;
}

/*
 * Keeps the table within --max-connections once `fresh` joined it (made in
 * the same walk that looked for it, so a new connection costs one Judy
 * walk): evicts the oldest half-open handshake (a SYN flood's are these;
 * Linux conntrack's early drop also takes the not yet established first),
 * else the connection whose timer comes first. Neither can be `fresh`: it
 * is not on the ring yet and has no timer. The evicted record is written.
 */
static void make_room(struct wst_tracker *t, const struct wst_conn *fresh)
{
    if (!t->max_conns || wst_flow_table_held(t->table) <= t->max_conns)
        return;
    struct wst_conn *c = ring_pop(&t->half_open);
    if (c == NULL)
        c = soonest(t);
    if (c == NULL || c == fresh)
        return; /* none has a timer: cannot be while one is held (next_deadline()) */
    t->stats.evicted++;
    drop(t, c, WST_END_EVICTED, WST_END_EVICTED, t->now_us);
}

/* How a connection that is over ended: by a RST that counted, or by FIN and ACK. */
static enum wst_end_reason over_reason(const struct wst_conn *c)
{
    return (c->flags & WST_CONN_RESET) ? WST_END_RESET : WST_END_CLOSED;
}

/* Moves c's endpoints one step each by the timers due by `now` (rules L
 * and G, TIME_WAIT's end); true if one moved. */
static bool expire_once(struct wst_tracker *t, struct wst_conn *c, wst_ts_us now)
{
    /* One endpoint's timer may move the other too (rule G): compare both. */
    uint8_t st[2] = {c->ep[0].state, c->ep[1].state};
    uint32_t since[2] = {c->ep[0].since_ms, c->ep[1].since_ms};
    for (int i = 0; i < 2; i++) {
        if (wst_fsm_syn_deadline(&c->ep[i], &c->ep[!i]) && !syn_deadline(t, c, i))
            continue; /* idle before rule G: the record ends by timeout */
        wst_fsm_expire(&c->ep[i], &c->ep[!i], wst_conn_ms(c, now), (uint32_t)(t->time_wait_us / 1000));
    }
    bool moved = false;
    for (int i = 0; i < 2; i++) {
        struct wst_endpoint *ep = &c->ep[i];
        if (ep->state == st[i])
            continue;
        moved = true;
        /* Rule L can move CLOSING on to TIME_WAIT: it closed first. */
        if (ep->state == WST_ST_TIME_WAIT)
            c->flags |= (uint8_t)(WST_CONN_TIME_WAIT << i);
        if (st[i] == WST_ST_SYN_SENT && ep->state == WST_ST_CLOSED)
            c->flags |= (uint8_t)(WST_CONN_GAVE_UP << i); /* rule G */
        wst_anomaly_left_state(&t->notes, &t->anomaly, c, i, st[i], since[i], ep->since_ms);
    }
    return moved;
}

/* Moves c's endpoints by every timer due by `now`: one step may bring the
 * next due at once (rule L's CLOSING to TIME_WAIT, whose end has passed
 * too after a gap). Each step takes an endpoint towards CLOSED, so a few
 * rounds end it. */
static void expire(struct wst_tracker *t, struct wst_conn *c, wst_ts_us now)
{
    for (int round = 0; round < 4 && expire_once(t, c, now); round++)
        ;
}

/* Applies the timers of c due by `now`; reschedules it if more are to come. */
static void run_timers(struct wst_tracker *t, struct wst_conn *c, wst_ts_us now)
{
    expire(t, c, now);
    check(c);
    if (is_over(c) && now >= c->last_ts_us + t->time_wait_us) {
        drop(t, c, over_reason(c), over_reason(c), now);
        return;
    }
    if (t->idle_us && now >= c->last_ts_us && now - c->last_ts_us >= t->idle_us) {
        drop(t, c, WST_END_TIMEOUT, WST_END_TIMEOUT, now);
        return;
    }
    if (!(c->flags & WST_CONN_REPORTED) && is_done(c) && now >= done_at(c) + REPORT_GRACE_US)
        report(t, c, over_reason(c));
    announce(t, c, now);
    /* Invariant 8: every deadline due by now was acted on, so none is left
     * in the past (it would come back every slot). */
    if (wst_check_enabled()) {
        wst_ts_us d = next_deadline(t, c, now);
        if (d && d <= now) {
            fprintf(stderr, "wirestate: connection %llu: invariant broken: 8 deadline %llu not acted on at %llu\n",
                    (unsigned long long)c->id, (unsigned long long)d, (unsigned long long)now);
            abort();
        }
    }
    reschedule_at(t, c, now);
}

/* Runs the entries of one bucket that are still live. */
static void run_bucket(struct wst_tracker *t, struct bucket *b, uint32_t mark, wst_ts_us now)
{
    for (size_t i = 0; i < b->n; i++) {
        struct wst_conn *c = b->e[i];
        if (c->id == 0 || c->timer_slot != mark)
            continue; /* freed, or a stale entry */
        c->timer_slot = 0;
        run_timers(t, c, now);
    }
    b->n = 0; /* the array stays for the next round of the wheel */
}

/* Runs every bucket whose slot has passed by `now`: a deadline is acted on at most a slot late. */
static void advance(struct wst_tracker *t, wst_ts_us now)
{
    /* Nothing is due within the current slot (the common case: one compare). */
    if (now < t->next_tick_us)
        return;
    uint64_t now_slot = now >> SLOT_SHIFT;
    t->next_tick_us = (now_slot + 1) << SLOT_SHIFT;
    if (!t->wheel_started) {
        t->wheel_slot = now_slot; /* the first packet starts the clock */
        t->wheel_started = true;
    }
    if (now_slot - t->wheel_slot >= WHEEL_SLOTS) {
        /* A jump past the whole wheel (a gap in the capture, a damaged
         * clock): every entry is due or far off; check each live one once
         * from now instead of turning the wheel a slot at a time. */
        struct bucket *all = wst_xcalloc(WHEEL_SLOTS, sizeof *all);
        memcpy(all, t->wheel, WHEEL_SLOTS * sizeof *all);
        memset(t->wheel, 0, sizeof t->wheel);
        uint64_t first = t->wheel_slot;
        t->wheel_slot = now_slot;
        for (uint64_t k = 0; k < WHEEL_SLOTS; k++) {
            uint64_t slot = first + k;
            run_bucket(t, &all[slot % WHEEL_SLOTS], (uint32_t)slot + 1, now);
            free(all[slot % WHEEL_SLOTS].e);
        }
        free(all);
    }
    while (t->wheel_slot < now_slot) {
        uint64_t slot = t->wheel_slot++; /* entries rescheduled while this runs land in later buckets */
        /* A bucket's timers run at the end of its slot, not at the packet
         * that came after a quiet spell: what they raise is as of then. */
        wst_ts_us slot_end = (slot + 1) << SLOT_SHIFT;
        run_bucket(t, &t->wheel[slot % WHEEL_SLOTS], (uint32_t)slot + 1, slot_end < now ? slot_end : now);
    }
}

/* Decides or corrects which endpoint is the client (invariant 3). A
 * SYN+FIN, which opens nothing (fsm.c, assumption 7), says nothing of it. */
static void orient(struct wst_tracker *t, struct wst_conn *c, const struct wst_segment *seg, int from)
{
    enum wst_opening op = wst_fsm_opening(seg->flags);
    if (op == WST_OPEN_SYN) {
        if (c->client_basis != WST_CLIENT_SYN) {
            c->client = (uint8_t)from;
            c->client_basis = WST_CLIENT_SYN;
        }
    } else if (op == WST_OPEN_SYNACK) {
        if (c->client_basis != WST_CLIENT_SYN && c->client_basis != WST_CLIENT_SYN_ACK) {
            c->client = (uint8_t)!from;
            c->client_basis = WST_CLIENT_SYN_ACK;
        }
    } else if (c->client_basis == WST_CLIENT_UNSET) {
        int server = wst_ports_guess_server(&t->server_ports, c->port[0], c->port[1], !from);
        c->client = (uint8_t)!server;
        c->client_basis = WST_CLIENT_PORTS;
    }
}

/* A connection's first packet: its clock, and its endpoints' starting states. */
static void start(struct wst_tracker *t, struct wst_conn *c, const struct wst_item *p)
{
    c->first_ts_us = p->ts_us;
    t->stats.connections++;
    if (p->kind == WST_ITEM_PARTIAL) {
        c->ep[0].state = c->ep[1].state = WST_ST_UNKNOWN;
        c->flags |= WST_CONN_MIDSTREAM;
    } else if (wst_fsm_init(&c->ep[p->from], &c->ep[!p->from], &p->seg)) {
        c->flags |= WST_CONN_MIDSTREAM;
    }
    wst_sink_begin(t->next, c);
}

/* Adds the segment to the timeline and the event stream if it tells part of the story. */
static void record(struct wst_tracker *t, struct wst_conn *c, const struct wst_item *p, const struct wst_fsm_step *step,
                   bool first_data)
{
    uint8_t f = p->seg.flags, why = 0;
    if (step->snd_to != step->snd_from || step->rcv_to != step->rcv_from)
        why |= WST_TL_STATE;
    if (f & WST_TH_SYN)
        why |= WST_TL_SYN;
    if (f & WST_TH_FIN)
        why |= WST_TL_FIN;
    if (f & WST_TH_RST)
        why |= WST_TL_RST;
    if (first_data)
        why |= WST_TL_FIRST_DATA;
    if (step->syn_rexmit || step->fin_rexmit)
        why |= WST_TL_REXMIT;
    if (why == 0)
        return;
    struct wst_tl_event ev = {
        .ts_us = p->ts_us,
        .seq = p->seg.seq,
        .ack = p->seg.ack,
        .payload_len = p->seg.payload_len,
        .from = p->from,
        .flags = f,
        .why = why,
        .state = {c->ep[0].state, c->ep[1].state},
    };
    if (t->timeline_max)
        wst_timeline_add(timeline_of(c), &ev, t->timeline_max);
    if (t->events)
        wst_sink_event(t->next, c, c->id, &ev);
}

/* A segment (or a partial one, invariant 5) of its connection; returns the connection. */
static struct wst_conn *segment(struct wst_tracker *t, const struct wst_item *p)
{
    bool partial = p->kind == WST_ITEM_PARTIAL;
    bool created;
    struct wst_conn *c = wst_flow_table_find_or_create(t->table, &p->key, p->hash, &p->seg, p->seq, &created);
    if (created) {
        make_room(t, c);
        start(t, c, p);
    } else if (!partial && wst_fsm_is_new_connection(&c->ep[p->from], &c->ep[!p->from], &p->seg)) {
        /* A new SYN on a 4-tuple whose connection is over: a new connection. */
        struct wst_conn *old = c;
        if (!(old->flags & WST_CONN_REPORTED)) {
            if (old->ep[p->from].state == WST_ST_SYN_SENT)
                wst_notes_get(&t->notes, old)->end_us = p->ts_us; /* its SYN's wait ends here */
            report(t, old, WST_END_REUSED);
        }
        wst_flow_table_remove(t->table, old);
        wst_sink_gone(t->next, old, WST_END_REUSED, p->ts_us);
        c = wst_flow_table_create(t->table, &p->key, p->hash, &p->seg, p->seq);
        start(t, c, p);
        created = true;
        wst_anomaly_reused(&t->notes, c, old, p->from, p->ts_us, t->time_wait_us);
        release_ext(t, old);
        wst_flow_table_release(t->table, old);
    }
    /* A SYN on a synchronized connection (the table will not expect it)
     * says nothing about who opened this one. */
    uint8_t snd_state = c->ep[p->from].state;
    bool syn_may_orient = snd_state <= WST_ST_SYN_RCVD; /* UNKNOWN, CLOSED, LISTEN, SYN_SENT, SYN_RCVD */
    if (c->client_basis != WST_CLIENT_SYN && (syn_may_orient || !(p->seg.flags & WST_TH_SYN)))
        orient(t, c, &p->seg, p->from);
    if (p->ts_us > c->last_ts_us)
        c->last_ts_us = p->ts_us;
    bool first_data = p->seg.payload_len > 0 && c->payload_bytes[p->from] == 0;
    wst_conn_count_packet(c, p->from);
    c->payload_bytes[p->from] += p->seg.payload_len;
    if (partial) {
        c->tcp_flags[p->from] |= p->seg.flags;
        if (created)
            reschedule(t, c); /* its idle timeout */
        return c;
    }

    struct wst_anomaly_segment an = {
        .seg = &p->seg,
        .pre = {c->ep[0], c->ep[1]},
        .pre_tcp_flags = c->tcp_flags[p->from],
        .from = p->from,
        .ts_us = p->ts_us,
    };
    struct wst_endpoint *snd = &c->ep[p->from];
    c->tcp_flags[p->from] |= p->seg.flags;

    struct wst_fsm_step step;
    wst_fsm_step(snd, &c->ep[!p->from], &p->seg, wst_conn_ms(c, p->ts_us), &step);
    /* After the step, which compares with what it acknowledged before (fsm.c, rule F). */
    if ((p->seg.flags & WST_TH_ACK) && (!(an.pre_tcp_flags & WST_TH_ACK) || seq_gt(p->seg.ack, snd->ack)))
        snd->ack = p->seg.ack;
    if (step.n_snd && step.snd[0] == WST_EV_SND_RST)
        c->flags |= WST_CONN_RESET; /* the classifier emits it only for an acceptable RST */
    if (step.snd_from == WST_ST_CLOSED && step.snd_to != WST_ST_CLOSED)
        c->flags &= (uint8_t)~(WST_CONN_GAVE_UP << p->from); /* it tries again after all */
    /* TIME_WAIT is entered on receiving the peer's FIN (or its ACK), never
     * by sending (RFC 9293 §3.6); expire() catches the timer's way in. */
    if (step.rcv_to == WST_ST_TIME_WAIT)
        c->flags |= (uint8_t)(WST_CONN_TIME_WAIT << !p->from);
    an.step = &step;
    bool observed = wst_anomaly_worth_observing(c, &an);
    if (observed)
        wst_anomaly_observe(&t->notes, &t->anomaly, c, &an);
    if (t->timeline_max || t->events)
        record(t, c, p, &step, first_data);
    if (t->events && (observed || step.snd_to != step.snd_from || step.rcv_to != step.rcv_from)) {
        /* --events: what this segment raised now, and a condition it began
         * (a state, a zero window) when it will have lasted its threshold. */
        announce(t, c, p->ts_us);
        reschedule(t, c);
    }
    /* A new deadline may have come with this segment: the record is new
     * (its idle timeout), an ACK is held (rule L), a SYN went out (rule
     * G), or an endpoint entered a state a timer may end or that ends the
     * connection (TIME_WAIT, SYN_SENT, CLOSED, LISTEN: rule G, the report,
     * the removal). Any other change keeps the deadline it had, or moves it
     * later: the live entry reschedules then. */
    if (created || step.fin_ack_held || (step.snd_to == WST_ST_SYN_SENT && (p->seg.flags & WST_TH_SYN)) ||
        (step.snd_to != step.snd_from && timed_state(step.snd_to)) ||
        (step.rcv_to != step.rcv_from && timed_state(step.rcv_to)))
        reschedule(t, c);
    if (created && t->max_conns && half_open(c))
        ring_push(&t->half_open, c); /* an eviction candidate, oldest first */
    return c;
}

/*
 * An ICMP destination unreachable quoting a TCP segment: if it quotes the
 * SYN of a connection still opening, that connection's open failed.
 * Dispatch keyed the item by the quoted connection.
 */
static struct wst_conn *icmp_error(struct wst_tracker *t, const struct wst_item *p)
{
    const struct wst_icmp_error *e = &p->icmp;
    struct wst_conn *c = wst_flow_table_get(t->table, &p->key, p->hash);
    if (c == NULL)
        return NULL;
    int from = p->from;
    wst_ts_us ts = p->ts_us;
    uint32_t now_ms = wst_conn_ms(c, ts);
    uint32_t since = c->ep[from].since_ms;
    if (!wst_fsm_icmp_unreachable(&c->ep[from], &c->ep[!from], e->seq, now_ms))
        return c;
    c->flags |= WST_CONN_RESET; /* ended as by a RST */
    if (ts > c->last_ts_us)
        c->last_ts_us = ts; /* the record ends with the error that ended it */
    wst_anomaly_icmp(&t->notes, c, from, e, ts, since);
    announce(t, c, ts);
    reschedule(t, c);
    return c;
}

void wst_tracker_feed(struct wst_tracker *t, const struct wst_item *item)
{
    if (item->now_us > t->now_us)
        t->now_us = item->now_us;
    if (t->now_us >= t->next_tick_us) /* advance()'s own first test, kept out of line */
        advance(t, t->now_us);
    struct wst_conn *c = item->kind == WST_ITEM_ICMP ? icmp_error(t, item) : segment(t, item);
    if (c)
        check(c);
}

void wst_tracker_advance(struct wst_tracker *t, wst_ts_us now_us)
{
    if (now_us > t->now_us)
        t->now_us = now_us;
    advance(t, t->now_us);
}

void wst_tracker_snapshot(struct wst_tracker *t, wst_ts_us now_us)
{
    wst_tracker_advance(t, now_us);
    size_t n;
    struct wst_conn **all = wst_flow_table_all(t->table, &n);
    struct wst_anomaly found[WST_ANOMALY_MAX];
    for (size_t i = 0; i < n; i++) {
        struct wst_conn *c = all[i];
        if (c->flags & WST_CONN_REPORTED)
            continue; /* written already: its TIME_WAIT is all that is left */
        struct wst_timeline *tl = timeline_if_any(c);
        const struct wst_anomaly_notes *notes = wst_notes_find(&t->notes, c);
        struct wst_conn_report r = {
            .conn = c,
            .id = c->id,
            .timeline = tl ? tl : t->timeline_max ? wst_timeline_empty() : NULL,
            .anomalies = found,
            .end_us = t->now_us,
        };
        r.n_anomalies = wst_anomaly_collect(c, notes, r.end_us, &t->anomaly, found);
        wst_sink_snapshot(t->next, &r);
    }
    free(all);
}

void wst_tracker_status(struct wst_tracker *t, struct wst_status *status)
{
    wst_tracker_advance(t, status->at_us);
    size_t n;
    struct wst_conn **all = wst_flow_table_all(t->table, &n);
    status->open_connections = 0;
    memset(status->open_states, 0, sizeof status->open_states);
    for (size_t i = 0; i < n; i++) {
        const struct wst_conn *c = all[i];
        if (!is_over(c)) { /* the ss view, as the summary's: TIME_WAIT is still there */
            status->open_connections++;
            status->open_states[0][c->ep[c->client].state]++;
            status->open_states[1][c->ep[!c->client].state]++;
        }
    }
    free(all);
    status->tracker = &t->stats;
    wst_sink_status(t->next, status);
}

void wst_tracker_finish(struct wst_tracker *t, wst_ts_us now_us, struct wst_summary *summary)
{
    wst_tracker_advance(t, now_us);
    wst_ts_us now = t->now_us;
    /* The end of the capture: timers due by then have run. What is left
     * comes in id order (invariant 4): reported now if it was not, as
     * closed or reset if it is done, else as still open at the end. The
     * summary's open states are the ss view at that moment: every
     * connection not over, reported or not. */
    size_t n;
    struct wst_conn **all = wst_flow_table_all(t->table, &n);
    for (size_t i = 0; i < n; i++) {
        struct wst_conn *c = all[i];
        expire(t, c, now);
        if (!is_over(c)) {
            t->stats.open_states[0][c->ep[c->client].state]++;
            t->stats.open_states[1][c->ep[!c->client].state]++;
        }
        if (!(c->flags & WST_CONN_REPORTED))
            report(t, c, is_done(c) ? over_reason(c) : WST_END_CAPTURE_END);
        wst_sink_gone(t->next, c, WST_END_CAPTURE_END, now);
        release_ext(t, c);
        free(c->ext);
        c->ext = NULL;
    }
    free(all);
    wst_flow_table_clear(t->table); /* all at once: no one-by-one unlinking */
    summary->tracker = &t->stats;
    wst_sink_summary(t->next, summary);
}
