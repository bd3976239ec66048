/* SPDX-License-Identifier: MIT */
/*
 * The driver's DMA memory comes from a DMA heap (uvf/dmaheap.h): queues,
 * Identify and shadow doorbell pages, PRP list pages (a pool of 4 KiB
 * objects) and callers' I/O buffers (uvf_nvme_buf_alloc()). The heap is
 * attached to the controller's domain, so it is already mapped and no I/O
 * on its memory maps anything. Everything the driver hands the device is
 * pinned, so the heap cannot be detached under it.
 */
#include <errno.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/dmaheap.h>

#include "nvme_priv.h"

int nvme_heap_open(struct uvf_nvme_ctrl *ctrl)
{
	int ret;

	ctrl->dom = uvf_device_domain(ctrl->dev);
	if (!ctrl->dom)
		return -EINVAL;
	ctrl->heap = ctrl->opts.heap;
	if (!ctrl->heap) {
		ret = uvf_dmaheap_shared(&ctrl->heap);
		if (ret)
			return ret;
	}
	ret = uvf_dmaheap_hold(ctrl->heap, ctrl->dom);
	if (ret)
		return ret;
	ctrl->heap_held = true;
	return uvf_dmaheap_pool_create(ctrl->heap, NVME_PAGE_SIZE,
				       &ctrl->prp_pool);
}

void nvme_heap_close(struct uvf_nvme_ctrl *ctrl)
{
	if (!ctrl->heap)
		return;
	uvf_dmaheap_pool_destroy(ctrl->prp_pool);
	ctrl->prp_pool = NULL;
	if (ctrl->heap_held)
		uvf_dmaheap_release(ctrl->heap, ctrl->dom);
	ctrl->heap_held = false;
}

/* Queues must be contiguous in device memory. A direct domain (noiommu)
 * may not give that past a page from the heap: then coherent memory, one
 * 2 MiB huge page when smaller sizes cannot be contiguous either. */
static int alloc_coherent(struct uvf_nvme_ctrl *ctrl, size_t *size, void **va,
			  uvf_iova_t *iova)
{
	int ret = uvf_dma_alloc_coherent(ctrl->dev, *size, va, iova);

	if (ret == -ENOTSUP && *size < UVF_SZ_2M) {
		ret = uvf_dma_alloc_coherent(ctrl->dev, UVF_SZ_2M, va, iova);
		if (!ret)
			*size = UVF_SZ_2M;
	}
	return ret;
}

int nvme_dma_alloc(struct uvf_nvme_ctrl *ctrl, size_t *size, void **va,
		   uvf_iova_t *iova)
{
	int ret = uvf_dmaheap_alloc_pinned(ctrl->heap, ctrl->dom, *size, va,
					   iova);

	return ret == -ENOTSUP ? alloc_coherent(ctrl, size, va, iova) : ret;
}

void nvme_dma_free(struct uvf_nvme_ctrl *ctrl, size_t size, void *va,
		   uvf_iova_t iova)
{
	/* Not heap memory: the coherent fallback. */
	if (uvf_dmaheap_free_pinned(ctrl->heap, ctrl->dom, va) == -EINVAL)
		uvf_dma_free_coherent(ctrl->dev, size, va, iova);
}

int nvme_prp_lists_fill(struct uvf_nvme_qpair *qp, struct nvme_prp_page *lists)
{
	struct uvf_nvme_ctrl *ctrl = qp->ctrl;
	unsigned int i;
	void *va;
	int ret = 0;

	for (i = 0; i < qp->prp_pages && !ret; i++) {
		ret = uvf_dmaheap_pool_alloc_pinned(ctrl->prp_pool, ctrl->dom,
						    &va, &lists[i].iova);
		if (!ret)
			lists[i].va = va;
	}
	if (ret)
		nvme_prp_lists_release(qp, lists);
	return ret;
}

void nvme_prp_lists_release(struct uvf_nvme_qpair *qp,
			    struct nvme_prp_page *lists)
{
	struct uvf_nvme_ctrl *ctrl = qp->ctrl;
	unsigned int i;

	for (i = 0; i < qp->prp_pages && lists[i].va; i++) {
		uvf_dmaheap_pool_free_pinned(ctrl->prp_pool, ctrl->dom,
					     lists[i].va);
		lists[i].va = NULL;
	}
}

int uvf_nvme_buf_alloc(struct uvf_nvme_ctrl *ctrl, size_t size, void **buf)
{
	if (!ctrl || !buf)
		return -EINVAL;
	return uvf_dmaheap_alloc(ctrl->heap, size, buf);
}

int uvf_nvme_buf_free(struct uvf_nvme_ctrl *ctrl, void *buf)
{
	if (!ctrl || !buf)
		return -EINVAL;
	return uvf_dmaheap_free(ctrl->heap, buf);
}
