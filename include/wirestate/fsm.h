/*
 * wirestate/fsm.h - the RFC 793 state of each endpoint, rebuilt from the
 * segments seen on the wire.
 *
 * Each connection has two endpoints, each with its own state. A segment
 * from one to the other is classified into events for its sender (what it
 * did: sent a SYN, a FIN, ...) and for its receiver (what it received: a
 * SYN, an ACK that covers its FIN, ...), and a transition table maps
 * (event, state) to the next state. See src/fsm.c for the model, the table
 * and the inference rules.
 */
#ifndef WIRESTATE_FSM_H
#define WIRESTATE_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/decode.h"

/*        enum          name (as ss and netstat print them, with underscores) */
#define WST_STATE_MAP(X)           \
    X(UNKNOWN,     "UNKNOWN")     \
    X(CLOSED,      "CLOSED")      \
    X(LISTEN,      "LISTEN")      \
    X(SYN_SENT,    "SYN_SENT")    \
    X(SYN_RCVD,    "SYN_RCVD")    \
    X(ESTABLISHED, "ESTABLISHED") \
    X(FIN_WAIT_1,  "FIN_WAIT_1")  \
    X(FIN_WAIT_2,  "FIN_WAIT_2")  \
    X(CLOSING,     "CLOSING")     \
    X(TIME_WAIT,   "TIME_WAIT")   \
    X(CLOSE_WAIT,  "CLOSE_WAIT")  \
    X(LAST_ACK,    "LAST_ACK")

/* 0 is "unset" (never a real state; the table test looks for it). */
enum wst_tcp_state {
    WST_ST__UNSET = 0,
#define WST_STATE_ENUM(e, name) WST_ST_##e,
    WST_STATE_MAP(WST_STATE_ENUM)
#undef WST_STATE_ENUM
    WST_ST__COUNT
};

/* Stable upper-case name ("ESTABLISHED"); "UNSET" for 0. */
const char *wst_state_name(enum wst_tcp_state st);

/*
 *        enum            name              what the endpoint did or received
 * SND_ events belong to the sender of a segment, RCV_ events to its receiver
 * (SND_ first); GAVE_UP comes from a timer (wst_fsm_expire()), not a segment.
 */
#define WST_EVENT_MAP(X)                                                               \
    X(SND_SYN,       "snd_syn",       "sent a SYN (an active open)")                   \
    X(SND_SYN_AGAIN, "snd_syn_again", "sent its SYN again (same ISN)")                 \
    X(SND_SYNACK,    "snd_synack",    "sent a SYN+ACK")                                \
    X(SND_SYNACK_AGAIN, "snd_synack_again", "sent its SYN+ACK again")                  \
    X(SND_NOT_FIN_YET, "snd_not_fin_yet", "sent a segment that does not acknowledge the peer's FIN: it had not arrived") \
    X(SND_ACK,       "snd_ack",       "sent a segment with ACK (it is synchronized)") \
    X(SND_FIN,       "snd_fin",       "sent a FIN")                                    \
    X(SND_RST,       "snd_rst",       "sent a RST")                                    \
    X(SND_RST_REJECT,"snd_rst_reject","sent a RST answering a SYN+ACK it did not accept") \
    X(RCV_SYN,       "rcv_syn",       "received a SYN")                                \
    X(RCV_SYN_LOST,  "rcv_syn_lost",  "a SYN retransmitted before it answered: it never got them") \
    X(RCV_SYNACK,    "rcv_synack",    "received a SYN+ACK that acknowledges its SYN") \
    X(RCV_SYNACK_BAD,"rcv_synack_bad","received a SYN+ACK with a wrong acknowledgement") \
    X(RCV_ACK,       "rcv_ack",       "received a segment with ACK")                  \
    X(RCV_ACK_SYN,   "rcv_ack_syn",   "received the ACK of its SYN")                  \
    X(RCV_ACK_FIN,   "rcv_ack_fin",   "received the ACK of its FIN")                  \
    X(RCV_FIN,       "rcv_fin",       "received a FIN")                                \
    X(RCV_RST,       "rcv_rst",       "received an acceptable RST")                   \
    X(RCV_RST_BAD,   "rcv_rst_bad",   "received a RST whose sequence number it does not accept") \
    X(GAVE_UP,       "gave_up",       "sent no SYN again for longer than its backoff allows: it gave up")

