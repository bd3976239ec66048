/* SPDX-License-Identifier: MIT */
/* The fake 82574L (see fake_e1000e.h). */
#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/e1000e.h>
#include <uvf/sim.h>

#include "e1000e_regs.h"
#include "fake_e1000e.h"
#include "fake_regwin.h"
#include "netcalc.h"

#define NREGS (E1K_BAR_SIZE / 4)
#define MAX_FRAME FAKE_E1000E_MAX_FRAME	/* more is cut */
#define VLAN_FRAME 1522u	/* the longest frame without RCTL.LPE */
#define SENT_MAX 512u
#define MSIX_VECTORS 5u
#define NQUEUES 2u
#define TXD_DTYP_MASK (0xfu << 20)
#define STATUS_SPEED_1000 (2u << E1K_STATUS_SPEED_SHIFT)
#define TARC0_RESET 0x3u	/* without the enable bit: the driver sets it */

struct frame {
	uint16_t len;
	uint8_t data[MAX_FRAME];
};

/* The last context descriptor of a transmit queue. */
struct tx_ctx {
	struct e1k_tx_ctx_desc d;
	uint32_t popts;		/* of the frame being gathered */
};

/* Frames register writes sent, delivered after the lock is dropped (the
 * peer's lock must not nest inside ours). */
struct outbox {
	struct frame *f;
	unsigned int n, cap;
};

struct fake {
	struct fake_regwin w;	/* first: BAR 0, config space, interrupts */
	struct fake_e1000e_params p;
	struct fake_e1000e_faults faults;
	struct fake_e1000e_stats st;
	uint32_t regs[NREGS];
	struct fake *peer;
	/* The frames being gathered from transmit descriptors. */
	struct frame txf[NQUEUES];
	struct tx_ctx ctx[NQUEUES];
	/* Packet buffer: frames waiting for a receive descriptor. */
	struct frame fifo[FAKE_E1000E_FIFO];
	unsigned int fifo_head, fifo_count;
	/* What an unconnected fake sent. */
	struct frame *sent;
	unsigned int sent_head, sent_count;
	struct outbox out;	/* sent, not yet delivered */
};

static struct fake *fake_of_win(struct fake_regwin *w)
{
	return (struct fake *)w;
}

static struct fake *fake_of(struct uvf_device *dev)
{
	return fake_of_win(fake_regwin_of(dev));
}

static uint32_t *reg(struct fake *f, uint32_t off)
{
	return &f->regs[off / 4];
}

void fake_e1000e_params_default(struct fake_e1000e_params *p)
{
	static const uint8_t mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

	memset(p, 0, sizeof(*p));
	p->device = UVF_E1000E_DEVICE;
	memcpy(p->mac, mac, 6);
	p->rid = 0x0028;
	p->bar0_size = E1K_BAR_SIZE;
}

/* MSI-X: one message per enabled cause event, to the vector IVAR names;
 * EIAC causes clear from ICR when their message goes. */
static void msix_cause(struct fake *f, uint32_t cause, unsigned int shift)
{
	uint32_t ivar = (*reg(f, E1K_IVAR) >> shift) & 0xf;

	if (!(*reg(f, E1K_IMS) & cause) || !(ivar & E1K_IVAR_VALID))
		return;
	fake_regwin_signal(&f->w, ivar & 7);
	*reg(f, E1K_ICR) &= ~(cause & *reg(f, E1K_EIAC));
}

static bool msix_on(struct fake *f)
{
	return f->w.irq_type == UVF_IRQ_MSIX && f->w.irq_fds;
}

static bool msi_on(struct fake *f)
{
	return f->w.irq_type == UVF_IRQ_MSI && f->w.irq_fds;
}

