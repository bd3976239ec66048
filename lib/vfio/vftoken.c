// SPDX-License-Identifier: MIT
/*
 * SR-IOV VF tokens: the UUID a vfio-pci PF's user shares with the users of
 * its VFs (the kernel's vfio_pci_validate_vf_token()).
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <uvf/pci_sriov.h>

#include "vfio_priv.h"

int vfio_uuid_parse(const char *s, uint8_t out[16])
{
	static const unsigned char dash[] = { 8, 13, 18, 23 };
	unsigned int n = 0;

	if (!s || strlen(s) != 36)
		return -EINVAL;
	for (unsigned int i = 0, d = 0; i < 36; i++) {
		int v;

		if (d < sizeof(dash) && i == dash[d]) {
			if (s[i] != '-')
				return -EINVAL;
			d++;
			continue;
		}
		if (!isxdigit((unsigned char)s[i]))
			return -EINVAL;
		v = isdigit((unsigned char)s[i]) ? s[i] - '0'
						 : tolower((unsigned char)s[i]) -
							   'a' + 10;
		if (n % 2)
			out[n / 2] = (uint8_t)(out[n / 2] | v);
		else
			out[n / 2] = (uint8_t)(v << 4);
		n++;
	}
	return 0;
}

void vfio_sriov_role(struct vfio_ctx *ctx, const char *bdf, bool *vf,
		     bool *pf)
{
	char physfn[UVF_PCI_BDF_LEN];
	struct uvf_pci_dev *pd;
	unsigned int total;

	*vf = false;
	*pf = !uvf_pci_sriov_totalvfs(ctx->pci, bdf, &total) && total;
	if (uvf_pci_sriov_physfn(ctx->pci, bdf, physfn) ||
	    uvf_pci_dev_open(ctx->pci, physfn, &pd))
		return;
	*vf = uvf_pci_dev_driver(pd) &&
	      !strcmp(uvf_pci_dev_driver(pd), UVF_PCI_VFIO_DRIVER);
	uvf_pci_dev_free(pd);
}

int vfio_set_vf_token(struct vfio_ctx *ctx, int fd, const char *uuid)
{
	/* The header and its 16-byte payload (the header ends in a flexible
	 * array, so it cannot head a struct in ISO C). */
	uint64_t buf[(sizeof(struct vfio_device_feature) + 16 + 7) / 8] = { 0 };
	struct vfio_device_feature *f = (struct vfio_device_feature *)buf;
	int ret;

	f->argsz = sizeof(*f) + 16;
	f->flags = VFIO_DEVICE_FEATURE_SET | VFIO_DEVICE_FEATURE_PCI_VF_TOKEN;
	if (vfio_uuid_parse(uuid, f->data))
		return -EINVAL;
	ret = vfio_ioctl(ctx, fd, VFIO_DEVICE_FEATURE, f);
	/* vfio-pci answers ENOTTY for a function without SR-IOV. */
	return ret == -ENOTTY ? -ENOTSUP : ret;
}

int uvf_vfio_device_set_vf_token(struct uvf_device *dev, const char *uuid)
{
	struct vfio_device *vd = vfio_device_of(dev);

	if (!vd)
		return -EINVAL;
	return vfio_set_vf_token(vd->ctx, vd->fd, uuid);
}
