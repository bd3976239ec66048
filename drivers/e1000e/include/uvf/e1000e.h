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
 * sleeps on the MSI-X receive vector (else MSI) until a frame arrives.
 *
 * Limits: legacy descriptors, one queue each way, frames of 14..1514
 * bytes (no jumbo frames, no VLAN or checksum offload, the FCS added on
 * transmit and stripped on receive), the PHY left as reset made it.
 */
#ifndef UVF_E1000E_H
#define UVF_E1000E_H

#include <uvf/driver.h>
#include <uvf/types.h>

struct uvf_device;
struct uvf_e1000e;
struct uvf_e1000e_pool;

#define UVF_E1000E_VENDOR 0x8086
#define UVF_E1000E_DEVICE 0x10d3	/* 82574L */

#define UVF_E1000E_BUF_SIZE 2048u	/* bytes of room in every buffer */
#define UVF_E1000E_MIN_FRAME 14u	/* an Ethernet header */
#define UVF_E1000E_MAX_FRAME 1514u	/* header + 1500, FCS not counted */
#define UVF_E1000E_MAX_RING 4096u	/* descriptors */

/*
 * One packet buffer. data and iova are fixed by the pool; len is the frame
 * length (set by the caller before tx_burst, by the driver in rx_burst).
 * pool and idx belong to the driver.
 */
struct uvf_e1000e_buf {
	void *data;			/* UVF_E1000E_BUF_SIZE bytes */
	uvf_iova_t iova;		/* device address of data */
	uint16_t len;			/* frame bytes, without FCS */
	struct uvf_e1000e_pool *pool;
	uint32_t idx;
};

enum uvf_e1000e_irq {
	UVF_E1000E_IRQ_NONE,		/* polling only */
	UVF_E1000E_IRQ_AUTO,		/* MSI-X, else MSI */
	UVF_E1000E_IRQ_MSIX,		/* vectors: 0 receive, 1 transmit,
					 * 2 other causes */
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
	 * pool_size buffers, default rx + tx ring size + 512. */
	struct uvf_e1000e_pool *pool;
	unsigned int pool_size;
	enum uvf_e1000e_irq irq;	/* default UVF_E1000E_IRQ_NONE */
	unsigned int reset_timeout_ms;	/* default 1000 */
	unsigned int link_timeout_ms;	/* default 5000 */
	bool no_link_wait;		/* open without waiting for link */
	bool promisc;			/* accept every unicast and multicast */
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
 * @bufs: buffers, from any pools; NULL entries are skipped
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
 *        length (UVF_E1000E_MIN_FRAME..UVF_E1000E_MAX_FRAME)
 * @n: how many
 *
 * First reclaims the descriptors the NIC has finished (their buffers go
 * back to their pools), then posts as many frames as fit and rings the
 * doorbell (TDT) once. Posting stops at the first invalid buffer.
 *
 * Return: the number of frames posted, bufs[0..k), now owned by the
 * driver (0 when the ring is full); -ENODEV when the ring is full because
 * the NIC was removed; -EINVAL when bufs[0] has a bad length
 * or @bufs is NULL with @n > 0; -EXDEV when bufs[0] is of a pool of
 * another domain. Nothing is posted on failure.
 */
int uvf_e1000e_tx_burst(struct uvf_e1000e *nic, struct uvf_e1000e_buf **bufs,
			unsigned int n);

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
 * Each frame's ring slot gets a fresh buffer from the pool, and the
 * doorbell (RDT) is written once. Frames the NIC flagged with errors (or
 * that spilled over one buffer) are not handed out: their buffers are
 * reused and they count in rx_dropped.
 *
 * Return: the number of frames, 0..@n; -EINVAL when @bufs is NULL with
 * @n > 0.
 */
int uvf_e1000e_rx_burst(struct uvf_e1000e *nic, struct uvf_e1000e_buf **bufs,
			unsigned int n);

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
