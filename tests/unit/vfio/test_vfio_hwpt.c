/* SPDX-License-Identifier: MIT */
/*
 * iommufd HWPTs on the fake kernel: allocation on a domain's IOAS, attach
 * and replace at run time, IOMMU_GET_HW_INFO, teardown; every error the
 * kernel returns reaches the caller with nothing changed. Built only when
 * iommufd is compiled in; without the 6.7+ uAPI every call is -ENOTSUP.
 */
#include <errno.h>
#include <string.h>

#include <uvf/device.h>
#include <uvf/iommu.h>
#include <uvf/vfio.h>

#include "check_main.h"
#include "fake_vfio.h"

#define EDU "0000:00:07.0"
#define NIC "0000:00:05.0"

static struct fake_vfio fk;
static struct uvf_iommu *iommu;
static struct uvf_device *dev, *nic;
static struct uvf_domain *dom;
static uint32_t devid, ioas;

static void setup(void)
{
	struct uvf_vfio_opts o;

	fk_init(&fk);
	fk_add_dev(&fk, EDU, 4)->dirty_cap = true;
	fk_add_dev(&fk, NIC, 5);
	fk_publish(&fk);
	fk_add_dev_iommu(&fk);
	o = fk_opts(&fk, UVF_VFIO_IOMMUFD);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &nic), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
	ck_assert_int_eq(uvf_vfio_domain_ioas(dom, &ioas), 0);
	devid = fk.dev[0].devid;
}

static unsigned int fk_nr_hwpt(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < FK_MAX_HWPT; i++)
		n += fk.hwpt[i].id != 0;
	return n;
}

static void teardown(void)
{
	unsigned int i;

	uvf_domain_detach(dom, dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	/* HWPTs went first, so the IOAS was destroyed too. */
	ck_assert_uint_eq(fk_nr_hwpt(), 0);
	for (i = 0; i < FK_MAX_IOAS; i++)
		ck_assert_uint_eq(fk.ioas[i], 0);
	uvf_device_close(nic);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
	fk_fini(&fk);
}

static void fail_next(unsigned long req, int err)
{
	fk.fail_req = req;
	fk.fail_err = err;
}

#if UVF_HAVE_HWPT_UAPI
START_TEST(test_device_id_is_the_bind_devid)
{
	uint32_t id = 0;

	ck_assert_int_eq(uvf_vfio_device_iommufd_id(dev, &id), 0);
	ck_assert_uint_eq(id, devid);
	ck_assert_int_eq(uvf_vfio_device_iommufd_id(NULL, &id), -EINVAL);
	ck_assert_int_eq(uvf_vfio_device_iommufd_id(dev, NULL), -EINVAL);
}
END_TEST

START_TEST(test_hwpt_is_allocated_on_the_domain_ioas)
{
	uint32_t h = 0;

	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid,
			UVF_HWPT_DIRTY_TRACKING | UVF_HWPT_NEST_PARENT, &h), 0);
	ck_assert_ptr_nonnull(fk_hwpt(&fk, h));
	ck_assert_uint_eq(fk_hwpt(&fk, h)->ioas, ioas);
	ck_assert_uint_eq(fk_hwpt(&fk, h)->dev_id, devid);
	ck_assert_uint_eq(fk_hwpt(&fk, h)->flags,
			  IOMMU_HWPT_ALLOC_DIRTY_TRACKING |
				  IOMMU_HWPT_ALLOC_NEST_PARENT);
}
END_TEST

START_TEST(test_hwpt_alloc_errors_leave_nothing)
{
	uint32_t h = 77;

	ck_assert_int_eq(uvf_vfio_hwpt_alloc(NULL, devid, 0, &h), -EINVAL);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, NULL), -EINVAL);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 4, &h), -EINVAL);
	/* The kernel's: unknown device, IOMMU without dirty tracking, any
	 * other failure. */
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, 999, 0, &h), -ENOENT);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, fk.dev[1].devid,
					     UVF_HWPT_DIRTY_TRACKING, &h),
			 -EOPNOTSUPP);
	fail_next(IOMMU_HWPT_ALLOC, -ENOMEM);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, &h), -ENOMEM);
	ck_assert_uint_eq(h, 77);
	ck_assert_uint_eq(fk_nr_hwpt(), 0);
	/* A new dirty HWPT of a tracking domain that cannot start tracking
	 * is destroyed again. */
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid,
					     UVF_HWPT_DIRTY_TRACKING, &h), 0);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(dom, true), 0);
	fail_next(IOMMU_HWPT_SET_DIRTY_TRACKING, -EIO);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid,
					     UVF_HWPT_DIRTY_TRACKING, &h), -EIO);
	ck_assert_uint_eq(fk_nr_hwpt(), 1);
}
END_TEST

/* uvf keeps 8 per domain; the fake kernel runs out past its own table. */
START_TEST(test_hwpt_limits)
{
	struct uvf_domain *other;
	uint32_t h;
	int i;

	for (i = 0; i < 8; i++)
		ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, &h), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, &h), -ENOSPC);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED,
					   &other), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(other, devid, 0, &h), -ENOMEM);
	ck_assert_int_eq(uvf_domain_destroy(other), 0);
}
END_TEST

