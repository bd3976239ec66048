/* SPDX-License-Identifier: MIT */
/*
 * Controller reset: disable (stopping DMA), hand every outstanding command
 * back with an error, then bring the controller up again on the same
 * queue memory and re-create every queue pair, as Linux's nvme_reset_work
 * does. Automatic after a fatal status or a timeout when the options ask.
 */
#include <errno.h>
#include <string.h>

#include "nvme_priv.h"

/* An empty ring, as a freshly created queue starts: the controller posts
 * phase 1 from entry 0 again, so old entries must not look new. */
static void ring_reset(struct uvf_nvme_qpair *qp)
{
	qp->sq_tail = qp->sq_head = qp->cq_head = qp->sq_rung = 0;
	qp->batch_open = false;
	qp->cq_unrung = 0;
	qp->phase = 1;
	qp->next_check_ns = 0;
	memset((void *)qp->cq, 0, (size_t)qp->size << NVME_CQE_SHIFT);
}

static void abort_everything(struct uvf_nvme_ctrl *ctrl, int err)
{
	unsigned int qid;

	for (qid = 1; qid <= ctrl->info.io_queues; qid++)
		if (ctrl->qpairs[qid])
			nvme_qpair_abort_all(ctrl->qpairs[qid], err);
	nvme_qpair_abort_all(ctrl->admin, err);
}

static int recreate_queues(struct uvf_nvme_ctrl *ctrl)
{
	unsigned int qid, granted, last = 0;
	int ret;

	for (qid = 1; qid <= ctrl->info.io_queues; qid++)
		if (ctrl->qpairs[qid])
			last = qid;
	ret = nvme_set_num_queues(ctrl, ctrl->info.io_queues, &granted);
	if (!ret && granted < last)
		ret = -ENOSPC;
	for (qid = 1; !ret && qid <= last; qid++) {
		if (!ctrl->qpairs[qid])
			continue;
		ring_reset(ctrl->qpairs[qid]);
		/* Shadow entries start from the emptied ring's values. */
		nvme_dbbuf_attach(ctrl->qpairs[qid]);
		ret = nvme_create_io_queues(ctrl->qpairs[qid]);
	}
	return ret;
}

/* Enable on the admin queue we have, then what the controller forgot. */
static int reinit(struct uvf_nvme_ctrl *ctrl)
{
	int ret;

	ring_reset(ctrl->admin);
	pthread_mutex_lock(&ctrl->lock);
	ret = nvme_admin_queue_program(ctrl);
	if (!ret)
		ret = nvme_ctrl_enable(ctrl);
	pthread_mutex_unlock(&ctrl->lock);
	if (ret)
		return ret;
	atomic_store(&ctrl->error, 0);
	/* It may have forgotten the CMB (CMBMSC): the SQs placed there
	 * need it decoded where it was. */
	ret = nvme_cmb_reenable(ctrl);
	/* The controller forgot the shadow doorbells too: set them up
	 * afresh; each queue pair is pointed at the new pages as it is
	 * re-created. */
	if (!ret)
		ret = nvme_dbbuf_setup(ctrl);
	if (!ret)
		ret = recreate_queues(ctrl);
	if (!ret && ctrl->event_cb)
		ret = nvme_aer_arm(ctrl);
	return ret;
}

/* A working controller first deletes its I/O queues, which stops their
 * commands in order, as Linux's nvme_dev_disable() does: disabling with
 * I/O in flight is what a failed controller gets. The commands stay
 * outstanding here, for the reset to complete. Errors are left to the
 * disable that follows. */
static void quiesce(struct uvf_nvme_ctrl *ctrl)
{
	unsigned int qid;

	for (qid = 1; qid <= ctrl->info.io_queues; qid++)
		if (ctrl->qpairs[qid] &&
		    nvme_delete_io_queues(ctrl->qpairs[qid], false))
			return;
}

/* admin_lock held. */
static int ctrl_reset(struct uvf_nvme_ctrl *ctrl)
{
	int ret, cur;

	if (!atomic_load(&ctrl->error))
		quiesce(ctrl);
	/* Submissions fail from here on, callbacks of aborted commands
	 * included, until the controller is back. */
	atomic_store(&ctrl->error, -ECONNRESET);
	pthread_mutex_lock(&ctrl->lock);
	ret = nvme_ctrl_disable(ctrl);
	pthread_mutex_unlock(&ctrl->lock);
	abort_everything(ctrl, -ECONNRESET);
	if (!ret)
		ret = reinit(ctrl);
	if (!ret) {
		ctrl->info.resets++;
		return 0;
	}
	/* Failed: keep the first error an admin command recorded, else
	 * this one; disabled, with nothing outstanding. */
	cur = atomic_load(&ctrl->error);
	if (!cur || cur == -ECONNRESET)
		atomic_store(&ctrl->error, ret);
	pthread_mutex_lock(&ctrl->lock);
	if (ctrl->enabled)
		nvme_ctrl_disable(ctrl);
	pthread_mutex_unlock(&ctrl->lock);
	abort_everything(ctrl, atomic_load(&ctrl->error));
	return ret;
}

int uvf_nvme_ctrl_reset(struct uvf_nvme_ctrl *ctrl)
{
	int ret;

	if (!ctrl)
		return -EINVAL;
	pthread_mutex_lock(&ctrl->admin_lock);
	ret = ctrl_reset(ctrl);
	if (!ret)
		ctrl->auto_reset_failed = false;
	pthread_mutex_unlock(&ctrl->admin_lock);
	return ret;
}

bool nvme_ctrl_recover(struct uvf_nvme_qpair *qp, int err)
{
	struct uvf_nvme_ctrl *ctrl = qp->ctrl;
	int ret;

	/* Fatal status and timeouts only: a removed device cannot come
	 * back, and one posting bogus completions is not to be trusted. */
	if (!qp->qid || !ctrl->opts.reset_on_failure ||
	    (err != -EIO && err != -ETIMEDOUT))
		return false;
	/* Busy admin queue (perhaps this thread's, deleting this pair):
	 * the next call tries again. */
	if (pthread_mutex_trylock(&ctrl->admin_lock))
		return false;
	ret = ctrl->auto_reset_failed ? -EAGAIN : ctrl_reset(ctrl);
	if (ret)
		ctrl->auto_reset_failed = true;
	pthread_mutex_unlock(&ctrl->admin_lock);
	return !ret;
}
