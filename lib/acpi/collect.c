/* SPDX-License-Identifier: MIT */
/*
 * Region lists: the growable one a parser fills, and appending a finished
 * list to the caller's regions in a single step that either fully happens
 * or leaves them untouched.
 */
#include <stdlib.h>
#include <string.h>

#include "table.h"
#include "util/trace.h"

int uvf_acpi_collect_add(struct acpi_collect *c,
			 const struct uvf_direct_region *r)
{
	if (c->nr == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct uvf_direct_region *v;

		if (c->nr >= ACPI_MAX_REGIONS)
			return -EINVAL;
		if (cap > ACPI_MAX_REGIONS)
			cap = ACPI_MAX_REGIONS;
		v = realloc(c->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	c->v[c->nr++] = *r;
	return 0;
}

int uvf_acpi_skip(struct acpi_collect *c, const char *what, uint64_t a,
		  uint64_t b, const char *why)
{
	c->nr_skipped++;
	uvf_trace("firmware bug: %s = (%#llx, %#llx) is %s; entry skipped, "
		  "the rest of the table kept", what, (unsigned long long)a,
		  (unsigned long long)b, why);
	return 0;
}

void uvf_acpi_collect_fini(struct acpi_collect *c)
{
	free(c->v);
	memset(c, 0, sizeof(*c));
}

int uvf_acpi_regions_append(struct uvf_direct_regions *out,
			    const struct acpi_collect *c)
{
	const struct uvf_direct_region *v = c->v;
	struct uvf_direct_region *nv;
	size_t nr = c->nr;

	if (nr) {
		if (out->nr > SIZE_MAX / sizeof(*nv) - nr)
			return -ENOMEM;
		nv = realloc(out->v, (out->nr + nr) * sizeof(*nv));
		if (!nv)
			return -ENOMEM;
		memcpy(nv + out->nr, v, nr * sizeof(*nv));
		out->v = nv;
		out->nr += nr;
	}
	out->nr_unresolved += c->nr_unresolved;
	out->nr_skipped += c->nr_skipped;
	return 0;
}