static void raise_causes(struct fake *f, uint32_t causes)
{
	uint32_t before = *reg(f, E1K_ICR) & *reg(f, E1K_IMS);

	*reg(f, E1K_ICR) |= causes;
	if (msix_on(f)) {
		if (causes & E1K_ICR_RXQ0)
			msix_cause(f, E1K_ICR_RXQ0, E1K_IVAR_RXQ0_SHIFT);
		if (causes & E1K_ICR_RXQ1)
			msix_cause(f, E1K_ICR_RXQ1, E1K_IVAR_RXQ1_SHIFT);
		if (causes & E1K_ICR_TXQ0)
			msix_cause(f, E1K_ICR_TXQ0, E1K_IVAR_TXQ0_SHIFT);
		if (causes & E1K_ICR_TXQ1)
			msix_cause(f, E1K_ICR_TXQ1, E1K_IVAR_TXQ1_SHIFT);
		if (causes & E1K_ICR_OTHER)
			msix_cause(f, E1K_ICR_OTHER, E1K_IVAR_OTHER_SHIFT);
	} else if (msi_on(f) && !before &&
		   (*reg(f, E1K_ICR) & *reg(f, E1K_IMS))) {
		fake_regwin_signal(&f->w, 0);
	}
}

static void mac_reset(struct fake *f)
{
	memset(f->regs, 0, sizeof(f->regs));
	*reg(f, E1K_CTRL) = E1K_CTRL_FD | E1K_CTRL_SLU;
	*reg(f, E1K_EECD) = f->faults.no_auto_read ? 0 : E1K_EECD_AUTO_RD;
	*reg(f, E1K_TARC0) = TARC0_RESET;
	if (!f->faults.rar_invalid && !f->faults.eeprom_blank) {
		*reg(f, E1K_RAL0) = f->p.mac[0] | f->p.mac[1] << 8 |
				    f->p.mac[2] << 16 |
				    (uint32_t)f->p.mac[3] << 24;
		*reg(f, E1K_RAH0) = f->p.mac[4] | f->p.mac[5] << 8 |
				    E1K_RAH_AV;
	}
	memset(f->txf, 0, sizeof(f->txf));
	memset(f->ctx, 0, sizeof(f->ctx));
	f->fifo_head = f->fifo_count = 0;
	f->st.resets++;
}

static bool for_us(struct fake *f, const uint8_t *dst)
{
	uint32_t rctl = *reg(f, E1K_RCTL), lo = *reg(f, E1K_RAL0),
		 hi = *reg(f, E1K_RAH0);
	uint8_t ra[6] = { (uint8_t)lo, (uint8_t)(lo >> 8), (uint8_t)(lo >> 16),
			  (uint8_t)(lo >> 24), (uint8_t)hi,
			  (uint8_t)(hi >> 8) };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff,
					  0xff, 0xff, 0xff };

	unsigned int h;

	if (!memcmp(dst, bcast, 6))
		return rctl & E1K_RCTL_BAM;
	if (dst[0] & 1) {
		if (rctl & E1K_RCTL_MPE)
			return true;
		/* Multicast offset 0: the table bit of bits 47:36. */
		ck_assert_uint_eq(rctl & E1K_RCTL_MO_MASK, 0);
		h = (dst[4] >> 4 | dst[5] << 4) & 0xfff;
		return *reg(f, E1K_MTA + 4 * (h >> 5)) >> (h & 31) & 1;
	}
	return (rctl & E1K_RCTL_UPE) ||
	       ((hi & E1K_RAH_AV) && !memcmp(dst, ra, 6));
}

static uint32_t ring_slots(struct fake *f, uint32_t len_reg)
{
	return *reg(f, len_reg) / 16;
}

static void count64(struct fake *f, uint32_t lo, uint64_t add)
{
	uint64_t v = (uint64_t)*reg(f, lo + 4) << 32 | *reg(f, lo);

	v += add;
	*reg(f, lo) = (uint32_t)v;
	*reg(f, lo + 4) = (uint32_t)(v >> 32);
}

/* Receive buffer bytes of RCTL.BSIZE without BSEX. */
static uint32_t rx_buf_size(struct fake *f)
{
	return 2048u >> ((*reg(f, E1K_RCTL) >> 16) & 3);
}

