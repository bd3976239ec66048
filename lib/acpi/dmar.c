/* SPDX-License-Identifier: MIT */
/*
 * Intel DMAR (VT-d spec, chapter 8): Reserved Memory Region Reporting
 * structures and their device scopes.
 *
 *   DMAR fixed part (48 bytes): header, host address width, flags,
 *     10 reserved bytes; then remapping structures, each starting with
 *     type (u16) and length (u16).
 *   RMRR (type 1, 24 bytes + device scopes): reserved u16, segment u16,
 *     base u64 (4 KiB aligned), limit u64 (inclusive, limit + 1 4 KiB
 *     aligned).
 *   Device scope: type u8, length u8, flags u8, reserved u8,
 *     enumeration ID u8, start bus u8, then (device u8, function u8) hops.
 */
#include "table.h"

#define DMAR_STRUCT_HDR_LEN 4u
#define DMAR_TYPE_RMRR 1u
#define DMAR_RMRR_LEN 24u

#define DMAR_SCOPE_HDR_LEN 6u
#define DMAR_SCOPE_PCI_ENDPOINT 1u
#define DMAR_SCOPE_PCI_SUB_HIERARCHY 2u

#define DMAR_PAGE_MASK 0xfffull

struct dmar_rmrr {
	uint16_t segment;
	uint64_t base;
	uint64_t end;
};

/*
 * A device scope names a PCI device by the bus it starts on and the
 * (device, function) hops through bridges below it. Only a one-hop path can
 * be turned into a requester ID without reading config space; longer ones
 * need the caller's resolver.
 */
static int dmar_scope(const uint8_t *s, uint8_t len, const struct dmar_rmrr *m,
		      uvf_acpi_path_resolver resolve, void *arg,
		      struct acpi_collect *c)
{
	uint8_t type = s[0], bus = s[5];
	const uint8_t *path = s + DMAR_SCOPE_HDR_LEN;
	size_t hops, i;
	uint16_t rid;
	int ret;

	if (type != DMAR_SCOPE_PCI_ENDPOINT &&
	    type != DMAR_SCOPE_PCI_SUB_HIERARCHY) {
		/* IOAPIC, HPET and ACPI namespace devices have no PCI
		 * requester ID a uvf device could match. */
		c->nr_unresolved++;
		return 0;
	}
	if ((len - DMAR_SCOPE_HDR_LEN) % 2)
		return -EINVAL;
	hops = (len - DMAR_SCOPE_HDR_LEN) / 2;
	if (!hops)
		return -EINVAL;
	for (i = 0; i < hops; i++)
		if (path[2 * i] > 31 || path[2 * i + 1] > 7)
			return -EINVAL;

	if (hops == 1) {
		rid = (uint16_t)(bus << 8 | path[0] << 3 | path[1]);
	} else if (!resolve) {
		c->nr_unresolved++;
		return 0;
	} else {
		ret = resolve(arg, m->segment, bus, path, hops, &rid);
		if (ret == -ENOMEM)
			return ret;
		if (ret) {
			c->nr_unresolved++;
			return 0;
		}
	}

	/*
	 * Linux relaxes the RMRRs of USB and graphics devices, which it knows
	 * from the PCI class code. The table does not carry the class, so the
	 * mapping is reported as strict; a caller that knows the class may
	 * relax it.
	 */
	ret = uvf_acpi_collect_add(c, &(struct uvf_direct_region){
		.source = UVF_DIRECT_DMAR_RMRR,
		.segment = m->segment,
		.rid_first = rid,
		.rid_last = rid,
		.first = m->base,
		.last = m->end,
		.prot = UVF_PROT_RW,
		.relaxable = false,
	});
	if (ret)
		return ret;

	/* The RMRR also covers every device below the bridge, on the buses
	 * its config space assigns; the table does not say which those are. */
	if (type == DMAR_SCOPE_PCI_SUB_HIERARCHY)
		c->nr_unresolved++;
	return 0;
}

static int dmar_rmrr(const uint8_t *s, uint16_t len,
		     uvf_acpi_path_resolver resolve, void *arg,
		     struct acpi_collect *c)
{
	struct dmar_rmrr m;
	uint16_t off;
	int ret;

	if (len < DMAR_RMRR_LEN)
		return -EINVAL;
	m.segment = acpi_get16(s + 6);
	m.base = acpi_get64(s + 8);
	m.end = acpi_get64(s + 16);
	/* The RMRR's own length bounds it, so one with a bad range can be
	 * stepped over; Linux warns about it and keeps the others. */
	if (m.end < m.base)
		return uvf_acpi_skip(c, "DMAR RMRR (base, end)", m.base,
				     m.end, "inverted");
	if ((m.base & DMAR_PAGE_MASK) ||
	    (m.end & DMAR_PAGE_MASK) != DMAR_PAGE_MASK)
		return uvf_acpi_skip(c, "DMAR RMRR (base, end)", m.base,
				     m.end, "not page aligned");

	for (off = DMAR_RMRR_LEN; off < len; ) {
		uint8_t slen;

		if (len - off < 2)
			return -EINVAL;
		slen = s[off + 1];
		if (slen < DMAR_SCOPE_HDR_LEN || slen > len - off)
			return -EINVAL;
		ret = dmar_scope(s + off, slen, &m, resolve, arg, c);
		if (ret)
			return ret;
		off += slen;
	}
	return 0;
}

int uvf_acpi_dmar_collect(const struct acpi_table *t,
			  uvf_acpi_path_resolver resolve, void *arg,
			  struct acpi_collect *c)
{
	uint32_t off;
	int ret;

	for (off = DMAR_FIXED_LEN; off < t->len; ) {
		const uint8_t *s = t->p + off;
		uint16_t len;

		if (t->len - off < DMAR_STRUCT_HDR_LEN)
			return -EINVAL;
		len = acpi_get16(s + 2);
		if (len < DMAR_STRUCT_HDR_LEN || len > t->len - off)
			return -EINVAL;
		/* DRHD, ATSR, RHSA, ANDD, SATC, ... describe no direct
		 * mappings; their length is all we need from them. */
		if (acpi_get16(s) == DMAR_TYPE_RMRR) {
			ret = dmar_rmrr(s, len, resolve, arg, c);
			if (ret)
				return ret;
		}
		off += len;
	}
	return 0;
}
