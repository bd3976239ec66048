/* SPDX-License-Identifier: MIT */
/*
 * iommufd hardware page tables: HWPTs allocated on a domain's IOAS (so
 * they hold the same mappings), devices moved between them at run time,
 * the IOMMU's hardware info, and dirty tracking over the domain's
 * dirty-tracking HWPTs.
 *
 * Needs the 6.7+ uAPI (IOMMU_HWPT_GET_DIRTY_BITMAP); built against older
 * headers every call here is -ENOTSUP. An HWPT that reports I/O page
 * faults to a queue (fault.c) needs the 6.11+ one.
 */
#include <errno.h>
#include <string.h>

#include <uvf/device.h>

#include "config.h"
#include "vfio_priv.h"

#define HWPT_FLAGS (UVF_HWPT_DIRTY_TRACKING | UVF_HWPT_NEST_PARENT)

/* What uvf can refuse without the kernel: a paging HWPT takes no data, a
 * nested one takes data and no flags. */
static bool hwpt_opts_valid(const struct uvf_vfio_hwpt_opts *o)
{
	if (o->flags & ~HWPT_FLAGS)
		return false;
	if (!o->parent_id)
		return !o->data_type && !o->data_len && !o->data;
	return !o->flags && o->data_len && o->data;
}

#if UVF_HAVE_IOMMUFD
#include <linux/iommufd.h>

#include "iommufd_priv.h"

int vfio_iommufd_dom(const struct uvf_domain *dom, struct vfio_ctx **ctx,
		     struct ioas_domain **d)
{
	struct vfio_ctx *c = dom ? vfio_ctx_of(dom->iommu) : NULL;

	if (!dom || dom->type != UVF_DOMAIN_TRANSLATED)
		return -EINVAL;
	if (!c || c->be != vfio_iommufd_backend())
		return -ENOTSUP;
	*ctx = c;
	*d = uvf_domain_priv(dom);
	return 0;
}

static int hwpt_destroy(struct vfio_ctx *ctx, uint32_t id)
{
	struct iommu_destroy x = { .size = sizeof(x), .id = id };

	return vfio_ioctl(ctx, ctx->fd, IOMMU_DESTROY, &x);
}

void vfio_hwpt_destroy_all(struct vfio_ctx *ctx, struct ioas_domain *d)
{
	struct vfio_hwpt *h;

	while (d->nr_hwpt) {
		h = &d->hwpt[--d->nr_hwpt];
		/* The kernel lets go of the fault queue with the HWPT. */
		if (!hwpt_destroy(ctx, h->id) && h->fault)
			atomic_fetch_sub(&h->fault->hwpts, 1);
	}
}
#endif

#if UVF_HAVE_IOMMUFD && defined(IOMMU_HWPT_GET_DIRTY_BITMAP)

/* Selftest mock IOMMU (drivers/iommu/iommufd/iommufd_test.h). */
#define HW_INFO_TYPE_SELFTEST 0xfeedbeefu
/* IOMMU_HW_INFO_TYPE_ARM_SMMUV3: 6.8+ headers only. */
#define HW_INFO_TYPE_ARM_SMMUV3 2u

static int set_tracking(struct vfio_ctx *ctx, uint32_t hwpt, bool enable)
{
	struct iommu_hwpt_set_dirty_tracking t = {
		.size = sizeof(t), .hwpt_id = hwpt,
		.flags = enable ? IOMMU_HWPT_DIRTY_TRACKING_ENABLE : 0,
	};

	return vfio_ioctl(ctx, ctx->fd, IOMMU_HWPT_SET_DIRTY_TRACKING, &t);
}

/* Where @o's faults go: none, or a queue of @ctx (6.11+ uAPI). */
static int set_fault_queue(struct vfio_ctx *ctx,
			   const struct uvf_vfio_hwpt_opts *o,
			   struct iommu_hwpt_alloc *a)
{
	if (!o->fault)
		return 0;
#ifdef IOMMU_FAULT_QUEUE_ALLOC
	if (o->fault->ctx != ctx)
		return -EINVAL;
	a->flags |= IOMMU_HWPT_FAULT_ID_VALID;
	a->fault_id = o->fault->id;
	return 0;
#else
	(void)ctx;
	(void)a;
	return -ENOTSUP;
#endif
}

/* Whether @pt is a nesting parent HWPT of @d. Domain lock held. */
static bool dom_has_parent(const struct ioas_domain *d, uint32_t pt)
{
	size_t i;

	for (i = 0; i < d->nr_hwpt; i++)
		if (d->hwpt[i].id == pt)
			return d->hwpt[i].flags & UVF_HWPT_NEST_PARENT;
	return false;
}

