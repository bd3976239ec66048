/* SPDX-License-Identifier: MIT */
/*
 * Page-table lifetime, the hardware walk (translate) and the helpers the
 * generic mapper and unmapper share.
 */
#include <stdlib.h>
#include <string.h>

#include "pgtable_priv.h"

int uvf_pgtable_create(enum uvf_pgtable_format fmt, struct uvf_pgtable **out)
{
	const struct pgt_format *f = uvf_pgt_format(fmt);
	struct uvf_pgtable *pt;

	if (!f)
		return -EINVAL;
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return -ENOMEM;
	pt->fmt = f;
	pt->alloc_budget = -1;
	uvf_pgt_arena_init(&pt->arena, f->oa_mask);
	pt->root = pgt_table_alloc(pt);
	if (!pt->root) {
		free(pt);
		return -ENOMEM;
	}
	*out = pt;
	return 0;
}

void uvf_pgtable_destroy(struct uvf_pgtable *pt)
{
	if (!pt)
		return;
	/* Every table lives in the arena: no walk needed. */
	uvf_pgt_arena_fini(&pt->arena);
	free(pt);
}

const struct uvf_pgtable_info *uvf_pgtable_info(const struct uvf_pgtable *pt)
{
	return &pt->fmt->info;
}

uint64_t uvf_pgtable_root(const struct uvf_pgtable *pt)
{
	return (uint64_t)(uintptr_t)pt->root;
}

uint64_t uvf_pgtable_table_pages(const struct uvf_pgtable *pt)
{
	return pt->table_pages;
}

int uvf_pgt_check_range(const struct pgt_format *f, uvf_iova_t iova,
			uint64_t len, uint64_t *last)
{
	if (!len || !uvf_is_aligned(iova | len, UVF_PAGE_SIZE))
		return -EINVAL;
	if (uvf_range_last(iova, len, last))
		return -EOVERFLOW;
	if (*last >> f->info.ias_bits)
		return -ERANGE;
	return 0;
}

/* Free the tables at @level and up on @path that have no valid entry left,
 * so that no empty table outlives the operation that emptied it. */
void uvf_pgt_prune(struct uvf_pgtable *pt, pgt_path_t path, uvf_iova_t iova,
		   unsigned int level, struct uvf_pgtable_op_stats *st)
{
	unsigned int top = pt->fmt->info.levels;

	for (; level < top && *pgt_count(path[level]) == 0; level++) {
		uint64_t *parent = path[level + 1];

		parent[pgt_index(iova, level + 1)] = 0;
		--*pgt_count(parent);
		pgt_table_free(pt, path[level]);
		if (st) {
			st->entries_written[level + 1]++;
			st->tables_freed++;
		}
	}
}

int uvf_pgtable_translate(const struct uvf_pgtable *pt, uvf_iova_t iova,
			  uint64_t *paddr, int *prot, uint64_t *leaf_size)
{
	const struct pgt_format *f = pt->fmt;
	const uint64_t *t = pt->root;
	unsigned int level = f->info.levels;
	int p = UVF_PROT_RW;

	if (iova >> f->info.ias_bits)
		return -ERANGE;
	for (;;) {
		const struct pgt_level_desc *d = &f->lvl[level];
		uint64_t e = t[pgt_index(iova, level)];

		if (!(e & f->present))
			return -ENOENT;
		if (pgt_is(e, d->leaf)) {
			uint64_t off = (1ull << pgt_shift(level)) - 1;

			*paddr = (e & f->oa_mask & ~off) | (iova & off);
			*prot = p & pgt_leaf_prot(f, e);
			if (leaf_size)
				*leaf_size = off + 1;
			return 0;
		}
		/* Neither kind: the hardware would fault (reserved bits). */
		if (!pgt_is(e, d->table))
			return -ENOENT;
		p &= pgt_table_prot(f, e);
		t = pgt_table_ptr(f, e);
		level--;
	}
}

uint64_t *uvf_pgtable_debug_entry(struct uvf_pgtable *pt, uvf_iova_t iova,
				  unsigned int level)
{
	const struct pgt_format *f = pt->fmt;
	uint64_t *t = pt->root;
	unsigned int l;

	if (iova >> f->info.ias_bits || !level || level > f->info.levels)
		return NULL;
	for (l = f->info.levels; l > level; l--) {
		uint64_t e = t[pgt_index(iova, l)];

		if (!e || !pgt_is(e, f->lvl[l].table))
			return NULL;
		t = pgt_table_ptr(f, e);
	}
	return &t[pgt_index(iova, level)];
}

int uvf_pgtable_debug_leaf(const struct uvf_pgtable *pt, uvf_iova_t iova,
			   uint64_t *entry, unsigned int *level)
{
	const struct pgt_format *f = pt->fmt;
	const uint64_t *t = pt->root;
	unsigned int l;

	if (iova >> f->info.ias_bits)
		return -ERANGE;
	for (l = f->info.levels; l >= 1; l--) {
		uint64_t e = t[pgt_index(iova, l)];

		if (!e)
			return -ENOENT;
		if (pgt_is(e, f->lvl[l].leaf)) {
			*entry = e;
			*level = l;
			return 0;
		}
		t = pgt_table_ptr(f, e);
	}
	return -ENOENT;
}

void uvf_pgtable_debug_fail_alloc(struct uvf_pgtable *pt, int64_t after)
{
	pt->alloc_budget = after < 0 ? -1 : after;
}
