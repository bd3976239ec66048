/* SPDX-License-Identifier: MIT */
/* Receive: the burst calls and the interrupt wait. */
#include <errno.h>

#include "e1000e_priv.h"

#define RX_REFILL_BATCH 64u

static inline unsigned int rx_next(unsigned int i, unsigned int size)
{
	return i + 1 == size ? 0 : i + 1;
}

static inline uint32_t rx_status(const struct e1k_rx *rx, unsigned int i)
{
	return ((volatile union e1k_rx_desc *)rx->desc)[i].wb.status_error;
}

/* Descriptors to scan for one frame's end: a 16 KiB frame (QEMU's
 * limit with RCTL.LPE) and its FCS. */
#define RX_SCAN_MAX 9u

/* Descriptors of the frame at rx->next when the NIC has written all of
 * them (DD on each, EOP on the last, *eop set), else 0. When RX_SCAN_MAX
 * descriptors, or all the ring can give the NIC, hold no EOP, returns
 * those with *eop clear: the caller drops them and the rest of the
 * frame. */
static unsigned int rx_frame_descs(const struct e1k_rx *rx, bool *eop)
{
	unsigned int n = 0, i = rx->next;
	uint32_t st;

	*eop = false;
	while (n < RX_SCAN_MAX && n < rx->size - 1) {
		st = rx_status(rx, i);
		if (!(st & E1K_RXD_STAT_DD))
			return 0;
		n++;
		if (st & E1K_RXD_STAT_EOP) {
			*eop = true;
			return n;
		}
		i = rx_next(i, rx->size);
	}
	return n;
}

/* Give slot @i back to the NIC with buffer @b. */
static inline void rx_slot_give(struct e1k_rx *rx, unsigned int i,
				struct uvf_e1000e_buf *b)
{
	volatile union e1k_rx_desc *d = &rx->desc[i];

	rx->bufs[i] = b;
	/* The write-back overwrote the address: the read format again. */
	d->read.addr = b->iova;
	d->read.zero = 0;
}

static uint16_t rx_csum_flags(uint32_t st)
{
	uint16_t f = 0;

	if (st & E1K_RXD_STAT_IPCS)
		f |= st & E1K_RXD_ERR_IPE ? UVF_E1000E_RX_IP_CSUM_BAD :
					    UVF_E1000E_RX_IP_CSUM_GOOD;
	if (st & E1K_RXD_STAT_TCPCS)
		f |= st & E1K_RXD_ERR_TCPE ? UVF_E1000E_RX_L4_CSUM_BAD :
					     UVF_E1000E_RX_L4_CSUM_GOOD;
	return f;
}

/* Hand out the frame of @k descriptors at rx->next as a chain, each slot
 * refilled from @fresh. */
static struct uvf_e1000e_buf *rx_take_frame(struct e1k_rx *rx, unsigned int k,
					    struct uvf_e1000e_buf **fresh,
					    uint32_t *bytes)
{
	struct uvf_e1000e_buf *head = NULL, **link = &head;
	uint32_t total = 0, st = 0, mrq = 0, rss = 0;
	unsigned int i;

	for (i = 0; i < k; i++) {
		volatile union e1k_rx_desc *d = &rx->desc[rx->next];
		struct uvf_e1000e_buf *b = rx->bufs[rx->next];

		b->len = d->wb.length;
		total += b->len;
		*link = b;
		link = &b->next;
		if (i + 1 == k) {	/* the last one has the frame's state */
			st = d->wb.status_error;
			mrq = d->wb.mrq;
			rss = d->wb.rss;
		}
		rx_slot_give(rx, rx->next, fresh[i]);
		rx->next = rx_next(rx->next, rx->size);
	}
	head->pkt_len = (uint16_t)total;
	head->ol_flags = rx_csum_flags(st);
	if (mrq & 0xf) {	/* an RSS type: the hash is there */
		head->ol_flags |= UVF_E1000E_RX_RSS_HASH;
		head->rss_hash = rss;
	}
	*bytes = total;
	return head;
}

/* Recycle the @k descriptors of a bad frame at rx->next. */
static void rx_drop_frame(struct e1k_rx *rx, unsigned int k)
{
	while (k--) {
		rx_slot_give(rx, rx->next, rx->bufs[rx->next]);
		rx->next = rx_next(rx->next, rx->size);
	}
}

/* Whether the frame of @k descriptors at rx->next is good: no error on
 * its last descriptor, within @max bytes. */
