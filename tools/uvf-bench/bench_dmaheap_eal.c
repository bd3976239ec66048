/* SPDX-License-Identifier: MIT */
/*
 * The DMA heap on DPDK EAL memory (uvf_dpdk_heap_provider()) against the
 * built-in provider, on the software IOMMU: a growth by one 2 MiB chunk
 * (get it and map it into one translated domain), and a pool's 4 KiB
 * alloc + free once grown. Needs EAL (--in-memory, 2 MiB hugepages), so
 * it runs only when --case names it ("dmaheap-eal").
 */
#include <stdio.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_errno.h>

#include <uvf/dpdk.h>
#include <uvf/uvf.h>

#include "bench.h"

#define CHUNKS 16

static const char *const growth_names[] = {
	"dmaheap-eal/growth-2m-built-in", "dmaheap-eal/growth-2m-eal",
};
static const char *const pool_names[] = {
	"dmaheap-eal/pool-alloc+free-4k-built-in",
	"dmaheap-eal/pool-alloc+free-4k-eal",
};

static int eal_up(void)
{
	char *argv[] = {
		"uvf-bench", "--in-memory", "--no-pci", "--no-telemetry",
		"-l", "0", "--iova-mode=va", "--log-level=lib.eal:error", NULL,
	};

	if (uvf_dpdk_hugepages_reserve(2 * CHUNKS + 16))
		return -1;
	return rte_eal_init((int)(sizeof(argv) / sizeof(argv[0])) - 1, argv) <
			       0 ? -1 : 0;
}

static int heap_up(struct uvf_domain *dom, bool eal, struct uvf_dmaheap **heap)
{
	struct uvf_dmaheap_opts o;

	uvf_dmaheap_opts_default(&o);
	o.max_bytes = CHUNKS * UVF_SZ_2M;
	o.best = UVF_DMAHEAP_THP;	/* the EAL pool holds the hugepages */
	o.flags = UVF_DMAHEAP_NO_MLOCK;
	o.provider = eal ? uvf_dpdk_heap_provider() : NULL;
	if (uvf_dmaheap_create(&o, heap))
		return -1;
	return uvf_dmaheap_attach(*heap, dom);
}

static void heap_down(struct uvf_domain *dom, struct uvf_dmaheap *heap)
{
	uvf_dmaheap_detach(heap, dom);
	uvf_dmaheap_destroy(heap);
}

/* Whole-chunk allocations: each one a growth. */
static void run_growth(struct bench_ctx *ctx, struct uvf_domain *dom,
		       bool eal)
{
	uint64_t rounds = bench_opts(ctx)->quick ? 2 : 8, r, i;
	struct uvf_dmaheap *heap;
	struct bench_samples s;
	void *p[CHUNKS];

	if (!bench_selected(ctx, growth_names[eal]) ||
	    bench_samples_init(&s, rounds * CHUNKS))
		return;
	for (r = 0; r < rounds; r++) {
		if (heap_up(dom, eal, &heap))
			break;
		for (i = 0; i < CHUNKS; i++) {
			uint64_t t0 = bench_now();

			if (uvf_dmaheap_alloc(heap, UVF_SZ_2M, &p[i]))
				break;
			bench_samples_add(&s, bench_now() - t0);
		}
		while (i-- > 0)
			uvf_dmaheap_free(heap, p[i]);
		heap_down(dom, heap);
	}
	bench_report(ctx, growth_names[eal], &s, 1,
		     eal ? growth_names[0] : NULL);
	bench_samples_fini(&s);
}

static void run_pool(struct bench_ctx *ctx, struct uvf_domain *dom, bool eal)
{
	const struct bench_opts *o = bench_opts(ctx);
	uint64_t i, iters = o->quick ? 20000 : o->iterations;
	struct uvf_dmaheap_pool *pool;
	struct uvf_dmaheap *heap;
	struct bench_samples s;
	uvf_iova_t iova;
	void *va;

	if (!bench_selected(ctx, pool_names[eal]) ||
	    bench_samples_init(&s, iters))
		return;
	if (!heap_up(dom, eal, &heap) &&
	    !uvf_dmaheap_pool_create(heap, UVF_PAGE_SIZE, &pool)) {
		for (i = 0; i < iters; i++) {
			uint64_t t0 = bench_now();

			if (uvf_dmaheap_pool_alloc(pool, dom, &va, &iova))
				break;
			bench_keep(iova);
			uvf_dmaheap_pool_free(pool, va);
			bench_samples_add(&s, bench_now() - t0);
		}
		uvf_dmaheap_pool_destroy(pool);
		heap_down(dom, heap);
	}
	bench_report(ctx, pool_names[eal], &s, 1, eal ? pool_names[0] : NULL);
	bench_samples_fini(&s);
}

void bench_dmaheap_eal(struct bench_ctx *ctx)
{
	const char *filter = bench_opts(ctx)->filter;
	struct uvf_sim_iommu_params p;
	struct uvf_iommu *iommu = NULL;
	struct uvf_domain *dom = NULL;
	int eal;

	/* EAL takes the hugepages and stays up: only when asked for. */
	if (!filter || !strstr(filter, "eal"))
		return;
	if (eal_up()) {
		fprintf(stderr, "uvf-bench: EAL did not come up (%s): no "
			"dmaheap-eal cases\n", rte_strerror(rte_errno));
		return;
	}
	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	if (!uvf_sim_iommu_create(&p, &iommu) &&
	    !uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom))
		for (eal = 0; eal <= 1; eal++) {
			run_growth(ctx, dom, eal);
			run_pool(ctx, dom, eal);
		}
	uvf_domain_destroy(dom);
	uvf_iommu_destroy(iommu);
	rte_eal_cleanup();
}
