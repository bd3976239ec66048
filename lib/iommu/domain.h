/* SPDX-License-Identifier: MIT */
/* The domain object, shared by the IOMMU core, the backends and the DMA
 * layer. */
#ifndef UVF_IOMMU_DOMAIN_H
#define UVF_IOMMU_DOMAIN_H

#include <pthread.h>
#include <stdatomic.h>

#include "iommu/backend.h"
#include "util/maptable.h"

struct uvf_regmap;

/* What a mapping record's IOVA came from, kept in the low bits of
 * uvf_maprec.data (the rest holds the allocated block size). */
#define UVF_MAPREC_ALLOCATED 0x1ull	/* uvf_iova_alloc(): free_fast */
#define UVF_MAPREC_FIXED 0x2ull		/* uvf_iova_reserve(): free */
#define UVF_MAPREC_KIND_MASK 0xfffull

struct uvf_fq_entry {
	uvf_iova_t iova;
	uint64_t len;
	uint64_t data;		/* the mapping record's data */
};

/* State of another layer hung on a domain (uvf_domain_cookie_set). */
struct uvf_domain_cookie {
	struct uvf_domain_cookie *next;
	const void *key;
	void *data;
	uvf_domain_cookie_fn destroy;
};

struct uvf_domain {
	struct uvf_iommu *iommu;
	enum uvf_domain_type type;
	uint16_t id;
	void *priv;

	/* Serialises page-table writes, walks and the records below. */
	pthread_mutex_t lock;
	struct uvf_iova_allocator *iova;
	struct uvf_iova_range aperture[8];
	size_t nr_aperture;
	struct uvf_maptable maps;
	struct uvf_device *devices;

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

	/* Registered memory of the DMA layer (uvf_dma_register). */
	_Atomic(struct uvf_regmap *) regmap;

	/* Newest first; under the lock. */
	struct uvf_domain_cookie *cookies;
};

/* A page-aligned piece of process memory. */
struct uvf_dma_seg {
	void *vaddr;
	uint64_t len;
};

/*
 * The iommu_dma_map_page() step: allocate one IOVA block for all segments,
 * write the page table through the backend (segments back to back), and
 * record it as one mapping.
 */
int uvf_domain_map_alloc(struct uvf_domain *dom, const struct uvf_dma_seg *seg,
			 unsigned int nseg, int prot, uvf_iova_t *iova);

/*
 * Undo uvf_domain_map_alloc(): the record must match exactly. Invalidates
 * per the domain's policy and frees the IOVA once no IOTLB can hold it.
 */
int uvf_domain_unmap_free(struct uvf_domain *dom, uvf_iova_t iova,
			  uint64_t len);

#endif
