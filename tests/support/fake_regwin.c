/* SPDX-License-Identifier: MIT */
/* The register-window base of the device fakes (see fake_regwin.h). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/sim.h>

#include "fake_regwin.h"

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x4
#define PCI_BAR0 0x10
#define PCI_BAR_MEM64 0x04

struct fake_regwin *fake_regwin_of(struct uvf_device *dev)
{
	return (struct fake_regwin *)dev;
}

static int rw_bar_info(struct uvf_device *dev, unsigned int bar,
		       struct uvf_bar_info *info)
{
	struct fake_regwin *w = fake_regwin_of(dev);

	*info = (struct uvf_bar_info){ 0 };
	if (bar == 0) {
		info->size = w->desc.bar0_size;
		info->flags = w->desc.bar0_flags;
	} else if (bar == 2 && w->desc.bar2_size) {
		info->size = w->desc.bar2_size;
		info->flags = UVF_BAR_MMIO | UVF_BAR_64 | UVF_BAR_MMAP;
	}
	return 0;
}

/* Only BAR 2 is mappable (the core checks UVF_BAR_MMAP). */
static int rw_bar_map(struct uvf_device *dev, unsigned int bar, void **ptr)
{
	struct fake_regwin *w = fake_regwin_of(dev);

	ck_assert_uint_eq(bar, 2);
	*ptr = w->desc.bar2_mem;
	return 0;
}

/* The core has checked the BAR, alignment and range already. */
static void check_access(const struct fake_regwin *w, unsigned int bar,
			 unsigned int len)
{
	ck_assert_uint_eq(bar, 0);
	ck_assert_msg(len == 4 || (len == 8 && w->desc.split64),
		      "%s: %u-byte register access", w->desc.name, len);
}

