/* SPDX-License-Identifier: MIT */
/*
 * Per-thread caches of small IOVA blocks in front of an iova_pool, after
 * the kernel's iova rcache (magazines per CPU plus a shared depot; here per
 * thread and per allocator). See rcache.c for the locking rules.
 */
#ifndef UVF_IOVA_RCACHE_H
#define UVF_IOVA_RCACHE_H

#include <uvf/iova.h>

#include "pool.h"

/* Orders 0..5 are cached: 1 to UVF_IOVA_CACHED_MAX_PAGES pages. */
#define IOVA_CACHED_ORDERS 6
_Static_assert(1u << (IOVA_CACHED_ORDERS - 1) == UVF_IOVA_CACHED_MAX_PAGES,
	       "cached orders must match UVF_IOVA_CACHED_MAX_PAGES");

/* Full magazines kept per order for any thread to pick up. */
#define IOVA_DEPOT_MAGS 32

struct iova_magazine;
struct iova_tcache;

struct iova_rcache {
	uint64_t id;		/* unique for the process lifetime, never 0 */
	struct iova_pool *pool;
	/* Under the registry lock: */
	struct iova_tcache *caches;	/* one per thread that used this */
	uint64_t retired_hits;		/* counters of caches already gone */
	uint64_t retired_misses;
	/* Under pool->lock: */
	struct iova_magazine *depot[IOVA_CACHED_ORDERS][IOVA_DEPOT_MAGS];
	unsigned int depot_size[IOVA_CACHED_ORDERS];
};

/**
 * iova_rcache_init() - empty caches in front of @pool
 * @rc: caches
 * @pool: the pool blocks come from and go back to
 *
 * Return: nothing.
 */
void iova_rcache_init(struct iova_rcache *rc, struct iova_pool *pool);

/**
 * iova_rcache_fini() - detach every thread's cache and free the magazines;
 *                      the cached blocks are dropped with the pool
 * @rc: caches, not in use by any thread
 *
 * Return: nothing.
 */
void iova_rcache_fini(struct iova_rcache *rc);

/**
 * iova_rcache_get() - pop a cached block of 2^@order pages
 * @rc: caches
 * @order: below IOVA_CACHED_ORDERS
 * @pfn: first frame of the block
 *
 * Return: true on a hit.
 */
bool iova_rcache_get(struct iova_rcache *rc, unsigned int order,
		     uint64_t *pfn);

/**
 * iova_rcache_put() - park a freed block in the calling thread's cache
 * @rc: caches
 * @order: below IOVA_CACHED_ORDERS
 * @pfn: first frame of an outstanding block of that order
 *
 * Return: true when cached; false when the caller must give it to the pool.
 */
bool iova_rcache_put(struct iova_rcache *rc, unsigned int order,
		     uint64_t pfn);

/**
 * iova_rcache_flush() - give every cached block back to the pool
 * @rc: caches
 *
 * Return: nothing.
 */
void iova_rcache_flush(struct iova_rcache *rc);

/**
 * iova_rcache_stats() - consistent snapshot of the pool and the caches
 * @rc: caches
 * @st: filled in
 *
 * Return: nothing.
 */
void iova_rcache_stats(struct iova_rcache *rc, struct uvf_iova_stats *st);

#endif
