/* SPDX-License-Identifier: MIT */
/*
 * The dma_map_page() flow (see uvf/dma.h): direct check, then IOVA
 * allocation and page-table write through the domain's backend.
 */
#include <errno.h>
#include <stdlib.h>

#include <uvf/device.h>
#include <uvf/dma.h>

#include "iommu/domain.h"
#include "util/trace.h"

static const char *const dir_name[] = { "bidirectional", "to-device",
					"from-device" };

/* The kernel's dma_info_to_prot(). */
static int dir_to_prot(enum uvf_dma_dir dir)
{
	switch (dir) {
	case UVF_DMA_TO_DEVICE:
		return UVF_PROT_READ;
	case UVF_DMA_FROM_DEVICE:
		return UVF_PROT_WRITE;
	case UVF_DMA_BIDIRECTIONAL:
		return UVF_PROT_RW;
	}
	return 0;
}

static struct uvf_domain *domain_of(const struct uvf_device *dev)
{
	return dev ? uvf_device_domain(dev) : NULL;
}

int uvf_dma_map_page(struct uvf_device *dev, void *vaddr, size_t len,
		     enum uvf_dma_dir dir, uvf_iova_t *iova)
{
	struct uvf_domain *dom = domain_of(dev);
	uintptr_t va = (uintptr_t)vaddr, page, last;
	struct uvf_dma_seg seg;
	uvf_iova_t base;
	int prot = dir_to_prot(dir), ret;
	uint64_t t0;

	if (!dom || !vaddr || !len || !iova || !prot)
		return -EINVAL;
	if (__builtin_add_overflow(va, len - 1, &last))
		return -EOVERFLOW;
	uvf_trace("dma_map_page %s va %p len %#zx %s", uvf_device_name(dev),
		  vaddr, len, dir_name[dir]);
	uvf_trace_begin("dma_map_page", UVF_TA_HEX("va", va),
			UVF_TA_HEX("len", len), UVF_TA_NUM("prot", prot));
	t0 = uvf_trace_clock();

	/* Step 1: a direct domain needs no translation, only arithmetic. */
	if (dom->type == UVF_DOMAIN_DIRECT) {
		ret = uvf_domain_direct_addr(dom, vaddr, len, iova);
		uvf_trace_step("direct_check", t0, UVF_TA_NUM("domain", dom->id),
			       UVF_TA_NUM("direct", 1));
		uvf_trace("domain %u is direct: device address %#llx, no "
			  "page-table work", dom->id,
			  ret ? 0ull : (unsigned long long)*iova);
		uvf_trace_end("dma_map_page", UVF_TA_NUM("ret", -ret));
		return ret;
	}
	uvf_trace_step("direct_check", t0, UVF_TA_NUM("domain", dom->id),
		       UVF_TA_NUM("direct", 0));

	/* Steps 2-4: iommu_dma_map_page(). */
	uvf_trace("domain %u is translated: iommu_dma_map_page", dom->id);
	page = va & ~(uintptr_t)(UVF_PAGE_SIZE - 1);
	seg.vaddr = (void *)page;
	seg.len = ((last | (UVF_PAGE_SIZE - 1)) - page) + 1;
	ret = uvf_domain_map_alloc(dom, &seg, 1, prot, &base);
	if (ret) {
		uvf_trace("dma_map_page failed: %d", ret);
		uvf_trace_end("dma_map_page", UVF_TA_NUM("ret", -ret));
		return ret;
	}
	*iova = base + (va - page);
	uvf_trace("dma_map_page -> iova %#llx", (unsigned long long)*iova);
	uvf_trace_end("dma_map_page", UVF_TA_HEX("iova", *iova));
	return 0;
}

int uvf_dma_unmap_page(struct uvf_device *dev, uvf_iova_t iova, size_t len,
		       enum uvf_dma_dir dir)
{
	struct uvf_domain *dom = domain_of(dev);
	uvf_iova_t page, last;
	int ret;

