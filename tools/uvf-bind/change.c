// SPDX-License-Identifier: MIT
/* uvf-bind bind, unbind and restore: print a plan, then carry it out. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uvf-bind.h"

static const char *drv_or(const char *driver, const char *none)
{
	return driver ? driver : none;
}

/* Says which devices come along because they share a group. */
static void announce_companions(const struct uvf_pci_plan *plan)
{
	for (size_t i = 0; i < uvf_pci_plan_count(plan); i++) {
		const struct uvf_pci_step *req = uvf_pci_plan_step(plan, i);
		char mates[512] = "";
		size_t len = 0;

		if (!req->requested || req->iommu_group < 0)
			continue;
		for (size_t j = 0; j < uvf_pci_plan_count(plan); j++) {
			const struct uvf_pci_step *s = uvf_pci_plan_step(plan, j);

			if (s->requested || s->iommu_group != req->iommu_group ||
			    s->action == UVF_PCI_ACT_LEAVE ||
			    len + UVF_PCI_BDF_LEN + 2 >= sizeof(mates))
				continue;
			len += (size_t)snprintf(mates + len, sizeof(mates) - len,
						"%s%s", len ? ", " : "",
						s->bdf);
		}
		if (len)
			printf("%s shares IOMMU group %d with %s; they move "
			       "together.\n", req->bdf, req->iommu_group,
			       mates);
	}
}

static void print_step(const struct uvf_pci_step *s, bool dry_run)
{
	switch (s->action) {
	case UVF_PCI_ACT_BIND:
		if (dry_run)
			printf("would bind %s to vfio-pci (now on %s)\n", s->bdf,
			       drv_or(s->driver, "no driver"));
		else if (s->applied)
			printf("bound %s to vfio-pci (was on %s)\n", s->bdf,
			       drv_or(s->driver, "no driver"));
		else if (s->rollback_failed)
			printf("could not return %s to %s; it is on %s\n",
			       s->bdf, drv_or(s->driver, "no driver"),
			       drv_or(s->result_driver, "no driver"));
		else if (s->result_driver)
			printf("left %s on %s\n", s->bdf, s->result_driver);
		else
			printf("left %s without a driver\n", s->bdf);
		break;
	case UVF_PCI_ACT_RELEASE: {
		const char *to = s->kernel_choice ? "the driver the kernel picks"
			       : drv_or(s->target_driver, "no driver");
		/* A restore also returns devices a failed bind left bare. */
		const char *from = s->driver ? " from vfio-pci" : "";

		if (dry_run)
			printf("would release %s%s to %s\n", s->bdf, from, to);
		else if (s->applied)
			printf("released %s%s to %s\n", s->bdf, from,
			       drv_or(s->result_driver, "no driver"));
		else
			printf("could not release %s to %s; it is on %s\n",
			       s->bdf, to,
			       drv_or(s->result_driver, "no driver"));
		break;
	}
	case UVF_PCI_ACT_NONE:
		printf("%s is %s (%s)\n", s->bdf, s->note,
		       drv_or(s->driver, "no driver"));
		break;
	case UVF_PCI_ACT_LEAVE:
		printf("leaving %s on %s: %s\n", s->bdf,
		       drv_or(s->driver, "no driver"), s->note);
		break;
	}
}

static void print_plan(const struct uvf_pci_plan *plan, bool dry_run)
{
	for (size_t i = 0; i < uvf_pci_plan_count(plan); i++)
		print_step(uvf_pci_plan_step(plan, i), dry_run);
}

/* Where the bound groups can now be opened. */
static void print_group_nodes(struct uvf_pci_ctx *ctx,
			      const struct uvf_pci_plan *plan)
{
	int last = -1;

	for (size_t i = 0; i < uvf_pci_plan_count(plan); i++) {
		const struct uvf_pci_step *s = uvf_pci_plan_step(plan, i);
		struct uvf_pci_dev *dev;

		if (!s->requested || s->iommu_group == last ||
		    uvf_pci_dev_open(ctx, s->bdf, &dev))
			continue;
		last = s->iommu_group;
		if (uvf_pci_dev_vfio_group_node(dev))
			printf("IOMMU group %d is ready: %s\n", s->iommu_group,
			       uvf_pci_dev_vfio_group_node(dev));
		uvf_pci_dev_free(dev);
	}
}

