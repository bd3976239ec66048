/* SPDX-License-Identifier: MIT */
/*
 * Domains: the part of the IOMMU layer every backend shares -- IOVA
 * allocation over the usable ranges, reserved and firmware direct regions
 * applied at attach (attach.c), exact mapping records so bad unmaps change
 * nothing (mapping.c), and the invalidation policy (flushq.c). This file:
 * a domain's life, other layers' cookies, and queries.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/iova.h>

#include "iommu/domain.h"
#include "flushq.h"
#include "iommu/resv.h"
#include "util/trace.h"

#define MAX_APERTURE 8

static int domain_init_translated(struct uvf_domain *dom)
{
	struct uvf_iova_range *usable;
	size_t i, nr = MAX_APERTURE;
	int ret, n;

	ret = dom->ops->iova_ranges(dom, dom->aperture, &nr);
	if (ret)
		return ret;
	if (!nr)
		return -EINVAL;
	dom->nr_aperture = nr;

	n = uvf_domain_usable_ranges(dom, 0, &usable);
	if (n < 0)
		return n;
	/* Whole pages only: the allocator works in pages. */
	for (i = 0; i < (size_t)n;) {
		uint64_t first, end_aligned;

		end_aligned = ((usable[i].last + 1) & ~(UVF_PAGE_SIZE - 1)) - 1;
		if (uvf_align_up(usable[i].first, UVF_PAGE_SIZE, &first) ||
		    first > usable[i].last || end_aligned < first) {
			memmove(&usable[i], &usable[i + 1],
				(n - i - 1) * sizeof(*usable));
			n--;
			continue;
		}
		usable[i].first = first;
		usable[i].last = end_aligned;
		i++;
	}
	ret = n ? uvf_iova_allocator_create(usable, n, &dom->allocator) : -EINVAL;
	free(usable);
	if (ret)
		return ret;
	ret = uvf_maptable_init(&dom->maps, 256);
	if (ret) {
		uvf_iova_allocator_destroy(dom->allocator);
		dom->allocator = NULL;
	}
	return ret;
}

int uvf_domain_create(struct uvf_iommu *iommu, enum uvf_domain_type type,
		      struct uvf_domain **out)
{
	struct uvf_domain *dom;
	int ret;

	if (!iommu || !out ||
	    (type != UVF_DOMAIN_TRANSLATED && type != UVF_DOMAIN_DIRECT))
		return -EINVAL;
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return -ENOMEM;
	dom->iommu = iommu;
	dom->type = type;
	dom->policy = UVF_INVAL_STRICT;
	ret = -pthread_mutex_init(&dom->lock, NULL);
	if (ret)
		goto err_free;

	pthread_mutex_lock(&iommu->lock);
	dom->id = iommu->next_domid++;
	if (!iommu->next_domid)
		iommu->next_domid = 1;
	pthread_mutex_unlock(&iommu->lock);

	ret = iommu->ops->domain_ops(iommu, type, &dom->ops);
	if (ret)
		goto err_lock;
	ret = dom->ops->domain_init(dom);
	if (ret)
		goto err_lock;
	if (type == UVF_DOMAIN_TRANSLATED) {
		ret = domain_init_translated(dom);
		if (ret)
			goto err_backend;
	}

	pthread_mutex_lock(&iommu->lock);
	iommu->nr_domains++;
	pthread_mutex_unlock(&iommu->lock);
	uvf_trace("domain %u created on %s: %s", dom->id, iommu->name,
		  type == UVF_DOMAIN_DIRECT ? "direct" : "translated");
	*out = dom;
	return 0;

err_backend:
	dom->ops->domain_fini(dom);
err_lock:
	pthread_mutex_destroy(&dom->lock);
err_free:
	free(dom);
	return ret;
}

/* Unmap what the owner left mapped, record by record: the records are
 * the only list of kernel mappings a backend like type1 has. */
