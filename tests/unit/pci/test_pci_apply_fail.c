// SPDX-License-Identifier: MIT
/*
 * A bind whose write-ahead record cannot be prepared: linked with
 * -Wl,--wrap=pci_state_copy, so the test can make the copy of the state
 * fail as an out-of-memory would, which no fake sysfs can provoke.
 */
#include <errno.h>
#include <string.h>

#include <uvf/pci_bind.h>

#include "../common/check_main.h"
#include "fake_sysfs.h"
#include "pci/pci_priv.h"
#include "pci/write_hook.h"
#include "pci_emulate.h"

#define DEV "0000:00:04.0"

int __real_pci_state_copy(const struct uvf_pci_state *src,
			  struct uvf_pci_state **dstp);
int __wrap_pci_state_copy(const struct uvf_pci_state *src,
			  struct uvf_pci_state **dstp);

/* Errno for the next copy; 0 lets it through. Like the real one, a failed
 * copy leaves *dstp alone. */
static int fail_next_copy;

int __wrap_pci_state_copy(const struct uvf_pci_state *src,
			  struct uvf_pci_state **dstp)
{
	int err = fail_next_copy;

	if (err) {
		fail_next_copy = 0;
		return err;
	}
	return __real_pci_state_copy(src, dstp);
}

static struct fake_sysfs fs;
static struct uvf_pci_ctx *ctx;

static void setup(void)
{
	fake_sysfs_create(&fs);
	fake_standard(&fs);
	ctx = fake_ctx(&fs);
	pci_ctx_set_write_hook(ctx, pci_emulate_kernel, NULL);
}

static void teardown(void)
{
	uvf_pci_ctx_free(ctx);
	fake_sysfs_destroy(&fs);
}

static int bind_dev(struct uvf_pci_state *st)
{
	const char *bdfs[] = { DEV };
	struct uvf_pci_plan *plan;
	int err = uvf_pci_plan_bind(ctx, bdfs, 1, 0, &plan);

	ck_assert_int_eq(err, 0);
	err = uvf_pci_plan_apply(ctx, plan, st);
	uvf_pci_plan_free(plan);
	return err;
}

START_TEST(test_bind_without_memory_for_the_record_is_enomem_and_changes_nothing)
{
	struct uvf_pci_state *st;

	ck_assert_int_eq(uvf_pci_state_open(fs.state, &st), 0);
	fail_next_copy = -ENOMEM;
	ck_assert_int_eq(bind_dev(st), -ENOMEM);
	ck_assert_int_eq(fail_next_copy, 0);
	/* Out of memory, said as such: the state file is not to blame. */
	ck_assert_ptr_nonnull(strstr(uvf_pci_ctx_error(ctx), "memory"));
	ck_assert_ptr_null(strstr(uvf_pci_ctx_error(ctx), "state file"));
	/* Nothing moved, nothing recorded, nothing written. */
	ck_assert_str_eq(fake_driver_of(&fs, DEV), "virtio-pci");
	ck_assert_uint_eq(uvf_pci_state_count(st), 0);
	ck_assert(!fake_exists(fs.state));

	/* With memory, the same bind goes through. */
	ck_assert_int_eq(bind_dev(st), 0);
	ck_assert_str_eq(fake_driver_of(&fs, DEV), "vfio-pci");
	ck_assert_uint_eq(uvf_pci_state_count(st), 1);
	uvf_pci_state_free(st);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pci_apply_fail");
	TCase *tc = tcase_create("record");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bind_without_memory_for_the_record_is_enomem_and_changes_nothing);
	suite_add_tcase(s, tc);
	return s;
}
