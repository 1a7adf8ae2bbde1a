/*
 * test_outbuf.c - buffered output: numbers, times, JSON strings, large
 * writes and write errors.
 *
 * Each test writes into a tmpfile() and reads back what reached the file.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "suites.h"
#include <unistd.h>

#include "wirestate/outbuf.h"

/* The buffer is 64 KiB of a struct; keep it off the stack. */
static struct wst_outbuf ob;
static FILE *out_fp;

static void setup(void)
{
    out_fp = tmpfile();
    ck_assert_ptr_nonnull(out_fp);
    wst_outbuf_init(&ob, out_fp);
}

static void teardown(void)
{
    if (out_fp)
        fclose(out_fp);
    out_fp = NULL;
}

/* Flushes ob and returns everything in the file (NUL-terminated, malloc'd). */
static char *written(size_t *len_out)
{
    ck_assert_int_eq(wst_outbuf_flush(&ob), 0);
    ck_assert_int_eq(ob.err, 0);
    long end = ftell(out_fp);
    ck_assert_int_ge(end, 0);
    char *s = malloc((size_t)end + 1);
    ck_assert_ptr_nonnull(s);
    rewind(out_fp);
    ck_assert_uint_eq(fread(s, 1, (size_t)end, out_fp), (size_t)end);
    s[end] = '\0';
    ck_assert_int_eq(fseek(out_fp, 0, SEEK_END), 0);
    if (len_out)
        *len_out = (size_t)end;
    return s;
}

/* Asserts the file holds exactly `want`. */
#define ck_assert_written(want)                   \
    do {                                          \
        char *got_ = written(NULL);               \
        ck_assert_str_eq(got_, want);             \
        free(got_);                               \
    } while (0)

/* ---- numbers */

START_TEST(test_outbuf_u64_values)
{
    wst_outbuf_u64(&ob, 0);
    wst_outbuf_putc(&ob, ' ');
    wst_outbuf_u64(&ob, 7);
    wst_outbuf_putc(&ob, ' ');
    wst_outbuf_u64(&ob, 10);
    wst_outbuf_putc(&ob, ' ');
    wst_outbuf_u64(&ob, 1234567890);
    wst_outbuf_putc(&ob, ' ');
    wst_outbuf_u64(&ob, UINT64_MAX);
    ck_assert_written("0 7 10 1234567890 18446744073709551615");
}
END_TEST

/* Every digit count, at both ends: 10^k - 1 and 10^k, and the 32-bit edge. */
START_TEST(test_outbuf_u64_digit_counts)
{
    char want[1024];
    size_t n = 0;
    uint64_t p = 1;
    for (int k = 0; k < 20; k++) {
        uint64_t v[3] = {p - 1, p, p + 1};
        for (int i = 0; i < 3; i++) {
            wst_outbuf_u64(&ob, v[i]);
            wst_outbuf_putc(&ob, ' ');
            n += (size_t)snprintf(want + n, sizeof want - n, "%llu ", (unsigned long long)v[i]);
        }
        if (k < 19)
            p *= 10;
    }
    static const uint64_t edges[] = {UINT32_MAX, (uint64_t)UINT32_MAX + 1, 4294967296000000000ULL,
                                     18446744073709551614ULL, UINT64_MAX};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++) {
        wst_outbuf_u64(&ob, edges[i]);
        wst_outbuf_putc(&ob, ' ');
        wst_outbuf_seconds(&ob, edges[i]);
        wst_outbuf_putc(&ob, ' ');
        n += (size_t)snprintf(want + n, sizeof want - n, "%llu %llu.%06llu ", (unsigned long long)edges[i],
                              (unsigned long long)(edges[i] / 1000000), (unsigned long long)(edges[i] % 1000000));
    }
    ck_assert_written(want);
}
END_TEST

START_TEST(test_outbuf_u64_width_pads)
{
    wst_outbuf_u64_width(&ob, 42, 6);
    wst_outbuf_putc(&ob, '|');
    wst_outbuf_u64_width(&ob, 0, 3);
    wst_outbuf_putc(&ob, '|');
    wst_outbuf_u64_width(&ob, 123, 3); /* exactly fits */
    wst_outbuf_putc(&ob, '|');
    wst_outbuf_u64_width(&ob, 123456, 3); /* wider than the field: not cut */
    wst_outbuf_putc(&ob, '|');
    wst_outbuf_u64_width(&ob, 5, 0);
    wst_outbuf_putc(&ob, '|');
    wst_outbuf_u64_width(&ob, 5, -4);
    wst_outbuf_putc(&ob, '|');
    wst_outbuf_u64_width(&ob, UINT64_MAX, 22);
    ck_assert_written("    42|  0|123|123456|5|5|  18446744073709551615");
}
END_TEST

