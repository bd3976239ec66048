/* SPDX-License-Identifier: MIT */
/* DMAR RMRR parsing: device scopes, path resolution, malformed tables. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/acpi.h>

#include "../common/check_main.h"
#include "acpi_test.h"
#include "sample_tables.h"

static const uint8_t usb_path[] = { 0x14, 0 };

static const struct want_region want_usb = {
	UVF_DIRECT_DMAR_RMRR, 0, 0x00a0, 0x00a0, 0x7a000000, 0x7a0fffff,
	UVF_PROT_RW, false, 0,
};
static const struct want_region want_ehci = {
	UVF_DIRECT_DMAR_RMRR, 0, 0x00d0, 0x00d0, 0x7a000000, 0x7a0fffff,
	UVF_PROT_RW, false, 0,
};
static const struct want_region want_behind_bridge = {
	UVF_DIRECT_DMAR_RMRR, 0, 0x0300, 0x0300, 0x7a000000, 0x7a0fffff,
	UVF_PROT_RW, false, 0,
};
static const struct want_region want_bridge = {
	UVF_DIRECT_DMAR_RMRR, 1, 0x4010, 0x4010, 0x7b800000, 0x7b800fff,
	UVF_PROT_RW, false, 0,
};

/* Pretends 00:1c.0 is a bridge to bus 3; records what it was asked. */
struct fake_topology {
	int calls;
	uint16_t segment;
	uint8_t start_bus;
	uint8_t path[8];
	size_t hops;
	int fail;
};

static int fake_resolve(void *arg, uint16_t segment, uint8_t start_bus,
			const uint8_t *path, size_t hops, uint16_t *rid)
{
	struct fake_topology *f = arg;

	f->calls++;
	f->segment = segment;
	f->start_bus = start_bus;
	f->hops = hops;
	memcpy(f->path, path, hops * 2 < sizeof(f->path) ?
	       hops * 2 : sizeof(f->path));
	if (f->fail)
		return f->fail;
	if (start_bus != 0 || hops != 2 || path[0] != 0x1c || path[1] != 0)
		return -ENODEV;
	*rid = (uint16_t)(3 << 8 | path[2] << 3 | path[3]);
	return 0;
}

START_TEST(test_rmrr_single_hop_scopes_become_rids)
{
	struct uvf_direct_regions out = { 0 };
	struct tb b;

	sample_dmar(&b);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 3);
	ck_region(&out.v[0], &want_usb);
	ck_region(&out.v[1], &want_ehci);
	ck_region(&out.v[2], &want_bridge);
	/* the two-hop path, the devices below 40:02.0, the IOAPIC */
	ck_assert_uint_eq(out.nr_unresolved, 3);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_multi_hop_path_goes_through_resolver)
{
	struct uvf_direct_regions out = { 0 };
	struct fake_topology topo = { 0 };
	struct tb b;

	sample_dmar(&b);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, fake_resolve, &topo,
					&out), 0);
	ck_assert_int_eq(topo.calls, 1);
	ck_assert_uint_eq(topo.segment, 0);
	ck_assert_uint_eq(topo.start_bus, 0);
	ck_assert_uint_eq(topo.hops, 2);
	ck_assert_int_eq(memcmp(topo.path, sample_behind_bridge_path, 4), 0);
	ck_assert_uint_eq(out.nr, 4);
	ck_region(&out.v[0], &want_usb);
	ck_region(&out.v[1], &want_ehci);
	ck_region(&out.v[2], &want_behind_bridge);
	ck_region(&out.v[3], &want_bridge);
	ck_assert_uint_eq(out.nr_unresolved, 2);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_resolver_failure_counts_unresolved)
{
	struct uvf_direct_regions out = { 0 };
	struct fake_topology topo = { .fail = -ENODEV };
	struct tb b;

	sample_dmar(&b);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, fake_resolve, &topo,
					&out), 0);
	ck_assert_int_eq(topo.calls, 1);
	ck_assert_uint_eq(out.nr, 3);
	ck_assert_uint_eq(out.nr_unresolved, 3);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_resolver_enomem_fails_parse_output_unchanged)
{
	struct uvf_direct_regions out;
	struct regions_snapshot snap;
	struct fake_topology topo = { .fail = -ENOMEM };
	struct tb b;

	sample_dmar(&b);
	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, fake_resolve, &topo,
					&out), -ENOMEM);
	snapshot_check_unchanged(&snap, &out);
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_parse_appends_to_existing_regions)
{
	struct uvf_direct_regions out;
	struct tb b;

	sample_dmar(&b);
	regions_with_sentinel(&out);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 4);
	ck_assert_uint_eq(out.v[0].segment, 7);
	ck_region(&out.v[1], &want_usb);
	ck_region(&out.v[3], &want_bridge);
	ck_assert_uint_eq(out.nr_unresolved, 3 + 3);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_every_prefix_fails_cleanly)
{
	struct tb b;

	sample_dmar(&b);
	ck_every_prefix(&b, 48);
	tb_free(&b);
}
END_TEST

