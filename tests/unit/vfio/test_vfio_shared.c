/* SPDX-License-Identifier: MIT */
/* The type1 backend on a container someone else owns (DPDK's EAL's; see
 * uvf/dpdk.h), on the fake kernel: uvf never closes it, never sets its
 * IOMMU twice, and on teardown unmaps only its own mappings. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/iommu.h>

#include "check_main.h"
#include "fake_vfio.h"

#define OWNER_DEV "0000:00:05.0"	/* the owner's device, group 5 */
#define UVF_DEV "0000:00:07.0"		/* uvf's, group 7 */
#define PG 4096ul

static struct fake_vfio fk;
static int cfd, owner_group = -1;
static char *mem;

static void setup(void)
{
	fk_init(&fk);
	fk_add_dev(&fk, OWNER_DEV, 5);
	fk_add_dev(&fk, UVF_DEV, 7);
	fk.report_avail = true;
	fk_publish(&fk);
	cfd = fk_open_node(&fk, "vfio/vfio");
	owner_group = -1;
	mem = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
}

static void teardown(void)
{
	munmap(mem, 16 * PG);
	fk_fini(&fk);
}

/* The owner puts its group in, sets type1 and maps 2 pages at 1 MiB. */
static void owner_up(void)
{
	struct vfio_iommu_type1_dma_map m = {
		.argsz = sizeof(m),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)mem + 8 * PG,
		.iova = 0x100000,
		.size = 2 * PG,
	};

	owner_group = fk_open_node(&fk, "vfio/5");
	ck_assert_int_eq(fk.sys.ioctl(fk.sys.arg, owner_group,
				      VFIO_GROUP_SET_CONTAINER, &cfd), 0);
	ck_assert_int_eq(fk.sys.ioctl(fk.sys.arg, cfd, VFIO_SET_IOMMU,
				      (void *)(uintptr_t)VFIO_TYPE1_IOMMU), 0);
	ck_assert_int_eq(fk.sys.ioctl(fk.sys.arg, cfd, VFIO_IOMMU_MAP_DMA, &m),
			 0);
}

static void owner_down(void)
{
	if (owner_group >= 0)
		fk.sys.close(fk.sys.arg, owner_group);
	fk.sys.close(fk.sys.arg, cfd);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}

static struct uvf_vfio_opts shared_opts(enum uvf_vfio_backend b, int fd)
{
	struct uvf_vfio_opts o = fk_opts(&fk, b);

	o.shared_container = true;
	o.container_fd = fd;
	return o;
}

START_TEST(test_bad_shared_container_options_open_nothing)
{
	struct uvf_vfio_opts o;
	struct uvf_iommu *iommu;
	unsigned int fds = fk_open_fds(&fk);

	/* Only type1 containers can be shared. */
	o = shared_opts(UVF_VFIO_NOIOMMU, cfd);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -ENOTSUP);
	o = shared_opts(UVF_VFIO_IOMMUFD, cfd);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -ENOTSUP);
	o = shared_opts(UVF_VFIO_TYPE1, -1);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EBADF);
	o = shared_opts(UVF_VFIO_TYPE1, 77);	/* not open */
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EBADF);
	owner_up();
	o = shared_opts(UVF_VFIO_TYPE1, owner_group);	/* not a container */
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EBADF);
	ck_assert_uint_eq(fk_open_fds(&fk), fds + 1);
	ck_assert_uint_eq(fk.iommu, VFIO_TYPE1_IOMMU);
	owner_down();
}
END_TEST

