// SPDX-License-Identifier: MIT
/* PCI addresses, enumeration through libpci, attributes and names. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/check_main.h"
#include "fake_sysfs.h"
#include "pci/pci_priv.h"

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

START_TEST(test_bdf_parse_canonicalizes_valid_addresses)
{
	static const char *const in[][2] = {
		{ "0000:00:03.0", "0000:00:03.0" },
		{ "00:1f.7", "0000:00:1f.7" },
		{ "0000:AB:1F.3", "0000:ab:1f.3" },
		{ "10000:00:00.0", "10000:00:00.0" },
		{ "00000001:02:03.4", "0001:02:03.4" },
	};
	char out[UVF_PCI_BDF_LEN];

	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		ck_assert_int_eq(uvf_pci_bdf_parse(in[i][0], out), 0);
		ck_assert_str_eq(out, in[i][1]);
	}
}
END_TEST

START_TEST(test_bad_bdf_strings_are_einval)
{
	static const char *const bad[] = {
		"", "0000:00:03", "0000:00:03.8", "0000:00:20.0",
		"000:00:03.0", "0:3.0", "00:3.0", "0000:00:03.0 ",
		" 0000:00:03.0", "0000:000:03.0", "123456789:00:03.0",
		"0000-00-03.0", "0000:00:03.0.1", "0000:0g:03.0", "00:03.",
		"vfio-pci", "0000:00:03.01",
	};
	char out[UVF_PCI_BDF_LEN];
	struct uvf_pci_dev *dev = NULL;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(uvf_pci_bdf_parse(bad[i], out) == -EINVAL,
			      "'%s' accepted", bad[i]);
		ck_assert_int_eq(uvf_pci_dev_open(ctx, bad[i], &dev), -EINVAL);
		ck_assert_ptr_null(dev);
	}
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx),
				     "is not a PCI address"));
	ck_assert_int_eq(uvf_pci_bdf_parse(NULL, out), -EINVAL);
}
END_TEST

START_TEST(test_missing_device_is_enodev)
{
	struct uvf_pci_dev *dev = NULL;

	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:09.0", &dev),
			 -ENODEV);
	ck_assert_ptr_null(dev);
	ck_assert_str_eq(uvf_pci_ctx_error(ctx), "no PCI device 0000:00:09.0");
}
END_TEST

START_TEST(test_list_enumerates_every_device_sorted_by_address)
{
	static const char *const want[] = {
		"0000:00:01.0", "0000:00:02.0", "0000:00:03.0", "0000:00:04.0",
		"0000:00:05.0", "0000:00:06.0", "0000:01:00.0", "0000:01:00.1",
	};
	struct uvf_pci_list *list;

	/* A second domain whose name sorts wrong as text. */
	fake_device(&fs, &(struct fake_dev){ "10000:00:00.0", 0x8086, 0x10d3,
					     0x020000, 9, NULL, NULL });
	ck_assert_int_eq(uvf_pci_list_new(ctx, &list), 0);
	ck_assert_uint_eq(uvf_pci_list_count(list), 9);
	for (size_t i = 0; i < 8; i++)
		ck_assert_str_eq(uvf_pci_dev_bdf(uvf_pci_list_get(list, i)),
				 want[i]);
	ck_assert_str_eq(uvf_pci_dev_bdf(uvf_pci_list_get(list, 8)),
			 "10000:00:00.0");
	ck_assert_ptr_null(uvf_pci_list_get(list, 9));
	uvf_pci_list_free(list);
}
END_TEST

