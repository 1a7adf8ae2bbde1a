/*
 * test_anomaly.c - what went wrong with a connection (src/anomaly.c),
 * judged through the real tracker from packet scripts (script.h).
 *
 * Numbers in the scripts: the client's ISN is 1000 and the server's 5000,
 * so after the handshake the client sends from 1001 and the server from
 * 5001; SYN and FIN each take one sequence number. Times are written as
 * offsets from the first packet, T0 = 1700000000 s: packets are 1 ms apart
 * (script.h), and at() jumps to an exact offset, so every expected since
 * and until below is a sum that can be checked by hand. The end of the
 * capture is the last frame fed (a segment, or the ARP frame of at()).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"
#include "suites.h"
#include "wirestate/explain.h"

/* Flag shorthands for the scripts. */
enum { SYN = CRAFT_SYN, ACK = CRAFT_ACK, FIN = CRAFT_FIN, RST = CRAFT_RST, PSH = CRAFT_PSH };

/* Endpoint index of the client/server of an emitted connection. */
#define CLI(c) ((c)->client)
#define SRV(c) (!(c)->client)

#define T0 1700000000000000ULL /* the first packet, in us */
#define MS 1000ULL
#define S 1000000ULL

/*
 * Moves capture time to T0 + t (an ARP frame at that time, as any other
 * traffic on the link would): the next segment is sent at exactly T0 + t.
 */
static void at(struct script *s, uint64_t t)
{
    ck_assert_uint_ge(T0 + t, s->now_us);
    script_idle(s, T0 + t - s->now_us);
}

/* SYN at 0 ms, SYN+ACK at 1 ms, ACK at 2 ms: both ESTABLISHED from 2 ms. */
static void handshake(struct script *s)
{
    script_seg(s, C2S, SYN, 1000, 0, 0);
    script_seg(s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(s, C2S, ACK, 1001, 5001, 0);
}

/*
 * Checks what every anomaly has. A macro, so that a failure names the
 * line of the test rather than of a helper.
 */
#define CHECK_ANOMALY(a, ep, since, until, is_ongoing, n)      \
    do {                                                       \
        const struct wst_anomaly *an_ = (a);                   \
        ck_assert_ptr_nonnull(an_);                            \
        ck_assert_uint_eq(an_->endpoint, (ep));                \
        ck_assert_uint_eq(an_->since_us, (since));             \
        ck_assert_uint_eq(an_->until_us, (until));             \
        ck_assert_int_eq(an_->ongoing, (is_ongoing));          \
        ck_assert_uint_eq(an_->count, (n));                    \
    } while (0)

/* The anomaly of `kind` on endpoint `ep` of the i-th connection, or NULL
 * (script_anomaly() refuses a kind raised on both endpoints). */
static const struct wst_anomaly *anomaly_on(const struct script *s, size_t i, enum wst_anomaly_kind kind, int ep)
{
    for (size_t k = 0; k < script_n_anomalies(s, i); k++) {
        if (s->anomalies[i][k].kind == kind && s->anomalies[i][k].endpoint == ep)
            return &s->anomalies[i][k];
    }
    return NULL;
}

/* ------------------------------------------------------------------ */
/* syn_unanswered (A4)                                                */
/* ------------------------------------------------------------------ */

START_TEST(test_anomaly_syn_unanswered_ongoing)
{
    /* A SYN, the same SYN again 1 s later, no answer; the capture goes on
     * to 3.5 s. The wait runs from the first SYN (0) to the end of the
     * capture (3.5 s) >= 3 s: ongoing, two SYNs. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 1 * S);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 3500 * MS);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_SYN_UNANSWERED);
    CHECK_ANOMALY(a, CLI(c), T0, T0 + 3500 * MS, true, 2);
    ck_assert_uint_eq(a->detail[0], WST_ANSWER_NONE);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_syn_unanswered_below_threshold)
{
    /* The same SYNs, but the capture ends 2 s after the first: 2 s < 3 s,
     * too early to call it unanswered. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 1 * S);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 2 * S);
    script_finish(&s);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_syn_unanswered_threshold_edge)
{
    /* The threshold is inclusive: a wait of 2.999 s is nothing, one of
     * exactly 3.000 s is syn_unanswered (end - start >= --syn-timeout). */
    for (int reach = 0; reach < 2; reach++) {
        struct script s;
        script_init(&s, NULL);
        script_seg(&s, C2S, SYN, 1000, 0, 0);
        at(&s, reach ? 3000 * MS : 2999 * MS);
        script_finish(&s);
        const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_SYN_UNANSWERED);
        if (reach)
            CHECK_ANOMALY(a, CLI(script_conn(&s, 0)), T0, T0 + 3000 * MS, true, 1);
        else
            ck_assert_ptr_null(a);
        script_fini(&s);
    }
}
END_TEST

START_TEST(test_anomaly_syn_unanswered_until_idle_timeout)
{
    /* With --idle-timeout 10 s, a lone SYN at 0 in a capture that goes on
     * to 30 s: the record ends at last packet + 10 s = 10 s, and so does
     * the ongoing wait (not at the capture's end). */
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.idle_timeout_s = 10;
    struct script s;
    script_init(&s, &cfg);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 30 * S);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->end_reason, WST_END_TIMEOUT);
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_SYN_UNANSWERED), CLI(c), T0, T0 + 10 * S, true, 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_syn_answered_late)
{
    /* A SYN at 0 answered by a SYN+ACK at 4 s, then the final ACK at
     * 4.001 s. Over 3 s: raised with its end, the SYN+ACK's time. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 4 * S);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0); /* 4.000 s */
    script_seg(&s, C2S, ACK, 1001, 5001, 0);       /* 4.001 s */
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_SYN_UNANSWERED);
    CHECK_ANOMALY(a, CLI(c), T0, T0 + 4 * S, false, 1);
    ck_assert_uint_eq(a->detail[0], WST_ANSWER_SEGMENT);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_syn_answered_late_is_not_handshake_incomplete)
{
    /* The server's SYN_RCVD counts after it sent its SYN+ACK (A1); before
     * that, a slow answer is the client's syn_unanswered (the guard in
     * judge_held: "never answered: the SYN's sender has syn_unanswered").
     *  - SYN+ACK at 4 s, final ACK at 4.001 s: 1 ms in SYN_RCVD after the
     *    SYN+ACK; syn_unanswered alone.
     *  - SYN+ACK at 2.9 s, final ACK at 3.2 s: 0.3 s after the SYN+ACK, and
     *    the SYN waited 2.9 s < 3 s; nothing at all.
     * (Timing SYN_RCVD from the SYN's arrival instead raised
     * handshake_incomplete in both, blaming a lost final ACK.) */
    static const uint64_t synack_at[2] = {4000 * MS, 2900 * MS}, ack_at[2] = {4001 * MS, 3200 * MS};
    static const size_t expected[2] = {1, 0};
    for (int k = 0; k < 2; k++) {
        struct script s;
        script_init(&s, NULL);
        script_seg(&s, C2S, SYN, 1000, 0, 0);
        at(&s, synack_at[k]);
        script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
        at(&s, ack_at[k]);
        script_seg(&s, C2S, ACK, 1001, 5001, 0);
        script_finish(&s);
        ck_assert_ptr_null(script_anomaly(&s, 0, WST_AN_HANDSHAKE_INCOMPLETE));
        ck_assert_uint_eq(script_n_anomalies(&s, 0), expected[k]);
        script_fini(&s);
    }
}
END_TEST

