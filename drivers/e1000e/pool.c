/* SPDX-License-Identifier: MIT */
/*
 * Packet buffer pools: 2 KiB objects of a DMA heap pool (uvf/dmaheap.h),
 * pinned in the domain the heap is held in, or a region the caller made
 * reachable (registered memory, EAL memory attached with
 * uvf_dpdk_attach_memory()). Two buffers share each 4 KiB page and none
 * crosses a page boundary, so each is contiguous for the device whether or
 * not an IOMMU translates (noiommu hands out one physical address per
 * page).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/dma.h>
#include <uvf/dmaheap.h>

#include "e1000e_priv.h"

/* Give the buffers of a pool_from_heap() pool back: every buffer made,
 * not the free stack, which a double free may have filled with one buffer
 * twice. */
static void pool_to_heap(struct uvf_e1000e_pool *p)
{
	unsigned int i;

	for (i = 0; i < p->nbufs && p->bufs[i].data; i++)
		uvf_dmaheap_pool_free_pinned(p->objs, p->domain,
					     p->bufs[i].data);
	uvf_dmaheap_pool_destroy(p->objs);
	uvf_dmaheap_release(p->heap, p->domain);
	p->objs = NULL;
	p->heap = NULL;
}

/* Fill in the buffers of @p over @p->mem: each buffer's device address,
 * which must be contiguous over the whole buffer. */
static int pool_fill(struct uvf_e1000e_pool *p)
{
	uvf_iova_t last;
	unsigned int i;
	int ret;

	for (i = 0; i < p->nbufs; i++) {
		struct uvf_e1000e_buf *b = &p->bufs[i];

		b->data = (char *)p->mem + (size_t)i * UVF_E1000E_BUF_SIZE;
		b->pool = p;
		b->idx = i;
		ret = uvf_dma_vtoiova(p->dev, b->data, &b->iova);
		if (!ret)
			ret = uvf_dma_vtoiova(p->dev,
					      (char *)b->data +
						      UVF_E1000E_BUF_SIZE - 1,
					      &last);
		if (ret)
			return ret;
		if (last != b->iova + UVF_E1000E_BUF_SIZE - 1)
			return -ENOTSUP;
		p->free[i] = b;
	}
	p->nfree = p->nbufs;
	return 0;
}

/* Buffers from @heap's 2 KiB object pool, each pinned in the domain: a
 * power-of-two object never crosses a page, so it is contiguous for the
 * device with or without an IOMMU. */
static int pool_from_heap(struct uvf_e1000e_pool *p, struct uvf_dmaheap *heap)
{
	unsigned int i;
	int ret = uvf_dmaheap_hold(heap, p->domain);

	if (ret)
		return ret;
	p->heap = heap;
	ret = uvf_dmaheap_pool_create(heap, UVF_E1000E_BUF_SIZE, &p->objs);
	for (i = 0; !ret && i < p->nbufs; i++) {
		struct uvf_e1000e_buf *b = &p->bufs[i];

		ret = uvf_dmaheap_pool_alloc_pinned(p->objs, p->domain,
						    &b->data, &b->iova);
		b->pool = p;
		b->idx = i;
		p->free[i] = b;
	}
	p->nfree = p->nbufs;
	if (ret)
		pool_to_heap(p);
	return ret;
}

static int pool_new(struct uvf_device *dev, unsigned int nbufs,
		    struct uvf_e1000e_pool **out)
{
	struct uvf_e1000e_pool *p;

