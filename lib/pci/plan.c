// SPDX-License-Identifier: MIT
/*
 * Making plans: which devices a bind, unbind or restore moves, found by
 * expanding each requested device to its IOMMU group, and the checks that
 * refuse a bind before anything is written.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plan.h"

static void entry_free(struct plan_entry *e)
{
	uvf_pci_dev_free(e->dev);
	free(e->driver);
	free(e->override);
	free(e->target_driver);
	free(e->target_override);
	free(e->result_driver);
	free(e);
}

void uvf_pci_plan_free(struct uvf_pci_plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->n; i++)
		entry_free(plan->e[i]);
	free(plan->e);
	free(plan);
}

size_t uvf_pci_plan_count(const struct uvf_pci_plan *plan)
{
	return plan->n;
}

const struct uvf_pci_step *uvf_pci_plan_step(const struct uvf_pci_plan *plan,
					     size_t i)
{
	return i < plan->n ? &plan->e[i]->step : NULL;
}

static struct plan_entry *plan_find(const struct uvf_pci_plan *plan,
				    const char *bdf)
{
	for (size_t i = 0; i < plan->n; i++)
		if (!strcmp(plan->e[i]->bdf, bdf))
			return plan->e[i];
	return NULL;
}

/*
 * Adds a step for @bdf, taking @dev (which may be NULL for a device that is
 * gone); @dev is freed here on failure.
 */
static int plan_add(struct uvf_pci_plan *plan, const char *bdf,
		    struct uvf_pci_dev *dev, enum uvf_pci_action action,
		    const char *note, struct plan_entry **out)
{
	struct plan_entry *e = calloc(1, sizeof(*e));
	bool ok = true;

	if (!e) {
		uvf_pci_dev_free(dev);
		return -ENOMEM;
	}
	e->dev = dev;
	snprintf(e->bdf, sizeof(e->bdf), "%s", bdf);
	if (dev) {
		e->driver = pci_strdup_or_null(dev->driver, &ok);
		e->override = pci_strdup_or_null(dev->override, &ok);
	}
	e->result_driver = pci_strdup_or_null(e->driver, &ok);
	if (ok && plan->n == plan->cap) {
		size_t ncap = plan->cap ? plan->cap * 2 : 8;
		void *p = realloc(plan->e, ncap * sizeof(*plan->e));

		if (p) {
			plan->e = p;
			plan->cap = ncap;
		}
		ok = p != NULL;
	}
	if (!ok) {
		entry_free(e);
		return -ENOMEM;
	}
	e->step = (struct uvf_pci_step){
		.bdf = e->bdf,
		.action = action,
		.iommu_group = dev ? dev->iommu_group : -1,
		.driver = e->driver,
		.note = note,
		.result_driver = e->result_driver,
	};
	plan->e[plan->n++] = e;
	*out = e;
	return 0;
}

static int set_target(struct plan_entry *e, const char *driver,
		      const char *override)
{
	bool ok = true;

	e->target_driver = pci_strdup_or_null(driver, &ok);
	e->target_override = pci_strdup_or_null(override, &ok);
	e->step.target_driver = e->target_driver;
	return ok ? 0 : -ENOMEM;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct plan_entry *const *x = a, *const *y = b;
	unsigned int p[4] = { 0 }, q[4] = { 0 };

	sscanf((*x)->bdf, "%x:%x:%x.%x", &p[0], &p[1], &p[2], &p[3]);
	sscanf((*y)->bdf, "%x:%x:%x.%x", &q[0], &q[1], &q[2], &q[3]);
	for (int i = 0; i < 4; i++)
		if (p[i] != q[i])
			return p[i] < q[i] ? -1 : 1;
	return 0;
}

