/* SPDX-License-Identifier: MIT */
/*
 * The pool's one balanced tree: an intrusive red-black tree of disjoint
 * page-frame ranges keyed by first frame, augmented with a bit mask: every
 * node stores its own value (->own) and the OR of the values in its subtree
 * (->orders). The free-extent index keeps each extent's buddy orders there
 * (tiling.h), so the root's mask says which orders are free anywhere and
 * iova_tree_first_with() finds the lowest extent holding one in a single
 * descent; the reservation index leaves the mask at zero.
 *
 * Red-black: insert and erase rebalance with O(1) amortised rotations, and
 * a mask change stops rising at the first ancestor whose mask it does not
 * change.
 *
 * Not locked: the pool serialises access.
 */
#ifndef UVF_IOVA_TREE_H
#define UVF_IOVA_TREE_H

#include <stddef.h>

#include "node.h"

struct iova_tree {
	struct iova_node *root;
	size_t count;
};

/**
 * iova_tree_init() - empty tree
 * @t: tree
 *
 * Return: nothing.
 */
void iova_tree_init(struct iova_tree *t);

/**
 * iova_tree_insert() - link @n, whose start must not be in the tree yet
 * @t: tree
 * @n: node with start, end and own set
 *
 * Return: nothing.
 */
void iova_tree_insert(struct iova_tree *t, struct iova_node *n);

/**
 * iova_tree_insert_between() - link @n between two in-order neighbours
 *                              without a search from the root
 * @t: tree
 * @n: node with start, end and own set
 * @prev: the node just below @n's start, or NULL when none is
 * @next: the node just above it, or NULL when none is
 *
 * Return: nothing.
 */
void iova_tree_insert_between(struct iova_tree *t, struct iova_node *n,
			      struct iova_node *prev, struct iova_node *next);

/**
 * iova_tree_insert_after() - link @n as the in-order successor of @x
 *                            without a search from the root
 * @t: tree
 * @n: node with start, end and own set, above @x and below @x's successor
 * @x: a node of @t
 *
 * Return: nothing.
 */
void iova_tree_insert_after(struct iova_tree *t, struct iova_node *n,
			    struct iova_node *x);

/**
 * iova_tree_erase() - unlink @n
 * @t: tree
 * @n: a node of @t
 *
 * Return: nothing.
 */
void iova_tree_erase(struct iova_tree *t, struct iova_node *n);

/**
 * iova_tree_update() - refresh the masks above @n after its own value
 *                      changed (its start or end may change too, as long as
 *                      it does not pass a neighbour)
 * @n: a node of a tree
 * @own: the new own value
 *
 * Return: nothing.
 */
void iova_tree_update(struct iova_node *n, uint64_t own);

/**
 * iova_tree_find_le() - the node with the largest start <= @pfn
 * @t: tree
 * @pfn: frame
 *
 * Return: the node or NULL.
 */
struct iova_node *iova_tree_find_le(const struct iova_tree *t, uint64_t pfn);

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
 * iova_tree_first_with() - lowest node whose own value has bit @bit
 * @t: tree whose root mask has bit @bit
 * @bit: 0..63
 *
 * Return: the node.
 */
struct iova_node *iova_tree_first_with(const struct iova_tree *t,
				       unsigned int bit);

/**
 * iova_tree_mask() - OR of every node's own value
 * @t: tree
 *
 * Return: the mask, 0 when empty.
 */
static inline uint64_t iova_tree_mask(const struct iova_tree *t)
{
	return t->root ? t->root->orders : 0;
}

#endif
