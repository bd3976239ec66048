/* SPDX-License-Identifier: MIT */
/* Bringing a port up and down, and every way that can fail. */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "e1000e_regs.h"
#include "e1kfix.h"

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

/* A failed open leaves no port, nothing mapped, no bus mastering. */
static void assert_failed_cleanly(int ret, int want)
{
	ck_assert_int_eq(ret, want);
	ck_assert_ptr_null(f.nic[0]);
	ck_assert_uint_eq(e1kfix_mapped(&f), 0);
	ck_assert(!(fake_e1000e_pci_command(f.dev[0]) & PCI_COMMAND_MASTER));
}

START_TEST(test_open_resets_and_reports_mac_and_link)
{
	struct uvf_e1000e_link l;
	struct fake_e1000e_stats st;
	uint8_t mac[6];

	e1kfix_open(&f, 0, NULL);
	uvf_e1000e_mac_addr(f.nic[0], mac);
	ck_assert_mem_eq(mac, f.mac[0], 6);
	ck_assert_int_eq(uvf_e1000e_link_get(f.nic[0], &l), 0);
	ck_assert(l.up);
	ck_assert_uint_eq(l.speed_mbps, 1000);
	ck_assert(l.full_duplex);
	fake_e1000e_get_stats(f.dev[0], &st);
	ck_assert_uint_eq(st.resets, 1);
	ck_assert(fake_e1000e_pci_command(f.dev[0]) & PCI_COMMAND_MASTER);
	ck_assert(fake_e1000e_peek(f.dev[0], E1K_RCTL) & E1K_RCTL_EN);
	ck_assert(fake_e1000e_peek(f.dev[0], E1K_TCTL) & E1K_TCTL_EN);
	ck_assert_ptr_eq(uvf_e1000e_device(f.nic[0]), f.dev[0]);
	ck_assert_int_eq(uvf_e1000e_irq_type(f.nic[0]), UVF_E1000E_IRQ_NONE);
	/* 256 receive slots, each with a buffer, RDT one short. */
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_RDLEN), 256 * 16);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_RDT), 255);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(uvf_e1000e_pool(f.nic[0])),
			  256 + 512);
}
END_TEST

START_TEST(test_without_a_valid_receive_address_the_eeprom_is_read)
{
	struct fake_e1000e_faults fl = { .rar_invalid = true };
	uint8_t mac[6];

	fake_e1000e_set_faults(f.dev[0], &fl);
	e1kfix_open(&f, 0, NULL);
	uvf_e1000e_mac_addr(f.nic[0], mac);
	ck_assert_mem_eq(mac, f.mac[0], 6);
	/* Written back, valid, so the filter takes it. */
	ck_assert(fake_e1000e_peek(f.dev[0], E1K_RAH0) & E1K_RAH_AV);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_RAL0),
			  f.mac[0][0] | f.mac[0][1] << 8 |
				  f.mac[0][2] << 16 |
				  (uint32_t)f.mac[0][3] << 24);
}
END_TEST

START_TEST(test_a_blank_eeprom_is_eio)
{
	struct fake_e1000e_faults fl = { .eeprom_blank = true };

	fake_e1000e_set_faults(f.dev[0], &fl);
	assert_failed_cleanly(uvf_e1000e_open(f.dev[0], NULL, &f.nic[0]),
			      -EIO);
}
END_TEST

START_TEST(test_a_reset_that_never_finishes_is_etimedout)
{
	struct fake_e1000e_faults fl = { .reset_stuck = true };
	struct uvf_e1000e_opts o = { .reset_timeout_ms = E1KFIX_FAST_MS };

	fake_e1000e_set_faults(f.dev[0], &fl);
	assert_failed_cleanly(uvf_e1000e_open(f.dev[0], &o, &f.nic[0]),
			      -ETIMEDOUT);
}
END_TEST

START_TEST(test_an_eeprom_auto_read_that_never_ends_is_etimedout)
{
	struct fake_e1000e_faults fl = { .no_auto_read = true };
	struct uvf_e1000e_opts o = { .reset_timeout_ms = E1KFIX_FAST_MS };

	fake_e1000e_set_faults(f.dev[0], &fl);
	assert_failed_cleanly(uvf_e1000e_open(f.dev[0], &o, &f.nic[0]),
			      -ETIMEDOUT);
}
END_TEST

