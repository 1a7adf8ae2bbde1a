/*
 * wirestate/cli.h - command-line options.
 *
 * Parsing is separate from main() so tests can drive it: it fills a struct
 * and reports the first problem as text, and main() decides what to print
 * and which exit status to use.
 */
#ifndef WIRESTATE_CLI_H
#define WIRESTATE_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "wirestate/emit.h"
#include "wirestate/error.h"
#include "wirestate/findings.h"
#include "wirestate/ports.h"
#include "wirestate/tracker.h"

/* Exit statuses of the program. */
enum {
    WST_EXIT_OK = 0,
    WST_EXIT_RUNTIME = 1, /* a file, an interface, the output failed */
    WST_EXIT_USAGE = 2,   /* the command line is wrong */
};

struct wst_options {
    const char **files;        /* -r arguments in order (point into argv) */
    size_t n_files;
    const char *interface;     /* -i */
    int snaplen;               /* -s, live only */
    uint64_t count;            /* -c: stop after this many packets; 0 = all */
    const char *output;        /* -o; NULL = standard output */
    const struct wst_emitter_class *emitter; /* --format */
    bool vlan_key;             /* --vlan-key */
    struct wst_port_set server_ports;  /* --server-ports (defaults otherwise) */
    uint32_t msl_s;            /* --msl */
    uint32_t idle_timeout_s;   /* --idle-timeout (0 = never) */
    uint32_t timeline_max;     /* --timeline: events kept per connection (0 = none) */
    bool events;               /* --events: stream events as they happen */
    uint32_t syn_timeout_ms;   /* --syn-timeout */
    uint32_t linger_ms;        /* --linger */
    bool anomalies_only;       /* --anomalies-only */
    struct wst_findings_config findings; /* --group-min, --flood-min, --ephemeral-ports */
    char *filter;              /* the trailing expression joined by spaces; NULL if none */
    bool help, version;
};

/*
 * Parses argv into *o (which the caller frees with wst_cli_fini, also after
 * a failure). Returns 0, or WST_EUSAGE with one line in errbuf. After
 * --help or --version it returns 0 with o->help / o->version set and skips
 * the other checks.
 */
int wst_cli_parse(struct wst_options *o, int argc, char **argv, char *errbuf) WST_WARN_UNUSED;

void wst_cli_fini(struct wst_options *o);

/* Writes the usage text. */
void wst_cli_usage(FILE *fp);

#endif
