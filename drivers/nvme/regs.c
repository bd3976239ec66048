/* SPDX-License-Identifier: MIT */
/*
 * Controller registers and the CC.EN / CSTS.RDY handshake. Every wait is
 * bounded by CAP.TO, so a controller that never becomes ready (or never
 * stops) costs the caller at most that long.
 */
#include <errno.h>
#include <unistd.h>

#include <uvf/device.h>

#include "nvme_priv.h"

_Atomic(const struct uvf_nvme_fault_ops *) nvme_fault;

void uvf_nvme_fault_set(const struct uvf_nvme_fault_ops *ops)
{
	atomic_store(&nvme_fault, ops);
}

int nvme_reg_read32(struct uvf_nvme_ctrl *ctrl, uint32_t off, uint32_t *val)
{
	uint64_t v;
	int ret;

	if (ctrl->bar0) {
		*val = uvf_mmio_read32(ctrl->bar0, off);
		return 0;
	}
	ret = uvf_device_bar_read(ctrl->dev, 0, off, &v, 4);
	if (!ret)
		*val = (uint32_t)v;
	return ret;
}

int nvme_reg_write32(struct uvf_nvme_ctrl *ctrl, uint32_t off, uint32_t val)
{
	if (ctrl->bar0) {
		/* Like a doorbell: CC.EN and the admin queue registers
		 * follow the queues' set-up in memory. */
		uvf_mmio_doorbell32(ctrl->bar0, off, val);
		return 0;
	}
	return uvf_device_bar_write(ctrl->dev, 0, off, val, 4);
}

/* 64-bit registers as two dword accesses, low first, which the
 * specification allows and every transport supports. */
int nvme_reg_read64(struct uvf_nvme_ctrl *ctrl, uint32_t off, uint64_t *val)
{
	uint32_t lo, hi;
	int ret;

	if (ctrl->bar0) {
		*val = uvf_mmio_read64_lohi(ctrl->bar0, off);
		return 0;
	}
	ret = nvme_reg_read32(ctrl, off, &lo);
	if (!ret)
		ret = nvme_reg_read32(ctrl, off + 4, &hi);
	if (!ret)
		*val = (uint64_t)hi << 32 | lo;
	return ret;
}

int nvme_reg_write64(struct uvf_nvme_ctrl *ctrl, uint32_t off, uint64_t val)
{
	int ret;

	if (ctrl->bar0) {
		uvf_mmio_wmb();
		uvf_mmio_write64_lohi(ctrl->bar0, off, val);
		return 0;
	}
	ret = nvme_reg_write32(ctrl, off, (uint32_t)val);
	return ret ? ret : nvme_reg_write32(ctrl, off + 4, (uint32_t)(val >> 32));
}

int nvme_read_csts(struct uvf_nvme_ctrl *ctrl, uint32_t *csts)
{
	const struct uvf_nvme_fault_ops *f =
		atomic_load_explicit(&nvme_fault, memory_order_relaxed);
	int ret = nvme_reg_read32(ctrl, NVME_REG_CSTS, csts);

	if (!ret && f && f->csts)
		*csts = f->csts(f->arg, *csts);
	return ret;
}

/* Poll CSTS until RDY equals @ready, for CAP.TO at most. Backs off from
 * 10 us to 10 ms between reads: a controller is usually ready within
 * microseconds, but CAP.TO may be many seconds. */
static int wait_ready(struct uvf_nvme_ctrl *ctrl, bool ready)
{
	uint64_t deadline = uvf_now_ns() +
			    (uint64_t)ctrl->info.ready_timeout_ms * 1000000;
	useconds_t delay = 10;
	uint32_t csts;
	int ret;

	for (;;) {
		ret = nvme_read_csts(ctrl, &csts);
		if (ret)
			return ret;
		if (csts == UINT32_MAX)
			return -ENODEV;	/* reads all ones: device gone */
		if (ready && (csts & NVME_CSTS_CFS))
			return -EIO;
		if (!!(csts & NVME_CSTS_RDY) == ready)
			return 0;
		if (uvf_now_ns() >= deadline)
			return -ETIMEDOUT;
		usleep(delay);
		if (delay < 10000)
			delay *= 2;
	}
}

int nvme_ctrl_disable(struct uvf_nvme_ctrl *ctrl)
{
	uint32_t cc;
	int ret;

	ret = nvme_reg_read32(ctrl, NVME_REG_CC, &cc);
	if (ret)
		return ret;
	/* Like Linux, EN is cleared without waiting for a controller still
	 * becoming ready: a stuck one would otherwise cost CAP.TO twice. */
	if (cc & NVME_CC_EN) {
		ret = nvme_reg_write32(ctrl, NVME_REG_CC, cc & ~NVME_CC_EN);
		if (ret)
			return ret;
	}
	ret = wait_ready(ctrl, false);
	if (!ret)
		ctrl->enabled = false;
	return ret;
}

int nvme_ctrl_enable(struct uvf_nvme_ctrl *ctrl)
{
	uint32_t cc = NVME_CC_EN | NVME_CC_CSS_NVM |
		      NVME_CC_MPS(NVME_PAGE_SHIFT) | NVME_CC_AMS_RR |
		      NVME_CC_IOSQES(NVME_SQE_SHIFT) |
		      NVME_CC_IOCQES(NVME_CQE_SHIFT);
	int ret = nvme_reg_write32(ctrl, NVME_REG_CC, cc);

	if (ret)
		return ret;
	ctrl->enabled = true;	/* even on timeout: EN is set and must go */
	return wait_ready(ctrl, true);
}

/* Normal shutdown first, so a volatile write cache reaches the media
 * before the controller is reset. */
void nvme_ctrl_shutdown(struct uvf_nvme_ctrl *ctrl)
{
	uint64_t deadline;
	uint32_t cc, csts;
	uint32_t ms = ctrl->info.ready_timeout_ms;

	pthread_mutex_lock(&ctrl->lock);
	if (ctrl->enabled && !atomic_load(&ctrl->error) &&
	    !nvme_reg_read32(ctrl, NVME_REG_CC, &cc) &&
	    !nvme_reg_write32(ctrl, NVME_REG_CC,
			      (cc & ~NVME_CC_SHN_MASK) | NVME_CC_SHN_NORMAL)) {
		deadline = uvf_now_ns() +
			   (uint64_t)(ms > 5000 ? ms : 5000) * 1000000;
		while (!nvme_read_csts(ctrl, &csts) && csts != UINT32_MAX &&
		       (csts & NVME_CSTS_SHST_MASK) != NVME_CSTS_SHST_DONE &&
		       uvf_now_ns() < deadline)
			usleep(1000);
	}
	if (ctrl->enabled)
		nvme_ctrl_disable(ctrl);
	pthread_mutex_unlock(&ctrl->lock);
}

void nvme_ctrl_fail(struct uvf_nvme_ctrl *ctrl, int err)
{
	int expect = 0;

	if (!atomic_compare_exchange_strong(&ctrl->error, &expect, err))
		return;
	/* Disabling the controller stops its DMA, so the buffers of the
	 * commands about to be aborted can be handed back safely. */
	pthread_mutex_lock(&ctrl->lock);
	if (ctrl->enabled)
		nvme_ctrl_disable(ctrl);
	pthread_mutex_unlock(&ctrl->lock);
}
