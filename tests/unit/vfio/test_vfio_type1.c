/* SPDX-License-Identifier: MIT */
/* The group + container backends (type1, noiommu) and VFIO devices, on the
 * fake kernel: container setup, failed opens that change nothing, the
 * mapping budget, reserved regions, BAR access with sparse mmap,
 * interrupts, lifetimes. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/iommu.h>

#include "check_main.h"
#include "fake_vfio.h"

#define EDU "0000:00:07.0"
#define NIC "0000:00:05.0"
#define PG 4096ul

static struct fake_vfio fk;
static struct uvf_iommu *iommu;
static struct uvf_device *dev;
static struct uvf_domain *dom;
static char *mem;

static void setup(void)
{
	fk_init(&fk);
	fk_add_dev(&fk, EDU, 4);
	fk_add_dev(&fk, NIC, 5);
	iommu = NULL;
	dev = NULL;
	dom = NULL;
	mem = mmap(NULL, 64 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
}

static void teardown(void)
{
	munmap(mem, 64 * PG);
	fk_fini(&fk);
}

/* Context + EDU + a translated domain with EDU attached. */
static void open_all(enum uvf_vfio_backend b)
{
	struct uvf_vfio_opts o = fk_opts(&fk, b);

	fk_publish(&fk);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
}

static void close_all(void)
{
	if (dom) {
		uvf_domain_detach(dom, dev);
		ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	}
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
	ck_assert_uint_eq(fk.groups_in, 0);
}

START_TEST(test_first_group_sets_type1v2_and_device_info_is_read)
{
	struct uvf_bar_info bi;

	open_all(UVF_VFIO_TYPE1);
	ck_assert_uint_eq(fk.iommu, VFIO_TYPE1v2_IOMMU);
	ck_assert_uint_eq(fk.groups_in, 1);
	ck_assert_str_eq(uvf_iommu_name(iommu), "vfio-type1v2");
	ck_assert_int_eq(uvf_vfio_device_group(dev), 4);
	ck_assert_int_ge(uvf_vfio_device_fd(dev), 0);
	ck_assert_uint_eq(uvf_device_rid(dev, NULL), 0x38);
	ck_assert_int_eq(uvf_device_bar_info(dev, 0, &bi), 0);
	ck_assert_uint_eq(bi.size, 0x4000);
	ck_assert_uint_eq(bi.flags, UVF_BAR_MMIO | UVF_BAR_MMAP | UVF_BAR_64);
	ck_assert_int_eq(uvf_device_bar_info(dev, 1, &bi), -ENODEV);
	close_all();
}
END_TEST

START_TEST(test_type1_is_the_fallback_without_v2)
{
	fk.type1v2 = false;
	open_all(UVF_VFIO_TYPE1);
	ck_assert_uint_eq(fk.iommu, VFIO_TYPE1_IOMMU);
	ck_assert_str_eq(uvf_iommu_name(iommu), "vfio-type1");
	close_all();
}
END_TEST

START_TEST(test_container_without_type1_is_enotsup)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);

	fk.type1v2 = fk.type1 = false;
	fk_publish(&fk);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -ENOTSUP);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}
END_TEST

START_TEST(test_failed_device_open_leaves_the_container_as_it_was)
{
	struct uvf_device *nic;
	uint64_t avail;

	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_domain_map(dom, 0x100000, mem, PG, UVF_PROT_RW),
			 0);
	uvf_domain_budget(dom, &avail);

	/* Group not viable: never joins. */
	fk.group[1].viable = false;
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &nic), -EBUSY);
	ck_assert_uint_eq(fk.groups_in, 1);
	fk.group[1].viable = true;
	/* The kernel refuses the device fd: the group leaves again. */
	fk.fail_req = VFIO_GROUP_GET_DEVICE_FD;
	fk.fail_err = -EPERM;
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &nic), -EPERM);
	ck_assert_uint_eq(fk.groups_in, 1);
	ck_assert(!fk.group[1].open);
	/* Its IOMMU cannot reach the domain's IOVAs: refused, -ERANGE. */
	fk.ranges[1].end = 0xffffffff;
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &nic), -ERANGE);
	ck_assert_uint_eq(fk.groups_in, 1);
	ck_assert(!fk.group[1].open);
	/* Already open. */
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &nic), -EBUSY);

	ck_assert_uint_eq(fk.nr_entries, 1);
	ck_assert_uint_eq(fk.iommu, VFIO_TYPE1v2_IOMMU);
	ck_assert_int_eq(uvf_domain_budget(dom, &avail), 0);
	ck_assert_uint_eq(avail, fk.dma_avail);
	ck_assert_int_eq(uvf_domain_unmap(dom, 0x100000, PG), 0);
	close_all();
}
END_TEST

