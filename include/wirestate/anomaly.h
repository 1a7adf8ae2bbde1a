/*
 * wirestate/anomaly.h - what went wrong with a connection.
 *
 * An anomaly is a condition of one endpoint of one connection: a SYN left
 * unanswered, a socket left in CLOSE_WAIT, a FIN nobody acknowledges, an
 * abortive RST... Each has a stable kind, the endpoint it concerns, when it
 * began and how long it lasted, a count that supports it, and the details
 * its kind records. See src/anomaly.c for how each is judged, explain.h
 * for its one-line diagnosis, and docs/output.md for what each means to a
 * person.
 *
 * Two sources feed a connection's anomalies:
 *  - events, spotted by the tracker as segments go by (a SYN answered by a
 *    RST, a state held too long and then left, invalid flags, ...), kept in
 *    the connection's notes;
 *  - conditions still holding when the connection's record ends (still in
 *    SYN_SENT, CLOSE_WAIT, LAST_ACK ... for longer than the threshold),
 *    judged from its states by wst_anomaly_collect().
 *
 * Notes are allocated only for the few connections that need them, and
 * hang off the record's extension (conn.h), so the record of an ordinary
 * connection (and of each half-open one in a SYN flood) stays as small as
 * it was.
 */
#ifndef WIRESTATE_ANOMALY_H
#define WIRESTATE_ANOMALY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wirestate/conn.h"
#include "wirestate/decode.h"
#include "wirestate/fsm.h"
#include "wirestate/types.h"

/*
 * Every kind in one row, and every fact about a kind that code or docs need
 * in its row:
 *   name       stable snake_case name (part of the output schema)
 *   endpoint   the endpoint it concerns, the one stuck or at fault (enum
 *              wst_anomaly_role: the "endpoint" column of the tables in
 *              README.md and docs/output.md)
 *   sides      BOTH if it is raised only when both directions of the
 *              connection were captured (rule A10 of anomaly.c): it rests
 *              on the silence of one side. ONE otherwise.
 *   threshold  the option that decides how long is too long: SYN_TIMEOUT
 *              (--syn-timeout), LINGER (--linger), or NONE
 *   state      the state it is about, when it is a state held too long
 *              (rule A1); _UNSET for the others
 * In the order a connection's life meets them. Notes, row by row:
 *   syn_unanswered: the client waits; its sender sent no ACK, so A10 never
 *     finds such a capture one-sided, and the silence is the finding.
 *   refused, unreachable: the server the SYN was for answered, or a router
 *     did for it (the ICMP error's sender is in addr); an answer is seen at
 *     once, no threshold.
 *   handshake_incomplete: the server in SYN_RCVD; the client's missing ACK
 *     is the other direction's silence.
 *   port_reuse: the client whose new SYN came; the SYN itself is the event.
 *   invalid_flags, data_after_close: each segment its sender sent is the
 *     evidence.
 *   zero_window: the receiver of the data says so in its own segments, for
 *     --linger.
 *   retransmission_stall: a sender that sends the same data again has not
 *     had the ACK either: its own segments are the evidence; counted, no
 *     threshold.
 *   keepalive_unanswered: "unanswered" is the other direction's silence.
 *   close_wait_lingering: the one in CLOSE_WAIT; the FIN that put it there
 *     was sent by the other side.
 *   fin_wait_1_stuck, last_ack_stuck: the FIN's sender waits for its ACK,
 *     which would come from the other side (fin_wait_1_stuck covers
 *     CLOSING too: anomaly.c).
 *   rst_abort: the RST's sender, the one segment that is the evidence.
 */
