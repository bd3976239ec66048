/* SPDX-License-Identifier: MIT */
/*
 * The NVMe driver on controllers with small limits, as real ones and QEMU's
 * non-default settings have them: transfers above MDTS split into child
 * commands, fewer interrupt vectors than queues, fewer I/O queue pairs
 * granted than asked for.
 */
#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "check_main.h"
#include "nvme_priv.h"
#include "nvmefix.h"

static struct nvmefix f;

/* Counts callbacks: a split request must complete exactly once. */
struct done {
	unsigned int calls;
	int err;
	struct uvf_nvme_cpl cpl;
};

static void done_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct done *d = arg;

	d->calls++;
	d->err = err;
	d->cpl = *cpl;
}

/* Reap until @d completed, and a little longer to catch a second call. */
static void wait_done(struct uvf_nvme_qpair *qp, struct done *d)
{
	while (!d->calls)
		ck_assert_int_gt(uvf_nvme_qpair_wait(qp, 1000), 0);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 0);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 0);
}

static void open_with(const struct fake_nvme_params *p, unsigned int queues,
		      bool irq)
{
	struct uvf_nvme_ctrl_opts o;

	nvmefix_setup(&f, p);
	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = queues;
	o.interrupts = irq;
	nvmefix_open(&f, &o);
}

/* Write @nlb blocks at @lba from a pattern, read them back elsewhere,
 * compare, each as one request. */
static void write_read_verify(struct uvf_nvme_qpair *qp, uint8_t *wr,
			      uint8_t *rd, uint64_t lba, uint32_t nlb)
{
	size_t len = (size_t)nlb << 9;
	struct done d = { 0 };

	nvmefix_pattern(wr, len, (uint32_t)lba + nlb);
	memset(rd, 0, len);
	ck_assert_int_eq(uvf_nvme_write(qp, 1, wr, lba, nlb, done_cb, &d), 0);
	wait_done(qp, &d);
	ck_assert_uint_eq(d.calls, 1);
	ck_assert_int_eq(d.err, 0);
	d = (struct done){ 0 };
	ck_assert_int_eq(uvf_nvme_read(qp, 1, rd, lba, nlb, done_cb, &d), 0);
	wait_done(qp, &d);
	ck_assert_uint_eq(d.calls, 1);
	ck_assert_int_eq(d.err, 0);
	ck_assert(!memcmp(rd, wr, len));
	ck_assert(!memcmp(fake_nvme_media(f.dev, 1) + (lba << 9), wr, len));
}

