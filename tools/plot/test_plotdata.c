// SPDX-License-Identifier: MIT
/* Plot data files: well-formed CDFs, and nothing half-written on errors. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plotdata.h"

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/uvf-plotdata.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_all(const char *path)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	ck_assert_int_eq(system(cmd), 0);
}

static void teardown(void)
{
	remove_all(dir);
}

/* Entries of @path, "." and ".." left out. */
static int entries(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

START_TEST(cdf_ranks_ascend_from_first_to_last_sample)
{
	static const size_t ns[] = { 1, 2, 3, 255, 256, 1000, 1000000 };
	size_t ranks[PLOT_CDF_MAX_POINTS];

	for (size_t t = 0; t < sizeof(ns) / sizeof(ns[0]); t++) {
		size_t k = plot_cdf_ranks(ns[t], ranks, PLOT_CDF_MAX_POINTS);

		ck_assert_uint_ge(k, 1);
		ck_assert_uint_le(k, ns[t]);
		ck_assert_uint_eq(ranks[0], 0);
		ck_assert_uint_eq(ranks[k - 1], ns[t] - 1);
		for (size_t i = 1; i < k; i++)
			ck_assert_uint_lt(ranks[i - 1], ranks[i]);
	}
	ck_assert_uint_eq(plot_cdf_ranks(0, ranks, PLOT_CDF_MAX_POINTS), 0);
}
END_TEST

START_TEST(cdf_ranks_reach_into_the_tail)
{
	size_t ranks[PLOT_CDF_MAX_POINTS], k;
	bool p999 = false, p9999 = false;

	k = plot_cdf_ranks(1000000, ranks, PLOT_CDF_MAX_POINTS);
	for (size_t i = 0; i < k; i++) {
		p999 |= ranks[i] == 998999;	/* nearest rank of p99.9 */
		p9999 |= ranks[i] == 999899;	/* and of p99.99 */
	}
	ck_assert(p999);
	ck_assert(p9999);
}
END_TEST

START_TEST(cdf_ranks_stop_at_capacity)
{
	size_t ranks[8];

	ck_assert_uint_eq(plot_cdf_ranks(1000000, ranks, 8), 8);
}
END_TEST

/* Reads back a CDF file: its sample count, and rows checked as a CDF. */
static size_t read_cdf(const char *path, size_t *samples)
{
	char line[256];
	double x, y, px = 0, py = 0;
	size_t rows = 0;
	FILE *f = fopen(path, "r");

	ck_assert_ptr_nonnull(f);
	*samples = 0;
	while (fgets(line, sizeof(line), f)) {
		if (line[0] == '#') {
			sscanf(line, "# samples: %zu", samples);
			continue;
		}
		ck_assert_int_eq(sscanf(line, "%lf\t%lf", &x, &y), 2);
		ck_assert_ptr_nonnull(strchr(line, '\t'));
		ck_assert(x >= px);
		ck_assert(y > py && y <= 1);
		px = x;
		py = y;
		rows++;
	}
	fclose(f);
	ck_assert_double_eq_tol(py, 1, 1e-9);
	return rows;
}

START_TEST(write_cdf_writes_header_counts_and_a_rising_cdf)
{
	enum { N = 5000 };
	struct plot_point p[PLOT_CDF_MAX_POINTS];
	size_t ranks[PLOT_CDF_MAX_POINTS], k, samples;
	char path[128];

	k = plot_cdf_ranks(N, ranks, PLOT_CDF_MAX_POINTS);
	for (size_t i = 0; i < k; i++) {
		/* Sorted samples with repeats: value = rank / 7. */
		p[i].x = (double)(ranks[i] / 7);
		p[i].y = (double)(ranks[i] + 1) / N;
	}
	ck_assert_int_eq(plot_write_cdf(dir, "cdf-a.tsv", "a/case", N, p, k), 0);
	snprintf(path, sizeof(path), "%s/cdf-a.tsv", dir);
	ck_assert_uint_eq(read_cdf(path, &samples), k);
	ck_assert_uint_eq(samples, N);
	ck_assert_int_eq(entries(dir), 1);	/* no temporary left */
}
END_TEST

START_TEST(write_cdf_refuses_what_is_not_a_cdf_and_writes_nothing)
{
	const struct plot_point falling[] = { { 1, 0.5 }, { 2, 0.4 }, { 3, 1 } };
	const struct plot_point back[] = { { 2, 0.5 }, { 1, 1 } };
	const struct plot_point short_of_one[] = { { 1, 0.5 }, { 2, 0.9 } };
	const struct plot_point negative[] = { { -1, 1 } };

	ck_assert_int_eq(plot_write_cdf(dir, "x.tsv", "x", 3, falling, 3), -EINVAL);
	ck_assert_int_eq(plot_write_cdf(dir, "x.tsv", "x", 2, back, 2), -EINVAL);
	ck_assert_int_eq(plot_write_cdf(dir, "x.tsv", "x", 2, short_of_one, 2), -EINVAL);
	ck_assert_int_eq(plot_write_cdf(dir, "x.tsv", "x", 1, negative, 1), -EINVAL);
	ck_assert_int_eq(plot_write_cdf(dir, "x.tsv", "x", 0, falling, 0), -EINVAL);
	ck_assert_int_eq(entries(dir), 0);
}
END_TEST

START_TEST(dir_prepare_makes_a_missing_directory_and_leaves_it_empty)
{
	char sub[96];

	snprintf(sub, sizeof(sub), "%s/plots", dir);
	ck_assert_int_eq(plot_dir_prepare(sub), 0);
	ck_assert_int_eq(entries(sub), 0);
	ck_assert_int_eq(plot_dir_prepare(sub), 0);	/* exists: fine */
}
END_TEST

START_TEST(dir_prepare_refuses_a_file_an_unwritable_and_a_missing_parent)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/file", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(plot_dir_prepare(path), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/file/sub", dir);
	ck_assert_int_eq(plot_dir_prepare(path), -ENOTDIR);
	snprintf(path, sizeof(path), "%s/none/sub", dir);
	ck_assert_int_eq(plot_dir_prepare(path), -ENOENT);
	/* proc refuses new files even to root. */
	ck_assert_int_lt(plot_dir_prepare("/proc"), 0);
	ck_assert_int_lt(plot_dir_prepare(""), 0);
	ck_assert_int_eq(entries(dir), 1);	/* just the file */
}
END_TEST

