/*
 * anomaly.c - judging what went wrong with a connection.
 *
 * Rules (the reasons are in docs/output.md, "Anomalies"):
 *  A1. A state that should be brief has a kind and a threshold (held[]):
 *      SYN_RCVD after the endpoint sent its SYN+ACK (--syn-timeout),
 *      CLOSE_WAIT, FIN_WAIT_1, CLOSING and LAST_ACK (--linger). An endpoint
 *      that leaves such a state after the threshold raises the kind then
 *      (with its end); one still in it when the record ends raises it as
 *      ongoing. Either way the same rule judges.
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
 *      kinds that rest on it (an unacknowledged FIN, a lingering CLOSE_WAIT
 *      whose FIN would be on the other side, unanswered keepalives, a
 *      handshake never completed) are not raised.
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
 */
#include "wirestate/anomaly.h"

#include <Judy.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seq.h"
#include "text.h"
#include "wirestate/flow.h"

static const char *const kind_names[WST_AN__COUNT] = {
#define WST_ANOMALY_NAME(e, name) [WST_AN_##e] = name,
    WST_ANOMALY_MAP(WST_ANOMALY_NAME)
#undef WST_ANOMALY_NAME
};

const char *wst_anomaly_name(enum wst_anomaly_kind kind)
{
    return (unsigned)kind < WST_AN__COUNT ? kind_names[kind] : "unknown";
}

/* ---- notes ---- */

struct wst_anomaly_notes *wst_notes_get(struct wst_notes_table *t, struct wst_conn *c)
{
    PWord_t pv = (PWord_t)JudyLIns((PPvoid_t)&t->judy, (Word_t)c, PJE0);
    if (pv == PJERR)
        wst_out_of_memory("JudyLIns");
    if (*pv == 0) {
        *pv = (Word_t)wst_xcalloc(1, sizeof(struct wst_anomaly_notes));
        t->count++;
        c->flags |= WST_CONN_NOTES;
    }
    return (struct wst_anomaly_notes *)*pv;
}

struct wst_anomaly_notes *wst_notes_find(const struct wst_notes_table *t, const struct wst_conn *c)
{
    if (!(c->flags & WST_CONN_NOTES))
        return NULL;
    PWord_t pv = (PWord_t)JudyLGet((Pcvoid_t)t->judy, (Word_t)c, PJE0);
    return pv ? (struct wst_anomaly_notes *)*pv : NULL;
}

static void notes_free(struct wst_anomaly_notes *n)
{
    if (n) {
        free(n->list);
        free(n);
    }
}

void wst_notes_drop(struct wst_notes_table *t, struct wst_conn *c)
{
    if (!(c->flags & WST_CONN_NOTES))
        return;
    notes_free(wst_notes_find(t, c));
    if (JudyLDel((PPvoid_t)&t->judy, (Word_t)c, PJE0) == JERR)
        wst_out_of_memory("JudyLDel");
    t->count--;
    c->flags &= (uint8_t)~WST_CONN_NOTES;
}

void wst_notes_table_fini(struct wst_notes_table *t)
{
    Word_t i = 0;
    for (PWord_t pv = (PWord_t)JudyLFirst(t->judy, &i, PJE0); pv; pv = (PWord_t)JudyLNext(t->judy, &i, PJE0))
        notes_free((struct wst_anomaly_notes *)*pv);
    JudyLFreeArray((PPvoid_t)&t->judy, PJE0);
    t->count = 0;
}

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

enum threshold { TH_NONE, TH_SYN, TH_LINGER };

static const struct held {
    uint8_t kind;
    uint8_t threshold;
} held[WST_ST__COUNT] = {
    [WST_ST_SYN_RCVD] = {WST_AN_HANDSHAKE_INCOMPLETE, TH_SYN},
    [WST_ST_CLOSE_WAIT] = {WST_AN_CLOSE_WAIT_LINGERING, TH_LINGER},
    [WST_ST_FIN_WAIT_1] = {WST_AN_FIN_WAIT_1_STUCK, TH_LINGER},
    [WST_ST_CLOSING] = {WST_AN_FIN_WAIT_1_STUCK, TH_LINGER},
    [WST_ST_LAST_ACK] = {WST_AN_LAST_ACK_STUCK, TH_LINGER},
};

