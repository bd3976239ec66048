// SPDX-License-Identifier: MIT
/*
 * Memory and failure paths of the IOVA allocator: the index's memory
 * (uvf_iova_stats.metadata_bytes) grows with fragmentation and is given
 * back when the space empties, a request that cannot be placed changes
 * nothing however fragmented the space is, and blocks far apart in the
 * 64-bit space cost memory only where they are.
 */
#include <stdlib.h>

#include "iova_test.h"

#define BASE (1ull << 32)
#define PAGES 65536

/* Every other page allocated: PAGES / 2 one-page free extents. */
static uvf_iova_t *checkerboard(struct uvf_iova_allocator *a)
{
	uvf_iova_t *got = malloc(PAGES * sizeof(*got));

	ck_assert_ptr_nonnull(got);
	for (int i = 0; i < PAGES; i++)
		CHECK_EQ(uvf_iova_alloc(a, PG, &got[i]), 0);
	for (int i = 0; i < PAGES; i += 2)
		CHECK_EQ(uvf_iova_free(a, got[i], PG), 0);
	return got;
}

START_TEST(test_metadata_is_given_back_when_the_window_empties)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, PAGES);
	struct uvf_iova_stats initial = stats_of(a), full;
	uvf_iova_t *got = checkerboard(a);

	full = stats_of(a);
	/* One node per free extent at least, so it must have grown. */
	ck_assert_uint_ge(full.metadata_bytes,
			  initial.metadata_bytes + PAGES / 2 * 32);
	for (int i = 1; i < PAGES; i += 2)
		CHECK_EQ(uvf_iova_free(a, got[i], PG), 0);
	assert_all_free(a, &initial);
	/* Back to what an empty allocator holds, give or take the spare slab,
	 * leaf and directories kept against churn. */
	ck_assert_uint_le(stats_of(a).metadata_bytes,
			  initial.metadata_bytes + 64 * 1024);
	ck_assert_uint_lt(stats_of(a).metadata_bytes,
			  full.metadata_bytes / 50);
	free(got);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_metadata_follows_free_extents_not_allocations)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, PAGES);
	struct uvf_iova_stats st;
	uvf_iova_t iova;

	/* Fully allocated in single pages: one extent-free window. */
	for (int i = 0; i < PAGES; i++)
		CHECK_EQ(uvf_iova_alloc(a, PG, &iova), 0);
	st = stats_of(a);
	ck_assert_uint_eq(st.allocated_blocks, PAGES);
	/* A byte per page of block map, not a node per block. */
	ck_assert_uint_le(st.metadata_bytes, PAGES * 2 + 4 * 4096);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_request_that_cannot_fit_changes_nothing)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, PAGES);
	uvf_iova_t *got = checkerboard(a), iova = 0x5a5a, small;
	struct uvf_iova_stats before, after;

	/* Half the window is free, yet no two free pages are adjacent. */
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &small), 0);
	uvf_iova_free_fast(a, small, PG);
	before = stats_of(a);
	ck_assert_uint_eq(before.cached_bytes, PG);
	for (unsigned int k = 1; k <= 20; k++)
		ck_assert_int_eq(uvf_iova_alloc(a, PG << k, &iova), -ENOSPC);
	ck_assert_uint_eq(iova, 0x5a5a);
	after = stats_of(a);
	/* The failure drained the caches: the only change. */
	ck_assert_uint_eq(after.cached_bytes, 0);
	ck_assert_uint_eq(after.free_bytes, before.free_bytes + PG);
	ck_assert_uint_eq(after.allocated_blocks, before.allocated_blocks);
	ck_assert_uint_eq(after.metadata_bytes, before.metadata_bytes);
	/* And the space is intact: a single page still comes from it. */
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), 0);
	ck_assert_uint_eq(iova, got[0]);
	free(got);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_far_apart_blocks_cost_memory_only_where_they_are)
{
	struct uvf_iova_range all = { 0, UINT64_MAX };
	struct uvf_iova_allocator *a = NULL;
	uvf_iova_t lo, hi, iova;
	struct uvf_iova_stats initial;

	ck_assert_int_eq(uvf_iova_allocator_create(&all, 1, &a), 0);
	initial = stats_of(a);
	ck_assert_int_eq(uvf_iova_reserve(a, PG, UINT64_MAX - 2 * PG + 1), 0);
	/* Left: page 0 and the top page. */
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &lo), 0);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &hi), 0);
	ck_assert_uint_eq(lo, 0);
	ck_assert_uint_eq(hi, UINT64_MAX - PG + 1);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), -ENOSPC);
	/* Two leaves and two directory paths, not 2^52 bytes of map. */
	ck_assert_uint_le(stats_of(a).metadata_bytes, 256 * 1024);
	ck_assert_int_eq(uvf_iova_free(a, lo, PG), 0);
	ck_assert_int_eq(uvf_iova_free(a, hi, PG), 0);
	ck_assert_int_eq(uvf_iova_free(a, lo, PG), -ENOENT);
	ck_assert_int_eq(uvf_iova_free(a, PG, UINT64_MAX - 2 * PG + 1), 0);
	assert_all_free(a, &initial);
	uvf_iova_allocator_destroy(a);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("iova_memory");
	TCase *tc = tcase_create("memory");

	tcase_add_test(tc, test_metadata_is_given_back_when_the_window_empties);
	tcase_add_test(tc, test_metadata_follows_free_extents_not_allocations);
	tcase_add_test(tc, test_request_that_cannot_fit_changes_nothing);
	tcase_add_test(tc, test_far_apart_blocks_cost_memory_only_where_they_are);
	suite_add_tcase(s, tc);
	return s;
}
