/*
 * test_options.c - the option table and the command-line parser built from it.
 *
 * Each test parses a NULL-terminated list of words. The words are copied
 * into a fresh argv, because getopt_long() permutes argv and wst_options
 * points into it; the copies live until the fixture's teardown.
 */
#include <ctype.h>
#include <inttypes.h>
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

/* The same with the words of an array. */
static int parse_words(const char *const *words, size_t n)
{
    wst_options_fini(&opt);
    free_args();
    errbuf[0] = '\0';
    args[nargs++] = strdup("wirestate");
    for (size_t i = 0; i < n; i++) {
        ck_assert_int_lt(nargs, MAX_ARGS);
        args[nargs++] = strdup(words[i]);
    }
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
    ck_assert_uint_eq(opt.buffer_kib, 32768);
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

/* tcpdump's -B, in KiB; the default is the row's, 32 MiB. */
START_TEST(test_options_buffer_size)
{
    ck_assert_int_eq(parse("-i", "lo", "-B", "4096", NULL), 0);
    ck_assert_uint_eq(opt.buffer_kib, 4096);
    ck_assert_int_eq(parse("-i", "lo", "--buffer-size=2097151", NULL), 0);
    ck_assert_uint_eq(opt.buffer_kib, 2097151);
    ck_assert_int_eq(parse("-i", "lo", "-B64", NULL), 0);
    ck_assert_uint_eq(opt.buffer_kib, 64);
    ck_assert_usage(parse("-i", "lo", "-B", "2097152", NULL), "bad capture buffer size '2097152'");
    ck_assert_usage(parse("-i", "lo", "-B", "1M", NULL), "bad capture buffer size '1M'");
    ck_assert_usage(parse("-i", "lo", "-B", "0", NULL), "bad capture buffer size '0'");
}
END_TEST

/* tcpdump's -s 0: the largest snap length, 262144 (libpcap's MAXIMUM_SNAPLEN). */
START_TEST(test_options_snaplen_zero_is_largest)
{
    ck_assert_int_eq(parse("-i", "lo", "-s", "0", NULL), 0);
    ck_assert_int_eq(opt.snaplen, 262144);
    ck_assert_int_eq(parse("-i", "lo", "-s0", NULL), 0);
    ck_assert_int_eq(opt.snaplen, 262144);
    ck_assert_int_eq(parse("-i", "lo", "--snaplen=0", NULL), 0);
    ck_assert_int_eq(opt.snaplen, 262144);
    /* Only 0 itself: what lies between it and the lower bound is still refused. */
    ck_assert_usage(parse("-i", "lo", "-s", "1", NULL), "bad snapshot length '1': expected 64 to 262144, or 0 for 262144");
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

/* tcpdump's -n and -nn (getopt sees -n twice), alone or bundled, change nothing else. */
START_TEST(test_options_numeric_accepted)
{
    static struct wst_options plain;
    wst_options_defaults(&plain);
    static const char *const lines[][5] = {
        {"-n", "-r", "a", "port", "80"},
        {"-nn", "-r", "a", "port", "80"},
        {"-n", "-n", "-r", "a", "port 80"},
        {"-nnr", "a", "port", "80", NULL},
        {"-r", "a", "--numeric", "port", "80"},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        size_t n = lines[i][4] ? 5 : 4;
        ck_assert_msg(parse_words(lines[i], n) == 0, "line %zu: %s", i, errbuf);
        ck_assert(opt.numeric);
        ck_assert_uint_eq(opt.files.n, 1);
        ck_assert_str_eq(opt.files.v[0], "a");
        ck_assert_str_eq(opt.filter, "port 80");
        ck_assert_int_eq(opt.snaplen, plain.snaplen);
        ck_assert_ptr_eq(opt.emitter, plain.emitter);
        ck_assert_uint_eq(opt.count, plain.count);
        ck_assert_ptr_null(opt.output);
    }
    ck_assert_usage(parse("-n", "x", NULL), "nothing to read");
}
END_TEST

/* -Z takes a user of this system, checked at once, so a typo never opens a capture. */
START_TEST(test_options_user)
{
    ck_assert_int_eq(parse("-i", "lo", NULL), 0);
    ck_assert_ptr_null(opt.user);
    ck_assert_int_eq(parse("-i", "lo", "-Z", "root", NULL), 0);
    ck_assert_str_eq(opt.user, "root");
    ck_assert_int_eq(parse("-r", "a", "--relinquish-privileges=root", NULL), 0);
    ck_assert_str_eq(opt.user, "root");
    ck_assert_int_eq(parse("-Zroot", "-i", "lo", NULL), 0);
    ck_assert_str_eq(opt.user, "root");
    ck_assert_int_eq(parse("-i", "lo", "-Z", "wst-no-such-user", NULL), WST_EUSAGE);
    ck_assert_str_eq(errbuf, "unknown user 'wst-no-such-user': expected the name of a user of this system");
    ck_assert_usage(parse("-i", "lo", "-Z", "", NULL), "unknown user ''");
    ck_assert_usage(parse("-i", "lo", "-Z", NULL), "option '-Z' needs an argument");
}
END_TEST

/* ---- output */

/* -w: the packets to a file, or to standard output when the records go elsewhere. */
START_TEST(test_options_write)
{
    ck_assert_int_eq(parse("-r", "a", NULL), 0);
    ck_assert_ptr_null(opt.write);
    ck_assert_int_eq(parse("-i", "lo", "-w", "out.pcap", NULL), 0);
    ck_assert_str_eq(opt.write, "out.pcap");
    ck_assert_int_eq(parse("-r", "a", "--write=b.pcap", "-o", "-", NULL), 0);
    ck_assert_str_eq(opt.write, "b.pcap");
    ck_assert_int_eq(parse("-r", "a", "-w", "-", "-o", "records.json", NULL), 0);
    ck_assert_str_eq(opt.write, "-");
    ck_assert_int_eq(parse("-r", "-", "-w", "-", "-o", "records.json", NULL), 0);
}
END_TEST

START_TEST(test_options_error_write)
{
    ck_assert_int_eq(parse("-i", "lo", "-w", "-", NULL), WST_EUSAGE);
    ck_assert_str_eq(errbuf, "-w - and the records cannot both go to standard output: give the records a file with -o");
    ck_assert_usage(parse("-i", "lo", "-w", "-", "-o", "-", NULL), "cannot both go to standard output");
    ck_assert_int_eq(parse("-i", "lo", "-o", "x", "-w", "x", NULL), WST_EUSAGE);
    ck_assert_str_eq(errbuf, "-w and -o name the same file 'x'");
    ck_assert_int_eq(parse("-r", "one", "-r", "two", "-w", "two", NULL), WST_EUSAGE);
    ck_assert_str_eq(errbuf, "-w would overwrite 'two', which -r reads");
    ck_assert_usage(parse("-r", "a", "-w", NULL), "option '-w' needs an argument");
}
END_TEST

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
    static const char *const bad[] = {"63", "1", "262145", "-1", "", "abc", "1500x", " 1500", "99999999999999999999"};
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

/* ---- the table itself */

static const struct wst_option *rows(size_t *n)
{
    const struct wst_option *t = wst_options_rows(n);
    ck_assert_ptr_nonnull(t);
    ck_assert_uint_gt(*n, 0);
    return t;
}

/* The field a row sets, in *o. */
static void *field_of(struct wst_options *o, const struct wst_option *row)
{
    return (char *)o + row->offset;
}

/* A UINT or MS row's value in *o. */
static uint64_t number_of(struct wst_options *o, const struct wst_option *row)
{
    if (row->size == sizeof(uint64_t))
        return *(uint64_t *)field_of(o, row);
    return *(uint32_t *)field_of(o, row);
}

/* The size a field of the row's type must have. */
static size_t size_of_type(const struct wst_option *row)
{
    switch (row->type) {
    case WST_ARG_FLAG: return sizeof(bool);
    case WST_ARG_UINT: /* either width, but a bound past 32 bits needs 64 */
        return row->max > UINT32_MAX || row->size == sizeof(uint64_t) ? sizeof(uint64_t) : sizeof(uint32_t);
    case WST_ARG_MS: return sizeof(uint32_t);
    case WST_ARG_PORT_RANGE: return sizeof(struct wst_port_range);
    case WST_ARG_PORT_LIST: return sizeof(struct wst_port_set);
    case WST_ARG_FORMAT: return sizeof(const struct wst_emitter *);
    case WST_ARG_STRING: return sizeof(const char *);
    case WST_ARG_USER: return sizeof(const char *);
    case WST_ARG_STRINGS: return sizeof(struct wst_strings);
    default: return 0;
    }
}

/* Every row is complete and consistent with its type. */
START_TEST(test_options_rows_complete)
{
    size_t n;
    const struct wst_option *t = rows(&n);
    for (size_t i = 0; i < n; i++) {
        const struct wst_option *r = &t[i];
        ck_assert_ptr_nonnull(r->name);
        ck_assert_msg(r->name[0] != '\0' && strspn(r->name, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(r->name),
                      "row %zu: bad long name '%s'", i, r->name);
        ck_assert_msg(r->type > WST_ARG_UNSET && r->type < WST_ARG__COUNT, "--%s: no type", r->name);
        ck_assert_msg(r->help != NULL && r->help[0] != '\0', "--%s: no help line", r->name);
        ck_assert_msg(strchr(r->help, '\n') == NULL && r->help[strlen(r->help) - 1] != '.',
                      "--%s: help is one line without a final period", r->name);
        size_t quotes = 0;
        for (const char *q = r->help; *q; q++)
            quotes += *q == '`';
        ck_assert_msg(quotes % 2 == 0, "--%s: an unclosed ` in its help", r->name);
        ck_assert_msg(r->noun != NULL && r->noun[0] != '\0', "--%s: no noun for its messages", r->name);
        ck_assert_msg((r->metavar == NULL) == (r->type == WST_ARG_FLAG), "--%s: a metavar iff an argument",
                      r->name);
        ck_assert_msg(r->short_name == 0 || (r->short_name > 0 && isalnum((unsigned char)r->short_name)),
                      "--%s: short name not alphanumeric", r->name);
        ck_assert_msg(r->size == size_of_type(r), "--%s: field of %zu bytes for its type", r->name, r->size);
        ck_assert_uint_le(r->offset + r->size, sizeof(struct wst_options));
        ck_assert_msg(r->zero_word == NULL || r->type == WST_ARG_UINT, "--%s: a zero word on a non-number",
                      r->name);
        ck_assert_msg(!(r->flags & WST_OPTF_STOP) || r->type == WST_ARG_FLAG, "--%s: only flags stop", r->name);
        ck_assert_msg(!(r->flags & WST_OPTF_ZERO_IS_MAX) ||
                          (r->type == WST_ARG_UINT && r->min > 0 && r->zero_word == NULL && r->max < UINT64_MAX),
                      "--%s: 0 for the max only on a number that does not take 0 itself", r->name);
        bool numeric = r->type == WST_ARG_UINT || r->type == WST_ARG_MS || r->type == WST_ARG_PORT_RANGE;
        ck_assert_msg(numeric || (r->min == 0 && r->max == 0), "--%s: bounds on a non-number", r->name);
        ck_assert_msg(!numeric || r->min <= r->max, "--%s: min > max", r->name);
        ck_assert_msg(r->def == NULL || (r->type != WST_ARG_FLAG && r->type != WST_ARG_STRING &&
                                         r->type != WST_ARG_STRINGS && r->type != WST_ARG_USER),
                      "--%s: a default on an option without a value to default", r->name);
    }
}
END_TEST

/* No two rows share a long name, a short letter or a field. */
START_TEST(test_options_rows_unique)
{
    size_t n;
    const struct wst_option *t = rows(&n);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = i + 1; j < n; j++) {
            ck_assert_msg(strcmp(t[i].name, t[j].name) != 0, "--%s twice", t[i].name);
            ck_assert_msg(t[i].short_name == 0 || t[i].short_name != t[j].short_name, "-%c on --%s and --%s",
                          t[i].short_name, t[i].name, t[j].name);
            ck_assert_msg(t[i].offset + t[i].size <= t[j].offset || t[j].offset + t[j].size <= t[i].offset,
                          "--%s and --%s set the same field", t[i].name, t[j].name);
        }
    }
}
END_TEST

/* Every default is within its row's bounds, as wst_options_defaults() sets it. */
START_TEST(test_options_defaults_in_bounds)
{
    size_t n;
    const struct wst_option *t = rows(&n);
    static struct wst_options d;
    wst_options_defaults(&d);
    for (size_t i = 0; i < n; i++) {
        const struct wst_option *r = &t[i];
        if (r->type == WST_ARG_UINT || r->type == WST_ARG_MS) {
            uint64_t v = number_of(&d, r);
            if (r->def == NULL) {
                ck_assert_msg(v == 0, "--%s: no default text, yet %" PRIu64, r->name, v);
                continue;
            }
            bool zero_word = r->zero_word && strcmp(r->def, r->zero_word) == 0 && v == 0;
            ck_assert_msg(zero_word || (v >= r->min && v <= r->max),
                          "--%s: default %" PRIu64 " outside %" PRIu64 "..%" PRIu64, r->name, v, r->min, r->max);
        } else if (r->type == WST_ARG_PORT_RANGE) {
            const struct wst_port_range *pr = field_of(&d, r);
            ck_assert_ptr_nonnull(r->def);
            ck_assert_msg(pr->lo >= r->min && pr->lo <= pr->hi && pr->hi <= r->max, "--%s: default %u-%u",
                          r->name, pr->lo, pr->hi);
        }
    }
}
END_TEST

/* Writes ms as the seconds a user would type: "0.001", "86400". */
static void seconds_text(char *buf, size_t size, uint64_t ms)
{
    if (ms % 1000)
        snprintf(buf, size, "%" PRIu64 ".%03" PRIu64, ms / 1000, ms % 1000);
    else
        snprintf(buf, size, "%" PRIu64, ms / 1000);
}

/* An argument the row accepts that is not its default, or NULL if it has none. */
static const char *other_value(const struct wst_option *r, char *buf, size_t size)
{
    switch (r->type) {
    case WST_ARG_UINT: /* the lower bound, or the upper one when that is the default */
        snprintf(buf, size, "%" PRIu64, r->min);
        if (strcmp(buf, r->def) == 0)
            snprintf(buf, size, "%" PRIu64, r->max);
        return buf;
    case WST_ARG_MS:
        seconds_text(buf, size, r->max);
        return buf;
    case WST_ARG_PORT_RANGE:
        snprintf(buf, size, "%" PRIu64 "-%" PRIu64, r->min, r->max);
        return buf;
    case WST_ARG_FORMAT: {
        /* The first name in the list that is not the default. */
        const char *names = wst_emit_names();
        for (const char *p = names; *p; p += strspn(p, ", ")) {
            size_t len = strcspn(p, ", ");
            if (len != strlen(r->def) || strncmp(p, r->def, len) != 0) {
                snprintf(buf, size, "%.*s", (int)len, p);
                return buf;
            }
            p += len;
        }
        return NULL;
    }
    case WST_ARG_PORT_LIST:
        snprintf(buf, size, "%s", "1");
        return buf;
    default:
        return NULL;
    }
}

/*
 * Every long option given its default's text, after another value, ends
 * with the field wst_options_defaults() sets; "--name=text" too.
 */
START_TEST(test_options_defaults_parse_back)
{
    size_t n;
    const struct wst_option *t = rows(&n);
    static struct wst_options d;
    wst_options_defaults(&d);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        const struct wst_option *r = &t[i];
        if (r->def == NULL)
            continue;
        char name[64], other[64], joined[96];
        snprintf(name, sizeof name, "--%s", r->name);
        const char *alt = other_value(r, other, sizeof other);
        ck_assert_msg(alt != NULL, "--%s: no value other than the default to test with", r->name);
        /* The other value changes the field, so the test below is not vacuous. */
        const char *w1[] = {"-r", "a", name, alt};
        ck_assert_msg(parse_words(w1, 4) == 0, "--%s %s: %s", r->name, alt, errbuf);
        ck_assert_msg(memcmp(field_of(&opt, r), field_of(&d, r), r->size) != 0, "--%s %s is the default",
                      r->name, alt);
        const char *w2[] = {"-r", "a", name, alt, name, r->def};
        ck_assert_msg(parse_words(w2, 6) == 0, "--%s %s: %s", r->name, r->def, errbuf);
        ck_assert_msg(memcmp(field_of(&opt, r), field_of(&d, r), r->size) == 0,
                      "--%s %s does not give the default", r->name, r->def);
        snprintf(joined, sizeof joined, "--%s=%s", r->name, r->def);
        const char *w3[] = {"-r", "a", name, alt, joined};
        ck_assert_msg(parse_words(w3, 5) == 0, "%s: %s", joined, errbuf);
        ck_assert_msg(memcmp(field_of(&opt, r), field_of(&d, r), r->size) == 0, "%s is not the default", joined);
        checked++;
    }
    ck_assert_uint_ge(checked, 10);
}
END_TEST

