/* SPDX-License-Identifier: MIT */
/*
 * Simulated devices: PCI config space, a register BAR backed by a model,
 * MSI through the core's eventfds, and the device side of DMA -- the path
 * a real IOMMU takes for every transaction: IOTLB, page walk on a miss,
 * permission check, fault record.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_priv.h"
#include "util/trace.h"

static struct sim_device *sim_dev(struct uvf_device *dev)
{
	return (struct sim_device *)dev;
}

static void record_fault(struct sim_iommu *si, struct uvf_device *dev,
			 uvf_iova_t iova, enum uvf_access access,
			 enum uvf_fault_reason reason)
{
	struct uvf_fault f = {
		.iova = iova,
		.segment = dev->segment,
		.rid = dev->rid,
		.domid = uvf_device_domain(dev) ?
				 uvf_domain_id(uvf_device_domain(dev)) : 0,
		.access = access,
		.reason = reason,
	};

	pthread_mutex_lock(&si->fault_lock);
	if (si->fault_count == si->params.fault_log_size) {
		si->faults_dropped++;
	} else {
		size_t tail = (si->fault_head + si->fault_count) %
			      si->params.fault_log_size;

		si->faults[tail] = f;
		si->fault_count++;
	}
	pthread_mutex_unlock(&si->fault_lock);
	uvf_trace("fault: %s iova %#llx %s: %s", dev->name,
		  (unsigned long long)iova,
		  access == UVF_ACCESS_WRITE ? "write" : "read",
		  uvf_fault_reason_name(reason));
}

static bool allowed(int prot, enum uvf_access access)
{
	return prot & (access == UVF_ACCESS_WRITE ? UVF_PROT_WRITE
						  : UVF_PROT_READ);
}

/* A write through a translation while tracking sets its leaf's dirty bit,
 * as the hardware's walker does even when the IOTLB held the entry. An
 * entry unmapped since it was cached (-ENOENT) has no leaf to mark. */
static void mark_dirty(struct uvf_domain *dom, uvf_iova_t iova, bool locked)
{
	struct sim_domain *sd = dom->priv;

	if (!atomic_load_explicit(&sd->dirty_tracking, memory_order_relaxed))
		return;
	if (!locked)
		pthread_mutex_lock(&dom->lock);
	(void)uvf_pgtable_set_dirty(sd->pt, iova);
	if (!locked)
		pthread_mutex_unlock(&dom->lock);
}

int uvf_sim_translate(struct uvf_device *dev, uvf_iova_t iova,
		      enum uvf_access access, uint64_t *paddr)
{
	struct sim_iommu *si = sim_iommu_of(dev ? dev->iommu : NULL);
	struct uvf_domain *dom;
	enum uvf_fault_reason reason;
	uint64_t page, pa;
	int prot, ret;
	uint16_t domid;

	if (!si || !paddr)
		return -EINVAL;
	dom = uvf_device_domain(dev);
	if (!dom) {
		reason = UVF_FAULT_NO_DOMAIN;
		goto fault;
	}
	if (dom->type == UVF_DOMAIN_DIRECT) {
		*paddr = iova;	/* passthrough */
		return 0;
	}
	if (iova > si->aperture_last) {
		reason = UVF_FAULT_OUTSIDE_APERTURE;
		goto fault;
	}
	domid = dom->id;
	if (uvf_iotlb_lookup(si->iotlb, domid, iova, &page, &prot)) {
		if (!allowed(prot, access)) {
			reason = UVF_FAULT_PERMISSION;
			goto fault;
		}
		*paddr = page | (iova & (UVF_PAGE_SIZE - 1));
		if (access == UVF_ACCESS_WRITE)
			mark_dirty(dom, iova, false);
		return 0;
	}

