// SPDX-License-Identifier: MIT
/*
 * AVL tree with parent pointers. Every change is followed by one upward
 * pass that refreshes heights and order masks and rotates where a node is
 * out of balance; once a subtree's height is as before, only the masks can
 * still be stale, and a lighter pass carries those up until one is
 * unchanged.
 */
#include "extent_tree.h"

static inline int32_t height(const struct iova_node *n)
{
	return n ? n->height : 0;
}

static inline uint64_t orders(const struct iova_node *n)
{
	return n ? n->orders : 0;
}

static void update(struct iova_node *n)
{
	int32_t hl = height(n->left), hr = height(n->right);

	n->height = 1 + (hl > hr ? hl : hr);
	n->orders = n->own | orders(n->left) | orders(n->right);
}

/* Above a subtree whose height did not change only masks can be stale. */
static void propagate_orders(struct iova_node *n)
{
	for (; n; n = n->parent) {
		uint64_t m = n->own | orders(n->left) | orders(n->right);

		if (m == n->orders)
			return;
		n->orders = m;
	}
}

static void replace_child(struct iova_extents *t, struct iova_node *parent,
			  struct iova_node *old, struct iova_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

static struct iova_node *rotate_left(struct iova_extents *t,
				     struct iova_node *x)
{
	struct iova_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
	update(x);
	update(y);
	return y;
}

static struct iova_node *rotate_right(struct iova_extents *t,
				      struct iova_node *x)
{
	struct iova_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
	update(x);
	update(y);
	return y;
}

/*
 * Walk up from @n, the lowest node whose subtree changed. @n's stored height
 * and mask must be what its position looked like before the change, so the
 * walk can stop once a subtree's summary is unchanged.
 */
static void rebalance(struct iova_extents *t, struct iova_node *n)
{
	while (n) {
		int32_t old_height = n->height;
		uint64_t old_orders = n->orders;
		struct iova_node *top = n;
		int32_t bf;

		update(n);
		bf = height(n->left) - height(n->right);
		if (bf > 1) {
			if (height(n->left->left) < height(n->left->right))
				rotate_left(t, n->left);
			top = rotate_right(t, n);
		} else if (bf < -1) {
			if (height(n->right->right) < height(n->right->left))
				rotate_right(t, n->right);
			top = rotate_left(t, n);
		}
		if (top->height == old_height) {
			if (top->orders != old_orders)
				propagate_orders(top->parent);
			return;
		}
		n = top->parent;
	}
}

void iova_extents_init(struct iova_extents *t)
{
	t->root = NULL;
	t->count = 0;
}

void iova_extents_insert(struct iova_extents *t, struct iova_node *n)
{
	struct iova_node *parent = NULL, **link = &t->root;

	while (*link) {
		parent = *link;
		link = n->start < parent->start ? &parent->left : &parent->right;
	}
	n->left = n->right = NULL;
	n->parent = parent;
	n->own = iova_extent_orders(n->start, n->end);
	/* A new leaf differs from the empty subtree it replaces. */
	n->height = 0;
	n->orders = 0;
	*link = n;
	t->count++;
	rebalance(t, n);
}

void iova_extents_erase(struct iova_extents *t, struct iova_node *n)
{
	struct iova_node *fix, *succ = NULL;

	if (n->left && n->right) {
		succ = n->right;
		while (succ->left)
			succ = succ->left;
		if (succ->parent == n) {
			fix = succ;
		} else {
			fix = succ->parent;
			fix->left = succ->right;
			if (succ->right)
				succ->right->parent = fix;
			succ->right = n->right;
			n->right->parent = succ;
		}
		succ->left = n->left;
		n->left->parent = succ;
		succ->parent = n->parent;
		replace_child(t, n->parent, n, succ);
		/* succ now stands for n's old subtree; see rebalance(). */
		succ->height = n->height;
		succ->orders = n->orders;
	} else {
		struct iova_node *child = n->left ? n->left : n->right;

		fix = n->parent;
		if (child)
			child->parent = fix;
		replace_child(t, fix, n, child);
	}
	t->count--;
	rebalance(t, fix);
	/*
	 * The walk from fix may stop below succ, but succ's own extent differs
	 * from the n it replaced, so its summary needs a pass of its own.
	 */
	if (succ && succ != fix)
		rebalance(t, succ);
}

void iova_extents_resized(struct iova_node *n)
{
	n->own = iova_extent_orders(n->start, n->end);
	propagate_orders(n);
}

struct iova_node *iova_extents_find_le(const struct iova_extents *t,
				       uint64_t pfn)
{
	struct iova_node *n = t->root, *best = NULL;

	while (n) {
		if (n->start <= pfn) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

struct iova_node *iova_extents_first(const struct iova_extents *t)
{
	struct iova_node *n = t->root;

	while (n && n->left)
		n = n->left;
	return n;
}

struct iova_node *iova_extents_next(const struct iova_node *n)
{
	const struct iova_node *p;

	if (n->right) {
		n = n->right;
		while (n->left)
			n = n->left;
		return (struct iova_node *)n;
	}
	p = n->parent;
	while (p && p->right == n) {
		n = p;
		p = p->parent;
	}
	return (struct iova_node *)p;
}

struct iova_node *iova_extents_first_with_order(const struct iova_extents *t,
						unsigned int order)
{
	uint64_t bit = 1ull << order;
	struct iova_node *n = t->root;

	for (;;) {
		if (n->left && (n->left->orders & bit))
			n = n->left;
		else if (n->own & bit)
			return n;
		else
			n = n->right;
	}
}