/* Asserts that `--name arg` is refused with the row's own message. */
static void expect_refused(const struct wst_option *r, const char *arg)
{
    char name[64], want[WST_ERRBUF_SIZE], accepts[128];
    snprintf(name, sizeof name, "--%s", r->name);
    const char *w[] = {"-r", "a", name, arg};
    ck_assert_msg(parse_words(w, 4) == WST_EUSAGE, "--%s %s accepted", r->name, arg);
    wst_options_expected(r, accepts, sizeof accepts);
    snprintf(want, sizeof want, "bad %s '%s': expected %s", r->noun, arg, accepts);
    ck_assert_str_eq(errbuf, want);
}

/* Asserts that `--name arg` is accepted. */
static void expect_accepted(const struct wst_option *r, const char *arg)
{
    char name[64];
    snprintf(name, sizeof name, "--%s", r->name);
    const char *w[] = {"-r", "a", name, arg};
    ck_assert_msg(parse_words(w, 4) == 0, "--%s %s refused: %s", r->name, arg, errbuf);
}

/* Each numeric row takes its bounds and refuses one past them, at both ends. */
START_TEST(test_options_bounds_both_ends)
{
    size_t n;
    const struct wst_option *t = rows(&n);
    size_t checked = 0;
    for (size_t i = 0; i < n; i++) {
        const struct wst_option *r = &t[i];
        char lo[48], hi[48];
        switch (r->type) {
        case WST_ARG_UINT:
            snprintf(lo, sizeof lo, "%" PRIu64, r->min);
            expect_accepted(r, lo);
            ck_assert_uint_eq(number_of(&opt, r), r->min);
            snprintf(hi, sizeof hi, "%" PRIu64, r->max);
            expect_accepted(r, hi);
            ck_assert_uint_eq(number_of(&opt, r), r->max);
            if (r->min > 0) {
                snprintf(lo, sizeof lo, "%" PRIu64, r->min - 1);
                expect_refused(r, lo);
            }
            if (r->max < UINT64_MAX)
                snprintf(hi, sizeof hi, "%" PRIu64, r->max + 1);
            else
                snprintf(hi, sizeof hi, "18446744073709551616");
            expect_refused(r, hi);
            break;
        case WST_ARG_MS:
            seconds_text(lo, sizeof lo, r->min);
            expect_accepted(r, lo);
            ck_assert_uint_eq(number_of(&opt, r), r->min);
            seconds_text(hi, sizeof hi, r->max);
            expect_accepted(r, hi);
            ck_assert_uint_eq(number_of(&opt, r), r->max);
            if (r->min > 0) {
                seconds_text(lo, sizeof lo, r->min - 1);
                expect_refused(r, lo);
            }
            seconds_text(hi, sizeof hi, r->max + 1);
            expect_refused(r, hi);
            break;
        case WST_ARG_PORT_RANGE: {
            snprintf(lo, sizeof lo, "%" PRIu64 "-%" PRIu64, r->min, r->min);
            expect_accepted(r, lo);
            const struct wst_port_range *pr = field_of(&opt, r);
            ck_assert_uint_eq(pr->lo, r->min);
            ck_assert_uint_eq(pr->hi, r->min);
            snprintf(hi, sizeof hi, "%" PRIu64 "-%" PRIu64, r->max, r->max);
            expect_accepted(r, hi);
            ck_assert_uint_eq(pr->lo, r->max);
            ck_assert_uint_eq(pr->hi, r->max);
            snprintf(lo, sizeof lo, "%" PRIu64 "-%" PRIu64, r->min - 1, r->max);
            expect_refused(r, lo);
            snprintf(hi, sizeof hi, "%" PRIu64 "-%" PRIu64, r->min, r->max + 1);
            expect_refused(r, hi);
            break;
        }
        default:
            continue;
        }
        checked++;
    }
    ck_assert_uint_ge(checked, 9);
}
END_TEST

