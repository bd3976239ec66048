/* SPDX-License-Identifier: MIT */
/*
 * The software-model side of the ARM LPAE cross-check (lpae_seq.h): the
 * sequence on a simulated IOMMU with the simulated DMA engine behind it,
 * set up like the aarch64 guest's SMMUv3 and edu.
 */
#ifndef UVF_TEST_LPAE_MODEL_H
#define UVF_TEST_LPAE_MODEL_H

#include <stdbool.h>
#include <stdio.h>

#include <uvf/pgtable.h>

#include "lpae_seq.h"

struct lpae_model_opts {
	/* UVF_PGTABLE_ARM_LPAE_S1, what the SMMUv3 uses; another format is
	 * for showing that the check notices the difference. */
	enum uvf_pgtable_format format;
	/* Report the SMMUv3 MSI window as a reserved region, like Linux. */
	bool msi_window;
};

/* The model of the guest: ARM LPAE stage 1 and the MSI window. */
void lpae_model_opts_default(struct lpae_model_opts *o);

/*
 * Run the sequence on a fresh model; the transcript goes to @out. Returns
 * 0, a negative errno from setting the model up, or lpae_seq_run()'s.
 */
int lpae_model_run(const struct lpae_model_opts *o, FILE *out,
		   struct lpae_seq_result *res);

#endif
