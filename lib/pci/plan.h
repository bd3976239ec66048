/* SPDX-License-Identifier: MIT */
/* A plan's private layout, shared by plan.c (making) and apply.c (doing). */
#ifndef UVF_PCI_PLAN_H
#define UVF_PCI_PLAN_H

#include "pci_priv.h"

struct plan_entry {
	struct uvf_pci_step step;	/* public view into the fields below */
	char bdf[UVF_PCI_BDF_LEN];
	struct uvf_pci_dev *dev;	/* NULL for a device that is gone */
	char *driver;			/* before the plan; NULL when none */
	char *override;			/* before the plan; NULL when empty */
	char *target_driver;
	char *target_override;		/* RELEASE: written back; NULL clears */
	char *result_driver;
	bool drop_record;		/* release plans: forget it when done */
	bool override_written;		/* a bind changed driver_override */
	bool settled;			/* released; its record to drop */
};

struct uvf_pci_plan {
	bool release;			/* unbind or restore, not bind */
	struct plan_entry **e;
	size_t n, cap;
};

#endif
