/* SPDX-License-Identifier: MIT */
/* Helpers shared by the IOVA allocator tests. */
#ifndef UVF_TEST_IOVA_H
#define UVF_TEST_IOVA_H

#include <string.h>

#include <uvf/iova.h>

#include "../common/check_main.h"

#define PG UVF_PAGE_SIZE

/*
 * Check's ck_assert_*() records every passing check through its message
 * channel (a syscall each); these only do anything on failure, for checks
 * inside hot loops.
 */
#define CHECK(expr)							\
	do {								\
		if (!(expr))						\
			ck_abort_msg("%s:%d: %s", __FILE__, __LINE__, #expr); \
	} while (0)

#define CHECK_PTR_EQ(x, y) CHECK((const void *)(x) == (const void *)(y))

#define CHECK_EQ(x, y)							\
	do {								\
		unsigned long long x_ = (x), y_ = (y);			\
		if (x_ != y_)						\
			ck_abort_msg("%s:%d: %s == %s: %#llx != %#llx",	\
				     __FILE__, __LINE__, #x, #y, x_, y_); \
	} while (0)

/* Allocator over one range of @pages pages starting at @base. */
static inline struct uvf_iova_allocator *make_alloc(uint64_t base,
						    uint64_t pages)
{
	struct uvf_iova_range r = { base, base + pages * PG - 1 };
	struct uvf_iova_allocator *a = NULL;

	ck_assert_int_eq(uvf_iova_allocator_create(&r, 1, &a), 0);
	ck_assert_ptr_nonnull(a);
	return a;
}

static inline struct uvf_iova_stats stats_of(struct uvf_iova_allocator *a)
{
	struct uvf_iova_stats st;

	uvf_iova_get_stats(a, &st);
	return st;
}

/* Everything is back in the pool, coalesced as at creation. */
static inline void assert_all_free(struct uvf_iova_allocator *a,
				   const struct uvf_iova_stats *initial)
{
	struct uvf_iova_stats st = stats_of(a);

	CHECK_EQ(st.free_bytes, initial->total_bytes);
	CHECK_EQ(st.cached_bytes, 0);
	CHECK_EQ(st.allocated_blocks, 0);
	CHECK_EQ(st.free_blocks, initial->free_blocks);
}

/* Same space accounting (the hit/miss counters may differ). */
static inline void assert_same_space(const struct uvf_iova_stats *x,
				     const struct uvf_iova_stats *y)
{
	CHECK_EQ(x->total_bytes, y->total_bytes);
	CHECK_EQ(x->free_bytes, y->free_bytes);
	CHECK_EQ(x->cached_bytes, y->cached_bytes);
	CHECK_EQ(x->allocated_blocks, y->allocated_blocks);
	CHECK_EQ(x->free_blocks, y->free_blocks);
}

/* xorshift64*: small, fixed-seed, the same everywhere. */
static inline uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

static inline uint64_t rng_below(uint64_t *s, uint64_t n)
{
	return rng_next(s) % n;
}

#endif
