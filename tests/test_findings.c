/*
 * test_findings.c - patterns across connections (src/findings.c): judged
 * through the real tracker from packet scripts (script.h), and, for what a
 * script cannot reach (tens of thousands of sources), from connection
 * records built by hand.
 *
 * The script's server is 198.51.100.2:80; each connection below gets its
 * own client port (and, where sources matter, its own client address).
 * Packets are 1 ms apart; T0 = 1700000000 s is the first one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "script.h"
#include "suites.h"
#include "wirestate/explain.h"
#include "wirestate/findings.h"

enum { SYN = CRAFT_SYN, ACK = CRAFT_ACK, FIN = CRAFT_FIN, RST = CRAFT_RST };

#define T0 1700000000000000ULL
#define MS 1000ULL
#define S 1000000ULL

/* Client addresses 10.1.x.y, one per index, kept alive for the script. */
static char client_ips[256][20];

static void use_client(struct script *s, unsigned i)
{
    snprintf(client_ips[i % 256], sizeof client_ips[0], "10.1.%u.%u", i / 250 % 250, i % 250 + 1);
    s->client_ip = client_ips[i % 256];
    s->client_port = (uint16_t)(40000 + i);
}

static void handshake(struct script *s)
{
    script_seg(s, C2S, SYN, 1000, 0, 0);
    script_seg(s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(s, C2S, ACK, 1001, 5001, 0);
}

/* A connection the client closes first, fully (client TIME_WAIT). */
static void close_by_client(struct script *s)
{
    handshake(s);
    script_seg(s, C2S, FIN | ACK, 1001, 5001, 0);
    script_seg(s, S2C, FIN | ACK, 5001, 1002, 0);
    script_seg(s, C2S, ACK, 1002, 5002, 0);
}

/* n connections from one client address, each closed by the client first,
 * `gap_us` of idle capture time after each. */
static void closes_from(struct script *s, const char *ip, unsigned n, uint64_t gap_us)
{
    for (unsigned i = 0; i < n; i++) {
        use_client(s, i);
        s->client_ip = ip;
        close_by_client(s);
        if (gap_us)
            script_idle(s, gap_us);
    }
}

static const struct wst_finding *findings(struct script *s, size_t *n)
{
    script_finish(s);
    return script_findings(s, n);
}

/* The only finding of `kind`, failing the test unless there is exactly one. */
static const struct wst_finding *only(const struct wst_finding *f, size_t n, enum wst_finding_kind kind)
{
    const struct wst_finding *hit = NULL;
    for (size_t i = 0; i < n; i++) {
        if (f[i].kind == kind) {
            ck_assert_ptr_null(hit);
            hit = &f[i];
        }
    }
    ck_assert_ptr_nonnull(hit);
    return hit;
}

static bool has(const struct wst_finding *f, size_t n, enum wst_finding_kind kind)
{
    for (size_t i = 0; i < n; i++)
        if (f[i].kind == kind)
            return true;
    return false;
}

/* The one finding of `kind` of a script, ending its capture. */
static const struct wst_finding *finding_of(struct script *s, enum wst_finding_kind kind)
{
    size_t n;
    const struct wst_finding *f = findings(s, &n);
    return only(f, n, kind);
}

/* Whether a script raised a finding of `kind`, ending its capture. */
static bool raised(struct script *s, enum wst_finding_kind kind)
{
    size_t n;
    const struct wst_finding *f = findings(s, &n);
    return has(f, n, kind);
}

/* The one finding of `kind` of hand-fed groups. */
static const struct wst_finding *collected_of(struct wst_findings *fs, enum wst_finding_kind kind)
{
    size_t n;
    const struct wst_finding *f = wst_findings_collect(fs, &n);
    return only(f, n, kind);
}

static void check_endpoint(const struct wst_finding *f, const char *want)
{
    char got[WST_ENDPOINT_STRLEN];
    if (f->host)
        wst_addr_format(got, f->family, f->addr.b);
    else
        wst_endpoint_format(got, f->family, &f->addr, f->port);
    ck_assert_str_eq(got, want);
}

static void check_diagnosis(const struct wst_finding *f, const char *part)
{
    char buf[WST_EXPLAIN_FINDING_MAX];
    size_t n = wst_explain_finding(buf, sizeof buf, f);
    ck_assert_uint_eq(n, strlen(buf));
    ck_assert_uint_lt(n, sizeof buf - 1); /* not cut */
    if (strstr(buf, part) == NULL)
        ck_abort_msg("diagnosis \"%s\" lacks \"%s\"", buf, part);
}

/* ------------------------------------------------------------------ */
/* syn_flood (F2)                                                     */
/* ------------------------------------------------------------------ */

/* n half-open connections, one per source: SYN, SYN+ACK, nothing more. */
static void spoofed_syns(struct script *s, unsigned n, bool answered)
{
    for (unsigned i = 0; i < n; i++) {
        use_client(s, i);
        script_seg(s, C2S, SYN, 1000 + i, 0, 0);
        if (answered)
            script_seg(s, S2C, SYN | ACK, 5000, 1001 + i, 0);
    }
}

START_TEST(test_findings_syn_flood_synack_unacked)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.flood_min = 30;
    struct script s;
    script_init(&s, &cfg);
    spoofed_syns(&s, 30, true);
    script_idle(&s, 4 * S); /* past --syn-timeout: each is handshake_incomplete */
    size_t n;
    const struct wst_finding *all = findings(&s, &n);
    const struct wst_finding *f = only(all, n, WST_FIND_SYN_FLOOD);
    check_endpoint(f, "198.51.100.2:80");
    ck_assert_uint_eq(f->role, WST_ROLE_SERVER);
    ck_assert_uint_eq(f->severity, WST_SEV_WARNING);
    ck_assert_uint_eq(f->connections, 30);
    ck_assert_uint_eq(f->peers, 30);
    ck_assert(!f->peers_at_least);
    ck_assert_uint_eq(f->synack_unacked, 30);
    ck_assert_uint_eq(f->unanswered, 0);
    ck_assert_uint_eq(f->attempts, 30);
    ck_assert_uint_eq(f->completed, 0);
    /* From the first SYN+ACK (1 ms) to the end of the capture (60 packets,
     * then 4 s). */
    ck_assert_uint_eq(f->since_us, T0 + 1 * MS);
    ck_assert_uint_eq(f->until_us, T0 + 4 * S + 60 * MS);
    ck_assert_uint_eq(f->spread_us, 58 * MS); /* SYN+ACKs at 1 ms ... 59 ms */
    ck_assert_uint_eq(f->retried, 0);           /* one SYN each: spoofed */
    check_diagnosis(f, "30 half-open connections to server 198.51.100.2:80 from 30 sources, begun over 0.058 s");
    check_diagnosis(f, "likely a SYN flood");
    check_diagnosis(f, "never acknowledged");
    /* Half-open, not failed: the server answered. */
    ck_assert(!has(all, n, WST_FIND_UNREACHABLE_SERVICE));
    script_fini(&s);
}
END_TEST

