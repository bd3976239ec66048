/* SPDX-License-Identifier: MIT */
/*
 * The DMA heap on EAL memory with EAL in IOVA-as-PA mode: a translated
 * domain maps the memzones at IOVAs the heap allocates (not the physical
 * addresses); a direct domain whose arithmetic is not EAL's (the software
 * model answers CPU addresses) refuses the growth with -EXDEV, nothing
 * mapped and the memzone given back.
 */
#include <errno.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include <uvf/dmaheap.h>

#include "dpdkfix.h"
#include "simfix.h"

static struct simfix f;

static struct uvf_dmaheap *eal_heap(void)
{
	struct uvf_dmaheap_opts o;
	struct uvf_dmaheap *heap;

	uvf_dmaheap_opts_default(&o);
	o.max_bytes = 8 * UVF_SZ_2M;
	o.flags = UVF_DMAHEAP_NO_MLOCK;
	o.provider = uvf_dpdk_heap_provider();
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), 0);
	return heap;
}

START_TEST(test_translated_domain_maps_memzones_at_heap_iovas)
{
	struct uvf_dmaheap *heap;
	uvf_iova_t iova;
	uint64_t pa;
	char *p;

	dpdkfix_eal_up("pa");
	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	heap = eal_heap();
	ck_assert_int_eq(uvf_dmaheap_attach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 8192, (void **)&p), 0);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, f.dom, p + 4096, 4096, &iova),
			 0);
	ck_assert_uint_ne(iova, rte_mem_virt2iova(p + 4096));
	ck_assert_int_eq(uvf_sim_translate(f.dev, iova, UVF_ACCESS_WRITE, &pa),
			 0);
	ck_assert_uint_eq(pa, (uintptr_t)p + 4096);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_direct_domain_with_other_arithmetic_refuses_growth)
{
	struct uvf_dmaheap_info info;
	struct uvf_domain_stats ds;
	struct uvf_dmaheap *heap;
	void *p;

	dpdkfix_eal_up("pa");
	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_DIRECT, NULL);
	heap = eal_heap();
	ck_assert_int_eq(uvf_dmaheap_attach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), -EXDEV);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_uint_eq(info.bytes, 0);
	ck_assert_uint_eq(info.grow_failures, 1);
	ck_assert_uint_eq(dpdkfix_heap_zones(), 0);
	uvf_domain_get_stats(f.dom, &ds);
	ck_assert_uint_eq(ds.maps, 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
	simfix_teardown(&f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dpdk_heap_pa");
	TCase *tc = tcase_create("eal-pa");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_translated_domain_maps_memzones_at_heap_iovas);
	tcase_add_test(tc, test_direct_domain_with_other_arithmetic_refuses_growth);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dpdkfix_main(suite, "pa");
}