START_TEST(test_anomaly_syn_answered_promptly)
{
    /* SYN, SYN+ACK 1 ms later, ACK: nothing to report. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    at(&s, 10 * S);
    script_finish(&s);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* refused (A5)                                                       */
/* ------------------------------------------------------------------ */

START_TEST(test_anomaly_refused)
{
    /* A SYN at 0 answered at 1 ms by RST+ACK acknowledging it (ack = ISN + 1):
     * the server refused, and it is the server's anomaly. Not rst_abort:
     * nothing was synchronized. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, RST | ACK, 0, 1001, 0);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_REFUSED);
    CHECK_ANOMALY(a, SRV(c), T0, T0 + 1 * MS, false, 1);
    ck_assert_ptr_null(script_anomaly(&s, 0, WST_AN_RST_ABORT));
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_refused_after_retransmission)
{
    /* SYN at 0, again at 1 s, refused at 1.001 s: two SYNs sent before the
     * RST; the span runs from the first SYN to the RST. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 1 * S);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, RST | ACK, 0, 1001, 0); /* 1.001 s */
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_REFUSED);
    CHECK_ANOMALY(a, SRV(c), T0, T0 + 1 * S + 1 * MS, false, 2);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_unacceptable_rst_is_not_refused)
{
    /* A RST+ACK that does not acknowledge the SYN (ack 5555, not 1001) is
     * not accepted in SYN_SENT (RFC 9293 §3.10.7.3): no refusal. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, RST | ACK, 0, 5555, 0);
    script_finish(&s);
    ck_assert_ptr_null(script_anomaly(&s, 0, WST_AN_REFUSED));
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* handshake_incomplete (A1, A2)                                      */
/* ------------------------------------------------------------------ */

START_TEST(test_anomaly_handshake_incomplete)
{
    /* SYN at 0, SYN+ACK at 1 ms, no final ACK; the capture ends at 3.5 s.
     * The server's wait for the final ACK runs from its SYN+ACK (A1): 1 ms
     * to 3.5 s = 3.499 s >= 3 s, ongoing. The client took the SYN+ACK: it
     * is ESTABLISHED. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    at(&s, 3500 * MS);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_HANDSHAKE_INCOMPLETE);
    CHECK_ANOMALY(a, SRV(c), T0 + 1 * MS, T0 + 3500 * MS, true, 1);
    ck_assert_uint_eq(a->detail[0], WST_ST_ESTABLISHED);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_handshake_incomplete_after_r2)
{
    /* Handshake done by 2 ms, then the server sends its SYN+ACK again at
     * 1 s: the final ACK never reached it (rule R2), it is back in SYN_RCVD.
     * Its wait began with its first SYN+ACK; A2 takes the time it became
     * ESTABLISHED (the final ACK, 2 ms), within a round trip of it. At the
     * end of the capture (3.5 s) it has waited 3.498 s, not 2.5 s from the
     * move: raised, since 2 ms, two SYN+ACKs. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    at(&s, 1 * S);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    at(&s, 3500 * MS);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_HANDSHAKE_INCOMPLETE);
    CHECK_ANOMALY(a, SRV(c), T0 + 2 * MS, T0 + 3500 * MS, true, 2);
    ck_assert_uint_eq(c->first_ts_us, T0);
    ck_assert_uint_eq(a->detail[0], WST_ST_ESTABLISHED);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_late_answer_then_r2)
{
    /* The SYN (0) is answered late, at 4 s (the client's syn_unanswered),
     * the final ACK goes by at 4.001 s, and the server sends its SYN+ACK
     * again at 5 s (R2); the capture ends at 6.5 s. The server's wait for
     * the final ACK began with its first SYN+ACK (A1, and fsm.c: "its wait
     * for the handshake's last ACK starts with its first SYN+ACK"): 2.5 s
     * < 3 s (A2 takes the final ACK's 4.001 s: 2.499 s), no
     * handshake_incomplete. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 4 * S);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    at(&s, 5 * S);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    at(&s, 6500 * MS);
    script_finish(&s);

    ck_assert_ptr_nonnull(script_anomaly(&s, 0, WST_AN_SYN_UNANSWERED));
    ck_assert_ptr_null(script_anomaly(&s, 0, WST_AN_HANDSHAKE_INCOMPLETE));
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_handshake_incomplete_synack_lost)
{
    /* The SYN+ACK (1 ms) never reaches the client: it sends its SYN again
     * at 1 s (rule R1, back to SYN_SENT) and at 3 s; the server answers
     * again at 1.001 s. Capture end 4 s: the server has waited since its
     * first SYN+ACK (1 ms, A2), 3.999 s >= 3 s, with two SYN+ACKs; the
     * client is SYN_SENT and sent its SYN twice more (detail[1]). */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    at(&s, 1 * S);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    at(&s, 3 * S);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 4 * S);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_HANDSHAKE_INCOMPLETE);
    CHECK_ANOMALY(a, SRV(c), T0 + 1 * MS, T0 + 4 * S, true, 2);
    ck_assert_uint_eq(a->detail[0], WST_ST_SYN_SENT);
    ck_assert_uint_eq(a->detail[1], 2);
    /* The server answered: no syn_unanswered for the client. */
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* close_wait_lingering (A1, A3)                                      */
/* ------------------------------------------------------------------ */

/* Handshake, client FIN at 3 ms, server ACK at 4 ms: the server is
 * CLOSE_WAIT from 3 ms (the FIN), the client FIN_WAIT_2. */
static void client_closes(struct script *s)
{
    handshake(s);
    script_seg(s, C2S, FIN | ACK, 1001, 5001, 0); /* 3 ms */
    script_seg(s, S2C, ACK, 5001, 1002, 0);       /* 4 ms */
}

START_TEST(test_anomaly_close_wait_ongoing)
{
    /* The server never closes; capture ends at 6 s. CLOSE_WAIT from 3 ms
     * to 6 s = 5.997 s >= 5 s: ongoing, one FIN received. */
    struct script s;
    script_init(&s, NULL);
    client_closes(&s);
    at(&s, 6 * S);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_CLOSE_WAIT_LINGERING);
    CHECK_ANOMALY(a, SRV(c), T0 + 3 * MS, T0 + 6 * S, true, 1);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

/*
 * The server's ACK of the client's FIN never goes by the capture point (it
 * is lost before it: a capture on the client's side of a lossy path): the
 * client sends its FIN again at 0.2, 0.6 and 1.4 s, the capture ends at
 * 6 s. The record shows the server in CLOSE_WAIT from 3 ms (the FIN is
 * assumed delivered), so it shows close_wait_lingering with it, besides
 * the client's fin_wait_1_stuck (Linux holds the server in CLOSE_WAIT:
 * ss agrees, tests/netns/kernel_states.sh, close-wait-unseen-ack).
 */
