/* SPDX-License-Identifier: MIT */
/*
 * nvme-perf: NVMe throughput and latency, through uvf's userspace driver or,
 * for comparison, through the kernel's nvme driver (a block device opened
 * with O_DIRECT), with the same workload description.
 *
 *   nvme-perf --device BDF [--backend type1|iommufd|noiommu|auto] [--irq]
 *             [--dpdk [--hugepages N]]
 *   nvme-perf --kernel /dev/nvme0n1
 *     [--rw randread|randwrite|read|write] [--bs BYTES] [--qd N]
 *     [--threads N] [--time SECONDS] [--ns NSID] [--size BYTES] [--json]
 *     [--verify] [--doorbell batch|per-cmd|both|alternate]
 *     [--shadow-doorbells on|off|both] [--sgl auto|on|off|both]
 *     [--cmb on|off|auto] [--mem heap|map|both] [--max-xfer BYTES]
 *     [--swap] [--slice-ms MS] [--plot DIR]
 *
 * uvf: each thread has its own queue pair with --qd commands in flight,
 * reaped by polling (or MSI-X with --irq). Kernel: each thread runs --qd
 * workers doing synchronous pread/pwrite, so the same number of commands
 * is in flight without any asynchronous I/O library.
 *
 * --dpdk (builds with the dpdk feature): uvf's driver on DPDK EAL memory.
 * EAL is initialised without probing any device (--no-pci; IOVA as PA on
 * noiommu), uvf_dpdk_attach_memory() puts EAL's memory into uvf's domain,
 * and the I/O buffers come from rte_malloc(): the driver finds their device
 * addresses with the registered-memory lookup, as for its own buffers.
 * --hugepages N first reserves N 2 MiB pages for EAL (root).
 *
 * --doorbell: when uvf's queue pairs write their SQ tail doorbell: once per
 * batch (the default: submissions made while commands are outstanding go
 * out together when completions are reaped), or after every command, as
 * the driver used to. "both" runs the workload per command, then batched,
 * in one process and one controller bring-up each, and reports each run
 * and their IOPS ratio. "alternate" runs both in one run on one queue
 * pair, switching it (uvf_nvme_qpair_set_doorbell()) every slice
 * (--slice-ms, 100 by default), each slice drained before the next: one
 * report per mode, over the time its slices took, and their ratio. Runs
 * seconds apart on a shared host differ by more than a doorbell is worth
 * at QD1; slices see the same host. --shadow-doorbells off keeps the
 * driver from using the controller's shadow doorbells (Doorbell Buffer
 * Config), which it uses where offered; "both" runs without them, then
 * with them (each doorbell mode, for --doorbell both).
 *
 * --swap: every "both" runs its two modes the other way round (batched
 * before per-command, shadow doorbells on before off, heap before map,
 * SGLs before PRPs). Rounds that alternate it cancel whatever running
 * first or second is worth on a shared host (the benchmark scripts do).
 *
 * --sgl: how Reads and Writes point at their data: "auto" (the driver's
 * choice: SGLs from 32 KiB where the controller has them), "on" (SGLs
 * only), "off" (PRPs only), "both" (PRPs, then SGLs, each run reported).
 * --cmb: I/O submission queues in the Controller Memory Buffer (on: the
 * open fails without a usable one), in host memory (off), or in the CMB
 * where the controller offers one (auto, the default).
 * --mem: where uvf's I/O buffers come from. By default memory the program
 * registers with uvf_dma_register(); "heap": uvf_nvme_buf_alloc(), DMA heap
 * memory that is already mapped; "map": plain memory the driver maps and
 * unmaps around every command (uvf_dma_map_page()), the per-I/O mapping
 * the heap replaces. "both" runs the workload on "map", then on "heap", in
 * one process (a controller bring-up each), and reports the IOPS ratio.
 * --max-xfer caps the bytes per command (uvf_nvme_ctrl_opts.max_xfer), so
 * larger I/Os split into child commands: the split overhead at one size.
 *
 * --verify: each block written carries a pattern derived from its byte
 * offset, and each block read is checked against it (a mismatch counts as
 * an error, -EILSEQ). Sequential runs then make one pass over their span
 * instead of running for --time; a sequential write is followed by a
 * sequential read of the same span, verified (two reports).
 *
 * Reports IOPS, MB/s and completion latency (mean, p50, p99, p99.9, max);
 * a progress line on a terminal; one JSON object with --json. uvf's runs
 * also report the batching reached, from uvf_nvme_qpair_get_stats(): SQ
 * and CQ doorbell register writes per command (doorbells_per_cmd, with the
 * shadow-only updates) and completions per poll that found any
 * (cpl_per_poll). Queue pairs have the driver's default size (256
 * entries; QD + 1 beyond that).
 *
 * --plot DIR: each run's latency CDF (from the histogram) as a TSV file in
 * DIR, then an SVG per workload (rw, bs, QD, threads) drawn by gnuplot
 * with every run of that workload in DIR: both doorbell modes of one
 * invocation, or uvf's and the kernel's driver from two (perf_plot.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <uvf/mmio.h>

#include "nvme_app.h"
#include "perf_plot.h"

#ifdef UVF_HAVE_DPDK
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>

#include <uvf/dpdk.h>
#endif

/* Latency histogram: 32 linear buckets per power of two, under 3 %
 * error, from 0 ns to 2^63 ns. */
#define SUB_BITS 5
#define SUB (1u << SUB_BITS)
#define NBUCKETS (60u * SUB)

struct stats {
	_Atomic uint64_t ios;	/* read by the progress line */
	uint64_t errors, lat_sum, lat_max;
	int first_err;
	uint64_t hist[NBUCKETS];
};

struct opts {
	const char *bdf, *kernel;
	enum uvf_vfio_backend backend;
	bool rand, write, irq, json, dpdk, verify;
	enum uvf_nvme_doorbell doorbell;
	bool doorbell_both, no_shadow, shadow_both;
	bool alternate;	/* --doorbell alternate: both modes, in slices */
	uint32_t slice_ms;	/* --slice-ms: their length */
	enum uvf_nvme_sgl sgl;
	bool sgl_both;
	enum uvf_nvme_cmb cmb;
	enum { MEM_OWN, MEM_HEAP, MEM_MAP } mem;
	bool mem_both;
	bool swap;	/* --swap: each "both" pair runs its second mode first */
	uint32_t max_xfer;
	unsigned int hugepages;
	uint32_t bs, qd, threads, nsid;
	double seconds;
	uint64_t size;
	const char *plot_dir;	/* --plot DIR */
};

