/*
 * test_options.c - the option table and the command-line parser built from it.
 *
 * Each test parses a NULL-terminated list of words. The words are copied
 * into a fresh argv, because getopt_long() permutes argv and wst_options
 * points into it; the copies live until the fixture's teardown.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "wirestate/options.h"

#define MAX_ARGS 32

static char *args[MAX_ARGS + 1];
static int nargs;
static struct wst_options opt;
static char errbuf[WST_ERRBUF_SIZE];

static void free_args(void)
{
    for (int i = 0; i < nargs; i++)
        free(args[i]);
    nargs = 0;
    args[0] = NULL;
}

static void setup(void)
{
    nargs = 0;
    memset(&opt, 0, sizeof opt);
    errbuf[0] = '\0';
}

static void teardown(void)
{
    wst_options_fini(&opt);
    free_args();
}

/* Parses "wirestate" followed by the words up to NULL; returns the result. */
static int parse(const char *word, ...)
{
    va_list ap;
    wst_options_fini(&opt);
    free_args();
    errbuf[0] = '\0';
    args[nargs++] = strdup("wirestate");
    va_start(ap, word);
    for (const char *w = word; w != NULL; w = va_arg(ap, const char *)) {
        ck_assert_int_lt(nargs, MAX_ARGS);
        args[nargs++] = strdup(w);
    }
    va_end(ap);
    args[nargs] = NULL;
    return wst_options_parse(&opt, nargs, args, errbuf);
}

/* Asserts a usage error whose one-line message contains `part`. */
#define ck_assert_usage(rc, part)                                             \
    do {                                                                      \
        ck_assert_int_eq((rc), WST_EUSAGE);                                   \
        ck_assert_msg(strstr(errbuf, (part)) != NULL, "message '%s' lacks '%s'", errbuf, (part)); \
        ck_assert_ptr_null(strchr(errbuf, '\n'));                             \
    } while (0)

/* ---- sources */

START_TEST(test_options_read_defaults)
{
    ck_assert_int_eq(parse("-r", "a.pcap", NULL), 0);
    ck_assert_uint_eq(opt.files.n, 1);
    ck_assert_str_eq(opt.files.v[0], "a.pcap");
    ck_assert_ptr_null(opt.interface);
    ck_assert_int_eq(opt.snaplen, 1024);
    ck_assert_uint_eq(opt.count, 0);
    ck_assert_ptr_null(opt.output);
    ck_assert_ptr_eq(opt.emitter, &wst_emitter_text);
    ck_assert(!opt.vlan_key);
    ck_assert(wst_port_set_has(&opt.server_ports, 8080));
    ck_assert(!wst_port_set_has(&opt.server_ports, 40000));
    ck_assert_ptr_null(opt.filter);
    ck_assert(!opt.help);
    ck_assert(!opt.version);
    ck_assert_str_eq(errbuf, "");
}
END_TEST

START_TEST(test_options_read_repeated_in_order)
{
    ck_assert_int_eq(parse("-r", "one.pcap", "--read", "two.pcapng", "-r", "-", "-rthree.pcap", NULL), 0);
    ck_assert_uint_eq(opt.files.n, 4);
    ck_assert_str_eq(opt.files.v[0], "one.pcap");
    ck_assert_str_eq(opt.files.v[1], "two.pcapng");
    ck_assert_str_eq(opt.files.v[2], "-");
    ck_assert_str_eq(opt.files.v[3], "three.pcap");
}
END_TEST

START_TEST(test_options_interface)
{
    ck_assert_int_eq(parse("-i", "eth0", NULL), 0);
    ck_assert_str_eq(opt.interface, "eth0");
    ck_assert_uint_eq(opt.files.n, 0);
    ck_assert_int_eq(parse("--interface=any", NULL), 0);
    ck_assert_str_eq(opt.interface, "any");
}
END_TEST

/* ---- numbers */

