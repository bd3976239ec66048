/* SPDX-License-Identifier: MIT */
/*
 * uvf-bench --plot DIR: what the harness (bench.c) hands over as cases are
 * reported, and the closing data files, script and SVGs.
 */
#ifndef UVF_BENCH_PLOT_H
#define UVF_BENCH_PLOT_H

#include <stddef.h>

#include "plotdata.h"

struct bench_plot;

/* Data and script files bench_plot_finish() writes beside the CDFs. */
#define BENCH_PLOT_RATIOS "ratios.tsv"
#define BENCH_PLOT_FILL "fill.tsv"
#define BENCH_PLOT_SCRIPT "uvf-bench.gp"

/*
 * Starts a plot of the run into @dir, which plot_dir_prepare() accepted.
 * Returns 0 or -ENOMEM.
 */
int bench_plot_create(const char *dir, struct bench_plot **out);

/*
 * Writes DIR/cdf-<slug>.tsv for case @name and remembers @baselines (cases
 * reported earlier) to draw in the same picture. Returns 0 or a negative
 * errno; after an error the plot takes nothing more.
 */
int bench_plot_case(struct bench_plot *p, const char *name, size_t samples,
		    const struct plot_point *pts, size_t n,
		    const char *const *baselines, size_t nbase);

/* One bar pair of the ratio plot: @r50, @r99 are baseline / case, or NaN. */
int bench_plot_ratio(struct bench_plot *p, const char *name,
		     const char *baseline, double r50, double r99);

/* Point (@fill_pct, @p50, @p99) of line @series in the fill-level plot. */
int bench_plot_fill(struct bench_plot *p, const char *series,
		    unsigned int fill_pct, double p50, double p99);

/*
 * Writes the ratio and fill data and the gnuplot script, then runs gnuplot.
 * Returns 0, the first error any call met, -ENOENT when gnuplot is missing
 * or -EIO when it failed.
 */
int bench_plot_finish(struct bench_plot *p);

void bench_plot_destroy(struct bench_plot *p);

#endif