START_TEST(test_failed_unregister_keeps_the_mapping_findable)
{
	uvf_iova_t iova, found;

	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_dma_register(dev, mem, 4 * PG, &iova), 0);
	ck_assert_uint_eq(fk.nr_entries, 1);

	/* The kernel refuses the unmap: the mapping is still live, so the
	 * registration that finds it must be too. */
	fk.fail_req = VFIO_IOMMU_UNMAP_DMA;
	fk.fail_err = -EIO;
	ck_assert_int_eq(uvf_dma_unregister(dev, mem, 4 * PG), -EIO);
	ck_assert_uint_eq(fk.nr_entries, 1);
	ck_assert_int_eq(uvf_dma_vtoiova(dev, mem + PG, &found), 0);
	ck_assert_uint_eq(found, iova + PG);

	/* A retry finds it and unmaps it. */
	ck_assert_int_eq(uvf_dma_unregister(dev, mem, 4 * PG), 0);
	ck_assert_uint_eq(fk.nr_entries, 0);
	ck_assert_int_eq(uvf_dma_vtoiova(dev, mem, &found), -ENOENT);
	close_all();
}
END_TEST

START_TEST(test_groups_share_the_container)
{
	struct uvf_device *nic;

	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &nic), 0);
	ck_assert_uint_eq(fk.groups_in, 2);
	ck_assert_int_eq(uvf_domain_attach(dom, nic), 0);
	uvf_device_close(nic);
	ck_assert_uint_eq(fk.groups_in, 1);
	close_all();
}
END_TEST

START_TEST(test_one_translated_domain_per_container)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);
	struct uvf_domain *other;

	fk_publish(&fk);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	/* No group yet, so no IOMMU to translate with. */
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED,
					   &other), -ENODEV);
	uvf_iommu_destroy(iommu);
	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED,
					   &other), -ENOTSUP);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_DIRECT, &other),
			 -ENOTSUP);
	close_all();
}
END_TEST

START_TEST(test_budget_runs_out_with_enospc_and_loses_nothing)
{
	uvf_iova_t iova[9];
	uint64_t avail;
	int i;

	fk.dma_entry_limit = fk.dma_avail = 8;
	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_domain_budget(dom, &avail), 0);
	ck_assert_uint_eq(avail, 8);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(uvf_dma_map_page(dev, mem + i * PG, PG,
						  UVF_DMA_TO_DEVICE, &iova[i]),
				 0);
	ck_assert_int_eq(uvf_dma_map_page(dev, mem + 8 * PG, PG,
					  UVF_DMA_TO_DEVICE, &iova[8]),
			 -ENOSPC);
	ck_assert_int_eq(uvf_domain_map(dom, 0x100000, mem, PG, UVF_PROT_RW),
			 -ENOSPC);
	uvf_domain_budget(dom, &avail);
	ck_assert_uint_eq(avail, 0);
	ck_assert_uint_eq(fk.nr_entries, 8);
	ck_assert_int_eq(uvf_domain_unmap(dom, 0x100000, PG), -ENOENT);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(uvf_dma_unmap_page(dev, iova[i], PG,
						    UVF_DMA_TO_DEVICE), 0);
	uvf_domain_budget(dom, &avail);
	ck_assert_uint_eq(avail, 8);
	ck_assert_uint_eq(fk.nr_entries, 0);
	close_all();
}
END_TEST

