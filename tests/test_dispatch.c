/*
 * test_dispatch.c - the stage between the capture and the tracker
 * (src/dispatch.c): every packet counted once, capture time, the sequence
 * numbers that name connections, ICMP errors routed by the connection they
 * quote, and time moving the tracker's timers without TCP traffic.
 */
#include <string.h>

#include "script.h"
#include "suites.h"

/* Feeds one ARP frame at the current time (no TCP, but time moves). */
static void arp(struct script *s)
{
    struct craft c;
    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_ARP);
    craft_bytes(&c, NULL, 28);
    size_t n = craft_finish(&c);
    script_frame(s, WST_LINK_ETHERNET, c.buf, n, n);
}

/*
 * Feeds an ICMP destination unreachable (code 13, administratively
 * prohibited) from a router to the client, quoting a SYN the client sent
 * from `sport` with sequence number isn, on VLAN `vlan` (0: untagged).
 */
static void icmp_quoting_syn(struct script *s, uint16_t sport, uint32_t isn, uint16_t vlan)
{
    struct craft syn, icmp;
    craft_init(&syn);
    craft_eth(&syn, CRAFT_ETH_IPV4);
    craft_ipv4(&syn, s->client_ip, s->server_ip, CRAFT_IP_TCP);
    craft_tcp(&syn, sport, s->server_port, isn, 0, CRAFT_SYN, 64240, NULL, 0, 0);
    craft_finish(&syn);
    craft_init(&icmp);
    if (vlan) {
        craft_eth(&icmp, CRAFT_ETH_VLAN);
        craft_vlan(&icmp, vlan, CRAFT_ETH_IPV4);
    } else {
        craft_eth(&icmp, CRAFT_ETH_IPV4);
    }
    craft_ipv4(&icmp, "192.0.2.254", s->client_ip, CRAFT_IP_ICMP);
    craft_icmp_error(&icmp, 3, 13, syn.buf + syn.ip_off, 20 + 8);
    size_t n = craft_finish(&icmp);
    script_frame(s, WST_LINK_ETHERNET, icmp.buf, n, n);
}

START_TEST(test_dispatch_accounts_every_packet)
{
    struct script s;
    script_init(&s, NULL);
    struct craft c;

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_ARP);
    craft_bytes(&c, NULL, 28);
    size_t n = craft_finish(&c);
    script_frame(&s, WST_LINK_ETHERNET, c.buf, n, n);

    craft_init(&c);
    craft_eth(&c, CRAFT_ETH_IPV4);
    craft_ipv4(&c, "192.0.2.1", "192.0.2.2", CRAFT_IP_UDP);
    craft_udp(&c, 5353, 53, 20);
    n = craft_finish(&c);
    script_frame(&s, WST_LINK_ETHERNET, c.buf, n, n);
    script_frame(&s, WST_LINK_ETHERNET, c.buf, 10, n);     /* cut inside Ethernet */
    script_frame(&s, WST_LINK_UNSUPPORTED, c.buf, n, n);
    script_seg(&s, C2S, CRAFT_SYN, 1, 0, 0);
    script_finish(&s);

    const struct wst_dispatch_stats *st = wst_dispatch_stats(s.pipe.dispatch);
    ck_assert_uint_eq(st->packets, 5);
    ck_assert_uint_eq(st->by_status[WST_DECODE_NON_IP], 1);
    ck_assert_uint_eq(st->by_status[WST_DECODE_UDP], 1);
    ck_assert_uint_eq(st->by_status[WST_DECODE_TRUNCATED_LINK], 1);
    ck_assert_uint_eq(st->by_status[WST_DECODE_UNSUPPORTED_LINK], 1);
    ck_assert_uint_eq(st->by_status[WST_DECODE_TCP], 1);
    uint64_t sum = 0;
    for (int i = 0; i < WST_DECODE__COUNT; i++)
        sum += st->by_status[i];
    ck_assert_uint_eq(sum, st->packets);
    ck_assert_uint_eq(wst_tracker_stats(s.pipe.tracker)->connections, 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_dispatch_capture_time_never_goes_back)
{
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);           /* t0 */
    s.now_us += 5000000;
    script_seg(&s, S2C, CRAFT_SYN | CRAFT_ACK, 5000, 1001, 0); /* t0 + 5.001 s */
    s.now_us -= 3000000;
    script_seg(&s, C2S, CRAFT_ACK, 1001, 5001, 0);        /* earlier: t0 + 2.002 s */
    const struct wst_dispatch_stats *st = wst_dispatch_stats(s.pipe.dispatch);
    ck_assert_uint_eq(st->first_ts_us, 1700000000000000ULL);
    ck_assert_uint_eq(st->now_us, 1700000005001000ULL);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->first_ts_us, 1700000000000000ULL);
    ck_assert_uint_eq(c->last_ts_us, 1700000005001000ULL);
    script_fini(&s);
}
END_TEST

/* A connection is named by the sequence number of its first packet. */
START_TEST(test_dispatch_ids_are_first_packet_numbers)
{
    struct script s;
    script_init(&s, NULL);
    arp(&s);                                              /* 1 */
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);           /* 2: opens A */
    s.client_port = 40001;
    script_seg(&s, C2S, CRAFT_SYN, 3000, 0, 0);           /* 3: opens B */
    s.client_port = 40000;
    script_seg(&s, S2C, CRAFT_SYN | CRAFT_ACK, 5000, 1001, 0); /* 4: A */
    arp(&s);                                              /* 5 */
    s.client_port = 40002;
    script_seg(&s, C2S, CRAFT_SYN, 7000, 0, 0);           /* 6: opens C */
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 3);
    ck_assert_uint_eq(script_conn(&s, 0)->id, 2);
    ck_assert_uint_eq(script_conn(&s, 1)->id, 3);
    ck_assert_uint_eq(script_conn(&s, 2)->id, 6);
    ck_assert_uint_eq(script_conn(&s, 0)->packets[0] + script_conn(&s, 0)->packets[1], 2);
    ck_assert_uint_eq(wst_dispatch_stats(s.pipe.dispatch)->packets, 6);
    script_fini(&s);
}
END_TEST

