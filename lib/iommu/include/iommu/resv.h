/* SPDX-License-Identifier: MIT */
/* Range arithmetic for apertures and reserved regions. */
#ifndef UVF_IOMMU_RESV_H
#define UVF_IOMMU_RESV_H

#include <uvf/iommu.h>

/*
 * *out = @in minus the union of @sub (inclusive ranges), sorted. Returns the
 * number of ranges in *out (caller frees), or -ENOMEM.
 */
int uvf_ranges_subtract(const struct uvf_iova_range *in, size_t nin,
			const struct uvf_iova_range *sub, size_t nsub,
			struct uvf_iova_range **out);

#endif
