/* SPDX-License-Identifier: MIT */
/*
 * DPDK EAL interop: EAL's memory in a uvf domain at EAL's IOVAs, followed
 * through EAL's memory hotplug events, and uvf's type1 backend on EAL's
 * VFIO container. See uvf/dpdk.h.
 *
 * One record per EAL page (memseg), because EAL frees memory page by page:
 * a FREE event may cover part of what an ALLOC event or the initial walk
 * added, and uvf_domain_unmap() removes only whole mappings.
 *
 * Locking: EAL runs memory event callbacks with its memory hotplug lock
 * write-held, and attach walks the segments with it read-held, so the walk
 * and the callbacks never overlap. The attachment's own lock orders the
 * callbacks against uvf_dpdk_get_stats() and detach; detach unregisters
 * the callback first, which waits for a running callback to return.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_eal_memconfig.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_memory.h>
#include <rte_vfio.h>

#include <uvf/dpdk.h>
#include <uvf/iommu.h>
#include <uvf/iova.h>
#include <uvf/vfio.h>

#include "dma/regmap.h"
#include "dpdk_priv.h"
#include "iommu/domain.h"
#include "util/trace.h"

/* Registered-memory cookie of EAL pages: uvf_dma_unregister() (cookie 0)
 * cannot remove them. */
#define DPDK_REGMAP_COOKIE 0x4450444bull	/* "DPDK" */

/* The domain cookie's key. */
static const char attach_key;

enum dpdk_mode {
	MODE_MAP,	/* translated, uvf's own IOMMU: map each page */
	MODE_SHARED,	/* translated, EAL's container: reserve only */
	MODE_DIRECT,	/* direct domain: check the arithmetic */
};

struct dpdk_page {
	uintptr_t va;
	uvf_iova_t iova;
	uint64_t len;
};

struct dpdk_attach {
	struct uvf_domain *dom;
	enum dpdk_mode mode;
	char cb_name[RTE_MEM_EVENT_CALLBACK_NAME_LEN];
	bool cb_registered;
	pthread_mutex_t lock;
	struct dpdk_page *pages;	/* sorted by va */
	size_t nr, cap;
	struct uvf_dpdk_stats st;
	int walk_err;
};

bool uvf_dpdk_eal_ready(void)
{
	/* Before rte_eal_init() the IOVA mode is still "don't care" and no
	 * lcore is known; init settles both. */
	return rte_eal_iova_mode() != RTE_IOVA_DC && rte_lcore_count() > 0;
}