	/* Miss: walk. The fill happens under the domain lock so that an
	 * unmap's invalidation cannot slip in between walk and fill. */
	pthread_mutex_lock(&dom->lock);
	ret = uvf_pgtable_translate(((struct sim_domain *)dom->priv)->pt, iova,
				    &pa, &prot, NULL);
	if (ret) {
		reason = uvf_domain_iova_reserved(dom, iova) ? UVF_FAULT_RESERVED
						: UVF_FAULT_NOT_PRESENT;
		pthread_mutex_unlock(&dom->lock);
		goto fault;
	}
	uvf_iotlb_fill(si->iotlb, domid, iova, pa & ~(UVF_PAGE_SIZE - 1), prot);
	if (allowed(prot, access) && access == UVF_ACCESS_WRITE)
		mark_dirty(dom, iova, true);
	pthread_mutex_unlock(&dom->lock);
	if (!allowed(prot, access)) {
		reason = UVF_FAULT_PERMISSION;
		goto fault;
	}
	*paddr = pa;
	return 0;
fault:
	record_fault(si, dev, iova, access, reason);
	return -EFAULT;
}

/* Host pointer for translated address @pa of a @len-byte chunk that stays
 * inside one page. */
static void *host_ptr(struct sim_iommu *si, uint64_t pa, uint64_t len)
{
	void *fw = sim_fw_resolve(si, pa, len);

	return fw ? fw : (void *)(uintptr_t)pa;
}

/* Translate every page of the range before touching memory, so that a
 * fault anywhere leaves memory untouched. */
static int sim_dma(struct uvf_device *dev, uvf_iova_t iova, void *buf,
		   size_t len, enum uvf_access access)
{
	struct sim_iommu *si = sim_iommu_of(dev ? dev->iommu : NULL);
	uint64_t stack_pa[64], *pa = stack_pa, last;
	size_t npages, i, done;
	int ret = 0;

	if (!si || !buf || !len)
		return -EINVAL;
	if (uvf_range_last(iova, len, &last))
		return -EINVAL;
	npages = (last >> UVF_PAGE_SHIFT) - (iova >> UVF_PAGE_SHIFT) + 1;
	if (npages > 64) {
		pa = malloc(npages * sizeof(*pa));
		if (!pa)
			return -ENOMEM;
	}
	for (i = 0; i < npages && !ret; i++) {
		uvf_iova_t a = i ? ((iova >> UVF_PAGE_SHIFT) + i)
					   << UVF_PAGE_SHIFT
				 : iova;

		ret = uvf_sim_translate(dev, a, access, &pa[i]);
	}
	for (i = 0, done = 0; !ret && i < npages; i++) {
		size_t off = i ? 0 : iova & (UVF_PAGE_SIZE - 1);
		size_t chunk = UVF_PAGE_SIZE - off;
		void *host;

		if (chunk > len - done)
			chunk = len - done;
		host = host_ptr(si, pa[i], chunk);
		if (access == UVF_ACCESS_WRITE)
			memcpy(host, (char *)buf + done, chunk);
		else
			memcpy((char *)buf + done, host, chunk);
		done += chunk;
	}
	if (pa != stack_pa)
		free(pa);
	return ret;
}

int uvf_sim_dma_read(struct uvf_device *dev, uvf_iova_t iova, void *buf,
		     size_t len)
{
	return sim_dma(dev, iova, buf, len, UVF_ACCESS_READ);
}

int uvf_sim_dma_write(struct uvf_device *dev, uvf_iova_t iova,
		      const void *buf, size_t len)
{
	return sim_dma(dev, iova, (void *)buf, len, UVF_ACCESS_WRITE);
}

bool sim_device_raise_irq(struct sim_device *sd, unsigned int vec)
{
	uint64_t one = 1;

	if (!sd->irq_fds || vec >= sd->irq_nvec)
		return false;
	return write(sd->irq_fds[vec], &one, sizeof(one)) == sizeof(one);
}

static int sdev_bar_info(struct uvf_device *dev, unsigned int bar,
			 struct uvf_bar_info *info)
{
	struct sim_device *sd = sim_dev(dev);

	*info = (struct uvf_bar_info){ 0 };
	if (bar == 0) {
		info->size = sd->model->bar0_size;
		info->flags = UVF_BAR_MMIO | UVF_BAR_64;
	}
	return 0;
}

static int sdev_bar_read(struct uvf_device *dev, unsigned int bar,
			 uint64_t off, uint64_t *val, unsigned int len)
{
	struct sim_device *sd = sim_dev(dev);
	int ret;

	(void)bar;
	pthread_mutex_lock(&sd->lock);
	ret = sd->model->read(sd, off, val, len);
	pthread_mutex_unlock(&sd->lock);
	return ret;
}

