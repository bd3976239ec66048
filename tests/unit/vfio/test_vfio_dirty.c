/* SPDX-License-Identifier: MIT */
/*
 * Dirty tracking (uvf_domain_set_dirty_tracking, uvf_domain_read_dirty):
 * the shared body (tests/support/dirty_check.c) on the software model,
 * whose walker sets a leaf's dirty bit on device writes, and on the fake
 * kernel's iommufd HWPTs; then what only one of them shows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/device.h>
#include <uvf/iommu.h>
#include <uvf/sim.h>
#include <uvf/vfio.h>

#include "check_main.h"
#include "dirty_check.h"
#include "fake_vfio.h"
#include "simfix.h"

#define PG 4096ull
#define BASE 0x100000ull

static int sim_write(void *arg, uvf_iova_t iova)
{
	uint32_t v = 0xd1d1d1d1;

	return uvf_sim_dma_write(arg, iova + 8, &v, sizeof(v));
}

static const enum uvf_pgtable_format tracking_formats[] = {
	UVF_PGTABLE_VTD_SL4, UVF_PGTABLE_VTD_SL5, UVF_PGTABLE_AMD_V1,
};

START_TEST(test_model_reports_exactly_the_pages_a_device_wrote)
{
	struct simfix f;
	struct dirty_rig r;
	const char *e;

	simfix_setup(&f, tracking_formats[_i], UVF_DOMAIN_TRANSLATED, NULL);
	r = (struct dirty_rig){ .dom = f.dom, .base = BASE,
				.write = sim_write, .arg = f.dev };
	e = dirty_check_run(&r);
	ck_assert_msg(!e, "%s", e ? e : "");
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_model_marks_a_write_that_hits_the_iotlb)
{
	struct simfix f;
	void *buf = simfix_pages(1);
	uint64_t bm;

	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	ck_assert_int_eq(uvf_domain_map(f.dom, BASE, buf, PG, UVF_PROT_RW), 0);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(f.dom, true), 0);
	ck_assert_int_eq(sim_write(f.dev, BASE), 0);	/* walk + fill */
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, BASE, PG, PG, &bm, 0), 0);
	ck_assert_uint_eq(bm, 1);
	ck_assert_int_eq(sim_write(f.dev, BASE), 0);	/* IOTLB hit */
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, BASE, PG, PG, &bm, 0), 0);
	ck_assert_uint_eq(bm, 1);
	/* Reads do not dirty. */
	ck_assert_int_eq(uvf_sim_dma_read(f.dev, BASE, &bm, sizeof(bm)), 0);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, BASE, PG, PG, &bm, 0), 0);
	ck_assert_uint_eq(bm, 0);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, BASE, PG), 0);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_model_write_refused_by_a_read_only_leaf_is_not_dirty)
{
	struct simfix f;
	void *buf = simfix_pages(1);
	uint64_t bm = 0;

	simfix_setup(&f, UVF_PGTABLE_AMD_V1, UVF_DOMAIN_TRANSLATED, NULL);
	ck_assert_int_eq(uvf_domain_map(f.dom, BASE, buf, PG, UVF_PROT_READ),
			 0);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(f.dom, true), 0);
	ck_assert_int_eq(sim_write(f.dev, BASE), -EFAULT);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, BASE, PG, PG, &bm, 0), 0);
	ck_assert_uint_eq(bm, 0);
	ck_assert_uint_eq(simfix_drain_faults(&f, NULL), 1);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, BASE, PG), 0);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_model_large_leaf_reports_every_page_it_maps)
{
	const uint64_t sz = 2ull << 20;
	uint64_t bm[8], i;
	struct simfix f;
	void *buf = aligned_alloc(sz, sz);

	ck_assert_ptr_nonnull(buf);
	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	/* 2 MiB-aligned on both sides: one 2 MiB leaf. */
	ck_assert_int_eq(uvf_domain_map(f.dom, sz, buf, sz, UVF_PROT_RW), 0);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(f.dom, true), 0);
	ck_assert_int_eq(sim_write(f.dev, sz + 77 * PG), 0);
	/* At 4 KiB granules every page of the leaf, at 2 MiB one bit. */
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, sz, sz, PG, bm,
					       UVF_DIRTY_NO_CLEAR), 0);
	for (i = 0; i < 8; i++)
		ck_assert_uint_eq(bm[i], UINT64_MAX);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, 0, 2 * sz, sz, bm, 0),
			 0);
	ck_assert_uint_eq(bm[0], 2);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, 0, 2 * sz, sz, bm, 0),
			 0);
	ck_assert_uint_eq(bm[0], 0);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, sz, sz), 0);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_model_arm_lpae_has_no_dirty_bit)
{
	struct simfix f;
	uint64_t bm;

	simfix_setup(&f, UVF_PGTABLE_ARM_LPAE_S1, UVF_DOMAIN_TRANSLATED, NULL);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(f.dom, true), -ENOTSUP);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(f.dom, false), -ENOTSUP);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, 0, PG, PG, &bm, 0),
			 -EINVAL);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_bad_dirty_arguments_are_refused)
{
	struct simfix f, direct;
	uint64_t bm = 7;

	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(f.dom, true), 0);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(NULL, true), -EINVAL);
	ck_assert_int_eq(uvf_domain_read_dirty(NULL, 0, PG, PG, &bm, 0),
			 -EINVAL);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, 0, PG, PG, NULL, 0),
			 -EINVAL);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, 0, 0, PG, &bm, 0),
			 -EINVAL);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, 0, PG, 2048, &bm, 0),
			 -EINVAL);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, 0, 3 * PG, 3 * PG, &bm,
					       0), -EINVAL);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, PG, 2 * PG, 2 * PG, &bm,
					       0), -EINVAL);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, 0, PG, PG, &bm, 2),
			 -EINVAL);
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, UINT64_MAX - PG + 1,
					       2 * PG, PG, &bm, 0), -EOVERFLOW);
	/* Beyond the format's 48 input bits. */
	ck_assert_int_eq(uvf_domain_read_dirty(f.dom, 1ull << 48, PG, PG, &bm,
					       0), -ERANGE);
	ck_assert_uint_eq(bm, 7);
	simfix_teardown(&f);

	simfix_setup(&direct, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_DIRECT, NULL);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(direct.dom, true),
			 -EINVAL);
	ck_assert_int_eq(uvf_domain_read_dirty(direct.dom, 0, PG, PG, &bm, 0),
			 -EINVAL);
	simfix_teardown(&direct);
}
END_TEST

