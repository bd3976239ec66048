// SPDX-License-Identifier: MIT
/*
 * Shared IOVA pool: a buddy allocator whose free lists are kept as extents.
 *
 * Policy. Allocations are naturally aligned blocks of 2^k pages, like the
 * kernel's alloc_iova(size_aligned=true). Take the free space as its unique
 * tiling by maximal naturally aligned blocks (the blocks a buddy allocator
 * would hold after full coalescing; usable ranges that are not powers of two
 * simply tile into several). An allocation of order k takes the smallest
 * such block of order >= k (best fit, so large blocks are kept whole), the
 * lowest-addressed one among those, and returns its lowest 2^k pages. The
 * result depends only on the free set, so equal call sequences give equal
 * addresses.
 *
 * Representation. A classic buddy allocator keeps one free list per order
 * and splits/merges level by level: up to 52 list operations per call here
 * (the 64-bit space has 2^52 pages), each of which needs an address-ordered
 * tree to stay deterministic and to find buddies without a page array. We
 * store instead the maximal free extents (runs of free pages) in one
 * augmented red-black tree keyed by address (tree.h, tiling.h). The buddy tiling of an extent is
 * implicit and computable in O(1) (iova_extent_orders()), and every node
 * caches the OR of the orders tiled in its subtree. So:
 *   - the root's mask is the "bitmap of non-empty orders": ctz() of it above
 *     k gives the best-fitting order j;
 *   - the lowest block of order j is one descent guided by the masks, plus
 *     O(1) arithmetic inside the extent found;
 *   - allocating shrinks or splits one extent (at most one insertion), and
 *     freeing merges with at most two neighbours (at most one erase).
 * Every call is O(log n) in the worst case, n = number of free extents or
 * outstanding blocks, however fragmented or full the space is: there is no
 * gap search and no level-by-level split cascade.
 *
 * Outstanding blocks. Allocations (and blocks parked in thread caches) are
 * recorded in a byte map by first frame (blockmap.h): marking one or
 * looking it up on free is O(1) and costs no node, so metadata follows the
 * free extents, not the allocations. Reservations, of any page count, are
 * nodes of a second tree of the same kind (mask unused). Nodes come from
 * slabs that go back to the system as they empty (slab.h). An allocation
 * needs at most one node (to split an extent), reserved before anything
 * changes; a free needs one only when the block touches no free extent, and
 * fails cleanly if none can be had.
 */
#include <stdlib.h>
#include <string.h>

#include "pool.h"
#include "tiling.h"

static struct iova_node *node_get(struct iova_pool *p)
{
	return iova_node_get(&p->nodes);
}

static void node_put(struct iova_pool *p, struct iova_node *n)
{
	iova_node_put(&p->nodes, n);
}

static void extent_insert(struct iova_pool *p, struct iova_node *n)
{
	n->own = iova_extent_orders(n->start, n->end);
	iova_tree_insert(&p->free, n);
}

static void extent_resized(struct iova_node *x)
{
	iova_tree_update(x, iova_extent_orders(x->start, x->end));
}

static int cmp_range(const void *x, const void *y)
{
	const struct uvf_iova_range *a = x, *b = y;

	return a->first < b->first ? -1 : a->first > b->first;
}

/* Sorted, merged frame ranges from the caller's byte ranges. */
static int build_usable(struct iova_pool *p,
			const struct uvf_iova_range *usable, size_t nr)
{
	struct uvf_iova_range *sorted;
	size_t n = 0;

	for (size_t i = 0; i < nr; i++) {
		if (!uvf_is_aligned(usable[i].first, UVF_PAGE_SIZE) ||
		    !uvf_is_aligned(usable[i].last + 1, UVF_PAGE_SIZE) ||
		    usable[i].first > usable[i].last)
			return -EINVAL;
	}
	sorted = malloc(nr * sizeof(*sorted));
	p->usable = malloc(nr * sizeof(*p->usable));
	if (!sorted || !p->usable) {
		free(sorted);
		free(p->usable);
		return -ENOMEM;
	}
	memcpy(sorted, usable, nr * sizeof(*sorted));
	qsort(sorted, nr, sizeof(*sorted), cmp_range);
	for (size_t i = 0; i < nr; i++) {
		uint64_t start = sorted[i].first >> UVF_PAGE_SHIFT;
		/* last is at most 2^64 - 1, so this is at most 2^52. */
		uint64_t end = (sorted[i].last >> UVF_PAGE_SHIFT) + 1;

		if (i && sorted[i].first <= sorted[i - 1].last) {
			free(sorted);
			free(p->usable);
			return -EINVAL;
		}
		if (n && p->usable[n - 1].end == start)
			p->usable[n - 1].end = end;
		else
			p->usable[n++] = (struct iova_usable){ start, end };
	}
	free(sorted);
	p->nr_usable = n;
	return 0;
}

