/* SPDX-License-Identifier: MIT */
/*
 * Map and unmap semantics: all or nothing on -EEXIST / -ENOENT / -ENOMEM,
 * splitting large leaves, freeing tables that become empty, the input and
 * output address limits and argument checks. Every case runs once per
 * format.
 */
#include "check_main.h"
#include "pgt_test.h"

#define K4 UVF_PAGE_SIZE
#define M2 UVF_SZ_2M
#define G1 UVF_SZ_1G

/* A call that must fail with @err and leave the tables untouched. */
#define CHECK_FAILS_CLEANLY(pt, call, err)				\
	do {								\
		uint64_t d_ = pt_digest(pt);				\
		uint64_t n_ = uvf_pgtable_table_pages(pt);		\
									\
		ck_assert_int_eq((call), (err));			\
		ck_assert_uint_eq(uvf_pgtable_table_pages(pt), n_);	\
		ck_assert_uint_eq(pt_digest(pt), d_);			\
	} while (0)

static void map_ok(struct uvf_pgtable *pt, uvf_iova_t iova, uint64_t pa,
		   uint64_t len, int prot)
{
	ck_assert_int_eq(uvf_pgtable_map(pt, iova, pa, len, prot, 0, NULL), 0);
}

static void unmap_ok(struct uvf_pgtable *pt, uvf_iova_t iova, uint64_t len)
{
	ck_assert_int_eq(uvf_pgtable_unmap(pt, iova, len, NULL), 0);
}

