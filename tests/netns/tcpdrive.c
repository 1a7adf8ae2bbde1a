/*
 * tcpdrive.c - a scriptable TCP socket driver, so that shell scripts can make
 * the real Linux TCP stack produce a chosen exchange (in network namespaces)
 * while tcpdump records it.
 *
 *   tcpdrive listen  ADDR PORT [OPTIONS] [STEP ...]
 *       bind ADDR:PORT, listen, accept ONE connection, run the steps on it.
 *   tcpdrive connect ADDR PORT [OPTIONS] [STEP ...]
 *       connect to ADDR:PORT, run the steps on the connected socket.
 *
 * ADDR is an IPv4 or IPv6 literal. Options may appear anywhere after PORT:
 *
 *   --bind ADDR:PORT, --bind [V6]:PORT   connect: fixed local address and
 *                          port (SO_REUSEADDR), so recorded 4-tuples are
 *                          stable from one recording to the next.
 *   --connect-timeout MS   connect: non-blocking connect + poll; when MS pass
 *                          without an answer, close the socket and exit 3.
 *                          Without it the kernel's own SYN retry limit
 *                          applies (about two minutes).
 *   --ready FILE           listen: create FILE once the socket listens, so a
 *                          script can start the client without racing.
 *   --accept-timeout MS    listen: give up (exit 3) if nobody connects.
 *   --backlog N            listen: the listen(2) backlog (default 1). Linux
 *                          also bounds by it the handshakes a listener keeps
 *                          half-open (SYN_RCVD): once that many wait, a new
 *                          SYN is answered with a SYN cookie (no socket
 *                          kept) or dropped.
 *   --fastopen QLEN        listen: TCP_FASTOPEN with that queue length, so
 *                          the listener takes data on a SYN with a valid
 *                          cookie (RFC 7413; net.ipv4.tcp_fastopen must
 *                          enable the server side).
 *   --fastopen 1           connect: TCP_FASTOPEN_CONNECT, so connect()
 *                          returns at once and the first send carries the
 *                          SYN, with its data when a cookie is cached (the
 *                          first connection to a server only asks for one).
 *   --rcvbuf BYTES         SO_RCVBUF before listen or connect (the kernel
 *                          doubles it), so that a peer's writes fill our
 *                          receive window soon; an accepted socket inherits
 *                          it from the listener, and the window scale the
 *                          handshake announces is chosen from it.
 *
 * Steps, run in order; "socket" marks those that need the socket still open
 * (after a "close" step they fail with exit 4):
 *
 *   step                 socket  what it does
 *   send:N                 yes   write N bytes of the stream pattern, fully
 *                                (MSG_NOSIGNAL: a reset peer is an error,
 *                                not a SIGPIPE).
 *   recv:N                 yes   read exactly N bytes; EOF first is an error.
 *   recveof                yes   read and discard until EOF.
 *   shutwr                 yes   shutdown(SHUT_WR): send our FIN, keep reading.
 *   shutrd                 yes   shutdown(SHUT_RD): local only, sends nothing.
 *   close                  yes   close(2) the socket now.
 *   linger0                yes   SO_LINGER on with 0 s, so that a later close
 *                                (or exit) aborts with RST instead of FIN.
 *   nodelay                yes   TCP_NODELAY: turn Nagle off.
 *   keepalive:IDLE,INTVL,CNT
 *                          yes   SO_KEEPALIVE plus TCP_KEEPIDLE, TCP_KEEPINTVL
 *                                and TCP_KEEPCNT, all in seconds.
 *   sleep:MS               no    sleep MS milliseconds.
 *   hold:MS                no    sleep MS milliseconds, then exit; must be the
 *                                last step. This is how to keep a socket open
 *                                for a while: exit closes it anyway.
 *   wait:FILE              no    wait until FILE exists (checked every 10 ms,
 *                                exit 3 after 60 s), so that a script can
 *                                order the steps of two processes.
 *   touch:FILE             no    create FILE (the other half of wait:FILE).
 *
 * After the last step tcpdrive exits without closing the socket itself; the
 * kernel closes it at exit, exactly as close(2) would (FIN, or RST when data
 * is still unread or linger0 was set).
 *
 * Exit status: 0 success; 1 usage; 2 connection refused (ECONNREFUSED);
 * 3 timed out (connect or accept timeout, ETIMEDOUT, wait:FILE limit);
 * 4 any other error, with one line on stderr naming the cause. Nothing is
 * printed on success.
 *
 * Assumptions:
 *  1. One process drives one connection. The listening socket is closed as
 *     soon as one connection is accepted, so a second SYN to the port gets
 *     RST rather than sitting unanswered in the backlog. (With --backlog N,
 *     more handshakes may wait in the listener's queues before that accept;
 *     none of them is ever accepted.)
 *  2. Byte k of each direction is 'a' + k % 26 ("abc...z" repeated), so a
 *     payload in a capture shows at which stream offset it starts.
 *  3. All steps are checked before the socket is created: a typo never leaves
 *     a half-run exchange in a capture.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    EXIT_USAGE = 1,
    EXIT_REFUSED = 2,
    EXIT_TIMEDOUT = 3,
    EXIT_FAILED = 4,
};

#define WAIT_FILE_POLL_MS 10
#define WAIT_FILE_LIMIT_MS 60000
#define IO_CHUNK 65536

/* Live state of the one connection being driven. */
struct drive {
    int fd;                 /* connected socket, -1 once closed */
    uint64_t sent_bytes;    /* stream offset of the next byte we send */
    unsigned char buf[IO_CHUNK];
};

