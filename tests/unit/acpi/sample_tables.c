/* SPDX-License-Identifier: MIT */
#include "sample_tables.h"

static const uint8_t usb_path[] = { 0x14, 0 };
static const uint8_t ehci_path[] = { 0x1a, 0 };
const uint8_t sample_behind_bridge_path[4] = { 0x1c, 0, 0x00, 0 };
static const uint8_t bridge_path[] = { 0x02, 0 };
static const uint8_t ioapic_path[] = { 0x1f, 0 };

/*
 * Segment 0: an RMRR for 00:14.0, 00:1a.0 and a device two hops down
 * (00:1c.0 -> 00.0). Segment 1: an RMRR for the sub-hierarchy under
 * 40:02.0 and an IOAPIC. Then an RMRR without scopes.
 */
void sample_dmar(struct tb *b)
{
	size_t s;

	dmar_begin(b);
	dmar_drhd_include_all(b, 0);
	s = dmar_rmrr_begin(b, 0, 0x7a000000, 0x7a0fffff);
	dmar_scope(b, 1, 0, usb_path, 1);
	dmar_scope(b, 1, 0, ehci_path, 1);
	dmar_scope(b, 1, 0, sample_behind_bridge_path, 2);
	dmar_end_struct(b, s);
	s = dmar_rmrr_begin(b, 1, 0x7b800000, 0x7b800fff);
	dmar_scope(b, 2, 0x40, bridge_path, 1);
	dmar_scope(b, 3, 0xf0, ioapic_path, 1);
	dmar_end_struct(b, s);
	s = dmar_rmrr_begin(b, 0, 0x7c000000, 0x7c000fff);
	dmar_end_struct(b, s);
	tb_finish(b);
}

void sample_ivrs(struct tb *b)
{
	ivrs_begin(b);
	ivrs_ivhd(b, 0x10, 0);
	ivrs_ivhd(b, 0x11, 0);
	ivrs_ivhd(b, 0x40, 0);
	ivrs_ivmd(b, 0x20, IVMD_UNITY | IVMD_IR | IVMD_IW, 0, 0, 0,
		  0xd0000000, 0x10000);
	ivrs_ivmd(b, 0x21, IVMD_UNITY | IVMD_IR, 0x00a0, 0, 0,
		  0xd1000000, 0x1000);
	ivrs_ivmd(b, 0x22, IVMD_EXCL, 0x0100, 0x01ff, 2, 0xd2000000, 0x22);
	/* neither unity nor exclusion: Linux ignores the block */
	ivrs_ivmd(b, 0x21, IVMD_IR | IVMD_IW, 0x00a8, 0, 0,
		  0xd4000000, 0x1000);
	ivrs_ivmd(b, 0x21, IVMD_UNITY, 0x00b0, 0, 0, 0xd5000000, 0x2000);
	/* a block type this parser does not know */
	tb_u8(b, 0x30);
	tb_u8(b, 0);
	tb_u16(b, 8);
	tb_u32(b, 0xdeadbeef);
	tb_cut_here(b);
	tb_finish(b);
}

/*
 * ITS, SMMUv3 A and B; root complex 0 sends RIDs 00:00.0-00:1f.7 to A at
 * stream 0x0, 01:00.0-01:1f.7 to A at 0x1000, RIDs from 0x10000 (not PCI)
 * to A at 0x3000, and 02:xx to B at 0x0. Root complex 3 sends every RID
 * to A at 0x20000 and, as a single mapping, to B at 0x5000.
 */
void sample_iort(struct tb *b, uint8_t revision, struct iort_layout *l)
{
	iort_begin(b, revision);
	l->its = iort_its(b);
	l->smmu_a = iort_smmuv3(b, (uint32_t)l->its);
	l->smmu_b = iort_smmuv3(b, (uint32_t)l->its);
	{
		const struct iort_map rc0[] = {
			{ 0x0000, 0xff, 0x0000, (uint32_t)l->smmu_a, 0 },
			{ 0x0100, 0xff, 0x1000, (uint32_t)l->smmu_a, 0 },
			{ 0x10000, 0xff, 0x3000, (uint32_t)l->smmu_a, 0 },
			{ 0x0200, 0xff, 0x0000, (uint32_t)l->smmu_b, 0 },
		};
		const struct iort_map rc3[] = {
			{ 0x0000, 0xffff, 0x20000, (uint32_t)l->smmu_a, 0 },
			{ 0x0000, 0, 0x5000, (uint32_t)l->smmu_b, IORT_SINGLE },
		};

		l->rc0 = iort_rc(b, 0, rc0, 4);
		l->rc3 = iort_rc(b, 3, rc3, 2);
	}
	{
		const struct iort_map m[] = {
			{ 0, 1, 0x1010, (uint32_t)l->smmu_a, 0 },
		};
		const struct rmr_desc d[] = {
			{ 0x80000000, 0x10000 },
			{ 0x80100000, 0x1000 },
		};
		uint32_t flags = RMR_REMAP_PERMITTED |
				 RMR_ATTR(RMR_ATTR_NORMAL_WB);

		l->rmr1 = iort_rmr(b, flags, m, 1, d, 2);
	}
	{
		const struct iort_map m[] = {
			/* single: input and count are ignored */
			{ 0x999, 7, 0x0005, (uint32_t)l->smmu_a, IORT_SINGLE },
			{ 0, 1, 0x7000, (uint32_t)l->smmu_a, 0 },
			{ 0, 3, 0x2fffe, (uint32_t)l->smmu_a, 0 },
			{ 0, 0, 0x3000, (uint32_t)l->smmu_a, 0 },
		};
		const struct rmr_desc d[] = { { 0x90000000, 0x2000 } };
		uint32_t flags = RMR_PRIVILEGED |
				 RMR_ATTR(RMR_ATTR_DEVICE_NGNRE);

		l->rmr2 = iort_rmr(b, flags, m, 4, d, 1);
	}
	{
		const struct iort_map m[] = {
			{ 0, 0, 0x40, (uint32_t)l->its, 0 },
		};
		const struct rmr_desc d[] = { { 0xa0000000, 0x1000 } };

		l->rmr3 = iort_rmr(b, 0, m, 1, d, 1);
	}
	{
		const struct iort_map m[] = {
			{ 0, 0, 0x5000, (uint32_t)l->smmu_b, 0 },
		};
		const struct rmr_desc d[] = { { 0xb0000000, 0x1000 } };

		l->rmr4 = iort_rmr(b, 0, m, 1, d, 1);
	}
	l->nodes = 9;
	iort_finish(b, l->nodes);
}