START_TEST(test_scatter_gather_costs_one_entry_per_segment)
{
	struct uvf_sg sg[3] = {
		{ mem, PG, 0 }, { mem + 4 * PG, 2 * PG, 0 },
		{ mem + 10 * PG, 100, 0 },
	};
	uint64_t avail;

	fk.dma_entry_limit = fk.dma_avail = 3;
	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_dma_map_sg(dev, sg, 3, UVF_DMA_BIDIRECTIONAL), 3);
	ck_assert_uint_eq(fk.nr_entries, 3);
	uvf_domain_budget(dom, &avail);
	ck_assert_uint_eq(avail, 0);
	/* One kernel unmap takes the record's three entries. */
	ck_assert_int_eq(uvf_dma_unmap_sg(dev, sg, 3, UVF_DMA_BIDIRECTIONAL),
			 0);
	ck_assert_uint_eq(fk.nr_entries, 0);
	uvf_domain_budget(dom, &avail);
	ck_assert_uint_eq(avail, 3);
	/* Four segments do not fit: the three mapped are undone. */
	fk.dma_avail = 3;
	ck_assert_int_eq(uvf_dma_map_sg(dev, (struct uvf_sg[4]){
			{ mem, PG, 0 }, { mem + 2 * PG, PG, 0 },
			{ mem + 4 * PG, PG, 0 }, { mem + 6 * PG, PG, 0 } },
			4, UVF_DMA_BIDIRECTIONAL), -ENOSPC);
	ck_assert_uint_eq(fk.nr_entries, 0);
	uvf_domain_budget(dom, &avail);
	ck_assert_uint_eq(avail, 3);
	close_all();
}
END_TEST

START_TEST(test_budget_without_the_capability_is_unlimited)
{
	uint64_t avail = 0;

	fk.report_avail = false;
	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_domain_budget(dom, &avail), 0);
	ck_assert_uint_eq(avail, UINT64_MAX);
	close_all();
}
END_TEST

START_TEST(test_sysfs_reserved_regions_are_never_handed_out)
{
	struct uvf_resv_region r[4];
	struct uvf_iova_range u[8];
	int i, n;

	fk_publish(&fk);
	fake_write(&fk.fs, "kernel/iommu_groups/4/reserved_regions",
		   "0x0000000000000000 0x0000000000ffffff direct-relaxable\n"
		   "0x00000000fee00000 0x00000000feefffff msi\n");
	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_domain_reserved_regions(dom, r, 4), 2);
	n = uvf_domain_iova_ranges(dom, u, 8);
	ck_assert_int_eq(n, 2);
	ck_assert_uint_eq(u[0].first, 0x1000000);
	ck_assert_uint_eq(u[0].last, 0xfedfffff);
	ck_assert_uint_eq(u[1].first, 0xfef00000);
	ck_assert_int_eq(uvf_domain_map(dom, 0xfee00000, mem, PG, UVF_PROT_RW),
			 -ERANGE);
	ck_assert_int_eq(uvf_domain_map(dom, 0x1000, mem, PG, UVF_PROT_RW),
			 -ERANGE);
	for (i = 0; i < 16; i++) {
		uvf_iova_t iova;

		ck_assert_int_eq(uvf_dma_map_page(dev, mem + i * PG, PG,
						  UVF_DMA_TO_DEVICE, &iova), 0);
		ck_assert(iova >= 0x1000000);
		ck_assert(iova < 0xfee00000 || iova > 0xfeefffff);
	}
	ck_assert_uint_eq(fk.nr_entries, 16);
	/* Destroying the domain unmaps what was left. */
	close_all();
	ck_assert_uint_eq(fk.nr_entries, 0);
}
END_TEST

START_TEST(test_iova_last_limits_every_iova)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);
	struct uvf_iova_range u[8];
	uvf_iova_t iova;
	int n;

	o.iova_last = (1ull << 28) - 1;
	fk_publish(&fk);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
	n = uvf_domain_iova_ranges(dom, u, 8);
	ck_assert_int_eq(n, 1);
	ck_assert_uint_eq(u[0].last, (1ull << 28) - 1);
	ck_assert_int_eq(uvf_dma_map_page(dev, mem, 16 * PG,
					  UVF_DMA_BIDIRECTIONAL, &iova), 0);
	ck_assert(iova + 16 * PG - 1 <= (1ull << 28) - 1);
	ck_assert_int_eq(uvf_domain_map(dom, 1ull << 28, mem, PG, UVF_PROT_RW),
			 -ERANGE);
	close_all();
}
END_TEST

