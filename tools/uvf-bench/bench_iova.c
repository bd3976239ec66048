// SPDX-License-Identifier: MIT
/*
 * IOVA allocator: alloc + free pairs (the DMA map/unmap pattern) in a
 * 4 GiB window that is
 *   empty   nothing allocated;
 *   frag50  fragmented, half full;
 *   frag95  fragmented, 95% full (iova_window.h: how they are filled);
 * for 1, 2, 4, ... 64 pages and a mix (each pair draws one of those sizes),
 * on one thread and on --threads threads. Each sample times BATCH pairs and
 * reports their mean: a pair through the thread caches is shorter than the
 * TSC's step here, so single pairs cannot be timed (the run's header says
 * so too). For the mix, percentiles are thus of means of BATCH mixed pairs;
 * the fixed sizes show what each size costs.
 *
 * Allocators, each on an identical copy of the window, measured in the
 * same run, baselines first:
 *   iova-firstfit/alloc-free  first fit over a sorted list, one mutex;
 *   kiova-{mutex,spin}/alloc-free  the kernel design (kiova.h):
 *                             alloc_iova_fast() + free_iova_fast();
 *   iova/alloc-free           uvf_iova_alloc() + uvf_iova_free_fast();
 *   kiova-{mutex,spin}/tree   the kernel design without its caches:
 *                             alloc_iova() + free_iova();
 *   iova/pool                 uvf's pool without its caches: the pool lock
 *                             around each of alloc and release.
 * First fit gets slow exactly where it matters (fragmented, nearly full,
 * larger sizes), so every case stops after CASE_BUDGET_NS once it has
 * MIN_SAMPLES samples. bench_iova_worst() adds the cases where the kernel
 * design breaks.
 *
 * Fill sweep (fill/<allocator>/<N>%/1thr/mix): uvf's allocator, the
 * kernel design and first fit on the mix, one thread, in windows 0, 25,
 * 50, 75, 90 and 95 % full (--quick: 0, 50, 95); --plot draws their
 * latency against fill level.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "iova/allocator.h"
#include "iova_window.h"

#define NR_SIZES (IOVA_BENCH_MAX_ORDER + 2)	/* 1..64 pages, the mix */
#define MIX_LEN 4096			/* pre-drawn sizes for the mix */
#define BATCH 16
#define MIN_SAMPLES (10000 / BATCH)
#define CASE_BUDGET_NS 2000000000ull
#define QUICK_BUDGET_NS 100000000ull
#define PROGRESS_EVERY 256
#define NAME_LEN 96

enum impl {
	IMPL_FIRSTFIT,
	IMPL_KIOVA_MUTEX_FAST,
	IMPL_KIOVA_SPIN_FAST,
	IMPL_UVF,
	IMPL_KIOVA_MUTEX_TREE,
	IMPL_KIOVA_SPIN_TREE,
	IMPL_UVF_POOL,
	NR_IMPLS
};

static const char *const impl_names[NR_IMPLS] = {
	"iova-firstfit/alloc-free", "kiova-mutex/alloc-free",
	"kiova-spin/alloc-free", "iova/alloc-free", "kiova-mutex/tree",
	"kiova-spin/tree", "iova/pool",
};

/* What each of uvf's two paths is compared with, closest design first. */
static const enum impl uvf_baselines[] = {
	IMPL_KIOVA_SPIN_FAST, IMPL_KIOVA_MUTEX_FAST, IMPL_FIRSTFIT,
};
static const enum impl pool_baselines[] = {
	IMPL_KIOVA_SPIN_TREE, IMPL_KIOVA_MUTEX_TREE,
};

