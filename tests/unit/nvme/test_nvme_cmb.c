/* SPDX-License-Identifier: MIT */
/*
 * Submission queues in the Controller Memory Buffer, on the fake
 * controller: the CMB is found (CMBMSC.CRE, CMBLOC, CMBSZ), enabled at its
 * BAR's bus address (CMSE, CBA), I/O SQs are written there and fetched
 * from there, with shadow doorbells or without and with batching; without
 * a usable CMB (none, no SQS, CMBLOC beyond its BAR, a queue too large for
 * its share) SQs stay in host memory and the options can force either
 * way; a controller reset enables the CMB again.
 */
#include <errno.h>
#include <string.h>

#include "check_main.h"
#include "nvme_priv.h"
#include "nvmefix.h"

#define CMB_UNITS 16u		/* 1 MiB: 64 KiB units */
#define IO_LEN (1u << 20)	/* above MDTS (512 KiB): split in two */

static struct nvmefix f;

static void teardown(void)
{
	nvmefix_teardown(&f);
}

static void cmb_params(struct fake_nvme_params *p)
{
	fake_nvme_params_default(p);
	p->cmb_units = CMB_UNITS;
}

static void cmb_opts(struct uvf_nvme_ctrl_opts *o, enum uvf_nvme_cmb cmb)
{
	uvf_nvme_ctrl_opts_default(o);
	o->io_queues = 4;
	o->cmb = cmb;
}

/* Write 1 MiB of a pattern, read it back elsewhere, compare. */
static void write_read_verify(struct uvf_nvme_qpair *qp, uint32_t seed)
{
	nvmefix_write_read_verify(&f, qp, f.arena + (1u << 20),
				  f.arena + (4u << 20), IO_LEN >> 9, seed);
}

/* Open on @p with @cmb; SQs in host memory, I/O works, nothing fetched
 * from a CMB. */
static void assert_host_memory_sqs(const struct fake_nvme_params *p,
				   enum uvf_nvme_cmb cmb, int cmb_error)
{
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp;

	cmb_opts(&o, cmb);
	nvmefix_setup(&f, p);
	nvmefix_open(&f, &o);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->cmb_size, 0);
	ck_assert_int_eq(uvf_nvme_ctrl_get_info(f.ctrl)->cmb_error, cmb_error);
	qp = nvmefix_qpair(&f, 0);
	ck_assert(!uvf_nvme_qpair_sq_in_cmb(qp));
	write_read_verify(qp, 3);
	ck_assert(!nvmefix_stats(&f).cmb_decoded);
	ck_assert_uint_eq(nvmefix_stats(&f).cmb_sqe_fetches, 0);
	uvf_nvme_qpair_destroy(qp);
}