static atomic_bool stop;
static atomic_uint workers_done;	/* uvf workers that have returned */

static unsigned int bucket(uint64_t ns)
{
	unsigned int msb, shift;

	if (ns < SUB)
		return (unsigned int)ns;
	msb = 63u - (unsigned int)__builtin_clzll(ns);
	shift = msb - SUB_BITS;
	return (shift + 1) * SUB + (unsigned int)((ns >> shift) & (SUB - 1));
}

/* The middle of a bucket's range. */
static uint64_t bucket_ns(unsigned int b)
{
	unsigned int shift;

	if (b < SUB)
		return b;
	shift = b / SUB - 1;
	return ((uint64_t)(b % SUB + SUB) << shift) + ((1ull << shift) >> 1);
}

static void record(struct stats *s, uint64_t lat, int err)
{
	if (err) {
		if (!s->errors++)
			s->first_err = err;
		return;
	}
	s->hist[bucket(lat)]++;
	s->lat_sum += lat;
	if (lat > s->lat_max)
		s->lat_max = lat;
	atomic_fetch_add_explicit(&s->ios, 1, memory_order_relaxed);
}

static uint64_t xorshift(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

/* Next I/O offset in units of the I/O size, in [first, first + count). */
struct picker {
	uint64_t first, count, next, rng;
	bool rand;
};

static uint64_t pick(struct picker *p)
{
	uint64_t i;

	if (p->rand)
		return p->first + xorshift(&p->rng) % p->count;
	i = p->first + p->next;
	p->next = p->next + 1 == p->count ? 0 : p->next + 1;
	return i;
}

/* Worker @i of @n gets its own slice for sequential I/O; random I/O
 * covers the whole span. */
static void picker_init(struct picker *p, const struct opts *o,
			uint64_t units, unsigned int i, unsigned int n)
{
	p->rand = o->rand;
	p->rng = 0x9e3779b97f4a7c15ull * (i + 1);
	p->next = 0;
	if (o->rand || units < n) {
		p->first = 0;
		p->count = units;
	} else {
		p->first = units / n * i;
		p->count = units / n;
	}
}

/* ---- uvf ---- */

struct uio;

/* --doorbell alternate: the modes of the slices, in turn. Slices put host
 * drift and stalls of a shared machine on both modes alike, where runs
 * seconds apart do not. */
static const enum uvf_nvme_doorbell alt_mode[2] = {
	UVF_NVME_DOORBELL_PER_CMD, UVF_NVME_DOORBELL_BATCH,
};

struct uworker {
	pthread_t thread;
	const struct opts *o;
	struct nvme_app *app;
	uint32_t block_shift;
	struct picker picker;
	struct uvf_nvme_qpair *qp;
	uint8_t *mem;
	struct uio *ios;
	unsigned int id;
	uint64_t issued;	/* I/Os submitted (one pass: up to the span) */
	/* Per doorbell mode of --doorbell alternate (alt_mode[]); [0] only
	 * otherwise. */
	unsigned int cur;	/* the mode of the slice running */
	uint64_t slice_end;	/* no resubmission from then on */
	struct stats st[2];
	struct uvf_nvme_qpair_stats qst[2];	/* the pair's, in the mode */
	uint64_t ns[2];		/* time spent in the mode */
	unsigned int slices[2];
};

struct uio {
	struct uworker *w;
	void *buf;
	uint64_t start;
	uint64_t off;		/* byte offset of the I/O in flight */
};

/* The --verify pattern: 64-bit words derived from their byte offset on
 * the namespace. */
static uint64_t pattern(uint64_t off)
{
	uint64_t x = off * 0x9e3779b97f4a7c15ull ^ 0x6e766d652d706572ull;

	return x ^ (x >> 29);
}

static void pattern_fill(void *buf, uint32_t len, uint64_t off)
{
	uint64_t *p = buf;
	uint32_t i;

	for (i = 0; i < len / 8; i++)
		p[i] = pattern(off + (uint64_t)i * 8);
}

static bool pattern_ok(const void *buf, uint32_t len, uint64_t off)
{
	const uint64_t *p = buf;
	uint32_t i;

	for (i = 0; i < len / 8; i++)
		if (p[i] != pattern(off + (uint64_t)i * 8))
			return false;
	return true;
}

static int usubmit(struct uio *io);

/* --verify with sequential I/O: one pass over the worker's span. */
static bool one_pass_done(const struct uworker *w)
{
	return w->o->verify && !w->o->rand && w->issued >= w->picker.count;
}

static void ucomplete(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct uio *io = arg;
	struct uworker *w = io->w;
	uint64_t now = uvf_now_ns();

	(void)cpl;
	if (!err && w->o->verify && !w->o->write &&
	    !pattern_ok(io->buf, w->o->bs, io->off))
		err = -EILSEQ;
	record(&w->st[w->cur], now - io->start, err);
	/* A slice drains at its end: its commands complete within it. */
	if (!err && !atomic_load_explicit(&stop, memory_order_relaxed) &&
	    !one_pass_done(w) && now < w->slice_end) {
		err = usubmit(io);
		if (err)
			record(&w->st[w->cur], 0, err);
	}
}

static int usubmit(struct uio *io)
{
	struct uworker *w = io->w;
	uint32_t nlb = w->o->bs >> w->block_shift;
	uint64_t lba = pick(&w->picker) * nlb;

	io->off = lba << w->block_shift;
	w->issued++;
	if (w->o->verify && w->o->write)
		pattern_fill(io->buf, w->o->bs, io->off);
	io->start = uvf_now_ns();
	return w->o->write ? uvf_nvme_write(w->qp, w->o->nsid, io->buf, lba,
					    nlb, ucomplete, io)
			   : uvf_nvme_read(w->qp, w->o->nsid, io->buf, lba, nlb,
					   ucomplete, io);
}

/* @a - @b into @sum. */
static void qst_add(struct uvf_nvme_qpair_stats *sum,
		    const struct uvf_nvme_qpair_stats *a,
		    const struct uvf_nvme_qpair_stats *b)
{
	sum->submitted += a->submitted - b->submitted;
	sum->completed += a->completed - b->completed;
	sum->polls += a->polls - b->polls;
	sum->idle_polls += a->idle_polls - b->idle_polls;
	sum->sq_doorbell_writes += a->sq_doorbell_writes - b->sq_doorbell_writes;
	sum->cq_doorbell_writes += a->cq_doorbell_writes - b->cq_doorbell_writes;
	sum->sq_shadow_updates += a->sq_shadow_updates - b->sq_shadow_updates;
	sum->cq_shadow_updates += a->cq_shadow_updates - b->cq_shadow_updates;
}

/* One slice (the whole run unless alternating): the queue depth's worth
 * submitted with one doorbell write (batch mode), resubmitted as they
 * complete until the slice ends, then drained. Returns an error that
 * ends the run. */
static int uworker_slice(struct uworker *w)
{
	struct uvf_nvme_qpair_stats before, after;
	uint64_t start = uvf_now_ns();
	struct stats *st = &w->st[w->cur];
	unsigned int i;
	int ret = 0, err;

	if (w->o->alternate) {
		ret = uvf_nvme_qpair_set_doorbell(w->qp, alt_mode[w->cur]);
		w->slice_end = start + w->o->slice_ms * 1000000ull;
	}
	uvf_nvme_qpair_get_stats(w->qp, &before);
	uvf_nvme_qpair_batch_begin(w->qp);
	for (i = 0; i < w->o->qd && !ret && !one_pass_done(w); i++)
		ret = usubmit(&w->ios[i]);
	if (ret)
		record(st, 0, ret);
	/* What was submitted goes out, whatever failed after it. */
	err = uvf_nvme_qpair_ring(w->qp);
	if (err) {
		record(st, 0, err);
		ret = ret ? ret : err;
	}
	while (uvf_nvme_qpair_outstanding(w->qp)) {
		int n = w->o->irq ? uvf_nvme_qpair_wait(w->qp, 100)
				  : uvf_nvme_qpair_process(w->qp, 0);

		if (n < 0 && n != -ETIMEDOUT && n != -EAGAIN) {
			record(st, 0, ret = n);
			break;
		}
	}
	uvf_nvme_qpair_get_stats(w->qp, &after);
	qst_add(&w->qst[w->cur], &after, &before);
	w->ns[w->cur] += uvf_now_ns() - start;
	w->slices[w->cur]++;
	return ret;
}

static void *uworker_main(void *arg)
{
	struct uworker *w = arg;

	w->slice_end = UINT64_MAX;
	while (!uworker_slice(w) && w->o->alternate &&
	       !atomic_load_explicit(&stop, memory_order_relaxed) &&
	       !one_pass_done(w))
		w->cur ^= 1;
	atomic_fetch_add(&workers_done, 1);
	return NULL;
}

/* I/O memory: registered with uvf, or with --dpdk EAL's (rte_malloc),
 * which uvf_dpdk_attach_memory() made reachable. */
static int io_buf_alloc(const struct opts *o, struct nvme_app *app,
			size_t len, uint8_t **out)
{
	if (o->mem == MEM_HEAP)
		return uvf_nvme_buf_alloc(app->ctrl, len, (void **)out);
	if (o->mem == MEM_MAP) {
		*out = aligned_alloc(4096, (len + 4095) & ~(size_t)4095);
		return *out ? 0 : -ENOMEM;
	}
#ifdef UVF_HAVE_DPDK
	if (o->dpdk) {
		*out = rte_malloc("nvme-perf", len, 4096);
		return *out ? 0 : -ENOMEM;
	}
#endif
	return nvme_app_buf_alloc(app, len, (void **)out);
}

static void io_buf_free(const struct opts *o, struct nvme_app *app,
			uint8_t *buf, size_t len)
{
	if (o->mem == MEM_HEAP) {
		uvf_nvme_buf_free(app->ctrl, buf);
		return;
	}
	if (o->mem == MEM_MAP) {
		free(buf);
		return;
	}
#ifdef UVF_HAVE_DPDK
	if (o->dpdk) {
		rte_free(buf);
		return;
	}
#endif
	nvme_app_buf_free(app, buf, len);
}

static int uvf_setup(struct uworker *w, const struct opts *o,
		     struct nvme_app *app, uint64_t units, unsigned int id)
{
	struct uvf_nvme_ns_info ns;
	size_t len = (size_t)o->bs * o->qd;
	unsigned int i;
	int ret;

	memset(w, 0, sizeof(*w));
	w->o = o;
	w->app = app;
	w->id = id;
	ret = uvf_nvme_ns_get_info(app->ctrl, o->nsid, &ns);
	if (ret)
		return ret;
	w->block_shift = (uint32_t)__builtin_ctz(ns.block_size);
	picker_init(&w->picker, o, units, id, o->threads);
	w->ios = calloc(o->qd, sizeof(*w->ios));
	if (!w->ios)
		return -ENOMEM;
	ret = io_buf_alloc(o, app, len, &w->mem);
	if (!ret)
		/* The driver's default size as an application would use
		 * it; larger only for a deeper queue. */
		ret = uvf_nvme_qpair_create(app->ctrl,
					    o->qd + 1 > UVF_NVME_QPAIR_DEFAULT_SIZE
						    ? o->qd + 1 : 0,
					    &w->qp);
	if (ret) {
		if (w->mem)
			io_buf_free(o, app, w->mem, len);
		free(w->ios);
		return ret;
	}
	for (i = 0; i < o->qd; i++) {
		w->ios[i] = (struct uio){ w, w->mem + (size_t)i * o->bs, 0, 0 };
		memset(w->ios[i].buf, (int)(0x5a + i), o->bs);
	}
	return 0;
}

static void uvf_teardown(struct uworker *w)
{
	uvf_nvme_qpair_destroy(w->qp);
	io_buf_free(w->o, w->app, w->mem, (size_t)w->o->bs * w->o->qd);
	free(w->ios);
}

/* ---- kernel ---- */

struct kworker {
	pthread_t thread;
	const struct opts *o;
	int fd;
	struct picker picker;
	void *buf;
	struct stats st;
};

static void *kworker_main(void *arg)
{
	struct kworker *w = arg;
	uint64_t start;
	ssize_t n;
	off_t off;

	while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
		off = (off_t)(pick(&w->picker) * w->o->bs);
		start = uvf_now_ns();
		n = w->o->write ? pwrite(w->fd, w->buf, w->o->bs, off)
				: pread(w->fd, w->buf, w->o->bs, off);
		if (n != (ssize_t)w->o->bs) {
			record(&w->st, 0, n < 0 ? -errno : -EIO);
			break;
		}
		record(&w->st, uvf_now_ns() - start, 0);
	}
	return NULL;
}

