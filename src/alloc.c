/*
 * alloc.c - the allocator and its out-of-memory policy (alloc.h).
 */
#include "alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

void wst_out_of_memory(const char *what)
{
    fprintf(stderr, "wirestate: out of memory (%s)\n", what);
    exit(1);
}

void *wst_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (p == NULL && n != 0 && size != 0) {
        char what[40];
        snprintf(what, sizeof what, "%zu bytes", n * size);
        wst_out_of_memory(what);
    }
    return p;
}

/* Size of a huge allocation: whole 2 MiB pages. */
static size_t huge_size(size_t size)
{
    return (size + WST_HUGE_PAGE - 1) & ~(WST_HUGE_PAGE - 1);
}

void *wst_xrealloc(void *p, size_t n, size_t size)
{
    char what[64];
    if (size && n > SIZE_MAX / size) {
        snprintf(what, sizeof what, "%zu x %zu bytes", n, size);
        wst_out_of_memory(what);
    }
    void *q = realloc(p, n * size);
    if (q == NULL && n * size != 0) {
        snprintf(what, sizeof what, "%zu bytes", n * size);
        wst_out_of_memory(what);
    }
    return q;
}

void *wst_huge_alloc(size_t size)
{
    /* mmap() twice the size and unmap the unaligned ends: the region is
     * 2 MiB aligned without wasting address space or touching a page. */
    size = huge_size(size);
    uint8_t *raw = mmap(NULL, size + WST_HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) {
        char what[40];
        snprintf(what, sizeof what, "%zu bytes", size);
        wst_out_of_memory(what);
    }
    uint8_t *p = (uint8_t *)(((uintptr_t)raw + WST_HUGE_PAGE - 1) & ~(uintptr_t)(WST_HUGE_PAGE - 1));
    if (p > raw)
        munmap(raw, (size_t)(p - raw));
    if (p + size < raw + size + WST_HUGE_PAGE)
        munmap(p + size, (size_t)(raw + size + WST_HUGE_PAGE - (p + size)));
#ifdef MADV_HUGEPAGE
    madvise(p, size, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
#endif
    return p;
}

void wst_huge_free(void *p, size_t size)
{
    if (p)
        munmap(p, huge_size(size));
}