/* The messages users see, byte for byte (tests/cli_errors.sh relies on them). */
START_TEST(test_options_messages_unchanged)
{
    static const struct {
        const char *opt, *arg, *message;
    } cases[] = {
        {"-s", "63", "bad snapshot length '63': expected 64 to 262144, or 0 for 262144"},
        {"-c", "0", "bad packet count '0': expected a positive number"},
        {"-B", "63", "bad capture buffer size '63': expected 64 to 2097151 KiB"},
        {"--format", "xml", "unknown format 'xml': expected one of text, json"},
        {"--msl", "0", "bad MSL '0': expected 1 to 86400 seconds"},
        {"--idle-timeout", "x", "bad idle timeout 'x': expected 0 to 31536000 seconds"},
        {"--timeline", "1", "bad timeline '1': expected none or 2 to 1000000 events"},
        {"--syn-timeout", "0", "bad SYN timeout '0': expected 0.001 to 86400 seconds (at most 3 decimals)"},
        {"--linger", "1.0001", "bad linger time '1.0001': expected 0.001 to 86400 seconds (at most 3 decimals)"},
        {"--group-min", "0", "bad group minimum '0': expected 1 to 1000000000 connections"},
        {"--flood-min", "0", "bad flood minimum '0': expected 1 to 1000000000 connections"},
        {"--ephemeral-ports", "2-1",
         "bad ephemeral port range '2-1': expected LO-HI with 1 <= LO <= HI <= 65535"},
        {"--server-ports", "x", "bad port list 'x': expected PORT or LOW-HIGH (0-65535)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *w[] = {"-r", "a", cases[i].opt, cases[i].arg};
        ck_assert_int_eq(parse_words(w, 4), WST_EUSAGE);
        ck_assert_str_eq(errbuf, cases[i].message);
    }
}
END_TEST

/* Reads fp's text written by fn into a string the caller frees. */
static char *capture_text(void (*fn)(FILE *))
{
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    ck_assert_ptr_nonnull(fp);
    fn(fp);
    ck_assert_int_eq(fclose(fp), 0);
    return text;
}

/* Collapses every run of spaces and newlines into one space, in place. */
static void collapse_spaces(char *s)
{
    char *out = s;
    for (const char *p = s; *p; p++) {
        bool space = *p == ' ' || *p == '\n';
        if (space && out > s && out[-1] == ' ')
            continue;
        *out++ = space ? ' ' : *p;
    }
    *out = '\0';
}

/* --help lists every row: its names and metavar, its whole help text, its default. */
START_TEST(test_options_usage_every_row)
{
    size_t n;
    const struct wst_option *t = rows(&n);
    char *text = capture_text(wst_options_usage);
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        ck_assert_msg(len <= 79, "a help line of %zu characters: %.*s", len, (int)len, line);
        line += len + (line[len] == '\n');
    }
    collapse_spaces(text);
    for (size_t i = 0; i < n; i++) {
        const struct wst_option *r = &t[i];
        char want[256];
        if (r->short_name)
            snprintf(want, sizeof want, " -%c, --%s%s%s ", r->short_name, r->name, r->metavar ? " " : "",
                     r->metavar ? r->metavar : "");
        else
            snprintf(want, sizeof want, " --%s%s%s ", r->name, r->metavar ? " " : "", r->metavar ? r->metavar : "");
        const char *at = strstr(text, want);
        ck_assert_msg(at != NULL, "--help lacks '%s'", want);
        /* The help text follows, `code` in quotes, then the default. */
        char help[512];
        snprintf(help, sizeof help, "%s", r->help);
        for (char *q = help; (q = strchr(q, '`')) != NULL;)
            *q = '\'';
        size_t hlen = strlen(help);
        bool closes = hlen > 0 && help[hlen - 1] == ')';
        ck_assert_msg(strncmp(at + strlen(want), help, closes && r->def ? hlen - 1 : hlen) == 0,
                      "--%s: its help text does not follow its names", r->name);
        if (r->def) {
            /* In this row's entry, before the next one's names. */
            const char *next = strstr(at + strlen(want), " --");
            snprintf(want, sizeof want, "default %s)", r->def);
            const char *def = strstr(at, want);
            ck_assert_msg(def != NULL && (next == NULL || def < next), "--%s: --help lacks '%s'", r->name, want);
        }
    }
    ck_assert_ptr_nonnull(strstr(text, "usage: wirestate"));
    free(text);
}
END_TEST

