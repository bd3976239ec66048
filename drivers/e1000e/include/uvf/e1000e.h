/* SPDX-License-Identifier: MIT */
/*
 * A userspace driver for the Intel 82574L gigabit NIC (PCI 8086:10d3, what
 * QEMU's "e1000e" device models), over uvf's device and DMA APIs, with a
 * DPDK-style burst interface.
 *
 * Memory. Descriptor rings come from uvf_dma_alloc_coherent() (a ring of
 * up to 256 descriptors is one 4 KiB page, so it is contiguous for the
 * device even without an IOMMU). Packets live in buffers of a pool (struct
 * uvf_e1000e_pool): one region of 2 KiB buffers, registered once with
 * uvf_dma_register() and translated with uvf_dma_vtoiova() when the pool is
 * made, so the hot path does no mapping and no lookup. A buffer never
 * crosses a 4 KiB page, so noiommu needs no huge pages either. A port
 * makes its own pool unless it is given one; ports whose devices share a
 * domain may share a pool, and then a buffer received on one port can be
 * sent on the other without a copy.
 *
 * Buffer ownership, the rule of every call below:
 *   uvf_e1000e_pool_alloc()  the caller owns the buffers it returns.
 *   uvf_e1000e_tx_burst()    returns k: bufs[0..k) belong to the driver
 *                            from then on and go back to their pool once
 *                            the NIC has read them; bufs[k..n) stay the
 *                            caller's (the ring was full: retry or free).
 *   uvf_e1000e_rx_burst()    returns k: bufs[0..k) are the caller's, to
 *                            free or to send (on a port of the same
 *                            domain).
 *   uvf_e1000e_pool_free()   gives buffers back; the caller must not touch
 *                            them afterwards.
 * A buffer is never lost: rx_burst() hands a frame out only after taking a
 * replacement for its ring slot from the pool; when the pool is empty the
 * frame stays in the ring (counted in rx_nombuf) until buffers come back.
 *
 * Threads. The receive calls (rx_burst, rx_wait) and the transmit calls
 * (tx_burst, tx_flush) of one port touch disjoint state: one thread may
 * receive while another transmits, as with DPDK queues, but two threads
 * must not receive (or transmit) on one port at once. Pools and
 * uvf_e1000e_get_stats() are thread-safe.
 *
 * Completion. Polling by default; with interrupts, uvf_e1000e_rx_wait()
 * (uvf_e1000e_rx_wait_queue() for queue 1) sleeps on the queue's MSI-X
 * receive vector (else MSI) until a frame arrives.
 *
 * Queues and RSS. The 82574 has two receive and two transmit queues
 * (opts.queues = 2). Transmit queues are independent rings (the NIC
 * arbitrates between them); a frame lands on receive queue 1 only by RSS
 * (opts.rss, uvf_e1000e_set_rss()): the NIC hashes the IPv4 addresses (and
 * TCP ports) with the Toeplitz function under a 40-byte key, and bit 7 of
 * entry (hash & 127) of the 128-entry redirection table picks the queue.
 * Each queue has its own burst calls (the *_queue variants; the plain ones
 * are queue 0), and the one-thread-per-direction rule holds per queue.
 *
 * Offloads. With opts.rx_csum the NIC checks IPv4 header and TCP/UDP
 * checksums and rx_burst reports the result in buf->ol_flags. On
 * transmit, UVF_E1000E_TX_IP_CSUM / UVF_E1000E_TX_L4_CSUM in ol_flags of
 * a frame's first buffer have the NIC fill in those checksums (an IPv4
 * frame without VLAN tag or IP options beyond what IHL says; the driver
 * reads the headers, seeds the pseudo-header sum and writes a context
 * descriptor when the layout changes).
 *
 * Jumbo frames. opts.max_frame (or uvf_e1000e_set_max_frame()) up to
 * UVF_E1000E_MAX_JUMBO bytes sets long-packet receive (RCTL.LPE). Buffers
 * stay 2 KiB: a longer frame spans several, chained by buf->next, with
 * pkt_len the frame's length and len each buffer's share. Transmit takes
 * chains the same way. uvf_e1000e_pool_free() frees a whole chain.
 *
 * Filters. Receive address 0 (the MAC address), broadcast, the multicast
 * table (uvf_e1000e_set_mc_list(): a 4096-bit hash of the destination's
 * bits 47:36, so an unsubscribed address sharing a hash bit with a
 * subscribed one also passes), all-multicast and promiscuous modes.
 *
 * Descriptors: extended receive descriptors; legacy transmit descriptors,
 * extended ones with a context descriptor for checksum offload. Limits:
 * no VLAN offload, no TSO, the FCS added on transmit and stripped on
 * receive, the PHY left as reset made it.
 */
