/* SPDX-License-Identifier: MIT */
/*
 * The driver model. A driver declares the PCI IDs it takes and provides
 * probe/remove; it talks to its device only through uvf/device.h and
 * uvf/dma.h, so it runs unchanged on VFIO type1, iommufd and noiommu, and on
 * the software model wherever a simulated device exists.
 *
 * DMA-capable devices may also offer the small uniform DMA-engine interface
 * below (like the kernel's VFIO selftest drivers: memcpy start, wait, send
 * an MSI), so one test runs over every such device.
 */
#ifndef UVF_DRIVER_H
#define UVF_DRIVER_H

#include <uvf/types.h>

struct uvf_device;

#define UVF_PCI_ANY_ID 0xffff

/*
 * One entry of a driver's ID table. An entry matches when vendor and device
 * match (UVF_PCI_ANY_ID matching anything) and, if @class_mask is not 0,
 * the 24-bit class code masked by @class_mask equals @class_code -- so
 * { UVF_PCI_ANY_ID, UVF_PCI_ANY_ID, 0x010802, 0xffffff } takes every NVMe
 * controller. The table ends with an all-zero entry.
 */
struct uvf_pci_id {
	uint16_t vendor;
	uint16_t device;
	uint32_t class_code;
	uint32_t class_mask;
};

struct uvf_driver {
	const char *name;
	/* Terminated by an all-zero entry. */
	const struct uvf_pci_id *ids;
	/* Bring the device up; store per-device state in *drvdata. */
	int (*probe)(struct uvf_device *dev, void **drvdata);
	/* Quiesce the device (no DMA in flight afterwards) and free state. */
	void (*remove)(struct uvf_device *dev, void *drvdata);
};

struct uvf_dmaengine_ops {
	/* Start copying @len bytes from device address @src to @dst. */
	int (*memcpy_start)(void *drvdata, uvf_iova_t src, uvf_iova_t dst,
			    uint64_t len);
	/* Wait for the copy started last: 0, -ETIMEDOUT, or -EIO when the
	 * device reported an error (an IOMMU fault, say). */
	int (*memcpy_wait)(void *drvdata, int timeout_ms);
	/* Make the device raise MSI vector 0 (its completion interrupt). */
	int (*send_msi)(void *drvdata);
	/* Largest copy in one go; 0 means no limit. */
	uint64_t max_len;
	/* Highest device address the engine can reach (its DMA mask). */
	uvf_iova_t dma_mask;
};

/**
 * uvf_driver_match() - whether @drv takes @dev, by the vendor and device IDs
 *                      and class code in its configuration space
 * @drv: driver
 * @dev: device
 *
 * Return: 1 on a match, 0 on none, or a negative errno when the IDs cannot
 * be read.
 */
int uvf_driver_match(const struct uvf_driver *drv, struct uvf_device *dev);

/**
 * uvf_driver_probe() - match, then call @drv's probe
 * @drv: driver
 * @dev: device, attached to a domain
 * @drvdata: receives the driver's per-device state
 *
 * Return: 0, -ENODEV (the driver does not take this device), or probe's
 * error.
 */
int uvf_driver_probe(const struct uvf_driver *drv, struct uvf_device *dev,
		     void **drvdata);

#endif
