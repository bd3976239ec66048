/* SPDX-License-Identifier: MIT */
/*
 * Address to chunk for chunks anywhere in the address space (a provider's
 * chunks need not be back to back): a radix table of 2 MiB slots, three
 * lock-free loads a lookup. Chunks are 2 MiB-aligned multiples of 2 MiB, so
 * every slot belongs to one chunk at most.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>

#include "heap_priv.h"

#define LEVEL_MASK (DH_MAP_FANOUT - 1)
/* Slots above this are beyond the 48-bit address space. */
#define SLOT_LIMIT (1ull << (3 * DH_MAP_BITS))

static uint64_t slot_of(uintptr_t va)
{
	return (uint64_t)va >> DH_MAP_SHIFT;
}

/* The leaf for @slot, made when @make; NULL when missing or out of
 * memory. */
static struct dh_map_leaf *leaf_of(struct dh_chunkmap *m, uint64_t slot,
				   bool make)
{
	_Atomic(struct dh_map_mid *) *mp = &m->mid[slot >> (2 * DH_MAP_BITS)];
	struct dh_map_mid *mid = atomic_load(mp);
	_Atomic(struct dh_map_leaf *) *lp;
	struct dh_map_leaf *leaf;

	if (!mid && make) {
		mid = calloc(1, sizeof(*mid));
		if (mid)
			atomic_store_explicit(mp, mid, memory_order_release);
	}
	if (!mid)
		return NULL;
	lp = &mid->leaf[(slot >> DH_MAP_BITS) & LEVEL_MASK];
	leaf = atomic_load(lp);
	if (!leaf && make) {
		leaf = calloc(1, sizeof(*leaf));
		if (leaf)
			atomic_store_explicit(lp, leaf, memory_order_release);
	}
	return leaf;
}

static void set_slots(struct dh_chunkmap *m, const struct dh_chunk *c,
		      struct dh_chunk *val)
{
	uint64_t s, first = slot_of((uintptr_t)c->va);
	uint64_t end = first + (c->pc.len >> DH_MAP_SHIFT);

	/* dh_map_reserve() made every node of the range, and nodes live as
	 * long as the map: leaf_of() cannot return NULL here. */
	for (s = first; s < end; s++) {
		struct dh_map_leaf *leaf = leaf_of(m, s, false);

		assert(leaf);
		atomic_store_explicit(&leaf->slot[s & LEVEL_MASK], val,
				      memory_order_release);
	}
}

int dh_map_reserve(struct dh_chunkmap *m, const struct dh_chunk *c)
{
	uint64_t s, first = slot_of((uintptr_t)c->va);
	uint64_t end = first + (c->pc.len >> DH_MAP_SHIFT);

	if (end > SLOT_LIMIT)
		return -EINVAL;
	/* Every node first, so publishing cannot fail half-way. */
	for (s = first; s < end; s++) {
		struct dh_map_leaf *leaf = leaf_of(m, s, true);

		if (!leaf)
			return -ENOMEM;
		if (atomic_load(&leaf->slot[s & LEVEL_MASK]))
			return -EEXIST;
	}
	return 0;
}

void dh_map_publish(struct dh_chunkmap *m, struct dh_chunk *c)
{
	set_slots(m, c, c);
}

struct dh_chunk *dh_map_lookup(const struct dh_chunkmap *m, const void *va)
{
	uint64_t s = slot_of((uintptr_t)va);
	struct dh_map_mid *mid;
	struct dh_map_leaf *leaf;

	if (s >= SLOT_LIMIT)
		return NULL;
	mid = atomic_load_explicit(&m->mid[s >> (2 * DH_MAP_BITS)],
				   memory_order_acquire);
	if (!mid)
		return NULL;
	leaf = atomic_load_explicit(&mid->leaf[(s >> DH_MAP_BITS) & LEVEL_MASK],
				    memory_order_acquire);
	if (!leaf)
		return NULL;
	return atomic_load_explicit(&leaf->slot[s & LEVEL_MASK],
				    memory_order_acquire);
}

void dh_map_free(struct dh_chunkmap *m)
{
	unsigned int i, j;

	for (i = 0; i < DH_MAP_FANOUT; i++) {
		struct dh_map_mid *mid = atomic_load(&m->mid[i]);

		if (!mid)
			continue;
		for (j = 0; j < DH_MAP_FANOUT; j++)
			free(atomic_load(&mid->leaf[j]));
		free(mid);
		atomic_store(&m->mid[i], NULL);
	}
}