static int sdev_bar_write(struct uvf_device *dev, unsigned int bar,
			  uint64_t off, uint64_t val, unsigned int len)
{
	struct sim_device *sd = sim_dev(dev);
	int ret;

	(void)bar;
	pthread_mutex_lock(&sd->lock);
	ret = sd->model->write(sd, off, val, len);
	pthread_mutex_unlock(&sd->lock);
	return ret;
}

static int sdev_cfg_read(struct uvf_device *dev, uint32_t off, void *buf,
			 size_t len)
{
	struct sim_device *sd = sim_dev(dev);

	if (off > sizeof(sd->cfg) || len > sizeof(sd->cfg) - off)
		return -ERANGE;
	pthread_mutex_lock(&sd->lock);
	memcpy(buf, sd->cfg + off, len);
	pthread_mutex_unlock(&sd->lock);
	return 0;
}

/* Only the command register is writable; IDs and BAR sizes are fixed. */
static int sdev_cfg_write(struct uvf_device *dev, uint32_t off,
			  const void *buf, size_t len)
{
	struct sim_device *sd = sim_dev(dev);
	size_t i;

	if (off > sizeof(sd->cfg) || len > sizeof(sd->cfg) - off)
		return -ERANGE;
	pthread_mutex_lock(&sd->lock);
	for (i = 0; i < len; i++)
		if (off + i == 0x04 || off + i == 0x05)
			sd->cfg[off + i] = ((const uint8_t *)buf)[i];
	pthread_mutex_unlock(&sd->lock);
	return 0;
}

static int sdev_irq_set(struct uvf_device *dev, enum uvf_irq_type type,
			const int *fds, unsigned int nvec)
{
	struct sim_device *sd = sim_dev(dev);

	if (fds && (type != UVF_IRQ_MSI || nvec > sd->model->max_msi))
		return -ENOTSUP;
	pthread_mutex_lock(&sd->lock);
	sd->irq_fds = fds;
	sd->irq_nvec = fds ? nvec : 0;
	pthread_mutex_unlock(&sd->lock);
	return 0;
}

static int sdev_reset(struct uvf_device *dev)
{
	struct sim_device *sd = sim_dev(dev);

	pthread_mutex_lock(&sd->lock);
	sd->model->reset(sd);
	pthread_mutex_unlock(&sd->lock);
	return 0;
}

static void sdev_destroy(struct uvf_device *dev)
{
	struct sim_device *sd = sim_dev(dev);

	pthread_mutex_destroy(&sd->lock);
	free(sd->state);
	free(sd);
}

static const struct uvf_device_ops sim_device_ops = {
	.bar_info = sdev_bar_info,
	.bar_read = sdev_bar_read,
	.bar_write = sdev_bar_write,
	.cfg_read = sdev_cfg_read,
	.cfg_write = sdev_cfg_write,
	.irq_set = sdev_irq_set,
	.reset = sdev_reset,
	.destroy = sdev_destroy,
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

int sim_device_create(struct uvf_iommu *iommu, const struct sim_model *model,
		      void *state, const char *name, uint16_t segment,
		      uint16_t rid, struct uvf_device **out)
{
	struct sim_device *sd;

	if (!sim_iommu_of(iommu) || !out)
		return -EINVAL;
	sd = calloc(1, sizeof(*sd));
	if (!sd)
		return -ENOMEM;
	uvf_device_init(&sd->dev, &sim_device_ops, name, iommu, segment, rid);
	pthread_mutex_init(&sd->lock, NULL);
	sd->model = model;
	sd->state = state;
	put16(&sd->cfg[0x00], model->vendor);
	put16(&sd->cfg[0x02], model->device);
	sd->cfg[0x09] = (uint8_t)model->class_code;
	sd->cfg[0x0a] = (uint8_t)(model->class_code >> 8);
	sd->cfg[0x0b] = (uint8_t)(model->class_code >> 16);
	sd->cfg[0x10] = 0x04;	/* BAR 0: 64-bit memory */
	*out = &sd->dev;
	return 0;
}
