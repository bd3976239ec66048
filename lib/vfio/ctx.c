/* SPDX-License-Identifier: MIT */
/*
 * The VFIO context: one struct uvf_iommu. A context opened with
 * UVF_VFIO_AUTO has no backend until its first device decides it
 * (vfio/open.c); each domain made after that holds that backend's table.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/memlock.h"
#include "util/trace.h"
#include "vfio_priv.h"

static const struct uvf_iommu_ops vfio_iommu_ops;

struct vfio_ctx *vfio_ctx_of(const struct uvf_iommu *iommu)
{
	return iommu && iommu->ops == &vfio_iommu_ops ?
		       (struct vfio_ctx *)iommu : NULL;
}

struct vfio_device *vfio_device_of(const struct uvf_device *dev)
{
	return dev && dev->ops == &vfio_device_ops ?
		       (struct vfio_device *)dev : NULL;
}

int vfio_ioctl(struct vfio_ctx *ctx, int fd, unsigned long req, void *data)
{
	return ctx->sys->ioctl(ctx->sys->arg, fd, req, data);
}

int vfio_map_ioctl(struct vfio_ctx *ctx, unsigned long req, void *data,
		   const char *what, uint64_t len)
{
	int ret = vfio_ioctl(ctx, ctx->fd, req, data);
	char diag[768];

	/* Both kernels pin the pages and charge them to the memlock limit
	 * (type1 to VmLck, iommufd to VmPin); ENOMEM is that limit far
	 * more often than a real shortage, and errno alone never says so. */
	if (ret == -ENOMEM) {
		uvf_memlock_diagnose(diag, sizeof(diag), "vfio", what, ret,
				     "the mapping",
				     req == VFIO_IOMMU_MAP_DMA ?
					     UVF_MEMLOCK_VMLCK :
					     UVF_MEMLOCK_VMPIN,
				     len);
		uvf_log_emit("%s", diag);
	}
	return ret;
}

/* A domain takes the table of the backend the context settled on; the
 * backend never changes after that. */
static int vfio_domain_ops(struct uvf_iommu *iommu, enum uvf_domain_type type,
			   const struct uvf_domain_ops **ops)
{
	struct vfio_ctx *ctx = vfio_ctx_of(iommu);
	const struct vfio_backend_ops *be;

	(void)type;
	pthread_mutex_lock(&ctx->lock);
	be = ctx->be;
	pthread_mutex_unlock(&ctx->lock);
	/* Undecided: no device has been opened yet. */
	if (!be)
		return -ENODEV;
	*ops = be->dom;
	return 0;
}

int vfio_reserved_regions(struct uvf_domain *dom, struct uvf_device *dev,
			  struct uvf_resv_region *out, size_t *nr)
{
	struct vfio_device *vd = vfio_device_of(dev);

	(void)dom;
	if (!vd) {
		*nr = 0;
		return 0;
	}
	if (*nr < vd->nr_resv)
		return -E2BIG;
	memcpy(out, vd->resv, vd->nr_resv * sizeof(*out));
	*nr = vd->nr_resv;
	return 0;
}

void vfio_ctx_free(struct vfio_ctx *ctx)
{
	if (ctx->be)
		ctx->be->teardown(ctx);
	if (ctx->pagemap_fd >= 0)
		ctx->sys->close(ctx->sys->arg, ctx->pagemap_fd);
	vfio_passed_free(ctx);
	uvf_pci_ctx_free(ctx->pci);
	free(ctx->sysfs_root);
	free(ctx->dev_root);
	pthread_mutex_destroy(&ctx->lock);
	free(ctx);
}

/* Devices still open keep the context alive until the last one closes. */
static void vfio_ctx_destroy(struct uvf_iommu *iommu)
{
	struct vfio_ctx *ctx = vfio_ctx_of(iommu);
	bool now;

	pthread_mutex_lock(&ctx->lock);
	ctx->destroyed = true;
	now = !ctx->nr_devices;
	pthread_mutex_unlock(&ctx->lock);
	if (now)
		vfio_ctx_free(ctx);
}

static const struct uvf_iommu_ops vfio_iommu_ops = {
	.domain_ops = vfio_domain_ops,
	.destroy = vfio_ctx_destroy,
};

const struct vfio_backend_ops *vfio_backend_for(enum uvf_vfio_backend kind)
{
	switch (kind) {
	case UVF_VFIO_TYPE1:
		return &vfio_type1_backend;
	case UVF_VFIO_NOIOMMU:
		return &vfio_noiommu_backend;
	case UVF_VFIO_IOMMUFD:
		return vfio_iommufd_backend();
	default:
		return NULL;
	}
}

void vfio_ctx_set_name(struct vfio_ctx *ctx)
{
	const char *name = ctx->be ? ctx->be->name(ctx) : "vfio";

	snprintf(ctx->iommu.name, sizeof(ctx->iommu.name), "%s", name);
}

static int ctx_new(const struct uvf_vfio_opts *opts,
		   const struct vfio_sys *sys, enum uvf_vfio_backend want,
		   struct vfio_ctx **out)
{
	/* No ID database (an empty path names no file): device names are
	 * never shown here, so pci.ids need not be parsed on first open. */
	const struct uvf_pci_ctx_opts popts = {
		.sysfs_root = opts->sysfs_root,
		.dev_root = opts->dev_root,
		.pci_ids = "",
	};
	struct vfio_ctx *ctx = calloc(1, sizeof(*ctx));
	int ret;

