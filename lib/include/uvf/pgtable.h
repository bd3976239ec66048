/* SPDX-License-Identifier: MIT */
/*
 * I/O page tables in the real hardware formats, as the IOMMU's
 * hardware-specific layer writes them: Intel VT-d second-level (4-level
 * 48-bit, 5-level 57-bit), AMD-Vi v1, ARM LPAE stage 1 (4 KiB granule, as
 * SMMUv3 uses it). Each format is one description table; one walker serves
 * all of them.
 *
 * In the software model an output address ("physical address") is a host
 * virtual address: the process's memory stands in for system RAM. Table
 * pages are pointed to by their host address in the same way.
 *
 * A page table is not locked internally: the owner (an IOMMU domain)
 * serialises writers and readers.
 */
#ifndef UVF_PGTABLE_H
#define UVF_PGTABLE_H

#include <stdio.h>

#include <uvf/types.h>

enum uvf_pgtable_format {
	UVF_PGTABLE_VTD_SL4,	/* VT-d second level, 4 levels, 48-bit IOVA */
	UVF_PGTABLE_VTD_SL5,	/* VT-d second level, 5 levels, 57-bit IOVA */
	UVF_PGTABLE_AMD_V1,	/* AMD-Vi v1, 4 levels (mode 4), 48-bit IOVA */
	UVF_PGTABLE_ARM_LPAE_S1,/* ARM LPAE stage 1, 4K granule, 48-bit IOVA */
	UVF_PGTABLE_NR_FORMATS,
};

struct uvf_pgtable_info {
	const char *name;	 /* "vtd-sl4", "vtd-sl5", "amd-v1", "arm-lpae-s1" */
	unsigned int levels;
	unsigned int ias_bits;	 /* input (IOVA) address bits */
	unsigned int oas_bits;	 /* output address bits an entry can hold */
	uint64_t pgsize_bitmap;	 /* leaf sizes: 4K | 2M | 1G */
	/* Stage-1 ARM cannot express write-only: a writable leaf is also
	 * readable. VT-d and AMD keep read and write separate. */
	bool write_implies_read;
};

/* What one map or unmap did, for tracing (UVF_TRACE) and tests.
 * Levels are numbered like the hardware's: 1 is the leaf level of 4 KiB
 * pages, 2 holds 2 MiB leaves, 3 holds 1 GiB leaves (ARM numbers the same
 * levels 3, 2, 1). entries_written counts every entry stored, set or
 * cleared, table entries included; a split counts its 512 new entries and
 * the entry it replaces. leaf_bytes counts the bytes mapped (unmapped) by
 * leaves of each size; an unmap counts them at the size they had when
 * removed, after any split. A call that fails reports all zero. */
struct uvf_pgtable_op_stats {
	unsigned int entries_written[6]; /* by level, index 1..5 */
	unsigned int tables_allocated;
	unsigned int tables_freed;
	uint64_t leaf_bytes[4];		 /* by level 1..3: 4K, 2M, 1G leaves */
};

struct uvf_pgtable;

/**
 * uvf_pgtable_format_info() - describe a format
 * @fmt: format
 *
 * Return: the format's description, or NULL for an unknown format.
 */
const struct uvf_pgtable_info *
uvf_pgtable_format_info(enum uvf_pgtable_format fmt);

/**
 * uvf_pgtable_format_by_name() - look a format up by its name
 * @name: "vtd-sl4", "vtd-sl5", "amd-v1" or "arm-lpae-s1"
 *
 * Return: the format, or -EINVAL for an unknown name.
 */
int uvf_pgtable_format_by_name(const char *name);

/**
 * uvf_pgtable_create() - allocate an empty page table (root table only)
 * @fmt: format
 * @out: the new table
 *
 * Return: 0, -EINVAL (unknown format), -ENOMEM.
 */
int uvf_pgtable_create(enum uvf_pgtable_format fmt, struct uvf_pgtable **out);

