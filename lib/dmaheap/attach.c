/* SPDX-License-Identifier: MIT */
/*
 * Domains attached to a heap: attach maps every chunk, growth notifies
 * every attached domain in attach order -- the chunk is mapped and
 * registered in each -- and is rolled back everywhere when one refuses
 * (SPDK's mem-map notifications, DPDK's memory-event callbacks); detach,
 * or destroying the domain, unmaps.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/iommu.h>

#include "dma/regmap.h"
#include "heap_priv.h"
#include "iommu/domain.h"
#include "util/memlock.h"
#include "util/trace.h"

/* A chunk not mapped in an attachment. */
#define DH_UNMAPPED (~(uvf_iova_t)0)

/* Registered-memory cookie of a heap's chunks: uvf_dma_unregister()
 * (cookie 0) and other heaps cannot remove them. */
static uint64_t regmap_cookie(const struct uvf_dmaheap *heap)
{
	return (uint64_t)(uintptr_t)heap;
}

struct dh_attach *dh_find_attach(struct uvf_dmaheap *heap,
				 const struct uvf_domain *dom)
{
	size_t i;

	for (i = 0; i < heap->nr_att; i++)
		if (heap->att[i]->dom == dom)
			return heap->att[i];
	return NULL;
}

static unsigned int translated_domains(const struct uvf_dmaheap *heap)
{
	unsigned int n = 0;
	size_t i;

	for (i = 0; i < heap->nr_att; i++)
		n += uvf_domain_type(heap->att[i]->dom) == UVF_DOMAIN_TRANSLATED;
	return n;
}

/* Say it through the trace sink whether or not tracing is on, and keep it
 * for uvf_dmaheap_diagnosis(). */
static void diagnose_map_enomem(struct uvf_dmaheap *heap)
{
	unsigned int n = translated_domains(heap);
	uint64_t bytes = heap->st.bytes + heap->o.chunk_size;

	/* Each VFIO container pins (and counts) the heap once, and mlock
	 * counts it once more. */
	uvf_memlock_diagnose(heap->diag, sizeof(heap->diag), "dmaheap",
			     "mapping heap memory into a domain", -ENOMEM,
			     "the heap", UVF_MEMLOCK_NONE,
			     bytes * ((n ? n : 1) +
				      !(heap->o.flags & UVF_DMAHEAP_NO_MLOCK)));
	uvf_log_emit("%s", heap->diag);
}

/* IOVA == VA needs [first, first + len) -- the built-in window, or a
 * provider's chunk -- inside one usable range. */
static int check_iova_va(struct uvf_domain *dom, uvf_iova_t first,
			 uint64_t len)
{
	uvf_iova_t last = first + len - 1;
	struct uvf_iova_range r[16];
	int n, i;

	n = uvf_domain_iova_ranges(dom, r, 16);
	if (n < 0)
		return n;
	for (i = 0; i < n && i < 16; i++)
		if (r[i].first <= first && last <= r[i].last)
			return 0;
	uvf_log_emit("dmaheap: IOVA == VA refused for domain %u: the heap "
		       "memory %#" PRIx64 "-%#" PRIx64 " is not inside one of "
		       "its %d usable IOVA range(s) (highest %#" PRIx64 ")",
		       uvf_domain_id(dom), first, last, n,
		       n > 0 ? r[(n < 16 ? n : 16) - 1].last : 0);
	return -ERANGE;
}

/* Device addresses of a chunk in a direct domain: one per page, or, for
 * a provider's IOVA-contiguous chunk, its own IOVA, which must be the
 * domain's arithmetic (EAL in PA mode under noiommu, in VA mode on the
 * software model). */