START_TEST(test_anomaly_close_wait_ack_unseen)
{
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0); /* 3 ms */
    static const uint64_t again_ms[] = {200, 600, 1400};
    for (size_t k = 0; k < 3; k++) {
        at(&s, again_ms[k] * MS);
        script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    }
    at(&s, 6 * S);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->ep[SRV(c)].state, WST_ST_CLOSE_WAIT);
    ck_assert_uint_eq(c->ep[CLI(c)].state, WST_ST_FIN_WAIT_1);
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_CLOSE_WAIT_LINGERING), SRV(c), T0 + 3 * MS, T0 + 6 * S, true, 4);
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_FIN_WAIT_1_STUCK), CLI(c), T0 + 3 * MS, T0 + 6 * S, true, 4);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 2);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_close_wait_closed_late)
{
    /* The server closes 6 s after the client's FIN: its FIN at 6.003 s,
     * the client's ACK at 6.004 s. CLOSE_WAIT held from 3 ms to 6.003 s =
     * 6 s >= 5 s: raised when left, ending at the server's FIN. */
    struct script s;
    script_init(&s, NULL);
    client_closes(&s);
    at(&s, 6 * S + 3 * MS);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0); /* 6.003 s */
    script_seg(&s, C2S, ACK, 1002, 5002, 0);       /* 6.004 s */
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_CLOSE_WAIT_LINGERING);
    CHECK_ANOMALY(a, SRV(c), T0 + 3 * MS, T0 + 6 * S + 3 * MS, false, 1);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_close_wait_half_close_sending)
{
    /* A half-close doing its job (A3): in CLOSE_WAIT the server sends 100
     * bytes every second (1.003 s .. 5.003 s), each ACKed by the client, and
     * closes at 6.003 s. Lingering counts from its last data: 6.003 - 5.003
     * = 1 s < 5 s, nothing, though CLOSE_WAIT lasted 6 s. */
    struct script s;
    script_init(&s, NULL);
    client_closes(&s);
    uint32_t seq = 5001;
    for (int k = 1; k <= 5; k++) {
        at(&s, (uint64_t)k * S + 3 * MS);
        script_seg(&s, S2C, ACK | PSH, seq, 1002, 100);
        seq += 100;
        script_seg(&s, C2S, ACK, 1002, seq, 0);
    }
    at(&s, 6 * S + 3 * MS);
    script_seg(&s, S2C, FIN | ACK, seq, 1002, 0); /* seq 5501 */
    script_seg(&s, C2S, ACK, 1002, seq + 1, 0);
    script_finish(&s);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_close_wait_counts_from_last_data)
{
    /* In CLOSE_WAIT (from 3 ms) the server sends 100 bytes at 1.003 s, then
     * nothing. Lingering counts from that data (A3): at a capture end of
     * 6 s it is 4.997 s < 5 s, nothing (though CLOSE_WAIT lasted 5.997 s);
     * at 7 s it is 5.997 s, ongoing since 1.003 s. */
    for (int later = 0; later < 2; later++) {
        struct script s;
        script_init(&s, NULL);
        client_closes(&s);
        at(&s, 1 * S + 3 * MS);
        script_seg(&s, S2C, ACK | PSH, 5001, 1002, 100);
        script_seg(&s, C2S, ACK, 1002, 5101, 0);
        at(&s, later ? 7 * S : 6 * S);
        script_finish(&s);
        const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_CLOSE_WAIT_LINGERING);
        if (later)
            CHECK_ANOMALY(a, SRV(script_conn(&s, 0)), T0 + 1 * S + 3 * MS, T0 + 7 * S, true, 1);
        else
            ck_assert_ptr_null(a);
        script_fini(&s);
    }
}
END_TEST

START_TEST(test_anomaly_linger_threshold_edge)
{
    /* The threshold is inclusive for held states too: the server's FIN at
     * 5.002 s leaves CLOSE_WAIT (from 3 ms) after 4.999 s, nothing; at
     * 5.003 s after exactly 5.000 s, raised. */
    for (int reach = 0; reach < 2; reach++) {
        struct script s;
        script_init(&s, NULL);
        client_closes(&s);
        at(&s, reach ? 5003 * MS : 5002 * MS);
        script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
        script_seg(&s, C2S, ACK, 1002, 5002, 0);
        script_finish(&s);
        const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_CLOSE_WAIT_LINGERING);
        if (reach)
            CHECK_ANOMALY(a, SRV(script_conn(&s, 0)), T0 + 3 * MS, T0 + 5003 * MS, false, 1);
        else
            ck_assert_ptr_null(a);
        script_fini(&s);
    }
}
END_TEST

START_TEST(test_anomaly_close_wait_closed_promptly)
{
    /* The server closes 1 s after the client's FIN: 1 s < 5 s. */
    struct script s;
    script_init(&s, NULL);
    client_closes(&s);
    at(&s, 1 * S + 3 * MS);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    script_finish(&s);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* fin_wait_1_stuck, last_ack_stuck (A1, A2)                          */
/* ------------------------------------------------------------------ */

START_TEST(test_anomaly_fin_wait_1_stuck)
{
    /* The client's FIN at 3 ms is never ACKed; it sends it again at
     * 1.003 s; capture ends at 6 s. The wait runs from the first FIN
     * (A2): 6 s - 3 ms = 5.997 s >= 5 s, ongoing, two FINs sent. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0); /* 3 ms */
    at(&s, 1 * S + 3 * MS);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    at(&s, 6 * S);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_FIN_WAIT_1_STUCK);
    CHECK_ANOMALY(a, CLI(c), T0 + 3 * MS, T0 + 6 * S, true, 2);
    /* The server, assumed to have received the FIN, is CLOSE_WAIT as long:
     * whether it should also have close_wait_lingering (it never
     * acknowledged the FIN) is left to the report, not asserted here. */
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_fin_wait_1_lost_acks)
{
    /* The client's FIN (3 ms) is ACKed at 4 ms (FIN_WAIT_2), but it sends
     * it again at 1.003, 3.003 and 5.003 s, each ACKed 1 ms later: the ACKs
     * are lost after the tap (R3, then rule L holds the later ones). Its
     * wait runs from FIN_WAIT_2's start at 4 ms (A2: the state it was in
     * before the first FIN sent again, within a round trip of its FIN). After
     * the 4th FIN it goes silent: rule L takes the ACK as arrived at its
     * last FIN + 2 x 200 ms x 2^3 = 5.003 + 3.2 = 8.203 s. 8.203 s - 4 ms
     * >= 5 s: raised, ended by the timer, four FINs. */
    struct script s;
    script_init(&s, NULL);
    client_closes(&s);
    for (uint64_t k = 1; k <= 5; k += 2) {
        at(&s, k * S + 3 * MS);
        script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
        script_seg(&s, S2C, ACK, 5001, 1002, 0);
    }
    at(&s, 10 * S);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_FIN_WAIT_1_STUCK);
    CHECK_ANOMALY(a, CLI(c), T0 + 4 * MS, T0 + 8203 * MS, false, 4);
    /* The server never closes: CLOSE_WAIT from 3 ms to the end (10 s). */
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_CLOSE_WAIT_LINGERING), SRV(c), T0 + 3 * MS, T0 + 10 * S, true, 4);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_last_ack_stuck)
{
    /* Client FIN at 3 ms, server ACK at 4 ms, server FIN at 5 ms and again
     * at 1.005 s, never ACKed; capture ends at 6.005 s. LAST_ACK from the
     * first FIN (5 ms) to 6.005 s = 6 s >= 5 s: ongoing, two FINs. */
    struct script s;
    script_init(&s, NULL);
    client_closes(&s);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0); /* 5 ms */
    at(&s, 1 * S + 5 * MS);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    at(&s, 6 * S + 5 * MS);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_LAST_ACK_STUCK);
    CHECK_ANOMALY(a, SRV(c), T0 + 5 * MS, T0 + 6 * S + 5 * MS, true, 2);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_closing_stuck)
{
    /* Simultaneous close: the client's FIN at 3 ms, the server's at 4 ms
     * before it got the client's (ack 1001), neither ever ACKed; both end in
     * CLOSING, judged as FIN_WAIT_1 (A1), each from its own FIN (A2: the
     * client's wait began in FIN_WAIT_1 at 3 ms, not at CLOSING at 4 ms).
     * Capture end 6.004 s: 6.001 s and 6 s >= 5 s. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0); /* 3 ms */
    script_seg(&s, S2C, FIN | ACK, 5001, 1001, 0); /* 4 ms */
    at(&s, 6 * S + 4 * MS);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    CHECK_ANOMALY(anomaly_on(&s, 0, WST_AN_FIN_WAIT_1_STUCK, CLI(c)), CLI(c), T0 + 3 * MS, T0 + 6 * S + 4 * MS,
                  true, 1);
    CHECK_ANOMALY(anomaly_on(&s, 0, WST_AN_FIN_WAIT_1_STUCK, SRV(c)), SRV(c), T0 + 4 * MS, T0 + 6 * S + 4 * MS,
                  true, 1);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 2);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* rst_abort (A5)                                                     */
/* ------------------------------------------------------------------ */

