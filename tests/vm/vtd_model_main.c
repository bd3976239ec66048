/* SPDX-License-Identifier: MIT */
/*
 * vtd_model - the host side of the vm suite's VT-d cross-check: prints the
 * transcript of the sequence (vtd_seq.h) on the software model with
 * UVF_PGTABLE_VTD_SL4, drawn at the guest kernel's table depth.
 * tools/vm/run --host-output hands it to guest_vtd, which compares it with
 * the real intel-iommu tables.
 *
 * usage: vtd_model_3 | vtd_model_4 [--levels 3|4]
 * (built with VTD_MODEL_LEVELS 3 and 4: tools/vm/run --host-output passes
 * no arguments; 3 is QEMU's default aw-bits=39)
 * Exits 0 when the sequence ran to its end, 1 otherwise, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtd_model.h"

#ifndef VTD_MODEL_LEVELS
#define VTD_MODEL_LEVELS 3
#endif

int main(int argc, char **argv)
{
	unsigned int levels = VTD_MODEL_LEVELS;
	int ret;

	if (argc == 3 && !strcmp(argv[1], "--levels"))
		levels = (unsigned int)strtoul(argv[2], NULL, 10);
	else if (argc != 1)
		levels = 0;
	if (levels != 3 && levels != 4) {
		fprintf(stderr, "usage: %s [--levels 3|4]\n", argv[0]);
		return 2;
	}
	/* The kernel's write-only maps are readable too (vtd_seq.h). */
	ret = vtd_model_run(levels, true, stdout);
	if (ret)
		fprintf(stderr, "vtd_model: the sequence stopped: %d\n", ret);
	return ret || fflush(stdout) ? 1 : 0;
}