/*
 * SYN+ACKs that never reach real clients: they send their SYNs again. Still
 * half-open on the server, but the diagnosis points at the way back.
 */
START_TEST(test_findings_syn_flood_clients_retry)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.flood_min = 12;
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 12; i++) {
        use_client(&s, i);
        script_seg(&s, C2S, SYN, 1000, 0, 0);
        script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    }
    script_idle(&s, S);
    for (unsigned i = 0; i < 12; i++) {
        use_client(&s, i);
        script_seg(&s, C2S, SYN, 1000, 0, 0); /* the same SYN again */
    }
    script_idle(&s, 3 * S);
    const struct wst_finding *f = finding_of(&s, WST_FIND_SYN_FLOOD);
    ck_assert_uint_eq(f->connections, 12);
    ck_assert_uint_eq(f->retried, 12);
    check_diagnosis(f, "12 of them came from clients that sent their SYN again");
    check_diagnosis(f, "the way back to them loses the SYN+ACKs");
    script_fini(&s);
}
END_TEST

/* Handshakes younger than --syn-timeout when the capture ends are not half-open yet. */
START_TEST(test_findings_syn_flood_needs_time)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.flood_min = 30;
    struct script s;
    script_init(&s, &cfg);
    spoofed_syns(&s, 40, true);
    script_idle(&s, 2 * S);
    ck_assert(!raised(&s, WST_FIND_SYN_FLOOD));
    script_fini(&s);
}
END_TEST

/*
 * A service that is down: its clients send their SYNs again, as real
 * stacks do. That is an unreachable service, not a flood, however many
 * sources.
 */
START_TEST(test_findings_outage_is_not_a_flood)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.flood_min = 20;
    struct script s;
    script_init(&s, &cfg);
    for (unsigned k = 0; k < 3; k++) {
        for (unsigned i = 0; i < 20; i++) {
            use_client(&s, i);
            script_seg(&s, C2S, SYN, 1000, 0, 0);
        }
        script_idle(&s, (k + 1) * S);
    }
    script_idle(&s, 2 * S);
    size_t n;
    const struct wst_finding *all = findings(&s, &n);
    ck_assert(!has(all, n, WST_FIND_SYN_FLOOD));
    const struct wst_finding *u = only(all, n, WST_FIND_UNREACHABLE_SERVICE);
    ck_assert_uint_eq(u->unanswered, 20);
    ck_assert_uint_eq(u->peers, 20);
    script_fini(&s);
}
END_TEST

START_TEST(test_findings_syn_flood_unanswered)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.flood_min = 20;
    struct script s;
    script_init(&s, &cfg);
    spoofed_syns(&s, 20, false);
    script_idle(&s, 4 * S); /* past --syn-timeout: each is also syn_unanswered */
    size_t n;
    const struct wst_finding *all = findings(&s, &n);
    const struct wst_finding *f = only(all, n, WST_FIND_SYN_FLOOD);
    ck_assert_uint_eq(f->connections, 20);
    ck_assert_uint_eq(f->unanswered, 20);
    ck_assert_uint_eq(f->synack_unacked, 0);
    check_diagnosis(f, "20 got no answer at all");
    /* The service did not answer them either. */
    const struct wst_finding *u = only(all, n, WST_FIND_UNREACHABLE_SERVICE);
    ck_assert_uint_eq(u->unanswered, 20);
    ck_assert_uint_eq(u->peers, 20);
    script_fini(&s);
}
END_TEST

