/* SPDX-License-Identifier: MIT */
/*
 * net-pktgen - send numbered, checksummed test frames (netpkt.h) from an
 * 82574L through uvf's e1000e driver and report packets per second.
 *
 * usage: net-pktgen --device BDF [--backend auto|type1|iommufd|noiommu]
 *                   [--count N] [--size BYTES] [--burst N] [--dst MAC]
 *                   [--rate PPS] [--ring N]
 *
 * Frames go to --dst (default broadcast). With --rate the sender paces
 * itself; without it, it sends as fast as the NIC takes frames, and a
 * slower receiver behind QEMU's hub loses what overflows the hub's queue.
 * Exits 0 when all frames were sent and the NIC counted them, else 1
 * (2 for bad usage).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uvf/e1000e.h>

#include "netpkt.h"
#include "netport.h"

#define MAX_BURST 256u

struct args {
	const char *bdf;
	enum uvf_vfio_backend backend;
	uint64_t count;
	unsigned int size, burst, ring;
	double rate;
	uint8_t dst[6];
};

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --device BDF [--backend auto|type1|iommufd|noiommu]\n"
		"          [--count N] [--size 60..1514] [--burst 1..256]\n"
		"          [--dst MAC] [--rate PPS] [--ring 8..4096]\n",
		prog);
}

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'n' },
		{ "size", required_argument, NULL, 's' },
		{ "burst", required_argument, NULL, 'B' },
		{ "dst", required_argument, NULL, 'D' },
		{ "rate", required_argument, NULL, 'r' },
		{ "ring", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct args){ .backend = UVF_VFIO_AUTO, .count = 100000,
			    .size = 60, .burst = 32, .ring = 256 };
	memset(a->dst, 0xff, 6);
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->bdf = optarg; break;
		case 'b':
			if (uvf_vfio_backend_parse(optarg, &a->backend))
				return -1;
			break;
		case 'n': a->count = strtoull(optarg, NULL, 0); break;
		case 's': a->size = (unsigned int)atoi(optarg); break;
		case 'B': a->burst = (unsigned int)atoi(optarg); break;
		case 'D':
			if (netpkt_parse_mac(optarg, a->dst))
				return -1;
			break;
		case 'r': a->rate = atof(optarg); break;
		case 'R': a->ring = (unsigned int)atoi(optarg); break;
		default: return -1;
		}
	}
	if (!a->bdf || optind != argc || !a->count ||
	    a->size < NETPKT_MIN_LEN || a->size > NETPKT_MAX_LEN ||
	    !a->burst || a->burst > MAX_BURST || a->rate < 0)
		return -1;
	return 0;
}

/* Hold the sender back to --rate: frame i leaves no earlier than
 * t0 + i / rate. */
static void pace(double t0, uint64_t i, double rate)
{
	double due = t0 + (double)i / rate, now = netpkt_now();
	struct timespec ts;

	if (due - now > 0.001) {
		ts.tv_sec = (time_t)(due - now);
		ts.tv_nsec = (long)((due - now - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
	while (netpkt_now() < due)
		;
}

static int send_all(struct uvf_e1000e *nic, const struct args *a,
		    const uint8_t src[6], uint64_t *sent, double *secs)
{
	struct uvf_e1000e_pool *pool = uvf_e1000e_pool(nic);
	struct uvf_e1000e_buf *bufs[MAX_BURST];
	double t0 = netpkt_now(), last = t0;
	unsigned int k, i;
	int r = 0;

	*sent = 0;
	while (*sent < a->count) {
		k = a->burst;
		if (k > a->count - *sent)
			k = (unsigned int)(a->count - *sent);
		if (a->rate > 0)
			pace(t0, *sent + k - 1, a->rate);
		/* Out of buffers only while the NIC holds them: reclaim
		 * what it finished (a flush that does not wait). */
		if (uvf_e1000e_pool_alloc(pool, bufs, k)) {
			uvf_e1000e_tx_flush(nic, 0);
			k = 0;
		}
		for (i = 0; i < k; i++) {
			bufs[i]->len = (uint16_t)a->size;
			netpkt_build(bufs[i]->data, a->size, a->dst, src,
				     *sent + i);
		}
		r = k ? uvf_e1000e_tx_burst(nic, bufs, k) : 0;
		if (r < 0)
			break;
		if (k)
			uvf_e1000e_pool_free(bufs + r, k - (unsigned int)r);
		*sent += (unsigned int)r;
		if (r)
			last = netpkt_now();
		else if (netpkt_now() - last > 10.0) {
			r = -ETIMEDOUT;	/* the NIC stopped taking frames */
			break;
		}
		r = 0;
	}
	if (!r)
		r = uvf_e1000e_tx_flush(nic, 5000);
	*secs = netpkt_now() - t0;
	return r;
}

int main(int argc, char **argv)
{
	struct uvf_e1000e_opts o = { 0 };
	struct uvf_e1000e_stats st;
	struct uvf_e1000e_link link;
	struct uvf_e1000e *nic;
	struct netport np;
	struct args a;
	uint64_t sent;
	uint8_t mac[6];
	double secs;
	int ret;

	if (parse(argc, argv, &a)) {
		usage(argv[0]);
		return 2;
	}
	if (netport_open(&np, a.backend, &a.bdf, 1))
		return 1;
	o.rx_ring_size = o.tx_ring_size = a.ring;
	ret = uvf_e1000e_open(np.dev[0], &o, &nic);
	if (ret) {
		fprintf(stderr, "uvf_e1000e_open %s: %s\n", a.bdf,
			strerror(-ret));
		netport_close(&np);
		return 1;
	}
	uvf_e1000e_mac_addr(nic, mac);
	uvf_e1000e_link_get(nic, &link);
	printf("net-pktgen: %s (%s) %02x:%02x:%02x:%02x:%02x:%02x, link %s %u Mb/s\n",
	       a.bdf, uvf_vfio_backend_name(uvf_vfio_backend(np.iommu)),
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
	       link.up ? "up" : "down", link.speed_mbps);
	ret = send_all(nic, &a, mac, &sent, &secs);
	uvf_e1000e_get_stats(nic, &st);
	printf("net-pktgen: sent %llu of %llu frames of %u bytes in %.3f s: %.0f packets/s, %.1f Mbit/s\n",
	       (unsigned long long)sent, (unsigned long long)a.count, a.size,
	       secs, secs > 0 ? (double)sent / secs : 0.0,
	       secs > 0 ? (double)sent * a.size * 8 / secs / 1e6 : 0.0);
	printf("net-pktgen: NIC counted %llu frames, %llu bytes sent\n",
	       (unsigned long long)st.tx_packets,
	       (unsigned long long)st.tx_bytes);
	if (ret)
		fprintf(stderr, "net-pktgen: %s\n", strerror(-ret));
	uvf_e1000e_close(nic);
	netport_close(&np);
	return !ret && sent == a.count && st.tx_packets == a.count ? 0 : 1;
}
