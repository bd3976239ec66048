/* SPDX-License-Identifier: MIT */
#ifndef UVF_UTIL_MEMLOCK_H
#define UVF_UTIL_MEMLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Which of the kernel's per-process counters a failed lock was charged to:
 * mlock() and VFIO type1 pins count in VmLck (mm->locked_vm); iommufd's
 * pins count in VmPin (mm->pinned_vm). */
enum uvf_memlock_counter {
	UVF_MEMLOCK_NONE,	/* the caller knows the whole need */
	UVF_MEMLOCK_VMLCK,
	UVF_MEMLOCK_VMPIN,
};

/*
 * Write into @buf the RLIMIT_MEMLOCK diagnosis of a failure @err of @what,
 * done by @who (a layer name), for which @subject ("the heap", "the
 * mapping") needs @need more bytes locked on top of what @counter already
 * holds. It names the soft and hard limits, the bytes needed and the exact
 * fix. Allocates nothing (it runs on out-of-memory paths). Returns the
 * total bytes needed.
 */
uint64_t uvf_memlock_diagnose(char *buf, size_t len, const char *who,
			      const char *what, int err, const char *subject,
			      enum uvf_memlock_counter counter, uint64_t need);

#endif
