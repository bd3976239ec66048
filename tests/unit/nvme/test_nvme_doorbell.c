/* SPDX-License-Identifier: MIT */
/*
 * Doorbells against the fake controller, which counts the register writes
 * of I/O queues: one SQ tail write per batch of commands, one CQ head
 * write per batch of completions on an interrupt-driven pair and only when
 * the queue could fill on a polled one, one per command in per-command mode,
 * waits that ring first, and shadow doorbells (EventIdx) that skip the
 * register while the controller has not caught up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "nvme_priv.h"
#include "nvmefix.h"

static struct nvmefix f;

static void setup(void)
{
	nvmefix_setup(&f, NULL);
}

static void teardown(void)
{
	nvmefix_teardown(&f);
}

static void open_ctrl(enum uvf_nvme_doorbell mode, bool shadow, bool irq)
{
	struct uvf_nvme_ctrl_opts o;

	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 2;
	o.doorbell = mode;
	o.no_shadow_doorbells = !shadow;
	o.interrupts = irq;
	nvmefix_open(&f, &o);
}

static void hold(bool on)
{
	struct fake_nvme_faults flt = { .hold = on };

	if (on)
		fake_nvme_set_faults(f.dev, &flt);
	else
		fake_nvme_release(f.dev);
}

struct counter {
	unsigned int calls, ok;
};

static void count_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct counter *c = arg;

	(void)cpl;
	c->calls++;
	c->ok += !err;
}

/* @n one-block reads of blocks @first.. into the arena. */
static void reads(struct uvf_nvme_qpair *qp, unsigned int first,
		  unsigned int n, struct counter *c)
{
	unsigned int i;

	for (i = first; i < first + n; i++)
		ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena + i * 512, i, 1,
					       count_cb, c), 0);
}

/* An idle pair: one more read goes out at once, with one SQ register
 * write, and completes. */
static void read_rings_at_once(struct uvf_nvme_qpair *qp, unsigned int blk,
			       struct counter *c)
{
	uint64_t writes = nvmefix_stats(&f).sq_doorbell_writes;

	reads(qp, blk, 1, c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, writes + 1);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 1);
}

START_TEST(test_a_batch_of_n_commands_writes_the_sq_tail_once)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_BATCH, false, false);
	qp = nvmefix_qpair(&f, 64);
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 0, 16, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 0);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, 0);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, 16);
	/* Nothing held: ringing again writes nothing. */
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 16);
	ck_assert_uint_eq(c.ok, 16);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

/* Interrupt-driven: the head write is what lets a level-triggered
 * interrupt drop, so every batch of completions writes it. */
START_TEST(test_completions_reaped_together_write_the_cq_head_once)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_BATCH, false, true);
	qp = nvmefix_qpair(&f, 64);
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 0, 20, &c);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).cq_doorbell_writes, 0);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 20);
	ck_assert_uint_eq(nvmefix_stats(&f).cq_doorbell_writes, 1);
	/* Reaped in two calls: one write each. */
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 20, 10, &c);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 4), 4);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 6);
	ck_assert_uint_eq(nvmefix_stats(&f).cq_doorbell_writes, 3);
	ck_assert_uint_eq(c.ok, 30);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

/* Polled and batching: the CQ head is written only when the controller
 * could otherwise find the queue full, which the fake honours (it stops
 * fetching): one write late and the last command would never complete. */
