/* SPDX-License-Identifier: MIT */
/* The fake NVMe controller's SGL walker (see fake_nvme_sgl.h). */
#include "fake_nvme_sgl.h"

#define ST_DATA_XFER 0x004
/* Segments one command may chain: a bound on loops in a bad list. */
#define MAX_SEGMENTS 4096u

static unsigned int desc_type(const struct nvme_sgl_desc *d)
{
	return d->type >> 4;
}

/* One Data Block descriptor: its bytes go after the @*done moved so far. */
static uint16_t data_block(struct fake_sgl_walk *wk,
			   const struct nvme_sgl_desc *d, uint8_t *buf,
			   size_t len, size_t *done, bool to_host)
{
	int ret;

	if (d->type & 0xf)
		return FAKE_ST_SGL_TYPE;	/* only sub type "address" */
	if (wk->dword && ((d->addr | d->len) & 3))
		return FAKE_ST_SGL_GRANULARITY;
	if (d->len > len - *done)
		return FAKE_ST_DATA_SGL_LEN;	/* more than the command moves */
	wk->data_blocks++;
	if (!d->len)
		return 0;
	ret = to_host ? fake_regwin_dma_write(wk->w, d->addr, buf + *done, d->len)
		      : fake_regwin_dma_read(wk->w, d->addr, buf + *done, d->len);
	if (ret)
		return ST_DATA_XFER;
	*done += d->len;
	return 0;
}

/* Walk the segment @seg points at; *@next is the pointer it ends with,
 * type 0 when it ends the list. */
static uint16_t segment(struct fake_sgl_walk *wk,
			const struct nvme_sgl_desc *seg, uint8_t *buf,
			size_t len, size_t *done, bool to_host,
			struct nvme_sgl_desc *next)
{
	struct nvme_sgl_desc d[NVME_SGLS_PER_PAGE];
	bool last = desc_type(seg) == NVME_SGL_LAST_SEGMENT;
	size_t n = seg->len / sizeof(d[0]), off, k, i;
	uint16_t st;

	if ((seg->type & 0xf) || !seg->len || seg->len % sizeof(d[0]))
		return FAKE_ST_SGL_SEG_INVALID;
	wk->segments++;
	next->type = 0;
	for (off = 0; off < n; off += k) {
		k = n - off < NVME_SGLS_PER_PAGE ? n - off : NVME_SGLS_PER_PAGE;
		if (fake_regwin_dma_read(wk->w, seg->addr + off * sizeof(d[0]),
					 d, k * sizeof(d[0])))
			return ST_DATA_XFER;
		for (i = 0; i < k; i++) {
			switch (desc_type(&d[i])) {
			case NVME_SGL_DATA_BLOCK:
				st = data_block(wk, &d[i], buf, len, done,
						to_host);
				if (st)
					return st;
				break;
			case NVME_SGL_SEGMENT:
			case NVME_SGL_LAST_SEGMENT:
				/* Only a Segment's final descriptor may
				 * point on; a Last Segment's may not. */
				if (last || off + i != n - 1)
					return FAKE_ST_SGL_SEG_INVALID;
				*next = d[i];
				break;
			default:
				return FAKE_ST_SGL_TYPE;
			}
		}
	}
	/* A Segment that does not point on is malformed. */
	if (!last && !next->type)
		return FAKE_ST_SGL_SEG_INVALID;
	return 0;
}

uint16_t fake_sgl_xfer(struct fake_sgl_walk *wk,
		       const struct nvme_sgl_desc *sgl1, uint8_t *buf,
		       size_t len, bool to_host)
{
	struct nvme_sgl_desc d = *sgl1, next = { 0 };
	size_t done = 0;
	unsigned int n;
	uint16_t st;

	switch (desc_type(&d)) {
	case NVME_SGL_DATA_BLOCK:
		st = data_block(wk, &d, buf, len, &done, to_host);
		break;
	case NVME_SGL_SEGMENT:
	case NVME_SGL_LAST_SEGMENT:
		for (n = 0, st = 0; !st && d.type; n++, d = next) {
			if (n == MAX_SEGMENTS)
				return FAKE_ST_SGL_SEG_INVALID;
			st = segment(wk, &d, buf, len, &done, to_host, &next);
		}
		break;
	default:
		return FAKE_ST_SGL_TYPE;
	}
	if (!st && done != len)
		return FAKE_ST_DATA_SGL_LEN;	/* fewer bytes than the command */
	return st;
}
