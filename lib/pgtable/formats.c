/* SPDX-License-Identifier: MIT */
/*
 * The hardware formats, one description table each. Bit names follow the
 * Linux drivers: drivers/iommu/intel/iommu.h (second-level tables),
 * drivers/iommu/amd/amd_iommu_types.h + io_pgtable.c (v1 tables) and
 * drivers/iommu/io-pgtable-arm.c (LPAE stage 1, 4 KiB granule).
 */
#include <string.h>

#include "pgtable_priv.h"

#define SZ_ALL (UVF_PAGE_SIZE | UVF_SZ_2M | UVF_SZ_1G)
#define ADDR_51_12 0x000ffffffffff000ull
#define ADDR_47_12 0x0000fffffffff000ull

/*
 * VT-d second level. An entry is present when R or W is set; table entries
 * carry R|W (Linux: pfn_to_dma_pte) and the walker ANDs permissions over
 * the levels. PS (bit 7) makes a 2 MiB / 1 GiB leaf at levels 2 / 3 and is
 * reserved at levels 4 and 5; bit 7 of a level-1 entry is ignored.
 * Assumes CAP.SLLPS reports both large sizes.
 */
#define VTD_R (1ull << 0)	/* DMA_PTE_READ */
#define VTD_W (1ull << 1)	/* DMA_PTE_WRITE */
#define VTD_PS (1ull << 7)	/* DMA_PTE_LARGE_PAGE */
#define VTD_D (1ull << 9)	/* DMA_SL_PTE_DIRTY (ECAP.SLADS) */

#define VTD_PTE { .leaf = { 0, 0 }, .table = PGT_NEVER }
#define VTD_PDE { .leaf = { VTD_PS, VTD_PS }, .table = { VTD_PS, 0 }, \
		  .leaf_bits = VTD_PS, .table_bits = VTD_R | VTD_W }
#define VTD_DIR { .leaf = PGT_NEVER, .table = { VTD_PS, 0 }, \
		  .table_bits = VTD_R | VTD_W }

#define VTD_COMMON					\
	.oa_mask = ADDR_51_12,				\
	.present = VTD_R | VTD_W,			\
	.leaf_read = VTD_R,				\
	.leaf_write = VTD_W,				\
	.leaf_dirty = VTD_D,				\
	.leaf_r = { VTD_R, VTD_R },			\
	.leaf_w = { VTD_W, VTD_W },			\
	.table_r = { VTD_R, VTD_R },			\
	.table_w = { VTD_W, VTD_W }

/*
 * AMD-Vi v1. PR (bit 0) is present; Next Level (bits 11:9, PM_LEVEL_ENC)
 * holds the level of the table pointed to, 0 marks a leaf at any level
 * (2 MiB at level 2, 1 GiB at level 3). Table entries carry IR|IW
 * (PM_LEVEL_PDE), leaves PR|FC plus IR/IW as asked (iommu_v1_map_pages).
 * Level skipping and Next Level 7 (non-default page sizes) are never
 * written, and the walker here faults on them.
 */
#define AMD_PR (1ull << 0)	/* IOMMU_PTE_PR */
#define AMD_HD (1ull << 6)	/* IOMMU_PTE_HD: host dirty */
#define AMD_NL(x) ((uint64_t)(x) << 9) /* PM_LEVEL_ENC */
#define AMD_NL_MASK AMD_NL(7)
#define AMD_FC (1ull << 60)	/* IOMMU_PTE_FC: force coherent */
#define AMD_IR (1ull << 61)	/* IOMMU_PTE_IR */
#define AMD_IW (1ull << 62)	/* IOMMU_PTE_IW */

#define AMD_PTE { .leaf = { AMD_NL_MASK, 0 }, .table = PGT_NEVER, \
		  .leaf_bits = AMD_PR | AMD_FC }
#define AMD_PDE(l) { .leaf = { AMD_NL_MASK, 0 },			\
		     .table = { AMD_NL_MASK, AMD_NL((l) - 1) },		\
		     .leaf_bits = AMD_PR | AMD_FC,			\
		     .table_bits = AMD_PR | AMD_IR | AMD_IW | AMD_NL((l) - 1) }
#define AMD_DIR(l) { .leaf = PGT_NEVER,					\
		     .table = { AMD_NL_MASK, AMD_NL((l) - 1) },		\
		     .table_bits = AMD_PR | AMD_IR | AMD_IW | AMD_NL((l) - 1) }

/*
 * ARM LPAE stage 1, 4 KiB granule, TTBR0 (IOVA bits 63:48 zero). Bits 1:0
 * are the type: 3 = table at ARM levels 0-2 and page at level 3, 1 = block
 * at levels 1-2. Leaves are what Linux's arm_lpae_prot_to_pte() writes for
 * a coherent (IOMMU_CACHE) unprivileged mapping: nG, AP_UNPRIV, ATTRINDX of
 * the write-back MAIR slot, inner shareable, AF; read-only adds AP_RDONLY.
 * Stage 1 has no write-only: a writable leaf is readable too.
 *
 * The walker treats a device access as unprivileged (a PCIe request
 * without a PASID privilege bit), so a leaf grants read when AP[1]
 * (AP_UNPRIV) is set and write when AP[2] (AP_RDONLY) is clear as well,
 * and a table entry's APTable bits (62: no write, 61: no EL0 access) take
 * rights away from everything below it. A leaf without AF would raise an
 * access-flag fault, so it does not count as a leaf. Dirty state (DBM with
 * AP[2] as the clean flag) would change the permission encoding and is
 * not modelled: the format has no dirty bit here.
 */
