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
/* An I/O queue pair of @size entries (0: the default); ck_assert()s. */
struct uvf_nvme_qpair *nvmefix_qpair(struct nvmefix *f, unsigned int size);
/* What the fake controller has counted so far. */
struct fake_nvme_stats nvmefix_stats(struct nvmefix *f);
/* Write @nlb blocks of a pattern from @seed at LBA 0 of namespace 1 from
 * @out, read them back into @in; both @in and the medium must hold the
 * pattern. */
void nvmefix_write_read_verify(struct nvmefix *f, struct uvf_nvme_qpair *qp,
			       uint8_t *out, uint8_t *in, uint32_t nlb,
			       uint32_t seed);

#endif
