/* SPDX-License-Identifier: MIT */
/*
 * The whole NVMe driver against the fake controller behind the software
 * IOMMU: bring-up, identify, queue pairs, data transfers of every size with
 * registered and unregistered buffers, status decoding, interrupts, and
 * queue pairs on several threads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "nvme_priv.h"
#include "nvmefix.h"

static struct nvmefix f;

static void setup_default(void)
{
	nvmefix_setup(&f, NULL);
	nvmefix_open(&f, NULL);
}

static void teardown(void)
{
	nvmefix_teardown(&f);
}

START_TEST(test_open_reads_identity_limits_and_namespaces)
{
	const struct uvf_nvme_ctrl_info *ci = uvf_nvme_ctrl_get_info(f.ctrl);
	struct uvf_nvme_ns_info ns;
	uint32_t ids[4];

	ck_assert_str_eq(ci->model, "uvf fake NVMe controller");
	ck_assert_str_eq(ci->serial, "FAKE0001");
	ck_assert_str_eq(ci->firmware, "1.0");
	ck_assert_uint_eq(ci->vid, 0x1b36);
	ck_assert_uint_eq(ci->version, 0x10400);
	ck_assert_uint_eq(ci->mqes, 1024);
	ck_assert_uint_eq(ci->doorbell_stride, 4);
	ck_assert_uint_eq(ci->ready_timeout_ms, 500);
	ck_assert_uint_eq(ci->mdts, 7);
	ck_assert_uint_eq(ci->max_xfer, 512 << 10);
	ck_assert_uint_eq(ci->nn, 1);
	ck_assert(ci->volatile_write_cache);
	ck_assert_uint_eq(ci->io_queues, 4);	/* asked 4, 8 offered */
	ck_assert_str_eq(ci->irq_type, "none");
	ck_assert_int_eq(uvf_nvme_ns_list(f.ctrl, ids, 4), 1);
	ck_assert_uint_eq(ids[0], 1);
	ck_assert_int_eq(uvf_nvme_ns_get_info(f.ctrl, 1, &ns), 0);
	ck_assert_uint_eq(ns.nsze, 8192);
	ck_assert_uint_eq(ns.block_size, 512);
	ck_assert_uint_eq(ns.nlbaf, 1);
	ck_assert_int_eq(uvf_nvme_ns_get_info(f.ctrl, 2, &ns), -ENOENT);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), 0);
}
END_TEST

START_TEST(test_open_enables_bus_mastering_and_close_restores_it)
{
	uint16_t cmd;

	ck_assert_int_eq(uvf_device_cfg_read(f.dev, 4, &cmd, 2), 0);
	ck_assert_uint_eq(cmd & 0x6, 0x6);
	uvf_nvme_ctrl_close(f.ctrl);
	f.ctrl = NULL;
	ck_assert_int_eq(uvf_device_cfg_read(f.dev, 4, &cmd, 2), 0);
	ck_assert_uint_eq(cmd, 0);
}
END_TEST

START_TEST(test_close_shuts_the_controller_down_and_disables_it)
{
	struct fake_nvme_stats st;
	uint64_t csts;

	uvf_nvme_ctrl_close(f.ctrl);
	f.ctrl = NULL;
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_eq(st.shutdowns, 1);
	ck_assert_int_eq(uvf_device_bar_read(f.dev, 0, NVME_REG_CSTS, &csts,
					     4), 0);
	ck_assert_uint_eq(csts & NVME_CSTS_RDY, 0);
}
END_TEST

