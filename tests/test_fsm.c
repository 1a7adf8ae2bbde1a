/*
 * test_fsm.c - the state machine of both endpoints (src/fsm.c).
 *
 * First the transition table, cell by cell, against a grid written here by
 * hand (cell_want): each (event, state) cell a segment can isolate is
 * reached through wst_fsm_step() with a hand-made pair of endpoints and a
 * segment that the classifier turns into that event, and the state it ends
 * in must be the grid's; the rest are compared with the grid through
 * wst_fsm_table(). tests/fsm_mutation.sh shows that a change to any row of
 * fsm.c's table makes these fail. Then packet scripts
 * through the real tracker (script.h), segment in, states out, for every
 * row that matters on the wire and every rule of the tap-in-the-middle
 * section (R1-R4, L) and of the timers.
 *
 * Numbers in the scripts: the client's ISN is 1000 and the server's 5000
 * unless a test says otherwise, so after the handshake the client sends
 * from 1001 and the server from 5001. SYN and FIN each take one sequence
 * number (RFC 9293 §3.4), so a FIN sent at 1001 is acknowledged by 1002.
 * Segments are 1 ms apart (script.h).
 */
#include <string.h>

#include "script.h"
#include "suites.h"

/* Flag shorthands for the scripts. */
enum { SYN = CRAFT_SYN, ACK = CRAFT_ACK, FIN = CRAFT_FIN, RST = CRAFT_RST, PSH = CRAFT_PSH };

/* State shorthands, as in fsm.c. */
#define sUN WST_ST_UNKNOWN
#define sCL WST_ST_CLOSED
#define sLI WST_ST_LISTEN
#define sSS WST_ST_SYN_SENT
#define sSR WST_ST_SYN_RCVD
#define sES WST_ST_ESTABLISHED
#define sF1 WST_ST_FIN_WAIT_1
#define sF2 WST_ST_FIN_WAIT_2
#define sCG WST_ST_CLOSING
#define sTW WST_ST_TIME_WAIT
#define sCW WST_ST_CLOSE_WAIT
#define sLA WST_ST_LAST_ACK

#define US_PER_MS 1000ULL
#define US_PER_S 1000000ULL

/* ------------------------------------------------------------------ */
/* The transition table                                               */
/* ------------------------------------------------------------------ */

START_TEST(test_fsm_table_has_no_unset_cell)
{
    /* A row or cell left out of a designated initializer reads 0. */
    for (int ev = 1; ev < WST_EV__COUNT; ev++) {
        for (int st = WST_ST_UNKNOWN; st < WST_ST__COUNT; st++) {
            uint8_t cell = wst_fsm_table((enum wst_fsm_event)ev, (enum wst_tcp_state)st);
            ck_assert_msg(cell != 0, "cell (%s, %s) is unset", wst_event_name((enum wst_fsm_event)ev),
                          wst_state_name((enum wst_tcp_state)st));
            ck_assert_msg(cell < WST_ST__COUNT || cell == WST_FSM_SAME || cell == WST_FSM_UNEXPECTED,
                          "cell (%s, %s) = %u is neither a state nor SAME/UNEXPECTED",
                          wst_event_name((enum wst_fsm_event)ev), wst_state_name((enum wst_tcp_state)st), cell);
        }
    }
}
END_TEST

START_TEST(test_fsm_names_are_unique)
{
    for (int a = WST_ST_UNKNOWN; a < WST_ST__COUNT; a++) {
        const char *na = wst_state_name((enum wst_tcp_state)a);
        ck_assert_ptr_nonnull(na);
        ck_assert_uint_gt(strlen(na), 0);
        ck_assert_str_ne(na, "UNSET");
        for (int b = a + 1; b < WST_ST__COUNT; b++)
            ck_assert_str_ne(na, wst_state_name((enum wst_tcp_state)b));
    }
    for (int a = 1; a < WST_EV__COUNT; a++) {
        const char *na = wst_event_name((enum wst_fsm_event)a);
        ck_assert_ptr_nonnull(na);
        ck_assert_uint_gt(strlen(na), 0);
        ck_assert_str_ne(na, "unset");
        for (int b = a + 1; b < WST_EV__COUNT; b++)
            ck_assert_str_ne(na, wst_event_name((enum wst_fsm_event)b));
    }
    /* 0 and out-of-range values have a name too, never NULL. */
    ck_assert_str_eq(wst_state_name(WST_ST__UNSET), "UNSET");
    ck_assert_str_eq(wst_state_name(WST_ST__COUNT), "UNSET");
    ck_assert_str_eq(wst_event_name(WST_EV__UNSET), "unset");
    ck_assert_str_eq(wst_event_name(WST_EV__COUNT), "unset");
}
END_TEST

/*
 * The transition table as it must be, written by hand from RFC 9293 and
 * from what Linux does, and never read back from src/fsm.c: each cell is
 * the state an endpoint in the column's state moves to on the row's event,
 * sNC for "no change" and sIV for "not expected here; no change" (an
 * unexpected SYN teaches nothing, assumption 6). Changing any cell of
 * fsm.c's table makes one of the two tests below fail
 * (tests/fsm_mutation.sh shows it, row by row).
 */
#define sNC WST_FSM_SAME
#define sIV WST_FSM_UNEXPECTED

