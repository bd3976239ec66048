// SPDX-License-Identifier: MIT
/*
 * uvf-bench --plot DIR: a CDF data file per case as it is reported
 * (cdf-<slug>.tsv), then ratios.tsv, fill.tsv and uvf-bench.gp, which
 * gnuplot draws as cdf-<slug>.svg (each case with its baselines),
 * ratios.svg and fill.svg.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "bench_plot.h"

#define SVG_WIDTH 1000
#define CDF_HEIGHT 560
#define RATIO_WIDTH 1200	/* room for the bars' labels */
#define RATIO_ROW_PX 22	/* height of one case/baseline bar pair */
#define RATIO_EXTRA_PX 140
#define MIN_X_NS 0.1	/* log axes: a 0 ns sample is drawn here */

struct plot_case {
	char *name, *slug;
	char *base[BENCH_MAX_BASELINES];
	size_t nbase;
};

struct plot_ratio {
	char *label;
	double r50, r99;
};

struct plot_fill {
	char *series;
	unsigned int pct;
	double p50, p99;
};

struct bench_plot {
	char *dir;
	struct plot_case *cases;
	size_t ncases, cap_cases;
	struct plot_ratio *ratios;
	size_t nratios, cap_ratios;
	struct plot_fill *fills;
	size_t nfills, cap_fills;
	int err;	/* the first error; nothing more is taken after it */
};

int bench_plot_create(const char *dir, struct bench_plot **out)
{
	struct bench_plot *p = calloc(1, sizeof(*p));

	if (!p || !(p->dir = strdup(dir))) {
		free(p);
		return -ENOMEM;
	}
	*out = p;
	return 0;
}

/* Room for one more element in *@arr; sets p->err on -ENOMEM. */
static int grow(struct bench_plot *p, void **arr, size_t n, size_t *cap,
		size_t elem)
{
	size_t want = *cap ? 2 * *cap : 16;
	void *a;

	if (p->err)
		return p->err;
	if (n < *cap)
		return 0;
	a = realloc(*arr, want * elem);
	if (!a)
		return p->err = -ENOMEM;
	*arr = a;
	*cap = want;
	return 0;
}

static const struct plot_case *find_case(const struct bench_plot *p,
					 const char *name)
{
	for (size_t i = 0; i < p->ncases; i++)
		if (!strcmp(p->cases[i].name, name))
			return &p->cases[i];
	return NULL;
}

static bool slug_taken(const struct bench_plot *p, const char *slug)
{
	for (size_t i = 0; i < p->ncases; i++)
		if (!strcmp(p->cases[i].slug, slug))
			return true;
	return false;
}

/* The case's slug, with -2, -3, ... when two names make the same one. */
static char *unique_slug(const struct bench_plot *p, const char *name)
{
	char base[PLOT_SLUG_LEN], slug[PLOT_SLUG_LEN + 16];
	unsigned int n = 1;

	plot_slug(base, sizeof(base), name);
	snprintf(slug, sizeof(slug), "%s", base);
	while (slug_taken(p, slug))
		snprintf(slug, sizeof(slug), "%s-%u", base, ++n);
	return strdup(slug);
}

static void case_free(struct plot_case *c)
{
	free(c->name);
	free(c->slug);
	for (size_t i = 0; i < c->nbase; i++)
		free(c->base[i]);
}

int bench_plot_case(struct bench_plot *p, const char *name, size_t samples,
		    const struct plot_point *pts, size_t n,
		    const char *const *baselines, size_t nbase)
{
	struct plot_case c = { 0 };
	char file[PLOT_SLUG_LEN + 32];
	bool oom;

	if (grow(p, (void **)&p->cases, p->ncases, &p->cap_cases,
		 sizeof(*p->cases)))
		return p->err;
	if (!n || find_case(p, name))	/* no samples, or drawn already */
		return 0;
	c.name = strdup(name);
	c.slug = unique_slug(p, name);
	oom = !c.name || !c.slug;
	for (size_t i = 0; i < nbase && i < BENCH_MAX_BASELINES; i++) {
		c.base[c.nbase] = strdup(baselines[i]);
		oom |= !c.base[c.nbase++];
	}
	if (oom) {
		case_free(&c);
		return p->err = -ENOMEM;
	}
	snprintf(file, sizeof(file), "cdf-%s.tsv", c.slug);
	p->err = plot_write_cdf(p->dir, file, name, samples, pts, n);
	if (p->err) {
		case_free(&c);
		return p->err;
	}
	p->cases[p->ncases++] = c;
	return 0;
}

/*
 * "frag95/1thr/mix: iova/alloc-free vs kiova-spin/alloc-free" for
 * "iova/alloc-free/frag95/1thr/mix" against
 * "kiova-spin/alloc-free/frag95/1thr/mix": the '/'-separated parts both
 * names start and end with are said once, so the bars keep their width.
 */
