/* SPDX-License-Identifier: MIT */
/*
 * guest_dpdk_net - runs in the tools/vm guest (dynamically linked against
 * DPDK 22.11). DPDK's own e1000 PMD (net_e1000_em) and uvf's e1000e driver
 * in ONE process, on QEMU's two 82574L NICs joined by one hub:
 *
 *   00:05.0  DPDK: EAL probes it (allow-list), the PMD plugin loaded with -d
 *   00:06.0  uvf:  type1: on EAL's own VFIO container (uvf_dpdk_vfio_open),
 *                  so both drivers share one IOMMU domain; noiommu: a uvf
 *                  noiommu context of its own (EAL uses noiommu too)
 *
 * uvf_dpdk_attach_memory() puts EAL's memory into uvf's domain, and uvf's
 * packet buffers are an rte_malloc() region (uvf_e1000e_pool_create_mem),
 * each buffer at EAL's own IOVA. Then:
 *  - numbered, checksummed frames (examples/net-pktgen/netpkt.c) of every
 *    size 60..1514 cross PMD -> uvf and uvf -> PMD; every frame must arrive
 *    once, in order, intact;
 *  - EAL memory allocated after the attachment (hotplug) is followed: a
 *    second uvf pool over it carries frames both ways;
 *  - uvf closes everything (port, pool, device, domain, context): the PMD
 *    still transmits (its mbufs come back), and a new uvf stack on the same
 *    container carries frames both ways again, so uvf unmapped none of
 *    EAL's memory;
 *  - the PMD stops and frees its mbuf pool (EAL unmaps those pages from the
 *    container); with a new mbuf pool frames cross both ways again through
 *    uvf's rings and buffers, so EAL unmapped none of uvf's.
 *
 * usage: guest_dpdk_net --type1|--noiommu [--count N] [--pmd-dir DIR]
 *        guest_dpdk_net --bench uvf|dpdk --type1|--noiommu --size BYTES
 *                       [--count N] [--pmd-dir DIR]
 * --bench runs one driver on both NICs (uvf without EAL, or the PMD on
 * both), frames of BYTES (without FCS) from 00:05.0 to 00:06.0, and
 * prints a line "BENCH {json}" with the packets per second.
 * Prints TAP; exits 0 pass, 1 fail, 77 skip (the NICs are not on vfio-pci:
 * nothing to drive).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>
#include <rte_mempool.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/dpdk.h>
#include <uvf/e1000e.h>
#include <uvf/iommu.h>
#include <uvf/vfio.h>

#include "guest_tap.h"
#include "netpkt.h"

#define BDF_A "0000:00:05.0"
#define BDF_B "0000:00:06.0"
#define PMD_DIR "/usr/lib/x86_64-linux-gnu/dpdk/pmds-23.0"
#define RING 256u
#define WINDOW (RING - 32u)	/* frames in flight, below the rx ring */
#define BURST 32u
#define MBUFS 4095u
#define UVF_POOL_LEN (4u << 20)	/* 2048 buffers of EAL memory */
#define HOTPLUG_LEN (48u << 20)	/* more than EAL has mapped at start */
#define HUGEPAGES 192u		/* 2 MiB pages reserved for EAL */
#define STALL_S 20.0

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0x75, 0x76, 0x00 };
static const uint8_t mac_b[6] = { 0x52, 0x54, 0x00, 0x75, 0x76, 0x01 };

/* ---- one port, either driver ---- */

struct side {
	bool dpdk;
	const uint8_t *mac;
	/* DPDK */
	uint16_t port;
	struct rte_mempool *mp;
	/* uvf */
	struct uvf_e1000e *nic;
	struct uvf_e1000e_pool *pool;
};

/* Build and send up to @k frames numbered from @seq; returns how many were
 * taken (0: no buffers or ring full, try again), or a negative errno. */