/* clang-format off */
static const uint8_t cell_want[WST_EV__COUNT][WST_ST__COUNT] = {
/*                          sUN  sCL  sLI  sSS  sSR  sES  sF1  sF2  sCG  sTW  sCW  sLA */
[WST_EV_SND_SYN]        = {0, sSS, sSS, sSS, sSS, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
/* RFC 9293 §3.10.1: OPEN sends a SYN and enters SYN-SENT, also from LISTEN
 * (§3.10.2, SEND in LISTEN). A new SYN while SYN-SENT stays there; in
 * SYN-RECEIVED (the peer's SYN came first, simultaneous open) it stays. A
 * synchronized endpoint sends no SYN on this connection. */
[WST_EV_SND_SYN_AGAIN]  = {0, sSS, sSS, sIV, sSS, sSR, sSS, sIV, sIV, sIV, sIV, sIV, sIV},
/* A retransmission (Linux tcp_retransmit_timer) is SYN-SENT; R1 takes an
 * ESTABLISHED client back there. CLOSED: a refusal crossed it. LISTEN: a
 * listener never sent that SYN. */
[WST_EV_SND_SYNACK]     = {0, sSR, sSR, sSR, sSR, sSR, sNC, sIV, sIV, sIV, sIV, sIV, sIV},
/* RFC 9293 §3.10.7.2: the answer to a SYN is SYN-RECEIVED (UNKNOWN: the SYN
 * was not captured; SYN-SENT: simultaneous open). ESTABLISHED: a crossing
 * SYN+ACK of a simultaneous open. Later states send none. */
[WST_EV_SND_SYNACK_AGAIN] = {0, sSR, sIV, sIV, sSR, sSR, sSR, sIV, sIV, sIV, sIV, sIV, sIV},
/* A retransmitted SYN+ACK (Linux inet_rtx_syn_ack) is SYN-RECEIVED; R2
 * brings an ESTABLISHED server back. CLOSED and LISTEN sent none before. */
[WST_EV_SND_NOT_FIN_YET] = {0, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sES, sNC},
/* R5: only a CLOSE-WAIT that the FIN had not reached goes back. */
[WST_EV_SND_ACK]        = {0, sES, sIV, sES, sES, sES, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* An endpoint that acknowledges is synchronized (RFC 9293 §3.4): UNKNOWN
 * mid-stream, and LISTEN, SYN-SENT, SYN-RECEIVED whose last handshake step
 * the tap missed. A CLOSED endpoint answers with RST only. */
[WST_EV_SND_FIN]        = {0, sF1, sLA, sIV, sIV, sF1, sF1, sNC, sF1, sNC, sCG, sLA, sNC},
/* RFC 9293 §3.10.4 CLOSE: SYN-RECEIVED and ESTABLISHED go FIN-WAIT-1,
 * CLOSE-WAIT goes LAST-ACK. R3: FIN-WAIT-2 -> FIN-WAIT-1, TIME-WAIT ->
 * CLOSING, CLOSED -> LAST-ACK. A FIN again changes nothing. No FIN before
 * the handshake (LISTEN, SYN-SENT). */
[WST_EV_SND_RST]        = {0, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
/* RFC 9293 §3.10.7: whoever resets has no connection left. */
[WST_EV_SND_RST_REJECT] = {0, sIV, sIV, sIV, sNC, sIV, sSS, sIV, sIV, sIV, sIV, sIV, sIV},
/* RFC 9293 §3.10.7.3: SYN-SENT answers an unacceptable SYN+ACK with a RST
 * and stays (Linux tcp_rcv_synsent_state_process(), reset_and_undo); an
 * ESTABLISHED the tap inferred from that SYN+ACK is SYN-SENT after all. */
[WST_EV_RCV_SYN]        = {0, sSR, sNC, sSR, sSR, sNC, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
/* RFC 9293 §3.10.7.2 (LISTEN) and §3.10.7.3 (SYN-SENT, simultaneous
 * open): SYN-RECEIVED. CLOSED answers with RST (tcp_v4_send_reset). A SYN
 * again in SYN-RECEIVED is a retransmission. Synchronized states: not
 * part of this connection. */
[WST_EV_RCV_SYN_LOST]   = {0, sLI, sNC, sLI, sIV, sLI, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
/* R4: the SYN never arrived, so the receiver is still listening. */
[WST_EV_RCV_SYNACK]     = {0, sES, sNC, sIV, sES, sES, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* RFC 9293 §3.10.7.3: SYN-SENT -> ESTABLISHED (Linux
 * tcp_rcv_synsent_state_process), SYN-RECEIVED too (simultaneous open).
 * Later: a duplicate. CLOSED answers with RST; a listener sent no SYN. */
[WST_EV_RCV_SYNACK_BAD] = {0, sNC, sNC, sNC, sSS, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* RFC 9293 §3.10.7.3: an unacceptable ACK in SYN-SENT is rejected. */
[WST_EV_RCV_ACK]        = {0, sES, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* Only UNKNOWN learns something: it is synchronized (mid-stream). */
[WST_EV_RCV_ACK_SYN]    = {0, sNC, sNC, sNC, sNC, sES, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* RFC 9293 §3.10.7.4: SYN-RECEIVED -> ESTABLISHED (Linux tcp_check_req).
 * SYN-SENT drops a bare ACK. */
[WST_EV_RCV_ACK_FIN]    = {0, sNC, sNC, sNC, sNC, sNC, sNC, sF2, sNC, sTW, sNC, sNC, sCL},
/* RFC 9293 §3.10.7.4: FIN-WAIT-1 -> FIN-WAIT-2, CLOSING -> TIME-WAIT,
 * LAST-ACK -> CLOSED. */
[WST_EV_RCV_FIN]        = {0, sCW, sNC, sIV, sIV, sCW, sCW, sCG, sTW, sNC, sNC, sNC, sNC},
/* RFC 9293 §3.10.7.4 (eighth, FIN): SYN-RECEIVED and ESTABLISHED ->
 * CLOSE-WAIT, FIN-WAIT-1 -> CLOSING, FIN-WAIT-2 -> TIME-WAIT. A FIN again
 * changes nothing. LISTEN and SYN-SENT ignore it. */
[WST_EV_RCV_RST]        = {0, sCL, sNC, sNC, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
/* RFC 9293 §3.10.7.3 (refused) and §3.10.7.4 (reset); TIME-WAIT too with
 * Linux's tcp_rfc1337=0. SYN-RECEIVED: Linux frees the request socket
 * (tcp_check_req(), inet_csk_reqsk_queue_drop()), so the connection is
 * CLOSED whatever listens. LISTEN ignores it. */
[WST_EV_RCV_RST_BAD]    = {0, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* RFC 5961 §3.2: a RST that is not exact draws a challenge ACK at most. */
[WST_EV_GAVE_UP]        = {0, sIV, sIV, sIV, sCL, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
/* A SYN-SENT socket closed or timed out is gone (Linux tcp_close() sends
 * nothing in SYN_SENT; tcp_write_timeout() after tcp_syn_retries). */
};
/* clang-format on */

/* The state an endpoint ends in after ev in st by the hand grid. */
static uint8_t want_state(enum wst_fsm_event ev, enum wst_tcp_state st)
{
    uint8_t cell = cell_want[ev][st];
    return cell == sNC || cell == sIV ? (uint8_t)st : cell;
}

/*
 * How to make each event happen with one segment. The sender's ISN is
 * 1000 and it has sent up to 1001; the receiver's ISN is 5000, its FIN
 * took 5100. Flags say which of these facts the endpoints know.
 */
struct cell_setup {
    uint8_t flags;     /* WST_TH_* of the segment */
    uint32_t seq, ack;
    uint8_t snd_flags; /* WST_EP_* of the sender */
    uint8_t rcv_flags; /* WST_EP_* of the receiver */
    uint8_t peer_state; /* the other endpoint's state; 0: ESTABLISHED */
};

/* clang-format off */
static const struct cell_setup cell_setups[WST_EV__COUNT] = {
    /* Sender events depend on the flags of the segment. */
    [WST_EV_SND_SYN]        = {WST_TH_SYN,               1000, 0,    0, 0},
    /* The same SYN (ISN 1000) the sender sent once before: in ESTABLISHED that is R1. */
    [WST_EV_SND_SYN_AGAIN]  = {WST_TH_SYN,               1000, 0,
                               WST_EP_HAS_ISN | WST_EP_SENT | WST_EP_HAS_SEQ | WST_EP_ACTIVE, 0},
    /* A first SYN+ACK (the sender's ISN not known yet). */
    [WST_EV_SND_SYNACK]     = {WST_TH_SYN | WST_TH_ACK,  1000, 5001, 0, 0},
    /* A SYN+ACK the sender sent before: in ESTABLISHED that is R2. */
    [WST_EV_SND_SYNACK_AGAIN] = {WST_TH_SYN | WST_TH_ACK, 1000, 5001,
                               WST_EP_HAS_ISN | WST_EP_SENT | WST_EP_HAS_SEQ | WST_EP_SYNACK, 0},
    /* An ACK of 5100, short of the receiver's FIN at 5100 (5101 would cover it). */
    [WST_EV_SND_NOT_FIN_YET] = {WST_TH_ACK,              1001, 5100, 0, WST_EP_HAS_FIN},
    [WST_EV_SND_ACK]        = {WST_TH_ACK,               1001, 5001, 0, 0},
    /* Only a FIN with ACK closes (assumption 6), so SND_ACK comes first:
     * the cells where that moves the state are compared in cell_by_table. */
    [WST_EV_SND_FIN]        = {WST_TH_FIN | WST_TH_ACK,  1001, 5001, 0, 0},
    [WST_EV_SND_RST]        = {WST_TH_RST,               1001, 0,    0, 0},
    /* R6: a RST without ACK at ISN + 1 from an active opener whose peer
     * is SYN_RCVD (the test makes the sender active for both loops). */
    [WST_EV_SND_RST_REJECT] = {WST_TH_RST,               1001, 0,
                               WST_EP_HAS_ISN | WST_EP_SENT | WST_EP_HAS_SEQ | WST_EP_ACTIVE, 0, WST_ST_SYN_RCVD},
    /* A first SYN (the sender sent none before). */
    [WST_EV_RCV_SYN]        = {WST_TH_SYN,               1000, 0,    0, 0},
    /* R4: the same SYN again, and the receiver never sent anything. */
    [WST_EV_RCV_SYN_LOST]   = {WST_TH_SYN,               1000, 0,
                               WST_EP_HAS_ISN | WST_EP_SENT | WST_EP_HAS_SEQ | WST_EP_ACTIVE, 0},
    /* 5001 = the receiver's ISN + 1: it acknowledges the SYN. */
    [WST_EV_RCV_SYNACK]     = {WST_TH_SYN | WST_TH_ACK,  1000, 5001, 0, WST_EP_HAS_ISN},
    /* 7777 != 5001. */
    [WST_EV_RCV_SYNACK_BAD] = {WST_TH_SYN | WST_TH_ACK,  1000, 7777, 0, WST_EP_HAS_ISN},
    /* The receiver's ISN and FIN unknown: nothing for the ACK to cover. */
    [WST_EV_RCV_ACK]        = {WST_TH_ACK,               1001, 5001, 0, 0},
    /* 5001 covers ISN 5000; no FIN known. Comes after RCV_ACK. */
    [WST_EV_RCV_ACK_SYN]    = {WST_TH_ACK,               1001, 5001, 0, WST_EP_HAS_ISN},
    /* 5101 covers the FIN at 5100; the ISN unknown, so no RCV_ACK_SYN. */
    [WST_EV_RCV_ACK_FIN]    = {WST_TH_ACK,               1001, 5101, 0, WST_EP_HAS_FIN},
    /* With ACK (assumption 6): RCV_ACK comes first, which moves only UNKNOWN. */
    [WST_EV_RCV_FIN]        = {WST_TH_FIN | WST_TH_ACK,  1001, 5001, 0, 0},
    /* Nothing seen from the sender, so any sequence number is acceptable;
     * the ACK of the SYN makes it acceptable in SYN_SENT too (assumption 3). */
    [WST_EV_RCV_RST]        = {WST_TH_RST | WST_TH_ACK,  1001, 5001, 0, WST_EP_HAS_ISN},
    /* 9999 is not the sender's next sequence number 1001; without ACK it
     * does not acknowledge a SYN either. */
    [WST_EV_RCV_RST_BAD]    = {WST_TH_RST,               9999, 0,    WST_EP_HAS_SEQ | WST_EP_SENT, 0},
};
/* clang-format on */

/*
 * Is (ev, st) a cell no segment can isolate (test_fsm_cell_by_table
 * compares those with the hand grid)? SND_NOT_FIN_YET always comes with
 * SND_ACK and the peer's FIN arriving after all (RCV_FIN on the sender),
 * which move most states themselves; its one moving cell, CLOSE_WAIT, is
 * also exercised by the simultaneous-close script.
 */
static bool table_only(enum wst_fsm_event ev, enum wst_tcp_state st)
{
    /* GAVE_UP comes from a timer, never a segment (rule G; test_fsm_linux_giveup_*). */
    if (ev == WST_EV_SND_NOT_FIN_YET || ev == WST_EV_GAVE_UP)
        return true;
    /* R6 needs an active opener in SYN_SENT or ESTABLISHED; a RST from any
     * other is SND_RST. */
    if (ev == WST_EV_SND_RST_REJECT && st != WST_ST_SYN_SENT && st != WST_ST_ESTABLISHED)
        return true;
    /* SND_ACK (which comes with every FIN) takes these to ESTABLISHED first. */
    if (ev == WST_EV_SND_FIN && (st == WST_ST_UNKNOWN || st == WST_ST_LISTEN || st == WST_ST_SYN_SENT ||
                                 st == WST_ST_SYN_RCVD))
        return true;
    /* A segment with ACK yields RCV_ACK first, which takes UNKNOWN to ESTABLISHED. */
    return st == WST_ST_UNKNOWN && (ev == WST_EV_RCV_ACK_SYN || ev == WST_EV_RCV_ACK_FIN || ev == WST_EV_RCV_FIN);
}

/* Does a SYN or SYN+ACK event teach the sender's numbers unless unexpected (assumption 6)? */
static bool is_syn_event(enum wst_fsm_event ev)
{
    return ev == WST_EV_SND_SYN || ev == WST_EV_SND_SYN_AGAIN || ev == WST_EV_SND_SYNACK ||
           ev == WST_EV_SND_SYNACK_AGAIN;
}

/*
 * For event _i, every state a segment can isolate, as a passive and as an
 * active opener: the classifier yields the event, any other event of the
 * same endpoint leaves its state alone, and the state ends as the hand
 * grid says. since_ms moves only with the state, for a FIN in TIME_WAIT
 * (EXCEPTION, assumption 5), or for a first SYN+ACK in SYN_RCVD
 * (EXCEPTION: the wait for the last ACK). For a SYN or SYN+ACK the sender's
 * numbers are learned exactly when the cell is not sIV.
 */
START_TEST(test_fsm_cell_by_segment)
{
    enum wst_fsm_event ev = (enum wst_fsm_event)_i;
    const struct cell_setup *cs = &cell_setups[ev];
    bool on_sender = ev < WST_EV_RCV_SYN; /* SND_ events come first in WST_EVENT_MAP */
    if (ev == WST_EV_GAVE_UP)
        return; /* a timer's event: no segment makes it */
    ck_assert_uint_ne(cs->flags, 0);
    uint8_t peer_state = cs->peer_state ? cs->peer_state : WST_ST_ESTABLISHED;

    for (int st = WST_ST_UNKNOWN; st < WST_ST__COUNT; st++) {
        if (table_only(ev, (enum wst_tcp_state)st))
            continue;
        for (int active = 0; active < 2; active++) {
            struct wst_endpoint snd = {
                .state = on_sender ? (uint8_t)st : peer_state,
                .flags = cs->snd_flags,
                .isn = 1000,
                .next_seq = 1001,
                .since_ms = 7,
            };
            struct wst_endpoint rcv = {
                .state = on_sender ? peer_state : (uint8_t)st,
                .flags = cs->rcv_flags,
                .isn = 5000,
                .next_seq = 5101, /* its FIN, if it sent one, took 5100 */
                .since_ms = 7,
            };
            struct wst_endpoint *ep = on_sender ? &snd : &rcv;
            if (active)
                ep->flags |= WST_EP_ACTIVE;
            struct wst_segment seg;
            memset(&seg, 0, sizeof seg);
            seg.flags = cs->flags;
            seg.seq = cs->seq;
            seg.ack = cs->ack;
            struct wst_fsm_step out;
            wst_fsm_step(&snd, &rcv, &seg, 1000, &out);

            const char *evn = wst_event_name(ev), *stn = wst_state_name((enum wst_tcp_state)st);
            const uint8_t *evs = on_sender ? out.snd : out.rcv;
            unsigned n = on_sender ? out.n_snd : out.n_rcv;
            bool seen = false;
            for (unsigned k = 0; k < n; k++) {
                if (evs[k] == ev) {
                    seen = true;
                    continue;
                }
                /* Another event of this endpoint must not move it (it
                 * would then be tested in another state than st). */
                ck_assert_msg(want_state((enum wst_fsm_event)evs[k], (enum wst_tcp_state)st) == st,
                              "(%s, %s): %s comes along and moves the state", evn, stn,
                              wst_event_name((enum wst_fsm_event)evs[k]));
            }
            ck_assert_msg(seen, "(%s, %s): the segment was not classified as %s", evn, stn, evn);

            uint8_t want = want_state(ev, (enum wst_tcp_state)st);
            ck_assert_msg(ep->state == want, "(%s, %s%s): got %s, want %s", evn, stn, active ? ", active" : "",
                          wst_state_name((enum wst_tcp_state)ep->state), wst_state_name((enum wst_tcp_state)want));
            bool restarts = want != st || (ev == WST_EV_RCV_FIN && st == WST_ST_TIME_WAIT) ||
                            (ev == WST_EV_SND_SYNACK && st == WST_ST_SYN_RCVD);
            ck_assert_msg(ep->since_ms == (restarts ? 1000u : 7u), "(%s, %s): since_ms %u", evn, stn, ep->since_ms);
            if (is_syn_event(ev)) {
                /* A first SYN or SYN+ACK teaches the ISN; one sent again
                 * counts as a retransmission. An unexpected one neither. */
                bool learned = (ev == WST_EV_SND_SYN || ev == WST_EV_SND_SYNACK) ? (snd.flags & WST_EP_HAS_ISN) != 0
                                                                                  : snd.syns_again == 1;
                ck_assert_msg(learned == (cell_want[ev][st] != sIV), "(%s, %s): learned %d, cell %s", evn, stn,
                              learned, cell_want[ev][st] == sIV ? "sIV" : "expected");
            }
        }
    }
}
END_TEST

/*
 * For event _i, the cells whose exact value no segment shows: those no
 * segment isolates (table_only), and every cell that leaves its endpoint
 * where it is, since sNC, sIV and the column's own state all end in the
 * same state (sIV shows in what a SYN teaches, checked above, but is
 * compared here too). Each must equal the hand grid.
 */
START_TEST(test_fsm_cell_by_table)
{
    enum wst_fsm_event ev = (enum wst_fsm_event)_i;
    for (int st = WST_ST_UNKNOWN; st < WST_ST__COUNT; st++) {
        uint8_t want = cell_want[ev][st];
        bool stays = want == sNC || want == sIV || want == st;
        if (!table_only(ev, (enum wst_tcp_state)st) && !stays)
            continue;
        uint8_t got = wst_fsm_table(ev, (enum wst_tcp_state)st);
        ck_assert_msg(got == want, "(%s, %s): table has %u, want %u", wst_event_name(ev),
                      wst_state_name((enum wst_tcp_state)st), got, want);
    }
}
END_TEST

/*
 * What happens instead of the cells no segment isolates: a segment with ACK
 * yields RCV_ACK first, and RCV_ACK takes UNKNOWN to ESTABLISHED before
 * RCV_ACK_SYN and RCV_ACK_FIN are applied; a FIN comes with its ACK.
 */
START_TEST(test_fsm_cell_neighbours)
{
    struct wst_endpoint snd = {.state = WST_ST_ESTABLISHED};
    struct wst_endpoint rcv = {.state = WST_ST_UNKNOWN,
                               .flags = WST_EP_HAS_ISN | WST_EP_HAS_FIN,
                               .isn = 5000,
                               .next_seq = 5101}; /* its FIN took 5100 */
    struct wst_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.flags = WST_TH_ACK;
    seg.seq = 1001;
    seg.ack = 5101; /* covers the ISN (5001) and the FIN (5101) */
    struct wst_fsm_step out;
    wst_fsm_step(&snd, &rcv, &seg, 0, &out);
    ck_assert_uint_eq(out.n_rcv, 3);
    ck_assert_uint_eq(out.rcv[0], WST_EV_RCV_ACK);
    ck_assert_uint_eq(out.rcv[1], WST_EV_RCV_ACK_SYN);
    ck_assert_uint_eq(out.rcv[2], WST_EV_RCV_ACK_FIN);
    ck_assert_uint_eq(rcv.state, WST_ST_ESTABLISHED);

    /* A FIN with ACK from SYN_RCVD (the server closes before the last step
     * of its handshake, RFC 9293 §3.10.4): SND_ACK says it is synchronized,
     * then the FIN: FIN_WAIT_1. */
    struct wst_endpoint srv = {.state = WST_ST_SYN_RCVD};
    struct wst_endpoint cli = {.state = WST_ST_ESTABLISHED};
    seg.flags = WST_TH_FIN | WST_TH_ACK;
    seg.seq = 5001;
    seg.ack = 1001;
    wst_fsm_step(&srv, &cli, &seg, 0, &out);
    ck_assert_uint_eq(srv.state, WST_ST_FIN_WAIT_1);
    ck_assert_uint_eq(cli.state, WST_ST_CLOSE_WAIT);

    /* A FIN without ACK (a FIN scan, assumption 6) moves nobody. */
    srv.state = cli.state = WST_ST_ESTABLISHED;
    seg.flags = WST_TH_FIN;
    wst_fsm_step(&srv, &cli, &seg, 0, &out);
    ck_assert_uint_eq(srv.state, WST_ST_ESTABLISHED);
    ck_assert_uint_eq(cli.state, WST_ST_ESTABLISHED);
}
END_TEST

/*
 * Flags no TCP sends that carry a SYN (assumption 7): SYN with FIN, with
 * or without ACK, and with the PSH and URG of an Xmas-style probe. None is
 * an event: for every state of either endpoint the segment moves nobody,
 * restarts no timer, is no retransmission, and teaches nothing about the
 * sender's sequence numbers; only the fact that the sender sent something
 * is kept. The one exception, a SYN+ACK+FIN that acknowledges the SYN of
 * a SYN_SENT receiver, is test_fsm_linux_synack_fin; here, to a SYN_SENT
 * receiver, it acknowledges something else.
 */
static const uint8_t syn_fin_flags[] = {
    WST_TH_SYN | WST_TH_FIN,
    WST_TH_SYN | WST_TH_FIN | WST_TH_ACK,
    WST_TH_SYN | WST_TH_FIN | WST_TH_PSH | WST_TH_URG,
};

START_TEST(test_fsm_cell_syn_fin_moves_nobody)
{
    uint8_t flags = syn_fin_flags[_i];
    struct wst_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.flags = flags;
    seg.seq = 1000; /* the sender's ISN: were it a SYN, a retransmission */
    seg.ack = (flags & WST_TH_ACK) ? 5001 : 0;

    for (int st = WST_ST_UNKNOWN; st < WST_ST__COUNT; st++) {
        for (int on_sender = 0; on_sender < 2; on_sender++) {
            /* Both have sent a SYN before (ISNs 1000 and 5000). */
            struct wst_endpoint snd = {
                .state = on_sender ? (uint8_t)st : WST_ST_ESTABLISHED,
                .flags = WST_EP_HAS_ISN | WST_EP_HAS_SEQ | WST_EP_SENT | WST_EP_ACTIVE,
                .isn = 1000,
                .next_seq = 1001,
                .since_ms = 7,
            };
            struct wst_endpoint rcv = {
                .state = on_sender ? WST_ST_ESTABLISHED : (uint8_t)st,
                .flags = WST_EP_HAS_ISN | WST_EP_HAS_SEQ | WST_EP_SENT | WST_EP_SYNACK,
                .isn = 5000,
                .next_seq = 5001,
                .since_ms = 7,
            };
            struct wst_endpoint snd0 = snd, rcv0 = rcv;
            seg.ack = !(flags & WST_TH_ACK) ? 0 : !on_sender && st == WST_ST_SYN_SENT ? 7777 : 5001;
            struct wst_fsm_step out;
            memset(&out, 0xA5, sizeof out);
            wst_fsm_step(&snd, &rcv, &seg, 50, &out);
            ck_assert_msg(out.n_snd == 0 && out.n_rcv == 0, "flags 0x%02x, %s %s: %u+%u events", flags,
                          on_sender ? "sender" : "receiver", wst_state_name((enum wst_tcp_state)st), out.n_snd,
                          out.n_rcv);
            ck_assert_uint_eq(out.snd_from, snd0.state);
            ck_assert_uint_eq(out.snd_to, snd0.state);
            ck_assert_uint_eq(out.rcv_from, rcv0.state);
            ck_assert_uint_eq(out.rcv_to, rcv0.state);
            ck_assert(!out.syn_rexmit);
            ck_assert(!out.fin_rexmit);
            ck_assert(!out.fin_ack_held);
            ck_assert_mem_eq(&rcv, &rcv0, sizeof rcv);
            ck_assert_uint_eq(snd.state, snd0.state);
            ck_assert_uint_eq(snd.since_ms, snd0.since_ms);
            ck_assert_uint_eq(snd.flags, snd0.flags);
            ck_assert_uint_eq(snd.next_seq, 1001);
            ck_assert_uint_eq(snd.syns_again, 0);
            ck_assert_uint_eq(snd.fins, 0);
        }
    }

    /* A sender never seen before learns no ISN and no sequence number. */
    struct wst_endpoint snd = {.state = WST_ST_UNKNOWN}, rcv = {.state = WST_ST_UNKNOWN};
    wst_fsm_step(&snd, &rcv, &seg, 0, NULL);
    ck_assert_uint_eq(snd.flags, WST_EP_SENT);
    ck_assert_uint_eq(rcv.flags, 0);
}
END_TEST

/* A record whose first segment is one of them starts UNKNOWN on both sides, not mid-stream. */
START_TEST(test_fsm_init_syn_fin_opens_nothing)
{
    struct wst_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.flags = syn_fin_flags[_i];
    seg.seq = 1000;
    struct wst_endpoint snd, rcv;
    memset(&snd, 0xA5, sizeof snd);
    memset(&rcv, 0xA5, sizeof rcv);
    ck_assert(!wst_fsm_init(&snd, &rcv, &seg));
    ck_assert_uint_eq(snd.state, WST_ST_UNKNOWN);
    ck_assert_uint_eq(rcv.state, WST_ST_UNKNOWN);

    /* Nor does it open a new connection over one that is over. */
    struct wst_endpoint tw = {.state = WST_ST_TIME_WAIT, .flags = WST_EP_HAS_ISN | WST_EP_SENT, .isn = 1};
    struct wst_endpoint cl = {.state = WST_ST_CLOSED, .flags = WST_EP_SENT};
    ck_assert(!wst_fsm_is_new_connection(&tw, &cl, &seg));
    ck_assert(!wst_fsm_is_new_connection(&cl, &tw, &seg));
    /* ...which a SYN alone with the same sequence number does. */
    seg.flags = WST_TH_SYN;
    ck_assert(wst_fsm_is_new_connection(&tw, &cl, &seg));
}
END_TEST

/*
 * SYN with RST is not one of them: RFC 9293 §3.10.7.4 checks the RST bit
 * (second) before the SYN bit (fourth), and so does Linux
 * (tcp_validate_incoming()), so it is a RST, acceptable or not as any other.
 */
START_TEST(test_fsm_cell_syn_rst_is_a_rst)
{
    struct wst_endpoint snd = {.state = WST_ST_ESTABLISHED, .flags = WST_EP_HAS_SEQ | WST_EP_SENT, .next_seq = 1001};
    struct wst_endpoint rcv = {.state = WST_ST_ESTABLISHED, .flags = WST_EP_HAS_SEQ | WST_EP_SENT, .next_seq = 5001};
    struct wst_segment seg;
    memset(&seg, 0, sizeof seg);
    seg.flags = WST_TH_SYN | WST_TH_RST;
    seg.seq = 9999; /* not RCV.NXT: not acceptable */
    struct wst_fsm_step out;
    wst_fsm_step(&snd, &rcv, &seg, 0, &out);
    ck_assert_uint_eq(out.n_snd, 0);
    ck_assert_uint_eq(out.n_rcv, 1);
    ck_assert_uint_eq(out.rcv[0], WST_EV_RCV_RST_BAD);
    ck_assert(!out.syn_rexmit);
    ck_assert_uint_eq(snd.state, WST_ST_ESTABLISHED);
    ck_assert_uint_eq(rcv.state, WST_ST_ESTABLISHED);
    seg.seq = 1001; /* RCV.NXT */
    wst_fsm_step(&snd, &rcv, &seg, 0, &out);
    ck_assert_uint_eq(out.n_snd, 1);
    ck_assert_uint_eq(out.snd[0], WST_EV_SND_RST);
    ck_assert_uint_eq(out.rcv[0], WST_EV_RCV_RST);
    ck_assert_uint_eq(snd.state, WST_ST_CLOSED);
    ck_assert_uint_eq(rcv.state, WST_ST_CLOSED);
    ck_assert(!(snd.flags & WST_EP_HAS_ISN));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Packet scripts                                                     */
/* ------------------------------------------------------------------ */

/* TIME_WAIT is 2 x 30 s; idle connections end after 300 s; the rest as the program's defaults. */
static const struct wst_pipeline_config *config(void)
{
    static struct wst_pipeline_config cfg;
    cfg = script_config();
    cfg.tracker.msl_s = 30;
    cfg.tracker.idle_timeout_s = 300;
    return &cfg;
}

/* Both states of the live connection; a macro, so a failure names the test's line. */
#define EXPECT_STATES(s, cli, srv) expect_states((s), (cli), (srv), __LINE__)

static void expect_states(struct script *s, enum wst_tcp_state cli, enum wst_tcp_state srv, int line)
{
    enum wst_tcp_state c = script_client_state(s), v = script_server_state(s);
    ck_assert_msg(c == cli && v == srv, "line %d: client %s server %s, want client %s server %s", line,
                  wst_state_name(c), wst_state_name(v), wst_state_name(cli), wst_state_name(srv));
}

/* States of an emitted record. */
static enum wst_tcp_state rec_client(const struct wst_conn *c)
{
    return (enum wst_tcp_state)c->ep[c->client].state;
}

static enum wst_tcp_state rec_server(const struct wst_conn *c)
{
    return (enum wst_tcp_state)c->ep[!c->client].state;
}

/* Moves capture time to at_us with a frame of other traffic. */
static void idle_to(struct script *s, uint64_t at_us)
{
    ck_assert_uint_ge(at_us, s->now_us);
    script_idle(s, at_us - s->now_us);
}

/* Capture time of the last segment fed. */
static uint64_t last_seg_us(const struct script *s)
{
    return s->now_us - s->step_us;
}

/* ISNs 1000 and 5000; afterwards both ESTABLISHED, next 1001 and 5001. */
static void handshake(struct script *s)
{
    script_seg(s, C2S, SYN, 1000, 0, 0);
    script_seg(s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(s, C2S, ACK, 1001, 5001, 0);
}

/* After handshake(): the client closes first; the client ends in
 * TIME_WAIT (since the server's FIN), the server CLOSED. */
static void close_by_client(struct script *s)
{
    script_seg(s, C2S, FIN | ACK, 1001, 5001, 0);
    script_seg(s, S2C, ACK, 5001, 1002, 0);
    script_seg(s, S2C, FIN | ACK, 5001, 1002, 0);
    script_seg(s, C2S, ACK, 1002, 5002, 0);
}

/* --- handshake --- */

START_TEST(test_fsm_handshake_three_way)
{
    struct script s;
    script_init(&s, config());
    /* The server is LISTEN before the SYN (assumption 4), but the tracker
     * only knows the connection from the SYN on, which it assumes delivered. */
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sSR);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert(!(c->flags & WST_CONN_MIDSTREAM));
    ck_assert_uint_eq(wst_conn_syn_retransmissions(c), 0);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_handshake_syn_retransmitted)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sLI); /* R4: no SYN arrived */
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    /* The server's state here: see test_fsm_loss_r4_then_handshake. */
    ck_assert_uint_eq(script_client_state(&s), sES);
    script_finish(&s);
    /* Three SYNs with ISN 1000: the first and two retransmissions, one record. */
    ck_assert_uint_eq(s.n_conns, 1);
    ck_assert_uint_eq(wst_conn_syn_retransmissions(script_conn(&s, 0)), 2);
    script_fini(&s);
}
END_TEST

/*
 * Simultaneous open, RFC 9293 §3.5 Figure 7: both ends send a SYN, both
 * answer the other's with a SYN+ACK, both end ESTABLISHED. The server's
 * own first SYN+ACK, crossing the client's, is not a retransmission after
 * the final ACK (R2): it leaves the server ESTABLISHED.
 */
START_TEST(test_fsm_handshake_simultaneous_open)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN, 5000, 0, 0);
    /* Each received the other's SYN in SYN_SENT. */
    EXPECT_STATES(&s, sSR, sSR);
    script_seg(&s, C2S, SYN | ACK, 1000, 5001, 0);
    EXPECT_STATES(&s, sSR, sES);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_handshake_synack_bad_ack)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    /* 4242 != ISN + 1 = 1001: unacceptable in SYN_SENT (RFC 9293 §3.10.7.3). */
    script_seg(&s, S2C, SYN | ACK, 5000, 4242, 0);
    EXPECT_STATES(&s, sSS, sSR);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_fini(&s);
}
END_TEST

/*
 * TCP Fast Open (RFC 7413 §4.2): 100 bytes ride on the SYN (1000, so they
 * take 1001..1100) and a server that accepts them acknowledges SYN and data
 * at once: ack 1101. RFC 9293 §3.10.7.3 accepts any ACK with
 * ISN < SEG.ACK =< SND.NXT (1101), so the client is ESTABLISHED.
 */
START_TEST(test_fsm_handshake_syn_with_data)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 100);
    EXPECT_STATES(&s, sSS, sSR);
    script_seg(&s, S2C, SYN | ACK, 5000, 1101, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, C2S, ACK, 1101, 5001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_finish(&s);
    ck_assert_uint_eq(script_conn(&s, 0)->payload_bytes[script_conn(&s, 0)->client], 100);
    script_fini(&s);
}
END_TEST

/* --- close --- */

START_TEST(test_fsm_close_by_client)
{
    struct script s;
    script_init(&s, config());
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sF1, sCW);
    script_seg(&s, S2C, ACK, 5001, 1002, 0); /* 1002 covers the FIN at 1001 */
    EXPECT_STATES(&s, sF2, sCW);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    EXPECT_STATES(&s, sTW, sLA);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    EXPECT_STATES(&s, sTW, sCL);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_close_by_server)
{
    struct script s;
    script_init(&s, config());
    handshake(&s);
    script_seg(&s, S2C, FIN | ACK, 5001, 1001, 0);
    EXPECT_STATES(&s, sCW, sF1);
    script_seg(&s, C2S, ACK, 1001, 5002, 0);
    EXPECT_STATES(&s, sCW, sF2);
    script_seg(&s, C2S, FIN | ACK, 1001, 5002, 0);
    EXPECT_STATES(&s, sLA, sTW);
    script_seg(&s, S2C, ACK, 5002, 1002, 0);
    EXPECT_STATES(&s, sCL, sTW);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_close_fin_ack_acks_fin)
{
    /* Assumption 2: the ACK (F1->F2) is processed before the FIN (F2->TW). */
    struct script s;
    script_init(&s, config());
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    EXPECT_STATES(&s, sTW, sLA);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    EXPECT_STATES(&s, sTW, sCL);
    script_fini(&s);
}
END_TEST

/*
 * Simultaneous close, RFC 9293 §3.6 Figure 13. The FINs cross: the
 * server's FIN acknowledges 1001, not the client's FIN (1002), so the
 * server sent it before the client's FIN arrived, from ESTABLISHED (R5):
 * it is FIN_WAIT_1, then CLOSING when the client's FIN arrives, then
 * TIME_WAIT on its ACK, like the client.
 */
START_TEST(test_fsm_close_simultaneous)
{
    struct script s;
    script_init(&s, config());
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    /* The tap cannot know yet that the server is closing too. */
    EXPECT_STATES(&s, sF1, sCW);
    script_seg(&s, S2C, FIN | ACK, 5001, 1001, 0);
    EXPECT_STATES(&s, sCG, sCG);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    script_seg(&s, S2C, ACK, 5002, 1002, 0);
    EXPECT_STATES(&s, sTW, sTW);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_close_half_close_data_flows)
{
    struct script s;
    script_init(&s, config());
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    script_seg(&s, S2C, ACK, 5001, 1002, 0);
    EXPECT_STATES(&s, sF2, sCW);
    /* The server still sends 100 + 200 bytes; the client acknowledges them. */
    script_seg(&s, S2C, ACK | PSH, 5001, 1002, 100);
    script_seg(&s, C2S, ACK, 1002, 5101, 0);
    EXPECT_STATES(&s, sF2, sCW);
    script_seg(&s, S2C, ACK | PSH, 5101, 1002, 200);
    script_seg(&s, C2S, ACK, 1002, 5301, 0);
    EXPECT_STATES(&s, sF2, sCW);
    /* Its FIN takes 5301; 5302 acknowledges it. */
    script_seg(&s, S2C, FIN | ACK, 5301, 1002, 0);
    EXPECT_STATES(&s, sTW, sLA);
    script_seg(&s, C2S, ACK, 1002, 5302, 0);
    EXPECT_STATES(&s, sTW, sCL);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->payload_bytes[!c->client], 300);
    script_fini(&s);
}
END_TEST

/* --- reset --- */

/* Prefixes that bring the client to one of the states a RST can end. */
static void to_fin_wait_1(struct script *s)
{
    handshake(s);
    script_seg(s, C2S, FIN | ACK, 1001, 5001, 0);
}

static void to_fin_wait_2(struct script *s)
{
    to_fin_wait_1(s);
    script_seg(s, S2C, ACK, 5001, 1002, 0);
}

static void to_close_wait(struct script *s)
{
    handshake(s);
    script_seg(s, S2C, FIN | ACK, 5001, 1001, 0);
    script_seg(s, C2S, ACK, 1001, 5002, 0);
}

static void to_last_ack(struct script *s)
{
    to_close_wait(s);
    script_seg(s, C2S, FIN | ACK, 1001, 5002, 0);
}

static void to_time_wait(struct script *s)
{
    handshake(s);
    close_by_client(s);
}

static const struct rst_case {
    void (*prefix)(struct script *s);
    enum wst_tcp_state client, server; /* after the prefix */
    uint32_t client_nxt, server_nxt;   /* next sequence number of each (a FIN takes one) */
} rst_cases[] = {
    {handshake, sES, sES, 1001, 5001},
    {to_fin_wait_1, sF1, sCW, 1002, 5001},
    {to_fin_wait_2, sF2, sCW, 1002, 5001},
    {to_close_wait, sCW, sF2, 1001, 5002},
    {to_last_ack, sLA, sTW, 1002, 5002},
    {to_time_wait, sTW, sCL, 1002, 5002},
};

/*
 * _i / 2 picks the states, _i % 2 the sender (0 client, 1 server). The RST
 * carries the sender's next sequence number, what the receiver expects
 * (assumption 3), so it is accepted: both end CLOSED (TIME_WAIT too, as
 * Linux does), and the record ends "reset".
 */
START_TEST(test_fsm_reset_in_every_state)
{
    const struct rst_case *rc = &rst_cases[_i / 2];
    int dir = _i % 2 ? S2C : C2S;
    struct script s;
    script_init(&s, config());
    rc->prefix(&s);
    EXPECT_STATES(&s, rc->client, rc->server);
    if (dir == C2S)
        script_seg(&s, C2S, RST | ACK, rc->client_nxt, rc->server_nxt, 0);
    else
        script_seg(&s, S2C, RST | ACK, rc->server_nxt, rc->client_nxt, 0);
    EXPECT_STATES(&s, sCL, sCL);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    int sender = dir == C2S ? c->client : !c->client;
    ck_assert(c->tcp_flags[sender] & WST_TH_RST);
    ck_assert(!(c->tcp_flags[!sender] & WST_TH_RST));
    ck_assert_uint_eq(c->end_reason, WST_END_RESET);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_reset_refuses_syn)
{
    /* A closed port answers <SEQ=0><ACK=1001><CTL=RST,ACK> (RFC 9293 §3.10.7.1). */
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, RST | ACK, 0, 1001, 0);
    EXPECT_STATES(&s, sCL, sCL);
    script_finish(&s);
    ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_RESET);
    script_fini(&s);
}
END_TEST

/*
 * The receiver ignores a RST whose sequence number is not RCV.NXT (RFC
 * 5961 §3.2, assumption 3: at most a challenge ACK), so the connection goes
 * on; such a RST is injected or stale, not an abort by the endpoint (an
 * endpoint that aborts sends SND.NXT, which is acceptable), so it moves
 * neither side.
 */
START_TEST(test_fsm_reset_bad_seq_ignored)
{
    struct script s;
    script_init(&s, config());
    handshake(&s);
    /* The client expects 5001 from the server; 9999 is not it. */
    script_seg(&s, S2C, RST | ACK, 9999, 1001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_seg(&s, S2C, ACK | PSH, 5001, 1001, 100);
    script_seg(&s, C2S, ACK, 1001, 5101, 0);
    EXPECT_STATES(&s, sES, sES);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_reset_syn_sent_needs_ack_of_syn)
{
    /* RFC 9293 §3.10.7.3: in SYN_SENT a RST counts only if it acknowledges
     * the SYN (ack 1001); 4242 does not, so the client stays SYN_SENT and
     * the handshake goes on. */
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, RST | ACK, 0, 4242, 0);
    ck_assert_uint_eq(script_client_state(&s), sSS);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_fini(&s);
}
END_TEST

/*
 * The RST here was ignored (previous test), and the connection then ended
 * by a full FIN exchange and TIME_WAIT: it was not "ended by a RST"
 * (conn.h), so the record says "closed".
 */
START_TEST(test_fsm_reset_ignored_does_not_end)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, RST | ACK, 0, 4242, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    close_by_client(&s);
    EXPECT_STATES(&s, sTW, sCL);
    /* The record is written half a second after the last ACK, timers
     * running at their own time even when the next packet comes much
     * later: the client is in TIME_WAIT then. */
    idle_to(&s, s.now_us + 62 * US_PER_S);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(rec_client(c), sTW);
    ck_assert_uint_eq(rec_server(c), sCL);
    ck_assert_str_eq(wst_end_reason_name((enum wst_end_reason)c->end_reason), "closed");
    script_fini(&s);
}
END_TEST

/*
 * TCP Fast Open refused: a RST answering a SYN that carried 100 bytes
 * acknowledges SEG.SEQ + SEG.LEN = 1000 + 1 + 100 = 1101 (RFC 9293
 * §3.10.7.1), which acknowledges the SYN (ISN < 1101 =< SND.NXT).
 * A RST+ACK answering a SYN with data acknowledges the data too (1101):
 * acceptable in SYN_SENT by the same rule as test_fsm_handshake_syn_with_data.
 */
START_TEST(test_fsm_reset_refuses_syn_with_data)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 100);
    script_seg(&s, S2C, RST | ACK, 0, 1101, 0);
    EXPECT_STATES(&s, sCL, sCL);
    script_fini(&s);
}
END_TEST