START_TEST(test_entry_that_is_not_a_device_fails_the_list)
{
	struct uvf_pci_list *list = NULL;
	char path[PATH_MAX];

	/* libpci's scan refuses it (and would leak doing so): -EIO, before
	 * libpci looks; the context works again once it is gone. */
	fake_write(&fs, "bus/pci/devices/junk", "");
	ck_assert_int_eq(uvf_pci_list_new(ctx, &list), -EIO);
	ck_assert_ptr_null(list);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx),
				     "'junk' is not a PCI device"));
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/junk", fs.sys);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(uvf_pci_list_new(ctx, &list), 0);
	ck_assert_uint_eq(uvf_pci_list_count(list), 8);
	uvf_pci_list_free(list);
}
END_TEST

START_TEST(test_missing_bus_directory_is_its_errno)
{
	struct uvf_pci_ctx_opts o = { .sysfs_root = "/nonexistent/sys",
				      .pci_ids = fs.ids };
	struct uvf_pci_list *list = NULL;
	struct uvf_pci_ctx *c;

	ck_assert_int_eq(uvf_pci_ctx_new(&o, &c), 0);
	ck_assert_int_eq(uvf_pci_list_new(c, &list), -ENOENT);
	ck_assert_ptr_null(list);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(c),
				     "/nonexistent/sys/bus/pci/devices"));
	uvf_pci_ctx_free(c);
}
END_TEST

START_TEST(test_device_vanished_between_scan_and_fill_is_left_out)
{
	struct uvf_pci_list *list;
	struct uvf_pci_dev *dev = NULL;
	char path[PATH_MAX];

	/* What a hot-unplug between readdir() and the reads looks like: the
	 * scan sees the name, libpci then cannot open its "vendor". */
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:00:09.0",
		 fs.sys);
	ck_assert_int_eq(symlink("../../../devices/pci0000:00/0000:00:09.0",
				 path), 0);
	ck_assert_int_eq(uvf_pci_list_new(ctx, &list), 0);
	ck_assert_uint_eq(uvf_pci_list_count(list), 8);
	for (size_t i = 0; i < 8; i++)
		ck_assert_str_ne(uvf_pci_dev_bdf(uvf_pci_list_get(list, i)),
				 "0000:00:09.0");
	uvf_pci_list_free(list);
	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:09.0", &dev),
			 -ENODEV);
	ck_assert_ptr_null(dev);
}
END_TEST

START_TEST(test_unreadable_id_attribute_is_eio_with_libpci_message)
{
	struct uvf_pci_list *list = NULL;
	struct uvf_pci_dev *dev = NULL;
	char path[PATH_MAX];

	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:00:03.0/vendor",
		 fs.sys);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:03.0", &dev), -EIO);
	ck_assert_ptr_null(dev);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx), "libpci: "));
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx), "vendor"));
	ck_assert_int_eq(uvf_pci_list_new(ctx, &list), -EIO);
	ck_assert_ptr_null(list);

	/* Nothing of the failure stays behind. */
	fake_write(&fs, "bus/pci/devices/0000:00:03.0/vendor", "0x1af4\n");
	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:03.0", &dev), 0);
	ck_assert_uint_eq(uvf_pci_dev_ids(dev)->vendor, 0x1af4);
	uvf_pci_dev_free(dev);
	ck_assert_int_eq(uvf_pci_list_new(ctx, &list), 0);
	ck_assert_uint_eq(uvf_pci_list_count(list), 8);
	uvf_pci_list_free(list);
}
END_TEST

START_TEST(test_libpci_init_failure_is_eio_and_recoverable)
{
	struct uvf_pci_list *list = NULL;
	struct uvf_pci_dev *dev = NULL;

	/* pci_init() calls the error handler for a method it lacks; the
	 * handler must not return, and must not exit either. */
	ctx->lib_method = 1000;
	ck_assert_int_eq(uvf_pci_list_new(ctx, &list), -EIO);
	ck_assert_ptr_null(list);
	ck_assert_str_eq(uvf_pci_ctx_error(ctx),
			 "libpci: This access method is not supported");
	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:03.0", &dev), -EIO);
	ck_assert_ptr_null(dev);
	ctx->lib_method = 0;
	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:03.0", &dev), 0);
	uvf_pci_dev_free(dev);
}
END_TEST