#ifndef UVF_E1000E_H
#define UVF_E1000E_H

#include <uvf/driver.h>
#include <uvf/types.h>

struct uvf_device;
struct uvf_dmaheap;
struct uvf_e1000e;
struct uvf_e1000e_pool;

#define UVF_E1000E_VENDOR 0x8086
#define UVF_E1000E_DEVICE 0x10d3	/* 82574L */

#define UVF_E1000E_BUF_SIZE 2048u	/* bytes of room in every buffer */
#define UVF_E1000E_MIN_FRAME 14u	/* an Ethernet header */
#define UVF_E1000E_MAX_FRAME 1514u	/* header + 1500, FCS not counted */
#define UVF_E1000E_MAX_RING 4096u	/* descriptors */
#define UVF_E1000E_MAX_JUMBO 9018u	/* largest max_frame, FCS not counted */
#define UVF_E1000E_MAX_QUEUES 2u	/* each way */
#define UVF_E1000E_MAX_SEGS 8u		/* buffers of one transmitted frame */
#define UVF_E1000E_MAX_MC 256u		/* addresses in set_mc_list() */
#define UVF_E1000E_RSS_KEY_SIZE 40u
#define UVF_E1000E_RETA_SIZE 128u

/* buf->ol_flags, set by the caller before tx_burst (first buffer). */
#define UVF_E1000E_TX_IP_CSUM (1u << 0)	/* fill the IPv4 header checksum */
#define UVF_E1000E_TX_L4_CSUM (1u << 1)	/* fill the TCP or UDP checksum */
/* buf->ol_flags, set by rx_burst (first buffer). */
#define UVF_E1000E_RX_IP_CSUM_GOOD (1u << 8)
#define UVF_E1000E_RX_IP_CSUM_BAD (1u << 9)
#define UVF_E1000E_RX_L4_CSUM_GOOD (1u << 10)	/* TCP or UDP */
#define UVF_E1000E_RX_L4_CSUM_BAD (1u << 11)
#define UVF_E1000E_RX_RSS_HASH (1u << 12)	/* rss_hash holds the hash */

/*
 * One packet buffer. data and iova are fixed by the pool; len is the frame
 * length (set by the caller before tx_burst, by the driver in rx_burst),
 * or this buffer's share of a frame chained over several by next. pool
 * and idx belong to the driver. A buffer comes from the pool with next
 * NULL and ol_flags 0.
 */
struct uvf_e1000e_buf {
	void *data;			/* UVF_E1000E_BUF_SIZE bytes */
	uvf_iova_t iova;		/* device address of data */
	uint16_t len;			/* bytes in this buffer, without FCS */
	uint16_t pkt_len;		/* rx: bytes of the whole frame */
	uint16_t ol_flags;		/* UVF_E1000E_TX_* / UVF_E1000E_RX_* */
	uint32_t rss_hash;		/* rx, with UVF_E1000E_RX_RSS_HASH */
	struct uvf_e1000e_buf *next;	/* next buffer of the frame, or NULL */
	struct uvf_e1000e_pool *pool;
	uint32_t idx;
};

/* Hashed fields for RSS (uvf_e1000e_rss.fields). */
#define UVF_E1000E_RSS_IPV4 (1u << 0)		/* IPv4 addresses */
#define UVF_E1000E_RSS_TCPIPV4 (1u << 1)	/* and TCP ports, for TCP */

struct uvf_e1000e_rss {
	uint8_t key[UVF_E1000E_RSS_KEY_SIZE];	/* Toeplitz key */
	uint8_t reta[UVF_E1000E_RETA_SIZE];	/* queue of hash & 127 */
	unsigned int fields;			/* UVF_E1000E_RSS_* */
};

