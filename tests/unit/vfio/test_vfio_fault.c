/* SPDX-License-Identifier: MIT */
/*
 * iommufd I/O page faults on the fake kernel: a fault queue, a nested HWPT
 * reporting to it, faults read exactly as the IOMMU reported them, page
 * responses, the service loop; every error the kernel returns reaches the
 * caller with nothing changed. Built only when iommufd is compiled in;
 * without the 6.11+ uAPI every call is -ENOTSUP.
 */
#include <errno.h>
#include <string.h>

#include <uvf/device.h>
#include <uvf/iommu.h>
#include <uvf/vfio.h>

#include "check_main.h"
#include "fake_vfio.h"

#define EDU "0000:00:07.0"

static struct fake_vfio fk;
static struct uvf_iommu *iommu;
static struct uvf_device *dev;
static struct uvf_domain *dom;
static struct uvf_vfio_fault_queue *queue;
static uint32_t devid;

static void setup(void)
{
	struct uvf_vfio_opts o;
	struct fk_dev *d;

	fk_init(&fk);
	d = fk_add_dev(&fk, EDU, 4);
	d->hw_type = FK_HW_INFO_TYPE_SELFTEST;	/* takes nested data */
	fk_publish(&fk);
	fk_add_dev_iommu(&fk);
	o = fk_opts(&fk, UVF_VFIO_IOMMUFD);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
	devid = fk.dev[0].devid;
	queue = NULL;
}

static void teardown(void)
{
	uvf_domain_detach(dom, dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	/* Its HWPTs are gone: the queue is free to go. */
	ck_assert_int_eq(uvf_vfio_fault_queue_destroy(queue), 0);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
	fk_fini(&fk);
}

#if UVF_HAVE_FAULT_UAPI
static const uint32_t selftest_iotlb = 0xbadbeef;

static unsigned int fk_nr_hwpt(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < FK_MAX_HWPT; i++)
		n += fk.hwpt[i].id != 0;
	return n;
}

static struct fk_faultq *fkq(void)
{
	uint32_t id = 0;
	unsigned int i;

	for (i = 0; i < FK_MAX_FAULTQ; i++)
		if (fk.faultq[i].id)
			id = fk.faultq[i].id;
	return fk_faultq(&fk, id);
}

/* The selftest mock's nested HWPT on a fresh nesting parent. */
static struct uvf_vfio_hwpt_opts nested_opts(uint32_t *parent)
{
	struct uvf_vfio_hwpt_opts o = {
		.data_type = FK_HWPT_DATA_SELFTEST,
		.data_len = sizeof(selftest_iotlb), .data = &selftest_iotlb,
		.fault = queue,
	};

	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, UVF_HWPT_NEST_PARENT,
					     parent), 0);
	o.parent_id = *parent;
	return o;
}

/* A queue, a nested HWPT reporting to it, the device on that HWPT. */
static uint32_t device_on_fault_hwpt(void)
{
	struct uvf_vfio_hwpt_opts o;
	uint32_t parent, h;

	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(iommu, &queue), 0);
	o = nested_opts(&parent);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &o, &h), 0);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, h), 0);
	return h;
}

static void trigger(uint64_t addr, unsigned int n)
{
	struct fk_iopf f[FK_MAX_GROUP_FAULTS];
	unsigned int i;

	for (i = 0; i < n; i++)
		f[i] = (struct fk_iopf){
			.flags = IOMMU_PGFAULT_FLAGS_PASID_VALID, .pasid = 1,
			.grpid = 2, .perm = IOMMU_PGFAULT_PERM_READ |
					    IOMMU_PGFAULT_PERM_WRITE,
			.addr = addr + i * 4096,
		};
	ck_assert_int_eq(fk_fault_trigger(&fk, devid, f, n), 0);
}

START_TEST(test_queue_is_an_object_with_its_file)
{
	struct fk_faultq *q;

	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(iommu, &queue), 0);
	q = fkq();
	ck_assert_ptr_nonnull(q);
	ck_assert_int_ge(uvf_vfio_fault_queue_fd(queue), 1000);
	ck_assert_uint_eq(fk_open_fds(&fk), 3);	/* iommufd, device, queue */
	ck_assert_int_eq(uvf_vfio_fault_queue_fd(NULL), -EINVAL);
	/* Destroyed with its file; teardown's NULL destroy does nothing. */
	ck_assert_int_eq(uvf_vfio_fault_queue_destroy(queue), 0);
	ck_assert_ptr_null(fkq());
	ck_assert_uint_eq(fk_open_fds(&fk), 2);
	queue = NULL;
}
END_TEST

