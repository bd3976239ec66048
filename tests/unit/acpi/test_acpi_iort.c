/* SPDX-License-Identifier: MIT */
/* IORT RMR parsing: stream IDs to requester IDs through root complexes. */
#include <check.h>
#include <stdlib.h>

#include <uvf/acpi.h>

#include "../common/check_main.h"
#include "acpi_test.h"
#include "sample_tables.h"

START_TEST(test_rmr_stream_ids_resolve_to_rids)
{
	static const struct want_region want[] = {
		{ UVF_DIRECT_IORT_RMR, 0, 0x0110, 0x0111, 0x80000000,
		  0x8000ffff, UVF_PROT_RW, true, UVF_DIRECT_ATTR_CACHE },
		{ UVF_DIRECT_IORT_RMR, 0, 0x0110, 0x0111, 0x80100000,
		  0x80100fff, UVF_PROT_RW, true, UVF_DIRECT_ATTR_CACHE },
		{ UVF_DIRECT_IORT_RMR, 0, 0x0005, 0x0005, 0x90000000,
		  0x90001fff, UVF_PROT_RW, false,
		  UVF_DIRECT_ATTR_PRIV | UVF_DIRECT_ATTR_MMIO },
		{ UVF_DIRECT_IORT_RMR, 3, 0xfffe, 0xffff, 0x90000000,
		  0x90001fff, UVF_PROT_RW, false,
		  UVF_DIRECT_ATTR_PRIV | UVF_DIRECT_ATTR_MMIO },
		{ UVF_DIRECT_IORT_RMR, 3, 0x0000, 0xffff, 0xb0000000,
		  0xb0000fff, UVF_PROT_RW, false, UVF_DIRECT_ATTR_MMIO },
	};
	struct uvf_direct_regions out = { 0 };
	struct iort_layout l;
	struct tb b;
	size_t i;

	sample_iort(&b, 5, &l);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 5);
	for (i = 0; i < 5; i++)
		ck_region(&out.v[i], &want[i]);
	/*
	 * RMR 2: stream 0x7000 reaches no root complex, 0x30000-0x30001 are
	 * past root complex 3's range, 0x3000 comes from a non-PCI input ID;
	 * RMR 3 targets the ITS, not an SMMU.
	 */
	ck_assert_uint_eq(out.nr_unresolved, 4);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_rmr_ignored_before_revision_5)
{
	struct uvf_direct_regions out = { 0 };
	struct iort_layout l;
	struct tb b;

	sample_iort(&b, 3, &l);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 0);
	ck_assert_uint_eq(out.nr_unresolved, 0);
	tb_free(&b);
}
END_TEST

START_TEST(test_every_prefix_fails_cleanly)
{
	struct iort_layout l;
	struct tb b;

	sample_iort(&b, 5, &l);
	ck_every_prefix(&b, 48);
	tb_free(&b);
}
END_TEST

START_TEST(test_table_without_nodes_is_empty)
{
	struct uvf_direct_regions out = { 0 };
	struct tb b;

	iort_begin(&b, 5);
	iort_finish(&b, 0);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 0);
	ck_assert_uint_eq(out.nr_unresolved, 0);
	tb_free(&b);
}
END_TEST

/* Patches the built table, fixes its checksum, expects @want and an
 * untouched output on error. */
static void ck_patched(struct tb *b, int want)
{
	struct uvf_direct_regions out;
	struct regions_snapshot snap;

	tb_finish(b);
	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	ck_assert_int_eq(uvf_acpi_parse(b->p, b->len, NULL, NULL, &out), want);
	if (want)
		snapshot_check_unchanged(&snap, &out);
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
}

START_TEST(test_zero_length_node_is_einval)
{
	struct iort_layout l;
	struct tb b;

	sample_iort(&b, 5, &l);
	tb_put16(&b, l.rc3 + 1, 0);
	ck_patched(&b, -EINVAL);
	tb_free(&b);
}
END_TEST

START_TEST(test_root_complex_shorter_than_fixed_part_is_einval)
{
	struct iort_layout l;
	struct tb b;

	sample_iort(&b, 5, &l);
	tb_put16(&b, l.rc0 + 1, 32);
	ck_patched(&b, -EINVAL);
	tb_free(&b);
}
END_TEST