START_TEST(test_options_snaplen_bounds)
{
    ck_assert_int_eq(parse("-i", "lo", "-s", "64", NULL), 0);
    ck_assert_int_eq(opt.snaplen, 64);
    ck_assert_int_eq(parse("-i", "lo", "--snaplen", "262144", NULL), 0);
    ck_assert_int_eq(opt.snaplen, 262144);
    ck_assert_int_eq(parse("-i", "lo", "-s1500", NULL), 0);
    ck_assert_int_eq(opt.snaplen, 1500);
}
END_TEST

START_TEST(test_options_count)
{
    ck_assert_int_eq(parse("-r", "a", "-c", "1", NULL), 0);
    ck_assert_uint_eq(opt.count, 1);
    ck_assert_int_eq(parse("-r", "a", "--count", "18446744073709551615", NULL), 0);
    ck_assert_uint_eq(opt.count, UINT64_MAX);
}
END_TEST

/* ---- output */

START_TEST(test_options_output)
{
    ck_assert_int_eq(parse("-r", "a", "-o", "out.json", NULL), 0);
    ck_assert_str_eq(opt.output, "out.json");
    ck_assert_int_eq(parse("-r", "a", "--output", "-", NULL), 0);
    ck_assert_str_eq(opt.output, "-");
}
END_TEST

START_TEST(test_options_format)
{
    ck_assert_int_eq(parse("-r", "a", "--format", "json", NULL), 0);
    ck_assert_ptr_eq(opt.emitter, &wst_emitter_json);
    ck_assert_int_eq(parse("-r", "a", "--format=text", NULL), 0);
    ck_assert_ptr_eq(opt.emitter, &wst_emitter_text);
    /* The last --format wins. */
    ck_assert_int_eq(parse("-r", "a", "--format", "text", "--format", "json", NULL), 0);
    ck_assert_ptr_eq(opt.emitter, &wst_emitter_json);
}
END_TEST

START_TEST(test_options_format_unknown)
{
    ck_assert_usage(parse("-r", "a", "--format", "xml", NULL), "unknown format 'xml'");
    ck_assert_ptr_nonnull(strstr(errbuf, "text, json"));
    ck_assert_usage(parse("-r", "a", "--format", "JSON", NULL), "'JSON'");
    ck_assert_usage(parse("-r", "a", "--format=", NULL), "unknown format ''");
}
END_TEST

/* ---- tracking options */

START_TEST(test_options_vlan_key)
{
    ck_assert_int_eq(parse("-r", "a", "--vlan-key", NULL), 0);
    ck_assert(opt.vlan_key);
}
END_TEST

START_TEST(test_options_server_ports)
{
    ck_assert_int_eq(parse("-r", "a", "--server-ports", "9000-9001", NULL), 0);
    ck_assert(wst_port_set_has(&opt.server_ports, 9000));
    ck_assert(wst_port_set_has(&opt.server_ports, 9001));
    ck_assert(!wst_port_set_has(&opt.server_ports, 8080));
    ck_assert_int_eq(parse("-r", "a", "--server-ports=+9999", NULL), 0);
    ck_assert(wst_port_set_has(&opt.server_ports, 9999));
    ck_assert(wst_port_set_has(&opt.server_ports, 8080));
    /* Two options apply in order: replace, then add. */
    ck_assert_int_eq(parse("-r", "a", "--server-ports", "7000", "--server-ports", "+7001", NULL), 0);
    ck_assert(wst_port_set_has(&opt.server_ports, 7000));
    ck_assert(wst_port_set_has(&opt.server_ports, 7001));
    ck_assert(!wst_port_set_has(&opt.server_ports, 8080));
}
END_TEST

START_TEST(test_options_server_ports_bad)
{
    ck_assert_usage(parse("-r", "a", "--server-ports", "x", NULL), "bad port list 'x'");
    ck_assert_usage(parse("-r", "a", "--server-ports", "90-80", NULL), "'90-80'");
    ck_assert_usage(parse("-r", "a", "--server-ports", "80,", NULL), "'80,'");
}
END_TEST

/* ---- help and version */

START_TEST(test_options_help_short_circuits)
{
    ck_assert_int_eq(parse("--help", NULL), 0);
    ck_assert(opt.help);
    ck_assert_int_eq(parse("-h", NULL), 0);
    ck_assert(opt.help);
    /* Checks that come after --help are skipped: -r with -i, a bad format. */
    ck_assert_int_eq(parse("-r", "a", "-i", "lo", "--help", NULL), 0);
    ck_assert(opt.help);
    ck_assert_int_eq(parse("--help", "--format", "xml", NULL), 0);
    ck_assert(opt.help);
    ck_assert_str_eq(errbuf, "");
}
END_TEST

