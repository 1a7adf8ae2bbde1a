/*
 * wirestate/explain.h - facts into sentences.
 *
 * The rules of anomaly.c and findings.c record facts: a kind, the endpoint
 * or host concerned, counts, times, detail codes (anomaly.h and findings.h
 * say what each field holds for each kind). This module alone turns them
 * into English for people: the one-line diagnosis of each anomaly and of
 * each finding, the name of an ICMP destination unreachable code, and the
 * words the docs use for the endpoint a kind of anomaly concerns. It
 * judges nothing.
 *
 * Every function that writes text writes into a caller's buffer: cut to
 * its size, never past it, always NUL-terminated (a size of 0 writes
 * nothing), and returns the length written.
 */
#ifndef WIRESTATE_EXPLAIN_H
#define WIRESTATE_EXPLAIN_H

#include <stddef.h>
#include <stdint.h>

#include "wirestate/anomaly.h"
#include "wirestate/conn.h"
#include "wirestate/findings.h"

/* Room for the longest anomaly diagnosis, NUL included. */
#define WST_EXPLAIN_ANOMALY_MAX 400

/* Room for the longest finding diagnosis, NUL included. */
#define WST_EXPLAIN_FINDING_MAX 1024

/*
 * The one-line diagnosis of anomaly a of connection c into buf: names
 * endpoints by role and address, says what the evidence shows and the
 * next thing to check. Returns the length (0 for a kind out of range).
 */
size_t wst_explain_anomaly(char *buf, size_t size, const struct wst_conn *c, const struct wst_anomaly *a);

/*
 * The one-line diagnosis of finding f into buf: what the pattern is,
 * where, since when, and what to check. Returns the length (0 for a kind
 * out of range).
 */
size_t wst_explain_finding(char *buf, size_t size, const struct wst_finding *f);

/*
 * The name of an ICMP (family WST_AF_INET, type 3) or ICMPv6 (type 1)
 * destination unreachable code as its RFC gives it ("communication
 * administratively prohibited"); "unknown code" for any other. A static
 * string.
 */
const char *wst_explain_unreach(uint8_t family, uint8_t code);

/*
 * The endpoint an anomaly of `kind` concerns, in the words of the tables
 * of README.md and docs/output.md ("client", "the one in CLOSE_WAIT"),
 * into buf. Returns the length (0 for a kind out of range).
 */
size_t wst_explain_role(char *buf, size_t size, enum wst_anomaly_kind kind);

#endif