/* Builds a DMAR with one RMRR [base, end] for 00:14.0. */
static int parse_one_rmrr(uint64_t base, uint64_t end,
			  struct uvf_direct_regions *out)
{
	struct tb b;
	size_t s;
	int ret;

	dmar_begin(&b);
	s = dmar_rmrr_begin(&b, 0, base, end);
	dmar_scope(&b, 1, 0, usb_path, 1);
	dmar_end_struct(&b, s);
	tb_finish(&b);
	ret = uvf_acpi_parse(b.p, b.len, NULL, NULL, out);
	tb_free(&b);
	return ret;
}

/* A bad RMRR is skipped and counted; the table still parses. */
static void ck_rmrr_skipped(uint64_t base, uint64_t end)
{
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_one_rmrr(base, end, &out), 0);
	ck_assert_uint_eq(out.nr, 0);
	ck_assert_ptr_null(out.v);
	ck_assert_uint_eq(out.nr_skipped, 1);
}

START_TEST(test_rmrr_misaligned_base_is_skipped)
{
	ck_rmrr_skipped(0x7a000800, 0x7a0fffff);
}
END_TEST

START_TEST(test_rmrr_end_not_page_last_byte_is_skipped)
{
	ck_rmrr_skipped(0x7a000000, 0x7a0ff000);
	ck_rmrr_skipped(0x7a000000, 0x7a100000);
}
END_TEST

START_TEST(test_rmrr_end_below_base_is_skipped)
{
	ck_rmrr_skipped(0x7b000000, 0x7a000fff);
}
END_TEST

/* Firmware wrong in one place: the RMRRs around a misaligned one and an
 * inverted one are all kept, as Linux keeps them. */
START_TEST(test_bad_rmrrs_are_skipped_and_the_rest_kept)
{
	static const uint64_t rmrr[4][2] = {
		{ 0x7a000000, 0x7a0fffff },	/* good */
		{ 0x7b000800, 0x7b0fffff },	/* misaligned */
		{ 0x7d000000, 0x7c000fff },	/* inverted */
		{ 0x7e000000, 0x7e000fff },	/* good */
	};
	struct uvf_direct_regions out = { 0 };
	struct tb b;
	size_t i, s;

	dmar_begin(&b);
	dmar_drhd_include_all(&b, 0);
	for (i = 0; i < 4; i++) {
		s = dmar_rmrr_begin(&b, 0, rmrr[i][0], rmrr[i][1]);
		dmar_scope(&b, 1, 0, usb_path, 1);
		dmar_end_struct(&b, s);
	}
	tb_finish(&b);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 2);
	ck_assert_uint_eq(out.nr_skipped, 2);
	ck_assert_uint_eq(out.v[0].first, 0x7a000000);
	ck_assert_uint_eq(out.v[0].last, 0x7a0fffff);
	ck_assert_uint_eq(out.v[1].first, 0x7e000000);
	ck_assert_uint_eq(out.v[1].last, 0x7e000fff);
	ck_assert_uint_eq(out.v[1].rid_first, out.v[0].rid_first);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
}
END_TEST

