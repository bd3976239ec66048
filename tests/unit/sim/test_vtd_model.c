/* SPDX-License-Identifier: MIT */
/* The software model's side of the vm suite's VT-d cross-check
 * (tests/vm/vtd_seq.h) and the drawing of both sides' tables
 * (tests/vm/vtd_norm.h): the model builds the superpages and holes the
 * sequence asks for, its 3-level drawing is its 4-level one without the
 * top, a dump captured from the guest kernel (intel-type1, aw-bits=39,
 * checkpoint "superpages") draws the same as the model with the kernel's
 * behaviour, and a dump that is not one is refused with its line. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "vtd_model.h"
#include "vtd_norm.h"
#include "xcheck.h"

#define HEADER "Device 0000:00:07.0 @0x2a4f000\n" \
	"IOVA_PFN\t\tPML5E\t\t\tPML4E\t\t\tPDPE\t\t\tPDE\t\t\tPTE\n"
#define Z "0x0000000000000000"

static char *model_transcript(unsigned int levels, bool write_adds_read)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(vtd_model_run(levels, write_adds_read, out), 0);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

/* The lines after "== @name" up to the next checkpoint or map. */
static char *section(const char *t, const char *name)
{
	char head[64], *s, *end;

	snprintf(head, sizeof(head), "== %s\n", name);
	s = strstr(t, head);
	ck_assert_ptr_nonnull(s);
	s = strdup(s + strlen(head));
	ck_assert_ptr_nonnull(s);
	for (end = s; *end && strncmp(end, "==", 2) && strncmp(end, "map", 3) &&
		      strncmp(end, "unmap", 5);
	     end = strchr(end, '\n') + 1)
		;
	*end = '\0';
	return s;
}

static int norm_kernel(const char *dump, char **text, unsigned int *depth,
		       char *err, size_t errlen)
{
	size_t len = 0;
	FILE *out = open_memstream(text, &len);
	int ret;

	ck_assert_ptr_nonnull(out);
	ret = vtd_norm_kernel(dump, out, depth, err, errlen);
	ck_assert_int_eq(fclose(out), 0);
	return ret;
}

START_TEST(test_model_builds_the_superpages_and_holes_of_the_sequence)
{
	char *t = model_transcript(3, false), *s;

	ck_assert_ptr_null(strstr(t, "error"));
	ck_assert_ptr_null(strstr(t, ": -"));	/* every call returned 0 */
	s = section(t, "superpages");
	ck_assert_ptr_nonnull(strstr(s,
		"L2 leaf 2M x1 iova 0x40200000-0x403fffff rw\n"));
	ck_assert_ptr_nonnull(strstr(s,
		"L2 leaf 2M x2 iova 0x40400000-0x407fffff r-\n"));
	/* 2 MiB at an aligned IOVA, but not aligned memory */
	ck_assert_ptr_nonnull(strstr(s,
		"L1 leaf 4K x512 iova 0x40c00000-0x40dfffff -w\n"));
	/* a 4 KiB run across two level-1 tables is two runs */
	ck_assert_ptr_nonnull(strstr(s,
		"L1 leaf 4K x2 iova 0x409fe000-0x409fffff rw\n"
		"L2 table iova 0x40a00000-0x40bfffff rw\n"
		"L1 leaf 4K x2 iova 0x40a00000-0x40a01fff rw\n"));
	free(s);
	s = section(t, "holes");
	ck_assert_ptr_null(strstr(s, "0x40400000"));
	ck_assert_ptr_null(strstr(s, "0x409fe000"));
	ck_assert_ptr_nonnull(strstr(s,
		"L1 leaf 4K x1 iova 0x40000000-0x40000fff rw\n"
		"L1 leaf 4K x1 iova 0x40003000-0x40003fff -w\n"));
	free(s);
	s = section(t, "remapped");
	ck_assert_ptr_nonnull(strstr(s,
		"L2 leaf 2M x1 iova 0x40a00000-0x40bfffff r-\n"));
	free(s);
	s = section(t, "empty");
	ck_assert_str_eq(s, "");
	free(s);
	free(t);
}
END_TEST

