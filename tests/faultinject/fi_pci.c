/* SPDX-License-Identifier: MIT */
/* Bind, unbind and restore on the fake sysfs: a failed call leaves every
 * device on its driver with its driver_override, and the state file and
 * its records as they were. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/pci_bind.h>
#include <uvf/pci_state.h>

#include "fake_sysfs.h"
#include "fi.h"

/* Two devices, so a bind has one to roll back when the second fails; the
 * second has a driver_override of its own to give back. */
static const char *const bdfs[] = { "0000:00:04.0", "0000:00:06.0" };
#define NR_BDFS (sizeof(bdfs) / sizeof(bdfs[0]))

enum pci_call { BIND, UNBIND, RESTORE };

struct pcifi {
	enum pci_call call;
	struct fake_sysfs fs;
	struct uvf_pci_ctx *ctx;
	struct uvf_pci_state *st;
	struct {
		char driver[64], override[64];
	} dev[NR_BDFS];
	char *state_text;	/* NULL: no file */
	size_t records;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *text;
	long n;

	if (!f)
		return NULL;
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(text);
	ck_assert_uint_eq(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return text;
}

static void override_of(struct pcifi *f, const char *bdf, char *out,
			size_t len)
{
	char rel[128];

	const char *v;

	fake_fmt(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", bdf);
	v = fake_read(&f->fs, rel);
	/* Empty, however the tree shows it. */
	snprintf(out, len, "%s", strcmp(v, "(null)") ? v : "");
}

static int apply(struct pcifi *f, enum pci_call c)
{
	struct uvf_pci_plan *plan;
	int err;

	switch (c) {
	case BIND:
		err = uvf_pci_plan_bind(f->ctx, bdfs, NR_BDFS, 0, &plan);
		break;
	case UNBIND:
		err = uvf_pci_plan_unbind(f->ctx, bdfs, NR_BDFS, f->st, &plan);
		break;
	default:
		err = uvf_pci_plan_restore(f->ctx, f->st, &plan);
	}
	if (err)
		return err;
	err = uvf_pci_plan_apply(f->ctx, plan, f->st);
	uvf_pci_plan_free(plan);
	return err;
}

static void pci_setup(void *fix)
{
	struct pcifi *f = fix;

	fake_sysfs_create(&f->fs);
	fake_standard(&f->fs);
	f->ctx = fake_ctx(&f->fs);
	ck_assert_int_eq(uvf_pci_state_open(f->fs.state, &f->st), 0);
	if (f->call != BIND)
		ck_assert_int_eq(apply(f, BIND), 0);
	for (size_t i = 0; i < NR_BDFS; i++) {
		snprintf(f->dev[i].driver, sizeof(f->dev[i].driver), "%s",
			 fake_driver_of(&f->fs, bdfs[i]));
		override_of(f, bdfs[i], f->dev[i].override,
			    sizeof(f->dev[i].override));
	}
	f->state_text = slurp(f->fs.state);
	f->records = uvf_pci_state_count(f->st);
}

static int pci_call(void *fix)
{
	struct pcifi *f = fix;

	return apply(f, f->call);
}

/* The state file holds exactly the records in memory. */
static void file_matches_records(struct pcifi *f)
{
	struct uvf_pci_state *disk;

	ck_assert_int_eq(uvf_pci_state_open(f->fs.state, &disk), 0);
	ck_assert_uint_eq(uvf_pci_state_count(disk),
			  uvf_pci_state_count(f->st));
	for (size_t i = 0; i < NR_BDFS; i++)
		ck_assert_int_eq(uvf_pci_state_find(disk, bdfs[i]) >= 0,
				 uvf_pci_state_find(f->st, bdfs[i]) >= 0);
	uvf_pci_state_free(disk);
}

static void pci_unchanged(void *fix)
{
	struct pcifi *f = fix;
	char *text = slurp(f->fs.state);
	char ovr[64];

	for (size_t i = 0; i < NR_BDFS; i++) {
		const char *drv = fake_driver_of(&f->fs, bdfs[i]);

		override_of(f, bdfs[i], ovr, sizeof(ovr));
		/* A release goes on past a device that fails: a device's
		 * record goes only once it is back on its driver; one that
		 * failed, as it was or half way, keeps it for a later
		 * restore (which the retry below makes). */
		if (f->call != BIND && strcmp(drv, f->dev[i].driver)) {
			if (strcmp(drv, "virtio-pci"))
				ck_assert_int_ge(uvf_pci_state_find(f->st,
								    bdfs[i]),
						 0);
			continue;
		}
		ck_assert_str_eq(drv, f->dev[i].driver);
		ck_assert_str_eq(ovr, f->dev[i].override);
		if (f->call != BIND)
			ck_assert_int_ge(uvf_pci_state_find(f->st, bdfs[i]),
					 0);
	}
	if (f->call == BIND) {
		/* A failed bind changed nothing, in memory or on disk. */
		ck_assert_uint_eq(uvf_pci_state_count(f->st), f->records);
		if (f->state_text)
			ck_assert_str_eq(text ? text : "(none)",
					 f->state_text);
		else
			ck_assert_ptr_null(text);
	}
	file_matches_records(f);
	free(text);
	if (f->call != BIND) {
		/* And restore, once nothing fails, finishes the job. */
		ck_assert_int_eq(apply(f, RESTORE), 0);
		for (size_t i = 0; i < NR_BDFS; i++)
			ck_assert_str_eq(fake_driver_of(&f->fs, bdfs[i]),
					 "virtio-pci");
		ck_assert_uint_eq(uvf_pci_state_count(f->st), 0);
	}
}

static void pci_done(void *fix)
{
	struct pcifi *f = fix;

	for (size_t i = 0; i < NR_BDFS; i++)
		ck_assert_str_eq(fake_driver_of(&f->fs, bdfs[i]),
				 f->call == BIND ? "vfio-pci" : "virtio-pci");
	ck_assert_uint_eq(uvf_pci_state_count(f->st),
			  f->call == BIND ? NR_BDFS : 0);
}

static void pci_down(void *fix, bool ok)
{
	struct pcifi *f = fix;

	(void)ok;
	free(f->state_text);
	uvf_pci_state_free(f->st);
	uvf_pci_ctx_free(f->ctx);
	fake_sysfs_destroy(&f->fs);
}

START_TEST(test_bind_unbind_restore_fail_cleanly_at_every_point)
{
	static const char *const names[] = { "pci/bind", "pci/unbind",
					     "pci/restore" };
	static struct pcifi f;
	struct fi_scenario s = {
		names[_i], pci_setup, pci_call, pci_unchanged, pci_done,
		pci_down,
	};

	memset(&f, 0, sizeof(f));
	f.call = (enum pci_call)_i;
	fi_run(&s, &f);
}
END_TEST

TCase *fi_pci_tcase(void)
{
	TCase *tc = tcase_create("pci");

	tcase_add_loop_test(tc, test_bind_unbind_restore_fail_cleanly_at_every_point,
			    BIND, RESTORE + 1);
	return tc;
}
