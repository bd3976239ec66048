/* SPDX-License-Identifier: MIT */
/*
 * PCI layer: find PCI devices in sysfs, describe them, and move them
 * between their kernel driver and vfio-pci.
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
 *
 * Binding follows Documentation/ABI/testing/sysfs-bus-pci: write "vfio-pci"
 * to driver_override, unbind the current driver, write the address to
 * drivers_probe and check that the driver link now names vfio-pci. Devices
 * are moved an IOMMU group at a time, since VFIO can only hand out a group
 * whose every member is bound to vfio-pci, unbound, or (for bridges) on a
 * driver the kernel tolerates. A bind that fails part way returns every
 * device it touched to its previous driver.
 *
 * What was changed is recorded in a state (struct uvf_pci_state), kept in a
 * file, so a later release returns each device to the driver and
 * driver_override it had before.
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

struct uvf_pci_ctx;	/* roots, ID database, write hook, last error */
struct uvf_pci_dev;	/* a snapshot of one device's sysfs attributes */
struct uvf_pci_list;	/* a snapshot of several devices, sorted by address */
struct uvf_pci_state;	/* records of what uvf changed, kept in a file */
struct uvf_pci_plan;	/* the steps of a bind, unbind or restore */

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

/* Why a device may not be taken from its driver (uvf_pci_dev_in_use()). */
enum uvf_pci_use {
	UVF_PCI_USE_NONE = 0,
	UVF_PCI_USE_MOUNT,	/* backs a mounted filesystem */
	UVF_PCI_USE_SWAP,	/* backs active swap */
	UVF_PCI_USE_NET,	/* owns a network interface that is up */
};

/* Flags of uvf_pci_plan_bind(). */
#define UVF_PCI_FORCE (1u << 0)	/* take devices that are in use */

/* What one step of a plan does to one device. */
enum uvf_pci_action {
	UVF_PCI_ACT_BIND,	/* move from its driver to vfio-pci */
	UVF_PCI_ACT_RELEASE,	/* move from vfio-pci (or from no driver, in
				 * a restore) back to a host driver */
	UVF_PCI_ACT_NONE,	/* already where the plan wants it */
	UVF_PCI_ACT_LEAVE,	/* left as it is: a bridge or pci-stub device the
				 * kernel tolerates in a VFIO group, a device
				 * that is gone, or one someone else rebound */
};

