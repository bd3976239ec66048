/* SPDX-License-Identifier: MIT */
/*
 * The heap: its window, growth by chunks (each new chunk goes to every
 * attached domain, attach.c), address lookups, info.
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
	    o->numa_node < UVF_DMAHEAP_NODE_ANY ||
	    (o->provider && (!o->provider->name || !o->provider->chunk_get ||
			     !o->provider->chunk_put)))
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
	heap->prov = o.provider ? o.provider : &dh_builtin_provider;
	heap->prov_arg = o.provider ? o.provider_arg : &heap->window;
	ret = heap->chunks ? 0 : -ENOMEM;
	if (!ret && !o.provider) {
		ret = dh_window_reserve(&heap->window, o.max_bytes,
					o.chunk_size, o.best);
		heap->base = heap->window.base;
	}
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
	heap->st.provider = heap->prov->name;
	if (o.numa_node >= 0 && !heap->st.numa_bound)
		uvf_log_emit("dmaheap: memory for NUMA node %d is not bound "
			       "to it (%s)", o.numa_node,
#ifdef UVF_HAVE_LIBNUMA
			       "libnuma reports no NUMA support"
#else
			       "uvf was built without libnuma"
#endif
			       );
	uvf_trace("dmaheap: %s provider, window %p, %#" PRIx64 " bytes in %#"
		  PRIx64 "-byte chunks", heap->prov->name, (void *)heap->base,
		  o.max_bytes, o.chunk_size);
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
	/* Newest first, as growth rollbacks give them back. */
	for (i = heap->nr_chunks; i-- > 0;) {
		struct dh_chunk *c = atomic_load(&heap->chunks[i]);

		heap->prov->chunk_put(heap->prov_arg, &c->pc);
		chunk_free(c);
	}
	if (heap->base)
		dh_window_release(&heap->window);
	dh_map_free(&heap->map);
	dh_slabs_free_all(heap);
	pthread_mutex_destroy(&heap->lock);
	free(heap->att);
	free(heap->chunks);
	free(heap);
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

/* A provider's chunk must be what the heap asked for: @len bytes at a
 * 2 MiB-aligned address (the chunk map's slot) with a page-aligned device
 * address, clear of every chunk the heap has. */
static int check_provided(const struct uvf_dmaheap *heap,
			  const struct uvf_dmaheap_chunk *pc)
{
	if (!pc->va || pc->len < heap->o.chunk_size)
		return -ENOMEM;
	if (pc->len != heap->o.chunk_size ||
	    !uvf_is_aligned((uintptr_t)pc->va, UVF_SZ_2M) ||
	    (unsigned int)pc->backing >= UVF_DMAHEAP_NR_BACKINGS ||
	    (pc->iova != UVF_DMAHEAP_NO_IOVA &&
	     !uvf_is_aligned(pc->iova, UVF_PAGE_SIZE)))
		return -EINVAL;
	return 0;
}

/* One chunk from the provider, checked, with room in the chunk map. */
static int chunk_obtain(struct uvf_dmaheap *heap, struct dh_chunk *c)
{
	struct uvf_dmaheap_chunk_req req = {
		.len = heap->o.chunk_size,
		.numa_node = heap->o.numa_node,
		.flags = heap->o.flags,
		.heap_bytes = heap->st.bytes,
		.diag = heap->diag,
		.diag_len = sizeof(heap->diag),
	};
	int ret;

	heap->diag[0] = '\0';
	ret = heap->prov->chunk_get(heap->prov_arg, &req, &c->pc);
	if (ret) {
		if (heap->diag[0])
			uvf_log_emit("%s", heap->diag);
		return ret > 0 ? -ret : ret;
	}
	ret = check_provided(heap, &c->pc);
	c->va = c->pc.va;
	c->backing = c->pc.backing;
	if (!ret)
		ret = dh_map_reserve(&heap->map, c);
	if (ret) {
		uvf_log_emit("dmaheap: provider %s gave a chunk at %p of %#"
			     PRIx64 " bytes (iova %#" PRIx64 "): refused (%d)",
			     heap->prov->name, c->pc.va, c->pc.len, c->pc.iova,
			     ret);
		heap->prov->chunk_put(heap->prov_arg, &c->pc);
	}
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
	ret = chunk_obtain(heap, c);
	if (ret) {
		heap->st.grow_failures++;
		chunk_free(c);
		return ret;
	}
	/* Where the notification finds it; lock-free readers only once it
	 * is in the chunk map. */
	atomic_store(&heap->chunks[idx], c);
	ret = dh_notify_growth(heap, idx, &stranded);
	if (ret) {
		heap->st.grow_failures++;
		uvf_trace("dmaheap: growth by chunk %" PRIu64 " failed (%d), "
			  "rolled back", idx, ret);
		if (!stranded) {
			atomic_store(&heap->chunks[idx], NULL);
			heap->prov->chunk_put(heap->prov_arg, &c->pc);
			chunk_free(c);
			return ret;
		}
		/* Still mapped under some device: never hand it out. */
		memset(c->page_used, 0xff,
		       (heap->pages_per_chunk / DH_PAGES_PER_WORD) *
			       sizeof(*c->page_used));
	}
	dh_map_publish(&heap->map, c);
	heap->nr_chunks++;
	heap->st.bytes += heap->o.chunk_size;
	heap->st.chunks[c->backing]++;
	heap->st.backing = c->backing;
	uvf_trace("dmaheap: chunk %" PRIu64 " at %p backed by %s (%s), mapped "
		  "in %zu domain(s)", idx, (void *)c->va,
		  uvf_dmaheap_backing_name(c->backing), heap->prov->name,
		  heap->nr_att);
	return ret;
}

/* -EINVAL unless [va, va + len) is heap memory: inside the built-in
 * window (backed or not: the lookup says -ENOENT), or its first and last
 * bytes in a provider's chunks. */
static int check_range(struct uvf_dmaheap *heap, uintptr_t va, size_t len)
{
	uintptr_t base = (uintptr_t)heap->base;

	if (heap->base) {
		if (va < base || va - base >= heap->o.max_bytes ||
		    len > heap->o.max_bytes - (va - base))
			return -EINVAL;
		return 0;
	}
	if (va + len < va || !dh_map_lookup(&heap->map, (const void *)va) ||
	    !dh_map_lookup(&heap->map, (const void *)(va + len - 1)))
		return -EINVAL;
	return 0;
}

int uvf_dmaheap_iova(struct uvf_dmaheap *heap, struct uvf_domain *dom,
		     const void *vaddr, size_t len, uvf_iova_t *iova)
{
	uintptr_t va = (uintptr_t)vaddr, p;
	uvf_iova_t first, at;

	if (!heap || !dom || !iova || !len)
		return -EINVAL;
	if (check_range(heap, va, len))
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