START_TEST(test_map_over_mapped_page_is_eexist_without_side_effects)
{
	struct uvf_pgtable *pt = pt_new(_i);

	map_ok(pt, 2 * G1 + K4, TEST_PA, K4, UVF_PROT_RW);
	map_ok(pt, 8 * G1 + M2, TEST_PA, M2, UVF_PROT_RW);
	map_ok(pt, 9 * G1 + 3 * K4, TEST_PA, K4, UVF_PROT_RW);
	map_ok(pt, 10 * G1, TEST_PA, G1, UVF_PROT_RW);

	/* Earlier runs (a 4 KiB leaf and a 2 MiB leaf in new tables) are
	 * written before the conflict at 2G + 4K turns up. */
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, 2 * G1 - M2 - K4,
						TEST_PA + G1 - M2 - K4,
						M2 + 3 * K4, UVF_PROT_RW, 0,
						NULL), -EEXIST);
	check_unmapped(pt, 2 * G1 - M2 - K4);
	check_unmapped(pt, 2 * G1 - M2);
	check_unmapped(pt, 2 * G1);
	/* 4 KiB inside a 2 MiB leaf, 2 MiB over a 4 KiB leaf, 2 MiB inside
	 * a 1 GiB leaf, the same page again. */
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, 8 * G1 + M2 + 5 * K4,
						TEST_PA, K4, UVF_PROT_RW, 0,
						NULL), -EEXIST);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, 9 * G1, TEST_PA, M2,
						UVF_PROT_RW, 0, NULL),
			    -EEXIST);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, 10 * G1 + 4 * M2,
						TEST_PA, M2, UVF_PROT_READ, 0,
						NULL), -EEXIST);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, 2 * G1 + K4, TEST_PA, K4,
						UVF_PROT_RW, 0, NULL),
			    -EEXIST);
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(test_unmap_with_unmapped_page_is_enoent_without_side_effects)
{
	struct uvf_pgtable *pt = pt_new(_i);
	uvf_iova_t a = 3 * G1, b = 5 * G1 + 4 * M2, c = 7 * G1;

	map_ok(pt, a, TEST_PA, 4 * K4, UVF_PROT_RW);
	map_ok(pt, a + 5 * K4, TEST_PA, 3 * K4, UVF_PROT_RW);
	map_ok(pt, b, TEST_PA, M2, UVF_PROT_RW);
	map_ok(pt, c, TEST_PA, G1, UVF_PROT_RW);

	/* A hole in the middle; a partly covered 2 MiB leaf followed by a
	 * hole (the split must not happen); a hole before a 1 GiB leaf;
	 * nothing mapped at all. */
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_unmap(pt, a, 8 * K4, NULL),
			    -ENOENT);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_unmap(pt, b + M2 / 2, M2, NULL),
			    -ENOENT);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_unmap(pt, c - K4, 2 * K4, NULL),
			    -ENOENT);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_unmap(pt, 30 * G1, K4, NULL),
			    -ENOENT);
	check_maps(pt, a + 3 * K4, TEST_PA + 3 * K4, UVF_PROT_RW, K4);
	check_maps(pt, b + M2 / 2, TEST_PA + M2 / 2, UVF_PROT_RW, M2);
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(test_partial_unmap_splits_large_leaf)
{
	struct uvf_pgtable *pt = pt_new(_i);
	int ro = expect_prot(_i, UVF_PROT_READ);
	uvf_iova_t g = 4 * G1, h = 6 * G1 + 10 * M2;
	struct uvf_pgtable_op_stats st;
	uint64_t pages, entry;
	unsigned int level;

	map_ok(pt, g, TEST_PA, G1, UVF_PROT_READ);
	pages = uvf_pgtable_table_pages(pt);
	ck_assert_int_eq(uvf_pgtable_unmap(pt, g + M2 + K4, K4, &st), 0);
	ck_assert_uint_eq(uvf_pgtable_table_pages(pt), pages + 2);
	ck_assert_uint_eq(st.tables_allocated, 2);
	ck_assert_uint_eq(st.entries_written[3], 1);
	ck_assert_uint_eq(st.entries_written[2], 512 + 1);
	ck_assert_uint_eq(st.entries_written[1], 512 + 1);
	ck_assert_uint_eq(st.leaf_bytes[1], K4);

	/* The split leaves carry the same rights, at their own level. */
	check_maps(pt, g, TEST_PA, ro, M2);
	ck_assert_int_eq(uvf_pgtable_debug_leaf(pt, g + M2, &entry, &level),
			 0);
	ck_assert_uint_eq(level, 1);
	ck_assert_uint_eq(entry, expect_leaf(_i, 1, TEST_PA + M2,
					     UVF_PROT_READ));
	ck_assert_int_eq(uvf_pgtable_debug_leaf(pt, g + 2 * M2, &entry,
						&level), 0);
	ck_assert_uint_eq(level, 2);
	ck_assert_uint_eq(entry, expect_leaf(_i, 2, TEST_PA + 2 * M2,
					     UVF_PROT_READ));
	check_maps(pt, g + M2, TEST_PA + M2, ro, K4);
	check_unmapped(pt, g + M2 + K4);
	check_maps(pt, g + M2 + 2 * K4 + 9, TEST_PA + M2 + 2 * K4 + 9, ro,
		   K4);
	check_maps(pt, g + G1 - 1, TEST_PA + G1 - 1, ro, M2);

	/* A 2 MiB leaf split once; a 1 GiB leaf cut at both ends. */
	map_ok(pt, h, TEST_PA, M2, UVF_PROT_RW);
	ck_assert_int_eq(uvf_pgtable_unmap(pt, h, K4, &st), 0);
	ck_assert_uint_eq(st.tables_allocated, 1);
	check_maps(pt, h + K4, TEST_PA + K4, UVF_PROT_RW, K4);
	map_ok(pt, 8 * G1, TEST_PA, G1, UVF_PROT_RW);
	ck_assert_int_eq(uvf_pgtable_unmap(pt, 8 * G1 + K4, G1 - 2 * K4,
					   &st), 0);
	ck_assert_uint_eq(st.tables_allocated, 3);
	check_maps(pt, 8 * G1, TEST_PA, UVF_PROT_RW, K4);
	check_maps(pt, 9 * G1 - K4, TEST_PA + G1 - K4, UVF_PROT_RW, K4);
	check_unmapped(pt, 8 * G1 + G1 / 2);

	unmap_ok(pt, g, M2 + K4);
	unmap_ok(pt, g + M2 + 2 * K4, G1 - M2 - 2 * K4);
	unmap_ok(pt, h + K4, M2 - K4);
	unmap_ok(pt, 8 * G1, K4);
	unmap_ok(pt, 9 * G1 - K4, K4);
	ck_assert_uint_eq(uvf_pgtable_table_pages(pt), 1);
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(test_unmapping_everything_frees_intermediate_tables)
{
	struct uvf_pgtable *pt = pt_new(_i);
	struct uvf_pgtable *fresh = pt_new(_i);
	uvf_iova_t run = 3 * G1 - 128 * K4; /* crosses two tables */
	uvf_iova_t far = 1ull << 39;

	map_ok(pt, K4, TEST_PA, K4, UVF_PROT_RW);
	ck_assert_uint_eq(uvf_pgtable_table_pages(pt), pt_levels(pt));
	map_ok(pt, run, TEST_PA, 256 * K4, UVF_PROT_RW);
	map_ok(pt, 5 * G1, TEST_PA, 3 * M2, UVF_PROT_WRITE);
	map_ok(pt, 6 * G1, TEST_PA, G1, UVF_PROT_READ);
	map_ok(pt, far + 7 * K4, TEST_PA, K4, UVF_PROT_RW);
	ck_assert_uint_gt(uvf_pgtable_table_pages(pt), pt_levels(pt));

	unmap_ok(pt, 5 * G1 + M2, M2);
	unmap_ok(pt, far + 7 * K4, K4);
	unmap_ok(pt, run + 100 * K4, 156 * K4);
	unmap_ok(pt, 6 * G1, G1);
	unmap_ok(pt, 5 * G1, M2);
	unmap_ok(pt, K4, K4);
	unmap_ok(pt, run, 100 * K4);
	ck_assert_uint_gt(uvf_pgtable_table_pages(pt), 1);
	unmap_ok(pt, 5 * G1 + 2 * M2, M2);
	ck_assert_uint_eq(uvf_pgtable_table_pages(pt), 1);
	ck_assert_uint_eq(pt_digest(pt), pt_digest(fresh));
	uvf_pgtable_destroy(fresh);
	uvf_pgtable_destroy(pt);
}
END_TEST

/* 57-bit formats map above 2^48 through the fifth level; 48-bit ones
 * refuse it. */
START_TEST(test_five_levels_reach_above_2_48)
{
	struct uvf_pgtable *pt = pt_new(_i);
	const struct uvf_pgtable_info *info = uvf_pgtable_info(pt);
	uvf_iova_t high = (1ull << 56) + (3ull << 48) + 5 * K4;
	uvf_iova_t below = (1ull << 48) - K4;
	uint64_t *e;

	map_ok(pt, below, TEST_PA, K4, UVF_PROT_RW);
	check_maps(pt, below, TEST_PA, UVF_PROT_RW, K4);
	if (info->ias_bits < 57) {
		CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, high, TEST_PA, K4,
							UVF_PROT_RW, 0, NULL),
				    -ERANGE);
		CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, 1ull << 48,
							TEST_PA, K4,
							UVF_PROT_RW, 0, NULL),
				    -ERANGE);
		uvf_pgtable_destroy(pt);
		return;
	}
	map_ok(pt, high, TEST_PA + K4, K4, UVF_PROT_RW);
	map_ok(pt, 1ull << 48, TEST_PA, G1, UVF_PROT_RW);
	check_maps(pt, high + 7, TEST_PA + K4 + 7, UVF_PROT_RW, K4);
	check_maps(pt, (1ull << 48) + 5, TEST_PA + 5, UVF_PROT_RW, G1);
	check_path_encoding(pt, _i, high, 1);
	e = uvf_pgtable_debug_entry(pt, high, 5);
	ck_assert_uint_eq(((uintptr_t)e & 0xfff) / 8, 256 + 3);
	e = uvf_pgtable_debug_entry(pt, below, 5);
	ck_assert_uint_eq(((uintptr_t)e & 0xfff) / 8, 0);
	e = uvf_pgtable_debug_entry(pt, 1ull << 48, 5);
	ck_assert_uint_eq(((uintptr_t)e & 0xfff) / 8, 1);
	unmap_ok(pt, high, K4);
	unmap_ok(pt, below, K4);
	unmap_ok(pt, 1ull << 48, G1);
	ck_assert_uint_eq(uvf_pgtable_table_pages(pt), 1);
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(test_beyond_address_bits_is_erange)
{
	struct uvf_pgtable *pt = pt_new(_i);
	const struct uvf_pgtable_info *info = uvf_pgtable_info(pt);
	uvf_iova_t top = 1ull << info->ias_bits;
	uint64_t otop = 1ull << info->oas_bits, pa;
	int prot;

	map_ok(pt, 0, TEST_PA, K4, UVF_PROT_RW);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, top - K4, TEST_PA, 2 * K4,
						UVF_PROT_RW, 0, NULL),
			    -ERANGE);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, top, TEST_PA, K4,
						UVF_PROT_RW, 0, NULL),
			    -ERANGE);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, K4, otop, K4,
						UVF_PROT_RW, 0, NULL),
			    -ERANGE);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, K4, otop - K4, 2 * K4,
						UVF_PROT_RW, 0, NULL),
			    -ERANGE);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_unmap(pt, top - K4, 2 * K4,
						  NULL), -ERANGE);
	ck_assert_int_eq(uvf_pgtable_translate(pt, top, &pa, &prot, NULL),
			 -ERANGE);
	ck_assert_int_eq(uvf_pgtable_translate(pt, ~0ull, &pa, &prot, NULL),
			 -ERANGE);

	/* The last page and the last output page are usable. */
	map_ok(pt, top - K4, otop - K4, K4, UVF_PROT_RW);
	check_maps(pt, top - 1, otop - 1, UVF_PROT_RW, K4);
	unmap_ok(pt, top - K4, K4);
	unmap_ok(pt, 0, K4);
	ck_assert_uint_eq(uvf_pgtable_table_pages(pt), 1);
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(test_bad_arguments_are_einval_or_eoverflow)
{
	struct uvf_pgtable *pt = pt_new(_i);
	struct uvf_pgtable *none = NULL;
	uint64_t wrap = ~0ull & ~(K4 - 1);

	map_ok(pt, G1, TEST_PA, K4, UVF_PROT_RW);
#define MAP(iova, pa, len, prot, sizes) \
	uvf_pgtable_map(pt, iova, pa, len, prot, sizes, NULL)
	CHECK_FAILS_CLEANLY(pt, MAP(0, TEST_PA, 0, UVF_PROT_RW, 0), -EINVAL);
	CHECK_FAILS_CLEANLY(pt, MAP(0x800, TEST_PA, K4, UVF_PROT_RW, 0),
			    -EINVAL);
	CHECK_FAILS_CLEANLY(pt, MAP(0, TEST_PA + 16, K4, UVF_PROT_RW, 0),
			    -EINVAL);
	CHECK_FAILS_CLEANLY(pt, MAP(0, TEST_PA, K4 + K4 / 2, UVF_PROT_RW, 0),
			    -EINVAL);
	CHECK_FAILS_CLEANLY(pt, MAP(0, TEST_PA, K4, 0, 0), -EINVAL);
	CHECK_FAILS_CLEANLY(pt, MAP(0, TEST_PA, K4, 4, 0), -EINVAL);
	CHECK_FAILS_CLEANLY(pt, MAP(0, TEST_PA, K4, UVF_PROT_RW | 8, 0),
			    -EINVAL);
	CHECK_FAILS_CLEANLY(pt, MAP(0, TEST_PA, K4, UVF_PROT_RW, 2 * K4),
			    -EINVAL);
	CHECK_FAILS_CLEANLY(pt, MAP(0, TEST_PA, K4, UVF_PROT_RW, 1ull << 39),
			    -EINVAL);
	/* Only 2 MiB allowed: everything must be 2 MiB aligned. */
	CHECK_FAILS_CLEANLY(pt, MAP(K4, TEST_PA, M2, UVF_PROT_RW, M2),
			    -EINVAL);
	CHECK_FAILS_CLEANLY(pt, MAP(0, TEST_PA, M2 + K4, UVF_PROT_RW, M2),
			    -EINVAL);
	CHECK_FAILS_CLEANLY(pt, MAP(wrap, TEST_PA, 2 * K4, UVF_PROT_RW, 0),
			    -EOVERFLOW);
	CHECK_FAILS_CLEANLY(pt, MAP(0, wrap, 2 * K4, UVF_PROT_RW, 0),
			    -EOVERFLOW);
#undef MAP
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_unmap(pt, G1, 0, NULL), -EINVAL);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_unmap(pt, G1 + 1, K4, NULL),
			    -EINVAL);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_unmap(pt, G1, 100, NULL),
			    -EINVAL);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_unmap(pt, wrap, 2 * K4, NULL),
			    -EOVERFLOW);
	ck_assert_int_eq(uvf_pgtable_create(UVF_PGTABLE_NR_FORMATS, &none),
			 -EINVAL);
	ck_assert_ptr_null(none);
	uvf_pgtable_destroy(NULL);
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(test_enomem_leaves_no_trace)
{
	struct uvf_pgtable *pt = pt_new(_i);
	unsigned int levels = pt_levels(pt);
	int64_t k;

	/* Each table of a fresh walk failing in turn. */
	for (k = 0; k < levels - 1; k++) {
		uvf_pgtable_debug_fail_alloc(pt, k);
		CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, 3 * G1, TEST_PA,
							K4, UVF_PROT_RW, 0,
							NULL), -ENOMEM);
	}
	/* The second run of a map fails after the first one succeeded. */
	uvf_pgtable_debug_fail_alloc(pt, levels - 1);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_map(pt, G1 - K4, TEST_PA, 2 * K4,
						UVF_PROT_RW, 0, NULL),
			    -ENOMEM);
	check_unmapped(pt, G1 - K4);

	/* A split that cannot get its second table splits nothing. */
	uvf_pgtable_debug_fail_alloc(pt, -1);
	map_ok(pt, 4 * G1, TEST_PA, G1, UVF_PROT_RW);
	uvf_pgtable_debug_fail_alloc(pt, 1);
	CHECK_FAILS_CLEANLY(pt, uvf_pgtable_unmap(pt, 4 * G1 + K4, K4, NULL),
			    -ENOMEM);
	check_maps(pt, 4 * G1 + K4, TEST_PA + K4, UVF_PROT_RW, G1);

	uvf_pgtable_debug_fail_alloc(pt, -1);
	unmap_ok(pt, 4 * G1 + K4, K4);
	map_ok(pt, G1 - K4, TEST_PA, 2 * K4, UVF_PROT_RW);
	uvf_pgtable_destroy(pt);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pgtable-semantics");
	TCase *tc = tcase_create("formats");

	tcase_add_loop_test(tc,
			    test_map_over_mapped_page_is_eexist_without_side_effects,
			    0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc,
			    test_unmap_with_unmapped_page_is_enoent_without_side_effects,
			    0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_partial_unmap_splits_large_leaf, 0,
			    UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc,
			    test_unmapping_everything_frees_intermediate_tables,
			    0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_five_levels_reach_above_2_48, 0,
			    UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_beyond_address_bits_is_erange, 0,
			    UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_bad_arguments_are_einval_or_eoverflow, 0,
			    UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_enomem_leaves_no_trace, 0,
			    UVF_PGTABLE_NR_FORMATS);
	suite_add_tcase(s, tc);
	return s;
}
