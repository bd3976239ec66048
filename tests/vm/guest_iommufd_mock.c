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
 *  - I/O page faults through an iommufd fault queue (6.12 reports them
 *    only from a nested HWPT): uvf allocates the queue, a nesting parent
 *    and a nested mock HWPT reporting to the queue, the mock moves onto
 *    it and raises a page request (IOMMU_TEST_OP_TRIGGER_IOPF); uvf reads
 *    it exactly, the kernel refuses a bad cookie and a second answer, and
 *    uvf_vfio_fault_service() handles and answers the next.
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
#include <poll.h>
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
	TEST_OP_TRIGGER_IOPF = 15,
};
/* The mock's nested HWPT data (struct iommu_hwpt_selftest). */
#define HWPT_DATA_SELFTEST 0xdead
#define TEST_IOTLB_DEFAULT 0xbadbeef
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
		struct {
			__u32 dev_id, pasid, grpid, perm;
			__u64 addr;
		} trigger_iopf;
		/* The kernel's union is larger. */
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

#ifdef IOMMU_FAULT_QUEUE_ALLOC
#define IOPF_ADDR (MOCK_APERTURE_START + 0x5000)
#define IOPF_PERM (UVF_FAULT_PERM_READ | UVF_FAULT_PERM_WRITE)

/* The mock raises a page request for @addr, as a PRI-capable device. */
static int mock_iopf(struct mock *m, uint64_t addr)
{
	struct test_cmd c = { .op = TEST_OP_TRIGGER_IOPF };

	c.trigger_iopf.dev_id = m->idev;
	c.trigger_iopf.pasid = 1;
	c.trigger_iopf.grpid = 2;
	c.trigger_iopf.perm = IOPF_PERM;
	c.trigger_iopf.addr = addr;
	return test_cmd(m->fd, &c);
}

static int record_fault(void *arg, const struct uvf_vfio_fault *f)
{
	*(struct uvf_vfio_fault *)arg = *f;
	return 0;
}

/* Page faults from the mock reach uvf; the mock ends up on @back. */
static void fault_check(struct uvf_domain *dom, struct mock *m,
			uint32_t back, struct uvf_vfio_fault_queue **q)
{
	static const __u32 iotlb = TEST_IOTLB_DEFAULT;
	struct uvf_vfio_hwpt_opts o = {
		.data_type = HWPT_DATA_SELFTEST, .data_len = sizeof(iotlb),
		.data = &iotlb,
	};
	struct test_cmd c = { .op = TEST_OP_MOCK_DOMAIN_REPLACE,
			      .id = m->stdev };
	struct uvf_vfio_fault f = { .cookie = 0 }, seen = { .cookie = 0 };
	struct pollfd p;
	uint32_t nested, h;
	int ret;

	ret = uvf_vfio_fault_queue_alloc(uvf_domain_iommu(dom), q);
	if (!tap(!ret, "fault queue: %d", ret))
		return;
	o.fault = *q;
	ret = uvf_vfio_hwpt_alloc(dom, m->idev, UVF_HWPT_NEST_PARENT,
				  &o.parent_id);
	if (!ret)
		ret = uvf_vfio_hwpt_alloc_opts(dom, m->idev, &o, &nested);
	if (!tap(!ret, "nested mock HWPT reporting to the queue: %d", ret))
		return;
	/* 6.12 reports faults only from a nested HWPT. */
	o = (struct uvf_vfio_hwpt_opts){ .fault = *q };
	ret = uvf_vfio_hwpt_alloc_opts(dom, m->idev, &o, &h);
	tap(ret == -EOPNOTSUPP, "a paging HWPT with a fault queue: %d", ret);
	c.mock_domain_replace.pt_id = nested;
	ret = test_cmd(m->fd, &c);
	if (!tap(!ret, "mock device replaced onto the nested HWPT: %d", ret))
		return;
	ret = uvf_vfio_fault_queue_destroy(*q);
	tap(ret == -EBUSY, "queue in use is not destroyed: %d", ret);

	ret = mock_iopf(m, IOPF_ADDR);
	p = (struct pollfd){ .fd = uvf_vfio_fault_queue_fd(*q),
			     .events = POLLIN };
	if (!ret)
		ret = poll(&p, 1, 2000) == 1 && (p.revents & POLLIN) ? 0
								     : -EIO;
	if (tap(!ret, "page request raised, the queue polls readable: %d",
		ret)) {
		ret = uvf_vfio_fault_read(*q, &f, 1);
		tap(ret == 1 && f.addr == IOPF_ADDR && f.perm == IOPF_PERM &&
			    f.dev_id == m->idev && f.pasid == 1 &&
			    f.grpid == 2 &&
			    f.flags == (UVF_FAULT_PASID_VALID |
					UVF_FAULT_LAST_PAGE),
		    "fault read through uvf: %d, addr %#llx perm %#x dev %u "
		    "pasid %u grp %u flags %#x", ret,
		    (unsigned long long)f.addr, f.perm, f.dev_id, f.pasid,
		    f.grpid, f.flags);
		ret = uvf_vfio_fault_respond(*q, f.cookie + 100,
					     UVF_FAULT_RESP_SUCCESS);
		tap(ret == -EINVAL, "unknown cookie refused: %d", ret);
		ret = uvf_vfio_fault_respond(*q, f.cookie,
					     UVF_FAULT_RESP_SUCCESS);
		tap(!ret, "page response sent: %d", ret);
		ret = uvf_vfio_fault_respond(*q, f.cookie,
					     UVF_FAULT_RESP_SUCCESS);
		tap(ret == -EINVAL, "second response refused: %d", ret);
		ret = uvf_vfio_fault_read(*q, &f, 1);
		tap(ret == 0, "queue empty after: %d", ret);
	}
	ret = mock_iopf(m, IOPF_ADDR + 0x1000);
	if (!ret)
		ret = uvf_vfio_fault_service(*q, record_fault, &seen);
	tap(ret == 1 && seen.addr == IOPF_ADDR + 0x1000,
	    "service handled and answered the next: %d, addr %#llx", ret,
	    (unsigned long long)seen.addr);
	c.mock_domain_replace.pt_id = back;
	ret = test_cmd(m->fd, &c);
	tap(!ret, "mock device back on its HWPT: %d", ret);
}
#endif

int main(int argc, char **argv)
{
	struct uvf_vfio_opts o = { .backend = UVF_VFIO_IOMMUFD };
	struct uvf_vfio_hw_info hi;
	struct uvf_iommu *iommu;
	struct uvf_device *edu;
	struct uvf_domain *dom;
	struct test_cmd c = { .op = TEST_OP_MOCK_DOMAIN };
	struct mock m = { .fd = -1 };
	struct uvf_vfio_fault_queue *q = NULL;
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
#ifdef IOMMU_FAULT_QUEUE_ALLOC
	fault_check(dom, &m, m.hwpt, &q);
#else
	tap_skip("I/O page faults", "built without the 6.11+ uAPI");
#endif

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
	/* Its HWPTs gone, the queue is free. */
	ret = uvf_vfio_fault_queue_destroy(q);
	tap(!ret, "fault queue destroyed: %d", ret);
	uvf_device_close(edu);
	uvf_iommu_destroy(iommu);
	return tap_finish();
}