struct pairs {
	struct bench_ctx *ctx;
	const char *name;
	struct window *w;
	enum impl impl;
	uint64_t pages;		/* 0: the mix */
	const uint8_t *mix;	/* orders */
	uint64_t samples;
	uint64_t budget_ns;
	_Atomic uint64_t failures;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline unsigned int order_of(uint64_t pages)
{
	return (unsigned int)__builtin_ctzll(pages);
}

static inline bool pair_firstfit(struct window *w, uint64_t pages)
{
	uint64_t pfn;

	if (ff_alloc(&w->ff, pages, &pfn))
		return false;
	ff_free(&w->ff, pfn, pages);
	return true;
}

static inline bool pair_kiova_fast(struct kiova *k, unsigned int cpu,
				   uint64_t pages)
{
	uint64_t pfn;

	if (kiova_alloc_fast(k, cpu, pages, &pfn))
		return false;
	kiova_free_fast(k, cpu, pfn, pages);
	return true;
}

static inline bool pair_kiova_tree(struct kiova *k, uint64_t pages)
{
	uint64_t pfn;

	if (kiova_alloc(k, pages, &pfn))
		return false;
	kiova_free(k, pfn);
	return true;
}

static inline bool pair_uvf(struct window *w, uint64_t pages)
{
	uvf_iova_t iova;

	if (uvf_iova_alloc(w->a, pages << UVF_PAGE_SHIFT, &iova))
		return false;
	uvf_iova_free_fast(w->a, iova, pages << UVF_PAGE_SHIFT);
	return true;
}

static inline bool pair_uvf_pool(struct window *w, uint64_t pages)
{
	struct iova_pool *p = &w->a->pool;
	unsigned int order = order_of(pages);
	uint64_t pfn;
	int ret;

	iova_pool_lock(p);
	ret = iova_pool_alloc(p, order, &pfn);
	iova_pool_unlock(p);
	if (ret)
		return false;
	iova_pool_lock(p);
	iova_pool_release(p, pfn, order);
	iova_pool_unlock(p);
	return true;
}

/* Pages of pair @n of the case: fixed, or its own draw from the mix. */
static inline uint64_t pages_of(const struct pairs *p, uint64_t n)
{
	return p->pages ? p->pages : 1ull << p->mix[n % MIX_LEN];
}

/*
 * One loop per allocator, so no dispatch lands inside the timed region;
 * pair j of the batch starting at pair @first has pages_of(first + j).
 */
#define TIME_BATCH(call)						\
	do {								\
		t0 = bench_now();					\
		for (unsigned int j = 0; j < BATCH; j++) {		\
			uint64_t pages = pages_of(p, first + j);	\
									\
			if (!(call))					\
				return false;				\
		}							\
		t1 = bench_now();					\
	} while (0)

static bool batch(struct pairs *p, unsigned int tid, uint64_t first,
		  uint64_t *ticks)
{
	struct window *w = p->w;
	uint64_t t0, t1;

	switch (p->impl) {
	case IMPL_FIRSTFIT:
		TIME_BATCH(pair_firstfit(w, pages));
		break;
	case IMPL_KIOVA_MUTEX_FAST:
		TIME_BATCH(pair_kiova_fast(w->k[KIOVA_MUTEX_IDX], tid, pages));
		break;
	case IMPL_KIOVA_SPIN_FAST:
		TIME_BATCH(pair_kiova_fast(w->k[KIOVA_SPIN_IDX], tid, pages));
		break;
	case IMPL_UVF:
		TIME_BATCH(pair_uvf(w, pages));
		break;
	case IMPL_KIOVA_MUTEX_TREE:
		TIME_BATCH(pair_kiova_tree(w->k[KIOVA_MUTEX_IDX], pages));
		break;
	case IMPL_KIOVA_SPIN_TREE:
		TIME_BATCH(pair_kiova_tree(w->k[KIOVA_SPIN_IDX], pages));
		break;
	default:
		TIME_BATCH(pair_uvf_pool(w, pages));
		break;
	}
	*ticks = t1 - t0;
	return true;
}

static void pairs_thread(void *arg, unsigned int tid, struct bench_samples *s)
{
	struct pairs *p = arg;
	uint64_t start = mono_ns(), ticks, failures = 0;
	uint64_t warm = p->samples / 100 < 64 ? p->samples / 100 : 64;

	for (uint64_t i = 0; i < warm + p->samples; i++) {
		if (!batch(p, tid, i * BATCH + 977 * tid, &ticks))
			failures++;
		else if (i >= warm)
			bench_samples_add(s, ticks);
		if (i % PROGRESS_EVERY)
			continue;
		if (tid == 0)
			bench_progress(p->ctx, p->name, i, warm + p->samples);
		if (s->n >= MIN_SAMPLES && mono_ns() - start > p->budget_ns)
			break;
	}
	atomic_fetch_add(&p->failures, failures);
}

/* Times the case on @threads threads; 0, or -1 (said) when it could not. */
static int time_case(struct pairs *p, unsigned int threads,
		     struct bench_samples *s)
{
	atomic_store(&p->failures, 0);
	if (bench_run_threads(threads, p->samples, pairs_thread, p, s)) {
		fprintf(stderr, "uvf-bench: %s: cannot start threads.\n",
			p->name);
		return -1;
	}
	if (atomic_load(&p->failures))
		fprintf(stderr, "uvf-bench: %s: %llu batches failed.\n",
			p->name, (unsigned long long)atomic_load(&p->failures));
	return 0;
}

static void run_case(struct bench_ctx *ctx, struct pairs *p,
		     unsigned int threads, const char *const *baselines,
		     size_t nbase)
{
	struct bench_samples s;

	if (time_case(p, threads, &s))
		return;
	bench_report_vs(ctx, p->name, &s, BATCH, baselines, nbase);
	bench_samples_fini(&s);
}

static void size_tag(char *buf, size_t len, unsigned int i)
{
	if (i <= IOVA_BENCH_MAX_ORDER)
		snprintf(buf, len, "%llup", 1ull << i);
	else
		snprintf(buf, len, "mix");
}

static void case_name(char *buf, enum impl impl, const char *wname,
		      unsigned int threads, unsigned int size)
{
	char tag[8];

	size_tag(tag, sizeof(tag), size);
	snprintf(buf, NAME_LEN, "%s/%s/%uthr/%s", impl_names[impl], wname,
		 threads, tag);
}

/* Does any case of window @wname pass the --case filter? */
static bool window_selected(struct bench_ctx *ctx, const char *wname,
			    unsigned int nthreads)
{
	char name[NAME_LEN];

	if (!strcmp(wname, "frag95")) {
		/* bench_iova_worst()'s cases all start like this. */
		static const char *const worst[] = {
			"iova/fail/", "iova/stress/", "iova/metadata/",
			"kiova/metadata/", "kiova-mutex/fail/",
			"kiova-spin/fail/", "kiova-mutex/stress/",
			"kiova-spin/stress/",
		};

		for (size_t i = 0; i < sizeof(worst) / sizeof(worst[0]); i++) {
			snprintf(name, sizeof(name), "%sfrag95", worst[i]);
			if (bench_selected(ctx, name))
				return true;
		}
	}
	for (unsigned int t = 0; t < 2; t++)
		for (unsigned int i = 0; i < NR_SIZES; i++)
			for (int m = 0; m < NR_IMPLS; m++) {
				case_name(name, (enum impl)m, wname,
					  t ? nthreads : 1, i);
				if (bench_selected(ctx, name))
					return true;
			}
	return false;
}

/* Every allocator at one size, baselines first. */
static void run_size(struct bench_ctx *ctx, struct pairs *p,
		     unsigned int threads, unsigned int size)
{
	char names[NR_IMPLS][NAME_LEN];
	const char *base[NR_IMPLS];

	for (int m = 0; m < NR_IMPLS; m++) {
		const enum impl *bl = NULL;
		size_t nb = 0, n = 0;

		case_name(names[m], (enum impl)m, p->w->name, threads, size);
		if (!bench_selected(ctx, names[m]))
			continue;
		if (m == IMPL_UVF) {
			bl = uvf_baselines;
			nb = sizeof(uvf_baselines) / sizeof(uvf_baselines[0]);
		} else if (m == IMPL_UVF_POOL) {
			bl = pool_baselines;
			nb = sizeof(pool_baselines) / sizeof(pool_baselines[0]);
		}
		for (size_t b = 0; b < nb; b++)
			if (bench_selected(ctx, names[bl[b]]))
				base[n++] = names[bl[b]];
		p->impl = (enum impl)m;
		p->name = names[m];
		run_case(ctx, p, threads, base, n);
	}
}

/*
 * The fill sweep: levels 0, 50 and 95 run in the windows above (empty,
 * frag50, frag95); these three more only in a full run (not --quick), as
 * filling a window takes a while. Baselines first, uvf's last.
 */
static const unsigned int fill_more_levels[] = { 25, 75, 90 };
static const enum impl fill_impls[] = {
	IMPL_FIRSTFIT, IMPL_KIOVA_SPIN_FAST, IMPL_UVF,
};
#define NR_FILL_IMPLS (sizeof(fill_impls) / sizeof(fill_impls[0]))

static void fill_name(char *buf, enum impl impl, unsigned int pct)
{
	snprintf(buf, NAME_LEN, "fill/%s/%u%%/1thr/mix", impl_names[impl],
		 pct);
}

/* Every allocator of the sweep, one thread, the mix, in @p->w. */
static void fill_level(struct bench_ctx *ctx, struct pairs *p)
{
	char names[NR_FILL_IMPLS][NAME_LEN];
	const char *base[NR_FILL_IMPLS];
	unsigned int pct = p->w->full_pct;
	struct bench_samples s;
	size_t nbase = 0;

	p->pages = 0;
	for (size_t m = 0; m < NR_FILL_IMPLS; m++) {
		fill_name(names[m], fill_impls[m], pct);
		if (!bench_selected(ctx, names[m]))
			continue;
		p->impl = fill_impls[m];
		p->name = names[m];
		if (time_case(p, 1, &s))
			continue;
		bench_report_fill(ctx, names[m], &s, BATCH,
				  p->impl == IMPL_UVF ? base : NULL,
				  p->impl == IMPL_UVF ? nbase : 0,
				  impl_names[p->impl], pct);
		bench_samples_fini(&s);
		base[nbase++] = names[m];
	}
}

static bool fill_selected(struct bench_ctx *ctx, unsigned int pct)
{
	char name[NAME_LEN];

	for (size_t m = 0; m < NR_FILL_IMPLS; m++) {
		fill_name(name, fill_impls[m], pct);
		if (bench_selected(ctx, name))
			return true;
	}
	return false;
}

static struct pairs pairs_in(struct bench_ctx *ctx, struct window *w,
			     const uint8_t *mix)
{
	const struct bench_opts *o = bench_opts(ctx);

	return (struct pairs){
		.ctx = ctx, .w = w, .mix = mix,
		.samples = (o->iterations + BATCH - 1) / BATCH,
		.budget_ns = o->quick ? QUICK_BUDGET_NS : CASE_BUDGET_NS,
	};
}

static void fill_more(struct bench_ctx *ctx, const uint8_t *mix)
{
	char wname[16];

	if (bench_opts(ctx)->quick)
		return;
	for (size_t i = 0;
	     i < sizeof(fill_more_levels) / sizeof(fill_more_levels[0]); i++) {
		struct window w;
		struct pairs p;

		if (!fill_selected(ctx, fill_more_levels[i]))
			continue;
		snprintf(wname, sizeof(wname), "fill%u", fill_more_levels[i]);
		if (window_create(&w, wname, fill_more_levels[i], 1)) {
			fprintf(stderr,
				"uvf-bench: iova: no memory for the %s window.\n",
				wname);
			continue;
		}
		p = pairs_in(ctx, &w, mix);
		fill_level(ctx, &p);
		window_destroy(&w);
	}
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
		mix[i] = (uint8_t)(iova_rng_next(&seed) %
				   (IOVA_BENCH_MAX_ORDER + 1));
	for (size_t wi = 0; wi < sizeof(windows) / sizeof(windows[0]); wi++) {
		struct pairs fill_pairs;
		struct window w;

		if (!window_selected(ctx, windows[wi].name, nthreads) &&
		    !fill_selected(ctx, windows[wi].full_pct))
			continue;
		if (window_create(&w, windows[wi].name, windows[wi].full_pct,
				  nthreads)) {
			fprintf(stderr,
				"uvf-bench: iova: no memory for the %s window.\n",
				windows[wi].name);
			continue;
		}
		if (w.full_pct == 95)
			bench_iova_metadata(ctx, &w);
		for (unsigned int t = 0; t < 2; t++) {
			unsigned int threads = t ? nthreads : 1;

			if (t && nthreads == 1)
				break;
			for (unsigned int i = 0; i < NR_SIZES; i++) {
				struct pairs p = pairs_in(ctx, &w, mix);

				p.pages = i <= IOVA_BENCH_MAX_ORDER ?
					  1ull << i : 0;
				run_size(ctx, &p, threads, i);
			}
		}
		fill_pairs = pairs_in(ctx, &w, mix);
		fill_level(ctx, &fill_pairs);
		if (w.full_pct == 95)
			bench_iova_worst(ctx, &w, nthreads);
		window_destroy(&w);
	}
	fill_more(ctx, mix);
}