/* ---- reporting ---- */

static uint64_t percentile(const uint64_t *hist, uint64_t total, double p)
{
	uint64_t want = (uint64_t)((double)total * p / 100.0), seen = 0;
	unsigned int b;

	if (want >= total)
		want = total - 1;
	for (b = 0; b < NBUCKETS; b++) {
		seen += hist[b];
		if (seen > want)
			return bucket_ns(b);
	}
	return 0;
}

static void merge(struct stats *dst, const struct stats *src)
{
	unsigned int b;

	dst->ios += src->ios;
	if (src->errors && !dst->errors)
		dst->first_err = src->first_err;
	dst->errors += src->errors;
	dst->lat_sum += src->lat_sum;
	if (src->lat_max > dst->lat_max)
		dst->lat_max = src->lat_max;
	for (b = 0; b < NBUCKETS; b++)
		dst->hist[b] += src->hist[b];
}

static const char *rw_name(const struct opts *o)
{
	return o->write ? (o->rand ? "randwrite" : "write")
			: (o->rand ? "randread" : "read");
}

static const char *doorbell_name(const struct opts *o)
{
	if (o->kernel)
		return "kernel";
	return o->doorbell == UVF_NVME_DOORBELL_PER_CMD ? "per-cmd" : "batch";
}

static const char *sgl_name(const struct opts *o)
{
	if (o->kernel)
		return "kernel";
	return o->sgl == UVF_NVME_SGL_ALWAYS ? "sgl" :
	       o->sgl == UVF_NVME_SGL_OFF    ? "prp" : "auto";
}

