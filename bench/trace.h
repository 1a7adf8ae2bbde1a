/*
 * trace.h - the benchmark's synthetic capture (see trace.c).
 */
#ifndef WST_BENCH_TRACE_H
#define WST_BENCH_TRACE_H

#include <stdint.h>
#include <stdlib.h>

struct bench_trace_info {
    uint64_t packets;
    uint32_t conns;
};

/*
 * Writes a classic pcap of `conns` connections, about `concurrent` open at
 * once, to path. Returns 0, or -1 with errno set.
 */
int bench_trace_write(const char *path, uint32_t conns, uint32_t concurrent, struct bench_trace_info *info);

#endif
