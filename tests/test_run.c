/*
 * test_run.c - the read loop (src/run.c) on capture files: --interval
 * statuses at capture-time boundaries, what a signal's flags ask (a status
 * and a snapshot, a stop), -c, and a failed output. The live side (the wall
 * clock, idle reads) is tested end to end in tests/netns/live.sh.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "wirestate/capture.h"
#include "wirestate/pipeline.h"
#include "wirestate/run.h"
#include "script.h"
#include "suites.h"

#define MAX_SEEN 256

/* The last stage: what reached it. */
struct seen {
    struct wst_sink sink;
    size_t statuses;
    wst_ts_us status_at[MAX_SEEN];
    uint64_t status_packets[MAX_SEEN];     /* dispatch's total at each status */
    uint64_t status_open[MAX_SEEN];
    size_t snapshots;
    uint64_t snapshot_id[MAX_SEEN];
    size_t conns;
    bool summary_complete;
    uint64_t summary_packets;
    bool got_summary;
};

static struct seen *seen_of(struct wst_sink *s)
{
    return (struct seen *)(void *)((char *)s - offsetof(struct seen, sink));
}

static void on_status(struct wst_sink *s, const struct wst_status *st)
{
    struct seen *x = seen_of(s);
    ck_assert_uint_lt(x->statuses, MAX_SEEN);
    x->status_at[x->statuses] = st->at_us;
    x->status_packets[x->statuses] = st->dispatch->packets;
    x->status_open[x->statuses] = st->open_connections;
    x->statuses++;
}

static void on_snapshot(struct wst_sink *s, const struct wst_conn_report *r)
{
    struct seen *x = seen_of(s);
    ck_assert_uint_lt(x->snapshots, MAX_SEEN);
    x->snapshot_id[x->snapshots++] = r->id;
}

static void on_conn(struct wst_sink *s, const struct wst_conn_report *r)
{
    (void)r;
    seen_of(s)->conns++;
}

static void on_summary(struct wst_sink *s, const struct wst_summary *sum)
{
    struct seen *x = seen_of(s);
    x->got_summary = true;
    x->summary_complete = sum->complete;
    x->summary_packets = sum->dispatch->packets;
}

static const struct wst_sink_ops seen_ops = {
    .status = on_status,
    .snapshot = on_snapshot,
    .conn = on_conn,
    .summary = on_summary,
};

static struct wst_capture *open_pcap(const char *rel)
{
    char path[1024], errbuf[WST_ERRBUF_SIZE];
    snprintf(path, sizeof path, "%s/%s", WST_SOURCE_DIR, rel);
    struct wst_capture *cap;
    ck_assert_msg(wst_capture_open_file(&cap, path, errbuf) == 0, "%s: %s", path, errbuf);
    return cap;
}

/* Runs pcaps/rel through a pipeline into *x. */
static void run_file(const char *rel, const struct wst_run_config *cfg, struct wst_run_signals *sig,
                     struct wst_outbuf *ob, struct seen *x, struct wst_run_result *res)
{
    memset(x, 0, sizeof *x);
    x->sink.ops = &seen_ops;
    struct wst_pipeline_config pc = script_config();
    struct wst_pipeline pipe;
    wst_pipeline_init(&pipe, &pc, &x->sink);
    struct wst_capture *cap = open_pcap(rel);
    char errbuf[WST_ERRBUF_SIZE];
    wst_run(&cap, 1, &pipe, ob, cfg, sig, errbuf, res);
    wst_capture_close(cap);
    wst_pipeline_fini(&pipe);
    ck_assert(x->got_summary);
}

/* The timestamps of a file's packets, read on their own. */
static size_t timestamps(const char *rel, wst_ts_us *ts, size_t max)
{
    struct wst_capture *cap = open_pcap(rel);
    char errbuf[WST_ERRBUF_SIZE];
    struct wst_packet pkt;
    size_t n = 0;
    while (wst_capture_next(cap, &pkt, errbuf) == 1) {
        ck_assert_uint_lt(n, max);
        ts[n++] = pkt.ts_us;
    }
    wst_capture_close(cap);
    return n;
}

static struct wst_outbuf ob; /* 64 KiB: not on the stack */

/*
 * --interval on a file: a status at each boundary first + k x interval
 * that a packet reaches, counting exactly the packets before it; none
 * beyond the last packet; a gap of several intervals gives one.
 */
