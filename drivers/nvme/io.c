/* SPDX-License-Identifier: MIT */
/* The NVM command set commands: Read, Write, Write Zeroes, Flush. */
#include <errno.h>
#include <stdlib.h>

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

static void split_child_done(void *arg, int err,
			     const struct uvf_nvme_cpl *cpl);

/* Send the split's children while slots are free. Return: 0 when all are
 * out, -EAGAIN when the queue is full, else the submission error. */
static int split_send(struct nvme_split *s)
{
	struct uvf_nvme_cmd cmd = s->cmd;
	uint32_t n;
	int ret;

	while (s->left) {
		n = s->left < s->chunk ? s->left : s->chunk;
		cmd.cdw10 = (uint32_t)s->lba;
		cmd.cdw11 = (uint32_t)(s->lba >> 32);
		cmd.cdw12 = n - 1;
		ret = nvme_qpair_submit(s->qp, &cmd, s->buf, (size_t)n << s->shift,
					s->dir, NULL, split_child_done, s);
		if (ret)
			return ret;
		s->outstanding++;
		s->buf += (size_t)n << s->shift;
		s->lba += n;
		s->left -= n;
	}
	return 0;
}

static void split_fail(struct nvme_split *s, int err)
{
	if (s->err)
		return;
	s->err = err;
	s->cpl = (struct uvf_nvme_cpl){ .status = UVF_NVME_STATUS_HOST_ABORTED };
}

static void split_complete(struct nvme_split *s)
{
	uvf_nvme_cb cb = s->cb;
	void *arg = s->arg;
	struct uvf_nvme_cpl cpl = s->cpl;
	int err = s->err;

	free(s);
	cb(arg, err, &cpl);
}

static void split_child_done(void *arg, int err,
			     const struct uvf_nvme_cpl *cpl)
{
	struct nvme_split *s = arg;

	s->outstanding--;
	if (!s->err) {
		s->err = err;
		s->cpl = *cpl;
	}
	/* A waiting split is finished by nvme_split_kick(). */
	if (!s->outstanding && !s->waiting)
		split_complete(s);
}

static void split_wait(struct uvf_nvme_qpair *qp, struct nvme_split *s)
{
	s->waiting = true;
	s->next = NULL;
	if (qp->split_tail)
		qp->split_tail->next = s;
	else
		qp->split_head = s;
	qp->split_tail = s;
}

void nvme_split_kick(struct uvf_nvme_qpair *qp)
{
	struct nvme_split *s;
	int ret;

	while ((s = qp->split_head)) {
		if (!s->err) {
			ret = split_send(s);
			if (ret == -EAGAIN)
				break;
			if (ret)
				split_fail(s, ret);
		}
		qp->split_head = s->next;
		if (!qp->split_head)
			qp->split_tail = NULL;
		s->waiting = false;
		/* Its callback may queue new splits: the loop rereads. */
		if (!s->outstanding)
			split_complete(s);
	}
}

void nvme_split_abort(struct uvf_nvme_qpair *qp, int err)
{
	struct nvme_split *s;

	for (s = qp->split_head; s; s = s->next)
		split_fail(s, err);
	nvme_split_kick(qp);
}

/* A transfer larger than one command may carry (MDTS, or the PRP list
 * pages a slot has), as SPDK's _nvme_ns_cmd_split_request does. */
static int split(struct uvf_nvme_qpair *qp, const struct uvf_nvme_cmd *cmd,
		 void *buf, uint64_t lba, uint32_t nlb, uint32_t shift,
		 enum uvf_dma_dir dir, uvf_nvme_cb cb, void *arg)
{
	struct nvme_split *s;
	int ret;

	if (!cb || (uintptr_t)buf & 3 || !(qp->max_xfer >> shift))
		return -EINVAL;
	ret = atomic_load_explicit(&qp->ctrl->error, memory_order_relaxed);
	if (ret)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*s = (struct nvme_split){
		.qp = qp, .cb = cb, .arg = arg, .cmd = *cmd, .buf = buf,
		.lba = lba, .left = nlb, .chunk = qp->max_xfer >> shift,
		.shift = shift, .dir = dir,
	};
	/* Splits already waiting go first: children stay in order. */
	ret = qp->split_head ? -EAGAIN : split_send(s);
	if (ret == -EAGAIN) {
		split_wait(qp, s);
		return 0;
	}
	if (ret && !s->outstanding) {
		free(s);	/* nothing was sent */
		return ret;
	}
	if (ret)
		split_fail(s, ret);
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
	enum uvf_dma_dir dir = opc == NVME_CMD_READ ? UVF_DMA_FROM_DEVICE
						    : UVF_DMA_TO_DEVICE;
	uint32_t shift;
	int ret;

	if (!qp || !buf || !nlb || nlb > 65536)
		return -EINVAL;
	ret = block_shift(qp, nsid, &shift);
	if (ret)
		return ret;
	if (((uint64_t)nlb << shift) > qp->max_xfer)
		return split(qp, &cmd, buf, lba, nlb, shift, dir, cb, arg);
	return nvme_qpair_submit(qp, &cmd, buf, (size_t)nlb << shift, dir,
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