START_TEST(test_node_count_past_table_is_einval)
{
	struct iort_layout l;
	struct tb b;

	sample_iort(&b, 5, &l);
	tb_put32(&b, 36, l.nodes + 1);
	ck_patched(&b, -EINVAL);
	tb_put32(&b, 36, UINT32_MAX);
	ck_patched(&b, -EINVAL);
	tb_free(&b);
}
END_TEST

START_TEST(test_node_offset_outside_table_is_einval)
{
	struct iort_layout l;
	struct tb b;

	sample_iort(&b, 5, &l);
	tb_put32(&b, 40, (uint32_t)b.len);
	ck_patched(&b, -EINVAL);
	tb_put32(&b, 40, 20);
	ck_patched(&b, -EINVAL);
	tb_free(&b);
}
END_TEST

START_TEST(test_id_mappings_past_node_are_einval)
{
	struct iort_layout l;
	struct tb b;

	sample_iort(&b, 5, &l);
	tb_put32(&b, l.rmr2 + 8, 6);
	ck_patched(&b, -EINVAL);
	tb_put32(&b, l.rmr2 + 8, 0x10000000);
	ck_patched(&b, -EINVAL);
	tb_put32(&b, l.rmr2 + 8, 4);
	tb_put32(&b, l.rmr2 + 12, 4);
	ck_patched(&b, -EINVAL);
	tb_free(&b);
}
END_TEST

START_TEST(test_rmr_descriptors_past_node_are_einval)
{
	struct iort_layout l;
	struct tb b;

	sample_iort(&b, 5, &l);
	tb_put32(&b, l.rmr1 + 20, 3);
	ck_patched(&b, -EINVAL);
	tb_put32(&b, l.rmr1 + 20, 2);
	tb_put32(&b, l.rmr1 + 24, 8);
	ck_patched(&b, -EINVAL);
	tb_free(&b);
}
END_TEST

START_TEST(test_dangling_output_reference_is_einval)
{
	struct iort_layout l;
	struct tb b;

	sample_iort(&b, 5, &l);
	/* first ID mapping of RMR 1: 20 bytes after the descriptor fields */
	tb_put32(&b, l.rmr1 + 28 + 12, (uint32_t)l.smmu_a + 4);
	ck_patched(&b, -EINVAL);
	tb_free(&b);
}
END_TEST

START_TEST(test_root_complex_segment_above_16_bits_is_einval)
{
	struct iort_layout l;
	struct tb b;

	sample_iort(&b, 5, &l);
	tb_put32(&b, l.rc0 + 28, 0x10000);
	ck_patched(&b, -EINVAL);
	tb_free(&b);
}
END_TEST

/* One RMR, reached through a root complex mapping RIDs 0-0xff to stream
 * IDs 0-0xff, with the given descriptor. */
static int parse_rmr_desc(uint64_t base, uint64_t len, uint32_t nr_maps,
			  struct uvf_direct_regions *out)
{
	struct tb b;
	size_t its, smmu;
	int ret;

	iort_begin(&b, 5);
	its = iort_its(&b);
	smmu = iort_smmuv3(&b, (uint32_t)its);
	{
		const struct iort_map rc = { 0, 0xff, 0, (uint32_t)smmu, 0 };
		const struct iort_map m = { 0, 0, 0x42, (uint32_t)smmu, 0 };
		const struct rmr_desc d = { base, len };

		iort_rc(&b, 0, &rc, 1);
		iort_rmr(&b, 0, &m, nr_maps, &d, 1);
	}
	iort_finish(&b, 4);
	ret = uvf_acpi_parse(b.p, b.len, NULL, NULL, out);
	tb_free(&b);
	return ret;
}

START_TEST(test_rmr_descriptor_misaligned_is_skipped)
{
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_rmr_desc(0x80000800, 0x1000, 1, &out), 0);
	ck_assert_int_eq(parse_rmr_desc(0x80000000, 0x1800, 1, &out), 0);
	ck_assert_uint_eq(out.nr, 0);
	ck_assert_uint_eq(out.nr_skipped, 2);
	ck_assert_int_eq(parse_rmr_desc(0x80001000, 0x3000, 1, &out), 0);
	ck_assert_uint_eq(out.nr, 1);
	ck_assert_uint_eq(out.v[0].rid_first, 0x42);
	ck_assert_uint_eq(out.v[0].last, 0x80003fff);
	uvf_direct_regions_fini(&out);
}
END_TEST

