/* SPDX-License-Identifier: MIT */
/* The cdev + iommufd backend on the fake kernel (built only when iommufd
 * is compiled in). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/iommu.h>
#include <uvf/iova.h>

#include <linux/iommufd.h>

#include "check_main.h"
#include "fake_vfio.h"

#define EDU "0000:00:07.0"
#define NIC "0000:00:05.0"
#define PG 4096ul

static struct fake_vfio fk;
static struct uvf_iommu *iommu;
static struct uvf_device *dev;
static struct uvf_domain *dom;
static char *mem;

static void setup(void)
{
	fk_init(&fk);
	fk_add_dev(&fk, EDU, 4);
	fk_add_dev(&fk, NIC, 5);
	fk_publish(&fk);
	fk_add_dev_iommu(&fk);
	mem = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
}

static void teardown(void)
{
	munmap(mem, 16 * PG);
	fk_fini(&fk);
}

static void open_all(uvf_iova_t last)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_AUTO);

	o.iova_last = last;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_vfio_backend(iommu), UVF_VFIO_IOMMUFD);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
}

/* The fake's slot of the domain's IOAS. */
static unsigned int slot(void)
{
	uint32_t id = 0;
	unsigned int i;

	ck_assert_int_eq(uvf_vfio_domain_ioas(dom, &id), 0);
	for (i = 0; i < FK_MAX_IOAS; i++)
		if (fk.ioas[i] == id)
			return i;
	ck_abort_msg("IOAS %u is not in the fake", id);
	return 0;
}

static void close_all(void)
{
	uvf_domain_detach(dom, dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}

START_TEST(test_auto_binds_the_cdev_and_attaches_to_an_ioas)
{
	unsigned int i;

	open_all(0);
	ck_assert(fk.dev[0].bound);
	ck_assert_uint_eq(fk.dev[0].ioas, fk.ioas[slot()]);
	ck_assert_uint_eq(fk.groups_in, 0);
	ck_assert_int_eq(uvf_vfio_device_group(dev), 4);
	i = slot();
	close_all();
	ck_assert_uint_eq(fk.ioas[i], 0);
}
END_TEST

START_TEST(test_fixed_maps_land_in_the_ioas)
{
	uvf_iova_t iova;
	uint64_t avail;

	open_all(0);
	ck_assert_int_eq(uvf_dma_map_page(dev, mem, 2 * PG, UVF_DMA_TO_DEVICE,
					  &iova), 0);
	ck_assert_uint_eq(fk.ioas_nr[slot()], 1);
	ck_assert_uint_eq(fk.ioas_entry[slot()][0].iova, iova);
	ck_assert_uint_eq(fk.ioas_entry[slot()][0].flags,
			  IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE);
	ck_assert_int_eq(uvf_domain_budget(dom, &avail), 0);
	ck_assert_uint_eq(avail, UINT64_MAX);
	ck_assert_int_eq(uvf_dma_unmap_page(dev, iova, 2 * PG,
					    UVF_DMA_TO_DEVICE), 0);
	ck_assert_uint_eq(fk.ioas_nr[slot()], 0);
	close_all();
}
END_TEST

START_TEST(test_kernel_chosen_iova_is_recorded_by_uvf)
{
	uvf_iova_t a, b;

	open_all((1ull << 28) - 1);
	ck_assert_int_eq(uvf_vfio_map_kernel_iova(dom, mem, PG, UVF_PROT_RW,
						  &a), 0);
	ck_assert_uint_eq(fk.ioas_nr[slot()], 1);
	ck_assert_uint_eq(fk.ioas_entry[slot()][0].flags &
				  IOMMU_IOAS_MAP_FIXED_IOVA, 0);
	/* uvf's allocator now knows: a fixed map there collides. */
	ck_assert_int_eq(uvf_domain_map(dom, a, mem + PG, PG, UVF_PROT_RW),
			 -EEXIST);
	ck_assert_int_eq(uvf_domain_unmap(dom, a, PG), 0);
	ck_assert_uint_eq(fk.ioas_nr[slot()], 0);
	/* An IOVA uvf's allocator holds (allocated, not yet mapped) is
	 * refused, and the kernel's mapping undone. */
	ck_assert_int_eq(uvf_iova_reserve(uvf_domain_iova_allocator(dom),
					  0x1000, PG), 0);
	ck_assert_int_eq(uvf_vfio_map_kernel_iova(dom, mem + PG, PG,
						  UVF_PROT_RW, &b), -EBUSY);
	ck_assert_uint_eq(fk.ioas_nr[slot()], 0);
	ck_assert_int_eq(uvf_iova_free(uvf_domain_iova_allocator(dom), 0x1000,
				       PG), 0);
	ck_assert_int_eq(uvf_vfio_map_kernel_iova(dom, mem + PG, PG,
						  UVF_PROT_RW, &b), 0);
	ck_assert_uint_eq(b, 0x1000);
	ck_assert_int_eq(uvf_domain_unmap(dom, b, PG), 0);
	close_all();
}
END_TEST

START_TEST(test_device_that_cannot_reach_the_aperture_is_erange)
{
	struct uvf_device *nic;

	open_all(0);
	fk.ranges[1].end = 0xffffffff;	/* NIC's IOMMU: 32 bits */
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &nic), 0);
	ck_assert_int_eq(uvf_domain_attach(dom, nic), -ERANGE);
	ck_assert_uint_eq(fk.dev[1].ioas, 0);
	uvf_device_close(nic);
	close_all();
}
END_TEST