START_TEST(test_last_group_stays_while_the_domain_lives)
{
	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_domain_map(dom, 0x100000, mem, PG, UVF_PROT_RW),
			 0);
	uvf_device_close(dev);	/* detaches */
	dev = NULL;
	/* The kernel would drop the mapping with the last group. */
	ck_assert_uint_eq(fk.groups_in, 1);
	ck_assert_uint_eq(fk.nr_entries, 1);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	ck_assert_uint_eq(fk.groups_in, 0);
	ck_assert_uint_eq(fk.nr_entries, 0);
	dom = NULL;
	close_all();
}
END_TEST

START_TEST(test_context_outlives_destroy_until_the_last_device_closes)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);
	uint64_t v = 0;

	fk_publish(&fk);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_int_eq(uvf_device_bar_read(dev, 0, 0x1000, &v, 4), 0);
	ck_assert_uint_gt(fk_open_fds(&fk), 0);
	uvf_device_close(dev);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}
END_TEST

START_TEST(test_kernel_chosen_iova_is_iommufd_only)
{
	uvf_iova_t iova;

	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_vfio_map_kernel_iova(dom, mem, PG, UVF_PROT_RW,
						  &iova), -ENOTSUP);
	ck_assert_int_eq(uvf_vfio_map_kernel_iova(dom, mem + 1, PG,
						  UVF_PROT_RW, &iova),
			 -EINVAL);
	close_all();
}
END_TEST

START_TEST(test_sparse_bar_maps_only_the_allowed_areas)
{
	struct fk_dev *d = &fk.dev[0];
	struct uvf_bar_info bi;
	uint64_t v = 0;
	void *p;

	/* Page 1 of BAR0 (say, an MSI-X table) may not be mapped. */
	d->region[0].nr_sparse = 2;
	d->region[0].sparse[0] = (struct vfio_region_sparse_mmap_area){
		0, 0x1000 };
	d->region[0].sparse[1] = (struct vfio_region_sparse_mmap_area){
		0x2000, 0x2000 };
	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_device_bar_info(dev, 0, &bi), 0);
	ck_assert_uint_eq(bi.flags & UVF_BAR_MMAP, 0);
	ck_assert_int_eq(uvf_device_bar_map(dev, 0, &p), -ENOTSUP);

	/* In the hole: pwrite/pread on the device fd. */
	ck_assert_int_eq(uvf_device_bar_write(dev, 0, 0x1008, 0x11223344, 4),
			 0);
	ck_assert_uint_eq(*(uint32_t *)&d->bar0[0x1008], 0x11223344);
	ck_assert_int_eq(uvf_device_bar_read(dev, 0, 0x1008, &v, 4), 0);
	ck_assert_uint_eq(v, 0x11223344);
	/* In an area: the mapping (the fake's stand-in memory). */
	ck_assert_int_eq(uvf_device_bar_write(dev, 0, 0x2010,
					      0x5566778899aabbccull, 8), 0);
	ck_assert_uint_eq(*(uint64_t *)&d->bar0[0x2010], 0);
	ck_assert_int_eq(uvf_device_bar_read(dev, 0, 0x2010, &v, 8), 0);
	ck_assert_uint_eq(v, 0x5566778899aabbccull);
	ck_assert_uint_eq(d->mmaps, 2);
	close_all();
}
END_TEST

START_TEST(test_whole_bar_maps_once)
{
	void *p, *q;

	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_device_bar_map(dev, 0, &p), 0);
	ck_assert_int_eq(uvf_device_bar_map(dev, 0, &q), 0);
	ck_assert_ptr_eq(p, q);
	ck_assert_uint_eq(fk.dev[0].mmaps, 1);
	*(volatile uint32_t *)((char *)p + 0x40) = 0xabcd;
	close_all();
}
END_TEST

START_TEST(test_bar_without_mmap_uses_pread)
{
	uint64_t v = 0;
	void *p;

	fk.dev[0].region[0].flags &= ~VFIO_REGION_INFO_FLAG_MMAP;
	fk.dev[0].bar0[0x20] = 0x7f;
	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_device_bar_map(dev, 0, &p), -ENOTSUP);
	ck_assert_int_eq(uvf_device_bar_read(dev, 0, 0x20, &v, 1), 0);
	ck_assert_uint_eq(v, 0x7f);
	ck_assert_uint_eq(fk.dev[0].mmaps, 0);
	close_all();
}
END_TEST

