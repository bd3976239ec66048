/* SPDX-License-Identifier: MIT */
/*
 * Page tables in the hardware formats: the exact bits of leaves and table
 * entries, permissions, the walker's view, leaf size choice and what the
 * per-operation statistics report. Every case runs once per format.
 */
#include <string.h>

#include "check_main.h"
#include "pgt_test.h"

static const uint64_t sizes[] = { UVF_PAGE_SIZE, UVF_SZ_2M, UVF_SZ_1G };

START_TEST(test_map_translate_round_trip_writes_spec_bits)
{
	/* Each in its own 1 GiB and 512 GiB region. */
	static const uvf_iova_t iovas[] = {
		3 * UVF_SZ_1G + UVF_PAGE_SIZE,
		(1ull << 39) + 4 * UVF_SZ_1G + 2 * UVF_SZ_2M,
		(2ull << 39) + 5 * UVF_SZ_1G,
	};
	struct uvf_pgtable *pt = pt_new(_i);
	unsigned int s;

	for (s = 0; s < 3; s++) {
		uint64_t size = sizes[s], pa = TEST_PA + 7 * size, entry = 0;
		uvf_iova_t iova = iovas[s];
		unsigned int level = 0;

		ck_assert_int_eq(uvf_pgtable_map(pt, iova, pa, size,
						 UVF_PROT_RW, 0, NULL), 0);
		ck_assert_int_eq(uvf_pgtable_debug_leaf(pt, iova, &entry,
							&level), 0);
		ck_assert_uint_eq(level, s + 1);
		ck_assert_uint_eq(entry, expect_leaf(_i, s + 1, pa,
						     UVF_PROT_RW));
		check_path_encoding(pt, _i, iova, s + 1);
		check_maps(pt, iova, pa, UVF_PROT_RW, size);
		check_maps(pt, iova + size - 1, pa + size - 1, UVF_PROT_RW,
			   size);
		check_maps(pt, iova + 0x123, pa + 0x123, UVF_PROT_RW, size);
		check_unmapped(pt, iova - UVF_PAGE_SIZE);
		check_unmapped(pt, iova + size);
	}
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(test_permissions_are_encoded_per_format)
{
	static const int prots[] = { UVF_PROT_READ, UVF_PROT_WRITE,
				     UVF_PROT_RW };
	struct uvf_pgtable *pt = pt_new(_i);
	const struct uvf_pgtable_info *info = uvf_pgtable_info(pt);
	unsigned int p, s;

	ck_assert(info->write_implies_read ==
		  (_i == UVF_PGTABLE_ARM_LPAE_S1));
	for (p = 0; p < 3; p++) {
		for (s = 0; s < 3; s++) {
			uvf_iova_t iova = (p * 4 + s + 1) * UVF_SZ_1G;
			uint64_t entry;
			unsigned int level;

			ck_assert_int_eq(uvf_pgtable_map(pt, iova, TEST_PA,
							 sizes[s], prots[p], 0,
							 NULL), 0);
			ck_assert_int_eq(uvf_pgtable_debug_leaf(pt, iova,
								&entry,
								&level), 0);
			ck_assert_uint_eq(entry, expect_leaf(_i, s + 1,
							     TEST_PA,
							     prots[p]));
			check_maps(pt, iova, TEST_PA,
				   expect_prot(_i, prots[p]), sizes[s]);
		}
	}
	uvf_pgtable_destroy(pt);
}
END_TEST

/* The walker ANDs the rights of the table entries on the path: clearing
 * write in the level-2 table entry makes a read-write leaf read-only. */
START_TEST(test_table_entry_rights_limit_the_walk)
{
	struct uvf_pgtable *pt = pt_new(_i);
	uvf_iova_t iova = 9 * UVF_SZ_1G;
	uint64_t *e, saved, no_write;

	ck_assert_int_eq(uvf_pgtable_map(pt, iova, TEST_PA, UVF_PAGE_SIZE,
					 UVF_PROT_RW, 0, NULL), 0);
	e = uvf_pgtable_debug_entry(pt, iova, 2);
	ck_assert_ptr_nonnull(e);
	saved = *e;
	switch (_i) {
	case UVF_PGTABLE_AMD_V1:
		no_write = saved & ~(1ull << 62);	/* IW */
		break;
	case UVF_PGTABLE_ARM_LPAE_S1:
		no_write = saved | (1ull << 62);	/* APTable[1] */
		break;
	default:
		no_write = saved & ~0x2ull;		/* DMA_PTE_WRITE */
		break;
	}
	*e = no_write;
	check_maps(pt, iova, TEST_PA, UVF_PROT_READ, UVF_PAGE_SIZE);
	*e = saved;
	check_maps(pt, iova, TEST_PA, UVF_PROT_RW, UVF_PAGE_SIZE);
	uvf_pgtable_destroy(pt);
}
END_TEST

/* An entry that is present but neither a valid leaf nor a valid table at
 * its level makes the walk fault instead of being misread. */
START_TEST(test_malformed_entry_faults_the_walk)
{
	struct uvf_pgtable *pt = pt_new(_i);
	uvf_iova_t iova = 11 * UVF_SZ_1G;
	uint64_t *e, saved, bad;
	uint64_t pa;
	int prot;

	ck_assert_int_eq(uvf_pgtable_map(pt, iova, TEST_PA, UVF_SZ_2M,
					 UVF_PROT_RW, 0, NULL), 0);
	e = uvf_pgtable_debug_entry(pt, iova, 2);
	saved = *e;
	switch (_i) {
	case UVF_PGTABLE_AMD_V1:
		bad = saved | (2ull << 9);	/* next level 2 at level 2 */
		break;
	case UVF_PGTABLE_ARM_LPAE_S1:
		bad = saved & ~0x400ull;	/* block without AF */
		break;
	default:
		e = uvf_pgtable_debug_entry(pt, iova, 4);
		saved = *e;
		bad = saved | 0x80;		/* PS is reserved at level 4 */
		break;
	}
	*e = bad;
	ck_assert_int_eq(uvf_pgtable_translate(pt, iova, &pa, &prot, NULL),
			 -ENOENT);
	*e = saved;
	check_maps(pt, iova, TEST_PA, UVF_PROT_RW, UVF_SZ_2M);
	uvf_pgtable_destroy(pt);
}
END_TEST

/* 4K | 2M | 1G | 2M | 4K for a range that allows it; only 4 KiB leaves
 * when the output address is not aligned like the IOVA or @pgsizes says
 * so; only 2 MiB leaves when only those are allowed. */
START_TEST(test_largest_leaf_that_alignment_and_length_allow)
{
	struct uvf_pgtable *pt = pt_new(_i);
	uvf_iova_t g = 4 * UVF_SZ_1G;
	uvf_iova_t iova = g - UVF_SZ_2M - UVF_PAGE_SIZE;
	uint64_t len = UVF_SZ_1G + 2 * UVF_SZ_2M + 2 * UVF_PAGE_SIZE;
	uint64_t pa = TEST_PA + UVF_SZ_1G - UVF_SZ_2M - UVF_PAGE_SIZE;
	struct uvf_pgtable_op_stats st;

	ck_assert_int_eq(uvf_pgtable_map(pt, iova, pa, len, UVF_PROT_RW, 0,
					 &st), 0);
	check_maps(pt, iova, pa, UVF_PROT_RW, UVF_PAGE_SIZE);
	check_maps(pt, g - UVF_SZ_2M, pa + UVF_PAGE_SIZE, UVF_PROT_RW,
		   UVF_SZ_2M);
	check_maps(pt, g + 5, TEST_PA + UVF_SZ_1G + 5, UVF_PROT_RW,
		   UVF_SZ_1G);
	check_maps(pt, g + UVF_SZ_1G, TEST_PA + 2 * UVF_SZ_1G, UVF_PROT_RW,
		   UVF_SZ_2M);
	check_maps(pt, g + UVF_SZ_1G + UVF_SZ_2M,
		   TEST_PA + 2 * UVF_SZ_1G + UVF_SZ_2M, UVF_PROT_RW,
		   UVF_PAGE_SIZE);
	ck_assert_uint_eq(st.leaf_bytes[1], 2 * UVF_PAGE_SIZE);
	ck_assert_uint_eq(st.leaf_bytes[2], 2 * UVF_SZ_2M);
	ck_assert_uint_eq(st.leaf_bytes[3], UVF_SZ_1G);
	ck_assert_int_eq(uvf_pgtable_unmap(pt, iova, len, NULL), 0);

	/* Output address 4 KiB off the IOVA's alignment. */
	ck_assert_int_eq(uvf_pgtable_map(pt, g, TEST_PA + UVF_PAGE_SIZE,
					 UVF_SZ_2M, UVF_PROT_RW, 0, &st), 0);
	ck_assert_uint_eq(st.entries_written[1], 512);
	check_maps(pt, g, TEST_PA + UVF_PAGE_SIZE, UVF_PROT_RW,
		   UVF_PAGE_SIZE);
	ck_assert_int_eq(uvf_pgtable_unmap(pt, g, UVF_SZ_2M, NULL), 0);

	/* Only 4 KiB allowed. */
	ck_assert_int_eq(uvf_pgtable_map(pt, g, TEST_PA, UVF_SZ_2M,
					 UVF_PROT_RW, UVF_PAGE_SIZE, &st), 0);
	ck_assert_uint_eq(st.leaf_bytes[1], UVF_SZ_2M);
	ck_assert_int_eq(uvf_pgtable_unmap(pt, g, UVF_SZ_2M, NULL), 0);

	/* Only 2 MiB allowed, over a 1 GiB aligned range. */
	ck_assert_int_eq(uvf_pgtable_map(pt, g, TEST_PA, UVF_SZ_1G,
					 UVF_PROT_RW, UVF_SZ_2M, &st), 0);
	ck_assert_uint_eq(st.entries_written[2], 512);
	ck_assert_uint_eq(st.leaf_bytes[2], UVF_SZ_1G);
	check_maps(pt, g + UVF_SZ_1G - 1, TEST_PA + UVF_SZ_1G - 1,
		   UVF_PROT_RW, UVF_SZ_2M);
	ck_assert_int_eq(uvf_pgtable_unmap(pt, g, UVF_SZ_1G, NULL), 0);
	ck_assert_uint_eq(uvf_pgtable_table_pages(pt), 1);
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(test_stats_count_entries_tables_and_leaf_bytes)
{
	struct uvf_pgtable *pt = pt_new(_i);
	unsigned int levels = pt_levels(pt), l;
	struct uvf_pgtable_op_stats st;
	uvf_iova_t iova = 6 * UVF_SZ_1G;

	ck_assert_int_eq(uvf_pgtable_map(pt, iova, TEST_PA, UVF_PAGE_SIZE,
					 UVF_PROT_READ, 0, &st), 0);
	ck_assert_uint_eq(st.tables_allocated, levels - 1);
	ck_assert_uint_eq(st.tables_freed, 0);
	for (l = 1; l <= levels; l++)
		ck_assert_uint_eq(st.entries_written[l], 1);
	ck_assert_uint_eq(st.leaf_bytes[1], UVF_PAGE_SIZE);
	ck_assert_uint_eq(uvf_pgtable_table_pages(pt), levels);

	ck_assert_int_eq(uvf_pgtable_map(pt, iova + UVF_PAGE_SIZE,
					 TEST_PA, 256 * UVF_PAGE_SIZE,
					 UVF_PROT_RW, 0, &st), 0);
	ck_assert_uint_eq(st.tables_allocated, 0);
	ck_assert_uint_eq(st.entries_written[1], 256);
	ck_assert_uint_eq(st.entries_written[2], 0);
	ck_assert_uint_eq(st.leaf_bytes[1], 256 * UVF_PAGE_SIZE);

	/* A failed call reports nothing. */
	ck_assert_int_eq(uvf_pgtable_map(pt, iova, TEST_PA, UVF_PAGE_SIZE,
					 UVF_PROT_RW, 0, &st), -EEXIST);
	ck_assert_uint_eq(st.entries_written[1], 0);

	ck_assert_int_eq(uvf_pgtable_unmap(pt, iova, 257 * UVF_PAGE_SIZE,
					   &st), 0);
	ck_assert_uint_eq(st.tables_freed, levels - 1);
	ck_assert_uint_eq(st.tables_allocated, 0);
	ck_assert_uint_eq(st.entries_written[1], 257);
	for (l = 2; l <= levels; l++)
		ck_assert_uint_eq(st.entries_written[l], 1);
	ck_assert_uint_eq(st.leaf_bytes[1], 257 * UVF_PAGE_SIZE);
	ck_assert_uint_eq(uvf_pgtable_table_pages(pt), 1);
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(test_format_descriptions_and_names)
{
	const struct uvf_pgtable_info *info = uvf_pgtable_format_info(_i);
	static const char *const names[] = { "vtd-sl4", "vtd-sl5", "amd-v1",
					     "arm-lpae-s1" };
	static const unsigned int levels[] = { 4, 5, 4, 4 };

	ck_assert_ptr_nonnull(info);
	ck_assert_str_eq(info->name, names[_i]);
	ck_assert_int_eq(uvf_pgtable_format_by_name(names[_i]), _i);
	ck_assert_uint_eq(info->levels, levels[_i]);
	ck_assert_uint_eq(info->ias_bits, 12 + 9 * levels[_i]);
	ck_assert_uint_eq(info->oas_bits,
			  _i == UVF_PGTABLE_ARM_LPAE_S1 ? 48 : 52);
	ck_assert_uint_eq(info->pgsize_bitmap,
			  UVF_PAGE_SIZE | UVF_SZ_2M | UVF_SZ_1G);
	ck_assert_ptr_null(uvf_pgtable_format_info(UVF_PGTABLE_NR_FORMATS));
	ck_assert_int_eq(uvf_pgtable_format_by_name("vtd"), -EINVAL);
	ck_assert_int_eq(uvf_pgtable_format_by_name(NULL), -EINVAL);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pgtable-encoding");
	TCase *tc = tcase_create("formats");

	tcase_add_loop_test(tc, test_map_translate_round_trip_writes_spec_bits,
			    0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_permissions_are_encoded_per_format, 0,
			    UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_table_entry_rights_limit_the_walk, 0,
			    UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_malformed_entry_faults_the_walk, 0,
			    UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc,
			    test_largest_leaf_that_alignment_and_length_allow,
			    0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_stats_count_entries_tables_and_leaf_bytes,
			    0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_format_descriptions_and_names, 0,
			    UVF_PGTABLE_NR_FORMATS);
	suite_add_tcase(s, tc);
	return s;
}