static size_t page_find(const struct dpdk_attach *a, uintptr_t va)
{
	size_t lo = 0, hi = a->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a->pages[mid].va < va)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int page_insert(struct dpdk_attach *a, const struct dpdk_page *p)
{
	size_t i;

	if (a->nr == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		struct dpdk_page *v = realloc(a->pages, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->pages = v;
		a->cap = cap;
	}
	i = page_find(a, p->va);
	memmove(&a->pages[i + 1], &a->pages[i],
		(a->nr - i) * sizeof(a->pages[0]));
	a->pages[i] = *p;
	a->nr++;
	return 0;
}

/* Take one page out of the domain: unmap or release its IOVA, drop the
 * lookup. */
static void page_release(struct dpdk_attach *a, const struct dpdk_page *p)
{
	struct uvf_domain *dom = a->dom;
	struct uvf_regmap *m = uvf_domain_regmap(dom);	/* exists: pages do */
	uvf_iova_t iova;
	int ret;

	uvf_regmap_lock(m);
	uvf_regmap_remove(m, (const void *)p->va, p->len, DPDK_REGMAP_COOKIE,
			  &iova);
	uvf_regmap_unlock(m);
	switch (a->mode) {
	case MODE_MAP:
		ret = uvf_domain_unmap(dom, p->iova, p->len);
		if (ret)
			uvf_trace("dpdk: unmap of EAL page %#" PRIxPTR
				  " at iova %#" PRIx64 " failed: %d",
				  p->va, p->iova, ret);
		break;
	case MODE_SHARED:
		uvf_iova_free(uvf_domain_iova_allocator(dom), p->iova, p->len);
		break;
	case MODE_DIRECT:
		break;
	}
	a->st.pages--;
	a->st.bytes -= p->len;
	a->st.unmaps++;
}

/* Put one EAL page into the domain. Changes nothing on failure. */
static int page_add(struct dpdk_attach *a, uintptr_t va, uvf_iova_t iova,
		    uint64_t len)
{
	struct uvf_domain *dom = a->dom;
	struct dpdk_page p = { va, iova, len };
	struct uvf_regmap *m;
	uvf_iova_t addr;
	uint64_t last;
	int ret;

	if (!uvf_is_aligned(va | iova | len, UVF_PAGE_SIZE) || !len)
		return -EINVAL;
	if (uvf_range_last(iova, len, &last))
		return -EOVERFLOW;
	m = uvf_domain_regmap(dom);
	if (!m)
		return -ENOMEM;
	uvf_regmap_lock(m);
	ret = uvf_regmap_check_free(m, (const void *)va, len);
	if (ret)
		goto out;
	switch (a->mode) {
	case MODE_MAP:
		ret = uvf_domain_map(dom, iova, (void *)va, len, UVF_PROT_RW);
		break;
	case MODE_SHARED:
		/* EAL has mapped it into the container: keep uvf's
		 * allocator off it, nothing more. Reserved regions are
		 * already out of the allocator, so they collide here too. */
		ret = uvf_iova_reserve(uvf_domain_iova_allocator(dom), iova, len);
		break;
	case MODE_DIRECT:
		ret = uvf_domain_direct_addr(dom, (const void *)va, len,
					     &addr);
		if (!ret && addr != iova)
			ret = -EXDEV;
		break;
	}
	if (ret)
		goto out;
	ret = uvf_regmap_add(m, (const void *)va, len, NULL, iova,
			     DPDK_REGMAP_COOKIE);
	if (!ret) {
		ret = page_insert(a, &p);
		if (ret)
			uvf_regmap_remove(m, (const void *)va, len,
					  DPDK_REGMAP_COOKIE, &addr);
	}
	if (ret) {
		if (a->mode == MODE_MAP)
			uvf_domain_unmap(dom, iova, len);
		else if (a->mode == MODE_SHARED)
			uvf_iova_free(uvf_domain_iova_allocator(dom), iova, len);
		goto out;
	}
	a->st.pages++;
	a->st.bytes += len;
	a->st.maps++;
out:
	uvf_regmap_unlock(m);
	return ret;
}

static void release_all(struct dpdk_attach *a)
{
	while (a->nr) {
		struct dpdk_page p = a->pages[--a->nr];

		page_release(a, &p);
	}
}

static int walk_contig(const struct rte_memseg_list *msl,
		       const struct rte_memseg *ms, size_t len, void *arg)
{
	struct dpdk_attach *a = arg;
	uint64_t off;
	int ret;

	/* External memory registered without IOVAs has none to map. */
	if (ms->iova == RTE_BAD_IOVA)
		return 0;
	for (off = 0; off < len; off += msl->page_sz) {
		ret = page_add(a, (uintptr_t)ms->addr + off, ms->iova + off,
			       msl->page_sz);
		if (ret) {
			uvf_trace("dpdk: EAL page va %#" PRIxPTR " iova %#"
				  PRIx64 " not added: %d",
				  (uintptr_t)ms->addr + off, ms->iova + off,
				  ret);
			a->walk_err = ret;
			return -1;
		}
	}
	return 0;
}

static void record_error(struct dpdk_attach *a, uvf_iova_t iova, int err)
{
	a->st.errors++;
	a->st.last_error = err;
	a->st.last_error_iova = iova;
}

/* EAL's memory hotplug: runs with the hotplug lock write-held, before EAL
 * hands out new memory and before it gives freed pages back. */
static void mem_event(enum rte_mem_event type, const void *addr, size_t len,
		      void *arg)
{
	struct dpdk_attach *a = arg;
	const struct rte_memseg_list *msl;
	uintptr_t va = (uintptr_t)addr, end = va + len;

	pthread_mutex_lock(&a->lock);
	if (type == RTE_MEM_EVENT_ALLOC)
		a->st.alloc_events++;
	else
		a->st.free_events++;
	msl = rte_mem_virt2memseg_list(addr);
	if (!msl) {
		uvf_trace("dpdk: memory event for %p len %#zx outside EAL's "
			  "memory", addr, len);
		record_error(a, 0, -EFAULT);
		goto out;
	}
	for (; va < end; va += msl->page_sz) {
		const struct rte_memseg *ms =
			rte_mem_virt2memseg((const void *)va, msl);
		size_t i;
		int ret;

		if (type == RTE_MEM_EVENT_FREE) {
			i = page_find(a, va);
			if (i < a->nr && a->pages[i].va == va) {
				struct dpdk_page p = a->pages[i];

				memmove(&a->pages[i], &a->pages[i + 1],
					(a->nr - i - 1) * sizeof(p));
				a->nr--;
				page_release(a, &p);
				uvf_trace("dpdk: EAL freed page va %#" PRIxPTR
					  ": iova %#" PRIx64 " released",
					  p.va, p.iova);
			}
			continue;
		}
		if (!ms || ms->iova == RTE_BAD_IOVA)
			continue;
		ret = page_add(a, va, ms->iova, msl->page_sz);
		if (ret) {
			uvf_trace("dpdk: EAL allocated page va %#" PRIxPTR
				  " iova %#" PRIx64 ": not added (%d); a "
				  "device cannot reach it through uvf",
				  va, ms->iova, ret);
			record_error(a, ms->iova, ret);
		} else {
			uvf_trace("dpdk: EAL allocated page va %#" PRIxPTR
				  ": iova %#" PRIx64 " %s", va, ms->iova,
				  a->mode == MODE_MAP ? "mapped" :
				  a->mode == MODE_SHARED ? "reserved" :
							   "checked");
		}
	}
out:
	pthread_mutex_unlock(&a->lock);
}

static void attach_free(struct dpdk_attach *a)
{
	pthread_mutex_destroy(&a->lock);
	free(a->pages);
	free(a);
}

/* Everything but the domain cookie. */
static void teardown(struct dpdk_attach *a)
{
	/* Waits for a running callback; none starts after it. */
	if (a->cb_registered)
		rte_mem_event_callback_unregister(a->cb_name, a);
	a->cb_registered = false;
	pthread_mutex_lock(&a->lock);
	release_all(a);
	pthread_mutex_unlock(&a->lock);
	uvf_trace("dpdk: domain %u detached from EAL's memory", a->dom->id);
}

/* uvf_domain_destroy() on an attached domain. */
static void cookie_destroy(struct uvf_domain *dom, void *data)
{
	(void)dom;
	teardown(data);
	attach_free(data);
}

/* EAL's own default container, or -1 when it has none (no VFIO). */
static int eal_container_fd(void)
{
	int fd = rte_vfio_get_container_fd();

	return fd < 0 ? -1 : fd;
}

static int choose_mode(struct uvf_domain *dom, enum dpdk_mode *mode)
{
	struct uvf_iommu *iommu = uvf_domain_iommu(dom);

	if (uvf_domain_type(dom) == UVF_DOMAIN_DIRECT) {
		*mode = MODE_DIRECT;
		return 0;
	}
	if (!uvf_vfio_context_shared(iommu)) {
		*mode = MODE_MAP;
		return 0;
	}
	/* Shared container: it must be the one EAL maps its memory into,
	 * when EAL has one. */
	if (uvf_vfio_backend(iommu) == UVF_VFIO_TYPE1 &&
	    eal_container_fd() >= 0 &&
	    uvf_vfio_context_fd(iommu) != eal_container_fd())
		return -EXDEV;
	*mode = MODE_SHARED;
	return 0;
}

int uvf_dpdk_attach_memory(struct uvf_domain *dom)
{
	struct dpdk_attach *a;
	int ret;

	if (!dom)
		return -EINVAL;
	if (!uvf_dpdk_eal_ready())
		return -ENODEV;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	a->dom = dom;
	ret = choose_mode(dom, &a->mode);
	if (!ret)
		ret = -pthread_mutex_init(&a->lock, NULL);
	if (ret) {
		free(a);
		return ret;
	}
	a->st.shared = a->mode == MODE_SHARED;
	a->st.direct = a->mode == MODE_DIRECT;
	snprintf(a->cb_name, sizeof(a->cb_name), "uvf-dpdk-%p", (void *)a);
	/* Claims the domain: a second attach is -EEXIST from here on. */
	ret = uvf_domain_cookie_set(dom, &attach_key, a, cookie_destroy);
	if (ret) {
		attach_free(a);
		return ret;
	}

	/* Walk and register under one read lock: no allocation can fall
	 * between them. */
	rte_mcfg_mem_read_lock();
	pthread_mutex_lock(&a->lock);
	ret = rte_memseg_contig_walk_thread_unsafe(walk_contig, a);
	pthread_mutex_unlock(&a->lock);
	if (ret)
		ret = a->walk_err ? a->walk_err : -EIO;
	if (!ret) {
		if (!rte_mem_event_callback_register(a->cb_name, mem_event,
						     a)) {
			a->cb_registered = true;
			a->st.hotplug = true;
		} else if (rte_errno != ENOTSUP) {
			/* ENOTSUP: legacy memory, which never changes. */
			ret = rte_errno ? -rte_errno : -EIO;
		}
	}
	rte_mcfg_mem_read_unlock();
	if (ret) {
		teardown(a);
		uvf_domain_cookie_clear(dom, &attach_key);
		attach_free(a);
		return ret;
	}
	uvf_trace("dpdk: domain %u attached to EAL's memory (%s, IOVA mode "
		  "%s): %" PRIu64 " page(s), %#" PRIx64 " bytes", dom->id,
		  a->mode == MODE_MAP ? "mapped" :
		  a->mode == MODE_SHARED ? "EAL's container, reserved" :
					   "direct",
		  rte_eal_iova_mode() == RTE_IOVA_VA ? "VA" : "PA",
		  a->st.pages, a->st.bytes);
	return 0;
}

int uvf_dpdk_detach_memory(struct uvf_domain *dom)
{
	struct dpdk_attach *a;

	if (!dom)
		return -EINVAL;
	a = uvf_domain_cookie_get(dom, &attach_key);
	if (!a)
		return -ENOENT;
	teardown(a);
	uvf_domain_cookie_clear(dom, &attach_key);
	attach_free(a);
	return 0;
}

bool uvf_dpdk_memory_attached(struct uvf_domain *dom)
{
	return uvf_domain_cookie_get(dom, &attach_key) != NULL;
}

int uvf_dpdk_vtoiova(const struct uvf_domain *dom, const void *vaddr,
		     uvf_iova_t *iova)
{
	return uvf_domain_regmap_lookup(dom, vaddr, iova);
}

int uvf_dpdk_get_stats(struct uvf_domain *dom, struct uvf_dpdk_stats *st)
{
	struct dpdk_attach *a;

	if (!dom || !st)
		return -EINVAL;
	a = uvf_domain_cookie_get(dom, &attach_key);
	if (!a)
		return -ENOENT;
	pthread_mutex_lock(&a->lock);
	*st = a->st;
	pthread_mutex_unlock(&a->lock);
	return 0;
}

int uvf_dpdk_vfio_open(struct uvf_iommu **out)
{
	struct uvf_vfio_opts o = {
		.backend = UVF_VFIO_TYPE1,
		.shared_container = true,
	};

	if (!out)
		return -EINVAL;
	if (!uvf_dpdk_eal_ready())
		return -ENODEV;
	o.container_fd = eal_container_fd();
	if (o.container_fd < 0)
		return -ENOTSUP;
	return uvf_vfio_open(&o, out);
}
