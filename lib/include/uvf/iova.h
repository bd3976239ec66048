/* SPDX-License-Identifier: MIT */
/*
 * IOVA allocator: hands out I/O virtual addresses inside a domain's usable
 * ranges (aperture minus reserved regions).
 *
 * Sizes are whole 4 KiB pages. uvf_iova_alloc() rounds the size up to a
 * power-of-two number of pages and returns a naturally aligned block, like
 * the kernel's alloc_iova(..., size_aligned=true). Every operation is
 * O(log n) in the number of free/allocated blocks, also when the space is
 * fragmented and nearly full. Memory held for the index follows the free
 * extents, not the allocations, and is given back as the space empties.
 * Small blocks (up to UVF_IOVA_CACHED_MAX_PAGES) are recycled through
 * per-thread caches, so the common alloc + free_fast pair takes no shared lock (only a flag in the calling thread's own cache,
 * uncontended unless another thread is flushing). All calls are
 * thread-safe.
 *
 * Placement policy (deterministic): view the free space as its tiling by
 * maximal naturally aligned power-of-two blocks (what a fully coalesced buddy
 * allocator holds); an allocation of 2^k pages takes the lowest-addressed of
 * the smallest such blocks of at least 2^k pages and returns its first 2^k
 * pages. Blocks of up to UVF_IOVA_CACHED_MAX_PAGES freed with
 * uvf_iova_free_fast() are reused last-in first-out by the freeing thread
 * before the pool is asked.
 */
#ifndef UVF_IOVA_H
#define UVF_IOVA_H

#include <uvf/types.h>

/* Largest block, in pages, kept in the per-thread caches. */
#define UVF_IOVA_CACHED_MAX_PAGES 32

struct uvf_iova_allocator;

/*
 * Byte counts saturate at UINT64_MAX, which only happens when the usable
 * set is the whole 64-bit space (2^64 bytes).
 */
struct uvf_iova_stats {
	uint64_t total_bytes;     /* sum of the usable ranges */
	uint64_t free_bytes;      /* free in the shared pool (excludes cached) */
	uint64_t cached_bytes;    /* sitting in per-thread caches */
	uint64_t allocated_blocks;/* allocated or reserved, not counting cached */
	uint64_t free_blocks;     /* maximal aligned free blocks in the shared
				   * pool (the buddy view, see above): equal to
				   * its value at creation once everything is
				   * back */
	uint64_t cache_hits;      /* allocations served by a thread cache */
	uint64_t cache_misses;    /* cacheable allocations that were not */
	uint64_t metadata_bytes;  /* memory the pool holds to index free and
				   * outstanding space (tree nodes, block
				   * maps); given back as the space empties */
};

/**
 * uvf_iova_allocator_create() - create an allocator over usable ranges
 * @usable: inclusive ranges; each must start on a page boundary and end just
 *          before one (last + 1 page aligned); they may be unsorted but must
 *          not overlap
 * @nr: number of ranges, at least one
 * @out: the new allocator
 *
 * Return: 0, -EINVAL (no ranges, misaligned or overlapping ranges),
 * -ENOMEM.
 */
int uvf_iova_allocator_create(const struct uvf_iova_range *usable, size_t nr,
			      struct uvf_iova_allocator **out);

/**
 * uvf_iova_allocator_destroy() - free an allocator and all its caches
 * @a: allocator, may be NULL
 *
 * No thread may use @a concurrently or afterwards. Other threads may still
 * hold (empty) caches for @a: they are detached here and freed when their
 * thread exits or next allocates, without touching @a.
 *
 * Return: nothing.
 */
void uvf_iova_allocator_destroy(struct uvf_iova_allocator *a);

/**
 * uvf_iova_alloc() - allocate a naturally aligned block
 * @a: allocator
 * @size: bytes, a non-zero multiple of the page size; rounded up to a power
 *        of two
 * @iova: first address of the block
 *
 * The same sequence of calls on the same allocator gives the same addresses
 * (single-threaded), so layouts can be compared across backends.
 *
 * Return: 0, -EINVAL (zero or unaligned size), -ENOSPC (no free block that
 * large, even after the thread caches were drained), -ENOMEM.
 */
