// SPDX-License-Identifier: MIT
/*
 * Radix tree of byte leaves (blockmap.h). Directories and leaves count
 * their non-empty entries, so an emptied leaf and every directory it
 * empties are unlinked and freed on the way up.
 */
#include <errno.h>
#include <stdlib.h>

#include "blockmap.h"

#define LEAF_BITS 12
#define DIR_BITS 10
#define MAX_LEVELS IOVA_MAP_MAX_LEVELS

struct iova_map_leaf {
	uint32_t used;
	uint8_t code[1u << LEAF_BITS];
};

struct iova_map_dir {
	uint32_t used;
	void *slot[1u << DIR_BITS];
};

void iova_map_init(struct iova_map *m, uint64_t end)
{
	unsigned int bits = end > 1 ? 64 - (unsigned int)__builtin_clzll(end - 1)
				    : 1;

	*m = (struct iova_map){ 0 };
	while (LEAF_BITS + DIR_BITS * m->levels < bits)
		m->levels++;
}

static void free_level(void *node, unsigned int levels)
{
	struct iova_map_dir *d = node;

	if (!node)
		return;
	for (unsigned int i = 0; levels && i < (1u << DIR_BITS); i++)
		free_level(d->slot[i], levels - 1);
	free(node);
}

void iova_map_fini(struct iova_map *m)
{
	free_level(m->root, m->levels);
	while (m->nr_spare_dirs)
		free(m->spare_dirs[--m->nr_spare_dirs]);
	*m = (struct iova_map){ 0 };
}

static inline unsigned int dir_index(const struct iova_map *m, uint64_t pfn,
				     unsigned int level)
{
	unsigned int shift = LEAF_BITS + DIR_BITS * (m->levels - 1 - level);

	return (unsigned int)(pfn >> shift) & ((1u << DIR_BITS) - 1);
}

/* The leaf holding @pfn, or NULL; remembers it as the hint. */
static struct iova_map_leaf *find_leaf(struct iova_map *m, uint64_t pfn)
{
	uint64_t key = pfn >> LEAF_BITS;
	void *node = m->root;

	if (m->hint && m->hint_key == key)
		return m->hint;
	for (unsigned int l = 0; node && l < m->levels; l++)
		node = ((struct iova_map_dir *)node)->slot[dir_index(m, pfn, l)];
	if (node) {
		m->hint = node;
		m->hint_key = key;
	}
	return node;
}

unsigned int iova_map_get(struct iova_map *m, uint64_t pfn)
{
	struct iova_map_leaf *leaf;

	/* Past the mapped space the indices would wrap onto other frames. */
	if (pfn >> (LEAF_BITS + DIR_BITS * m->levels))
		return 0;
	leaf = find_leaf(m, pfn);

	return leaf ? leaf->code[pfn & ((1u << LEAF_BITS) - 1)] : 0;
}

static void *new_leaf(struct iova_map *m)
{
	struct iova_map_leaf *leaf = calloc(1, sizeof(*leaf));

	if (leaf)
		m->bytes += sizeof(*leaf);
	return leaf;
}

static void *new_dir(struct iova_map *m)
{
	struct iova_map_dir *d;

	if (m->nr_spare_dirs)
		return m->spare_dirs[--m->nr_spare_dirs];	/* all NULL */
	d = calloc(1, sizeof(*d));

	if (d)
		m->bytes += sizeof(*d);
	return d;
}

int iova_map_prepare(struct iova_map *m, uint64_t pfn)
{
	struct iova_map_dir *parent = NULL;
	void **link = &m->root;

	if (find_leaf(m, pfn))
		return 0;
	for (unsigned int l = 0; l <= m->levels; l++) {
		if (!*link) {
			*link = l < m->levels ? new_dir(m) : new_leaf(m);
			if (!*link)
				return -ENOMEM;
			if (parent)
				parent->used++;
		}
		if (l == m->levels)
			break;
		parent = *link;
		link = &parent->slot[dir_index(m, pfn, l)];
	}
	return 0;
}

int iova_map_set(struct iova_map *m, uint64_t pfn, unsigned int code)
{
	struct iova_map_leaf *leaf = find_leaf(m, pfn);

	if (!leaf) {
		if (iova_map_prepare(m, pfn))
			return -ENOMEM;
		leaf = find_leaf(m, pfn);
	}
	leaf->code[pfn & ((1u << LEAF_BITS) - 1)] = (uint8_t)code;
	if (!leaf->used++ && leaf == m->idle)
		m->idle = NULL;
	return 0;
}

/* Unlink and free the empty leaf of @key, then every directory it empties. */
static void drop_leaf(struct iova_map *m, uint64_t key)
{
	struct iova_map_dir *path[MAX_LEVELS];
	uint64_t pfn = key << LEAF_BITS;
	void *node = m->root;
	unsigned int l;

	for (l = 0; l < m->levels; l++) {
		path[l] = node;
		node = path[l]->slot[dir_index(m, pfn, l)];
	}
	if (m->hint == node)
		m->hint = NULL;
	free(node);
	m->bytes -= sizeof(struct iova_map_leaf);
	while (l--) {
		path[l]->slot[dir_index(m, pfn, l)] = NULL;
		if (--path[l]->used)
			return;
		if (m->nr_spare_dirs < MAX_LEVELS) {
			m->spare_dirs[m->nr_spare_dirs++] = path[l];
		} else {
			free(path[l]);
			m->bytes -= sizeof(*path[l]);
		}
	}
	m->root = NULL;
}

void iova_map_clear(struct iova_map *m, uint64_t pfn)
{
	struct iova_map_leaf *leaf = find_leaf(m, pfn);

	leaf->code[pfn & ((1u << LEAF_BITS) - 1)] = 0;
	if (--leaf->used)
		return;
	/* The previous idle leaf goes; this one waits in its place. */
	if (m->idle)
		drop_leaf(m, m->idle_key);
	m->idle = leaf;
	m->idle_key = pfn >> LEAF_BITS;
}