START_TEST(test_options_version_short_circuits)
{
    ck_assert_int_eq(parse("--version", NULL), 0);
    ck_assert(opt.version);
    ck_assert(!opt.help);
    ck_assert_int_eq(parse("-V", "-s", "1", NULL), 0);
    ck_assert(opt.version);
}
END_TEST

/* The usage text names every option. */
START_TEST(test_options_usage_text)
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(fp);
    wst_options_usage(fp);
    ck_assert_int_eq(fclose(fp), 0);
    static const char *const names[] = {"--read", "--interface", "--snaplen", "--count", "--output",
                                        "--format", "--vlan-key", "--server-ports", "--help",
                                        "--version", "usage: wirestate"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        ck_assert_msg(strstr(text, names[i]) != NULL, "usage lacks %s", names[i]);
    free(text);
}
END_TEST

/* ---- filter expression */

START_TEST(test_options_filter_joined)
{
    ck_assert_int_eq(parse("-r", "a", "tcp", "port", "80", NULL), 0);
    ck_assert_str_eq(opt.filter, "tcp port 80");
    ck_assert_int_eq(parse("-r", "a", "tcp", NULL), 0);
    ck_assert_str_eq(opt.filter, "tcp");
    /* Words that hold spaces are kept as they are. */
    ck_assert_int_eq(parse("-r", "a", "tcp and", "port 80", NULL), 0);
    ck_assert_str_eq(opt.filter, "tcp and port 80");
}
END_TEST

/* getopt permutes: options after the expression still count. */
START_TEST(test_options_filter_between_options)
{
    ck_assert_int_eq(parse("tcp", "port", "80", "-r", "a.pcap", "-c", "5", NULL), 0);
    ck_assert_str_eq(opt.filter, "tcp port 80");
    ck_assert_uint_eq(opt.files.n, 1);
    ck_assert_str_eq(opt.files.v[0], "a.pcap");
    ck_assert_uint_eq(opt.count, 5);
    ck_assert_int_eq(parse("-r", "a", "host", "-c", "2", "10.0.0.1", NULL), 0);
    ck_assert_str_eq(opt.filter, "host 10.0.0.1");
    ck_assert_uint_eq(opt.count, 2);
}
END_TEST

/* After "--" every word is filter text, even one that looks like an option. */
START_TEST(test_options_filter_after_double_dash)
{
    ck_assert_int_eq(parse("-r", "a", "--", "-c", "tcp", NULL), 0);
    ck_assert_str_eq(opt.filter, "-c tcp");
    ck_assert_uint_eq(opt.count, 0);
    ck_assert_int_eq(parse("-r", "a", "--", NULL), 0);
    ck_assert_ptr_null(opt.filter);
}
END_TEST

/* The parser resets getopt itself: a second parse starts afresh. */
START_TEST(test_options_parse_twice)
{
    ck_assert_usage(parse("-r", "a", "-x", NULL), "'-x'");
    ck_assert_int_eq(parse("-r", "b", "port", "443", NULL), 0);
    ck_assert_uint_eq(opt.files.n, 1);
    ck_assert_str_eq(opt.files.v[0], "b");
    ck_assert_str_eq(opt.filter, "port 443");
    ck_assert_int_eq(parse("-i", "lo", NULL), 0);
    ck_assert_uint_eq(opt.files.n, 0);
    ck_assert_ptr_null(opt.filter);
}
END_TEST

/* ---- usage errors */

START_TEST(test_options_error_nothing_to_read)
{
    ck_assert_usage(parse(NULL), "nothing to read");
    ck_assert_usage(parse("tcp", "port", "80", NULL), "nothing to read");
    ck_assert_usage(parse("--format", "json", NULL), "nothing to read");
}
END_TEST

