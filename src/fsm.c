/*
 * fsm.c - both endpoints' RFC 793 states, from the segments on the wire.
 *
 * Model (RFC 9293 §3.3.2, the RFC 793 diagram):
 *
 *                              +---------+ ---------\      active OPEN
 *                              |  CLOSED |            \    -----------
 *                              +---------+<---------\   \   create TCB
 *                                |     ^              \   \  snd SYN
 *                   passive OPEN |     |   CLOSE        \   \
 *                   ------------ |     | ----------       \   \
 *                    create TCB  |     | delete TCB         \   \
 *                                V     |                      \   \
 *            rcv RST (note 1)  +---------+            CLOSE    |    \
 *         -------------------->|  LISTEN |          ---------- |     |
 *        /                     +---------+          delete TCB |     |
 *       /           rcv SYN      |     |     SEND              |     |
 *      /           -----------   |     |    -------            |     V
 *  +--------+      snd SYN,ACK  /       \   snd SYN          +--------+
 *  |        |<-----------------           ------------------>|        |
 *  |  SYN   |                    rcv SYN                     |  SYN   |
 *  |  RCVD  |<-----------------------------------------------|  SENT  |
 *  |        |                  snd SYN,ACK                   |        |
 *  |        |------------------           -------------------|        |
 *  +--------+   rcv ACK of SYN  \       /  rcv SYN,ACK       +--------+
 *     |         --------------   |     |   -----------
 *     |                x         |     |     snd ACK
 *     |                          V     V
 *     |  CLOSE                 +---------+
 *     | -------                |  ESTAB  |
 *     | snd FIN                +---------+
 *     |                 CLOSE    |     |    rcv FIN
 *     V                -------   |     |    -------
 *  +---------+         snd FIN  /       \   snd ACK         +---------+
 *  |  FIN    |<----------------          ------------------>|  CLOSE  |
 *  | WAIT-1  |------------------                            |   WAIT  |
 *  +---------+          rcv FIN  \                          +---------+
 *    | rcv ACK of FIN   -------   |                          CLOSE  |
 *    | --------------   snd ACK   |                         ------- |
 *    V        x                   V                         snd FIN V
 *  +---------+               +---------+                    +---------+
 *  |FINWAIT-2|               | CLOSING |                    | LAST-ACK|
 *  +---------+               +---------+                    +---------+
 *    |              rcv ACK of FIN |                 rcv ACK of FIN |
 *    |  rcv FIN     -------------- |    Timeout=2MSL -------------- |
 *    |  -------            x       V    ------------        x       V
 *     \ snd ACK              +---------+delete TCB          +---------+
 *       -------------------->|TIME-WAIT|------------------->| CLOSED  |
 *                            +---------+                    +---------+
 *
 * A passive observer sees segments, not system calls, so each segment
 * becomes events: for its sender, what it did (SND_*); for its receiver,
 * what it received (RCV_*). A transition table maps (event, state) to the
 * next state; the few cases that need more than the state live in code and
 * are marked EXCEPTION.
 *
 * Assumptions and rules:
 *  1. The tap is in the middle. A segment seen on the wire is assumed
 *     delivered, and its receiver's state moves as if it had arrived, until
 *     later segments prove it was lost after the tap:
 *     R1. A SYN retransmitted after a SYN+ACK went by: the SYN+ACK never
 *         arrived, the client is still SYN_SENT (table: SND_SYN_AGAIN in
 *         ESTABLISHED).
 *     R2. A SYN+ACK retransmitted after the final ACK went by: the ACK never
 *         arrived, the server is SYN_RCVD (table: SND_SYNACK_AGAIN in
 *         ESTABLISHED). The client, which sends no more SYNs, got the
 *         SYN+ACK and stays ESTABLISHED.
 *     R3. A FIN retransmitted after its ACK went by: the ACK never arrived;
 *         the FIN's sender is FIN_WAIT_1, CLOSING or LAST_ACK, not
 *         FIN_WAIT_2, TIME_WAIT or CLOSED (table: SND_FIN in those).
 *     R4. A SYN retransmitted while its receiver has sent nothing at all:
 *         the earlier SYN never arrived (a listener always answers), so the
 *         receiver is LISTEN (event RCV_SYN_LOST).
 *     L.  After R1, R2, R3 or R4 the path to that endpoint is proven to
 *         lose that kind of segment (a firewall, a one-way route), so later
 *         ones are not assumed delivered either: a SYN+ACK to a client that
 *         lost one, the ACK of its SYN or FIN to an endpoint that lost one,
 *         a retransmitted SYN to a receiver that never answered. The
 *         endpoint is flagged WST_EP_LOSES until it shows it received one:
 *         it answers a SYN, sends an ACK that completes its handshake, or,
 *         for the ACK of its FIN, acknowledges everything its peer sent (the
 *         segment that carried that ACK included), or stops sending its FIN
 *         again for longer than twice its backoff would allow (at least
 *         200 ms, the minimum RTO of RFC 6298 as Linux has it, doubled per
 *         retransmission): a FIN sender that hears no ACK retransmits.
 *     R5. A segment that does not acknowledge the peer's FIN, from an
 *         endpoint the table took to have received it (CLOSE_WAIT, CLOSING,
 *         TIME_WAIT, LAST_ACK), was sent before that FIN arrived: in a
 *         simultaneous close each side sends its FIN before it gets the
 *         other's, so both go FIN_WAIT_1 -> CLOSING (event SND_NOT_FIN_YET,
 *         then the FIN arrives after all). An endpoint that never took the
 *         FIN (one that ignored it, assumption 7) is simply still waiting
 *         for it.
 *     R6. A RST without ACK from an active opener at its own next sequence
 *         number (ISN + 1), while it is SYN_SENT or ESTABLISHED only by a
 *         SYN+ACK it has not acknowledged (its peer is still SYN_RCVD),
 *         answers that SYN+ACK: it rejected it (bad acknowledgement, or a
 *         timestamp echo outside its SYNs', Linux
 *         tcp_rcv_synsent_state_process(), "reset_and_undo"; RFC 9293
 *         §3.10.7.3), and the RST is <SEQ=SEG.ACK><CTL=RST>
 *         (tcp_v4_send_reset()). It stays SYN_SENT and tries again (event
 *         SND_RST_REJECT); its peer, which accepts the RST, frees what it
 *         held (RCV_RST). A scanner's kernel answers a SYN+ACK for a SYN it
 *         did not send the same way; it never sends a SYN again, and rule G
 *         closes it.
 *     G.  A SYN_SENT endpoint that sends no SYN again for twice as long as
 *         its retransmissions would take gave up: connect() timed out, or
 *         the application closed the socket, which Linux frees without a
 *         word (tcp_close(); tcp_need_reset() leaves out SYN_SENT). Unless
 *         it sent its SYN again at least once, or its peer answered it
 *         (R6: a SYN_SENT that rejected a SYN+ACK sends its SYN again at
 *         once, tcp_rcv_synsent_state_process() arming TCP_TIMEOUT_MIN), a
 *         lone SYN shows no backoff to time: a spoofed source (a SYN flood)
 *         or a scanner nobody answered sends one and nothing ends it but the
 *         record (idle timeout). Linux
 *         retransmits a SYN after 1 s (TCP_TIMEOUT_INIT), the timeout
 *         doubling each time up to TCP_RTO_MAX, 120 s
 *         (tcp_retransmit_timer()), so after k retransmissions the next is
 *         due at most 1 + 2 + ... + 2^k s after it entered SYN_SENT (some
 *         may have come before); twice that, and it is CLOSED (event
 *         GAVE_UP, by timer: wst_fsm_expire()). A peer that never answered
 *         it never got the SYN (LISTEN, as R4).
 *     F.  A TCP Fast Open server (RFC 7413 §4.2.2; Linux
 *         tcp_fastopen_create_child()) accepts the data on a SYN and may
 *         send data in SYN_RCVD, before the handshake's last ACK: a
 *         SYN_RCVD endpoint whose SYN+ACK acknowledged data on its peer's SYN
 *         and whose segment acknowledges nothing more completed nothing
 *         (no SND_ACK; EXCEPTION in classify()). Acknowledging more shows it
 *         received what its peer sent after the handshake's ACK, as does a
 *         server that acknowledges anything but a SYN with data: those
 *         still complete a handshake whose last step the tap missed.
 *  2. Processing order within a segment follows RFC 9293 §3.10.7: RST
 *     first; then SYN; then the ACK; then the FIN. So a FIN+ACK that
 *     acknowledges a FIN_WAIT_1 endpoint's own FIN takes it to FIN_WAIT_2
 *     and then TIME_WAIT.
 *  3. Sequence numbers compare modulo 2^32 (seq.h). An ACK acknowledges a
 *     SYN or FIN only if it covers its sequence number. A RST resets only
 *     if its sequence number is what the receiver expects next (RFC 5961
 *     §3.2, as Linux does: an in-window RST that is not exact only draws a
 *     challenge ACK; one less is also accepted in CLOSE_WAIT, CLOSING and
 *     LAST_ACK, after the sender's FIN), or in SYN_SENT if it acknowledges
 *     the SYN; a RST that does not reset its receiver moves neither side (it
 *     is stale, or injected by someone else). What the receiver expects
 *     next is the highest of what its peer sent and what it acknowledged.
 *  4. A connection first seen with a SYN starts with its sender CLOSED and
 *     its receiver LISTEN (a passive open is assumed). Otherwise both are
 *     UNKNOWN and the first segments move them (usually to ESTABLISHED).
 *  5. TIME_WAIT lasts 2 x MSL of capture time, then CLOSED; a retransmitted
 *     FIN received in TIME_WAIT restarts it (RFC 9293 §3.10.7.4).
 *  6. Segments without ACK are dropped in every synchronized state (RFC
 *     9293 §3.10.7.4): only a FIN with ACK and without SYN closes anything
 *     (FIN and Xmas scans move nothing). A SYN the table does not expect
 *     (on a synchronized connection) teaches nothing about its sender's
 *     sequence numbers.
 *  7. A SYN with FIN (with or without ACK; no TCP sends one, a scanner or
 *     a fingerprinting probe does) is no event at all: it moves neither
 *     endpoint and teaches nothing about either (EXCEPTION in
 *     wst_fsm_step()). Linux discards it in LISTEN (tcp_rcv_state_process():
 *     "if (th->fin) goto discard"; with ACK a listener answers RST), answers
 *     it with a RST where nothing listens, and netfilter's conntrack marks
 *     it INVALID (tcp_valid_flags[]); its sender holds no connection it
 *     belongs to. So a record whose first segment it is starts UNKNOWN on
 *     both sides, as after a FIN scan, rather than CLOSED and LISTEN: the
 *     sender opened nothing, and silence does not show a listener (a
 *     listener drops it, but so does a firewall in front of a closed port).
 *     The exception is a SYN+ACK+FIN (with or without data) that
 *     acknowledges the SYN of a receiver in SYN_SENT: Linux takes it as the
 *     SYN+ACK and goes ESTABLISHED (tcp_rcv_synsent_state_process()), then
 *     drops the rest of the segment, data and FIN alike
 *     (tcp_rcv_state_process(): "Do step6 onward by hand" handles URG
 *     only), so its ACK covers the SYN alone and the FIN must come again.
 *     (RFC 9293 §3.10.7.3 would go on to the FIN and CLOSE-WAIT; Linux
 *     does not.) Its sender sent a SYN+ACK and a FIN (SND_SYNACK, SND_FIN:
 *     SYN_RCVD, then FIN_WAIT_1); its receiver gets RCV_SYNACK only.
 *     A SYN with RST is not such a segment: RFC 9293 §3.10.7.4 checks RST
 *     before SYN, as Linux does, so it is a RST (assumption 3).
 *
 * References: RFC 9293 (TCP, which obsoletes RFC 793), RFC 5961 (RST and
 * SYN attacks), the Linux TCP stack for what an implementation does where
 * the RFCs leave a choice (noted where used).
 */
