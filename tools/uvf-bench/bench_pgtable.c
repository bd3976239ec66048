/* SPDX-License-Identifier: MIT */
/*
 * I/O page tables, every format: map and unmap (timed separately) of one
 * 4 KiB, 2 MiB and 1 GiB leaf and of 256 contiguous 4 KiB pages, and a
 * full hardware walk (translate) with the tables in cache.
 *
 * Intermediate tables are kept alive by a pinned mapping next to the
 * measured one, as in a domain in use; so the figures are the cost of the
 * walk and of writing (clearing) the leaves, not of allocating tables.
 * The baselines are a memset of exactly the page-table-entry bytes the
 * operation writes: 8 bytes for one leaf of any size, 2 KiB for 256.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/pgtable.h>

#include "bench.h"

#define TRANSLATE_BATCH 16	/* a walk is a few ns: time 16 at a time */
#define RUN_PAGES 256
#define PROGRESS_EVERY 4096

#define MEMSET_LEAF "pgtable-memset/map/4k"
#define MEMSET_RUN "pgtable-memset/map/256x4k"

struct map_case {
	const char *tag;	/* "4k", "2m", "1g", "256x4k" */
	uvf_iova_t iova;	/* measured range */
	uint64_t len;
	uvf_iova_t pin;		/* 4 KiB kept mapped in the same table */
	const char *baseline;
};

/* Below 2^39 everything shares one table per level above the leaves'. */
static const struct map_case map_cases[] = {
	{ "4k", UVF_SZ_1G, UVF_PAGE_SIZE,
	  UVF_SZ_1G + UVF_SZ_2M - UVF_PAGE_SIZE, MEMSET_LEAF },
	{ "2m", 2 * UVF_SZ_1G, UVF_SZ_2M,
	  3 * UVF_SZ_1G - UVF_PAGE_SIZE, MEMSET_LEAF },
	{ "1g", 4 * UVF_SZ_1G, UVF_SZ_1G, 6 * UVF_SZ_1G, MEMSET_LEAF },
	{ "256x4k", 8 * UVF_SZ_1G, RUN_PAGES * UVF_PAGE_SIZE,
	  8 * UVF_SZ_1G + UVF_SZ_2M - UVF_PAGE_SIZE, MEMSET_RUN },
};

#define NR_MAP_CASES (sizeof(map_cases) / sizeof(map_cases[0]))

/* An output address aligned to 1 GiB: the model never dereferences it. */
#define BENCH_PA 0x200000000000ull