START_TEST(test_cmb_is_enabled_at_its_bar_address_and_sqs_are_fetched_there)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp, *qp2;
	const struct uvf_nvme_ctrl_info *info;

	cmb_params(&p);
	cmb_opts(&o, UVF_NVME_CMB_AUTO);
	nvmefix_setup(&f, &p);
	nvmefix_open(&f, &o);
	info = uvf_nvme_ctrl_get_info(f.ctrl);
	ck_assert_uint_eq(info->cmb_size, CMB_UNITS * (64u << 10));
	ck_assert_int_eq(info->cmb_error, 0);
	ck_assert(nvmefix_stats(&f).cmb_decoded);
	ck_assert_uint_eq(nvmefix_stats(&f).cmb_cba, FAKE_NVME_BAR2_ADDR);
	qp = nvmefix_qpair(&f, 0);
	qp2 = nvmefix_qpair(&f, 0);
	ck_assert(uvf_nvme_qpair_sq_in_cmb(qp));
	ck_assert(uvf_nvme_qpair_sq_in_cmb(qp2));
	/* Shadow doorbells (the fake's default) stay on with it. */
	ck_assert(info->shadow_doorbells);
	write_read_verify(qp, 1);
	write_read_verify(qp2, 2);
	/* Two children per transfer, two transfers per pair. */
	ck_assert_uint_ge(nvmefix_stats(&f).cmb_sqe_fetches, 8);
	ck_assert_uint_eq(nvmefix_stats(&f).dma_faults, 0);
	uvf_nvme_qpair_destroy(qp2);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_cmb_sqs_take_batches_without_shadow_doorbells)
{
	struct uvf_nvme_sync s[8] = { { 0 } };
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp;
	unsigned int i;
	uint8_t *out;

	cmb_params(&p);
	cmb_opts(&o, UVF_NVME_CMB_ON);
	o.no_shadow_doorbells = true;
	nvmefix_setup(&f, &p);
	nvmefix_open(&f, &o);
	qp = nvmefix_qpair(&f, 0);
	ck_assert(uvf_nvme_qpair_sq_in_cmb(qp));
	out = f.arena;
	nvmefix_pattern(out, 8 * 4096, 7);
	uvf_nvme_qpair_batch_begin(qp);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(uvf_nvme_write(qp, 1, out + i * 4096, i * 8, 8,
						uvf_nvme_sync_cb, &s[i]), 0);
	/* Held back: the controller has seen none of them. */
	ck_assert_uint_eq(nvmefix_stats(&f).cmb_sqe_fetches, 0);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).sq_doorbell_writes, 1);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(uvf_nvme_sync_wait(qp, &s[i]), 0);
	ck_assert_uint_eq(nvmefix_stats(&f).cmb_sqe_fetches, 8);
	ck_assert(!memcmp(fake_nvme_media(f.dev, 1), out, 8 * 4096));
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_no_cmb_keeps_sqs_in_host_memory)
{
	struct fake_nvme_params p;

	fake_nvme_params_default(&p);
	assert_host_memory_sqs(&p, UVF_NVME_CMB_AUTO, 0);
	/* CAP.CMBS is clear: CMBMSC is left alone. */
	ck_assert_uint_eq(nvmefix_stats(&f).cmbmsc_writes, 0);
}
END_TEST

START_TEST(test_cmb_without_sqs_is_enotsup_and_sqs_stay_in_host_memory)
{
	struct fake_nvme_params p;

	cmb_params(&p);
	p.cmb_no_sqs = true;
	assert_host_memory_sqs(&p, UVF_NVME_CMB_AUTO, -ENOTSUP);
}
END_TEST

START_TEST(test_cmbloc_beyond_its_bar_is_einval_and_sqs_stay_in_host_memory)
{
	struct fake_nvme_params p;

	cmb_params(&p);
	p.cmb_ofst = 4;
	p.cmb_bar_size = CMB_UNITS * (64u << 10);	/* 4 units short */
	assert_host_memory_sqs(&p, UVF_NVME_CMB_AUTO, -EINVAL);
}
END_TEST

START_TEST(test_cmb_off_keeps_sqs_in_host_memory)
{
	struct fake_nvme_params p;

	cmb_params(&p);
	assert_host_memory_sqs(&p, UVF_NVME_CMB_OFF, 0);
}
END_TEST

/* Forced on: the reason the CMB cannot be used fails the open. */
static void assert_cmb_on_fails(const struct fake_nvme_params *p, int err)
{
	struct uvf_nvme_ctrl_opts o;

	cmb_opts(&o, UVF_NVME_CMB_ON);
	nvmefix_setup(&f, p);
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, &o, &f.ctrl), err);
	ck_assert_ptr_null(f.ctrl);
	ck_assert(!nvmefix_stats(&f).cmb_decoded);
}

START_TEST(test_cmb_on_without_a_cmb_fails_open_with_enodev)
{
	struct fake_nvme_params p;

	fake_nvme_params_default(&p);
	assert_cmb_on_fails(&p, -ENODEV);
}
END_TEST

START_TEST(test_cmb_on_with_cmbloc_beyond_its_bar_fails_open_with_einval)
{
	struct fake_nvme_params p;

	cmb_params(&p);
	p.cmb_ofst = 1;
	p.cmb_bar_size = CMB_UNITS * (64u << 10);
	assert_cmb_on_fails(&p, -EINVAL);
}
END_TEST

START_TEST(test_unknown_cmb_option_is_einval)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;

	cmb_params(&p);
	cmb_opts(&o, (enum uvf_nvme_cmb)(UVF_NVME_CMB_ON + 1));
	nvmefix_setup(&f, &p);
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, &o, &f.ctrl), -EINVAL);
	ck_assert_uint_eq(nvmefix_stats(&f).enables, 0);
}
END_TEST

