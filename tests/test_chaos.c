/*
 * test_chaos.c - the whole tracker under hostile segment sequences
 * (chaos.h): random bytes from fixed seeds, so a failure reproduces; the
 * invariants are checked by chaos_run(), which aborts on the first one
 * broken and names it. The same oracle runs under libFuzzer
 * (tests/fuzz/fuzz_tracker.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "chaos.h"
#include "suites.h"

/* xorshift64*: a fixed stream per seed. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545F4914F6CDD1DULL;
}

/* Runs seeds [first, first + n) and adds up what they produced. */
static void run_seeds(uint64_t first, unsigned n, struct chaos_result *total)
{
    static uint8_t buf[4 + 8 * 600];
    for (uint64_t seed = first; seed < first + n; seed++) {
        uint64_t s = seed * 0x9E3779B97F4A7C15ULL + 1;
        size_t packets = 20 + next_random(&s) % 580;
        size_t size = 4 + 8 * packets;
        for (size_t i = 0; i < size; i++)
            buf[i] = (uint8_t)(next_random(&s) >> 56);
        struct chaos_result r;
        chaos_run(buf, size, &r);
        ck_assert_uint_ge(r.packets, packets); /* a clean connection is 8 */
        total->packets += r.packets;
        total->connections += r.connections;
        total->anomalies += r.anomalies;
        total->findings += r.findings;
        for (int k = 0; k < WST_FIND__COUNT; k++)
            total->by_kind[k] += r.by_kind[k];
    }
}

START_TEST(test_chaos_seeds)
{
    struct chaos_result total = {0};
    run_seeds((uint64_t)_i * 100 + 1, 100, &total);
    /* The generator reaches what it is for: many records, anomalies and
     * findings, or the invariants were checked on nothing. */
    ck_assert_uint_gt(total.connections, 1000);
    ck_assert_uint_gt(total.anomalies, 500);
    ck_assert_uint_gt(total.findings, 50);
    for (int k = 0; k < WST_FIND__COUNT; k++)
        ck_assert_msg(total.by_kind[k] > 0, "no %s found", wst_finding_name((enum wst_finding_kind)k));
}
END_TEST

/* Inputs too short to hold a packet are a run with nothing in it. */
START_TEST(test_chaos_short_inputs)
{
    static const uint8_t bytes[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    for (size_t size = 0; size <= sizeof bytes; size++) {
        struct chaos_result r;
        chaos_run(bytes, size, &r);
        ck_assert_uint_eq(r.packets, size >= 12 ? 1 : 0);
    }
}
END_TEST

Suite *chaos_suite(void)
{
    Suite *s = suite_create("chaos");
    TCase *tc = tcase_create("seeds");
    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_chaos_seeds, 0, 4);
    tcase_add_test(tc, test_chaos_short_inputs);
    suite_add_tcase(s, tc);
    return s;
}