#include "wirestate/fsm.h"

#include "seq.h"

/* Table shorthands: states, "no change" and "unexpected, no change". */
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
#define sNC WST_FSM_SAME
#define sIV WST_FSM_UNEXPECTED

/* clang-format off */
static const uint8_t transitions[WST_EV__COUNT][WST_ST__COUNT] = {
/*                       sUN  sCL  sLI  sSS  sSR  sES  sF1  sF2  sCG  sTW  sCW  sLA */
[WST_EV_SND_SYN]      = {0, sSS, sSS, sSS, sSS, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
/* UN/CL->SS: an active open. LI->SS: the "server" opens too (simultaneous
 * open). SS: another SYN (a new ISN on an attempt that got an answer is not
 * a new connection). SR: its own SYN while the peer's SYN made it SYN_RCVD
 * (simultaneous open). ES and closing states: no SYN belongs there (a SYN
 * with a new ISN opens a new connection before the table is consulted). */
[WST_EV_SND_SYN_AGAIN]= {0, sSS, sSS, sIV, sSS, sSR, sSS, sIV, sIV, sIV, sIV, sIV, sIV},
/* SS: a retransmission. SR: its SYN again in a simultaneous open. ES->SS:
 * R1, the SYN+ACK never arrived. UN->SS: the first SYN was not captured.
 * CL->SS: the RST that refused it had not arrived when it sent this one
 * (they crossed). LI: an endpoint that sent a SYN does not listen. */
[WST_EV_SND_SYNACK]   = {0, sSR, sSR, sSR, sSR, sSR, sNC, sIV, sIV, sIV, sIV, sIV, sIV},
/* UN/CL/LI->SR: it answers a SYN (UN: the SYN was not captured). SS->SR:
 * simultaneous open. SR: its SYN+ACK after its own SYN (simultaneous
 * open). ES: in a simultaneous open its SYN+ACK crossed the peer's, which
 * made it ESTABLISHED first. */
[WST_EV_SND_SYNACK_AGAIN]={0, sSR, sIV, sIV, sSR, sSR, sSR, sIV, sIV, sIV, sIV, sIV, sIV},
/* SR: a retransmission. ES->SR: R2, the final ACK never arrived. UN->SR:
 * the first one was not captured. */
[WST_EV_SND_NOT_FIN_YET]={0, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sES, sNC},
/* CW->ES: the FIN assumed delivered had not arrived when it sent this (an
 * endpoint always acknowledges what it received). In a simultaneous close
 * its own FIN follows (ES->F1), then the peer's FIN arrives after all:
 * RCV_FIN is applied to it once more at the end of the segment (F1->CG). */
[WST_EV_SND_ACK]      = {0, sES, sIV, sES, sES, sES, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* UN->ES: mid-stream, an endpoint that acknowledges is synchronized.
 * LI/SS/SR->ES: it acknowledges, so it completed a handshake whose last
 * step the tap missed. CL: a closed endpoint sends no ACKs (it answers
 * with RST). The rest: acknowledging changes nothing. */
[WST_EV_SND_FIN]      = {0, sF1, sLA, sIV, sIV, sF1, sF1, sNC, sF1, sNC, sCG, sLA, sNC},
/* UN->F1: mid-stream, it closes first (had it received a FIN, RCV_FIN would
 * have made it CW). SR->F1: close in SYN-RECEIVED (RFC 9293 §3.10.4).
 * ES->F1: active close. CW->LA: passive close. F1, CG, LA: retransmissions.
 * F2->F1, TW->CG, CL->LA: R3, the ACK of its FIN never arrived (CL is
 * reached with a FIN only from LAST_ACK). LI/SS: no FIN before the
 * handshake (a FIN with ACK from SS goes through SND_ACK first). */
[WST_EV_SND_RST]      = {0, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
/* A RST aborts: its sender has no connection any more (RFC 9293 §3.10.7).
 * LI->CL: answering a SYN with RST means nothing listens. */
[WST_EV_SND_RST_REJECT]={0, sIV, sIV, sIV, sNC, sIV, sSS, sIV, sIV, sIV, sIV, sIV, sIV},
/* R6: it rejected the SYN+ACK and is still SYN_SENT (Linux
 * tcp_rcv_synsent_state_process() keeps the socket); ES->SS: the SYN+ACK
 * the tap took as accepted was not. Only SS and ES send it. */
[WST_EV_RCV_SYN]      = {0, sSR, sNC, sSR, sSR, sNC, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
/* LI->SR: a listener receives a SYN (RFC 9293 §3.10.7.2). UN->SR: the same,
 * mid-stream. SS->SR: simultaneous open. SR: a retransmitted SYN. CL: no
 * listener; its RST follows. Established and closing states: a SYN on a
 * live connection is not part of it. */
[WST_EV_RCV_SYN_LOST] = {0, sLI, sNC, sLI, sIV, sLI, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
/* R4: the SYN was retransmitted and the receiver never answered: the SYN
 * assumed delivered never arrived, and this one goes the same way (L).
 * SR->LI undoes RCV_SYN. SS: impossible (an SS receiver sent its own SYN,
 * which counts as an answer). */
[WST_EV_RCV_SYNACK]   = {0, sES, sNC, sIV, sES, sES, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* SS->ES: the handshake's second step (RFC 9293 §3.10.7.3). SR->ES:
 * simultaneous open. UN->ES: mid-stream. ES and later: a retransmitted
 * SYN+ACK, answered by a duplicate ACK. CL: it answers with RST. LI: a
 * listener sent no SYN to be acknowledged. */
[WST_EV_RCV_SYNACK_BAD]={0, sNC, sNC, sNC, sSS, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* SS: an unacceptable ACK in SYN-SENT draws a RST and leaves the state
 * (RFC 9293 §3.10.7.3). Elsewhere: ignored. */
[WST_EV_RCV_ACK]      = {0, sES, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* UN->ES: mid-stream, the receiver of an acknowledging segment is
 * synchronized too. Elsewhere the ACKs that matter are RCV_ACK_SYN and
 * RCV_ACK_FIN. */
[WST_EV_RCV_ACK_SYN]  = {0, sNC, sNC, sNC, sNC, sES, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* SR->ES: the handshake's last step. SS: a bare ACK of its SYN is dropped
 * in SYN-SENT (RFC 9293 §3.10.7.3). Elsewhere: a duplicate. */
[WST_EV_RCV_ACK_FIN]  = {0, sNC, sNC, sNC, sNC, sNC, sNC, sF2, sNC, sTW, sNC, sNC, sCL},
/* F1->F2, CG->TW, LA->CL (RFC 9293 §3.10.7.4). F2, TW, CL: a duplicate. */
[WST_EV_RCV_FIN]      = {0, sCW, sNC, sIV, sIV, sCW, sCW, sCG, sTW, sNC, sNC, sNC, sNC},
/* ES->CW: the peer closes first. SR->CW (RFC 9293 §3.10.7.4). F1->CG:
 * simultaneous close (a FIN that also acknowledged ours made F1 into F2
 * first). F2->TW. UN->CW: mid-stream. CG, TW, CW, LA: a retransmitted FIN
 * (TW restarts its timer: EXCEPTION in step_one). CL: it answers with RST.
 * LI/SS: a FIN before the handshake is ignored. */
[WST_EV_RCV_RST]      = {0, sCL, sNC, sNC, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL},
/* SS->CL: connection refused. SR->CL: Linux frees the request socket
 * (tcp_check_req(), embryonic_reset: inet_csk_reqsk_queue_drop()); the
 * listener, if any, never was this connection's socket, so the
 * connection's own state is CLOSED, passive or active (RFC 9293 §3.10.7.4
 * returns a passive one to LISTEN because its TCB is the listener's).
 * ES..LA->CL: reset. TW->CL: Linux lets a RST end TIME-WAIT
 * (net.ipv4.tcp_rfc1337=0, the default). LI: a RST to a listener is
 * ignored. */
[WST_EV_RCV_RST_BAD]  = {0, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC, sNC},
/* Not a RST the receiver accepts (assumption 3): ignored everywhere. */
[WST_EV_GAVE_UP]      = {0, sIV, sIV, sIV, sCL, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV},
/* G: a SYN_SENT endpoint silent past its backoff closed its socket
 * (tcp_close() in SYN_SENT sends nothing). Only SS has the timer. */
};
/* clang-format on */

static const char *const state_names[WST_ST__COUNT] = {
    [WST_ST__UNSET] = "UNSET",
#define WST_STATE_NAME(e, name) [WST_ST_##e] = name,
    WST_STATE_MAP(WST_STATE_NAME)
#undef WST_STATE_NAME
};

static const char *const event_names[WST_EV__COUNT] = {
    [WST_EV__UNSET] = "unset",
#define WST_EVENT_NAME(e, name, text) [WST_EV_##e] = name,
    WST_EVENT_MAP(WST_EVENT_NAME)
#undef WST_EVENT_NAME
};

const char *wst_state_name(enum wst_tcp_state st)
{
    return (unsigned)st < WST_ST__COUNT ? state_names[st] : "UNSET";
}

const char *wst_event_name(enum wst_fsm_event ev)
{
    return (unsigned)ev < WST_EV__COUNT ? event_names[ev] : "unset";
}

uint8_t wst_fsm_table(enum wst_fsm_event ev, enum wst_tcp_state st)
{
    if ((unsigned)ev >= WST_EV__COUNT || (unsigned)st >= WST_ST__COUNT)
        return 0;
    return transitions[ev][st];
}

bool wst_fsm_init(struct wst_endpoint *snd, struct wst_endpoint *rcv, const struct wst_segment *seg)
{
    enum wst_opening op = wst_fsm_opening(seg->flags);
    snd->state = rcv->state = WST_ST_UNKNOWN;
    /* Assumption 7: a SYN+FIN opens nothing, and no connection was under
     * way before it either (one would not have been greeted with a SYN). */
    if (op == WST_OPEN_SYN_FIN)
        return false;
    if (op == WST_OPEN_SYN) {
        snd->state = WST_ST_CLOSED;
        rcv->state = WST_ST_LISTEN;
        return false;
    }
    return op != WST_OPEN_SYNACK;
}

/*
 * Does the segment's ACK acknowledge the receiver's SYN? RFC 9293
 * §3.10.7.3: in SYN-SENT an ACK is acceptable if SND.UNA < SEG.ACK =<
 * SND.NXT: past the ISN, and not beyond what was sent (a SYN with data,
 * TCP Fast Open, may be acknowledged whole).
 */
static bool syn_acked(const struct wst_endpoint *rcv, const struct wst_segment *seg)
{
    if (!(rcv->flags & WST_EP_HAS_ISN))
        return true; /* its SYN was not seen: nothing to check against */
    return seq_gt(seg->ack, rcv->isn) && seq_leq(seg->ack, rcv->next_seq);
}

/* Would a RST in this segment reset its receiver (assumption 3)? */
static bool rst_acceptable(const struct wst_endpoint *snd, const struct wst_endpoint *rcv,
                           const struct wst_segment *seg)
{
    if (rcv->state == WST_ST_SYN_SENT) {
        /* RFC 9293 §3.10.7.3: acceptable only if it acknowledges the SYN. */
        return (seg->flags & WST_TH_ACK) && syn_acked(rcv, seg);
    }
    if (!(snd->flags & WST_EP_HAS_SEQ))
        return true; /* nothing seen from the sender: nothing to check against */
    /* RCV.NXT of the receiver is everything the sender sent (assumption 1);
     * Linux also accepts RCV.NXT - 1 once the sender's FIN took that number,
     * in the states that received it (tcp_reset_check()). */
    if (seg->seq == snd->next_seq)
        return true;
    bool after_fin = rcv->state == WST_ST_CLOSE_WAIT || rcv->state == WST_ST_CLOSING || rcv->state == WST_ST_LAST_ACK;
    return after_fin && (snd->flags & WST_EP_HAS_FIN) && seg->seq + 1 == snd->next_seq;
}

/*
 * R6: is this RST the answer of an active opener to a SYN+ACK it rejected?
 * Linux answers it with <SEQ=SEG.ACK><CTL=RST>, no ACK (tcp_v4_send_reset()),
 * which is its own next sequence number when only the timestamp echo was
 * wrong; its peer, having sent the SYN+ACK, is still SYN_RCVD.
 */
static bool rejects_synack(const struct wst_endpoint *snd, const struct wst_endpoint *rcv,
                           const struct wst_segment *seg)
{
    return !(seg->flags & WST_TH_ACK) && (snd->flags & WST_EP_ACTIVE) && (snd->flags & WST_EP_HAS_ISN) &&
           seg->seq == snd->isn + 1 && (snd->state == WST_ST_SYN_SENT || snd->state == WST_ST_ESTABLISHED) &&
           rcv->state == WST_ST_SYN_RCVD;
}

/*
 * Assumption 7: a SYN+ACK+FIN that a SYN_SENT receiver takes as its
 * SYN+ACK (it acknowledges the receiver's SYN).
 */
static bool synack_fin_accepted(const struct wst_endpoint *rcv, const struct wst_segment *seg)
{
    return (seg->flags & (WST_TH_SYN | WST_TH_ACK | WST_TH_FIN | WST_TH_RST)) ==
               (WST_TH_SYN | WST_TH_ACK | WST_TH_FIN) &&
           rcv->state == WST_ST_SYN_SENT && (rcv->flags & WST_EP_HAS_ISN) && syn_acked(rcv, seg);
}

/*
 * F: a Fast Open server in SYN_RCVD sending before the handshake's last ACK
 * reached it. Its SYN+ACK acknowledged data on its peer's SYN (what it had
 * acknowledged, snd->ack, is past the peer's ISN + 1), and this segment
 * acknowledges nothing beyond that.
 */
static bool fast_open_early(const struct wst_endpoint *snd, const struct wst_endpoint *rcv,
                            const struct wst_segment *seg)
{
    return snd->state == WST_ST_SYN_RCVD && (snd->flags & WST_EP_SYNACK) && (rcv->flags & WST_EP_HAS_ISN) &&
           seq_gt(snd->ack, rcv->isn + 1) && !seq_gt(seg->ack, snd->ack);
}

/* R5: the states in which the table took the peer's FIN to have arrived. */
static bool took_peer_fin(uint8_t st)
{
    return st == WST_ST_CLOSE_WAIT || st == WST_ST_CLOSING || st == WST_ST_TIME_WAIT || st == WST_ST_LAST_ACK;
}

/* Classifies a segment into the sender's and the receiver's events (assumption 2). */
static void classify(const struct wst_endpoint *snd, const struct wst_endpoint *rcv, const struct wst_segment *seg,
                     struct wst_fsm_step *out)
{
    uint8_t f = seg->flags;
    out->n_snd = out->n_rcv = 0;
    out->fin_ack_held = false;
    if (f & WST_TH_RST) {
        /* An unacceptable RST did not come from the receiver's peer as it
         * is now (a stale or injected one): it moves neither side. */
        if (rst_acceptable(snd, rcv, seg)) {
            out->snd[out->n_snd++] = rejects_synack(snd, rcv, seg) ? WST_EV_SND_RST_REJECT : WST_EV_SND_RST;
            out->rcv[out->n_rcv++] = WST_EV_RCV_RST;
        } else {
            out->rcv[out->n_rcv++] = WST_EV_RCV_RST_BAD;
        }
        return;
    }
    bool ack = f & WST_TH_ACK;
    bool rcv_loses = rcv->flags & WST_EP_LOSES;
    bool same_isn = (snd->flags & WST_EP_HAS_ISN) && seg->seq == snd->isn;
    /* A segment that does not acknowledge the peer's FIN was sent before
     * that FIN arrived (simultaneous close). */
    bool before_peer_fin = ack && (rcv->flags & WST_EP_HAS_FIN) && took_peer_fin(snd->state) &&
                           seq_leq(seg->ack, wst_endpoint_fin_seq(rcv));
    if (before_peer_fin)
        out->snd[out->n_snd++] = WST_EV_SND_NOT_FIN_YET;
    if (f & WST_TH_SYN) {
        if (!ack) {
            bool again = (snd->flags & WST_EP_ACTIVE) && same_isn;
            out->snd[out->n_snd++] = again ? WST_EV_SND_SYN_AGAIN : WST_EV_SND_SYN;
            /* R4: a retransmission nobody answered. */
            out->rcv[out->n_rcv++] = again && !(rcv->flags & WST_EP_SENT) ? WST_EV_RCV_SYN_LOST : WST_EV_RCV_SYN;
        } else {
            bool again = (snd->flags & WST_EP_SYNACK) && same_isn;
            out->snd[out->n_snd++] = again ? WST_EV_SND_SYNACK_AGAIN : WST_EV_SND_SYNACK;
            if (!syn_acked(rcv, seg))
                out->rcv[out->n_rcv++] = WST_EV_RCV_SYNACK_BAD;
            else if (!rcv_loses) /* L: this client lost a SYN+ACK already */
                out->rcv[out->n_rcv++] = WST_EV_RCV_SYNACK;
            /* Assumption 7: a SYN+ACK+FIN its receiver accepted (only
             * those get here): the sender closed too; the receiver drops
             * the FIN, so no RCV_FIN. */
            if (f & WST_TH_FIN)
                out->snd[out->n_snd++] = WST_EV_SND_FIN;
        }
    } else if (ack) {
        /* L: a sender waiting for the ACK of its FIN that acknowledges all
         * its peer sent has received the segment that carried that ACK. */
        if ((snd->flags & WST_EP_FIN_ACK_WAIT) && (rcv->flags & WST_EP_HAS_SEQ) && seq_geq(seg->ack, rcv->next_seq))
            out->snd[out->n_snd++] = WST_EV_RCV_ACK_FIN;
        /* EXCEPTION (F): a Fast Open server's early data completes nothing. */
        if (!fast_open_early(snd, rcv, seg))
            out->snd[out->n_snd++] = WST_EV_SND_ACK;
        out->rcv[out->n_rcv++] = WST_EV_RCV_ACK;
        if (!rcv_loses && (rcv->flags & WST_EP_HAS_ISN) && seq_geq(seg->ack, rcv->isn + 1))
            out->rcv[out->n_rcv++] = WST_EV_RCV_ACK_SYN;
        if ((rcv->flags & WST_EP_HAS_FIN) && seq_geq(seg->ack, wst_endpoint_fin_seq(rcv) + 1)) {
            if (!rcv_loses)
                out->rcv[out->n_rcv++] = WST_EV_RCV_ACK_FIN;
            else
                out->fin_ack_held = true; /* L: not assumed delivered; the timer decides */
        }
    }
    if ((f & (WST_TH_FIN | WST_TH_ACK | WST_TH_SYN)) == (WST_TH_FIN | WST_TH_ACK)) {
        out->snd[out->n_snd++] = WST_EV_SND_FIN;
        out->rcv[out->n_rcv++] = WST_EV_RCV_FIN;
    }
    if (before_peer_fin)
        out->snd[out->n_snd++] = WST_EV_RCV_FIN; /* the peer's FIN arrives after all */
}

/* One event through the table, with the exceptions. */
static void step_one(struct wst_endpoint *ep, enum wst_fsm_event ev, uint32_t now_ms)
{
    uint8_t from = ep->state;
    uint8_t to = transitions[ev][from];
    if (to == WST_FSM_SAME || to == WST_FSM_UNEXPECTED)
        to = from;
    /* EXCEPTION: a CLOSED endpoint that answered a SYN before, its
     * half-open connection reset (RCV_RST in SYN_RCVD), still has its
     * listener: a SYN makes a new half-open one (Linux tcp_conn_request()),
     * where a CLOSED endpoint that never answered refuses it. */
    if (ev == WST_EV_RCV_SYN && from == WST_ST_CLOSED && (ep->flags & WST_EP_SYNACK))
        to = WST_ST_SYN_RCVD;
    /* EXCEPTION: a FIN received in TIME_WAIT restarts 2 MSL (assumption 5). */
    if (ev == WST_EV_RCV_FIN && from == WST_ST_TIME_WAIT)
        ep->since_ms = now_ms;
    /* EXCEPTION: an endpoint is SYN_RCVD from the SYN it received, but its
     * wait for the handshake's last ACK starts with its first SYN+ACK
     * (anomaly.c judges that wait). */
    if (ev == WST_EV_SND_SYNACK && from == WST_ST_SYN_RCVD)
        ep->since_ms = now_ms;
    /* Rule L: R1, R2, R3 prove segments to this endpoint are being lost... */
    if (((ev == WST_EV_SND_SYN_AGAIN || ev == WST_EV_SND_SYNACK_AGAIN) && from == WST_ST_ESTABLISHED) ||
        (ev == WST_EV_SND_FIN && (from == WST_ST_FIN_WAIT_2 || from == WST_ST_TIME_WAIT || from == WST_ST_CLOSED)))
        ep->flags |= WST_EP_LOSES;
    /* ...R4 proves it for the receiver of an unanswered SYN... */
    if (ev == WST_EV_RCV_SYN_LOST)
        ep->flags |= WST_EP_LOSES;
    /* ...and an endpoint shows it receives again when it answers a SYN,
     * completes its handshake, or gets the ACK of its FIN after all. */
    if (ev == WST_EV_SND_SYNACK || (ev == WST_EV_SND_ACK && (from == WST_ST_SYN_SENT || from == WST_ST_SYN_RCVD)) ||
        ev == WST_EV_RCV_ACK_FIN)
        ep->flags &= (uint8_t)~(WST_EP_LOSES | WST_EP_FIN_ACK_WAIT);
    /* EXCEPTION: a FIN sent by an endpoint that loses ACKs restarts the wait
     * for its ACK; since_ms marks its last FIN (rule L). */
    if (ev == WST_EV_SND_FIN && (ep->flags & WST_EP_LOSES)) {
        ep->flags &= (uint8_t)~WST_EP_FIN_ACK_WAIT;
        ep->since_ms = now_ms;
    }
    if (to != from) {
        ep->state = to;
        ep->since_ms = now_ms;
    }
}

/*
 * A peer acknowledges only what was sent: an ACK beyond what the tap saw
 * from the receiver moves its next_seq (keepalive and window probes send
 * below it; the capture may have started in the middle).
 */
static void learn_ack(struct wst_endpoint *rcv, const struct wst_segment *seg)
{
    if (!(seg->flags & WST_TH_ACK) || (rcv->flags & WST_EP_HAS_FIN))
        return;
    if (!(rcv->flags & WST_EP_HAS_SEQ) || seq_gt(seg->ack, rcv->next_seq)) {
        rcv->next_seq = seg->ack;
        rcv->flags |= WST_EP_HAS_SEQ;
    }
}

/*
 * What the sender is known to have sent, after the events are applied; a
 * SYN the table did not expect teaches nothing (assumption 6).
 */
static void learn(struct wst_endpoint *snd, struct wst_endpoint *rcv, const struct wst_segment *seg, bool syn_ok,
                  bool syn_again)
{
    uint8_t f = seg->flags;
    snd->flags |= WST_EP_SENT;
    if (f & WST_TH_RST)
        return; /* a RST's sequence number says nothing about the data sent */
    if ((f & WST_TH_SYN) && !syn_ok)
        return; /* nor about what its receiver sent */
    learn_ack(rcv, seg);
    if (f & WST_TH_SYN) {
        if (!(snd->flags & WST_EP_HAS_ISN)) {
            snd->isn = seg->seq;
            snd->flags |= WST_EP_HAS_ISN;
        }
        snd->flags |= (f & WST_TH_ACK) ? WST_EP_SYNACK : WST_EP_ACTIVE;
        if (syn_again && snd->syns_again < UINT8_MAX)
            snd->syns_again++;
    }
    /* SYN and FIN each take one sequence number (RFC 9293 §3.4). Nothing
     * follows a FIN: data beyond it is dropped by its receiver and does not
     * move next_seq (the FIN stays at next_seq - 1). */
    uint32_t end = seg->seq + seg->payload_len + ((f & WST_TH_SYN) ? 1 : 0) + ((f & WST_TH_FIN) ? 1 : 0);
    if (!(snd->flags & WST_EP_HAS_SEQ) || (seq_gt(end, snd->next_seq) && !(snd->flags & WST_EP_HAS_FIN))) {
        snd->next_seq = end;
        snd->flags |= WST_EP_HAS_SEQ;
    }
    if ((f & (WST_TH_FIN | WST_TH_ACK)) == (WST_TH_FIN | WST_TH_ACK)) {
        /* A FIN takes the last sequence number the sender will ever use,
         * so it is next_seq - 1 from now on (wst_endpoint_fin_seq). A
         * SYN+FIN gets here only as an accepted SYN+ACK+FIN (assumption 7). */
        snd->flags |= WST_EP_HAS_FIN;
        if (snd->fins < UINT8_MAX)
            snd->fins++;
    }
}

/*
 * The common case, data or a bare ACK between two ESTABLISHED endpoints:
 * the table changes nothing (SND_ACK, RCV_ACK and RCV_ACK_SYN are all "no
 * change" in ESTABLISHED, and an ESTABLISHED receiver has sent no FIN), so
 * only what the sender has used moves. Returns false when the segment needs
 * the full treatment.
 */
static bool step_established(struct wst_endpoint *snd, struct wst_endpoint *rcv, const struct wst_segment *seg,
                             struct wst_fsm_step *out)
{
    if ((seg->flags & (WST_TH_SYN | WST_TH_FIN | WST_TH_RST | WST_TH_ACK)) != WST_TH_ACK ||
        snd->state != WST_ST_ESTABLISHED || rcv->state != WST_ST_ESTABLISHED || !(snd->flags & WST_EP_HAS_SEQ))
        return false;
    out->n_snd = 1;
    out->snd[0] = WST_EV_SND_ACK;
    out->n_rcv = 1;
    out->rcv[0] = WST_EV_RCV_ACK;
    out->snd_from = out->snd_to = out->rcv_from = out->rcv_to = WST_ST_ESTABLISHED;
    out->syn_rexmit = out->fin_rexmit = false;
    snd->flags |= WST_EP_SENT;
    uint32_t end = seg->seq + seg->payload_len;
    if (seq_gt(end, snd->next_seq))
        snd->next_seq = end;
    learn_ack(rcv, seg);
    out->fin_ack_held = false;
    return true;
}

void wst_fsm_step(struct wst_endpoint *snd, struct wst_endpoint *rcv, const struct wst_segment *seg,
                  uint32_t now_ms, struct wst_fsm_step *out)
{
    struct wst_fsm_step local;
    if (out == NULL)
        out = &local;
    if (step_established(snd, rcv, seg, out))
        return;
    if (wst_fsm_opening(seg->flags) == WST_OPEN_SYN_FIN && !synack_fin_accepted(rcv, seg)) {
        /* EXCEPTION (assumption 7): no event for either endpoint, and
         * nothing learned from its numbers; that its sender sent a
         * segment is still true. */
        out->n_snd = out->n_rcv = 0;
        out->snd_from = out->snd_to = snd->state;
        out->rcv_from = out->rcv_to = rcv->state;
        out->syn_rexmit = out->fin_rexmit = out->fin_ack_held = false;
        snd->flags |= WST_EP_SENT;
        return;
    }
    classify(snd, rcv, seg, out);
    out->snd_from = snd->state;
    out->rcv_from = rcv->state;
    if ((seg->flags & (WST_TH_SYN | WST_TH_RST)) == WST_TH_SYN)
        out->syn_rexmit = (snd->flags & ((seg->flags & WST_TH_ACK) ? WST_EP_SYNACK : WST_EP_ACTIVE)) != 0;
    else
        out->syn_rexmit = false;
    out->fin_rexmit = (seg->flags & WST_TH_FIN) && !(seg->flags & WST_TH_RST) && (snd->flags & WST_EP_HAS_FIN) &&
                      seg->seq + seg->payload_len == wst_endpoint_fin_seq(snd);
    bool syn_ok = true;
    for (unsigned i = 0; i < out->n_snd; i++) {
        enum wst_fsm_event ev = (enum wst_fsm_event)out->snd[i];
        if ((ev == WST_EV_SND_SYN || ev == WST_EV_SND_SYN_AGAIN || ev == WST_EV_SND_SYNACK ||
             ev == WST_EV_SND_SYNACK_AGAIN) &&
            transitions[ev][snd->state] == WST_FSM_UNEXPECTED)
            syn_ok = false;
        step_one(snd, ev, now_ms);
    }
    for (unsigned i = 0; i < out->n_rcv; i++) {
        enum wst_fsm_event ev = (enum wst_fsm_event)out->rcv[i];
        /* A SYN+ACK its SYN_SENT receiver rejects (RFC 9293 §3.10.7.3) is
         * not part of the connection that receiver knows: it teaches
         * nothing about its sender (assumption 6), whose later SYN+ACK may
         * bring another ISN. */
        if (ev == WST_EV_RCV_SYNACK_BAD && rcv->state == WST_ST_SYN_SENT)
            syn_ok = false;
        /* A SYN_RCVD endpoint reset is gone (the table's note on RCV_RST):
         * a SYN again makes a new one, with a new ISN (tcp_conn_request());
         * WST_EP_SYNACK stays, the mark of its listener (step_one()). */
        if (ev == WST_EV_RCV_RST && rcv->state == WST_ST_SYN_RCVD)
            rcv->flags &= (uint8_t)~(WST_EP_HAS_ISN | WST_EP_HAS_SEQ);
        step_one(rcv, ev, now_ms);
    }
    if (out->fin_ack_held)
        rcv->flags |= WST_EP_FIN_ACK_WAIT;
    learn(snd, rcv, seg, syn_ok, out->syn_rexmit);
    out->snd_to = snd->state;
    out->rcv_to = rcv->state;
}

bool wst_fsm_is_new_connection(const struct wst_endpoint *snd, const struct wst_endpoint *rcv,
                               const struct wst_segment *seg)
{
    if (wst_fsm_opening(seg->flags) != WST_OPEN_SYN)
        return false; /* only a SYN opens (a SYN+FIN nothing: assumption 7) */
    if ((snd->flags & WST_EP_HAS_ISN) && seg->seq == snd->isn)
        return false; /* a retransmission of this connection's SYN */
    bool over_rcv = rcv->state == WST_ST_CLOSED || rcv->state == WST_ST_TIME_WAIT || rcv->state == WST_ST_LISTEN;
    if (snd->state == WST_ST_SYN_SENT)
        return over_rcv && rcv->state != WST_ST_TIME_WAIT; /* an attempt that got nowhere, tried anew */
    bool over_snd = snd->state == WST_ST_CLOSED || snd->state == WST_ST_TIME_WAIT;
    return over_snd && over_rcv;
}

bool wst_fsm_icmp_unreachable(struct wst_endpoint *snd, struct wst_endpoint *peer, uint32_t seq, uint32_t now_ms)
{
    if (snd->state != WST_ST_SYN_SENT || !(snd->flags & WST_EP_HAS_ISN) || seq != snd->isn)
        return false;
    /* EXCEPTION: not a segment, so not in the table; it acts as RCV_RST does
     * in SYN_SENT (RFC 5461 §4 notes stacks abort here on hard errors). */
    step_one(snd, WST_EV_RCV_RST, now_ms);
    if (!(peer->flags & WST_EP_SENT))
        step_one(peer, WST_EV_RCV_SYN_LOST, now_ms);
    return true;
}

uint32_t wst_fsm_fin_ack_deadline(const struct wst_endpoint *ep)
{
    if (!(ep->flags & WST_EP_FIN_ACK_WAIT))
        return 0;
    /* Twice the retransmission timeout after its fins-th FIN: 200 ms (the
     * minimum RTO, Linux's TCP_RTO_MIN) doubled per FIN sent, capped at
     * twice Linux's TCP_RTO_MAX of 120 s. */
    unsigned k = ep->fins ? ep->fins - 1u : 0u;
    uint64_t wait = k >= 10 ? 240000 : 400ULL << k;
    if (wait > 240000)
        wait = 240000;
    uint64_t d = (uint64_t)ep->since_ms + wait;
    return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

uint32_t wst_fsm_syn_deadline(const struct wst_endpoint *ep, const struct wst_endpoint *peer)
{
    if (ep->state != WST_ST_SYN_SENT || !(ep->flags & WST_EP_ACTIVE) ||
        (ep->syns_again == 0 && !(peer->flags & WST_EP_SENT)))
        return 0; /* a lone SYN nobody answered shows no backoff */
    /* Rule G: after k retransmissions the next is due within 1 + 2 + ... +
     * 2^k s of the first SYN (TCP_TIMEOUT_INIT doubled, each step capped at
     * TCP_RTO_MAX, 120 s), and since_ms, when it entered SYN_SENT, is no
     * earlier; it gave up if twice that passes without one. */
    uint64_t sum_s = 0;
    for (unsigned j = 0; j <= ep->syns_again; j++)
        sum_s += j < 7 ? 1u << j : 120u;
    uint64_t d = (uint64_t)ep->since_ms + 2 * sum_s * 1000;
    return d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
}

bool wst_fsm_expire(struct wst_endpoint *ep, struct wst_endpoint *peer, uint32_t now_ms, uint32_t time_wait_ms)
{
    uint32_t d = wst_fsm_fin_ack_deadline(ep);
    if (d && now_ms >= d) {
        uint8_t from = ep->state;
        step_one(ep, WST_EV_RCV_ACK_FIN, d); /* rule L: its silence says the ACK arrived */
        if (ep->state != from)
            return true;
    }
    d = wst_fsm_syn_deadline(ep, peer);
    if (d && now_ms >= d) {
        step_one(ep, WST_EV_GAVE_UP, d); /* rule G */
        /* Its SYN was never answered: as R4, the peer never got it. */
        if (!(peer->flags & WST_EP_SENT))
            step_one(peer, WST_EV_RCV_SYN_LOST, d);
        return true;
    }
    if (ep->state != WST_ST_TIME_WAIT || now_ms - ep->since_ms < time_wait_ms)
        return false;
    ep->state = WST_ST_CLOSED;
    ep->since_ms += time_wait_ms;
    return true;
}
