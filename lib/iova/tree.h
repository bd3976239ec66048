/* SPDX-License-Identifier: MIT */
/*
 * Intrusive AVL tree of page-frame ranges keyed by their first frame. The
 * IOVA pool keeps two: free extents and outstanding blocks.
 *
 * The free-extent tree is augmented: every node caches the OR of the buddy
 * orders present in its subtree (see iova_extent_orders()), so "which orders
 * have a free block" is the root's mask and "lowest free block of order j" is
 * one descent. AVL rather than red-black because the augmentation has to be
 * refreshed up to the root on every change anyway, and AVL keeps the tree
 * shallower for the same count.
 *
 * Not locked: the pool serialises access.
 */
#ifndef UVF_IOVA_TREE_H
#define UVF_IOVA_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* 2^52 frames of 4 KiB cover the whole 64-bit space. */
#define IOVA_MAX_ORDER 52

struct iova_node {
	struct iova_node *left, *right, *parent;
	uint64_t start;		/* first page frame */
	uint64_t end;		/* one past the last page frame */
	uint64_t orders;	/* augmented trees: orders in this subtree */
	int32_t height;		/* leaves are 1 */
	uint32_t kind;		/* owner's tag (enum iova_out_kind) */
};

struct iova_tree {
	struct iova_node *root;
	size_t count;
	bool augmented;		/* maintain ->orders */
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
 * iova_tree_init() - empty tree
 * @t: tree
 * @augmented: maintain the order masks (free-extent tree)
 *
 * Return: nothing.
 */
void iova_tree_init(struct iova_tree *t, bool augmented);

/**
 * iova_tree_insert() - link @n, whose start must not be in the tree yet
 * @t: tree
 * @n: node with start and end set
 *
 * Return: nothing.
 */
void iova_tree_insert(struct iova_tree *t, struct iova_node *n);

/**
 * iova_tree_erase() - unlink @n
 * @t: tree
 * @n: a node of @t
 *
 * Return: nothing.
 */
void iova_tree_erase(struct iova_tree *t, struct iova_node *n);

/**
 * iova_tree_resized() - refresh the augmentation after @n's start or end
 *                       changed without moving it past a neighbour
 * @t: tree
 * @n: a node of @t
 *
 * Return: nothing.
 */
void iova_tree_resized(struct iova_tree *t, struct iova_node *n);

/**
 * iova_tree_find_le() - the node with the largest start <= @pfn
 * @t: tree
 * @pfn: frame
 *
 * Return: the node or NULL.
 */
struct iova_node *iova_tree_find_le(const struct iova_tree *t, uint64_t pfn);

/**
 * iova_tree_find() - the node starting exactly at @pfn
 * @t: tree
 * @pfn: frame
 *
 * Return: the node or NULL.
 */
struct iova_node *iova_tree_find(const struct iova_tree *t, uint64_t pfn);

/**
 * iova_tree_first() - the node with the lowest start
 * @t: tree
 *
 * Return: the node or NULL when empty.
 */
struct iova_node *iova_tree_first(const struct iova_tree *t);

/**
 * iova_tree_next() - in-order successor
 * @n: node
 *
 * Return: the next node or NULL.
 */
struct iova_node *iova_tree_next(const struct iova_node *n);

/**
 * iova_tree_prev() - in-order predecessor
 * @n: node
 *
 * Return: the previous node or NULL.
 */
struct iova_node *iova_tree_prev(const struct iova_node *n);

/**
 * iova_tree_first_with_order() - lowest node whose own extent tiles a block
 *                                of 2^@order frames (augmented trees)
 * @t: tree whose root mask has bit @order
 * @order: order
 *
 * Return: the node.
 */
struct iova_node *iova_tree_first_with_order(const struct iova_tree *t,
					     unsigned int order);

/**
 * iova_tree_orders() - orders present anywhere in an augmented tree
 * @t: tree
 *
 * Return: the mask, 0 when empty.
 */
static inline uint64_t iova_tree_orders(const struct iova_tree *t)
{
	return t->root ? t->root->orders : 0;
}

#endif
