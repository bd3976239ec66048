/* SPDX-License-Identifier: MIT */
/* Receive interrupts: MSI-X through IVAR, MSI, the fallback between them,
 * and rx_wait()'s masking. */
#include <check.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check_main.h"
#include "e1000e_regs.h"
#include "e1kfix.h"
#include "netcalc.h"

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

static void inject(uint32_t seq)
{
	uint8_t frame[64];

	e1kfix_frame(frame, sizeof(frame), f.mac[0], seq);
	fake_e1000e_inject(f.dev[0], frame, sizeof(frame));
}

static void *late_frame(void *arg)
{
	(void)arg;
	usleep(30000);
	inject(7);
	return NULL;
}

/* rx_wait sleeps until a frame comes 30 ms later, then masks again. */
static void wait_for_late_frame(uint32_t cause)
{
	pthread_t t;
	double t0;

	ck_assert_int_eq(pthread_create(&t, NULL, late_frame, NULL), 0);
	t0 = now_ms();
	ck_assert_int_eq(uvf_e1000e_rx_wait(f.nic[0], 5000), 0);
	ck_assert_double_lt(now_ms() - t0, 4000);
	pthread_join(t, NULL);
	ck_assert_uint_eq(e1kfix_recv(f.nic[0], 7, 4, 64), 1);
	ck_assert(!(fake_e1000e_peek(f.dev[0], E1K_IMS) & cause));
}

START_TEST(test_msix_routes_queue_causes_through_ivar)
{
	struct uvf_e1000e_opts o = { .irq = UVF_E1000E_IRQ_MSIX };
	uint32_t ivar;

	e1kfix_open(&f, 0, &o);
	ck_assert_int_eq(uvf_e1000e_irq_type(f.nic[0]), UVF_E1000E_IRQ_MSIX);
	ivar = fake_e1000e_peek(f.dev[0], E1K_IVAR);
	ck_assert_uint_eq(ivar & 0xf, E1K_IVAR_VALID | 0);
	ck_assert_uint_eq((ivar >> 8) & 0xf, E1K_IVAR_VALID | 1);
	ck_assert_uint_eq((ivar >> 16) & 0xf, E1K_IVAR_VALID | 2);
	/* Masked while nobody waits. */
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_IMS), 0);
	wait_for_late_frame(E1K_ICR_RXQ0);
}
END_TEST

static void *late_ipv4_frame(void *arg)
{
	struct netcalc_flow fl = { .sip = 0x0a000001, .dip = 0x0a000002,
				   .proto = NETCALC_PROTO_UDP };
	uint8_t frame[100];

	(void)arg;
	memcpy(fl.dst, f.mac[0], 6);
	netcalc_build(frame, sizeof(frame), &fl, 1);
	usleep(30000);
	fake_e1000e_inject(f.dev[0], frame, sizeof(frame));
	return NULL;
}

START_TEST(test_msix_gives_receive_queue_1_its_own_vector)
{
	struct uvf_e1000e_opts o = { .irq = UVF_E1000E_IRQ_MSIX, .queues = 2,
				     .rss = true };
	struct uvf_e1000e_rss rss;
	struct uvf_e1000e_buf *b;
	pthread_t t;
	double t0;

	e1kfix_open(&f, 0, &o);
	ck_assert_uint_eq((fake_e1000e_peek(f.dev[0], E1K_IVAR) >> 4) & 0xf,
			  E1K_IVAR_VALID | 3);
	ck_assert_int_eq(uvf_e1000e_get_rss(f.nic[0], &rss), 0);
	memset(rss.reta, 1, sizeof(rss.reta));	/* every IPv4 frame: 1 */
	ck_assert_int_eq(uvf_e1000e_set_rss(f.nic[0], &rss), 0);
	ck_assert_int_eq(uvf_e1000e_rx_wait_queue(f.nic[0], 2, 10), -EINVAL);
	ck_assert_int_eq(pthread_create(&t, NULL, late_ipv4_frame, NULL), 0);
	t0 = now_ms();
	ck_assert_int_eq(uvf_e1000e_rx_wait_queue(f.nic[0], 1, 5000), 0);
	ck_assert_double_lt(now_ms() - t0, 4000);
	pthread_join(t, NULL);
	ck_assert(!(fake_e1000e_peek(f.dev[0], E1K_IMS) & E1K_ICR_RXQ1));
	/* Queue 0's vector stays quiet for a queue-1 frame. */
	ck_assert_int_eq(uvf_e1000e_rx_wait_queue(f.nic[0], 0, 50),
			 -ETIMEDOUT);
	ck_assert_int_eq(uvf_e1000e_rx_burst_queue(f.nic[0], 1, &b, 1), 1);
	uvf_e1000e_pool_free(&b, 1);
}
END_TEST

