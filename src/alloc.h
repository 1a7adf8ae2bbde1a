/*
 * alloc.h - the one allocator and out-of-memory policy (private to src/).
 *
 * Policy, chosen deliberately: an allocation that fails prints one line
 * naming what was asked for and exits with status 1, as libjudy's own
 * allocation failures do. Memory is bounded by limits on what is tracked
 * (the connection table, the findings' groups, the timeline's length)
 * rather than by half-handled allocation failures in forty places, so no
 * caller ever sees NULL from these functions.
 */
#ifndef WST_ALLOC_H
#define WST_ALLOC_H

#include <stddef.h>

/* Huge page size on x86-64 and arm64 Linux. */
#define WST_HUGE_PAGE ((size_t)2 << 20)

/* calloc() that never returns NULL (n or size 0 may give NULL). */
void *wst_xcalloc(size_t n, size_t size);

/* realloc() of n elements of size bytes, with an overflow check; never NULL for a non-zero size. */
void *wst_xrealloc(void *p, size_t n, size_t size);

/* The policy for an allocation that failed elsewhere (libjudy's): one line naming `what`, exit 1. */
_Noreturn void wst_out_of_memory(const char *what);

/*
 * Memory for large, long-lived, randomly accessed tables: `size` rounded up
 * to whole 2 MiB pages, aligned to them and marked MADV_HUGEPAGE, so the
 * kernel may back it with huge pages (fewer TLB misses). Zero-filled (fresh
 * anonymous pages). Free with wst_huge_free() and the same size.
 */
void *wst_huge_alloc(size_t size);
void wst_huge_free(void *p, size_t size);

#endif
