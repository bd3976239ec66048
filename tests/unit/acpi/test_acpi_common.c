/* SPDX-License-Identifier: MIT */
/* Header checks shared by all tables, and the region-list helpers. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/acpi.h>

#include "../common/check_main.h"
#include "acpi_test.h"
#include "sample_tables.h"

/* Parses @p/@len into a list holding a sentinel; checks it is untouched. */
static int parse_expect_unchanged(const uint8_t *p, size_t len)
{
	struct uvf_direct_regions out;
	struct regions_snapshot snap;
	int ret;

	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	ret = uvf_acpi_parse(p, len, NULL, NULL, &out);
	snapshot_check_unchanged(&snap, &out);
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
	return ret;
}

START_TEST(test_unknown_signature_is_eprotonosupport)
{
	static const char *const sigs[] = { "SSDT", "dmar", "IVRT", "RMRR" };
	struct tb b;
	size_t i;

	for (i = 0; i < 4; i++) {
		tb_init(&b, sigs[i], 1);
		tb_zero(&b, 64);
		tb_finish(&b);
		ck_assert_int_eq(parse_expect_unchanged(b.p, b.len),
				 -EPROTONOSUPPORT);
		/* even when too short to hold a header */
		ck_assert_int_eq(parse_expect_unchanged(b.p, 4),
				 -EPROTONOSUPPORT);
		tb_free(&b);
	}
}
END_TEST

START_TEST(test_bad_checksum_is_ebadmsg)
{
	struct uvf_direct_regions out = { 0 };
	struct tb b;
	size_t i;

	sample_dmar(&b);
	b.p[9]++;
	ck_assert_int_eq(parse_expect_unchanged(b.p, b.len), -EBADMSG);
	b.p[9]--;
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 3);
	uvf_direct_regions_fini(&out);
	/* a flipped bit anywhere in the table */
	for (i = 0; i < b.len; i++) {
		b.p[i] ^= 0x10;
		if (i < 4)
			ck_assert_int_eq(parse_expect_unchanged(b.p, b.len),
					 -EPROTONOSUPPORT);
		else
			ck_assert_int_eq(parse_expect_unchanged(b.p, b.len),
					 -EBADMSG);
		b.p[i] ^= 0x10;
	}
	tb_free(&b);
}
END_TEST

START_TEST(test_length_field_past_buffer_is_ebadmsg)
{
	struct tb b;

	/* The checksum cannot cover bytes that are not there: the length
	 * check has to come first. */
	sample_ivrs(&b);
	tb_put32(&b, 4, (uint32_t)b.len + 1);
	ck_assert_int_eq(parse_expect_unchanged(b.p, b.len), -EBADMSG);
	tb_put32(&b, 4, UINT32_MAX);
	ck_assert_int_eq(parse_expect_unchanged(b.p, b.len), -EBADMSG);
	tb_free(&b);
}
END_TEST

START_TEST(test_length_field_below_fixed_part_is_ebadmsg)
{
	static const uint32_t lens[] = { 0, 1, 35, 36, 47 };
	struct tb b;
	size_t i;

	sample_dmar(&b);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		b.p[4] = (uint8_t)lens[i];
		b.p[5] = b.p[6] = b.p[7] = 0;
		tb_fix_checksum(b.p, lens[i] < 10 ? 10 : lens[i]);
		ck_assert_int_eq(parse_expect_unchanged(b.p, b.len), -EBADMSG);
	}
	tb_free(&b);
}
END_TEST

START_TEST(test_buffer_shorter_than_header_is_ebadmsg)
{
	struct uvf_direct_regions out = { 0 };
	struct tb b;
	size_t len;

	sample_iort(&b, 5, &(struct iort_layout){ 0 });
	for (len = 0; len < 36; len++)
		ck_assert_int_eq(parse_expect_unchanged(b.p, len), -EBADMSG);
	ck_assert_int_eq(uvf_acpi_parse(NULL, 0, NULL, NULL, &out), -EBADMSG);
	tb_free(&b);
}
END_TEST

