// SPDX-License-Identifier: MIT
/*
 * Carrying out plans: the sysfs writes that move a device between drivers,
 * the check that the kernel did move it, and the rollback of a failed bind.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plan.h"

static int write_override(struct uvf_pci_ctx *ctx, const char *bdf,
			  const char *driver)
{
	char rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", bdf);
	/* A lone newline is how sysfs-bus-pci says to clear it. */
	return pci_sysfs_write(ctx, rel, driver ? driver : "\n");
}

static int write_driver_attr(struct uvf_pci_ctx *ctx, const char *driver,
			     const char *attr, const char *bdf)
{
	char rel[PATH_MAX];

	if (snprintf(rel, sizeof(rel), "bus/pci/drivers/%s/%s", driver,
		     attr) >= PATH_MAX)
		return -ENAMETOOLONG;
	return pci_sysfs_write(ctx, rel, bdf);
}

static int probe(struct uvf_pci_ctx *ctx, const char *bdf)
{
	return pci_sysfs_write(ctx, "bus/pci/drivers_probe", bdf);
}

/* Re-reads the driver of @e into its result; "" stands for none. */
static int refresh_result(struct uvf_pci_ctx *ctx, struct plan_entry *e,
			  char *cur, size_t len)
{
	int err = pci_read_driver(ctx, e->bdf, cur, len);
	char *dup = NULL;

	if (err) {
		pci_set_error(ctx, "cannot read the driver of %s: %s", e->bdf,
			      strerror(-err));
		return err;
	}
	if (cur[0] && !(dup = strdup(cur)))
		return -ENOMEM;
	free(e->result_driver);
	e->result_driver = dup;
	e->step.result_driver = dup;
	return 0;
}

/* Sends a device without a driver to @driver; drivers_probe, then bind. */
static int attach(struct uvf_pci_ctx *ctx, struct plan_entry *e,
		  const char *driver, char *cur, size_t len)
{
	int err = probe(ctx, e->bdf);

	if (!err)
		err = refresh_result(ctx, e, cur, len);
	if (!err && !cur[0]) {
		/* The kernel's choice may differ from the old driver; its
		 * bind file asks for that one explicitly. */
		write_driver_attr(ctx, driver, "bind", e->bdf);
		err = refresh_result(ctx, e, cur, len);
	}
	if (!err && strcmp(cur, driver)) {
		pci_set_error(ctx, "%s did not return to %s (it has %s)",
			      e->bdf, driver, cur[0] ? cur : "no driver");
		err = -EIO;
	}
	return err;
}

static int bind_one(struct uvf_pci_ctx *ctx, struct plan_entry *e)
{
	char cur[256];
	int err;

	err = write_override(ctx, e->bdf, UVF_PCI_VFIO_DRIVER);
	e->override_written = !err;
	if (!err && e->driver)
		err = write_driver_attr(ctx, e->driver, "unbind", e->bdf);
	if (!err)
		err = probe(ctx, e->bdf);
	if (!err)
		err = refresh_result(ctx, e, cur, sizeof(cur));
	if (!err && strcmp(cur, UVF_PCI_VFIO_DRIVER)) {
		pci_set_error(ctx, "the kernel did not bind %s to vfio-pci "
			      "(see dmesg)", e->bdf);
		err = -EIO;
	}
	return err;
}

/* Returns a device of a failed bind to its driver and driver_override. */
static int revert_one(struct uvf_pci_ctx *ctx, struct plan_entry *e)
{
	char cur[256];
	int err = 0;

	/* A refused first write changed nothing, and would be refused again. */
	if (e->override_written)
		err = write_override(ctx, e->bdf, e->override);
	if (!err)
		err = refresh_result(ctx, e, cur, sizeof(cur));
	if (!err && !strcmp(cur, UVF_PCI_VFIO_DRIVER)) {
		err = write_driver_attr(ctx, UVF_PCI_VFIO_DRIVER, "unbind",
					e->bdf);
		if (!err)
			err = refresh_result(ctx, e, cur, sizeof(cur));
	}
	if (err || !e->driver || !strcmp(cur, e->driver))
		return err;
	if (cur[0]) {
		pci_set_error(ctx, "%s is on %s instead of %s", e->bdf, cur,
			      e->driver);
		return -EIO;
	}
	return attach(ctx, e, e->driver, cur, sizeof(cur));
}

static int release_one(struct uvf_pci_ctx *ctx, struct plan_entry *e)
{
	char cur[256];
	int err;

	err = write_override(ctx, e->bdf, e->target_override);
	if (!err && e->driver) {
		err = write_driver_attr(ctx, UVF_PCI_VFIO_DRIVER, "unbind",
					e->bdf);
		/* Still on vfio-pci: its override goes back too, so the
		 * device stays as it was, its record kept, until a retry. */
		if (err)
			write_override(ctx, e->bdf, e->override);
	}
	if (err)
		return err;
	if (e->step.kernel_choice) {
		err = probe(ctx, e->bdf);
		return err ? err : refresh_result(ctx, e, cur, sizeof(cur));
	}
	if (!e->target_driver)
		return refresh_result(ctx, e, cur, sizeof(cur));
	return attach(ctx, e, e->target_driver, cur, sizeof(cur));
}