enum uvf_e1000e_irq {
	UVF_E1000E_IRQ_NONE,		/* polling only */
	UVF_E1000E_IRQ_AUTO,		/* MSI-X, else MSI */
	UVF_E1000E_IRQ_MSIX,		/* vectors: 0 receive (queue 0),
					 * 1 transmit, 2 other causes,
					 * 3 receive queue 1 */
	UVF_E1000E_IRQ_MSI,		/* one vector */
};

/* Zero (or NULL options) gives the default of each field. */
struct uvf_e1000e_opts {
	/* Descriptors, a multiple of 8 in 8..4096; default 256. Without an
	 * IOMMU a ring must be physically contiguous: one of more than 256
	 * descriptors spans several 4 KiB pages, and the open fails with
	 * -ENOTSUP when they are not contiguous. */
	unsigned int rx_ring_size;
	unsigned int tx_ring_size;	/* likewise */
	/* Buffers come from here when given (a pool of the device's domain,
	 * which must outlive the port); else the port makes a pool of
	 * pool_size buffers, default queues * (rx + tx ring size) + 512. */
	struct uvf_e1000e_pool *pool;
	unsigned int pool_size;
	enum uvf_e1000e_irq irq;	/* default UVF_E1000E_IRQ_NONE */
	unsigned int reset_timeout_ms;	/* default 1000 */
	unsigned int link_timeout_ms;	/* default 5000 */
	bool no_link_wait;		/* open without waiting for link */
	bool promisc;			/* accept every unicast and multicast */
	/* Receive and transmit queues, 1..UVF_E1000E_MAX_QUEUES; default 1.
	 * Each queue has rx_ring_size / tx_ring_size descriptors. */
	unsigned int queues;
	/* Spread received frames over the queues by RSS (needs 2 queues):
	 * IPv4 and TCP/IPv4 hashing, the key of Microsoft's RSS
	 * verification suite, the redirection table alternating 0, 1. */
	bool rss;
	bool rx_csum;			/* check checksums on receive */
	/* Longest frame received or sent, without FCS:
	 * UVF_E1000E_MAX_FRAME..UVF_E1000E_MAX_JUMBO; default
	 * UVF_E1000E_MAX_FRAME. */
	unsigned int max_frame;
	/* DMA heap for the descriptor rings and the pool the port makes:
	 * NULL for the process-wide one (uvf_dmaheap_shared()). Held in the
	 * device's domain from open to close (uvf_dmaheap_hold()). */
	struct uvf_dmaheap *heap;
};

struct uvf_e1000e_link {
	bool up;
	unsigned int speed_mbps;	/* 10, 100 or 1000 */
	bool full_duplex;
};

/*
 * Counters since the port was opened. The NIC's statistics registers clear
 * when read; the driver adds each read to these totals (QEMU 7.2 keeps a
 * few error counters without clear-on-read and never increments them).
 * Octet counts include the 4-byte FCS on real hardware.
 */
struct uvf_e1000e_stats {
	/* From the NIC. */
	uint64_t rx_packets, rx_bytes;		/* GPRC, GORC */
	uint64_t tx_packets, tx_bytes;		/* GPTC, GOTC */
	uint64_t rx_broadcast, rx_multicast;	/* BPRC, MPRC */
	uint64_t rx_missed;			/* MPC: no room, dropped */
	uint64_t rx_no_buffer;			/* RNBC: ring was empty */
	uint64_t rx_crc_errors;			/* CRCERRS */
	uint64_t rx_errors;			/* RXERRC */
	uint64_t rx_undersize, rx_oversize;	/* RUC, ROC */
	/* From the driver. */
	uint64_t sw_rx_packets, sw_rx_bytes;	/* handed out by rx_burst */
	uint64_t sw_tx_packets, sw_tx_bytes;	/* accepted by tx_burst */
	uint64_t rx_nombuf;	/* rx_burst stopped early: pool empty */
	uint64_t rx_dropped;	/* frames the NIC flagged bad, recycled */
};

/**
 * uvf_e1000e_pool_create() - make a pool of packet buffers for the devices
 *                            of @dev's domain
 * @dev: device attached to a domain
 * @nbufs: buffers, 1..1048576
 * @out: the pool
 *
 * The memory is locked (best effort, see mlock(2)) and registered with
 * uvf_dma_register() once.
 *
 * Return: 0; -EINVAL; -ENOMEM; or an error from uvf_dma_register() or
 * uvf_dma_vtoiova().
 */
