/*
 * options.c - every command-line option as one row of a table (see
 * wirestate/options.h), after redis's config.c.
 *
 * A row names the option, the type of its argument, its bounds, its
 * default and the field of struct wst_options it sets (an offsetof, as
 * redis does). From the rows come:
 *   - the defaults: wst_options_defaults() parses each row's default text,
 *     so a default is written once, the way a user would write it;
 *   - getopt_long()'s long options and short-option string, built at run
 *     time;
 *   - the check of each argument and its message, "bad <noun> '<arg>':
 *     expected <what the row accepts>", the accepted part written from the
 *     bounds (wst_options_expected());
 *   - the --help text and the README's option table.
 * What involves several options (-r with -i, standard input read twice,
 * nothing to read) is checked in code after the rows.
 *
 * The options follow tcpdump where they overlap (-r, -i, -s, -c, a
 * trailing filter expression whose words are joined with spaces), so a
 * tcpdump command line carries over.
 *
 * Assumptions:
 *   1. A row's type fixes the size of its field (the unit tests check
 *      every row's size against its type).
 *   2. Every default parses, within its bounds (the unit tests parse each
 *      one back; a broken one fails an assert in wst_options_defaults()).
 *   3. Short option letters are alphanumeric, so they never collide with
 *      getopt's ':' and '?', and long-only rows get values from LONG_BASE
 *      up, beyond any letter.
 */
#include "wirestate/options.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

/* The field a row sets: its offset and size in struct wst_options. */
#define FIELD(f) .offset = offsetof(struct wst_options, f), .size = sizeof(((struct wst_options *)0)->f)

/* The longest --msl, --syn-timeout and --linger: a day. */
#define DAY_S 86400u
#define DAY_MS (DAY_S * 1000u)

