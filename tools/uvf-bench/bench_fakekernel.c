/* SPDX-License-Identifier: MIT */
/*
 * The VFIO map path on the unit tests' fake kernel (tests/unit/vfio), where
 * the kernel's side costs next to nothing, so what is left is uvf's own
 * work:
 * - uvf_dma_map_page + uvf_dma_unmap_page of 4 KiB against the bare
 *   MAP_DMA/UNMAP_DMA (or IOAS_MAP/UNMAP) ioctl pair on the same fake; the
 *   difference of the two p50s is uvf's own cost per pair;
 * - the same pair with a MAP that sleeps 2 us before the kernel takes its
 *   lock, as pinning pages does, on one thread and on N threads mapping into
 *   one domain. Each sample is the wall time of one round in which every
 *   thread makes ROUND_PAIRS pairs, divided by all the pairs of the round,
 *   so the ratio of the N-thread case to the one-thread case is the
 *   throughput gain: N when mappers never wait for each other, 1 when the
 *   domain lock is held across the ioctl. (Per-pair latencies would not
 *   tell: an unfair lock lets one thread run ahead while the other
 *   starves.)
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <check.h>

#include <uvf/uvf.h>
#include <uvf/vfio.h>

#include "bench.h"
#include "fake_vfio.h"
#include "vfio/config.h"

#if UVF_HAVE_IOMMUFD
#include <linux/iommufd.h>
#endif

#define EDU "0000:00:07.0"
#define PG 4096ul
#define RAW_IOVA 0x4000000000ull	/* above anything uvf hands out first */
#define SLEEP_NS 2000
#define ROUND_PAIRS 100
#define BATCH 16

struct fake_env {
	struct fake_vfio fk;
	enum uvf_vfio_backend backend;
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	uint32_t ioas;
	char *buf;		/* one page per thread */
	uint64_t iters;
};

static void env_down(struct fake_env *e)
{
	if (e->dom) {
		uvf_domain_detach(e->dom, e->dev);
		uvf_domain_destroy(e->dom);
	}
	uvf_device_close(e->dev);
	uvf_iommu_destroy(e->iommu);
	fk_fini(&e->fk);
	if (e->buf)
		munmap(e->buf, 64 * PG);
}

static int env_up(struct fake_env *e, enum uvf_vfio_backend backend)
{
	struct uvf_vfio_opts o;

	e->backend = backend;
	fk_init(&e->fk);
	fk_add_dev(&e->fk, EDU, 4);
	fk_publish(&e->fk);
	if (backend == UVF_VFIO_IOMMUFD) {
		char path[PATH_MAX];
		FILE *f;

		fake_fmt(path, sizeof(path), "%s/iommu", e->fk.fs.dev);
		f = fopen(path, "w");
		if (!f)
			return -1;
		fclose(f);
	}
	e->buf = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (e->buf == MAP_FAILED) {
		e->buf = NULL;
		return -1;
	}
	o = fk_opts(&e->fk, backend);
	if (vfio_open_sys(&o, &e->fk.sys, &e->iommu) ||
	    uvf_vfio_device_open(e->iommu, EDU, &e->dev) ||
	    uvf_domain_create(e->iommu, UVF_DOMAIN_TRANSLATED, &e->dom))
		return -1;
	if (uvf_domain_attach(e->dom, e->dev))
		return -1;
	if (backend == UVF_VFIO_IOMMUFD &&
	    uvf_vfio_domain_ioas(e->dom, &e->ioas))
		return -1;
	return 0;
}