static int side_tx(struct side *s, const uint8_t *dst, uint64_t seq,
		   unsigned int k, const unsigned int *lens)
{
	unsigned int i;
	int r;

	if (s->dpdk) {
		struct rte_mbuf *m[BURST];

		if (rte_pktmbuf_alloc_bulk(s->mp, m, k))
			return 0;
		for (i = 0; i < k; i++) {
			char *d = rte_pktmbuf_append(m[i], (uint16_t)lens[i]);

			if (!d) {
				rte_pktmbuf_free_bulk(m, k);
				return -EMSGSIZE;
			}
			netpkt_build(d, lens[i], dst, s->mac, seq + i);
		}
		r = rte_eth_tx_burst(s->port, 0, m, (uint16_t)k);
		if ((unsigned int)r < k)
			rte_pktmbuf_free_bulk(m + r, k - (unsigned int)r);
		return r;
	} else {
		struct uvf_e1000e_buf *b[BURST];

		if (uvf_e1000e_pool_alloc(s->pool, b, k))
			return 0;
		for (i = 0; i < k; i++) {
			b[i]->len = (uint16_t)lens[i];
			netpkt_build(b[i]->data, lens[i], dst, s->mac, seq + i);
		}
		r = uvf_e1000e_tx_burst(s->nic, b, k);
		uvf_e1000e_pool_free(b + (r > 0 ? r : 0),
				     k - (unsigned int)(r > 0 ? r : 0));
		return r;
	}
}

/* Receive a burst into @trk; returns the count or a negative errno. */
static int side_rx(struct side *s, struct netpkt_tracker *trk)
{
	int n, i;

	if (s->dpdk) {
		struct rte_mbuf *m[BURST];

		n = rte_eth_rx_burst(s->port, 0, m, BURST);
		for (i = 0; i < n; i++)
			netpkt_track(trk, rte_pktmbuf_mtod(m[i], void *),
				     m[i]->nb_segs == 1 ? m[i]->pkt_len : 0);
		if (n > 0)
			rte_pktmbuf_free_bulk(m, (unsigned int)n);
	} else {
		struct uvf_e1000e_buf *b[BURST];

		n = uvf_e1000e_rx_burst(s->nic, b, BURST);
		for (i = 0; i < n; i++)
			netpkt_track(trk, b[i]->data, b[i]->len);
		if (n > 0)
			uvf_e1000e_pool_free(b, (unsigned int)n);
	}
	return n;
}

/* ---- one stream of numbered frames from tx to rx ---- */

struct stream {
	struct side *tx, *rx;
	uint64_t count;
	unsigned int size;	/* 0: every size in turn */
	atomic_uint_fast64_t consumed;
	atomic_bool tx_done;
	int tx_err, rx_err;
	uint64_t sent;
	double t0, t1;
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
	unsigned int lens[BURST], k, i;
	double last = netpkt_now();
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
		if (inflight + k > WINDOW) {
			sched_yield();
			continue;
		}
		for (i = 0; i < k; i++)
			lens[i] = frame_len(s, s->sent + i);
		r = side_tx(s->tx, s->rx->mac, s->sent, k, lens);
		if (r < 0) {
			s->tx_err = r;
		} else if (r > 0) {
			s->sent += (unsigned int)r;
			last = netpkt_now();
		} else {
			sched_yield();
		}
	}
	if (!s->tx_err && !s->tx->dpdk)
		s->tx_err = uvf_e1000e_tx_flush(s->tx->nic, 5000);
	atomic_store(&s->tx_done, true);
	return NULL;
}

static void *receiver(void *arg)
{
	struct stream *s = arg;
	double last = netpkt_now(), idle_since = 0;
	uint64_t seen = 0;
	int n;

	while (seen < s->count) {
		n = side_rx(s->rx, &s->trk);
		if (n < 0) {
			s->rx_err = n;
			break;
		}
		if (n) {
			seen += (unsigned int)n;
			atomic_store(&s->consumed, seen);
			last = s->t1 = netpkt_now();
			idle_since = 0;
			continue;
		}
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
	}
	return NULL;
}

