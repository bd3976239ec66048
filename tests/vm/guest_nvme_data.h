/* SPDX-License-Identifier: MIT */
/* Data checks shared by the NVMe guest programs (tests/vm/guest_nvme_*):
 * a seeded pattern, one synchronous Read or Write, and write, read back
 * and compare. */
#ifndef UVF_GUEST_NVME_DATA_H
#define UVF_GUEST_NVME_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uvf/nvme.h>

/* Fill @len bytes at @buf (4-byte aligned) with a pattern that follows
 * from @seed. */
void guest_fill(void *buf, size_t len, uint32_t seed);
/* Write (@write) or Read @nlb blocks at @lba of namespace 1 and wait;
 * the completion goes to @cpl when not NULL. Returns 0 or a negative
 * errno (the driver's, or the decoded status). */
int guest_nvme_rw(struct uvf_nvme_qpair *qp, bool write, void *buf,
		  uint64_t lba, uint32_t nlb, struct uvf_nvme_cpl *cpl);
/* Write @nlb blocks of @bsize bytes of a pattern from @seed at @lba from
 * @wr, read them into @rd (zeroed first) and compare. Returns 0,
 * -EILSEQ when the bytes differ, or guest_nvme_rw()'s error. */
int guest_nvme_roundtrip(struct uvf_nvme_qpair *qp, uint8_t *wr, uint8_t *rd,
			 uint64_t lba, uint32_t nlb, uint32_t bsize,
			 uint32_t seed);

#endif
