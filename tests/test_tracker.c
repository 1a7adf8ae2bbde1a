/*
 * test_tracker.c - the engine, driven by packet scripts (script.h).
 */
#include <stdio.h>
#include <string.h>

#include "script.h"
#include "suites.h"

/* Endpoint index of the client/server of an emitted connection. */
#define CLI(c) ((c)->client)
#define SRV(c) (!(c)->client)

static void handshake_and_close(struct script *s)
{
    script_seg(s, C2S, CRAFT_SYN, 1000, 0, 0);
    script_seg(s, S2C, CRAFT_SYN | CRAFT_ACK, 5000, 1001, 0);
    script_seg(s, C2S, CRAFT_ACK, 1001, 5001, 0);
    script_seg(s, C2S, CRAFT_ACK | CRAFT_PSH, 1001, 5001, 100);
    script_seg(s, S2C, CRAFT_ACK | CRAFT_PSH, 5001, 1101, 300);
    script_seg(s, C2S, CRAFT_ACK | CRAFT_FIN, 1101, 5301, 0);
    script_seg(s, S2C, CRAFT_ACK | CRAFT_FIN, 5301, 1102, 0);
    script_seg(s, C2S, CRAFT_ACK, 1102, 5302, 0);
}

START_TEST(test_tracker_counts_per_direction)
{
    struct script s;
    script_init(&s, NULL);
    handshake_and_close(&s);
    script_finish(&s);

    ck_assert_uint_eq(s.n_conns, 1);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->id, 1);
    ck_assert_uint_eq(c->client_basis, WST_CLIENT_SYN);
    ck_assert_uint_eq(c->port[CLI(c)], 40000);
    ck_assert_uint_eq(c->port[SRV(c)], 80);
    /* Client sent SYN, ACK, data, FIN, ACK = 5; server SYN+ACK, data, FIN = 3. */
    ck_assert_uint_eq(c->packets[CLI(c)], 5);
    ck_assert_uint_eq(c->packets[SRV(c)], 3);
    ck_assert_uint_eq(c->payload_bytes[CLI(c)], 100);
    ck_assert_uint_eq(c->payload_bytes[SRV(c)], 300);
    ck_assert_uint_eq(c->tcp_flags[CLI(c)], WST_TH_SYN | WST_TH_ACK | WST_TH_PSH | WST_TH_FIN);
    ck_assert_uint_eq(c->tcp_flags[SRV(c)], WST_TH_SYN | WST_TH_ACK | WST_TH_PSH | WST_TH_FIN);
    /* 8 packets 1 ms apart from 1700000000 s. */
    ck_assert_uint_eq(c->first_ts_us, 1700000000000000ULL);
    ck_assert_uint_eq(c->last_ts_us, 1700000000007000ULL);

    const struct wst_dispatch_stats *ds = wst_dispatch_stats(s.pipe.dispatch);
    ck_assert_uint_eq(ds->packets, 8);
    ck_assert_uint_eq(ds->by_status[WST_DECODE_TCP], 8);
    ck_assert_uint_eq(wst_tracker_stats(s.pipe.tracker)->connections, 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_tracker_client_from_syn_ack)
{
    /* The capture starts at the SYN+ACK: its receiver is the client. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, S2C, CRAFT_SYN | CRAFT_ACK, 5000, 1001, 0);
    script_seg(&s, C2S, CRAFT_ACK, 1001, 5001, 0);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->client_basis, WST_CLIENT_SYN_ACK);
    ck_assert_uint_eq(c->port[CLI(c)], 40000);
    script_fini(&s);
}
END_TEST

START_TEST(test_tracker_client_guessed_from_ports)
{
    /* Midstream, first packet from the server: port 80 still names the server. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, S2C, CRAFT_ACK, 5000, 1000, 10);
    script_seg(&s, C2S, CRAFT_ACK, 1000, 5010, 0);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->client_basis, WST_CLIENT_PORTS);
    ck_assert_uint_eq(c->port[CLI(c)], 40000);
    ck_assert_uint_eq(c->port[SRV(c)], 80);
    script_fini(&s);
}
END_TEST

START_TEST(test_tracker_client_guess_equal_ports)
{
    /* Equal ports, no handshake: the first packet's receiver is the server. */
    struct script s;
    script_init(&s, NULL);
    s.client_port = s.server_port = 5001;
    script_seg(&s, S2C, CRAFT_ACK, 5000, 1000, 10);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    struct wst_addr a;
    wst_conn_addr(c, CLI(c), &a);
    /* S2C was sent by 198.51.100.2, so 192.0.2.1 is taken for the server. */
    ck_assert_mem_eq(a.b, "\xc6\x33\x64\x02", 4);
    script_fini(&s);
}
END_TEST

