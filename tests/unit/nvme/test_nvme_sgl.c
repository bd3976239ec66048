/* SPDX-License-Identifier: MIT */
/*
 * SGL data transfer. The builder on its own: followed the way a controller
 * follows it, the SGL names every byte of the buffer in order, merges pages
 * contiguous in device memory into one data block, chains descriptor pages
 * only when more descriptors follow, and refuses what does not fit. Then
 * the driver against the fake controller: the SGL/PRP choice, data through
 * SGLs, and every malformed SGL refused with the status a controller gives.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "check_main.h"
#include "fake_nvme_sgl.h"
#include "listfix.h"
#include "nvme_priv.h"
#include "nvmefix.h"

static int xlate_linear(const void *ctx, const void *vaddr, uvf_iova_t *iova)
{
	(void)ctx;
	*iova = IOVA_BASE + ((uintptr_t)vaddr - VA_BASE);
	return 0;
}

/* One data block: it must continue the buffer where the last one ended,
 * and be contiguous in device memory page by page. */
static void check_block(const struct nvme_sgl_desc *d, nvme_xlate_fn xlate,
			uintptr_t va, size_t *done)
{
	uvf_iova_t iova;
	size_t off;

	ck_assert_uint_eq(d->type, NVME_SGL_TYPE(NVME_SGL_DATA_BLOCK));
	ck_assert_uint_gt(d->len, 0);
	for (off = 0; off < d->len;
	     off += 4096 - ((va + *done + off) & 4095)) {
		xlate(NULL, (const void *)(va + *done + off), &iova);
		ck_assert_uint_eq(iova, d->addr + off);
	}
	*done += d->len;
}

/* Follow SGL1 as a controller would; returns data blocks, and the list
 * pages used in *@pages. */
static size_t walk(const struct nvme_sgl_desc *sgl1, nvme_xlate_fn xlate,
		   uintptr_t va, size_t len, unsigned int *pages)
{
	struct nvme_sgl_desc seg = *sgl1;
	const struct nvme_sgl_desc *d;
	size_t done = 0, blocks = 0, i, n;
	bool last = false;

	*pages = 0;
	if (sgl1->type == NVME_SGL_TYPE(NVME_SGL_DATA_BLOCK)) {
		check_block(sgl1, xlate, va, &done);
		ck_assert_uint_eq(done, len);
		return 1;
	}
	while (!last) {
		last = seg.type == NVME_SGL_TYPE(NVME_SGL_LAST_SEGMENT);
		ck_assert(last || seg.type == NVME_SGL_TYPE(NVME_SGL_SEGMENT));
		ck_assert_uint_eq(seg.len % 16, 0);
		n = seg.len / 16;
		ck_assert(n >= 1 && n <= NVME_SGLS_PER_PAGE);
		d = listfix_page_at(seg.addr);
		(*pages)++;
		for (i = 0; i < n; i++) {
			if (!last && i == n - 1) {
				/* A Segment is only ever full: no page is
				 * chained before it has to be. */
				ck_assert_uint_eq(n, NVME_SGLS_PER_PAGE);
				seg = d[i];
				break;
			}
			check_block(&d[i], xlate, va, &done);
			blocks++;
		}
	}
	ck_assert_uint_eq(done, len);
	return blocks;
}

START_TEST(test_contiguous_buffer_is_one_data_block_in_sgl1)
{
	static const size_t lens[] = { 512, 4096, 4096 + 512, 1u << 20,
				       4u << 20 };
	struct nvme_sgl_desc sgl1;
	unsigned int i, pages;

	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(nvme_sgl_build((void *)(VA_BASE + 0x10), lens[i],
						false, xlate_linear, NULL,
						lists, NLISTS, &sgl1), 0);
		ck_assert_uint_eq(sgl1.addr, IOVA_BASE + 0x10);
		ck_assert_uint_eq(sgl1.len, lens[i]);
		ck_assert_uint_eq(walk(&sgl1, xlate_linear, VA_BASE + 0x10,
				       lens[i], &pages), 1);
		ck_assert_uint_eq(pages, 0);
	}
}
END_TEST

