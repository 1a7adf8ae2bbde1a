/*
 * run.c - the read loop (run.h).
 *
 * One pass over the sources, in order, as one capture. Between packets the
 * loop does, in this order, what is due: a status (--interval, SIGUSR1), a
 * snapshot (SIGUSR1), a move of a live clock, a flush of a live output.
 * Each check is a compare of times already at hand, so a capture file pays
 * nothing for them.
 */
#include "wirestate/run.h"

#include <errno.h>
#include <string.h>
#include <time.h>

struct loop {
    struct wst_capture *const *sources;
    size_t n;
    struct wst_pipeline *p;
    struct wst_outbuf *ob;
    const struct wst_run_config *cfg;
    struct wst_run_signals *sig;
    wst_ts_us started_us;      /* live: when it started (a file's is its first packet's) */
    wst_ts_us next_status_us;  /* when the next --interval status is due (0: not yet set) */
    wst_ts_us next_flush_us;   /* live: when written output is flushed at the latest */
    wst_ts_us last_packet_us;  /* the latest packet's timestamp (with --interval or live) */
};

/* The wall clock in the capture's time base (pcap timestamps are UTC). */
static wst_ts_us wall_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (wst_ts_us)ts.tv_sec * WST_US_PER_S + (wst_ts_us)ts.tv_nsec / 1000;
}

/* The sources' counters, summed: what the summary and a status show. */
static void capture_stats(const struct loop *l, struct wst_capture_stats *sum)
{
    memset(sum, 0, sizeof *sum);
    for (size_t i = 0; i < l->n; i++) {
        struct wst_capture_stats cs;
        wst_capture_stats(l->sources[i], &cs);
        sum->read += cs.read;
        sum->filtered += cs.filtered;
        sum->is_live |= cs.is_live;
        sum->kernel_received += cs.kernel_received;
        sum->kernel_dropped += cs.kernel_dropped;
        sum->interface_dropped += cs.interface_dropped;
    }
}

static void status(struct loop *l, wst_ts_us at_us)
{
    /* A file starts at its first packet. */
    wst_ts_us started = l->started_us ? l->started_us : wst_dispatch_stats(l->p->dispatch)->first_ts_us;
    struct wst_status st = {.at_us = at_us, .started_us = started};
    capture_stats(l, &st.capture);
    wst_dispatch_status(l->p->dispatch, &st);
}

/* Live: hands what was written to the output. A failure stays in
 * ob->err, on which the loop stops. */
static void flush(struct loop *l)
{
    if (l->ob->len) {
        int rc = wst_outbuf_flush(l->ob);
        (void)rc;
    }
}

/*
 * A live capture's "now" for its clock: the wall clock less the lag, once
 * the kernel has handed over everything (idle) or the packets are that
 * recent anyway. While a backlog is read, the packets' own time, so no
 * timer runs ahead of packets still in the buffer.
 */
static wst_ts_us live_clock(const struct loop *l, wst_ts_us wall, bool idle)
{
    wst_ts_us lagged = wall > WST_RUN_CLOCK_LAG_US ? wall - WST_RUN_CLOCK_LAG_US : 0;
    if (idle || l->last_packet_us + 2 * WST_RUN_CLOCK_LAG_US >= lagged)
        return lagged > l->last_packet_us ? lagged : l->last_packet_us;
    return l->last_packet_us;
}

/* Live, between reads: the clock, the periodic status, the flush. */
static void live_chores(struct loop *l, bool idle)
{
    wst_ts_us wall = wall_us();
    wst_ts_us now = live_clock(l, wall, idle);
    if (idle)
        wst_dispatch_tick(l->p->dispatch, now);
    if (l->cfg->interval_us && wall >= l->next_status_us) {
        status(l, now);
        /* The next one an interval on, or from now after a stall. */
        l->next_status_us += l->cfg->interval_us;
        if (l->next_status_us <= wall)
            l->next_status_us = wall + l->cfg->interval_us;
    }
    if (wall >= l->next_flush_us || idle) {
        l->next_flush_us = wall + WST_RUN_FLUSH_US;
        flush(l);
    }
}