/* --- midstream --- */

START_TEST(test_fsm_midstream_data_first)
{
    /* Assumption 4: no SYN seen, both UNKNOWN; an acknowledging segment
     * shows both synchronized (SND_ACK and RCV_ACK in UNKNOWN). */
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, ACK | PSH, 1000, 5000, 100);
    EXPECT_STATES(&s, sES, sES);
    script_seg(&s, S2C, ACK, 5000, 1100, 0);
    EXPECT_STATES(&s, sES, sES);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert(c->flags & WST_CONN_MIDSTREAM);
    ck_assert_uint_eq(c->client_basis, WST_CLIENT_PORTS);
    ck_assert_uint_eq(c->port[c->client], 40000);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_midstream_server_sends_first)
{
    /* The first segment comes from port 80; that side is still the server. */
    struct script s;
    script_init(&s, config());
    script_seg(&s, S2C, ACK | PSH, 5000, 1000, 100);
    EXPECT_STATES(&s, sES, sES);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert(c->flags & WST_CONN_MIDSTREAM);
    ck_assert_uint_eq(c->port[c->client], 40000);
    ck_assert_uint_eq(c->port[!c->client], 80);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_midstream_fin)
{
    /* UNKNOWN -> ESTABLISHED by the ACK, then the FIN: sender F1, receiver CW.
     * The FIN takes 1000; 1001 acknowledges it. */
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, FIN | ACK, 1000, 5000, 0);
    EXPECT_STATES(&s, sF1, sCW);
    script_seg(&s, S2C, ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sF2, sCW);
    script_finish(&s);
    ck_assert(script_conn(&s, 0)->flags & WST_CONN_MIDSTREAM);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_midstream_synack_first)
{
    /* The SYN was not captured: the SYN+ACK's sender answered one (UN->SR),
     * its receiver got the answer (UN->ES). A handshake, not midstream. */
    struct script s;
    script_init(&s, config());
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert(!(c->flags & WST_CONN_MIDSTREAM));
    ck_assert_uint_eq(c->client_basis, WST_CLIENT_SYN_ACK);
    ck_assert_uint_eq(c->port[c->client], 40000);
    script_fini(&s);
}
END_TEST

