/* SPDX-License-Identifier: MIT */
/*
 * Receive filters (promiscuous, all-multicast, the multicast table), RSS
 * (key, redirection table, hashed fields) and the longest frame.
 */
#include <errno.h>
#include <string.h>

#include "e1000e_priv.h"

/* The key of Microsoft's RSS verification suite (also Linux's and
 * DPDK's usual default), so published hash vectors apply. */
static const uint8_t default_key[UVF_E1000E_RSS_KEY_SIZE] = {
	0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67,
	0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca, 0x2b, 0xcb,
	0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30,
	0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b, 0xbe, 0xac, 0x01, 0xfa,
};

int e1k_modify(struct uvf_e1000e *nic, uint32_t reg, uint32_t clear,
	       uint32_t set)
{
	uint32_t v;
	int ret = e1k_read(nic, reg, &v);

	return ret ? ret : e1k_write(nic, reg, (v & ~clear) | set);
}

/* RCTL from the port's state: enabled, broadcast, FCS stripped, 2 KiB
 * buffers, multicast offset 0 (the MTA hash of bits 47:36). */
uint32_t e1k_rctl(const struct uvf_e1000e *nic)
{
	uint32_t rctl = E1K_RCTL_EN | E1K_RCTL_BAM | E1K_RCTL_SECRC |
			E1K_RCTL_BSIZE_2048 | E1K_RCTL_RDMTS_HALF;

	if (nic->promisc)
		rctl |= E1K_RCTL_UPE | E1K_RCTL_MPE;
	if (nic->allmulti)
		rctl |= E1K_RCTL_MPE;
	if (nic->max_frame > UVF_E1000E_MAX_FRAME)
		rctl |= E1K_RCTL_LPE;
	return rctl;
}

/* Write RCTL for a changed field; on failure put the field back. */
static int rctl_update(struct uvf_e1000e *nic, bool *field, bool want)
{
	bool old = *field;
	int ret;

	*field = want;
	ret = e1k_write(nic, E1K_RCTL, e1k_rctl(nic));
	if (ret) {
		*field = old;
		e1k_write(nic, E1K_RCTL, e1k_rctl(nic));
	}
	return ret;
}

int uvf_e1000e_set_promisc(struct uvf_e1000e *nic, bool on)
{
	if (!nic)
		return -EINVAL;
	return rctl_update(nic, &nic->promisc, on);
}

int uvf_e1000e_set_allmulti(struct uvf_e1000e *nic, bool on)
{
	if (!nic)
		return -EINVAL;
	return rctl_update(nic, &nic->allmulti, on);
}

int uvf_e1000e_set_max_frame(struct uvf_e1000e *nic, unsigned int max_frame)
{
	unsigned int old;
	int ret;

	if (!nic || max_frame < UVF_E1000E_MAX_FRAME ||
	    max_frame > UVF_E1000E_MAX_JUMBO)
		return -EINVAL;
	old = nic->max_frame;
	nic->max_frame = max_frame;
	ret = e1k_write(nic, E1K_RCTL, e1k_rctl(nic));
	if (ret) {
		nic->max_frame = old;
		e1k_write(nic, E1K_RCTL, e1k_rctl(nic));
	}
	return ret;
}

unsigned int uvf_e1000e_max_frame(const struct uvf_e1000e *nic)
{
	return nic->max_frame;
}

static int write_mta(struct uvf_e1000e *nic, const uint32_t *mta)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < E1K_MTA_REGS; i++)
		ret = e1k_write(nic, E1K_MTA + 4 * i, mta[i]);
	return ret;
}

int uvf_e1000e_set_mc_list(struct uvf_e1000e *nic, const uint8_t (*addrs)[6],
			   unsigned int n)
{
	uint32_t mta[E1K_MTA_REGS] = { 0 };
	unsigned int i, h;
	int ret;

	if (!nic || (!addrs && n) || n > UVF_E1000E_MAX_MC)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!(addrs[i][0] & 1))
			return -EINVAL;
		/* Multicast offset 0: destination bits 47:36. */
		h = ((unsigned int)addrs[i][4] >> 4 |
		     (unsigned int)addrs[i][5] << 4) & 0xfff;
		mta[h >> 5] |= 1u << (h & 31);
	}
	ret = write_mta(nic, mta);
	if (ret) {
		write_mta(nic, nic->mta);
		return ret;
	}
	memcpy(nic->mta, mta, sizeof(mta));
	return 0;
}

