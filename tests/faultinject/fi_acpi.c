/* SPDX-License-Identifier: MIT */
/* Loading the ACPI tables (DMAR, IVRS and IORT from a tables directory):
 * a failed load adds nothing to the caller's regions. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/acpi.h>

#include "acpi_test.h"
#include "fi.h"
#include "sample_tables.h"

struct acpifi {
	char dir[PATH_MAX];
	struct uvf_direct_regions out;
	struct regions_snapshot snap;
	size_t want_nr;		/* after a load that works */
};

static void table_path(char *path, const char *dir, const char *name)
{
	int n = snprintf(path, PATH_MAX, "%s/%s", dir, name);

	ck_assert(n > 0 && n < PATH_MAX);
}

static void put_table(const char *dir, const char *name, struct tb *b)
{
	char path[PATH_MAX];
	FILE *f;

	table_path(path, dir, name);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(b->p, 1, b->len, f), b->len);
	ck_assert_int_eq(fclose(f), 0);
	tb_free(b);
}

static void load_setup(void *fix)
{
	struct acpifi *f = fix;

	regions_with_sentinel(&f->out);
	snapshot_take(&f->snap, &f->out);
}

static int load_call(void *fix)
{
	struct acpifi *f = fix;

	return uvf_acpi_load_system(f->dir, &f->out);
}

static void load_unchanged(void *fix)
{
	struct acpifi *f = fix;

	snapshot_check_unchanged(&f->snap, &f->out);
}

static void load_done(void *fix)
{
	struct acpifi *f = fix;

	ck_assert_uint_eq(f->out.nr, f->want_nr);
}

static void load_down(void *fix, bool ok)
{
	struct acpifi *f = fix;

	(void)ok;
	snapshot_free(&f->snap);
	uvf_direct_regions_fini(&f->out);
}

static const struct fi_scenario load_system = {
	"acpi/load-system", load_setup, load_call, load_unchanged, load_done,
	load_down,
};

START_TEST(test_acpi_load_fails_cleanly_at_every_point)
{
	static const char *const names[] = { "DMAR", "IVRS", "IORT" };
	const char *tmp = getenv("TMPDIR");
	struct acpifi f;
	struct tb b;

	memset(&f, 0, sizeof(f));
	ck_assert_int_lt(snprintf(f.dir, sizeof(f.dir), "%s/uvf-fi-XXXXXX",
				  tmp ? tmp : "/tmp"), (int)sizeof(f.dir));
	ck_assert_ptr_nonnull(mkdtemp(f.dir));
	sample_dmar(&b);
	put_table(f.dir, "DMAR", &b);
	sample_ivrs(&b);
	put_table(f.dir, "IVRS", &b);
	sample_iort(&b, 5, &(struct iort_layout){ 0 });
	put_table(f.dir, "IORT", &b);
	load_setup(&f);
	ck_assert_int_eq(load_call(&f), 0);
	f.want_nr = f.out.nr;
	ck_assert_uint_gt(f.want_nr, 1);
	load_down(&f, true);
	fi_run(&load_system, &f);
	for (size_t i = 0; i < 3; i++) {
		char path[PATH_MAX];

		table_path(path, f.dir, names[i]);
		unlink(path);
	}
	rmdir(f.dir);
}
END_TEST

TCase *fi_acpi_tcase(void)
{
	TCase *tc = tcase_create("acpi");

	tcase_add_test(tc, test_acpi_load_fails_cleanly_at_every_point);
	return tc;
}
