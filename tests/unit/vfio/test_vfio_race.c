/* SPDX-License-Identifier: MIT */
/*
 * Mappers of one domain race through the fake kernel, on type1 and (when
 * compiled in) iommufd: the domain lock is not held across the MAP ioctl,
 * yet overlapping maps still get -EEXIST, unmaps of what is not (or not
 * yet, or no longer) a mapping get -ENOENT, a failed ioctl leaves nothing
 * behind, and the kernel never sees an overlapping map.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/iommu.h>
#include <uvf/iova.h>

#include "check_main.h"
#include "fake_vfio.h"
#include "vfio/config.h"

#if UVF_HAVE_IOMMUFD
#include <linux/iommufd.h>
#endif

#define EDU "0000:00:07.0"
#define PG 4096ul
#define BASE 0x10000000ull	/* the contested window */
#define SLOTS 16		/* pages in it */
#define THREADS 4
#define OPS 1500

static struct fake_vfio fk;
static struct uvf_iommu *iommu;
static struct uvf_device *dev;
static struct uvf_domain *dom;
static char *mem;

static enum uvf_vfio_backend backends[2];

static void setup(void)
{
	fk_init(&fk);
	fk_add_dev(&fk, EDU, 4);
	mem = mmap(NULL, SLOTS * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
}

static void teardown(void)
{
	munmap(mem, SLOTS * PG);
	fk_fini(&fk);
}

static void open_all(enum uvf_vfio_backend b)
{
	struct uvf_vfio_opts o = fk_opts(&fk, b);

	fk_publish(&fk);
	if (b == UVF_VFIO_IOMMUFD) {
		char path[PATH_MAX];
		FILE *f;

		fake_fmt(path, sizeof(path), "%s/iommu", fk.fs.dev);
		f = fopen(path, "w");
		ck_assert_ptr_nonnull(f);
		fclose(f);
	}
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_vfio_backend(iommu), b);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
}

