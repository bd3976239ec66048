/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <string.h>

#include "e1kfix.h"

void e1kfix_setup(struct e1kfix *f, unsigned int ndev,
		  const struct fake_e1000e_params *p)
{
	struct uvf_sim_iommu_params ip;
	struct fake_e1000e_params fp;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	if (p)
		fp = *p;
	else
		fake_e1000e_params_default(&fp);
	uvf_sim_iommu_params_default(&ip, UVF_PGTABLE_VTD_SL4);
	ck_assert_int_eq(uvf_sim_iommu_create(&ip, &f->iommu), 0);
	ck_assert_int_eq(uvf_domain_create(f->iommu, UVF_DOMAIN_TRANSLATED,
					   &f->dom), 0);
	for (i = 0; i < ndev; i++) {
		f->dev[i] = fake_e1000e_create(f->iommu, &fp);
		memcpy(f->mac[i], fp.mac, 6);
		ck_assert_int_eq(uvf_domain_attach(f->dom, f->dev[i]), 0);
		fp.mac[5]++;
		fp.rid++;
	}
	f->ndev = ndev;
	if (ndev == 2)
		fake_e1000e_connect(f->dev[0], f->dev[1]);
}

void e1kfix_open(struct e1kfix *f, unsigned int i,
		 const struct uvf_e1000e_opts *o)
{
	ck_assert_int_eq(uvf_e1000e_open(f->dev[i], o, &f->nic[i]), 0);
}

uint64_t e1kfix_mapped(struct e1kfix *f)
{
	struct uvf_domain_stats st;

	uvf_domain_get_stats(f->dom, &st);
	return st.mapped_bytes;
}

void e1kfix_teardown(struct e1kfix *f)
{
	unsigned int i;

	for (i = 0; i < f->ndev; i++)
		uvf_e1000e_close(f->nic[i]);
	ck_assert_uint_eq(e1kfix_mapped(f), 0);
	for (i = 0; i < f->ndev; i++)
		uvf_device_close(f->dev[i]);
	ck_assert_int_eq(uvf_domain_destroy(f->dom), 0);
	ck_assert_int_eq(uvf_iommu_destroy(f->iommu), 0);
}

static uint8_t pattern(uint32_t seq, size_t i)
{
	return (uint8_t)(seq * 31 + i * 7 + (i >> 8));
}

void e1kfix_frame(uint8_t *buf, size_t len, const uint8_t dst[6],
		  uint32_t seq)
{
	size_t i;

	memcpy(buf, dst, 6);
	memset(buf + 6, 0x02, 6);
	buf[12] = 0x88;
	buf[13] = 0xb5;
	for (i = 14; i < len; i++)
		buf[i] = pattern(seq, i);
}

bool e1kfix_frame_ok(const uint8_t *buf, size_t len, uint32_t seq)
{
	size_t i;

	if (len < 14 || buf[12] != 0x88 || buf[13] != 0xb5)
		return false;
	for (i = 14; i < len; i++)
		if (buf[i] != pattern(seq, i))
			return false;
	return true;
}

void e1kfix_send(struct uvf_e1000e *nic, const uint8_t dst[6],
		 uint32_t first, unsigned int n, size_t len)
{
	struct uvf_e1000e_buf *b;
	unsigned int i;

	for (i = 0; i < n; i++) {
		ck_assert_int_eq(uvf_e1000e_pool_alloc(uvf_e1000e_pool(nic),
						       &b, 1), 0);
		b->len = (uint16_t)len;
		e1kfix_frame(b->data, len, dst, first + i);
		ck_assert_int_eq(uvf_e1000e_tx_burst(nic, &b, 1), 1);
	}
}

unsigned int e1kfix_recv(struct uvf_e1000e *nic, uint32_t first,
			 unsigned int max, size_t len)
{
	struct uvf_e1000e_buf *bufs[32];
	unsigned int got = 0;
	int n, i;

	while (got < max) {
		n = uvf_e1000e_rx_burst(nic, bufs,
					max - got < 32 ? max - got : 32);
		ck_assert_int_ge(n, 0);
		if (!n)
			break;
		for (i = 0; i < n; i++) {
			ck_assert_uint_eq(bufs[i]->len, len);
			ck_assert_msg(e1kfix_frame_ok(bufs[i]->data, len,
						      first + got),
				      "frame %u is not what was sent",
				      first + got);
			got++;
		}
		uvf_e1000e_pool_free(bufs, (unsigned int)n);
	}
	return got;
}

struct uvf_e1000e_buf *e1kfix_chain(struct uvf_e1000e *nic,
				    const uint8_t *frame, size_t len)
{
	struct uvf_e1000e_buf *b[UVF_E1000E_MAX_SEGS + 4];
	unsigned int n = (unsigned int)((len + UVF_E1000E_BUF_SIZE - 1) /
					UVF_E1000E_BUF_SIZE), i;
	size_t off = 0, chunk;

	ck_assert_uint_le(n, UVF_E1000E_MAX_SEGS + 4);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(uvf_e1000e_pool(nic), b, n), 0);
	for (i = 0; i < n; i++) {
		chunk = len - off < UVF_E1000E_BUF_SIZE ? len - off :
							 UVF_E1000E_BUF_SIZE;
		memcpy(b[i]->data, frame + off, chunk);
		b[i]->len = (uint16_t)chunk;
		b[i]->next = i + 1 < n ? b[i + 1] : NULL;
		off += chunk;
	}
	return b[0];
}

void e1kfix_send_frame(struct uvf_e1000e *nic, unsigned int q,
		       const uint8_t *frame, size_t len, uint16_t ol_flags)
{
	struct uvf_e1000e_buf *b = e1kfix_chain(nic, frame, len);

	b->ol_flags = ol_flags;
	ck_assert_int_eq(uvf_e1000e_tx_burst_queue(nic, q, &b, 1), 1);
}

unsigned int e1kfix_take(struct uvf_e1000e *nic, unsigned int q,
			 struct uvf_e1000e_buf **out, unsigned int max)
{
	unsigned int got = 0;
	int k;

	while (got < max) {
		k = uvf_e1000e_rx_burst_queue(nic, q, out + got, max - got);
		ck_assert_int_ge(k, 0);
		if (!k)
			break;
		got += (unsigned int)k;
	}
	return got;
}

size_t e1kfix_gather(const struct uvf_e1000e_buf *b, uint8_t *out,
		     size_t max)
{
	size_t len = 0;

	for (; b; b = b->next) {
		ck_assert_uint_le(len + b->len, max);
		memcpy(out + len, b->data, b->len);
		len += b->len;
	}
	return len;
}
