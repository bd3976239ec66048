// SPDX-License-Identifier: MIT
/*
 * Slabs of tree nodes (slab.h). A slab is 4 KiB and 4 KiB aligned, so a
 * node finds its slab by masking its address. Free nodes are linked through
 * ->right. Partial slabs form a doubly linked list; a full slab is on no
 * list until one of its nodes comes back.
 */
#include <errno.h>
#include <stdlib.h>

#include "slab.h"

#define SLAB_BYTES 4096
#define SLAB_NODES (SLAB_BYTES / sizeof(struct iova_node) - 1)

struct iova_slab {
	struct iova_slab *next, *prev;	/* partial list */
	struct iova_node *free;
	size_t nr_free;
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct iova_slab) == sizeof(struct iova_node),
	       "the header takes exactly the first node's place");

static inline struct iova_node *slab_nodes(struct iova_slab *sl)
{
	return (struct iova_node *)(sl + 1);
}

static inline struct iova_slab *slab_of(struct iova_node *n)
{
	return (struct iova_slab *)((uintptr_t)n & ~(uintptr_t)(SLAB_BYTES - 1));
}

static void partial_add(struct iova_slabs *s, struct iova_slab *sl)
{
	sl->prev = NULL;
	sl->next = s->partial;
	if (s->partial)
		s->partial->prev = sl;
	s->partial = sl;
}

static void partial_del(struct iova_slabs *s, struct iova_slab *sl)
{
	if (sl->prev)
		sl->prev->next = sl->next;
	else
		s->partial = sl->next;
	if (sl->next)
		sl->next->prev = sl->prev;
}

void iova_slabs_init(struct iova_slabs *s)
{
	*s = (struct iova_slabs){ 0 };
}

static void slab_release(struct iova_slabs *s, struct iova_slab *sl)
{
	s->nr_free -= sl->nr_free;
	s->bytes -= SLAB_BYTES;
	free(sl);
}

void iova_slabs_fini(struct iova_slabs *s)
{
	/* Full slabs are on no list: the trees' users free their nodes. */
	while (s->partial) {
		struct iova_slab *sl = s->partial;

		partial_del(s, sl);
		slab_release(s, sl);
	}
	if (s->empty)
		slab_release(s, s->empty);
	s->empty = NULL;
}

static int slab_add(struct iova_slabs *s)
{
	struct iova_slab *sl = aligned_alloc(SLAB_BYTES, SLAB_BYTES);
	struct iova_node *n;

	if (!sl)
		return -ENOMEM;
	n = slab_nodes(sl);
	sl->free = NULL;
	for (size_t i = SLAB_NODES; i-- > 0;) {
		n[i].right = sl->free;
		sl->free = &n[i];
	}
	sl->nr_free = SLAB_NODES;
	s->nr_free += SLAB_NODES;
	s->bytes += SLAB_BYTES;
	partial_add(s, sl);
	return 0;
}

int iova_slabs_grow(struct iova_slabs *s, size_t n)
{
	/* The kept empty slab's nodes count in nr_free already. */
	while (s->nr_free < n)
		if (slab_add(s))
			return -ENOMEM;
	return 0;
}

struct iova_node *iova_node_get(struct iova_slabs *s)
{
	struct iova_slab *sl = s->partial;
	struct iova_node *n;

	if (!sl) {
		sl = s->empty;
		s->empty = NULL;
		partial_add(s, sl);
	}
	n = sl->free;
	sl->free = n->right;
	s->nr_free--;
	if (!--sl->nr_free)
		partial_del(s, sl);
	return n;
}

void iova_node_put(struct iova_slabs *s, struct iova_node *n)
{
	struct iova_slab *sl = slab_of(n);

	n->right = sl->free;
	sl->free = n;
	s->nr_free++;
	if (!sl->nr_free++)
		partial_add(s, sl);
	if (sl->nr_free < SLAB_NODES)
		return;
	/* All free: keep one such slab, give the others back. */
	partial_del(s, sl);
	if (s->empty)
		slab_release(s, sl);
	else
		s->empty = sl;
}
