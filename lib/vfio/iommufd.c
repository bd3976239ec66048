/* SPDX-License-Identifier: MIT */
/*
 * cdev + iommufd backend: each device's /dev/vfio/devices/vfioN is bound to
 * the context's /dev/iommu, each translated domain is one IOAS, and attach
 * moves a device onto it.
 *
 * An empty IOAS spans every IOVA and only narrows as devices attach, but
 * the core builds a domain's allocator when the domain is created, before
 * any attach. So each device's translatable ranges are learnt when it is
 * opened -- attached to a scratch IOAS, IOMMU_IOAS_IOVA_RANGES read,
 * detached -- and a domain's aperture is what all open devices can
 * translate. A device that cannot translate an existing domain's aperture
 * is refused at attach.
 *
 * Compiled only when the build found linux/iommufd.h (see meson_options
 * iommufd and uapi_headers); without it the backend does not exist and
 * asking for it is -ENOTSUP.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/iova.h>

#include "iommu/resv.h"
#include "util/trace.h"
#include "config.h"
#include "vfio_priv.h"

static int check_kernel_iova_args(struct uvf_domain *dom, void *vaddr,
				  uint64_t len, int prot, uvf_iova_t *iova)
{
	uint64_t last;

	if (!dom || !vaddr || !iova || !len ||
	    !uvf_is_aligned((uintptr_t)vaddr, UVF_PAGE_SIZE) ||
	    !uvf_is_aligned(len, UVF_PAGE_SIZE) || !prot ||
	    (prot & ~UVF_PROT_RW) || dom->type != UVF_DOMAIN_TRANSLATED)
		return -EINVAL;
	if (uvf_range_last((uintptr_t)vaddr, len, &last))
		return -EOVERFLOW;
	return 0;
}

#if UVF_HAVE_IOMMUFD

#include <linux/iommufd.h>
#include <linux/vfio.h>

#include "iommufd_priv.h"

static const struct vfio_backend_ops iommufd_backend;

static int iommufd_setup(struct vfio_ctx *ctx)
{
	char path[4096];
	int fd;

	if (snprintf(path, sizeof(path), "%s/iommu", ctx->dev_root) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	fd = vfio_open_node(ctx, path, O_RDWR);
	if (fd < 0)
		return fd == -ENOENT ? -ENOTSUP : fd;
	ctx->fd = fd;
	return 0;
}

static void iommufd_teardown(struct vfio_ctx *ctx)
{
	ctx->sys->close(ctx->sys->arg, ctx->fd);
	ctx->fd = -1;
}

static int ioas_alloc(struct vfio_ctx *ctx, uint32_t *id)
{
	struct iommu_ioas_alloc a = { .size = sizeof(a) };
	int ret = vfio_ioctl(ctx, ctx->fd, IOMMU_IOAS_ALLOC, &a);

	if (!ret)
		*id = a.out_ioas_id;
	return ret;
}

static void ioas_destroy(struct vfio_ctx *ctx, uint32_t id)
{
	struct iommu_destroy d = { .size = sizeof(d), .id = id };

	vfio_ioctl(ctx, ctx->fd, IOMMU_DESTROY, &d);
}

static int ioas_ranges(struct vfio_ctx *ctx, uint32_t id,
		       struct vfio_range_set *out)
{
	struct iommu_iova_range r[VFIO_MAX_RANGES * 4];
	struct vfio_range_set set = { .n = 0 };
	struct iommu_ioas_iova_ranges q = {
		.size = sizeof(q),
		.ioas_id = id,
		.num_iovas = sizeof(r) / sizeof(r[0]),
		.allowed_iovas = (uintptr_t)r,
	};
	uint32_t i;
	int ret;

	ret = vfio_ioctl(ctx, ctx->fd, IOMMU_IOAS_IOVA_RANGES, &q);
	/* More holes than we keep: the first ranges are a safe subset. */
	if (ret == -EMSGSIZE) {
		q.num_iovas = sizeof(r) / sizeof(r[0]);
		ret = 0;
	}
	if (ret)
		return ret;
	if (!q.num_iovas || q.out_iova_alignment > UVF_PAGE_SIZE)
		return -EIO;
	/* Checked as type1's capability is (caps.c); built aside, so @out
	 * stays as it was. A kernel claiming more than it had room for is
	 * read no further than @r. */
	for (i = 0; i < q.num_iovas && i < sizeof(r) / sizeof(r[0]); i++) {
		ret = vfio_ranges_append(&set, r[i].start, r[i].last);
		if (ret)
			return ret;
	}
	*out = set;
	return 0;
}

