/* SPDX-License-Identifier: MIT */
/*
 * Queue pairs: one submission and one completion queue, the command slots
 * behind them, submission (PRPs, doorbell) and completion (phase bit,
 * deadlines). Used by one thread, so nothing here locks.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/vfio.h>

#include "nvme_priv.h"

/* How often a queue with commands outstanding reads CSTS and looks for
 * missed deadlines. */
#define CHECK_INTERVAL_NS 10000000ull
/* Longest sleep on an interrupt vector that other queues share. */
#define SHARED_IRQ_SLEEP_MS 1

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

void nvme_qpair_set_qid(struct uvf_nvme_qpair *qp, uint16_t qid)
{
	struct uvf_nvme_ctrl *ctrl = qp->ctrl;
	uint32_t dstrd = NVME_CAP_DSTRD(ctrl->info.cap);

	qp->qid = qid;
	qp->sq_db = nvme_sq_doorbell(qid, dstrd);
	qp->cq_db = nvme_cq_doorbell(qid, dstrd);
	/* Admin commands are rare and waited for one by one. */
	qp->ring_per_cmd = !qid ||
			   ctrl->opts.doorbell == UVF_NVME_DOORBELL_PER_CMD;
	nvme_dbbuf_attach(qp);
}

int nvme_qpair_alloc(struct uvf_nvme_ctrl *ctrl, uint32_t size,
		     uint32_t max_xfer, struct uvf_nvme_qpair **out)
{
	struct uvf_nvme_qpair *qp = calloc(1, sizeof(*qp));
	size_t sq_bytes = (size_t)size << NVME_SQE_SHIFT;
	size_t cq_bytes = (size_t)size << NVME_CQE_SHIFT;
	uint32_t i;
	int ret;

	if (!qp)
		return -ENOMEM;
	qp->ctrl = ctrl;
	qp->dev = ctrl->dev;
	qp->size = size;
	qp->nslots = size - 1;
	qp->max_xfer = max_xfer;
	qp->phase = 1;
	qp->irq_vec = -1;
	qp->timeout_ns = (uint64_t)ctrl->opts.cmd_timeout_ms * 1000000;
	sq_bytes = (sq_bytes + NVME_PAGE_SIZE - 1) & ~(size_t)(NVME_PAGE_SIZE - 1);
	qp->mem_size = sq_bytes + cq_bytes;
	qp->reqs = calloc(qp->nslots, sizeof(*qp->reqs));
	qp->free_cids = calloc(qp->nslots, sizeof(*qp->free_cids));
	ret = -ENOMEM;
	if (!qp->reqs || !qp->free_cids)
		goto err;
	qp->prp_pages = nvme_slot_list_pages(ctrl, max_xfer);
	if (qp->prp_pages) {
		qp->prp = calloc((size_t)qp->nslots * qp->prp_pages,
				 sizeof(*qp->prp));
		if (!qp->prp)
			goto err;
	}
	ret = nvme_dma_alloc(ctrl, &qp->mem_size, &qp->mem, &qp->mem_iova);
	if (ret)
		goto err;
	qp->sq = qp->mem;
	qp->sq_addr = qp->mem_iova;
	qp->cq = (volatile struct nvme_cqe *)((char *)qp->mem + sq_bytes);
	/* Lowest command IDs first: easier to read in traces. */
	for (i = 0; i < qp->nslots; i++)
		qp->free_cids[i] = (uint16_t)(qp->nslots - 1 - i);
	qp->nfree = qp->nslots;
	nvme_qpair_set_qid(qp, 0);
	*out = qp;
	return 0;
err:
	free(qp->prp);
	free(qp->reqs);
	free(qp->free_cids);
	free(qp);
	return ret;
}

