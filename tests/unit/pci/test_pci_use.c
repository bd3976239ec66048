// SPDX-License-Identifier: MIT
/* Detection of devices the host is using: mounts, swap, network links. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uvf/pci_bind.h>

#include "../common/check_main.h"
#include "fake_sysfs.h"

static struct fake_sysfs fs;
static struct uvf_pci_ctx *ctx;

static void setup(void)
{
	fake_sysfs_create(&fs);
	fake_standard(&fs);
	ctx = fake_ctx(&fs);
}

static void teardown(void)
{
	uvf_pci_ctx_free(ctx);
	fake_sysfs_destroy(&fs);
}

/* uvf_pci_dev_in_use() of @bdf, with its description in @why. */
static int use_of(const char *bdf, char *why, size_t len)
{
	struct uvf_pci_dev *dev;
	int use;

	ck_assert_int_eq(uvf_pci_dev_open(ctx, bdf, &dev), 0);
	use = uvf_pci_dev_in_use(ctx, dev, why, len);
	uvf_pci_dev_free(dev);
	return use;
}

START_TEST(test_mounted_partition_by_devnum_is_in_use)
{
	char why[256];

	ck_assert_int_eq(use_of("0000:00:02.0", why, sizeof(why)),
			 UVF_PCI_USE_MOUNT);
	ck_assert_str_eq(why, "backs mounted filesystem /dev/vda1 (on /)");
}
END_TEST

START_TEST(test_mount_matched_by_number_when_source_is_dev_root)
{
	char why[256];

	/* The kernel may show the root as /dev/root; the number decides. */
	fake_write(&fs, "../mountinfo", "");
	fake_mount(&fs, "254:0", "/dev/root", "/");
	ck_assert_int_eq(use_of("0000:00:02.0", why, sizeof(why)),
			 UVF_PCI_USE_MOUNT);
	ck_assert_str_eq(why, "backs mounted filesystem /dev/root (on /)");
}
END_TEST

START_TEST(test_proc_mounts_format_is_matched_by_name)
{
	char why[256];

	fake_write(&fs, "../mountinfo",
		   "proc /proc proc rw 0 0\n"
		   "/dev/vda1 /srv\\040data ext4 rw 0 0\n");
	ck_assert_int_eq(use_of("0000:00:02.0", why, sizeof(why)),
			 UVF_PCI_USE_MOUNT);
	ck_assert_str_eq(why, "backs mounted filesystem /dev/vda1 (on /srv data)");
}
END_TEST

START_TEST(test_unmounted_disk_is_free)
{
	char why[256] = "stale";

	fake_write(&fs, "../mountinfo", "");
	fake_mount(&fs, "0:22", "tmpfs", "/tmp");
	ck_assert_int_eq(use_of("0000:00:02.0", why, sizeof(why)),
			 UVF_PCI_USE_NONE);
	ck_assert_str_eq(why, "");
}
END_TEST

START_TEST(test_mounted_device_mapper_on_partition_is_in_use)
{
	char why[256];

	fake_write(&fs, "../mountinfo", "");
	fake_dm(&fs, "dm-0", "vg-root", "253:0", "vda", "vda1");
	fake_mount(&fs, "253:0", "/dev/mapper/vg-root", "/home");
	ck_assert_int_eq(use_of("0000:00:02.0", why, sizeof(why)),
			 UVF_PCI_USE_MOUNT);
	ck_assert_str_eq(why,
			 "backs mounted filesystem /dev/mapper/vg-root (on /home)");
	/* By name alone, as /proc/mounts shows it. */
	fake_write(&fs, "../mountinfo", "/dev/mapper/vg-root /home xfs rw 0 0\n");
	ck_assert_int_eq(use_of("0000:00:02.0", why, sizeof(why)),
			 UVF_PCI_USE_MOUNT);
}
END_TEST

START_TEST(test_active_swap_is_in_use)
{
	char why[256];

	fake_write(&fs, "../mountinfo", "");
	fake_partition(&fs, "vda", "vda2", "254:2");
	fake_swap(&fs, "/dev/vda2");
	ck_assert_int_eq(use_of("0000:00:02.0", why, sizeof(why)),
			 UVF_PCI_USE_SWAP);
	ck_assert_str_eq(why, "backs active swap /dev/vda2");
}
END_TEST

