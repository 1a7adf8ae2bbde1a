/*
 * test_ports.c - the service port set, its parser, and the server guess.
 */
#include <string.h>

#include "suites.h"
#include "wirestate/ports.h"

/* Number of ports in a set. */
static unsigned set_count(const struct wst_port_set *set)
{
    unsigned n = 0;
    for (unsigned p = 0; p < 65536; p++)
        n += wst_port_set_has(set, (uint16_t)p);
    return n;
}

/* ---- default set */

START_TEST(test_port_set_default_members)
{
    struct wst_port_set set;
    wst_port_set_init_default(&set);
    /* Registered service ports from the list. */
    ck_assert(wst_port_set_has(&set, 8080));
    ck_assert(wst_port_set_has(&set, 5432));
    ck_assert(wst_port_set_has(&set, 1080));
    ck_assert(wst_port_set_has(&set, 3306));
    ck_assert(wst_port_set_has(&set, 6379));
    ck_assert(wst_port_set_has(&set, 27017));
    /* System ports count by rule, not by membership; ephemeral ports are out. */
    ck_assert(!wst_port_set_has(&set, 0));
    ck_assert(!wst_port_set_has(&set, 80));
    ck_assert(!wst_port_set_has(&set, 443));
    ck_assert(!wst_port_set_has(&set, 1023));
    ck_assert(!wst_port_set_has(&set, 1024));
    ck_assert(!wst_port_set_has(&set, 8079));
    ck_assert(!wst_port_set_has(&set, 40000));
    ck_assert(!wst_port_set_has(&set, 65535));
}
END_TEST

/* No default is a system port or an ephemeral one. */
START_TEST(test_port_set_default_range)
{
    struct wst_port_set set;
    wst_port_set_init_default(&set);
    for (unsigned p = 0; p < 1024; p++)
        ck_assert_msg(!wst_port_set_has(&set, (uint16_t)p), "port %u", p);
    for (unsigned p = 32768; p < 65536; p++)
        ck_assert_msg(!wst_port_set_has(&set, (uint16_t)p), "port %u", p);
    ck_assert_uint_gt(set_count(&set), 40);
}
END_TEST

/* init_default replaces whatever the set held. */
START_TEST(test_port_set_default_clears)
{
    struct wst_port_set set;
    memset(&set, 0xff, sizeof set);
    wst_port_set_init_default(&set);
    ck_assert(!wst_port_set_has(&set, 40000));
    ck_assert(!wst_port_set_has(&set, 80));
    ck_assert(wst_port_set_has(&set, 8080));
}
END_TEST

/* ---- guess: the rules in order */

/* Rule 1: the only port in the set wins, even over a system port. */
START_TEST(test_ports_guess_set_membership)
{
    struct wst_port_set set;
    wst_port_set_init_default(&set);
    ck_assert_int_eq(wst_ports_guess_server(&set, 40000, 8080, 0), 1);
    ck_assert_int_eq(wst_ports_guess_server(&set, 5432, 50000, 1), 0);
    /* 443 is below 1024 but not in the set; 8080 is in the set. */
    ck_assert_int_eq(wst_ports_guess_server(&set, 443, 8080, 0), 1);
    ck_assert_int_eq(wst_ports_guess_server(&set, 8080, 443, 1), 0);
}
END_TEST

/* A custom set can make an ephemeral port the server's. */
START_TEST(test_ports_guess_custom_set)
{
    struct wst_port_set set;
    char errbuf[WST_ERRBUF_SIZE] = "";
    wst_port_set_init_default(&set);
    ck_assert_int_eq(wst_port_set_parse(&set, "40000", errbuf), 0);
    ck_assert_int_eq(wst_ports_guess_server(&set, 40000, 5000, 1), 0);
    ck_assert_int_eq(wst_ports_guess_server(&set, 5000, 40000, 0), 1);
    /* 8080 left the set: 8080 vs 50000 falls to the ephemeral rule. */
    ck_assert_int_eq(wst_ports_guess_server(&set, 50000, 8080, 0), 1);
}
END_TEST

/* Rule 2: both or neither in the set, then the only port below 1024. */
START_TEST(test_ports_guess_system_port)
{
    struct wst_port_set set;
    wst_port_set_init_default(&set);
    ck_assert_int_eq(wst_ports_guess_server(&set, 50000, 443, 0), 1);
    ck_assert_int_eq(wst_ports_guess_server(&set, 22, 40000, 1), 0);
    ck_assert_int_eq(wst_ports_guess_server(&set, 1023, 1024, 1), 0);
    /* Both in the set: 8080 and 5432 go on to the lower port. */
    ck_assert_int_eq(wst_ports_guess_server(&set, 8080, 5432, 0), 1);
}
END_TEST

