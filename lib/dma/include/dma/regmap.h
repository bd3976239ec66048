/* SPDX-License-Identifier: MIT */
/*
 * Registered memory: a radix table from CPU page to device address, read
 * without locks on drivers' hot paths (uvf_dma_vtoiova). Entries are single
 * 64-bit words -- a page-aligned (iova - vaddr) delta tagged in the low
 * bits -- so a reader sees either the old or the new translation, never a
 * mix. Tables are freed only with the whole map, so a lock-free reader never
 * touches freed memory. Writers hold the map's lock.
 */
#ifndef UVF_DMA_REGMAP_H
#define UVF_DMA_REGMAP_H

#include <uvf/types.h>

struct uvf_regmap;

int uvf_regmap_create(struct uvf_regmap **out);
void uvf_regmap_destroy(struct uvf_regmap *m);

/* Translate one CPU address; -ENOENT when not registered. No lock. */
int uvf_regmap_lookup(const struct uvf_regmap *m, const void *vaddr,
		      uvf_iova_t *iova);

void uvf_regmap_lock(struct uvf_regmap *m);
void uvf_regmap_unlock(struct uvf_regmap *m);

/* The rest need the lock. */

/* -EEXIST when any page of the range is registered, -EINVAL beyond the
 * 48-bit address space the table covers. */
int uvf_regmap_check_free(struct uvf_regmap *m, const void *vaddr,
			  uint64_t len);
/*
 * Record a registration of [vaddr, vaddr + len) (pages, checked free).
 * Device addresses are contiguous from @iova when @page_iova is NULL, else
 * one per page. @cookie is returned by uvf_regmap_remove().
 */
int uvf_regmap_add(struct uvf_regmap *m, const void *vaddr, uint64_t len,
		   const uvf_iova_t *page_iova, uvf_iova_t iova,
		   uint64_t cookie);
/* The device address of exactly the registration at [vaddr, vaddr + len)
 * made with @cookie; -ENOENT if there is none. */
int uvf_regmap_find(struct uvf_regmap *m, const void *vaddr, uint64_t len,
		    uint64_t cookie, uvf_iova_t *iova);
/* Remove exactly the registration at [vaddr, vaddr + len) made with
 * @cookie; -ENOENT if there is none. Cookies tell owners apart: 0 is
 * uvf_dma_register()'s, other layers (lib/dpdk) use their own, so no owner
 * removes another's registration. */
int uvf_regmap_remove(struct uvf_regmap *m, const void *vaddr, uint64_t len,
		      uint64_t cookie, uvf_iova_t *iova);

struct uvf_domain;
/* The domain's map, created on first use; NULL when out of memory. */
struct uvf_regmap *uvf_domain_regmap(struct uvf_domain *dom);
/* uvf_regmap_lookup() on the domain's map; -ENOENT without one. No lock. */
int uvf_domain_regmap_lookup(const struct uvf_domain *dom, const void *vaddr,
			     uvf_iova_t *iova);

#endif
