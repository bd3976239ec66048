// SPDX-License-Identifier: MIT
/*
 * IOVA allocator semantics, single-threaded: argument checks, rounding and
 * alignment, the placement policy, exhaustion, reservations, checked frees,
 * coalescing, caches and the edges of the 64-bit space.
 */
#include <stdlib.h>

#include "iova_test.h"

/* 2^20 pages: aligned for every block the tests allocate. */
#define BASE (1ull << 32)

START_TEST(test_create_rejects_bad_ranges)
{
	struct uvf_iova_allocator *sentinel = (void *)&sentinel, *a = sentinel;
	struct uvf_iova_range ok = { BASE, BASE + 16 * PG - 1 };
	struct uvf_iova_range bad[][2] = {
		{ { BASE + 1, BASE + 16 * PG - 1 }, ok },	/* first */
		{ { BASE, BASE + 16 * PG - 2 }, ok },		/* last */
		{ { BASE, BASE + 16 * PG }, ok },		/* last */
		{ { BASE + PG, BASE - 1 }, ok },		/* backwards */
		{ ok, { BASE + 15 * PG, BASE + 20 * PG - 1 } },	/* overlap */
		{ ok, ok },					/* duplicate */
	};

	ck_assert_int_eq(uvf_iova_allocator_create(NULL, 1, &a), -EINVAL);
	ck_assert_int_eq(uvf_iova_allocator_create(&ok, 0, &a), -EINVAL);
	ck_assert_int_eq(uvf_iova_allocator_create(&ok, 1, NULL), -EINVAL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_int_eq(uvf_iova_allocator_create(bad[i], 2, &a),
				 -EINVAL);
	ck_assert_ptr_eq(a, sentinel);
}
END_TEST

START_TEST(test_create_merges_unsorted_adjacent_ranges)
{
	/* Pages [3,8) and [8,16) given out of order tile as 1@3 4@4 8@8. */
	struct uvf_iova_range r[] = {
		{ BASE + 8 * PG, BASE + 16 * PG - 1 },
		{ BASE + 3 * PG, BASE + 8 * PG - 1 },
	};
	struct uvf_iova_allocator *a;
	struct uvf_iova_stats st;
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_iova_allocator_create(r, 2, &a), 0);
	st = stats_of(a);
	ck_assert_uint_eq(st.total_bytes, 13 * PG);
	ck_assert_uint_eq(st.free_bytes, 13 * PG);
	ck_assert_uint_eq(st.free_blocks, 3);
	/* A 4-page block across the boundary the caller gave. */
	ck_assert_int_eq(uvf_iova_reserve(a, BASE + 6 * PG, 4 * PG), 0);
	ck_assert_int_eq(uvf_iova_alloc(a, 8 * PG, &iova), -ENOSPC);
	ck_assert_int_eq(uvf_iova_free(a, BASE + 6 * PG, 4 * PG), 0);
	ck_assert_int_eq(uvf_iova_alloc(a, 8 * PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE + 8 * PG);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_alloc_rounds_up_to_power_of_two_and_aligns)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 1 << 17);
	uint64_t used = 0;

	for (uint64_t pages = 1; pages <= 300; pages++) {
		uint64_t block = 1;
		uvf_iova_t iova;

		while (block < pages)
			block <<= 1;
		ck_assert_int_eq(uvf_iova_alloc(a, pages * PG, &iova), 0);
		ck_assert_msg(uvf_is_aligned(iova, block * PG),
			      "%llu pages at %#llx", (unsigned long long)pages,
			      (unsigned long long)iova);
		ck_assert(uvf_iova_is_allocated(a, iova, block * PG));
		/* The rounded block, not more. */
		used += block * PG;
		ck_assert_uint_eq(stats_of(a).free_bytes, (1 << 17) * PG - used);
	}
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_alloc_rejects_bad_size_and_args)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 64);
	struct uvf_iova_stats before = stats_of(a), after;
	uvf_iova_t iova = 0x1234;

	ck_assert_int_eq(uvf_iova_alloc(a, 0, &iova), -EINVAL);
	ck_assert_int_eq(uvf_iova_alloc(a, PG - 1, &iova), -EINVAL);
	ck_assert_int_eq(uvf_iova_alloc(a, PG + 512, &iova), -EINVAL);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, NULL), -EINVAL);
	ck_assert_int_eq(uvf_iova_alloc(NULL, PG, &iova), -EINVAL);
	ck_assert_uint_eq(iova, 0x1234);
	after = stats_of(a);
	assert_same_space(&before, &after);
	ck_assert_uint_eq(after.cache_hits + after.cache_misses, 0);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_null_allocator_is_harmless)
{
	struct uvf_iova_stats st;

	memset(&st, 0xff, sizeof(st));
	ck_assert_int_eq(uvf_iova_reserve(NULL, 0, PG), -EINVAL);
	ck_assert_int_eq(uvf_iova_free(NULL, 0, PG), -EINVAL);
	ck_assert(!uvf_iova_is_allocated(NULL, 0, PG));
	ck_assert_int_eq(uvf_iova_free_fast(NULL, 0, PG), -EINVAL);
	uvf_iova_flush_caches(NULL);
	uvf_iova_get_stats(NULL, &st);
	ck_assert_uint_eq(st.total_bytes, 0);
	ck_assert_uint_eq(st.free_blocks, 0);
	uvf_iova_get_stats(NULL, NULL);
	uvf_iova_allocator_destroy(NULL);
}
END_TEST