START_TEST(test_device_moves_between_page_tables_of_its_domain)
{
	uint32_t a, b;

	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, &a), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid,
					     UVF_HWPT_DIRTY_TRACKING, &b), 0);
	ck_assert_uint_eq(fk.dev[0].ioas, ioas);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, a), 0);
	ck_assert_uint_eq(fk.dev[0].ioas, a);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, b), 0);
	ck_assert_uint_eq(fk.dev[0].ioas, b);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, ioas), 0);
	ck_assert_uint_eq(fk.dev[0].ioas, ioas);
	/* Detach works from an HWPT; the domain can then be destroyed. */
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, b), 0);
}
END_TEST

START_TEST(test_attach_hwpt_errors_leave_the_device_where_it_was)
{
	struct uvf_domain *other;
	uint32_t a, foreign;

	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, &a), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED,
					   &other), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(other, devid, 0, &foreign), 0);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(NULL, a), -EINVAL);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(nic, a), -ENODEV);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, foreign), -ENOENT);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, 12345), -ENOENT);
	fail_next(VFIO_DEVICE_ATTACH_IOMMUFD_PT, -EINVAL);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, a), -EINVAL);
	ck_assert_uint_eq(fk.dev[0].ioas, ioas);
	ck_assert_int_eq(uvf_domain_destroy(other), 0);
	ck_assert_ptr_null(fk_hwpt(&fk, foreign));
}
END_TEST

START_TEST(test_hw_info_reports_type_and_dirty_capability)
{
	/* The kernel's IOMMU_HW_INFO_TYPE_* as uvf names them; an unknown
	 * one last. */
	static const struct {
		uint32_t kernel;
		enum uvf_vfio_hw_type uvf;
	} types[] = {
		{ 0xfeedbeef, UVF_VFIO_HW_SELFTEST },
		{ 2, UVF_VFIO_HW_ARM_SMMUV3 },
		{ 0, UVF_VFIO_HW_NONE },
		{ 42, UVF_VFIO_HW_OTHER },
	};
	struct uvf_vfio_hw_info hi;
	size_t i;

	ck_assert_int_eq(uvf_vfio_hw_info(iommu, devid, &hi), 0);
	ck_assert_int_eq(hi.type, UVF_VFIO_HW_INTEL_VTD);
	ck_assert_uint_eq(hi.kernel_type, IOMMU_HW_INFO_TYPE_INTEL_VTD);
	ck_assert_uint_eq(hi.caps, UVF_VFIO_CAP_DIRTY_TRACKING);
	ck_assert_uint_eq(hi.data_len, 16);
	ck_assert_uint_eq(hi.data[0], 0x5a);
	ck_assert_int_eq(uvf_vfio_hw_info(iommu, fk.dev[1].devid, &hi), 0);
	ck_assert_uint_eq(hi.caps, 0);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		fk.dev[1].hw_type = types[i].kernel;
		ck_assert_int_eq(uvf_vfio_hw_info(iommu, fk.dev[1].devid, &hi),
				 0);
		ck_assert_int_eq(hi.type, types[i].uvf);
	}
	ck_assert_uint_eq(hi.kernel_type, 42);
}
END_TEST

START_TEST(test_hw_info_errors_leave_info_unchanged)
{
	struct uvf_vfio_hw_info hi;

	memset(&hi, 0xab, sizeof(hi));
	ck_assert_int_eq(uvf_vfio_hw_info(NULL, devid, &hi), -EINVAL);
	ck_assert_int_eq(uvf_vfio_hw_info(iommu, devid, NULL), -EINVAL);
	ck_assert_int_eq(uvf_vfio_hw_info(iommu, 999, &hi), -ENOENT);
	fail_next(IOMMU_GET_HW_INFO, -EFAULT);
	ck_assert_int_eq(uvf_vfio_hw_info(iommu, devid, &hi), -EFAULT);
	ck_assert_uint_eq(hi.data_len, 0xabababab);
}
END_TEST

/* The fake refuses what the kernel refuses, so the model of the uAPI the
 * other tests rely on is checked too. */
