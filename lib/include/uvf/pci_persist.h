/* SPDX-License-Identifier: MIT */
/*
 * Persistent binding: devices that go to vfio-pci at every boot and
 * hot-add, the way driverctl does it, through one generated udev rule per
 * device ("90-uvf-<BDF>.rules" in /etc/udev/rules.d).
 *
 * The rule matches the address and the vendor and device IDs, so another
 * card put in the same slot is left alone. It sets driver_override to
 * vfio-pci, loads vfio-pci, and moves the device off whatever driver bound
 * it first (udev runs after the kernel's own probe). Like a bind, a
 * persistent binding covers the whole IOMMU group: every member a bind would
 * move gets a rule. Making a binding persistent does not bind anything now;
 * uvf_pci_plan_bind() does that.
 */
#ifndef UVF_PCI_PERSIST_H
#define UVF_PCI_PERSIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uvf/pci.h>
#include <uvf/pci_bind.h>

#define UVF_PCI_RULES_DIR "/etc/udev/rules.d"

/* One device with a rule of uvf's. */
struct uvf_pci_persisted {
	char bdf[UVF_PCI_BDF_LEN];
	uint16_t vendor, device;	/* the IDs the rule requires */
	char driver[32];		/* the driver it binds to */
};

/**
 * uvf_pci_persist_write() - write the rules of a bind plan
 * @ctx: context the plan was made with
 * @plan: from uvf_pci_plan_bind(), best with %UVF_PCI_LATER (vfio-pci need
 *	not be loaded to make a binding for the next boot)
 * @rules_dir: udev rules directory; NULL for %UVF_PCI_RULES_DIR
 *
 * Every device the plan binds, or finds already on vfio-pci, gets its rule;
 * devices the plan leaves (bridges, pci-stub) get none. All or nothing:
 * every rule is written to a temporary file and synced first, and if one
 * cannot be put in place the rules already replaced are put back. A rule
 * already there is rewritten. The running system is not changed; udev reads
 * the rules on its next event (or 'udevadm control --reload').
 *
 * Return: the number of rules written (0 when the plan binds nothing);
 * -EINVAL for a release plan; -ENOMEM; or the negative errno of the
 * directory or a file, with uvf_pci_ctx_error() naming it.
 */
int uvf_pci_persist_write(struct uvf_pci_ctx *ctx,
			  const struct uvf_pci_plan *plan,
			  const char *rules_dir);

/**
 * uvf_pci_persist_remove() - remove persistent bindings
 * @ctx: context
 * @bdfs: addresses, each with a rule of uvf's
 * @n: number of addresses, at least one
 * @rules_dir: udev rules directory; NULL for %UVF_PCI_RULES_DIR
 * @dry_run: only check and count, remove nothing
 *
 * Removes the rules of the devices and of their IOMMU group mates, which
 * persist together as they bind together. A device that is no longer
 * present loses its own rule. All or nothing: a rule that cannot be removed
 * puts back those removed before it. The devices stay on the driver they
 * are on now.
 *
 * Return: the number of rules removed (or, with @dry_run, that would be);
 * -EINVAL for a malformed address or @n of 0; -ENOENT when a device has no
 * rule of uvf's; -ENOMEM; or the negative errno of a file, with
 * uvf_pci_ctx_error() naming it. Nothing is removed on failure.
 */
int uvf_pci_persist_remove(struct uvf_pci_ctx *ctx, const char *const *bdfs,
			   size_t n, const char *rules_dir, bool dry_run);

/**
 * uvf_pci_persist_list() - the persistent bindings uvf's rules make
 * @rules_dir: udev rules directory; NULL for %UVF_PCI_RULES_DIR
 * @out: array of the bindings, sorted by address; free() it
 * @n: number of entries
 *
 * Files of the directory that are not uvf's rules are not read. A missing
 * directory has no bindings.
 *
 * Return: 0; -EBADMSG when a file named as uvf's rule does not hold one
 * (edited by hand); -ENOMEM; or the negative errno of reading the
 * directory.
 */
int uvf_pci_persist_list(const char *rules_dir,
			 struct uvf_pci_persisted **out, size_t *n);

#endif
