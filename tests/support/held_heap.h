/* SPDX-License-Identifier: MIT */
/* DMA heaps for running a driver's bring-up out of heap memory: one chunk
 * and no more, all of it but @left bytes held by a filler allocation. */
#ifndef UVF_TEST_HELD_HEAP_H
#define UVF_TEST_HELD_HEAP_H

#include <stdint.h>

#include <uvf/dmaheap.h>

struct held_heap {
	struct uvf_dmaheap *heap;
	void *filler;		/* NULL when nothing is held */
};

/* A heap of one default-sized chunk that cannot grow (ck_asserts). */
struct uvf_dmaheap *one_chunk_heap(void);
/* A one_chunk_heap() of which the filler holds all but @left bytes. */
void held_heap_create(struct held_heap *h, uint64_t left);
/* Frees the filler and destroys the heap, ck_asserting both: destroy is
 * -EBUSY while a pool, an allocation or an attachment of anyone else's is
 * left. */
void held_heap_destroy(struct held_heap *h);
/* Calls @open_with_heap_left(left) for left = 0, @step, 2 @step, ... up
 * to the whole chunk until it succeeds; it must succeed by then, and every
 * failure before must be -ENOMEM (ck_asserts). Returns the failures. */
unsigned int held_heap_failures_until_open(int (*open_with_heap_left)(uint64_t),
					   uint64_t step);

#endif
