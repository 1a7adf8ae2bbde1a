/*
 * test_emit.c - the JSON and text emitters on hand-built connections; the
 * golden tests cover them on real captures.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "wirestate/emit.h"
#include "wirestate/findings.h"

static struct wst_conn_pool pool;
static char *text;
static size_t text_len;
static FILE *mem;
static struct wst_outbuf ob;

static void setup(void)
{
    wst_conn_pool_init(&pool);
    mem = open_memstream(&text, &text_len);
    ck_assert_ptr_nonnull(mem);
    wst_outbuf_init(&ob, mem);
}

static void teardown(void)
{
    fclose(mem);
    free(text);
    wst_conn_pool_fini(&pool);
}

/* A connection 192.0.2.1:40000 (client) <-> 198.51.100.2:443. */
static struct wst_conn *make_conn(const char *a, uint16_t pa, const char *b, uint16_t pb, int family)
{
    struct wst_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.family = (uint8_t)family;
    int af = family == WST_AF_INET ? AF_INET : AF_INET6;
    ck_assert_int_eq(inet_pton(af, a, seg.src.b), 1);
    ck_assert_int_eq(inet_pton(af, b, seg.dst.b), 1);
    seg.sport = pa;
    seg.dport = pb;
    struct wst_flow_key key;
    int from = wst_flow_key_from_segment(&key, &seg, false);
    struct wst_conn *c = wst_conn_new(&pool, &key, &seg);
    c->client = (uint8_t)from; /* the sender of seg is the client */
    c->client_basis = WST_CLIENT_SYN;
    return c;
}

static const char *output(void)
{
    ck_assert_int_eq(wst_outbuf_flush(&ob), 0);
    return text;
}

/* Emits c as a finished record without anomalies, numbered by its id. */
static void conn_out(const struct wst_emitter_class *cls, const struct wst_conn *c, const struct wst_timeline *tl)
{
    struct wst_conn_report r = {.conn = c, .id = c->id, .timeline = tl, .end_us = c->last_ts_us};
    struct wst_emitter *e = wst_emitter_new(cls, &ob);
    wst_sink_conn(&e->sink, &r);
    wst_emitter_free(e);
}

/* Emits the summary in a format. */
static void summary_out(const struct wst_emitter_class *cls, const struct wst_summary *s)
{
    struct wst_emitter *e = wst_emitter_new(cls, &ob);
    wst_sink_summary(&e->sink, s);
    wst_emitter_free(e);
}

START_TEST(test_emit_json_conn_fields)
{
    struct wst_conn *c = make_conn("192.0.2.1", 40000, "198.51.100.2", 443, WST_AF_INET);
    c->id = 7;
    c->first_ts_us = 1700000000000001ULL;
    c->last_ts_us = 1700000002500000ULL;
    c->packets[c->client] = 5;
    c->payload_bytes[c->client] = 100;
    c->tcp_flags[c->client] = WST_TH_SYN | WST_TH_ACK | WST_TH_FIN;
    c->packets[!c->client] = 0;
    c->tcp_flags[!c->client] = 0;
    c->vlan[0] = 101; /* VLAN 100 */
    c->vlan[1] = 1;   /* inner VLAN 0 (priority tag) */
    c->ep[c->client].state = WST_ST_TIME_WAIT;
    c->ep[!c->client].state = WST_ST_CLOSED;
    c->ep[c->client].fins = 3; /* two retransmissions */
    c->end_reason = WST_END_CLOSED;
    conn_out(&wst_emitter_json, c, NULL);
    /* duration 1700000002.500000 - 1700000000.000001 = 2.499999 */
    ck_assert_str_eq(output(),
                     "{\"type\":\"conn\",\"id\":7,\"client\":\"192.0.2.1:40000\",\"server\":\"198.51.100.2:443\","
                     "\"client_guessed\":false,\"client_basis\":\"syn\",\"start\":1700000000.000001,"
                     "\"end\":1700000002.500000,\"duration\":2.499999,\"client_state\":\"TIME_WAIT\","
                     "\"server_state\":\"CLOSED\",\"end_reason\":\"closed\",\"midstream\":false,"
                     "\"syn_retransmissions\":0,\"fin_retransmissions\":2,\"client_packets\":5,\"client_bytes\":100,"
                     "\"client_flags\":[\"SYN\",\"ACK\",\"FIN\"],\"server_packets\":0,\"server_bytes\":0,"
                     "\"server_flags\":[],\"vlan\":100,\"inner_vlan\":0,\"anomalies\":[]}\n");
}
END_TEST

