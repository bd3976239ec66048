/* SPDX-License-Identifier: MIT */
/*
 * Domains: the part of the IOMMU layer every backend shares -- IOVA
 * allocation over the usable ranges, reserved and firmware direct regions
 * applied at attach, exact mapping records so bad unmaps change nothing, and
 * the invalidation policy (flushq.c).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/iova.h>

#include "device/device_priv.h"
#include "dma/regmap.h"
#include "iommu/domain.h"
#include "iommu/flushq.h"
#include "iommu/resv.h"
#include "util/trace.h"

#define MAX_APERTURE 8
#define MAX_DEV_RESV 64

static bool prot_valid(int prot)
{
	return prot && !(prot & ~UVF_PROT_RW);
}

/* Page 0 stays out of the allocator, like the kernel's base_pfn >= 1, so a
 * zero IOVA is never a valid DMA address. */
static const struct uvf_iova_range page_zero = { 0, UVF_PAGE_SIZE - 1 };

static int domain_init_translated(struct uvf_domain *dom)
{
	struct uvf_iova_range *usable;
	size_t i, nr = MAX_APERTURE;
	int ret, n;

	ret = dom->iommu->ops->iova_ranges(dom, dom->aperture, &nr);
	if (ret)
		return ret;
	if (!nr)
		return -EINVAL;
	dom->nr_aperture = nr;

	n = uvf_ranges_subtract(dom->aperture, nr, &page_zero, 1, &usable);
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
	ret = n ? uvf_iova_allocator_create(usable, n, &dom->iova) : -EINVAL;
	free(usable);
	if (ret)
		return ret;
	ret = uvf_maptable_init(&dom->maps, 256);
	if (ret) {
		uvf_iova_allocator_destroy(dom->iova);
		dom->iova = NULL;
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

	ret = iommu->ops->domain_init(dom);
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
	iommu->ops->domain_fini(dom);
err_lock:
	pthread_mutex_destroy(&dom->lock);
err_free:
	free(dom);
	return ret;
}

int uvf_domain_destroy(struct uvf_domain *dom)
{
	struct uvf_iommu *iommu;

	if (!dom)
		return 0;
	pthread_mutex_lock(&dom->lock);
	if (dom->devices) {
		pthread_mutex_unlock(&dom->lock);
		return -EBUSY;
	}
	pthread_mutex_unlock(&dom->lock);

	/* Other layers' state goes first, while everything still works.
	 * Newest first: a layer set up on top of another goes before it. */
	for (;;) {
		struct uvf_domain_cookie *c;

		pthread_mutex_lock(&dom->lock);
		c = dom->cookies;
		if (c)
			dom->cookies = c->next;
		pthread_mutex_unlock(&dom->lock);
		if (!c)
			break;
		if (c->destroy)
			c->destroy(dom, c->data);
		free(c);
	}

	iommu = dom->iommu;
	uvf_fq_stop(dom);
	/* The backend tears down whatever is still mapped (page tables,
	 * kernel mappings) and invalidates. */
	iommu->ops->domain_fini(dom);
	uvf_regmap_destroy(atomic_load(&dom->regmap));
	if (dom->type == UVF_DOMAIN_TRANSLATED) {
		uvf_maptable_fini(&dom->maps);
		uvf_iova_allocator_destroy(dom->iova);
	}
	free(dom->fq);
	free(dom->resv);
	pthread_mutex_destroy(&dom->lock);
	free(dom);

	pthread_mutex_lock(&iommu->lock);
	iommu->nr_domains--;
	pthread_mutex_unlock(&iommu->lock);
	return 0;
}

int uvf_domain_cookie_set(struct uvf_domain *dom, const void *key, void *data,
			  uvf_domain_cookie_fn destroy)
{
	struct uvf_domain_cookie *c, *n;
	int ret = 0;

	if (!dom || !key)
		return -EINVAL;
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->key = key;
	n->data = data;
	n->destroy = destroy;
	pthread_mutex_lock(&dom->lock);
	for (c = dom->cookies; c; c = c->next)
		if (c->key == key)
			ret = -EEXIST;
	if (!ret) {
		n->next = dom->cookies;
		dom->cookies = n;
		n = NULL;
	}
	pthread_mutex_unlock(&dom->lock);
	free(n);
	return ret;
}

void *uvf_domain_cookie_get(struct uvf_domain *dom, const void *key)
{
	struct uvf_domain_cookie *c;
	void *data = NULL;

	if (!dom)
		return NULL;
	pthread_mutex_lock(&dom->lock);
	for (c = dom->cookies; c; c = c->next)
		if (c->key == key)
			data = c->data;
	pthread_mutex_unlock(&dom->lock);
	return data;
}

int uvf_domain_cookie_clear(struct uvf_domain *dom, const void *key)
{
	struct uvf_domain_cookie **pp, *c = NULL;

	if (!dom || !key)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	for (pp = &dom->cookies; *pp; pp = &(*pp)->next) {
		if ((*pp)->key == key) {
			c = *pp;
			*pp = c->next;
			break;
		}
	}
	pthread_mutex_unlock(&dom->lock);
	free(c);
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

void *uvf_domain_priv(const struct uvf_domain *dom)
{
	return dom->priv;
}

void uvf_domain_set_priv(struct uvf_domain *dom, void *priv)
{
	dom->priv = priv;
}

uint16_t uvf_domain_id(const struct uvf_domain *dom)
{
	return dom->id;
}

struct uvf_iova_allocator *uvf_domain_iova_allocator(struct uvf_domain *dom)
{
	return dom->iova;
}

/* The device's reserved regions: the backend's plus its firmware direct
 * regions. Returns the count or a negative errno. */
static int device_regions(struct uvf_domain *dom, struct uvf_device *dev,
			  struct uvf_resv_region *out, size_t max)
{
	const struct uvf_direct_regions *fw = &dom->iommu->direct;
	size_t i, n = max;
	int ret = 0;

	if (dom->iommu->ops->reserved_regions) {
		ret = dom->iommu->ops->reserved_regions(dom, dev, out, &n);
		if (ret)
			return ret;
	} else {
		n = 0;
	}
	for (i = 0; i < fw->nr; i++) {
		const struct uvf_direct_region *r = &fw->v[i];

		if (r->segment != dev->segment || dev->rid < r->rid_first ||
		    dev->rid > r->rid_last)
			continue;
		if (n == max)
			return -E2BIG;
		out[n++] = (struct uvf_resv_region){
			.first = r->first & ~(UVF_PAGE_SIZE - 1),
			.last = r->last | (UVF_PAGE_SIZE - 1),
			.type = r->relaxable ? UVF_RESV_DIRECT_RELAXABLE
					     : UVF_RESV_DIRECT,
			.prot = r->prot,
		};
		uvf_trace("attach %s: %s [%#llx-%#llx] is a firmware direct "
			  "region: identity-mapped before any request",
			  dev->name, uvf_direct_source_name(r->source),
			  (unsigned long long)r->first,
			  (unsigned long long)r->last);
	}
	return (int)n;
}

static bool is_direct_type(enum uvf_resv_type t)
{
	return t == UVF_RESV_DIRECT || t == UVF_RESV_DIRECT_RELAXABLE;
}

struct attach_undo {
	struct uvf_iova_range reserved[MAX_DEV_RESV * 4];
	size_t nr_reserved;
	struct uvf_iova_range mapped[MAX_DEV_RESV * 4];
	size_t nr_mapped;
};

static void attach_rollback(struct uvf_domain *dom, struct attach_undo *u)
{
	while (u->nr_mapped--) {
		struct uvf_iova_range *r = &u->mapped[u->nr_mapped];

		dom->iommu->ops->unmap(dom, r->first, r->last - r->first + 1,
				       NULL);
	}
	while (u->nr_reserved--) {
		struct uvf_iova_range *r = &u->reserved[u->nr_reserved];

		uvf_iova_free(dom->iova, r->first, r->last - r->first + 1);
	}
}

/* Take the parts of @r not yet reserved out of the allocator and, for a
 * direct region, identity-map them. Records what it did in @u. */
static int apply_region(struct uvf_domain *dom, const struct uvf_resv_region *r,
			struct attach_undo *u)
{
	struct uvf_iova_range want = { r->first, r->last }, *cut;
	struct uvf_iova_range *done;
	size_t i, ndone;
	int n, ret = 0;

	/* Ranges already reserved by earlier regions, plus what lies outside
	 * the allocator (page zero, beyond the aperture). */
	done = malloc((dom->nr_resv + 1) * sizeof(*done));
	if (!done)
		return -ENOMEM;
	for (ndone = 0; ndone < dom->nr_resv; ndone++)
		done[ndone] = (struct uvf_iova_range){ dom->resv[ndone].first,
						       dom->resv[ndone].last };
	done[ndone++] = page_zero;
	n = uvf_ranges_subtract(&want, 1, done, ndone, &cut);
	free(done);
	if (n < 0)
		return n;
	/* Only the parts inside the aperture reach the allocator. */
	for (i = 0; i < (size_t)n && !ret; i++) {
		uvf_iova_t first = cut[i].first, last = cut[i].last;
		size_t a;

		for (a = 0; a < dom->nr_aperture && !ret; a++) {
			uvf_iova_t f = first > dom->aperture[a].first ?
					       first : dom->aperture[a].first;
			uvf_iova_t l = last < dom->aperture[a].last ?
					       last : dom->aperture[a].last;

			if (f > l)
				continue;
			if (u->nr_reserved == sizeof(u->reserved) /
						      sizeof(u->reserved[0]))
				ret = -E2BIG;
			else
				ret = uvf_iova_reserve(dom->iova, f, l - f + 1);
			if (ret)
				break;
			u->reserved[u->nr_reserved++] =
				(struct uvf_iova_range){ f, l };
			if (!is_direct_type(r->type) ||
			    !dom->iommu->ops->map_phys)
				continue;
			ret = dom->iommu->ops->map_phys(dom, f, f, l - f + 1,
							r->prot ? r->prot
								: UVF_PROT_RW);
			if (!ret)
				u->mapped[u->nr_mapped++] =
					(struct uvf_iova_range){ f, l };
		}
	}
	free(cut);
	return ret;
}

static int resv_append(struct uvf_domain *dom, const struct uvf_resv_region *r,
		       size_t n)
{
	if (!n)
		return 0;
	if (dom->nr_resv + n > dom->cap_resv) {
		size_t cap = (dom->nr_resv + n) * 2;
		struct uvf_resv_region *v = realloc(dom->resv, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		dom->resv = v;
		dom->cap_resv = cap;
	}
	memcpy(&dom->resv[dom->nr_resv], r, n * sizeof(*r));
	dom->nr_resv += n;
	return 0;
}

int uvf_domain_attach(struct uvf_domain *dom, struct uvf_device *dev)
{
	struct uvf_resv_region regions[MAX_DEV_RESV];
	struct attach_undo *undo = NULL;
	size_t old_nr_resv;
	int ret, n, i;

	if (!dom || !dev)
		return -EINVAL;
	if (dev->iommu != dom->iommu)
		return -EXDEV;
	pthread_mutex_lock(&dom->lock);
	if (dev->domain) {
		ret = -EBUSY;
		goto out;
	}
	n = device_regions(dom, dev, regions, MAX_DEV_RESV);
	if (n < 0) {
		ret = n;
		goto out;
	}
	undo = calloc(1, sizeof(*undo));
	if (!undo) {
		ret = -ENOMEM;
		goto out;
	}
	old_nr_resv = dom->nr_resv;
	ret = 0;
	if (dom->type == UVF_DOMAIN_TRANSLATED) {
		/* Each region is appended as soon as it is applied so that a
		 * later overlapping region of the same device skips it. */
		for (i = 0; i < n && !ret; i++) {
			ret = apply_region(dom, &regions[i], undo);
			if (!ret)
				ret = resv_append(dom, &regions[i], 1);
		}
	} else {
		ret = resv_append(dom, regions, n);
	}
	if (!ret)
		ret = dom->iommu->ops->attach(dom, dev);
	if (ret) {
		if (dom->type == UVF_DOMAIN_TRANSLATED) {
			attach_rollback(dom, undo);
			if (dom->iommu->ops->invalidate)
				dom->iommu->ops->invalidate(dom, 0, 0);
		}
		dom->nr_resv = old_nr_resv;
		goto out;
	}
	dev->domain = dom;
	dev->domain_next = dom->devices;
	dom->devices = dev;
	uvf_trace("attach %s to domain %u: %d reserved region(s) applied",
		  dev->name, dom->id, n);
out:
	pthread_mutex_unlock(&dom->lock);
	free(undo);
	return ret;
}

int uvf_domain_detach(struct uvf_domain *dom, struct uvf_device *dev)
{
	struct uvf_device **pp;
	int ret = -ENOENT;

	if (!dom || !dev)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	for (pp = &dom->devices; *pp; pp = &(*pp)->domain_next) {
		if (*pp != dev)
			continue;
		*pp = dev->domain_next;
		dom->iommu->ops->detach(dom, dev);
		dev->domain = NULL;
		dev->domain_next = NULL;
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

/* Checks shared by the fixed-address calls. */
static int check_range(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len)
{
	uint64_t last;

	if (dom->type != UVF_DOMAIN_TRANSLATED || !len ||
	    !uvf_is_aligned(iova, UVF_PAGE_SIZE) ||
	    !uvf_is_aligned(len, UVF_PAGE_SIZE))
		return -EINVAL;
	if (uvf_range_last(iova, len, &last))
		return -EOVERFLOW;
	return 0;
}

static bool hits_reserved(struct uvf_domain *dom, uvf_iova_t first,
			  uvf_iova_t last)
{
	size_t i;

	for (i = 0; i < dom->nr_resv; i++)
		if (dom->resv[i].first <= last && first <= dom->resv[i].last)
			return true;
	return false;
}

int uvf_domain_map(struct uvf_domain *dom, uvf_iova_t iova, void *vaddr,
		   uint64_t len, int prot)
{
	uint64_t vlast;
	int ret;

	if (!dom)
		return -EINVAL;
	ret = check_range(dom, iova, len);
	if (ret)
		return ret;
	if (!prot_valid(prot) || !vaddr ||
	    !uvf_is_aligned((uintptr_t)vaddr, UVF_PAGE_SIZE))
		return -EINVAL;
	if (uvf_range_last((uintptr_t)vaddr, len, &vlast))
		return -EOVERFLOW;

	pthread_mutex_lock(&dom->lock);
	if (hits_reserved(dom, iova, iova + len - 1)) {
		ret = -ERANGE;
		goto out;
	}
	/* -ERANGE outside the usable ranges, -EEXIST on an overlap. */
	ret = uvf_iova_reserve(dom->iova, iova, len);
	if (ret)
		goto out;
	ret = dom->iommu->ops->map(dom, iova, vaddr, len, prot, NULL);
	if (!ret) {
		ret = uvf_maptable_insert(&dom->maps, iova, len,
					  UVF_MAPREC_FIXED);
		if (ret)
			dom->iommu->ops->unmap(dom, iova, len, NULL);
	}
	if (ret) {
		uvf_iova_free(dom->iova, iova, len);
		goto out;
	}
	dom->stats.maps++;
	dom->stats.mapped_bytes += len;
out:
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

/* Removes the translations of a live record and hands its IOVA to the
 * invalidation policy. Domain lock held. */
static int unmap_record(struct uvf_domain *dom, struct uvf_maprec *rec)
{
	struct uvf_pgtable_op_stats st = { 0 };
	uvf_iova_t iova = rec->iova;
	uint64_t len = rec->len, data = rec->data;
	int ret;

	ret = dom->iommu->ops->unmap(dom, iova, len, &st);
	if (ret)
		return ret;
	uvf_maptable_remove(&dom->maps, rec);
	dom->stats.unmaps++;
	dom->stats.mapped_bytes -= len;
	uvf_trace("unmap iova %#llx len %#llx: %u leaf entries cleared, "
		  "%u table(s) freed", (unsigned long long)iova,
		  (unsigned long long)len,
		  st.entries_written[1] + st.entries_written[2] +
			  st.entries_written[3],
		  st.tables_freed);
	return uvf_fq_retire(dom, iova, len, data);
}

int uvf_domain_unmap(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len)
{
	struct uvf_maprec *rec;
	int ret;

	if (!dom)
		return -EINVAL;
	ret = check_range(dom, iova, len);
	if (ret)
		return ret;
	pthread_mutex_lock(&dom->lock);
	rec = uvf_maptable_find(&dom->maps, iova);
	if (!rec || rec->len != len ||
	    (rec->data & UVF_MAPREC_KIND_MASK) != UVF_MAPREC_FIXED)
		ret = -ENOENT;
	else
		ret = unmap_record(dom, rec);
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

/* Blocks are powers of two pages: what uvf_iova_alloc() really took. */
static uint64_t alloc_size(uint64_t len)
{
	uint64_t pages = len >> UVF_PAGE_SHIFT;

	return pages <= 1 ? UVF_PAGE_SIZE
			  : (1ull << (64 - __builtin_clzll(pages - 1)))
				    << UVF_PAGE_SHIFT;
}

static void trace_pgtable_write(const struct uvf_domain *dom, uvf_iova_t iova,
				const struct uvf_pgtable_op_stats *st)
{
	uvf_trace("%s page table of domain %u at iova %#llx: entries written "
		  "L5:%u L4:%u L3:%u L2:%u L1:%u, %u new table(s), leaves "
		  "4K:%llu 2M:%llu 1G:%llu", dom->iommu->name, dom->id,
		  (unsigned long long)iova, st->entries_written[5],
		  st->entries_written[4], st->entries_written[3],
		  st->entries_written[2], st->entries_written[1],
		  st->tables_allocated,
		  (unsigned long long)(st->leaf_bytes[1] >> 12),
		  (unsigned long long)(st->leaf_bytes[2] >> 21),
		  (unsigned long long)(st->leaf_bytes[3] >> 30));
}

/* Segments [i, returned index) whose memory follows on; *run = their bytes. */
static unsigned int contiguous_run(const struct uvf_dma_seg *seg,
				   unsigned int nseg, unsigned int i,
				   uint64_t *run)
{
	*run = seg[i].len;
	for (i++; i < nseg && (const char *)seg[i - 1].vaddr + seg[i - 1].len ==
				      (const char *)seg[i].vaddr; i++)
		*run += seg[i].len;
	return i;
}

int uvf_domain_map_alloc(struct uvf_domain *dom, const struct uvf_dma_seg *seg,
			 unsigned int nseg, int prot, uvf_iova_t *iova)
{
	struct uvf_pgtable_op_stats st, *stp = NULL;
	bool tracing = uvf_trace_enabled();
	uint64_t len = 0, off = 0, size;
	unsigned int i, next;
	uvf_iova_t addr;
	int ret;

	for (i = 0; i < nseg; i++)
		if (__builtin_add_overflow(len, seg[i].len, &len))
			return -EOVERFLOW;
	size = alloc_size(len);
	ret = uvf_iova_alloc(dom->iova, len, &addr);
	if (ret)
		return ret;
	uvf_trace("iova_alloc: domain %u iova %#llx size %#llx (%#llx asked)",
		  dom->id, (unsigned long long)addr, (unsigned long long)size,
		  (unsigned long long)len);

	pthread_mutex_lock(&dom->lock);
	/* Segments whose memory is contiguous are one backend mapping: on
	 * type1 that is one entry of the mapping budget instead of several. */
	for (i = 0; i < nseg && !ret; i = next) {
		uint64_t run;

		next = contiguous_run(seg, nseg, i, &run);
		if (tracing) {
			memset(&st, 0, sizeof(st));
			stp = &st;
		}
		ret = dom->iommu->ops->map(dom, addr + off, seg[i].vaddr, run,
					   prot, stp);
		if (ret)
			break;
		if (tracing)
			trace_pgtable_write(dom, addr + off, &st);
		off += run;
	}
	if (!ret)
		ret = uvf_maptable_insert(&dom->maps, addr, len,
					  size | UVF_MAPREC_ALLOCATED);
	if (ret) {
		/* [addr, addr + off) is mapped: undo it run by run. */
		uint64_t done = 0;

		for (i = 0; done < off; i = next) {
			uint64_t run;

			next = contiguous_run(seg, nseg, i, &run);
			dom->iommu->ops->unmap(dom, addr + done, run, NULL);
			done += run;
		}
	} else {
		dom->stats.maps++;
		dom->stats.mapped_bytes += len;
	}
	pthread_mutex_unlock(&dom->lock);
	if (ret) {
		uvf_iova_free_fast(dom->iova, addr, size);
		return ret;
	}
	*iova = addr;
	return 0;
}

int uvf_domain_unmap_free(struct uvf_domain *dom, uvf_iova_t iova,
			  uint64_t len)
{
	struct uvf_maprec *rec;
	int ret;

	pthread_mutex_lock(&dom->lock);
	rec = uvf_maptable_find(&dom->maps, iova);
	if (!rec || rec->len != len ||
	    (rec->data & UVF_MAPREC_KIND_MASK) != UVF_MAPREC_ALLOCATED)
		ret = -ENOENT;
	else
		ret = unmap_record(dom, rec);
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

int uvf_domain_iova_ranges(struct uvf_domain *dom, struct uvf_iova_range *out,
			   size_t max)
{
	struct uvf_iova_range *sub, *res;
	size_t i;
	int n;

	if (!dom || (max && !out))
		return -EINVAL;
	if (dom->type != UVF_DOMAIN_TRANSLATED)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	sub = malloc((dom->nr_resv + 1) * sizeof(*sub));
	if (!sub) {
		pthread_mutex_unlock(&dom->lock);
		return -ENOMEM;
	}
	for (i = 0; i < dom->nr_resv; i++)
		sub[i] = (struct uvf_iova_range){ dom->resv[i].first,
						  dom->resv[i].last };
	sub[i] = page_zero;
	n = uvf_ranges_subtract(dom->aperture, dom->nr_aperture, sub,
				dom->nr_resv + 1, &res);
	pthread_mutex_unlock(&dom->lock);
	free(sub);
	if (n < 0)
		return n;
	for (i = 0; i < (size_t)n && i < max; i++)
		out[i] = res[i];
	free(res);
	return n;
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
	if (!dom->iommu->ops->budget) {
		*avail = UINT64_MAX;
		return 0;
	}
	pthread_mutex_lock(&dom->lock);
	ret = dom->iommu->ops->budget(dom, avail);
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
