/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "fake_vfio_priv.h"
#include "vfio/config.h"

#if UVF_HAVE_IOMMUFD
#include <linux/iommufd.h>
#endif

#define REGION_SHIFT 40

int fk_new_fd(struct fake_vfio *fk, int kind, int idx)
{
	unsigned int i;

	for (i = 0; i < 64; i++) {
		if (fk->fd[i].kind == FK_FREE) {
			fk->fd[i].kind = kind;
			fk->fd[i].idx = idx;
			fk->fd[i].ofd = ++fk->next_ofd;
			return FD_BASE + (int)i;
		}
	}
	return -EMFILE;
}

static bool fd_ok(const struct fake_vfio *fk, int fd)
{
	return fd >= FD_BASE && fd < FD_BASE + 64 &&
	       fk->fd[fd - FD_BASE].kind != FK_FREE;
}

/* A second fd for the same open file, as fcntl(F_DUPFD_CLOEXEC). */
static int fk_dup(void *arg, int fd)
{
	struct fake_vfio *fk = arg;
	int copy;

	if (!fd_ok(fk, fd))
		return -EBADF;
	copy = fk_new_fd(fk, fk->fd[fd - FD_BASE].kind,
			 fk->fd[fd - FD_BASE].idx);
	if (copy >= 0)
		fk->fd[copy - FD_BASE].ofd = fk->fd[fd - FD_BASE].ofd;
	return copy;
}

static struct fk_group *group_nr(struct fake_vfio *fk, int nr)
{
	unsigned int i;

	for (i = 0; i < fk->nr_groups; i++)
		if (fk->group[i].nr == nr)
			return &fk->group[i];
	return NULL;
}

static int fk_open(void *arg, const char *path, int flags)
{
	struct fake_vfio *fk = arg;
	const char *base = strrchr(path, '/') + 1;
	struct fk_group *g;
	unsigned int i;

	(void)flags;
	if (fk->deny_open)
		return -EACCES;
	if (!strcmp(path, "/proc/self/pagemap"))
		return fk_new_fd(fk, FK_PAGEMAP, 0);
	if (access(path, F_OK))
		return -ENOENT;
	if (!strcmp(base, "iommu"))
		return fk_new_fd(fk, FK_IOMMUFD, 0);
	if (!strcmp(base, "vfio"))
		return fk_new_fd(fk, FK_CONTAINER, 0);
	if (!strncmp(base, "vfio", 4)) {
		i = (unsigned int)atoi(base + 4);
		if (i >= fk->nr_devs)
			return -ENOENT;
		fk->dev[i].open_fds++;
		return fk_new_fd(fk, FK_DEVICE, (int)i);
	}
	g = group_nr(fk, atoi(base + (strncmp(base, "noiommu-", 8) ? 0 : 8)));
	if (!g)
		return -ENOENT;
	if (g->open)
		return -EBUSY;
	g->open = true;
	return fk_new_fd(fk, FK_GROUP, g->nr);
}

static void drop_container_group(struct fake_vfio *fk, struct fk_group *g)
{
	g->in_container = false;
	if (--fk->groups_in)
		return;
	/* The kernel releases the IOMMU, and every mapping, with it. */
	fk->iommu = 0;
	fk->nr_entries = 0;
	fk->dma_avail = fk->dma_entry_limit;
}

static void fk_close(void *arg, int fd)
{
	struct fake_vfio *fk = arg;
	int kind, idx;

	ck_assert_msg(fd_ok(fk, fd), "close of fd %d the fake never gave", fd);
	kind = fk->fd[fd - FD_BASE].kind;
	idx = fk->fd[fd - FD_BASE].idx;
	fk->fd[fd - FD_BASE].kind = FK_FREE;
	/* Like the kernel, the file is released with its last fd. */
	for (unsigned int i = 0; i < 64; i++)
		if (fk->fd[i].kind != FK_FREE &&
		    fk->fd[i].ofd == fk->fd[fd - FD_BASE].ofd)
			return;
	if (kind == FK_GROUP) {
		struct fk_group *g = group_nr(fk, idx);

		g->open = false;
		if (g->in_container)
			drop_container_group(fk, g);
	} else if (kind == FK_DEVICE) {
		fk->dev[idx].open_fds--;
		fk->dev[idx].bound = false;
		fk->dev[idx].ioas = 0;
		/* The kernel drops the triggers with the device's last fd. */
		if (!fk->dev[idx].open_fds)
			fk->dev[idx].err_trigger = fk->dev[idx].req_trigger = -1;
	}
}

/* Appends a capability to an info reply being built in @buf of @argsz
 * bytes; *@need grows whatever fits. Returns the capability's offset. */
static uint32_t add_cap(void *buf, uint32_t argsz, uint32_t *need,
			uint32_t *prev_next, const void *cap, uint32_t size)
{
	uint32_t off = (*need + 7) & ~7u;

	*need = off + size;
	if (*need > argsz)
		return 0;
	memcpy((char *)buf + off, cap, size);
	if (prev_next)
		*prev_next = off;
	return off;
}

static int get_info(struct fake_vfio *fk, struct vfio_iommu_type1_info *info)
{
	uint32_t argsz = info->argsz, need = sizeof(*info), first;
	uint64_t rc[(sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
		     4 * sizeof(struct vfio_iova_range)) / 8 + 1] = { 0 };
	struct vfio_iommu_type1_info_cap_iova_range *c = (void *)rc;
	struct vfio_iommu_type1_info_dma_avail av = { 0 };

	if (!fk->iommu || fk->iommu == VFIO_NOIOMMU_IOMMU)
		return -EINVAL;
	info->flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS;
	info->iova_pgsizes = 4096 | (1 << 21) | (1 << 30);
	info->cap_offset = 0;
	c->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	c->header.version = 1;
	c->nr_iovas = fk->nr_ranges;
	memcpy(c->iova_ranges, fk->ranges,
	       fk->nr_ranges * sizeof(fk->ranges[0]));
	first = add_cap(info, argsz, &need, NULL, c,
			sizeof(*c) + fk->nr_ranges * sizeof(fk->ranges[0]));
	if (fk->report_avail) {
		av.header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
		av.header.version = 1;
		av.avail = fk->dma_avail;
		add_cap(info, argsz, &need,
			first ? &((struct vfio_info_cap_header *)
					  ((char *)info + first))->next : NULL,
			&av, sizeof(av));
	}
	if (need > argsz)
		info->argsz = need;	/* like the kernel: ask again */
	else
		info->cap_offset = first;
	return 0;
}

