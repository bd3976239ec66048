// SPDX-License-Identifier: MIT
/*
 * uvf-bench: options, the table of compiled-in case groups, and the run.
 *
 * Exit status: 0 after a run, 1 when the run failed or --case matched no
 * case, 2 for bad usage.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "plotdata.h"

#define DEFAULT_ITERATIONS 1000000ull
#define QUICK_ITERATIONS 10000ull
#define MAX_THREADS 4096u
#define MAX_ITERATIONS (1ull << 40)

/* meson defines HAVE_BENCH_<GROUP> for each bench_<group>.c it compiles. */
static const struct bench_group groups[] = {
#ifdef HAVE_BENCH_IOVA
	{ "iova", bench_iova, "IOVA allocator" },
#endif
#ifdef HAVE_BENCH_PGTABLE
	{ "pgtable", bench_pgtable, "I/O page tables" },
#endif
#ifdef HAVE_BENCH_TRANSLATE
	{ "translate", bench_translate, "address translation (IOTLB and page walk)" },
#endif
#ifdef HAVE_BENCH_DMA
	{ "dma", bench_dma, "DMA map and unmap" },
#endif
#ifdef HAVE_BENCH_DMAHEAP
	{ "dmaheap", bench_dmaheap, "DMA heap pools and allocation against malloc + dma_map_page" },
#endif
#ifdef HAVE_BENCH_DMAHEAP_EAL
	{ "dmaheap-eal", bench_dmaheap_eal, "DMA heap on DPDK EAL memory against the built-in provider (--case dmaheap-eal)" },
#endif
#ifdef HAVE_BENCH_FAKEKERNEL
	{ "fakekernel", bench_fakekernel, "VFIO map path on the tests' fake kernel: uvf's own cost, mappers in parallel" },
#endif
#ifdef HAVE_BENCH_VFIO
	{ "vfio", bench_vfio, "real VFIO map and unmap (--device, --backend)" },
#endif
	{ NULL, NULL, NULL }
};

static void usage(FILE *f)
{
	const struct bench_group *g;

	fputs("usage: uvf-bench [options]\n"
	      "Times uvf operations and prints mean, p50, p99, p99.9 and max per operation.\n\n"
	      "  --threads N      threads for the multi-threaded cases (default: online CPUs)\n"
	      "  --iterations N   timed operations per case (default 1000000; 10000 with --quick)\n"
	      "  --quick          short run, for smoke tests\n"
	      "  --json           print one JSON document on stdout instead of a table\n"
	      "  --case SUBSTR    run only cases whose name contains SUBSTR; repeatable,\n"
	      "                   or a comma-separated list\n"
	      "  --list           print the case groups and exit\n"
	      "  --device BDF     benchmark a real device through VFIO\n"
	      "  --backend NAME   sim (default), type1 or iommufd\n"
	      "  --plot DIR       also write each case's latency CDF, the ratios against\n"
	      "                   the baselines and allocator latency against fill level\n"
	      "                   as TSV files in DIR, and draw them as SVG with gnuplot\n"
	      "  --help           print this help and exit\n\n"
	      "case groups in this build:", f);
	for (g = groups; g->name; g++)
		fprintf(f, " %s", g->name);
	fputs(groups[0].name ? "\n" : " none\n", f);
}

/* One plain sentence, then exit status 2. */
__attribute__((format(printf, 1, 2)))
static int bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("uvf-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 2;
}

static bool parse_u64(const char *s, uint64_t min, uint64_t max,
		      uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* [domain:]bus:device.function, hexadecimal, as lspci prints it. */
static bool is_bdf(const char *s)
{
	unsigned int dom, bus, dev, fn;
	int n = 0;

	if (sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) == 4 &&
	    !s[n])
		return dev < 32 && fn < 8;
	n = 0;
	if (sscanf(s, "%2x:%2x.%1x%n", &bus, &dev, &fn, &n) == 3 && !s[n])
		return dev < 32 && fn < 8;
	return false;
}

/* --case may repeat: the filter is the comma-joined list. */
static int add_filter(char **filter, const char *arg)
{
	size_t old = *filter ? strlen(*filter) + 1 : 0;
	char *f = realloc(*filter, old + strlen(arg) + 1);

	if (!f)
		return -ENOMEM;
	if (old)
		f[old - 1] = ',';
	strcpy(f + old, arg);
	*filter = f;
	return 0;
}

