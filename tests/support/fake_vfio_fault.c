/* SPDX-License-Identifier: MIT */
/*
 * The fake kernel's iommufd fault objects, as 6.12's
 * drivers/iommu/iommufd/fault.c has them: IOMMU_FAULT_QUEUE_ALLOC, the
 * file's read (whole page request groups, each given the lowest free
 * cookie) and write (page responses), IOMMU_DESTROY (-EBUSY while the file
 * is open or an HWPT reports to it), with every error return.
 */
#include <errno.h>
#include <string.h>

#include "fake_vfio_priv.h"

#if UVF_HAVE_FAULT_UAPI

struct fk_faultq *fk_faultq(struct fake_vfio *fk, uint32_t id)
{
	unsigned int i;

	for (i = 0; id && i < FK_MAX_FAULTQ; i++)
		if (fk->faultq[i].id == id)
			return &fk->faultq[i];
	return NULL;
}

int fk_fault_alloc(struct fake_vfio *fk, struct iommu_fault_alloc *a)
{
	unsigned int i;
	int fd;

	if (a->flags)
		return -EOPNOTSUPP;
	for (i = 0; i < FK_MAX_FAULTQ && fk->faultq[i].id; i++)
		;
	if (i == FK_MAX_FAULTQ)
		return -ENOMEM;
	fd = fk_new_fd(fk, FK_FAULT, (int)i);
	if (fd < 0)
		return fd;
	fk->faultq[i] = (struct fk_faultq){ .id = ++fk->next_id };
	a->out_fault_id = fk->faultq[i].id;
	a->out_fault_fd = (uint32_t)fd;
	return 0;
}

/* The device gets the page response for group @k of @q->sent. */
static void respond(struct fk_faultq *q, unsigned int k, uint32_t code)
{
	q->responses++;
	q->last_cookie = q->sent[k].cookie;
	q->last_code = code;
	q->sent[k] = q->sent[--q->nr_sent];
}

int fk_fault_destroy(struct fake_vfio *fk, struct fk_faultq *q)
{
	unsigned int i, slot = (unsigned int)(q - fk->faultq);

	for (i = 0; i < 64; i++)
		if (fk->fd[i].kind == FK_FAULT && fk->fd[i].idx == (int)slot)
			return -EBUSY;
	for (i = 0; i < FK_MAX_HWPT; i++)
		if (fk->hwpt[i].id && fk->hwpt[i].fault_id == q->id)
			return -EBUSY;
	/* Groups read and not answered are answered for the devices. */
	while (q->nr_sent)
		respond(q, 0, IOMMUFD_PAGE_RESP_INVALID);
	memset(q, 0, sizeof(*q));
	return 0;
}

/* The lowest cookie no unanswered group has (xa_alloc from 1). */
static uint32_t free_cookie(const struct fk_faultq *q)
{
	uint32_t c;
	unsigned int k;

	for (c = 1;; c++) {
		for (k = 0; k < q->nr_sent && q->sent[k].cookie != c; k++)
			;
		if (k == q->nr_sent)
			return c;
	}
}

static void compose(struct iommu_hwpt_pgfault *out,
		    const struct fk_fault_group *g, unsigned int k)
{
	*out = (struct iommu_hwpt_pgfault){
		.flags = g->f[k].flags |
			 (k + 1 == g->n ? IOMMU_PGFAULT_FLAGS_LAST_PAGE : 0),
		.dev_id = g->dev_id, .pasid = g->f[k].pasid,
		.grpid = g->f[k].grpid, .perm = g->f[k].perm,
		.addr = g->f[k].addr, .cookie = g->cookie,
	};
}

ssize_t fk_fault_read(struct fk_faultq *q, void *buf, size_t count)
{
	const size_t size = sizeof(struct iommu_hwpt_pgfault);
	struct iommu_hwpt_pgfault *out = buf;
	struct fk_fault_group *g;
	size_t done = 0;
	unsigned int k;

	if (!q)
		return -EINVAL;
	if (count % size)
		return -ESPIPE;
	while (q->nr_wait) {
		g = &q->wait[0];
		/* Only whole groups; none fitting at all is -EINVAL. */
		if (done >= count || g->n * size > count - done)
			return done ? (ssize_t)done : -EINVAL;
		if (q->nr_sent == FK_MAX_GROUPS)
			return done ? (ssize_t)done : -ENOMEM;
		if (!buf)
			return done ? (ssize_t)done : -EFAULT;
		g->cookie = free_cookie(q);
		for (k = 0; k < g->n; k++)
			compose(&out[done / size + k], g, k);
		done += g->n * size;
		q->sent[q->nr_sent++] = *g;
		memmove(&q->wait[0], &q->wait[1],
			--q->nr_wait * sizeof(q->wait[0]));
	}
	return (ssize_t)done;
}

ssize_t fk_fault_write(struct fk_faultq *q, const void *buf, size_t count)
{
	const size_t size = sizeof(struct iommu_hwpt_page_response);
	const struct iommu_hwpt_page_response *r;
	size_t done = 0;
	ssize_t rc = 0;
	unsigned int k;

	if (!q)
		return -EINVAL;
	if (count % size)
		return -ESPIPE;
	while (count > done) {
		r = buf ? (const void *)((const char *)buf + done) : NULL;
		if (!r) {
			rc = -EFAULT;
			break;
		}
		for (k = 0; k < q->nr_sent && q->sent[k].cookie != r->cookie;
		     k++)
			;
		if ((r->code != IOMMUFD_PAGE_RESP_SUCCESS &&
		     r->code != IOMMUFD_PAGE_RESP_INVALID) ||
		    k == q->nr_sent) {
			rc = -EINVAL;
			break;
		}
		respond(q, k, r->code);
		done += size;
	}
	return done ? (ssize_t)done : rc;
}

int fk_fault_trigger(struct fake_vfio *fk, uint32_t dev_id,
		     const struct fk_iopf *f, unsigned int n)
{
	struct fk_fault_group *g;
	struct fk_faultq *q;
	struct fk_hwpt *h;
	struct fk_dev *d;
	int ret = 0;

	pthread_mutex_lock(&fk->lock);
	d = fk_dev_by_id(fk, dev_id);
	h = d ? fk_hwpt(fk, d->ioas) : NULL;
	q = h ? fk_faultq(fk, h->fault_id) : NULL;
	if (!d)
		ret = -ENOENT;
	else if (!q || !n || n > FK_MAX_GROUP_FAULTS)
		ret = -EINVAL;
	else if (q->nr_wait == FK_MAX_GROUPS)
		ret = -ENOSPC;
	if (!ret) {
		g = &q->wait[q->nr_wait++];
		*g = (struct fk_fault_group){ .dev_id = dev_id, .n = n };
		memcpy(g->f, f, n * sizeof(*f));
	}
	pthread_mutex_unlock(&fk->lock);
	return ret;
}

#else

ssize_t fk_fault_read(struct fk_faultq *q, void *buf, size_t count)
{
	(void)q;
	(void)buf;
	(void)count;
	return -EINVAL;
}

ssize_t fk_fault_write(struct fk_faultq *q, const void *buf, size_t count)
{
	return fk_fault_read(q, (void *)(uintptr_t)buf, count);
}

struct fk_faultq *fk_faultq(struct fake_vfio *fk, uint32_t id)
{
	(void)fk;
	(void)id;
	return NULL;
}

int fk_fault_trigger(struct fake_vfio *fk, uint32_t dev_id,
		     const struct fk_iopf *f, unsigned int n)
{
	(void)fk;
	(void)dev_id;
	(void)f;
	(void)n;
	return -EINVAL;
}

#endif
