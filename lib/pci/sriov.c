// SPDX-License-Identifier: MIT
/* SR-IOV: a PF's sriov_totalvfs and sriov_numvfs, its virtfnN links, a
 * VF's physfn link (uvf/pci_sriov.h). */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <uvf/pci_sriov.h>

#include "pci_priv.h"

/* The path of entry @name of device @bdf, once the device is there. */
static int sriov_entry(struct uvf_pci_ctx *ctx, const char *bdf,
		       const char *name, char canon[UVF_PCI_BDF_LEN],
		       char path[PATH_MAX])
{
	int err;

	if (uvf_pci_bdf_parse(bdf, canon))
		return -EINVAL;
	err = pci_sysfs_path(ctx, path, "bus/pci/devices/%s", canon);
	if (err)
		return err;
	if (access(path, F_OK))
		return -ENODEV;
	return pci_sysfs_path(ctx, path, "bus/pci/devices/%s/%s", canon, name);
}

/* Checks @bdf names a device and reads its SR-IOV attribute @attr. */
static int sriov_read(struct uvf_pci_ctx *ctx, const char *bdf,
		      const char *attr, char canon[UVF_PCI_BDF_LEN],
		      unsigned int *val)
{
	char path[PATH_MAX];
	long long v;
	int err;

	err = sriov_entry(ctx, bdf, attr, canon, path);
	if (err)
		return err;
	err = pci_read_number(path, &v);
	/* Only a function with an SR-IOV capability has the attributes. */
	if (err == -ENOENT)
		return -ENOTSUP;
	if (err)
		return err;
	if (v < 0 || v > 0xffff)
		return -EINVAL;
	*val = (unsigned int)v;
	return 0;
}

int uvf_pci_sriov_totalvfs(struct uvf_pci_ctx *ctx, const char *bdf,
			   unsigned int *total)
{
	char canon[UVF_PCI_BDF_LEN];

	return sriov_read(ctx, bdf, "sriov_totalvfs", canon, total);
}

int uvf_pci_sriov_numvfs(struct uvf_pci_ctx *ctx, const char *bdf,
			 unsigned int *num)
{
	char canon[UVF_PCI_BDF_LEN];

	return sriov_read(ctx, bdf, "sriov_numvfs", canon, num);
}

int uvf_pci_sriov_set_numvfs(struct uvf_pci_ctx *ctx, const char *bdf,
			     unsigned int num)
{
	char canon[UVF_PCI_BDF_LEN] = "", rel[64], val[16];
	unsigned int total, cur;
	int err;

	err = sriov_read(ctx, bdf, "sriov_totalvfs", canon, &total);
	if (!err)
		err = sriov_read(ctx, bdf, "sriov_numvfs", canon, &cur);
	if (err) {
		pci_set_error(ctx, "%s: cannot read its SR-IOV attributes",
			      canon[0] ? canon : bdf);
		return err;
	}
	if (num > total) {
		pci_set_error(ctx, "%s offers at most %u VFs, not %u", canon,
			      total, num);
		return -ERANGE;
	}
	if (num == cur)
		return 0;
	if (num && cur) {
		pci_set_error(ctx, "%s has %u VFs: remove them (0) before "
			      "creating %u", canon, cur, num);
		return -EBUSY;
	}
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/sriov_numvfs", canon);
	snprintf(val, sizeof(val), "%u", num);
	return pci_sysfs_write(ctx, rel, val);
}

/* The address a link of @bdf's directory points to. */
static int sriov_link(struct uvf_pci_ctx *ctx, const char *bdf,
		      const char *link, char out[UVF_PCI_BDF_LEN],
		      int missing)
{
	char canon[UVF_PCI_BDF_LEN], path[PATH_MAX], name[64];
	int err;

	err = sriov_entry(ctx, bdf, link, canon, path);
	if (err)
		return err;
	err = pci_link_name(path, name, sizeof(name));
	if (err == -ENOENT)
		return missing;
	if (err)
		return err;
	return uvf_pci_bdf_parse(name, out) ? -EIO : 0;
}

int uvf_pci_sriov_vf(struct uvf_pci_ctx *ctx, const char *pf,
		     unsigned int index, char out[UVF_PCI_BDF_LEN])
{
	char link[32];

	snprintf(link, sizeof(link), "virtfn%u", index);
	return sriov_link(ctx, pf, link, out, -ENODEV);
}

int uvf_pci_sriov_physfn(struct uvf_pci_ctx *ctx, const char *vf,
			 char out[UVF_PCI_BDF_LEN])
{
	return sriov_link(ctx, vf, "physfn", out, -ENOENT);
}
