/* SPDX-License-Identifier: MIT */
/*
 * Descriptor rings: DMA heap memory for the descriptors (pinned while the
 * ring exists), a pool buffer in every receive slot, and the ring
 * registers. The NIC owns receive slots from RDH up to RDT - 1 and
 * transmit slots from TDH up to TDT - 1.
 */
#include <errno.h>
#include <stdlib.h>

#include <uvf/dma.h>

#include "e1000e_priv.h"

static int program_ring(struct uvf_e1000e *nic, uint32_t bal, uvf_iova_t iova,
			size_t bytes, uint32_t tail)
{
	/* BAL, BAH, LEN, (gap), H, (gap), T share one layout for both. */
	int ret = e1k_write(nic, bal, (uint32_t)iova);

	if (!ret)
		ret = e1k_write(nic, bal + 4, (uint32_t)(iova >> 32));
	if (!ret)
		ret = e1k_write(nic, bal + 8, (uint32_t)bytes);
	if (!ret)
		ret = e1k_write(nic, bal + 0x10, 0);
	if (!ret)
		ret = e1k_write(nic, bal + 0x18, tail);
	return ret;
}

int e1k_rx_ring_init(struct uvf_e1000e *nic, unsigned int q,
		     unsigned int size)
{
	struct e1k_rx *rx = &nic->rx[q];
	uint32_t bal = E1K_RDBAL + q * E1K_QUEUE_STRIDE;
	size_t bytes = (size_t)size * sizeof(union e1k_rx_desc);
	unsigned int i;
	void *va;
	int ret;

	rx->bufs = calloc(size, sizeof(*rx->bufs));
	if (!rx->bufs)
		return -ENOMEM;
	ret = uvf_dmaheap_alloc_pinned(nic->heap, nic->domain, bytes, &va,
				       &rx->desc_iova);
	if (ret)
		goto err_bufs;
	if (e1k_pool_take(nic->pool, rx->bufs, size) != size) {
		ret = -ENOBUFS;
		goto err_pool;
	}
	rx->desc = va;
	rx->desc_bytes = bytes;
	rx->size = size;
	rx->next = 0;
	rx->rdt = E1K_RDT + q * E1K_QUEUE_STRIDE;
	for (i = 0; i < size; i++) {
		rx->desc[i].read.addr = rx->bufs[i]->iova;
		rx->desc[i].read.zero = 0;
	}
	/* Every slot holds a buffer, but the one before next is kept from
	 * the NIC, so that RDH == RDT only ever means "no free slot". */
	ret = program_ring(nic, bal, rx->desc_iova, bytes, size - 1);
	if (ret)
		goto err_pool;
	return 0;

err_pool:
	uvf_e1000e_pool_free(rx->bufs, size);
	uvf_dmaheap_free_pinned(nic->heap, nic->domain, va);
	rx->desc = NULL;
err_bufs:
	free(rx->bufs);
	rx->bufs = NULL;
	return ret;
}

void e1k_rx_ring_fini(struct uvf_e1000e *nic, unsigned int q)
{
	struct e1k_rx *rx = &nic->rx[q];

	if (!rx->desc)
		return;
	uvf_e1000e_pool_free(rx->bufs, rx->size);
	uvf_dmaheap_free_pinned(nic->heap, nic->domain, rx->desc);
	free(rx->bufs);
	rx->desc = NULL;
	rx->bufs = NULL;
}

int e1k_tx_ring_init(struct uvf_e1000e *nic, unsigned int q,
		     unsigned int size)
{
	struct e1k_tx *tx = &nic->tx[q];
	uint32_t bal = E1K_TDBAL + q * E1K_QUEUE_STRIDE;
	size_t bytes = (size_t)size * sizeof(struct e1k_tx_desc);
	void *va;
	int ret;

	tx->bufs = calloc(size, sizeof(*tx->bufs));
	if (!tx->bufs)
		return -ENOMEM;
	ret = uvf_dmaheap_alloc_pinned(nic->heap, nic->domain, bytes, &va,
				       &tx->desc_iova);
	if (!ret) {
		tx->desc = va;
		tx->desc_bytes = bytes;
		tx->size = size;
		tx->tail = tx->clean = 0;
		tx->tdt = E1K_TDT + q * E1K_QUEUE_STRIDE;
		tx->ctx = 0;
		ret = program_ring(nic, bal, tx->desc_iova, bytes, 0);
		if (ret) {
			uvf_dmaheap_free_pinned(nic->heap, nic->domain, va);
			tx->desc = NULL;
		}
	}
	if (ret) {
		free(tx->bufs);
		tx->bufs = NULL;
	}
	return ret;
}

void e1k_tx_ring_fini(struct uvf_e1000e *nic, unsigned int q)
{
	struct e1k_tx *tx = &nic->tx[q];

	if (!tx->desc)
		return;
	/* The NIC is stopped: whatever it did not send is dropped. */
	uvf_e1000e_pool_free(tx->bufs, tx->size);
	uvf_dmaheap_free_pinned(nic->heap, nic->domain, tx->desc);
	free(tx->bufs);
	tx->desc = NULL;
	tx->bufs = NULL;
}