START_TEST(test_queue_alloc_errors_leave_nothing)
{
	struct uvf_vfio_fault_queue *q = (void *)&fk, *extra;
	int fds[64], n = 0;

	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(NULL, &q), -EINVAL);
	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(iommu, NULL), -EINVAL);
	/* The kernel's: no fault queues (before 6.11), no memory, no fd. */
	fk.fail_req = IOMMU_FAULT_QUEUE_ALLOC;
	fk.fail_err = -ENOTTY;
	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(iommu, &q), -ENOTTY);
	ck_assert_ptr_eq(q, (void *)&fk);
	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(iommu, &queue), 0);
	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(iommu, &extra), 0);
	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(iommu, &q), -ENOMEM);
	ck_assert_int_eq(uvf_vfio_fault_queue_destroy(extra), 0);
	while ((fds[n] = fk.sys.open(&fk, "/proc/self/pagemap", 0)) >= 0)
		n++;
	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(iommu, &q), -EMFILE);
	while (n--)
		fk.sys.close(&fk, fds[n]);
	ck_assert_ptr_eq(q, (void *)&fk);
	ck_assert_uint_eq(fk_open_fds(&fk), 3);
}
END_TEST

START_TEST(test_nested_hwpt_reports_to_the_queue)
{
	uint32_t h = device_on_fault_hwpt();
	struct fk_hwpt *fh = fk_hwpt(&fk, h);

	ck_assert_ptr_nonnull(fh);
	ck_assert_uint_eq(fh->fault_id, fkq()->id);
	ck_assert_uint_eq(fh->flags, IOMMU_HWPT_FAULT_ID_VALID);
	ck_assert_uint_eq(fh->data_type, FK_HWPT_DATA_SELFTEST);
	ck_assert_uint_eq(fk.dev[0].ioas, h);
	/* The HWPT holds the queue until the domain goes (teardown). */
	ck_assert_int_eq(uvf_vfio_fault_queue_destroy(queue), -EBUSY);
	ck_assert_ptr_nonnull(fkq());
	ck_assert_uint_eq(fk_open_fds(&fk), 3);
}
END_TEST

START_TEST(test_hwpt_alloc_opts_errors_leave_nothing)
{
	struct uvf_vfio_fault_queue *theirs;
	struct uvf_vfio_hwpt_opts o, bad;
	struct uvf_iommu *other;
	struct uvf_vfio_opts oo = fk_opts(&fk, UVF_VFIO_IOMMUFD);
	uint32_t parent, plain, h = 77;

	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(iommu, &queue), 0);
	o = nested_opts(&parent);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, &plain), 0);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, NULL, &h),
			 -EINVAL);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(NULL, devid, &o, &h),
			 -EINVAL);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &o, NULL),
			 -EINVAL);
	/* uvf's: flags on a nested HWPT, data missing or on a paging one,
	 * a parent that is not this domain's nesting parent. */
	bad = o;
	bad.flags = UVF_HWPT_DIRTY_TRACKING;
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &bad, &h),
			 -EINVAL);
	bad = o;
	bad.data = NULL;
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &bad, &h),
			 -EINVAL);
	bad = o;
	bad.parent_id = 0;
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &bad, &h),
			 -EINVAL);
	bad = o;
	bad.parent_id = plain;
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &bad, &h),
			 -ENOENT);
	bad.parent_id = 12345;
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &bad, &h),
			 -ENOENT);
	/* A queue of another context. */
	ck_assert_int_eq(vfio_open_sys(&oo, &fk.sys, &other), 0);
	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(other, &theirs), 0);
	bad = o;
	bad.fault = theirs;
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &bad, &h),
			 -EINVAL);
	ck_assert_int_eq(uvf_vfio_fault_queue_destroy(theirs), 0);
	ck_assert_int_eq(uvf_iommu_destroy(other), 0);
	/* The kernel's (6.12): faults on a paging HWPT, data the IOMMU does
	 * not know or too short, no such device, any other failure. */
	bad = (struct uvf_vfio_hwpt_opts){ .fault = queue };
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &bad, &h),
			 -EOPNOTSUPP);
	bad = o;
	bad.data_type = FK_HWPT_DATA_SELFTEST + 1;
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &bad, &h),
			 -EOPNOTSUPP);
	bad = o;
	bad.data_len = 2;
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &bad, &h),
			 -EINVAL);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, 999, &o, &h), -ENOENT);
	fk.fail_req = IOMMU_HWPT_ALLOC;
	fk.fail_err = -ENOMEM;
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &o, &h),
			 -ENOMEM);
	ck_assert_uint_eq(h, 77);
	ck_assert_uint_eq(fk_nr_hwpt(), 2);
	/* Nothing holds the queue. */
	ck_assert_int_eq(uvf_vfio_fault_queue_destroy(queue), 0);
	queue = NULL;
}
END_TEST

