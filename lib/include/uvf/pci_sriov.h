/* SPDX-License-Identifier: MIT */
/*
 * SR-IOV through sysfs: how many virtual functions a physical function
 * offers (sriov_totalvfs), creating and removing them (sriov_numvfs), and
 * finding a VF's address (the PF's virtfnN links) or a VF's PF (physfn).
 *
 * The kernel creates VFs only while the PF is bound to a driver that
 * configures SR-IOV; vfio-pci does so only when loaded with
 * enable_sriov=1, and then its VFs bind to vfio-pci too. A user of such a
 * VF must then know the PF's VF token (uvf_vfio_opts.vf_token).
 */
#ifndef UVF_PCI_SRIOV_H
#define UVF_PCI_SRIOV_H

#include <uvf/pci.h>

/**
 * uvf_pci_sriov_totalvfs() - how many VFs a PF can have
 * @ctx: context
 * @bdf: the PF's address
 * @total: its sriov_totalvfs
 *
 * Return: 0; -EINVAL (malformed address, or an attribute that is not a
 * number); -ENODEV (no such device); -ENOTSUP (not an SR-IOV PF); or the
 * error reading sysfs.
 */
int uvf_pci_sriov_totalvfs(struct uvf_pci_ctx *ctx, const char *bdf,
			   unsigned int *total);

/**
 * uvf_pci_sriov_numvfs() - how many VFs a PF has now
 * @ctx: context
 * @bdf: the PF's address
 * @num: its sriov_numvfs
 *
 * Return: as uvf_pci_sriov_totalvfs().
 */
int uvf_pci_sriov_numvfs(struct uvf_pci_ctx *ctx, const char *bdf,
			 unsigned int *num);

/**
 * uvf_pci_sriov_set_numvfs() - create or remove a PF's VFs
 * @ctx: context
 * @bdf: the PF's address
 * @num: VFs wanted; 0 removes them all
 *
 * Writes sriov_numvfs. As the kernel requires, going from some VFs to a
 * different non-zero number takes a write of 0 first: that is refused here
 * with -EBUSY rather than done silently, since it removes VFs that may be
 * in use. Writing the number the PF already has changes nothing.
 *
 * Return: 0; -EINVAL (malformed address); -ENODEV (no such device);
 * -ENOTSUP (not an SR-IOV PF); -ERANGE (@num above sriov_totalvfs);
 * -EBUSY (the PF has a different non-zero number of VFs); or the kernel's
 * refusal of the write (-ENOENT: no driver bound that configures SR-IOV,
 * as vfio-pci without enable_sriov=1). On failure the PF keeps its VFs;
 * uvf_pci_ctx_error() says why.
 */
int uvf_pci_sriov_set_numvfs(struct uvf_pci_ctx *ctx, const char *bdf,
			     unsigned int num);

/**
 * uvf_pci_sriov_vf() - the address of a PF's VF
 * @ctx: context
 * @pf: the PF's address
 * @index: the VF's number, 0 for the first (the virtfn<index> link)
 * @out: the VF's canonical address
 *
 * Return: 0; -EINVAL (malformed address); -ENODEV (no such PF, or it has
 * no VF @index); or the error reading sysfs.
 */
int uvf_pci_sriov_vf(struct uvf_pci_ctx *ctx, const char *pf,
		     unsigned int index, char out[UVF_PCI_BDF_LEN]);

/**
 * uvf_pci_sriov_physfn() - the PF a VF belongs to
 * @ctx: context
 * @vf: the VF's address
 * @out: the PF's canonical address (its physfn link)
 *
 * Return: 0; -EINVAL (malformed address); -ENODEV (no such device);
 * -ENOENT (@vf is not a VF); or the error reading sysfs.
 */
int uvf_pci_sriov_physfn(struct uvf_pci_ctx *ctx, const char *vf,
			 char out[UVF_PCI_BDF_LEN]);

#endif