enum wst_fsm_event {
    WST_EV__UNSET = 0,
#define WST_EVENT_ENUM(e, name, text) WST_EV_##e,
    WST_EVENT_MAP(WST_EVENT_ENUM)
#undef WST_EVENT_ENUM
    WST_EV__COUNT
};

const char *wst_event_name(enum wst_fsm_event ev);

/* Bits of wst_endpoint.flags: facts learned from the segments. */
enum {
    WST_EP_HAS_ISN = 0x01, /* isn is known (its SYN or SYN+ACK was seen) */
    WST_EP_HAS_FIN = 0x02, /* its FIN was seen: it is next_seq - 1 (nothing follows a FIN) */
    WST_EP_ACTIVE = 0x04,  /* it sent a SYN without ACK: an active opener */
    WST_EP_SENT = 0x08,    /* it sent at least one segment */
    WST_EP_HAS_SEQ = 0x10, /* next_seq is known */
    WST_EP_LOSES = 0x20,   /* proven to miss segments sent to it (see fsm.c, rule L) */
    WST_EP_SYNACK = 0x40,  /* it sent a SYN+ACK */
    WST_EP_FIN_ACK_WAIT = 0x80, /* LOSES, and an ACK of its FIN went by since its last FIN */
};

/* One endpoint of a connection: 20 bytes, two per connection. */
struct wst_endpoint {
    uint8_t state;      /* enum wst_tcp_state */
    uint8_t flags;      /* WST_EP_* */
    uint8_t syns_again; /* SYNs or SYN+ACKs it sent again, same ISN (saturates at 255) */
    uint8_t fins;       /* FIN segments it sent (saturates at 255) */
    uint32_t isn;       /* its initial sequence number */
    uint32_t next_seq;  /* the highest sequence number it has used, plus one */
    uint32_t since_ms;  /* when it entered `state`, ms after the connection's start */
    uint32_t ack;       /* the highest acknowledgement number it sent (valid once it
                           sent an ACK: wst_conn.tcp_flags); kept by the tracker,
                           which updates it after wst_fsm_step(), so the step
                           sees what it had acknowledged before the segment */
};

/* The sequence number of an endpoint's FIN (valid with WST_EP_HAS_FIN). */
static inline uint32_t wst_endpoint_fin_seq(const struct wst_endpoint *ep)
{
    return ep->next_seq - 1;
}

/* What a segment meant to its two endpoints. */
struct wst_fsm_step {
    uint8_t n_snd, n_rcv;
    uint8_t snd[4], rcv[4];     /* enum wst_fsm_event, in processing order */
    uint8_t snd_from, snd_to;   /* sender state before and after */
    uint8_t rcv_from, rcv_to;   /* receiver state before and after */
    bool syn_rexmit;            /* a SYN/SYN+ACK the sender had sent before */
    bool fin_rexmit;            /* a FIN the sender had sent before */
    bool fin_ack_held;          /* an ACK of the receiver's FIN not assumed delivered (rule L) */
};

/* What a segment's flags say about opening a connection. */
enum wst_opening {
    WST_OPEN_NONE,    /* no SYN, or a RST (processed first: RFC 9293 §3.10.7.4) */
    WST_OPEN_SYN,     /* a SYN without ACK: an active open */
    WST_OPEN_SYNACK,  /* a SYN+ACK: the answer to one */
    WST_OPEN_SYN_FIN, /* a SYN with FIN: opens nothing (fsm.c, assumption 7; a
                         SYN+ACK+FIN its SYN_SENT receiver accepts is a SYN+ACK) */
};

/* The one place the handshake's flags are read: the state machine, the new
 * connection test and the tracker's choice of client all ask it. */