/* ---- times */

START_TEST(test_outbuf_seconds_six_decimals)
{
    wst_outbuf_seconds(&ob, 0);
    wst_outbuf_putc(&ob, ' ');
    wst_outbuf_seconds(&ob, 1000001);
    wst_outbuf_putc(&ob, ' ');
    wst_outbuf_seconds(&ob, 999999);
    wst_outbuf_putc(&ob, ' ');
    wst_outbuf_seconds(&ob, 60000000);
    wst_outbuf_putc(&ob, ' ');
    wst_outbuf_seconds(&ob, 1700000000123456ULL);
    ck_assert_written("0.000000 1.000001 0.999999 60.000000 1700000000.123456");
}
END_TEST

START_TEST(test_outbuf_utc_epoch)
{
    wst_outbuf_utc(&ob, 0);
    ck_assert_written("1970-01-01 00:00:00.000000");
}
END_TEST

START_TEST(test_outbuf_utc_dates)
{
    /* 1700000000 s is 2023-11-14 22:13:20 UTC. */
    wst_outbuf_utc(&ob, 1700000000000001ULL);
    wst_outbuf_putc(&ob, '\n');
    /* 951782400 s is 2000-02-29 00:00:00 UTC (a leap day). */
    wst_outbuf_utc(&ob, 951782400999999ULL);
    wst_outbuf_putc(&ob, '\n');
    /* One microsecond before 1970-01-02. */
    wst_outbuf_utc(&ob, 86400000000ULL - 1);
    wst_outbuf_putc(&ob, '\n');
    /* 253402300799 s is the last second of year 9999. */
    wst_outbuf_utc(&ob, 253402300799999999ULL);
    wst_outbuf_putc(&ob, '\n');
    /* One second later the year needs five digits, and gets them. */
    wst_outbuf_utc(&ob, 253402300800000000ULL);
    ck_assert_written("2023-11-14 22:13:20.000001\n"
                      "2000-02-29 00:00:00.999999\n"
                      "1970-01-01 23:59:59.999999\n"
                      "9999-12-31 23:59:59.999999\n"
                      "10000-01-01 00:00:00.000000");
}
END_TEST

/* The time zone of the process does not matter. */
START_TEST(test_outbuf_utc_ignores_tz)
{
    const char *old = getenv("TZ");
    char *saved = old ? strdup(old) : NULL;
    setenv("TZ", "America/New_York", 1);
    tzset();
    wst_outbuf_utc(&ob, 1700000000000001ULL);
    if (saved)
        setenv("TZ", saved, 1);
    else
        unsetenv("TZ");
    tzset();
    free(saved);
    ck_assert_written("2023-11-14 22:13:20.000001");
}
END_TEST

/* ---- JSON strings */

START_TEST(test_outbuf_json_string_plain)
{
    wst_outbuf_json_string(&ob, "");
    wst_outbuf_putc(&ob, ' ');
    wst_outbuf_json_string(&ob, "eth0 /tmp/a.pcap ~{}[]'");
    ck_assert_written("\"\" \"eth0 /tmp/a.pcap ~{}[]'\"");
}
END_TEST

START_TEST(test_outbuf_json_string_quote_backslash)
{
    wst_outbuf_json_string(&ob, "a\"b\\c");
    ck_assert_written("\"a\\\"b\\\\c\"");
}
END_TEST

START_TEST(test_outbuf_json_string_control)
{
    wst_outbuf_json_string(&ob, "\x01\t\n\r\x1f ");
    ck_assert_written("\"\\u0001\\u0009\\u000a\\u000d\\u001f \"");
}
END_TEST

/* DEL and every byte above it (UTF-8 or not) become \u00XX. */
START_TEST(test_outbuf_json_string_high_bytes)
{
    wst_outbuf_json_string(&ob, "\x7f|\xc3\xa9|\xff\x80");
    ck_assert_written("\"\\u007f|\\u00c3\\u00a9|\\u00ff\\u0080\"");
}
END_TEST