START_TEST(test_class_code_alone_makes_a_match)
{
	struct fake_nvme_params p;

	fake_nvme_params_default(&p);
	p.vendor = 0x8086;
	p.device = 0x0a54;
	nvmefix_setup(&f, &p);
	ck_assert_int_eq(uvf_nvme_match(f.dev), 1);
	nvmefix_open(&f, NULL);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_other_device_is_enodev_and_untouched)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl *ctrl = NULL;
	uint16_t cmd;

	fake_nvme_params_default(&p);
	p.vendor = 0x8086;
	p.class_code = 0x020000;	/* an Ethernet controller */
	nvmefix_setup(&f, &p);
	ck_assert_int_eq(uvf_nvme_match(f.dev), 0);
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, NULL, &ctrl), -ENODEV);
	ck_assert_ptr_null(ctrl);
	ck_assert_int_eq(uvf_device_cfg_read(f.dev, 4, &cmd, 2), 0);
	ck_assert_uint_eq(cmd, 0);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_driver_model_probe_opens_and_remove_closes)
{
	void *drvdata = NULL;

	nvmefix_setup(&f, NULL);
	ck_assert_int_eq(uvf_driver_probe(&uvf_nvme_driver, f.dev, &drvdata),
			 0);
	ck_assert_ptr_nonnull(drvdata);
	ck_assert_str_eq(uvf_nvme_ctrl_get_info(drvdata)->serial, "FAKE0001");
	uvf_nvme_driver.remove(f.dev, drvdata);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_bad_options_are_einval)
{
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_ctrl *ctrl = NULL;

	nvmefix_setup(&f, NULL);
	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 0;
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, &o, &ctrl), -EINVAL);
	uvf_nvme_ctrl_opts_default(&o);
	o.admin_queue_size = 1;
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, &o, &ctrl), -EINVAL);
	ck_assert_ptr_null(ctrl);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_write_then_read_back_every_size_up_to_mdts)
{
	static const uint32_t nlbs[] = { 1, 7, 8, 9, 16, 255, 256, 1023, 1024 };
	static const size_t offs[] = { 0, 4, 512, 4092 };
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	uint8_t *media = fake_nvme_media(f.dev, 1);
	uint8_t *rd = f.arena + (8u << 20);
	size_t i, j, len;
	uint64_t lba = 0;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		for (j = 0; j < sizeof(nlbs) / sizeof(nlbs[0]); j++) {
			uint8_t *wr = f.arena + offs[i];

			len = (size_t)nlbs[j] * 512;
			nvmefix_pattern(wr, len, (uint32_t)(i * 100 + j));
			lba = (lba + 997) % (8192 - 1024);
			ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, wr,
						    lba, nlbs[j], NULL), 0);
			ck_assert(!memcmp(media + lba * 512, wr, len));
			memset(rd + offs[i], 0, len);
			ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1,
						    rd + offs[i], lba, nlbs[j],
						    NULL), 0);
			ck_assert(!memcmp(rd + offs[i], wr, len));
		}
	}
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_unregistered_buffer_is_mapped_for_one_command)
{
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	uint64_t before = nvmefix_mapped(&f);
	uint8_t *raw = aligned_alloc(4096, 64 << 10);
	uint8_t *buf = raw + 100;	/* dword aligned, not page aligned */
	uint8_t *back = malloc(40 << 10);

	ck_assert_ptr_nonnull(raw);
	ck_assert_ptr_nonnull(back);
	nvmefix_pattern(buf, 40 << 10, 7);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, buf, 64, 80, NULL),
			 0);
	ck_assert_uint_eq(nvmefix_mapped(&f), before);
	ck_assert(!memcmp(fake_nvme_media(f.dev, 1) + 64 * 512, buf, 40 << 10));
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, back, 64, 80, NULL),
			 0);
	ck_assert_uint_eq(nvmefix_mapped(&f), before);
	ck_assert(!memcmp(back, buf, 40 << 10));
	uvf_nvme_qpair_destroy(qp);
	free(raw);
	free(back);
}
END_TEST

