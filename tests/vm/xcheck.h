/* SPDX-License-Identifier: MIT */
/*
 * What the cross-checks of the software model against a real IOMMU share
 * (the ARM LPAE check, lpae_seq.h; the VT-d check, vtd_seq.h): the guest
 * reads the model's transcript that tools/vm/run --host-output made on the
 * host, shows its own as TAP diagnostics and compares the two line by line.
 */
#ifndef UVF_TEST_XCHECK_H
#define UVF_TEST_XCHECK_H

#include <stdio.h>

#include <uvf/vfio.h>

struct uvf_iommu;
struct uvf_device;
struct uvf_domain;

/*
 * Compare two transcripts line by line; every differing line is written to
 * @diag (may be NULL) as "<prefix>-<line a>" and "<prefix>+<line b>".
 * Returns the number of differing lines.
 */
unsigned int xcheck_compare(const char *a, const char *b, FILE *diag,
			    const char *prefix);

/* Each line of @text as a TAP diagnostic "# <prefix><line>" on stdout. */
void xcheck_diag_lines(const char *prefix, const char *text);

/* The whole of a file as a string (malloc'd), or NULL. */
char *xcheck_read_file(const char *path);

/*
 * The guest's device @bdf opened through VFIO (@o) and attached to a fresh
 * translated domain. Returns 0 or the first negative errno; what was
 * opened is in the outputs either way, for xcheck_vfio_close().
 */
int xcheck_vfio_domain(const struct uvf_vfio_opts *o, const char *bdf,
		       struct uvf_iommu **iommu, struct uvf_device **dev,
		       struct uvf_domain **dom);

/* Undo xcheck_vfio_domain(); each of them may be NULL. */
void xcheck_vfio_close(struct uvf_iommu *iommu, struct uvf_device *dev,
		       struct uvf_domain *dom);

#endif