static int map_dma(struct fake_vfio *fk, struct vfio_iommu_type1_dma_map *m)
{
	unsigned int i;

	if (!fk->iommu || fk->iommu == VFIO_NOIOMMU_IOMMU)
		return -EINVAL;
	if (!m->size || (m->iova | m->size | m->vaddr) & 4095)
		return -EINVAL;
	for (i = 0; i < fk->nr_entries; i++)
		if (fk->entry[i].iova < m->iova + m->size &&
		    m->iova < fk->entry[i].iova + fk->entry[i].size) {
			fk->overlap_refusals++;
			return -EEXIST;
		}
	if (!fk->dma_avail)
		return -ENOSPC;
	if (fk->nr_entries == FK_MAX_ENTRIES)
		return -ENOMEM;
	fk->entry[fk->nr_entries++] = (struct fk_entry){
		m->iova, m->size, m->vaddr, m->flags };
	fk->dma_avail--;
	return 0;
}

/* type1v2: the range must not split an entry; unmaps what it covers. */
static int unmap_entries(struct fk_entry *e, unsigned int *nr,
			 uint64_t iova, uint64_t *size)
{
	uint64_t last = iova + *size - 1, done = 0;
	unsigned int i, n = 0;

	for (i = 0; i < *nr; i++) {
		uint64_t el = e[i].iova + e[i].size - 1;

		if (e[i].iova <= last && iova <= el &&
		    (e[i].iova < iova || el > last))
			return -EINVAL;
	}
	for (i = 0; i < *nr; i++) {
		if (e[i].iova >= iova && e[i].iova <= last) {
			done += e[i].size;
			continue;
		}
		e[n++] = e[i];
	}
	*nr = n;
	*size = done;
	return 0;
}

static int region_info(struct fk_dev *d, struct vfio_region_info *ri)
{
	uint32_t argsz = ri->argsz, need = sizeof(*ri), off;
	uint64_t sp[(sizeof(struct vfio_region_info_cap_sparse_mmap) +
		     4 * sizeof(struct vfio_region_sparse_mmap_area)) / 8 + 1] =
		{ 0 };
	struct vfio_region_info_cap_sparse_mmap *c = (void *)sp;
	struct fk_region *r;

	if (ri->index >= VFIO_PCI_NUM_REGIONS)
		return -EINVAL;
	r = &d->region[ri->index];
	ri->size = r->size;
	ri->offset = (uint64_t)ri->index << REGION_SHIFT;
	ri->flags = r->flags;
	ri->cap_offset = 0;
	if (!r->nr_sparse)
		return 0;
	c->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	c->header.version = 1;
	c->nr_areas = r->nr_sparse;
	memcpy(c->areas, r->sparse, r->nr_sparse * sizeof(r->sparse[0]));
	off = add_cap(ri, argsz, &need, NULL, c,
		      sizeof(*c) + r->nr_sparse * sizeof(r->sparse[0]));
	ri->flags |= VFIO_REGION_INFO_FLAG_CAPS;
	if (need > argsz)
		ri->argsz = need;
	else
		ri->cap_offset = off;
	return 0;
}

/* VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: the devices of @d's bus. A device
 * opened as a cdev (bound to an iommufd) is answered with devids. */
static int hot_reset_info(struct fake_vfio *fk, struct fk_dev *d,
			  struct vfio_pci_hot_reset_info *info)
{
	uint32_t n = 0, cap = (info->argsz - (uint32_t)sizeof(*info)) /
			      (uint32_t)sizeof(info->devices[0]);
	bool all_bound = true;

	if (!d->reset_bus)
		return -ENODEV;
	info->flags = 0;
	for (unsigned int i = 0; i < fk->nr_devs; i++) {
		struct fk_dev *p = &fk->dev[i];
		struct vfio_pci_dependent_device *e = &info->devices[n];
		unsigned int seg, bus, slot, fn;

		if (p->reset_bus != d->reset_bus)
			continue;
		all_bound &= p->bound;
		if (n++ >= cap)
			continue;
		sscanf(p->bdf, "%x:%x:%x.%x", &seg, &bus, &slot, &fn);
		e->segment = (uint16_t)seg;
		e->bus = (uint8_t)bus;
		e->devfn = (uint8_t)(slot << 3 | fn);
		e->group_id = (uint32_t)p->group;
#ifdef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
		if (d->bound)
			e->devid = p->bound ? p->devid :
				   (uint32_t)VFIO_PCI_DEVID_NOT_OWNED;
#endif
	}
#ifdef VFIO_PCI_HOT_RESET_FLAG_DEV_ID
	if (d->bound)
		info->flags = VFIO_PCI_HOT_RESET_FLAG_DEV_ID |
			      (all_bound ? VFIO_PCI_HOT_RESET_FLAG_DEV_ID_OWNED
					 : 0);
#else
	(void)all_bound;
#endif
	info->count = n;
	return n > cap ? -ENOSPC : 0;
}

/* VFIO_DEVICE_PCI_HOT_RESET: every device of the bus must be proven
 * ours, by its group's fd or (cdev, empty array) by being bound. */
static int hot_reset(struct fake_vfio *fk, struct fk_dev *d,
		     const struct vfio_pci_hot_reset *r)
{
	if (!d->reset_bus)
		return -ENODEV;
	for (unsigned int i = 0; i < fk->nr_devs; i++) {
		struct fk_dev *p = &fk->dev[i];
		bool proven = !r->count && d->bound && p->bound;

		if (p->reset_bus != d->reset_bus)
			continue;
		for (uint32_t k = 0; k < r->count && !proven; k++) {
			int fd = r->group_fds[k];

			proven = fd_ok(fk, fd) &&
				 fk->fd[fd - FD_BASE].kind == FK_GROUP &&
				 fk->fd[fd - FD_BASE].idx == p->group;
		}
		if (!proven)
			return r->count ? -EINVAL : -EPERM;
	}
	for (unsigned int i = 0; i < fk->nr_devs; i++)
		if (fk->dev[i].reset_bus == d->reset_bus)
			fk->dev[i].hot_resets++;
	return 0;
}