/* Saves @next and, once saved, makes it @state's records; frees @next. */
static int commit_records(struct uvf_pci_ctx *ctx, struct uvf_pci_state *state,
			  struct uvf_pci_state *next)
{
	int err = uvf_pci_state_save(next);

	if (err)
		pci_set_error(ctx, "cannot write state file %s: %s",
			      uvf_pci_state_path(state), strerror(-err));
	else
		pci_state_swap(state, next);
	uvf_pci_state_free(next);
	return err;
}

/*
 * Write-ahead: records of the devices a bind will move are saved before
 * the first write, so a crash half way leaves what restore needs. They go
 * into a copy that replaces @state only once saved, so a failure leaves
 * @state as it was. A device being bound now is not on vfio-pci, so its
 * current driver is the one to return to, whatever an older record says.
 */
static int record_binds(struct uvf_pci_ctx *ctx,
			const struct uvf_pci_plan *plan,
			struct uvf_pci_state *state)
{
	struct uvf_pci_state *next;
	bool any = false;
	int err = pci_state_copy(state, &next);

	if (err) {
		pci_set_error(ctx, "cannot prepare the records of the bind: %s",
			      strerror(-err));
		return err;
	}
	for (size_t i = 0; !err && i < plan->n; i++) {
		const struct plan_entry *e = plan->e[i];

		if (e->step.action != UVF_PCI_ACT_BIND)
			continue;
		any = true;
		pci_state_remove(next, e->bdf);
		err = pci_state_add(next, e->bdf, e->driver, e->override);
	}
	if (err || !any) {
		if (err)
			pci_set_error(ctx, "cannot prepare the records of the "
				      "bind: %s", strerror(-err));
		uvf_pci_state_free(next);
		return err;
	}
	return commit_records(ctx, state, next);
}

static int apply_bind(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
		      struct uvf_pci_state *state)
{
	char saved_err[sizeof(ctx->err)];
	size_t i, failed = plan->n;
	int err = state ? record_binds(ctx, plan, state) : 0;

	if (err)
		return err;
	for (i = 0; i < plan->n; i++) {
		struct plan_entry *e = plan->e[i];

		if (e->step.action != UVF_PCI_ACT_BIND)
			continue;
		err = bind_one(ctx, e);
		e->step.status = err;
		if (err) {
			failed = i;
			break;
		}
		e->step.applied = true;
	}
	if (!err)
		return 0;

	/* Keep the reason of the failure, not that of a later revert. */
	memcpy(saved_err, ctx->err, sizeof(saved_err));
	/* Devices after the failing one were never touched: only their
	 * write-ahead records go. */
	for (i = failed + 1; state && i < plan->n; i++)
		if (plan->e[i]->step.action == UVF_PCI_ACT_BIND)
			pci_state_remove(state, plan->e[i]->bdf);
	for (i = failed + 1; i-- > 0;) {
		struct plan_entry *e = plan->e[i];

		if (e->step.action != UVF_PCI_ACT_BIND)
			continue;
		e->step.applied = false;
		if (revert_one(ctx, e))
			e->step.rollback_failed = true;
		else if (state)
			pci_state_remove(state, e->bdf);
	}
	/* Records of reverted devices would only be dropped by restore as
	 * "already on its old driver", so failing to save is harmless. */
	if (state)
		uvf_pci_state_save(state);
	memcpy(ctx->err, saved_err, sizeof(saved_err));
	return err;
}

/*
 * Drops the records of the devices a release settled. Like record_binds(),
 * into a copy that replaces @state only once saved: a failure leaves the
 * records in memory as on disk, and a retry drops them.
 */
static int drop_settled(struct uvf_pci_ctx *ctx,
			const struct uvf_pci_plan *plan,
			struct uvf_pci_state *state)
{
	struct uvf_pci_state *next;
	int err = pci_state_copy(state, &next);

	if (err) {
		pci_set_error(ctx, "cannot prepare the records of the "
			      "release: %s", strerror(-err));
		return err;
	}
	for (size_t i = 0; i < plan->n; i++)
		if (plan->e[i]->settled)
			pci_state_remove(next, plan->e[i]->bdf);
	return commit_records(ctx, state, next);
}

static int apply_release(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
			 struct uvf_pci_state *state)
{
	char saved_err[sizeof(ctx->err)] = "";
	bool dropped = false;
	int first = 0;

	for (size_t i = 0; i < plan->n; i++) {
		struct plan_entry *e = plan->e[i];
		int err = 0;

		if (e->step.action == UVF_PCI_ACT_RELEASE) {
			err = release_one(ctx, e);
			e->step.status = err;
			e->step.applied = !err;
		}
		if (err && !first) {
			first = err;
			memcpy(saved_err, ctx->err, sizeof(saved_err));
		}
		e->settled = !err && e->drop_record && state;
		dropped |= e->settled;
	}
	if (dropped) {
		int err = drop_settled(ctx, plan, state);

		if (err && !first)
			return err;
	}
	if (first)
		memcpy(ctx->err, saved_err, sizeof(saved_err));
	return first;
}

int uvf_pci_plan_apply(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
		       struct uvf_pci_state *state)
{
	return plan->release ? apply_release(ctx, plan, state)
			     : apply_bind(ctx, plan, state);
}
