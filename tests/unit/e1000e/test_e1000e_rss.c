/* SPDX-License-Identifier: MIT */
/* Two queues each way and RSS: the reference hash against published
 * vectors, the register programming, frames steered to the queue the
 * redirection table names, bad configurations refused. */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "e1000e_regs.h"
#include "e1kfix.h"
#include "netcalc.h"

#define FRAMES 64u

static struct e1kfix f;
static const struct uvf_e1000e_opts two = { .rx_ring_size = 128,
					    .tx_ring_size = 128,
					    .queues = 2,
					    .rss = true };
static const uint8_t ms_key[40] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

static void setup(void)
{
	e1kfix_setup(&f, 2, NULL);
	e1kfix_open(&f, 0, &two);
	e1kfix_open(&f, 1, &two);
}

static void teardown(void)
{
	e1kfix_teardown(&f);
}

static uint32_t ip4(unsigned int a, unsigned int b, unsigned int c,
		    unsigned int d)
{
	return a << 24 | b << 16 | c << 8 | d;
}

START_TEST(test_toeplitz_matches_the_microsoft_verification_vectors)
{
	/* "Verifying the RSS Hash Calculation": source, destination, and
	 * the IPv4 and TCP/IPv4 hashes. */
	static const struct {
		uint32_t sip, dip;
		uint16_t sport, dport;
		uint32_t ip, tcp;
	} v[] = {
		{ 0x420995bb, 0xa18e6450, 2794, 1766, 0x323e8fc2, 0x51ccc178 },
		{ 0xc75c6f02, 0x41458c53, 14230, 4739, 0xd718262a, 0xc626b0ea },
		{ 0x1813c65f, 0x0c16cfb8, 12898, 38024, 0xd2d0a5de,
		  0x5c2b394a },
	};
	struct netcalc_flow fl = { .proto = NETCALC_PROTO_TCP };
	uint8_t fr[80];
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		fl.sip = v[i].sip;
		fl.dip = v[i].dip;
		fl.sport = v[i].sport;
		fl.dport = v[i].dport;
		netcalc_build(fr, sizeof(fr), &fl, i);
		ck_assert_uint_eq(netcalc_rss_ipv4(ms_key, fr, false), v[i].ip);
		ck_assert_uint_eq(netcalc_rss_ipv4(ms_key, fr, true), v[i].tcp);
	}
}
END_TEST

START_TEST(test_open_with_rss_programs_key_table_and_mrqc)
{
	struct uvf_e1000e_rss rss;
	unsigned int i;

	ck_assert_uint_eq(uvf_e1000e_queues(f.nic[1]), 2);
	for (i = 0; i < 10; i++)
		ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_RSSRK + 4 * i),
				  (uint32_t)ms_key[4 * i] |
					  (uint32_t)ms_key[4 * i + 1] << 8 |
					  (uint32_t)ms_key[4 * i + 2] << 16 |
					  (uint32_t)ms_key[4 * i + 3] << 24);
	for (i = 0; i < 32; i++)
		ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_RETA + 4 * i),
				  0x80008000u);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_MRQC),
			  E1K_MRQC_RSS | E1K_MRQC_IPV4 | E1K_MRQC_TCPIPV4);
	ck_assert(fake_e1000e_peek(f.dev[1], E1K_RFCTL) & E1K_RFCTL_EXTEN);
	ck_assert(fake_e1000e_peek(f.dev[1], E1K_RXCSUM) & E1K_RXCSUM_PCSD);
	ck_assert(fake_e1000e_peek(f.dev[1], E1K_RDLEN + E1K_QUEUE_STRIDE));
	ck_assert(fake_e1000e_peek(f.dev[1], E1K_TDLEN + E1K_QUEUE_STRIDE));
	ck_assert(fake_e1000e_peek(f.dev[1], E1K_TARC1) & E1K_TARC0_ENABLE);
	ck_assert_int_eq(uvf_e1000e_get_rss(f.nic[1], &rss), 0);
	ck_assert_mem_eq(rss.key, ms_key, 40);
	ck_assert_uint_eq(rss.fields,
			  UVF_E1000E_RSS_IPV4 | UVF_E1000E_RSS_TCPIPV4);
}
END_TEST

