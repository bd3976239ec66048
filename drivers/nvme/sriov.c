// SPDX-License-Identifier: MIT
/*
 * SR-IOV: a VF's secondary controller starts offline without queues or
 * interrupts; the primary controller's driver assigns them flexible
 * resources and sets it online (NVMe Virtualization Management).
 */
#include <errno.h>
#include <stdlib.h>

#include "nvme_priv.h"
#include "nvme_regs.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* The secondary controller of VF @vf_index and whether it is online:
 * -ENODEV when the list has none for it, or the Identify's error. */
static int find_secondary(struct uvf_nvme_ctrl *ctrl, unsigned int vf_index,
			  uint16_t *cntlid, bool *online)
{
	uint8_t *list = malloc(NVME_IDENTIFY_SIZE);
	unsigned int n;
	int ret;

	if (!list)
		return -ENOMEM;
	ret = uvf_nvme_identify(ctrl, NVME_CNS_SECONDARY_CTRL_LIST, 0, list);
	if (ret)
		goto out;
	n = list[0] < NVME_SCL_MAX ? list[0] : NVME_SCL_MAX;
	ret = -ENODEV;
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *e = list + NVME_SCL_ENTRY(i);

		if (get16(e + NVME_SCE_VFN) == vf_index + 1) {
			*cntlid = get16(e + NVME_SCE_SCID);
			*online = e[NVME_SCE_SCS] & 1;
			ret = 0;
			break;
		}
	}
out:
	free(list);
	return ret;
}

static int virt_mgmt(struct uvf_nvme_ctrl *ctrl, unsigned int act,
		     unsigned int rt, uint16_t cntlid, unsigned int nr)
{
	struct uvf_nvme_cmd cmd = {
		.opc = NVME_ADMIN_VIRT_MGMT,
		.cdw10 = NVME_VM_CDW10(act, rt, cntlid),
		.cdw11 = nr,
	};

	return uvf_nvme_admin(ctrl, &cmd, NULL, 0, NULL);
}

int uvf_nvme_vf_online(struct uvf_nvme_ctrl *ctrl, unsigned int vf_index,
		       unsigned int nr_vq, unsigned int nr_vi)
{
	uint16_t cntlid;
	bool online;
	int ret;

	if (!ctrl || nr_vq < 2 || nr_vi < 1 || nr_vq > 0xffff ||
	    nr_vi > 0xffff || vf_index >= 0xffff)
		return -EINVAL;
	ret = find_secondary(ctrl, vf_index, &cntlid, &online);
	/* QEMU 7.2 has Virtualization Management without OACS bit 7: a
	 * Secondary Controller List says so as well. Without either the
	 * Identify is an Invalid Field (-EINVAL) or Opcode. */
	if ((ret == -EINVAL || ret == -EOPNOTSUPP) &&
	    !(ctrl->info.oacs & NVME_OACS_VIRT_MGMT))
		return -ENOTSUP;
	if (!ret && online)
		ret = virt_mgmt(ctrl, NVME_VM_ACT_SEC_OFFLINE, 0, cntlid, 0);
	if (!ret)
		ret = virt_mgmt(ctrl, NVME_VM_ACT_SEC_ASSIGN, NVME_VM_RT_VQ,
				cntlid, nr_vq);
	if (!ret)
		ret = virt_mgmt(ctrl, NVME_VM_ACT_SEC_ASSIGN, NVME_VM_RT_VI,
				cntlid, nr_vi);
	if (!ret)
		ret = virt_mgmt(ctrl, NVME_VM_ACT_SEC_ONLINE, 0, cntlid, 0);
	return ret;
}
