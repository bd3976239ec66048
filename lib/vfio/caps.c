/* SPDX-License-Identifier: MIT */
/*
 * Capability chains of VFIO info replies (VFIO_IOMMU_GET_INFO,
 * VFIO_DEVICE_GET_REGION_INFO). Offsets come from the kernel, but a chain is
 * still walked as untrusted input: every header and payload must lie inside
 * the buffer, and offsets must grow so a chain cannot loop. The kernel puts
 * each capability at an 8-byte boundary (vfio_info_cap_add()); one that is
 * not would have its 64-bit fields read misaligned, so it is refused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "vfio_priv.h"

int vfio_cap_find(const void *buf, size_t len, uint32_t first, uint16_t id,
		  size_t min_size, const void **cap)
{
	const struct vfio_info_cap_header *h;
	uint32_t off = first, prev = 0;

	while (off) {
		if (off <= prev || off % 8 ||
		    len < sizeof(*h) || off > len - sizeof(*h))
			return -EIO;
		h = (const void *)((const char *)buf + off);
		if (h->id == id) {
			if (min_size > len - off)
				return -EIO;
			*cap = h;
			return 0;
		}
		prev = off;
		off = h->next;
	}
	return -ENOENT;
}

int vfio_parse_iova_ranges(const void *buf, size_t len, uint32_t first,
			   struct vfio_range_set *out)
{
	const struct vfio_iommu_type1_info_cap_iova_range *c;
	struct vfio_range_set set = { .n = 0 };
	const void *p;
	size_t i, room;
	int ret;

	ret = vfio_cap_find(buf, len, first,
			    VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE, sizeof(*c),
			    &p);
	if (ret)
		return ret;
	c = p;
	room = (len - (size_t)((const char *)p - (const char *)buf) -
		sizeof(*c)) / sizeof(c->iova_ranges[0]);
	if (c->nr_iovas > room || !c->nr_iovas)
		return -EIO;
	/* Built aside, so a bad range leaves @out as it was. */
	for (i = 0; i < c->nr_iovas; i++) {
		ret = vfio_ranges_append(&set, c->iova_ranges[i].start,
					 c->iova_ranges[i].end);
		if (ret)
			return ret;
	}
	*out = set;
	return 0;
}

int vfio_parse_dma_avail(const void *buf, size_t len, uint32_t first,
			 uint64_t *avail)
{
	const struct vfio_iommu_type1_info_dma_avail *c;
	const void *p;
	int ret;

	ret = vfio_cap_find(buf, len, first, VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL,
			    sizeof(*c), &p);
	if (ret)
		return ret;
	c = p;
	*avail = c->avail;
	return 0;
}

static int cmp_area(const void *a, const void *b)
{
	const struct vfio_area *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Whole when the sorted areas tile [0, size) without a gap. */
static void finish_areas(struct vfio_region *r)
{
	uint64_t end = 0;
	unsigned int i;

	for (i = 0; i < r->nr_areas && r->area[i].offset == end; i++)
		end += r->area[i].size;
	r->whole = r->nr_areas && i == r->nr_areas && end == r->size;
}

int vfio_parse_sparse(const void *buf, size_t len, uint32_t first,
		      uint64_t region_size, struct vfio_region *r)
{
	const struct vfio_region_info_cap_sparse_mmap *c;
	struct vfio_area area[VFIO_MAX_AREAS];
	unsigned int i, n = 0;
	const void *p;
	size_t room;
	int ret;

	ret = vfio_cap_find(buf, len, first, VFIO_REGION_INFO_CAP_SPARSE_MMAP,
			    sizeof(*c), &p);
	if (ret)
		return ret;
	c = p;
	room = (len - (size_t)((const char *)p - (const char *)buf) -
		sizeof(*c)) / sizeof(c->areas[0]);
	if (c->nr_areas > room)
		return -EIO;
	for (i = 0; i < c->nr_areas; i++) {
		uint64_t off = c->areas[i].offset, size = c->areas[i].size;

		if (!size)
			continue;
		if (off > region_size || size > region_size - off ||
		    !uvf_is_aligned(off, UVF_PAGE_SIZE))
			return -EIO;
		/* Past what we keep, the areas are accessed by pread. */
		if (n < VFIO_MAX_AREAS)
			area[n++] = (struct vfio_area){ off, size };
	}
	qsort(area, n, sizeof(area[0]), cmp_area);
	for (i = 1; i < n; i++)
		if (area[i - 1].offset + area[i - 1].size > area[i].offset)
			return -EIO;
	memcpy(r->area, area, n * sizeof(area[0]));
	r->nr_areas = n;
	finish_areas(r);
	return 0;
}

int vfio_get_info(struct vfio_ctx *ctx, int fd, unsigned long req,
		  const void *head, size_t head_size, void **out, size_t *size)
{
	size_t n = head_size + 256;
	uint32_t argsz;
	void *buf;
	int ret;

	for (;;) {
		buf = calloc(1, n);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, head, head_size);
		argsz = (uint32_t)n;
		memcpy(buf, &argsz, sizeof(argsz));	/* every reply starts so */
		ret = vfio_ioctl(ctx, fd, req, buf);
		memcpy(&argsz, buf, sizeof(argsz));
		if (ret < 0 || argsz <= n)
			break;
		n = argsz;
		free(buf);
	}
	if (ret < 0) {
		free(buf);
		return ret;
	}
	*out = buf;
	*size = n;
	return 0;
}
