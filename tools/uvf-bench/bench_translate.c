/* SPDX-License-Identifier: MIT */
/*
 * Device-side translation on the software IOMMU: an IOTLB hit, and a miss
 * that walks the full page table (tables in cache), for every format.
 */
#include <stdio.h>
#include <stdlib.h>

#include <uvf/uvf.h>

#include "bench.h"

#define BATCH 16	/* hits are a few ns: time them 16 at a time */

struct xlate_env {
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	struct uvf_device *dev;
	void *buf;
	uvf_iova_t iova;
};

static int env_setup(struct xlate_env *e, enum uvf_pgtable_format fmt)
{
	struct uvf_sim_iommu_params p;

	uvf_sim_iommu_params_default(&p, fmt);
	e->buf = aligned_alloc(UVF_PAGE_SIZE, UVF_PAGE_SIZE);
	if (!e->buf || uvf_sim_iommu_create(&p, &e->iommu))
		return -1;
	if (uvf_domain_create(e->iommu, UVF_DOMAIN_TRANSLATED, &e->dom) ||
	    uvf_sim_dmaengine_create(e->iommu, 0, 0x10, &e->dev) ||
	    uvf_domain_attach(e->dom, e->dev))
		return -1;
	return uvf_dma_map_page(e->dev, e->buf, UVF_PAGE_SIZE,
				UVF_DMA_BIDIRECTIONAL, &e->iova);
}

static void env_teardown(struct xlate_env *e)
{
	uvf_dma_unmap_page(e->dev, e->iova, UVF_PAGE_SIZE,
			   UVF_DMA_BIDIRECTIONAL);
	uvf_device_close(e->dev);
	uvf_domain_destroy(e->dom);
	uvf_iommu_destroy(e->iommu);
	free(e->buf);
}

static void case_hit(struct bench_ctx *ctx, struct xlate_env *e,
		     const char *name, uint64_t iters)
{
	struct bench_samples s;
	uint64_t i, pa;
	int k;

	if (bench_samples_init(&s, iters / BATCH + 1))
		return;
	uvf_sim_translate(e->dev, e->iova, UVF_ACCESS_READ, &pa);
	for (i = 0; i < iters / BATCH; i++) {
		uint64_t t0 = bench_now();

		for (k = 0; k < BATCH; k++) {
			uvf_sim_translate(e->dev, e->iova + k * 8,
					  UVF_ACCESS_READ, &pa);
			bench_keep(pa);
		}
		bench_samples_add(&s, bench_now() - t0);
	}
	bench_report(ctx, name, &s, BATCH, NULL);
	bench_samples_fini(&s);
}

static void case_miss(struct bench_ctx *ctx, struct xlate_env *e,
		      const char *name, uint64_t iters)
{
	struct bench_samples s;
	uint64_t i, pa;

	if (bench_samples_init(&s, iters))
		return;
	for (i = 0; i < iters; i++) {
		uint64_t t0;

		/* Empty the IOTLB outside the timed region: the walk then
		 * runs with the page tables still in the CPU cache. */
		uvf_sim_iommu_iotlb_flush(e->iommu);
		t0 = bench_now();
		uvf_sim_translate(e->dev, e->iova, UVF_ACCESS_READ, &pa);
		bench_samples_add(&s, bench_now() - t0);
	}
	bench_report(ctx, name, &s, 1, NULL);
	bench_samples_fini(&s);
}

void bench_translate(struct bench_ctx *ctx)
{
	const struct bench_opts *o = bench_opts(ctx);
	uint64_t iters = o->quick ? 20000 : o->iterations;
	int fmt;

	for (fmt = 0; fmt < UVF_PGTABLE_NR_FORMATS; fmt++) {
		const char *fname = uvf_pgtable_format_info(fmt)->name;
		char hit[64], miss[64];
		struct xlate_env e = { 0 };

		snprintf(hit, sizeof(hit), "translate/%s/iotlb-hit", fname);
		snprintf(miss, sizeof(miss), "translate/%s/iotlb-miss-walk",
			 fname);
		if (!bench_selected(ctx, hit) && !bench_selected(ctx, miss))
			continue;
		if (env_setup(&e, fmt)) {
			fprintf(stderr, "uvf-bench: cannot set up %s\n", fname);
			env_teardown(&e);
			continue;
		}
		if (bench_selected(ctx, hit))
			case_hit(ctx, &e, hit, iters);
		if (bench_selected(ctx, miss))
			case_miss(ctx, &e, miss, iters);
		env_teardown(&e);
	}
}
