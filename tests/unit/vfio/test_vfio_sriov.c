/* SPDX-License-Identifier: MIT */
/*
 * SR-IOV VF tokens on the fake kernel, which checks them as
 * vfio_pci_validate_vf_token() does: a VF of a vfio-pci PF opens only with
 * the PF's token, a PF opened with a token takes it while no VF is in use,
 * any other device refuses one.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <uvf/device.h>
#include <uvf/iommu.h>

#include "check_main.h"
#include "fake_vfio.h"

#define PF "0000:00:07.0"
#define VF "0000:00:07.1"
#define OTHER "0000:00:05.0"
#define TOKEN "2ab74924-c335-45f4-9b16-8569e5b08258"
#define TOKEN2 "2ab74924-c335-45f4-9b16-8569e5b08259"

static const uint8_t token_bytes[16] = {
	0x2a, 0xb7, 0x49, 0x24, 0xc3, 0x35, 0x45, 0xf4,
	0x9b, 0x16, 0x85, 0x69, 0xe5, 0xb0, 0x82, 0x58,
};

static struct fake_vfio fk;

static void setup(void)
{
	struct fk_dev *d;

	fk_init(&fk);
	fk_add_dev(&fk, PF, 7)->sriov_pf = true;
	d = fk_add_dev(&fk, VF, 8);
	d->physfn = PF;
	fk_add_dev(&fk, OTHER, 5);
}

static void teardown(void)
{
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
	fk_fini(&fk);
}

static struct uvf_iommu *ctx_with(enum uvf_vfio_backend b, const char *tok)
{
	struct uvf_vfio_opts o = fk_opts(&fk, b);
	struct uvf_iommu *iommu;

	fk_publish(&fk);
	o.vf_token = tok;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	return iommu;
}

/* Opens @bdf on a new context with @tok and closes both: the result. */
static int open_once(const char *tok, const char *bdf)
{
	struct uvf_iommu *iommu = ctx_with(UVF_VFIO_TYPE1, tok);
	struct uvf_device *dev;
	int ret = uvf_vfio_device_open(iommu, bdf, &dev);

	if (!ret)
		uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	return ret;
}

static void add_links(void)
{
	fk_publish(&fk);
	fk_link_vf(&fk, PF, VF, 0);
}

START_TEST(test_pf_opened_with_a_token_sets_it_and_its_vf_opens_with_it)
{
	struct uvf_iommu *iommu;
	struct uvf_device *pf, *vf;

	add_links();
	iommu = ctx_with(UVF_VFIO_TYPE1, TOKEN);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, PF, &pf), 0);
	ck_assert_mem_eq(fk.dev[0].vf_token, token_bytes, 16);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, VF, &vf), 0);
	uvf_device_close(vf);
	uvf_device_close(pf);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
}
END_TEST

START_TEST(test_vf_without_a_token_is_eacces)
{
	add_links();
	ck_assert_int_eq(open_once(TOKEN, PF), 0);
	ck_assert_int_eq(open_once(NULL, VF), -EACCES);
	ck_assert_uint_eq(fk.groups_in, 0);
}
END_TEST

START_TEST(test_vf_with_another_token_is_eacces)
{
	add_links();
	ck_assert_int_eq(open_once(TOKEN, PF), 0);
	ck_assert_int_eq(open_once(TOKEN2, VF), -EACCES);
	ck_assert_int_eq(open_once(TOKEN, VF), 0);
}
END_TEST

START_TEST(test_set_vf_token_sets_the_pf_token)
{
	struct uvf_iommu *iommu;
	struct uvf_device *pf;

	add_links();
	iommu = ctx_with(UVF_VFIO_TYPE1, NULL);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, PF, &pf), 0);
	ck_assert_int_eq(uvf_vfio_device_set_vf_token(pf,
		"2AB74924-C335-45F4-9B16-8569E5B08258"), 0);
	ck_assert_uint_eq(fk.dev[0].token_sets, 1);
	ck_assert_mem_eq(fk.dev[0].vf_token, token_bytes, 16);
	uvf_device_close(pf);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_int_eq(open_once(TOKEN, VF), 0);
}
END_TEST