START_TEST(test_findings_syn_flood_threshold)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.flood_min = 30;
    struct script s;
    script_init(&s, &cfg);
    spoofed_syns(&s, 29, true);
    ck_assert(!raised(&s, WST_FIND_SYN_FLOOD));
    script_fini(&s);
}
END_TEST

/* One client retrying is not a flood, however many connections. */
START_TEST(test_findings_syn_flood_needs_sources)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.flood_min = 20;
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 40; i++) {
        use_client(&s, i);
        s.client_ip = i < 31 ? "10.9.9.9" : s.client_ip; /* 31 from one, 9 from others: 10 sources */
        script_seg(&s, C2S, SYN, 1000, 0, 0);
        script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    }
    script_idle(&s, 4 * S);
    size_t n;
    const struct wst_finding *all = findings(&s, &n);
    ck_assert(has(all, n, WST_FIND_SYN_FLOOD)); /* 10 sources: enough */
    ck_assert_uint_eq(only(all, n, WST_FIND_SYN_FLOOD)->peers, 10);
    script_fini(&s);

    script_init(&s, &cfg);
    for (unsigned i = 0; i < 40; i++) {
        use_client(&s, i);
        s.client_ip = i < 32 ? "10.9.9.9" : s.client_ip; /* 9 sources */
        script_seg(&s, C2S, SYN, 1000, 0, 0);
        script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    }
    script_idle(&s, 4 * S);
    ck_assert(!raised(&s, WST_FIND_SYN_FLOOD));
    script_fini(&s);
}
END_TEST

/* Completed handshakes and refused attempts are not half-open. */
START_TEST(test_findings_syn_flood_counts_only_half_open)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.flood_min = 20;
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 19; i++) {
        use_client(&s, i);
        script_seg(&s, C2S, SYN, 1000, 0, 0);
        script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    }
    for (unsigned i = 19; i < 30; i++) {
        use_client(&s, i);
        if (i % 2) {
            handshake(&s);
        } else {
            script_seg(&s, C2S, SYN, 1000, 0, 0);
            script_seg(&s, S2C, RST | ACK, 0, 1001, 0);
        }
    }
    script_idle(&s, 4 * S); /* the 19 are past --syn-timeout */
    ck_assert(!raised(&s, WST_FIND_SYN_FLOOD));
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* unreachable_service (F3)                                           */
/* ------------------------------------------------------------------ */

/* Attempt i (its own port) refused; from client address `ip`, or its own. */
static void refused(struct script *s, unsigned i, const char *ip)
{
    use_client(s, i);
    if (ip)
        s->client_ip = ip;
    script_seg(s, C2S, SYN, 1000, 0, 0);
    script_seg(s, S2C, RST | ACK, 0, 1001, 0);
}

START_TEST(test_findings_unreachable_refused)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 5; i++)
        refused(&s, i, i % 2 ? "10.2.0.1" : "10.2.0.2"); /* two clients */
    size_t n;
    const struct wst_finding *all = findings(&s, &n);
    ck_assert_uint_eq(n, 1);
    const struct wst_finding *f = only(all, n, WST_FIND_UNREACHABLE_SERVICE);
    check_endpoint(f, "198.51.100.2:80");
    ck_assert_uint_eq(f->severity, WST_SEV_WARNING);
    ck_assert_uint_eq(f->connections, 5);
    ck_assert_uint_eq(f->refused, 5);
    ck_assert_uint_eq(f->unanswered + f->unreachable, 0);
    ck_assert_uint_eq(f->attempts, 5);
    ck_assert_uint_eq(f->completed, 0);
    ck_assert_uint_eq(f->peers, 2);
    ck_assert_uint_eq(f->since_us, T0);
    ck_assert_uint_eq(f->until_us, T0 + 9 * MS); /* the last RST */
    check_diagnosis(f, "5 of 5 connection attempts to server 198.51.100.2:80 from 2 clients failed");
    check_diagnosis(f, "5 refused");
    check_diagnosis(f, "nothing listens on port 80");
    script_fini(&s);
}
END_TEST

START_TEST(test_findings_unreachable_threshold)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 4; i++)
        refused(&s, i, NULL);
    size_t n;
    findings(&s, &n);
    ck_assert_uint_eq(n, 0);
    script_fini(&s);

    cfg.findings.group_min = 4; /* --group-min 4 */
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 4; i++)
        refused(&s, i, NULL);
    ck_assert_uint_eq(finding_of(&s, WST_FIND_UNREACHABLE_SERVICE)->connections, 4);
    script_fini(&s);
}
END_TEST

START_TEST(test_findings_unreachable_intermittent)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 5; i++)
        refused(&s, i, NULL);
    for (unsigned i = 5; i < 8; i++) {
        use_client(&s, i);
        handshake(&s);
    }
    /* An attempt whose SYN went unanswered past --syn-timeout. */
    use_client(&s, 8);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_idle(&s, 4 * S);
    const struct wst_finding *f = finding_of(&s, WST_FIND_UNREACHABLE_SERVICE);
    ck_assert_uint_eq(f->connections, 6);
    ck_assert_uint_eq(f->refused, 5);
    ck_assert_uint_eq(f->unanswered, 1);
    ck_assert_uint_eq(f->attempts, 9);
    ck_assert_uint_eq(f->completed, 3);
    check_diagnosis(f, "6 of 9 connection attempts");
    check_diagnosis(f, "1 unanswered, 5 refused");
    check_diagnosis(f, "3 attempts completed, so it fails only at times");
    script_fini(&s);
}
END_TEST