START_TEST(test_scattered_pages_chain_segments_ending_in_a_last_segment)
{
	/* Runs: 2, one full page, one more than a page holds, and the
	 * worst case of a 4 MiB transfer. */
	static const struct { size_t len, off, runs; unsigned int pages; } c[] = {
		{ 8192, 0, 2, 1 },
		{ 256 * 4096, 0, 256, 1 },
		{ 257 * 4096, 0, 257, 2 },
		{ 4u << 20, 0x200, 1025, 5 },
	};
	struct nvme_sgl_desc sgl1;
	unsigned int i, pages;

	for (i = 0; i < 4; i++) {
		uintptr_t va = VA_BASE + c[i].off;

		memset(&sgl1, 0, sizeof(sgl1));
		ck_assert_int_eq(nvme_sgl_build((void *)va, c[i].len, true,
						xlate_scatter, NULL, lists,
						NLISTS, &sgl1), 0);
		ck_assert_uint_eq(walk(&sgl1, xlate_scatter, va, c[i].len,
				       &pages), c[i].runs);
		ck_assert_uint_eq(pages, c[i].pages);
	}
	ck_assert_uint_eq(nvme_sgl_list_pages(4u << 20), 5);
	ck_assert_uint_eq(nvme_sgl_list_pages(4096), 1);
}
END_TEST

START_TEST(test_random_sizes_and_offsets_walk_back_to_the_buffer)
{
	struct nvme_sgl_desc sgl1;
	unsigned int i, pages;
	size_t len, off;

	srand(11);
	for (i = 0; i < 300; i++) {
		off = (size_t)(rand() % 1024) * 4;
		len = (size_t)(rand() % (1 << 20)) * 4 + 4;
		ck_assert_int_eq(nvme_sgl_build((void *)(VA_BASE + off), len,
						true, xlate_scatter, NULL,
						lists, NLISTS, &sgl1), 0);
		ck_assert_uint_eq(walk(&sgl1, xlate_scatter, VA_BASE + off,
				       len, &pages),
				  nvme_pages_spanned(VA_BASE + off, len));
		ck_assert_uint_le(pages,
				  nvme_sgl_list_pages(len + (off & 4095)));
	}
}
END_TEST

START_TEST(test_more_runs_than_list_pages_hold_is_e2big)
{
	struct nvme_sgl_desc sgl1;

	ck_assert_int_eq(nvme_sgl_build((void *)VA_BASE, 257 * 4096, false,
					xlate_scatter, NULL, lists, 1, &sgl1),
			 -E2BIG);
	ck_assert_int_eq(nvme_sgl_build((void *)VA_BASE, 8192, false,
					xlate_scatter, NULL, NULL, 0, &sgl1),
			 -E2BIG);
	/* One run needs no page at all. */
	ck_assert_int_eq(nvme_sgl_build((void *)VA_BASE, 8192, false,
					xlate_linear, NULL, NULL, 0, &sgl1), 0);
}
END_TEST

START_TEST(test_dword_rule_refuses_unaligned_buffers)
{
	struct nvme_sgl_desc sgl1;

	ck_assert_int_eq(nvme_sgl_build((void *)VA_BASE, 4094, true,
					xlate_linear, NULL, lists, NLISTS,
					&sgl1), -EINVAL);
	ck_assert_int_eq(nvme_sgl_build((void *)(VA_BASE + 2), 4096, true,
					xlate_linear, NULL, lists, NLISTS,
					&sgl1), -EINVAL);
	ck_assert_int_eq(nvme_sgl_build((void *)VA_BASE, 4094, false,
					xlate_linear, NULL, lists, NLISTS,
					&sgl1), 0);
	ck_assert_int_eq(nvme_sgl_build((void *)VA_BASE, 0, false,
					xlate_linear, NULL, lists, NLISTS,
					&sgl1), -EINVAL);
}
END_TEST

/* ---- The driver against the fake controller ---- */

static struct nvmefix f;