/*
 * A file, before a packet at ts: the statuses of --interval whose moment
 * has come. After a gap of several intervals, one status at the last of
 * them (its interval field says how long it covers).
 */
static void file_interval(struct loop *l, wst_ts_us ts)
{
    if (l->next_status_us == 0) {
        l->next_status_us = ts + l->cfg->interval_us; /* the capture starts at its first packet */
        return;
    }
    if (ts < l->next_status_us)
        return;
    wst_ts_us at = l->next_status_us + (ts - l->next_status_us) / l->cfg->interval_us * l->cfg->interval_us;
    wst_dispatch_tick(l->p->dispatch, at);
    status(l, at);
    l->next_status_us = at + l->cfg->interval_us;
}

/* SIGUSR1: a status and every open connection as it is now. */
static void on_request(struct loop *l)
{
    l->sig->status = 0;
    wst_ts_us now = l->cfg->live ? live_clock(l, wall_us(), false) : wst_dispatch_stats(l->p->dispatch)->now_us;
    status(l, now);
    wst_dispatch_snapshot(l->p->dispatch, now);
    if (l->cfg->live)
        flush(l);
}

void wst_run(struct wst_capture *const *sources, size_t n, struct wst_pipeline *p, struct wst_outbuf *ob,
             const struct wst_run_config *cfg, struct wst_run_signals *sig, char *errbuf,
             struct wst_run_result *res)
{
    struct loop l = {.sources = sources, .n = n, .p = p, .ob = ob, .cfg = cfg, .sig = sig};
    memset(res, 0, sizeof *res);
    if (cfg->live) {
        l.started_us = wall_us();
        l.next_status_us = l.started_us + cfg->interval_us;
        l.next_flush_us = l.started_us + WST_RUN_FLUSH_US;
        wst_dispatch_tick(p->dispatch, l.started_us); /* a live capture starts when it starts */
    }
    /* The packets left to read (-c), and whether anything but reading is
     * to be done between packets: the common case, a file read through,
     * tests one flag a packet besides the signals' and the output's. */
    uint64_t left = cfg->count ? cfg->count : UINT64_MAX;
    bool chores = cfg->live || cfg->interval_us;
    bool stopped = false; /* by -c, a signal or the output */
    for (size_t i = 0; i < n && !stopped; i++) {
        sig->reading = sources[i];
        if (sig->stop) /* a signal that came before `reading` was set */
            wst_capture_break(sources[i]);
        for (;;) {
            struct wst_packet pkt;
            int rc = wst_capture_next(sources[i], &pkt, errbuf);
            if (rc == 1) {
                if (chores) {
                    if (!cfg->live)
                        file_interval(&l, pkt.ts_us);
                    if (pkt.ts_us > l.last_packet_us)
                        l.last_packet_us = pkt.ts_us;
                }
                wst_dispatch_packet(p->dispatch, &pkt);
            } else if (rc != WST_CAPTURE_IDLE) {
                if (rc < 0) {
                    res->rc = rc;
                    res->failed = i;
                    stopped = true;
                }
                break;
            }
            if (cfg->live)
                live_chores(&l, rc == WST_CAPTURE_IDLE);
            if (sig->status | ob->err) {
                if (sig->status)
                    on_request(&l);
                if (ob->err) {
                    res->output_closed = true;
                    stopped = true;
                    break;
                }
            }
            if (rc == 1 && --left == 0) {
                stopped = true;
                break;
            }
        }
        sig->reading = NULL;
        if (sig->stop)
            stopped = res->interrupted = true;
    }

    /* The end of the capture: a live one ends now, a file at its last packet. */
    if (cfg->live)
        wst_dispatch_tick(p->dispatch, wall_us());
    struct wst_summary summary = {
        .complete = res->rc == 0 && !res->output_closed && !(res->interrupted && !cfg->live),
    };
    struct loop *lp = &l;
    capture_stats(lp, &summary.capture);
    wst_dispatch_finish(p->dispatch, &summary);
}
