/* SPDX-License-Identifier: MIT */
/*
 * Which allocated blocks are outstanding: one byte per page frame, the
 * block's order + 1 at its first frame and 0 elsewhere, in 4 KiB leaves of
 * a radix tree over the frame space. Looking a block up or marking it is a
 * walk of at most four directory levels (none when the last leaf used is
 * asked again), and costs a byte per frame only where blocks are: a leaf
 * goes back to the system once its last block is cleared and another leaf
 * empties (the last one emptied stays linked, so an allocate/free pair in
 * an empty space allocates nothing), and a directory when its last leaf
 * goes (one per level is kept for reuse).
 *
 * Not locked: the pool serialises access.
 */
#ifndef UVF_IOVA_BLOCKMAP_H
#define UVF_IOVA_BLOCKMAP_H

#include <stdint.h>

/* Directory levels above the leaves: 12 + 4 * 10 bits cover 2^52 frames. */
#define IOVA_MAP_MAX_LEVELS 4

struct iova_map_leaf;

struct iova_map {
	void *root;		/* a directory, or the one leaf */
	unsigned int levels;	/* directory levels above the leaves */
	uint64_t hint_key;	/* frame >> leaf bits of hint */
	struct iova_map_leaf *hint;	/* the last leaf used, or NULL */
	struct iova_map_leaf *idle;	/* an emptied leaf left linked */
	uint64_t idle_key;
	void *spare_dirs[IOVA_MAP_MAX_LEVELS];	/* empty directories kept */
	unsigned int nr_spare_dirs;
	uint64_t bytes;		/* leaves and directories held */
};

/**
 * iova_map_init() - an empty map of frames below @end
 * @m: map
 * @end: one past the highest frame, at most 2^52
 *
 * Return: nothing.
 */
void iova_map_init(struct iova_map *m, uint64_t end);

/**
 * iova_map_fini() - free every leaf and directory
 * @m: map
 *
 * Return: nothing.
 */
void iova_map_fini(struct iova_map *m);

/**
 * iova_map_get() - the code stored for @pfn
 * @m: map
 * @pfn: frame
 *
 * Return: the code, 0 when none.
 */
unsigned int iova_map_get(struct iova_map *m, uint64_t pfn);

/**
 * iova_map_set() - store @code (1..255) for @pfn, which has none
 * @m: map
 * @pfn: frame
 * @code: value
 *
 * Return: 0 or -ENOMEM (the code is not stored).
 */
int iova_map_set(struct iova_map *m, uint64_t pfn, unsigned int code);

/**
 * iova_map_prepare() - make sure iova_map_set() for @pfn cannot fail
 * @m: map
 * @pfn: frame
 *
 * Return: 0 or -ENOMEM.
 */
int iova_map_prepare(struct iova_map *m, uint64_t pfn);

/**
 * iova_map_clear() - drop the code stored for @pfn, which has one
 * @m: map
 * @pfn: frame
 *
 * Return: nothing.
 */
void iova_map_clear(struct iova_map *m, uint64_t pfn);

#endif
