/* SPDX-License-Identifier: MIT */
/* Domains: fixed-address mapping contract, reserved and firmware direct
 * regions, sharing, lifetime. Every test loops over the page-table
 * formats. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "iommu/domain.h"
#include "simfix.h"

static struct simfix f;

#define IOVA (1ull << 32)

START_TEST(test_fixed_map_bad_input_catalogue_changes_nothing)
{
	struct uvf_domain_stats before, after;
	char *buf = simfix_pages(4);
	uint64_t pa;

	simfix_setup(&f, (enum uvf_pgtable_format)_i, UVF_DOMAIN_TRANSLATED,
		     NULL);
	ck_assert_int_eq(uvf_domain_map(f.dom, IOVA, buf, 2 * 4096,
					UVF_PROT_RW), 0);
	uvf_domain_get_stats(f.dom, &before);

	/* -EINVAL: zero or unaligned length / address, bad prot. */
	ck_assert_int_eq(uvf_domain_map(f.dom, IOVA + 8 * 4096, buf, 0,
					UVF_PROT_RW), -EINVAL);
	ck_assert_int_eq(uvf_domain_map(f.dom, IOVA + 8 * 4096 + 1, buf, 4096,
					UVF_PROT_RW), -EINVAL);
	ck_assert_int_eq(uvf_domain_map(f.dom, IOVA + 8 * 4096, buf + 1, 4096,
					UVF_PROT_RW), -EINVAL);
	ck_assert_int_eq(uvf_domain_map(f.dom, IOVA + 8 * 4096, buf, 4095,
					UVF_PROT_RW), -EINVAL);
	ck_assert_int_eq(uvf_domain_map(f.dom, IOVA + 8 * 4096, buf, 4096, 0),
			 -EINVAL);
	ck_assert_int_eq(uvf_domain_map(f.dom, IOVA + 8 * 4096, buf, 4096, 8),
			 -EINVAL);
	/* -EOVERFLOW: iova + len wraps. */
	ck_assert_int_eq(uvf_domain_map(f.dom, UINT64_MAX - 4095, buf,
					2 * 4096, UVF_PROT_RW), -EOVERFLOW);
	/* -ERANGE: outside the usable ranges (beyond the aperture, page 0). */
	ck_assert_int_eq(uvf_domain_map(f.dom, 1ull << 60, buf, 4096,
					UVF_PROT_RW), -ERANGE);
	ck_assert_int_eq(uvf_domain_map(f.dom, 0, buf, 4096, UVF_PROT_RW),
			 -ERANGE);
	/* -EEXIST: overlap with the live mapping, fully or partly. */
	ck_assert_int_eq(uvf_domain_map(f.dom, IOVA, buf, 4096, UVF_PROT_RW),
			 -EEXIST);
	ck_assert_int_eq(uvf_domain_map(f.dom, IOVA - 4096, buf, 2 * 4096,
					UVF_PROT_RW), -EEXIST);
	/* -ENOENT: unmap of nothing, of part, of more. */
	ck_assert_int_eq(uvf_domain_unmap(f.dom, IOVA + 64 * 4096, 4096),
			 -ENOENT);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, IOVA, 4096), -ENOENT);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, IOVA + 4096, 4096), -ENOENT);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, IOVA, 3 * 4096), -ENOENT);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, IOVA, 0), -EINVAL);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, UINT64_MAX - 4095, 2 * 4096),
			 -EOVERFLOW);

	uvf_domain_get_stats(f.dom, &after);
	ck_assert_mem_eq(&before, &after, sizeof(before));
	ck_assert_int_eq(uvf_sim_translate(f.dev, IOVA + 4096 + 7,
					   UVF_ACCESS_WRITE, &pa), 0);
	ck_assert_uint_eq(pa, (uintptr_t)buf + 4096 + 7);
	ck_assert_int_eq(uvf_sim_translate(f.dev, IOVA + 2 * 4096,
					   UVF_ACCESS_READ, &pa), -EFAULT);
	simfix_drain_faults(&f, NULL);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, IOVA, 2 * 4096), 0);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_direct_domain_refuses_fixed_maps)
{
	char *buf = simfix_pages(1);

	simfix_setup(&f, (enum uvf_pgtable_format)_i, UVF_DOMAIN_DIRECT, NULL);
	ck_assert_int_eq(uvf_domain_map(f.dom, IOVA, buf, 4096, UVF_PROT_RW),
			 -EINVAL);
	ck_assert_ptr_null(uvf_domain_iova_allocator(f.dom));
	simfix_teardown(&f);
	free(buf);
}
END_TEST

