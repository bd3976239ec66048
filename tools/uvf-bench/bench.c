// SPDX-License-Identifier: MIT
/*
 * uvf-bench harness: timer, sample buffers, threads, statistics and output.
 *
 * Timer: on x86 with an invariant TSC (constant_tsc and nonstop_tsc in
 * /proc/cpuinfo) a tick is one TSC count read as lfence; rdtsc; lfence, so
 * the read neither starts before earlier instructions finish nor lets later
 * ones start before it. The TSC rate is calibrated at startup against
 * CLOCK_MONOTONIC: two (CLOCK_MONOTONIC, TSC) pairs CALIB_MS apart, each the
 * tightest of several monotonic-TSC-monotonic brackets with the midpoint of
 * the bracket as its time. Elsewhere a tick is one nanosecond of
 * CLOCK_MONOTONIC. The timer's own cost is the mean of many back-to-back
 * bench_now() differences (the slowest 1 % left out) and is subtracted from every sample: the mean,
 * not the minimum, because a timed region pays the read's average cost (on
 * a TSC that ticks in coarse steps the minimum undercounts it by about
 * 40 %). Cases faster than the timer's resolution time batches of
 * operations per sample (ops_per_sample) so the step is divided out too.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define BENCH_X86 1
#endif

#include "bench_plot.h"
#include "harness.h"

#define CALIB_MS 50
#define CALIB_MS_QUICK 10
#define CALIB_BRACKETS 9
#define OVERHEAD_READS 20000
#define PROGRESS_INTERVAL_NS 100000000ull	/* at most 10 updates/s */
#define NAME_COL 44

struct bench_ratio {
	char *baseline;		/* NULL when none was named */
	bool has_r50, has_r99;
	double r50, r99;
};

struct bench_result {
	char *name;
	size_t samples;
	unsigned int div;
	double mean, p50, p99, p999, max;	/* ns per operation */
	struct bench_ratio vs[BENCH_MAX_BASELINES];	/* [0]: "baseline" */
	size_t nvs;
};

/* A figure that is not a timing (bytes, ns per op of a whole run). */
struct bench_value {
	char *name, *unit;
	double v;
	struct bench_ratio vs;	/* r50: baseline / this */
};

struct bench_ctx {
	struct bench_opts o;
	struct bench_result *res;
	size_t nres, cap_res;
	struct bench_value *vals;
	size_t nvals, cap_vals;
	bool table_started;
	bool progress_tty;
	_Atomic uint64_t progress_last;	/* CLOCK_MONOTONIC_COARSE ns */
	_Atomic bool progress_shown;
	unsigned int calib_ms;
	struct bench_plot *plot;	/* --plot DIR */
};

static bool use_tsc;
static double ns_per_tick = 1.0;
static double overhead_ticks;		/* mean */
static uint64_t overhead_min_ticks;

/* ---- timer ---- */

static uint64_t mono_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t bench_now(void)
{
#ifdef BENCH_X86
	if (use_tsc) {
		uint64_t t;

		_mm_lfence();
		t = __rdtsc();
		_mm_lfence();
		return t;
	}
#endif
	return mono_ns(CLOCK_MONOTONIC);
}

#ifdef BENCH_X86
static bool cpu_has_invariant_tsc(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool ok = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "flags", 5)) {
			ok = strstr(line, " constant_tsc") &&
			     strstr(line, " nonstop_tsc");
			break;
		}
	fclose(f);
	return ok;
}

struct calib_point {
	double mono;
	uint64_t tsc;
};

/* The tightest bracket bounds how far the TSC read is from its time. */
static struct calib_point calib_point(void)
{
	struct calib_point p = { 0, 0 };
	uint64_t best = UINT64_MAX, m0, m1, t;
	int i;

	for (i = 0; i < CALIB_BRACKETS; i++) {
		m0 = mono_ns(CLOCK_MONOTONIC);
		t = bench_now();
		m1 = mono_ns(CLOCK_MONOTONIC);
		if (m1 - m0 < best) {
			best = m1 - m0;
			p.mono = (double)m0 + (double)(m1 - m0) / 2;
			p.tsc = t;
		}
	}
	return p;
}

