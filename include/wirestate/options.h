/*
 * wirestate/options.h - every command-line option, in one table.
 *
 * Each option is one row of a table in options.c (after redis's config.c):
 * its names, the type of its argument, its bounds, its default, the field
 * of struct wst_options it sets, and its help text. Everything else comes
 * from the rows: the defaults (wst_options_defaults), getopt_long()'s
 * arrays, the checks on every argument with their one-line messages, the
 * --help text and the README's option table (wst_options_markdown). The
 * checks between options (-r with -i, nothing to read) run after the rows.
 *
 * Parsing is separate from main() so tests can drive it: it fills a struct
 * and reports the first problem as text, and main() decides what to print
 * and which exit status to use.
 */
#ifndef WIRESTATE_OPTIONS_H
#define WIRESTATE_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "wirestate/emit.h"
#include "wirestate/error.h"
#include "wirestate/ports.h"
#include "wirestate/pipeline.h"

/* Exit statuses of the program. */
enum {
    WST_EXIT_OK = 0,
    WST_EXIT_RUNTIME = 1, /* a file, an interface, the output failed */
    WST_EXIT_USAGE = 2,   /* the command line is wrong */
};

/* The words of a repeated option, in order (they point into argv). */
struct wst_strings {
    const char **v;
    size_t n;
};

/* An inclusive range of ports. */
struct wst_port_range {
    uint16_t lo, hi;
};

/* What the command line asks for. Each field is set by one row of the table. */
struct wst_options {
    struct wst_strings files;          /* -r, in order */
    const char *interface;             /* -i */
    uint32_t snaplen;                  /* -s, live only */
    uint32_t buffer_kib;               /* -B: the kernel's capture buffer, live only */
    uint64_t count;                    /* -c: stop after this many packets; 0 = all */
    const char *output;                /* -o; NULL = standard output */
    const char *write;                 /* -w: the packets read, to a capture file ("-": standard output) */
    const char *user;                  /* -Z: the user to become once every file is open; NULL: stay */
    bool numeric;                      /* -n, -nn: accepted and ignored (no name is ever resolved) */
    const struct wst_emitter_class *emitter; /* --format */
    bool vlan_key;                     /* --vlan-key */
    struct wst_port_set server_ports;  /* --server-ports */
    uint32_t msl_s;                    /* --msl */
    uint32_t idle_timeout_s;           /* --idle-timeout (0 = never) */
    uint32_t timeline_max;             /* --timeline: events kept per connection (0 = none) */
    uint64_t max_connections;          /* --max-connections: the table's bound (0 = none) */
    bool events;                       /* --events: stream events as they happen */
    uint32_t interval_ms;              /* --interval: a status every this long (0 = none) */
    uint32_t syn_timeout_ms;           /* --syn-timeout */
    uint32_t linger_ms;                /* --linger */
    bool anomalies_only;               /* --anomalies-only */
    uint32_t group_min;                /* --group-min */
    uint32_t flood_min;                /* --flood-min */
    struct wst_port_range ephemeral_ports; /* --ephemeral-ports */
    char *filter;                      /* the trailing expression joined by spaces; NULL if none */
    bool help, version;                /* -h, -V */
};

/* How an option's argument is read, and the field it is stored in. */
enum wst_arg_type {
    WST_ARG_UNSET,      /* 0: a row that forgot its type (a unit test looks for it) */
    WST_ARG_FLAG,       /* no argument; sets a bool */
    WST_ARG_UINT,       /* a decimal in [min, max], or zero_word for 0 (or 0 for max with
                           WST_OPTF_ZERO_IS_MAX); a uint32_t or uint64_t */
    WST_ARG_MS,         /* seconds with up to 3 decimals, in [min, max] ms; a uint32_t of ms */
    WST_ARG_PORT_RANGE, /* "LO-HI" with min <= LO <= HI <= max; a struct wst_port_range */
    WST_ARG_PORT_LIST,  /* wst_port_set_parse(); a struct wst_port_set */
    WST_ARG_FORMAT,     /* an output format's name; a const struct wst_emitter * */
    WST_ARG_STRING,     /* the argument as it is; a const char * into argv */
    WST_ARG_STRINGS,    /* repeatable: each argument appended to a struct wst_strings */
    WST_ARG_USER,       /* the name of a user of this system (getpwnam); a const char * into argv */
    WST_ARG__COUNT
};

/* Row flags. */
enum {
    WST_OPTF_STOP = 1,        /* parsing stops at this option, successfully (--help, --version) */
    WST_OPTF_ZERO_IS_MAX = 2, /* a UINT row also takes 0, which stands for its max (tcpdump's -s 0) */
};

/* One option. */
struct wst_option {
    const char *name;      /* the long name, without "--" */
    char short_name;       /* its letter, or 0 */
    uint8_t type;          /* enum wst_arg_type */
    uint8_t flags;         /* WST_OPTF_* */
    uint64_t min, max;     /* bounds of UINT, MS (in ms) and PORT_RANGE */
    const char *def;       /* the default as a user would write it; NULL: the field's
                              zero (for PORT_LIST: wst_port_set_init_default()) */
    size_t offset, size;   /* the field it sets in struct wst_options */
    const char *metavar;   /* the argument's name in the help ("SECONDS"); NULL for a FLAG */
    const char *noun;      /* names it in a bad argument's message ("bad <noun> '...'") */
    const char *unit;      /* follows the bounds in that message ("seconds"), or NULL */
    const char *zero_word; /* a UINT's word for 0 ("none"), or NULL */
    const char *help;      /* one sentence, no final period, no default; `code` in
                              backquotes (quotes in --help, code in Markdown) */
};

/*
 * The table: *n rows, in the order --help lists them. Static; never NULL.
 */
const struct wst_option *wst_options_rows(size_t *n);

/*
 * Fills *o with every row's default: the only place defaults are set.
 * Allocates nothing (wst_options_fini is harmless afterwards).
 */
void wst_options_defaults(struct wst_options *o);

/*
 * Parses argv into *o, starting from the defaults. The caller frees *o with
 * wst_options_fini, also after a failure. Returns 0, or WST_EUSAGE with one
 * line in errbuf (WST_ERRBUF_SIZE bytes). After --help or --version it
 * returns 0 with o->help / o->version set and skips the other checks.
 */
int wst_options_parse(struct wst_options *o, int argc, char **argv, char *errbuf) WST_WARN_UNUSED;

/* Frees what wst_options_parse allocated; *o can be parsed again. */
void wst_options_fini(struct wst_options *o);

/*
 * The engine's configuration for these options (pipeline.h): every stage's
 * settings, the anomaly thresholds and the findings' among them.
 * cfg->tracker.server_ports borrows o->server_ports (wst_tracker_new copies
 * it). The hash seed is left 0 for the caller to choose.
 */
void wst_options_pipeline_config(const struct wst_options *o, struct wst_pipeline_config *cfg);

/*
 * Writes what a row accepts, as its error message says it ("1 to 86400
 * seconds"), into buf (NUL-terminated, truncated to size); "" when any word
 * will do.
 */
void wst_options_expected(const struct wst_option *row, char *buf, size_t size);

/* Writes the --help text, one entry per row. */
void wst_options_usage(FILE *fp);

/* Writes the option table in Markdown, as the README holds it, one line per row. */
void wst_options_markdown(FILE *fp);

#endif
