/* SPDX-License-Identifier: MIT */
/*
 * Controller reset and recovery on the fake controller: a fatal status or
 * a timeout resets the controller (automatically when asked), outstanding
 * commands complete with a clear error, queue pairs are re-created and
 * I/O continues; a reset that cannot succeed leaves the controller failed
 * and closable; a removed device is -ENODEV at once; asynchronous events
 * reach the callback and are re-armed.
 */
#include <errno.h>
#include <string.h>

#include "check_main.h"
#include "nvme_priv.h"
#include "nvmefix.h"

static struct nvmefix f;
static const struct fake_nvme_faults no_faults;

static void teardown(void)
{
	nvmefix_teardown(&f);
}

static void open_ctrl(unsigned int cmd_timeout_ms, bool reset_on_failure)
{
	struct uvf_nvme_ctrl_opts o;

	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 2;
	o.cmd_timeout_ms = cmd_timeout_ms;
	o.reset_on_failure = reset_on_failure;
	nvmefix_setup(&f, NULL);
	nvmefix_open(&f, &o);
}

static void set_faults(const struct fake_nvme_faults *flt)
{
	fake_nvme_set_faults(f.dev, flt);
}

struct result {
	unsigned int calls;
	int err;
	uint16_t status;
};

static void result_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct result *r = arg;

	r->calls++;
	r->err = err;
	r->status = cpl->status;
}

/* Write a pattern, read it back elsewhere, compare: I/O works. */
static void io_works(struct uvf_nvme_qpair *qp, uint32_t seed)
{
	uint8_t *out = f.arena + (1u << 20), *in = f.arena + (2u << 20);

	nvmefix_pattern(out, 8192, seed);
	memset(in, 0, 8192);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, out, 64, 16, NULL),
			 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, in, 64, 16, NULL),
			 0);
	ck_assert(!memcmp(in, out, 8192));
}

/* A read and a write the controller holds back (rung at once: the
 * second submission is batched behind the first). */
static void submit_two(struct uvf_nvme_qpair *qp, struct result *r)
{
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 8, result_cb, &r[0]),
			 0);
	ck_assert_int_eq(uvf_nvme_write(qp, 1, f.arena + 4096, 8, 8,
					result_cb, &r[1]), 0);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
}

static void assert_reset_took(const struct result *r, int err)
{
	ck_assert_uint_eq(r->calls, 1);
	ck_assert_int_eq(r->err, err);
	ck_assert_uint_eq(r->status, UVF_NVME_STATUS_HOST_ABORTED);
}

START_TEST(test_fatal_status_resets_and_io_continues)
{
	const struct fake_nvme_faults hold = { .hold = true };
	const struct fake_nvme_faults cfs = { .hold = true,
					      .fatal_until_reset = true };
	struct uvf_nvme_qpair *qp;
	struct result r[2] = { 0 };

	open_ctrl(30000, true);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	io_works(qp, 1);
	set_faults(&hold);
	submit_two(qp, r);
	set_faults(&cfs);
	/* Found by the health check, reset at once: not the 30 s deadline. */
	ck_assert_int_eq(uvf_nvme_qpair_wait(qp, 5000), -ECONNRESET);
	assert_reset_took(&r[0], -ECONNRESET);
	assert_reset_took(&r[1], -ECONNRESET);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), 0);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->resets, 1);
	ck_assert_uint_eq(nvmefix_stats(&f).enables, 2);
	ck_assert_uint_eq(nvmefix_stats(&f).live_io_queues, 1);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 0);
	set_faults(&no_faults);
	io_works(qp, 2);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_command_timeout_resets_and_io_continues)
{
	const struct fake_nvme_faults drop = { .drop = true };
	struct uvf_nvme_qpair *qp;
	struct result r = { 0 };

	open_ctrl(150, true);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	set_faults(&drop);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 8, result_cb, &r),
			 0);
	ck_assert_int_eq(uvf_nvme_qpair_wait(qp, 5000), -ECONNRESET);
	/* The command that missed its deadline says so. */
	assert_reset_took(&r, -ETIMEDOUT);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), 0);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->resets, 1);
	set_faults(&no_faults);
	io_works(qp, 3);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_reset_completes_every_pairs_commands_and_recreates_them)
{
	const struct fake_nvme_faults hold = { .hold = true };
	struct uvf_nvme_qpair *a, *b;
	struct result ra[2] = { 0 }, rb[2] = { 0 };

	open_ctrl(30000, false);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &a), 0);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &b), 0);
	io_works(b, 4);
	set_faults(&hold);
	submit_two(a, ra);
	submit_two(b, rb);
	ck_assert_int_eq(uvf_nvme_ctrl_reset(f.ctrl), 0);
	/* A working controller had its queues deleted first, which stopped
	 * the held commands in order; they still complete as reset. */
	ck_assert_uint_eq(nvmefix_stats(&f).aborted_by_delete, 4);
	assert_reset_took(&ra[0], -ECONNRESET);
	assert_reset_took(&ra[1], -ECONNRESET);
	assert_reset_took(&rb[0], -ECONNRESET);
	assert_reset_took(&rb[1], -ECONNRESET);
	/* Same pairs, same IDs, both on the controller again. */
	ck_assert_uint_eq(uvf_nvme_qpair_id(a), 1);
	ck_assert_uint_eq(uvf_nvme_qpair_id(b), 2);
	ck_assert_uint_eq(nvmefix_stats(&f).live_io_queues, 2);
	set_faults(&no_faults);
	io_works(a, 5);
	io_works(b, 6);
	/* A working controller resets too, and again. */
	ck_assert_int_eq(uvf_nvme_ctrl_reset(f.ctrl), 0);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->resets, 2);
	io_works(a, 7);
	uvf_nvme_qpair_destroy(a);
	uvf_nvme_qpair_destroy(b);
}
END_TEST