/* Whether the last uvf run's controller used shadow doorbells. */
static bool shadow_used;
/* The last uvf run's queue pairs' counters, summed: the batching reached.
 * Zero for the kernel driver's runs. */
static struct uvf_nvme_qpair_stats qstats;

static double per(uint64_t n, uint64_t d)
{
	return d ? (double)n / (double)d : 0;
}
/* Its Controller Memory Buffer bytes in use for SQs. */
static uint64_t cmb_used;
/* --doorbell alternate: the slices of the mode reported; 0 otherwise. */
static unsigned int slices_used;

/* --plot: the workloads written (a verified write adds its read back) and
 * the first error writing them. */
#define MAX_WORKLOADS 2
#define WORKLOAD_LEN 64
static char workloads[MAX_WORKLOADS][WORKLOAD_LEN];
static unsigned int nworkloads;
static int plot_err;

static void workload_name(const struct opts *o, char *buf, size_t len)
{
	snprintf(buf, len, "%s-bs%u-qd%u-%uthr", rw_name(o), o->bs, o->qd,
		 o->threads);
}

/* The run's CDF: a point at the middle of every non-empty bucket. */
static void plot_run(const struct opts *o, const char *engine,
		     const char *backend, const struct stats *t)
{
	static struct plot_point pts[NBUCKETS];
	char workload[WORKLOAD_LEN], run[128];
	uint64_t seen = 0;
	size_t n = 0;
	unsigned int i;

	if (!t->ios || plot_err)
		return;
	for (unsigned int b = 0; b < NBUCKETS; b++) {
		if (!t->hist[b])
			continue;
		seen += t->hist[b];
		pts[n].x = (double)bucket_ns(b);
		pts[n++].y = (double)seen / (double)t->ios;
	}
	workload_name(o, workload, sizeof(workload));
	if (o->kernel)
		snprintf(run, sizeof(run), "%s %s", engine, backend);
	else
		snprintf(run, sizeof(run), "%s %s, doorbells %s, shadow %s",
			 engine, backend, doorbell_name(o),
			 shadow_used ? "on" : "off");
	plot_err = perf_plot_add(o->plot_dir, workload, run, t->ios, pts, n);
	for (i = 0; i < nworkloads; i++)
		if (!strcmp(workloads[i], workload))
			return;
	if (nworkloads < MAX_WORKLOADS)
		snprintf(workloads[nworkloads++], WORKLOAD_LEN, "%s", workload);
}

/* Draws each workload run; one sentence and 1 when it cannot. */
static int plot_workloads(const struct opts *o)
{
	char title[160];
	struct opts w = *o;
	int err = plot_err;

	for (unsigned int i = 0; i < nworkloads && !err; i++) {
		/* Only a verified sequential write adds a second: its read. */
		w.write = o->write && !i;
		snprintf(title, sizeof(title),
			 "nvme-perf %s, bs %u, QD %u, %u thread%s: completion latency CDF",
			 rw_name(&w), o->bs, o->qd, o->threads,
			 o->threads == 1 ? "" : "s");
		err = perf_plot_draw(o->plot_dir, workloads[i], title);
	}
	if (!err)
		return 0;
	if (err == -ENOENT)
		fprintf(stderr, "nvme-perf: --plot: gnuplot is not installed (Debian package %s); the data files are in %s.\n",
			PLOT_PACKAGE, o->plot_dir);
	else
		fprintf(stderr, "nvme-perf: --plot: cannot draw in %s (%s).\n",
			o->plot_dir, strerror(-err));
	return 1;
}

/* The last uvf run's controller's bytes per command. */
static uint32_t max_xfer_used;

static const char *mem_name(const struct opts *o)
{
	static const char *const names[] = { "own", "heap", "map" };

	return o->dpdk ? "dpdk" : names[o->mem];
}

