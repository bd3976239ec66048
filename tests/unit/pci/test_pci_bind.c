// SPDX-License-Identifier: MIT
/*
 * Binding to vfio-pci and back against a fake sysfs tree whose "kernel" is
 * pci_emulate_kernel(), wrapped by a hook that can refuse probes and
 * writes to make the failure paths run.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uvf/pci_bind.h>

#include "../common/check_main.h"
#include "fake_sysfs.h"
#include "pci/write_hook.h"
#include "pci_emulate.h"

static struct fake_sysfs fs;
static struct uvf_pci_ctx *ctx;

/* What the test hook does besides playing the kernel. */
static struct {
	int writes;
	const char *refuse_vfio;	/* vfio-pci declines this device */
	const char *stuck;		/* never returns to a host driver */
	const char *fail_attr;		/* this write fails with fail_err */
	int fail_err;
} hook;

static int test_hook(struct uvf_pci_ctx *c, const char *attr,
		     const char *value, void *arg)
{
	char rel[128];

	(void)arg;
	hook.writes++;
	if (hook.fail_attr && !strcmp(attr, hook.fail_attr))
		return hook.fail_err;
	if (!strcmp(attr, "bus/pci/drivers_probe")) {
		const char *ovr;

		fake_fmt(rel, sizeof(rel), "bus/pci/devices/%s/driver_override",
			 value);
		ovr = fake_read(&fs, rel);	/* before this write lands */
		if (hook.refuse_vfio && !strcmp(value, hook.refuse_vfio) &&
		    !strcmp(ovr, "vfio-pci"))
			return 0;	/* probe declined; the write succeeds */
		if (hook.stuck && !strcmp(value, hook.stuck) &&
		    strcmp(ovr, "vfio-pci"))
			return 0;
	}
	if (hook.stuck && !strcmp(value, hook.stuck) &&
	    strstr(attr, "/bind"))
		return -ENODEV;
	return pci_emulate_kernel(c, attr, value, NULL);
}

static void setup(void)
{
	memset(&hook, 0, sizeof(hook));
	fake_sysfs_create(&fs);
	fake_standard(&fs);
	ctx = fake_ctx(&fs);
	pci_ctx_set_write_hook(ctx, test_hook, NULL);
}

static void teardown(void)
{
	uvf_pci_ctx_free(ctx);
	fake_sysfs_destroy(&fs);
}

/* The driver_override of @bdf; "" when empty, however it is shown. */
static const char *override_of(const char *bdf)
{
	char rel[128];
	const char *v;

	fake_fmt(rel, sizeof(rel), "bus/pci/devices/%s/driver_override", bdf);
	v = fake_read(&fs, rel);
	return strcmp(v, "(null)") ? v : "";
}

static struct uvf_pci_state *open_state(void)
{
	struct uvf_pci_state *st;

	ck_assert_int_eq(uvf_pci_state_open(fs.state, &st), 0);
	return st;
}

/* Plans and applies a bind of one device; returns apply's result. */
static int bind1(const char *bdf, unsigned int flags,
		 struct uvf_pci_state *st)
{
	const char *bdfs[] = { bdf };
	struct uvf_pci_plan *plan;
	int err = uvf_pci_plan_bind(ctx, bdfs, 1, flags, &plan);

	if (err)
		return err;
	err = uvf_pci_plan_apply(ctx, plan, st);
	uvf_pci_plan_free(plan);
	return err;
}

static int unbind1(const char *bdf, struct uvf_pci_state *st)
{
	const char *bdfs[] = { bdf };
	struct uvf_pci_plan *plan;
	int err = uvf_pci_plan_unbind(ctx, bdfs, 1, st, &plan);

	if (err)
		return err;
	err = uvf_pci_plan_apply(ctx, plan, st);
	uvf_pci_plan_free(plan);
	return err;
}

