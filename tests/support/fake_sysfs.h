/* SPDX-License-Identifier: MIT */
/*
 * Fake sysfs, /dev, mount table, swap table and pci.ids in a temporary
 * directory, laid out like the real ones, for the PCI layer's tests. With
 * pci_emulate_kernel() as the context's write hook, binds and unbinds
 * then move the fake driver links as the kernel would move real ones.
 */
#ifndef UVF_TEST_FAKE_SYSFS_H
#define UVF_TEST_FAKE_SYSFS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uvf/pci.h>

struct fake_sysfs {
	char top[PATH_MAX];	/* the temporary directory */
	char sys[PATH_MAX];	/* top/sys */
	char dev[PATH_MAX];	/* top/dev */
	char mounts[PATH_MAX];	/* top/mountinfo */
	char swaps[PATH_MAX];	/* top/swaps */
	char ids[PATH_MAX];	/* top/pci.ids */
	char state[PATH_MAX];	/* top/run/bind-state.json (not created) */
};

struct fake_dev {
	const char *bdf;
	uint16_t vendor, device;
	uint32_t class_code;
	int group;		/* -1: no iommu_group link */
	const char *driver;	/* NULL: unbound */
	const char *parent;	/* bridge it sits behind, or NULL */
};

/* Creates the empty skeleton: buses, driver dir, tables, pci.ids. */
void fake_sysfs_create(struct fake_sysfs *fs);
void fake_sysfs_destroy(struct fake_sysfs *fs);
/* Removes @path and everything below it; 0 or -1 as nftw(). */
int fake_rm_tree(const char *path);

/* A driver directory with bind/unbind files; @ids become its new_id. */
void fake_driver(struct fake_sysfs *fs, const char *name, const char *ids);
/* A device with what libpci's linux_sysfs method reads (vendor, device,
 * class, revision, subsystem_*, numa_node, a 64-byte config) and what uvf
 * reads itself (resource, driver_override, driver and iommu_group links). */
void fake_device(struct fake_sysfs *fs, const struct fake_dev *d);
/* Makes @bdf an SR-IOV PF offering @total VFs of device ID @vf_device,
 * the first at function +1, one apart (QEMU's nvme), probed when created
 * (sriov_drivers_autoprobe). */
void fake_sriov_pf(struct fake_sysfs *fs, const char *bdf, unsigned int total,
		   uint16_t vf_device);

/* A disk below PCI device @bdf (through a virtio child device), and a
 * partition of it; @devnum is its "major:minor". */
void fake_disk(struct fake_sysfs *fs, const char *name, const char *bdf,
	       const char *devnum);
void fake_partition(struct fake_sysfs *fs, const char *disk,
		    const char *name, const char *devnum);
/* A device-mapper device @name (dm-N) named @dm_name, held on @below. */
void fake_dm(struct fake_sysfs *fs, const char *name, const char *dm_name,
	     const char *devnum, const char *below_disk, const char *below);
void fake_netdev(struct fake_sysfs *fs, const char *name, const char *bdf,
		 bool up);

/* Adds a mountinfo line; @devnum may be "0:42" for no block device. */
void fake_mount(struct fake_sysfs *fs, const char *devnum,
		const char *source, const char *mnt);
void fake_swap(struct fake_sysfs *fs, const char *source);

/* Writes or reads a file at @rel below the fake sysfs root. */
void fake_write(struct fake_sysfs *fs, const char *rel, const char *text);
/* The attribute's text without trailing newline; "" when missing. */
const char *fake_read(struct fake_sysfs *fs, const char *rel);
/* Name of the driver @bdf is bound to in the fake tree; "" when none. */
const char *fake_driver_of(struct fake_sysfs *fs, const char *bdf);
bool fake_exists(const char *path);

/* snprintf that fails the test instead of cutting the text short. */
void fake_fmt(char *out, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A context on the fake tree, with the emulated kernel as write hook. */
struct uvf_pci_ctx *fake_ctx(struct fake_sysfs *fs);

/*
 * The standard machine of the tests:
 *   0000:00:01.0 8086:1c10 PCI bridge, pcieport, group 1
 *   0000:01:00.0 8086:10d3 Ethernet, e1000e, group 1 (behind 00:01.0)
 *   0000:01:00.1 8086:10d3 Ethernet, e1000e, group 1
 *   0000:00:02.0 1af4:1001 SCSI storage, virtio-pci, group 2: disk vda,
 *                partition vda1 (254:1) mounted on /
 *   0000:00:03.0 1af4:1000 Ethernet, virtio-pci, group 3: eth0, up
 *   0000:00:04.0 1af4:1000 Ethernet, virtio-pci, group 4: eth1, down
 *   0000:00:05.0 1234:5678 class 0b4000, no driver, no IOMMU group
 *   0000:00:06.0 1af4:1000 Ethernet, virtio-pci, group 6, with
 *                driver_override "virtio-pci"
 * Drivers: e1000e, pci-stub, pcieport, vfio-pci, virtio-pci.
 */
void fake_standard(struct fake_sysfs *fs);

#endif