static const struct wst_option table[] = {
    {.name = "read", .short_name = 'r', .type = WST_ARG_STRINGS, FIELD(files), .metavar = "FILE",
     .noun = "capture file",
     .help = "read a pcap or pcapng file (`-` is standard input); several `-r` act as one capture, in order"},
    /* Repeatable: a capture split into files by size or time (tcpdump -C, -G) is read
     * as one, in order. No default: -r or -i is required (check_combination()). */
    {.name = "interface", .short_name = 'i', .type = WST_ARG_STRING, FIELD(interface), .metavar = "IFACE",
     .noun = "interface",
     .help = "capture live on IFACE: promiscuous, immediate mode (needs root or CAP_NET_RAW)"},
    /* tcpdump's -i; any name libpcap knows, "any" included. */
    {.name = "snaplen", .short_name = 's', .type = WST_ARG_UINT, .flags = WST_OPTF_ZERO_IS_MAX, FIELD(snaplen),
     .min = 64, .max = 262144, .def = "1024", .metavar = "BYTES", .noun = "snapshot length",
     .help = "bytes kept of each live packet; `0` keeps whole packets (262144 bytes), as tcpdump's `-s 0`"},
    /* 1024: enough for any link, IP and TCP header stack; payload bytes are counted
     * from the IP lengths, so the payload cut off is not lost. 64 still holds
     * Ethernet, IPv4 and TCP (54 bytes); 262144 is libpcap's MAXIMUM_SNAPLEN, which
     * tcpdump's -s 0 stands for (it is also what -w writes with it). */
    {.name = "buffer-size", .short_name = 'B', .type = WST_ARG_UINT, FIELD(buffer_kib), .min = 64,
     .max = 2097151, .def = "32768", .metavar = "KiB", .noun = "capture buffer size", .unit = "KiB",
     .help = "the kernel's buffer for a live capture, in KiB (1024 bytes), as tcpdump's `-B`: packets that "
             "arrive while it is full are lost and counted as dropped"},
    /* tcpdump's -B and --buffer-size, in its unit. 32768 (32 MiB): about 25,000
     * full-size frames, a few seconds of a busy gigabit link, while wirestate is
     * busy writing or a burst comes (libpcap's own default is 2 MiB). At least 64:
     * libpcap cannot build its ring from a buffer of one or two KiB (pcap_activate
     * fails), and 64 works at every snap length. At most 2097151: libpcap takes
     * the size in bytes as an int, so just under 2 GiB. */
    {.name = "count", .short_name = 'c', .type = WST_ARG_UINT, FIELD(count), .min = 1, .max = UINT64_MAX,
     .metavar = "N", .noun = "packet count",
     .help = "stop after N packets that pass the filter"},
    /* tcpdump's -c. No default: 0 means every packet, and is not a count to give. */
    {.name = "output", .short_name = 'o', .type = WST_ARG_STRING, FIELD(output), .metavar = "FILE",
     .noun = "output file",
     .help = "write the records to FILE (`-` is standard output)"},
    /* "-" as tcpdump's -w -. Without -o, standard output. */
    {.name = "write", .short_name = 'w', .type = WST_ARG_STRING, FIELD(write), .metavar = "FILE",
     .noun = "packet file",
     .help = "also write every packet read, after the filter, to FILE (`-` is standard output), as tcpdump's "
             "`-w`: pcap with the source's link type and snap length, pcapng when the sources hold several "
             "link types or are pcapng, so that `-r FILE` later gives the same records"},
    /* tcpdump's -w (no long name there): a live session saved to be read again.
     * Opened with -o, before -Z. Refused when it would share standard output
     * with the records, or overwrite -o or a file being read (check_combination()
     * by name, wst_capture_dump_open() by inode). */
    {.name = "relinquish-privileges", .short_name = 'Z', .type = WST_ARG_USER, FIELD(user), .metavar = "USER",
     .noun = "user",
     .help = "once the capture and the files to write are open, become USER (its groups, group and user id); "
             "without it wirestate runs as the user that started it, root included; `-Z root` keeps root"},
    /* tcpdump's -Z and long name. No default user: README ("Live captures") says
     * why a root start stays root. The name is checked here, so a typo is a usage
     * error before any capture opens; the change itself comes later
     * (wst_capture_drop_privileges()). */
    {.name = "numeric", .short_name = 'n', .type = WST_ARG_FLAG, FIELD(numeric), .noun = "numeric",
     .help = "accepted from tcpdump's habit (`-nn` too) and does nothing: wirestate never resolves "
             "addresses or ports to names"},
    /* tcpdump's -n (addresses) and -nn (ports too) are in most command lines people
     * bring. wirestate prints numbers only, so the flag has nothing to change; getopt
     * sees -nn as -n twice, and a flag set twice stays set. No long name in tcpdump;
     * --numeric names what it asks for. */
    {.name = "format", .type = WST_ARG_FORMAT, FIELD(emitter), .def = "text", .metavar = "FORMAT",
     .noun = "format",
     .help = "output format: `text` for people, `json` for programs (JSON Lines)"},
    /* text: what a person runs it for; json is the documented contract. */
    {.name = "vlan-key", .type = WST_ARG_FLAG, FIELD(vlan_key), .noun = "VLAN key",
     .help = "make VLAN IDs part of the connection key: the same 4-tuple on two VLANs is two connections"},
    /* Off: a connection routed between two VLANs of one capture stays one connection. */
    {.name = "server-ports", .type = WST_ARG_PORT_LIST, FIELD(server_ports), .metavar = "LIST",
     .noun = "port list",
     .help = "service ports used to guess the client when no handshake was captured: `8000-8099,9443` "
             "replaces the built-in list, `+8000-8099` adds to it"},
    /* No default text: the built-in list is the ports module's, with a note per port
     * (ports.c); wst_options_defaults() takes it from wst_port_set_init_default(). */
    {.name = "msl", .type = WST_ARG_UINT, FIELD(msl_s), .min = 1, .max = DAY_S, .def = "30",
     .metavar = "SECONDS", .noun = "MSL", .unit = "seconds",
     .help = "maximum segment lifetime: TIME_WAIT lasts twice this (Linux's TIME_WAIT is 60 s)"},
    /* 30: Linux's TIME_WAIT is 60 s (TCP_TIMEWAIT_LEN), so 2 x 30. */
    {.name = "idle-timeout", .type = WST_ARG_UINT, FIELD(idle_timeout_s), .min = 0, .max = 31536000,
     .def = "300", .metavar = "SECONDS", .noun = "idle timeout", .unit = "seconds",
     .help = "end a connection after this long without packets (0 = never)"},
    /* 300: Zeek's tcp_inactivity_timeout. Up to a year. */
    {.name = "timeline", .type = WST_ARG_UINT, FIELD(timeline_max), .min = 2, .max = 1000000, .def = "32",
     .metavar = "N|none", .noun = "timeline", .unit = "events", .zero_word = "none",
     .help = "events kept per connection, the first and the last half of them; `none` for the records only"},
    /* 32: a whole short connection, and both ends of a long one, in about 1 KiB.
     * At least 2: the first event and the last. */
    {.name = "max-connections", .type = WST_ARG_UINT, FIELD(max_connections), .min = 1, .max = 1000000000,
     .def = "500000", .metavar = "N|none", .noun = "connection bound", .unit = "connections", .zero_word = "none",
     .help = "connections held at most; a new one then evicts one: the oldest half-open handshake, else "
             "the one whose next timer comes first (a finished one in TIME_WAIT, the longest idle); `none` for no bound"},
    /* 500000: about 100 MB held, 210 MB under a SYN flood with timelines (README,
     * Memory), what a small server spares; Linux's nf_conntrack_max is of that order. */
    {.name = "events", .type = WST_ARG_FLAG, FIELD(events), .noun = "events",
     .help = "also write each event as it happens (flushed at once with `-i`)"},
    {.name = "interval", .type = WST_ARG_MS, FIELD(interval_ms), .min = 100, .max = DAY_MS,
     .metavar = "SECONDS", .noun = "status interval",
     .help = "write a status every SECONDS: packets, drops, open connections by state (of the wall clock "
             "with `-i`, of capture time in a file; in text format, one line on standard error)"},
    /* No default: a status stream is asked for. 0.1 s: the live loop's own pace. */
    {.name = "syn-timeout", .type = WST_ARG_MS, FIELD(syn_timeout_ms), .min = 1, .max = DAY_MS, .def = "3",
     .metavar = "SECONDS", .noun = "SYN timeout",
     .help = "a SYN unanswered, or a handshake not completed, this long is an anomaly"},
    /* 3: Linux's initial SYN retransmission timeout is 1 s, so three tries. */
    {.name = "linger", .type = WST_ARG_MS, FIELD(linger_ms), .min = 1, .max = DAY_MS, .def = "5",
     .metavar = "SECONDS", .noun = "linger time",
     .help = "CLOSE_WAIT, an unacknowledged FIN or a zero window held this long is an anomaly"},
    /* 5: a working application closes a socket, or reads its data, well within it. */
    {.name = "anomalies-only", .type = WST_ARG_FLAG, FIELD(anomalies_only), .noun = "anomalies only",
     .help = "write only the connections with an anomaly (the summary still counts them all)"},
    {.name = "group-min", .type = WST_ARG_UINT, FIELD(group_min), .min = 1, .max = 1000000000, .def = "5",
     .metavar = "N", .noun = "group minimum", .unit = "connections",
     .help = "connections that make a finding of a CLOSE_WAIT pile-up, an unreachable service or a "
             "host's TIME_WAIT"},
    /* 5: a few connections alike on one endpoint are a pattern, not chance.
     * 1000000000 here and below: more connections than a capture holds. */
    {.name = "flood-min", .type = WST_ARG_UINT, FIELD(flood_min), .min = 1, .max = 1000000000, .def = "100",
     .metavar = "N", .noun = "flood minimum", .unit = "connections",
     .help = "half-open connections to one server endpoint, from at least 10 sources, that make a SYN flood"},
    /* 100: more half-open connections than a few clients retrying make (and from at
     * least WST_FLOOD_SOURCES_MIN sources, findings.h). */
    {.name = "ephemeral-ports", .type = WST_ARG_PORT_RANGE, FIELD(ephemeral_ports), .min = 1, .max = 65535,
     .def = "32768-60999", .metavar = "LO-HI", .noun = "ephemeral port range",
     .help = "the clients' ephemeral port range, which the TIME_WAIT finding compares with"},
    /* Linux's net.ipv4.ip_local_port_range. */
    {.name = "help", .short_name = 'h', .type = WST_ARG_FLAG, .flags = WST_OPTF_STOP, FIELD(help),
     .noun = "help", .help = "show this help"},
    {.name = "version", .short_name = 'V', .type = WST_ARG_FLAG, .flags = WST_OPTF_STOP, FIELD(version),
     .noun = "version", .help = "show the version"},
};

