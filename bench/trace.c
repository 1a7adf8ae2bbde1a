/*
 * trace.c - the benchmark's synthetic capture.
 *
 * A deterministic trace shaped like a busy server link captured with a
 * header-sized snap length (tcpdump -s 128): `conns` TCP connections, about
 * `concurrent` of them open at any moment, packets of the open ones
 * interleaved at random (fixed seed). Each connection is a handshake with
 * the usual SYN options, a request, 1-16 full-size response segments with
 * the client's delayed ACKs, and a close: by the client (most), by the
 * server, or by a RST. One connection in ten is IPv6 and one in ten
 * carries an 802.1Q tag. Packets are 10 us apart.
 */
#include "trace.h"

#include <stdio.h>
#include <string.h>

#include "craft.h"

#define MSS 1448
#define SNAPLEN 128

struct sim_conn {
    uint32_t index;      /* which connection of the trace */
    uint32_t step;       /* next packet of its script */
    uint32_t segments;   /* response segments */
    uint32_t cseq, sseq; /* next sequence numbers */
    uint8_t close_kind;  /* 0 client FIN first, 1 server FIN first, 2 RST */
};

static uint64_t rng(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

struct endpoints {
    char client[48], server[48];
    uint16_t cport, sport;
    bool ipv6;
    uint16_t vlan;
};

static void endpoints_of(uint32_t i, struct endpoints *e)
{
    e->ipv6 = i % 10 == 3;
    e->vlan = i % 10 == 7 ? (uint16_t)(100 + i % 50) : 0;
    e->cport = (uint16_t)(32768 + (i * 7919u) % 28000);
    static const uint16_t services[] = {443, 80, 8080, 5432};
    e->sport = services[i % 4];
    if (e->ipv6) {
        snprintf(e->client, sizeof e->client, "2001:db8:%x:%x::%x", (i >> 16) & 0xffff, i & 0xffff, 1 + i % 200);
        snprintf(e->server, sizeof e->server, "2001:db8:ffff::%x", 1 + i % 64);
    } else {
        snprintf(e->client, sizeof e->client, "10.%u.%u.%u", (i >> 16) & 0xff, (i >> 8) & 0xff, i & 0xff);
        snprintf(e->server, sizeof e->server, "192.168.%u.%u", i % 64, 1 + i % 250);
    }
}

/* Writes one segment of connection c; dir 0 = client to server. */
static void emit(struct craft_pcap *w, uint64_t ts, const struct sim_conn *c, int dir, uint8_t flags,
                 size_t payload, bool syn_opts)
{
    struct endpoints e;
    endpoints_of(c->index, &e);
    struct craft k;
    craft_init(&k);
    uint16_t ip_type = e.ipv6 ? CRAFT_ETH_IPV6 : CRAFT_ETH_IPV4;
    if (e.vlan) {
        craft_eth(&k, CRAFT_ETH_VLAN);
        craft_vlan(&k, e.vlan, ip_type);
    } else {
        craft_eth(&k, ip_type);
    }
    const char *src = dir ? e.server : e.client, *dst = dir ? e.client : e.server;
    if (e.ipv6)
        craft_ipv6(&k, src, dst, CRAFT_IP_TCP);
    else
        craft_ipv4(&k, src, dst, CRAFT_IP_TCP);

    struct craft_opts o;
    craft_opts_init(&o);
    if (syn_opts) {
        craft_opt_mss(&o, MSS);
        craft_opt_sack_perm(&o);
        craft_opt_timestamp(&o, (uint32_t)(ts / 1000), dir ? (uint32_t)(ts / 1000) - 1 : 0);
        craft_opt_nop(&o);
        craft_opt_wscale(&o, 7);
    } else {
        craft_opt_nop(&o);
        craft_opt_nop(&o);
        craft_opt_timestamp(&o, (uint32_t)(ts / 1000), (uint32_t)(ts / 1000) - 1);
    }
    uint32_t seq = dir ? c->sseq : c->cseq;
    uint32_t ack = (flags & CRAFT_ACK) ? (dir ? c->cseq : c->sseq) : 0;
    craft_tcp(&k, dir ? e.sport : e.cport, dir ? e.cport : e.sport, seq, ack, flags, 502, o.b, o.len,
              payload);
    size_t len = craft_finish(&k);
    craft_pcap_write(w, ts, k.buf, (uint32_t)len, (uint32_t)len);
}

/*
 * Emits the next packet of c; returns false once its script is over.
 * Script: SYN, SYN+ACK, ACK, request, then per response segment a data
 * segment (and a client ACK after every second one), then the close.
 */
static bool step(struct craft_pcap *w, uint64_t ts, struct sim_conn *c)
{
    uint32_t s = c->step++;
    if (s == 0) {
        emit(w, ts, c, 0, CRAFT_SYN, 0, true);
        c->cseq++;
        return true;
    }
    if (s == 1) {
        emit(w, ts, c, 1, CRAFT_SYN | CRAFT_ACK, 0, true);
        c->sseq++;
        return true;
    }
    if (s == 2) {
        emit(w, ts, c, 0, CRAFT_ACK, 0, false);
        return true;
    }
    if (s == 3) {
        size_t req = 200 + (c->index * 37) % 300;
        emit(w, ts, c, 0, CRAFT_ACK | CRAFT_PSH, req, false);
        c->cseq += (uint32_t)req;
        return true;
    }
    /* Response: data segments, with an ACK from the client after every second one. */
    uint32_t r = s - 4;
    uint32_t data_steps = c->segments + c->segments / 2;
    if (r < data_steps) {
        if (r % 3 == 2) {
            emit(w, ts, c, 0, CRAFT_ACK, 0, false);
        } else {
            emit(w, ts, c, 1, CRAFT_ACK | (r + 1 == data_steps ? CRAFT_PSH : 0), MSS, false);
            c->sseq += MSS;
        }
        return true;
    }
    r -= data_steps;
    switch (c->close_kind) {
    case 2: /* abortive close by the client */
        emit(w, ts, c, 0, CRAFT_RST | CRAFT_ACK, 0, false);
        return false;
    default: {
        int first = c->close_kind; /* 0: client closes first, 1: server */
        if (r == 0) {
            emit(w, ts, c, first, CRAFT_FIN | CRAFT_ACK, 0, false);
            if (first)
                c->sseq++;
            else
                c->cseq++;
            return true;
        }
        if (r == 1) {
            emit(w, ts, c, !first, CRAFT_FIN | CRAFT_ACK, 0, false);
            if (first)
                c->cseq++;
            else
                c->sseq++;
            return true;
        }
        emit(w, ts, c, first, CRAFT_ACK, 0, false);
        return false;
    }
    }
}

static void start(struct sim_conn *c, uint32_t index, uint64_t *x)
{
    memset(c, 0, sizeof *c);
    c->index = index;
    c->segments = 1 + (uint32_t)(rng(x) % 16);
    c->cseq = (uint32_t)rng(x);
    c->sseq = (uint32_t)rng(x);
    uint32_t k = (uint32_t)(rng(x) % 10);
    c->close_kind = k < 7 ? 0 : k < 9 ? 1 : 2;
}

int bench_trace_write(const char *path, uint32_t conns, uint32_t concurrent, struct bench_trace_info *info)
{
    struct craft_pcap *w = craft_pcap_open(path, 1, SNAPLEN);
    if (w == NULL)
        return -1;
    if (concurrent == 0 || concurrent > conns)
        concurrent = conns;
    struct sim_conn *open = calloc(concurrent, sizeof *open);
    if (open == NULL) {
        craft_pcap_close(w);
        return -1;
    }
    uint64_t x = 0x2545F4914F6CDD1DULL;
    uint32_t started = 0, n_open = 0;
    while (n_open < concurrent)
        start(&open[n_open++], started++, &x);

    uint64_t ts = 1700000000ULL * 1000000;
    memset(info, 0, sizeof *info);
    while (n_open > 0) {
        uint32_t k = (uint32_t)(rng(&x) % n_open);
        if (!step(w, ts, &open[k])) {
            if (started < conns)
                start(&open[k], started++, &x);
            else
                open[k] = open[--n_open];
        }
        ts += 10;
    }
    free(open);
    info->packets = craft_pcap_count(w);
    info->conns = started;
    return craft_pcap_close(w);
}