static int dev_attach_pt(struct vfio_ctx *ctx, int fd, uint32_t pt)
{
	struct vfio_device_attach_iommufd_pt a = {
		.argsz = sizeof(a), .pt_id = pt,
	};

	return vfio_ioctl(ctx, fd, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &a);
}

static int dev_detach_pt(struct vfio_ctx *ctx, int fd)
{
	struct vfio_device_detach_iommufd_pt d = { .argsz = sizeof(d) };

	return vfio_ioctl(ctx, fd, VFIO_DEVICE_DETACH_IOMMUFD_PT, &d);
}

/* What the device's IOMMU translates, through a scratch IOAS. */
static int probe_ranges(struct vfio_ctx *ctx, struct vfio_device *vd)
{
	uint32_t scratch;
	int ret;

	ret = ioas_alloc(ctx, &scratch);
	if (ret)
		return ret;
	ret = dev_attach_pt(ctx, vd->fd, scratch);
	if (!ret) {
		ret = ioas_ranges(ctx, scratch, &vd->ranges);
		dev_detach_pt(ctx, vd->fd);
	}
	ioas_destroy(ctx, scratch);
	return ret;
}

static int iommufd_dev_open(struct vfio_ctx *ctx, struct vfio_device *vd,
			    const struct uvf_pci_dev *pd)
{
	const char *cdev = uvf_pci_dev_vfio_cdev(pd);
	struct vfio_device_bind_iommufd b = {
		.argsz = sizeof(b), .iommufd = ctx->fd,
	};
	bool vf, pf;
	int ret;

	if (!cdev)
		return -ENOTSUP;
	vfio_sriov_role(ctx, vd->bdf, &vf, &pf);
	if (vf) {
		/* 6.12's VFIO_DEVICE_BIND_IOMMUFD has no field for it. */
		uvf_trace("vfio: %s is a VF of a vfio-pci PF: the cdev bind "
			  "cannot pass its VF token; open it with the type1 "
			  "backend", vd->bdf);
		return -ENOTSUP;
	}
	vd->fd = vfio_open_node(ctx, cdev, O_RDWR);
	if (vd->fd < 0)
		return vd->fd;
	ret = vfio_ioctl(ctx, vd->fd, VFIO_DEVICE_BIND_IOMMUFD, &b);
	if (!ret) {
		vd->devid = b.out_devid;
		ret = probe_ranges(ctx, vd);
	}
	if (!ret && pf && ctx->vf_token[0])
		ret = vfio_set_vf_token(ctx, vd->fd, ctx->vf_token);
	if (ret) {
		/* Closing the cdev also unbinds it. */
		ctx->sys->close(ctx->sys->arg, vd->fd);
		vd->fd = -1;
	}
	return ret;
}

static void iommufd_dev_close(struct vfio_ctx *ctx, struct vfio_device *vd)
{
	ctx->sys->close(ctx->sys->arg, vd->fd);
	vd->fd = -1;
}

static int ioas_domain_init(struct uvf_domain *dom)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);
	struct ioas_domain *d;
	int ret;

	if (dom->type != UVF_DOMAIN_TRANSLATED)
		return -ENOTSUP;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	pthread_mutex_lock(&ctx->lock);
	/* The aperture comes from the open devices. */
	ret = ctx->nr_devices ? ioas_alloc(ctx, &d->ioas) : -ENODEV;
	pthread_mutex_unlock(&ctx->lock);
	if (ret) {
		free(d);
		return ret;
	}
	uvf_domain_set_priv(dom, d);
	return 0;
}

static void ioas_domain_fini(struct uvf_domain *dom)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);
	struct ioas_domain *d = uvf_domain_priv(dom);
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = d->ioas, .length = UINT64_MAX,
	};

	vfio_hwpt_destroy_all(ctx, d);
	/* 0..U64_MAX unmaps everything; -ENOENT when nothing was. */
	vfio_ioctl(ctx, ctx->fd, IOMMU_IOAS_UNMAP, &u);
	ioas_destroy(ctx, d->ioas);
	free(d);
}

static int ioas_iova_ranges(struct uvf_domain *dom, struct uvf_iova_range *out,
			    size_t *nr)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);
	struct vfio_range_set s;
	struct vfio_device *vd;

	pthread_mutex_lock(&ctx->lock);
	if (!ctx->devices) {
		pthread_mutex_unlock(&ctx->lock);
		return -ENODEV;
	}
	s = ctx->devices->ranges;
	for (vd = ctx->devices->next; vd; vd = vd->next)
		vfio_ranges_intersect(&s, &vd->ranges);
	pthread_mutex_unlock(&ctx->lock);
	if (ctx->iova_last)
		vfio_ranges_clamp(&s, ctx->iova_last);
	if (*nr < s.n)
		return -E2BIG;
	memcpy(out, s.v, s.n * sizeof(*out));
	*nr = s.n;
	return 0;
}

