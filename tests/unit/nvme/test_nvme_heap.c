/* SPDX-License-Identifier: MIT */
/*
 * The driver's memory comes from a DMA heap: I/O on uvf_nvme_buf_alloc()
 * buffers maps nothing per command, and a heap that runs out during
 * bring-up or queue creation leaves nothing behind.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/dmaheap.h>

#include "check_main.h"
#include "held_heap.h"
#include "nvme_regs.h"
#include "nvmefix.h"

#define BUF_BYTES (64u << 10)

static struct nvmefix f;

START_TEST(test_io_on_heap_buffers_maps_nothing_per_command)
{
	struct fake_nvme_faults flt = { .hold = true };
	struct uvf_nvme_sync sync[2];
	struct uvf_nvme_qpair *qp;
	uint64_t before;
	void *out, *in;

	nvmefix_setup(&f, NULL);
	nvmefix_open(&f, NULL);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	ck_assert_int_eq(uvf_nvme_buf_alloc(f.ctrl, BUF_BYTES, &out), 0);
	ck_assert_int_eq(uvf_nvme_buf_alloc(f.ctrl, BUF_BYTES, &in), 0);
	nvmefix_pattern(out, BUF_BYTES, 7);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, out, 0,
				    BUF_BYTES / 512, NULL), 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, in, 0,
				    BUF_BYTES / 512, NULL), 0);
	ck_assert_mem_eq(in, out, BUF_BYTES);

	/* In flight, held by the controller: nothing was mapped for it. */
	before = nvmefix_mapped(&f);
	fake_nvme_set_faults(f.dev, &flt);
	memset(sync, 0, sizeof(sync));
	ck_assert_int_eq(uvf_nvme_read(qp, 1, in, 0, BUF_BYTES / 512,
				       uvf_nvme_sync_cb, &sync[0]), 0);
	ck_assert_int_eq(uvf_nvme_qpair_ring(qp), 0);
	ck_assert_uint_eq(uvf_nvme_qpair_outstanding(qp), 1);
	ck_assert_uint_eq(nvmefix_mapped(&f), before);
	uvf_nvme_qpair_destroy(qp);
	ck_assert_int_eq(sync[0].err, -ECANCELED);

	ck_assert_int_eq(uvf_nvme_buf_free(f.ctrl, in), 0);
	ck_assert_int_eq(uvf_nvme_buf_free(f.ctrl, in), -ENOENT);
	ck_assert_int_eq(uvf_nvme_buf_free(f.ctrl, f.arena), -EINVAL);
	ck_assert_int_eq(uvf_nvme_buf_free(f.ctrl, out), 0);
	nvmefix_teardown(&f);
}
END_TEST

/* Open with a one-chunk heap of which the caller holds all but @left
 * bytes: the result of the open; on failure, nothing of the driver's
 * stays in the heap or mapped. */
static int open_with_heap_left(uint64_t left)
{
	struct uvf_nvme_ctrl_opts o;
	struct held_heap h;
	int ret;

	held_heap_create(&h, left);
	uvf_nvme_ctrl_opts_default(&o);
	o.heap = h.heap;
	ret = uvf_nvme_ctrl_open(f.dev, &o, &f.ctrl);
	if (ret) {
		ck_assert_ptr_null(f.ctrl);
		ck_assert_uint_eq(nvmefix_mapped(&f), NVMEFIX_ARENA);
	} else {
		uvf_nvme_ctrl_close(f.ctrl);
		f.ctrl = NULL;
	}
	held_heap_destroy(&h);
	return ret;
}

START_TEST(test_heap_exhaustion_during_open_unwinds_everything)
{
	nvmefix_setup(&f, NULL);
	/* The admin queue, Identify and shadow doorbell pages: at least
	 * two allocations failed one after the other. */
	ck_assert_uint_ge(held_heap_failures_until_open(open_with_heap_left,
							 4096), 2);
	nvmefix_teardown(&f);
}
END_TEST

START_TEST(test_heap_exhaustion_creating_a_qpair_leaves_the_ctrl_working)
{
	struct uvf_dmaheap *heap = one_chunk_heap();
	static void *pages[UVF_SZ_2M / 4096];
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp = NULL;
	unsigned int n = 0, i;

	nvmefix_setup(&f, NULL);
	uvf_nvme_ctrl_opts_default(&o);
	o.heap = heap;
	nvmefix_open(&f, &o);
	/* Take what is left, a page at a time. */
	while (n < UVF_SZ_2M / 4096 &&
	       !uvf_nvme_buf_alloc(f.ctrl, 4096, &pages[n]))
		n++;
	ck_assert_uint_gt(n, 0);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), -ENOMEM);
	ck_assert_ptr_null(qp);
	ck_assert_int_eq(uvf_nvme_ctrl_error(f.ctrl), 0);
	/* A page back: the admin queue still works. */
	ck_assert_int_eq(uvf_nvme_buf_free(f.ctrl, pages[--n]), 0);
	ck_assert_int_eq(uvf_nvme_identify(f.ctrl, 1, 0, pages[0]), 0);
	/* All back: the queue pair fits now. */
	for (i = 0; i < n; i++)
		ck_assert_int_eq(uvf_nvme_buf_free(f.ctrl, pages[i]), 0);
	ck_assert_int_eq(uvf_nvme_qpair_create(f.ctrl, 0, &qp), 0);
	uvf_nvme_qpair_destroy(qp);
	nvmefix_teardown(&f);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_heap");
	TCase *tc = tcase_create("heap");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_io_on_heap_buffers_maps_nothing_per_command);
	tcase_add_test(tc, test_heap_exhaustion_during_open_unwinds_everything);
	tcase_add_test(tc, test_heap_exhaustion_creating_a_qpair_leaves_the_ctrl_working);
	suite_add_tcase(s, tc);
	return s;
}
