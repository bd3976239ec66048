/* SPDX-License-Identifier: MIT */
/*
 * Allocation and pin in one call, for drivers: memory a device is given
 * stays pinned in its domain until the driver takes it back, so neither a
 * free nor a detach can pull it from under the device.
 */
#include <errno.h>

#include "heap_priv.h"

int uvf_dmaheap_alloc_pinned(struct uvf_dmaheap *heap, struct uvf_domain *dom,
			     size_t size, void **vaddr, uvf_iova_t *iova)
{
	void *va;
	int ret;

	if (!dom || !iova)
		return -EINVAL;
	ret = uvf_dmaheap_alloc(heap, size, &va);
	if (ret)
		return ret;
	ret = uvf_dmaheap_iova(heap, dom, va, size, iova);
	if (!ret)
		ret = uvf_dmaheap_pin(heap, dom, va);
	if (ret) {
		uvf_dmaheap_free(heap, va);
		return ret;
	}
	*vaddr = va;
	return 0;
}

int uvf_dmaheap_free_pinned(struct uvf_dmaheap *heap, struct uvf_domain *dom,
			    void *vaddr)
{
	int ret = uvf_dmaheap_unpin(heap, dom, vaddr);

	return ret ? ret : uvf_dmaheap_free(heap, vaddr);
}

int uvf_dmaheap_pool_alloc_pinned(struct uvf_dmaheap_pool *pool,
				  struct uvf_domain *dom, void **vaddr,
				  uvf_iova_t *iova)
{
	void *va;
	int ret;

	if (!pool || !dom || !iova)
		return -EINVAL;
	ret = uvf_dmaheap_pool_alloc(pool, dom, &va, iova);
	if (ret)
		return ret;
	ret = uvf_dmaheap_pin(pool->heap, dom, va);
	if (ret) {
		uvf_dmaheap_pool_free(pool, va);
		return ret;
	}
	*vaddr = va;
	return 0;
}

int uvf_dmaheap_pool_free_pinned(struct uvf_dmaheap_pool *pool,
				 struct uvf_domain *dom, void *vaddr)
{
	int ret;

	if (!pool)
		return -EINVAL;
	ret = uvf_dmaheap_unpin(pool->heap, dom, vaddr);
	return ret ? ret : uvf_dmaheap_pool_free(pool, vaddr);
}
