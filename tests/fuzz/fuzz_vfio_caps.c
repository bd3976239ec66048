/* SPDX-License-Identifier: MIT */
/*
 * The capability chains of VFIO info replies (lib/vfio/caps.c) as a
 * hostile kernel could write them: a VFIO_IOMMU_GET_INFO reply's IOVA
 * ranges and DMA budget, a VFIO_DEVICE_GET_REGION_INFO reply's sparse-mmap
 * areas. Input: the chain's first offset (u32), the region size (u64),
 * then the reply. A parse either fails with -EIO or -ENOENT and changes
 * nothing, or yields what the rest of the VFIO layer relies on: ranges
 * sorted and disjoint, areas page aligned, inside the region, sorted,
 * disjoint, and "whole" exactly when they tile it.
 */
#include <errno.h>

#include <linux/vfio.h>

#include "vfio/vfio_priv.h"

#include "fuzz_common.h"

static void check_ranges(const void *buf, size_t len, uint32_t first)
{
	struct vfio_range_set out, before;
	size_t i;
	int ret;

	memset(&out, 0xa5, sizeof(out));
	before = out;
	ret = vfio_parse_iova_ranges(buf, len, first, &out);
	if (ret) {
		FUZZ_CHECK(ret == -EIO || ret == -ENOENT, "ranges: %d", ret);
		FUZZ_CHECK(!memcmp(&out, &before, sizeof(out)),
			   "ranges: a failed parse changed the output (%d)",
			   ret);
		return;
	}
	FUZZ_CHECK(out.n >= 1 && out.n <= VFIO_MAX_RANGES, "ranges: n %zu",
		   out.n);
	for (i = 0; i < out.n; i++)
		FUZZ_CHECK(out.v[i].first <= out.v[i].last &&
			   (!i || out.v[i - 1].last < out.v[i].first),
			   "ranges: [%#llx, %#llx] inverted or not above the "
			   "one before", (unsigned long long)out.v[i].first,
			   (unsigned long long)out.v[i].last);
}

static void check_avail(const void *buf, size_t len, uint32_t first)
{
	uint64_t avail = 0x5a5a5a5a5a5a5a5aull;
	int ret = vfio_parse_dma_avail(buf, len, first, &avail);

	if (ret) {
		FUZZ_CHECK(ret == -EIO || ret == -ENOENT, "avail: %d", ret);
		FUZZ_CHECK(avail == 0x5a5a5a5a5a5a5a5aull,
			   "avail: a failed parse changed the output");
	}
}

static void check_sparse(const void *buf, size_t len, uint32_t first,
			 uint64_t region_size)
{
	struct vfio_region r, before;
	uint64_t end = 0;
	bool tiles = true;
	unsigned int i;
	int ret;

	memset(&r, 0, sizeof(r));
	r.size = region_size;
	r.nr_areas = 1;
	r.area[0] = (struct vfio_area){ 0x1000, 0x2000 };
	before = r;
	ret = vfio_parse_sparse(buf, len, first, region_size, &r);
	if (ret) {
		FUZZ_CHECK(ret == -EIO || ret == -ENOENT, "sparse: %d", ret);
		FUZZ_CHECK(!memcmp(&r, &before, sizeof(r)),
			   "sparse: a failed parse changed the region (%d)",
			   ret);
		return;
	}
	FUZZ_CHECK(r.nr_areas <= VFIO_MAX_AREAS, "sparse: %u areas",
		   r.nr_areas);
	for (i = 0; i < r.nr_areas; i++) {
		const struct vfio_area *a = &r.area[i];

		FUZZ_CHECK(a->size && !(a->offset % UVF_PAGE_SIZE) &&
			   a->offset <= region_size &&
			   a->size <= region_size - a->offset,
			   "sparse: area %u [%#llx + %#llx] of %#llx", i,
			   (unsigned long long)a->offset,
			   (unsigned long long)a->size,
			   (unsigned long long)region_size);
		FUZZ_CHECK(!i || r.area[i - 1].offset + r.area[i - 1].size <=
				 a->offset, "sparse: area %u overlaps", i);
		tiles = tiles && a->offset == end;
		end = a->offset + a->size;
	}
	FUZZ_CHECK(r.whole == (r.nr_areas && tiles && end == region_size),
		   "sparse: whole %d for %u areas", r.whole, r.nr_areas);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint32_t first = fuzz_u32(&in);
	uint64_t region_size = fuzz_u64(&in);
	/* The reply in a buffer of its own size, as vfio_get_info()
	 * allocates it: ASan sees any read past it. */
	void *buf = malloc(in.n ? in.n : 1);

	FUZZ_CHECK(buf, "out of memory");
	memcpy(buf, in.p, in.n);
	check_ranges(buf, in.n, first);
	check_avail(buf, in.n, first);
	check_sparse(buf, in.n, first, region_size);
	free(buf);
	return 0;
}