START_TEST(test_emit_json_guessed_ipv6_all_flags)
{
    struct wst_conn *c = make_conn("2001:db8::2", 80, "2001:db8::1", 50000, WST_AF_INET6);
    c->id = (1ULL << 48) - 1; /* the largest id a record holds */
    c->client_basis = WST_CLIENT_PORTS;
    c->tcp_flags[c->client] = 0xFF;
    c->packets[c->client] = UINT32_MAX; /* the low half; the high half in the extension */
    wst_conn_ext(c)->packets_hi[c->client] = UINT32_MAX;
    c->ep[0].state = c->ep[1].state = WST_ST_ESTABLISHED;
    c->flags |= WST_CONN_MIDSTREAM;
    c->end_reason = WST_END_CAPTURE_END;
    conn_out(&wst_emitter_json, c, NULL);
    wst_conn_free(&pool, c);
    ck_assert_str_eq(output(),
                     "{\"type\":\"conn\",\"id\":281474976710655,\"client\":\"[2001:db8::2]:80\","
                     "\"server\":\"[2001:db8::1]:50000\",\"client_guessed\":true,\"client_basis\":\"ports\","
                     "\"start\":0.000000,\"end\":0.000000,\"duration\":0.000000,\"client_state\":\"ESTABLISHED\","
                     "\"server_state\":\"ESTABLISHED\",\"end_reason\":\"capture_end\",\"midstream\":true,"
                     "\"syn_retransmissions\":0,\"fin_retransmissions\":0,"
                     "\"client_packets\":18446744073709551615,\"client_bytes\":0,"
                     "\"client_flags\":[\"SYN\",\"ACK\",\"PSH\",\"URG\",\"FIN\",\"RST\",\"ECE\",\"CWR\"],"
                     "\"server_packets\":0,\"server_bytes\":0,\"server_flags\":[],\"anomalies\":[]}\n");
}
END_TEST

START_TEST(test_emit_text_conn)
{
    struct wst_conn *c = make_conn("10.0.0.1", 1234, "10.0.0.2", 22, WST_AF_INET);
    c->id = 3;
    c->client_basis = WST_CLIENT_SYN_ACK;
    c->first_ts_us = 1700000000000000ULL;
    c->last_ts_us = 1700000060000000ULL;
    c->packets[c->client] = 1;
    c->tcp_flags[c->client] = WST_TH_ACK;
    c->ep[c->client].state = WST_ST_ESTABLISHED;
    c->ep[!c->client].state = WST_ST_SYN_RCVD;
    c->end_reason = WST_END_TIMEOUT;
    conn_out(&wst_emitter_text, c, NULL);
    ck_assert_str_eq(output(),
                     "#3 10.0.0.1:1234 -> 10.0.0.2:22  (client received the SYN+ACK)\n"
                     "   start 2023-11-14 22:13:20.000000  end 2023-11-14 22:14:20.000000  duration 60.000000 s\n"
                     "   state  client ESTABLISHED, server SYN_RCVD  (ended: timeout)\n"
                     "   client sent          1 packet            0 payload bytes   ACK\n"
                     "   server sent          0 packets           0 payload bytes   (no flags)\n"
                     "\n");
}
END_TEST

/*
 * A segment with every flag, raw 32-bit numbers (no ISN known) and a
 * retransmission mark does not fit the ladder's 44 columns: its arrow
 * widens instead of cutting a number off.
 */
