// SPDX-License-Identifier: MIT
/*
 * SR-IOV through sysfs (uvf/pci_sriov.h) against a fake tree whose kernel,
 * pci_emulate_kernel(), creates and removes VFs on sriov_numvfs writes.
 */
#include <errno.h>
#include <string.h>

#include <uvf/pci_sriov.h>

#include "../common/check_main.h"
#include "fake_sysfs.h"
#include "pci/write_hook.h"
#include "pci_emulate.h"

#define PF "0000:00:07.0"

static struct fake_sysfs fs;
static struct uvf_pci_ctx *ctx;
static int writes;

static int count_hook(struct uvf_pci_ctx *c, const char *attr,
		      const char *value, void *arg)
{
	writes++;
	return pci_emulate_kernel(c, attr, value, arg);
}

/* The standard machine plus an NVMe PF on vfio-pci offering 2 VFs, with
 * vfio-pci's enable_sriov on. */
static void setup(void)
{
	fake_sysfs_create(&fs);
	fake_standard(&fs);
	fake_device(&fs, &(struct fake_dev){ PF, 0x1b36, 0x0010, 0x010802, 7,
					     "vfio-pci", NULL });
	fake_sriov_pf(&fs, PF, 2, 0x0010);
	fake_write(&fs, "module/vfio_pci/parameters/enable_sriov", "Y\n");
	ctx = fake_ctx(&fs);
	pci_ctx_set_write_hook(ctx, count_hook, NULL);
	writes = 0;
}

static void teardown(void)
{
	uvf_pci_ctx_free(ctx);
	fake_sysfs_destroy(&fs);
}

START_TEST(test_totalvfs_and_numvfs_read_the_pf_attributes)
{
	unsigned int total = 99, num = 99;

	ck_assert_int_eq(uvf_pci_sriov_totalvfs(ctx, "00:07.0", &total), 0);
	ck_assert_uint_eq(total, 2);
	ck_assert_int_eq(uvf_pci_sriov_numvfs(ctx, PF, &num), 0);
	ck_assert_uint_eq(num, 0);
}
END_TEST

START_TEST(test_creating_vfs_links_them_and_binds_them_to_vfio)
{
	char vf[UVF_PCI_BDF_LEN], pf[UVF_PCI_BDF_LEN];
	unsigned int num;

	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 2), 0);
	ck_assert_int_eq(uvf_pci_sriov_numvfs(ctx, PF, &num), 0);
	ck_assert_uint_eq(num, 2);
	ck_assert_int_eq(uvf_pci_sriov_vf(ctx, PF, 0, vf), 0);
	ck_assert_str_eq(vf, "0000:00:07.1");
	ck_assert_int_eq(uvf_pci_sriov_vf(ctx, PF, 1, vf), 0);
	ck_assert_str_eq(vf, "0000:00:07.2");
	ck_assert_int_eq(uvf_pci_sriov_physfn(ctx, vf, pf), 0);
	ck_assert_str_eq(pf, PF);
	/* vfio-pci steers the VFs of its PFs to itself. */
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:07.1"), "vfio-pci");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:07.2"), "vfio-pci");
}
END_TEST

START_TEST(test_zero_removes_every_vf)
{
	char vf[UVF_PCI_BDF_LEN], path[PATH_MAX];
	unsigned int num;

	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 2), 0);
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 0), 0);
	ck_assert_int_eq(uvf_pci_sriov_numvfs(ctx, PF, &num), 0);
	ck_assert_uint_eq(num, 0);
	ck_assert_int_eq(uvf_pci_sriov_vf(ctx, PF, 0, vf), -ENODEV);
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:00:07.1",
		 fs.sys);
	ck_assert(!fake_exists(path));
	ck_assert_str_eq(fake_driver_of(&fs, PF), "vfio-pci");
	ck_assert_int_eq(uvf_pci_sriov_physfn(ctx, "0000:00:07.1", vf),
			 -ENODEV);
}
END_TEST

START_TEST(test_same_number_again_writes_nothing)
{
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 1), 0);
	ck_assert_int_eq(writes, 1);
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 1), 0);
	ck_assert_int_eq(writes, 1);
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, "0000:00:07.0", 0), 0);
	ck_assert_int_eq(writes, 2);
}
END_TEST

START_TEST(test_more_than_totalvfs_is_erange_and_changes_nothing)
{
	unsigned int num;

	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 3), -ERANGE);
	ck_assert_int_eq(writes, 0);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx), "at most 2"));
	ck_assert_int_eq(uvf_pci_sriov_numvfs(ctx, PF, &num), 0);
	ck_assert_uint_eq(num, 0);
}
END_TEST

START_TEST(test_changing_a_nonzero_number_is_ebusy)
{
	unsigned int num;

	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 1), 0);
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 2), -EBUSY);
	ck_assert_int_eq(writes, 1);
	ck_assert_int_eq(uvf_pci_sriov_numvfs(ctx, PF, &num), 0);
	ck_assert_uint_eq(num, 1);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:07.1"), "vfio-pci");
}
END_TEST

