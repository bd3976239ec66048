/* SPDX-License-Identifier: MIT */
/*
 * Opening e1000e ports for the network examples: one VFIO context, one
 * domain (translated, or direct without an IOMMU) shared by the devices,
 * so the ports can share one buffer pool.
 */
#ifndef UVF_EXAMPLES_NETPORT_H
#define UVF_EXAMPLES_NETPORT_H

#include <uvf/e1000e.h>
#include <uvf/vfio.h>

#define NETPORT_MAX 2

struct netport {
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	unsigned int ndev;
	struct uvf_device *dev[NETPORT_MAX];
};

/* Open @n devices by PCI address on one context and attach them to one
 * domain. On failure *np is torn down and the error says which step
 * failed on stderr. */
int netport_open(struct netport *np, enum uvf_vfio_backend b,
		 const char *const *bdfs, unsigned int n);
void netport_close(struct netport *np);

#endif
