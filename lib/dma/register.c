/* SPDX-License-Identifier: MIT */
/*
 * Registered memory: mapped once through the dma_map_page flow, then
 * translated on drivers' hot paths by a lock-free table lookup.
 */
#include <errno.h>
#include <stdlib.h>

#include <uvf/device.h>
#include <uvf/dma.h>

#include "dma/regmap.h"
#include "iommu/domain.h"
#include "util/trace.h"

/* The DMA layer's cookie on a domain: its registered-memory map. */
static const char regmap_key;

static void regmap_cookie_destroy(struct uvf_domain *dom, void *data)
{
	(void)dom;
	uvf_regmap_destroy(data);
}

static struct uvf_regmap *regmap_of(const struct uvf_domain *dom)
{
	return uvf_domain_cookie_get((struct uvf_domain *)dom, &regmap_key);
}

/* The domain's map, created on first use; a lost race frees its copy. */
struct uvf_regmap *uvf_domain_regmap(struct uvf_domain *dom)
{
	struct uvf_regmap *m = regmap_of(dom);
	int ret;

	if (m)
		return m;
	if (uvf_regmap_create(&m))
		return NULL;
	ret = uvf_domain_cookie_set(dom, &regmap_key, m, regmap_cookie_destroy);
	if (ret) {
		uvf_regmap_destroy(m);
		m = ret == -EEXIST ? regmap_of(dom) : NULL;
	}
	return m;
}

/* Direct domains: one device address per page (noiommu memory need not be
 * physically contiguous). */
static int direct_pages(struct uvf_domain *dom, void *vaddr, uint64_t len,
			uvf_iova_t **out)
{
	uint64_t i, n = len >> UVF_PAGE_SHIFT;
	uvf_iova_t *v = malloc(n * sizeof(*v));
	int ret = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i < n && !ret; i++)
		ret = uvf_domain_direct_addr(
			dom, (char *)vaddr + (i << UVF_PAGE_SHIFT),
			UVF_PAGE_SIZE, &v[i]);
	if (ret) {
		free(v);
		return ret;
	}
	*out = v;
	return 0;
}

int uvf_dma_register(struct uvf_device *dev, void *vaddr, size_t len,
		     uvf_iova_t *iova)
{
	struct uvf_domain *dom = dev ? uvf_device_domain(dev) : NULL;
	uvf_iova_t base = 0, *pages = NULL;
	struct uvf_dma_seg seg = { vaddr, len };
	struct uvf_regmap *m;
	uint64_t last;
	int ret;

	if (!dom || !vaddr || !len ||
	    !uvf_is_aligned((uintptr_t)vaddr, UVF_PAGE_SIZE) ||
	    !uvf_is_aligned(len, UVF_PAGE_SIZE))
		return -EINVAL;
	if (uvf_range_last((uintptr_t)vaddr, len, &last))
		return -EOVERFLOW;
	m = uvf_domain_regmap(dom);
	if (!m)
		return -ENOMEM;

	uvf_regmap_lock(m);
	ret = uvf_regmap_check_free(m, vaddr, len);
	if (ret)
		goto out;
	if (dom->type == UVF_DOMAIN_DIRECT)
		ret = direct_pages(dom, vaddr, len, &pages);
	else
		ret = uvf_domain_map_alloc(dom, &seg, 1, UVF_PROT_RW, &base);
	if (ret)
		goto out;
	ret = uvf_regmap_add(m, vaddr, len, pages, pages ? pages[0] : base, 0);
	if (ret) {
		if (!pages)
			uvf_domain_unmap_free(dom, base, len);
		goto out;
	}
	if (iova)
		*iova = pages ? pages[0] : base;
	uvf_trace("registered %p len %#zx at iova %#llx", vaddr, len,
		  (unsigned long long)(pages ? pages[0] : base));
out:
	uvf_regmap_unlock(m);
	free(pages);
	return ret;
}

int uvf_dma_unregister(struct uvf_device *dev, void *vaddr, size_t len)
{
	struct uvf_domain *dom = dev ? uvf_device_domain(dev) : NULL;
	struct uvf_regmap *m;
	uvf_iova_t iova;
	int ret;

	if (!dom || !vaddr || !len)
		return -EINVAL;
	m = regmap_of(dom);
	if (!m)
		return -ENOENT;
	uvf_regmap_lock(m);
	/* Unmap first: a refused unmap leaves a live mapping, which must
	 * stay registered so that lookups and a retry still find it. */
	ret = uvf_regmap_find(m, vaddr, len, 0, &iova);
	if (!ret && dom->type == UVF_DOMAIN_TRANSLATED)
		ret = uvf_domain_unmap_free(dom, iova, len);
	if (!ret)
		uvf_regmap_remove(m, vaddr, len, 0, &iova);
	uvf_regmap_unlock(m);
	return ret;
}

int uvf_domain_regmap_lookup(const struct uvf_domain *dom, const void *vaddr,
			     uvf_iova_t *iova)
{
	if (!dom || !iova)
		return -ENOENT;
	return uvf_regmap_lookup(regmap_of(dom), vaddr, iova);
}

int uvf_dma_vtoiova(const struct uvf_device *dev, const void *vaddr,
		    uvf_iova_t *iova)
{
	return uvf_domain_regmap_lookup(dev ? uvf_device_domain(dev) : NULL, vaddr, iova);
}
