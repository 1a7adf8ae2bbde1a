/*
 * suites.h - one Check suite per module; check_main.c runs them all, or the
 * one named by CK_RUN_SUITE (CTest registers each suite that way).
 */
#ifndef WST_TEST_SUITES_H
#define WST_TEST_SUITES_H

#include <check.h>

/* X(name): the suite is built by name##_suite() in tests/test_<name>.c. */
#define WST_SUITE_LIST(X) \
    X(link)               \
    X(decode)             \
    X(flow)               \
    X(ports)              \
    X(conn)               \
    X(flow_table)         \
    X(fsm)                \
    X(dispatch)           \
    X(pipeline)           \
    X(timeline)           \
    X(tracker)            \
    X(anomaly)            \
    X(wordmap)            \
    X(findings)           \
    X(explain)            \
    X(pcapng)             \
    X(capture)            \
    X(run)                \
    X(outbuf)             \
    X(select)             \
    X(emit)               \
    X(options)            \
    X(chaos)

#define WST_SUITE_DECL(name) Suite *name##_suite(void);
WST_SUITE_LIST(WST_SUITE_DECL)
#undef WST_SUITE_DECL

#endif