START_TEST(test_empty_bus_lists_nothing)
{
	struct fake_sysfs empty;
	struct uvf_pci_ctx *c;
	struct uvf_pci_list *list;

	fake_sysfs_create(&empty);
	c = fake_ctx(&empty);
	ck_assert_int_eq(uvf_pci_list_new(c, &list), 0);
	ck_assert_uint_eq(uvf_pci_list_count(list), 0);
	uvf_pci_list_free(list);
	uvf_pci_ctx_free(c);
	fake_sysfs_destroy(&empty);
}
END_TEST

START_TEST(test_attributes_are_parsed)
{
	struct uvf_pci_dev *dev;
	const struct uvf_pci_ids *id;
	struct uvf_pci_resource r;

	ck_assert_int_eq(uvf_pci_dev_open(ctx, "01:00.1", &dev), 0);
	ck_assert_str_eq(uvf_pci_dev_bdf(dev), "0000:01:00.1");
	id = uvf_pci_dev_ids(dev);
	ck_assert_uint_eq(id->vendor, 0x8086);
	ck_assert_uint_eq(id->device, 0x10d3);
	ck_assert_uint_eq(id->subsys_vendor, 0x8086);
	ck_assert_uint_eq(id->subsys_device, 1);
	ck_assert_uint_eq(id->class_code, 0x020000);
	ck_assert_uint_eq(id->revision, 2);
	ck_assert_int_eq(uvf_pci_dev_iommu_group(dev), 1);
	ck_assert_int_eq(uvf_pci_dev_numa_node(dev), 0);
	ck_assert_str_eq(uvf_pci_dev_driver(dev), "e1000e");
	ck_assert_ptr_null(uvf_pci_dev_driver_override(dev));
	ck_assert(!uvf_pci_dev_is_bridge(dev));
	ck_assert(!uvf_pci_dev_vfio_bound(dev));
	ck_assert_ptr_null(uvf_pci_dev_vfio_group_node(dev));
	ck_assert_ptr_null(uvf_pci_dev_vfio_cdev(dev));

	ck_assert_uint_eq(uvf_pci_dev_resource_count(dev), 7);
	ck_assert_int_eq(uvf_pci_dev_resource(dev, 0, &r), 0);
	ck_assert_uint_eq(r.start, 0xfe000000);
	ck_assert_uint_eq(r.end, 0xfe003fff);
	ck_assert_uint_eq(r.raw_flags, 0x14220c);
	ck_assert_uint_eq(r.flags, UVF_PCI_RES_MEM | UVF_PCI_RES_PREFETCH |
				   UVF_PCI_RES_MEM64);
	ck_assert_int_eq(uvf_pci_dev_resource(dev, 1, &r), -ENOENT);
	ck_assert_int_eq(uvf_pci_dev_resource(dev, 2, &r), 0);
	ck_assert_uint_eq(r.start, 0xc000);
	ck_assert_uint_eq(r.flags, UVF_PCI_RES_IO);
	ck_assert_int_eq(uvf_pci_dev_resource(dev, 7, &r), -ERANGE);
	uvf_pci_dev_free(dev);
}
END_TEST

START_TEST(test_device_without_group_driver_or_node_reports_none)
{
	struct uvf_pci_dev *dev;

	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:05.0", &dev), 0);
	ck_assert_int_eq(uvf_pci_dev_iommu_group(dev), -ENOENT);
	ck_assert_int_eq(uvf_pci_dev_numa_node(dev), -ENOENT);
	ck_assert_ptr_null(uvf_pci_dev_driver(dev));
	uvf_pci_dev_free(dev);
}
END_TEST