/* As vfio_pci_set_ctx_trigger_single(): one eventfd, or -1 to drop it. */
static int set_event_trigger(struct fk_dev *d, const struct vfio_irq_set *s)
{
	int32_t *trigger = s->index == VFIO_PCI_ERR_IRQ_INDEX ? &d->err_trigger
							      : &d->req_trigger;
	int32_t fd;

	if (!(s->flags & VFIO_IRQ_SET_ACTION_TRIGGER))
		return -ENOTTY;
	if (!(s->flags & VFIO_IRQ_SET_DATA_EVENTFD) || s->count != 1)
		return -EINVAL;
	memcpy(&fd, s->data, sizeof(fd));
	if (fd < -1)
		return -EINVAL;
	d->set_irqs++;
	d->last_irq_flags = s->flags;
	d->last_irq_index = s->index;
	d->last_irq_count = s->count;
	*trigger = fd;
	return 0;
}

unsigned int fk_process_fds(void)
{
	unsigned int n = 0;
	int fd;

	for (fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) >= 0;
	return n;
}

bool fk_signal_event(struct fk_dev *d, uint32_t index)
{
	int32_t fd = index == VFIO_PCI_ERR_IRQ_INDEX ? d->err_trigger
						     : d->req_trigger;
	uint64_t one = 1;

	if (fd < 0)
		return false;
	ck_assert_int_eq(write(fd, &one, sizeof(one)), sizeof(one));
	return true;
}

static struct fk_dev *dev_named(struct fake_vfio *fk, const char *bdf)
{
	for (unsigned int i = 0; bdf && i < fk->nr_devs; i++)
		if (!strcmp(fk->dev[i].bdf, bdf))
			return &fk->dev[i];
	return NULL;
}

/* Open VFs of PF @pf: its token's users. */
static bool vfs_in_use(struct fake_vfio *fk, const struct fk_dev *pf)
{
	for (unsigned int i = 0; i < fk->nr_devs; i++)
		if (fk->dev[i].physfn && !strcmp(fk->dev[i].physfn, pf->bdf) &&
		    fk->dev[i].open_fds)
			return true;
	return false;
}

/* vfio_pci_validate_vf_token(), @uuid NULL when the name had none. */
static int check_vf_token(struct fake_vfio *fk, struct fk_dev *d,
			  const uint8_t *uuid)
{
	struct fk_dev *pf = dev_named(fk, d->physfn);

	if (d->physfn) {
		if (!pf)
			return uuid ? -EINVAL : 0;	/* PF not on vfio-pci */
		if (!uuid || memcmp(uuid, pf->vf_token, 16))
			return -EACCES;
	} else if (d->sriov_pf) {
		if (vfs_in_use(fk, d)) {
			if (!uuid || memcmp(uuid, d->vf_token, 16))
				return -EACCES;
		} else if (uuid) {
			memcpy(d->vf_token, uuid, 16);
		}
	} else if (uuid) {
		return -EINVAL;
	}
	return 0;
}

/* vfio_pci_core_match(): "BDF" or "BDF vf_token=UUID". */
static int match_name(struct fake_vfio *fk, struct fk_dev *d,
		      const char *name)
{
	size_t len = strlen(d->bdf);
	uint8_t uuid[16];

	if (strncmp(name, d->bdf, len))
		return 0;
	if (!name[len])
		return check_vf_token(fk, d, NULL) ?: 1;
	if (strncmp(name + len, " vf_token=", 10))
		return 0;
	if (vfio_uuid_parse(name + len + 10, uuid))
		return -EINVAL;
	return check_vf_token(fk, d, uuid) ?: 1;
}

static int device_ioctl(struct fake_vfio *fk, struct fk_dev *d,
			unsigned long req, void *data)
{
	switch (req) {
	case VFIO_DEVICE_FEATURE: {
		struct vfio_device_feature *f = data;

		/* Only the PCI VF token, set-only, on an SR-IOV PF. */
		if ((f->flags & VFIO_DEVICE_FEATURE_MASK) !=
		    VFIO_DEVICE_FEATURE_PCI_VF_TOKEN)
			return -ENOTTY;
		if (!d->sriov_pf)
			return -ENOTTY;
		if ((f->flags & ~VFIO_DEVICE_FEATURE_MASK) !=
			    VFIO_DEVICE_FEATURE_SET ||
		    f->argsz < sizeof(*f) + 16)
			return -EINVAL;
		memcpy(d->vf_token, f->data, 16);
		d->token_sets++;
		return 0;
	}
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *i = data;

		i->flags = VFIO_DEVICE_FLAGS_PCI |
			   (d->reset ? VFIO_DEVICE_FLAGS_RESET : 0);
		i->num_regions = VFIO_PCI_NUM_REGIONS;
		i->num_irqs = VFIO_PCI_NUM_IRQS;
		return 0;
	}
	case VFIO_DEVICE_GET_REGION_INFO:
		return region_info(d, data);
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *i = data;

		if (i->index == VFIO_PCI_ERR_IRQ_INDEX && d->conventional)
			return -EINVAL;
		i->flags = VFIO_IRQ_INFO_EVENTFD;
		i->count = i->index < VFIO_PCI_NUM_IRQS ? d->irq_count[i->index]
							: 0;
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS: {
		struct vfio_irq_set *s = data;

		if (s->index >= VFIO_PCI_NUM_IRQS ||
		    s->count > d->irq_count[s->index])
			return -EINVAL;
		if (s->index >= VFIO_PCI_ERR_IRQ_INDEX)
			return set_event_trigger(d, s);
		d->set_irqs++;
		d->last_irq_flags = s->flags;
		d->last_irq_index = s->index;
		d->last_irq_count = s->count;
		if (s->flags & VFIO_IRQ_SET_DATA_EVENTFD)
			memcpy(d->last_fds, s->data,
			       (s->count < 8 ? s->count : 8) * sizeof(int32_t));
		return 0;
	}
	case VFIO_DEVICE_RESET:
		if (!d->reset)
			return -EINVAL;
		d->resets++;
		return 0;
	case VFIO_DEVICE_GET_PCI_HOT_RESET_INFO:
		return hot_reset_info(fk, d, data);
	case VFIO_DEVICE_PCI_HOT_RESET:
		return hot_reset(fk, d, data);
#if UVF_HAVE_IOMMUFD
	case VFIO_DEVICE_BIND_IOMMUFD:
		if (d->bound)
			return -EBUSY;
		d->bound = true;
		d->devid = ++fk->next_id;
		((struct vfio_device_bind_iommufd *)data)->out_devid = d->devid;
		return 0;
	case VFIO_DEVICE_ATTACH_IOMMUFD_PT: {
		struct vfio_device_attach_iommufd_pt *a = data;
		unsigned int i;

		for (i = 0; i < FK_MAX_IOAS; i++)
			if (fk->ioas[i] && fk->ioas[i] == a->pt_id)
				break;
		if (!d->bound || (i == FK_MAX_IOAS && !fk_hwpt(fk, a->pt_id)))
			return -ENOENT;
		/* On an attached device this is a replace. */
		d->ioas = a->pt_id;
		return 0;
	}
	case VFIO_DEVICE_DETACH_IOMMUFD_PT:
		d->ioas = 0;
		return 0;
#endif
	default:
		(void)fk;
		return -ENOTTY;
	}
}

