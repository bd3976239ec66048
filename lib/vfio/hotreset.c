// SPDX-License-Identifier: MIT
/*
 * Bus and slot reset (VFIO_DEVICE_PCI_HOT_RESET) for devices without a
 * function-level reset. It resets every device on the bus or slot, so the
 * kernel asks for proof that the caller owns them all: the fds of their
 * groups (type1, noiommu), or, for devices opened as cdevs, that they are
 * bound to the caller's iommufd (an empty fd array).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/vfio.h>

#include "util/trace.h"
#include "vfio_priv.h"

/* Reads the affected devices; *info is freed by the caller. */
static int reset_info(struct vfio_device *vd,
		      struct vfio_pci_hot_reset_info **out)
{
	struct vfio_pci_hot_reset_info probe = { .argsz = sizeof(probe) };
	struct vfio_pci_hot_reset_info *info;
	int ret;

	ret = vfio_ioctl(vd->ctx, vd->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
			 &probe);
	if (ret != -ENOSPC)
		return ret ? ret : -EPROTO;	/* it lists the device itself */
	info = calloc(1, sizeof(*info) + probe.count * sizeof(info->devices[0]));
	if (!info)
		return -ENOMEM;
	info->argsz = (uint32_t)(sizeof(*info) +
				 probe.count * sizeof(info->devices[0]));
	ret = vfio_ioctl(vd->ctx, vd->fd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO,
			 info);
	if (!ret && info->count > probe.count)
		ret = -EAGAIN;	/* the bus changed in between */
	if (ret) {
		free(info);
		return ret;
	}
	*out = info;
	return 0;
}

static bool by_devid(const struct vfio_pci_hot_reset_info *info)
{
#ifdef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
	return info->flags & VFIO_PCI_HOT_RESET_FLAG_DEV_ID;
#else
	(void)info;
	return false;
#endif
}

/* Context lock held. */
static struct vfio_group *ctx_group(struct vfio_ctx *ctx, uint32_t nr)
{
	struct vfio_group *g;

	for (g = ctx->groups; g; g = g->next)
		if ((uint32_t)g->nr == nr)
			return g;
	return NULL;
}

/* Context lock held. */
static bool owned(struct vfio_ctx *ctx,
		  const struct vfio_pci_hot_reset_info *info,
		  const struct vfio_pci_dependent_device *d)
{
#ifdef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
	if (by_devid(info))
		return d->devid != (uint32_t)VFIO_PCI_DEVID_NOT_OWNED;
#else
	(void)info;
#endif
	return ctx_group(ctx, d->group_id) != NULL;
}

int uvf_vfio_hot_reset_devices(struct uvf_device *dev,
			       struct uvf_vfio_reset_dev **devs, size_t *n)
{
	struct vfio_device *vd = vfio_device_of(dev);
	struct vfio_pci_hot_reset_info *info;
	struct uvf_vfio_reset_dev *v;
	int ret;

	if (!vd || !devs || !n)
		return -EINVAL;
	ret = reset_info(vd, &info);
	if (ret)
		return ret;
	v = calloc(info->count ? info->count : 1, sizeof(*v));
	if (!v) {
		free(info);
		return -ENOMEM;
	}
	pthread_mutex_lock(&vd->ctx->lock);
	for (uint32_t i = 0; i < info->count; i++) {
		const struct vfio_pci_dependent_device *d = &info->devices[i];

		snprintf(v[i].bdf, sizeof(v[i].bdf), "%04x:%02x:%02x.%x",
			 d->segment, d->bus, d->devfn >> 3, d->devfn & 7);
		v[i].owned = owned(vd->ctx, info, d);
	}
	pthread_mutex_unlock(&vd->ctx->lock);
	*n = info->count;
	*devs = v;
	free(info);
	return 0;
}

/* The proof of ownership; context lock held. */
static int reset_locked(struct vfio_device *vd,
			const struct vfio_pci_hot_reset_info *info)
{
	struct vfio_pci_hot_reset *r;
	uint32_t k = 0;
	int ret;

	r = calloc(1, sizeof(*r) + info->count * sizeof(r->group_fds[0]));
	if (!r)
		return -ENOMEM;
	for (uint32_t i = 0; i < info->count; i++) {
		const struct vfio_pci_dependent_device *d = &info->devices[i];
		struct vfio_group *g;
		bool seen = false;

		if (!owned(vd->ctx, info, d)) {
			uvf_trace("vfio: hot reset of %s would reset "
				  "%04x:%02x:%02x.%x, which this context does "
				  "not own", vd->bdf, d->segment, d->bus,
				  d->devfn >> 3, d->devfn & 7);
			free(r);
			return -EBUSY;
		}
		if (by_devid(info))
			continue;	/* the iommufd is the proof */
		g = ctx_group(vd->ctx, d->group_id);
		for (uint32_t j = 0; j < k; j++)
			seen |= r->group_fds[j] == g->fd;
		if (!seen)
			r->group_fds[k++] = g->fd;
	}
	r->argsz = (uint32_t)(sizeof(*r) + k * sizeof(r->group_fds[0]));
	r->count = k;
	ret = vfio_ioctl(vd->ctx, vd->fd, VFIO_DEVICE_PCI_HOT_RESET, r);
	free(r);
	return ret;
}

int uvf_vfio_hot_reset(struct uvf_device *dev)
{
	struct vfio_device *vd = vfio_device_of(dev);
	struct vfio_pci_hot_reset_info *info;
	int ret;

	if (!vd)
		return -EINVAL;
	ret = reset_info(vd, &info);
	if (ret)
		return ret;
	pthread_mutex_lock(&vd->ctx->lock);
	ret = reset_locked(vd, info);
	pthread_mutex_unlock(&vd->ctx->lock);
	if (!ret)
		uvf_trace("vfio: hot reset of %s reset %u devices", vd->bdf,
			  info->count);
	free(info);
	return ret;
}
