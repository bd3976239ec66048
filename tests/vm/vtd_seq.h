/* SPDX-License-Identifier: MIT */
/*
 * The VT-d cross-check: one fixed sequence of uvf_domain_map() /
 * uvf_domain_unmap() calls at fixed IOVAs -- 4 KiB pages, 2 MiB-aligned runs
 * that can become superpages, runs that cannot, holes unmapped and
 * remapped -- run
 *
 *   - in the x86 guest through VFIO type1 on QEMU's intel-iommu (legacy
 *     mode, second-level tables), the kernel's tables read from debugfs
 *     (tests/vm/guest_vtd.c), and
 *   - on the software model with UVF_PGTABLE_VTD_SL4 (tests/vm/vtd_model.c;
 *     the unit suite and the host side of the vm test run it).
 *
 * At each checkpoint both sides draw their table's structure (vtd_norm.h)
 * into the transcript; the vm test compares the transcripts line by line
 * (xcheck.h). The memory is VTD_SEQ_MEM_SIZE bytes, 2 MiB aligned in the
 * output address space (hugetlbfs pages in the guest), so that alignment
 * alone decides where a superpage may go.
 */
#ifndef UVF_TEST_VTD_SEQ_H
#define UVF_TEST_VTD_SEQ_H

#include <stdbool.h>
#include <stdio.h>

struct uvf_domain;

#define VTD_SEQ_MEM_SIZE (8u << 20)
#define VTD_SEQ_MEM_ALIGN (2u << 20)

/* Draws the domain's table into @out at a checkpoint: 0, or a negative
 * errno (the reason written to @out as an "error: " line). */
struct vtd_snapshot {
	int (*draw)(void *ctx, FILE *out);
	void *ctx;
};

/*
 * Run the sequence on @dom (translated, a device attached) with @mem as the
 * memory. @write_adds_read: map a write-only request readable too, as VFIO
 * type1 on intel-iommu does (Linux 6.12: its leaves carry R|W), the model's
 * option for the kernel's behaviour; the transcript still names the
 * request. The transcript goes to @out. Returns 0, or the first negative
 * errno of a map, unmap or drawing (the sequence goes on to its end, so
 * that everything mapped is unmapped again).
 */
int vtd_seq_run(struct uvf_domain *dom, void *mem, bool write_adds_read,
		const struct vtd_snapshot *snap, FILE *out);

#endif
