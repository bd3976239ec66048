/* SPDX-License-Identifier: MIT */
/* The NVM command set commands: Read, Write, Write Zeroes, Flush. */
#include <errno.h>

#include "nvme_priv.h"

/* Block size of @nsid as a shift, cached per queue pair: the hot path
 * mostly hits one namespace. */
static int block_shift(struct uvf_nvme_qpair *qp, uint32_t nsid,
		       uint32_t *shift)
{
	const struct uvf_nvme_ns_info *ns;

	if (nsid != qp->ns_nsid || !nsid) {
		ns = nvme_ns_find(qp->ctrl, nsid);
		if (!ns)
			return -ENOENT;
		/* Metadata would need MPTR or extended LBAs: not done. */
		if (ns->ms)
			return -EOPNOTSUPP;
		qp->ns_nsid = nsid;
		qp->ns_block_shift = ns->lbafs[ns->lbaf].lbads;
	}
	*shift = qp->ns_block_shift;
	return 0;
}

static int rw(struct uvf_nvme_qpair *qp, uint8_t opc, uint32_t nsid,
	      void *buf, uint64_t lba, uint32_t nlb, uvf_nvme_cb cb,
	      void *arg)
{
	struct uvf_nvme_cmd cmd = {
		.opc = opc,
		.nsid = nsid,
		.cdw10 = (uint32_t)lba,
		.cdw11 = (uint32_t)(lba >> 32),
		.cdw12 = nlb - 1,	/* 0's based */
	};
	uint32_t shift;
	int ret;

	if (!qp || !buf || !nlb || nlb > 65536)
		return -EINVAL;
	ret = block_shift(qp, nsid, &shift);
	if (ret)
		return ret;
	if (((uint64_t)nlb << shift) > qp->max_xfer)
		return -EINVAL;
	return nvme_qpair_submit(qp, &cmd, buf, (size_t)nlb << shift,
				 opc == NVME_CMD_READ ? UVF_DMA_FROM_DEVICE
						      : UVF_DMA_TO_DEVICE,
				 NULL, cb, arg);
}

int uvf_nvme_read(struct uvf_nvme_qpair *qp, uint32_t nsid, void *buf,
		  uint64_t lba, uint32_t nlb, uvf_nvme_cb cb, void *arg)
{
	return rw(qp, NVME_CMD_READ, nsid, buf, lba, nlb, cb, arg);
}

int uvf_nvme_write(struct uvf_nvme_qpair *qp, uint32_t nsid, const void *buf,
		   uint64_t lba, uint32_t nlb, uvf_nvme_cb cb, void *arg)
{
	/* The device only reads @buf; the mapping is read-only for it. */
	return rw(qp, NVME_CMD_WRITE, nsid, (void *)(uintptr_t)buf, lba, nlb,
		  cb, arg);
}

int uvf_nvme_write_zeroes(struct uvf_nvme_qpair *qp, uint32_t nsid,
			  uint64_t lba, uint32_t nlb, uvf_nvme_cb cb,
			  void *arg)
{
	struct uvf_nvme_cmd cmd = {
		.opc = NVME_CMD_WRITE_ZEROES,
		.nsid = nsid,
		.cdw10 = (uint32_t)lba,
		.cdw11 = (uint32_t)(lba >> 32),
		.cdw12 = nlb - 1,
	};
	uint32_t shift;
	int ret;

	if (!qp || !nlb || nlb > 65536)
		return -EINVAL;
	if (!(qp->ctrl->info.oncs & NVME_ONCS_WRITE_ZEROES))
		return -EOPNOTSUPP;
	ret = block_shift(qp, nsid, &shift);
	if (ret)
		return ret;
	return nvme_qpair_submit(qp, &cmd, NULL, 0, UVF_DMA_BIDIRECTIONAL,
				 NULL, cb, arg);
}

int uvf_nvme_flush(struct uvf_nvme_qpair *qp, uint32_t nsid, uvf_nvme_cb cb,
		   void *arg)
{
	struct uvf_nvme_cmd cmd = { .opc = NVME_CMD_FLUSH, .nsid = nsid };
	uint32_t shift;
	int ret;

	if (!qp)
		return -EINVAL;
	ret = block_shift(qp, nsid, &shift);
	if (ret)
		return ret;
	return nvme_qpair_submit(qp, &cmd, NULL, 0, UVF_DMA_BIDIRECTIONAL,
				 NULL, cb, arg);
}

int uvf_nvme_submit(struct uvf_nvme_qpair *qp, const struct uvf_nvme_cmd *cmd,
		    void *buf, size_t len, enum uvf_dma_dir dir,
		    uvf_nvme_cb cb, void *arg)
{
	if (!qp || !cmd)
		return -EINVAL;
	return nvme_qpair_submit(qp, cmd, buf, len, dir, NULL, cb, arg);
}