/* Send FRAMES TCP and UDP frames of varied flows from port 0; receive
 * them on both queues of port 1 and check each against the software
 * hash and @rss's table. Returns how many landed on queue 1. */
static unsigned int steer_and_check(const struct uvf_e1000e_rss *rss)
{
	struct uvf_e1000e_buf *got[FRAMES];
	struct netcalc_flow fl = { .sip = ip4(10, 0, 0, 1) };
	uint8_t fr[128];
	unsigned int i, q, n, total = 0, on1 = 0;
	uint32_t want;
	bool tcp;

	memcpy(fl.dst, f.mac[1], 6);
	memcpy(fl.src, f.mac[0], 6);
	for (i = 0; i < FRAMES; i++) {
		fl.proto = i & 1 ? NETCALC_PROTO_UDP : NETCALC_PROTO_TCP;
		fl.dip = ip4(192, 168, i / 8, 1 + i);
		fl.sport = (uint16_t)(1024 + 37 * i);
		fl.dport = (uint16_t)(80 + i);
		netcalc_build(fr, sizeof(fr), &fl, i);
		e1kfix_send_frame(f.nic[0], i % 2, fr, sizeof(fr), 0);
	}
	for (q = 0; q < 2; q++) {
		n = e1kfix_take(f.nic[1], q, got, FRAMES);
		for (i = 0; i < n; i++) {
			ck_assert_uint_eq(got[i]->pkt_len, sizeof(fr));
			tcp = ((uint8_t *)got[i]->data)[23] ==
				      NETCALC_PROTO_TCP &&
			      (rss->fields & UVF_E1000E_RSS_TCPIPV4);
			/* UDP hashes over the addresses only. */
			want = netcalc_rss_ipv4(rss->key, got[i]->data, tcp);
			ck_assert(got[i]->ol_flags & UVF_E1000E_RX_RSS_HASH);
			ck_assert_uint_eq(got[i]->rss_hash, want);
			ck_assert_uint_eq(rss->reta[want & 127], q);
		}
		uvf_e1000e_pool_free(got, n);
		total += n;
		if (q)
			on1 = n;
	}
	ck_assert_uint_eq(total, FRAMES);
	return on1;
}

START_TEST(test_rss_steers_each_frame_to_the_queue_its_hash_names)
{
	struct uvf_e1000e_rss rss;
	struct fake_e1000e_stats st;
	unsigned int on1;

	ck_assert_int_eq(uvf_e1000e_get_rss(f.nic[1], &rss), 0);
	on1 = steer_and_check(&rss);
	/* Alternating table, 64 flows: both queues get work. */
	ck_assert_uint_gt(on1, 0);
	ck_assert_uint_lt(on1, FRAMES);
	fake_e1000e_get_stats(f.dev[0], &st);
	ck_assert_uint_eq(st.tx_queue[0], FRAMES / 2);
	ck_assert_uint_eq(st.tx_queue[1], FRAMES / 2);
}
END_TEST

START_TEST(test_a_new_table_and_key_move_the_flows)
{
	struct uvf_e1000e_rss rss;
	unsigned int i;

	ck_assert_int_eq(uvf_e1000e_get_rss(f.nic[1], &rss), 0);
	memset(rss.reta, 1, sizeof(rss.reta));
	ck_assert_int_eq(uvf_e1000e_set_rss(f.nic[1], &rss), 0);
	ck_assert_uint_eq(steer_and_check(&rss), FRAMES);
	for (i = 0; i < 40; i++)
		rss.key[i] = (uint8_t)(i * 29 + 3);
	for (i = 0; i < 128; i++)
		rss.reta[i] = (uint8_t)(i < 64);
	rss.fields = UVF_E1000E_RSS_IPV4;	/* TCP by addresses too */
	ck_assert_int_eq(uvf_e1000e_set_rss(f.nic[1], &rss), 0);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_MRQC),
			  E1K_MRQC_RSS | E1K_MRQC_IPV4);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_RETA), 0x80808080u);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_RETA + 0x7c), 0);
	steer_and_check(&rss);
}
END_TEST

