/* SPDX-License-Identifier: MIT */
/* Checksum offload both ways, the multicast and promiscuous filters, and
 * jumbo frames over buffer chains, against the fake 82574L and reference
 * checksums. */
#include <check.h>
#include <string.h>

#include "check_main.h"
#include "e1000e_regs.h"
#include "e1kfix.h"
#include "netcalc.h"

static struct e1kfix f;
static const struct uvf_e1000e_opts base = { .rx_ring_size = 32,
					     .tx_ring_size = 32,
					     .rx_csum = true,
					     .max_frame = UVF_E1000E_MAX_JUMBO };
static uint8_t fr[UVF_E1000E_MAX_JUMBO], out[FAKE_E1000E_MAX_FRAME];

static void setup(void)
{
	e1kfix_setup(&f, 2, NULL);
	e1kfix_open(&f, 0, &base);
	e1kfix_open(&f, 1, &base);
}

static void teardown(void)
{
	e1kfix_teardown(&f);
}

static void flow(struct netcalc_flow *fl, uint8_t proto)
{
	memset(fl, 0, sizeof(*fl));
	memcpy(fl->dst, f.mac[1], 6);
	memcpy(fl->src, f.mac[0], 6);
	fl->sip = 0x0a000001;
	fl->dip = 0x0a000002;
	fl->sport = 4000;
	fl->dport = 5000;
	fl->proto = proto;
}

/* Inject @len bytes of fr into port 1's NIC and take the one frame; its
 * ol_flags. */
static uint16_t inject_flags(size_t len)
{
	struct uvf_e1000e_buf *b;
	uint16_t fl;

	fake_e1000e_inject(f.dev[1], fr, len);
	ck_assert_uint_eq(e1kfix_take(f.nic[1], 0, &b, 1), 1);
	fl = b->ol_flags;
	uvf_e1000e_pool_free(&b, 1);
	return fl;
}

START_TEST(test_rx_checksums_are_reported_good_and_bad)
{
	struct netcalc_flow fl;

	flow(&fl, NETCALC_PROTO_TCP);
	netcalc_build(fr, 200, &fl, 1);
	ck_assert_uint_eq(inject_flags(200), UVF_E1000E_RX_IP_CSUM_GOOD |
						     UVF_E1000E_RX_L4_CSUM_GOOD);
	flow(&fl, NETCALC_PROTO_UDP);
	netcalc_build(fr, 300, &fl, 2);
	ck_assert_uint_eq(inject_flags(300), UVF_E1000E_RX_IP_CSUM_GOOD |
						     UVF_E1000E_RX_L4_CSUM_GOOD);
	fr[netcalc_ip_csum_off()] ^= 0x5a;
	ck_assert_uint_eq(inject_flags(300), UVF_E1000E_RX_IP_CSUM_BAD |
						     UVF_E1000E_RX_L4_CSUM_GOOD);
	fr[netcalc_ip_csum_off()] ^= 0x5a;
	fr[299] ^= 1;				/* the payload */
	ck_assert_uint_eq(inject_flags(300), UVF_E1000E_RX_IP_CSUM_GOOD |
						     UVF_E1000E_RX_L4_CSUM_BAD);
	/* Not IP: nothing checked. */
	e1kfix_frame(fr, 100, f.mac[1], 3);
	ck_assert_uint_eq(inject_flags(100), 0);
}
END_TEST

START_TEST(test_without_rx_csum_nothing_is_checked)
{
	struct uvf_e1000e_opts o = base;
	struct netcalc_flow fl;

	uvf_e1000e_close(f.nic[1]);
	f.nic[1] = NULL;
	o.rx_csum = false;
	e1kfix_open(&f, 1, &o);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_RXCSUM),
			  E1K_RXCSUM_PCSD);
	flow(&fl, NETCALC_PROTO_TCP);
	netcalc_build(fr, 200, &fl, 1);
	fr[netcalc_ip_csum_off()] ^= 0x5a;
	ck_assert_uint_eq(inject_flags(200), 0);
}
END_TEST

/* Send fr with both checksum fields spoiled and the offload flags; what
 * arrives at port 1 must check out and equal the original otherwise. */