static bool same_driver(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static bool on_vfio(const struct uvf_pci_dev *dev)
{
	return uvf_pci_dev_vfio_bound(dev);
}

/*
 * Group companions VFIO accepts without a move: devices on pci-stub, and
 * bridges with no driver or on pcieport (drivers that claim no DMA).
 */
static const char *tolerated(const struct uvf_pci_dev *dev)
{
	if (same_driver(dev->driver, "pci-stub"))
		return "on pci-stub, which VFIO accepts in a group";
	if ((dev->ids.class_code >> 16) == 0x06 &&
	    (!dev->driver || !strcmp(dev->driver, "pcieport")))
		return "bridge, which VFIO accepts in a group";
	return NULL;
}

/* Members of @dev's IOMMU group; just @dev when it has none. */
static int unit_members(struct uvf_pci_ctx *ctx, const struct uvf_pci_dev *dev,
			char (**bdfs)[UVF_PCI_BDF_LEN], size_t *n)
{
	int err;

	if (dev->iommu_group >= 0) {
		err = pci_group_bdfs(ctx, dev->iommu_group, bdfs, n);
		if (err && err != -ENOENT) {
			pci_set_error(ctx, "cannot read IOMMU group %d of %s: "
				      "%s", dev->iommu_group, dev->bdf,
				      strerror(-err));
			return err;
		}
		if (!err && *n)
			return 0;
		free(err ? NULL : *bdfs);
	}
	*bdfs = malloc(sizeof(**bdfs));
	if (!*bdfs)
		return -ENOMEM;
	memcpy((*bdfs)[0], dev->bdf, UVF_PCI_BDF_LEN);
	*n = 1;
	return 0;
}

/* Decides one device's step; @requested says whether the caller named it. */
typedef int (*member_fn)(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
			 struct uvf_pci_dev *dev, bool requested,
			 const struct uvf_pci_state *state);

static int bind_member(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
		       struct uvf_pci_dev *dev, bool requested,
		       const struct uvf_pci_state *state)
{
	enum uvf_pci_action act = UVF_PCI_ACT_BIND;
	const char *note = NULL;
	struct plan_entry *e;
	int err;

	(void)state;
	if (on_vfio(dev)) {
		act = UVF_PCI_ACT_NONE;
		note = "already on vfio-pci";
	} else if (!requested && (note = tolerated(dev))) {
		act = UVF_PCI_ACT_LEAVE;
	} else if (requested && uvf_pci_dev_is_bridge(dev)) {
		pci_set_error(ctx, "%s is a PCI bridge; vfio-pci drives only "
			      "endpoint devices", dev->bdf);
		uvf_pci_dev_free(dev);
		return -EOPNOTSUPP;
	}
	err = plan_add(plan, dev->bdf, dev, act, note, &e);
	if (!err && act == UVF_PCI_ACT_BIND)
		err = set_target(e, UVF_PCI_VFIO_DRIVER, UVF_PCI_VFIO_DRIVER);
	if (!err)
		e->step.requested = requested;
	return err;
}

static int unbind_member(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
			 struct uvf_pci_dev *dev, bool requested,
			 const struct uvf_pci_state *state)
{
	const char *bdf, *drv = NULL, *ovr = NULL;
	struct plan_entry *e;
	int rec = state ? uvf_pci_state_find(state, dev->bdf) : -ENOENT;
	int err;

	(void)ctx;
	if (!on_vfio(dev)) {
		if (!requested) {
			uvf_pci_dev_free(dev);
			return 0;
		}
		err = plan_add(plan, dev->bdf, dev, UVF_PCI_ACT_NONE,
			       "not on vfio-pci", &e);
		if (!err)
			e->step.requested = true;
		return err;
	}
	if (rec >= 0)
		uvf_pci_state_get(state, (size_t)rec, &bdf, &drv, &ovr);
	err = plan_add(plan, dev->bdf, dev, UVF_PCI_ACT_RELEASE, NULL, &e);
	if (err)
		return err;
	e->step.requested = requested;
	e->drop_record = rec >= 0;
	e->step.kernel_choice = rec < 0;
	return set_target(e, drv, ovr);
}

/* Adds a step for each member of @dev's unit that has none yet. */
static int plan_companions(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
			   const struct uvf_pci_dev *dev,
			   const struct uvf_pci_state *state, member_fn member)
{
	char (*members)[UVF_PCI_BDF_LEN] = NULL;
	size_t nm;
	int err = unit_members(ctx, dev, &members, &nm);

	for (size_t m = 0; !err && m < nm; m++) {
		struct uvf_pci_dev *md;

		if (plan_find(plan, members[m]))
			continue;
		err = uvf_pci_dev_open(ctx, members[m], &md);
		if (err == -ENODEV) {
			err = 0;	/* left the group meanwhile */
			continue;
		}
		if (!err)
			err = member(ctx, plan, md, false, state);
	}
	free(members);
	return err;
}

/*
 * Adds a step for every member of the units of @bdfs, once each. The
 * requested devices come first, so a device named by the caller is judged
 * as requested even when it is also a companion of another.
 */
static int plan_units(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
		      const char *const *bdfs, size_t n,
		      const struct uvf_pci_state *state, member_fn member)
{
	size_t nreq;
	int err;

	for (size_t i = 0; i < n; i++) {
		struct uvf_pci_dev *dev;

		err = uvf_pci_dev_open(ctx, bdfs[i], &dev);
		if (err)
			return err;
		if (plan_find(plan, dev->bdf)) {
			uvf_pci_dev_free(dev);	/* named twice */
			continue;
		}
		err = member(ctx, plan, dev, true, state);
		if (err)
			return err;
	}
	/* A release expands only from devices it releases: unbinding a
	 * device that is not on vfio-pci must not take its group mates. */
	nreq = plan->n;
	for (size_t i = 0; i < nreq; i++) {
		if (plan->release &&
		    plan->e[i]->step.action != UVF_PCI_ACT_RELEASE)
			continue;
		err = plan_companions(ctx, plan, plan->e[i]->dev, state,
				      member);
		if (err)
			return err;
	}
	if (plan->n)
		qsort(plan->e, plan->n, sizeof(*plan->e), entry_cmp);
	return 0;
}

static int plan_new(bool release, struct uvf_pci_plan **planp)
{
	*planp = calloc(1, sizeof(**planp));
	if (!*planp)
		return -ENOMEM;
	(*planp)->release = release;
	return 0;
}

/* The refusals of a bind, checked before anything is written. */
static int check_bind(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
		      unsigned int flags)
{
	char path[PATH_MAX], why[384];
	bool any = false;

	for (size_t i = 0; i < plan->n; i++) {
		struct plan_entry *e = plan->e[i];
		int use;

		if (e->step.action != UVF_PCI_ACT_BIND)
			continue;
		any = true;
		snprintf(path, sizeof(path), "%s/driver_override",
			 e->dev->path);
		if (access(path, F_OK)) {
			pci_set_error(ctx, "the kernel has no driver_override "
				      "for %s (it needs Linux 3.16 or later)",
				      e->bdf);
			return -EOPNOTSUPP;
		}
		if (flags & UVF_PCI_FORCE)
			continue;
		use = uvf_pci_dev_in_use(ctx, e->dev, why, sizeof(why));
		if (use < 0)
			return use;
		if (use == UVF_PCI_USE_NONE)
			continue;
		if (e->step.requested)
			pci_set_error(ctx, "%s %s", e->bdf, why);
		else
			pci_set_error(ctx, "%s (in IOMMU group %d with the "
				      "requested device) %s", e->bdf,
				      e->step.iommu_group, why);
		return -EBUSY;
	}
	/* A later boot loads vfio-pci itself (uvf/pci_persist.h). */
	if (!any || (flags & UVF_PCI_LATER))
		return 0;
	if (pci_sysfs_path(ctx, path, "bus/pci/drivers/%s",
			   UVF_PCI_VFIO_DRIVER) || access(path, F_OK)) {
		pci_set_error(ctx, "the vfio-pci driver is not loaded (no %s); "
			      "load it with 'modprobe vfio-pci'", path);
		return -ENOENT;
	}
	return 0;
}

int uvf_pci_plan_bind(struct uvf_pci_ctx *ctx, const char *const *bdfs,
		      size_t n, unsigned int flags,
		      struct uvf_pci_plan **planp)
{
	struct uvf_pci_plan *plan;
	int err;

	if (!n || (flags & ~(UVF_PCI_FORCE | UVF_PCI_LATER))) {
		pci_set_error(ctx, n ? "unknown bind flags %#x"
				     : "nothing to bind", flags);
		return -EINVAL;
	}
	err = plan_new(false, &plan);
	if (!err)
		err = plan_units(ctx, plan, bdfs, n, NULL, bind_member);
	if (!err)
		err = check_bind(ctx, plan, flags);
	if (err) {
		if (err == -ENOMEM)
			pci_set_error(ctx, "out of memory");
		uvf_pci_plan_free(plan);
		return err;
	}
	*planp = plan;
	return 0;
}

int uvf_pci_plan_unbind(struct uvf_pci_ctx *ctx, const char *const *bdfs,
			size_t n, const struct uvf_pci_state *state,
			struct uvf_pci_plan **planp)
{
	struct uvf_pci_plan *plan;
	int err;

	if (!n) {
		pci_set_error(ctx, "nothing to unbind");
		return -EINVAL;
	}
	err = plan_new(true, &plan);
	if (!err)
		err = plan_units(ctx, plan, bdfs, n, state, unbind_member);
	if (err) {
		if (err == -ENOMEM)
			pci_set_error(ctx, "out of memory");
		uvf_pci_plan_free(plan);
		return err;
	}
	*planp = plan;
	return 0;
}

static int restore_record(struct uvf_pci_ctx *ctx, struct uvf_pci_plan *plan,
			  const char *bdf, const char *drv, const char *ovr)
{
	enum uvf_pci_action act = UVF_PCI_ACT_LEAVE;
	struct uvf_pci_dev *dev = NULL;
	const char *note = "moved to another driver since";
	struct plan_entry *e;
	int err;

	err = uvf_pci_dev_open(ctx, bdf, &dev);
	if (err == -ENODEV) {
		note = "gone";
	} else if (err) {
		return err;
	} else if (on_vfio(dev) || (!dev->driver && drv)) {
		/* Unbound counts too: a bind whose rollback failed leaves
		 * its devices without a driver. */
		act = UVF_PCI_ACT_RELEASE;
		note = NULL;
	} else if (same_driver(dev->driver, drv)) {
		act = UVF_PCI_ACT_NONE;
		note = "already on its old driver";
	}
	err = plan_add(plan, bdf, dev, act, note, &e);
	if (err)
		return err;
	e->step.requested = true;
	e->drop_record = true;
	return act == UVF_PCI_ACT_RELEASE ? set_target(e, drv, ovr) : 0;
}

int uvf_pci_plan_restore(struct uvf_pci_ctx *ctx,
			 const struct uvf_pci_state *state,
			 struct uvf_pci_plan **planp)
{
	struct uvf_pci_plan *plan;
	int err = plan_new(true, &plan);

	for (size_t i = 0; !err && i < uvf_pci_state_count(state); i++) {
		const char *bdf, *drv, *ovr;

		uvf_pci_state_get(state, i, &bdf, &drv, &ovr);
		err = restore_record(ctx, plan, bdf, drv, ovr);
	}
	if (err) {
		if (err == -ENOMEM)
			pci_set_error(ctx, "out of memory");
		uvf_pci_plan_free(plan);
		return err;
	}
	if (plan->n)
		qsort(plan->e, plan->n, sizeof(*plan->e), entry_cmp);
	*planp = plan;
	return 0;
}