void nvme_qpair_free(struct uvf_nvme_qpair *qp)
{
	uint32_t i;

	if (!qp)
		return;
	for (i = 0; qp->prp_pages && i < qp->nslots; i++)
		nvme_prp_lists_release(qp, &qp->prp[(size_t)i * qp->prp_pages]);
	nvme_dma_free(qp->ctrl, qp->mem_size, qp->mem, qp->mem_iova);
	free(qp->prp);
	free(qp->reqs);
	free(qp->free_cids);
	free(qp);
}

struct contig {
	uintptr_t va;
	uvf_iova_t iova;
};

static int xlate_contig(const void *ctx, const void *vaddr, uvf_iova_t *iova)
{
	const struct contig *c = ctx;

	*iova = c->iova + ((uintptr_t)vaddr - c->va);
	return 0;
}

static int xlate_registered(const void *ctx, const void *vaddr,
			    uvf_iova_t *iova)
{
	return uvf_dma_vtoiova(ctx, vaddr, iova);
}

/* A slot takes its list pages at its first command that needs them. */
static int take_lists(struct uvf_nvme_qpair *qp, struct nvme_prp_page *lists,
		      bool *filled)
{
	int ret = *filled ? 0 : nvme_prp_lists_fill(qp, lists);

	if (!ret)
		*filled = true;
	return ret;
}

/* The data pointer: SGL1 and descriptor pages, else PRPs. An automatic
 * SGL choice falls back to PRPs when the descriptors do not fit. */
static int build_dptr(struct uvf_nvme_qpair *qp, uint16_t cid,
		      struct uvf_nvme_cmd *cmd, const struct nvme_xfer *x,
		      nvme_xlate_fn xlate, const void *ctx)
{
	struct nvme_prp_page *lists =
		qp->prp_pages ? &qp->prp[(size_t)cid * qp->prp_pages] : NULL;
	bool dword = NVME_SGLS_SUPPORT(qp->ctrl->info.sgls) ==
		     NVME_SGLS_DWORD_ALIGN;
	bool filled = lists && lists[0].va;
	struct nvme_sgl_desc sgl1;
	int ret;

	/* A slot takes its list pages at its first command that needs
	 * them: an SGL of more than one data block, or PRPs over more than
	 * two pages. Buffers contiguous in device memory never do. */
	if (x->sgl) {
		ret = nvme_sgl_build(x->buf, x->len, dword, xlate, ctx, lists,
				     filled ? qp->prp_pages : 0, &sgl1);
		if (ret == -E2BIG && lists && !filled) {
			ret = take_lists(qp, lists, &filled);
			if (!ret)
				ret = nvme_sgl_build(x->buf, x->len, dword, xlate,
						     ctx, lists, qp->prp_pages,
						     &sgl1);
		}
		if (!ret) {
			memcpy(&cmd->prp1, &sgl1, sizeof(sgl1));
			cmd->flags = (uint8_t)((cmd->flags & ~NVME_PSDT_MASK) |
					       NVME_PSDT_SGL_MPTR_ADDR);
			return 0;
		}
		if (ret != -E2BIG)
			return ret;
		if (qp->ctrl->opts.sgl == UVF_NVME_SGL_ALWAYS)
			return -EINVAL;
	}
	if (lists && nvme_pages_spanned((uintptr_t)x->buf, x->len) > 2) {
		ret = take_lists(qp, lists, &filled);
		if (ret)
			return ret;
	}
	return nvme_prp_build(x->buf, x->len, xlate, ctx, lists, qp->prp_pages,
			      &cmd->prp1, &cmd->prp2);
}

/* A command's buffer: registered memory is translated page by page;
 * anything else is mapped for this command only. */
