/* SPDX-License-Identifier: MIT */
/*
 * guest_net_pktgen_rx - runs in the tools/vm guest (static). The e1000e
 * driver on QEMU's two 82574L NICs, 00:05.0 and 00:06.0, joined by one
 * hub, both in one domain and sharing one buffer pool:
 *
 *  - open: reset, MAC addresses as QEMU was told, link up;
 *  - 00:05.0 sends numbered, checksummed frames of every size from 60 to
 *    1514 bytes from one thread while another receives them on 00:06.0:
 *    every frame must arrive once, in order, intact (the sender keeps no
 *    more frames in flight than the receive ring holds, so QEMU never
 *    has to queue or drop); by polling, then sleeping on MSI-X, then MSI;
 *  - rx_wait: times out with nothing coming, and sleeps until a frame sent
 *    50 ms later wakes it, on MSI-X and on MSI;
 *  - the other direction, broadcast, the unicast filter;
 *  - a burst larger than the transmit ring: the ring's worth is taken,
 *    the rest stays the caller's;
 *  - the NIC's clear-on-read counters add up to what was sent/received;
 *  - bad arguments rejected with nothing posted; every buffer back in
 *    the pool at the end.
 *
 * usage: guest_net_pktgen_rx --type1|--iommufd|--noiommu [--count N]
 * Prints TAP and packets per second; exits 0 pass, 1 fail, 77 skip (the
 * NICs are not on vfio-pci, or the backend is not compiled in).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/e1000e.h>
#include <uvf/vfio.h>

#include "guest_tap.h"
#include "netpkt.h"
#include "netport.h"

#define BDF_A "0000:00:05.0"
#define BDF_B "0000:00:06.0"
#define RING 256u
#define WINDOW (RING - 32u)	/* frames in flight, below the rx ring */
#define BURST 32u
#define POOL_BUFS 2048u
#define STALL_S 20.0		/* no progress this long: give up */

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0x75, 0x76, 0x00 };
static const uint8_t mac_b[6] = { 0x52, 0x54, 0x00, 0x75, 0x76, 0x01 };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

struct rig {
	struct netport np;
	struct uvf_e1000e_pool *pool;
	struct uvf_e1000e *nic[2];
};

static int ports_up(struct rig *r, enum uvf_e1000e_irq irq)
{
	struct uvf_e1000e_opts o = { .rx_ring_size = RING,
				     .tx_ring_size = RING, .pool = r->pool,
				     .irq = irq };
	int i, ret = 0;

	for (i = 0; i < 2 && !ret; i++)
		ret = uvf_e1000e_open(r->np.dev[i], &o, &r->nic[i]);
	if (ret && i == 2) {
		uvf_e1000e_close(r->nic[0]);
		r->nic[0] = NULL;
	}
	return ret;
}

static void ports_down(struct rig *r)
{
	uvf_e1000e_close(r->nic[0]);
	uvf_e1000e_close(r->nic[1]);
	r->nic[0] = r->nic[1] = NULL;
}

/* One stream: frames numbered 0..count-1 from tx to rx. */
struct stream {
	struct uvf_e1000e *tx, *rx;
	struct uvf_e1000e_pool *pool;
	const uint8_t *dst, *src;
	uint64_t count;
	unsigned int size;	/* 0: every size in turn */
	bool wait;		/* receiver sleeps in rx_wait */
	atomic_uint_fast64_t consumed;	/* frames the receiver took */
	atomic_bool tx_done;
	int tx_err, rx_err;
	uint64_t sent, wakeups;
	double t0, t1;		/* first send, last receive */
	struct netpkt_tracker trk;
};

static unsigned int frame_len(const struct stream *s, uint64_t seq)
{
	if (s->size)
		return s->size;
	return NETPKT_MIN_LEN +
	       (unsigned int)(seq * 97 % (NETPKT_MAX_LEN - NETPKT_MIN_LEN + 1));
}