START_TEST(test_emit_text_long_arrow_widens)
{
    struct wst_conn *c = make_conn("10.0.0.1", 1234, "10.0.0.2", 22, WST_AF_INET);
    c->id = 1;
    c->first_ts_us = 1700000000000000ULL;
    c->last_ts_us = c->first_ts_us;
    c->ep[0].state = c->ep[1].state = WST_ST_ESTABLISHED;
    struct wst_tl_event ev = {
        .ts_us = c->first_ts_us,
        .seq = 4294967295u,
        .ack = 4294967295u,
        .payload_len = 65535,
        .from = c->client,
        .flags = 0xFF,
        .why = WST_TL_REXMIT,
        .state = {WST_ST_ESTABLISHED, WST_ST_ESTABLISHED},
    };
    struct wst_timeline *tl = NULL;
    wst_timeline_add(&tl, &ev, 32);
    ev.from = (uint8_t)!c->client;
    ev.flags = WST_TH_ACK;
    ev.seq = 1;
    ev.ack = 2;
    ev.payload_len = 0;
    ev.why = WST_TL_STATE;
    wst_timeline_add(&tl, &ev, 32);
    conn_out(&wst_emitter_text, c, tl);
    const char *out = output();
    ck_assert_msg(strstr(out, "       0.000000  ESTABLISHED -- SYN ACK PSH URG FIN RST ECE CWR seq 4294967295 "
                              "ack 4294967295 len 65535 again ->  ESTABLISHED\n"),
                  "%s", out);
    /* A short one keeps the common width, 44 columns. */
    ck_assert_msg(strstr(out, "       0.000000  ESTABLISHED <- ACK seq 1 ack 2 -------------------------  ESTABLISHED\n"),
                  "%s", out);
    wst_timeline_free(tl);
}
END_TEST

/* Intervals between one endpoint's SYNs, from its timeline. */
START_TEST(test_emit_syn_intervals)
{
    struct wst_conn *c = make_conn("10.0.0.1", 1234, "10.0.0.2", 22, WST_AF_INET);
    const wst_ts_us t0 = 1700000000000000ULL;
    /* Client SYNs at 0, 1, 3, 7, 15, 31 s (the first one new, the others
     * again), then the server's SYN+ACK at 31.5 s. A timeline of 4 keeps
     * the first two and the last two: 0, 1 | 31, 31.5 (3, 7, 15 skipped). */
    static const unsigned at_s[] = {0, 1, 3, 7, 15, 31};
    struct wst_timeline *tl = NULL;
    for (size_t i = 0; i < sizeof at_s / sizeof at_s[0]; i++) {
        struct wst_tl_event ev = {.ts_us = t0 + at_s[i] * 1000000ULL, .from = c->client, .flags = WST_TH_SYN,
                                  .why = (uint8_t)(WST_TL_SYN | (i ? WST_TL_REXMIT : 0))};
        wst_timeline_add(&tl, &ev, 4);
    }
    struct wst_tl_event sa = {.ts_us = t0 + 31500000ULL, .from = (uint8_t)!c->client,
                              .flags = WST_TH_SYN | WST_TH_ACK, .why = WST_TL_SYN};
    wst_timeline_add(&tl, &sa, 4);
    ck_assert_uint_eq(wst_timeline_skipped(tl), 3);

    struct wst_syn_intervals it = {0};
    wst_ts_us us;
    /* 0 -> 1 s; 1 -> 31 s spans the gap and is left out. */
    ck_assert(wst_emit_syn_interval_next(tl, c->client, &it, &us));
    ck_assert_uint_eq(us, 1000000);
    ck_assert(!wst_emit_syn_interval_next(tl, c->client, &it, &us));
    /* The server sent its SYN+ACK once: no interval. */
    struct wst_syn_intervals it2 = {0};
    ck_assert(!wst_emit_syn_interval_next(tl, !c->client, &it2, &us));
    wst_timeline_free(tl);

    /* Without a gap every interval is there, and a RST (even with SYN) is
     * not a SYN. */
    tl = NULL;
    for (size_t i = 0; i < 4; i++) {
        struct wst_tl_event ev = {.ts_us = t0 + at_s[i] * 1000000ULL, .from = c->client, .flags = WST_TH_SYN,
                                  .why = (uint8_t)(WST_TL_SYN | (i ? WST_TL_REXMIT : 0))};
        if (i == 2)
            ev.flags |= WST_TH_RST;
        wst_timeline_add(&tl, &ev, 32);
    }
    struct wst_syn_intervals it3 = {0};
    ck_assert(wst_emit_syn_interval_next(tl, c->client, &it3, &us));
    ck_assert_uint_eq(us, 1000000);
    ck_assert(wst_emit_syn_interval_next(tl, c->client, &it3, &us));
    ck_assert_uint_eq(us, 6000000); /* 1 -> 7 s */
    ck_assert(!wst_emit_syn_interval_next(tl, c->client, &it3, &us));
    wst_timeline_free(tl);
}
END_TEST

