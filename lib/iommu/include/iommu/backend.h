/* SPDX-License-Identifier: MIT */
/*
 * What an IOMMU backend (software model, VFIO type1, iommufd, noiommu)
 * implements: one domain table, chosen when a domain is created and held by
 * the domain. Everything above it -- IOVA allocation, reserved regions,
 * mapping records, invalidation policy, the dma_map_page flow -- is shared
 * by all backends, and backends reach it only through the helpers below and
 * in iommu/domain.h.
 */
#ifndef UVF_IOMMU_BACKEND_H
#define UVF_IOMMU_BACKEND_H

#include <pthread.h>

#include <uvf/acpi.h>
#include <uvf/iommu.h>
#include <uvf/pgtable.h>

/* One table per domain: what a backend does for the domains it makes. */
struct uvf_domain_ops {
	/* Bind backend state to a new domain (dom->priv). Called with the
	 * domain's type set; may refuse a type with -ENOTSUP. */
	int (*domain_init)(struct uvf_domain *dom);
	void (*domain_fini)(struct uvf_domain *dom);

	/* Put @dev behind @dom's translations (hardware: context entry).
	 * -EXDEV for a device this backend cannot drive. */
	int (*attach)(struct uvf_domain *dom, struct uvf_device *dev);
	void (*detach)(struct uvf_domain *dom, struct uvf_device *dev);

	/* Translated domains: write / remove translations of process memory.
	 * Arguments are validated by the caller, and the caller has reserved
	 * the range: no other map or unmap touches it meanwhile. With
	 * @unlocked_map the domain lock is not held (the kernel serialises
	 * its own tables); otherwise it is.
	 * @cookie is the mapping record's backend datum: map may add to it
	 * (one record can take several map calls, one per contiguous run),
	 * unmap gets it back for the whole range. @st may be NULL; backends
	 * with real page tables fill it. */
	int (*map)(struct uvf_domain *dom, uvf_iova_t iova, void *vaddr,
		   uint64_t len, int prot, uint64_t *cookie,
		   struct uvf_pgtable_op_stats *st);
	int (*unmap)(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len,
		     uint64_t cookie, struct uvf_pgtable_op_stats *st);
	bool unlocked_map;

	/* Identity-map a physical window (firmware direct regions). NULL
	 * when the kernel does that itself (VFIO). Domain lock held. */
	int (*map_phys)(struct uvf_domain *dom, uvf_iova_t iova,
			uint64_t paddr, uint64_t len, int prot);

	/* Direct domains: the device address of CPU address @vaddr. */
	int (*direct_addr)(struct uvf_domain *dom, const void *vaddr,
			   uint64_t len, uvf_iova_t *addr);

	/* The aperture: IOVA ranges the hardware can translate. @nr is the
	 * capacity of @out on entry, the number of ranges on return. */
	int (*iova_ranges)(struct uvf_domain *dom, struct uvf_iova_range *out,
			   size_t *nr);

	/* Reserved regions of one device (besides its firmware direct
	 * regions, which the core applies). Same @nr contract. */
	int (*reserved_regions)(struct uvf_domain *dom,
				struct uvf_device *dev,
				struct uvf_resv_region *out, size_t *nr);

	/* Invalidate the IOTLB for a range, or the whole domain when @len
	 * is 0. NULL when the kernel does it. */
	void (*invalidate)(struct uvf_domain *dom, uvf_iova_t iova,
			   uint64_t len);

	/* Mapping entries left (NULL: no limit). */
	int (*budget)(struct uvf_domain *dom, uint64_t *avail);

	/* Dirty tracking of translated domains (NULL: -ENOTSUP). Called
	 * without the domain lock, arguments validated; read_dirty zeroes
	 * @bitmap (uvf_dirty_bitmap_zero) only once tracking is known on. */
	int (*set_dirty_tracking)(struct uvf_domain *dom, bool enable);
	int (*read_dirty)(struct uvf_domain *dom, uvf_iova_t iova,
			  uint64_t len, uint64_t page_size, uint64_t *bitmap,
			  unsigned int flags);

	/* Draw the domain's page table with uvf_pgtable_dump(), adding
	 * marks of the backend's own (its IOTLB) to @marks. NULL when the
	 * tables are not readable (VFIO): uvf_domain_dump() then lists the
	 * mapping records. Domain lock held. */
	int (*dump)(struct uvf_domain *dom, enum uvf_dump_form form,
		    const struct uvf_pgtable_mark *marks, size_t nmarks,
		    FILE *out);
};

struct uvf_iommu_ops {
	/* The table for a new domain of @type, or -ENODEV while the backend
	 * is still undecided (a VFIO context before its first device). */
	int (*domain_ops)(struct uvf_iommu *iommu, enum uvf_domain_type type,
			  const struct uvf_domain_ops **ops);
	void (*destroy)(struct uvf_iommu *iommu);
};

struct uvf_iommu {
	const struct uvf_iommu_ops *ops;
	void *priv;
	char name[32];
	/* Firmware direct regions (ACPI) for devices behind this IOMMU. */
	struct uvf_direct_regions direct;
	pthread_mutex_t lock;	/* domain list */
	unsigned int nr_domains;
	uint16_t next_domid;
};

/**
 * uvf_iommu_init() - initialise the common part of a backend's IOMMU
 * @iommu: zeroed IOMMU
 * @ops: backend ops
 * @name: short name
 *
 * Return: 0 or a negative errno.
 */
int uvf_iommu_init(struct uvf_iommu *iommu, const struct uvf_iommu_ops *ops,
		   const char *name);

/**
 * uvf_iommu_set_direct_regions() - give the IOMMU the firmware direct
 *                                  regions (copied)
 * @iommu: IOMMU with no domains yet
 * @regions: regions from uvf_acpi_*()
 *
 * Return: 0, -EBUSY (domains exist), -ENOMEM.
 */
int uvf_iommu_set_direct_regions(struct uvf_iommu *iommu,
				 const struct uvf_direct_regions *regions);

#endif