START_TEST(test_anomaly_rst_abort)
{
    /* Data both ways, then 100 bytes from the client (1101..1200) that the
     * server never ACKs; at 7 ms the server resets with the sequence number
     * the client expects (5301). Its own bytes are all acknowledged (0);
     * the client's last 100 are not. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, ACK | PSH, 1001, 5001, 100); /* 3 ms */
    script_seg(&s, S2C, ACK | PSH, 5001, 1101, 300); /* 4 ms */
    script_seg(&s, C2S, ACK, 1101, 5301, 0);         /* 5 ms */
    script_seg(&s, C2S, ACK | PSH, 1101, 5301, 100); /* 6 ms, never ACKed */
    script_seg(&s, S2C, RST, 5301, 0, 0);            /* 7 ms */
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->end_reason, WST_END_RESET);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_RST_ABORT);
    CHECK_ANOMALY(a, SRV(c), T0 + 7 * MS, T0 + 7 * MS, false, 1);
    ck_assert_uint_eq(a->detail[0], WST_ST_ESTABLISHED); /* the sender's, before */
    ck_assert_uint_eq(a->detail[1], WST_ST_ESTABLISHED); /* the receiver's, before */
    ck_assert_uint_eq(a->value[0], 0);
    ck_assert_uint_eq(a->value[1], 100);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_rst_abort_both_unacked)
{
    /* The client sends 100 bytes (1001..1100), the server 300 (5001..5300),
     * neither acknowledged; the client resets at 5 ms with seq 1101. Its
     * own 100 bytes and the server's 300 were in flight. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, ACK | PSH, 1001, 5001, 100); /* 3 ms */
    script_seg(&s, S2C, ACK | PSH, 5001, 1001, 300); /* 4 ms */
    script_seg(&s, C2S, RST, 1101, 0, 0);            /* 5 ms */
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_RST_ABORT);
    CHECK_ANOMALY(a, CLI(c), T0 + 5 * MS, T0 + 5 * MS, false, 1);
    ck_assert_uint_eq(a->detail[0], WST_ST_ESTABLISHED);
    ck_assert_uint_eq(a->detail[1], WST_ST_ESTABLISHED);
    ck_assert_uint_eq(a->value[0], 100);
    ck_assert_uint_eq(a->value[1], 300);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_rst_abort_in_close_wait)
{
    /* The client sends 100 bytes with its FIN (1001..1100, FIN 1101) at
     * 3 ms; the server, CLOSE_WAIT, resets at 4 ms without acknowledging
     * them. CLOSE_WAIT is synchronized (A5); the client's FIN is not a byte,
     * so 100 of its bytes were unacknowledged, not 101. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK | PSH, 1001, 5001, 100); /* 3 ms */
    script_seg(&s, S2C, RST, 5001, 0, 0);                  /* 4 ms */
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_RST_ABORT);
    CHECK_ANOMALY(a, SRV(c), T0 + 4 * MS, T0 + 4 * MS, false, 1);
    ck_assert_uint_eq(a->detail[0], WST_ST_CLOSE_WAIT);
    ck_assert_uint_eq(a->detail[1], WST_ST_FIN_WAIT_1);
    ck_assert_uint_eq(a->value[0], 0);
    ck_assert_uint_eq(a->value[1], 100);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_inexact_rst_is_not_abort)
{
    /* A RST in the window but not at the expected 5001 (RFC 5961 §3.2:
     * only a challenge ACK) resets nothing, so it is no abort (A5). */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, ACK | PSH, 1001, 5001, 100);
    script_seg(&s, S2C, RST, 5100, 0, 0);
    script_finish(&s);
    ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_CAPTURE_END);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_rst_in_time_wait_is_not_abort)
{
    /* The client closes first and ends in TIME_WAIT at 4 ms; at 6 ms a RST
     * (seq 5002, what the client expects) ends the wait. TIME_WAIT is not
     * synchronized (A5): no rst_abort. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0); /* 3 ms */
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0); /* 4 ms: client TIME_WAIT */
    script_seg(&s, C2S, ACK, 1002, 5002, 0);       /* 5 ms: server CLOSED */
    script_seg(&s, S2C, RST, 5002, 0, 0);          /* 6 ms */
    script_finish(&s);
    ck_assert_ptr_null(script_anomaly(&s, 0, WST_AN_RST_ABORT));
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* invalid_flags (A9)                                                 */
/* ------------------------------------------------------------------ */

START_TEST(test_anomaly_invalid_flags)
{
    /* A scanner's SYN+FIN at 0 and a segment with no flags at 1 ms, both
     * from the client: one anomaly, two segments, the first one's flags. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN | FIN, 1000, 0, 0);
    script_seg(&s, C2S, 0, 1001, 0, 0);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_INVALID_FLAGS);
    CHECK_ANOMALY(a, CLI(c), T0, T0 + 1 * MS, false, 2);
    ck_assert_uint_eq(a->detail[0], WST_TH_SYN | WST_TH_FIN);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

/*
 * A SYN+FIN opens nothing (fsm.c, assumption 7), so however long the
 * capture goes on, nobody waits for an answer: invalid_flags alone, no
 * syn_unanswered. The same when a closed port answers it with a RST
 * (Linux acknowledges the SYN and the FIN: ack 1002): that is no refused
 * connection, as no connection was asked for.
 */
START_TEST(test_anomaly_invalid_flags_syn_fin_opens_nothing)
{
    for (int answered = 0; answered < 2; answered++) {
        struct script s;
        script_init(&s, NULL);
        script_seg(&s, C2S, SYN | FIN, 1000, 0, 0);
        if (answered)
            script_seg(&s, S2C, RST | ACK, 0, 1002, 0);
        at(&s, 10 * S);
        script_finish(&s);

        const struct wst_conn *c = script_conn(&s, 0);
        const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_INVALID_FLAGS);
        CHECK_ANOMALY(a, CLI(c), T0, T0, false, 1);
        ck_assert_uint_eq(a->detail[0], WST_TH_SYN | WST_TH_FIN);
        ck_assert_ptr_null(script_anomaly(&s, 0, WST_AN_SYN_UNANSWERED));
        ck_assert_ptr_null(script_anomaly(&s, 0, WST_AN_REFUSED));
        ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
        script_fini(&s);
    }
}
END_TEST

START_TEST(test_anomaly_invalid_flags_scans)
{
    /* A FIN scan (FIN alone) then an Xmas scan (FIN PSH URG), no ACK on
     * either: one anomaly of the client's, counted twice, first flags FIN. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, FIN, 1000, 0, 0);
    script_seg(&s, C2S, FIN | PSH | CRAFT_URG, 1000, 0, 0);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_INVALID_FLAGS);
    CHECK_ANOMALY(a, CLI(c), T0, T0 + 1 * MS, false, 2);
    ck_assert_uint_eq(a->detail[0], WST_TH_FIN);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Running conditions the connection's end ends (A6, A7, A8)          */
/* ------------------------------------------------------------------ */

/*
 * Keepalive probes (seq 1000, one below the client's next 1001, no data)
 * at 10, 11 and 12 s after the handshake, none answered; at 13 s the
 * client gives up and resets, as Linux does after tcp_keepalive_probes
 * (tcp_keepalive_timer(): tcp_send_active_reset()). The probes went
 * unanswered from 10 s to the RST, and that is where the condition ends:
 * not ongoing, however long the capture goes on. In the second run a late
 * ACK from the server (15 s) comes after the connection is over: it
 * answers no probe of a connection that no longer exists.
 */
START_TEST(test_anomaly_keepalive_ended_by_prober_rst)
{
    for (int late = 0; late < 2; late++) {
        struct script s;
        script_init(&s, NULL);
        handshake(&s);
        for (uint64_t k = 0; k < 3; k++) {
            at(&s, (10 + k) * S);
            script_seg(&s, C2S, ACK, 1000, 5001, 0);
        }
        at(&s, 13 * S);
        script_seg(&s, C2S, RST | ACK, 1001, 5001, 0);
        if (late) {
            at(&s, 15 * S);
            script_seg(&s, S2C, ACK, 5001, 1001, 0);
        }
        at(&s, 20 * S);
        script_finish(&s);

        const struct wst_conn *c = script_conn(&s, 0);
        ck_assert_uint_eq(c->end_reason, WST_END_RESET);
        CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_KEEPALIVE_UNANSWERED), CLI(c), T0 + 10 * S, T0 + 13 * S, false,
                      3);
        CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_RST_ABORT), CLI(c), T0 + 13 * S, T0 + 13 * S, false, 1);
        ck_assert_uint_eq(script_n_anomalies(&s, 0), 2);
        script_fini(&s);
    }
}
END_TEST

