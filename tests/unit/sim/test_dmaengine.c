/* SPDX-License-Identifier: MIT */
/* The simulated DMA engine and the device side of the software IOMMU:
 * copies land, faults are logged with the right reason and touch no
 * memory, completion interrupts arrive. Loops over every format. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "simfix.h"

static struct simfix f;

static uint64_t reg(uint64_t off)
{
	uint64_t v;

	ck_assert_int_eq(uvf_device_bar_read(f.dev, 0, off, &v, 8), 0);
	return v;
}

static void set(uint64_t off, uint64_t v)
{
	ck_assert_int_eq(uvf_device_bar_write(f.dev, 0, off, v, 8), 0);
}

static uint64_t copy(uvf_iova_t src, uvf_iova_t dst, uint64_t len, bool irq)
{
	set(UVF_SIM_DMAE_REG_SRC, src);
	set(UVF_SIM_DMAE_REG_DST, dst);
	set(UVF_SIM_DMAE_REG_LEN, len);
	set(UVF_SIM_DMAE_REG_CTRL,
	    UVF_SIM_DMAE_CTRL_START | (irq ? UVF_SIM_DMAE_CTRL_IRQ : 0));
	return reg(UVF_SIM_DMAE_REG_STATUS);
}

static void fill(char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (char)(seed * 31 + i * 7);
}

START_TEST(test_copy_through_iommu_lands_byte_for_byte)
{
	size_t len = 5 * 4096 + 123;
	char *src = simfix_pages(6), *dst = simfix_pages(6);
	uvf_iova_t s, d;

	simfix_setup(&f, (enum uvf_pgtable_format)_i, UVF_DOMAIN_TRANSLATED,
		     NULL);
	ck_assert_uint_eq(reg(UVF_SIM_DMAE_REG_ID), UVF_SIM_DMAE_ID);
	fill(src, len, 1);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, src + 1, len,
					  UVF_DMA_TO_DEVICE, &s), 0);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, dst + 3, len,
					  UVF_DMA_FROM_DEVICE, &d), 0);
	ck_assert_uint_eq(copy(s, d, len, false), UVF_SIM_DMAE_STATUS_DONE);
	ck_assert_mem_eq(src + 1, dst + 3, len);
	ck_assert_uint_eq(reg(UVF_SIM_DMAE_REG_COPIES), 1);
	ck_assert_uint_eq(simfix_drain_faults(&f, NULL), 0);
	uvf_dma_unmap_page(f.dev, s, len, UVF_DMA_TO_DEVICE);
	uvf_dma_unmap_page(f.dev, d, len, UVF_DMA_FROM_DEVICE);
	simfix_teardown(&f);
	free(src);
	free(dst);
}
END_TEST

START_TEST(test_copy_to_unmapped_iova_faults_and_touches_nothing)
{
	char *src = simfix_pages(4), *dst = simfix_pages(4), *ref;
	struct uvf_fault flt;
	uvf_iova_t s, d;

	simfix_setup(&f, (enum uvf_pgtable_format)_i, UVF_DOMAIN_TRANSLATED,
		     NULL);
	fill(src, 4 * 4096, 2);
	memset(dst, 0x5a, 4 * 4096);
	ref = malloc(4 * 4096);
	memcpy(ref, dst, 4 * 4096);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, src, 4 * 4096,
					  UVF_DMA_TO_DEVICE, &s), 0);
	/* Only the first 3 of 4 destination pages are mapped: the copy
	 * must fail without writing even the mapped ones. */
	ck_assert_int_eq(uvf_dma_map_page(f.dev, dst, 3 * 4096,
					  UVF_DMA_FROM_DEVICE, &d), 0);
	ck_assert_uint_eq(copy(s, d, 4 * 4096, false),
			  UVF_SIM_DMAE_STATUS_FAULT);
	ck_assert_mem_eq(dst, ref, 4 * 4096);
	ck_assert_uint_eq(simfix_drain_faults(&f, &flt), 1);
	ck_assert_int_eq(flt.reason, UVF_FAULT_NOT_PRESENT);
	ck_assert_int_eq(flt.access, UVF_ACCESS_WRITE);
	ck_assert_uint_eq(flt.iova, d + 3 * 4096);
	ck_assert_uint_eq(flt.rid, 0x0010);
	ck_assert_uint_eq(flt.domid, 1);
	ck_assert_uint_eq(reg(UVF_SIM_DMAE_REG_COPIES), 0);
	uvf_dma_unmap_page(f.dev, s, 4 * 4096, UVF_DMA_TO_DEVICE);
	uvf_dma_unmap_page(f.dev, d, 3 * 4096, UVF_DMA_FROM_DEVICE);
	simfix_teardown(&f);
	free(src);
	free(dst);
	free(ref);
}
END_TEST