int uvf_iova_alloc(struct uvf_iova_allocator *a, uint64_t size,
		   uvf_iova_t *iova);

/**
 * uvf_iova_reserve() - take a fixed range out of the allocatable space
 * @a: allocator
 * @iova: first address, page aligned
 * @size: bytes, a non-zero multiple of the page size (any count of pages)
 *
 * Blocks sitting in thread caches are free space: on a conflict the caches
 * are drained and the check repeated before failing.
 *
 * Return: 0, -EINVAL (zero or unaligned), -EOVERFLOW (the range runs past
 * the top of the 64-bit space), -ERANGE (not entirely inside the usable
 * ranges), -EEXIST (overlaps an allocated or reserved block), -ENOMEM.
 */
int uvf_iova_reserve(struct uvf_iova_allocator *a, uvf_iova_t iova,
		     uint64_t size);

/**
 * uvf_iova_free() - give back a block from uvf_iova_alloc() or a
 *                   reservation from uvf_iova_reserve()
 * @a: allocator
 * @iova: address returned by uvf_iova_alloc() / given to uvf_iova_reserve()
 * @size: the size passed to that call (for uvf_iova_alloc() blocks, any
 *        size that rounds up to the same block is accepted)
 *
 * Checked: freeing anything that is not exactly an outstanding block fails
 * and changes nothing. Takes the allocator lock. A block already given back
 * with uvf_iova_free_fast() may still be parked in a thread cache, where it
 * looks outstanding; freeing it again is the double free that
 * uvf_iova_free_fast() leaves undefined.
 *
 * Return: 0, -EINVAL (zero or unaligned), -ENOENT (not an outstanding
 * block of that size), -ENOMEM (the block would become a free extent of its
 * own and no memory is left for its node; nothing changed).
 */
int uvf_iova_free(struct uvf_iova_allocator *a, uvf_iova_t iova,
		  uint64_t size);

/**
 * uvf_iova_free_fast() - give back a block without checking it
 * @a: allocator
 * @iova: address returned by uvf_iova_alloc()
 * @size: the size passed to uvf_iova_alloc()
 *
 * For callers that already know the block is outstanding (the domain
 * checks its mapping records first), like the kernel's free_iova_fast(). Small
 * blocks go to the calling thread's cache without a shared lock; larger ones
 * straight back to the pool. Freeing a small block twice, or one given by
 * uvf_iova_reserve(), is undefined. A zero or unaligned @size, an @iova not
 * aligned to the rounded block, or a larger block that is not outstanding is
 * refused and changes nothing.
 *
 * Return: 0, -EINVAL (zero or unaligned @size, or @iova not aligned to the
 * block @size rounds up to), -ENOENT (a block too large for the caches that
 * is not outstanding), -ENOMEM (such a block would become a free extent of
 * its own and no memory is left for its node; it stays outstanding).
 */
int uvf_iova_free_fast(struct uvf_iova_allocator *a, uvf_iova_t iova,
		       uint64_t size);

/**
 * uvf_iova_flush_caches() - return every thread's cached blocks to the pool
 * @a: allocator
 *
 * Return: nothing.
 */
void uvf_iova_flush_caches(struct uvf_iova_allocator *a);

/**
 * uvf_iova_is_allocated() - whether [@iova, @iova + @size) lies inside
 *                           outstanding (allocated, reserved or cached) blocks
 * @a: allocator
 * @iova: first address
 * @size: bytes, non-zero
 *
 * Return: true when every byte is outside the free pool and inside the
 * usable ranges.
 */
bool uvf_iova_is_allocated(struct uvf_iova_allocator *a, uvf_iova_t iova,
			   uint64_t size);

/**
 * uvf_iova_get_stats() - counters and space accounting
 * @a: allocator
 * @st: filled in
 *
 * Return: nothing.
 */
void uvf_iova_get_stats(struct uvf_iova_allocator *a,
			struct uvf_iova_stats *st);

#endif