/* --- loss rules --- */

START_TEST(test_fsm_loss_r1_syn_after_synack)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    /* R1: the SYN again, so the SYN+ACK never arrived. */
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sSR);
    /* L: the path to the client loses SYN+ACKs; this one is not assumed delivered. */
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sSS, sSR);
    /* The client's ACK shows it got one after all. */
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 1);
    /* One SYN and one SYN+ACK sent again. */
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(wst_conn_syn_retransmissions(c), 2);
    ck_assert_uint_eq(c->ep[c->client].syns_again, 1);
    ck_assert_uint_eq(c->ep[!c->client].syns_again, 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_loss_r2_synack_after_ack)
{
    struct script s;
    script_init(&s, config());
    handshake(&s);
    /* R2: the SYN+ACK again, so the final ACK never arrived. */
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    /* L: the client's ACK again is not assumed delivered either. */
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sES, sSR);
    /* The server acknowledges in its data: it is synchronized. */
    script_seg(&s, S2C, ACK | PSH, 5001, 1001, 100);
    EXPECT_STATES(&s, sES, sES);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_loss_r3_fin_wait_1)
{
    struct script s;
    script_init(&s, config());
    to_fin_wait_2(&s);
    EXPECT_STATES(&s, sF2, sCW);
    /* R3: the FIN again (still 1001), so the ACK 1002 never arrived. */
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sF1, sCW);
    /* L: a new ACK of the FIN is not assumed delivered. */
    script_seg(&s, S2C, ACK, 5001, 1002, 0);
    EXPECT_STATES(&s, sF1, sCW);
    script_finish(&s);
    ck_assert_uint_eq(wst_conn_fin_retransmissions(script_conn(&s, 0)), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_loss_r3_last_ack)
{
    struct script s;
    script_init(&s, config());
    to_time_wait(&s);
    EXPECT_STATES(&s, sTW, sCL);
    /* R3: the server's FIN (5001) again: the client's ACK 5002 never arrived. */
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    EXPECT_STATES(&s, sTW, sLA);
    /* L: the client's new ACK is not assumed delivered. */
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    EXPECT_STATES(&s, sTW, sLA);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_loss_r3_closing)
{
    /* The client gets to TIME_WAIT through CLOSING: the FINs cross (the
     * server's acknowledges 1001, not the client's FIN). Only the client's
     * states are asserted; the server's are in test_fsm_close_simultaneous. */
    struct script s;
    script_init(&s, config());
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    script_seg(&s, S2C, FIN | ACK, 5001, 1001, 0);
    ck_assert_uint_eq(script_client_state(&s), sCG);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    script_seg(&s, S2C, ACK, 5002, 1002, 0);
    ck_assert_uint_eq(script_client_state(&s), sTW);
    /* R3: the client's FIN again: the ACK 1002 never arrived. */
    script_seg(&s, C2S, FIN | ACK, 1001, 5002, 0);
    ck_assert_uint_eq(script_client_state(&s), sCG);
    /* L: a new ACK of it is not assumed delivered. */
    script_seg(&s, S2C, ACK, 5002, 1002, 0);
    ck_assert_uint_eq(script_client_state(&s), sCG);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_loss_r4_unanswered_syn)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sSR);
    /* R4: the same SYN, and the server sent nothing: neither arrived. */
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sLI);
    /* L: nor does this one. */
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sLI);
    /* A late answer: the server got a SYN after all. */
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_fini(&s);
}
END_TEST

