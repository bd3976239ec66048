/* SPDX-License-Identifier: MIT */
/*
 * guest_nvme_faults - runs in the tools/vm guest (static). QEMU's healthy
 * controller is made to look broken through the driver's test-only fault
 * hook (drivers/nvme/nvme_fault.h), and the driver must answer each time
 * with an error -- never a crash or a hang: a completion with a command ID
 * nobody used (-EPROTO), completions that never arrive (stale phase:
 * -ETIMEDOUT after the command timeout), fatal status (-EIO), a controller
 * that never becomes ready (-ETIMEDOUT after CAP.TO). Afterwards the
 * controller opens and works again.
 *
 * usage: guest_nvme_faults [--type1|--iommufd|--noiommu]
 * Prints TAP; exits 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uvf/mmio.h>

#include "nvme_app.h"
#include "nvme_fault.h"
#include "nvme_regs.h"

static enum uvf_vfio_backend backend;
static struct nvme_app app;
static void *buf;
static uint32_t ready_timeout_ms;

static uint64_t now_ms(void)
{
	return uvf_now_ns() / 1000000;
}

static void bogus_cid(void *arg, unsigned int qid, struct nvme_cqe *c)
{
	(void)arg;
	if (qid)
		c->cid = 0xbeef;
}

static void stale_phase(void *arg, unsigned int qid, struct nvme_cqe *c)
{
	(void)arg;
	if (qid)
		c->status ^= 1;
}

static uint32_t fatal(void *arg, uint32_t csts)
{
	(void)arg;
	return csts | NVME_CSTS_CFS;
}

static uint32_t never_ready(void *arg, uint32_t csts)
{
	(void)arg;
	return csts & ~NVME_CSTS_RDY;
}

static int open_ctrl(unsigned int cmd_timeout_ms)
{
	struct uvf_nvme_ctrl_opts o;
	int ret;

	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	o.cmd_timeout_ms = cmd_timeout_ms;
	ret = nvme_app_open(&app, NVME_GUEST_BDF, backend, &o);
	if (ret) {
		nvme_diag("open failed at %s: %d", app.failed_step, ret);
		return ret;
	}
	ready_timeout_ms = uvf_nvme_ctrl_get_info(app.ctrl)->ready_timeout_ms;
	ret = nvme_app_buf_alloc(&app, 1u << 20, &buf);
	if (ret)
		nvme_app_close(&app);
	return ret;
}

static void close_ctrl(void)
{
	uvf_nvme_fault_set(NULL);
	nvme_app_buf_free(&app, buf, 1u << 20);
	nvme_app_close(&app);
}

static int read8(struct uvf_nvme_qpair *qp)
{
	struct uvf_nvme_sync s = { 0 };
	int ret = uvf_nvme_read(qp, 1, buf, 0, 8, uvf_nvme_sync_cb, &s);

	return ret ? ret : uvf_nvme_sync_wait(qp, &s);
}

/* Open, check one read works, install @ops, read again: @want, within
 * the command timeout at most. */
static void io_case(const char *what, const struct uvf_nvme_fault_ops *ops,
		    unsigned int cmd_timeout_ms, int want)
{
	struct uvf_nvme_qpair *qp;
	uint64_t t0, ms;
	int ret;

	if (!nvme_tap(!open_ctrl(cmd_timeout_ms), "%s: open", what))
		return;
	ret = uvf_nvme_qpair_create(app.ctrl, 0, &qp);
	if (nvme_tap(!ret && !read8(qp), "%s: a read works first", what)) {
		uvf_nvme_fault_set(ops);
		t0 = now_ms();
		ret = read8(qp);
		ms = now_ms() - t0;
		nvme_tap(ret == want, "%s: read fails with %d (want %d) after %llu ms",
			 what, ret, want, (unsigned long long)ms);
		nvme_tap(uvf_nvme_ctrl_error(app.ctrl) == want,
			 "%s: controller failed with %d", what,
			 uvf_nvme_ctrl_error(app.ctrl));
		if (want == -ETIMEDOUT)
			nvme_tap(ms >= cmd_timeout_ms,
				 "%s: gave up only after the %u ms timeout",
				 what, cmd_timeout_ms);
		ret = read8(qp);
		nvme_tap(ret == want, "%s: later submissions fail: %d", what,
			 ret);
		uvf_nvme_qpair_destroy(qp);
	}
	close_ctrl();
}

static void never_ready_case(void)
{
	struct uvf_nvme_fault_ops ops = { .csts = never_ready };
	struct uvf_nvme_ctrl_opts o;
	uint64_t t0, ms;
	int ret;

	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	uvf_nvme_fault_set(&ops);
	t0 = now_ms();
	ret = nvme_app_open(&app, NVME_GUEST_BDF, backend, &o);
	ms = now_ms() - t0;
	uvf_nvme_fault_set(NULL);
	nvme_tap(ret == -ETIMEDOUT && !strcmp(app.failed_step,
					       "uvf_nvme_ctrl_open"),
		 "never ready: open fails with %d at %s", ret,
		 app.failed_step ? app.failed_step : "-");
	nvme_tap(ms >= ready_timeout_ms,
		 "never ready: waited %llu ms, CAP.TO is %u ms",
		 (unsigned long long)ms, ready_timeout_ms);
	if (!ret)
		nvme_app_close(&app);
}

int main(int argc, char **argv)
{
	struct uvf_nvme_fault_ops cid = { .cqe = bogus_cid };
	struct uvf_nvme_fault_ops stale = { .cqe = stale_phase };
	struct uvf_nvme_fault_ops cfs = { .cqe = stale_phase, .csts = fatal };
	struct uvf_nvme_qpair *qp;
	int ret;

	backend = nvme_guest_backend(argc, argv);
	ret = nvme_guest_ready(backend);
	if (ret)
		return ret;
	io_case("bogus command id", &cid, 5000, -EPROTO);
	io_case("stale phase", &stale, 1000, -ETIMEDOUT);
	/* The completion never shows, but the health check sees CFS long
	 * before the 30 s deadline. */
	io_case("fatal status", &cfs, 30000, -EIO);
	never_ready_case();

	ret = open_ctrl(5000);
	if (nvme_tap(!ret, "the controller opens again after all that: %d",
		     ret)) {
		ret = uvf_nvme_qpair_create(app.ctrl, 0, &qp);
		if (!ret) {
			ret = read8(qp);
			uvf_nvme_qpair_destroy(qp);
		}
		nvme_tap(!ret, "and reads: %d", ret);
		close_ctrl();
	}
	return nvme_tap_done();
}
