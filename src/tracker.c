/*
 * tracker.c - the per-packet engine.
 *
 * For each packet: advance capture time, decode, count the outcome; for a
 * TCP segment, build its canonical key, find or create the connection,
 * update its counters and client orientation, and step both endpoints'
 * state machines (fsm.c). Timers on capture time end TIME_WAIT and retire
 * connections that are over or idle; retired connections are handed to the
 * caller in first-seen order.
 *
 * Assumptions and invariants:
 *  1. Capture time is the latest packet timestamp seen. Timestamps that go
 *     backwards (merged files, multi-queue capture) never move it back.
 *  2. stats.packets == sum of stats.by_status[]: every packet handed in is
 *     counted exactly once.
 *  3. The client is the sender of the first SYN without ACK; failing that
 *     the receiver of a SYN+ACK; failing that a guess from the ports
 *     (ports.h). A SYN that also carries FIN is neither: it opens nothing
 *     (fsm.c, assumption 7). A later handshake segment overrides a weaker
 *     basis, never a stronger one (RFC 9293 §3.5: only the active opener
 *     sends a bare SYN, apart from simultaneous open, where the first SYN
 *     seen wins).
 *  4. Connections are emitted in id (first-seen) order, each exactly once,
 *     with an end reason: reused (a SYN with a new ISN took the 4-tuple),
 *     closed or reset (both endpoints CLOSED, and 2 x MSL without packets
 *     so late segments still find it), timeout (idle), capture_end.
 *  5. A packet whose TCP header the snap length cut after the ports is
 *     counted twice over: as truncated_tcp_header in the summary, and as a
 *     packet (no flags, no payload) of its connection. It does not move
 *     any state: its flags and sequence numbers are unknown.
 *  6. Connection updates happen in packet order, up to PIPE_DEPTH - 1
 *     packets after decoding (the pipeline below); the decode counters and
 *     capture time are current for every packet handed in, and finish()
 *     drains the pipeline first.
 *  7. Timers run on capture time, at the time of the packet being
 *     processed: an event due before a packet is handled before it.
 */
#include "wirestate/tracker.h"

#include <stdlib.h>
#include <string.h>

#include "seq.h"

/*
 * Packets between decoding and their connection update. Each lookup is a
 * likely cache miss (a table slot, then the connection), so decoding runs
 * PIPE_DEPTH packets ahead and prefetches, and the misses of consecutive
 * packets overlap instead of adding up.
 */
#define PIPE_DEPTH 8

struct pending {
    struct wst_segment seg;
    struct wst_flow_key key;
    uint64_t hash;
    wst_ts_us ts_us;  /* the packet's own timestamp */
    wst_ts_us now_us; /* capture time when it was read (invariant 1) */
    uint8_t from;     /* endpoint index of the sender */
    bool partial;    /* TCP header cut after the ports (invariant 5) */
};

/*
 * The timer wheel: one bucket per second of capture time, each an array of
 * the connections with a deadline in that second
 * (TIME_WAIT ending, a closed connection to retire). Entries are not
 * removed when plans change: when a bucket comes due, each connection's
 * timers are checked against its state as it is then and acted on or moved.
 * A freed record (id 0: the pool's memory stays mapped) is skipped; one
 * reused by another connection is merely checked early, which changes
 * nothing. Deadlines beyond the wheel wait in the furthest bucket.
 */
#define WHEEL_SLOTS 1024 /* seconds ahead */

struct bucket {
    struct wst_conn **e;
    size_t n, cap;
};

struct wst_tracker {
    struct wst_flow_table *table;
    struct pending pipe[PIPE_DEPTH];
    unsigned pipe_head, pipe_len;
    struct wst_tracker_stats stats;
    struct wst_port_set server_ports;
    bool vlan_key;
    uint64_t time_wait_us;    /* 2 x MSL */
    uint64_t idle_us;         /* 0 = no idle timeout */
    uint64_t wheel_s;         /* the capture second of the next bucket to run */
    bool wheel_started;       /* wheel_s is set (the first packet came) */
    uint64_t next_idle_sweep_us;
    uint64_t next_tick_us;    /* advance() has nothing to do before this */
    struct bucket wheel[WHEEL_SLOTS];
    uint32_t timeline_max;    /* 0: no timelines */
    struct wst_anomaly_config anomaly;
    struct wst_notes_table notes;
    struct wst_findings findings;
    wst_conn_fn *on_conn;
    void *arg;
    wst_event_fn *on_event;
    void *event_arg;
};

