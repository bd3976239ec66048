/* SPDX-License-Identifier: MIT */
/*
 * The full dma_map_page flow on the software IOMMU: uvf_dma_map_page +
 * uvf_dma_unmap_page of 4 KiB (strict and deferred invalidation, one and N
 * threads sharing a domain), and the registered-memory VA-to-IOVA lookup.
 */
#include <stdio.h>
#include <stdlib.h>

#include <uvf/uvf.h>

#include "bench.h"

#define LOOKUP_BATCH 16
#define REG_PAGES 4096	/* 16 MiB registered */

struct dma_env {
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	struct uvf_device *dev;
	char *buf;
	uint64_t iters;
};

static int env_setup(struct dma_env *e, enum uvf_pgtable_format fmt,
		     enum uvf_inval_policy policy)
{
	struct uvf_sim_iommu_params p;

	uvf_sim_iommu_params_default(&p, fmt);
	e->buf = aligned_alloc(UVF_SZ_2M, (size_t)REG_PAGES * UVF_PAGE_SIZE);
	if (!e->buf || uvf_sim_iommu_create(&p, &e->iommu) ||
	    uvf_domain_create(e->iommu, UVF_DOMAIN_TRANSLATED, &e->dom) ||
	    uvf_sim_dmaengine_create(e->iommu, 0, 0x10, &e->dev) ||
	    uvf_domain_attach(e->dom, e->dev))
		return -1;
	return uvf_domain_set_inval_policy(e->dom, policy, 0, 0);
}

static void env_teardown(struct dma_env *e)
{
	uvf_device_close(e->dev);
	uvf_domain_destroy(e->dom);
	uvf_iommu_destroy(e->iommu);
	free(e->buf);
}

/* One thread's map + unmap pairs, each on its own page of the buffer. */
static void map_unmap_thread(void *arg, unsigned int tid,
			     struct bench_samples *s)
{
	struct dma_env *e = arg;
	char *page = e->buf + (size_t)(tid % REG_PAGES) * UVF_PAGE_SIZE;
	uvf_iova_t iova;
	uint64_t i;

	for (i = 0; i < e->iters; i++) {
		uint64_t t0 = bench_now();

		if (uvf_dma_map_page(e->dev, page, UVF_PAGE_SIZE,
				     UVF_DMA_TO_DEVICE, &iova))
			return;
		uvf_dma_unmap_page(e->dev, iova, UVF_PAGE_SIZE,
				   UVF_DMA_TO_DEVICE);
		bench_samples_add(s, bench_now() - t0);
	}
}

static void case_map_unmap(struct bench_ctx *ctx, enum uvf_pgtable_format fmt,
			   enum uvf_inval_policy policy, unsigned int threads)
{
	const struct bench_opts *o = bench_opts(ctx);
	struct dma_env e = { 0 };
	struct bench_samples s;
	char name[96];

	snprintf(name, sizeof(name), "dma/map-unmap-4k/%s/%s/%uthr",
		 uvf_pgtable_format_info(fmt)->name,
		 policy == UVF_INVAL_STRICT ? "strict" : "deferred", threads);
	if (!bench_selected(ctx, name))
		return;
	if (env_setup(&e, fmt, policy)) {
		fprintf(stderr, "uvf-bench: cannot set up %s\n", name);
		env_teardown(&e);
		return;
	}
	e.iters = (o->quick ? 20000 : o->iterations) / threads;
	if (!bench_run_threads(threads, e.iters, map_unmap_thread, &e, &s)) {
		bench_report(ctx, name, &s, 1, NULL);
		bench_samples_fini(&s);
	}
	env_teardown(&e);
}

static void case_vtoiova(struct bench_ctx *ctx)
{
	const struct bench_opts *o = bench_opts(ctx);
	const char *name = "dma/registered-vtoiova";
	uint64_t iters = o->quick ? 20000 : o->iterations, i;
	struct dma_env e = { 0 };
	struct bench_samples s;
	uvf_iova_t iova;
	unsigned int k, x = 1;

	if (!bench_selected(ctx, name))
		return;
	if (env_setup(&e, UVF_PGTABLE_VTD_SL4, UVF_INVAL_STRICT) ||
	    uvf_dma_register(e.dev, e.buf, (size_t)REG_PAGES * UVF_PAGE_SIZE,
			     NULL) ||
	    bench_samples_init(&s, iters / LOOKUP_BATCH + 1)) {
		env_teardown(&e);
		return;
	}
	for (i = 0; i < iters / LOOKUP_BATCH; i++) {
		uint64_t t0 = bench_now();

		/* Scattered addresses, as a driver's buffers would be. */
		for (k = 0; k < LOOKUP_BATCH; k++) {
			x = x * 1103515245u + 12345u;
			uvf_dma_vtoiova(e.dev,
					e.buf + (x % (REG_PAGES * UVF_PAGE_SIZE)),
					&iova);
			bench_keep(iova);
		}
		bench_samples_add(&s, bench_now() - t0);
	}
	bench_report(ctx, name, &s, LOOKUP_BATCH, NULL);
	bench_samples_fini(&s);
	uvf_dma_unregister(e.dev, e.buf, (size_t)REG_PAGES * UVF_PAGE_SIZE);
	env_teardown(&e);
}

void bench_dma(struct bench_ctx *ctx)
{
	const struct bench_opts *o = bench_opts(ctx);
	int fmt;

	for (fmt = 0; fmt < UVF_PGTABLE_NR_FORMATS; fmt++)
		case_map_unmap(ctx, fmt, UVF_INVAL_STRICT, 1);
	case_map_unmap(ctx, UVF_PGTABLE_VTD_SL4, UVF_INVAL_DEFERRED, 1);
	if (o->threads > 1) {
		case_map_unmap(ctx, UVF_PGTABLE_VTD_SL4, UVF_INVAL_STRICT,
			       o->threads);
		case_map_unmap(ctx, UVF_PGTABLE_VTD_SL4, UVF_INVAL_DEFERRED,
			       o->threads);
	}
	case_vtoiova(ctx);
}
