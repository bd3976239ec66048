/* SPDX-License-Identifier: MIT */
/*
 * IOTLB of the software IOMMU model: a set-associative cache of IOVA page ->
 * output page translations, tagged by domain ID, like the hardware's.
 *
 * Lookups take no lock (per-set sequence counters); fills and invalidations
 * are serialised by the IOTLB's own lock. Entries cache 4 KiB pages; a fill
 * from a 2 MiB or 1 GiB leaf caches the 4 KiB page that missed.
 *
 * A page's set is a function of its domain ID and of its page number modulo
 * the number of sets, so pages of one domain whose page numbers differ by a
 * multiple of the number of sets compete for the same ways. A fill takes an
 * invalid way first; in a full set it replaces the ways in turn (round robin
 * per set, so the oldest fill goes first when nothing was invalidated).
 *
 * Walk/invalidate race: a caller that misses, walks the page table and then
 * fills can race with an unmap + invalidation and cache the old translation
 * after the invalidation completed. uvf_iotlb_gen() read before the walk and
 * uvf_iotlb_fill_walked() close that window.
 */
#ifndef UVF_SIM_IOTLB_H
#define UVF_SIM_IOTLB_H

#include <uvf/types.h>

/* Largest sets and ways accepted by uvf_iotlb_create(). */
#define UVF_IOTLB_MAX_SETS (1u << 20)
#define UVF_IOTLB_MAX_WAYS 64u

struct uvf_iotlb;

struct uvf_iotlb_stats {
	uint64_t hits;
	uint64_t misses;
	uint64_t fills;
	uint64_t evictions;	/* valid entries replaced by a fill */
	uint64_t stale_fills;	/* uvf_iotlb_fill_walked() calls dropped */
	uint64_t inval_range;	/* invalidation requests, by kind */
	uint64_t inval_domain;
	uint64_t inval_global;
	uint64_t entries_invalidated;
};

/**
 * uvf_iotlb_create() - create an empty IOTLB of @sets * @ways entries
 * @sets: number of sets, a power of two up to UVF_IOTLB_MAX_SETS
 * @ways: entries per set, a power of two up to UVF_IOTLB_MAX_WAYS
 * @out: the new IOTLB
 *
 * Return: 0, -EINVAL (bad geometry) or -ENOMEM.
 */
int uvf_iotlb_create(unsigned int sets, unsigned int ways,
		     struct uvf_iotlb **out);

/**
 * uvf_iotlb_destroy() - free an IOTLB; no call may be running on it
 * @t: IOTLB, may be NULL
 *
 * Return: nothing.
 */
void uvf_iotlb_destroy(struct uvf_iotlb *t);

/**
 * uvf_iotlb_lookup() - look up the translation of @iova in domain @domid
 * @t: IOTLB
 * @domid: domain ID
 * @iova: any address inside the page
 * @page_paddr: on a hit, output address of the 4 KiB page holding @iova
 * @prot: on a hit, its UVF_PROT_* permissions
 *
 * Lock-free and thread-safe; counts a hit or a miss in per-thread counters.
 * Never returns an entry that an invalidation which completed before the
 * call dropped.
 *
 * Return: true on a hit, false on a miss (outputs untouched).
 */
bool uvf_iotlb_lookup(struct uvf_iotlb *t, uint16_t domid, uvf_iova_t iova,
		      uint64_t *page_paddr, int *prot);

/**
 * uvf_iotlb_fill() - cache the translation of the page holding @iova
 * @t: IOTLB
 * @domid: domain ID
 * @iova: any address inside the page
 * @page_paddr: output address of the page (the offset bits are ignored)
 * @prot: UVF_PROT_* permissions (other bits are ignored)
 *
 * Replaces the entry of the same page and domain if there is one, else takes
 * a way as described at the top of this file.
 *
 * Return: nothing.
 */
void uvf_iotlb_fill(struct uvf_iotlb *t, uint16_t domid, uvf_iova_t iova,
		    uint64_t page_paddr, int prot);

/**
 * uvf_iotlb_gen() - invalidation generation, to be read before a page walk
 * @t: IOTLB
 *
 * Every invalidation request advances it before dropping entries.
 *
 * Return: the current generation.
 */
uint64_t uvf_iotlb_gen(struct uvf_iotlb *t);

/**
 * uvf_iotlb_fill_walked() - uvf_iotlb_fill() unless an invalidation started
 *                           since @gen was read
 * @t: IOTLB
 * @gen: uvf_iotlb_gen() read before walking the page table
 * @domid: domain ID
 * @iova: any address inside the page
 * @page_paddr: output address of the page (the offset bits are ignored)
 * @prot: UVF_PROT_* permissions (other bits are ignored)
 *
 * Return: true when the entry was cached, false when it was dropped because
 * the walk may have seen a translation that has since been invalidated.
 */
bool uvf_iotlb_fill_walked(struct uvf_iotlb *t, uint64_t gen, uint16_t domid,
			   uvf_iova_t iova, uint64_t page_paddr, int prot);

/**
 * uvf_iotlb_inval_range() - drop every entry of @domid overlapping
 *                           [@iova, @iova + @len)
 * @t: IOTLB
 * @domid: domain ID
 * @iova: first byte
 * @len: length in bytes; 0 drops nothing; a range running past the top of
 *       the address space stops there
 *
 * Costs min(pages in the range, sets) set visits, so huge ranges are cheap.
 *
 * Return: nothing.
 */
void uvf_iotlb_inval_range(struct uvf_iotlb *t, uint16_t domid,
			   uvf_iova_t iova, uint64_t len);

/**
 * uvf_iotlb_inval_domain() - drop every entry of @domid
 * @t: IOTLB
 * @domid: domain ID
 *
 * Return: nothing.
 */
void uvf_iotlb_inval_domain(struct uvf_iotlb *t, uint16_t domid);

/**
 * uvf_iotlb_inval_all() - drop every entry
 * @t: IOTLB
 *
 * Return: nothing.
 */
void uvf_iotlb_inval_all(struct uvf_iotlb *t);

/**
 * uvf_iotlb_get_stats() - read the counters
 * @t: IOTLB
 * @st: filled with the counters since creation
 *
 * Hits and misses of lookups running concurrently may or may not be counted.
 *
 * Return: nothing.
 */
void uvf_iotlb_get_stats(struct uvf_iotlb *t, struct uvf_iotlb_stats *st);

/**
 * uvf_iotlb_valid_entries() - number of valid entries
 * @t: IOTLB
 *
 * Return: the count, at most sets * ways.
 */
unsigned int uvf_iotlb_valid_entries(struct uvf_iotlb *t);

/**
 * uvf_iotlb_domain_pages() - the pages of @domid the IOTLB holds
 * @t: IOTLB
 * @domid: domain ID
 * @out: their IOVAs (page aligned), in no particular order; may be NULL
 *       when @max is 0
 * @max: entries in @out
 *
 * Read-only: counts nothing, changes no replacement state.
 *
 * Return: the number of pages held, which may exceed @max (only the
 * first @max are stored).
 */
size_t uvf_iotlb_domain_pages(struct uvf_iotlb *t, uint16_t domid,
			      uvf_iova_t *out, size_t max);

#endif