START_TEST(test_a_polled_pair_writes_the_cq_head_only_when_the_queue_could_fill)
{
	struct uvf_nvme_qpair_stats st;
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_BATCH, false, false);
	qp = nvmefix_qpair(&f, 16);		/* 15 slots */
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 0, 10, &c);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 10);
	/* 10 entries not given back, nothing outstanding: room for 5. */
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 10, 5, &c);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 5);
	ck_assert_uint_eq(nvmefix_stats(&f).cq_doorbell_writes, 0);
	/* 15 not given back: the next command needs the head first. */
	reads(qp, 15, 1, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).cq_doorbell_writes, 1);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 1);
	ck_assert_uint_eq(c.ok, 16);
	ck_assert_int_eq(uvf_nvme_qpair_get_stats(qp, &st), 0);
	ck_assert_uint_eq(st.cq_doorbell_writes, 1);
	ck_assert_uint_eq(st.sq_doorbell_writes, 3);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_per_command_mode_writes_the_sq_tail_for_every_command)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_PER_CMD, false, false);
	qp = nvmefix_qpair(&f, 64);
	uvf_nvme_qpair_batch_begin(qp);	/* no effect in this mode */
	reads(qp, 0, 12, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 12);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 12);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 12);
	ck_assert_uint_eq(c.ok, 12);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_an_idle_queue_pair_rings_its_first_command_at_once)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_BATCH, false, false);
	qp = nvmefix_qpair(&f, 16);
	reads(qp, 0, 1, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, 1);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 1);
	/* Idle again: the next one goes out at once too. */
	read_rings_at_once(qp, 1, &c);
	ck_assert_uint_eq(c.ok, 2);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_submissions_while_busy_go_out_together_at_the_next_process)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_BATCH, false, false);
	qp = nvmefix_qpair(&f, 16);
	hold(true);
	reads(qp, 0, 1, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	reads(qp, 1, 7, &c);	/* one outstanding: held back */
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 2);
	hold(false);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, 8);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 8);
	ck_assert_uint_eq(c.ok, 8);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 2);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_a_batch_rings_by_itself_when_it_reaches_the_limit)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };
	int n = 0, r;

	open_ctrl(UVF_NVME_DOORBELL_BATCH, false, false);
	qp = nvmefix_qpair(&f, 2 * NVME_SQ_BATCH_MAX + 8);
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 0, NVME_SQ_BATCH_MAX - 1, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 0);
	reads(qp, NVME_SQ_BATCH_MAX - 1, 1, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, NVME_SQ_BATCH_MAX);
	reads(qp, NVME_SQ_BATCH_MAX, 3, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 2);
	while (n < (int)NVME_SQ_BATCH_MAX + 3) {
		r = uvf_nvme_qpair_process(qp, 0);
		ck_assert_int_gt(r, 0);
		n += r;
	}
	ck_assert_uint_eq(c.ok, NVME_SQ_BATCH_MAX + 3);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_a_sync_wait_rings_a_batch_left_open_first)
{
	struct uvf_nvme_sync s = { 0 };
	struct uvf_nvme_qpair *qp;

	open_ctrl(UVF_NVME_DOORBELL_BATCH, true, false);
	qp = nvmefix_qpair(&f, 16);
	nvmefix_pattern(f.arena, 4096, 7);
	memcpy(fake_nvme_media(f.dev, 1) + 8 * 512, f.arena, 4096);
	memset(f.arena, 0, 4096);
	uvf_nvme_qpair_batch_begin(qp);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 8, 8, uvf_nvme_sync_cb,
				       &s), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, 0);
	ck_assert_int_eq(uvf_nvme_sync_wait(qp, &s), 0);
	ck_assert_mem_eq(f.arena, fake_nvme_media(f.dev, 1) + 8 * 512, 4096);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_an_interrupt_wait_rings_held_submissions_before_sleeping)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };
	uint64_t start;
	int r;

	open_ctrl(UVF_NVME_DOORBELL_BATCH, false, true);
	ck_assert(uvf_nvme_ctrl_get_info(f.ctrl)->interrupts);
	qp = nvmefix_qpair(&f, 16);
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 0, 4, &c);
	start = uvf_now_ns();
	while (c.calls < 4) {
		r = uvf_nvme_qpair_wait(qp, 5000);
		ck_assert_int_gt(r, 0);
	}
	/* Not a timeout that happened to end in a health check. */
	ck_assert_uint_lt(uvf_now_ns() - start, 2000000000ull);
	ck_assert_uint_eq(c.ok, 4);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_batched_io_moves_the_right_data_across_many_wraps)
{
	const unsigned int nblk = 240, per = 5;
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };
	uint8_t *src = f.arena, *dst = f.arena + nblk * 512;
	unsigned int i, j;

	open_ctrl(UVF_NVME_DOORBELL_BATCH, true, false);
	ck_assert(uvf_nvme_ctrl_get_info(f.ctrl)->shadow_doorbells);
	qp = nvmefix_qpair(&f, 8);
	nvmefix_pattern(src, nblk * 512, 11);
	for (i = 0; i < nblk; i += per) {
		uvf_nvme_qpair_batch_begin(qp);
		for (j = i; j < i + per; j++)
			ck_assert_int_eq(uvf_nvme_write(qp, 1, src + j * 512, j,
							1, count_cb, &c), 0);
		while (uvf_nvme_qpair_outstanding(qp))
			ck_assert_int_ge(uvf_nvme_qpair_process(qp, 0), 0);
	}
	for (i = 0; i < nblk; i += per) {
		for (j = i; j < i + per; j++)
			ck_assert_int_eq(uvf_nvme_read(qp, 1, dst + j * 512, j,
						       1, count_cb, &c), 0);
		while (uvf_nvme_qpair_outstanding(qp))
			ck_assert_int_ge(uvf_nvme_qpair_process(qp, 0), 0);
	}
	ck_assert_uint_eq(c.ok, 2 * nblk);
	ck_assert_mem_eq(src, dst, nblk * 512);
	ck_assert_mem_eq(fake_nvme_media(f.dev, 1), src, nblk * 512);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_eventidx_asks_for_a_write_only_when_it_was_passed)
{
	/* EventIdx at the old value: the controller waits for this step. */
	ck_assert(nvme_dbbuf_need_event(5, 6, 5));
	ck_assert(nvme_dbbuf_need_event(5, 9, 5));
	/* Inside the step [old, new): passed now. */
	ck_assert(nvme_dbbuf_need_event(7, 9, 5));
	ck_assert(nvme_dbbuf_need_event(8, 9, 5));
	/* Behind the old value: the controller has not caught up and will
	 * read the shadow value itself. */
	ck_assert(!nvme_dbbuf_need_event(4, 6, 5));
	ck_assert(!nvme_dbbuf_need_event(0, 9, 5));
	/* At or past the new value: nothing it asked about. */
	ck_assert(!nvme_dbbuf_need_event(9, 9, 5));
	ck_assert(!nvme_dbbuf_need_event(12, 9, 5));
	/* Indices wrap: the same answers across 65535 -> 0. */
	ck_assert(nvme_dbbuf_need_event(65535, 2, 65535));
	ck_assert(nvme_dbbuf_need_event(0, 2, 65534));
	ck_assert(!nvme_dbbuf_need_event(65533, 2, 65535));
	ck_assert(!nvme_dbbuf_need_event(2, 2, 65535));
	/* No step, no write. */
	ck_assert(!nvme_dbbuf_need_event(5, 5, 5));
}
END_TEST