static void unmap_leftovers(struct uvf_domain *dom)
{
	size_t i;

	for (i = 0; i <= dom->maps.mask; i++) {
		const struct uvf_maprec *r = &dom->maps.slot[i];

		if (r->len)
			dom->ops->unmap(dom, r->iova, r->len,
					uvf_maprec_cookie(r->data), NULL);
	}
}

int uvf_domain_destroy(struct uvf_domain *dom)
{
	struct uvf_domain_cookie *c;
	struct uvf_iommu *iommu;

	if (!dom)
		return 0;
	pthread_mutex_lock(&dom->lock);
	if (dom->nr_devices) {
		pthread_mutex_unlock(&dom->lock);
		return -EBUSY;
	}
	pthread_mutex_unlock(&dom->lock);

	/* Other layers' state goes first, while everything still works.
	 * Newest first: a layer set up on top of another goes before it.
	 * Nothing else uses the domain now. */
	while ((c = atomic_load(&dom->cookies))) {
		atomic_store(&dom->cookies, atomic_load(&c->next));
		if (c->destroy)
			c->destroy(dom, atomic_load(&c->data));
		free(c);
	}
	while ((c = dom->cleared)) {
		dom->cleared = c->cleared_next;
		free(c);
	}

	iommu = dom->iommu;
	uvf_fq_stop(dom);
	if (dom->type == UVF_DOMAIN_TRANSLATED)
		unmap_leftovers(dom);
	/* The backend frees its state (page tables, firmware direct
	 * mappings, kernel objects) and invalidates. */
	dom->ops->domain_fini(dom);
	if (dom->type == UVF_DOMAIN_TRANSLATED) {
		uvf_maptable_fini(&dom->maps);
		uvf_iova_allocator_destroy(dom->allocator);
	}
	free(dom->devices);
	free(dom->fq);
	free(dom->resv);
	pthread_mutex_destroy(&dom->lock);
	free(dom);

	pthread_mutex_lock(&iommu->lock);
	iommu->nr_domains--;
	pthread_mutex_unlock(&iommu->lock);
	return 0;
}

static struct uvf_domain_cookie *cookie_find(struct uvf_domain *dom,
					     const void *key)
{
	struct uvf_domain_cookie *c;

	for (c = atomic_load_explicit(&dom->cookies, memory_order_acquire); c;
	     c = atomic_load_explicit(&c->next, memory_order_acquire))
		if (c->key == key)
			return c;
	return NULL;
}

/* A cleared node of @key, unchained for reuse, or NULL. Lock held. */
static struct uvf_domain_cookie *cleared_take(struct uvf_domain *dom,
					      const void *key)
{
	struct uvf_domain_cookie **pp, *c;

	for (pp = &dom->cleared; (c = *pp); pp = &c->cleared_next)
		if (c->key == key) {
			*pp = c->cleared_next;
			c->cleared_next = NULL;
			return c;
		}
	return NULL;
}

int uvf_domain_cookie_set(struct uvf_domain *dom, const void *key, void *data,
			  uvf_domain_cookie_fn destroy)
{
	struct uvf_domain_cookie *n, *fresh;
	int ret = 0;

	if (!dom || !key)
		return -EINVAL;
	/* Allocated before anything changes; freed again on reuse. */
	fresh = calloc(1, sizeof(*fresh));
	if (!fresh)
		return -ENOMEM;
	pthread_mutex_lock(&dom->lock);
	if (cookie_find(dom, key)) {
		ret = -EEXIST;
	} else {
		n = cleared_take(dom, key);
		if (!n) {
			n = fresh;
			fresh = NULL;
		}
		n->key = key;
		n->destroy = destroy;
		atomic_store_explicit(&n->data, data, memory_order_relaxed);
		/* Complete before it is published to lock-free readers. */
		atomic_store_explicit(&n->next, atomic_load(&dom->cookies),
				      memory_order_relaxed);
		atomic_store_explicit(&dom->cookies, n, memory_order_release);
	}
	pthread_mutex_unlock(&dom->lock);
	free(fresh);
	return ret;
}

