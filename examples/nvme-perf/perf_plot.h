/* SPDX-License-Identifier: MIT */
/*
 * nvme-perf --plot DIR: each run's completion-latency CDF as
 * DIR/nvme-perf-<workload>-<run>.tsv, and one picture per workload
 * (nvme-perf-<workload>.svg) with every run of it found in DIR, so two
 * invocations into the same DIR (uvf's driver, then the kernel's) share it.
 */
#ifndef UVF_NVME_PERF_PLOT_H
#define UVF_NVME_PERF_PLOT_H

#include <stddef.h>
#include <stdint.h>

#include "plotdata.h"

/*
 * Writes one run's CDF. @workload names what was run ("randread-bs4096-
 * qd32"), @run the driver and its settings ("uvf type1 batch"), @p the
 * points. Returns 0 or a negative errno.
 */
int perf_plot_add(const char *dir, const char *workload, const char *run,
		  uint64_t ios, const struct plot_point *p, size_t n);

/*
 * Writes nvme-perf-<workload>.gp for every run of @workload in @dir and
 * draws nvme-perf-<workload>.svg titled @title. Returns 0, -ENOENT when
 * gnuplot is missing, -EIO when it failed, or another negative errno.
 */
int perf_plot_draw(const char *dir, const char *workload, const char *title);

#endif