/*
 * Rule L after R4 covers only "a retransmitted SYN to a receiver that never
 * answered"; once the server answered with a SYN+ACK, the client's ACK of
 * it is an ordinary third step (RFC 9293 §3.10.7.4, SYN-RECEIVED ->
 * ESTABLISHED). This is the most common lossy handshake (a SYN dropped by a
 * full backlog, then retransmitted and answered).
 */
START_TEST(test_fsm_loss_r4_then_handshake)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_fini(&s);
}
END_TEST

/* --- sequence arithmetic --- */

START_TEST(test_fsm_seq_ack_must_cover_fin)
{
    /* The FIN takes 1001: ack 1001 acknowledges the data before it, not the
     * FIN (assumption 3); ack 1002 does. */
    struct script s;
    script_init(&s, config());
    to_fin_wait_1(&s);
    script_seg(&s, S2C, ACK, 5001, 1001, 0);
    EXPECT_STATES(&s, sF1, sCW);
    script_seg(&s, S2C, ACK, 5001, 1002, 0);
    EXPECT_STATES(&s, sF2, sCW);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_seq_wraps)
{
    /* Client ISN 2^32 - 2: it sends from 2^32 - 1, its FIN takes 2^32 - 1,
     * and the ACK of the FIN is 2^32 mod 2^32 = 0. Server ISN 2^32 - 1: it
     * sends from 0, so the ACK of its SYN is 0 as well. */
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 0xFFFFFFFEu, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 0xFFFFFFFFu, 0xFFFFFFFFu, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, C2S, ACK, 0xFFFFFFFFu, 0, 0);
    EXPECT_STATES(&s, sES, sES);
    script_seg(&s, C2S, FIN | ACK, 0xFFFFFFFFu, 0, 0);
    EXPECT_STATES(&s, sF1, sCW);
    script_seg(&s, S2C, ACK, 0, 0, 0);
    EXPECT_STATES(&s, sF2, sCW);
    /* The server's FIN takes 0; 1 acknowledges it. */
    script_seg(&s, S2C, FIN | ACK, 0, 0, 0);
    EXPECT_STATES(&s, sTW, sLA);
    script_seg(&s, C2S, ACK, 0, 1, 0);
    EXPECT_STATES(&s, sTW, sCL);
    script_fini(&s);
}
END_TEST

/* --- timers and reuse --- */

/*
 * Timers run on capture time, which every packet moves, TCP or not: a frame
 * of other traffic (script_idle) ends TIME_WAIT, retires what is over or
 * idle, just as a segment would.
 */

