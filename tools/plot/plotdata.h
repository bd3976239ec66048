/* SPDX-License-Identifier: MIT */
/*
 * Plot data for uvf-bench and nvme-perf (--plot DIR): plain TSV files, each
 * written under a temporary name and renamed into place, so DIR never holds
 * a half-written file, and gnuplot scripts that draw them as SVG.
 */
#ifndef UVF_TOOLS_PLOTDATA_H
#define UVF_TOOLS_PLOTDATA_H

#include <stdbool.h>
#include <stddef.h>

/* The Debian package that has gnuplot's SVG terminal without X. */
#define PLOT_PACKAGE "gnuplot-nox"

/* Most points plot_cdf_ranks() picks: 256 even steps, the tail, the ends. */
#define PLOT_CDF_MAX_POINTS 320

/* A file name made from a case name ([A-Za-z0-9.-], the rest '_'). */
#define PLOT_SLUG_LEN 128

struct plot_point {
	double x;	/* latency, ns */
	double y;	/* fraction of samples at or below x */
};

struct plot_file;

/**
 * plot_dir_prepare() - make @dir (one level) if it does not exist and check
 *                      that files can be created in it
 * @dir: directory
 *
 * Return: 0, -ENOTDIR when @dir is not a directory, or another negative
 * errno (-EACCES, -ENOENT for a missing parent, ...).
 */
int plot_dir_prepare(const char *dir);

/**
 * plot_file_create() - start writing @dir/@name (under a temporary name)
 * @dir: directory
 * @name: file name, no '/'
 * @out: the file
 *
 * Return: 0, -EINVAL for a bad name, -ENOMEM, or the errno of creating it.
 */
int plot_file_create(const char *dir, const char *name,
		     struct plot_file **out);

/**
 * plot_file_printf() - append text; a write error is kept for
 *                      plot_file_commit()
 * @f: file
 * @fmt: printf format
 *
 * Return: nothing.
 */
__attribute__((format(printf, 2, 3)))
void plot_file_printf(struct plot_file *f, const char *fmt, ...);

/**
 * plot_file_commit() - close the file and rename it into place, or remove
 *                      it when anything failed; frees @f either way
 * @f: file
 *
 * Return: 0 or a negative errno (nothing is left under either name).
 */
int plot_file_commit(struct plot_file *f);

/**
 * plot_file_discard() - close and remove the unfinished file; frees @f
 * @f: file, or NULL
 *
 * Return: nothing.
 */
void plot_file_discard(struct plot_file *f);

/**
 * plot_cdf_ranks() - which of @n sorted samples a CDF plot needs: 256 even
 *                    steps, finer ones into the tail (p99.9, p99.99, ...),
 *                    the first and the last
 * @n: samples
 * @ranks: out, ascending distinct indices below @n
 * @cap: room in @ranks, at least PLOT_CDF_MAX_POINTS for all of them
 *
 * Return: how many were stored (0 when @n is 0).
 */
size_t plot_cdf_ranks(size_t n, size_t *ranks, size_t cap);

/**
 * plot_cdf_valid() - whether @p is a CDF: x finite, non-negative and
 *                    non-decreasing, y rising strictly within (0, 1] and
 *                    ending at 1
 * @p: points
 * @n: count, at least 1
 *
 * Return: true when it is.
 */
bool plot_cdf_valid(const struct plot_point *p, size_t n);

/**
 * plot_write_cdf() - write @dir/@name: a '#' header naming @title and
 *                    @samples, then "ns<TAB>fraction" rows
 * @dir: directory
 * @name: file name
 * @title: what was measured
 * @samples: how many samples the points summarise
 * @p: points
 * @n: count
 *
 * Return: 0, -EINVAL when @p is not a CDF (nothing is written), or the
 * negative errno of writing.
 */
int plot_write_cdf(const char *dir, const char *name, const char *title,
		   size_t samples, const struct plot_point *p, size_t n);

/**
 * plot_slug() - a file-name part from @name: [A-Za-z0-9.-] kept, runs of
 *               anything else one '_', '%' spelled "pct"
 * @buf: out
 * @len: its size, at least 1
 * @name: case name
 *
 * Return: nothing.
 */
void plot_slug(char *buf, size_t len, const char *name);

/**
 * plot_gp_string() - append @s to @f as a gnuplot single-quoted string
 * @f: file
 * @s: text
 *
 * Return: nothing.
 */
void plot_gp_string(struct plot_file *f, const char *s);

/**
 * plot_draw() - run gnuplot on @dir/@script with @dir as its working
 *               directory
 * @dir: directory
 * @script: script file name
 *
 * Return: 0, -ENOENT when gnuplot is not installed, -EIO when it failed,
 * or another negative errno.
 */
int plot_draw(const char *dir, const char *script);

#endif
