// SPDX-License-Identifier: MIT
/* uvf-bind persist, unpersist and persisted: bindings that survive reboots. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/pci_persist.h>

#include "uvf-bind.h"

int cmd_persist(struct uvf_pci_ctx *ctx, const struct bind_opts *o)
{
	const char *dir = o->rules_dir ? o->rules_dir : UVF_PCI_RULES_DIR;
	struct uvf_pci_plan *plan;
	unsigned int flags = UVF_PCI_LATER | (o->force ? UVF_PCI_FORCE : 0);
	int n;

	n = uvf_pci_plan_bind(ctx, (const char *const *)o->bdfs,
			      (size_t)o->nbdfs, flags, &plan);
	if (n)
		return bind_fail(ctx, n);
	for (size_t i = 0; i < uvf_pci_plan_count(plan); i++) {
		const struct uvf_pci_step *s = uvf_pci_plan_step(plan, i);

		if (s->action == UVF_PCI_ACT_LEAVE)
			printf("no rule for %s: %s\n", s->bdf, s->note);
		else if (o->dry_run)
			printf("would write a rule binding %s to vfio-pci at "
			       "boot\n", s->bdf);
	}
	if (o->dry_run) {
		uvf_pci_plan_free(plan);
		return BIND_EXIT_OK;
	}
	n = uvf_pci_persist_write(ctx, plan, o->rules_dir);
	uvf_pci_plan_free(plan);
	if (n < 0)
		return bind_fail(ctx, n);
	printf("wrote %d udev rule%s in %s; the devices go to vfio-pci at the "
	       "next boot or hot-add ('uvf-bind bind' moves them now)\n", n,
	       n == 1 ? "" : "s", dir);
	return BIND_EXIT_OK;
}

int cmd_unpersist(struct uvf_pci_ctx *ctx, const struct bind_opts *o)
{
	const char *dir = o->rules_dir ? o->rules_dir : UVF_PCI_RULES_DIR;
	int n = uvf_pci_persist_remove(ctx, (const char *const *)o->bdfs,
				       (size_t)o->nbdfs, o->rules_dir,
				       o->dry_run);

	if (n == -ENOENT) {
		bind_err("%s.", uvf_pci_ctx_error(ctx));
		return BIND_EXIT_NODEV;
	}
	if (n < 0)
		return bind_fail(ctx, n);
	printf("%s %d udev rule%s from %s; the devices stay on their current "
	       "driver\n", o->dry_run ? "would remove" : "removed", n,
	       n == 1 ? "" : "s", dir);
	return BIND_EXIT_OK;
}

int cmd_persisted(struct uvf_pci_ctx *ctx, const struct bind_opts *o)
{
	const char *dir = o->rules_dir ? o->rules_dir : UVF_PCI_RULES_DIR;
	struct uvf_pci_persisted *v;
	size_t n;
	int err = uvf_pci_persist_list(o->rules_dir, &v, &n);

	(void)ctx;
	if (err == -EBADMSG) {
		bind_err("a uvf rule file in %s was edited by hand; fix or "
			 "remove it.", dir);
		return BIND_EXIT_FAILED;
	}
	if (err) {
		bind_err("cannot read the rules in %s: %s.", dir,
			 strerror(-err));
		return BIND_EXIT_FAILED;
	}
	if (!n)
		printf("no persistent binding in %s\n", dir);
	for (size_t i = 0; i < n; i++)
		printf("%s %04x:%04x -> %s\n", v[i].bdf, v[i].vendor,
		       v[i].device, v[i].driver);
	free(v);
	return BIND_EXIT_OK;
}
