/* SPDX-License-Identifier: MIT */
/*
 * IOMMUs and their domains.
 *
 * A struct uvf_iommu is one translation unit behind which devices sit: the
 * software model (uvf/sim.h), a VFIO type1 container or an iommufd context
 * (uvf/vfio.h). Each domain holds its backend's private table of domain
 * operations, so the IOVA allocator, reserved-region handling, the mapping
 * records and the dma_map_page flow on top are shared.
 *
 * Threads: every call on a domain may run concurrently with any other on it
 * (destroy excepted). On VFIO backends the map and unmap system calls are
 * made without the domain lock, so mappers of one domain do not wait for each
 * other's page pinning; the range is reserved first, so racing calls on one
 * range still get -EEXIST or -ENOENT and a failed call leaves nothing behind.
 * The software model writes its page tables under the domain lock.
 *
 * A domain is one I/O address space. Translated domains have page tables and
 * an IOVA allocator over their usable ranges: the backend's aperture minus
 * every reserved region of every attached device (firmware direct regions,
 * MSI windows, ...). Direct domains (identity, passthrough, noiommu) have no
 * page tables: a device address is computed from the CPU address. Several
 * devices may share a domain.
 */
#ifndef UVF_IOMMU_H
#define UVF_IOMMU_H

#include <uvf/pgtable.h>
#include <uvf/types.h>

struct uvf_device;
struct uvf_iommu;
struct uvf_domain;
struct uvf_iova_allocator;

enum uvf_domain_type {
	UVF_DOMAIN_TRANSLATED,	/* IOVAs go through I/O page tables */
	UVF_DOMAIN_DIRECT,	/* device address = physical address */
};

/* Like the kernel's enum iommu_resv_type. */
enum uvf_resv_type {
	UVF_RESV_DIRECT,		/* must stay identity-mapped */
	UVF_RESV_DIRECT_RELAXABLE,	/* identity-mapped, may be dropped */
	UVF_RESV_RESERVED,		/* never mapped */
	UVF_RESV_MSI,			/* hardware MSI window */
	UVF_RESV_SW_MSI,		/* software-managed MSI window */
};

struct uvf_resv_region {
	uvf_iova_t first;
	uvf_iova_t last;	/* inclusive */
	enum uvf_resv_type type;
	int prot;		/* for the direct types */
};

/* When the IOTLB is invalidated after an unmap (the kernel's
 * iommu.strict=1 / lazy flush queue). */
enum uvf_inval_policy {
	UVF_INVAL_STRICT,	/* invalidate at every unmap */
	UVF_INVAL_DEFERRED,	/* queue unmapped IOVAs, flush in batches */
};

struct uvf_domain_stats {
	uint64_t maps, unmaps;
	uint64_t mapped_bytes;		/* currently mapped */
	uint64_t invalidations;		/* IOTLB invalidation requests */
	uint64_t fq_flushes;		/* deferred flush-queue drains */
	uint64_t fq_pending;		/* IOVAs waiting in the flush queue */
};

/**
 * uvf_iommu_name() - short name of the backend ("sim-vtd-sl4", "type1", ...)
 * @iommu: IOMMU
 *
 * Return: a string owned by @iommu.
 */
const char *uvf_iommu_name(const struct uvf_iommu *iommu);

/**
 * uvf_iommu_destroy() - tear down an IOMMU
 * @iommu: IOMMU, may be NULL
 *
 * Return: 0, or -EBUSY (domains still exist; nothing done).
 */
int uvf_iommu_destroy(struct uvf_iommu *iommu);

/**
 * uvf_domain_create() - create an empty domain on an IOMMU
 * @iommu: IOMMU
 * @type: translated or direct; a backend without translation (noiommu)
 *        accepts only direct
 * @out: the new domain
 *
 * Return: 0, -EINVAL (bad type), -ENOTSUP (the backend cannot make a domain
 * of that type), -ENOMEM, or an error from the backend.
 */