/* Found by tests/fuzz/fuzz_vfio_kernel (inputs in
 * tests/fuzz/corpus/vfio_kernel/: regress-inverted-ioas-range,
 * regress-unsorted-ioas-ranges): IOAS ranges were taken as the kernel gave
 * them, so one with start > last, or ranges out of order (which the
 * range-set operations of lib/vfio/ranges.c assume away), became the
 * domain's usable ranges. Loop: inverted, out of order, overlapping. */
START_TEST(test_bad_ioas_ranges_fail_the_device_open)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_IOMMUFD);

	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	if (_i == 0) {
		fk.ranges[1].start = fk.ranges[1].end + 1;
	} else {
		struct vfio_iova_range lo = fk.ranges[0];

		fk.ranges[0] = fk.ranges[1];
		fk.ranges[1] = lo;
		if (_i == 2)
			fk.ranges[1].end = fk.ranges[0].start;
	}
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), -EIO);
	ck_assert_uint_eq(fk.dev[0].open_fds, 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}
END_TEST

START_TEST(test_domain_before_any_device_is_enodev)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_IOMMUFD);

	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 -ENODEV);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_DIRECT, &dom),
			 -ENOTSUP);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}
END_TEST

START_TEST(test_failed_bind_leaves_nothing_open)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_IOMMUFD);

	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	fk.fail_req = VFIO_DEVICE_BIND_IOMMUFD;
	fk.fail_err = -EPERM;
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), -EPERM);
	ck_assert_uint_eq(fk.dev[0].open_fds, 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_iommufd");
	TCase *tc = tcase_create("iommufd");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_auto_binds_the_cdev_and_attaches_to_an_ioas);
	tcase_add_test(tc, test_fixed_maps_land_in_the_ioas);
	tcase_add_test(tc, test_kernel_chosen_iova_is_recorded_by_uvf);
	tcase_add_test(tc, test_device_that_cannot_reach_the_aperture_is_erange);
	tcase_add_loop_test(tc, test_bad_ioas_ranges_fail_the_device_open, 0, 3);
	tcase_add_test(tc, test_domain_before_any_device_is_enodev);
	tcase_add_test(tc, test_failed_bind_leaves_nothing_open);
	suite_add_tcase(s, tc);
	return s;
}