	if (!dev || !out || !nbufs || nbufs > E1K_MAX_POOL ||
	    !uvf_device_domain(dev))
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->dev = dev;
	p->domain = uvf_device_domain(dev);
	p->nbufs = nbufs;
	p->bufs = calloc(nbufs, sizeof(*p->bufs));
	p->free = calloc(nbufs, sizeof(*p->free));
	if (!p->bufs || !p->free) {
		free(p->bufs);
		free(p->free);
		free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

static void pool_free(struct uvf_e1000e_pool *p)
{
	free(p->bufs);
	free(p->free);
	free(p);
}

int e1k_pool_create_heap(struct uvf_device *dev, struct uvf_dmaheap *heap,
			 unsigned int nbufs, struct uvf_e1000e_pool **out)
{
	struct uvf_e1000e_pool *p;
	int ret = pool_new(dev, nbufs, &p);

	if (ret)
		return ret;
	ret = pool_from_heap(p, heap);
	if (ret) {
		pool_free(p);
		return ret;
	}
	pthread_mutex_init(&p->lock, NULL);
	*out = p;
	return 0;
}

int uvf_e1000e_pool_create(struct uvf_device *dev, unsigned int nbufs,
			   struct uvf_e1000e_pool **out)
{
	struct uvf_dmaheap *heap;
	int ret = uvf_dmaheap_shared(&heap);

	return ret ? ret : e1k_pool_create_heap(dev, heap, nbufs, out);
}

int uvf_e1000e_pool_create_mem(struct uvf_device *dev, void *mem, size_t len,
			       struct uvf_e1000e_pool **out)
{
	struct uvf_e1000e_pool *p;
	int ret;

	if (!mem || !len || len % UVF_PAGE_SIZE ||
	    (uintptr_t)mem % UVF_PAGE_SIZE ||
	    len / UVF_E1000E_BUF_SIZE > E1K_MAX_POOL)
		return -EINVAL;
	ret = pool_new(dev, (unsigned int)(len / UVF_E1000E_BUF_SIZE), &p);
	if (ret)
		return ret;
	p->mem = mem;
	p->mem_len = len;
	ret = pool_fill(p);
	if (ret) {
		pool_free(p);
		return ret;
	}
	pthread_mutex_init(&p->lock, NULL);
	*out = p;
	return 0;
}

int uvf_e1000e_pool_destroy(struct uvf_e1000e_pool *pool)
{
	int ret;

	if (!pool)
		return 0;
	pthread_mutex_lock(&pool->lock);
	ret = pool->users || pool->nfree != pool->nbufs ? -EBUSY : 0;
	pthread_mutex_unlock(&pool->lock);
	if (ret)
		return ret;
	if (pool->heap)
		pool_to_heap(pool);
	pthread_mutex_destroy(&pool->lock);
	pool_free(pool);
	return 0;
}

unsigned int e1k_pool_take(struct uvf_e1000e_pool *pool,
			   struct uvf_e1000e_buf **bufs, unsigned int n)
{
	unsigned int i;

	pthread_mutex_lock(&pool->lock);
	if (n > pool->nfree)
		n = pool->nfree;
	for (i = 0; i < n; i++)
		bufs[i] = pool->free[--pool->nfree];
	pthread_mutex_unlock(&pool->lock);
	return n;
}

int uvf_e1000e_pool_alloc(struct uvf_e1000e_pool *pool,
			  struct uvf_e1000e_buf **bufs, unsigned int n)
{
	unsigned int i;

	if (!pool || !bufs || !n)
		return -EINVAL;
	pthread_mutex_lock(&pool->lock);
	if (n > pool->nfree) {
		pthread_mutex_unlock(&pool->lock);
		return -ENOBUFS;
	}
	for (i = 0; i < n; i++)
		bufs[i] = pool->free[--pool->nfree];
	pthread_mutex_unlock(&pool->lock);
	return 0;
}

void uvf_e1000e_pool_free(struct uvf_e1000e_buf **bufs, unsigned int n)
{
	struct uvf_e1000e_pool *p = NULL;
	struct uvf_e1000e_buf *b, *next;
	unsigned int i;

	/* Consecutive buffers of one pool go back under one lock; a chain
	 * goes back whole. */
	for (i = 0; bufs && i < n; i++) {
		for (b = bufs[i]; b; b = next) {
			next = b->next;
			if (b->pool != p) {
				if (p)
					pthread_mutex_unlock(&p->lock);
				p = b->pool;
				pthread_mutex_lock(&p->lock);
			}
			/* As the pool hands buffers out: alone, no flags. */
			b->next = NULL;
			b->ol_flags = 0;
			/* A buffer freed twice would overflow the stack. */
			if (p->nfree < p->nbufs)
				p->free[p->nfree++] = b;
		}
	}
	if (p)
		pthread_mutex_unlock(&p->lock);
}

unsigned int uvf_e1000e_pool_avail(struct uvf_e1000e_pool *pool)
{
	unsigned int n;

	if (!pool)
		return 0;
	pthread_mutex_lock(&pool->lock);
	n = pool->nfree;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

void e1k_pool_get(struct uvf_e1000e_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	pool->users++;
	pthread_mutex_unlock(&pool->lock);
}

void e1k_pool_put(struct uvf_e1000e_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	pool->users--;
	pthread_mutex_unlock(&pool->lock);
}