static double report(const struct opts *o, const char *engine,
		     const char *backend, const struct stats *t, double secs)
{
	uint64_t ios = t->ios;
	/* An alternating run too short for a slice of this mode: 0. */
	double iops = secs > 0 ? ios / secs : 0, mbs = iops * o->bs / 1e6;
	double mean = ios ? (double)t->lat_sum / (double)ios : 0;
	uint64_t p50 = ios ? percentile(t->hist, ios, 50) : 0;
	uint64_t p99 = ios ? percentile(t->hist, ios, 99) : 0;
	uint64_t p999 = ios ? percentile(t->hist, ios, 99.9) : 0;

	if (o->plot_dir)
		plot_run(o, engine, backend, t);
	if (o->json) {
		printf("{\"engine\":\"%s\",\"backend\":\"%s\",\"target\":\"%s\","
		       "\"memory\":\"%s\",\"verify\":%s,\"doorbell\":\"%s\","
		       "\"shadow_doorbells\":%s,\"data_ptr\":\"%s\",\"max_xfer\":%u,\"rw\":\"%s\",\"bs\":%u,\"qd\":%u,\"threads\":%u,"
		       "\"seconds\":%.3f,\"ios\":%" PRIu64 ",\"errors\":%" PRIu64
		       ",\"iops\":%.1f,\"mb_s\":%.2f,\"lat_ns\":{\"mean\":%.0f,"
		       "\"p50\":%" PRIu64 ",\"p99\":%" PRIu64 ",\"p99_9\":%" PRIu64
		       ",\"max\":%" PRIu64 "},\"doorbells_per_cmd\":{\"sq\":%.3f,"
		       "\"cq\":%.3f,\"sq_shadow\":%.3f,\"cq_shadow\":%.3f},"
		       "\"cpl_per_poll\":%.2f,\"slices\":%u}\n",
		       engine, backend, o->kernel ? o->kernel : o->bdf,
		       mem_name(o), o->verify ? "true" : "false",
		       doorbell_name(o),
		       !o->kernel && shadow_used ? "true" : "false", sgl_name(o),
		       o->kernel ? 0 : max_xfer_used, rw_name(o), o->bs, o->qd, o->threads, secs, ios,
		       t->errors, iops, mbs, mean, p50, p99, p999, t->lat_max,
		       per(qstats.sq_doorbell_writes, qstats.submitted),
		       per(qstats.cq_doorbell_writes, qstats.submitted),
		       per(qstats.sq_shadow_updates, qstats.submitted),
		       per(qstats.cq_shadow_updates, qstats.submitted),
		       per(qstats.completed, qstats.polls - qstats.idle_polls),
		       o->kernel ? 0 : slices_used);
		return iops;
	}
	printf("nvme-perf %s (%s%s) %s: %s%s bs %u qd %u threads %u, %.1f s\n",
	       engine, backend, o->dpdk ? ", EAL memory" : "",
	       o->kernel ? o->kernel : o->bdf, rw_name(o),
	       o->verify ? " verified" : "", o->bs, o->qd, o->threads, secs);
	if (!o->kernel)
		printf("  doorbells: %s, shadow %s, data by %s; memory %s, %u "
		       "bytes per command\n", doorbell_name(o),
		       shadow_used ? "on" : "off", sgl_name(o), mem_name(o),
		       max_xfer_used);
	if (!o->kernel)
		printf("  per command: %.3f SQ and %.3f CQ doorbell writes; "
		       "%.2f completions per poll that found any\n",
		       per(qstats.sq_doorbell_writes, qstats.submitted),
		       per(qstats.cq_doorbell_writes, qstats.submitted),
		       per(qstats.completed, qstats.polls - qstats.idle_polls));
	if (!o->kernel && o->cmb)
		printf("  CMB for SQs: %" PRIu64 " MiB\n", cmb_used >> 20);
	if (!o->kernel && o->alternate)
		printf("  alternating: %u slices of %u ms in this mode\n",
		       slices_used, o->slice_ms);
	printf("  IOPS %.0f  MB/s %.2f  ios %" PRIu64 "  errors %" PRIu64 "\n",
	       iops, mbs, ios, t->errors);
	printf("  latency us: mean %.1f  p50 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n",
	       mean / 1e3, p50 / 1e3, p99 / 1e3, p999 / 1e3,
	       t->lat_max / 1e3);
	return iops;
}

/* Sleep for the run, with a progress line on a terminal. */
static void run_clock(const struct opts *o, struct stats *const *st,
		      unsigned int nst, unsigned int n, uint64_t start)
{
	bool tty = !o->json && isatty(STDERR_FILENO);
	/* One verified sequential pass runs to its end, however long. */
	uint64_t end = o->verify && !o->rand && !o->kernel ?
			       UINT64_MAX :
			       start + (uint64_t)(o->seconds * 1e9);
	uint64_t last = 0, t;
	struct timespec tick = { 0, 100000000 };
	unsigned int i, ticks = 0;
	uint64_t ios;

	while ((t = uvf_now_ns()) < end &&
	       atomic_load(&workers_done) < n) {
		nanosleep(&tick, NULL);
		if (!tty || ++ticks % 10)
			continue;
		for (i = 0, ios = 0; i < nst; i++)
			ios += atomic_load_explicit(&st[i]->ios,
						    memory_order_relaxed);
		fprintf(stderr, "\r[%4.0f s] %10.0f IOPS %9.2f MB/s   ",
			(t - start) / 1e9, (double)(ios - last),
			(double)(ios - last) * o->bs / 1e6);
		last = ios;
	}
	if (tty)
		fprintf(stderr, "\r%60s\r", "");
	atomic_store(&stop, true);
}

/* The run's report into @total[0], or with --doorbell alternate one per
 * mode into @total[0] and [1], each over the time its slices took, and
 * their ratio; @total[2] gets both. Returns the IOPS of the whole run. */
static double report_uvf(const struct opts *o, const char *backend,
			 const struct uworker *w, struct stats *total,
			 double secs)
{
	static const struct uvf_nvme_qpair_stats none;
	unsigned int m, i, modes = o->alternate ? 2 : 1;
	struct opts mo = *o;
	double iops[2] = { 0 };

	for (m = 0; m < modes; m++) {
		uint64_t ns = 0;

		memset(&qstats, 0, sizeof(qstats));
		slices_used = 0;
		for (i = 0; i < o->threads; i++) {
			merge(&total[m], &w[i].st[m]);
			qst_add(&qstats, &w[i].qst[m], &none);
			ns += w[i].ns[m];
			slices_used += o->alternate ? w[i].slices[m] : 0;
		}
		mo.doorbell = o->alternate ? alt_mode[m] : o->doorbell;
		/* Alternating: the time each thread spent in the mode. */
		iops[m] = report(&mo, "uvf", backend, &total[m],
				 o->alternate ? ns / 1e9 / o->threads : secs);
		merge(&total[2], &total[m]);
	}
	if (o->alternate && !o->json && iops[0] > 0)
		printf("nvme-perf: batched doorbells / per-command: %.2fx IOPS, "
		       "alternating in %u ms slices\n", iops[1] / iops[0],
		       o->slice_ms);
	return total[2].ios / secs;
}