static int map_data(struct uvf_nvme_qpair *qp, uint16_t cid,
		    struct nvme_req *req, struct uvf_nvme_cmd *cmd,
		    const struct nvme_xfer *x)
{
	struct contig c = { (uintptr_t)x->buf, x->iova ? *x->iova : 0 };
	int ret;

	if (x->iova)
		return build_dptr(qp, cid, cmd, x, xlate_contig, &c);
	ret = build_dptr(qp, cid, cmd, x, xlate_registered, qp->dev);
	if (ret != -ENOENT)
		return ret;
	ret = uvf_dma_map_page(qp->dev, x->buf, x->len, x->dir, &c.iova);
	if (ret)
		return ret;
	ret = build_dptr(qp, cid, cmd, x, xlate_contig, &c);
	if (ret) {
		uvf_dma_unmap_page(qp->dev, c.iova, x->len, x->dir);
		return ret;
	}
	req->map_vaddr = x->buf;
	req->map_iova = c.iova;
	req->map_len = x->len;
	return 0;
}

/* Separate metadata: MPTR holds one address, so the buffer must be
 * contiguous in device memory; unregistered ones are mapped whole. */
static int map_md(struct uvf_nvme_qpair *qp, struct nvme_req *req,
		  struct uvf_nvme_cmd *cmd, const struct nvme_xfer *x)
{
	uintptr_t va = (uintptr_t)x->md, end = va + x->md_len, page;
	uvf_iova_t first, iova;
	int ret;

	if ((va & 3) || end - 1 < va)
		return -EINVAL;
	ret = uvf_dma_vtoiova(qp->dev, x->md, &first);
	page = (va & ~(uintptr_t)(NVME_PAGE_SIZE - 1)) + NVME_PAGE_SIZE;
	for (; !ret && page < end; page += NVME_PAGE_SIZE) {
		ret = uvf_dma_vtoiova(qp->dev, (const void *)page, &iova);
		if (!ret && iova != first + (page - va))
			return -EINVAL;
	}
	if (ret == -ENOENT) {
		ret = uvf_dma_map_page(qp->dev, x->md, x->md_len, x->dir,
				       &first);
		if (ret)
			return ret;
		req->md_map_vaddr = x->md;
		req->md_map_iova = first;
		req->md_map_len = x->md_len;
	}
	if (!ret)
		cmd->mptr = first;
	return ret;
}

/* Per-command mappings go when the command does (both share its
 * direction). */
static void unmap_data(struct uvf_nvme_qpair *qp, struct nvme_req *req)
{
	if (req->md_map_vaddr) {
		uvf_dma_unmap_page(qp->dev, req->md_map_iova, req->md_map_len,
				   req->map_dir);
		req->md_map_vaddr = NULL;
	}
	if (!req->map_vaddr)
		return;
	uvf_dma_unmap_page(qp->dev, req->map_iova, req->map_len, req->map_dir);
	req->map_vaddr = NULL;
}

/* Queue entries reach memory before the shadow value. */
static void shadow_store(volatile uint32_t *shadow, uint32_t val)
{
	uvf_mmio_wmb();
	*shadow = val;
}

/* With shadow doorbells: store @val in the shadow entry, then ask the
 * controller's EventIdx whether the step from @old, the value last rung,
 * must be announced by the register too. */
static bool shadow_needs_write(volatile uint32_t *shadow,
			       volatile uint32_t *eventidx, uint32_t val,
			       uint16_t old)
{
	shadow_store(shadow, val);
	/* The shadow value reaches memory before EventIdx is read: the
	 * controller orders its side the same way, so one of us sees the
	 * other. */
	atomic_thread_fence(memory_order_seq_cst);
	return nvme_dbbuf_need_event((uint16_t)*eventidx, (uint16_t)val, old);
}