/* The escape of one byte, as RFC 8259 allows and wirestate writes it. */
static size_t escape_ref(char *q, unsigned char ch)
{
    if (ch == '"' || ch == '\\')
        return (size_t)sprintf(q, "\\%c", ch);
    if (ch < 0x20 || ch >= 0x7f)
        return (size_t)sprintf(q, "\\u%04x", ch);
    q[0] = (char)ch;
    return 1;
}

/*
 * Long strings go eight bytes at a time: every byte value at every place
 * of a 40-byte string (so at each offset in a word, and in the tail that
 * is shorter than a word) is escaped as a byte-by-byte escaper does.
 */
START_TEST(test_outbuf_json_string_every_byte_every_place)
{
    char in[41], want[64 * 6];
    for (unsigned v = 1; v < 256; v++) {
        for (size_t at = 0; at < 40; at++) {
            memset(in, 'a' + (int)(at % 26), 40);
            in[at] = (char)v;
            in[40] = '\0';
            size_t n = 0;
            want[n++] = '"';
            for (size_t i = 0; i < 40; i++)
                n += escape_ref(want + n, (unsigned char)in[i]);
            want[n++] = '"';
            want[n] = '\0';
            wst_outbuf_json_string(&ob, in);
            char *got = written(NULL);
            ck_assert_msg(strcmp(got, want) == 0, "byte 0x%02x at %zu: got %s", v, at, got);
            free(got);
            ck_assert_int_eq(fflush(out_fp), 0);
            ck_assert_int_eq(ftruncate(fileno(out_fp), 0), 0);
            rewind(out_fp);
        }
    }
}
END_TEST

/* ---- large writes and buffer boundaries */

#define BIG (200 * 1024)

static void fill_pattern(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)((i * 7 + seed) % 251);
}

/* One write of 200 KiB between small ones arrives whole and in order. */
START_TEST(test_outbuf_write_larger_than_buffer)
{
    unsigned char *big = malloc(BIG);
    ck_assert_ptr_nonnull(big);
    fill_pattern(big, BIG, 3);
    wst_outbuf_puts(&ob, "head");
    wst_outbuf_write(&ob, big, BIG);
    wst_outbuf_puts(&ob, "tail");

    size_t len;
    char *got = written(&len);
    ck_assert_uint_eq(len, 4 + BIG + 4);
    ck_assert_mem_eq(got, "head", 4);
    ck_assert(memcmp(got + 4, big, BIG) == 0);
    ck_assert_mem_eq(got + 4 + BIG, "tail", 4);
    free(got);
    free(big);
}
END_TEST

/* 200 KiB in writes of 1000 bytes (several buffer fills) arrives intact. */
START_TEST(test_outbuf_many_small_writes)
{
    unsigned char *want = malloc(BIG);
    ck_assert_ptr_nonnull(want);
    fill_pattern(want, BIG, 11);
    for (size_t off = 0; off < BIG; off += 1000)
        wst_outbuf_write(&ob, want + off, BIG - off < 1000 ? BIG - off : 1000);

    size_t len;
    char *got = written(&len);
    ck_assert_uint_eq(len, BIG);
    ck_assert(memcmp(got, want, BIG) == 0);
    free(got);
    free(want);
}
END_TEST

/* Half a buffer plus one byte goes through; exactly half is copied. */
START_TEST(test_outbuf_write_half_buffer_edges)
{
    size_t half = WST_OUTBUF_SIZE / 2;
    unsigned char *data = malloc(2 * half + 1);
    ck_assert_ptr_nonnull(data);
    fill_pattern(data, 2 * half + 1, 5);
    wst_outbuf_putc(&ob, '<');
    wst_outbuf_write(&ob, data, half);
    wst_outbuf_write(&ob, data + half, half + 1);
    wst_outbuf_putc(&ob, '>');

    size_t len;
    char *got = written(&len);
    ck_assert_uint_eq(len, 2 * half + 3);
    ck_assert_int_eq(got[0], '<');
    ck_assert(memcmp(got + 1, data, 2 * half + 1) == 0);
    ck_assert_int_eq(got[len - 1], '>');
    free(got);
    free(data);
}
END_TEST

