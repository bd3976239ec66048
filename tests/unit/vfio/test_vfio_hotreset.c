/* SPDX-License-Identifier: MIT */
/*
 * Bus/slot reset through the fake kernel, type1 and iommufd: the fallback
 * of uvf_device_reset() without FLR, the proof of ownership each flavour
 * sends, the affected devices reported, and a reset refused (and nothing
 * reset) when a device on the bus is not the context's.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/device.h>
#include <uvf/iommu.h>

#include "check_main.h"
#include "fake_vfio.h"

#define EDU "0000:00:07.0"
#define NIC "0000:00:08.0"

static struct fake_vfio fk;
static struct fk_dev *edu, *nic;
static struct uvf_iommu *iommu;
static enum uvf_vfio_backend backends[2];

static void setup(void)
{
	fk_init(&fk);
	edu = fk_add_dev(&fk, EDU, 4);
	nic = fk_add_dev(&fk, NIC, 5);
	edu->reset = nic->reset = false;
	edu->reset_bus = nic->reset_bus = 1;
}

static void teardown(void)
{
	fk_fini(&fk);
}

static void open_ctx(enum uvf_vfio_backend b)
{
	struct uvf_vfio_opts o = fk_opts(&fk, b);

	fk_publish(&fk);
	fk_add_dev_iommu(&fk);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
}

static void close_ctx(void)
{
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}

START_TEST(test_reset_without_flr_resets_the_bus_it_owns)
{
	struct uvf_vfio_reset_dev *v;
	struct uvf_device *a, *b;
	size_t n;

	open_ctx(backends[_i]);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &a), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &b), 0);
	ck_assert_int_eq(uvf_vfio_hot_reset_devices(a, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].bdf, EDU);
	ck_assert_str_eq(v[1].bdf, NIC);
	ck_assert(v[0].owned && v[1].owned);
	free(v);
	ck_assert_int_eq(uvf_device_reset(a), 0);
	ck_assert_uint_eq(edu->hot_resets, 1);
	ck_assert_uint_eq(nic->hot_resets, 1);
	ck_assert_uint_eq(edu->resets, 0);
	uvf_device_close(a);
	uvf_device_close(b);
	close_ctx();
}
END_TEST

START_TEST(test_hot_reset_of_a_bus_shared_with_a_foreign_device_is_ebusy)
{
	struct uvf_vfio_reset_dev *v;
	struct uvf_device *a;
	size_t n;

	open_ctx(backends[_i]);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &a), 0);
	ck_assert_int_eq(uvf_vfio_hot_reset_devices(a, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(v[0].owned);
	ck_assert(!v[1].owned);
	free(v);
	ck_assert_int_eq(uvf_device_reset(a), -EBUSY);
	ck_assert_int_eq(uvf_vfio_hot_reset(a), -EBUSY);
	ck_assert_uint_eq(edu->hot_resets, 0);
	ck_assert_uint_eq(nic->hot_resets, 0);
	uvf_device_close(a);
	close_ctx();
}
END_TEST

START_TEST(test_reset_uses_flr_first_and_has_no_method_without_a_bus)
{
	struct uvf_vfio_reset_dev *v;
	struct uvf_device *a, *b;
	size_t n;

	edu->reset = true;
	nic->reset_bus = 0;
	edu->reset_bus = 0;
	open_ctx(backends[_i]);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &a), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &b), 0);
	ck_assert_int_eq(uvf_device_reset(a), 0);
	ck_assert_uint_eq(edu->resets, 1);
	ck_assert_uint_eq(edu->hot_resets, 0);
	ck_assert_int_eq(uvf_device_reset(b), -ENOTSUP);
	ck_assert_int_eq(uvf_vfio_hot_reset(b), -ENODEV);
	ck_assert_int_eq(uvf_vfio_hot_reset_devices(b, &v, &n), -ENODEV);
	ck_assert_int_eq(uvf_vfio_hot_reset(NULL), -EINVAL);
	uvf_device_close(a);
	uvf_device_close(b);
	close_ctx();
}
END_TEST

START_TEST(test_a_refused_hot_reset_returns_the_kernel_error)
{
	struct uvf_device *a, *b;

	open_ctx(backends[_i]);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &a), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &b), 0);
	fk.fail_req = VFIO_DEVICE_PCI_HOT_RESET;
	fk.fail_err = -EIO;
	ck_assert_int_eq(uvf_device_reset(b), -EIO);
	ck_assert_uint_eq(nic->hot_resets, 0);
	uvf_device_close(a);
	uvf_device_close(b);
	close_ctx();
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_hotreset");
	TCase *tc = tcase_create("hotreset");
	int n = fk_backends(backends);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_reset_without_flr_resets_the_bus_it_owns, 0, n);
	tcase_add_loop_test(tc, test_hot_reset_of_a_bus_shared_with_a_foreign_device_is_ebusy, 0, n);
	tcase_add_loop_test(tc, test_reset_uses_flr_first_and_has_no_method_without_a_bus, 0, n);
	tcase_add_loop_test(tc, test_a_refused_hot_reset_returns_the_kernel_error, 0, n);
	suite_add_tcase(s, tc);
	return s;
}