/* Hand the kernel the domain's usable ranges (aperture minus the first
 * @nr_resv reserved regions and page zero), so that IOVAs it chooses fall
 * where uvf's allocator could have put them. Domain lock held. */
static int ioas_allow(struct vfio_ctx *ctx, struct uvf_domain *dom,
		      size_t nr_resv)
{
	struct ioas_domain *d = uvf_domain_priv(dom);
	struct iommu_ioas_allow_iovas a = {
		.size = sizeof(a), .ioas_id = d->ioas,
	};
	struct uvf_iova_range *usable;
	struct iommu_iova_range *kr;
	size_t i;
	int n, ret;

	n = uvf_domain_usable_ranges(dom, nr_resv, &usable);
	if (n < 0)
		return n;
	kr = malloc(((size_t)n + 1) * sizeof(*kr));
	if (!kr) {
		free(usable);
		return -ENOMEM;
	}
	for (i = 0; i < (size_t)n; i++)
		kr[i] = (struct iommu_iova_range){ usable[i].first,
						   usable[i].last };
	free(usable);
	a.num_iovas = (uint32_t)n;
	a.allowed_iovas = (uintptr_t)kr;
	ret = vfio_ioctl(ctx, ctx->fd, IOMMU_IOAS_ALLOW_IOVAS, &a);
	free(kr);
	if (!ret) {
		d->allowed = true;
		d->allowed_nr_resv = nr_resv;
	}
	return ret;
}

static int ioas_attach(struct uvf_domain *dom, struct uvf_device *dev)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);
	struct ioas_domain *d = uvf_domain_priv(dom);
	struct vfio_device *vd = vfio_device_of(dev);
	size_t old_nr = d->allowed_nr_resv;
	int ret;

	if (!vd)
		return -EXDEV;
	if (!vfio_ranges_cover(&vd->ranges, dom->aperture, dom->nr_aperture))
		return -ERANGE;
	/* The core has applied the device's reserved regions: an allowed
	 * list must leave them out, or the kernel refuses the attach. */
	if (d->allowed) {
		ret = ioas_allow(ctx, dom, dom->nr_resv);
		if (ret)
			return ret;
	}
	ret = dev_attach_pt(ctx, vd->fd, d->ioas);
	if (ret && d->allowed)
		ioas_allow(ctx, dom, old_nr);
	return ret;
}

static void ioas_detach(struct uvf_domain *dom, struct uvf_device *dev)
{
	dev_detach_pt(vfio_ctx_of_dom(dom), vfio_device_of(dev)->fd);
}

/* Called without the domain lock; the kernel serialises the IOAS. */
static int ioas_map(struct uvf_domain *dom, uvf_iova_t iova, void *vaddr,
		    uint64_t len, int prot, uint64_t *cookie,
		    struct uvf_pgtable_op_stats *st)
{
	struct ioas_domain *d = uvf_domain_priv(dom);
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA,
		.ioas_id = d->ioas,
		.user_va = (uintptr_t)vaddr,
		.length = len,
		.iova = iova,
	};

	(void)cookie;
	if (st)
		memset(st, 0, sizeof(*st));	/* no page table of ours */
	if (prot & UVF_PROT_READ)
		m.flags |= IOMMU_IOAS_MAP_READABLE;
	if (prot & UVF_PROT_WRITE)
		m.flags |= IOMMU_IOAS_MAP_WRITEABLE;
	return vfio_map_ioctl(vfio_ctx_of_dom(dom), IOMMU_IOAS_MAP, &m,
			      "IOMMU_IOAS_MAP", len);
}

static int ioas_unmap(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len,
		      uint64_t cookie, struct uvf_pgtable_op_stats *st)
{
	struct ioas_domain *d = uvf_domain_priv(dom);
	struct iommu_ioas_unmap u = {
		.size = sizeof(u), .ioas_id = d->ioas, .iova = iova,
		.length = len,
	};
	int ret;

	(void)cookie;
	if (st)
		memset(st, 0, sizeof(*st));
	ret = vfio_ioctl(vfio_ctx_of_dom(dom), vfio_ctx_of_dom(dom)->fd,
			 IOMMU_IOAS_UNMAP, &u);
	if (!ret && u.length != len)
		ret = -EIO;
	return ret;
}