int uvf_vfio_hwpt_alloc_opts(struct uvf_domain *dom, uint32_t dev_id,
			     const struct uvf_vfio_hwpt_opts *o,
			     uint32_t *hwpt_id)
{
	struct iommu_hwpt_alloc a = { .size = sizeof(a), .dev_id = dev_id };
	struct ioas_domain *d;
	struct vfio_ctx *ctx;
	int ret;

	if (!o || !hwpt_id || !hwpt_opts_valid(o))
		return -EINVAL;
	ret = vfio_iommufd_dom(dom, &ctx, &d);
	if (!ret)
		ret = set_fault_queue(ctx, o, &a);
	if (ret)
		return ret;
	if (o->flags & UVF_HWPT_DIRTY_TRACKING)
		a.flags |= IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	if (o->flags & UVF_HWPT_NEST_PARENT)
		a.flags |= IOMMU_HWPT_ALLOC_NEST_PARENT;
	a.data_type = o->data_type;
	a.data_len = o->data_len;
	a.data_uptr = (uintptr_t)o->data;
	pthread_mutex_lock(&dom->lock);
	a.pt_id = o->parent_id ? o->parent_id : d->ioas;
	if (o->parent_id && !dom_has_parent(d, o->parent_id))
		ret = -ENOENT;
	else if (d->nr_hwpt == VFIO_MAX_HWPT)
		ret = -ENOSPC;
	else
		ret = vfio_ioctl(ctx, ctx->fd, IOMMU_HWPT_ALLOC, &a);
	if (ret)
		goto out;
	/* A new HWPT joins a tracking domain already tracking. */
	if (d->dirty_tracking && (o->flags & UVF_HWPT_DIRTY_TRACKING)) {
		ret = set_tracking(ctx, a.out_hwpt_id, true);
		if (ret) {
			hwpt_destroy(ctx, a.out_hwpt_id);
			goto out;
		}
	}
	d->hwpt[d->nr_hwpt++] = (struct vfio_hwpt){ a.out_hwpt_id, o->flags,
						    o->fault };
	if (o->fault)
		atomic_fetch_add(&o->fault->hwpts, 1);
	*hwpt_id = a.out_hwpt_id;
out:
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

int uvf_vfio_device_iommufd_id(const struct uvf_device *dev, uint32_t *id)
{
	struct vfio_device *vd = vfio_device_of(dev);

	if (!vd || !id)
		return -EINVAL;
	if (vd->ctx->be != vfio_iommufd_backend())
		return -ENOTSUP;
	*id = vd->devid;
	return 0;
}

/* Whether @pt is @d's IOAS or one of its HWPTs. Domain lock held. */
static bool dom_has_pt(const struct ioas_domain *d, uint32_t pt)
{
	size_t i;

	for (i = 0; i < d->nr_hwpt; i++)
		if (d->hwpt[i].id == pt)
			return true;
	return pt == d->ioas;
}

int uvf_vfio_device_attach_hwpt(struct uvf_device *dev, uint32_t pt_id)
{
	struct vfio_device *vd = vfio_device_of(dev);
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a), .pt_id = pt_id,
	};
	struct uvf_domain *dom;
	struct ioas_domain *d;
	struct vfio_ctx *ctx;
	int ret;

	if (!vd)
		return -EINVAL;
	dom = uvf_device_domain(dev);
	if (!dom)
		return vd->ctx->be == vfio_iommufd_backend() ? -ENODEV
							     : -ENOTSUP;
	ret = vfio_iommufd_dom(dom, &ctx, &d);
	if (ret)
		return ret;
	pthread_mutex_lock(&dom->lock);
	/* Only page tables of the same IOAS: uvf's records stay true. */
	ret = dom_has_pt(d, pt_id) ? 0 : -ENOENT;
	/* Attaching an attached device replaces its page table. */
	if (!ret)
		ret = vfio_ioctl(ctx, vd->fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

static enum uvf_vfio_hw_type hw_type(uint32_t kernel_type)
{
	switch (kernel_type) {
	case IOMMU_HW_INFO_TYPE_NONE:
		return UVF_VFIO_HW_NONE;
	case IOMMU_HW_INFO_TYPE_INTEL_VTD:
		return UVF_VFIO_HW_INTEL_VTD;
	case HW_INFO_TYPE_ARM_SMMUV3:
		return UVF_VFIO_HW_ARM_SMMUV3;
	case HW_INFO_TYPE_SELFTEST:
		return UVF_VFIO_HW_SELFTEST;
	default:
		return UVF_VFIO_HW_OTHER;
	}
}

int uvf_vfio_hw_info(struct uvf_iommu *iommu, uint32_t dev_id,
		     struct uvf_vfio_hw_info *info)
{
	struct vfio_ctx *ctx = vfio_ctx_of(iommu);
	struct uvf_vfio_hw_info out = { .data_len = 0 };
	struct iommu_hw_info q = {
		.size = sizeof(q), .dev_id = dev_id,
		.data_len = sizeof(out.data), .data_uptr = (uintptr_t)out.data,
	};
	int ret;

	if (!ctx || !info)
		return -EINVAL;
	if (ctx->be != vfio_iommufd_backend())
		return -ENOTSUP;
	ret = vfio_ioctl(ctx, ctx->fd, IOMMU_GET_HW_INFO, &q);
	if (ret)
		return ret;
	out.type = hw_type(q.out_data_type);
	out.kernel_type = q.out_data_type;
	out.data_len = q.data_len < sizeof(out.data) ? q.data_len
						     : sizeof(out.data);
	if (q.out_capabilities & IOMMU_HW_CAP_DIRTY_TRACKING)
		out.caps |= UVF_VFIO_CAP_DIRTY_TRACKING;
	*info = out;
	return 0;
}

int vfio_hwpt_set_dirty_tracking(struct uvf_domain *dom, bool enable)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);
	struct ioas_domain *d = uvf_domain_priv(dom);
	size_t i, done = 0;
	int ret = -ENOTSUP;

	pthread_mutex_lock(&dom->lock);
	for (i = 0; i < d->nr_hwpt; i++) {
		if (!(d->hwpt[i].flags & UVF_HWPT_DIRTY_TRACKING))
			continue;
		ret = set_tracking(ctx, d->hwpt[i].id, enable);
		if (ret)
			break;
		done = i + 1;
	}
	/* All or none: put back the ones already switched. */
	if (ret) {
		for (i = 0; i < done; i++)
			if (d->hwpt[i].flags & UVF_HWPT_DIRTY_TRACKING)
				set_tracking(ctx, d->hwpt[i].id, !enable);
	} else {
		d->dirty_tracking = enable;
	}
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