START_TEST(test_driver_override_is_read_and_null_means_none)
{
	struct uvf_pci_dev *dev;

	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:06.0", &dev), 0);
	ck_assert_str_eq(uvf_pci_dev_driver_override(dev), "virtio-pci");
	uvf_pci_dev_free(dev);
	fake_write(&fs, "bus/pci/devices/0000:00:06.0/driver_override", "\n");
	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:06.0", &dev), 0);
	ck_assert_ptr_null(uvf_pci_dev_driver_override(dev));
	uvf_pci_dev_free(dev);
}
END_TEST

START_TEST(test_bridge_class_is_a_bridge)
{
	struct uvf_pci_dev *dev;

	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:01.0", &dev), 0);
	ck_assert(uvf_pci_dev_is_bridge(dev));
	ck_assert_str_eq(uvf_pci_dev_class_name(dev), "PCI bridge");
	uvf_pci_dev_free(dev);
}
END_TEST

START_TEST(test_names_come_from_the_contexts_pci_ids_through_libpci)
{
	struct uvf_pci_dev *dev;

	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:01:00.0", &dev), 0);
	ck_assert_str_eq(uvf_pci_dev_vendor_name(dev), "Intel Corporation");
	ck_assert_str_eq(uvf_pci_dev_device_name(dev),
			 "82574L Gigabit Network Connection");
	ck_assert_str_eq(uvf_pci_dev_class_name(dev), "Ethernet controller");
	ck_assert_str_eq(uvf_pci_dev_subsys_name(dev),
			 "Intel Corporation Device 0001");
	uvf_pci_dev_free(dev);

	/* 1af4:1000 has a subsystem entry for 1af4:0001. */
	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:03.0", &dev), 0);
	ck_assert_str_eq(uvf_pci_dev_subsys_name(dev),
			 "Red Hat, Inc. Virtio network");
	uvf_pci_dev_free(dev);
}
END_TEST

START_TEST(test_unknown_ids_fall_back_to_hex)
{
	struct uvf_pci_dev *dev;

	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:05.0", &dev), 0);
	ck_assert_str_eq(uvf_pci_dev_vendor_name(dev), "Vendor 1234");
	ck_assert_str_eq(uvf_pci_dev_device_name(dev), "Device 5678");
	ck_assert_str_eq(uvf_pci_dev_class_name(dev), "Class 0b40");
	ck_assert_str_eq(uvf_pci_dev_subsys_name(dev), "Device 1234:0001");
	uvf_pci_dev_free(dev);
}
END_TEST

START_TEST(test_malformed_pci_ids_gives_numbers_and_says_why)
{
	struct uvf_pci_ctx_opts o = { .sysfs_root = fs.sys,
				      .pci_ids = fs.ids };
	struct uvf_pci_ctx *c;
	struct uvf_pci_dev *dev;
	FILE *f = fopen(fs.ids, "w");

	/* libpci's parser calls the error handler, which must not return. */
	ck_assert_ptr_nonnull(f);
	fputs("8086  Intel Corporation\n\tzzzz  not hex\n", f);
	ck_assert_int_eq(fclose(f), 0);
	ck_assert_int_eq(uvf_pci_ctx_new(&o, &c), 0);
	ck_assert_int_eq(uvf_pci_dev_open(c, "0000:01:00.0", &dev), 0);
	ck_assert_str_eq(uvf_pci_dev_vendor_name(dev), "Vendor 8086");
	ck_assert_str_eq(uvf_pci_dev_device_name(dev), "Device 10d3");
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(c),
				     "libpci: Parse error at"));
	uvf_pci_dev_free(dev);
	/* The database is not parsed again for the next device. */
	ck_assert_int_eq(uvf_pci_dev_open(c, "0000:00:03.0", &dev), 0);
	ck_assert_str_eq(uvf_pci_dev_vendor_name(dev), "Vendor 1af4");
	uvf_pci_dev_free(dev);
	uvf_pci_ctx_free(c);
}
END_TEST

