/* SPDX-License-Identifier: MIT */
/* Assertions shared by the ACPI parser tests. */
#ifndef UVF_TEST_ACPI_TEST_H
#define UVF_TEST_ACPI_TEST_H

#include <uvf/acpi.h>

#include "table_builder.h"

/* Field-by-field expectation for one region. */
struct want_region {
	enum uvf_direct_source source;
	uint16_t segment;
	uint16_t rid_first;
	uint16_t rid_last;
	uint64_t first;
	uint64_t last;
	int prot;
	bool relaxable;
	int attrs;
};

void ck_region(const struct uvf_direct_region *r, const struct want_region *w);

/* A copy of @r's contents (and its array pointer) to compare against. */
struct regions_snapshot {
	struct uvf_direct_region *v;
	const struct uvf_direct_region *ptr;
	size_t nr;
	size_t nr_unresolved;
};

void snapshot_take(struct regions_snapshot *s,
		   const struct uvf_direct_regions *r);
void snapshot_check_unchanged(const struct regions_snapshot *s,
			      const struct uvf_direct_regions *r);
void snapshot_free(struct regions_snapshot *s);

/* @out holding one sentinel region, so "unchanged" means something. */
void regions_with_sentinel(struct uvf_direct_regions *out);

/*
 * Every strict prefix of the finished table fails with -EBADMSG (its
 * length field no longer fits), and for every prefix re-declared as the
 * whole table (length field and checksum fixed up) the parser returns 0
 * exactly at the builder's cut points, -EBADMSG below the fixed part and
 * -EINVAL elsewhere; errors leave the output unchanged.
 */
void ck_every_prefix(const struct tb *b, size_t fixed_len);

#endif