/* A SYN answered late (after --syn-timeout) is slow, not a failure. */
START_TEST(test_findings_unreachable_ignores_late_answers)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.group_min = 1;
    struct script s;
    script_init(&s, &cfg);
    script_seg(&s, C2S, SYN, 1000, 0, 0);
    script_idle(&s, 4 * S);
    script_seg(&s, S2C, SYN | ACK, 5000, 1001, 0);
    script_seg(&s, C2S, ACK, 1001, 5001, 0);
    size_t n;
    findings(&s, &n);
    ck_assert_uint_eq(n, 0);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* close_wait_pileup (F4)                                             */
/* ------------------------------------------------------------------ */

/* The client closes; the server acknowledges and never closes. */
static void server_lingers(struct script *s, unsigned i)
{
    use_client(s, i);
    handshake(s);
    script_seg(s, C2S, FIN | ACK, 1001, 5001, 0);
    script_seg(s, S2C, ACK, 5001, 1002, 0);
}

START_TEST(test_findings_close_wait_server)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 5; i++)
        server_lingers(&s, i);
    script_idle(&s, 10 * S);
    size_t n;
    const struct wst_finding *all = findings(&s, &n);
    ck_assert_uint_eq(n, 1);
    const struct wst_finding *f = only(all, n, WST_FIND_CLOSE_WAIT_PILEUP);
    check_endpoint(f, "198.51.100.2:80");
    ck_assert_uint_eq(f->role, WST_ROLE_SERVER);
    ck_assert_uint_eq(f->connections, 5);
    ck_assert_uint_eq(f->ongoing, 5);
    ck_assert_uint_eq(f->peers, 5);
    /* The first FIN at 3 ms; the capture ends at 25 ms + 10 s. The first
     * connection lingered longest: 10.022 s. */
    ck_assert_uint_eq(f->since_us, T0 + 3 * MS);
    ck_assert_uint_eq(f->until_us, T0 + 10 * S + 25 * MS);
    ck_assert_uint_eq(f->longest_us, 10 * S + 22 * MS);
    check_diagnosis(f, "5 connections on 198.51.100.2:80 stuck in CLOSE_WAIT for up to 10.022 s (5 still at "
                       "the end): the application at 198.51.100.2:80 is not closing sockets");
    script_fini(&s);
}
END_TEST

START_TEST(test_findings_close_wait_threshold)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 4; i++)
        server_lingers(&s, i);
    script_idle(&s, 10 * S);
    size_t n;
    findings(&s, &n);
    ck_assert_uint_eq(n, 0);
    script_fini(&s);

    /* Five, but one closes in time: four lingered. */
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 5; i++)
        server_lingers(&s, i);
    s.client_port = 40000;
    s.client_ip = "10.1.0.1";
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0);
    script_seg(&s, C2S, ACK, 1002, 5002, 0);
    script_idle(&s, 10 * S);
    findings(&s, &n);
    ck_assert_uint_eq(n, 0);
    script_fini(&s);
}
END_TEST

/* A client lingering: grouped by its host, whatever its ports. */
START_TEST(test_findings_close_wait_client_host)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 5; i++) {
        use_client(&s, i);
        s.client_ip = "10.7.7.7";
        handshake(&s);
        script_seg(&s, S2C, FIN | ACK, 5001, 1001, 0);
        script_seg(&s, C2S, ACK, 1001, 5002, 0);
    }
    script_idle(&s, 6 * S);
    const struct wst_finding *f = finding_of(&s, WST_FIND_CLOSE_WAIT_PILEUP);
    check_endpoint(f, "10.7.7.7");
    ck_assert(f->host);
    ck_assert_uint_eq(f->role, WST_ROLE_CLIENT);
    ck_assert_uint_eq(f->connections, 5);
    ck_assert_uint_eq(f->peers, 1);
    check_diagnosis(f, "5 connections of client 10.7.7.7 to 1 server stuck in CLOSE_WAIT");
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* time_wait (F5)                                                     */
/* ------------------------------------------------------------------ */

START_TEST(test_findings_time_wait_client)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 6, 0);
    size_t n;
    const struct wst_finding *all = findings(&s, &n);
    ck_assert_uint_eq(n, 1);
    const struct wst_finding *f = only(all, n, WST_FIND_TIME_WAIT);
    check_endpoint(f, "10.7.7.7");
    ck_assert_uint_eq(f->severity, WST_SEV_INFO);
    ck_assert_uint_eq(f->role, WST_ROLE_CLIENT);
    ck_assert_uint_eq(f->connections, 6);
    ck_assert_uint_eq(f->as_client, 6);
    ck_assert_uint_eq(f->as_server, 0);
    ck_assert_uint_eq(f->peak, 6);
    ck_assert_uint_eq(f->ports, 28232);
    ck_assert_uint_eq(f->longest_us, 60 * S);
    char dest[WST_ENDPOINT_STRLEN];
    wst_endpoint_format(dest, f->family, &f->dest_addr, f->dest_port);
    ck_assert_str_eq(dest, "198.51.100.2:80");
    /* Each entered TIME_WAIT with the server's FIN: at 4, 10, ... 34 ms. */
    ck_assert_uint_eq(f->since_us, T0 + 4 * MS);
    ck_assert_uint_eq(f->until_us, T0 + 34 * MS);
    check_diagnosis(f, "client 10.7.7.7 closed 6 connections first (6 as client)");
    check_diagnosis(f, "at most 6 at once toward 198.51.100.2:80, under 0.1% of the 28232 ephemeral ports");
    check_diagnosis(f, "not a leak");
    script_fini(&s);
}
END_TEST