START_TEST(test_rmr_descriptor_empty_or_wrapping_is_skipped)
{
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_rmr_desc(0x80000000, 0, 1, &out), 0);
	ck_assert_int_eq(parse_rmr_desc(0xfffffffffffff000ull, 0x2000, 1,
					&out), 0);
	ck_assert_uint_eq(out.nr, 0);
	ck_assert_uint_eq(out.nr_skipped, 2);
}
END_TEST

/* Firmware wrong in one place: an RMR's good descriptors are kept around a
 * misaligned one and an empty one. */
START_TEST(test_bad_rmr_descriptors_are_skipped_and_the_rest_kept)
{
	static const struct rmr_desc d[4] = {
		{ 0x80000000, 0x1000 },		/* good */
		{ 0x81000800, 0x1000 },		/* misaligned */
		{ 0x82000000, 0 },		/* empty */
		{ 0x83000000, 0x4000 },		/* good */
	};
	struct uvf_direct_regions out = { 0 };
	struct tb b;
	size_t its, smmu;

	iort_begin(&b, 5);
	its = iort_its(&b);
	smmu = iort_smmuv3(&b, (uint32_t)its);
	{
		const struct iort_map rc = { 0, 0xff, 0, (uint32_t)smmu, 0 };
		const struct iort_map m = { 0, 0, 0x42, (uint32_t)smmu, 0 };

		iort_rc(&b, 0, &rc, 1);
		iort_rmr(&b, 0, &m, 1, d, 4);
	}
	iort_finish(&b, 4);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 2);
	ck_assert_uint_eq(out.nr_skipped, 2);
	ck_assert_uint_eq(out.v[0].first, 0x80000000);
	ck_assert_uint_eq(out.v[0].last, 0x80000fff);
	ck_assert_uint_eq(out.v[1].first, 0x83000000);
	ck_assert_uint_eq(out.v[1].last, 0x83003fff);
	ck_assert_uint_eq(out.v[1].rid_first, 0x42);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_rmr_without_id_mappings_counts_unresolved)
{
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_rmr_desc(0x80000000, 0x1000, 0, &out), 0);
	ck_assert_uint_eq(out.nr, 0);
	ck_assert_uint_eq(out.nr_unresolved, 1);
}
END_TEST

/*
 * Root complexes @rc (segment = index) and one RMR with stream-ID mappings
 * @rmr and one descriptor, all behind one SMMU; a zero output reference
 * stands for that SMMU.
 */
static int parse_rcs_and_rmr(const struct iort_map *const *rc,
			     const size_t *nr_rc, size_t nr_rcs,
			     const struct iort_map *rmr, size_t nr_rmr,
			     struct uvf_direct_regions *out)
{
	const struct rmr_desc d = { 0x80000000, 0x1000 };
	struct iort_map m[8];
	struct tb b;
	size_t its, smmu, i, j;
	int ret;

	iort_begin(&b, 5);
	its = iort_its(&b);
	smmu = iort_smmuv3(&b, (uint32_t)its);
	for (i = 0; i < nr_rcs; i++) {
		for (j = 0; j < nr_rc[i]; j++) {
			m[j] = rc[i][j];
			if (!m[j].ref)
				m[j].ref = (uint32_t)smmu;
		}
		iort_rc(&b, (uint32_t)i, m, nr_rc[i]);
	}
	for (j = 0; j < nr_rmr; j++) {
		m[j] = rmr[j];
		if (!m[j].ref)
			m[j].ref = (uint32_t)smmu;
	}
	iort_rmr(&b, 0, m, nr_rmr, &d, 1);
	iort_finish(&b, (uint32_t)(3 + nr_rcs));
	ret = uvf_acpi_parse(b.p, b.len, NULL, NULL, out);
	tb_free(&b);
	return ret;
}

START_TEST(test_rc_input_ids_past_16_bits_are_not_rids)
{
	/* RIDs ff:00.0 .. ff:1f.7 then input IDs 0x10000-0x100ff */
	static const struct iort_map rc[] = { { 0xff00, 0x1ff, 0x6000, 0, 0 } };
	static const struct iort_map rmr[] = { { 0, 0x20, 0x60f0, 0, 0 } };
	const struct iort_map *rcs[] = { rc };
	const size_t nr_rc[] = { 1 };
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_rcs_and_rmr(rcs, nr_rc, 1, rmr, 1, &out), 0);
	ck_assert_uint_eq(out.nr, 1);
	ck_assert_uint_eq(out.v[0].rid_first, 0xfff0);
	ck_assert_uint_eq(out.v[0].rid_last, 0xffff);
	/* stream IDs 0x6100-0x6110 belong to no PCI function */
	ck_assert_uint_eq(out.nr_unresolved, 1);
	uvf_direct_regions_fini(&out);
}
END_TEST

