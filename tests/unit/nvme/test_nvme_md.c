/* SPDX-License-Identifier: MIT */
/*
 * Metadata: namespaces formatted with ms bytes per block (QEMU's nvme-ns
 * ms=, mset=), extended (after each block's data) or separate (MPTR). Data
 * and metadata must land where the format says, come back unchanged
 * through PRPs and SGLs, split in step above MDTS, and wrong sizes or
 * namespaces must be refused before anything is submitted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check_main.h"
#include "nvme_priv.h"
#include "nvmefix.h"

#define MS 8
#define BS 512

static struct nvmefix f;

static void open_md(bool extended, enum uvf_nvme_sgl mode)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;

	fake_nvme_params_default(&p);
	p.nr_ns = 2;
	p.md_nsid = 2;
	p.ms = MS;
	p.md_extended = extended;
	p.sgls = NVME_SGLS_ANY_ALIGN;
	nvmefix_setup(&f, &p);
	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	o.sgl = mode;
	nvmefix_open(&f, &o);
}

static int md_io(struct uvf_nvme_qpair *qp, bool write, uint32_t nsid,
		 const struct uvf_nvme_md_io *io)
{
	struct uvf_nvme_sync s = { 0 };
	int ret;

	ret = write ? uvf_nvme_write_md(qp, nsid, io, uvf_nvme_sync_cb, &s)
		    : uvf_nvme_read_md(qp, nsid, io, uvf_nvme_sync_cb, &s);
	return ret ? ret : uvf_nvme_sync_wait(qp, &s);
}

START_TEST(test_namespaces_report_block_size_ms_and_extended)
{
	struct uvf_nvme_ns_info ns;
	unsigned int ext;

	for (ext = 0; ext < 2; ext++) {
		open_md(ext, UVF_NVME_SGL_AUTO);
		ck_assert_int_eq(uvf_nvme_ns_get_info(f.ctrl, 2, &ns), 0);
		ck_assert_uint_eq(ns.block_size, BS);
		ck_assert_uint_eq(ns.ms, MS);
		ck_assert(ns.md_extended == ext);
		ck_assert_int_eq(uvf_nvme_ns_get_info(f.ctrl, 1, &ns), 0);
		ck_assert_uint_eq(ns.ms, 0);
		ck_assert(!ns.md_extended);
		nvmefix_teardown(&f);
	}
}
END_TEST

/* Extended LBAs: 4 KiB, 1 MiB and 4 MiB of data, each block followed by
 * its metadata in the one buffer, through PRPs and then SGLs. */
START_TEST(test_extended_lbas_round_trip_interleaved_metadata)
{
	static const uint32_t nlbs[] = { 8, 2048, 8192 };
	static const enum uvf_nvme_sgl modes[] = { UVF_NVME_SGL_OFF,
						   UVF_NVME_SGL_ALWAYS };
	struct uvf_nvme_qpair *qp;
	struct uvf_nvme_md_io io;
	unsigned int m, i, b;
	uint8_t *back;

	for (m = 0; m < 2; m++) {
		open_md(true, modes[m]);
		qp = nvmefix_qpair(&f, 0);
		back = f.arena + (8u << 20);
		for (i = 0; i < 3; i++) {
			io = (struct uvf_nvme_md_io){
				.buf = f.arena, .len = (size_t)nlbs[i] * (BS + MS),
				.nlb = nlbs[i],
			};
			nvmefix_pattern(f.arena, io.len, m * 10 + i);
			ck_assert_int_eq(md_io(qp, true, 2, &io), 0);
			for (b = 0; b < nlbs[i]; b++) {
				ck_assert(!memcmp(fake_nvme_media(f.dev, 2) + b * BS,
						  f.arena + b * (BS + MS), BS));
				ck_assert(!memcmp(fake_nvme_meta(f.dev) + b * MS,
						  f.arena + b * (BS + MS) + BS, MS));
			}
			memset(back, 0, io.len);
			io.buf = back;
			ck_assert_int_eq(md_io(qp, false, 2, &io), 0);
			ck_assert(!memcmp(back, f.arena, io.len));
		}
		ck_assert_uint_eq(nvmefix_stats(&f).sgl_cmds > 0, m == 1);
		uvf_nvme_qpair_destroy(qp);
		nvmefix_teardown(&f);
	}
}
END_TEST