int uvf_domain_create(struct uvf_iommu *iommu, enum uvf_domain_type type,
		      struct uvf_domain **out);

/**
 * uvf_domain_destroy() - free a domain, unmapping whatever is still mapped
 * @dom: domain, may be NULL
 *
 * Return: 0, or -EBUSY (devices still attached; nothing done).
 */
int uvf_domain_destroy(struct uvf_domain *dom);

/**
 * uvf_domain_attach() - put a device into a domain
 * @dom: domain
 * @dev: device on the same IOMMU, not attached elsewhere
 *
 * The kernel's iommu_create_device_direct_mappings(): every firmware direct
 * region of the device (ACPI RMRR / IVMD / RMR) is identity-mapped into the
 * domain now, before any DMA request, and with the device's other reserved
 * regions taken out of the IOVA allocator.
 *
 * Return: 0; -EBUSY (already attached to a domain); -EXDEV (device is on
 * another IOMMU); -EEXIST (a direct region collides with an existing
 * mapping of the domain); -ENOMEM; or a backend error. On failure nothing
 * stays mapped or reserved.
 */
int uvf_domain_attach(struct uvf_domain *dom, struct uvf_device *dev);

/**
 * uvf_domain_detach() - take a device out of its domain
 * @dom: domain
 * @dev: attached device
 *
 * Return: 0, or -ENOENT (not attached to @dom).
 */
int uvf_domain_detach(struct uvf_domain *dom, struct uvf_device *dev);

/**
 * uvf_domain_type() - the domain's type
 * @dom: domain
 *
 * Return: UVF_DOMAIN_TRANSLATED or UVF_DOMAIN_DIRECT.
 */
enum uvf_domain_type uvf_domain_type(const struct uvf_domain *dom);

/**
 * uvf_domain_iommu() - the IOMMU a domain lives on
 * @dom: domain
 *
 * Return: the IOMMU.
 */
struct uvf_iommu *uvf_domain_iommu(const struct uvf_domain *dom);

/**
 * uvf_domain_map() - map process memory at a caller-chosen IOVA
 * @dom: translated domain
 * @iova: first IOVA, page aligned
 * @vaddr: first byte of memory, page aligned
 * @len: bytes, a non-zero multiple of the page size
 * @prot: UVF_PROT_READ and/or UVF_PROT_WRITE
 *
 * The range is taken out of the domain's IOVA allocator for as long as it is
 * mapped.
 *
 * Return: 0; -EINVAL (zero/unaligned length or address, bad @prot, direct
 * domain); -EOVERFLOW (@iova + @len wraps); -ERANGE (outside the usable
 * ranges, reserved regions included); -EEXIST (overlaps a mapping);
 * -ENOSPC (the backend's mapping budget is used up); -ENOMEM. Nothing is
 * mapped on failure.
 */
int uvf_domain_map(struct uvf_domain *dom, uvf_iova_t iova, void *vaddr,
		   uint64_t len, int prot);

/**
 * uvf_domain_unmap() - remove a mapping made with uvf_domain_map()
 * @dom: translated domain
 * @iova: the IOVA given to uvf_domain_map()
 * @len: the length given to uvf_domain_map()
 *
 * Return: 0; -EINVAL (zero or unaligned); -EOVERFLOW; -ENOENT (not exactly
 * a mapping made by uvf_domain_map(); nothing unmapped).
 */
int uvf_domain_unmap(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len);

/**
 * uvf_domain_iova_ranges() - usable IOVA ranges: the aperture minus every
 *                            reserved region of the attached devices
 * @dom: domain
 * @out: array to fill, may be NULL when @max is 0
 * @max: entries in @out
 *
 * Return: the number of ranges (which may exceed @max: call again with a
 * larger array), or a negative errno.
 */
int uvf_domain_iova_ranges(struct uvf_domain *dom, struct uvf_iova_range *out,
			   size_t max);

