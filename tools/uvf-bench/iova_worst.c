// SPDX-License-Identifier: MIT
/*
 * uvf-bench iova cases where the kernel design breaks (iova_window.h):
 *
 *   {iova,kiova-*}/fail/frag95/1thr/<N>p  a request that cannot succeed:
 *     the smallest power of two from 64 pages up that uvf cannot place.
 *     uvf answers from the root's order mask (after draining the thread
 *     caches, as it must); the kernel design walks every allocated range,
 *     flushes its caches and walks again.
 *   {iova,kiova-*}/stress/frag95/<T>thr  random allocations (1..64 pages)
 *     and frees of a thread's own blocks, STRESS_OPS per thread or until
 *     the time budget runs out; reported as ns per operation, with the
 *     operations done per thread beside it.
 *   {iova,kiova}/metadata/{frag95,emptied}  node memory with the window
 *     95 % full, and once every block is back.
 *
 * The kernel design is bounded by time, not by count, so the bench stays
 * short: its rows are the work it got through in that time.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "iova_window.h"

#define FAIL_SAMPLES 2000
#define FAIL_BUDGET_NS 1000000000ull
#define STRESS_OPS 200000ull
#define STRESS_BUDGET_NS 3000000000ull
#define QUICK_BUDGET_NS 50000000ull
#define STRESS_HELD 1024
#define NAME_LEN 96

enum worst_impl { WORST_KMUTEX, WORST_KSPIN, WORST_UVF };

static const char *const worst_names[] = { "kiova-mutex", "kiova-spin",
					   "iova" };

struct worst {
	struct bench_ctx *ctx;
	struct window *w;
	enum worst_impl impl;
	uint64_t pages;		/* fail: the request */
	uint64_t ops;		/* samples (fail) or operations (stress) */
	uint64_t budget_ns;
	_Atomic uint64_t ops_done, ns_spent, unexpected;
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool worst_alloc(struct worst *x, unsigned int tid, uint64_t pages,
			uint64_t *pfn)
{
	uvf_iova_t iova;

	if (x->impl != WORST_UVF)
		return !kiova_alloc_fast(x->w->k[x->impl], tid, pages, pfn);
	if (uvf_iova_alloc(x->w->a, pages << UVF_PAGE_SHIFT, &iova))
		return false;
	*pfn = iova >> UVF_PAGE_SHIFT;
	return true;
}

static void worst_free(struct worst *x, unsigned int tid, uint64_t pfn,
		       uint64_t pages)
{
	if (x->impl != WORST_UVF)
		kiova_free_fast(x->w->k[x->impl], tid, pfn, pages);
	else
		uvf_iova_free_fast(x->w->a, pfn << UVF_PAGE_SHIFT,
				   pages << UVF_PAGE_SHIFT);
}

/* ---- a request that cannot succeed ---- */

static void fail_thread(void *arg, unsigned int tid, struct bench_samples *s)
{
	struct worst *x = arg;
	uint64_t start = mono_ns(), pfn, t0, t1;

	for (uint64_t i = 0; i < x->ops; i++) {
		t0 = bench_now();
		if (worst_alloc(x, tid, x->pages, &pfn)) {
			worst_free(x, tid, pfn, x->pages);
			atomic_fetch_add(&x->unexpected, 1);
			continue;
		}
		t1 = bench_now();
		bench_samples_add(s, t1 - t0);
		if (i >= 2 && mono_ns() - start > x->budget_ns)
			break;
	}
}

/* The smallest power of two from 64 pages up that uvf cannot place. */
static uint64_t failing_pages(struct window *w)
{
	uvf_iova_t iova;
	uint64_t pages;

	for (pages = 64; pages < WINDOW_PAGES; pages <<= 1) {
		if (uvf_iova_alloc(w->a, pages << UVF_PAGE_SHIFT, &iova))
			break;
		uvf_iova_free(w->a, iova, pages << UVF_PAGE_SHIFT);
	}
	return pages;
}

static void run_fail(struct bench_ctx *ctx, struct window *w)
{
	const struct bench_opts *o = bench_opts(ctx);
	char names[3][NAME_LEN];
	const char *base[2];
	uint64_t pages = failing_pages(w);
	size_t nb = 0;

	for (int i = 0; i < 3; i++) {
		struct worst x = {
			.ctx = ctx, .w = w, .impl = (enum worst_impl)i,
			.pages = pages,
			.ops = o->iterations < FAIL_SAMPLES ? o->iterations :
							      FAIL_SAMPLES,
			.budget_ns = o->quick ? QUICK_BUDGET_NS : FAIL_BUDGET_NS,
		};
		struct bench_samples s;

		snprintf(names[i], NAME_LEN, "%s/fail/%s/1thr/%llup",
			 worst_names[i], w->name, (unsigned long long)pages);
		if (!bench_selected(ctx, names[i]))
			continue;
		if (bench_run_threads(1, x.ops, fail_thread, &x, &s)) {
			fprintf(stderr, "uvf-bench: %s: cannot start threads.\n",
				names[i]);
			continue;
		}
		if (atomic_load(&x.unexpected))
			fprintf(stderr, "uvf-bench: %s: %llu requests succeeded.\n",
				names[i],
				(unsigned long long)atomic_load(&x.unexpected));
		if (i == WORST_UVF) {
			/* The closest design first, as everywhere. */
			for (int b = WORST_KSPIN; b >= WORST_KMUTEX; b--)
				if (bench_selected(ctx, names[b]))
					base[nb++] = names[b];
		}
		bench_report_vs(ctx, names[i], &s, 1, base, nb);
		bench_samples_fini(&s);
	}
}

