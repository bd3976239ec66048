/* SPDX-License-Identifier: MIT */
/*
 * Statistics: the NIC's counters clear when read, so every read is added
 * to running totals, and a 64-bit pair is read low half first (reading
 * the high half clears both).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "e1000e_priv.h"

#define FIELD(f) offsetof(struct uvf_e1000e_stats, f)

static const struct {
	uint32_t reg;
	size_t field;
} counters[] = {
	{ E1K_GPRC, FIELD(rx_packets) },
	{ E1K_GPTC, FIELD(tx_packets) },
	{ E1K_BPRC, FIELD(rx_broadcast) },
	{ E1K_MPRC, FIELD(rx_multicast) },
	{ E1K_MPC, FIELD(rx_missed) },
	{ E1K_RNBC, FIELD(rx_no_buffer) },
	{ E1K_CRCERRS, FIELD(rx_crc_errors) },
	{ E1K_RXERRC, FIELD(rx_errors) },
	{ E1K_RUC, FIELD(rx_undersize) },
	{ E1K_ROC, FIELD(rx_oversize) },
};

static const struct {
	uint32_t lo, hi;
	size_t field;
} octets[] = {
	{ E1K_GORCL, E1K_GORCH, FIELD(rx_bytes) },
	{ E1K_GOTCL, E1K_GOTCH, FIELD(tx_bytes) },
};

static uint64_t *total(struct uvf_e1000e *nic, size_t field)
{
	return (uint64_t *)((char *)&nic->hw + field);
}

int e1k_stats_update(struct uvf_e1000e *nic)
{
	uint32_t lo, hi;
	size_t i;
	int ret = 0;

	/* What was read before a failure is kept: the NIC has already
	 * cleared it. */
	pthread_mutex_lock(&nic->stats_lock);
	for (i = 0; !ret && i < sizeof(counters) / sizeof(counters[0]); i++) {
		ret = e1k_read(nic, counters[i].reg, &lo);
		if (!ret)
			*total(nic, counters[i].field) += lo;
	}
	for (i = 0; !ret && i < sizeof(octets) / sizeof(octets[0]); i++) {
		ret = e1k_read(nic, octets[i].lo, &lo);
		if (!ret)
			ret = e1k_read(nic, octets[i].hi, &hi);
		if (!ret)
			*total(nic, octets[i].field) +=
				(uint64_t)hi << 32 | lo;
	}
	pthread_mutex_unlock(&nic->stats_lock);
	return ret;
}

int uvf_e1000e_get_stats(struct uvf_e1000e *nic, struct uvf_e1000e_stats *st)
{
	unsigned int q;
	int ret;

	if (!nic || !st)
		return -EINVAL;
	/* A removed NIC's counters read all ones: not added to totals. */
	ret = e1k_check_present(nic);
	if (!ret)
		ret = e1k_stats_update(nic);
	pthread_mutex_lock(&nic->stats_lock);
	*st = nic->hw;
	pthread_mutex_unlock(&nic->stats_lock);
	st->sw_rx_packets = st->sw_rx_bytes = st->rx_nombuf = 0;
	st->rx_dropped = st->sw_tx_packets = st->sw_tx_bytes = 0;
	for (q = 0; q < nic->nqueues; q++) {
		const struct e1k_rx *rx = &nic->rx[q];
		const struct e1k_tx *tx = &nic->tx[q];

		st->sw_rx_packets += atomic_load_explicit(&rx->packets,
							  memory_order_relaxed);
		st->sw_rx_bytes += atomic_load_explicit(&rx->bytes,
							memory_order_relaxed);
		st->rx_nombuf += atomic_load_explicit(&rx->nombuf,
						      memory_order_relaxed);
		st->rx_dropped += atomic_load_explicit(&rx->dropped,
						       memory_order_relaxed);
		st->sw_tx_packets += atomic_load_explicit(&tx->packets,
							  memory_order_relaxed);
		st->sw_tx_bytes += atomic_load_explicit(&tx->bytes,
							memory_order_relaxed);
	}
	return ret;
}
