/* SPDX-License-Identifier: MIT */
/* The e1000e driver's internals, shared by its files. */
#ifndef UVF_E1000E_PRIV_H
#define UVF_E1000E_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include <uvf/device.h>
#include <uvf/dmaheap.h>
#include <uvf/mmio.h>
#include <uvf/e1000e.h>

#include "e1000e_regs.h"

#define E1K_DEFAULT_RING 256u
#define E1K_DEFAULT_POOL_EXTRA 512u
#define E1K_MAX_POOL (1u << 20)
#define E1K_DEFAULT_RESET_MS 1000u
#define E1K_DEFAULT_LINK_MS 5000u

struct uvf_e1000e_pool {
	struct uvf_device *dev;		/* the registration is through it */
	struct uvf_domain *domain;
	void *mem;			/* the caller's (pool_create_mem) */
	size_t mem_len;
	/* Else buffers are objects of this heap pool, held in domain. */
	struct uvf_dmaheap *heap;
	struct uvf_dmaheap_pool *objs;
	unsigned int nbufs;
	struct uvf_e1000e_buf *bufs;	/* one per buffer, fixed */
	pthread_mutex_t lock;
	struct uvf_e1000e_buf **free;	/* stack of free buffers */
	unsigned int nfree;
	unsigned int users;		/* ports taking buffers from it */
};

/* A pool of @nbufs buffers from @heap, held in @dev's domain. */
int e1k_pool_create_heap(struct uvf_device *dev, struct uvf_dmaheap *heap,
			 unsigned int nbufs, struct uvf_e1000e_pool **out);
/* Take up to @n buffers (fewer when the pool runs low). */
unsigned int e1k_pool_take(struct uvf_e1000e_pool *pool,
			   struct uvf_e1000e_buf **bufs, unsigned int n);
/* Port reference counting, so a shared pool cannot go away under one. */
void e1k_pool_get(struct uvf_e1000e_pool *pool);
void e1k_pool_put(struct uvf_e1000e_pool *pool);

/* Receive side of one queue: only its receiving thread touches it. */
struct e1k_rx {
	union e1k_rx_desc *desc;
	uvf_iova_t desc_iova;
	size_t desc_bytes;
	struct uvf_e1000e_buf **bufs;	/* every slot always holds one */
	unsigned int size;
	unsigned int next;		/* next slot to look at */
	uint32_t rdt;			/* RDT of this queue */
	bool discard;			/* dropping the rest of a cut frame */
	_Atomic uint64_t packets, bytes, nombuf, dropped;
};

/* Transmit side of one queue: only its transmitting thread touches it. */
struct e1k_tx {
	struct e1k_tx_desc *desc;
	uvf_iova_t desc_iova;
	size_t desc_bytes;
	/* Posted, not yet reclaimed: a frame's first buffer (the chain) in
	 * the slot of its last descriptor, NULL elsewhere. */
	struct uvf_e1000e_buf **bufs;
	unsigned int size;
	unsigned int tail;		/* next slot to fill (TDT) */
	unsigned int clean;		/* oldest posted slot */
	uint32_t tdt;			/* TDT of this queue */
	uint32_t ctx;			/* checksum context in force, 0: none */
	_Atomic uint64_t packets, bytes;
};

struct uvf_e1000e {
	struct uvf_device *dev;
	struct uvf_domain *domain;
	volatile uint8_t *regs;		/* BAR 0 mapped, or NULL */
	uint16_t pci_cmd;		/* command register before open */
	uint8_t mac[6];
	enum uvf_e1000e_irq irq;
	/* Per receive queue: the vector and cause of its interrupt,
	 * RXQ0/RXQ1 (MSI-X) or RXT0 for both (MSI). */
	unsigned int rx_vec[UVF_E1000E_MAX_QUEUES];
	uint32_t rx_cause[UVF_E1000E_MAX_QUEUES];
	struct uvf_e1000e_pool *pool;
	bool own_pool;
	struct uvf_dmaheap *heap;	/* held in domain while open */
	unsigned int reset_timeout_ms;
	unsigned int nqueues;
	/* Receive filters and RSS, changed by the set-up calls only. */
	uint32_t rctl;
	bool promisc, allmulti;
	unsigned int max_frame;
	uint32_t mta[E1K_MTA_REGS];
	struct uvf_e1000e_rss rss;	/* fields 0: RSS off */
	atomic_bool gone;		/* STATUS read all ones: removed */

	/* Apart, so threads on different queues and directions do not
	 * share cache lines. */
	_Alignas(64) struct e1k_rx rx[UVF_E1000E_MAX_QUEUES];
	_Alignas(64) struct e1k_tx tx[UVF_E1000E_MAX_QUEUES];

	_Alignas(64) pthread_mutex_t stats_lock;
	struct uvf_e1000e_stats hw;	/* totals of the NIC's counters */
};

/* Register access for set-up paths, with errors. */
int e1k_read(struct uvf_e1000e *nic, uint32_t reg, uint32_t *val);
int e1k_write(struct uvf_e1000e *nic, uint32_t reg, uint32_t val);

/* Hot-path register writes: mapped BAR when there is one. */
static inline void e1k_wr(struct uvf_e1000e *nic, uint32_t reg, uint32_t v)
{
	if (nic->regs)
		uvf_mmio_write32(nic->regs, reg, v);
	else
		e1k_write(nic, reg, v);
}

/* A ring's tail: the descriptors written before it must reach the NIC
 * first. Without a mapping the device's write call orders it. */
static inline void e1k_doorbell(struct uvf_e1000e *nic, uint32_t reg,
				uint32_t v)
{
	if (nic->regs)
		uvf_mmio_doorbell32(nic->regs, reg, v);
	else
		e1k_write(nic, reg, v);
}

/* 0 while the NIC answers; -ENODEV once STATUS reads all ones (a
 * present 82574 never has every bit set there), remembered. */
int e1k_check_present(struct uvf_e1000e *nic);
/* Poll @reg until (value & @mask) == @want, for up to @timeout_ms. */
int e1k_wait_reg(struct uvf_e1000e *nic, uint32_t reg, uint32_t mask,
		 uint32_t want, unsigned int timeout_ms);
void e1k_sleep_ms(unsigned int ms);

/* Rings (ring.c): allocate and program queue @q's, and undo. */
int e1k_rx_ring_init(struct uvf_e1000e *nic, unsigned int q,
		     unsigned int size);
void e1k_rx_ring_fini(struct uvf_e1000e *nic, unsigned int q);
int e1k_tx_ring_init(struct uvf_e1000e *nic, unsigned int q,
		     unsigned int size);
void e1k_tx_ring_fini(struct uvf_e1000e *nic, unsigned int q);
/* Give back what the NIC has finished sending; returns the count. */
unsigned int e1k_tx_reclaim(struct e1k_tx *tx);

/* Filters, RSS, frame size (filter.c). */
int e1k_filters_init(struct uvf_e1000e *nic, const struct uvf_e1000e_opts *o);
uint32_t e1k_rctl(const struct uvf_e1000e *nic);
int e1k_modify(struct uvf_e1000e *nic, uint32_t reg, uint32_t clear,
	       uint32_t set);

/* Statistics (stats.c): read the clear-on-read counters into nic->hw. */
int e1k_stats_update(struct uvf_e1000e *nic);

#endif
