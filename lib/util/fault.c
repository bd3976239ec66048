/* SPDX-License-Identifier: MIT */
/* The fail_nth counter behind util/fault.h (-Dfault_injection=true only). */
#include <stddef.h>

#include "util/fault.h"

/* Per thread: a flush-queue timer or an I/O poller never takes the point
 * the test armed, so every run of a scenario fails the same call. */
static _Thread_local struct {
	bool armed;
	unsigned int suspended;
	unsigned long nth, passed;
	const void *failed_site;
} fault;

bool uvf_fault_hit_at(const void *site)
{
	if (!fault.armed || fault.suspended)
		return false;
	if (++fault.passed != fault.nth)
		return false;
	fault.failed_site = site;
	return true;
}

void uvf_fault_suspend(void)
{
	fault.suspended++;
}

void uvf_fault_resume(void)
{
	fault.suspended--;
}

void uvf_fault_arm(unsigned long nth)
{
	fault.nth = nth;
	fault.passed = 0;
	fault.failed_site = NULL;
	fault.suspended = 0;
	fault.armed = true;
}

unsigned long uvf_fault_disarm(void)
{
	fault.armed = false;
	return fault.passed;
}

const void *uvf_fault_failed_site(void)
{
	return fault.failed_site;
}
