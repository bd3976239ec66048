/* SPDX-License-Identifier: MIT */
/*
 * Mapping through the kernel's VFIO (needs --device BDF --backend
 * type1|iommufd, a device bound to vfio-pci, and root): for 4 KiB, 2 MiB
 * and 1 GiB granules, uvf_dma_map_page + uvf_dma_unmap_page against the
 * bare MAP/UNMAP ioctl pair on the same fd and IOMMU, reported as the ratio
 * raw/uvf (1.0 = no overhead; 0.95 = uvf adds 5%), one thread and N. A
 * no-op ioctl on the same fd gives the floor of any kernel call.
 *
 * 2 MiB buffers come from hugetlbfs when it has pages, else THP-aligned
 * memory. 1 GiB: a 1 GiB hugetlbfs page if there is one, else a 1 GiB
 * window made of one 64 MiB memfd mapped 16 times (the kernel pins and maps
 * 262144 pages either way; only the memory behind them is shared).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

#include <uvf/uvf.h>
#include <uvf/vfio.h>

#include "bench.h"

/* The iommufd uAPI (stable ABI, Linux 6.2+) for builds on older headers. */
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif
#ifndef IOMMU_IOAS_MAP
#define IOMMUFD_TYPE (';')
struct iommu_ioas_iova_ranges {
	__u32 size;
	__u32 ioas_id;
	__u32 num_iovas;
	__u32 __reserved;
	__aligned_u64 allowed_iovas;
	__aligned_u64 out_iova_alignment;
};
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
struct iommu_ioas_unmap {
	__u32 size;
	__u32 ioas_id;
	__aligned_u64 iova;
	__aligned_u64 length;
};
#define IOMMU_IOAS_IOVA_RANGES _IO(IOMMUFD_TYPE, 0x84)
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, 0x85)
#define IOMMU_IOAS_UNMAP _IO(IOMMUFD_TYPE, 0x86)
#define IOMMU_IOAS_MAP_FIXED_IOVA (1 << 0)
#define IOMMU_IOAS_MAP_WRITEABLE (1 << 1)
#define IOMMU_IOAS_MAP_READABLE (1 << 2)
#endif

#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << 26)
#endif

#define ALIAS_SIZE (64ull << 20)

struct vfio_env {
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	bool iommufd;
	int fd;
	uint32_t ioas;
	const char *be;
	/* The buffer: one granule per thread. */
	char *buf;
	size_t buf_len;
	uint64_t gran;
	/* IOVAs held in uvf's allocator for the raw ioctls, one granule
	 * per thread. */
	uvf_iova_t raw;
	uint64_t raw_len;
	uint64_t iters;
	int err;
};

static int raw_map(struct vfio_env *e, uvf_iova_t iova, void *va,
		   uint64_t len)
{
	int ret;

	if (e->iommufd) {
		struct iommu_ioas_map m = {
			.size = sizeof(m),
			.flags = IOMMU_IOAS_MAP_FIXED_IOVA |
				 IOMMU_IOAS_MAP_READABLE,
			.ioas_id = e->ioas,
			.user_va = (uintptr_t)va,
			.length = len,
			.iova = iova,
		};

		ret = ioctl(e->fd, IOMMU_IOAS_MAP, &m);
	} else {
		struct vfio_iommu_type1_dma_map m = {
			.argsz = sizeof(m),
			.flags = VFIO_DMA_MAP_FLAG_READ,
			.vaddr = (uintptr_t)va,
			.iova = iova,
			.size = len,
		};

		ret = ioctl(e->fd, VFIO_IOMMU_MAP_DMA, &m);
	}
	return ret ? -errno : 0;
}

static int raw_unmap(struct vfio_env *e, uvf_iova_t iova, uint64_t len)
{
	int ret;

	if (e->iommufd) {
		struct iommu_ioas_unmap u = {
			.size = sizeof(u), .ioas_id = e->ioas, .iova = iova,
			.length = len,
		};

		ret = ioctl(e->fd, IOMMU_IOAS_UNMAP, &u);
	} else {
		struct vfio_iommu_type1_dma_unmap u = {
			.argsz = sizeof(u), .iova = iova, .size = len,
		};

		ret = ioctl(e->fd, VFIO_IOMMU_UNMAP_DMA, &u);
	}
	return ret ? -errno : 0;
}

static int noop_ioctl(struct vfio_env *e)
{
	if (e->iommufd) {
		struct iommu_ioas_iova_ranges q = {
			.size = sizeof(q), .ioas_id = e->ioas,
		};

		/* No room for the ranges: -EMSGSIZE after the lookup. */
		return ioctl(e->fd, IOMMU_IOAS_IOVA_RANGES, &q);
	}
	return ioctl(e->fd, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU);
}

