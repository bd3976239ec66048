/* SPDX-License-Identifier: MIT */
/*
 * PCI layer: find PCI devices in sysfs and describe them. Binding them to
 * vfio-pci is in uvf/pci_bind.h, the records of what a bind changed in
 * uvf/pci_state.h.
 *
 * Everything goes through a context that names the roots it works on: the
 * sysfs tree (default "/sys"), the /dev tree (default "/dev"), the mount
 * table, the swap table and the PCI ID database. Tests point these at a fake
 * tree in a temporary directory; nothing here touches a path outside them
 * (except, with the default database, udev's hwdb, as lspci does).
 *
 * Devices are enumerated, and their IDs, class, subsystem, revision, NUMA
 * node and names read, through libpci (pciutils): its linux_sysfs method
 * with sysfs.path set to "<sysfs root>/bus/pci", and pci_lookup_name() on
 * its PCI ID database, so names read as lspci shows them. libpci's errors,
 * which would exit the program, fail the call with -EIO instead, libpci's
 * message in uvf_pci_ctx_error(). Driver links, driver_override, IOMMU
 * groups, resources and VFIO nodes are read from sysfs directly.
 */
#ifndef UVF_PCI_H
#define UVF_PCI_H

#include <uvf/types.h>

/* Longest canonical address "ffffffff:ff:1f.7" plus the terminating NUL. */
#define UVF_PCI_BDF_LEN 17

/* The most resource lines a device's "resource" file has (BARs 0-5, the
 * expansion ROM, SR-IOV BARs and bridge windows). */
#define UVF_PCI_MAX_RESOURCES 17

/* Index of the expansion ROM among a device's resources. */
#define UVF_PCI_ROM_RESOURCE 6

/* The driver uvf binds devices to. */
#define UVF_PCI_VFIO_DRIVER "vfio-pci"

struct uvf_pci_ctx;	/* roots, ID database, last error */
struct uvf_pci_dev;	/* a snapshot of one device's sysfs attributes */
struct uvf_pci_list;	/* a snapshot of several devices, sorted by address */

/* Where a context looks. A NULL field (or a NULL struct) takes the default. */
struct uvf_pci_ctx_opts {
	const char *sysfs_root;	/* "/sys"; libpci reads its bus/pci */
	const char *dev_root;	/* "/dev" */
	const char *mounts;	/* "/proc/self/mountinfo"; /proc/mounts format
				 * is accepted too */
	const char *swaps;	/* "/proc/swaps" */
	const char *pci_ids;	/* libpci's database (Debian:
				 * /usr/share/misc/pci.ids), else
				 * "/usr/share/hwdata/pci.ids", and udev's
				 * hwdb for IDs missing there, as lspci;
				 * a file: only that file; "": none, names
				 * are numbers */
};

/* Identification registers as sysfs shows them. */
struct uvf_pci_ids {
	uint16_t vendor;
	uint16_t device;
	uint16_t subsys_vendor;
	uint16_t subsys_device;
	uint32_t class_code;	/* base class << 16 | subclass << 8 | prog-if */
	uint8_t revision;
};

/* Kinds of resource, decoded from the kernel's IORESOURCE_* flags. */
enum uvf_pci_res_flags {
	UVF_PCI_RES_IO = 1 << 0,	/* I/O port space */
	UVF_PCI_RES_MEM = 1 << 1,	/* memory space */
	UVF_PCI_RES_PREFETCH = 1 << 2,	/* prefetchable memory */
	UVF_PCI_RES_MEM64 = 1 << 3,	/* 64-bit memory BAR */
};

/* One line of a device's "resource" file. */
struct uvf_pci_resource {
	uint64_t start;
	uint64_t end;		/* inclusive */
	uint64_t raw_flags;	/* the kernel's IORESOURCE_* bits */
	unsigned int flags;	/* enum uvf_pci_res_flags */
};

/**
 * uvf_pci_ctx_new() - create a context
 * @opts: roots and files to use; NULL or NULL fields for the defaults
 * @ctxp: the new context
 *
 * libpci is set up on the context's first enumeration or device read.
 *
 * Return: 0, or -ENOMEM.
 */
int uvf_pci_ctx_new(const struct uvf_pci_ctx_opts *opts,
		    struct uvf_pci_ctx **ctxp);

/**
 * uvf_pci_ctx_free() - free a context
 * @ctx: context, or NULL
 *
 * Return: nothing.
 */
void uvf_pci_ctx_free(struct uvf_pci_ctx *ctx);

