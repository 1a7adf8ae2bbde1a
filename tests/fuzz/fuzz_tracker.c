/*
 * fuzz_tracker.c - libFuzzer target for the whole tracker: the input is a
 * configuration and a stream of segments (tests/chaos.h says how bytes
 * become them), and chaos_run() aborts when an invariant of the records,
 * anomalies, counters or findings breaks.
 */
#include <stddef.h>
#include <stdint.h>

#include "chaos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct chaos_result r;
    chaos_run(data, size, &r);
    return 0;
}