int iova_pool_init(struct iova_pool *p, const struct uvf_iova_range *usable,
		   size_t nr)
{
	int ret;

	memset(p, 0, sizeof(*p));
	if (!usable || !nr)
		return -EINVAL;
	ret = build_usable(p, usable, nr);
	if (ret)
		return ret;
	iova_slabs_init(&p->nodes);
	ret = iova_slabs_reserve(&p->nodes, p->nr_usable);
	if (ret) {
		iova_slabs_fini(&p->nodes);
		free(p->usable);
		return ret;
	}
	iova_tree_init(&p->free);
	iova_tree_init(&p->out);
	iova_map_init(&p->blocks, p->usable[p->nr_usable - 1].end);
	for (size_t i = 0; i < p->nr_usable; i++) {
		struct iova_node *n = node_get(p);

		n->start = p->usable[i].start;
		n->end = p->usable[i].end;
		extent_insert(p, n);
		p->total_pages += n->end - n->start;
	}
	p->free_pages = p->total_pages;
	return 0;
}

/* Depth is O(log n): recursion is fine. */
static void put_subtree(struct iova_pool *p, struct iova_node *n)
{
	if (!n)
		return;
	put_subtree(p, n->left);
	put_subtree(p, n->right);
	node_put(p, n);
}

void iova_pool_fini(struct iova_pool *p)
{
	put_subtree(p, p->free.root);
	put_subtree(p, p->out.root);
	iova_slabs_fini(&p->nodes);
	iova_map_fini(&p->blocks);
	free(p->usable);
}

