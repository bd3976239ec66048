/* SPDX-License-Identifier: MIT */
/*
 * uvf-bench's first-fit baseline: a sorted singly linked list of free
 * extents with a linear search for the first extent that holds an aligned
 * block, and a linear walk to the insertion point on free, under one mutex
 * (the old kernel behaviour uvf's allocator replaces).
 */
#ifndef UVF_BENCH_FIRSTFIT_H
#define UVF_BENCH_FIRSTFIT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

/* A range of page frames. */
struct bench_block {
	uint64_t pfn, pages;
};

struct ff_extent {
	struct ff_extent *next;
	uint64_t start, end;	/* pages, [start, end) */
};

struct firstfit {
	pthread_mutex_t lock;
	struct ff_extent *head;	/* sorted by address */
	struct ff_extent *spare;	/* recycled nodes */
	struct ff_extent *nodes;	/* one array, freed at the end */
	size_t nr_nodes, used_nodes;
};

/**
 * bench_block_cmp() - qsort() order of blocks by first frame
 * @x: a struct bench_block
 * @y: a struct bench_block
 *
 * Return: <0, 0 or >0.
 */
int bench_block_cmp(const void *x, const void *y);

/**
 * ff_build() - the first-fit list holding exactly @free_list (sorted here,
 *              adjacent blocks merged)
 * @ff: list, overwritten
 * @free_list: the free blocks
 * @n: count
 *
 * Return: 0 or -ENOMEM.
 */
int ff_build(struct firstfit *ff, struct bench_block *free_list, size_t n);

/**
 * ff_destroy() - free the list's memory
 * @ff: list
 *
 * Return: nothing.
 */
void ff_destroy(struct firstfit *ff);

/**
 * ff_alloc() - first aligned fit for @pages (a power of two)
 * @ff: list
 * @pages: count
 * @pfn: first frame
 *
 * Return: 0, -ENOSPC or -ENOMEM.
 */
int ff_alloc(struct firstfit *ff, uint64_t pages, uint64_t *pfn);

/**
 * ff_free() - give back [@pfn, @pfn + @pages), merging with neighbours
 * @ff: list
 * @pfn: first frame
 * @pages: count
 *
 * Return: nothing.
 */
void ff_free(struct firstfit *ff, uint64_t pfn, uint64_t pages);

#endif
