// SPDX-License-Identifier: MIT
/*
 * Randomized differential test: the allocator against a page-by-page model
 * that is too simple to be wrong (an owner per page, the placement policy
 * evaluated by brute force over every aligned block).
 *
 * Each seed picks a window of 2^wbits pages (aligned, so alignment inside it
 * is alignment in the full space; some windows sit at the very top of the
 * 64-bit space), a random usable set with holes, and then runs random
 * allocations, reservations, valid and invalid frees, is_allocated queries
 * and stats checks.
 *
 * Exact mode frees only with uvf_iova_free(), so the model predicts every
 * address. Cached mode also uses uvf_iova_free_fast() and flushes: addresses
 * are then checked for validity (aligned, usable, not owned) rather than
 * predicted, and -ENOSPC / -EEXIST must match the model treating cached
 * blocks as free. Cached mode runs twice per seed and must give the same
 * trace (determinism with the caches in play).
 *
 * Operations per seed: UVF_DIFF_ITERS (meson: -Ddifferential_iterations).
 */
#include <stdio.h>
#include <stdlib.h>

#include "iova_test.h"

#define MAX_WBITS 12
#define MAX_PAGES (1u << MAX_WBITS)
#define MAX_OUT 4096

enum kind { FREE = 0, ALLOC, RESERVED };

struct block {
	uint64_t rel;		/* first page, window relative */
	uint64_t pages;		/* block pages (allocs: rounded) */
	uint64_t asked;		/* pages the caller asked for */
	enum kind kind;
};

struct model {
	unsigned int wbits;
	uint64_t npages;
	uint64_t base;		/* byte address of page 0 */
	bool usable[MAX_PAGES];
	int32_t owner[MAX_PAGES];	/* -1: not owned; else index in out[] */
	uint32_t prefix[MAX_PAGES + 1];	/* free pages before each page */
	struct block out[MAX_OUT];
	size_t nout;
	uint64_t total;
};

static bool page_free(const struct model *m, uint64_t p)
{
	return m->usable[p] && m->owner[p] < 0;
}

static void build_prefix(struct model *m)
{
	m->prefix[0] = 0;
	for (uint64_t p = 0; p < m->npages; p++)
		m->prefix[p + 1] = m->prefix[p] + page_free(m, p);
}

static bool all_free(const struct model *m, uint64_t rel, uint64_t pages)
{
	return m->prefix[rel + pages] - m->prefix[rel] == pages;
}

/*
 * The policy by definition: among maximal free aligned blocks (fully free,
 * parent not fully free) of order >= k, the smallest order, then the lowest
 * address. Returns -1 when there is none.
 */
static int64_t model_pick(struct model *m, unsigned int k)
{
	build_prefix(m);
	for (unsigned int j = k; j <= m->wbits; j++) {
		uint64_t sz = 1ull << j;

		for (uint64_t b = 0; b < m->npages; b += sz) {
			uint64_t parent = b & ~((sz << 1) - 1);

			if (!all_free(m, b, sz))
				continue;
			if (j < m->wbits && all_free(m, parent, sz << 1))
				continue;
			return (int64_t)b;
		}
	}
	return -1;
}

/* Maximal aligned blocks tiling the free pages, counted greedily. */
static uint64_t model_free_blocks(const struct model *m)
{
	uint64_t n = 0, p = 0;

	while (p < m->npages) {
		uint64_t end = p, k = 0;

		if (!page_free(m, p)) {
			p++;
			continue;
		}
		while (end < m->npages && page_free(m, end))
			end++;
		while (p < end) {
			k = 0;
			while (!(p & ((2ull << k) - 1)) &&
			       p + (2ull << k) <= end)
				k++;
			p += 1ull << k;
			n++;
		}
	}
	return n;
}

static uint64_t model_free_pages(const struct model *m)
{
	uint64_t n = 0;

	for (uint64_t p = 0; p < m->npages; p++)
		n += page_free(m, p);
	return n;
}

static void set_owner(struct model *m, const struct block *b, int32_t who)
{
	for (uint64_t p = b->rel; p < b->rel + b->pages; p++)
		m->owner[p] = who;
}

