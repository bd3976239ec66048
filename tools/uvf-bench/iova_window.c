// SPDX-License-Identifier: MIT
/*
 * uvf-bench iova windows (see iova_window.h). uvf's allocator places the
 * fill; the first-fit list gets the resulting free blocks and the kernel
 * design the outstanding ones, so every allocator starts from the same free
 * set. The kernel design's cached node starts at the top, as after a fresh
 * start.
 */
#include <errno.h>
#include <stdlib.h>

#include "iova_window.h"

const char *const kiova_names[KIOVA_KINDS] = { "kiova-mutex", "kiova-spin" };

uint64_t iova_rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dull;
}

/* 2^k pages with probability proportional to 4^-k, k <= @max. */
static unsigned int small_biased_order(uint64_t *seed, unsigned int max)
{
	unsigned int k = 0;

	while (k < max && (iova_rng_next(seed) & 3) == 0)
		k++;
	return k;
}

/*
 * Fill, then free a random subset (through the checked free, so the space
 * is in the pool, not in this thread's cache). @blk ends with the freed
 * blocks in [0, *nfree) and the outstanding ones in [*nfree, *n).
 */
static int window_fill(struct window *w, struct bench_block *blk, size_t *n,
		       size_t *nfree)
{
	uint64_t seed = FILL_SEED + w->full_pct, free_pages = 0;
	uint64_t target = WINDOW_PAGES * (100 - w->full_pct) / 100;
	unsigned int max = IOVA_BENCH_MAX_ORDER;

	*n = *nfree = 0;
	for (;;) {
		unsigned int k = small_biased_order(&seed, max);
		uvf_iova_t iova;

		if (uvf_iova_alloc(w->a, UVF_PAGE_SIZE << k, &iova)) {
			/* Space only shrinks: never try this order again. */
			if (k == 0)
				break;
			max = k - 1;
			continue;
		}
		blk[(*n)++] = (struct bench_block){ iova >> UVF_PAGE_SHIFT,
						    1ull << k };
	}
	/* Shuffle the front into a random subset, freeing as we go. */
	while (free_pages < target && *nfree < *n) {
		size_t j = *nfree + iova_rng_next(&seed) % (*n - *nfree);
		struct bench_block t = blk[j];

		blk[j] = blk[*nfree];
		blk[(*nfree)++] = t;
		if (uvf_iova_free(w->a, t.pfn << UVF_PAGE_SHIFT,
				  t.pages << UVF_PAGE_SHIFT))
			return -EIO;
		free_pages += t.pages;
	}
	return 0;
}

static int kiova_build(struct window *w, unsigned int cpus)
{
	uint64_t start = WINDOW_BASE >> UVF_PAGE_SHIFT;

	for (int i = 0; i < KIOVA_KINDS; i++) {
		w->k[i] = kiova_create(start, start + WINDOW_PAGES - 1,
				       i == KIOVA_SPIN_IDX ? KIOVA_SPINLOCK :
							     KIOVA_MUTEX,
				       cpus);
		if (!w->k[i])
			return -ENOMEM;
		for (size_t j = 0; j < w->nout; j++)
			if (kiova_reserve(w->k[i], w->out[j].pfn,
					  w->out[j].pages))
				return -ENOMEM;
	}
	return 0;
}

int window_create(struct window *w, const char *name, unsigned int full_pct,
		  unsigned int cpus)
{
	struct uvf_iova_range r = {
		WINDOW_BASE, WINDOW_BASE + WINDOW_PAGES * UVF_PAGE_SIZE - 1
	};
	struct bench_block all = { WINDOW_BASE >> UVF_PAGE_SHIFT, WINDOW_PAGES };
	struct bench_block *blk = NULL;
	size_t n = 0, nfree = 0;
	int ret;

	*w = (struct window){ .name = name, .full_pct = full_pct };
	ret = uvf_iova_allocator_create(&r, 1, &w->a);
	if (ret)
		return ret;
	if (full_pct) {
		ret = -ENOMEM;
		blk = malloc(WINDOW_PAGES * sizeof(*blk));
		if (!blk)
			goto fail;
		ret = window_fill(w, blk, &n, &nfree);
		if (ret)
			goto fail;
		ret = -ENOMEM;
		w->nout = n - nfree;
		w->out = malloc((w->nout ? w->nout : 1) * sizeof(*w->out));
		if (!w->out)
			goto fail;
		for (size_t i = 0; i < w->nout; i++)
			w->out[i] = blk[nfree + i];
		ret = ff_build(&w->ff, blk, nfree);
	} else {
		ret = ff_build(&w->ff, &all, 1);
	}
	if (ret)
		goto fail;
	ret = kiova_build(w, cpus);
	if (ret)
		goto fail;
	free(blk);
	return 0;
fail:
	free(blk);
	window_destroy(w);
	return ret;
}

void window_destroy(struct window *w)
{
	uvf_iova_allocator_destroy(w->a);
	if (w->ff.nodes)
		ff_destroy(&w->ff);
	for (int i = 0; i < KIOVA_KINDS; i++)
		kiova_destroy(w->k[i]);
	free(w->out);
	*w = (struct window){ 0 };
}
