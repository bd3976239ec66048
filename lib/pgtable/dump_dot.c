/* SPDX-License-Identifier: MIT */
/*
 * The Graphviz drawing of uvf_pgtable_dump(): one node per table page, an
 * HTML-like table with one row per entry or folded run, an edge from each
 * table entry to the page it points to, and a legend of the marks.
 */
#include <stdlib.h>
#include <string.h>

#include "dump.h"

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* Fill colour of a row: the first of its marks decides. */
static const char *row_colour(const struct pgt_dump *d, uint32_t bits)
{
	unsigned int k;

	for (k = 0; k < d->nkinds; k++) {
		if (!(bits & (1u << k)))
			continue;
		if (!strncmp(d->kinds[k], "direct", 6))
			return "lightblue";
		return strcmp(d->kinds[k], "iotlb") ? "lightpink" : "gold";
	}
	return "white";
}

static void dot_row(struct pgt_dump *d, const struct pgt_run *r,
		    unsigned int level)
{
	unsigned int k;

	fprintf(d->out, "<tr><td port=\"e%u\" align=\"left\" bgcolor=\"%s\">"
		, r->first, row_colour(d, r->marks));
	pgt_put_entry(d, r, level, "&#8594;");
	fprintf(d->out, "<br/>iova 0x%llx-0x%llx", ull(r->iova_first),
		ull(r->iova_last));
	for (k = 0; k < d->nkinds; k++)
		if (r->marks & (1u << k))
			fprintf(d->out, " [%s]", d->kinds[k]);
	fputs("</td></tr>", d->out);
}

static void dot_table(struct pgt_dump *d, const uint64_t *table,
		      unsigned int level, uvf_iova_t base)
{
	unsigned long long id = ull((uintptr_t)table);
	struct pgt_run *runs;
	unsigned int n, i;

	runs = pgt_dump_runs(d, table, level, base, &n);
	if (!runs)
		return;
	fprintf(d->out, "  t%llx [label=<<table border=\"0\" cellborder=\"1\" "
		"cellspacing=\"0\"><tr><td bgcolor=\"gray85\"><b>L%u table "
		"0x%llx</b></td></tr>", id, level, id);
	for (i = 0; i < n; i++)
		dot_row(d, &runs[i], level);
	if (!n)
		fputs("<tr><td>(empty)</td></tr>", d->out);
	fputs("</table>>];\n", d->out);
	for (i = 0; i < n && !d->err; i++) {
		if (runs[i].kind != PGT_RUN_TABLE)
			continue;
		fprintf(d->out, "  t%llx:e%u -> t%llx;\n", id, runs[i].first,
			ull((uintptr_t)pgt_run_child(d, &runs[i])));
		dot_table(d, pgt_run_child(d, &runs[i]), level - 1,
			  runs[i].iova_first);
	}
	free(runs);
}

void pgt_dump_dot(struct pgt_dump *d)
{
	const struct uvf_pgtable_info *in = &d->f->info;
	size_t i;

	fprintf(d->out, "digraph pgtable {\n  rankdir=LR;\n  labelloc=t;\n"
		"  label=\"%s: %u levels, %u-bit IOVA (L1 holds 4K leaves)\";\n"
		"  node [shape=plaintext fontname=\"monospace\" fontsize=10];\n",
		in->name, in->levels, in->ias_bits);
	if (d->nmarks) {
		fputs("  legend [label=<<table border=\"0\" cellborder=\"1\" "
		      "cellspacing=\"0\"><tr><td><b>marks</b></td></tr>",
		      d->out);
		for (i = 0; i < d->nmarks; i++)
			fprintf(d->out, "<tr><td bgcolor=\"%s\">%s 0x%llx-0x%llx"
				"</td></tr>",
				row_colour(d, 1u << d->mark_kind[i]),
				d->marks[i].what, ull(d->marks[i].first),
				ull(d->marks[i].last));
		fputs("</table>>];\n", d->out);
	}
	dot_table(d, d->pt->root, in->levels, 0);
	fputs("}\n", d->out);
}
