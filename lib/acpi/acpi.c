/* SPDX-License-Identifier: MIT */
/*
 * Entry points of the ACPI layer: checking the common header before any
 * table-specific parser sees the bytes, and the region-list helpers.
 */
#include <stdlib.h>
#include <string.h>

#include "table.h"

enum acpi_kind { ACPI_DMAR, ACPI_IVRS, ACPI_IORT };

static const struct {
	char sig[4];
	uint32_t fixed_len;
} acpi_kinds[] = {
	[ACPI_DMAR] = { { 'D', 'M', 'A', 'R' }, DMAR_FIXED_LEN },
	[ACPI_IVRS] = { { 'I', 'V', 'R', 'S' }, IVRS_FIXED_LEN },
	[ACPI_IORT] = { { 'I', 'O', 'R', 'T' }, IORT_FIXED_LEN },
};

static int acpi_kind_of(const uint8_t *sig)
{
	size_t i;

	for (i = 0; i < sizeof(acpi_kinds) / sizeof(acpi_kinds[0]); i++)
		if (!memcmp(sig, acpi_kinds[i].sig, 4))
			return (int)i;
	return -EPROTONOSUPPORT;
}

/* The sum of every byte of the table, checksum field included, is 0. */
static bool acpi_checksum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

int uvf_acpi_parse(const void *buf, size_t len, uvf_acpi_path_resolver resolve,
		   void *arg, struct uvf_direct_regions *out)
{
	struct acpi_collect c = { 0 };
	struct acpi_table t;
	const uint8_t *p = buf;
	uint32_t declared;
	int kind, ret;

	if (!out || (!buf && len))
		return -EINVAL;
	if (len < 4)
		return -EBADMSG;
	kind = acpi_kind_of(p);
	if (kind < 0)
		return kind;
	if (len < ACPI_HDR_LEN)
		return -EBADMSG;
	declared = acpi_get32(p + ACPI_HDR_LENGTH_OFF);
	if (declared > len || declared < acpi_kinds[kind].fixed_len)
		return -EBADMSG;
	if (!acpi_checksum_ok(p, declared))
		return -EBADMSG;

	t = (struct acpi_table){
		.p = p,
		.len = declared,
		.revision = p[ACPI_HDR_REVISION_OFF],
	};
	switch (kind) {
	case ACPI_DMAR:
		ret = uvf_acpi_dmar_collect(&t, resolve, arg, &c);
		break;
	case ACPI_IVRS:
		ret = uvf_acpi_ivrs_collect(&t, &c);
		break;
	default:
		ret = uvf_acpi_iort_collect(&t, &c);
		break;
	}
	if (!ret)
		ret = uvf_acpi_regions_append(out, &c);
	uvf_acpi_collect_fini(&c);
	return ret;
}

static bool region_has(const struct uvf_direct_region *r, uint16_t segment,
		       uint16_t rid)
{
	return r->segment == segment && r->rid_first <= rid &&
	       rid <= r->rid_last;
}

int uvf_direct_regions_for_rid(const struct uvf_direct_regions *all,
			       uint16_t segment, uint16_t rid,
			       struct uvf_direct_regions *out)
{
	struct uvf_direct_region *v;
	size_t i, n = 0;
	int ret;

	if (!all || !out)
		return -EINVAL;
	for (i = 0; i < all->nr; i++)
		n += region_has(&all->v[i], segment, rid);
	if (!n)
		return 0;
	if (n > INT32_MAX)
		return -ENOMEM;

	v = malloc(n * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0, n = 0; i < all->nr; i++)
		if (region_has(&all->v[i], segment, rid))
			v[n++] = all->v[i];
	ret = uvf_acpi_regions_append(out, &(struct acpi_collect){ .v = v,
								  .nr = n });
	free(v);
	return ret ? ret : (int)n;
}

void uvf_direct_regions_fini(struct uvf_direct_regions *r)
{
	if (!r)
		return;
	free(r->v);
	memset(r, 0, sizeof(*r));
}

const char *uvf_direct_source_name(enum uvf_direct_source src)
{
	switch (src) {
	case UVF_DIRECT_DMAR_RMRR:
		return "DMAR RMRR";
	case UVF_DIRECT_IVRS_IVMD:
		return "IVRS IVMD";
	case UVF_DIRECT_IORT_RMR:
		return "IORT RMR";
	}
	return "unknown";
}