static void tx_csum_round(uint8_t proto, size_t len, uint32_t seq)
{
	struct uvf_e1000e_buf *b;
	struct netcalc_flow fl;
	uint8_t want[2048];
	size_t got;

	flow(&fl, proto);
	netcalc_build(fr, len, &fl, seq);
	memcpy(want, fr, len);
	fr[netcalc_ip_csum_off()] = 0xde;
	fr[netcalc_l4_csum_off(proto)] = 0xad;
	e1kfix_send_frame(f.nic[0], 0, fr, len,
			  UVF_E1000E_TX_IP_CSUM | UVF_E1000E_TX_L4_CSUM);
	ck_assert_uint_eq(e1kfix_take(f.nic[1], 0, &b, 1), 1);
	got = e1kfix_gather(b, out, sizeof(out));
	ck_assert_uint_eq(got, len);
	ck_assert(netcalc_ip_ok(out));
	ck_assert(netcalc_l4_ok(out));
	ck_assert_mem_eq(out, want, len);
	ck_assert_uint_eq(b->ol_flags, UVF_E1000E_RX_IP_CSUM_GOOD |
					       UVF_E1000E_RX_L4_CSUM_GOOD);
	uvf_e1000e_pool_free(&b, 1);
}

START_TEST(test_tx_offload_fills_ip_and_l4_checksums)
{
	uint32_t tdt;

	tx_csum_round(NETCALC_PROTO_TCP, 200, 1);
	/* A context descriptor, then one per frame while it holds. */
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_TDT), 2);
	tx_csum_round(NETCALC_PROTO_TCP, 777, 2);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_TDT), 3);
	tx_csum_round(NETCALC_PROTO_UDP, 1514, 3);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_TDT), 5);
	tx_csum_round(NETCALC_PROTO_UDP, 61, 4);
	tdt = fake_e1000e_peek(f.dev[0], E1K_TDT);
	ck_assert_uint_eq(tdt, 6);
	/* No flags: a legacy descriptor, the frame as given. */
	e1kfix_send(f.nic[0], f.mac[1], 9, 1, 100);
	ck_assert_uint_eq(e1kfix_recv(f.nic[1], 9, 1, 100), 1);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_TDT), tdt + 1);
}
END_TEST

START_TEST(test_tx_offload_of_a_jumbo_frame_chain)
{
	tx_csum_round(NETCALC_PROTO_UDP, 2047, 5);
}
END_TEST

START_TEST(test_tx_offload_refuses_frames_it_cannot_parse)
{
	struct uvf_e1000e_buf *b;
	struct netcalc_flow fl;
	uint32_t tdt = fake_e1000e_peek(f.dev[0], E1K_TDT);

	e1kfix_frame(fr, 100, f.mac[1], 1);	/* not IPv4 */
	b = e1kfix_chain(f.nic[0], fr, 100);
	b->ol_flags = UVF_E1000E_TX_IP_CSUM;
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], &b, 1), -EINVAL);
	flow(&fl, NETCALC_PROTO_TCP);
	netcalc_build(b->data, 100, &fl, 1);
	((uint8_t *)b->data)[23] = 1;		/* ICMP: no L4 checksum */
	b->ol_flags = UVF_E1000E_TX_L4_CSUM;
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], &b, 1), -EINVAL);
	((uint8_t *)b->data)[14] = 0x44;	/* IHL 4 */
	b->ol_flags = UVF_E1000E_TX_IP_CSUM;
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], &b, 1), -EINVAL);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[0], E1K_TDT), tdt);
	uvf_e1000e_pool_free(&b, 1);
}
END_TEST

/* Whether a frame to @dst from port 0 reaches port 1. */
static bool passes(const uint8_t dst[6])
{
	struct uvf_e1000e_buf *b;
	unsigned int n;

	e1kfix_frame(fr, 80, dst, 7);
	e1kfix_send_frame(f.nic[0], 0, fr, 80, 0);
	n = e1kfix_take(f.nic[1], 0, &b, 1);
	if (n)
		uvf_e1000e_pool_free(&b, 1);
	return n;
}