/* The Markdown table has one line per row, each with its names, help, accepted values and default. */
START_TEST(test_options_markdown_every_row)
{
    size_t n;
    const struct wst_option *t = rows(&n);
    char *text = capture_text(wst_options_markdown);
    size_t lines = 0;
    for (const char *p = text; *p; p++)
        lines += *p == '\n';
    ck_assert_uint_eq(lines, 2 + n + 1); /* header, rule, the rows, the filter expression */
    for (size_t i = 0; i < n; i++) {
        const struct wst_option *r = &t[i];
        char names[128], accepts[128], want[1024], meta[64] = "";
        if (r->metavar) {
            /* A '|' in a metavar is escaped in a table cell. */
            char *m = meta;
            *m++ = ' ';
            for (const char *q = r->metavar; *q && m < meta + sizeof meta - 3; q++) {
                if (*q == '|')
                    *m++ = '\\';
                *m++ = *q;
            }
            *m = '\0';
        }
        if (r->short_name)
            snprintf(names, sizeof names, "-%c, --%s%s", r->short_name, r->name, meta);
        else
            snprintf(names, sizeof names, "--%s%s", r->name, meta);
        wst_options_expected(r, accepts, sizeof accepts);
        snprintf(want, sizeof want, "\n| `%s` | %s | %s | %s%s%s |\n", names, r->help, accepts,
                 r->def ? "`" : "", r->def ? r->def : "", r->def ? "`" : "");
        ck_assert_msg(strstr(text, want) != NULL, "the table lacks%s", want);
    }
    free(text);
}
END_TEST

