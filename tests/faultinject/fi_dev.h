/* SPDX-License-Identifier: MIT */
/* The device fakes' side of a scenario. */
#ifndef UVF_FI_DEV_H
#define UVF_FI_DEV_H

#include <stdint.h>

#include <uvf/device.h>

/* Runs the fake behind @dev (fake_regwin) with injection suspended: the
 * device's work is not the library's, and its allocations are not ours to
 * fail. Every fake of one program must share one ops table. */
void fi_quiet_device(struct uvf_device *dev);

/* The PCI command register of @dev. */
uint16_t fi_pci_command(struct uvf_device *dev);

#endif
