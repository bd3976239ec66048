/* SPDX-License-Identifier: MIT */
/*
 * Allocation inside the heap: runs of 4 KiB pages in one chunk (first fit,
 * growing the heap when none fits) for contiguous allocations and for
 * pools' slabs, and fixed-size object pools over slabs with O(1) alloc and
 * free. A page-owner table per chunk takes any heap address to its slab
 * without a lock, so a free tells a foreign pointer, a double free and a
 * pinned object apart in O(1).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/iommu.h>

#include "heap_priv.h"
#include "util/fault.h"

/* Pools take slabs of at least this much, so growth is rare. */
#define POOL_SLAB_MIN (64 * 1024)
#define BITS 64

static bool bit_test(const uint64_t *w, uint64_t i)
{
	return w[i / BITS] >> (i % BITS) & 1;
}

static void bit_assign(uint64_t *w, uint64_t i, bool on)
{
	if (on)
		w[i / BITS] |= 1ull << (i % BITS);
	else
		w[i / BITS] &= ~(1ull << (i % BITS));
}

/* First free run of @n pages in @c, or -1. */
static int64_t find_run(const struct uvf_dmaheap *heap,
			const struct dh_chunk *c, uint64_t n)
{
	uint64_t i, run = 0;

	for (i = 0; i < heap->pages_per_chunk; i++) {
		if (!(i % BITS) && c->page_used[i / BITS] == ~0ull) {
			run = 0;
			i += BITS - 1;
			continue;
		}
		run = bit_test(c->page_used, i) ? 0 : run + 1;
		if (run == n)
			return (int64_t)(i + 1 - n);
	}
	return -1;
}

/* A descriptor with room for @nobj objects. */
static struct dh_slab *slab_desc(struct uvf_dmaheap *heap, uint32_t nobj)
{
	struct dh_slab **pp, *s = NULL;
	size_t words = (nobj + BITS - 1) / BITS;

	for (pp = &heap->spare; *pp; pp = &(*pp)->next)
		if ((*pp)->cap >= nobj) {
			s = *pp;
			*pp = s->next;
			break;
		}
	if (!s) {
		s = calloc(1, sizeof(*s));
		if (!s)
			return NULL;
		s->used = calloc(words, sizeof(*s->used));
		s->pins = calloc(nobj, sizeof(*s->pins));
		if (!s->used || !s->pins) {
			free(s->used);
			free(s->pins);
			free(s);
			return NULL;
		}
		s->cap = nobj;
		/* Every descriptor stays until the heap goes: stale page
		 * owners may point at it. */
		s->all_next = heap->all_slabs;
		heap->all_slabs = s;
	}
	/* Not any pool's until its new owner says so: a stale pointer into
	 * it must not pass for one of its old pool's objects. */
	atomic_store_explicit(&s->pool, NULL, memory_order_relaxed);
	memset(s->used, 0, words * sizeof(*s->used));
	memset(s->pins, 0, nobj * sizeof(*s->pins));
	s->nobj = nobj;
	return s;
}

int dh_slab_get(struct uvf_dmaheap *heap, uint64_t len, uint32_t nobj,
		struct dh_slab **out)
{
	uint64_t n = len / UVF_PAGE_SIZE, ci, p;
	struct dh_chunk *c = NULL;
	struct dh_slab *s;
	int64_t at = -1;
	int ret;

	/* An allocation like malloc's: an injection point whether or not
	 * the heap must grow for it (fail_nth fails slab allocations). */
	if (UVF_FAULT_HIT())
		return -ENOMEM;

	s = slab_desc(heap, nobj);
	if (!s)
		return -ENOMEM;
	for (ci = 0; ci < heap->nr_chunks && at < 0; ci++) {
		c = atomic_load(&heap->chunks[ci]);
		at = find_run(heap, c, n);
	}
	if (at < 0) {
		ret = dh_grow(heap);
		if (ret) {
			s->next = heap->spare;
			heap->spare = s;
			return ret;
		}
		c = atomic_load(&heap->chunks[heap->nr_chunks - 1]);
		at = 0;
	}
	for (p = (uint64_t)at; p < (uint64_t)at + n; p++) {
		bit_assign(c->page_used, p, true);
		atomic_store_explicit(&c->owner[p], s, memory_order_release);
	}
	s->chunk = c;
	s->va = c->va + (uint64_t)at * UVF_PAGE_SIZE;
	s->len = len;
	s->live = true;
	heap->live_slabs++;
	*out = s;
	return 0;
}

void dh_slab_put(struct uvf_dmaheap *heap, struct dh_slab *s)
{
	struct dh_chunk *c = s->chunk;
	uint64_t p, first = (uint64_t)(s->va - c->va) / UVF_PAGE_SIZE;

	/* Page owners stay pointing here until the pages are reused, so a
	 * second free finds a dead slab: -ENOENT, not a foreign pointer. */
	for (p = first; p < first + s->len / UVF_PAGE_SIZE; p++)
		bit_assign(c->page_used, p, false);
	s->live = false;
	heap->live_slabs--;
	s->next = heap->spare;
	heap->spare = s;
}

