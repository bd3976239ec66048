/* SPDX-License-Identifier: MIT */
/*
 * lpae_model - the host side of the vm suite's ARM LPAE cross-check: prints
 * the transcript of the sequence (lpae_seq.h) on the software model with
 * UVF_PGTABLE_ARM_LPAE_S1. tools/vm/run --host-output hands it to
 * guest_lpae, which compares it with the real SMMUv3's.
 *
 * usage: lpae_model
 * Exits 0 when the sequence ran to its end, 1 otherwise.
 */
#include <stdio.h>

#include "lpae_model.h"

int main(void)
{
	struct lpae_model_opts o;
	struct lpae_seq_result res;
	int ret;

	lpae_model_opts_default(&o);
	ret = lpae_model_run(&o, stdout, &res);
	if (ret)
		fprintf(stderr, "lpae_model: the sequence stopped: %d\n", ret);
	return ret || fflush(stdout) ? 1 : 0;
}
