/*
 * test_link.c - LINKTYPE_ and DLT_ values to enum wst_link, and the names.
 *
 * The LINKTYPE_ numbers are those of https://www.tcpdump.org/linktypes.html;
 * the DLT_ numbers are libpcap's on Linux (pcap/dlt.h), where DLT_RAW is 12
 * and DLT_LOOP is 108.
 */
#include <stdint.h>
#include <string.h>

#include "suites.h"
#include "wirestate/link.h"

#include <pcap/pcap.h>

/* ---- linktype: every supported LINKTYPE_ value */

static const struct {
    uint32_t linktype;
    enum wst_link link;
    const char *name;
} linktype_cases[] = {
    {0, WST_LINK_NULL_BSD, "null"},      /* LINKTYPE_NULL */
    {1, WST_LINK_ETHERNET, "ethernet"},  /* LINKTYPE_ETHERNET */
    {101, WST_LINK_RAW, "raw"},          /* LINKTYPE_RAW */
    {108, WST_LINK_LOOP, "loop"},        /* LINKTYPE_LOOP */
    {113, WST_LINK_SLL, "linux_sll"},    /* LINKTYPE_LINUX_SLL */
    {228, WST_LINK_IPV4, "ipv4"},        /* LINKTYPE_IPV4 */
    {229, WST_LINK_IPV6, "ipv6"},        /* LINKTYPE_IPV6 */
    {276, WST_LINK_SLL2, "linux_sll2"},  /* LINKTYPE_LINUX_SLL2 */
    {12, WST_LINK_RAW, "raw"},           /* DLT_RAW of most systems, stored by some writers */
    {14, WST_LINK_RAW, "raw"},           /* DLT_RAW of OpenBSD, likewise */
};

START_TEST(test_link_from_linktype_supported)
{
    ck_assert_int_eq(wst_link_from_linktype(linktype_cases[_i].linktype), linktype_cases[_i].link);
    ck_assert_str_eq(wst_link_name(wst_link_from_linktype(linktype_cases[_i].linktype)),
                     linktype_cases[_i].name);
}
END_TEST

START_TEST(test_link_from_linktype_unsupported)
{
    /* 105 IEEE 802.11, 127 radiotap, 2..11 historical, 100 is the old
     * LINKTYPE_ATM_RFC1483, 147 the first user type, 277 one past SLL2. */
    static const uint32_t bad[] = {2, 6, 9, 10, 11, 13, 100, 105, 127, 147, 192, 227, 230, 275, 277,
                                   65535, 65536, UINT32_MAX};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(wst_link_from_linktype(bad[i]) == WST_LINK_UNSUPPORTED, "linktype %u", (unsigned)bad[i]);
}
END_TEST

/* ---- dlt: libpcap's numbering */

START_TEST(test_link_from_dlt_supported)
{
    ck_assert_int_eq(wst_link_from_dlt(DLT_EN10MB), WST_LINK_ETHERNET);
    ck_assert_int_eq(wst_link_from_dlt(DLT_NULL), WST_LINK_NULL_BSD);
    ck_assert_int_eq(wst_link_from_dlt(DLT_LOOP), WST_LINK_LOOP);
    ck_assert_int_eq(wst_link_from_dlt(DLT_RAW), WST_LINK_RAW);
    ck_assert_int_eq(wst_link_from_dlt(DLT_LINUX_SLL), WST_LINK_SLL);
    ck_assert_int_eq(wst_link_from_dlt(DLT_LINUX_SLL2), WST_LINK_SLL2);
    ck_assert_int_eq(wst_link_from_dlt(DLT_IPV4), WST_LINK_IPV4);
    ck_assert_int_eq(wst_link_from_dlt(DLT_IPV6), WST_LINK_IPV6);
}
END_TEST

#if defined(__linux__)
/* The same mapping by number, as libpcap on Linux hands the values out. */
START_TEST(test_link_from_dlt_linux_numbers)
{
    ck_assert_int_eq(wst_link_from_dlt(1), WST_LINK_ETHERNET);
    ck_assert_int_eq(wst_link_from_dlt(0), WST_LINK_NULL_BSD);
    ck_assert_int_eq(wst_link_from_dlt(108), WST_LINK_LOOP);
    ck_assert_int_eq(wst_link_from_dlt(12), WST_LINK_RAW);
    ck_assert_int_eq(wst_link_from_dlt(113), WST_LINK_SLL);
    ck_assert_int_eq(wst_link_from_dlt(276), WST_LINK_SLL2);
    ck_assert_int_eq(wst_link_from_dlt(228), WST_LINK_IPV4);
    ck_assert_int_eq(wst_link_from_dlt(229), WST_LINK_IPV6);
}
END_TEST

/* LINKTYPE_RAW (101) is a file value, never a DLT_ value; 14 is DLT_RAW
 * only on OpenBSD. Neither comes out of pcap_datalink() on Linux. */
START_TEST(test_link_from_dlt_file_only_values)
{
    ck_assert_int_eq(wst_link_from_dlt(101), WST_LINK_UNSUPPORTED);
    ck_assert_int_eq(wst_link_from_dlt(14), WST_LINK_UNSUPPORTED);
}
END_TEST
#endif

