/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "listfix.h"

struct nvme_prp_page lists[NLISTS];

uvf_iova_t page_iova(uintptr_t va_page)
{
	uint64_t n = (va_page - (VA_BASE & ~4095ull)) >> 12;

	return IOVA_BASE + ((n * 7919 + 13) % 100003) * 4096;
}

int xlate_scatter(const void *ctx, const void *vaddr, uvf_iova_t *iova)
{
	uintptr_t va = (uintptr_t)vaddr;

	(void)ctx;
	*iova = page_iova(va & ~(uintptr_t)4095) + (va & 4095);
	return 0;
}

void listfix_setup(void)
{
	unsigned int i;

	for (i = 0; i < NLISTS; i++) {
		lists[i].va = aligned_alloc(4096, 4096);
		ck_assert_ptr_nonnull(lists[i].va);
		memset(lists[i].va, 0xa5, 4096);
		/* Not contiguous, not in order. */
		lists[i].iova = LIST_IOVA +
			(uint64_t)(NLISTS - i) * 0x10000;
	}
}

void listfix_teardown(void)
{
	unsigned int i;

	for (i = 0; i < NLISTS; i++)
		free(lists[i].va);
}

void *listfix_page_at(uint64_t iova)
{
	unsigned int i;

	for (i = 0; i < NLISTS; i++)
		if (lists[i].iova == iova)
			return lists[i].va;
	ck_abort_msg("points at %#llx, not a list page",
		     (unsigned long long)iova);
	return NULL;
}
