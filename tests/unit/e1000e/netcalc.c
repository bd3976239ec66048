/* SPDX-License-Identifier: MIT */
/* Reference hashes, checksums and IPv4 frames (see netcalc.h). */
#include <string.h>

#include "netcalc.h"

uint32_t netcalc_toeplitz(const uint8_t key[40], const uint8_t *in,
			  size_t len)
{
	/* A 32-bit window slides over the key one bit per input bit. */
	uint32_t win = (uint32_t)key[0] << 24 | key[1] << 16 | key[2] << 8 |
		       key[3];
	uint32_t hash = 0;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		for (b = 7; b >= 0; b--) {
			if (in[i] >> b & 1)
				hash ^= win;
			win <<= 1;
			if (i + 4 < 40 && key[i + 4] >> b & 1)
				win |= 1;
		}
	}
	return hash;
}

uint32_t netcalc_rss_ipv4(const uint8_t key[40], const uint8_t *frame,
			  bool with_ports)
{
	const uint8_t *ip = frame + NETCALC_ETH_HLEN;
	size_t l3 = (ip[0] & 0xfu) * 4u;
	uint8_t in[12];

	memcpy(in, ip + 12, 8);		/* source, destination */
	if (!with_ports)
		return netcalc_toeplitz(key, in, 8);
	memcpy(in + 8, ip + l3, 4);	/* source port, destination port */
	return netcalc_toeplitz(key, in, 12);
}

uint32_t netcalc_sum(uint32_t sum, const uint8_t *p, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t netcalc_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

bool netcalc_ip_ok(const uint8_t *frame)
{
	const uint8_t *ip = frame + NETCALC_ETH_HLEN;

	return netcalc_fold(netcalc_sum(0, ip, (ip[0] & 0xfu) * 4u)) == 0;
}

static uint32_t pseudo(const uint8_t *ip, unsigned int l4_len)
{
	return netcalc_sum(0, ip + 12, 8) + ip[9] + l4_len;
}

bool netcalc_l4_ok(const uint8_t *frame)
{
	const uint8_t *ip = frame + NETCALC_ETH_HLEN;
	unsigned int l3 = (ip[0] & 0xfu) * 4u, l4 = be16(ip + 2) - l3;

	return netcalc_fold(netcalc_sum(pseudo(ip, l4), ip + l3, l4)) == 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint8_t fill(uint32_t seq, size_t i)
{
	return (uint8_t)(seq * 131u + i * 7u + (i >> 8));
}

size_t netcalc_ip_csum_off(void)
{
	return NETCALC_ETH_HLEN + 10;
}

size_t netcalc_l4_csum_off(uint8_t proto)
{
	return NETCALC_ETH_HLEN + NETCALC_IP_HLEN +
	       (proto == NETCALC_PROTO_TCP ? 16u : 6u);
}

void netcalc_build(uint8_t *f, size_t len, const struct netcalc_flow *fl,
		   uint32_t seq)
{
	uint8_t *ip = f + NETCALC_ETH_HLEN, *l4 = ip + NETCALC_IP_HLEN;
	size_t l4_len = len - NETCALC_ETH_HLEN - NETCALC_IP_HLEN;
	size_t hdr = fl->proto == NETCALC_PROTO_TCP ? 20 : 8, i;
	uint16_t csum;

	memcpy(f, fl->dst, 6);
	memcpy(f + 6, fl->src, 6);
	put16(f + 12, 0x0800);
	memset(ip, 0, NETCALC_IP_HLEN);
	ip[0] = 0x45;
	put16(ip + 2, (uint16_t)(len - NETCALC_ETH_HLEN));
	put16(ip + 4, (uint16_t)seq);
	ip[8] = 64;
	ip[9] = fl->proto;
	put32(ip + 12, fl->sip);
	put32(ip + 16, fl->dip);
	put16(ip + 10, netcalc_fold(netcalc_sum(0, ip, NETCALC_IP_HLEN)));
	memset(l4, 0, hdr);
	put16(l4, fl->sport);
	put16(l4 + 2, fl->dport);
	if (fl->proto == NETCALC_PROTO_TCP) {
		put32(l4 + 4, seq);
		l4[12] = 5 << 4;	/* data offset */
		l4[13] = 0x18;		/* PSH, ACK */
		put16(l4 + 14, 65535);
	} else {
		put16(l4 + 4, (uint16_t)l4_len);
	}
	for (i = hdr; i < l4_len; i++)
		l4[i] = fill(seq, i);
	csum = netcalc_fold(netcalc_sum(pseudo(ip, (unsigned int)l4_len), l4,
					l4_len));
	/* UDP's zero means "no checksum": send its other form. */
	if (!csum && fl->proto == NETCALC_PROTO_UDP)
		csum = 0xffff;
	put16(f + netcalc_l4_csum_off(fl->proto), csum);
}

bool netcalc_payload_ok(const uint8_t *f, size_t len, uint32_t seq)
{
	const uint8_t *ip = f + NETCALC_ETH_HLEN, *l4 = ip + NETCALC_IP_HLEN;
	size_t hdr = ip[9] == NETCALC_PROTO_TCP ? 20 : 8, i;
	size_t l4_len = len - NETCALC_ETH_HLEN - NETCALC_IP_HLEN;

	if (len < NETCALC_ETH_HLEN + NETCALC_IP_HLEN + hdr ||
	    be16(ip + 2) != len - NETCALC_ETH_HLEN)
		return false;
	for (i = hdr; i < l4_len; i++)
		if (l4[i] != fill(seq, i))
			return false;
	return true;
}
