/* SPDX-License-Identifier: MIT */
/* The burst calls between two connected fake NICs: ring wrap, ring full,
 * buffer ownership, bad frames, statistics, two threads. */
#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "e1000e_regs.h"
#include "e1kfix.h"

static struct e1kfix f;
static const struct uvf_e1000e_opts small = { .rx_ring_size = 16,
					      .tx_ring_size = 16 };

static void setup(void)
{
	e1kfix_setup(&f, 2, NULL);
	e1kfix_open(&f, 0, &small);
	e1kfix_open(&f, 1, &small);
}

static void teardown(void)
{
	e1kfix_teardown(&f);
}

static unsigned int avail(int i)
{
	return uvf_e1000e_pool_avail(uvf_e1000e_pool(f.nic[i]));
}

START_TEST(test_frames_cross_intact_in_order_across_ring_wraps)
{
	unsigned int round, a0 = avail(0), a1 = avail(1);

	/* 10 rounds of 12 on 16-slot rings: both rings wrap many times. */
	for (round = 0; round < 10; round++) {
		e1kfix_send(f.nic[0], f.mac[1], round * 12, 12,
			    60 + round * 145);
		ck_assert_uint_eq(e1kfix_recv(f.nic[1], round * 12, 100,
					      60 + round * 145), 12);
	}
	ck_assert_int_eq(uvf_e1000e_tx_flush(f.nic[0], 100), 0);
	ck_assert_uint_eq(avail(0), a0);
	ck_assert_uint_eq(avail(1), a1);
}
END_TEST

START_TEST(test_a_burst_beyond_the_ring_leaves_the_rest_to_the_caller)
{
	struct fake_e1000e_faults hold = { .tx_hold = true };
	struct uvf_e1000e_buf *b[20];
	unsigned int i, a0 = avail(0);

	fake_e1000e_set_faults(f.dev[0], &hold);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(uvf_e1000e_pool(f.nic[0]), b,
					       20), 0);
	for (i = 0; i < 20; i++) {
		b[i]->len = 100;
		e1kfix_frame(b[i]->data, 100, f.mac[1], i);
	}
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], b, 20), 15);
	/* Ring full while the NIC sits on it. */
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], b + 15, 5), 0);
	ck_assert_int_eq(uvf_e1000e_tx_flush(f.nic[0], E1KFIX_FAST_MS),
			 -ETIMEDOUT);
	ck_assert_uint_eq(avail(0), a0 - 20);
	fake_e1000e_release(f.dev[0]);
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], b + 15, 5), 5);
	ck_assert_int_eq(uvf_e1000e_tx_flush(f.nic[0], 100), 0);
	ck_assert_uint_eq(avail(0), a0);
	/* 16-slot receive ring: 15 owned by the NIC, the rest waits in the
	 * FIFO until the driver hands slots back. */
	ck_assert_uint_eq(e1kfix_recv(f.nic[1], 0, 20, 100), 20);
}
END_TEST

START_TEST(test_bad_lengths_post_nothing_and_end_a_burst)
{
	struct uvf_e1000e_buf *b[3];
	struct uvf_e1000e_stats st;
	struct fake_e1000e_stats fs;

	ck_assert_int_eq(uvf_e1000e_pool_alloc(uvf_e1000e_pool(f.nic[0]), b,
					       3), 0);
	b[0]->len = 13;
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], b, 3), -EINVAL);
	b[0]->len = 1515;
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], b, 3), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], NULL, 3), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_rx_burst(f.nic[0], NULL, 3), -EINVAL);
	/* A bad second frame stops the burst after the first. */
	b[0]->len = 60;
	e1kfix_frame(b[0]->data, 60, f.mac[1], 0);
	b[1]->len = 0;
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], b, 3), 1);
	uvf_e1000e_pool_free(b + 1, 2);
	ck_assert_int_eq(uvf_e1000e_get_stats(f.nic[0], &st), 0);
	ck_assert_uint_eq(st.sw_tx_packets, 1);
	ck_assert_uint_eq(st.tx_packets, 1);
	fake_e1000e_get_stats(f.dev[0], &fs);
	ck_assert_uint_eq(fs.tx_frames, 1);
	ck_assert_uint_eq(e1kfix_recv(f.nic[1], 0, 4, 60), 1);
}
END_TEST

START_TEST(test_a_pool_of_another_domain_is_refused)
{
	struct uvf_e1000e_opts o = { .pool = NULL };
	struct uvf_e1000e_pool *other;
	struct uvf_domain *dom2;
	struct uvf_e1000e_buf *b;
	struct uvf_e1000e *nic;

	uvf_e1000e_close(f.nic[1]);
	f.nic[1] = NULL;
	ck_assert_int_eq(uvf_domain_detach(f.dom, f.dev[1]), 0);
	ck_assert_int_eq(uvf_domain_create(f.iommu, UVF_DOMAIN_TRANSLATED,
					   &dom2), 0);
	ck_assert_int_eq(uvf_domain_attach(dom2, f.dev[1]), 0);
	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[1], 4, &other), 0);
	o.pool = other;
	uvf_e1000e_close(f.nic[0]);
	f.nic[0] = NULL;
	ck_assert_int_eq(uvf_e1000e_open(f.dev[0], &o, &nic), -EINVAL);
	e1kfix_open(&f, 0, &small);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(other, &b, 1), 0);
	b->len = 60;
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], &b, 1), -EXDEV);
	uvf_e1000e_pool_free(&b, 1);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(other), 0);
	ck_assert_int_eq(uvf_domain_detach(dom2, f.dev[1]), 0);
	ck_assert_int_eq(uvf_domain_destroy(dom2), 0);
	ck_assert_int_eq(uvf_domain_attach(f.dom, f.dev[1]), 0);
}
END_TEST

