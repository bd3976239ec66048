/* SPDX-License-Identifier: MIT */
/*
 * Coherent buffers: zeroed memory mapped bidirectionally. Large buffers get
 * 2 MiB pages -- from the hugetlbfs pool when it has any, else transparent
 * huge pages on a 2 MiB-aligned mapping -- so the IOMMU can use 2 MiB
 * leaves and the IOTLB covers more with fewer entries.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <uvf/dma.h>

#include <uvf/device.h>

struct coherent {
	struct coherent *next;
	void *vaddr;
	size_t size;		/* what was asked */
	size_t mapped;		/* what was mmap()ed */
	uvf_iova_t iova;
	const struct uvf_device *dev;
};

static pthread_mutex_t coherent_lock = PTHREAD_MUTEX_INITIALIZER;
static struct coherent *coherent_list;

/* 2 MiB aligned anonymous memory, huge pages where the system has them. */
static void *alloc_huge(size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB, -1, 0);
	char *raw, *aligned;

	if (p != MAP_FAILED)
		return p;
	/* No hugetlbfs pool: over-allocate, trim to alignment, ask for THP. */
	raw = mmap(NULL, size + UVF_SZ_2M, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return NULL;
	aligned = (char *)(((uintptr_t)raw + UVF_SZ_2M - 1) &
			   ~(uintptr_t)(UVF_SZ_2M - 1));
	if (aligned > raw)
		munmap(raw, aligned - raw);
	munmap(aligned + size, (raw + size + UVF_SZ_2M) - (aligned + size));
	madvise(aligned, size, MADV_HUGEPAGE);
	return aligned;
}

int uvf_dma_alloc_coherent(struct uvf_device *dev, size_t size, void **vaddr,
			   uvf_iova_t *iova)
{
	struct coherent *c;
	uint64_t rounded;
	void *p;
	int ret;

	if (!dev || !size || !vaddr || !iova)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	if (size >= UVF_SZ_2M && !uvf_align_up(size, UVF_SZ_2M, &rounded)) {
		p = alloc_huge(rounded);
	} else if (!uvf_align_up(size, UVF_PAGE_SIZE, &rounded)) {
		p = mmap(NULL, rounded, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			p = NULL;
	} else {
		free(c);
		return -EINVAL;
	}
	if (!p) {
		free(c);
		return -ENOMEM;
	}
	ret = uvf_dma_map_page(dev, p, rounded, UVF_DMA_BIDIRECTIONAL, iova);
	if (ret) {
		munmap(p, rounded);
		free(c);
		return ret;
	}
	*c = (struct coherent){ .vaddr = p, .size = size, .mapped = rounded,
				.iova = *iova, .dev = dev };
	pthread_mutex_lock(&coherent_lock);
	c->next = coherent_list;
	coherent_list = c;
	pthread_mutex_unlock(&coherent_lock);
	*vaddr = p;
	return 0;
}

int uvf_dma_free_coherent(struct uvf_device *dev, size_t size, void *vaddr,
			  uvf_iova_t iova)
{
	struct coherent **pp, *c = NULL;
	int ret;

	if (!dev || !vaddr)
		return -EINVAL;
	pthread_mutex_lock(&coherent_lock);
	for (pp = &coherent_list; *pp; pp = &(*pp)->next) {
		if ((*pp)->vaddr == vaddr && (*pp)->size == size &&
		    (*pp)->iova == iova && (*pp)->dev == dev) {
			c = *pp;
			break;
		}
	}
	if (!c) {
		pthread_mutex_unlock(&coherent_lock);
		return -ENOENT;
	}
	ret = uvf_dma_unmap_page(dev, iova, c->mapped, UVF_DMA_BIDIRECTIONAL);
	if (!ret)
		*pp = c->next;
	pthread_mutex_unlock(&coherent_lock);
	if (ret)
		return ret;
	munmap(c->vaddr, c->mapped);
	free(c);
	return 0;
}
