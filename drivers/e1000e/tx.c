/* SPDX-License-Identifier: MIT */
/*
 * Transmit: the burst calls, checksum offload (a context descriptor and
 * extended data descriptors), reclaiming finished descriptors, flushing.
 */
#include <errno.h>
#include <string.h>

#include "e1000e_priv.h"

#define TX_FREE_BATCH 64u
#define ETH_HLEN 14u
#define ETH_P_IPV4 0x0800u
#define IPPROTO_TCP_ 6u
#define IPPROTO_UDP_ 17u
#define TCP_CSUM_OFF 16u
#define UDP_CSUM_OFF 6u
#define IP_CSUM_OFF 10u
#define CTX_VALID (1u << 31)

static inline unsigned int tx_next(unsigned int i, unsigned int size)
{
	return i + 1 == size ? 0 : i + 1;
}

unsigned int e1k_tx_reclaim(struct e1k_tx *tx)
{
	volatile struct e1k_tx_desc *desc = tx->desc;
	struct uvf_e1000e_buf *done[TX_FREE_BATCH];
	unsigned int n = 0, total = 0;

	/* Every descriptor asks for status (RS), so DD shows up on each, in
	 * ring order; a frame's chain sits in its last slot. */
	while (tx->clean != tx->tail &&
	       (desc[tx->clean].upper & E1K_TXD_STAT_DD)) {
		/* The NIC has read the frame: the buffers may be reused. */
		uvf_mmio_rmb();
		if (tx->bufs[tx->clean])
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

/* What the checksum offload of a frame needs: its context (0 for none)
 * and the POPTS bits of its data descriptors. */
struct tx_csum {
	uint32_t ctx;		/* CTX_VALID | proto << 8 | IPv4 header bytes */
	uint32_t popts;
};

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The folded (not inverted) sum of the IPv4 pseudo-header: what the NIC
 * expects in the TCP/UDP checksum field before it adds the rest. */
static uint16_t pseudo_sum(const uint8_t *ip, unsigned int l4_len)
{
	uint32_t sum = be16(ip + 12) + be16(ip + 14) + be16(ip + 16) +
		       be16(ip + 18) + ip[9] + l4_len;

	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Check the headers of an offloaded frame (in its first buffer) and
 * prepare them: IPv4 checksum zero, L4 checksum seeded. */
static int tx_csum_prep(struct uvf_e1000e_buf *b, uint32_t total,
			struct tx_csum *c)
{
	uint8_t *p = b->data, *ip = p + ETH_HLEN;
	unsigned int l3, proto, off;
	uint16_t seed;

	c->ctx = 0;
	c->popts = 0;
	if (!(b->ol_flags & (UVF_E1000E_TX_IP_CSUM | UVF_E1000E_TX_L4_CSUM)))
		return 0;
	if (b->len < ETH_HLEN + 20 || be16(p + 12) != ETH_P_IPV4 ||
	    ip[0] >> 4 != 4)
		return -EINVAL;
	l3 = (ip[0] & 0xfu) * 4u;
	proto = ip[9];
	if (l3 < 20 || ETH_HLEN + l3 > b->len ||
	    ETH_HLEN + be16(ip + 2) > total)
		return -EINVAL;
	c->ctx = CTX_VALID | proto << 8 | l3;
	if (b->ol_flags & UVF_E1000E_TX_IP_CSUM) {
		c->popts |= E1K_TXD_POPTS_IXSM;
		ip[IP_CSUM_OFF] = ip[IP_CSUM_OFF + 1] = 0;
	}
	if (b->ol_flags & UVF_E1000E_TX_L4_CSUM) {
		if (proto != IPPROTO_TCP_ && proto != IPPROTO_UDP_)
			return -EINVAL;
		off = ETH_HLEN + l3 +
		      (proto == IPPROTO_TCP_ ? TCP_CSUM_OFF : UDP_CSUM_OFF);
		if (off + 2 > b->len)
			return -EINVAL;
		c->popts |= E1K_TXD_POPTS_TXSM;
		seed = pseudo_sum(ip, be16(ip + 2) - l3);
		p[off] = (uint8_t)(seed >> 8);
		p[off + 1] = (uint8_t)seed;
	}
	return 0;
}

/* A frame: its buffers, of the port's domain, their lengths, and what its
 * offload asks for. Sets *segs to its descriptor count. */
static int tx_check(const struct uvf_e1000e *nic, struct uvf_e1000e_buf *b,
		    unsigned int *segs, struct tx_csum *c)
{
	const struct uvf_e1000e_buf *s;
	uint32_t total = 0;
	unsigned int n = 0;

	if (!b)
		return -EINVAL;
	for (s = b; s; s = s->next) {
		if (++n > UVF_E1000E_MAX_SEGS || !s->len ||
		    s->len > UVF_E1000E_BUF_SIZE)
			return -EINVAL;
		/* Its device address is only good in its own domain. */
		if (!s->pool || s->pool->domain != nic->domain)
			return -EXDEV;
		total += s->len;
	}
	if (total < UVF_E1000E_MIN_FRAME || total > nic->max_frame)
		return -EINVAL;
	*segs = n;
	return tx_csum_prep(b, total, c);
}

static void tx_put_ctx(struct e1k_tx *tx, uint32_t ctx)
{
	volatile struct e1k_tx_ctx_desc *d =
		(volatile struct e1k_tx_ctx_desc *)&tx->desc[tx->tail];
	unsigned int l3 = ctx & 0xff, proto = (ctx >> 8) & 0xff;
	uint32_t cmd = E1K_TXD_CMD_DEXT | E1K_TXD_CMD_RS | E1K_TXC_TUCMD_IP;

	if (proto == IPPROTO_TCP_)
		cmd |= E1K_TXC_TUCMD_TCP;
	d->ipcss = ETH_HLEN;
	d->ipcso = ETH_HLEN + IP_CSUM_OFF;
	d->ipcse = (uint16_t)(ETH_HLEN + l3 - 1);
	d->tucss = (uint8_t)(ETH_HLEN + l3);
	d->tucso = (uint8_t)(ETH_HLEN + l3 +
			     (proto == IPPROTO_TCP_ ? TCP_CSUM_OFF :
						      UDP_CSUM_OFF));
	d->tucse = 0;				/* to the end of the frame */
	d->cmd_and_length = cmd;
	d->upper = 0;
	tx->bufs[tx->tail] = NULL;
	tx->tail = tx_next(tx->tail, tx->size);
	tx->ctx = ctx;
}

/* One descriptor per buffer, EOP on the last; the chain is reclaimed
 * from the last slot. */
static void tx_put_frame(struct e1k_tx *tx, struct uvf_e1000e_buf *b,
			 uint32_t popts)
{
	volatile struct e1k_tx_desc *desc = tx->desc;
	const struct uvf_e1000e_buf *s;
	uint32_t cmd = E1K_TXD_CMD_IFCS | E1K_TXD_CMD_RS;

	if (popts)
		cmd |= E1K_TXD_CMD_DEXT | E1K_TXD_DTYP_D;
	for (s = b; s; s = s->next) {
		desc[tx->tail].addr = s->iova;
		desc[tx->tail].upper = popts;
		desc[tx->tail].lower = s->len | cmd |
				       (s->next ? 0 : E1K_TXD_CMD_EOP);
		tx->bufs[tx->tail] = s->next ? NULL : b;
		tx->tail = tx_next(tx->tail, tx->size);
	}
}

static int tx_burst(struct uvf_e1000e *nic, struct e1k_tx *tx,
		    struct uvf_e1000e_buf **bufs, unsigned int n)
{
	unsigned int room, need, segs, sent = 0;
	struct tx_csum c;
	uint64_t bytes = 0;
	int ret;

	if (!bufs && n)
		return -EINVAL;
	if (!n)
		return 0;
	ret = tx_check(nic, bufs[0], &segs, &c);
	if (ret)
		return ret;
	e1k_tx_reclaim(tx);
	/* One slot stays empty: TDT == TDH means "nothing to send". */
	room = tx->size - 1 - (tx->tail + tx->size - tx->clean) % tx->size;
	/* A ring nobody drains may belong to a NIC that was removed. */
	if (!room)
		return e1k_check_present(nic);
	while (sent < n) {
		if (sent && tx_check(nic, bufs[sent], &segs, &c))
			break;
		need = segs + (c.ctx && c.ctx != tx->ctx);
		if (need > room)
			break;
		if (c.ctx && c.ctx != tx->ctx)
			tx_put_ctx(tx, c.ctx);
		tx_put_frame(tx, bufs[sent], c.popts);
		room -= need;
		for (const struct uvf_e1000e_buf *s = bufs[sent]; s;
		     s = s->next)
			bytes += s->len;
		sent++;
	}
	if (sent) {
		/* Descriptors and frame data are in memory before the
		 * doorbell lets the NIC fetch them. */
		e1k_doorbell(nic, tx->tdt, tx->tail);
		atomic_fetch_add_explicit(&tx->packets, sent,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&tx->bytes, bytes,
					  memory_order_relaxed);
	}
	return (int)sent;
}

int uvf_e1000e_tx_burst(struct uvf_e1000e *nic, struct uvf_e1000e_buf **bufs,
			unsigned int n)
{
	return tx_burst(nic, &nic->tx[0], bufs, n);
}

int uvf_e1000e_tx_burst_queue(struct uvf_e1000e *nic, unsigned int q,
			      struct uvf_e1000e_buf **bufs, unsigned int n)
{
	if (!nic || q >= nic->nqueues)
		return -EINVAL;
	return tx_burst(nic, &nic->tx[q], bufs, n);
}

int uvf_e1000e_tx_flush(struct uvf_e1000e *nic, unsigned int timeout_ms)
{
	uint64_t deadline = uvf_now_ns() + timeout_ms * 1000000ull;
	unsigned int q, busy;
	int ret;

	for (;;) {
		busy = 0;
		for (q = 0; q < nic->nqueues; q++) {
			e1k_tx_reclaim(&nic->tx[q]);
			busy += nic->tx[q].clean != nic->tx[q].tail;
		}
		if (!busy)
			return 0;
		ret = e1k_check_present(nic);
		if (ret)
			return ret;
		if (uvf_now_ns() >= deadline)
			return -ETIMEDOUT;
		e1k_sleep_ms(1);
	}
}
