/* SPDX-License-Identifier: MIT */
/* The e1000e driver on two connected fake NICs: bring-up, then frames
 * sent from one port and received on the other. */
#include <string.h>

#include <uvf/e1000e.h>

#include "e1kfix.h"
#include "fi.h"
#include "fi_dev.h"
#include "fi_state.h"

#define FRAMES 4
#define FRAME_LEN 128

enum e1k_call { OPEN, TXRX };

struct e1kfi {
	enum e1k_call call;
	struct e1kfix f;
	uint16_t command;
	unsigned int avail;
	struct fi_dom_snap before;
};

static void opts(struct uvf_e1000e_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->rx_ring_size = 64;
	o->tx_ring_size = 64;
	o->pool_size = 256;
	o->no_link_wait = true;
	o->reset_timeout_ms = E1KFIX_FAST_MS;
}

static void e1k_setup(void *fix)
{
	struct e1kfi *e = fix;
	struct uvf_e1000e_opts o;

	e1kfix_setup(&e->f, 2, NULL);
	fi_quiet_device(e->f.dev[0]);
	fi_quiet_device(e->f.dev[1]);
	opts(&o);
	if (e->call == TXRX) {
		e1kfix_open(&e->f, 0, &o);
		e1kfix_open(&e->f, 1, &o);
		ck_assert_int_eq(uvf_e1000e_link_wait(e->f.nic[0], 1000), 0);
		ck_assert_int_eq(uvf_e1000e_link_wait(e->f.nic[1], 1000), 0);
		e->avail = uvf_e1000e_pool_avail(uvf_e1000e_pool(e->f.nic[0]));
	}
	e->command = fi_pci_command(e->f.dev[0]);
	fi_dom_snap(e->f.dom, 0, &e->before);
}

/* Sends FRAMES frames from port 0 and takes them in on port 1. */
static int txrx(struct e1kfi *e)
{
	struct uvf_e1000e_buf *b[FRAMES];
	unsigned int got = 0;
	int ret, tries;

	ret = uvf_e1000e_pool_alloc(uvf_e1000e_pool(e->f.nic[0]), b, FRAMES);
	if (ret < 0)
		return ret;
	for (unsigned int i = 0; i < FRAMES; i++) {
		b[i]->len = FRAME_LEN;
		e1kfix_frame(b[i]->data, FRAME_LEN, e->f.mac[1], i);
	}
	ret = uvf_e1000e_tx_burst(e->f.nic[0], b, FRAMES);
	if (ret < 0 || ret != FRAMES) {
		if (ret >= 0)
			uvf_e1000e_pool_free(b + ret, FRAMES - (unsigned int)ret);
		return ret < 0 ? ret : -EAGAIN;
	}
	ret = uvf_e1000e_tx_flush(e->f.nic[0], 1000);
	if (ret < 0)
		return ret;
	for (tries = 0; got < FRAMES && tries < 100; tries++) {
		ret = uvf_e1000e_rx_burst(e->f.nic[1], b, FRAMES - got);
		if (ret < 0)
			return ret;
		for (int i = 0; i < ret; i++)
			ck_assert(e1kfix_frame_ok(b[i]->data, b[i]->len,
						  got + (unsigned int)i));
		uvf_e1000e_pool_free(b, (unsigned int)ret);
		got += (unsigned int)ret;
	}
	return got == FRAMES ? 0 : -ETIMEDOUT;
}

static int e1k_call(void *fix)
{
	struct e1kfi *e = fix;
	struct uvf_e1000e_opts o;

	opts(&o);
	if (e->call == OPEN)
		return uvf_e1000e_open(e->f.dev[0], &o, &e->f.nic[0]);
	return txrx(e);
}

static void e1k_unchanged(void *fix)
{
	struct e1kfi *e = fix;

	fi_dom_assert_same(e->f.dom, 0, &e->before);
	ck_assert_uint_eq(fi_pci_command(e->f.dev[0]), e->command);
	if (e->call == OPEN)
		ck_assert_ptr_null(e->f.nic[0]);
	else
		ck_assert_uint_eq(uvf_e1000e_pool_avail(
			uvf_e1000e_pool(e->f.nic[0])), e->avail);
}

static void e1k_done(void *fix)
{
	struct e1kfi *e = fix;

	if (e->call == OPEN)
		ck_assert_ptr_nonnull(e->f.nic[0]);
	else
		ck_assert_uint_eq(uvf_e1000e_pool_avail(
			uvf_e1000e_pool(e->f.nic[0])), e->avail);
}

static void e1k_down(void *fix, bool ok)
{
	struct e1kfi *e = fix;

	(void)ok;
	e1kfix_teardown(&e->f);
}

START_TEST(test_e1000e_bringup_and_io_fail_cleanly_at_every_point)
{
	static const char *const names[] = { "e1000e/open", "e1000e/tx-rx" };
	static struct e1kfi e;
	struct fi_scenario s = {
		names[_i], e1k_setup, e1k_call, e1k_unchanged, e1k_done,
		e1k_down,
	};

	memset(&e, 0, sizeof(e));
	e.call = (enum e1k_call)_i;
	fi_run(&s, &e);
}
END_TEST

TCase *fi_e1000e_tcase(void)
{
	TCase *tc = tcase_create("e1000e");

	tcase_add_loop_test(tc, test_e1000e_bringup_and_io_fail_cleanly_at_every_point,
			    OPEN, TXRX + 1);
	return tc;
}