START_TEST(test_options_error_read_and_interface)
{
    ck_assert_usage(parse("-r", "a", "-i", "eth0", NULL), "-r and -i cannot be combined");
}
END_TEST

START_TEST(test_options_error_stdin_twice)
{
    ck_assert_usage(parse("-r", "-", "-r", "a", "-r", "-", NULL), "only once");
    /* Once is fine. */
    ck_assert_int_eq(parse("-r", "-", "-r", "a", NULL), 0);
}
END_TEST

START_TEST(test_options_error_unknown_option)
{
    ck_assert_usage(parse("-r", "a", "-x", NULL), "unknown option '-x'");
    ck_assert_usage(parse("-r", "a", "--bogus", NULL), "unknown option '--bogus'");
    ck_assert_usage(parse("--vlan-key=1", "-r", "a", NULL), "--vlan-key=1");
    /* Inside a bundle the bad letter is named, not a neighbouring word. */
    ck_assert_usage(parse("-xr", "a", NULL), "unknown option '-x'");
    ck_assert_usage(parse("-r", "a", "-vx", NULL), "unknown option '-v'");
}
END_TEST

START_TEST(test_options_error_missing_argument)
{
    ck_assert_usage(parse("-r", NULL), "option '-r' needs an argument");
    ck_assert_usage(parse("-i", "lo", "-s", NULL), "'-s'");
    ck_assert_usage(parse("-r", "a", "-c", NULL), "'-c'");
    ck_assert_usage(parse("-r", "a", "-o", NULL), "'-o'");
    ck_assert_usage(parse("-r", "a", "--format", NULL), "option '--format' needs an argument");
    ck_assert_usage(parse("-r", "a", "--server-ports", NULL), "'--server-ports'");
}
END_TEST

START_TEST(test_options_error_bad_snaplen)
{
    static const char *const bad[] = {"63", "0", "262145", "-1", "", "abc", "1500x", " 1500", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "bad snapshot length '%s'", bad[i]);
        ck_assert_usage(parse("-i", "lo", "-s", bad[i], NULL), want);
    }
}
END_TEST

/* Thresholds in seconds with up to three decimals, kept in ms. */
START_TEST(test_options_thresholds)
{
    ck_assert_int_eq(parse("-r", "a", NULL), 0);
    ck_assert_uint_eq(opt.syn_timeout_ms, 3000);
    ck_assert_uint_eq(opt.linger_ms, 5000);
    ck_assert(!opt.anomalies_only);
    ck_assert_int_eq(parse("-r", "a", "--syn-timeout", "0.5", "--linger", "12.25", "--anomalies-only", NULL), 0);
    ck_assert_uint_eq(opt.syn_timeout_ms, 500);
    ck_assert_uint_eq(opt.linger_ms, 12250);
    ck_assert(opt.anomalies_only);
    ck_assert_int_eq(parse("-r", "a", "--syn-timeout", "0.001", "--linger", "86400", NULL), 0);
    ck_assert_uint_eq(opt.syn_timeout_ms, 1);
    ck_assert_uint_eq(opt.linger_ms, 86400000);
}
END_TEST

START_TEST(test_options_error_bad_thresholds)
{
    static const char *const bad[] = {"0", "0.0", "0.0001", "-1", "", "1.", ".5", "3s", "86400.001", "1e3",
                                      "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "bad SYN timeout '%s'", bad[i]);
        ck_assert_usage(parse("-r", "a", "--syn-timeout", bad[i], NULL), want);
        snprintf(want, sizeof want, "bad linger time '%s'", bad[i]);
        ck_assert_usage(parse("-r", "a", "--linger", bad[i], NULL), want);
    }
}
END_TEST