START_TEST(test_shadow_doorbells_skip_the_register_while_the_controller_lags)
{
	const struct uvf_nvme_ctrl_info *ci;
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	/* Per command: only the shadow logic can save writes. */
	open_ctrl(UVF_NVME_DOORBELL_PER_CMD, true, false);
	ci = uvf_nvme_ctrl_get_info(f.ctrl);
	ck_assert(ci->shadow_doorbells);
	ck_assert(ci->oacs & NVME_OACS_DBBUF_CONFIG);
	ck_assert_uint_eq(nvmefix_stats(&f).dbbuf_configs, 1);
	qp = nvmefix_qpair(&f, 16);
	hold(true);
	reads(qp, 0, 1, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	/* The controller has fetched nothing: EventIdx stays behind. */
	reads(qp, 1, 4, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	ck_assert_uint_eq(*qp->sq_shadow, 5);
	/* It reads all five from the shadow tail. */
	hold(false);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, 5);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 5);
	ck_assert_uint_eq(*qp->cq_shadow, 5);
	/* Caught up: EventIdx asks for the next one. */
	ck_assert_uint_eq(*qp->sq_eventidx, 5);
	read_rings_at_once(qp, 5, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 2);
	ck_assert_uint_eq(c.ok, 6);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

/* Batched: a submission held back is in the shadow tail at once, so a
 * controller still working through the queue takes it without a register
 * write; the batch's ring writes the register only if EventIdx asks. */
START_TEST(test_held_submissions_reach_the_shadow_tail_before_the_ring)
{
	struct uvf_nvme_qpair_stats st;
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_BATCH, true, false);
	qp = nvmefix_qpair(&f, 16);
	hold(true);
	reads(qp, 0, 1, &c);		/* idle: rung at once */
	reads(qp, 1, 4, &c);		/* held back for the batch */
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	ck_assert_uint_eq(*qp->sq_shadow, 5);
	/* The controller reads the shadow tail and runs all five, caught
	 * up: its EventIdx asks for nothing the batch holds. */
	hold(false);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, 5);
	ck_assert_uint_eq(*qp->sq_eventidx, 5);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 5);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	ck_assert_int_eq(uvf_nvme_qpair_get_stats(qp, &st), 0);
	ck_assert_uint_eq(st.sq_shadow_updates, 1);
	/* Idle again, EventIdx at the tail: the next ring writes it. */
	read_rings_at_once(qp, 5, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 2);
	ck_assert_uint_eq(c.ok, 6);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