static bool rx_frame_ok(const struct e1k_rx *rx, unsigned int k,
			unsigned int max)
{
	unsigned int i = rx->next, n;
	uint32_t total = 0;

	for (n = 0; n < k; n++) {
		total += rx->desc[i].wb.length;
		if (n + 1 < k)
			i = rx_next(i, rx->size);
	}
	return !(rx->desc[i].wb.status_error & E1K_RXD_ERR_FRAME) &&
	       total >= UVF_E1000E_MIN_FRAME && total <= max;
}

static int rx_burst(struct uvf_e1000e *nic, struct e1k_rx *rx,
		    struct uvf_e1000e_buf **bufs, unsigned int n)
{
	struct uvf_e1000e_buf *fresh[RX_REFILL_BATCH];
	unsigned int got = 0, nfresh = 0, used = 0, k;
	uint64_t bytes = 0, dropped = 0;
	uint32_t len;
	bool moved = false, eop;

	if (!bufs && n)
		return -EINVAL;
	while (got < n) {
		k = rx_frame_descs(rx, &eop);
		if (!k)
			break;
		/* The NIC wrote the descriptors before setting DD: read the
		 * rest of them (and the data) only after seeing DD. */
		uvf_mmio_rmb();
		if (!eop || rx->discard ||
		    !rx_frame_ok(rx, k, nic->max_frame)) {
			/* Too long or bad; a cut frame's rest goes too. */
			rx_drop_frame(rx, k);
			if (!rx->discard)
				dropped++;
			rx->discard = !eop;
			moved = true;
			continue;
		}
		if (nfresh - used < k) {
			/* Keep the unused ones, top up to a batch. */
			unsigned int left = nfresh - used, i;

			for (i = 0; i < left; i++)
				fresh[i] = fresh[used + i];
			nfresh = left + e1k_pool_take(nic->pool, fresh + left,
						      RX_REFILL_BATCH - left);
			used = 0;
			if (nfresh < k) {
				/* No replacement: the frame stays there. */
				atomic_fetch_add_explicit(&rx->nombuf, 1,
							  memory_order_relaxed);
				break;
			}
		}
		bufs[got++] = rx_take_frame(rx, k, fresh + used, &len);
		used += k;
		bytes += len;
		moved = true;
	}
	if (used < nfresh)
		uvf_e1000e_pool_free(fresh + used, nfresh - used);
	if (moved) {
		/* Descriptors are rewritten before the NIC may own them. */
		e1k_doorbell(nic, rx->rdt,
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

int uvf_e1000e_rx_burst(struct uvf_e1000e *nic, struct uvf_e1000e_buf **bufs,
			unsigned int n)
{
	return rx_burst(nic, &nic->rx[0], bufs, n);
}

int uvf_e1000e_rx_burst_queue(struct uvf_e1000e *nic, unsigned int q,
			      struct uvf_e1000e_buf **bufs, unsigned int n)
{
	if (!nic || q >= nic->nqueues)
		return -EINVAL;
	return rx_burst(nic, &nic->rx[q], bufs, n);
}

static int rx_wait(struct uvf_e1000e *nic, unsigned int q, int timeout_ms)
{
	struct e1k_rx *rx = &nic->rx[q];
	unsigned int vec = nic->rx_vec[q];
	uint32_t cause = nic->rx_cause[q];
	bool eop;
	int ret;

	if (nic->irq == UVF_E1000E_IRQ_NONE)
		return -ENOTSUP;
	if (rx_frame_descs(rx, &eop))
		return 0;
	/* Forget interrupts from before (raised while masked or already
	 * handled), clear the cause, unmask, then look again: a frame that
	 * came in between the first look and the unmask raised nothing. */
	while (uvf_device_irq_wait(nic->dev, vec, 0) > 0)
		;
	e1k_wr(nic, E1K_ICR, cause);
	e1k_wr(nic, E1K_IMS, cause);
	if (rx_frame_descs(rx, &eop)) {
		e1k_wr(nic, E1K_IMC, cause);
		return 0;
	}
	ret = uvf_device_irq_wait(nic->dev, vec, timeout_ms);
	e1k_wr(nic, E1K_IMC, cause);
	/* Nothing came: perhaps because the NIC is gone. */
	if (ret == -ETIMEDOUT && e1k_check_present(nic) == -ENODEV)
		return -ENODEV;
	return ret < 0 ? ret : 0;
}

int uvf_e1000e_rx_wait(struct uvf_e1000e *nic, int timeout_ms)
{
	return rx_wait(nic, 0, timeout_ms);
}

int uvf_e1000e_rx_wait_queue(struct uvf_e1000e *nic, unsigned int q,
			     int timeout_ms)
{
	if (!nic || q >= nic->nqueues)
		return -EINVAL;
	return rx_wait(nic, q, timeout_ms);
}
