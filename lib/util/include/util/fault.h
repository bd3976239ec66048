/* SPDX-License-Identifier: MIT */
/*
 * Fault injection in the spirit of the kernel's fail_nth: a test arms the
 * n-th injection point, runs one call, and disarms. Injection points are
 * the library's system calls (lib/vfio's table, lib/pci's sysfs and state
 * file I/O, lib/acpi's table reads) and, in the faultinject test programs,
 * every allocation (link-time wrappers, tests/faultinject/wrap.c). Counting
 * is per thread, so helper threads never consume the armed point.
 *
 * Built only with -Dfault_injection=true; otherwise every hook below is an
 * inline constant and the library carries no trace of it.
 */
#ifndef UVF_UTIL_FAULT_H
#define UVF_UTIL_FAULT_H

#include <stdbool.h>

#ifdef UVF_FAULT_INJECTION

/* Counts one injection point of the calling thread, reached from @site;
 * true when it is the armed one, which the caller then fails. */
bool uvf_fault_hit_at(const void *site);
/* Points inside suspend/resume (the fake kernel and devices the tests plug
 * in, which are not the library) are not counted. Nests. */
void uvf_fault_suspend(void);
void uvf_fault_resume(void);
/* Makes the @nth (from 1) point after this call fail; 0 only counts. */
void uvf_fault_arm(unsigned long nth);
/* Ends the window; returns how many points it passed (failed or not). */
unsigned long uvf_fault_disarm(void);
/* Where the point that failed was reached from; NULL when none failed. */
const void *uvf_fault_failed_site(void);

#define UVF_FAULT_STR2(x) #x
#define UVF_FAULT_STR(x) UVF_FAULT_STR2(x)
/* One point, named by its file and line: a distinct site per hook. */
#define UVF_FAULT_HIT() uvf_fault_hit_at(__FILE__ ":" UVF_FAULT_STR(__LINE__))

#else

static inline void uvf_fault_suspend(void) { }
static inline void uvf_fault_resume(void) { }
#define UVF_FAULT_HIT() false

#endif

/* A system call that is an injection point: -@err when the armed point is
 * this one, else 0. Call sites read "err = uvf_fault_sys(EIO); if (!err)". */
#define uvf_fault_sys(err) (UVF_FAULT_HIT() ? -(err) : 0)

#endif