START_TEST(test_fsm_timer_time_wait_lasts_2msl)
{
    struct script s;
    script_init(&s, config());
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    script_seg(&s, S2C, ACK, 5001, 1002, 0);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    uint64_t tw_us = last_seg_us(&s); /* the client entered TIME_WAIT here */
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    /* Reported when done on the wire (tracker.c, invariant 4), the client
     * in TIME_WAIT; 2 x MSL = 60 s later it still holds it. */
    idle_to(&s, tw_us + 59900 * US_PER_MS);
    EXPECT_STATES(&s, sTW, sCL);
    ck_assert_uint_eq(s.n_conns, 1);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(rec_client(c), sTW);
    ck_assert_uint_eq(rec_server(c), sCL);
    ck_assert_uint_eq(c->end_reason, WST_END_CLOSED);
    /* Past 60 s (and a slot of the timer wheel): TIME_WAIT is over, both
     * CLOSED, and the last packet (tw_us + 1 ms) is 60 s old, so the
     * connection leaves the table, reported once only. */
    idle_to(&s, tw_us + 60200 * US_PER_MS);
    ck_assert_ptr_null(script_live(&s));
    ck_assert_uint_eq(s.n_conns, 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_timer_fin_restarts_time_wait)
{
    struct script s;
    script_init(&s, config());
    to_time_wait(&s);
    uint64_t fin_us = last_seg_us(&s) + 30 * US_PER_S;
    idle_to(&s, fin_us);
    /* The server's FIN again, 30 s into TIME_WAIT: 60 s start over
     * (RFC 9293 §3.10.7.4); the server is LAST_ACK again (R3). */
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    EXPECT_STATES(&s, sTW, sLA);
    /* 45 s after the retransmission, 75 s after TIME_WAIT began: still on. */
    idle_to(&s, fin_us + 45 * US_PER_S);
    EXPECT_STATES(&s, sTW, sLA);
    /* 61.5 s after the retransmission: over. The server is still LAST_ACK
     * (L), so the connection stays. */
    idle_to(&s, fin_us + 61500 * US_PER_MS);
    EXPECT_STATES(&s, sCL, sLA);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_timer_reuse_after_time_wait)
{
    struct script s;
    script_init(&s, config());
    to_time_wait(&s);
    /* RFC 9293 §3.6.1 (and Linux): a SYN with a new ISN may reopen the
     * 4-tuple while in TIME_WAIT. */
    script_seg(&s, C2S, SYN, 90000, 0, 0);
    EXPECT_STATES(&s, sSS, sSR);
    script_seg(&s, S2C, SYN | ACK, 70000, 90001, 0);
    script_seg(&s, C2S, ACK, 90001, 70001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 2);
    const struct wst_conn *old = script_conn(&s, 0), *cur = script_conn(&s, 1);
    ck_assert_uint_eq(old->id, 1);
    ck_assert_uint_eq(old->end_reason, WST_END_REUSED);
    /* SYN, ACK, FIN, ACK of the first connection; SYN, ACK of the second. */
    ck_assert_uint_eq(old->packets[old->client], 4);
    /* Named by its first packet, the capture's 8th (item.h). */
    ck_assert_uint_eq(cur->id, 8);
    ck_assert_uint_eq(cur->packets[cur->client], 2);
    ck_assert_uint_eq(cur->ep[cur->client].isn, 90000);
    ck_assert_uint_eq(cur->end_reason, WST_END_CAPTURE_END);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_timer_reuse_after_refused)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, RST | ACK, 0, 1001, 0);
    EXPECT_STATES(&s, sCL, sCL);
    /* A new attempt with a new ISN: a new connection. */
    script_seg(&s, C2S, SYN, 2000, 0, 0);
    EXPECT_STATES(&s, sSS, sSR);
    script_seg(&s, S2C, RST | ACK, 0, 2001, 0);
    EXPECT_STATES(&s, sCL, sCL);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 2);
    ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_REUSED);
    ck_assert_uint_eq(script_conn(&s, 1)->id, 3); /* its SYN, the 3rd packet */
    ck_assert_uint_eq(script_conn(&s, 1)->end_reason, WST_END_RESET);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_timer_same_isn_is_not_new)
{
    /* The refused SYN again with ISN 1000: a retransmission of this
     * connection, not a new one. The client is SYN_SENT again; the server,
     * which answered (RST), receives it CLOSED and stays CLOSED. */
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, RST | ACK, 0, 1001, 0);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sCL);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 1);
    ck_assert_uint_eq(wst_conn_syn_retransmissions(script_conn(&s, 0)), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_timer_capture_end)
{
    struct script s;
    script_init(&s, config());
    handshake(&s);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->end_reason, WST_END_CAPTURE_END);
    ck_assert_uint_eq(rec_client(c), sES);
    ck_assert_uint_eq(rec_server(c), sES);
    script_fini(&s);
}
END_TEST

START_TEST(test_fsm_timer_idle_timeout)
{
    struct wst_pipeline_config cfg = *config();
    cfg.tracker.idle_timeout_s = 10;
    struct script s;
    script_init(&s, &cfg);
    handshake(&s);
    /* 10 s after the last segment, plus the sweep period (a tenth of it). */
    idle_to(&s, last_seg_us(&s) + 11500 * US_PER_MS);
    ck_assert_ptr_null(script_live(&s));
    ck_assert_uint_eq(s.n_conns, 1);
    ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_TIMEOUT);
    script_fini(&s);
}
END_TEST

/* --- rule L: the ACK of a FIN after a proven loss --- */

/*
 * The client's ACK of the server's FIN was lost once (R3), so its next ACK
 * is not assumed delivered (L). The server then stays silent: had that ACK
 * not arrived, the server would have sent its FIN again within twice its
 * retransmission timeout (800 ms after its second FIN), so it did arrive.
 */
START_TEST(test_fsm_loss_l_fin_ack_released_by_silence)
{
    struct script s;
    script_init(&s, config());
    uint64_t t0 = s.now_us;
    handshake(&s);
    idle_to(&s, t0 + 10 * US_PER_S);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    idle_to(&s, t0 + 11 * US_PER_S);
    script_seg(&s, S2C, ACK, 5001, 1002, 0);
    idle_to(&s, t0 + 12 * US_PER_S);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    idle_to(&s, t0 + 13 * US_PER_S);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    EXPECT_STATES(&s, sTW, sCL);
    /* R3, the server's FIN again (it never got the ACK 5002)... */
    idle_to(&s, t0 + 13500 * US_PER_MS);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    EXPECT_STATES(&s, sTW, sLA);
    /* ...and L: the new ACK is held... */
    idle_to(&s, t0 + 13600 * US_PER_MS);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    EXPECT_STATES(&s, sTW, sLA);
    /* ...still within 800 ms of the FIN (due at 14.3 s)... */
    idle_to(&s, t0 + 14200 * US_PER_MS);
    EXPECT_STATES(&s, sTW, sLA);
    /* ...and the silence after it (plus the timer wheel's second) says it
     * arrived: the server is CLOSED. */
    idle_to(&s, t0 + 15500 * US_PER_MS);
    EXPECT_STATES(&s, sTW, sCL);
    /* Done on the wire again: reported half a second later, the client
     * still in TIME_WAIT (as ss would show it then)... */
    idle_to(&s, t0 + 16200 * US_PER_MS);
    ck_assert_uint_eq(s.n_conns, 1);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(rec_client(c), sTW);
    ck_assert_uint_eq(rec_server(c), sCL);
    ck_assert_uint_eq(c->end_reason, WST_END_CLOSED);
    /* ...and held until TIME_WAIT (restarted with the FIN at 13.5 s) and
     * 60 s after the last packet (13.6 s) are over: gone, not reported again. */
    idle_to(&s, t0 + 75 * US_PER_S);
    ck_assert_ptr_null(script_live(&s));
    ck_assert_uint_eq(s.n_conns, 1);
    script_fini(&s);
}
END_TEST

/*
 * After R3 the client, FIN_WAIT_1, gets an ACK of its FIN on a data
 * segment that is held (L); when it acknowledges that data it shows it got
 * the segment, and the ACK on it: FIN_WAIT_2.
 */
START_TEST(test_fsm_loss_l_fin_ack_released_by_ack_of_data)
{
    struct script s;
    script_init(&s, config());
    to_fin_wait_2(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sF1, sCW);
    script_seg(&s, S2C, ACK | PSH, 5001, 1002, 100);
    EXPECT_STATES(&s, sF1, sCW);
    /* An ACK short of the data proves nothing. */
    script_seg(&s, C2S, ACK, 1002, 5050, 0);
    EXPECT_STATES(&s, sF1, sCW);
    script_seg(&s, C2S, ACK, 1002, 5101, 0);
    EXPECT_STATES(&s, sF2, sCW);
    script_fini(&s);
}
END_TEST

/* --- assumption 6: what moves nobody --- */

START_TEST(test_fsm_scan_fin_and_xmas_move_nothing)
{
    struct script s;
    script_init(&s, config());
    handshake(&s);
    /* A FIN scan and an Xmas scan on the connection's 4-tuple. */
    script_seg(&s, C2S, FIN, 1001, 0, 0);
    EXPECT_STATES(&s, sES, sES);
    script_seg(&s, C2S, FIN | PSH | CRAFT_URG, 1001, 0, 0);
    EXPECT_STATES(&s, sES, sES);
    /* A SYN+FIN opens nothing either (assumption 7). */
    s.client_port = 40001;
    script_seg(&s, C2S, SYN | FIN, 3000, 0, 0);
    EXPECT_STATES(&s, sUN, sUN);
    /* A FIN scan on a fresh 4-tuple: nothing to infer. */
    s.client_port = 40002;
    script_seg(&s, C2S, FIN, 4000, 0, 0);
    EXPECT_STATES(&s, sUN, sUN);
    script_fini(&s);
}
END_TEST

/*
 * A scanner's SYN+FIN on a fresh 4-tuple (nmap --scanflags SYNFIN), and
 * nothing back for 10 s: Linux discards it in LISTEN (tcp_rcv_state_process())
 * and a closed port would have answered with a RST. The record shows what
 * the wire proves: nothing opened, both UNKNOWN; no handshake started, so
 * not mid-stream; the client is the sender only by the port guess (80 is
 * the service port), as a SYN+FIN is no active open.
 */
START_TEST(test_fsm_syn_fin_record)
{
    static const uint8_t flags[] = {SYN | FIN, SYN | FIN | ACK};
    for (size_t k = 0; k < sizeof flags; k++) {
        struct script s;
        script_init(&s, config());
        uint64_t t0 = s.now_us;
        script_seg(&s, C2S, flags[k], 3000, (flags[k] & ACK) ? 7000 : 0, 0);
        EXPECT_STATES(&s, sUN, sUN);
        idle_to(&s, t0 + 10 * US_PER_S);
        script_finish(&s);
        ck_assert_uint_eq(s.n_conns, 1);
        const struct wst_conn *c = script_conn(&s, 0);
        ck_assert_uint_eq(rec_client(c), sUN);
        ck_assert_uint_eq(rec_server(c), sUN);
        ck_assert(!(c->flags & WST_CONN_MIDSTREAM));
        ck_assert_uint_eq(c->client_basis, WST_CLIENT_PORTS);
        ck_assert_uint_eq(c->port[c->client], 40000);
        ck_assert_uint_eq(c->end_reason, WST_END_CAPTURE_END);
        ck_assert_uint_eq(wst_conn_syn_retransmissions(c), 0);
        ck_assert(!(c->ep[c->client].flags & (WST_EP_HAS_ISN | WST_EP_HAS_SEQ)));
        script_fini(&s);
    }
}
END_TEST

/*
 * A SYN+FIN with the ISN of the client's SYN, in the middle of the
 * handshake: not a retransmission of the SYN, and it does not move the
 * client's next sequence number (a SYN+FIN would take two), so the RST the
 * client sends at 1001 after the handshake still ends the connection.
 */
START_TEST(test_fsm_syn_fin_in_handshake)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, C2S, SYN | FIN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sSR);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(&s, S2C, SYN | FIN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_seg(&s, C2S, RST, 1001, 0, 0);
    EXPECT_STATES(&s, sCL, sCL);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 1);
    ck_assert_uint_eq(wst_conn_syn_retransmissions(script_conn(&s, 0)), 0);
    ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_RESET);
    script_fini(&s);
}
END_TEST

/* A SYN+FIN with a new ISN over a connection in TIME_WAIT reuses nothing. */
START_TEST(test_fsm_syn_fin_after_close)
{
    struct script s;
    script_init(&s, config());
    to_time_wait(&s);
    script_seg(&s, C2S, SYN | FIN, 90000, 0, 0);
    EXPECT_STATES(&s, sTW, sCL);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 1); /* done on the wire: closed, the client in TIME_WAIT */
    ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_CLOSED);
    script_fini(&s);
}
END_TEST

