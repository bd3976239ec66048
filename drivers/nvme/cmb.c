/* SPDX-License-Identifier: MIT */
/*
 * Submission queues in the Controller Memory Buffer: memory on the
 * controller, in one of its BARs, that it reads queue entries from without
 * a DMA round trip. The host writes entries there as MMIO. NVMe 1.4 hides
 * CMBLOC/CMBSZ until CMBMSC.CRE is set and decodes CMB addresses only
 * after CMBMSC.CMSE with the base address (CBA) the host picks: here the
 * BAR's bus address, as Linux does, so SQ addresses are the BAR's. Earlier
 * controllers (CAP.CMBS clear, QEMU's legacy-cmb) show the registers at
 * once and decode the BAR's address.
 */
#include <errno.h>
#include <string.h>

#include <uvf/device.h>

#include "nvme_priv.h"

#define PCI_BAR0 0x10
#define PCI_BAR_MEM_TYPE_64 0x4
#define PCI_BAR_FLAGS_MASK 0xfull
#define CMB_SZU_MAX 6		/* 64 GiB units; larger are reserved */

static int cmb_regs_read(struct uvf_nvme_ctrl *ctrl, uint32_t *sz,
			 uint32_t *loc)
{
	int ret = 0;

	if (NVME_CAP_CMBS(ctrl->info.cap))
		ret = nvme_reg_write64(ctrl, NVME_REG_CMBMSC, NVME_CMBMSC_CRE);
	if (!ret)
		ret = nvme_reg_read32(ctrl, NVME_REG_CMBSZ, sz);
	if (!ret)
		ret = nvme_reg_read32(ctrl, NVME_REG_CMBLOC, loc);
	return ret;
}

/* CMSE with CBA: the high half first, as CMSE takes effect on the low. */
static int cmb_space_enable(struct uvf_nvme_ctrl *ctrl, uint64_t addr)
{
	uint32_t sts;
	int ret;

	if (!NVME_CAP_CMBS(ctrl->info.cap))
		return 0;
	ret = nvme_reg_write32(ctrl, NVME_REG_CMBMSC + 4,
			       (uint32_t)(addr >> 32));
	if (!ret)
		ret = nvme_reg_write32(ctrl, NVME_REG_CMBMSC,
				       (uint32_t)((addr & NVME_CMBMSC_CBA_MASK) |
						  NVME_CMBMSC_CRE |
						  NVME_CMBMSC_CMSE));
	if (!ret)
		ret = nvme_reg_read32(ctrl, NVME_REG_CMBSTS, &sts);
	if (!ret && (sts & NVME_CMBSTS_CBAI))
		ret = -EINVAL;
	return ret;
}

/* The bus address BAR @bir decodes, from configuration space. */
static int bar_bus_address(struct uvf_nvme_ctrl *ctrl, unsigned int bir,
			   uint64_t *addr)
{
	uint32_t lo, hi = 0;
	int ret;

	ret = uvf_device_cfg_read(ctrl->dev, PCI_BAR0 + 4 * bir, &lo,
				  sizeof(lo));
	if (!ret && (lo & 0x6) == PCI_BAR_MEM_TYPE_64 && bir < 5)
		ret = uvf_device_cfg_read(ctrl->dev, PCI_BAR0 + 4 * (bir + 1),
					  &hi, sizeof(hi));
	*addr = ((uint64_t)hi << 32 | lo) & ~PCI_BAR_FLAGS_MASK;
	return ret;
}

/* Find, check and map the CMB; enable it for SQs. Changes nothing in
 * @ctrl on failure. */
