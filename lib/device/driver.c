/* SPDX-License-Identifier: MIT */
#include <errno.h>

#include <uvf/driver.h>

#include "device/device_priv.h"

int uvf_driver_match(const struct uvf_driver *drv, struct uvf_device *dev)
{
	const struct uvf_pci_id *id;
	uint16_t vendor, device;
	uint32_t class_code;
	uint8_t cfg[12];
	int ret;

	if (!drv || !dev || !drv->ids)
		return -EINVAL;
	ret = uvf_device_cfg_read(dev, 0, cfg, sizeof(cfg));
	if (ret)
		return ret;
	vendor = (uint16_t)(cfg[0] | cfg[1] << 8);
	device = (uint16_t)(cfg[2] | cfg[3] << 8);
	class_code = (uint32_t)cfg[9] | (uint32_t)cfg[10] << 8 |
		     (uint32_t)cfg[11] << 16;
	for (id = drv->ids; id->vendor || id->class_mask; id++)
		if ((id->vendor == UVF_PCI_ANY_ID || id->vendor == vendor) &&
		    (id->device == UVF_PCI_ANY_ID || id->device == device) &&
		    (class_code & id->class_mask) == id->class_code)
			return 1;
	return 0;
}

int uvf_driver_probe(const struct uvf_driver *drv, struct uvf_device *dev,
		     void **drvdata)
{
	int ret;

	if (!drvdata || !drv || !drv->probe)
		return -EINVAL;
	ret = uvf_driver_match(drv, dev);
	if (ret < 0)
		return ret;
	if (!ret)
		return -ENODEV;
	return drv->probe(dev, drvdata);
}