/* Published but not yet fetched (the controller stopped at its EventIdx,
 * which the published tail passed): the batch's ring must write the
 * register, or the commands would wait for ever. */
START_TEST(test_a_published_batch_still_rings_a_controller_that_stopped)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_BATCH, true, false);
	qp = nvmefix_qpair(&f, 16);
	reads(qp, 0, 1, &c);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 1);
	ck_assert_uint_eq(*qp->sq_eventidx, 1);
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 1, 6, &c);
	ck_assert_uint_eq(*qp->sq_shadow, 7);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, 1);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 2);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, 7);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 6);
	ck_assert_uint_eq(c.ok, 7);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

/* The driver's own counters, which nvme-perf reports as batching reached,
 * agree with the register writes the controller counted. */
START_TEST(test_the_pairs_counters_agree_with_what_the_controller_saw)
{
	struct uvf_nvme_qpair_stats st;
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_PER_CMD, true, false);
	qp = nvmefix_qpair(&f, 16);
	ck_assert_int_eq(uvf_nvme_qpair_get_stats(NULL, &st), -EINVAL);
	ck_assert_int_eq(uvf_nvme_qpair_get_stats(qp, NULL), -EINVAL);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 0);
	hold(true);
	reads(qp, 0, 5, &c);
	hold(false);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 5);
	/* Caught up: the next command's tail is written to the register. */
	reads(qp, 5, 1, &c);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 1);
	ck_assert_int_eq(uvf_nvme_qpair_get_stats(qp, &st), 0);
	ck_assert_uint_eq(st.submitted, 6);
	ck_assert_uint_eq(st.completed, 6);
	ck_assert_uint_eq(st.polls, 3);
	ck_assert_uint_eq(st.idle_polls, 1);
	ck_assert_uint_eq(st.sq_doorbell_writes,
			  nvmefix_stats(&f).sq_doorbell_writes);
	ck_assert_uint_eq(st.sq_doorbell_writes, 2);
	ck_assert_uint_eq(st.sq_shadow_updates, 4);
	ck_assert_uint_eq(st.cq_doorbell_writes,
			  nvmefix_stats(&f).cq_doorbell_writes);
	ck_assert_uint_eq(st.cq_doorbell_writes + st.cq_shadow_updates, 2);
	ck_assert_uint_eq(c.ok, 6);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_shadow_doorbells_turned_off_write_every_register)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_PER_CMD, false, false);
	ck_assert(!uvf_nvme_ctrl_get_info(f.ctrl)->shadow_doorbells);
	ck_assert_uint_eq(nvmefix_stats(&f).dbbuf_configs, 0);
	qp = nvmefix_qpair(&f, 16);
	ck_assert(qp->sq_shadow == NULL);
	hold(true);
	reads(qp, 0, 5, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 5);
	hold(false);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 5);
	ck_assert_uint_eq(c.ok, 5);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_no_shadow_doorbells_on_a_controller_without_them)
{
	struct fake_nvme_params p;
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	nvmefix_teardown(&f);
	fake_nvme_params_default(&p);
	p.dbbuf = false;
	nvmefix_setup(&f, &p);
	open_ctrl(UVF_NVME_DOORBELL_BATCH, true, false);
	ck_assert(!uvf_nvme_ctrl_get_info(f.ctrl)->shadow_doorbells);
	ck_assert_uint_eq(nvmefix_stats(&f).dbbuf_configs, 0);
	qp = nvmefix_qpair(&f, 16);
	reads(qp, 0, 3, &c);
	while (c.calls < 3)
		ck_assert_int_ge(uvf_nvme_qpair_process(qp, 0), 0);
	ck_assert_uint_eq(c.ok, 3);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_a_recreated_queue_pair_starts_its_shadow_entries_afresh)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };
	unsigned int qid;

	open_ctrl(UVF_NVME_DOORBELL_BATCH, true, false);
	qp = nvmefix_qpair(&f, 16);
	qid = uvf_nvme_qpair_id(qp);
	reads(qp, 0, 5, &c);
	while (c.calls < 5)
		ck_assert_int_ge(uvf_nvme_qpair_process(qp, 0), 0);
	ck_assert_uint_eq(*qp->sq_shadow, 5);
	uvf_nvme_qpair_destroy(qp);
	qp = nvmefix_qpair(&f, 16);
	ck_assert_uint_eq(uvf_nvme_qpair_id(qp), qid);
	ck_assert_uint_eq(*qp->sq_shadow, 0);
	ck_assert_uint_eq(*qp->cq_shadow, 0);
	ck_assert_uint_eq(*qp->sq_eventidx, 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, f.arena, 0, 1, NULL),
			 0);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_a_doorbell_mode_out_of_range_is_einval)
{
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_ctrl *ctrl = NULL;

	uvf_nvme_ctrl_opts_default(&o);
	o.doorbell = (enum uvf_nvme_doorbell)(UVF_NVME_DOORBELL_PER_CMD + 1);
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, &o, &ctrl), -EINVAL);
	ck_assert_ptr_null(ctrl);
	open_ctrl(UVF_NVME_DOORBELL_BATCH, true, false);
}
END_TEST