START_TEST(test_default_database_is_libpcis)
{
	struct uvf_pci_ctx_opts o = { .sysfs_root = fs.sys };
	struct uvf_pci_ctx *c;
	struct uvf_pci_dev *dev;

	if (access("/usr/share/misc/pci.ids", R_OK) &&
	    access("/usr/share/misc/pci.ids.gz", R_OK) &&
	    access("/usr/share/hwdata/pci.ids", R_OK))
		return;	/* no system database to compare with */
	ck_assert_int_eq(uvf_pci_ctx_new(&o, &c), 0);
	ck_assert_int_eq(uvf_pci_dev_open(c, "0000:01:00.0", &dev), 0);
	ck_assert_str_eq(uvf_pci_dev_vendor_name(dev), "Intel Corporation");
	ck_assert_str_eq(uvf_pci_dev_device_name(dev),
			 "82574L Gigabit Network Connection");
	uvf_pci_dev_free(dev);
	uvf_pci_ctx_free(c);
}
END_TEST

START_TEST(test_missing_or_empty_pci_ids_falls_back_to_hex)
{
	/* A file that is not there, or "" for no database at all. */
	static const char *const files[] = { "/nonexistent/pci.ids", "" };
	struct uvf_pci_ctx_opts o = { .sysfs_root = fs.sys };
	struct uvf_pci_ctx *c;
	struct uvf_pci_dev *dev;

	for (size_t i = 0; i < 2; i++) {
		o.pci_ids = files[i];
		ck_assert_int_eq(uvf_pci_ctx_new(&o, &c), 0);
		ck_assert_int_eq(uvf_pci_dev_open(c, "0000:01:00.0", &dev), 0);
		ck_assert_str_eq(uvf_pci_dev_vendor_name(dev), "Vendor 8086");
		ck_assert_str_eq(uvf_pci_dev_device_name(dev), "Device 10d3");
		ck_assert_str_eq(uvf_pci_dev_class_name(dev), "Class 0200");
		ck_assert_str_eq(uvf_pci_dev_subsys_name(dev),
				 "Device 8086:0001");
		uvf_pci_dev_free(dev);
		uvf_pci_ctx_free(c);
	}
}
END_TEST

START_TEST(test_class_without_subclass_entry_uses_base_class_name)
{
	struct uvf_pci_dev *dev;

	fake_device(&fs, &(struct fake_dev){ "0000:00:07.0", 0x8086, 0x10d3,
					     0x028000, -1, NULL, NULL });
	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:07.0", &dev), 0);
	ck_assert_str_eq(uvf_pci_dev_class_name(dev), "Network controller");
	uvf_pci_dev_free(dev);
}
END_TEST

START_TEST(test_malformed_resource_fails_open)
{
	struct uvf_pci_dev *dev = NULL;

	fake_write(&fs, "bus/pci/devices/0000:00:03.0/resource", "0x1 0x2\n");
	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:03.0", &dev), -EINVAL);
	ck_assert_ptr_null(dev);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx),
				     "cannot read PCI device 0000:00:03.0"));
}
END_TEST

START_TEST(test_group_list_holds_every_member)
{
	struct uvf_pci_list *list;

	ck_assert_int_eq(uvf_pci_group_list(ctx, 1, &list), 0);
	ck_assert_uint_eq(uvf_pci_list_count(list), 3);
	ck_assert_str_eq(uvf_pci_dev_bdf(uvf_pci_list_get(list, 0)),
			 "0000:00:01.0");
	ck_assert_str_eq(uvf_pci_dev_bdf(uvf_pci_list_get(list, 1)),
			 "0000:01:00.0");
	ck_assert_str_eq(uvf_pci_dev_bdf(uvf_pci_list_get(list, 2)),
			 "0000:01:00.1");
	uvf_pci_list_free(list);
	ck_assert_int_eq(uvf_pci_group_list(ctx, 77, &list), -ENOENT);
}
END_TEST

