/* SPDX-License-Identifier: MIT */
/*
 * Group + container backends: type1 (VFIO_TYPE1v2_IOMMU, else
 * VFIO_TYPE1_IOMMU) and noiommu (VFIO_NOIOMMU_IOMMU).
 *
 * The container is the IOMMU and holds exactly one I/O address space, so a
 * type1 context has at most one translated domain. Groups join the
 * container when their first device opens and leave when their last one
 * closes -- except that the last group stays ("parked") while a translated
 * domain exists, because the kernel drops the container's IOMMU, and every
 * mapping with it, when its last group leaves.
 *
 * Mapping budget. type1 counts one entry per VFIO_IOMMU_MAP_DMA against
 * dma_entry_limit (65535 by default) and, since the v2 rework of
 * vfio_iommu_type1.c, never merges entries: vfio_dma_do_map() links a new
 * vfio_dma for every call (the old coalescing of adjacent mappings is gone,
 * as the "v1" comment in vfio_dma_do_unmap() records), and v2 refuses an
 * unmap that splits an entry. Merging from userspace would mean unmapping a
 * live entry and mapping the union -- a window in which DMA to the old
 * entry faults, and a second pin of all of it -- so uvf does not merge.
 * What keeps the entry limit from becoming a memory limit is that one entry
 * covers a mapping of any size: the core makes one kernel mapping per
 * uvf mapping (per segment for scatter-gather), and a driver maps its large
 * regions once (uvf_dma_register). The backend tracks the kernel's entries
 * in a table so the budget is exact (VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL at
 * setup, then counted), and a map past it fails with the kernel's -ENOSPC
 * before anything is pinned.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "vfio_priv.h"

/* The kernel's entries (vfio_dma) are not listed here: each mapping
 * record of the domain counts its entries in its cookie. */
struct type1_domain {
	/* The aperture handed to the core, for checks on later groups. */
	struct vfio_range_set aperture;
};

static int read_type1_info(struct vfio_ctx *ctx, struct vfio_range_set *ranges,
			   bool *avail_known, uint64_t *avail);

/* Whether the container has its IOMMU set: VFIO_IOMMU_GET_INFO reaches an
 * IOMMU driver only then (the kernel answers -EINVAL without one). */
static bool container_has_iommu(struct vfio_ctx *ctx)
{
	struct vfio_iommu_type1_info info = { .argsz = sizeof(info) };

	return vfio_ioctl(ctx, ctx->fd, VFIO_IOMMU_GET_INFO, &info) >= 0;
}

/* A shared container (DPDK's EAL's) that already has its IOMMU: take its
 * ranges and budget now, so a domain can exist before uvf adds a group. */
static int shared_adopt(struct vfio_ctx *ctx)
{
	uint64_t avail;
	int ret;

	if (!container_has_iommu(ctx))
		return 0;
	ret = read_type1_info(ctx, &ctx->ranges, &ctx->avail_known, &avail);
	if (ret)
		return ret;
	ctx->dma_avail = avail;
	ctx->iommu_set = true;
	return 0;
}

