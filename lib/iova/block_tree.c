// SPDX-License-Identifier: MIT
/*
 * Red-black tree with parent pointers and NULL leaves (which count as
 * black), after Cormen et al. The erase fix-up tracks the parent of the
 * doubly black position separately because that position may be NULL.
 */
#include <stdbool.h>

#include "block_tree.h"

static inline bool is_red(const struct iova_node *n)
{
	return n && n->red;
}

static void replace_child(struct iova_blocks *t, struct iova_node *parent,
			  struct iova_node *old, struct iova_node *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
}

static void rotate_left(struct iova_blocks *t, struct iova_node *x)
{
	struct iova_node *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
}

static void rotate_right(struct iova_blocks *t, struct iova_node *x)
{
	struct iova_node *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	y->parent = x->parent;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
}

void iova_blocks_init(struct iova_blocks *t)
{
	t->root = NULL;
	t->count = 0;
}

void iova_blocks_insert(struct iova_blocks *t, struct iova_node *n)
{
	struct iova_node *parent = NULL, **link = &t->root, *p, *g, *u;

	while (*link) {
		parent = *link;
		link = n->start < parent->start ? &parent->left : &parent->right;
	}
	n->left = n->right = NULL;
	n->parent = parent;
	n->red = true;
	*link = n;
	t->count++;

	while ((p = n->parent) && p->red) {
		g = p->parent;	/* exists: the root is black */
		if (p == g->left) {
			u = g->right;
			if (is_red(u)) {
				p->red = u->red = false;
				g->red = true;
				n = g;
				continue;
			}
			if (n == p->right) {
				rotate_left(t, p);
				n = p;
				p = n->parent;
			}
			p->red = false;
			g->red = true;
			rotate_right(t, g);
		} else {
			u = g->left;
			if (is_red(u)) {
				p->red = u->red = false;
				g->red = true;
				n = g;
				continue;
			}
			if (n == p->left) {
				rotate_right(t, p);
				n = p;
				p = n->parent;
			}
			p->red = false;
			g->red = true;
			rotate_left(t, g);
		}
	}
	t->root->red = false;
}

/* @x (maybe NULL) under @parent carries an extra black: push it out. */
static void erase_fixup(struct iova_blocks *t, struct iova_node *x,
			struct iova_node *parent)
{
	struct iova_node *w;

	while (x != t->root && !is_red(x)) {
		/* x's sibling has black height >= 1, so it exists. */
		if (x == parent->left) {
			w = parent->right;
			if (w->red) {
				w->red = false;
				parent->red = true;
				rotate_left(t, parent);
				w = parent->right;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = true;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!is_red(w->right)) {
				w->left->red = false;
				w->red = true;
				rotate_right(t, w);
				w = parent->right;
			}
			w->red = parent->red;
			parent->red = false;
			w->right->red = false;
			rotate_left(t, parent);
		} else {
			w = parent->left;
			if (w->red) {
				w->red = false;
				parent->red = true;
				rotate_right(t, parent);
				w = parent->left;
			}
			if (!is_red(w->left) && !is_red(w->right)) {
				w->red = true;
				x = parent;
				parent = x->parent;
				continue;
			}
			if (!is_red(w->left)) {
				w->right->red = false;
				w->red = true;
				rotate_left(t, w);
				w = parent->left;
			}
			w->red = parent->red;
			parent->red = false;
			w->left->red = false;
			rotate_right(t, parent);
		}
		x = t->root;
	}
	if (x)
		x->red = false;
}

void iova_blocks_erase(struct iova_blocks *t, struct iova_node *n)
{
	struct iova_node *x, *parent;
	bool removed_red = n->red;

	if (!n->left || !n->right) {
		x = n->left ? n->left : n->right;
		parent = n->parent;
		replace_child(t, parent, n, x);
		if (x)
			x->parent = parent;
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
	}
	t->count--;
	if (!removed_red)
		erase_fixup(t, x, parent);
}

struct iova_node *iova_blocks_find(const struct iova_blocks *t, uint64_t pfn)
{
	struct iova_node *n = t->root;

	while (n && n->start != pfn)
		n = pfn < n->start ? n->left : n->right;
	return n;
}
