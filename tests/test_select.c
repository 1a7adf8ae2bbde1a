/*
 * test_select.c - the selection (src/select.c), with hand-made connections and a sink that
 * records what reaches it.
 */
#include <string.h>

#include "suites.h"
#include "wirestate/select.h"

/* What reached the stage after select. */
struct seen {
    struct wst_sink sink;
    uint64_t begins[8], events[8], conns[8];
    size_t n_begins, n_events, n_conns, n_summaries;
};

static struct seen *seen_of(struct wst_sink *s)
{
    return (struct seen *)(void *)s;
}

static void seen_begin(struct wst_sink *s, const struct wst_conn *c)
{
    struct seen *x = seen_of(s);
    x->begins[x->n_begins++] = c->id;
}

static void seen_event(struct wst_sink *s, const struct wst_conn *c, uint64_t id, const struct wst_tl_event *ev)
{
    (void)c;
    (void)ev;
    struct seen *x = seen_of(s);
    x->events[x->n_events++] = id;
}

static void seen_conn(struct wst_sink *s, const struct wst_conn_report *r)
{
    struct seen *x = seen_of(s);
    x->conns[x->n_conns++] = r->id;
}

static void seen_summary(struct wst_sink *s, const struct wst_summary *sum)
{
    (void)sum;
    seen_of(s)->n_summaries++;
}

static const struct wst_sink_ops seen_ops = {
    .begin = seen_begin, .event = seen_event, .conn = seen_conn, .summary = seen_summary};

/* Connections named 5, 9 and 12 (the sequence numbers of their first packets);
 * records have a flexible address array, so each sits in room of its own. */
static _Alignas(8) uint8_t room[3][256];
static struct wst_conn *conns[3];

static void setup(void)
{
    static const uint64_t ids[3] = {5, 9, 12};
    for (int i = 0; i < 3; i++) {
        memset(room[i], 0, sizeof room[i]);
        conns[i] = (struct wst_conn *)(void *)room[i];
        conns[i]->id = ids[i];
    }
}
static const struct wst_tl_event ev;
static const struct wst_anomaly one_anomaly;

static void report(struct wst_select *sel, int i, size_t n_anomalies)
{
    struct wst_conn_report r = {.conn = conns[i], .id = conns[i]->id, .anomalies = &one_anomaly,
                                .n_anomalies = n_anomalies};
    wst_sink_conn(&sel->sink, &r);
}

/* Everything passes through with the connection's own id. */
START_TEST(test_select_passes_ids_through)
{
    struct seen x = {.sink = {.ops = &seen_ops}};
    struct wst_select sel;
    wst_select_init(&sel, &(struct wst_select_config){0}, &x.sink);
    for (int i = 0; i < 3; i++)
        wst_sink_begin(&sel.sink, conns[i]);
    wst_sink_event(&sel.sink, conns[2], conns[2]->id, &ev);
    report(&sel, 1, 0);
    report(&sel, 0, 0);
    wst_sink_summary(&sel.sink, &(struct wst_summary){.complete = true});
    ck_assert_uint_eq(x.n_begins, 3);
    ck_assert_uint_eq(x.begins[2], 12);
    ck_assert_uint_eq(x.n_events, 1);
    ck_assert_uint_eq(x.events[0], 12);
    ck_assert_uint_eq(x.n_conns, 2);
    ck_assert_uint_eq(x.conns[0], 9);
    ck_assert_uint_eq(x.conns[1], 5);
    ck_assert_uint_eq(x.n_summaries, 1);
    wst_select_fini(&sel);
}
END_TEST

/* --anomalies-only drops the others. */
START_TEST(test_select_anomalies_only)
{
    struct seen x = {.sink = {.ops = &seen_ops}};
    struct wst_select sel;
    wst_select_init(&sel, &(struct wst_select_config){.anomalies_only = true}, &x.sink);
    for (int i = 0; i < 3; i++)
        wst_sink_begin(&sel.sink, conns[i]);
    report(&sel, 0, 0);
    report(&sel, 1, 1);
    report(&sel, 2, 0);
    ck_assert_uint_eq(x.n_conns, 1);
    ck_assert_uint_eq(x.conns[0], 9);
    wst_select_fini(&sel);
}
END_TEST

Suite *select_suite(void)
{
    Suite *s = suite_create("select");
    TCase *tc = tcase_create("numbers");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_select_passes_ids_through);
    tcase_add_test(tc, test_select_anomalies_only);
    suite_add_tcase(s, tc);
    return s;
}
