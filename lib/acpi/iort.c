/* SPDX-License-Identifier: MIT */
/*
 * ARM IORT (DEN 0049): Reserved Memory Range nodes, turned into PCI
 * requester IDs through the root complex nodes behind the same SMMU.
 *
 *   IORT fixed part (48 bytes): header, node count u32, node offset u32,
 *     reserved u32. Nodes follow one another from the node offset.
 *   Node header (16 bytes): type u8, length u16, revision u8, identifier
 *     u32, ID mapping count u32, ID mapping array offset u32 (from the
 *     node).
 *   ID mapping (20 bytes): input base, number of IDs minus one, output
 *     base, output reference (offset of the target node from the table
 *     start), flags (bit 0: single mapping) - all u32.
 *   Root complex (type 2, >= 36 bytes): memory properties u64 at 16, ATS
 *     attribute u32 at 24, PCI segment number u32 at 28, ...
 *   RMR (type 6, >= 28 bytes): flags u32 at 16, descriptor count u32 at
 *     20, descriptor array offset u32 at 24 (from the node).
 *   RMR descriptor (20 bytes): base u64, length u64, reserved u32.
 */
#include <stdlib.h>

#include "table.h"

#define IORT_NODE_HDR_LEN 16u
#define IORT_ID_MAP_LEN 20u
#define IORT_ID_SINGLE_MAPPING 0x1u

#define IORT_NODE_RC 2u
#define IORT_NODE_SMMU 3u
#define IORT_NODE_SMMU_V3 4u
#define IORT_NODE_RMR 6u

#define IORT_RC_MIN_LEN 36u
#define IORT_RMR_MIN_LEN 28u
#define IORT_RMR_DESC_LEN 20u

#define IORT_RMR_REMAP_PERMITTED 0x1u
#define IORT_RMR_ACCESS_PRIVILEGE 0x2u
#define IORT_RMR_ATTR(flags) (((flags) >> 2) & 0xffu)
#define IORT_RMR_ATTR_DEVICE_GRE 0x03u
#define IORT_RMR_ATTR_NORMAL_IWB_OWB 0x05u

/* RMR nodes are defined from DEN 0049E.d on, IORT revision 5; Linux
 * ignores them in older tables. */
#define IORT_RMR_MIN_REVISION 5u

#define IORT_PAGE_MASK 0xfffull

/* A closed range of stream IDs (u64: output base + count can pass 2^32). */
struct sid_range {
	uint64_t lo;
	uint64_t hi;
};

struct iort {
	const struct acpi_table *t;
	uint32_t *nodes;	/* node offsets, ascending */
	uint32_t nr_nodes;
	struct sid_range *cover; /* scratch for one RMR ID mapping */
	size_t nr_cover;
	size_t cap_cover;
};

static const uint8_t *iort_node(const struct iort *io, uint32_t off)
{
	return io->t->p + off;
}

static const uint8_t *iort_id_map(const uint8_t *n, uint32_t i)
{
	return n + acpi_get32(n + 12) + (size_t)i * IORT_ID_MAP_LEN;
}

/* An array of @count @size-byte entries at @off must sit after @min bytes
 * of fixed fields and end inside the node. */
static bool iort_array_fits(uint32_t off, uint32_t count, uint32_t size,
			    uint32_t min, uint16_t node_len)
{
	if (!count)
		return true;
	return off >= min &&
	       (uint64_t)off + (uint64_t)count * size <= node_len;
}

