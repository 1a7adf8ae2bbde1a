/*
 * cli.c - getopt_long() into struct wst_options (see wirestate/cli.h).
 *
 * The options follow tcpdump where they overlap (-r, -i, -s, -c, a
 * trailing filter expression whose words are joined with spaces), so a
 * tcpdump command line carries over.
 */
#include "wirestate/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

enum { OPT_FORMAT = 256, OPT_VLAN_KEY, OPT_SERVER_PORTS, OPT_MSL, OPT_IDLE_TIMEOUT, OPT_TIMELINE, OPT_EVENTS,
       OPT_SYN_TIMEOUT, OPT_LINGER, OPT_ANOMALIES_ONLY, OPT_GROUP_MIN, OPT_FLOOD_MIN, OPT_EPHEMERAL_PORTS };

static const struct option long_options[] = {
    {"read", required_argument, NULL, 'r'},
    {"interface", required_argument, NULL, 'i'},
    {"snaplen", required_argument, NULL, 's'},
    {"count", required_argument, NULL, 'c'},
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, OPT_FORMAT},
    {"vlan-key", no_argument, NULL, OPT_VLAN_KEY},
    {"server-ports", required_argument, NULL, OPT_SERVER_PORTS},
    {"msl", required_argument, NULL, OPT_MSL},
    {"idle-timeout", required_argument, NULL, OPT_IDLE_TIMEOUT},
    {"timeline", required_argument, NULL, OPT_TIMELINE},
    {"events", no_argument, NULL, OPT_EVENTS},
    {"syn-timeout", required_argument, NULL, OPT_SYN_TIMEOUT},
    {"linger", required_argument, NULL, OPT_LINGER},
    {"anomalies-only", no_argument, NULL, OPT_ANOMALIES_ONLY},
    {"group-min", required_argument, NULL, OPT_GROUP_MIN},
    {"flood-min", required_argument, NULL, OPT_FLOOD_MIN},
    {"ephemeral-ports", required_argument, NULL, OPT_EPHEMERAL_PORTS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

void wst_cli_usage(FILE *fp)
{
    fputs("usage: wirestate [options] -r FILE [-r FILE ...] [filter expression]\n"
          "       wirestate [options] -i INTERFACE [filter expression]\n"
          "\n"
          "Rebuilds every TCP connection of a capture and writes one record per\n"
          "connection, then a summary that accounts for every packet.\n"
          "\n"
          "  -r, --read FILE        read a pcap or pcapng file ('-' = standard input);\n"
          "                         several -r act as one capture, in order\n"
          "  -i, --interface IFACE  capture live on IFACE (needs root or CAP_NET_RAW)\n"
          "  -s, --snaplen BYTES    bytes kept per live packet (default 1024)\n"
          "  -c, --count N          stop after N packets that pass the filter\n"
          "  -o, --output FILE      write records to FILE ('-' = standard output)\n"
          "      --format FORMAT    text (default) or json (JSON Lines)\n"
          "      --vlan-key         make VLAN IDs part of the connection key\n"
          "      --server-ports LIST  service ports for guessing the client when no\n"
          "                         handshake was seen: '8000-8099,9443' replaces the\n"
          "                         default list, '+8000-8099' adds to it\n"
          "      --msl SECONDS      maximum segment lifetime: TIME_WAIT lasts twice\n"
          "                         this (default 30, Linux's 60 s TIME_WAIT)\n"
          "      --idle-timeout SECONDS  end a connection idle this long (default 300;\n"
          "                         0 = never)\n"
          "      --timeline N|none  keep up to N events per connection (default 32:\n"
          "                         the first and the last 16); none: records only\n"
          "      --events           also write each event as it happens\n"
          "      --syn-timeout SECONDS  a SYN unanswered, or a handshake not completed,\n"
          "                         this long is an anomaly (default 3)\n"
          "      --linger SECONDS   CLOSE_WAIT, an unacknowledged FIN or a zero window\n"
          "                         held this long is an anomaly (default 5)\n"
          "      --anomalies-only   write only the connections with an anomaly\n"
          "                         (the summary still counts them all)\n"
          "      --group-min N      connections that make a finding of a CLOSE_WAIT\n"
          "                         pile-up, an unreachable service or a host's\n"
          "                         TIME_WAIT (default 5)\n"
          "      --flood-min N      half-open connections to one server endpoint, from\n"
          "                         at least 10 sources, that make a SYN flood (default 100)\n"
          "      --ephemeral-ports LO-HI  the clients' ephemeral port range, for the\n"
          "                         TIME_WAIT finding (default 32768-60999, Linux's)\n"
          "  -h, --help             show this help\n"
          "  -V, --version          show the version\n"
          "\n"
          "The filter expression uses tcpdump's syntax, e.g. 'port 443'.\n"
          "Exit status: 0 success, 1 runtime error, 2 usage error.\n",
          fp);
}

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

/* Parses "LO-HI", ports with 1 <= LO <= HI <= 65535. */
static int parse_port_range(const char *s, uint16_t *lo, uint16_t *hi)
{
    char first[8];
    const char *dash = strchr(s, '-');
    uint64_t a, b;
    if (dash == NULL || (size_t)(dash - s) >= sizeof first)
        return -1;
    memcpy(first, s, (size_t)(dash - s));
    first[dash - s] = '\0';
    if (parse_number(first, 1, 65535, &a) < 0 || parse_number(dash + 1, a, 65535, &b) < 0)
        return -1;
    *lo = (uint16_t)a;
    *hi = (uint16_t)b;
    return 0;
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

int wst_cli_parse(struct wst_options *o, int argc, char **argv, char *errbuf)
{
    memset(o, 0, sizeof *o);
    o->snaplen = WST_LIVE_SNAPLEN_DEFAULT;
    o->msl_s = WST_MSL_DEFAULT_S;
    o->idle_timeout_s = WST_IDLE_TIMEOUT_DEFAULT_S;
    o->timeline_max = WST_TIMELINE_MAX_DEFAULT;
    o->syn_timeout_ms = WST_SYN_TIMEOUT_DEFAULT_MS;
    o->linger_ms = WST_LINGER_DEFAULT_MS;
    o->findings = (struct wst_findings_config){
        .group_min = WST_GROUP_MIN_DEFAULT,
        .flood_min = WST_FLOOD_MIN_DEFAULT,
        .ephemeral_lo = WST_EPHEMERAL_LO_DEFAULT,
        .ephemeral_hi = WST_EPHEMERAL_HI_DEFAULT,
    };
    o->emitter = &wst_emitter_text;
    wst_port_set_init_default(&o->server_ports);
    o->files = calloc((size_t)argc + 1, sizeof *o->files);
    if (o->files == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
        return WST_EUSAGE;
    }

    uint64_t n;
    int ch;
    optind = 0; /* glibc: a full re-initialisation, so tests can parse twice */
    opterr = 0;
    while ((ch = getopt_long(argc, argv, ":r:i:s:c:o:hV", long_options, NULL)) != -1) {
        switch (ch) {
        case 'r':
            o->files[o->n_files++] = optarg;
            break;
        case 'i':
            o->interface = optarg;
            break;
        case 's':
            if (parse_number(optarg, 64, 262144, &n) < 0) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "bad snapshot length '%s': expected 64 to 262144", optarg);
                return WST_EUSAGE;
            }
            o->snaplen = (int)n;
            break;
        case 'c':
            if (parse_number(optarg, 1, UINT64_MAX, &n) < 0) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "bad packet count '%s': expected a positive number", optarg);
                return WST_EUSAGE;
            }
            o->count = n;
            break;
        case 'o':
            o->output = optarg;
            break;
        case OPT_FORMAT:
            o->emitter = wst_emit_lookup(optarg);
            if (o->emitter == NULL) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "unknown format '%s': expected one of %s", optarg,
                         wst_emit_names());
                return WST_EUSAGE;
            }
            break;
        case OPT_VLAN_KEY:
            o->vlan_key = true;
            break;
        case OPT_MSL:
            if (parse_number(optarg, 1, 86400, &n) < 0) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "bad MSL '%s': expected 1 to 86400 seconds", optarg);
                return WST_EUSAGE;
            }
            o->msl_s = (uint32_t)n;
            break;
        case OPT_IDLE_TIMEOUT:
            if (parse_number(optarg, 0, 31536000, &n) < 0) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "bad idle timeout '%s': expected 0 to 31536000 seconds", optarg);
                return WST_EUSAGE;
            }
            o->idle_timeout_s = (uint32_t)n;
            break;
        case OPT_TIMELINE:
            if (strcmp(optarg, "none") == 0) {
                o->timeline_max = 0;
            } else if (parse_number(optarg, 2, 1000000, &n) == 0) {
                o->timeline_max = (uint32_t)n;
            } else {
                snprintf(errbuf, WST_ERRBUF_SIZE, "bad timeline '%s': expected none or 2 to 1000000 events",
                         optarg);
                return WST_EUSAGE;
            }
            break;
        case OPT_EVENTS:
            o->events = true;
            break;
        case OPT_SYN_TIMEOUT:
            if (parse_seconds_ms(optarg, 1, 86400000, &o->syn_timeout_ms) < 0) {
                snprintf(errbuf, WST_ERRBUF_SIZE,
                         "bad SYN timeout '%s': expected 0.001 to 86400 seconds (at most 3 decimals)", optarg);
                return WST_EUSAGE;
            }
            break;
        case OPT_LINGER:
            if (parse_seconds_ms(optarg, 1, 86400000, &o->linger_ms) < 0) {
                snprintf(errbuf, WST_ERRBUF_SIZE,
                         "bad linger time '%s': expected 0.001 to 86400 seconds (at most 3 decimals)", optarg);
                return WST_EUSAGE;
            }
            break;
        case OPT_ANOMALIES_ONLY:
            o->anomalies_only = true;
            break;
        case OPT_GROUP_MIN:
            if (parse_number(optarg, 1, 1000000000, &n) < 0) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "bad group minimum '%s': expected 1 to 1000000000 connections",
                         optarg);
                return WST_EUSAGE;
            }
            o->findings.group_min = (uint32_t)n;
            break;
        case OPT_FLOOD_MIN:
            if (parse_number(optarg, 1, 1000000000, &n) < 0) {
                snprintf(errbuf, WST_ERRBUF_SIZE, "bad flood minimum '%s': expected 1 to 1000000000 connections",
                         optarg);
                return WST_EUSAGE;
            }
            o->findings.flood_min = (uint32_t)n;
            break;
        case OPT_EPHEMERAL_PORTS:
            if (parse_port_range(optarg, &o->findings.ephemeral_lo, &o->findings.ephemeral_hi) < 0) {
                snprintf(errbuf, WST_ERRBUF_SIZE,
                         "bad ephemeral port range '%s': expected LO-HI with 1 <= LO <= HI <= 65535", optarg);
                return WST_EUSAGE;
            }
            break;
        case OPT_SERVER_PORTS:
            if (wst_port_set_parse(&o->server_ports, optarg, errbuf) < 0)
                return WST_EUSAGE;
            break;
        case 'h':
            o->help = true;
            return 0;
        case 'V':
            o->version = true;
            return 0;
        case ':':
        default: {
            /* A short option (maybe in a bundle like -xr) is known only as
             * optopt; for a long one optopt is 0 or its value (>= 256) and
             * the word just consumed names it. */
            const char *word = argv[optind - 1];
            char shortopt[3] = {'-', (char)optopt, '\0'};
            bool is_short = optopt > 0 && optopt < 256;
            const char *name = is_short ? shortopt : word;
            if (ch == ':')
                snprintf(errbuf, WST_ERRBUF_SIZE, "option '%s' needs an argument", name);
            else
                snprintf(errbuf, WST_ERRBUF_SIZE, "unknown option '%s' (see --help)", name);
            return WST_EUSAGE;
        }
        }
    }

    if (o->n_files == 0 && o->interface == NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "nothing to read: give -r FILE or -i INTERFACE (see --help)");
        return WST_EUSAGE;
    }
    if (o->n_files > 0 && o->interface != NULL) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "-r and -i cannot be combined");
        return WST_EUSAGE;
    }
    size_t stdin_uses = 0;
    for (size_t i = 0; i < o->n_files; i++)
        stdin_uses += strcmp(o->files[i], "-") == 0;
    if (stdin_uses > 1) {
        snprintf(errbuf, WST_ERRBUF_SIZE, "standard input ('-r -') can be read only once");
        return WST_EUSAGE;
    }
    if (optind < argc) {
        o->filter = join_words(argc, argv, optind);
        if (o->filter == NULL) {
            snprintf(errbuf, WST_ERRBUF_SIZE, "out of memory");
            return WST_EUSAGE;
        }
    }
    return 0;
}

void wst_cli_fini(struct wst_options *o)
{
    free(o->files);
    free(o->filter);
    o->files = NULL;
    o->filter = NULL;
}
