/* SPDX-License-Identifier: MIT */
/*
 * The PCI context's write hook: internal, not installed. In a fake sysfs
 * tree no kernel reacts to writes, so the tests' fake kernel
 * (tests/support/pci_emulate.h) plugs in here to play its part.
 */
#ifndef UVF_PCI_WRITE_HOOK_H
#define UVF_PCI_WRITE_HOOK_H

#include <uvf/pci.h>

/**
 * typedef pci_write_hook_fn - called before every sysfs write
 * @ctx: context that made the write
 * @attr: the attribute written, relative to the sysfs root, such as
 *	"bus/pci/drivers_probe"
 * @value: what is being written
 * @arg: the hook's argument
 *
 * It runs where the kernel's store() would: before the value lands in the
 * attribute's file.
 *
 * Return: 0 to let the write proceed, or a negative errno that the write
 * then fails with, leaving the file unwritten.
 */
typedef int (*pci_write_hook_fn)(struct uvf_pci_ctx *ctx, const char *attr,
				 const char *value, void *arg);

/**
 * pci_ctx_set_write_hook() - install a hook run before each sysfs write
 * @ctx: context
 * @fn: the hook, or NULL to remove it
 * @arg: passed to @fn
 *
 * Return: nothing.
 */
void pci_ctx_set_write_hook(struct uvf_pci_ctx *ctx, pci_write_hook_fn fn,
			    void *arg);

#endif