/*
 * Stream threads may run on every CPU. EAL pins its main thread to its
 * lcore (-l 0) and threads inherit that, so without this the PMD's sender
 * and receiver would share one CPU while uvf's (no EAL) had two.
 */
static int any_cpu_attr(pthread_attr_t *attr)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;

	CPU_ZERO(&set);
	for (long i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	if (pthread_attr_init(attr))
		return -ENOMEM;
	if (pthread_attr_setaffinity_np(attr, sizeof(set), &set)) {
		pthread_attr_destroy(attr);
		return -EINVAL;
	}
	return 0;
}

/* Run a stream; returns packets per second (0 on failure), one TAP line. */
static double stream(struct side *tx, struct side *rx, uint64_t count,
		     unsigned int size, const char *what)
{
	struct stream s = { .tx = tx, .rx = rx, .count = count, .size = size };
	pthread_attr_t attr;
	pthread_t tt, rt;
	double secs, pps = 0;
	bool ok;

	atomic_init(&s.consumed, 0);
	atomic_init(&s.tx_done, false);
	if (any_cpu_attr(&attr))
		return tap(false, "%s: thread attributes", what), 0;
	if (netpkt_tracker_init(&s.trk, count)) {
		pthread_attr_destroy(&attr);
		return tap(false, "%s: tracker", what), 0;
	}
	if (pthread_create(&rt, &attr, receiver, &s)) {
		pthread_attr_destroy(&attr);
		netpkt_tracker_fini(&s.trk);
		return tap(false, "%s: receiver thread", what), 0;
	}
	if (pthread_create(&tt, &attr, sender, &s)) {
		s.tx_err = -EAGAIN;
		atomic_store(&s.tx_done, true);
	} else {
		pthread_join(tt, NULL);
	}
	pthread_join(rt, NULL);
	pthread_attr_destroy(&attr);
	secs = s.t1 > s.t0 ? s.t1 - s.t0 : 0;
	ok = !s.tx_err && !s.rx_err && s.sent == count &&
	     s.trk.received == count && !s.trk.dups && !s.trk.corrupt &&
	     !s.trk.foreign && !s.trk.out_of_range && !s.trk.out_of_order;
	tap(ok,
	    "%s: sent %" PRIu64 ", received %" PRIu64 ", missing %" PRIu64
	    ", dup %" PRIu64 ", corrupt %" PRIu64 ", foreign %" PRIu64
	    ", out of order %" PRIu64 " (tx %d, rx %d)",
	    what, s.sent, s.trk.received, netpkt_missing(&s.trk), s.trk.dups,
	    s.trk.corrupt, s.trk.foreign, s.trk.out_of_order, s.tx_err,
	    s.rx_err);
	if (ok && secs > 0) {
		pps = (double)count / secs;
		diag("%s: %.0f packets/s over %.2f s", what, pps, secs);
	}
	netpkt_tracker_fini(&s.trk);
	return ok ? pps : 0;
}

/* ---- EAL and the PMD ---- */

struct opts {
	enum uvf_vfio_backend be;
	uint64_t count;
	const char *pmd_dir;
	const char *bench;	/* NULL, "uvf" or "dpdk" */
	unsigned int size;
};