static void close_all(void)
{
	uvf_domain_detach(dom, dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}

/* Mappings the fake kernel holds, whichever backend. */
static unsigned int kernel_entries(void)
{
	unsigned int i, n = fk.nr_entries;

	for (i = 0; i < FK_MAX_IOAS; i++)
		n += fk.ioas_nr[i];
	return n;
}

struct mapper {
	pthread_t thread;
	uvf_iova_t iova;
	int ret;
	bool dma;	/* uvf_dma_map_page (allocated IOVA), else fixed */
};

static void *map_one(void *arg)
{
	struct mapper *m = arg;

	if (m->dma)
		m->ret = uvf_dma_map_page(dev, mem, PG, UVF_DMA_TO_DEVICE,
					  &m->iova);
	else
		m->ret = uvf_domain_map(dom, m->iova, mem, PG, UVF_PROT_RW);
	return NULL;
}

/* The fake holds every MAP until two are inside it: with the domain lock
 * held across the ioctl the second could never arrive, and the first
 * would give up after 2 s with only itself in flight. */
START_TEST(test_a_map_does_not_wait_for_another_in_the_kernel)
{
	struct mapper m[2] = {
		{ .iova = BASE, .dma = false },
		{ .dma = true },
	};
	int i;

	open_all(backends[_i]);
	fk.map_rendezvous = 2;
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&m[i].thread, NULL, map_one,
						&m[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(m[i].thread, NULL);
	fk.map_rendezvous = 0;
	ck_assert_int_eq(m[0].ret, 0);
	ck_assert_int_eq(m[1].ret, 0);
	ck_assert_uint_eq(fk.max_maps_in_flight, 2);
	ck_assert_int_eq(uvf_domain_unmap(dom, BASE, PG), 0);
	ck_assert_int_eq(uvf_dma_unmap_page(dev, m[1].iova, PG,
					    UVF_DMA_TO_DEVICE), 0);
	ck_assert_uint_eq(kernel_entries(), 0);
	close_all();
}
END_TEST

struct racer {
	pthread_t thread;
	unsigned int seed;
	unsigned long maps, unmaps;	/* of the contested window */
	int bad;			/* an unexpected return, or 0 */
};

static void *race(void *arg)
{
	struct racer *r = arg;
	unsigned int i;

	for (i = 0; i < OPS && !r->bad; i++) {
		unsigned int first = (unsigned int)rand_r(&r->seed) % SLOTS;
		unsigned int n = 1 + (unsigned int)rand_r(&r->seed) % 4;
		uvf_iova_t iova = BASE + first * PG, own;
		int ret;

		if (first + n > SLOTS)
			n = SLOTS - first;
		switch (rand_r(&r->seed) % 3) {
		case 0:
			ret = uvf_domain_map(dom, iova, mem, n * PG,
					     UVF_PROT_RW);
			if (!ret)
				r->maps++;
			else if (ret != -EEXIST)
				r->bad = ret;
			break;
		case 1:
			ret = uvf_domain_unmap(dom, iova, n * PG);
			if (!ret)
				r->unmaps++;
			else if (ret != -ENOENT)
				r->bad = ret;
			break;
		default:
			/* An allocated IOVA is this thread's alone. */
			ret = uvf_dma_map_page(dev, mem, n * PG,
					       UVF_DMA_FROM_DEVICE, &own);
			if (!ret)
				ret = uvf_dma_unmap_page(dev, own, n * PG,
							 UVF_DMA_FROM_DEVICE);
			if (ret)
				r->bad = ret;
			break;
		}
	}
	return NULL;
}

START_TEST(test_racing_maps_and_unmaps_on_overlapping_ranges_leave_nothing_behind)
{
	struct racer r[THREADS] = { 0 };
	struct uvf_domain_stats st;
	unsigned long maps = 0, unmaps = 0;
	unsigned int i, first, n;

	open_all(backends[_i]);
	/* Pinning takes time: widen the window the lock used to cover. */
	fk.map_sleep_ns = 2000;
	for (i = 0; i < THREADS; i++) {
		r[i].seed = 1000 + i;
		ck_assert_int_eq(pthread_create(&r[i].thread, NULL, race,
						&r[i]), 0);
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(r[i].thread, NULL);
		ck_assert_msg(!r[i].bad, "thread %u got %d", i, r[i].bad);
		maps += r[i].maps;
		unmaps += r[i].unmaps;
	}
	ck_assert_uint_gt(maps, 0);
	ck_assert_uint_gt(unmaps, 0);
	/* What is left is exactly the maps nobody unmapped. */
	for (first = 0; first < SLOTS; first++)
		for (n = 1; n <= 4 && first + n <= SLOTS; n++)
			if (!uvf_domain_unmap(dom, BASE + first * PG, n * PG))
				unmaps++;
	ck_assert_uint_eq(maps, unmaps);
	ck_assert_uint_eq(fk.overlap_refusals, 0);
	ck_assert_uint_eq(kernel_entries(), 0);
	uvf_domain_get_stats(dom, &st);
	ck_assert_uint_eq(st.maps, st.unmaps);
	ck_assert_uint_eq(st.mapped_bytes, 0);
	uvf_iova_flush_caches(uvf_domain_iova_allocator(dom));
	for (first = 0; first < SLOTS; first++)
		ck_assert(!uvf_iova_is_allocated(uvf_domain_iova_allocator(dom),
						 BASE + first * PG, PG));
	close_all();
}
END_TEST

/* An unmap is marked busy while its ioctl runs without the lock; a failed
 * ioctl must give the mapping back, whole and unmappable again. */
START_TEST(test_failed_unmap_ioctl_keeps_the_mapping)
{
	struct uvf_domain_stats st;

	open_all(backends[_i]);
	ck_assert_int_eq(uvf_domain_map(dom, BASE, mem, 2 * PG, UVF_PROT_RW),
			 0);
	fk.fail_req = backends[_i] == UVF_VFIO_TYPE1 ? VFIO_IOMMU_UNMAP_DMA
#if UVF_HAVE_IOMMUFD
						   : IOMMU_IOAS_UNMAP;
#else
						   : 0;
#endif
	fk.fail_err = -EIO;
	ck_assert_int_eq(uvf_domain_unmap(dom, BASE, 2 * PG), -EIO);
	uvf_domain_get_stats(dom, &st);
	ck_assert_uint_eq(st.unmaps, 0);
	ck_assert_uint_eq(st.mapped_bytes, 2 * PG);
	ck_assert_uint_eq(kernel_entries(), 1);
	ck_assert_int_eq(uvf_domain_map(dom, BASE + PG, mem, PG, UVF_PROT_RW),
			 -EEXIST);
	ck_assert_int_eq(uvf_domain_unmap(dom, BASE, 2 * PG), 0);
	ck_assert_uint_eq(kernel_entries(), 0);
	close_all();
}
END_TEST

/* A failed MAP ioctl on the unlocked path: no record, the IOVA back in the
 * allocator, the range mappable again. */
START_TEST(test_failed_map_ioctl_leaves_the_range_free)
{
	open_all(backends[_i]);
	fk.fail_req = backends[_i] == UVF_VFIO_TYPE1 ? VFIO_IOMMU_MAP_DMA
#if UVF_HAVE_IOMMUFD
						   : IOMMU_IOAS_MAP;
#else
						   : 0;
#endif
	fk.fail_err = -ENOMEM;
	ck_assert_int_eq(uvf_domain_map(dom, BASE, mem, PG, UVF_PROT_RW),
			 -ENOMEM);
	ck_assert(!uvf_iova_is_allocated(uvf_domain_iova_allocator(dom), BASE,
					 PG));
	ck_assert_int_eq(uvf_domain_unmap(dom, BASE, PG), -ENOENT);
	ck_assert_int_eq(uvf_domain_map(dom, BASE, mem, PG, UVF_PROT_RW), 0);
	ck_assert_int_eq(uvf_domain_unmap(dom, BASE, PG), 0);
	close_all();
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_race");
	TCase *tc = tcase_create("race");
	int n = fk_backends(backends);

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_a_map_does_not_wait_for_another_in_the_kernel,
			    0, n);
	tcase_add_loop_test(tc,
		test_racing_maps_and_unmaps_on_overlapping_ranges_leave_nothing_behind,
		0, n);
	tcase_add_loop_test(tc, test_failed_unmap_ioctl_keeps_the_mapping, 0, n);
	tcase_add_loop_test(tc, test_failed_map_ioctl_leaves_the_range_free, 0,
			    n);
	suite_add_tcase(s, tc);
	return s;
}
