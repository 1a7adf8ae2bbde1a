/*
 * ports.c - the port heuristic for a connection whose handshake was not seen.
 *
 * Ports below 1024 are "system ports" (RFC 6335 §6) and count as service
 * ports by rule. The default list adds registered ports that servers
 * commonly listen on; ephemeral ports are 32768-60999 on Linux and
 * 49152-65535 on most other systems (RFC 6335 §6 suggests the latter), so
 * 32768 and up counts as ephemeral.
 */
#include "wirestate/ports.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EPHEMERAL_MIN 32768

/* Registered ports servers commonly listen on (all system ports count anyway). */
static const uint16_t default_service_ports[] = {
    1080,  /* SOCKS */        1194,  /* OpenVPN */       1433,  /* MS SQL */
    1521,  /* Oracle */       1883,  /* MQTT */          2049,  /* NFS */
    2181,  /* ZooKeeper */    2375,  /* Docker */        2376,  /* Docker TLS */
    2379,  /* etcd client */  2380,  /* etcd peer */     3000,  /* web apps */
    3128,  /* Squid */        3268,  /* LDAP GC */       3306,  /* MySQL */
    3389,  /* RDP */          4222,  /* NATS */          5000,  /* web apps */
    5060,  /* SIP */          5061,  /* SIP TLS */       5222,  /* XMPP */
    5432,  /* PostgreSQL */   5601,  /* Kibana */        5672,  /* AMQP */
    5900,  /* VNC */          5984,  /* CouchDB */       6379,  /* Redis */
    6443,  /* Kubernetes */   6667,  /* IRC */           7000,  /* Cassandra */
    7001,  /* Cassandra TLS */ 8000, /* HTTP alt */      8008,  /* HTTP alt */
    8080,  /* HTTP alt */     8081,  /* HTTP alt */      8443,  /* HTTPS alt */
    8500,  /* Consul */       8883,  /* MQTT TLS */      8888,  /* HTTP alt */
    9000,  /* web apps */     9042,  /* Cassandra CQL */ 9090,  /* Prometheus */
    9092,  /* Kafka */        9093,  /* Kafka TLS */     9200,  /* Elasticsearch */
    9300,  /* Elasticsearch */ 9418, /* git */           10250, /* kubelet */
    11211, /* memcached */    15672, /* RabbitMQ */      27017, /* MongoDB */
};

static void set_add(struct wst_port_set *set, unsigned port)
{
    set->bits[port >> 6] |= (uint64_t)1 << (port & 63);
}

void wst_port_set_init_default(struct wst_port_set *set)
{
    memset(set, 0, sizeof *set);
    for (size_t i = 0; i < sizeof default_service_ports / sizeof default_service_ports[0]; i++)
        set_add(set, default_service_ports[i]);
}

/* Reads a port number at *s; advances *s. Returns -1 if there is none. */
static long parse_port(const char **s)
{
    if (**s < '0' || **s > '9')
        return -1;
    char *end;
    errno = 0;
    long v = strtol(*s, &end, 10);
    if (errno || v > 65535)
        return -1;
    *s = end;
    return v;
}

int wst_port_set_parse(struct wst_port_set *set, const char *list, char *errbuf)
{
    struct wst_port_set parsed;
    const char *s = list;
    bool add = false;
    if (*s == '+') {
        add = true;
        s++;
    }
    memset(&parsed, 0, sizeof parsed);
    for (;;) {
        long lo = parse_port(&s), hi = lo;
        if (lo >= 0 && *s == '-') {
            s++;
            hi = parse_port(&s);
        }
        if (lo < 0 || hi < lo) {
            snprintf(errbuf, WST_ERRBUF_SIZE, "bad port list '%s': expected PORT or LOW-HIGH (0-65535)", list);
            return WST_EUSAGE;
        }
        for (long p = lo; p <= hi; p++)
            set_add(&parsed, (unsigned)p);
        if (*s == '\0')
            break;
        if (*s++ != ',') {
            snprintf(errbuf, WST_ERRBUF_SIZE, "bad port list '%s': ports are separated by commas", list);
            return WST_EUSAGE;
        }
    }
    if (add) {
        for (size_t i = 0; i < sizeof parsed.bits / sizeof parsed.bits[0]; i++)
            set->bits[i] |= parsed.bits[i];
    } else {
        *set = parsed;
    }
    return 0;
}

int wst_ports_guess_server(const struct wst_port_set *set, uint16_t port0, uint16_t port1, int first_dst)
{
    bool in0 = wst_port_set_has(set, port0), in1 = wst_port_set_has(set, port1);
    if (in0 != in1)
        return in0 ? 0 : 1;
    bool sys0 = port0 < 1024, sys1 = port1 < 1024;
    if (sys0 != sys1)
        return sys0 ? 0 : 1;
    bool eph0 = port0 >= EPHEMERAL_MIN, eph1 = port1 >= EPHEMERAL_MIN;
    if (eph0 != eph1)
        return eph0 ? 1 : 0;
    if (port0 != port1)
        return port0 < port1 ? 0 : 1;
    return first_dst;
}
