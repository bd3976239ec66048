/* SPDX-License-Identifier: MIT */
/*
 * The pool's free extents: an intrusive AVL tree of disjoint page-frame
 * ranges keyed by first frame, augmented so that every node knows the buddy
 * orders tiled anywhere in its subtree (see iova_extent_orders()). "Which
 * orders have a free block" is then the root's mask and "the lowest free
 * block of order j" one descent.
 *
 * AVL rather than red-black: when an extent changes, its orders usually
 * change too and have to be carried towards the root anyway, so cheaper
 * rebalancing buys little, while the lower height shortens every descent.
 *
 * Not locked: the pool serialises access.
 */
#ifndef UVF_IOVA_EXTENT_TREE_H
#define UVF_IOVA_EXTENT_TREE_H

#include <stddef.h>

#include "node.h"

struct iova_extents {
	struct iova_node *root;
	size_t count;
};

/**
 * iova_extent_orders() - orders of the maximal naturally aligned blocks that
 *                        tile [@start, @end)
 * @start: first frame
 * @end: one past the last frame, > @start, at most 2^52
 *
 * Let t be the top bit where @start and @end differ and m = @end with the
 * bits below t cleared: m is 2^t aligned, @start < m <= @end. The tiling
 * climbs from @start to m in blocks whose sizes are the set bits of
 * m - @start (smallest first) and descends from m to @end in the set bits of
 * @end - m (largest first). No block can be larger: @start and @end share
 * every bit above t.
 *
 * Return: bit k set when a block of 2^k frames is in the tiling.
 */
static inline uint64_t iova_extent_orders(uint64_t start, uint64_t end)
{
	unsigned int t = 63 - (unsigned int)__builtin_clzll(start ^ end);
	uint64_t m = end & ~((1ull << t) - 1);

	return (m - start) | (end - m);
}

/**
 * iova_extent_blocks() - number of blocks in the tiling of [@start, @end)
 * @start: first frame
 * @end: one past the last frame, > @start
 *
 * Return: the count (climbing and descending blocks may share an order).
 */
static inline uint64_t iova_extent_blocks(uint64_t start, uint64_t end)
{
	unsigned int t = 63 - (unsigned int)__builtin_clzll(start ^ end);
	uint64_t m = end & ~((1ull << t) - 1);

	return (uint64_t)__builtin_popcountll(m - start) +
	       (uint64_t)__builtin_popcountll(end - m);
}

/**
 * iova_extent_block() - first frame of the lowest block of 2^@order frames
 *                       in the tiling of [@start, @end)
 * @start: first frame
 * @end: one past the last frame
 * @order: an order present in iova_extent_orders()
 *
 * Return: the frame.
 */
static inline uint64_t iova_extent_block(uint64_t start, uint64_t end,
					 unsigned int order)
{
	unsigned int t = 63 - (unsigned int)__builtin_clzll(start ^ end);
	uint64_t m = end & ~((1ull << t) - 1);
	uint64_t bit = 1ull << order;

	/* Climbing blocks smaller than this one come first. */
	if ((m - start) & bit)
		return start + ((m - start) & (bit - 1));
	/* Descending blocks larger than this one come first. */
	return m + ((end - m) & ~((bit << 1) - 1));
}

/**
 * iova_extents_init() - empty tree
 * @t: tree
 *
 * Return: nothing.
 */
void iova_extents_init(struct iova_extents *t);

/**
 * iova_extents_insert() - link @n, whose start must not be in the tree yet
 * @t: tree
 * @n: node with start and end set
 *
 * Return: nothing.
 */
void iova_extents_insert(struct iova_extents *t, struct iova_node *n);

/**
 * iova_extents_erase() - unlink @n
 * @t: tree
 * @n: a node of @t
 *
 * Return: nothing.
 */
void iova_extents_erase(struct iova_extents *t, struct iova_node *n);

/**
 * iova_extents_resized() - refresh the augmentation after @n's start or end
 *                          changed without moving it past a neighbour
 * @n: a node of the tree
 *
 * Return: nothing.
 */
void iova_extents_resized(struct iova_node *n);

/**
 * iova_extents_find_le() - the node with the largest start <= @pfn
 * @t: tree
 * @pfn: frame
 *
 * Return: the node or NULL.
 */
struct iova_node *iova_extents_find_le(const struct iova_extents *t,
				       uint64_t pfn);

/**
 * iova_extents_first() - the node with the lowest start
 * @t: tree
 *
 * Return: the node or NULL when empty.
 */
struct iova_node *iova_extents_first(const struct iova_extents *t);

/**
 * iova_extents_next() - in-order successor
 * @n: node
 *
 * Return: the next node or NULL.
 */
struct iova_node *iova_extents_next(const struct iova_node *n);

/**
 * iova_extents_first_with_order() - lowest node whose own extent tiles a
 *                                   block of 2^@order frames
 * @t: tree whose root mask has bit @order
 * @order: order
 *
 * Return: the node.
 */
struct iova_node *iova_extents_first_with_order(const struct iova_extents *t,
						unsigned int order);

/**
 * iova_extents_orders() - orders present anywhere in the tree
 * @t: tree
 *
 * Return: the mask, 0 when empty.
 */
static inline uint64_t iova_extents_orders(const struct iova_extents *t)
{
	return t->root ? t->root->orders : 0;
}

#endif