START_TEST(test_rmrr_reaching_top_of_address_space)
{
	struct uvf_direct_regions out = { 0 };

	ck_assert_int_eq(parse_one_rmrr(0xfffffffffffff000ull, UINT64_MAX,
					&out), 0);
	ck_assert_uint_eq(out.nr, 1);
	ck_assert_uint_eq(out.v[0].first, 0xfffffffffffff000ull);
	ck_assert_uint_eq(out.v[0].last, UINT64_MAX);
	uvf_direct_regions_fini(&out);
}
END_TEST

/* A DMAR whose only RMRR carries one hand-written device scope. */
static int parse_raw_scope(const uint8_t *scope, size_t len)
{
	struct uvf_direct_regions out;
	struct regions_snapshot snap;
	struct tb b;
	size_t s, i;
	int ret;

	dmar_begin(&b);
	s = dmar_rmrr_begin(&b, 0, 0x7a000000, 0x7a000fff);
	for (i = 0; i < len; i++)
		tb_u8(&b, scope[i]);
	dmar_end_struct(&b, s);
	tb_finish(&b);
	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	ret = uvf_acpi_parse(b.p, b.len, NULL, NULL, &out);
	if (ret)
		snapshot_check_unchanged(&snap, &out);
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
	return ret;
}

START_TEST(test_zero_length_device_scope_is_einval)
{
	static const uint8_t scope[] = { 1, 0, 0, 0, 0, 0, 0x14, 0 };

	ck_assert_int_eq(parse_raw_scope(scope, sizeof(scope)), -EINVAL);
}
END_TEST

START_TEST(test_device_scope_odd_length_is_einval)
{
	static const uint8_t scope[] = { 1, 7, 0, 0, 0, 0, 0x14, 0, 0 };

	ck_assert_int_eq(parse_raw_scope(scope, sizeof(scope)), -EINVAL);
}
END_TEST

START_TEST(test_device_scope_without_path_is_einval)
{
	static const uint8_t scope[] = { 1, 6, 0, 0, 0, 0 };

	ck_assert_int_eq(parse_raw_scope(scope, sizeof(scope)), -EINVAL);
}
END_TEST

START_TEST(test_device_scope_past_rmrr_is_einval)
{
	static const uint8_t scope[] = { 1, 10, 0, 0, 0, 0, 0x14, 0 };

	ck_assert_int_eq(parse_raw_scope(scope, sizeof(scope)), -EINVAL);
}
END_TEST

START_TEST(test_device_scope_truncated_header_is_einval)
{
	static const uint8_t scope[] = { 1 };

	ck_assert_int_eq(parse_raw_scope(scope, sizeof(scope)), -EINVAL);
}
END_TEST

START_TEST(test_device_scope_bad_device_or_function_is_einval)
{
	static const uint8_t dev32[] = { 1, 8, 0, 0, 0, 0, 32, 0 };
	static const uint8_t fn8[] = { 1, 8, 0, 0, 0, 0, 0x14, 8 };
	static const uint8_t hop2_fn8[] = { 1, 10, 0, 0, 0, 0, 1, 0, 0, 8 };
	static const uint8_t ok[] = { 1, 8, 0, 0, 0, 0, 31, 7 };

	ck_assert_int_eq(parse_raw_scope(dev32, sizeof(dev32)), -EINVAL);
	ck_assert_int_eq(parse_raw_scope(fn8, sizeof(fn8)), -EINVAL);
	ck_assert_int_eq(parse_raw_scope(hop2_fn8, sizeof(hop2_fn8)), -EINVAL);
	ck_assert_int_eq(parse_raw_scope(ok, sizeof(ok)), 0);
}
END_TEST