START_TEST(test_multicast_passes_only_for_subscribed_addresses)
{
	static const uint8_t sub[2][6] = {
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x33, 0x33, 0x00, 0x00, 0x00, 0xfb },
	};
	static const uint8_t other[6] = { 0x01, 0x00, 0x5e, 0x00, 0x10, 0x02 };
	struct fake_e1000e_stats st;

	ck_assert(!passes(sub[0]));
	ck_assert_int_eq(uvf_e1000e_set_mc_list(f.nic[1], sub, 2), 0);
	/* Bits 47:36 of 01:00:5e:00:00:01 are 0x010: MTA 0, bit 16. */
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_MTA), 1u << 16);
	ck_assert(passes(sub[0]));
	ck_assert(passes(sub[1]));
	ck_assert(!passes(other));
	fake_e1000e_get_stats(f.dev[1], &st);
	ck_assert_uint_eq(st.rx_filtered, 2);
	ck_assert_int_eq(uvf_e1000e_set_allmulti(f.nic[1], true), 0);
	ck_assert(passes(other));
	ck_assert_int_eq(uvf_e1000e_set_allmulti(f.nic[1], false), 0);
	ck_assert(!passes(other));
	ck_assert_int_eq(uvf_e1000e_set_mc_list(f.nic[1], NULL, 0), 0);
	ck_assert(!passes(sub[0]));
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_MTA), 0);
}
END_TEST

START_TEST(test_a_bad_multicast_list_is_refused_and_the_table_kept)
{
	uint8_t list[2][6] = {
		{ 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 },
		{ 0x02, 0x00, 0x5e, 0x00, 0x00, 0x02 },	/* unicast */
	};
	uint32_t mta;

	ck_assert_int_eq(uvf_e1000e_set_mc_list(f.nic[1],
						(const uint8_t(*)[6])list, 1),
			 0);
	mta = fake_e1000e_peek(f.dev[1], E1K_MTA);
	ck_assert_int_eq(uvf_e1000e_set_mc_list(f.nic[1],
						(const uint8_t(*)[6])list, 2),
			 -EINVAL);
	ck_assert_int_eq(uvf_e1000e_set_mc_list(f.nic[1], NULL, 1), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_set_mc_list(f.nic[1],
						(const uint8_t(*)[6])list,
						UVF_E1000E_MAX_MC + 1),
			 -EINVAL);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_MTA), mta);
	ck_assert(passes(list[0]));
}
END_TEST

START_TEST(test_promiscuous_mode_receives_foreign_unicast)
{
	static const uint8_t foreign[6] = { 0x02, 0x11, 0x22, 0x33, 0x44,
					    0x55 };
	static const uint8_t mc[6] = { 0x01, 0x00, 0x5e, 0x7f, 0x00, 0x09 };

	ck_assert(!passes(foreign));
	ck_assert(!passes(mc));
	ck_assert_int_eq(uvf_e1000e_set_promisc(f.nic[1], true), 0);
	ck_assert(fake_e1000e_peek(f.dev[1], E1K_RCTL) & E1K_RCTL_UPE);
	ck_assert(passes(foreign));
	ck_assert(passes(mc));
	ck_assert(passes(f.mac[1]));
	ck_assert_int_eq(uvf_e1000e_set_promisc(f.nic[1], false), 0);
	ck_assert(!passes(foreign));
	ck_assert(!passes(mc));
	ck_assert(passes(f.mac[1]));
	ck_assert_int_eq(uvf_e1000e_set_promisc(NULL, true), -EINVAL);
}
END_TEST

