/* SPDX-License-Identifier: MIT */
/*
 * The port's rings and packet buffers come from a DMA heap: one that runs
 * out at any point of the bring-up leaves nothing behind, and a working
 * port's buffers are heap memory.
 */
#include <check.h>
#include <errno.h>

#include <uvf/dmaheap.h>

#include "check_main.h"
#include "e1kfix.h"
#include "held_heap.h"

#define PCI_COMMAND_MASTER 0x4

static struct e1kfix f;

static void setup(void)
{
	e1kfix_setup(&f, 1, NULL);
}

static void teardown(void)
{
	e1kfix_teardown(&f);
}

/* Open with a one-chunk heap of which the caller holds all but @left
 * bytes; on failure nothing of the port's is left mapped or in the heap. */
static int open_with_heap_left(uint64_t left)
{
	struct uvf_e1000e_opts o = { .no_link_wait = true,
				     .rx_ring_size = 64, .tx_ring_size = 64,
				     .pool_size = 256 };
	struct held_heap h;
	int ret;

	held_heap_create(&h, left);
	o.heap = h.heap;
	ret = uvf_e1000e_open(f.dev[0], &o, &f.nic[0]);
	if (ret) {
		ck_assert_ptr_null(f.nic[0]);
		ck_assert_uint_eq(e1kfix_mapped(&f), 0);
		ck_assert(!(fake_e1000e_pci_command(f.dev[0]) &
			    PCI_COMMAND_MASTER));
	} else {
		uvf_e1000e_close(f.nic[0]);
		f.nic[0] = NULL;
	}
	held_heap_destroy(&h);
	return ret;
}

START_TEST(test_heap_exhaustion_during_open_unwinds_everything)
{
	/* Rings of 1 KiB each, then 256 buffers of 2 KiB (512 KiB) in
	 * slabs: open fails at several steps before it fits. */
	ck_assert_uint_ge(held_heap_failures_until_open(open_with_heap_left,
							 16384), 2);
}
END_TEST

START_TEST(test_port_buffers_and_rings_are_heap_memory)
{
	struct uvf_dmaheap *heap;
	struct uvf_e1000e_buf *b;
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_dmaheap_shared(&heap), 0);
	e1kfix_open(&f, 0, NULL);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(uvf_e1000e_pool(f.nic[0]), &b,
					       1), 0);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, f.dom, b->data,
					  UVF_E1000E_BUF_SIZE, &iova), 0);
	ck_assert_uint_eq(iova, b->iova);
	/* Pinned while the pool has it: the heap cannot be freed under
	 * the NIC. */
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), -EBUSY);
	uvf_e1000e_pool_free(&b, 1);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("e1000e_heap");
	TCase *tc = tcase_create("heap");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_heap_exhaustion_during_open_unwinds_everything);
	tcase_add_test(tc, test_port_buffers_and_rings_are_heap_memory);
	suite_add_tcase(s, tc);
	return s;
}