START_TEST(file_appears_only_on_commit)
{
	struct plot_file *f;
	char path[128];

	ck_assert_int_eq(plot_file_create(dir, "a.tsv", &f), 0);
	plot_file_printf(f, "1\t2\n");
	snprintf(path, sizeof(path), "%s/a.tsv", dir);
	ck_assert_int_ne(access(path, F_OK), 0);
	ck_assert_int_eq(plot_file_commit(f), 0);
	ck_assert_int_eq(access(path, R_OK), 0);
	ck_assert_int_eq(plot_file_create(dir, "b.tsv", &f), 0);
	plot_file_printf(f, "half");
	plot_file_discard(f);
	ck_assert_int_eq(entries(dir), 1);
	ck_assert_int_eq(plot_file_create(dir, "a/b", &f), -EINVAL);
	ck_assert_int_eq(plot_file_create(dir, "", &f), -EINVAL);
}
END_TEST

START_TEST(slug_keeps_safe_characters_and_spells_percent)
{
	char buf[PLOT_SLUG_LEN];

	plot_slug(buf, sizeof(buf), "fill/iova/alloc-free/95%/1thr/mix");
	ck_assert_str_eq(buf, "fill_iova_alloc-free_95pct_1thr_mix");
	plot_slug(buf, sizeof(buf), "a  b//c");
	ck_assert_str_eq(buf, "a_b_c");
	plot_slug(buf, 4, "abcdef");
	ck_assert_str_eq(buf, "abc");
}
END_TEST

START_TEST(gp_string_doubles_single_quotes)
{
	struct plot_file *f;
	char path[128], text[64] = { 0 };
	FILE *in;

	ck_assert_int_eq(plot_file_create(dir, "s.gp", &f), 0);
	plot_gp_string(f, "it's 5%");
	ck_assert_int_eq(plot_file_commit(f), 0);
	snprintf(path, sizeof(path), "%s/s.gp", dir);
	in = fopen(path, "r");
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(fgets(text, sizeof(text), in));
	fclose(in);
	ck_assert_str_eq(text, "'it''s 5%'");
}
END_TEST

START_TEST(draw_without_gnuplot_is_enoent)
{
	setenv("UVF_GNUPLOT", "uvf-no-such-gnuplot", 1);
	ck_assert_int_eq(plot_draw(dir, "x.gp"), -ENOENT);
	setenv("UVF_GNUPLOT", "false", 1);
	ck_assert_int_eq(plot_draw(dir, "x.gp"), -EIO);
	unsetenv("UVF_GNUPLOT");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plotdata");
	TCase *tc = tcase_create("plotdata");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cdf_ranks_ascend_from_first_to_last_sample);
	tcase_add_test(tc, cdf_ranks_reach_into_the_tail);
	tcase_add_test(tc, cdf_ranks_stop_at_capacity);
	tcase_add_test(tc, write_cdf_writes_header_counts_and_a_rising_cdf);
	tcase_add_test(tc, write_cdf_refuses_what_is_not_a_cdf_and_writes_nothing);
	tcase_add_test(tc, dir_prepare_makes_a_missing_directory_and_leaves_it_empty);
	tcase_add_test(tc, dir_prepare_refuses_a_file_an_unwritable_and_a_missing_parent);
	tcase_add_test(tc, file_appears_only_on_commit);
	tcase_add_test(tc, slug_keeps_safe_characters_and_spells_percent);
	tcase_add_test(tc, gp_string_doubles_single_quotes);
	tcase_add_test(tc, draw_without_gnuplot_is_enoent);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
