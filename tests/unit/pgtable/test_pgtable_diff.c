/* SPDX-License-Identifier: MIT */
/*
 * Randomized differential test: random maps and unmaps (4 KiB to a few GiB,
 * any alignment, random rights and leaf sizes) against a trivial reference,
 * one word per page of a window that straddles a root-entry boundary.
 * Fixed seeds; UVF_DIFF_ITERS sets the operations per seed.
 */
#include <stdlib.h>

#include "check_main.h"
#include "pgt_test.h"

/* ck_assert_* report every passing check through a pipe: far too slow
 * for a loop that checks millions of things, so only failures call in. */
#define EXPECT_EQ(a, b)							\
	do {								\
		uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b);	\
		if (a_ != b_)						\
			ck_abort_msg("line %d: %s == %s: %#llx != %#llx",\
				     __LINE__, #a, #b,			\
				     (unsigned long long)a_,		\
				     (unsigned long long)b_);		\
	} while (0)

#define WINDOW_PAGES (1ull << 20) /* 4 GiB */
#define DEFAULT_ITERS 1500

/* Reference entry: output page | rights, 0 when unmapped. */
struct model {
	uint64_t *page;
	uvf_iova_t base;
};

static uint64_t rng_next(uint64_t *s)
{
	/* splitmix64 */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t iters(void)
{
	const char *env = getenv("UVF_DIFF_ITERS");
	unsigned long long n = env ? strtoull(env, NULL, 0) : 0;

	return n ? n : DEFAULT_ITERS;
}

/* Mostly short ranges, sometimes 2 MiB multiples, rarely 1 GiB ones. */
static uint64_t random_pages(uint64_t *rng)
{
	uint64_t r = rng_next(rng) % 100;

	if (r < 70)
		return 1 + rng_next(rng) % 600;
	if (r < 95)
		return 512 * (1 + rng_next(rng) % 4) +
		       (rng_next(rng) % 2) * (rng_next(rng) % 512);
	return (1ull << 18) * (1 + rng_next(rng) % 2);
}

/* A start page, often aligned to 2 MiB or 1 GiB so large leaves occur. */
static uint64_t random_start(uint64_t *rng, uint64_t npages)
{
	uint64_t p = rng_next(rng) % (WINDOW_PAGES - npages + 1);
	uint64_t r = rng_next(rng) % 4;

	if (r == 1)
		p &= ~511ull;
	else if (r == 2)
		p &= ~((1ull << 18) - 1);
	return p;
}

static bool model_all(const struct model *m, uint64_t p, uint64_t n,
		      bool mapped)
{
	uint64_t i;

	for (i = 0; i < n; i++)
		if ((m->page[p + i] != 0) != mapped)
			return false;
	return true;
}

static void check_page(const struct uvf_pgtable *pt, const struct model *m,
		       int fmt, uint64_t p)
{
	uint64_t want = m->page[p], pa = 0, size = 0;
	uvf_iova_t iova = m->base + (p << UVF_PAGE_SHIFT) + 0x10;
	int prot = 0, ret;

	ret = uvf_pgtable_translate(pt, iova, &pa, &prot, &size);
	if (!want) {
		EXPECT_EQ(ret, -ENOENT);
		return;
	}
	EXPECT_EQ(ret, 0);
	EXPECT_EQ(pa, (want & ~(UVF_PAGE_SIZE - 1)) + 0x10);
	EXPECT_EQ(prot, expect_prot(fmt, (int)(want & UVF_PROT_RW)));
	/* The leaf's first and last pages must be mapped contiguously in
	 * the reference, with the same rights. */
	if (size > UVF_PAGE_SIZE) {
		uint64_t first = p & ~((size >> UVF_PAGE_SHIFT) - 1);
		uint64_t last = first + (size >> UVF_PAGE_SHIFT) - 1;
		uint64_t d = (p - first) << UVF_PAGE_SHIFT;

		EXPECT_EQ(m->page[first], want - d);
		EXPECT_EQ(m->page[last],
				  want - d + size - UVF_PAGE_SIZE);
	}
}

static void map_range(struct uvf_pgtable *pt, struct model *m, uint64_t p,
		      uint64_t n, uint64_t pa, int prot, uint64_t sizes)
{
	bool free_range = model_all(m, p, n, false);
	uint64_t i;
	int ret;

	ret = uvf_pgtable_map(pt, m->base + (p << UVF_PAGE_SHIFT), pa,
			      n << UVF_PAGE_SHIFT, prot, sizes, NULL);
	EXPECT_EQ(ret, free_range ? 0 : -EEXIST);
	if (ret)
		return;
	for (i = 0; i < n; i++)
		m->page[p + i] = (pa + (i << UVF_PAGE_SHIFT)) | (uint64_t)prot;
}

/* Output aligned like the IOVA, so every leaf size can be used. */
static uint64_t aligned_pa(const struct model *m, uint64_t p, uint64_t pa)
{
	return (pa & ~(UVF_SZ_1G - 1)) +
	       ((m->base + (p << UVF_PAGE_SHIFT)) & (UVF_SZ_1G - 1));
}

static void do_map(struct uvf_pgtable *pt, struct model *m, uint64_t *rng,
		   const struct uvf_pgtable_info *info)
{
	uint64_t n = random_pages(rng), p = random_start(rng, n);
	uint64_t pa = TEST_PA + ((rng_next(rng) % (1ull << 22)) << 12);
	int prot = 1 + (int)(rng_next(rng) % 3);
	uint64_t sizes = 0;

	if (rng_next(rng) % 4)
		pa = aligned_pa(m, p, pa);
	if (rng_next(rng) % 8 == 0)
		sizes = UVF_PAGE_SIZE | (info->pgsize_bitmap &
					 rng_next(rng));
	map_range(pt, m, p, n, pa, prot, sizes);
}

static void do_unmap(struct uvf_pgtable *pt, struct model *m, uint64_t *rng)
{
	uint64_t n = random_pages(rng), p = random_start(rng, n), i;
	bool mapped = model_all(m, p, n, true);
	int ret;

	ret = uvf_pgtable_unmap(pt, m->base + (p << UVF_PAGE_SHIFT),
				n << UVF_PAGE_SHIFT, NULL);
	EXPECT_EQ(ret, mapped ? 0 : -ENOENT);
	if (ret)
		return;
	for (i = 0; i < n; i++)
		m->page[p + i] = 0;
}

/* Unmaps a run of mapped pages around a random mapped page (up to 700
 * pages, sometimes up to 1 GiB) so that unmaps succeed often enough and
 * cut large leaves at random places. */
static void do_unmap_mapped(struct uvf_pgtable *pt, struct model *m,
			    uint64_t *rng)
{
	uint64_t p = rng_next(rng) % WINDOW_PAGES, lo, hi, i;
	uint64_t span = rng_next(rng) % 5 ? 700 : 1ull << 18;

	for (i = 0; i < 4096 && !m->page[p]; i++)
		p = (p + 1) % WINDOW_PAGES;
	if (!m->page[p])
		return;
	lo = p > 0 && m->page[p - 1] && rng_next(rng) % 2 ? p - 1 : p;
	hi = p + 1 + rng_next(rng) % span;
	for (i = p; i < hi && i < WINDOW_PAGES && m->page[i]; i++)
		;
	hi = i;
	EXPECT_EQ(uvf_pgtable_unmap(pt, m->base +
					   (lo << UVF_PAGE_SHIFT),
					   (hi - lo) << UVF_PAGE_SHIFT, NULL),
			 0);
	for (i = lo; i < hi; i++)
		m->page[i] = 0;
}

/* Unmaps every mapped run in [first, end), one call per run. */
static void unmap_all_in(struct uvf_pgtable *pt, struct model *m,
			 uint64_t first, uint64_t end)
{
	uint64_t i = first, j;

	while (i < end) {
		for (j = i; j < end && m->page[j]; j++)
			m->page[j] = 0;
		if (j > i)
			EXPECT_EQ(uvf_pgtable_unmap(pt, m->base +
					 (i << UVF_PAGE_SHIFT),
					 (j - i) << UVF_PAGE_SHIFT, NULL), 0);
		i = j + 1;
	}
}

static void run_seed(int fmt, uint64_t seed)
{
	struct uvf_pgtable *pt = pt_new(fmt);
	const struct uvf_pgtable_info *info = uvf_pgtable_info(pt);
	struct model m;
	uint64_t rng = seed, n = iters(), it, i;

	m.page = calloc(WINDOW_PAGES, sizeof(*m.page));
	ck_assert_ptr_nonnull(m.page);
	/* Straddle a root-level boundary, below the top of the space. */
	m.base = (1ull << (info->ias_bits - 9)) - 2 * UVF_SZ_1G;
	for (it = 0; it < n; it++) {
		uint64_t r = rng_next(&rng) % 20, region;

		if (r < 9) {
			do_map(pt, &m, &rng, info);
		} else if (r < 12) {
			do_unmap(pt, &m, &rng);
		} else if (r < 19) {
			do_unmap_mapped(pt, &m, &rng);
		} else {
			/* Make room for a 1 GiB leaf, often map one. */
			region = (rng_next(&rng) % (WINDOW_PAGES >> 18)) << 18;
			unmap_all_in(pt, &m, region, region + (1ull << 18));
			if (rng_next(&rng) % 2)
				map_range(pt, &m, region, 1ull << 18,
					  aligned_pa(&m, region, TEST_PA),
					  1 + (int)(rng_next(&rng) % 3), 0);
		}
		for (i = 0; i < 8; i++)
			check_page(pt, &m, fmt,
				   rng_next(&rng) % WINDOW_PAGES);
	}
	/* Sweep: every page agrees, then unmapping every run empties the
	 * table down to its root. */
	for (i = 0; i < WINDOW_PAGES; i += 1 + rng_next(&rng) % 64)
		check_page(pt, &m, fmt, i);
	unmap_all_in(pt, &m, 0, WINDOW_PAGES);
	EXPECT_EQ(uvf_pgtable_table_pages(pt), 1);
	free(m.page);
	uvf_pgtable_destroy(pt);
}

START_TEST(test_random_ops_match_reference)
{
	static const uint64_t seeds[] = { 1, 0x5eed, 20240601 };
	unsigned int s;

	for (s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++)
		run_seed(_i, seeds[s] * 1000 + (uint64_t)_i);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pgtable-diff");
	TCase *tc = tcase_create("formats");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_random_ops_match_reference, 0,
			    UVF_PGTABLE_NR_FORMATS);
	suite_add_tcase(s, tc);
	return s;
}