START_TEST(test_emit_summary_accounts)
{
    struct wst_tracker_stats ts;
    memset(&ts, 0, sizeof ts);
    struct wst_dispatch_stats ds;
    memset(&ds, 0, sizeof ds);
    ds.by_status[WST_DECODE_TCP] = 10;
    ds.by_status[WST_DECODE_UDP] = 2;
    ds.by_status[WST_DECODE_FRAGMENT] = 3;
    ds.by_status[WST_DECODE_TRUNCATED_IP] = 1;
    ds.packets = 16;
    ts.connections = 2;
    ds.first_ts_us = 1000000;
    ds.now_us = 3500000;
    /* Both still open at the end: one established, one half-open. */
    ts.open_states[0][WST_ST_ESTABLISHED] = ts.open_states[1][WST_ST_ESTABLISHED] = 1;
    ts.open_states[0][WST_ST_SYN_SENT] = ts.open_states[1][WST_ST_SYN_RCVD] = 1;
    ts.by_anomaly[WST_AN_HANDSHAKE_INCOMPLETE] = 1;
    ts.with_anomalies = 1;
    struct wst_summary s = {.dispatch = &ds, .tracker = &ts, .complete = false};
    s.capture.filtered = 4;
    uint64_t totals[WST_DC__COUNT];
    wst_summary_class_totals(&s, totals);
    ck_assert_uint_eq(totals[WST_DC_TCP], 10);
    ck_assert_uint_eq(totals[WST_DC_OTHER], 2);
    ck_assert_uint_eq(totals[WST_DC_NOT_DECODED], 3);
    ck_assert_uint_eq(totals[WST_DC_MALFORMED], 1);
    ck_assert_uint_eq(totals[0], 4);
    ck_assert_uint_eq(wst_summary_total_packets(&s), 20);

    summary_out(&wst_emitter_text, &s);
    ck_assert_str_eq(output(),
                     "summary\n"
                     "   packets      20 total: 10 tcp, 2 other, 3 not decoded, 1 malformed, 4 filtered out\n"
                     "   other        udp 2\n"
                     "   not decoded  ip_fragment 3\n"
                     "   malformed    truncated_ip_header 1\n"
                     "   connections  2\n"
                     "   open at end    client    server  state\n"
                     "                       1         0  SYN_SENT\n"
                     "                       0         1  SYN_RCVD\n"
                     "                       1         1  ESTABLISHED\n"
                     "   anomalies    1 connection: handshake_incomplete 1\n"
                     "   findings     none\n"
                     "   capture      1970-01-01 00:00:01.000000 to 1970-01-01 00:00:03.500000 UTC (2.500000 s)\n"
                     "   incomplete   reading stopped at an error (see the message on stderr)\n");
}
END_TEST

START_TEST(test_emit_summary_json_empty_capture)
{
    struct wst_tracker_stats ts;
    memset(&ts, 0, sizeof ts);
    struct wst_dispatch_stats ds;
    memset(&ds, 0, sizeof ds);
    struct wst_summary s = {.dispatch = &ds, .tracker = &ts, .complete = true};
    s.capture.is_live = true;
    s.capture.kernel_received = 9;
    s.capture.kernel_dropped = 1;
    summary_out(&wst_emitter_json, &s);
    const char *out = output();
    ck_assert_ptr_nonnull(strstr(out, "\"packets\":{\"total\":0,\"tcp\":0,"));
    ck_assert_ptr_nonnull(strstr(out, "\"capture\":{\"start\":null,\"end\":null,\"duration\":null,\"complete\":true}"));
    ck_assert_ptr_nonnull(strstr(out, "\"kernel\":{\"received\":9,\"dropped\":1,\"interface_dropped\":0}}\n"));
}
END_TEST