enum arg_kind {
    ARG_NONE,       /* "nodelay" */
    ARG_COUNT,      /* "send:N": a byte count */
    ARG_MS,         /* "sleep:MS": milliseconds */
    ARG_FILE,       /* "wait:FILE": a path */
    ARG_KEEPALIVE,  /* "keepalive:IDLE,INTVL,CNT": three counts of seconds */
};

struct step;

/* Runs one step; returns 0, or an exit code after printing the cause. */
typedef int step_fn(struct drive *d, const struct step *s);

struct step_def {
    const char *name;
    enum arg_kind arg;
    bool needs_socket;
    step_fn *run;
};

/* One parsed command-line step. */
struct step {
    const struct step_def *def;
    const char *text;       /* the argument as given, for messages */
    uint64_t count;         /* ARG_COUNT bytes, or ARG_MS milliseconds */
    const char *path;       /* ARG_FILE */
    int keepalive[3];       /* ARG_KEEPALIVE: idle, interval, count (s) */
};

static const char *current_step = "setup";

/* Prints "tcpdrive: <step>: <what>: <strerror>" and returns the exit code
 * that errno value maps to. */
static int fail_errno(const char *what, int err)
{
    fprintf(stderr, "tcpdrive: %s: %s: %s\n", current_step, what,
            strerror(err));
    if (err == ECONNREFUSED)
        return EXIT_REFUSED;
    if (err == ETIMEDOUT)
        return EXIT_TIMEDOUT;
    return EXIT_FAILED;
}

/* Prints a cause that has no errno value and returns code. */
static int fail_msg(int code, const char *msg)
{
    fprintf(stderr, "tcpdrive: %s: %s\n", current_step, msg);
    return code;
}

static uint64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void sleep_ms(uint64_t ms)
{
    struct timespec ts = { .tv_sec = (time_t)(ms / 1000u),
                           .tv_nsec = (long)(ms % 1000u) * 1000000L };

    /* nanosleep leaves the remaining time in ts when a signal cuts it short. */
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* Waits for events on fd for at most timeout_ms (-1: forever), resuming
 * after signals with the time that is left. Returns 1 when ready, 0 on
 * timeout, or -1 with errno set. */
static int wait_fd(int fd, short events, long timeout_ms)
{
    uint64_t deadline = timeout_ms < 0 ? 0 : now_ms() + (uint64_t)timeout_ms;

    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = events };
        int left = -1;
        int rc;

        if (timeout_ms >= 0) {
            uint64_t now = now_ms();
            left = now >= deadline ? 0 : (int)(deadline - now);
        }
        rc = poll(&pfd, 1, left);
        if (rc >= 0)
            return rc;
        if (errno != EINTR)
            return -1;
    }
}

/* Creates (or truncates) path. Returns 0, or -1 with errno set. */
static int touch_file(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

    if (fd < 0)
        return -1;
    return close(fd);
}

/* ---- steps -------------------------------------------------------------- */

