/* SPDX-License-Identifier: MIT */
/*
 * Builds DMAR, IVRS and IORT tables byte by byte for the tests, so no
 * binary fixtures are needed: header, structures, then length and checksum
 * fixed up at the end.
 */
#ifndef UVF_TEST_TABLE_BUILDER_H
#define UVF_TEST_TABLE_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#define TB_MAX_CUTS 64

struct tb {
	uint8_t *p;
	size_t len;
	size_t cap;
	/* Offsets at which the table may end and still be well formed (end
	 * of the fixed part, end of each top-level structure). */
	size_t cuts[TB_MAX_CUTS];
	size_t nr_cuts;
};

/* Raw bytes. */
void tb_init(struct tb *b, const char sig[4], uint8_t revision);
void tb_u8(struct tb *b, uint8_t v);
void tb_u16(struct tb *b, uint16_t v);
void tb_u32(struct tb *b, uint32_t v);
void tb_u64(struct tb *b, uint64_t v);
void tb_zero(struct tb *b, size_t n);
void tb_put16(struct tb *b, size_t off, uint16_t v);
void tb_put32(struct tb *b, size_t off, uint32_t v);
void tb_cut_here(struct tb *b);
/* Sets the length field to b->len and fixes the checksum. */
void tb_finish(struct tb *b);
void tb_free(struct tb *b);
/* Length field := @len, checksum fixed over the first @len bytes. */
void tb_set_length(uint8_t *p, uint32_t len);
void tb_fix_checksum(uint8_t *p, uint32_t len);

/* DMAR */
void dmar_begin(struct tb *b);
void dmar_drhd_include_all(struct tb *b, uint16_t segment);
/* Starts an RMRR; add scopes, then dmar_end_struct(). */
size_t dmar_rmrr_begin(struct tb *b, uint16_t segment, uint64_t base,
		       uint64_t end);
void dmar_scope(struct tb *b, uint8_t type, uint8_t bus, const uint8_t *path,
		size_t hops);
void dmar_end_struct(struct tb *b, size_t start);

/* IVRS */
void ivrs_begin(struct tb *b);
void ivrs_ivhd(struct tb *b, uint8_t type, uint16_t segment);
void ivrs_ivmd(struct tb *b, uint8_t type, uint8_t flags, uint16_t devid,
	       uint16_t aux, uint16_t segment, uint64_t start, uint64_t len);

/* IORT */
struct iort_map {
	uint32_t in;
	uint32_t count;		/* number of IDs minus one */
	uint32_t out;
	uint32_t ref;
	uint32_t flags;
};

struct rmr_desc {
	uint64_t base;
	uint64_t len;
};

void iort_begin(struct tb *b, uint8_t revision);
size_t iort_its(struct tb *b);
size_t iort_smmuv3(struct tb *b, uint32_t its);
size_t iort_rc(struct tb *b, uint32_t segment, const struct iort_map *m,
	       size_t nr);
size_t iort_rmr(struct tb *b, uint32_t flags, const struct iort_map *m,
		size_t nr_maps, const struct rmr_desc *d, size_t nr_descs);
/* Sets the node count and finishes the table. */
void iort_finish(struct tb *b, uint32_t nodes);

#endif