static int iort_check_node(const struct acpi_table *t, uint32_t off,
			   uint16_t *lenp)
{
	const uint8_t *n = t->p + off;
	uint16_t len;
	uint8_t type;

	if (t->len - off < IORT_NODE_HDR_LEN)
		return -EINVAL;
	type = n[0];
	len = acpi_get16(n + 1);
	if (len < IORT_NODE_HDR_LEN || len > t->len - off)
		return -EINVAL;
	if (type == IORT_NODE_RC && len < IORT_RC_MIN_LEN)
		return -EINVAL;
	if (type == IORT_NODE_RMR &&
	    (len < IORT_RMR_MIN_LEN ||
	     !iort_array_fits(acpi_get32(n + 24), acpi_get32(n + 20),
			      IORT_RMR_DESC_LEN, IORT_RMR_MIN_LEN, len)))
		return -EINVAL;
	if (!iort_array_fits(acpi_get32(n + 12), acpi_get32(n + 8),
			     IORT_ID_MAP_LEN, IORT_NODE_HDR_LEN, len))
		return -EINVAL;
	*lenp = len;
	return 0;
}

/* Walks the node list the way Linux does (each node right after the
 * previous one), checking every node before anything reads its fields. */
static int iort_index_nodes(struct iort *io)
{
	const struct acpi_table *t = io->t;
	uint32_t count = acpi_get32(t->p + 36);
	uint32_t off = acpi_get32(t->p + 40);
	uint32_t i;
	uint16_t len;
	int ret;

	if (!count)
		return 0;
	if (off < IORT_FIXED_LEN || off >= t->len ||
	    count > (t->len - off) / IORT_NODE_HDR_LEN)
		return -EINVAL;
	io->nodes = malloc((size_t)count * sizeof(*io->nodes));
	if (!io->nodes)
		return -ENOMEM;
	for (i = 0; i < count; i++) {
		if (off >= t->len)
			return -EINVAL;
		ret = iort_check_node(t, off, &len);
		if (ret)
			return ret;
		io->nodes[i] = off;
		off += len;
	}
	io->nr_nodes = count;
	return 0;
}

/* Output references are table offsets; only the offset of a node is a
 * valid one. */