	if (!ctx)
		return -ENOMEM;
	ctx->sys = sys;
#ifdef UVF_FAULT_INJECTION
	ctx->sys = vfio_sys_faulty(&ctx->faulty_sys, sys);
#endif
	ctx->want = want;
	ctx->fd = -1;
	ctx->pagemap_fd = -1;
	ctx->iova_last = opts->iova_last;
	if (opts->vf_token)
		snprintf(ctx->vf_token, sizeof(ctx->vf_token), "%s",
			 opts->vf_token);
	if (opts->shared_container) {
		ctx->shared = true;
		ctx->fd = opts->container_fd;
	}
	ctx->sysfs_root = strdup(opts->sysfs_root ? opts->sysfs_root : "/sys");
	ctx->dev_root = strdup(opts->dev_root ? opts->dev_root : "/dev");
	ret = -ENOMEM;
	if (!ctx->sysfs_root || !ctx->dev_root)
		goto err;
	ret = uvf_pci_ctx_new(&popts, &ctx->pci);
	if (ret)
		goto err;
	ret = vfio_passed_copy(ctx, opts);
	if (ret)
		goto err_pci;
	ret = -pthread_mutex_init(&ctx->lock, NULL);
	if (ret)
		goto err_pci;
	ret = uvf_iommu_init(&ctx->iommu, &vfio_iommu_ops, "vfio");
	if (ret)
		goto err_lock;
	*out = ctx;
	return 0;
err_lock:
	pthread_mutex_destroy(&ctx->lock);
err_pci:
	vfio_passed_free(ctx);
	uvf_pci_ctx_free(ctx->pci);
err:
	free(ctx->sysfs_root);
	free(ctx->dev_root);
	free(ctx);
	return ret;
}

int vfio_open_sys(const struct uvf_vfio_opts *opts,
		  const struct vfio_sys *sys, struct uvf_iommu **out)
{
	static const struct uvf_vfio_opts defaults;
	enum uvf_vfio_backend want;
	struct vfio_ctx *ctx;
	int ret;

	if (!out || !sys)
		return -EINVAL;
	if (!opts)
		opts = &defaults;
	if ((unsigned int)opts->backend > UVF_VFIO_NOIOMMU)
		return -EINVAL;
	/* A limit must end just below a page boundary and leave more than
	 * page zero, which is never handed out. */
	if (opts->iova_last &&
	    (opts->iova_last < 2 * UVF_PAGE_SIZE - 1 ||
	     !uvf_is_aligned(opts->iova_last + 1, UVF_PAGE_SIZE)))
		return -EINVAL;
	if (opts->vf_token) {
		uint8_t uuid[16];

		if (vfio_uuid_parse(opts->vf_token, uuid))
			return -EINVAL;
	}
	want = opts->backend;
	if (opts->shared_container) {
		/* Only a type1 container can be shared (its owner, EAL,
		 * maps its own memory through it); a shared noiommu
		 * container or iommufd is not supported. */
		if (want != UVF_VFIO_AUTO && want != UVF_VFIO_TYPE1)
			return -ENOTSUP;
		if (opts->container_fd < 0)
			return -EBADF;
		want = UVF_VFIO_TYPE1;
	}
	if (want == UVF_VFIO_AUTO &&
	    uvf_vfio_backend_parse(getenv("UVF_VFIO_BACKEND"), &want))
		return -EINVAL;
	if (want == UVF_VFIO_IOMMUFD && !vfio_iommufd_backend())
		return -ENOTSUP;

	ret = ctx_new(opts, sys, want, &ctx);
	if (ret)
		return ret;
	if (want != UVF_VFIO_AUTO) {
		ctx->be = vfio_backend_for(want);
		ret = ctx->be->setup(ctx);
		if (ret) {
			ctx->be = NULL;
			pthread_mutex_destroy(&ctx->iommu.lock);
			vfio_ctx_free(ctx);
			return ret;
		}
		vfio_ctx_set_name(ctx);
	}
	*out = &ctx->iommu;
	return 0;
}

int uvf_vfio_open(const struct uvf_vfio_opts *opts, struct uvf_iommu **out)
{
	return vfio_open_sys(opts, &vfio_sys_default, out);
}

int uvf_vfio_backend(const struct uvf_iommu *iommu)
{
	struct vfio_ctx *ctx = vfio_ctx_of(iommu);
	int kind;

	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	kind = ctx->be ? (int)ctx->be->kind : UVF_VFIO_AUTO;
	pthread_mutex_unlock(&ctx->lock);
	return kind;
}

int uvf_vfio_context_fd(const struct uvf_iommu *iommu)
{
	struct vfio_ctx *ctx = vfio_ctx_of(iommu);
	int fd;

	if (!ctx)
		return -EINVAL;
	pthread_mutex_lock(&ctx->lock);
	fd = ctx->be ? ctx->fd : -ENODEV;
	pthread_mutex_unlock(&ctx->lock);
	return fd;
}

bool uvf_vfio_context_shared(const struct uvf_iommu *iommu)
{
	struct vfio_ctx *ctx = vfio_ctx_of(iommu);

	return ctx && ctx->shared;
}

int uvf_vfio_device_fd(const struct uvf_device *dev)
{
	struct vfio_device *vd = vfio_device_of(dev);

	return vd ? vd->fd : -EINVAL;
}

int uvf_vfio_device_group(const struct uvf_device *dev)
{
	struct vfio_device *vd = vfio_device_of(dev);

	return vd ? vd->group_nr : -EINVAL;
}
