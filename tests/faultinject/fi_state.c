/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <sys/mman.h>

#include "fi.h"
#include "fi_state.h"
#include "iommu/domain.h"
#include "sim/sim_priv.h"

void fi_dom_snap(struct uvf_domain *dom, uvf_iova_t walk_from,
		 struct fi_dom_snap *s)
{
	struct uvf_iova_allocator *a = uvf_domain_iova_allocator(dom);
	struct uvf_domain_stats st;
	struct uvf_iova_stats ist;

	memset(s, 0, sizeof(*s));
	pthread_mutex_lock(&dom->lock);
	s->nr_mappings = uvf_domain_nr_mappings(dom);
	pthread_mutex_unlock(&dom->lock);
	uvf_domain_get_stats(dom, &st);
	s->mapped_bytes = st.mapped_bytes;
	if (a) {
		uvf_iova_get_stats(a, &ist);
		s->iova_total = ist.total_bytes;
		/* A block freed into a thread cache is as free as before. */
		s->iova_free = ist.free_bytes + ist.cached_bytes;
		s->iova_allocated = ist.allocated_blocks;
	}
	/* The software IOMMU's own table; VFIO backends compare the fake
	 * kernel's map list instead. */
	if (sim_iommu_of(uvf_domain_iommu(dom))) {
		const struct sim_domain *sd = dom->priv;

		for (size_t i = 0; i < FI_WALK_PAGES; i++)
			s->walk[i].ret = uvf_pgtable_translate(sd->pt,
				walk_from + i * UVF_PAGE_SIZE,
				&s->walk[i].paddr, &s->walk[i].prot, NULL);
	}
}

void fi_dom_assert_same(struct uvf_domain *dom, uvf_iova_t walk_from,
			const struct fi_dom_snap *before)
{
	struct fi_dom_snap now;

	fi_dom_snap(dom, walk_from, &now);
	ck_assert_uint_eq(now.nr_mappings, before->nr_mappings);
	ck_assert_uint_eq(now.mapped_bytes, before->mapped_bytes);
	ck_assert_uint_eq(now.iova_total, before->iova_total);
	ck_assert_uint_eq(now.iova_free, before->iova_free);
	ck_assert_uint_eq(now.iova_allocated, before->iova_allocated);
	for (size_t i = 0; i < FI_WALK_PAGES; i++) {
		ck_assert_int_eq(now.walk[i].ret, before->walk[i].ret);
		ck_assert_uint_eq(now.walk[i].paddr, before->walk[i].paddr);
		ck_assert_int_eq(now.walk[i].prot, before->walk[i].prot);
	}
}

void *fi_pages(size_t npages)
{
	void *p = mmap(NULL, npages * UVF_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(p, MAP_FAILED);
	return p;
}

void fi_pages_free(void *p, size_t npages)
{
	munmap(p, npages * UVF_PAGE_SIZE);
}
