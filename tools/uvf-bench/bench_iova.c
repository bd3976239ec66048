// SPDX-License-Identifier: MIT
/*
 * IOVA allocator: uvf_iova_alloc() + uvf_iova_free_fast() pairs (one timed
 * sample per pair, the DMA map/unmap pattern) in a 4 GiB window that is
 *   empty   nothing allocated;
 *   frag50  fragmented, half full;
 *   frag95  fragmented, 95% full;
 * for 1, 2, 4, ... 64 pages and a mix (each pair draws one of those sizes),
 * on one thread and on --threads threads.
 *
 * Fragmented windows are built reproducibly (fixed seed): fill the window
 * completely with random sizes weighted towards small mappings, as DMA
 * traffic is (2^k pages with probability proportional to 4^-k, k = 0..6,
 * so three quarters are single pages), then free randomly chosen blocks
 * until the target is free. Free space ends up scattered in small pieces,
 * and naturally aligned room for the larger sizes is rare.
 *
 * Baseline, measured first on an identical copy of each window: a first-fit
 * allocator over a sorted singly linked list of free extents with a linear
 * search for the first extent that holds an aligned block, and a linear
 * walk to the insertion point on free, under one mutex: the old kernel
 * behaviour this allocator replaces. First-fit gets slow exactly where it
 * matters (fragmented, nearly full, larger sizes), so every case stops
 * after CASE_BUDGET_NS once it has MIN_SAMPLES samples.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uvf/iova.h>

#include "bench.h"

#define WINDOW_BASE (1ull << 32)
#define WINDOW_PAGES (1ull << 20)	/* 4 GiB */
#define MAX_ORDER 6			/* 64 pages */
#define NR_SIZES (MAX_ORDER + 2)	/* 1..64 pages, then the mix */
#define MIX_LEN 4096			/* pre-drawn sizes for the mix */
#define FILL_SEED 0x10aull
#define MIN_SAMPLES 10000
#define CASE_BUDGET_NS 2000000000ull
#define QUICK_BUDGET_NS 100000000ull
#define PROGRESS_EVERY 4096
#define NAME_LEN 96

/* ---- first-fit baseline ---- */

struct ff_extent {
	struct ff_extent *next;
	uint64_t start, end;	/* pages, [start, end) */
};

struct firstfit {
	pthread_mutex_t lock;
	struct ff_extent *head;	/* sorted by address */
	struct ff_extent *spare;	/* recycled nodes */
	struct ff_extent *nodes;	/* one array, freed at the end */
	size_t nr_nodes, used_nodes;
};

static struct ff_extent *ff_node(struct firstfit *ff)
{
	struct ff_extent *e = ff->spare;

	if (e) {
		ff->spare = e->next;
		return e;
	}
	/* Sized at build time: every live extent is a free block's worth. */
	return ff->used_nodes < ff->nr_nodes ? &ff->nodes[ff->used_nodes++] :
					       NULL;
}

static void ff_put(struct firstfit *ff, struct ff_extent *e)
{
	e->next = ff->spare;
	ff->spare = e;
}

static int ff_alloc(struct firstfit *ff, uint64_t pages, uint64_t *pfn)
{
	struct ff_extent **link, *e, *r;
	int ret = -ENOSPC;

	pthread_mutex_lock(&ff->lock);
	for (link = &ff->head; (e = *link); link = &e->next) {
		uint64_t s = (e->start + pages - 1) & ~(pages - 1);

		if (s + pages > e->end)
			continue;
		if (s == e->start && s + pages == e->end) {
			*link = e->next;
			ff_put(ff, e);
		} else if (s == e->start) {
			e->start += pages;
		} else if (s + pages == e->end) {
			e->end = s;
		} else {
			r = ff_node(ff);
			if (!r) {
				ret = -ENOMEM;
				break;
			}
			r->start = s + pages;
			r->end = e->end;
			r->next = e->next;
			e->end = s;
			e->next = r;
		}
		*pfn = s;
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&ff->lock);
	return ret;
}

static void ff_free(struct firstfit *ff, uint64_t pfn, uint64_t pages)
{
	struct ff_extent **link = &ff->head, *prev = NULL, *next, *e;

	pthread_mutex_lock(&ff->lock);
	while (*link && (*link)->start < pfn) {
		prev = *link;
		link = &prev->next;
	}
	next = *link;
	if (prev && prev->end == pfn) {
		prev->end += pages;
		if (next && next->start == prev->end) {
			prev->end = next->end;
			prev->next = next->next;
			ff_put(ff, next);
		}
	} else if (next && next->start == pfn + pages) {
		next->start = pfn;
	} else {
		e = ff_node(ff);
		/* Cannot fail: a free never needs more nodes than it held. */
		e->start = pfn;
		e->end = pfn + pages;
		e->next = next;
		*link = e;
	}
	pthread_mutex_unlock(&ff->lock);
}

/* ---- windows ---- */

struct block {
	uint64_t pfn, pages;
};

