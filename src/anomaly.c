/*
 * anomaly.c - judging what went wrong with a connection.
 *
 * Rules (the reasons are in docs/output.md, "Anomalies"):
 *  A1. A state that should be brief is the state of a kind's row in
 *      WST_ANOMALY_MAP, held no longer than the row's threshold (CLOSING
 *      shares FIN_WAIT_1's row; SYN_RCVD counts once the endpoint has sent
 *      its SYN+ACK). An endpoint that leaves such a state after the
 *      threshold raises the kind then (with its end); one still in it when
 *      the record ends raises it as ongoing. Either way the same rule
 *      judges.
 *  A2. The wait in FIN_WAIT_1, CLOSING or LAST_ACK is for the ACK of a FIN,
 *      so it runs from the endpoint's first FIN, not from its latest state
 *      change: rule L of fsm.c moves an endpoint that loses ACKs back and
 *      forth, and CLOSING follows FIN_WAIT_1. The start is remembered when
 *      a FIN is sent again or CLOSING is entered; it is then the time the
 *      endpoint entered its state before that, which is the first FIN's
 *      time or within one round trip of it.
 *      The same holds for SYN_RCVD: rule R2 moves a server whose final ACK
 *      was lost back from ESTABLISHED, and its wait began with its first
 *      SYN+ACK; the time it became ESTABLISHED (the final ACK's) is within
 *      a round trip of that.
 *  A3. CLOSE_WAIT with data still going out is a half-close doing its job
 *      (RFC 9293 §3.6): lingering counts from the endpoint's last data.
 *  A4. A SYN is unanswered while its receiver has sent nothing at all: any
 *      segment back (SYN+ACK, RST, even one the rules say was lost after
 *      the tap) is an answer, and so is an ICMP error quoting the SYN. An
 *      answer later than --syn-timeout raises syn_unanswered with its end,
 *      and so does the client's giving up after that long (fsm.c rule G).
 *  A5. A RST counts only if the state machine accepted it (RFC 9293
 *      §3.10.7.4 / RFC 5961 §3): a RST answering a SYN is `refused`; one
 *      ending a synchronized connection (ESTABLISHED through LAST_ACK, not
 *      TIME_WAIT, where it merely ends the wait) is `rst_abort`.
 *  A6. Keepalive probes (RFC 9293 §3.8.4; RFC 1122 §4.2.3.6): a segment
 *      without SYN, FIN or RST carrying at most one byte, one below what
 *      its sender has used, to which the peer must answer with an ACK.
 *      Linux sends the same segment to probe a zero window (RFC 9293
 *      §3.8.6.1), so while the peer advertises zero it is a window probe.
 *      Two probes or more with no segment at all from the peer since the
 *      first of them are unanswered (one may merely be in flight).
 *  A7. A retransmission stall: data sent again from the same sequence
 *      number at least three times (RFC 6298 §5.5 backs off the timer
 *      each time), no gap much shorter than the one before (1/8 slack),
 *      and no ACK beyond that sequence number from the peer meanwhile.
 *  A8. A zero window counts from the first segment that advertises it
 *      (SYNs and RSTs aside: Linux's RSTs carry a zero window) until one
 *      that opens it.
 *  A9. Flags no TCP sends (RFC 9293 §3.1, §3.10.7): SYN with FIN or RST,
 *      no flags at all, and anything but a SYN or RST without ACK (FIN,
 *      Xmas and null scans). One anomaly per sender, counted.
 *  A10. A one-sided capture (a SPAN port that mirrors one direction): one
 *      endpoint sent nothing while the other acknowledges what it must have
 *      sent. The missing direction's silence is then no evidence, so the
 *      kinds that rest on it (sides BOTH in their rows) are not raised.
 *  A11. What runs until a segment ends it (A6's unanswered probes, A7's
 *      stall, A8's zero window) also ends when the connection does: at a
 *      RST the state machine accepted, whoever sent it (Linux resets after
 *      its last unanswered keepalive probe, tcp_keepalive_timer(); an
 *      application that gives up on a stalled connection may abort it), or
 *      once both endpoints are done with it (CLOSED, LISTEN or TIME_WAIT),
 *      whether a segment or a timer (rule L) got them there. It is judged
 *      then, with that end; only a condition still running when the record
 *      ends is ongoing. (States held too long, A1, need no such rule: a RST
 *      or a close moves the endpoint out of them.)
 *  A12. No TCP sends new data beyond its own FIN (after a CLOSE it may not
 *      SEND, RFC 9293 §3.10.4) or any after its own RST: such segments are
 *      data_after_close, one anomaly per sender with their bytes counted.
 *
 * Where the rules run: each segment worth it goes through the event rules
 * of WST_EVENT_RULES, one small function per rule, in the order documented there;
 * a state a timer ends goes through wst_anomaly_left_state(); the record's
 * end goes through the judges of at_end[] and running[]. The rules record
 * facts (kind, endpoint, times, counts, detail codes); explain.c writes
 * them as sentences.
 */
#include "wirestate/anomaly.h"

#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "seq.h"