START_TEST(test_config_space_reads_writes_and_range)
{
	uint16_t cmd = 0x6, back = 0;
	uint8_t b[4];

	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_device_cfg_write(dev, 4, &cmd, 2), 0);
	ck_assert_int_eq(uvf_device_cfg_read(dev, 4, &back, 2), 0);
	ck_assert_uint_eq(back, 6);
	ck_assert_uint_eq(fk.dev[0].cfg[4], 6);
	ck_assert_int_eq(uvf_device_cfg_read(dev, 254, b, 4), -ERANGE);
	ck_assert_int_eq(uvf_device_cfg_write(dev, 256, b, 1), -ERANGE);
	close_all();
}
END_TEST

START_TEST(test_irqs_hand_the_cores_eventfds_to_set_irqs)
{
	struct fk_dev *d = &fk.dev[0];
	int i;

	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_device_irq_enable(dev, UVF_IRQ_MSIX, 9),
			 -ENOTSUP);
	ck_assert_uint_eq(d->set_irqs, 0);
	ck_assert_int_eq(uvf_device_irq_enable(dev, UVF_IRQ_MSIX, 8), 0);
	ck_assert_uint_eq(d->last_irq_index, VFIO_PCI_MSIX_IRQ_INDEX);
	ck_assert_uint_eq(d->last_irq_count, 8);
	ck_assert_uint_eq(d->last_irq_flags, VFIO_IRQ_SET_DATA_EVENTFD |
						     VFIO_IRQ_SET_ACTION_TRIGGER);
	for (i = 0; i < 8; i++)
		ck_assert_int_eq(d->last_fds[i], uvf_device_irq_fd(dev, i));
	ck_assert_int_eq(uvf_vfio_device_intx_unmask(dev), -EINVAL);
	ck_assert_int_eq(uvf_device_irq_disable(dev), 0);
	ck_assert_uint_eq(d->last_irq_count, 0);
	ck_assert_uint_eq(d->last_irq_flags, VFIO_IRQ_SET_DATA_NONE |
						     VFIO_IRQ_SET_ACTION_TRIGGER);
	ck_assert_int_eq(uvf_device_irq_enable(dev, UVF_IRQ_INTX, 1), 0);
	ck_assert_int_eq(uvf_vfio_device_intx_unmask(dev), 0);
	ck_assert_uint_eq(d->last_irq_flags, VFIO_IRQ_SET_DATA_NONE |
						     VFIO_IRQ_SET_ACTION_UNMASK);
	close_all();
}
END_TEST

START_TEST(test_close_after_a_failed_irq_disable_leaks_no_eventfd)
{
	struct fk_dev *d = &fk.dev[0];
	unsigned int before;

	open_all(UVF_VFIO_TYPE1);
	before = fk_process_fds();
	ck_assert_int_eq(uvf_device_irq_enable(dev, UVF_IRQ_MSIX, 4), 0);
	ck_assert_uint_eq(fk_process_fds(), before + 4);

	/* A refused disable is an error and changes nothing. */
	fk.fail_req = VFIO_DEVICE_SET_IRQS;
	fk.fail_err = -EIO;
	ck_assert_int_eq(uvf_device_irq_disable(dev), -EIO);
	ck_assert_uint_eq(fk_process_fds(), before + 4);
	ck_assert_int_ge(uvf_device_irq_fd(dev, 3), 0);
	ck_assert_uint_eq(d->last_irq_count, 4);

	/* Closing the device after another refusal still closes the
	 * eventfds: the device fd going away releases the triggers. */
	fk.fail_req = VFIO_DEVICE_SET_IRQS;
	fk.fail_err = -EIO;
	uvf_domain_detach(dom, dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	dom = NULL;
	close_all();
	ck_assert_uint_eq(fk_process_fds(), before);
}
END_TEST

START_TEST(test_reset_needs_the_device_flag)
{
	fk.dev[0].reset = false;
	fk.dev[1].reset = true;
	open_all(UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_device_reset(dev), -ENOTSUP);
	ck_assert_uint_eq(fk.dev[0].resets, 0);
	{
		struct uvf_device *nic;

		ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &nic), 0);
		ck_assert_int_eq(uvf_device_reset(nic), 0);
		ck_assert_uint_eq(fk.dev[1].resets, 1);
		uvf_device_close(nic);
	}
	close_all();
}
END_TEST