static void assert_record(const struct uvf_pci_state *st, const char *bdf,
			  const char *drv, const char *ovr)
{
	const char *b, *d, *o;
	int i = uvf_pci_state_find(st, bdf);

	ck_assert_msg(i >= 0, "no record of %s", bdf);
	ck_assert_int_eq(uvf_pci_state_get(st, (size_t)i, &b, &d, &o), 0);
	ck_assert_str_eq(b, bdf);
	if (drv)
		ck_assert_str_eq(d, drv);
	else
		ck_assert_ptr_null(d);
	if (ovr)
		ck_assert_str_eq(o, ovr);
	else
		ck_assert_ptr_null(o);
}

START_TEST(test_bind_moves_device_to_vfio_and_records_old_driver)
{
	struct uvf_pci_state *st = open_state(), *again;
	char path[PATH_MAX];
	struct uvf_pci_dev *dev;

	ck_assert_int_eq(bind1("0000:00:04.0", 0, st), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "vfio-pci");
	ck_assert_str_eq(override_of("0000:00:04.0"), "vfio-pci");
	assert_record(st, "0000:00:04.0", "virtio-pci", NULL);

	/* The record is on disk too. */
	ck_assert_int_eq(uvf_pci_state_open(fs.state, &again), 0);
	ck_assert_uint_eq(uvf_pci_state_count(again), 1);
	assert_record(again, "0000:00:04.0", "virtio-pci", NULL);
	uvf_pci_state_free(again);

	ck_assert_int_eq(uvf_pci_dev_open(ctx, "0000:00:04.0", &dev), 0);
	ck_assert(uvf_pci_dev_vfio_bound(dev));
	fake_fmt(path, sizeof(path), "%s/vfio/4", fs.dev);
	ck_assert_str_eq(uvf_pci_dev_vfio_group_node(dev), path);
	fake_fmt(path, sizeof(path), "%s/vfio/devices/vfio0", fs.dev);
	ck_assert_str_eq(uvf_pci_dev_vfio_cdev(dev), path);
	uvf_pci_dev_free(dev);
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_unbind_returns_recorded_driver_and_drops_record)
{
	struct uvf_pci_state *st = open_state();
	char path[PATH_MAX];

	ck_assert_int_eq(bind1("0000:00:04.0", 0, st), 0);
	ck_assert_int_eq(unbind1("0000:00:04.0", st), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "virtio-pci");
	ck_assert_str_eq(override_of("0000:00:04.0"), "");
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	ck_assert(!fake_exists(fs.state));
	fake_fmt(path, sizeof(path), "%s/vfio/4", fs.dev);
	ck_assert(!fake_exists(path));
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_restore_returns_old_driver_and_old_override)
{
	struct uvf_pci_state *st = open_state();
	struct uvf_pci_plan *plan;
	const struct uvf_pci_step *s;

	ck_assert_int_eq(bind1("0000:00:06.0", 0, st), 0);
	assert_record(st, "0000:00:06.0", "virtio-pci", "virtio-pci");
	uvf_pci_state_free(st);

	st = open_state();
	ck_assert_int_eq(uvf_pci_plan_restore(ctx, st, &plan), 0);
	ck_assert_uint_eq(uvf_pci_plan_count(plan), 1);
	s = uvf_pci_plan_step(plan, 0);
	ck_assert_int_eq(s->action, UVF_PCI_ACT_RELEASE);
	ck_assert_str_eq(s->target_driver, "virtio-pci");
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, st), 0);
	ck_assert(s->applied);
	ck_assert_str_eq(s->result_driver, "virtio-pci");
	uvf_pci_plan_free(plan);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:06.0"), "virtio-pci");
	ck_assert_str_eq(override_of("0000:00:06.0"), "virtio-pci");
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_unbind_without_record_lets_the_kernel_pick)
{
	struct uvf_pci_plan *plan;
	const char *bdfs[] = { "0000:00:04.0" };

	ck_assert_int_eq(bind1("0000:00:04.0", 0, NULL), 0);
	ck_assert_int_eq(uvf_pci_plan_unbind(ctx, bdfs, 1, NULL, &plan), 0);
	ck_assert(uvf_pci_plan_step(plan, 0)->kernel_choice);
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, NULL), 0);
	uvf_pci_plan_free(plan);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "virtio-pci");
	ck_assert_str_eq(override_of("0000:00:04.0"), "");
}
END_TEST

