/* SPDX-License-Identifier: MIT */
/*
 * Node memory for the pool's trees: 4 KiB slabs of 63 nodes (the first
 * cache line holds the slab's own header), each with its own free list. A
 * slab whose nodes are all free goes back to the system, except one kept to
 * absorb an allocate/free pair at a slab boundary, so memory follows the
 * number of live nodes down as well as up.
 *
 * Not locked: the pool serialises access.
 */
#ifndef UVF_IOVA_SLAB_H
#define UVF_IOVA_SLAB_H

#include <stddef.h>
#include <stdint.h>

#include "node.h"

struct iova_slab;

struct iova_slabs {
	struct iova_slab *partial;	/* slabs with a free node */
	struct iova_slab *empty;	/* one all-free slab kept, or NULL */
	size_t nr_free;			/* free nodes in all slabs */
	uint64_t bytes;			/* slab memory held */
};

/**
 * iova_slabs_init() - no slabs yet
 * @s: slabs
 *
 * Return: nothing.
 */
void iova_slabs_init(struct iova_slabs *s);

/**
 * iova_slabs_fini() - free every slab; every node must have been put back
 * @s: slabs
 *
 * Return: nothing.
 */
void iova_slabs_fini(struct iova_slabs *s);

/**
 * iova_slabs_grow() - add slabs until @n nodes are free
 * @s: slabs
 * @n: count
 *
 * Return: 0 or -ENOMEM.
 */
int iova_slabs_grow(struct iova_slabs *s, size_t n);

/**
 * iova_slabs_reserve() - make sure @n nodes can be taken without failing
 * @s: slabs
 * @n: count
 *
 * Return: 0 or -ENOMEM.
 */
static inline int iova_slabs_reserve(struct iova_slabs *s, size_t n)
{
	return s->nr_free >= n ? 0 : iova_slabs_grow(s, n);
}

/**
 * iova_node_get() - take a node; a reservation must cover it
 * @s: slabs
 *
 * Return: the node (contents undefined).
 */
struct iova_node *iova_node_get(struct iova_slabs *s);

/**
 * iova_node_put() - give a node back, and its slab once all of it is free
 * @s: slabs
 * @n: a node from iova_node_get()
 *
 * Return: nothing.
 */
void iova_node_put(struct iova_slabs *s, struct iova_node *n);

#endif
