/* SPDX-License-Identifier: MIT */
/*
 * The windows uvf-bench's iova cases run in, each laid out identically in
 * every allocator compared: uvf's, the first-fit list and the kernel design
 * (with a mutex and with a spinlock).
 */
#ifndef UVF_BENCH_IOVA_WINDOW_H
#define UVF_BENCH_IOVA_WINDOW_H

#include <uvf/iova.h>

#include "bench.h"
#include "firstfit.h"
#include "kiova.h"

#define WINDOW_BASE (1ull << 32)
#define WINDOW_PAGES (1ull << 20)	/* 4 GiB */
#define IOVA_BENCH_MAX_ORDER 6		/* 64 pages */
#define FILL_SEED 0x10aull

enum { KIOVA_MUTEX_IDX, KIOVA_SPIN_IDX, KIOVA_KINDS };

struct window {
	const char *name;
	unsigned int full_pct;
	struct uvf_iova_allocator *a;
	struct firstfit ff;
	struct kiova *k[KIOVA_KINDS];
	struct bench_block *out;	/* outstanding after the fill */
	size_t nout;
};

/* Name part of each kernel-design lock variant: "kiova-mutex", ... */
extern const char *const kiova_names[KIOVA_KINDS];

/**
 * iova_rng_next() - xorshift64*, fixed seeds, the same everywhere
 * @s: state
 *
 * Return: the next number.
 */
uint64_t iova_rng_next(uint64_t *s);

/**
 * window_create() - fill a window to @full_pct percent (0: empty) and lay
 *                   out the same outstanding blocks in every allocator
 * @w: window
 * @name: its name in case names
 * @full_pct: 0, or how full
 * @cpus: thread caches for the kernel design
 *
 * Fill: allocate from uvf's allocator with sizes 2^k pages, probability
 * proportional to 4^-k, k = 0..6 (three quarters single pages, as DMA
 * traffic is) until nothing fits, then free random blocks until 100 -
 * @full_pct percent is free. Free space ends up scattered in small pieces.
 *
 * Return: 0 or a negative errno.
 */
int window_create(struct window *w, const char *name, unsigned int full_pct,
		  unsigned int cpus);

/**
 * window_destroy() - free every allocator of @w
 * @w: window
 *
 * Return: nothing.
 */
void window_destroy(struct window *w);

/**
 * bench_iova_metadata() - report the node memory of uvf's allocator and of
 *                         the kernel design holding @w's layout
 * @ctx: run
 * @w: window, as window_create() left it
 *
 * Return: nothing.
 */
void bench_iova_metadata(struct bench_ctx *ctx, struct window *w);

/**
 * bench_iova_worst() - the cases where the kernel design breaks, on a
 *                      window that is 95 % full: a request that cannot
 *                      succeed, random alloc/free stress, and metadata
 *                      bytes while full and once emptied (consumes @w's
 *                      outstanding blocks: destroy it afterwards)
 * @ctx: run
 * @w: the frag95 window
 * @nthreads: the multi-threaded stress's threads
 *
 * Return: nothing.
 */
void bench_iova_worst(struct bench_ctx *ctx, struct window *w,
		      unsigned int nthreads);

#endif
