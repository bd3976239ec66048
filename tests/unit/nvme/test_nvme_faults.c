/* SPDX-License-Identifier: MIT */
/*
 * A misbehaving controller makes the driver return an error within its
 * timeouts, never crash or hang: a controller that never becomes ready,
 * completions with a command ID nobody used, completions that never show
 * up (stale phase, dropped commands), fatal status. Each case twice where
 * it applies: the fake controller misbehaving, and a healthy one made to
 * look broken through the driver's fault hook (nvme_fault.h), which is what
 * the guest tests use on QEMU's controller.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "nvme_priv.h"
#include "nvmefix.h"

static struct nvmefix f;

static void teardown(void)
{
	nvmefix_teardown(&f);
}

static uint64_t ms_since(uint64_t start_ns)
{
	return (uvf_now_ns() - start_ns) / 1000000;
}

static void open_with_timeout(unsigned int cmd_timeout_ms,
			      unsigned int io_queues)
{
	struct uvf_nvme_ctrl_opts o;

	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = io_queues;
	o.cmd_timeout_ms = cmd_timeout_ms;
	nvmefix_open(&f, &o);
}

static bool device_ready(void)
{
	uint64_t csts;

	ck_assert_int_eq(uvf_device_bar_read(f.dev, 0, NVME_REG_CSTS, &csts,
					     4), 0);
	return csts & NVME_CSTS_RDY;
}

static uint32_t hook_not_ready(void *arg, uint32_t csts)
{
	(void)arg;
	return csts & ~NVME_CSTS_RDY;
}

static uint32_t hook_fatal(void *arg, uint32_t csts)
{
	(void)arg;
	return csts | NVME_CSTS_CFS;
}

static void hook_bogus_cid(void *arg, unsigned int qid, struct nvme_cqe *c)
{
	(void)arg;
	if (qid)
		c->cid = 0xbeef;
}

/* Completions of queue *arg look like they were never posted. */
static void hook_stale(void *arg, unsigned int qid, struct nvme_cqe *c)
{
	if (qid == *(const unsigned int *)arg)
		c->status ^= 1;
}

static void never_ready(bool via_hook, uint8_t to)
{
	struct uvf_nvme_fault_ops ops = { .csts = hook_not_ready };
	struct fake_nvme_faults flt = { .never_ready = true };
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl *ctrl = NULL;
	uint64_t t0, ms;

	fake_nvme_params_default(&p);
	p.to = to;
	nvmefix_setup(&f, &p);
	if (via_hook)
		uvf_nvme_fault_set(&ops);
	else
		fake_nvme_set_faults(f.dev, &flt);
	t0 = uvf_now_ns();
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, NULL, &ctrl), -ETIMEDOUT);
	ms = ms_since(t0);
	/* CAP.TO is in 500 ms units: the driver waited that long before
	 * giving up (and did give up: the test ends). */
	ck_assert_uint_ge(ms, to * 500u);
	ck_assert_ptr_null(ctrl);
	ck_assert_uint_eq(nvmefix_mapped(&f), NVMEFIX_ARENA);
}

START_TEST(test_never_ready_controller_fails_open_after_cap_to)
{
	never_ready(false, 1);
}
END_TEST

START_TEST(test_never_ready_waits_as_long_as_cap_to_says)
{
	never_ready(false, 3);
}
END_TEST

START_TEST(test_hook_never_ready_fails_open_after_cap_to)
{
	never_ready(true, 1);
}
END_TEST

struct outcome {
	unsigned int calls;
	int err;
	struct uvf_nvme_cpl cpl;
};

static void outcome_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct outcome *o = arg;

	o->calls++;
	o->err = err;
	o->cpl = *cpl;
}

/* Submit one read and wait for it; the wait must end by itself. */
static int read_one(struct uvf_nvme_qpair *qp, void *buf, uint64_t *ms)
{
	struct uvf_nvme_sync s = { 0 };
	uint64_t t0 = uvf_now_ns();
	int ret = uvf_nvme_read(qp, 1, buf, 0, 8, uvf_nvme_sync_cb, &s);

	if (!ret)
		ret = uvf_nvme_sync_wait(qp, &s);
	if (ms)
		*ms = ms_since(t0);
	return ret;
}