START_TEST(test_vfio_without_enable_sriov_is_enoent)
{
	unsigned int num;

	fake_write(&fs, "module/vfio_pci/parameters/enable_sriov", "N\n");
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 1), -ENOENT);
	ck_assert_int_eq(uvf_pci_sriov_numvfs(ctx, PF, &num), 0);
	ck_assert_uint_eq(num, 0);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx), "sriov_numvfs"));
}
END_TEST

START_TEST(test_unbound_pf_is_enoent)
{
	unsigned int num;

	fake_device(&fs, &(struct fake_dev){ "0000:00:08.0", 0x1b36, 0x0010,
					     0x010802, 8, NULL, NULL });
	fake_sriov_pf(&fs, "0000:00:08.0", 2, 0x0010);
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, "0000:00:08.0", 1),
			 -ENOENT);
	ck_assert_int_eq(uvf_pci_sriov_numvfs(ctx, "0000:00:08.0", &num), 0);
	ck_assert_uint_eq(num, 0);
}
END_TEST

START_TEST(test_function_without_sriov_is_enotsup)
{
	char out[UVF_PCI_BDF_LEN];
	unsigned int n;

	ck_assert_int_eq(uvf_pci_sriov_totalvfs(ctx, "0000:00:03.0", &n),
			 -ENOTSUP);
	ck_assert_int_eq(uvf_pci_sriov_numvfs(ctx, "0000:00:03.0", &n),
			 -ENOTSUP);
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, "0000:00:03.0", 1),
			 -ENOTSUP);
	ck_assert_int_eq(uvf_pci_sriov_vf(ctx, "0000:00:03.0", 0, out),
			 -ENODEV);
	ck_assert_int_eq(uvf_pci_sriov_physfn(ctx, "0000:00:03.0", out),
			 -ENOENT);
}
END_TEST

START_TEST(test_bad_and_missing_addresses)
{
	char out[UVF_PCI_BDF_LEN];
	unsigned int n;

	ck_assert_int_eq(uvf_pci_sriov_totalvfs(ctx, "07.0", &n), -EINVAL);
	ck_assert_int_eq(uvf_pci_sriov_numvfs(ctx, "x", &n), -EINVAL);
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, "", 1), -EINVAL);
	ck_assert_int_eq(uvf_pci_sriov_vf(ctx, "zz", 0, out), -EINVAL);
	ck_assert_int_eq(uvf_pci_sriov_physfn(ctx, "zz", out), -EINVAL);
	ck_assert_int_eq(uvf_pci_sriov_totalvfs(ctx, "0000:00:1f.0", &n),
			 -ENODEV);
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, "0000:00:1f.0", 1),
			 -ENODEV);
	ck_assert_int_eq(uvf_pci_sriov_vf(ctx, "0000:00:1f.0", 0, out),
			 -ENODEV);
	ck_assert_int_eq(uvf_pci_sriov_physfn(ctx, "0000:00:1f.0", out),
			 -ENODEV);
}
END_TEST

START_TEST(test_unparsable_attribute_is_einval)
{
	unsigned int n;

	fake_write(&fs, "bus/pci/devices/" PF "/sriov_totalvfs", "lots\n");
	ck_assert_int_eq(uvf_pci_sriov_totalvfs(ctx, PF, &n), -EINVAL);
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 1), -EINVAL);
	fake_write(&fs, "bus/pci/devices/" PF "/sriov_totalvfs", "-1\n");
	ck_assert_int_eq(uvf_pci_sriov_totalvfs(ctx, PF, &n), -EINVAL);
}
END_TEST

START_TEST(test_pf_driver_without_autoprobe_leaves_vfs_unbound)
{
	fake_write(&fs, "bus/pci/devices/" PF "/sriov_drivers_autoprobe",
		   "0\n");
	ck_assert_int_eq(uvf_pci_sriov_set_numvfs(ctx, PF, 1), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:07.1"), "");
	ck_assert_str_eq(fake_read(&fs, "bus/pci/devices/0000:00:07.1/"
				       "driver_override"), "vfio-pci");
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pci_sriov");
	TCase *tc = tcase_create("sriov");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_totalvfs_and_numvfs_read_the_pf_attributes);
	tcase_add_test(tc, test_creating_vfs_links_them_and_binds_them_to_vfio);
	tcase_add_test(tc, test_zero_removes_every_vf);
	tcase_add_test(tc, test_same_number_again_writes_nothing);
	tcase_add_test(tc, test_more_than_totalvfs_is_erange_and_changes_nothing);
	tcase_add_test(tc, test_changing_a_nonzero_number_is_ebusy);
	tcase_add_test(tc, test_vfio_without_enable_sriov_is_enoent);
	tcase_add_test(tc, test_unbound_pf_is_enoent);
	tcase_add_test(tc, test_function_without_sriov_is_enotsup);
	tcase_add_test(tc, test_bad_and_missing_addresses);
	tcase_add_test(tc, test_unparsable_attribute_is_einval);
	tcase_add_test(tc, test_pf_driver_without_autoprobe_leaves_vfs_unbound);
	suite_add_tcase(s, tc);
	return s;
}