START_TEST(test_large_transfer_chains_prp_list_pages)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;
	struct fake_nvme_stats st;
	struct uvf_nvme_qpair *qp;
	uint8_t *wr, *rd;
	const size_t len = 4u << 20;

	fake_nvme_params_default(&p);
	p.mdts = 0;			/* no limit */
	p.nsze = 16384;			/* 8 MiB */
	nvmefix_setup(&f, &p);
	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	o.max_xfer = 4u << 20;
	nvmefix_open(&f, &o);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->max_xfer, len);
	qp = nvmefix_qpair(&f, 16);
	/* Unaligned: 1025 pages, 1024 list entries, three list pages. */
	wr = f.arena + 4;
	rd = f.arena + (8u << 20) + 4;
	nvmefix_pattern(wr, len, 99);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, wr, 100, 8192,
				    NULL), 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, rd, 100, 8192, NULL),
			 0);
	ck_assert(!memcmp(rd, wr, len));
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_eq(st.max_list_pages, 3);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_misaligned_or_empty_transfer_is_einval)
{
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	struct fake_nvme_stats st;
	struct uvf_nvme_sync s = { 0 };

	/* Above max_xfer the request is split; misaligned it is not. */
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena + 2, 0, 1025,
				       uvf_nvme_sync_cb, &s), -EINVAL);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena + 2, 0, 1,
				       uvf_nvme_sync_cb, &s), -EINVAL);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 0, uvf_nvme_sync_cb,
				       &s), -EINVAL);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 0);
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_eq(st.reads, 0);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_write_zeroes_clears_blocks_and_flush_completes)
{
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	uint8_t *media = fake_nvme_media(f.dev, 1);
	struct fake_nvme_stats st;
	size_t i;

	nvmefix_pattern(f.arena, 16 * 512, 3);
	f.arena[0] |= 1;
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, f.arena, 10, 16,
				    NULL), 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE_ZEROES, 1, NULL, 12, 4,
				    NULL), 0);
	ck_assert(!memcmp(media + 10 * 512, f.arena, 2 * 512));
	for (i = 12 * 512; i < 16 * 512; i++)
		ck_assert_uint_eq(media[i], 0);
	ck_assert(!memcmp(media + 16 * 512, f.arena + 6 * 512, 10 * 512));
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_FLUSH, 1, NULL, 0, 0, NULL),
			 0);
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_eq(st.flushes, 1);
	ck_assert_uint_eq(st.write_zeroes, 1);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_write_zeroes_without_oncs_is_eopnotsupp)
{
	struct fake_nvme_params p;
	struct uvf_nvme_qpair *qp;

	fake_nvme_params_default(&p);
	p.write_zeroes = false;
	nvmefix_setup(&f, &p);
	nvmefix_open(&f, NULL);
	qp = nvmefix_qpair(&f, 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE_ZEROES, 1, NULL, 0, 1,
				    NULL), -EOPNOTSUPP);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_lba_out_of_range_is_erange_with_the_raw_status)
{
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	struct uvf_nvme_cpl cpl;

	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, f.arena, 8191, 2,
				    &cpl), -ERANGE);
	ck_assert_uint_eq(UVF_NVME_SCT(cpl.status), UVF_NVME_SCT_GENERIC);
	ck_assert_uint_eq(UVF_NVME_SC(cpl.status), 0x80);
	ck_assert_str_eq(uvf_nvme_status_str(cpl.status), "LBA Out of Range");
	/* A command error is not a controller failure. */
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, f.arena, 8191, 1,
				    &cpl), 0);
	ck_assert_uint_eq(cpl.status, 0);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_unknown_namespace_is_enoent)
{
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);

	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, f.arena, 0, 1, NULL),
			 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 2, f.arena, 0, 1, NULL),
			 -ENOENT);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_FLUSH, 0, NULL, 0, 0, NULL),
			 -ENOENT);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_raw_admin_commands_report_status)
{
	struct uvf_nvme_cmd cmd = { .opc = 0xc1 };
	struct uvf_nvme_cpl cpl;
	uint8_t *id = malloc(NVME_IDENTIFY_SIZE);

	ck_assert_ptr_nonnull(id);
	ck_assert_int_eq(uvf_nvme_admin(f.ctrl, &cmd, NULL, 0, &cpl),
			 -EOPNOTSUPP);
	ck_assert_uint_eq(cpl.status, UVF_NVME_STATUS(0, 0x01));
	ck_assert_int_eq(uvf_nvme_identify(f.ctrl, NVME_CNS_CTRL, 0, id), 0);
	ck_assert(!memcmp(id + NVME_IDC_MN, "uvf fake NVMe", 13));
	/* Through a caller's buffer, mapped for the command. */
	memset(id, 0, NVME_IDENTIFY_SIZE);
	cmd = (struct uvf_nvme_cmd){ .opc = NVME_ADMIN_IDENTIFY, .nsid = 1,
				     .cdw10 = NVME_CNS_NS };
	ck_assert_int_eq(uvf_nvme_admin(f.ctrl, &cmd, id, NVME_IDENTIFY_SIZE,
					&cpl), 0);
	ck_assert_uint_eq(id[NVME_IDNS_NSZE + 1], 8192 >> 8);
	free(id);
}
END_TEST

