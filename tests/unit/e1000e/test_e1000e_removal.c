/* SPDX-License-Identifier: MIT */
/* A NIC that disappears (surprise removal: its registers read all ones)
 * is -ENODEV at every call that would otherwise wait or read garbage,
 * and the port still closes, quickly. */
#include <errno.h>
#include <time.h>

#include "check_main.h"
#include "e1kfix.h"

static struct e1kfix f;

static void setup(void)
{
	e1kfix_setup(&f, 1, NULL);
}

static void teardown(void)
{
	e1kfix_teardown(&f);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Post frames until the driver stops taking them; its last answer. */
static int fill_ring(struct uvf_e1000e *nic)
{
	struct uvf_e1000e_buf *b;
	unsigned int i;
	int ret = 1;

	for (i = 0; i < 4096 && ret > 0; i++) {
		ck_assert_int_eq(uvf_e1000e_pool_alloc(uvf_e1000e_pool(nic),
						       &b, 1), 0);
		b->len = 64;
		ret = uvf_e1000e_tx_burst(nic, &b, 1);
		if (ret <= 0)
			uvf_e1000e_pool_free(&b, 1);
	}
	return ret;
}

START_TEST(test_removed_nic_is_enodev_and_closes_quickly)
{
	struct uvf_e1000e_opts o = { .irq = UVF_E1000E_IRQ_MSIX };
	struct uvf_e1000e_link link;
	struct uvf_e1000e_stats before, after;
	struct uvf_e1000e *nic;
	double t0;

	e1kfix_open(&f, 0, &o);
	nic = f.nic[0];
	ck_assert_int_eq(uvf_e1000e_check(nic), 0);
	e1kfix_send(nic, f.mac[0], 0, 4, 64);
	ck_assert_int_eq(uvf_e1000e_tx_flush(nic, 1000), 0);
	ck_assert_int_eq(uvf_e1000e_get_stats(nic, &before), 0);

	fake_e1000e_remove(f.dev[0]);
	t0 = now_ms();
	ck_assert_int_eq(uvf_e1000e_check(nic), -ENODEV);
	ck_assert_int_eq(uvf_e1000e_link_get(nic, &link), -ENODEV);
	/* All ones has the link-up bit set: that is no link. */
	ck_assert_int_eq(uvf_e1000e_link_wait(nic, 5000), -ENODEV);
	ck_assert_int_eq(uvf_e1000e_rx_wait(nic, 20), -ENODEV);
	/* Counters reading all ones are not added to the totals. */
	ck_assert_int_eq(uvf_e1000e_get_stats(nic, &after), -ENODEV);
	ck_assert_uint_eq(after.tx_packets, before.tx_packets);
	ck_assert_uint_eq(after.rx_bytes, before.rx_bytes);
	/* Nothing drains the ring: it fills, then the driver says why. */
	ck_assert_int_eq(fill_ring(nic), -ENODEV);
	ck_assert_int_eq(uvf_e1000e_tx_flush(nic, 5000), -ENODEV);
	uvf_e1000e_close(nic);
	f.nic[0] = NULL;
	ck_assert_double_lt(now_ms() - t0, 1000);
	ck_assert_int_eq(uvf_e1000e_check(NULL), -EINVAL);
}
END_TEST

START_TEST(test_open_of_a_removed_nic_is_enodev)
{
	struct uvf_e1000e *nic = NULL;

	fake_e1000e_remove(f.dev[0]);
	ck_assert_int_eq(uvf_e1000e_open(f.dev[0], NULL, &nic), -ENODEV);
	ck_assert_ptr_null(nic);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("e1000e_removal");
	TCase *tc = tcase_create("removal");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_removed_nic_is_enodev_and_closes_quickly);
	tcase_add_test(tc, test_open_of_a_removed_nic_is_enodev);
	suite_add_tcase(s, tc);
	return s;
}