static int step_send(struct drive *d, const struct step *s)
{
    uint64_t left = s->count;

    while (left > 0) {
        size_t n = left < sizeof d->buf ? (size_t)left : sizeof d->buf;
        size_t i;
        ssize_t w;

        for (i = 0; i < n; i++)
            d->buf[i] = (unsigned char)('a' + (d->sent_bytes + i) % 26);
        w = send(d->fd, d->buf, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return fail_errno("send", errno);
        }
        d->sent_bytes += (uint64_t)w;
        left -= (uint64_t)w;
    }
    return 0;
}

/* Reads up to want bytes (want == 0: until EOF). Returns 0 when want bytes
 * arrived or EOF was reached in recveof mode, else an exit code. */
static int read_bytes(struct drive *d, uint64_t want)
{
    uint64_t got = 0;

    while (want == 0 || got < want) {
        size_t n = sizeof d->buf;
        ssize_t r;

        if (want != 0 && want - got < n)
            n = (size_t)(want - got);
        r = recv(d->fd, d->buf, n, 0);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return fail_errno("recv", errno);
        }
        if (r == 0) {
            char msg[96];

            if (want == 0)
                return 0;
            snprintf(msg, sizeof msg, "EOF after %llu of %llu bytes",
                     (unsigned long long)got, (unsigned long long)want);
            return fail_msg(EXIT_FAILED, msg);
        }
        got += (uint64_t)r;
    }
    return 0;
}

static int step_recv(struct drive *d, const struct step *s)
{
    return read_bytes(d, s->count);
}

static int step_recveof(struct drive *d, const struct step *s)
{
    (void)s;
    return read_bytes(d, 0);
}

static int step_shutwr(struct drive *d, const struct step *s)
{
    (void)s;
    if (shutdown(d->fd, SHUT_WR) < 0)
        return fail_errno("shutdown", errno);
    return 0;
}

static int step_shutrd(struct drive *d, const struct step *s)
{
    (void)s;
    if (shutdown(d->fd, SHUT_RD) < 0)
        return fail_errno("shutdown", errno);
    return 0;
}

static int step_close(struct drive *d, const struct step *s)
{
    int fd = d->fd;

    (void)s;
    d->fd = -1;
    /* The descriptor is gone even when close reports an error (POSIX leaves
     * it unspecified, Linux always releases it), so never retry. */
    if (close(fd) < 0)
        return fail_errno("close", errno);
    return 0;
}

static int step_linger0(struct drive *d, const struct step *s)
{
    struct linger lg = { .l_onoff = 1, .l_linger = 0 };

    (void)s;
    if (setsockopt(d->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) < 0)
        return fail_errno("setsockopt SO_LINGER", errno);
    return 0;
}

static int step_nodelay(struct drive *d, const struct step *s)
{
    int on = 1;

    (void)s;
    if (setsockopt(d->fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) < 0)
        return fail_errno("setsockopt TCP_NODELAY", errno);
    return 0;
}

static int step_keepalive(struct drive *d, const struct step *s)
{
    static const struct {
        int level, name;
        const char *what;
    } opts[] = {
        { IPPROTO_TCP, TCP_KEEPIDLE, "setsockopt TCP_KEEPIDLE" },
        { IPPROTO_TCP, TCP_KEEPINTVL, "setsockopt TCP_KEEPINTVL" },
        { IPPROTO_TCP, TCP_KEEPCNT, "setsockopt TCP_KEEPCNT" },
    };
    int on = 1;
    size_t i;

    /* Timers first: the kernel arms the keepalive timer when SO_KEEPALIVE
     * goes on, with whatever idle time is set at that moment. */
    for (i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (setsockopt(d->fd, opts[i].level, opts[i].name, &s->keepalive[i],
                       sizeof s->keepalive[i]) < 0)
            return fail_errno(opts[i].what, errno);
    }
    if (setsockopt(d->fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on) < 0)
        return fail_errno("setsockopt SO_KEEPALIVE", errno);
    return 0;
}

static int step_sleep(struct drive *d, const struct step *s)
{
    (void)d;
    sleep_ms(s->count);
    return 0;
}