static void timer_calibrate(unsigned int ms)
{
	struct calib_point a, b;

	use_tsc = cpu_has_invariant_tsc();
	if (!use_tsc)
		return;
	a = calib_point();
	while (mono_ns(CLOCK_MONOTONIC) - (uint64_t)a.mono < ms * 1000000ull)
		;
	b = calib_point();
	if (b.tsc <= a.tsc) {
		use_tsc = false;
		return;
	}
	ns_per_tick = (b.mono - a.mono) / (double)(b.tsc - a.tsc);
}
#else
static void timer_calibrate(unsigned int ms)
{
	(void)ms;
}
#endif

static int cmp_u64(const void *a, const void *b);

/*
 * The mean of back-to-back reads, leaving out the slowest 1 %: an interrupt
 * or a preemption in one of them says nothing about what a read costs.
 */
static void timer_measure_overhead(void)
{
	static uint64_t d[OVERHEAD_READS];
	size_t keep = OVERHEAD_READS - OVERHEAD_READS / 100;
	uint64_t sum = 0, t0, t1;

	for (size_t i = 0; i < OVERHEAD_READS; i++) {
		t0 = bench_now();
		t1 = bench_now();
		d[i] = t1 - t0;
	}
	qsort(d, OVERHEAD_READS, sizeof(d[0]), cmp_u64);
	for (size_t i = 0; i < keep; i++)
		sum += d[i];
	overhead_ticks = (double)sum / (double)keep;
	overhead_min_ticks = d[0];
}

/* ---- samples ---- */

/* Touch every page now so page faults do not land in timed regions. */
static void prefault(uint64_t *v, size_t n)
{
	volatile unsigned char *p = (volatile unsigned char *)v;
	size_t bytes = n * sizeof(*v), off;

	for (off = 0; off < bytes; off += 4096)
		p[off] = 0;
}

