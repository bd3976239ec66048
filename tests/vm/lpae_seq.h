/* SPDX-License-Identifier: MIT */
/*
 * The ARM LPAE cross-check: one fixed sequence of uvf_dma_map_page() /
 * uvf_dma_unmap_page() calls and device accesses, run
 *
 *   - in the aarch64 guest through VFIO (type1 or iommufd) on QEMU's SMMUv3,
 *     with edu as the device (tests/vm/guest_lpae.c), and
 *   - on the software model with UVF_PGTABLE_ARM_LPAE_S1 and the simulated
 *     DMA engine (tests/vm/lpae_model.c; the unit suite and the host side
 *     of the vm test run it).
 *
 * Both write the same kind of transcript: the usable IOVA ranges and
 * reserved regions, every map with the IOVA it got (or its error), and for
 * every access where the data went (which buffer and offset it came from or
 * landed in, or "blocked") and the faults the IOMMU reported. The vm test
 * compares the two transcripts line by line, so the model must produce the
 * same IOVA layout and the same fault/permission outcomes as the real
 * SMMUv3. Independently, each side checks every outcome against the rules
 * of the format (write implies read on stage 1, no access to an unmapped
 * IOVA, ...) and marks a broken rule in the transcript. xcheck_compare()
 * (xcheck.h) compares transcripts.
 */
#ifndef UVF_TEST_LPAE_SEQ_H
#define UVF_TEST_LPAE_SEQ_H

#include <stdbool.h>
#include <stdio.h>

#include <uvf/types.h>

struct uvf_device;

/*
 * The IOVA space both sides give the domain: a DMA limit just above the
 * MSI window of QEMU's virt machine with SMMUv3 (Linux's MSI_IOVA_BASE,
 * reserved in every SMMU domain), and everything below HOLD_LAST held back,
 * so that the sequence maps into the 8 pages below the window and the 4
 * pages above it and runs out of IOVAs -- never allocating from the window.
 * All of it is below edu's 28-bit DMA mask.
 */
#define LPAE_SEQ_IOVA_LAST 0x08103fffull
#define LPAE_SEQ_MSI_FIRST 0x08000000ull
#define LPAE_SEQ_MSI_LAST 0x080fffffull
#define LPAE_SEQ_HOLD_LAST 0x07ff7fffull

/* A fault as the IOMMU reported it: the software model's fault log, or the
 * SMMUv3 event records the kernel logs. */
struct lpae_fault {
	bool write;
	uvf_iova_t iova;
	char kind[24];	/* "translation", "permission" or another name */
};

/* A device that copies memory from one IOVA to another. */
struct lpae_engine {
	/* Copy @len bytes and wait until the device is done. 0, or a negative
	 * errno when the device could not be driven. An access the IOMMU
	 * blocks is not an error here: it shows in memory and in faults(). */
	int (*copy)(void *ctx, uvf_iova_t src, uvf_iova_t dst, uint32_t len);
	/* Faults reported since the last call, oldest first, at most @max:
	 * the number stored, or a negative errno. @blocked: the data shows
	 * the last copy did not go through, so a report is due (an engine
	 * whose reports arrive late waits for one). */
	int (*faults)(void *ctx, bool blocked, struct lpae_fault *out,
		      int max);
	void *ctx;
};

struct lpae_seq_result {
	unsigned int probes;		/* device accesses made */
	unsigned int unexpected;	/* outcomes that break the rules */
};

/*
 * Run the sequence on @dev, attached to a fresh translated domain whose
 * usable IOVAs end at LPAE_SEQ_IOVA_LAST. The transcript goes to @out.
 * Returns 0, or a negative errno when the sequence could not run to its end
 * (also noted in the transcript); everything it mapped is unmapped again.
 */
int lpae_seq_run(struct uvf_device *dev, const struct lpae_engine *eng,
		 FILE *out, struct lpae_seq_result *res);

/* Device accesses in the sequence, for checking a result. */
unsigned int lpae_seq_probe_count(void);

#endif