START_TEST(test_reset_brings_back_a_failed_controller)
{
	const struct fake_nvme_faults cfs = { .hold = true,
					      .fatal_until_reset = true };
	struct uvf_nvme_qpair *qp;
	struct result r[2] = { 0 };

	/* Without reset_on_failure the failure stays until asked. */
	open_ctrl(30000, false);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	set_faults(&cfs);
	submit_two(qp, r);
	ck_assert_int_eq(uvf_nvme_qpair_wait(qp, 5000), -EIO);
	ck_assert_int_eq(r[0].err, -EIO);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), -EIO);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 8, result_cb, r),
			 -EIO);
	ck_assert_int_eq(uvf_nvme_ctrl_reset(f.ctrl), 0);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), 0);
	set_faults(&no_faults);
	io_works(qp, 8);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_failed_reset_leaves_the_controller_failed_and_closable)
{
	const struct fake_nvme_faults cfs = { .hold = true, .fatal = true };
	struct uvf_nvme_qpair *qp;
	struct result r[2] = { 0 };
	uint64_t enables;

	open_ctrl(30000, true);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	set_faults(&cfs);
	submit_two(qp, r);
	/* The automatic reset meets fatal status again: -EIO stays. */
	ck_assert_int_eq(uvf_nvme_qpair_wait(qp, 5000), -EIO);
	assert_reset_took(&r[0], -ECONNRESET);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), -EIO);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 0);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->resets, 0);
	/* Tried once, not again at every call. */
	enables = nvmefix_stats(&f).enables;
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), -EIO);
	ck_assert_uint_eq(nvmefix_stats(&f).enables, enables);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 8, result_cb, r),
			 -EIO);
	ck_assert_int_eq(uvf_nvme_ctrl_reset(f.ctrl), -EIO);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), -EIO);
	/* Once the controller is sound, a reset brings it back. */
	set_faults(&no_faults);
	ck_assert_int_eq(uvf_nvme_ctrl_reset(f.ctrl), 0);
	io_works(qp, 9);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_reset_of_a_never_ready_controller_times_out)
{
	const struct fake_nvme_faults stuck = { .never_ready = true };
	struct uvf_nvme_qpair *qp;

	open_ctrl(30000, false);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	set_faults(&stuck);
	ck_assert_int_eq(uvf_nvme_ctrl_reset(f.ctrl), -ETIMEDOUT);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), -ETIMEDOUT);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 8, result_cb, NULL),
			 -ETIMEDOUT);
	uvf_nvme_qpair_destroy(qp);
	ck_assert_int_eq(uvf_nvme_ctrl_reset(NULL), -EINVAL);
}
END_TEST

START_TEST(test_removed_controller_is_enodev_without_hanging)
{
	const struct fake_nvme_faults hold = { .hold = true };
	struct uvf_nvme_qpair *qp;
	struct result r[2] = { 0 };
	uint64_t t0 = uvf_now_ns();

	open_ctrl(30000, true);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	set_faults(&hold);
	submit_two(qp, r);
	fake_nvme_remove(f.dev);
	/* CSTS reads all ones: no reset, no 30 s wait. */
	ck_assert_int_eq(uvf_nvme_qpair_wait(qp, -1), -ENODEV);
	ck_assert_int_eq(r[0].err, -ENODEV);
	ck_assert_int_eq(r[1].err, -ENODEV);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), -ENODEV);
	ck_assert_int_eq(uvf_nvme_ctrl_reset(f.ctrl), -ENODEV);
	ck_assert_int_eq(uvf_nvme_ctrl_process_events(f.ctrl), -ENODEV);
	ck_assert_uint_lt(uvf_now_ns() - t0, 5000000000ull);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