struct window {
	const char *name;
	unsigned int full_pct;
	struct uvf_iova_allocator *a;
	struct firstfit ff;
};

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* 2^k pages with probability proportional to 4^-k, k <= @max. */
static unsigned int small_biased_order(uint64_t *seed, unsigned int max)
{
	unsigned int k = 0;

	while (k < max && (rng_next(seed) & 3) == 0)
		k++;
	return k;
}

static int cmp_block(const void *x, const void *y)
{
	const struct block *a = x, *b = y;

	return a->pfn < b->pfn ? -1 : a->pfn > b->pfn;
}

/* The first-fit list holding exactly @free (sorted, merged on the way). */
static int ff_build(struct firstfit *ff, struct block *free_list, size_t n)
{
	struct ff_extent **link = &ff->head, *last = NULL;

	memset(ff, 0, sizeof(*ff));
	qsort(free_list, n, sizeof(*free_list), cmp_block);
	/*
	 * At most one more extent per outstanding allocation (a split), and
	 * there are at most as many of those as threads (main.c caps at 4096).
	 */
	ff->nr_nodes = n + 4096;
	ff->nodes = malloc(ff->nr_nodes * sizeof(*ff->nodes));
	if (!ff->nodes)
		return -ENOMEM;
	pthread_mutex_init(&ff->lock, NULL);
	for (size_t i = 0; i < n; i++) {
		if (last && last->end == free_list[i].pfn) {
			last->end += free_list[i].pages;
			continue;
		}
		last = ff_node(ff);
		last->start = free_list[i].pfn;
		last->end = free_list[i].pfn + free_list[i].pages;
		last->next = NULL;
		*link = last;
		link = &last->next;
	}
	return 0;
}

/*
 * Fill with the biased mix, then free a random subset (through the checked
 * free, so the space is in the pool, not in this thread's cache) until
 * 100 - @full_pct percent is free.
 */
static int window_fill(struct window *w)
{
	uint64_t seed = FILL_SEED + w->full_pct, free_pages = 0;
	uint64_t target = WINDOW_PAGES * (100 - w->full_pct) / 100;
	struct block *blk = malloc(WINDOW_PAGES * sizeof(*blk));
	unsigned int max = MAX_ORDER;
	size_t n = 0, nfree = 0;
	int ret = -ENOMEM;

	if (!blk)
		return ret;
	for (;;) {
		unsigned int k = small_biased_order(&seed, max);
		uvf_iova_t iova;

		if (uvf_iova_alloc(w->a, UVF_PAGE_SIZE << k, &iova)) {
			/* Space only shrinks: never try this order again. */
			if (k == 0)
				break;
			max = k - 1;
			continue;
		}
		blk[n++] = (struct block){ iova >> UVF_PAGE_SHIFT, 1ull << k };
	}
	/* Shuffle the front into a random subset, freeing as we go. */
	while (free_pages < target && nfree < n) {
		size_t j = nfree + rng_next(&seed) % (n - nfree);
		struct block t = blk[j];

		blk[j] = blk[nfree];
		blk[nfree++] = t;
		if (uvf_iova_free(w->a, t.pfn << UVF_PAGE_SHIFT,
				  t.pages << UVF_PAGE_SHIFT))
			goto out;
		free_pages += t.pages;
	}
	ret = ff_build(&w->ff, blk, nfree);
out:
	free(blk);
	return ret;
}

static int window_create(struct window *w, const char *name,
			 unsigned int full_pct)
{
	struct uvf_iova_range r = {
		WINDOW_BASE, WINDOW_BASE + WINDOW_PAGES * UVF_PAGE_SIZE - 1
	};
	struct block all = { WINDOW_BASE >> UVF_PAGE_SHIFT, WINDOW_PAGES };
	int ret;

	w->name = name;
	w->full_pct = full_pct;
	ret = uvf_iova_allocator_create(&r, 1, &w->a);
	if (ret)
		return ret;
	ret = full_pct ? window_fill(w) : ff_build(&w->ff, &all, 1);
	if (ret) {
		uvf_iova_allocator_destroy(w->a);
		return ret;
	}
	return 0;
}

static void window_destroy(struct window *w)
{
	uvf_iova_allocator_destroy(w->a);
	pthread_mutex_destroy(&w->ff.lock);
	free(w->ff.nodes);
}

/* ---- timed pairs ---- */