/* The same probes ended by the server's RST: an answer, at 13 s. */
START_TEST(test_anomaly_keepalive_ended_by_peer_rst)
{
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    for (uint64_t k = 0; k < 3; k++) {
        at(&s, (10 + k) * S);
        script_seg(&s, C2S, ACK, 1000, 5001, 0);
    }
    at(&s, 13 * S);
    script_seg(&s, S2C, RST, 5001, 0, 0);
    at(&s, 20 * S);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_KEEPALIVE_UNANSWERED), CLI(c), T0 + 10 * S, T0 + 13 * S, false, 3);
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_RST_ABORT), SRV(c), T0 + 13 * S, T0 + 13 * S, false, 1);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 2);
    script_fini(&s);
}
END_TEST

/*
 * 100 bytes at 1 s (1001..1100), never acknowledged, sent again at 1.2,
 * 1.6 and 2.4 s (gaps 0.4 and 0.8 s: backing off), then a RST at 4 s:
 * the client's own (at its next sequence number, 1101), or the server's
 * without ACK (at 5001), which acknowledges nothing. Either ends the
 * connection, and the stall with it: from the first retransmission to the
 * RST, not ongoing.
 */
START_TEST(test_anomaly_retransmission_stall_ended_by_rst)
{
    for (int by_server = 0; by_server < 2; by_server++) {
        struct script s;
        script_init(&s, NULL);
        handshake(&s);
        at(&s, 1 * S);
        script_seg(&s, C2S, ACK | PSH, 1001, 5001, 100);
        static const uint64_t again_ms[] = {1200, 1600, 2400};
        for (size_t k = 0; k < 3; k++) {
            at(&s, again_ms[k] * MS);
            script_seg(&s, C2S, ACK | PSH, 1001, 5001, 100);
        }
        at(&s, 4 * S);
        if (by_server)
            script_seg(&s, S2C, RST, 5001, 0, 0);
        else
            script_seg(&s, C2S, RST | ACK, 1101, 5001, 0);
        at(&s, 10 * S);
        script_finish(&s);

        const struct wst_conn *c = script_conn(&s, 0);
        const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_RETRANSMISSION_STALL);
        CHECK_ANOMALY(a, CLI(c), T0 + 1200 * MS, T0 + 4 * S, false, 3);
        ck_assert_uint_eq(a->value[0], 800);
        ck_assert_ptr_nonnull(script_anomaly(&s, 0, WST_AN_RST_ABORT));
        ck_assert_uint_eq(script_n_anomalies(&s, 0), 2);
        script_fini(&s);
    }
}
END_TEST

/* The server advertises a zero window at 1 s; the client resets at 8 s. */
START_TEST(test_anomaly_zero_window_ended_by_rst)
{
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    at(&s, 1 * S);
    script_seg_win(&s, S2C, ACK, 5001, 1001, 0, 0);
    at(&s, 8 * S);
    script_seg(&s, C2S, RST | ACK, 1001, 5001, 0);
    at(&s, 20 * S);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_ZERO_WINDOW), SRV(c), T0 + 1 * S, T0 + 8 * S, false, 1);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 2); /* and the client's rst_abort */
    script_fini(&s);
}
END_TEST

/*
 * The same zero window, then an orderly close at 8 s in which the server
 * still advertises zero (its ACK and its FIN): the client's last ACK at
 * 8.003 s leaves the client in TIME_WAIT and the server CLOSED, and the
 * window's condition ends there, as the connection is done on the wire
 * (its record, written half a second later, is closed).
 */
START_TEST(test_anomaly_zero_window_ended_by_close)
{
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    at(&s, 1 * S);
    script_seg_win(&s, S2C, ACK, 5001, 1001, 0, 0);
    at(&s, 8 * S);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    script_seg_win(&s, S2C, ACK, 5001, 1002, 0, 0);
    script_seg_win(&s, S2C, FIN | ACK, 5001, 1002, 0, 0);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    at(&s, 20 * S);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->end_reason, WST_END_CLOSED);
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_ZERO_WINDOW), SRV(c), T0 + 1 * S, T0 + 8 * S + 3 * MS, false, 3);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

/*
 * The end of a connection a timer decides. After a full close (6 ms: the
 * client TIME_WAIT, the server CLOSED) the server sends its FIN again, with
 * a zero window (7 ms): R3, its ACK was lost, so it is LAST_ACK and proven
 * to lose ACKs; the client's ACK (8 ms) is held (rule L) and the server's
 * silence releases it at its deadline, 800 ms after that second FIN
 * (fsm.c: 400 ms doubled once). The connection ends there, at 807 ms, and
 * so does the zero window (--linger 100 ms, so 800 ms counts).
 */
START_TEST(test_anomaly_zero_window_ended_by_timer)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.anomaly.linger_ms = 100;
    struct script s;
    script_init(&s, &cfg);
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);          /* 3 ms */
    script_seg(&s, S2C, ACK, 5001, 1002, 0);                /* 4 ms */
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);          /* 5 ms */
    script_seg(&s, C2S, ACK, 1002, 5002, 0);                /* 6 ms */
    script_seg_win(&s, S2C, FIN | ACK, 5001, 1002, 0, 0);   /* 7 ms */
    ck_assert_uint_eq(script_server_state(&s), WST_ST_LAST_ACK);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);                /* 8 ms */
    ck_assert_uint_eq(script_server_state(&s), WST_ST_LAST_ACK);
    at(&s, 3 * S);
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    ck_assert_uint_eq(c->ep[SRV(c)].state, WST_ST_CLOSED);
    ck_assert_uint_eq(c->ep[CLI(c)].state, WST_ST_TIME_WAIT);
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_ZERO_WINDOW), SRV(c), T0 + 7 * MS, T0 + 807 * MS, false, 1);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* data_after_close                                                   */
/* ------------------------------------------------------------------ */

