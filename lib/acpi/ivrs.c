/* SPDX-License-Identifier: MIT */
/*
 * AMD IVRS (AMD I/O Virtualization Technology spec, 48882): I/O
 * Virtualization Memory Definition blocks.
 *
 *   IVRS fixed part (48 bytes): header, IVinfo u32, 8 reserved bytes; then
 *     blocks, each starting with type u8, flags u8, length u16.
 *   IVHD (types 0x10: 24 bytes, 0x11 and 0x40: 40 bytes, + device entries)
 *     describe IOMMUs; skipped by their length.
 *   IVMD (types 0x20 all devices, 0x21 one device, 0x22 device range;
 *     32 bytes): device ID u16 at 4, auxiliary data u16 at 6 (the last
 *     device ID for type 0x22), PCI segment u16 at 8, start u64 at 16,
 *     length u64 at 24.
 */
#include "table.h"

#define IVRS_BLOCK_HDR_LEN 4u

#define IVHD_TYPE_10 0x10u
#define IVHD_TYPE_11 0x11u
#define IVHD_TYPE_40 0x40u
#define IVHD_10_LEN 24u
#define IVHD_11_LEN 40u

#define IVMD_TYPE_ALL 0x20u
#define IVMD_TYPE_ONE 0x21u
#define IVMD_TYPE_RANGE 0x22u
#define IVMD_LEN 32u

#define IVMD_FLAG_UNITY 0x01u
#define IVMD_FLAG_IR 0x02u
#define IVMD_FLAG_IW 0x04u
#define IVMD_FLAG_EXCL_RANGE 0x08u

#define IVMD_PAGE_MASK 0xfffull

static uint16_t ivrs_min_len(uint8_t type)
{
	switch (type) {
	case IVHD_TYPE_10:
		return IVHD_10_LEN;
	case IVHD_TYPE_11:
	case IVHD_TYPE_40:
		return IVHD_11_LEN;
	case IVMD_TYPE_ALL:
	case IVMD_TYPE_ONE:
	case IVMD_TYPE_RANGE:
		return IVMD_LEN;
	default:
		/* Block types added by later revisions: skip by length. */
		return IVRS_BLOCK_HDR_LEN;
	}
}

static int ivmd(const uint8_t *b, struct acpi_collect *c)
{
	uint8_t type = b[0], flags = b[1];
	uint16_t devid = acpi_get16(b + 4), aux = acpi_get16(b + 6);
	uint64_t start = acpi_get64(b + 16), len = acpi_get64(b + 24), last;
	struct uvf_direct_region r = {
		.source = UVF_DIRECT_IVRS_IVMD,
		/* Bytes 8-9 were reserved (must be zero) before the spec
		 * added multi-segment support, so this reads 0 on older
		 * firmware; Linux reads it the same way. */
		.segment = acpi_get16(b + 8),
		.relaxable = false,
	};

	/* Linux acts only on unity-map and exclusion-range blocks. */
	if (!(flags & (IVMD_FLAG_UNITY | IVMD_FLAG_EXCL_RANGE)))
		return 0;

	switch (type) {
	case IVMD_TYPE_ALL:
		r.rid_first = 0;
		r.rid_last = UINT16_MAX;
		break;
	case IVMD_TYPE_ONE:
		r.rid_first = r.rid_last = devid;
		break;
	default:
		if (aux < devid)
			return uvf_acpi_skip(c, "IVRS IVMD (first, last "
					     "device)", devid, aux, "inverted");
		r.rid_first = devid;
		r.rid_last = aux;
		break;
	}

	if (!len || __builtin_add_overflow(start, len - 1, &last))
		return uvf_acpi_skip(c, "IVRS IVMD (start, length)", start,
				     len, len ? "past the end of memory"
					      : "empty");
	/*
	 * Shipping firmware declares lengths that are not page multiples
	 * (0x22 bytes, say). Mappings are per page, so cover every page the
	 * block touches; Linux rounds the start up instead, which can leave
	 * the first bytes unmapped.
	 */
	r.first = start & ~IVMD_PAGE_MASK;
	r.last = last | IVMD_PAGE_MASK;

	/*
	 * Linux treats exclusion ranges as read/write unity mappings: an
	 * exclusion range in the IOMMU is one register per IOMMU, so several
	 * of them in a table cannot all be honoured.
	 */
	if (flags & IVMD_FLAG_EXCL_RANGE)
		r.prot = UVF_PROT_RW;
	else
		r.prot = (flags & IVMD_FLAG_IR ? UVF_PROT_READ : 0) |
			 (flags & IVMD_FLAG_IW ? UVF_PROT_WRITE : 0);

	return uvf_acpi_collect_add(c, &r);
}

int uvf_acpi_ivrs_collect(const struct acpi_table *t, struct acpi_collect *c)
{
	uint32_t off;
	int ret;

	for (off = IVRS_FIXED_LEN; off < t->len; ) {
		const uint8_t *b = t->p + off;
		uint16_t len;

		if (t->len - off < IVRS_BLOCK_HDR_LEN)
			return -EINVAL;
		len = acpi_get16(b + 2);
		if (len < ivrs_min_len(b[0]) || len > t->len - off)
			return -EINVAL;
		if (b[0] == IVMD_TYPE_ALL || b[0] == IVMD_TYPE_ONE ||
		    b[0] == IVMD_TYPE_RANGE) {
			ret = ivmd(b, c);
			if (ret)
				return ret;
		}
		off += len;
	}
	return 0;
}