START_TEST(test_bind_takes_whole_group_and_leaves_bridge)
{
	const char *bdfs[] = { "0000:01:00.0" };
	struct uvf_pci_state *st = open_state();
	const struct uvf_pci_step *s;
	struct uvf_pci_plan *plan;

	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bdfs, 1, 0, &plan), 0);
	ck_assert_uint_eq(uvf_pci_plan_count(plan), 3);
	s = uvf_pci_plan_step(plan, 0);
	ck_assert_str_eq(s->bdf, "0000:00:01.0");
	ck_assert_int_eq(s->action, UVF_PCI_ACT_LEAVE);
	ck_assert(!s->requested);
	s = uvf_pci_plan_step(plan, 1);
	ck_assert_str_eq(s->bdf, "0000:01:00.0");
	ck_assert_int_eq(s->action, UVF_PCI_ACT_BIND);
	ck_assert(s->requested);
	ck_assert_int_eq(s->iommu_group, 1);
	s = uvf_pci_plan_step(plan, 2);
	ck_assert_str_eq(s->bdf, "0000:01:00.1");
	ck_assert_int_eq(s->action, UVF_PCI_ACT_BIND);
	ck_assert(!s->requested);

	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, st), 0);
	uvf_pci_plan_free(plan);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "vfio-pci");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "vfio-pci");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:01.0"), "pcieport");
	ck_assert_uint_eq(uvf_pci_state_count(st), 2);
	assert_record(st, "0000:01:00.1", "e1000e", NULL);

	/* Releasing one member releases the group. */
	ck_assert_int_eq(unbind1("0000:01:00.1", st), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "e1000e");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "e1000e");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:01.0"), "pcieport");
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_group_member_on_pci_stub_is_left_alone)
{
	const char *bdfs[] = { "0000:01:00.0" };
	struct uvf_pci_plan *plan;

	fake_write(&fs, "bus/pci/drivers/pci-stub/new_id", "8086 10d3\n");
	fake_write(&fs, "bus/pci/drivers/e1000e/new_id", "");
	ck_assert_int_eq(pci_emulate_kernel(ctx,
			 "bus/pci/drivers/e1000e/unbind", "0000:01:00.1",
			 NULL), 0);
	ck_assert_int_eq(pci_emulate_kernel(ctx, "bus/pci/drivers_probe",
			 "0000:01:00.1", NULL), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "pci-stub");

	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bdfs, 1, 0, &plan), 0);
	ck_assert_int_eq(uvf_pci_plan_step(plan, 2)->action,
			 UVF_PCI_ACT_LEAVE);
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, NULL), 0);
	uvf_pci_plan_free(plan);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "pci-stub");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "vfio-pci");
}
END_TEST

START_TEST(test_requested_bridge_is_refused)
{
	ck_assert_int_eq(bind1("0000:00:01.0", 0, NULL), -EOPNOTSUPP);
	ck_assert_str_eq(uvf_pci_ctx_error(ctx),
			 "0000:00:01.0 is a PCI bridge; vfio-pci drives only "
			 "endpoint devices");
	ck_assert_int_eq(hook.writes, 0);
}
END_TEST

