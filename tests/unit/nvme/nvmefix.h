/* SPDX-License-Identifier: MIT */
/* The NVMe driver tests' fixture: software IOMMU, translated domain, fake
 * controller attached, a registered buffer arena, and the controller. */
#ifndef UVF_TEST_NVMEFIX_H
#define UVF_TEST_NVMEFIX_H

#include <uvf/nvme.h>
#include <uvf/uvf.h>

#include "fake_nvme.h"

#define NVMEFIX_ARENA (16u << 20)

struct nvmefix {
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	struct uvf_device *dev;
	struct uvf_nvme_ctrl *ctrl;
	uint8_t *arena;		/* registered with the device's domain */
};

/* Everything but the controller; @p may be NULL for the defaults. */
void nvmefix_setup(struct nvmefix *f, const struct fake_nvme_params *p);
/* Open the controller; @o may be NULL (defaults, 4 I/O queues). */
void nvmefix_open(struct nvmefix *f, const struct uvf_nvme_ctrl_opts *o);
/* Close everything and check that the driver left nothing mapped. */
void nvmefix_teardown(struct nvmefix *f);
/* Bytes the domain has mapped now. */
uint64_t nvmefix_mapped(struct nvmefix *f);
/* One command, waited for: Read, Write, Write Zeroes or Flush. */
int nvmefix_io(struct uvf_nvme_qpair *qp, uint8_t opc, uint32_t nsid,
	       void *buf, uint64_t lba, uint32_t nlb,
	       struct uvf_nvme_cpl *cpl);
/* Fill @len bytes with a pattern derived from @seed. */
void nvmefix_pattern(void *buf, size_t len, uint32_t seed);

#endif