/*      enum                    name                    endpoint     sides threshold    state */
#define WST_ANOMALY_MAP(X)                                                                        \
    X(SYN_UNANSWERED,       "syn_unanswered",       CLIENT,      ONE,  SYN_TIMEOUT, _UNSET)     \
    X(REFUSED,              "refused",              SERVER,      ONE,  NONE,        _UNSET)     \
    X(UNREACHABLE,          "unreachable",          SERVER,      ONE,  NONE,        _UNSET)     \
    X(HANDSHAKE_INCOMPLETE, "handshake_incomplete", SERVER,      BOTH, SYN_TIMEOUT, SYN_RCVD)   \
    X(PORT_REUSE,           "port_reuse",           CLIENT,      ONE,  NONE,        _UNSET)     \
    X(INVALID_FLAGS,        "invalid_flags",        SENDER,      ONE,  NONE,        _UNSET)     \
    X(ZERO_WINDOW,          "zero_window",          RECEIVER,    ONE,  LINGER,      _UNSET)     \
    X(RETRANSMISSION_STALL, "retransmission_stall", SENDER,      ONE,  NONE,        _UNSET)     \
    X(KEEPALIVE_UNANSWERED, "keepalive_unanswered", PROBER,      BOTH, NONE,        _UNSET)     \
    X(CLOSE_WAIT_LINGERING, "close_wait_lingering", HOLDER,      BOTH, LINGER,      CLOSE_WAIT) \
    X(FIN_WAIT_1_STUCK,     "fin_wait_1_stuck",     FIN_SENDER,  BOTH, LINGER,      FIN_WAIT_1) \
    X(LAST_ACK_STUCK,       "last_ack_stuck",       FIN_SENDER,  BOTH, LINGER,      LAST_ACK)   \
    X(DATA_AFTER_CLOSE,     "data_after_close",     SENDER,      ONE,  NONE,        _UNSET)     \
    X(RST_ABORT,            "rst_abort",            RST_SENDER,  ONE,  NONE,        _UNSET)

enum wst_anomaly_kind {
#define WST_ANOMALY_ENUM(e, name, role, sides, threshold, state) WST_AN_##e,
    WST_ANOMALY_MAP(WST_ANOMALY_ENUM)
#undef WST_ANOMALY_ENUM
    WST_AN__COUNT
};

/* The endpoint a kind concerns (its row's endpoint column). 0 means unset. */
enum wst_anomaly_role {
    WST_AROLE__UNSET = 0,
    WST_AROLE_CLIENT,     /* the connection's client */
    WST_AROLE_SERVER,     /* its server */
    WST_AROLE_SENDER,     /* the sender of the segments at fault */
    WST_AROLE_RECEIVER,   /* the receiver of the data (it advertises the window) */
    WST_AROLE_PROBER,     /* the sender of keepalive probes */
    WST_AROLE_HOLDER,     /* the one in the row's state */
    WST_AROLE_FIN_SENDER, /* the sender of the FIN left unacknowledged */
    WST_AROLE_RST_SENDER, /* the sender of the RST */
    WST_AROLE__COUNT
};

/* Whether a kind needs both directions of the connection captured (A10). */
enum wst_anomaly_sides { WST_SIDES_ONE, WST_SIDES_BOTH };

/* The option that decides a kind's "too long". */
enum wst_anomaly_threshold { WST_THRESHOLD_NONE, WST_THRESHOLD_SYN_TIMEOUT, WST_THRESHOLD_LINGER };

/* One row of WST_ANOMALY_MAP. */
struct wst_anomaly_info {
    const char *name;     /* stable snake_case name */
    uint8_t role;         /* enum wst_anomaly_role */
    uint8_t sides;        /* enum wst_anomaly_sides */
    uint8_t threshold;    /* enum wst_anomaly_threshold */
    uint8_t state;        /* enum wst_tcp_state held too long, or WST_ST__UNSET */
};

/*
 * The row of a kind, never NULL: a kind out of range gets a row named
 * "unknown" whose other cells are all 0 (unset, no threshold, no state).
 */
const struct wst_anomaly_info *wst_anomaly_info(enum wst_anomaly_kind kind);

/* Stable snake_case name of a kind (its row's name; "unknown" out of range). */
const char *wst_anomaly_name(enum wst_anomaly_kind kind);

/* How a late answer came (wst_anomaly.detail[0] of syn_unanswered). */
enum { WST_ANSWER_NONE = 0, WST_ANSWER_SEGMENT, WST_ANSWER_ICMP };