int vfio_hwpt_read_dirty(struct uvf_domain *dom, uvf_iova_t iova,
			 uint64_t len, uint64_t page_size, uint64_t *bitmap,
			 unsigned int flags)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);
	struct ioas_domain *d = uvf_domain_priv(dom);
	struct iommu_hwpt_get_dirty_bitmap g = {
		.size = sizeof(g), .iova = iova, .length = len,
		.page_size = page_size, .data = (uintptr_t)bitmap,
		.flags = (flags & UVF_DIRTY_NO_CLEAR) ?
				 IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR : 0,
	};
	size_t i;
	int ret = -ENOTSUP;

	pthread_mutex_lock(&dom->lock);
	for (i = 0; i < d->nr_hwpt; i++)
		if (d->hwpt[i].flags & UVF_HWPT_DIRTY_TRACKING)
			ret = d->dirty_tracking ? 0 : -EINVAL;
	if (!ret)
		uvf_dirty_bitmap_zero(bitmap, len, page_size);
	/* The kernel only sets bits: each HWPT adds the pages written
	 * through it. */
	for (i = 0; !ret && i < d->nr_hwpt; i++) {
		if (!(d->hwpt[i].flags & UVF_HWPT_DIRTY_TRACKING))
			continue;
		g.hwpt_id = d->hwpt[i].id;
		ret = vfio_ioctl(ctx, ctx->fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &g);
	}
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

#else /* no HWPT uAPI */

#if UVF_HAVE_IOMMUFD
int vfio_hwpt_set_dirty_tracking(struct uvf_domain *dom, bool enable)
{
	(void)dom;
	(void)enable;
	return -ENOTSUP;
}

int vfio_hwpt_read_dirty(struct uvf_domain *dom, uvf_iova_t iova,
			 uint64_t len, uint64_t page_size, uint64_t *bitmap,
			 unsigned int flags)
{
	(void)dom;
	(void)iova;
	(void)len;
	(void)page_size;
	(void)bitmap;
	(void)flags;
	return -ENOTSUP;
}
#endif

int uvf_vfio_hwpt_alloc_opts(struct uvf_domain *dom, uint32_t dev_id,
			     const struct uvf_vfio_hwpt_opts *o,
			     uint32_t *hwpt_id)
{
	(void)dev_id;
	if (!dom || !o || !hwpt_id || dom->type != UVF_DOMAIN_TRANSLATED ||
	    !hwpt_opts_valid(o))
		return -EINVAL;
	return -ENOTSUP;
}

int uvf_vfio_device_iommufd_id(const struct uvf_device *dev, uint32_t *id)
{
	return vfio_device_of(dev) && id ? -ENOTSUP : -EINVAL;
}

int uvf_vfio_device_attach_hwpt(struct uvf_device *dev, uint32_t pt_id)
{
	(void)pt_id;
	return vfio_device_of(dev) ? -ENOTSUP : -EINVAL;
}

int uvf_vfio_hw_info(struct uvf_iommu *iommu, uint32_t dev_id,
		     struct uvf_vfio_hw_info *info)
{
	(void)dev_id;
	return vfio_ctx_of(iommu) && info ? -ENOTSUP : -EINVAL;
}

#endif

int uvf_vfio_hwpt_alloc(struct uvf_domain *dom, uint32_t dev_id,
			uint32_t flags, uint32_t *hwpt_id)
{
	struct uvf_vfio_hwpt_opts o = { .flags = flags };

	return uvf_vfio_hwpt_alloc_opts(dom, dev_id, &o, hwpt_id);
}