/*
 * A SYN on a synchronized connection (a port scanner, a client whose
 * connection the server forgot) is not part of it: it neither moves the
 * states nor teaches the client's sequence numbers, so the client's RST
 * that follows the server's challenge ACK, at the client's real next
 * sequence number, still ends the connection.
 */
START_TEST(test_fsm_unexpected_syn_teaches_nothing)
{
    struct script s;
    script_init(&s, config());
    uint64_t t0 = s.now_us;
    script_seg(&s, C2S, ACK | PSH, 1000, 5000, 10);
    script_seg(&s, S2C, ACK, 5000, 1010, 0);
    EXPECT_STATES(&s, sES, sES);
    idle_to(&s, t0 + 100 * US_PER_S);
    script_seg(&s, C2S, SYN, 90000, 0, 0);
    EXPECT_STATES(&s, sES, sES);
    script_seg(&s, S2C, ACK, 5000, 1010, 0);
    script_seg(&s, C2S, RST, 1010, 0, 0);
    EXPECT_STATES(&s, sCL, sCL);
    /* Long after: the same SYN opens a connection of its own. */
    idle_to(&s, t0 + 1100 * US_PER_S);
    script_seg(&s, C2S, SYN, 90000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 70000, 90001, 0);
    script_seg(&s, C2S, ACK, 90001, 70001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 2);
    const struct wst_conn *old = script_conn(&s, 0), *cur = script_conn(&s, 1);
    ck_assert_uint_eq(old->end_reason, WST_END_RESET);
    ck_assert(old->flags & WST_CONN_MIDSTREAM);
    ck_assert(!(old->ep[old->client].flags & WST_EP_HAS_ISN));
    ck_assert_uint_eq(old->packets[old->client], 3);
    ck_assert_uint_eq(cur->id, 8); /* its SYN, the 8th frame (two idle ARP frames among them) */
    ck_assert(!(cur->flags & WST_CONN_MIDSTREAM));
    ck_assert_uint_eq(cur->ep[cur->client].isn, 90000);
    script_fini(&s);
}
END_TEST

/* --- RST acceptability details (assumption 3) --- */

START_TEST(test_fsm_reset_fin_seq_minus_one)
{
    /* One less than the next sequence number, the FIN's own: accepted by
     * an endpoint that received that FIN and is still CLOSE_WAIT... */
    struct script s;
    script_init(&s, config());
    to_close_wait(&s);
    script_seg(&s, S2C, RST, 5001, 0, 0);
    EXPECT_STATES(&s, sCL, sCL);
    script_fini(&s);
    /* ...not by one in TIME_WAIT, as Linux (tcp_reset_check()). */
    script_init(&s, config());
    to_time_wait(&s);
    script_seg(&s, S2C, RST, 5001, 0, 0);
    EXPECT_STATES(&s, sTW, sCL);
    script_fini(&s);
}
END_TEST

/*
 * A capture that starts in the middle sees the client only through the
 * server's ACKs, then a keepalive probe one below them (RFC 9293 §3.8.4);
 * the client's RST at what the server acknowledged is exact.
 */
START_TEST(test_fsm_reset_midstream_after_keepalive)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, S2C, ACK, 5000, 1010, 0);
    script_seg(&s, C2S, ACK, 1009, 5000, 0);
    script_seg(&s, S2C, ACK, 5000, 1010, 0);
    EXPECT_STATES(&s, sES, sES);
    script_seg(&s, C2S, RST, 1010, 0, 0);
    EXPECT_STATES(&s, sCL, sCL);
    script_fini(&s);
}
END_TEST

/* --- the timer wheel --- */

/*
 * A gap of 30 days in capture time (a long capture, a damaged clock):
 * every timer due in it fires at once, without turning the wheel second
 * by second, and connections retire with the reason each earned.
 */
START_TEST(test_fsm_timer_clock_jumps)
{
    struct script s;
    script_init(&s, config());
    to_time_wait(&s);
    s.client_port = 40001;
    handshake(&s);
    idle_to(&s, s.now_us + 30ULL * 86400 * US_PER_S);
    ck_assert_ptr_null(script_live(&s));
    s.client_port = 40000;
    ck_assert_ptr_null(script_live(&s));
    ck_assert_uint_eq(s.n_conns, 2);
    for (size_t i = 0; i < 2; i++) {
        const struct wst_conn *c = script_conn(&s, i);
        ck_assert_uint_eq(c->end_reason, c->id == 1 ? WST_END_CLOSED : WST_END_TIMEOUT);
    }
    script_fini(&s);
}
END_TEST

/* A capture whose clock starts at the epoch (some generators write 0):
 * timers due in its very first second still run. */
START_TEST(test_fsm_timer_epoch_zero)
{
    struct script s;
    script_init(&s, config());
    s.now_us = 0;
    /* The release of rule L is due 800 ms after the server's second FIN,
     * within second 0. */
    to_time_wait(&s);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    EXPECT_STATES(&s, sTW, sLA);
    idle_to(&s, 2 * US_PER_S);
    EXPECT_STATES(&s, sTW, sCL);
    idle_to(&s, 70 * US_PER_S);
    ck_assert_ptr_null(script_live(&s));
    ck_assert_uint_eq(s.n_conns, 1);
    ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_CLOSED);
    script_fini(&s);
}
END_TEST

/* --- Linux: what the kernel does where RFC 9293 leaves room --- */

/*
 * A RST accepted by a server in SYN_RCVD: Linux frees the request socket
 * (tcp_check_req(), embryonic_reset), so the connection is CLOSED at the
 * server, listener or not (RFC 9293's passive open went back to LISTEN).
 */
START_TEST(test_fsm_linux_rst_in_syn_rcvd_closes)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    /* The client aborts before its ACK went by: RST+ACK at its next sequence number. */
    script_seg(&s, C2S, RST | ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sCL, sCL);
    script_finish(&s);
    ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_RESET);
    script_fini(&s);
}
END_TEST

/*
 * R6, the timestamp case: the client rejects a SYN+ACK whose ACK is right
 * (its timestamp echo is not, which the tap does not judge) and answers
 * <SEQ=1001><CTL=RST>. It is still SYN_SENT; the server's request socket
 * is gone (CLOSED). Its SYN again makes a new one, with a new ISN (3000,
 * below the first, which must not be taken for it); that SYN+ACK completes
 * the handshake. One connection, never reset.
 */
START_TEST(test_fsm_linux_reject_synack_timestamp)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, C2S, RST, 1001, 0, 0);
    EXPECT_STATES(&s, sSS, sCL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sSR);
    script_seg(&s, S2C, SYN | ACK, 3000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, C2S, ACK, 1001, 3001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 1);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->end_reason, WST_END_CAPTURE_END);
    ck_assert(!(c->flags & WST_CONN_RESET));
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

/*
 * R6, the acknowledgement case: a SYN+ACK acknowledging 4242 is rejected
 * (RFC 9293 §3.10.7.3) and answered <SEQ=4242><CTL=RST>, which the server
 * does not accept: nobody moves. The rejected SYN+ACK taught nothing about
 * the server (ISN 9000), so the real one (7000) and its ACK complete the
 * handshake.
 */
START_TEST(test_fsm_linux_reject_synack_bad_ack)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 9000, 4242, 0);
    EXPECT_STATES(&s, sSS, sSR);
    script_seg(&s, C2S, RST, 4242, 0, 0);
    EXPECT_STATES(&s, sSS, sSR);
    script_seg(&s, S2C, SYN | ACK, 7000, 1001, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, C2S, ACK, 1001, 7001, 0);
    EXPECT_STATES(&s, sES, sES);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 1);
    ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_CAPTURE_END);
    script_fini(&s);
}
END_TEST

/*
 * A half-open scan: the scanner's kernel answers the SYN+ACK to a SYN it
 * did not send with <SEQ=1001><CTL=RST>, which frees the server's request
 * (CLOSED). R6 keeps the client SYN_SENT, but no SYN comes again: twice
 * the first retransmission timeout (2 s) after it, rule G closes it too.
 */
START_TEST(test_fsm_linux_half_open_scan)
{
    struct script s;
    script_init(&s, config());
    uint64_t t0 = s.now_us;
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(&s, C2S, RST, 1001, 0, 0); /* at 2 ms */
    EXPECT_STATES(&s, sSS, sCL);
    idle_to(&s, t0 + 1900 * US_PER_MS);
    EXPECT_STATES(&s, sSS, sCL);
    /* Due at 2.002 s, acted on within the timer wheel's second. */
    idle_to(&s, t0 + 3100 * US_PER_MS);
    EXPECT_STATES(&s, sCL, sCL);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert(wst_conn_gave_up(c, c->client));
    ck_assert(!wst_conn_gave_up(c, !c->client));
    ck_assert_uint_eq(c->end_reason, WST_END_CLOSED);
    script_fini(&s);
}
END_TEST

/*
 * Rule G: SYNs at 0 and 1 s, nothing back; the next would come at 3 s.
 * Twice 1 + 2 s after the first SYN, at 6 s, the client gave up (CLOSED;
 * the server, which never answered, LISTEN since R4), in the middle of the
 * capture (the timer wheel) and with syn_unanswered until then.
 */
START_TEST(test_fsm_linux_giveup_mid_capture)
{
    struct script s;
    script_init(&s, config());
    uint64_t t0 = s.now_us;
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    idle_to(&s, t0 + 1 * US_PER_S);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sLI);
    idle_to(&s, t0 + 5900 * US_PER_MS);
    EXPECT_STATES(&s, sSS, sLI);
    idle_to(&s, t0 + 7100 * US_PER_MS);
    EXPECT_STATES(&s, sCL, sLI);
    /* The record ends 2 x MSL after its last packet, as any other over. */
    idle_to(&s, t0 + 62 * US_PER_S);
    ck_assert_ptr_null(script_live(&s));
    ck_assert_uint_eq(s.n_conns, 1);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert(wst_conn_gave_up(c, c->client));
    ck_assert_uint_eq(c->end_reason, WST_END_CLOSED);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_SYN_UNANSWERED);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(a->since_us, t0);
    ck_assert_uint_eq(a->until_us, t0 + 6 * US_PER_S);
    ck_assert(!a->ongoing);
    ck_assert_uint_eq(a->count, 2);
    ck_assert_uint_eq(a->detail[0], WST_ANSWER_NONE);
    script_fini(&s);
}
END_TEST

/* The same decided at the end of the capture (6.2 s), and not before it (5.8 s). */
START_TEST(test_fsm_linux_giveup_at_capture_end)
{
    for (int late = 0; late < 2; late++) {
        struct script s;
        script_init(&s, config());
        uint64_t t0 = s.now_us;
        script_seg(&s, C2S, SYN, 1000, 0, 0);
        idle_to(&s, t0 + 1 * US_PER_S);
        script_seg(&s, C2S, SYN, 1000, 0, 0);
        idle_to(&s, t0 + (late ? 6200 : 5800) * US_PER_MS);
        script_finish(&s);
        const struct wst_conn *c = script_conn(&s, 0);
        ck_assert_uint_eq(rec_client(c), late ? sCL : sSS);
        ck_assert_uint_eq(rec_server(c), sLI);
        ck_assert(wst_conn_gave_up(c, c->client) == (late != 0));
        ck_assert_uint_eq(c->end_reason, late ? WST_END_CLOSED : WST_END_CAPTURE_END);
        script_fini(&s);
    }
}
END_TEST

