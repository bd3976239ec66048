/* SPDX-License-Identifier: MIT */
/* The PRP and SGL builder tests' fixture: a synthetic buffer whose pages
 * translate to scattered device pages (a builder that assumed contiguity
 * would be caught), and list pages at IOVAs neither contiguous nor in
 * order. */
#ifndef UVF_TEST_LISTFIX_H
#define UVF_TEST_LISTFIX_H

#include "nvme_priv.h"

#define VA_BASE 0x7f1200010000ull	/* the buffer's addresses */
#define IOVA_BASE 0x4000000000ull	/* its device pages start here */
#define LIST_IOVA 0x9000000000ull
#define NLISTS 8

extern struct nvme_prp_page lists[NLISTS];

/* The device page of buffer page @va_page: pseudo-random, page by page. */
uvf_iova_t page_iova(uintptr_t va_page);
/* nvme_xlate_fn through page_iova(). */
int xlate_scatter(const void *ctx, const void *vaddr, uvf_iova_t *iova);
/* Checked fixture: the list pages, filled with 0xa5 bytes, and back. */
void listfix_setup(void);
void listfix_teardown(void);
/* The list page at @iova; ck_abort()s when no list page is there. */
void *listfix_page_at(uint64_t iova);

#endif
