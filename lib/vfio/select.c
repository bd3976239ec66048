/* SPDX-License-Identifier: MIT */
/*
 * Which kernel interface a context uses. Kept apart from the system calls
 * so the rules can be tested with made-up facts.
 */
#include <errno.h>
#include <string.h>

#include "vfio_priv.h"

static const char *const names[] = {
	[UVF_VFIO_AUTO] = "auto",
	[UVF_VFIO_TYPE1] = "type1",
	[UVF_VFIO_IOMMUFD] = "iommufd",
	[UVF_VFIO_NOIOMMU] = "noiommu",
};

const char *uvf_vfio_backend_name(enum uvf_vfio_backend backend)
{
	if ((unsigned int)backend >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[backend];
}

int uvf_vfio_backend_parse(const char *name, enum uvf_vfio_backend *out)
{
	unsigned int i;

	if (!name || !*name) {
		*out = UVF_VFIO_AUTO;
		return 0;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!strcmp(name, names[i])) {
			*out = (enum uvf_vfio_backend)i;
			return 0;
		}
	}
	return -EINVAL;
}

int vfio_choose_backend(enum uvf_vfio_backend want,
			const struct vfio_facts *f,
			enum uvf_vfio_backend *out)
{
	/* Not on a VFIO driver at all: nothing any backend can open. */
	if (!f->group_node && !f->cdev)
		return -ENODEV;
	switch (want) {
	case UVF_VFIO_AUTO:
		if (f->noiommu_group)
			*out = UVF_VFIO_NOIOMMU;
		else if (f->iommufd_compiled && f->dev_iommu && f->cdev)
			*out = UVF_VFIO_IOMMUFD;
		else if (f->group_node)
			*out = UVF_VFIO_TYPE1;
		else
			return -ENOTSUP;	/* a cdev only, no iommufd */
		return 0;
	case UVF_VFIO_TYPE1:
		if (!f->group_node || f->noiommu_group)
			return -ENOTSUP;
		break;
	case UVF_VFIO_IOMMUFD:
		/* A noiommu device has no IOMMU to bind. */
		if (!f->iommufd_compiled || !f->dev_iommu || !f->cdev ||
		    f->noiommu_group)
			return -ENOTSUP;
		break;
	case UVF_VFIO_NOIOMMU:
		if (!f->noiommu_group)
			return -ENOTSUP;
		break;
	default:
		return -EINVAL;
	}
	*out = want;
	return 0;
}