static char *ratio_label(const char *name, const char *base)
{
	size_t ln = strlen(name), lb = strlen(base), pre = 0, suf = 0, i;
	int ctx_len;
	char *label;

	for (i = 0; name[i] && name[i] == base[i]; i++)
		if (name[i] == '/')
			pre = i + 1;	/* "P/" */
	for (i = 1; i <= ln - pre && i <= lb - pre &&
		    name[ln - i] == base[lb - i]; i++)
		if (name[ln - i] == '/')
			suf = i;	/* "/S" */
	if ((!pre && !suf) || ln == pre + suf || lb == pre + suf)
		return asprintf(&label, "%s vs %s", name, base) < 0 ? NULL
								    : label;
	/* The context: "P/S", "P" or "S". */
	ctx_len = (int)(suf ? pre : pre - 1);
	if (asprintf(&label, "%.*s%s: %.*s vs %.*s", ctx_len, name,
		     suf ? name + ln - suf + 1 : "",
		     (int)(ln - pre - suf), name + pre,
		     (int)(lb - pre - suf), base + pre) < 0)
		return NULL;
	return label;
}

int bench_plot_ratio(struct bench_plot *p, const char *name,
		     const char *baseline, double r50, double r99)
{
	struct plot_ratio *r;

	if (grow(p, (void **)&p->ratios, p->nratios, &p->cap_ratios,
		 sizeof(*p->ratios)))
		return p->err;
	r = &p->ratios[p->nratios];
	r->label = ratio_label(name, baseline);
	if (!r->label)
		return p->err = -ENOMEM;
	/* A log axis has no place for 0. */
	r->r50 = r50 > 0 ? r50 : NAN;
	r->r99 = r99 > 0 ? r99 : NAN;
	p->nratios++;
	return 0;
}

int bench_plot_fill(struct bench_plot *p, const char *series,
		    unsigned int fill_pct, double p50, double p99)
{
	struct plot_fill *f;

	if (grow(p, (void **)&p->fills, p->nfills, &p->cap_fills,
		 sizeof(*p->fills)))
		return p->err;
	f = &p->fills[p->nfills];
	f->series = strdup(series);
	if (!f->series)
		return p->err = -ENOMEM;
	f->pct = fill_pct;
	f->p50 = p50;
	f->p99 = p99;
	p->nfills++;
	return 0;
}

static int write_ratios(struct bench_plot *p)
{
	struct plot_file *f;
	int err = plot_file_create(p->dir, BENCH_PLOT_RATIOS, &f);

	if (err)
		return err;
	plot_file_printf(f, "# case vs baseline\tbaseline/case p50\tbaseline/case p99\n");
	for (size_t i = 0; i < p->nratios; i++)
		plot_file_printf(f, "%s\t%.4f\t%.4f\n", p->ratios[i].label,
				 p->ratios[i].r50, p->ratios[i].r99);
	return plot_file_commit(f);
}

/* Whether series @i is the first point of its series. */
static bool first_of_series(const struct bench_plot *p, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(p->fills[j].series, p->fills[i].series))
			return false;
	return true;
}

/* The points of @series, fill level rising (they come in any order). */
static void write_series(const struct bench_plot *p, struct plot_file *f,
			 const char *series)
{
	const struct plot_fill *next;
	int last = -1;

	do {
		next = NULL;
		for (size_t j = 0; j < p->nfills; j++) {
			const struct plot_fill *x = &p->fills[j];

			if (!strcmp(x->series, series) && (int)x->pct > last &&
			    (!next || x->pct < next->pct))
				next = x;
		}
		if (next) {
			plot_file_printf(f, "%u\t%.3f\t%.3f\n", next->pct,
					 next->p50, next->p99);
			last = (int)next->pct;
		}
	} while (next);
}

/* One gnuplot data block (index) per series, in the order they came. */
static int write_fill(struct bench_plot *p)
{
	struct plot_file *f;
	int err = plot_file_create(p->dir, BENCH_PLOT_FILL, &f);

	if (err)
		return err;
	for (size_t i = 0; i < p->nfills; i++) {
		if (!first_of_series(p, i))
			continue;
		plot_file_printf(f, "%s# %s\n# fill %%\tp50 ns\tp99 ns\n",
				 i ? "\n\n" : "", p->fills[i].series);
		write_series(p, f, p->fills[i].series);
	}
	return plot_file_commit(f);
}

static void gp_settings(struct plot_file *f, unsigned int width,
			unsigned int height)
{
	plot_file_printf(f, "\nreset\nset terminal svg size %u,%u dynamic noenhanced font 'sans,12' background rgb 'white'\n"
			 "set datafile separator '\\t'\nset grid\n",
			 width, height);
}

/* A case, drawn from its cdf-<slug>.tsv. */
static void gp_cdf_line(struct plot_file *f, const struct plot_case *c,
			bool baseline, unsigned int color)
{
	plot_file_printf(f, "'cdf-%s.tsv' using ($1 > %g ? $1 : %g):2 with lines lw %s lc %u %stitle ",
			 c->slug, MIN_X_NS, MIN_X_NS, baseline ? "1.5" : "2.5",
			 color, baseline ? "dt 2 " : "");
	plot_gp_string(f, c->name);
}

