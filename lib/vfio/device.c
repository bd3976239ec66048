/* SPDX-License-Identifier: MIT */
/*
 * VFIO devices behind struct uvf_device: regions read once at open, BARs
 * mapped on first use (only the areas the kernel allows, per the
 * sparse-mmap capability), pread/pwrite on the device fd for everything
 * else, interrupts with VFIO_DEVICE_SET_IRQS.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <uvf/mmio.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vfio_priv.h"

static struct vfio_device *vd_of(struct uvf_device *dev)
{
	return (struct vfio_device *)dev;
}

static int read_region(struct vfio_device *vd, uint32_t index,
		       struct vfio_region *r)
{
	const struct vfio_region_info head = { .index = index };
	struct vfio_region_info *info;
	size_t size;
	int ret;

	ret = vfio_get_info(vd->ctx, vd->fd, VFIO_DEVICE_GET_REGION_INFO, &head,
			    sizeof(head), (void **)&info, &size);
	if (ret)
		return ret;
	r->size = info->size;
	r->offset = info->offset;
	r->flags = info->flags;
	r->nr_areas = 0;
	r->whole = false;
	if (!(info->flags & VFIO_REGION_INFO_FLAG_MMAP) || !info->size)
		goto out;
	ret = -ENOENT;
	if (info->flags & VFIO_REGION_INFO_FLAG_CAPS)
		ret = vfio_parse_sparse(info, size, info->cap_offset,
					info->size, r);
	if (ret == -ENOENT) {
		/* No sparse capability: the whole region may be mapped. */
		r->area[0] = (struct vfio_area){ 0, info->size };
		r->nr_areas = 1;
		r->whole = true;
		ret = 0;
	}
out:
	free(info);
	return ret;
}

static int cfg_pread(struct vfio_device *vd, void *buf, size_t len,
		     uint64_t off)
{
	ssize_t got = vd->ctx->sys->pread(vd->ctx->sys->arg, vd->fd, buf, len,
					  (off_t)(vd->cfg.offset + off));

	return got < 0 ? (int)got : (size_t)got == len ? 0 : -EIO;
}

/* Memory or I/O, 32 or 64 bit: the BAR register says. */
static int read_bar_kind(struct vfio_device *vd, unsigned int bar)
{
	uint32_t reg;
	int ret;

	ret = cfg_pread(vd, &reg, sizeof(reg), PCI_BASE_ADDRESS_0 + 4 * bar);
	if (ret)
		return ret;
	if (reg & PCI_BASE_ADDRESS_SPACE_IO) {
		vd->bar[bar].bar_flags = 0;
	} else {
		vd->bar[bar].bar_flags = UVF_BAR_MMIO;
		if ((reg & PCI_BASE_ADDRESS_MEM_TYPE_MASK) ==
		    PCI_BASE_ADDRESS_MEM_TYPE_64)
			vd->bar[bar].bar_flags |= UVF_BAR_64;
	}
	if (vd->bar[bar].whole)
		vd->bar[bar].bar_flags |= UVF_BAR_MMAP;
	return 0;
}

int vfio_device_read_info(struct vfio_device *vd)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	unsigned int i;
	int ret;

	ret = vfio_ioctl(vd->ctx, vd->fd, VFIO_DEVICE_GET_INFO, &info);
	if (ret)
		return ret;
	if (!(info.flags & VFIO_DEVICE_FLAGS_PCI) ||
	    info.num_regions <= VFIO_PCI_CONFIG_REGION_INDEX)
		return -ENOTSUP;	/* uvf drives PCI functions */
	vd->info_flags = info.flags;
	ret = read_region(vd, VFIO_PCI_CONFIG_REGION_INDEX, &vd->cfg);
	for (i = 0; !ret && i < UVF_MAX_BARS; i++) {
		ret = read_region(vd, VFIO_PCI_BAR0_REGION_INDEX + i,
				  &vd->bar[i]);
		if (!ret && vd->bar[i].size)
			ret = read_bar_kind(vd, i);
	}
	for (i = 0; !ret && i < VFIO_PCI_NUM_IRQS && i < info.num_irqs; i++) {
		struct vfio_irq_info irq = { .argsz = sizeof(irq), .index = i };

		ret = vfio_ioctl(vd->ctx, vd->fd, VFIO_DEVICE_GET_IRQ_INFO,
				 &irq);
		/* vfio-pci refuses the error IRQ's info with -EINVAL for a
		 * device that is not PCI Express: it has none. */
		if (ret == -EINVAL && i == VFIO_PCI_ERR_IRQ_INDEX) {
			ret = 0;
			continue;
		}
		if (!ret && (irq.flags & VFIO_IRQ_INFO_EVENTFD))
			vd->irq_count[i] = irq.count;
	}
	return ret;
}

