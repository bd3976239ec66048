/* SPDX-License-Identifier: MIT */
/* Which backend a context gets: the rules on made-up facts, then the
 * environment override and the open paths on the fake kernel. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/device.h>
#include <uvf/iommu.h>

#include "check_main.h"
#include "fake_vfio.h"

static const struct vfio_facts full = {
	.iommufd_compiled = true, .dev_iommu = true, .cdev = true,
	.group_node = true,
};

START_TEST(test_auto_prefers_iommufd_when_everything_is_there)
{
	enum uvf_vfio_backend b;

	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_AUTO, &full, &b), 0);
	ck_assert_int_eq(b, UVF_VFIO_IOMMUFD);
}
END_TEST

START_TEST(test_auto_falls_back_to_type1_without_iommufd_pieces)
{
	struct vfio_facts f;
	enum uvf_vfio_backend b;

	f = full;
	f.dev_iommu = false;		/* kernel without IOMMUFD */
	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_AUTO, &f, &b), 0);
	ck_assert_int_eq(b, UVF_VFIO_TYPE1);
	f = full;
	f.cdev = false;			/* kernel without VFIO cdevs */
	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_AUTO, &f, &b), 0);
	ck_assert_int_eq(b, UVF_VFIO_TYPE1);
	f = full;
	f.iommufd_compiled = false;	/* built against old headers */
	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_AUTO, &f, &b), 0);
	ck_assert_int_eq(b, UVF_VFIO_TYPE1);
}
END_TEST

START_TEST(test_auto_picks_noiommu_for_a_noiommu_group)
{
	struct vfio_facts f = full;
	enum uvf_vfio_backend b;

	f.noiommu_group = true;
	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_AUTO, &f, &b), 0);
	ck_assert_int_eq(b, UVF_VFIO_NOIOMMU);
}
END_TEST

START_TEST(test_explicit_choice_the_device_cannot_use_is_enotsup)
{
	struct vfio_facts f = full;
	enum uvf_vfio_backend b;

	f.dev_iommu = false;
	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_IOMMUFD, &f, &b),
			 -ENOTSUP);
	f = full;
	f.iommufd_compiled = false;
	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_IOMMUFD, &f, &b),
			 -ENOTSUP);
	f = full;
	f.noiommu_group = true;
	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_TYPE1, &f, &b),
			 -ENOTSUP);
	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_IOMMUFD, &f, &b),
			 -ENOTSUP);
	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_NOIOMMU, &full, &b),
			 -ENOTSUP);
	ck_assert_int_eq(vfio_choose_backend(UVF_VFIO_TYPE1, &full, &b), 0);
	ck_assert_int_eq(b, UVF_VFIO_TYPE1);
}
END_TEST

START_TEST(test_device_not_on_vfio_is_enodev_for_every_choice)
{
	const struct vfio_facts none = { .iommufd_compiled = true,
					 .dev_iommu = true };
	enum uvf_vfio_backend b;
	int want;

	for (want = UVF_VFIO_AUTO; want <= UVF_VFIO_NOIOMMU; want++)
		ck_assert_int_eq(vfio_choose_backend(
					 (enum uvf_vfio_backend)want, &none,
					 &b), -ENODEV);
}
END_TEST

START_TEST(test_backend_names_parse_back)
{
	enum uvf_vfio_backend b;
	int i;

	for (i = UVF_VFIO_AUTO; i <= UVF_VFIO_NOIOMMU; i++) {
		ck_assert_int_eq(uvf_vfio_backend_parse(
			uvf_vfio_backend_name((enum uvf_vfio_backend)i), &b),
			0);
		ck_assert_int_eq(b, i);
	}
	ck_assert_int_eq(uvf_vfio_backend_parse(NULL, &b), 0);
	ck_assert_int_eq(b, UVF_VFIO_AUTO);
	ck_assert_int_eq(uvf_vfio_backend_parse("Type1", &b), -EINVAL);
	ck_assert_str_eq(uvf_vfio_backend_name((enum uvf_vfio_backend)9),
			 "unknown");
}
END_TEST

START_TEST(test_unknown_backend_names_are_einval_and_leave_output_alone)
{
	static const char *const bad[] = {
		"Type1", "IOMMUFD", "type", "type1 ", " type1", "--type1",
		"vfio", "sim", "noiommu1", "autox",
	};
	enum uvf_vfio_backend b;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		b = (enum uvf_vfio_backend)77;
		ck_assert_msg(uvf_vfio_backend_parse(bad[i], &b) == -EINVAL,
			      "'%s' parsed", bad[i]);
		ck_assert_int_eq(b, 77);
	}
	b = UVF_VFIO_NOIOMMU;
	ck_assert_int_eq(uvf_vfio_backend_parse("", &b), 0);
	ck_assert_int_eq(b, UVF_VFIO_AUTO);
}
END_TEST

static struct fake_vfio fk;

static void setup(void)
{
	fk_init(&fk);
	fk_add_dev(&fk, "0000:00:07.0", 4);
	fk_publish(&fk);
	unsetenv("UVF_VFIO_BACKEND");
}

static void teardown(void)
{
	unsetenv("UVF_VFIO_BACKEND");
	fk_fini(&fk);
}