/* The rows of WST_ANOMALY_MAP (the notes on their cells are there). */
static const struct wst_anomaly_info rows[WST_AN__COUNT] = {
#define WST_ANOMALY_ROW(e, name, role, sides, threshold, state) \
    [WST_AN_##e] = {name, WST_AROLE_##role, WST_SIDES_##sides, WST_THRESHOLD_##threshold, WST_ST_##state},
    WST_ANOMALY_MAP(WST_ANOMALY_ROW)
#undef WST_ANOMALY_ROW
};

static const struct wst_anomaly_info unknown_row = {.name = "unknown"};

const struct wst_anomaly_info *wst_anomaly_info(enum wst_anomaly_kind kind)
{
    return (unsigned)kind < WST_AN__COUNT ? &rows[kind] : &unknown_row;
}

const char *wst_anomaly_name(enum wst_anomaly_kind kind)
{
    return wst_anomaly_info(kind)->name;
}

/* ---- notes ---- */

struct wst_anomaly_notes *wst_notes_get(struct wst_notes_table *t, struct wst_conn *c)
{
    struct wst_conn_ext *ext = wst_conn_ext(c);
    if (ext->notes == NULL) {
        ext->notes = wst_xcalloc(1, sizeof *ext->notes);
        t->count++;
        c->flags |= WST_CONN_NOTES;
    }
    return ext->notes;
}

struct wst_anomaly_notes *wst_notes_find(const struct wst_notes_table *t, const struct wst_conn *c)
{
    (void)t;
    return (c->flags & WST_CONN_NOTES) ? c->ext->notes : NULL;
}

void wst_notes_drop(struct wst_notes_table *t, struct wst_conn *c)
{
    if (!(c->flags & WST_CONN_NOTES))
        return;
    free(c->ext->notes->list);
    free(c->ext->notes);
    c->ext->notes = NULL;
    t->count--;
    c->flags &= (uint8_t)~WST_CONN_NOTES;
}

void wst_notes_table_fini(struct wst_notes_table *t)
{
    t->count = 0;
}

/* The anomaly of `kind` on `endpoint` among list[0..n), or NULL. */
static struct wst_anomaly *find(struct wst_anomaly *list, size_t n, uint8_t kind, uint8_t endpoint)
{
    for (size_t i = 0; i < n; i++) {
        if (list[i].kind == kind && list[i].endpoint == endpoint)
            return &list[i];
    }
    return NULL;
}

/* Merging: the span widens, running totals keep the larger. */
static void merge(struct wst_anomaly *into, const struct wst_anomaly *a)
{
    if (a->since_us < into->since_us)
        into->since_us = a->since_us;
    if (a->until_us > into->until_us)
        into->until_us = a->until_us;
    if (a->count > into->count)
        into->count = a->count;
    for (int k = 0; k < 2; k++) {
        if (a->value[k] > into->value[k])
            into->value[k] = a->value[k];
    }
    into->ongoing |= a->ongoing;
}

void wst_anomaly_raise(struct wst_anomaly_notes *notes, const struct wst_anomaly *a)
{
    struct wst_anomaly *old = find(notes->list, notes->n, a->kind, a->endpoint);
    if (old) {
        merge(old, a);
        return;
    }
    if (notes->n == notes->cap) {
        unsigned cap = notes->cap ? 2u * notes->cap : 2u;
        if (cap > WST_ANOMALY_MAX)
            cap = WST_ANOMALY_MAX;
        notes->list = wst_xrealloc(notes->list, cap, sizeof *notes->list);
        notes->cap = (uint8_t)cap;
    }
    notes->list[notes->n++] = *a; /* n < WST_ANOMALY_MAX: one per kind and endpoint */
}

/*
 * One more occurrence of an event counted one by one (invalid flags, data
 * after close, ICMP errors): raises `first` if its kind and endpoint are new
 * and returns NULL, else counts it on the one there and returns that.
 */
static struct wst_anomaly *occurrence(struct wst_anomaly_notes *n, const struct wst_anomaly *first)
{
    struct wst_anomaly *old = find(n->list, n->n, first->kind, first->endpoint);
    if (old == NULL) {
        wst_anomaly_raise(n, first);
        return NULL;
    }
    old->count++;
    old->until_us = first->until_us;
    return old;
}

/* ---- A1: states that should be brief ---- */

/*
 * The kind of a state held too long: the row whose state it is, or
 * WST_AN__COUNT for a state no row is about. CLOSING is the exception:
 * a simultaneous close enters it from FIN_WAIT_1, and it waits for the
 * same ACK of the same FIN (A2), so it is fin_wait_1_stuck's too.
 */
static enum wst_anomaly_kind held_kind(uint8_t st)
{
    /* The rows' state column turned around once, so the packet path reads
     * one byte for it; WST_AN__COUNT where no kind is about the state. */
    static uint8_t by_state[WST_ST__COUNT];
    static bool made;
    if (!made) {
        for (int s = 0; s < WST_ST__COUNT; s++) {
            int want = s == WST_ST_CLOSING ? WST_ST_FIN_WAIT_1 : s;
            by_state[s] = WST_AN__COUNT;
            for (int k = 0; want != WST_ST__UNSET && k < WST_AN__COUNT; k++) {
                if (rows[k].state == want) {
                    by_state[s] = (uint8_t)k;
                    break;
                }
            }
        }
        made = true;
    }
    return st < WST_ST__COUNT ? (enum wst_anomaly_kind)by_state[st] : WST_AN__COUNT;
}

/* How long is too long for a kind: its row's option. */
static uint32_t threshold_ms(const struct wst_anomaly_config *cfg, enum wst_anomaly_kind kind)
{
    switch ((enum wst_anomaly_threshold)rows[kind].threshold) {
    case WST_THRESHOLD_SYN_TIMEOUT:
        return cfg->syn_timeout_ms;
    case WST_THRESHOLD_LINGER:
        return cfg->linger_ms;
    case WST_THRESHOLD_NONE:
        break;
    }
    return 0;
}

/* A2: the states that wait for the ACK of the endpoint's own FIN. */
static bool is_fin_wait(uint8_t st)
{
    return st == WST_ST_FIN_WAIT_1 || st == WST_ST_CLOSING || st == WST_ST_LAST_ACK;
}

/* When endpoint i's stay in `st` (entered at since_ms) began to count (A2, A3). */
static uint32_t held_start_ms(const struct wst_anomaly_notes *notes, int i, uint8_t st, uint32_t since_ms)
{
    if (notes && is_fin_wait(st) && notes->first_fin_ms[i] && notes->first_fin_ms[i] - 1 < since_ms)
        return notes->first_fin_ms[i] - 1;
    if (notes && st == WST_ST_SYN_RCVD && notes->first_synack_ms[i] && notes->first_synack_ms[i] - 1 < since_ms)
        return notes->first_synack_ms[i] - 1;
    if (notes && st == WST_ST_CLOSE_WAIT && notes->close_wait_data_ms[i] > since_ms + 1)
        return notes->close_wait_data_ms[i] - 1;
    return since_ms;
}

/*
 * Fills *a if endpoint i held `st` from since_ms to end_ms for at least its
 * threshold; false otherwise. `ep` is the endpoint as it is now (counts).
 */
static bool judge_held(const struct wst_conn *c, const struct wst_anomaly_notes *notes,
                       const struct wst_anomaly_config *cfg, int i, uint8_t st, uint32_t since_ms, uint32_t end_ms,
                       struct wst_anomaly *a)
{
    enum wst_anomaly_kind kind = held_kind(st);
    if (kind == WST_AN__COUNT)
        return false;
    const struct wst_endpoint *ep = &c->ep[i];
    if (st == WST_ST_SYN_RCVD && !(ep->flags & WST_EP_SYNACK))
        return false; /* never answered: the SYN's sender has syn_unanswered */
    /* A CLOSE_WAIT counts whether or not its ACK of the FIN went by: the
     * record shows the state, so it shows the anomaly too (a one-sided
     * capture, whose silence proves nothing, is A10's). */
    uint32_t start = held_start_ms(notes, i, st, since_ms);
    if (end_ms < start || end_ms - start < threshold_ms(cfg, kind))
        return false;
    memset(a, 0, sizeof *a);
    a->kind = (uint8_t)kind;
    a->endpoint = (uint8_t)i;
    a->since_us = wst_conn_at_us(c, start);
    a->until_us = wst_conn_at_us(c, end_ms);
    switch (kind) {
    case WST_AN_HANDSHAKE_INCOMPLETE:
        a->count = 1u + ep->syns_again;
        a->detail[0] = c->ep[!i].state;
        a->detail[1] = c->ep[!i].syns_again;
        break;
    case WST_AN_CLOSE_WAIT_LINGERING:
        a->count = c->ep[!i].fins;
        break;
    default:
        a->count = ep->fins;
        break;
    }
    return true;
}

/* ---- A6, A7, A8: conditions that run until something ends them ---- */

/*
 * What judging a condition over a span needs: the connection, its notes
 * (NULL when it has none), the thresholds, and when the span ends.
 */
struct judge_ctx {
    const struct wst_conn *c;
    const struct wst_anomaly_notes *n;
    const struct wst_anomaly_config *cfg;
    wst_ts_us until_us;
};

/*
 * A judge: fills *a with the anomaly of endpoint k that qualifies over the
 * span ending at x->until_us and returns true, or returns false. The
 * caller says whether it is ongoing.
 */
typedef bool judge_fn(const struct judge_ctx *x, int k, struct wst_anomaly *a);

/* A6: two probes or more from k that nothing answered. */
static bool probes_held(const struct judge_ctx *x, int k, struct wst_anomaly *a)
{
    const struct wst_anomaly_notes *n = x->n;
    if (!n || n->probes[k] < 2)
        return false; /* one may merely be in flight */
    *a = (struct wst_anomaly){.kind = WST_AN_KEEPALIVE_UNANSWERED, .endpoint = (uint8_t)k,
                              .since_us = wst_conn_at_us(x->c, n->first_probe_ms[k] - 1), .until_us = x->until_us,
                              .count = n->probes[k]};
    return true;
}

/* A7: the same data from k three times or more, the gaps not shrinking. */
static bool stall_held(const struct judge_ctx *x, int k, struct wst_anomaly *a)
{
    const struct wst_anomaly_notes *n = x->n;
    if (!n || n->rexmits[k] < 3 || n->rexmit_gap_shrank[k])
        return false;
    *a = (struct wst_anomaly){.kind = WST_AN_RETRANSMISSION_STALL, .endpoint = (uint8_t)k,
                              .since_us = wst_conn_at_us(x->c, n->first_rexmit_ms[k]), .until_us = x->until_us,
                              .count = n->rexmits[k], .value = {n->rexmit_max_gap_ms[k], 0}};
    return true;
}

/* A8: k's zero window, held for at least its threshold. */
static bool zero_window_held(const struct judge_ctx *x, int k, struct wst_anomaly *a)
{
    const struct wst_anomaly_notes *n = x->n;
    if (!n)
        return false;
    uint32_t zw = n->zero_window_ms[k], until_ms = wst_conn_ms(x->c, x->until_us);
    if (!zw || until_ms < zw - 1 || until_ms - (zw - 1) < threshold_ms(x->cfg, WST_AN_ZERO_WINDOW))
        return false;
    *a = (struct wst_anomaly){.kind = WST_AN_ZERO_WINDOW, .endpoint = (uint8_t)k,
                              .since_us = wst_conn_at_us(x->c, zw - 1), .until_us = x->until_us,
                              .count = n->zero_window_segs[k]};
    return true;
}

/* The conditions that run until something ends them, judged alike by the
 * segment that ends one, by the connection's end (A11), and by the
 * record's end. */
static judge_fn *const running[] = {probes_held, stall_held, zero_window_held};

#define N_RUNNING (sizeof running / sizeof *running)

/* A11: done with the connection (a TIME_WAIT endpoint only waits out 2 MSL). */
static bool is_done(const struct wst_conn *c)
{
    for (int k = 0; k < 2; k++) {
        uint8_t st = c->ep[k].state;
        if (st != WST_ST_CLOSED && st != WST_ST_LISTEN && st != WST_ST_TIME_WAIT)
            return false;
    }
    return true;
}

/* A11: the connection ended at until_us; what was running ends with it. */
static void end_running(struct wst_anomaly_notes *n, const struct wst_anomaly_config *cfg, const struct wst_conn *c,
                        wst_ts_us until_us)
{
    const struct judge_ctx x = {c, n, cfg, until_us};
    struct wst_anomaly a;
    for (int k = 0; k < 2; k++) {
        for (size_t r = 0; r < N_RUNNING; r++) {
            if (running[r](&x, k, &a))
                wst_anomaly_raise(n, &a);
        }
        n->probes[k] = n->rexmits[k] = 0;
        n->zero_window_ms[k] = n->zero_window_segs[k] = 0;
    }
}

void wst_anomaly_left_state(struct wst_notes_table *nt, const struct wst_anomaly_config *cfg, struct wst_conn *c,
                            int i, uint8_t pre_state, uint32_t pre_since_ms, uint32_t now_ms)
{
    struct wst_anomaly_notes *notes = wst_notes_find(nt, c);
    if (pre_state == WST_ST_FIN_WAIT_1 && c->ep[i].state == WST_ST_CLOSING) {
        /* Still waiting for the same ACK (A2). */
        notes = wst_notes_get(nt, c);
        if (!notes->first_fin_ms[i])
            notes->first_fin_ms[i] = pre_since_ms + 1;
        return;
    }
    struct wst_anomaly a;
    if (judge_held(c, notes, cfg, i, pre_state, pre_since_ms, now_ms, &a))
        wst_anomaly_raise(notes ? notes : wst_notes_get(nt, c), &a);
    /* A4 ended by the client giving up (fsm.c rule G: SYN_SENT to CLOSED by
     * timer, with no word from its peer): unanswered until then. */
    const struct wst_endpoint *ep = &c->ep[i];
    if (pre_state == WST_ST_SYN_SENT && ep->state == WST_ST_CLOSED && (ep->flags & WST_EP_ACTIVE) &&
        !(c->ep[!i].flags & WST_EP_SENT) && now_ms >= pre_since_ms && now_ms - pre_since_ms >= cfg->syn_timeout_ms &&
        !(notes && find(notes->list, notes->n, WST_AN_UNREACHABLE, (uint8_t)!i))) {
        a = (struct wst_anomaly){.kind = WST_AN_SYN_UNANSWERED, .endpoint = (uint8_t)i,
                                 .since_us = wst_conn_at_us(c, pre_since_ms), .until_us = wst_conn_at_us(c, now_ms),
                                 .count = 1u + ep->syns_again, .detail = {WST_ANSWER_NONE, 0}};
        wst_anomaly_raise(notes ? notes : (notes = wst_notes_get(nt, c)), &a);
    }
    /* A11: a timer (rule L) can end the connection too; after a segment
     * wst_anomaly_observe() has ended what ran already, at the segment's
     * exact time, and this finds nothing left. */
    if (notes && is_done(c))
        end_running(notes, cfg, c, wst_conn_at_us(c, now_ms));
}

/* ---- event rules: what one segment shows ---- */

/* A9. */
static bool invalid_flags(uint8_t f)
{
    if ((f & WST_TH_SYN) && (f & (WST_TH_FIN | WST_TH_RST)))
        return true;
    return !(f & (WST_TH_SYN | WST_TH_RST | WST_TH_ACK));
}

/* ESTABLISHED through LAST_ACK, TIME_WAIT excepted (A5). */
static bool is_synchronized(uint8_t st)
{
    return st >= WST_ST_ESTABLISHED && st != WST_ST_TIME_WAIT;
}

/* A6: a keepalive (or zero-window) probe from an endpoint as it was before it. */
static bool is_probe(const struct wst_segment *seg, const struct wst_endpoint *snd)
{
    return (seg->flags & (WST_TH_SYN | WST_TH_FIN | WST_TH_RST | WST_TH_ACK)) == WST_TH_ACK &&
           seg->payload_len <= 1 && (snd->flags & WST_EP_HAS_SEQ) && seg->seq == snd->next_seq - 1;
}

/* Data sent again: it starts below what its sender had used. */
static bool is_rexmit(const struct wst_segment *seg, const struct wst_endpoint *snd)
{
    return seg->payload_len && (snd->flags & WST_EP_HAS_SEQ) && seq_lt(seg->seq, snd->next_seq);
}

bool wst_anomaly_worth_observing(const struct wst_conn *c, const struct wst_anomaly_segment *s)
{
    const struct wst_fsm_step *st = s->step;
    const struct wst_endpoint *snd = &s->pre[s->from];
    uint8_t f = s->seg->flags;
    if ((c->flags & WST_CONN_NOTES) || st->snd_from != st->snd_to || st->rcv_from != st->rcv_to || st->fin_rexmit ||
        st->syn_rexmit)
        return true;
    if (invalid_flags(f) || !(snd->flags & WST_EP_SENT) || (f & WST_TH_RST))
        return true;
    if ((s->seg->window == 0 && !(f & WST_TH_SYN)) || is_rexmit(s->seg, snd) || is_probe(s->seg, snd))
        return true;
    return s->seg->payload_len &&
           ((snd->flags & WST_EP_HAS_FIN) || (s->pre_tcp_flags & WST_TH_RST) || snd->state == WST_ST_CLOSE_WAIT);
}

/* Bytes endpoint `sender` had used that `acker` had not acknowledged (a FIN is not a byte). */
static uint32_t unacked(const struct wst_conn *c, const struct wst_endpoint *sender, int acker)
{
    if (!(sender->flags & WST_EP_HAS_SEQ) || !(c->tcp_flags[acker] & WST_TH_ACK))
        return 0;
    uint32_t ack = c->ep[acker].ack;
    if (!seq_gt(sender->next_seq, ack))
        return 0;
    uint32_t n = sender->next_seq - ack;
    if (sender->flags & WST_EP_HAS_FIN)
        n--; /* the FIN (next_seq - 1) is among what is unacknowledged: n >= 1 here */
    return n;
}

/*
 * What the event rules share about one segment: the connection, the
 * segment and the state machine's step, its sender i and receiver j as
 * they were before it (pi, pj), its time, what it is (a probe), and the
 * connection's notes, NULL until a rule needs them (take_notes()).
 */
struct rule_ctx {
    struct wst_notes_table *nt;
    const struct wst_anomaly_config *cfg;
    struct wst_conn *c;
    const struct wst_anomaly_segment *s;
    const struct wst_segment *seg;
    const struct wst_fsm_step *step;
    int i, j;
    const struct wst_endpoint *pi, *pj;
    uint32_t now_ms;
    bool is_probe;                  /* a keepalive or zero-window probe from i (A6) */
    struct wst_anomaly_notes *n;
};

/* The connection's notes, created empty if it has none. */
static struct wst_anomaly_notes *take_notes(struct rule_ctx *x)
{
    if (!x->n)
        x->n = wst_notes_get(x->nt, x->c);
    return x->n;
}

/* The judges' view of the rules' context, the span ending with the segment. */
static struct judge_ctx judge_now(const struct rule_ctx *x)
{
    return (struct judge_ctx){x->c, x->n, x->cfg, x->s->ts_us};
}

/* An event rule: reads the segment, raises what it shows, keeps notes. */
typedef void rule_fn(struct rule_ctx *x);

/* A9: flags no TCP sends, one anomaly per sender with the first one's flags. */
static void rule_invalid_flags(struct rule_ctx *x)
{
    uint8_t f = x->seg->flags;
    if (!invalid_flags(f))
        return;
    struct wst_anomaly a = {.kind = WST_AN_INVALID_FLAGS, .endpoint = (uint8_t)x->i, .since_us = x->s->ts_us,
                            .until_us = x->s->ts_us, .count = 1, .detail = {f, 0}};
    occurrence(take_notes(x), &a);
}

/* A4: the first segment back to a SYN that waited for its threshold or more. */
static void rule_late_answer(struct rule_ctx *x)
{
    const struct wst_endpoint *pi = x->pi, *pj = x->pj;
    if ((pi->flags & WST_EP_SENT) || pj->state != WST_ST_SYN_SENT || !(pj->flags & WST_EP_ACTIVE) ||
        x->now_ms < pj->since_ms || x->now_ms - pj->since_ms < threshold_ms(x->cfg, WST_AN_SYN_UNANSWERED))
        return;
    struct wst_anomaly a = {.kind = WST_AN_SYN_UNANSWERED, .endpoint = (uint8_t)x->j,
                            .since_us = wst_conn_at_us(x->c, pj->since_ms), .until_us = x->s->ts_us,
                            .count = 1u + pj->syns_again, .detail = {WST_ANSWER_SEGMENT, 0}};
    wst_anomaly_raise(take_notes(x), &a);
}

/* A5: a RST the state machine accepted: refused when it answers a SYN,
 * rst_abort when it ends a connection synchronized at its receiver. */
static void rule_accepted_rst(struct rule_ctx *x)
{
    const struct wst_fsm_step *step = x->step;
    if (!step->n_snd || step->snd[0] != WST_EV_SND_RST)
        return;
    struct wst_anomaly a;
    if (step->rcv_from == WST_ST_SYN_SENT) {
        a = (struct wst_anomaly){.kind = WST_AN_REFUSED, .endpoint = (uint8_t)x->i,
                                 .since_us = wst_conn_at_us(x->c, x->pj->since_ms), .until_us = x->s->ts_us,
                                 .count = 1u + x->pj->syns_again};
    } else if (is_synchronized(step->rcv_from)) {
        /* A RST to a SYN_RCVD server (a SYN scan's) ends only a handshake. */
        a = (struct wst_anomaly){.kind = WST_AN_RST_ABORT, .endpoint = (uint8_t)x->i, .since_us = x->s->ts_us,
                                 .until_us = x->s->ts_us, .count = 1, .detail = {step->snd_from, step->rcv_from},
                                 .value = {unacked(x->c, x->pi, x->j), unacked(x->c, x->pj, x->i)}};
    } else {
        return;
    }
    wst_anomaly_raise(take_notes(x), &a);
}

/* A12: new data beyond the sender's own FIN, or data after its own RST;
 * one anomaly per sender, the segments and bytes counted. */
static void rule_data_after_close(struct rule_ctx *x)
{
    const struct wst_segment *seg = x->seg;
    uint8_t after;
    if (!seg->payload_len)
        return;
    if ((x->pi->flags & WST_EP_HAS_FIN) && seq_gt(seg->seq + seg->payload_len, wst_endpoint_fin_seq(x->pi)))
        after = WST_AFTER_FIN;
    else if ((x->s->pre_tcp_flags & WST_TH_RST) && x->pi->state == WST_ST_CLOSED)
        after = WST_AFTER_RST;
    else
        return;
    struct wst_anomaly a = {.kind = WST_AN_DATA_AFTER_CLOSE, .endpoint = (uint8_t)x->i, .since_us = x->s->ts_us,
                            .until_us = x->s->ts_us, .count = 1, .value = {seg->payload_len, 0},
                            .detail = {after, 0}};
    struct wst_anomaly *old = occurrence(take_notes(x), &a);
    if (old)
        old->value[0] += seg->payload_len;
}

/* A3: data sent in CLOSE_WAIT, staying there; lingering counts from the last. */
static void rule_close_wait_data(struct rule_ctx *x)
{
    if (x->seg->payload_len && x->pi->state == WST_ST_CLOSE_WAIT && x->c->ep[x->i].state == WST_ST_CLOSE_WAIT)
        take_notes(x)->close_wait_data_ms[x->i] = x->now_ms + 1;
}

/* A2: a FIN, or a SYN+ACK, sent again: the wait for its ACK began when
 * the sender entered the state it was in, if it began no earlier. */
static void rule_wait_start(struct rule_ctx *x)
{
    if (x->step->fin_rexmit) {
        struct wst_anomaly_notes *n = take_notes(x);
        if (!n->first_fin_ms[x->i])
            n->first_fin_ms[x->i] = x->pi->since_ms + 1;
    }
    if (x->step->syn_rexmit && (x->seg->flags & WST_TH_ACK)) {
        struct wst_anomaly_notes *n = take_notes(x);
        if (!n->first_synack_ms[x->i])
            n->first_synack_ms[x->i] = x->pi->since_ms + 1;
    }
}

/* A6: any segment answers the receiver's probes (judged then); a probe
 * counts while its receiver does not advertise a zero window. */
static void rule_probes(struct rule_ctx *x)
{
    struct wst_anomaly a;
    if (x->n && x->n->probes[x->j]) {
        const struct judge_ctx jx = judge_now(x);
        if (probes_held(&jx, x->j, &a))
            wst_anomaly_raise(x->n, &a);
        x->n->probes[x->j] = 0;
    }
    if (x->is_probe && !(x->n && x->n->zero_window_ms[x->j])) {
        struct wst_anomaly_notes *n = take_notes(x);
        if (n->probes[x->i]++ == 0)
            n->first_probe_ms[x->i] = x->now_ms + 1;
    }
}

/* A7: an ACK past the data sent again ends the receiver's stall (judged
 * then); data sent again from the same sequence number counts, with its
 * gap, and a new sequence number starts over. */
static void rule_stall(struct rule_ctx *x)
{
    const struct wst_segment *seg = x->seg;
    struct wst_anomaly_notes *n = x->n;
    struct wst_anomaly a;
    int i = x->i, j = x->j;
    if (n && n->rexmits[j] && (seg->flags & WST_TH_ACK) && seq_gt(seg->ack, n->rexmit_seq[j])) {
        const struct judge_ctx jx = judge_now(x);
        if (stall_held(&jx, j, &a))
            wst_anomaly_raise(n, &a);
        n->rexmits[j] = 0;
    }
    if (x->is_probe || !is_rexmit(seg, x->pi))
        return;
    n = take_notes(x);
    if (n->rexmits[i] && n->rexmit_seq[i] == seg->seq) {
        uint32_t gap = x->now_ms - n->last_rexmit_ms[i];
        if (n->rexmits[i] >= 2 && gap + gap / 8 < n->rexmit_gap_ms[i])
            n->rexmit_gap_shrank[i] = true;
        n->rexmit_gap_ms[i] = gap;
        if (gap > n->rexmit_max_gap_ms[i])
            n->rexmit_max_gap_ms[i] = gap;
        n->rexmits[i]++;
    } else {
        n->rexmit_seq[i] = seg->seq;
        n->rexmits[i] = 1;
        n->first_rexmit_ms[i] = x->now_ms;
        n->rexmit_gap_ms[i] = n->rexmit_max_gap_ms[i] = 0;
        n->rexmit_gap_shrank[i] = false;
    }
    n->last_rexmit_ms[i] = x->now_ms;
}

/* A8: the sender's zero window starts, counts, or ends (judged then);
 * SYNs and RSTs say nothing about it. */
static void rule_zero_window(struct rule_ctx *x)
{
    int i = x->i;
    struct wst_anomaly a;
    if (x->seg->flags & (WST_TH_SYN | WST_TH_RST))
        return;
    if (x->seg->window == 0) {
        struct wst_anomaly_notes *n = take_notes(x);
        if (!n->zero_window_ms[i])
            n->zero_window_ms[i] = x->now_ms + 1;
        n->zero_window_segs[i]++;
    } else if (x->n && x->n->zero_window_ms[i]) {
        const struct judge_ctx jx = judge_now(x);
        if (zero_window_held(&jx, i, &a))
            wst_anomaly_raise(x->n, &a);
        x->n->zero_window_ms[i] = x->n->zero_window_segs[i] = 0;
    }
}

/* A11: the connection ends with this segment (an acceptable RST leaves
 * both endpoints CLOSED or LISTEN, so is_done() covers it). */
static void rule_connection_end(struct rule_ctx *x)
{
    if (x->n && is_done(x->c))
        end_running(x->n, x->cfg, x->c, x->s->ts_us);
}

/* A1: each endpoint whose state the segment changed left the old one. */
static void rule_states_left(struct rule_ctx *x)
{
    for (int k = 0; k < 2; k++) {
        const struct wst_endpoint *pre = &x->s->pre[k];
        if (pre->state != x->c->ep[k].state)
            wst_anomaly_left_state(x->nt, x->cfg, x->c, k, pre->state, pre->since_ms, x->now_ms);
    }
}

/*
 * The event rules, in the order they run. What one segment shows alone
 * comes first (A9, A4, A5, A12). Then the starts that A1 reads (A3, A2).
 * Then the conditions that run (A6, A7, A8), which this segment may end
 * or extend; a probe is not a retransmission (A7 reads is_probe). Then
 * A11, which ends what still runs if the connection ended with this
 * segment, counting this segment's own probe, retransmission or window.
 * A1 comes last: it judges the states left with all that the notes now
 * hold, and a timer-free end (A11) has already been judged at the
 * segment's exact time.
 *
 * The list expands into direct calls: the compiler inlines the small
 * ones, and this runs for every segment that changes a state.
 */
#define WST_EVENT_RULES(X)                                                    \
    X(rule_invalid_flags)    /* A9 */                                         \
    X(rule_late_answer)      /* A4 */                                         \
    X(rule_accepted_rst)     /* A5 */                                         \
    X(rule_data_after_close) /* A12 */                                        \
    X(rule_close_wait_data)  /* A3 */                                         \
    X(rule_wait_start)       /* A2 */                                         \
    X(rule_probes)           /* A6 */                                         \
    X(rule_stall)            /* A7 */                                         \
    X(rule_zero_window)      /* A8 */                                         \
    X(rule_connection_end)   /* A11 */                                        \
    X(rule_states_left)      /* A1 */

void wst_anomaly_observe(struct wst_notes_table *nt, const struct wst_anomaly_config *cfg, struct wst_conn *c,
                         const struct wst_anomaly_segment *s)
{
    int i = s->from;
    struct rule_ctx x = {.nt = nt, .cfg = cfg, .c = c, .s = s, .seg = s->seg, .step = s->step,
                         .i = i, .j = !i, .pi = &s->pre[i], .pj = &s->pre[!i],
                         .now_ms = wst_conn_ms(c, s->ts_us), .is_probe = is_probe(s->seg, &s->pre[i]),
                         .n = wst_notes_find(nt, c)};
#define WST_RUN_RULE(fn) fn(&x);
    WST_EVENT_RULES(WST_RUN_RULE)
#undef WST_RUN_RULE
}

void wst_anomaly_icmp(struct wst_notes_table *nt, struct wst_conn *c, int from, const struct wst_icmp_error *e,
                      wst_ts_us ts_us, uint32_t pre_since_ms)
{
    struct wst_anomaly a = {.kind = WST_AN_UNREACHABLE, .endpoint = (uint8_t)!from,
                            .since_us = wst_conn_at_us(c, pre_since_ms), .until_us = ts_us, .count = 1,
                            .detail = {e->type, e->code}, .addr = e->reporter};
    struct wst_anomaly *old = occurrence(wst_notes_get(nt, c), &a);
    if (old) { /* the last error is the one shown */
        memcpy(old->detail, a.detail, sizeof a.detail);
        old->addr = a.addr;
    }
}

void wst_anomaly_reused(struct wst_notes_table *nt, struct wst_conn *c, const struct wst_conn *old, int from,
                        wst_ts_us ts_us, uint64_t time_wait_us)
{
    for (int k = 0; k < 2; k++) {
        const struct wst_endpoint *ep = &old->ep[k];
        if (ep->state != WST_ST_TIME_WAIT)
            continue;
        wst_ts_us ends = wst_conn_at_us(old, ep->since_ms) + time_wait_us;
        if (ends <= ts_us)
            continue; /* over, though the timer wheel, a slot late at most, had not said so yet */
        /* Endpoint indexes are the same in both records: the key is. */
        struct wst_anomaly a = {.kind = WST_AN_PORT_REUSE, .endpoint = (uint8_t)from, .since_us = ts_us,
                                .until_us = ts_us, .count = 1, .detail = {(uint8_t)k, 0}};
        uint64_t left_ms = ends > ts_us ? (ends - ts_us) / 1000 : 0;
        a.value[0] = left_ms > UINT32_MAX ? UINT32_MAX : (uint32_t)left_ms;
        wst_anomaly_raise(wst_notes_get(nt, c), &a);
        return;
    }
}

/* ---- the record's end ---- */

/* A10. */
static bool one_sided(const struct wst_conn *c)
{
    for (int i = 0; i < 2; i++) {
        if (wst_conn_packets(c, i) == 0 && wst_conn_packets(c, !i) && (c->tcp_flags[!i] & WST_TH_ACK))
            return true;
    }
    return false;
}

/* qsort order of a record's anomalies: by start, then kind, then endpoint. */
static int by_time(const void *pa, const void *pb)
{
    const struct wst_anomaly *a = pa, *b = pb;
    if (a->since_us != b->since_us)
        return a->since_us < b->since_us ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return (int)a->endpoint - (int)b->endpoint;
}

/* Adds a to out[0..n), merged into the one of its kind and endpoint if
 * there is one; returns the new count. */
static size_t add(struct wst_anomaly *out, size_t n, const struct wst_anomaly *a)
{
    struct wst_anomaly *old = find(out, n, a->kind, a->endpoint);
    if (old) {
        merge(old, a);
        return n;
    }
    out[n] = *a;
    return n + 1;
}

/* A4, at the record's end: k's SYN still waits, and its peer never said a
 * word, for the threshold or more (an ICMP error answered it: unreachable). */
static bool syn_still_unanswered(const struct judge_ctx *x, int k, struct wst_anomaly *a)
{
    const struct wst_endpoint *ep = &x->c->ep[k];
    uint32_t end_ms = wst_conn_ms(x->c, x->until_us);
    if (ep->state != WST_ST_SYN_SENT || !(ep->flags & WST_EP_ACTIVE) || (x->c->ep[!k].flags & WST_EP_SENT) ||
        end_ms < ep->since_ms || end_ms - ep->since_ms < threshold_ms(x->cfg, WST_AN_SYN_UNANSWERED) ||
        (x->n && find(x->n->list, x->n->n, WST_AN_UNREACHABLE, (uint8_t)!k)))
        return false;
    *a = (struct wst_anomaly){.kind = WST_AN_SYN_UNANSWERED, .endpoint = (uint8_t)k,
                              .since_us = wst_conn_at_us(x->c, ep->since_ms), .until_us = x->until_us,
                              .count = 1u + ep->syns_again};
    return true;
}

/* A1, at the record's end: k is still in a state it has held too long. */
static bool state_still_held(const struct judge_ctx *x, int k, struct wst_anomaly *a)
{
    const struct wst_endpoint *ep = &x->c->ep[k];
    if (!judge_held(x->c, x->n, x->cfg, k, ep->state, ep->since_ms, wst_conn_ms(x->c, x->until_us), a))
        return false;
    a->until_us = x->until_us; /* to the microsecond */
    return true;
}

/* What the states show at the record's end; then the running conditions
 * (running[]) still running (A11 cleared those the connection's end ended). */
static judge_fn *const at_end[] = {syn_still_unanswered, state_still_held};

size_t wst_anomaly_collect(const struct wst_conn *c, const struct wst_anomaly_notes *notes, wst_ts_us end_us,
                           const struct wst_anomaly_config *cfg, struct wst_anomaly out[WST_ANOMALY_MAX])
{
    size_t n = 0;
    if (notes && notes->n) {
        memcpy(out, notes->list, notes->n * sizeof *out);
        n = notes->n;
    }
    const struct judge_ctx x = {c, notes, cfg, end_us};
    struct wst_anomaly a;
    for (int k = 0; k < 2; k++) {
        for (size_t r = 0; r < sizeof at_end / sizeof *at_end; r++) {
            if (at_end[r](&x, k, &a)) {
                a.ongoing = true;
                n = add(out, n, &a);
            }
        }
        for (size_t r = 0; notes && r < N_RUNNING; r++) { /* each runs on notes */
            if (running[r](&x, k, &a)) {
                a.ongoing = true;
                n = add(out, n, &a);
            }
        }
    }
    if (one_sided(c)) {
        size_t kept = 0;
        for (size_t k = 0; k < n; k++) {
            if (wst_anomaly_info((enum wst_anomaly_kind)out[k].kind)->sides != WST_SIDES_BOTH)
                out[kept++] = out[k];
        }
        n = kept;
    }
    if (n > 1)
        qsort(out, n, sizeof *out, by_time);
    return n;
}

/* ---- when a condition will have lasted long enough ---- */

/* Keeps in *d the earliest of the times strictly after `after`. */
static void sooner(wst_ts_us *d, wst_ts_us e, wst_ts_us after)
{
    if (e > after && (*d == 0 || e < *d))
        *d = e;
}

/* Bit of kind and endpoint in an announced mask (wst_anomaly_next_due()). */
static uint32_t bit_of(enum wst_anomaly_kind kind, int k)
{
    return (uint32_t)1 << (2 * kind + k);
}

_Static_assert(2 * WST_AN__COUNT <= 32, "announced masks hold a bit per kind and endpoint");

wst_ts_us wst_anomaly_next_due(const struct wst_conn *c, const struct wst_anomaly_notes *notes,
                               const struct wst_anomaly_config *cfg, uint32_t announced, wst_ts_us after_us)
{
    wst_ts_us d = 0;
    /* What wst_anomaly_collect() would leave out is never due: a kind that
     * needs both sides on a one-sided capture, a SYN an ICMP error answered. */
    if (one_sided(c)) {
        for (int kind = 0; kind < WST_AN__COUNT; kind++) {
            if (wst_anomaly_info((enum wst_anomaly_kind)kind)->sides == WST_SIDES_BOTH)
                announced |= bit_of((enum wst_anomaly_kind)kind, 0) | bit_of((enum wst_anomaly_kind)kind, 1);
        }
    }
    for (int k = 0; k < 2; k++) {
        const struct wst_endpoint *ep = &c->ep[k];
        /* A4: a SYN still waiting for any answer. */
        if (ep->state == WST_ST_SYN_SENT && (ep->flags & WST_EP_ACTIVE) && !(c->ep[!k].flags & WST_EP_SENT) &&
            !(announced & bit_of(WST_AN_SYN_UNANSWERED, k)) &&
            !(notes && find(notes->list, notes->n, WST_AN_UNREACHABLE, (uint8_t)!k)))
            sooner(&d, wst_conn_at_us(c, ep->since_ms) + (uint64_t)threshold_ms(cfg, WST_AN_SYN_UNANSWERED) * 1000,
                   after_us);
        /* A1: a state held too long, judged from the same start as judge_held(). */
        enum wst_anomaly_kind kind = held_kind(ep->state);
        if (kind != WST_AN__COUNT && !(ep->state == WST_ST_SYN_RCVD && !(ep->flags & WST_EP_SYNACK)) &&
            !(announced & bit_of(kind, k))) {
            uint32_t start = held_start_ms(notes, k, ep->state, ep->since_ms);
            sooner(&d, wst_conn_at_us(c, start) + (uint64_t)threshold_ms(cfg, kind) * 1000, after_us);
        }
        /* A8: a zero window still advertised. */
        if (notes && notes->zero_window_ms[k] && !(announced & bit_of(WST_AN_ZERO_WINDOW, k)))
            sooner(&d, wst_conn_at_us(c, notes->zero_window_ms[k] - 1) +
                           (uint64_t)threshold_ms(cfg, WST_AN_ZERO_WINDOW) * 1000,
                   after_us);
    }
    return d;
}
