/* SPDX-License-Identifier: MIT */
/*
 * The generic unmapper. Cleared entries cannot be put back without saving
 * them, so a range is checked before anything is written: a check pass
 * proves every page is mapped and counts the tables that splitting the
 * partly covered large leaves at the two ends will need; those tables are
 * allocated up front; only then does the apply pass split and clear.
 * The common case, a range whose leaves sit in one run of one table, is
 * checked and cleared with a single walk.
 */
#include <string.h>

#include "pgtable_priv.h"

/* Most tables one unmap can need: at each end of the range, one per level
 * below the large leaf that covers that end. */
#define MAX_SPARES (2 * (PGT_MAX_LEVELS - 1))

/* Tables needed to split the leaf at @level mapping from @base so that its
 * part outside [first, last] stays mapped. Only the children holding a
 * boundary of the range need splitting again. */
static unsigned int split_cost(unsigned int level, uint64_t base,
			       uint64_t first, uint64_t last)
{
	uint64_t sub = 1ull << pgt_shift(level - 1);
	uint64_t end = base + (1ull << pgt_shift(level)) - 1;
	uint64_t lo = 1; /* never a child base: bases are page aligned */
	unsigned int n = 1;

	if (first > base && (first & (sub - 1))) {
		lo = first & ~(sub - 1);
		n += split_cost(level - 1, lo, first, last);
	}
	if (last < end && ((last + 1) & (sub - 1)) &&
	    (last & ~(sub - 1)) != lo)
		n += split_cost(level - 1, last & ~(sub - 1), first, last);
	return n;
}

/* Descend to the entry mapping @iova; NULL when it is not mapped. */
static uint64_t *walk_to_leaf(const struct uvf_pgtable *pt, uvf_iova_t iova,
			      pgt_path_t path, unsigned int *level)
{
	const struct pgt_format *f = pt->fmt;
	unsigned int l = f->info.levels;
	uint64_t *t = pt->root;

	for (;;) {
		uint64_t *e = &t[pgt_index(iova, l)];

		path[l] = t;
		if (!*e)
			return NULL;
		if (pgt_is(*e, f->lvl[l].leaf)) {
			*level = l;
			return e;
		}
		t = pgt_table_ptr(f, *e);
		l--;
	}
}

/* Whole leaves of @level from @cur on, up to the end of the table and no
 * further than @last. */
static uint64_t run_length(unsigned int level, uvf_iova_t cur,
			   uvf_iova_t last)
{
	uint64_t max = PGT_ENTRIES - pgt_index(cur, level);
	uint64_t whole = (last - cur + 1) >> pgt_shift(level);

	return whole < max ? whole : max;
}

/* Whether the leaf of @level at @cur lies inside [cur, last], so that it
 * can go without a split. */
static bool leaf_is_whole(unsigned int level, uvf_iova_t cur, uvf_iova_t last)
{
	uint64_t size = 1ull << pgt_shift(level);

	return uvf_is_aligned(cur, size) && last - cur >= size - 1;
}

/* Clears @n leaves from @cur and frees the tables this empties, so that no
 * empty table outlives the call. */
static void clear_run(struct uvf_pgtable *pt, pgt_path_t path,
		      unsigned int level, uvf_iova_t cur, uint64_t n,
		      struct uvf_pgtable_op_stats *st)
{
	uint64_t *t = path[level];

	memset(&t[pgt_index(cur, level)], 0, n * sizeof(*t));
	*pgt_count(t) -= (uint16_t)n;
	if (st) {
		st->entries_written[level] += (unsigned int)n;
		st->leaf_bytes[level] += n << pgt_shift(level);
	}
	uvf_pgt_prune(pt, path, cur, level, st);
}

/* The single-walk case: every page of [first, last] is in one run of whole
 * leaves in one table. Returns false, having changed nothing, otherwise. */
static bool unmap_one_run(struct uvf_pgtable *pt, uvf_iova_t first,
			  uvf_iova_t last, struct uvf_pgtable_op_stats *st)
{
	const struct pgt_format *f = pt->fmt;
	pgt_path_t path;
	unsigned int level;
	uint64_t *e = walk_to_leaf(pt, first, path, &level);
	uint64_t n, k;

	if (!e || !leaf_is_whole(level, first, last))
		return false;
	n = run_length(level, first, last);
	if (first + (n << pgt_shift(level)) - 1 != last)
		return false;
	for (k = 1; k < n; k++)
		if (!e[k] || !pgt_is(e[k], f->lvl[level].leaf))
			return false;
	clear_run(pt, path, level, first, n, st);
	return true;
}

