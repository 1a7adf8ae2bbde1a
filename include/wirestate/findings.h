/*
 * wirestate/findings.h - patterns across connections.
 *
 * One connection in CLOSE_WAIT is an anomaly of that connection; four
 * hundred of them on the same server port are a finding about the
 * application behind it. Findings are built from the finished connection
 * records (their states, flags and anomalies), grouped by the endpoint
 * they concern, and judged when the capture ends:
 *
 *   syn_flood            many half-open connections to one server endpoint
 *                        from many sources
 *   unreachable_service  connection attempts to one server endpoint that
 *                        failed: unanswered, refused, ICMP unreachable
 *   close_wait_pileup    connections left in CLOSE_WAIT by the same
 *                        application: one server endpoint, or one client host
 *   time_wait            the TIME_WAIT a host holds as the active closer:
 *                        information, a warning only when the TIME_WAIT
 *                        toward one destination could use up the client's
 *                        ephemeral ports
 *
 * Memory grows with the number of distinct server endpoints and hosts, not
 * with connections, and stays small for the many that never matter: a
 * server endpoint whose connections all went well, and a host that closed
 * one connection, are a word in a Judy array; a full group (counts,
 * times, and its distinct peers: exact up to 16, then a fixed-size bitmap
 * that estimates them by linear counting) is made only for the others, up to WST_FINDINGS_MAX_GROUPS. A SYN flood from millions
 * of spoofed sources costs its target one group.
 */
#ifndef WIRESTATE_FINDINGS_H
#define WIRESTATE_FINDINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wirestate/wordmap.h"
#include "wirestate/sink.h"
#include "wirestate/types.h"

/*
 *        enum                  name (stable: part of the output schema)
 */
#define WST_FINDING_MAP(X)                            \
    X(SYN_FLOOD,           "syn_flood")               \
    X(UNREACHABLE_SERVICE, "unreachable_service")     \
    X(CLOSE_WAIT_PILEUP,   "close_wait_pileup")       \
    X(TIME_WAIT,           "time_wait")

enum wst_finding_kind {
#define WST_FINDING_ENUM(e, name) WST_FIND_##e,
    WST_FINDING_MAP(WST_FINDING_ENUM)
#undef WST_FINDING_ENUM
    WST_FIND__COUNT
};

/* Stable snake_case name of a kind. */
const char *wst_finding_name(enum wst_finding_kind kind);

enum wst_severity { WST_SEV_INFO, WST_SEV_WARNING };

/* "info", "warning". */
const char *wst_severity_name(enum wst_severity sev);

/* Role of the endpoint or host a finding names. */
enum { WST_ROLE_CLIENT = 0, WST_ROLE_SERVER = 1 };

/*
 * One finding. `addr`/`port` name what it is about: a server endpoint, or a
 * host (`host`, port unused) for the client side of close_wait_pileup and
 * for time_wait.
 * Fields not listed for a kind are zero:
 *   syn_flood            connections half-open ones: the client sent SYNs
 *                        and never an ACK; unanswered (server silent) and
 *                        synack_unacked (the server's SYN+ACK never
 *                        acknowledged) split them; peers distinct sources;
 *                        attempts, completed; spread_us from the first to
 *                        the last one's start; retried those whose client
 *                        sent its SYN again (a real stack, not a spoofed
 *                        one-shot SYN)
 *   unreachable_service  connections failed attempts: unanswered,
 *                        refused, unreachable split them; icmp_type/code
 *                        and icmp_from: the latest ICMP error and its
 *                        sender; peers distinct clients; attempts, completed
 *   close_wait_pileup    connections that lingered in CLOSE_WAIT; ongoing
 *                        still in it at their end; longest_us; peers
 *                        distinct peer addresses
 *   time_wait            connections the host closed first (it entered
 *                        TIME_WAIT): as_client, as_server split them;
 *                        peak the most it held at once toward one
 *                        destination (dest_addr:dest_port), at peak_us
 *                        (0 when the destination of its only TIME_WAIT
 *                        as a client is not known: see findings.c);
 *                        ports the size of the ephemeral port range;
 *                        longest_us how long TIME_WAIT lasts
 * since_us/until_us: from the earliest start to the latest end of the
 * anomalies that make the pattern (syn_flood, unreachable_service,
 * close_wait_pileup); for time_wait, the first and the last time the host
 * entered TIME_WAIT.
 */
