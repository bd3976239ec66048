/* SPDX-License-Identifier: MIT */
/*
 * net-rx - receive net-pktgen's test frames (netpkt.h) on an 82574L
 * through uvf's e1000e driver, check every one (checksum, length,
 * sequence: no loss, no duplicate) and report packets per second.
 *
 * usage: net-rx --device BDF [--backend auto|type1|iommufd|noiommu]
 *               [--count N] [--idle-ms MS] [--wait-ms MS] [--irq]
 *               [--promisc] [--ready-file PATH] [--burst N] [--ring N]
 *
 * Receives until N frames came, or nothing came for --idle-ms after the
 * first one, or for --wait-ms before it. With --irq it sleeps on the
 * receive interrupt when the ring is empty instead of polling.
 * --ready-file is created once the port is up, so a script can start the
 * sender then. Frames of other EtherTypes are counted and ignored.
 * Exits 0 when all N arrived exactly once and intact, else 1 (2 for bad
 * usage). Frames out of order are reported, not failed: the NIC and the
 * driver keep order, but QEMU's hub reorders frames it had to queue while
 * the receiver was behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/e1000e.h>

#include "netpkt.h"
#include "netport.h"

#define MAX_BURST 256u

struct args {
	const char *bdf, *ready;
	enum uvf_vfio_backend backend;
	uint64_t count;
	unsigned int idle_ms, wait_ms, burst, ring;
	bool irq, promisc;
};

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s --device BDF [--backend auto|type1|iommufd|noiommu]\n"
		"          [--count N] [--idle-ms MS] [--wait-ms MS] [--irq]\n"
		"          [--promisc] [--ready-file PATH] [--burst 1..256]\n"
		"          [--ring 8..4096]\n",
		prog);
}

static int parse(int argc, char **argv, struct args *a)
{
	static const struct option opts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, 'b' },
		{ "count", required_argument, NULL, 'n' },
		{ "idle-ms", required_argument, NULL, 'i' },
		{ "wait-ms", required_argument, NULL, 'w' },
		{ "irq", no_argument, NULL, 'I' },
		{ "promisc", no_argument, NULL, 'p' },
		{ "ready-file", required_argument, NULL, 'f' },
		{ "burst", required_argument, NULL, 'B' },
		{ "ring", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*a = (struct args){ .backend = UVF_VFIO_AUTO, .count = 100000,
			    .idle_ms = 2000, .wait_ms = 60000, .burst = 32,
			    .ring = 256 };
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': a->bdf = optarg; break;
		case 'b':
			if (uvf_vfio_backend_parse(optarg, &a->backend))
				return -1;
			break;
		case 'n': a->count = strtoull(optarg, NULL, 0); break;
		case 'i': a->idle_ms = (unsigned int)atoi(optarg); break;
		case 'w': a->wait_ms = (unsigned int)atoi(optarg); break;
		case 'I': a->irq = true; break;
		case 'p': a->promisc = true; break;
		case 'f': a->ready = optarg; break;
		case 'B': a->burst = (unsigned int)atoi(optarg); break;
		case 'R': a->ring = (unsigned int)atoi(optarg); break;
		default: return -1;
		}
	}
	if (!a->bdf || optind != argc || !a->count || !a->burst ||
	    a->burst > MAX_BURST)
		return -1;
	return 0;
}

struct result {
	double first, last;
	uint64_t frames, wakeups;
	int err;
};

static void receive(struct uvf_e1000e *nic, const struct args *a,
		    struct netpkt_tracker *t, struct result *res)
{
	struct uvf_e1000e_buf *bufs[MAX_BURST];
	double start = netpkt_now(), last = start;
	int n, i, ret;

	while (t->received + t->dups + t->corrupt + t->out_of_range <
	       a->count) {
		n = uvf_e1000e_rx_burst(nic, bufs, a->burst);
		if (n < 0) {
			res->err = n;
			return;
		}
		for (i = 0; i < n; i++)
			netpkt_track(t, bufs[i]->data, bufs[i]->len);
		uvf_e1000e_pool_free(bufs, (unsigned int)n);
		if (n) {
			last = netpkt_now();
			if (!res->frames)
				res->first = last;
			res->frames += (unsigned int)n;
			res->last = last;
			continue;
		}
		if (res->frames ? netpkt_now() - last > a->idle_ms / 1e3
				: netpkt_now() - start > a->wait_ms / 1e3)
			return;
		if (a->irq) {
			ret = uvf_e1000e_rx_wait(nic, 100);
			if (!ret)
				res->wakeups++;
			else if (ret != -ETIMEDOUT) {
				res->err = ret;
				return;
			}
		}
	}
}

static int touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct uvf_e1000e_opts o = { 0 };
	struct uvf_e1000e_stats st;
	struct netpkt_tracker t;
	struct result res = { 0 };
	struct uvf_e1000e *nic;
	struct netport np;
	struct args a;
	uint8_t mac[6];
	double secs;
	bool ok;
	int ret;

	if (parse(argc, argv, &a)) {
		usage(argv[0]);
		return 2;
	}
	if (netpkt_tracker_init(&t, a.count))
		return 1;
	if (netport_open(&np, a.backend, &a.bdf, 1)) {
		netpkt_tracker_fini(&t);
		return 1;
	}
	o.rx_ring_size = o.tx_ring_size = a.ring;
	o.irq = a.irq ? UVF_E1000E_IRQ_AUTO : UVF_E1000E_IRQ_NONE;
	o.promisc = a.promisc;
	ret = uvf_e1000e_open(np.dev[0], &o, &nic);
	if (ret) {
		fprintf(stderr, "uvf_e1000e_open %s: %s\n", a.bdf,
			strerror(-ret));
		netport_close(&np);
		netpkt_tracker_fini(&t);
		return 1;
	}
	uvf_e1000e_mac_addr(nic, mac);
	printf("net-rx: %s (%s) %02x:%02x:%02x:%02x:%02x:%02x, %s, expecting %llu frames\n",
	       a.bdf, uvf_vfio_backend_name(uvf_vfio_backend(np.iommu)),
	       mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
	       uvf_e1000e_irq_type(nic) == UVF_E1000E_IRQ_MSIX ? "MSI-X"
	       : uvf_e1000e_irq_type(nic) == UVF_E1000E_IRQ_MSI ? "MSI"
								 : "polling",
	       (unsigned long long)a.count);
	fflush(stdout);
	if (a.ready && (ret = touch(a.ready)))
		fprintf(stderr, "net-rx: %s: %s\n", a.ready, strerror(-ret));
	receive(nic, &a, &t, &res);
	uvf_e1000e_get_stats(nic, &st);
	secs = res.last - res.first;
	printf("net-rx: received %llu of %llu: missing %llu, duplicate %llu, corrupt %llu, out of order %llu, out of range %llu, foreign %llu\n",
	       (unsigned long long)t.received, (unsigned long long)a.count,
	       (unsigned long long)netpkt_missing(&t),
	       (unsigned long long)t.dups, (unsigned long long)t.corrupt,
	       (unsigned long long)t.out_of_order,
	       (unsigned long long)t.out_of_range,
	       (unsigned long long)t.foreign);
	printf("net-rx: %.0f packets/s over %.3f s (first to last frame)%s\n",
	       secs > 0 ? (double)(res.frames - 1) / secs : 0.0, secs,
	       a.irq ? "" : ", polling");
	if (a.irq)
		printf("net-rx: %llu receive interrupts\n",
		       (unsigned long long)res.wakeups);
	printf("net-rx: NIC counted %llu frames, %llu bytes; missed %llu, no buffer %llu, dropped bad %llu\n",
	       (unsigned long long)st.rx_packets,
	       (unsigned long long)st.rx_bytes,
	       (unsigned long long)st.rx_missed,
	       (unsigned long long)st.rx_no_buffer,
	       (unsigned long long)st.rx_dropped);
	if (res.err)
		fprintf(stderr, "net-rx: %s\n", strerror(-res.err));
	ok = !res.err && t.received == a.count && !t.dups && !t.corrupt &&
	     !t.out_of_range;
	printf("net-rx: %s\n", ok ? "PASS" : "FAIL");
	uvf_e1000e_close(nic);
	netport_close(&np);
	netpkt_tracker_fini(&t);
	return ok ? 0 : 1;
}