static int rw_bar_read(struct uvf_device *dev, unsigned int bar,
		       uint64_t off, uint64_t *val, unsigned int len)
{
	struct fake_regwin *w = fake_regwin_of(dev);

	check_access(w, bar, len);
	pthread_mutex_lock(&w->lock);
	if (w->removed) {
		*val = len == 8 ? UINT64_MAX : UINT32_MAX;
	} else {
		*val = w->ops->read(w, (uint32_t)off);
		if (len == 8)
			*val |= (uint64_t)w->ops->read(w, (uint32_t)off + 4)
				<< 32;
	}
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static int rw_bar_write(struct uvf_device *dev, unsigned int bar,
			uint64_t off, uint64_t val, unsigned int len)
{
	struct fake_regwin *w = fake_regwin_of(dev);

	check_access(w, bar, len);
	pthread_mutex_lock(&w->lock);
	if (w->removed) {
		pthread_mutex_unlock(&w->lock);
		return 0;
	}
	w->ops->write(w, (uint32_t)off, (uint32_t)val);
	if (len == 8)
		w->ops->write(w, (uint32_t)off + 4, (uint32_t)(val >> 32));
	pthread_mutex_unlock(&w->lock);
	if (w->ops->after_write)
		w->ops->after_write(w);
	return 0;
}

static int rw_cfg_read(struct uvf_device *dev, uint32_t off, void *buf,
		       size_t len)
{
	struct fake_regwin *w = fake_regwin_of(dev);

	if (off > sizeof(w->cfg) || len > sizeof(w->cfg) - off)
		return -ERANGE;
	fake_regwin_locked_copy(w, buf, w->cfg + off, len);
	if (w->removed)
		memset(buf, 0xff, len);
	return 0;
}

/* Only the command register is writable. */
static int rw_cfg_write(struct uvf_device *dev, uint32_t off,
			const void *buf, size_t len)
{
	struct fake_regwin *w = fake_regwin_of(dev);
	size_t i;

	if (off > sizeof(w->cfg) || len > sizeof(w->cfg) - off)
		return -ERANGE;
	pthread_mutex_lock(&w->lock);
	for (i = 0; i < len; i++)
		if (off + i == PCI_COMMAND || off + i == PCI_COMMAND + 1)
			w->cfg[off + i] = ((const uint8_t *)buf)[i];
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static int rw_irq_set(struct uvf_device *dev, enum uvf_irq_type type,
		      const int *fds, unsigned int nvec)
{
	struct fake_regwin *w = fake_regwin_of(dev);

	if (fds && (type == UVF_IRQ_INTX ||
		    (type == UVF_IRQ_MSIX && nvec > w->desc.msix_max) ||
		    (type == UVF_IRQ_MSI && nvec > w->desc.msi_max)))
		return -ENOTSUP;
	pthread_mutex_lock(&w->lock);
	w->irq_type = type;
	w->irq_fds = fds;
	w->irq_nvec = fds ? nvec : 0;
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static int rw_reset(struct uvf_device *dev)
{
	struct fake_regwin *w = fake_regwin_of(dev);

	if (!w->ops->reset)
		return -ENOTSUP;
	pthread_mutex_lock(&w->lock);
	w->ops->reset(w);
	pthread_mutex_unlock(&w->lock);
	return 0;
}

static void rw_destroy(struct uvf_device *dev)
{
	struct fake_regwin *w = fake_regwin_of(dev);

	if (w->ops->destroy)
		w->ops->destroy(w);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static const struct uvf_device_ops regwin_ops = {
	.bar_info = rw_bar_info,
	.bar_map = rw_bar_map,
	.bar_read = rw_bar_read,
	.bar_write = rw_bar_write,
	.cfg_read = rw_cfg_read,
	.cfg_write = rw_cfg_write,
	.irq_set = rw_irq_set,
	.reset = rw_reset,
	.destroy = rw_destroy,
};

void *fake_regwin_create(size_t size, const struct fake_regwin_ops *ops,
			 const struct fake_regwin_desc *desc,
			 struct uvf_iommu *iommu)
{
	struct fake_regwin *w;

	ck_assert_uint_ge(size, sizeof(*w));
	w = calloc(1, size);
	ck_assert_ptr_nonnull(w);
	uvf_device_init(&w->dev, &regwin_ops, desc->name, iommu, 0, desc->rid);
	pthread_mutex_init(&w->lock, NULL);
	w->ops = ops;
	w->desc = *desc;
	w->cfg[0] = (uint8_t)desc->vendor;
	w->cfg[1] = (uint8_t)(desc->vendor >> 8);
	w->cfg[2] = (uint8_t)desc->device;
	w->cfg[3] = (uint8_t)(desc->device >> 8);
	w->cfg[0x09] = (uint8_t)desc->class_code;
	w->cfg[0x0a] = (uint8_t)(desc->class_code >> 8);
	w->cfg[0x0b] = (uint8_t)(desc->class_code >> 16);
	w->cfg[PCI_BAR0] = PCI_BAR_MEM64;
	if (desc->bar2_size) {
		uint64_t bar2 = desc->bar2_addr | PCI_BAR_MEM64;

		memcpy(&w->cfg[PCI_BAR0 + 8], &bar2, sizeof(bar2));
	}
	return w;
}

static void bump(uint64_t *counter)
{
	if (counter)
		(*counter)++;
}

bool fake_regwin_signal(struct fake_regwin *w, unsigned int vec)
{
	uint64_t one = 1;

	if (!w->irq_fds || vec >= w->irq_nvec ||
	    write(w->irq_fds[vec], &one, sizeof(one)) != sizeof(one))
		return false;
	bump(w->irqs);
	return true;
}

static bool dma_blocked(struct fake_regwin *w)
{
	if (!w->desc.dma_needs_master || (w->cfg[PCI_COMMAND] &
					  PCI_COMMAND_MASTER))
		return false;
	bump(w->dma_blocked);
	return true;
}

/* Reads into @into, or writes @from: the other is NULL. */
static int dma(struct fake_regwin *w, uint64_t iova, void *into,
	       const void *from, size_t len)
{
	if (w->removed)
		return -EFAULT;
	if (dma_blocked(w))
		return -EPERM;
	if (into ? uvf_sim_dma_read(&w->dev, iova, into, len)
		 : uvf_sim_dma_write(&w->dev, iova, from, len)) {
		bump(w->dma_faults);
		return -EFAULT;
	}
	return 0;
}

int fake_regwin_dma_read(struct fake_regwin *w, uint64_t iova, void *buf,
			 size_t len)
{
	return dma(w, iova, buf, NULL, len);
}

int fake_regwin_dma_write(struct fake_regwin *w, uint64_t iova,
			  const void *buf, size_t len)
{
	return dma(w, iova, NULL, buf, len);
}

void fake_regwin_remove(struct fake_regwin *w)
{
	pthread_mutex_lock(&w->lock);
	w->removed = true;
	pthread_mutex_unlock(&w->lock);
}

void fake_regwin_locked_copy(struct fake_regwin *w, void *dst,
			     const void *src, size_t len)
{
	pthread_mutex_lock(&w->lock);
	memcpy(dst, src, len);
	pthread_mutex_unlock(&w->lock);
}

uint16_t fake_regwin_pci_command(struct fake_regwin *w)
{
	uint16_t cmd;

	pthread_mutex_lock(&w->lock);
	cmd = (uint16_t)(w->cfg[PCI_COMMAND] | w->cfg[PCI_COMMAND + 1] << 8);
	pthread_mutex_unlock(&w->lock);
	return cmd;
}
