/* SPDX-License-Identifier: MIT */
/*
 * guest_net_offload - runs in the tools/vm guest. The e1000e driver's
 * multi-queue and offload features on QEMU's two 82574L NICs, 00:05.0 (A)
 * and 00:06.0 (B), joined by one hub, both in one domain, one pool:
 *
 *  --test rss     A sends TCP and UDP flows on both transmit queues; B,
 *                 with two queues and RSS, must get each frame on the
 *                 queue the redirection table names for the Toeplitz hash
 *                 computed here in software, with that hash; then with
 *                 another table and key; queue 1's MSI-X vector wakes a
 *                 waiter;
 *  --test csum    A sends frames with spoiled checksums and asks the NIC
 *                 to fill them: they arrive correct by software checks,
 *                 and B's checks (rx_csum) say good; frames sent with bad
 *                 checksums are flagged bad;
 *  --test filter  frames to an unsubscribed multicast group and to a
 *                 foreign unicast address are dropped; subscribed,
 *                 all-multicast and promiscuous let them in;
 *  --test jumbo   frames of 1515..9018 bytes cross as buffer chains,
 *                 intact, with checksum offload; with B back at 1514 a
 *                 long frame is dropped.
 * A frame expected to be dropped is followed by a marker frame: what B
 * receives up to the marker is what passed.
 *
 * usage: guest_net_offload --type1|--iommufd|--noiommu --test NAME
 * Prints TAP; exits 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/e1000e.h>
#include <uvf/vfio.h>

#include "guest_tap.h"
#include "netcalc.h"
#include "netport.h"

#define BDF_A "0000:00:05.0"
#define BDF_B "0000:00:06.0"
#define RING 256u
#define POOL_BUFS 4096u
#define RSS_FRAMES 256u
#define WAIT_MS 5000u
#define MARKER_SEQ 0xfeedu

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0x75, 0x76, 0x00 };
static const uint8_t mac_b[6] = { 0x52, 0x54, 0x00, 0x75, 0x76, 0x01 };

struct rig {
	struct netport np;
	struct uvf_e1000e_pool *pool;
	struct uvf_e1000e *a, *b;
};

static uint8_t frame[UVF_E1000E_MAX_JUMBO], got[UVF_E1000E_MAX_JUMBO];

static int open_ports(struct rig *r, const struct uvf_e1000e_opts *oa,
		      const struct uvf_e1000e_opts *ob)
{
	struct uvf_e1000e_opts a = *oa, b = *ob;
	int ret;

	a.pool = b.pool = r->pool;
	a.rx_ring_size = a.tx_ring_size = RING;
	b.rx_ring_size = b.tx_ring_size = RING;
	ret = uvf_e1000e_open(r->np.dev[0], &a, &r->a);
	if (ret)
		return ret;
	ret = uvf_e1000e_open(r->np.dev[1], &b, &r->b);
	if (ret) {
		uvf_e1000e_close(r->a);
		r->a = NULL;
	}
	return ret;
}

static void flow(struct netcalc_flow *fl, uint8_t proto, unsigned int i)
{
	memset(fl, 0, sizeof(*fl));
	memcpy(fl->dst, mac_b, 6);
	memcpy(fl->src, mac_a, 6);
	fl->proto = proto;
	fl->sip = 0x0a000001u + (i % 7);
	fl->dip = 0xc0a80001u + i * 13;
	fl->sport = (uint16_t)(1024 + 37 * i);
	fl->dport = (uint16_t)(80 + i);
}

/* @len bytes of frame as a chain from the pool, sent by A on queue @q. */
static int send_frame(struct rig *r, unsigned int q, size_t len,
		      uint16_t ol_flags)
{
	struct uvf_e1000e_buf *b[UVF_E1000E_MAX_SEGS];
	unsigned int n = (unsigned int)((len + UVF_E1000E_BUF_SIZE - 1) /
					UVF_E1000E_BUF_SIZE), i;
	size_t off = 0, chunk;
	int ret = uvf_e1000e_pool_alloc(r->pool, b, n);

	if (ret)
		return ret;
	for (i = 0; i < n; i++) {
		chunk = len - off < UVF_E1000E_BUF_SIZE ? len - off :
							 UVF_E1000E_BUF_SIZE;
		memcpy(b[i]->data, frame + off, chunk);
		b[i]->len = (uint16_t)chunk;
		b[i]->next = i + 1 < n ? b[i + 1] : NULL;
		off += chunk;
	}
	b[0]->ol_flags = ol_flags;
	for (i = 0; i < 1000; i++) {
		ret = uvf_e1000e_tx_burst_queue(r->a, q, b, 1);
		if (ret)
			break;
		usleep(1000);		/* ring full: let QEMU catch up */
	}
	if (ret != 1)
		uvf_e1000e_pool_free(b, 1);
	return ret == 1 ? 0 : ret ? ret : -EBUSY;
}

