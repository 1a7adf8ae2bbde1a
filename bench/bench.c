/*
 * bench.c - throughput and memory of wirestate, measured against a bare
 * libpcap read loop over the same file in the same run.
 *
 *   wst_bench [--conns N] [--concurrent N] [--runs N] [--trace FILE]
 *             [--wirestate BIN] [--bare BIN] [--extra "ARGS"]
 *
 * 1. Writes the synthetic trace (trace.c) unless FILE already holds one of
 *    the requested shape (a FILE.info sidecar records it).
 * 2. Runs the bare loop once to warm the page cache, then alternates the
 *    bare loop and `wirestate --format json -r FILE > /dev/null` N times,
 *    timing each run (wall clock, monotonic) and reading its peak RSS from
 *    wait4(). Medians are quoted: the machine is shared and noisy.
 * 3. Feeds the trace to a tracker in this process and reports what each
 *    tracked connection costs at the moment the most are held: its record
 *    plus its share of the table's Judy arrays (and, for comparison, the
 *    growth of the malloc heap, slab slack included).
 *
 * It prints figures and never fails on them: performance is not a test.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"
#include "wirestate/capture.h"
#include "wirestate/options.h"
#include "wirestate/pipeline.h"

#define MAX_RUNS 51

struct sample {
    double seconds;
    long rss_kib;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs argv with stdout to /dev/null; returns 0 and fills *s, or -1. */