/**
 * uvf_pgtable_destroy() - free a page table and every table below it
 * @pt: table, may be NULL
 *
 * Return: nothing.
 */
void uvf_pgtable_destroy(struct uvf_pgtable *pt);

/**
 * uvf_pgtable_info() - description of the format of @pt
 * @pt: table
 *
 * Return: the format description.
 */
const struct uvf_pgtable_info *uvf_pgtable_info(const struct uvf_pgtable *pt);

/**
 * uvf_pgtable_root() - address of the root table, as a hardware context
 *                      entry would hold it
 * @pt: table
 *
 * Return: the root table's address.
 */
uint64_t uvf_pgtable_root(const struct uvf_pgtable *pt);

/**
 * uvf_pgtable_map() - map [@iova, @iova + @len) to [@paddr, @paddr + @len)
 * @pt: table
 * @iova: first IOVA, 4 KiB aligned
 * @paddr: first output address, 4 KiB aligned
 * @len: bytes, a non-zero multiple of 4 KiB
 * @prot: UVF_PROT_READ and/or UVF_PROT_WRITE, at least one
 * @pgsizes: leaf sizes allowed (subset of the format's pgsize_bitmap);
 *           0 means all. The largest leaf that both addresses' alignment
 *           and the remaining length allow is used.
 * @st: filled with what was written, may be NULL
 *
 * All or nothing: on failure no entry is left written and no table is left
 * allocated. When @pgsizes leaves out 4 KiB, @iova, @paddr and @len must be
 * multiples of the smallest size it allows.
 *
 * Return: 0, -EINVAL (zero/unaligned length or address, bad @prot or
 * @pgsizes), -EOVERFLOW (@iova + @len or @paddr + @len wraps), -ERANGE
 * (beyond the format's input address bits, or @paddr + @len beyond its
 * output address bits), -EEXIST (some page of the range is already
 * mapped), -ENOMEM.
 */
int uvf_pgtable_map(struct uvf_pgtable *pt, uvf_iova_t iova, uint64_t paddr,
		    uint64_t len, int prot, uint64_t pgsizes,
		    struct uvf_pgtable_op_stats *st);

/**
 * uvf_pgtable_unmap() - remove the translations of [@iova, @iova + @len)
 * @pt: table
 * @iova: first IOVA, 4 KiB aligned
 * @len: bytes, a non-zero multiple of 4 KiB
 * @st: filled with what was written, may be NULL
 *
 * Every page of the range must be mapped, or nothing is unmapped. A large
 * leaf only partly covered by the range is split first. Intermediate tables
 * left empty are freed.
 *
 * Return: 0, -EINVAL, -EOVERFLOW, -ERANGE (as for map), -ENOENT (some page
 * of the range is not mapped; nothing changed), -ENOMEM (a split needed a
 * table that could not be allocated; nothing changed).
 */
int uvf_pgtable_unmap(struct uvf_pgtable *pt, uvf_iova_t iova, uint64_t len,
		      struct uvf_pgtable_op_stats *st);

/**
 * uvf_pgtable_translate() - walk the table for one IOVA, as hardware does
 * @pt: table
 * @iova: any IOVA (no alignment needed)
 * @paddr: output address of @iova itself (not of the page)
 * @prot: permissions the hardware would grant, after the format's rules
 *        (for example write implies read on ARM stage 1; table entries on
 *        the path can take rights away)
 * @leaf_size: size of the leaf that maps it (4K, 2M or 1G), may be NULL
 *
 * Return: 0, -ERANGE (beyond the input address bits), -ENOENT (not mapped).
 */
int uvf_pgtable_translate(const struct uvf_pgtable *pt, uvf_iova_t iova,
			  uint64_t *paddr, int *prot, uint64_t *leaf_size);

/**
 * uvf_pgtable_set_dirty() - mark the leaf that maps @iova dirty, as the
 *                           hardware does on a device write
 * @pt: table
 * @iova: any IOVA (no alignment needed)
 *
 * Return: 0, -ENOTSUP (the format has no dirty bit: ARM LPAE here),
 * -ERANGE (beyond the input address bits), -ENOENT (not mapped).
 */