static void model_take(struct model *m, uint64_t rel, uint64_t pages,
		       uint64_t asked, enum kind kind)
{
	CHECK(m->nout < MAX_OUT);
	m->out[m->nout] = (struct block){ rel, pages, asked, kind };
	set_owner(m, &m->out[m->nout], (int32_t)m->nout);
	m->nout++;
}

/* Forget out[i]; the last entry moves into its slot. */
static void model_drop(struct model *m, size_t i)
{
	set_owner(m, &m->out[i], -1);
	m->out[i] = m->out[--m->nout];
	if (i < m->nout)
		set_owner(m, &m->out[i], (int32_t)i);
}

static unsigned int order_of(uint64_t pages)
{
	unsigned int k = 0;

	while ((1ull << k) < pages)
		k++;
	return k;
}

/* Random window and usable set; fills @r, returns the range count. */
static size_t setup(struct model *m, uint64_t *seed,
		    struct uvf_iova_range *r)
{
	uint64_t wbase;
	size_t nr = 0;
	uint64_t p = 0;

	m->wbits = 6 + (unsigned int)rng_below(seed, MAX_WBITS - 5);
	m->npages = 1ull << m->wbits;
	switch (rng_below(seed, 3)) {
	case 0:		/* the very top of the 64-bit space */
		wbase = (1ull << (64 - UVF_PAGE_SHIFT)) - m->npages;
		break;
	case 1:
		wbase = 0;
		break;
	default:
		wbase = (rng_next(seed) >> 12) & ~(m->npages - 1);
		break;
	}
	m->base = wbase << UVF_PAGE_SHIFT;
	memset(m->usable, 0, sizeof(m->usable));
	for (uint64_t i = 0; i < MAX_PAGES; i++)
		m->owner[i] = -1;
	m->nout = 0;
	m->total = 0;
	/* Alternate holes and ranges; a range may be split in two adjacent. */
	while (p < m->npages && nr < 16) {
		uint64_t hole = rng_below(seed, 3) ? 0 :
				rng_below(seed, m->npages / 8 + 1);
		uint64_t len = 1 + rng_below(seed, m->npages / 2);

		p += hole;
		if (p >= m->npages)
			break;
		if (len > m->npages - p)
			len = m->npages - p;
		r[nr].first = m->base + p * PG;
		r[nr].last = m->base + (p + len) * PG - 1;
		nr++;
		for (uint64_t q = p; q < p + len; q++)
			m->usable[q] = true;
		m->total += len;
		p += len;
	}
	/* Unsorted input. */
	for (size_t i = nr; i > 1; i--) {
		size_t j = rng_below(seed, i);
		struct uvf_iova_range t = r[i - 1];

		r[i - 1] = r[j];
		r[j] = t;
	}
	return nr;
}

static void check_stats(struct uvf_iova_allocator *a, struct model *m,
			bool exact)
{
	struct uvf_iova_stats st = stats_of(a);

	CHECK_EQ(st.total_bytes, m->total * PG);
	CHECK_EQ(st.allocated_blocks, m->nout);
	CHECK_EQ(st.free_bytes + st.cached_bytes,
			  model_free_pages(m) * PG);
	if (exact) {
		CHECK_EQ(st.cached_bytes, 0);
		CHECK_EQ(st.free_blocks, model_free_blocks(m));
	}
}

/*
 * is_allocated by the model: 1 when every page is usable and owned, 0 when
 * one is outside the usable set, -1 when all are usable but some are free
 * (then the answer depends on whether they sit in a thread cache).
 */
static int model_is_allocated(const struct model *m, uint64_t rel,
			      uint64_t pages)
{
	int ret = 1;

	for (uint64_t p = rel; p < rel + pages; p++) {
		if (p >= m->npages || !m->usable[p])
			return 0;
		if (m->owner[p] < 0)
			ret = -1;
	}
	return ret;
}