static int container_setup(struct vfio_ctx *ctx)
{
	char path[4096];
	int fd, ret;

	if (ctx->shared) {
		fd = ctx->fd;
	} else {
		if (snprintf(path, sizeof(path), "%s/vfio/vfio",
			     ctx->dev_root) >= (int)sizeof(path))
			return -ENAMETOOLONG;
		fd = vfio_open_node(ctx, path, O_RDWR);
		if (fd < 0)
			return fd == -ENOENT ? -ENOTSUP : fd;
	}
	ret = vfio_ioctl(ctx, fd, VFIO_GET_API_VERSION, NULL);
	if (ret >= 0 && ret != VFIO_API_VERSION)
		ret = -ENOTSUP;
	if (ctx->shared && ret < 0 && ret != -EBADF)
		ret = -EBADF;	/* not a VFIO container */
	if (ret < 0)
		goto err;
	ret = -ENOTSUP;
	if (ctx->be->kind == UVF_VFIO_NOIOMMU) {
		if (vfio_ioctl(ctx, fd, VFIO_CHECK_EXTENSION,
			       (void *)(uintptr_t)VFIO_NOIOMMU_IOMMU) > 0)
			ctx->iommu_type = VFIO_NOIOMMU_IOMMU;
	} else if (vfio_ioctl(ctx, fd, VFIO_CHECK_EXTENSION,
			      (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU) > 0) {
		ctx->iommu_type = VFIO_TYPE1v2_IOMMU;
	} else if (vfio_ioctl(ctx, fd, VFIO_CHECK_EXTENSION,
			      (void *)(uintptr_t)VFIO_TYPE1_IOMMU) > 0) {
		ctx->iommu_type = VFIO_TYPE1_IOMMU;
	}
	if (!ctx->iommu_type)
		goto err;
	ctx->fd = fd;
	if (ctx->shared) {
		ret = shared_adopt(ctx);
		if (ret)
			goto err;
	}
	return 0;
err:
	if (!ctx->shared)
		ctx->sys->close(ctx->sys->arg, fd);
	ctx->iommu_type = 0;
	ctx->iommu_set = false;
	return ret;
}

static void container_teardown(struct vfio_ctx *ctx)
{
	/* A shared container stays open for its owner. */
	if (!ctx->shared)
		ctx->sys->close(ctx->sys->arg, ctx->fd);
	ctx->fd = ctx->shared ? ctx->fd : -1;
	ctx->iommu_type = 0;
	ctx->iommu_set = false;
}

/* The container's IOVA ranges and entry budget, after VFIO_SET_IOMMU. */
static int read_type1_info(struct vfio_ctx *ctx, struct vfio_range_set *ranges,
			   bool *avail_known, uint64_t *avail)
{
	const struct vfio_iommu_type1_info head = { 0 };
	struct vfio_iommu_type1_info *info;
	size_t size;
	int ret;

	ret = vfio_get_info(ctx, ctx->fd, VFIO_IOMMU_GET_INFO, &head,
			    sizeof(head), (void **)&info, &size);
	if (ret < 0)
		return ret;
	ret = -ENOENT;
	if (info->flags & VFIO_IOMMU_INFO_CAPS)
		ret = vfio_parse_iova_ranges(info, size, info->cap_offset,
					     ranges);
	if (ret == -ENOENT) {
		/* Kernels before 5.4 do not report ranges. */
		ranges->v[0] = (struct uvf_iova_range){ 0, UINT64_MAX };
		ranges->n = 1;
		ret = 0;
	}
	if (ret)
		goto out;
	*avail_known = false;
	if (info->flags & VFIO_IOMMU_INFO_CAPS) {
		ret = vfio_parse_dma_avail(info, size, info->cap_offset, avail);
		*avail_known = !ret;
		ret = ret == -ENOENT ? 0 : ret;
	}
out:
	free(info);
	return ret;
}

static struct vfio_group *group_find(struct vfio_ctx *ctx, int nr)
{
	struct vfio_group *g;

	for (g = ctx->groups; g; g = g->next)
		if (g->nr == nr)
			return g;
	return NULL;
}

static void group_release(struct vfio_ctx *ctx, struct vfio_group *g)
{
	struct vfio_group **pp;

	for (pp = &ctx->groups; *pp != g; pp = &(*pp)->next)
		;
	*pp = g->next;
	vfio_ioctl(ctx, g->fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
	ctx->sys->close(ctx->sys->arg, g->fd);
	free(g);
	/* The kernel dropped the IOMMU with the last group -- of the
	 * container: a shared one may still hold its owner's groups. */
	if (!ctx->groups)
		ctx->iommu_set = ctx->shared && container_has_iommu(ctx);
}

/* Open group @nr and put it into the container, setting the IOMMU type on
 * the first group. */
static int group_join(struct vfio_ctx *ctx, const char *node, int nr,
		      struct vfio_group **out)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	struct vfio_range_set ranges = ctx->ranges;
	bool avail_known = ctx->avail_known, was_set = ctx->iommu_set;
	uint64_t avail = ctx->dma_avail;
	struct vfio_group *g;
	int ret;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->nr = nr;
	g->fd = vfio_open_node(ctx, node, O_RDWR);
	if (g->fd < 0) {
		ret = g->fd;
		free(g);
		return ret;
	}
	ret = vfio_ioctl(ctx, g->fd, VFIO_GROUP_GET_STATUS, &st);
	if (!ret && !(st.flags & VFIO_GROUP_FLAGS_VIABLE))
		ret = -EBUSY;
	if (!ret)
		ret = vfio_ioctl(ctx, g->fd, VFIO_GROUP_SET_CONTAINER,
				 &ctx->fd);
	if (ret)
		goto err_close;
	/* A shared container may have been given its IOMMU by its owner
	 * since we looked: never set it twice. */
	if (!was_set && !(ctx->shared && container_has_iommu(ctx))) {
		ret = vfio_ioctl(ctx, ctx->fd, VFIO_SET_IOMMU,
				 (void *)(uintptr_t)ctx->iommu_type);
		if (ret)
			goto err_unset;
	}
	if (ctx->iommu_type != VFIO_NOIOMMU_IOMMU) {
		ret = read_type1_info(ctx, &ranges, &avail_known, &avail);
		/* A group whose IOMMU cannot translate the domain's IOVAs
		 * would let the allocator hand out dead addresses. */
		if (!ret && ctx->translated) {
			struct type1_domain *td =
				uvf_domain_priv(ctx->translated);

			if (!vfio_ranges_cover(&ranges, td->aperture.v,
					       td->aperture.n))
				ret = -ERANGE;
		}
		if (ret)
			goto err_unset;
	}
	ctx->iommu_set = true;
	ctx->ranges = ranges;
	/* The budget belongs to the container: read once; the domain's
	 * records count what is used. */
	if (!was_set) {
		ctx->avail_known = avail_known;
		ctx->dma_avail = avail;
	}
	g->next = ctx->groups;
	ctx->groups = g;
	*out = g;
	return 0;

err_unset:
	/* Taking the group out again also drops an IOMMU set just now. */
	vfio_ioctl(ctx, g->fd, VFIO_GROUP_UNSET_CONTAINER, NULL);
err_close:
	ctx->sys->close(ctx->sys->arg, g->fd);
	free(g);
	return ret;
}

static int container_dev_open(struct vfio_ctx *ctx, struct vfio_device *vd,
			      const struct uvf_pci_dev *pd)
{
	const char *node = uvf_pci_dev_vfio_group_node(pd);
	struct vfio_group *g = group_find(ctx, vd->group_nr);
	char name[UVF_PCI_BDF_LEN + sizeof(" vf_token=") + 36];
	bool joined = false, vf, pf;
	int fd, ret;

	/* The kernel wants the token for a VF of a vfio-pci PF, and takes
	 * it for a PF (setting it while no VF is in use); any other device
	 * refuses one. */
	snprintf(name, sizeof(name), "%s", vd->bdf);
	if (ctx->vf_token[0]) {
		vfio_sriov_role(ctx, vd->bdf, &vf, &pf);
		if (vf || pf)
			snprintf(name, sizeof(name), "%s vf_token=%s", vd->bdf,
				 ctx->vf_token);
	}

	if (!g) {
		if (!node)
			return -ENODEV;
		ret = group_join(ctx, node, vd->group_nr, &g);
		if (ret)
			return ret;
		joined = true;
	}
	fd = vfio_ioctl(ctx, g->fd, VFIO_GROUP_GET_DEVICE_FD, name);
	if (fd < 0) {
		if (joined)
			group_release(ctx, g);
		return fd;
	}
	g->refs++;
	vd->group = g;
	vd->fd = fd;
	return 0;
}

/* A parked group is one without devices kept for a live domain. */
static void release_idle_groups(struct vfio_ctx *ctx)
{
	struct vfio_group *g, *next;

	for (g = ctx->groups; g; g = next) {
		next = g->next;
		if (!g->refs && (ctx->groups != g || g->next ||
				 !ctx->translated))
			group_release(ctx, g);
	}
}

static void container_dev_close(struct vfio_ctx *ctx, struct vfio_device *vd)
{
	ctx->sys->close(ctx->sys->arg, vd->fd);
	vd->fd = -1;
	vd->group->refs--;
	vd->group = NULL;
	release_idle_groups(ctx);
}

static int type1_domain_init(struct uvf_domain *dom)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);
	struct type1_domain *td;
	int ret = 0;

	if (dom->type != UVF_DOMAIN_TRANSLATED)
		return -ENOTSUP;
	td = calloc(1, sizeof(*td));
	if (!td)
		return -ENOMEM;
	pthread_mutex_lock(&ctx->lock);
	if (ctx->translated)
		ret = -ENOTSUP;	/* the container has one address space */
	else if (!ctx->iommu_set)
		ret = -ENODEV;	/* no group yet, so no IOMMU */
	if (!ret) {
		td->aperture = ctx->ranges;
		if (ctx->iova_last)
			vfio_ranges_clamp(&td->aperture, ctx->iova_last);
		ctx->translated = dom;
		uvf_domain_set_priv(dom, td);
	}
	pthread_mutex_unlock(&ctx->lock);
	if (ret)
		free(td);
	return ret;
}