/* The fake kernel. */
#define EDU "0000:00:07.0"

static struct fake_vfio fk;

static void fk_open(enum uvf_vfio_backend be, struct uvf_iommu **iommu,
		    struct uvf_device **dev, struct uvf_domain **dom)
{
	fk_init(&fk);
	fk_add_dev(&fk, EDU, 4)->dirty_cap = true;
	fk_publish(&fk);
	fk_add_dev_iommu(&fk);
	fk_open_attached(&fk, be, EDU, iommu, dev, dom);
}

static void fk_close_all(struct uvf_iommu *iommu, struct uvf_device *dev,
			 struct uvf_domain *dom)
{
	fk_close_attached(&fk, iommu, dev, dom);
	fk_fini(&fk);
}

START_TEST(test_type1_has_no_dirty_tracking)
{
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	uint64_t bm;

	fk_open(UVF_VFIO_TYPE1, &iommu, &dev, &dom);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(dom, true), -ENOTSUP);
	ck_assert_int_eq(uvf_domain_read_dirty(dom, 0, PG, PG, &bm, 0),
			 -ENOTSUP);
	fk_close_all(iommu, dev, dom);
}
END_TEST

#if UVF_HAVE_HWPT_UAPI
struct fk_rig {
	uint32_t hwpt;
};

static int fk_write(void *arg, uvf_iova_t iova)
{
	return fk_hwpt_write(&fk, ((struct fk_rig *)arg)->hwpt, iova) ? 0
								     : -EFAULT;
}

START_TEST(test_iommufd_reports_exactly_the_pages_a_device_wrote)
{
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	struct fk_rig fr;
	struct dirty_rig r;
	uint32_t devid;
	const char *e;

	fk_open(UVF_VFIO_IOMMUFD, &iommu, &dev, &dom);
	ck_assert_int_eq(uvf_vfio_device_iommufd_id(dev, &devid), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid,
					     UVF_HWPT_DIRTY_TRACKING,
					     &fr.hwpt), 0);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, fr.hwpt), 0);
	r = (struct dirty_rig){ .dom = dom, .base = BASE, .write = fk_write,
				.arg = &fr };
	e = dirty_check_run(&r);
	ck_assert_msg(!e, "%s", e ? e : "");
	fk_close_all(iommu, dev, dom);
}
END_TEST

START_TEST(test_iommufd_without_a_dirty_hwpt_is_enotsup)
{
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	uint32_t devid, hwpt;
	uint64_t bm;

	fk_open(UVF_VFIO_IOMMUFD, &iommu, &dev, &dom);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(dom, true), -ENOTSUP);
	ck_assert_int_eq(uvf_domain_read_dirty(dom, 0, PG, PG, &bm, 0),
			 -ENOTSUP);
	ck_assert_int_eq(uvf_vfio_device_iommufd_id(dev, &devid), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, &hwpt), 0);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(dom, true), -ENOTSUP);
	ck_assert(!fk_hwpt(&fk, hwpt)->tracking);
	fk_close_all(iommu, dev, dom);
}
END_TEST