START_TEST(test_no_link_is_etimedout_unless_told_not_to_wait)
{
	struct fake_e1000e_faults fl = { .link_down = true };
	struct uvf_e1000e_opts o = { .link_timeout_ms = E1KFIX_FAST_MS };
	struct uvf_e1000e_link l;

	fake_e1000e_set_faults(f.dev[0], &fl);
	assert_failed_cleanly(uvf_e1000e_open(f.dev[0], &o, &f.nic[0]),
			      -ETIMEDOUT);
	o.no_link_wait = true;
	e1kfix_open(&f, 0, &o);
	ck_assert_int_eq(uvf_e1000e_link_get(f.nic[0], &l), 0);
	ck_assert(!l.up);
	ck_assert_int_eq(uvf_e1000e_link_wait(f.nic[0], E1KFIX_FAST_MS),
			 -ETIMEDOUT);
	fl.link_down = false;
	fake_e1000e_set_faults(f.dev[0], &fl);
	ck_assert_int_eq(uvf_e1000e_link_wait(f.nic[0], E1KFIX_FAST_MS), 0);
}
END_TEST

START_TEST(test_bad_options_are_einval_and_touch_nothing)
{
	struct uvf_e1000e_opts o = { .rx_ring_size = 12 };
	struct fake_e1000e_stats st;

	ck_assert_int_eq(uvf_e1000e_open(f.dev[0], &o, &f.nic[0]), -EINVAL);
	o.rx_ring_size = UVF_E1000E_MAX_RING + 8;
	ck_assert_int_eq(uvf_e1000e_open(f.dev[0], &o, &f.nic[0]), -EINVAL);
	o.rx_ring_size = 0;
	o.tx_ring_size = 4;
	ck_assert_int_eq(uvf_e1000e_open(f.dev[0], &o, &f.nic[0]), -EINVAL);
	o.tx_ring_size = 0;
	o.irq = (enum uvf_e1000e_irq)7;
	ck_assert_int_eq(uvf_e1000e_open(f.dev[0], &o, &f.nic[0]), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_open(NULL, NULL, &f.nic[0]), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_open(f.dev[0], NULL, NULL), -EINVAL);
	fake_e1000e_get_stats(f.dev[0], &st);
	ck_assert_uint_eq(st.resets, 0);
	ck_assert_ptr_null(f.nic[0]);
}
END_TEST

START_TEST(test_smallest_and_odd_ring_sizes_work)
{
	struct uvf_e1000e_opts o = { .rx_ring_size = 8, .tx_ring_size = 24 };

	e1kfix_open(&f, 0, &o);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_RDLEN), 8 * 16);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_TDLEN), 24 * 16);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_RDT), 7);
}
END_TEST

START_TEST(test_a_pool_too_small_for_the_ring_is_enobufs)
{
	struct uvf_e1000e_opts o = { .pool_size = 100 };

	assert_failed_cleanly(uvf_e1000e_open(f.dev[0], &o, &f.nic[0]),
			      -ENOBUFS);
}
END_TEST

START_TEST(test_close_stops_the_nic_before_freeing)
{
	static const uint8_t frame[60] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	struct fake_e1000e_stats st;

	e1kfix_open(&f, 0, NULL);
	uvf_e1000e_close(f.nic[0]);
	f.nic[0] = NULL;
	ck_assert(!(fake_e1000e_pci_command(f.dev[0]) & PCI_COMMAND_MASTER));
	ck_assert(!(fake_e1000e_peek(f.dev[0], E1K_RCTL) & E1K_RCTL_EN));
	ck_assert_uint_eq(e1kfix_mapped(&f), 0);
	fake_e1000e_inject(f.dev[0], frame, sizeof(frame));
	fake_e1000e_get_stats(f.dev[0], &st);
	ck_assert_uint_eq(st.rx_frames, 0);
	ck_assert_uint_eq(st.dma_faults, 0);
	ck_assert_uint_eq(st.rx_disabled, 1);
}
END_TEST

START_TEST(test_open_twice_in_a_row_works)
{
	e1kfix_open(&f, 0, NULL);
	uvf_e1000e_close(f.nic[0]);
	f.nic[0] = NULL;
	e1kfix_open(&f, 0, NULL);
}
END_TEST