static void *sender(void *arg)
{
	struct stream *s = arg;
	struct uvf_e1000e_buf *bufs[BURST];
	double last = netpkt_now();
	unsigned int k, i;
	int r;

	s->t0 = last;
	while (s->sent < s->count && !s->tx_err) {
		uint64_t inflight = s->sent - atomic_load(&s->consumed);

		if (netpkt_now() - last > STALL_S) {
			s->tx_err = -ETIMEDOUT;
			break;
		}
		k = BURST;
		if (k > s->count - s->sent)
			k = (unsigned int)(s->count - s->sent);
		if (inflight + k > WINDOW ||
		    uvf_e1000e_pool_alloc(s->pool, bufs, k)) {
			sched_yield();
			continue;
		}
		for (i = 0; i < k; i++) {
			bufs[i]->len = (uint16_t)frame_len(s, s->sent + i);
			netpkt_build(bufs[i]->data, bufs[i]->len, s->dst,
				     s->src, s->sent + i);
		}
		r = uvf_e1000e_tx_burst(s->tx, bufs, k);
		if (r < 0) {
			s->tx_err = r;
			r = 0;
		}
		uvf_e1000e_pool_free(bufs + r, k - (unsigned int)r);
		if (r) {
			s->sent += (unsigned int)r;
			last = netpkt_now();
		}
	}
	if (!s->tx_err)
		s->tx_err = uvf_e1000e_tx_flush(s->tx, 5000);
	atomic_store(&s->tx_done, true);
	return NULL;
}

static void *receiver(void *arg)
{
	struct stream *s = arg;
	struct uvf_e1000e_buf *bufs[BURST];
	double last = netpkt_now(), idle_since = 0;
	uint64_t seen = 0;
	int n, i, ret;

	while (seen < s->count) {
		n = uvf_e1000e_rx_burst(s->rx, bufs, BURST);
		if (n < 0) {
			s->rx_err = n;
			break;
		}
		for (i = 0; i < n; i++)
			netpkt_track(&s->trk, bufs[i]->data, bufs[i]->len);
		uvf_e1000e_pool_free(bufs, (unsigned int)n);
		if (n) {
			seen += (unsigned int)n;
			atomic_store(&s->consumed, seen);
			last = s->t1 = netpkt_now();
			idle_since = 0;
			continue;
		}
		/* Everything sent and nothing more for a second: lost. */
		if (atomic_load(&s->tx_done)) {
			if (!idle_since)
				idle_since = netpkt_now();
			else if (netpkt_now() - idle_since > 1.0)
				break;
		}
		if (netpkt_now() - last > STALL_S) {
			s->rx_err = -ETIMEDOUT;
			break;
		}
		if (s->wait) {
			ret = uvf_e1000e_rx_wait(s->rx, 100);
			if (!ret)
				s->wakeups++;
			else if (ret != -ETIMEDOUT)
				s->rx_err = ret;
		}
	}
	return NULL;
}

