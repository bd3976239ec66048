/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uvf/device.h>
#include <uvf/iommu.h>

#include "netport.h"

void netport_close(struct netport *np)
{
	unsigned int i;

	/* Closing a device detaches it from its domain. */
	for (i = 0; i < np->ndev; i++)
		uvf_device_close(np->dev[i]);
	uvf_domain_destroy(np->dom);
	uvf_iommu_destroy(np->iommu);
	memset(np, 0, sizeof(*np));
}

int netport_open(struct netport *np, enum uvf_vfio_backend b,
		 const char *const *bdfs, unsigned int n)
{
	struct uvf_vfio_opts o = { .backend = b };
	enum uvf_domain_type type;
	const char *step = "uvf_vfio_open";
	unsigned int i;
	int ret;

	memset(np, 0, sizeof(*np));
	if (!n || n > NETPORT_MAX)
		return -EINVAL;
	ret = uvf_vfio_open(&o, &np->iommu);
	for (i = 0; !ret && i < n; i++) {
		step = bdfs[i];
		ret = uvf_vfio_device_open(np->iommu, bdfs[i], &np->dev[i]);
		if (!ret)
			np->ndev++;
	}
	if (!ret) {
		/* Without an IOMMU there is nothing to translate: the device
		 * address is the physical one. */
		type = uvf_vfio_backend(np->iommu) == UVF_VFIO_NOIOMMU ?
			       UVF_DOMAIN_DIRECT : UVF_DOMAIN_TRANSLATED;
		step = "uvf_domain_create";
		ret = uvf_domain_create(np->iommu, type, &np->dom);
	}
	for (i = 0; !ret && i < n; i++) {
		step = "uvf_domain_attach";
		ret = uvf_domain_attach(np->dom, np->dev[i]);
	}
	if (ret) {
		fprintf(stderr, "%s: %s\n", step, strerror(-ret));
		netport_close(np);
	}
	return ret;
}