static int run_uvf(const struct opts *o, double *iops)
{
	struct uvf_nvme_ctrl_opts co;
	struct uvf_nvme_ns_info ns;
	struct opts ro;
	struct uworker *w;
	struct stats *total, *all, **st;
	struct nvme_app app;
	uint64_t units, start, span;
	unsigned int i, made = 0, granted;
	int ret;

	uvf_nvme_ctrl_opts_default(&co);
	co.io_queues = o->threads;
	co.interrupts = o->irq;
	co.doorbell = o->doorbell;
	co.no_shadow_doorbells = o->no_shadow;
	co.sgl = o->sgl;
	co.cmb = o->cmb;
	co.max_xfer = o->max_xfer;
	ret = nvme_app_open(&app, o->bdf, o->backend, &co);
	if (ret) {
		fprintf(stderr, "nvme-perf: %s: %s failed: %s\n", o->bdf,
			app.failed_step, strerror(-ret));
		return 1;
	}
#ifdef UVF_HAVE_DPDK
	if (o->dpdk) {
		ret = uvf_dpdk_attach_memory(app.dom);
		if (ret) {
			fprintf(stderr,
				"nvme-perf: uvf_dpdk_attach_memory: %s\n",
				strerror(-ret));
			nvme_app_close(&app);
			return 1;
		}
	}
#endif
	ret = uvf_nvme_ns_get_info(app.ctrl, o->nsid, &ns);
	/* Blocks larger than the largest transfer cannot be split. */
	if (ret || o->bs % ns.block_size ||
	    ns.block_size > uvf_nvme_ctrl_get_info(app.ctrl)->max_xfer) {
		fprintf(stderr, "nvme-perf: namespace %u: %s\n", o->nsid,
			ret ? "not active" : "bad block size for it");
		nvme_app_close(&app);
		return 1;
	}
	if (o->irq) {
		/* Fewer vectors than queues are shared; none means polling. */
		const struct uvf_nvme_ctrl_info *ci =
			uvf_nvme_ctrl_get_info(app.ctrl);

		fprintf(stderr, "nvme-perf: interrupts: %s, %u vector%s for "
			"%u queues\n", ci->irq_type, ci->irq_vectors,
			ci->irq_vectors == 1 ? "" : "s", ci->io_queues + 1);
	}
	shadow_used = uvf_nvme_ctrl_get_info(app.ctrl)->shadow_doorbells;
	cmb_used = uvf_nvme_ctrl_get_info(app.ctrl)->cmb_size;
	max_xfer_used = uvf_nvme_ctrl_get_info(app.ctrl)->max_xfer;
	granted = uvf_nvme_ctrl_io_queues(app.ctrl);
	if (granted < o->threads) {
		/* One queue pair per thread: run with what was granted. */
		fprintf(stderr,
			"nvme-perf: the controller granted %u I/O queue pair%s "
			"of the %u asked for; running %u thread%s\n",
			granted, granted == 1 ? "" : "s", o->threads, granted,
			granted == 1 ? "" : "s");
		ro = *o;
		ro.threads = granted;
		o = &ro;
	}
	units = (o->size ? o->size : ns.nsze * ns.block_size) / o->bs;
	w = calloc(o->threads, sizeof(*w));
	st = calloc(2 * (size_t)o->threads, sizeof(*st));
	total = calloc(3, sizeof(*total));
	ret = (!w || !st || !total) ? -ENOMEM : !units ? -EINVAL : 0;
	for (i = 0; i < o->threads && !ret; i++) {
		ret = uvf_setup(&w[i], o, &app, units, i);
		if (!ret) {
			st[2 * i] = &w[i].st[0];
			st[2 * i + 1] = &w[i].st[1];
			made++;
		}
	}
	if (ret) {
		fprintf(stderr, "nvme-perf: queue pair %u: %s\n", made,
			strerror(-ret));
		goto out;
	}
	atomic_store(&stop, false);
	atomic_store(&workers_done, 0);
	start = uvf_now_ns();
	for (i = 0; i < o->threads; i++)
		pthread_create(&w[i].thread, NULL, uworker_main, &w[i]);
	run_clock(o, st, 2 * o->threads, o->threads, start);
	for (i = 0; i < o->threads; i++)
		pthread_join(w[i].thread, NULL);
	*iops = report_uvf(o, uvf_vfio_backend_name(uvf_vfio_backend(app.iommu)),
			   w, total, (uvf_now_ns() - start) / 1e9);
	/* A verified pass must have covered its whole span. */
	all = &total[2];
	for (i = 0, span = 0; i < o->threads; i++)
		span += w[i].picker.count;
	if (o->verify && !o->rand && all->ios != span) {
		fprintf(stderr, "nvme-perf: one pass: %" PRIu64
			" I/Os completed of %" PRIu64 "\n", all->ios, span);
		if (!all->errors++)
			all->first_err = -EIO;
	}
	if (all->errors)
		fprintf(stderr, "nvme-perf: %" PRIu64 " errors, first: %s\n",
			all->errors, strerror(-all->first_err));
	ret = all->errors ? -EIO : 0;
out:
	for (i = 0; i < made; i++)
		uvf_teardown(&w[i]);
	free(w);
	free(st);
	free(total);
	nvme_app_close(&app);
	return ret ? 1 : 0;
}