/* Reserve the region's size and map each allowed area into it. */
static int map_region(struct vfio_device *vd, struct vfio_region *r)
{
	size_t len = (r->size + UVF_PAGE_SIZE - 1) & ~(UVF_PAGE_SIZE - 1);
	unsigned int i;
	char *base;
	int ret = 0;

	if (!r->nr_areas)
		return -ENOTSUP;
	base = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		return -errno;
	for (i = 0; i < r->nr_areas && !ret; i++)
		ret = vd->ctx->sys->mmap_fixed(vd->ctx->sys->arg,
					       base + r->area[i].offset,
					       r->area[i].size, vd->fd,
					       (off_t)(r->offset +
						       r->area[i].offset));
	if (ret) {
		munmap(base, len);
		return ret;
	}
	r->base_len = len;
	atomic_store_explicit(&r->base, base, memory_order_release);
	return 0;
}

/* The region's mapping, made on first use; NULL when it has none. */
static char *region_base(struct vfio_device *vd, struct vfio_region *r)
{
	char *base = atomic_load_explicit(&r->base, memory_order_acquire);

	if (base || !r->nr_areas || r->map_err)
		return base;
	pthread_mutex_lock(&vd->map_lock);
	if (!atomic_load_explicit(&r->base, memory_order_relaxed) &&
	    !r->map_err)
		r->map_err = map_region(vd, r);
	pthread_mutex_unlock(&vd->map_lock);
	return atomic_load_explicit(&r->base, memory_order_acquire);
}

static bool in_area(const struct vfio_region *r, uint64_t off, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < r->nr_areas; i++)
		if (off >= r->area[i].offset &&
		    off + len <= r->area[i].offset + r->area[i].size)
			return true;
	return false;
}

void vfio_device_unmap_all(struct vfio_device *vd)
{
	unsigned int i;

	for (i = 0; i < UVF_MAX_BARS; i++) {
		char *base = atomic_load(&vd->bar[i].base);

		if (base)
			munmap(base, vd->bar[i].base_len);
		atomic_store(&vd->bar[i].base, NULL);
	}
}

static int vdev_bar_info(struct uvf_device *dev, unsigned int bar,
			 struct uvf_bar_info *info)
{
	struct vfio_region *r = &vd_of(dev)->bar[bar];

	info->size = r->size;
	info->flags = r->bar_flags;
	return 0;
}

static int vdev_bar_map(struct uvf_device *dev, unsigned int bar, void **ptr)
{
	struct vfio_device *vd = vd_of(dev);
	struct vfio_region *r = &vd->bar[bar];
	char *base;

	/* A sparse BAR is mapped only in parts: no pointer covers it. */
	if (!r->whole)
		return -ENOTSUP;
	base = region_base(vd, r);
	if (!base)
		return r->map_err ? r->map_err : -ENOTSUP;
	*ptr = base;
	return 0;
}

static int vdev_bar_read(struct uvf_device *dev, unsigned int bar,
			 uint64_t off, uint64_t *val, unsigned int len)
{
	struct vfio_device *vd = vd_of(dev);
	struct vfio_region *r = &vd->bar[bar];
	char *base = region_base(vd, r);
	uint64_t v = 0;
	ssize_t got;

	if (base && in_area(r, off, len)) {
		switch (len) {
		case 1: *val = uvf_mmio_read8(base, off); break;
		case 2: *val = uvf_mmio_read16(base, off); break;
		case 4: *val = uvf_mmio_read32(base, off); break;
		default: *val = uvf_mmio_read64(base, off); break;
		}
		/* A status read may gate reading what the device wrote by
		 * DMA, as pread (a system call) would order it. */
		uvf_mmio_rmb();
		return 0;
	}
	got = vd->ctx->sys->pread(vd->ctx->sys->arg, vd->fd, &v, len,
				  (off_t)(r->offset + off));
	if (got < 0)
		return (int)got;
	if (got != (ssize_t)len)
		return -EIO;
	*val = v;	/* little-endian host: the low bytes were filled */
	return 0;
}

static int vdev_bar_write(struct uvf_device *dev, unsigned int bar,
			  uint64_t off, uint64_t val, unsigned int len)
{
	struct vfio_device *vd = vd_of(dev);
	struct vfio_region *r = &vd->bar[bar];
	char *base = region_base(vd, r);
	ssize_t put;

	if (base && in_area(r, off, len)) {
		/* The write may be a doorbell for what was just written to
		 * DMA memory, as pwrite (a system call) would order it. */
		uvf_mmio_wmb();
		switch (len) {
		case 1: uvf_mmio_write8(base, off, (uint8_t)val); break;
		case 2: uvf_mmio_write16(base, off, (uint16_t)val); break;
		case 4: uvf_mmio_write32(base, off, (uint32_t)val); break;
		default: uvf_mmio_write64(base, off, val); break;
		}
		return 0;
	}
	put = vd->ctx->sys->pwrite(vd->ctx->sys->arg, vd->fd, &val, len,
				   (off_t)(r->offset + off));
	if (put < 0)
		return (int)put;
	return put == (ssize_t)len ? 0 : -EIO;
}