/* Rule 3: the only port below 32768 (neither in the set, both >= 1024). */
START_TEST(test_ports_guess_ephemeral)
{
    struct wst_port_set set;
    memset(&set, 0, sizeof set);
    ck_assert_int_eq(wst_ports_guess_server(&set, 32768, 32767, 0), 1);
    ck_assert_int_eq(wst_ports_guess_server(&set, 12345, 60000, 1), 0);
    ck_assert_int_eq(wst_ports_guess_server(&set, 65535, 1024, 0), 1);
}
END_TEST

/* Rule 4: the lower port, when both sides are alike by the rules above. */
START_TEST(test_ports_guess_lower_port)
{
    struct wst_port_set set;
    memset(&set, 0, sizeof set);
    ck_assert_int_eq(wst_ports_guess_server(&set, 80, 22, 0), 1);       /* both system */
    ck_assert_int_eq(wst_ports_guess_server(&set, 2000, 3000, 1), 0);   /* both registered */
    ck_assert_int_eq(wst_ports_guess_server(&set, 50001, 50000, 0), 1); /* both ephemeral */
    ck_assert_int_eq(wst_ports_guess_server(&set, 0, 1, 1), 0);
}
END_TEST

/* Rule 5: equal ports fall back to the first packet's receiver. */
START_TEST(test_ports_guess_equal_ports)
{
    struct wst_port_set set;
    wst_port_set_init_default(&set);
    ck_assert_int_eq(wst_ports_guess_server(&set, 5000, 5000, 0), 0);
    ck_assert_int_eq(wst_ports_guess_server(&set, 5000, 5000, 1), 1);
    ck_assert_int_eq(wst_ports_guess_server(&set, 8080, 8080, 1), 1); /* both in the set */
    ck_assert_int_eq(wst_ports_guess_server(&set, 179, 179, 0), 0);   /* BGP peers */
    ck_assert_int_eq(wst_ports_guess_server(&set, 179, 179, 1), 1);
    ck_assert_int_eq(wst_ports_guess_server(&set, 50000, 50000, 1), 1);
}
END_TEST

/* ---- parse: lists that parse */

START_TEST(test_port_set_parse_single)
{
    struct wst_port_set set;
    char errbuf[WST_ERRBUF_SIZE] = "";
    wst_port_set_init_default(&set);
    ck_assert_int_eq(wst_port_set_parse(&set, "80", errbuf), 0);
    ck_assert(wst_port_set_has(&set, 80));
    ck_assert(!wst_port_set_has(&set, 79));
    ck_assert(!wst_port_set_has(&set, 81));
    ck_assert(!wst_port_set_has(&set, 8080)); /* the defaults were replaced */
    ck_assert_uint_eq(set_count(&set), 1);
    ck_assert_str_eq(errbuf, "");
}
END_TEST

START_TEST(test_port_set_parse_list_and_ranges)
{
    struct wst_port_set set;
    char errbuf[WST_ERRBUF_SIZE] = "";
    memset(&set, 0, sizeof set);
    ck_assert_int_eq(wst_port_set_parse(&set, "80,443,8000-8002", errbuf), 0);
    ck_assert(wst_port_set_has(&set, 80));
    ck_assert(wst_port_set_has(&set, 443));
    ck_assert(!wst_port_set_has(&set, 7999));
    ck_assert(wst_port_set_has(&set, 8000));
    ck_assert(wst_port_set_has(&set, 8001));
    ck_assert(wst_port_set_has(&set, 8002));
    ck_assert(!wst_port_set_has(&set, 8003));
    ck_assert_uint_eq(set_count(&set), 5);
}
END_TEST

START_TEST(test_port_set_parse_bounds)
{
    struct wst_port_set set;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_port_set_parse(&set, "0,65535", errbuf), 0);
    ck_assert(wst_port_set_has(&set, 0));
    ck_assert(wst_port_set_has(&set, 65535));
    ck_assert_uint_eq(set_count(&set), 2);
    ck_assert_int_eq(wst_port_set_parse(&set, "0-65535", errbuf), 0);
    ck_assert_uint_eq(set_count(&set), 65536);
    ck_assert_int_eq(wst_port_set_parse(&set, "7-7", errbuf), 0);
    ck_assert_uint_eq(set_count(&set), 1);
    ck_assert(wst_port_set_has(&set, 7));
}
END_TEST

/* Overlaps and repeats are harmless: 79, 80, 81. */
START_TEST(test_port_set_parse_overlap)
{
    struct wst_port_set set;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_port_set_parse(&set, "80,80,79-81,81", errbuf), 0);
    ck_assert_uint_eq(set_count(&set), 3);
    ck_assert(wst_port_set_has(&set, 79) && wst_port_set_has(&set, 80) && wst_port_set_has(&set, 81));
}
END_TEST