/* The options become the engine's configuration, field by field. */
START_TEST(test_options_pipeline_config)
{
    ck_assert_int_eq(parse("-r", "a", "--vlan-key", "--server-ports", "9", "--msl", "7", "--idle-timeout", "9",
                           "--timeline", "11", "--syn-timeout", "0.5", "--linger", "2.5", "--group-min", "3",
                           "--flood-min", "4", "--ephemeral-ports", "100-200", NULL),
                     0);
    struct wst_pipeline_config cfg;
    memset(&cfg, 0xa5, sizeof cfg);
    wst_options_pipeline_config(&opt, &cfg);
    ck_assert(cfg.vlan_key);
    ck_assert(!cfg.events);
    ck_assert(!cfg.anomalies_only);
    ck_assert_ptr_eq(cfg.tracker.server_ports, &opt.server_ports);
    ck_assert_uint_eq(cfg.hash_seed, 0);
    ck_assert_uint_eq(cfg.tracker.msl_s, 7);
    ck_assert_uint_eq(cfg.tracker.idle_timeout_s, 9);
    ck_assert_uint_eq(cfg.tracker.timeline_max, 11);
    ck_assert_uint_eq(cfg.tracker.anomaly.syn_timeout_ms, 500);
    ck_assert_uint_eq(cfg.tracker.anomaly.linger_ms, 2500);
    ck_assert_uint_eq(cfg.findings.group_min, 3);
    ck_assert_uint_eq(cfg.findings.flood_min, 4);
    ck_assert_uint_eq(cfg.findings.ephemeral_lo, 100);
    ck_assert_uint_eq(cfg.findings.ephemeral_hi, 200);
    ck_assert_uint_eq(cfg.findings.max_groups, 0);
    /* --timeline none is no timelines. */
    ck_assert_int_eq(parse("-r", "a", "--timeline", "none", "--events", "--anomalies-only", NULL), 0);
    wst_options_pipeline_config(&opt, &cfg);
    ck_assert_uint_eq(cfg.tracker.timeline_max, 0);
    ck_assert(cfg.events);
    ck_assert(cfg.anomalies_only);
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
    tcase_add_test(tc, test_options_numeric_accepted);
    suite_add_tcase(s, tc);

    tc = tcase_create("options");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_options_snaplen_bounds);
    tcase_add_test(tc, test_options_snaplen_zero_is_largest);
    tcase_add_test(tc, test_options_buffer_size);
    tcase_add_test(tc, test_options_user);
    tcase_add_test(tc, test_options_count);
    tcase_add_test(tc, test_options_output);
    tcase_add_test(tc, test_options_write);
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
    tcase_add_test(tc, test_options_error_write);
    tcase_add_test(tc, test_options_error_unknown_option);
    tcase_add_test(tc, test_options_error_missing_argument);
    tcase_add_test(tc, test_options_error_bad_snaplen);
    tcase_add_test(tc, test_options_error_bad_count);
    tcase_add_test(tc, test_options_thresholds);
    tcase_add_test(tc, test_options_error_bad_thresholds);
    tcase_add_test(tc, test_options_findings_thresholds);
    tcase_add_test(tc, test_options_error_bad_findings_thresholds);
    tcase_add_test(tc, test_options_messages_unchanged);
    suite_add_tcase(s, tc);

    tc = tcase_create("table");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_options_rows_complete);
    tcase_add_test(tc, test_options_rows_unique);
    tcase_add_test(tc, test_options_defaults_in_bounds);
    tcase_add_test(tc, test_options_defaults_parse_back);
    tcase_add_test(tc, test_options_bounds_both_ends);
    tcase_add_test(tc, test_options_usage_every_row);
    tcase_add_test(tc, test_options_markdown_every_row);
    tcase_add_test(tc, test_options_pipeline_config);
    suite_add_tcase(s, tc);
    return s;
}