static bool rx_extended(struct fake *f)
{
	return *reg(f, E1K_RFCTL) & E1K_RFCTL_EXTEN;
}

/* Whether RSS decides the queue: QEMU's conditions (MRQC, PCSD and
 * extended descriptors). */
static bool rss_on(struct fake *f)
{
	return (*reg(f, E1K_MRQC) & E1K_MRQC_MQ_MASK) == E1K_MRQC_RSS &&
	       (*reg(f, E1K_RXCSUM) & E1K_RXCSUM_PCSD) && rx_extended(f);
}

static bool is_ipv4(const struct frame *fr)
{
	return fr->len >= NETCALC_ETH_HLEN + NETCALC_IP_HLEN &&
	       fr->data[12] == 0x08 && fr->data[13] == 0 &&
	       fr->data[14] >> 4 == 4 &&
	       NETCALC_ETH_HLEN + (fr->data[14] & 0xfu) * 4u <= fr->len;
}

/* RSS type (1 TCP/IPv4, 2 IPv4, 0 none) and hash of a frame. */
static uint32_t rss_hash(struct fake *f, const struct frame *fr,
			 uint32_t *hash)
{
	uint32_t mrqc = *reg(f, E1K_MRQC), key_reg;
	uint8_t key[40];
	unsigned int i;
	const uint8_t *ip = fr->data + NETCALC_ETH_HLEN;
	bool frag = (ip[6] & 0x3f) || ip[7];

	*hash = 0;
	if (!is_ipv4(fr))
		return 0;
	for (i = 0; i < 40; i++) {
		key_reg = *reg(f, E1K_RSSRK + 4 * (i / 4));
		key[i] = (uint8_t)(key_reg >> (8 * (i % 4)));
	}
	if ((mrqc & E1K_MRQC_TCPIPV4) && ip[9] == NETCALC_PROTO_TCP && !frag) {
		*hash = netcalc_rss_ipv4(key, fr->data, true);
		return 1;
	}
	if (mrqc & E1K_MRQC_IPV4) {
		*hash = netcalc_rss_ipv4(key, fr->data, false);
		return 2;
	}
	return 0;
}

/* Status and error bits of the checksum checks (RXCSUM), as QEMU sets
 * them: UDP gets TCPCS and UDPCS. */
static uint32_t rx_csum_status(struct fake *f, const struct frame *fr)
{
	uint32_t rxcsum = *reg(f, E1K_RXCSUM), st = 0;
	uint8_t proto;

	if (!is_ipv4(fr))
		return 0;
	if (rxcsum & E1K_RXCSUM_IPOFLD) {
		st |= E1K_RXD_STAT_IPCS;
		if (!netcalc_ip_ok(fr->data))
			st |= E1K_RXD_ERR_IPE;
	}
	proto = fr->data[NETCALC_ETH_HLEN + 9];
	if ((rxcsum & E1K_RXCSUM_TUOFLD) &&
	    (proto == NETCALC_PROTO_TCP || proto == NETCALC_PROTO_UDP)) {
		st |= E1K_RXD_STAT_TCPCS;
		if (proto == NETCALC_PROTO_UDP)
			st |= E1K_RXD_STAT_UDPCS;
		if (!netcalc_l4_ok(fr->data))
			st |= E1K_RXD_ERR_TCPE;
	}
	return st;
}

static uint32_t q_reg(uint32_t reg0, unsigned int q)
{
	return reg0 + q * E1K_QUEUE_STRIDE;
}

/* Free receive descriptors of queue @q (RDH up to RDT). */
static uint32_t rx_free(struct fake *f, unsigned int q)
{
	uint32_t n = ring_slots(f, q_reg(E1K_RDLEN, q)),
		 h = *reg(f, q_reg(E1K_RDH, q)), t = *reg(f, q_reg(E1K_RDT, q));

	if (!n || h >= n || t >= n)
		return 0;
	return t >= h ? t - h : n - h + t;
}

/* Write one frame into the receive descriptors it needs (several when
 * longer than a buffer): false when there are not enough (or a write
 * faulted, which drops the frame). */