struct counter {
	unsigned int calls, ok;
	int last_err;
};

static void count_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct counter *c = arg;

	(void)cpl;
	c->calls++;
	c->ok += !err;
	c->last_err = err;
}

START_TEST(test_full_queue_is_eagain_until_completions_are_reaped)
{
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 8);
	struct fake_nvme_faults flt = { .hold = true };
	struct counter c = { 0 };
	unsigned int i;
	int n;

	fake_nvme_set_faults(f.dev, &flt);
	for (i = 0; i < 7; i++)
		ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena + i * 512, i, 1,
					       count_cb, &c), 0);
	ck_assert_int_eq(uvf_nvme_read(qp, 1, f.arena, 0, 1, count_cb, &c),
			 -EAGAIN);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 7);
	ck_assert_int_eq(uvf_nvme_qpair_wait(qp, 0), -ETIMEDOUT);
	fake_nvme_release(f.dev);
	n = uvf_nvme_qpair_wait(qp, 1000);
	ck_assert_int_eq(n, 7);
	ck_assert_uint_eq(c.ok, 7);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 0);
	ck_assert_int_eq(uvf_nvme_qpair_wait(qp, 0), -EAGAIN);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_destroying_a_qpair_aborts_its_commands_with_ecanceled)
{
	uint64_t before = nvmefix_mapped(&f), with_qpair;
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	struct fake_nvme_faults flt = { .hold = true };
	struct counter c = { 0 };
	struct fake_nvme_stats st;
	uint8_t *buf = malloc(4096);
	unsigned int i;

	ck_assert_ptr_nonnull(buf);
	with_qpair = nvmefix_mapped(&f);
	fake_nvme_set_faults(f.dev, &flt);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(uvf_nvme_write(qp, 1, buf, 8 * i, 8,
						count_cb, &c), 0);
	/* Hand the batch held back to the controller, which holds it. */
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_uint_gt(nvmefix_mapped(&f), with_qpair);
	uvf_nvme_qpair_destroy(qp);
	ck_assert_uint_eq(c.calls, 3);
	ck_assert_uint_eq(c.ok, 0);
	ck_assert_int_eq(c.last_err, -ECANCELED);
	ck_assert_uint_eq(nvmefix_mapped(&f), before);
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_eq(st.aborted_by_delete, 3);
	ck_assert_uint_eq(st.writes, 0);
	ck_assert_uint_eq(st.live_io_queues, 0);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), 0);
	free(buf);
}
END_TEST

START_TEST(test_completion_queue_wraps_many_times)
{
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 4);
	uint8_t *wr = f.arena, *rd = f.arena + 4096;
	unsigned int i;

	for (i = 0; i < 300; i++) {
		nvmefix_pattern(wr, 1024, i);
		ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, wr, i % 64,
					    2, NULL), 0);
		ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, rd, i % 64, 2,
					    NULL), 0);
		ck_assert(!memcmp(wr, rd, 1024));
	}
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_qpair_ids_run_out_with_enospc_and_come_back)
{
	struct uvf_nvme_qpair *qp[4], *extra;
	unsigned int i;

	for (i = 0; i < 4; i++) {
		qp[i] = nvmefix_qpair(&f, 0);
		ck_assert_uint_eq(uvf_nvme_qpair_id(qp[i]), i + 1);
	}
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &extra), -ENOSPC);
	uvf_nvme_qpair_destroy(qp[1]);
	qp[1] = nvmefix_qpair(&f, 0);
	ck_assert_uint_eq(uvf_nvme_qpair_id(qp[1]), 2);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 1, &extra), -EINVAL);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 1025, &extra), -EINVAL);
	/* Left for close to destroy. */
}
END_TEST

