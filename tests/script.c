/*
 * script.c - packet scripts for tracker tests (see script.h).
 */
#include "script.h"

#include <arpa/inet.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "wirestate/options.h"

static struct script *script_of(struct wst_sink *sink)
{
    return (struct script *)(void *)((char *)sink - offsetof(struct script, collector));
}

static void collect(struct wst_sink *sink, const struct wst_conn_report *r)
{
    const struct wst_conn *c = r->conn;
    struct script *s = script_of(sink);
    ck_assert_uint_lt(s->n_conns, SCRIPT_MAX_CONNS);
    size_t size = offsetof(struct wst_conn, addr) + 2 * wst_conn_addr_len(c);
    struct wst_conn *copy = malloc(size);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, c, size);
    /* The extension goes with the tracker's record: keep its counts only. */
    copy->ext = NULL;
    copy->flags &= (uint8_t)~WST_CONN_NOTES;
    if (c->ext) {
        copy->ext = calloc(1, sizeof *copy->ext);
        ck_assert_ptr_nonnull(copy->ext);
        memcpy(copy->ext->packets_hi, c->ext->packets_hi, sizeof copy->ext->packets_hi);
    }
    s->anomalies[s->n_conns] = calloc(r->n_anomalies + 1, sizeof(struct wst_anomaly));
    ck_assert_ptr_nonnull(s->anomalies[s->n_conns]);
    memcpy(s->anomalies[s->n_conns], r->anomalies, r->n_anomalies * sizeof(struct wst_anomaly));
    s->n_anomalies[s->n_conns] = r->n_anomalies;
    s->conns[s->n_conns++] = copy;
}

static void keep_summary(struct wst_sink *sink, const struct wst_summary *sum)
{
    script_of(sink)->summary = *sum;
}

static const struct wst_sink_ops collector_ops = {
    .conn = collect,
    .summary = keep_summary,
};

struct wst_pipeline_config script_config(void)
{
    static struct wst_options defaults;
    struct wst_pipeline_config cfg;
    wst_options_defaults(&defaults);
    wst_options_pipeline_config(&defaults, &cfg);
    cfg.hash_seed = 1;
    return cfg;
}

void script_init(struct script *s, const struct wst_pipeline_config *cfg)
{
    memset(s, 0, sizeof *s);
    struct wst_pipeline_config def = script_config();
    s->collector.ops = &collector_ops;
    wst_pipeline_init(&s->pipe, cfg ? cfg : &def, &s->collector);
    s->now_us = 1700000000ULL * 1000000;
    s->step_us = 1000;
    s->client_ip = "192.0.2.1";
    s->server_ip = "198.51.100.2";
    s->client_port = 40000;
    s->server_port = 80;
}

void script_fini(struct script *s)
{
    wst_pipeline_fini(&s->pipe);
    for (size_t i = 0; i < s->n_conns; i++) {
        free(s->conns[i]->ext);
        free(s->conns[i]);
        free(s->anomalies[i]);
    }
    memset(s, 0, sizeof *s);
}

void script_frame(struct script *s, enum wst_link link, const uint8_t *data, size_t caplen, size_t wirelen)
{
    struct wst_packet pkt = {
        .ts_us = s->now_us,
        .caplen = (uint32_t)caplen,
        .wirelen = (uint32_t)wirelen,
        .link = link,
        .data = data,
    };
    wst_dispatch_packet(s->pipe.dispatch, &pkt);
    s->now_us += s->step_us;
}

void script_seg(struct script *s, int dir, uint8_t flags, uint32_t seq, uint32_t ack, size_t len)
{
    script_seg_win(s, dir, flags, seq, ack, len, 64240);
}

