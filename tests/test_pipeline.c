/*
 * test_pipeline.c - the stages built from one configuration
 * (src/pipeline.c): the facts several stages share reach each of them.
 */
#include <string.h>

#include "script.h"
#include "suites.h"

/* A clean close by the client: it holds TIME_WAIT. */
static void close_by_client(struct script *s)
{
    script_seg(s, C2S, CRAFT_SYN, 1000, 0, 0);
    script_seg(s, S2C, CRAFT_SYN | CRAFT_ACK, 5000, 1001, 0);
    script_seg(s, C2S, CRAFT_ACK, 1001, 5001, 0);
    script_seg(s, C2S, CRAFT_FIN | CRAFT_ACK, 1001, 5001, 0);
    script_seg(s, S2C, CRAFT_FIN | CRAFT_ACK, 5001, 1002, 0);
    script_seg(s, C2S, CRAFT_ACK, 1002, 5002, 0);
}

/*
 * One MSL for both: the tracker's TIME_WAIT and the findings' are 2 x 7 s.
 * The client still holds TIME_WAIT 13.9 s after the close (the summary's
 * open states, the ss view) and no longer 14.1 s after it.
 */
static void time_wait_run(uint64_t end_us, uint64_t *held_at_end, uint64_t *finding_us)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.msl_s = 7;
    cfg.findings.group_min = 1;
    struct script s;
    script_init(&s, &cfg);
    close_by_client(&s);
    s.now_us += end_us; /* the last packet: another connection */
    s.client_port = 40001;
    script_seg(&s, C2S, CRAFT_SYN, 9000, 0, 0);
    script_finish(&s);
    *held_at_end = s.summary.tracker->open_states[0][WST_ST_TIME_WAIT];
    size_t n;
    const struct wst_finding *f = script_findings(&s, &n);
    *finding_us = 0;
    for (size_t i = 0; i < n; i++) {
        if (f[i].kind == WST_FIND_TIME_WAIT)
            *finding_us = f[i].longest_us;
    }
    script_fini(&s);
}

START_TEST(test_pipeline_time_wait_shared)
{
    uint64_t held, longest;
    time_wait_run(13900000, &held, &longest);
    ck_assert_uint_eq(held, 1);
    ck_assert_uint_eq(longest, 14 * 1000000ULL);
    time_wait_run(14100000, &held, &longest);
    ck_assert_uint_eq(held, 0);
    ck_assert_uint_eq(longest, 14 * 1000000ULL);
}
END_TEST

/* What the pipeline ends in gets events, with shown numbers, only with events on. */
struct counter {
    struct wst_sink sink;
    size_t events, conns;
    uint64_t last_id;
};

static void count_event(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev)
{
    (void)c;
    (void)ev;
    struct counter *k = (struct counter *)(void *)s;
    k->events++;
    k->last_id = id;
}

static void count_conn(struct wst_sink *s, const struct wst_conn_report *r)
{
    (void)r;
    ((struct counter *)(void *)s)->conns++;
}

static const struct wst_sink_ops counter_ops = {.event = count_event, .conn = count_conn};

static void run_events(bool on, struct counter *k)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.events = on;
    memset(k, 0, sizeof *k);
    k->sink.ops = &counter_ops;
    struct wst_pipeline p;
    wst_pipeline_init(&p, &cfg, &k->sink);
    struct craft c;
    uint32_t seqs[3][2] = {{1000, 0}, {5000, 1001}, {1001, 5001}};
    uint8_t flags[3] = {CRAFT_SYN, CRAFT_SYN | CRAFT_ACK, CRAFT_ACK};
    for (int i = 0; i < 3; i++) {
        craft_init(&c);
        craft_eth(&c, CRAFT_ETH_IPV4);
        if (i == 1)
            craft_ipv4(&c, "198.51.100.2", "192.0.2.1", CRAFT_IP_TCP);
        else
            craft_ipv4(&c, "192.0.2.1", "198.51.100.2", CRAFT_IP_TCP);
        craft_tcp(&c, i == 1 ? 80 : 40000, i == 1 ? 40000 : 80, seqs[i][0], seqs[i][1], flags[i], 64240, NULL, 0,
                  0);
        size_t n = craft_finish(&c);
        struct wst_packet pkt = {.ts_us = 1700000000000000ULL + (uint64_t)i * 1000, .caplen = (uint32_t)n,
                                 .wirelen = (uint32_t)n, .link = WST_LINK_ETHERNET, .data = c.buf};
        wst_dispatch_packet(p.dispatch, &pkt);
    }
    struct wst_summary sum = {.complete = true};
    wst_dispatch_finish(p.dispatch, &sum);
    wst_pipeline_fini(&p);
}

START_TEST(test_pipeline_events_shared)
{
    struct counter k;
    run_events(true, &k);
    ck_assert_uint_eq(k.events, 3); /* the handshake's three state changes */
    ck_assert_uint_eq(k.last_id, 1); /* shown by rank */
    ck_assert_uint_eq(k.conns, 1);
    run_events(false, &k);
    ck_assert_uint_eq(k.events, 0);
    ck_assert_uint_eq(k.conns, 1);
}
END_TEST

Suite *pipeline_suite(void)
{
    Suite *s = suite_create("pipeline");
    TCase *tc = tcase_create("shared");
    tcase_add_test(tc, test_pipeline_time_wait_shared);
    tcase_add_test(tc, test_pipeline_events_shared);
    suite_add_tcase(s, tc);
    return s;
}