struct wst_finding {
    uint8_t kind;         /* enum wst_finding_kind */
    uint8_t severity;     /* enum wst_severity */
    uint8_t family;
    uint8_t role;         /* WST_ROLE_*: what addr:port is to its connections */
    struct wst_addr addr;
    uint16_t port;
    bool host;            /* addr is a host (time_wait, a client's close_wait_pileup); port unused */
    bool peers_at_least;  /* peers is a lower bound: the estimate saturated */
    uint8_t icmp_type, icmp_code;
    struct wst_addr icmp_from;
    uint64_t connections;
    uint64_t attempts, completed;  /* connection attempts to the endpoint; handshakes completed */
    uint64_t peers;
    uint64_t unanswered, synack_unacked, refused, unreachable;
    uint64_t ongoing;
    uint64_t as_client, as_server;
    uint64_t peak;
    wst_ts_us peak_us;
    struct wst_addr dest_addr;
    uint16_t dest_port;
    uint32_t ports;
    wst_ts_us since_us, until_us;
    uint64_t longest_us;
    uint64_t spread_us;
    uint64_t retried;
};

/* Thresholds. */
struct wst_findings_config {
    uint32_t group_min;          /* --group-min: connections that make a pile-up, an
                                    unreachable service, a TIME_WAIT host worth a line */
    uint32_t flood_min;          /* --flood-min: half-open connections that make a flood */
    uint16_t ephemeral_lo, ephemeral_hi; /* --ephemeral-ports */
    uint64_t time_wait_us;       /* how long TIME_WAIT lasts (the tracker's 2 x MSL) */
    size_t max_groups;           /* groups kept in full (WST_FINDINGS_MAX_GROUPS; tests lower it) */
    uint64_t hash_seed;          /* of the word-keyed index (wordmap.h): a sender must not guess it */
};

/* A flood comes from many sources: one client retrying is not one. */
#define WST_FLOOD_SOURCES_MIN 10

/*
 * Most groups kept with all their detail (about 470 bytes each, and up to
 * 2 KiB per distinct-peer bitmap): past this, connections that would need
 * a new one are only counted in `untracked` (a scan of a million ports
 * must not take a gigabyte).
 */
#define WST_FINDINGS_MAX_GROUPS ((size_t)1 << 16)

/* The groups built so far. Caller-allocated; wst_findings_init() sets it up. */
struct wst_findings {
    struct wst_findings_config cfg;
    void *index;                 /* JudyHS: group key -> light record or group (findings.c) */
    struct wst_wordmap index4;   /* the same for keys that fit in a word (IPv4) */
    struct wst_find_group *groups;
    size_t n_groups, cap_groups;
    wst_ts_us base_us;           /* the first record's start: light records' times count from it */
    bool has_base;
    wst_ts_us latest_gone_us;    /* the latest time a connection left (TIME_WAIT sweeps fold up to it) */
    uint64_t untracked;          /* connections left out: WST_FINDINGS_MAX_GROUPS were kept */
    struct wst_finding *out;     /* wst_findings_collect()'s result */
    size_t n_out;
};

/*
 * Sets f up, empty, with cfg's thresholds: every field is used as it is,
 * except a max_groups of 0 (WST_FINDINGS_MAX_GROUPS). Cannot fail.
 */
void wst_findings_init(struct wst_findings *f, const struct wst_findings_config *cfg);

/* Accounts for one finished connection's report (F1-F4). */
void wst_findings_add(struct wst_findings *f, const struct wst_conn_report *r);

/*
 * Accounts for a connection leaving the tracker (sink.h's gone hook): the
 * TIME_WAIT its endpoints held, now that its end is known (F5).
 */
void wst_findings_gone(struct wst_findings *f, const struct wst_conn *c, enum wst_end_reason why, wst_ts_us at_us);

/*
 * Judges the groups and returns the findings, sorted: warnings first, then
 * by kind, then most connections first, then by address. The array is
 * owned by f and stays valid until the next add or fini.
 */
const struct wst_finding *wst_findings_collect(struct wst_findings *f, size_t *n);

/* What a finding is about, "a.b.c.d:port" or a host's address, into out of
 * WST_ENDPOINT_STRLEN bytes (NUL-terminated). Returns the length. */
size_t wst_finding_where(char *out, const struct wst_finding *x);

/* Frees every group and the last collect()'s findings; f is then empty (zeroed). */
void wst_findings_fini(struct wst_findings *f);

/*
 * The findings as a pipeline stage (sink.h): each connection report is
 * accounted for and handed on to `next`; at the summary the findings are
 * judged and added to it before it is handed on. Caller-allocated.
 */
struct wst_findings_sink {
    struct wst_sink sink;        /* first: the stage is a sink */
    struct wst_findings findings;
    struct wst_sink *next;       /* borrowed; NULL discards */
};

/* Sets fs up as a stage in front of `next`, with cfg's thresholds. Cannot fail. */
void wst_findings_sink_init(struct wst_findings_sink *fs, const struct wst_findings_config *cfg, struct wst_sink *next);

/* Frees what the stage holds (findings handed on with a summary become invalid). */
void wst_findings_sink_fini(struct wst_findings_sink *fs);

#endif
