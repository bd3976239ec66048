/* SPDX-License-Identifier: MIT */
/* The DMA heap with a VFIO type1 domain on the fake kernel beside two
 * software-IOMMU domains: a MAP the kernel refuses rolls the growth back in
 * every domain, a refused late attach leaves nothing mapped, ENOMEM from
 * the kernel (RLIMIT_MEMLOCK) is diagnosed, and IOVA == VA is refused where
 * the container's IOVA ranges stop at 39 bits. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <uvf/uvf.h>

#include "check_main.h"
#include "fake_vfio.h"
#include "simfix.h"

#define EDU "0000:00:07.0"
#define MB2 (2ul << 20)

static struct fake_vfio fk;
static struct uvf_iommu *iommu;
static struct uvf_device *dev;
static struct uvf_domain *dom;
static struct simfix fa, fb;
static struct uvf_dmaheap *heap;
static char logged[2048];

static void log_sink(void *arg, const char *line)
{
	(void)arg;
	snprintf(logged, sizeof(logged), "%s", line);
}

static void setup(void)
{
	struct uvf_dmaheap_opts ho;
	struct uvf_vfio_opts o;

	fk_init(&fk);
	fk_add_dev(&fk, EDU, 4);
	fk_publish(&fk);
	o = fk_opts(&fk, UVF_VFIO_TYPE1);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
	simfix_setup(&fa, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	simfix_setup(&fb, UVF_PGTABLE_AMD_V1, UVF_DOMAIN_TRANSLATED, NULL);
	logged[0] = '\0';
	uvf_set_log_fn(log_sink, NULL);
	uvf_dmaheap_opts_default(&ho);
	ho.best = UVF_DMAHEAP_THP;	/* the hugetlbfs pool is the DPDK tests' */
	ck_assert_int_eq(uvf_dmaheap_create(&ho, &heap), 0);
}

static void teardown(void)
{
	uvf_set_log_fn(NULL, NULL);
	uvf_dmaheap_detach(heap, fa.dom);
	uvf_dmaheap_detach(heap, fb.dom);
	uvf_dmaheap_detach(heap, dom);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
	simfix_teardown(&fa);
	simfix_teardown(&fb);
	uvf_domain_detach(dom, dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk.nr_entries, 0);
	fk_fini(&fk);
}

static uint64_t mapped_bytes(struct uvf_domain *d)
{
	struct uvf_domain_stats st;

	uvf_domain_get_stats(d, &st);
	return st.mapped_bytes;
}

START_TEST(test_a_refused_map_rolls_the_growth_back_in_every_domain)
{
	struct uvf_dmaheap_info info;
	uvf_iova_t iova;
	void *p;

	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fb.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, dom), 0);
	fk.fail_req = VFIO_IOMMU_MAP_DMA;
	fk.fail_err = -EIO;
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), -EIO);
	ck_assert_uint_eq(mapped_bytes(fa.dom), 0);
	ck_assert_uint_eq(mapped_bytes(fb.dom), 0);
	ck_assert_uint_eq(mapped_bytes(dom), 0);
	ck_assert_uint_eq(fk.nr_entries, 0);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_uint_eq(info.bytes, 0);
	ck_assert_uint_eq(info.grow_failures, 1);
	ck_assert_int_eq(uvf_dma_vtoiova(fa.dev, info.base, &iova), -ENOENT);

	/* The kernel takes the next one: mapped everywhere. */
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), 0);
	ck_assert_ptr_eq(p, info.base);
	ck_assert_uint_eq(mapped_bytes(fa.dom), MB2);
	ck_assert_uint_eq(mapped_bytes(fb.dom), MB2);
	ck_assert_uint_eq(mapped_bytes(dom), MB2);
	ck_assert_uint_eq(fk.nr_entries, 1);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, dom, p, 4096, &iova), 0);
	ck_assert_uint_eq(fk.entry[0].iova, iova);
	ck_assert_uint_eq(fk.entry[0].vaddr, (uintptr_t)p);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
}
END_TEST