static int eal_up(const struct opts *o, bool both)
{
	static char plug[3][512];
	static const char *const plugins[3] = {
		/* In dependency order: bus_pci first, so that the PMD's
		 * DT_NEEDED on it is met by the loaded copy. */
		"librte_bus_pci.so.23", "librte_mempool_ring.so.23",
		"librte_net_e1000.so.23",
	};
	char *argv[32];
	int argc = 0, i, ret;

	/* EAL keeps its runtime files in /var/run/dpdk; the guest's
	 * initramfs has no /var. And it refuses plugins below a
	 * world-writable directory, which the initramfs root is. */
	if ((mkdir("/var", 0755) && errno != EEXIST) ||
	    (mkdir("/var/run", 0755) && errno != EEXIST) ||
	    chmod("/", 0755))
		return -errno;

	argv[argc++] = "guest_dpdk_net";
	argv[argc++] = "-l";
	argv[argc++] = "0";
	argv[argc++] = "--no-telemetry";
	argv[argc++] = "--huge-dir";
	argv[argc++] = "/dev/hugepages";
	argv[argc++] = "--log-level";
	argv[argc++] = "lib.eal:notice";
	argv[argc++] = "-a";
	argv[argc++] = BDF_A;
	if (both) {
		argv[argc++] = "-a";
		argv[argc++] = BDF_B;
	}
	for (i = 0; i < 3; i++) {
		snprintf(plug[i], sizeof(plug[i]), "%s/%s", o->pmd_dir,
			 plugins[i]);
		argv[argc++] = "-d";
		argv[argc++] = plug[i];
	}
	argv[argc] = NULL;
	ret = rte_eal_init(argc, argv);
	return ret < 0 ? -rte_errno : 0;
}

static int pmd_port(const char *bdf, uint16_t *port)
{
	uint16_t p;
	char name[RTE_ETH_NAME_MAX_LEN];

	RTE_ETH_FOREACH_DEV(p) {
		if (!rte_eth_dev_get_name_by_port(p, name) &&
		    !strcmp(name, bdf)) {
			*port = p;
			return 0;
		}
	}
	return -ENODEV;
}

/* Configure and start a PMD port with one queue each way on @mp. */
static int pmd_start(struct side *s)
{
	struct rte_eth_conf conf;
	struct rte_eth_link link;
	double t0;
	int ret;

	memset(&conf, 0, sizeof(conf));
	ret = rte_eth_dev_configure(s->port, 1, 1, &conf);
	if (!ret)
		ret = rte_eth_rx_queue_setup(s->port, 0, RING,
					     rte_eth_dev_socket_id(s->port),
					     NULL, s->mp);
	if (!ret)
		ret = rte_eth_tx_queue_setup(s->port, 0, RING,
					     rte_eth_dev_socket_id(s->port),
					     NULL);
	if (!ret)
		ret = rte_eth_dev_start(s->port);
	if (ret)
		return ret;
	for (t0 = netpkt_now(); netpkt_now() - t0 < 5.0; usleep(10000)) {
		memset(&link, 0, sizeof(link));
		if (!rte_eth_link_get_nowait(s->port, &link) &&
		    link.link_status == RTE_ETH_LINK_UP)
			return 0;
	}
	return -ETIMEDOUT;
}

