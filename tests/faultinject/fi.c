/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "fi.h"

/* Distinct injection sites seen failing, over the whole run: a site is a
 * call site in the library (an allocation's return address, or a system
 * call hook's file:line). */
#define FI_MAX_SITES 4096

static const void *sites[FI_MAX_SITES];
static size_t nr_sites;
static unsigned long total_points, nr_scenarios;

/* Adds @site to @set (of @n, at most FI_MAX_SITES); true when new. */
static bool site_add(const void **set, size_t *n, const void *site)
{
	for (size_t i = 0; i < *n; i++)
		if (set[i] == site)
			return false;
	ck_assert_uint_lt(*n, FI_MAX_SITES);
	set[(*n)++] = site;
	return true;
}

/* FI_TRACE=1: one line per failed point; a code site is shown as an
 * offset for addr2line -e <program>, a system call by its file:line. */
static void trace(const char *name, unsigned long n, int ret)
{
	const void *site = uvf_fault_failed_site();
	Dl_info di;

	if (dladdr(site, &di) && di.dli_fbase)
		printf("faultinject: %s: point %lu at +0x%jx: %d\n", name, n,
		       (uintmax_t)((uintptr_t)site - (uintptr_t)di.dli_fbase),
		       ret);
	else
		printf("faultinject: %s: point %lu at %s: %d\n", name, n,
		       (const char *)site, ret);
}

unsigned long fi_run(const struct fi_scenario *s, void *fix)
{
	static const void *mine[FI_MAX_SITES];
	unsigned long n, passed, tolerated = 0;
	size_t nr_mine = 0;
	int ret;

	for (n = 1;; n++) {
		s->setup(fix);
		uvf_fault_arm(n);
		ret = s->call(fix);
		passed = uvf_fault_disarm();
		if (passed < n) {
			/* Nothing failed: the call must have worked. */
			ck_assert_msg(ret == 0, "%s: %d with no fault injected",
				      s->name, ret);
			s->check_done(fix);
			s->teardown(fix, true);
			break;
		}
		if (getenv("FI_TRACE"))
			trace(s->name, n, ret);
		site_add(mine, &nr_mine, uvf_fault_failed_site());
		site_add(sites, &nr_sites, uvf_fault_failed_site());
		ck_assert_msg(ret <= 0, "%s: point %lu: positive return %d",
			      s->name, n, ret);
		if (ret < 0) {
			s->check_unchanged(fix);
		} else {
			/* Recovered (a retry or a fallback): then completely. */
			tolerated++;
			s->check_done(fix);
		}
		s->teardown(fix, ret == 0);
	}
	printf("faultinject: %-28s %4lu failure points, %3zu distinct sites, "
	       "%lu recovered\n", s->name, n - 1, nr_mine, tolerated);
	fflush(stdout);
	total_points += n - 1;
	nr_scenarios++;
	return n - 1;
}

void fi_print_totals(void)
{
	printf("faultinject: total: %lu scenarios, %lu failure points, "
	       "%zu distinct sites\n", nr_scenarios, total_points, nr_sites);
}
