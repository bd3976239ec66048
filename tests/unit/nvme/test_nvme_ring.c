/* SPDX-License-Identifier: MIT */
/* Queue ring arithmetic: index wrap, the completion phase tag, occupancy
 * and doorbell offsets. */
#include "check_main.h"
#include "nvme_priv.h"

START_TEST(test_ring_index_wraps_at_the_queue_size)
{
	ck_assert_uint_eq(nvme_ring_next(0, 2), 1);
	ck_assert_uint_eq(nvme_ring_next(1, 2), 0);
	ck_assert_uint_eq(nvme_ring_next(254, 256), 255);
	ck_assert_uint_eq(nvme_ring_next(255, 256), 0);
	ck_assert_uint_eq(nvme_ring_next(65535, 65536), 0);
}
END_TEST

START_TEST(test_phase_flips_on_every_wrap_and_only_then)
{
	uint32_t head = 0, size = 5, i;
	uint8_t phase = 1;

	for (i = 1; i <= 5 * 7; i++) {
		nvme_cq_advance(&head, &phase, size);
		ck_assert_uint_eq(head, i % size);
		/* Wrapped i / size times: phase started at 1. */
		ck_assert_uint_eq(phase, ((i / size) & 1) ? 0 : 1);
	}
}
END_TEST

START_TEST(test_used_entries_between_head_and_tail)
{
	ck_assert_uint_eq(nvme_ring_used(0, 0, 8), 0);
	ck_assert_uint_eq(nvme_ring_used(3, 7, 8), 4);
	ck_assert_uint_eq(nvme_ring_used(7, 3, 8), 4);
	ck_assert_uint_eq(nvme_ring_used(1, 0, 8), 7);
}
END_TEST

START_TEST(test_doorbells_follow_the_stride)
{
	/* CAP.DSTRD 0: 4-byte stride, SQ y at 0x1000 + 8y, CQ y + 4. */
	ck_assert_uint_eq(nvme_sq_doorbell(0, 0), 0x1000);
	ck_assert_uint_eq(nvme_cq_doorbell(0, 0), 0x1004);
	ck_assert_uint_eq(nvme_sq_doorbell(3, 0), 0x1018);
	ck_assert_uint_eq(nvme_cq_doorbell(3, 0), 0x101c);
	/* DSTRD 2: 16-byte stride. */
	ck_assert_uint_eq(nvme_sq_doorbell(1, 2), 0x1020);
	ck_assert_uint_eq(nvme_cq_doorbell(1, 2), 0x1030);
	ck_assert_uint_eq(nvme_cq_doorbell(65535, 0),
			  0x1000 + (2ull * 65535 + 1) * 4);
}
END_TEST

START_TEST(test_pages_spanned_counts_partial_pages)
{
	ck_assert_uint_eq(nvme_pages_spanned(0x1000, 1), 1);
	ck_assert_uint_eq(nvme_pages_spanned(0x1000, 4096), 1);
	ck_assert_uint_eq(nvme_pages_spanned(0x1000, 4097), 2);
	ck_assert_uint_eq(nvme_pages_spanned(0x1ffc, 8), 2);
	ck_assert_uint_eq(nvme_pages_spanned(0x1ffc, 8192), 3);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_ring");
	TCase *tc = tcase_create("ring");

	tcase_add_test(tc, test_ring_index_wraps_at_the_queue_size);
	tcase_add_test(tc, test_phase_flips_on_every_wrap_and_only_then);
	tcase_add_test(tc, test_used_entries_between_head_and_tail);
	tcase_add_test(tc, test_doorbells_follow_the_stride);
	tcase_add_test(tc, test_pages_spanned_counts_partial_pages);
	suite_add_tcase(s, tc);
	return s;
}