static uint32_t threshold_ms(const struct wst_anomaly_config *cfg, uint8_t th)
{
    return th == TH_SYN ? cfg->syn_timeout_ms : cfg->linger_ms;
}

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
    const struct held *h = &held[st < WST_ST__COUNT ? st : 0];
    if (h->threshold == TH_NONE)
        return false;
    const struct wst_endpoint *ep = &c->ep[i];
    if (st == WST_ST_SYN_RCVD && !(ep->flags & WST_EP_SYNACK))
        return false; /* never answered: the SYN's sender has syn_unanswered */
    /* A CLOSE_WAIT counts whether or not its ACK of the FIN went by: the
     * record shows the state, so it shows the anomaly too (a one-sided
     * capture, whose silence proves nothing, is A10's). */
    uint32_t start = held_start_ms(notes, i, st, since_ms);
    if (end_ms < start || end_ms - start < threshold_ms(cfg, h->threshold))
        return false;
    memset(a, 0, sizeof *a);
    a->kind = h->kind;
    a->endpoint = (uint8_t)i;
    a->since_us = wst_conn_at_us(c, start);
    a->until_us = wst_conn_at_us(c, end_ms);
    switch (h->kind) {
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
 * The running conditions of endpoint k (A6, A7, A8) as anomalies that end
 * at until_us: each fills *a and returns true if it qualifies. The caller
 * says whether it is ongoing. wst_anomaly_observe() and
 * wst_anomaly_collect() judge with these alike.
 */
static bool probes_held(const struct wst_conn *c, const struct wst_anomaly_notes *n, int k, wst_ts_us until_us,
                        struct wst_anomaly *a)
{
    if (n->probes[k] < 2)
        return false; /* one may merely be in flight (A6) */
    *a = (struct wst_anomaly){.kind = WST_AN_KEEPALIVE_UNANSWERED, .endpoint = (uint8_t)k,
                              .since_us = wst_conn_at_us(c, n->first_probe_ms[k] - 1), .until_us = until_us,
                              .count = n->probes[k]};
    return true;
}

static bool stall_held(const struct wst_conn *c, const struct wst_anomaly_notes *n, int k, wst_ts_us until_us,
                       struct wst_anomaly *a)
{
    if (n->rexmits[k] < 3 || n->rexmit_gap_shrank[k])
        return false;
    *a = (struct wst_anomaly){.kind = WST_AN_RETRANSMISSION_STALL, .endpoint = (uint8_t)k,
                              .since_us = wst_conn_at_us(c, n->first_rexmit_ms[k]), .until_us = until_us,
                              .count = n->rexmits[k], .value = {n->rexmit_max_gap_ms[k], 0}};
    return true;
}

static bool zero_window_held(const struct wst_conn *c, const struct wst_anomaly_notes *n,
                             const struct wst_anomaly_config *cfg, int k, wst_ts_us until_us, struct wst_anomaly *a)
{
    uint32_t zw = n->zero_window_ms[k], until_ms = wst_conn_ms(c, until_us);
    if (!zw || until_ms < zw - 1 || until_ms - (zw - 1) < cfg->linger_ms)
        return false;
    *a = (struct wst_anomaly){.kind = WST_AN_ZERO_WINDOW, .endpoint = (uint8_t)k,
                              .since_us = wst_conn_at_us(c, zw - 1), .until_us = until_us,
                              .count = n->zero_window_segs[k]};
    return true;
}

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
    struct wst_anomaly a;
    for (int k = 0; k < 2; k++) {
        if (probes_held(c, n, k, until_us, &a))
            wst_anomaly_raise(n, &a);
        if (stall_held(c, n, k, until_us, &a))
            wst_anomaly_raise(n, &a);
        if (zero_window_held(c, n, cfg, k, until_us, &a))
            wst_anomaly_raise(n, &a);
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

/* ---- event detectors ---- */

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

void wst_anomaly_observe(struct wst_notes_table *nt, const struct wst_anomaly_config *cfg, struct wst_conn *c,
                         const struct wst_anomaly_segment *s)
{
    const struct wst_segment *seg = s->seg;
    const struct wst_fsm_step *step = s->step;
    int i = s->from, j = !s->from;
    const struct wst_endpoint *pi = &s->pre[i], *pj = &s->pre[j];
    uint8_t f = seg->flags;
    uint32_t now_ms = wst_conn_ms(c, s->ts_us);
    struct wst_anomaly a;

    if (invalid_flags(f)) {
        a = (struct wst_anomaly){.kind = WST_AN_INVALID_FLAGS, .endpoint = (uint8_t)i, .since_us = s->ts_us,
                                 .until_us = s->ts_us, .count = 1, .detail = {f, 0}};
        occurrence(wst_notes_get(nt, c), &a);
    }

    /* A4: the first segment back to a SYN that waited. */
    if (!(pi->flags & WST_EP_SENT) && pj->state == WST_ST_SYN_SENT && (pj->flags & WST_EP_ACTIVE) &&
        now_ms >= pj->since_ms && now_ms - pj->since_ms >= cfg->syn_timeout_ms) {
        a = (struct wst_anomaly){.kind = WST_AN_SYN_UNANSWERED, .endpoint = (uint8_t)j,
                                 .since_us = wst_conn_at_us(c, pj->since_ms), .until_us = s->ts_us,
                                 .count = 1u + pj->syns_again, .detail = {WST_ANSWER_SEGMENT, 0}};
        wst_anomaly_raise(wst_notes_get(nt, c), &a);
    }

    /* A5: an accepted RST. */
    if (step->n_snd && step->snd[0] == WST_EV_SND_RST) {
        if (step->rcv_from == WST_ST_SYN_SENT) {
            a = (struct wst_anomaly){.kind = WST_AN_REFUSED, .endpoint = (uint8_t)i,
                                     .since_us = wst_conn_at_us(c, pj->since_ms), .until_us = s->ts_us,
                                     .count = 1u + pj->syns_again};
            wst_anomaly_raise(wst_notes_get(nt, c), &a);
        } else if (is_synchronized(step->rcv_from)) {
            /* The connection it ended was synchronized at its receiver; a
             * RST to a SYN_RCVD server (a SYN scan's) ends only a handshake. */
            a = (struct wst_anomaly){.kind = WST_AN_RST_ABORT, .endpoint = (uint8_t)i, .since_us = s->ts_us,
                                     .until_us = s->ts_us, .count = 1,
                                     .detail = {step->snd_from, step->rcv_from},
                                     .value = {unacked(c, pi, j), unacked(c, pj, i)}};
            wst_anomaly_raise(wst_notes_get(nt, c), &a);
        }
    }

    if (seg->payload_len) {
        uint8_t after = 0;
        if ((pi->flags & WST_EP_HAS_FIN) && seq_gt(seg->seq + seg->payload_len, wst_endpoint_fin_seq(pi)))
            after = WST_AFTER_FIN;
        else if ((s->pre_tcp_flags & WST_TH_RST) && pi->state == WST_ST_CLOSED)
            after = WST_AFTER_RST;
        if (after) {
            a = (struct wst_anomaly){.kind = WST_AN_DATA_AFTER_CLOSE, .endpoint = (uint8_t)i, .since_us = s->ts_us,
                                     .until_us = s->ts_us, .count = 1, .value = {seg->payload_len, 0},
                                     .detail = {after, 0}};
            struct wst_anomaly *old = occurrence(wst_notes_get(nt, c), &a);
            if (old)
                old->value[0] += seg->payload_len;
        }
        if (pi->state == WST_ST_CLOSE_WAIT && c->ep[i].state == WST_ST_CLOSE_WAIT)
            wst_notes_get(nt, c)->close_wait_data_ms[i] = now_ms + 1; /* A3 */
    }

    /* A2: a FIN sent again; the wait began when its state was entered. */
    if (step->fin_rexmit) {
        struct wst_anomaly_notes *n = wst_notes_get(nt, c);
        if (!n->first_fin_ms[i])
            n->first_fin_ms[i] = pi->since_ms + 1;
    }

    struct wst_anomaly_notes *n = wst_notes_find(nt, c);

    /* A6: any segment answers the peer's probes. */
    if (n && n->probes[j]) {
        if (probes_held(c, n, j, s->ts_us, &a))
            wst_anomaly_raise(n, &a);
        n->probes[j] = 0;
    }
    bool probe = is_probe(seg, pi);
    if (probe && !(n && n->zero_window_ms[j])) {
        n = wst_notes_get(nt, c);
        if (n->probes[i]++ == 0)
            n->first_probe_ms[i] = now_ms + 1;
    }

    /* A7: the peer acknowledges past the data being sent again. */
    if (n && n->rexmits[j] && (f & WST_TH_ACK) && seq_gt(seg->ack, n->rexmit_seq[j])) {
        if (stall_held(c, n, j, s->ts_us, &a))
            wst_anomaly_raise(n, &a);
        n->rexmits[j] = 0;
    }
    if (!probe && is_rexmit(seg, pi)) {
        n = wst_notes_get(nt, c);
        if (n->rexmits[i] && n->rexmit_seq[i] == seg->seq) {
            uint32_t gap = now_ms - n->last_rexmit_ms[i];
            if (n->rexmits[i] >= 2 && gap + gap / 8 < n->rexmit_gap_ms[i])
                n->rexmit_gap_shrank[i] = true;
            n->rexmit_gap_ms[i] = gap;
            if (gap > n->rexmit_max_gap_ms[i])
                n->rexmit_max_gap_ms[i] = gap;
            n->rexmits[i]++;
        } else {
            n->rexmit_seq[i] = seg->seq;
            n->rexmits[i] = 1;
            n->first_rexmit_ms[i] = now_ms;
            n->rexmit_gap_ms[i] = n->rexmit_max_gap_ms[i] = 0;
            n->rexmit_gap_shrank[i] = false;
        }
        n->last_rexmit_ms[i] = now_ms;
    }

    /* A8. */
    if (!(f & (WST_TH_SYN | WST_TH_RST))) {
        if (seg->window == 0) {
            n = wst_notes_get(nt, c);
            if (!n->zero_window_ms[i])
                n->zero_window_ms[i] = now_ms + 1;
            n->zero_window_segs[i]++;
        } else if (n && n->zero_window_ms[i]) {
            if (zero_window_held(c, n, cfg, i, s->ts_us, &a))
                wst_anomaly_raise(n, &a);
            n->zero_window_ms[i] = n->zero_window_segs[i] = 0;
        }
    }

    /* A11: the connection ends with this segment (an acceptable RST leaves
     * both endpoints CLOSED or LISTEN, so is_done() covers it). */
    if (n && is_done(c))
        end_running(n, cfg, c, s->ts_us);

    /* A2: a SYN+ACK sent again; the wait began with the handshake. */
    if (step->syn_rexmit && (f & WST_TH_ACK)) {
        n = wst_notes_get(nt, c);
        if (!n->first_synack_ms[i])
            n->first_synack_ms[i] = pi->since_ms + 1;
    }

    /* A1: states left. */
    for (int k = 0; k < 2; k++) {
        if (s->pre[k].state != c->ep[k].state)
            wst_anomaly_left_state(nt, cfg, c, k, s->pre[k].state, s->pre[k].since_ms, now_ms);
    }
}

/* RFC 792, RFC 1122 §3.2.2.1, RFC 1812 §5.2.7.1 (ICMP type 3); RFC 4443 §3.1 (ICMPv6 type 1). */
static const struct unreach {
    const char *name;
    uint8_t cause;
} unreach4[16] = {
    [0] = {"net unreachable", WST_UNREACH_ROUTE},
    [1] = {"host unreachable", WST_UNREACH_HOST},
    [2] = {"protocol unreachable", WST_UNREACH_PORT},
    [3] = {"port unreachable", WST_UNREACH_PORT},
    [4] = {"fragmentation needed", WST_UNREACH_OTHER},
    [5] = {"source route failed", WST_UNREACH_ROUTE},
    [6] = {"destination network unknown", WST_UNREACH_ROUTE},
    [7] = {"destination host unknown", WST_UNREACH_HOST},
    [8] = {"source host isolated", WST_UNREACH_OTHER},
    [9] = {"network administratively prohibited", WST_UNREACH_FIREWALL},
    [10] = {"host administratively prohibited", WST_UNREACH_FIREWALL},
    [11] = {"network unreachable for type of service", WST_UNREACH_ROUTE},
    [12] = {"host unreachable for type of service", WST_UNREACH_HOST},
    [13] = {"communication administratively prohibited", WST_UNREACH_FIREWALL},
    [14] = {"host precedence violation", WST_UNREACH_FIREWALL},
    [15] = {"precedence cutoff in effect", WST_UNREACH_FIREWALL},
}, unreach6[8] = {
    [0] = {"no route to destination", WST_UNREACH_ROUTE},
    [1] = {"communication administratively prohibited", WST_UNREACH_FIREWALL},
    [2] = {"beyond scope of source address", WST_UNREACH_ROUTE},
    [3] = {"address unreachable", WST_UNREACH_HOST},
    [4] = {"port unreachable", WST_UNREACH_PORT},
    [5] = {"source address failed ingress/egress policy", WST_UNREACH_FIREWALL},
    [6] = {"reject route to destination", WST_UNREACH_FIREWALL},
    [7] = {"error in source routing header", WST_UNREACH_ROUTE},
};

const char *wst_unreach_name(uint8_t family, uint8_t code, enum wst_unreach_cause *cause)
{
    const struct unreach *u = NULL;
    if (family == WST_AF_INET && code < 16)
        u = &unreach4[code];
    else if (family == WST_AF_INET6 && code < 8)
        u = &unreach6[code];
    if (cause)
        *cause = u ? (enum wst_unreach_cause)u->cause : WST_UNREACH_OTHER;
    return u ? u->name : "unknown code";
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
        if (c->packets[i] == 0 && c->packets[!i] && (c->tcp_flags[!i] & WST_TH_ACK))
            return true;
    }
    return false;
}

static bool needs_both_sides(uint8_t kind)
{
    return kind == WST_AN_CLOSE_WAIT_LINGERING || kind == WST_AN_FIN_WAIT_1_STUCK || kind == WST_AN_LAST_ACK_STUCK ||
           kind == WST_AN_KEEPALIVE_UNANSWERED || kind == WST_AN_HANDSHAKE_INCOMPLETE;
}

static int by_time(const void *pa, const void *pb)
{
    const struct wst_anomaly *a = pa, *b = pb;
    if (a->since_us != b->since_us)
        return a->since_us < b->since_us ? -1 : 1;
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return (int)a->endpoint - (int)b->endpoint;
}

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

size_t wst_anomaly_collect(const struct wst_conn *c, const struct wst_anomaly_notes *notes, wst_ts_us end_us,
                           const struct wst_anomaly_config *cfg, struct wst_anomaly out[WST_ANOMALY_MAX])
{
    size_t n = 0;
    if (notes && notes->n) {
        memcpy(out, notes->list, notes->n * sizeof *out);
        n = notes->n;
    }
    uint32_t end_ms = wst_conn_ms(c, end_us);
    for (int i = 0; i < 2; i++) {
        const struct wst_endpoint *ep = &c->ep[i];
        struct wst_anomaly a;
        /* A4, ongoing: the peer never said a word. */
        if (ep->state == WST_ST_SYN_SENT && (ep->flags & WST_EP_ACTIVE) && !(c->ep[!i].flags & WST_EP_SENT) &&
            end_ms >= ep->since_ms && end_ms - ep->since_ms >= cfg->syn_timeout_ms &&
            !(notes && find(notes->list, notes->n, WST_AN_UNREACHABLE, (uint8_t)!i))) {
            a = (struct wst_anomaly){.kind = WST_AN_SYN_UNANSWERED, .endpoint = (uint8_t)i,
                                     .since_us = wst_conn_at_us(c, ep->since_ms), .until_us = end_us,
                                     .count = 1u + ep->syns_again, .ongoing = true};
            n = add(out, n, &a);
        }
        if (judge_held(c, notes, cfg, i, ep->state, ep->since_ms, end_ms, &a)) {
            a.ongoing = true;
            a.until_us = end_us;
            n = add(out, n, &a);
        }
        if (!notes)
            continue;
        /* Still running (the connection's end, A11, cleared what it ended). */
        if (probes_held(c, notes, i, end_us, &a)) {
            a.ongoing = true;
            n = add(out, n, &a);
        }
        if (stall_held(c, notes, i, end_us, &a)) {
            a.ongoing = true;
            n = add(out, n, &a);
        }
        if (zero_window_held(c, notes, cfg, i, end_us, &a)) {
            a.ongoing = true;
            n = add(out, n, &a);
        }
    }
    if (one_sided(c)) {
        size_t kept = 0;
        for (size_t k = 0; k < n; k++) {
            if (!needs_both_sides(out[k].kind))
                out[kept++] = out[k];
        }
        n = kept;
    }
    qsort(out, n, sizeof *out, by_time);
    return n;
}

/* ---- diagnoses ---- */

/* "client 10.0.0.1:5000" or "server [2001:db8::1]:80". */
static void who(struct wst_text *t, const struct wst_conn *c, int i)
{
    struct wst_addr addr;
    char s[WST_ENDPOINT_STRLEN];
    wst_conn_addr(c, i, &addr);
    wst_endpoint_format(s, c->family, &addr, c->port[i]);
    wst_text_put(t, "%s %s", i == c->client ? "client" : "server", s);
}

/* An address without its port, for "the route to ...". */
static void host(struct wst_text *t, const struct wst_conn *c, int i)
{
    char s[WST_ENDPOINT_STRLEN];
    wst_addr_format(s, c->family, c->addr + i * wst_conn_addr_len(c));
    wst_text_put(t, "%s", s);
}

size_t wst_anomaly_diagnosis(char *buf, size_t size, const struct wst_conn *c, const struct wst_anomaly *a)
{
    if (size == 0)
        return 0;
    struct wst_text t = wst_text_start(buf, size);
    int e = a->endpoint, p = !a->endpoint;
    wst_ts_us dur = a->until_us > a->since_us ? a->until_us - a->since_us : 0;
    switch ((enum wst_anomaly_kind)a->kind) {
    case WST_AN_SYN_UNANSWERED:
        if (a->detail[0] == WST_ANSWER_NONE) {
            who(&t, c, e);
            wst_text_put(&t, " sent %u %s and got no SYN+ACK, RST or ICMP error in ", a->count,
                         wst_plural(a->count, "SYN", "SYNs"));
            wst_text_secs(&t, dur);
            wst_text_put(&t, ": the SYN is dropped on the way (firewall, security "
                         "group), the route to ");
            host(&t, c, p);
            wst_text_put(&t, " is wrong, or the host is down; check filtering and routing toward ");
            who(&t, c, p);
        } else {
            wst_text_put(&t, "the SYN of ");
            who(&t, c, e);
            wst_text_put(&t, " was answered only after ");
            wst_text_secs(&t, dur);
            wst_text_put(&t, " (%u %s sent): early SYNs or their answers were lost, or ", a->count,
                         wst_plural(a->count, "SYN", "SYNs"));
            who(&t, c, p);
            wst_text_put(&t, " was slow to answer; check packet loss on the path and its SYN backlog");
        }
        break;
    case WST_AN_REFUSED:
        who(&t, c, e);
        wst_text_put(&t, " answered the SYN with a RST: nothing listens on port %u there, or a firewall rejects the "
                     "connection; check the service and the firewall's reject rules",
                     (unsigned)c->port[e]);
        break;
    case WST_AN_UNREACHABLE: {
        enum wst_unreach_cause cause;
        char from[WST_ENDPOINT_STRLEN];
        wst_addr_format(from, c->family, a->addr.b);
        wst_text_put(&t, "%s answered the SYN to ", from);
        who(&t, c, e);
        wst_text_put(&t, " with destination unreachable (%s)", wst_unreach_name(c->family, a->detail[1], &cause));
        switch (cause) {
        case WST_UNREACH_FIREWALL:
            wst_text_put(&t, ": a firewall rejects the connection; check the filtering rules at %s and on the path",
                         from);
            break;
        case WST_UNREACH_ROUTE:
            wst_text_put(&t, ": no route leads there; check the routing tables at %s and the address itself", from);
            break;
        case WST_UNREACH_HOST:
            wst_text_put(&t, ": the host does not answer on its network (down, or a wrong address); check that ");
            host(&t, c, e);
            wst_text_put(&t, " is up and reachable from %s", from);
            break;
        case WST_UNREACH_PORT:
            wst_text_put(&t, ": the host refuses the transport or port; check the service at ");
            who(&t, c, e);
            break;
        default:
            wst_text_put(&t, "; check the path toward ");
            host(&t, c, e);
            break;
        }
        break;
    }
    case WST_AN_HANDSHAKE_INCOMPLETE:
        who(&t, c, e);
        wst_text_put(&t, " sent %u %s and stayed in SYN_RCVD for ", a->count,
                     wst_plural(a->count, "SYN+ACK", "SYN+ACKs"));
        wst_text_secs(&t, dur);
        if (a->detail[0] == WST_ST_ESTABLISHED) {
            wst_text_put(&t, " though the client acknowledged it: the client's final ACK is lost on its way to the "
                         "server; check the path from ");
            host(&t, c, p);
            wst_text_put(&t, " and any firewall or NAT in between");
        } else if (a->detail[0] == WST_ST_SYN_SENT && a->detail[1] > 0) {
            wst_text_put(&t, " while the client kept sending SYNs: the SYN+ACK is lost on its way back to ");
            host(&t, c, p);
            wst_text_put(&t, "; check the return path (routing, NAT, a one-way firewall rule)");
        } else {
            wst_text_put(&t, " and the client never answered: a spoofed source (SYN flood or scan), or the SYN+ACK is "
                         "lost on its way back; check for many half-open connections and the return path");
        }
        break;
    case WST_AN_PORT_REUSE:
        wst_text_put(&t, "a new SYN from ");
        who(&t, c, e);
        wst_text_put(&t, " reused this 4-tuple while the %s was still in TIME_WAIT (",
                     a->detail[0] == c->client ? "client" : "server");
        wst_text_secs(&t, (wst_ts_us)a->value[0] * 1000);
        wst_text_put(&t,
                     " left): the client cycles through source ports fast or uses a fixed one; check ephemeral port "
                     "use and connection reuse on ");
        host(&t, c, c->client);
        break;
    case WST_AN_INVALID_FLAGS: {
        who(&t, c, e);
        wst_text_put(&t, " sent %u %s with flags no TCP sends (first:", a->count,
                     wst_plural(a->count, "segment", "segments"));
        uint8_t f = a->detail[0];
        if (f == 0)
            wst_text_put(&t, " none");
#define WST_DIAG_FLAG(bit, name) \
    if (f & (bit))               \
        wst_text_put(&t, " %s", name);
        WST_TCP_FLAG_MAP(WST_DIAG_FLAG)
#undef WST_DIAG_FLAG
        wst_text_put(&t, "): a port scan (null, FIN, Xmas) or a broken stack or middlebox; check what runs at ");
        host(&t, c, e);
        break;
    }
    case WST_AN_ZERO_WINDOW:
        who(&t, c, e);
        wst_text_put(&t, " advertised a zero window for ");
        wst_text_secs(&t, dur);
        wst_text_put(&t, " (%u %s): its application is not reading what it receives, so its peer cannot send; check "
                     "that application (a blocked thread, a slow consumer)",
                     a->count, wst_plural(a->count, "segment", "segments"));
        break;
    case WST_AN_RETRANSMISSION_STALL:
        who(&t, c, e);
        wst_text_put(&t, " sent the same data again %u times (gaps up to ", a->count);
        wst_text_secs(&t, (wst_ts_us)a->value[0] * 1000);
        wst_text_put(&t, ") and got no acknowledgement for ");
        wst_text_secs(&t, dur);
        wst_text_put(&t, ": the path drops its segments or ");
        who(&t, c, p);
        wst_text_put(&t,
                     " is gone; check loss and the MTU on the path (a black hole drops large segments only) and that "
                     "host");
        break;
    case WST_AN_KEEPALIVE_UNANSWERED:
        who(&t, c, e);
        wst_text_put(&t, " sent %u keepalive %s over ", a->count, wst_plural(a->count, "probe", "probes"));
        wst_text_secs(&t, dur);
        wst_text_put(&t, " and got no reply: ");
        who(&t, c, p);
        wst_text_put(&t,
                     " is powered off or gone, or a NAT or firewall on the path dropped the connection's state; check "
                     "that host and the idle timeouts of the middleboxes in between");
        break;
    case WST_AN_CLOSE_WAIT_LINGERING:
        who(&t, c, e);
        wst_text_put(&t, " received and acknowledged the FIN of the %s but did not close its side for ",
                     p == c->client ? "client" : "server");
        wst_text_secs(&t, dur);
        wst_text_put(&t, ": the application at ");
        who(&t, c, e);
        wst_text_put(&t,
                     " is not closing its socket (a close() missed on an error path, a connection pool that keeps dead "
                     "connections); check that application");
        break;
    case WST_AN_FIN_WAIT_1_STUCK:
    case WST_AN_LAST_ACK_STUCK:
        who(&t, c, e);
        wst_text_put(&t, " %s and its FIN (sent %u %s) went unacknowledged for ",
                     a->kind == WST_AN_LAST_ACK_STUCK ? "closed after its peer" : "closed first", a->count,
                     wst_plural(a->count, "time", "times"));
        wst_text_secs(&t, dur);
        wst_text_put(&t, ": ");
        who(&t, c, p);
        wst_text_put(&t, " is gone, the path loses packets, or a firewall or NAT dropped the connection's state; check "
                     "that host and the path to it");
        break;
    case WST_AN_DATA_AFTER_CLOSE:
        who(&t, c, e);
        wst_text_put(&t, " sent %u %s (%u bytes) of data after its own %s: a broken TCP stack or a middlebox "
                     "rewriting the connection; check the devices between the two hosts",
                     a->count, wst_plural(a->count, "segment", "segments"), a->value[0],
                     a->detail[0] == WST_AFTER_RST ? "RST" : "FIN");
        break;
    case WST_AN_RST_ABORT:
        who(&t, c, e);
        wst_text_put(&t, " reset the connection in %s (%s %s)", wst_state_name((enum wst_tcp_state)a->detail[0]),
                     p == c->client ? "client" : "server", wst_state_name((enum wst_tcp_state)a->detail[1]));
        if (a->value[0] || a->value[1])
            wst_text_put(&t, " with %u bytes of its own and %u of the %s's unacknowledged: ", a->value[0], a->value[1],
                         p == c->client ? "client" : "server");
        else
            wst_text_put(&t, " with nothing unacknowledged: ");
        wst_text_put(&t, "its application aborted (a crash, SO_LINGER 0, a close with unread data) or a middlebox "
                     "injected the RST; check the logs at ");
        host(&t, c, e);
        wst_text_put(&t, " and any firewall that resets idle connections");
        break;
    case WST_AN__COUNT:
        break;
    }
    return t.len;
}
