/* SPDX-License-Identifier: MIT */
/*
 * uvf on EAL memory with EAL in IOVA-as-PA mode (root: EAL reads physical
 * addresses from /proc/self/pagemap): segments are mapped at their
 * physical addresses, so mbufs' buf_iova stay valid for uvf devices; a
 * direct domain whose arithmetic is not EAL's (the software model answers
 * CPU addresses) is refused with nothing changed.
 */
#include <errno.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>

#include "dpdkfix.h"
#include "simfix.h"

#define BIG (24u << 20)

static struct simfix f;

static void check_page(void *arg, const void *va, rte_iova_t iova, size_t len)
{
	uvf_iova_t got;
	uint64_t pa;

	(void)arg;
	(void)len;
	ck_assert_uint_ne(iova, (uintptr_t)va);	/* really physical */
	ck_assert_uint_eq(iova, rte_mem_virt2phy(va));
	ck_assert_int_eq(uvf_sim_translate(f.dev, iova + 4096,
					   UVF_ACCESS_WRITE, &pa), 0);
	ck_assert_uint_eq(pa, (uintptr_t)va + 4096);
	ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, (const char *)va + 7, &got),
			 0);
	ck_assert_uint_eq(got, iova + 7);
}

START_TEST(test_pa_mode_maps_segments_at_physical_addresses)
{
	struct uvf_dpdk_stats st;
	uvf_iova_t iova;
	char *big, data[32];
	size_t off;

	dpdkfix_eal_up("pa");
	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	ck_assert_uint_gt(dpdkfix_for_each_page(check_page, NULL), 0);

	/* Hotplug in PA mode: mapped at the new pages' physical addresses. */
	big = rte_malloc("uvf-test-big", BIG, 0);
	ck_assert_ptr_nonnull(big);
	memset(data, 0xa5, sizeof(data));
	for (off = 0; off < BIG; off += 2u << 20) {
		ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, big + off, &iova), 0);
		ck_assert_uint_eq(iova, rte_mem_virt2iova(big + off));
		ck_assert_int_eq(uvf_sim_dma_write(f.dev, iova, data,
						   sizeof(data)), 0);
		ck_assert_int_eq(memcmp(big + off, data, sizeof(data)), 0);
	}
	rte_free(big);
	ck_assert_int_eq(uvf_dpdk_get_stats(f.dom, &st), 0);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_uint_gt(st.free_events, 0);
	dpdkfix_for_each_page(check_page, NULL);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_direct_domain_with_other_arithmetic_is_exdev)
{
	struct uvf_dpdk_stats st;
	struct uvf_domain_stats ds;
	uvf_iova_t iova;
	void *buf;

	dpdkfix_eal_up("pa");
	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_DIRECT, NULL);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), -EXDEV);
	ck_assert_int_eq(uvf_dpdk_get_stats(f.dom, &st), -ENOENT);
	buf = rte_malloc("uvf-test", 4096, 0);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, buf, &iova), -ENOENT);
	rte_free(buf);
	uvf_domain_get_stats(f.dom, &ds);
	ck_assert_uint_eq(ds.maps, 0);
	simfix_teardown(&f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dpdk_pa");
	TCase *tc = tcase_create("eal-pa");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_pa_mode_maps_segments_at_physical_addresses);
	tcase_add_test(tc, test_direct_domain_with_other_arithmetic_is_exdev);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dpdkfix_main(suite, "pa");
}
