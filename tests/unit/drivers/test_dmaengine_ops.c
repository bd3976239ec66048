/* SPDX-License-Identifier: MIT */
/*
 * One test body over every DMA-capable device reachable in-process,
 * through the uniform DMA-engine interface (uvf/driver.h): today the
 * simulated engine behind each page-table format of the software IOMMU.
 * The same body runs over QEMU's edu device in the vm suite.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "simdma.h"
#include "simfix.h"

struct engine {
	struct simfix f;
	const struct uvf_driver *drv;
	const struct uvf_dmaengine_ops *ops;
	void *drvdata;
};

static void engine_open(struct engine *e, int i)
{
	simfix_setup(&e->f, (enum uvf_pgtable_format)i, UVF_DOMAIN_TRANSLATED,
		     NULL);
	e->drv = &uvf_simdma_driver;
	e->ops = &uvf_simdma_ops;
	ck_assert_int_eq(uvf_driver_probe(e->drv, e->f.dev, &e->drvdata), 0);
}

static void engine_close(struct engine *e)
{
	e->drv->remove(e->f.dev, e->drvdata);
	simfix_drain_faults(&e->f, NULL);
	simfix_teardown(&e->f);
}

START_TEST(test_memcpy_copies_through_the_iommu)
{
	struct engine e;
	char *src = simfix_pages(2), *dst = simfix_pages(2);
	uvf_iova_t s, d;
	int i;

	engine_open(&e, _i);
	for (i = 0; i < 8192; i++)
		src[i] = (char)(i * 13);
	ck_assert_int_eq(uvf_dma_map_page(e.f.dev, src, 8192, UVF_DMA_TO_DEVICE,
					  &s), 0);
	ck_assert_int_eq(uvf_dma_map_page(e.f.dev, dst, 8192,
					  UVF_DMA_FROM_DEVICE, &d), 0);
	ck_assert(d <= e.ops->dma_mask);
	ck_assert_int_eq(e.ops->memcpy_start(e.drvdata, s, d, 8192), 0);
	ck_assert_int_eq(e.ops->memcpy_wait(e.drvdata, 1000), 0);
	ck_assert_mem_eq(src, dst, 8192);
	engine_close(&e);
	free(src);
	free(dst);
}
END_TEST

START_TEST(test_memcpy_to_unmapped_iova_is_blocked)
{
	struct engine e;
	char *src = simfix_pages(1), *dst = simfix_pages(1);
	uvf_iova_t s, d;

	engine_open(&e, _i);
	memset(src, 1, 4096);
	ck_assert_int_eq(uvf_dma_map_page(e.f.dev, src, 4096, UVF_DMA_TO_DEVICE,
					  &s), 0);
	ck_assert_int_eq(uvf_dma_map_page(e.f.dev, dst, 4096,
					  UVF_DMA_FROM_DEVICE, &d), 0);
	ck_assert_int_eq(uvf_dma_unmap_page(e.f.dev, d, 4096,
					    UVF_DMA_FROM_DEVICE), 0);
	ck_assert_int_eq(e.ops->memcpy_start(e.drvdata, s, d, 4096), 0);
	ck_assert_int_eq(e.ops->memcpy_wait(e.drvdata, 1000), -EIO);
	ck_assert_int_eq(dst[0], 0);
	ck_assert_int_eq(dst[4095], 0);
	engine_close(&e);
	free(src);
	free(dst);
}
END_TEST

START_TEST(test_send_msi_arrives_on_the_eventfd)
{
	struct engine e;

	engine_open(&e, _i);
	ck_assert_int_eq(e.ops->send_msi(e.drvdata), 0);
	ck_assert_int_ge(uvf_device_irq_wait(e.f.dev, 0, 1000), 1);
	engine_close(&e);
}
END_TEST

START_TEST(test_driver_refuses_other_devices)
{
	static const struct uvf_pci_id none[] = { { 0x8086, 0x10d3 }, { 0, 0 } };
	struct uvf_driver other = uvf_simdma_driver;
	struct simfix f;
	void *data;

	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	other.ids = none;
	ck_assert_int_eq(uvf_driver_match(&other, f.dev), 0);
	ck_assert_int_eq(uvf_driver_probe(&other, f.dev, &data), -ENODEV);
	ck_assert_int_eq(uvf_driver_match(&uvf_simdma_driver, f.dev), 1);
	simfix_teardown(&f);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("dmaengine-ops");
	TCase *tc = tcase_create("every engine");

	tcase_add_loop_test(tc, test_memcpy_copies_through_the_iommu, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_memcpy_to_unmapped_iova_is_blocked, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_send_msi_arrives_on_the_eventfd, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_test(tc, test_driver_refuses_other_devices);
	suite_add_tcase(s, tc);
	return s;
}