bool iova_pool_in_usable(const struct iova_pool *p, uint64_t start,
			 uint64_t end)
{
	size_t lo = 0, hi = p->nr_usable;

	/* Last range starting at or before @start. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->usable[mid].start <= start)
			lo = mid;
		else
			hi = mid;
	}
	return p->usable[lo].start <= start && end <= p->usable[lo].end;
}

/* Remove [@start, @end) from extent @x, which holds it. */
static void carve(struct iova_pool *p, struct iova_node *x, uint64_t start,
		  uint64_t end)
{
	uint64_t old_end = x->end;

	p->free_pages -= end - start;
	if (x->start == start && old_end == end) {
		/* Its neighbours are where the block will come back. */
		p->hint = iova_tree_prev(x);
		if (!p->hint)
			p->hint = iova_tree_next(x);
		iova_tree_erase(&p->free, x);
		node_put(p, x);
		return;
	}
	p->hint = x;
	if (x->start == start) {
		x->start = end;
		extent_resized(x);
	} else {
		x->end = start;
		extent_resized(x);
		if (old_end != end) {
			struct iova_node *r = node_get(p);

			r->start = end;
			r->end = old_end;
			r->own = iova_extent_orders(end, old_end);
			iova_tree_insert_after(&p->free, r, x);
		}
	}
}

/*
 * The free extents just below and above @start, which no extent holds:
 * from the hint when it is next to @start (one in-order step, O(1)
 * amortised; a block is usually freed where it was allocated), else from
 * the root.
 */
static void neighbours(struct iova_pool *p, uint64_t start,
		       struct iova_node **prev, struct iova_node **next)
{
	struct iova_node *h = p->hint, *o;

	if (h && h->start < start) {
		o = iova_tree_next(h);
		if (!o || o->start > start) {
			*prev = h;
			*next = o;
			return;
		}
	} else if (h) {
		o = iova_tree_prev(h);
		if (!o || o->start < start) {
			*prev = o;
			*next = h;
			return;
		}
	}
	*prev = iova_tree_find_le(&p->free, start);
	*next = *prev ? iova_tree_next(*prev) : iova_tree_first(&p->free);
}

/*
 * Make [@start, @end) free space, merging with neighbours. @n, if given, is
 * a detached node to use or put back; without one a node is taken only if
 * no neighbour is merged with, and -ENOMEM means nothing changed.
 */
static int give_back(struct iova_pool *p, uint64_t start, uint64_t end,
		     struct iova_node *n)
{
	struct iova_node *prev, *next, *x;
	bool join_prev, join_next;

	neighbours(p, start, &prev, &next);
	join_prev = prev && prev->end == start;
	join_next = next && next->start == end;

	if (!join_prev && !join_next && !n) {
		if (iova_slabs_reserve(&p->nodes, 1))
			return -ENOMEM;
		n = node_get(p);
	}
	p->free_pages += end - start;
	if (join_prev && join_next) {
		uint64_t next_end = next->end;

		iova_tree_erase(&p->free, next);
		node_put(p, next);
		prev->end = next_end;
		extent_resized(prev);
		x = prev;
	} else if (join_prev) {
		prev->end = end;
		extent_resized(prev);
		x = prev;
	} else if (join_next) {
		next->start = start;
		extent_resized(next);
		x = next;
	} else {
		n->start = start;
		n->end = end;
		n->own = iova_extent_orders(start, end);
		iova_tree_insert_between(&p->free, n, prev, next);
		x = n;
		n = NULL;
	}
	if (n)
		node_put(p, n);
	p->hint = x;
	return 0;
}

int iova_pool_alloc(struct iova_pool *p, unsigned int order, uint64_t *pfn)
{
	uint64_t fit = iova_tree_mask(&p->free) & ~((1ull << order) - 1);
	struct iova_node *x;
	unsigned int best;
	uint64_t start;

	if (!fit)
		return -ENOSPC;
	if (iova_slabs_reserve(&p->nodes, 1))
		return -ENOMEM;
	best = (unsigned int)__builtin_ctzll(fit);
	x = iova_tree_first_with(&p->free, best);
	start = iova_extent_block(x->start, x->end, best);
	if (iova_map_set(&p->blocks, start, order + 1))
		return -ENOMEM;
	carve(p, x, start, start + (1ull << order));
	p->nr_blocks++;
	*pfn = start;
	return 0;
}

/* Drop the allocated block at @pfn of @pages pages, given back as free. */
static int block_free(struct iova_pool *p, uint64_t pfn, uint64_t pages)
{
	int ret = give_back(p, pfn, pfn + pages, NULL);

	if (ret)
		return ret;
	iova_map_clear(&p->blocks, pfn);
	p->nr_blocks--;
	return 0;
}

int iova_pool_release(struct iova_pool *p, uint64_t pfn, unsigned int order)
{
	if (iova_map_get(&p->blocks, pfn) != order + 1)
		return -ENOENT;
	return block_free(p, pfn, 1ull << order);
}

int iova_pool_free(struct iova_pool *p, uint64_t pfn, uint64_t pages)
{
	unsigned int code = iova_map_get(&p->blocks, pfn);
	struct iova_node *o;

	if (code) {
		uint64_t len = 1ull << (code - 1);

		/* Any size that rounds up to this block: len/2 < pages. */
		if (pages > len || pages <= len / 2)
			return -ENOENT;
		return block_free(p, pfn, len);
	}
	o = iova_tree_find_le(&p->out, pfn);
	if (!o || o->start != pfn || o->end - o->start != pages)
		return -ENOENT;
	iova_tree_erase(&p->out, o);
	/* With a node of its own, giving back cannot fail. */
	give_back(p, o->start, o->end, o);
	return 0;
}

int iova_pool_reserve(struct iova_pool *p, uint64_t pfn, uint64_t pages)
{
	uint64_t end = pfn + pages;
	struct iova_node *x, *o;

	if (!iova_pool_in_usable(p, pfn, end))
		return -ERANGE;
	/* Extents are maximal runs, so all-free means inside one extent. */
	x = iova_tree_find_le(&p->free, pfn);
	if (!x || x->end < end)
		return -EEXIST;
	if (iova_slabs_reserve(&p->nodes, 2))
		return -ENOMEM;
	carve(p, x, pfn, end);
	o = node_get(p);
	o->start = pfn;
	o->end = end;
	o->own = 0;
	iova_tree_insert(&p->out, o);
	return 0;
}

bool iova_pool_none_free(const struct iova_pool *p, uint64_t start,
			 uint64_t end)
{
	/*
	 * Extents are disjoint, so only the last one starting before @end can
	 * reach into the range.
	 */
	struct iova_node *x = iova_tree_find_le(&p->free, end - 1);

	return !x || x->end <= start;
}

uint64_t iova_pool_free_blocks(const struct iova_pool *p)
{
	uint64_t n = 0;

	for (const struct iova_node *x = iova_tree_first(&p->free); x;
	     x = iova_tree_next(x))
		n += iova_extent_blocks(x->start, x->end);
	return n;
}