/* The timeline pointer of a connection, in its pool object's extra space. */
static struct wst_timeline **timeline_of(struct wst_conn *c)
{
    return wst_conn_extra(c);
}

struct wst_tracker *wst_tracker_new(const struct wst_tracker_config *cfg, wst_conn_fn *on_conn, void *arg)
{
    struct wst_tracker *t = wst_xcalloc(1, sizeof *t);
    t->table = wst_flow_table_new(cfg->hash_seed);
    t->vlan_key = cfg->vlan_key;
    if (cfg->server_ports)
        t->server_ports = *cfg->server_ports;
    else
        wst_port_set_init_default(&t->server_ports);
    uint32_t msl = cfg->msl_s ? cfg->msl_s : WST_MSL_DEFAULT_S;
    t->time_wait_us = 2ULL * msl * WST_US_PER_S;
    t->idle_us = (uint64_t)cfg->idle_timeout_s * WST_US_PER_S;
    t->timeline_max = cfg->timeline_max;
    t->anomaly = cfg->anomaly;
    if (!t->anomaly.syn_timeout_ms)
        t->anomaly.syn_timeout_ms = WST_SYN_TIMEOUT_DEFAULT_MS;
    if (!t->anomaly.linger_ms)
        t->anomaly.linger_ms = WST_LINGER_DEFAULT_MS;
    struct wst_findings_config fc = cfg->findings;
    fc.time_wait_us = t->time_wait_us;
    wst_findings_init(&t->findings, &fc);
    if (t->timeline_max)
        wst_flow_table_set_conn_extra(t->table, sizeof(struct wst_timeline *));
    t->on_conn = on_conn;
    t->arg = arg;
    return t;
}

void wst_tracker_set_event_fn(struct wst_tracker *t, wst_event_fn *on_event, void *arg)
{
    t->on_event = on_event;
    t->event_arg = arg;
}

void wst_tracker_free(struct wst_tracker *t)
{
    if (t == NULL)
        return;
    for (size_t i = 0; i < WHEEL_SLOTS; i++)
        free(t->wheel[i].e);
    if (t->timeline_max) {
        for (struct wst_conn *c = wst_flow_table_first(t->table); c; c = wst_flow_table_next(t->table, c))
            wst_timeline_free(*timeline_of(c));
    }
    wst_notes_table_fini(&t->notes);
    wst_findings_fini(&t->findings);
    wst_flow_table_free(t->table);
    free(t);
}

const struct wst_tracker_stats *wst_tracker_stats(const struct wst_tracker *t)
{
    return &t->stats;
}

const struct wst_finding *wst_tracker_findings(struct wst_tracker *t, size_t *n)
{
    t->stats.findings_untracked = t->findings.untracked;
    return wst_findings_collect(&t->findings, n);
}

struct wst_flow_table *wst_tracker_table(struct wst_tracker *t)
{
    return t->table;
}

static bool is_over_state(uint8_t st)
{
    return st == WST_ST_CLOSED || st == WST_ST_LISTEN;
}

/* Both endpoints are done with this connection. */
static bool is_over(const struct wst_conn *c)
{
    return is_over_state(c->ep[0].state) && is_over_state(c->ep[1].state);
}

/* The next time a timer concerns c, or 0 if none does. */
static wst_ts_us next_deadline(const struct wst_tracker *t, const struct wst_conn *c)
{
    wst_ts_us d = 0;
    for (int i = 0; i < 2; i++) {
        wst_ts_us e = 0;
        uint32_t fin_ack = wst_fsm_fin_ack_deadline(&c->ep[i]);
        if (fin_ack)
            e = wst_conn_at_us(c, fin_ack);
        else if (c->ep[i].state == WST_ST_TIME_WAIT)
            e = wst_conn_at_us(c, c->ep[i].since_ms) + t->time_wait_us;
        if (e && (d == 0 || e < d))
            d = e;
    }
    if (d == 0 && is_over(c))
        d = c->last_ts_us + t->time_wait_us;
    return d;
}