START_TEST(test_mounted_disk_is_refused_and_nothing_changes)
{
	struct uvf_pci_state *st = open_state();

	ck_assert_int_eq(bind1("0000:00:02.0", 0, st), -EBUSY);
	ck_assert_str_eq(uvf_pci_ctx_error(ctx),
			 "0000:00:02.0 backs mounted filesystem /dev/vda1 (on /)");
	ck_assert_int_eq(hook.writes, 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:02.0"), "virtio-pci");
	ck_assert_str_eq(override_of("0000:00:02.0"), "");
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	ck_assert(!fake_exists(fs.state));
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_interface_that_is_up_is_refused)
{
	ck_assert_int_eq(bind1("0000:00:03.0", 0, NULL), -EBUSY);
	ck_assert_str_eq(uvf_pci_ctx_error(ctx),
			 "0000:00:03.0 owns network interface eth0, which is up");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:03.0"), "virtio-pci");
}
END_TEST

START_TEST(test_force_takes_devices_in_use)
{
	ck_assert_int_eq(bind1("0000:00:02.0", UVF_PCI_FORCE, NULL), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:02.0"), "vfio-pci");
	ck_assert_int_eq(bind1("0000:00:03.0", UVF_PCI_FORCE, NULL), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:03.0"), "vfio-pci");
}
END_TEST

START_TEST(test_in_use_group_member_refuses_the_whole_group)
{
	fake_netdev(&fs, "eth2", "0000:01:00.1", true);
	ck_assert_int_eq(bind1("0000:01:00.0", 0, NULL), -EBUSY);
	ck_assert_str_eq(uvf_pci_ctx_error(ctx),
			 "0000:01:00.1 (in IOMMU group 1 with the requested "
			 "device) owns network interface eth2, which is up");
	ck_assert_int_eq(hook.writes, 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "e1000e");
}
END_TEST

START_TEST(test_refused_probe_rolls_back_to_old_driver)
{
	struct uvf_pci_state *st = open_state();
	const char *bdfs[] = { "0000:00:08.0" };
	struct uvf_pci_plan *plan;
	const struct uvf_pci_step *s;

	/* No IOMMU group and no noiommu mode: vfio-pci declines. */
	fake_device(&fs, &(struct fake_dev){ "0000:00:08.0", 0x1af4, 0x1000,
					     0x020000, -1, "virtio-pci",
					     NULL });
	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bdfs, 1, 0, &plan), 0);
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, st), -EIO);
	ck_assert_str_eq(uvf_pci_ctx_error(ctx),
			 "the kernel did not bind 0000:00:08.0 to vfio-pci "
			 "(see dmesg)");
	s = uvf_pci_plan_step(plan, 0);
	ck_assert_int_eq(s->status, -EIO);
	ck_assert(!s->applied);
	ck_assert(!s->rollback_failed);
	ck_assert_str_eq(s->result_driver, "virtio-pci");
	uvf_pci_plan_free(plan);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:08.0"), "virtio-pci");
	ck_assert_str_eq(override_of("0000:00:08.0"), "");
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	ck_assert(!fake_exists(fs.state));
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_noiommu_mode_lets_vfio_take_a_device_without_group)
{
	fake_device(&fs, &(struct fake_dev){ "0000:00:08.0", 0x1af4, 0x1000,
					     0x020000, -1, "virtio-pci",
					     NULL });
	fake_write(&fs, "module/vfio/parameters/enable_unsafe_noiommu_mode",
		   "Y\n");
	ck_assert_int_eq(bind1("0000:00:08.0", 0, NULL), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:08.0"), "vfio-pci");
}
END_TEST

START_TEST(test_failure_in_a_group_rolls_back_members_bound_before)
{
	struct uvf_pci_state *st = open_state();
	const char *bdfs[] = { "0000:01:00.0" };
	struct uvf_pci_plan *plan;

	hook.refuse_vfio = "0000:01:00.1";
	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bdfs, 1, 0, &plan), 0);
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, st), -EIO);
	ck_assert_int_eq(uvf_pci_plan_step(plan, 1)->status, 0);
	ck_assert(!uvf_pci_plan_step(plan, 1)->applied);
	ck_assert_int_eq(uvf_pci_plan_step(plan, 2)->status, -EIO);
	uvf_pci_plan_free(plan);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "e1000e");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "e1000e");
	ck_assert_str_eq(override_of("0000:01:00.0"), "");
	ck_assert_str_eq(override_of("0000:01:00.1"), "");
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_device_that_cannot_be_put_back_keeps_its_record)
{
	struct uvf_pci_state *st = open_state();
	const char *bdfs[] = { "0000:01:00.0" };
	struct uvf_pci_plan *plan;

	hook.refuse_vfio = "0000:01:00.1";
	hook.stuck = "0000:01:00.0";
	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bdfs, 1, 0, &plan), 0);
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, st), -EIO);
	/* The reason given is the bind's failure, not the rollback's. */
	ck_assert_str_eq(uvf_pci_ctx_error(ctx),
			 "the kernel did not bind 0000:01:00.1 to vfio-pci "
			 "(see dmesg)");
	ck_assert(uvf_pci_plan_step(plan, 1)->rollback_failed);
	ck_assert(!uvf_pci_plan_step(plan, 2)->rollback_failed);
	uvf_pci_plan_free(plan);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.1"), "e1000e");
	ck_assert_uint_eq(uvf_pci_state_count(st), 1);
	assert_record(st, "0000:01:00.0", "e1000e", NULL);
	uvf_pci_state_free(st);

	/* Once the cause is gone, restore finishes the job. */
	hook.stuck = NULL;
	st = open_state();
	ck_assert_uint_eq(uvf_pci_state_count(st), 1);
	ck_assert_int_eq(uvf_pci_plan_restore(ctx, st, &plan), 0);
	ck_assert_int_eq(uvf_pci_plan_step(plan, 0)->action,
			 UVF_PCI_ACT_RELEASE);
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, st), 0);
	uvf_pci_plan_free(plan);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "e1000e");
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_failed_write_rolls_back)
{
	hook.fail_attr = "bus/pci/drivers/virtio-pci/unbind";
	hook.fail_err = -EACCES;
	ck_assert_int_eq(bind1("0000:00:04.0", 0, NULL), -EACCES);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx),
				     "cannot write \"0000:00:04.0\" to "));
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx),
				     "Permission denied"));
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "virtio-pci");
	ck_assert_str_eq(override_of("0000:00:04.0"), "");
}
END_TEST