/* One pair switched between the modes: each behaves as if it had been
 * opened in it, and the switch to per-command announces what batching
 * held back (SQ tail) and reaped (CQ head) before it returns. */
START_TEST(test_a_pair_switched_to_per_command_first_rings_what_batching_held)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_BATCH, false, false);
	qp = nvmefix_qpair(&f, 64);
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 0, 6, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 0);
	ck_assert_int_eq(uvf_nvme_qpair_set_doorbell(qp,
						      UVF_NVME_DOORBELL_PER_CMD), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	ck_assert_uint_eq(nvmefix_stats(&f).reads, 6);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 6);
	ck_assert_uint_eq(nvmefix_stats(&f).cq_doorbell_writes, 1);
	/* Per command now: a write for every command, a batch or not. */
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 6, 4, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 5);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 4);
	/* Back to batches: one write for the next four. */
	ck_assert_int_eq(uvf_nvme_qpair_set_doorbell(qp,
						      UVF_NVME_DOORBELL_BATCH), 0);
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 10, 4, &c);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 6);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 4);
	ck_assert_uint_eq(nvmefix_stats(&f).cq_doorbell_writes, 2);
	/* Reaped but not given back: the switch writes the CQ head. */
	ck_assert_int_eq(uvf_nvme_qpair_set_doorbell(qp,
						      UVF_NVME_DOORBELL_PER_CMD), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).cq_doorbell_writes, 3);
	ck_assert_uint_eq(c.ok, 14);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

/* The mode set on the pair outlives a reset, which re-creates its
 * queues. */
