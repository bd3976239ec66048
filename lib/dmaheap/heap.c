/* SPDX-License-Identifier: MIT */
/*
 * The heap: its window, growth by chunks, and the domains attached to it.
 * Growth notifies every attached domain in attach order -- the chunk is
 * mapped and registered in each -- and rolls back everywhere when one
 * refuses (SPDK's mem-map notifications, DPDK's memory-event callbacks).
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
#include "util/trace.h"

/* A chunk not mapped in an attachment. */
#define DH_UNMAPPED (~(uvf_iova_t)0)

/* Registered-memory cookie of a heap's chunks: uvf_dma_unregister()
 * (cookie 0) and other heaps cannot remove them. */
static uint64_t regmap_cookie(const struct uvf_dmaheap *heap)
{
	return (uint64_t)(uintptr_t)heap;
}

static void chunk_free(struct dh_chunk *c)
{
	free(c->page_used);
	free(c->owner);
	free(c);
}

void uvf_dmaheap_opts_default(struct uvf_dmaheap_opts *o)
{
	*o = (struct uvf_dmaheap_opts){
		.chunk_size = UVF_SZ_2M,
		.max_bytes = UVF_SZ_1G,
		.best = UVF_DMAHEAP_HUGETLB_1G,
		.numa_node = UVF_DMAHEAP_NODE_ANY,
	};
}

const char *uvf_dmaheap_backing_name(enum uvf_dmaheap_backing b)
{
	static const char *const names[] = {
		[UVF_DMAHEAP_HUGETLB_1G] = "hugetlb-1G",
		[UVF_DMAHEAP_HUGETLB_2M] = "hugetlb-2M",
		[UVF_DMAHEAP_THP] = "thp",
		[UVF_DMAHEAP_4K] = "4k",
	};

	return (unsigned int)b < UVF_DMAHEAP_NR_BACKINGS ? names[b] : "?";
}

static int check_opts(struct uvf_dmaheap_opts *o)
{
	if (!o->chunk_size)
		o->chunk_size = UVF_SZ_2M;
	if (!o->max_bytes)
		o->max_bytes = o->chunk_size * 4 > UVF_SZ_1G ? o->chunk_size * 4
							    : UVF_SZ_1G;
	if (o->chunk_size % UVF_SZ_2M || o->max_bytes % o->chunk_size ||
	    o->max_bytes / o->chunk_size > (1u << 20) ||
	    (unsigned int)o->best >= UVF_DMAHEAP_NR_BACKINGS ||
	    (o->flags & ~(unsigned int)(UVF_DMAHEAP_IOVA_VA |
					UVF_DMAHEAP_NO_MLOCK)) ||
	    o->numa_node < UVF_DMAHEAP_NODE_ANY)
		return -EINVAL;
	/* 1 GiB pages only fill whole 1 GiB chunks. */
	if (o->best == UVF_DMAHEAP_HUGETLB_1G && o->chunk_size % UVF_SZ_1G)
		o->best = UVF_DMAHEAP_HUGETLB_2M;
	/* A node that does not exist is a mistake; one libnuma cannot bind
	 * to (not installed, or no NUMA) leaves the memory unbound. */
	if (o->numa_node >= 0 && dh_numa_usable(0) &&
	    !dh_numa_usable(o->numa_node))
		return -EINVAL;
	return 0;
}

int uvf_dmaheap_create(const struct uvf_dmaheap_opts *opts,
		       struct uvf_dmaheap **out)
{
	struct uvf_dmaheap *heap;
	struct uvf_dmaheap_opts o;
	int ret;