static struct rte_mempool *pmd_pool(const char *name)
{
	return rte_pktmbuf_pool_create(name, MBUFS, 256, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
}

/* ---- uvf's side on 00:06.0 ---- */

struct uvf_side {
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	struct side s;
};

/* Context (on EAL's container for type1), device, domain, EAL memory. */
static int uvf_up(struct uvf_side *u, enum uvf_vfio_backend be, bool eal)
{
	struct uvf_vfio_opts vo = { .backend = be };
	const char *step = "context";
	int ret;

	memset(u, 0, sizeof(*u));
	u->s.mac = mac_b;
	ret = eal && be == UVF_VFIO_TYPE1 ? uvf_dpdk_vfio_open(&u->iommu)
					  : uvf_vfio_open(&vo, &u->iommu);
	if (!ret) {
		step = "device";
		ret = uvf_vfio_device_open(u->iommu, BDF_B, &u->dev);
	}
	if (!ret) {
		step = "domain";
		ret = uvf_domain_create(u->iommu,
					be == UVF_VFIO_NOIOMMU ?
						UVF_DOMAIN_DIRECT :
						UVF_DOMAIN_TRANSLATED,
					&u->dom);
	}
	if (!ret) {
		step = "attach";
		ret = uvf_domain_attach(u->dom, u->dev);
	}
	if (!ret && eal) {
		step = "uvf_dpdk_attach_memory";
		ret = uvf_dpdk_attach_memory(u->dom);
	}
	if (ret)
		diag("uvf side: %s: %s", step, strerror(-ret));
	return ret;
}

static void uvf_down(struct uvf_side *u)
{
	uvf_e1000e_close(u->s.nic);
	u->s.nic = NULL;
	if (u->s.pool && uvf_e1000e_pool_destroy(u->s.pool))
		tap(false, "uvf pool destroyed");
	u->s.pool = NULL;
	uvf_device_close(u->dev);
	uvf_domain_destroy(u->dom);
	uvf_iommu_destroy(u->iommu);
	u->dev = NULL;
	u->dom = NULL;
	u->iommu = NULL;
}

static int uvf_port(struct uvf_side *u, struct uvf_e1000e_pool *pool)
{
	struct uvf_e1000e_opts eo = { .rx_ring_size = RING,
				      .tx_ring_size = RING, .pool = pool };

	return uvf_e1000e_open(u->dev, &eo, &u->s.nic);
}

/* Every buffer of a pool over EAL memory is at EAL's own IOVA: checks the
 * first @n the pool hands out. */
static bool pool_at_eal_iovas(struct uvf_e1000e_pool *pool, unsigned int n)
{
	struct uvf_e1000e_buf *b[64];
	unsigned int i, bad = 0;

	if (n > 64 || uvf_e1000e_pool_alloc(pool, b, n))
		return false;
	for (i = 0; i < n; i++)
		bad += rte_mem_virt2iova(b[i]->data) != b[i]->iova;
	uvf_e1000e_pool_free(b, n);
	return !bad;
}

/* ---- the test ---- */

struct rig {
	struct side pmd;
	struct uvf_side u;
	void *umem;		/* rte_malloc: uvf's packet buffers */
};

static bool both_ways(struct rig *r, uint64_t count, const char *when)
{
	char what[128];
	bool ok;

	snprintf(what, sizeof(what), "%s: PMD -> uvf, 60..1514 bytes", when);
	ok = stream(&r->pmd, &r->u.s, count, 0, what) > 0;
	snprintf(what, sizeof(what), "%s: uvf -> PMD, 60..1514 bytes", when);
	ok &= stream(&r->u.s, &r->pmd, count, 0, what) > 0;
	return ok;
}

static bool uvf_stack_up(struct rig *r, enum uvf_vfio_backend be,
			 const char *when)
{
	struct uvf_dpdk_stats st;
	int ret = uvf_up(&r->u, be, true);

	if (!tap(!ret, "%s: uvf on %s, %s domain, EAL memory attached: %d",
		 when, BDF_B,
		 be == UVF_VFIO_TYPE1 ? "EAL's VFIO container, translated" :
					"noiommu, direct", ret))
		return false;
	ret = uvf_dpdk_get_stats(r->u.dom, &st);
	tap(!ret && st.shared == (be == UVF_VFIO_TYPE1) &&
		    st.direct == (be == UVF_VFIO_NOIOMMU) && st.pages > 0,
	    "%s: attachment %s, %" PRIu64 " EAL pages (%" PRIu64
	    " MiB), hotplug %s",
	    when, st.shared ? "shares EAL's container" :
		  st.direct ? "direct" : "maps", st.pages, st.bytes >> 20,
	    st.hotplug ? "followed" : "off");
	ret = uvf_e1000e_pool_create_mem(r->u.dev, r->umem, UVF_POOL_LEN,
					 &r->u.s.pool);
	if (!tap(!ret, "%s: uvf pool over %u MiB of rte_malloc memory: %d",
		 when, UVF_POOL_LEN >> 20, ret))
		return false;
	tap(pool_at_eal_iovas(r->u.s.pool, 64),
	    "%s: uvf buffers sit at EAL's IOVAs (rte_mem_virt2iova)", when);
	ret = uvf_port(&r->u, r->u.s.pool);
	return tap(!ret, "%s: uvf e1000e port open: %d", when, ret);
}

/* EAL memory allocated after the attachment is followed: a second pool
 * over it carries frames both ways. */
static void hotplug(struct rig *r, uint64_t count)
{
	struct uvf_dpdk_stats a, b;
	struct uvf_e1000e_pool *pool2;
	void *big;
	uvf_iova_t iova;
	int ret;

	uvf_dpdk_get_stats(r->u.dom, &a);
	big = rte_malloc("uvf-hotplug", HOTPLUG_LEN, 4096);
	if (!tap(big != NULL, "rte_malloc %u MiB after the attachment",
		 HOTPLUG_LEN >> 20))
		return;
	uvf_dpdk_get_stats(r->u.dom, &b);
	ret = uvf_dma_vtoiova(r->u.dev, (char *)big + HOTPLUG_LEN - 1, &iova);
	tap(!ret && iova == rte_mem_virt2iova((char *)big +
						HOTPLUG_LEN - 1) &&
		    (!a.hotplug || b.alloc_events > a.alloc_events),
	    "new EAL memory known to uvf at EAL's IOVA (%" PRIu64
	    " -> %" PRIu64 " pages, %" PRIu64 " alloc events, errors %" PRIu64
	    ")", a.pages, b.pages, b.alloc_events, b.errors);
	/* Reopen the port on a pool over the new memory. */
	uvf_e1000e_close(r->u.s.nic);
	r->u.s.nic = NULL;
	ret = uvf_e1000e_pool_create_mem(r->u.dev, big, HOTPLUG_LEN / 8,
					 &pool2);
	if (tap(!ret, "uvf pool over the new EAL memory: %d", ret)) {
		ret = uvf_port(&r->u, pool2);
		if (tap(!ret, "uvf port on it: %d", ret)) {
			both_ways(r, count / 4, "new EAL memory");
			uvf_e1000e_close(r->u.s.nic);
			r->u.s.nic = NULL;
		}
		tap(uvf_e1000e_pool_destroy(pool2) == 0,
		    "pool over the new memory destroyed");
	}
	ret = uvf_port(&r->u, r->u.s.pool);
	tap(!ret, "uvf port back on the first pool: %d", ret);
	rte_free(big);
	uvf_dpdk_get_stats(r->u.dom, &b);
	diag("after rte_free: %" PRIu64 " pages, %" PRIu64
	     " free events, errors %" PRIu64 " (last %d)",
	     b.pages, b.free_events, b.errors, b.last_error);
	tap(!b.errors, "no memory event failed in uvf (last error %d)",
	    b.last_error);
}

/* With uvf gone, the PMD still transmits: the NIC reads its descriptors
 * and mbufs (and counts the frames). */
static void pmd_alone(struct rig *r)
{
	struct rte_eth_stats before, after;
	unsigned int lens[BURST], i, sent = 0;
	double t0;
	int k;

	for (i = 0; i < BURST; i++)
		lens[i] = NETPKT_MAX_LEN;
	rte_eth_stats_get(r->pmd.port, &before);
	for (t0 = netpkt_now(); sent < 1024 && netpkt_now() - t0 < 10;) {
		k = side_tx(&r->pmd, mac_b, sent, BURST, lens);
		if (k < 0)
			break;
		sent += (unsigned int)k;
	}
	for (t0 = netpkt_now(); netpkt_now() - t0 < 5; usleep(10000)) {
		rte_eth_stats_get(r->pmd.port, &after);
		if (after.opackets - before.opackets >= sent)
			break;
	}
	tap(sent == 1024 && after.opackets - before.opackets == sent,
	    "uvf closed: the PMD still sent %u frames (NIC counted %" PRIu64
	    ")", sent, after.opackets - before.opackets);
}

static int run_test(const struct opts *o)
{
	struct rig r;
	int ret;

	memset(&r, 0, sizeof(r));
	r.pmd.dpdk = true;
	r.pmd.mac = mac_a;
	ret = pmd_port(BDF_A, &r.pmd.port);
	if (!tap(!ret && rte_eth_dev_count_avail() == 1,
		 "EAL probed %s, and only it: %u port(s)", BDF_A,
		 rte_eth_dev_count_avail()))
		return tap_finish();
	{
		struct rte_eth_dev_info info;

		rte_eth_dev_info_get(r.pmd.port, &info);
		tap(!strcmp(info.driver_name, "net_e1000_em"),
		    "driver of %s: %s", BDF_A, info.driver_name);
	}
	r.pmd.mp = pmd_pool("pmd0");
	ret = r.pmd.mp ? pmd_start(&r.pmd) : -rte_errno;
	if (!tap(!ret, "PMD port started, link up: %d", ret))
		return tap_finish();
	r.umem = rte_malloc("uvf-bufs", UVF_POOL_LEN, 4096);
	if (!tap(r.umem != NULL, "rte_malloc %u MiB for uvf's buffers",
		 UVF_POOL_LEN >> 20))
		return tap_finish();
	if (!uvf_stack_up(&r, o->be, "first"))
		goto out;

	both_ways(&r, o->count, "shared");
	stream(&r.pmd, &r.u.s, o->count / 4, NETPKT_MIN_LEN,
	       "PMD -> uvf, 60 bytes");
	stream(&r.u.s, &r.pmd, o->count / 4, NETPKT_MIN_LEN,
	       "uvf -> PMD, 60 bytes");
	hotplug(&r, o->count);

	/* uvf goes away entirely; EAL's mappings must survive it. */
	uvf_down(&r.u);
	pmd_alone(&r);
	if (uvf_stack_up(&r, o->be, "uvf again"))
		both_ways(&r, o->count / 2, "after uvf's teardown");

	/* The PMD stops and its mbufs go back to EAL, which unmaps them;
	 * uvf's rings and buffers must survive that. */
	rte_eth_dev_stop(r.pmd.port);
	rte_mempool_free(r.pmd.mp);
	r.pmd.mp = pmd_pool("pmd1");
	ret = r.pmd.mp ? pmd_start(&r.pmd) : -rte_errno;
	if (tap(!ret, "PMD restarted on a new mbuf pool: %d", ret) &&
	    r.u.s.nic)
		both_ways(&r, o->count / 2, "after the PMD's pool was freed");
out:
	uvf_down(&r.u);
	rte_free(r.umem);
	rte_eth_dev_stop(r.pmd.port);
	tap(rte_eth_dev_close(r.pmd.port) == 0, "PMD port closed");
	rte_mempool_free(r.pmd.mp);
	return tap_finish();
}

/* One driver on both NICs, 00:05.0 -> 00:06.0, frames of one size. */
static int run_bench(const struct opts *o)
{
	struct side a = { .mac = mac_a }, b = { .mac = mac_b };
	struct uvf_side ua, ub;
	char what[64];
	double pps;
	int ret = 0;

	snprintf(what, sizeof(what), "%s, %u-byte frames", o->bench, o->size);
	if (!strcmp(o->bench, "dpdk")) {
		a.dpdk = b.dpdk = true;
		ret = pmd_port(BDF_A, &a.port);
		if (!ret)
			ret = pmd_port(BDF_B, &b.port);
		a.mp = pmd_pool("bench-a");
		b.mp = pmd_pool("bench-b");
		if (!ret)
			ret = a.mp && b.mp ? pmd_start(&a) : -ENOMEM;
		if (!ret)
			ret = pmd_start(&b);
		if (!tap(!ret, "PMD on both NICs: %d", ret))
			return tap_finish();
	} else {
		/* uvf as an application uses it: both NICs in one domain of
		 * its own, one shared pool; no EAL. */
		ret = uvf_up(&ua, o->be, false);
		if (!ret) {
			ub = ua;
			ret = uvf_vfio_device_open(ua.iommu, BDF_A, &ua.dev);
		}
		if (!ret)
			ret = uvf_domain_attach(ua.dom, ua.dev);
		if (!ret)
			ret = uvf_e1000e_pool_create(ua.dev, 2048, &ua.s.pool);
		if (!ret) {
			ub.s.pool = ua.s.pool;
			ret = uvf_port(&ua, ua.s.pool);
		}
		if (!ret)
			ret = uvf_port(&ub, ua.s.pool);
		if (!tap(!ret, "uvf on both NICs: %d", ret))
			return tap_finish();
		a = ua.s;
		a.mac = mac_a;
		b = ub.s;
		b.mac = mac_b;
	}
	pps = stream(&a, &b, o->count, o->size, what);
	if (pps > 0)
		printf("BENCH {\"driver\": \"%s\", \"backend\": \"%s\", "
		       "\"frame\": %u, \"frames\": %" PRIu64
		       ", \"pps\": %.0f}\n",
		       o->bench, uvf_vfio_backend_name(o->be), o->size + 4,
		       o->count, pps);
	if (a.dpdk) {
		rte_eth_dev_stop(a.port);
		rte_eth_dev_stop(b.port);
	} else {
		uvf_e1000e_close(ua.s.nic);
		uvf_e1000e_close(ub.s.nic);
		tap(uvf_e1000e_pool_destroy(ua.s.pool) == 0, "pool destroyed");
		uvf_device_close(ua.dev);
		uvf_device_close(ub.dev);
		uvf_domain_destroy(ua.dom);
		uvf_iommu_destroy(ua.iommu);
	}
	return tap_finish();
}

static int parse_args(int argc, char **argv, struct opts *o)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc)
			o->count = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--pmd-dir") && i + 1 < argc)
			o->pmd_dir = argv[++i];
		else if (!strcmp(argv[i], "--bench") && i + 1 < argc)
			o->bench = argv[++i];
		else if (!strcmp(argv[i], "--size") && i + 1 < argc)
			o->size = (unsigned int)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--type1"))
			o->be = UVF_VFIO_TYPE1;
		else if (!strcmp(argv[i], "--noiommu"))
			o->be = UVF_VFIO_NOIOMMU;
		else
			return -EINVAL;
	}
	if (o->be == UVF_VFIO_AUTO || !o->count)
		return -EINVAL;
	if (o->bench && ((strcmp(o->bench, "uvf") && strcmp(o->bench, "dpdk")) ||
			 o->size < NETPKT_MIN_LEN || o->size > NETPKT_MAX_LEN))
		return -EINVAL;
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 20000, .pmd_dir = PMD_DIR };
	bool eal;
	int ret;

	if (parse_args(argc, argv, &o)) {
		fprintf(stderr,
			"usage: %s --type1|--noiommu [--count N] [--pmd-dir DIR] [--bench uvf|dpdk --size BYTES]\n",
			argv[0]);
		return 2;
	}
	if (access("/sys/bus/pci/drivers/vfio-pci/" BDF_A, F_OK) ||
	    access("/sys/bus/pci/drivers/vfio-pci/" BDF_B, F_OK)) {
		printf("1..0 # SKIP the e1000e NICs are not on vfio-pci\n");
		return 77;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	eal = !o.bench || !strcmp(o.bench, "dpdk");
	diag("backend %s, %" PRIu64 " frames%s%s", uvf_vfio_backend_name(o.be),
	     o.count, o.bench ? ", bench " : "", o.bench ? o.bench : "");
	if (eal) {
		ret = uvf_dpdk_hugepages_reserve(HUGEPAGES);
		if (!tap(!ret, "%u free huge pages: %d", HUGEPAGES, ret))
			return tap_finish();
		ret = eal_up(&o, o.bench != NULL);
		if (!tap(!ret, "EAL initialised, IOVA as %s: %s",
			 rte_eal_iova_mode() == RTE_IOVA_VA ? "VA" : "PA",
			 ret ? strerror(-ret) : "ok"))
			return tap_finish();
	}
	ret = o.bench ? run_bench(&o) : run_test(&o);
	if (eal)
		rte_eal_cleanup();
	return ret;
}