START_TEST(test_refused_first_write_is_no_rollback_failure)
{
	const char *bdfs[] = { "0000:00:04.0" };
	struct uvf_pci_plan *plan;

	/* What a user who is not root meets first. */
	hook.fail_attr = "bus/pci/devices/0000:00:04.0/driver_override";
	hook.fail_err = -EACCES;
	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bdfs, 1, 0, &plan), 0);
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, NULL), -EACCES);
	ck_assert(!uvf_pci_plan_step(plan, 0)->rollback_failed);
	uvf_pci_plan_free(plan);
	ck_assert_int_eq(hook.writes, 1);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "virtio-pci");
	ck_assert_str_eq(override_of("0000:00:04.0"), "");
}
END_TEST

START_TEST(test_missing_vfio_driver_is_enoent)
{
	char path[PATH_MAX];
	static const char *const files[] = { "bind", "unbind", "new_id" };

	for (size_t i = 0; i < 3; i++) {
		fake_fmt(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci/%s",
			 fs.sys, files[i]);
		ck_assert_int_eq(unlink(path), 0);
	}
	fake_fmt(path, sizeof(path), "%s/bus/pci/drivers/vfio-pci", fs.sys);
	ck_assert_int_eq(rmdir(path), 0);
	ck_assert_int_eq(bind1("0000:00:04.0", 0, NULL), -ENOENT);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx),
				     "the vfio-pci driver is not loaded"));
	ck_assert_int_eq(hook.writes, 0);
}
END_TEST