static int direct_addrs(struct uvf_domain *dom, const struct dh_chunk *c,
			uvf_iova_t *pages, uint64_t npages, uvf_iova_t *iova)
{
	uint64_t i;
	int ret = 0;

	if (c->pc.iova != UVF_DMAHEAP_NO_IOVA) {
		ret = uvf_domain_direct_addr(dom, c->va, UVF_PAGE_SIZE, iova);
		return !ret && *iova != c->pc.iova ? -EXDEV : ret;
	}
	for (i = 0; !ret && i < npages; i++)
		ret = uvf_domain_direct_addr(dom, c->va + i * UVF_PAGE_SIZE,
					     UVF_PAGE_SIZE, &pages[i]);
	if (!ret)
		*iova = pages[0];
	return ret;
}

/* One chunk into one domain: map (or compute direct addresses) and
 * register. Changes nothing on failure. */
static int map_chunk(struct dh_attach *a, uint64_t idx)
{
	struct uvf_dmaheap *heap = a->heap;
	struct uvf_domain *dom = a->dom;
	struct dh_chunk *c = atomic_load(&heap->chunks[idx]);
	char *va = c->va;
	uint64_t len = heap->o.chunk_size;
	struct uvf_dma_seg seg = { va, len };
	uvf_iova_t iova = 0, *pages = NULL;
	struct uvf_regmap *m = uvf_domain_regmap(dom);
	bool direct = uvf_domain_type(dom) == UVF_DOMAIN_DIRECT;
	bool iova_va = !direct && (heap->o.flags & UVF_DMAHEAP_IOVA_VA);
	int ret;

	if (!m)
		return -ENOMEM;
	if (direct && c->pc.iova == UVF_DMAHEAP_NO_IOVA) {
		/* noiommu: one device address per page. */
		pages = malloc(heap->pages_per_chunk * sizeof(*pages));
		if (!pages)
			return -ENOMEM;
	}
	uvf_regmap_lock(m);
	ret = uvf_regmap_check_free(m, va, len);
	if (!ret && direct)
		ret = direct_addrs(dom, c, pages, heap->pages_per_chunk, &iova);
	if (!ret && iova_va && !heap->base)
		ret = check_iova_va(dom, (uintptr_t)va, len);
	if (!ret && iova_va) {
		iova = (uvf_iova_t)(uintptr_t)va;
		ret = uvf_domain_map(dom, iova, va, len, UVF_PROT_RW);
	} else if (!ret && !direct) {
		ret = uvf_domain_map_alloc(dom, &seg, 1, UVF_PROT_RW, &iova);
	}
	if (!ret) {
		ret = uvf_regmap_add(m, va, len, pages, iova,
				     regmap_cookie(heap));
		if (ret && iova_va)
			uvf_domain_unmap(dom, iova, len);
		else if (ret && !direct)
			uvf_domain_unmap_free(dom, iova, len);
	}
	uvf_regmap_unlock(m);
	free(pages);
	if (ret)
		return ret;
	a->chunk_iova[idx] = direct ? 0 : iova;
	uvf_trace("dmaheap: chunk %" PRIu64 " (%p) mapped in domain %u at "
		  "iova %#" PRIx64, idx, (void *)va, uvf_domain_id(dom), iova);
	return 0;
}

/* Undo map_chunk(): unmap first, so a refused unmap leaves the chunk
 * mapped and registered, and a retry finds it. */
static int unmap_chunk(struct dh_attach *a, uint64_t idx)
{
	struct uvf_dmaheap *heap = a->heap;
	struct uvf_domain *dom = a->dom;
	char *va = atomic_load(&heap->chunks[idx])->va;
	uint64_t len = heap->o.chunk_size;
	struct uvf_regmap *m = uvf_domain_regmap(dom);	/* exists: mapped */
	uvf_iova_t iova = a->chunk_iova[idx];
	int ret = 0;

	if (iova == DH_UNMAPPED)
		return 0;
	uvf_regmap_lock(m);
	if (uvf_domain_type(dom) == UVF_DOMAIN_DIRECT)
		ret = 0;
	else if (heap->o.flags & UVF_DMAHEAP_IOVA_VA)
		ret = uvf_domain_unmap(dom, iova, len);
	else
		ret = uvf_domain_unmap_free(dom, iova, len);
	if (!ret)
		uvf_regmap_remove(m, va, len, regmap_cookie(heap), &iova);
	uvf_regmap_unlock(m);
	if (ret) {
		uvf_log_emit("dmaheap: unmap of chunk %" PRIu64 " from "
			       "domain %u failed (%d); it stays mapped", idx,
			       uvf_domain_id(dom), ret);
		return ret;
	}
	a->chunk_iova[idx] = DH_UNMAPPED;
	return 0;
}

