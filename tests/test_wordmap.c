/*
 * test_wordmap.c - the findings' word-keyed map (src/wordmap.c): every key
 * keeps its value across growth, absent keys are absent, keys built to
 * share low bits, as addresses of one subnet do, all stay reachable, and
 * neighbouring keys sit in neighbouring slots.
 */
#include "wirestate/wordmap.h"

#include "suites.h"

/* New keys read 0; a value written stays through the growths that follow. */
START_TEST(test_wordmap_values_survive_growth)
{
    struct wst_wordmap m;
    wst_wordmap_init(&m, 12345);
    const uint64_t n = 100000;
    for (uint64_t k = 0; k < n; k++) {
        uint64_t *v = wst_wordmap_slot(&m, k * 7919);
        ck_assert_uint_eq(*v, 0);
        *v = k + 1;
    }
    ck_assert_uint_eq(m.n, n);
    ck_assert_uint_le(m.n * 10, m.cap * 7); /* the load bound */
    for (uint64_t k = 0; k < n; k++) {
        uint64_t *v = wst_wordmap_find(&m, k * 7919);
        ck_assert_ptr_nonnull(v);
        ck_assert_uint_eq(*v, k + 1);
        ck_assert_uint_eq(*wst_wordmap_slot(&m, k * 7919), k + 1); /* found, not added */
    }
    ck_assert_uint_eq(m.n, n);
    ck_assert_ptr_null(wst_wordmap_find(&m, 1)); /* not a multiple of 7919 */
    ck_assert_uint_eq(wst_wordmap_bytes(&m), m.cap * sizeof *m.slots);
    wst_wordmap_fini(&m);
    ck_assert_uint_eq(m.n, 0);
    ck_assert_ptr_null(wst_wordmap_find(&m, 0));
}
END_TEST

/* Keys differing only in high bits (one port, addresses 2^32 apart) or
 * only in one byte, with seed 0 as well: all distinct, all found. */
START_TEST(test_wordmap_structured_keys)
{
    struct wst_wordmap m;
    for (uint64_t seed = 0; seed < 2; seed++) {
        wst_wordmap_init(&m, seed);
        for (uint64_t k = 0; k < 5000; k++) {
            *wst_wordmap_slot(&m, k << 32) = k;
            *wst_wordmap_slot(&m, (uint64_t)1 << 56 | (k & 0xFF) << 24 | 80) = 1;
        }
        ck_assert_uint_eq(m.n, 5000 + 256);
        for (uint64_t k = 0; k < 5000; k++)
            ck_assert_uint_eq(*wst_wordmap_find(&m, k << 32), k);
        wst_wordmap_fini(&m);
    }
}
END_TEST

/* The slot index of key k, which the map holds. */
static size_t slot_index(const struct wst_wordmap *m, uint64_t k)
{
    return (size_t)((const struct wst_wordmap_slot *)(const void *)((const char *)wst_wordmap_find(m, k) -
                                                                    sizeof(uint64_t)) -
                    m->slots);
}

/* Sixteen neighbouring keys (one aligned run: a /28 of client
 * addresses) take sixteen neighbouring slots in a map with room, so
 * keys met in address order share cache lines; the extreme keys 0 and
 * UINT64_MAX - 1 are held like any other. */
START_TEST(test_wordmap_neighbours_share_lines)
{
    struct wst_wordmap m;
    wst_wordmap_init(&m, 99);
    const uint64_t base = (uint64_t)2 << 56 | 0x0A000010; /* host 10.0.0.16 */
    for (uint64_t k = 0; k < 16; k++)
        *wst_wordmap_slot(&m, base + k) = k + 1;
    size_t first = slot_index(&m, base);
    for (uint64_t k = 0; k < 16; k++) {
        ck_assert_uint_eq(*wst_wordmap_find(&m, base + k), k + 1);
        ck_assert_uint_eq(slot_index(&m, base + k), (first + k) & (m.cap - 1));
    }
    *wst_wordmap_slot(&m, 0) = 7;
    *wst_wordmap_slot(&m, UINT64_MAX - 1) = 8;
    ck_assert_uint_eq(*wst_wordmap_find(&m, 0), 7);
    ck_assert_uint_eq(*wst_wordmap_find(&m, UINT64_MAX - 1), 8);
    ck_assert_uint_eq(m.n, 18);
    wst_wordmap_fini(&m);
}
END_TEST

Suite *wordmap_suite(void)
{
    Suite *s = suite_create("wordmap");
    TCase *tc = tcase_create("map");
    tcase_add_test(tc, test_wordmap_values_survive_growth);
    tcase_add_test(tc, test_wordmap_structured_keys);
    tcase_add_test(tc, test_wordmap_neighbours_share_lines);
    suite_add_tcase(s, tc);
    return s;
}
