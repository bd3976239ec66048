/* SPDX-License-Identifier: MIT */
/*
 * guest_nvme_reset - runs in the tools/vm guest. Resets QEMU's NVMe
 * controller under the driver and checks that I/O goes on: data written
 * before a uvf_nvme_ctrl_reset() reads back after it, commands
 * outstanding at the reset complete (with -ECONNRESET, or 0 if they made
 * it first), and new data round-trips. Then a fatal status (made through
 * the driver's test-only fault hook, cleared by the reset as a real one
 * is) makes the driver reset by itself (reset_on_failure), and I/O goes on
 * again.
 *
 * usage: guest_nvme_reset [--type1|--iommufd|--noiommu]
 * Prints TAP; exits 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "nvme_app.h"
#include "nvme_fault.h"
#include "nvme_regs.h"

#define SPAN (64u << 10)	/* bytes written and verified each round */
#define INFLIGHT 8u

static struct nvme_app app;
static uint8_t *buf;		/* [0, SPAN) out, [SPAN, 2 SPAN) in */
static bool cfs_armed;

static void fill(uint8_t *p, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 31 + seed * 7 + (i >> 9));
}

static int rw_sync(struct uvf_nvme_qpair *qp, bool write, void *p)
{
	struct uvf_nvme_sync s = { 0 };
	uint32_t nlb = SPAN / 512;
	int ret = write ? uvf_nvme_write(qp, 1, p, 0, nlb, uvf_nvme_sync_cb, &s)
			: uvf_nvme_read(qp, 1, p, 0, nlb, uvf_nvme_sync_cb, &s);

	return ret ? ret : uvf_nvme_sync_wait(qp, &s);
}

/* Read the span back and compare with what round @seed wrote. */
static bool verify(struct uvf_nvme_qpair *qp, unsigned int seed)
{
	memset(buf + SPAN, 0, SPAN);
	fill(buf, SPAN, seed);
	return !rw_sync(qp, false, buf + SPAN) && !memcmp(buf, buf + SPAN, SPAN);
}

static bool write_round(struct uvf_nvme_qpair *qp, unsigned int seed)
{
	fill(buf, SPAN, seed);
	return !rw_sync(qp, true, buf) && verify(qp, seed);
}

struct outcome {
	unsigned int calls, ok, reset;
};

static void outcome_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct outcome *o = arg;

	(void)cpl;
	o->calls++;
	o->ok += !err;
	o->reset += err == -ECONNRESET;
}

/* CFS until the controller has been disabled, as a real fatal status
 * clears with the reset. */
static uint32_t cfs_until_disabled(void *arg, uint32_t csts)
{
	(void)arg;
	if (!(csts & NVME_CSTS_RDY))
		cfs_armed = false;
	return cfs_armed ? csts | NVME_CSTS_CFS : csts;
}

/* While CFS is armed, I/O completions stay hidden: the health check,
 * not a completion, ends the wait. */
static void hide_io_completions(void *arg, unsigned int qid, struct nvme_cqe *c)
{
	(void)arg;
	if (qid && cfs_armed)
		c->status ^= 1;
}

static void manual_reset(struct uvf_nvme_qpair *qp)
{
	struct outcome o = { 0 };
	unsigned int i;
	int ret;

	for (i = 0; i < INFLIGHT; i++)
		if (uvf_nvme_read(qp, 1, buf + SPAN + i * 4096, i * 8, 8,
				  outcome_cb, &o))
			break;
	nvme_tap(i == INFLIGHT, "%u reads outstanding before the reset", i);
	ret = uvf_nvme_ctrl_reset(app.ctrl);
	nvme_tap(!ret, "uvf_nvme_ctrl_reset: %d", ret);
	nvme_tap(o.calls == i && o.ok + o.reset == i,
		 "each outstanding read completed once: %u ok, %u -ECONNRESET",
		 o.ok, o.reset);
	nvme_tap(uvf_nvme_ctrl_error(app.ctrl) == 0 &&
			 uvf_nvme_ctrl_get_info(app.ctrl)->resets == 1,
		 "controller works, one reset counted");
	nvme_tap(verify(qp, 1), "data written before the reset reads back");
	nvme_tap(write_round(qp, 2), "write and read back after the reset");
}

static void automatic_reset(struct uvf_nvme_qpair *qp)
{
	struct uvf_nvme_fault_ops ops = { .cqe = hide_io_completions,
					  .csts = cfs_until_disabled };
	struct outcome o = { 0 };
	int ret;

	ret = uvf_nvme_write(qp, 1, buf, 0, SPAN / 512, outcome_cb, &o);
	if (!nvme_tap(!ret, "a write outstanding: %d", ret))
		return;
	cfs_armed = true;
	uvf_nvme_fault_set(&ops);
	do
		ret = uvf_nvme_qpair_wait(qp, 10000);
	while (ret > 0 && !o.calls);
	uvf_nvme_fault_set(NULL);
	nvme_tap(ret == -ECONNRESET && o.calls == 1 && o.reset == 1,
		 "fatal status: the wait returns %d, the write -ECONNRESET",
		 ret);
	nvme_tap(uvf_nvme_ctrl_error(app.ctrl) == 0 &&
			 uvf_nvme_ctrl_get_info(app.ctrl)->resets == 2,
		 "the driver reset the controller by itself (resets %u)",
		 uvf_nvme_ctrl_get_info(app.ctrl)->resets);
	nvme_tap(write_round(qp, 3), "write and read back after it");
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend backend = nvme_guest_backend(argc, argv);
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp;
	int ret = nvme_guest_ready(backend);

	if (ret)
		return ret;
	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	o.cmd_timeout_ms = 10000;
	o.reset_on_failure = true;
	ret = nvme_app_open(&app, NVME_GUEST_BDF, backend, &o);
	if (!nvme_tap(!ret, "open: %d (%s)", ret,
		      app.failed_step ? app.failed_step : "-"))
		return nvme_tap_done();
	ret = nvme_app_buf_alloc(&app, 2 * SPAN, (void **)&buf);
	if (!ret)
		ret = uvf_nvme_qpair_create(app.ctrl, 0, &qp);
	if (nvme_tap(!ret, "buffer and queue pair: %d", ret)) {
		if (nvme_tap(write_round(qp, 1), "write and read back"))
			manual_reset(qp);
		automatic_reset(qp);
		uvf_nvme_qpair_destroy(qp);
	}
	if (buf)
		nvme_app_buf_free(&app, buf, 2 * SPAN);
	nvme_app_close(&app);
	return nvme_tap_done();
}
