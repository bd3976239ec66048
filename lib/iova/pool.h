/* SPDX-License-Identifier: MIT */
/*
 * The shared IOVA pool behind one allocator: free extents, outstanding
 * blocks and the node memory for both, under one lock. See pool.c for the
 * design. Everything here works in 4 KiB page frames (pfn = iova >> 12);
 * frame ranges are [start, end) with end <= 2^52.
 */
#ifndef UVF_IOVA_POOL_H
#define UVF_IOVA_POOL_H

#include <sched.h>
#include <stdatomic.h>

#include <uvf/types.h>

#include "blockmap.h"
#include "slab.h"
#include "tree.h"

struct iova_usable {
	uint64_t start, end;	/* frames, [start, end) */
};

struct iova_pool {
	atomic_uint lock;		/* iova_pool_lock() */
	struct iova_tree free;		/* maximal free extents */
	struct iova_node *hint;		/* an extent near the last change */
	struct iova_tree out;		/* reservations */
	struct iova_map blocks;		/* allocated blocks, thread-cached too */
	struct iova_slabs nodes;	/* node memory of both trees */
	uint64_t nr_blocks;		/* allocated blocks in the map */
	uint64_t free_pages;
	uint64_t total_pages;
	struct iova_usable *usable;	/* sorted, adjacent ranges merged */
	size_t nr_usable;
};

/**
 * iova_pool_metadata_bytes() - memory the pool holds for its indexes
 * @p: pool, locked
 *
 * Return: bytes of tree nodes and block map.
 */
static inline uint64_t iova_pool_metadata_bytes(const struct iova_pool *p)
{
	return p->nodes.bytes + p->blocks.bytes;
}

/**
 * iova_pool_lock() - take the pool's lock
 * @p: pool
 *
 * A spinlock that yields the CPU while it waits: it is held for tens of
 * nanoseconds, less than a futex sleep and wake-up would cost, and its
 * release is a plain store where a mutex's needs an atomic exchange (the
 * kernel's IOVA allocator uses a spinlock for the same reason).
 *
 * Return: nothing.
 */
static inline void iova_pool_lock(struct iova_pool *p)
{
	while (atomic_exchange_explicit(&p->lock, 1, memory_order_acquire)) {
		for (int spin = 0;
		     atomic_load_explicit(&p->lock, memory_order_relaxed);
		     spin++) {
			if (spin >= 64)
				sched_yield();
			else
				__asm__ volatile("" ::: "memory");
		}
	}
}

/**
 * iova_pool_unlock() - drop the pool's lock
 * @p: pool, locked by the caller
 *
 * Return: nothing.
 */
static inline void iova_pool_unlock(struct iova_pool *p)
{
	atomic_store_explicit(&p->lock, 0, memory_order_release);
}

/**
 * iova_pool_init() - set up a pool over @nr usable byte ranges
 * @p: pool
 * @usable: inclusive ranges, page aligned at both ends, not overlapping
 * @nr: count, at least one
 *
 * Return: 0, -EINVAL (bad ranges), -ENOMEM.
 */
int iova_pool_init(struct iova_pool *p, const struct uvf_iova_range *usable,
		   size_t nr);

/**
 * iova_pool_fini() - free everything the pool holds
 * @p: pool
 *
 * Return: nothing.
 */
void iova_pool_fini(struct iova_pool *p);

/*
 * The calls below need @p->lock held, except iova_pool_in_usable(), which
 * reads only what iova_pool_init() wrote.
 */

/**
 * iova_pool_alloc() - take the lowest block of 2^@order frames among the
 *                     smallest free blocks that can hold it
 * @p: pool
 * @order: 0..IOVA_MAX_ORDER
 * @pfn: first frame of the block
 *
 * Return: 0, -ENOSPC, -ENOMEM.
 */
int iova_pool_alloc(struct iova_pool *p, unsigned int order, uint64_t *pfn);

/**
 * iova_pool_release() - give back an allocated block without asking for it
 *                       to be right (cache drains, free_fast)
 * @p: pool
 * @pfn: first frame
 * @order: block order
 *
 * A block that is not outstanding as exactly that allocation is left alone,
 * so a stray double free of a large block cannot corrupt the pool. So is
 * one that would need a new free-extent node when none can be allocated.
 *
 * Return: 0 when the block went back, -ENOENT (not outstanding as that
 * block), -ENOMEM (no node for the free extent; it stays outstanding).
 */
int iova_pool_release(struct iova_pool *p, uint64_t pfn, unsigned int order);

/**
 * iova_pool_free() - checked free of an allocation or a reservation
 * @p: pool
 * @pfn: first frame
 * @pages: for allocations, any count that rounds up to the block; for
 *         reservations, the reserved count
 *
 * Return: 0, -ENOENT or -ENOMEM (no memory for the free extent it would
 * become); nothing changed unless 0.
 */
int iova_pool_free(struct iova_pool *p, uint64_t pfn, uint64_t pages);

/**
 * iova_pool_reserve() - take [@pfn, @pfn + @pages) out of the free space
 * @p: pool
 * @pfn: first frame
 * @pages: count, @pfn + @pages <= 2^52
 *
 * Return: 0, -ERANGE (not inside the usable ranges), -EEXIST (part of it
 * is not free), -ENOMEM.
 */
int iova_pool_reserve(struct iova_pool *p, uint64_t pfn, uint64_t pages);

/**
 * iova_pool_free_blocks() - maximal aligned blocks tiling the free extents
 * @p: pool
 *
 * A walk of every extent, for statistics: keeping the count current would
 * cost every allocation and free two tilings of the extents they change.
 *
 * Return: the count.
 */
uint64_t iova_pool_free_blocks(const struct iova_pool *p);

/**
 * iova_pool_in_usable() - whether [@start, @end) lies in one usable range
 * @p: pool
 * @start: first frame
 * @end: one past the last frame
 *
 * Return: true when it does.
 */
bool iova_pool_in_usable(const struct iova_pool *p, uint64_t start,
			 uint64_t end);

/**
 * iova_pool_none_free() - whether no frame of [@start, @end) is free
 * @p: pool
 * @start: first frame
 * @end: one past the last frame
 *
 * Return: true when every frame is outstanding or outside the usable set.
 */
bool iova_pool_none_free(const struct iova_pool *p, uint64_t start,
			 uint64_t end);

#endif