/* The next frame on B's queue @q within WAIT_MS (NULL on timeout). */
static struct uvf_e1000e_buf *recv_one(struct rig *r, unsigned int q)
{
	struct uvf_e1000e_buf *b;
	unsigned int waited;

	for (waited = 0; waited < WAIT_MS; waited++) {
		if (uvf_e1000e_rx_burst_queue(r->b, q, &b, 1) == 1)
			return b;
		usleep(1000);
	}
	return NULL;
}

static size_t gather(const struct uvf_e1000e_buf *b, uint8_t *out)
{
	size_t len = 0;

	for (; b && len + b->len <= sizeof(got); b = b->next) {
		memcpy(out + len, b->data, b->len);
		len += b->len;
	}
	return len;
}

/* Send the marker and count what B receives before it: 0 means the
 * frame sent just before was dropped. -1 if the marker never came. */
static int before_marker(struct rig *r)
{
	struct netcalc_flow fl;
	struct uvf_e1000e_buf *b;
	int n = 0;

	flow(&fl, NETCALC_PROTO_UDP, 0);
	netcalc_build(frame, 100, &fl, MARKER_SEQ);
	if (send_frame(r, 0, 100, 0))
		return -1;
	while ((b = recv_one(r, 0))) {
		bool marker = b->pkt_len == 100 &&
			      netcalc_payload_ok(b->data, 100, MARKER_SEQ);

		uvf_e1000e_pool_free(&b, 1);
		if (marker)
			return n;
		n++;
	}
	return -1;
}

struct rss_tally {
	unsigned int per_q[2], wrong_q, wrong_hash, corrupt;
};

/* Check one frame B got on queue @q against @rss. */
static void rss_check(const struct uvf_e1000e_rss *rss, unsigned int q,
		      const struct uvf_e1000e_buf *b, struct rss_tally *t)
{
	bool tcp = b->pkt_len >= 24 &&
		   ((const uint8_t *)b->data)[23] == NETCALC_PROTO_TCP &&
		   (rss->fields & UVF_E1000E_RSS_TCPIPV4);
	/* UDP hashes over the addresses only (the 82574 has no UDP
	 * hash). */
	uint32_t want = netcalc_rss_ipv4(rss->key, b->data, tcp);

	if (!(b->ol_flags & UVF_E1000E_RX_RSS_HASH) || b->rss_hash != want)
		t->wrong_hash++;
	if (rss->reta[want & 127] != q)
		t->wrong_q++;
	if (b->pkt_len != 128 || !netcalc_l4_ok(b->data))
		t->corrupt++;
	t->per_q[q]++;
}

/* Send RSS_FRAMES flows from A, alternating its two transmit queues, in
 * batches fewer than a receive ring holds, and check every arrival on B
 * against @rss. Returns how many landed on queue 1. */