/* Two dirty-tracking HWPTs: the kernel fails the second switch, the first
 * is switched back; a bitmap read the kernel fails is the kernel's error. */
START_TEST(test_iommufd_tracking_is_all_or_nothing)
{
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	uint32_t devid, a, b;
	uint64_t bm = 0;

	fk_open(UVF_VFIO_IOMMUFD, &iommu, &dev, &dom);
	ck_assert_int_eq(uvf_vfio_device_iommufd_id(dev, &devid), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid,
					     UVF_HWPT_DIRTY_TRACKING, &a), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid,
					     UVF_HWPT_DIRTY_TRACKING, &b), 0);
	fk.fail_req = IOMMU_HWPT_SET_DIRTY_TRACKING;
	fk.fail_err = -EIO;
	fk.fail_skip = 1;
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(dom, true), -EIO);
	ck_assert(!fk_hwpt(&fk, a)->tracking);
	ck_assert(!fk_hwpt(&fk, b)->tracking);
	ck_assert_int_eq(uvf_domain_read_dirty(dom, 0, PG, PG, &bm, 0),
			 -EINVAL);

	ck_assert_int_eq(uvf_domain_set_dirty_tracking(dom, true), 0);
	ck_assert(fk_hwpt(&fk, a)->tracking && fk_hwpt(&fk, b)->tracking);
	fk.fail_req = IOMMU_HWPT_GET_DIRTY_BITMAP;
	fk.fail_err = -EFAULT;
	ck_assert_int_eq(uvf_domain_read_dirty(dom, 0, PG, PG, &bm, 0),
			 -EFAULT);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(dom, false), 0);
	ck_assert(!fk_hwpt(&fk, a)->tracking && !fk_hwpt(&fk, b)->tracking);
	fk_close_all(iommu, dev, dom);
}
END_TEST

/* Pages written through either HWPT of the domain are reported. */
START_TEST(test_iommufd_bitmap_joins_every_dirty_hwpt)
{
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	void *buf = aligned_alloc(PG, 4 * PG);
	uint32_t devid, a, b;
	uint64_t bm;

	fk_open(UVF_VFIO_IOMMUFD, &iommu, &dev, &dom);
	ck_assert_int_eq(uvf_domain_map(dom, BASE, buf, 4 * PG, UVF_PROT_RW),
			 0);
	ck_assert_int_eq(uvf_vfio_device_iommufd_id(dev, &devid), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid,
					     UVF_HWPT_DIRTY_TRACKING, &a), 0);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(dom, true), 0);
	/* Made while tracking: tracks at once. */
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid,
					     UVF_HWPT_DIRTY_TRACKING, &b), 0);
	ck_assert(fk_hwpt(&fk, b)->tracking);
	ck_assert(fk_hwpt_write(&fk, a, BASE + PG));
	ck_assert(fk_hwpt_write(&fk, b, BASE + 3 * PG));
	ck_assert_int_eq(uvf_domain_read_dirty(dom, BASE, 4 * PG, PG, &bm, 0),
			 0);
	ck_assert_uint_eq(bm, 0xa);
	ck_assert_int_eq(uvf_domain_unmap(dom, BASE, 4 * PG), 0);
	fk_close_all(iommu, dev, dom);
	free(buf);
}
END_TEST
#endif

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_dirty");
	TCase *tc = tcase_create("model");
	int nfmt = sizeof(tracking_formats) / sizeof(tracking_formats[0]);

	tcase_add_loop_test(tc,
		test_model_reports_exactly_the_pages_a_device_wrote, 0, nfmt);
	tcase_add_test(tc, test_model_marks_a_write_that_hits_the_iotlb);
	tcase_add_test(tc,
		test_model_write_refused_by_a_read_only_leaf_is_not_dirty);
	tcase_add_test(tc, test_model_large_leaf_reports_every_page_it_maps);
	tcase_add_test(tc, test_model_arm_lpae_has_no_dirty_bit);
	tcase_add_test(tc, test_bad_dirty_arguments_are_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("fake-kernel");
	tcase_add_test(tc, test_type1_has_no_dirty_tracking);
#if UVF_HAVE_HWPT_UAPI
	tcase_add_test(tc,
		test_iommufd_reports_exactly_the_pages_a_device_wrote);
	tcase_add_test(tc, test_iommufd_without_a_dirty_hwpt_is_enotsup);
	tcase_add_test(tc, test_iommufd_tracking_is_all_or_nothing);
	tcase_add_test(tc, test_iommufd_bitmap_joins_every_dirty_hwpt);
#endif
	suite_add_tcase(s, tc);
	return s;
}