START_TEST(test_queue_too_large_for_its_cmb_share_stays_in_host_memory)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *small, *large;

	cmb_params(&p);
	p.cmb_units = 1;	/* 64 KiB: 16 KiB per queue of four */
	cmb_opts(&o, UVF_NVME_CMB_AUTO);
	nvmefix_setup(&f, &p);
	nvmefix_open(&f, &o);
	small = nvmefix_qpair(&f, 256);	/* 16 KiB of entries */
	large = nvmefix_qpair(&f, 512);
	ck_assert(uvf_nvme_qpair_sq_in_cmb(small));
	ck_assert(!uvf_nvme_qpair_sq_in_cmb(large));
	write_read_verify(large, 4);
	ck_assert_uint_eq(nvmefix_stats(&f).cmb_sqe_fetches, 0);
	write_read_verify(small, 5);
	ck_assert_uint_ge(nvmefix_stats(&f).cmb_sqe_fetches, 4);
	uvf_nvme_qpair_destroy(large);
	uvf_nvme_qpair_destroy(small);
}
END_TEST

START_TEST(test_reset_enables_the_cmb_again)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp;
	uint64_t fetched, writes;

	cmb_params(&p);
	cmb_opts(&o, UVF_NVME_CMB_AUTO);
	nvmefix_setup(&f, &p);
	nvmefix_open(&f, &o);
	qp = nvmefix_qpair(&f, 0);
	write_read_verify(qp, 6);
	writes = nvmefix_stats(&f).cmbmsc_writes;
	ck_assert_int_eq(uvf_nvme_ctrl_reset(f.ctrl), 0);
	/* The fake forgot CMBMSC when disabled; the reset set it again. */
	ck_assert(nvmefix_stats(&f).cmb_decoded);
	ck_assert_uint_eq(nvmefix_stats(&f).cmb_cba, FAKE_NVME_BAR2_ADDR);
	ck_assert_uint_gt(nvmefix_stats(&f).cmbmsc_writes, writes);
	ck_assert(uvf_nvme_qpair_sq_in_cmb(qp));
	fetched = nvmefix_stats(&f).cmb_sqe_fetches;
	write_read_verify(qp, 7);
	ck_assert_uint_gt(nvmefix_stats(&f).cmb_sqe_fetches, fetched);
	ck_assert_uint_eq(nvmefix_stats(&f).dma_faults, 0);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_legacy_cmb_decodes_the_bar_address_without_cmbmsc)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp;

	cmb_params(&p);
	p.cmb_legacy = true;
	cmb_opts(&o, UVF_NVME_CMB_ON);
	nvmefix_setup(&f, &p);
	nvmefix_open(&f, &o);
	qp = nvmefix_qpair(&f, 0);
	ck_assert(uvf_nvme_qpair_sq_in_cmb(qp));
	write_read_verify(qp, 8);
	ck_assert_uint_ge(nvmefix_stats(&f).cmb_sqe_fetches, 4);
	ck_assert_uint_eq(nvmefix_stats(&f).cmbmsc_writes, 0);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_cmb");
	TCase *tc = tcase_create("cmb");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc,
		test_cmb_is_enabled_at_its_bar_address_and_sqs_are_fetched_there);
	tcase_add_test(tc, test_cmb_sqs_take_batches_without_shadow_doorbells);
	tcase_add_test(tc, test_no_cmb_keeps_sqs_in_host_memory);
	tcase_add_test(tc,
		test_cmb_without_sqs_is_enotsup_and_sqs_stay_in_host_memory);
	tcase_add_test(tc,
		test_cmbloc_beyond_its_bar_is_einval_and_sqs_stay_in_host_memory);
	tcase_add_test(tc, test_cmb_off_keeps_sqs_in_host_memory);
	tcase_add_test(tc, test_cmb_on_without_a_cmb_fails_open_with_enodev);
	tcase_add_test(tc,
		test_cmb_on_with_cmbloc_beyond_its_bar_fails_open_with_einval);
	tcase_add_test(tc, test_unknown_cmb_option_is_einval);
	tcase_add_test(tc,
		test_queue_too_large_for_its_cmb_share_stays_in_host_memory);
	tcase_add_test(tc, test_reset_enables_the_cmb_again);
	tcase_add_test(tc,
		test_legacy_cmb_decodes_the_bar_address_without_cmbmsc);
	suite_add_tcase(s, tc);
	return s;
}