START_TEST(test_alloc_takes_lowest_of_smallest_fitting_blocks)
{
	/* 7 pages tile as 4@0 2@4 1@6. */
	struct uvf_iova_allocator *a = make_alloc(BASE, 7);
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE + 6 * PG);
	/* Left: 4@0 2@4. Best fit for one page is the 2-block. */
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE + 4 * PG);
	/* Left: 4@0 1@5. */
	ck_assert_int_eq(uvf_iova_alloc(a, 2 * PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE);
	/* Left: 2@2 1@5. */
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE + 5 * PG);
	ck_assert_int_eq(uvf_iova_alloc(a, 4 * PG, &iova), -ENOSPC);
	ck_assert_int_eq(uvf_iova_alloc(a, 2 * PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE + 2 * PG);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), -ENOSPC);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_best_fit_beats_lower_address)
{
	/* Pages [0,8) and [9,10): the lone page fits one page exactly. */
	struct uvf_iova_range r[] = {
		{ BASE, BASE + 8 * PG - 1 },
		{ BASE + 9 * PG, BASE + 10 * PG - 1 },
	};
	struct uvf_iova_allocator *a;
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_iova_allocator_create(r, 2, &a), 0);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE + 9 * PG);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE);
	/* Left: 1@1 2@2 4@4. */
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE + PG);
	ck_assert_int_eq(uvf_iova_alloc(a, 4 * PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE + 4 * PG);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_exhaustion_is_enospc_and_recovers)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 64);
	struct uvf_iova_stats before, after;
	uvf_iova_t iova, got[64];

	for (int i = 0; i < 64; i++) {
		ck_assert_int_eq(uvf_iova_alloc(a, PG, &got[i]), 0);
		for (int j = 0; j < i; j++)
			ck_assert_uint_ne(got[i], got[j]);
	}
	before = stats_of(a);
	ck_assert_uint_eq(before.free_bytes, 0);
	iova = 0x5a5a;
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), -ENOSPC);
	ck_assert_int_eq(uvf_iova_alloc(a, 64 * PG, &iova), -ENOSPC);
	ck_assert_uint_eq(iova, 0x5a5a);
	after = stats_of(a);
	assert_same_space(&before, &after);

	ck_assert_int_eq(uvf_iova_free(a, got[17], PG), 0);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), 0);
	ck_assert_uint_eq(iova, got[17]);
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(uvf_iova_free(a, got[i], PG), 0);
	ck_assert_int_eq(uvf_iova_alloc(a, 64 * PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_enospc_drains_own_cache_and_retries)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 8);
	struct uvf_iova_stats st;
	uvf_iova_t got[8], iova;

	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(uvf_iova_alloc(a, PG, &got[i]), 0);
	for (int i = 0; i < 8; i++)
		uvf_iova_free_fast(a, got[i], PG);
	st = stats_of(a);
	ck_assert_uint_eq(st.cached_bytes, 8 * PG);
	ck_assert_uint_eq(st.free_bytes, 0);
	ck_assert_int_eq(uvf_iova_alloc(a, 8 * PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE);
	st = stats_of(a);
	ck_assert_uint_eq(st.cached_bytes, 0);
	ck_assert_uint_eq(st.allocated_blocks, 1);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_free_of_unallocated_block_is_enoent)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 64);
	struct uvf_iova_stats initial = stats_of(a), before, after;
	struct {
		uvf_iova_t iova;
		uint64_t size;
		int err;
	} bad[] = {
		{ BASE + PG, 4 * PG, -ENOENT },		/* inside the block */
		{ BASE, 8 * PG, -ENOENT },		/* larger block */
		{ BASE, 2 * PG, -ENOENT },		/* smaller block */
		{ BASE + 32 * PG, 4 * PG, -ENOENT },	/* free space */
		{ BASE + 16 * PG, 4 * PG, -ENOENT },	/* reservation size */
		{ BASE + 16 * PG, 2 * PG, -ENOENT },
		{ BASE + 17 * PG, PG, -ENOENT },	/* inside reservation */
		{ BASE - 4 * PG, 4 * PG, -ENOENT },	/* outside usable */
		{ BASE, 0, -EINVAL },
		{ BASE, 100, -EINVAL },
		{ BASE + 1, 4 * PG, -EINVAL },
	};
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_iova_alloc(a, 4 * PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE);
	ck_assert_int_eq(uvf_iova_reserve(a, BASE + 16 * PG, 3 * PG), 0);
	before = stats_of(a);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(uvf_iova_free(a, bad[i].iova, bad[i].size),
				 bad[i].err);
		after = stats_of(a);
		assert_same_space(&before, &after);
		ck_assert(uvf_iova_is_allocated(a, BASE, 4 * PG));
		ck_assert(uvf_iova_is_allocated(a, BASE + 16 * PG, 3 * PG));
	}
	/* Any size that rounds up to the block names it. */
	ck_assert_int_eq(uvf_iova_free(a, BASE, 3 * PG), 0);
	ck_assert_int_eq(uvf_iova_free(a, BASE, 4 * PG), -ENOENT);
	ck_assert_int_eq(uvf_iova_free(a, BASE + 16 * PG, 3 * PG), 0);
	ck_assert_int_eq(uvf_iova_free(a, BASE + 16 * PG, 3 * PG), -ENOENT);
	assert_all_free(a, &initial);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_reserve_takes_exactly_the_range)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 64);
	struct uvf_iova_stats initial = stats_of(a), st;
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_iova_reserve(a, BASE + 5 * PG, 3 * PG), 0);
	ck_assert(uvf_iova_is_allocated(a, BASE + 5 * PG, 3 * PG));
	ck_assert(!uvf_iova_is_allocated(a, BASE + 4 * PG, PG));
	ck_assert(!uvf_iova_is_allocated(a, BASE + 8 * PG, PG));
	st = stats_of(a);
	ck_assert_uint_eq(st.free_bytes, 61 * PG);
	ck_assert_uint_eq(st.allocated_blocks, 1);
	/* Free: [0,5) [8,64) = 4@0 1@4 8@8 16@16 32@32. */
	ck_assert_uint_eq(st.free_blocks, 5);
	ck_assert_int_eq(uvf_iova_alloc(a, 8 * PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE + 8 * PG);
	ck_assert_int_eq(uvf_iova_free(a, BASE + 5 * PG, 3 * PG), 0);
	ck_assert_int_eq(uvf_iova_free(a, iova, 8 * PG), 0);
	assert_all_free(a, &initial);
	/* The whole space, and then nothing fits. */
	ck_assert_int_eq(uvf_iova_reserve(a, BASE, 64 * PG), 0);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), -ENOSPC);
	ck_assert_int_eq(uvf_iova_free(a, BASE, 64 * PG), 0);
	assert_all_free(a, &initial);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_reserve_errors_change_nothing)
{
	/* Pages [0,64) and [128,192): a hole at [64,128). */
	struct uvf_iova_range r[] = {
		{ BASE, BASE + 64 * PG - 1 },
		{ BASE + 128 * PG, BASE + 192 * PG - 1 },
	};
	struct {
		uvf_iova_t iova;
		uint64_t size;
		int err;
	} bad[] = {
		{ BASE + 6 * PG, PG, -EEXIST },		/* inside reservation */
		{ BASE + 4 * PG, 2 * PG, -EEXIST },	/* overlaps its start */
		{ BASE + 7 * PG, 4 * PG, -EEXIST },	/* overlaps its end */
		{ BASE + 34 * PG, PG, -EEXIST },	/* inside allocation */
		{ BASE, 64 * PG, -EEXIST },
		{ BASE + 60 * PG, 8 * PG, -ERANGE },	/* into the hole */
		{ BASE + 64 * PG, PG, -ERANGE },	/* in the hole */
		{ BASE + 120 * PG, 16 * PG, -ERANGE },	/* out of the hole */
		{ BASE + 32 * PG, 128 * PG, -ERANGE },	/* across it */
		{ BASE - PG, 2 * PG, -ERANGE },		/* below */
		{ BASE + 192 * PG, PG, -ERANGE },	/* above */
		{ 0ull - PG, 2 * PG, -EOVERFLOW },
		{ 0ull - 4 * PG, 0ull - 2 * PG, -EOVERFLOW },
		{ BASE, 0, -EINVAL },
		{ BASE + 1, PG, -EINVAL },
		{ BASE, PG + 1, -EINVAL },
	};
	struct uvf_iova_allocator *a;
	struct uvf_iova_stats before, after;
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_iova_allocator_create(r, 2, &a), 0);
	ck_assert_int_eq(uvf_iova_reserve(a, BASE + 5 * PG, 3 * PG), 0);
	/* Free: 4@0 1@4 8@8 16@16 32@32 64@128: the 32-block fits best. */
	ck_assert_int_eq(uvf_iova_alloc(a, 32 * PG, &iova), 0);
	ck_assert_uint_eq(iova, BASE + 32 * PG);
	before = stats_of(a);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(uvf_iova_reserve(a, bad[i].iova, bad[i].size) ==
			      bad[i].err, "case %zu", i);
		after = stats_of(a);
		assert_same_space(&before, &after);
	}
	ck_assert_int_eq(uvf_iova_reserve(NULL, BASE, PG), -EINVAL);
	/* Right up to both edges of the hole is fine. */
	ck_assert_int_eq(uvf_iova_reserve(a, BASE + 16 * PG, 16 * PG), 0);
	ck_assert_int_eq(uvf_iova_reserve(a, BASE + 128 * PG, 64 * PG), 0);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_reserve_of_cached_block_drains_caches)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 16);
	struct uvf_iova_stats st;
	uvf_iova_t x, y;

	ck_assert_int_eq(uvf_iova_alloc(a, PG, &x), 0);
	uvf_iova_free_fast(a, x, PG);
	ck_assert(uvf_iova_is_allocated(a, x, PG));
	ck_assert_uint_eq(stats_of(a).cached_bytes, PG);
	ck_assert_int_eq(uvf_iova_reserve(a, x, PG), 0);
	st = stats_of(a);
	ck_assert_uint_eq(st.cached_bytes, 0);
	ck_assert_uint_eq(st.allocated_blocks, 1);
	ck_assert_uint_eq(st.free_bytes, 15 * PG);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &y), 0);
	ck_assert_uint_ne(x, y);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_is_allocated_covers_bytes_and_usable_set)
{
	struct uvf_iova_range r[] = {
		{ BASE, BASE + 16 * PG - 1 },
		{ BASE + 32 * PG, BASE + 48 * PG - 1 },
	};
	struct uvf_iova_allocator *a;
	uvf_iova_t x;

	ck_assert_int_eq(uvf_iova_allocator_create(r, 2, &a), 0);
	ck_assert_int_eq(uvf_iova_reserve(a, BASE + 12 * PG, 4 * PG), 0);
	ck_assert_int_eq(uvf_iova_alloc(a, 16 * PG, &x), 0);
	ck_assert_uint_eq(x, BASE + 32 * PG);
	ck_assert(uvf_iova_is_allocated(a, x + 100, 10));
	ck_assert(uvf_iova_is_allocated(a, x + 16 * PG - 1, 1));
	ck_assert(!uvf_iova_is_allocated(a, x + 16 * PG - 1, 2));
	ck_assert(uvf_iova_is_allocated(a, BASE + 12 * PG, 4 * PG));
	ck_assert(!uvf_iova_is_allocated(a, BASE + 11 * PG + 4095, 2));
	/* Touching the hole is not "allocated". */
	ck_assert(!uvf_iova_is_allocated(a, BASE + 12 * PG, 5 * PG));
	ck_assert(!uvf_iova_is_allocated(a, BASE + 20 * PG, PG));
	ck_assert(!uvf_iova_is_allocated(a, BASE + 12 * PG, 0));
	ck_assert(!uvf_iova_is_allocated(a, 0ull - PG, 2 * PG));
	ck_assert(!uvf_iova_is_allocated(a, BASE + 2 * PG, PG));
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_free_coalesces_back_to_initial_blocks)
{
	/* Odd ranges: [3,100) [128,129) [200,333) pages. */
	struct uvf_iova_range r[] = {
		{ BASE + 200 * PG, BASE + 333 * PG - 1 },
		{ BASE + 3 * PG, BASE + 100 * PG - 1 },
		{ BASE + 128 * PG, BASE + 129 * PG - 1 },
	};
	static uvf_iova_t iova[400];
	static uint64_t size[400];
	struct uvf_iova_allocator *a;
	struct uvf_iova_stats initial;
	uint64_t seed = 42;
	size_t n = 0;

	ck_assert_int_eq(uvf_iova_allocator_create(r, 3, &a), 0);
	initial = stats_of(a);
	ck_assert_uint_eq(initial.total_bytes, 231 * PG);
	for (int order = 5; order >= 0; order--) {
		for (;;) {
			uint64_t half = (1ull << order) / 2;
			uint64_t pages = (1ull << order) -
					 rng_below(&seed, half + 1);

			if (!pages)
				pages = 1;
			if (uvf_iova_alloc(a, pages * PG, &iova[n]))
				break;
			size[n++] = pages * PG;
		}
	}
	ck_assert_uint_eq(stats_of(a).free_bytes, 0);
	/* Shuffle, then give back through both paths. */
	for (size_t i = n; i > 1; i--) {
		size_t j = rng_below(&seed, i);
		uvf_iova_t ti = iova[i - 1];
		uint64_t ts = size[i - 1];

		iova[i - 1] = iova[j];
		size[i - 1] = size[j];
		iova[j] = ti;
		size[j] = ts;
	}
	for (size_t i = 0; i < n; i++) {
		if (i & 1)
			uvf_iova_free_fast(a, iova[i], size[i]);
		else
			ck_assert_int_eq(uvf_iova_free(a, iova[i], size[i]), 0);
	}
	uvf_iova_flush_caches(a);
	assert_all_free(a, &initial);
	/* 64@256 exists again, not as two halves. */
	ck_assert_int_eq(uvf_iova_alloc(a, 64 * PG, &iova[0]), 0);
	ck_assert_uint_eq(iova[0], BASE + 256 * PG);
	uvf_iova_allocator_destroy(a);
}
END_TEST

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

