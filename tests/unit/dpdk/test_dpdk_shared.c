/* SPDX-License-Identifier: MIT */
/*
 * One container for EAL and uvf, against the fake VFIO kernel of
 * tests/unit/vfio (the host has no VFIO; the real check runs in QEMU
 * guests): the test plays EAL's VFIO side -- its group in the container,
 * the type1 IOMMU set, its memory mapped at each segment's IOVA -- and a
 * real EAL provides the memory. uvf on that container maps none of EAL's
 * memory, keeps its allocator off EAL's IOVAs, answers lookups, sets no
 * IOMMU, and on teardown unmaps only its own mappings and closes nothing
 * of EAL's.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_malloc.h>
#include <rte_memory.h>

#include "dpdkfix.h"
#include "fake_vfio.h"

#define EAL_NIC "0000:00:05.0"	/* DPDK's device, group 5 */
#define UVF_NIC "0000:00:06.0"	/* uvf's, group 6 */

static struct fake_vfio fk;
static int eal_container, eal_group;
static unsigned int eal_entries;

/* EAL's vfio_type1_dma_map(): one entry per contiguous run. */
static int eal_map(const struct rte_memseg_list *msl,
		   const struct rte_memseg *ms, size_t len, void *arg)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)ms->addr,
		.iova = ms->iova,
		.size = len,
	};

	(void)msl;
	(void)arg;
	ck_assert_int_eq(fk.sys.ioctl(fk.sys.arg, eal_container,
				      VFIO_IOMMU_MAP_DMA, &m), 0);
	eal_entries++;
	return 0;
}

/* What rte_eal_init() does with a vfio-pci device: container, group,
 * VFIO_SET_IOMMU (type1, as EAL does), all memory mapped. */
static void eal_vfio_up(void)
{
	dpdkfix_eal_up("va");
	fk_init(&fk);
	fk_add_dev(&fk, EAL_NIC, 5);
	fk_add_dev(&fk, UVF_NIC, 6);
	fk.report_avail = true;
	/* A 48-bit IOMMU: EAL's VA-mode IOVAs may lie anywhere in user
	 * space (under ASan they are above the fake's default 39 bits). */
	fk.ranges[1].end = (1ull << 47) - 1;
	fk_publish(&fk);
	eal_container = fk_open_node(&fk, "vfio/vfio");
	eal_group = fk_open_node(&fk, "vfio/5");
	ck_assert_int_eq(fk.sys.ioctl(fk.sys.arg, eal_group,
				      VFIO_GROUP_SET_CONTAINER,
				      &eal_container), 0);
	ck_assert_int_eq(fk.sys.ioctl(fk.sys.arg, eal_container,
				      VFIO_SET_IOMMU,
				      (void *)(uintptr_t)VFIO_TYPE1_IOMMU), 0);
	eal_entries = 0;
	rte_memseg_contig_walk(eal_map, NULL);
	ck_assert_uint_gt(eal_entries, 0);
}

static void eal_vfio_down(void)
{
	fk.sys.close(fk.sys.arg, eal_group);
	fk.sys.close(fk.sys.arg, eal_container);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
	fk_fini(&fk);
}

static bool fk_has_entry_at(uint64_t iova)
{
	unsigned int i;

	for (i = 0; i < fk.nr_entries; i++)
		if (fk.entry[i].iova <= iova &&
		    iova < fk.entry[i].iova + fk.entry[i].size)
			return true;
	return false;
}

struct first {
	const void *va;
	rte_iova_t iova;
	size_t len;
};

static void first_page(void *arg, const void *va, rte_iova_t iova, size_t len)
{
	struct first *p = arg;

	if (!p->va) {
		p->va = va;
		p->iova = iova;
		p->len = len;
	}
}

