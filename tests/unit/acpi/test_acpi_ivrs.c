/* SPDX-License-Identifier: MIT */
/* IVRS IVMD parsing: the three block types, flags, IVHD skipping. */
#include <check.h>
#include <stdlib.h>

#include <uvf/acpi.h>

#include "../common/check_main.h"
#include "acpi_test.h"
#include "sample_tables.h"

START_TEST(test_ivmd_all_types_with_ivhd_skipped)
{
	static const struct want_region want[] = {
		{ UVF_DIRECT_IVRS_IVMD, 0, 0x0000, 0xffff, 0xd0000000,
		  0xd000ffff, UVF_PROT_RW, false, 0 },
		{ UVF_DIRECT_IVRS_IVMD, 0, 0x00a0, 0x00a0, 0xd1000000,
		  0xd1000fff, UVF_PROT_READ, false, 0 },
		/* exclusion range: unity r/w, length 0x22 covers a page */
		{ UVF_DIRECT_IVRS_IVMD, 2, 0x0100, 0x01ff, 0xd2000000,
		  0xd2000fff, UVF_PROT_RW, false, 0 },
		{ UVF_DIRECT_IVRS_IVMD, 0, 0x00b0, 0x00b0, 0xd5000000,
		  0xd5001fff, 0, false, 0 },
	};
	struct uvf_direct_regions out = { 0 };
	struct tb b;
	size_t i;

	sample_ivrs(&b);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 4);
	for (i = 0; i < 4; i++)
		ck_region(&out.v[i], &want[i]);
	ck_assert_uint_eq(out.nr_unresolved, 0);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_every_prefix_fails_cleanly)
{
	struct tb b;

	sample_ivrs(&b);
	ck_every_prefix(&b, 48);
	tb_free(&b);
}
END_TEST

static int parse_one_ivmd(uint8_t type, uint8_t flags, uint16_t devid,
			  uint16_t aux, uint64_t start, uint64_t len,
			  struct uvf_direct_regions *out)
{
	struct tb b;
	int ret;

	ivrs_begin(&b);
	ivrs_ivhd(&b, 0x40, 0);
	ivrs_ivmd(&b, type, flags, devid, aux, 0, start, len);
	tb_finish(&b);
	ret = uvf_acpi_parse(b.p, b.len, NULL, NULL, out);
	tb_free(&b);
	return ret;
}

START_TEST(test_ivmd_write_only_flag)
{
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_one_ivmd(0x21, IVMD_UNITY | IVMD_IW, 0x10, 0,
					0xd0000000, 0x1000, &out), 0);
	ck_assert_uint_eq(out.nr, 1);
	ck_assert_int_eq(out.v[0].prot, UVF_PROT_WRITE);
	uvf_direct_regions_fini(&out);
}
END_TEST

START_TEST(test_ivmd_unaligned_range_covers_touched_pages)
{
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_one_ivmd(0x21, IVMD_UNITY | IVMD_IR | IVMD_IW,
					0x10, 0, 0xd3000800, 0x1000, &out), 0);
	ck_assert_uint_eq(out.nr, 1);
	ck_assert_uint_eq(out.v[0].first, 0xd3000000);
	ck_assert_uint_eq(out.v[0].last, 0xd3001fff);
	uvf_direct_regions_fini(&out);
}
END_TEST

START_TEST(test_ivmd_range_end_below_start_is_skipped)
{
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_one_ivmd(0x22, IVMD_UNITY | IVMD_IR, 0x0200,
					0x01ff, 0xd0000000, 0x1000, &out), 0);
	ck_assert_uint_eq(out.nr, 0);
	ck_assert_uint_eq(out.nr_skipped, 1);
	ck_assert_int_eq(parse_one_ivmd(0x22, IVMD_UNITY | IVMD_IR, 0x0200,
					0x0200, 0xd0000000, 0x1000, &out), 0);
	ck_assert_uint_eq(out.nr, 1);
	ck_assert_uint_eq(out.nr_skipped, 1);
	ck_assert_uint_eq(out.v[0].rid_first, 0x0200);
	ck_assert_uint_eq(out.v[0].rid_last, 0x0200);
	uvf_direct_regions_fini(&out);
}
END_TEST

/* Firmware wrong in one place: the IVMDs around an empty one and one with
 * an inverted device range are kept. */
