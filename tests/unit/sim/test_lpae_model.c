/* SPDX-License-Identifier: MIT */
/* The software model's side of the vm suite's ARM LPAE cross-check
 * (tests/vm/lpae_seq.h): the sequence guest_lpae runs through a real
 * SMMUv3 follows the ARM LPAE stage-1 rules on the model, its transcript
 * is reproducible, and the comparison notices a different layout or
 * different permission semantics. */
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "lpae_model.h"
#include "xcheck.h"

/* The transcript of one model run; ck_assert()s that it ran. */
static char *transcript(const struct lpae_model_opts *o,
			struct lpae_seq_result *res)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(lpae_model_run(o, out, res), 0);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

START_TEST(test_model_follows_the_arm_lpae_s1_rules)
{
	struct lpae_model_opts o;
	struct lpae_seq_result res;
	char *t;

	lpae_model_opts_default(&o);
	t = transcript(&o, &res);
	ck_assert_uint_eq(res.unexpected, 0);
	ck_assert_uint_gt(res.probes, lpae_seq_probe_count() / 2);
	ck_assert_uint_le(res.probes, lpae_seq_probe_count());
	ck_assert_ptr_null(strstr(t, "! rules say"));
	ck_assert_ptr_nonnull(strstr(t, "end: 0\n"));
	/* Both kinds of fault occur, or the rules were hardly tested. */
	ck_assert_ptr_nonnull(strstr(t, "fault write permission"));
	ck_assert_ptr_nonnull(strstr(t, "fault write translation"));
	ck_assert_ptr_nonnull(strstr(t, "fault read translation"));
	free(t);
}
END_TEST

START_TEST(test_model_transcript_is_the_same_on_every_run)
{
	struct lpae_model_opts o;
	struct lpae_seq_result r1, r2;
	char *a, *b;

	lpae_model_opts_default(&o);
	a = transcript(&o, &r1);
	b = transcript(&o, &r2);
	ck_assert_uint_eq(xcheck_compare(a, b, NULL, ""), 0);
	ck_assert_uint_eq(r1.probes, r2.probes);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_msi_window_is_never_allocated_though_iovas_run_out)
{
	struct lpae_model_opts o;
	struct lpae_seq_result res;
	unsigned long long iova;
	unsigned int maps = 0, full = 0;
	char *t, *line, *save = NULL;

	lpae_model_opts_default(&o);
	t = transcript(&o, &res);
	ck_assert_ptr_nonnull(strstr(t, "reserved 0x8000000-0x80fffff msi\n"));
	for (line = strtok_r(t, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		const char *v = strrchr(line, ':');

		if (strncmp(line, "map ", 4) || !v)
			continue;
		if (!strcmp(v, ": -ENOSPC")) {
			full++;
			continue;
		}
		ck_assert_int_eq(sscanf(v, ": %llx", &iova), 1);
		ck_assert(iova > LPAE_SEQ_MSI_LAST || iova < LPAE_SEQ_MSI_FIRST);
		ck_assert(iova > LPAE_SEQ_HOLD_LAST && iova <= LPAE_SEQ_IOVA_LAST);
		maps++;
	}
	ck_assert_uint_ge(maps, 6);
	ck_assert_uint_ge(full, 1);
	free(t);
}
END_TEST

START_TEST(test_a_missing_msi_window_changes_the_layout)
{
	struct lpae_model_opts o;
	struct lpae_seq_result r1, r2;
	char *with, *without;

	lpae_model_opts_default(&o);
	with = transcript(&o, &r1);
	o.msi_window = false;
	without = transcript(&o, &r2);
	ck_assert_uint_gt(xcheck_compare(with, without, NULL, ""), 0);
	ck_assert_ptr_null(strstr(without, "reserved "));
	free(with);
	free(without);
}
END_TEST

START_TEST(test_write_only_pages_that_are_not_readable_break_the_rules)
{
	struct lpae_model_opts o;
	struct lpae_seq_result arm, vtd;
	char *a, *v;

	lpae_model_opts_default(&o);
	a = transcript(&o, &arm);
	/* VT-d keeps write-only pages unreadable: the device's read of the
	 * from-device buffer is blocked, which stage-1 ARM never does. */
	o.format = UVF_PGTABLE_VTD_SL4;
	v = transcript(&o, &vtd);
	ck_assert_uint_gt(vtd.unexpected, 0);
	ck_assert_ptr_nonnull(strstr(v, "fault read permission"));
	ck_assert_uint_gt(xcheck_compare(a, v, NULL, ""), 0);
	free(a);
	free(v);
}
END_TEST

START_TEST(test_compare_reports_each_differing_line)
{
	char *diag = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&diag, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_uint_eq(xcheck_compare("a\nb\nc\n", "a\nx\nc\nd\n", out,
					   "# "), 2);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_str_eq(diag, "# -b\n# +x\n# +d\n");
	ck_assert_uint_eq(xcheck_compare("a\n", "a\n", NULL, ""), 0);
	ck_assert_uint_eq(xcheck_compare("a\n", "a", NULL, ""), 0);
	ck_assert_uint_eq(xcheck_compare("", "a\n", NULL, ""), 1);
	free(diag);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("lpae-model");
	TCase *tc = tcase_create("lpae-model");

	tcase_add_test(tc, test_model_follows_the_arm_lpae_s1_rules);
	tcase_add_test(tc, test_model_transcript_is_the_same_on_every_run);
	tcase_add_test(tc, test_msi_window_is_never_allocated_though_iovas_run_out);
	tcase_add_test(tc, test_a_missing_msi_window_changes_the_layout);
	tcase_add_test(tc, test_write_only_pages_that_are_not_readable_break_the_rules);
	tcase_add_test(tc, test_compare_reports_each_differing_line);
	suite_add_tcase(s, tc);
	return s;
}