struct chain {
	struct uvf_nvme_qpair *qp;
	uint8_t *buf;
	unsigned int left, done;
	int err;
};

/* Each completion submits the next write, from inside the callback. */
static void chain_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct chain *c = arg;

	(void)cpl;
	c->done++;
	if (err && !c->err)
		c->err = err;
	if (!err && c->left) {
		c->left--;
		c->err = uvf_nvme_write(c->qp, 1, c->buf, c->left, 1, chain_cb,
					c);
	}
}

START_TEST(test_callbacks_may_submit_on_their_queue_pair)
{
	struct chain c = { .qp = nvmefix_qpair(&f, 4), .buf = f.arena,
			   .left = 50 };

	ck_assert_int_eq(uvf_nvme_write(c.qp, 1, c.buf, 99, 1, chain_cb, &c),
			 0);
	while (uvf_nvme_qpair_outstanding(c.qp))
		ck_assert_int_ge(uvf_nvme_qpair_wait(c.qp, 1000), 1);
	ck_assert_int_eq(c.err, 0);
	ck_assert_uint_eq(c.done, 51);
	uvf_nvme_qpair_destroy(c.qp);
}
END_TEST

struct worker {
	unsigned int id;
	int err;
	unsigned int verified;
};

struct slot {
	struct worker *w;
	struct uvf_nvme_qpair *qp;
	uint8_t *wr, *rd;
	uint64_t lba;
	uint32_t nlb;
	bool reading;
};

/* A write's completion submits the read-back; the read's verifies. */
static void slot_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct slot *s = arg;

	(void)cpl;
	if (!err && !s->reading) {
		s->reading = true;
		err = uvf_nvme_read(s->qp, 1, s->rd, s->lba, s->nlb, slot_cb,
				    s);
	} else if (!err) {
		if (memcmp(s->wr, s->rd, (size_t)s->nlb * 512))
			err = -EILSEQ;
		else
			s->w->verified++;
	}
	if (err && !s->w->err)
		s->w->err = err;
}

/* Rounds of eight writes (queue depth 8), each read back, on the
 * thread's own queue pair. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct uvf_nvme_qpair *qp;
	struct slot slots[8];
	unsigned int seed = w->id + 1, i, rounds;
	int ret;

	ret = uvf_nvme_qpair_create(f.ctrl, 16, &qp);
	if (ret) {
		w->err = ret;
		return NULL;
	}
	for (rounds = 0; rounds < 40 && !w->err; rounds++) {
		for (i = 0; i < 8 && !w->err; i++) {
			struct slot *s = &slots[i];

			*s = (struct slot){
				.w = w,
				.qp = qp,
				.wr = f.arena + (w->id * 16 + i) * 65536,
				.rd = f.arena + (8u << 20) +
				      (w->id * 16 + i) * 65536,
				.nlb = (uint32_t)(rand_r(&seed) % 64) + 1,
			};
			/* Each thread owns 2048 blocks, each slot 256. */
			s->lba = w->id * 2048 + i * 256 +
				 (uint64_t)(rand_r(&seed) % (256 - s->nlb));
			nvmefix_pattern(s->wr, (size_t)s->nlb * 512,
					(uint32_t)rand_r(&seed));
			ret = uvf_nvme_write(qp, 1, s->wr, s->lba, s->nlb,
					     slot_cb, s);
			if (ret)
				w->err = ret;
		}
		while (uvf_nvme_qpair_outstanding(qp)) {
			ret = uvf_nvme_qpair_wait(qp, 5000);
			if (ret < 0 && !w->err)
				w->err = ret;
		}
	}
	uvf_nvme_qpair_destroy(qp);
	return NULL;
}

