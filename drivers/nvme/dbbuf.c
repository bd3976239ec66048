/* SPDX-License-Identifier: MIT */
/*
 * Shadow doorbells (Doorbell Buffer Config, NVMe 1.3): two pages the host
 * gives the controller, laid out like the doorbell registers. The host
 * stores each new SQ tail and CQ head in the shadow page; the controller
 * reads them from there and writes, in the EventIdx page, the value past
 * which it wants a register write to wake it up. Paravirtual controllers
 * (QEMU's nvme among them) offer it to save MMIO exits.
 */
#include <errno.h>
#include <string.h>

#include <uvf/dma.h>

#include "nvme_priv.h"

/* Dword index of queue @qid's SQ (@cq false) or CQ doorbell entry. */
static size_t entry_index(const struct uvf_nvme_ctrl *ctrl, uint16_t qid,
			  bool cq)
{
	return (size_t)(2u * qid + cq) << NVME_CAP_DSTRD(ctrl->info.cap);
}

/* Both pages must hold an entry for every queue the controller has. */
static bool fits_one_page(const struct uvf_nvme_ctrl *ctrl)
{
	return (entry_index(ctrl, (uint16_t)ctrl->info.io_queues, true) + 1) *
		       sizeof(uint32_t) <=
	       NVME_PAGE_SIZE;
}

/* Every queue pair lets go of the pages first: none may keep pointing
 * into freed memory, whatever becomes of new ones. */
static void free_pages(struct uvf_nvme_ctrl *ctrl)
{
	uint32_t *shadow = ctrl->dbbuf_shadow;
	uint32_t *eventidx = ctrl->dbbuf_eventidx;
	unsigned int qid;

	ctrl->dbbuf_shadow = NULL;
	ctrl->dbbuf_eventidx = NULL;
	if (ctrl->admin)
		nvme_dbbuf_attach(ctrl->admin);
	for (qid = 1; ctrl->qpairs && qid <= ctrl->info.io_queues; qid++)
		if (ctrl->qpairs[qid])
			nvme_dbbuf_attach(ctrl->qpairs[qid]);
	if (shadow)
		nvme_dma_free(ctrl, NVME_PAGE_SIZE, shadow,
			      ctrl->dbbuf_shadow_iova);
	if (eventidx)
		nvme_dma_free(ctrl, NVME_PAGE_SIZE, eventidx,
			      ctrl->dbbuf_eventidx_iova);
}

int nvme_dbbuf_setup(struct uvf_nvme_ctrl *ctrl)
{
	struct uvf_nvme_cmd cmd = { .opc = NVME_ADMIN_DBBUF_CONFIG };
	void *shadow = NULL, *eventidx = NULL;
	size_t size = NVME_PAGE_SIZE;	/* one page: contiguous anywhere */
	int ret;

	/* Again after a controller reset: the pages start afresh. */
	free_pages(ctrl);
	ctrl->info.shadow_doorbells = false;
	if (ctrl->opts.no_shadow_doorbells ||
	    !(ctrl->info.oacs & NVME_OACS_DBBUF_CONFIG) || !fits_one_page(ctrl))
		return 0;
	ret = nvme_dma_alloc(ctrl, &size, &shadow, &ctrl->dbbuf_shadow_iova);
	if (ret)
		return ret;
	ctrl->dbbuf_shadow = shadow;
	ret = nvme_dma_alloc(ctrl, &size, &eventidx,
			     &ctrl->dbbuf_eventidx_iova);
	if (ret) {
		free_pages(ctrl);
		return ret;
	}
	ctrl->dbbuf_eventidx = eventidx;
	memset(shadow, 0, NVME_PAGE_SIZE);
	memset(eventidx, 0, NVME_PAGE_SIZE);
	cmd.prp1 = ctrl->dbbuf_shadow_iova;
	cmd.prp2 = ctrl->dbbuf_eventidx_iova;
	ret = nvme_admin_sync(ctrl, &cmd, NULL, 0, NULL, NULL);
	if (ret) {
		free_pages(ctrl);
		/* A controller that failed is failed for everything; one
		 * that refused the command still works without it. */
		return atomic_load(&ctrl->error);
	}
	ctrl->info.shadow_doorbells = true;
	nvme_dbbuf_attach(ctrl->admin);
	return 0;
}

void nvme_dbbuf_attach(struct uvf_nvme_qpair *qp)
{
	struct uvf_nvme_ctrl *ctrl = qp->ctrl;
	size_t sq = entry_index(ctrl, qp->qid, false);
	size_t cq = entry_index(ctrl, qp->qid, true);

	/* Queue pairs get ID 0 while they are built: only the admin queue
	 * really has it. */
	if (!ctrl->dbbuf_shadow || (!qp->qid && qp != ctrl->admin)) {
		qp->sq_shadow = qp->cq_shadow = NULL;
		qp->sq_eventidx = qp->cq_eventidx = NULL;
		return;
	}
	qp->sq_shadow = &ctrl->dbbuf_shadow[sq];
	qp->cq_shadow = &ctrl->dbbuf_shadow[cq];
	qp->sq_eventidx = &ctrl->dbbuf_eventidx[sq];
	qp->cq_eventidx = &ctrl->dbbuf_eventidx[cq];
	/* The queue's current values: a queue created now starts at 0,
	 * whatever an earlier queue with this ID left behind. */
	*qp->sq_shadow = qp->sq_rung;
	*qp->cq_shadow = qp->cq_head;
	if (qp->qid) {
		*qp->sq_eventidx = 0;
		*qp->cq_eventidx = 0;
	}
}

void nvme_dbbuf_free(struct uvf_nvme_ctrl *ctrl)
{
	free_pages(ctrl);
}
