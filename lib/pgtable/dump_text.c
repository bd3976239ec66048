/* SPDX-License-Identifier: MIT */
/* The text tree and the JSON document of uvf_pgtable_dump(). */
#include <stdlib.h>

#include "dump.h"

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* ",".join of the kinds in @bits, for text and JSON (@quote). */
static void put_kinds(const struct pgt_dump *d, uint32_t bits, bool quote)
{
	const char *sep = "";
	unsigned int k;

	for (k = 0; k < d->nkinds; k++) {
		if (!(bits & (1u << k)))
			continue;
		fprintf(d->out, quote ? "%s\"%s\"" : "%s%s", sep, d->kinds[k]);
		sep = ",";
	}
}

static void text_table(struct pgt_dump *d, const uint64_t *table,
		       unsigned int level, uvf_iova_t base, int depth)
{
	struct pgt_run *runs, *r;
	unsigned int n, i;

	runs = pgt_dump_runs(d, table, level, base, &n);
	if (!runs)
		return;
	for (i = 0; i < n && !d->err; i++) {
		r = &runs[i];
		fprintf(d->out, "%*sL%u", depth * 2, "", level);
		pgt_put_entry(d, r, level, "->");
		fprintf(d->out, " iova 0x%llx-0x%llx", ull(r->iova_first),
			ull(r->iova_last));
		if (r->marks) {
			fputs(" [", d->out);
			put_kinds(d, r->marks, false);
			fputc(']', d->out);
		}
		fputc('\n', d->out);
		if (r->kind == PGT_RUN_TABLE)
			text_table(d, pgt_run_child(d, r), level - 1,
				   r->iova_first, depth + 1);
	}
	free(runs);
}

void pgt_dump_text(struct pgt_dump *d)
{
	const struct uvf_pgtable_info *in = &d->f->info;
	size_t i;

	fprintf(d->out, "# %s: %u levels, %u-bit IOVA, root 0x%llx, %llu "
		"table page(s); L1 holds 4K leaves, L2 2M, L3 1G\n", in->name,
		in->levels, in->ias_bits, ull(uvf_pgtable_root(d->pt)),
		ull(uvf_pgtable_table_pages(d->pt)));
	for (i = 0; i < d->nmarks; i++)
		fprintf(d->out, "# mark %s [0x%llx-0x%llx]\n", d->marks[i].what,
			ull(d->marks[i].first), ull(d->marks[i].last));
	text_table(d, d->pt->root, in->levels, 0, 0);
}

static void json_table(struct pgt_dump *d, const uint64_t *table,
		       unsigned int level, uvf_iova_t base)
{
	struct pgt_run *runs, *r;
	unsigned int n, i;

	fprintf(d->out, "{\"level\":%u,\"addr\":\"0x%llx\",\"entries\":[",
		level, ull((uintptr_t)table));
	runs = pgt_dump_runs(d, table, level, base, &n);
	for (i = 0; runs && i < n && !d->err; i++) {
		r = &runs[i];
		fprintf(d->out, "%s\n{\"index\":%u,\"count\":%u,\"value\":"
			"\"0x%llx\",\"kind\":\"%s\",\"prot\":\"%s\","
			"\"iova_first\":\"0x%llx\",\"iova_last\":\"0x%llx\","
			"\"marks\":[", i ? "," : "", r->first, r->count,
			ull(r->value), pgt_run_kind_name(r->kind),
			pgt_prot_name(r->prot), ull(r->iova_first),
			ull(r->iova_last));
		put_kinds(d, r->marks, true);
		fputc(']', d->out);
		if (r->kind == PGT_RUN_LEAF)
			fprintf(d->out, ",\"size\":%llu,\"paddr\":\"0x%llx\"",
				ull(1ull << pgt_shift(level)),
				ull(pgt_run_paddr(d, r, level)));
		if (r->kind == PGT_RUN_TABLE) {
			fputs(",\"table\":", d->out);
			json_table(d, pgt_run_child(d, r), level - 1,
				   r->iova_first);
		}
		fputc('}', d->out);
	}
	free(runs);
	fputs("]}", d->out);
}

void pgt_dump_json(struct pgt_dump *d)
{
	const struct uvf_pgtable_info *in = &d->f->info;
	size_t i;

	fprintf(d->out, "{\"format\":\"%s\",\"levels\":%u,\"ias_bits\":%u,"
		"\"root\":\"0x%llx\",\"table_pages\":%llu,\"marks\":[",
		in->name, in->levels, in->ias_bits,
		ull(uvf_pgtable_root(d->pt)),
		ull(uvf_pgtable_table_pages(d->pt)));
	for (i = 0; i < d->nmarks; i++)
		fprintf(d->out, "%s{\"what\":\"%s\",\"first\":\"0x%llx\","
			"\"last\":\"0x%llx\"}", i ? "," : "", d->marks[i].what,
			ull(d->marks[i].first), ull(d->marks[i].last));
	fputs("],\n\"tree\":", d->out);
	json_table(d, d->pt->root, in->levels, 0);
	fputs("}\n", d->out);
}