START_TEST(test_vfio_state_shows_group_node_and_cdev)
{
	char path[PATH_MAX];
	struct uvf_pci_dev *dev;

	/* What the kernel shows for a device on vfio-pci. */
	fake_fmt(path, sizeof(path), "%s/vfio", fs.dev);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	fake_fmt(path, sizeof(path), "%s/vfio/4", fs.dev);
	fclose(fopen(path, "w"));
	fake_fmt(path, sizeof(path),
		 "%s/bus/pci/devices/0000:00:04.0/vfio-dev", fs.sys);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	strcat(path, "/vfio3");
	ck_assert_int_eq(mkdir(path, 0755), 0);
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/0000:00:04.0/driver",
		 fs.sys);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink("../../../bus/pci/drivers/vfio-pci", path),
			 0);

	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:04.0", &dev), 0);
	ck_assert(uvf_pci_dev_vfio_bound(dev));
	fake_fmt(path, sizeof(path), "%s/vfio/4", fs.dev);
	ck_assert_str_eq(uvf_pci_dev_vfio_group_node(dev), path);
	fake_fmt(path, sizeof(path), "%s/vfio/devices/vfio3", fs.dev);
	ck_assert_str_eq(uvf_pci_dev_vfio_cdev(dev), path);
	uvf_pci_dev_free(dev);
}
END_TEST

START_TEST(test_noiommu_group_node_is_found)
{
	char path[PATH_MAX];
	struct uvf_pci_dev *dev;

	fake_fmt(path, sizeof(path), "%s/vfio", fs.dev);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	fake_fmt(path, sizeof(path), "%s/vfio/noiommu-3", fs.dev);
	fclose(fopen(path, "w"));
	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:03.0", &dev), 0);
	ck_assert_str_eq(uvf_pci_dev_vfio_group_node(dev), path);
	uvf_pci_dev_free(dev);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pci_dev");
	TCase *tc = tcase_create("dev");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bdf_parse_canonicalizes_valid_addresses);
	tcase_add_test(tc, test_bad_bdf_strings_are_einval);
	tcase_add_test(tc, test_missing_device_is_enodev);
	tcase_add_test(tc, test_list_enumerates_every_device_sorted_by_address);
	tcase_add_test(tc, test_entry_that_is_not_a_device_fails_the_list);
	tcase_add_test(tc, test_missing_bus_directory_is_its_errno);
	tcase_add_test(tc,
		       test_device_vanished_between_scan_and_fill_is_left_out);
	tcase_add_test(tc,
		       test_unreadable_id_attribute_is_eio_with_libpci_message);
	tcase_add_test(tc, test_libpci_init_failure_is_eio_and_recoverable);
	tcase_add_test(tc, test_empty_bus_lists_nothing);
	tcase_add_test(tc, test_attributes_are_parsed);
	tcase_add_test(tc, test_device_without_group_driver_or_node_reports_none);
	tcase_add_test(tc, test_driver_override_is_read_and_null_means_none);
	tcase_add_test(tc, test_bridge_class_is_a_bridge);
	tcase_add_test(tc,
		       test_names_come_from_the_contexts_pci_ids_through_libpci);
	tcase_add_test(tc, test_malformed_pci_ids_gives_numbers_and_says_why);
	tcase_add_test(tc, test_default_database_is_libpcis);
	tcase_add_test(tc, test_unknown_ids_fall_back_to_hex);
	tcase_add_test(tc, test_missing_or_empty_pci_ids_falls_back_to_hex);
	tcase_add_test(tc, test_class_without_subclass_entry_uses_base_class_name);
	tcase_add_test(tc, test_malformed_resource_fails_open);
	tcase_add_test(tc, test_group_list_holds_every_member);
	tcase_add_test(tc, test_vfio_state_shows_group_node_and_cdev);
	tcase_add_test(tc, test_noiommu_group_node_is_found);
	suite_add_tcase(s, tc);
	return s;
}