/* The bare ioctl pair on the fake, at a fixed IOVA per thread. */
static int raw_pair(struct fake_env *e, unsigned int tid)
{
	struct vfio_sys *sys = &e->fk.sys;
	int fd = uvf_vfio_context_fd(e->iommu), ret;
	uvf_iova_t iova = RAW_IOVA + (uvf_iova_t)tid * PG;
	void *va = e->buf + (size_t)(tid % 64) * PG;

	if (e->backend == UVF_VFIO_TYPE1) {
		struct vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m), .vaddr = (uintptr_t)va,
			.iova = iova, .size = PG,
			.flags = VFIO_DMA_MAP_FLAG_READ,
		};
		struct vfio_iommu_type1_dma_unmap u = {
			.argsz = sizeof(u), .iova = iova, .size = PG,
		};

		ret = sys->ioctl(sys->arg, fd, VFIO_IOMMU_MAP_DMA, &m);
		return ret ? ret
			   : sys->ioctl(sys->arg, fd, VFIO_IOMMU_UNMAP_DMA, &u);
	}
#if UVF_HAVE_IOMMUFD
	{
		struct iommu_ioas_map m = {
			.size = sizeof(m), .ioas_id = e->ioas,
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA |
				 IOMMU_IOAS_MAP_READABLE,
			.user_va = (uintptr_t)va, .length = PG, .iova = iova,
		};
		struct iommu_ioas_unmap u = {
			.size = sizeof(u), .ioas_id = e->ioas, .iova = iova,
			.length = PG,
		};

		ret = sys->ioctl(sys->arg, fd, IOMMU_IOAS_MAP, &m);
		return ret ? ret : sys->ioctl(sys->arg, fd, IOMMU_IOAS_UNMAP, &u);
	}
#else
	return -1;
#endif
}

static int uvf_pair(struct fake_env *e, unsigned int tid)
{
	void *va = e->buf + (size_t)(tid % 64) * PG;
	uvf_iova_t iova;
	int ret;

	ret = uvf_dma_map_page(e->dev, va, PG, UVF_DMA_TO_DEVICE, &iova);
	return ret ? ret
		   : uvf_dma_unmap_page(e->dev, iova, PG, UVF_DMA_TO_DEVICE);
}

/* Samples of BATCH pairs: finer than the timer's resolution (10 ns on some
 * virtual machines) and without its overhead on every pair. */
static void timed_batches(struct fake_env *e, unsigned int tid,
			  struct bench_samples *s,
			  int (*pair)(struct fake_env *, unsigned int))
{
	uint64_t i;
	unsigned int k;

	for (i = 0; i < e->iters; i++) {
		uint64_t t0 = bench_now();

		for (k = 0; k < BATCH; k++)
			if (pair(e, tid))
				return;
		bench_samples_add(s, bench_now() - t0);
	}
}

static void raw_thread(void *arg, unsigned int tid, struct bench_samples *s)
{
	timed_batches(arg, tid, s, raw_pair);
}

static void uvf_thread(void *arg, unsigned int tid, struct bench_samples *s)
{
	timed_batches(arg, tid, s, uvf_pair);
}

/* Untimed pairs, for the rounds timed whole. */
static void round_thread(void *arg, unsigned int tid, struct bench_samples *s)
{
	struct fake_env *e = arg;
	unsigned int k;

	(void)s;
	for (k = 0; k < ROUND_PAIRS; k++)
		if (uvf_pair(e, tid))
			return;
}

static const char *backend_name(enum uvf_vfio_backend b)
{
	return b == UVF_VFIO_TYPE1 ? "type1" : "iommufd";
}

static void run(struct bench_ctx *ctx, struct fake_env *e, const char *name,
		bench_thread_fn fn, const char *baseline)
{
	struct bench_samples s;

	if (!bench_run_threads(1, e->iters, fn, e, &s)) {
		bench_report(ctx, name, &s, BATCH, baseline);
		bench_samples_fini(&s);
	}
}