int bench_samples_init(struct bench_samples *s, size_t cap)
{
	uint64_t *v = NULL;

	if (cap) {
		if (cap > SIZE_MAX / sizeof(*v))
			return -ENOMEM;
		v = malloc(cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		prefault(v, cap);
	}
	s->v = v;
	s->n = 0;
	s->cap = cap;
	return 0;
}

void bench_samples_fini(struct bench_samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

/* ---- threads ---- */

enum start_state { START_WAIT, START_GO, START_ABORT };

struct run_shared {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	enum start_state state;
	pthread_barrier_t barrier;
	bench_thread_fn fn;
	void *arg;
};

struct run_thread {
	pthread_t th;
	unsigned int tid;
	struct bench_samples s;
	struct run_shared *sh;
};

/*
 * Threads first wait on the gate until all of them exist (or creation
 * failed and they must leave without running), then on the barrier, which
 * releases them together.
 */
static void *run_thread_main(void *p)
{
	struct run_thread *rt = p;
	struct run_shared *sh = rt->sh;
	enum start_state st;

	prefault(rt->s.v, rt->s.cap);
	pthread_mutex_lock(&sh->lock);
	while (sh->state == START_WAIT)
		pthread_cond_wait(&sh->cond, &sh->lock);
	st = sh->state;
	pthread_mutex_unlock(&sh->lock);
	if (st == START_ABORT)
		return NULL;
	pthread_barrier_wait(&sh->barrier);
	sh->fn(sh->arg, rt->tid, &rt->s);
	return NULL;
}

static void run_release(struct run_shared *sh, enum start_state st)
{
	pthread_mutex_lock(&sh->lock);
	sh->state = st;
	pthread_cond_broadcast(&sh->cond);
	pthread_mutex_unlock(&sh->lock);
}

int bench_run_threads(unsigned int nthreads, size_t cap, bench_thread_fn fn,
		      void *arg, struct bench_samples *out)
{
	struct run_shared sh = { .fn = fn, .arg = arg, .state = START_WAIT };
	struct run_thread *rt;
	uint64_t *buf;
	unsigned int i, created;
	size_t n = 0, stride;
	int err = 0;

	if (!nthreads || !fn || !out)
		return -EINVAL;
	/* One buffer cut in per-thread slices of whole cache lines (no false
	 * sharing), so the merge is a compaction that cannot fail after the
	 * run. */
	if (cap > SIZE_MAX / sizeof(*buf) - 7)
		return -ENOMEM;
	stride = (cap + 7) & ~(size_t)7;
	if (stride && nthreads > SIZE_MAX / sizeof(*buf) / stride)
		return -ENOMEM;
	rt = calloc(nthreads, sizeof(*rt));
	buf = stride ? aligned_alloc(64, (size_t)nthreads * stride *
				     sizeof(*buf)) : NULL;
	if (!rt || (stride && !buf)) {
		free(rt);
		free(buf);
		return -ENOMEM;
	}
	if (pthread_barrier_init(&sh.barrier, NULL, nthreads)) {
		free(rt);
		free(buf);
		return -EAGAIN;
	}
	pthread_mutex_init(&sh.lock, NULL);
	pthread_cond_init(&sh.cond, NULL);
	for (created = 0; created < nthreads; created++) {
		rt[created] = (struct run_thread){
			.tid = created, .sh = &sh,
			.s = { buf ? buf + (size_t)created * stride : NULL, 0,
			       cap },
		};
		err = -pthread_create(&rt[created].th, NULL, run_thread_main,
				      &rt[created]);
		if (err)
			break;
	}
	run_release(&sh, err ? START_ABORT : START_GO);
	for (i = 0; i < created; i++)
		pthread_join(rt[i].th, NULL);
	pthread_barrier_destroy(&sh.barrier);
	pthread_cond_destroy(&sh.cond);
	pthread_mutex_destroy(&sh.lock);
	if (err) {
		free(rt);
		free(buf);
		return err;
	}
	for (i = 0; buf && i < nthreads; i++) {	/* no buffer for cap 0 */
		memmove(buf + n, rt[i].s.v, rt[i].s.n * sizeof(*buf));
		n += rt[i].s.n;
	}
	free(rt);
	out->v = buf;
	out->n = n;
	out->cap = (size_t)nthreads * stride;
	return 0;
}

/* ---- context ---- */

int bench_ctx_create(const struct bench_opts *o, struct bench_ctx **out)
{
	struct bench_ctx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return -ENOMEM;
	ctx->o = *o;
	ctx->progress_tty = isatty(STDERR_FILENO);
	atomic_init(&ctx->progress_last, 0);
	atomic_init(&ctx->progress_shown, false);
	ctx->calib_ms = o->quick ? CALIB_MS_QUICK : CALIB_MS;
	if (o->plot_dir && bench_plot_create(o->plot_dir, &ctx->plot)) {
		free(ctx);
		return -ENOMEM;
	}
	timer_calibrate(ctx->calib_ms);
	timer_measure_overhead();
	*out = ctx;
	return 0;
}

void bench_ctx_destroy(struct bench_ctx *ctx)
{
	size_t i;

	if (!ctx)
		return;
	for (i = 0; i < ctx->nres; i++) {
		free(ctx->res[i].name);
		for (size_t j = 0; j < ctx->res[i].nvs; j++)
			free(ctx->res[i].vs[j].baseline);
	}
	free(ctx->res);
	for (i = 0; i < ctx->nvals; i++) {
		free(ctx->vals[i].name);
		free(ctx->vals[i].unit);
		free(ctx->vals[i].vs.baseline);
	}
	free(ctx->vals);
	bench_plot_destroy(ctx->plot);
	free(ctx);
}

int bench_plot_run(struct bench_ctx *ctx)
{
	return ctx->plot ? bench_plot_finish(ctx->plot) : 0;
}

const struct bench_opts *bench_opts(const struct bench_ctx *ctx)
{
	return &ctx->o;
}

size_t bench_reported(const struct bench_ctx *ctx)
{
	return ctx->nres + ctx->nvals;
}

bool bench_selected(const struct bench_ctx *ctx, const char *name)
{
	const char *f = ctx->o.filter, *end;
	char tok[256];
	size_t len;

	if (!f || !*f)
		return true;
	for (; *f; f = *end ? end + 1 : end) {
		end = strchr(f, ',');
		if (!end)
			end = f + strlen(f);
		len = (size_t)(end - f);
		if (!len || len >= sizeof(tok))
			continue;
		memcpy(tok, f, len);
		tok[len] = '\0';
		if (strstr(name, tok))
			return true;
	}
	return false;
}

/* ---- progress ---- */

static void progress_clear(struct bench_ctx *ctx)
{
	if (atomic_exchange(&ctx->progress_shown, false)) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

void bench_progress(struct bench_ctx *ctx, const char *name, uint64_t done,
		    uint64_t total)
{
	uint64_t now, last;

	if (!ctx->progress_tty)
		return;
	now = mono_ns(CLOCK_MONOTONIC_COARSE);
	last = atomic_load_explicit(&ctx->progress_last, memory_order_relaxed);
	if (last && now - last < PROGRESS_INTERVAL_NS)
		return;
	/* Of several threads reporting at once, one prints. */
	if (!atomic_compare_exchange_strong(&ctx->progress_last, &last, now))
		return;
	fprintf(stderr, "\r\033[K%s: %3.0f%% (%" PRIu64 "/%" PRIu64 ")", name,
		total ? 100.0 * (double)done / (double)total : 0.0, done,
		total);
	fflush(stderr);
	atomic_store(&ctx->progress_shown, true);
}

/* ---- statistics ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest rank: the smallest sample with at least @p of them at or below. */
static uint64_t rank(const struct bench_samples *s, double p)
{
	size_t i = (size_t)ceil(p * (double)s->n);

	return s->v[i ? i - 1 : 0];
}

static double net(uint64_t ticks)
{
	return (double)ticks > overhead_ticks ? (double)ticks - overhead_ticks :
						0;
}

static double to_ns(double ticks, unsigned int div)
{
	return ticks * ns_per_tick / div;
}

static const struct bench_result *find_result(const struct bench_ctx *ctx,
					      const char *name)
{
	size_t i;

	for (i = 0; i < ctx->nres; i++)
		if (!strcmp(ctx->res[i].name, name))
			return &ctx->res[i];
	return NULL;
}

double bench_result_p50(const struct bench_ctx *ctx, const char *name)
{
	const struct bench_result *r = find_result(ctx, name);

	return r && r->samples ? r->p50 : -1;
}

static void compute(struct bench_result *r, struct bench_samples *s,
		    unsigned int div)
{
	long double sum = 0;
	size_t i;

	r->samples = s->n;
	r->div = div;
	if (!s->n)
		return;
	qsort(s->v, s->n, sizeof(*s->v), cmp_u64);
	for (i = 0; i < s->n; i++)
		sum += net(s->v[i]);
	r->mean = (double)(sum / s->n) * ns_per_tick / div;
	r->p50 = to_ns(net(rank(s, 0.50)), div);
	r->p99 = to_ns(net(rank(s, 0.99)), div);
	r->p999 = to_ns(net(rank(s, 0.999)), div);
	r->max = to_ns(net(s->v[s->n - 1]), div);
}

static void compare(struct bench_ratio *q, const struct bench_result *r,
		    const struct bench_result *base)
{
	if (!base || !r->samples || !base->samples)
		return;
	q->has_r50 = r->p50 > 0;
	q->r50 = q->has_r50 ? base->p50 / r->p50 : 0;
	q->has_r99 = r->p99 > 0;
	q->r99 = q->has_r99 ? base->p99 / r->p99 : 0;
}

static void print_ratio(const struct bench_ratio *q, bool p99)
{
	printf("  vs %s: ", q->baseline);
	if (q->has_r50)
		printf("%.2fx%s", q->r50, p99 ? " p50" : "");
	else
		printf("n/a%s", p99 ? " p50" : "");
	if (!p99)
		return;
	if (q->has_r99)
		printf(", %.2fx p99", q->r99);
	else
		printf(", n/a p99");
}

/* ---- output ---- */

static void print_row(struct bench_ctx *ctx, const struct bench_result *r)
{
	if (!ctx->table_started) {
		printf("%-*s %9s %9s %9s %9s %9s %11s\n", NAME_COL,
		       "case (ns per op)", "samples", "mean", "p50", "p99",
		       "p99.9", "max");
		ctx->table_started = true;
	}
	printf("%-*s %9zu", NAME_COL, r->name, r->samples);
	if (r->samples)
		printf(" %9.2f %9.2f %9.2f %9.2f %11.1f", r->mean, r->p50,
		       r->p99, r->p999, r->max);
	else
		printf(" %9s %9s %9s %9s %11s", "-", "-", "-", "-", "-");
	for (size_t i = 0; i < r->nvs; i++)
		print_ratio(&r->vs[i], true);
	putchar('\n');
	fflush(stdout);
}

void bench_report(struct bench_ctx *ctx, const char *name,
		  struct bench_samples *s, unsigned int div,
		  const char *baseline)
{
	bench_report_vs(ctx, name, s, div, &baseline, baseline ? 1 : 0);
}

/* Grow the array *@arr of @n elements to hold one more; says so on -ENOMEM. */
static int room_for_one(void **arr, size_t n, size_t *cap, size_t elem,
			const char *name)
{
	size_t want = *cap ? 2 * *cap : 16;
	void *grown;

	if (n < *cap)
		return 0;
	grown = realloc(*arr, want * elem);
	if (!grown) {
		fprintf(stderr, "uvf-bench: out of memory reporting %s.\n", name);
		return -ENOMEM;
	}
	*arr = grown;
	*cap = want;
	return 0;
}

/* --plot: the case's CDF (from its sorted samples) and its ratios. */
static void plot_case(struct bench_ctx *ctx, const struct bench_result *r,
		      const struct bench_samples *s)
{
	struct plot_point pts[PLOT_CDF_MAX_POINTS];
	size_t ranks[PLOT_CDF_MAX_POINTS], n, i;
	const char *base[BENCH_MAX_BASELINES];

	n = plot_cdf_ranks(s->n, ranks, PLOT_CDF_MAX_POINTS);
	for (i = 0; i < n; i++) {
		pts[i].x = to_ns(net(s->v[ranks[i]]), r->div);
		pts[i].y = (double)(ranks[i] + 1) / (double)s->n;
	}
	for (i = 0; i < r->nvs; i++)
		base[i] = r->vs[i].baseline;
	bench_plot_case(ctx->plot, r->name, r->samples, pts, n, base, r->nvs);
	for (i = 0; i < r->nvs; i++)
		bench_plot_ratio(ctx->plot, r->name, r->vs[i].baseline,
				 r->vs[i].has_r50 ? r->vs[i].r50 : NAN,
				 r->vs[i].has_r99 ? r->vs[i].r99 : NAN);
}

static void free_ratios(struct bench_result *r)
{
	for (size_t i = 0; i < r->nvs; i++)
		free(r->vs[i].baseline);
}

void bench_report_vs(struct bench_ctx *ctx, const char *name,
		     struct bench_samples *s, unsigned int div,
		     const char *const *baselines, size_t nbase)
{
	struct bench_result r = { 0 };
	bool oom = false;

	if (room_for_one((void **)&ctx->res, ctx->nres, &ctx->cap_res,
			 sizeof(*ctx->res), name))
		return;
	r.name = strdup(name);
	for (size_t i = 0; i < nbase && i < BENCH_MAX_BASELINES; i++) {
		r.vs[r.nvs].baseline = strdup(baselines[i]);
		oom |= !r.vs[r.nvs++].baseline;
	}
	if (!r.name || oom) {
		free(r.name);
		free_ratios(&r);
		fprintf(stderr, "uvf-bench: out of memory reporting %s.\n",
			name);
		return;
	}
	compute(&r, s, div ? div : 1);
	for (size_t i = 0; i < r.nvs; i++)
		compare(&r.vs[i], &r, find_result(ctx, r.vs[i].baseline));
	ctx->res[ctx->nres++] = r;
	if (ctx->plot && r.samples)
		plot_case(ctx, &r, s);
	progress_clear(ctx);
	if (!ctx->o.json)
		print_row(ctx, &r);
}

void bench_report_fill(struct bench_ctx *ctx, const char *name,
		       struct bench_samples *s, unsigned int div,
		       const char *const *baselines, size_t nbase,
		       const char *series, unsigned int fill_pct)
{
	const struct bench_result *r;

	bench_report_vs(ctx, name, s, div, baselines, nbase);
	r = find_result(ctx, name);
	if (ctx->plot && r && r->samples)
		bench_plot_fill(ctx->plot, series, fill_pct, r->p50, r->p99);
}

static const struct bench_value *find_value(const struct bench_ctx *ctx,
					    const char *name)
{
	for (size_t i = 0; i < ctx->nvals; i++)
		if (!strcmp(ctx->vals[i].name, name))
			return &ctx->vals[i];
	return NULL;
}

void bench_report_value(struct bench_ctx *ctx, const char *name, double v,
			const char *unit, const char *baseline)
{
	struct bench_value x = { .v = v };
	const struct bench_value *base;

	if (room_for_one((void **)&ctx->vals, ctx->nvals, &ctx->cap_vals,
			 sizeof(*ctx->vals), name))
		return;
	x.name = strdup(name);
	x.unit = strdup(unit);
	x.vs.baseline = baseline ? strdup(baseline) : NULL;
	if (!x.name || !x.unit || (baseline && !x.vs.baseline)) {
		free(x.name);
		free(x.unit);
		free(x.vs.baseline);
		fprintf(stderr, "uvf-bench: out of memory reporting %s.\n",
			name);
		return;
	}
	base = baseline ? find_value(ctx, baseline) : NULL;
	x.vs.has_r50 = base && v > 0;
	x.vs.r50 = x.vs.has_r50 ? base->v / v : 0;
	ctx->vals[ctx->nvals++] = x;
	progress_clear(ctx);
	if (ctx->o.json)
		return;
	printf("%-*s %9s %9.4g %s", NAME_COL, name, "value", v, unit);
	if (baseline)
		print_ratio(&x.vs, false);
	putchar('\n');
	fflush(stdout);
}

static void cpu_model(char *buf, size_t len)
{
	static const char *const keys[] = { "model name", "Hardware",
					    "cpu model", "Processor" };
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[1024], *v, *e;
	struct utsname u;
	size_t k;

	while (f && fgets(line, sizeof(line), f)) {
		for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
			if (strncmp(line, keys[k], strlen(keys[k])))
				continue;
			v = strchr(line, ':');
			if (!v)
				continue;
			for (v++; *v == ' ' || *v == '\t'; v++)
				;
			e = v + strlen(v);
			while (e > v && (e[-1] == '\n' || e[-1] == ' '))
				*--e = '\0';
			if (*v) {
				snprintf(buf, len, "%s", v);
				fclose(f);
				return;
			}
		}
	}
	if (f)
		fclose(f);
	snprintf(buf, len, "%s", uname(&u) ? "unknown" : u.machine);
}

static void json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void json_num(bool has, double v)
{
	if (has && isfinite(v))
		printf("%.3f", v);
	else
		fputs("null", stdout);
}

static void json_case(const struct bench_result *r)
{
	bool has = r->samples > 0;

	fputs("    {\"name\": ", stdout);
	json_str(r->name);
	printf(", \"samples\": %zu, \"ops_per_sample\": %u", r->samples,
	       r->div);
	fputs(", \"mean_ns\": ", stdout);
	json_num(has, r->mean);
	fputs(", \"p50_ns\": ", stdout);
	json_num(has, r->p50);
	fputs(", \"p99_ns\": ", stdout);
	json_num(has, r->p99);
	fputs(", \"p999_ns\": ", stdout);
	json_num(has, r->p999);
	fputs(", \"max_ns\": ", stdout);
	json_num(has, r->max);
	fputs(", \"baseline\": ", stdout);
	if (r->nvs)
		json_str(r->vs[0].baseline);
	else
		fputs("null", stdout);
	fputs(", \"ratio_p50\": ", stdout);
	json_num(r->nvs && r->vs[0].has_r50, r->vs[0].r50);
	fputs(", \"ratio_p99\": ", stdout);
	json_num(r->nvs && r->vs[0].has_r99, r->vs[0].r99);
	fputs(", \"also_vs\": [", stdout);
	for (size_t i = 1; i < r->nvs; i++) {
		fputs(i > 1 ? ", {\"baseline\": " : "{\"baseline\": ", stdout);
		json_str(r->vs[i].baseline);
		fputs(", \"ratio_p50\": ", stdout);
		json_num(r->vs[i].has_r50, r->vs[i].r50);
		fputs(", \"ratio_p99\": ", stdout);
		json_num(r->vs[i].has_r99, r->vs[i].r99);
		putchar('}');
	}
	fputs("]}", stdout);
}

static void json_value(const struct bench_value *x)
{
	fputs("    {\"name\": ", stdout);
	json_str(x->name);
	fputs(", \"unit\": ", stdout);
	json_str(x->unit);
	fputs(", \"value\": ", stdout);
	json_num(true, x->v);
	fputs(", \"baseline\": ", stdout);
	if (x->vs.baseline)
		json_str(x->vs.baseline);
	else
		fputs("null", stdout);
	fputs(", \"ratio\": ", stdout);
	json_num(x->vs.has_r50, x->vs.r50);
	putchar('}');
}

static void utc_date(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!gmtime_r(&now, &tm) ||
	    !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "unknown");
}

void bench_print_header(struct bench_ctx *ctx)
{
	char cpu[256];

	if (ctx->o.json)
		return;
	cpu_model(cpu, sizeof(cpu));
	printf("uvf-bench: %s; %u threads, %" PRIu64 " iterations%s; backend %s\n",
	       cpu, ctx->o.threads, ctx->o.iterations,
	       ctx->o.quick ? " (quick)" : "", ctx->o.backend);
	if (use_tsc)
		printf("timer: TSC at %.4f GHz, calibrated against CLOCK_MONOTONIC over %u ms; ",
		       1.0 / ns_per_tick, ctx->calib_ms);
	else
		printf("timer: CLOCK_MONOTONIC; ");
	printf("timer correction: the mean read cost (slowest 1 %% left out), %.1f ns (minimum %.1f), is subtracted from every sample;\n"
	       "cases with ops_per_sample > 1 (all iova cases) time batches and divide\n\n",
	       overhead_ticks * ns_per_tick,
	       (double)overhead_min_ticks * ns_per_tick);
	fflush(stdout);
}

void bench_print_footer(struct bench_ctx *ctx)
{
	char cpu[256], date[64];
	size_t i;

	progress_clear(ctx);
	if (!ctx->o.json)
		return;
	cpu_model(cpu, sizeof(cpu));
	utc_date(date, sizeof(date));
	fputs("{\n  \"run\": {\"tool\": \"uvf-bench\", \"cpu_model\": ", stdout);
	json_str(cpu);
	printf(", \"threads\": %u, \"iterations\": %" PRIu64
	       ", \"quick\": %s, \"backend\": ", ctx->o.threads,
	       ctx->o.iterations, ctx->o.quick ? "true" : "false");
	json_str(ctx->o.backend);
	fputs(", \"filter\": ", stdout);
	if (ctx->o.filter)
		json_str(ctx->o.filter);
	else
		fputs("null", stdout);
	fputs(", \"date\": ", stdout);
	json_str(date);
	printf(", \"timer\": \"%s\", \"ns_per_tick\": %.6f"
	       ", \"timer_overhead_ns\": %.3f, \"timer_overhead_min_ns\": %.3f"
	       ", \"timer_correction\": \"mean\"},\n  \"cases\": [",
	       use_tsc ? "tsc" : "clock_monotonic", ns_per_tick,
	       overhead_ticks * ns_per_tick,
	       (double)overhead_min_ticks * ns_per_tick);
	for (i = 0; i < ctx->nres; i++) {
		fputs(i ? ",\n" : "\n", stdout);
		json_case(&ctx->res[i]);
	}
	fputs(ctx->nres ? "\n  ],\n  \"values\": [" : "],\n  \"values\": [",
	      stdout);
	for (i = 0; i < ctx->nvals; i++) {
		fputs(i ? ",\n" : "\n", stdout);
		json_value(&ctx->vals[i]);
	}
	fputs(ctx->nvals ? "\n  ]\n}\n" : "]\n}\n", stdout);
	fflush(stdout);
}