START_TEST(test_binding_a_bound_device_writes_nothing)
{
	struct uvf_pci_state *st = open_state();
	const char *bdfs[] = { "0000:00:04.0" };
	struct uvf_pci_plan *plan;

	ck_assert_int_eq(bind1("0000:00:04.0", 0, st), 0);
	hook.writes = 0;
	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bdfs, 1, 0, &plan), 0);
	ck_assert_int_eq(uvf_pci_plan_step(plan, 0)->action,
			 UVF_PCI_ACT_NONE);
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, st), 0);
	uvf_pci_plan_free(plan);
	ck_assert_int_eq(hook.writes, 0);
	/* The first record, with the true old driver, stays. */
	assert_record(st, "0000:00:04.0", "virtio-pci", NULL);
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_plans_alone_change_nothing)
{
	const char *bdfs[] = { "0000:01:00.0", "0000:00:04.0" };
	struct uvf_pci_plan *plan;

	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bdfs, 2, 0, &plan), 0);
	ck_assert_uint_eq(uvf_pci_plan_count(plan), 4);
	uvf_pci_plan_free(plan);
	ck_assert_int_eq(uvf_pci_plan_unbind(ctx, bdfs, 2, NULL, &plan), 0);
	uvf_pci_plan_free(plan);
	ck_assert_int_eq(hook.writes, 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:01:00.0"), "e1000e");
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "virtio-pci");
	ck_assert_str_eq(override_of("0000:00:04.0"), "");
}
END_TEST

START_TEST(test_bad_or_missing_addresses_fail_the_plan)
{
	const char *bad[] = { "0000:00:04.0", "00:04" };
	const char *missing[] = { "0000:00:04.0", "0000:00:1f.0" };
	struct uvf_pci_plan *plan = NULL;

	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bad, 2, 0, &plan), -EINVAL);
	ck_assert_int_eq(uvf_pci_plan_bind(ctx, missing, 2, 0, &plan),
			 -ENODEV);
	ck_assert_str_eq(uvf_pci_ctx_error(ctx), "no PCI device 0000:00:1f.0");
	ck_assert_int_eq(uvf_pci_plan_unbind(ctx, missing, 2, NULL, &plan),
			 -ENODEV);
	ck_assert_int_eq(uvf_pci_plan_bind(ctx, bad, 0, 0, &plan), -EINVAL);
	ck_assert_ptr_null(plan);
	ck_assert_int_eq(hook.writes, 0);
}
END_TEST

START_TEST(test_unbind_of_device_not_on_vfio_does_nothing)
{
	const char *bdfs[] = { "0000:01:00.0" };
	struct uvf_pci_plan *plan;

	ck_assert_int_eq(uvf_pci_plan_unbind(ctx, bdfs, 1, NULL, &plan), 0);
	ck_assert_uint_eq(uvf_pci_plan_count(plan), 1);
	ck_assert_int_eq(uvf_pci_plan_step(plan, 0)->action,
			 UVF_PCI_ACT_NONE);
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, NULL), 0);
	uvf_pci_plan_free(plan);
	ck_assert_int_eq(hook.writes, 0);
}
END_TEST