/* An RMRR-like window for requester 00:02.0 and an MSI window for all. */
static const struct uvf_direct_region fw_region = {
	.source = UVF_DIRECT_DMAR_RMRR,
	.segment = 0,
	.rid_first = 0x0010,
	.rid_last = 0x0010,
	.first = 0xe0000,
	.last = 0xfffff,
	.prot = UVF_PROT_RW,
};
static const struct uvf_resv_region msi = {
	.first = 0xfee00000, .last = 0xfeefffff, .type = UVF_RESV_MSI,
};

static void setup_with_regions(int fmt)
{
	struct uvf_direct_regions d = { (struct uvf_direct_region *)&fw_region,
					1, 0 };
	struct uvf_sim_iommu_params p;

	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)fmt);
	p.direct = &d;
	p.resv = &msi;
	p.nr_resv = 1;
	simfix_setup(&f, p.format, UVF_DOMAIN_TRANSLATED, &p);
}

START_TEST(test_firmware_direct_region_is_identity_mapped_at_attach)
{
	struct uvf_resv_region r[4];
	uint64_t pa;
	char data[16] = "firmware window";
	char back[16];

	setup_with_regions(_i);
	/* Mapped before any request: IOVA == physical address. */
	ck_assert_int_eq(uvf_sim_translate(f.dev, 0xe0000, UVF_ACCESS_READ,
					   &pa), 0);
	ck_assert_uint_eq(pa, 0xe0000);
	ck_assert_int_eq(uvf_sim_translate(f.dev, 0xfffff, UVF_ACCESS_WRITE,
					   &pa), 0);
	ck_assert_uint_eq(pa, 0xfffff);
	/* The model backs the window, so a device can really use it. */
	ck_assert_int_eq(uvf_sim_dma_write(f.dev, 0xe1000, data, 16), 0);
	ck_assert_int_eq(uvf_sim_dma_read(f.dev, 0xe1000, back, 16), 0);
	ck_assert_mem_eq(data, back, 16);
	ck_assert_int_eq(uvf_domain_reserved_regions(f.dom, r, 4), 2);
	ck_assert(uvf_iova_is_allocated(uvf_domain_iova_allocator(f.dom),
					0xe0000, 0x20000));
	/* Nobody can map over it or unmap it. */
	ck_assert_int_eq(uvf_domain_map(f.dom, 0xe0000, data - ((uintptr_t)data & 4095),
					4096, UVF_PROT_RW), -ERANGE);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, 0xe0000, 0x20000), -ENOENT);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_reserved_regions_are_never_allocated)
{
	struct uvf_iova_range ranges[8];
	char *buf = simfix_pages(512);
	struct uvf_sim_iommu_params p;
	struct uvf_fault flt;
	uvf_iova_t iova;
	uint64_t pa;
	int n, count = 0;

	/* A 4 GiB aperture so the allocator must work around both regions;
	 * map 2 MiB chunks until it is full. */
	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)_i);
	p.aperture_last = (4ull << 30) - 1;
	p.resv = &msi;
	p.nr_resv = 1;
	{
		struct uvf_direct_regions d = {
			(struct uvf_direct_region *)&fw_region, 1, 0 };

		p.direct = &d;
		simfix_setup(&f, p.format, UVF_DOMAIN_TRANSLATED, &p);
	}
	n = uvf_domain_iova_ranges(f.dom, ranges, 8);
	ck_assert_int_eq(n, 3);	/* [4K, e0000) [100000, fee00000) [fef00000, 4G) */
	ck_assert_uint_eq(ranges[0].first, 0x1000);
	ck_assert_uint_eq(ranges[0].last, 0xdffff);
	ck_assert_uint_eq(ranges[1].first, 0x100000);
	ck_assert_uint_eq(ranges[2].first, 0xfef00000);
	while (uvf_dma_map_page(f.dev, buf, UVF_SZ_2M,
				UVF_DMA_TO_DEVICE, &iova) == 0) {
		ck_assert(iova + UVF_SZ_2M <= 0xe0000 || iova > 0xfffff);
		ck_assert(iova + UVF_SZ_2M <= 0xfee00000 || iova > 0xfeefffff);
		count++;
	}
	ck_assert_int_gt(count, 2000);
	/* A device access into the MSI window is a reserved-region fault. */
	ck_assert_int_eq(uvf_sim_translate(f.dev, 0xfee00040, UVF_ACCESS_WRITE,
					   &pa), -EFAULT);
	ck_assert_uint_eq(simfix_drain_faults(&f, &flt), 1);
	ck_assert_int_eq(flt.reason, UVF_FAULT_RESERVED);
	/* Teardown unmaps the rest with the domain. */
	uvf_device_close(f.dev);
	ck_assert_int_eq(uvf_domain_destroy(f.dom), 0);
	ck_assert_int_eq(uvf_iommu_destroy(f.iommu), 0);
	free(buf);
}
END_TEST