START_TEST(test_set_vf_token_errors)
{
	static const char *const bad[] = {
		"", "2ab74924-c335-45f4-9b16-8569e5b0825",
		"2ab74924-c335-45f4-9b16-8569e5b0825g",
		"2ab74924c-335-45f4-9b16-8569e5b08258",
		"2ab74924-c335-45f4-9b16-8569e5b08258-", NULL,
	};
	struct uvf_iommu *iommu;
	struct uvf_device *pf, *other;

	add_links();
	iommu = ctx_with(UVF_VFIO_TYPE1, NULL);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, PF, &pf), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, OTHER, &other), 0);
	for (unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(uvf_vfio_device_set_vf_token(pf, bad[i]),
				 -EINVAL);
	ck_assert_uint_eq(fk.dev[0].token_sets, 0);
	ck_assert_int_eq(uvf_vfio_device_set_vf_token(NULL, TOKEN), -EINVAL);
	ck_assert_int_eq(uvf_vfio_device_set_vf_token(other, TOKEN), -ENOTSUP);
	fk.fail_req = VFIO_DEVICE_FEATURE;
	fk.fail_err = -EIO;
	ck_assert_int_eq(uvf_vfio_device_set_vf_token(pf, TOKEN), -EIO);
	ck_assert_uint_eq(fk.dev[0].token_sets, 0);
	uvf_device_close(other);
	uvf_device_close(pf);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
}
END_TEST

START_TEST(test_malformed_token_option_is_einval)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);
	struct uvf_iommu *iommu = NULL;

	fk_publish(&fk);
	o.vf_token = "not-a-uuid";
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EINVAL);
	ck_assert_ptr_null(iommu);
}
END_TEST

START_TEST(test_token_is_not_passed_to_a_device_without_sriov)
{
	add_links();
	/* The fake, as the kernel, refuses a token there (-EINVAL). */
	ck_assert_int_eq(open_once(TOKEN, OTHER), 0);
}
END_TEST

START_TEST(test_vf_of_a_pf_not_on_vfio_takes_no_token)
{
	char path[PATH_MAX];

	add_links();
	/* The PF leaves vfio-pci: the kernel wants no token for its VF. */
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/%s/driver",
		 fk.fs.sys, PF);
	ck_assert_int_eq(unlink(path), 0);
	fk.dev[1].physfn = "0000:00:1f.0";	/* not a vfio-pci device */
	ck_assert_int_eq(open_once(TOKEN, VF), 0);
}
END_TEST

#if UVF_HAVE_IOMMUFD
START_TEST(test_iommufd_refuses_a_vf_of_a_vfio_pf)
{
	struct uvf_iommu *iommu;
	struct uvf_device *dev;

	fk_add_dev_iommu(&fk);
	add_links();
	iommu = ctx_with(UVF_VFIO_IOMMUFD, TOKEN);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, VF, &dev), -ENOTSUP);
	ck_assert_int_eq(fk.dev[1].open_fds, 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
}
END_TEST

START_TEST(test_iommufd_sets_the_token_on_a_pf_after_the_bind)
{
	struct uvf_iommu *iommu;
	struct uvf_device *dev;

	fk_add_dev_iommu(&fk);
	add_links();
	iommu = ctx_with(UVF_VFIO_IOMMUFD, TOKEN);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, PF, &dev), 0);
	ck_assert_uint_eq(fk.dev[0].token_sets, 1);
	ck_assert_mem_eq(fk.dev[0].vf_token, token_bytes, 16);
	uvf_device_close(dev);
	/* A refused token fails the open and leaves the cdev unbound. */
	fk.fail_req = VFIO_DEVICE_FEATURE;
	fk.fail_err = -EIO;
	ck_assert_int_eq(uvf_vfio_device_open(iommu, PF, &dev), -EIO);
	ck_assert_int_eq(fk.dev[0].open_fds, 0);
	ck_assert(!fk.dev[0].bound);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
}
END_TEST
#endif

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_sriov");
	TCase *tc = tcase_create("vf_token");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
		test_pf_opened_with_a_token_sets_it_and_its_vf_opens_with_it);
	tcase_add_test(tc, test_vf_without_a_token_is_eacces);
	tcase_add_test(tc, test_vf_with_another_token_is_eacces);
	tcase_add_test(tc, test_set_vf_token_sets_the_pf_token);
	tcase_add_test(tc, test_set_vf_token_errors);
	tcase_add_test(tc, test_malformed_token_option_is_einval);
	tcase_add_test(tc, test_token_is_not_passed_to_a_device_without_sriov);
	tcase_add_test(tc, test_vf_of_a_pf_not_on_vfio_takes_no_token);
#if UVF_HAVE_IOMMUFD
	tcase_add_test(tc, test_iommufd_refuses_a_vf_of_a_vfio_pf);
	tcase_add_test(tc, test_iommufd_sets_the_token_on_a_pf_after_the_bind);
#endif
	suite_add_tcase(s, tc);
	return s;
}
