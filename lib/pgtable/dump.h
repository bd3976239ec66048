/* SPDX-License-Identifier: MIT */
/* Shared by the page-table drawing's walker (dump.c) and its writers. */
#ifndef UVF_PGTABLE_DUMP_H
#define UVF_PGTABLE_DUMP_H

#include "pgtable_priv.h"

#define PGT_DUMP_MAX_KINDS 16

enum pgt_run_kind { PGT_RUN_TABLE, PGT_RUN_LEAF, PGT_RUN_BAD };

/* One present entry of a table page, or a run of folded leaves. */
struct pgt_run {
	unsigned int first, count;	/* first index, entries in the run */
	uint64_t value;			/* raw value of the first entry */
	enum pgt_run_kind kind;
	int prot;
	uvf_iova_t iova_first, iova_last;
	uint32_t marks;			/* bit n: pgt_dump.kinds[n] */
};

struct pgt_dump {
	const struct pgt_format *f;
	const struct uvf_pgtable *pt;
	const struct uvf_pgtable_mark *marks;
	size_t nmarks;
	unsigned char *mark_kind;	/* per mark: its bit in run.marks */
	const char *kinds[PGT_DUMP_MAX_KINDS];
	unsigned int nkinds;
	FILE *out;
	int err;			/* -ENOMEM met on the way */
};

/* The runs of @table (level @level, first IOVA @base) in a malloc'ed
 * array of PGT_ENTRIES, or NULL with d->err set. *n = their number. */
struct pgt_run *pgt_dump_runs(struct pgt_dump *d, const uint64_t *table,
			      unsigned int level, uvf_iova_t base,
			      unsigned int *n);

static inline uint64_t pgt_run_paddr(const struct pgt_dump *d,
				     const struct pgt_run *r,
				     unsigned int level)
{
	return r->value & d->f->oa_mask & ~((1ull << pgt_shift(level)) - 1);
}

static inline const uint64_t *pgt_run_child(const struct pgt_dump *d,
					    const struct pgt_run *r)
{
	return pgt_table_ptr(d->f, r->value);
}

const char *pgt_run_kind_name(enum pgt_run_kind k);
const char *pgt_prot_name(int prot);
const char *pgt_size_name(unsigned int level);

/* "[index] value kind prot", a run's "[first..last] xN", and for a leaf
 * "size @arrow output-address". */
void pgt_put_entry(const struct pgt_dump *d, const struct pgt_run *r,
		   unsigned int level, const char *arrow);

void pgt_dump_text(struct pgt_dump *d);
void pgt_dump_dot(struct pgt_dump *d);
void pgt_dump_json(struct pgt_dump *d);

#endif
