// SPDX-License-Identifier: MIT
/*
 * Persistent binding (uvf/pci_persist.h) on fake sysfs trees: the rules a
 * bind plan writes, all or nothing, and their removal with group mates.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uvf/pci_bind.h>
#include <uvf/pci_persist.h>

#include "../common/check_main.h"
#include "fake_sysfs.h"

static struct fake_sysfs fs;
static struct uvf_pci_ctx *ctx;
static char rules[PATH_MAX];

static void setup(void)
{
	fake_sysfs_create(&fs);
	fake_standard(&fs);
	ctx = fake_ctx(&fs);
	fake_fmt(rules, sizeof(rules), "%s/rules.d", fs.top);
	ck_assert_int_eq(mkdir(rules, 0755), 0);
}

static void teardown(void)
{
	uvf_pci_ctx_free(ctx);
	fake_sysfs_destroy(&fs);
}

static void rule_file(const char *bdf, char out[PATH_MAX])
{
	fake_fmt(out, PATH_MAX, "%s/90-uvf-%s.rules", rules, bdf);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* Entries of the rules directory, temporary files included. */
static unsigned int count_entries(void)
{
	DIR *d = opendir(rules);
	struct dirent *de;
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || (de->d_name[1] &&
					      strcmp(de->d_name, ".."));
	closedir(d);
	return n;
}

/* Persists @bdf through a bind plan made with %UVF_PCI_LATER. */
static int persist(const char *bdf, unsigned int flags)
{
	const char *bdfs[] = { bdf };
	struct uvf_pci_plan *plan;
	int ret = uvf_pci_plan_bind(ctx, bdfs, 1, flags | UVF_PCI_LATER, &plan);

	if (ret)
		return ret;
	ret = uvf_pci_persist_write(ctx, plan, rules);
	uvf_pci_plan_free(plan);
	return ret;
}

START_TEST(test_persist_writes_a_rule_for_the_device_and_its_group_mates)
{
	struct uvf_pci_persisted *v;
	char path[PATH_MAX];
	const char *text;
	size_t n;

	ck_assert_int_eq(persist("0000:01:00.0", 0), 2);
	rule_file("0000:01:00.0", path);
	text = slurp(path);
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, "SUBSYSTEM==\"pci\", "
		"KERNEL==\"0000:01:00.0\", ATTR{vendor}==\"0x8086\", "
		"ATTR{device}==\"0x10d3\", ATTR{driver_override}=\"vfio-pci\""));
	ck_assert_ptr_nonnull(strstr(text, "RUN+=\"/sbin/modprobe -bq vfio-pci\""));
	ck_assert_ptr_nonnull(strstr(text, "echo %k > /sys/bus/pci/drivers_probe"));
	/* The bridge of group 1 stays on pcieport: no rule. */
	rule_file("0000:00:01.0", path);
	ck_assert_ptr_null(slurp(path));
	ck_assert_int_eq(uvf_pci_persist_list(rules, &v, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(v[0].bdf, "0000:01:00.0");
	ck_assert_str_eq(v[1].bdf, "0000:01:00.1");
	ck_assert_uint_eq(v[1].vendor, 0x8086);
	ck_assert_uint_eq(v[1].device, 0x10d3);
	ck_assert_str_eq(v[1].driver, "vfio-pci");
	free(v);
	/* Nothing was bound now; no temporary file is left. */
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "e1000e");
	ck_assert_uint_eq(count_entries(), 2);
}
END_TEST

START_TEST(test_persist_again_rewrites_the_same_rules)
{
	char path[PATH_MAX], first[8192];

	ck_assert_int_eq(persist("0000:01:00.1", 0), 2);
	rule_file("0000:01:00.1", path);
	snprintf(first, sizeof(first), "%s", slurp(path));
	ck_assert_int_eq(persist("0000:01:00.1", 0), 2);
	ck_assert_str_eq(slurp(path), first);
	ck_assert_uint_eq(count_entries(), 2);
}
END_TEST

START_TEST(test_persist_does_not_need_vfio_pci_loaded_but_bind_does)
{
	const char *bdfs[] = { "0000:00:04.0" };
	struct uvf_pci_plan *plan;
	char dir[PATH_MAX];

	fake_fmt(dir, sizeof(dir), "%s/bus/pci/drivers/vfio-pci", fs.sys);
	ck_assert_int_eq(fake_rm_tree(dir), 0);
	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bdfs, 1, 0, &plan), -ENOENT);
	ck_assert_int_eq(persist("0000:00:04.0", 0), 1);
}
END_TEST

