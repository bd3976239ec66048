/* SPDX-License-Identifier: MIT */
/*
 * Table pages for one page table, carved out of size-aligned chunks (see
 * struct pgt_chunk). A page is zeroed the first time it is handed out;
 * after that it only comes back once every entry has been cleared, so
 * reuse needs no memset: a map that needs three new tables costs three
 * bit operations, not three 4 KiB clears.
 */
#include <stdlib.h>
#include <string.h>

#include "pgtable_priv.h"

/* Page 0 is the header. */
#define ALL_PAGES (~0ull << 1)

/* One wholly free chunk is kept so that a map/unmap pair at a chunk
 * boundary does not allocate and free a chunk every time. */
#define EMPTY_CHUNKS_KEPT 1

static void avail_add(struct pgt_arena *a, struct pgt_chunk *c)
{
	c->avail_prev = NULL;
	c->avail_next = a->avail;
	if (a->avail)
		a->avail->avail_prev = c;
	a->avail = c;
}

static void avail_del(struct pgt_arena *a, struct pgt_chunk *c)
{
	if (c->avail_prev)
		c->avail_prev->avail_next = c->avail_next;
	else
		a->avail = c->avail_next;
	if (c->avail_next)
		c->avail_next->avail_prev = c->avail_prev;
}

static struct pgt_chunk *chunk_new(struct pgt_arena *a)
{
	struct pgt_chunk *c = aligned_alloc(PGT_CHUNK_SIZE, PGT_CHUNK_SIZE);

	if (!c)
		return NULL;
	/* Entries must be able to point at every page of the chunk. */
	if (((uintptr_t)c + PGT_CHUNK_SIZE - 1) & ~(a->addr_mask | 0xfffull)) {
		free(c);
		return NULL;
	}
	memset(c, 0, sizeof(*c));
	c->free = ALL_PAGES;
	c->fresh = ALL_PAGES;
	c->next = a->chunks;
	if (a->chunks)
		a->chunks->prev = c;
	a->chunks = c;
	avail_add(a, c);
	a->empty_chunks++;
	return c;
}

static void chunk_release(struct pgt_arena *a, struct pgt_chunk *c)
{
	avail_del(a, c);
	if (c->prev)
		c->prev->next = c->next;
	else
		a->chunks = c->next;
	if (c->next)
		c->next->prev = c->prev;
	a->empty_chunks--;
	free(c);
}

void uvf_pgt_arena_init(struct pgt_arena *a, uint64_t addr_mask)
{
	memset(a, 0, sizeof(*a));
	a->addr_mask = addr_mask;
}

void uvf_pgt_arena_fini(struct pgt_arena *a)
{
	struct pgt_chunk *c = a->chunks, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	memset(a, 0, sizeof(*a));
}

uint64_t *uvf_pgt_arena_alloc(struct pgt_arena *a)
{
	struct pgt_chunk *c = a->avail;
	unsigned int i;
	uint64_t bit;
	uint64_t *page;

	if (!c) {
		c = chunk_new(a);
		if (!c)
			return NULL;
	}
	if (c->free == ALL_PAGES)
		a->empty_chunks--;
	i = (unsigned int)__builtin_ctzll(c->free);
	bit = 1ull << i;
	c->free &= ~bit;
	if (!c->free)
		avail_del(a, c);
	page = (uint64_t *)((char *)c + (size_t)i * UVF_PAGE_SIZE);
	if (c->fresh & bit) {
		memset(page, 0, UVF_PAGE_SIZE);
		c->fresh &= ~bit;
	}
	return page;
}

void uvf_pgt_arena_free(struct pgt_arena *a, uint64_t *table)
{
	struct pgt_chunk *c = (struct pgt_chunk *)((uintptr_t)table &
						   ~(PGT_CHUNK_SIZE - 1));
	uint64_t bit = 1ull << (((uintptr_t)table >> UVF_PAGE_SHIFT) &
				(PGT_CHUNK_PAGES - 1));

	if (!c->free)
		avail_add(a, c);
	c->free |= bit;
	if (c->free != ALL_PAGES)
		return;
	if (++a->empty_chunks > EMPTY_CHUNKS_KEPT)
		chunk_release(a, c);
}