START_TEST(test_bytes_after_declared_length_are_ignored)
{
	struct uvf_direct_regions out = { 0 };
	struct tb b;

	sample_ivrs(&b);
	tb_u32(&b, 0x00200020);	/* would be an IVMD header if read */
	tb_zero(&b, 60);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 4);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_null_arguments_are_einval)
{
	struct uvf_direct_regions out = { 0 };
	struct tb b;

	sample_dmar(&b);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(uvf_acpi_parse(NULL, b.len, NULL, NULL, &out),
			 -EINVAL);
	ck_assert_int_eq(uvf_direct_regions_for_rid(NULL, 0, 0, &out),
			 -EINVAL);
	ck_assert_int_eq(uvf_direct_regions_for_rid(&out, 0, 0, NULL),
			 -EINVAL);
	ck_assert_uint_eq(out.nr, 0);
	tb_free(&b);
}
END_TEST

START_TEST(test_tables_accumulate_in_one_list)
{
	struct uvf_direct_regions out = { 0 };
	struct tb d, v, i;

	sample_dmar(&d);
	sample_ivrs(&v);
	sample_iort(&i, 5, &(struct iort_layout){ 0 });
	ck_assert_int_eq(uvf_acpi_parse(d.p, d.len, NULL, NULL, &out), 0);
	ck_assert_int_eq(uvf_acpi_parse(v.p, v.len, NULL, NULL, &out), 0);
	ck_assert_int_eq(uvf_acpi_parse(i.p, i.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 3 + 4 + 5);
	ck_assert_uint_eq(out.nr_unresolved, 3 + 0 + 4);
	ck_assert_int_eq(out.v[0].source, UVF_DIRECT_DMAR_RMRR);
	ck_assert_int_eq(out.v[3].source, UVF_DIRECT_IVRS_IVMD);
	ck_assert_int_eq(out.v[7].source, UVF_DIRECT_IORT_RMR);
	uvf_direct_regions_fini(&out);
	tb_free(&d);
	tb_free(&v);
	tb_free(&i);
}
END_TEST

static const struct uvf_direct_region rid_regions[] = {
	{ UVF_DIRECT_DMAR_RMRR, 0, 0x00a0, 0x00a0, 0x1000, 0x1fff,
	  UVF_PROT_RW, false, 0 },
	{ UVF_DIRECT_IVRS_IVMD, 0, 0x0000, 0xffff, 0x2000, 0x2fff,
	  UVF_PROT_READ, false, 0 },
	{ UVF_DIRECT_IVRS_IVMD, 1, 0x0000, 0xffff, 0x3000, 0x3fff,
	  UVF_PROT_RW, false, 0 },
	{ UVF_DIRECT_IORT_RMR, 0, 0x0100, 0x01ff, 0x4000, 0x4fff,
	  UVF_PROT_RW, true, UVF_DIRECT_ATTR_MMIO },
};

static void rid_list(struct uvf_direct_regions *all)
{
	memset(all, 0, sizeof(*all));
	all->v = malloc(sizeof(rid_regions));
	ck_assert_ptr_nonnull(all->v);
	memcpy(all->v, rid_regions, sizeof(rid_regions));
	all->nr = 4;
	all->nr_unresolved = 2;
}

START_TEST(test_for_rid_matches_segment_and_rid_range)
{
	struct uvf_direct_regions all, out = { 0 };

	rid_list(&all);
	ck_assert_int_eq(uvf_direct_regions_for_rid(&all, 0, 0x00a0, &out), 2);
	ck_assert_uint_eq(out.nr, 2);
	ck_assert_int_eq(memcmp(&out.v[0], &rid_regions[0],
				sizeof(out.v[0])), 0);
	ck_assert_int_eq(memcmp(&out.v[1], &rid_regions[1],
				sizeof(out.v[1])), 0);
	ck_assert_uint_eq(out.nr_unresolved, 0);

	/* both ends of a range match, and the list is appended to */
	ck_assert_int_eq(uvf_direct_regions_for_rid(&all, 0, 0x0100, &out), 2);
	ck_assert_int_eq(uvf_direct_regions_for_rid(&all, 0, 0x01ff, &out), 2);
	ck_assert_uint_eq(out.nr, 6);
	ck_assert_uint_eq(out.v[3].first, 0x4000);
	ck_assert_uint_eq(out.v[5].first, 0x4000);

	/* another segment */
	ck_assert_int_eq(uvf_direct_regions_for_rid(&all, 1, 0x00a0, &out), 1);
	ck_assert_uint_eq(out.v[6].first, 0x3000);
	ck_assert_int_eq(uvf_direct_regions_for_rid(&all, 2, 0x00a0, &out), 0);
	ck_assert_uint_eq(out.nr, 7);
	uvf_direct_regions_fini(&out);
	uvf_direct_regions_fini(&all);
}
END_TEST

START_TEST(test_for_rid_without_match_leaves_output_alone)
{
	struct uvf_direct_regions all, out;
	struct regions_snapshot snap;

	rid_list(&all);
	all.v[1].segment = 5;
	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	ck_assert_int_eq(uvf_direct_regions_for_rid(&all, 0, 0x0200, &out), 0);
	snapshot_check_unchanged(&snap, &out);
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
	uvf_direct_regions_fini(&all);
}
END_TEST

START_TEST(test_for_rid_into_the_same_list)
{
	struct uvf_direct_regions all;

	rid_list(&all);
	ck_assert_int_eq(uvf_direct_regions_for_rid(&all, 0, 0x0150, &all), 2);
	ck_assert_uint_eq(all.nr, 6);
	ck_assert_uint_eq(all.v[4].first, 0x2000);
	ck_assert_uint_eq(all.v[5].first, 0x4000);
	uvf_direct_regions_fini(&all);
}
END_TEST

START_TEST(test_fini_leaves_list_empty_and_reusable)
{
	struct uvf_direct_regions r;
	struct tb b;

	rid_list(&r);
	uvf_direct_regions_fini(&r);
	ck_assert_ptr_null(r.v);
	ck_assert_uint_eq(r.nr, 0);
	ck_assert_uint_eq(r.nr_unresolved, 0);
	sample_ivrs(&b);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &r), 0);
	ck_assert_uint_eq(r.nr, 4);
	uvf_direct_regions_fini(&r);
	uvf_direct_regions_fini(&r);
	uvf_direct_regions_fini(NULL);
	tb_free(&b);
}
END_TEST