static bool run_stream(struct stream *s, const char *what)
{
	pthread_t tt, rt;
	double secs;
	bool ok;

	atomic_init(&s->consumed, 0);
	atomic_init(&s->tx_done, false);
	if (netpkt_tracker_init(&s->trk, s->count))
		return tap(false, "%s: tracker", what);
	if (pthread_create(&rt, NULL, receiver, s)) {
		netpkt_tracker_fini(&s->trk);
		return tap(false, "%s: receiver thread", what);
	}
	if (pthread_create(&tt, NULL, sender, s)) {
		s->tx_err = -EAGAIN;
		atomic_store(&s->tx_done, true);
	} else {
		pthread_join(tt, NULL);
	}
	pthread_join(rt, NULL);
	secs = s->t1 > s->t0 ? s->t1 - s->t0 : 0;
	ok = !s->tx_err && !s->rx_err && s->sent == s->count &&
	     s->trk.received == s->count && !s->trk.dups &&
	     !s->trk.corrupt && !s->trk.foreign && !s->trk.out_of_range &&
	     !s->trk.out_of_order;
	tap(ok,
	    "%s: sent %llu, received %llu, missing %llu, dup %llu, corrupt %llu, foreign %llu, out of order %llu (tx %d, rx %d)",
	    what, (unsigned long long)s->sent,
	    (unsigned long long)s->trk.received,
	    (unsigned long long)netpkt_missing(&s->trk),
	    (unsigned long long)s->trk.dups,
	    (unsigned long long)s->trk.corrupt,
	    (unsigned long long)s->trk.foreign,
	    (unsigned long long)s->trk.out_of_order, s->tx_err, s->rx_err);
	if (secs > 0)
		diag("%s: %.0f packets/s over %.2f s%s", what,
		     (double)s->trk.received / secs, secs,
		     s->wait ? "" : " (polling)");
	if (s->wait)
		diag("%s: %llu receive interrupts", what,
		     (unsigned long long)s->wakeups);
	netpkt_tracker_fini(&s->trk);
	return ok;
}

static bool stream(struct rig *r, int from, uint64_t count, unsigned int size,
		   const uint8_t *dst, bool wait, const char *what)
{
	struct stream s = {
		.tx = r->nic[from], .rx = r->nic[!from], .pool = r->pool,
		.dst = dst, .src = from ? mac_b : mac_a, .count = count,
		.size = size, .wait = wait,
	};

	return run_stream(&s, what);
}

/* Send one frame of sequence @seq from port @from to @dst. */
static int send_one(struct rig *r, int from, const uint8_t *dst, uint64_t seq)
{
	struct uvf_e1000e_buf *b;
	int ret = uvf_e1000e_pool_alloc(r->pool, &b, 1);

	if (ret)
		return ret;
	b->len = NETPKT_MIN_LEN;
	netpkt_build(b->data, b->len, dst, from ? mac_b : mac_a, seq);
	ret = uvf_e1000e_tx_burst(r->nic[from], &b, 1);
	if (ret != 1)
		uvf_e1000e_pool_free(&b, 1);
	if (!ret)
		ret = -ENOSPC;
	return ret < 0 ? ret : uvf_e1000e_tx_flush(r->nic[from], 1000);
}

/* Receive on port @at until @want frames came or 1 s passed with none;
 * the sequence numbers go to @seqs. */
static unsigned int recv_some(struct rig *r, int at, uint64_t *seqs,
			      unsigned int want)
{
	struct uvf_e1000e_buf *bufs[BURST];
	double last = netpkt_now();
	unsigned int got = 0;
	uint64_t seq;
	int n, i;

	while (netpkt_now() - last < 1.0) {
		n = uvf_e1000e_rx_burst(r->nic[at], bufs, BURST);
		for (i = 0; i < n; i++) {
			if (netpkt_check(bufs[i]->data, bufs[i]->len, &seq) !=
			    NETPKT_OK)
				seq = UINT64_MAX;
			if (got < want)
				seqs[got] = seq;
			got++;
			last = netpkt_now();
		}
		if (n > 0)
			uvf_e1000e_pool_free(bufs, (unsigned int)n);
		else
			usleep(1000);
	}
	return got;
}

static void *late_send(void *arg)
{
	struct rig *r = arg;

	usleep(50000);
	send_one(r, 0, mac_b, 77);
	return NULL;
}

/* B sleeps in rx_wait on an empty ring; a frame A sends 50 ms later must
 * wake it. */
static void wakes(struct rig *r, const char *how)
{
	uint64_t seq = 0;
	pthread_t t;
	double t0, ms;
	int ret;

	if (pthread_create(&t, NULL, late_send, r))
		return (void)tap(false, "%s: sender thread", how);
	t0 = netpkt_now();
	ret = uvf_e1000e_rx_wait(r->nic[1], 5000);
	ms = (netpkt_now() - t0) * 1e3;
	pthread_join(t, NULL);
	tap(!ret && ms >= 40 && recv_some(r, 1, &seq, 1) == 1 && seq == 77,
	    "%s: rx_wait slept %.0f ms until a frame came: %d", how, ms, ret);
}