static int run_kernel(const struct opts *o)
{
	unsigned int n = o->threads * o->qd, i, started = 0;
	struct kworker *w = calloc(n, sizeof(*w));
	struct stats **st = calloc(n, sizeof(*st));
	struct stats *total = calloc(1, sizeof(*total));
	uint64_t bytes = 0, units, start;
	int fd, ret = 1;

	fd = open(o->kernel, (o->write ? O_RDWR : O_RDONLY) | O_DIRECT);
	if (fd < 0 || ioctl(fd, BLKGETSIZE64, &bytes)) {
		fprintf(stderr, "nvme-perf: %s: %s\n", o->kernel,
			strerror(errno));
		goto out;
	}
	units = (o->size && o->size < bytes ? o->size : bytes) / o->bs;
	if (!w || !st || !total || !units)
		goto out;
	for (i = 0; i < n; i++) {
		w[i].o = o;
		w[i].fd = fd;
		st[i] = &w[i].st;
		picker_init(&w[i].picker, o, units, i, n);
		w[i].buf = aligned_alloc(4096, (o->bs + 4095) & ~4095u);
		if (!w[i].buf)
			goto out;
		memset(w[i].buf, 0x5a, o->bs);
	}
	start = uvf_now_ns();
	for (i = 0; i < n; i++, started++)
		if (pthread_create(&w[i].thread, NULL, kworker_main, &w[i]))
			break;
	run_clock(o, st, n, n, start);
	for (i = 0; i < started; i++) {
		pthread_join(w[i].thread, NULL);
		merge(total, &w[i].st);
	}
	memset(&qstats, 0, sizeof(qstats));
	report(o, "kernel", "nvme", total, (uvf_now_ns() - start) / 1e9);
	if (total->errors)
		fprintf(stderr, "nvme-perf: %" PRIu64 " errors, first: %s\n",
			total->errors, strerror(-total->first_err));
	ret = total->errors || started < n;
out:
	for (i = 0; w && i < n; i++)
		free(w[i].buf);
	if (fd >= 0)
		close(fd);
	free(w);
	free(st);
	free(total);
	return ret;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: nvme-perf --device BDF [--backend type1|iommufd|noiommu|auto] [--irq]\n"
		"                 [--dpdk [--hugepages N]]\n"
		"       nvme-perf --kernel /dev/nvmeXnY\n"
		"         [--rw randread|randwrite|read|write] [--bs BYTES] [--qd N]\n"
		"         [--threads N] [--time SECONDS] [--ns NSID] [--size BYTES] [--json]\n"
		"         [--verify] [--doorbell batch|per-cmd|both|alternate]\n"
		"         [--shadow-doorbells on|off|both] [--sgl auto|on|off|both]\n"
		"         [--cmb on|off|auto] [--mem heap|map|both] [--max-xfer BYTES]\n"
		"         [--swap] [--slice-ms MS] [--plot DIR]\n");
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	if (errno || end == s)
		return -EINVAL;
	switch (*end) {
	case 'k': case 'K':
		*v <<= 10;
		end++;
		break;
	case 'm': case 'M':
		*v <<= 20;
		end++;
		break;
	case 'g': case 'G':
		*v <<= 30;
		end++;
		break;
	}
	return *end ? -EINVAL : 0;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, 'b' },
		{ "kernel", required_argument, NULL, 'k' },
		{ "rw", required_argument, NULL, 'r' },
		{ "bs", required_argument, NULL, 's' },
		{ "qd", required_argument, NULL, 'q' },
		{ "threads", required_argument, NULL, 't' },
		{ "time", required_argument, NULL, 'T' },
		{ "ns", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 'S' },
		{ "irq", no_argument, NULL, 'i' },
		{ "json", no_argument, NULL, 'j' },
		{ "dpdk", no_argument, NULL, 'D' },
		{ "hugepages", required_argument, NULL, 'H' },
		{ "verify", no_argument, NULL, 'V' },
		{ "doorbell", required_argument, NULL, 'B' },
		{ "shadow-doorbells", required_argument, NULL, 'W' },
		{ "plot", required_argument, NULL, 'P' },
		{ "sgl", required_argument, NULL, 'G' },
		{ "cmb", required_argument, NULL, 'C' },
		{ "mem", required_argument, NULL, 'M' },
		{ "max-xfer", required_argument, NULL, 'X' },
		{ "swap", no_argument, NULL, 'O' },
		{ "slice-ms", required_argument, NULL, 'L' },
		/* The tools/vm matrix's flavour flags, as --backend. */
		{ "type1", no_argument, NULL, 'F' },
		{ "iommufd", no_argument, NULL, 'F' },
		{ "noiommu", no_argument, NULL, 'F' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	uint64_t v;
	int c, idx;

	*o = (struct opts){ .rand = true, .bs = 4096, .qd = 1, .threads = 1,
			    .nsid = 1, .seconds = 10 };
	while ((c = getopt_long(argc, argv, "h", longopts, &idx)) != -1) {
		v = 0;
		switch (c) {
		case 'd':
			o->bdf = optarg;
			continue;
		case 'k':
			o->kernel = optarg;
			continue;
		case 'b':
			if (uvf_vfio_backend_parse(optarg, &o->backend))
				return -EINVAL;
			continue;
		case 'r':
			o->rand = !strncmp(optarg, "rand", 4);
			o->write = strstr(optarg, "write") != NULL;
			if (strcmp(optarg, rw_name(o)))
				return -EINVAL;
			continue;
		case 'T':
			o->seconds = strtod(optarg, NULL);
			if (o->seconds <= 0)
				return -EINVAL;
			continue;
		case 'i':
			o->irq = true;
			continue;
		case 'j':
			o->json = true;
			continue;
		case 'D':
			o->dpdk = true;
			continue;
		case 'V':
			o->verify = true;
			continue;
		case 'O':
			o->swap = true;
			continue;
		case 'P':
			o->plot_dir = optarg;
			continue;
		case 'B':
			o->doorbell_both = !strcmp(optarg, "both");
			o->alternate = !strcmp(optarg, "alternate");
			o->doorbell = !strcmp(optarg, "per-cmd")
					      ? UVF_NVME_DOORBELL_PER_CMD
					      : UVF_NVME_DOORBELL_BATCH;
			if (strcmp(optarg, "batch") && strcmp(optarg, "per-cmd") &&
			    !o->doorbell_both && !o->alternate)
				return -EINVAL;
			continue;
		case 'W':
			o->no_shadow = !strcmp(optarg, "off");
			o->shadow_both = !strcmp(optarg, "both");
			if (!o->no_shadow && !o->shadow_both &&
			    strcmp(optarg, "on"))
				return -EINVAL;
			continue;
		case 'G':
			o->sgl_both = !strcmp(optarg, "both");
			if (!strcmp(optarg, "on"))
				o->sgl = UVF_NVME_SGL_ALWAYS;
			else if (!strcmp(optarg, "off"))
				o->sgl = UVF_NVME_SGL_OFF;
			else if (strcmp(optarg, "auto") && !o->sgl_both)
				return -EINVAL;
			continue;
		case 'C':
			if (!strcmp(optarg, "on"))
				o->cmb = UVF_NVME_CMB_ON;
			else if (!strcmp(optarg, "off"))
				o->cmb = UVF_NVME_CMB_OFF;
			else if (strcmp(optarg, "auto"))
				return -EINVAL;
			continue;
		case 'M':
			o->mem_both = !strcmp(optarg, "both");
			if (!strcmp(optarg, "heap"))
				o->mem = MEM_HEAP;
			else if (!strcmp(optarg, "map"))
				o->mem = MEM_MAP;
			else if (!o->mem_both)
				return -EINVAL;
			continue;
		case 'F':	/* the flag is the backend's name */
			if (uvf_vfio_backend_parse(longopts[idx].name,
						   &o->backend))
				return -EINVAL;
			continue;
		case 'h':
			usage(stdout);
			exit(0);
		case 's': case 'q': case 't': case 'n': case 'S': case 'H':
		case 'X': case 'L':
			if (parse_u64(optarg, &v) || (c != 'S' && !v) ||
			    (c != 'S' && v > UINT32_MAX))
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
		if (c == 's')
			o->bs = (uint32_t)v;
		else if (c == 'q')
			o->qd = (uint32_t)v;
		else if (c == 't')
			o->threads = (uint32_t)v;
		else if (c == 'n')
			o->nsid = (uint32_t)v;
		else if (c == 'H')
			o->hugepages = (uint32_t)v;
		else if (c == 'X')
			o->max_xfer = (uint32_t)v;
		else if (c == 'L')
			o->slice_ms = (uint32_t)v;
		else
			o->size = v;
	}
	if (optind != argc || !o->bdf == !o->kernel || o->bs % 512 ||
	    o->qd > 4096 || o->threads > 1024 || (o->dpdk && o->kernel) ||
	    (o->hugepages && !o->dpdk) || (o->verify && o->bs % 8) ||
	    (o->kernel && (o->doorbell || o->doorbell_both || o->alternate ||
			   o->no_shadow ||
			   o->shadow_both || o->sgl || o->sgl_both ||
			   o->cmb || o->mem || o->mem_both || o->max_xfer ||
			   o->swap)) ||
	    (o->slice_ms && !o->alternate) ||
	    (o->dpdk && (o->mem || o->mem_both)))
		return -EINVAL;
	if (!o->slice_ms)
		o->slice_ms = 100;
	return 0;
}

#ifdef UVF_HAVE_DPDK
/* EAL for its memory only: no device probed; IOVA as PA for noiommu,
 * where the device addresses are physical. */
static int eal_up(const struct opts *o)
{
	char *argv[] = { "nvme-perf", "-l", "0", "--no-pci",
			 "--no-telemetry", "--log-level", "lib.eal:notice",
			 o->backend == UVF_VFIO_NOIOMMU ? "--iova-mode=pa" : NULL,
			 NULL };
	int argc = o->backend == UVF_VFIO_NOIOMMU ? 8 : 7;

	if (o->hugepages) {
		int ret = uvf_dpdk_hugepages_reserve(o->hugepages);

		if (ret) {
			fprintf(stderr, "nvme-perf: cannot have %u free huge pages: %s\n",
				o->hugepages, strerror(-ret));
			return ret;
		}
	}
	if (rte_eal_init(argc, argv) < 0) {
		fprintf(stderr, "nvme-perf: rte_eal_init: %s\n",
			rte_strerror(rte_errno));
		return -rte_errno;
	}
	return 0;
}
#endif

/* One doorbell mode: the workload, and a verified sequential write read
 * back, verified. */
static int run_mode(const struct opts *o, double *iops)
{
	struct opts back;
	double back_iops;
	int ret;

	ret = run_uvf(o, iops);
	if (!ret && o->verify && o->write && !o->rand) {
		back = *o;
		back.write = false;
		ret = run_uvf(&back, &back_iops);
	}
	return ret;
}

/* Which mode of a "both" pair (0: the first named) runs @i-th. */
static unsigned int nth(const struct opts *o, unsigned int i)
{
	return o->swap ? 1 - i : i;
}

/* Per command, then batched: one line says what batching gained. */
static int run_doorbells(const struct opts *o)
{
	static const enum uvf_nvme_doorbell db[2] = {
		UVF_NVME_DOORBELL_PER_CMD, UVF_NVME_DOORBELL_BATCH,
	};
	struct opts mode = *o;
	double iops[2] = { 0 };
	unsigned int i;
	int ret = 0;

	if (!o->doorbell_both)
		return run_mode(o, &iops[1]);
	for (i = 0; i < 2 && !ret; i++) {
		mode.doorbell = db[nth(o, i)];
		ret = run_mode(&mode, &iops[nth(o, i)]);
	}
	if (!ret && !o->json && iops[0] > 0)
		printf("nvme-perf: batched doorbells / per-command: %.2fx IOPS\n",
		       iops[1] / iops[0]);
	return ret;
}

/* --shadow-doorbells both: without them, then with them. */
static int run_shadow(const struct opts *o)
{
	struct opts mode = *o;
	unsigned int i;
	int ret = 0;

	if (!o->shadow_both)
		return run_doorbells(o);
	for (i = 0; i < 2 && !ret; i++) {
		mode.no_shadow = !nth(o, i);
		ret = run_doorbells(&mode);
	}
	return ret;
}

/* Per-command maps, then heap buffers: one line says what the heap
 * gained. Every doorbell and shadow mode asked for runs on each. */
static int run_mems(const struct opts *o)
{
	struct opts mode = *o;
	double iops[2] = { 0 };
	unsigned int i;
	int ret = 0;

	if (!o->mem_both)
		return run_shadow(o);
	for (i = 0; i < 2 && !ret; i++) {
		mode.mem = nth(o, i) ? MEM_HEAP : MEM_MAP;
		if (o->doorbell_both || o->shadow_both)
			ret = run_shadow(&mode);
		else
			ret = run_mode(&mode, &iops[nth(o, i)]);
	}
	if (!ret && !o->json && iops[0] > 0)
		printf("nvme-perf: heap buffers / per-I/O maps: %.2fx IOPS\n",
		       iops[1] / iops[0]);
	return ret;
}

/* --sgl both: PRPs, then SGLs, for every other mode asked for. */
static int run_modes(const struct opts *o)
{
	struct opts mode = *o;
	unsigned int i;
	int ret = 0;

	if (o->kernel)
		return run_kernel(o);
	if (!o->sgl_both)
		return run_mems(o);
	for (i = 0; i < 2 && !ret; i++) {
		mode.sgl = nth(o, i) ? UVF_NVME_SGL_ALWAYS : UVF_NVME_SGL_OFF;
		ret = run_mems(&mode);
	}
	return ret;
}

static int run(const struct opts *o)
{
	int ret = run_modes(o);

	return !ret && o->plot_dir ? plot_workloads(o) : ret;
}

int main(int argc, char **argv)
{
	struct opts o;

	int ret;

	if (parse(argc, argv, &o)) {
		usage(stderr);
		return 2;
	}
	/* Before any I/O, so a bad DIR costs nothing and writes nothing. */
	ret = o.plot_dir ? plot_dir_prepare(o.plot_dir) : 0;
	if (ret) {
		fprintf(stderr, "nvme-perf: --plot %s: %s.\n", o.plot_dir,
			ret == -ENOTDIR ? "not a directory" : strerror(-ret));
		return 2;
	}
	if (!o.dpdk)
		return run(&o);
#ifdef UVF_HAVE_DPDK
	if (eal_up(&o))
		return 1;
	ret = run(&o);
	rte_eal_cleanup();
	return ret;
#else
	(void)ret;
	fprintf(stderr, "nvme-perf: --dpdk: built without DPDK\n");
	return 2;
#endif
}
