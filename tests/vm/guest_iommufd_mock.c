/* SPDX-License-Identifier: MIT */
/*
 * iommufd HWPTs and dirty tracking on the kernel's IOMMUFD_TEST mock
 * domains (CONFIG_IOMMUFD_TEST, the ioctls of
 * tools/testing/selftests/iommu/iommufd_utils.h), which real vIOMMUs lack:
 *
 *  - uvf makes the IOAS (a domain of an iommufd context with edu, 00:07.0,
 *    opened), a mock device is attached to it (IOMMU_TEST_OP_MOCK_DOMAIN);
 *  - IOMMU_GET_HW_INFO of the mock through uvf: selftest type, dirty
 *    capability;
 *  - uvf allocates an HWPT with dirty tracking for the mock device and the
 *    mock moves onto it (IOMMU_TEST_OP_MOCK_DOMAIN_REPLACE);
 *  - the shared dirty-tracking body (tests/support/dirty_check.c, also run
 *    on the software model and the fake kernel in the unit suite): pages
 *    mapped through uvf, the mock "device" writes some
 *    (IOMMU_TEST_OP_DIRTY), uvf's bitmap has exactly those, then none.
 *
 * I/O page faults (IOMMU_FAULT_QUEUE_ALLOC) are not wrapped by uvf yet.
 *
 * Runs on the virtio-iommu row: with VT-d or AMD-Vi in the 6.12 guest
 * every IOMMU_TEST_OP_MOCK_DOMAIN is -EINVAL, even on a fresh IOAS (seen
 * on intel-iommufd; likely the mock device is probed by the first IOMMU
 * registered without a firmware node, the real one, and so has no mock
 * IOMMU behind it). virtio-iommu registers with one.
 *
 * usage: guest_iommufd_mock --iommufd
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/iommufd.h>

#include <uvf/device.h>
#include <uvf/iommu.h>
#include <uvf/vfio.h>

#include "dirty_check.h"
#include "guest_tap.h"

#define EDU "0000:00:07.0"

/* From drivers/iommu/iommufd/iommufd_test.h (6.12), not a uAPI header:
 * only the ops and members used here, at their offsets. */
enum {
	TEST_OP_MOCK_DOMAIN = 2,
	TEST_OP_MOCK_DOMAIN_REPLACE = 10,
	TEST_OP_DIRTY = 13,
};
#define MOCK_APERTURE_START (1ull << 24)

struct test_cmd {
	__u32 size;
	__u32 op;
	__u32 id;
	__u32 __reserved;
	union {
		struct {
			__u32 out_stdev_id, out_hwpt_id, out_idev_id;
		} mock_domain;
		struct {
			__u32 pt_id;
		} mock_domain_replace;
		struct {
			__u32 flags;
			__aligned_u64 iova, length, page_size, uptr;
			__aligned_u64 out_nr_dirty;
		} dirty;
		/* The kernel's union is larger (trigger_iopf, ...). */
		__u8 pad[40];
	};
	__u32 last;
};
#define TEST_CMD _IO(IOMMUFD_TYPE, IOMMUFD_CMD_BASE + 32)

struct mock {
	int fd;		/* the context's iommufd */
	uint32_t stdev, idev, hwpt;
};

static int test_cmd(int fd, struct test_cmd *c)
{
	c->size = sizeof(*c);
	return ioctl(fd, TEST_CMD, c) ? -errno : 0;
}

/* The mock's IOPTEs are half a page (MOCK_IO_PAGE_SIZE, PAGE_SIZE / 2),
 * and IOMMU_TEST_OP_DIRTY indexes them by @page_size: it must be that. */
#define MOCK_IO_PAGE_SIZE 2048

/* The mock device writes the 4 KiB page at @iova: IOMMU_TEST_OP_DIRTY
 * marks the IOPTEs under the set bits of the bitmap dirty, as the IOMMU
 * would on a DMA write. */
static int mock_write(void *arg, uvf_iova_t iova)
{
	struct mock *m = arg;
	uint64_t bits = 3;	/* both halves */
	struct test_cmd c = { .op = TEST_OP_DIRTY, .id = m->hwpt };
	int ret;

	c.dirty.iova = iova;
	c.dirty.length = 4096;
	c.dirty.page_size = MOCK_IO_PAGE_SIZE;
	c.dirty.uptr = (uintptr_t)&bits;
	ret = test_cmd(m->fd, &c);
	if (!ret && c.dirty.out_nr_dirty != 4096 / MOCK_IO_PAGE_SIZE)
		ret = -EIO;
	return ret;
}