START_TEST(test_copy_into_read_only_mapping_is_a_permission_fault)
{
	char *src = simfix_pages(1), *dst = simfix_pages(1);
	struct uvf_fault flt;
	uvf_iova_t s, d;

	simfix_setup(&f, (enum uvf_pgtable_format)_i, UVF_DOMAIN_TRANSLATED,
		     NULL);
	fill(src, 4096, 3);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, src, 4096, UVF_DMA_TO_DEVICE,
					  &s), 0);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, dst, 4096, UVF_DMA_TO_DEVICE,
					  &d), 0);
	ck_assert_uint_eq(copy(s, d, 4096, false), UVF_SIM_DMAE_STATUS_FAULT);
	ck_assert_uint_eq(simfix_drain_faults(&f, &flt), 1);
	ck_assert_int_eq(flt.reason, UVF_FAULT_PERMISSION);
	ck_assert_int_eq(dst[0], 0);
	simfix_teardown(&f);
	free(src);
	free(dst);
}
END_TEST

START_TEST(test_fault_reasons_outside_aperture_and_no_domain)
{
	struct uvf_sim_iommu_params p;
	struct uvf_fault flt;
	struct uvf_device *lone;
	char buf[64];

	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)_i);
	p.aperture_last = (1ull << 32) - 1;
	simfix_setup(&f, p.format, UVF_DOMAIN_TRANSLATED, &p);
	ck_assert_int_eq(uvf_sim_dma_read(f.dev, 1ull << 32, buf, 8), -EFAULT);
	ck_assert_uint_eq(simfix_drain_faults(&f, &flt), 1);
	ck_assert_int_eq(flt.reason, UVF_FAULT_OUTSIDE_APERTURE);
	ck_assert_int_eq(uvf_sim_dmaengine_create(f.iommu, 0, 0x30, &lone), 0);
	ck_assert_int_eq(uvf_sim_dma_read(lone, 0x1000, buf, 8), -EFAULT);
	ck_assert_uint_eq(simfix_drain_faults(&f, &flt), 1);
	ck_assert_int_eq(flt.reason, UVF_FAULT_NO_DOMAIN);
	ck_assert_uint_eq(flt.rid, 0x30);
	ck_assert_str_eq(uvf_fault_reason_name(flt.reason), "no-domain");
	uvf_device_close(lone);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_fault_log_is_bounded_and_counts_drops)
{
	struct uvf_sim_iommu_params p;
	char buf[8];
	int i;

	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)_i);
	p.fault_log_size = 4;
	simfix_setup(&f, p.format, UVF_DOMAIN_TRANSLATED, &p);
	for (i = 0; i < 10; i++)
		ck_assert_int_eq(uvf_sim_dma_read(f.dev, 0x10000 + i * 4096,
						  buf, 8), -EFAULT);
	ck_assert_uint_eq(uvf_sim_iommu_faults_dropped(f.iommu), 6);
	ck_assert_uint_eq(simfix_drain_faults(&f, NULL), 4);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_completion_msi_arrives_on_eventfd)
{
	char *src = simfix_pages(1), *dst = simfix_pages(1);
	uvf_iova_t s, d;

	simfix_setup(&f, (enum uvf_pgtable_format)_i, UVF_DOMAIN_TRANSLATED,
		     NULL);
	ck_assert_int_eq(uvf_device_irq_enable(f.dev, UVF_IRQ_MSIX, 1),
			 -ENOTSUP);
	ck_assert_int_eq(uvf_device_irq_enable(f.dev, UVF_IRQ_MSI, 1), 0);
	ck_assert_int_eq(uvf_device_irq_enable(f.dev, UVF_IRQ_MSI, 1), -EBUSY);
	ck_assert_int_eq(uvf_device_irq_wait(f.dev, 0, 0), -ETIMEDOUT);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, src, 4096, UVF_DMA_TO_DEVICE,
					  &s), 0);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, dst, 4096,
					  UVF_DMA_FROM_DEVICE, &d), 0);
	ck_assert_uint_eq(copy(s, d, 4096, true), UVF_SIM_DMAE_STATUS_DONE);
	ck_assert_uint_eq(copy(s, d, 4096, true), UVF_SIM_DMAE_STATUS_DONE);
	ck_assert_uint_eq(copy(s, d, 4096, false), UVF_SIM_DMAE_STATUS_DONE);
	ck_assert_int_eq(uvf_device_irq_wait(f.dev, 0, 1000), 2);
	ck_assert_uint_eq(reg(UVF_SIM_DMAE_REG_MSI_COUNT), 2);
	ck_assert_int_eq(uvf_device_irq_wait(f.dev, 1, 0), -EINVAL);
	ck_assert_int_eq(uvf_device_irq_disable(f.dev), 0);
	simfix_teardown(&f);
	free(src);
	free(dst);
}
END_TEST

