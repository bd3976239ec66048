/* SPDX-License-Identifier: MIT */
/* What a device backend (VFIO, simulated) implements behind uvf_device. */
#ifndef UVF_DEVICE_PRIV_H
#define UVF_DEVICE_PRIV_H

#include <stdatomic.h>

#include <uvf/device.h>

#define UVF_MAX_BARS 6

/* Called by uvf_device_close() on a device that is still held. */
typedef void (*uvf_device_release_fn)(void *owner, struct uvf_device *dev);

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
	/* Signal @fd on device event @event (one UVF_DEVICE_EVENT_* bit);
	 * -1 stops it. NULL: the backend has no device events. */
	int (*event_set)(struct uvf_device *dev, unsigned int event, int fd);
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
	/* Who holds the device (its domain) and how it lets go when the
	 * device closes: the one hook between this layer and the IOMMU
	 * layer above it. */
	_Atomic(void *) owner;
	uvf_device_release_fn release;
	/* Interrupts: eventfds owned by the core. */
	enum uvf_irq_type irq_type;
	unsigned int irq_nvec;
	int *irq_fds;
	/* Device events: eventfds by bit number, -1 when off. */
	int event_fds[2];
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

/**
 * uvf_device_claim() - record that @owner holds @dev
 * @dev: device
 * @owner: the holder (the IOMMU layer: the domain)
 * @release: called with @owner if the device closes while held
 *
 * Return: 0, or -EBUSY when another (or the same) owner holds it.
 */
int uvf_device_claim(struct uvf_device *dev, void *owner,
		     uvf_device_release_fn release);

/**
 * uvf_device_unclaim() - let go of a device held by @owner
 * @dev: device
 * @owner: the holder given to uvf_device_claim()
 *
 * Return: nothing; a device held by someone else is left alone.
 */
void uvf_device_unclaim(struct uvf_device *dev, void *owner);

/**
 * uvf_device_owner() - who holds a device
 * @dev: device
 *
 * Return: the owner given to uvf_device_claim(), or NULL.
 */
static inline void *uvf_device_owner(const struct uvf_device *dev)
{
	return atomic_load_explicit(&((struct uvf_device *)dev)->owner,
				    memory_order_acquire);
}

#endif
