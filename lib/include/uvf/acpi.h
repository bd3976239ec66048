/* SPDX-License-Identifier: MIT */
/*
 * Direct mappings that firmware describes in ACPI: Intel DMAR RMRR, AMD IVRS
 * IVMD and ARM IORT RMR. The kernel's IOMMU drivers parse these at init and
 * identity-map them into a device's domain when the domain is created,
 * before any DMA request; uvf does the same and keeps them out of the IOVA
 * allocator.
 *
 * Parsers take the table in its binary form and check signature, length and
 * checksum before trusting any field. A malformed table -- one whose
 * structure cannot be walked -- yields an error and no regions. An entry
 * that is well formed but describes an impossible range (a misaligned or
 * inverted RMRR, an IVMD with no length or an inverted device range, an
 * IORT RMR descriptor that is empty or not page aligned) is skipped,
 * counted in nr_skipped and traced, and the rest of the table is kept, as
 * Linux warns and goes on.
 */
#ifndef UVF_ACPI_H
#define UVF_ACPI_H

#include <uvf/types.h>

enum uvf_direct_source {
	UVF_DIRECT_DMAR_RMRR,
	UVF_DIRECT_IVRS_IVMD,
	UVF_DIRECT_IORT_RMR,
};

/*
 * How an IORT RMR asks for the window to be mapped (Linux: IOMMU_PRIV,
 * IOMMU_MMIO, IOMMU_CACHE). DMAR and IVRS carry no such attributes.
 */
enum uvf_direct_attr {
	UVF_DIRECT_ATTR_PRIV = 1 << 0,	/* privileged accesses only */
	UVF_DIRECT_ATTR_MMIO = 1 << 1,	/* Device memory (nGnRnE .. GRE) */
	UVF_DIRECT_ATTR_CACHE = 1 << 2,	/* Normal, write-back cacheable */
};

/* One identity-mapped window for a range of PCI requester IDs. */
struct uvf_direct_region {
	enum uvf_direct_source source;
	uint16_t segment;	/* PCI segment group */
	uint16_t rid_first;	/* requester IDs (bus << 8 | devfn) covered */
	uint16_t rid_last;
	uvf_iova_t first;	/* identity window: IOVA == physical address */
	uvf_iova_t last;	/* inclusive */
	int prot;		/* UVF_PROT_* the firmware grants */
	/* The kernel's "direct-relaxable": the mapping may be dropped when the
	 * device is assigned (RMRRs of USB/graphics, IORT RMR with remapping
	 * permitted). uvf cannot see a device's class in the DMAR, so DMAR
	 * regions are never marked relaxable. */
	bool relaxable;
	int attrs;		/* UVF_DIRECT_ATTR_*; 0 unless IORT RMR */
};

struct uvf_direct_regions {
	struct uvf_direct_region *v;
	size_t nr;
	/* Device-scope entries that could not be turned into requester IDs,
	 * reported rather than guessed: DMAR paths through bridges when no
	 * resolver was given or it failed, the devices below a DMAR PCI
	 * sub-hierarchy scope (the bridge itself gets a region), non-PCI
	 * scopes (IOAPIC, HPET, ACPI namespace), IORT RMR stream IDs that no
	 * root complex maps to. */
	size_t nr_unresolved;
	/* Entries skipped because firmware got them wrong in one place; see
	 * the top of this file. */
	size_t nr_skipped;
};

/*
 * Resolves a DMAR device-scope path (start bus, then (device, function)
 * hops through bridges) to the requester ID of the end device. Returns 0 or
 * a negative errno.
 */
typedef int (*uvf_acpi_path_resolver)(void *arg, uint16_t segment,
				      uint8_t start_bus, const uint8_t *path,
				      size_t hops, uint16_t *rid);

/**
 * uvf_acpi_parse() - parse a DMAR, IVRS or IORT table from memory
 * @buf: table bytes, starting with the 36-byte ACPI header
 * @len: bytes available in @buf
 * @resolve: resolver for multi-hop DMAR paths, may be NULL
 * @arg: passed to @resolve
 * @out: receives the regions (appended to what it already holds); call
 *       uvf_direct_regions_fini() when done
 *
 * An RMRR, IVMD or IORT RMR descriptor whose own range is impossible is
 * skipped and counted in @out->nr_skipped (and traced); the other entries
 * are kept.
 *
 * Return: 0; -EPROTONOSUPPORT (signature is none of DMAR, IVRS, IORT);
 * -EBADMSG (@len too short for the header, length field larger than @len or
 * smaller than the table's fixed part, or checksum wrong); -EINVAL (@out or
 * @buf NULL, a structure inside runs past the table, has an impossible
 * length or reference, or the table yields more than 65536 regions);
 * -ENOMEM. On error @out is unchanged.
 */
int uvf_acpi_parse(const void *buf, size_t len, uvf_acpi_path_resolver resolve,
		   void *arg, struct uvf_direct_regions *out);

/**
 * uvf_acpi_load() - read a table file and parse it
 * @signature: "DMAR", "IVRS" or "IORT"
 * @path: file to read; NULL means /sys/firmware/acpi/tables/<signature>
 * @resolve: as for uvf_acpi_parse()
 * @arg: as for uvf_acpi_parse()
 * @out: as for uvf_acpi_parse()
 *
 * Return: 0; -ENOENT (no such table); -EBADMSG or -EINVAL as for
 * uvf_acpi_parse(); -EPROTO when the file holds a table of another
 * signature; -EPROTONOSUPPORT when @signature is none of the three;
 * -ENAMETOOLONG; other negative errnos from reading the file. On error @out
 * is unchanged.
 */
int uvf_acpi_load(const char *signature, const char *path,
		  uvf_acpi_path_resolver resolve, void *arg,
		  struct uvf_direct_regions *out);

/**
 * uvf_acpi_load_system() - load every direct-mapping table the firmware
 *                          provides
 * @root: directory holding the tables; NULL means /sys/firmware/acpi/tables
 * @out: as for uvf_acpi_parse()
 *
 * Tables that do not exist are skipped; a table that exists but is
 * malformed fails the whole call.
 *
 * Return: 0 or a negative errno as for uvf_acpi_load(); on error @out is
 * unchanged.
 */
int uvf_acpi_load_system(const char *root, struct uvf_direct_regions *out);

/**
 * uvf_direct_regions_for_rid() - the regions that apply to one device
 * @all: regions from the parsers
 * @segment: PCI segment of the device
 * @rid: requester ID of the device (bus << 8 | devfn)
 * @out: receives copies of the matching regions (appended)
 *
 * Return: number of regions appended, or -EINVAL (@all or @out NULL) or
 * -ENOMEM (@out unchanged).
 */
int uvf_direct_regions_for_rid(const struct uvf_direct_regions *all,
			       uint16_t segment, uint16_t rid,
			       struct uvf_direct_regions *out);

/**
 * uvf_direct_regions_fini() - free the regions' storage
 * @r: regions; left empty and reusable
 *
 * Return: nothing.
 */
void uvf_direct_regions_fini(struct uvf_direct_regions *r);

/**
 * uvf_direct_source_name() - "DMAR RMRR", "IVRS IVMD" or "IORT RMR"
 * @src: source
 *
 * Return: a static string ("unknown" for a value outside the enum).
 */
const char *uvf_direct_source_name(enum uvf_direct_source src);

#endif