void script_seg_win(struct script *s, int dir, uint8_t flags, uint32_t seq, uint32_t ack, size_t len,
                    uint16_t window)
{
    struct craft c;
    const char *src = dir == C2S ? s->client_ip : s->server_ip;
    const char *dst = dir == C2S ? s->server_ip : s->client_ip;
    uint16_t sport = dir == C2S ? s->client_port : s->server_port;
    uint16_t dport = dir == C2S ? s->server_port : s->client_port;
    uint16_t ip_type = s->ipv6 ? CRAFT_ETH_IPV6 : CRAFT_ETH_IPV4;

    craft_init(&c);
    if (s->vlan) {
        craft_eth(&c, CRAFT_ETH_VLAN);
        craft_vlan(&c, s->vlan, ip_type);
    } else {
        craft_eth(&c, ip_type);
    }
    if (s->ipv6)
        craft_ipv6(&c, src, dst, CRAFT_IP_TCP);
    else
        craft_ipv4(&c, src, dst, CRAFT_IP_TCP);
    craft_tcp(&c, sport, dport, seq, ack, flags, window, NULL, 0, len);
    size_t n = craft_finish(&c);
    script_frame(s, WST_LINK_ETHERNET, c.buf, n, n);
}

void script_finish(struct script *s)
{
    struct wst_summary sum = {.complete = true};
    wst_dispatch_finish(s->pipe.dispatch, &sum);
    s->finished = true;
}

const struct wst_finding *script_findings(const struct script *s, size_t *n)
{
    ck_assert(s->finished);
    *n = s->summary.n_findings;
    return s->summary.findings;
}

const struct wst_conn *script_conn(const struct script *s, size_t i)
{
    ck_assert_uint_lt(i, s->n_conns);
    return s->conns[i];
}

const struct wst_anomaly *script_anomaly(const struct script *s, size_t i, enum wst_anomaly_kind kind)
{
    ck_assert_uint_lt(i, s->n_conns);
    const struct wst_anomaly *found = NULL;
    for (size_t k = 0; k < s->n_anomalies[i]; k++) {
        if (s->anomalies[i][k].kind != kind)
            continue;
        ck_assert_msg(found == NULL, "two %s anomalies", wst_anomaly_name(kind));
        found = &s->anomalies[i][k];
    }
    return found;
}

size_t script_n_anomalies(const struct script *s, size_t i)
{
    ck_assert_uint_lt(i, s->n_conns);
    return s->n_anomalies[i];
}

const struct wst_conn *script_live(struct script *s)
{
    wst_dispatch_drain(s->pipe.dispatch);
    struct wst_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.family = s->ipv6 ? WST_AF_INET6 : WST_AF_INET;
    int af = s->ipv6 ? AF_INET6 : AF_INET;
    ck_assert_int_eq(inet_pton(af, s->client_ip, seg.src.b), 1);
    ck_assert_int_eq(inet_pton(af, s->server_ip, seg.dst.b), 1);
    seg.sport = s->client_port;
    seg.dport = s->server_port;
    if (s->vlan) {
        seg.vlan_count = 1;
        seg.vlan[0] = s->vlan;
    }
    struct wst_flow_key key;
    wst_flow_key_from_segment(&key, &seg, false);
    return wst_tracker_get(s->pipe.tracker, &key);
}

enum wst_tcp_state script_client_state(struct script *s)
{
    const struct wst_conn *c = script_live(s);
    ck_assert_ptr_nonnull(c);
    return (enum wst_tcp_state)c->ep[c->client].state;
}

enum wst_tcp_state script_server_state(struct script *s)
{
    const struct wst_conn *c = script_live(s);
    ck_assert_ptr_nonnull(c);
    return (enum wst_tcp_state)c->ep[!c->client].state;
}

void script_idle(struct script *s, uint64_t us)
{
    struct craft c;
    s->now_us += us;
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_ARP);
    craft_bytes(&c, NULL, 28);
    size_t n = craft_finish(&c);
    uint64_t step = s->step_us;
    s->step_us = 0;
    script_frame(s, WST_LINK_ETHERNET, c.buf, n, n);
    s->step_us = step;
}