/* Near the end of the ephemeral range toward one destination: a warning. */
START_TEST(test_findings_time_wait_port_pressure)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.ephemeral_lo = 50000;
    cfg.findings.ephemeral_hi = 50011;
    struct script s;
    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 6, 0);
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    ck_assert_uint_eq(f->ports, 12);
    ck_assert_uint_eq(f->peak, 6); /* half of 12 */
    ck_assert_uint_eq(f->severity, WST_SEV_WARNING);
    check_diagnosis(f, "50.0% of the 12 ephemeral ports");
    check_diagnosis(f, "EADDRNOTAVAIL");
    script_fini(&s);

    cfg.findings.ephemeral_hi = 50012; /* 13 ports: 6 is under half */
    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 6, 0);
    ck_assert_uint_eq(finding_of(&s, WST_FIND_TIME_WAIT)->severity, WST_SEV_INFO);
    script_fini(&s);
}
END_TEST

/* The peak counts TIME_WAITs held at once: a minute apart, they never overlap. */
START_TEST(test_findings_time_wait_peak_window)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 5, 61 * S);
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    ck_assert_uint_eq(f->connections, 5);
    ck_assert_uint_eq(f->peak, 1);
    script_fini(&s);

    /* 30 s apart, two overlap at a time. */
    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 5, 30 * S);
    ck_assert_uint_eq(finding_of(&s, WST_FIND_TIME_WAIT)->peak, 2);
    script_fini(&s);
}
END_TEST

/*
 * A long capture: the seconds of a destination that no TIME_WAIT can
 * reach any more are swept and forgotten as it goes, and the peak they
 * held is kept. A burst of 8 at the start, then one every 30 s for 20
 * minutes (2 at once), then a burst of 10: the peak is 8 until the last
 * burst, then 10.
 */
START_TEST(test_findings_time_wait_peak_long_capture)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 8, 0);
    script_idle(&s, 61 * S);
    closes_from(&s, "10.7.7.7", 40, 30 * S);
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    ck_assert_uint_eq(f->connections, 48);
    ck_assert_uint_eq(f->peak, 8);
    ck_assert_uint_eq(f->peak_us / S, T0 / S); /* the first burst's second */
    script_fini(&s);

    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 8, 0);
    script_idle(&s, 61 * S);
    closes_from(&s, "10.7.7.7", 40, 30 * S);
    closes_from(&s, "10.7.7.8", 1, 0); /* another host: its own group */
    script_idle(&s, 61 * S);
    closes_from(&s, "10.7.7.7", 10, 0);
    size_t n;
    const struct wst_finding *all = findings(&s, &n);
    bool seen = false;
    for (size_t i = 0; i < n; i++) {
        char host[WST_ENDPOINT_STRLEN];
        wst_endpoint_format(host, all[i].family, &all[i].addr, 0);
        if (all[i].kind == WST_FIND_TIME_WAIT && strncmp(host, "10.7.7.7", 8) == 0) {
            ck_assert_uint_eq(all[i].connections, 58);
            ck_assert_uint_eq(all[i].peak, 10);
            seen = true;
        }
    }
    ck_assert(seen);
    script_fini(&s);
}
END_TEST

START_TEST(test_findings_time_wait_server)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 5; i++) {
        use_client(&s, i);
        handshake(&s);
        script_seg(&s, S2C, FIN | ACK, 5001, 1001, 0);
        script_seg(&s, C2S, FIN | ACK, 1001, 5002, 0);
        script_seg(&s, S2C, ACK, 5002, 1002, 0);
    }
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    check_endpoint(f, "198.51.100.2");
    ck_assert_uint_eq(f->role, WST_ROLE_SERVER);
    ck_assert_uint_eq(f->as_server, 5);
    ck_assert_uint_eq(f->as_client, 0);
    ck_assert_uint_eq(f->peak, 0);
    ck_assert_uint_eq(f->severity, WST_SEV_INFO);
    check_diagnosis(f, "server 198.51.100.2 closed 5 connections first (5 as server)");
    check_diagnosis(f, "holds no ephemeral port");
    script_fini(&s);
}
END_TEST

/* With --group-min 1 a host's single TIME_WAIT is a finding too. */
START_TEST(test_findings_time_wait_group_min_1)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.group_min = 1;
    struct script s;
    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 1, 0);
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    check_endpoint(f, "10.7.7.7");
    ck_assert_uint_eq(f->connections, 1);
    ck_assert_uint_eq(f->peak, 1);
    script_fini(&s);
}
END_TEST