START_TEST(test_msi_wakes_the_receiver)
{
	struct uvf_e1000e_opts o = { .irq = UVF_E1000E_IRQ_MSI };

	e1kfix_open(&f, 0, &o);
	ck_assert_int_eq(uvf_e1000e_irq_type(f.nic[0]), UVF_E1000E_IRQ_MSI);
	wait_for_late_frame(E1K_ICR_RXT0);
	/* Twice: the cause was cleared, so a new frame raises a new MSI. */
	wait_for_late_frame(E1K_ICR_RXT0);
}
END_TEST

START_TEST(test_auto_falls_back_to_msi_without_msix)
{
	struct fake_e1000e_params p;
	struct uvf_e1000e_opts o = { .irq = UVF_E1000E_IRQ_AUTO };

	fake_e1000e_params_default(&p);
	p.no_msix = true;
	e1kfix_teardown(&f);
	e1kfix_setup(&f, 1, &p);
	e1kfix_open(&f, 0, &o);
	ck_assert_int_eq(uvf_e1000e_irq_type(f.nic[0]), UVF_E1000E_IRQ_MSI);
	wait_for_late_frame(E1K_ICR_RXT0);
}
END_TEST

START_TEST(test_msix_asked_for_but_missing_is_enotsup)
{
	struct fake_e1000e_params p;
	struct uvf_e1000e_opts o = { .irq = UVF_E1000E_IRQ_MSIX };

	fake_e1000e_params_default(&p);
	p.no_msix = true;
	e1kfix_teardown(&f);
	e1kfix_setup(&f, 1, &p);
	ck_assert_int_eq(uvf_e1000e_open(f.dev[0], &o, &f.nic[0]), -ENOTSUP);
	ck_assert_ptr_null(f.nic[0]);
	ck_assert_uint_eq(e1kfix_mapped(&f), 0);
}
END_TEST

START_TEST(test_wait_times_out_when_nothing_comes)
{
	struct uvf_e1000e_opts o = { .irq = UVF_E1000E_IRQ_AUTO };
	double t0;

	e1kfix_open(&f, 0, &o);
	t0 = now_ms();
	ck_assert_int_eq(uvf_e1000e_rx_wait(f.nic[0], 40), -ETIMEDOUT);
	ck_assert_double_ge(now_ms() - t0, 30);
	ck_assert_int_eq(uvf_e1000e_rx_wait(f.nic[0], 0), -ETIMEDOUT);
	ck_assert(!(fake_e1000e_peek(f.dev[0], E1K_IMS) & E1K_ICR_RXQ0));
}
END_TEST

START_TEST(test_a_frame_already_waiting_returns_at_once)
{
	struct uvf_e1000e_opts o = { .irq = UVF_E1000E_IRQ_MSIX };
	double t0;

	e1kfix_open(&f, 0, &o);
	inject(3);
	t0 = now_ms();
	ck_assert_int_eq(uvf_e1000e_rx_wait(f.nic[0], 5000), 0);
	ck_assert_double_lt(now_ms() - t0, 1000);
	ck_assert_uint_eq(e1kfix_recv(f.nic[0], 3, 4, 64), 1);
}
END_TEST

START_TEST(test_a_stale_interrupt_is_not_taken_for_a_frame)
{
	struct uvf_e1000e_opts o = { .irq = UVF_E1000E_IRQ_MSIX };

	e1kfix_open(&f, 0, &o);
	/* An interrupt left over from before (the vector fired while
	 * nobody waited), and no frame: the wait must still time out. */
	fake_e1000e_poke(f.dev[0], E1K_IMS, E1K_ICR_RXQ0);
	inject(1);
	ck_assert_uint_eq(e1kfix_recv(f.nic[0], 1, 4, 64), 1);
	fake_e1000e_poke(f.dev[0], E1K_IMS, 0);
	ck_assert_int_eq(uvf_e1000e_rx_wait(f.nic[0], 40), -ETIMEDOUT);
}
END_TEST

START_TEST(test_polling_ports_cannot_wait)
{
	e1kfix_open(&f, 0, NULL);
	ck_assert_int_eq(uvf_e1000e_rx_wait(f.nic[0], 10), -ENOTSUP);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("e1000e_irq");
	TCase *tc = tcase_create("irq");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_msix_routes_queue_causes_through_ivar);
	tcase_add_test(tc, test_msix_gives_receive_queue_1_its_own_vector);
	tcase_add_test(tc, test_msi_wakes_the_receiver);
	tcase_add_test(tc, test_auto_falls_back_to_msi_without_msix);
	tcase_add_test(tc, test_msix_asked_for_but_missing_is_enotsup);
	tcase_add_test(tc, test_wait_times_out_when_nothing_comes);
	tcase_add_test(tc, test_a_frame_already_waiting_returns_at_once);
	tcase_add_test(tc, test_a_stale_interrupt_is_not_taken_for_a_frame);
	tcase_add_test(tc, test_polling_ports_cannot_wait);
	suite_add_tcase(s, tc);
	return s;
}
