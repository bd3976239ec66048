// SPDX-License-Identifier: MIT
/*
 * White-box checks of the pool's building blocks: the O(1) buddy tiling of
 * an extent against a greedy page walk, and the one augmented red-black tree
 * (order, colours, black heights, parent links, masks) under random
 * inserts, erases and resizes as the free-extent index, and under growing
 * and shrinking phases with arbitrary masks as the reservation index.
 */
#include <stdlib.h>

#include "iova/tiling.h"
#include "iova/tree.h"
#include "iova_test.h"

/* Greedy tiling: from the left, the largest aligned block that fits. */
static void greedy_tiling(uint64_t start, uint64_t end, uint64_t *mask,
			  uint64_t *count, uint64_t first_of[64])
{
	*mask = 0;
	*count = 0;
	for (int k = 0; k < 64; k++)
		first_of[k] = UINT64_MAX;
	while (start < end) {
		unsigned int k = 0;

		while (k < IOVA_MAX_ORDER &&
		       !(start & ((2ull << k) - 1)) &&
		       start + (2ull << k) <= end)
			k++;
		*mask |= 1ull << k;
		(*count)++;
		if (first_of[k] == UINT64_MAX)
			first_of[k] = start;
		start += 1ull << k;
	}
}

static void check_tiling(uint64_t start, uint64_t end)
{
	uint64_t mask, count, first_of[64];

	greedy_tiling(start, end, &mask, &count, first_of);
	CHECK_EQ(iova_extent_orders(start, end), mask);
	CHECK_EQ(iova_extent_blocks(start, end), count);
	for (unsigned int k = 0; k < 64; k++) {
		if (mask & (1ull << k))
			CHECK_EQ(iova_extent_block(start, end, k),
					  first_of[k]);
	}
}

START_TEST(test_extent_tiling_matches_greedy_walk)
{
	uint64_t seed = 3;

	for (uint64_t s = 0; s < 260; s++)
		for (uint64_t e = s + 1; e <= 300; e++)
			check_tiling(s, e);
	/* Large, unaligned, and right up to the top of the frame space. */
	for (int i = 0; i < 2000; i++) {
		uint64_t s = rng_next(&seed) >> 12;
		unsigned int shift = 12 + (unsigned int)rng_below(&seed, 52);
		uint64_t len = 1 + (rng_next(&seed) >> shift);

		if (len > (1ull << IOVA_MAX_ORDER) - s)
			len = (1ull << IOVA_MAX_ORDER) - s;
		check_tiling(s, s + len);
	}
	check_tiling(0, 1ull << IOVA_MAX_ORDER);
	check_tiling(1, 1ull << IOVA_MAX_ORDER);
	check_tiling((1ull << IOVA_MAX_ORDER) - 1, 1ull << IOVA_MAX_ORDER);
}
END_TEST

/*
 * Returns the black height; checks everything below @n: order, parent
 * links, colours, black heights and the augmented mask.
 */
static int check_rb(const struct iova_node *n, const struct iova_node *parent,
		    uint64_t lo, uint64_t hi, size_t *count)
{
	uint64_t m;
	int bl, br;

	if (!n)
		return 1;
	(*count)++;
	CHECK_PTR_EQ(n->parent, parent);
	CHECK(n->start >= lo);
	CHECK(n->start < hi);
	if (n->red)
		CHECK(!(n->left && n->left->red) &&
		      !(n->right && n->right->red));
	bl = check_rb(n->left, n, lo, n->start, count);
	br = check_rb(n->right, n, n->start + 1, hi, count);
	CHECK_EQ(bl, br);
	m = n->own;
	if (n->left)
		m |= n->left->orders;
	if (n->right)
		m |= n->right->orders;
	CHECK_EQ(n->orders, m);
	return bl + !n->red;
}

static void check_tree(const struct iova_tree *t)
{
	size_t count = 0;

	CHECK(!t->root || !t->root->red);
	check_rb(t->root, NULL, 0, UINT64_MAX, &count);
	CHECK_EQ(count, t->count);
}

/* The free-extent index: every node's own value is its tiling's orders. */
static void check_extents(const struct iova_tree *t)
{
	check_tree(t);
	for (const struct iova_node *n = iova_tree_first(t); n;
	     n = iova_tree_next(n))
		CHECK_EQ(n->own, iova_extent_orders(n->start, n->end));
}

static void extent_insert(struct iova_tree *t, struct iova_node *n)
{
	n->own = iova_extent_orders(n->start, n->end);
	iova_tree_insert(t, n);
}

static struct iova_node *tree_find(const struct iova_tree *t, uint64_t pfn)
{
	struct iova_node *n = iova_tree_find_le(t, pfn);

	return n && n->start == pfn ? n : NULL;
}

enum { SLOTS = 512 };

