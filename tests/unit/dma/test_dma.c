/* SPDX-License-Identifier: MIT */
/* The dma_map_page flow on the software model, over every page-table
 * format (each test loops over them). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "simfix.h"

static struct simfix f;

static void translated(int fmt)
{
	simfix_setup(&f, (enum uvf_pgtable_format)fmt, UVF_DOMAIN_TRANSLATED,
		     NULL);
}

START_TEST(test_direct_domain_returns_cpu_address_without_page_tables)
{
	struct uvf_domain_stats st;
	char *buf = simfix_pages(1);
	uvf_iova_t iova;

	simfix_setup(&f, (enum uvf_pgtable_format)_i, UVF_DOMAIN_DIRECT, NULL);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf + 5, 100,
					  UVF_DMA_BIDIRECTIONAL, &iova), 0);
	ck_assert_uint_eq(iova, (uintptr_t)(buf + 5));
	uvf_domain_get_stats(f.dom, &st);
	ck_assert_uint_eq(st.maps, 0);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 100,
					    UVF_DMA_BIDIRECTIONAL), 0);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_translated_map_keeps_offset_and_translates_every_byte)
{
	char *buf = simfix_pages(3);
	uvf_iova_t iova;
	uint64_t pa;
	size_t i;

	translated(_i);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf + 100, 2 * 4096,
					  UVF_DMA_BIDIRECTIONAL, &iova), 0);
	ck_assert_uint_eq(iova & 4095, 100);
	ck_assert_uint_ne(iova, (uintptr_t)(buf + 100));
	for (i = 0; i < 2 * 4096; i += 511) {
		ck_assert_int_eq(uvf_sim_translate(f.dev, iova + i,
						   UVF_ACCESS_WRITE, &pa), 0);
		ck_assert_uint_eq(pa, (uintptr_t)(buf + 100 + i));
	}
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 2 * 4096,
					    UVF_DMA_BIDIRECTIONAL), 0);
	ck_assert_int_eq(uvf_sim_translate(f.dev, iova, UVF_ACCESS_READ, &pa),
			 -EFAULT);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_direction_sets_page_permissions)
{
	const struct uvf_pgtable_info *info =
		uvf_pgtable_format_info((enum uvf_pgtable_format)_i);
	char *buf = simfix_pages(1);
	struct uvf_fault flt;
	uvf_iova_t to_dev, from_dev;
	uint64_t pa;

	translated(_i);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096, UVF_DMA_TO_DEVICE,
					  &to_dev), 0);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096,
					  UVF_DMA_FROM_DEVICE, &from_dev), 0);
	/* TO_DEVICE: the device may read, never write. */
	ck_assert_int_eq(uvf_sim_translate(f.dev, to_dev, UVF_ACCESS_READ, &pa),
			 0);
	ck_assert_int_eq(uvf_sim_translate(f.dev, to_dev, UVF_ACCESS_WRITE,
					   &pa), -EFAULT);
	ck_assert_uint_eq(simfix_drain_faults(&f, &flt), 1);
	ck_assert_int_eq(flt.reason, UVF_FAULT_PERMISSION);
	ck_assert_int_eq(flt.access, UVF_ACCESS_WRITE);
	ck_assert_uint_eq(flt.iova, to_dev);
	/* FROM_DEVICE: write; reading it is refused unless the format
	 * cannot express write-only (ARM stage 1). */
	ck_assert_int_eq(uvf_sim_translate(f.dev, from_dev, UVF_ACCESS_WRITE,
					   &pa), 0);
	ck_assert_int_eq(uvf_sim_translate(f.dev, from_dev, UVF_ACCESS_READ,
					   &pa),
			 info->write_implies_read ? 0 : -EFAULT);
	simfix_drain_faults(&f, NULL);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_bad_arguments_are_rejected_and_change_nothing)
{
	struct uvf_domain_stats before, after;
	char *buf = simfix_pages(1);
	struct uvf_device *lone;
	uvf_iova_t iova;

	translated(_i);
	uvf_domain_get_stats(f.dom, &before);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 0, UVF_DMA_TO_DEVICE,
					  &iova), -EINVAL);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 1, (enum uvf_dma_dir)7,
					  &iova), -EINVAL);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, NULL, 1, UVF_DMA_TO_DEVICE,
					  &iova), -EINVAL);
	ck_assert_int_eq(uvf_dma_map_page(NULL, buf, 1, UVF_DMA_TO_DEVICE,
					  &iova), -EINVAL);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, (void *)(UINTPTR_MAX - 10),
					  100, UVF_DMA_TO_DEVICE, &iova),
			 -EOVERFLOW);
	/* A device in no domain cannot map. */
	ck_assert_int_eq(uvf_sim_dmaengine_create(f.iommu, 0, 0x20, &lone), 0);
	ck_assert_int_eq(uvf_dma_map_page(lone, buf, 1, UVF_DMA_TO_DEVICE,
					  &iova), -EINVAL);
	uvf_device_close(lone);
	uvf_domain_get_stats(f.dom, &after);
	ck_assert_uint_eq(after.maps, before.maps);
	ck_assert_uint_eq(after.mapped_bytes, before.mapped_bytes);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_unmap_of_unmapped_or_partial_range_is_enoent)
{
	struct uvf_domain_stats st;
	char *buf = simfix_pages(4);
	uvf_iova_t iova;
	uint64_t pa;

	translated(_i);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4 * 4096,
					  UVF_DMA_BIDIRECTIONAL, &iova), 0);
	/* Never mapped, part of a mapping, too long, wrapping. */
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova + (1ull << 40), 4096,
					    UVF_DMA_BIDIRECTIONAL), -ENOENT);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 4096,
					    UVF_DMA_BIDIRECTIONAL), -ENOENT);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova + 4096, 3 * 4096,
					    UVF_DMA_BIDIRECTIONAL), -ENOENT);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 8 * 4096,
					    UVF_DMA_BIDIRECTIONAL), -ENOENT);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, UINT64_MAX - 100, 4096,
					    UVF_DMA_BIDIRECTIONAL), -ENOENT);
	/* Nothing was unmapped. */
	uvf_domain_get_stats(f.dom, &st);
	ck_assert_uint_eq(st.unmaps, 0);
	ck_assert_int_eq(uvf_sim_translate(f.dev, iova + 3 * 4096,
					   UVF_ACCESS_READ, &pa), 0);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 4 * 4096,
					    UVF_DMA_BIDIRECTIONAL), 0);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 4 * 4096,
					    UVF_DMA_BIDIRECTIONAL), -ENOENT);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_iova_exhaustion_is_enospc_and_recovers)
{
	struct uvf_sim_iommu_params p;
	uvf_iova_t iova[64], extra;
	char *buf = simfix_pages(1);
	int n = 0, i, ret;

	/* A 64-page aperture: page 0 is never handed out, so 63 fit. */
	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)_i);
	p.aperture_last = 64 * 4096 - 1;
	simfix_setup(&f, p.format, UVF_DOMAIN_TRANSLATED, &p);
	while ((ret = uvf_dma_map_page(f.dev, buf, 4096, UVF_DMA_TO_DEVICE,
				       &iova[n])) == 0)
		n++;
	ck_assert_int_eq(ret, -ENOSPC);
	ck_assert_int_eq(n, 63);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova[i], 4096,
						    UVF_DMA_TO_DEVICE), 0);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096, UVF_DMA_TO_DEVICE,
					  &extra), 0);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, extra, 4096,
					    UVF_DMA_TO_DEVICE), 0);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_mapping_budget_exhaustion_is_enospc_and_loses_nothing)
{
	struct uvf_sim_iommu_params p;
	char *buf = simfix_pages(8);
	uvf_iova_t iova[8], extra;
	uint64_t avail, pa;
	int i;

	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)_i);
	p.mapping_limit = 8;
	simfix_setup(&f, p.format, UVF_DOMAIN_TRANSLATED, &p);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(uvf_dma_map_page(f.dev, buf + i * 4096, 4096,
						  UVF_DMA_TO_DEVICE, &iova[i]),
				 0);
	ck_assert_int_eq(uvf_domain_budget(f.dom, &avail), 0);
	ck_assert_uint_eq(avail, 0);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096, UVF_DMA_TO_DEVICE,
					  &extra), -ENOSPC);
	/* Every earlier mapping still translates. */
	for (i = 0; i < 8; i++) {
		ck_assert_int_eq(uvf_sim_translate(f.dev, iova[i],
						   UVF_ACCESS_READ, &pa), 0);
		ck_assert_uint_eq(pa, (uintptr_t)(buf + i * 4096));
	}
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova[0], 4096,
					    UVF_DMA_TO_DEVICE), 0);
	ck_assert_int_eq(uvf_domain_budget(f.dom, &avail), 0);
	ck_assert_uint_eq(avail, 1);
	for (i = 1; i < 8; i++)
		uvf_dma_unmap_page(f.dev, iova[i], 4096, UVF_DMA_TO_DEVICE);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_sg_list_maps_into_one_contiguous_iova_range)
{
	char *a = simfix_pages(2), *b = simfix_pages(1), *c = simfix_pages(3);
	struct uvf_sg sg[3] = {
		{ a + 10, 5000, 0 }, { b, 4096, 0 }, { c + 4000, 8000, 0 },
	};
	char out[17096];
	uint64_t pa;

	translated(_i);
	memset(a, 'a', 8192);
	memset(b, 'b', 4096);
	memset(c, 'c', 3 * 4096);
	ck_assert_int_eq(uvf_dma_map_sg(f.dev, sg, 3, UVF_DMA_TO_DEVICE), 3);
	ck_assert_uint_eq(sg[0].iova & 4095, 10);
	ck_assert_uint_eq(sg[1].iova, (sg[0].iova & ~4095ull) + 2 * 4096);
	ck_assert_uint_eq(sg[2].iova, sg[1].iova + 4096 + 4000);
	ck_assert_int_eq(uvf_sim_translate(f.dev, sg[2].iova + 7999,
					   UVF_ACCESS_READ, &pa), 0);
	ck_assert_uint_eq(pa, (uintptr_t)(c + 4000 + 7999));
	ck_assert_int_eq(uvf_sim_dma_read(f.dev, sg[1].iova, out, 4096), 0);
	ck_assert_int_eq(out[0], 'b');
	ck_assert_int_eq(out[4095], 'b');
	ck_assert_int_eq(uvf_dma_unmap_sg(f.dev, sg, 2, UVF_DMA_TO_DEVICE),
			 -ENOENT);
	ck_assert_int_eq(uvf_dma_unmap_sg(f.dev, sg, 3, UVF_DMA_TO_DEVICE), 0);
	ck_assert_int_eq(uvf_sim_translate(f.dev, sg[1].iova, UVF_ACCESS_READ,
					   &pa), -EFAULT);
	simfix_drain_faults(&f, NULL);
	simfix_teardown(&f);
	free(a);
	free(b);
	free(c);
}
END_TEST