struct pairs {
	struct bench_ctx *ctx;
	const char *name;
	struct window *w;
	bool firstfit;
	uint64_t pages;		/* 0: the mix */
	const uint8_t *mix;	/* orders */
	uint64_t iters;
	uint64_t budget_ns;
	_Atomic uint64_t failures;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool pair(struct pairs *p, uint64_t pages, uint64_t *ticks)
{
	uint64_t t0, t1, pfn;
	uvf_iova_t iova;

	if (p->firstfit) {
		t0 = bench_now();
		if (ff_alloc(&p->w->ff, pages, &pfn))
			return false;
		ff_free(&p->w->ff, pfn, pages);
		t1 = bench_now();
	} else {
		t0 = bench_now();
		if (uvf_iova_alloc(p->w->a, pages << UVF_PAGE_SHIFT, &iova))
			return false;
		uvf_iova_free_fast(p->w->a, iova, pages << UVF_PAGE_SHIFT);
		t1 = bench_now();
	}
	*ticks = t1 - t0;
	return true;
}

static void pairs_thread(void *arg, unsigned int tid, struct bench_samples *s)
{
	struct pairs *p = arg;
	uint64_t start = mono_ns(), ticks, failures = 0;
	uint64_t warm = p->iters / 100 < 1000 ? p->iters / 100 : 1000;

	for (uint64_t i = 0; i < warm + p->iters; i++) {
		uint64_t pages = p->pages ? p->pages :
				 1ull << p->mix[(i + 977 * tid) % MIX_LEN];

		if (!pair(p, pages, &ticks))
			failures++;
		else if (i >= warm)
			bench_samples_add(s, ticks);
		if (i % PROGRESS_EVERY)
			continue;
		if (tid == 0)
			bench_progress(p->ctx, p->name, i, warm + p->iters);
		if (s->n >= MIN_SAMPLES && mono_ns() - start > p->budget_ns)
			break;
	}
	atomic_fetch_add(&p->failures, failures);
}

static void run_case(struct bench_ctx *ctx, struct pairs *p,
		     unsigned int threads, const char *baseline)
{
	struct bench_samples s;

	if (!bench_selected(ctx, p->name))
		return;
	atomic_store(&p->failures, 0);
	if (bench_run_threads(threads, p->iters, pairs_thread, p, &s)) {
		fprintf(stderr, "uvf-bench: %s: cannot start threads.\n",
			p->name);
		return;
	}
	if (atomic_load(&p->failures))
		fprintf(stderr, "uvf-bench: %s: %llu allocations failed.\n",
			p->name, (unsigned long long)atomic_load(&p->failures));
	bench_report(ctx, p->name, &s, 1, baseline);
	bench_samples_fini(&s);
}

static void size_tag(char *buf, size_t len, unsigned int i)
{
	if (i <= MAX_ORDER)
		snprintf(buf, len, "%llup", 1ull << i);
	else
		snprintf(buf, len, "mix");
}

/* Does any case of window @wname pass the --case filter? */
static bool window_selected(struct bench_ctx *ctx, const char *wname,
			    unsigned int nthreads)
{
	const char *impl[] = { "iova", "iova-firstfit" };
	char name[NAME_LEN], tag[8];

	for (unsigned int t = 0; t < 2; t++)
		for (unsigned int i = 0; i < NR_SIZES; i++)
			for (unsigned int m = 0; m < 2; m++) {
				size_tag(tag, sizeof(tag), i);
				snprintf(name, sizeof(name),
					 "%s/alloc-free/%s/%uthr/%s", impl[m],
					 wname, t ? nthreads : 1, tag);
				if (bench_selected(ctx, name))
					return true;
			}
	return false;
}

void bench_iova(struct bench_ctx *ctx)
{
	static const struct {
		const char *name;
		unsigned int full_pct;
	} windows[] = { { "empty", 0 }, { "frag50", 50 }, { "frag95", 95 } };
	const struct bench_opts *o = bench_opts(ctx);
	unsigned int nthreads = o->threads ? o->threads : 1;
	uint8_t mix[MIX_LEN];
	uint64_t seed = FILL_SEED;

	for (size_t i = 0; i < MIX_LEN; i++)
		mix[i] = (uint8_t)(rng_next(&seed) % (MAX_ORDER + 1));
	for (size_t wi = 0; wi < sizeof(windows) / sizeof(windows[0]); wi++) {
		struct window w;

		if (!window_selected(ctx, windows[wi].name, nthreads))
			continue;
		if (window_create(&w, windows[wi].name, windows[wi].full_pct)) {
			fprintf(stderr,
				"uvf-bench: iova: no memory for the %s window.\n",
				windows[wi].name);
			continue;
		}
		for (unsigned int t = 0; t < 2; t++) {
			unsigned int threads = t ? nthreads : 1;

			if (t && nthreads == 1)
				break;
			for (unsigned int i = 0; i < NR_SIZES; i++) {
				char ff_name[NAME_LEN], name[NAME_LEN], tag[8];
				struct pairs p = {
					.ctx = ctx, .w = &w,
					.pages = i <= MAX_ORDER ? 1ull << i : 0,
					.mix = mix, .iters = o->iterations,
					.budget_ns = o->quick ? QUICK_BUDGET_NS :
								CASE_BUDGET_NS,
				};

				size_tag(tag, sizeof(tag), i);
				snprintf(ff_name, sizeof(ff_name),
					 "iova-firstfit/alloc-free/%s/%uthr/%s",
					 w.name, threads, tag);
				snprintf(name, sizeof(name),
					 "iova/alloc-free/%s/%uthr/%s", w.name,
					 threads, tag);
				p.firstfit = true;
				p.name = ff_name;
				run_case(ctx, &p, threads, NULL);
				p.firstfit = false;
				p.name = name;
				run_case(ctx, &p, threads,
					 bench_selected(ctx, ff_name) ? ff_name :
									NULL);
			}
		}
		window_destroy(&w);
	}
}