START_TEST(test_interface_that_is_up_is_in_use)
{
	char why[256];

	ck_assert_int_eq(use_of("0000:00:03.0", why, sizeof(why)),
			 UVF_PCI_USE_NET);
	ck_assert_str_eq(why, "owns network interface eth0, which is up");
}
END_TEST

START_TEST(test_interface_up_without_carrier_is_in_use)
{
	fake_write(&fs, "class/net/eth1/flags", "0x1003\n");
	ck_assert_int_eq(use_of("0000:00:04.0", NULL, 0), UVF_PCI_USE_NET);
}
END_TEST

START_TEST(test_interface_that_is_down_is_free)
{
	ck_assert_int_eq(use_of("0000:00:04.0", NULL, 0), UVF_PCI_USE_NONE);
}
END_TEST

START_TEST(test_unreadable_mount_table_is_an_error)
{
	struct uvf_pci_ctx_opts o = { .sysfs_root = fs.sys,
				      .mounts = "/nonexistent/mountinfo",
				      .pci_ids = fs.ids };
	struct uvf_pci_ctx *c;
	struct uvf_pci_dev *dev;

	ck_assert_int_eq(uvf_pci_ctx_new(&o, &c), 0);
	ck_assert_int_eq(uvf_pci_dev_open(c, "0000:00:02.0", &dev), 0);
	ck_assert_int_eq(uvf_pci_dev_in_use(c, dev, NULL, 0), -ENOENT);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(c),
				     "cannot read mount table"));
	uvf_pci_dev_free(dev);
	/* A device without disks never needs the table. */
	ck_assert_int_eq(uvf_pci_dev_open(c, "0000:00:04.0", &dev), 0);
	ck_assert_int_eq(uvf_pci_dev_in_use(c, dev, NULL, 0),
			 UVF_PCI_USE_NONE);
	uvf_pci_dev_free(dev);
	uvf_pci_ctx_free(c);
}
END_TEST

START_TEST(test_device_of_another_disk_is_free)
{
	/* vda hangs off 00:02.0; 01:00.0 (on a bridge) has nothing. */
	ck_assert_int_eq(use_of("0000:01:00.0", NULL, 0), UVF_PCI_USE_NONE);
}
END_TEST

START_TEST(test_disk_below_a_bridge_makes_the_bridge_in_use)
{
	fake_disk(&fs, "nvme0n1", "0000:01:00.1", "259:0");
	fake_mount(&fs, "259:0", "/dev/nvme0n1", "/data");
	ck_assert_int_eq(use_of("0000:01:00.1", NULL, 0), UVF_PCI_USE_MOUNT);
	ck_assert_int_eq(use_of("0000:00:01.0", NULL, 0), UVF_PCI_USE_MOUNT);
	ck_assert_int_eq(use_of("0000:01:00.0", NULL, 0), UVF_PCI_USE_NONE);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pci_use");
	TCase *tc = tcase_create("use");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_mounted_partition_by_devnum_is_in_use);
	tcase_add_test(tc, test_mount_matched_by_number_when_source_is_dev_root);
	tcase_add_test(tc, test_proc_mounts_format_is_matched_by_name);
	tcase_add_test(tc, test_unmounted_disk_is_free);
	tcase_add_test(tc, test_mounted_device_mapper_on_partition_is_in_use);
	tcase_add_test(tc, test_active_swap_is_in_use);
	tcase_add_test(tc, test_interface_that_is_up_is_in_use);
	tcase_add_test(tc, test_interface_up_without_carrier_is_in_use);
	tcase_add_test(tc, test_interface_that_is_down_is_free);
	tcase_add_test(tc, test_unreadable_mount_table_is_an_error);
	tcase_add_test(tc, test_device_of_another_disk_is_free);
	tcase_add_test(tc, test_disk_below_a_bridge_makes_the_bridge_in_use);
	suite_add_tcase(s, tc);
	return s;
}