struct dh_slab *dh_slab_of(struct uvf_dmaheap *heap, const void *vaddr)
{
	struct dh_chunk *c = dh_map_lookup(&heap->map, vaddr);

	if (!c)
		return NULL;
	return atomic_load_explicit(
		&c->owner[((uintptr_t)vaddr - (uintptr_t)c->va) / UVF_PAGE_SIZE],
		memory_order_acquire);
}

void dh_slabs_free_all(struct uvf_dmaheap *heap)
{
	struct dh_slab *s = heap->all_slabs, *next;

	for (; s; s = next) {
		next = s->all_next;
		free(s->used);
		free(s->pins);
		free(s);
	}
	heap->all_slabs = NULL;
}

/* The object of @s holding @va (any byte of it). */
static uint32_t obj_index(const struct dh_slab *s, const void *va)
{
	return (uint32_t)(((uintptr_t)va - (uintptr_t)s->va) >> s->obj_shift);
}

static bool slab_holds(const struct dh_slab *s, const void *va)
{
	return (uintptr_t)va >= (uintptr_t)s->va &&
	       (uintptr_t)va - (uintptr_t)s->va < s->len;
}

int uvf_dmaheap_alloc(struct uvf_dmaheap *heap, size_t size, void **vaddr)
{
	struct dh_slab *s;
	uint64_t len;
	int ret;

	if (!heap || !vaddr || !size || size > heap->o.chunk_size ||
	    uvf_align_up(size, UVF_PAGE_SIZE, &len))
		return -EINVAL;
	pthread_mutex_lock(&heap->lock);
	ret = dh_slab_get(heap, len, 1, &s);
	if (!ret) {
		s->obj_shift = 63;	/* one object: index 0 everywhere */
		bit_assign(s->used, 0, true);
	}
	pthread_mutex_unlock(&heap->lock);
	if (ret)
		return ret;
	memset(s->va, 0, len);
	*vaddr = s->va;
	return 0;
}

int uvf_dmaheap_free(struct uvf_dmaheap *heap, void *vaddr)
{
	struct dh_slab *s;
	int ret;

	if (!heap || !vaddr)
		return -EINVAL;
	pthread_mutex_lock(&heap->lock);
	s = dh_slab_of(heap, vaddr);
	if (!s || s->va != vaddr ||
	    atomic_load_explicit(&s->pool, memory_order_relaxed))
		ret = -EINVAL;
	else if (!s->live || !bit_test(s->used, 0))
		ret = -ENOENT;
	else if (s->pins[0])
		ret = -EBUSY;
	else
		ret = 0;
	if (!ret) {
		bit_assign(s->used, 0, false);
		dh_slab_put(heap, s);
	}
	pthread_mutex_unlock(&heap->lock);
	return ret;
}

/* Pins: a pool object's under its pool's lock (which pool_free holds),
 * then the heap's for the attachment's count. */
static int pin_change(struct uvf_dmaheap *heap, struct uvf_domain *dom,
		      const void *vaddr, int delta)
{
	struct uvf_dmaheap_pool *pool;
	struct dh_attach *a;
	struct dh_slab *s;
	uint32_t i;
	int ret = 0;

	if (!heap || !dom || !vaddr)
		return -EINVAL;
	s = dh_slab_of(heap, vaddr);
	if (!s)
		return -EINVAL;
	pool = atomic_load_explicit(&s->pool, memory_order_acquire);
	if (pool)
		pthread_mutex_lock(&pool->lock);
	pthread_mutex_lock(&heap->lock);
	a = dh_find_attach(heap, dom);
	if (!s->live || !slab_holds(s, vaddr) ||
	    atomic_load_explicit(&s->pool, memory_order_relaxed) != pool ||
	    !bit_test(s->used, (i = obj_index(s, vaddr))) || !a)
		ret = -ENOENT;
	else if (delta > 0 && s->pins[i] == UINT16_MAX)
		ret = -EOVERFLOW;
	else if (delta < 0 && (!s->pins[i] || !a->pins))
		ret = -ENOENT;
	if (!ret) {
		s->pins[i] = (uint16_t)(s->pins[i] + delta);
		a->pins += (uint64_t)(int64_t)delta;
	}
	pthread_mutex_unlock(&heap->lock);
	if (pool)
		pthread_mutex_unlock(&pool->lock);
	return ret;
}

int uvf_dmaheap_pin(struct uvf_dmaheap *heap, struct uvf_domain *dom,
		    const void *vaddr)
{
	return pin_change(heap, dom, vaddr, 1);
}

int uvf_dmaheap_unpin(struct uvf_dmaheap *heap, struct uvf_domain *dom,
		      const void *vaddr)
{
	return pin_change(heap, dom, vaddr, -1);
}

int uvf_dmaheap_pool_create(struct uvf_dmaheap *heap, size_t obj_size,
			    struct uvf_dmaheap_pool **out)
{
	struct uvf_dmaheap_pool *pool;

