/* SPDX-License-Identifier: MIT */
/*
 * uvf-bench harness: per-operation timing, percentiles, baselines measured
 * in the same run and ratios against them.
 */
#ifndef UVF_BENCH_H
#define UVF_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench_ctx;

struct bench_opts {
	unsigned int threads;	/* --threads N: the "N threads" cases */
	uint64_t iterations;	/* --iterations: timed operations per case */
	bool quick;		/* --quick: a short run for smoke tests */
	bool json;		/* --json */
	const char *filter;	/* --case SUBSTR: run only matching cases */
	const char *device;	/* --device BDF (real VFIO) */
	const char *backend;	/* --backend sim|type1|iommufd */
	const char *plot_dir;	/* --plot DIR: data files and SVGs */
};

/* Baselines one case can be compared with (bench_report_vs()). */
#define BENCH_MAX_BASELINES 4

/* Timed samples of one case, in timer ticks. */
struct bench_samples {
	uint64_t *v;
	size_t n, cap;
};

/**
 * bench_opts() - the run's options
 * @ctx: run
 *
 * Return: the options.
 */
const struct bench_opts *bench_opts(const struct bench_ctx *ctx);

/**
 * bench_selected() - whether a case named @name should run (--case filter)
 * @ctx: run
 * @name: case name
 *
 * Return: true to run it.
 */
bool bench_selected(const struct bench_ctx *ctx, const char *name);

/**
 * bench_now() - timestamp in ticks (serialising TSC read on x86, monotonic
 *               clock elsewhere)
 *
 * Return: ticks.
 */
uint64_t bench_now(void);

/**
 * bench_samples_init() - make room for @cap samples
 * @s: samples
 * @cap: capacity
 *
 * Return: 0 or -ENOMEM.
 */
int bench_samples_init(struct bench_samples *s, size_t cap);

/**
 * bench_samples_add() - record one timed operation (silently dropped past
 *                       capacity)
 * @s: samples
 * @ticks: bench_now() difference
 *
 * Return: nothing.
 */
static inline void bench_samples_add(struct bench_samples *s, uint64_t ticks)
{
	if (s->n < s->cap)
		s->v[s->n++] = ticks;
}

/**
 * bench_keep() - make the compiler believe @v is used, so a timed loop whose
 *                result is otherwise dead is not optimised away
 * @v: value
 *
 * Return: nothing.
 */
static inline void bench_keep(uint64_t v)
{
	__asm__ volatile("" : : "r"(v) : "memory");
}

/**
 * bench_samples_fini() - free the samples
 * @s: samples
 *
 * Return: nothing.
 */
void bench_samples_fini(struct bench_samples *s);

/**
 * bench_report() - print one case: mean, p50, p99, p99.9, max in ns, and,
 *                  when @baseline names a case reported earlier in this run,
 *                  the ratio baseline/this at p50 and p99 (how many times
 *                  faster this case is)
 * @ctx: run
 * @name: case name, e.g. "iova/alloc-free/95%/1thr/4p"
 * @s: samples (the timer's mean cost is subtracted); sorted in place
 * @div: operations per sample (a sample that timed a batch of @div ops is
 *       reported per op); 1 for per-op samples
 * @baseline: NULL or the name of the baseline case
 *
 * Return: nothing.
 */
void bench_report(struct bench_ctx *ctx, const char *name,
		  struct bench_samples *s, unsigned int div,
		  const char *baseline);

/**
 * bench_report_vs() - bench_report() against several baselines
 * @ctx: run
 * @name: case name
 * @s: samples, as for bench_report()
 * @div: operations per sample
 * @baselines: names of cases reported earlier; the first is the JSON
 *             "baseline", the others go to "also_vs"
 * @nbase: count, at most BENCH_MAX_BASELINES (more are ignored)
 *
 * Return: nothing.
 */
void bench_report_vs(struct bench_ctx *ctx, const char *name,
		     struct bench_samples *s, unsigned int div,
		     const char *const *baselines, size_t nbase);

/**
 * bench_report_fill() - bench_report_vs() for one fill level of an
 *                       allocator's sweep: with --plot, the case is also
 *                       the point at @fill_pct of line @series in the
 *                       fill-level plot
 * @ctx: run
 * @name: case name
 * @s: samples, as for bench_report()
 * @div: operations per sample
 * @baselines: names of cases reported earlier
 * @nbase: count
 * @series: the allocator, e.g. "iova/alloc-free"
 * @fill_pct: how full its window was, 0 to 100
 *
 * Return: nothing.
 */
void bench_report_fill(struct bench_ctx *ctx, const char *name,
		       struct bench_samples *s, unsigned int div,
		       const char *const *baselines, size_t nbase,
		       const char *series, unsigned int fill_pct);

/**
 * bench_report_value() - print a figure that is not a per-op timing (bytes
 *                        of metadata, ns per op over a whole run), lower
 *                        being better, with baseline/this when @baseline
 *                        names a value reported earlier in this run
 * @ctx: run
 * @name: case name
 * @v: the figure
 * @unit: what it counts, e.g. "bytes"
 * @baseline: NULL or the name of the baseline value
 *
 * Return: nothing.
 */
void bench_report_value(struct bench_ctx *ctx, const char *name, double v,
			const char *unit, const char *baseline);

/**
 * bench_progress() - show a progress line on a terminal for long runs
 * @ctx: run
 * @name: case name
 * @done: work done
 * @total: work in all
 *
 * Return: nothing.
 */
void bench_progress(struct bench_ctx *ctx, const char *name, uint64_t done,
		    uint64_t total);

/**
 * bench_result_p50() - the p50 of a case reported earlier in this run
 * @ctx: run
 * @name: case name
 *
 * Return: the p50 in ns per op, or -1 when no such case has samples.
 */
double bench_result_p50(const struct bench_ctx *ctx, const char *name);

/* Per-thread body for bench_run_threads(): time your ops into @s. */
typedef void (*bench_thread_fn)(void *arg, unsigned int tid,
				struct bench_samples *s);

/**
 * bench_run_threads() - run @fn on @nthreads threads released together,
 *                       each with its own sample buffer of @cap, and merge
 *                       the samples into @out
 * @nthreads: threads
 * @cap: samples per thread
 * @fn: body
 * @arg: passed to @fn
 * @out: merged samples (initialised here)
 *
 * Return: 0 or a negative errno.
 */
int bench_run_threads(unsigned int nthreads, size_t cap, bench_thread_fn fn,
		      void *arg, struct bench_samples *out);

/* Case groups, one per file. */
void bench_iova(struct bench_ctx *ctx);
void bench_pgtable(struct bench_ctx *ctx);
void bench_translate(struct bench_ctx *ctx);
void bench_dma(struct bench_ctx *ctx);
void bench_vfio(struct bench_ctx *ctx);
void bench_fakekernel(struct bench_ctx *ctx);
void bench_dmaheap(struct bench_ctx *ctx);
void bench_dmaheap_eal(struct bench_ctx *ctx);

#endif
