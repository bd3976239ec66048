/* SPDX-License-Identifier: MIT */
/*
 * TEST ONLY: fault injection into the NVMe driver, so tests can show that a
 * misbehaving controller makes the driver return an error, never crash or
 * hang. A healthy device (QEMU's, or the unit tests' fake) is made to look
 * broken by rewriting what the driver reads from it:
 *
 *  - cqe: every new completion entry, before the driver checks it. Set a
 *    command ID no command has (bogus completion), or flip the phase bit
 *    (the entry looks stale and never arrives).
 *  - csts: every CSTS value read. Clear RDY (the controller never becomes
 *    ready) or set CFS (fatal status).
 *
 * Compiled into every build (one relaxed load per completion-queue poll
 * when unset) so that the code tested is the code shipped.
 */
#ifndef UVF_NVME_FAULT_H
#define UVF_NVME_FAULT_H

#include <stdint.h>

struct nvme_cqe;

struct uvf_nvme_fault_ops {
	/* May rewrite the copy of a new entry of queue @qid. */
	void (*cqe)(void *arg, unsigned int qid, struct nvme_cqe *cqe);
	/* Returns the CSTS value the driver is to see instead of @csts. */
	uint32_t (*csts)(void *arg, uint32_t csts);
	void *arg;
};

/* Install @ops (NULL removes the hook); process-wide, for tests only. */
void uvf_nvme_fault_set(const struct uvf_nvme_fault_ops *ops);

#endif
