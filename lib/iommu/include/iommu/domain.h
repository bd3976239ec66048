/* SPDX-License-Identifier: MIT */
/* The domain object, shared by the IOMMU core, the backends and the DMA
 * layer. */
#ifndef UVF_IOMMU_DOMAIN_H
#define UVF_IOMMU_DOMAIN_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "iommu/backend.h"
#include "util/maptable.h"

/*
 * A mapping record's datum (uvf_maprec.data): what the IOVA came from and
 * where the mapping stands in the low byte, the backend's cookie above it.
 * The record is the one place a mapping's length and cookie live.
 */
#define UVF_MAPREC_ALLOCATED 0x1ull	/* uvf_iova_alloc(): free_fast */
#define UVF_MAPREC_FIXED 0x2ull		/* uvf_iova_reserve(): free */
#define UVF_MAPREC_KIND_MASK 0x3ull
/* Reserved, its MAP call in flight without the domain lock: not yet a
 * mapping anyone may unmap. (An unmap in flight takes its record out of
 * the table instead.) */
#define UVF_MAPREC_MAPPING 0x4ull
/* The mapping's UVF_PROT_* bits, for uvf_domain_dump(); the record's vaddr
 * is its first byte of memory (of the first segment when SCATTERED). */
#define UVF_MAPREC_PROT_SHIFT 4
#define UVF_MAPREC_SCATTERED 0x40ull
#define UVF_MAPREC_COOKIE_SHIFT 8

static inline uint64_t uvf_maprec_cookie(uint64_t data)
{
	return data >> UVF_MAPREC_COOKIE_SHIFT;
}

struct uvf_fq_entry {
	uvf_iova_t iova;
	uint64_t len;
	uint64_t data;		/* the mapping record's data */
};

/* Page 0 stays out of the allocator, like the kernel's base_pfn >= 1, so a
 * zero IOVA is never a valid DMA address. */
#define UVF_PAGE_ZERO ((struct uvf_iova_range){ 0, UVF_PAGE_SIZE - 1 })

/* State of another layer hung on a domain (uvf_domain_cookie_set). A
 * cleared node keeps @next, so a reader standing on it walks on through
 * the live list; @cleared_next chains it for reuse by the same key. */
struct uvf_domain_cookie {
	_Atomic(struct uvf_domain_cookie *) next;
	const void *key;
	_Atomic(void *) data;
	uvf_domain_cookie_fn destroy;
	struct uvf_domain_cookie *cleared_next;
};

struct uvf_domain {
	struct uvf_iommu *iommu;
	const struct uvf_domain_ops *ops;	/* the backend's, for life */
	enum uvf_domain_type type;
	uint16_t id;
	void *priv;

	/* Serialises the records, reserved regions, device list and stats
	 * below, and page-table writes and walks of backends without
	 * unlocked_map. Never held across a kernel call on the map path. */
	pthread_mutex_t lock;
	struct uvf_iova_allocator *allocator;	/* IOVA space; own locking */
	struct uvf_iova_range aperture[8];
	size_t nr_aperture;
	struct uvf_maptable maps;
	uint64_t cookie_total;	/* of the records in maps */
	struct uvf_device **devices;
	size_t nr_devices, cap_devices;

	/* Reserved regions of every device ever attached; like the kernel's
	 * iova reservations they stay for the domain's lifetime. */
	struct uvf_resv_region *resv;
	size_t nr_resv, cap_resv;

	/* Deferred invalidation: the flush queue and its timer thread. */
	enum uvf_inval_policy policy;
	unsigned int fq_batch;
	unsigned int fq_timeout_us;
	struct uvf_fq_entry *fq;
	size_t fq_n;
	uint64_t fq_first_ns;
	pthread_t fq_thread;
	pthread_cond_t fq_cond;
	bool fq_thread_running;
	bool fq_stop;

	struct uvf_domain_stats stats;