/* Map chunk @idx into every attached domain, in attach order; when one
 * refuses, unmap it from those before it. Returns the refusal; *stranded
 * when a rollback unmap was refused too, so the chunk stays mapped
 * somewhere. */
int dh_notify_growth(struct uvf_dmaheap *heap, uint64_t idx,
			 bool *stranded)
{
	size_t i, j;
	int ret = 0;

	*stranded = false;
	for (i = 0; i < heap->nr_att; i++) {
		ret = map_chunk(heap->att[i], idx);
		if (ret)
			break;
	}
	if (!ret)
		return 0;
	if (ret == -ENOMEM)
		diagnose_map_enomem(heap);
	for (j = 0; j < i; j++)
		*stranded |= unmap_chunk(heap->att[j], idx) != 0;
	return ret;
}

static void attach_free(struct dh_attach *a)
{
	free(a->chunk_iova);
	free(a);
}

static int unmap_all(struct dh_attach *a)
{
	uint64_t i;
	int ret = 0;

	for (i = a->heap->nr_chunks; i-- > 0;) {
		int r = unmap_chunk(a, i);

		if (r && !ret)
			ret = r;
	}
	return ret;
}

static void drop_attach(struct uvf_dmaheap *heap, struct dh_attach *a)
{
	size_t i;

	for (i = 0; i < heap->nr_att; i++)
		if (heap->att[i] == a) {
			memmove(&heap->att[i], &heap->att[i + 1],
				(heap->nr_att - i - 1) * sizeof(a));
			heap->nr_att--;
			break;
		}
	heap->st.domains = (unsigned int)heap->nr_att;
}

/* uvf_domain_destroy() of an attached domain: its devices are gone, so
 * nothing is unmapped under one. */
static void cookie_destroy(struct uvf_domain *dom, void *data)
{
	struct dh_attach *a = data;
	struct uvf_dmaheap *heap = a->heap;

	(void)dom;
	pthread_mutex_lock(&heap->lock);
	unmap_all(a);
	drop_attach(heap, a);
	pthread_mutex_unlock(&heap->lock);
	attach_free(a);
}