START_TEST(test_multi_range_never_allocates_in_holes)
{
	struct uvf_iova_range r[] = {
		{ BASE + 1 * PG, BASE + 7 * PG - 1 },
		{ BASE + 9 * PG, BASE + 10 * PG - 1 },
		{ BASE + 31 * PG, BASE + 70 * PG - 1 },
		{ BASE + 100 * PG, BASE + 101 * PG - 1 },
	};
	uvf_iova_t got[64];
	struct uvf_iova_allocator *a;
	size_t n = 0;

	ck_assert_int_eq(uvf_iova_allocator_create(r, 4, &a), 0);
	while (uvf_iova_alloc(a, PG, &got[n]) == 0) {
		bool inside = false;

		for (size_t i = 0; i < 4; i++)
			inside |= got[n] >= r[i].first && got[n] < r[i].last;
		ck_assert(inside);
		n++;
		ck_assert_uint_le(n, 47);
	}
	ck_assert_uint_eq(n, 47);
	qsort(got, n, sizeof(got[0]), cmp_u64);
	for (size_t i = 1; i < n; i++)
		ck_assert_uint_ne(got[i - 1], got[i]);
	uvf_iova_allocator_destroy(a);
}
END_TEST

/* One scripted run; records every address it gets. */
static void scripted_run(struct uvf_iova_allocator *a, uvf_iova_t *trace,
			 size_t n)
{
	uvf_iova_t live[64];
	uint64_t live_size[64], seed = 7;
	size_t nlive = 0;

	for (size_t i = 0; i < n; i++) {
		uint64_t size = (1 + rng_below(&seed, 80)) * PG;

		if (nlive == 64 || (nlive && rng_below(&seed, 3) == 0)) {
			size_t k = rng_below(&seed, nlive);

			if (rng_below(&seed, 2))
				uvf_iova_free_fast(a, live[k], live_size[k]);
			else
				ck_assert_int_eq(uvf_iova_free(a, live[k],
							       live_size[k]), 0);
			live[k] = live[--nlive];
			live_size[k] = live_size[nlive];
		}
		ck_assert_int_eq(uvf_iova_alloc(a, size, &trace[i]), 0);
		live[nlive] = trace[i];
		live_size[nlive++] = size;
	}
}