START_TEST(test_attach_collision_with_direct_region_rolls_back)
{
	struct uvf_direct_regions d = { (struct uvf_direct_region *)&fw_region,
					1, 0 };
	struct uvf_resv_region r[4];
	struct uvf_sim_iommu_params p;
	struct uvf_device *other;
	char *buf = simfix_pages(1);
	uint64_t pa;

	/* Device 00:01.0 (no regions) first, with a mapping where 00:02.0's
	 * firmware window lies; attaching 00:02.0 must then fail cleanly. */
	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)_i);
	p.direct = &d;
	memset(&f, 0, sizeof(f));
	ck_assert_int_eq(uvf_sim_iommu_create(&p, &f.iommu), 0);
	ck_assert_int_eq(uvf_domain_create(f.iommu, UVF_DOMAIN_TRANSLATED,
					   &f.dom), 0);
	ck_assert_int_eq(uvf_sim_dmaengine_create(f.iommu, 0, 0x0008, &other),
			 0);
	ck_assert_int_eq(uvf_domain_attach(f.dom, other), 0);
	ck_assert_int_eq(uvf_domain_map(f.dom, 0xf0000, buf, 4096,
					UVF_PROT_RW), 0);
	ck_assert_int_eq(uvf_sim_dmaengine_create(f.iommu, 0, 0x0010, &f.dev),
			 0);
	ck_assert_int_eq(uvf_domain_attach(f.dom, f.dev), -EEXIST);
	ck_assert_ptr_null(uvf_device_domain(f.dev));
	ck_assert_int_eq(uvf_domain_reserved_regions(f.dom, r, 4), 0);
	/* No part of the window stayed mapped or reserved. */
	ck_assert_int_eq(uvf_sim_translate(other, 0xe0000, UVF_ACCESS_READ,
					   &pa), -EFAULT);
	simfix_drain_faults(&f, NULL);
	ck_assert(!uvf_iova_is_allocated(uvf_domain_iova_allocator(f.dom),
					 0xe0000, 4096));
	ck_assert_int_eq(uvf_sim_translate(other, 0xf0000, UVF_ACCESS_READ,
					   &pa), 0);
	ck_assert_uint_eq(pa, (uintptr_t)buf);
	/* After the mapping goes away the attach succeeds. */
	ck_assert_int_eq(uvf_domain_unmap(f.dom, 0xf0000, 4096), 0);
	ck_assert_int_eq(uvf_domain_attach(f.dom, f.dev), 0);
	uvf_device_close(other);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_devices_share_a_domain_and_lifetime_is_enforced)
{
	struct uvf_device *second;
	struct uvf_domain *other;
	char *buf = simfix_pages(1);
	uvf_iova_t iova;
	uint64_t pa;

	simfix_setup(&f, (enum uvf_pgtable_format)_i, UVF_DOMAIN_TRANSLATED,
		     NULL);
	ck_assert_int_eq(uvf_sim_dmaengine_create(f.iommu, 0, 0x0018, &second),
			 0);
	ck_assert_int_eq(uvf_domain_attach(f.dom, second), 0);
	ck_assert_int_eq(uvf_domain_attach(f.dom, second), -EBUSY);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096, UVF_DMA_TO_DEVICE,
					  &iova), 0);
	/* The other device sees the same translation. */
	ck_assert_int_eq(uvf_sim_translate(second, iova, UVF_ACCESS_READ, &pa),
			 0);
	ck_assert_uint_eq(pa, (uintptr_t)buf);
	ck_assert_int_eq(uvf_domain_destroy(f.dom), -EBUSY);
	ck_assert_int_eq(uvf_domain_create(f.iommu, UVF_DOMAIN_TRANSLATED,
					   &other), 0);
	ck_assert_int_eq(uvf_domain_detach(other, second), -ENOENT);
	ck_assert_int_eq(uvf_domain_detach(f.dom, second), 0);
	/* Detached: no context, every access faults. */
	ck_assert_int_eq(uvf_sim_translate(second, iova, UVF_ACCESS_READ, &pa),
			 -EFAULT);
	simfix_drain_faults(&f, NULL);
	ck_assert_int_eq(uvf_iommu_destroy(f.iommu), -EBUSY);
	ck_assert_int_eq(uvf_domain_destroy(other), 0);
	uvf_device_close(second);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 4096,
					    UVF_DMA_TO_DEVICE), 0);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_bad_domain_and_iommu_parameters)
{
	struct uvf_sim_iommu_params p;
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;

	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	p.iotlb_sets = 3;
	ck_assert_int_eq(uvf_sim_iommu_create(&p, &iommu), -EINVAL);
	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_NR_FORMATS);
	ck_assert_int_eq(uvf_sim_iommu_create(&p, &iommu), -EINVAL);
	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	p.aperture_last = 0x1234;
	ck_assert_int_eq(uvf_sim_iommu_create(&p, &iommu), -EINVAL);
	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	ck_assert_int_eq(uvf_sim_iommu_create(&p, &iommu), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, (enum uvf_domain_type)5,
					   &dom), -EINVAL);
	ck_assert_str_eq(uvf_iommu_name(iommu), "sim-vtd-sl4");
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
}
END_TEST

