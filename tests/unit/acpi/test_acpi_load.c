/* SPDX-License-Identifier: MIT */
/* Loading tables from files and from a tables directory. */
#include <check.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uvf/acpi.h>

#include "../common/check_main.h"
#include "acpi_test.h"
#include "sample_tables.h"

static char dir[PATH_MAX];

static void make_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	int n = snprintf(dir, sizeof(dir), "%s/uvf-acpi-XXXXXX",
			 tmp ? tmp : "/tmp");

	ck_assert(n > 0 && n < (int)sizeof(dir));
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void path_in_dir(char *path, const char *name)
{
	int n = snprintf(path, PATH_MAX, "%s/%s", dir, name);

	ck_assert(n > 0 && n < PATH_MAX);
}

static void write_file(const char *name, const uint8_t *p, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	path_in_dir(path, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

static void remove_dir(void)
{
	static const char *const names[] = { "DMAR", "IVRS", "IORT", "t" };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		path_in_dir(path, names[i]);
		unlink(path);
	}
	path_in_dir(path, "sub");
	rmdir(path);
	rmdir(dir);
}

START_TEST(test_load_reads_table_file)
{
	struct uvf_direct_regions out = { 0 };
	char path[PATH_MAX];
	struct tb b;

	make_dir();
	sample_dmar(&b);
	write_file("t", b.p, b.len);
	path_in_dir(path, "t");
	ck_assert_int_eq(uvf_acpi_load("DMAR", path, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 3);
	ck_assert_uint_eq(out.v[0].rid_first, 0x00a0);
	ck_assert_uint_eq(out.nr_unresolved, 3);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
	remove_dir();
}
END_TEST

/* uvf_acpi_load() on @path fails with @want and leaves @out alone. */
static void ck_load_fails(const char *sig, const char *path, int want)
{
	struct uvf_direct_regions out;
	struct regions_snapshot snap;

	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	ck_assert_int_eq(uvf_acpi_load(sig, path, NULL, NULL, &out), want);
	snapshot_check_unchanged(&snap, &out);
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
}

START_TEST(test_load_missing_file_is_enoent)
{
	char path[PATH_MAX];

	make_dir();
	path_in_dir(path, "DMAR");
	ck_load_fails("DMAR", path, -ENOENT);
	remove_dir();
}
END_TEST

START_TEST(test_load_other_signature_in_file_is_eproto)
{
	char path[PATH_MAX];
	struct tb b;

	make_dir();
	sample_ivrs(&b);
	write_file("t", b.p, b.len);
	path_in_dir(path, "t");
	ck_load_fails("DMAR", path, -EPROTO);
	tb_free(&b);
	remove_dir();
}
END_TEST

START_TEST(test_load_unknown_signature_argument_is_eprotonosupport)
{
	ck_load_fails("SSDT", "/nonexistent", -EPROTONOSUPPORT);
	ck_load_fails("DMA", "/nonexistent", -EPROTONOSUPPORT);
	ck_load_fails(NULL, "/nonexistent", -EINVAL);
}
END_TEST

START_TEST(test_load_truncated_file_is_ebadmsg)
{
	char path[PATH_MAX];
	struct tb b;

	make_dir();
	sample_iort(&b, 5, &(struct iort_layout){ 0 });
	path_in_dir(path, "t");
	write_file("t", b.p, b.len - 1);
	ck_load_fails("IORT", path, -EBADMSG);
	write_file("t", b.p, 40);
	ck_load_fails("IORT", path, -EBADMSG);
	write_file("t", b.p, 20);
	ck_load_fails("IORT", path, -EBADMSG);
	write_file("t", b.p, 0);
	ck_load_fails("IORT", path, -EBADMSG);
	tb_free(&b);
	remove_dir();
}
END_TEST

START_TEST(test_load_directory_fails_with_read_error)
{
	char path[PATH_MAX];

	make_dir();
	path_in_dir(path, "sub");
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_load_fails("DMAR", path, -EISDIR);
	remove_dir();
}
END_TEST

START_TEST(test_load_system_merges_present_tables)
{
	struct uvf_direct_regions out;
	struct tb d, i;

	make_dir();
	sample_dmar(&d);
	sample_iort(&i, 5, &(struct iort_layout){ 0 });
	write_file("DMAR", d.p, d.len);
	write_file("IORT", i.p, i.len);
	regions_with_sentinel(&out);
	ck_assert_int_eq(uvf_acpi_load_system(dir, &out), 0);
	ck_assert_uint_eq(out.nr, 1 + 3 + 5);
	ck_assert_uint_eq(out.nr_unresolved, 3 + 3 + 4);
	ck_assert_int_eq(out.v[1].source, UVF_DIRECT_DMAR_RMRR);
	ck_assert_int_eq(out.v[4].source, UVF_DIRECT_IORT_RMR);
	uvf_direct_regions_fini(&out);
	tb_free(&d);
	tb_free(&i);
	remove_dir();
}
END_TEST

START_TEST(test_load_system_without_tables_adds_nothing)
{
	struct uvf_direct_regions out;
	struct regions_snapshot snap;

	make_dir();
	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	ck_assert_int_eq(uvf_acpi_load_system(dir, &out), 0);
	snapshot_check_unchanged(&snap, &out);
	remove_dir();
	/* no tables directory at all (a device-tree system) */
	ck_assert_int_eq(uvf_acpi_load_system(dir, &out), 0);
	snapshot_check_unchanged(&snap, &out);
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
}
END_TEST

START_TEST(test_load_system_malformed_table_fails_whole_call)
{
	struct uvf_direct_regions out;
	struct regions_snapshot snap;
	struct tb d, v;

	make_dir();
	sample_dmar(&d);
	sample_ivrs(&v);
	v.p[9]++;
	write_file("DMAR", d.p, d.len);
	write_file("IVRS", v.p, v.len);
	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	ck_assert_int_eq(uvf_acpi_load_system(dir, &out), -EBADMSG);
	snapshot_check_unchanged(&snap, &out);
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
	ck_assert_int_eq(uvf_acpi_load_system(dir, NULL), -EINVAL);
	tb_free(&d);
	tb_free(&v);
	remove_dir();
}
END_TEST

START_TEST(test_load_system_overlong_root_is_enametoolong)
{
	struct uvf_direct_regions out;
	struct regions_snapshot snap;
	char *root = malloc(PATH_MAX + 1);

	ck_assert_ptr_nonnull(root);
	memset(root, 'a', PATH_MAX);
	root[0] = '/';
	root[PATH_MAX] = '\0';
	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	ck_assert_int_eq(uvf_acpi_load_system(root, &out), -ENAMETOOLONG);
	snapshot_check_unchanged(&snap, &out);
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
	free(root);
}
END_TEST

/* Whatever this host has, NULL must mean the sysfs tables. */
START_TEST(test_default_paths_are_sysfs_tables)
{
	static const char *const sigs[] = { "DMAR", "IVRS", "IORT" };
	struct uvf_direct_regions a = { 0 }, b = { 0 };
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/sys/firmware/acpi/tables/%s",
			 sigs[i]);
		ck_assert_int_eq(uvf_acpi_load(sigs[i], NULL, NULL, NULL, &a),
				 uvf_acpi_load(sigs[i], path, NULL, NULL, &b));
	}
	ck_assert_int_eq(uvf_acpi_load_system(NULL, &a),
			 uvf_acpi_load_system("/sys/firmware/acpi/tables", &b));
	ck_assert_uint_eq(a.nr, b.nr);
	ck_assert_uint_eq(a.nr_unresolved, b.nr_unresolved);
	if (a.nr)
		ck_assert_int_eq(memcmp(a.v, b.v, a.nr * sizeof(*a.v)), 0);
	uvf_direct_regions_fini(&a);
	uvf_direct_regions_fini(&b);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("acpi_load");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, test_load_reads_table_file);
	tcase_add_test(tc, test_load_missing_file_is_enoent);
	tcase_add_test(tc, test_load_other_signature_in_file_is_eproto);
	tcase_add_test(tc,
		       test_load_unknown_signature_argument_is_eprotonosupport);
	tcase_add_test(tc, test_load_truncated_file_is_ebadmsg);
	tcase_add_test(tc, test_load_directory_fails_with_read_error);
	tcase_add_test(tc, test_load_system_merges_present_tables);
	tcase_add_test(tc, test_load_system_without_tables_adds_nothing);
	tcase_add_test(tc, test_load_system_malformed_table_fails_whole_call);
	tcase_add_test(tc, test_load_system_overlong_root_is_enametoolong);
	tcase_add_test(tc, test_default_paths_are_sysfs_tables);
	suite_add_tcase(s, tc);
	return s;
}