static int step_wait(struct drive *d, const struct step *s)
{
    uint64_t deadline = now_ms() + WAIT_FILE_LIMIT_MS;

    (void)d;
    while (access(s->path, F_OK) < 0) {
        if (errno != ENOENT)
            return fail_errno(s->path, errno);
        if (now_ms() >= deadline)
            return fail_msg(EXIT_TIMEDOUT, "file did not appear within 60 s");
        sleep_ms(WAIT_FILE_POLL_MS);
    }
    return 0;
}

static int step_touch(struct drive *d, const struct step *s)
{
    (void)d;
    if (touch_file(s->path) < 0)
        return fail_errno(s->path, errno);
    return 0;
}

/* Every step name, the argument it takes and whether it needs the socket.
 * "hold" is "sleep" plus the parser's rule that it comes last. */
static const struct step_def step_defs[] = {
    /* name        argument       socket  handler */
    { "send",      ARG_COUNT,     true,   step_send },
    { "recv",      ARG_COUNT,     true,   step_recv },
    { "recveof",   ARG_NONE,      true,   step_recveof },
    { "shutwr",    ARG_NONE,      true,   step_shutwr },
    { "shutrd",    ARG_NONE,      true,   step_shutrd },
    { "close",     ARG_NONE,      true,   step_close },
    { "linger0",   ARG_NONE,      true,   step_linger0 },
    { "nodelay",   ARG_NONE,      true,   step_nodelay },
    { "keepalive", ARG_KEEPALIVE, true,   step_keepalive },
    { "sleep",     ARG_MS,        false,  step_sleep },
    { "hold",      ARG_MS,        false,  step_sleep },
    { "wait",      ARG_FILE,      false,  step_wait },
    { "touch",     ARG_FILE,      false,  step_touch },
};

/* ---- parsing ------------------------------------------------------------ */

static void usage(void)
{
    fputs("usage: tcpdrive listen ADDR PORT [--ready FILE] "
          "[--accept-timeout MS] [--backlog N] [--fastopen QLEN] "
          "[--rcvbuf BYTES] [STEP ...]\n"
          "       tcpdrive connect ADDR PORT [--bind ADDR:PORT] "
          "[--connect-timeout MS] [--fastopen 1] [--rcvbuf BYTES] "
          "[STEP ...]\n"
          "steps: send:N recv:N recveof shutwr shutrd close linger0 nodelay\n"
          "       keepalive:IDLE,INTVL,CNT sleep:MS hold:MS wait:FILE "
          "touch:FILE\n",
          stderr);
}

/* Parses a whole decimal number in [min, max]. Returns 0, or -1 when text
 * is empty, has trailing characters or is out of range. */