/* Pass 1: -ENOENT unless every page of [first, last] is mapped; counts in
 * @splits the tables the apply pass will need. */
static int unmap_check(const struct uvf_pgtable *pt, uvf_iova_t first,
		       uvf_iova_t last, unsigned int *splits)
{
	const struct pgt_format *f = pt->fmt;
	uvf_iova_t cur = first;
	pgt_path_t path;

	for (;;) {
		unsigned int level;
		uint64_t *e = walk_to_leaf(pt, cur, path, &level);
		uint64_t size, n, k;

		if (!e)
			return -ENOENT;
		size = 1ull << pgt_shift(level);
		if (!leaf_is_whole(level, cur, last)) {
			uint64_t base = cur & ~(size - 1);

			*splits += split_cost(level, base, first, last);
			if (last - base < size)
				return 0;
			cur = base + size;
			continue;
		}
		n = run_length(level, cur, last);
		for (k = 1; k < n; k++) {
			if (!e[k])
				return -ENOENT;
			if (!pgt_is(e[k], f->lvl[level].leaf))
				break;
		}
		if (last - cur < k * size)
			return 0;
		cur += k * size;
	}
}

/* A table of leaves one level down that maps what leaf @e mapped. */
static void split_leaf(const struct pgt_format *f, uint64_t *nt, uint64_t e,
		       unsigned int level, struct uvf_pgtable_op_stats *st)
{
	unsigned int child = level - 1, k;
	uint64_t step = 1ull << pgt_shift(child);
	uint64_t v = (e & f->oa_mask & ~((1ull << pgt_shift(level)) - 1)) |
		     pgt_leaf_bits(f, child, pgt_leaf_prot(f, e));

	for (k = 0; k < PGT_ENTRIES; k++, v += step)
		nt[k] = v;
	*pgt_count(nt) = PGT_ENTRIES;
	if (st) {
		st->entries_written[child] += PGT_ENTRIES;
		st->entries_written[level]++;
		st->tables_allocated++;
	}
}

/* Pass 2: split and clear. Every page of [first, last] is mapped and
 * @spares holds the tables the splits need. */
void uvf_pgt_unmap_apply(struct uvf_pgtable *pt, uvf_iova_t first,
			 uvf_iova_t last, uint64_t **spares,
			 unsigned int nspares, struct uvf_pgtable_op_stats *st)
{
	const struct pgt_format *f = pt->fmt;
	uvf_iova_t cur = first;

	for (;;) {
		unsigned int level = f->info.levels;
		uint64_t *t = pt->root, *e, n, k;
		pgt_path_t path;

		for (;;) {
			e = &t[pgt_index(cur, level)];
			path[level] = t;
			if (pgt_is(*e, f->lvl[level].leaf)) {
				uint64_t *nt;

				if (leaf_is_whole(level, cur, last))
					break;
				nt = spares[--nspares];
				split_leaf(f, nt, *e, level, st);
				*e = (uint64_t)(uintptr_t)nt |
				     f->lvl[level].table_bits;
			}
			t = pgt_table_ptr(f, *e);
			level--;
		}
		n = run_length(level, cur, last);
		for (k = 1; k < n && e[k] && pgt_is(e[k], f->lvl[level].leaf);)
			k++;
		clear_run(pt, path, level, cur, k, st);
		if (last - cur < k << pgt_shift(level))
			return;
		cur += k << pgt_shift(level);
	}
}

int uvf_pgtable_unmap(struct uvf_pgtable *pt, uvf_iova_t iova, uint64_t len,
		      struct uvf_pgtable_op_stats *st)
{
	uint64_t *spares[MAX_SPARES];
	unsigned int nspares = 0, i;
	uint64_t last;
	int ret;

	if (st)
		memset(st, 0, sizeof(*st));
	ret = uvf_pgt_check_range(pt->fmt, iova, len, &last);
	if (ret)
		return ret;
	if (unmap_one_run(pt, iova, last, st))
		return 0;
	ret = unmap_check(pt, iova, last, &nspares);
	if (ret)
		return ret;
	for (i = 0; i < nspares; i++) {
		spares[i] = pgt_table_alloc(pt);
		if (!spares[i]) {
			while (i--)
				pgt_table_free(pt, spares[i]);
			return -ENOMEM;
		}
	}
	uvf_pgt_unmap_apply(pt, iova, last, spares, nspares, st);
	return 0;
}
