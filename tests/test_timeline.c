/*
 * test_timeline.c - bounded timelines: the first events stay, the latest
 * ones rotate, the ones in between are counted.
 */
#include <stdlib.h>

#include "suites.h"
#include "wirestate/timeline.h"

static struct wst_tl_event ev(uint32_t n)
{
    struct wst_tl_event e = {.ts_us = 1000 + n, .seq = n, .why = WST_TL_STATE};
    return e;
}

START_TEST(test_timeline_grows_until_full)
{
    struct wst_timeline *tl = NULL;
    ck_assert_uint_eq(wst_timeline_count(tl), 0);
    for (uint32_t i = 0; i < 20; i++) {
        struct wst_tl_event e = ev(i);
        wst_timeline_add(&tl, &e, 32);
    }
    ck_assert_uint_eq(wst_timeline_count(tl), 20);
    ck_assert_uint_eq(wst_timeline_skipped(tl), 0);
    ck_assert_uint_eq(wst_timeline_gap_at(tl), 20);
    for (uint32_t i = 0; i < 20; i++)
        ck_assert_uint_eq(wst_timeline_get(tl, i)->seq, i);
    wst_timeline_free(tl);
}
END_TEST

START_TEST(test_timeline_keeps_first_and_last)
{
    /* max 8: the first 4 stay, the last 4 rotate. 4 + 4 of 103 events kept,
     * 95 skipped; the kept tail is events 99..102 in order. */
    struct wst_timeline *tl = NULL;
    for (uint32_t i = 0; i < 103; i++) {
        struct wst_tl_event e = ev(i);
        wst_timeline_add(&tl, &e, 8);
    }
    ck_assert_uint_eq(wst_timeline_count(tl), 8);
    ck_assert_uint_eq(wst_timeline_skipped(tl), 95);
    ck_assert_uint_eq(wst_timeline_gap_at(tl), 4);
    static const uint32_t want[8] = {0, 1, 2, 3, 99, 100, 101, 102};
    for (size_t i = 0; i < 8; i++)
        ck_assert_uint_eq(wst_timeline_get(tl, i)->seq, want[i]);
    wst_timeline_free(tl);
}
END_TEST

START_TEST(test_timeline_odd_max_and_minimum)
{
    /* max 5: head 2, ring 3. After 6 events: 0 1 | 3 4 5, one skipped. */
    struct wst_timeline *tl = NULL;
    for (uint32_t i = 0; i < 6; i++) {
        struct wst_tl_event e = ev(i);
        wst_timeline_add(&tl, &e, 5);
    }
    static const uint32_t want[5] = {0, 1, 3, 4, 5};
    ck_assert_uint_eq(wst_timeline_count(tl), 5);
    ck_assert_uint_eq(wst_timeline_skipped(tl), 1);
    for (size_t i = 0; i < 5; i++)
        ck_assert_uint_eq(wst_timeline_get(tl, i)->seq, want[i]);
    wst_timeline_free(tl);

    /* A max below 2 is taken as 2: the first event and the latest. */
    tl = NULL;
    for (uint32_t i = 0; i < 10; i++) {
        struct wst_tl_event e = ev(i);
        wst_timeline_add(&tl, &e, 0);
    }
    ck_assert_uint_eq(wst_timeline_count(tl), 2);
    ck_assert_uint_eq(wst_timeline_get(tl, 0)->seq, 0);
    ck_assert_uint_eq(wst_timeline_get(tl, 1)->seq, 9);
    ck_assert_uint_eq(wst_timeline_skipped(tl), 8);
    wst_timeline_free(tl);
}
END_TEST

START_TEST(test_timeline_empty_and_names)
{
    ck_assert_uint_eq(wst_timeline_count(wst_timeline_empty()), 0);
    ck_assert_uint_eq(wst_timeline_skipped(wst_timeline_empty()), 0);
    ck_assert_str_eq(wst_tl_why_name(WST_TL_STATE), "state");
    ck_assert_str_eq(wst_tl_why_name(WST_TL_REXMIT), "retransmission");
    ck_assert_str_eq(wst_tl_why_name(0x40), "unknown");
    wst_timeline_free(NULL);
}
END_TEST

Suite *timeline_suite(void)
{
    Suite *s = suite_create("timeline");
    TCase *tc = tcase_create("bounds");
    tcase_add_test(tc, test_timeline_grows_until_full);
    tcase_add_test(tc, test_timeline_keeps_first_and_last);
    tcase_add_test(tc, test_timeline_odd_max_and_minimum);
    tcase_add_test(tc, test_timeline_empty_and_names);
    suite_add_tcase(s, tc);
    return s;
}
