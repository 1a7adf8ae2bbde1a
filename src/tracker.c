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
 */
#include "wirestate/tracker.h"

#include <stdlib.h>

struct wst_tracker {
    struct wst_flow_table *table;
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

void wst_tracker_packet(struct wst_tracker *t, const struct wst_packet *pkt)
{
    struct wst_tracker_stats *st = &t->stats;
    if (st->packets++ == 0)
        st->first_ts_us = pkt->ts_us;
    if (pkt->ts_us > st->now_us)
        st->now_us = pkt->ts_us;

    struct wst_segment seg;
    enum wst_decode_status status = wst_decode(pkt->link, pkt->data, pkt->caplen, pkt->wirelen, &seg);
    st->by_status[status]++;
    if (status != WST_DECODE_TCP) {
        /* A TCP header cut after its ports still says whose packet it was
         * (invariant 5); its flags and lengths are unknown. */
        if (status == WST_DECODE_TRUNCATED_TCP && seg.has_ports) {
            seg.flags = 0;
            seg.payload_len = 0;
        } else {
            return;
        }
    }

    struct wst_flow_key key;
    int from = wst_flow_key_from_segment(&key, &seg, t->vlan_key);
    uint64_t hash = wst_flow_table_hash(t->table, &key);
    struct wst_conn *c = wst_flow_table_get(t->table, &key, hash);
    if (c == NULL) {
        c = wst_flow_table_create(t->table, &key, hash, &seg);
        c->first_ts_us = pkt->ts_us;
        st->connections++;
    }
    if (c->client_basis != WST_CLIENT_SYN)
        orient(t, c, &seg, from);
    if (pkt->ts_us > c->last_ts_us)
        c->last_ts_us = pkt->ts_us;
    c->packets[from]++;
    c->payload_bytes[from] += seg.payload_len;
    c->tcp_flags[from] |= seg.flags;
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
    wst_flow_table_retire_all(t->table);
    flush(t);
}