static void check_open(struct rig *r)
{
	struct uvf_e1000e_link l[2];
	uint8_t m[2][6];
	int i;

	for (i = 0; i < 2; i++) {
		uvf_e1000e_mac_addr(r->nic[i], m[i]);
		uvf_e1000e_link_get(r->nic[i], &l[i]);
	}
	tap(!memcmp(m[0], mac_a, 6) && !memcmp(m[1], mac_b, 6),
	    "MAC addresses %02x:%02x:%02x:%02x:%02x:%02x and ..:%02x",
	    m[0][0], m[0][1], m[0][2], m[0][3], m[0][4], m[0][5], m[1][5]);
	tap(l[0].up && l[1].up, "links up: %u/%u Mb/s, %s duplex",
	    l[0].speed_mbps, l[1].speed_mbps,
	    l[0].full_duplex ? "full" : "half");
}

static void bad_arguments(struct rig *r)
{
	struct uvf_e1000e_opts o = { .rx_ring_size = 12, .pool = r->pool };
	struct uvf_e1000e_stats before, after;
	struct uvf_e1000e_buf *b;
	struct uvf_e1000e *nic;

	uvf_e1000e_get_stats(r->nic[0], &before);
	if (uvf_e1000e_pool_alloc(r->pool, &b, 1))
		return (void)tap(false, "a buffer for the argument checks");
	b->len = 0;
	tap(uvf_e1000e_tx_burst(r->nic[0], &b, 1) == -EINVAL,
	    "zero-length frame: -EINVAL");
	b->len = UVF_E1000E_MAX_FRAME + 1;
	tap(uvf_e1000e_tx_burst(r->nic[0], &b, 1) == -EINVAL,
	    "1515-byte frame: -EINVAL");
	tap(uvf_e1000e_tx_burst(r->nic[0], NULL, 1) == -EINVAL,
	    "NULL burst: -EINVAL");
	tap(uvf_e1000e_tx_burst(r->nic[0], &b, 0) == 0, "empty burst: 0");
	uvf_e1000e_pool_free(&b, 1);
	tap(uvf_e1000e_rx_wait(r->nic[1], 10) == -ENOTSUP,
	    "rx_wait on a polling port: -ENOTSUP");
	tap(uvf_e1000e_open(r->np.dev[0], &o, &nic) == -EINVAL,
	    "12-descriptor ring: -EINVAL");
	uvf_e1000e_get_stats(r->nic[0], &after);
	tap(after.sw_tx_packets == before.sw_tx_packets &&
		    after.tx_packets == before.tx_packets,
	    "nothing was sent by the rejected calls");
}

/* A burst of 300 on a 256-slot ring: 255 go, 45 stay the caller's. */
static void ring_full(struct rig *r)
{
	enum { N = 300 };
	struct uvf_e1000e_buf *bufs[N];
	uint64_t seqs[N];
	unsigned int got, i;
	bool order = true;
	int k, k2;

	if (uvf_e1000e_pool_alloc(r->pool, bufs, N))
		return (void)tap(false, "buffers for the ring-full test");
	for (i = 0; i < N; i++) {
		bufs[i]->len = NETPKT_MIN_LEN;
		netpkt_build(bufs[i]->data, NETPKT_MIN_LEN, mac_b, mac_a, i);
	}
	k = uvf_e1000e_tx_burst(r->nic[0], bufs, N);
	tap(k == (int)RING - 1, "burst of %d on a %u-slot ring took %d", N,
	    RING, k);
	if (k < 0)
		k = 0;
	got = recv_some(r, 1, seqs, N);
	k2 = uvf_e1000e_tx_burst(r->nic[0], bufs + k, N - (unsigned int)k);
	tap(k2 == N - k, "the %d left over went in the next burst", N - k);
	if (k2 < 0)
		k2 = 0;
	uvf_e1000e_pool_free(bufs + k + k2, (unsigned int)(N - k - k2));
	if (got < N)
		got += recv_some(r, 1, seqs + got, N - got);
	for (i = 0; i < got && i < N; i++)
		order &= seqs[i] == i;
	tap(got == N && order, "all %u received, in order", got);
}