static bool rx_write(struct fake *f, const struct frame *fr, bool *dropped)
{
	uint32_t bsize = rx_buf_size(f), hash = 0, type = 0, status, q = 0;
	bool secrc = *reg(f, E1K_RCTL) & E1K_RCTL_SECRC;
	uint32_t total = fr->len + (secrc ? 0u : 4u), done = 0, n, head, chunk;
	uint8_t data[MAX_FRAME + 4] = { 0 };
	uint64_t base;

	*dropped = false;
	if (rss_on(f)) {
		type = rss_hash(f, fr, &hash);
		if (type)
			q = (*reg(f, E1K_RETA + 4 * ((hash & 127) / 4)) >>
			     (8 * (hash & 3)) & E1K_RETA_QUEUE1) ? 1 : 0;
	}
	if (rx_free(f, q) < (total + bsize - 1) / bsize)
		return false;
	memcpy(data, fr->data, fr->len);	/* the FCS reads as zero */
	n = ring_slots(f, q_reg(E1K_RDLEN, q));
	base = (uint64_t)*reg(f, q_reg(E1K_RDBAH, q)) << 32 |
	       *reg(f, q_reg(E1K_RDBAL, q));
	status = rx_csum_status(f, fr);
	if (f->faults.rx_bad_frames)
		status |= 0x01000000u;		/* CE */
	while (done < total) {
		union e1k_rx_desc d;
		uint64_t at;

		head = *reg(f, q_reg(E1K_RDH, q));
		at = base + head * 16ull;
		chunk = total - done < bsize ? total - done : bsize;
		if (fake_regwin_dma_read(&f->w, at, &d, sizeof(d)) ||
		    fake_regwin_dma_write(&f->w, d.read.addr, data + done,
					  chunk))
			return *dropped = true;
		done += chunk;
		if (rx_extended(f)) {
			memset(&d, 0, sizeof(d));
			d.wb.length = (uint16_t)chunk;
			d.wb.status_error = E1K_RXD_STAT_DD;
			if (done == total) {
				d.wb.status_error |= E1K_RXD_STAT_EOP | status;
				d.wb.mrq = type | q << 8;
				d.wb.rss = hash;
			}
		} else {
			struct e1k_legacy { uint64_t addr; uint16_t length,
				csum; uint8_t status, errors; uint16_t sp; }
				*l = (struct e1k_legacy *)&d;

			l->length = (uint16_t)chunk;
			l->csum = 0;
			l->status = E1K_RXD_STAT_DD;
			l->errors = 0;
			l->sp = 0;
			if (done == total) {
				l->status |= E1K_RXD_STAT_EOP | (uint8_t)status;
				l->errors = (uint8_t)(status >> 24);
			}
		}
		if (fake_regwin_dma_write(&f->w, at, &d, sizeof(d)))
			return *dropped = true;
		*reg(f, q_reg(E1K_RDH, q)) = head + 1 == n ? 0 : head + 1;
	}
	f->st.rx_frames++;
	f->st.rx_queue[q]++;
	(*reg(f, E1K_GPRC))++;
	(*reg(f, E1K_TPR))++;
	count64(f, E1K_GORCL, fr->len + 4u);
	if (fr->data[0] == 0xff && !memcmp(fr->data, fr->data + 1, 5))
		(*reg(f, E1K_BPRC))++;
	else if (fr->data[0] & 1)
		(*reg(f, E1K_MPRC))++;
	raise_causes(f, !msix_on(f) ? E1K_ICR_RXT0 :
		     q ? E1K_ICR_RXQ1 : E1K_ICR_RXQ0);
	return true;
}

/* Move waiting frames into the ring while descriptors last. */
static void rx_drain(struct fake *f)
{
	bool dropped;

	while (f->fifo_count && (*reg(f, E1K_RCTL) & E1K_RCTL_EN)) {
		if (!rx_write(f, &f->fifo[f->fifo_head], &dropped) &&
		    !dropped)
			return;
		f->fifo_head = (f->fifo_head + 1) % FAKE_E1000E_FIFO;
		f->fifo_count--;
	}
}