START_TEST(test_restore_drops_records_of_gone_and_settled_devices)
{
	struct uvf_pci_state *st;
	struct uvf_pci_plan *plan;
	char dir[PATH_MAX];
	FILE *f;

	fake_fmt(dir, sizeof(dir), "%s/run", fs.top);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	f = fopen(fs.state, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"version\": 1, \"devices\": [\n"
	      " {\"bdf\": \"0000:00:0a.0\", \"old_driver\": \"e1000e\", "
	      "\"old_driver_override\": null},\n"
	      " {\"bdf\": \"0000:00:04.0\", \"old_driver\": \"virtio-pci\", "
	      "\"old_driver_override\": null},\n"
	      " {\"bdf\": \"0000:01:00.0\", \"old_driver\": \"igb\", "
	      "\"old_driver_override\": null}]}\n", f);
	fclose(f);
	st = open_state();
	ck_assert_int_eq(uvf_pci_plan_restore(ctx, st, &plan), 0);
	ck_assert_uint_eq(uvf_pci_plan_count(plan), 3);
	ck_assert_int_eq(uvf_pci_plan_step(plan, 0)->action,
			 UVF_PCI_ACT_NONE);	/* 00:04.0 */
	ck_assert_int_eq(uvf_pci_plan_step(plan, 1)->action,
			 UVF_PCI_ACT_LEAVE);	/* 00:0a.0, gone */
	ck_assert_str_eq(uvf_pci_plan_step(plan, 1)->note, "gone");
	ck_assert_int_eq(uvf_pci_plan_step(plan, 2)->action,
			 UVF_PCI_ACT_LEAVE);	/* 01:00.0, on e1000e */
	ck_assert_int_eq(uvf_pci_plan_apply(ctx, plan, st), 0);
	uvf_pci_plan_free(plan);
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	ck_assert(!fake_exists(fs.state));
	ck_assert_int_eq(hook.writes, 0);
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_unwritable_state_file_fails_bind_before_any_change)
{
	struct uvf_pci_state *st = open_state();
	char path[PATH_MAX];
	FILE *f;

	/* A regular file where the state's directory should be. */
	fake_fmt(path, sizeof(path), "%s/run", fs.top);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(bind1("0000:00:04.0", 0, st), -ENOTDIR);
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx),
				     "cannot write state file"));
	ck_assert_int_eq(hook.writes, 0);
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	ck_assert_str_eq(fake_driver_of(&fs, "0000:00:04.0"), "virtio-pci");
	uvf_pci_state_free(st);
}
END_TEST

START_TEST(test_emulator_refuses_the_real_sysfs)
{
	struct uvf_pci_ctx *real;

	/* Only checks the roots; it must return before touching anything. */
	ck_assert_int_eq(uvf_pci_ctx_new(NULL, &real), 0);
	ck_assert_int_eq(pci_emulate_kernel(real, "bus/pci/drivers_probe",
					    "0000:00:00.0", NULL), -EPERM);
	uvf_pci_ctx_free(real);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pci_bind");
	TCase *tc = tcase_create("bind");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bind_moves_device_to_vfio_and_records_old_driver);
	tcase_add_test(tc, test_unbind_returns_recorded_driver_and_drops_record);
	tcase_add_test(tc, test_restore_returns_old_driver_and_old_override);
	tcase_add_test(tc, test_unbind_without_record_lets_the_kernel_pick);
	tcase_add_test(tc, test_bind_takes_whole_group_and_leaves_bridge);
	tcase_add_test(tc, test_group_member_on_pci_stub_is_left_alone);
	tcase_add_test(tc, test_requested_bridge_is_refused);
	tcase_add_test(tc, test_mounted_disk_is_refused_and_nothing_changes);
	tcase_add_test(tc, test_interface_that_is_up_is_refused);
	tcase_add_test(tc, test_force_takes_devices_in_use);
	tcase_add_test(tc, test_in_use_group_member_refuses_the_whole_group);
	tcase_add_test(tc, test_refused_probe_rolls_back_to_old_driver);
	tcase_add_test(tc, test_noiommu_mode_lets_vfio_take_a_device_without_group);
	tcase_add_test(tc, test_failure_in_a_group_rolls_back_members_bound_before);
	tcase_add_test(tc, test_device_that_cannot_be_put_back_keeps_its_record);
	tcase_add_test(tc, test_failed_write_rolls_back);
	tcase_add_test(tc, test_refused_first_write_is_no_rollback_failure);
	tcase_add_test(tc, test_missing_vfio_driver_is_enoent);
	tcase_add_test(tc, test_binding_a_bound_device_writes_nothing);
	tcase_add_test(tc, test_plans_alone_change_nothing);
	tcase_add_test(tc, test_bad_or_missing_addresses_fail_the_plan);
	tcase_add_test(tc, test_unbind_of_device_not_on_vfio_does_nothing);
	tcase_add_test(tc, test_restore_drops_records_of_gone_and_settled_devices);
	tcase_add_test(tc, test_unwritable_state_file_fails_bind_before_any_change);
	tcase_add_test(tc, test_emulator_refuses_the_real_sysfs);
	suite_add_tcase(s, tc);
	return s;
}
