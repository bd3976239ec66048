/* SPDX-License-Identifier: MIT */
/*
 * The fake kernel of the PCI tests: a write hook (lib/pci/write_hook.h)
 * that plays the kernel's PCI core in a fake sysfs tree. Part of the
 * uvf_testsupport library, which is neither in libuvf nor installed.
 */
#ifndef UVF_TEST_PCI_EMULATE_H
#define UVF_TEST_PCI_EMULATE_H

struct uvf_pci_ctx;

/**
 * pci_emulate_kernel() - a write hook that plays the kernel in a fake tree
 * @ctx: context whose sysfs root is a fake tree
 * @attr: attribute written
 * @value: value written
 * @arg: unused
 *
 * Acts on the fake tree as the PCI core would: a write to a driver's
 * "unbind" removes the device's driver link, a write to "bind" or
 * "drivers_probe" links the device to the driver its driver_override names,
 * or else to the first driver (by name) whose "new_id" file lists the
 * device's "vvvv dddd". vfio-pci refuses, like the real one, a PCI-to-PCI
 * bridge and a device without an iommu_group link unless the fake
 * module/vfio/parameters/enable_unsafe_noiommu_mode reads "Y"; binding to it
 * creates the group's node under the /dev root and a vfio-dev/vfioN entry.
 * It refuses to run on a real sysfs mount or the real /dev.
 *
 * Return: 0, -ENODEV or -EBUSY as the kernel would fail the write, -EINVAL
 * for a refused probe through "bind", or -EPERM on a real sysfs or /dev.
 */
int pci_emulate_kernel(struct uvf_pci_ctx *ctx, const char *attr,
		       const char *value, void *arg);

#endif