static void rx_frame(struct fake *f, const uint8_t *data, size_t len)
{
	struct frame *slot;
	bool dropped;

	if (!(*reg(f, E1K_RCTL) & E1K_RCTL_EN) || f->faults.link_down) {
		f->st.rx_disabled++;
		return;
	}
	if (len < 14 || len > MAX_FRAME ||
	    (len > VLAN_FRAME && !(*reg(f, E1K_RCTL) & E1K_RCTL_LPE))) {
		f->st.rx_oversize++;
		(*reg(f, E1K_ROC))++;
		return;
	}
	if (!for_us(f, data)) {
		f->st.rx_filtered++;
		return;
	}
	rx_drain(f);
	if (!f->fifo_count) {
		struct frame fr;

		fr.len = (uint16_t)len;
		memcpy(fr.data, data, len);
		if (rx_write(f, &fr, &dropped) || dropped)
			return;
	}
	if (f->fifo_count == FAKE_E1000E_FIFO) {
		f->st.rx_overflow++;
		(*reg(f, E1K_MPC))++;
		(*reg(f, E1K_RNBC))++;
		raise_causes(f, E1K_ICR_RXO);
		return;
	}
	slot = &f->fifo[(f->fifo_head + f->fifo_count++) % FAKE_E1000E_FIFO];
	slot->len = (uint16_t)len;
	memcpy(slot->data, data, len);
}

