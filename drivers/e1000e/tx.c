/* SPDX-License-Identifier: MIT */
/* Transmit: the burst call, reclaiming finished descriptors, flushing. */
#include <errno.h>

#include "e1000e_priv.h"

#define TX_FREE_BATCH 64u

static inline unsigned int tx_next(unsigned int i, unsigned int size)
{
	return i + 1 == size ? 0 : i + 1;
}

unsigned int e1k_tx_reclaim(struct uvf_e1000e *nic)
{
	struct e1k_tx *tx = &nic->tx;
	volatile struct e1k_tx_desc *desc = tx->desc;
	struct uvf_e1000e_buf *done[TX_FREE_BATCH];
	unsigned int n = 0, total = 0;

	/* Every descriptor asks for status (RS), so DD shows up on each, in
	 * ring order. */
	while (tx->clean != tx->tail &&
	       (desc[tx->clean].upper & E1K_TXD_STAT_DD)) {
		/* The NIC has read the frame: the buffer may be reused. */
		uvf_mmio_rmb();
		done[n++] = tx->bufs[tx->clean];
		tx->bufs[tx->clean] = NULL;
		tx->clean = tx_next(tx->clean, tx->size);
		if (n == TX_FREE_BATCH) {
			uvf_e1000e_pool_free(done, n);
			total += n;
			n = 0;
		}
	}
	if (n)
		uvf_e1000e_pool_free(done, n);
	return total + n;
}

static int tx_check(const struct uvf_e1000e *nic,
		    const struct uvf_e1000e_buf *b)
{
	if (!b || b->len < UVF_E1000E_MIN_FRAME ||
	    b->len > UVF_E1000E_MAX_FRAME)
		return -EINVAL;
	/* Its device address is only good in the domain it was made for. */
	if (!b->pool || b->pool->domain != nic->domain)
		return -EXDEV;
	return 0;
}

int uvf_e1000e_tx_burst(struct uvf_e1000e *nic, struct uvf_e1000e_buf **bufs,
			unsigned int n)
{
	struct e1k_tx *tx = &nic->tx;
	volatile struct e1k_tx_desc *desc = tx->desc;
	unsigned int room, sent = 0;
	uint64_t bytes = 0;
	int ret;

	if (!bufs && n)
		return -EINVAL;
	if (!n)
		return 0;
	ret = tx_check(nic, bufs[0]);
	if (ret)
		return ret;
	e1k_tx_reclaim(nic);
	/* One slot stays empty: TDT == TDH means "nothing to send". */
	room = tx->size - 1 - (tx->tail + tx->size - tx->clean) % tx->size;
	/* A ring nobody drains may belong to a NIC that was removed. */
	if (!room)
		return e1k_check_present(nic);
	while (sent < n && sent < room && !tx_check(nic, bufs[sent])) {
		struct uvf_e1000e_buf *b = bufs[sent];

		desc[tx->tail].addr = b->iova;
		desc[tx->tail].upper = 0;
		desc[tx->tail].lower = b->len | E1K_TXD_CMD_EOP |
				       E1K_TXD_CMD_IFCS | E1K_TXD_CMD_RS;
		tx->bufs[tx->tail] = b;
		tx->tail = tx_next(tx->tail, tx->size);
		bytes += b->len;
		sent++;
	}
	if (sent) {
		/* Descriptors and frame data are in memory before the
		 * doorbell lets the NIC fetch them. */
		e1k_doorbell(nic, E1K_TDT, tx->tail);
		atomic_fetch_add_explicit(&tx->packets, sent,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&tx->bytes, bytes,
					  memory_order_relaxed);
	}
	return (int)sent;
}

int uvf_e1000e_tx_flush(struct uvf_e1000e *nic, unsigned int timeout_ms)
{
	uint64_t deadline = uvf_now_ns() + timeout_ms * 1000000ull;
	int ret;

	for (;;) {
		e1k_tx_reclaim(nic);
		if (nic->tx.clean == nic->tx.tail)
			return 0;
		ret = e1k_check_present(nic);
		if (ret)
			return ret;
		if (uvf_now_ns() >= deadline)
			return -ETIMEDOUT;
		e1k_sleep_ms(1);
	}
}