/* Pinned: VFIO type1 on intel-iommu gives a write-only map R|W leaves
 * (seen in the guest, Linux 6.12); the model keeps VT-d's separate bits
 * unless asked for the kernel's behaviour. */
START_TEST(test_write_only_maps_are_readable_only_with_the_kernels_behaviour)
{
	char *own = model_transcript(3, false), *kern = model_transcript(3, true);
	char *s = section(own, "superpages"), *k = section(kern, "superpages");

	ck_assert_ptr_nonnull(strstr(s,
		"L1 leaf 4K x1 iova 0x40003000-0x40003fff -w\n"));
	ck_assert_ptr_nonnull(strstr(k,
		"L1 leaf 4K x1 iova 0x40003000-0x40003fff rw\n"));
	ck_assert_ptr_nonnull(strstr(k,
		"L1 leaf 4K x512 iova 0x40c00000-0x40dfffff rw\n"));
	ck_assert_ptr_null(strstr(kern, " -w\n"));
	/* the requests are named alike: only the tables differ */
	ck_assert_uint_eq(xcheck_compare(own, kern, NULL, ""), 7);
	free(s);
	free(k);
	free(own);
	free(kern);
}
END_TEST

START_TEST(test_model_at_3_levels_is_its_4_level_drawing_without_the_top)
{
	static const char top[] = "L4 table iova 0x0-0x7fffffffff rw\n";
	char *t3 = model_transcript(3, true), *t4 = model_transcript(4, true), *p;
	unsigned int tops = 0;

	while ((p = strstr(t4, top))) {
		memmove(p, p + strlen(top), strlen(p + strlen(top)) + 1);
		tops++;
	}
	ck_assert_uint_eq(tops, 4);	/* every checkpoint but "empty" */
	ck_assert_uint_eq(xcheck_compare(t3, t4, stderr, "3/4 "), 0);
	free(t3);
	free(t4);
}
END_TEST

