/*
 * script.h - packet scripts for tracker tests.
 *
 * A script is a tracker fed with crafted Ethernet/IPv4 (or IPv6) TCP
 * segments between one client and one server, so a test reads like a
 * packetdrill script:
 *
 *     script_seg(&s, C2S, CRAFT_SYN, 1000, 0, 0);
 *     script_seg(&s, S2C, CRAFT_SYN | CRAFT_ACK, 5000, 1001, 0);
 *     script_seg(&s, C2S, CRAFT_ACK, 1001, 5001, 0);
 *     script_finish(&s);
 *     ck_assert_uint_eq(script_conn(&s, 0)->packets[...], ...);
 *
 * Every segment advances capture time by s->step_us. The frames go
 * through the whole engine: dispatch, the tracker and the findings stage;
 * the connections reported at its end are copied, in order, for the
 * assertions, and so is the summary.
 */
#ifndef WST_TEST_SCRIPT_H
#define WST_TEST_SCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "craft.h"
#include "wirestate/pipeline.h"

enum { C2S = 0, S2C = 1 };

#define SCRIPT_MAX_CONNS 64

struct script {
    struct wst_pipeline pipe;   /* dispatch -> tracker -> findings -> select -> collector */
    struct wst_sink collector;  /* the last stage: copies what it is handed */
    struct wst_summary summary; /* as the last stage got it (after script_finish) */
    bool finished;
    uint64_t now_us;        /* timestamp of the next packet */
    uint64_t step_us;       /* added after each packet (default 1000) */
    int ipv6;               /* endpoints are IPv6 */
    const char *client_ip, *server_ip;
    uint16_t client_port, server_port;
    uint16_t vlan;          /* 0 = untagged, else an 802.1Q tag with this ID */
    size_t n_conns;
    struct wst_conn *conns[SCRIPT_MAX_CONNS]; /* copies of emitted connections */
    struct wst_anomaly *anomalies[SCRIPT_MAX_CONNS]; /* copies of their anomalies */
    size_t n_anomalies[SCRIPT_MAX_CONNS];
};

/*
 * The engine configuration of the program's defaults (wst_options_defaults),
 * with hash seed 1: a test changes only the fields it is about. Its
 * tracker.server_ports points to static storage, valid for the whole run.
 */
struct wst_pipeline_config script_config(void);

/*
 * Starts a script: client 192.0.2.1:40000, server 198.51.100.2:80, time
 * 1700000000 s, a pipeline made from cfg (NULL: script_config()).
 */
void script_init(struct script *s, const struct wst_pipeline_config *cfg);

/* Frees the tracker and the copies. */
void script_fini(struct script *s);

/* Feeds one TCP segment in direction dir (C2S or S2C) with len payload bytes (window 64240). */
void script_seg(struct script *s, int dir, uint8_t flags, uint32_t seq, uint32_t ack, size_t len);

/* The same with the given (unscaled) receive window. */
void script_seg_win(struct script *s, int dir, uint8_t flags, uint32_t seq, uint32_t ack, size_t len,
                    uint16_t window);

/* Feeds raw frame bytes of a link type at the current time. */
void script_frame(struct script *s, enum wst_link link, const uint8_t *data, size_t caplen, size_t wirelen);

/* Ends the capture; the tracker reports every connection, then the summary. */
void script_finish(struct script *s);

/* The findings of the summary (script_finish first), owned by the script. */
const struct wst_finding *script_findings(const struct script *s, size_t *n);

/*
 * The live connection of the script's 4-tuple after every packet so far is
 * processed, or NULL (none yet, or retired).
 */
const struct wst_conn *script_live(struct script *s);

/* States of the live connection's client and server (fails the test if none). */
enum wst_tcp_state script_client_state(struct script *s);
enum wst_tcp_state script_server_state(struct script *s);

/* Advances capture time by `us` without a packet of this connection: feeds one
 * ARP frame at the new time, as any other traffic on the link would. */
void script_idle(struct script *s, uint64_t us);

/*
 * The anomaly of kind `kind` of the i-th emitted connection, or NULL; fails
 * the test if that connection has two of the kind (one per endpoint is
 * possible, but no script here makes both).
 */
const struct wst_anomaly *script_anomaly(const struct script *s, size_t i, enum wst_anomaly_kind kind);

/* Number of anomalies of the i-th emitted connection. */
size_t script_n_anomalies(const struct script *s, size_t i);

/* The i-th emitted connection (fails the test if there is none). */
const struct wst_conn *script_conn(const struct script *s, size_t i);

#endif
