/* SPDX-License-Identifier: MIT */
/*
 * Scatter Gather Lists for data. A buffer whose device addresses form one
 * run is a single Data Block descriptor in the command (SGL1). More runs
 * go into descriptor pages, the same per-slot pages PRP lists use: SGL1
 * points at the first page; a page holds 256 descriptors, and when more
 * follow its last slot points at the next page (a Segment descriptor, or
 * a Last Segment one for the final page). Runs are merged page by page, so
 * a buffer contiguous in device memory costs one descriptor whatever its
 * size, where PRPs cost one entry per page.
 */
#include <errno.h>

#include "nvme_priv.h"

/* Worst case: every page of the transfer is its own run. */
unsigned int nvme_sgl_list_pages(size_t max_xfer)
{
	return nvme_chain_pages((max_xfer + NVME_PAGE_SIZE - 1) / NVME_PAGE_SIZE + 1,
				NVME_SGLS_PER_PAGE);
}

unsigned int nvme_slot_list_pages(const struct uvf_nvme_ctrl *ctrl,
				  size_t max_xfer)
{
	unsigned int prp = nvme_prp_list_pages(max_xfer), sgl;

	if (!NVME_SGLS_SUPPORT(ctrl->info.sgls) ||
	    ctrl->opts.sgl == UVF_NVME_SGL_OFF)
		return prp;
	sgl = nvme_sgl_list_pages(max_xfer);
	return sgl > prp ? sgl : prp;
}

bool nvme_use_sgl(const struct uvf_nvme_ctrl *ctrl, size_t len)
{
	uint32_t support = NVME_SGLS_SUPPORT(ctrl->info.sgls);

	switch (ctrl->opts.sgl) {
	case UVF_NVME_SGL_ALWAYS:
		return true;
	case UVF_NVME_SGL_OFF:
		return false;
	default:
		if (support == NVME_SGLS_DWORD_ALIGN && (len & 3))
			return false;
		return support && len >= NVME_SGL_THRESHOLD;
	}
}

static struct nvme_sgl_desc *descs(const struct nvme_prp_page *p)
{
	return (struct nvme_sgl_desc *)p->va;
}

/* Append @d at (*@page, *@slot). A full page hands its last descriptor to
 * the next page: that slot becomes the pointer to it. */
static int push(const struct nvme_prp_page *lists, unsigned int list_pages,
		unsigned int *page, unsigned int *slot,
		const struct nvme_sgl_desc *d)
{
	if (*slot == NVME_SGLS_PER_PAGE) {
		if (*page + 1 >= list_pages)
			return -E2BIG;
		descs(&lists[*page + 1])[0] =
			descs(&lists[*page])[NVME_SGLS_PER_PAGE - 1];
		(*page)++;
		*slot = 1;
	}
	if (!list_pages)
		return -E2BIG;
	descs(&lists[*page])[(*slot)++] = *d;
	return 0;
}

/* A descriptor pointing at list page @to: all of it, or up to @used. */
static struct nvme_sgl_desc segment(const struct nvme_prp_page *to,
				    bool last, unsigned int used)
{
	return (struct nvme_sgl_desc){
		.addr = to->iova,
		.len = (last ? used : NVME_SGLS_PER_PAGE) * 16u,
		.type = NVME_SGL_TYPE(last ? NVME_SGL_LAST_SEGMENT
					   : NVME_SGL_SEGMENT),
	};
}

int nvme_sgl_build(const void *buf, size_t len, bool dword,
		   nvme_xlate_fn xlate, const void *ctx,
		   const struct nvme_prp_page *lists, unsigned int list_pages,
		   struct nvme_sgl_desc *sgl1)
{
	uintptr_t va = (uintptr_t)buf, end = va + len;
	struct nvme_sgl_desc run = { .type = NVME_SGL_TYPE(NVME_SGL_DATA_BLOCK) };
	unsigned int page = 0, slot = 0, p;
	size_t chunk, runs = 0;
	uvf_iova_t iova;
	int ret;

	if (!len || end - 1 < va || len > UINT32_MAX ||
	    (dword && ((va | len) & 3)))
		return -EINVAL;
	for (; va < end; va += chunk) {
		chunk = NVME_PAGE_SIZE - (va & (NVME_PAGE_SIZE - 1));
		if (chunk > end - va)
			chunk = end - va;
		ret = xlate(ctx, (const void *)va, &iova);
		if (ret)
			return ret;
		if (runs && iova == run.addr + run.len) {
			run.len += (uint32_t)chunk;
			continue;
		}
		if (runs) {
			ret = push(lists, list_pages, &page, &slot, &run);
			if (ret)
				return ret;
		}
		run.addr = iova;
		run.len = (uint32_t)chunk;
		runs++;
	}
	if (runs == 1) {
		*sgl1 = run;
		return 0;
	}
	ret = push(lists, list_pages, &page, &slot, &run);
	if (ret)
		return ret;
	for (p = 0; p < page; p++)
		descs(&lists[p])[NVME_SGLS_PER_PAGE - 1] =
			segment(&lists[p + 1], p + 1 == page, slot);
	*sgl1 = segment(&lists[0], !page, slot);
	return 0;
}
