/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "guest_nvme_data.h"

void guest_fill(void *buf, size_t len, uint32_t seed)
{
	uint32_t x = (seed * 2654435761u) | 1, *p = buf;
	size_t i;

	/* xorshift32, a word at a time; a short tail takes one more. */
	for (i = 0; i < (len + 3) / 4; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		if (i < len / 4)
			p[i] = x;
		else
			memcpy(&p[i], &x, len % 4);
	}
}

int guest_nvme_rw(struct uvf_nvme_qpair *qp, bool write, void *buf,
		  uint64_t lba, uint32_t nlb, struct uvf_nvme_cpl *cpl)
{
	struct uvf_nvme_sync s = { 0 };
	int ret = write ? uvf_nvme_write(qp, 1, buf, lba, nlb,
					 uvf_nvme_sync_cb, &s)
			: uvf_nvme_read(qp, 1, buf, lba, nlb, uvf_nvme_sync_cb,
					&s);

	if (!ret)
		ret = uvf_nvme_sync_wait(qp, &s);
	if (cpl)
		*cpl = s.cpl;
	return ret;
}

int guest_nvme_roundtrip(struct uvf_nvme_qpair *qp, uint8_t *wr, uint8_t *rd,
			 uint64_t lba, uint32_t nlb, uint32_t bsize,
			 uint32_t seed)
{
	size_t len = (size_t)nlb * bsize;
	int ret;

	guest_fill(wr, len, seed);
	memset(rd, 0, len);
	ret = guest_nvme_rw(qp, true, wr, lba, nlb, NULL);
	if (!ret)
		ret = guest_nvme_rw(qp, false, rd, lba, nlb, NULL);
	if (!ret && memcmp(wr, rd, len))
		ret = -EILSEQ;
	return ret;
}