START_TEST(test_coherent_buffers_are_zeroed_mapped_and_freed)
{
	size_t sizes[] = { 100, 4096, 3 << 20 };
	uvf_iova_t iova;
	uint64_t pa;
	void *p;
	size_t i;

	translated(_i);
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(uvf_dma_alloc_coherent(f.dev, sizes[i], &p,
							&iova), 0);
		ck_assert_int_eq(((char *)p)[sizes[i] - 1], 0);
		ck_assert_int_eq(uvf_sim_translate(f.dev, iova + sizes[i] - 1,
						   UVF_ACCESS_WRITE, &pa), 0);
		ck_assert_uint_eq(pa, (uintptr_t)p + sizes[i] - 1);
		ck_assert_int_eq(uvf_dma_free_coherent(f.dev, sizes[i] + 1, p,
						       iova), -ENOENT);
		ck_assert_int_eq(uvf_dma_free_coherent(f.dev, sizes[i], p,
						       iova), 0);
	}
	/* Big buffers start on a 2 MiB boundary so 2 MiB leaves fit. */
	ck_assert_int_eq(uvf_dma_alloc_coherent(f.dev, 4 << 20, &p, &iova), 0);
	ck_assert_uint_eq((uintptr_t)p & (UVF_SZ_2M - 1), 0);
	ck_assert_int_eq(uvf_dma_free_coherent(f.dev, 4 << 20, p, iova), 0);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_registered_memory_translates_every_page_in_o1)
{
	char *buf = simfix_pages(1024 + 8), *base;
	uvf_iova_t iova, got;
	size_t i;

	translated(_i);
	/* Straddle a 2 MiB boundary with a partial chunk on each side. */
	base = buf + 4 * 4096;
	ck_assert_int_eq(uvf_dma_register(f.dev, base, 1024 * 4096, &iova), 0);
	for (i = 0; i < 1024 * 4096; i += 4093) {
		ck_assert_int_eq(uvf_dma_vtoiova(f.dev, base + i, &got), 0);
		ck_assert_uint_eq(got, iova + i);
	}
	ck_assert_int_eq(uvf_dma_vtoiova(f.dev, base - 1, &got), -ENOENT);
	ck_assert_int_eq(uvf_dma_vtoiova(f.dev, base + 1024 * 4096, &got),
			 -ENOENT);
	/* Overlap, partial unregister, bad alignment. */
	ck_assert_int_eq(uvf_dma_register(f.dev, base + 4096, 4096, NULL),
			 -EEXIST);
	ck_assert_int_eq(uvf_dma_register(f.dev, base + 1, 4096, NULL),
			 -EINVAL);
	ck_assert_int_eq(uvf_dma_unregister(f.dev, base, 4096), -ENOENT);
	ck_assert_int_eq(uvf_dma_vtoiova(f.dev, base, &got), 0);
	ck_assert_int_eq(uvf_dma_unregister(f.dev, base, 1024 * 4096), 0);
	ck_assert_int_eq(uvf_dma_vtoiova(f.dev, base, &got), -ENOENT);
	/* And a second registration reuses the freed tables. */
	ck_assert_int_eq(uvf_dma_register(f.dev, buf, 2 * 4096, &iova), 0);
	ck_assert_int_eq(uvf_dma_vtoiova(f.dev, buf + 4097, &got), 0);
	ck_assert_uint_eq(got, iova + 4097);
	ck_assert_int_eq(uvf_dma_unregister(f.dev, buf, 2 * 4096), 0);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

struct trace_log {
	char text[16384];
	size_t len;
};

static void collect(void *arg, const char *line)
{
	struct trace_log *t = arg;
	int n = snprintf(t->text + t->len, sizeof(t->text) - t->len, "%s\n",
			 line);

	if (n > 0 && (size_t)n < sizeof(t->text) - t->len)
		t->len += (size_t)n;
}

START_TEST(test_trace_logs_every_step_of_the_flow)
{
	static struct trace_log log;
	char *buf = simfix_pages(1);
	uvf_iova_t iova;

	translated(_i);
	memset(&log, 0, sizeof(log));
	uvf_set_log_fn(collect, &log);
	uvf_trace_enable(true);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096, UVF_DMA_TO_DEVICE,
					  &iova), 0);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 4096,
					    UVF_DMA_TO_DEVICE), 0);
	uvf_trace_enable(false);
	uvf_set_log_fn(NULL, NULL);
	ck_assert_ptr_nonnull(strstr(log.text, "is translated: iommu_dma_map_page"));
	ck_assert_ptr_nonnull(strstr(log.text, "iova_alloc"));
	ck_assert_ptr_nonnull(strstr(log.text, "page table of domain"));
	ck_assert_ptr_nonnull(strstr(log.text, "L1:1"));
	ck_assert_ptr_nonnull(strstr(log.text, "IOTLB invalidate"));
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_contiguous_sg_segments_become_one_backend_mapping)
{
	static struct trace_log log;
	char *buf = simfix_pages(4);
	struct uvf_sg sg[3] = {
		{ buf, 4096, 0 }, { buf + 4096, 8192, 0 }, { buf + 3 * 4096, 4096, 0 },
	};
	const char *p;
	int writes = 0;

	translated(_i);
	memset(&log, 0, sizeof(log));
	uvf_set_log_fn(collect, &log);
	uvf_trace_enable(true);
	ck_assert_int_eq(uvf_dma_map_sg(f.dev, sg, 3, UVF_DMA_TO_DEVICE), 3);
	uvf_trace_enable(false);
	uvf_set_log_fn(NULL, NULL);
	for (p = log.text; (p = strstr(p, "page table of domain")); p++)
		writes++;
	ck_assert_int_eq(writes, 1);
	ck_assert_uint_eq(sg[2].iova, sg[0].iova + 3 * 4096);
	ck_assert_int_eq(uvf_dma_unmap_sg(f.dev, sg, 3, UVF_DMA_TO_DEVICE), 0);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_deferred_invalidation_delays_iova_reuse_until_flush)
{
	struct uvf_domain_stats st;
	char *buf = simfix_pages(1);
	uvf_iova_t first, again;
	uint64_t pa;

	translated(_i);
	ck_assert_int_eq(uvf_domain_set_inval_policy(f.dom, UVF_INVAL_DEFERRED,
						     4, 60000000), 0);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096, UVF_DMA_TO_DEVICE,
					  &first), 0);
	/* Warm the IOTLB, then unmap: the page table is clear at once ... */
	ck_assert_int_eq(uvf_sim_translate(f.dev, first, UVF_ACCESS_READ, &pa),
			 0);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, first, 4096,
					    UVF_DMA_TO_DEVICE), 0);
	uvf_domain_get_stats(f.dom, &st);
	ck_assert_uint_eq(st.fq_pending, 1);
	/* ... but, as with lazy flushing on real hardware, the stale IOTLB
	 * entry still translates until the queue is drained, and the IOVA
	 * is not handed out again before then. */
	ck_assert_int_eq(uvf_sim_translate(f.dev, first, UVF_ACCESS_READ, &pa),
			 0);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096, UVF_DMA_TO_DEVICE,
					  &again), 0);
	ck_assert_uint_ne(again, first);
	ck_assert_int_eq(uvf_domain_flush(f.dom), 0);
	ck_assert_int_eq(uvf_sim_translate(f.dev, first, UVF_ACCESS_READ, &pa),
			 -EFAULT);
	uvf_domain_get_stats(f.dom, &st);
	ck_assert_uint_eq(st.fq_pending, 0);
	ck_assert_uint_eq(st.fq_flushes, 1);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, again, 4096,
					    UVF_DMA_TO_DEVICE), 0);
	simfix_drain_faults(&f, NULL);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_deferred_queue_drains_when_full_and_on_timer)
{
	struct uvf_domain_stats st;
	char *buf = simfix_pages(1);
	uvf_iova_t iova;
	int i, waited;

	translated(_i);
	/* A timer far beyond the test: only the full batch can drain these
	 * four (a 1 ms timer fired between slow sanitizer-built unmaps). */
	ck_assert_int_eq(uvf_domain_set_inval_policy(f.dom, UVF_INVAL_DEFERRED,
						     4, 60000000), 0);
	for (i = 0; i < 4; i++) {
		ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096,
						  UVF_DMA_TO_DEVICE, &iova), 0);
		ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 4096,
						    UVF_DMA_TO_DEVICE), 0);
	}
	uvf_domain_get_stats(f.dom, &st);
	ck_assert_uint_eq(st.fq_flushes, 1);	/* batch of 4 drained */
	ck_assert_uint_eq(st.fq_pending, 0);
	ck_assert_int_eq(uvf_domain_set_inval_policy(f.dom, UVF_INVAL_DEFERRED,
						     4, 1000), 0);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096, UVF_DMA_TO_DEVICE,
					  &iova), 0);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 4096,
					    UVF_DMA_TO_DEVICE), 0);
	/* The 1 ms timer drains the lone entry; allow a loaded machine
	 * plenty of time, this is not a timing assertion. */
	for (waited = 0; waited < 10000; waited++) {
		uvf_domain_get_stats(f.dom, &st);
		if (!st.fq_pending)
			break;
		usleep(1000);
	}
	ck_assert_uint_eq(st.fq_pending, 0);
	ck_assert_uint_eq(st.fq_flushes, 2);
	ck_assert_int_eq(uvf_domain_set_inval_policy(f.dom, UVF_INVAL_STRICT,
						     0, 0), 0);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("dma");
	TCase *tc = tcase_create("flow");

	tcase_add_loop_test(tc, test_direct_domain_returns_cpu_address_without_page_tables, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_translated_map_keeps_offset_and_translates_every_byte, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_direction_sets_page_permissions, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_bad_arguments_are_rejected_and_change_nothing, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_unmap_of_unmapped_or_partial_range_is_enoent, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_iova_exhaustion_is_enospc_and_recovers, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_mapping_budget_exhaustion_is_enospc_and_loses_nothing, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_sg_list_maps_into_one_contiguous_iova_range, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_coherent_buffers_are_zeroed_mapped_and_freed, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_registered_memory_translates_every_page_in_o1, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_trace_logs_every_step_of_the_flow, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_contiguous_sg_segments_become_one_backend_mapping, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_deferred_invalidation_delays_iova_reuse_until_flush, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_deferred_queue_drains_when_full_and_on_timer, 0, UVF_PGTABLE_NR_FORMATS);
	suite_add_tcase(s, tc);
	return s;
}