static int cmb_find(struct uvf_nvme_ctrl *ctrl)
{
	uint64_t unit, size, off, bus, slot;
	struct uvf_bar_info bar;
	uint32_t sz, loc, bir;
	void *map;
	int ret;

	ret = cmb_regs_read(ctrl, &sz, &loc);
	if (ret)
		return ret;
	if (!NVME_CMBSZ_SZ(sz))
		return -ENODEV;
	if (!(sz & NVME_CMBSZ_SQS))
		return -ENOTSUP;
	if (NVME_CMBSZ_SZU(sz) > CMB_SZU_MAX)
		return -EINVAL;
	unit = 4096ull << (4 * NVME_CMBSZ_SZU(sz));
	size = NVME_CMBSZ_SZ(sz) * unit;
	off = NVME_CMBLOC_OFST(loc) * unit;
	bir = NVME_CMBLOC_BIR(loc);
	/* BARs 0 and 1 hold the registers. */
	if (bir < 2 || bir > 5)
		return -EINVAL;
	ret = uvf_device_bar_info(ctrl->dev, bir, &bar);
	if (ret)
		return ret == -ENODEV ? -EINVAL : ret;
	if (!(bar.flags & UVF_BAR_MMIO) || off > bar.size ||
	    size > bar.size - off)
		return -EINVAL;
	/* One slot per I/O queue ID keeps a queue's place across resets. */
	slot = (size / ctrl->info.io_queues) & ~(uint64_t)(NVME_PAGE_SIZE - 1);
	if (!slot)
		return -ENOSPC;
	ret = uvf_device_bar_map(ctrl->dev, bir, &map);
	if (!ret)
		ret = bar_bus_address(ctrl, bir, &bus);
	if (!ret)
		ret = cmb_space_enable(ctrl, bus + off);
	if (ret)
		return ret;
	ctrl->cmb = (volatile uint8_t *)map + off;
	ctrl->cmb_addr = bus + off;
	ctrl->cmb_slot = slot;
	ctrl->cmbsz = sz;
	ctrl->cmbloc = loc;
	ctrl->info.cmb_size = size;
	return 0;
}

void nvme_cmb_disable(struct uvf_nvme_ctrl *ctrl)
{
	/* Nothing decoded as CMB any more: a later user may not want it. */
	if (NVME_CAP_CMBS(ctrl->info.cap))
		nvme_reg_write64(ctrl, NVME_REG_CMBMSC, 0);
}

int nvme_cmb_setup(struct uvf_nvme_ctrl *ctrl)
{
	int ret;

	ctrl->info.cmb_error = 0;
	if (ctrl->opts.cmb == UVF_NVME_CMB_OFF) {
		nvme_cmb_disable(ctrl);
		return 0;
	}
	ret = cmb_find(ctrl);
	if (!ret)
		return 0;
	/* CRE may be set: leave nothing enabled. */
	nvme_cmb_disable(ctrl);
	if (ctrl->opts.cmb == UVF_NVME_CMB_ON)
		return ret;
	/* Auto: a CMB the driver cannot use leaves SQs in host memory. */
	if (ret != -ENODEV && ret != -ENOTSUP && ret != -EINVAL &&
	    ret != -ENOSPC)
		return ret;
	if (ret != -ENODEV)
		ctrl->info.cmb_error = ret;
	return 0;
}

int nvme_cmb_reenable(struct uvf_nvme_ctrl *ctrl)
{
	uint32_t sz, loc;
	int ret;

	if (!ctrl->cmb)
		return 0;
	ret = cmb_regs_read(ctrl, &sz, &loc);
	if (ret)
		return ret;
	/* Queues are placed where the CMB was: it must still be there. */
	if (sz != ctrl->cmbsz || loc != ctrl->cmbloc)
		return -EIO;
	return cmb_space_enable(ctrl, ctrl->cmb_addr);
}

void nvme_cmb_place_sq(struct uvf_nvme_qpair *qp)
{
	struct uvf_nvme_ctrl *ctrl = qp->ctrl;
	uint64_t off;

	qp->sq_mmio = NULL;
	qp->sq_addr = qp->mem_iova;
	if (!ctrl->cmb || !qp->qid ||
	    ((uint64_t)qp->size << NVME_SQE_SHIFT) > ctrl->cmb_slot)
		return;
	off = (uint64_t)(qp->qid - 1) * ctrl->cmb_slot;
	qp->sq_mmio = (volatile uint64_t *)(ctrl->cmb + off);
	qp->sq_addr = ctrl->cmb_addr + off;
}

void nvme_cmb_sqe_write(struct uvf_nvme_qpair *qp, uint32_t idx,
			const struct uvf_nvme_cmd *cmd)
{
	volatile uint64_t *e = qp->sq_mmio + (size_t)idx * 8;
	uint64_t w[8];
	unsigned int i;

	/* Whole 64-bit stores: a controller may not take narrower ones to
	 * its CMB. The doorbell write after it carries the barrier. */
	memcpy(w, cmd, sizeof(w));
	for (i = 0; i < 8; i++)
		uvf_mmio_write64(e, i * 8, w[i]);
}
