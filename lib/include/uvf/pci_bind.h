/* SPDX-License-Identifier: MIT */
/*
 * PCI binding: move devices between their kernel driver and vfio-pci, and
 * check first that the host is not using them.
 *
 * Binding follows Documentation/ABI/testing/sysfs-bus-pci: write "vfio-pci"
 * to driver_override, unbind the current driver, write the address to
 * drivers_probe and check that the driver link now names vfio-pci. Devices
 * are moved an IOMMU group at a time, since VFIO can only hand out a group
 * whose every member is bound to vfio-pci, unbound, or (for bridges) on a
 * driver the kernel tolerates. A bind that fails part way returns every
 * device it touched to its previous driver.
 *
 * What was changed is recorded in a state (uvf/pci_state.h), so a later
 * release returns each device to the driver and driver_override it had
 * before.
 */
#ifndef UVF_PCI_BIND_H
#define UVF_PCI_BIND_H

#include <uvf/pci.h>
#include <uvf/pci_state.h>

struct uvf_pci_plan;	/* the steps of a bind, unbind or restore */

/* Why a device may not be taken from its driver (uvf_pci_dev_in_use()). */
enum uvf_pci_use {
	UVF_PCI_USE_NONE = 0,
	UVF_PCI_USE_MOUNT,	/* backs a mounted filesystem */
	UVF_PCI_USE_SWAP,	/* backs active swap */
	UVF_PCI_USE_NET,	/* owns a network interface that is up */
};

/* Flags of uvf_pci_plan_bind(). */
#define UVF_PCI_FORCE (1u << 0)	/* take devices that are in use */
#define UVF_PCI_LATER (1u << 1)	/* for a later boot (uvf/pci_persist.h):
				 * vfio-pci need not be loaded now */

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
 * uvf_pci_plan_bind() - plan moving devices and their groups to vfio-pci
 * @ctx: context
 * @bdfs: addresses to bind
 * @n: number of addresses, at least one
 * @flags: 0, or %UVF_PCI_FORCE and %UVF_PCI_LATER or'ed
 * @planp: the plan: one step for every member of every IOMMU group involved
 *
 * Makes no change. Every group member is bound except bridges left without
 * a driver or on pcieport and devices on pci-stub, which VFIO accepts as
 * they are.
 *
 * Return: 0; -EINVAL for a malformed address; -ENODEV for a missing device;
 * -EOPNOTSUPP for a requested PCI bridge or a kernel without
 * driver_override; -ENOENT when the vfio-pci driver is not loaded (unless
 * %UVF_PCI_LATER); -EBUSY
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
