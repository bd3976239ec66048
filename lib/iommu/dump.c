/* SPDX-License-Identifier: MIT */
/*
 * uvf_domain_dump(): a backend with readable tables (the software model)
 * draws them, with the domain's reserved regions as marks; for one whose
 * tables the kernel keeps (VFIO) the mapping records and reserved regions
 * are listed in the same three forms.
 */
#include <stdlib.h>

#include "iommu/domain.h"

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

static int cmp_rec(const void *a, const void *b)
{
	const struct uvf_maprec *x = a, *y = b;

	return x->iova < y->iova ? -1 : x->iova > y->iova;
}

/* The committed records in IOVA order, malloc'ed; count or -ENOMEM. */
static int sorted_records(const struct uvf_domain *dom,
			  struct uvf_maprec **out)
{
	struct uvf_maprec *v = malloc((dom->maps.count + 1) * sizeof(*v));
	size_t i, n = 0;

	if (!v)
		return -ENOMEM;
	for (i = 0; i <= dom->maps.mask; i++) {
		const struct uvf_maprec *r = &dom->maps.slot[i];

		if (r->len && !(r->data & UVF_MAPREC_MAPPING))
			v[n++] = *r;
	}
	qsort(v, n, sizeof(*v), cmp_rec);
	*out = v;
	return (int)n;
}

static const char *prot_name(uint64_t data)
{
	static const char *const name[] = { "?", "r-", "-w", "rw" };

	return name[(data >> UVF_MAPREC_PROT_SHIFT) & UVF_PROT_RW];
}

static void text_mappings(const struct uvf_domain *dom,
			  const struct uvf_maprec *v, size_t n, FILE *out)
{
	size_t i;

	fprintf(out, "# %s domain %u: the kernel keeps the page tables "
		"(not readable); %zu mapping(s)\n", dom->iommu->name, dom->id,
		n);
	for (i = 0; i < n; i++) {
		fprintf(out, "iova 0x%llx-0x%llx len 0x%llx ", ull(v[i].iova),
			ull(v[i].iova + v[i].len - 1), ull(v[i].len));
		if (v[i].vaddr)
			fprintf(out, "va 0x%llx%s", ull(v[i].vaddr),
				v[i].data & UVF_MAPREC_SCATTERED ?
					" (scattered)" : "");
		else
			fputs("va ?", out);
		fprintf(out, " %s\n", prot_name(v[i].data));
	}
	for (i = 0; i < dom->nr_resv; i++)
		fprintf(out, "# reserved %s [0x%llx-0x%llx]\n",
			uvf_resv_type_name(dom->resv[i].type),
			ull(dom->resv[i].first), ull(dom->resv[i].last));
}

static void dot_mappings(const struct uvf_domain *dom,
			 const struct uvf_maprec *v, size_t n, FILE *out)
{
	size_t i;

	fprintf(out, "digraph domain {\n  labelloc=t;\n  label=\"%s domain "
		"%u: mappings (the kernel keeps the page tables)\";\n"
		"  node [shape=plaintext fontname=\"monospace\" fontsize=10];\n"
		"  maps [label=<<table border=\"0\" cellborder=\"1\" "
		"cellspacing=\"0\"><tr><td bgcolor=\"gray85\"><b>iova</b></td>"
		"<td bgcolor=\"gray85\"><b>len</b></td><td bgcolor=\"gray85\">"
		"<b>va</b></td><td bgcolor=\"gray85\"><b>prot</b></td></tr>",
		dom->iommu->name, dom->id);
	for (i = 0; i < n; i++)
		fprintf(out, "<tr><td>0x%llx</td><td>0x%llx</td><td>0x%llx</td>"
			"<td>%s</td></tr>", ull(v[i].iova), ull(v[i].len),
			ull(v[i].vaddr), prot_name(v[i].data));
	fputs("</table>>];\n", out);
	if (!dom->nr_resv) {
		fputs("}\n", out);
		return;
	}
	fputs("  resv [label=<<table border=\"0\" cellborder=\"1\" "
	      "cellspacing=\"0\"><tr><td bgcolor=\"gray85\"><b>reserved"
	      "</b></td></tr>", out);
	for (i = 0; i < dom->nr_resv; i++)
		fprintf(out, "<tr><td bgcolor=\"lightpink\">%s 0x%llx-0x%llx"
			"</td></tr>", uvf_resv_type_name(dom->resv[i].type),
			ull(dom->resv[i].first), ull(dom->resv[i].last));
	fputs("</table>>];\n}\n", out);
}