static int parse_num(const char *text, uint64_t min, uint64_t max,
                     uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (text[0] < '0' || text[0] > '9')
        return -1;
    errno = 0;
    v = strtoull(text, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

/* Fills ss from an address literal and a port. Returns 0 or -1. */
static int make_sockaddr(const char *addr, uint64_t port,
                         struct sockaddr_storage *ss, socklen_t *len)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof *ss);
    if (inet_pton(AF_INET, addr, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        *len = sizeof *sin;
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        *len = sizeof *sin6;
        return 0;
    }
    return -1;
}

/* Parses "ADDR:PORT" or "[V6]:PORT" (port 0 lets the kernel choose). */
static int parse_endpoint(const char *text, struct sockaddr_storage *ss,
                          socklen_t *len)
{
    char host[INET6_ADDRSTRLEN + 2];
    const char *colon = strrchr(text, ':');
    size_t host_len;
    uint64_t port;

    if (colon == NULL || parse_num(colon + 1, 0, 65535, &port) < 0)
        return -1;
    host_len = (size_t)(colon - text);
    if (host_len >= 2 && text[0] == '[' && text[host_len - 1] == ']') {
        text++;
        host_len -= 2;
    }
    if (host_len == 0 || host_len >= sizeof host)
        return -1;
    memcpy(host, text, host_len);
    host[host_len] = '\0';
    return make_sockaddr(host, port, ss, len);
}

/* Parses "name" or "name:arg" into s. Returns 0 or -1. */
static int parse_step(const char *text, struct step *s)
{
    const char *colon = strchr(text, ':');
    size_t name_len = colon ? (size_t)(colon - text) : strlen(text);
    const char *arg = colon ? colon + 1 : NULL;
    size_t i;

    memset(s, 0, sizeof *s);
    s->text = text;
    for (i = 0; i < sizeof step_defs / sizeof step_defs[0]; i++) {
        if (strlen(step_defs[i].name) == name_len &&
            strncmp(step_defs[i].name, text, name_len) == 0)
            s->def = &step_defs[i];
    }
    if (s->def == NULL || (s->def->arg == ARG_NONE) != (arg == NULL))
        return -1;

    switch (s->def->arg) {
    case ARG_NONE:
        return 0;
    case ARG_COUNT:
        return parse_num(arg, 1, UINT64_MAX, &s->count);
    case ARG_MS:
        return parse_num(arg, 0, INT_MAX, &s->count);
    case ARG_FILE:
        s->path = arg;
        return arg[0] != '\0' ? 0 : -1;
    case ARG_KEEPALIVE: {
        /* Three comma-separated seconds; each must fit the kernel's int. */
        char copy[64];
        char *field = copy;
        int k;

        if (strlen(arg) >= sizeof copy)
            return -1;
        strcpy(copy, arg);
        for (k = 0; k < 3; k++) {
            char *comma = strchr(field, ',');
            uint64_t v;

            if ((comma == NULL) != (k == 2))
                return -1;
            if (comma != NULL)
                *comma = '\0';
            if (parse_num(field, 1, INT_MAX, &v) < 0)
                return -1;
            s->keepalive[k] = (int)v;
            field = comma + 1;
        }
        return 0;
    }
    }
    return -1;
}

/* ---- connection setup ---------------------------------------------------- */

struct options {
    bool is_listen;
    struct sockaddr_storage peer;   /* listen: local address; connect: target */
    socklen_t peer_len;
    bool has_bind;
    struct sockaddr_storage local;  /* --bind */
    socklen_t local_len;
    long connect_timeout_ms;        /* -1: blocking connect */
    long accept_timeout_ms;         /* -1: wait forever */
    int backlog;                    /* --backlog; 1 unless given */
    int fastopen;                   /* --fastopen; 0: off */
    int rcvbuf;                     /* --rcvbuf; 0: the kernel's default */
    const char *ready_path;
};

/* Applies --rcvbuf to a socket not yet listening or connected. Returns 0 or
 * an exit code. */
static int set_rcvbuf(const struct options *opt, int fd)
{
    if (opt->rcvbuf == 0)
        return 0;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &opt->rcvbuf,
                   sizeof opt->rcvbuf) < 0)
        return fail_errno("setsockopt SO_RCVBUF", errno);
    return 0;
}

/* Listens on opt->peer, accepts one connection into d->fd and closes the
 * listener (assumption 1). Returns 0 or an exit code. */
static int do_listen(const struct options *opt, struct drive *d)
{
    int lfd, on = 1, rc;

    lfd = socket(opt->peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0)
        return fail_errno("socket", errno);
    /* Earlier recordings leave TIME_WAIT sockets on the same port. */
    if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) {
        rc = fail_errno("setsockopt SO_REUSEADDR", errno);
        goto fail;
    }
    rc = set_rcvbuf(opt, lfd);
    if (rc != 0)
        goto fail;
    if (opt->fastopen && setsockopt(lfd, IPPROTO_TCP, TCP_FASTOPEN, &opt->fastopen, sizeof opt->fastopen) < 0) {
        rc = fail_errno("setsockopt TCP_FASTOPEN", errno);
        goto fail;
    }
    if (bind(lfd, (const struct sockaddr *)&opt->peer, opt->peer_len) < 0) {
        rc = fail_errno("bind", errno);
        goto fail;
    }
    if (listen(lfd, opt->backlog) < 0) {
        rc = fail_errno("listen", errno);
        goto fail;
    }
    if (opt->ready_path != NULL && touch_file(opt->ready_path) < 0) {
        rc = fail_errno(opt->ready_path, errno);
        goto fail;
    }
    rc = wait_fd(lfd, POLLIN, opt->accept_timeout_ms);
    if (rc < 0) {
        rc = fail_errno("poll", errno);
        goto fail;
    }
    if (rc == 0) {
        rc = fail_msg(EXIT_TIMEDOUT, "no connection before --accept-timeout");
        goto fail;
    }
    do
        d->fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    while (d->fd < 0 && errno == EINTR);
    if (d->fd < 0) {
        rc = fail_errno("accept", errno);
        goto fail;
    }
    rc = 0;
