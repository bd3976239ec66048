/* SPDX-License-Identifier: MIT */
/*
 * uvf-bench run lifecycle, shared by main.c and bench.c only; case groups
 * use bench.h.
 */
#ifndef UVF_BENCH_HARNESS_H
#define UVF_BENCH_HARNESS_H

#include <stdio.h>

#include "bench.h"

/* One compiled-in case group (bench_<name>.c). */
struct bench_group {
	const char *name;
	void (*run)(struct bench_ctx *ctx);
	const char *what;
};

/*
 * Calibrates the timer and measures its overhead, so it must run before any
 * case. @o is copied; its strings must outlive the context. With
 * o->plot_dir, that directory must have passed plot_dir_prepare().
 * Returns 0 or -ENOMEM.
 */
int bench_ctx_create(const struct bench_opts *o, struct bench_ctx **out);

/* Table mode: the run description above the table. JSON mode: nothing. */
void bench_print_header(struct bench_ctx *ctx);

/* JSON mode: the whole document (run metadata and every case reported).
 * Table mode: nothing. */
void bench_print_footer(struct bench_ctx *ctx);

/*
 * --plot: draws the run from the data files written as cases were
 * reported. Returns 0, -ENOENT when gnuplot is missing (the data files are
 * there), or another negative errno.
 */
int bench_plot_run(struct bench_ctx *ctx);

/* Number of bench_report() calls so far. */
size_t bench_reported(const struct bench_ctx *ctx);

void bench_ctx_destroy(struct bench_ctx *ctx);

#endif