START_TEST(test_anomaly_data_after_fin)
{
    /* The client's FIN takes 1001 (3 ms); at 5 ms it sends 50 bytes from
     * 1002, beyond its FIN. */
    struct script s;
    script_init(&s, NULL);
    client_closes(&s);
    script_seg(&s, C2S, ACK | PSH, 1002, 5001, 50); /* 5 ms */
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_DATA_AFTER_CLOSE);
    CHECK_ANOMALY(a, CLI(c), T0 + 5 * MS, T0 + 5 * MS, false, 1);
    ck_assert_uint_eq(a->detail[0], WST_AFTER_FIN);
    ck_assert_uint_eq(a->value[0], 50);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_data_after_fin_adds_up)
{
    /* Two segments beyond the FIN, 50 bytes at 5 ms and 50 at 6 ms: one
     * anomaly, two segments, 100 bytes, from the first to the last. */
    struct script s;
    script_init(&s, NULL);
    client_closes(&s);
    script_seg(&s, C2S, ACK | PSH, 1002, 5001, 50); /* 5 ms */
    script_seg(&s, C2S, ACK | PSH, 1052, 5001, 50); /* 6 ms */
    script_finish(&s);

    const struct wst_conn *c = script_conn(&s, 0);
    const struct wst_anomaly *a = script_anomaly(&s, 0, WST_AN_DATA_AFTER_CLOSE);
    CHECK_ANOMALY(a, CLI(c), T0 + 5 * MS, T0 + 6 * MS, false, 2);
    ck_assert_uint_eq(a->value[0], 100);
    ck_assert_uint_eq(a->detail[0], WST_AFTER_FIN);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_retransmission_before_fin)
{
    /* 100 bytes (1001..1100) at 3 ms, FIN at 1101 (5 ms), then the 100
     * bytes again at 6 ms: old data, ending where the FIN begins. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, ACK | PSH, 1001, 5001, 100); /* 3 ms */
    script_seg(&s, S2C, ACK, 5001, 1101, 0);         /* 4 ms */
    script_seg(&s, C2S, FIN | ACK, 1101, 5001, 0);   /* 5 ms */
    script_seg(&s, C2S, ACK | PSH, 1001, 5001, 100); /* 6 ms */
    script_finish(&s);
    ck_assert_ptr_null(script_anomaly(&s, 0, WST_AN_DATA_AFTER_CLOSE));
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* port_reuse                                                         */
/* ------------------------------------------------------------------ */

/*
 * The server closes first: FIN at 3 ms, the client's FIN+ACK at 4 ms puts
 * the server in TIME_WAIT (from 4 ms), the server's ACK at 5 ms closes the
 * client. At 1.005 s the client opens again with a new ISN.
 */
static void server_closes_then_reuse(struct script *s)
{
    handshake(s);
    script_seg(s, S2C, FIN | ACK, 5001, 1001, 0); /* 3 ms */
    script_seg(s, C2S, FIN | ACK, 1001, 5002, 0); /* 4 ms: server TIME_WAIT */
    script_seg(s, S2C, ACK, 5002, 1002, 0);       /* 5 ms: client CLOSED */
    at(s, 1 * S + 5 * MS);
    script_seg(s, C2S, SYN, 9000, 0, 0); /* 1.005 s */
    script_seg(s, S2C, SYN | ACK, 7000, 9001, 0);
    script_seg(s, C2S, ACK, 9001, 7001, 0);
}

START_TEST(test_anomaly_port_reuse)
{
    /* TIME_WAIT from 4 ms lasts 2 x 30 s, to 60.004 s; the SYN at 1.005 s
     * left 60.004 - 1.005 = 58.999 s of it. */
    struct script s;
    script_init(&s, NULL);
    server_closes_then_reuse(&s);
    script_finish(&s);

    ck_assert_uint_eq(s.n_conns, 2);
    /* Done on the wire at 5 ms, so written as closed before the reuse. */
    ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_CLOSED);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    const struct wst_conn *c = script_conn(&s, 1);
    const struct wst_anomaly *a = script_anomaly(&s, 1, WST_AN_PORT_REUSE);
    CHECK_ANOMALY(a, CLI(c), T0 + 1 * S + 5 * MS, T0 + 1 * S + 5 * MS, false, 1);
    ck_assert_uint_eq(a->detail[0], SRV(c));
    ck_assert_uint_eq(a->value[0], 58999);
    ck_assert_uint_eq(script_n_anomalies(&s, 1), 1);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_port_reuse_msl)
{
    /* With an MSL of 10 s TIME_WAIT is 20 s, to 20.004 s: 18.999 s left. */
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.msl_s = 10;
    struct script s;
    script_init(&s, &cfg);
    server_closes_then_reuse(&s);
    script_finish(&s);
    const struct wst_anomaly *a = script_anomaly(&s, 1, WST_AN_PORT_REUSE);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(a->value[0], 18999);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_port_reuse_client_time_wait)
{
    /* The client closes first (TIME_WAIT from 4 ms, when the server's FIN
     * arrives) and opens again from the same port at 2.005 s: its own
     * TIME_WAIT, to 60.004 s, had 60.004 - 2.005 = 57.999 s left. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0); /* 3 ms */
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0); /* 4 ms: client TIME_WAIT */
    script_seg(&s, C2S, ACK, 1002, 5002, 0);       /* 5 ms: server CLOSED */
    at(&s, 2 * S + 5 * MS);
    script_seg(&s, C2S, SYN, 9000, 0, 0);
    script_finish(&s);

    ck_assert_uint_eq(s.n_conns, 2);
    const struct wst_conn *c = script_conn(&s, 1);
    const struct wst_anomaly *a = script_anomaly(&s, 1, WST_AN_PORT_REUSE);
    CHECK_ANOMALY(a, CLI(c), T0 + 2 * S + 5 * MS, T0 + 2 * S + 5 * MS, false, 1);
    ck_assert_uint_eq(a->detail[0], CLI(c));
    ck_assert_uint_eq(a->value[0], 57999);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Thresholds                                                         */
/* ------------------------------------------------------------------ */

START_TEST(test_anomaly_thresholds_from_config)
{
    /* --syn-timeout 500 ms and --linger 1 s: an unanswered SYN judged at
     * 0.6 s, and the server closing 2 s after the client's FIN (CLOSE_WAIT
     * from 3 ms to 2.003 s = 2 s >= 1 s) are both anomalies now. */
    struct wst_pipeline_config cfg = script_config();
    cfg.tracker.anomaly.syn_timeout_ms = 500;
    cfg.tracker.anomaly.linger_ms = 1000;
    struct script s;
    script_init(&s, &cfg);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 600 * MS);
    script_finish(&s);
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_SYN_UNANSWERED), CLI(script_conn(&s, 0)), T0, T0 + 600 * MS,
                  true, 1);
    script_fini(&s);

    script_init(&s, &cfg);
    client_closes(&s);
    at(&s, 2 * S + 3 * MS);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    script_finish(&s);
    CHECK_ANOMALY(script_anomaly(&s, 0, WST_AN_CLOSE_WAIT_LINGERING), SRV(script_conn(&s, 0)), T0 + 3 * MS,
                  T0 + 2 * S + 3 * MS, false, 1);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Clean lifecycles                                                   */
/* ------------------------------------------------------------------ */