START_TEST(test_register_access_contract)
{
	struct uvf_bar_info info;
	uint64_t v;
	uint8_t cfg[4];
	void *ptr;

	simfix_setup(&f, (enum uvf_pgtable_format)_i, UVF_DOMAIN_TRANSLATED,
		     NULL);
	ck_assert_int_eq(uvf_device_bar_info(f.dev, 0, &info), 0);
	ck_assert_uint_eq(info.size, UVF_SIM_DMAE_BAR0_SIZE);
	ck_assert_int_eq(uvf_device_bar_info(f.dev, 1, &info), -ENODEV);
	ck_assert_int_eq(uvf_device_bar_info(f.dev, 6, &info), -EINVAL);
	ck_assert_int_eq(uvf_device_bar_map(f.dev, 0, &ptr), -ENOTSUP);
	ck_assert_int_eq(uvf_device_bar_read(f.dev, 0, 3, &v, 4), -EINVAL);
	ck_assert_int_eq(uvf_device_bar_read(f.dev, 0, 0, &v, 3), -EINVAL);
	ck_assert_int_eq(uvf_device_bar_read(f.dev, 0, 0x1000, &v, 8), -ERANGE);
	ck_assert_int_eq(uvf_device_bar_write(f.dev, 0, 0x8, 1ull << 40, 4),
			 -EINVAL);
	ck_assert_int_eq(uvf_device_bar_read(f.dev, 0, 0, &v, 4), 0);
	ck_assert_uint_eq(v, UVF_SIM_DMAE_ID);
	ck_assert_int_eq(uvf_device_cfg_read(f.dev, 0, cfg, 4), 0);
	ck_assert_uint_eq(cfg[0] | cfg[1] << 8, UVF_SIM_DMAE_VENDOR);
	ck_assert_uint_eq(cfg[2] | cfg[3] << 8, UVF_SIM_DMAE_DEVICE);
	ck_assert_int_eq(uvf_device_cfg_read(f.dev, 255, cfg, 4), -ERANGE);
	/* A zero-length copy is refused by the engine, not executed. */
	ck_assert_uint_eq(copy(0x1000, 0x2000, 0, false),
			  UVF_SIM_DMAE_STATUS_INVALID);
	ck_assert_int_eq(uvf_device_reset(f.dev), 0);
	ck_assert_uint_eq(reg(UVF_SIM_DMAE_REG_STATUS), UVF_SIM_DMAE_STATUS_IDLE);
	simfix_teardown(&f);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("dmaengine");
	TCase *tc = tcase_create("dmaengine");

	tcase_add_loop_test(tc, test_copy_through_iommu_lands_byte_for_byte, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_copy_to_unmapped_iova_faults_and_touches_nothing, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_copy_into_read_only_mapping_is_a_permission_fault, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_fault_reasons_outside_aperture_and_no_domain, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_fault_log_is_bounded_and_counts_drops, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_completion_msi_arrives_on_eventfd, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_register_access_contract, 0, UVF_PGTABLE_NR_FORMATS);
	suite_add_tcase(s, tc);
	return s;
}