START_TEST(test_bad_rss_configurations_are_refused_and_change_nothing)
{
	struct uvf_e1000e_rss rss, now;
	uint32_t reta0 = fake_e1000e_peek(f.dev[1], E1K_RETA),
		 mrqc = fake_e1000e_peek(f.dev[1], E1K_MRQC);

	ck_assert_int_eq(uvf_e1000e_get_rss(f.nic[1], &rss), 0);
	rss.reta[0] = 2;				/* no queue 2 */
	ck_assert_int_eq(uvf_e1000e_set_rss(f.nic[1], &rss), -EINVAL);
	rss.reta[0] = 1;
	rss.fields = 0;
	ck_assert_int_eq(uvf_e1000e_set_rss(f.nic[1], &rss), -EINVAL);
	rss.fields = 1u << 7;
	ck_assert_int_eq(uvf_e1000e_set_rss(f.nic[1], &rss), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_set_rss(f.nic[1], NULL), -EINVAL);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_RETA), reta0);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_MRQC), mrqc);
	ck_assert_int_eq(uvf_e1000e_get_rss(f.nic[1], &now), 0);
	ck_assert_uint_eq(now.reta[0], 0);
	ck_assert_uint_eq(now.fields,
			  UVF_E1000E_RSS_IPV4 | UVF_E1000E_RSS_TCPIPV4);
}
END_TEST

START_TEST(test_queue_numbers_and_queue_options_are_checked)
{
	struct uvf_e1000e_opts o = { .queues = 1, .rss = true };
	struct uvf_e1000e_buf *b[1];
	struct uvf_e1000e_rss rss = { .fields = UVF_E1000E_RSS_IPV4 };
	struct uvf_e1000e *one;

	ck_assert_int_eq(uvf_e1000e_rx_burst_queue(f.nic[1], 2, b, 1),
			 -EINVAL);
	ck_assert_int_eq(uvf_e1000e_tx_burst_queue(f.nic[1], 2, b, 1),
			 -EINVAL);
	uvf_e1000e_close(f.nic[1]);
	f.nic[1] = NULL;
	ck_assert_int_eq(uvf_e1000e_open(f.dev[1], &o, &one), -EINVAL);
	o.queues = 3;
	o.rss = false;
	ck_assert_int_eq(uvf_e1000e_open(f.dev[1], &o, &one), -EINVAL);
	o.queues = 0;		/* the default: one */
	o.no_link_wait = true;
	ck_assert_int_eq(uvf_e1000e_open(f.dev[1], &o, &one), 0);
	f.nic[1] = one;
	ck_assert_uint_eq(uvf_e1000e_queues(one), 1);
	ck_assert_int_eq(uvf_e1000e_rx_burst_queue(one, 1, b, 1), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_set_rss(one, &rss), -EINVAL);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_MRQC), 0);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1],
					   E1K_RDLEN + E1K_QUEUE_STRIDE), 0);
}
END_TEST

START_TEST(test_two_queues_without_rss_receive_everything_on_queue_0)
{
	struct uvf_e1000e_opts o = two;
	struct uvf_e1000e_buf *got[8];
	unsigned int i;

	uvf_e1000e_close(f.nic[1]);
	f.nic[1] = NULL;
	o.rss = false;
	e1kfix_open(&f, 1, &o);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_MRQC), 0);
	for (i = 0; i < 8; i++)
		e1kfix_send(f.nic[0], f.mac[1], i, 1, 100);
	ck_assert_uint_eq(e1kfix_take(f.nic[1], 1, got, 8), 0);
	ck_assert_uint_eq(e1kfix_recv(f.nic[1], 0, 8, 100), 8);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("e1000e_rss");
	TCase *tc = tcase_create("rss");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
		       test_toeplitz_matches_the_microsoft_verification_vectors);
	tcase_add_test(tc, test_open_with_rss_programs_key_table_and_mrqc);
	tcase_add_test(tc,
		       test_rss_steers_each_frame_to_the_queue_its_hash_names);
	tcase_add_test(tc, test_a_new_table_and_key_move_the_flows);
	tcase_add_test(tc,
		       test_bad_rss_configurations_are_refused_and_change_nothing);
	tcase_add_test(tc, test_queue_numbers_and_queue_options_are_checked);
	tcase_add_test(tc,
		       test_two_queues_without_rss_receive_everything_on_queue_0);
	suite_add_tcase(s, tc);
	return s;
}