#define ARM_TYPE_MASK 3ull
#define ARM_TYPE_BLOCK 1ull	/* ARM_LPAE_PTE_TYPE_BLOCK */
#define ARM_TYPE_TABLE 3ull	/* ARM_LPAE_PTE_TYPE_TABLE */
#define ARM_TYPE_PAGE 3ull	/* ARM_LPAE_PTE_TYPE_PAGE */
#define ARM_VALID 1ull		/* ARM_LPAE_PTE_VALID */
#define ARM_ATTRINDX(n) ((uint64_t)(n) << 2)
#define ARM_MAIR_IDX_CACHE 1	/* ARM_LPAE_MAIR_ATTR_IDX_CACHE */
#define ARM_AP_UNPRIV (1ull << 6)
#define ARM_AP_RDONLY (2ull << 6)
#define ARM_SH_IS (3ull << 8)
#define ARM_AF (1ull << 10)
#define ARM_NG (1ull << 11)
#define ARM_APTABLE_NO_EL0 (1ull << 61)
#define ARM_APTABLE_RDONLY (1ull << 62)

#define ARM_LEAF_ATTRS (ARM_NG | ARM_AP_UNPRIV | ARM_SH_IS | ARM_AF | \
			ARM_ATTRINDX(ARM_MAIR_IDX_CACHE))

#define ARM_L3 { .leaf = { ARM_TYPE_MASK | ARM_AF, ARM_TYPE_PAGE | ARM_AF }, \
		 .table = PGT_NEVER,					\
		 .leaf_bits = ARM_TYPE_PAGE | ARM_LEAF_ATTRS }
#define ARM_L12 { .leaf = { ARM_TYPE_MASK | ARM_AF, ARM_TYPE_BLOCK | ARM_AF }, \
		  .table = { ARM_TYPE_MASK, ARM_TYPE_TABLE },		\
		  .leaf_bits = ARM_TYPE_BLOCK | ARM_LEAF_ATTRS,		\
		  .table_bits = ARM_TYPE_TABLE }
#define ARM_L0 { .leaf = PGT_NEVER,					\
		 .table = { ARM_TYPE_MASK, ARM_TYPE_TABLE },		\
		 .table_bits = ARM_TYPE_TABLE }

#define INFO(n, l, ias, oas, wir) {					\
	.name = (n), .levels = (l), .ias_bits = (ias), .oas_bits = (oas),	\
	.pgsize_bitmap = SZ_ALL, .write_implies_read = (wir) }

static const struct pgt_format formats[UVF_PGTABLE_NR_FORMATS] = {
	[UVF_PGTABLE_VTD_SL4] = {
		.info = INFO("vtd-sl4", 4, 48, 52, false),
		VTD_COMMON,
		.lvl = { {}, VTD_PTE, VTD_PDE, VTD_PDE, VTD_DIR },
	},
	[UVF_PGTABLE_VTD_SL5] = {
		.info = INFO("vtd-sl5", 5, 57, 52, false),
		VTD_COMMON,
		.lvl = { {}, VTD_PTE, VTD_PDE, VTD_PDE, VTD_DIR, VTD_DIR },
	},
	[UVF_PGTABLE_AMD_V1] = {
		.info = INFO("amd-v1", 4, 48, 52, false),
		.oa_mask = ADDR_51_12,	/* PM_ADDR_MASK */
		.present = AMD_PR,
		.leaf_read = AMD_IR,
		.leaf_write = AMD_IW,
		.leaf_dirty = AMD_HD,
		.leaf_r = { AMD_IR, AMD_IR },
		.leaf_w = { AMD_IW, AMD_IW },
		.table_r = { AMD_IR, AMD_IR },
		.table_w = { AMD_IW, AMD_IW },
		.lvl = { {}, AMD_PTE, AMD_PDE(2), AMD_PDE(3), AMD_DIR(4) },
	},
	[UVF_PGTABLE_ARM_LPAE_S1] = {
		.info = INFO("arm-lpae-s1", 4, 48, 48, true),
		.oa_mask = ADDR_47_12,
		.present = ARM_VALID,
		.leaf_rdonly = ARM_AP_RDONLY,
		.leaf_r = { ARM_AP_UNPRIV, ARM_AP_UNPRIV },
		.leaf_w = { ARM_AP_UNPRIV | ARM_AP_RDONLY, ARM_AP_UNPRIV },
		.table_r = { ARM_APTABLE_NO_EL0, 0 },
		.table_w = { ARM_APTABLE_NO_EL0 | ARM_APTABLE_RDONLY, 0 },
		.lvl = { {}, ARM_L3, ARM_L12, ARM_L12, ARM_L0 },
	},
};

const struct pgt_format *uvf_pgt_format(enum uvf_pgtable_format fmt)
{
	if ((unsigned int)fmt >= UVF_PGTABLE_NR_FORMATS)
		return NULL;
	return &formats[fmt];
}

const struct uvf_pgtable_info *
uvf_pgtable_format_info(enum uvf_pgtable_format fmt)
{
	const struct pgt_format *f = uvf_pgt_format(fmt);

	return f ? &f->info : NULL;
}

int uvf_pgtable_format_by_name(const char *name)
{
	unsigned int i;

	for (i = 0; name && i < UVF_PGTABLE_NR_FORMATS; i++)
		if (!strcmp(formats[i].info.name, name))
			return (int)i;
	return -EINVAL;
}