void *uvf_domain_cookie_get(struct uvf_domain *dom, const void *key)
{
	struct uvf_domain_cookie *c;

	/* No lock: the DMA layer looks its registered memory up here on
	 * every vtoiova. */
	c = dom ? cookie_find(dom, key) : NULL;
	return c ? atomic_load_explicit(&c->data, memory_order_acquire) : NULL;
}

int uvf_domain_cookie_clear(struct uvf_domain *dom, const void *key)
{
	_Atomic(struct uvf_domain_cookie *) *pp;
	struct uvf_domain_cookie *c = NULL;

	if (!dom || !key)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	for (pp = &dom->cookies; (c = atomic_load(pp)); pp = &c->next) {
		if (c->key == key) {
			atomic_store_explicit(pp, atomic_load(&c->next),
					      memory_order_release);
			/* A reader may still be on it: its next stays, and
			 * it is freed with the domain or reused by @key. */
			c->cleared_next = dom->cleared;
			dom->cleared = c;
			break;
		}
	}
	pthread_mutex_unlock(&dom->lock);
	return c ? 0 : -ENOENT;
}

enum uvf_domain_type uvf_domain_type(const struct uvf_domain *dom)
{
	return dom->type;
}

struct uvf_iommu *uvf_domain_iommu(const struct uvf_domain *dom)
{
	return dom->iommu;
}

struct uvf_iova_allocator *uvf_domain_iova_allocator(struct uvf_domain *dom)
{
	return dom->allocator;
}

int uvf_domain_usable_ranges(struct uvf_domain *dom, size_t nr_resv,
			     struct uvf_iova_range **out)
{
	struct uvf_iova_range *sub;
	size_t i;
	int n;

	sub = malloc((nr_resv + 1) * sizeof(*sub));
	if (!sub)
		return -ENOMEM;
	for (i = 0; i < nr_resv; i++)
		sub[i] = (struct uvf_iova_range){ dom->resv[i].first,
						  dom->resv[i].last };
	sub[i] = UVF_PAGE_ZERO;
	n = uvf_ranges_subtract(dom->aperture, dom->nr_aperture, sub,
				nr_resv + 1, out);
	free(sub);
	return n;
}

int uvf_domain_iova_ranges(struct uvf_domain *dom, struct uvf_iova_range *out,
			   size_t max)
{
	struct uvf_iova_range *res;
	size_t i;
	int n;

	if (!dom || (max && !out))
		return -EINVAL;
	if (dom->type != UVF_DOMAIN_TRANSLATED)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	n = uvf_domain_usable_ranges(dom, dom->nr_resv, &res);
	pthread_mutex_unlock(&dom->lock);
	if (n < 0)
		return n;
	for (i = 0; i < (size_t)n && i < max; i++)
		out[i] = res[i];
	free(res);
	return n;
}

int uvf_domain_direct_addr(struct uvf_domain *dom, const void *vaddr,
			   uint64_t len, uvf_iova_t *addr)
{
	if (dom->type != UVF_DOMAIN_DIRECT)
		return -EINVAL;
	return dom->ops->direct_addr(dom, vaddr, len, addr);
}

int uvf_domain_reserved_regions(struct uvf_domain *dom,
				struct uvf_resv_region *out, size_t max)
{
	size_t i;
	int n;

	if (!dom || (max && !out))
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	for (i = 0; i < dom->nr_resv && i < max; i++)
		out[i] = dom->resv[i];
	n = (int)dom->nr_resv;
	pthread_mutex_unlock(&dom->lock);
	return n;
}

int uvf_domain_budget(struct uvf_domain *dom, uint64_t *avail)
{
	int ret;

	if (!dom || !avail)
		return -EINVAL;
	if (!dom->ops->budget) {
		*avail = UINT64_MAX;
		return 0;
	}
	pthread_mutex_lock(&dom->lock);
	ret = dom->ops->budget(dom, avail);
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

void uvf_domain_get_stats(struct uvf_domain *dom, struct uvf_domain_stats *st)
{
	pthread_mutex_lock(&dom->lock);
	*st = dom->stats;
	st->fq_pending = dom->fq_n;
	pthread_mutex_unlock(&dom->lock);
}