static unsigned int rss_round(struct rig *r, const struct uvf_e1000e_rss *rss,
		      const char *what)
{
	struct rss_tally t = { { 0, 0 }, 0, 0, 0 };
	unsigned int i, q, sent = 0, waited;
	struct netcalc_flow fl;
	struct uvf_e1000e_buf *b;

	for (i = 0; i < RSS_FRAMES; i++) {
		flow(&fl, i & 1 ? NETCALC_PROTO_UDP : NETCALC_PROTO_TCP, i);
		netcalc_build(frame, 128, &fl, i);
		sent += !send_frame(r, i % 2, 128, 0);
		if (i % 64 != 63)
			continue;
		for (waited = 0; t.per_q[0] + t.per_q[1] < sent &&
				 waited < WAIT_MS; waited++) {
			for (q = 0; q < 2; q++)
				while (uvf_e1000e_rx_burst_queue(r->b, q, &b,
								 1) == 1) {
					rss_check(rss, q, b, &t);
					uvf_e1000e_pool_free(&b, 1);
				}
			usleep(1000);
		}
	}
	diag("%s: %u sent, queue 0 got %u, queue 1 got %u", what, sent,
	     t.per_q[0], t.per_q[1]);
	tap(sent == RSS_FRAMES && t.per_q[0] + t.per_q[1] == RSS_FRAMES,
	    "%s: every frame arrived once (%u + %u of %u)", what, t.per_q[0],
	    t.per_q[1], sent);
	tap(!t.wrong_hash, "%s: the NIC's hash is the software Toeplitz "
	    "hash (%u differ)", what, t.wrong_hash);
	tap(!t.wrong_q, "%s: each frame on the queue RETA names (%u not)",
	    what, t.wrong_q);
	tap(!t.corrupt, "%s: frames intact (%u not)", what, t.corrupt);
	return t.per_q[1];
}

static void test_rss(struct rig *r)
{
	struct uvf_e1000e_opts oa = { .queues = 2 },
			       ob = { .queues = 2, .rss = true,
				      .irq = UVF_E1000E_IRQ_MSIX };
	struct netcalc_flow fl;
	struct uvf_e1000e_buf *b;
	struct uvf_e1000e_rss rss;
	struct uvf_e1000e_stats st;
	unsigned int i, on1;
	int got1, ret = open_ports(r, &oa, &ob);

	if (!tap(!ret, "A with two transmit queues, B with two receive "
		 "queues and RSS: %d", ret))
		return;
	uvf_e1000e_get_rss(r->b, &rss);
	on1 = rss_round(r, &rss, "default key, alternating table");
	tap(on1 > 0 && on1 < RSS_FRAMES, "both queues got frames (%u on 1)",
	    on1);
	tap(rss.reta[0] == 0 && rss.reta[1] == 1,
	    "the default table alternates queues");
	ret = uvf_e1000e_get_stats(r->a, &st);
	tap(!ret && st.sw_tx_packets >= RSS_FRAMES,
	    "A sent on both queues: %llu frames",
	    (unsigned long long)st.sw_tx_packets);
	for (i = 0; i < 40; i++)
		rss.key[i] = (uint8_t)(i * 29 + 3);
	for (i = 0; i < 128; i++)
		rss.reta[i] = (uint8_t)(i < 64);
	rss.fields = UVF_E1000E_RSS_IPV4;
	ret = uvf_e1000e_set_rss(r->b, &rss);
	tap(!ret, "another key, halves table, addresses only: %d", ret);
	rss_round(r, &rss, "new key and table");
	memset(rss.reta, 1, sizeof(rss.reta));
	rss.fields |= UVF_E1000E_RSS_TCPIPV4;
	ret = uvf_e1000e_set_rss(r->b, &rss);
	tap(!ret, "every entry queue 1: %d", ret);
	on1 = rss_round(r, &rss, "all to queue 1");
	tap(on1 == RSS_FRAMES, "all on queue 1 (%u)", on1);
	flow(&fl, NETCALC_PROTO_TCP, 1);
	netcalc_build(frame, 128, &fl, 1);
	ret = send_frame(r, 0, 128, 0);
	if (!ret)
		ret = uvf_e1000e_rx_wait_queue(r->b, 1, WAIT_MS);
	got1 = ret ? 0 : uvf_e1000e_rx_burst_queue(r->b, 1, &b, 1);
	tap(got1 == 1, "queue 1's MSI-X vector wakes rx_wait_queue (%d)",
	    ret);
	if (got1 == 1)
		uvf_e1000e_pool_free(&b, 1);
	rss.reta[5] = 2;
	tap(uvf_e1000e_set_rss(r->b, &rss) == -EINVAL,
	    "a table naming queue 2 is refused");
}

