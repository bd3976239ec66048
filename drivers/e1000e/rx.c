/* SPDX-License-Identifier: MIT */
/* Receive: the burst call and the interrupt wait. */
#include <errno.h>

#include "e1000e_priv.h"

#define RX_REFILL_BATCH 64u

static inline unsigned int rx_next(unsigned int i, unsigned int size)
{
	return i + 1 == size ? 0 : i + 1;
}

static inline uint8_t rx_status(const struct e1k_rx *rx, unsigned int i)
{
	return ((volatile struct e1k_rx_desc *)rx->desc)[i].status;
}

/* Frames that are done in the ring from rx->next on, at most @max. */
static unsigned int rx_ready(const struct e1k_rx *rx, unsigned int max)
{
	unsigned int n = 0, i = rx->next;

	while (n < max && (rx_status(rx, i) & E1K_RXD_STAT_DD)) {
		n++;
		i = rx_next(i, rx->size);
	}
	return n;
}

int uvf_e1000e_rx_burst(struct uvf_e1000e *nic, struct uvf_e1000e_buf **bufs,
			unsigned int n)
{
	struct e1k_rx *rx = &nic->rx;
	struct uvf_e1000e_buf *fresh[RX_REFILL_BATCH];
	unsigned int got = 0, ready, nfresh, used, i;
	uint64_t bytes = 0, dropped = 0;

	if (!bufs && n)
		return -EINVAL;
	while (got < n) {
		ready = rx_ready(rx, n - got < RX_REFILL_BATCH ?
					     n - got : RX_REFILL_BATCH);
		if (!ready)
			break;
		/* The NIC wrote the descriptor before setting DD: read the
		 * rest of it (and the data) only after seeing DD. */
		uvf_mmio_rmb();
		nfresh = e1k_pool_take(nic->pool, fresh, ready);
		used = 0;
		for (i = 0; i < ready; i++) {
			volatile struct e1k_rx_desc *d = &rx->desc[rx->next];
			uint8_t st = d->status, err = d->errors;
			uint16_t len = d->length;

			if (!(st & E1K_RXD_STAT_EOP) ||
			    (err & E1K_RXD_ERR_FRAME) ||
			    len > UVF_E1000E_BUF_SIZE) {
				/* Bad, or one frame over several buffers
				 * (long-packet mode is off, so never
				 * expected): recycle the buffer. */
				dropped++;
			} else if (used < nfresh) {
				struct uvf_e1000e_buf *b = rx->bufs[rx->next];

				b->len = len;
				bufs[got++] = b;
				bytes += len;
				rx->bufs[rx->next] = fresh[used++];
				d->addr = rx->bufs[rx->next]->iova;
			} else {
				break;	/* no replacement: leave it there */
			}
			d->status = 0;
			rx->next = rx_next(rx->next, rx->size);
		}
		if (used < nfresh)
			uvf_e1000e_pool_free(fresh + used, nfresh - used);
		if (i < ready) {
			atomic_fetch_add_explicit(&rx->nombuf, 1,
						  memory_order_relaxed);
			break;
		}
	}
	if (got || dropped) {
		/* Descriptors are rewritten before the NIC may own them. */
		e1k_doorbell(nic, E1K_RDT,
		       rx->next ? rx->next - 1 : rx->size - 1);
		atomic_fetch_add_explicit(&rx->packets, got,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&rx->bytes, bytes,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&rx->dropped, dropped,
					  memory_order_relaxed);
	}
	return (int)got;
}

int uvf_e1000e_rx_wait(struct uvf_e1000e *nic, int timeout_ms)
{
	int ret;

	if (nic->irq == UVF_E1000E_IRQ_NONE)
		return -ENOTSUP;
	if (rx_ready(&nic->rx, 1))
		return 0;
	/* Forget interrupts from before (raised while masked or already
	 * handled), clear the cause, unmask, then look again: a frame that
	 * came in between the first look and the unmask raised nothing. */
	while (uvf_device_irq_wait(nic->dev, nic->rx_vec, 0) > 0)
		;
	e1k_wr(nic, E1K_ICR, nic->rx_cause);
	e1k_wr(nic, E1K_IMS, nic->rx_cause);
	if (rx_ready(&nic->rx, 1)) {
		e1k_wr(nic, E1K_IMC, nic->rx_cause);
		return 0;
	}
	ret = uvf_device_irq_wait(nic->dev, nic->rx_vec, timeout_ms);
	e1k_wr(nic, E1K_IMC, nic->rx_cause);
	/* Nothing came: perhaps because the NIC is gone. */
	if (ret == -ETIMEDOUT && e1k_check_present(nic) == -ENODEV)
		return -ENODEV;
	return ret < 0 ? ret : 0;
}