static const struct uvf_domain_ops ioas_dom_ops = {
	.domain_init = ioas_domain_init,
	.domain_fini = ioas_domain_fini,
	.attach = ioas_attach,
	.detach = ioas_detach,
	.map = ioas_map,
	.unmap = ioas_unmap,
	.iova_ranges = ioas_iova_ranges,
	.reserved_regions = vfio_reserved_regions,
	.set_dirty_tracking = vfio_hwpt_set_dirty_tracking,
	.read_dirty = vfio_hwpt_read_dirty,
	.unlocked_map = true,
};

static const char *iommufd_name(const struct vfio_ctx *ctx)
{
	(void)ctx;
	return "vfio-iommufd";
}

static const struct vfio_backend_ops iommufd_backend = {
	.kind = UVF_VFIO_IOMMUFD,
	.setup = iommufd_setup,
	.teardown = iommufd_teardown,
	.dev_open = iommufd_dev_open,
	.dev_close = iommufd_dev_close,
	.dom = &ioas_dom_ops,
	.name = iommufd_name,
};

const struct vfio_backend_ops *vfio_iommufd_backend(void)
{
	return &iommufd_backend;
}

bool uvf_vfio_iommufd_compiled(void)
{
	return true;
}

int uvf_vfio_domain_ioas(const struct uvf_domain *dom, uint32_t *id)
{
	struct vfio_ctx *ctx = dom ? vfio_ctx_of(dom->iommu) : NULL;

	if (!dom || !id || dom->type != UVF_DOMAIN_TRANSLATED)
		return -EINVAL;
	if (!ctx || ctx->be != &iommufd_backend)
		return -ENOTSUP;
	*id = ((const struct ioas_domain *)uvf_domain_priv(dom))->ioas;
	return 0;
}

int uvf_vfio_map_kernel_iova(struct uvf_domain *dom, void *vaddr,
			     uint64_t len, int prot, uvf_iova_t *iova)
{
	struct vfio_ctx *ctx;
	struct ioas_domain *d;
	struct iommu_ioas_map m = {
		.size = sizeof(m),
		.user_va = (uintptr_t)vaddr,
		.length = len,
	};
	struct iommu_ioas_unmap u = { .size = sizeof(u) };
	int ret = check_kernel_iova_args(dom, vaddr, len, prot, iova);

	if (ret)
		return ret;
	ctx = vfio_ctx_of(dom->iommu);
	if (!ctx || ctx->be != &iommufd_backend)
		return -ENOTSUP;
	d = uvf_domain_priv(dom);
	if (prot & UVF_PROT_READ)
		m.flags |= IOMMU_IOAS_MAP_READABLE;
	if (prot & UVF_PROT_WRITE)
		m.flags |= IOMMU_IOAS_MAP_WRITEABLE;
	m.ioas_id = u.ioas_id = d->ioas;

	/* The allowed list changes only with the reserved regions, under
	 * the domain lock; an attach after this refreshes it itself. */
	pthread_mutex_lock(&dom->lock);
	if (!d->allowed || d->allowed_nr_resv != dom->nr_resv)
		ret = ioas_allow(ctx, dom, dom->nr_resv);
	pthread_mutex_unlock(&dom->lock);
	if (ret)
		return ret;
	ret = vfio_map_ioctl(ctx, IOMMU_IOAS_MAP, &m, "IOMMU_IOAS_MAP", len);
	if (ret)
		return ret;
	ret = uvf_domain_adopt_mapping(dom, m.iova, len, 0);
	if (ret) {
		u.iova = m.iova;
		u.length = len;
		vfio_ioctl(ctx, ctx->fd, IOMMU_IOAS_UNMAP, &u);
		return ret;
	}
	*iova = m.iova;
	return 0;
}

#else /* !UVF_HAVE_IOMMUFD */

int uvf_vfio_domain_ioas(const struct uvf_domain *dom, uint32_t *id)
{
	if (!dom || !id || dom->type != UVF_DOMAIN_TRANSLATED)
		return -EINVAL;
	return -ENOTSUP;
}

const struct vfio_backend_ops *vfio_iommufd_backend(void)
{
	return NULL;
}

bool uvf_vfio_iommufd_compiled(void)
{
	return false;
}

int uvf_vfio_map_kernel_iova(struct uvf_domain *dom, void *vaddr,
			     uint64_t len, int prot, uvf_iova_t *iova)
{
	int ret = check_kernel_iova_args(dom, vaddr, len, prot, iova);

	return ret ? ret : -ENOTSUP;
}

#endif