static void op_alloc(struct uvf_iova_allocator *a, struct model *m,
		     uint64_t *seed, bool exact, uvf_iova_t *trace)
{
	/* Half small like real use, half any order up to past the window. */
	unsigned int k = (unsigned int)rng_below(seed, m->wbits + 2);
	uint64_t half = k ? 1ull << (k - 1) : 0;
	uint64_t pages = rng_below(seed, 2) ? 1 + rng_below(seed, 4) :
			 k ? half + 1 + rng_below(seed, half) : 1;
	unsigned int order = order_of(pages);
	int64_t want = model_pick(m, order);
	uvf_iova_t iova;
	uint64_t rel;
	int ret;

	ret = uvf_iova_alloc(a, pages * PG, &iova);
	if (want < 0) {
		CHECK_EQ(ret, -ENOSPC);
		*trace = 1;
		return;
	}
	if (ret)
		ck_abort_msg("alloc %llu pages: %d", (unsigned long long)pages,
			     ret);
	*trace = iova;
	CHECK(iova >= m->base);
	rel = (iova - m->base) / PG;
	CHECK(uvf_is_aligned(iova, PG << order));
	CHECK(rel + (1ull << order) <= m->npages);
	if (exact && rel != (uint64_t)want)
		ck_abort_msg("alloc %llu pages at %llu, model %lld",
			     (unsigned long long)pages, (unsigned long long)rel,
			     (long long)want);
	build_prefix(m);
	CHECK(all_free(m, rel, 1ull << order));
	model_take(m, rel, 1ull << order, pages, ALLOC);
}

static void op_reserve(struct uvf_iova_allocator *a, struct model *m,
		       uint64_t *seed)
{
	/* Start anywhere from a bit below the window to its end. */
	int64_t rel = (int64_t)rng_below(seed, m->npages + 4) - 2;
	uint64_t span = rng_below(seed, 2) ? 4 : m->npages / 4;
	uint64_t pages = 1 + rng_below(seed, span);
	uvf_iova_t iova = m->base + (uint64_t)rel * PG;
	uint64_t last;
	int want = 0, ret;

	/* Pages below the window are near 2^64 when the window is at 0. */
	if (uvf_range_last(iova, pages * PG, &last)) {
		want = -EOVERFLOW;
	} else {
		for (int64_t p = rel; p < rel + (int64_t)pages; p++) {
			if (p < 0 || p >= (int64_t)m->npages || !m->usable[p]) {
				want = -ERANGE;
				break;
			}
		}
		if (!want) {
			for (uint64_t p = 0; p < pages; p++)
				if (m->owner[(uint64_t)rel + p] >= 0)
					want = -EEXIST;
		}
	}
	ret = uvf_iova_reserve(a, iova, pages * PG);
	if (ret != want)
		ck_abort_msg("reserve %lld+%llu: %d, model %d", (long long)rel,
			     (unsigned long long)pages, ret, want);
	if (!ret)
		model_take(m, (uint64_t)rel, pages, pages, RESERVED);
}

static void op_free(struct uvf_iova_allocator *a, struct model *m,
		    uint64_t *seed, bool exact)
{
	size_t i = rng_below(seed, m->nout);
	struct block b = m->out[i];
	/* For allocations, any size that rounds up to the block. */
	uint64_t size = b.kind == ALLOC ? b.pages / 2 + 1 +
				  rng_below(seed, b.pages - b.pages / 2) :
				  b.pages;
	uvf_iova_t iova = m->base + b.rel * PG;

	if (!exact && b.kind == ALLOC && rng_below(seed, 2))
		uvf_iova_free_fast(a, iova, size * PG);
	else
		CHECK_EQ(uvf_iova_free(a, iova, size * PG), 0);
	model_drop(m, i);
}

/*
 * A free the model says names no outstanding block: -ENOENT, no change.
 * With caches in play only inside owned blocks: a free page may be parked
 * in a cache, and freeing that again is the undefined double free.
 */