int uvf_e1000e_pool_create(struct uvf_device *dev, unsigned int nbufs,
			   struct uvf_e1000e_pool **out);

/**
 * uvf_e1000e_pool_create_mem() - make a pool of packet buffers over memory
 *                                the caller provides
 * @dev: device attached to a domain
 * @mem: start, 4 KiB aligned, already reachable by the devices of @dev's
 *       domain: registered with uvf_dma_register(), or EAL memory (an
 *       rte_malloc() buffer) of a domain given to uvf_dpdk_attach_memory()
 *       (uvf/dpdk.h); every byte must have a device address by
 *       uvf_dma_vtoiova()
 * @len: bytes, a non-zero multiple of 4 KiB: @len / UVF_E1000E_BUF_SIZE
 *       buffers
 * @out: the pool
 *
 * The pool neither maps, registers nor frees @mem: the caller keeps it
 * alive and reachable until uvf_e1000e_pool_destroy() has returned 0.
 *
 * Return: 0; -EINVAL (bad arguments, or @dev is not attached); -ENOENT (a
 * byte of @mem has no device address); -ENOTSUP (a buffer is not
 * contiguous for the device); -ENOMEM.
 */
int uvf_e1000e_pool_create_mem(struct uvf_device *dev, void *mem, size_t len,
			       struct uvf_e1000e_pool **out);

/**
 * uvf_e1000e_pool_destroy() - unregister and free a pool
 * @pool: pool, may be NULL
 *
 * Memory the pool made itself is unregistered and freed; memory given to
 * uvf_e1000e_pool_create_mem() is left as it is, the caller's.
 *
 * Return: 0, or -EBUSY (a port still uses it or buffers are still out;
 * nothing done).
 */
int uvf_e1000e_pool_destroy(struct uvf_e1000e_pool *pool);

/**
 * uvf_e1000e_pool_alloc() - take @n buffers, all or none
 * @pool: pool
 * @bufs: receives the buffers
 * @n: how many, at least 1
 *
 * Return: 0, -EINVAL, or -ENOBUFS (fewer than @n free; none taken).
 */
int uvf_e1000e_pool_alloc(struct uvf_e1000e_pool *pool,
			  struct uvf_e1000e_buf **bufs, unsigned int n);

/**
 * uvf_e1000e_pool_free() - give buffers back to their pools
 * @bufs: buffers, from any pools; NULL entries are skipped; each goes
 *        back with the buffers chained after it by next
 * @n: how many
 *
 * Return: nothing.
 */
void uvf_e1000e_pool_free(struct uvf_e1000e_buf **bufs, unsigned int n);

/**
 * uvf_e1000e_pool_avail() - free buffers in a pool
 * @pool: pool
 *
 * Return: the count.
 */
unsigned int uvf_e1000e_pool_avail(struct uvf_e1000e_pool *pool);

/**
 * uvf_e1000e_match() - whether @dev is an 82574L, by configuration space
 * @dev: device
 *
 * Return: 1 on a match, 0 on none, or a negative errno when configuration
 * space cannot be read.
 */
int uvf_e1000e_match(struct uvf_device *dev);

/**
 * uvf_e1000e_open() - reset the NIC and start receiving and transmitting
 * @dev: device attached to a domain; must outlive the port
 * @opts: options, or NULL for the defaults
 * @out: the port
 *
 * Enables memory decoding and bus mastering, masks interrupts, stops
 * receive and transmit, resets the MAC (CTRL.RST) and waits for the reset
 * and the EEPROM auto-read to finish, reads the MAC address (receive
 * address 0, else the EEPROM), clears the statistics registers, sets up
 * both rings with every receive slot holding a buffer, sets up
 * interrupts if asked (masked until uvf_e1000e_rx_wait()), enables
 * receive and transmit, and waits for STATUS.LU.
 *
 * Return: 0; -ENODEV (not an 82574L, or BAR 0 is not its register
 * window); -EINVAL (bad option, or a pool of another domain); -ETIMEDOUT
 * (the reset or the link did not finish in time); -EIO (no valid MAC
 * address); -ENOTSUP (the interrupt type asked for is unavailable, or
 * without an IOMMU a ring is not physically contiguous);
 * -ENOBUFS (the pool cannot fill the receive ring); -ENOMEM; or a device
 * or DMA error. On failure the NIC is left reset with bus mastering off,
 * and nothing leaks.
 */
