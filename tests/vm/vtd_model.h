/* SPDX-License-Identifier: MIT */
/*
 * The software-model side of the VT-d cross-check (vtd_seq.h): the sequence
 * on a simulated IOMMU with UVF_PGTABLE_VTD_SL4, drawn at the depth of the
 * guest kernel's tables.
 */
#ifndef UVF_TEST_VTD_MODEL_H
#define UVF_TEST_VTD_MODEL_H

#include <stdbool.h>
#include <stdio.h>

/*
 * Run the sequence on a fresh model whose aperture and drawing match a
 * @levels-level kernel table (3: intel-iommu aw-bits=39, QEMU's default;
 * 4: aw-bits=48); @write_adds_read as for vtd_seq_run() (true: the
 * kernel's behaviour). The transcript goes to @out. Returns 0, -EINVAL (other
 * @levels), a negative errno from setting the model up, or vtd_seq_run()'s.
 */
int vtd_model_run(unsigned int levels, bool write_adds_read, FILE *out);

#endif