/* 1 GiB backed by one huge page, else by a memfd mapped again and again. */
static char *alloc_1g(size_t n, const char **how)
{
	size_t len = n << 30, off;
	char *p;
	int fd;

	p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_HUGE_1GB, -1,
		 0);
	if (p != MAP_FAILED) {
		*how = "1 GiB hugetlbfs pages";
		return p;
	}
	fd = memfd_create("uvf-bench-1g", 0);
	if (fd < 0 || ftruncate(fd, (off_t)ALIAS_SIZE)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	p = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (off = 0; p != MAP_FAILED && off < len; off += ALIAS_SIZE) {
		if (mmap(p + off, ALIAS_SIZE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, fd, 0) == MAP_FAILED) {
			munmap(p, len);
			p = MAP_FAILED;
		}
	}
	close(fd);
	*how = "a 64 MiB memfd mapped 16 times per GiB (no 1 GiB pages)";
	return p == MAP_FAILED ? NULL : p;
}

static char *alloc_2m(size_t n, const char **how)
{
	size_t len = n * UVF_SZ_2M;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0), *a;

	if (p != MAP_FAILED) {
		*how = "2 MiB hugetlbfs pages";
		return p;
	}
	p = mmap(NULL, len + UVF_SZ_2M, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	a = (char *)(((uintptr_t)p + UVF_SZ_2M - 1) &
		     ~(uintptr_t)(UVF_SZ_2M - 1));
	if (a > p)
		munmap(p, (size_t)(a - p));
	munmap(a + len, (size_t)(p + len + UVF_SZ_2M - (a + len)));
	madvise(a, len, MADV_HUGEPAGE);
	*how = "2 MiB-aligned anonymous memory (THP; no hugetlbfs pages)";
	return a;
}

static void env_down(struct vfio_env *e)
{
	if (e->raw)
		uvf_iova_free(uvf_domain_iova_allocator(e->dom), e->raw,
			      e->raw_len);
	if (e->dom) {
		uvf_domain_detach(e->dom, e->dev);
		uvf_domain_destroy(e->dom);
	}
	uvf_device_close(e->dev);
	uvf_iommu_destroy(e->iommu);
	memset(e, 0, sizeof(*e));
}

static int env_up(struct bench_ctx *ctx, struct vfio_env *e)
{
	const struct bench_opts *o = bench_opts(ctx);
	struct uvf_vfio_opts vo = { .backend = UVF_VFIO_TYPE1 };
	int ret;

	memset(e, 0, sizeof(*e));
	e->iommufd = !strcmp(o->backend, "iommufd");
	e->be = o->backend;
	if (e->iommufd)
		vo.backend = UVF_VFIO_IOMMUFD;
	ret = uvf_vfio_open(&vo, &e->iommu);
	if (!ret)
		ret = uvf_vfio_device_open(e->iommu, o->device, &e->dev);
	if (!ret)
		ret = uvf_domain_create(e->iommu, UVF_DOMAIN_TRANSLATED,
					&e->dom);
	if (!ret)
		ret = uvf_domain_attach(e->dom, e->dev);
	if (!ret && e->iommufd)
		ret = uvf_vfio_domain_ioas(e->dom, &e->ioas);
	if (!ret) {
		e->fd = uvf_vfio_context_fd(e->iommu);
		return 0;
	}
	fprintf(stderr, "uvf-bench: vfio: cannot open %s on %s: %s\n",
		o->device, o->backend, strerror(-ret));
	env_down(e);
	return ret;
}

static void uvf_thread(void *arg, unsigned int tid, struct bench_samples *s)
{
	struct vfio_env *e = arg;
	char *va = e->buf + tid * e->gran;
	uvf_iova_t iova;
	uint64_t i;
	int ret;

	for (i = 0; i < e->iters; i++) {
		uint64_t t0 = bench_now();

		ret = uvf_dma_map_page(e->dev, va, e->gran, UVF_DMA_TO_DEVICE,
				       &iova);
		if (!ret)
			ret = uvf_dma_unmap_page(e->dev, iova, e->gran,
						 UVF_DMA_TO_DEVICE);
		if (ret) {
			e->err = ret;
			return;
		}
		bench_samples_add(s, bench_now() - t0);
	}
}

static void raw_thread(void *arg, unsigned int tid, struct bench_samples *s)
{
	struct vfio_env *e = arg;
	char *va = e->buf + tid * e->gran;
	uvf_iova_t iova = e->raw + tid * e->gran;
	uint64_t i;
	int ret;

	for (i = 0; i < e->iters; i++) {
		uint64_t t0 = bench_now();

		ret = raw_map(e, iova, va, e->gran);
		if (!ret)
			ret = raw_unmap(e, iova, e->gran);
		if (ret) {
			e->err = ret;
			return;
		}
		bench_samples_add(s, bench_now() - t0);
	}
}