START_TEST(test_extent_tree_invariants_hold_under_random_changes)
{
	/* Slot i owns frames [64 i, 64 i + 64); its extent lives inside. */
	static struct iova_node node[SLOTS];
	static bool in_tree[SLOTS];
	struct iova_tree t;
	uint64_t seed = 11;

	iova_tree_init(&t);
	for (int step = 0; step < 40000; step++) {
		size_t i = rng_below(&seed, SLOTS);
		struct iova_node *n = &node[i];
		uint64_t lo = 64 * i + rng_below(&seed, 32);
		uint64_t hi = 64 * i + 33 + rng_below(&seed, 31);

		if (!in_tree[i]) {
			n->start = lo;
			n->end = hi;
			extent_insert(&t, n);
			in_tree[i] = true;
		} else if (rng_below(&seed, 3)) {
			iova_tree_erase(&t, n);
			in_tree[i] = false;
		} else {
			n->start = lo;
			n->end = hi;
			iova_tree_update(n, iova_extent_orders(lo, hi));
		}
		if (step % 64 == 0 || step > 39900)
			check_extents(&t);
	}
	check_extents(&t);
}
END_TEST

START_TEST(test_block_tree_invariants_hold_under_random_changes)
{
	static struct iova_node node[SLOTS];
	static bool in_tree[SLOTS];
	struct iova_tree t;
	uint64_t seed = 13;

	iova_tree_init(&t);
	for (int step = 0; step < 40000; step++) {
		/* Phases that grow and shrink the tree, not just churn it. */
		bool grow = (step / 4000) % 2 == 0;
		size_t i = rng_below(&seed, SLOTS);

		if (!in_tree[i] && (grow || rng_below(&seed, 4) == 0)) {
			node[i].start = 3 * i;
			node[i].end = 3 * i + 1;
			node[i].own = rng_next(&seed) & rng_next(&seed);
			iova_tree_insert(&t, &node[i]);
			in_tree[i] = true;
		} else if (in_tree[i] && (!grow || rng_below(&seed, 4) == 0)) {
			iova_tree_erase(&t, &node[i]);
			in_tree[i] = false;
		}
		if (step % 64 == 0 || step > 39900)
			check_tree(&t);
	}
	check_tree(&t);
	for (uint64_t pfn = 0; pfn < 3 * SLOTS + 3; pfn++) {
		size_t i = pfn / 3;
		bool there = pfn % 3 == 0 && i < SLOTS && in_tree[i];

		CHECK_PTR_EQ(tree_find(&t, pfn), there ? &node[i] : NULL);
	}
}
END_TEST

START_TEST(test_extent_tree_queries_match_linear_scan)
{
	static struct iova_node node[SLOTS];
	static bool in_tree[SLOTS];
	struct iova_tree t;
	uint64_t seed = 5;

	iova_tree_init(&t);
	for (size_t i = 0; i < SLOTS; i++) {
		if (rng_below(&seed, 2)) {
			node[i].start = 64 * i + rng_below(&seed, 32);
			node[i].end = node[i].start + 1 +
				      rng_below(&seed, 64 * i + 64 -
						       node[i].start);
			extent_insert(&t, &node[i]);
			in_tree[i] = true;
		}
	}
	for (uint64_t pfn = 0; pfn < 64 * SLOTS + 10; pfn += 3) {
		const struct iova_node *want = NULL;

		for (size_t i = 0; i < SLOTS; i++)
			if (in_tree[i] && node[i].start <= pfn)
				want = &node[i];
		CHECK_PTR_EQ(iova_tree_find_le(&t, pfn), want);
	}
	for (unsigned int k = 0; k < 7; k++) {
		const struct iova_node *want = NULL;

		for (size_t i = 0; i < SLOTS && !want; i++)
			if (in_tree[i] &&
			    (iova_extent_orders(node[i].start, node[i].end) &
			     (1ull << k)))
				want = &node[i];
		CHECK_EQ(!!(iova_tree_mask(&t) & (1ull << k)),
			 want != NULL);
		if (want)
			CHECK_PTR_EQ(iova_tree_first_with(&t, k),
				     want);
	}
	/* The in-order walk visits every node once, sorted. */
	{
		const struct iova_node *n = iova_tree_first(&t), *last = NULL;
		size_t count = 0;

		for (; n; n = iova_tree_next(n)) {
			CHECK(!last || last->start < n->start);
			last = n;
			count++;
		}
		CHECK_EQ(count, t.count);
	}
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("iova_trees");
	TCase *tc = tcase_create("trees");

	tcase_add_test(tc, test_extent_tiling_matches_greedy_walk);
	tcase_add_test(tc, test_extent_tree_invariants_hold_under_random_changes);
	tcase_add_test(tc, test_extent_tree_queries_match_linear_scan);
	tcase_add_test(tc, test_block_tree_invariants_hold_under_random_changes);
	suite_add_tcase(s, tc);
	return s;
}