static int container_ioctl(struct fake_vfio *fk, unsigned long req, void *data)
{
	switch (req) {
	case VFIO_GET_API_VERSION:
		return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION: {
		unsigned long ext = (unsigned long)(uintptr_t)data;

		return (ext == VFIO_TYPE1v2_IOMMU && fk->type1v2) ||
		       (ext == VFIO_TYPE1_IOMMU && fk->type1) ||
		       (ext == VFIO_NOIOMMU_IOMMU && fk->noiommu_ext);
	}
	case VFIO_SET_IOMMU:
		if (!fk->groups_in || fk->iommu)
			return -EINVAL;
		fk->iommu = (unsigned long)(uintptr_t)data;
		return 0;
	case VFIO_IOMMU_GET_INFO:
		return get_info(fk, data);
	case VFIO_IOMMU_MAP_DMA:
		return map_dma(fk, data);
	case VFIO_IOMMU_UNMAP_DMA: {
		struct vfio_iommu_type1_dma_unmap *u = data;
		unsigned int before = fk->nr_entries;
		int ret = unmap_entries(fk->entry, &fk->nr_entries, u->iova,
					(uint64_t *)&u->size);

		fk->dma_avail += before - fk->nr_entries;
		return ret;
	}
	default:
		return -ENOTTY;
	}
}

static int group_ioctl(struct fake_vfio *fk, struct fk_group *g,
		       unsigned long req, void *data)
{
	unsigned int i;

	switch (req) {
	case VFIO_GROUP_GET_STATUS:
		((struct vfio_group_status *)data)->flags =
			(g->viable ? VFIO_GROUP_FLAGS_VIABLE : 0) |
			(g->in_container ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	case VFIO_GROUP_SET_CONTAINER:
		if (g->in_container)
			return -EBUSY;
		ck_assert(fd_ok(fk, *(int *)data));
		g->in_container = true;
		fk->groups_in++;
		return 0;
	case VFIO_GROUP_UNSET_CONTAINER:
		if (!g->in_container)
			return -EINVAL;
		drop_container_group(fk, g);
		return 0;
	case VFIO_GROUP_GET_DEVICE_FD:
		if (!g->in_container || !fk->iommu)
			return -EINVAL;
		for (i = 0; i < fk->nr_devs; i++) {
			int m = fk->dev[i].group == g->nr ?
				match_name(fk, &fk->dev[i], data) : 0;

			if (m < 0)
				return m;
			if (m) {
				fk->dev[i].open_fds++;
				return fk_new_fd(fk, FK_DEVICE, (int)i);
			}
		}
		return -ENODEV;
	default:
		return -ENOTTY;
	}
}

#if UVF_HAVE_IOMMUFD
static int ioas_idx(struct fake_vfio *fk, uint32_t id)
{
	int i;

	for (i = 0; i < FK_MAX_IOAS; i++)
		if (id && fk->ioas[i] == id)
			return i;
	return -1;
}

struct fk_hwpt *fk_hwpt(struct fake_vfio *fk, uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < FK_MAX_HWPT; i++)
		if (fk->hwpt[i].id == id)
			return &fk->hwpt[i];
	return NULL;
}

struct fk_dev *fk_dev_by_id(struct fake_vfio *fk, uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < fk->nr_devs; i++)
		if (fk->dev[i].bound && fk->dev[i].devid == id)
			return &fk->dev[i];
	return NULL;
}

static bool pt_in_use(struct fake_vfio *fk, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < fk->nr_devs; i++)
		if (fk->dev[i].ioas == id)
			return true;
	for (i = 0; i < FK_MAX_HWPT; i++)
		if (fk->hwpt[i].id && fk->hwpt[i].ioas == id)
			return true;
	return false;
}

/* IOMMU_DESTROY: like the kernel, an object still referenced (a device
 * attached, an HWPT on the IOAS) is -EBUSY. */
static int destroy_object(struct fake_vfio *fk, uint32_t id)
{
	struct fk_hwpt *h = fk_hwpt(fk, id);
	int i = ioas_idx(fk, id);

#if UVF_HAVE_FAULT_UAPI
	if (fk_faultq(fk, id))
		return fk_fault_destroy(fk, fk_faultq(fk, id));
#endif
	if (i < 0 && !h)
		return -ENOENT;
	if (pt_in_use(fk, id))
		return -EBUSY;
	if (h)
		memset(h, 0, sizeof(*h));
	else
		fk->ioas[i] = 0;
	return 0;
}