/**
 * uvf_pci_ctx_error() - describe the last failure of a call on @ctx
 * @ctx: context
 *
 * The text is one plain clause without a final period, such as
 * "0000:00:03.0 backs mounted filesystem /dev/vda1 (on /)", meant to be
 * printed after the program's name.
 *
 * Return: the description, or "" when no call has failed yet.
 */
const char *uvf_pci_ctx_error(const struct uvf_pci_ctx *ctx);
/**
 * uvf_pci_bdf_parse() - check and canonicalize a PCI address
 * @s: "DDDD:BB:DD.F" (domain of 4 to 8 hex digits) or "BB:DD.F" (domain 0)
 * @out: lower-case "DDDD:BB:DD.F"
 *
 * Return: 0, or -EINVAL when @s is not a PCI address.
 */
int uvf_pci_bdf_parse(const char *s, char out[UVF_PCI_BDF_LEN]);

/**
 * uvf_pci_dev_open() - read one device's attributes
 * @ctx: context
 * @bdf: address, in any form uvf_pci_bdf_parse() takes
 * @devp: the snapshot
 *
 * Return: 0, -EINVAL for a malformed address, -ENODEV when there is no such
 * device (or it vanished while being read), -EIO when libpci fails (such as
 * an ID attribute it cannot read), -ENOMEM, or another negative errno when
 * sysfs cannot be read.
 */
int uvf_pci_dev_open(struct uvf_pci_ctx *ctx, const char *bdf,
		     struct uvf_pci_dev **devp);

/**
 * uvf_pci_dev_free() - free a snapshot from uvf_pci_dev_open()
 * @dev: snapshot, or NULL
 *
 * Return: nothing.
 */