START_TEST(test_captured_kernel_dump_draws_like_the_model)
{
	char *dump = xcheck_read_file(VTD_FIXTURE), *real = NULL, err[160];
	char *t = model_transcript(3, true), *s = section(t, "superpages");
	unsigned int depth;

	ck_assert_ptr_nonnull(dump);
	ck_assert_int_eq(norm_kernel(dump, &real, &depth, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(depth, 3);
	ck_assert_uint_eq(xcheck_compare(s, real, stderr, "model/fixture "),
			  0);
	free(dump);
	free(real);
	free(s);
	free(t);
}
END_TEST

START_TEST(test_kernel_leaf_rights_superpages_and_snoop_bit_are_drawn)
{
	static const char dump[] = HEADER
		"0x0000000040000 |\t" Z "\t" Z "\t0x0000000001234003\t"
		"0x0000000001235003\t0x0000000007000001\n"
		"0x0000000040001 |\t" Z "\t" Z "\t0x0000000001234003\t"
		"0x0000000001235003\t0x0000000007001001\n"
		"0x0000000040002 |\t" Z "\t" Z "\t0x0000000001234003\t"
		"0x0000000001235003\t0x0000000007002802\n"
		"0x0000000040200 |\t" Z "\t" Z "\t0x0000000001234003\t"
		"0x0000000008000083\n";
	char *real = NULL, err[160];
	unsigned int depth;

	ck_assert_int_eq(norm_kernel(dump, &real, &depth, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(depth, 3);
	ck_assert_str_eq(real,
		"L3 table iova 0x40000000-0x7fffffff rw\n"
		"L2 table iova 0x40000000-0x401fffff rw\n"
		"L1 leaf 4K x2 iova 0x40000000-0x40001fff r-\n"
		"L1 leaf 4K x1 iova 0x40002000-0x40002fff -w snp\n"
		"L2 leaf 2M x1 iova 0x40200000-0x403fffff rw\n");
	free(real);
}
END_TEST

START_TEST(test_malformed_kernel_dumps_are_refused_with_their_line)
{
	static const struct {
		const char *dump, *why;
	} bad[] = {
		{ "", "line 0: the dump ends before its header" },
		{ "DMA Remapping is not enabled on dmar0\n",
		  "line 1: no 'Device" },
		{ "Device 0000:00:07.0 @0x2a4f000\nIOVA\n",
		  "line 2: no 'IOVA_PFN" },
		{ HEADER "garbage\n", "line 3: not a leaf line" },
		{ HEADER "0x0000000040000 |\t" Z "\t" Z "\n",
		  "line 3: 2 entries" },
		{ HEADER "0x0000000040000 |\t" Z "\t" Z "\tzz\n",
		  "line 3: entry 3 is not a hex value" },
		/* a 2 MiB leaf without the superpage bit */
		{ HEADER "0x0000000040200 |\t" Z "\t" Z "\t0x0000000001234003\t"
		  "0x0000000008000003\n", "line 3: level-2 entry" },
		/* a 4 KiB leaf with it */
		{ HEADER "0x0000000040000 |\t" Z "\t" Z "\t0x0000000001234003\t"
		  "0x0000000001235003\t0x0000000007000083\n",
		  "line 3: level-1 entry" },
		/* a 2 MiB leaf at an IOVA that is not 2 MiB aligned */
		{ HEADER "0x0000000040001 |\t" Z "\t" Z "\t0x0000000001234003\t"
		  "0x0000000008000083\n", "line 3: a level-2 leaf" },
		/* a 4-level walk after a 3-level one */
		{ HEADER "0x0000000040200 |\t" Z "\t" Z "\t0x0000000001234003\t"
		  "0x0000000008000083\n"
		  "0x0000000040400 |\t" Z "\t0x0000000001233003\t"
		  "0x0000000001234003\t0x0000000008200083\n",
		  "line 4: a 4-level walk after 3-level" },
	};
	char *real, err[160];
	unsigned int depth, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		real = NULL;
		ck_assert_int_eq(norm_kernel(bad[i].dump, &real, &depth, err,
					     sizeof(err)), -EINVAL);
		ck_assert_msg(strstr(err, bad[i].why), "case %u: '%s'", i,
			      err);
		free(real);
	}
}
END_TEST

START_TEST(test_model_entries_beyond_the_kernel_depth_are_refused)
{
	static const char dump[] =
		"# vtd-sl4: 4 levels, 48-bit IOVA, root 0x1000, 3 table page(s)\n"
		"L4[1] 0x0000000000002003 table rw iova 0x8000000000-0xffffffffff\n";
	static const char not_vtd[] =
		"# arm-lpae-s1: 4 levels, 48-bit IOVA, root 0x1000, 1 table page(s)\n";
	char *text = NULL, err[160];
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(vtd_norm_model(dump, 3, out, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "above 3-level reach"));
	ck_assert_int_eq(vtd_norm_model(dump, 4, out, err, sizeof(err)), 0);
	ck_assert_int_eq(vtd_norm_model(not_vtd, 3, out, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a vtd-sl4/vtd-sl5 dump"));
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_str_eq(text, "L4 table iova 0x8000000000-0xffffffffff rw\n");
	free(text);
}
END_TEST

Suite *uvf_test_suite(void)
{
	const TTest *const tests[] = {
		test_model_builds_the_superpages_and_holes_of_the_sequence,
		test_model_at_3_levels_is_its_4_level_drawing_without_the_top,
		test_write_only_maps_are_readable_only_with_the_kernels_behaviour,
		test_captured_kernel_dump_draws_like_the_model,
		test_kernel_leaf_rights_superpages_and_snoop_bit_are_drawn,
		test_malformed_kernel_dumps_are_refused_with_their_line,
		test_model_entries_beyond_the_kernel_depth_are_refused,
	};
	Suite *s = suite_create("vtd-model");
	TCase *tc = tcase_create("vtd-model");
	size_t i;

	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return s;
}