static void gp_cdfs(struct bench_plot *p, struct plot_file *f)
{
	for (size_t i = 0; i < p->ncases; i++) {
		const struct plot_case *c = &p->cases[i];
		unsigned int color = 2;

		gp_settings(f, SVG_WIDTH, CDF_HEIGHT);
		plot_file_printf(f, "set logscale x\nset yrange [0:1]\nset key bottom right\n"
				 "set xlabel 'ns per operation (log scale)'\n"
				 "set ylabel 'fraction of samples at or below'\n"
				 "set output 'cdf-%s.svg'\nset title ",
				 c->slug);
		plot_gp_string(f, c->nbase ? "latency CDF against its baselines (dashed), same run"
					   : "latency CDF");
		plot_file_printf(f, "\nplot ");
		gp_cdf_line(f, c, false, 1);
		for (size_t b = 0; b < c->nbase; b++) {
			const struct plot_case *base = find_case(p, c->base[b]);

			if (!base)
				continue;
			plot_file_printf(f, ", \\\n  ");
			gp_cdf_line(f, base, true, color++);
		}
		plot_file_printf(f, "\n");
	}
}

static void gp_ratios(struct bench_plot *p, struct plot_file *f)
{
	gp_settings(f, RATIO_WIDTH, RATIO_EXTRA_PX + RATIO_ROW_PX * (unsigned int)p->nratios);
	plot_file_printf(f, "set output 'ratios.svg'\nset title 'times faster than each baseline, same run'\n"
			 "set logscale x\nset format x '%%gx'\nset xlabel 'baseline latency / case latency (log scale; over 1x: the case is faster)'\n"
			 "set yrange [%zu-0.3:-0.7]\nset lmargin at screen 0.42\nset rmargin at screen 0.96\nset ytics nomirror font ',10'\nunset mytics\n"
			 "set style fill solid 0.85 noborder\nset key outside top center horizontal\n"
			 "set arrow 1 from 1, graph 0 to 1, graph 1 nohead lw 1.5 lc rgb 'black'\n"
			 "lo(r) = r < 1 ? r : 1\nhi(r) = r < 1 ? 1 : r\n"
			 "plot '%s' using 2:0:(lo($2)):(hi($2)):($0 - 0.4):0:ytic(1) with boxxyerror lc rgb '#1f77b4' title 'p50', \\\n"
			 "  '' using 3:0:(lo($3)):(hi($3)):0:($0 + 0.4) with boxxyerror lc rgb '#ff7f0e' title 'p99'\n",
			 p->nratios, BENCH_PLOT_RATIOS);
}

static void gp_fill(struct bench_plot *p, struct plot_file *f)
{
	unsigned int idx = 0;

	gp_settings(f, SVG_WIDTH, CDF_HEIGHT);
	plot_file_printf(f, "set output 'fill.svg'\nset title 'allocator latency against fill level (solid: p50, dashed: p99)'\n"
			 "set logscale y\nset xrange [0:100]\nset key top left\n"
			 "set xlabel 'fill level (%%)'\nset ylabel 'ns per operation (log scale)'\nplot ");
	for (size_t i = 0; i < p->nfills; i++) {
		if (!first_of_series(p, i))
			continue;
		plot_file_printf(f, "%s'%s' index %u using 1:($2 > %g ? $2 : %g) with linespoints lw 2 pt 7 lc %u title ",
				 idx ? ", \\\n  " : "", BENCH_PLOT_FILL, idx,
				 MIN_X_NS, MIN_X_NS, idx + 1);
		plot_gp_string(f, p->fills[i].series);
		plot_file_printf(f, ", \\\n  '%s' index %u using 1:($3 > %g ? $3 : %g) with linespoints lw 1.5 dt 2 pt 6 lc %u notitle",
				 BENCH_PLOT_FILL, idx, MIN_X_NS, MIN_X_NS,
				 idx + 1);
		idx++;
	}
	plot_file_printf(f, "\n");
}

static int write_script(struct bench_plot *p)
{
	struct plot_file *f;
	int err = plot_file_create(p->dir, BENCH_PLOT_SCRIPT, &f);

	if (err)
		return err;
	plot_file_printf(f, "# uvf-bench --plot: gnuplot %s draws the SVGs from the .tsv files here.\n",
			 BENCH_PLOT_SCRIPT);
	gp_cdfs(p, f);
	if (p->nratios)
		gp_ratios(p, f);
	if (p->nfills)
		gp_fill(p, f);
	return plot_file_commit(f);
}

int bench_plot_finish(struct bench_plot *p)
{
	int err = p->err;

	if (!err && p->nratios)
		err = write_ratios(p);
	if (!err && p->nfills)
		err = write_fill(p);
	if (!err)
		err = write_script(p);
	if (!err && p->ncases)
		err = plot_draw(p->dir, BENCH_PLOT_SCRIPT);
	return p->err = err;
}

void bench_plot_destroy(struct bench_plot *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->ncases; i++)
		case_free(&p->cases[i]);
	for (size_t i = 0; i < p->nratios; i++)
		free(p->ratios[i].label);
	for (size_t i = 0; i < p->nfills; i++)
		free(p->fills[i].series);
	free(p->cases);
	free(p->ratios);
	free(p->fills);
	free(p->dir);
	free(p);
}
