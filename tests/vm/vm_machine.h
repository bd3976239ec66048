/* SPDX-License-Identifier: MIT */
/*
 * The emulated machines of tools/vm/run as a guest program sees them. A
 * guest program is built for one architecture and so runs on one machine:
 * x86_64 guests on q35, aarch64 guests on virt. The PCI devices sit at the
 * same addresses on both (tools/vm/README.md); what differs is here.
 */
#ifndef UVF_TEST_VM_MACHINE_H
#define UVF_TEST_VM_MACHINE_H

#if defined(__x86_64__)
/* The interrupt address window every x86 IOMMU driver reserves. */
#define VM_MSI_FIRST 0xfee00000ull
#define VM_MSI_LAST 0xfeefffffull
#elif defined(__aarch64__)
/* Where Linux maps the GICv3 ITS doorbell in every SMMUv3 domain
 * (MSI_IOVA_BASE), a software-managed window that sysfs lists as "msi". */
#define VM_MSI_FIRST 0x08000000ull
#define VM_MSI_LAST 0x080fffffull
#else
#error "tools/vm has no machine for this architecture"
#endif

#endif