static uint32_t mrqc_of(unsigned int fields)
{
	uint32_t mrqc = 0;

	if (!fields)
		return 0;
	mrqc = E1K_MRQC_RSS;
	if (fields & UVF_E1000E_RSS_IPV4)
		mrqc |= E1K_MRQC_IPV4;
	if (fields & UVF_E1000E_RSS_TCPIPV4)
		mrqc |= E1K_MRQC_TCPIPV4;
	return mrqc;
}

/* Key bytes go to the registers in order, four per register, the first
 * in the low byte; likewise the table, bit 7 of an entry choosing queue
 * 1. MRQC last, so hashing starts on the complete set-up. */
static int write_rss(struct uvf_e1000e *nic, const struct uvf_e1000e_rss *r)
{
	unsigned int i, j;
	uint32_t v;
	int ret = e1k_write(nic, E1K_MRQC, 0);

	for (i = 0; !ret && i < E1K_RSSRK_REGS; i++) {
		for (v = 0, j = 0; j < 4; j++)
			v |= (uint32_t)r->key[4 * i + j] << (8 * j);
		ret = e1k_write(nic, E1K_RSSRK + 4 * i, v);
	}
	for (i = 0; !ret && i < E1K_RETA_REGS; i++) {
		for (v = 0, j = 0; j < 4; j++)
			if (r->reta[4 * i + j])
				v |= E1K_RETA_QUEUE1 << (8 * j);
		ret = e1k_write(nic, E1K_RETA + 4 * i, v);
	}
	if (!ret)
		ret = e1k_write(nic, E1K_MRQC, mrqc_of(r->fields));
	return ret;
}

int uvf_e1000e_set_rss(struct uvf_e1000e *nic,
		       const struct uvf_e1000e_rss *rss)
{
	unsigned int i;
	int ret;

	if (!nic || !rss || nic->nqueues < 2 || !rss->fields ||
	    rss->fields & ~(UVF_E1000E_RSS_IPV4 | UVF_E1000E_RSS_TCPIPV4))
		return -EINVAL;
	for (i = 0; i < UVF_E1000E_RETA_SIZE; i++)
		if (rss->reta[i] >= nic->nqueues)
			return -EINVAL;
	ret = write_rss(nic, rss);
	if (ret) {
		write_rss(nic, &nic->rss);
		return ret;
	}
	nic->rss = *rss;
	return 0;
}

int uvf_e1000e_get_rss(const struct uvf_e1000e *nic,
		       struct uvf_e1000e_rss *rss)
{
	if (!nic || !rss)
		return -EINVAL;
	*rss = nic->rss;
	return 0;
}

/*
 * At open: the multicast table empty, RSS as the options say, extended
 * receive descriptors, the descriptor's checksum field given to the RSS
 * hash (PCSD: QEMU hashes only so) and checksum checks if asked.
 */
int e1k_filters_init(struct uvf_e1000e *nic, const struct uvf_e1000e_opts *o)
{
	struct uvf_e1000e_rss rss;
	uint32_t rxcsum = E1K_RXCSUM_PCSD;
	unsigned int i;
	int ret;

	nic->promisc = o->promisc;
	nic->max_frame = o->max_frame;
	memset(nic->mta, 0, sizeof(nic->mta));
	ret = write_mta(nic, nic->mta);
	if (o->rx_csum)
		rxcsum |= E1K_RXCSUM_IPOFLD | E1K_RXCSUM_TUOFLD;
	if (!ret)
		ret = e1k_write(nic, E1K_RXCSUM, rxcsum);
	/* ACK_DIS: Linux's workaround for spurious 82574 MSI-X
	 * interrupts. */
	if (!ret)
		ret = e1k_modify(nic, E1K_RFCTL, 0,
				 E1K_RFCTL_EXTEN | E1K_RFCTL_ACK_DIS);
	memset(&nic->rss, 0, sizeof(nic->rss));
	if (!ret && o->rss) {
		memcpy(rss.key, default_key, sizeof(rss.key));
		for (i = 0; i < UVF_E1000E_RETA_SIZE; i++)
			rss.reta[i] = (uint8_t)(i & 1);
		rss.fields = UVF_E1000E_RSS_IPV4 | UVF_E1000E_RSS_TCPIPV4;
		ret = uvf_e1000e_set_rss(nic, &rss);
	} else if (!ret) {
		ret = e1k_write(nic, E1K_MRQC, 0);
	}
	return ret;
}