START_TEST(test_persist_refuses_a_device_the_host_uses_unless_forced)
{
	ck_assert_int_eq(persist("0000:00:02.0", 0), -EBUSY);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx), "mounted"));
	ck_assert_uint_eq(count_entries(), 0);
	ck_assert_int_eq(persist("0000:00:02.0", UVF_PCI_FORCE), 1);
}
END_TEST

START_TEST(test_persist_refuses_a_release_plan_and_a_missing_directory)
{
	const char *bdfs[] = { "0000:00:04.0" };
	struct uvf_pci_plan *plan;
	char missing[PATH_MAX];

	ck_assert_int_eq(uvf_pci_plan_unbind(ctx, bdfs, 1, NULL, &plan), 0);
	ck_assert_int_eq(uvf_pci_persist_write(ctx, plan, rules), -EINVAL);
	uvf_pci_plan_free(plan);
	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bdfs, 1, 0, &plan), 0);
	fake_fmt(missing, sizeof(missing), "%s/no-such-dir", fs.top);
	ck_assert_int_eq(uvf_pci_persist_write(ctx, plan, missing), -ENOENT);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx), missing));
	uvf_pci_plan_free(plan);
	ck_assert_uint_eq(count_entries(), 0);
}
END_TEST

/*
 * The n-th rename or unlink fails as the file system's would: both are
 * wrapped at link time (tests/unit/pci/meson.build).
 */
static unsigned int renames, fail_rename_at, unlinks, fail_unlink_at;

int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);
int __real_unlink(const char *path);
int __wrap_unlink(const char *path);

int __wrap_rename(const char *from, const char *to)
{
	if (fail_rename_at && ++renames == fail_rename_at) {
		errno = EIO;
		return -1;
	}
	return __real_rename(from, to);
}

int __wrap_unlink(const char *path)
{
	if (fail_unlink_at && ++unlinks == fail_unlink_at) {
		errno = EIO;
		return -1;
	}
	return __real_unlink(path);
}

static void fail_nth(unsigned int rename_n, unsigned int unlink_n)
{
	renames = unlinks = 0;
	fail_rename_at = rename_n;
	fail_unlink_at = unlink_n;
}

/*
 * The second rule of a group cannot be put in place: the first, already
 * renamed over an older rule, gets that rule back (or, new, is removed),
 * and no temporary file stays.
 */
START_TEST(test_persist_failing_half_way_puts_the_old_rules_back)
{
	static const char older[] = "# uvf-bind persistent binding\n# older\n";
	char path[PATH_MAX], second[PATH_MAX];
	FILE *f;

	rule_file("0000:01:00.0", path);
	rule_file("0000:01:00.1", second);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(older, f);
	fclose(f);
	fail_nth(2, 0);
	ck_assert_int_eq(persist("0000:01:00.0", 0), -EIO);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx), second));
	ck_assert_str_eq(slurp(path), older);
	ck_assert_ptr_null(slurp(second));
	ck_assert_uint_eq(count_entries(), 1);
	ck_assert_int_eq(unlink(path), 0);
	fail_nth(2, 0);
	ck_assert_int_eq(persist("0000:01:00.1", 0), -EIO);
	ck_assert_uint_eq(count_entries(), 0);
	fail_nth(0, 0);
}
END_TEST

START_TEST(test_unpersist_failing_half_way_puts_the_rules_back)
{
	const char *bdfs[] = { "0000:01:00.0" };
	char path[PATH_MAX], first[8192];

	ck_assert_int_eq(persist("0000:01:00.0", 0), 2);
	rule_file("0000:01:00.0", path);
	snprintf(first, sizeof(first), "%s", slurp(path));
	fail_nth(0, 2);
	ck_assert_int_eq(uvf_pci_persist_remove(ctx, bdfs, 1, rules, false),
			 -EIO);
	fail_nth(0, 0);
	ck_assert_str_eq(slurp(path), first);
	ck_assert_uint_eq(count_entries(), 2);
}
END_TEST