/*
 * A host's first TIME_WAIT is kept in a light record, its destination only
 * by the hash of its address: it joins that destination's count once a
 * second TIME_WAIT there makes the host a full group.
 */
START_TEST(test_findings_time_wait_first_destination)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    s.server_ip = "198.51.100.9";
    closes_from(&s, "10.7.7.7", 1, 0); /* the light record */
    s.server_ip = "198.51.100.2";
    for (unsigned i = 1; i < 5; i++) {
        use_client(&s, i);
        s.client_ip = "10.7.7.7";
        close_by_client(&s);
    }
    s.server_ip = "198.51.100.9";
    use_client(&s, 9);
    s.client_ip = "10.7.7.7";
    close_by_client(&s);
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    ck_assert_uint_eq(f->connections, 6);
    ck_assert_uint_eq(f->peers, 2);
    ck_assert_uint_eq(f->peak, 4); /* 198.51.100.2:80 */
    char dest[WST_ENDPOINT_STRLEN];
    wst_endpoint_format(dest, f->family, &f->dest_addr, f->dest_port);
    ck_assert_str_eq(dest, "198.51.100.2:80");
    ck_assert_uint_eq(f->since_us, T0 + 4 * MS); /* from the light record */
    script_fini(&s);

    /* Six to 198.51.100.9, the first of them light: all six counted at once. */
    script_init(&s, &cfg);
    s.server_ip = "198.51.100.9";
    closes_from(&s, "10.7.7.7", 6, 0);
    ck_assert_uint_eq(finding_of(&s, WST_FIND_TIME_WAIT)->peak, 6);
    script_fini(&s);
}
END_TEST

/* Groups kept in full are bounded; what would need more is counted. */
START_TEST(test_findings_untracked)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.max_groups = 2;
    struct script s;
    script_init(&s, &cfg);
    for (unsigned port = 1; port <= 3; port++) {
        s.server_port = (uint16_t)port;
        for (unsigned i = 0; i < 5; i++)
            refused(&s, 10 * port + i, NULL);
    }
    /* Going well needs no group: no more left out. */
    s.server_port = 4;
    use_client(&s, 50);
    handshake(&s);
    size_t n;
    const struct wst_finding *f = findings(&s, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(f[0].port, 1);
    ck_assert_uint_eq(f[1].port, 2);
    ck_assert_uint_eq(s.summary.findings_untracked, 5);
    script_fini(&s);

    /* Counted for its host but without room for its destination: not left out. */
    cfg.findings.group_min = 1;
    cfg.findings.max_groups = 1;
    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 1, 0);
    ck_assert_uint_eq(finding_of(&s, WST_FIND_TIME_WAIT)->connections, 1);
    ck_assert_uint_eq(s.summary.findings_untracked, 0);
    script_fini(&s);
}
END_TEST

/*
 * A host's only TIME_WAIT as a client, in its light record, whose
 * destination never shows up again: it is counted, the destination stays
 * unknown, and nothing pretends otherwise.
 */
START_TEST(test_findings_time_wait_destination_unknown)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 1, 0); /* as a client toward 198.51.100.2:80 */
    s.server_ip = "10.7.7.7";
    s.server_port = 8080;
    for (unsigned i = 1; i < 5; i++) { /* then as the server that closes first */
        use_client(&s, i);
        handshake(&s);
        script_seg(&s, S2C, FIN | ACK, 5001, 1001, 0);
        script_seg(&s, C2S, FIN | ACK, 1001, 5002, 0);
        script_seg(&s, S2C, ACK, 5002, 1002, 0);
    }
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    ck_assert_uint_eq(f->connections, 5);
    ck_assert_uint_eq(f->as_client, 1);
    ck_assert_uint_eq(f->as_server, 4);
    ck_assert_uint_eq(f->peak, 0);
    check_diagnosis(f, "(1 as client, 4 as server)");
    char buf[WST_EXPLAIN_FINDING_MAX];
    wst_explain_finding(buf, sizeof buf, f);
    ck_assert_ptr_null(strstr(buf, "at most"));
    script_fini(&s);
}
END_TEST

/* The light record's destination is matched by port too, not only by address. */
START_TEST(test_findings_time_wait_first_destination_port)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    s.server_port = 443;
    closes_from(&s, "10.7.7.7", 1, 0);
    s.server_port = 80;
    for (unsigned i = 1; i < 5; i++) {
        use_client(&s, i);
        s.client_ip = "10.7.7.7";
        close_by_client(&s);
    }
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    ck_assert_uint_eq(f->dest_port, 80);
    ck_assert_uint_eq(f->peak, 4);
    script_fini(&s);
}
END_TEST

/* Capture time that goes back (several files out of order) keeps times right. */
START_TEST(test_findings_time_wait_before_first_record)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    s.now_us = T0 + 100 * S;
    use_client(&s, 99);
    handshake(&s);
    s.now_us = T0; /* back in time */
    closes_from(&s, "10.7.7.7", 5, 0);
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    ck_assert_uint_le(f->until_us, T0 + 200 * S);
    ck_assert_uint_eq(f->peak, 5);
    script_fini(&s);
}
END_TEST