START_TEST(test_fault_is_read_as_the_iommu_reported_it)
{
	struct uvf_vfio_fault f[4];

	device_on_fault_hwpt();
	ck_assert_int_eq(uvf_vfio_fault_read(queue, f, 4), 0);	/* none */
	trigger(0xdeadb000, 1);
	memset(f, 0xa5, sizeof(f));
	ck_assert_int_eq(uvf_vfio_fault_read(queue, f, 4), 1);
	ck_assert_uint_eq(f[0].flags,
			  UVF_FAULT_PASID_VALID | UVF_FAULT_LAST_PAGE);
	ck_assert_uint_eq(f[0].dev_id, devid);
	ck_assert_uint_eq(f[0].pasid, 1);
	ck_assert_uint_eq(f[0].grpid, 2);
	ck_assert_uint_eq(f[0].perm, UVF_FAULT_PERM_READ | UVF_FAULT_PERM_WRITE);
	ck_assert_uint_eq(f[0].addr, 0xdeadb000);
	ck_assert_uint_eq(f[0].length, 0);
	ck_assert_uint_eq(f[0].cookie, 1);
	ck_assert_uint_eq(f[1].cookie, 0xa5a5a5a5);	/* untouched */
	ck_assert_int_eq(uvf_vfio_fault_read(queue, f, 4), 0);
	ck_assert_uint_eq(fkq()->nr_sent, 1);
}
END_TEST

START_TEST(test_read_takes_whole_groups_or_nothing)
{
	struct uvf_vfio_fault f[4];
	unsigned int i;

	device_on_fault_hwpt();
	trigger(0x10000, 1);
	trigger(0x20000, 3);
	/* The second group does not fit behind the first: it waits. */
	ck_assert_int_eq(uvf_vfio_fault_read(queue, f, 2), 1);
	ck_assert_uint_eq(fkq()->nr_wait, 1);
	/* Alone it does not fit at all: the kernel's -EINVAL. */
	ck_assert_int_eq(uvf_vfio_fault_read(queue, f, 2), -EINVAL);
	ck_assert_uint_eq(fkq()->nr_wait, 1);
	ck_assert_int_eq(uvf_vfio_fault_read(queue, f, 4), 3);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(f[i].addr, 0x20000 + i * 4096);
		ck_assert_uint_eq(f[i].cookie, 2);
		ck_assert_uint_eq(f[i].flags & UVF_FAULT_LAST_PAGE,
				  i == 2 ? UVF_FAULT_LAST_PAGE : 0);
	}
	ck_assert_int_eq(uvf_vfio_fault_read(NULL, f, 4), -EINVAL);
	ck_assert_int_eq(uvf_vfio_fault_read(queue, NULL, 4), -EINVAL);
	ck_assert_int_eq(uvf_vfio_fault_read(queue, f, 0), -EINVAL);
	/* The kernel's cookie table is full (-ENOMEM): nothing taken. */
	trigger(0x30000, 1);
	trigger(0x40000, 1);
	ck_assert_int_eq(uvf_vfio_fault_read(queue, f, 4), 2);
	trigger(0x50000, 1);
	ck_assert_int_eq(uvf_vfio_fault_read(queue, f, 4), -ENOMEM);
	ck_assert_uint_eq(fkq()->nr_wait, 1);
}
END_TEST

