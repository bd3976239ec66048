/* SPDX-License-Identifier: MIT */
/*
 * The generic mapper. The range is mapped in runs: one walk from the root
 * to the table that holds the run's leaves (allocating tables on the way),
 * then a tight loop that fills every leaf of the run in that table. A run
 * ends at the end of its table, which is also the next boundary at which a
 * larger leaf could start, so the leaf size is chosen again per run.
 *
 * All or nothing: a run that fails undoes its own writes and frees the
 * tables it left empty; earlier runs are then removed by the unmapper's
 * apply pass, which frees every table they emptied. Tables never stay
 * empty, so a table that existed before the call keeps an entry from
 * outside the range and survives the rollback.
 */
#include <string.h>

#include "pgtable_priv.h"

/* The level of the largest leaf in @sizes that @iova and @pa are both
 * aligned to and that fits in @rem. @sizes holds a size that always fits. */
static unsigned int leaf_level(uint64_t sizes, uint64_t iova, uint64_t pa,
			       uint64_t rem)
{
	uint64_t a = iova | pa;
	unsigned int top = 63 - (unsigned int)__builtin_clzll(rem);

	if (a)
		sizes &= ((a & -a) << 1) - 1;
	if (top < 63)
		sizes &= (2ull << top) - 1;
	return (63 - (unsigned int)__builtin_clzll(sizes) - 3) / 9;
}

static int map_run(struct uvf_pgtable *pt, uvf_iova_t iova, uint64_t pa,
		   uint64_t rem, int prot, uint64_t sizes,
		   struct uvf_pgtable_op_stats *st, uint64_t *mapped)
{
	const struct pgt_format *f = pt->fmt;
	unsigned int leaf = leaf_level(sizes, iova, pa, rem);
	unsigned int level = f->info.levels;
	unsigned int shift = pgt_shift(leaf), i;
	uint64_t *t = pt->root, *e, v, n, k;
	pgt_path_t path;
	int ret;

	path[level] = t;
	for (; level > leaf; level--) {
		e = &t[pgt_index(iova, level)];
		v = *e;
		if (!v) {
			uint64_t *nt = pgt_table_alloc(pt);

			if (!nt) {
				ret = -ENOMEM;
				goto fail;
			}
			*e = (uint64_t)(uintptr_t)nt | f->lvl[level].table_bits;
			++*pgt_count(t);
			if (st) {
				st->entries_written[level]++;
				st->tables_allocated++;
			}
			t = nt;
		} else if (pgt_is(v, f->lvl[level].table)) {
			t = pgt_table_ptr(f, v);
		} else {
			/* A larger leaf already maps part of the range. */
			ret = -EEXIST;
			goto fail;
		}
		path[level - 1] = t;
	}

	i = pgt_index(iova, leaf);
	n = rem >> shift;
	if (n > PGT_ENTRIES - i)
		n = PGT_ENTRIES - i;
	e = &t[i];
	v = pa | pgt_leaf_bits(f, leaf, prot);
	for (k = 0; k < n; k++, v += 1ull << shift) {
		/* A non-empty slot is a leaf or a (never empty) table:
		 * either way part of the range is mapped already. */
		if (e[k]) {
			memset(e, 0, k * sizeof(*e));
			ret = -EEXIST;
			goto fail;
		}
		e[k] = v;
	}
	*pgt_count(t) += (uint16_t)n;
	if (st) {
		st->entries_written[leaf] += (unsigned int)n;
		st->leaf_bytes[leaf] += n << shift;
	}
	*mapped = n << shift;
	return 0;

fail:
	uvf_pgt_prune(pt, path, iova, level, st);
	return ret;
}

static int check_map_args(const struct pgt_format *f, uvf_iova_t iova,
			  uint64_t paddr, uint64_t len, int prot,
			  uint64_t *sizes)
{
	uint64_t last, plast;
	int ret;

	if (!prot || (prot & ~UVF_PROT_RW))
		return -EINVAL;
	if (!*sizes)
		*sizes = f->info.pgsize_bitmap;
	if (*sizes & ~f->info.pgsize_bitmap)
		return -EINVAL;
	/* The greedy choice always finds a leaf when everything is a
	 * multiple of the smallest allowed size. */
	if (!uvf_is_aligned(iova | paddr | len, *sizes & -*sizes))
		return -EINVAL;
	ret = uvf_pgt_check_range(f, iova, len, &last);
	if (ret)
		return ret;
	if (uvf_range_last(paddr, len, &plast))
		return -EOVERFLOW;
	if (plast & ~(f->oa_mask | (UVF_PAGE_SIZE - 1)))
		return -ERANGE;
	return 0;
}

int uvf_pgtable_map(struct uvf_pgtable *pt, uvf_iova_t iova, uint64_t paddr,
		    uint64_t len, int prot, uint64_t pgsizes,
		    struct uvf_pgtable_op_stats *st)
{
	uint64_t done = 0, n = 0;
	int ret;

	if (st)
		memset(st, 0, sizeof(*st));
	ret = check_map_args(pt->fmt, iova, paddr, len, prot, &pgsizes);
	if (ret)
		return ret;
	while (done < len) {
		ret = map_run(pt, iova + done, paddr + done, len - done, prot,
			      pgsizes, st, &n);
		if (ret)
			break;
		done += n;
	}
	if (!ret)
		return 0;
	if (done)
		uvf_pgt_unmap_apply(pt, iova, iova + done - 1, NULL, 0, NULL);
	if (st)
		memset(st, 0, sizeof(*st));
	return ret;
}