static const uint8_t *iort_find_node(const struct iort *io, uint32_t ref)
{
	uint32_t lo = 0, hi = io->nr_nodes;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (io->nodes[mid] == ref)
			return iort_node(io, ref);
		if (io->nodes[mid] < ref)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int iort_add_cover(struct iort *io, uint64_t lo, uint64_t hi)
{
	if (io->nr_cover == io->cap_cover) {
		size_t cap = io->cap_cover ? io->cap_cover * 2 : 8;
		struct sid_range *v = realloc(io->cover, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		io->cover = v;
		io->cap_cover = cap;
	}
	io->cover[io->nr_cover++] = (struct sid_range){ lo, hi };
	return 0;
}

static int sid_range_cmp(const void *a, const void *b)
{
	const struct sid_range *x = a, *y = b;

	return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* Whether the stream IDs that reached a root complex cover all of
 * [lo, hi]; the rest belong to devices we cannot name. */
static bool iort_covered(struct iort *io, uint64_t lo, uint64_t hi)
{
	uint64_t next = lo;
	size_t i;

	if (!io->nr_cover)
		return false;
	qsort(io->cover, io->nr_cover, sizeof(*io->cover), sid_range_cmp);
	for (i = 0; i < io->nr_cover && next <= hi; i++) {
		if (io->cover[i].lo > next)
			return false;
		if (io->cover[i].hi >= next)
			next = io->cover[i].hi + 1;
	}
	return next > hi;
}

static int iort_rmr_attrs(uint32_t flags)
{
	int attrs = 0;

	if (flags & IORT_RMR_ACCESS_PRIVILEGE)
		attrs |= UVF_DIRECT_ATTR_PRIV;
	if (IORT_RMR_ATTR(flags) <= IORT_RMR_ATTR_DEVICE_GRE)
		attrs |= UVF_DIRECT_ATTR_MMIO;
	else if (IORT_RMR_ATTR(flags) == IORT_RMR_ATTR_NORMAL_IWB_OWB)
		attrs |= UVF_DIRECT_ATTR_CACHE;
	return attrs;
}

/* Why a descriptor's range is impossible, or NULL when it is usable. The
 * spec asks for 64 KiB alignment; 4 KiB is what a mapping needs, so that is
 * what is enforced. */
static const char *iort_desc_fault(const uint8_t *d)
{
	uint64_t base = acpi_get64(d), len = acpi_get64(d + 8), last;

	if (!len)
		return "empty";
	if ((base & IORT_PAGE_MASK) || (len & IORT_PAGE_MASK))
		return "not page aligned";
	if (__builtin_add_overflow(base, len - 1, &last))
		return "past the end of memory";
	return NULL;
}

/* One region per usable RMR descriptor for the requester IDs [rid_lo,
 * rid_hi]. */
static int iort_emit(const uint8_t *rmr, uint16_t segment, uint16_t rid_lo,
		     uint16_t rid_hi, struct acpi_collect *c)
{
	uint32_t flags = acpi_get32(rmr + 16);
	uint32_t count = acpi_get32(rmr + 20);
	const uint8_t *d = rmr + acpi_get32(rmr + 24);
	uint32_t i;
	int ret;

	for (i = 0; i < count; i++, d += IORT_RMR_DESC_LEN) {
		uint64_t base = acpi_get64(d), len = acpi_get64(d + 8);

		if (iort_desc_fault(d))
			continue;
		ret = uvf_acpi_collect_add(c, &(struct uvf_direct_region){
			.source = UVF_DIRECT_IORT_RMR,
			.segment = segment,
			.rid_first = rid_lo,
			.rid_last = rid_hi,
			.first = base,
			.last = base + len - 1,
			.prot = UVF_PROT_RW,
			.relaxable = flags & IORT_RMR_REMAP_PERMITTED,
			.attrs = iort_rmr_attrs(flags),
		});
		if (ret)
			return ret;
	}
	return 0;
}

/*
 * Inverts one root complex ID mapping: the requester IDs whose stream ID
 * lands in [s_lo, s_hi]. A single mapping sends every requester ID of the
 * root complex to its output base. Requester IDs are 16 bits; input IDs
 * above that name no PCI function.
 */
static int iort_invert_rc_map(struct iort *io, const uint8_t *rmr,
			      uint16_t segment, const uint8_t *m,
			      uint64_t s_lo, uint64_t s_hi,
			      struct acpi_collect *c)
{
	uint64_t in = acpi_get32(m), cnt = acpi_get32(m + 4);
	uint64_t out = acpi_get32(m + 8);
	uint64_t lo, hi, rid_lo, rid_hi;
	int ret;

	if (acpi_get32(m + 16) & IORT_ID_SINGLE_MAPPING) {
		if (out < s_lo || out > s_hi)
			return 0;
		ret = iort_emit(rmr, segment, 0, UINT16_MAX, c);
		return ret ? ret : iort_add_cover(io, out, out);
	}

	lo = out > s_lo ? out : s_lo;
	hi = out + cnt < s_hi ? out + cnt : s_hi;
	if (lo > hi)
		return 0;
	rid_lo = in + (lo - out);
	rid_hi = in + (hi - out);
	if (rid_lo > UINT16_MAX)
		return 0;
	if (rid_hi > UINT16_MAX) {
		hi -= rid_hi - UINT16_MAX;
		rid_hi = UINT16_MAX;
	}
	ret = iort_emit(rmr, segment, (uint16_t)rid_lo, (uint16_t)rid_hi, c);
	return ret ? ret : iort_add_cover(io, lo, hi);
}

/*
 * The RMR's stream IDs [s_lo, s_hi] go to the SMMU at @smmu. A PCI
 * function reaches that SMMU through a root complex ID mapping with the
 * same output reference, so invert those. The spec forbids overlapping
 * input ranges within a node, so each mapping is inverted on its own.
 */
static int iort_rmr_to_rids(struct iort *io, const uint8_t *rmr,
			    uint32_t smmu, uint64_t s_lo, uint64_t s_hi,
			    struct acpi_collect *c)
{
	uint32_t i, j;
	int ret;

	io->nr_cover = 0;
	for (i = 0; i < io->nr_nodes; i++) {
		const uint8_t *rc = iort_node(io, io->nodes[i]);
		uint32_t segment, nmaps;

		if (rc[0] != IORT_NODE_RC)
			continue;
		segment = acpi_get32(rc + 28);
		nmaps = acpi_get32(rc + 8);
		for (j = 0; j < nmaps; j++) {
			const uint8_t *m = iort_id_map(rc, j);

			if (acpi_get32(m + 12) != smmu)
				continue;
			/* PCI segment groups are 16-bit (_SEG, MCFG). */
			if (segment > UINT16_MAX)
				return -EINVAL;
			ret = iort_invert_rc_map(io, rmr, (uint16_t)segment, m,
						 s_lo, s_hi, c);
			if (ret)
				return ret;
		}
	}
	if (!iort_covered(io, s_lo, s_hi))
		c->nr_unresolved++;
	return 0;
}

/* Skips (counts and traces) the descriptors with an impossible range, as
 * Linux warns and goes on; returns how many are usable. */
static uint32_t iort_skip_bad_descs(const uint8_t *rmr, struct acpi_collect *c)
{
	uint32_t count = acpi_get32(rmr + 20), usable = 0;
	const uint8_t *d = rmr + acpi_get32(rmr + 24);
	uint32_t i;

	for (i = 0; i < count; i++, d += IORT_RMR_DESC_LEN) {
		const char *why = iort_desc_fault(d);

		if (why)
			uvf_acpi_skip(c, "IORT RMR descriptor (base, length)",
				      acpi_get64(d), acpi_get64(d + 8), why);
		else
			usable++;
	}
	return usable;
}

static int iort_rmr(struct iort *io, const uint8_t *rmr,
		    struct acpi_collect *c)
{
	uint32_t nmaps = acpi_get32(rmr + 8);
	uint32_t i;
	int ret;

	if (!iort_skip_bad_descs(rmr, c))
		return 0;
	if (!nmaps) {
		/* Memory ranges reserved for nobody the table names. */
		c->nr_unresolved++;
		return 0;
	}

	for (i = 0; i < nmaps; i++) {
		const uint8_t *m = iort_id_map(rmr, i);
		uint64_t s_lo = acpi_get32(m + 8);
		uint64_t s_hi = s_lo;
		uint32_t ref = acpi_get32(m + 12);
		const uint8_t *target = iort_find_node(io, ref);

		if (!target)
			return -EINVAL;
		/* Linux takes output base .. output base + count as the
		 * stream IDs; a single mapping carries exactly one. */
		if (!(acpi_get32(m + 16) & IORT_ID_SINGLE_MAPPING))
			s_hi += acpi_get32(m + 4);
		if (target[0] != IORT_NODE_SMMU &&
		    target[0] != IORT_NODE_SMMU_V3) {
			c->nr_unresolved++;
			continue;
		}
		ret = iort_rmr_to_rids(io, rmr, ref, s_lo, s_hi, c);
		if (ret)
			return ret;
	}
	return 0;
}

int uvf_acpi_iort_collect(const struct acpi_table *t, struct acpi_collect *c)
{
	struct iort io = { .t = t };
	uint32_t i;
	int ret;

	ret = iort_index_nodes(&io);
	if (ret || t->revision < IORT_RMR_MIN_REVISION)
		goto out;
	for (i = 0; i < io.nr_nodes; i++) {
		const uint8_t *n = iort_node(&io, io.nodes[i]);

		if (n[0] != IORT_NODE_RMR)
			continue;
		ret = iort_rmr(&io, n, c);
		if (ret)
			break;
	}
out:
	free(io.cover);
	free(io.nodes);
	return ret;
}