START_TEST(test_namespace_scope_counts_unresolved)
{
	struct uvf_direct_regions out = { 0 };
	struct tb b;
	size_t s;

	dmar_begin(&b);
	s = dmar_rmrr_begin(&b, 0, 0x7a000000, 0x7a000fff);
	dmar_scope(&b, 5, 0, usb_path, 1);
	dmar_scope(&b, 4, 0, usb_path, 1);
	dmar_end_struct(&b, s);
	tb_finish(&b);
	ck_assert_int_eq(uvf_acpi_parse(b.p, b.len, NULL, NULL, &out), 0);
	ck_assert_uint_eq(out.nr, 0);
	ck_assert_uint_eq(out.nr_unresolved, 2);
	tb_free(&b);
}
END_TEST

/* A DMAR ending in a remapping structure header with this length. */
static int parse_with_trailing_struct(uint16_t type, uint16_t len,
				      size_t body)
{
	struct uvf_direct_regions out = { 0 };
	struct tb b;
	int ret;

	dmar_begin(&b);
	dmar_drhd_include_all(&b, 0);
	tb_u16(&b, type);
	tb_u16(&b, len);
	tb_zero(&b, body);
	tb_finish(&b);
	ret = uvf_acpi_parse(b.p, b.len, NULL, NULL, &out);
	uvf_direct_regions_fini(&out);
	tb_free(&b);
	return ret;
}

START_TEST(test_zero_length_remapping_structure_is_einval)
{
	ck_assert_int_eq(parse_with_trailing_struct(1, 0, 20), -EINVAL);
	ck_assert_int_eq(parse_with_trailing_struct(0, 0, 12), -EINVAL);
	ck_assert_int_eq(parse_with_trailing_struct(7, 3, 0), -EINVAL);
}
END_TEST

START_TEST(test_rmrr_shorter_than_fixed_part_is_einval)
{
	ck_assert_int_eq(parse_with_trailing_struct(1, 16, 12), -EINVAL);
}
END_TEST

START_TEST(test_unknown_remapping_structure_is_skipped)
{
	ck_assert_int_eq(parse_with_trailing_struct(0x7f, 12, 8), 0);
}
END_TEST

START_TEST(test_remapping_structure_past_table_is_einval)
{
	ck_assert_int_eq(parse_with_trailing_struct(2, 64, 4), -EINVAL);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("acpi_dmar");
	TCase *tc = tcase_create("dmar");

	tcase_add_test(tc, test_rmrr_single_hop_scopes_become_rids);
	tcase_add_test(tc, test_multi_hop_path_goes_through_resolver);
	tcase_add_test(tc, test_resolver_failure_counts_unresolved);
	tcase_add_test(tc, test_resolver_enomem_fails_parse_output_unchanged);
	tcase_add_test(tc, test_parse_appends_to_existing_regions);
	tcase_add_test(tc, test_every_prefix_fails_cleanly);
	tcase_add_test(tc, test_rmrr_misaligned_base_is_skipped);
	tcase_add_test(tc, test_bad_rmrrs_are_skipped_and_the_rest_kept);
	tcase_add_test(tc, test_rmrr_end_not_page_last_byte_is_skipped);
	tcase_add_test(tc, test_rmrr_end_below_base_is_skipped);
	tcase_add_test(tc, test_rmrr_reaching_top_of_address_space);
	tcase_add_test(tc, test_zero_length_device_scope_is_einval);
	tcase_add_test(tc, test_device_scope_odd_length_is_einval);
	tcase_add_test(tc, test_device_scope_without_path_is_einval);
	tcase_add_test(tc, test_device_scope_past_rmrr_is_einval);
	tcase_add_test(tc, test_device_scope_truncated_header_is_einval);
	tcase_add_test(tc, test_device_scope_bad_device_or_function_is_einval);
	tcase_add_test(tc, test_namespace_scope_counts_unresolved);
	tcase_add_test(tc, test_zero_length_remapping_structure_is_einval);
	tcase_add_test(tc, test_rmrr_shorter_than_fixed_part_is_einval);
	tcase_add_test(tc, test_unknown_remapping_structure_is_skipped);
	tcase_add_test(tc, test_remapping_structure_past_table_is_einval);
	suite_add_tcase(s, tc);
	return s;
}
