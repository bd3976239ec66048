/* SPDX-License-Identifier: MIT */
/*
 * The VFIO layer on a hostile kernel: the fake kernel
 * (tests/support/fake_vfio.c) reporting fuzzer-chosen IOVA ranges -- in
 * the type1 container's GET_INFO capability chain, or as the iommufd
 * IOAS's IOMMU_IOAS_IOVA_RANGES answer -- and a fuzzer-chosen DMA entry
 * budget. Input: backend, budget, range count, then (start, end) pairs.
 *
 * Opening may fail with an error; when it works, the domain's usable
 * ranges are in order, disjoint and each within itself, a mapping lands
 * inside one of them, and closing leaves no fd open.
 */
#include <errno.h>
#include <limits.h>

#include <uvf/uvf.h>

#include "fake_vfio.h"

#include "fuzz_common.h"

#define BDF "0000:00:04.0"

static void check_ranges(struct uvf_domain *dom, uvf_iova_t iova, bool mapped)
{
	struct uvf_iova_range r[16];
	int n = uvf_domain_iova_ranges(dom, r, 16), i;
	bool inside = !mapped;

	FUZZ_CHECK(n >= 0, "iova_ranges: %d", n);
	if (n > 16)
		n = 16;
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(r[i].first <= r[i].last, "range %d [%#llx, %#llx]",
			   i, (unsigned long long)r[i].first,
			   (unsigned long long)r[i].last);
		FUZZ_CHECK(!i || r[i - 1].last < r[i].first,
			   "range %d overlaps or is out of order", i);
		inside = inside ||
			 (iova >= r[i].first && iova + UVF_PAGE_SIZE - 1 <=
						       r[i].last);
	}
	FUZZ_CHECK(inside, "mapping at %#llx outside every range",
		   (unsigned long long)iova);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fake_vfio fk;
	struct fuzz_in in = { data, size };
	uint8_t how = fuzz_u8(&in);
	struct uvf_vfio_opts o;
	struct uvf_iommu *iommu = NULL;
	struct uvf_device *dev = NULL;
	struct uvf_domain *dom = NULL;
	char path[PATH_MAX], *page;
	uvf_iova_t iova = 0;
	bool mapped = false;
	unsigned int k;
	FILE *f;

	fk_init(&fk);
	fk_add_dev(&fk, BDF, 4);
	fk.report_avail = how & 2;
	fk.dma_avail = fk.dma_entry_limit = fuzz_u16(&in);
	fk.nr_ranges = fuzz_u8(&in) % 5;
	for (k = 0; k < fk.nr_ranges; k++) {
		fk.ranges[k].start = fuzz_u64(&in);
		fk.ranges[k].end = fuzz_u64(&in);
	}
	fk_publish(&fk);
	if (how & 1) {
		/* /dev/iommu: the iommufd backend is there. */
		fake_fmt(path, sizeof(path), "%s/iommu", fk.fs.dev);
		f = fopen(path, "w");
		FUZZ_CHECK(f, "%s", path);
		fclose(f);
	}
	o = fk_opts(&fk, how & 1 ? UVF_VFIO_AUTO : UVF_VFIO_TYPE1);
	page = aligned_alloc(UVF_PAGE_SIZE, UVF_PAGE_SIZE);
	FUZZ_CHECK(page, "out of memory");
	if (vfio_open_sys(&o, &fk.sys, &iommu))
		goto out;
	if (uvf_vfio_device_open(iommu, BDF, &dev) ||
	    uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom) ||
	    uvf_domain_attach(dom, dev))
		goto close;
	mapped = !uvf_dma_map_page(dev, page, UVF_PAGE_SIZE,
				   UVF_DMA_BIDIRECTIONAL, &iova);
	check_ranges(dom, iova, mapped);
	if (mapped)
		FUZZ_CHECK(uvf_dma_unmap_page(dev, iova, UVF_PAGE_SIZE,
					      UVF_DMA_BIDIRECTIONAL) == 0,
			   "unmap");
	uvf_domain_detach(dom, dev);
close:
	if (dom)
		FUZZ_CHECK(uvf_domain_destroy(dom) == 0, "domain destroy");
	uvf_device_close(dev);
	FUZZ_CHECK(uvf_iommu_destroy(iommu) == 0, "iommu destroy");
	FUZZ_CHECK(fk_open_fds(&fk) == 0, "%u fds left open",
		   fk_open_fds(&fk));
out:
	free(page);
	fk_fini(&fk);
	return 0;
}
