/* SPDX-License-Identifier: MIT */
/*
 * iommufd I/O page faults: a fault queue (IOMMU_FAULT_QUEUE_ALLOC) that
 * HWPTs allocated with it report to (hwpt.c), its records read from the
 * queue's fd and page responses written back, as the kernel's
 * drivers/iommu/iommufd/fault.c defines them.
 *
 * Needs the 6.11+ uAPI (IOMMU_FAULT_QUEUE_ALLOC); built against older
 * headers every call here is -ENOTSUP (-EINVAL for NULL arguments).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>

#include "config.h"
#include "vfio_priv.h"

#if UVF_HAVE_IOMMUFD
#include <linux/iommufd.h>
#endif

#if UVF_HAVE_IOMMUFD && defined(IOMMU_FAULT_QUEUE_ALLOC)
#include "iommufd_priv.h"

/* Records are read straight into the caller's array. */
#define SAME_FIELD(f)                                                      \
	_Static_assert(offsetof(struct uvf_vfio_fault, f) ==               \
			       offsetof(struct iommu_hwpt_pgfault, f),     \
		       "uvf_vfio_fault." #f)
_Static_assert(sizeof(struct uvf_vfio_fault) ==
		       sizeof(struct iommu_hwpt_pgfault),
	       "uvf_vfio_fault is iommu_hwpt_pgfault");
SAME_FIELD(flags);
SAME_FIELD(dev_id);
SAME_FIELD(pasid);
SAME_FIELD(grpid);
SAME_FIELD(perm);
SAME_FIELD(addr);
SAME_FIELD(length);
SAME_FIELD(cookie);
_Static_assert(UVF_FAULT_LAST_PAGE == IOMMU_PGFAULT_FLAGS_LAST_PAGE &&
		       UVF_FAULT_PASID_VALID == IOMMU_PGFAULT_FLAGS_PASID_VALID,
	       "fault flags");
_Static_assert(UVF_FAULT_PERM_READ == IOMMU_PGFAULT_PERM_READ &&
		       UVF_FAULT_PERM_WRITE == IOMMU_PGFAULT_PERM_WRITE &&
		       UVF_FAULT_PERM_EXEC == IOMMU_PGFAULT_PERM_EXEC &&
		       UVF_FAULT_PERM_PRIV == IOMMU_PGFAULT_PERM_PRIV,
	       "fault permissions");
_Static_assert((int)UVF_FAULT_RESP_SUCCESS == IOMMUFD_PAGE_RESP_SUCCESS &&
		       (int)UVF_FAULT_RESP_INVALID == IOMMUFD_PAGE_RESP_INVALID,
	       "response codes");

/* uvf_vfio_fault_service() reads this many faults at first, and doubles
 * that while a group does not fit, up to the most. */
#define SERVICE_BATCH 32
#define SERVICE_BATCH_MAX 4096

int uvf_vfio_fault_queue_alloc(struct uvf_iommu *iommu,
			       struct uvf_vfio_fault_queue **queue)
{
	struct vfio_ctx *ctx = vfio_ctx_of(iommu);
	struct iommu_fault_alloc a = { .size = sizeof(a) };
	struct uvf_vfio_fault_queue *q;
	int ret;

	if (!ctx || !queue)
		return -EINVAL;
	if (ctx->be != vfio_iommufd_backend())
		return -ENOTSUP;
	q = calloc(1, sizeof(*q));
	if (!q)
		return -ENOMEM;
	ret = vfio_ioctl(ctx, ctx->fd, IOMMU_FAULT_QUEUE_ALLOC, &a);
	if (ret) {
		free(q);
		return ret;
	}
	q->ctx = ctx;
	q->id = a.out_fault_id;
	q->fd = (int)a.out_fault_fd;
	atomic_init(&q->hwpts, 0);
	*queue = q;
	return 0;
}

int uvf_vfio_fault_queue_destroy(struct uvf_vfio_fault_queue *q)
{
	struct iommu_destroy x = { .size = sizeof(x) };

	if (!q)
		return 0;
	if (atomic_load(&q->hwpts))
		return -EBUSY;
	/* The file holds the object too: it goes first. A failing destroy
	 * leaves the object to the context's close. */
	q->ctx->sys->close(q->ctx->sys->arg, q->fd);
	x.id = q->id;
	vfio_ioctl(q->ctx, q->ctx->fd, IOMMU_DESTROY, &x);
	free(q);
	return 0;
}

int uvf_vfio_fault_read(struct uvf_vfio_fault_queue *q,
			struct uvf_vfio_fault *faults, size_t max)
{
	const struct vfio_sys *sys;
	ssize_t n;

	if (!q || !faults || !max)
		return -EINVAL;
	/* The count returned must fit. */
	if (max > INT_MAX / sizeof(*faults))
		max = INT_MAX / sizeof(*faults);
	sys = q->ctx->sys;
	n = sys->read(sys->arg, q->fd, faults, max * sizeof(*faults));
	if (n < 0)
		return (int)n;
	/* The kernel returns whole records only. */
	if ((size_t)n % sizeof(*faults))
		return -EIO;
	return (int)((size_t)n / sizeof(*faults));
}

int uvf_vfio_fault_respond(struct uvf_vfio_fault_queue *q, uint32_t cookie,
			   enum uvf_vfio_fault_code code)
{
	struct iommu_hwpt_page_response r = { .cookie = cookie, .code = code };
	const struct vfio_sys *sys;
	ssize_t n;

	if (!q || (code != UVF_FAULT_RESP_SUCCESS &&
		   code != UVF_FAULT_RESP_INVALID))
		return -EINVAL;
	sys = q->ctx->sys;
	n = sys->write(sys->arg, q->fd, &r, sizeof(r));
	if (n < 0)
		return (int)n;
	return n == sizeof(r) ? 0 : -EIO;
}

/* Handles and answers the groups of @f[0..n): a group's faults are
 * consecutive and share a cookie. Returns the groups answered or an
 * error. */
static int answer_groups(struct uvf_vfio_fault_queue *q,
			 const struct uvf_vfio_fault *f, size_t n,
			 uvf_vfio_fault_fn fn, void *arg)
{
	enum uvf_vfio_fault_code code = UVF_FAULT_RESP_SUCCESS;
	size_t i;
	int ret, groups = 0;

	for (i = 0; i < n; i++) {
		if (fn(arg, &f[i]))
			code = UVF_FAULT_RESP_INVALID;
		if (i + 1 < n && f[i + 1].cookie == f[i].cookie)
			continue;
		ret = uvf_vfio_fault_respond(q, f[i].cookie, code);
		if (ret)
			return ret;
		groups++;
		code = UVF_FAULT_RESP_SUCCESS;
	}
	return groups;
}

int uvf_vfio_fault_service(struct uvf_vfio_fault_queue *q,
			   uvf_vfio_fault_fn fn, void *arg)
{
	struct uvf_vfio_fault *buf, *bigger;
	size_t cap = SERVICE_BATCH;
	int n, done = 0;

	if (!q || !fn)
		return -EINVAL;
	buf = calloc(cap, sizeof(*buf));
	if (!buf)
		return -ENOMEM;
	for (;;) {
		n = uvf_vfio_fault_read(q, buf, cap);
		/* -EINVAL: the next group has more faults than fit. */
		if (n == -EINVAL && cap < SERVICE_BATCH_MAX) {
			bigger = realloc(buf, 2 * cap * sizeof(*buf));
			if (!bigger) {
				n = -ENOMEM;
				break;
			}
			buf = bigger;
			cap *= 2;
			continue;
		}
		if (n > 0)
			n = answer_groups(q, buf, (size_t)n, fn, arg);
		if (n <= 0)
			break;
		done += n;
	}
	free(buf);
	return n < 0 ? n : done;
}

int uvf_vfio_fault_queue_fd(const struct uvf_vfio_fault_queue *q)
{
	return q ? q->fd : -EINVAL;
}

#else /* no fault uAPI */

int uvf_vfio_fault_queue_alloc(struct uvf_iommu *iommu,
			       struct uvf_vfio_fault_queue **queue)
{
	return vfio_ctx_of(iommu) && queue ? -ENOTSUP : -EINVAL;
}

int uvf_vfio_fault_queue_destroy(struct uvf_vfio_fault_queue *q)
{
	/* None can have been allocated. */
	return q ? -ENOTSUP : 0;
}

int uvf_vfio_fault_queue_fd(const struct uvf_vfio_fault_queue *q)
{
	return q ? -ENOTSUP : -EINVAL;
}

int uvf_vfio_fault_read(struct uvf_vfio_fault_queue *q,
			struct uvf_vfio_fault *faults, size_t max)
{
	(void)max;
	return q && faults ? -ENOTSUP : -EINVAL;
}

int uvf_vfio_fault_respond(struct uvf_vfio_fault_queue *q, uint32_t cookie,
			   enum uvf_vfio_fault_code code)
{
	(void)cookie;
	(void)code;
	return q ? -ENOTSUP : -EINVAL;
}

int uvf_vfio_fault_service(struct uvf_vfio_fault_queue *q,
			   uvf_vfio_fault_fn fn, void *arg)
{
	(void)arg;
	return q && fn ? -ENOTSUP : -EINVAL;
}

#endif