/* ---- random alloc/free stress ---- */

struct held {
	uint64_t pfn, pages;
};

static void stress_thread(void *arg, unsigned int tid,
			  struct bench_samples *s)
{
	struct worst *x = arg;
	struct held *h = malloc(STRESS_HELD * sizeof(*h));
	uint64_t seed = 0x5eedull + tid, start, spent, i;
	size_t n = 0;

	(void)s;
	if (!h)
		return;
	start = mono_ns();
	for (i = 0; i < x->ops; i++) {
		uint64_t r = iova_rng_next(&seed);

		if (!n || (n < STRESS_HELD && (r & 1))) {
			uint64_t pages = 1ull << ((r >> 8) % 7), pfn;

			if (worst_alloc(x, tid, pages, &pfn))
				h[n++] = (struct held){ pfn, pages };
		} else {
			size_t j = (r >> 16) % n;

			worst_free(x, tid, h[j].pfn, h[j].pages);
			h[j] = h[--n];
		}
		if (i % 64 == 63 && mono_ns() - start > x->budget_ns) {
			i++;
			break;
		}
	}
	spent = mono_ns() - start;
	while (n) {
		n--;
		worst_free(x, tid, h[n].pfn, h[n].pages);
	}
	free(h);
	atomic_fetch_add(&x->ops_done, i);
	atomic_fetch_add(&x->ns_spent, spent);
}

static void run_stress(struct bench_ctx *ctx, struct window *w,
		       unsigned int threads)
{
	const struct bench_opts *o = bench_opts(ctx);
	char names[3][NAME_LEN], ops_name[NAME_LEN + 8];

	for (int i = 0; i < 3; i++) {
		struct worst x = {
			.ctx = ctx, .w = w, .impl = (enum worst_impl)i,
			.ops = o->quick ? STRESS_OPS / 10 : STRESS_OPS,
			.budget_ns = o->quick ? QUICK_BUDGET_NS :
						STRESS_BUDGET_NS,
		};
		struct bench_samples s;
		uint64_t done;

		snprintf(names[i], NAME_LEN, "%s/stress/%s/%uthr",
			 worst_names[i], w->name, threads);
		if (!bench_selected(ctx, names[i]))
			continue;
		if (bench_run_threads(threads, 0, stress_thread, &x, &s)) {
			fprintf(stderr, "uvf-bench: %s: cannot start threads.\n",
				names[i]);
			continue;
		}
		bench_samples_fini(&s);
		done = atomic_load(&x.ops_done);
		bench_report_value(ctx, names[i],
				   done ? (double)atomic_load(&x.ns_spent) /
					  (double)done : 0,
				   "ns per op",
				   i == WORST_UVF &&
				   bench_selected(ctx, names[WORST_KSPIN]) ?
				   names[WORST_KSPIN] : NULL);
		snprintf(ops_name, sizeof(ops_name), "%s/ops", names[i]);
		bench_report_value(ctx, ops_name, (double)done / threads,
				   "ops per thread", NULL);
	}
}

/* ---- metadata ---- */

static uint64_t uvf_metadata(struct window *w)
{
	struct uvf_iova_stats st;

	uvf_iova_get_stats(w->a, &st);
	return st.metadata_bytes;
}

static void report_metadata(struct bench_ctx *ctx, struct window *w,
			    const char *state)
{
	char kname[NAME_LEN], uname[NAME_LEN];
	bool kseen;

	snprintf(kname, sizeof(kname), "kiova/metadata/%s", state);
	snprintf(uname, sizeof(uname), "iova/metadata/%s", state);
	kseen = bench_selected(ctx, kname);
	if (kseen)
		bench_report_value(ctx, kname,
				   (double)kiova_metadata_bytes(w->k[0]),
				   "bytes", NULL);
	if (bench_selected(ctx, uname))
		bench_report_value(ctx, uname, (double)uvf_metadata(w),
				   "bytes", kseen ? kname : NULL);
}

void bench_iova_metadata(struct bench_ctx *ctx, struct window *w)
{
	report_metadata(ctx, w, w->name);
}

void bench_iova_worst(struct bench_ctx *ctx, struct window *w,
		      unsigned int nthreads)
{
	run_fail(ctx, w);
	run_stress(ctx, w, 1);
	if (nthreads > 1)
		run_stress(ctx, w, nthreads);
	/* Give everything back: what memory does each keep? */
	uvf_iova_flush_caches(w->a);
	for (int i = 0; i < KIOVA_KINDS; i++)
		kiova_flush(w->k[i]);
	for (size_t j = 0; j < w->nout; j++) {
		uvf_iova_free(w->a, w->out[j].pfn << UVF_PAGE_SHIFT,
			      w->out[j].pages << UVF_PAGE_SHIFT);
		for (int i = 0; i < KIOVA_KINDS; i++)
			kiova_free(w->k[i], w->out[j].pfn);
	}
	w->nout = 0;
	report_metadata(ctx, w, "emptied");
}