	if (!out)
		return -EINVAL;
	if (opts)
		o = *opts;
	else
		uvf_dmaheap_opts_default(&o);
	ret = check_opts(&o);
	if (ret)
		return ret;
	heap = calloc(1, sizeof(*heap));
	if (!heap)
		return -ENOMEM;
	heap->o = o;
	heap->pages_per_chunk = o.chunk_size / UVF_PAGE_SIZE;
	heap->max_chunks = o.max_bytes / o.chunk_size;
	heap->chunks = calloc(heap->max_chunks, sizeof(*heap->chunks));
	ret = heap->chunks ? dh_window_reserve(o.max_bytes,
					       o.best == UVF_DMAHEAP_HUGETLB_1G ?
					       UVF_SZ_1G : UVF_SZ_2M,
					       &heap->base)
			   : -ENOMEM;
	if (ret) {
		free(heap->chunks);
		free(heap);
		return ret;
	}
	pthread_mutex_init(&heap->lock, NULL);
	heap->st.chunk_size = o.chunk_size;
	heap->st.max_bytes = o.max_bytes;
	heap->st.backing = o.best;
	heap->st.numa_node = o.numa_node;
	heap->st.numa_bound = dh_numa_usable(o.numa_node);
	heap->st.iova_va = o.flags & UVF_DMAHEAP_IOVA_VA;
	heap->st.base = heap->base;
	if (o.numa_node >= 0 && !heap->st.numa_bound)
		uvf_trace_emit("dmaheap: memory for NUMA node %d is not bound "
			       "to it (%s)", o.numa_node,
#ifdef UVF_HAVE_LIBNUMA
			       "libnuma reports no NUMA support"
#else
			       "uvf was built without libnuma"
#endif
			       );
	uvf_trace("dmaheap: window %p, %#" PRIx64 " bytes in %#" PRIx64
		  "-byte chunks", (void *)heap->base, o.max_bytes,
		  o.chunk_size);
	*out = heap;
	return 0;
}

int uvf_dmaheap_destroy(struct uvf_dmaheap *heap)
{
	uint64_t i;

	if (!heap)
		return 0;
	pthread_mutex_lock(&heap->lock);
	if (heap->nr_att || heap->live_slabs || heap->pools) {
		pthread_mutex_unlock(&heap->lock);
		return -EBUSY;
	}
	pthread_mutex_unlock(&heap->lock);
	for (i = 0; i < heap->nr_chunks; i++) {
		chunk_free(atomic_load(&heap->chunks[i]));
	}
	dh_window_release(heap->base, heap->o.max_bytes);
	dh_slabs_free_all(heap);
	pthread_mutex_destroy(&heap->lock);
	free(heap->att);
	free(heap->chunks);
	free(heap);
	return 0;
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
	dh_memlock_diagnose(heap->diag, sizeof(heap->diag),
			    "mapping heap memory into a domain", -ENOMEM,
			    bytes * ((n ? n : 1) +
				     !(heap->o.flags & UVF_DMAHEAP_NO_MLOCK)));
	uvf_trace_emit("%s", heap->diag);
}

/* One chunk into one domain: map (or compute direct addresses) and
 * register. Changes nothing on failure. */
static int map_chunk(struct dh_attach *a, uint64_t idx)
{
	struct uvf_dmaheap *heap = a->heap;
	struct uvf_domain *dom = a->dom;
	char *va = heap->base + idx * heap->o.chunk_size;
	uint64_t i, len = heap->o.chunk_size;
	struct uvf_dma_seg seg = { va, len };
	uvf_iova_t iova = 0, *pages = NULL;
	struct uvf_regmap *m = uvf_domain_regmap(dom);
	bool direct = uvf_domain_type(dom) == UVF_DOMAIN_DIRECT;
	int ret;

	if (!m)
		return -ENOMEM;
	if (direct) {
		/* noiommu: one device address per page. */
		pages = malloc(heap->pages_per_chunk * sizeof(*pages));
		if (!pages)
			return -ENOMEM;
	}
	uvf_regmap_lock(m);
	ret = uvf_regmap_check_free(m, va, len);
	for (i = 0; direct && !ret && i < heap->pages_per_chunk; i++)
		ret = uvf_domain_direct_addr(dom, va + i * UVF_PAGE_SIZE,
					     UVF_PAGE_SIZE, &pages[i]);
	if (!ret && !direct && (heap->o.flags & UVF_DMAHEAP_IOVA_VA)) {
		iova = (uvf_iova_t)(uintptr_t)va;
		ret = uvf_domain_map(dom, iova, va, len, UVF_PROT_RW);
	} else if (!ret && !direct) {
		ret = uvf_domain_map_alloc(dom, &seg, 1, UVF_PROT_RW, &iova);
	}
	if (!ret) {
		ret = uvf_regmap_add(m, va, len, pages, pages ? pages[0] : iova,
				     regmap_cookie(heap));
		if (ret && !direct && (heap->o.flags & UVF_DMAHEAP_IOVA_VA))
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
		  "iova %#" PRIx64, idx, (void *)va, uvf_domain_id(dom),
		  direct ? 0 : iova);
	return 0;
}

