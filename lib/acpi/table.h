/* SPDX-License-Identifier: MIT */
/*
 * Private to the ACPI layer: little-endian field readers, the view of a
 * table whose header has been checked, and the list the per-table parsers
 * collect regions into before anything reaches the caller.
 */
#ifndef UVF_ACPI_TABLE_H
#define UVF_ACPI_TABLE_H

#include <uvf/acpi.h>

/* Common ACPI description header: signature, length, revision, checksum,
 * OEM fields. */
#define ACPI_HDR_LEN 36u
#define ACPI_HDR_LENGTH_OFF 4u
#define ACPI_HDR_REVISION_OFF 8u

/*
 * A table of a few KiB can describe far more IORT regions than that
 * (descriptors x requester-ID ranges), so a hostile or corrupt table could
 * make us allocate without bound. No real platform comes near this.
 */
#define ACPI_MAX_REGIONS (1u << 16)

/* ACPI tables are little-endian and their fields unaligned: read bytes. */
static inline uint16_t acpi_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t acpi_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t acpi_get64(const uint8_t *p)
{
	return (uint64_t)acpi_get32(p) | (uint64_t)acpi_get32(p + 4) << 32;
}

/* A table whose signature, length and checksum have been checked. */
struct acpi_table {
	const uint8_t *p;
	uint32_t len;		/* declared length, within the buffer */
	uint8_t revision;
};

/* Regions gathered from one table; handed over only if it all parses. */
struct acpi_collect {
	struct uvf_direct_region *v;
	size_t nr;
	size_t cap;
	size_t nr_unresolved;
	size_t nr_skipped;	/* entries with an impossible range */
};

int uvf_acpi_collect_add(struct acpi_collect *c,
			 const struct uvf_direct_region *r);
void uvf_acpi_collect_fini(struct acpi_collect *c);
/* Counts and traces an entry skipped for its impossible range; @what names
 * it and its two range fields as the table gives them ("DMAR RMRR (base,
 * end)"). Returns 0, so a parser can go on with the next entry. */
int uvf_acpi_skip(struct acpi_collect *c, const char *what, uint64_t a,
		  uint64_t b, const char *why);
/* Appends @c's regions and counts to @out, all or nothing. */
int uvf_acpi_regions_append(struct uvf_direct_regions *out,
			    const struct acpi_collect *c);

/* Fixed part (header + table-specific fields) before the sub-structures. */
#define DMAR_FIXED_LEN 48u
#define IVRS_FIXED_LEN 48u
#define IORT_FIXED_LEN 48u

int uvf_acpi_dmar_collect(const struct acpi_table *t,
			  uvf_acpi_path_resolver resolve, void *arg,
			  struct acpi_collect *c);
int uvf_acpi_ivrs_collect(const struct acpi_table *t, struct acpi_collect *c);
int uvf_acpi_iort_collect(const struct acpi_table *t, struct acpi_collect *c);

#endif
