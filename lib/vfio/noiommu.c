/* SPDX-License-Identifier: MIT */
/*
 * Device addresses without an IOMMU: the physical address of the buffer,
 * from /proc/self/pagemap (PFNs read as zero without CAP_SYS_ADMIN). The
 * device sees one contiguous range, so the buffer's pages must be
 * physically contiguous. Nothing pins them: like every noiommu user, the
 * caller keeps such memory resident and unmoved (hugetlbfs, mlock).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "vfio_priv.h"

#define PM_PRESENT (1ull << 63)
#define PM_PFN_MASK ((1ull << 55) - 1)

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_READ 22
#define MADV_POPULATE_WRITE 23
#endif

static int pagemap_fd(struct vfio_ctx *ctx)
{
	int fd = -EBADF;

	pthread_mutex_lock(&ctx->lock);
	if (ctx->pagemap_fd < 0) {
		fd = ctx->sys->open(ctx->sys->arg, "/proc/self/pagemap",
				    O_RDONLY);
		if (fd >= 0)
			ctx->pagemap_fd = fd;
	}
	fd = ctx->pagemap_fd >= 0 ? ctx->pagemap_fd : fd;
	pthread_mutex_unlock(&ctx->lock);
	return fd;
}

int vfio_noiommu_direct_addr(struct uvf_domain *dom, const void *vaddr,
			     uint64_t len, uvf_iova_t *addr)
{
	struct vfio_ctx *ctx = vfio_ctx_of(dom->iommu);
	uintptr_t first = (uintptr_t)vaddr & ~(uintptr_t)(UVF_PAGE_SIZE - 1);
	uint64_t stack[64], *pm = stack, npages, i;
	ssize_t got;
	int fd, ret = 0;

	npages = (((uintptr_t)vaddr + len - 1) >> UVF_PAGE_SHIFT) -
		 (first >> UVF_PAGE_SHIFT) + 1;
	if (npages > SIZE_MAX / sizeof(*pm))
		return -EOVERFLOW;
	/* Untouched anonymous memory has no page yet (or the shared zero
	 * page): fault it in writable, else readable for read-only memory.
	 * Contents do not change. Kernels without MADV_POPULATE_* (or built
	 * without madvise at all) get mlock(), which populates the same way
	 * and also keeps the pages where the device will find them. */
	if (madvise((void *)first, npages << UVF_PAGE_SHIFT,
		    MADV_POPULATE_WRITE) &&
	    madvise((void *)first, npages << UVF_PAGE_SHIFT,
		    MADV_POPULATE_READ))
		mlock((void *)first, npages << UVF_PAGE_SHIFT);
	fd = pagemap_fd(ctx);
	if (fd < 0)
		return fd;
	if (npages > sizeof(stack) / sizeof(stack[0])) {
		pm = malloc(npages * sizeof(*pm));
		if (!pm)
			return -ENOMEM;
	}
	got = ctx->sys->pread(ctx->sys->arg, fd, pm, npages * sizeof(*pm),
			      (off_t)((first >> UVF_PAGE_SHIFT) * sizeof(*pm)));
	if (got < 0)
		ret = (int)got;
	else if ((size_t)got != npages * sizeof(*pm))
		ret = -EIO;
	for (i = 0; !ret && i < npages; i++) {
		if (!(pm[i] & PM_PRESENT))
			ret = -EFAULT;
		else if (!(pm[i] & PM_PFN_MASK))
			ret = -EPERM;	/* hidden: no CAP_SYS_ADMIN */
		else if ((pm[i] & PM_PFN_MASK) != (pm[0] & PM_PFN_MASK) + i)
			ret = -ENOTSUP;
	}
	if (!ret)
		*addr = ((pm[0] & PM_PFN_MASK) << UVF_PAGE_SHIFT) |
			((uintptr_t)vaddr & (UVF_PAGE_SIZE - 1));
	if (pm != stack)
		free(pm);
	return ret;
}