static int ring(struct uvf_nvme_qpair *qp, bool sq, uint32_t val)
{
	volatile uint32_t *shadow = sq ? qp->sq_shadow : qp->cq_shadow;
	volatile uint32_t *eventidx = sq ? qp->sq_eventidx : qp->cq_eventidx;
	uint64_t off = sq ? qp->sq_db : qp->cq_db;
	/* The value last rung: the SQ shadow tail may be ahead of it
	 * (publish_sq()); the CQ shadow head is written only here. */
	uint16_t old = (uint16_t)(sq ? qp->sq_rung : shadow ? *shadow : 0);

	/* The admin queue's shadow entries are kept current, but its
	 * register is always written (Linux never shadows it). */
	if (shadow && !shadow_needs_write(shadow, eventidx, val, old) &&
	    qp->qid) {
		if (sq)
			qp->st.sq_shadow_updates++;
		else
			qp->st.cq_shadow_updates++;
		return 0;
	}
	if (sq)
		qp->st.sq_doorbell_writes++;
	else
		qp->st.cq_doorbell_writes++;
	if (qp->ctrl->bar0) {
		/* Queue entries reach memory before the doorbell write. */
		uvf_mmio_doorbell32(qp->ctrl->bar0, off, val);
		return 0;
	}
	return uvf_device_bar_write(qp->dev, 0, off, val, 4);
}

/* Whether the CQ head must be written before the controller is given
 * @extra more commands. A polled batching pair writes it only when the
 * controller could otherwise find the queue full: entries it was not told
 * are free, plus one per command that may still complete, must fit in
 * size - 1. Interrupt-driven pairs write it at once (the head write is
 * what lets a level-triggered interrupt drop), and so do the admin queue
 * and UVF_NVME_DOORBELL_PER_CMD pairs (the old behaviour). */
static bool cq_head_due(const struct uvf_nvme_qpair *qp, uint32_t extra)
{
	if (!qp->cq_unrung)
		return false;
	if (qp->ring_per_cmd || qp->irq_vec >= 0)
		return true;
	return qp->cq_unrung + (qp->nslots - qp->nfree) + extra > qp->size - 1;
}

static int ring_cq_head(struct uvf_nvme_qpair *qp)
{
	int ret = ring(qp, false, qp->cq_head);

	if (!ret)
		qp->cq_unrung = 0;
	return ret;
}

static int ring_sq_tail(struct uvf_nvme_qpair *qp, uint32_t tail)
{
	int ret = 0;

	/* Room for every completion the new tail can bring. */
	if (cq_head_due(qp, nvme_ring_used(qp->sq_tail, tail, qp->size)))
		ret = ring_cq_head(qp);
	if (!ret)
		ret = ring(qp, true, tail);

	if (!ret)
		qp->sq_rung = tail;
	return ret;
}

int nvme_qpair_ring_sq(struct uvf_nvme_qpair *qp)
{
	int ret;

	qp->batch_open = false;
	if (qp->sq_rung == qp->sq_tail)
		return 0;
	ret = ring_sq_tail(qp, qp->sq_tail);
	/* Commands the controller cannot be told of would only time out:
	 * fail it now, which completes them. */
	if (ret)
		nvme_ctrl_fail(qp->ctrl, ret);
	return ret;
}

/* A submission held back for the batch's SQ tail write is still stored
 * in the shadow tail at once: a controller that polls the shadow buffer
 * (an emulated one, still working through the queue) can take it now. The
 * EventIdx check, and the register write it may ask for, wait for the
 * batch. */
static void publish_sq(struct uvf_nvme_qpair *qp, uint32_t tail)
{
	if (qp->sq_shadow)
		shadow_store(qp->sq_shadow, tail);
}

/* Ring now: per-command mode, an idle queue pair (nothing for the
 * controller to work on meanwhile: waiting would only add latency), or a
 * full batch. */
static bool ring_now(const struct uvf_nvme_qpair *qp, uint32_t tail)
{
	if (qp->ring_per_cmd)
		return true;
	if (qp->batch_open)
		return nvme_ring_used(qp->sq_rung, tail, qp->size) >=
		       NVME_SQ_BATCH_MAX;
	return qp->nfree == qp->nslots ||
	       nvme_ring_used(qp->sq_rung, tail, qp->size) >= NVME_SQ_BATCH_MAX;
}

int nvme_qpair_submit(struct uvf_nvme_qpair *qp,
		      const struct uvf_nvme_cmd *in, void *buf, size_t len,
		      enum uvf_dma_dir dir, const uvf_iova_t *iova,
		      uvf_nvme_cb cb, void *arg)
{
	const struct nvme_xfer x = {
		.buf = buf, .len = len, .dir = dir, .iova = iova,
	};

	return nvme_qpair_submit_xfer(qp, in, &x, cb, arg);
}