START_TEST(test_stream_ids_split_across_root_complexes)
{
	static const struct iort_map rc0[] = { { 0x0, 0xff, 0x100, 0, 0 } };
	static const struct iort_map rc1[] = { { 0x0, 0xff, 0x200, 0, 0 } };
	static const struct iort_map rc1_gap[] = { { 0x1, 0xfe, 0x201, 0, 0 } };
	static const struct iort_map rmr[] = { { 0, 0x1ff, 0x100, 0, 0 } };
	const struct iort_map *rcs[] = { rc0, rc1 };
	const struct iort_map *rcs_gap[] = { rc0, rc1_gap };
	const size_t nr_rc[] = { 1, 1 };
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_rcs_and_rmr(rcs, nr_rc, 2, rmr, 1, &out), 0);
	ck_assert_uint_eq(out.nr, 2);
	ck_assert_uint_eq(out.v[0].segment, 0);
	ck_assert_uint_eq(out.v[1].segment, 1);
	ck_assert_uint_eq(out.v[1].rid_first, 0x00);
	ck_assert_uint_eq(out.v[1].rid_last, 0xff);
	ck_assert_uint_eq(out.nr_unresolved, 0);
	uvf_direct_regions_fini(&out);

	/* stream ID 0x200 reaches no root complex */
	ck_assert_int_eq(parse_rcs_and_rmr(rcs_gap, nr_rc, 2, rmr, 1, &out),
			 0);
	ck_assert_uint_eq(out.nr, 2);
	ck_assert_uint_eq(out.v[1].rid_first, 0x01);
	ck_assert_uint_eq(out.nr_unresolved, 1);
	uvf_direct_regions_fini(&out);
}
END_TEST

START_TEST(test_rc_mappings_to_other_smmu_do_not_match)
{
	/* the RC's mapping targets the ITS, not the RMR's SMMU */
	static const struct iort_map rc[] = { { 0x0, 0xff, 0x100, 48, 0 } };
	static const struct iort_map rmr[] = { { 0, 0, 0x100, 0, 0 } };
	const struct iort_map *rcs[] = { rc };
	const size_t nr_rc[] = { 1 };
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_rcs_and_rmr(rcs, nr_rc, 1, rmr, 1, &out), 0);
	ck_assert_uint_eq(out.nr, 0);
	ck_assert_uint_eq(out.nr_unresolved, 1);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("acpi_iort");
	TCase *tc = tcase_create("iort");

	tcase_add_test(tc, test_rmr_stream_ids_resolve_to_rids);
	tcase_add_test(tc, test_rmr_ignored_before_revision_5);
	tcase_add_test(tc, test_every_prefix_fails_cleanly);
	tcase_add_test(tc, test_table_without_nodes_is_empty);
	tcase_add_test(tc, test_zero_length_node_is_einval);
	tcase_add_test(tc, test_root_complex_shorter_than_fixed_part_is_einval);
	tcase_add_test(tc, test_node_count_past_table_is_einval);
	tcase_add_test(tc, test_node_offset_outside_table_is_einval);
	tcase_add_test(tc, test_id_mappings_past_node_are_einval);
	tcase_add_test(tc, test_rmr_descriptors_past_node_are_einval);
	tcase_add_test(tc, test_dangling_output_reference_is_einval);
	tcase_add_test(tc, test_root_complex_segment_above_16_bits_is_einval);
	tcase_add_test(tc, test_rmr_descriptor_misaligned_is_skipped);
	tcase_add_test(tc, test_bad_rmr_descriptors_are_skipped_and_the_rest_kept);
	tcase_add_test(tc, test_rmr_descriptor_empty_or_wrapping_is_skipped);
	tcase_add_test(tc, test_rmr_without_id_mappings_counts_unresolved);
	tcase_add_test(tc, test_rc_input_ids_past_16_bits_are_not_rids);
	tcase_add_test(tc, test_stream_ids_split_across_root_complexes);
	tcase_add_test(tc, test_rc_mappings_to_other_smmu_do_not_match);
	suite_add_tcase(s, tc);
	return s;
}