static int run(char *const argv[], struct sample *s)
{
    double t0 = now_s();
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, STDOUT_FILENO);
        execv(argv[0], argv);
        fprintf(stderr, "wst_bench: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    struct rusage ru;
    if (wait4(pid, &status, 0, &ru) < 0)
        return -1;
    s->seconds = now_s() - t0;
    s->rss_kib = ru.ru_maxrss;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "wst_bench: %s failed (status %d)\n", argv[0], status);
        return -1;
    }
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median_seconds(const struct sample *s, int n)
{
    double v[MAX_RUNS];
    for (int i = 0; i < n; i++)
        v[i] = s[i].seconds;
    qsort(v, (size_t)n, sizeof v[0], cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static long max_rss(const struct sample *s, int n)
{
    long m = 0;
    for (int i = 0; i < n; i++)
        m = s[i].rss_kib > m ? s[i].rss_kib : m;
    return m;
}

/* Generates the trace unless FILE.info says it already has this shape. */
static int ensure_trace(const char *path, uint32_t conns, uint32_t concurrent, uint64_t *packets)
{
    char info_path[4096], want[128], have[128] = "";
    snprintf(info_path, sizeof info_path, "%s.info", path);
    snprintf(want, sizeof want, "v1 conns %u concurrent %u", conns, concurrent);
    FILE *f = fopen(info_path, "r");
    unsigned long long n = 0;
    if (f) {
        if (fgets(have, sizeof have, f) == NULL || fscanf(f, "%llu", &n) != 1)
            n = 0;
        fclose(f);
        have[strcspn(have, "\n")] = '\0';
    }
    struct stat st;
    if (n && strcmp(have, want) == 0 && stat(path, &st) == 0) {
        *packets = n;
        return 0;
    }
    printf("writing trace %s (%u connections, %u open at once) ...\n", path, conns, concurrent);
    fflush(stdout);
    struct bench_trace_info ti;
    double t0 = now_s();
    if (bench_trace_write(path, conns, concurrent, &ti) < 0) {
        fprintf(stderr, "wst_bench: %s: %s\n", path, strerror(errno));
        return -1;
    }
    printf("  %llu packets in %.1f s\n", (unsigned long long)ti.packets, now_s() - t0);
    f = fopen(info_path, "w");
    if (f) {
        fprintf(f, "%s\n%llu\n", want, (unsigned long long)ti.packets);
        fclose(f);
    }
    *packets = ti.packets;
    return 0;
}

/* Per-connection memory with every connection of the trace held. */
static int measure_memory(const char *path)
{
    char errbuf[WST_ERRBUF_SIZE];
    struct wst_capture *cap;
    if (wst_capture_open_file(&cap, path, errbuf) < 0) {
        fprintf(stderr, "wst_bench: %s: %s\n", path, errbuf);
        return -1;
    }
    /* The program's defaults, but every connection held (no idle timeout) and
     * no timelines: the cost of the record and the index alone. */
    struct wst_options defaults;
    struct wst_pipeline_config cfg;
    wst_options_defaults(&defaults);
    wst_options_pipeline_config(&defaults, &cfg);
    cfg.hash_seed = 1;
    cfg.tracker.idle_timeout_s = 0;
    cfg.tracker.timeline_max = 0;
    struct wst_pipeline p;
    wst_pipeline_init(&p, &cfg, NULL);
    struct wst_packet pkt;
    int rc;
    while ((rc = wst_capture_next(cap, &pkt, errbuf)) > 0)
        wst_dispatch_packet(p.dispatch, &pkt);
    wst_dispatch_drain(p.dispatch);
    struct wst_flow_table_mem m;
    wst_flow_table_mem(wst_tracker_table(p.tracker), &m);
    size_t conns = m.conns ? m.conns : 1;
    printf("memory per tracked connection (%zu connections held):\n", m.conns);
    size_t index = m.index_bytes + m.filter_bytes; /* the filter is fixed: its share at this size */
    printf("  record %.1f B + table index %.1f B = %.1f B  (goal <= 150)\n", (double)m.conn_bytes / conns,
           (double)index / conns, (double)(m.conn_bytes + index) / conns);
    wst_pipeline_fini(&p);
    wst_capture_close(cap);
    return rc < 0 ? -1 : 0;
}

/* ---- instructions under callgrind */

/*
 * Runs argv under valgrind's callgrind with stdout to /dev/null and returns
 * the instructions it counted (its "I refs" line), or 0 on failure. The
 * count is exact and repeatable, unlike wall-clock time.
 */
static uint64_t callgrind_refs(char *const argv[])
{
    char *vg[32] = {"valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"};
    int n = 3;
    for (int i = 0; argv[i] && n < 31; i++)
        vg[n++] = argv[i];
    vg[n] = NULL;
    int fds[2];
    if (pipe(fds) < 0)
        return 0;
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        execvp("valgrind", vg);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[512];
    uint64_t refs = 0;
    while (f && fgets(line, sizeof line, f)) {
        char *p = strstr(line, "I   refs:");
        if (p == NULL)
            continue;
        refs = 0;
        for (p += 9; *p; p++) {
            if (*p >= '0' && *p <= '9')
                refs = refs * 10 + (uint64_t)(*p - '0');
        }
    }
    if (f)
        fclose(f);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? refs : 0;
}

/* Copies the first `n` packets of `from` into `to` (classic pcap, libpcap's dumper). */
static int first_packets(const char *from, const char *to, uint64_t n)
{
    char errbuf[PCAP_ERRBUF_SIZE];
    pcap_t *in = pcap_open_offline(from, errbuf);
    if (in == NULL) {
        fprintf(stderr, "wst_bench: %s: %s\n", from, errbuf);
        return -1;
    }
    pcap_dumper_t *out = pcap_dump_open(in, to);
    if (out == NULL) {
        fprintf(stderr, "wst_bench: %s: %s\n", to, pcap_geterr(in));
        pcap_close(in);
        return -1;
    }
    struct pcap_pkthdr *h;
    const u_char *data;
    for (uint64_t i = 0; i < n && pcap_next_ex(in, &h, &data) == 1; i++)
        pcap_dump((u_char *)out, h, data);
    pcap_dump_close(out);
    pcap_close(in);
    return 0;
}

/* Instructions a packet, bare loop and wirestate, on one file; prints a line. */
static void instructions(const char *label, const char *path, uint64_t packets, const char *bare,
                         char *const ws_argv_template[], int n_template)
{
    char *bare_argv[] = {(char *)bare, (char *)path, NULL};
    char *ws_argv[32];
    int n = 0;
    for (int i = 0; i < n_template; i++)
        ws_argv[n++] = strcmp(ws_argv_template[i], "@TRACE@") == 0 ? (char *)path : ws_argv_template[i];
    ws_argv[n] = NULL;
    uint64_t b = callgrind_refs(bare_argv), w = callgrind_refs(ws_argv);
    if (b == 0 || w == 0 || packets == 0) {
        printf("  %-44s callgrind failed (is valgrind installed?)\n", label);
        return;
    }
    printf("  %-44s bare %6.0f  wirestate %6.0f  ratio %.2fx  (goal <= 2.5x)\n", label, (double)b / packets,
           (double)w / packets, (double)w / b);
}

static void usage(void)
{
    fprintf(stderr, "usage: wst_bench [--conns N] [--concurrent N] [--runs N] [--trace FILE]\n"
                    "                 [--wirestate BIN] [--bare BIN] [--extra ARG]... [--callgrind]\n");
}

int main(int argc, char **argv)
{
    uint32_t conns = 300000, concurrent = 10000;
    int runs = 5;
    const char *trace = "bench-trace.pcap";
    const char *wirestate = WST_BENCH_WIRESTATE, *bare = WST_BENCH_BARE;
    char *extra[16];
    int n_extra = 0;
    bool callgrind = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--callgrind") == 0) {
            callgrind = true;
            continue;
        }
        if (v == NULL) {
            usage();
            return 2;
        }
        if (strcmp(a, "--conns") == 0)
            conns = (uint32_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--concurrent") == 0)
            concurrent = (uint32_t)strtoul(v, NULL, 10);
        else if (strcmp(a, "--runs") == 0)
            runs = atoi(v);
        else if (strcmp(a, "--trace") == 0)
            trace = v;
        else if (strcmp(a, "--wirestate") == 0)
            wirestate = v;
        else if (strcmp(a, "--bare") == 0)
            bare = v;
        else if (strcmp(a, "--extra") == 0 && n_extra < 15)
            extra[n_extra++] = argv[i + 1];
        else {
            usage();
            return 2;
        }
        i++;
    }
    if (conns == 0 || runs < 1 || runs > MAX_RUNS) {
        usage();
        return 2;
    }

    uint64_t packets;
    if (ensure_trace(trace, conns, concurrent, &packets) < 0)
        return 1;

    char *bare_argv[] = {(char *)bare, (char *)trace, NULL};
    char *ws_argv[24] = {(char *)wirestate, "--format", "json", "-r", (char *)trace};
    int n = 5;
    for (int i = 0; i < n_extra; i++)
        ws_argv[n++] = extra[i];
    ws_argv[n] = NULL;

    struct sample warm, b[MAX_RUNS], w[MAX_RUNS];
    if (run(bare_argv, &warm) < 0)
        return 1;
    for (int i = 0; i < runs; i++) {
        if (run(bare_argv, &b[i]) < 0 || run(ws_argv, &w[i]) < 0)
            return 1;
    }
    double mb = median_seconds(b, runs), mw = median_seconds(w, runs);
    struct stat st;
    stat(trace, &st);
    printf("trace: %llu packets, %u connections (~%u open at once), %.0f MiB\n", (unsigned long long)packets,
           conns, concurrent, (double)st.st_size / (1 << 20));
    printf("runs: %d each, alternating; medians of wall time\n", runs);
    printf("  %-28s %8.3f s  %6.2f Mpkt/s  peak RSS %7.1f MiB\n", "bare libpcap loop", mb, packets / mb / 1e6,
           max_rss(b, runs) / 1024.0);
    printf("  %-28s %8.3f s  %6.2f Mpkt/s  peak RSS %7.1f MiB\n", "wirestate --format json", mw,
           packets / mw / 1e6, max_rss(w, runs) / 1024.0);
    printf("  ratio wirestate / bare loop: %.2fx  (goal <= 3x)\n", mw / mb);
    printf("  peak RSS above the bare loop, per connection: %.1f B (everything: records, index,\n"
           "    cache, slab slack, pipeline and output buffers)\n",
           (double)(max_rss(w, runs) - max_rss(b, runs)) * 1024 / conns);
    if (measure_memory(trace) < 0)
        return 1;
    if (!callgrind)
        return 0;

    /*
     * Instructions on two traces of 100,000 packets: the first packets of
     * the trace (connections still opening, and all reported at its end),
     * and a trace of the same shape that is whole at that size (5200
     * connections, 500 open at once: the mix of handshakes, data and
     * closes of the full trace).
     */
    char slice[4200], shaped[4200];
    snprintf(slice, sizeof slice, "%s.first100k", trace);
    snprintf(shaped, sizeof shaped, "%s.shape100k", trace);
    uint64_t shaped_packets;
    if (first_packets(trace, slice, 100000) < 0 || ensure_trace(shaped, 5200, 500, &shaped_packets) < 0)
        return 1;
    char *tmpl[24] = {(char *)wirestate, "--format", "json", "-r", "@TRACE@"};
    int nt = 5;
    for (int i = 0; i < n_extra; i++)
        tmpl[nt++] = extra[i];
    printf("instructions a packet under callgrind (exact):\n");
    instructions("first 100000 packets of the trace", slice, packets < 100000 ? packets : 100000, bare, tmpl, nt);
    instructions("a whole 100,000-packet trace of its shape", shaped, shaped_packets, bare, tmpl, nt);
    return 0;
}