/* A CLOSING endpoint moved on to TIME_WAIT by a timer (rule L) closed first too. */
START_TEST(test_findings_time_wait_entered_by_timer)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.group_min = 1;
    struct script s;
    script_init(&s, &cfg);
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    script_seg(&s, S2C, ACK, 5001, 1002, 0);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0); /* the client lost that ACK */
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0); /* CLOSING, the ACK held */
    script_idle(&s, 5 * S);
    ck_assert_uint_eq(script_client_state(&s), WST_ST_TIME_WAIT);
    ck_assert_uint_eq(finding_of(&s, WST_FIND_TIME_WAIT)->as_client, 1);
    script_fini(&s);
}
END_TEST

/* The final ACK of the one in TIME_WAIT missing from the capture: it still closed first. */
START_TEST(test_findings_time_wait_final_ack_unseen)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.group_min = 1;
    struct script s;
    script_init(&s, &cfg);
    handshake(&s);
    script_seg(&s, C2S, FIN | ACK, 1001, 5001, 0);
    script_seg(&s, S2C, FIN | ACK, 5001, 1002, 0); /* the client enters TIME_WAIT here */
    script_idle(&s, S);
    ck_assert_uint_eq(script_client_state(&s), WST_ST_TIME_WAIT);
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    check_endpoint(f, "192.0.2.1");
    ck_assert_uint_eq(f->as_client, 1);
    script_fini(&s);
}
END_TEST

/*
 * A TIME_WAIT cut short by a new SYN on its 4-tuple held its port only
 * until then: ten ports cycled thirty times never hold more than ten.
 */
START_TEST(test_findings_time_wait_reused)
{
    struct wst_pipeline_config cfg = script_config();
    cfg.findings.ephemeral_lo = 50000;
    cfg.findings.ephemeral_hi = 50009;
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 30; i++) {
        use_client(&s, i % 10);
        s.client_ip = "10.7.7.7";
        /* Each connection's ISN above the last one's on the 4-tuple. */
        uint32_t isn = 1000 + 100000 * i;
        script_seg(&s, C2S, SYN, isn, 0, 0);
        script_seg(&s, S2C, SYN | ACK, 5000, isn + 1, 0);
        script_seg(&s, C2S, ACK, isn + 1, 5001, 0);
        script_seg(&s, C2S, FIN | ACK, isn + 1, 5001, 0);
        script_seg(&s, S2C, FIN | ACK, 5001, isn + 2, 0);
        script_seg(&s, C2S, ACK, isn + 2, 5002, 0);
        script_idle(&s, 2 * S);
    }
    const struct wst_finding *f = finding_of(&s, WST_FIND_TIME_WAIT);
    ck_assert_uint_eq(f->connections, 30);
    ck_assert_uint_le(f->peak, 10);
    ck_assert_uint_ge(f->peak, 9);
    script_fini(&s);
}
END_TEST

/* Clean traffic raises nothing: a few short connections, a midstream one. */
START_TEST(test_findings_clean)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    for (unsigned i = 0; i < 4; i++) {
        use_client(&s, i);
        close_by_client(&s);
    }
    use_client(&s, 9);
    script_seg(&s, C2S, ACK, 1001, 5001, 10);
    size_t n;
    findings(&s, &n);
    ck_assert_uint_eq(n, 0);
    script_fini(&s);
}
END_TEST