/* Formatted items straddle buffer boundaries without losing a byte. */
START_TEST(test_outbuf_items_across_boundaries)
{
    enum { N = 30000 };
    size_t cap = (size_t)N * 64, n = 0;
    char *want = malloc(cap);
    ck_assert_ptr_nonnull(want);
    for (uint64_t i = 0; i < N; i++) {
        uint64_t v = i * 2654435761ULL;
        wst_outbuf_u64(&ob, v);
        wst_outbuf_putc(&ob, ',');
        wst_outbuf_u64_width(&ob, i, 7);
        wst_outbuf_putc(&ob, ',');
        wst_outbuf_seconds(&ob, v);
        wst_outbuf_json_string(&ob, "\x01");
        wst_outbuf_putc(&ob, '\n');
        n += (size_t)snprintf(want + n, cap - n, "%llu,%7llu,%llu.%06llu\"\\u0001\"\n",
                              (unsigned long long)v, (unsigned long long)i,
                              (unsigned long long)(v / 1000000), (unsigned long long)(v % 1000000));
    }
    size_t len;
    char *got = written(&len);
    ck_assert_uint_gt(len, 4 * WST_OUTBUF_SIZE);
    ck_assert_uint_eq(len, n);
    ck_assert(memcmp(got, want, n) == 0);
    free(got);
    free(want);
}
END_TEST

/* Flushing twice writes nothing twice. */
START_TEST(test_outbuf_flush_twice)
{
    wst_outbuf_puts(&ob, "once");
    ck_assert_int_eq(wst_outbuf_flush(&ob), 0);
    ck_assert_uint_eq(ob.len, 0);
    ck_assert_written("once");
}
END_TEST

/* ---- write errors */

START_TEST(test_outbuf_flush_dev_full)
{
    static struct wst_outbuf full;
    FILE *fp = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(fp);
    wst_outbuf_init(&full, fp);
    wst_outbuf_puts(&full, "hello\n");
    ck_assert_int_eq(wst_outbuf_flush(&full), WST_EIO);
    ck_assert_int_eq(full.err, ENOSPC);
    /* The error is remembered. */
    wst_outbuf_puts(&full, "more");
    ck_assert_int_eq(wst_outbuf_flush(&full), WST_EIO);
    ck_assert_int_eq(full.err, ENOSPC);
    fclose(fp);
}
END_TEST

/* A write-through of 200 KiB fails at once and is reported at flush. */
START_TEST(test_outbuf_large_write_dev_full)
{
    static struct wst_outbuf full;
    unsigned char *big = calloc(1, BIG);
    ck_assert_ptr_nonnull(big);
    FILE *fp = fopen("/dev/full", "w");
    ck_assert_ptr_nonnull(fp);
    wst_outbuf_init(&full, fp);
    wst_outbuf_write(&full, big, BIG);
    ck_assert_int_eq(full.err, ENOSPC);
    ck_assert_int_eq(wst_outbuf_flush(&full), WST_EIO);
    ck_assert_int_eq(full.err, ENOSPC);
    fclose(fp);
    free(big);
}
END_TEST

Suite *outbuf_suite(void)
{
    Suite *s = suite_create("outbuf");

    TCase *tc = tcase_create("numbers");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_outbuf_u64_values);
    tcase_add_test(tc, test_outbuf_u64_digit_counts);
    tcase_add_test(tc, test_outbuf_u64_width_pads);
    suite_add_tcase(s, tc);

    tc = tcase_create("times");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_outbuf_seconds_six_decimals);
    tcase_add_test(tc, test_outbuf_utc_epoch);
    tcase_add_test(tc, test_outbuf_utc_dates);
    tcase_add_test(tc, test_outbuf_utc_ignores_tz);
    suite_add_tcase(s, tc);

    tc = tcase_create("json_strings");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_outbuf_json_string_plain);
    tcase_add_test(tc, test_outbuf_json_string_quote_backslash);
    tcase_add_test(tc, test_outbuf_json_string_control);
    tcase_add_test(tc, test_outbuf_json_string_high_bytes);
    tcase_add_test(tc, test_outbuf_json_string_every_byte_every_place);
    suite_add_tcase(s, tc);

    tc = tcase_create("large_writes");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_outbuf_write_larger_than_buffer);
    tcase_add_test(tc, test_outbuf_many_small_writes);
    tcase_add_test(tc, test_outbuf_write_half_buffer_edges);
    tcase_add_test(tc, test_outbuf_items_across_boundaries);
    tcase_add_test(tc, test_outbuf_flush_twice);
    suite_add_tcase(s, tc);

    tc = tcase_create("write_errors");
    tcase_add_test(tc, test_outbuf_flush_dev_full);
    tcase_add_test(tc, test_outbuf_large_write_dev_full);
    suite_add_tcase(s, tc);
    return s;
}