/* A @proto frame of @len bytes sent with spoiled checksums and offload;
 * what B gets must check out in software and be flagged good. */
static bool csum_round(struct rig *r, uint8_t proto, size_t len,
		       uint32_t seq)
{
	struct netcalc_flow fl;
	struct uvf_e1000e_buf *b;
	size_t n;
	bool ok;

	flow(&fl, proto, seq);
	netcalc_build(frame, len, &fl, seq);
	frame[netcalc_ip_csum_off()] ^= 0xff;
	frame[netcalc_l4_csum_off(proto)] ^= 0xff;
	if (send_frame(r, 0, len, UVF_E1000E_TX_IP_CSUM |
					  UVF_E1000E_TX_L4_CSUM))
		return false;
	b = recv_one(r, 0);
	if (!b)
		return false;
	n = gather(b, got);
	ok = n == len && netcalc_ip_ok(got) && netcalc_l4_ok(got) &&
	     netcalc_payload_ok(got, n, seq) &&
	     b->ol_flags == (UVF_E1000E_RX_IP_CSUM_GOOD |
			     UVF_E1000E_RX_L4_CSUM_GOOD);
	if (!ok)
		diag("%s %zu bytes: got %zu, ip %d l4 %d flags %#x",
		     proto == NETCALC_PROTO_TCP ? "TCP" : "UDP", len, n,
		     netcalc_ip_ok(got), netcalc_l4_ok(got), b->ol_flags);
	uvf_e1000e_pool_free(&b, 1);
	return ok;
}

/* A frame sent as built but with @spoil'd checksum field: B's flags. */
static int flags_of_bad(struct rig *r, size_t off)
{
	struct netcalc_flow fl;
	struct uvf_e1000e_buf *b;
	int fl_out;

	flow(&fl, NETCALC_PROTO_TCP, 1);
	netcalc_build(frame, 300, &fl, 1);
	frame[off] ^= 0x55;
	if (send_frame(r, 0, 300, 0))
		return -1;
	b = recv_one(r, 0);
	if (!b)
		return -1;
	fl_out = b->ol_flags;
	uvf_e1000e_pool_free(&b, 1);
	return fl_out;
}

static void test_csum(struct rig *r)
{
	struct uvf_e1000e_opts oa = { 0 }, ob = { .rx_csum = true };
	unsigned int i, bad = 0, n = 0;
	size_t len;
	int ret = open_ports(r, &oa, &ob);

	if (!tap(!ret, "A, and B checking checksums: %d", ret))
		return;
	for (len = 60; len <= 1514; len += 97, n += 2) {
		bad += !csum_round(r, NETCALC_PROTO_TCP, len, (uint32_t)n);
		bad += !csum_round(r, NETCALC_PROTO_UDP, len, (uint32_t)n + 1);
	}
	bad += !csum_round(r, NETCALC_PROTO_TCP, 1514, 7);
	tap(!bad, "TX offload: %u TCP/UDP frames of 60..1514 bytes arrive "
	    "with correct IPv4 and L4 checksums, flagged good by RX (%u not)",
	    n + 1, bad);
	i = (unsigned int)flags_of_bad(r, netcalc_ip_csum_off());
	tap(i == (UVF_E1000E_RX_IP_CSUM_BAD | UVF_E1000E_RX_L4_CSUM_GOOD),
	    "RX: a bad IPv4 header checksum is flagged bad (%#x)", i);
	i = (unsigned int)flags_of_bad(r, 14 + 20 + 24);
	tap(i == (UVF_E1000E_RX_IP_CSUM_GOOD | UVF_E1000E_RX_L4_CSUM_BAD),
	    "RX: a corrupt TCP payload is flagged bad (%#x)", i);
	memset(frame, 0xab, 100);
	memcpy(frame, mac_b, 6);
	ret = send_frame(r, 0, 100, UVF_E1000E_TX_L4_CSUM);
	tap(ret == -EINVAL, "TX offload of a non-IPv4 frame: -EINVAL (%d)",
	    ret);
}