START_TEST(test_an_empty_pool_keeps_frames_in_the_ring)
{
	struct uvf_e1000e_pool *pool = uvf_e1000e_pool(f.nic[1]);
	unsigned int n = avail(1);
	struct uvf_e1000e_buf **held = calloc(n, sizeof(*held));
	struct uvf_e1000e_buf *b[8];
	struct uvf_e1000e_stats st;

	ck_assert_ptr_nonnull(held);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(pool, held, n), 0);
	e1kfix_send(f.nic[0], f.mac[1], 0, 5, 80);
	ck_assert_int_eq(uvf_e1000e_rx_burst(f.nic[1], b, 8), 0);
	ck_assert_int_eq(uvf_e1000e_get_stats(f.nic[1], &st), 0);
	ck_assert_uint_eq(st.rx_nombuf, 1);
	ck_assert_uint_eq(st.sw_rx_packets, 0);
	/* Two buffers back: two frames out, the rest still waits. */
	uvf_e1000e_pool_free(held, 2);
	ck_assert_int_eq(uvf_e1000e_rx_burst(f.nic[1], b, 8), 2);
	ck_assert(e1kfix_frame_ok(b[0]->data, 80, 0));
	ck_assert(e1kfix_frame_ok(b[1]->data, 80, 1));
	ck_assert_int_eq(uvf_e1000e_rx_burst(f.nic[1], b + 2, 6), 0);
	ck_assert_int_eq(uvf_e1000e_get_stats(f.nic[1], &st), 0);
	ck_assert_uint_eq(st.rx_nombuf, 3);
	ck_assert_uint_eq(st.sw_rx_packets, 2);
	uvf_e1000e_pool_free(b, 2);
	uvf_e1000e_pool_free(held + 2, n - 2);
	ck_assert_uint_eq(e1kfix_recv(f.nic[1], 2, 8, 80), 3);
	free(held);
}
END_TEST

START_TEST(test_frames_flagged_bad_are_recycled_not_handed_out)
{
	struct fake_e1000e_faults bad = { .rx_bad_frames = true };
	struct uvf_e1000e_buf *b[8];
	struct uvf_e1000e_stats st;
	unsigned int a1 = avail(1);

	fake_e1000e_set_faults(f.dev[1], &bad);
	e1kfix_send(f.nic[0], f.mac[1], 0, 3, 64);
	ck_assert_int_eq(uvf_e1000e_rx_burst(f.nic[1], b, 8), 0);
	ck_assert_uint_eq(avail(1), a1);
	ck_assert_int_eq(uvf_e1000e_get_stats(f.nic[1], &st), 0);
	ck_assert_uint_eq(st.rx_dropped, 3);
	/* The slots went back to the NIC: good frames still come. */
	bad.rx_bad_frames = false;
	fake_e1000e_set_faults(f.dev[1], &bad);
	e1kfix_send(f.nic[0], f.mac[1], 3, 20, 64);
	ck_assert_uint_eq(e1kfix_recv(f.nic[1], 3, 40, 64), 20);
}
END_TEST

START_TEST(test_overflow_beyond_ring_and_fifo_counts_as_missed)
{
	struct uvf_e1000e_stats st;

	/* 15 slots + 8 frames of packet buffer; 7 more are lost. */
	e1kfix_send(f.nic[0], f.mac[1], 0, 30, 60);
	ck_assert_int_eq(uvf_e1000e_get_stats(f.nic[1], &st), 0);
	ck_assert_uint_eq(st.rx_missed, 30 - 15 - FAKE_E1000E_FIFO);
	ck_assert_uint_eq(st.rx_no_buffer, st.rx_missed);
	ck_assert_uint_eq(e1kfix_recv(f.nic[1], 0, 40, 60),
			  15 + FAKE_E1000E_FIFO);
}
END_TEST

