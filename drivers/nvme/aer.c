/* SPDX-License-Identifier: MIT */
/*
 * Asynchronous Event Requests: admin commands the controller completes
 * only when something happens (an error, a health warning, a notice).
 * Kept outstanding while a callback is registered, re-sent as each
 * completes. Everything here runs with admin_lock held.
 */
#include <errno.h>

#include "nvme_priv.h"

/* Most kept outstanding, whatever AERL allows: events are rare. */
#define MAX_AERS 4u

/* AERs the controller takes and the admin queue can spare a slot for. */
static unsigned int aers_wanted(const struct uvf_nvme_ctrl *ctrl)
{
	unsigned int n = ctrl->info.aerl + 1u;
	unsigned int spare = ctrl->admin->nslots - 1;

	if (n > MAX_AERS)
		n = MAX_AERS;
	return n < spare ? n : spare;
}

static void aer_done(void *arg, int err, const struct uvf_nvme_cpl *cpl);

static int aer_submit(struct uvf_nvme_ctrl *ctrl)
{
	struct uvf_nvme_qpair *aq = ctrl->admin;
	const struct uvf_nvme_cmd cmd = { .opc = NVME_ADMIN_ASYNC_EVENT };
	int ret;

	ret = nvme_qpair_submit(aq, &cmd, NULL, 0, UVF_DMA_BIDIRECTIONAL,
				NULL, aer_done, ctrl);
	if (ret)
		return ret;
	/* It completes when an event happens, maybe never: no deadline.
	 * Its slot is the one just taken off the free list. */
	aq->reqs[aq->free_cids[aq->nfree]].deadline_ns = UINT64_MAX;
	ctrl->aers_armed++;
	return 0;
}

static void aer_done(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct uvf_nvme_ctrl *ctrl = arg;
	struct uvf_nvme_event ev = {
		.type = (uint8_t)(cpl->dw0 & 7),
		.info = (uint8_t)(cpl->dw0 >> 8),
		.log_page = (uint8_t)(cpl->dw0 >> 16),
		.dw0 = cpl->dw0,
	};

	ctrl->aers_armed--;
	/* Aborted (reset, close) or refused: a reset re-arms. */
	if (err)
		return;
	/* Re-arm first, so an event during the callback finds a request;
	 * if that fails the controller has failed, and a reset re-arms. */
	aer_submit(ctrl);
	if (ctrl->event_cb)
		ctrl->event_cb(ctrl->event_arg, &ev);
}

int nvme_aer_arm(struct uvf_nvme_ctrl *ctrl)
{
	unsigned int want = aers_wanted(ctrl);
	int ret = 0;

	if (!want)
		return -ENOSPC;
	while (!ret && ctrl->aers_armed < want)
		ret = aer_submit(ctrl);
	return ret;
}

int uvf_nvme_ctrl_set_event_cb(struct uvf_nvme_ctrl *ctrl,
			       uvf_nvme_event_cb cb, void *arg)
{
	uvf_nvme_event_cb old_cb;
	void *old_arg;
	int ret;

	if (!ctrl || !cb)
		return -EINVAL;
	pthread_mutex_lock(&ctrl->admin_lock);
	old_cb = ctrl->event_cb;
	old_arg = ctrl->event_arg;
	ctrl->event_cb = cb;
	ctrl->event_arg = arg;
	ret = atomic_load(&ctrl->error);
	if (!ret)
		ret = nvme_aer_arm(ctrl);
	/* Bad input changes nothing; requests already out stay, and
	 * report to the earlier callback (none: the event is dropped). */
	if (ret) {
		ctrl->event_cb = old_cb;
		ctrl->event_arg = old_arg;
	}
	pthread_mutex_unlock(&ctrl->admin_lock);
	return ret;
}

int uvf_nvme_ctrl_process_events(struct uvf_nvme_ctrl *ctrl)
{
	int ret;

	if (!ctrl)
		return -EINVAL;
	pthread_mutex_lock(&ctrl->admin_lock);
	ret = uvf_nvme_qpair_process(ctrl->admin, 0);
	pthread_mutex_unlock(&ctrl->admin_lock);
	return ret;
}