/* Send a frame to @dst from A; 1 if it reached B, 0 if dropped. */
static int passes(struct rig *r, const uint8_t dst[6])
{
	struct netcalc_flow fl;

	flow(&fl, NETCALC_PROTO_UDP, 3);
	memcpy(fl.dst, dst, 6);
	netcalc_build(frame, 90, &fl, 3);
	if (send_frame(r, 0, 90, 0))
		return -1;
	return before_marker(r);
}

static void test_filter(struct rig *r)
{
	static const uint8_t group[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };
	static const uint8_t other[6] = { 0x01, 0x00, 0x5e, 0x00, 0x10, 0x02 };
	static const uint8_t foreign[6] = { 0x52, 0x54, 0x00, 0x99, 0x88,
					    0x77 };
	struct uvf_e1000e_opts o = { 0 };
	int ret = open_ports(r, &o, &o);

	if (!tap(!ret, "both ports, filters at their defaults: %d", ret))
		return;
	tap(passes(r, mac_b) == 1, "unicast to B passes");
	tap(passes(r, group) == 0, "unsubscribed multicast is dropped");
	tap(passes(r, foreign) == 0, "foreign unicast is dropped");
	ret = uvf_e1000e_set_mc_list(r->b, &group, 1);
	tap(!ret, "subscribe B to 01:00:5e:00:00:01: %d", ret);
	tap(passes(r, group) == 1, "subscribed multicast passes");
	tap(passes(r, other) == 0, "another group (another hash) is dropped");
	ret = uvf_e1000e_set_allmulti(r->b, true);
	tap(!ret && passes(r, other) == 1, "all-multicast lets it in");
	uvf_e1000e_set_allmulti(r->b, false);
	ret = uvf_e1000e_set_promisc(r->b, true);
	tap(!ret && passes(r, foreign) == 1,
	    "promiscuous: foreign unicast passes");
	tap(passes(r, other) == 1, "promiscuous: any multicast passes");
	uvf_e1000e_set_promisc(r->b, false);
	tap(passes(r, foreign) == 0 && passes(r, other) == 0,
	    "promiscuous off: both dropped again");
	ret = uvf_e1000e_set_mc_list(r->b, NULL, 0);
	tap(!ret && passes(r, group) == 0, "unsubscribed again: dropped");
	tap(uvf_e1000e_set_mc_list(r->b, (const uint8_t(*)[6])mac_b, 1) ==
		    -EINVAL && passes(r, other) == 0,
	    "a unicast address in the list: -EINVAL, table unchanged");
}

static bool jumbo_round(struct rig *r, size_t len, uint32_t seq,
			uint16_t ol)
{
	struct netcalc_flow fl;
	struct uvf_e1000e_buf *b;
	size_t n;
	bool ok;

	flow(&fl, NETCALC_PROTO_UDP, seq);
	netcalc_build(frame, len, &fl, seq);
	if (ol)
		frame[netcalc_l4_csum_off(NETCALC_PROTO_UDP)] ^= 0xff;
	if (send_frame(r, 0, len, ol))
		return false;
	b = recv_one(r, 0);
	if (!b)
		return false;
	n = gather(b, got);
	ok = n == len && b->pkt_len == len && netcalc_ip_ok(got) &&
	     netcalc_l4_ok(got) && netcalc_payload_ok(got, n, seq) &&
	     (b->ol_flags & UVF_E1000E_RX_L4_CSUM_GOOD);
	if (!ok)
		diag("%zu bytes: got %zu (pkt_len %u), flags %#x", len, n,
		     b->pkt_len, b->ol_flags);
	uvf_e1000e_pool_free(&b, 1);
	return ok;
}