	if (!dom || !len || !dir_to_prot(dir))
		return -EINVAL;
	if (__builtin_add_overflow(iova, len - 1, &last))
		return -ENOENT;	/* no mapping can end past the top */
	if (dom->type == UVF_DOMAIN_DIRECT)
		return 0;	/* like dma_direct_unmap_page: nothing mapped */
	page = iova & ~(UVF_PAGE_SIZE - 1);
	uvf_trace("dma_unmap_page %s iova %#llx len %#zx", uvf_device_name(dev),
		  (unsigned long long)iova, len);
	uvf_trace_begin("dma_unmap_page", UVF_TA_HEX("iova", iova),
			UVF_TA_HEX("len", len));
	ret = uvf_domain_unmap_free(dom, page,
				    ((last | (UVF_PAGE_SIZE - 1)) - page) + 1);
	uvf_trace_end("dma_unmap_page", UVF_TA_NUM("ret", -ret));
	return ret;
}

/* The page-aligned extent of one scatter-gather entry. */
static int sg_extent(const struct uvf_sg *sg, struct uvf_dma_seg *seg)
{
	uintptr_t va = (uintptr_t)sg->vaddr, last;

	if (!sg->vaddr || !sg->len)
		return -EINVAL;
	if (__builtin_add_overflow(va, sg->len - 1, &last))
		return -EOVERFLOW;
	seg->vaddr = (void *)(va & ~(uintptr_t)(UVF_PAGE_SIZE - 1));
	seg->len = ((last | (UVF_PAGE_SIZE - 1)) - (uintptr_t)seg->vaddr) + 1;
	return 0;
}

int uvf_dma_map_sg(struct uvf_device *dev, struct uvf_sg *sg,
		   unsigned int nents, enum uvf_dma_dir dir)
{
	struct uvf_domain *dom = domain_of(dev);
	struct uvf_dma_seg stack_seg[16], *seg = stack_seg;
	int prot = dir_to_prot(dir), ret = 0;
	uvf_iova_t base, off = 0;
	unsigned int i;

	if (!dom || !sg || !nents || !prot || nents > INT32_MAX)
		return -EINVAL;
	if (dom->type == UVF_DOMAIN_DIRECT) {
		uvf_iova_t out[16], *o = out;

		if (nents > 16 && !(o = malloc(nents * sizeof(*o))))
			return -ENOMEM;
		for (i = 0; i < nents && !ret; i++) {
			if (!sg[i].vaddr || !sg[i].len)
				ret = -EINVAL;
			else
				ret = uvf_domain_direct_addr(
					dom, sg[i].vaddr, sg[i].len, &o[i]);
		}
		for (i = 0; i < nents && !ret; i++)
			sg[i].iova = o[i];
		if (o != out)
			free(o);
		return ret ? ret : (int)nents;
	}

	if (nents > 16 && !(seg = malloc(nents * sizeof(*seg))))
		return -ENOMEM;
	for (i = 0; i < nents && !ret; i++)
		ret = sg_extent(&sg[i], &seg[i]);
	if (!ret)
		ret = uvf_domain_map_alloc(dom, seg, nents, prot, &base);
	for (i = 0; i < nents && !ret; off += seg[i++].len)
		sg[i].iova = base + off +
			     ((uintptr_t)sg[i].vaddr - (uintptr_t)seg[i].vaddr);
	if (seg != stack_seg)
		free(seg);
	uvf_trace("dma_map_sg %s: %u segment(s) -> %d", uvf_device_name(dev), nents,
		  ret ? ret : (int)nents);
	return ret ? ret : (int)nents;
}

int uvf_dma_unmap_sg(struct uvf_device *dev, struct uvf_sg *sg,
		     unsigned int nents, enum uvf_dma_dir dir)
{
	struct uvf_domain *dom = domain_of(dev);
	struct uvf_dma_seg seg;
	uint64_t total = 0;
	unsigned int i;
	int ret;

	if (!dom || !sg || !nents || !dir_to_prot(dir))
		return -EINVAL;
	if (dom->type == UVF_DOMAIN_DIRECT)
		return 0;
	for (i = 0; i < nents; i++) {
		ret = sg_extent(&sg[i], &seg);
		if (ret)
			return ret;
		if (__builtin_add_overflow(total, seg.len, &total))
			return -ENOENT;
	}
	return uvf_domain_unmap_free(dom, sg[0].iova & ~(UVF_PAGE_SIZE - 1),
				     total);
}
