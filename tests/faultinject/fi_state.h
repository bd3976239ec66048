/* SPDX-License-Identifier: MIT */
/* Snapshots of what a failed call must leave as it was. */
#ifndef UVF_FI_STATE_H
#define UVF_FI_STATE_H

#include <stddef.h>
#include <stdint.h>

#include <uvf/iommu.h>
#include <uvf/iova.h>

#define FI_WALK_PAGES 64

/* A domain: its records, accounting, IOVA allocator and, for a software
 * IOMMU, the page table over FI_WALK_PAGES pages from a chosen IOVA. */
struct fi_dom_snap {
	size_t nr_mappings;
	uint64_t mapped_bytes;
	uint64_t iova_total, iova_free, iova_allocated;
	struct {
		int ret, prot;
		uint64_t paddr;
	} walk[FI_WALK_PAGES];
};

void fi_dom_snap(struct uvf_domain *dom, uvf_iova_t walk_from,
		 struct fi_dom_snap *s);
/* ck_assert()s that @dom now matches @before. */
void fi_dom_assert_same(struct uvf_domain *dom, uvf_iova_t walk_from,
			const struct fi_dom_snap *before);

/* Page-aligned anonymous memory, ck_assert()ed. */
void *fi_pages(size_t npages);
void fi_pages_free(void *p, size_t npages);

#endif