/* @mdts as Identify has it: 7 is QEMU's 512 KiB, 0 no limit. */
static void open_sgl_mdts(uint32_t sgls, enum uvf_nvme_sgl mode, uint8_t mdts)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;

	fake_nvme_params_default(&p);
	p.sgls = sgls;
	p.mdts = mdts;
	nvmefix_setup(&f, &p);
	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	o.sgl = mode;
	nvmefix_open(&f, &o);
}

static void open_sgl(uint32_t sgls, enum uvf_nvme_sgl mode)
{
	open_sgl_mdts(sgls, mode, 7);
}

/* Command slots of @qp that hold descriptor (PRP list) pages. */
static unsigned int slots_with_lists(const struct uvf_nvme_qpair *qp)
{
	unsigned int cid, n = 0;

	for (cid = 0; qp->prp_pages && cid < qp->nslots; cid++)
		n += qp->prp[(size_t)cid * qp->prp_pages].va != NULL;
	return n;
}

/* @nlb blocks through the arena's first and second 8 MiB. */
static void round_trip(struct uvf_nvme_qpair *qp, uint32_t nlb, uint32_t seed)
{
	nvmefix_write_read_verify(&f, qp, f.arena, f.arena + (8u << 20), nlb,
				  seed);
}

START_TEST(test_forced_sgl_moves_4k_1m_and_4m_as_one_data_block_each)
{
	static const uint32_t nlbs[] = { 8, 2048, 8192 };
	struct uvf_nvme_qpair *qp;
	struct fake_nvme_stats before, after;
	unsigned int i;

	open_sgl(NVME_SGLS_ANY_ALIGN, UVF_NVME_SGL_ALWAYS);
	ck_assert_uint_eq(NVME_SGLS_SUPPORT(uvf_nvme_ctrl_get_info(f.ctrl)->sgls),
			  NVME_SGLS_ANY_ALIGN);
	qp = nvmefix_qpair(&f, 0);
	for (i = 0; i < 3; i++) {
		before = nvmefix_stats(&f);
		round_trip(qp, nlbs[i], i + 1);
		after = nvmefix_stats(&f);
		/* The arena is contiguous in IOVA: one block per command,
		 * and no PRP list page walked. Above MDTS (512 KiB) each
		 * child is a command of its own. */
		ck_assert_uint_eq(after.sgl_cmds - before.sgl_cmds,
				  after.reads + after.writes - before.reads -
					  before.writes);
		ck_assert_uint_eq(after.sgl_data_blocks - before.sgl_data_blocks,
				  after.sgl_cmds - before.sgl_cmds);
		ck_assert_uint_eq(after.prp_list_pages, before.prp_list_pages);
	}
	/* One data block needs no descriptor page: none was taken. */
	ck_assert_uint_eq(slots_with_lists(qp), 0);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_auto_uses_prp_below_32k_and_sgl_from_32k)
{
	struct uvf_nvme_qpair *qp;
	struct fake_nvme_stats st;

	open_sgl(NVME_SGLS_ANY_ALIGN, UVF_NVME_SGL_AUTO);
	qp = nvmefix_qpair(&f, 0);
	round_trip(qp, 63, 7);
	ck_assert_uint_eq(nvmefix_stats(&f).sgl_cmds, 0);
	round_trip(qp, 64, 8);
	st = nvmefix_stats(&f);
	ck_assert_uint_eq(st.sgl_cmds, 2);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_sgl_off_and_controllers_without_sgls_use_prps)
{
	struct uvf_nvme_qpair *qp;

	open_sgl(NVME_SGLS_ANY_ALIGN, UVF_NVME_SGL_OFF);
	qp = nvmefix_qpair(&f, 0);
	round_trip(qp, 256, 3);
	ck_assert_uint_eq(nvmefix_stats(&f).sgl_cmds, 0);
	ck_assert_uint_gt(nvmefix_stats(&f).prp_list_pages, 0);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);

	open_sgl(0, UVF_NVME_SGL_AUTO);
	qp = nvmefix_qpair(&f, 0);
	round_trip(qp, 256, 4);
	ck_assert_uint_eq(nvmefix_stats(&f).sgl_cmds, 0);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_forcing_sgls_on_a_controller_without_them_is_enotsup)
{
	struct fake_nvme_params p;
	struct uvf_nvme_ctrl_opts o;

	fake_nvme_params_default(&p);
	nvmefix_setup(&f, &p);
	uvf_nvme_ctrl_opts_default(&o);
	o.sgl = UVF_NVME_SGL_ALWAYS;
	ck_assert_int_eq(uvf_nvme_ctrl_open(f.dev, &o, &f.ctrl), -ENOTSUP);
	ck_assert_ptr_null(f.ctrl);
	nvmefix_teardown(&f);
}
END_TEST