START_TEST(test_unpersist_removes_the_group_and_leaves_the_driver)
{
	const char *bdfs[] = { "0000:01:00.1" };
	struct uvf_pci_persisted *v;
	size_t n;

	ck_assert_int_eq(persist("0000:01:00.0", 0), 2);
	ck_assert_int_eq(persist("0000:00:04.0", 0), 1);
	ck_assert_int_eq(uvf_pci_persist_remove(ctx, bdfs, 1, rules, true), 2);
	ck_assert_uint_eq(count_entries(), 3);
	ck_assert_int_eq(uvf_pci_persist_remove(ctx, bdfs, 1, rules, false), 2);
	ck_assert_int_eq(uvf_pci_persist_list(rules, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(v[0].bdf, "0000:00:04.0");
	free(v);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "e1000e");
}
END_TEST

START_TEST(test_unpersist_without_a_rule_or_address_removes_nothing)
{
	const char *some_missing[] = { "0000:01:00.0", "0000:00:03.0" };
	const char *bad[] = { "01:00" };

	ck_assert_int_eq(persist("0000:01:00.0", 0), 2);
	ck_assert_int_eq(uvf_pci_persist_remove(ctx, some_missing, 2, rules,
						false), -ENOENT);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx),
				     "0000:00:03.0 has no persistent binding"));
	ck_assert_int_eq(uvf_pci_persist_remove(ctx, bad, 1, rules, false),
			 -EINVAL);
	ck_assert_int_eq(uvf_pci_persist_remove(ctx, bad, 0, rules, false),
			 -EINVAL);
	ck_assert_uint_eq(count_entries(), 2);
}
END_TEST

START_TEST(test_unpersist_of_a_removed_device_drops_its_own_rule)
{
	const char *bdfs[] = { "0000:00:04.0" };
	char dev[PATH_MAX];

	ck_assert_int_eq(persist("0000:00:04.0", 0), 1);
	fake_fmt(dev, sizeof(dev), "%s/bus/pci/devices/0000:00:04.0", fs.sys);
	ck_assert_int_eq(unlink(dev), 0);
	ck_assert_int_eq(uvf_pci_persist_remove(ctx, bdfs, 1, rules, false), 1);
	ck_assert_uint_eq(count_entries(), 0);
}
END_TEST

START_TEST(test_list_reads_only_uvf_rules_and_rejects_edited_ones)
{
	struct uvf_pci_persisted *v;
	char path[PATH_MAX], missing[PATH_MAX];
	size_t n = 99;
	FILE *f;

	fake_fmt(missing, sizeof(missing), "%s/none", fs.top);
	ck_assert_int_eq(uvf_pci_persist_list(missing, &v, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(v);
	fake_fmt(path, sizeof(path), "%s/70-other.rules", rules);
	f = fopen(path, "w");
	fputs("SUBSYSTEM==\"net\", NAME=\"x\"\n", f);
	fclose(f);
	ck_assert_int_eq(persist("0000:00:04.0", 0), 1);
	ck_assert_int_eq(uvf_pci_persist_list(rules, &v, &n), 0);
	ck_assert_uint_eq(n, 1);
	free(v);
	rule_file("0000:00:04.0", path);
	f = fopen(path, "w");
	fputs("# uvf-bind persistent binding\nACTION==\"add\", KERNEL==\"x\"\n",
	      f);
	fclose(f);
	ck_assert_int_eq(uvf_pci_persist_list(rules, &v, &n), -EBADMSG);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pci_persist");
	TCase *tc = tcase_create("persist");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_persist_writes_a_rule_for_the_device_and_its_group_mates);
	tcase_add_test(tc, test_persist_again_rewrites_the_same_rules);
	tcase_add_test(tc, test_persist_does_not_need_vfio_pci_loaded_but_bind_does);
	tcase_add_test(tc, test_persist_refuses_a_device_the_host_uses_unless_forced);
	tcase_add_test(tc, test_persist_refuses_a_release_plan_and_a_missing_directory);
	tcase_add_test(tc, test_persist_failing_half_way_puts_the_old_rules_back);
	tcase_add_test(tc, test_unpersist_failing_half_way_puts_the_rules_back);
	tcase_add_test(tc, test_unpersist_removes_the_group_and_leaves_the_driver);
	tcase_add_test(tc, test_unpersist_without_a_rule_or_address_removes_nothing);
	tcase_add_test(tc, test_unpersist_of_a_removed_device_drops_its_own_rule);
	tcase_add_test(tc, test_list_reads_only_uvf_rules_and_rejects_edited_ones);
	suite_add_tcase(s, tc);
	return s;
}
