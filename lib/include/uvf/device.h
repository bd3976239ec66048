/* SPDX-License-Identifier: MIT */
/*
 * A device a driver talks to. VFIO devices (uvf/vfio.h) and simulated
 * devices (uvf/sim.h) both hide behind struct uvf_device and a private ops
 * table, so a driver written against this header and uvf/dma.h runs on
 * either unchanged.
 */
#ifndef UVF_DEVICE_H
#define UVF_DEVICE_H

#include <uvf/types.h>

struct uvf_device;
struct uvf_domain;
struct uvf_iommu;

enum uvf_irq_type {
	UVF_IRQ_INTX,
	UVF_IRQ_MSI,
	UVF_IRQ_MSIX,
};

#define UVF_BAR_MMIO (1u << 0)	/* memory BAR (else I/O ports) */
#define UVF_BAR_MMAP (1u << 1)	/* can be mapped into the process */
#define UVF_BAR_64 (1u << 2)

struct uvf_bar_info {
	uint64_t size;		/* 0: BAR not implemented */
	unsigned int flags;	/* UVF_BAR_* */
};

/**
 * uvf_device_name() - the device's name (a PCI address like 0000:00:03.0,
 *                     or "sim-dma0" for a simulated device)
 * @dev: device
 *
 * Return: a string owned by @dev.
 */
const char *uvf_device_name(const struct uvf_device *dev);

/**
 * uvf_device_rid() - PCI segment and requester ID (bus << 8 | devfn)
 * @dev: device
 * @segment: PCI segment, may be NULL
 *
 * Return: the requester ID.
 */
uint16_t uvf_device_rid(const struct uvf_device *dev, uint16_t *segment);

/**
 * uvf_device_iommu() - the IOMMU the device sits behind
 * @dev: device
 *
 * Return: the IOMMU.
 */
struct uvf_iommu *uvf_device_iommu(const struct uvf_device *dev);

/**
 * uvf_device_domain() - the domain the device is attached to
 * @dev: device
 *
 * Return: the domain, or NULL when not attached.
 */
struct uvf_domain *uvf_device_domain(const struct uvf_device *dev);

/**
 * uvf_device_bar_info() - size and kind of a BAR
 * @dev: device
 * @bar: 0..5
 * @info: filled in
 *
 * Return: 0, -EINVAL (bad BAR number), -ENODEV (BAR not implemented).
 */
int uvf_device_bar_info(struct uvf_device *dev, unsigned int bar,
			struct uvf_bar_info *info);

/**
 * uvf_device_bar_map() - map a BAR into the process
 * @dev: device
 * @bar: 0..5
 * @ptr: start of the mapping, valid until the device is closed
 *
 * Repeated calls return the same mapping.
 *
 * Return: 0, -EINVAL, -ENODEV, -ENOTSUP (the BAR cannot be mapped: use
 * uvf_device_bar_read/write), or an mmap error.
 */
int uvf_device_bar_map(struct uvf_device *dev, unsigned int bar, void **ptr);

/**
 * uvf_device_bar_read() - read a BAR register
 * @dev: device
 * @bar: 0..5
 * @off: byte offset, aligned to @len
 * @val: value read
 * @len: 1, 2, 4 or 8 bytes
 *
 * Return: 0, -EINVAL (bad BAR, length or alignment), -ERANGE (beyond the
 * BAR), -ENODEV, or an I/O error.
 */
int uvf_device_bar_read(struct uvf_device *dev, unsigned int bar,
			uint64_t off, uint64_t *val, unsigned int len);

/**
 * uvf_device_bar_write() - write a BAR register
 * @dev: device
 * @bar: 0..5
 * @off: byte offset, aligned to @len
 * @val: value
 * @len: 1, 2, 4 or 8 bytes
 *
 * Return: as for uvf_device_bar_read().
 */
int uvf_device_bar_write(struct uvf_device *dev, unsigned int bar,
			 uint64_t off, uint64_t val, unsigned int len);

/**
 * uvf_device_cfg_read() - read PCI configuration space
 * @dev: device
 * @off: byte offset
 * @buf: destination
 * @len: bytes
 *
 * Return: 0, -ERANGE (beyond configuration space), or an I/O error.
 */
int uvf_device_cfg_read(struct uvf_device *dev, uint32_t off, void *buf,
			size_t len);

/**
 * uvf_device_cfg_write() - write PCI configuration space
 * @dev: device
 * @off: byte offset
 * @buf: source
 * @len: bytes
 *
 * Return: 0, -ERANGE, or an I/O error.
 */
int uvf_device_cfg_write(struct uvf_device *dev, uint32_t off,
			 const void *buf, size_t len);

/**
 * uvf_device_irq_enable() - route @nvec interrupt vectors to eventfds
 * @dev: device
 * @type: INTx, MSI or MSI-X
 * @nvec: vectors, at least 1 (INTx: exactly 1)
 *
 * Return: 0, -EINVAL, -ENOTSUP (the device lacks that interrupt type or
 * that many vectors), -EBUSY (already enabled: disable first).
 */
