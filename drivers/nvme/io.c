/* SPDX-License-Identifier: MIT */
/* The NVM command set commands: Read, Write, Write Zeroes, Flush. */
#include <errno.h>
#include <stdlib.h>

#include "nvme_priv.h"

/* @nsid's format, cached per queue pair: the hot path mostly hits one
 * namespace. */
static int ns_format(struct uvf_nvme_qpair *qp, uint32_t nsid)
{
	const struct uvf_nvme_ns_info *ns;

	if (nsid != qp->ns_nsid || !nsid) {
		ns = nvme_ns_find(qp->ctrl, nsid);
		if (!ns)
			return -ENOENT;
		qp->ns_nsid = nsid;
		qp->ns_block_size = ns->block_size;
		qp->ns_ms = ns->ms;
		qp->ns_md_extended = ns->md_extended;
	}
	return 0;
}

/* One Read or Write child (or a whole request): data, metadata, and the
 * data pointer the policy picks for its size. */
static int send_rw(struct uvf_nvme_qpair *qp, const struct uvf_nvme_cmd *cmd,
		   void *buf, size_t len, void *md, size_t md_len,
		   enum uvf_dma_dir dir, uvf_nvme_cb cb, void *arg)
{
	const struct nvme_xfer x = {
		.buf = buf, .len = len, .dir = dir,
		.sgl = nvme_use_sgl(qp->ctrl, len),
		.md = md, .md_len = md_len,
	};