START_TEST(test_bad_ivmds_are_skipped_and_the_rest_kept)
{
	struct uvf_direct_regions out = { 0 };
	struct tb b;

	ivrs_begin(&b);
	ivrs_ivhd(&b, 0x40, 0);
	ivrs_ivmd(&b, 0x21, IVMD_UNITY | IVMD_IR, 0x10, 0, 0, 0xd0000000,
		  0x1000);
	ivrs_ivmd(&b, 0x21, IVMD_UNITY | IVMD_IR, 0x10, 0, 0, 0xd1000000, 0);
	ivrs_ivmd(&b, 0x22, IVMD_UNITY | IVMD_IR, 0x0200, 0x01ff, 0,
		  0xd2000000, 0x1000);
	ivrs_ivmd(&b, 0x21, IVMD_UNITY | IVMD_IR, 0x18, 0, 0, 0xd3000000,
		  0x2000);
	tb_finish(&b);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 2);
	ck_assert_uint_eq(out.nr_skipped, 2);
	ck_assert_uint_eq(out.v[0].first, 0xd0000000);
	ck_assert_uint_eq(out.v[0].rid_first, 0x10);
	ck_assert_uint_eq(out.v[1].first, 0xd3000000);
	ck_assert_uint_eq(out.v[1].last, 0xd3001fff);
	ck_assert_uint_eq(out.v[1].rid_first, 0x18);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_ivmd_zero_or_wrapping_length_is_skipped)
{
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_one_ivmd(0x21, IVMD_UNITY, 0x10, 0, 0xd0000000,
					0, &out), 0);
	ck_assert_int_eq(parse_one_ivmd(0x21, IVMD_UNITY, 0x10, 0,
					0xfffffffffffff000ull, 0x1001, &out),
			 0);
	ck_assert_uint_eq(out.nr, 0);
	ck_assert_uint_eq(out.nr_skipped, 2);
	ck_assert_int_eq(parse_one_ivmd(0x21, IVMD_UNITY, 0x10, 0,
					0xfffffffffffff000ull, 0x1000, &out),
			 0);
	ck_assert_uint_eq(out.v[0].last, UINT64_MAX);
	uvf_direct_regions_fini(&out);
}
END_TEST

/* An IVRS ending in a block header with this type and length. */
static int parse_with_trailing_block(uint8_t type, uint16_t len, size_t body)
{
	struct uvf_direct_regions out = { 0 };
	struct tb b;
	int ret;

	ivrs_begin(&b);
	ivrs_ivhd(&b, 0x10, 0);
	tb_u8(&b, type);
	tb_u8(&b, IVMD_UNITY);
	tb_u16(&b, len);
	tb_zero(&b, body);
	tb_finish(&b);
	ret = uvf_acpi_parse(b.p, b.len, NULL, NULL, &out);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
	return ret;
}

START_TEST(test_zero_length_block_is_einval)
{
	ck_assert_int_eq(parse_with_trailing_block(0x21, 0, 28), -EINVAL);
	ck_assert_int_eq(parse_with_trailing_block(0x10, 0, 20), -EINVAL);
	ck_assert_int_eq(parse_with_trailing_block(0x99, 0, 4), -EINVAL);
}
END_TEST

START_TEST(test_block_shorter_than_its_type_is_einval)
{
	ck_assert_int_eq(parse_with_trailing_block(0x21, 24, 20), -EINVAL);
	ck_assert_int_eq(parse_with_trailing_block(0x11, 24, 20), -EINVAL);
	ck_assert_int_eq(parse_with_trailing_block(0x40, 36, 32), -EINVAL);
	ck_assert_int_eq(parse_with_trailing_block(0x10, 20, 16), -EINVAL);
}
END_TEST

START_TEST(test_block_past_table_is_einval)
{
	ck_assert_int_eq(parse_with_trailing_block(0x20, 64, 28), -EINVAL);
	ck_assert_int_eq(parse_with_trailing_block(0x20, 32, 27), -EINVAL);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("acpi_ivrs");
	TCase *tc = tcase_create("ivrs");

	tcase_add_test(tc, test_ivmd_all_types_with_ivhd_skipped);
	tcase_add_test(tc, test_every_prefix_fails_cleanly);
	tcase_add_test(tc, test_ivmd_write_only_flag);
	tcase_add_test(tc, test_ivmd_unaligned_range_covers_touched_pages);
	tcase_add_test(tc, test_ivmd_range_end_below_start_is_skipped);
	tcase_add_test(tc, test_ivmd_zero_or_wrapping_length_is_skipped);
	tcase_add_test(tc, test_bad_ivmds_are_skipped_and_the_rest_kept);
	tcase_add_test(tc, test_zero_length_block_is_einval);
	tcase_add_test(tc, test_block_shorter_than_its_type_is_einval);
	tcase_add_test(tc, test_block_past_table_is_einval);
	suite_add_tcase(s, tc);
	return s;
}
