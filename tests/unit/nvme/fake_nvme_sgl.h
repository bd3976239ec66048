/* SPDX-License-Identifier: MIT */
/*
 * The fake NVMe controller's SGL walker: it follows SGL1, Segment and Last
 * Segment descriptors as QEMU's nvme_map_sgl() does and refuses what a
 * controller must refuse, with the status a controller gives.
 */
#ifndef UVF_TEST_FAKE_NVME_SGL_H
#define UVF_TEST_FAKE_NVME_SGL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fake_regwin.h"
#include "nvme_regs.h"

/* Generic status codes (SCT 0) of SGL errors. */
#define FAKE_ST_SGL_SEG_INVALID 0x00d	/* Invalid SGL Segment Descriptor */
#define FAKE_ST_DATA_SGL_LEN 0x00f	/* Data SGL Length Invalid */
#define FAKE_ST_SGL_TYPE 0x011		/* SGL Descriptor Type Invalid */
#define FAKE_ST_SGL_GRANULARITY 0x01e	/* SGL Data Block Granularity
					 * Invalid */

struct fake_sgl_walk {
	struct fake_regwin *w;
	bool dword;		/* SGLS 10b: data blocks dword aligned */
	uint64_t data_blocks;	/* data block descriptors walked */
	uint64_t segments;	/* segments read */
};

/* Move @len bytes between @buf and host memory as the SGL at @sgl1 says;
 * to host memory with @to_host. Return: 0 or a status code; the data
 * already moved stays moved, as on a controller. */
uint16_t fake_sgl_xfer(struct fake_sgl_walk *wk,
		       const struct nvme_sgl_desc *sgl1, uint8_t *buf,
		       size_t len, bool to_host);

#endif
