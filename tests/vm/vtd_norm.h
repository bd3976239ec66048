/* SPDX-License-Identifier: MIT */
/*
 * The VT-d cross-check's common ground (vtd_seq.h): a page table drawn as
 * its structure only, the same from the real kernel's debugfs dump and from
 * the software model's uvf_domain_dump() text.
 *
 * One line per table entry and per run of leaves, in tree order (a table
 * entry, then what is below it):
 *
 *   L3 table iova 0x40000000-0x7fffffff rw
 *   L1 leaf 4K x3 iova 0x40000000-0x40002fff rw
 *
 * A run is leaves of one table and one level, IOVA after IOVA, with the same
 * rights (and the same snoop bit, " snp" when set). Output addresses are
 * left out: the guest's and the host's memory differ, nothing else should.
 *
 * What the kernel's domain_translation_struct (drivers/iommu/intel/
 * debugfs.c, Linux 6.12) shows: one line per leaf, its IOVA_PFN and the raw
 * entries on the walk to it (PML5E, PML4E, PDPE, then PDE and PTE only if
 * the walk goes that deep). Table entries are seen only on the way to a
 * leaf, so a table that holds no leaf is invisible there (the kernel keeps
 * a table an unmap leaves empty unless the unmap covered all of it; the
 * model frees it): both sides are drawn as tables that lead to a leaf.
 * The kernel's table depth follows the vIOMMU's aw-bits (39: 3 levels, 48:
 * 4); the model's vtd-sl4 always has 4, so it is drawn at the kernel's depth:
 * below a 3-level kernel its level-4 table must hold only entry 0.
 */
#ifndef UVF_TEST_VTD_NORM_H
#define UVF_TEST_VTD_NORM_H

#include <stddef.h>
#include <stdio.h>

/*
 * Draw the kernel's domain_translation_struct text @dump to @out. @depth
 * gets the table depth the entries show (3, 4 or 5; 0 when no leaf is
 * mapped). Returns 0, or -EINVAL for a dump that is not one (the reason,
 * with its line number, in @err).
 */
int vtd_norm_kernel(const char *dump, FILE *out, unsigned int *depth,
		    char *err, size_t errlen);

/*
 * Draw the model's uvf_domain_dump()/uvf_pgtable_dump() text @dump of a
 * vtd-sl4 or vtd-sl5 table to @out at @depth levels. Returns 0, or -EINVAL
 * (the reason in @err): not such a dump, a bad entry, or entries above
 * @depth other than the one table entry that leads to IOVA 0.
 */
int vtd_norm_model(const char *dump, unsigned int depth, FILE *out,
		   char *err, size_t errlen);

#endif