/* Text shows ten findings of a kind and says how many more JSON has; JSON all. */
START_TEST(test_emit_summary_findings_cap)
{
    struct wst_tracker_stats ts;
    memset(&ts, 0, sizeof ts);
    struct wst_dispatch_stats ds;
    memset(&ds, 0, sizeof ds);
    struct wst_finding f[12];
    memset(f, 0, sizeof f);
    for (int i = 0; i < 12; i++) {
        f[i].kind = WST_FIND_TIME_WAIT;
        f[i].severity = WST_SEV_INFO;
        f[i].family = WST_AF_INET;
        f[i].role = WST_ROLE_SERVER;
        f[i].host = true;
        f[i].addr.b[0] = 10;
        f[i].addr.b[3] = (uint8_t)(i + 1);
        f[i].connections = 5;
        f[i].as_server = 5;
        f[i].longest_us = 60000000;
    }
    struct wst_summary s = {.dispatch = &ds, .tracker = &ts, .complete = true, .findings = f, .n_findings = 12,
                            .findings_untracked = 3};
    summary_out(&wst_emitter_text, &s);
    const char *out = output();
    ck_assert_ptr_nonnull(strstr(out, "   findings     12\n      info     time_wait  10.0.0.1\n"
                                      "               server 10.0.0.1 closed 5 connections first (5 as server)"));
    ck_assert_ptr_nonnull(strstr(out, "      info     time_wait  10.0.0.10\n"));
    ck_assert_ptr_null(strstr(out, "10.0.0.11"));
    ck_assert_ptr_nonnull(strstr(out, "      ... and 2 more time_wait (--format json lists them all)\n"
                                      "      3 connections left out of the findings: "));

    summary_out(&wst_emitter_json, &s);
    out = output();
    ck_assert_ptr_nonnull(strstr(out, "\"findings\":[{\"kind\":\"time_wait\",\"severity\":\"info\","
                                      "\"host\":\"10.0.0.1\",\"role\":\"server\",\"connections\":5,"));
    ck_assert_ptr_nonnull(strstr(out, "\"host\":\"10.0.0.12\""));
    ck_assert_ptr_nonnull(strstr(out, "],\"findings_untracked\":3,"));
    /* A server's TIME_WAIT has no busiest destination. */
    ck_assert_ptr_null(strstr(out, "\"busiest\""));
}
END_TEST

START_TEST(test_emit_lookup)
{
    ck_assert_ptr_eq(wst_emit_lookup("json"), &wst_emitter_json);
    ck_assert_ptr_eq(wst_emit_lookup("text"), &wst_emitter_text);
    ck_assert_ptr_null(wst_emit_lookup("zeek"));
    ck_assert_ptr_null(wst_emit_lookup(""));
}
END_TEST

Suite *emit_suite(void)
{
    Suite *s = suite_create("emit");
    TCase *tc = tcase_create("records");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_emit_json_conn_fields);
    tcase_add_test(tc, test_emit_json_guessed_ipv6_all_flags);
    tcase_add_test(tc, test_emit_text_conn);
    tcase_add_test(tc, test_emit_text_long_arrow_widens);
    tcase_add_test(tc, test_emit_syn_intervals);
    suite_add_tcase(s, tc);
    tc = tcase_create("summary");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_emit_summary_accounts);
    tcase_add_test(tc, test_emit_summary_json_empty_capture);
    tcase_add_test(tc, test_emit_summary_findings_cap);
    suite_add_tcase(s, tc);
    tc = tcase_create("registry");
    tcase_add_test(tc, test_emit_lookup);
    suite_add_tcase(s, tc);
    return s;
}