/* What data_after_close's data came after (detail[0]). */
enum { WST_AFTER_FIN = 1, WST_AFTER_RST };

/*
 * One anomaly. The meaning of count, value[] and detail[] depends on the
 * kind (the table in docs/output.md):
 *   syn_unanswered        count SYNs sent; detail[0] WST_ANSWER_* (late answer)
 *   refused               count SYNs sent before the RST
 *   unreachable           count ICMP errors; detail[] ICMP type and code of
 *                         the last one; addr its sender (family: the conn's)
 *   handshake_incomplete  count SYN+ACKs sent; detail[0] the client's state
 *   port_reuse            detail[0] endpoint index that was in TIME_WAIT;
 *                         value[0] ms of its TIME_WAIT that were left
 *   invalid_flags         count segments; detail[0] flags of the first one
 *   zero_window           count zero-window segments it sent
 *   retransmission_stall  count retransmissions of the same data; value[0]
 *                         the longest gap between two (ms)
 *   keepalive_unanswered  count probes sent without reply
 *   close_wait_lingering  count FINs received
 *   fin_wait_1_stuck,
 *   last_ack_stuck        count FINs sent
 *   data_after_close      count segments; value[0] bytes; detail[0] WST_AFTER_*
 *   rst_abort             count 1; detail[] sender's and receiver's states
 *                         before it; value[] bytes each had sent that the
 *                         other had not acknowledged (sender's, receiver's)
 */
struct wst_anomaly {
    wst_ts_us since_us;   /* when the condition began (capture time) */
    wst_ts_us until_us;   /* when it ended; for an ongoing one, the end of the record */
    uint32_t count;
    uint32_t value[2];
    struct wst_addr addr;
    uint8_t kind;         /* enum wst_anomaly_kind */
    uint8_t endpoint;     /* index of the endpoint it concerns */
    uint8_t detail[2];
    bool ongoing;         /* still holding when the record ended */
};

/* Thresholds (--syn-timeout, --linger). */
struct wst_anomaly_config {
    uint32_t syn_timeout_ms;
    uint32_t linger_ms;
};

/* Most anomalies one connection can have: each kind once per endpoint. */
#define WST_ANOMALY_MAX (2 * WST_AN__COUNT)

/*
 * The notes of one connection: anomalies raised by events, and the little
 * the detectors remember. Times are ms after the connection's start plus
 * one (0 = unset).
 */
struct wst_anomaly_notes {
    struct wst_anomaly *list;
    uint8_t n, cap;
    wst_ts_us end_us;           /* when the record ended, if not derivable (reused) */
    uint32_t first_fin_ms[2];   /* when endpoint i's wait for the ACK of its FIN began */
    uint32_t first_synack_ms[2]; /* when endpoint i's wait for the ACK of its SYN+ACK began */
    uint32_t close_wait_data_ms[2]; /* endpoint i's last data sent in CLOSE_WAIT */
    /* Endpoint i has advertised a zero window since, in that many segments. */
    uint32_t zero_window_ms[2], zero_window_segs[2];
    /* Keepalive probes endpoint i sent that its peer has not answered yet. */
    uint32_t probes[2], first_probe_ms[2];
    /* Endpoint i sending the same data (from rexmit_seq) again and again. */
    uint32_t rexmit_seq[2], rexmits[2], first_rexmit_ms[2], last_rexmit_ms[2];
    uint32_t rexmit_gap_ms[2], rexmit_max_gap_ms[2];
    bool rexmit_gap_shrank[2];
};

/* The notes of a tracker's connections: they live in each record's
 * extension; this counts them (every one is freed by wst_notes_drop()). */
struct wst_notes_table {
    size_t count;
};

/* The notes of c, created empty on first use (sets WST_CONN_NOTES). */
struct wst_anomaly_notes *wst_notes_get(struct wst_notes_table *t, struct wst_conn *c);

/* The notes of c, or NULL. */
struct wst_anomaly_notes *wst_notes_find(const struct wst_notes_table *t, const struct wst_conn *c);

