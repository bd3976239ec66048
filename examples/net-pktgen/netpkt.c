/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/mmio.h>

#include "netpkt.h"

#define MAGIC 0x55564650u	/* "UVFP" */
#define OFF_MAGIC 14
#define OFF_SEQ 18
#define OFF_LEN 26
#define OFF_CSUM 30

static void put_le(uint8_t *p, uint64_t v, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* Fletcher-style sum over 32-bit words: position matters, so swapped or
 * shifted data shows. Fed in pieces of whole words; a trailing partial
 * word counts zero-padded. */
struct sum {
	uint64_t a, b;
};

static void sum_add(struct sum *s, const uint8_t *p, size_t n)
{
	uint32_t w;
	size_t i;

	for (i = 0; i + 4 <= n; i += 4) {
		memcpy(&w, p + i, 4);
		s->a += w;
		s->b += s->a;
	}
	if (i < n) {
		w = 0;
		memcpy(&w, p + i, n - i);
		s->a += w;
		s->b += s->a;
	}
}

/* The checksum of frame bytes 14..len with the checksum field as zero. */
static uint32_t frame_csum(const uint8_t *f, size_t len)
{
	static const uint8_t zero[4];
	struct sum s = { 1, 0 };

	sum_add(&s, f + 14, OFF_CSUM - 14);
	sum_add(&s, zero, 4);
	sum_add(&s, f + NETPKT_HDR_LEN, len - NETPKT_HDR_LEN);
	return (uint32_t)(s.a ^ (s.b << 7) ^ (s.b >> 25) ^ (s.a >> 32));
}

static void fill(uint8_t *p, size_t n, uint64_t seq)
{
	uint64_t x = seq * 0x9e3779b97f4a7c15ull + 0x632be59bd9b4e019ull;
	size_t i;

	for (i = 0; i + 8 <= n; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(p + i, &x, 8);
	}
	for (; i < n; i++)
		p[i] = (uint8_t)(x >> (8 * (i & 7)));
}

void netpkt_build(void *frame, size_t len, const uint8_t dst[6],
		  const uint8_t src[6], uint64_t seq)
{
	uint8_t *f = frame;

	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = NETPKT_ETHERTYPE >> 8;
	f[13] = NETPKT_ETHERTYPE & 0xff;
	f[OFF_MAGIC] = MAGIC >> 24;
	f[OFF_MAGIC + 1] = (MAGIC >> 16) & 0xff;
	f[OFF_MAGIC + 2] = (MAGIC >> 8) & 0xff;
	f[OFF_MAGIC + 3] = MAGIC & 0xff;
	put_le(f + OFF_SEQ, seq, 8);
	put_le(f + OFF_LEN, len, 2);
	put_le(f + OFF_LEN + 2, 0, 2);
	fill(f + NETPKT_HDR_LEN, len - NETPKT_HDR_LEN, seq);
	put_le(f + OFF_CSUM, frame_csum(f, len), 4);
}

enum netpkt_verdict netpkt_check(const void *frame, size_t len, uint64_t *seq)
{
	const uint8_t *f = frame;
	uint32_t magic;

	if (len < 14 || f[12] != NETPKT_ETHERTYPE >> 8 ||
	    f[13] != (NETPKT_ETHERTYPE & 0xff))
		return NETPKT_FOREIGN;
	if (len < NETPKT_MIN_LEN || len > NETPKT_MAX_LEN)
		return NETPKT_CORRUPT;
	magic = (uint32_t)f[OFF_MAGIC] << 24 | f[OFF_MAGIC + 1] << 16 |
		f[OFF_MAGIC + 2] << 8 | f[OFF_MAGIC + 3];
	if (magic != MAGIC || get_le(f + OFF_LEN, 2) != len)
		return NETPKT_CORRUPT;
	if (frame_csum(f, len) != (uint32_t)get_le(f + OFF_CSUM, 4))
		return NETPKT_CORRUPT;
	*seq = get_le(f + OFF_SEQ, 8);
	return NETPKT_OK;
}

int netpkt_tracker_init(struct netpkt_tracker *t, uint64_t count)
{
	memset(t, 0, sizeof(*t));
	t->count = count;
	t->seen = calloc(count / 8 + 1, 1);
	return t->seen ? 0 : -ENOMEM;
}

void netpkt_tracker_fini(struct netpkt_tracker *t)
{
	free(t->seen);
	t->seen = NULL;
}

enum netpkt_verdict netpkt_track(struct netpkt_tracker *t, const void *frame,
				 size_t len)
{
	uint64_t seq = 0;
	enum netpkt_verdict v = netpkt_check(frame, len, &seq);

	if (v == NETPKT_FOREIGN) {
		t->foreign++;
	} else if (v == NETPKT_CORRUPT) {
		t->corrupt++;
	} else if (seq >= t->count) {
		t->out_of_range++;
	} else if (t->seen[seq / 8] & (1u << (seq % 8))) {
		t->dups++;
	} else {
		t->seen[seq / 8] |= (uint8_t)(1u << (seq % 8));
		t->received++;
		if (seq != t->next)
			t->out_of_order++;
		t->next = seq + 1;
	}
	return v;
}

uint64_t netpkt_missing(const struct netpkt_tracker *t)
{
	return t->count - t->received;
}

int netpkt_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6], i;
	char end;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &end) != 6)
		return -1;
	for (i = 0; i < 6; i++) {
		if (b[i] > 0xff)
			return -1;
		mac[i] = (uint8_t)b[i];
	}
	return 0;
}

double netpkt_now(void)
{
	return (double)uvf_now_ns() * 1e-9;
}