/* Undo map_chunk(): unmap first, so a refused unmap leaves the chunk
 * mapped and registered, and a retry finds it. */
static int unmap_chunk(struct dh_attach *a, uint64_t idx)
{
	struct uvf_dmaheap *heap = a->heap;
	struct uvf_domain *dom = a->dom;
	char *va = heap->base + idx * heap->o.chunk_size;
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
		uvf_trace_emit("dmaheap: unmap of chunk %" PRIu64 " from "
			       "domain %u failed (%d); it stays mapped", idx,
			       uvf_domain_id(dom), ret);
		return ret;
	}
	a->chunk_iova[idx] = DH_UNMAPPED;
	return 0;
}

static int new_chunk(struct uvf_dmaheap *heap, struct dh_chunk **out)
{
	uint64_t words = (heap->pages_per_chunk + DH_PAGES_PER_WORD - 1) /
			 DH_PAGES_PER_WORD;
	struct dh_chunk *c = calloc(1, sizeof(*c));

	if (c) {
		c->page_used = calloc(words, sizeof(*c->page_used));
		c->owner = calloc(heap->pages_per_chunk, sizeof(*c->owner));
	}
	if (c && (!c->page_used || !c->owner)) {
		chunk_free(c);
		c = NULL;
	}
	if (!c)
		return -ENOMEM;
	*out = c;
	return 0;
}

/* Map chunk @idx into every attached domain, in attach order; when one
 * refuses, unmap it from those before it. Returns the refusal; *stranded
 * when a rollback unmap was refused too, so the chunk stays mapped
 * somewhere. */
