/* SPDX-License-Identifier: MIT */
/*
 * The DMA API drivers use, mirroring the kernel's dma_map_page() path:
 *
 *   uvf_dma_map_page(dev, vaddr, len, dir, &iova)
 *     1. Is the device's domain direct (identity, passthrough, noiommu)?
 *        Then the device address is computed from the CPU address and
 *        returned; no page table is touched (the kernel's dma_direct_map_page).
 *     2. Otherwise (the kernel's iommu_dma_map_page): allocate an IOVA from
 *        the domain's allocator,
 *     3. have the IOMMU backend write the I/O page table with permissions from
 *        the DMA direction (the hardware-specific layer: VT-d, AMD-Vi, SMMU
 *        formats in the software model; the kernel behind VFIO),
 *     4. and return the IOVA.
 *
 *   uvf_dma_unmap_page() undoes it: page-table entries are removed, the IOTLB
 *   is invalidated (strictly, or through the deferred flush queue), and the
 *   IOVA goes back to the allocator once no IOTLB can hold it any more.
 *
 * UVF_TRACE=1 (uvf/trace.h) logs every step.
 */
#ifndef UVF_DMA_H
#define UVF_DMA_H

#include <uvf/types.h>

struct uvf_device;

enum uvf_dma_dir {
	UVF_DMA_BIDIRECTIONAL,	/* device reads and writes */
	UVF_DMA_TO_DEVICE,	/* device reads memory */
	UVF_DMA_FROM_DEVICE,	/* device writes memory */
};

/* One segment of a scatter-gather list. */
struct uvf_sg {
	void *vaddr;		/* in: buffer */
	size_t len;		/* in: bytes, non-zero */
	uvf_iova_t iova;	/* out: device address of vaddr */
};

/**
 * uvf_dma_map_page() - make a buffer reachable by a device
 * @dev: device attached to a domain
 * @vaddr: buffer; need not be page aligned (like the kernel's
 *         dma_map_single, the pages covering it are mapped and the offset
 *         is kept)
 * @len: bytes, non-zero
 * @dir: direction, giving the page permissions: TO_DEVICE read-only,
 *       FROM_DEVICE write-only (read-write where the format cannot express
 *       write-only), BIDIRECTIONAL read-write
 * @iova: device address of @vaddr
 *
 * Return: 0; -EINVAL (zero length, bad direction, device not attached);
 * -EOVERFLOW (@vaddr + @len wraps); -ENOSPC (no IOVA space left, or the
 * backend's mapping budget is used up); -ENOTSUP (a direct domain cannot
 * reach the buffer contiguously, e.g. noiommu across non-contiguous
 * pages); -ENOMEM; or a backend error. Nothing is mapped on failure.
 */
int uvf_dma_map_page(struct uvf_device *dev, void *vaddr, size_t len,
		     enum uvf_dma_dir dir, uvf_iova_t *iova);

/**
 * uvf_dma_unmap_page() - undo uvf_dma_map_page()
 * @dev: the device given to uvf_dma_map_page()
 * @iova: the address it returned
 * @len: the length given to it
 * @dir: the direction given to it
 *
 * Return: 0; -EINVAL (zero length, bad direction); -ENOENT (@iova/@len is
 * not exactly a live mapping of the domain, for instance never mapped,
 * already unmapped or only part of one; nothing unmapped).
 */
int uvf_dma_unmap_page(struct uvf_device *dev, uvf_iova_t iova, size_t len,
		       enum uvf_dma_dir dir);

/**
 * uvf_dma_map_sg() - map a scatter-gather list into one contiguous IOVA
 *                    range, like the kernel's iommu_dma_map_sg()
 * @dev: device
 * @sg: segments; each segment's pages are placed back to back, so
 *      sg[i].iova keeps the in-page offset of sg[i].vaddr
 * @nents: number of segments, at least 1
 * @dir: direction
 *
 * Return: @nents, or a negative errno as for uvf_dma_map_page(); nothing
 * is mapped on failure.
 */
int uvf_dma_map_sg(struct uvf_device *dev, struct uvf_sg *sg,
		   unsigned int nents, enum uvf_dma_dir dir);

/**
 * uvf_dma_unmap_sg() - undo uvf_dma_map_sg()
 * @dev: device
 * @sg: the list given to uvf_dma_map_sg()
 * @nents: its length
 * @dir: its direction
 *
 * Return: 0, -EINVAL, -ENOENT (not a live scatter-gather mapping; nothing
 * unmapped).
 */
int uvf_dma_unmap_sg(struct uvf_device *dev, struct uvf_sg *sg,
		     unsigned int nents, enum uvf_dma_dir dir);

/**
 * uvf_dma_alloc_coherent() - allocate zeroed memory and map it
 *                            bidirectionally
 * @dev: device
 * @size: bytes, non-zero; rounded up to 4 KiB, or to 2 MiB when it is at
 *        least 2 MiB and huge pages are available
 * @vaddr: CPU address
 * @iova: device address
 *
 * Backed by 2 MiB huge pages where the system has them (hugetlbfs pool or
 * transparent huge pages), 4 KiB pages otherwise.
 *
 * Return: 0; -EINVAL; -ENOMEM; or an error from uvf_dma_map_page().
 */
int uvf_dma_alloc_coherent(struct uvf_device *dev, size_t size, void **vaddr,
			   uvf_iova_t *iova);

/**
 * uvf_dma_free_coherent() - unmap and free uvf_dma_alloc_coherent() memory
 * @dev: device
 * @size: the size given to the allocation
 * @vaddr: its CPU address
 * @iova: its device address
 *
 * Return: 0, or -ENOENT (not a live coherent allocation; nothing freed).
 */
int uvf_dma_free_coherent(struct uvf_device *dev, size_t size, void *vaddr,
			  uvf_iova_t iova);

/**
 * uvf_dma_register() - map memory once, read-write, for the lifetime of a
 *                      driver, so its hot path can translate addresses with
 *                      uvf_dma_vtoiova() instead of mapping per request
 * @dev: device (the registration belongs to its domain)
 * @vaddr: start, 4 KiB aligned
 * @len: bytes, a non-zero multiple of 4 KiB
 * @iova: device address of @vaddr, may be NULL
 *
 * Return: 0; -EINVAL (zero/unaligned); -EOVERFLOW; -EEXIST (overlaps a
 * registered range); -ENOSPC; -ENOMEM; or a mapping error.
 */
int uvf_dma_register(struct uvf_device *dev, void *vaddr, size_t len,
		     uvf_iova_t *iova);

/**
 * uvf_dma_unregister() - unmap a registered range
 * @dev: device
 * @vaddr: the address given to uvf_dma_register()
 * @len: the length given to it
 *
 * Return: 0, -EINVAL, -ENOENT (not exactly a registered range), or the
 * negative errno of a refused unmap, in which case the range stays mapped
 * and registered (uvf_dma_vtoiova() still finds it; a retry may succeed).
 */
int uvf_dma_unregister(struct uvf_device *dev, void *vaddr, size_t len);

/**
 * uvf_dma_vtoiova() - device address of any byte of registered memory
 * @dev: device
 * @vaddr: CPU address inside a registered range
 * @iova: device address
 *
 * O(1): two table lookups, no lock.
 *
 * Return: 0, or -ENOENT (@vaddr is not in registered memory).
 */
int uvf_dma_vtoiova(const struct uvf_device *dev, const void *vaddr,
		    uvf_iova_t *iova);

#endif