int uvf_e1000e_open(struct uvf_device *dev, const struct uvf_e1000e_opts *opts,
		    struct uvf_e1000e **out);

/**
 * uvf_e1000e_close() - stop the NIC and free the port
 * @nic: port, may be NULL; no other thread may be using it
 *
 * Masks interrupts, stops receive and transmit, resets the MAC and turns
 * bus mastering off before any memory is freed, so no DMA can follow. Ring
 * buffers go back to the pool; a private pool is destroyed with the port,
 * so buffers of it the caller still holds become invalid: free them first.
 *
 * Return: nothing.
 */
void uvf_e1000e_close(struct uvf_e1000e *nic);

/**
 * uvf_e1000e_device() - the device under a port
 * @nic: port
 *
 * Return: the device given to uvf_e1000e_open().
 */
struct uvf_device *uvf_e1000e_device(const struct uvf_e1000e *nic);

/**
 * uvf_e1000e_pool() - the pool a port takes receive buffers from
 * @nic: port
 *
 * Return: the pool (the private one, or the one given in the options).
 */
struct uvf_e1000e_pool *uvf_e1000e_pool(const struct uvf_e1000e *nic);

/**
 * uvf_e1000e_irq_type() - how the port signals completions
 * @nic: port
 *
 * Return: UVF_E1000E_IRQ_NONE, UVF_E1000E_IRQ_MSIX or UVF_E1000E_IRQ_MSI
 * (what UVF_E1000E_IRQ_AUTO chose).
 */
enum uvf_e1000e_irq uvf_e1000e_irq_type(const struct uvf_e1000e *nic);

/**
 * uvf_e1000e_mac_addr() - the port's MAC address (receive address 0)
 * @nic: port
 * @mac: receives 6 bytes
 *
 * Return: nothing.
 */
void uvf_e1000e_mac_addr(const struct uvf_e1000e *nic, uint8_t mac[6]);

/**
 * uvf_e1000e_set_mac_addr() - change receive address 0
 * @nic: port
 * @mac: a unicast address, not all zero
 *
 * Return: 0, -EINVAL, or a device error.
 */
int uvf_e1000e_set_mac_addr(struct uvf_e1000e *nic, const uint8_t mac[6]);

/**
 * uvf_e1000e_link_get() - link state from the STATUS register
 * @nic: port
 * @link: filled in
 *
 * Return: 0, -ENODEV (the NIC was removed: its registers read all ones),
 * or a device error.
 */
int uvf_e1000e_link_get(struct uvf_e1000e *nic, struct uvf_e1000e_link *link);

/**
 * uvf_e1000e_link_wait() - wait until the link is up
 * @nic: port
 * @timeout_ms: give up after this long
 *
 * Return: 0, -ETIMEDOUT, -ENODEV (removed), or a device error.
 */
int uvf_e1000e_link_wait(struct uvf_e1000e *nic, unsigned int timeout_ms);

/**
 * uvf_e1000e_tx_burst() - queue frames for transmission
 * @nic: port
 * @bufs: buffers of a pool of the port's domain, len set to the frame
 *        length (UVF_E1000E_MIN_FRAME..the port's max frame), or frames
 *        chained over up to UVF_E1000E_MAX_SEGS buffers by next (every
 *        len 1..UVF_E1000E_BUF_SIZE, their sum the frame length); with
 *        checksum flags in ol_flags, an IPv4 frame carrying TCP or UDP
 *        for UVF_E1000E_TX_L4_CSUM, its headers in the first buffer
 * @n: how many
 *
 * First reclaims the descriptors the NIC has finished (their buffers go
 * back to their pools), then posts as many frames as fit and rings the
 * doorbell (TDT) once. Posting stops at the first invalid buffer.
 *
 * Return: the number of frames posted, bufs[0..k), now owned by the
 * driver (0 when the ring is full); -ENODEV when the ring is full because
 * the NIC was removed; -EINVAL when bufs[0] has a bad length, chain or
 * offload request, or @bufs is NULL with @n > 0; -EXDEV when bufs[0] is of a pool of
 * another domain. Nothing is posted on failure.
 */
int uvf_e1000e_tx_burst(struct uvf_e1000e *nic, struct uvf_e1000e_buf **bufs,
			unsigned int n);