START_TEST(test_a_group_is_answered_once)
{
	struct uvf_vfio_fault f;
	struct fk_faultq *q;

	device_on_fault_hwpt();
	q = fkq();
	trigger(0x10000, 1);
	ck_assert_int_eq(uvf_vfio_fault_read(queue, &f, 1), 1);
	/* uvf's: NULL, a code that is neither; the kernel's: a cookie it
	 * never gave. None reaches the device. */
	ck_assert_int_eq(uvf_vfio_fault_respond(NULL, f.cookie,
						UVF_FAULT_RESP_SUCCESS),
			 -EINVAL);
	ck_assert_int_eq(uvf_vfio_fault_respond(queue, f.cookie,
						(enum uvf_vfio_fault_code)2),
			 -EINVAL);
	ck_assert_int_eq(uvf_vfio_fault_respond(queue, f.cookie + 1,
						UVF_FAULT_RESP_SUCCESS),
			 -EINVAL);
	ck_assert_uint_eq(q->responses, 0);
	ck_assert_uint_eq(q->nr_sent, 1);
	ck_assert_int_eq(uvf_vfio_fault_respond(queue, f.cookie,
						UVF_FAULT_RESP_SUCCESS), 0);
	ck_assert_uint_eq(q->responses, 1);
	ck_assert_uint_eq(q->last_cookie, f.cookie);
	ck_assert_uint_eq(q->last_code, IOMMUFD_PAGE_RESP_SUCCESS);
	ck_assert_int_eq(uvf_vfio_fault_respond(queue, f.cookie,
						UVF_FAULT_RESP_INVALID),
			 -EINVAL);
	ck_assert_uint_eq(q->responses, 1);
}
END_TEST

struct handled {
	uint64_t addr[8];
	unsigned int n;
	uint64_t refuse;	/* the address that cannot be mapped */
};

static int handle(void *arg, const struct uvf_vfio_fault *f)
{
	struct handled *h = arg;

	ck_assert_uint_lt(h->n, 8);
	h->addr[h->n++] = f->addr;
	return f->addr == h->refuse ? -EFAULT : 0;
}

START_TEST(test_service_handles_and_answers_every_group)
{
	struct handled h = { .refuse = 0x20000 };
	struct fk_faultq *q;

	device_on_fault_hwpt();
	q = fkq();
	ck_assert_int_eq(uvf_vfio_fault_service(queue, handle, &h), 0);
	trigger(0x10000, 2);
	trigger(0x20000, 1);
	ck_assert_int_eq(uvf_vfio_fault_service(queue, handle, &h), 2);
	ck_assert_uint_eq(h.n, 3);
	ck_assert_uint_eq(h.addr[0], 0x10000);
	ck_assert_uint_eq(h.addr[1], 0x11000);
	ck_assert_uint_eq(h.addr[2], 0x20000);
	ck_assert_uint_eq(q->responses, 2);
	/* The refused fault's group is answered INVALID, last. */
	ck_assert_uint_eq(q->last_code, IOMMUFD_PAGE_RESP_INVALID);
	ck_assert_uint_eq(q->nr_sent + q->nr_wait, 0);
	trigger(0x30000, 1);
	ck_assert_int_eq(uvf_vfio_fault_service(queue, handle, &h), 1);
	ck_assert_uint_eq(q->last_code, IOMMUFD_PAGE_RESP_SUCCESS);
	ck_assert_int_eq(uvf_vfio_fault_service(NULL, handle, &h), -EINVAL);
	ck_assert_int_eq(uvf_vfio_fault_service(queue, NULL, &h), -EINVAL);
}
END_TEST

