/* SPDX-License-Identifier: MIT */
/*
 * Drawing a page table (uvf_pgtable_dump): a walk over the present entries
 * of each table page that folds runs of like leaves and tags entries with
 * the marks their IOVA range overlaps; dump_text.c and dump_dot.c write
 * what it finds.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dump.h"

static const char *const form_name[UVF_DUMP_NR_FORMS] = {
	[UVF_DUMP_TEXT] = "text",
	[UVF_DUMP_DOT] = "dot",
	[UVF_DUMP_JSON] = "json",
};

int uvf_dump_form_by_name(const char *name)
{
	int i;

	for (i = 0; name && i < UVF_DUMP_NR_FORMS; i++)
		if (!strcmp(name, form_name[i]))
			return i;
	return -EINVAL;
}

const char *pgt_run_kind_name(enum pgt_run_kind k)
{
	return k == PGT_RUN_TABLE ? "table" : k == PGT_RUN_LEAF ? "leaf" : "bad";
}

const char *pgt_prot_name(int prot)
{
	static const char *const name[] = { "--", "r-", "-w", "rw" };

	return name[prot & UVF_PROT_RW];
}

const char *pgt_size_name(unsigned int level)
{
	static const char *const name[] = { "", "4K", "2M", "1G", "512G",
					    "256T" };

	return level <= PGT_MAX_LEVELS ? name[level] : "";
}

void pgt_put_entry(const struct pgt_dump *d, const struct pgt_run *r,
		   unsigned int level, const char *arrow)
{
	fprintf(d->out, "[%u", r->first);
	if (r->count > 1)
		fprintf(d->out, "..%u] x%u", r->first + r->count - 1, r->count);
	else
		fputc(']', d->out);
	fprintf(d->out, " 0x%016llx %s %s", (unsigned long long)r->value,
		pgt_run_kind_name(r->kind), pgt_prot_name(r->prot));
	if (r->kind == PGT_RUN_LEAF)
		fprintf(d->out, " %s %s 0x%llx", pgt_size_name(level), arrow,
			(unsigned long long)pgt_run_paddr(d, r, level));
}

static uint32_t marks_of(const struct pgt_dump *d, uvf_iova_t first,
			 uvf_iova_t last)
{
	uint32_t bits = 0;
	size_t i;

	for (i = 0; i < d->nmarks; i++)
		if (d->marks[i].first <= last && first <= d->marks[i].last)
			bits |= 1u << d->mark_kind[i];
	return bits;
}

/* Whether @r continues @prev: leaves whose bits other than the output
 * address are equal and whose address goes on by the leaf size. */
static bool folds(const struct pgt_dump *d, const struct pgt_run *prev,
		  const struct pgt_run *r, unsigned int level)
{
	uint64_t size = 1ull << pgt_shift(level);
	uint64_t addr_bits = d->f->oa_mask & ~(size - 1);

	return prev->kind == PGT_RUN_LEAF && r->kind == PGT_RUN_LEAF &&
	       prev->first + prev->count == r->first &&
	       prev->marks == r->marks &&
	       (prev->value & ~addr_bits) == (r->value & ~addr_bits) &&
	       pgt_run_paddr(d, prev, level) + prev->count * size ==
		       pgt_run_paddr(d, r, level);
}

struct pgt_run *pgt_dump_runs(struct pgt_dump *d, const uint64_t *table,
			      unsigned int level, uvf_iova_t base,
			      unsigned int *n)
{
	const struct pgt_level_desc *ld = &d->f->lvl[level];
	struct pgt_run *runs = malloc(PGT_ENTRIES * sizeof(*runs));
	unsigned int i, nr = 0;

	if (!runs) {
		d->err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < PGT_ENTRIES; i++) {
		uint64_t e = table[i];
		struct pgt_run r = { .first = i, .count = 1, .value = e };

		if (!(e & d->f->present))
			continue;
		if (pgt_is(e, ld->leaf)) {
			r.kind = PGT_RUN_LEAF;
			r.prot = pgt_leaf_prot(d->f, e);
		} else if (pgt_is(e, ld->table)) {
			r.kind = PGT_RUN_TABLE;
			r.prot = pgt_table_prot(d->f, e);
		} else {
			r.kind = PGT_RUN_BAD;
		}
		r.iova_first = base + ((uint64_t)i << pgt_shift(level));
		r.iova_last = r.iova_first + (1ull << pgt_shift(level)) - 1;
		r.marks = marks_of(d, r.iova_first, r.iova_last);
		if (nr && folds(d, &runs[nr - 1], &r, level)) {
			runs[nr - 1].count++;
			runs[nr - 1].iova_last = r.iova_last;
			continue;
		}
		runs[nr++] = r;
	}
	*n = nr;
	return runs;
}

/* Mark names go into DOT's HTML labels and JSON strings unescaped. */
static bool plain_name(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || strchr("\"\\<>&", *s))
			return false;
	return true;
}

/* Gives each mark the bit of its kind. -EINVAL: a bad or 17th kind. */
static int sort_marks(struct pgt_dump *d)
{
	size_t i;
	unsigned int k;

	for (i = 0; i < d->nmarks; i++) {
		const char *w = d->marks[i].what;

		if (!w || !plain_name(w) || d->marks[i].first > d->marks[i].last)
			return -EINVAL;
		for (k = 0; k < d->nkinds && strcmp(d->kinds[k], w); k++)
			;
		if (k == d->nkinds) {
			if (k == PGT_DUMP_MAX_KINDS)
				return -EINVAL;
			d->kinds[d->nkinds++] = w;
		}
		d->mark_kind[i] = (unsigned char)k;
	}
	return 0;
}

int uvf_pgtable_dump(const struct uvf_pgtable *pt, enum uvf_dump_form form,
		     const struct uvf_pgtable_mark *marks, size_t nmarks,
		     FILE *out)
{
	static void (*const writer[UVF_DUMP_NR_FORMS])(struct pgt_dump *) = {
		[UVF_DUMP_TEXT] = pgt_dump_text,
		[UVF_DUMP_DOT] = pgt_dump_dot,
		[UVF_DUMP_JSON] = pgt_dump_json,
	};
	struct pgt_dump d = { .pt = pt, .marks = marks, .nmarks = nmarks,
			      .out = out };
	int ret;

	if (!pt || !out || (unsigned int)form >= UVF_DUMP_NR_FORMS ||
	    (!marks && nmarks))
		return -EINVAL;
	d.f = pt->fmt;
	d.mark_kind = malloc(nmarks + 1);
	if (!d.mark_kind)
		return -ENOMEM;
	ret = sort_marks(&d);
	if (!ret) {
		writer[form](&d);
		ret = d.err;
	}
	free(d.mark_kind);
	if (!ret && (fflush(out) || ferror(out)))
		ret = -EIO;
	return ret;
}
