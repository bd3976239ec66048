/* SPDX-License-Identifier: MIT */
/* Inside the fake VFIO kernel: what fake_vfio.c shares with its fault
 * queues (fake_vfio_fault.c). */
#ifndef UVF_TEST_FAKE_VFIO_PRIV_H
#define UVF_TEST_FAKE_VFIO_PRIV_H

#include "fake_vfio.h"

/* What an open fake fd is. */
enum { FK_FREE, FK_CONTAINER, FK_GROUP, FK_DEVICE, FK_IOMMUFD, FK_PAGEMAP,
       FK_FAULT };

#define FD_BASE 1000

/* A new fd of @kind for object @idx, or -EMFILE. */
int fk_new_fd(struct fake_vfio *fk, int kind, int idx);
/* The device bound with iommufd id @id, or NULL. */
struct fk_dev *fk_dev_by_id(struct fake_vfio *fk, uint32_t id);

/* read() and write() of @q's file; -EINVAL when @q is NULL (not a
 * fault queue's file). */
ssize_t fk_fault_read(struct fk_faultq *q, void *buf, size_t count);
ssize_t fk_fault_write(struct fk_faultq *q, const void *buf, size_t count);

#if UVF_HAVE_FAULT_UAPI
/* IOMMU_FAULT_QUEUE_ALLOC. */
int fk_fault_alloc(struct fake_vfio *fk, struct iommu_fault_alloc *a);
/* IOMMU_DESTROY of fault object @q. */
int fk_fault_destroy(struct fake_vfio *fk, struct fk_faultq *q);
#endif

#endif