static void json_mappings(const struct uvf_domain *dom,
			  const struct uvf_maprec *v, size_t n, FILE *out)
{
	size_t i;

	fprintf(out, "{\"iommu\":\"%s\",\"domain\":%u,\"tables\":false,"
		"\"mappings\":[", dom->iommu->name, dom->id);
	for (i = 0; i < n; i++) {
		fprintf(out, "%s\n{\"iova\":\"0x%llx\",\"len\":\"0x%llx\","
			"\"prot\":\"%s\",\"scattered\":%s,\"va\":", i ? "," : "",
			ull(v[i].iova), ull(v[i].len), prot_name(v[i].data),
			v[i].data & UVF_MAPREC_SCATTERED ? "true" : "false");
		if (v[i].vaddr)
			fprintf(out, "\"0x%llx\"}", ull(v[i].vaddr));
		else
			fputs("null}", out);
	}
	fputs("],\n\"reserved\":[", out);
	for (i = 0; i < dom->nr_resv; i++)
		fprintf(out, "%s{\"type\":\"%s\",\"first\":\"0x%llx\","
			"\"last\":\"0x%llx\"}", i ? "," : "",
			uvf_resv_type_name(dom->resv[i].type),
			ull(dom->resv[i].first), ull(dom->resv[i].last));
	fputs("]}\n", out);
}

static int dump_mappings(const struct uvf_domain *dom, enum uvf_dump_form form,
			 FILE *out)
{
	static void (*const writer[UVF_DUMP_NR_FORMS])(
		const struct uvf_domain *, const struct uvf_maprec *, size_t,
		FILE *) = {
		[UVF_DUMP_TEXT] = text_mappings,
		[UVF_DUMP_DOT] = dot_mappings,
		[UVF_DUMP_JSON] = json_mappings,
	};
	struct uvf_maprec *v;
	int n = sorted_records(dom, &v);

	if (n < 0)
		return n;
	writer[form](dom, v, (size_t)n, out);
	free(v);
	return fflush(out) || ferror(out) ? -EIO : 0;
}

/* The reserved regions as marks for a page-table drawing. */
static int dump_tables(struct uvf_domain *dom, enum uvf_dump_form form,
		       FILE *out)
{
	struct uvf_pgtable_mark *m = malloc((dom->nr_resv + 1) * sizeof(*m));
	size_t i;
	int ret;

	if (!m)
		return -ENOMEM;
	for (i = 0; i < dom->nr_resv; i++)
		m[i] = (struct uvf_pgtable_mark){
			.first = dom->resv[i].first,
			.last = dom->resv[i].last,
			.what = uvf_resv_type_name(dom->resv[i].type),
		};
	ret = dom->ops->dump(dom, form, m, dom->nr_resv, out);
	free(m);
	return ret;
}

int uvf_domain_dump(struct uvf_domain *dom, enum uvf_dump_form form,
		    FILE *out)
{
	int ret;

	if (!dom || !out || (unsigned int)form >= UVF_DUMP_NR_FORMS ||
	    dom->type != UVF_DOMAIN_TRANSLATED)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	if (dom->ops->dump)
		ret = dump_tables(dom, form, out);
	else
		ret = dump_mappings(dom, form, out);
	pthread_mutex_unlock(&dom->lock);
	return ret;
}