static const struct option long_opts[] = {
	{ "threads", required_argument, NULL, 't' },
	{ "iterations", required_argument, NULL, 'i' },
	{ "quick", no_argument, NULL, 'q' },
	{ "json", no_argument, NULL, 'j' },
	{ "case", required_argument, NULL, 'c' },
	{ "list", no_argument, NULL, 'l' },
	{ "device", required_argument, NULL, 'd' },
	{ "backend", required_argument, NULL, 'b' },
	{ "plot", required_argument, NULL, 'p' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

struct cli {
	struct bench_opts o;
	char *filter;
	bool list, help, iterations_set;
};

static int parse(int argc, char **argv, struct cli *c)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t v;
	int opt;

	c->o.threads = cpus > 0 ? (unsigned int)cpus : 1;
	c->o.backend = "sim";
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":t:i:qjc:ld:b:p:h", long_opts,
				  NULL)) != -1) {
		switch (opt) {
		case 't':
			if (!parse_u64(optarg, 1, MAX_THREADS, &v))
				return bad_usage("--threads wants a whole number from 1 to 4096, not '%s'.",
						 optarg);
			c->o.threads = (unsigned int)v;
			break;
		case 'i':
			if (!parse_u64(optarg, 1, MAX_ITERATIONS, &v))
				return bad_usage("--iterations wants a whole number from 1 to 2^40, not '%s'.",
						 optarg);
			c->o.iterations = v;
			c->iterations_set = true;
			break;
		case 'q':
			c->o.quick = true;
			break;
		case 'j':
			c->o.json = true;
			break;
		case 'c':
			if (!*optarg)
				return bad_usage("--case wants a non-empty substring.");
			if (add_filter(&c->filter, optarg)) {
				fputs("uvf-bench: out of memory.\n", stderr);
				return 1;
			}
			break;
		case 'l':
			c->list = true;
			break;
		case 'd':
			if (!is_bdf(optarg))
				return bad_usage("--device wants a PCI address such as 0000:01:00.0, not '%s'.",
						 optarg);
			c->o.device = optarg;
			break;
		case 'b':
			if (strcmp(optarg, "sim") && strcmp(optarg, "type1") &&
			    strcmp(optarg, "iommufd"))
				return bad_usage("--backend wants sim, type1 or iommufd, not '%s'.",
						 optarg);
			c->o.backend = optarg;
			break;
		case 'p':
			if (!*optarg)
				return bad_usage("--plot wants a directory.");
			c->o.plot_dir = optarg;
			break;
		case 'h':
			c->help = true;
			break;
		case ':':
			return bad_usage("option '%s' needs a value.",
					 argv[optind - 1]);
		default:
			return bad_usage("unknown option '%s'; try --help.",
					 argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'; try --help.",
				 argv[optind]);
	if (!c->iterations_set)
		c->o.iterations = c->o.quick ? QUICK_ITERATIONS
					     : DEFAULT_ITERATIONS;
	c->o.filter = c->filter;
#ifndef HAVE_BENCH_VFIO
	if (c->o.device)
		return bad_usage("this build has no real-VFIO benchmarks, so --device cannot be used.");
	if (strcmp(c->o.backend, "sim"))
		return bad_usage("this build has no real-VFIO benchmarks, so --backend %s cannot be used.",
				 c->o.backend);
#endif
	return 0;
}

/* Before any case runs, so a bad DIR costs nothing and writes nothing. */
static int check_plot_dir(const char *dir)
{
	int err = plot_dir_prepare(dir);

	if (!err)
		return 0;
	if (err == -ENOTDIR)
		return bad_usage("--plot %s: not a directory.", dir);
	return bad_usage("--plot %s: cannot write there (%s).", dir,
			 strerror(-err));
}

/* Exit status 1 when the plot could not be drawn; says why in a sentence. */
static int draw_plots(struct bench_ctx *ctx, const char *dir)
{
	int err = bench_plot_run(ctx);

	if (!err)
		return 0;
	if (err == -ENOENT)
		fprintf(stderr, "uvf-bench: --plot: gnuplot is not installed (Debian package %s); the data files are in %s.\n",
			PLOT_PACKAGE, dir);
	else if (err == -EIO)
		fprintf(stderr, "uvf-bench: --plot: gnuplot failed on %s/uvf-bench.gp; the data files are in %s.\n",
			dir, dir);
	else
		fprintf(stderr, "uvf-bench: --plot: cannot write the plot data in %s (%s).\n",
			dir, strerror(-err));
	return 1;
}

static int run(struct cli *c)
{
	const struct bench_group *g;
	struct bench_ctx *ctx;
	size_t reported;
	int plot_ret = 0;

	if (c->o.plot_dir && check_plot_dir(c->o.plot_dir))
		return 2;
	if (bench_ctx_create(&c->o, &ctx)) {
		fputs("uvf-bench: out of memory.\n", stderr);
		return 1;
	}
	bench_print_header(ctx);
	for (g = groups; g->name; g++)
		g->run(ctx);
	bench_print_footer(ctx);
	if (c->o.plot_dir)
		plot_ret = draw_plots(ctx, c->o.plot_dir);
	reported = bench_reported(ctx);
	bench_ctx_destroy(ctx);
	if (!reported) {
		if (c->filter)
			fprintf(stderr, "uvf-bench: no case matches --case %s.\n",
				c->filter);
		else if (!groups[0].name)
			fputs("uvf-bench: this build has no benchmark cases.\n",
			      stderr);
	}
	return (c->filter && !reported) || plot_ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct cli c = { 0 };
	const struct bench_group *g;
	int ret;

	ret = parse(argc, argv, &c);
	if (!ret && c.help)
		usage(stdout);
	else if (!ret && c.list)
		for (g = groups; g->name; g++)
			printf("%-10s %s\n", g->name, g->what);
	else if (!ret)
		ret = run(&c);
	free(c.filter);
	return ret;
}
