/*
 * chaos.h - hostile segment sequences for the whole tracker.
 *
 * chaos_run() turns bytes into a configuration and a stream of crafted
 * segments among a few clients and servers (IPv4, IPv6, VLAN-tagged; SYN,
 * FIN, RST, data and every flag combination; sequence numbers next to what
 * the flow has used or anywhere; gaps from none to minutes; ICMP errors
 * quoting a segment), feeds them to a tracker, and checks the invariants
 * of everything that comes out: each record, its anomalies and their
 * diagnoses, both output formats, the counters, and the findings. A
 * violated invariant aborts with a message naming it, so a Check suite
 * (random bytes from fixed seeds) and a libFuzzer target (its own bytes)
 * share one oracle.
 */
#ifndef WST_TEST_CHAOS_H
#define WST_TEST_CHAOS_H

#include <stddef.h>
#include <stdint.h>

#include "wirestate/findings.h"

/* What a run produced, for tests that want to know it did something. */
struct chaos_result {
    uint64_t packets;
    uint64_t connections;
    uint64_t anomalies;
    uint64_t findings;
    uint64_t by_kind[WST_FIND__COUNT]; /* findings of each kind */
};

void chaos_run(const uint8_t *data, size_t size, struct chaos_result *out);

#endif