static void op_bad_free(struct uvf_iova_allocator *a, struct model *m,
			uint64_t *seed, bool exact)
{
	uint64_t rel = rng_below(seed, m->npages);
	uint64_t pages = 1 + rng_below(seed, 8);
	struct uvf_iova_stats before = stats_of(a), after;

	if (!exact && m->usable[rel] && m->owner[rel] < 0)
		return;
	if (m->owner[rel] >= 0) {
		const struct block *b = &m->out[m->owner[rel]];

		if (b->rel == rel &&
		    (b->kind == ALLOC ? order_of(pages) == order_of(b->pages) :
					pages == b->pages))
			return;	/* that would be a valid free */
	}
	CHECK_EQ(uvf_iova_free(a, m->base + rel * PG, pages * PG),
			 -ENOENT);
	after = stats_of(a);
	assert_same_space(&before, &after);
}

static void op_query(struct uvf_iova_allocator *a, struct model *m,
		     uint64_t *seed, bool exact)
{
	uint64_t rel = rng_below(seed, m->npages);
	uint64_t pages = 1 + rng_below(seed, 16);
	int want = model_is_allocated(m, rel, pages);
	bool got = uvf_iova_is_allocated(a, m->base + rel * PG, pages * PG);

	if (want >= 0)
		CHECK_EQ(got, want);
	else if (exact || !stats_of(a).cached_bytes)
		CHECK(!got);
}

static uint64_t diff_iters(void)
{
	const char *s = getenv("UVF_DIFF_ITERS");
	uint64_t n = s ? strtoull(s, NULL, 10) : 0;

	return n ? n : 4000;
}

static void run_seed(uint64_t seed0, bool exact, uvf_iova_t *trace,
		     uint64_t iters)
{
	static struct model m;
	struct uvf_iova_range r[16];
	struct uvf_iova_allocator *a;
	uint64_t seed = seed0;
	size_t nr = setup(&m, &seed, r);

	CHECK_EQ(uvf_iova_allocator_create(r, nr, &a), 0);
	check_stats(a, &m, true);
	for (uint64_t i = 0; i < iters; i++) {
		uint64_t op = rng_below(&seed, 100);

		trace[i] = 0;
		if (op < 40)
			op_alloc(a, &m, &seed, exact, &trace[i]);
		else if (op < 48)
			op_reserve(a, &m, &seed);
		else if (op < 80 && m.nout)
			op_free(a, &m, &seed, exact);
		else if (op < 85)
			op_bad_free(a, &m, &seed, exact);
		else if (op < 95)
			op_query(a, &m, &seed, exact);
		else if (!exact && op < 97)
			uvf_iova_flush_caches(a);
		check_stats(a, &m, exact);
	}
	while (m.nout)
		op_free(a, &m, &seed, exact);
	uvf_iova_flush_caches(a);
	check_stats(a, &m, true);
	uvf_iova_allocator_destroy(a);
}

static const uint64_t seeds[] = {
	0x9e3779b97f4a7c15ull, 1, 2, 3, 0xdeadbeefull, 42, 77, 1234567,
};

START_TEST(test_matches_page_model_exactly)
{
	uint64_t iters = diff_iters();
	uvf_iova_t *trace = calloc(iters, sizeof(*trace));

	ck_assert_ptr_nonnull(trace);
	run_seed(seeds[_i], true, trace, iters);
	free(trace);
}
END_TEST

START_TEST(test_matches_page_model_with_caches)
{
	uint64_t iters = diff_iters();
	uvf_iova_t *t1 = calloc(iters, sizeof(*t1));
	uvf_iova_t *t2 = calloc(iters, sizeof(*t2));

	ck_assert_ptr_nonnull(t1);
	ck_assert_ptr_nonnull(t2);
	run_seed(seeds[_i], false, t1, iters);
	run_seed(seeds[_i], false, t2, iters);
	ck_assert_mem_eq(t1, t2, iters * sizeof(*t1));
	free(t1);
	free(t2);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("iova_diff");
	TCase *tc = tcase_create("differential");
	int n = (int)(sizeof(seeds) / sizeof(seeds[0]));

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_matches_page_model_exactly, 0, n);
	tcase_add_loop_test(tc, test_matches_page_model_with_caches, 0, n);
	suite_add_tcase(s, tc);
	return s;
}
