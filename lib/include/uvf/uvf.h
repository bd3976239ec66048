/* SPDX-License-Identifier: MIT */
/* uvf: userspace PCI drivers over VFIO. The umbrella header. */
#ifndef UVF_UVF_H
#define UVF_UVF_H

#include <uvf/types.h>
#include <uvf/trace.h>
#include <uvf/iova.h>
#include <uvf/pgtable.h>
#include <uvf/acpi.h>
#include <uvf/iommu.h>
#include <uvf/device.h>
#include <uvf/driver.h>
#include <uvf/dma.h>
#include <uvf/dmaheap.h>
#include <uvf/sim.h>
#include <uvf/pci.h>
#include <uvf/pci_bind.h>
#include <uvf/pci_persist.h>
#include <uvf/pci_state.h>
#include <uvf/vfio.h>

#endif