static void open_noiommu(void)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_AUTO);

	fk.noiommu_ext = true;
	fk.dev[0].noiommu = true;
	fk_publish(&fk);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_vfio_backend(iommu), UVF_VFIO_NOIOMMU);
	ck_assert_uint_eq(fk.iommu, VFIO_NOIOMMU_IOMMU);
}

START_TEST(test_noiommu_direct_address_is_the_physical_one)
{
	struct uvf_domain *t;
	uvf_iova_t a;

	open_noiommu();
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &t),
			 -ENOTSUP);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_DIRECT, &dom), 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
	fk.pfn_base = 0x1234;
	ck_assert_int_eq(uvf_dma_map_page(dev, mem + 0x10, 3 * PG,
					  UVF_DMA_BIDIRECTIONAL, &a), 0);
	ck_assert_uint_eq(a, 0x1234000 + 0x10);
	/* Scattered pages cannot be one device range. */
	fk.pfn_stride = 2;
	ck_assert_int_eq(uvf_dma_map_page(dev, mem, 2 * PG,
					  UVF_DMA_BIDIRECTIONAL, &a), -ENOTSUP);
	ck_assert_int_eq(uvf_dma_map_page(dev, mem, PG, UVF_DMA_BIDIRECTIONAL,
					  &a), 0);
	/* PFNs hidden (no CAP_SYS_ADMIN), or no page. */
	fk.pfn_base = 0;
	fk.pfn_stride = 0;
	ck_assert_int_eq(uvf_dma_map_page(dev, mem, PG, UVF_DMA_BIDIRECTIONAL,
					  &a), -EPERM);
	fk.pfn_present = false;
	ck_assert_int_eq(uvf_dma_map_page(dev, mem, PG, UVF_DMA_BIDIRECTIONAL,
					  &a), -EFAULT);
	close_all();
}
END_TEST

START_TEST(test_noiommu_context_refuses_a_normal_group)
{
	struct uvf_device *nic;

	open_noiommu();
	ck_assert_int_eq(uvf_vfio_device_open(iommu, NIC, &nic), -ENOTSUP);
	ck_assert_uint_eq(fk.groups_in, 1);
	close_all();
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_type1");
	TCase *tc = tcase_create("type1");
	TCase *dv = tcase_create("device");
	TCase *no = tcase_create("noiommu");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_first_group_sets_type1v2_and_device_info_is_read);
	tcase_add_test(tc, test_type1_is_the_fallback_without_v2);
	tcase_add_test(tc, test_container_without_type1_is_enotsup);
	tcase_add_test(tc, test_failed_device_open_leaves_the_container_as_it_was);
	tcase_add_test(tc, test_groups_share_the_container);
	tcase_add_test(tc, test_one_translated_domain_per_container);
	tcase_add_test(tc, test_budget_runs_out_with_enospc_and_loses_nothing);
	tcase_add_test(tc, test_scatter_gather_costs_one_entry_per_segment);
	tcase_add_test(tc, test_budget_without_the_capability_is_unlimited);
	tcase_add_test(tc, test_sysfs_reserved_regions_are_never_handed_out);
	tcase_add_test(tc, test_iova_last_limits_every_iova);
	tcase_add_test(tc, test_last_group_stays_while_the_domain_lives);
	tcase_add_test(tc, test_context_outlives_destroy_until_the_last_device_closes);
	tcase_add_test(tc, test_kernel_chosen_iova_is_iommufd_only);
	tcase_add_test(tc, test_failed_unregister_keeps_the_mapping_findable);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(dv, setup, teardown);
	tcase_add_test(dv, test_sparse_bar_maps_only_the_allowed_areas);
	tcase_add_test(dv, test_whole_bar_maps_once);
	tcase_add_test(dv, test_bar_without_mmap_uses_pread);
	tcase_add_test(dv, test_config_space_reads_writes_and_range);
	tcase_add_test(dv, test_irqs_hand_the_cores_eventfds_to_set_irqs);
	tcase_add_test(dv, test_close_after_a_failed_irq_disable_leaks_no_eventfd);
	tcase_add_test(dv, test_reset_needs_the_device_flag);
	suite_add_tcase(s, dv);

	tcase_add_checked_fixture(no, setup, teardown);
	tcase_add_test(no, test_noiommu_direct_address_is_the_physical_one);
	tcase_add_test(no, test_noiommu_context_refuses_a_normal_group);
	suite_add_tcase(s, no);
	return s;
}