START_TEST(test_source_names)
{
	ck_assert_str_eq(uvf_direct_source_name(UVF_DIRECT_DMAR_RMRR),
			 "DMAR RMRR");
	ck_assert_str_eq(uvf_direct_source_name(UVF_DIRECT_IVRS_IVMD),
			 "IVRS IVMD");
	ck_assert_str_eq(uvf_direct_source_name(UVF_DIRECT_IORT_RMR),
			 "IORT RMR");
	ck_assert_str_eq(uvf_direct_source_name((enum uvf_direct_source)42),
			 "unknown");
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("acpi_common");
	TCase *tc = tcase_create("common");

	tcase_add_test(tc, test_unknown_signature_is_eprotonosupport);
	tcase_add_test(tc, test_bad_checksum_is_ebadmsg);
	tcase_add_test(tc, test_length_field_past_buffer_is_ebadmsg);
	tcase_add_test(tc, test_length_field_below_fixed_part_is_ebadmsg);
	tcase_add_test(tc, test_buffer_shorter_than_header_is_ebadmsg);
	tcase_add_test(tc, test_bytes_after_declared_length_are_ignored);
	tcase_add_test(tc, test_null_arguments_are_einval);
	tcase_add_test(tc, test_tables_accumulate_in_one_list);
	tcase_add_test(tc, test_for_rid_matches_segment_and_rid_range);
	tcase_add_test(tc, test_for_rid_without_match_leaves_output_alone);
	tcase_add_test(tc, test_for_rid_into_the_same_list);
	tcase_add_test(tc, test_fini_leaves_list_empty_and_reusable);
	tcase_add_test(tc, test_source_names);
	suite_add_tcase(s, tc);
	return s;
}