int uvf_pgtable_set_dirty(struct uvf_pgtable *pt, uvf_iova_t iova);

/**
 * uvf_pgtable_read_dirty() - which granules of a range have a dirty leaf
 * @pt: table
 * @iova: first IOVA, aligned to the granule
 * @len: bytes, a non-zero multiple of the granule
 * @granule_shift: log2 of the granule, 12 to 40
 * @bitmap: bit i (of 64-bit words) is set for granule @iova + i granules
 *	when a dirty leaf maps any of it; bits are only set, never cleared.
 *	NULL only clears.
 * @clear: clear the dirty bits read
 *
 * A dirty large leaf reports every granule of it inside the range, and
 * @clear clears it as a whole, like the kernel's read_and_clear_dirty.
 *
 * Return: 0, -ENOTSUP (no dirty bit in the format), -EINVAL (bad
 * granule, alignment or length), -EOVERFLOW, -ERANGE.
 */
int uvf_pgtable_read_dirty(struct uvf_pgtable *pt, uvf_iova_t iova,
			   uint64_t len, unsigned int granule_shift,
			   uint64_t *bitmap, bool clear);

/**
 * uvf_pgtable_table_pages() - number of table pages currently allocated,
 *                             the root included
 * @pt: table
 *
 * Return: the count.
 */
uint64_t uvf_pgtable_table_pages(const struct uvf_pgtable *pt);

/* The three drawings of a page table (uvf_pgtable_dump()) or of a
 * domain (uvf_domain_dump()). */
enum uvf_dump_form {
	UVF_DUMP_TEXT,	/* indented tree, one line per entry or run */
	UVF_DUMP_DOT,	/* Graphviz: one node per table page */
	UVF_DUMP_JSON,	/* one JSON document */
	UVF_DUMP_NR_FORMS,
};

/* An IOVA range to point out in a drawing: a firmware direct region
 * ("direct"), a reserved region (its uvf_resv_type_name()), pages in the
 * IOTLB ("iotlb"). Entries whose IOVA range overlaps it carry @what. */
struct uvf_pgtable_mark {
	uvf_iova_t first;
	uvf_iova_t last;	/* inclusive */
	const char *what;
};

/**
 * uvf_dump_form_by_name() - look a drawing form up by its name
 * @name: "text", "dot" or "json"
 *
 * Return: the form, or -EINVAL for NULL or an unknown name.
 */
int uvf_dump_form_by_name(const char *name);

/**
 * uvf_pgtable_dump() - draw a page table as the hardware sees it
 * @pt: table
 * @form: text, DOT or JSON
 * @marks: ranges to point out, may be NULL when @nmarks is 0; at most 16
 *         different @what strings
 * @nmarks: entries in @marks
 * @out: where the drawing goes
 *
 * Every present entry is shown with its level (1 holds 4 KiB leaves, as in
 * the rest of this header, whatever the hardware calls it), index, raw
 * value, kind (table, leaf, or bad for a present entry the walker would
 * fault on), permissions, leaf size, output address and the IOVA range it
 * covers. Runs of leaves that differ only in an output address advancing
 * by the leaf size, with the same marks, are folded into one line (text,
 * DOT) or one object with a count (JSON). Empty entries are left out. The
 * marks are listed in a legend as well, so regions that map nothing
 * (an MSI window) are shown too.
 *
 * Return: 0; -EINVAL (NULL @pt or @out, unknown @form, @marks NULL with
 * @nmarks set, more than 16 kinds of mark); -ENOMEM; -EIO (writing to @out
 * failed). Nothing is changed in @pt.
 */
int uvf_pgtable_dump(const struct uvf_pgtable *pt, enum uvf_dump_form form,
		     const struct uvf_pgtable_mark *marks, size_t nmarks,
		     FILE *out);

#endif
