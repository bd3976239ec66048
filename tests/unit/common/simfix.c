/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "simfix.h"

void simfix_setup(struct simfix *f, enum uvf_pgtable_format fmt,
		  enum uvf_domain_type type,
		  const struct uvf_sim_iommu_params *p)
{
	struct uvf_sim_iommu_params def;

	if (!p) {
		uvf_sim_iommu_params_default(&def, fmt);
		p = &def;
	}
	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(uvf_sim_iommu_create(p, &f->iommu), 0);
	ck_assert_int_eq(uvf_domain_create(f->iommu, type, &f->dom), 0);
	ck_assert_int_eq(uvf_sim_dmaengine_create(f->iommu, 0, 0x0010,
						  &f->dev), 0);
	ck_assert_int_eq(uvf_domain_attach(f->dom, f->dev), 0);
}

void simfix_teardown(struct simfix *f)
{
	uvf_device_close(f->dev);
	ck_assert_int_eq(uvf_domain_destroy(f->dom), 0);
	ck_assert_int_eq(uvf_iommu_destroy(f->iommu), 0);
}

unsigned int simfix_drain_faults(struct simfix *f, struct uvf_fault *last)
{
	struct uvf_fault flt;
	unsigned int n = 0;

	while (uvf_sim_iommu_fault_pop(f->iommu, &flt) == 0) {
		if (last)
			*last = flt;
		n++;
	}
	return n;
}

void *simfix_pages(size_t npages)
{
	void *p = aligned_alloc(UVF_PAGE_SIZE, npages * UVF_PAGE_SIZE);

	ck_assert_ptr_nonnull(p);
	memset(p, 0, npages * UVF_PAGE_SIZE);
	return p;
}
