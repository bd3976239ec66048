/* SPDX-License-Identifier: MIT */
/*
 * The faultinject suite's loop (fail_nth style): a scenario's call is run
 * with the n-th injection point failed, for n = 1, 2, 3 ... until a run
 * passes every point untouched. Each run starts from a fresh fixture, and
 * a failed call must leave the state its fixture snapshotted.
 */
#ifndef UVF_FI_H
#define UVF_FI_H

#include <check.h>
#include <stdbool.h>

#include "util/fault.h"

struct fi_scenario {
	const char *name;
	/* Builds the fixture and snapshots its state; outside the window. */
	void (*setup)(void *fix);
	/* The one call under test, run with the n-th point armed. */
	int (*call)(void *fix);
	/* After a failed call: the state equals the snapshot. */
	void (*check_unchanged)(void *fix);
	/* After a successful call: its effect is all there. */
	void (*check_done)(void *fix);
	/* Undoes the call if it succeeded, frees the fixture. */
	void (*teardown)(void *fix, bool call_succeeded);
};

/* Runs @s to completion on @fix, ck_assert()ing every rule; prints and
 * returns the number of injection points its call passes. */
unsigned long fi_run(const struct fi_scenario *s, void *fix);

/* Totals over every fi_run() of the process, for the closing line. */
void fi_print_totals(void);

/* One TCase per area; each file defines its own. */
TCase *fi_vfio_tcase(void);
TCase *fi_pci_tcase(void);
TCase *fi_acpi_tcase(void);
TCase *fi_sim_tcase(void);
TCase *fi_nvme_tcase(void);
TCase *fi_e1000e_tcase(void);

#endif