static int vdev_cfg_read(struct uvf_device *dev, uint32_t off, void *buf,
			 size_t len)
{
	struct vfio_device *vd = vd_of(dev);

	if (off > vd->cfg.size || len > vd->cfg.size - off)
		return -ERANGE;
	return len ? cfg_pread(vd, buf, len, off) : 0;
}

static int vdev_cfg_write(struct uvf_device *dev, uint32_t off,
			  const void *buf, size_t len)
{
	struct vfio_device *vd = vd_of(dev);
	ssize_t put;

	if (off > vd->cfg.size || len > vd->cfg.size - off)
		return -ERANGE;
	if (!len)
		return 0;
	put = vd->ctx->sys->pwrite(vd->ctx->sys->arg, vd->fd, buf, len,
				   (off_t)(vd->cfg.offset + off));
	if (put < 0)
		return (int)put;
	return (size_t)put == len ? 0 : -EIO;
}

static int vdev_irq_set(struct uvf_device *dev, enum uvf_irq_type type,
			const int *fds, unsigned int nvec)
{
	struct vfio_device *vd = vd_of(dev);
	struct vfio_irq_set *set;
	size_t size;
	int ret;

	if (fds && nvec > vd->irq_count[type])
		return -ENOTSUP;
	size = sizeof(*set) + (fds ? nvec * sizeof(int32_t) : 0);
	set = calloc(1, size);
	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)size;
	/* enum uvf_irq_type is VFIO_PCI_{INTX,MSI,MSIX}_IRQ_INDEX. */
	set->index = (uint32_t)type;
	set->start = 0;
	if (fds) {
		set->flags = VFIO_IRQ_SET_DATA_EVENTFD |
			     VFIO_IRQ_SET_ACTION_TRIGGER;
		set->count = nvec;
		memcpy(set->data, fds, nvec * sizeof(int32_t));
	} else {
		set->flags = VFIO_IRQ_SET_DATA_NONE |
			     VFIO_IRQ_SET_ACTION_TRIGGER;
		set->count = 0;
	}
	ret = vfio_ioctl(vd->ctx, vd->fd, VFIO_DEVICE_SET_IRQS, set);
	free(set);
	return ret;
}

/* The error and request interrupts: one eventfd each, -1 to stop. */
static int vdev_event_set(struct uvf_device *dev, unsigned int event, int fd)
{
	struct vfio_device *vd = vd_of(dev);
	uint32_t buf[(sizeof(struct vfio_irq_set) + sizeof(int32_t) + 3) / 4];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int32_t data = fd;

	set->argsz = sizeof(*set) + sizeof(data);
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = event == UVF_DEVICE_EVENT_ERROR ? VFIO_PCI_ERR_IRQ_INDEX
						     : VFIO_PCI_REQ_IRQ_INDEX;
	set->start = 0;
	set->count = 1;
	memcpy(set->data, &data, sizeof(data));
	/* The kernel offers the error interrupt on PCIe functions only. */
	if (!vd->irq_count[set->index])
		return -ENOTSUP;
	return vfio_ioctl(vd->ctx, vd->fd, VFIO_DEVICE_SET_IRQS, set);
}

static int vdev_reset(struct uvf_device *dev)
{
	struct vfio_device *vd = vd_of(dev);

	int ret;

	if (vd->info_flags & VFIO_DEVICE_FLAGS_RESET)
		return vfio_ioctl(vd->ctx, vd->fd, VFIO_DEVICE_RESET, NULL);
	/* No function-level reset: the bus or slot, if it can be reset
	 * (-ENODEV: not even that, e.g. a device on a root bus). */
	ret = uvf_vfio_hot_reset(dev);
	return ret == -ENODEV ? -ENOTSUP : ret;
}

const struct uvf_device_ops vfio_device_ops = {
	.bar_info = vdev_bar_info,
	.bar_map = vdev_bar_map,
	.bar_read = vdev_bar_read,
	.bar_write = vdev_bar_write,
	.cfg_read = vdev_cfg_read,
	.cfg_write = vdev_cfg_write,
	.irq_set = vdev_irq_set,
	.event_set = vdev_event_set,
	.reset = vdev_reset,
	.destroy = vfio_device_destroy,
};

int uvf_vfio_device_intx_unmask(struct uvf_device *dev)
{
	struct vfio_device *vd = vfio_device_of(dev);
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
		.index = VFIO_PCI_INTX_IRQ_INDEX,
		.start = 0,
		.count = 1,
	};

	if (!vd || !dev->irq_fds || dev->irq_type != UVF_IRQ_INTX)
		return -EINVAL;
	return vfio_ioctl(vd->ctx, vd->fd, VFIO_DEVICE_SET_IRQS, &set);
}