static void test_jumbo(struct rig *r)
{
	static const size_t sizes[] = { 1515, 2048, 2049, 4096, 6000, 8192,
					9000, UVF_E1000E_MAX_JUMBO };
	struct uvf_e1000e_opts o = { .max_frame = UVF_E1000E_MAX_JUMBO,
				     .rx_csum = true };
	unsigned int i, bad = 0;
	int ret = open_ports(r, &o, &o);

	if (!tap(!ret, "both ports with max_frame %u: %d",
		 UVF_E1000E_MAX_JUMBO, ret))
		return;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		bad += !jumbo_round(r, sizes[i], i, 0);
	tap(!bad, "frames of 1515..9018 bytes arrive intact as chains "
	    "(%u not)", bad);
	tap(jumbo_round(r, UVF_E1000E_MAX_JUMBO, 99, UVF_E1000E_TX_L4_CSUM),
	    "a 9018-byte frame with UDP checksum offload");
	for (i = 0, bad = 0; i < 64; i++)
		bad += !jumbo_round(r, 1515 + (i * 1187) % 7500, 100 + i, 0);
	tap(!bad, "64 more of mixed sizes (%u not)", bad);
	ret = uvf_e1000e_set_max_frame(r->b, UVF_E1000E_MAX_FRAME);
	tap(!ret, "B back to 1514: %d", ret);
	{
		struct netcalc_flow fl;

		flow(&fl, NETCALC_PROTO_UDP, 5);
		netcalc_build(frame, 4000, &fl, 5);
		ret = send_frame(r, 0, 4000, 0);
		tap(!ret && before_marker(r) == 0,
		    "a 4000-byte frame to B is dropped (%d)", ret);
	}
	tap(uvf_e1000e_set_max_frame(r->b, UVF_E1000E_MAX_JUMBO + 1) ==
		    -EINVAL && uvf_e1000e_max_frame(r->b) ==
				       UVF_E1000E_MAX_FRAME,
	    "max_frame 9019: -EINVAL, unchanged");
}

int main(int argc, char **argv)
{
	const char *bdfs[2] = { BDF_A, BDF_B }, *test = NULL;
	enum uvf_vfio_backend be = UVF_VFIO_AUTO;
	struct rig r;
	int i, ret;

	for (i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "--test"))
			test = argv[i + 1];
	if (guest_backend_arg(argc, argv, &be) || !test) {
		fprintf(stderr, "usage: %s --type1|--iommufd|--noiommu "
			"--test rss|csum|filter|jumbo\n", argv[0]);
		return 2;
	}
	if (access("/sys/bus/pci/drivers/vfio-pci/" BDF_A, F_OK) ||
	    access("/sys/bus/pci/drivers/vfio-pci/" BDF_B, F_OK)) {
		printf("1..0 # SKIP the e1000e NICs are not on vfio-pci\n");
		return 77;
	}
	if (be == UVF_VFIO_IOMMUFD && !uvf_vfio_iommufd_compiled()) {
		printf("1..0 # SKIP iommufd is not compiled in\n");
		return 77;
	}
	memset(&r, 0, sizeof(r));
	ret = netport_open(&r.np, be, bdfs, 2);
	if (!tap(!ret, "both NICs in one %s domain: %d",
		 uvf_vfio_backend_name(be), ret))
		return tap_finish();
	ret = uvf_e1000e_pool_create(r.np.dev[0], POOL_BUFS, &r.pool);
	if (tap(!ret, "shared pool of %u buffers: %d", POOL_BUFS, ret)) {
		if (!strcmp(test, "rss"))
			test_rss(&r);
		else if (!strcmp(test, "csum"))
			test_csum(&r);
		else if (!strcmp(test, "filter"))
			test_filter(&r);
		else if (!strcmp(test, "jumbo"))
			test_jumbo(&r);
		else
			tap(false, "unknown test %s", test);
		uvf_e1000e_close(r.a);
		uvf_e1000e_close(r.b);
		tap(uvf_e1000e_pool_avail(r.pool) == POOL_BUFS,
		    "every buffer back in the pool");
		uvf_e1000e_pool_destroy(r.pool);
	}
	netport_close(&r.np);
	return tap_finish();
}
