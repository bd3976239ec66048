/* SPDX-License-Identifier: MIT */
/*
 * The pool's outstanding blocks: an intrusive red-black tree keyed by first
 * frame, with exact-key lookups only.
 *
 * Red-black rather than AVL: a block is inserted when allocated and erased
 * when freed, and red-black trees rebalance in O(1) amortised time per
 * insert or erase, where AVL may rewrite heights up to the root each time
 * (it does exactly that for an allocate/free pair on a path that decides a
 * subtree's height). Lookups stay O(log n) in the worst case.
 *
 * Not locked: the pool serialises access.
 */
#ifndef UVF_IOVA_BLOCK_TREE_H
#define UVF_IOVA_BLOCK_TREE_H

#include <stddef.h>

#include "node.h"

struct iova_blocks {
	struct iova_node *root;
	size_t count;
};

/**
 * iova_blocks_init() - empty tree
 * @t: tree
 *
 * Return: nothing.
 */
void iova_blocks_init(struct iova_blocks *t);

/**
 * iova_blocks_insert() - link @n, whose start must not be in the tree yet
 * @t: tree
 * @n: node with start, end and kind set
 *
 * Return: nothing.
 */
void iova_blocks_insert(struct iova_blocks *t, struct iova_node *n);

/**
 * iova_blocks_erase() - unlink @n
 * @t: tree
 * @n: a node of @t
 *
 * Return: nothing.
 */
void iova_blocks_erase(struct iova_blocks *t, struct iova_node *n);

/**
 * iova_blocks_find() - the block starting exactly at @pfn
 * @t: tree
 * @pfn: frame
 *
 * Return: the node or NULL.
 */
struct iova_node *iova_blocks_find(const struct iova_blocks *t, uint64_t pfn);

#endif
