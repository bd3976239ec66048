// SPDX-License-Identifier: MIT
/*
 * Public IOVA allocator API: argument checks, then the per-thread caches
 * (rcache.c) for small blocks and the shared pool (pool.c) for the rest,
 * with the kernel's "drain the caches and retry once" on failure.
 */
#include <stdlib.h>
#include <string.h>

#include <uvf/iova.h>

#include "allocator.h"

/* Order of the power-of-two block holding @pages (1..2^52 - 1) pages. */
static inline unsigned int order_of(uint64_t pages)
{
	return pages == 1 ? 0 : 64 - (unsigned int)__builtin_clzll(pages - 1);
}

static inline bool valid_size(uint64_t size)
{
	return size && uvf_is_aligned(size, UVF_PAGE_SIZE);
}

int uvf_iova_allocator_create(const struct uvf_iova_range *usable, size_t nr,
			      struct uvf_iova_allocator **out)
{
	struct uvf_iova_allocator *a;
	int ret;

	if (!usable || !nr || !out)
		return -EINVAL;
	a = malloc(sizeof(*a));
	if (!a)
		return -ENOMEM;
	ret = iova_pool_init(&a->pool, usable, nr);
	if (ret) {
		free(a);
		return ret;
	}
	iova_rcache_init(&a->rcache, &a->pool);
	*out = a;
	return 0;
}

void uvf_iova_allocator_destroy(struct uvf_iova_allocator *a)
{
	if (!a)
		return;
	iova_rcache_fini(&a->rcache);
	iova_pool_fini(&a->pool);
	free(a);
}

static int pool_alloc(struct uvf_iova_allocator *a, unsigned int order,
		      uint64_t *pfn)
{
	int ret;

	iova_pool_lock(&a->pool);
	ret = iova_pool_alloc(&a->pool, order, pfn);
	iova_pool_unlock(&a->pool);
	return ret;
}

int uvf_iova_alloc(struct uvf_iova_allocator *a, uint64_t size,
		   uvf_iova_t *iova)
{
	unsigned int order;
	uint64_t pfn;
	int ret;

	if (!a || !iova || !valid_size(size))
		return -EINVAL;
	order = order_of(size >> UVF_PAGE_SHIFT);
	if (order < IOVA_CACHED_ORDERS &&
	    iova_rcache_get(&a->rcache, order, &pfn))
		goto done;
	ret = pool_alloc(a, order, &pfn);
	if (ret == -ENOSPC) {
		/* Other threads may be sitting on what we need. */
		iova_rcache_flush(&a->rcache);
		ret = pool_alloc(a, order, &pfn);
	}
	if (ret)
		return ret;
done:
	*iova = pfn << UVF_PAGE_SHIFT;
	return 0;
}

static int pool_reserve(struct uvf_iova_allocator *a, uint64_t pfn,
			uint64_t pages)
{
	int ret;

	iova_pool_lock(&a->pool);
	ret = iova_pool_reserve(&a->pool, pfn, pages);
	iova_pool_unlock(&a->pool);
	return ret;
}

int uvf_iova_reserve(struct uvf_iova_allocator *a, uvf_iova_t iova,
		     uint64_t size)
{
	uint64_t last;
	int ret;

	if (!a || !valid_size(size) || !uvf_is_aligned(iova, UVF_PAGE_SIZE))
		return -EINVAL;
	if (uvf_range_last(iova, size, &last))
		return -EOVERFLOW;
	ret = pool_reserve(a, iova >> UVF_PAGE_SHIFT, size >> UVF_PAGE_SHIFT);
	if (ret == -EEXIST) {
		/* Cached blocks are free space; only real owners conflict. */
		iova_rcache_flush(&a->rcache);
		ret = pool_reserve(a, iova >> UVF_PAGE_SHIFT,
				   size >> UVF_PAGE_SHIFT);
	}
	return ret;
}

int uvf_iova_free(struct uvf_iova_allocator *a, uvf_iova_t iova,
		  uint64_t size)
{
	int ret;

	if (!a || !valid_size(size) || !uvf_is_aligned(iova, UVF_PAGE_SIZE))
		return -EINVAL;
	iova_pool_lock(&a->pool);
	ret = iova_pool_free(&a->pool, iova >> UVF_PAGE_SHIFT,
			     size >> UVF_PAGE_SHIFT);
	iova_pool_unlock(&a->pool);
	return ret;
}

int uvf_iova_free_fast(struct uvf_iova_allocator *a, uvf_iova_t iova,
		       uint64_t size)
{
	unsigned int order;
	uint64_t pfn;
	int ret;

	if (!a || !valid_size(size))
		return -EINVAL;
	order = order_of(size >> UVF_PAGE_SHIFT);
	pfn = iova >> UVF_PAGE_SHIFT;
	/* Cheap enough to keep a misaligned block out of the caches. */
	if (!uvf_is_aligned(iova, UVF_PAGE_SIZE << order))
		return -EINVAL;
	if (order < IOVA_CACHED_ORDERS &&
	    iova_rcache_put(&a->rcache, order, pfn))
		return 0;
	iova_pool_lock(&a->pool);
	ret = iova_pool_release(&a->pool, pfn, order);
	iova_pool_unlock(&a->pool);
	return ret;
}

void uvf_iova_flush_caches(struct uvf_iova_allocator *a)
{
	if (a)
		iova_rcache_flush(&a->rcache);
}

bool uvf_iova_is_allocated(struct uvf_iova_allocator *a, uvf_iova_t iova,
			   uint64_t size)
{
	uint64_t last, start, end;
	bool ret;

	if (!a || !size || uvf_range_last(iova, size, &last))
		return false;
	start = iova >> UVF_PAGE_SHIFT;
	end = (last >> UVF_PAGE_SHIFT) + 1;
	if (!iova_pool_in_usable(&a->pool, start, end))
		return false;
	iova_pool_lock(&a->pool);
	ret = iova_pool_none_free(&a->pool, start, end);
	iova_pool_unlock(&a->pool);
	return ret;
}

void uvf_iova_get_stats(struct uvf_iova_allocator *a,
			struct uvf_iova_stats *st)
{
	if (!st)
		return;
	if (!a) {
		memset(st, 0, sizeof(*st));
		return;
	}
	iova_rcache_stats(&a->rcache, st);
}