static void sink(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static void case_memset(struct bench_ctx *ctx, const char *name, size_t len,
			uint64_t iters)
{
	struct bench_samples s;
	uint64_t *page = aligned_alloc(UVF_PAGE_SIZE, UVF_PAGE_SIZE);
	uint64_t i;

	if (!page || bench_samples_init(&s, iters)) {
		free(page);
		return;
	}
	memset(page, 0, UVF_PAGE_SIZE);
	for (i = 0; i < iters; i++) {
		uint64_t t0 = bench_now();

		memset(page, (int)(i & 0xff) | 1, len);
		sink(page);
		bench_samples_add(&s, bench_now() - t0);
		if (i % PROGRESS_EVERY == 0)
			bench_progress(ctx, name, i, iters);
	}
	bench_report(ctx, name, &s, 1, NULL);
	bench_samples_fini(&s);
	free(page);
}

static void case_map_unmap(struct bench_ctx *ctx, struct uvf_pgtable *pt,
			   const char *fname, const struct map_case *c,
			   uint64_t iters)
{
	char map_name[96], unmap_name[96];
	struct bench_samples ms, us;
	uint64_t i;

	snprintf(map_name, sizeof(map_name), "pgtable/%s/map/%s", fname,
		 c->tag);
	snprintf(unmap_name, sizeof(unmap_name), "pgtable/%s/unmap/%s", fname,
		 c->tag);
	if (!bench_selected(ctx, map_name) && !bench_selected(ctx, unmap_name))
		return;
	if (bench_samples_init(&ms, iters))
		return;
	if (bench_samples_init(&us, iters)) {
		bench_samples_fini(&ms);
		return;
	}
	for (i = 0; i < iters; i++) {
		uint64_t t0, t1, t2;
		int rm, ru;

		t0 = bench_now();
		rm = uvf_pgtable_map(pt, c->iova, BENCH_PA, c->len,
				     UVF_PROT_RW, 0, NULL);
		t1 = bench_now();
		ru = uvf_pgtable_unmap(pt, c->iova, c->len, NULL);
		t2 = bench_now();
		if (rm || ru) {
			fprintf(stderr, "uvf-bench: %s: map %d, unmap %d\n",
				map_name, rm, ru);
			break;
		}
		bench_samples_add(&ms, t1 - t0);
		bench_samples_add(&us, t2 - t1);
		if (i % PROGRESS_EVERY == 0)
			bench_progress(ctx, map_name, i, iters);
	}
	if (bench_selected(ctx, map_name))
		bench_report(ctx, map_name, &ms, 1, c->baseline);
	if (bench_selected(ctx, unmap_name))
		bench_report(ctx, unmap_name, &us, 1, c->baseline);
	bench_samples_fini(&ms);
	bench_samples_fini(&us);
}

/* Full walks to 4 KiB leaves (every level read), tables in cache. */
static void case_translate(struct bench_ctx *ctx, struct uvf_pgtable *pt,
			   const char *fname, uint64_t iters)
{
	uvf_iova_t iova = map_cases[0].pin;
	struct bench_samples s;
	char name[96];
	uint64_t i, pa, acc = 0;
	int prot, k;

	snprintf(name, sizeof(name), "pgtable/%s/translate/4k-walk", fname);
	if (!bench_selected(ctx, name) ||
	    bench_samples_init(&s, iters / TRANSLATE_BATCH + 1))
		return;
	for (i = 0; i < iters / TRANSLATE_BATCH; i++) {
		uint64_t t0 = bench_now();

		for (k = 0; k < TRANSLATE_BATCH; k++) {
			if (uvf_pgtable_translate(pt, iova + (uint64_t)k * 64,
						  &pa, &prot, NULL))
				pa = 0;
			acc += pa;
		}
		bench_samples_add(&s, bench_now() - t0);
		if (i % PROGRESS_EVERY == 0)
			bench_progress(ctx, name, i, iters / TRANSLATE_BATCH);
	}
	sink(&acc);
	if (!acc)
		fprintf(stderr, "uvf-bench: %s: nothing translated\n", name);
	bench_report(ctx, name, &s, TRANSLATE_BATCH, NULL);
	bench_samples_fini(&s);
}

static void bench_format(struct bench_ctx *ctx, enum uvf_pgtable_format fmt,
			 uint64_t iters)
{
	const char *fname = uvf_pgtable_format_info(fmt)->name;
	struct uvf_pgtable *pt;
	unsigned int c;

	if (uvf_pgtable_create(fmt, &pt)) {
		fprintf(stderr, "uvf-bench: cannot create a %s table\n", fname);
		return;
	}
	for (c = 0; c < NR_MAP_CASES; c++) {
		if (uvf_pgtable_map(pt, map_cases[c].pin, BENCH_PA,
				    UVF_PAGE_SIZE, UVF_PROT_RW, 0, NULL)) {
			fprintf(stderr, "uvf-bench: %s: cannot pin\n", fname);
			uvf_pgtable_destroy(pt);
			return;
		}
	}
	for (c = 0; c < NR_MAP_CASES; c++)
		case_map_unmap(ctx, pt, fname, &map_cases[c], iters);
	case_translate(ctx, pt, fname, iters);
	uvf_pgtable_destroy(pt);
}

static bool any_selected(struct bench_ctx *ctx)
{
	static const char *const ops[] = { "map", "unmap" };
	char name[96];
	unsigned int f, c, o;

	for (f = 0; f < UVF_PGTABLE_NR_FORMATS; f++) {
		const char *fname = uvf_pgtable_format_info(f)->name;

		for (c = 0; c < NR_MAP_CASES; c++) {
			for (o = 0; o < 2; o++) {
				snprintf(name, sizeof(name), "pgtable/%s/%s/%s",
					 fname, ops[o], map_cases[c].tag);
				if (bench_selected(ctx, name))
					return true;
			}
		}
	}
	return false;
}

void bench_pgtable(struct bench_ctx *ctx)
{
	uint64_t iters = bench_opts(ctx)->iterations;
	int fmt;

	/* Baselines first, so that every ratio can be printed. */
	if (bench_selected(ctx, MEMSET_LEAF) || any_selected(ctx))
		case_memset(ctx, MEMSET_LEAF, sizeof(uint64_t), iters);
	if (bench_selected(ctx, MEMSET_RUN) || any_selected(ctx))
		case_memset(ctx, MEMSET_RUN, RUN_PAGES * sizeof(uint64_t),
			    iters);
	for (fmt = 0; fmt < UVF_PGTABLE_NR_FORMATS; fmt++)
		bench_format(ctx, (enum uvf_pgtable_format)fmt, iters);
}