	return nvme_qpair_submit_xfer(qp, cmd, &x, cb, arg);
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
		ret = send_rw(s->qp, &cmd, s->buf, (size_t)n * s->bsize, s->md,
			      s->md ? (size_t)n * s->ms : 0, s->dir,
			      split_child_done, s);
		if (ret)
			return ret;
		s->outstanding++;
		s->buf += (size_t)n * s->bsize;
		if (s->md)
			s->md += (size_t)n * s->ms;
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

/* A Read or Write request: the buffers, blocks and direction. */
struct rw_req {
	uint8_t opc;
	uint32_t nsid;
	void *buf, *md;
	uint64_t lba;
	uint32_t nlb;
	uint32_t bsize;		/* bytes of @buf per block */
	uint32_t ms;		/* bytes of @md per block */
};

/* A transfer larger than one command may carry (MDTS, or the list pages
 * a slot has), as SPDK's _nvme_ns_cmd_split_request does; separate
 * metadata is split in step with the blocks. */
static int split(struct uvf_nvme_qpair *qp, const struct uvf_nvme_cmd *cmd,
		 const struct rw_req *r, enum uvf_dma_dir dir, uvf_nvme_cb cb,
		 void *arg)
{
	struct nvme_split *s;
	int ret;

	if (!cb || (uintptr_t)r->buf & 3 || qp->max_xfer < r->bsize)
		return -EINVAL;
	ret = atomic_load_explicit(&qp->ctrl->error, memory_order_relaxed);
	if (ret)
		return ret;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	*s = (struct nvme_split){
		.qp = qp, .cb = cb, .arg = arg, .cmd = *cmd, .buf = r->buf,
		.md = r->md, .lba = r->lba, .left = r->nlb,
		.chunk = qp->max_xfer / r->bsize, .bsize = r->bsize,
		.ms = r->ms, .dir = dir,
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

static int rw(struct uvf_nvme_qpair *qp, const struct rw_req *r,
	      uvf_nvme_cb cb, void *arg)
{
	struct uvf_nvme_cmd cmd = {
		.opc = r->opc,
		.nsid = r->nsid,
		.cdw10 = (uint32_t)r->lba,
		.cdw11 = (uint32_t)(r->lba >> 32),
		.cdw12 = r->nlb - 1,	/* 0's based */
	};
	enum uvf_dma_dir dir = r->opc == NVME_CMD_READ ? UVF_DMA_FROM_DEVICE
						       : UVF_DMA_TO_DEVICE;
	uint64_t len = (uint64_t)r->nlb * r->bsize;

	if (len > qp->max_xfer)
		return split(qp, &cmd, r, dir, cb, arg);
	return send_rw(qp, &cmd, r->buf, (size_t)len, r->md,
		       r->md ? (size_t)r->nlb * r->ms : 0, dir, cb, arg);
}

/* Read or Write without metadata. */
static int rw_plain(struct uvf_nvme_qpair *qp, uint8_t opc, uint32_t nsid,
		    void *buf, uint64_t lba, uint32_t nlb, uvf_nvme_cb cb,
		    void *arg)
{
	struct rw_req r = {
		.opc = opc, .nsid = nsid, .buf = buf, .lba = lba, .nlb = nlb,
	};
	int ret;

	if (!qp || !buf || !nlb || nlb > 65536)
		return -EINVAL;
	ret = ns_format(qp, nsid);
	if (ret)
		return ret;
	/* Metadata needs uvf_nvme_read_md() and uvf_nvme_write_md(). */
	if (qp->ns_ms)
		return -EOPNOTSUPP;
	r.bsize = qp->ns_block_size;
	return rw(qp, &r, cb, arg);
}

/* Read or Write with metadata: extended in @io->buf, or separate. */
static int rw_md(struct uvf_nvme_qpair *qp, uint8_t opc, uint32_t nsid,
		 const struct uvf_nvme_md_io *io, uvf_nvme_cb cb, void *arg)
{
	struct rw_req r;
	int ret;

	if (!qp || !io || !io->buf || !io->nlb || io->nlb > 65536)
		return -EINVAL;
	ret = ns_format(qp, nsid);
	if (ret)
		return ret;
	if (!qp->ns_ms)
		return -ENOTSUP;
	r = (struct rw_req){
		.opc = opc, .nsid = nsid, .buf = io->buf, .lba = io->lba,
		.nlb = io->nlb, .bsize = qp->ns_block_size, .ms = qp->ns_ms,
	};
	if (qp->ns_md_extended) {
		r.bsize += qp->ns_ms;
		r.ms = 0;
		if (io->md || io->md_len)
			return -EINVAL;
	} else {
		r.md = io->md;
		if (!io->md || io->md_len != (uint64_t)io->nlb * qp->ns_ms)
			return -EINVAL;
	}
	if (io->len != (uint64_t)io->nlb * r.bsize)
		return -EINVAL;
	return rw(qp, &r, cb, arg);
}

int uvf_nvme_read(struct uvf_nvme_qpair *qp, uint32_t nsid, void *buf,
		  uint64_t lba, uint32_t nlb, uvf_nvme_cb cb, void *arg)
{
	return rw_plain(qp, NVME_CMD_READ, nsid, buf, lba, nlb, cb, arg);
}

int uvf_nvme_write(struct uvf_nvme_qpair *qp, uint32_t nsid, const void *buf,
		   uint64_t lba, uint32_t nlb, uvf_nvme_cb cb, void *arg)
{
	/* The device only reads @buf; the mapping is read-only for it. */
	return rw_plain(qp, NVME_CMD_WRITE, nsid, (void *)(uintptr_t)buf, lba,
			nlb, cb, arg);
}

int uvf_nvme_read_md(struct uvf_nvme_qpair *qp, uint32_t nsid,
		     const struct uvf_nvme_md_io *io, uvf_nvme_cb cb,
		     void *arg)
{
	return rw_md(qp, NVME_CMD_READ, nsid, io, cb, arg);
}

int uvf_nvme_write_md(struct uvf_nvme_qpair *qp, uint32_t nsid,
		      const struct uvf_nvme_md_io *io, uvf_nvme_cb cb,
		      void *arg)
{
	return rw_md(qp, NVME_CMD_WRITE, nsid, io, cb, arg);
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
	int ret;

	if (!qp || !nlb || nlb > 65536)
		return -EINVAL;
	if (!(qp->ctrl->info.oncs & NVME_ONCS_WRITE_ZEROES))
		return -EOPNOTSUPP;
	ret = ns_format(qp, nsid);
	if (ret)
		return ret;
	return nvme_qpair_submit(qp, &cmd, NULL, 0, UVF_DMA_BIDIRECTIONAL,
				 NULL, cb, arg);
}

int uvf_nvme_flush(struct uvf_nvme_qpair *qp, uint32_t nsid, uvf_nvme_cb cb,
		   void *arg)
{
	struct uvf_nvme_cmd cmd = { .opc = NVME_CMD_FLUSH, .nsid = nsid };
	int ret;

	if (!qp)
		return -EINVAL;
	ret = ns_format(qp, nsid);
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
