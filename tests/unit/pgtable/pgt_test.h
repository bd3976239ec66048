/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the page-table tests, and the hardware encodings the
 * tests expect, written out from the specs / Linux driver macros on their
 * own rather than taken from the library's format tables.
 */
#ifndef UVF_PGT_TEST_H
#define UVF_PGT_TEST_H

#include <check.h>

#include <uvf/pgtable.h>
#include "pgtable/pgtable_priv.h"

/* An output address: aligned to 4 GiB, within every format's output bits. */
#define TEST_PA 0x123400000000ull

static inline struct uvf_pgtable *pt_new(int fmt)
{
	struct uvf_pgtable *pt = NULL;

	ck_assert_int_eq(uvf_pgtable_create((enum uvf_pgtable_format)fmt, &pt),
			 0);
	ck_assert_ptr_nonnull(pt);
	ck_assert_uint_eq(uvf_pgtable_table_pages(pt), 1);
	return pt;
}

static inline unsigned int pt_levels(const struct uvf_pgtable *pt)
{
	return uvf_pgtable_info(pt)->levels;
}

/* Address bits of an entry. */
static inline uint64_t expect_addr_mask(int fmt)
{
	return fmt == UVF_PGTABLE_ARM_LPAE_S1 ? 0x0000fffffffff000ull
					       : 0x000ffffffffff000ull;
}

/* The leaf the spec wants for @prot at @level (1 = 4 KiB). */
static inline uint64_t expect_leaf(int fmt, unsigned int level, uint64_t pa,
				   int prot)
{
	uint64_t v = pa;

	switch (fmt) {
	case UVF_PGTABLE_VTD_SL4:
	case UVF_PGTABLE_VTD_SL5:
		/* DMA_PTE_READ 1, DMA_PTE_WRITE 2, DMA_PTE_LARGE_PAGE 0x80 */
		if (prot & UVF_PROT_READ)
			v |= 0x1;
		if (prot & UVF_PROT_WRITE)
			v |= 0x2;
		if (level > 1)
			v |= 0x80;
		return v;
	case UVF_PGTABLE_AMD_V1:
		/* PR bit 0, next level 0 (leaf), FC 60, IR 61, IW 62 */
		v |= 0x1 | (1ull << 60);
		if (prot & UVF_PROT_READ)
			v |= 1ull << 61;
		if (prot & UVF_PROT_WRITE)
			v |= 1ull << 62;
		return v;
	default:
		/* type page 3 / block 1, ATTRINDX 1 (<< 2), AP_UNPRIV 0x40,
		 * AP_RDONLY 0x80, SH_IS 0x300, AF 0x400, nG 0x800 */
		v |= level == 1 ? 0x3 : 0x1;
		v |= (1 << 2) | 0x40 | 0x300 | 0x400 | 0x800;
		if (!(prot & UVF_PROT_WRITE))
			v |= 0x80;
		return v;
	}
}

/* The entry at @level that points to the table at @table. */
static inline uint64_t expect_table(int fmt, unsigned int level,
				    uint64_t table)
{
	switch (fmt) {
	case UVF_PGTABLE_VTD_SL4:
	case UVF_PGTABLE_VTD_SL5:
		return table | 0x3;	/* READ | WRITE */
	case UVF_PGTABLE_AMD_V1:
		/* PM_LEVEL_PDE: PR | IR | IW | next level in bits 11:9 */
		return table | 0x1 | (1ull << 61) | (1ull << 62) |
		       ((uint64_t)(level - 1) << 9);
	default:
		return table | 0x3;	/* ARM_LPAE_PTE_TYPE_TABLE */
	}
}

/* What the hardware grants for a leaf written with @prot. */
static inline int expect_prot(int fmt, int prot)
{
	if (fmt == UVF_PGTABLE_ARM_LPAE_S1 && (prot & UVF_PROT_WRITE))
		return UVF_PROT_RW;
	return prot;
}

/* Checks the table entries on the path of @iova down to the leaf level. */
static inline void check_path_encoding(struct uvf_pgtable *pt, int fmt,
				       uvf_iova_t iova, unsigned int leaf_level)
{
	unsigned int l;
	uint64_t *e = uvf_pgtable_debug_entry(pt, iova, pt_levels(pt));

	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq((uintptr_t)e & ~0xfffull, uvf_pgtable_root(pt));
	for (l = pt_levels(pt); l > leaf_level; l--) {
		uint64_t *next = uvf_pgtable_debug_entry(pt, iova, l - 1);
		uint64_t table = (uintptr_t)next & ~0xfffull;

		e = uvf_pgtable_debug_entry(pt, iova, l);
		ck_assert_ptr_nonnull(next);
		ck_assert_uint_eq(*e, expect_table(fmt, l, table));
		ck_assert_uint_eq(table & ~expect_addr_mask(fmt), 0);
	}
}

static inline void check_unmapped(const struct uvf_pgtable *pt,
				  uvf_iova_t iova)
{
	uint64_t pa;
	int prot;

	ck_assert_int_eq(uvf_pgtable_translate(pt, iova, &pa, &prot, NULL),
			 -ENOENT);
}

static inline void check_maps(const struct uvf_pgtable *pt, uvf_iova_t iova,
			      uint64_t pa, int prot, uint64_t leaf_size)
{
	uint64_t got_pa = 0, got_size = 0;
	int got_prot = 0;

	ck_assert_int_eq(uvf_pgtable_translate(pt, iova, &got_pa, &got_prot,
					       &got_size), 0);
	ck_assert_uint_eq(got_pa, pa);
	ck_assert_int_eq(got_prot, prot);
	if (leaf_size)
		ck_assert_uint_eq(got_size, leaf_size);
}

/* FNV-1a over every entry of every table, in walk order: equal digests
 * (and page counts) mean a failed call left the tables as they were. */
static inline uint64_t digest_table(const struct pgt_format *f,
				    const uint64_t *t, unsigned int level,
				    uint64_t h)
{
	unsigned int i;

	for (i = 0; i < PGT_ENTRIES; i++) {
		uint64_t e = t[i];

		h = (h ^ e) * 0x100000001b3ull;
		if (e && !pgt_is(e, f->lvl[level].leaf))
			h = digest_table(f, pgt_table_ptr(f, e), level - 1, h);
	}
	return h;
}

static inline uint64_t pt_digest(const struct uvf_pgtable *pt)
{
	const struct pgt_format *f = pt->fmt;

	return digest_table(f, (const uint64_t *)(uintptr_t)
			    uvf_pgtable_root(pt), f->info.levels,
			    0xcbf29ce484222325ull ^
			    uvf_pgtable_table_pages(pt));
}

#endif