#ifdef IOMMU_HWPT_GET_DIRTY_BITMAP
/* A paging HWPT on IOAS @pt_id: what the selftest mock and VT-d accept. */
static int hwpt_paging_check(struct fk_dev *d, struct iommu_hwpt_alloc *a)
{
	if (a->flags & ~(uint32_t)(IOMMU_HWPT_ALLOC_NEST_PARENT |
				   IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return -EOPNOTSUPP;	/* 6.12: FAULT_ID_VALID too */
	if (a->data_type)
		return -EOPNOTSUPP;
	if ((a->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING) && !d->dirty_cap)
		return -EOPNOTSUPP;
	return 0;
}

/* A nested HWPT on @parent: only the selftest mock's data is known. */
static int hwpt_nested_check(struct fk_dev *d, const struct fk_hwpt *parent,
			     struct iommu_hwpt_alloc *a)
{
	uint32_t fault_flag = 0;

#if UVF_HAVE_FAULT_UAPI
	fault_flag = IOMMU_HWPT_FAULT_ID_VALID;
#endif
	if (a->flags & ~fault_flag)
		return -EOPNOTSUPP;
	if (!(parent->flags & IOMMU_HWPT_ALLOC_NEST_PARENT))
		return -EINVAL;
	if (a->data_type != FK_HWPT_DATA_SELFTEST ||
	    d->hw_type != FK_HW_INFO_TYPE_SELFTEST)
		return -EOPNOTSUPP;
	if (a->data_len < sizeof(uint32_t))
		return -EINVAL;
	return a->data_uptr ? 0 : -EFAULT;
}

/* IOMMU_HWPT_ALLOC, with 6.12's checks in its order. */
static int hwpt_alloc(struct fake_vfio *fk, struct iommu_hwpt_alloc *a)
{
	struct fk_dev *d = fk_dev_by_id(fk, a->dev_id);
	struct fk_hwpt *parent = fk_hwpt(fk, a->pt_id);
	uint32_t fault_id = 0;
	unsigned int i;
	int ret;

	if (a->__reserved)
		return -EOPNOTSUPP;
	if (!a->data_type != !a->data_len)
		return -EINVAL;
	if (!d)
		return -ENOENT;
	if (ioas_idx(fk, a->pt_id) >= 0)
		ret = hwpt_paging_check(d, a);
	else
		ret = parent ? hwpt_nested_check(d, parent, a) : -EINVAL;
	if (ret)
		return ret;
	for (i = 0; i < FK_MAX_HWPT && fk->hwpt[i].id; i++)
		;
	if (i == FK_MAX_HWPT)
		return -ENOMEM;
#if UVF_HAVE_FAULT_UAPI
	if (a->flags & IOMMU_HWPT_FAULT_ID_VALID) {
		if (!fk_faultq(fk, a->fault_id))
			return -ENOENT;
		fault_id = a->fault_id;
	}
#endif
	fk->hwpt[i] = (struct fk_hwpt){ .id = ++fk->next_id,
		.ioas = a->pt_id, .dev_id = a->dev_id, .flags = a->flags,
		.fault_id = fault_id, .data_type = a->data_type };
	a->out_hwpt_id = fk->hwpt[i].id;
	return 0;
}

static int hw_info(struct fake_vfio *fk, struct iommu_hw_info *q)
{
	struct fk_dev *d = fk_dev_by_id(fk, q->dev_id);
	uint8_t vtd[16] = { 0x5a };	/* struct iommu_hw_info_vtd's size */

	if (q->flags || q->__reserved[0] || q->__reserved[1] ||
	    q->__reserved[2])
		return -EOPNOTSUPP;
	if (!d)
		return -ENOENT;
	/* Copies what fits; data_len then says the kernel's size. */
	memcpy((void *)(uintptr_t)q->data_uptr, vtd,
	       q->data_len < sizeof(vtd) ? q->data_len : sizeof(vtd));
	q->data_len = sizeof(vtd);
	q->out_data_type = d->hw_type;
	q->out_capabilities = d->dirty_cap ? IOMMU_HW_CAP_DIRTY_TRACKING : 0;
	return 0;
}

static int set_dirty_tracking(struct fake_vfio *fk,
			      struct iommu_hwpt_set_dirty_tracking *t)
{
	struct fk_hwpt *h = fk_hwpt(fk, t->hwpt_id);

	if (t->flags & ~(uint32_t)IOMMU_HWPT_DIRTY_TRACKING_ENABLE ||
	    t->__reserved)
		return -EOPNOTSUPP;
	if (!h)
		return -ENOENT;
	if (!(h->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return -EOPNOTSUPP;
	h->tracking = t->flags & IOMMU_HWPT_DIRTY_TRACKING_ENABLE;
	/* Enabling starts from clean, as iopt_set_dirty_tracking does. */
	if (h->tracking)
		h->nr_dirty = 0;
	return 0;
}

static int get_dirty_bitmap(struct fake_vfio *fk,
			    struct iommu_hwpt_get_dirty_bitmap *g)
{
	struct fk_hwpt *h = fk_hwpt(fk, g->hwpt_id);
	uint64_t *bitmap = (uint64_t *)(uintptr_t)g->data;
	unsigned int k = 0;

	if (g->flags & ~(uint32_t)IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR ||
	    g->__reserved)
		return -EOPNOTSUPP;
	if (!h)
		return -ENOENT;
	if (!(h->flags & IOMMU_HWPT_ALLOC_DIRTY_TRACKING))
		return -EOPNOTSUPP;
	if (!g->length || !g->page_size || (g->page_size & (g->page_size - 1)) ||
	    (g->iova | g->length) & (g->page_size - 1) || (g->data & 7))
		return -EINVAL;
	if (g->iova + g->length < g->iova)
		return -EOVERFLOW;
	if (!h->tracking)
		return -EINVAL;
	while (k < h->nr_dirty) {
		uint64_t a = h->dirty[k], bit;

		if (a < g->iova || a - g->iova >= g->length) {
			k++;
			continue;
		}
		bit = (a - g->iova) / g->page_size;
		bitmap[bit / 64] |= 1ull << (bit % 64);
		if (g->flags & IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR)
			k++;
		else
			h->dirty[k] = h->dirty[--h->nr_dirty];
	}
	return 0;
}
#endif

bool fk_hwpt_write(struct fake_vfio *fk, uint32_t id, uint64_t iova)
{
	struct fk_hwpt *h;
	unsigned int k;
	bool marked = false;
	int i;

	pthread_mutex_lock(&fk->lock);
	h = fk_hwpt(fk, id);
	i = h ? ioas_idx(fk, h->ioas) : -1;
	iova &= ~4095ull;
	for (k = 0; h && h->tracking && i >= 0 && k < fk->ioas_nr[i]; k++) {
		struct fk_entry *e = &fk->ioas_entry[i][k];

		if (iova >= e->iova && iova - e->iova < e->size &&
		    (e->flags & IOMMU_IOAS_MAP_WRITEABLE))
			marked = true;
	}
	for (k = 0; marked && k < h->nr_dirty; k++)
		if (h->dirty[k] == iova)
			break;
	if (marked && k == h->nr_dirty) {
		ck_assert_uint_lt(h->nr_dirty, FK_MAX_DIRTY);
		h->dirty[h->nr_dirty++] = iova;
	}
	pthread_mutex_unlock(&fk->lock);
	return marked;
}

/* The HWPT calls (6.7+ uAPI). */
static int hwpt_ioctl(struct fake_vfio *fk, unsigned long req, void *data)
{
	switch (req) {
#ifdef IOMMU_HWPT_GET_DIRTY_BITMAP
	case IOMMU_HWPT_ALLOC:
		return hwpt_alloc(fk, data);
	case IOMMU_GET_HW_INFO:
		return hw_info(fk, data);
	case IOMMU_HWPT_SET_DIRTY_TRACKING:
		return set_dirty_tracking(fk, data);
	case IOMMU_HWPT_GET_DIRTY_BITMAP:
		return get_dirty_bitmap(fk, data);
#endif
#if UVF_HAVE_FAULT_UAPI
	case IOMMU_FAULT_QUEUE_ALLOC:
		return fk_fault_alloc(fk, data);
#endif
	default:
		(void)fk;
		(void)data;
		return -ENOTTY;
	}
}

static int iommufd_ioctl(struct fake_vfio *fk, unsigned long req, void *data)
{
	int i;

	switch (req) {
	case IOMMU_IOAS_ALLOC: {
		struct iommu_ioas_alloc *a = data;

		for (i = 0; i < FK_MAX_IOAS && fk->ioas[i]; i++)
			;
		if (i == FK_MAX_IOAS)
			return -ENOSPC;
		fk->ioas[i] = a->out_ioas_id = ++fk->next_id;
		fk->ioas_nr[i] = 0;
		return 0;
	}
	case IOMMU_DESTROY:
		return destroy_object(fk, ((struct iommu_destroy *)data)->id);
	case IOMMU_IOAS_IOVA_RANGES: {
		struct iommu_ioas_iova_ranges *q = data;
		struct iommu_iova_range *r = (void *)(uintptr_t)q->allowed_iovas;
		uint32_t k;

		if (ioas_idx(fk, q->ioas_id) < 0)
			return -ENOENT;
		if (q->num_iovas < fk->nr_ranges) {
			q->num_iovas = fk->nr_ranges;
			return -EMSGSIZE;
		}
		for (k = 0; k < fk->nr_ranges; k++)
			r[k] = (struct iommu_iova_range){
				fk->ranges[k].start, fk->ranges[k].end };
		q->num_iovas = fk->nr_ranges;
		q->out_iova_alignment = 4096;
		return 0;
	}
	case IOMMU_IOAS_ALLOW_IOVAS:
		return ioas_idx(fk, ((struct iommu_ioas_allow_iovas *)data)
					    ->ioas_id) < 0 ? -ENOENT : 0;
	case IOMMU_IOAS_MAP: {
		struct iommu_ioas_map *m = data;
		unsigned int k;

		i = ioas_idx(fk, m->ioas_id);
		if (i < 0)
			return -ENOENT;
		if (!(m->flags & IOMMU_IOAS_MAP_FIXED_IOVA)) {
			/* Lowest free page-aligned IOVA above page 0. */
			m->iova = 4096;
			for (k = 0; k < fk->ioas_nr[i]; k++) {
				struct fk_entry *e = &fk->ioas_entry[i][k];

				if (e->iova + e->size > m->iova)
					m->iova = e->iova + e->size;
			}
		}
		for (k = 0; k < fk->ioas_nr[i]; k++)
			if (fk->ioas_entry[i][k].iova < m->iova + m->length &&
			    m->iova < fk->ioas_entry[i][k].iova +
					      fk->ioas_entry[i][k].size) {
				fk->overlap_refusals++;
				return -EEXIST;
			}
		fk->ioas_entry[i][fk->ioas_nr[i]++] = (struct fk_entry){
			m->iova, m->length, m->user_va, m->flags };
		return 0;
	}
	case IOMMU_IOAS_UNMAP: {
		struct iommu_ioas_unmap *u = data;
		int ret;

		i = ioas_idx(fk, u->ioas_id);
		if (i < 0)
			return -ENOENT;
		if (u->iova == 0 && u->length == UINT64_MAX) {
			fk->ioas_nr[i] = 0;
			return 0;
		}
		ret = unmap_entries(fk->ioas_entry[i], &fk->ioas_nr[i],
				    u->iova, (uint64_t *)&u->length);
		return ret ? ret : u->length ? 0 : -ENOENT;
	}
	default:
		return hwpt_ioctl(fk, req, data);
	}
}
#endif

static bool is_map(unsigned long req)
{
#if UVF_HAVE_IOMMUFD
	if (req == IOMMU_IOAS_MAP)
		return true;
#endif
	return req == VFIO_IOMMU_MAP_DMA;
}

/* The part of a MAP that runs before the kernel takes its lock. */
static void map_prologue(struct fake_vfio *fk)
{
	struct timespec until;

	if (fk->map_sleep_ns) {
		struct timespec d = { 0, fk->map_sleep_ns };

		/* The default 50 us timer slack would swamp a 2 us sleep. */
		prctl(PR_SET_TIMERSLACK, 1ul, 0ul, 0ul, 0ul);
		nanosleep(&d, NULL);
	}
	pthread_mutex_lock(&fk->lock);
	fk->maps_in_flight++;
	if (fk->maps_in_flight > fk->max_maps_in_flight)
		fk->max_maps_in_flight = fk->maps_in_flight;
	pthread_cond_broadcast(&fk->map_cond);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	while (fk->map_rendezvous &&
	       fk->maps_in_flight < fk->map_rendezvous &&
	       !pthread_cond_timedwait(&fk->map_cond, &fk->lock, &until))
		;
	fk->maps_in_flight--;
	pthread_mutex_unlock(&fk->lock);
}

static int fk_ioctl_locked(struct fake_vfio *fk, int fd, unsigned long req,
			   void *data);

static int fk_ioctl(void *arg, int fd, unsigned long req, void *data)
{
	struct fake_vfio *fk = arg;
	int ret;

	if (is_map(req) && (fk->map_sleep_ns || fk->map_rendezvous))
		map_prologue(fk);
	pthread_mutex_lock(&fk->lock);
	ret = fk_ioctl_locked(fk, fd, req, data);
	pthread_mutex_unlock(&fk->lock);
	return ret;
}

static int fk_ioctl_locked(struct fake_vfio *fk, int fd, unsigned long req,
			   void *data)
{
	int idx;

	fk->ioctls++;
	if (!fd_ok(fk, fd))
		return -EBADF;
	if (fk->fail_req && fk->fail_req == req && !fk->fail_skip--) {
		fk->fail_req = 0;
		fk->fail_skip = 0;
		return fk->fail_err;
	}
	idx = fk->fd[fd - FD_BASE].idx;
	switch (fk->fd[fd - FD_BASE].kind) {
	case FK_CONTAINER:
		return container_ioctl(fk, req, data);
	case FK_GROUP:
		return group_ioctl(fk, group_nr(fk, idx), req, data);
	case FK_DEVICE:
		return device_ioctl(fk, &fk->dev[idx], req, data);
#if UVF_HAVE_IOMMUFD
	case FK_IOMMUFD:
		return iommufd_ioctl(fk, req, data);
#endif
	default:
		return -ENOTTY;
	}
}

/* Device fd offsets: region index << 40; config and BAR0 have bytes. */
static uint8_t *dev_bytes(struct fake_vfio *fk, int fd, off_t off, size_t n)
{
	struct fk_dev *d;
	uint64_t idx = (uint64_t)off >> REGION_SHIFT;
	uint64_t in = (uint64_t)off & ((1ull << REGION_SHIFT) - 1);

	if (!fd_ok(fk, fd) || fk->fd[fd - FD_BASE].kind != FK_DEVICE)
		return NULL;
	d = &fk->dev[fk->fd[fd - FD_BASE].idx];
	if (idx == VFIO_PCI_CONFIG_REGION_INDEX && in + n <= sizeof(d->cfg))
		return d->cfg + in;
	if (idx == VFIO_PCI_BAR0_REGION_INDEX && in + n <= sizeof(d->bar0))
		return d->bar0 + in;
	return NULL;
}

static ssize_t fk_pread(void *arg, int fd, void *buf, size_t n, off_t off)
{
	struct fake_vfio *fk = arg;
	uint8_t *p;
	size_t i;

	if (fd_ok(fk, fd) && fk->fd[fd - FD_BASE].kind == FK_PAGEMAP) {
		uint64_t *e = buf;

		for (i = 0; i < n / 8; i++)
			e[i] = (fk->pfn_present ? 1ull << 63 : 0) |
			       (fk->pfn_base + i * fk->pfn_stride);
		return (ssize_t)n;
	}
	p = dev_bytes(fk, fd, off, n);
	if (!p)
		return -EINVAL;
	memcpy(buf, p, n);
	return (ssize_t)n;
}

static ssize_t fk_pwrite(void *arg, int fd, const void *buf, size_t n,
			 off_t off)
{
	uint8_t *p = dev_bytes(arg, fd, off, n);

	if (!p)
		return -EINVAL;
	memcpy(p, buf, n);
	return (ssize_t)n;
}

/* Anonymous memory stands for the BAR; the test tells which path an
 * access took by where the bytes land. */
/* Only a fault queue's file is read or written without an offset. */
static ssize_t fault_file_rw(struct fake_vfio *fk, int fd, bool write,
			     void *buf, size_t n)
{
	struct fk_faultq *q = NULL;
	ssize_t ret;

	pthread_mutex_lock(&fk->lock);
	if (fd_ok(fk, fd) && fk->fd[fd - FD_BASE].kind == FK_FAULT)
		q = &fk->faultq[fk->fd[fd - FD_BASE].idx];
	ret = write ? fk_fault_write(q, buf, n) : fk_fault_read(q, buf, n);
	pthread_mutex_unlock(&fk->lock);
	return ret;
}

static ssize_t fk_read(void *arg, int fd, void *buf, size_t n)
{
	return fault_file_rw(arg, fd, false, buf, n);
}

static ssize_t fk_write(void *arg, int fd, const void *buf, size_t n)
{
	return fault_file_rw(arg, fd, true, (void *)(uintptr_t)buf, n);
}

static int fk_mmap_fixed(void *arg, void *addr, size_t len, int fd, off_t off)
{
	struct fake_vfio *fk = arg;

	(void)off;
	if (!fd_ok(fk, fd) || fk->fd[fd - FD_BASE].kind != FK_DEVICE)
		return -EBADF;
	if (mmap(addr, len, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED)
		return -errno;
	fk->dev[fk->fd[fd - FD_BASE].idx].mmaps++;
	return 0;
}

void fk_init(struct fake_vfio *fk)
{
	memset(fk, 0, sizeof(*fk));
	pthread_mutex_init(&fk->lock, NULL);
	pthread_cond_init(&fk->map_cond, NULL);
	fake_sysfs_create(&fk->fs);
	fake_driver(&fk->fs, "vfio-pci", "");
	fk->sys = (struct vfio_sys){
		.open = fk_open,
		.dup = fk_dup,
		.close = fk_close,
		.ioctl = fk_ioctl,
		.pread = fk_pread,
		.pwrite = fk_pwrite,
		.read = fk_read,
		.write = fk_write,
		.mmap_fixed = fk_mmap_fixed,
		.arg = fk,
	};
	fk->type1v2 = fk->type1 = true;
	fk->report_avail = true;
	fk->dma_entry_limit = fk->dma_avail = 65535;
	fk->ranges[0] = (struct vfio_iova_range){ 0, 0xfedfffff };
	fk->ranges[1] = (struct vfio_iova_range){ 0xfef00000,
						  (1ull << 39) - 1 };
	fk->nr_ranges = 2;
	fk->pfn_base = 0x1000;
	fk->pfn_stride = 1;
	fk->pfn_present = true;
}

struct fk_dev *fk_add_dev(struct fake_vfio *fk, const char *bdf, int group)
{
	struct fk_dev *d = &fk->dev[fk->nr_devs++];

	ck_assert_uint_le(fk->nr_devs, FK_MAX_DEVS);
	d->bdf = bdf;
	d->group = group;
	d->cdev = true;
	d->irq_count[UVF_IRQ_INTX] = 1;
	d->irq_count[UVF_IRQ_MSI] = 1;
	d->irq_count[UVF_IRQ_MSIX] = 8;
	/* A PCIe function: error and request interrupts. */
	d->irq_count[VFIO_PCI_ERR_IRQ_INDEX] = 1;
	d->irq_count[VFIO_PCI_REQ_IRQ_INDEX] = 1;
	d->err_trigger = d->req_trigger = -1;
	d->hw_type = 1;		/* IOMMU_HW_INFO_TYPE_INTEL_VTD */
	d->region[VFIO_PCI_CONFIG_REGION_INDEX] = (struct fk_region){
		256, VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE };
	d->region[VFIO_PCI_BAR0_REGION_INDEX] = (struct fk_region){
		sizeof(d->bar0), VFIO_REGION_INFO_FLAG_READ |
					 VFIO_REGION_INFO_FLAG_WRITE |
					 VFIO_REGION_INFO_FLAG_MMAP };
	d->cfg[0x10] = 0x0c;	/* BAR0: 64-bit prefetchable memory */
	if (!group_nr(fk, group)) {
		fk->group[fk->nr_groups++] =
			(struct fk_group){ .nr = group, .viable = true };
	}
	return d;
}

static void touch(const char *path)
{
	int fd = open(path, O_CREAT | O_WRONLY, 0600);

	ck_assert_msg(fd >= 0, "create %s", path);
	close(fd);
}

void fk_publish(struct fake_vfio *fk)
{
	char path[PATH_MAX], rel[PATH_MAX];
	unsigned int i;

	if (fk->published)
		return;
	fk->published = true;
	fake_fmt(path, sizeof(path), "%s/vfio", fk->fs.dev);
	mkdir(path, 0755);
	fake_fmt(path, sizeof(path), "%s/vfio/devices", fk->fs.dev);
	mkdir(path, 0755);
	fake_fmt(path, sizeof(path), "%s/vfio/vfio", fk->fs.dev);
	touch(path);
	for (i = 0; i < fk->nr_devs; i++) {
		struct fk_dev *d = &fk->dev[i];
		struct fake_dev fd = {
			.bdf = d->bdf, .vendor = 0x1234, .device = 0x11e8,
			.class_code = 0x00ff00, .group = d->group,
			.driver = "vfio-pci",
		};

		fake_device(&fk->fs, &fd);
		if (d->sriov_pf)
			fake_sriov_pf(&fk->fs, d->bdf, 2, 0x11e9);
		fake_fmt(path, sizeof(path), "%s/vfio/%s%d", fk->fs.dev,
			 d->noiommu ? "noiommu-" : "", d->group);
		touch(path);
		if (d->cdev) {
			fake_fmt(path, sizeof(path),
				 "%s/bus/pci/devices/%s/vfio-dev", fk->fs.sys,
				 d->bdf);
			mkdir(path, 0755);
			fake_fmt(rel, sizeof(rel), "%s/vfio%u", path, i);
			mkdir(rel, 0755);
			fake_fmt(path, sizeof(path), "%s/vfio/devices/vfio%u",
				 fk->fs.dev, i);
			touch(path);
		}
	}
}

void fk_link_vf(struct fake_vfio *fk, const char *pf, const char *vf,
		unsigned int index)
{
	char link[PATH_MAX], target[PATH_MAX], path[PATH_MAX];

	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/%s", fk->fs.sys, pf);
	ck_assert(realpath(path, target));
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/%s", fk->fs.sys, vf);
	fake_fmt(link, sizeof(link), "%s/physfn", path);
	ck_assert(!symlink(target, link));
	ck_assert(realpath(path, target));
	fake_fmt(path, sizeof(path), "%s/bus/pci/devices/%s/virtfn%u",
		 fk->fs.sys, pf, index);
	ck_assert(!symlink(target, path));
}

struct uvf_vfio_opts fk_opts(struct fake_vfio *fk,
			     enum uvf_vfio_backend backend)
{
	return (struct uvf_vfio_opts){
		.backend = backend,
		.sysfs_root = fk->fs.sys,
		.dev_root = fk->fs.dev,
	};
}

int fk_backends(enum uvf_vfio_backend out[2])
{
	out[0] = UVF_VFIO_TYPE1;
	out[1] = UVF_VFIO_IOMMUFD;
	return vfio_iommufd_backend() ? 2 : 1;
}

void fk_add_dev_iommu(struct fake_vfio *fk)
{
	char path[PATH_MAX + 64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/iommu", fk->fs.dev);
	f = fopen(path, "w");
	ck_assert_msg(f, "create %s", path);
	fclose(f);
}

int fk_open_node(struct fake_vfio *fk, const char *node)
{
	char path[PATH_MAX + 64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fk->fs.dev, node);
	fd = fk_open(fk, path, O_RDWR);
	ck_assert_msg(fd >= 0, "open %s: %d", path, fd);
	return fd;
}

unsigned int fk_open_fds(const struct fake_vfio *fk)
{
	unsigned int i, n = 0;

	for (i = 0; i < 64; i++)
		n += fk->fd[i].kind != FK_FREE &&
		     fk->fd[i].kind != FK_PAGEMAP;
	return n;
}

void fk_fini(struct fake_vfio *fk)
{
	fake_sysfs_destroy(&fk->fs);
	pthread_cond_destroy(&fk->map_cond);
	pthread_mutex_destroy(&fk->lock);
}

void fk_open_attached(struct fake_vfio *fk, enum uvf_vfio_backend backend,
		      const char *bdf, struct uvf_iommu **iommu,
		      struct uvf_device **dev, struct uvf_domain **dom)
{
	struct uvf_vfio_opts o = fk_opts(fk, backend);

	ck_assert_int_eq(vfio_open_sys(&o, &fk->sys, iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(*iommu, bdf, dev), 0);
	ck_assert_int_eq(uvf_domain_create(*iommu, UVF_DOMAIN_TRANSLATED, dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(*dom, *dev), 0);
}

void fk_close_attached(struct fake_vfio *fk, struct uvf_iommu *iommu,
		       struct uvf_device *dev, struct uvf_domain *dom)
{
	uvf_domain_detach(dom, dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(fk), 0);
}