START_TEST(test_tracker_late_syn_overrides_guess)
{
    /* A guess from ports gives way to a SYN seen later on the same tuple,
     * as long as nothing showed the connection synchronized (a segment with
     * no flags moves no state; a SYN on a synchronized connection would not
     * be part of it). */
    struct script s;
    script_init(&s, NULL);
    s.client_port = 80;   /* the "client" listens on the well-known port */
    s.server_port = 40000;
    script_seg(&s, S2C, 0, 5000, 0, 10);
    script_seg(&s, C2S, CRAFT_SYN, 999, 0, 0);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->client_basis, WST_CLIENT_SYN);
    ck_assert_uint_eq(c->port[CLI(c)], 80);
    script_fini(&s);
}
END_TEST

START_TEST(test_tracker_first_syn_wins)
{
    /* Simultaneous open: both send a bare SYN; the first one names the client. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, S2C, CRAFT_SYN, 5000, 0, 0);
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->client_basis, WST_CLIENT_SYN);
    ck_assert_uint_eq(c->port[CLI(c)], 80);
    script_fini(&s);
}
END_TEST

START_TEST(test_tracker_first_seen_order)
{
    /* Three connections interleaved; emitted in the order first seen. */
    struct script s;
    script_init(&s, NULL);
    uint16_t ports[3] = {40002, 40000, 40001};
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < 3; i++) {
            s.client_port = ports[i];
            script_seg(&s, C2S, round ? CRAFT_ACK : CRAFT_SYN, 1000, 0, 0);
        }
    }
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 3);
    for (size_t i = 0; i < 3; i++) {
        const struct wst_conn *c = script_conn(&s, i);
        ck_assert_uint_eq(c->id, i + 1);
        ck_assert_uint_eq(c->port[CLI(c)], ports[i]);
        ck_assert_uint_eq(c->packets[CLI(c)], 2);
    }
    script_fini(&s);
}
END_TEST

START_TEST(test_tracker_ipv6)
{
    struct script s;
    script_init(&s, NULL);
    s.ipv6 = 1;
    s.client_ip = "2001:db8::1";
    s.server_ip = "2001:db8::2";
    handshake_and_close(&s);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 1);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->family, WST_AF_INET6);
    ck_assert_uint_eq(c->packets[CLI(c)], 5);
    struct wst_addr a;
    wst_conn_addr(c, SRV(c), &a);
    ck_assert_uint_eq(a.b[0], 0x20);
    ck_assert_uint_eq(a.b[15], 0x02);
    script_fini(&s);
}
END_TEST

START_TEST(test_tracker_vlan_key)
{
    /* The same 4-tuple on VLAN 100 and 200: one connection, or two with --vlan-key. */
    for (int keyed = 0; keyed < 2; keyed++) {
        struct wst_pipeline_config cfg = script_config();
        cfg.vlan_key = keyed;
        cfg.hash_seed = 7;
        struct script s;
        script_init(&s, &cfg);
        s.vlan = 100;
        script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
        s.vlan = 200;
        script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
        script_finish(&s);
        ck_assert_uint_eq(s.n_conns, keyed ? 2 : 1);
        ck_assert_uint_eq(script_conn(&s, 0)->vlan[0], 101); /* ID + 1 */
        if (keyed)
            ck_assert_uint_eq(script_conn(&s, 1)->vlan[0], 201);
        else
            ck_assert_uint_eq(script_conn(&s, 0)->packets[CLI(script_conn(&s, 0))], 2);
        script_fini(&s);
    }
}
END_TEST

START_TEST(test_tracker_snap_cut_payload_counts)
{
    /* A data segment cut after its TCP header still counts its full payload. */
    struct script s;
    script_init(&s, NULL);
    struct craft c;
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "192.0.2.1", "198.51.100.2", CRAFT_IP_TCP);
    craft_tcp(&c, 40000, 80, 1, 1, CRAFT_ACK, 1000, NULL, 0, 1400);
    size_t n = craft_finish(&c);
    script_frame(&s, WST_LINK_ETHERNET, c.buf, 14 + 20 + 20, n);
    script_finish(&s);
    ck_assert_uint_eq(script_conn(&s, 0)->payload_bytes[CLI(script_conn(&s, 0))], 1400);
    script_fini(&s);
}
END_TEST

/* ---- --max-connections: what a full table evicts ---- */

/* A handshake on s's current 4-tuple, at ISNs 1000 and 5000. */
static void handshake_on(struct script *s)
{
    script_seg(s, C2S, CRAFT_SYN, 1000, 0, 0);
    script_seg(s, S2C, CRAFT_SYN | CRAFT_ACK, 5000, 1001, 0);
    script_seg(s, C2S, CRAFT_ACK, 1001, 5001, 0);
}

