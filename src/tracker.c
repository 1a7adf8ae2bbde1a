/*
 * tracker.c - the per-packet engine.
 *
 * For each packet: advance capture time, decode, count the outcome; for a
 * TCP segment, build its canonical key, find or create the connection and
 * update its per-direction counters and its client orientation.
 *
 * Assumptions and invariants:
 *  1. Capture time is the latest packet timestamp seen. Timestamps that go
 *     backwards (merged files, multi-queue capture) never move it back.
 *  2. stats.packets == sum of stats.by_status[]: every packet handed in is
 *     counted exactly once.
 *  3. The client is the sender of the first SYN without ACK; failing that
 *     the receiver of a SYN+ACK; failing that a guess from the ports
 *     (ports.h). A later handshake segment overrides a weaker basis, never
 *     a stronger one (RFC 9293 §3.5: only the active opener sends a bare
 *     SYN, apart from simultaneous open, where the first SYN seen wins).
 *  4. Connections are emitted in id (first-seen) order, each exactly once.
 *  5. A packet whose TCP header the snap length cut after the ports is
 *     counted twice over: as truncated_tcp_header in the summary, and as a
 *     packet (no flags, no payload) of its connection. A connection can
 *     thus hold more packets than the summary's "tcp" count.
 *  6. Connection updates happen in packet order, up to PIPE_DEPTH - 1
 *     packets after decoding (the pipeline below); the decode counters and
 *     capture time are current for every packet handed in, and finish()
 *     drains the pipeline first.
 */
#include "wirestate/tracker.h"

#include <stdlib.h>

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
    wst_ts_us ts_us;
    uint8_t from; /* endpoint index of the sender */
};

struct wst_tracker {
    struct wst_flow_table *table;
    struct pending pipe[PIPE_DEPTH];
    unsigned pipe_head, pipe_len;
    struct wst_tracker_stats stats;
    struct wst_port_set server_ports;
    bool vlan_key;
    wst_conn_fn *on_conn;
    void *arg;
};

struct wst_tracker *wst_tracker_new(const struct wst_tracker_config *cfg, wst_conn_fn *on_conn, void *arg)
{
    struct wst_tracker *t = wst_xcalloc(1, sizeof *t);
    t->table = wst_flow_table_new(cfg->vlan_key, cfg->hash_seed);
    t->vlan_key = cfg->vlan_key;
    if (cfg->server_ports)
        t->server_ports = *cfg->server_ports;
    else
        wst_port_set_init_default(&t->server_ports);
    t->on_conn = on_conn;
    t->arg = arg;
    return t;
}

void wst_tracker_free(struct wst_tracker *t)
{
    if (t == NULL)
        return;
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

enum { HS_MASK = WST_TH_SYN | WST_TH_ACK | WST_TH_RST };

/* Decides or corrects which endpoint is the client (invariant 3). */
static void orient(struct wst_tracker *t, struct wst_conn *c, const struct wst_segment *seg, int from)
{
    uint8_t hs = seg->flags & HS_MASK;
    if (hs == WST_TH_SYN) {
        if (c->client_basis != WST_CLIENT_SYN) {
            c->client = (uint8_t)from;
            c->client_basis = WST_CLIENT_SYN;
        }
    } else if (hs == (WST_TH_SYN | WST_TH_ACK)) {
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

/* The second half of a packet's work: its connection, in packet order. */
static void process(struct wst_tracker *t, struct pending *p)
{
    bool created;
    struct wst_conn *c = wst_flow_table_find_or_create(t->table, &p->key, p->hash, &p->seg, &created);
    if (created) {
        c->first_ts_us = p->ts_us;
        t->stats.connections++;
    }
    if (c->client_basis != WST_CLIENT_SYN)
        orient(t, c, &p->seg, p->from);
    if (p->ts_us > c->last_ts_us)
        c->last_ts_us = p->ts_us;
    c->packets[p->from]++;
    c->payload_bytes[p->from] += p->seg.payload_len;
    c->tcp_flags[p->from] |= p->seg.flags;
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
    if (status != WST_DECODE_TCP) {
        /* A TCP header cut after its ports still says whose packet it was
         * (invariant 5); its flags and lengths are unknown. */
        if (status != WST_DECODE_TRUNCATED_TCP || !p->seg.has_ports)
            return;
        p->seg.flags = 0;
        p->seg.payload_len = 0;
    }
    p->seg.payload = NULL; /* borrowed from the capture buffer: gone before processing */
    p->from = (uint8_t)wst_flow_key_from_segment(&p->key, &p->seg, t->vlan_key);
    p->hash = wst_flow_table_hash(t->table, &p->key);
    p->ts_us = pkt->ts_us;
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

/* Processes every packet still in the pipeline. */
static void drain(struct wst_tracker *t)
{
    while (t->pipe_len > 0) {
        process(t, &t->pipe[t->pipe_head]);
        t->pipe_head = (t->pipe_head + 1) % PIPE_DEPTH;
        t->pipe_len--;
    }
}

/* Emits and frees the retired connections at the head of id order. */
static void flush(struct wst_tracker *t)
{
    struct wst_conn *c;
    while ((c = wst_flow_table_pop_retired(t->table)) != NULL) {
        if (t->on_conn)
            t->on_conn(t->arg, c);
        wst_flow_table_release(t->table, c);
    }
}

void wst_tracker_finish(struct wst_tracker *t)
{
    drain(t);
    wst_flow_table_retire_all(t->table);
    flush(t);
}
