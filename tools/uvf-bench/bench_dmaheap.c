/* SPDX-License-Identifier: MIT */
/*
 * The DMA heap (uvf/dmaheap.h) against what drivers do without it, on the
 * software IOMMU (VT-d second level, strict invalidation): per 4 KiB
 * buffer, malloc + uvf_dma_map_page + uvf_dma_unmap_page + free (the
 * baseline) against a heap pool's alloc + free, with and without the
 * object's IOVA in a domain, and a contiguous heap alloc (zeroed) + free.
 * The heap is grown and attached before timing, as a driver's would be.
 */
#include <stdio.h>
#include <stdlib.h>

#include <uvf/uvf.h>

#include "bench.h"

#define BASELINE "dmaheap/malloc+map+unmap+free-4k"

struct heap_env {
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	struct uvf_device *dev;
	struct uvf_dmaheap *heap;
	struct uvf_dmaheap_pool *pool;
};

static int env_up(struct heap_env *e)
{
	struct uvf_sim_iommu_params p;
	void *warm;

	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	if (uvf_sim_iommu_create(&p, &e->iommu) ||
	    uvf_domain_create(e->iommu, UVF_DOMAIN_TRANSLATED, &e->dom) ||
	    uvf_sim_dmaengine_create(e->iommu, 0, 0x10, &e->dev) ||
	    uvf_domain_attach(e->dom, e->dev) ||
	    uvf_dmaheap_create(NULL, &e->heap) ||
	    uvf_dmaheap_attach(e->heap, e->dom) ||
	    uvf_dmaheap_pool_create(e->heap, UVF_PAGE_SIZE, &e->pool))
		return -1;
	/* The first slab and chunk are set-up cost, not per-buffer cost. */
	if (uvf_dmaheap_pool_alloc(e->pool, NULL, &warm, NULL))
		return -1;
	return uvf_dmaheap_pool_free(e->pool, warm);
}

static void env_down(struct heap_env *e)
{
	uvf_dmaheap_pool_destroy(e->pool);
	if (e->heap)
		uvf_dmaheap_detach(e->heap, e->dom);
	uvf_dmaheap_destroy(e->heap);
	uvf_device_close(e->dev);
	uvf_domain_destroy(e->dom);
	uvf_iommu_destroy(e->iommu);
}

enum heap_case {
	CASE_MALLOC_MAP,	/* the baseline */
	CASE_POOL,
	CASE_POOL_IOVA,
	CASE_ALLOC,
};

static const char *const case_names[] = {
	[CASE_MALLOC_MAP] = BASELINE,
	[CASE_POOL] = "dmaheap/pool-alloc+free-4k",
	[CASE_POOL_IOVA] = "dmaheap/pool-alloc-with-iova+free-4k",
	[CASE_ALLOC] = "dmaheap/alloc-zeroed+free-4k",
};

/* One buffer's life; nonzero when a call failed. */
static int one_op(struct heap_env *e, enum heap_case c)
{
	uvf_iova_t iova = 0;
	void *va;

	switch (c) {
	case CASE_MALLOC_MAP:
		va = aligned_alloc(UVF_PAGE_SIZE, UVF_PAGE_SIZE);
		if (!va || uvf_dma_map_page(e->dev, va, UVF_PAGE_SIZE,
					    UVF_DMA_BIDIRECTIONAL, &iova))
			return -1;
		bench_keep(iova);
		uvf_dma_unmap_page(e->dev, iova, UVF_PAGE_SIZE,
				   UVF_DMA_BIDIRECTIONAL);
		free(va);
		return 0;
	case CASE_POOL:
		if (uvf_dmaheap_pool_alloc(e->pool, NULL, &va, NULL))
			return -1;
		bench_keep((uintptr_t)va);
		return uvf_dmaheap_pool_free(e->pool, va);
	case CASE_POOL_IOVA:
		if (uvf_dmaheap_pool_alloc(e->pool, e->dom, &va, &iova))
			return -1;
		bench_keep(iova);
		return uvf_dmaheap_pool_free(e->pool, va);
	default:
		if (uvf_dmaheap_alloc(e->heap, UVF_PAGE_SIZE, &va))
			return -1;
		bench_keep((uintptr_t)va);
		return uvf_dmaheap_free(e->heap, va);
	}
}

static void run_case(struct bench_ctx *ctx, struct heap_env *e,
		     enum heap_case c)
{
	const struct bench_opts *o = bench_opts(ctx);
	uint64_t i, iters = o->quick ? 20000 : o->iterations;
	const char *name = case_names[c];
	struct bench_samples s;

	if (!bench_selected(ctx, name) || bench_samples_init(&s, iters))
		return;
	for (i = 0; i < iters; i++) {
		uint64_t t0 = bench_now();

		if (one_op(e, c)) {
			fprintf(stderr, "uvf-bench: %s failed\n", name);
			break;
		}
		bench_samples_add(&s, bench_now() - t0);
	}
	bench_report(ctx, name, &s, 1, c == CASE_MALLOC_MAP ? NULL : BASELINE);
	bench_samples_fini(&s);
}

void bench_dmaheap(struct bench_ctx *ctx)
{
	struct heap_env e = { 0 };
	int c;

	if (env_up(&e)) {
		fprintf(stderr, "uvf-bench: cannot set up the dmaheap cases\n");
		env_down(&e);
		return;
	}
	for (c = CASE_MALLOC_MAP; c <= CASE_ALLOC; c++)
		run_case(ctx, &e, (enum heap_case)c);
	env_down(&e);
}