fail:
    close(lfd);
    return rc;
}

/* Connects d->fd to opt->peer, from opt->local if given. Returns 0 or an
 * exit code; on failure the socket is closed. */
static int do_connect(const struct options *opt, struct drive *d)
{
    int fd, on = 1, rc, err;
    socklen_t err_len = sizeof err;

    fd = socket(opt->peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return fail_errno("socket", errno);
    rc = set_rcvbuf(opt, fd);
    if (rc != 0)
        goto fail;
    if (opt->fastopen && setsockopt(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, &opt->fastopen, sizeof opt->fastopen) < 0) {
        rc = fail_errno("setsockopt TCP_FASTOPEN_CONNECT", errno);
        goto fail;
    }
    if (opt->has_bind) {
        /* Lets a re-recording reuse the port while an old socket that used it
         * against another peer port is still in TIME_WAIT. */
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) < 0) {
            rc = fail_errno("setsockopt SO_REUSEADDR", errno);
            goto fail;
        }
        if (bind(fd, (const struct sockaddr *)&opt->local,
                 opt->local_len) < 0) {
            rc = fail_errno("bind", errno);
            goto fail;
        }
    }
    if (opt->connect_timeout_ms < 0) {
        while (connect(fd, (const struct sockaddr *)&opt->peer,
                       opt->peer_len) < 0) {
            /* After EINTR the handshake goes on; wait for it like a
             * non-blocking connect would. */
            if (errno == EINTR || errno == EALREADY) {
                if (wait_fd(fd, POLLOUT, -1) < 0) {
                    rc = fail_errno("poll", errno);
                    goto fail;
                }
                goto check;
            }
            rc = fail_errno("connect", errno);
            goto fail;
        }
        d->fd = fd;
        return 0;
    }

    /* Non-blocking connect: only then can we stop waiting on our own clock
     * instead of the kernel's tcp_syn_retries. */
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0) {
        rc = fail_errno("fcntl", errno);
        goto fail;
    }
    if (connect(fd, (const struct sockaddr *)&opt->peer, opt->peer_len) < 0) {
        if (errno != EINPROGRESS) {
            rc = fail_errno("connect", errno);
            goto fail;
        }
        rc = wait_fd(fd, POLLOUT, opt->connect_timeout_ms);
        if (rc < 0) {
            rc = fail_errno("poll", errno);
            goto fail;
        }
        if (rc == 0) {
            rc = fail_msg(EXIT_TIMEDOUT, "no answer before --connect-timeout");
            goto fail;
        }
    }
    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) < 0) {
        rc = fail_errno("fcntl", errno);
        goto fail;
    }
check:
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) < 0) {
        rc = fail_errno("getsockopt SO_ERROR", errno);
        goto fail;
    }
    if (err != 0) {
        rc = fail_errno("connect", err);
        goto fail;
    }
    d->fd = fd;
    return 0;
fail:
    /* Closing a SYN-SENT socket sends nothing, so a timed-out attempt ends
     * in the capture with its last SYN. */
    close(fd);
    return rc;
}

/* Parses argv into opt and steps (steps has argc slots). Returns the number
 * of steps, or -1 after printing why the command line is wrong. */
static int parse_args(int argc, char **argv, struct options *opt,
                      struct step *steps)
{
    uint64_t port, v;
    int i, n = 0;

    if (argc < 4)
        return -1;
    memset(opt, 0, sizeof *opt);
    opt->connect_timeout_ms = -1;
    opt->accept_timeout_ms = -1;
    opt->backlog = 1;
    if (strcmp(argv[1], "listen") == 0)
        opt->is_listen = true;
    else if (strcmp(argv[1], "connect") != 0)
        return fprintf(stderr, "tcpdrive: unknown mode '%s'\n", argv[1]), -1;
    if (parse_num(argv[3], 1, 65535, &port) < 0 ||
        make_sockaddr(argv[2], port, &opt->peer, &opt->peer_len) < 0)
        return fprintf(stderr, "tcpdrive: bad address or port '%s' '%s'\n",
                       argv[2], argv[3]), -1;