static void filter(struct rig *r)
{
	static const uint8_t other[6] = { 0x02, 0, 0, 0, 0, 0x99 };
	struct uvf_e1000e_stats before, after;
	uint64_t seqs[16];
	unsigned int got, i;
	int ret = 0;

	uvf_e1000e_get_stats(r->nic[1], &before);
	for (i = 0; i < 8 && !ret; i++)
		ret = send_one(r, 0, other, 100 + i);
	if (!ret)
		ret = send_one(r, 0, mac_b, 200);
	got = recv_some(r, 1, seqs, 16);
	tap(!ret && got == 1 && seqs[0] == 200,
	    "unicast filter: of 8 frames to another MAC and 1 to ours, got %u (seq %llu)",
	    got, got ? (unsigned long long)seqs[0] : 0ull);
	ret = send_one(r, 0, mac_bcast, 300);
	got = recv_some(r, 1, seqs, 16);
	uvf_e1000e_get_stats(r->nic[1], &after);
	tap(!ret && got == 1 && seqs[0] == 300 &&
		    after.rx_broadcast == before.rx_broadcast + 1,
	    "broadcast received and counted (%llu)",
	    (unsigned long long)(after.rx_broadcast - before.rx_broadcast));
}

static bool in_range(uint64_t bytes, uint64_t frames, uint64_t payload)
{
	/* The FCS is counted by real hardware, not by every QEMU. */
	return bytes >= payload && bytes <= payload + 4 * frames;
}

static void check_stats(struct rig *r, uint64_t a_tx, uint64_t a_tx_bytes,
			uint64_t b_tx, uint64_t b_tx_bytes)
{
	struct uvf_e1000e_stats a, b;
	int ra = uvf_e1000e_get_stats(r->nic[0], &a);
	int rb = uvf_e1000e_get_stats(r->nic[1], &b);

	diag("A: tx %llu/%llu B, rx %llu; B: rx %llu/%llu B, tx %llu, missed %llu, no-buffer %llu",
	     (unsigned long long)a.tx_packets,
	     (unsigned long long)a.tx_bytes, (unsigned long long)a.rx_packets,
	     (unsigned long long)b.rx_packets,
	     (unsigned long long)b.rx_bytes, (unsigned long long)b.tx_packets,
	     (unsigned long long)b.rx_missed,
	     (unsigned long long)b.rx_no_buffer);
	tap(!ra && !rb && a.tx_packets == a_tx && a.sw_tx_packets == a_tx &&
		    b.rx_packets == a_tx && b.sw_rx_packets == a_tx,
	    "A sent and B received %llu frames, by the NICs' counters and the driver's",
	    (unsigned long long)a_tx);
	tap(b.tx_packets == b_tx && a.rx_packets == b_tx,
	    "B sent and A received %llu frames",
	    (unsigned long long)b_tx);
	tap(a.sw_tx_bytes == a_tx_bytes && b.sw_rx_bytes == a_tx_bytes &&
		    in_range(a.tx_bytes, a_tx, a_tx_bytes) &&
		    in_range(b.rx_bytes, a_tx, a_tx_bytes) &&
		    in_range(b.tx_bytes, b_tx, b_tx_bytes),
	    "octet counters agree with %llu bytes sent",
	    (unsigned long long)a_tx_bytes);
	tap(!a.rx_dropped && !b.rx_dropped && !b.rx_missed,
	    "no frame dropped or missed");
}