static int attach_locked(struct uvf_dmaheap *heap, struct uvf_domain *dom)
{
	struct dh_attach *a;
	uint64_t i;
	int ret;

	if (dh_find_attach(heap, dom))
		return -EEXIST;
	if (heap->o.flags & UVF_DMAHEAP_IOVA_VA) {
		if (uvf_domain_type(dom) == UVF_DOMAIN_DIRECT)
			return -ENOTSUP;
		ret = heap->base ? check_iova_va(dom, (uintptr_t)heap->base,
						 heap->o.max_bytes)
				 : 0;
		if (ret)
			return ret;
	}
	if (heap->prov->attach_check) {
		ret = heap->prov->attach_check(heap->prov_arg, dom);
		if (ret)
			return ret;
	}
	if (heap->nr_att == heap->cap_att) {
		size_t cap = heap->cap_att ? heap->cap_att * 2 : 4;
		struct dh_attach **v = realloc(heap->att, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		heap->att = v;
		heap->cap_att = cap;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->dom = dom;
	a->heap = heap;
	a->chunk_iova = malloc(heap->max_chunks * sizeof(*a->chunk_iova));
	if (!a->chunk_iova) {
		free(a);
		return -ENOMEM;
	}
	for (i = 0; i < heap->max_chunks; i++)
		a->chunk_iova[i] = DH_UNMAPPED;
	ret = uvf_domain_cookie_set(dom, heap, a, cookie_destroy);
	if (ret) {
		attach_free(a);
		return ret;
	}
	for (i = 0; !ret && i < heap->nr_chunks; i++) {
		ret = map_chunk(a, i);
		if (ret == -ENOMEM)
			diagnose_map_enomem(heap);
	}
	if (ret && !unmap_all(a)) {
		uvf_domain_cookie_clear(dom, heap);
		attach_free(a);
		return ret;
	}
	/* Attached; or, when an unmap was refused, kept for detach to
	 * retry. */
	heap->att[heap->nr_att++] = a;
	heap->st.domains = (unsigned int)heap->nr_att;
	return ret;
}

int uvf_dmaheap_attach(struct uvf_dmaheap *heap, struct uvf_domain *dom)
{
	int ret;

	if (!heap || !dom)
		return -EINVAL;
	pthread_mutex_lock(&heap->lock);
	ret = attach_locked(heap, dom);
	if (!ret)
		dh_find_attach(heap, dom)->attached = true;
	pthread_mutex_unlock(&heap->lock);
	uvf_trace("dmaheap: domain %u attach: %d", uvf_domain_id(dom), ret);
	return ret;
}

int uvf_dmaheap_hold(struct uvf_dmaheap *heap, struct uvf_domain *dom)
{
	struct dh_attach *a;
	int ret = 0;

	if (!heap || !dom)
		return -EINVAL;
	pthread_mutex_lock(&heap->lock);
	a = dh_find_attach(heap, dom);
	if (!a) {
		ret = attach_locked(heap, dom);
		a = ret ? NULL : dh_find_attach(heap, dom);
	}
	if (a)
		a->holds++;
	pthread_mutex_unlock(&heap->lock);
	return ret;
}

/* Detach @dom, found attached with nothing pinned: 0 with @a off the
 * heap (for attach_free() outside the lock), or the refused unmap's
 * error with @a kept. Lock held. */
static int detach_locked(struct uvf_dmaheap *heap, struct uvf_domain *dom,
			 struct dh_attach *a)
{
	int ret = unmap_all(a);

	if (!ret) {
		drop_attach(heap, a);
		uvf_domain_cookie_clear(dom, heap);
	}
	return ret;
}

int uvf_dmaheap_release(struct uvf_dmaheap *heap, struct uvf_domain *dom)
{
	struct dh_attach *a, *gone = NULL;
	int ret;

	if (!heap || !dom)
		return -EINVAL;
	pthread_mutex_lock(&heap->lock);
	a = dh_find_attach(heap, dom);
	ret = a && a->holds ? 0 : -ENOENT;
	/* The last hold of a heap nobody attached explicitly: detach,
	 * unless a pin (another user's, or a leak) says the device may
	 * still use it. */
	if (!ret && !--a->holds && !a->attached && !a->pins) {
		ret = detach_locked(heap, dom, a);
		gone = ret ? NULL : a;
	}
	pthread_mutex_unlock(&heap->lock);
	if (gone)
		attach_free(gone);
	return ret;
}

int uvf_dmaheap_detach(struct uvf_dmaheap *heap, struct uvf_domain *dom)
{
	struct dh_attach *a;
	int ret;

	if (!heap || !dom)
		return -EINVAL;
	pthread_mutex_lock(&heap->lock);
	a = dh_find_attach(heap, dom);
	ret = !a ? -ENOENT : a->pins ? -EBUSY : detach_locked(heap, dom, a);
	pthread_mutex_unlock(&heap->lock);
	if (!ret)
		attach_free(a);
	return ret;
}