/* The fake's own model of 6.12's returns, where uvf cannot reach them. */
START_TEST(test_fake_kernel_refuses_what_the_kernel_refuses)
{
	int fd = uvf_vfio_context_fd(iommu), qfd;
	struct iommu_fault_alloc a = { .size = sizeof(a), .flags = 1 };
	struct iommu_hwpt_page_response r = { .cookie = 1 };
	struct iommu_hwpt_pgfault f[2];
	struct iommu_destroy d = { .size = sizeof(d) };
	struct iommu_hwpt_alloc h = { .size = sizeof(h),
		.flags = IOMMU_HWPT_FAULT_ID_VALID, .dev_id = devid,
		.data_type = FK_HWPT_DATA_SELFTEST, .data_len = 4,
		.data_uptr = (uintptr_t)&selftest_iotlb, .fault_id = 4242 };
	struct fk_iopf one = { .addr = 0x1000 };
	uint32_t parent;

	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_FAULT_QUEUE_ALLOC, &a),
			 -EOPNOTSUPP);
	device_on_fault_hwpt();
	qfd = uvf_vfio_fault_queue_fd(queue);
	/* Reads and writes of part of a record. */
	ck_assert_int_eq(fk.sys.read(&fk, qfd, f, sizeof(f[0]) - 1), -ESPIPE);
	ck_assert_int_eq(fk.sys.write(&fk, qfd, &r, sizeof(r) + 1), -ESPIPE);
	/* Bad user pointers. */
	trigger(0x10000, 1);
	ck_assert_int_eq(fk.sys.read(&fk, qfd, NULL, sizeof(f)), -EFAULT);
	ck_assert_int_eq(fk.sys.write(&fk, qfd, NULL, sizeof(r)), -EFAULT);
	/* Of two responses the first one good: its bytes are done. */
	ck_assert_int_eq(fk.sys.read(&fk, qfd, f, sizeof(f)), sizeof(f[0]));
	{
		struct iommu_hwpt_page_response two[2] = {
			{ .cookie = f[0].cookie }, { .cookie = 99 } };

		ck_assert_int_eq(fk.sys.write(&fk, qfd, two, sizeof(two)),
				 sizeof(two[0]));
	}
	/* An unknown fault object; the queue in use. */
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, UVF_HWPT_NEST_PARENT,
					     &parent), 0);
	h.pt_id = parent;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_ALLOC, &h), -ENOENT);
	d.id = fkq()->id;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_DESTROY, &d), -EBUSY);
	/* A nested HWPT on a parent that is not one, or on nothing. */
	h.flags = 0;
	ck_assert_int_eq(uvf_vfio_hwpt_alloc(dom, devid, 0, &h.pt_id), 0);
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_ALLOC, &h), -EINVAL);
	h.pt_id = 4343;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_ALLOC, &h), -EINVAL);
	h.pt_id = parent;
	h.data_uptr = 0;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_ALLOC, &h), -EFAULT);
	/* A device not behind the selftest IOMMU has no nested data. */
	h.data_uptr = (uintptr_t)&selftest_iotlb;
	fk.dev[0].hw_type = 0;
	ck_assert_int_eq(fk.sys.ioctl(&fk, fd, IOMMU_HWPT_ALLOC, &h),
			 -EOPNOTSUPP);
	/* IOPF only from a bound device on a page table reporting them. */
	ck_assert_int_eq(fk_fault_trigger(&fk, 999, &one, 1), -ENOENT);
	ck_assert_int_eq(fk_fault_trigger(&fk, devid, &one, 0), -EINVAL);
	ck_assert_int_eq(uvf_vfio_device_attach_hwpt(dev, parent), 0);
	ck_assert_int_eq(fk_fault_trigger(&fk, devid, &one, 1), -EINVAL);
}
END_TEST

#else
START_TEST(test_without_the_fault_uapi_every_call_is_enotsup)
{
	struct uvf_vfio_hwpt_opts o = { .fault = (void *)&fk };
	uint32_t h;

	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(iommu, &queue), -ENOTSUP);
	ck_assert_ptr_null(queue);
	ck_assert_int_eq(uvf_vfio_hwpt_alloc_opts(dom, devid, &o, &h),
			 -ENOTSUP);
}
END_TEST
#endif

START_TEST(test_other_backends_have_no_fault_queues)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);
	struct uvf_vfio_fault_queue *q = NULL;
	struct uvf_device *t1dev;
	struct uvf_iommu *t1;

	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &t1), 0);
	/* A type1 context decides on its first device. */
	uvf_domain_detach(dom, dev);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_vfio_device_open(t1, EDU, &t1dev), 0);
	ck_assert_int_eq(uvf_vfio_fault_queue_alloc(t1, &q), -ENOTSUP);
	ck_assert_ptr_null(q);
	uvf_device_close(t1dev);
	ck_assert_int_eq(uvf_iommu_destroy(t1), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_fault");
	TCase *tc = tcase_create("fault");

	tcase_add_checked_fixture(tc, setup, teardown);
#if UVF_HAVE_FAULT_UAPI
	tcase_add_test(tc, test_queue_is_an_object_with_its_file);
	tcase_add_test(tc, test_queue_alloc_errors_leave_nothing);
	tcase_add_test(tc, test_nested_hwpt_reports_to_the_queue);
	tcase_add_test(tc, test_hwpt_alloc_opts_errors_leave_nothing);
	tcase_add_test(tc, test_fault_is_read_as_the_iommu_reported_it);
	tcase_add_test(tc, test_read_takes_whole_groups_or_nothing);
	tcase_add_test(tc, test_a_group_is_answered_once);
	tcase_add_test(tc, test_service_handles_and_answers_every_group);
	tcase_add_test(tc, test_fake_kernel_refuses_what_the_kernel_refuses);
#else
	tcase_add_test(tc, test_without_the_fault_uapi_every_call_is_enotsup);
#endif
	tcase_add_test(tc, test_other_backends_have_no_fault_queues);
	suite_add_tcase(s, tc);
	return s;
}