int nvme_qpair_submit_xfer(struct uvf_nvme_qpair *qp,
			   const struct uvf_nvme_cmd *in,
			   const struct nvme_xfer *x, uvf_nvme_cb cb,
			   void *arg)
{
	int ret = atomic_load_explicit(&qp->ctrl->error, memory_order_relaxed);
	struct uvf_nvme_cmd cmd = *in;
	struct nvme_req *req;
	uint32_t tail;
	uint16_t cid;

	if (ret)
		return ret;
	if (!cb || !x->buf != !x->len || x->len > qp->max_xfer ||
	    !x->md != !x->md_len || (x->md && !x->len))
		return -EINVAL;
	if (!qp->nfree)
		return -EAGAIN;
	cid = qp->free_cids[qp->nfree - 1];
	req = &qp->reqs[cid];
	cmd.cid = cid;
	req->map_dir = x->dir;
	if (x->len) {
		ret = map_data(qp, cid, req, &cmd, x);
		if (ret)
			return ret;
	}
	if (x->md) {
		ret = map_md(qp, req, &cmd, x);
		if (ret) {
			unmap_data(qp, req);
			return ret;
		}
	}
	if (qp->sq_mmio)
		nvme_cmb_sqe_write(qp, qp->sq_tail, &cmd);
	else
		qp->sq[qp->sq_tail] = cmd;
	tail = nvme_ring_next(qp->sq_tail, qp->size);
	if (ring_now(qp, tail))
		ret = ring_sq_tail(qp, tail);
	else
		publish_sq(qp, tail);
	if (ret) {
		/* The controller never saw the entry: nothing to undo but
		 * the mapping. Entries held back before it stay held. */
		unmap_data(qp, req);
		return ret;
	}
	qp->sq_tail = tail;
	qp->nfree--;
	qp->st.submitted++;
	req->cb = cb;
	req->arg = arg;
	req->busy = true;
	req->timed_out = false;
	req->deadline_ns = uvf_now_ns() + qp->timeout_ns;
	return 0;
}

/* Release the slot before calling back, so the callback can submit. */
static void finish(struct uvf_nvme_qpair *qp, uint16_t cid, int err,
		   const struct uvf_nvme_cpl *cpl)
{
	struct nvme_req *req = &qp->reqs[cid];

	unmap_data(qp, req);
	req->busy = false;
	qp->free_cids[qp->nfree++] = cid;
	req->cb(req->arg, err, cpl);
}

void nvme_qpair_abort_all(struct uvf_nvme_qpair *qp, int err)
{
	struct uvf_nvme_cpl cpl = { .status = UVF_NVME_STATUS_HOST_ABORTED };
	uint32_t i;

	for (i = 0; i < qp->nslots; i++) {
		if (!qp->reqs[i].busy)
			continue;
		cpl.cid = (uint16_t)i;
		finish(qp, (uint16_t)i,
		       qp->reqs[i].timed_out ? -ETIMEDOUT : err, &cpl);
	}
	nvme_split_abort(qp, err);
}

/* A completion the controller had no business posting means it cannot be
 * trusted with memory any more: -EPROTO fails it. */
static int complete(struct uvf_nvme_qpair *qp, const struct nvme_cqe *c)
{
	struct uvf_nvme_cpl cpl;

	/* The head it reports cannot move backwards or past our tail. */
	if (c->sqid != qp->qid || c->cid >= qp->nslots ||
	    !qp->reqs[c->cid].busy || c->sqhd >= qp->size ||
	    nvme_ring_used(c->sqhd, qp->sq_tail, qp->size) >
		    nvme_ring_used(qp->sq_head, qp->sq_tail, qp->size))
		return -EPROTO;
	qp->sq_head = c->sqhd;
	cpl.dw0 = c->dw0;
	cpl.status = nvme_cqe_status(c->status);
	cpl.cid = c->cid;
	finish(qp, c->cid, uvf_nvme_status_errno(cpl.status), &cpl);
	return 0;
}