START_TEST(test_link_from_dlt_unsupported)
{
    ck_assert_int_eq(wst_link_from_dlt(DLT_IEEE802_11), WST_LINK_UNSUPPORTED);
    ck_assert_int_eq(wst_link_from_dlt(DLT_IEEE802_11_RADIO), WST_LINK_UNSUPPORTED);
    ck_assert_int_eq(wst_link_from_dlt(DLT_PPP), WST_LINK_UNSUPPORTED);
    ck_assert_int_eq(wst_link_from_dlt(-1), WST_LINK_UNSUPPORTED);
    ck_assert_int_eq(wst_link_from_dlt(100000), WST_LINK_UNSUPPORTED);
}
END_TEST

/* ---- names */

START_TEST(test_link_name_every_link)
{
    ck_assert_str_eq(wst_link_name(WST_LINK_UNSUPPORTED), "unsupported");
    ck_assert_str_eq(wst_link_name(WST_LINK_ETHERNET), "ethernet");
    ck_assert_str_eq(wst_link_name(WST_LINK_NULL_BSD), "null");
    ck_assert_str_eq(wst_link_name(WST_LINK_LOOP), "loop");
    ck_assert_str_eq(wst_link_name(WST_LINK_RAW), "raw");
    ck_assert_str_eq(wst_link_name(WST_LINK_IPV4), "ipv4");
    ck_assert_str_eq(wst_link_name(WST_LINK_IPV6), "ipv6");
    ck_assert_str_eq(wst_link_name(WST_LINK_SLL), "linux_sll");
    ck_assert_str_eq(wst_link_name(WST_LINK_SLL2), "linux_sll2");
}
END_TEST

START_TEST(test_link_name_out_of_range)
{
    ck_assert_str_eq(wst_link_name(WST_LINK__COUNT), "unsupported");
    ck_assert_str_eq(wst_link_name((enum wst_link)200), "unsupported");
    ck_assert_str_eq(wst_link_name((enum wst_link)-1), "unsupported");
}
END_TEST

/* Nine links (eight and "unsupported"), all named differently. */
START_TEST(test_link_name_unique)
{
    ck_assert_int_eq(WST_LINK__COUNT, 9);
    for (int a = 0; a < WST_LINK__COUNT; a++) {
        for (int b = a + 1; b < WST_LINK__COUNT; b++)
            ck_assert_str_ne(wst_link_name((enum wst_link)a), wst_link_name((enum wst_link)b));
    }
}
END_TEST

/* Every supported link is reached from one LINKTYPE_ and one DLT_ value. */
START_TEST(test_link_every_link_reachable)
{
    int from_linktype[WST_LINK__COUNT] = {0}, from_dlt[WST_LINK__COUNT] = {0};
    for (size_t i = 0; i < sizeof linktype_cases / sizeof linktype_cases[0]; i++)
        from_linktype[wst_link_from_linktype(linktype_cases[i].linktype)]++;
    static const int dlts[] = {DLT_EN10MB, DLT_NULL, DLT_LOOP, DLT_RAW,
                               DLT_LINUX_SLL, DLT_LINUX_SLL2, DLT_IPV4, DLT_IPV6};
    for (size_t i = 0; i < sizeof dlts / sizeof dlts[0]; i++)
        from_dlt[wst_link_from_dlt(dlts[i])]++;
    ck_assert_int_eq(from_linktype[WST_LINK_UNSUPPORTED], 0);
    ck_assert_int_eq(from_dlt[WST_LINK_UNSUPPORTED], 0);
    for (int l = 1; l < WST_LINK__COUNT; l++) {
        ck_assert_msg(from_linktype[l] >= 1, "%s has no LINKTYPE_ value", wst_link_name((enum wst_link)l));
        ck_assert_msg(from_dlt[l] == 1, "%s has %d DLT_ values", wst_link_name((enum wst_link)l), from_dlt[l]);
    }
    /* RAW is reached from three file values: 101, 12 and 14. */
    ck_assert_int_eq(from_linktype[WST_LINK_RAW], 3);
}
END_TEST

Suite *link_suite(void)
{
    Suite *s = suite_create("link");

    TCase *tc = tcase_create("linktype");
    tcase_add_loop_test(tc, test_link_from_linktype_supported, 0,
                        (int)(sizeof linktype_cases / sizeof linktype_cases[0]));
    tcase_add_test(tc, test_link_from_linktype_unsupported);
    suite_add_tcase(s, tc);

    tc = tcase_create("dlt");
    tcase_add_test(tc, test_link_from_dlt_supported);
#if defined(__linux__)
    tcase_add_test(tc, test_link_from_dlt_linux_numbers);
    tcase_add_test(tc, test_link_from_dlt_file_only_values);
#endif
    tcase_add_test(tc, test_link_from_dlt_unsupported);
    tcase_add_test(tc, test_link_every_link_reachable);
    suite_add_tcase(s, tc);

    tc = tcase_create("names");
    tcase_add_test(tc, test_link_name_every_link);
    tcase_add_test(tc, test_link_name_out_of_range);
    tcase_add_test(tc, test_link_name_unique);
    suite_add_tcase(s, tc);
    return s;
}