START_TEST(test_a_pairs_doorbell_mode_survives_a_reset)
{
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_BATCH, false, false);
	qp = nvmefix_qpair(&f, 64);
	ck_assert_int_eq(uvf_nvme_qpair_set_doorbell(qp,
						      UVF_NVME_DOORBELL_PER_CMD), 0);
	ck_assert_int_eq(uvf_nvme_ctrl_reset(f.ctrl), 0);
	uvf_nvme_qpair_batch_begin(qp);
	reads(qp, 0, 3, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 3);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 3);
	ck_assert_uint_eq(c.ok, 3);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_a_bad_doorbell_switch_fails_and_keeps_the_mode)
{
	struct fake_nvme_faults flt = { .hold = true, .fatal = true };
	struct uvf_nvme_qpair *qp;
	struct counter c = { 0 };

	open_ctrl(UVF_NVME_DOORBELL_BATCH, false, false);
	qp = nvmefix_qpair(&f, 64);
	ck_assert_int_eq(uvf_nvme_qpair_set_doorbell(NULL,
						      UVF_NVME_DOORBELL_BATCH), -EINVAL);
	ck_assert_int_eq(uvf_nvme_qpair_set_doorbell(qp,
			 (enum uvf_nvme_doorbell)(UVF_NVME_DOORBELL_PER_CMD + 1)),
			 -EINVAL);
	/* Still batching: commands while one is outstanding are held. */
	hold(true);
	reads(qp, 0, 3, &c);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	/* A failed controller: its error, and nothing written. */
	fake_nvme_set_faults(f.dev, &flt);
	ck_assert_int_eq(uvf_nvme_qpair_wait(qp, -1), -EIO);
	ck_assert_int_eq(uvf_nvme_qpair_set_doorbell(qp,
						      UVF_NVME_DOORBELL_PER_CMD), -EIO);
	ck_assert_uint_eq(c.calls, 3);
	ck_assert_uint_eq(c.ok, 0);
	ck_assert(!qp->ring_per_cmd);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_doorbell");
	TCase *tc = tcase_create("doorbell");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_a_batch_of_n_commands_writes_the_sq_tail_once);
	tcase_add_test(tc, test_completions_reaped_together_write_the_cq_head_once);
	tcase_add_test(tc, test_a_polled_pair_writes_the_cq_head_only_when_the_queue_could_fill);
	tcase_add_test(tc, test_per_command_mode_writes_the_sq_tail_for_every_command);
	tcase_add_test(tc, test_an_idle_queue_pair_rings_its_first_command_at_once);
	tcase_add_test(tc, test_submissions_while_busy_go_out_together_at_the_next_process);
	tcase_add_test(tc, test_a_batch_rings_by_itself_when_it_reaches_the_limit);
	tcase_add_test(tc, test_a_sync_wait_rings_a_batch_left_open_first);
	tcase_add_test(tc, test_an_interrupt_wait_rings_held_submissions_before_sleeping);
	tcase_add_test(tc, test_batched_io_moves_the_right_data_across_many_wraps);
	tcase_add_test(tc, test_eventidx_asks_for_a_write_only_when_it_was_passed);
	tcase_add_test(tc, test_shadow_doorbells_skip_the_register_while_the_controller_lags);
	tcase_add_test(tc, test_held_submissions_reach_the_shadow_tail_before_the_ring);
	tcase_add_test(tc, test_a_published_batch_still_rings_a_controller_that_stopped);
	tcase_add_test(tc, test_shadow_doorbells_turned_off_write_every_register);
	tcase_add_test(tc, test_the_pairs_counters_agree_with_what_the_controller_saw);
	tcase_add_test(tc, test_no_shadow_doorbells_on_a_controller_without_them);
	tcase_add_test(tc, test_a_recreated_queue_pair_starts_its_shadow_entries_afresh);
	tcase_add_test(tc, test_a_doorbell_mode_out_of_range_is_einval);
	tcase_add_test(tc, test_a_pair_switched_to_per_command_first_rings_what_batching_held);
	tcase_add_test(tc, test_a_pairs_doorbell_mode_survives_a_reset);
	tcase_add_test(tc, test_a_bad_doorbell_switch_fails_and_keeps_the_mode);
	suite_add_tcase(s, tc);
	return s;
}
