/* SPDX-License-Identifier: MIT */
/*
 * Attach and detach: a device's reserved regions leave the allocator and its
 * firmware direct regions are identity-mapped before the backend puts it
 * behind the domain; a failed attach undoes all of it. The device layer
 * learns only that the domain holds the device (uvf_device_claim).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/iova.h>

#include "device/device_priv.h"
#include "iommu/domain.h"
#include "iommu/resv.h"
#include "util/trace.h"

#define MAX_DEV_RESV 64

/* The device's reserved regions: the backend's plus its firmware direct
 * regions. Returns the count or a negative errno. */
static int device_regions(struct uvf_domain *dom, struct uvf_device *dev,
			  struct uvf_resv_region *out, size_t max)
{
	const struct uvf_direct_regions *fw = &dom->iommu->direct;
	uint16_t segment, rid = uvf_device_rid(dev, &segment);
	size_t i, n = max;
	int ret = 0;

	if (dom->ops->reserved_regions) {
		ret = dom->ops->reserved_regions(dom, dev, out, &n);
		if (ret)
			return ret;
	} else {
		n = 0;
	}
	for (i = 0; i < fw->nr; i++) {
		const struct uvf_direct_region *r = &fw->v[i];

		if (r->segment != segment || rid < r->rid_first ||
		    rid > r->rid_last)
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
			  uvf_device_name(dev), uvf_direct_source_name(r->source),
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

		dom->ops->unmap(dom, r->first, r->last - r->first + 1, 0,
				NULL);
	}
	while (u->nr_reserved--) {
		struct uvf_iova_range *r = &u->reserved[u->nr_reserved];

		uvf_iova_free(dom->allocator, r->first, r->last - r->first + 1);
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
	done[ndone++] = UVF_PAGE_ZERO;
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
				ret = uvf_iova_reserve(dom->allocator, f, l - f + 1);
			if (ret)
				break;
			u->reserved[u->nr_reserved++] =
				(struct uvf_iova_range){ f, l };
			if (!is_direct_type(r->type) ||
			    !dom->ops->map_phys)
				continue;
			ret = dom->ops->map_phys(dom, f, f, l - f + 1,
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

/* Room for one more device in the domain's list. Lock held. */
static int devices_reserve(struct uvf_domain *dom)
{
	struct uvf_device **v;
	size_t cap;

	if (dom->nr_devices < dom->cap_devices)
		return 0;
	cap = dom->cap_devices ? dom->cap_devices * 2 : 4;
	v = realloc(dom->devices, cap * sizeof(*v));
	if (!v)
		return -ENOMEM;
	dom->devices = v;
	dom->cap_devices = cap;
	return 0;
}

/* The device layer's close hook: a device closed while attached leaves its
 * domain first. */
static void release_device(void *owner, struct uvf_device *dev)
{
	uvf_domain_detach(owner, dev);
}

int uvf_domain_attach(struct uvf_domain *dom, struct uvf_device *dev)
{
	struct uvf_resv_region regions[MAX_DEV_RESV];
	struct attach_undo *undo = NULL;
	size_t old_nr_resv;
	int ret, n, i;

	if (!dom || !dev)
		return -EINVAL;
	if (uvf_device_iommu(dev) != dom->iommu)
		return -EXDEV;
	pthread_mutex_lock(&dom->lock);
	/* Claimed first, so that two domains racing for one device cannot
	 * both apply its regions. */
	ret = uvf_device_claim(dev, dom, release_device);
	if (ret)
		goto out;	/* -EBUSY: it is in a domain already */
	ret = devices_reserve(dom);
	if (ret)
		goto out_unclaim;
	n = device_regions(dom, dev, regions, MAX_DEV_RESV);
	if (n < 0) {
		ret = n;
		goto out_unclaim;
	}
	undo = calloc(1, sizeof(*undo));
	if (!undo) {
		ret = -ENOMEM;
		goto out_unclaim;
	}
	old_nr_resv = dom->nr_resv;
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
		ret = dom->ops->attach(dom, dev);
	if (ret) {
		if (dom->type == UVF_DOMAIN_TRANSLATED) {
			attach_rollback(dom, undo);
			if (dom->ops->invalidate)
				dom->ops->invalidate(dom, 0, 0);
		}
		dom->nr_resv = old_nr_resv;
		goto out_unclaim;
	}
	dom->devices[dom->nr_devices++] = dev;
	uvf_trace("attach %s to domain %u: %d reserved region(s) applied",
		  uvf_device_name(dev), dom->id, n);
	goto out;
out_unclaim:
	uvf_device_unclaim(dev, dom);
out:
	pthread_mutex_unlock(&dom->lock);
	free(undo);
	return ret;
}

int uvf_domain_detach(struct uvf_domain *dom, struct uvf_device *dev)
{
	size_t i;
	int ret = -ENOENT;

	if (!dom || !dev)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	for (i = 0; i < dom->nr_devices; i++) {
		if (dom->devices[i] != dev)
			continue;
		dom->devices[i] = dom->devices[--dom->nr_devices];
		dom->ops->detach(dom, dev);
		uvf_device_unclaim(dev, dom);
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&dom->lock);
	return ret;
}
