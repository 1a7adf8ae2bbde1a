/*
 * main.c - wires the modules together and owns every message and exit
 * status: 0 success, 1 runtime error (a file, an interface, the output),
 * 2 usage error (the command line, the filter expression).
 *
 * The pipeline, each stage handing on to the next:
 *   capture -> dispatch -> tracker -> findings -> select -> emitter
 *
 * Every source is opened before the first packet is read, so a typo in the
 * third file name fails at once instead of after two files of output, and
 * so are the files written (-o, -w), so that -Z can give up root after
 * them. When reading stops at a damaged file, the connections seen so far
 * and the summary are still written (marked incomplete), then the error is
 * reported.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "wirestate/capture.h"
#include "wirestate/emit.h"
#include "wirestate/options.h"
#include "wirestate/outbuf.h"
#include "wirestate/pipeline.h"
#include "wirestate/run.h"
#include "alloc.h"

/*
 * SIGINT, SIGTERM and SIGHUP end the capture as the end of the input
 * would: the source being read stops, no further file is opened, and the
 * records and summary are written. A second SIGINT kills at once (the
 * handler is reset by the first), as tcpdump users expect. SIGUSR1 asks
 * for a status and a snapshot without stopping. The handlers only set
 * flags (run.h). A read blocked on a pipe fails with EINTR, which the
 * source takes as its end once stopped; other reads and writes restart or
 * retry (outbuf.c). SIGPIPE is ignored: a reader gone away (`| head`) is
 * a write error, EPIPE, which ends the run quietly.
 */
static struct wst_run_signals signals;

static void on_stop(int sig)
{
    (void)sig;
    signals.stop = 1;
    struct wst_capture *cap = signals.reading;
    if (cap)
        wst_capture_break(cap);
}

static void on_status(int sig)
{
    (void)sig;
    signals.status = 1;
}

static void set_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_stop;
    sa.sa_flags = SA_RESETHAND;
    sigaction(SIGINT, &sa, NULL);
    sa.sa_flags = 0;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = on_status;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigaction(SIGPIPE, &sa, NULL);
}

/* After the capture: a signal kills as it would have before. */
static void reset_signals(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
}

static int exit_status_for(int err)
{
    return err == WST_EFILTER || err == WST_EUSAGE ? WST_EXIT_USAGE : WST_EXIT_RUNTIME;
}

/* A seed for the table hash that a sender cannot predict; output never depends on it. */
static uint64_t hash_seed(void)
{
    uint64_t seed = 0x9e3779b97f4a7c15ULL;
    if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed)
        seed = 0x9e3779b97f4a7c15ULL;
    return seed;
}