int uvf_device_irq_enable(struct uvf_device *dev, enum uvf_irq_type type,
			  unsigned int nvec);

/**
 * uvf_device_irq_disable() - stop interrupt delivery and close the eventfds
 * @dev: device
 *
 * Return: 0, or a negative errno from the backend.
 */
int uvf_device_irq_disable(struct uvf_device *dev);

/**
 * uvf_device_irq_fd() - the eventfd of one vector, for poll/epoll
 * @dev: device
 * @vec: vector
 *
 * Return: the file descriptor (owned by @dev), or -EINVAL (no such enabled
 * vector).
 */
int uvf_device_irq_fd(struct uvf_device *dev, unsigned int vec);

/**
 * uvf_device_irq_wait() - wait for interrupts on one vector
 * @dev: device
 * @vec: vector
 * @timeout_ms: -1 waits forever, 0 polls
 *
 * Return: the number of interrupts since the last wait (at least 1),
 * -ETIMEDOUT, -EINVAL (no such enabled vector), or another negative errno.
 */
int uvf_device_irq_wait(struct uvf_device *dev, unsigned int vec,
			int timeout_ms);

/*
 * Device events: what the kernel tells a driver about the device itself,
 * apart from its interrupts. On VFIO they are the error and request
 * interrupts (VFIO_PCI_ERR_IRQ_INDEX, VFIO_PCI_REQ_IRQ_INDEX).
 *
 * ERROR: the device reported an uncorrectable error (PCIe AER); what it
 * does next is undefined until the driver resets it.
 *
 * REQUEST: the kernel wants the device back (hot-unplug, unbind). The
 * kernel blocks until the process closes the device; a driver that sees
 * this stops using the device and closes it (uvf_device_close(), after
 * closing its driver), or the unplug never finishes.
 */
#define UVF_DEVICE_EVENT_ERROR (1u << 0)
#define UVF_DEVICE_EVENT_REQUEST (1u << 1)
#define UVF_DEVICE_EVENTS (UVF_DEVICE_EVENT_ERROR | UVF_DEVICE_EVENT_REQUEST)

/**
 * uvf_device_event_enable() - have the kernel signal device events
 * @dev: device
 * @events: UVF_DEVICE_EVENT_* bits; those already enabled are left alone
 *
 * All or nothing: on error no event of @events is newly enabled.
 *
 * Return: 0, -EINVAL (no or unknown bits), -ENOTSUP (the backend or the
 * device lacks one of them: a conventional PCI device has no error
 * interrupt), or the kernel's negative errno.
 */
int uvf_device_event_enable(struct uvf_device *dev, unsigned int events);

/**
 * uvf_device_event_disable() - stop signalling device events
 * @dev: device
 * @events: UVF_DEVICE_EVENT_* bits; those not enabled are skipped
 *
 * Return: 0, -EINVAL (unknown bits), or the kernel's negative errno (that
 * event stays enabled).
 */
int uvf_device_event_disable(struct uvf_device *dev, unsigned int events);

/**
 * uvf_device_event_fd() - the eventfd of one device event, for poll/epoll
 *                         in the driver's own loop
 * @dev: device
 * @event: one UVF_DEVICE_EVENT_* bit
 *
 * Readable when the event fired; uvf_device_event_poll() consumes it.
 *
 * Return: the file descriptor (owned by @dev), or -EINVAL (not one bit,
 * or not enabled).
 */
int uvf_device_event_fd(struct uvf_device *dev, unsigned int event);

/**
 * uvf_device_event_poll() - collect the device events that fired
 * @dev: device
 * @timeout_ms: -1 waits for one forever, 0 only looks
 *
 * Return: the UVF_DEVICE_EVENT_* bits that fired since the last call
 * (each consumed), 0 when none fired within @timeout_ms, -EINVAL (no
 * event enabled), or another negative errno.
 */
int uvf_device_event_poll(struct uvf_device *dev, int timeout_ms);

/**
 * uvf_device_reset() - reset the device
 * @dev: device
 *
 * A function-level reset where the device offers one (VFIO: any method
 * the kernel found, VFIO_DEVICE_RESET). Without one, a VFIO device falls
 * back to a bus or slot reset (uvf_vfio_hot_reset()), which resets every
 * device there and so needs all of them open on the same context.
 *
 * Return: 0; -ENOTSUP (no reset method at all); -EBUSY (the hot reset
 * would reset a device this context does not own; nothing was reset); or
 * a negative errno.
 */
int uvf_device_reset(struct uvf_device *dev);

/**
 * uvf_device_close() - detach from the domain if attached, disable
 *                      interrupts and device events, and free the handle
 * @dev: device, may be NULL
 *
 * Return: nothing.
 */
void uvf_device_close(struct uvf_device *dev);

#endif