static inline enum wst_opening wst_fsm_opening(uint8_t flags)
{
    if (!(flags & WST_TH_SYN) || (flags & WST_TH_RST))
        return WST_OPEN_NONE;
    if (flags & WST_TH_FIN)
        return WST_OPEN_SYN_FIN;
    return (flags & WST_TH_ACK) ? WST_OPEN_SYNACK : WST_OPEN_SYN;
}

/*
 * Sets up the two endpoints of a new connection from its first segment,
 * sent by `snd`: a SYN without ACK starts a handshake (sender CLOSED,
 * receiver LISTEN, before the segment is applied); a SYN with FIN opens
 * nothing (both UNKNOWN, returns false: nothing was under way either);
 * anything else is a connection already under way (both UNKNOWN) and
 * returns true (midstream).
 */
bool wst_fsm_init(struct wst_endpoint *snd, struct wst_endpoint *rcv, const struct wst_segment *seg);

/*
 * Applies one segment from `snd` to `rcv` at `now_ms` (ms after the
 * connection's start): classifies it, steps both endpoints through the
 * transition table and updates what they are known to have sent. Fills
 * *out (may be NULL).
 */
void wst_fsm_step(struct wst_endpoint *snd, struct wst_endpoint *rcv, const struct wst_segment *seg,
                  uint32_t now_ms, struct wst_fsm_step *out);

/*
 * True if the segment, a SYN without ACK (or FIN) from `snd`, opens a new connection
 * on the same 4-tuple rather than belonging to this one: its sequence
 * number is not the sender's ISN, and this connection is over (both
 * endpoints CLOSED, TIME_WAIT or LISTEN), or the sender's earlier attempt
 * got nowhere (it is SYN_SENT and the receiver LISTEN or CLOSED).
 */
bool wst_fsm_is_new_connection(const struct wst_endpoint *snd, const struct wst_endpoint *rcv,
                               const struct wst_segment *seg);

/*
 * An ICMP or ICMPv6 destination unreachable quoting the SYN of `snd` (its
 * ISN) came back. A connecting endpoint (SYN_SENT) aborts, as on a RST
 * (Linux does so for every destination unreachable but fragmentation
 * needed); its peer, if it never answered, did not get the SYN (LISTEN, as
 * rule R4). Returns true if the SYN was this connection's and it mattered.
 */
bool wst_fsm_icmp_unreachable(struct wst_endpoint *snd, struct wst_endpoint *peer, uint32_t seq, uint32_t now_ms);

/*
 * Timers of `ep`, whose peer is `peer`, due by `now_ms`: an endpoint in
 * TIME_WAIT since at least `time_wait_ms` (2 x MSL) moves to CLOSED at
 * since_ms + time_wait_ms; an endpoint waiting for the ACK of its FIN
 * (WST_EP_FIN_ACK_WAIT) that stayed silent past wst_fsm_fin_ack_deadline()
 * got that ACK after all (fsm.c, rule L); an endpoint in SYN_SENT that sent
 * no SYN again by wst_fsm_syn_deadline() gave up (CLOSED, fsm.c rule G),
 * and then a peer that never answered it never got its SYN (LISTEN, as
 * rule R4). Returns true if `ep` moved; `peer` may move too (compare its
 * state before and after).
 */
bool wst_fsm_expire(struct wst_endpoint *ep, struct wst_endpoint *peer, uint32_t now_ms, uint32_t time_wait_ms);

/* When a WST_EP_FIN_ACK_WAIT endpoint's silence proves its ACK arrived (ms), or 0. */
uint32_t wst_fsm_fin_ack_deadline(const struct wst_endpoint *ep);

/* When a SYN_SENT endpoint (whose peer is `peer`) that sends no SYN again has
 * given up (ms, rule G), or 0. */
uint32_t wst_fsm_syn_deadline(const struct wst_endpoint *ep, const struct wst_endpoint *peer);

/* The table cell for (event, state), for tests: a state, or one of these. */
#define WST_FSM_SAME 0xFE       /* no change */
#define WST_FSM_UNEXPECTED 0xFF /* not expected in this state; no change */
uint8_t wst_fsm_table(enum wst_fsm_event ev, enum wst_tcp_state st);

#endif