START_TEST(test_uvf_on_eals_container_maps_none_of_eals_memory)
{
	struct uvf_vfio_opts o;
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	struct uvf_device *dev;
	struct uvf_dpdk_stats st;
	struct first p = { 0 };
	unsigned int ioctls, entries;
	uvf_iova_t iova, mine;
	char *buf, *big;

	eal_vfio_up();
	o = fk_opts(&fk, UVF_VFIO_AUTO);
	o.shared_container = true;
	o.container_fd = eal_container;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert(uvf_vfio_context_shared(iommu));
	ck_assert_str_eq(uvf_iommu_name(iommu), "vfio-type1-shared");
	ck_assert_int_eq(uvf_vfio_context_fd(iommu), eal_container);
	/* The container has its IOMMU: a domain before any uvf device. */
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	/* uvf's group joins without VFIO_SET_IOMMU (the fake refuses a
	 * second one). */
	ck_assert_int_eq(uvf_vfio_device_open(iommu, UVF_NIC, &dev), 0);
	ck_assert_uint_eq(fk.groups_in, 2);
	ck_assert_uint_eq(fk.iommu, VFIO_TYPE1_IOMMU);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);

	entries = fk.nr_entries;
	ioctls = fk.ioctls;
	ck_assert_int_eq(uvf_dpdk_attach_memory(dom), 0);
	ck_assert_uint_eq(fk.ioctls, ioctls);	/* no MAP_DMA, nothing */
	ck_assert_uint_eq(fk.nr_entries, entries);
	ck_assert_int_eq(uvf_dpdk_get_stats(dom, &st), 0);
	ck_assert(st.shared);
	ck_assert_uint_gt(st.pages, 0);

	/* Lookups answer EAL's IOVAs, which EAL's entries cover. */
	dpdkfix_for_each_page(first_page, &p);
	ck_assert_int_eq(uvf_dpdk_vtoiova(dom, p.va, &iova), 0);
	ck_assert_uint_eq(iova, p.iova);
	ck_assert(fk_has_entry_at(iova));
	buf = rte_malloc("uvf-test", 8192, 0);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(uvf_dma_vtoiova(dev, buf, &iova), 0);
	ck_assert_uint_eq(iova, rte_malloc_virt2iova(buf));

	/* EAL's IOVAs are out of uvf's allocator. */
	ck_assert_int_eq(uvf_domain_map(dom, p.iova, buf - ((uintptr_t)buf & 4095),
					4096, UVF_PROT_RW), -EEXIST);
	ck_assert_int_eq(uvf_dma_map_page(dev, buf, 100, UVF_DMA_TO_DEVICE,
					  &mine), 0);
	ck_assert_uint_eq(fk.nr_entries, entries + 1);	/* uvf's own */
	ck_assert_int_eq(uvf_dpdk_vtoiova(dom, (void *)(uintptr_t)mine, &iova),
			 mine >= p.iova && mine < p.iova + p.len ? 0 : -ENOENT);
	rte_free(buf);

	/* Hotplug: reserved, still no ioctl from uvf for EAL's memory. */
	ioctls = fk.ioctls;
	big = rte_malloc("uvf-test-big", 24u << 20, 0);
	ck_assert_ptr_nonnull(big);
	ck_assert_uint_eq(fk.ioctls, ioctls);
	iova = rte_malloc_virt2iova(big) & ~(uvf_iova_t)4095;
	ck_assert_int_eq(uvf_domain_map(dom, iova, big - ((uintptr_t)big & 4095),
					4096, UVF_PROT_RW), -EEXIST);
	rte_free(big);
	ck_assert_uint_eq(fk.ioctls, ioctls);

	/* Teardown: uvf unmaps its one entry, none of EAL's, closes
	 * nothing of EAL's, and leaves the IOMMU set. */
	ck_assert_int_eq(uvf_dma_unmap_page(dev, mine, 100, UVF_DMA_TO_DEVICE),
			 0);
	ck_assert_uint_eq(fk.nr_entries, entries);
	ck_assert_int_eq(uvf_dma_map_page(dev, buf, 100, UVF_DMA_TO_DEVICE,
					  &mine), 0);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);	/* detaches too */
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk.nr_entries, entries);
	ck_assert_uint_eq(fk.iommu, VFIO_TYPE1_IOMMU);
	ck_assert_uint_eq(fk.groups_in, 1);
	eal_vfio_down();
}
END_TEST

START_TEST(test_shared_container_that_is_not_eals_is_refused_or_reserved)
{
	struct uvf_vfio_opts o;
	struct uvf_iommu *iommu;

	eal_vfio_up();
	o = fk_opts(&fk, UVF_VFIO_AUTO);
	o.shared_container = true;
	o.container_fd = eal_container;
	/* EAL has no VFIO container on this host, so uvf_dpdk_vfio_open()
	 * has nothing to open. */
	ck_assert_int_eq(uvf_dpdk_vfio_open(&iommu), -ENOTSUP);
	ck_assert_int_eq(uvf_dpdk_vfio_open(NULL), -EINVAL);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk.nr_entries, eal_entries);
	eal_vfio_down();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dpdk_shared");
	TCase *tc = tcase_create("shared-container");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_uvf_on_eals_container_maps_none_of_eals_memory);
	tcase_add_test(tc, test_shared_container_that_is_not_eals_is_refused_or_reserved);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dpdkfix_main(suite, "va");
}