/* Frees the notes of c, if any (before the record is freed). */
void wst_notes_drop(struct wst_notes_table *t, struct wst_conn *c);

/* Ends the table; every connection's notes must have been dropped (the count is then 0). */
void wst_notes_table_fini(struct wst_notes_table *t);

/*
 * Raises an anomaly into notes, or merges it into the one of the same kind
 * and endpoint already there: counts add up, the span widens.
 */
void wst_anomaly_raise(struct wst_anomaly_notes *notes, const struct wst_anomaly *a);

/*
 * What the tracker knows around one segment, for the event detectors.
 * `pre` holds both endpoints as they were before the segment; c holds them
 * after it.
 */
struct wst_anomaly_segment {
    const struct wst_segment *seg;
    const struct wst_fsm_step *step;
    struct wst_endpoint pre[2];
    uint8_t pre_tcp_flags;      /* union of the flags the sender had sent before */
    int from;                   /* endpoint index of the sender */
    wst_ts_us ts_us;
};

/*
 * True if the segment may concern a detector: a state changed, the flags
 * are invalid, data follows the sender's FIN or RST or goes out in
 * CLOSE_WAIT, a SYN or FIN is sent again, an endpoint speaks for the first time,
 * or the connection has notes. Everything else (most segments) skips
 * wst_anomaly_observe().
 */
bool wst_anomaly_worth_observing(const struct wst_conn *c, const struct wst_anomaly_segment *s);

/* Runs the event detectors on one segment; takes notes only when needed. */
void wst_anomaly_observe(struct wst_notes_table *nt, const struct wst_anomaly_config *cfg, struct wst_conn *c,
                         const struct wst_anomaly_segment *s);

/*
 * Endpoint i of c left a state it had been in since `pre_since_ms` at
 * `now_ms` (a timer moved it: rule L, TIME_WAIT's end). Judges the state it
 * left as wst_anomaly_observe() does.
 */
void wst_anomaly_left_state(struct wst_notes_table *nt, const struct wst_anomaly_config *cfg, struct wst_conn *c,
                            int i, uint8_t pre_state, uint32_t pre_since_ms, uint32_t now_ms);

/*
 * An ICMP destination unreachable quoting the SYN of endpoint `from` of c
 * (the fsm has judged it: wst_fsm_icmp_unreachable() returned true).
 */
void wst_anomaly_icmp(struct wst_notes_table *nt, struct wst_conn *c, int from, const struct wst_icmp_error *e,
                      wst_ts_us ts_us, uint32_t pre_since_ms);

/* A new SYN from `from` reused the 4-tuple of `old` (retired as reused) for c. */
void wst_anomaly_reused(struct wst_notes_table *nt, struct wst_conn *c, const struct wst_conn *old, int from,
                        wst_ts_us ts_us, uint64_t time_wait_us);

/*
 * The earliest time after `after_us` at which a condition c is in now (a
 * SYN unanswered, a state held, a zero window) will have lasted its
 * threshold, skipping the kinds and endpoints whose bit (1 << (2 x kind +
 * endpoint)) is set in `announced`; 0 if none. A time already passed was
 * asked about when it came (or the condition did not count). A live capture
 * asks again then, so an anomaly is known when it begins to count, not only
 * at the record's end (wst_anomaly_collect() at that time holds it).
 */
wst_ts_us wst_anomaly_next_due(const struct wst_conn *c, const struct wst_anomaly_notes *notes,
                               const struct wst_anomaly_config *cfg, uint32_t announced, wst_ts_us after_us);

/*
 * All anomalies of a finished connection: those its notes hold (may be
 * NULL) and the conditions still holding at `end_us`, the end of its
 * record. Writes at most WST_ANOMALY_MAX into out, sorted by start time
 * then kind; returns how many.
 */
size_t wst_anomaly_collect(const struct wst_conn *c, const struct wst_anomaly_notes *notes, wst_ts_us end_us,
                           const struct wst_anomaly_config *cfg, struct wst_anomaly out[WST_ANOMALY_MAX]);

#endif