/*
 * A lone SYN nobody answers shows no backoff to time (a spoofed source, a
 * scanner): still SYN_SENT 30 s later. And a client taken to have given up
 * that sends its SYN again after all is SYN_SENT again, no longer gave_up,
 * as long as the record is not written yet: once it is (half a second
 * after the give-up, tracker.c invariant 4), what comes later does not
 * change it.
 */
START_TEST(test_fsm_linux_giveup_lone_syn_and_revival)
{
    struct script s;
    script_init(&s, config());
    uint64_t t0 = s.now_us;
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    idle_to(&s, t0 + 30 * US_PER_S);
    EXPECT_STATES(&s, sSS, sSR);
    script_fini(&s);

    script_init(&s, config());
    t0 = s.now_us;
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    idle_to(&s, t0 + 1 * US_PER_S);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    /* Given up twice 1 + 2 s after the first SYN (rule G), at 6 s; written
     * half a second later. */
    idle_to(&s, t0 + 6200 * US_PER_MS);
    EXPECT_STATES(&s, sCL, sLI);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sLI);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(rec_client(c), sSS);
    ck_assert(!wst_conn_gave_up(c, c->client));
    script_fini(&s);

    script_init(&s, config());
    t0 = s.now_us;
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    idle_to(&s, t0 + 1 * US_PER_S);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    idle_to(&s, t0 + 6700 * US_PER_MS);
    ck_assert_uint_eq(s.n_conns, 1); /* written */
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    EXPECT_STATES(&s, sSS, sLI);
    script_finish(&s);
    ck_assert_uint_eq(s.n_conns, 1);
    c = script_conn(&s, 0);
    ck_assert_uint_eq(rec_client(c), sCL);
    ck_assert(wst_conn_gave_up(c, c->client));
    script_fini(&s);
}
END_TEST

/*
 * TCP Fast Open (RFC 7413): 100 bytes on the SYN, acknowledged by the
 * SYN+ACK (1101); the server answers with 200 bytes at once, from
 * SYN_RCVD (Linux tcp_fastopen_create_child()). It is not ESTABLISHED
 * until the client's ACK, which comes with or after the data's.
 */
START_TEST(test_fsm_linux_fast_open_server_data)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 100);
    script_seg(&s, S2C, SYN | ACK, 5000, 1101, 0);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, S2C, ACK | PSH, 5001, 1101, 200);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, S2C, ACK | PSH, 5201, 1101, 200);
    EXPECT_STATES(&s, sES, sSR);
    script_seg(&s, C2S, ACK, 1101, 5401, 0);
    EXPECT_STATES(&s, sES, sES);
    script_fini(&s);
}
END_TEST

/*
 * What still shows a handshake completed behind the tap: a Fast Open
 * server that acknowledges more than the SYN's data got what the client
 * sent after its ACK; a server whose SYN+ACK acknowledged no data sends
 * nothing but SYN+ACKs before the last ACK (a lost final ACK at the tap).
 */
START_TEST(test_fsm_linux_fast_open_what_completes)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 100);
    script_seg(&s, S2C, SYN | ACK, 5000, 1101, 0);
    script_seg(&s, S2C, ACK | PSH, 5001, 1101, 200);
    EXPECT_STATES(&s, sES, sSR);
    /* The client's ACK and 50 bytes went by unseen; the server acknowledges them. */
    script_seg(&s, S2C, ACK, 5201, 1151, 0);
    EXPECT_STATES(&s, sES, sES);
    script_fini(&s);

    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(&s, S2C, ACK | PSH, 5001, 1001, 200);
    EXPECT_STATES(&s, sES, sES);
    script_fini(&s);
}
END_TEST

/*
 * A SYN+ACK+FIN acknowledging the client's SYN: Linux takes the SYN+ACK
 * (ESTABLISHED) and drops the FIN and the data with it
 * (tcp_rcv_state_process(): only URG is looked at after
 * tcp_rcv_synsent_state_process()); its ACK covers the SYN alone, and the
 * FIN counts when it comes again (CLOSE_WAIT). The server sent a FIN from
 * SYN_RCVD: FIN_WAIT_1, then FIN_WAIT_2 on its ACK. _i: without, with data.
 */
START_TEST(test_fsm_linux_synack_fin)
{
    uint32_t len = _i ? 100 : 0;
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK | FIN | (len ? PSH : 0), 5000, 1001, len);
    EXPECT_STATES(&s, sES, sF1);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    EXPECT_STATES(&s, sES, sF1);
    /* The data and FIN again (the FIN takes 5001 + len). */
    script_seg(&s, S2C, FIN | ACK | (len ? PSH : 0), 5001, 1001, len);
    EXPECT_STATES(&s, sCW, sF1);
    script_seg(&s, C2S, ACK, 1001, 5002 + len, 0);
    EXPECT_STATES(&s, sCW, sF2);
    script_seg(&s, C2S, FIN | ACK, 1001, 5002 + len, 0);
    EXPECT_STATES(&s, sLA, sTW);
    script_seg(&s, S2C, ACK, 5002 + len, 1002, 0);
    EXPECT_STATES(&s, sCL, sTW);
    script_finish(&s);
    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(wst_conn_fin_retransmissions(c), 1);
    ck_assert_ptr_nonnull(script_anomaly(&s, 0, WST_AN_INVALID_FLAGS));
    script_fini(&s);
}
END_TEST

/* One that does not acknowledge the SYN is still nothing (assumption 7). */
START_TEST(test_fsm_linux_synack_fin_not_acknowledging)
{
    struct script s;
    script_init(&s, config());
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK | FIN, 5000, 7777, 0);
    EXPECT_STATES(&s, sSS, sSR);
    script_fini(&s);
}
END_TEST

Suite *fsm_suite(void)
{
    Suite *s = suite_create("fsm");
    TCase *tc = tcase_create("table");
    tcase_add_test(tc, test_fsm_table_has_no_unset_cell);
    tcase_add_test(tc, test_fsm_names_are_unique);
    tcase_add_loop_test(tc, test_fsm_cell_by_segment, 1, WST_EV__COUNT);
    tcase_add_loop_test(tc, test_fsm_cell_by_table, 1, WST_EV__COUNT);
    tcase_add_test(tc, test_fsm_cell_neighbours);
    tcase_add_loop_test(tc, test_fsm_cell_syn_fin_moves_nobody, 0, (int)sizeof syn_fin_flags);
    tcase_add_loop_test(tc, test_fsm_init_syn_fin_opens_nothing, 0, (int)sizeof syn_fin_flags);
    tcase_add_test(tc, test_fsm_cell_syn_rst_is_a_rst);
    suite_add_tcase(s, tc);

    tc = tcase_create("handshake");
    tcase_add_test(tc, test_fsm_handshake_three_way);
    tcase_add_test(tc, test_fsm_handshake_syn_retransmitted);
    tcase_add_test(tc, test_fsm_handshake_simultaneous_open);
    tcase_add_test(tc, test_fsm_handshake_synack_bad_ack);
    tcase_add_test(tc, test_fsm_handshake_syn_with_data);
    suite_add_tcase(s, tc);

    tc = tcase_create("close");
    tcase_add_test(tc, test_fsm_close_by_client);
    tcase_add_test(tc, test_fsm_close_by_server);
    tcase_add_test(tc, test_fsm_close_fin_ack_acks_fin);
    tcase_add_test(tc, test_fsm_close_simultaneous);
    tcase_add_test(tc, test_fsm_close_half_close_data_flows);
    suite_add_tcase(s, tc);

    tc = tcase_create("reset");
    tcase_add_loop_test(tc, test_fsm_reset_in_every_state, 0, 2 * (int)(sizeof rst_cases / sizeof rst_cases[0]));
    tcase_add_test(tc, test_fsm_reset_refuses_syn);
    tcase_add_test(tc, test_fsm_reset_bad_seq_ignored);
    tcase_add_test(tc, test_fsm_reset_syn_sent_needs_ack_of_syn);
    tcase_add_test(tc, test_fsm_reset_ignored_does_not_end);
    tcase_add_test(tc, test_fsm_reset_refuses_syn_with_data);
    tcase_add_test(tc, test_fsm_reset_fin_seq_minus_one);
    tcase_add_test(tc, test_fsm_reset_midstream_after_keepalive);
    suite_add_tcase(s, tc);

    tc = tcase_create("midstream");
    tcase_add_test(tc, test_fsm_midstream_data_first);
    tcase_add_test(tc, test_fsm_midstream_server_sends_first);
    tcase_add_test(tc, test_fsm_midstream_fin);
    tcase_add_test(tc, test_fsm_midstream_synack_first);
    suite_add_tcase(s, tc);

    tc = tcase_create("loss");
    tcase_add_test(tc, test_fsm_loss_r1_syn_after_synack);
    tcase_add_test(tc, test_fsm_loss_r2_synack_after_ack);
    tcase_add_test(tc, test_fsm_loss_r3_fin_wait_1);
    tcase_add_test(tc, test_fsm_loss_r3_last_ack);
    tcase_add_test(tc, test_fsm_loss_r3_closing);
    tcase_add_test(tc, test_fsm_loss_r4_unanswered_syn);
    tcase_add_test(tc, test_fsm_loss_r4_then_handshake);
    tcase_add_test(tc, test_fsm_loss_l_fin_ack_released_by_silence);
    tcase_add_test(tc, test_fsm_loss_l_fin_ack_released_by_ack_of_data);
    suite_add_tcase(s, tc);

    tc = tcase_create("sequence");
    tcase_add_test(tc, test_fsm_seq_ack_must_cover_fin);
    tcase_add_test(tc, test_fsm_seq_wraps);
    suite_add_tcase(s, tc);

    tc = tcase_create("timers");
    tcase_add_test(tc, test_fsm_timer_time_wait_lasts_2msl);
    tcase_add_test(tc, test_fsm_timer_fin_restarts_time_wait);
    tcase_add_test(tc, test_fsm_timer_reuse_after_time_wait);
    tcase_add_test(tc, test_fsm_timer_reuse_after_refused);
    tcase_add_test(tc, test_fsm_timer_same_isn_is_not_new);
    tcase_add_test(tc, test_fsm_timer_capture_end);
    tcase_add_test(tc, test_fsm_timer_idle_timeout);
    tcase_add_test(tc, test_fsm_timer_clock_jumps);
    tcase_add_test(tc, test_fsm_timer_epoch_zero);
    suite_add_tcase(s, tc);

    tc = tcase_create("linux");
    tcase_add_test(tc, test_fsm_linux_rst_in_syn_rcvd_closes);
    tcase_add_test(tc, test_fsm_linux_reject_synack_timestamp);
    tcase_add_test(tc, test_fsm_linux_reject_synack_bad_ack);
    tcase_add_test(tc, test_fsm_linux_half_open_scan);
    tcase_add_test(tc, test_fsm_linux_giveup_mid_capture);
    tcase_add_test(tc, test_fsm_linux_giveup_at_capture_end);
    tcase_add_test(tc, test_fsm_linux_giveup_lone_syn_and_revival);
    tcase_add_test(tc, test_fsm_linux_fast_open_server_data);
    tcase_add_test(tc, test_fsm_linux_fast_open_what_completes);
    tcase_add_loop_test(tc, test_fsm_linux_synack_fin, 0, 2);
    tcase_add_test(tc, test_fsm_linux_synack_fin_not_acknowledging);
    suite_add_tcase(s, tc);

    tc = tcase_create("unexpected");
    tcase_add_test(tc, test_fsm_scan_fin_and_xmas_move_nothing);
    tcase_add_test(tc, test_fsm_syn_fin_record);
    tcase_add_test(tc, test_fsm_syn_fin_in_handshake);
    tcase_add_test(tc, test_fsm_syn_fin_after_close);
    tcase_add_test(tc, test_fsm_unexpected_syn_teaches_nothing);
    suite_add_tcase(s, tc);
    return s;
}