/* A @len-byte frame from port 0 as a chain arrives at port 1 as one. */
static void jumbo_round(size_t len, uint32_t seq)
{
	struct uvf_e1000e_buf *b, *s;
	unsigned int segs = 0;

	e1kfix_frame(fr, len, f.mac[1], seq);
	e1kfix_send_frame(f.nic[0], 0, fr, len, 0);
	ck_assert_uint_eq(e1kfix_take(f.nic[1], 0, &b, 1), 1);
	ck_assert_uint_eq(b->pkt_len, len);
	for (s = b; s; s = s->next, segs++)
		ck_assert_uint_eq(s->len, s->next ? UVF_E1000E_BUF_SIZE :
				  len - segs * UVF_E1000E_BUF_SIZE);
	ck_assert_uint_eq(segs, (len + UVF_E1000E_BUF_SIZE - 1) /
					UVF_E1000E_BUF_SIZE);
	ck_assert_uint_eq(e1kfix_gather(b, out, sizeof(out)), len);
	ck_assert(e1kfix_frame_ok(out, len, seq));
	uvf_e1000e_pool_free(&b, 1);
}

START_TEST(test_jumbo_frames_cross_as_buffer_chains)
{
	unsigned int a0 = uvf_e1000e_pool_avail(uvf_e1000e_pool(f.nic[0])),
		     a1 = uvf_e1000e_pool_avail(uvf_e1000e_pool(f.nic[1]));

	ck_assert(fake_e1000e_peek(f.dev[1], E1K_RCTL) & E1K_RCTL_LPE);
	jumbo_round(1515, 1);
	jumbo_round(2048, 2);
	jumbo_round(2049, 3);
	jumbo_round(4096, 4);
	jumbo_round(UVF_E1000E_MAX_JUMBO, 5);
	ck_assert_int_eq(uvf_e1000e_tx_flush(f.nic[0], 100), 0);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(uvf_e1000e_pool(f.nic[0])),
			  a0);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(uvf_e1000e_pool(f.nic[1])),
			  a1);
}
END_TEST

START_TEST(test_frames_over_max_frame_are_dropped_and_the_next_one_kept)
{
	struct uvf_e1000e_stats st;

	ck_assert_int_eq(uvf_e1000e_set_max_frame(f.nic[1], 4000), 0);
	e1kfix_frame(fr, 6000, f.mac[1], 1);	/* the NIC takes it (LPE) */
	e1kfix_send_frame(f.nic[0], 0, fr, 6000, 0);
	jumbo_round(3000, 2);
	ck_assert_int_eq(uvf_e1000e_get_stats(f.nic[1], &st), 0);
	ck_assert_uint_eq(st.rx_dropped, 1);
	ck_assert_uint_eq(st.sw_rx_packets, 1);
}
END_TEST

START_TEST(test_a_frame_cut_over_too_many_descriptors_is_dropped_whole)
{
	struct uvf_e1000e_stats st;
	uint32_t rctl = fake_e1000e_peek(f.dev[1], E1K_RCTL);

	/* 256-byte buffers in the NIC's eyes: 3000 bytes span 12
	 * descriptors, more than the driver scans for one frame. */
	fake_e1000e_poke(f.dev[1], E1K_RCTL, rctl | 3u << 16);
	e1kfix_frame(fr, 3000, f.mac[1], 1);
	e1kfix_send_frame(f.nic[0], 0, fr, 3000, 0);
	e1kfix_send(f.nic[0], f.mac[1], 2, 1, 200);	/* 1 descriptor */
	/* The cut frame's 12 descriptors go, the next frame is whole. */
	ck_assert_uint_eq(e1kfix_recv(f.nic[1], 2, 4, 200), 1);
	ck_assert_int_eq(uvf_e1000e_get_stats(f.nic[1], &st), 0);
	ck_assert_uint_eq(st.rx_dropped, 1);
	fake_e1000e_poke(f.dev[1], E1K_RCTL, rctl);
	jumbo_round(3000, 3);
}
END_TEST