/**
 * uvf_e1000e_tx_burst_queue() - uvf_e1000e_tx_burst() on transmit queue @q
 * @nic: port
 * @q: queue, below the port's queue count
 * @bufs: as for uvf_e1000e_tx_burst()
 * @n: how many
 *
 * Return: as uvf_e1000e_tx_burst(), or -EINVAL for a bad @q.
 */
int uvf_e1000e_tx_burst_queue(struct uvf_e1000e *nic, unsigned int q,
			      struct uvf_e1000e_buf **bufs, unsigned int n);

/**
 * uvf_e1000e_tx_flush() - wait until the NIC has sent everything posted,
 *                         and reclaim the buffers
 * @nic: port
 * @timeout_ms: give up after this long
 *
 * Return: 0, -ETIMEDOUT (frames are still queued), or -ENODEV (the NIC
 * was removed; the frames stay posted until close).
 */
int uvf_e1000e_tx_flush(struct uvf_e1000e *nic, unsigned int timeout_ms);

/**
 * uvf_e1000e_rx_burst() - take received frames
 * @nic: port
 * @bufs: receives up to @n buffers, len set to the frame length
 * @n: room in @bufs
 *
 * Each frame's ring slots get fresh buffers from the pool, and the
 * doorbell (RDT) is written once. A frame longer than one buffer comes as
 * a chain (pkt_len its length). ol_flags says what the NIC checked
 * (opts.rx_csum) and whether rss_hash holds its RSS hash; a frame with a
 * bad checksum is handed out, flagged. Frames the NIC flagged with
 * errors, or longer than the port's max frame, are not handed out: their
 * buffers are reused and they count in rx_dropped.
 *
 * Return: the number of frames, 0..@n; -EINVAL when @bufs is NULL with
 * @n > 0.
 */
int uvf_e1000e_rx_burst(struct uvf_e1000e *nic, struct uvf_e1000e_buf **bufs,
			unsigned int n);

/**
 * uvf_e1000e_rx_burst_queue() - uvf_e1000e_rx_burst() on receive queue @q
 * @nic: port
 * @q: queue, below the port's queue count
 * @bufs: as for uvf_e1000e_rx_burst()
 * @n: room in @bufs
 *
 * Return: as uvf_e1000e_rx_burst(), or -EINVAL for a bad @q.
 */
int uvf_e1000e_rx_burst_queue(struct uvf_e1000e *nic, unsigned int q,
			      struct uvf_e1000e_buf **bufs, unsigned int n);

/**
 * uvf_e1000e_queues() - how many queues each way the port runs
 * @nic: port
 *
 * Return: 1 or 2.
 */
unsigned int uvf_e1000e_queues(const struct uvf_e1000e *nic);

/**
 * uvf_e1000e_set_rss() - program RSS: key, redirection table, fields
 * @nic: port opened with 2 queues
 * @rss: the configuration; every reta entry 0 or 1, fields a non-empty
 *       set of UVF_E1000E_RSS_*
 *
 * Return: 0; -EINVAL (bad argument, or the port has one queue; nothing
 * changed); or a device error.
 */
int uvf_e1000e_set_rss(struct uvf_e1000e *nic,
		       const struct uvf_e1000e_rss *rss);

/**
 * uvf_e1000e_get_rss() - the RSS configuration in force
 * @nic: port
 * @rss: filled in (fields 0 when RSS is off)
 *
 * Return: 0, or -EINVAL.
 */
int uvf_e1000e_get_rss(const struct uvf_e1000e *nic,
		       struct uvf_e1000e_rss *rss);

/**
 * uvf_e1000e_set_promisc() - receive every unicast and multicast frame, or
 *                            only those the filters accept
 * @nic: port
 * @on: promiscuous (RCTL.UPE and MPE) or not
 *
 * Turning promiscuous mode off keeps all-multicast if it was asked for.
 *
 * Return: 0, -EINVAL, or a device error.
 */
int uvf_e1000e_set_promisc(struct uvf_e1000e *nic, bool on);

/**
 * uvf_e1000e_set_allmulti() - receive every multicast frame (RCTL.MPE)
 * @nic: port
 * @on: all multicast or only the subscribed addresses
 *
 * Return: 0, -EINVAL, or a device error.
 */