	/* Other layers' state (uvf_domain_cookie_set), newest first. Pushed
	 * under the lock, read without it: nodes are freed only with the
	 * domain, and a cleared one is reused when its key is set again, so
	 * attach/detach cycles do not grow the domain. */
	_Atomic(struct uvf_domain_cookie *) cookies;
	struct uvf_domain_cookie *cleared;
};

/**
 * uvf_domain_priv() - backend state of a domain
 * @dom: domain
 *
 * Return: what domain_init stored with uvf_domain_set_priv().
 */
static inline void *uvf_domain_priv(const struct uvf_domain *dom)
{
	return dom->priv;
}

/**
 * uvf_domain_set_priv() - store backend state
 * @dom: domain
 * @priv: state
 *
 * Return: nothing.
 */
static inline void uvf_domain_set_priv(struct uvf_domain *dom, void *priv)
{
	dom->priv = priv;
}

/**
 * uvf_domain_id() - the domain's hardware ID (tags IOTLB entries)
 * @dom: domain
 *
 * Return: the ID.
 */
static inline uint16_t uvf_domain_id(const struct uvf_domain *dom)
{
	return dom->id;
}

/* A page-aligned piece of process memory. */
struct uvf_dma_seg {
	void *vaddr;
	uint64_t len;
};

/*
 * The iommu_dma_map_page() step: allocate one IOVA block for all segments,
 * write the page table through the backend (contiguous segments as one
 * call), and record it as one mapping.
 */
int uvf_domain_map_alloc(struct uvf_domain *dom, const struct uvf_dma_seg *seg,
			 unsigned int nseg, int prot, uvf_iova_t *iova);

/*
 * Undo uvf_domain_map_alloc(): the record must match exactly. Invalidates
 * per the domain's policy and frees the IOVA once no IOTLB can hold it.
 */
int uvf_domain_unmap_free(struct uvf_domain *dom, uvf_iova_t iova,
			  uint64_t len);

/*
 * Direct domains: the device address of @vaddr (the dma_direct step).
 * -EINVAL for a translated domain.
 */
int uvf_domain_direct_addr(struct uvf_domain *dom, const void *vaddr,
			   uint64_t len, uvf_iova_t *addr);

/*
 * Record a mapping the backend has already made at an IOVA the kernel
 * chose (iommufd without a fixed IOVA): the IOVA leaves the allocator and
 * the mapping can be unmapped like one of uvf_domain_map(). -EBUSY when the
 * allocator holds part of it; the caller then undoes its mapping.
 */
int uvf_domain_adopt_mapping(struct uvf_domain *dom, uvf_iova_t iova,
			     uint64_t len, uint64_t cookie);

/*
 * The usable IOVA ranges: the aperture minus page zero and the first
 * @nr_resv reserved regions. Domain lock held. Returns the count, *out
 * malloc'ed, or a negative errno.
 */
int uvf_domain_usable_ranges(struct uvf_domain *dom, size_t nr_resv,
			     struct uvf_iova_range **out);

/* Whether @iova lies in a reserved region of the domain. Lock held. */
bool uvf_domain_iova_reserved(const struct uvf_domain *dom, uvf_iova_t iova);

/* The backend's cookies summed over the live records (type1: kernel
 * entries in use). Lock held. */
static inline uint64_t uvf_domain_cookie_total(const struct uvf_domain *dom)
{
	return dom->cookie_total;
}

/* Live mapping records (for a backend's mapping limit). Lock held. */
static inline size_t uvf_domain_nr_mappings(const struct uvf_domain *dom)
{
	return dom->maps.count;
}

/* Zero the bitmap of uvf_domain_read_dirty() for @len / @page_size
 * pages. */
static inline void uvf_dirty_bitmap_zero(uint64_t *bitmap, uint64_t len,
					 uint64_t page_size)
{
	uint64_t bits = len / page_size;

	memset(bitmap, 0, (size_t)((bits + 63) / 64) * sizeof(*bitmap));
}

#endif
