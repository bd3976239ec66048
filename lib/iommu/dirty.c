/* SPDX-License-Identifier: MIT */
/*
 * Dirty tracking: the checks every backend shares, then the backend's
 * table (the model's leaf dirty bits, iommufd's HWPT calls).
 */
#include <errno.h>
#include <string.h>

#include "iommu/domain.h"

int uvf_domain_set_dirty_tracking(struct uvf_domain *dom, bool enable)
{
	if (!dom || dom->type != UVF_DOMAIN_TRANSLATED)
		return -EINVAL;
	if (!dom->ops->set_dirty_tracking)
		return -ENOTSUP;
	return dom->ops->set_dirty_tracking(dom, enable);
}

int uvf_domain_read_dirty(struct uvf_domain *dom, uvf_iova_t iova,
			  uint64_t len, uint64_t page_size, uint64_t *bitmap,
			  unsigned int flags)
{
	uint64_t last;

	if (!dom || dom->type != UVF_DOMAIN_TRANSLATED || !bitmap || !len ||
	    page_size < UVF_PAGE_SIZE || (page_size & (page_size - 1)) ||
	    !uvf_is_aligned(iova | len, page_size) ||
	    (flags & ~UVF_DIRTY_NO_CLEAR))
		return -EINVAL;
	if (uvf_range_last(iova, len, &last))
		return -EOVERFLOW;
	if (!dom->ops->read_dirty)
		return -ENOTSUP;
	return dom->ops->read_dirty(dom, iova, len, page_size, bitmap, flags);
}
