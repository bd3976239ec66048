// SPDX-License-Identifier: MIT
/* nvme-perf --plot DIR: run CDFs and the picture of a workload's runs. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perf_plot.h"

#define NAME_LEN (2 * PLOT_SLUG_LEN + 32)
#define MAX_RUNS 32

int perf_plot_add(const char *dir, const char *workload, const char *run,
		  uint64_t ios, const struct plot_point *p, size_t n)
{
	char w[PLOT_SLUG_LEN], r[PLOT_SLUG_LEN], file[NAME_LEN];

	plot_slug(w, sizeof(w), workload);
	plot_slug(r, sizeof(r), run);
	snprintf(file, sizeof(file), "nvme-perf-%s--%s.tsv", w, r);
	return plot_write_cdf(dir, file, run, (size_t)ios, p, n);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The runs of a workload in @dir: files "<prefix>*.tsv", sorted. */
static int find_runs(const char *dir, const char *prefix, char **runs,
		     size_t *n)
{
	size_t len = strlen(prefix), l;
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	*n = 0;
	while ((e = readdir(d)) && *n < MAX_RUNS) {
		l = strlen(e->d_name);
		if (strncmp(e->d_name, prefix, len) || l < len + 4 ||
		    strcmp(e->d_name + l - 4, ".tsv"))
			continue;
		runs[*n] = strdup(e->d_name);
		if (!runs[*n]) {
			closedir(d);
			return -ENOMEM;
		}
		(*n)++;
	}
	closedir(d);
	qsort(runs, *n, sizeof(*runs), cmp_names);
	return 0;
}

/* A run's title: its file's first line, "# <run>". */
static void run_title(const char *dir, const char *file, char *buf,
		      size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(buf, len, "%s", file);
	f = fopen(path, "r");
	if (!f)
		return;
	if (fgets(buf, (int)len, f) && buf[0] == '#' && buf[1] == ' ') {
		memmove(buf, buf + 2, strlen(buf + 2) + 1);
		buf[strcspn(buf, "\n")] = '\0';
	} else {
		snprintf(buf, len, "%s", file);
	}
	fclose(f);
}

static int write_script(const char *dir, const char *w, const char *title,
			char *const *runs, size_t n)
{
	char script[NAME_LEN], name[256];
	struct plot_file *f;
	int err;

	snprintf(script, sizeof(script), "nvme-perf-%s.gp", w);
	err = plot_file_create(dir, script, &f);
	if (err)
		return err;
	plot_file_printf(f, "# nvme-perf --plot: gnuplot %s draws nvme-perf-%s.svg\n"
			 "set terminal svg size 900,560 dynamic noenhanced font 'sans,12' background rgb 'white'\n"
			 "set datafile separator '\\t'\nset grid\nset logscale x\n"
			 "set yrange [0:1]\nset key bottom right\n"
			 "set xlabel 'completion latency, ns (log scale)'\n"
			 "set ylabel 'fraction of I/Os at or below'\n"
			 "set output 'nvme-perf-%s.svg'\nset title ",
			 script, w, w);
	plot_gp_string(f, title);
	plot_file_printf(f, "\nplot ");
	for (size_t i = 0; i < n; i++) {
		run_title(dir, runs[i], name, sizeof(name));
		plot_file_printf(f, "%s", i ? ", \\\n  " : "");
		plot_gp_string(f, runs[i]);
		plot_file_printf(f, " using ($1 > 1 ? $1 : 1):2 with lines lw 2 title ");
		plot_gp_string(f, name);
	}
	plot_file_printf(f, "\n");
	return plot_file_commit(f);
}

int perf_plot_draw(const char *dir, const char *workload, const char *title)
{
	char w[PLOT_SLUG_LEN], prefix[NAME_LEN], script[NAME_LEN];
	char *runs[MAX_RUNS];
	size_t n = 0;
	int err;

	plot_slug(w, sizeof(w), workload);
	snprintf(prefix, sizeof(prefix), "nvme-perf-%s--", w);
	err = find_runs(dir, prefix, runs, &n);
	if (!err && !n)
		err = -ENODATA;
	if (!err)
		err = write_script(dir, w, title, runs, n);
	for (size_t i = 0; i < n; i++)
		free(runs[i]);
	if (err)
		return err;
	snprintf(script, sizeof(script), "nvme-perf-%s.gp", w);
	return plot_draw(dir, script);
}
