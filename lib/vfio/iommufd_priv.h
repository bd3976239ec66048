/* SPDX-License-Identifier: MIT */
/* Inside the iommufd backend: an IOAS domain and the HWPTs on it, shared
 * by iommufd.c and hwpt.c. Only for builds with linux/iommufd.h. */
#ifndef UVF_VFIO_IOMMUFD_PRIV_H
#define UVF_VFIO_IOMMUFD_PRIV_H

#include <stdatomic.h>

#include "vfio_priv.h"

/* HWPTs one domain keeps. */
#define VFIO_MAX_HWPT 8

struct vfio_hwpt {
	uint32_t id;
	uint32_t flags;		/* UVF_HWPT_* */
	struct uvf_vfio_fault_queue *fault;	/* where it reports, or NULL */
};

/* An iommufd fault object (fault.c). */
struct uvf_vfio_fault_queue {
	struct vfio_ctx *ctx;
	uint32_t id;
	int fd;
	/* HWPTs reporting here: each holds the kernel object, which cannot
	 * be destroyed until they are. */
	atomic_uint hwpts;
};

struct ioas_domain {
	uint32_t ioas;
	/* IOMMU_IOAS_ALLOW_IOVAS was set, from this many reserved regions
	 * of the domain. */
	bool allowed;
	size_t allowed_nr_resv;
	/* HWPTs allocated on the IOAS (uvf_vfio_hwpt_alloc()), and whether
	 * the dirty-tracking ones track; under the domain lock. */
	struct vfio_hwpt hwpt[VFIO_MAX_HWPT];
	size_t nr_hwpt;
	bool dirty_tracking;
};

/* hwpt.c */
/* The iommufd context and IOAS domain of @dom: -EINVAL (NULL or direct),
 * -ENOTSUP (another backend). */
int vfio_iommufd_dom(const struct uvf_domain *dom, struct vfio_ctx **ctx,
		     struct ioas_domain **d);
/* IOMMU_DESTROY of every HWPT of @d, the last allocated first (nested
 * before their parents; domain teardown). */
void vfio_hwpt_destroy_all(struct vfio_ctx *ctx, struct ioas_domain *d);
int vfio_hwpt_set_dirty_tracking(struct uvf_domain *dom, bool enable);
int vfio_hwpt_read_dirty(struct uvf_domain *dom, uvf_iova_t iova,
			 uint64_t len, uint64_t page_size, uint64_t *bitmap,
			 unsigned int flags);

#endif