int uvf_e1000e_set_allmulti(struct uvf_e1000e *nic, bool on);

/**
 * uvf_e1000e_set_mc_list() - replace the subscribed multicast addresses
 * @nic: port
 * @addrs: multicast addresses (bit 0 of the first byte set), may be NULL
 *         when @n is 0
 * @n: how many, 0..UVF_E1000E_MAX_MC; 0 unsubscribes all
 *
 * Rewrites the 128 multicast table registers from the addresses' hashes.
 *
 * Return: 0; -EINVAL (a unicast address, or too many; nothing changed);
 * or a device error (the previous table is written back).
 */
int uvf_e1000e_set_mc_list(struct uvf_e1000e *nic, const uint8_t (*addrs)[6],
			   unsigned int n);

/**
 * uvf_e1000e_set_max_frame() - change the longest frame received and sent
 * @nic: port
 * @max_frame: bytes without FCS,
 *             UVF_E1000E_MAX_FRAME..UVF_E1000E_MAX_JUMBO
 *
 * Above UVF_E1000E_MAX_FRAME the NIC accepts long frames (RCTL.LPE) into
 * chains of buffers; at it, it drops them again.
 *
 * Return: 0; -EINVAL (out of range; nothing changed); or a device error.
 */
int uvf_e1000e_set_max_frame(struct uvf_e1000e *nic, unsigned int max_frame);

/**
 * uvf_e1000e_max_frame() - the longest frame the port receives and sends
 * @nic: port
 *
 * Return: bytes, without FCS.
 */
unsigned int uvf_e1000e_max_frame(const struct uvf_e1000e *nic);

/**
 * uvf_e1000e_rx_wait() - sleep until a received frame waits in the ring
 * @nic: port opened with interrupts
 * @timeout_ms: -1 waits forever, 0 only checks
 *
 * Unmasks the receive interrupt only while it sleeps. It may return 0
 * without a frame (a stale interrupt): call rx_burst and wait again. With
 * MSI, one vector serves every cause: do not wait from two threads.
 *
 * Return: 0; -ETIMEDOUT; -ENODEV (nothing came, and the NIC was removed);
 * -ENOTSUP (the port polls); or an error from uvf_device_irq_wait().
 */
int uvf_e1000e_rx_wait(struct uvf_e1000e *nic, int timeout_ms);

/**
 * uvf_e1000e_rx_wait_queue() - uvf_e1000e_rx_wait() on receive queue @q
 * @nic: port opened with interrupts
 * @q: queue, below the port's queue count
 * @timeout_ms: -1 waits forever, 0 only checks
 *
 * With MSI-X each receive queue has its own vector (queue 0 vector 0,
 * queue 1 vector 3); with MSI both share the one vector, and a frame on
 * either queue wakes a waiter on either (a stale wake-up for the other).
 *
 * Return: as uvf_e1000e_rx_wait(), or -EINVAL for a bad @q.
 */
int uvf_e1000e_rx_wait_queue(struct uvf_e1000e *nic, unsigned int q,
			     int timeout_ms);

/**
 * uvf_e1000e_get_stats() - read the NIC's counters and return the totals
 * @nic: port
 * @st: filled in
 *
 * Return: 0, -ENODEV (the NIC was removed: the totals are the last ones
 * read), or a device error (the totals then hold what was read before the
 * failure: the NIC has cleared those counters already).
 */
int uvf_e1000e_get_stats(struct uvf_e1000e *nic, struct uvf_e1000e_stats *st);

/**
 * uvf_e1000e_check() - whether the NIC is still there
 * @nic: port
 *
 * A removed (hot-unplugged) NIC reads all ones, and its rings simply stop
 * moving: rx_burst finds nothing. A program polling for frames calls
 * this when it has waited long enough, or when its device got a
 * UVF_DEVICE_EVENT_REQUEST. Once removed, the port only closes (quickly:
 * no wait for the gone NIC).
 *
 * Return: 0 while the NIC answers; -EINVAL (@nic NULL); -ENODEV (its
 * STATUS register read all ones); or a device error.
 */
int uvf_e1000e_check(struct uvf_e1000e *nic);

/*
 * The driver model entry: probe opens the port with default options
 * (drvdata is the struct uvf_e1000e), remove closes it.
 */
extern const struct uvf_driver uvf_e1000e_driver;

#endif