/* The record of the connection from client port `port`, or NULL. */
static const struct wst_conn *record_of(const struct script *s, uint16_t port)
{
    for (size_t i = 0; i < s->n_conns; i++) {
        const struct wst_conn *c = script_conn(s, i);
        if (c->port[CLI(c)] == port)
            return c;
    }
    return NULL;
}

/*
 * Half-open handshakes go first, oldest first, however recent the
 * established connection's packets are not: a flood cannot push out the
 * connections that work.
 */
START_TEST(test_tracker_evicts_half_open_first)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.max_connections = 3;
    struct script s;
    script_init(&s, &cfg);
    s.client_port = 40000;
    handshake_on(&s); /* established, and the oldest */
    s.client_port = 40001;
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    s.client_port = 40002;
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    s.client_port = 40003; /* the table is full: 40001 goes */
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    wst_dispatch_drain(s.pipe.dispatch); /* the packets queued for prefetching */
    ck_assert_uint_eq(s.n_conns, 1);
    ck_assert_uint_eq(script_conn(&s, 0)->port[CLI(script_conn(&s, 0))], 40001);
    ck_assert_str_eq(wst_end_reason_name((enum wst_end_reason)script_conn(&s, 0)->end_reason), "evicted");
    s.client_port = 40004; /* then 40002 */
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 5);
    ck_assert_uint_eq(script_conn(&s, 1)->port[CLI(script_conn(&s, 1))], 40002);
    const struct wst_conn *kept = record_of(&s, 40000);
    ck_assert_ptr_nonnull(kept);
    ck_assert_str_eq(wst_end_reason_name((enum wst_end_reason)kept->end_reason), "capture_end");
    ck_assert_uint_eq(s.summary.tracker->evicted, 2);
    ck_assert_uint_eq(s.summary.tracker->by_end_reason[WST_END_EVICTED], 2);
    script_fini(&s);
}
END_TEST

/*
 * With no handshake pending, the connection whose timer comes first: the
 * one idle longest. 40000 is older but spoke last, so 40001 goes; a
 * packet's moving the idle deadline later counts though the timer wheel
 * learns of it lazily.
 */
START_TEST(test_tracker_evicts_longest_idle)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.max_connections = 2;
    struct script s;
    script_init(&s, &cfg);
    s.client_port = 40000;
    handshake_on(&s);
    s.now_us += 1000000;
    s.client_port = 40001;
    handshake_on(&s);
    s.now_us += 1000000;
    s.client_port = 40000;
    script_seg(&s, C2S, CRAFT_ACK | CRAFT_PSH, 1001, 5001, 100);
    s.now_us += 1000000;
    s.client_port = 40002;
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    wst_dispatch_drain(s.pipe.dispatch);
    ck_assert_uint_eq(s.n_conns, 1);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->port[CLI(c)], 40001);
    ck_assert_str_eq(wst_end_reason_name((enum wst_end_reason)c->end_reason), "evicted");
    /* Evicted while ESTABLISHED: the record says so, and ends at the eviction. */
    ck_assert_uint_eq(c->ep[CLI(c)].state, WST_ST_ESTABLISHED);
    script_finish(&s);
    ck_assert_uint_eq(s.summary.tracker->evicted, 1);
    script_fini(&s);
}
END_TEST

/*
 * A finished connection waiting out its TIME_WAIT (written already) goes
 * before an open one idle longer: its timer, TIME_WAIT's end, comes first.
 */
START_TEST(test_tracker_evicts_time_wait_before_open)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.max_connections = 2;
    struct script s;
    script_init(&s, &cfg);
    s.client_port = 40000;
    handshake_on(&s); /* open, idle from here */
    s.client_port = 40001;
    handshake_on(&s);
    script_seg(&s, C2S, CRAFT_FIN | CRAFT_ACK, 1001, 5001, 0);
    script_seg(&s, S2C, CRAFT_FIN | CRAFT_ACK, 5001, 1002, 0);
    script_seg(&s, C2S, CRAFT_ACK, 1002, 5002, 0);
    s.now_us += 2000000; /* its record is written; the client holds TIME_WAIT */
    s.client_port = 40002;
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    script_finish(&s);
    const struct wst_conn *open = record_of(&s, 40000), *closed = record_of(&s, 40001);
    ck_assert_str_eq(wst_end_reason_name((enum wst_end_reason)closed->end_reason), "closed");
    ck_assert_str_eq(wst_end_reason_name((enum wst_end_reason)open->end_reason), "capture_end");
    ck_assert_uint_eq(s.summary.tracker->evicted, 1);
    ck_assert_uint_eq(s.summary.tracker->open_states[0][WST_ST_TIME_WAIT], 0); /* it is gone */
    script_fini(&s);
}
END_TEST