START_TEST(test_a_refused_late_attach_leaves_nothing_mapped)
{
	uvf_iova_t iova;
	void *p, *q;

	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &p), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &q), 0);
	/* The kernel refuses the first chunk. */
	fk.fail_req = VFIO_IOMMU_MAP_DMA;
	fk.fail_err = -EIO;
	ck_assert_int_eq(uvf_dmaheap_attach(heap, dom), -EIO);
	ck_assert_uint_eq(fk.nr_entries, 0);
	ck_assert_uint_eq(mapped_bytes(dom), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, dom), -ENOENT);
	/* The second chunk collides with memory registered in fb: the
	 * first comes out again. */
	ck_assert_int_eq(uvf_dma_register(fb.dev, q, 4096, NULL), 0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fb.dom), -EEXIST);
	ck_assert_uint_eq(mapped_bytes(fb.dom), 4096);
	ck_assert_int_eq(uvf_dma_vtoiova(fb.dev, p, &iova), -ENOENT);
	ck_assert_int_eq(uvf_dma_unregister(fb.dev, q, 4096), 0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fb.dom), 0);
	ck_assert_uint_eq(mapped_bytes(fb.dom), 2 * MB2);
	ck_assert_uint_eq(mapped_bytes(fa.dom), 2 * MB2);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
	ck_assert_int_eq(uvf_dmaheap_free(heap, q), 0);
}
END_TEST

START_TEST(test_kernel_enomem_on_map_is_diagnosed_as_rlimit_memlock)
{
	char diag[1024];
	void *p;

	ck_assert_int_eq(uvf_dmaheap_attach(heap, dom), 0);
	fk.fail_req = VFIO_IOMMU_MAP_DMA;
	fk.fail_err = -ENOMEM;
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), -ENOMEM);
	ck_assert_int_gt(uvf_dmaheap_diagnosis(heap, diag, sizeof(diag)), 0);
	ck_assert_ptr_nonnull(strstr(diag, "RLIMIT_MEMLOCK is "));
	/* One pin by the container and one mlock of 2 MiB. */
	ck_assert_ptr_nonnull(strstr(diag, "needs at least 4194304 bytes"));
	ck_assert_ptr_nonnull(strstr(diag, "ulimit -l 4096"));
	ck_assert_ptr_nonnull(strstr(diag, "/etc/security/limits.conf"));
	ck_assert_str_eq(diag, logged);
	ck_assert_uint_eq(fk.nr_entries, 0);
}
END_TEST

START_TEST(test_iova_equals_va_is_refused_by_a_39_bit_container)
{
	struct uvf_dmaheap *vaheap;
	struct uvf_dmaheap_opts o;
	struct uvf_dmaheap_info info;
	uint64_t last;

	uvf_dmaheap_opts_default(&o);
	o.flags = UVF_DMAHEAP_IOVA_VA;
	o.best = UVF_DMAHEAP_THP;
	ck_assert_int_eq(uvf_dmaheap_create(&o, &vaheap), 0);
	ck_assert_int_eq(uvf_dmaheap_get_info(vaheap, &info), 0);
	last = (uintptr_t)info.base + info.max_bytes - 1;
	/* The fake's ranges: [0, 0xfedfffff] (less page zero) and
	 * [0xfef00000, 2^39 - 1]. */
	if (last <= 0xfedfffffull ||
	    (last < (1ull << 39) && (uintptr_t)info.base >= 0xfef00000ull)) {
		/* Valgrind places mappings low: then the window fits. */
		ck_assert_int_eq(uvf_dmaheap_attach(vaheap, dom), 0);
		ck_assert_int_eq(uvf_dmaheap_detach(vaheap, dom), 0);
	} else {
		ck_assert_int_eq(uvf_dmaheap_attach(vaheap, dom), -ERANGE);
		ck_assert_ptr_nonnull(strstr(logged, "highest 0x7fffffffff"));
	}
	ck_assert_int_eq(uvf_dmaheap_attach(vaheap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(vaheap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(vaheap), 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("dmaheap_vfio");
	TCase *tc = tcase_create("vfio");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_a_refused_map_rolls_the_growth_back_in_every_domain);
	tcase_add_test(tc, test_a_refused_late_attach_leaves_nothing_mapped);
	tcase_add_test(tc, test_kernel_enomem_on_map_is_diagnosed_as_rlimit_memlock);
	tcase_add_test(tc, test_iova_equals_va_is_refused_by_a_39_bit_container);
	suite_add_tcase(s, tc);
	return s;
}