/*
 * A buffer whose pages are registered one by one with a spacer page
 * registered between each two, so no two of its pages are neighbours in
 * device memory whichever way the IOVA allocator runs: every page is a
 * run of its own, and 300 pages take two chained descriptor pages.
 */
START_TEST(test_discontiguous_buffer_goes_through_chained_segments)
{
	const size_t pages = 300, len = pages * 4096;
	uint8_t *buf, *spacer;
	struct uvf_nvme_qpair *qp;
	struct fake_nvme_stats st;
	size_t i;

	/* No MDTS: one command, 4 MiB of descriptor pages per slot. */
	open_sgl_mdts(NVME_SGLS_DWORD_ALIGN, UVF_NVME_SGL_ALWAYS, 0);
	buf = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	spacer = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(buf, MAP_FAILED);
	ck_assert_ptr_ne(spacer, MAP_FAILED);
	for (i = 0; i < pages; i++) {
		ck_assert_int_eq(uvf_dma_register(f.dev, buf + i * 4096, 4096,
						  NULL), 0);
		ck_assert_int_eq(uvf_dma_register(f.dev, spacer + i * 4096,
						  4096, NULL), 0);
	}
	qp = nvmefix_qpair(&f, 0);
	nvmefix_pattern(buf, len, 99);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, buf, 0,
				    (uint32_t)(len / 512), NULL), 0);
	st = nvmefix_stats(&f);
	ck_assert_uint_eq(st.sgl_data_blocks, pages);
	ck_assert_uint_eq(st.sgl_segments, 2);
	ck_assert_uint_eq(slots_with_lists(qp), 1);
	ck_assert(!memcmp(fake_nvme_media(f.dev, 1), buf, len));
	memset(buf, 0, len);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, buf, 0,
				    (uint32_t)(len / 512), NULL), 0);
	ck_assert(!memcmp(fake_nvme_media(f.dev, 1), buf, len));
	uvf_nvme_qpair_destroy(qp);
	for (i = 0; i < pages; i++) {
		ck_assert_int_eq(uvf_dma_unregister(f.dev, buf + i * 4096,
						    4096), 0);
		ck_assert_int_eq(uvf_dma_unregister(f.dev, spacer + i * 4096,
						    4096), 0);
	}
	munmap(buf, len);
	munmap(spacer, len);
	nvmefix_teardown(&f);
}
END_TEST

/* ---- Malformed SGLs, sent raw ---- */

static uint64_t iova_of(const void *p)
{
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_dma_vtoiova(f.dev, p, &iova), 0);
	return iova;
}

static struct nvme_sgl_desc desc(uint64_t addr, uint32_t len, uint8_t type)
{
	return (struct nvme_sgl_desc){ .addr = addr, .len = len, .type = type };
}

#define DATA NVME_SGL_TYPE(NVME_SGL_DATA_BLOCK)
#define SEG NVME_SGL_TYPE(NVME_SGL_SEGMENT)
#define LAST NVME_SGL_TYPE(NVME_SGL_LAST_SEGMENT)

/* A one-block Read whose data pointer is @sgl1 with @psdt, sent raw. */
static int raw_read(struct uvf_nvme_qpair *qp, const struct nvme_sgl_desc *sgl1,
		    uint8_t psdt, struct uvf_nvme_cpl *cpl)
{
	struct uvf_nvme_cmd cmd = {
		.opc = NVME_CMD_READ, .flags = psdt, .nsid = 1,
	};
	struct uvf_nvme_sync s = { 0 };

	memcpy(&cmd.prp1, sgl1, sizeof(*sgl1));
	ck_assert_int_eq(uvf_nvme_submit(qp, &cmd, NULL, 0,
					 UVF_DMA_FROM_DEVICE,
					 uvf_nvme_sync_cb, &s), 0);
	uvf_nvme_sync_wait(qp, &s);
	*cpl = s.cpl;
	return s.err;
}