/*
 * A SYN flood through a small table: the findings still see it. Each
 * evicted record's pending handshake counts as half-open, so the flood
 * finding counts every SYN the table could not keep.
 */
START_TEST(test_tracker_flood_found_under_eviction)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.max_connections = 10;
    cfg.findings.flood_min = 20;
    struct script s;
    script_init(&s, &cfg);
    static char ip[40][16];
    for (int i = 0; i < 40; i++) {
        snprintf(ip[i], sizeof ip[i], "203.0.113.%d", i + 1);
        s.client_ip = ip[i];
        script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
        script_seg(&s, S2C, CRAFT_SYN | CRAFT_ACK, 5000, 1001, 0);
    }
    script_finish(&s);
    ck_assert_uint_eq(s.summary.tracker->evicted, 30);
    size_t n;
    const struct wst_finding *f = script_findings(&s, &n);
    const struct wst_finding *flood = NULL;
    for (size_t i = 0; i < n; i++) {
        if (f[i].kind == WST_FIND_SYN_FLOOD)
            flood = &f[i];
    }
    ck_assert_ptr_nonnull(flood);
    ck_assert_uint_eq(flood->connections, 30); /* the ten left are younger than --syn-timeout */
    ck_assert_uint_eq(flood->synack_unacked, 30);
    script_fini(&s);
}
END_TEST

/*
 * A SYN just after its 4-tuple's TIME_WAIT ran out is a new connection,
 * not a port reuse, though the timer wheel runs that TIME_WAIT's end up to
 * a slot later; one just before it is a port reuse. (--msl 1: TIME_WAIT
 * lasts 2 s from the server's FIN.)
 */
static size_t reuse_after_time_wait(int64_t after_end_us)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.msl_s = 1;
    struct script s;
    script_init(&s, &cfg);
    handshake_on(&s);
    script_seg(&s, C2S, CRAFT_FIN | CRAFT_ACK, 1001, 5001, 0);
    uint64_t fin_us = s.now_us; /* the client enters TIME_WAIT with this FIN */
    script_seg(&s, S2C, CRAFT_FIN | CRAFT_ACK, 5001, 1002, 0);
    script_seg(&s, C2S, CRAFT_ACK, 1002, 5002, 0);
    s.now_us = (uint64_t)((int64_t)(fin_us + 2000000) + after_end_us);
    script_seg(&s, C2S, CRAFT_SYN, 90000, 0, 0);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 2);
    size_t n = script_anomaly(&s, 1, WST_AN_PORT_REUSE) != NULL;
    script_fini(&s);
    return n;
}

START_TEST(test_tracker_time_wait_ends_on_time)
{
    ck_assert_uint_eq(reuse_after_time_wait(-1000), 1);
    ck_assert_uint_eq(reuse_after_time_wait(1000), 0);
    ck_assert_uint_eq(reuse_after_time_wait(30000), 0);
}
END_TEST

Suite *tracker_suite(void)
{
    Suite *s = suite_create("tracker");
    TCase *tc = tcase_create("counters");
    tcase_add_test(tc, test_tracker_counts_per_direction);
    tcase_add_test(tc, test_tracker_ipv6);
    tcase_add_test(tc, test_tracker_snap_cut_payload_counts);
    suite_add_tcase(s, tc);

    tc = tcase_create("orientation");
    tcase_add_test(tc, test_tracker_client_from_syn_ack);
    tcase_add_test(tc, test_tracker_client_guessed_from_ports);
    tcase_add_test(tc, test_tracker_client_guess_equal_ports);
    tcase_add_test(tc, test_tracker_late_syn_overrides_guess);
    tcase_add_test(tc, test_tracker_first_syn_wins);
    suite_add_tcase(s, tc);

    tc = tcase_create("table");
    tcase_add_test(tc, test_tracker_first_seen_order);
    tcase_add_test(tc, test_tracker_vlan_key);
    tcase_add_test(tc, test_tracker_evicts_half_open_first);
    tcase_add_test(tc, test_tracker_evicts_longest_idle);
    tcase_add_test(tc, test_tracker_evicts_time_wait_before_open);
    tcase_add_test(tc, test_tracker_flood_found_under_eviction);
    tcase_add_test(tc, test_tracker_time_wait_ends_on_time);
    suite_add_tcase(s, tc);

    tc = tcase_create("accounting");
    suite_add_tcase(s, tc);
    return s;
}