START_TEST(test_set_mac_addr_moves_the_unicast_filter)
{
	static const uint8_t new_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	static const uint8_t mcast[6] = { 0x01, 0, 0, 0, 0, 1 };
	struct fake_e1000e_stats st;
	uint8_t frame[64], mac[6];

	e1kfix_open(&f, 0, NULL);
	ck_assert_int_eq(uvf_e1000e_set_mac_addr(f.nic[0], mcast), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_set_mac_addr(f.nic[0], new_mac), 0);
	uvf_e1000e_mac_addr(f.nic[0], mac);
	ck_assert_mem_eq(mac, new_mac, 6);
	e1kfix_frame(frame, sizeof(frame), f.mac[0], 1);
	fake_e1000e_inject(f.dev[0], frame, sizeof(frame));
	e1kfix_frame(frame, sizeof(frame), new_mac, 2);
	fake_e1000e_inject(f.dev[0], frame, sizeof(frame));
	ck_assert_uint_eq(e1kfix_recv(f.nic[0], 2, 4, sizeof(frame)), 1);
	fake_e1000e_get_stats(f.dev[0], &st);
	ck_assert_uint_eq(st.rx_filtered, 1);
}
END_TEST

START_TEST(test_promisc_takes_every_address)
{
	static const uint8_t other[6] = { 0x02, 9, 9, 9, 9, 9 };
	struct uvf_e1000e_opts o = { .promisc = true };
	uint8_t frame[64];

	e1kfix_open(&f, 0, &o);
	e1kfix_frame(frame, sizeof(frame), other, 5);
	fake_e1000e_inject(f.dev[0], frame, sizeof(frame));
	ck_assert_uint_eq(e1kfix_recv(f.nic[0], 5, 4, sizeof(frame)), 1);
}
END_TEST

START_TEST(test_another_device_or_register_window_is_enodev)
{
	struct fake_e1000e_params p;
	struct fake_e1000e_stats st;

	fake_e1000e_params_default(&p);
	p.device = 0x10d4;
	e1kfix_teardown(&f);
	e1kfix_setup(&f, 1, &p);
	ck_assert_int_eq(uvf_e1000e_match(f.dev[0]), 0);
	assert_failed_cleanly(uvf_e1000e_open(f.dev[0], NULL, &f.nic[0]),
			      -ENODEV);
	fake_e1000e_get_stats(f.dev[0], &st);
	ck_assert_uint_eq(st.resets, 0);
	fake_e1000e_params_default(&p);
	p.bar0_size = 0x1000;
	e1kfix_teardown(&f);
	e1kfix_setup(&f, 1, &p);
	assert_failed_cleanly(uvf_e1000e_open(f.dev[0], NULL, &f.nic[0]),
			      -ENODEV);
}
END_TEST

START_TEST(test_driver_model_probe_and_remove)
{
	void *drvdata = NULL;

	ck_assert_int_eq(uvf_e1000e_match(f.dev[0]), 1);
	ck_assert_int_eq(uvf_driver_probe(&uvf_e1000e_driver, f.dev[0],
					  &drvdata), 0);
	ck_assert_ptr_nonnull(drvdata);
	uvf_e1000e_driver.remove(f.dev[0], drvdata);
	ck_assert_uint_eq(e1kfix_mapped(&f), 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("e1000e_open");
	TCase *tc = tcase_create("open");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_open_resets_and_reports_mac_and_link);
	tcase_add_test(tc,
		       test_without_a_valid_receive_address_the_eeprom_is_read);
	tcase_add_test(tc, test_a_blank_eeprom_is_eio);
	tcase_add_test(tc, test_a_reset_that_never_finishes_is_etimedout);
	tcase_add_test(tc,
		       test_an_eeprom_auto_read_that_never_ends_is_etimedout);
	tcase_add_test(tc, test_no_link_is_etimedout_unless_told_not_to_wait);
	tcase_add_test(tc, test_bad_options_are_einval_and_touch_nothing);
	tcase_add_test(tc, test_smallest_and_odd_ring_sizes_work);
	tcase_add_test(tc, test_a_pool_too_small_for_the_ring_is_enobufs);
	tcase_add_test(tc, test_close_stops_the_nic_before_freeing);
	tcase_add_test(tc, test_open_twice_in_a_row_works);
	tcase_add_test(tc, test_set_mac_addr_moves_the_unicast_filter);
	tcase_add_test(tc, test_promisc_takes_every_address);
	tcase_add_test(tc, test_another_device_or_register_window_is_enodev);
	tcase_add_test(tc, test_driver_model_probe_and_remove);
	suite_add_tcase(s, tc);
	return s;
}