/* The command must fail with generic status @sc and leave the controller
 * working. */
static void expect_refused(struct uvf_nvme_qpair *qp,
			   const struct nvme_sgl_desc *sgl1, uint8_t psdt,
			   uint8_t sc)
{
	struct uvf_nvme_cpl cpl;

	ck_assert_int_eq(raw_read(qp, sgl1, psdt, &cpl), -EINVAL);
	ck_assert_uint_eq(cpl.status, UVF_NVME_STATUS(0, sc));
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), 0);
}

static void expect_sgl_refused(struct uvf_nvme_qpair *qp,
			       const struct nvme_sgl_desc *sgl1, uint8_t sc)
{
	expect_refused(qp, sgl1, NVME_PSDT_SGL_MPTR_ADDR, sc);
}

START_TEST(test_malformed_sgls_are_refused_with_their_status)
{
	struct nvme_sgl_desc *seg = (struct nvme_sgl_desc *)(f.arena + 4096);
	uint64_t data = iova_of(f.arena + 65536), segi = iova_of(seg);
	struct uvf_nvme_qpair *qp = nvmefix_qpair(&f, 0);
	struct uvf_nvme_cpl cpl;
	struct nvme_sgl_desc d;

	/* Descriptor types: keyed (4) in SGL1, a bit bucket in a segment,
	 * a data block with a sub type other than "address". */
	d = desc(data, 512, 0x40);
	expect_sgl_refused(qp, &d, FAKE_ST_SGL_TYPE);
	seg[0] = desc(data, 256, NVME_SGL_TYPE(NVME_SGL_BIT_BUCKET));
	seg[1] = desc(data, 512, DATA);
	d = desc(segi, 32, LAST);
	expect_sgl_refused(qp, &d, FAKE_ST_SGL_TYPE);
	d = desc(data, 512, DATA | 1);
	expect_sgl_refused(qp, &d, FAKE_ST_SGL_TYPE);
	/* Lengths: short, long, split but short. */
	d = desc(data, 508, DATA);
	expect_sgl_refused(qp, &d, FAKE_ST_DATA_SGL_LEN);
	d = desc(data, 1024, DATA);
	expect_sgl_refused(qp, &d, FAKE_ST_DATA_SGL_LEN);
	seg[0] = desc(data, 256, DATA);
	seg[1] = desc(data + 256, 128, DATA);
	d = desc(segi, 32, LAST);
	expect_sgl_refused(qp, &d, FAKE_ST_DATA_SGL_LEN);
	/* Segments: a length not of whole descriptors, a pointer that is
	 * not last, a pointer inside a Last Segment, a Segment that does
	 * not point on, and one that points at itself for ever. */
	seg[1] = desc(data + 256, 256, DATA);
	d = desc(segi, 24, LAST);
	expect_sgl_refused(qp, &d, FAKE_ST_SGL_SEG_INVALID);
	seg[0] = desc(segi + 32, 16, LAST);
	seg[2] = desc(data, 512, DATA);
	d = desc(segi, 48, SEG);
	expect_sgl_refused(qp, &d, FAKE_ST_SGL_SEG_INVALID);
	seg[0] = desc(data, 256, DATA);
	seg[1] = desc(segi + 32, 16, LAST);
	d = desc(segi, 32, LAST);
	expect_sgl_refused(qp, &d, FAKE_ST_SGL_SEG_INVALID);
	seg[1] = desc(data + 256, 256, DATA);
	d = desc(segi, 32, SEG);
	expect_sgl_refused(qp, &d, FAKE_ST_SGL_SEG_INVALID);
	seg[0] = desc(data, 0, DATA);
	seg[1] = desc(segi, 32, SEG);
	d = desc(segi, 32, SEG);
	expect_sgl_refused(qp, &d, FAKE_ST_SGL_SEG_INVALID);
	/* The same list, well formed, is taken: the checks above are not
	 * refusing everything. */
	seg[0] = desc(data, 256, DATA);
	seg[1] = desc(data + 256, 256, DATA);
	d = desc(segi, 32, LAST);
	ck_assert_int_eq(raw_read(qp, &d, NVME_PSDT_SGL_MPTR_ADDR, &cpl), 0);
	ck_assert_uint_eq(cpl.status, 0);
	/* MPTR as a descriptor is not offered, nor is PSDT 11b. */
	expect_refused(qp, &d, NVME_PSDT_SGL_MPTR_SGL, 0x02);
	expect_refused(qp, &d, NVME_PSDT_MASK, 0x02);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_unaligned_blocks_are_refused_where_dwords_are_required)
{
	struct uvf_nvme_qpair *qp;
	struct nvme_sgl_desc *seg;
	struct nvme_sgl_desc d;
	uint64_t data;

	nvmefix_teardown(&f);
	open_sgl(NVME_SGLS_DWORD_ALIGN, UVF_NVME_SGL_AUTO);
	data = iova_of(f.arena + 65536);
	seg = (struct nvme_sgl_desc *)(f.arena + 4096);
	qp = nvmefix_qpair(&f, 0);
	d = desc(data + 2, 512, DATA);
	expect_sgl_refused(qp, &d, FAKE_ST_SGL_GRANULARITY);
	seg[0] = desc(data, 254, DATA);
	seg[1] = desc(data + 254, 258, DATA);
	d = desc(iova_of(seg), 32, LAST);
	expect_sgl_refused(qp, &d, FAKE_ST_SGL_GRANULARITY);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

START_TEST(test_sgl_on_a_controller_without_sgls_is_invalid_field)
{
	struct uvf_nvme_qpair *qp;
	struct nvme_sgl_desc d;

	nvmefix_teardown(&f);
	open_sgl(0, UVF_NVME_SGL_AUTO);
	qp = nvmefix_qpair(&f, 0);
	d = desc(iova_of(f.arena), 512, DATA);
	expect_refused(qp, &d, NVME_PSDT_SGL_MPTR_ADDR, 0x02);
	uvf_nvme_qpair_destroy(qp);
}
END_TEST

static void fake_setup(void)
{
	open_sgl(NVME_SGLS_ANY_ALIGN, UVF_NVME_SGL_AUTO);
}

static void fake_teardown(void)
{
	nvmefix_teardown(&f);
}

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_sgl");
	TCase *build = tcase_create("build");
	TCase *io = tcase_create("io");
	TCase *bad = tcase_create("malformed");

	tcase_add_checked_fixture(build, listfix_setup, listfix_teardown);
	tcase_add_test(build, test_contiguous_buffer_is_one_data_block_in_sgl1);
	tcase_add_test(build, test_scattered_pages_chain_segments_ending_in_a_last_segment);
	tcase_add_test(build, test_random_sizes_and_offsets_walk_back_to_the_buffer);
	tcase_add_test(build, test_more_runs_than_list_pages_hold_is_e2big);
	tcase_add_test(build, test_dword_rule_refuses_unaligned_buffers);
	suite_add_tcase(s, build);
	tcase_add_test(io, test_forced_sgl_moves_4k_1m_and_4m_as_one_data_block_each);
	tcase_add_test(io, test_auto_uses_prp_below_32k_and_sgl_from_32k);
	tcase_add_test(io, test_sgl_off_and_controllers_without_sgls_use_prps);
	tcase_add_test(io, test_forcing_sgls_on_a_controller_without_them_is_enotsup);
	tcase_add_test(io, test_discontiguous_buffer_goes_through_chained_segments);
	suite_add_tcase(s, io);
	tcase_add_checked_fixture(bad, fake_setup, fake_teardown);
	tcase_add_test(bad, test_malformed_sgls_are_refused_with_their_status);
	tcase_add_test(bad, test_unaligned_blocks_are_refused_where_dwords_are_required);
	tcase_add_test(bad, test_sgl_on_a_controller_without_sgls_is_invalid_field);
	suite_add_tcase(s, bad);
	return s;
}
