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
 *
 * The two fake kernels (with and without /dev/iommu) and their sysfs
 * trees are built once: building a tree on disk costs ~10x an input.
 * After each input the kernel must be back as the input found it (no fd
 * the fake handed out left open, no container IOMMU, group or device in
 * use, no IRQ trigger left set), and is then restored to its snapshot
 * byte for byte. (The process's own fd count is no measure here: the
 * sanitizers' symbolizer opens pipes mid-run.)
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

/* [1]: with /dev/iommu, where the iommufd backend is. */
static struct fake_vfio kernels[2], snapshots[2];
static char *page;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int i;

	(void)argc;
	(void)argv;
	for (i = 0; i < 2; i++) {
		fk_init(&kernels[i]);
		fk_add_dev(&kernels[i], BDF, 4);
		fk_publish(&kernels[i]);
		if (i)
			fk_add_dev_iommu(&kernels[i]);
		snapshots[i] = kernels[i];
	}
	page = aligned_alloc(UVF_PAGE_SIZE, UVF_PAGE_SIZE);
	FUZZ_CHECK(page, "out of memory");
	return 0;
}

/* What closing everything must have given back, then the snapshot (its
 * lock and condition variable made anew rather than copied). */
static void kernel_reset(unsigned int i)
{
	struct fake_vfio *fk = &kernels[i];
	unsigned int k;

	FUZZ_CHECK(fk_open_fds(fk) == 0, "%u fds left open", fk_open_fds(fk));
	FUZZ_CHECK(!fk->iommu && !fk->groups_in && !fk->nr_entries,
		   "container left with IOMMU %lu, %u groups, %u entries",
		   fk->iommu, fk->groups_in, fk->nr_entries);
	for (k = 0; k < fk->nr_groups; k++)
		FUZZ_CHECK(!fk->group[k].open && !fk->group[k].in_container,
			   "group %d left open", fk->group[k].nr);
	for (k = 0; k < fk->nr_devs; k++)
		FUZZ_CHECK(!fk->dev[k].open_fds && !fk->dev[k].bound &&
			   fk->dev[k].err_trigger == -1 &&
			   fk->dev[k].req_trigger == -1,
			   "device %s left in use", fk->dev[k].bdf);
	pthread_cond_destroy(&fk->map_cond);
	pthread_mutex_destroy(&fk->lock);
	memcpy(fk, &snapshots[i], sizeof(*fk));
	pthread_mutex_init(&fk->lock, NULL);
	pthread_cond_init(&fk->map_cond, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint8_t how = fuzz_u8(&in);
	struct fake_vfio *fk = &kernels[how & 1];
	struct uvf_vfio_opts o;
	struct uvf_iommu *iommu = NULL;
	struct uvf_device *dev = NULL;
	struct uvf_domain *dom = NULL;
	uvf_iova_t iova = 0;
	bool mapped = false;
	unsigned int k;

	fk->report_avail = how & 2;
	fk->dma_avail = fk->dma_entry_limit = fuzz_u16(&in);
	fk->nr_ranges = fuzz_u8(&in) % 5;
	for (k = 0; k < fk->nr_ranges; k++) {
		fk->ranges[k].start = fuzz_u64(&in);
		fk->ranges[k].end = fuzz_u64(&in);
	}
	o = fk_opts(fk, how & 1 ? UVF_VFIO_AUTO : UVF_VFIO_TYPE1);
	if (vfio_open_sys(&o, &fk->sys, &iommu))
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
out:
	kernel_reset(how & 1);
	return 0;
}
