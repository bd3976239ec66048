// SPDX-License-Identifier: MIT
/*
 * Augmented red-black tree with parent pointers and NULL leaves (which count
 * as black), after Cormen et al. The masks are brought up to date right
 * after each structural change and before any rotation; a rotation keeps
 * them right by itself (the pair's top stands for the same set as before, so
 * it takes the old top's mask and only the node that went down is
 * recomputed). Each fix-up is written once for both mirror images, with
 * the side as a variable. The erase fix-up tracks the parent of the doubly
 * black position separately because that position may be NULL.
 */
#include <stdbool.h>

#include "tree.h"

static inline bool is_red(const struct iova_node *n)
{
	return n && n->red;
}

static inline uint64_t mask_of(const struct iova_node *n)
{
	return n ? n->orders : 0;
}

static inline void recompute(struct iova_node *n)
{
	n->orders = n->own | mask_of(n->left) | mask_of(n->right);
}

/* Only @n's subtree changed: carry its mask up until one is unchanged. */
static void propagate(struct iova_node *n)
{
	for (; n; n = n->parent) {
		uint64_t m = n->own | mask_of(n->left) | mask_of(n->right);

		if (m == n->orders)
			return;
		n->orders = m;
	}
}

static void replace_child(struct iova_tree *t, struct iova_node *parent,
			  struct iova_node *old, struct iova_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

static inline struct iova_node **link_of(struct iova_node *n, bool right)
{
	return right ? &n->right : &n->left;
}

/*
 * Lift @x's child on the side @left names (its right child for a left
 * rotation) into @x's place; @x goes down on the other side.
 */
static void rotate(struct iova_tree *t, struct iova_node *x, bool left)
{
	struct iova_node *y = *link_of(x, left), *inner = *link_of(y, !left);

	*link_of(x, left) = inner;
	if (inner)
		inner->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	*link_of(y, !left) = x;
	x->parent = y;
	y->orders = x->orders;
	recompute(x);
}

void iova_tree_init(struct iova_tree *t)
{
	t->root = NULL;
	t->count = 0;
}

/* Link @n at the empty *@link under @parent, then rebalance. */
static void link_node(struct iova_tree *t, struct iova_node *n,
		      struct iova_node *parent, struct iova_node **link)
{
	struct iova_node *p, *g, *u;

	n->left = n->right = NULL;
	n->parent = parent;
	n->red = true;
	n->orders = n->own;
	*link = n;
	t->count++;
	propagate(parent);

	while ((p = n->parent) && p->red) {
		bool p_right;

		g = p->parent;	/* exists: the root is black */
		p_right = p == g->right;
		u = *link_of(g, !p_right);
		if (is_red(u)) {
			p->red = u->red = false;
			g->red = true;
			n = g;
			continue;
		}
		if (n == *link_of(p, !p_right)) {
			rotate(t, p, !p_right);
			n = p;
			p = n->parent;
		}
		p->red = false;
		g->red = true;
		rotate(t, g, p_right);
	}
	t->root->red = false;
}

void iova_tree_insert(struct iova_tree *t, struct iova_node *n)
{
	struct iova_node *parent = NULL, **link = &t->root;

	while (*link) {
		parent = *link;
		link = n->start < parent->start ? &parent->left : &parent->right;
	}
	link_node(t, n, parent, link);
}

void iova_tree_insert_after(struct iova_tree *t, struct iova_node *n,
			    struct iova_node *x)
{
	struct iova_node *p = x->right;

	if (!p) {
		link_node(t, n, x, &x->right);
		return;
	}
	while (p->left)
		p = p->left;
	link_node(t, n, p, &p->left);
}

void iova_tree_insert_between(struct iova_tree *t, struct iova_node *n,
			      struct iova_node *prev, struct iova_node *next)
{
	/*
	 * Of two in-order neighbours, either the lower has no right child or
	 * the higher has no left child; that empty link is where @n goes.
	 */
	if (prev && !prev->right)
		link_node(t, n, prev, &prev->right);
	else if (next)
		link_node(t, n, next, &next->left);
	else
		link_node(t, n, NULL, &t->root);
}

/* @x (maybe NULL) under @parent carries an extra black: push it out. */
static void erase_fixup(struct iova_tree *t, struct iova_node *x,
			struct iova_node *parent)
{
	struct iova_node *w;

	while (x != t->root && !is_red(x)) {
		/* x's sibling has black height >= 1, so it exists. */
		bool x_right = x ? x == parent->right : parent->left != NULL;

		w = *link_of(parent, !x_right);
		if (w->red) {
			w->red = false;
			parent->red = true;
			rotate(t, parent, !x_right);
			w = *link_of(parent, !x_right);
		}
		if (!is_red(w->left) && !is_red(w->right)) {
			w->red = true;
			x = parent;
			parent = x->parent;
			continue;
		}
		if (!is_red(*link_of(w, !x_right))) {
			(*link_of(w, x_right))->red = false;
			w->red = true;
			rotate(t, w, x_right);
			w = *link_of(parent, !x_right);
		}
		w->red = parent->red;
		parent->red = false;
		(*link_of(w, !x_right))->red = false;
		rotate(t, parent, !x_right);
		x = t->root;
	}
	if (x)
		x->red = false;
}

void iova_tree_erase(struct iova_tree *t, struct iova_node *n)
{
	struct iova_node *x, *parent;
	bool removed_red = n->red;

	if (!n->left || !n->right) {
		x = n->left ? n->left : n->right;
		parent = n->parent;
		replace_child(t, parent, n, x);
		if (x)
			x->parent = parent;
		propagate(parent);
	} else {
		/* Splice out the successor y and put it where n was. */
		struct iova_node *y = n->right;

		while (y->left)
			y = y->left;
		removed_red = y->red;
		x = y->right;
		if (y->parent == n) {
			parent = y;
		} else {
			parent = y->parent;
			parent->left = x;
			if (x)
				x->parent = parent;
			y->right = n->right;
			y->right->parent = y;
		}
		replace_child(t, n->parent, n, y);
		y->parent = n->parent;
		y->left = n->left;
		y->left->parent = y;
		y->red = n->red;
		/*
		 * Every subtree from y's old parent up to y lost y, and y's own
		 * value replaced n's, so none of them can stop the walk early.
		 */
		for (struct iova_node *a = parent; a != y; a = a->parent)
			recompute(a);
		recompute(y);
		propagate(y->parent);
	}
	t->count--;
	if (!removed_red)
		erase_fixup(t, x, parent);
}

void iova_tree_update(struct iova_node *n, uint64_t own)
{
	n->own = own;
	propagate(n);
}

struct iova_node *iova_tree_find_le(const struct iova_tree *t, uint64_t pfn)
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

struct iova_node *iova_tree_first(const struct iova_tree *t)
{
	struct iova_node *n = t->root;

	while (n && n->left)
		n = n->left;
	return n;
}

static inline struct iova_node *child(const struct iova_node *n, bool up)
{
	return up ? n->right : n->left;
}

/* In-order neighbour of @n: above it when @up, else below. */
static struct iova_node *step(const struct iova_node *n, bool up)
{
	const struct iova_node *p;

	if (child(n, up)) {
		n = child(n, up);
		while (child(n, !up))
			n = child(n, !up);
		return (struct iova_node *)n;
	}
	p = n->parent;
	while (p && child(p, up) == n) {
		n = p;
		p = p->parent;
	}
	return (struct iova_node *)p;
}

struct iova_node *iova_tree_next(const struct iova_node *n)
{
	return step(n, true);
}

struct iova_node *iova_tree_prev(const struct iova_node *n)
{
	return step(n, false);
}

struct iova_node *iova_tree_first_with(const struct iova_tree *t,
				       unsigned int bit)
{
	uint64_t m = 1ull << bit;
	struct iova_node *n = t->root;

	for (;;) {
		if (n->left && (n->left->orders & m))
			n = n->left;
		else if (n->own & m)
			return n;
		else
			n = n->right;
	}
}