START_TEST(test_env_overrides_auto_and_bad_env_is_einval)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_AUTO);
	struct uvf_iommu *iommu;

	setenv("UVF_VFIO_BACKEND", "type1", 1);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	/* Decided at open: the container is open already. */
	ck_assert_int_eq(uvf_vfio_backend(iommu), UVF_VFIO_TYPE1);
	ck_assert_str_eq(uvf_iommu_name(iommu), "vfio-type1v2");
	ck_assert_int_ge(uvf_vfio_context_fd(iommu), 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);

	setenv("UVF_VFIO_BACKEND", "vfio", 1);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EINVAL);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}
END_TEST

START_TEST(test_explicit_option_wins_over_env)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);
	struct uvf_iommu *iommu;

	setenv("UVF_VFIO_BACKEND", "noiommu", 1);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_backend(iommu), UVF_VFIO_TYPE1);
	uvf_iommu_destroy(iommu);
}
END_TEST

START_TEST(test_missing_dev_iommu_sends_auto_to_type1)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_AUTO);
	struct uvf_iommu *iommu;
	struct uvf_device *dev;

	/* The fake tree has cdevs but no /dev/iommu. */
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_backend(iommu), UVF_VFIO_AUTO);
	ck_assert_int_eq(uvf_vfio_context_fd(iommu), -ENODEV);
	ck_assert_str_eq(uvf_iommu_name(iommu), "vfio");
	ck_assert_int_eq(uvf_vfio_device_open(iommu, "00:07.0", &dev), 0);
	ck_assert_int_eq(uvf_vfio_backend(iommu), UVF_VFIO_TYPE1);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}
END_TEST

START_TEST(test_explicit_iommufd_without_kernel_support_is_enotsup)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_IOMMUFD);
	struct uvf_iommu *iommu;

	/* Compiled out, or no /dev/iommu in the fake tree: either way. */
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -ENOTSUP);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}
END_TEST

START_TEST(test_iommufd_open_follows_the_build)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_IOMMUFD);
	struct uvf_iommu *iommu;
	char path[PATH_MAX];
	FILE *f;
	int ret;

	fake_fmt(path, sizeof(path), "%s/iommu", fk.fs.dev);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ret = vfio_open_sys(&o, &fk.sys, &iommu);
	ck_assert_int_eq(uvf_vfio_iommufd_compiled(),
			 vfio_iommufd_backend() != NULL);
	if (!uvf_vfio_iommufd_compiled()) {
		/* Built without linux/iommufd.h: never, kernel or not. */
		ck_assert_int_eq(ret, -ENOTSUP);
		return;
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(uvf_vfio_backend(iommu), UVF_VFIO_IOMMUFD);
	ck_assert_str_eq(uvf_iommu_name(iommu), "vfio-iommufd");
	uvf_iommu_destroy(iommu);
}
END_TEST

START_TEST(test_bad_options_are_einval)
{
	struct uvf_vfio_opts o = fk_opts(&fk, (enum uvf_vfio_backend)7);
	struct uvf_iommu *iommu;

	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EINVAL);
	o = fk_opts(&fk, UVF_VFIO_TYPE1);
	o.iova_last = 0x10000000;	/* not one below a page boundary */
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EINVAL);
	o.iova_last = 0xfff;		/* page zero only */
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EINVAL);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, NULL), -EINVAL);
	ck_assert_int_eq(uvf_vfio_backend(NULL), -EINVAL);
}
END_TEST

START_TEST(test_failed_first_open_leaves_the_context_undecided)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_AUTO);
	struct uvf_iommu *iommu;
	struct uvf_device *dev;

	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	fk.group[0].viable = false;
	ck_assert_int_eq(uvf_vfio_device_open(iommu, "00:07.0", &dev),
			 -EBUSY);
	ck_assert_int_eq(uvf_vfio_backend(iommu), UVF_VFIO_AUTO);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, "00:08.0", &dev),
			 -ENODEV);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, "zz", &dev), -EINVAL);
	fk.group[0].viable = true;
	ck_assert_int_eq(uvf_vfio_device_open(iommu, "00:07.0", &dev), 0);
	uvf_device_close(dev);
	uvf_iommu_destroy(iommu);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_select");
	TCase *rules = tcase_create("rules");
	TCase *open = tcase_create("open");

	tcase_add_test(rules, test_auto_prefers_iommufd_when_everything_is_there);
	tcase_add_test(rules, test_auto_falls_back_to_type1_without_iommufd_pieces);
	tcase_add_test(rules, test_auto_picks_noiommu_for_a_noiommu_group);
	tcase_add_test(rules, test_explicit_choice_the_device_cannot_use_is_enotsup);
	tcase_add_test(rules, test_device_not_on_vfio_is_enodev_for_every_choice);
	tcase_add_test(rules, test_backend_names_parse_back);
	tcase_add_test(rules,
		       test_unknown_backend_names_are_einval_and_leave_output_alone);
	suite_add_tcase(s, rules);

	tcase_add_checked_fixture(open, setup, teardown);
	tcase_add_test(open, test_env_overrides_auto_and_bad_env_is_einval);
	tcase_add_test(open, test_explicit_option_wins_over_env);
	tcase_add_test(open, test_missing_dev_iommu_sends_auto_to_type1);
	tcase_add_test(open, test_explicit_iommufd_without_kernel_support_is_enotsup);
	tcase_add_test(open, test_iommufd_open_follows_the_build);
	tcase_add_test(open, test_bad_options_are_einval);
	tcase_add_test(open, test_failed_first_open_leaves_the_context_undecided);
	suite_add_tcase(s, open);
	return s;
}
