/* SPDX-License-Identifier: MIT */
/* What a device backend (VFIO, simulated) implements behind uvf_device. */
#ifndef UVF_DEVICE_PRIV_H
#define UVF_DEVICE_PRIV_H

#include <uvf/device.h>

#define UVF_MAX_BARS 6

struct uvf_device_ops {
	int (*bar_info)(struct uvf_device *dev, unsigned int bar,
			struct uvf_bar_info *info);
	/* NULL or -ENOTSUP: not mappable. */
	int (*bar_map)(struct uvf_device *dev, unsigned int bar, void **ptr);
	/* Arguments validated by the caller (BAR exists, aligned, in range). */
	int (*bar_read)(struct uvf_device *dev, unsigned int bar, uint64_t off,
			uint64_t *val, unsigned int len);
	int (*bar_write)(struct uvf_device *dev, unsigned int bar,
			 uint64_t off, uint64_t val, unsigned int len);
	int (*cfg_read)(struct uvf_device *dev, uint32_t off, void *buf,
			size_t len);
	int (*cfg_write)(struct uvf_device *dev, uint32_t off,
			 const void *buf, size_t len);
	/* Hand the backend the eventfds to signal, one per vector; NULL
	 * @fds disables. */
	int (*irq_set)(struct uvf_device *dev, enum uvf_irq_type type,
		       const int *fds, unsigned int nvec);
	int (*reset)(struct uvf_device *dev);
	void (*destroy)(struct uvf_device *dev);
};

struct uvf_device {
	const struct uvf_device_ops *ops;
	void *priv;
	char name[32];
	uint16_t segment;
	uint16_t rid;
	struct uvf_iommu *iommu;
	struct uvf_domain *domain;
	struct uvf_device *domain_next;	/* the domain's device list */
	/* Interrupts: eventfds owned by the core. */
	enum uvf_irq_type irq_type;
	unsigned int irq_nvec;
	int *irq_fds;
};

/**
 * uvf_device_init() - fill the common part of a device
 * @dev: zeroed device
 * @ops: backend ops
 * @name: name
 * @iommu: IOMMU the device sits behind
 * @segment: PCI segment
 * @rid: requester ID
 *
 * Return: nothing.
 */
void uvf_device_init(struct uvf_device *dev, const struct uvf_device_ops *ops,
		     const char *name, struct uvf_iommu *iommu,
		     uint16_t segment, uint16_t rid);

#endif