/* Fatal status, a vanished device, or a command past its deadline. */
static int check_health(struct uvf_nvme_qpair *qp)
{
	uint64_t now = uvf_now_ns();
	uint32_t csts, i;
	int ret = 0;

	if (now < qp->next_check_ns)
		return 0;
	qp->next_check_ns = now + CHECK_INTERVAL_NS;
	if (nvme_read_csts(qp->ctrl, &csts))
		return -EIO;
	if (csts == UINT32_MAX)
		return -ENODEV;
	if (csts & NVME_CSTS_CFS)
		return -EIO;
	for (i = 0; i < qp->nslots; i++) {
		if (qp->reqs[i].busy && qp->reqs[i].deadline_ns <= now) {
			qp->reqs[i].timed_out = true;
			ret = -ETIMEDOUT;
		}
	}
	return ret;
}

int uvf_nvme_qpair_process(struct uvf_nvme_qpair *qp, unsigned int max)
{
	struct uvf_nvme_ctrl *ctrl = qp->ctrl;
	const struct uvf_nvme_fault_ops *f;
	unsigned int n = 0;
	struct nvme_cqe c;
	int err = 0;

	if (atomic_load_explicit(&ctrl->error, memory_order_relaxed))
		goto failed;
	/* Held-back submissions go out before we look for completions. */
	if (nvme_qpair_ring_sq(qp))
		goto failed;
	f = atomic_load_explicit(&nvme_fault, memory_order_relaxed);
	while (!max || n < max) {
		volatile struct nvme_cqe *e = &qp->cq[qp->cq_head];

		if ((e->status & 1) != qp->phase)
			break;
		/* The rest of the entry is read after its phase bit. */
		uvf_mmio_rmb();
		c.dw0 = e->dw0;
		c.dw1 = e->dw1;
		c.sqhd = e->sqhd;
		c.sqid = e->sqid;
		c.cid = e->cid;
		c.status = e->status;
		if (f && f->cqe) {
			f->cqe(f->arg, qp->qid, &c);
			if ((c.status & 1) != qp->phase)
				break;
		}
		nvme_cq_advance(&qp->cq_head, &qp->phase, qp->size);
		n++;
		err = complete(qp, &c);
		if (err)
			break;
	}
	qp->st.polls++;
	qp->st.completed += n;
	if (!n)
		qp->st.idle_polls++;
	/* At most one CQ head write for the whole batch of completions. */
	qp->cq_unrung += n;
	if (cq_head_due(qp, 0))
		ring_cq_head(qp);
	/* Slots were freed: children of split requests waiting go out. */
	if (!err && qp->split_head)
		nvme_split_kick(qp);
	/* What the callbacks and splits submitted: one SQ tail write. */
	if (!err && nvme_qpair_ring_sq(qp))
		goto failed;
	if (!err && qp->nfree < qp->nslots)
		err = check_health(qp);
	if (err)
		nvme_ctrl_fail(ctrl, err);
	else if (!atomic_load_explicit(&ctrl->error, memory_order_relaxed))
		return (int)n;
failed:
	err = atomic_load(&ctrl->error);
	/* The reset completed this pair's commands too. */
	if (nvme_ctrl_recover(qp, err))
		return -ECONNRESET;
	nvme_qpair_abort_all(qp, err);
	return err;
}