/**
 * uvf_domain_reserved_regions() - reserved regions applied to the domain
 * @dom: domain
 * @out: array to fill, may be NULL when @max is 0
 * @max: entries in @out
 *
 * Return: the number of regions (may exceed @max), or a negative errno.
 */
int uvf_domain_reserved_regions(struct uvf_domain *dom,
				struct uvf_resv_region *out, size_t max);

/**
 * uvf_domain_set_inval_policy() - choose strict or deferred invalidation
 * @dom: translated domain
 * @policy: UVF_INVAL_STRICT or UVF_INVAL_DEFERRED
 * @batch: deferred: drain the flush queue when it holds this many entries
 *         (1..65536; 0 picks the default, 256)
 * @timeout_us: deferred: drain at the latest this long after the first
 *              queued entry (0 picks the default, 10000)
 *
 * Switching to strict drains the queue first.
 *
 * Return: 0, -EINVAL (bad policy or batch, direct domain), -ENOMEM, or an
 * error starting the flush timer; on error the policy, queue and settings
 * are unchanged.
 */
int uvf_domain_set_inval_policy(struct uvf_domain *dom,
				enum uvf_inval_policy policy,
				unsigned int batch, unsigned int timeout_us);

/**
 * uvf_domain_flush() - drain the deferred flush queue now
 * @dom: domain
 *
 * Return: 0, or a negative errno from the backend's invalidation.
 */
int uvf_domain_flush(struct uvf_domain *dom);

/**
 * uvf_domain_budget() - mapping entries the backend still accepts
 * @dom: domain
 * @avail: remaining entries; UINT64_MAX when the backend has no limit
 *
 * VFIO type1 limits a container to dma_entry_limit (65535 by default)
 * mappings; uvf merges adjacent mappings so that the entry limit does not
 * become the memory limit.
 *
 * Return: 0 or a negative errno.
 */
int uvf_domain_budget(struct uvf_domain *dom, uint64_t *avail);

/* uvf_domain_read_dirty(): leave the dirty bits set (read only). */
#define UVF_DIRTY_NO_CLEAR 0x1u

/**
 * uvf_domain_set_dirty_tracking() - start or stop recording device writes
 * @dom: translated domain
 * @enable: true to start, false to stop
 *
 * While on, every page a device writes through the domain is marked dirty
 * in its I/O page table (the model's leaf dirty bit; the IOMMU's on
 * iommufd, for each HWPT of the domain allocated with
 * UVF_HWPT_DIRTY_TRACKING, see uvf_vfio_hwpt_alloc()). Starting clears
 * the bits left from before.
 *
 * Return: 0; -EINVAL (NULL or direct domain); -ENOTSUP (the backend or its
 * page-table format cannot track: VFIO type1 and noiommu, the model's ARM
 * LPAE format, an iommufd domain without a dirty-tracking HWPT); or a
 * kernel error.
 */
int uvf_domain_set_dirty_tracking(struct uvf_domain *dom, bool enable);

/**
 * uvf_domain_read_dirty() - the pages devices wrote since the last read
 * @dom: translated domain with dirty tracking on
 * @iova: first IOVA, a multiple of @page_size
 * @len: bytes, a non-zero multiple of @page_size
 * @page_size: granule of the bitmap, a power of two of at least 4 KiB
 * @bitmap: DIV_ROUND_UP(@len / @page_size, 64) words, zeroed here; bit i
 *	(bit i % 64 of word i / 64) is set when a device wrote into
 *	[@iova + i * @page_size, @iova + (i + 1) * @page_size)
 * @flags: 0 to clear what was read, or UVF_DIRTY_NO_CLEAR
 *
 * A page mapped by a large leaf (or a large IOMMU page) is reported with
 * every other page of that leaf.
 *
 * Return: 0; -EINVAL (bad argument, or dirty tracking is off); -EOVERFLOW
 * (@iova + @len wraps); -ERANGE (beyond the software model's aperture);
 * -ENOTSUP (as for uvf_domain_set_dirty_tracking()); or a kernel error.
 * @bitmap is left untouched on every error but a kernel's.
 */