enum { N_ROWS = sizeof table / sizeof table[0] };

/* getopt_long() values of long-only rows: LONG_BASE + the row's index. */
#define LONG_BASE 256

/* The words after the options, in the help and the Markdown table. */
static const char filter_help[] = "the words after the options form a tcpdump filter expression (`port 443`); on "
                                  "Ethernet it also looks inside up to two VLAN tags, live and in files alike, "
                                  "unless it names `vlan`, `mpls`, `pppoes`, `geneve` or `vxlan` itself (see "
                                  "[Filters and VLAN tags](#filters-and-vlan-tags))";

const struct wst_option *wst_options_rows(size_t *n)
{
    *n = N_ROWS;
    return table;
}

/* ------------------------------------------------------------------ reading arguments */

/* Parses an unsigned decimal in [min, max]. */
static int parse_number(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/*
 * Parses seconds with up to three decimals ("3", "0.5", "2.250") into ms in
 * [min_ms, max_ms].
 */
static int parse_seconds_ms(const char *s, uint64_t min_ms, uint64_t max_ms, uint32_t *out)
{
    uint64_t ms = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -1;
    for (; *p >= '0' && *p <= '9'; p++) {
        ms = ms * 10 + (uint64_t)(*p - '0');
        if (ms > max_ms)
            return -1;
    }
    ms *= 1000;
    if (*p == '.') {
        uint64_t scale = 100;
        p++;
        if (*p < '0' || *p > '9')
            return -1;
        for (; *p >= '0' && *p <= '9'; p++) {
            if (scale == 0)
                return -1; /* finer than a millisecond */
            ms += (uint64_t)(*p - '0') * scale;
            scale /= 10;
        }
    }
    if (*p != '\0' || ms < min_ms || ms > max_ms)
        return -1;
    *out = (uint32_t)ms;
    return 0;
}

/* Parses "LO-HI", ports with min <= LO <= HI <= max. */
static int parse_port_range(const char *s, uint64_t min, uint64_t max, struct wst_port_range *out)
{
    char first[8];
    const char *dash = strchr(s, '-');
    uint64_t a, b;
    if (dash == NULL || (size_t)(dash - s) >= sizeof first)
        return -1;
    memcpy(first, s, (size_t)(dash - s));
    first[dash - s] = '\0';
    if (parse_number(first, min, max, &a) < 0 || parse_number(dash + 1, a, max, &b) < 0)
        return -1;
    out->lo = (uint16_t)a;
    out->hi = (uint16_t)b;
    return 0;
}

/* Writes ms as seconds with only the decimals it needs: 1 -> "0.001", 86400000 -> "86400". */
static void format_seconds(char *buf, size_t size, uint64_t ms)
{
    int n = snprintf(buf, size, "%" PRIu64, ms / 1000);
    unsigned frac = (unsigned)(ms % 1000);
    if (frac == 0 || n < 0 || (size_t)n >= size)
        return;
    char dec[5];
    snprintf(dec, sizeof dec, ".%03u", frac);
    size_t k = strlen(dec);
    while (k > 1 && dec[k - 1] == '0') /* frac != 0: a digit other than 0 stops it */
        dec[--k] = '\0';
    snprintf(buf + n, size - (size_t)n, "%s", dec);
}

void wst_options_expected(const struct wst_option *row, char *buf, size_t size)
{
    char lo[24], hi[24];
    const char *zero = row->zero_word ? row->zero_word : "";
    const char *sep = row->zero_word ? " or " : "";
    const char *sp = row->unit ? " " : "";
    const char *unit = row->unit ? row->unit : "";
    switch (row->type) {
    case WST_ARG_UINT:
        if (row->max == UINT64_MAX)
            snprintf(buf, size, "%s%s%s%s%s", zero, sep, row->min ? "a positive number" : "a number", sp, unit);
        else if (row->flags & WST_OPTF_ZERO_IS_MAX)
            snprintf(buf, size, "%" PRIu64 " to %" PRIu64 "%s%s, or 0 for %" PRIu64, row->min, row->max, sp, unit,
                     row->max);
        else
            snprintf(buf, size, "%s%s%" PRIu64 " to %" PRIu64 "%s%s", zero, sep, row->min, row->max, sp, unit);
        break;
    case WST_ARG_MS:
        format_seconds(lo, sizeof lo, row->min);
        format_seconds(hi, sizeof hi, row->max);
        snprintf(buf, size, "%s to %s seconds (at most 3 decimals)", lo, hi);
        break;
    case WST_ARG_PORT_RANGE:
        snprintf(buf, size, "LO-HI with %" PRIu64 " <= LO <= HI <= %" PRIu64, row->min, row->max);
        break;
    case WST_ARG_PORT_LIST:
        snprintf(buf, size, "ports and LOW-HIGH ranges (0-65535) separated by commas");
        break;
    case WST_ARG_FORMAT:
        snprintf(buf, size, "one of %s", wst_emit_names());
        break;
    case WST_ARG_USER:
        snprintf(buf, size, "the name of a user of this system");
        break;
    default:
        snprintf(buf, size, "%s", "");
        break;
    }
}

/*
 * Writes the message for an argument the row does not accept: a name that
 * is not in the list is "unknown", any other argument "bad".
 */
static int bad_argument(const struct wst_option *row, const char *arg, char *errbuf)
{
    char want[128];
    wst_options_expected(row, want, sizeof want);
    bool is_name = row->type == WST_ARG_FORMAT || row->type == WST_ARG_USER;
    snprintf(errbuf, WST_ERRBUF_SIZE, "%s %s '%s': expected %s", is_name ? "unknown" : "bad",
             row->noun, arg, want);
    return WST_EUSAGE;
}

/* Appends a word to a repeated option's list. */
static int append_string(struct wst_strings *list, const char *word, char *errbuf)
{
    const char **v = realloc(list->v, (list->n + 1) * sizeof *v);
    if (v == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
        return WST_EUSAGE;
    }
    v[list->n++] = word;
    list->v = v;
    return 0;
}

/* Reads arg (NULL for a FLAG) into the row's field of *o. Returns 0 or WST_EUSAGE. */
static int set_value(const struct wst_option *row, struct wst_options *o, const char *arg, char *errbuf)
{
    void *field = (char *)o + row->offset;
    uint64_t n;
    switch (row->type) {
    case WST_ARG_FLAG:
        *(bool *)field = true;
        return 0;
    case WST_ARG_UINT:
        if (row->zero_word && strcmp(arg, row->zero_word) == 0)
            n = 0;
        else if ((row->flags & WST_OPTF_ZERO_IS_MAX) && strcmp(arg, "0") == 0)
            n = row->max;
        else if (parse_number(arg, row->min, row->max, &n) < 0)
            return bad_argument(row, arg, errbuf);
        if (row->size == sizeof(uint64_t))
            *(uint64_t *)field = n;
        else
            *(uint32_t *)field = (uint32_t)n;
        return 0;
    case WST_ARG_MS:
        if (parse_seconds_ms(arg, row->min, row->max, field) < 0)
            return bad_argument(row, arg, errbuf);
        return 0;
    case WST_ARG_PORT_RANGE:
        if (parse_port_range(arg, row->min, row->max, field) < 0)
            return bad_argument(row, arg, errbuf);
        return 0;
    case WST_ARG_PORT_LIST:
        return wst_port_set_parse(field, arg, errbuf) < 0 ? WST_EUSAGE : 0;
    case WST_ARG_FORMAT: {
        const struct wst_emitter_class *e = wst_emit_lookup(arg);
        if (e == NULL)
            return bad_argument(row, arg, errbuf);
        *(const struct wst_emitter_class **)field = e;
        return 0;
    }
    case WST_ARG_STRING:
        *(const char **)field = arg;
        return 0;
    case WST_ARG_STRINGS:
        return append_string(field, arg, errbuf);
    case WST_ARG_USER:
        if (*arg == '\0' || getpwnam(arg) == NULL)
            return bad_argument(row, arg, errbuf);
        *(const char **)field = arg;
        return 0;
    default:
        assert(!"a row without a type");
        return WST_EUSAGE;
    }
}

/* ------------------------------------------------------------------ defaults and parsing */

void wst_options_defaults(struct wst_options *o)
{
    memset(o, 0, sizeof *o);
    for (size_t i = 0; i < N_ROWS; i++) {
        const struct wst_option *row = &table[i];
        if (row->type == WST_ARG_PORT_LIST && row->def == NULL) {
            wst_port_set_init_default((struct wst_port_set *)((char *)o + row->offset));
        } else if (row->def) {
            char errbuf[WST_ERRBUF_SIZE];
            int rc = set_value(row, o, row->def, errbuf);
            assert(rc == 0 && "a default the row does not accept");
            (void)rc;
        }
    }
}

/* The row of a short option letter, or NULL. */
static const struct wst_option *row_of_letter(int ch)
{
    for (size_t i = 0; i < N_ROWS; i++) {
        if (table[i].short_name != 0 && table[i].short_name == ch)
            return &table[i];
    }
    return NULL;
}

/*
 * Builds getopt_long()'s arrays from the rows: a row with a letter returns
 * that letter, a long-only row LONG_BASE + its index. The short string
 * starts with ':' so that a missing argument is told apart from an unknown
 * option.
 */
static void build_getopt(struct option longopts[N_ROWS + 1], char shortopts[2 + 2 * N_ROWS])
{
    char *s = shortopts;
    *s++ = ':';
    for (size_t i = 0; i < N_ROWS; i++) {
        const struct wst_option *row = &table[i];
        bool has_arg = row->type != WST_ARG_FLAG;
        longopts[i] = (struct option){
            .name = row->name,
            .has_arg = has_arg ? required_argument : no_argument,
            .flag = NULL,
            .val = row->short_name ? row->short_name : LONG_BASE + (int)i,
        };
        if (row->short_name) {
            *s++ = row->short_name;
            if (has_arg)
                *s++ = ':';
        }
    }
    *s = '\0';
    longopts[N_ROWS] = (struct option){0};
}

/* Joins argv[from..argc) with single spaces; NULL if there is nothing. */
static char *join_words(int argc, char **argv, int from)
{
    size_t len = 0;
    for (int i = from; i < argc; i++)
        len += strlen(argv[i]) + 1;
    if (len == 0)
        return NULL;
    char *s = malloc(len);
    if (s == NULL)
        return NULL;
    char *p = s;
    for (int i = from; i < argc; i++) {
        size_t n = strlen(argv[i]);
        memcpy(p, argv[i], n);
        p += n;
        *p++ = i + 1 < argc ? ' ' : '\0';
    }
    return s;
}

/* The checks that involve several options, after every row has been read. */
static int check_combination(const struct wst_options *o, char *errbuf)
{
    if (o->files.n == 0 && o->interface == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "nothing to read: give -r FILE or -i INTERFACE (see --help)");
        return WST_EUSAGE;
    }
    if (o->files.n > 0 && o->interface != NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "-r and -i cannot be combined");
        return WST_EUSAGE;
    }
    if (o->write) {
        bool records_to_stdout = o->output == NULL || strcmp(o->output, "-") == 0;
        if (strcmp(o->write, "-") == 0 && records_to_stdout) {
            snprintf(errbuf, WST_ERRBUF_SIZE,
                     "-w - and the records cannot both go to standard output: give the records a file with -o");
            return WST_EUSAGE;
        }
        if (strcmp(o->write, "-") != 0 && !records_to_stdout && strcmp(o->write, o->output) == 0) {
            snprintf(errbuf, WST_ERRBUF_SIZE, "-w and -o name the same file '%s'", o->write);
            return WST_EUSAGE;
        }
        for (size_t i = 0; i < o->files.n; i++) {
            if (strcmp(o->write, "-") != 0 && strcmp(o->write, o->files.v[i]) == 0) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "-w would overwrite '%s', which -r reads", o->write);
                return WST_EUSAGE;
            }
        }
    }
    size_t stdin_uses = 0;
    for (size_t i = 0; i < o->files.n; i++)
        stdin_uses += strcmp(o->files.v[i], "-") == 0;
    if (stdin_uses > 1) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "standard input ('-r -') can be read only once");
        return WST_EUSAGE;
    }
    return 0;
}