int uvf_nvme_qpair_wait(struct uvf_nvme_qpair *qp, int timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX
					   : uvf_now_ns() +
						     (uint64_t)timeout_ms * 1000000;
	uint64_t now, until;
	int n;

	for (;;) {
		if (qp->nfree == qp->nslots &&
		    !atomic_load_explicit(&qp->ctrl->error,
					  memory_order_relaxed))
			return -EAGAIN;
		n = uvf_nvme_qpair_process(qp, 0);
		if (n)
			return n;
		now = uvf_now_ns();
		if (now >= deadline)
			return -ETIMEDOUT;
		if (qp->irq_vec < 0) {
			cpu_relax();
			continue;
		}
		/* Sleep until an interrupt, but wake for the next health
		 * check so deadlines are still enforced. */
		until = deadline < qp->next_check_ns ? deadline
						     : qp->next_check_ns;
		until = until > now ? (until - now + 999999) / 1000000 : 1;
		/* On a shared vector another queue's thread may consume our
		 * interrupt: sleep briefly, then look at the queue anyway. */
		if (qp->irq_shared && until > SHARED_IRQ_SLEEP_MS)
			until = SHARED_IRQ_SLEEP_MS;
		n = until > INT_MAX ? INT_MAX : (int)until;
		n = uvf_device_irq_wait(qp->dev, (unsigned int)qp->irq_vec, n);
		if (n < 0 && n != -ETIMEDOUT)
			return n;
		/* VFIO masks a fired INTx line until it is unmasked. */
		if (n > 0 && qp->ctrl->irq_kind == UVF_IRQ_INTX)
			uvf_vfio_device_intx_unmask(qp->dev);
	}
}

void uvf_nvme_sync_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct uvf_nvme_sync *s = arg;

	s->err = err;
	s->cpl = *cpl;
	s->done = true;
}

int uvf_nvme_sync_wait(struct uvf_nvme_qpair *qp, struct uvf_nvme_sync *s)
{
	/* Other errors cannot leave the command pending for ever: its
	 * deadline fails the controller, which completes it. */
	while (!s->done)
		if (uvf_nvme_qpair_wait(qp, -1) == -EAGAIN && !s->done)
			return -EINVAL;	/* not a command of this pair */
	return s->err;
}

void uvf_nvme_qpair_batch_begin(struct uvf_nvme_qpair *qp)
{
	qp->batch_open = !qp->ring_per_cmd;
}

int uvf_nvme_qpair_ring(struct uvf_nvme_qpair *qp)
{
	int ret = atomic_load_explicit(&qp->ctrl->error, memory_order_relaxed);

	if (ret) {
		qp->batch_open = false;
		return ret;
	}
	return nvme_qpair_ring_sq(qp);
}

int uvf_nvme_qpair_set_doorbell(struct uvf_nvme_qpair *qp,
				enum uvf_nvme_doorbell mode)
{
	int ret;

	if (!qp || !qp->qid || (mode != UVF_NVME_DOORBELL_BATCH &&
				mode != UVF_NVME_DOORBELL_PER_CMD))
		return -EINVAL;
	ret = atomic_load_explicit(&qp->ctrl->error, memory_order_relaxed);
	if (ret)
		return ret;
	if (mode == UVF_NVME_DOORBELL_PER_CMD) {
		/* Per command, nothing is ever held back: what batching
		 * held goes out before the switch. */
		ret = nvme_qpair_ring_sq(qp);
		if (!ret && qp->cq_unrung)
			ret = ring_cq_head(qp);
		if (ret)
			return ret;
	}
	qp->ring_per_cmd = mode == UVF_NVME_DOORBELL_PER_CMD;
	return 0;
}

unsigned int uvf_nvme_qpair_id(const struct uvf_nvme_qpair *qp)
{
	return qp->qid;
}

bool uvf_nvme_qpair_sq_in_cmb(const struct uvf_nvme_qpair *qp)
{
	return qp->sq_mmio != NULL;
}

unsigned int uvf_nvme_qpair_outstanding(const struct uvf_nvme_qpair *qp)
{
	return qp->nslots - qp->nfree;
}

int uvf_nvme_qpair_get_stats(const struct uvf_nvme_qpair *qp,
			     struct uvf_nvme_qpair_stats *st)
{
	if (!qp || !st)
		return -EINVAL;
	*st = qp->st;
	return 0;
}