START_TEST(test_io_above_mdts_splits_into_children_completing_once)
{
	struct fake_nvme_params p;
	struct fake_nvme_stats st;
	struct uvf_nvme_qpair *qp;

	fake_nvme_params_default(&p);
	p.mdts = 1;	/* 8 KiB, QEMU mdts=1 */
	open_with(&p, 1, false);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->max_xfer, 8192);
	qp = nvmefix_qpair(&f, 0);
	/* 128 KiB: 16 children of 8 KiB each way (the fake refuses more). */
	write_read_verify(qp, f.arena, f.arena + (4u << 20), 64, 256);
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_eq(st.writes, 16);
	ck_assert_uint_eq(st.reads, 16);
	/* Unaligned buffer and a tail shorter than one child. */
	write_read_verify(qp, f.arena + 4, f.arena + (4u << 20) + 8, 1000, 37);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_one_and_four_mib_io_with_default_mdts)
{
	struct fake_nvme_params p;
	struct fake_nvme_stats st;
	struct uvf_nvme_qpair *qp;

	fake_nvme_params_default(&p);
	open_with(&p, 1, false);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->max_xfer, 512 << 10);
	qp = nvmefix_qpair(&f, 0);
	write_read_verify(qp, f.arena, f.arena + (8u << 20), 2048, 2048);
	write_read_verify(qp, f.arena, f.arena + (8u << 20), 0, 8192);
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_eq(st.writes, 2 + 8);
	ck_assert_uint_eq(st.reads, 2 + 8);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_split_children_wait_for_slots_of_a_small_queue)
{
	struct fake_nvme_params p;
	struct fake_nvme_stats st;
	struct uvf_nvme_qpair *qp;
	struct done d[3] = { 0 };
	unsigned int i;

	fake_nvme_params_default(&p);
	p.mdts = 1;
	open_with(&p, 1, false);
	qp = nvmefix_qpair(&f, 4);	/* 3 slots for 3 x 16 children */
	for (i = 0; i < 3; i++)
		nvmefix_pattern(f.arena + i * (128u << 10), 128u << 10, i);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(uvf_nvme_write(qp, 1,
						f.arena + i * (128u << 10),
						i * 256, 256, done_cb, &d[i]),
				 0);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 3);
	while (!d[2].calls)
		ck_assert_int_gt(uvf_nvme_qpair_wait(qp, 1000), 0);
	ck_assert_int_eq(uvf_nvme_qpair_process(qp, 0), 0);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(d[i].calls, 1);
		ck_assert_int_eq(d[i].err, 0);
	}
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_eq(st.writes, 48);
	ck_assert(!memcmp(fake_nvme_media(f.dev, 1), f.arena, 3 * (128u << 10)));
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_split_child_error_completes_the_request_once_with_it)
{
	struct fake_nvme_params p;
	struct uvf_nvme_qpair *qp;
	struct done d = { 0 };
	uint8_t *media;

	fake_nvme_params_default(&p);
	p.mdts = 1;
	open_with(&p, 1, false);
	qp = nvmefix_qpair(&f, 0);
	media = fake_nvme_media(f.dev, 1);
	nvmefix_pattern(f.arena, 128u << 10, 7);
	/* 256 blocks from 8192 - 64: the last 12 children are out of range. */
	ck_assert_int_eq(uvf_nvme_write(qp, 1, f.arena, 8192 - 64, 256,
					done_cb, &d), 0);
	wait_done(qp, &d);
	ck_assert_uint_eq(d.calls, 1);
	ck_assert_int_eq(d.err, -ERANGE);
	ck_assert_uint_eq(UVF_NVME_SC(d.cpl.status), 0x80);
	/* The children in range did their part. */
	ck_assert(!memcmp(media + ((8192u - 64) << 9), f.arena, 64u << 9));
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_destroy_completes_waiting_split_once_with_ecanceled)
{
	struct fake_nvme_params p;
	struct fake_nvme_faults fl = { .hold = true };
	struct uvf_nvme_qpair *qp;
	struct done d = { 0 };

	fake_nvme_params_default(&p);
	p.mdts = 1;
	open_with(&p, 1, false);
	qp = nvmefix_qpair(&f, 4);
	fake_nvme_set_faults(f.dev, &fl);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 256, done_cb, &d), 0);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 3);
	ck_assert_uint_eq(d.calls, 0);
	uvf_nvme_qpair_destroy(qp);
	ck_assert_uint_eq(d.calls, 1);
	ck_assert_int_eq(d.err, -ECANCELED);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_block_larger_than_max_xfer_is_einval)
{
	struct fake_nvme_params p;
	struct fake_nvme_stats st;
	struct uvf_nvme_qpair *qp;
	struct done d = { 0 };

	fake_nvme_params_default(&p);
	p.mdts = 1;
	p.lbads = 14;	/* 16 KiB blocks, 8 KiB per command */
	p.nsze = 64;
	open_with(&p, 1, false);
	qp = nvmefix_qpair(&f, 0);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 1, done_cb, &d),
			 -EINVAL);
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_eq(st.reads, 0);
	ck_assert_uint_eq(d.calls, 0);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

/* Queue pairs on one thread each doing I/O, checked per pair. */
struct worker {
	struct uvf_nvme_qpair *qp;
	unsigned int id;
	int err;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	uint8_t *buf = f.arena + w->id * (1u << 20);
	unsigned int i;

	for (i = 0; i < 32 && !w->err; i++) {
		nvmefix_pattern(buf, 4096, w->id * 100 + i);
		w->err = nvmefix_io(w->qp, NVME_CMD_WRITE, 1, buf,
				    w->id * 64 + i % 8 * 8, 8, NULL);
		if (!w->err)
			w->err = nvmefix_io(w->qp, NVME_CMD_READ, 1,
					    buf + 4096, w->id * 64 + i % 8 * 8,
					    8, NULL);
		if (!w->err && memcmp(buf, buf + 4096, 4096))
			w->err = -EILSEQ;
	}
	return NULL;
}

/* @n queue pairs on @n threads, sharing whatever vectors there are. */
static void run_threads(unsigned int n, const int *want_vec)
{
	struct fake_nvme_stats st;
	struct worker w[4];
	pthread_t t[4];
	unsigned int i;

	for (i = 0; i < n; i++) {
		w[i] = (struct worker){ .qp = nvmefix_qpair(&f, 0), .id = i };
		ck_assert_int_eq(w[i].qp->irq_vec, want_vec[i]);
	}
	for (i = 0; i < n; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_main, &w[i]),
				 0);
	for (i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].err, 0);
		uvf_nvme_qpair_destroy(w[i].qp);
	}
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_ge(st.irqs, n * 64);
}