START_TEST(test_port_set_parse_plus_adds)
{
    struct wst_port_set set;
    char errbuf[WST_ERRBUF_SIZE] = "";
    wst_port_set_init_default(&set);
    unsigned before = set_count(&set);
    ck_assert_int_eq(wst_port_set_parse(&set, "+9999,40000-40001", errbuf), 0);
    ck_assert(wst_port_set_has(&set, 9999));
    ck_assert(wst_port_set_has(&set, 40000));
    ck_assert(wst_port_set_has(&set, 40001));
    ck_assert(wst_port_set_has(&set, 8080)); /* defaults kept */
    ck_assert(wst_port_set_has(&set, 5432));
    ck_assert_uint_eq(set_count(&set), before + 3);
    /* Adding a port already present changes nothing. */
    ck_assert_int_eq(wst_port_set_parse(&set, "+8080", errbuf), 0);
    ck_assert_uint_eq(set_count(&set), before + 3);
}
END_TEST

START_TEST(test_port_set_parse_replaces)
{
    struct wst_port_set set;
    char errbuf[WST_ERRBUF_SIZE] = "";
    wst_port_set_init_default(&set);
    ck_assert_int_eq(wst_port_set_parse(&set, "9000-9001", errbuf), 0);
    ck_assert_uint_eq(set_count(&set), 2);
    ck_assert(!wst_port_set_has(&set, 8080));
    ck_assert_int_eq(wst_port_set_parse(&set, "1", errbuf), 0);
    ck_assert_uint_eq(set_count(&set), 1);
    ck_assert(!wst_port_set_has(&set, 9000));
}
END_TEST

/* ---- parse: errors */

static const char *const bad_lists[] = {
    "",            /* empty */
    "80,",         /* trailing comma */
    ",80",         /* leading comma */
    "80,,81",      /* empty item */
    "x",           /* not a number */
    "70000",       /* above 65535 */
    "65536",       /* one above */
    "99999999999999999999999", /* overflows long */
    "90-80",       /* reversed range */
    "81-80",       /* reversed by one */
    "80-",         /* open range */
    "-80",         /* negative / open range */
    "80-70000",    /* range end above 65535 */
    "80abc",       /* trailing garbage */
    "80 ",         /* trailing space */
    " 80",         /* leading space */
    "80;81",       /* wrong separator */
    "80-81-82",    /* two dashes */
    "+",           /* '+' and nothing */
    "++80",        /* two '+' */
    "8+0",         /* '+' inside */
};

START_TEST(test_port_set_parse_error)
{
    struct wst_port_set set, before;
    char errbuf[WST_ERRBUF_SIZE] = "";
    wst_port_set_init_default(&set);
    before = set;
    ck_assert_int_eq(wst_port_set_parse(&set, bad_lists[_i], errbuf), WST_EUSAGE);
    ck_assert_msg(errbuf[0] != '\0', "no message for '%s'", bad_lists[_i]);
    ck_assert_ptr_null(strchr(errbuf, '\n'));
    /* A list that does not parse leaves the set as it was. */
    ck_assert(memcmp(&set, &before, sizeof set) == 0);
}
END_TEST

/* The message quotes the whole list. */
START_TEST(test_port_set_parse_error_message)
{
    struct wst_port_set set;
    char errbuf[WST_ERRBUF_SIZE] = "";
    ck_assert_int_eq(wst_port_set_parse(&set, "90-80", errbuf), WST_EUSAGE);
    ck_assert_ptr_nonnull(strstr(errbuf, "'90-80'"));
    ck_assert_int_eq(wst_port_set_parse(&set, "80abc", errbuf), WST_EUSAGE);
    ck_assert_ptr_nonnull(strstr(errbuf, "'80abc'"));
    ck_assert_ptr_nonnull(strstr(errbuf, "comma"));
}
END_TEST

Suite *ports_suite(void)
{
    Suite *s = suite_create("ports");

    TCase *tc = tcase_create("default_set");
    tcase_add_test(tc, test_port_set_default_members);
    tcase_add_test(tc, test_port_set_default_range);
    tcase_add_test(tc, test_port_set_default_clears);
    suite_add_tcase(s, tc);

    tc = tcase_create("guess_server");
    tcase_add_test(tc, test_ports_guess_set_membership);
    tcase_add_test(tc, test_ports_guess_custom_set);
    tcase_add_test(tc, test_ports_guess_system_port);
    tcase_add_test(tc, test_ports_guess_ephemeral);
    tcase_add_test(tc, test_ports_guess_lower_port);
    tcase_add_test(tc, test_ports_guess_equal_ports);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse");
    tcase_add_test(tc, test_port_set_parse_single);
    tcase_add_test(tc, test_port_set_parse_list_and_ranges);
    tcase_add_test(tc, test_port_set_parse_bounds);
    tcase_add_test(tc, test_port_set_parse_overlap);
    tcase_add_test(tc, test_port_set_parse_plus_adds);
    tcase_add_test(tc, test_port_set_parse_replaces);
    suite_add_tcase(s, tc);

    tc = tcase_create("parse_errors");
    tcase_add_loop_test(tc, test_port_set_parse_error, 0, (int)(sizeof bad_lists / sizeof bad_lists[0]));
    tcase_add_test(tc, test_port_set_parse_error_message);
    suite_add_tcase(s, tc);
    return s;
}