START_TEST(test_one_queue_pair_per_thread)
{
	pthread_t t[4];
	struct worker w[4];
	unsigned int i;

	for (i = 0; i < 4; i++) {
		w[i] = (struct worker){ .id = i };
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker_main, &w[i]),
				 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].err, 0);
		ck_assert_uint_eq(w[i].verified, 40 * 8);
	}
}
END_TEST

START_TEST(test_msix_interrupts_complete_commands)
{
	struct uvf_nvme_ctrl_opts o;
	struct fake_nvme_stats st;
	struct uvf_nvme_qpair *qp;

	nvmefix_setup(&f, NULL);
	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 2;
	o.interrupts = true;
	nvmefix_open(&f, &o);
	ck_assert_str_eq(uvf_nvme_ctrl_get_info(f.ctrl)->irq_type, "msix");
	ck_assert(uvf_nvme_ctrl_get_info(f.ctrl)->interrupts);
	qp = nvmefix_qpair(&f, 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, f.arena, 0, 8,
				    NULL), 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, f.arena, 0, 8, NULL),
			 0);
	fake_nvme_get_stats(f.dev, &st);
	ck_assert_uint_ge(st.irqs, 2);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_msi_is_used_when_msix_is_missing)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp;

	fake_nvme_params_default(&p);
	p.no_msix = true;
	nvmefix_setup(&f, &p);
	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 2;
	o.interrupts = true;
	nvmefix_open(&f, &o);
	ck_assert_str_eq(uvf_nvme_ctrl_get_info(f.ctrl)->irq_type, "msi");
	qp = nvmefix_qpair(&f, 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, f.arena, 0, 8, NULL),
			 0);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_ctrl");
	TCase *tc = tcase_create("opened");
	TCase *own = tcase_create("own-setup");

	tcase_add_checked_fixture(tc, setup_default, teardown);
	tcase_add_test(tc, test_open_reads_identity_limits_and_namespaces);
	tcase_add_test(tc, test_open_enables_bus_mastering_and_close_restores_it);
	tcase_add_test(tc, test_close_shuts_the_controller_down_and_disables_it);
	tcase_add_test(tc, test_write_then_read_back_every_size_up_to_mdts);
	tcase_add_test(tc, test_unregistered_buffer_is_mapped_for_one_command);
	tcase_add_test(tc, test_misaligned_or_empty_transfer_is_einval);
	tcase_add_test(tc, test_write_zeroes_clears_blocks_and_flush_completes);
	tcase_add_test(tc, test_lba_out_of_range_is_erange_with_the_raw_status);
	tcase_add_test(tc, test_unknown_namespace_is_enoent);
	tcase_add_test(tc, test_raw_admin_commands_report_status);
	tcase_add_test(tc,
		       test_full_queue_is_eagain_until_completions_are_reaped);
	tcase_add_test(tc,
		       test_destroying_a_qpair_aborts_its_commands_with_ecanceled);
	tcase_add_test(tc, test_completion_queue_wraps_many_times);
	tcase_add_test(tc, test_qpair_ids_run_out_with_enospc_and_come_back);
	tcase_add_test(tc, test_callbacks_may_submit_on_their_queue_pair);
	tcase_add_test(tc, test_one_queue_pair_per_thread);
	suite_add_tcase(s, tc);

	tcase_add_test(own, test_class_code_alone_makes_a_match);
	tcase_add_test(own, test_other_device_is_enodev_and_untouched);
	tcase_add_test(own, test_driver_model_probe_opens_and_remove_closes);
	tcase_add_test(own, test_bad_options_are_einval);
	tcase_add_test(own, test_large_transfer_chains_prp_list_pages);
	tcase_add_test(own, test_write_zeroes_without_oncs_is_eopnotsupp);
	tcase_add_test(own, test_msix_interrupts_complete_commands);
	tcase_add_test(own, test_msi_is_used_when_msix_is_missing);
	suite_add_tcase(s, own);
	return s;
}
