/* SPDX-License-Identifier: MIT */
/* TAP output shared by the guest programs: "ok N - ..." lines, "# ..."
 * diagnostics, and the closing plan. */
#ifndef UVF_GUEST_TAP_H
#define UVF_GUEST_TAP_H

#include <stdbool.h>

#include <uvf/vfio.h>

/* Print one result line; returns @ok so callers can branch on it. */
bool tap(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Count a test as skipped: "ok N - WHAT # SKIP WHY". */
void tap_skip(const char *what, const char *why);
/* Print a "# " diagnostic line. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan "1..N"; returns the exit status: 0, or 1 if any failed. */
int tap_finish(void);
/* The backend of the first argument that names one other than auto
 * ("--type1", "--iommufd", "--noiommu"): 0, or -EINVAL if none does. */
int guest_backend_arg(int argc, char **argv, enum uvf_vfio_backend *b);

#endif