static void bogus_cid(bool via_hook)
{
	struct uvf_nvme_fault_ops ops = { .cqe = hook_bogus_cid };
	struct fake_nvme_faults flt = { .bogus_cid = true };
	struct uvf_nvme_qpair *qp;
	struct outcome o = { 0 };

	nvmefix_setup(&f, NULL);
	open_with_timeout(5000, 2);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	ck_assert_int_eq(read_one(qp, f.arena, NULL), 0);
	if (via_hook)
		uvf_nvme_fault_set(&ops);
	else
		fake_nvme_set_faults(f.dev, &flt);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 8, outcome_cb, &o),
			 0);
	ck_assert_int_eq(uvf_nvme_qpair_wait(qp, 1000), -EPROTO);
	ck_assert_uint_eq(o.calls, 1);
	ck_assert_int_eq(o.err, -EPROTO);
	ck_assert_uint_eq(o.cpl.status, UVF_NVME_STATUS_HOST_ABORTED);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), -EPROTO);
	ck_assert(!device_ready());
	/* Nothing more goes to a controller that cannot be trusted. */
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 8, outcome_cb, &o),
			 -EPROTO);
	uvf_nvme_qpair_destroy(qp);
}

START_TEST(test_bogus_completion_id_fails_the_controller_with_eproto)
{
	bogus_cid(false);
}
END_TEST

START_TEST(test_hook_bogus_completion_id_is_eproto)
{
	bogus_cid(true);
}
END_TEST

static void lost_completion(bool via_hook)
{
	static const unsigned int qid = 1;
	struct uvf_nvme_fault_ops ops = { .cqe = hook_stale,
					  .arg = (void *)&qid };
	struct fake_nvme_faults flt = { .stale_phase = true };
	struct uvf_nvme_qpair *qp;
	uint64_t before, ms;
	void *buf = malloc(4096);

	ck_assert_ptr_nonnull(buf);
	nvmefix_setup(&f, NULL);
	open_with_timeout(200, 2);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	ck_assert_uint_eq(uvf_nvme_qpair_id(qp), qid);
	before = nvmefix_mapped(&f);
	if (via_hook)
		uvf_nvme_fault_set(&ops);
	else
		fake_nvme_set_faults(f.dev, &flt);
	/* An unregistered buffer: its mapping must go with the command. */
	ck_assert_int_eq(read_one(qp, buf, &ms), -ETIMEDOUT);
	ck_assert_uint_ge(ms, 200);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), -ETIMEDOUT);
	ck_assert(!device_ready());
	ck_assert_uint_eq(nvmefix_mapped(&f), before);
	uvf_nvme_qpair_destroy(qp);
	free(buf);
}

START_TEST(test_stale_phase_completion_times_out)
{
	lost_completion(false);
}
END_TEST

START_TEST(test_hook_stale_phase_times_out)
{
	lost_completion(true);
}
END_TEST

START_TEST(test_dropped_command_fails_every_queue_pair)
{
	struct fake_nvme_faults flt = { .drop = true };
	struct uvf_nvme_qpair *a, *b;
	struct outcome ob = { 0 };
	uint64_t ms;

	nvmefix_setup(&f, NULL);
	open_with_timeout(150, 2);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &a), 0);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &b), 0);
	fake_nvme_set_faults(f.dev, &flt);
	/* b has a command outstanding on another "thread". */
	ck_assert_int_eq(uvf_nvme_read(b, 1, f.arena + 4096, 0, 8, outcome_cb,
				       &ob), 0);
	ck_assert_int_eq(read_one(a, f.arena, &ms), -ETIMEDOUT);
	ck_assert_uint_ge(ms, 150);
	/* b finds out at its next poll: its command is aborted with the
	 * error that failed the controller. */
	ck_assert_int_eq(uvf_nvme_qpair_process(b, 0), -ETIMEDOUT);
	ck_assert_uint_eq(ob.calls, 1);
	ck_assert_int_eq(ob.err, -ETIMEDOUT);
	ck_assert_int_eq(uvf_nvme_read(b, 1, f.arena, 0, 8, outcome_cb, &ob),
			 -ETIMEDOUT);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &a), -ETIMEDOUT);
	uvf_nvme_qpair_destroy(b);
	uvf_nvme_qpair_destroy(a);
}
END_TEST