START_TEST(test_statistics_add_up_across_clear_on_read)
{
	struct uvf_e1000e_stats a, b;
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff };

	e1kfix_send(f.nic[0], f.mac[1], 0, 10, 100);
	ck_assert_uint_eq(e1kfix_recv(f.nic[1], 0, 20, 100), 10);
	ck_assert_int_eq(uvf_e1000e_get_stats(f.nic[1], &a), 0);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_GPRC), 0);
	/* The octet counter will carry into its high half. */
	fake_e1000e_poke(f.dev[1], E1K_GORCL, 0xffffff00u);
	e1kfix_send(f.nic[0], bcast, 10, 5, 200);
	ck_assert_uint_eq(e1kfix_recv(f.nic[1], 10, 20, 200), 5);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_GORCH), 1);
	ck_assert_int_eq(uvf_e1000e_get_stats(f.nic[1], &b), 0);
	ck_assert_uint_eq(a.rx_packets, 10);
	ck_assert_uint_eq(a.rx_bytes, 10 * 104);
	ck_assert_uint_eq(b.rx_packets, 15);
	ck_assert_uint_eq(b.rx_broadcast, 5);
	ck_assert_uint_eq(b.rx_bytes, 10 * 104 + 0xffffff00ull + 5 * 204);
	ck_assert_uint_eq(b.sw_rx_packets, 15);
	ck_assert_uint_eq(b.sw_rx_bytes, 10 * 100 + 5 * 200);
	ck_assert_int_eq(uvf_e1000e_get_stats(f.nic[0], &a), 0);
	ck_assert_uint_eq(a.tx_packets, 15);
	ck_assert_uint_eq(a.sw_tx_packets, 15);
	ck_assert_uint_eq(a.tx_bytes, 10 * 104 + 5 * 204);
}
END_TEST

#define THREAD_FRAMES 5000u

struct flow {
	atomic_uint received;
	unsigned int sent;
};

static void *tx_thread(void *arg)
{
	struct flow *fl = arg;
	struct uvf_e1000e_pool *pool = uvf_e1000e_pool(f.nic[0]);
	struct uvf_e1000e_buf *b[8];
	unsigned int k, i;
	int r;

	while (fl->sent < THREAD_FRAMES) {
		k = THREAD_FRAMES - fl->sent < 8 ? THREAD_FRAMES - fl->sent
						 : 8;
		/* Stay within the receive ring: the fake drops overflow. */
		if (fl->sent + k - atomic_load(&fl->received) > 12 ||
		    uvf_e1000e_pool_alloc(pool, b, k)) {
			sched_yield();
			continue;
		}
		for (i = 0; i < k; i++) {
			b[i]->len = (uint16_t)(60 + (fl->sent + i) % 1455);
			e1kfix_frame(b[i]->data, b[i]->len, f.mac[1],
				     fl->sent + i);
		}
		r = uvf_e1000e_tx_burst(f.nic[0], b, k);
		ck_assert_int_ge(r, 0);
		uvf_e1000e_pool_free(b + r, k - (unsigned int)r);
		fl->sent += (unsigned int)r;
	}
	return NULL;
}

static void *rx_thread(void *arg)
{
	struct flow *fl = arg;
	struct uvf_e1000e_buf *b[8];
	unsigned int got = 0;
	int n, i;

	while (got < THREAD_FRAMES) {
		n = uvf_e1000e_rx_burst(f.nic[1], b, 8);
		ck_assert_int_ge(n, 0);
		for (i = 0; i < n; i++) {
			ck_assert_uint_eq(b[i]->len, 60 + got % 1455);
			ck_assert(e1kfix_frame_ok(b[i]->data, b[i]->len, got));
			got++;
		}
		uvf_e1000e_pool_free(b, (unsigned int)n);
		atomic_store(&fl->received, got);
		if (!n)
			sched_yield();
	}
	return NULL;
}

START_TEST(test_one_thread_sends_while_another_receives)
{
	struct fake_e1000e_stats st;
	struct flow fl = { .sent = 0 };
	pthread_t t[2];

	atomic_init(&fl.received, 0);
	ck_assert_int_eq(pthread_create(&t[0], NULL, rx_thread, &fl), 0);
	ck_assert_int_eq(pthread_create(&t[1], NULL, tx_thread, &fl), 0);
	pthread_join(t[1], NULL);
	pthread_join(t[0], NULL);
	ck_assert_uint_eq(atomic_load(&fl.received), THREAD_FRAMES);
	fake_e1000e_get_stats(f.dev[1], &st);
	ck_assert_uint_eq(st.rx_overflow, 0);
	ck_assert_uint_eq(st.dma_faults, 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("e1000e_rxtx");
	TCase *tc = tcase_create("rxtx");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_frames_cross_intact_in_order_across_ring_wraps);
	tcase_add_test(tc,
		       test_a_burst_beyond_the_ring_leaves_the_rest_to_the_caller);
	tcase_add_test(tc, test_bad_lengths_post_nothing_and_end_a_burst);
	tcase_add_test(tc, test_a_pool_of_another_domain_is_refused);
	tcase_add_test(tc, test_an_empty_pool_keeps_frames_in_the_ring);
	tcase_add_test(tc, test_frames_flagged_bad_are_recycled_not_handed_out);
	tcase_add_test(tc, test_overflow_beyond_ring_and_fifo_counts_as_missed);
	tcase_add_test(tc, test_statistics_add_up_across_clear_on_read);
	tcase_add_test(tc, test_one_thread_sends_while_another_receives);
	suite_add_tcase(s, tc);
	return s;
}