/* Puts c in the bucket of deadline `at` (or the furthest one). */
static void schedule(struct wst_tracker *t, struct wst_conn *c, wst_ts_us at)
{
    /* Never into the bucket being run (the one before wheel_s): deadlines
     * beyond the wheel wait in the furthest other bucket. */
    uint64_t s = at / WST_US_PER_S;
    if (s < t->wheel_s)
        s = t->wheel_s;
    if (s > t->wheel_s + WHEEL_SLOTS - 2)
        s = t->wheel_s + WHEEL_SLOTS - 2;
    struct bucket *b = &t->wheel[s % WHEEL_SLOTS];
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        b->e = wst_xrealloc(b->e, cap, sizeof *b->e);
        b->cap = cap;
    }
    b->e[b->n++] = c;
}

/* When a retired connection's record ended (wst_conn_report.end_us). */
static wst_ts_us record_end(const struct wst_tracker *t, const struct wst_conn *c,
                            const struct wst_anomaly_notes *notes)
{
    switch (c->end_reason) {
    case WST_END_CAPTURE_END:
        return t->stats.now_us;
    case WST_END_TIMEOUT:
        return c->last_ts_us + t->idle_us;
    case WST_END_REUSED: /* the new SYN's time, kept when a SYN of this one was waiting */
        return notes && notes->end_us ? notes->end_us : c->last_ts_us;
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

/* Emits and frees the retired connections at the head of id order. */
static void flush(struct wst_tracker *t)
{
    struct wst_conn *c;
    struct wst_anomaly found[WST_ANOMALY_MAX];
    while ((c = wst_flow_table_pop_retired(t->table)) != NULL) {
        struct wst_tracker_stats *st = &t->stats;
        st->by_end_reason[c->end_reason]++;
        if (c->end_reason == WST_END_CAPTURE_END) {
            st->open_states[0][c->ep[c->client].state]++;
            st->open_states[1][c->ep[!c->client].state]++;
        }
        const struct wst_anomaly_notes *notes = wst_notes_find(&t->notes, c);
        struct wst_timeline *tl = t->timeline_max ? *timeline_of(c) : NULL;
        struct wst_conn_report r = {
            .conn = c,
            .timeline = tl ? tl : t->timeline_max ? wst_timeline_empty() : NULL,
            .anomalies = found,
            .end_us = record_end(t, c, notes),
        };
        r.n_anomalies = wst_anomaly_collect(c, notes, r.end_us, &t->anomaly, found);
        for (size_t i = 0; i < r.n_anomalies; i++)
            st->by_anomaly[found[i].kind]++;
        st->with_anomalies += r.n_anomalies != 0;
        wst_findings_add(&t->findings, &r);
        if (t->on_conn)
            t->on_conn(t->arg, &r);
        wst_timeline_free(tl);
        wst_notes_drop(&t->notes, c);
        wst_flow_table_release(t->table, c);
    }
}

static void retire(struct wst_tracker *t, struct wst_conn *c, enum wst_end_reason why)
{
    c->end_reason = (uint8_t)why;
    wst_flow_table_retire(t->table, c);
}

/* How a connection that is over ended: by a RST that counted, or by FIN and ACK. */
static enum wst_end_reason over_reason(const struct wst_conn *c)
{
    return (c->flags & WST_CONN_RESET) ? WST_END_RESET : WST_END_CLOSED;
}

/* Moves c's endpoints by the timers due by `now` (rule L, TIME_WAIT's end). */
static void expire(struct wst_tracker *t, struct wst_conn *c, wst_ts_us now)
{
    for (int i = 0; i < 2; i++) {
        struct wst_endpoint *ep = &c->ep[i];
        uint8_t st = ep->state;
        uint32_t since = ep->since_ms;
        if (wst_fsm_expire(ep, wst_conn_ms(c, now), (uint32_t)(t->time_wait_us / 1000))) {
            /* Rule L can move CLOSING on to TIME_WAIT: it closed first. */
            if (ep->state == WST_ST_TIME_WAIT)
                c->flags |= (uint8_t)(WST_CONN_TIME_WAIT << i);
            wst_anomaly_left_state(&t->notes, &t->anomaly, c, i, st, since, ep->since_ms);
        }
    }
}

/* Applies the timers of c due by `now`; reschedules it if more are to come. */
static void run_timers(struct wst_tracker *t, struct wst_conn *c, wst_ts_us now)
{
    expire(t, c, now);
    if (is_over(c) && now >= c->last_ts_us + t->time_wait_us) {
        retire(t, c, over_reason(c));
        return;
    }
    wst_ts_us d = next_deadline(t, c);
    if (d)
        schedule(t, c, d);
}

/*
 * Runs every bucket whose second has passed by `now` (so a deadline is
 * acted on at most a second late; finish() checks the last second
 * exactly), then, every tenth of the idle timeout, retires connections
 * idle that long.
 */
static void advance(struct wst_tracker *t, wst_ts_us now)
{
    /* Nothing is due within the current second (the common case: one compare). */
    if (now < t->next_tick_us)
        return;
    t->next_tick_us = (now / WST_US_PER_S + 1) * WST_US_PER_S;
    uint64_t now_s = now / WST_US_PER_S;
    if (!t->wheel_started) {
        t->wheel_s = now_s; /* the first packet starts the clock */
        t->wheel_started = true;
    }
    if (now_s - t->wheel_s >= WHEEL_SLOTS) {
        /* A jump past the whole wheel (a gap in the capture, a damaged
         * clock): every entry is due or far off; check each once from now
         * instead of turning the wheel a second at a time. */
        struct bucket all[WHEEL_SLOTS];
        memcpy(all, t->wheel, sizeof all);
        memset(t->wheel, 0, sizeof t->wheel);
        t->wheel_s = now_s;
        for (size_t k = 0; k < WHEEL_SLOTS; k++) {
            for (size_t i = 0; i < all[k].n; i++) {
                struct wst_conn *c = all[k].e[i];
                if (c->id != 0 && !(c->flags & WST_CONN_RETIRED))
                    run_timers(t, c, now);
            }
            free(all[k].e);
        }
    }
    while (t->wheel_s < now_s) {
        struct bucket *b = &t->wheel[t->wheel_s % WHEEL_SLOTS];
        t->wheel_s++; /* entries rescheduled while this runs land in later buckets */
        for (size_t i = 0; i < b->n; i++) {
            struct wst_conn *c = b->e[i];
            if (c->id == 0 || (c->flags & WST_CONN_RETIRED))
                continue; /* freed, or already done */
            run_timers(t, c, now);
        }
        b->n = 0; /* the array stays for the next round of the wheel */
    }
    if (t->idle_us && now >= t->next_idle_sweep_us) {
        if (t->next_idle_sweep_us) {
            for (struct wst_conn *c = wst_flow_table_first(t->table); c; c = wst_flow_table_next(t->table, c)) {
                if (!(c->flags & WST_CONN_RETIRED) && now - c->last_ts_us >= t->idle_us)
                    retire(t, c, WST_END_TIMEOUT);
            }
        }
        t->next_idle_sweep_us = now + t->idle_us / 10;
    }
    flush(t);
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
static void start(struct wst_tracker *t, struct wst_conn *c, const struct pending *p)
{
    c->first_ts_us = p->ts_us;
    t->stats.connections++;
    if (p->partial) {
        c->ep[0].state = c->ep[1].state = WST_ST_UNKNOWN;
        c->flags |= WST_CONN_MIDSTREAM;
    } else if (wst_fsm_init(&c->ep[p->from], &c->ep[!p->from], &p->seg)) {
        c->flags |= WST_CONN_MIDSTREAM;
    }
}

/* Adds the segment to the timeline and the event stream if it tells part of the story. */
static void record(struct wst_tracker *t, struct wst_conn *c, const struct pending *p, const struct wst_fsm_step *step,
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
    if (t->on_event)
        t->on_event(t->event_arg, c, &ev);
}

/* The second half of a packet's work: its connection, in packet order. */
static void process(struct wst_tracker *t, struct pending *p)
{
    advance(t, p->now_us);

    bool created;
    struct wst_conn *c = wst_flow_table_find_or_create(t->table, &p->key, p->hash, &p->seg, &created);
    if (created) {
        start(t, c, p);
    } else if (!p->partial && wst_fsm_is_new_connection(&c->ep[p->from], &c->ep[!p->from], &p->seg)) {
        /* A new SYN on a 4-tuple whose connection is over: a new connection. */
        struct wst_conn *old = c;
        if (old->ep[p->from].state == WST_ST_SYN_SENT)
            wst_notes_get(&t->notes, old)->end_us = p->ts_us; /* its SYN's wait ends here */
        retire(t, old, WST_END_REUSED);
        c = wst_flow_table_create(t->table, &p->key, p->hash, &p->seg);
        start(t, c, p);
        wst_anomaly_reused(&t->notes, c, old, p->from, p->ts_us, t->time_wait_us);
        flush(t);
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
    c->packets[p->from]++;
    c->payload_bytes[p->from] += p->seg.payload_len;
    if (p->partial) {
        c->tcp_flags[p->from] |= p->seg.flags;
        return;
    }

    struct wst_anomaly_segment an = {
        .seg = &p->seg,
        .pre = {c->ep[0], c->ep[1]},
        .pre_tcp_flags = c->tcp_flags[p->from],
        .from = p->from,
        .ts_us = p->ts_us,
    };
    struct wst_endpoint *snd = &c->ep[p->from];
    if ((p->seg.flags & WST_TH_ACK) && (!(an.pre_tcp_flags & WST_TH_ACK) || seq_gt(p->seg.ack, snd->ack)))
        snd->ack = p->seg.ack;
    c->tcp_flags[p->from] |= p->seg.flags;

    struct wst_fsm_step step;
    wst_fsm_step(snd, &c->ep[!p->from], &p->seg, wst_conn_ms(c, p->ts_us), &step);
    if (step.n_snd && step.snd[0] == WST_EV_SND_RST)
        c->flags |= WST_CONN_RESET; /* the classifier emits it only for an acceptable RST */
    /* TIME_WAIT is entered on receiving the peer's FIN (or its ACK), never
     * by sending (RFC 9293 §3.6); expire() catches the timer's way in. */
    if (step.rcv_to == WST_ST_TIME_WAIT)
        c->flags |= (uint8_t)(WST_CONN_TIME_WAIT << !p->from);
    an.step = &step;
    if (wst_anomaly_worth_observing(c, &an))
        wst_anomaly_observe(&t->notes, &t->anomaly, c, &an);
    if (t->timeline_max || t->on_event)
        record(t, c, p, &step, first_data);
    /* A state with a deadline (TIME_WAIT, or the connection over): a timer. */
    if (step.fin_ack_held || ((step.snd_to != step.snd_from || step.rcv_to != step.rcv_from) &&
                              (step.snd_to == WST_ST_TIME_WAIT || step.rcv_to == WST_ST_TIME_WAIT || is_over(c))))
        schedule(t, c, next_deadline(t, c));
}

/*
 * An ICMP destination unreachable quoting a TCP segment: if it quotes the
 * SYN of a connection still opening, that connection's open failed. The
 * ICMP's own VLAN tags name the connection as its packets would.
 */
static void icmp_error(struct wst_tracker *t, const struct wst_segment *icmp, const struct wst_icmp_error *e,
                       wst_ts_us ts)
{
    struct wst_segment q = *icmp;
    q.src = e->src;
    q.dst = e->dst;
    q.sport = e->sport;
    q.dport = e->dport;
    struct wst_flow_key key;
    int from = wst_flow_key_from_segment(&key, &q, t->vlan_key);
    struct wst_conn *c = wst_flow_table_get(t->table, &key, wst_flow_table_hash(t->table, &key));
    if (c == NULL)
        return;
    uint32_t now_ms = wst_conn_ms(c, ts);
    uint32_t since = c->ep[from].since_ms;
    if (!wst_fsm_icmp_unreachable(&c->ep[from], &c->ep[!from], e->seq, now_ms))
        return;
    c->flags |= WST_CONN_RESET; /* ended as by a RST */
    if (ts > c->last_ts_us)
        c->last_ts_us = ts; /* the record ends with the error that ended it */
    wst_anomaly_icmp(&t->notes, c, from, e, ts, since);
    if (is_over(c))
        schedule(t, c, next_deadline(t, c));
}

void wst_tracker_packet(struct wst_tracker *t, const struct wst_packet *pkt)
{
    struct wst_tracker_stats *st = &t->stats;
    if (st->packets++ == 0)
        st->first_ts_us = pkt->ts_us;
    if (pkt->ts_us > st->now_us)
        st->now_us = pkt->ts_us;

    /* Decode straight into the next free pipeline slot. */
    struct pending *p = &t->pipe[(t->pipe_head + t->pipe_len) % PIPE_DEPTH];
    enum wst_decode_status status = wst_decode(pkt->link, pkt->data, pkt->caplen, pkt->wirelen, &p->seg);
    st->by_status[status]++;
    p->partial = false;
    struct wst_icmp_error e;
    if ((status == WST_DECODE_ICMP || status == WST_DECODE_ICMPV6) &&
        wst_decode_icmp_error(pkt->data, pkt->caplen, &p->seg, &e)) {
        /* In packet order: after the segments still queued (rare enough
         * to drain the pipeline for). */
        struct wst_segment icmp = p->seg;
        wst_tracker_drain(t);
        icmp_error(t, &icmp, &e, pkt->ts_us);
        return;
    }
    if (status != WST_DECODE_TCP) {
        /* A TCP header cut after its ports still says whose packet it was
         * (invariant 5); its flags and lengths are unknown. */
        if (status != WST_DECODE_TRUNCATED_TCP || !p->seg.has_ports) {
            /* Any packet moves capture time, and timers with it (at most once a
             * second: the queued segments first, to keep invariant 7). */
            if (st->now_us >= t->next_tick_us)
                wst_tracker_drain(t);
            return;
        }
        p->partial = true;
        p->seg.flags = 0;
        p->seg.payload_len = 0;
    }
    p->seg.payload = NULL; /* borrowed from the capture buffer: gone before processing */
    p->from = (uint8_t)wst_flow_key_from_segment(&p->key, &p->seg, t->vlan_key);
    p->hash = wst_flow_table_hash(t->table, &p->key);
    p->ts_us = pkt->ts_us;
    p->now_us = st->now_us;
    wst_flow_table_prefetch_slot(t->table, p->hash);

    /* Invariant 6: the slot of a packet half-way down the pipeline is in
     * cache by now; start loading the connection it points to. */
    if (++t->pipe_len > PIPE_DEPTH / 2)
        wst_flow_table_prefetch_conn(t->table, t->pipe[(t->pipe_head + PIPE_DEPTH / 2) % PIPE_DEPTH].hash);
    if (t->pipe_len == PIPE_DEPTH) {
        process(t, &t->pipe[t->pipe_head]);
        t->pipe_head = (t->pipe_head + 1) % PIPE_DEPTH;
        t->pipe_len--;
    }
}

void wst_tracker_drain(struct wst_tracker *t)
{
    while (t->pipe_len > 0) {
        process(t, &t->pipe[t->pipe_head]);
        t->pipe_head = (t->pipe_head + 1) % PIPE_DEPTH;
        t->pipe_len--;
    }
    advance(t, t->stats.now_us);
}

void wst_tracker_finish(struct wst_tracker *t)
{
    wst_tracker_drain(t);
    wst_ts_us now = t->stats.now_us;
    /* The end of the capture is the time of its last packet: timers due by
     * then have run; what is still open ends with the capture. */
    advance(t, now);
    for (struct wst_conn *c = wst_flow_table_first(t->table); c; c = wst_flow_table_next(t->table, c)) {
        if (c->flags & WST_CONN_RETIRED)
            continue;
        expire(t, c, now);
        c->end_reason = (uint8_t)(is_over(c) ? over_reason(c) : WST_END_CAPTURE_END);
    }
    wst_flow_table_retire_all(t->table);
    flush(t);
}