struct events {
	unsigned int n;
	struct uvf_nvme_event ev[4];
};

static void event_cb(void *arg, const struct uvf_nvme_event *ev)
{
	struct events *e = arg;

	if (e->n < 4)
		e->ev[e->n] = *ev;
	e->n++;
}

START_TEST(test_async_events_reach_the_callback_and_are_rearmed)
{
	struct events e = { 0 };
	uint8_t id[NVME_IDENTIFY_SIZE];

	open_ctrl(30000, false);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->aerl, 3);
	ck_assert_int_eq(uvf_nvme_ctrl_set_event_cb(f.ctrl, event_cb, &e), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).aers_pending, 4);
	ck_assert_int_eq(uvf_nvme_ctrl_process_events(f.ctrl), 0);
	ck_assert_uint_eq(e.n, 0);

	/* SMART/health: temperature threshold, log page 2. */
	ck_assert(fake_nvme_async_event(f.dev, 1, 1, 2));
	ck_assert_int_eq(uvf_nvme_ctrl_process_events(f.ctrl), 1);
	ck_assert_uint_eq(e.n, 1);
	ck_assert_uint_eq(e.ev[0].type, 1);
	ck_assert_uint_eq(e.ev[0].info, 1);
	ck_assert_uint_eq(e.ev[0].log_page, 2);
	ck_assert_uint_eq(nvmefix_stats(&f).aers_pending, 4);

	/* Reaped by an admin command too; the admin queue still works with
	 * requests held in it. */
	ck_assert(fake_nvme_async_event(f.dev, 2, 0, 4));
	ck_assert(fake_nvme_async_event(f.dev, 0, 3, 1));
	ck_assert_int_eq(uvf_nvme_identify(f.ctrl, NVME_CNS_CTRL, 0, id), 0);
	ck_assert_uint_eq(e.n, 3);
	ck_assert_uint_eq(e.ev[1].type, 2);
	ck_assert_uint_eq(e.ev[1].log_page, 4);
	ck_assert_uint_eq(e.ev[2].type, 0);
	ck_assert_uint_eq(e.ev[2].info, 3);
	ck_assert_uint_eq(nvmefix_stats(&f).aers_pending, 4);

	/* A reset drops them at the controller and sends them again. */
	ck_assert_int_eq(uvf_nvme_ctrl_reset(f.ctrl), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).aers_pending, 4);
	ck_assert_uint_eq(e.n, 3);
	ck_assert(fake_nvme_async_event(f.dev, 1, 0, 2));
	ck_assert_int_eq(uvf_nvme_ctrl_process_events(f.ctrl), 1);
	ck_assert_uint_eq(e.n, 4);
	/* Setting the callback again sends no more than allowed. */
	ck_assert_int_eq(uvf_nvme_ctrl_set_event_cb(f.ctrl, event_cb, &e), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).aers_pending, 4);
}
END_TEST

START_TEST(test_event_callback_bad_input_changes_nothing)
{
	struct uvf_nvme_ctrl_opts o;
	struct events e = { 0 };

	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	o.admin_queue_size = 2;	/* one slot: none to spare */
	nvmefix_setup(&f, NULL);
	nvmefix_open(&f, &o);
	ck_assert_int_eq(uvf_nvme_ctrl_set_event_cb(f.ctrl, NULL, &e),
			 -EINVAL);
	ck_assert_int_eq(uvf_nvme_ctrl_set_event_cb(NULL, event_cb, &e),
			 -EINVAL);
	ck_assert_int_eq(uvf_nvme_ctrl_set_event_cb(f.ctrl, event_cb, &e),
			 -ENOSPC);
	ck_assert_uint_eq(nvmefix_stats(&f).aers_pending, 0);
	ck_assert_ptr_null(f.ctrl->event_cb);
	ck_assert_int_eq(uvf_nvme_ctrl_process_events(NULL), -EINVAL);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_reset");
	TCase *tc = tcase_create("reset");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_fatal_status_resets_and_io_continues);
	tcase_add_test(tc, test_command_timeout_resets_and_io_continues);
	tcase_add_test(tc,
		       test_reset_completes_every_pairs_commands_and_recreates_them);
	tcase_add_test(tc, test_reset_brings_back_a_failed_controller);
	tcase_add_test(tc,
		       test_failed_reset_leaves_the_controller_failed_and_closable);
	tcase_add_test(tc, test_reset_of_a_never_ready_controller_times_out);
	tcase_add_test(tc, test_removed_controller_is_enodev_without_hanging);
	tcase_add_test(tc, test_async_events_reach_the_callback_and_are_rearmed);
	tcase_add_test(tc, test_event_callback_bad_input_changes_nothing);
	suite_add_tcase(s, tc);
	return s;
}