/* Separate metadata: 4 MiB of data is eight commands at QEMU's MDTS, and
 * each must carry the metadata of its own blocks. */
START_TEST(test_separate_metadata_round_trips_and_splits_in_step)
{
	const uint32_t nlb = 8192;
	uint8_t *md = f.arena + (12u << 20), *back = f.arena + (8u << 20);
	uint8_t *md_back = md + (1u << 20);
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	struct uvf_nvme_md_io io = {
		.buf = f.arena, .len = (size_t)nlb * BS,
		.md = md, .md_len = (size_t)nlb * MS, .nlb = nlb,
	};
	struct fake_nvme_stats st;

	nvmefix_pattern(f.arena, io.len, 5);
	nvmefix_pattern(md, io.md_len, 6);
	ck_assert_int_eq(md_io(qp, true, 2, &io), 0);
	st = nvmefix_stats(&f);
	ck_assert_uint_eq(st.writes, 8);
	ck_assert_uint_eq(st.md_bytes, io.md_len);
	ck_assert(!memcmp(fake_nvme_media(f.dev, 2), f.arena, io.len));
	ck_assert(!memcmp(fake_nvme_meta(f.dev), md, io.md_len));
	io.buf = back;
	io.md = md_back;
	ck_assert_int_eq(md_io(qp, false, 2, &io), 0);
	ck_assert(!memcmp(back, f.arena, io.len));
	ck_assert(!memcmp(md_back, md, io.md_len));
	/* A few blocks in the middle: their metadata only. */
	io = (struct uvf_nvme_md_io){
		.buf = back, .len = 3 * BS, .md = md_back, .md_len = 3 * MS,
		.lba = 4001, .nlb = 3,
	};
	memset(md_back, 0, 3 * MS);
	ck_assert_int_eq(md_io(qp, false, 2, &io), 0);
	ck_assert(!memcmp(md_back, md + 4001 * MS, 3 * MS));
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_wrong_sizes_and_namespaces_are_refused_before_submitting)
{
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	struct uvf_nvme_md_io good = {
		.buf = f.arena, .len = 8 * BS, .md = f.arena + 65536,
		.md_len = 8 * MS, .nlb = 8,
	}, io;
	struct uvf_nvme_sync s = { 0 };

	ck_assert_int_eq(md_io(qp, true, 1, &good), -ENOTSUP);
	ck_assert_int_eq(md_io(qp, true, 3, &good), -ENOENT);
	io = good;
	io.len += BS;
	ck_assert_int_eq(md_io(qp, true, 2, &io), -EINVAL);
	io = good;
	io.len = 8 * (BS + MS);	/* the extended size, on a separate one */
	ck_assert_int_eq(md_io(qp, false, 2, &io), -EINVAL);
	io = good;
	io.md_len -= 4;
	ck_assert_int_eq(md_io(qp, true, 2, &io), -EINVAL);
	io = good;
	io.md = NULL;
	ck_assert_int_eq(md_io(qp, false, 2, &io), -EINVAL);
	io = good;
	io.nlb = 0;
	ck_assert_int_eq(md_io(qp, false, 2, &io), -EINVAL);
	ck_assert_int_eq(uvf_nvme_read_md(qp, 2, NULL, uvf_nvme_sync_cb, &s),
			 -EINVAL);
	/* Without metadata, a namespace that has it cannot be read. */
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 2, f.arena, 0, 8, NULL),
			 -EOPNOTSUPP);
	ck_assert_uint_eq(nvmefix_stats(&f).reads + nvmefix_stats(&f).writes,
			  0);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 0);
	ck_assert_int_eq(md_io(qp, true, 2, &good), 0);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);

	open_md(true, UVF_NVME_SGL_AUTO);
	qp = nvmefix_qpair(&f, 0);
	io = (struct uvf_nvme_md_io){ .buf = f.arena, .len = 8 * (BS + MS),
				      .md = f.arena + 65536, .md_len = 8 * MS,
				      .nlb = 8 };
	ck_assert_int_eq(md_io(qp, true, 2, &io), -EINVAL);
	io.md = NULL;
	io.md_len = 0;
	io.len = 8 * BS;
	ck_assert_int_eq(md_io(qp, true, 2, &io), -EINVAL);
	io.len = 8 * (BS + MS);
	ck_assert_int_eq(md_io(qp, true, 2, &io), 0);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_unregistered_metadata_is_mapped_for_the_command_only)
{
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	uint8_t *md = aligned_alloc(4096, 3 * 4096);
	struct uvf_nvme_md_io io = {
		.buf = f.arena, .len = 1024 * BS, .md = md + 16,
		.md_len = 1024 * MS, .nlb = 1024,
	};
	uint64_t mapped = nvmefix_mapped(&f);

	ck_assert_ptr_nonnull(md);
	nvmefix_pattern(md + 16, io.md_len, 9);
	ck_assert_int_eq(md_io(qp, true, 2, &io), 0);
	ck_assert_uint_eq(nvmefix_mapped(&f), mapped);
	ck_assert(!memcmp(fake_nvme_meta(f.dev), md + 16, io.md_len));
	memset(md, 0, 3 * 4096);
	ck_assert_int_eq(md_io(qp, false, 2, &io), 0);
	ck_assert_uint_eq(nvmefix_mapped(&f), mapped);
	ck_assert(!memcmp(fake_nvme_meta(f.dev), md + 16, io.md_len));
	free(md);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

/* MPTR holds one address: metadata spread over device memory is refused,
 * and nothing stays mapped. */
START_TEST(test_discontiguous_metadata_is_einval)
{
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	uint8_t *md = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uvf_nvme_md_io io = {
		.buf = f.arena, .len = 1024 * BS, .md = md + 4096 - 64,
		.md_len = 1024 * MS, .nlb = 1024,
	};
	static const unsigned int order[] = { 0, 2, 1 };
	unsigned int i;

	ck_assert_ptr_ne(md, MAP_FAILED);
	/* Pages 0 and 1 registered apart, page 2 between them. */
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(uvf_dma_register(f.dev, md + order[i] * 4096,
						  4096, NULL), 0);
	ck_assert_int_eq(md_io(qp, true, 2, &io), -EINVAL);
	ck_assert_uint_eq(nvmefix_stats(&f).writes, 0);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 0);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(uvf_dma_unregister(f.dev, md + i * 4096,
						    4096), 0);
	munmap(md, 3 * 4096);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

static void separate_setup(void)
{
	open_md(false, UVF_NVME_SGL_AUTO);
}

static void separate_teardown(void)
{
	nvmefix_teardown(&f);
}

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_md");
	TCase *fmt = tcase_create("formats");
	TCase *sep = tcase_create("separate");

	tcase_add_test(fmt, test_namespaces_report_block_size_ms_and_extended);
	tcase_add_test(fmt, test_extended_lbas_round_trip_interleaved_metadata);
	suite_add_tcase(s, fmt);
	tcase_add_checked_fixture(sep, separate_setup, separate_teardown);
	tcase_add_test(sep, test_separate_metadata_round_trips_and_splits_in_step);
	tcase_add_test(sep, test_wrong_sizes_and_namespaces_are_refused_before_submitting);
	tcase_add_test(sep, test_unregistered_metadata_is_mapped_for_the_command_only);
	tcase_add_test(sep, test_discontiguous_metadata_is_einval);
	suite_add_tcase(s, sep);
	return s;
}