/* The core has unmapped every record before this. */
static void type1_domain_fini(struct uvf_domain *dom)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);

	pthread_mutex_lock(&ctx->lock);
	ctx->translated = NULL;
	release_idle_groups(ctx);
	pthread_mutex_unlock(&ctx->lock);
	free(uvf_domain_priv(dom));
}

static int type1_attach(struct uvf_domain *dom, struct uvf_device *dev)
{
	(void)dom;
	/* The device's group is in the container since it was opened. */
	return vfio_device_of(dev) ? 0 : -EXDEV;
}

static void type1_detach(struct uvf_domain *dom, struct uvf_device *dev)
{
	(void)dom;
	(void)dev;
}

/* One kernel entry per call: the record's cookie counts them. Called
 * without the domain lock; the kernel serialises the container. */
static int type1_map(struct uvf_domain *dom, uvf_iova_t iova, void *vaddr,
		     uint64_t len, int prot, uint64_t *cookie,
		     struct uvf_pgtable_op_stats *st)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.vaddr = (uintptr_t)vaddr,
		.iova = iova,
		.size = len,
	};
	int ret;

	if (st)
		memset(st, 0, sizeof(*st));	/* no page table of ours */
	if (prot & UVF_PROT_READ)
		m.flags |= VFIO_DMA_MAP_FLAG_READ;
	if (prot & UVF_PROT_WRITE)
		m.flags |= VFIO_DMA_MAP_FLAG_WRITE;
	ret = vfio_map_ioctl(ctx, VFIO_IOMMU_MAP_DMA, &m,
			     "VFIO_IOMMU_MAP_DMA", len);
	if (!ret)
		++*cookie;
	return ret;
}