/* One step of a plan, valid until the plan is freed. */
struct uvf_pci_step {
	const char *bdf;
	enum uvf_pci_action action;
	bool requested;		/* named by the caller, not only a group member */
	int iommu_group;	/* -1 when the device has none */
	const char *driver;	/* driver before the step; NULL when none */
	const char *target_driver; /* driver the step moves it to; NULL when
				    * it is left without one or, with
				    * kernel_choice, when the kernel picks */
	bool kernel_choice;	/* RELEASE without a record: the kernel picks */
	const char *note;	/* why LEAVE or NONE, in a few words; or NULL */
	/* Filled in by uvf_pci_plan_apply(): */
	int status;		/* 0, or the negative errno of this step */
	bool applied;		/* the step's writes were made and verified */
	bool rollback_failed;	/* a failed bind could not restore it */
	const char *result_driver; /* driver afterwards; NULL when none */
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
 * typedef uvf_pci_write_hook_fn - called before every sysfs write
 * @ctx: context that made the write
 * @attr: the attribute written, relative to the sysfs root, such as
 *	"bus/pci/drivers_probe"
 * @value: what is being written
 * @arg: the hook's argument
 *
 * For tests: in a fake sysfs tree no kernel reacts to writes, so a hook
 * plays its part (see uvf_pci_emulate_kernel()). It runs where the kernel's
 * store() would: before the value lands in the attribute's file.
 *
 * Return: 0 to let the write proceed, or a negative errno that the write
 * then fails with, leaving the file unwritten.
 */
typedef int (*uvf_pci_write_hook_fn)(struct uvf_pci_ctx *ctx,
				     const char *attr, const char *value,
				     void *arg);

/**
 * uvf_pci_ctx_set_write_hook() - install a hook run before each sysfs write
 * @ctx: context
 * @fn: the hook, or NULL to remove it
 * @arg: passed to @fn
 *
 * Return: nothing.
 */
void uvf_pci_ctx_set_write_hook(struct uvf_pci_ctx *ctx,
				uvf_pci_write_hook_fn fn, void *arg);

/**
 * uvf_pci_emulate_kernel() - a write hook that plays the kernel in a fake tree
 * @ctx: context whose sysfs root is a fake tree
 * @attr: attribute written
 * @value: value written
 * @arg: unused
 *
 * For tests. Acts on the fake tree as the PCI core would: a write to a
 * driver's "unbind" removes the device's driver link, a write to "bind" or
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
int uvf_pci_emulate_kernel(struct uvf_pci_ctx *ctx, const char *attr,
			   const char *value, void *arg);

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
 * uvf_pci_dev_in_use() - whether the host is using @dev
 * @ctx: context
 * @dev: device
 * @why: filled with a description such as "backs mounted filesystem
 *	/dev/vda1 (on /)" when in use; may be NULL
 * @len: size of @why
 *
 * A device is in use when a block device below it, one of its partitions or
 * a device-mapper or md device stacked on them is mounted or used as swap,
 * or when a network interface below it is up.
 *
 * Return: UVF_PCI_USE_NONE (0), another enum uvf_pci_use value, or a
 * negative errno when the mount or swap table cannot be read.
 */
int uvf_pci_dev_in_use(struct uvf_pci_ctx *ctx, const struct uvf_pci_dev *dev,
		       char *why, size_t len);

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

/**
 * uvf_pci_state_open() - load the records kept in @path
 * @path: state file; a missing file is an empty state
 * @statep: the state, bound to @path for uvf_pci_state_save()
 *
 * Return: 0, -EBADMSG when the file is not a uvf state file, -ENOMEM, or
 * another negative errno when it cannot be read.
 */
int uvf_pci_state_open(const char *path, struct uvf_pci_state **statep);

/**
 * uvf_pci_state_save() - write the records back to the state's file
 * @state: state
 *
 * Writes a temporary file and renames it over the old one, creating the
 * file's directory when missing, so a reader never sees half a file. An
 * empty state removes the file.
 *
 * Return: 0, or a negative errno; the old file is then left as it was.
 */
int uvf_pci_state_save(const struct uvf_pci_state *state);

/**
 * uvf_pci_state_free() - free a state (the file stays)
 * @state: state, or NULL
 *
 * Return: nothing.
 */
void uvf_pci_state_free(struct uvf_pci_state *state);

/**
 * uvf_pci_state_path() - file a state is kept in
 * @state: state
 *
 * Return: the path given to uvf_pci_state_open().
 */
const char *uvf_pci_state_path(const struct uvf_pci_state *state);

/**
 * uvf_pci_state_count() - number of devices recorded
 * @state: state
 *
 * Return: the count.
 */
size_t uvf_pci_state_count(const struct uvf_pci_state *state);

/**
 * uvf_pci_state_get() - one record
 * @state: state
 * @i: index, below uvf_pci_state_count()
 * @bdf: the device's address
 * @old_driver: driver it had before uvf bound it; NULL when none
 * @old_override: its driver_override before; NULL when empty
 *
 * Return: 0, or -ERANGE when @i is out of range. The strings stay valid
 * until @state changes or is freed.
 */
int uvf_pci_state_get(const struct uvf_pci_state *state, size_t i,
		      const char **bdf, const char **old_driver,
		      const char **old_override);

/**
 * uvf_pci_state_find() - the record of one device
 * @state: state
 * @bdf: canonical address
 *
 * Return: the record's index, or -ENOENT when @bdf has none.
 */
int uvf_pci_state_find(const struct uvf_pci_state *state, const char *bdf);

/**
 * uvf_pci_plan_bind() - plan moving devices and their groups to vfio-pci
 * @ctx: context
 * @bdfs: addresses to bind
 * @n: number of addresses, at least one
 * @flags: 0 or %UVF_PCI_FORCE
 * @planp: the plan: one step for every member of every IOMMU group involved
 *
 * Makes no change. Every group member is bound except bridges left without
 * a driver or on pcieport and devices on pci-stub, which VFIO accepts as
 * they are.
 *
 * Return: 0; -EINVAL for a malformed address; -ENODEV for a missing device;
 * -EOPNOTSUPP for a requested PCI bridge or a kernel without
 * driver_override; -ENOENT when the vfio-pci driver is not loaded; -EBUSY
 * when a device to be bound is in use and @flags lacks %UVF_PCI_FORCE;
 * -ENOMEM; or another negative errno when sysfs cannot be read. On failure
 * uvf_pci_ctx_error() says which device and why.
 */
int uvf_pci_plan_bind(struct uvf_pci_ctx *ctx, const char *const *bdfs,
		      size_t n, unsigned int flags,
		      struct uvf_pci_plan **planp);

/**
 * uvf_pci_plan_unbind() - plan releasing devices and their groups from vfio-pci
 * @ctx: context
 * @bdfs: addresses to release
 * @n: number of addresses, at least one
 * @state: records of the drivers to return to, or NULL
 * @planp: the plan
 *
 * Makes no change. Every member of the groups involved that is on vfio-pci is
 * released: to the driver and driver_override @state recorded for it, or,
 * without a record, with driver_override cleared and the driver the kernel
 * picks. A requested device that is not on vfio-pci gets a NONE step.
 *
 * Return: 0, -EINVAL, -ENODEV, -ENOMEM, or another negative errno when sysfs
 * cannot be read.
 */
int uvf_pci_plan_unbind(struct uvf_pci_ctx *ctx, const char *const *bdfs,
			size_t n, const struct uvf_pci_state *state,
			struct uvf_pci_plan **planp);

/**
 * uvf_pci_plan_restore() - plan returning every recorded device
 * @ctx: context
 * @state: the records
 * @planp: the plan; empty when @state is
 *
 * Makes no change. A device on vfio-pci, or left without a driver by a bind
 * whose rollback failed, is released to its recorded driver; one already
 * back on it gets a NONE step; one that is gone, or that someone moved to
 * another driver, a LEAVE step. Applying the plan drops the
 * records of all of these.
 *
 * Return: 0, -ENOMEM, or a negative errno when sysfs cannot be read.
 */
int uvf_pci_plan_restore(struct uvf_pci_ctx *ctx,
			 const struct uvf_pci_state *state,
			 struct uvf_pci_plan **planp);

/**
 * uvf_pci_plan_count() - number of steps in @plan
 * @plan: plan
 *
 * Return: the count.
 */
size_t uvf_pci_plan_count(const struct uvf_pci_plan *plan);

/**
 * uvf_pci_plan_step() - one step of @plan
 * @plan: plan
 * @i: index, below uvf_pci_plan_count()
 *
 * Return: the step, valid until @plan is freed; NULL when @i is out of range.
 */
const struct uvf_pci_step *uvf_pci_plan_step(const struct uvf_pci_plan *plan,
					     size_t i);

/**
 * uvf_pci_plan_apply() - carry out a plan
 * @ctx: context the plan was made with
 * @plan: plan; each step's status and result are filled in
 * @state: records to keep up to date, or NULL
 *
 * A bind plan first records every device it will move in @state and saves
 * it, so a crash half way still leaves what restore needs; then moves the
 * devices in order. When one fails, every device moved so far, and the
 * failing one, is returned to its old driver and driver_override, and their
 * records are dropped again; a device that cannot be returned keeps its
 * record and gets rollback_failed.
 *
 * A release plan (unbind, restore) moves every device it can, goes on past
 * one that fails, and drops the records of the devices it settled.
 *
 * Return: 0; the negative errno of the first failing step (-EIO when the
 * kernel did not bind a device where it was sent); or the error of saving
 * @state, in which case a bind plan changed nothing.
 */
int uvf_pci_plan_apply(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
		       struct uvf_pci_state *state);

/**
 * uvf_pci_plan_free() - free a plan
 * @plan: plan, or NULL
 *
 * Return: nothing.
 */
void uvf_pci_plan_free(struct uvf_pci_plan *plan);

#endif
