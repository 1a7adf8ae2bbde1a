/*
 * wirestate/run.h - the read loop: sources into the pipeline, with the
 * capture's clock, the flushes, the periodic status and what signals ask.
 *
 * A capture file's clock is its packets' timestamps and nothing else, so
 * the same file gives the same output, a status included (--interval
 * counts capture time there). A live capture's clock also follows the
 * wall clock whenever the kernel has nothing left to hand over
 * (WST_CAPTURE_IDLE, at least every WST_LIVE_TIMEOUT_MS on a quiet link),
 * so the tracker's timers fire when no packet comes; what was written
 * reaches the output within WST_RUN_FLUSH_US.
 *
 * Signals only set flags (struct wst_run_signals); the loop acts on them
 * between packets. The caller owns the handlers, the sources and the
 * pipeline, and reports the errors.
 */
#ifndef WIRESTATE_RUN_H
#define WIRESTATE_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wirestate/capture.h"
#include "wirestate/outbuf.h"
#include "wirestate/pipeline.h"

/* Live: the most that written output waits before it is flushed. */
#define WST_RUN_FLUSH_US (100 * 1000)

/*
 * Live: how far behind the wall clock the capture clock is kept when it
 * moves without a packet. A packet captured just before an idle read
 * returned may still be on its way through the kernel; its timestamp must
 * not fall before a timer that already ran.
 */
#define WST_RUN_CLOCK_LAG_US (50 * 1000)

/* What signal handlers ask of the loop (async-signal-safe flags). */
struct wst_run_signals {
    volatile sig_atomic_t stop;            /* end as the end of the input would */
    volatile sig_atomic_t status;          /* write a status and a snapshot, then go on */
    struct wst_capture *volatile reading;  /* the source being read: a handler's
                                              wst_capture_break() target, or NULL */
};

struct wst_run_config {
    uint64_t count;          /* -c: stop after this many packets (0 = all) */
    wst_ts_us interval_us;   /* --interval: a status every this long (0 = none) */
    bool live;               /* the sources are live: the wall clock counts */
};

struct wst_run_result {
    int rc;                  /* 0, or the read error (errbuf) of sources[failed] */
    size_t failed;
    bool interrupted;        /* a stop was asked (a signal) before the input ended */
    bool output_closed;      /* the output failed (ob->err): reading stopped there */
};

/*
 * Reads sources[0..n) in order as one capture into p, the records going
 * to ob; then ends the capture: the summary, with the sources' counters,
 * goes down the pipeline (complete unless reading failed, a capture file
 * was interrupted, or the output failed). A live capture ends at the
 * moment it stopped. Does not flush ob at the end.
 */
void wst_run(struct wst_capture *const *sources, size_t n, struct wst_pipeline *p, struct wst_outbuf *ob,
             const struct wst_run_config *cfg, struct wst_run_signals *sig, char *errbuf,
             struct wst_run_result *res);

#endif
