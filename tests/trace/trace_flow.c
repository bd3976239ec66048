/* SPDX-License-Identifier: MIT */
/*
 * Drives the dma_map_page / dma_unmap_page flow on the software IOMMU from
 * two threads, for check_trace.py to read the trace it leaves (UVF_TRACE
 * in the environment decides the sink). Maps of 4 KiB, 64 KiB and 2 MiB
 * so that more than one page-table level is written. Exits non-zero if a
 * call fails.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <uvf/uvf.h>

#define ROUNDS 8

static struct uvf_device *dev;

static void *mapper(void *arg)
{
	static const size_t len[] = { 4096, 65536, 2u << 20 };
	char *buf = aligned_alloc(2u << 20, 2u << 20);
	uvf_iova_t iova;
	int i, ret = 0;

	(void)arg;
	if (!buf)
		return (void *)1;
	for (i = 0; i < ROUNDS && !ret; i++) {
		size_t n = len[i % 3];

		ret = uvf_dma_map_page(dev, buf, n, UVF_DMA_BIDIRECTIONAL,
				       &iova);
		if (!ret)
			ret = uvf_dma_unmap_page(dev, iova, n,
						 UVF_DMA_BIDIRECTIONAL);
	}
	free(buf);
	return (void *)(intptr_t)(ret != 0);
}

int main(void)
{
	struct uvf_sim_iommu_params p;
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	pthread_t t[2];
	void *res;
	int i, bad = 0;

	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	if (uvf_sim_iommu_create(&p, &iommu) ||
	    uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom) ||
	    uvf_sim_dmaengine_create(iommu, 0, 0x10, &dev) ||
	    uvf_domain_attach(dom, dev)) {
		fprintf(stderr, "trace_flow: setting up the software IOMMU "
			"failed.\n");
		return 1;
	}
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, mapper, NULL))
			return 1;
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], &res);
		bad |= res != NULL;
	}
	uvf_device_close(dev);
	uvf_domain_destroy(dom);
	uvf_iommu_destroy(iommu);
	return bad;
}