START_TEST(test_anomaly_clean_close_by_client)
{
    /* Handshake, data both ways, the client closes first; it is still in
     * TIME_WAIT when the capture ends. */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, ACK | PSH, 1001, 5001, 100);
    script_seg(&s, S2C, ACK | PSH, 5001, 1101, 300);
    script_seg(&s, C2S, FIN | ACK, 1101, 5301, 0);
    script_seg(&s, S2C, FIN | ACK, 5301, 1102, 0);
    script_seg(&s, C2S, ACK, 1102, 5302, 0);
    script_finish(&s);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_clean_close_by_server)
{
    /* The same with the server closing first (FIN, FIN+ACK, ACK). */
    struct script s;
    script_init(&s, NULL);
    handshake(&s);
    script_seg(&s, C2S, ACK | PSH, 1001, 5001, 100);
    script_seg(&s, S2C, ACK | PSH, 5001, 1101, 300);
    script_seg(&s, S2C, FIN | ACK, 5301, 1101, 0);
    script_seg(&s, C2S, FIN | ACK, 1101, 5302, 0);
    script_seg(&s, S2C, ACK, 5302, 1102, 0);
    script_finish(&s);
    ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_clean_time_wait_to_the_end)
{
    /* The client's TIME_WAIT (from 4 ms) held to a capture end at 30 s,
     * and, in another run, past its 60 s to 200 s: closed either way (done
     * on the wire), and a long TIME_WAIT is the protocol, not an anomaly. */
    for (int past = 0; past < 2; past++) {
        struct script s;
        script_init(&s, NULL);
        handshake(&s);
        script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
        script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
        script_seg(&s, C2S, ACK, 1002, 5002, 0);
        at(&s, past ? 200 * S : 30 * S);
        script_finish(&s);
        ck_assert_uint_eq(s.n_conns, 1);
        ck_assert_uint_eq(script_conn(&s, 0)->end_reason, WST_END_CLOSED);
        ck_assert_uint_eq(script_n_anomalies(&s, 0), 0);
        script_fini(&s);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* The rows of WST_ANOMALY_MAP, and the docs that restate them        */
/* ------------------------------------------------------------------ */

START_TEST(test_anomaly_table_rows)
{
    /* Every row is complete: a name (the one wst_anomaly_name() gives,
     * snake_case, unique) and an endpoint. A state held too long needs a
     * threshold to be "too long", and no two rows are about one state. */
    for (int k = 0; k < WST_AN__COUNT; k++) {
        const struct wst_anomaly_info *row = wst_anomaly_info((enum wst_anomaly_kind)k);
        ck_assert_ptr_nonnull(row->name);
        ck_assert_str_eq(row->name, wst_anomaly_name((enum wst_anomaly_kind)k));
        ck_assert_uint_eq(strspn(row->name, "abcdefghijklmnopqrstuvwxyz_0123456789"), strlen(row->name));
        ck_assert_msg(row->role > WST_AROLE__UNSET && row->role < WST_AROLE__COUNT, "%s: endpoint", row->name);
        ck_assert_msg(row->sides == WST_SIDES_ONE || row->sides == WST_SIDES_BOTH, "%s: sides", row->name);
        ck_assert_msg(row->state < WST_ST__COUNT, "%s: state", row->name);
        if (row->state != WST_ST__UNSET)
            ck_assert_msg(row->threshold != WST_THRESHOLD_NONE, "%s: a state without a threshold", row->name);
        for (int j = 0; j < k; j++) {
            const struct wst_anomaly_info *other = wst_anomaly_info((enum wst_anomaly_kind)j);
            ck_assert_str_ne(other->name, row->name);
            ck_assert(row->state == WST_ST__UNSET || other->state != row->state);
        }
    }
    const struct wst_anomaly_info *unknown = wst_anomaly_info(WST_AN__COUNT);
    ck_assert_str_eq(unknown->name, "unknown");
    ck_assert_uint_eq(unknown->role, WST_AROLE__UNSET);
    ck_assert_uint_eq(unknown->state, WST_ST__UNSET);
}
END_TEST

/* The whole of a file of the source tree, NUL-terminated; the caller frees it. */
static char *source_file(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", WST_SOURCE_DIR, rel);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    size_t cap = 1 << 16, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    size_t got;
    while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += got;
        if (len + 1 == cap) {
            cap *= 2;
            text = realloc(text, cap);
            ck_assert_ptr_nonnull(text);
        }
    }
    fclose(f);
    text[len] = '\0';
    return text;
}

/*
 * The row of a Markdown table in `text` whose first cell names `name` (in
 * backticks, maybe among others): its second cell, trimmed, into `cell2`,
 * and the cells after it into `rest`. Fails the test unless exactly one
 * row names it.
 */
static void doc_row(const char *text, const char *file, const char *name, char *cell2, size_t size2, char *rest,
                    size_t size_rest)
{
    char quoted[64];
    snprintf(quoted, sizeof quoted, "`%s`", name);
    int found = 0;
    for (const char *line = text; *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : line + strlen(line)) {
        if (strncmp(line, "| `", 3) != 0)
            continue;
        const char *end = strchr(line, '\n');
        if (!end)
            end = line + strlen(line);
        const char *bar1 = strchr(line + 1, '|');
        if (!bar1 || bar1 > end)
            continue;
        const char *hit = strstr(line, quoted);
        if (!hit || hit > bar1)
            continue;
        const char *bar2 = strchr(bar1 + 1, '|');
        ck_assert_msg(bar2 && bar2 < end, "%s: the row of %s has one cell", file, name);
        const char *a = bar1 + 1, *b = bar2;
        while (a < b && *a == ' ')
            a++;
        while (b > a && b[-1] == ' ')
            b--;
        snprintf(cell2, size2, "%.*s", (int)(b - a), a);
        snprintf(rest, size_rest, "%.*s", (int)(end - bar2), bar2);
        found++;
    }
    ck_assert_msg(found == 1, "%s: %d table rows name %s", file, found, name);
}

START_TEST(test_anomaly_table_matches_docs)
{
    /* README.md and docs/output.md restate each row in a table: the same
     * endpoint, the threshold option named where a row has one and only
     * there; docs/output.md also names the state of a row that has one,
     * and lists exactly the kinds that need both sides (A10). */
    static const char *const files[] = {"README.md", "docs/output.md"};
    for (size_t fi = 0; fi < sizeof files / sizeof *files; fi++) {
        char *text = source_file(files[fi]);
        for (int k = 0; k < WST_AN__COUNT; k++) {
            const struct wst_anomaly_info *row = wst_anomaly_info((enum wst_anomaly_kind)k);
            char endpoint[64], rest[2048], want[64];
            doc_row(text, files[fi], row->name, endpoint, sizeof endpoint, rest, sizeof rest);
            wst_explain_role(want, sizeof want, (enum wst_anomaly_kind)k);
            ck_assert_msg(strcmp(endpoint, want) == 0, "%s: %s concerns \"%s\", the row says \"%s\"", files[fi],
                          row->name, endpoint, want);
            bool syn = strstr(rest, "--syn-timeout") != NULL, linger = strstr(rest, "--linger") != NULL;
            ck_assert_msg(syn == (row->threshold == WST_THRESHOLD_SYN_TIMEOUT), "%s: %s and --syn-timeout", files[fi],
                          row->name);
            ck_assert_msg(linger == (row->threshold == WST_THRESHOLD_LINGER), "%s: %s and --linger", files[fi],
                          row->name);
            const char *state = wst_state_name((enum wst_tcp_state)row->state);
            if (fi == 1 && row->state != WST_ST__UNSET)
                ck_assert_msg(strstr(rest, state) != NULL || strstr(endpoint, state) != NULL,
                              "%s: %s does not name %s", files[fi], row->name, state);
        }
        if (fi == 1) {
            /* The paragraph on one-sided captures: every kind it names in
             * backticks, and only those, needs both sides. */
            const char *p = strstr(text, "A one-sided capture");
            ck_assert_ptr_nonnull(p);
            const char *end = strstr(p, "\n\n");
            ck_assert_ptr_nonnull(end);
            int named = 0;
            for (const char *q = strchr(p, '`'); q && q < end; q = strchr(q, '`')) {
                const char *close = strchr(q + 1, '`');
                ck_assert_ptr_nonnull(close);
                char name[64];
                snprintf(name, sizeof name, "%.*s", (int)(close - q - 1), q + 1);
                int k = 0;
                while (k < WST_AN__COUNT && strcmp(wst_anomaly_name((enum wst_anomaly_kind)k), name) != 0)
                    k++;
                ck_assert_msg(k < WST_AN__COUNT, "one-sided paragraph: %s is no kind", name);
                ck_assert_msg(wst_anomaly_info((enum wst_anomaly_kind)k)->sides == WST_SIDES_BOTH,
                              "one-sided paragraph names %s, whose row says ONE", name);
                named++;
                q = close + 1;
            }
            int both = 0;
            for (int k = 0; k < WST_AN__COUNT; k++)
                both += wst_anomaly_info((enum wst_anomaly_kind)k)->sides == WST_SIDES_BOTH;
            ck_assert_int_eq(named, both);
        }
        free(text);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Diagnoses                                                          */
/* ------------------------------------------------------------------ */

/* The diagnosis of the anomaly of `kind` of connection 0, checked for one line. */
static size_t diagnose(const struct script *s, enum wst_anomaly_kind kind, char buf[WST_EXPLAIN_ANOMALY_MAX])
{
    const struct wst_anomaly *a = script_anomaly(s, 0, kind);
    ck_assert_ptr_nonnull(a);
    size_t n = wst_explain_anomaly(buf, WST_EXPLAIN_ANOMALY_MAX, script_conn(s, 0), a);
    ck_assert_uint_eq(n, strlen(buf));
    ck_assert_uint_lt(n, WST_EXPLAIN_ANOMALY_MAX - 1); /* not cut short */
    ck_assert_ptr_null(strchr(buf, '\n'));
    return n;
}

START_TEST(test_anomaly_diagnosis_syn_unanswered)
{
    /* The client's SYNs: names the client first, and the server to check. */
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 1 * S);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    at(&s, 3500 * MS);
    script_finish(&s);
    char buf[WST_EXPLAIN_ANOMALY_MAX];
    diagnose(&s, WST_AN_SYN_UNANSWERED, buf);
    ck_assert_msg(strncmp(buf, "client 192.0.2.1:40000 sent 2 SYNs", 34) == 0, "%s", buf);
    ck_assert_msg(strstr(buf, " in 3.500 s") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "server 198.51.100.2:80") != NULL, "%s", buf);
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_diagnosis_close_wait)
{
    struct script s;
    script_init(&s, NULL);
    client_closes(&s);
    at(&s, 6 * S);
    script_finish(&s);
    char buf[WST_EXPLAIN_ANOMALY_MAX];
    diagnose(&s, WST_AN_CLOSE_WAIT_LINGERING, buf);
    ck_assert_msg(strncmp(buf, "server 198.51.100.2:80 ", 23) == 0, "%s", buf);
    ck_assert_msg(strstr(buf, "FIN of the client") != NULL, "%s", buf);
    ck_assert_msg(strstr(buf, "for 5.997 s") != NULL, "%s", buf); /* 6 s - 3 ms */
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_diagnosis_refused_and_truncated)
{
    struct script s;
    script_init(&s, NULL);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_seg(&s, S2C, RST | ACK, 0, 1001, 0);
    script_finish(&s);
    char buf[WST_EXPLAIN_ANOMALY_MAX];
    diagnose(&s, WST_AN_REFUSED, buf);
    ck_assert_msg(strncmp(buf, "server 198.51.100.2:80 answered the SYN with a RST", 50) == 0, "%s", buf);
    ck_assert_msg(strstr(buf, "port 80") != NULL, "%s", buf);

    /* A small buffer gets the start of the same line, NUL-terminated. */
    char small[11];
    size_t n = wst_explain_anomaly(small, sizeof small, script_conn(&s, 0), script_anomaly(&s, 0, WST_AN_REFUSED));
    ck_assert_uint_eq(n, 10);
    ck_assert_str_eq(small, "server 198");
    script_fini(&s);
}
END_TEST

START_TEST(test_anomaly_diagnosis_invalid_flags)
{
    /* The flags of the first segment, by name; "none" for no flags. */
    for (int none = 0; none < 2; none++) {
        struct script s;
        script_init(&s, NULL);
        script_seg(&s, C2S, none ? 0 : SYN | FIN, 1000, 0, 0);
        script_finish(&s);
        char buf[WST_EXPLAIN_ANOMALY_MAX];
        diagnose(&s, WST_AN_INVALID_FLAGS, buf);
        ck_assert_msg(strncmp(buf, "client 192.0.2.1:40000 sent 1 segment with", 42) == 0, "%s", buf);
        ck_assert_msg(strstr(buf, none ? "(first: none)" : "(first: SYN FIN)") != NULL, "%s", buf);
        script_fini(&s);
    }
}
END_TEST

Suite *anomaly_suite(void)
{
    Suite *s = suite_create("anomaly");
    TCase *tc = tcase_create("handshake");
    tcase_add_test(tc, test_anomaly_syn_unanswered_ongoing);
    tcase_add_test(tc, test_anomaly_syn_unanswered_below_threshold);
    tcase_add_test(tc, test_anomaly_syn_unanswered_threshold_edge);
    tcase_add_test(tc, test_anomaly_syn_unanswered_until_idle_timeout);
    tcase_add_test(tc, test_anomaly_syn_answered_late);
    tcase_add_test(tc, test_anomaly_syn_answered_late_is_not_handshake_incomplete);
    tcase_add_test(tc, test_anomaly_syn_answered_promptly);
    tcase_add_test(tc, test_anomaly_refused);
    tcase_add_test(tc, test_anomaly_refused_after_retransmission);
    tcase_add_test(tc, test_anomaly_unacceptable_rst_is_not_refused);
    tcase_add_test(tc, test_anomaly_handshake_incomplete);
    tcase_add_test(tc, test_anomaly_handshake_incomplete_after_r2);
    tcase_add_test(tc, test_anomaly_late_answer_then_r2);
    tcase_add_test(tc, test_anomaly_handshake_incomplete_synack_lost);
    tcase_add_test(tc, test_anomaly_port_reuse);
    tcase_add_test(tc, test_anomaly_port_reuse_msl);
    tcase_add_test(tc, test_anomaly_port_reuse_client_time_wait);
    suite_add_tcase(s, tc);

    tc = tcase_create("close");
    tcase_add_test(tc, test_anomaly_close_wait_ongoing);
    tcase_add_test(tc, test_anomaly_close_wait_ack_unseen);
    tcase_add_test(tc, test_anomaly_close_wait_closed_late);
    tcase_add_test(tc, test_anomaly_close_wait_half_close_sending);
    tcase_add_test(tc, test_anomaly_close_wait_counts_from_last_data);
    tcase_add_test(tc, test_anomaly_linger_threshold_edge);
    tcase_add_test(tc, test_anomaly_close_wait_closed_promptly);
    tcase_add_test(tc, test_anomaly_fin_wait_1_stuck);
    tcase_add_test(tc, test_anomaly_fin_wait_1_lost_acks);
    tcase_add_test(tc, test_anomaly_last_ack_stuck);
    tcase_add_test(tc, test_anomaly_closing_stuck);
    tcase_add_test(tc, test_anomaly_thresholds_from_config);
    suite_add_tcase(s, tc);

    tc = tcase_create("events");
    tcase_add_test(tc, test_anomaly_rst_abort);
    tcase_add_test(tc, test_anomaly_rst_abort_both_unacked);
    tcase_add_test(tc, test_anomaly_rst_abort_in_close_wait);
    tcase_add_test(tc, test_anomaly_inexact_rst_is_not_abort);
    tcase_add_test(tc, test_anomaly_rst_in_time_wait_is_not_abort);
    tcase_add_test(tc, test_anomaly_invalid_flags);
    tcase_add_test(tc, test_anomaly_invalid_flags_scans);
    tcase_add_test(tc, test_anomaly_invalid_flags_syn_fin_opens_nothing);
    tcase_add_test(tc, test_anomaly_data_after_fin);
    tcase_add_test(tc, test_anomaly_data_after_fin_adds_up);
    tcase_add_test(tc, test_anomaly_retransmission_before_fin);
    suite_add_tcase(s, tc);

    tc = tcase_create("ended");
    tcase_add_test(tc, test_anomaly_keepalive_ended_by_prober_rst);
    tcase_add_test(tc, test_anomaly_keepalive_ended_by_peer_rst);
    tcase_add_test(tc, test_anomaly_retransmission_stall_ended_by_rst);
    tcase_add_test(tc, test_anomaly_zero_window_ended_by_rst);
    tcase_add_test(tc, test_anomaly_zero_window_ended_by_close);
    tcase_add_test(tc, test_anomaly_zero_window_ended_by_timer);
    suite_add_tcase(s, tc);

    tc = tcase_create("clean");
    tcase_add_test(tc, test_anomaly_clean_close_by_client);
    tcase_add_test(tc, test_anomaly_clean_close_by_server);
    tcase_add_test(tc, test_anomaly_clean_time_wait_to_the_end);
    suite_add_tcase(s, tc);

    tc = tcase_create("table");
    tcase_add_test(tc, test_anomaly_table_rows);
    tcase_add_test(tc, test_anomaly_table_matches_docs);
    suite_add_tcase(s, tc);

    tc = tcase_create("diagnosis");
    tcase_add_test(tc, test_anomaly_diagnosis_syn_unanswered);
    tcase_add_test(tc, test_anomaly_diagnosis_close_wait);
    tcase_add_test(tc, test_anomaly_diagnosis_refused_and_truncated);
    tcase_add_test(tc, test_anomaly_diagnosis_invalid_flags);
    suite_add_tcase(s, tc);
    return s;
}