    for (i = 4; i < argc; i++) {
        const char *a = argv[i];
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;

        if (strncmp(a, "--", 2) != 0) {
            if (parse_step(a, &steps[n]) < 0)
                return fprintf(stderr, "tcpdrive: bad step '%s'\n", a), -1;
            if (n > 0 && strcmp(steps[n - 1].def->name, "hold") == 0)
                return fprintf(stderr, "tcpdrive: hold must be the last "
                               "step\n"), -1;
            n++;
            continue;
        }
        if (val == NULL)
            return fprintf(stderr, "tcpdrive: %s needs a value\n", a), -1;
        i++;
        if (strcmp(a, "--bind") == 0 && !opt->is_listen) {
            if (parse_endpoint(val, &opt->local, &opt->local_len) < 0 ||
                opt->local.ss_family != opt->peer.ss_family)
                return fprintf(stderr, "tcpdrive: bad --bind '%s' (ADDR:PORT "
                               "or [V6]:PORT, same family as ADDR)\n",
                               val), -1;
            opt->has_bind = true;
        } else if (strcmp(a, "--connect-timeout") == 0 && !opt->is_listen) {
            if (parse_num(val, 1, INT_MAX, &v) < 0)
                return fprintf(stderr, "tcpdrive: bad %s '%s'\n", a, val), -1;
            opt->connect_timeout_ms = (long)v;
        } else if (strcmp(a, "--accept-timeout") == 0 && opt->is_listen) {
            if (parse_num(val, 1, INT_MAX, &v) < 0)
                return fprintf(stderr, "tcpdrive: bad %s '%s'\n", a, val), -1;
            opt->accept_timeout_ms = (long)v;
        } else if (strcmp(a, "--backlog") == 0 && opt->is_listen) {
            if (parse_num(val, 1, INT_MAX, &v) < 0)
                return fprintf(stderr, "tcpdrive: bad %s '%s'\n", a, val), -1;
            opt->backlog = (int)v;
        } else if (strcmp(a, "--fastopen") == 0) {
            if (parse_num(val, 1, opt->is_listen ? INT_MAX : 1, &v) < 0)
                return fprintf(stderr, "tcpdrive: bad %s '%s'\n", a, val), -1;
            opt->fastopen = (int)v;
        } else if (strcmp(a, "--ready") == 0 && opt->is_listen) {
            opt->ready_path = val;
        } else if (strcmp(a, "--rcvbuf") == 0) {
            if (parse_num(val, 1, INT_MAX / 2, &v) < 0)
                return fprintf(stderr, "tcpdrive: bad %s '%s'\n", a, val), -1;
            opt->rcvbuf = (int)v;
        } else {
            return fprintf(stderr, "tcpdrive: option %s is not valid in %s "
                           "mode\n", a, argv[1]), -1;
        }
    }
    return n;
}

/* Sets up the connection and runs the n steps. Returns the exit status. */
static int drive(int argc, char **argv, struct step *steps)
{
    static struct drive d = { .fd = -1 };
    char setup_label[128];
    struct options opt;
    int n, i, rc;

    n = parse_args(argc, argv, &opt, steps);
    if (n < 0) {
        usage();
        return EXIT_USAGE;
    }

    /* Setup failures name the command, e.g. "connect 10.0.0.2 80". */
    snprintf(setup_label, sizeof setup_label, "%s %s %s", argv[1], argv[2],
             argv[3]);
    current_step = setup_label;
    rc = opt.is_listen ? do_listen(&opt, &d) : do_connect(&opt, &d);
    if (rc != 0)
        return rc;

    for (i = 0; i < n; i++) {
        current_step = steps[i].text;
        if (steps[i].def->needs_socket && d.fd < 0)
            return fail_msg(EXIT_FAILED, "socket already closed");
        rc = steps[i].def->run(&d, &steps[i]);
        if (rc != 0)
            return rc;
    }
    /* No close here: exit(2) closes the socket just as close(2) would. */
    return 0;
}

int main(int argc, char **argv)
{
    /* At most one step per argument. */
    struct step *steps = calloc((size_t)(argc > 0 ? argc : 1), sizeof *steps);
    int rc;

    if (steps == NULL)
        return fail_errno("calloc", errno);
    rc = drive(argc, argv, steps);
    free(steps);
    return rc;
}