static int cookie_calls[4];
static int cookie_order[4], cookie_n;

static void cookie_destroy(struct uvf_domain *dom, void *data)
{
	int *which = data;
	uint64_t avail;

	/* The domain still works inside the destructor. */
	ck_assert_int_eq(uvf_domain_budget(dom, &avail), 0);
	cookie_calls[*which]++;
	cookie_order[cookie_n++] = *which;
}

START_TEST(test_cookies_are_destroyed_with_the_domain_newest_first)
{
	static int key_a, key_b, key_c;
	int ids[3] = { 0, 1, 2 };
	struct uvf_sim_iommu_params p;
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;

	memset(cookie_calls, 0, sizeof(cookie_calls));
	cookie_n = 0;
	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	ck_assert_int_eq(uvf_sim_iommu_create(&p, &iommu), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_cookie_set(NULL, &key_a, NULL, NULL),
			 -EINVAL);
	ck_assert_int_eq(uvf_domain_cookie_set(dom, NULL, NULL, NULL),
			 -EINVAL);
	ck_assert_int_eq(uvf_domain_cookie_set(dom, &key_a, &ids[0],
					       cookie_destroy), 0);
	ck_assert_int_eq(uvf_domain_cookie_set(dom, &key_a, &ids[1],
					       cookie_destroy), -EEXIST);
	ck_assert_ptr_eq(uvf_domain_cookie_get(dom, &key_a), &ids[0]);
	ck_assert_int_eq(uvf_domain_cookie_set(dom, &key_b, &ids[1],
					       cookie_destroy), 0);
	ck_assert_int_eq(uvf_domain_cookie_set(dom, &key_c, &ids[2],
					       cookie_destroy), 0);
	/* Cleared: gone, and its destructor never runs. */
	ck_assert_int_eq(uvf_domain_cookie_clear(dom, &key_c), 0);
	ck_assert_int_eq(uvf_domain_cookie_clear(dom, &key_c), -ENOENT);
	ck_assert_ptr_null(uvf_domain_cookie_get(dom, &key_c));
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	ck_assert_int_eq(cookie_calls[0], 1);
	ck_assert_int_eq(cookie_calls[1], 1);
	ck_assert_int_eq(cookie_calls[2], 0);
	ck_assert_int_eq(cookie_n, 2);
	ck_assert_int_eq(cookie_order[0], 1);
	ck_assert_int_eq(cookie_order[1], 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
}
END_TEST

static struct uvf_domain *cookie_domain(struct uvf_iommu **iommu)
{
	struct uvf_sim_iommu_params p;
	struct uvf_domain *dom;

	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	ck_assert_int_eq(uvf_sim_iommu_create(&p, iommu), 0);
	ck_assert_int_eq(uvf_domain_create(*iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	return dom;
}

/* A lock-free reader may stand on a cookie while it is cleared: walking
 * on from it must reach the live cookies, never an older cleared one of
 * the same key (whose data its owner has freed). */
START_TEST(test_a_reader_on_a_cleared_cookie_walks_on_to_live_ones)
{
	static int key_a, key_b;
	int stale = 1, live = 2;
	struct uvf_domain_cookie *on, *c;
	struct uvf_iommu *iommu;
	struct uvf_domain *dom = cookie_domain(&iommu);

	ck_assert_int_eq(uvf_domain_cookie_set(dom, &key_b, &stale, NULL), 0);
	ck_assert_int_eq(uvf_domain_cookie_clear(dom, &key_b), 0);
	ck_assert_int_eq(uvf_domain_cookie_set(dom, &key_b, &live, NULL), 0);
	ck_assert_int_eq(uvf_domain_cookie_set(dom, &key_a, NULL, NULL), 0);
	/* The reader is on a's node, looking for b; a is cleared. */
	on = atomic_load(&dom->cookies);
	ck_assert_ptr_eq(on->key, &key_a);
	ck_assert_int_eq(uvf_domain_cookie_clear(dom, &key_a), 0);
	for (c = atomic_load(&on->next); c && c->key != &key_b;
	     c = atomic_load(&c->next))
		;
	ck_assert_ptr_nonnull(c);
	ck_assert_ptr_eq(atomic_load(&c->data), &live);
	ck_assert_ptr_eq(uvf_domain_cookie_get(dom, &key_b), &live);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
}
END_TEST

/* A driver opened and closed for the life of a domain attaches and
 * detaches its heap each time: the domain must not grow with it. */
START_TEST(test_set_and_clear_cycles_reuse_one_cookie)
{
	static int key;
	struct uvf_domain_cookie *c;
	struct uvf_iommu *iommu;
	struct uvf_domain *dom = cookie_domain(&iommu);
	int i, ids[100], nodes = 0;

	for (i = 0; i < 100; i++) {
		ids[i] = i;
		ck_assert_int_eq(uvf_domain_cookie_set(dom, &key, &ids[i],
						       NULL), 0);
		ck_assert_ptr_eq(uvf_domain_cookie_get(dom, &key), &ids[i]);
		ck_assert_int_eq(uvf_domain_cookie_clear(dom, &key), 0);
	}
	for (c = dom->cleared; c; c = c->cleared_next)
		nodes++;
	ck_assert_int_eq(nodes, 1);
	ck_assert_ptr_null(uvf_domain_cookie_get(dom, &key));
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("domain");
	TCase *tc = tcase_create("domain");

	tcase_add_loop_test(tc, test_fixed_map_bad_input_catalogue_changes_nothing, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_direct_domain_refuses_fixed_maps, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_firmware_direct_region_is_identity_mapped_at_attach, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_reserved_regions_are_never_allocated, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_attach_collision_with_direct_region_rolls_back, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, test_devices_share_a_domain_and_lifetime_is_enforced, 0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_test(tc, test_bad_domain_and_iommu_parameters);
	tcase_add_test(tc, test_cookies_are_destroyed_with_the_domain_newest_first);
	tcase_add_test(tc, test_a_reader_on_a_cleared_cookie_walks_on_to_live_ones);
	tcase_add_test(tc, test_set_and_clear_cycles_reuse_one_cookie);
	suite_add_tcase(s, tc);
	return s;
}