/* The kernel's lines about iommufd and IOMMUs, for a failure's cause. */
static void kernel_log(void)
{
	char line[512];
	ssize_t n;
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	while (fd >= 0 && (n = read(fd, line, sizeof(line) - 1)) > 0) {
		line[n] = 0;
		if (strstr(line, "iommu") || strstr(line, "IOMMU") ||
		    strstr(line, "DMAR"))
			diag("kernel: %s", strchr(line, ';') ?
					       strchr(line, ';') + 1 : line);
	}
	if (fd >= 0)
		close(fd);
}

int main(int argc, char **argv)
{
	struct uvf_vfio_opts o = { .backend = UVF_VFIO_IOMMUFD };
	struct uvf_vfio_hw_info hi;
	struct uvf_iommu *iommu;
	struct uvf_device *edu;
	struct uvf_domain *dom;
	struct test_cmd c = { .op = TEST_OP_MOCK_DOMAIN };
	struct mock m = { .fd = -1 };
	struct dirty_rig r;
	enum uvf_vfio_backend b;
	const char *e;
	uint32_t ioas, edu_id, edu_hwpt;
	int ret;

	if (guest_backend_arg(argc, argv, &b) || b != UVF_VFIO_IOMMUFD) {
		tap_skip("iommufd mock domains", "needs --iommufd");
		return tap_finish();
	}
	ret = uvf_vfio_open(&o, &iommu);
	if (!tap(!ret, "iommufd context: %d", ret))
		return tap_finish();
	ret = uvf_vfio_device_open(iommu, EDU, &edu);
	if (!ret)
		ret = uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom);
	if (!ret)
		ret = uvf_vfio_domain_ioas(dom, &ioas);
	if (!tap(!ret, "edu open, domain and its IOAS: %d", ret))
		return tap_finish();
	m.fd = uvf_vfio_context_fd(iommu);

	c.id = ioas;
	ret = test_cmd(m.fd, &c);
	if (ret == -ENOTTY) {
		tap_skip("iommufd mock domains", "kernel without IOMMUFD_TEST");
		goto out_dom;
	}
	if (!tap(!ret, "mock device on uvf's IOAS: %d", ret)) {
		kernel_log();
		goto out_dom;
	}
	m.stdev = c.mock_domain.out_stdev_id;
	m.idev = c.mock_domain.out_idev_id;

	ret = uvf_vfio_hw_info(iommu, m.idev, &hi);
	tap(!ret && hi.type == UVF_VFIO_HW_SELFTEST &&
		    (hi.caps & UVF_VFIO_CAP_DIRTY_TRACKING),
	    "hw_info of the mock: %d, type %d (kernel %#x), caps %#llx", ret,
	    (int)hi.type, hi.kernel_type, (unsigned long long)hi.caps);

	ret = uvf_vfio_hwpt_alloc(dom, m.idev, UVF_HWPT_DIRTY_TRACKING,
				  &m.hwpt);
	if (!tap(!ret, "dirty-tracking HWPT on the IOAS: %d", ret))
		goto out_mock;
	c = (struct test_cmd){ .op = TEST_OP_MOCK_DOMAIN_REPLACE,
			       .id = m.stdev };
	c.mock_domain_replace.pt_id = m.hwpt;
	ret = test_cmd(m.fd, &c);
	if (!tap(!ret, "mock device replaced onto the HWPT: %d", ret))
		goto out_mock;

	r = (struct dirty_rig){ .dom = dom, .base = MOCK_APERTURE_START,
				.write = mock_write, .arg = &m };
	e = dirty_check_run(&r);
	tap(!e, "dirty bitmap through uvf: exactly the pages the mock wrote%s%s",
	    e ? ": " : "", e ? e : "");
	/* A real device moves between page tables of its domain too (after
	 * the mappings: with a virtio-iommu HWPT on the IOAS, a later map at
	 * the mock's aperture is -EINVAL, not yet understood). */
	ret = uvf_domain_attach(dom, edu);
	if (!ret)
		ret = uvf_vfio_device_iommufd_id(edu, &edu_id);
	if (!ret)
		ret = uvf_vfio_hwpt_alloc(dom, edu_id, 0, &edu_hwpt);
	if (!ret)
		ret = uvf_vfio_device_attach_hwpt(edu, edu_hwpt);
	if (!ret)
		ret = uvf_vfio_device_attach_hwpt(edu, ioas);
	tap(!ret, "edu replaced onto its own HWPT and back: %d", ret);
	uvf_domain_detach(dom, edu);

out_mock:
	/* The mock device goes with its object; then uvf's HWPT is free. */
	{
		struct iommu_destroy d = { .size = sizeof(d), .id = m.stdev };

		ret = ioctl(m.fd, IOMMU_DESTROY, &d) ? -errno : 0;
		tap(!ret, "mock device destroyed: %d", ret);
	}
out_dom:
	ret = uvf_domain_destroy(dom);
	tap(!ret, "domain destroyed with its HWPT: %d", ret);
	uvf_device_close(edu);
	uvf_iommu_destroy(iommu);
	return tap_finish();
}
