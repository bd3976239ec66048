/* SPDX-License-Identifier: MIT */
/* A software IOMMU, one domain and a DMA engine attached: the fixture most
 * IOMMU and DMA tests start from. */
#ifndef UVF_TEST_SIMFIX_H
#define UVF_TEST_SIMFIX_H

#include <uvf/uvf.h>

struct simfix {
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	struct uvf_device *dev;
};

/* ck_assert()s on failure. @p may be NULL for defaults of @fmt. */
void simfix_setup(struct simfix *f, enum uvf_pgtable_format fmt,
		  enum uvf_domain_type type,
		  const struct uvf_sim_iommu_params *p);
void simfix_teardown(struct simfix *f);
/* Number of faults in the log (drains it). */
unsigned int simfix_drain_faults(struct simfix *f, struct uvf_fault *last);
/* 4 KiB-aligned zeroed buffer. */
void *simfix_pages(size_t npages);

#endif