static int open_state(const struct bind_opts *o, struct uvf_pci_state **state)
{
	int err = uvf_pci_state_open(o->state_path, state);

	if (err == -EBADMSG)
		bind_err("%s is not a uvf-bind state file; move it away or "
			 "pass another with --state.", o->state_path);
	else if (err)
		bind_err("cannot read state file %s: %s.", o->state_path,
			 strerror(-err));
	return err ? BIND_EXIT_FAILED : BIND_EXIT_OK;
}

/* Reports the outcome of a failed apply. */
static int apply_failed(struct uvf_pci_ctx *ctx,
			const struct uvf_pci_plan *plan,
			const struct uvf_pci_state *state, int err)
{
	bool lost = false;

	for (size_t i = 0; i < uvf_pci_plan_count(plan); i++)
		lost |= uvf_pci_plan_step(plan, i)->rollback_failed;
	if (lost) {
		bind_err("%s; some devices could not be put back and stay "
			 "recorded in %s: run 'uvf-bind restore' once the "
			 "cause is fixed.", uvf_pci_ctx_error(ctx),
			 uvf_pci_state_path(state));
		return BIND_EXIT_ROLLBACK;
	}
	if (err == -EACCES || err == -EPERM)
		return bind_fail(ctx, err);
	bind_err("%s; every device is back where it was.",
		 uvf_pci_ctx_error(ctx));
	return BIND_EXIT_FAILED;
}

int cmd_bind(struct uvf_pci_ctx *ctx, const struct bind_opts *o)
{
	struct uvf_pci_state *state = NULL;
	struct uvf_pci_plan *plan;
	int err, rc;

	err = uvf_pci_plan_bind(ctx, (const char *const *)o->bdfs,
				(size_t)o->nbdfs, o->force ? UVF_PCI_FORCE : 0,
				&plan);
	if (err)
		return bind_fail(ctx, err);
	announce_companions(plan);
	if (o->dry_run) {
		print_plan(plan, true);
		uvf_pci_plan_free(plan);
		return BIND_EXIT_OK;
	}
	rc = open_state(o, &state);
	if (rc) {
		uvf_pci_plan_free(plan);
		return rc;
	}
	err = uvf_pci_plan_apply(ctx, plan, state);
	print_plan(plan, false);
	if (err)
		rc = apply_failed(ctx, plan, state, err);
	else
		print_group_nodes(ctx, plan);
	if (!err && (o->user || o->group))
		rc = bind_grant(ctx, o, (const char *const *)o->bdfs,
				(size_t)o->nbdfs);
	uvf_pci_plan_free(plan);
	uvf_pci_state_free(state);
	return rc;
}

/* Shared by unbind and restore, which differ only in their plan. */
static int run_release(struct uvf_pci_ctx *ctx, const struct bind_opts *o,
		       bool restore)
{
	struct uvf_pci_state *state;
	struct uvf_pci_plan *plan;
	int err, rc = open_state(o, &state);

	if (rc)
		return rc;
	if (restore && !uvf_pci_state_count(state)) {
		printf("nothing to restore: %s records no device\n",
		       o->state_path);
		uvf_pci_state_free(state);
		return BIND_EXIT_OK;
	}
	err = restore ? uvf_pci_plan_restore(ctx, state, &plan)
		      : uvf_pci_plan_unbind(ctx, (const char *const *)o->bdfs,
					    (size_t)o->nbdfs, state, &plan);
	if (err) {
		uvf_pci_state_free(state);
		return bind_fail(ctx, err);
	}
	if (!restore)
		announce_companions(plan);
	if (!o->dry_run)
		err = uvf_pci_plan_apply(ctx, plan, state);
	print_plan(plan, o->dry_run);
	if (err)
		rc = bind_fail(ctx, err);
	uvf_pci_plan_free(plan);
	uvf_pci_state_free(state);
	return rc;
}

int cmd_unbind(struct uvf_pci_ctx *ctx, const struct bind_opts *o)
{
	return run_release(ctx, o, false);
}

int cmd_restore(struct uvf_pci_ctx *ctx, const struct bind_opts *o)
{
	return run_release(ctx, o, true);
}