/* The findings' thresholds: counts, and a port range "LO-HI". */
START_TEST(test_options_findings_thresholds)
{
    ck_assert_int_eq(parse("-r", "a", NULL), 0);
    ck_assert_uint_eq(opt.group_min, 5);
    ck_assert_uint_eq(opt.flood_min, 100);
    ck_assert_uint_eq(opt.ephemeral_ports.lo, 32768);
    ck_assert_uint_eq(opt.ephemeral_ports.hi, 60999);
    ck_assert_int_eq(parse("-r", "a", "--group-min", "1", "--flood-min", "2500", "--ephemeral-ports", "1024-65535",
                           NULL),
                     0);
    ck_assert_uint_eq(opt.group_min, 1);
    ck_assert_uint_eq(opt.flood_min, 2500);
    ck_assert_uint_eq(opt.ephemeral_ports.lo, 1024);
    ck_assert_uint_eq(opt.ephemeral_ports.hi, 65535);
    ck_assert_int_eq(parse("-r", "a", "--ephemeral-ports", "40000-40000", NULL), 0);
    ck_assert_uint_eq(opt.ephemeral_ports.lo, 40000);
    ck_assert_uint_eq(opt.ephemeral_ports.hi, 40000);
}
END_TEST

START_TEST(test_options_error_bad_findings_thresholds)
{
    static const char *const counts[] = {"0", "-1", "", "ten", "1000000001", "5k"};
    static const char *const ranges[] = {"", "-", "1000", "0-10", "10-0", "60999-32768", "1-65536", "a-b",
                                         "32768-", "-60999", "1234567-2", "1-2-3"};
    char want[80];
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        snprintf(want, sizeof want, "bad group minimum '%s'", counts[i]);
        ck_assert_usage(parse("-r", "a", "--group-min", counts[i], NULL), want);
        snprintf(want, sizeof want, "bad flood minimum '%s'", counts[i]);
        ck_assert_usage(parse("-r", "a", "--flood-min", counts[i], NULL), want);
    }
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        snprintf(want, sizeof want, "bad ephemeral port range '%s'", ranges[i]);
        ck_assert_usage(parse("-r", "a", "--ephemeral-ports", ranges[i], NULL), want);
    }
}
END_TEST

START_TEST(test_options_error_bad_count)
{
    static const char *const bad[] = {"0", "-1", "", "ten", "5k", "+5", "18446744073709551616"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char want[64];
        snprintf(want, sizeof want, "bad packet count '%s'", bad[i]);
        ck_assert_usage(parse("-r", "a", "-c", bad[i], NULL), want);
    }
}
END_TEST

Suite *options_suite(void)
{
    Suite *s = suite_create("options");

    TCase *tc = tcase_create("sources");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_options_read_defaults);
    tcase_add_test(tc, test_options_read_repeated_in_order);
    tcase_add_test(tc, test_options_interface);
    suite_add_tcase(s, tc);

    tc = tcase_create("options");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_options_snaplen_bounds);
    tcase_add_test(tc, test_options_count);
    tcase_add_test(tc, test_options_output);
    tcase_add_test(tc, test_options_format);
    tcase_add_test(tc, test_options_format_unknown);
    tcase_add_test(tc, test_options_vlan_key);
    tcase_add_test(tc, test_options_server_ports);
    tcase_add_test(tc, test_options_server_ports_bad);
    suite_add_tcase(s, tc);

    tc = tcase_create("help_version");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_options_help_short_circuits);
    tcase_add_test(tc, test_options_version_short_circuits);
    tcase_add_test(tc, test_options_usage_text);
    suite_add_tcase(s, tc);

    tc = tcase_create("filter_expression");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_options_filter_joined);
    tcase_add_test(tc, test_options_filter_between_options);
    tcase_add_test(tc, test_options_filter_after_double_dash);
    tcase_add_test(tc, test_options_parse_twice);
    suite_add_tcase(s, tc);

    tc = tcase_create("usage_errors");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_options_error_nothing_to_read);
    tcase_add_test(tc, test_options_error_read_and_interface);
    tcase_add_test(tc, test_options_error_stdin_twice);
    tcase_add_test(tc, test_options_error_unknown_option);
    tcase_add_test(tc, test_options_error_missing_argument);
    tcase_add_test(tc, test_options_error_bad_snaplen);
    tcase_add_test(tc, test_options_error_bad_count);
    tcase_add_test(tc, test_options_thresholds);
    tcase_add_test(tc, test_options_error_bad_thresholds);
    tcase_add_test(tc, test_options_findings_thresholds);
    tcase_add_test(tc, test_options_error_bad_findings_thresholds);
    suite_add_tcase(s, tc);
    return s;
}