START_TEST(test_fake_kernel_refuses_what_the_kernel_refuses)
{
	int fd = uvf_vfio_context_fd(iommu);
	struct iommu_hwpt_alloc a = { .size = sizeof(a), .dev_id = devid,
				      .pt_id = ioas, .flags = 1u << 7 };
	struct iommu_hw_info q = { .size = sizeof(q), .dev_id = devid,
				   .flags = 1 };
	struct iommu_hwpt_set_dirty_tracking t = { .size = sizeof(t) };
	struct iommu_hwpt_get_dirty_bitmap g = { .size = sizeof(g),
		.length = 4096, .page_size = 4096 };
	struct iommu_destroy d = { .size = sizeof(d) };
	uint64_t bm;
	uint32_t h, plain;

	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_ALLOC, &a),
			 -EOPNOTSUPP);
	a.flags = 0;
	a.data_type = 1;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_ALLOC, &a), -EINVAL);
	a.data_type = 0;
	a.pt_id = 999;	/* 6.12's iommufd_hwpt_alloc: no such object */
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_ALLOC, &a), -EINVAL);
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_GET_HW_INFO, &q),
			 -EOPNOTSUPP);

	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid,
					     UVF_HWPT_DIRTY_TRACKING, &h), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, &plain), 0);
	t.hwpt_id = h;
	t.flags = 2;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_SET_DIRTY_TRACKING,
				      &t), -EOPNOTSUPP);
	t.flags = IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	t.hwpt_id = 999;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_SET_DIRTY_TRACKING,
				      &t), -ENOENT);
	t.hwpt_id = plain;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_SET_DIRTY_TRACKING,
				      &t), -EOPNOTSUPP);

	g.data = (uintptr_t)&bm;
	g.hwpt_id = h;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				      &g), -EINVAL);	/* not tracking */
	g.flags = 2;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				      &g), -EOPNOTSUPP);
	g.flags = 0;
	g.hwpt_id = 999;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				      &g), -ENOENT);
	g.hwpt_id = plain;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				      &g), -EOPNOTSUPP);
	g.hwpt_id = h;
	g.page_size = 3000;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				      &g), -EINVAL);
	g.page_size = 4096;
	g.iova = UINT64_MAX - 4095;
	g.length = 8192;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_GET_DIRTY_BITMAP,
				      &g), -EOVERFLOW);

	/* Objects in use are busy: a device on the HWPT, an HWPT on the
	 * IOAS. */
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, h), 0);
	d.id = h;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_DESTROY, &d), -EBUSY);
	d.id = ioas;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_DESTROY, &d), -EBUSY);
	ck_assert(!fk_hwpt_write(&fk, h, 0x1000));	/* not tracking */
}
END_TEST
#endif

START_TEST(test_other_backends_have_no_hwpts)
{
	struct uvf_vfio_hw_info hi;
	struct uvf_domain *t1dom;
	struct uvf_iommu *t1;
	struct uvf_device *t1dev;
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);
	uint32_t h, id;

	uvf_device_close(nic);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &t1), 0);
	ck_assert_int_eq(uvf_vfio_device_open(t1, NIC, &t1dev), 0);
	ck_assert_int_eq(uvf_domain_create(t1, UVF_DOMAIN_TRANSLATED, &t1dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(t1dom, t1dev), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(t1dom, 1, 0, &h), -ENOTSUP);
	ck_assert_int_eq(uvf_vfio_device_iommufd_id(t1dev, &id), -ENOTSUP);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(t1dev, 1), -ENOTSUP);
	ck_assert_int_eq(uvf_vfio_hw_info(t1, 1, &hi), -ENOTSUP);
	uvf_domain_detach(t1dom, t1dev);
	ck_assert_int_eq(uvf_domain_destroy(t1dom), 0);
	uvf_device_close(t1dev);
	ck_assert_int_eq(uvf_iommu_destroy(t1), 0);
	/* teardown closes it again */
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &nic), 0);
}
END_TEST

#if !UVF_HAVE_HWPT_UAPI
START_TEST(test_without_the_hwpt_uapi_every_call_is_enotsup)
{
	struct uvf_vfio_hw_info hi;
	uint32_t h;
	uint64_t bm;

	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, &h), -ENOTSUP);
	ck_assert_int_eq(uvf_vfio_device_iommufd_id(dev, &h), -ENOTSUP);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, ioas), -ENOTSUP);
	ck_assert_int_eq(uvf_vfio_hw_info(iommu, devid, &hi), -ENOTSUP);
	ck_assert_int_eq(uvf_domain_set_dirty_tracking(dom, true), -ENOTSUP);
	ck_assert_int_eq(uvf_domain_read_dirty(dom, 0, 4096, 4096, &bm, 0),
			 -ENOTSUP);
}
END_TEST
#endif

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_hwpt");
	TCase *tc = tcase_create("hwpt");

	tcase_add_checked_fixture(tc, setup, teardown);
#if UVF_HAVE_HWPT_UAPI
	tcase_add_test(tc, test_device_id_is_the_bind_devid);
	tcase_add_test(tc, test_hwpt_is_allocated_on_the_domain_ioas);
	tcase_add_test(tc, test_hwpt_alloc_errors_leave_nothing);
	tcase_add_test(tc, test_hwpt_limits);
	tcase_add_test(tc, test_device_moves_between_page_tables_of_its_domain);
	tcase_add_test(tc,
		test_attach_hwpt_errors_leave_the_device_where_it_was);
	tcase_add_test(tc, test_hw_info_reports_type_and_dirty_capability);
	tcase_add_test(tc, test_hw_info_errors_leave_info_unchanged);
	tcase_add_test(tc, test_fake_kernel_refuses_what_the_kernel_refuses);
#else
	tcase_add_test(tc, test_without_the_hwpt_uapi_every_call_is_enotsup);
#endif
	tcase_add_test(tc, test_other_backends_have_no_hwpts);
	suite_add_tcase(s, tc);
	return s;
}