void uvf_pci_dev_free(struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_bdf() - canonical address of @dev
 * @dev: device
 *
 * Return: "DDDD:BB:DD.F".
 */
const char *uvf_pci_dev_bdf(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_ids() - identification registers of @dev
 * @dev: device
 *
 * Return: the IDs, valid as long as @dev.
 */
const struct uvf_pci_ids *uvf_pci_dev_ids(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_vendor_name() - vendor name from the PCI ID database
 * @dev: device
 *
 * Looked up with libpci's pci_lookup_name(), like every name below.
 *
 * Return: the name, or "Vendor vvvv" when the database does not know it.
 */
const char *uvf_pci_dev_vendor_name(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_device_name() - device name from the PCI ID database
 * @dev: device
 *
 * Return: the name, or "Device dddd" when the database does not know it.
 */
const char *uvf_pci_dev_device_name(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_class_name() - class name from the PCI ID database
 * @dev: device
 *
 * The subclass name when known ("Ethernet controller"), else the base class
 * name ("Network controller", without the class number libpci appends).
 *
 * Return: the name, or "Class ccss" when the database knows neither.
 */
const char *uvf_pci_dev_class_name(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_subsys_name() - subsystem name from the PCI ID database
 * @dev: device
 *
 * As lspci -v shows it after "Subsystem:". The subsystem name is the
 * device's own name when the subsystem IDs equal the device's IDs.
 *
 * Return: "<subsystem vendor name> <subsystem name>"; "<subsystem vendor
 * name> Device ssss" when the subsystem is not known, and "Device vvvv:ssss"
 * when its vendor is not.
 */
const char *uvf_pci_dev_subsys_name(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_class_label() - class as `lspci -nn` prints it
 * @dev: device
 *
 * Return: the class name with its number, "Ethernet controller [0200]";
 * "Class [0b40]" when the class is not known.
 */
const char *uvf_pci_dev_class_label(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_product_label() - vendor and device as `lspci -nn` prints them
 * @dev: device
 *
 * Return: "Intel Corporation 82574L Gigabit Network Connection
 * [8086:10d3]"; "Intel Corporation Device [8086:0d57]" when the device is
 * not known, "Device [1234:5678]" when its vendor is not.
 */
const char *uvf_pci_dev_product_label(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_subsys_label() - subsystem as `lspci -v -nn` prints it
 * @dev: device
 *
 * Return: "<subsystem vendor> <subsystem name> [vvvv:ssss]", with
 * "Device" for the parts that are not known, as for
 * uvf_pci_dev_product_label().
 */
const char *uvf_pci_dev_subsys_label(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_driver() - driver bound to @dev when it was read
 * @dev: device
 *
 * Return: the driver's name, or NULL when no driver is bound.
 */
const char *uvf_pci_dev_driver(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_driver_override() - the device's driver_override
 * @dev: device
 *
 * Return: the driver named there, or NULL when it is empty or the kernel has
 * no such attribute.
 */
const char *uvf_pci_dev_driver_override(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_iommu_group() - IOMMU group of @dev
 * @dev: device
 *
 * Return: the group number, or -ENOENT when the device has no iommu_group
 * link (no IOMMU, or one that does not cover it).
 */
int uvf_pci_dev_iommu_group(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_numa_node() - NUMA node the device is attached to
 * @dev: device
 *
 * Return: the node, or -ENOENT when the kernel reports none (-1).
 */
int uvf_pci_dev_numa_node(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_is_bridge() - whether @dev is a PCI-to-PCI or CardBus bridge
 * @dev: device
 *
 * Such devices have no type-0 header, so vfio-pci cannot drive them.
 *
 * Return: true for class 0604, 0607 and 0609.
 */
bool uvf_pci_dev_is_bridge(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_resource_count() - number of lines in the "resource" file
 * @dev: device
 *
 * Return: the count, at most %UVF_PCI_MAX_RESOURCES; 0 when sysfs has none.
 */
unsigned int uvf_pci_dev_resource_count(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_resource() - one resource (BAR @idx, or the ROM at index 6)
 * @dev: device
 * @idx: line of the "resource" file
 * @res: the resource
 *
 * Return: 0, -ENOENT when the resource is not implemented (all zero), or
 * -ERANGE when @idx is not below uvf_pci_dev_resource_count().
 */
int uvf_pci_dev_resource(const struct uvf_pci_dev *dev, unsigned int idx,
			 struct uvf_pci_resource *res);

/**
 * uvf_pci_dev_vfio_bound() - whether vfio-pci drives @dev
 * @dev: device
 *
 * Return: true when the driver link names vfio-pci.
 */
bool uvf_pci_dev_vfio_bound(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_vfio_group_node() - the VFIO group node of @dev
 * @dev: device
 *
 * Return: the node's path under the /dev root ("/dev/vfio/5", or
 * "/dev/vfio/noiommu-5" in no-IOMMU mode) when it exists, else NULL.
 */
const char *uvf_pci_dev_vfio_group_node(const struct uvf_pci_dev *dev);

/**
 * uvf_pci_dev_vfio_cdev() - the VFIO device cdev of @dev
 * @dev: device
 *
 * Return: the path under the /dev root ("/dev/vfio/devices/vfio0") of the
 * cdev named by the device's vfio-dev directory, or NULL when the device has
 * none (not on vfio-pci, or a kernel without VFIO cdevs).
 */
const char *uvf_pci_dev_vfio_cdev(const struct uvf_pci_dev *dev);
/**
 * uvf_pci_list_new() - read every PCI device
 * @ctx: context
 * @listp: the devices, sorted by address
 *
 * Enumerated with libpci's pci_scan_bus() over "<sysfs root>/bus/pci/devices".
 * Devices that vanish while being read are left out.
 *
 * Return: 0, -ENOMEM, -EIO when libpci fails (including for an entry of
 * bus/pci/devices that is not a device address), or another negative errno
 * when sysfs cannot be read.
 */
int uvf_pci_list_new(struct uvf_pci_ctx *ctx, struct uvf_pci_list **listp);

/**
 * uvf_pci_group_list() - read the devices of one IOMMU group
 * @ctx: context
 * @group: group number
 * @listp: the members, sorted by address
 *
 * Return: 0, -ENOENT when there is no such group, -ENOMEM, -EIO when libpci
 * fails, or another negative errno when sysfs cannot be read.
 */
int uvf_pci_group_list(struct uvf_pci_ctx *ctx, int group,
		       struct uvf_pci_list **listp);

/**
 * uvf_pci_list_count() - number of devices in @list
 * @list: list
 *
 * Return: the count.
 */
size_t uvf_pci_list_count(const struct uvf_pci_list *list);

/**
 * uvf_pci_list_get() - one device of @list
 * @list: list
 * @i: index, below uvf_pci_list_count()
 *
 * Return: the device, valid as long as @list; NULL when @i is out of range.
 */
const struct uvf_pci_dev *uvf_pci_list_get(const struct uvf_pci_list *list,
					   size_t i);

/**
 * uvf_pci_list_free() - free a list and its devices
 * @list: list, or NULL
 *
 * Return: nothing.
 */
void uvf_pci_list_free(struct uvf_pci_list *list);
#endif