/* An ICMP error reaches the connection whose SYN it quotes, and only that one. */
START_TEST(test_dispatch_icmp_routed_by_quote)
{
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    s.client_port = 40001;
    script_seg(&s, C2S, CRAFT_SYN, 3000, 0, 0);
    icmp_quoting_syn(&s, 40001, 3000, 0);   /* about the second */
    icmp_quoting_syn(&s, 40009, 9000, 0);   /* about no connection: creates none */
    script_finish(&s);
    const struct wst_dispatch_stats *ds = wst_dispatch_stats(s.pipe.dispatch);
    ck_assert_uint_eq(ds->by_status[WST_DECODE_ICMP], 2);
    ck_assert_uint_eq(ds->by_status[WST_DECODE_TCP], 2);
    ck_assert_uint_eq(s.n_conns, 2);
    ck_assert_ptr_null(script_anomaly(&s, 0, WST_AN_UNREACHABLE));
    const struct wst_anomaly *a = script_anomaly(&s, 1, WST_AN_UNREACHABLE);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(a->detail[1], 13);
    /* The error ended the attempt: the client is CLOSED, the record reset. */
    const struct wst_conn *c = script_conn(&s, 1);
    ck_assert_uint_eq(c->ep[c->client].state, WST_ST_CLOSED);
    ck_assert_uint_eq(c->end_reason, WST_END_RESET);
    script_fini(&s);
}
END_TEST

/* With VLAN keying, the error's own tag picks the connection (the zone). */
START_TEST(test_dispatch_icmp_routed_by_vlan)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.vlan_key = true;
    struct script s;
    script_init(&s, &cfg);
    s.vlan = 10;
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    s.vlan = 20;
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    icmp_quoting_syn(&s, s.client_port, 1000, 20);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 2);
    ck_assert_uint_eq(script_conn(&s, 0)->vlan[0], 11); /* VLAN ID + 1 */
    ck_assert_ptr_null(script_anomaly(&s, 0, WST_AN_UNREACHABLE));
    ck_assert_uint_eq(script_conn(&s, 1)->vlan[0], 21);
    ck_assert_ptr_nonnull(script_anomaly(&s, 1, WST_AN_UNREACHABLE));
    script_fini(&s);
}
END_TEST

/*
 * Time moves the tracker's timers on a link without TCP: a connection done
 * on the wire is reported half a second later (tracker.c, invariant 4)
 * while only ARP frames go by, and it leaves the table once its TIME_WAIT
 * is over: the same 4-tuple then opens a new connection without
 * port_reuse.
 */
START_TEST(test_dispatch_time_moves_timers)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.msl_s = 2;
    struct script s;
    script_init(&s, &cfg);
    script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
    script_seg(&s, S2C, CRAFT_SYN | CRAFT_ACK, 5000, 1001, 0);
    script_seg(&s, C2S, CRAFT_ACK, 1001, 5001, 0);
    script_seg(&s, C2S, CRAFT_FIN | CRAFT_ACK, 1001, 5001, 0);
    script_seg(&s, S2C, CRAFT_FIN | CRAFT_ACK, 5001, 1002, 0);
    script_seg(&s, C2S, CRAFT_ACK, 1002, 5002, 0);
    ck_assert_uint_eq(script_client_state(&s), WST_ST_TIME_WAIT);
    s.now_us += 200000;
    arp(&s);
    ck_assert_uint_eq(s.n_conns, 0); /* 0.2 s: within the grace */
    s.now_us += 600000;
    arp(&s);
    ck_assert_uint_eq(s.n_conns, 1); /* 0.8 s: reported, by ARP frames alone */
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->ep[c->client].state, WST_ST_TIME_WAIT);
    ck_assert_uint_eq(c->ep[!c->client].state, WST_ST_CLOSED);
    ck_assert_uint_eq(c->end_reason, WST_END_CLOSED);
    ck_assert_ptr_nonnull(script_live(&s)); /* held for its TIME_WAIT */
    /* 4 s of TIME_WAIT, then 4 more for late segments: gone by 9 s. */
    s.now_us += 8 * 1000000;
    arp(&s);
    ck_assert_ptr_null(script_live(&s));
    script_seg(&s, C2S, CRAFT_SYN, 9000, 0, 0);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 2);
    ck_assert_uint_eq(script_n_anomalies(&s, 1), 0); /* not a port_reuse */
    script_fini(&s);
}
END_TEST

Suite *dispatch_suite(void)
{
    Suite *s = suite_create("dispatch");
    TCase *tc = tcase_create("accounting");
    tcase_add_test(tc, test_dispatch_accounts_every_packet);
    tcase_add_test(tc, test_dispatch_capture_time_never_goes_back);
    suite_add_tcase(s, tc);
    tc = tcase_create("routing");
    tcase_add_test(tc, test_dispatch_ids_are_first_packet_numbers);
    tcase_add_test(tc, test_dispatch_icmp_routed_by_quote);
    tcase_add_test(tc, test_dispatch_icmp_routed_by_vlan);
    suite_add_tcase(s, tc);
    tc = tcase_create("time");
    tcase_add_test(tc, test_dispatch_time_moves_timers);
    suite_add_tcase(s, tc);
    return s;
}