START_TEST(test_bad_max_frame_is_refused_and_changes_nothing)
{
	struct uvf_e1000e_opts o = base;
	struct uvf_e1000e *nic;
	uint32_t rctl = fake_e1000e_peek(f.dev[1], E1K_RCTL);

	ck_assert_int_eq(uvf_e1000e_set_max_frame(f.nic[1],
						  UVF_E1000E_MAX_JUMBO + 1),
			 -EINVAL);
	ck_assert_int_eq(uvf_e1000e_set_max_frame(f.nic[1],
						  UVF_E1000E_MAX_FRAME - 1),
			 -EINVAL);
	ck_assert_uint_eq(uvf_e1000e_max_frame(f.nic[1]),
			  UVF_E1000E_MAX_JUMBO);
	ck_assert_uint_eq(fake_e1000e_peek(f.dev[1], E1K_RCTL), rctl);
	ck_assert_int_eq(uvf_e1000e_set_max_frame(f.nic[1],
						  UVF_E1000E_MAX_FRAME), 0);
	ck_assert(!(fake_e1000e_peek(f.dev[1], E1K_RCTL) & E1K_RCTL_LPE));
	/* Now a jumbo frame is too long to send, and to receive. */
	e1kfix_frame(fr, 3000, f.mac[1], 1);
	ck_assert_int_eq(uvf_e1000e_set_max_frame(f.nic[0],
						  UVF_E1000E_MAX_FRAME), 0);
	{
		struct uvf_e1000e_buf *b = e1kfix_chain(f.nic[0], fr, 3000);

		ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], &b, 1),
				 -EINVAL);
		uvf_e1000e_pool_free(&b, 1);
	}
	uvf_e1000e_close(f.nic[1]);
	f.nic[1] = NULL;
	o.max_frame = UVF_E1000E_MAX_JUMBO + 1;
	ck_assert_int_eq(uvf_e1000e_open(f.dev[1], &o, &nic), -EINVAL);
}
END_TEST

START_TEST(test_bad_chains_are_refused)
{
	struct uvf_e1000e_buf *b;

	/* More buffers than a frame may span. */
	e1kfix_frame(fr, UVF_E1000E_MAX_JUMBO, f.mac[1], 1);
	b = e1kfix_chain(f.nic[0], fr, UVF_E1000E_MAX_JUMBO);
	b->next->len = 100;	/* the chain is now shorter, 6 buffers */
	ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], &b, 1), 1);
	ck_assert_int_eq(uvf_e1000e_tx_flush(f.nic[0], 100), 0);
	{
		struct uvf_e1000e_buf *c[UVF_E1000E_MAX_SEGS + 1];
		unsigned int i;

		ck_assert_int_eq(uvf_e1000e_pool_alloc(
					 uvf_e1000e_pool(f.nic[0]), c,
					 UVF_E1000E_MAX_SEGS + 1), 0);
		for (i = 0; i <= UVF_E1000E_MAX_SEGS; i++) {
			c[i]->len = 60;
			c[i]->next = i < UVF_E1000E_MAX_SEGS ? c[i + 1] : NULL;
		}
		ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], c, 1), -EINVAL);
		c[1]->len = 0;
		c[1]->next = NULL;
		ck_assert_int_eq(uvf_e1000e_tx_burst(f.nic[0], c, 1), -EINVAL);
		uvf_e1000e_pool_free(c, 1);
		uvf_e1000e_pool_free(c + 2, UVF_E1000E_MAX_SEGS - 1);
	}
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("e1000e_offload");
	TCase *tc = tcase_create("offload");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_rx_checksums_are_reported_good_and_bad);
	tcase_add_test(tc, test_without_rx_csum_nothing_is_checked);
	tcase_add_test(tc, test_tx_offload_fills_ip_and_l4_checksums);
	tcase_add_test(tc, test_tx_offload_of_a_jumbo_frame_chain);
	tcase_add_test(tc, test_tx_offload_refuses_frames_it_cannot_parse);
	tcase_add_test(tc, test_multicast_passes_only_for_subscribed_addresses);
	tcase_add_test(tc,
		       test_a_bad_multicast_list_is_refused_and_the_table_kept);
	tcase_add_test(tc, test_promiscuous_mode_receives_foreign_unicast);
	tcase_add_test(tc, test_jumbo_frames_cross_as_buffer_chains);
	tcase_add_test(tc,
		       test_frames_over_max_frame_are_dropped_and_the_next_one_kept);
	tcase_add_test(tc,
		       test_a_frame_cut_over_too_many_descriptors_is_dropped_whole);
	tcase_add_test(tc, test_bad_max_frame_is_refused_and_changes_nothing);
	tcase_add_test(tc, test_bad_chains_are_refused);
	suite_add_tcase(s, tc);
	return s;
}
