/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <errno.h>

#include "held_heap.h"

struct uvf_dmaheap *one_chunk_heap(void)
{
	struct uvf_dmaheap_opts o;
	struct uvf_dmaheap *heap;

	uvf_dmaheap_opts_default(&o);
	o.max_bytes = o.chunk_size;
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), 0);
	return heap;
}

void held_heap_create(struct held_heap *h, uint64_t left)
{
	struct uvf_dmaheap_opts o;

	uvf_dmaheap_opts_default(&o);
	h->heap = one_chunk_heap();
	h->filler = NULL;
	if (left < o.chunk_size)
		ck_assert_int_eq(uvf_dmaheap_alloc(h->heap, o.chunk_size - left,
						   &h->filler), 0);
}

void held_heap_destroy(struct held_heap *h)
{
	if (h->filler)
		ck_assert_int_eq(uvf_dmaheap_free(h->heap, h->filler), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(h->heap), 0);
	h->heap = NULL;
	h->filler = NULL;
}

unsigned int held_heap_failures_until_open(int (*open_with_heap_left)(uint64_t),
					   uint64_t step)
{
	struct uvf_dmaheap_opts o;
	unsigned int failures = 0;
	uint64_t left;
	int ret = -ENOMEM;

	uvf_dmaheap_opts_default(&o);
	for (left = 0; left <= o.chunk_size; left += step) {
		ret = open_with_heap_left(left);
		if (!ret)
			break;
		ck_assert_int_eq(ret, -ENOMEM);
		failures++;
	}
	ck_assert_int_eq(ret, 0);
	return failures;
}
