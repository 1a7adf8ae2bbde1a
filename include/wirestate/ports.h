/*
 * wirestate/ports.h - which end of a connection is the server, from ports.
 *
 * When a capture holds no SYN of a connection (it started before the
 * capture, or the tap missed it), the client cannot be read off the
 * handshake and is guessed from the ports: servers listen on well-known or
 * registered service ports, clients use ephemeral ones.
 */
#ifndef WIRESTATE_PORTS_H
#define WIRESTATE_PORTS_H

#include <stdbool.h>
#include <stdint.h>

#include "wirestate/error.h"

/* A set of TCP ports (a 64 Kibit bitmap, caller-allocated). */
struct wst_port_set {
    uint64_t bits[65536 / 64];
};

/* Fills the set with the default service ports at or above 1024 (see ports.c). */
void wst_port_set_init_default(struct wst_port_set *set);

/*
 * Parses a comma-separated list of ports and ranges ("80,443,8000-8099").
 * A leading '+' adds the list to the current contents; otherwise the list
 * replaces them. Returns 0, or WST_EUSAGE with the cause in errbuf.
 */
int wst_port_set_parse(struct wst_port_set *set, const char *list, char *errbuf) WST_WARN_UNUSED;

static inline bool wst_port_set_has(const struct wst_port_set *set, uint16_t port)
{
    return (set->bits[port >> 6] >> (port & 63)) & 1;
}

/*
 * Guesses which of two ports is the server's; returns 0 or 1. In order: the
 * only port in `set`; the only port below 1024; the only port outside the
 * ephemeral range 32768-65535; the lower port; for equal ports,
 * `first_dst`, the index of the first packet's receiver.
 */
int wst_ports_guess_server(const struct wst_port_set *set, uint16_t port0, uint16_t port1, int first_dst);

#endif