/* Warnings first, then by kind, then most connections first. */
START_TEST(test_findings_order)
{
    struct wst_pipeline_config cfg = script_config();
    struct script s;
    script_init(&s, &cfg);
    closes_from(&s, "10.7.7.7", 5, 0);
    for (unsigned i = 10; i < 16; i++)
        server_lingers(&s, i);
    s.server_port = 81;
    for (unsigned i = 20; i < 25; i++)
        refused(&s, i, NULL);
    s.server_port = 82;
    for (unsigned i = 30; i < 36; i++)
        refused(&s, i, NULL);
    script_idle(&s, 10 * S);
    size_t n;
    const struct wst_finding *f = findings(&s, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(f[0].kind, WST_FIND_UNREACHABLE_SERVICE);
    ck_assert_uint_eq(f[0].port, 82); /* 6 before 5 */
    ck_assert_uint_eq(f[1].kind, WST_FIND_UNREACHABLE_SERVICE);
    ck_assert_uint_eq(f[1].port, 81);
    ck_assert_uint_eq(f[2].kind, WST_FIND_CLOSE_WAIT_PILEUP);
    ck_assert_uint_eq(f[3].kind, WST_FIND_TIME_WAIT);
    ck_assert_uint_eq(f[3].severity, WST_SEV_INFO);
    script_fini(&s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Distinct sources, from records built by hand                       */
/* ------------------------------------------------------------------ */

/* Feeds n half-open attempts from n distinct IPv4 sources to 192.0.2.80:80. */
static void feed_half_open(struct wst_findings *f, uint32_t n)
{
    struct wst_conn *c = calloc(1, offsetof(struct wst_conn, addr) + 8);
    ck_assert_ptr_nonnull(c);
    c->family = WST_AF_INET;
    c->client = 0;
    c->client_basis = WST_CLIENT_SYN;
    c->port[0] = 40000;
    c->port[1] = 80;
    c->tcp_flags[0] = WST_TH_SYN;
    c->first_ts_us = c->last_ts_us = T0;
    const uint8_t server[4] = {192, 0, 2, 80};
    memcpy(c->addr + 4, server, 4);
    /* Each past --syn-timeout with its SYN+ACK unacknowledged. */
    const struct wst_anomaly stalled = {.kind = WST_AN_HANDSHAKE_INCOMPLETE, .endpoint = 1, .count = 1,
                                        .since_us = T0, .until_us = T0 + 3 * S, .ongoing = true};
    for (uint32_t i = 0; i < n; i++) {
        uint32_t a = 0x0b000000u + i; /* 11.0.0.0 + i */
        const uint8_t src[4] = {(uint8_t)(a >> 24), (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a};
        memcpy(c->addr, src, 4);
        struct wst_conn_report r = {.conn = c, .end_us = T0 + 3 * S, .anomalies = &stalled, .n_anomalies = 1};
        wst_findings_add(f, &r);
    }
    free(c);
}

START_TEST(test_findings_sources_estimate)
{
    static const uint32_t counts[] = {100, 130, 1000, 20000};
    for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
        struct wst_findings f;
        struct wst_findings_config cfg = script_config().findings;
        wst_findings_init(&f, &cfg);
        feed_half_open(&f, counts[k]);
        const struct wst_finding *x = collected_of(&f, WST_FIND_SYN_FLOOD);
        ck_assert_uint_eq(x->connections, counts[k]);
        ck_assert(!x->peers_at_least);
        ck_assert_uint_le(x->peers, counts[k]); /* never more than there were */
        /* Linear counting: within 2%. */
        ck_assert_uint_ge(x->peers * 100, (uint64_t)counts[k] * 98);
        ck_assert_uint_le(x->peers * 100, (uint64_t)counts[k] * 102);
        wst_findings_fini(&f);
    }
}
END_TEST

START_TEST(test_findings_sources_saturate)
{
    struct wst_findings f;
    struct wst_findings_config cfg = script_config().findings;
    wst_findings_init(&f, &cfg);
    feed_half_open(&f, 300000);
    const struct wst_finding *x = collected_of(&f, WST_FIND_SYN_FLOOD);
    ck_assert_uint_eq(x->connections, 300000);
    ck_assert(x->peers_at_least);
    ck_assert_uint_ge(x->peers, 70000);
    ck_assert_uint_lt(x->peers, 300000);
    check_diagnosis(x, "from more than ");
    wst_findings_fini(&f);
}
END_TEST

Suite *findings_suite(void)
{
    Suite *s = suite_create("findings");
    TCase *tc = tcase_create("syn_flood");
    tcase_add_test(tc, test_findings_syn_flood_synack_unacked);
    tcase_add_test(tc, test_findings_syn_flood_needs_time);
    tcase_add_test(tc, test_findings_syn_flood_clients_retry);
    tcase_add_test(tc, test_findings_outage_is_not_a_flood);
    tcase_add_test(tc, test_findings_syn_flood_unanswered);
    tcase_add_test(tc, test_findings_syn_flood_threshold);
    tcase_add_test(tc, test_findings_syn_flood_needs_sources);
    tcase_add_test(tc, test_findings_syn_flood_counts_only_half_open);
    tcase_add_test(tc, test_findings_sources_estimate);
    tcase_add_test(tc, test_findings_sources_saturate);
    suite_add_tcase(s, tc);
    tc = tcase_create("unreachable_service");
    tcase_add_test(tc, test_findings_unreachable_refused);
    tcase_add_test(tc, test_findings_unreachable_threshold);
    tcase_add_test(tc, test_findings_unreachable_intermittent);
    tcase_add_test(tc, test_findings_unreachable_ignores_late_answers);
    suite_add_tcase(s, tc);
    tc = tcase_create("close_wait_pileup");
    tcase_add_test(tc, test_findings_close_wait_server);
    tcase_add_test(tc, test_findings_close_wait_threshold);
    tcase_add_test(tc, test_findings_close_wait_client_host);
    suite_add_tcase(s, tc);
    tc = tcase_create("time_wait");
    tcase_add_test(tc, test_findings_time_wait_client);
    tcase_add_test(tc, test_findings_time_wait_port_pressure);
    tcase_add_test(tc, test_findings_time_wait_peak_window);
    tcase_add_test(tc, test_findings_time_wait_peak_long_capture);
    tcase_add_test(tc, test_findings_time_wait_server);
    tcase_add_test(tc, test_findings_time_wait_group_min_1);
    tcase_add_test(tc, test_findings_time_wait_first_destination);
    tcase_add_test(tc, test_findings_time_wait_destination_unknown);
    tcase_add_test(tc, test_findings_time_wait_first_destination_port);
    tcase_add_test(tc, test_findings_time_wait_before_first_record);
    tcase_add_test(tc, test_findings_time_wait_entered_by_timer);
    tcase_add_test(tc, test_findings_time_wait_final_ack_unseen);
    tcase_add_test(tc, test_findings_time_wait_reused);
    suite_add_tcase(s, tc);
    tc = tcase_create("all");
    tcase_add_test(tc, test_findings_clean);
    tcase_add_test(tc, test_findings_order);
    tcase_add_test(tc, test_findings_untracked);
    suite_add_tcase(s, tc);
    return s;
}