static int notify_growth(struct uvf_dmaheap *heap, uint64_t idx,
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

int dh_grow(struct uvf_dmaheap *heap)
{
	uint64_t idx = heap->nr_chunks;
	struct dh_chunk *c;
	bool stranded;
	int ret;

	if (idx == heap->max_chunks)
		return -ENOMEM;
	ret = new_chunk(heap, &c);
	if (ret)
		return ret;
	c->va = heap->base + idx * heap->o.chunk_size;
	heap->diag[0] = '\0';
	ret = dh_chunk_back(heap, c->va, &c->backing, heap->diag,
			    sizeof(heap->diag));
	if (ret) {
		if (heap->diag[0])
			uvf_trace_emit("%s", heap->diag);
		heap->st.grow_failures++;
		chunk_free(c);
		return ret;
	}
	ret = notify_growth(heap, idx, &stranded);
	if (ret) {
		heap->st.grow_failures++;
		uvf_trace("dmaheap: growth by chunk %" PRIu64 " failed (%d), "
			  "rolled back", idx, ret);
		if (!stranded) {
			dh_chunk_unback(heap, c->va);
			chunk_free(c);
			return ret;
		}
		/* Still mapped under some device: never hand it out. */
		memset(c->page_used, 0xff,
		       (heap->pages_per_chunk / DH_PAGES_PER_WORD) *
			       sizeof(*c->page_used));
	}
	atomic_store(&heap->chunks[idx], c);
	heap->nr_chunks++;
	heap->st.bytes += heap->o.chunk_size;
	heap->st.chunks[c->backing]++;
	heap->st.backing = c->backing;
	uvf_trace("dmaheap: chunk %" PRIu64 " at %p backed by %s, mapped in %zu "
		  "domain(s)", idx, (void *)c->va,
		  uvf_dmaheap_backing_name(c->backing), heap->nr_att);
	return ret;
}

/* IOVA == VA needs the whole window inside one usable range. */
static int check_iova_va(struct uvf_dmaheap *heap, struct uvf_domain *dom)
{
	uvf_iova_t first = (uintptr_t)heap->base;
	uvf_iova_t last = first + heap->o.max_bytes - 1;
	struct uvf_iova_range r[16];
	int n, i;

	if (uvf_domain_type(dom) == UVF_DOMAIN_DIRECT)
		return -ENOTSUP;
	n = uvf_domain_iova_ranges(dom, r, 16);
	if (n < 0)
		return n;
	for (i = 0; i < n && i < 16; i++)
		if (r[i].first <= first && last <= r[i].last)
			return 0;
	uvf_trace_emit("dmaheap: IOVA == VA refused for domain %u: the heap "
		       "window %#" PRIx64 "-%#" PRIx64 " is not inside one of "
		       "its %d usable IOVA range(s) (highest %#" PRIx64 ")",
		       uvf_domain_id(dom), first, last, n,
		       n > 0 ? r[(n < 16 ? n : 16) - 1].last : 0);
	return -ERANGE;
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
		ret = check_iova_va(heap, dom);
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
	pthread_mutex_unlock(&heap->lock);
	uvf_trace("dmaheap: domain %u attach: %d", uvf_domain_id(dom), ret);
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
	ret = !a ? -ENOENT : a->pins ? -EBUSY : unmap_all(a);
	if (!ret) {
		drop_attach(heap, a);
		uvf_domain_cookie_clear(dom, heap);
	}
	pthread_mutex_unlock(&heap->lock);
	if (!ret)
		attach_free(a);
	return ret;
}

int uvf_dmaheap_iova(struct uvf_dmaheap *heap, struct uvf_domain *dom,
		     const void *vaddr, size_t len, uvf_iova_t *iova)
{
	uintptr_t va = (uintptr_t)vaddr, base, p;
	uvf_iova_t first, at;

	if (!heap || !dom || !iova || !len)
		return -EINVAL;
	base = (uintptr_t)heap->base;
	if (va < base || va - base >= heap->o.max_bytes ||
	    len > heap->o.max_bytes - (va - base))
		return -EINVAL;
	if (!uvf_domain_cookie_get(dom, heap) ||
	    uvf_domain_regmap_lookup(dom, vaddr, &first))
		return -ENOENT;
	/* Every further page must follow on, in this domain. */
	for (p = (va & ~(uintptr_t)(UVF_PAGE_SIZE - 1)) + UVF_PAGE_SIZE;
	     p < va + len; p += UVF_PAGE_SIZE) {
		if (uvf_domain_regmap_lookup(dom, (const void *)p, &at))
			return -ENOENT;
		if (at != first + (p - va))
			return -ENOTSUP;
	}
	*iova = first;
	return 0;
}

int uvf_dmaheap_get_info(struct uvf_dmaheap *heap,
			 struct uvf_dmaheap_info *info)
{
	if (!heap || !info)
		return -EINVAL;
	pthread_mutex_lock(&heap->lock);
	*info = heap->st;
	pthread_mutex_unlock(&heap->lock);
	return 0;
}

int uvf_dmaheap_diagnosis(struct uvf_dmaheap *heap, char *buf, size_t len)
{
	int n;

	if (!heap || !buf || !len)
		return -EINVAL;
	pthread_mutex_lock(&heap->lock);
	n = snprintf(buf, len, "%s", heap->diag);
	pthread_mutex_unlock(&heap->lock);
	return n;
}

int uvf_dmaheap_pci_node(const char *sysfs_root, const char *bdf)
{
	char path[512];
	FILE *f;
	int node, n;

	if (!bdf || !*bdf || strchr(bdf, '/'))
		return -EINVAL;
	n = snprintf(path, sizeof(path), "%s/bus/pci/devices/%s/numa_node",
		     sysfs_root ? sysfs_root : "/sys", bdf);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -EINVAL;
	f = fopen(path, "r");
	if (!f)
		return -ENOENT;
	n = fscanf(f, "%d", &node);
	fclose(f);
	if (n != 1)
		return -ENOENT;
	return node < 0 ? UVF_DMAHEAP_NODE_ANY : node;
}