START_TEST(test_one_msix_vector_is_shared_by_admin_and_io_queues)
{
	static const int vec[4] = { 0, 0, 0, 0 };
	const struct uvf_nvme_ctrl_info *ci;
	struct fake_nvme_params p;

	fake_nvme_params_default(&p);
	p.vectors = 1;	/* QEMU msix_qsize=1 */
	open_with(&p, 4, true);
	ci = uvf_nvme_ctrl_get_info(f.ctrl);
	ck_assert(ci->interrupts);
	ck_assert_str_eq(ci->irq_type, "msix");
	ck_assert_uint_eq(ci->irq_vectors, 1);
	run_threads(4, vec);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_io_queues_share_the_vectors_after_the_admin_one)
{
	static const int vec[4] = { 1, 2, 1, 2 };
	struct fake_nvme_params p;

	fake_nvme_params_default(&p);
	p.vectors = 3;
	open_with(&p, 4, true);
	ck_assert_str_eq(uvf_nvme_ctrl_get_info(f.ctrl)->irq_type, "msix");
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->irq_vectors, 3);
	run_threads(4, vec);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_msi_takes_a_power_of_two_of_vectors_without_msix)
{
	static const int vec[4] = { 1, 1, 1, 1 };
	struct fake_nvme_params p;

	fake_nvme_params_default(&p);
	p.no_msix = true;
	p.vectors = 3;	/* 5 wanted, 4 refused, 2 granted */
	open_with(&p, 4, true);
	ck_assert_str_eq(uvf_nvme_ctrl_get_info(f.ctrl)->irq_type, "msi");
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->irq_vectors, 2);
	run_threads(4, vec);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_no_interrupts_at_all_falls_back_to_polling)
{
	const struct uvf_nvme_ctrl_info *ci;
	struct fake_nvme_params p;
	struct uvf_nvme_qpair *qp;

	fake_nvme_params_default(&p);
	p.no_msix = true;
	p.vectors = 0;
	open_with(&p, 2, true);
	ci = uvf_nvme_ctrl_get_info(f.ctrl);
	ck_assert(!ci->interrupts);
	ck_assert_str_eq(ci->irq_type, "none");
	ck_assert_uint_eq(ci->irq_vectors, 0);
	qp = nvmefix_qpair(&f, 0);
	ck_assert_int_eq(qp->irq_vec, -1);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, f.arena, 0, 8,
				    NULL), 0);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_fewer_queue_pairs_granted_are_reported)
{
	struct fake_nvme_params p;
	struct uvf_nvme_qpair *qp, *second = NULL;

	fake_nvme_params_default(&p);
	p.max_queues = 1;	/* QEMU max_ioqpairs=1 */
	open_with(&p, 4, false);
	ck_assert_uint_eq(uvf_nvme_ctrl_io_queues(f.ctrl), 1);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->io_queues, 1);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->io_queues_requested,
			  4);
	qp = nvmefix_qpair(&f, 0);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &second), -ENOSPC);
	ck_assert_ptr_null(second);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, f.arena, 0, 8,
				    NULL), 0);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_limits");
	TCase *split = tcase_create("split");
	TCase *irq = tcase_create("vectors");
	TCase *qps = tcase_create("queue-pairs");

	tcase_add_test(split, test_io_above_mdts_splits_into_children_completing_once);
	tcase_add_test(split, test_one_and_four_mib_io_with_default_mdts);
	tcase_add_test(split, test_split_children_wait_for_slots_of_a_small_queue);
	tcase_add_test(split, test_split_child_error_completes_the_request_once_with_it);
	tcase_add_test(split, test_destroy_completes_waiting_split_once_with_ecanceled);
	tcase_add_test(split, test_block_larger_than_max_xfer_is_einval);
	suite_add_tcase(s, split);
	tcase_add_test(irq, test_one_msix_vector_is_shared_by_admin_and_io_queues);
	tcase_add_test(irq, test_io_queues_share_the_vectors_after_the_admin_one);
	tcase_add_test(irq, test_msi_takes_a_power_of_two_of_vectors_without_msix);
	tcase_add_test(irq, test_no_interrupts_at_all_falls_back_to_polling);
	suite_add_tcase(s, irq);
	tcase_add_test(qps, test_fewer_queue_pairs_granted_are_reported);
	suite_add_tcase(s, qps);
	return s;
}
