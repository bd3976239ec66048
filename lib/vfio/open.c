/* SPDX-License-Identifier: MIT */
/*
 * Opening and closing devices on a context. The first device of an
 * undecided context picks the backend; if its open then fails, the context
 * goes back to undecided, so a failed open leaves nothing behind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vfio_priv.h"

static bool is_open(const struct vfio_ctx *ctx, const char *bdf)
{
	const struct vfio_device *vd;

	for (vd = ctx->devices; vd; vd = vd->next)
		if (!strcmp(vd->bdf, bdf))
			return true;
	return false;
}

void vfio_gather_facts(const char *dev_root, const struct uvf_pci_dev *pd,
		       struct vfio_facts *f)
{
	const char *node = uvf_pci_dev_vfio_group_node(pd);
	const char *cdev = uvf_pci_dev_vfio_cdev(pd);
	char path[4096];

	memset(f, 0, sizeof(*f));
	f->iommufd_compiled = vfio_iommufd_backend() != NULL;
	f->group_node = node != NULL;
	f->noiommu_group = node && !strncmp(strrchr(node, '/') + 1,
					    "noiommu-", 8);
	f->cdev = cdev && !access(cdev, F_OK);
	f->dev_iommu = snprintf(path, sizeof(path), "%s/iommu",
				dev_root) < (int)sizeof(path) &&
		       !access(path, F_OK);
}

/* Decide or check the backend for a device. Sets *decided when this call
 * decided it (and opened the container or iommufd). */
static int settle_backend(struct vfio_ctx *ctx, const struct uvf_pci_dev *pd,
			  bool *decided)
{
	enum uvf_vfio_backend kind;
	struct vfio_facts f;
	int ret;

	vfio_gather_facts(ctx->dev_root, pd, &f);
	ret = vfio_choose_backend(ctx->be ? ctx->be->kind : ctx->want, &f,
				  &kind);
	if (ret || ctx->be)
		return ret;
	ctx->be = vfio_backend_for(kind);
	ret = ctx->be->setup(ctx);
	if (ret) {
		ctx->be = NULL;
		return ret;
	}
	*decided = true;
	return 0;
}

static int open_locked(struct vfio_ctx *ctx, struct vfio_device *vd)
{
	struct uvf_pci_dev *pd;
	bool decided = false;
	int ret;

	if (is_open(ctx, vd->bdf))
		return -EBUSY;
	ret = uvf_pci_dev_open(ctx->pci, vd->bdf, &pd);
	if (ret)
		return ret;
	ret = settle_backend(ctx, pd, &decided);
	if (ret)
		goto out;
	vd->group_nr = uvf_pci_dev_iommu_group(pd);
	ret = vfio_resv_read(ctx->sysfs_root, vd->group_nr, vd->resv,
			     VFIO_MAX_RESV);
	if (ret < 0)
		goto undecide;
	vd->nr_resv = (size_t)ret;
	ret = ctx->be->dev_open(ctx, vd, pd);
	if (ret)
		goto undecide;
	ret = vfio_device_read_info(vd);
	if (ret) {
		ctx->be->dev_close(ctx, vd);
		goto undecide;
	}
	vd->next = ctx->devices;
	ctx->devices = vd;
	ctx->nr_devices++;
	if (decided)
		vfio_ctx_set_name(ctx);
	goto out;
undecide:
	if (decided) {
		ctx->be->teardown(ctx);
		ctx->be = NULL;
	}
out:
	uvf_pci_dev_free(pd);
	return ret;
}

int uvf_vfio_device_open(struct uvf_iommu *iommu, const char *bdf,
			 struct uvf_device **out)
{
	struct vfio_ctx *ctx = vfio_ctx_of(iommu);
	unsigned int seg, bus, slot, fn;
	struct vfio_device *vd;
	int ret;

	if (!ctx || !bdf || !out)
		return -EINVAL;
	vd = calloc(1, sizeof(*vd));
	if (!vd)
		return -ENOMEM;
	if (uvf_pci_bdf_parse(bdf, vd->bdf) ||
	    sscanf(vd->bdf, "%x:%x:%x.%x", &seg, &bus, &slot, &fn) != 4 ||
	    seg > 0xffff) {
		free(vd);
		return -EINVAL;
	}
	vd->ctx = ctx;
	vd->fd = -1;
	ret = -pthread_mutex_init(&vd->map_lock, NULL);
	if (ret) {
		free(vd);
		return ret;
	}
	uvf_device_init(&vd->dev, &vfio_device_ops, vd->bdf, iommu,
			(uint16_t)seg, (uint16_t)(bus << 8 | slot << 3 | fn));
	pthread_mutex_lock(&ctx->lock);
	ret = open_locked(ctx, vd);
	pthread_mutex_unlock(&ctx->lock);
	if (ret) {
		pthread_mutex_destroy(&vd->map_lock);
		free(vd);
		return ret;
	}
	*out = &vd->dev;
	return 0;
}

void vfio_device_destroy(struct uvf_device *dev)
{
	struct vfio_device *vd = vfio_device_of(dev), **pp;
	struct vfio_ctx *ctx = vd->ctx;
	bool free_ctx;

	vfio_device_unmap_all(vd);
	pthread_mutex_lock(&ctx->lock);
	for (pp = &ctx->devices; *pp != vd; pp = &(*pp)->next)
		;
	*pp = vd->next;
	ctx->nr_devices--;
	ctx->be->dev_close(ctx, vd);
	free_ctx = ctx->destroyed && !ctx->nr_devices;
	pthread_mutex_unlock(&ctx->lock);
	pthread_mutex_destroy(&vd->map_lock);
	free(vd);
	if (free_ctx)
		vfio_ctx_free(ctx);
}
