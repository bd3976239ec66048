/* SPDX-License-Identifier: MIT */
/*
 * Hardware dirty tracking on the model's tables: the walker sets a leaf's
 * dirty bit when a device writes through it, and software reads (and
 * clears) the bits a leaf at a time, as the kernel's read_and_clear_dirty
 * does: a large leaf reports every granule it maps.
 */
#include "pgtable_priv.h"

/* The entry that ends the walk of @iova (a leaf, or an empty or invalid
 * entry) and its level. */
static uint64_t *walk_end(struct uvf_pgtable *pt, uvf_iova_t iova,
			  unsigned int *level)
{
	const struct pgt_format *f = pt->fmt;
	uint64_t *t = pt->root;
	unsigned int l = f->info.levels;

	for (;; l--) {
		uint64_t *e = &t[pgt_index(iova, l)];

		if (l == 1 || !(*e & f->present) ||
		    pgt_is(*e, f->lvl[l].leaf) || !pgt_is(*e, f->lvl[l].table)) {
			*level = l;
			return e;
		}
		t = pgt_table_ptr(f, *e);
	}
}

static bool is_leaf(const struct pgt_format *f, uint64_t e, unsigned int l)
{
	return (e & f->present) && pgt_is(e, f->lvl[l].leaf);
}

int uvf_pgtable_set_dirty(struct uvf_pgtable *pt, uvf_iova_t iova)
{
	const struct pgt_format *f = pt->fmt;
	unsigned int level;
	uint64_t *e;

	if (!f->leaf_dirty)
		return -ENOTSUP;
	if (iova >> f->info.ias_bits)
		return -ERANGE;
	e = walk_end(pt, iova, &level);
	if (!is_leaf(f, *e, level))
		return -ENOENT;
	*e |= f->leaf_dirty;
	return 0;
}

int uvf_pgtable_read_dirty(struct uvf_pgtable *pt, uvf_iova_t iova,
			   uint64_t len, unsigned int granule_shift,
			   uint64_t *bitmap, bool clear)
{
	const struct pgt_format *f = pt->fmt;
	uint64_t granule = 1ull << (granule_shift & 63), last, a;
	int ret;

	if (!f->leaf_dirty)
		return -ENOTSUP;
	if (granule_shift < UVF_PAGE_SHIFT || granule_shift > 40 ||
	    !uvf_is_aligned(iova | len, granule))
		return -EINVAL;
	/* Also checks len != 0 and the input bits. */
	ret = uvf_pgt_check_range(f, iova, len, &last);
	if (ret)
		return ret;
	for (a = iova;;) {
		unsigned int level;
		uint64_t *e = walk_end(pt, a, &level);
		uint64_t size = 1ull << pgt_shift(level);
		uint64_t end = (a & ~(size - 1)) + size - 1;	/* of the entry */

		if (is_leaf(f, *e, level) && (*e & f->leaf_dirty)) {
			uint64_t g, stop = end < last ? end : last;

			for (g = a & ~(granule - 1); bitmap && g <= stop;
			     g += granule) {
				uint64_t bit = (g - iova) >> granule_shift;

				bitmap[bit / 64] |= 1ull << (bit % 64);
			}
			if (clear)
				*e &= ~f->leaf_dirty;
		}
		if (end >= last)
			return 0;
		a = end + 1;
	}
}