START_TEST(test_owners_iommu_is_adopted_and_its_mappings_survive)
{
	struct uvf_vfio_opts o = shared_opts(UVF_VFIO_AUTO, cfd);
	struct uvf_iommu *iommu, *normal;
	struct uvf_domain *dom;
	struct uvf_device *dev;
	uvf_iova_t iova;
	uint64_t avail;

	owner_up();
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert(uvf_vfio_context_shared(iommu));
	ck_assert_int_eq(uvf_vfio_backend(iommu), UVF_VFIO_TYPE1);
	ck_assert_int_eq(uvf_vfio_context_fd(iommu), cfd);
	ck_assert_str_eq(uvf_iommu_name(iommu), "vfio-type1-shared");
	/* A domain before uvf has any device: the owner's IOMMU is set. */
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_budget(dom, &avail), 0);
	ck_assert_uint_eq(avail, fk.dma_avail);
	/* The group joins; a second VFIO_SET_IOMMU would fail in the fake. */
	ck_assert_int_eq(uvf_vfio_device_open(iommu, UVF_DEV, &dev), 0);
	ck_assert_uint_eq(fk.groups_in, 2);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
	/* The owner's IOVAs are the owner's: the kernel refuses uvf there. */
	ck_assert_int_eq(uvf_domain_map(dom, 0x100000, mem, PG, UVF_PROT_RW),
			 -EEXIST);
	ck_assert_uint_eq(fk.nr_entries, 1);
	ck_assert_int_eq(uvf_domain_map(dom, 0x200000, mem, PG, UVF_PROT_RW),
			 0);
	ck_assert_int_eq(uvf_dma_map_page(dev, mem + PG, PG, UVF_DMA_TO_DEVICE,
					  &iova), 0);
	ck_assert_uint_eq(fk.nr_entries, 3);
	/* Teardown with uvf's mappings live: only they go. */
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk.nr_entries, 1);
	ck_assert_uint_eq(fk.entry[0].iova, 0x100000);
	ck_assert_uint_eq(fk.iommu, VFIO_TYPE1_IOMMU);
	ck_assert_uint_eq(fk.groups_in, 1);
	/* A normal context is not shared. */
	o = fk_opts(&fk, UVF_VFIO_TYPE1);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &normal), 0);
	ck_assert(!uvf_vfio_context_shared(normal));
	ck_assert(!uvf_vfio_context_shared(NULL));
	ck_assert_int_eq(uvf_iommu_destroy(normal), 0);
	owner_down();
}
END_TEST

START_TEST(test_container_without_iommu_gets_it_from_uvfs_first_group)
{
	struct uvf_vfio_opts o = shared_opts(UVF_VFIO_TYPE1, cfd);
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	struct uvf_device *dev;

	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	/* No IOMMU yet: like any type1 context, no domain before a group. */
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 -ENODEV);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, UVF_DEV, &dev), 0);
	ck_assert_uint_eq(fk.iommu, VFIO_TYPE1v2_IOMMU);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
	ck_assert_int_eq(uvf_domain_map(dom, 0x200000, mem, PG, UVF_PROT_RW),
			 0);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	/* uvf's group left, so the kernel dropped the IOMMU; the container
	 * itself is still open for its owner. */
	ck_assert_uint_eq(fk.groups_in, 0);
	ck_assert_uint_eq(fk.nr_entries, 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 1);
	owner_down();
}
END_TEST

START_TEST(test_failed_setup_on_a_shared_container_closes_nothing)
{
	struct uvf_vfio_opts o = shared_opts(UVF_VFIO_TYPE1, cfd);
	struct uvf_iommu *iommu;

	owner_up();
	fk.fail_req = VFIO_GET_API_VERSION;
	fk.fail_err = -EIO;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EBADF);
	fk.type1v2 = fk.type1 = false;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -ENOTSUP);
	ck_assert_uint_eq(fk_open_fds(&fk), 2);
	ck_assert_uint_eq(fk.nr_entries, 1);
	owner_down();
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_shared");
	TCase *tc = tcase_create("shared");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_bad_shared_container_options_open_nothing);
	tcase_add_test(tc, test_owners_iommu_is_adopted_and_its_mappings_survive);
	tcase_add_test(tc, test_container_without_iommu_gets_it_from_uvfs_first_group);
	tcase_add_test(tc, test_failed_setup_on_a_shared_container_closes_nothing);
	suite_add_tcase(s, tc);
	return s;
}
