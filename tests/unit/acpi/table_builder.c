/* SPDX-License-Identifier: MIT */
#include <stdlib.h>
#include <string.h>

#include "table_builder.h"

static void tb_reserve(struct tb *b, size_t n)
{
	if (b->len + n <= b->cap)
		return;
	while (b->len + n > b->cap)
		b->cap = b->cap ? b->cap * 2 : 256;
	b->p = realloc(b->p, b->cap);
	if (!b->p)
		abort();
}

void tb_u8(struct tb *b, uint8_t v)
{
	tb_reserve(b, 1);
	b->p[b->len++] = v;
}

void tb_u16(struct tb *b, uint16_t v)
{
	tb_u8(b, (uint8_t)v);
	tb_u8(b, (uint8_t)(v >> 8));
}

void tb_u32(struct tb *b, uint32_t v)
{
	tb_u16(b, (uint16_t)v);
	tb_u16(b, (uint16_t)(v >> 16));
}

void tb_u64(struct tb *b, uint64_t v)
{
	tb_u32(b, (uint32_t)v);
	tb_u32(b, (uint32_t)(v >> 32));
}

void tb_zero(struct tb *b, size_t n)
{
	while (n--)
		tb_u8(b, 0);
}

void tb_put16(struct tb *b, size_t off, uint16_t v)
{
	b->p[off] = (uint8_t)v;
	b->p[off + 1] = (uint8_t)(v >> 8);
}

void tb_put32(struct tb *b, size_t off, uint32_t v)
{
	tb_put16(b, off, (uint16_t)v);
	tb_put16(b, off + 2, (uint16_t)(v >> 16));
}

void tb_cut_here(struct tb *b)
{
	if (b->nr_cuts < TB_MAX_CUTS)
		b->cuts[b->nr_cuts++] = b->len;
}

static void tb_bytes(struct tb *b, const char *s, size_t n)
{
	while (n--)
		tb_u8(b, (uint8_t)*s++);
}

void tb_init(struct tb *b, const char sig[4], uint8_t revision)
{
	memset(b, 0, sizeof(*b));
	tb_bytes(b, sig, 4);
	tb_u32(b, 0);		/* length, set by tb_finish() */
	tb_u8(b, revision);
	tb_u8(b, 0);		/* checksum, set by tb_finish() */
	tb_bytes(b, "UVFTST", 6);	/* OEM ID */
	tb_bytes(b, "UVFTABLE", 8);	/* OEM table ID */
	tb_u32(b, 1);		/* OEM revision */
	tb_u32(b, 0x20465655);	/* creator ID "UVF " */
	tb_u32(b, 1);		/* creator revision */
}

void tb_fix_checksum(uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;
	uint32_t i;

	p[9] = 0;
	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	p[9] = (uint8_t)(0x100 - sum);
}

void tb_set_length(uint8_t *p, uint32_t len)
{
	p[4] = (uint8_t)len;
	p[5] = (uint8_t)(len >> 8);
	p[6] = (uint8_t)(len >> 16);
	p[7] = (uint8_t)(len >> 24);
	tb_fix_checksum(p, len);
}

void tb_finish(struct tb *b)
{
	tb_set_length(b->p, (uint32_t)b->len);
}

