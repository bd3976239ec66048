// SPDX-License-Identifier: MIT
/*
 * uvf_nvme_vf_online() against the fake controller with QEMU-like SR-IOV:
 * two secondary controllers sharing 4 flexible queues and 2 interrupts.
 */
#include <errno.h>

#include "check_main.h"
#include "nvme_priv.h"
#include "nvmefix.h"

static struct nvmefix f;

static void open_fake(unsigned int vfs, unsigned int vq, unsigned int vi,
		      bool no_oacs)
{
	struct fake_nvme_params p;

	fake_nvme_params_default(&p);
	p.sriov_vfs = vfs;
	p.sriov_vq = vq;
	p.sriov_vi = vi;
	p.sriov_no_oacs = no_oacs;
	nvmefix_setup(&f, &p);
	nvmefix_open(&f, NULL);
}

static void open_with(unsigned int vfs)
{
	open_fake(vfs, 4, 2, false);
}

static void teardown(void)
{
	nvmefix_teardown(&f);
}

START_TEST(test_vf_gets_its_resources_and_goes_online)
{
	struct fake_nvme_secondary sc;

	open_with(2);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 1, 2, 1), 0);
	sc = fake_nvme_secondary(f.dev, 1);
	ck_assert_uint_eq(sc.nvq, 2);
	ck_assert_uint_eq(sc.nvi, 1);
	ck_assert(sc.online);
	sc = fake_nvme_secondary(f.dev, 0);
	ck_assert(!sc.online);
	ck_assert_uint_eq(sc.nvq, 0);
}
END_TEST

START_TEST(test_online_vf_is_set_offline_to_change_its_resources)
{
	struct fake_nvme_secondary sc;

	open_with(2);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0, 2, 1), 0);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0, 4, 2), 0);
	sc = fake_nvme_secondary(f.dev, 0);
	ck_assert_uint_eq(sc.nvq, 4);
	ck_assert_uint_eq(sc.nvi, 2);
	ck_assert(sc.online);
}
END_TEST

START_TEST(test_more_than_the_pool_is_refused_and_the_vf_stays_offline)
{
	open_with(2);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0, 4, 1), 0);
	/* 4 queues are all taken by VF 0. */
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 1, 2, 1), -ENOSPC);
	ck_assert(!fake_nvme_secondary(f.dev, 1).online);
	ck_assert(fake_nvme_secondary(f.dev, 0).online);
}
END_TEST

START_TEST(test_vf_without_a_secondary_controller_is_enodev)
{
	open_with(2);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 2, 2, 1), -ENODEV);
}
END_TEST

START_TEST(test_controller_without_virtualization_management_is_enotsup)
{
	open_with(0);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0, 2, 1), -ENOTSUP);
}
END_TEST

/* QEMU's nvme (7.2) sets OACS bit 7 with sriov_max_vfs; bit 10 is
 * Command and Feature Lockdown, which it does not have. */
START_TEST(test_virtualization_management_is_found_at_oacs_bit_7)
{
	open_with(1);
	ck_assert_uint_eq(uvf_nvme_ctrl_get_info(f.ctrl)->oacs &
			  (1u << 7 | 1u << 10), 1u << 7);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0, 2, 1), 0);
	ck_assert(fake_nvme_secondary(f.dev, 0).online);
}
END_TEST

/* QEMU 7.2 lists secondary controllers and takes Virtualization
 * Management while its OACS lacks bit 7. */
START_TEST(test_secondary_list_without_the_oacs_bit_is_enough)
{
	open_fake(1, 2, 1, true);
	ck_assert(!(uvf_nvme_ctrl_get_info(f.ctrl)->oacs & (1u << 7)));
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0, 2, 1), 0);
	ck_assert(fake_nvme_secondary(f.dev, 0).online);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 1, 2, 1), -ENODEV);
}
END_TEST

START_TEST(test_bad_arguments_are_einval_and_send_nothing)
{
	struct fake_nvme_stats before, after;

	open_with(2);
	fake_nvme_get_stats(f.dev, &before);
	ck_assert_int_eq(uvf_nvme_vf_online(NULL, 0, 2, 1), -EINVAL);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0, 1, 1), -EINVAL);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0, 2, 0), -EINVAL);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0, 0x10000, 1), -EINVAL);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0, 2, 0x10000), -EINVAL);
	ck_assert_int_eq(uvf_nvme_vf_online(f.ctrl, 0xffff, 2, 1), -EINVAL);
	fake_nvme_get_stats(f.dev, &after);
	ck_assert_uint_eq(after.admin, before.admin);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_sriov");
	TCase *tc = tcase_create("vf_online");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_add_test(tc, test_vf_gets_its_resources_and_goes_online);
	tcase_add_test(tc, test_online_vf_is_set_offline_to_change_its_resources);
	tcase_add_test(tc,
		test_more_than_the_pool_is_refused_and_the_vf_stays_offline);
	tcase_add_test(tc, test_vf_without_a_secondary_controller_is_enodev);
	tcase_add_test(tc,
		test_controller_without_virtualization_management_is_enotsup);
	tcase_add_test(tc, test_virtualization_management_is_found_at_oacs_bit_7);
	tcase_add_test(tc, test_secondary_list_without_the_oacs_bit_is_enough);
	tcase_add_test(tc, test_bad_arguments_are_einval_and_send_nothing);
	suite_add_tcase(s, tc);
	return s;
}
