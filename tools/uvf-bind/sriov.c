// SPDX-License-Identifier: MIT
/* uvf-bind sriov: create or remove a PF's VFs, and bind them to vfio-pci. */
#include <errno.h>
#include <stdlib.h>

#include <uvf/pci_sriov.h>

#include "uvf-bind.h"

/* Binds the PF's @n VFs as "uvf-bind bind" would. */
static int bind_vfs(struct uvf_pci_ctx *ctx, const struct bind_opts *o,
		    const char *pf, unsigned int n)
{
	struct bind_opts vfs = *o;
	char **bdfs = calloc(n, sizeof(*bdfs));
	int rc = BIND_EXIT_FAILED, err = 0;
	unsigned int i;

	if (!bdfs)
		return BIND_EXIT_FAILED;
	for (i = 0; i < n && !err; i++) {
		bdfs[i] = malloc(UVF_PCI_BDF_LEN);
		err = bdfs[i] ? uvf_pci_sriov_vf(ctx, pf, i, bdfs[i]) : -1;
	}
	if (!err) {
		vfs.bdfs = bdfs;
		vfs.nbdfs = (int)n;
		rc = cmd_bind(ctx, &vfs);
	} else {
		bind_err("%s has no VF %u.", pf, i - 1);
	}
	for (i = 0; i < n; i++)
		free(bdfs[i]);
	free(bdfs);
	return rc;
}

int cmd_sriov(struct uvf_pci_ctx *ctx, const struct bind_opts *o)
{
	const char *pf = o->bdfs[0];
	unsigned int num = (unsigned int)o->sriov_vfs, cur;
	int err;

	err = uvf_pci_sriov_numvfs(ctx, pf, &cur);
	if (err == -ENOTSUP) {
		bind_err("%s has no SR-IOV capability.", pf);
		return BIND_EXIT_FAILED;
	}
	if (err)
		return bind_fail(ctx, err);
	if (o->dry_run) {
		printf("would set %s from %u to %lu VFs%s\n", pf, cur,
		       o->sriov_vfs, o->bind_vfs && num ? " and bind them to "
		       "vfio-pci" : "");
		return BIND_EXIT_OK;
	}
	if (o->sriov_vfs > UINT32_MAX)
		err = -ERANGE;
	else
		err = uvf_pci_sriov_set_numvfs(ctx, pf, num);
	if (err == -EBUSY) {
		bind_err("%s; run 'uvf-bind sriov %s 0' first.",
			 uvf_pci_ctx_error(ctx), pf);
		return BIND_EXIT_FAILED;
	}
	if (err)
		return bind_fail(ctx, err);
	printf("%s has %u VFs\n", pf, num);
	for (unsigned int i = 0; i < num; i++) {
		char vf[UVF_PCI_BDF_LEN];

		if (!uvf_pci_sriov_vf(ctx, pf, i, vf))
			printf("  VF %u: %s\n", i, vf);
	}
	return o->bind_vfs && num ? bind_vfs(ctx, o, pf, num) : BIND_EXIT_OK;
}