	if (!heap || !out || obj_size < 64 || obj_size > heap->o.chunk_size ||
	    (obj_size & (obj_size - 1)))
		return -EINVAL;
	pool = calloc(1, sizeof(*pool));
	if (!pool)
		return -ENOMEM;
	pool->heap = heap;
	pool->obj_shift = (uint32_t)__builtin_ctzll(obj_size);
	pool->slab_len = obj_size > POOL_SLAB_MIN ? obj_size : POOL_SLAB_MIN;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_mutex_lock(&heap->lock);
	heap->pools++;
	pthread_mutex_unlock(&heap->lock);
	*out = pool;
	return 0;
}

int uvf_dmaheap_pool_destroy(struct uvf_dmaheap_pool *pool)
{
	struct uvf_dmaheap *heap;
	struct dh_slab *s, *next;

	if (!pool)
		return 0;
	heap = pool->heap;
	pthread_mutex_lock(&pool->lock);
	if (pool->live) {
		pthread_mutex_unlock(&pool->lock);
		return -EBUSY;
	}
	pthread_mutex_unlock(&pool->lock);
	pthread_mutex_lock(&heap->lock);
	for (s = pool->slabs; s; s = next) {
		next = s->next;
		dh_slab_put(heap, s);
	}
	heap->pools--;
	pthread_mutex_unlock(&heap->lock);
	pthread_mutex_destroy(&pool->lock);
	free(pool->free);
	free(pool);
	return 0;
}

/* A new slab's objects onto the free stack. Pool lock held. */
static int pool_refill(struct uvf_dmaheap_pool *pool)
{
	struct uvf_dmaheap *heap = pool->heap;
	uint32_t i, nobj = (uint32_t)(pool->slab_len >> pool->obj_shift);
	struct dh_slab *s;
	int ret;

	/* Room for every object the pool will own: frees push them all. */
	if (pool->total + nobj > pool->cap_free) {
		size_t cap = pool->cap_free * 2 > pool->total + nobj ?
				     pool->cap_free * 2 : pool->total + nobj;
		void **v = realloc(pool->free, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		pool->free = v;
		pool->cap_free = cap;
	}
	pthread_mutex_lock(&heap->lock);
	ret = dh_slab_get(heap, pool->slab_len, nobj, &s);
	if (!ret) {
		s->obj_shift = pool->obj_shift;
		atomic_store_explicit(&s->pool, pool, memory_order_release);
		s->next = pool->slabs;
		pool->slabs = s;
	}
	pthread_mutex_unlock(&heap->lock);
	if (ret)
		return ret;
	pool->total += nobj;
	/* Lowest address on top. */
	for (i = nobj; i-- > 0;)
		pool->free[pool->nfree++] = s->va + ((size_t)i << s->obj_shift);
	return 0;
}

int uvf_dmaheap_pool_alloc(struct uvf_dmaheap_pool *pool,
			   struct uvf_domain *dom, void **vaddr,
			   uvf_iova_t *iova)
{
	struct dh_slab *s;
	void *va;
	int ret = 0;

	if (!pool || !vaddr || (dom && !iova))
		return -EINVAL;
	if (UVF_FAULT_HIT())
		return -ENOMEM;
	pthread_mutex_lock(&pool->lock);
	if (!pool->nfree)
		ret = pool_refill(pool);
	if (ret) {
		pthread_mutex_unlock(&pool->lock);
		return ret;
	}
	va = pool->free[pool->nfree - 1];
	if (dom) {
		ret = uvf_dmaheap_iova(pool->heap, dom, va,
				       (size_t)1 << pool->obj_shift, iova);
		if (ret) {
			pthread_mutex_unlock(&pool->lock);
			return ret;
		}
	}
	pool->nfree--;
	s = dh_slab_of(pool->heap, va);
	bit_assign(s->used, obj_index(s, va), true);
	pool->live++;
	pthread_mutex_unlock(&pool->lock);
	*vaddr = va;
	return 0;
}

int uvf_dmaheap_pool_free(struct uvf_dmaheap_pool *pool, void *vaddr)
{
	struct dh_slab *s;
	uint32_t i;
	int ret = 0;

	if (!pool || !vaddr)
		return -EINVAL;
	s = dh_slab_of(pool->heap, vaddr);
	/* Another pool's slab, or an allocation's: not ours to look at. */
	if (!s || atomic_load_explicit(&s->pool, memory_order_relaxed) != pool)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	if (!s->live || !slab_holds(s, vaddr) ||
	    ((uintptr_t)vaddr - (uintptr_t)s->va) &
		    (((uintptr_t)1 << s->obj_shift) - 1))
		ret = -EINVAL;
	else if (!bit_test(s->used, (i = obj_index(s, vaddr))))
		ret = -ENOENT;
	else if (s->pins[i])
		ret = -EBUSY;
	if (!ret) {
		bit_assign(s->used, i, false);
		pool->free[pool->nfree++] = vaddr;
		pool->live--;
	}
	pthread_mutex_unlock(&pool->lock);
	return ret;
}