int wst_options_parse(struct wst_options *o, int argc, char **argv, char *errbuf)
{
    struct option longopts[N_ROWS + 1];
    char shortopts[2 + 2 * N_ROWS];
    build_getopt(longopts, shortopts);
    wst_options_defaults(o);

    int ch;
    optind = 0; /* glibc: a full re-initialisation, so tests can parse twice */
    opterr = 0;
    while ((ch = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
        const struct wst_option *row = ch >= LONG_BASE && ch < LONG_BASE + N_ROWS ? &table[ch - LONG_BASE]
                                                                                   : row_of_letter(ch);
        if (row == NULL) {
            /* ':' or '?'. A short option (maybe in a bundle like -xr) is
             * known only as optopt; for a long one optopt is 0 or its value
             * (>= 256) and the word just consumed names it. */
            const char *word = argv[optind - 1];
            char shortopt[3] = {'-', (char)optopt, '\0'};
            bool is_short = optopt > 0 && optopt < LONG_BASE;
            const char *name = is_short ? shortopt : word;
            if (ch == ':')
                snprintf(errbuf, WST_ERRBUF_SIZE, "option '%s' needs an argument", name);
            else
                snprintf(errbuf, WST_ERRBUF_SIZE, "unknown option '%s' (see --help)", name);
            return WST_EUSAGE;
        }
        if (set_value(row, o, optarg, errbuf) < 0)
            return WST_EUSAGE;
        if (row->flags & WST_OPTF_STOP)
            return 0;
    }

    int rc = check_combination(o, errbuf);
    if (rc < 0)
        return rc;
    if (optind < argc) {
        o->filter = join_words(argc, argv, optind);
        if (o->filter == NULL) {
            snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
            return WST_EUSAGE;
        }
    }
    return 0;
}

void wst_options_fini(struct wst_options *o)
{
    free(o->files.v);
    free(o->filter);
    o->files.v = NULL;
    o->files.n = 0;
    o->filter = NULL;
}

void wst_options_pipeline_config(const struct wst_options *o, struct wst_pipeline_config *cfg)
{
    *cfg = (struct wst_pipeline_config){
        .vlan_key = o->vlan_key,
        .events = o->events,
        .anomalies_only = o->anomalies_only,
        .tracker = {.server_ports = &o->server_ports,
                    .msl_s = o->msl_s,
                    .idle_timeout_s = o->idle_timeout_s,
                    .timeline_max = o->timeline_max,
                    .max_connections = o->max_connections,
                    .anomaly = {.syn_timeout_ms = o->syn_timeout_ms, .linger_ms = o->linger_ms}},
        .findings = {.group_min = o->group_min,
                     .flood_min = o->flood_min,
                     .ephemeral_lo = o->ephemeral_ports.lo,
                     .ephemeral_hi = o->ephemeral_ports.hi},
    };
}

/* ------------------------------------------------------------------ help and documentation */

#define HELP_WIDTH 79  /* the longest line */
#define HELP_INDENT 25 /* where the text of an entry starts */

/* "-r, --read FILE" or "    --format FORMAT": an entry's left column. */
static void format_names(char *buf, size_t size, const struct wst_option *row)
{
    char letter[5] = "    ";
    if (row->short_name)
        snprintf(letter, sizeof letter, "-%c, ", row->short_name);
    snprintf(buf, size, "%s--%s%s%s", letter, row->name, row->metavar ? " " : "", row->metavar ? row->metavar : "");
}

/*
 * Writes text word by word from column col (where the cursor is), wrapping
 * before HELP_WIDTH; continuation lines start at HELP_INDENT.
 */
static void write_wrapped(FILE *fp, size_t col, const char *text)
{
    const char *p = text;
    bool first = true;
    while (*p) {
        size_t len = strcspn(p, " ");
        if (!first && col + 1 + len > HELP_WIDTH) {
            fprintf(fp, "\n%*s", HELP_INDENT, "");
            col = HELP_INDENT;
        } else if (!first) {
            fputc(' ', fp);
            col++;
        }
        fwrite(p, 1, len, fp);
        col += len;
        p += len;
        p += strspn(p, " ");
        first = false;
    }
    fputc('\n', fp);
}

void wst_options_usage(FILE *fp)
{
    fputs("usage: wirestate [options] -r FILE [-r FILE ...] [filter expression]\n"
          "       wirestate [options] -i INTERFACE [filter expression]\n"
          "\n"
          "Rebuilds every TCP connection of a capture and writes one record per\n"
          "connection, then a summary that accounts for every packet.\n"
          "\n",
          fp);
    for (size_t i = 0; i < N_ROWS; i++) {
        const struct wst_option *row = &table[i];
        char names[64], text[512];
        format_names(names, sizeof names, row);
        size_t len = strlen(row->help);
        if (row->def && len > 0 && row->help[len - 1] == ')') /* "(0 = never; default 300)" */
            snprintf(text, sizeof text, "%.*s; default %s)", (int)(len - 1), row->help, row->def);
        else if (row->def)
            snprintf(text, sizeof text, "%s (default %s)", row->help, row->def);
        else
            snprintf(text, sizeof text, "%s", row->help);
        for (char *q = text; (q = strchr(q, '`')) != NULL;) /* `code` in Markdown, 'code' here */
            *q = '\'';
        /* The text at HELP_INDENT, or two spaces after names too long for that. */
        int col = fprintf(fp, "  %-*s  ", HELP_INDENT - 4, names);
        write_wrapped(fp, col > 0 ? (size_t)col : 0, text);
    }
    fputs("\n"
          "The filter expression uses tcpdump's syntax, e.g. 'port 443'. On Ethernet,\n"
          "one that names no vlan, mpls, pppoes, geneve or vxlan also matches inside up\n"
          "to two VLAN tags, live and in files alike (tcpdump's matches tagged packets\n"
          "live only). They can still differ on frames of three tags or more, on an\n"
          "expression that names vlan, and on -i any: see README, \"Filters and VLAN\n"
          "tags\".\n"
          "Exit status: 0 success, 1 runtime error, 2 usage error.\n",
          fp);
}

/* Writes "| text " with the characters that would end the cell escaped; `code` in backquotes. */
static void write_cell(FILE *fp, const char *text, bool code)
{
    fputs(code && *text ? "| `" : "| ", fp);
    for (const char *s = text; *s; s++) {
        if (*s == '|')
            fputc('\\', fp);
        fputc(*s, fp);
    }
    fputs(code && *text ? "` " : " ", fp);
}

void wst_options_markdown(FILE *fp)
{
    fputs("| option | meaning | accepts | default |\n"
          "|---|---|---|---|\n",
          fp);
    for (size_t i = 0; i < N_ROWS; i++) {
        const struct wst_option *row = &table[i];
        char names[64], accepts[128];
        format_names(names, sizeof names, row);
        wst_options_expected(row, accepts, sizeof accepts);
        write_cell(fp, names + strspn(names, " "), true);
        write_cell(fp, row->help, false);
        write_cell(fp, accepts, false);
        write_cell(fp, row->def ? row->def : "", true);
        fputs("|\n", fp);
    }
    write_cell(fp, "FILTER", true);
    write_cell(fp, filter_help, false);
    write_cell(fp, "", false);
    write_cell(fp, "", false);
    fputs("|\n", fp);
}