/* Rounds of ROUND_PAIRS pairs per thread, timed whole. */
static void run_rounds(struct bench_ctx *ctx, struct fake_env *e,
		       const char *name, unsigned int threads,
		       unsigned int rounds, const char *baseline)
{
	struct bench_samples s, discard;
	unsigned int r;

	if (bench_samples_init(&s, rounds))
		return;
	for (r = 0; r < rounds; r++) {
		uint64_t t0 = bench_now();

		if (bench_run_threads(threads, 0, round_thread, e, &discard))
			break;
		bench_samples_add(&s, bench_now() - t0);
		bench_samples_fini(&discard);
	}
	bench_report(ctx, name, &s, threads * ROUND_PAIRS, baseline);
	bench_samples_fini(&s);
}

static void backend_cases(struct bench_ctx *ctx, enum uvf_vfio_backend b)
{
	const struct bench_opts *o = bench_opts(ctx);
	unsigned int n = o->threads > 1 ? o->threads : 2;
	char raw[96], own[96], one[96], many[96];
	struct fake_env e = { 0 };
	double p_raw, p_uvf;

	snprintf(raw, sizeof(raw), "vfio-fake/%s/raw-ioctl-pair", backend_name(b));
	snprintf(own, sizeof(own), "vfio-fake/%s/dma-map-unmap-4k", backend_name(b));
	snprintf(one, sizeof(one), "vfio-fake/%s/sleep2us/1thr-rate",
		 backend_name(b));
	snprintf(many, sizeof(many), "vfio-fake/%s/sleep2us/%uthr-rate",
		 backend_name(b), n);
	if (!bench_selected(ctx, raw) && !bench_selected(ctx, own) &&
	    !bench_selected(ctx, one) && !bench_selected(ctx, many))
		return;
	if (env_up(&e, b)) {
		fprintf(stderr, "uvf-bench: cannot set up the fake kernel (%s)\n",
			backend_name(b));
		env_down(&e);
		return;
	}
	/* The own-cost case needs its baseline, the N-thread one its
	 * one-thread case. */
	e.iters = (o->quick ? 20000 : o->iterations) / BATCH + 1;
	if (bench_selected(ctx, raw) || bench_selected(ctx, own)) {
		run(ctx, &e, raw, raw_thread, NULL);
		run(ctx, &e, own, uvf_thread, raw);
		p_raw = bench_result_p50(ctx, raw);
		p_uvf = bench_result_p50(ctx, own);
		if (p_raw >= 0 && p_uvf >= 0)
			fprintf(stderr, "uvf-bench: %s: uvf's own cost per "
				"map+unmap pair %.1f ns p50 (%.1f - %.1f)\n",
				own, p_uvf - p_raw, p_uvf, p_raw);
	}
	if (bench_selected(ctx, one) || bench_selected(ctx, many)) {
		unsigned int rounds = o->quick ? 5 : 40;

		e.fk.map_sleep_ns = SLEEP_NS;
		run_rounds(ctx, &e, one, 1, rounds, NULL);
		run_rounds(ctx, &e, many, n, rounds, one);
	}
	env_down(&e);
}

static struct bench_ctx *run_ctx;

/* The fake reports misuse through Check's assertions, which need a running
 * Check test: the cases run as one, in this process. */
static void fakekernel_cases(int iteration)
{
	(void)iteration;
	backend_cases(run_ctx, UVF_VFIO_TYPE1);
#if UVF_HAVE_IOMMUFD
	backend_cases(run_ctx, UVF_VFIO_IOMMUFD);
#endif
}

void bench_fakekernel(struct bench_ctx *ctx)
{
	const TTest cases = { "fakekernel", fakekernel_cases, __FILE__,
			      __LINE__ };
	Suite *s = suite_create("uvf-bench");
	TCase *tc = tcase_create("fakekernel");
	SRunner *sr;

	run_ctx = ctx;
	_tcase_add_test(tc, &cases, 0, 0, 0, 1);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_SILENT);
	if (srunner_ntests_failed(sr))
		fprintf(stderr, "uvf-bench: the fake kernel failed: %s\n",
			tr_msg(srunner_failures(sr)[0]));
	srunner_free(sr);
}