static void noop_thread(void *arg, unsigned int tid, struct bench_samples *s)
{
	struct vfio_env *e = arg;
	uint64_t i;

	(void)tid;
	for (i = 0; i < e->iters; i++) {
		uint64_t t0 = bench_now();

		noop_ioctl(e);
		bench_samples_add(s, bench_now() - t0);
	}
}

static void run(struct bench_ctx *ctx, struct vfio_env *e,
		const char *name, bench_thread_fn fn, unsigned int threads,
		const char *baseline)
{
	struct bench_samples s;

	if (!bench_selected(ctx, name))
		return;
	e->err = 0;
	if (bench_run_threads(threads, e->iters, fn, e, &s))
		return;
	if (e->err)
		fprintf(stderr, "uvf-bench: %s stopped: %s\n", name,
			strerror(-e->err));
	else
		bench_report(ctx, name, &s, 1, baseline);
	bench_samples_fini(&s);
}

static void granule(struct bench_ctx *ctx, struct vfio_env *e,
		    const char *label, uint64_t gran, uint64_t iters)
{
	const struct bench_opts *o = bench_opts(ctx);
	unsigned int nthr = gran >= UVF_SZ_1G ? 1 : o->threads, i;
	const unsigned int counts[2] = { 1, nthr };
	char raw[96], uvf[96];
	const char *how = "4 KiB pages";
	int ret;

	e->gran = gran;
	e->iters = iters;
	e->buf_len = gran * nthr;
	if (gran >= UVF_SZ_1G)
		e->buf = alloc_1g(nthr, &how);
	else if (gran >= UVF_SZ_2M)
		e->buf = alloc_2m(nthr, &how);
	else
		e->buf = aligned_alloc(UVF_PAGE_SIZE, e->buf_len);
	if (!e->buf) {
		fprintf(stderr, "uvf-bench: vfio %s skipped: no memory for "
			"%u x %s\n", label, nthr, label);
		return;
	}
	fprintf(stderr, "uvf-bench: vfio %s granule: %s\n", label, how);
	if (gran < UVF_SZ_2M)
		memset(e->buf, 1, e->buf_len);
	ret = uvf_iova_alloc(uvf_domain_iova_allocator(e->dom),
			     gran * nthr, &e->raw);
	if (ret) {
		fprintf(stderr, "uvf-bench: vfio %s skipped: %s\n", label,
			strerror(-ret));
	} else {
		e->raw_len = gran * nthr;
		/* One thread, then --threads of them. */
		for (i = 0; i < (nthr > 1 ? 2u : 1u); i++) {
			snprintf(raw, sizeof(raw),
				 "vfio/%s/raw-map-unmap/%s/%uthr", e->be,
				 label, counts[i]);
			snprintf(uvf, sizeof(uvf),
				 "vfio/%s/uvf-map-unmap/%s/%uthr", e->be,
				 label, counts[i]);
			run(ctx, e, raw, raw_thread, counts[i], NULL);
			run(ctx, e, uvf, uvf_thread, counts[i],
			    bench_selected(ctx, raw) ? raw : NULL);
		}
		uvf_iova_free(uvf_domain_iova_allocator(e->dom), e->raw,
			      e->raw_len);
		e->raw = 0;
	}
	if (gran >= UVF_SZ_2M)
		munmap(e->buf, e->buf_len);
	else
		free(e->buf);
	e->buf = NULL;
}

void bench_vfio(struct bench_ctx *ctx)
{
	const struct bench_opts *o = bench_opts(ctx);
	uint64_t n = o->iterations;
	struct vfio_env e;
	char name[96];

	if (!o->device || !o->backend ||
	    (strcmp(o->backend, "type1") && strcmp(o->backend, "iommufd"))) {
		fprintf(stderr, "uvf-bench: vfio cases skipped: they need "
			"--device BDF --backend type1|iommufd\n");
		return;
	}
	if (env_up(ctx, &e))
		return;
	snprintf(name, sizeof(name), "vfio/%s/noop-ioctl", e.be);
	e.iters = o->quick ? 2000 : (n < 200000 ? n : 200000);
	run(ctx, &e, name, noop_thread, 1, NULL);
	/* Kernel map/unmap costs microseconds (4 KiB) to a second (1 GiB
	 * under emulation): fewer operations for larger granules. */
	granule(ctx, &e, "4k", UVF_PAGE_SIZE,
		o->quick ? 500 : (n < 20000 ? n : 20000));
	granule(ctx, &e, "2m", UVF_SZ_2M, o->quick ? 50 : (n < 2000 ? n : 2000));
	granule(ctx, &e, "1g", UVF_SZ_1G, o->quick ? 2 : (n < 20 ? n : 20));
	env_down(&e);
}
