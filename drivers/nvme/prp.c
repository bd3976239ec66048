/* SPDX-License-Identifier: MIT */
/*
 * Physical Region Page entries. PRP1 is the first page of the buffer with
 * its offset; a transfer touching two pages puts the second page in PRP2;
 * a longer one points PRP2 at a list of the remaining pages. A list page
 * holds 512 entries, and when more entries follow, its last entry points
 * to the next list page instead of to data. List pages need not be
 * contiguous: each carries its own device address.
 */
#include <errno.h>

#include "nvme_priv.h"

/* Worst case for a transfer: it starts just before a page boundary. */
unsigned int nvme_prp_list_pages(size_t max_xfer)
{
	size_t pages = (max_xfer + NVME_PAGE_SIZE - 1) / NVME_PAGE_SIZE + 1;

	return nvme_chain_pages(pages - 1, NVME_PRPS_PER_PAGE);
}

int nvme_prp_build(const void *buf, size_t len, nvme_xlate_fn xlate,
		   const void *ctx, const struct nvme_prp_page *lists,
		   unsigned int list_pages, uint64_t *prp1, uint64_t *prp2)
{
	uint64_t *list = list_pages ? lists[0].va : NULL;
	uintptr_t va = (uintptr_t)buf;
	uintptr_t page = (va & ~(uintptr_t)(NVME_PAGE_SIZE - 1)) +
			 NVME_PAGE_SIZE;
	size_t n, i, entries, slot = 0;
	uvf_iova_t first, second = 0;
	int ret;

	/* The controller takes a dword-aligned offset in PRP1 only. */
	if (!len || (va & 3) || va + len - 1 < va)
		return -EINVAL;
	n = nvme_pages_spanned(va, len);
	entries = n - 1;
	if (nvme_chain_pages(entries, NVME_PRPS_PER_PAGE) > list_pages)
		return -EINVAL;
	ret = xlate(ctx, buf, &first);
	if (ret)
		return ret;
	if ((first & (NVME_PAGE_SIZE - 1)) != (va & (NVME_PAGE_SIZE - 1)))
		return -EINVAL;
	if (n == 2) {
		ret = xlate(ctx, (const void *)page, &second);
	} else if (n > 2) {
		second = lists[0].iova;
		for (i = 0; i < entries && !ret; i++) {
			if (slot == NVME_PRPS_PER_PAGE - 1 && entries - i > 1) {
				list[slot] = (++lists)->iova;
				list = lists->va;
				slot = 0;
			}
			ret = xlate(ctx, (const void *)page, &list[slot++]);
			page += NVME_PAGE_SIZE;
		}
	}
	if (ret)
		return ret;
	*prp1 = first;
	*prp2 = second;
	return 0;
}