static void outbox_add(struct outbox *o, const struct frame *fr)
{
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 16;
		o->f = realloc(o->f, o->cap * sizeof(*o->f));
		ck_assert_ptr_nonnull(o->f);
	}
	o->f[o->n].len = fr->len;
	memcpy(o->f[o->n].data, fr->data, fr->len);
	o->n++;
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* What the datasheet says the NIC does for POPTS: the one's-complement
 * sum from the start offset (to the end offset, or the frame's end),
 * inverted, at the offset; the L4 sum includes whatever the driver put in
 * the field (its pseudo-header seed); the IPv4 field must be zero. */
static void tx_offload(struct frame *fr, const struct tx_ctx *c)
{
	const struct e1k_tx_ctx_desc *d = &c->d;
	uint32_t end;

	if ((c->popts & E1K_TXD_POPTS_IXSM) && d->ipcse < fr->len &&
	    d->ipcso + 2u <= fr->len && d->ipcss < d->ipcse)
		put_be16(fr->data + d->ipcso,
			 netcalc_fold(netcalc_sum(0, fr->data + d->ipcss,
						  d->ipcse + 1u - d->ipcss)));
	if ((c->popts & E1K_TXD_POPTS_TXSM) && d->tucss < fr->len &&
	    d->tucso + 2u <= fr->len) {
		end = d->tucse ? d->tucse + 1u : fr->len;
		put_be16(fr->data + d->tucso,
			 netcalc_fold(netcalc_sum(0, fr->data + d->tucss,
						  end - d->tucss)));
	}
}

/* Send everything between TDH and TDT of queue @q, into the outbox. */
static void tx_process(struct fake *f, unsigned int q)
{
	uint32_t n = ring_slots(f, q_reg(E1K_TDLEN, q)),
		 head = *reg(f, q_reg(E1K_TDH, q));
	uint64_t base = (uint64_t)*reg(f, q_reg(E1K_TDBAH, q)) << 32 |
			*reg(f, q_reg(E1K_TDBAL, q));
	uint32_t tarc = *reg(f, q ? E1K_TARC1 : E1K_TARC0);
	struct frame *txf = &f->txf[q];
	bool any = false;
	struct e1k_tx_desc d;
	uint32_t len, dtyp;

	if (!(*reg(f, E1K_TCTL) & E1K_TCTL_EN) || f->faults.tx_hold ||
	    !(tarc & E1K_TARC0_ENABLE) || !n)
		return;
	while (head != *reg(f, q_reg(E1K_TDT, q)) && head < n) {
		if (fake_regwin_dma_read(&f->w, base + head * 16ull, &d,
					 sizeof(d)))
			break;
		dtyp = d.lower & (E1K_TXD_CMD_DEXT | TXD_DTYP_MASK);
		if (dtyp == E1K_TXD_CMD_DEXT) {
			/* A context descriptor: remembered for the next
			 * frames. */
			memcpy(&f->ctx[q].d, &d, sizeof(d));
			goto status;
		}
		ck_assert_msg(!(d.lower & E1K_TXD_CMD_DEXT) ||
			      dtyp == (E1K_TXD_CMD_DEXT | E1K_TXD_DTYP_D),
			      "unknown transmit descriptor type");
		if (d.lower & E1K_TXD_CMD_DEXT)
			f->ctx[q].popts = d.upper & (E1K_TXD_POPTS_IXSM |
						     E1K_TXD_POPTS_TXSM);
		len = d.lower & 0xffff;
		if (txf->len + len <= MAX_FRAME && len &&
		    !fake_regwin_dma_read(&f->w, d.addr,
					  txf->data + txf->len, len))
			txf->len = (uint16_t)(txf->len + len);
		if (d.lower & E1K_TXD_CMD_EOP) {
			tx_offload(txf, &f->ctx[q]);
			f->ctx[q].popts = 0;
			outbox_add(&f->out, txf);
			f->st.tx_frames++;
			f->st.tx_queue[q]++;
			(*reg(f, E1K_GPTC))++;
			(*reg(f, E1K_TPT))++;
			count64(f, E1K_GOTCL, txf->len + 4u);
			txf->len = 0;
		}
status:
		if (d.lower & E1K_TXD_CMD_RS) {
			d.upper |= E1K_TXD_STAT_DD;
			fake_regwin_dma_write(&f->w, base + head * 16ull + 12,
					      &d.upper, 4);
		}
		head = head + 1 == n ? 0 : head + 1;
		*reg(f, q_reg(E1K_TDH, q)) = head;
		any = true;
	}
	if (any)
		raise_causes(f, !msix_on(f) ? E1K_ICR_TXDW :
			     q ? E1K_ICR_TXQ1 : E1K_ICR_TXQ0);
}

/* Empties the outbox: to the peer, or kept for the test. Runs with the
 * lock dropped. */
static void deliver(struct fake_regwin *w)
{
	struct fake *f = fake_of_win(w), *peer;
	struct outbox out;
	unsigned int i;

	pthread_mutex_lock(&w->lock);
	out = f->out;
	f->out = (struct outbox){ 0 };
	peer = f->peer;
	for (i = 0; !peer && i < out.n && f->sent_count < SENT_MAX; i++)
		f->sent[(f->sent_head + f->sent_count++) % SENT_MAX] = out.f[i];
	pthread_mutex_unlock(&w->lock);
	if (peer && out.n) {
		pthread_mutex_lock(&peer->w.lock);
		for (i = 0; i < out.n; i++)
			rx_frame(peer, out.f[i].data, out.f[i].len);
		pthread_mutex_unlock(&peer->w.lock);
	}
	/* Kept for the next frames unless some came meanwhile: a burst
	 * then costs no allocation (a frame is jumbo-sized, so the outbox is
	 * a large one, and under ASan freeing it is a munmap). */
	pthread_mutex_lock(&w->lock);
	if (!f->out.f) {
		f->out = (struct outbox){ .f = out.f, .cap = out.cap };
		out.f = NULL;
	}
	pthread_mutex_unlock(&w->lock);
	free(out.f);
}

static uint32_t reg_read(struct fake_regwin *w, uint32_t off)
{
	struct fake *f = fake_of_win(w);
	uint32_t v = *reg(f, off);

	switch (off) {
	case E1K_STATUS:
		v = E1K_STATUS_FD | STATUS_SPEED_1000;
		if (!f->faults.link_down)
			v |= E1K_STATUS_LU;
		if (!(*reg(f, E1K_CTRL) & E1K_CTRL_GIO_MASTER_DISABLE))
			v |= E1K_STATUS_GIO_MASTER_ENABLE;
		return v;
	case E1K_ICR:
		*reg(f, E1K_ICR) = 0;
		return v;
	case E1K_IMC:
	case E1K_ICS:
		return 0;	/* write-only */
	case E1K_GORCH:
	case E1K_GOTCH:
		*reg(f, off - 4) = 0;
		*reg(f, off) = 0;
		return v;
	case E1K_GORCL:
	case E1K_GOTCL:
		return v;	/* cleared with the high half */
	default:
		if (off >= 0x4000 && off < 0x4200)
			*reg(f, off) = 0;	/* statistics clear on read */
		return v;
	}
}

static void eerd(struct fake *f, uint32_t val)
{
	uint32_t addr = (val >> E1K_EERD_ADDR_SHIFT) & 0x3fff;
	uint16_t word = 0;

	if (!(val & E1K_EERD_START))
		return;
	if (addr < 3 && !f->faults.eeprom_blank)
		word = f->p.mac[2 * addr] | f->p.mac[2 * addr + 1] << 8;
	*reg(f, E1K_EERD) = (uint32_t)word << E1K_EERD_DATA_SHIFT |
			    addr << E1K_EERD_ADDR_SHIFT | E1K_EERD_DONE;
}

static void reg_write(struct fake_regwin *w, uint32_t off, uint32_t val)
{
	struct fake *f = fake_of_win(w);
	uint32_t ims_before;

	switch (off) {
	case E1K_CTRL:
		if (val & E1K_CTRL_RST) {
			if (f->faults.reset_stuck) {
				*reg(f, E1K_CTRL) = val;
				return;
			}
			mac_reset(f);
			return;
		}
		*reg(f, off) = val;
		return;
	case E1K_STATUS:
	case E1K_EECD:
		return;
	case E1K_EERD:
		eerd(f, val);
		return;
	case E1K_ICR:
		*reg(f, off) &= ~val;
		return;
	case E1K_ICS:
		raise_causes(f, val);
		return;
	case E1K_IMS:
		ims_before = *reg(f, E1K_ICR) & *reg(f, E1K_IMS);
		*reg(f, E1K_IMS) |= val;
		if (msi_on(f) && !ims_before &&
		    (*reg(f, E1K_ICR) & *reg(f, E1K_IMS)))
			fake_regwin_signal(&f->w, 0);
		return;
	case E1K_IMC:
		*reg(f, E1K_IMS) &= ~val;
		return;
	case E1K_RDT:
	case E1K_RDT + E1K_QUEUE_STRIDE:
		*reg(f, off) = val & 0xffff;
		rx_drain(f);
		return;
	case E1K_RCTL:
		*reg(f, off) = val;
		rx_drain(f);
		return;
	case E1K_TDT:
	case E1K_TDT + E1K_QUEUE_STRIDE:
		*reg(f, off) = val & 0xffff;
		tx_process(f, (off - E1K_TDT) / E1K_QUEUE_STRIDE);
		return;
	case E1K_TCTL:
		*reg(f, off) = val;
		tx_process(f, 0);
		tx_process(f, 1);
		return;
	default:
		if (off >= 0x4000 && off < 0x4200)
			return;		/* statistics are read-only */
		*reg(f, off) = val;
	}
}

static void fake_destroy(struct fake_regwin *w)
{
	struct fake *f = fake_of_win(w);

	if (f->peer)
		fake_e1000e_connect(&w->dev, NULL);
	free(f->out.f);
	free(f->sent);
}

static const struct fake_regwin_ops fake_ops = {
	.read = reg_read,
	.write = reg_write,
	.after_write = deliver,
	.destroy = fake_destroy,
};

struct uvf_device *fake_e1000e_create(struct uvf_iommu *iommu,
				      const struct fake_e1000e_params *p)
{
	const struct fake_regwin_desc desc = {
		.name = "fake-e1000e",
		.rid = p->rid,
		.vendor = UVF_E1000E_VENDOR,
		.device = p->device,
		.bar0_size = p->bar0_size,
		.bar0_flags = UVF_BAR_MMIO,
		.dma_needs_master = true,
		.msix_max = p->no_msix ? 0 : MSIX_VECTORS,
		.msi_max = 1,
	};
	struct fake *f;

	ck_assert_uint_le(p->bar0_size, E1K_BAR_SIZE);	/* regs[] holds it */
	f = fake_regwin_create(sizeof(*f), &fake_ops, &desc, iommu);
	f->w.irqs = &f->st.irqs;
	f->w.dma_faults = &f->st.dma_faults;
	f->w.dma_blocked = &f->st.dma_blocked;
	f->p = *p;
	f->sent = calloc(SENT_MAX, sizeof(*f->sent));
	ck_assert_ptr_nonnull(f->sent);
	mac_reset(f);
	f->st.resets = 0;
	return &f->w.dev;
}

void fake_e1000e_connect(struct uvf_device *a, struct uvf_device *b)
{
	struct fake *fa = fake_of(a), *fb = b ? fake_of(b) : NULL;

	if (!fb && fa->peer) {
		fa->peer->peer = NULL;
		fa->peer = NULL;
		return;
	}
	fa->peer = fb;
	if (fb)
		fb->peer = fa;
}

void fake_e1000e_set_faults(struct uvf_device *dev,
			    const struct fake_e1000e_faults *faults)
{
	struct fake *f = fake_of(dev);

	fake_regwin_locked_copy(&f->w, &f->faults, faults, sizeof(*faults));
}

void fake_e1000e_release(struct uvf_device *dev)
{
	struct fake *f = fake_of(dev);

	pthread_mutex_lock(&f->w.lock);
	f->faults.tx_hold = false;
	tx_process(f, 0);
	tx_process(f, 1);
	pthread_mutex_unlock(&f->w.lock);
	deliver(&f->w);
}

void fake_e1000e_inject(struct uvf_device *dev, const void *frame,
			size_t len)
{
	struct fake *f = fake_of(dev);

	pthread_mutex_lock(&f->w.lock);
	rx_frame(f, frame, len);
	pthread_mutex_unlock(&f->w.lock);
}

int fake_e1000e_take_sent(struct uvf_device *dev, void *buf, size_t max)
{
	struct fake *f = fake_of(dev);
	int len = -1;

	pthread_mutex_lock(&f->w.lock);
	if (f->sent_count) {
		struct frame *s = &f->sent[f->sent_head];

		len = s->len;
		memcpy(buf, s->data, s->len < max ? s->len : max);
		f->sent_head = (f->sent_head + 1) % SENT_MAX;
		f->sent_count--;
	}
	pthread_mutex_unlock(&f->w.lock);
	return len;
}

void fake_e1000e_get_stats(struct uvf_device *dev,
			   struct fake_e1000e_stats *st)
{
	struct fake *f = fake_of(dev);

	fake_regwin_locked_copy(&f->w, st, &f->st, sizeof(*st));
}

uint32_t fake_e1000e_peek(struct uvf_device *dev, uint32_t off)
{
	struct fake *f = fake_of(dev);
	uint32_t v;

	pthread_mutex_lock(&f->w.lock);
	v = *reg(f, off);
	pthread_mutex_unlock(&f->w.lock);
	return v;
}

void fake_e1000e_poke(struct uvf_device *dev, uint32_t off, uint32_t val)
{
	struct fake *f = fake_of(dev);

	pthread_mutex_lock(&f->w.lock);
	*reg(f, off) = val;
	pthread_mutex_unlock(&f->w.lock);
}

uint16_t fake_e1000e_pci_command(struct uvf_device *dev)
{
	return fake_regwin_pci_command(fake_regwin_of(dev));
}

void fake_e1000e_remove(struct uvf_device *dev)
{
	fake_regwin_remove(fake_regwin_of(dev));
}