/* The range is a whole record, or the runs of one being undone: whole
 * kernel entries back to back, which type1v2 unmaps in one call (v1 would
 * also take any entry merely overlapping). */
static int type1_unmap(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len,
		       uint64_t cookie, struct uvf_pgtable_op_stats *st)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);
	struct vfio_iommu_type1_dma_unmap um = {
		.argsz = sizeof(um), .iova = iova, .size = len,
	};
	int ret;

	if (st)
		memset(st, 0, sizeof(*st));
	ret = vfio_ioctl(ctx, ctx->fd, VFIO_IOMMU_UNMAP_DMA, &um);
	if (ret)
		return ret;
	(void)cookie;
	return um.size == len ? 0 : -EIO;
}

static int type1_iova_ranges(struct uvf_domain *dom,
			     struct uvf_iova_range *out, size_t *nr)
{
	struct type1_domain *td = uvf_domain_priv(dom);

	if (*nr < td->aperture.n)
		return -E2BIG;
	memcpy(out, td->aperture.v, td->aperture.n * sizeof(*out));
	*nr = td->aperture.n;
	return 0;
}

static int type1_budget(struct uvf_domain *dom, uint64_t *avail)
{
	struct vfio_ctx *ctx = vfio_ctx_of_dom(dom);
	uint64_t used = uvf_domain_cookie_total(dom);

	/* What the kernel had when the container got its IOMMU, less the
	 * entries the domain's records hold. */
	if (!ctx->avail_known)
		*avail = UINT64_MAX;
	else
		*avail = ctx->dma_avail > used ? ctx->dma_avail - used : 0;
	return 0;
}

static const struct uvf_domain_ops type1_dom_ops = {
	.domain_init = type1_domain_init,
	.domain_fini = type1_domain_fini,
	.attach = type1_attach,
	.detach = type1_detach,
	.map = type1_map,
	.unmap = type1_unmap,
	.iova_ranges = type1_iova_ranges,
	.reserved_regions = vfio_reserved_regions,
	.budget = type1_budget,
	.unlocked_map = true,
};

static const char *type1_name(const struct vfio_ctx *ctx)
{
	if (ctx->shared)
		return "vfio-type1-shared";
	return ctx->iommu_type == VFIO_TYPE1_IOMMU ? "vfio-type1"
						   : "vfio-type1v2";
}

const struct vfio_backend_ops vfio_type1_backend = {
	.kind = UVF_VFIO_TYPE1,
	.setup = container_setup,
	.teardown = container_teardown,
	.dev_open = container_dev_open,
	.dev_close = container_dev_close,
	.dom = &type1_dom_ops,
	.name = type1_name,
};

static int noiommu_domain_init(struct uvf_domain *dom)
{
	/* Without an IOMMU a device can only use physical addresses. */
	return dom->type == UVF_DOMAIN_DIRECT ? 0 : -ENOTSUP;
}

static void noiommu_domain_fini(struct uvf_domain *dom)
{
	(void)dom;
}

static const struct uvf_domain_ops noiommu_dom_ops = {
	.domain_init = noiommu_domain_init,
	.domain_fini = noiommu_domain_fini,
	.attach = type1_attach,
	.detach = type1_detach,
	.direct_addr = vfio_noiommu_direct_addr,
	.reserved_regions = vfio_reserved_regions,
};

static const char *noiommu_name(const struct vfio_ctx *ctx)
{
	(void)ctx;
	return "vfio-noiommu";
}

const struct vfio_backend_ops vfio_noiommu_backend = {
	.kind = UVF_VFIO_NOIOMMU,
	.setup = container_setup,
	.teardown = container_teardown,
	.dev_open = container_dev_open,
	.dev_close = container_dev_close,
	.dom = &noiommu_dom_ops,
	.name = noiommu_name,
};