void tb_free(struct tb *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

void dmar_begin(struct tb *b)
{
	tb_init(b, "DMAR", 1);
	tb_u8(b, 45);		/* host address width - 1 */
	tb_u8(b, 1);		/* flags: interrupt remapping */
	tb_zero(b, 10);
	tb_cut_here(b);
}

void dmar_drhd_include_all(struct tb *b, uint16_t segment)
{
	tb_u16(b, 0);		/* DRHD */
	tb_u16(b, 16);
	tb_u8(b, 1);		/* INCLUDE_PCI_ALL */
	tb_u8(b, 0);
	tb_u16(b, segment);
	tb_u64(b, 0xfed90000);
	tb_cut_here(b);
}

size_t dmar_rmrr_begin(struct tb *b, uint16_t segment, uint64_t base,
		       uint64_t end)
{
	size_t start = b->len;

	tb_u16(b, 1);		/* RMRR */
	tb_u16(b, 0);		/* length, set by dmar_end_struct() */
	tb_u16(b, 0);
	tb_u16(b, segment);
	tb_u64(b, base);
	tb_u64(b, end);
	return start;
}

void dmar_scope(struct tb *b, uint8_t type, uint8_t bus, const uint8_t *path,
		size_t hops)
{
	size_t i;

	tb_u8(b, type);
	tb_u8(b, (uint8_t)(6 + 2 * hops));
	tb_u16(b, 0);
	tb_u8(b, 0);		/* enumeration ID */
	tb_u8(b, bus);
	for (i = 0; i < 2 * hops; i++)
		tb_u8(b, path[i]);
}

void dmar_end_struct(struct tb *b, size_t start)
{
	tb_put16(b, start + 2, (uint16_t)(b->len - start));
	tb_cut_here(b);
}

void ivrs_begin(struct tb *b)
{
	tb_init(b, "IVRS", 2);
	tb_u32(b, 0x00203043);	/* IVinfo */
	tb_u64(b, 0);
	tb_cut_here(b);
}

/* An IVHD with a few device entries, as firmware writes them. */
void ivrs_ivhd(struct tb *b, uint8_t type, uint16_t segment)
{
	size_t start = b->len;

	tb_u8(b, type);
	tb_u8(b, 0xb0);		/* flags */
	tb_u16(b, 0);		/* length, patched below */
	tb_u16(b, 0x0002);	/* IOMMU device ID 00:00.2 */
	tb_u16(b, 0x40);	/* capability offset */
	tb_u64(b, 0xfd200000);	/* IOMMU base */
	tb_u16(b, segment);
	tb_u16(b, 0);		/* IOMMU info */
	tb_u32(b, 0);		/* feature reporting / attributes */
	if (type != 0x10) {
		tb_u64(b, 0x246577efa2254afaull); /* EFR image */
		tb_u64(b, 0);
	}
	/* select range 00:01.0 .. ff:1f.6, then an IOAPIC special entry */
	tb_u8(b, 3);
	tb_u16(b, 0x0008);
	tb_u8(b, 0);
	tb_u8(b, 4);
	tb_u16(b, 0xfffe);
	tb_u8(b, 0);
	tb_u8(b, 0x48);
	tb_u16(b, 0);
	tb_u8(b, 0xd7);
	tb_u8(b, 0x21);
	tb_u16(b, 0x00a0);
	tb_u8(b, 1);
	tb_put16(b, start + 2, (uint16_t)(b->len - start));
	tb_cut_here(b);
}

void ivrs_ivmd(struct tb *b, uint8_t type, uint8_t flags, uint16_t devid,
	       uint16_t aux, uint16_t segment, uint64_t start, uint64_t len)
{
	tb_u8(b, type);
	tb_u8(b, flags);
	tb_u16(b, 32);
	tb_u16(b, devid);
	tb_u16(b, aux);
	tb_u16(b, segment);
	tb_zero(b, 6);
	tb_u64(b, start);
	tb_u64(b, len);
	tb_cut_here(b);
}

void iort_begin(struct tb *b, uint8_t revision)
{
	tb_init(b, "IORT", revision);
	tb_u32(b, 0);		/* node count, set by iort_finish() */
	tb_u32(b, 48);		/* node offset */
	tb_u32(b, 0);
}

static size_t iort_node_begin(struct tb *b, uint8_t type, uint8_t revision,
			      uint32_t nr_maps)
{
	size_t start = b->len;

	tb_u8(b, type);
	tb_u16(b, 0);		/* length, set by iort_node_end() */
	tb_u8(b, revision);
	tb_u32(b, (uint32_t)start); /* identifier */
	tb_u32(b, nr_maps);
	tb_u32(b, 0);		/* mapping offset, set by iort_maps() */
	return start;
}

static void iort_maps(struct tb *b, size_t node, const struct iort_map *m,
		      size_t nr)
{
	size_t i;

	tb_put32(b, node + 12, nr ? (uint32_t)(b->len - node) : 0);
	for (i = 0; i < nr; i++) {
		tb_u32(b, m[i].in);
		tb_u32(b, m[i].count);
		tb_u32(b, m[i].out);
		tb_u32(b, m[i].ref);
		tb_u32(b, m[i].flags);
	}
}

static void iort_node_end(struct tb *b, size_t node)
{
	tb_put16(b, node + 1, (uint16_t)(b->len - node));
}

size_t iort_its(struct tb *b)
{
	size_t n = iort_node_begin(b, 0, 1, 0);

	tb_u32(b, 1);		/* ITS count */
	tb_u32(b, 0);		/* ITS ID */
	iort_node_end(b, n);
	return n;
}

size_t iort_smmuv3(struct tb *b, uint32_t its)
{
	struct iort_map msi = { .out = 0x10000, .ref = its, .flags = 1 };
	size_t n = iort_node_begin(b, 4, 4, 1);

	tb_u64(b, 0x09050000);	/* base */
	tb_u32(b, 1);		/* flags: COHACC override */
	tb_u32(b, 0);
	tb_u64(b, 0);		/* VATOS */
	tb_u32(b, 0);		/* model */
	tb_u32(b, 0);		/* event GSIV */
	tb_u32(b, 0);		/* PRI GSIV */
	tb_u32(b, 0);		/* GERR GSIV */
	tb_u32(b, 0);		/* sync GSIV */
	tb_u32(b, 0);		/* proximity domain */
	tb_u32(b, 0);		/* device ID mapping index */
	iort_maps(b, n, &msi, 1);
	iort_node_end(b, n);
	return n;
}

size_t iort_rc(struct tb *b, uint32_t segment, const struct iort_map *m,
	       size_t nr)
{
	size_t n = iort_node_begin(b, 2, 4, (uint32_t)nr);

	tb_u32(b, 1);		/* cache coherent */
	tb_u8(b, 0);		/* hints */
	tb_u16(b, 0);
	tb_u8(b, 3);		/* memory flags */
	tb_u32(b, 1);		/* ATS supported */
	tb_u32(b, segment);
	tb_u8(b, 48);		/* memory address size limit */
	tb_u16(b, 0);		/* PASID capabilities */
	tb_u8(b, 0);
	tb_u32(b, 0);		/* flags */
	iort_maps(b, n, m, nr);
	iort_node_end(b, n);
	return n;
}

size_t iort_rmr(struct tb *b, uint32_t flags, const struct iort_map *m,
		size_t nr_maps, const struct rmr_desc *d, size_t nr_descs)
{
	size_t n = iort_node_begin(b, 6, 3, (uint32_t)nr_maps);
	size_t i;

	tb_u32(b, flags);
	tb_u32(b, (uint32_t)nr_descs);
	tb_u32(b, 0);		/* descriptor offset, set below */
	iort_maps(b, n, m, nr_maps);
	tb_put32(b, n + 24, nr_descs ? (uint32_t)(b->len - n) : 0);
	for (i = 0; i < nr_descs; i++) {
		tb_u64(b, d[i].base);
		tb_u64(b, d[i].len);
		tb_u32(b, 0);
	}
	iort_node_end(b, n);
	return n;
}

void iort_finish(struct tb *b, uint32_t nodes)
{
	tb_put32(b, 36, nodes);
	tb_finish(b);
	tb_cut_here(b);
}