int uvf_domain_read_dirty(struct uvf_domain *dom, uvf_iova_t iova,
			  uint64_t len, uint64_t page_size, uint64_t *bitmap,
			  unsigned int flags);

/**
 * uvf_domain_get_stats() - counters of a domain
 * @dom: domain
 * @st: filled in
 *
 * Return: nothing.
 */
void uvf_domain_get_stats(struct uvf_domain *dom, struct uvf_domain_stats *st);

/**
 * uvf_domain_iova_allocator() - the allocator the DMA layer draws from
 * @dom: domain
 *
 * Return: the allocator, or NULL for a direct domain.
 */
struct uvf_iova_allocator *uvf_domain_iova_allocator(struct uvf_domain *dom);

/* Called by uvf_domain_destroy() for each cookie still set. */
typedef void (*uvf_domain_cookie_fn)(struct uvf_domain *dom, void *data);

/**
 * uvf_domain_cookie_set() - hang state of another layer on a domain
 * @dom: domain
 * @key: identifies the cookie (the address of something the owner has,
 *       say a static variable); not NULL
 * @data: the owner's state
 * @destroy: called by uvf_domain_destroy() with @dom still fully usable
 *           (its mappings, allocator and registered memory intact), before
 *           anything is torn down; may be NULL
 *
 * A layer above the IOMMU (lib/dpdk, say) keeps per-domain state this way
 * and gets a destructor when the domain goes away, without the IOMMU layer
 * knowing it. uvf_domain_destroy() runs destructors in the reverse order
 * the cookies were set, without the domain lock held, and only once it is
 * sure to destroy the domain (no device attached).
 *
 * Return: 0; -EINVAL (NULL @dom or @key); -EEXIST (a cookie with @key is
 * already set; nothing changed); -ENOMEM.
 */
int uvf_domain_cookie_set(struct uvf_domain *dom, const void *key, void *data,
			  uvf_domain_cookie_fn destroy);

/**
 * uvf_domain_cookie_get() - the data of a cookie
 * @dom: domain
 * @key: the key given to uvf_domain_cookie_set()
 *
 * Return: the data, or NULL when no cookie with @key is set.
 */
void *uvf_domain_cookie_get(struct uvf_domain *dom, const void *key);

/**
 * uvf_domain_cookie_clear() - remove a cookie without calling its destructor
 * @dom: domain
 * @key: the key given to uvf_domain_cookie_set()
 *
 * Return: 0, -EINVAL (NULL argument) or -ENOENT (no such cookie).
 */
int uvf_domain_cookie_clear(struct uvf_domain *dom, const void *key);

/**
 * uvf_domain_dump() - draw a translated domain's I/O address space
 * @dom: translated domain
 * @form: text, DOT (Graphviz) or JSON
 * @out: where the drawing goes
 *
 * On the software model: the domain's page table as uvf_pgtable_dump()
 * draws it, with the firmware direct regions, the other reserved regions
 * and the pages the IOTLB holds for the domain marked. On VFIO, where the
 * kernel's tables cannot be read: the domain's mappings (IOVA, length,
 * memory, permissions; "?" for those the kernel placed, whose memory uvf
 * does not record) and its reserved regions. Runs under the domain lock:
 * maps and unmaps wait for it.
 *
 * Return: 0; -EINVAL (NULL @dom or @out, unknown @form, a direct domain:
 * it has no tables); -ENOMEM; -EIO (writing to @out failed).
 */
int uvf_domain_dump(struct uvf_domain *dom, enum uvf_dump_form form,
		    FILE *out);

/**
 * uvf_resv_type_name() - "direct", "direct-relaxable", "reserved", "msi" or
 *                        "sw-msi", as in sysfs reserved_regions
 * @type: type
 *
 * Return: a static string.
 */
const char *uvf_resv_type_name(enum uvf_resv_type type);

#endif