static uint64_t mixed_bytes(uint64_t count)
{
	struct stream s = { .size = 0 };
	uint64_t i, sum = 0;

	for (i = 0; i < count; i++)
		sum += frame_len(&s, i);
	return sum;
}

static int parse_args(int argc, char **argv, enum uvf_vfio_backend *b,
		      uint64_t *count)
{
	int i;
	bool have = false;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc)
			*count = strtoull(argv[++i], NULL, 0);
		else if (!uvf_vfio_backend_parse(argv[i] + strspn(argv[i], "-"),
						 b) &&
			 *b != UVF_VFIO_AUTO)
			have = true;
		else
			return -EINVAL;
	}
	return have && *count ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	const char *bdfs[2] = { BDF_A, BDF_B };
	enum uvf_vfio_backend be = UVF_VFIO_AUTO;
	uint64_t count = 20000, small = 2000;
	struct rig r;
	int ret;

	if (parse_args(argc, argv, &be, &count)) {
		fprintf(stderr,
			"usage: %s --type1|--iommufd|--noiommu [--count N]\n",
			argv[0]);
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
	diag("backend %s, %llu frames", uvf_vfio_backend_name(be),
	     (unsigned long long)count);
	memset(&r, 0, sizeof(r));
	ret = netport_open(&r.np, be, bdfs, 2);
	if (!tap(!ret, "both NICs in one %s domain: %d",
		 uvf_vfio_backend_name(be), ret))
		goto out;
	ret = uvf_e1000e_pool_create(r.np.dev[0], POOL_BUFS, &r.pool);
	if (!tap(!ret, "shared pool of %u buffers: %d", POOL_BUFS, ret))
		goto out_np;
	ret = ports_up(&r, UVF_E1000E_IRQ_NONE);
	if (!tap(!ret, "both ports open, polling: %d", ret))
		goto out_pool;
	check_open(&r);
	stream(&r, 0, count, 0, mac_b, false, "A->B 60..1514 bytes");
	stream(&r, 1, small, 1514, mac_a, false, "B->A 1514 bytes");
	check_stats(&r, count, mixed_bytes(count), small, small * 1514);
	ring_full(&r);
	filter(&r);
	bad_arguments(&r);
	stream(&r, 0, count, NETPKT_MIN_LEN, mac_b, false, "A->B 60 bytes");
	stream(&r, 0, count / 4, NETPKT_MAX_LEN, mac_b, false,
	       "A->B 1514 bytes");
	ports_down(&r);
	tap(uvf_e1000e_pool_avail(r.pool) == POOL_BUFS,
	    "every buffer back in the pool after close");

	ret = ports_up(&r, UVF_E1000E_IRQ_AUTO);
	if (tap(!ret && uvf_e1000e_irq_type(r.nic[1]) == UVF_E1000E_IRQ_MSIX,
		"ports open with interrupts: MSI-X (%d)", ret)) {
		tap(uvf_e1000e_rx_wait(r.nic[1], 50) == -ETIMEDOUT,
		    "rx_wait with nothing coming: -ETIMEDOUT");
		wakes(&r, "MSI-X");
		stream(&r, 0, count, 0, mac_b, true, "A->B MSI-X");
		ports_down(&r);
	}
	ret = ports_up(&r, UVF_E1000E_IRQ_MSI);
	if (tap(!ret && uvf_e1000e_irq_type(r.nic[1]) == UVF_E1000E_IRQ_MSI,
		"ports open with MSI (%d)", ret)) {
		wakes(&r, "MSI");
		stream(&r, 0, small, 0, mac_b, true, "A->B MSI");
		ports_down(&r);
	}
	tap(uvf_e1000e_pool_avail(r.pool) == POOL_BUFS,
	    "every buffer back in the pool");
out_pool:
	ports_down(&r);
	tap(uvf_e1000e_pool_destroy(r.pool) == 0, "pool destroyed");
out_np:
	netport_close(&r.np);
out:
	return tap_finish();
}