START_TEST(test_run_interval_by_capture_time)
{
    static wst_ts_us ts[4096];
    size_t n = timestamps("pcaps/demo.pcap", ts, 4096);
    ck_assert_uint_gt(n, 100);
    const wst_ts_us interval = 250 * 1000;
    struct wst_run_config cfg = {.interval_us = interval};
    struct wst_run_signals sig = {0};
    struct seen x;
    struct wst_run_result res;
    wst_outbuf_init(&ob, NULL);
    run_file("pcaps/demo.pcap", &cfg, &sig, &ob, &x, &res);
    ck_assert_int_eq(res.rc, 0);
    ck_assert(x.summary_complete);

    /* The boundaries a packet reached, as the loop should find them. */
    size_t want = 0;
    wst_ts_us next = ts[0] + interval;
    for (size_t i = 1; i < n; i++) {
        if (ts[i] < next)
            continue;
        wst_ts_us at = next + (ts[i] - next) / interval * interval;
        ck_assert_uint_lt(want, x.statuses);
        ck_assert_uint_eq(x.status_at[want], at);
        ck_assert_uint_eq(x.status_packets[want], i); /* packets 0..i-1 came before it */
        want++;
        next = at + interval;
    }
    ck_assert_uint_eq(x.statuses, want);
    ck_assert_uint_ge(want, 4);
    ck_assert_uint_le(x.status_at[want - 1], ts[n - 1]);
}
END_TEST

/*
 * SIGUSR1's flag: after the packet being read, one status and a snapshot
 * of each connection still open, in id order; the flag is cleared and the
 * run goes on to the end.
 */
START_TEST(test_run_request_status_and_snapshot)
{
    struct wst_run_config cfg = {0};
    struct wst_run_signals sig = {.status = 1};
    struct seen x;
    struct wst_run_result res;
    wst_outbuf_init(&ob, NULL);
    run_file("pcaps/demo.pcap", &cfg, &sig, &ob, &x, &res);
    ck_assert_int_eq(sig.status, 0);
    ck_assert_uint_eq(x.statuses, 1);
    ck_assert_uint_eq(x.status_packets[0], 1);
    /* The first packet opened connection 1, which is all there is. */
    ck_assert_uint_eq(x.status_open[0], 1);
    ck_assert_uint_eq(x.snapshots, 1);
    ck_assert_uint_eq(x.snapshot_id[0], 1);
    ck_assert(x.summary_complete);
    ck_assert_uint_gt(x.summary_packets, 100);
}
END_TEST

/* A stop before reading: nothing read, and a file cut short is incomplete. */
START_TEST(test_run_stop_marks_file_incomplete)
{
    struct wst_run_config cfg = {0};
    struct wst_run_signals sig = {.stop = 1};
    struct seen x;
    struct wst_run_result res;
    wst_outbuf_init(&ob, NULL);
    run_file("pcaps/demo.pcap", &cfg, &sig, &ob, &x, &res);
    ck_assert(res.interrupted);
    ck_assert_uint_eq(x.summary_packets, 0);
    ck_assert(!x.summary_complete);
    ck_assert_ptr_null(sig.reading);
}
END_TEST

/* -c: exactly N packets, and the capture is complete. */
START_TEST(test_run_count)
{
    struct wst_run_config cfg = {.count = 7};
    struct wst_run_signals sig = {0};
    struct seen x;
    struct wst_run_result res;
    wst_outbuf_init(&ob, NULL);
    run_file("pcaps/demo.pcap", &cfg, &sig, &ob, &x, &res);
    ck_assert_uint_eq(x.summary_packets, 7);
    ck_assert(x.summary_complete);
    ck_assert(!res.interrupted);
}
END_TEST

/* A failed output (a reader gone: EPIPE) stops the reading at once. */
START_TEST(test_run_output_failure_stops)
{
    struct wst_run_config cfg = {0};
    struct wst_run_signals sig = {0};
    struct seen x;
    struct wst_run_result res;
    wst_outbuf_init(&ob, NULL);
    ob.err = EPIPE;
    run_file("pcaps/demo.pcap", &cfg, &sig, &ob, &x, &res);
    ck_assert(res.output_closed);
    ck_assert_uint_eq(x.summary_packets, 1);
    ck_assert(!x.summary_complete);
}
END_TEST

Suite *run_suite(void)
{
    Suite *s = suite_create("run");
    TCase *tc = tcase_create("file");
    tcase_add_test(tc, test_run_interval_by_capture_time);
    tcase_add_test(tc, test_run_request_status_and_snapshot);
    tcase_add_test(tc, test_run_stop_marks_file_incomplete);
    tcase_add_test(tc, test_run_count);
    tcase_add_test(tc, test_run_output_failure_stops);
    suite_add_tcase(s, tc);
    return s;
}
