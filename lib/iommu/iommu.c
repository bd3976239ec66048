/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "iommu/domain.h"

int uvf_iommu_init(struct uvf_iommu *iommu, const struct uvf_iommu_ops *ops,
		   const char *name)
{
	int ret = -pthread_mutex_init(&iommu->lock, NULL);

	if (ret)
		return ret;
	iommu->ops = ops;
	snprintf(iommu->name, sizeof(iommu->name), "%s", name);
	iommu->next_domid = 1;	/* 0 is kept for "no domain" */
	return 0;
}

int uvf_iommu_set_direct_regions(struct uvf_iommu *iommu,
				 const struct uvf_direct_regions *regions)
{
	struct uvf_direct_region *copy = NULL;
	int ret = 0;

	if (regions && regions->nr) {
		copy = malloc(regions->nr * sizeof(*copy));
		if (!copy)
			return -ENOMEM;
		memcpy(copy, regions->v, regions->nr * sizeof(*copy));
	}
	pthread_mutex_lock(&iommu->lock);
	if (iommu->nr_domains) {
		ret = -EBUSY;
	} else {
		free(iommu->direct.v);
		iommu->direct.v = copy;
		iommu->direct.nr = regions ? regions->nr : 0;
		iommu->direct.nr_unresolved = 0;
		copy = NULL;
	}
	pthread_mutex_unlock(&iommu->lock);
	free(copy);
	return ret;
}

const char *uvf_iommu_name(const struct uvf_iommu *iommu)
{
	return iommu->name;
}

int uvf_iommu_destroy(struct uvf_iommu *iommu)
{
	if (!iommu)
		return 0;
	pthread_mutex_lock(&iommu->lock);
	if (iommu->nr_domains) {
		pthread_mutex_unlock(&iommu->lock);
		return -EBUSY;
	}
	pthread_mutex_unlock(&iommu->lock);
	pthread_mutex_destroy(&iommu->lock);
	free(iommu->direct.v);
	/* The backend frees the structure that embeds @iommu. */
	iommu->ops->destroy(iommu);
	return 0;
}

const char *uvf_resv_type_name(enum uvf_resv_type type)
{
	switch (type) {
	case UVF_RESV_DIRECT:
		return "direct";
	case UVF_RESV_DIRECT_RELAXABLE:
		return "direct-relaxable";
	case UVF_RESV_RESERVED:
		return "reserved";
	case UVF_RESV_MSI:
		return "msi";
	case UVF_RESV_SW_MSI:
		return "sw-msi";
	}
	return "unknown";
}