START_TEST(test_same_calls_give_same_iovas)
{
	static uvf_iova_t t1[2000], t2[2000];
	struct uvf_iova_allocator *a = make_alloc(BASE, 1 << 14);
	struct uvf_iova_allocator *b = make_alloc(BASE, 1 << 14);

	scripted_run(a, t1, 2000);
	scripted_run(b, t2, 2000);
	ck_assert_mem_eq(t1, t2, sizeof(t1));
	uvf_iova_allocator_destroy(a);
	uvf_iova_allocator_destroy(b);
	/* A fresh allocator after destroy starts from scratch, too. */
	a = make_alloc(BASE, 1 << 14);
	scripted_run(a, t2, 2000);
	ck_assert_mem_eq(t1, t2, sizeof(t1));
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_top_of_address_space)
{
	uint64_t top = 0ull - (1ull << 30);
	struct uvf_iova_allocator *a = make_alloc(top, 1 << 18);
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_iova_alloc(a, 1ull << 30, &iova), 0);
	ck_assert_uint_eq(iova, top);
	ck_assert(uvf_iova_is_allocated(a, UINT64_MAX, 1));
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &iova), -ENOSPC);
	ck_assert_int_eq(uvf_iova_free(a, top, 1ull << 30), 0);
	ck_assert_int_eq(uvf_iova_reserve(a, 0ull - PG, PG), 0);
	ck_assert(uvf_iova_is_allocated(a, UINT64_MAX, 1));
	ck_assert_int_eq(uvf_iova_reserve(a, 0ull - PG, 2 * PG), -EOVERFLOW);
	ck_assert_int_eq(uvf_iova_alloc(a, 1ull << 29, &iova), 0);
	ck_assert_uint_eq(iova, top);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_whole_64bit_space)
{
	struct uvf_iova_range all = { 0, UINT64_MAX };
	struct uvf_iova_allocator *a;
	struct uvf_iova_stats st;
	uvf_iova_t x, y;

	ck_assert_int_eq(uvf_iova_allocator_create(&all, 1, &a), 0);
	st = stats_of(a);
	ck_assert_uint_eq(st.total_bytes, UINT64_MAX);
	ck_assert_uint_eq(st.free_blocks, 1);
	/* The largest valid size rounds up to the whole space. */
	ck_assert_int_eq(uvf_iova_alloc(a, 0ull - PG, &x), 0);
	ck_assert_uint_eq(x, 0);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &y), -ENOSPC);
	ck_assert_int_eq(uvf_iova_free(a, x, 0ull - PG), 0);
	ck_assert_int_eq(uvf_iova_alloc(a, 1ull << 63, &x), 0);
	ck_assert_int_eq(uvf_iova_alloc(a, 1ull << 63, &y), 0);
	ck_assert_uint_eq(x, 0);
	ck_assert_uint_eq(y, 1ull << 63);
	ck_assert_uint_eq(stats_of(a).free_bytes, 0);
	ck_assert_int_eq(uvf_iova_free(a, y, 1ull << 63), 0);
	ck_assert_int_eq(uvf_iova_reserve(a, (1ull << 63) + 5 * PG, 3 * PG), 0);
	ck_assert_int_eq(uvf_iova_free(a, (1ull << 63) + 5 * PG, 3 * PG), 0);
	ck_assert_int_eq(uvf_iova_free(a, x, 1ull << 63), 0);
	st = stats_of(a);
	ck_assert_uint_eq(st.free_bytes, UINT64_MAX);
	ck_assert_uint_eq(st.free_blocks, 1);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_cache_reuses_freed_block_and_counts)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 64);
	struct uvf_iova_stats st;
	uvf_iova_t x, y;

	ck_assert_int_eq(uvf_iova_alloc(a, 2 * PG, &x), 0);
	uvf_iova_free_fast(a, x, 2 * PG);
	st = stats_of(a);
	ck_assert_uint_eq(st.cached_bytes, 2 * PG);
	ck_assert_uint_eq(st.free_bytes, 62 * PG);
	ck_assert_uint_eq(st.allocated_blocks, 0);
	ck_assert_uint_eq(st.cache_misses, 1);
	ck_assert_uint_eq(st.cache_hits, 0);
	ck_assert_int_eq(uvf_iova_alloc(a, 2 * PG, &y), 0);
	ck_assert_uint_eq(y, x);
	st = stats_of(a);
	ck_assert_uint_eq(st.cached_bytes, 0);
	ck_assert_uint_eq(st.allocated_blocks, 1);
	ck_assert_uint_eq(st.cache_hits, 1);
	/* Up to UVF_IOVA_CACHED_MAX_PAGES pages are cached, no more. */
	ck_assert_int_eq(uvf_iova_alloc(a, 32 * PG, &x), 0);
	uvf_iova_free_fast(a, x, 32 * PG);
	ck_assert_uint_eq(stats_of(a).cached_bytes, 32 * PG);
	ck_assert_int_eq(uvf_iova_free(a, y, 2 * PG), 0);
	/* 64 pages fit only once the cache is drained, and are not cached. */
	ck_assert_int_eq(uvf_iova_alloc(a, 64 * PG, &x), 0);
	ck_assert_uint_eq(x, BASE);
	uvf_iova_free_fast(a, x, 64 * PG);
	st = stats_of(a);
	ck_assert_uint_eq(st.cached_bytes, 0);
	ck_assert_uint_eq(st.free_bytes, 64 * PG);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_free_fast_of_large_block_goes_to_pool_and_checks_it)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 256);
	struct uvf_iova_stats initial = stats_of(a);
	uvf_iova_t x;

	ck_assert_int_eq(uvf_iova_alloc(a, 64 * PG, &x), 0);
	uvf_iova_free_fast(a, x, 64 * PG);
	assert_all_free(a, &initial);
	/* Not outstanding any more: a second one is refused. */
	ck_assert_int_eq(uvf_iova_free_fast(a, x, 64 * PG), -ENOENT);
	assert_all_free(a, &initial);
	/* So are misaligned ones and reservations. */
	ck_assert_int_eq(uvf_iova_reserve(a, x, 64 * PG), 0);
	ck_assert_int_eq(uvf_iova_free_fast(a, x, 64 * PG), -ENOENT);
	ck_assert_int_eq(uvf_iova_free_fast(a, x + PG, 2 * PG), -EINVAL);
	ck_assert(uvf_iova_is_allocated(a, x, 64 * PG));
	ck_assert_uint_eq(stats_of(a).cached_bytes, 0);
	ck_assert_int_eq(uvf_iova_free(a, x, 64 * PG), 0);
	assert_all_free(a, &initial);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_free_fast_refuses_misaligned_block_and_keeps_it)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 64);
	struct uvf_iova_stats before, after;
	uvf_iova_t x;

	ck_assert_int_eq(uvf_iova_alloc(a, 4 * PG, &x), 0);
	before = stats_of(a);
	/* Inside the block but not its start: refused, not parked or lost. */
	ck_assert_int_eq(uvf_iova_free_fast(a, x + PG, 4 * PG), -EINVAL);
	ck_assert_int_eq(uvf_iova_free_fast(a, x, 0), -EINVAL);
	ck_assert_int_eq(uvf_iova_free_fast(a, x, PG + 1), -EINVAL);
	after = stats_of(a);
	ck_assert_uint_eq(after.cached_bytes, before.cached_bytes);
	ck_assert_uint_eq(after.free_bytes, before.free_bytes);
	ck_assert_uint_eq(after.allocated_blocks, 1);
	ck_assert(uvf_iova_is_allocated(a, x, 4 * PG));
	ck_assert_int_eq(uvf_iova_free_fast(a, x, 4 * PG), 0);
	ck_assert_uint_eq(stats_of(a).cached_bytes, 4 * PG);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_magazines_overflow_to_depot_and_pool)
{
	enum { N = 8192 };
	static uvf_iova_t got[N];
	struct uvf_iova_allocator *a = make_alloc(BASE, N);
	struct uvf_iova_stats initial = stats_of(a), st;

	for (int round = 0; round < 2; round++) {
		for (int i = 0; i < N; i++)
			ck_assert_int_eq(uvf_iova_alloc(a, PG, &got[i]), 0);
		ck_assert_uint_eq(stats_of(a).free_bytes, 0);
		for (int i = 0; i < N; i++)
			uvf_iova_free_fast(a, got[i], PG);
		st = stats_of(a);
		ck_assert_uint_eq(st.allocated_blocks, 0);
		ck_assert_uint_eq(st.free_bytes + st.cached_bytes, N * PG);
		ck_assert_uint_gt(st.cached_bytes, 0);
		ck_assert_uint_gt(st.free_bytes, 0);
	}
	ck_assert_uint_gt(st.cache_hits, 0);
	qsort(got, N, sizeof(got[0]), cmp_u64);
	for (int i = 1; i < N; i++)
		ck_assert_uint_ne(got[i - 1], got[i]);
	uvf_iova_flush_caches(a);
	assert_all_free(a, &initial);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_several_allocators_in_one_thread_keep_caches_apart)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 64);
	struct uvf_iova_allocator *b = make_alloc(2 * BASE, 64);
	struct uvf_iova_allocator *c;
	uvf_iova_t x, y;

	ck_assert_int_eq(uvf_iova_alloc(a, PG, &x), 0);
	uvf_iova_free_fast(a, x, PG);
	ck_assert_int_eq(uvf_iova_alloc(b, PG, &y), 0);
	ck_assert_uint_ge(y, 2 * BASE);
	uvf_iova_free_fast(b, y, PG);
	ck_assert_int_eq(uvf_iova_alloc(a, PG, &y), 0);
	ck_assert_uint_eq(y, x);
	uvf_iova_free_fast(a, y, PG);
	/* Destroy with blocks cached; a new allocator must not see them. */
	uvf_iova_allocator_destroy(b);
	uvf_iova_allocator_destroy(a);
	c = make_alloc(3 * BASE, 64);
	ck_assert_int_eq(uvf_iova_alloc(c, PG, &x), 0);
	ck_assert_uint_ge(x, 3 * BASE);
	ck_assert_uint_eq(stats_of(c).cache_hits, 0);
	uvf_iova_allocator_destroy(c);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("iova");
	TCase *tc = tcase_create("api");

	tcase_add_test(tc, test_create_rejects_bad_ranges);
	tcase_add_test(tc, test_create_merges_unsorted_adjacent_ranges);
	tcase_add_test(tc, test_alloc_rounds_up_to_power_of_two_and_aligns);
	tcase_add_test(tc, test_alloc_rejects_bad_size_and_args);
	tcase_add_test(tc, test_null_allocator_is_harmless);
	tcase_add_test(tc, test_alloc_takes_lowest_of_smallest_fitting_blocks);
	tcase_add_test(tc, test_best_fit_beats_lower_address);
	tcase_add_test(tc, test_exhaustion_is_enospc_and_recovers);
	tcase_add_test(tc, test_enospc_drains_own_cache_and_retries);
	tcase_add_test(tc, test_free_of_unallocated_block_is_enoent);
	tcase_add_test(tc, test_reserve_takes_exactly_the_range);
	tcase_add_test(tc, test_reserve_errors_change_nothing);
	tcase_add_test(tc, test_reserve_of_cached_block_drains_caches);
	tcase_add_test(tc, test_is_allocated_covers_bytes_and_usable_set);
	tcase_add_test(tc, test_free_coalesces_back_to_initial_blocks);
	tcase_add_test(tc, test_multi_range_never_allocates_in_holes);
	tcase_add_test(tc, test_same_calls_give_same_iovas);
	tcase_add_test(tc, test_top_of_address_space);
	tcase_add_test(tc, test_whole_64bit_space);
	tcase_add_test(tc, test_cache_reuses_freed_block_and_counts);
	tcase_add_test(tc, test_free_fast_of_large_block_goes_to_pool_and_checks_it);
	tcase_add_test(tc, test_free_fast_refuses_misaligned_block_and_keeps_it);
	tcase_add_test(tc, test_magazines_overflow_to_depot_and_pool);
	tcase_add_test(tc,
		       test_several_allocators_in_one_thread_keep_caches_apart);
	suite_add_tcase(s, tc);
	return s;
}