static void fatal(bool via_hook)
{
	struct uvf_nvme_fault_ops ops = { .csts = hook_fatal };
	struct fake_nvme_faults hold = { .hold = true };
	struct fake_nvme_faults flt = { .hold = true, .fatal = true };
	struct uvf_nvme_qpair *qp;
	struct outcome o1 = { 0 }, o2 = { 0 };

	nvmefix_setup(&f, NULL);
	open_with_timeout(30000, 1);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	fake_nvme_set_faults(f.dev, &hold);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 8, outcome_cb, &o1),
			 0);
	ck_assert_int_eq(uvf_nvme_write(qp, 1, f.arena, 8, 8, outcome_cb,
					&o2), 0);
	if (via_hook)
		uvf_nvme_fault_set(&ops);
	else
		fake_nvme_set_faults(f.dev, &flt);
	/* Found by the health check: -EIO, not the 30 s deadline's
	 * -ETIMEDOUT. */
	ck_assert_int_eq(uvf_nvme_qpair_wait(qp, -1), -EIO);
	ck_assert_int_eq(o1.err, -EIO);
	ck_assert_int_eq(o2.err, -EIO);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), -EIO);
	uvf_nvme_qpair_destroy(qp);
}

START_TEST(test_fatal_status_fails_outstanding_commands_with_eio)
{
	fatal(false);
}
END_TEST

START_TEST(test_hook_fatal_status_is_eio)
{
	fatal(true);
}
END_TEST

START_TEST(test_admin_command_without_completion_times_out)
{
	static const unsigned int admin = 0;
	struct uvf_nvme_fault_ops ops = { .cqe = hook_stale,
					  .arg = (void *)&admin };
	uint8_t *id = malloc(NVME_IDENTIFY_SIZE);
	uint64_t t0;

	ck_assert_ptr_nonnull(id);
	nvmefix_setup(&f, NULL);
	open_with_timeout(100, 1);
	uvf_nvme_fault_set(&ops);
	t0 = uvf_now_ns();
	ck_assert_int_eq(uvf_nvme_identify(f.ctrl, NVME_CNS_CTRL, 0, id),
			 -ETIMEDOUT);
	ck_assert_uint_ge(ms_since(t0), 100);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), -ETIMEDOUT);
	free(id);
}
END_TEST

START_TEST(test_controller_failing_during_open_leaves_nothing_behind)
{
	struct uvf_nvme_fault_ops ops = { .cqe = hook_bogus_cid };
	static const unsigned int admin = 0;
	struct uvf_nvme_fault_ops stale = { .cqe = hook_stale,
					    .arg = (void *)&admin };
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_ctrl *ctrl = NULL;
	uint16_t cmd;

	nvmefix_setup(&f, NULL);
	uvf_nvme_ctrl_opts_default(&o);
	o.cmd_timeout_ms = 100;
	/* Identify never completes: open gives up after the timeout. */
	uvf_nvme_fault_set(&stale);
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, &o, &ctrl), -ETIMEDOUT);
	ck_assert_ptr_null(ctrl);
	ck_assert_uint_eq(nvmefix_mapped(&f), NVMEFIX_ARENA);
	ck_assert(!device_ready());
	ck_assert_int_eq(uvf_device_cfg_read(f.dev, 4, &cmd, 2), 0);
	ck_assert_uint_eq(cmd, 0);
	/* A hook that only touches I/O queues leaves open working. */
	uvf_nvme_fault_set(&ops);
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, &o, &f.ctrl), 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_faults");
	TCase *tc = tcase_create("faults");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_never_ready_controller_fails_open_after_cap_to);
	tcase_add_test(tc, test_never_ready_waits_as_long_as_cap_to_says);
	tcase_add_test(tc, test_hook_never_ready_fails_open_after_cap_to);
	tcase_add_test(tc,
		       test_bogus_completion_id_fails_the_controller_with_eproto);
	tcase_add_test(tc, test_hook_bogus_completion_id_is_eproto);
	tcase_add_test(tc, test_stale_phase_completion_times_out);
	tcase_add_test(tc, test_hook_stale_phase_times_out);
	tcase_add_test(tc, test_dropped_command_fails_every_queue_pair);
	tcase_add_test(tc, test_fatal_status_fails_outstanding_commands_with_eio);
	tcase_add_test(tc, test_hook_fatal_status_is_eio);
	tcase_add_test(tc, test_admin_command_without_completion_times_out);
	tcase_add_test(tc,
		       test_controller_failing_during_open_leaves_nothing_behind);
	suite_add_tcase(s, tc);
	return s;
}