int main(int argc, char **argv)
{
    static struct wst_outbuf outbuf; /* 64 KiB: not on the stack */
    char errbuf[WST_ERRBUF_SIZE] = "";
    struct wst_options opt;
    struct wst_capture **sources = NULL;
    size_t n_sources = 0;
    struct wst_capture_dump *dump = NULL; /* -w */
    FILE *out = stdout;
    int status = WST_EXIT_OK;

    if (wst_options_parse(&opt, argc, argv, errbuf) < 0) {
        fprintf(stderr, "wirestate: %s\n", errbuf);
        wst_options_fini(&opt);
        return WST_EXIT_USAGE;
    }
    if (opt.help || opt.version) {
        if (opt.help)
            wst_options_usage(stdout);
        else
            printf("wirestate %s (%s)\n", WST_VERSION, pcap_lib_version());
        wst_options_fini(&opt);
        return WST_EXIT_OK;
    }

    /* Open every source first: errors surface before any output. */
    size_t want = opt.interface ? 1 : opt.files.n;
    sources = wst_xcalloc(want, sizeof *sources);
    for (size_t i = 0; i < want; i++) {
        const char *name = opt.interface ? opt.interface : opt.files.v[i];
        int rc = opt.interface ? wst_capture_open_live(&sources[i], name, opt.snaplen, opt.buffer_kib, errbuf)
                               : wst_capture_open_file(&sources[i], name, errbuf);
        if (rc == 0) {
            n_sources++;
            if (opt.filter)
                rc = wst_capture_set_filter(sources[i], opt.filter, errbuf);
        }
        if (rc < 0) {
            fprintf(stderr, "wirestate: %s: %s\n", strcmp(name, "-") ? name : "(stdin)", errbuf);
            status = exit_status_for(rc);
            goto done;
        }
    }

    if (opt.output && strcmp(opt.output, "-") != 0) { /* -o - is standard output, as tcpdump's -w - */
        out = fopen(opt.output, "w");
        if (out == NULL) {
            fprintf(stderr, "wirestate: %s: %s\n", opt.output, strerror(errno));
            status = WST_EXIT_RUNTIME;
            goto done;
        }
    }
    wst_outbuf_init(&outbuf, out);

    if (opt.write) {
        int rc = wst_capture_dump_open(&dump, opt.write, sources, n_sources, errbuf);
        if (rc < 0) {
            fprintf(stderr, "wirestate: %s: %s\n", strcmp(opt.write, "-") ? opt.write : "(stdout)", errbuf);
            status = exit_status_for(rc);
            goto done;
        }
    }

    /* Every file is open: now -Z may give root up (README, "Live captures"). */
    int drop_rc = opt.user ? wst_capture_drop_privileges(opt.user, errbuf) : 0;
    if (drop_rc < 0) {
        fprintf(stderr, "wirestate: %s: %s\n", opt.user, errbuf);
        status = exit_status_for(drop_rc);
        goto done;
    }

    /* The pipeline, ending in the emitter. */
    struct wst_emitter *emitter = wst_emitter_new(opt.emitter, &outbuf);
    emitter->flush_events = opt.events && opt.interface != NULL;
    struct wst_pipeline_config cfg;
    wst_options_pipeline_config(&opt, &cfg);
    cfg.hash_seed = hash_seed();
    struct wst_pipeline pipe;
    wst_pipeline_init(&pipe, &cfg, &emitter->sink);

    set_signals();

    /* The loop. Several files are one capture: same tracker, in order. */
    struct wst_run_config run_cfg = {
        .count = opt.count,
        .interval_us = (wst_ts_us)opt.interval_ms * 1000,
        .live = opt.interface != NULL,
    };
    struct wst_run_result res;
    wst_run(sources, n_sources, &pipe, &outbuf, &run_cfg, &signals, errbuf, &res);
    reset_signals();
    wst_emitter_free(emitter);
    wst_pipeline_fini(&pipe);

    if (wst_outbuf_flush(&outbuf) < 0 && outbuf.err != EPIPE) { /* EPIPE: the reader left; quietly */
        fprintf(stderr, "wirestate: %s: write error: %s\n", opt.output ? opt.output : "(stdout)",
                strerror(outbuf.err));
        status = WST_EXIT_RUNTIME;
    }
    if (res.rc < 0) {
        const char *failed = opt.interface ? opt.interface : opt.files.v[res.failed];
        fprintf(stderr, "wirestate: %s: %s\n", strcmp(failed, "-") ? failed : "(stdin)", errbuf);
        status = exit_status_for(res.rc);
    }

done:
    if (out != stdout && out != NULL && fclose(out) != 0 && status == WST_EXIT_OK) {
        fprintf(stderr, "wirestate: %s: write error: %s\n", opt.output, strerror(errno));
        status = WST_EXIT_RUNTIME;
    }
    if (wst_capture_dump_close(dump, errbuf) < 0 && status == WST_EXIT_OK) {
        fprintf(stderr, "wirestate: %s: %s\n", strcmp(opt.write, "-") ? opt.write : "(stdout)", errbuf);
        status = WST_EXIT_RUNTIME;
    }
    for (size_t i = 0; i < n_sources; i++)
        wst_capture_close(sources[i]);
    free(sources);
    wst_options_fini(&opt);
    return status;
}
