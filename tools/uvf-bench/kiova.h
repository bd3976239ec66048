/* SPDX-License-Identifier: MIT */
/*
 * A userspace allocator of the Linux 6.12 drivers/iommu/iova.c design,
 * written from its description for uvf-bench's baseline: a red-black tree
 * of allocated ranges searched downward from a cached node below a limit,
 * per-thread (the kernel: per-CPU) magazine caches with a shared depot for
 * blocks of up to 32 pages, and one tree lock that is a mutex or a spinlock.
 */
#ifndef UVF_BENCH_KIOVA_H
#define UVF_BENCH_KIOVA_H

#include <stdbool.h>
#include <stdint.h>

/* Orders 0..5 are cached, as the kernel's IOVA_RANGE_CACHE_MAX_SIZE 6. */
#define KIOVA_CACHED_ORDERS 6

enum kiova_lock_kind { KIOVA_MUTEX, KIOVA_SPINLOCK };

struct kiova;

/**
 * kiova_create() - an allocator over frames [@start_pfn, @limit_pfn]
 * @start_pfn: lowest frame handed out
 * @limit_pfn: highest frame handed out
 * @kind: the lock of the tree, the depot and each thread cache
 * @nr_cpus: thread caches (callers pass their thread index as the CPU)
 *
 * Return: the allocator or NULL.
 */
struct kiova *kiova_create(uint64_t start_pfn, uint64_t limit_pfn,
			   enum kiova_lock_kind kind, unsigned int nr_cpus);

/**
 * kiova_destroy() - free everything
 * @k: allocator, may be NULL
 *
 * Return: nothing.
 */
void kiova_destroy(struct kiova *k);

/**
 * kiova_alloc() - alloc_iova(size, limit, size_aligned=true): the tree only
 * @k: allocator
 * @pages: count, a power of two
 * @pfn: first frame
 *
 * Return: 0 or -ENOSPC.
 */
int kiova_alloc(struct kiova *k, uint64_t pages, uint64_t *pfn);

/**
 * kiova_free() - free_iova(): find the range from the root and erase it
 * @k: allocator
 * @pfn: first frame of an allocated range
 *
 * Return: 0 or -ENOENT.
 */
int kiova_free(struct kiova *k, uint64_t pfn);

/**
 * kiova_alloc_fast() - alloc_iova_fast(): the CPU's cache, else the tree,
 *                      and on failure flush every cache and retry once
 * @k: allocator
 * @cpu: below nr_cpus
 * @pages: count, a power of two
 * @pfn: first frame
 *
 * Return: 0 or -ENOSPC.
 */
int kiova_alloc_fast(struct kiova *k, unsigned int cpu, uint64_t pages,
		     uint64_t *pfn);

/**
 * kiova_free_fast() - free_iova_fast(): into the CPU's cache, else the tree
 * @k: allocator
 * @cpu: below nr_cpus
 * @pfn: first frame
 * @pages: the count allocated
 *
 * Return: nothing.
 */
void kiova_free_fast(struct kiova *k, unsigned int cpu, uint64_t pfn,
		     uint64_t pages);

/**
 * kiova_reserve() - reserve_iova() of a range that overlaps nothing: link
 *                   it as allocated (to lay out the same window as uvf's)
 * @k: allocator
 * @pfn: first frame
 * @pages: count
 *
 * Return: 0 or -ENOMEM.
 */
int kiova_reserve(struct kiova *k, uint64_t pfn, uint64_t pages);

/**
 * kiova_flush() - give every cached range back to the tree
 * @k: allocator
 *
 * Return: nothing.
 */
void kiova_flush(struct kiova *k);

/**
 * kiova_metadata_bytes() - node memory: live ranges times the size of the
 *                          kernel's struct iova (an rb_node and two pfns)
 * @k: allocator
 *
 * Return: bytes.
 */
uint64_t kiova_metadata_bytes(struct kiova *k);

#endif
