/* SPDX-License-Identifier: MIT */
/*
 * guest_vfio_dma - runs in the tools/vm guest (static). DMA through uvf's
 * VFIO backends with QEMU's edu device (00:07.0):
 *
 *  - the core's bad-input catalogue on the real backend, with nothing
 *    changed afterwards (stats, budget, the live mapping);
 *  - reserved regions (the MSI window) never handed out: checked in the
 *    usable ranges and by allocating a small window until -ENOSPC;
 *  - type1's mapping budget: dma_entry_limit lowered, -ENOSPC at the limit
 *    with every earlier mapping intact;
 *  - edu DMA both ways through the IOMMU with the data checked, at IOVAs
 *    from uvf's allocator, at fixed IOVAs and (iommufd) at kernel-chosen
 *    ones, all below edu's 28-bit DMA mask;
 *  - DMA to an unmapped IOVA blocked, memory untouched;
 *  - the edu MSI on its eventfd;
 *  - noiommu: direct domains with physical addresses.
 *
 * usage: guest_vfio_dma --type1|--iommufd|--noiommu (or type1, ...)
 * Prints TAP; exits 0 pass, 1 fail, 77 skip (edu not on vfio-pci).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/driver.h>
#include <uvf/iommu.h>
#include <uvf/iova.h>
#include <uvf/vfio.h>

#include "guest_tap.h"
#include "edu.h"
#include "vm_machine.h"

#define EDU_BDF "0000:00:07.0"
#define PAGE 4096ul
#define XFER 2048u	/* below edu's buffer end, see edu.h */
#define MSI_FIRST VM_MSI_FIRST	/* the machine's, see vm_machine.h */
#define MSI_LAST VM_MSI_LAST
#define LIMIT_PARAM "/sys/module/vfio_iommu_type1/parameters/dma_entry_limit"

static void *pages(size_t n, int fill)
{
	void *p = mmap(NULL, n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	memset(p, fill, n * PAGE);
	return p;
}

/* One edu device on a fresh context, in one translated domain. */
struct rig {
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	struct uvf_edu *edu;
};

static int rig_up(struct rig *r, enum uvf_vfio_backend b, uvf_iova_t last,
		  enum uvf_domain_type type)
{
	struct uvf_vfio_opts o = { .backend = b, .iova_last = last };
	int ret;

	memset(r, 0, sizeof(*r));
	ret = uvf_vfio_open(&o, &r->iommu);
	if (!ret)
		ret = uvf_vfio_device_open(r->iommu, EDU_BDF, &r->dev);
	if (!ret)
		ret = uvf_domain_create(r->iommu, type, &r->dom);
	if (!ret)
		ret = uvf_domain_attach(r->dom, r->dev);
	if (!ret)
		ret = uvf_edu_open(r->dev, &r->edu);
	tap(ret == 0, "%s context, edu, %s domain, attached: %d",
	    uvf_vfio_backend_name(b),
	    type == UVF_DOMAIN_DIRECT ? "direct" : "translated", ret);
	return ret;
}

static void rig_down(struct rig *r)
{
	uvf_edu_close(r->edu);
	if (r->dom && r->dev)
		uvf_domain_detach(r->dom, r->dev);
	uvf_domain_destroy(r->dom);
	uvf_device_close(r->dev);
	tap(uvf_iommu_destroy(r->iommu) == 0, "context destroyed");
}

static bool overlaps(uvf_iova_t a, uvf_iova_t b, uvf_iova_t c, uvf_iova_t d)
{
	return a <= d && c <= b;
}

/* A page-aligned IOVA of @len bytes inside the usable ranges, above 1 MiB. */
static uvf_iova_t pick_iova(struct uvf_domain *dom, uint64_t len)
{
	struct uvf_iova_range r[32];
	int i, n = uvf_domain_iova_ranges(dom, r, 32);

	for (i = 0; i < n && i < 32; i++) {
		uvf_iova_t first = r[i].first < 0x100000 ? 0x100000 : r[i].first;

		if (first <= r[i].last && r[i].last - first + 1 >= len)
			return first;
	}
	return 0;
}

static bool stats_equal(const struct uvf_domain_stats *a,
			const struct uvf_domain_stats *b)
{
	return a->maps == b->maps && a->unmaps == b->unmaps &&
	       a->mapped_bytes == b->mapped_bytes;
}

static void catalogue(struct rig *r)
{
	struct uvf_domain_stats before, after;
	struct uvf_iova_range rg[32];
	uint64_t budget0, budget1;
	char *buf = pages(4, 0x11);
	uvf_iova_t fixed = pick_iova(r->dom, 16 * PAGE), iova;
	int n;

	if (!tap(buf && fixed, "a buffer and a free IOVA %#llx",
		 (unsigned long long)fixed))
		return;
	tap(uvf_domain_map(r->dom, fixed, buf, 2 * PAGE, UVF_PROT_RW) == 0,
	    "map 2 pages at %#llx", (unsigned long long)fixed);
	uvf_domain_get_stats(r->dom, &before);
	uvf_domain_budget(r->dom, &budget0);

	tap(uvf_domain_map(r->dom, fixed + 8 * PAGE, buf, 0, UVF_PROT_RW) ==
		    -EINVAL, "zero length: -EINVAL");
	tap(uvf_domain_map(r->dom, fixed + 8 * PAGE + 1, buf, PAGE,
			   UVF_PROT_RW) == -EINVAL, "unaligned IOVA: -EINVAL");
	tap(uvf_domain_map(r->dom, fixed + 8 * PAGE, buf + 1, PAGE,
			   UVF_PROT_RW) == -EINVAL,
	    "unaligned address: -EINVAL");
	tap(uvf_domain_map(r->dom, fixed + 8 * PAGE, buf, PAGE - 1,
			   UVF_PROT_RW) == -EINVAL, "unaligned length: -EINVAL");
	tap(uvf_domain_map(r->dom, fixed + 8 * PAGE, buf, PAGE, 0) == -EINVAL,
	    "no permission: -EINVAL");
	tap(uvf_domain_map(r->dom, UINT64_MAX - PAGE + 1, buf, 2 * PAGE,
			   UVF_PROT_RW) == -EOVERFLOW, "IOVA wrap: -EOVERFLOW");
	tap(uvf_domain_map(r->dom, 0, buf, PAGE, UVF_PROT_RW) == -ERANGE,
	    "page zero: -ERANGE");
	n = uvf_domain_iova_ranges(r->dom, rg, 32);
	if (n > 0 && n <= 32 && rg[n - 1].last != UINT64_MAX)
		tap(uvf_domain_map(r->dom, rg[n - 1].last + 1, buf, PAGE,
				   UVF_PROT_RW) == -ERANGE,
		    "beyond the aperture (%#llx): -ERANGE",
		    (unsigned long long)rg[n - 1].last + 1);
	tap(uvf_domain_map(r->dom, MSI_FIRST, buf, PAGE, UVF_PROT_RW) ==
		    -ERANGE, "inside the MSI window: -ERANGE");
	tap(uvf_domain_map(r->dom, fixed, buf + 2 * PAGE, PAGE, UVF_PROT_RW) ==
		    -EEXIST, "same IOVA again: -EEXIST");
	tap(uvf_domain_map(r->dom, fixed + PAGE, buf + 2 * PAGE, 2 * PAGE,
			   UVF_PROT_RW) == -EEXIST, "partial overlap: -EEXIST");
	tap(uvf_domain_unmap(r->dom, fixed + 8 * PAGE, PAGE) == -ENOENT,
	    "unmap of nothing: -ENOENT");
	tap(uvf_domain_unmap(r->dom, fixed, PAGE) == -ENOENT,
	    "unmap of half a mapping: -ENOENT");
	tap(uvf_domain_unmap(r->dom, fixed + PAGE, PAGE) == -ENOENT,
	    "unmap of the other half: -ENOENT");
	tap(uvf_dma_unmap_page(r->dev, fixed + 64 * PAGE, PAGE,
			       UVF_DMA_TO_DEVICE) == -ENOENT,
	    "dma_unmap_page of nothing: -ENOENT");
	tap(uvf_dma_map_page(r->dev, buf, 0, UVF_DMA_TO_DEVICE, &iova) ==
		    -EINVAL, "dma_map_page of zero bytes: -EINVAL");
	tap(uvf_dma_map_page(r->dev, (void *)(UINTPTR_MAX - 10), 100,
			     UVF_DMA_TO_DEVICE, &iova) == -EOVERFLOW,
	    "dma_map_page wrapping: -EOVERFLOW");

	uvf_domain_get_stats(r->dom, &after);
	uvf_domain_budget(r->dom, &budget1);
	tap(stats_equal(&before, &after) && budget0 == budget1,
	    "stats and budget unchanged (%llu entries left)",
	    (unsigned long long)budget1);
	tap(uvf_domain_unmap(r->dom, fixed, 2 * PAGE) == 0,
	    "the mapping is intact: exact unmap works");
	tap(uvf_domain_unmap(r->dom, fixed, 2 * PAGE) == -ENOENT,
	    "and is gone afterwards");
	munmap(buf, 4 * PAGE);
}

/* Reserved regions are out of the usable ranges, and a window around the
 * MSI region runs out of IOVAs without ever handing one of them out. */
static void reserved(struct rig *r)
{
	const uvf_iova_t wfirst = MSI_FIRST - 0x200000,
			 wlast = MSI_LAST + 0x100000;
	struct uvf_iova_allocator *a = uvf_domain_iova_allocator(r->dom);
	struct uvf_resv_region resv[32];
	struct uvf_iova_range rg[32], held[64];
	size_t nheld = 0, npg = (wlast - wfirst + 1) / PAGE, got = 0, i;
	uint64_t expect = 0;
	uvf_iova_t *iova;
	bool msi = false, clean = true;
	char *buf;
	int nr, n, j, ret = 0;

	nr = uvf_domain_reserved_regions(r->dom, resv, 32);
	n = uvf_domain_iova_ranges(r->dom, rg, 32);
	if (!tap(nr >= 0 && nr <= 32 && n > 0 && n <= 32,
		 "%d reserved region(s), %d usable range(s)", nr, n))
		return;
	for (j = 0; j < nr; j++) {
		diag("reserved %#llx-%#llx %s",
		     (unsigned long long)resv[j].first,
		     (unsigned long long)resv[j].last,
		     uvf_resv_type_name(resv[j].type));
		msi |= resv[j].type == UVF_RESV_MSI &&
		       resv[j].first <= MSI_FIRST && MSI_LAST <= resv[j].last;
	}
	for (j = 0; j < n; j++) {
		diag("usable %#llx-%#llx", (unsigned long long)rg[j].first,
		     (unsigned long long)rg[j].last);
		for (i = 0; i < (size_t)nr; i++)
			clean &= !overlaps(rg[j].first, rg[j].last,
					   resv[i].first, resv[i].last);
	}
	tap(msi, "the machine's MSI window is a reserved region");
	tap(clean, "no usable range touches a reserved region");

	/* Hold everything usable outside the window. */
	for (j = 0; j < n && !ret; j++) {
		uvf_iova_t f = rg[j].first, l = rg[j].last;

		if (overlaps(f, l, wfirst, wlast)) {
			expect += ((l < wlast ? l : wlast) -
				   (f > wfirst ? f : wfirst) + 1) / PAGE;
			if (f < wfirst)
				held[nheld++] = (struct uvf_iova_range){
					f, wfirst - 1 };
			if (l > wlast)
				held[nheld++] = (struct uvf_iova_range){
					wlast + 1, l };
		} else {
			held[nheld++] = rg[j];
		}
	}
	for (i = 0; i < nheld && !ret; i++)
		ret = uvf_iova_reserve(a, held[i].first,
				       held[i].last - held[i].first + 1);
	if (!tap(!ret, "held all usable IOVAs outside %#llx-%#llx: %d",
		 (unsigned long long)wfirst, (unsigned long long)wlast, ret))
		return;
	buf = pages(npg, 0x22);
	iova = calloc(npg + 1, sizeof(*iova));
	while (buf && iova && got <= npg) {
		ret = uvf_dma_map_page(r->dev, buf + (got % npg) * PAGE, PAGE,
				       UVF_DMA_TO_DEVICE, &iova[got]);
		if (ret)
			break;
		clean &= !overlaps(iova[got], iova[got] + PAGE - 1, MSI_FIRST,
				   MSI_LAST);
		for (i = 0; i < (size_t)nr; i++)
			clean &= !overlaps(iova[got], iova[got] + PAGE - 1,
					   resv[i].first, resv[i].last);
		got++;
	}
	tap(ret == -ENOSPC && got == expect,
	    "window ran out after %zu pages (%llu usable): %d", got,
	    (unsigned long long)expect, ret);
	tap(clean, "no IOVA handed out inside a reserved region");
	for (i = 0; i < got; i++)
		uvf_dma_unmap_page(r->dev, iova[i], PAGE, UVF_DMA_TO_DEVICE);
	for (i = 0; i < nheld; i++)
		uvf_iova_free(a, held[i].first,
			      held[i].last - held[i].first + 1);
	free(iova);
	if (buf)
		munmap(buf, npg * PAGE);
}

static int read_int(const char *path, long *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%ld", v) == 1;
	fclose(f);
	return ok ? 0 : -EIO;
}

static int write_int(const char *path, long v)
{
	FILE *f = fopen(path, "w");
	int ok;

	if (!f)
		return -errno;
	ok = fprintf(f, "%ld\n", v) > 0;
	return fclose(f) == 0 && ok ? 0 : -EIO;
}

/* type1: a container gets dma_entry_limit entries when it is opened. */
static void budget(void)
{
	enum { LIMIT = 64 };
	struct uvf_domain_stats before, after;
	uvf_iova_t iova[LIMIT + 1], fixed;
	uint64_t left = 0;
	struct rig r;
	long old;
	char *buf;
	int i, got = 0, ret = 0;
	bool all = true;

	if (read_int(LIMIT_PARAM, &old) || write_int(LIMIT_PARAM, LIMIT)) {
		tap_skip("type1 mapping budget", "cannot set " LIMIT_PARAM);
		return;
	}
	if (rig_up(&r, UVF_VFIO_TYPE1, 0, UVF_DOMAIN_TRANSLATED)) {
		write_int(LIMIT_PARAM, old);
		return;
	}
	uvf_domain_budget(r.dom, &left);
	tap(left == LIMIT, "budget starts at dma_entry_limit: %llu",
	    (unsigned long long)left);
	buf = pages(LIMIT + 2, 0x33);
	for (got = 0; buf && got <= LIMIT; got++) {
		ret = uvf_dma_map_page(r.dev, buf + got * PAGE, PAGE,
				       UVF_DMA_BIDIRECTIONAL, &iova[got]);
		if (ret)
			break;
	}
	tap(got == LIMIT && ret == -ENOSPC,
	    "%d mappings, then -ENOSPC: %d", got, ret);
	uvf_domain_budget(r.dom, &left);
	tap(left == 0, "budget is 0");
	uvf_domain_get_stats(r.dom, &before);
	fixed = pick_iova(r.dom, 4 * PAGE);
	ret = uvf_domain_map(r.dom, fixed, buf + LIMIT * PAGE, PAGE,
			     UVF_PROT_RW);
	tap(ret == -ENOSPC, "fixed map past the budget: -ENOSPC (%d)", ret);
	uvf_domain_get_stats(r.dom, &after);
	tap(stats_equal(&before, &after) &&
		    uvf_domain_unmap(r.dom, fixed, PAGE) == -ENOENT,
	    "the failed map left no record");
	ret = uvf_dma_unmap_page(r.dev, iova[0], PAGE, UVF_DMA_BIDIRECTIONAL);
	uvf_domain_budget(r.dom, &left);
	tap(!ret && left == 1, "one unmap gives one entry back: %d, %llu", ret,
	    (unsigned long long)left);
	ret = uvf_domain_map(r.dom, fixed, buf + LIMIT * PAGE, PAGE,
			     UVF_PROT_RW);
	tap(ret == 0, "and the fixed map fits now: %d", ret);
	for (i = 1; i < got; i++)
		all &= !uvf_dma_unmap_page(r.dev, iova[i], PAGE,
					   UVF_DMA_BIDIRECTIONAL);
	all &= !uvf_domain_unmap(r.dom, fixed, PAGE);
	uvf_domain_budget(r.dom, &left);
	tap(all && left == LIMIT,
	    "nothing was lost: every mapping unmapped, budget back to %llu",
	    (unsigned long long)left);
	rig_down(&r);
	write_int(LIMIT_PARAM, old);
	if (buf)
		munmap(buf, (LIMIT + 2) * PAGE);
}

static int edu_xfer(struct uvf_edu *edu, enum uvf_edu_dir dir,
		    uvf_iova_t addr, bool irq)
{
	int ret = uvf_edu_dma_start(edu, dir, addr, 0, XFER, irq);

	return ret ? ret : uvf_edu_dma_wait(edu, 5000);
}

static void fill(unsigned char *p, size_t n, unsigned int seed)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7 + (i >> 8));
}

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* The same device through the driver model's DMA-engine interface. */
static void driver_model(struct rig *r)
{
	unsigned char *a = pages(1, 0), *b = pages(1, 0);
	uvf_iova_t ia = 0, ib = 0;
	void *drv = NULL;
	int ret;

	ret = uvf_driver_probe(&uvf_edu_driver, r->dev, &drv);
	if (!tap(!ret && a && b, "uvf_edu_driver probes edu: %d", ret))
		return;
	fill(a, PAGE, 5);
	ret = uvf_dma_map_page(r->dev, a, PAGE, UVF_DMA_TO_DEVICE, &ia);
	if (!ret)
		ret = uvf_dma_map_page(r->dev, b, PAGE, UVF_DMA_FROM_DEVICE,
				       &ib);
	if (!ret)
		ret = uvf_edu_dmaengine_ops.memcpy_start(drv, ia, ib, 1000);
	if (!ret)
		ret = uvf_edu_dmaengine_ops.memcpy_wait(drv, 5000);
	tap(!ret && !memcmp(a, b, 1000) && all_bytes(b + 1000, PAGE - 1000, 0),
	    "dmaengine memcpy of 1000 bytes, memory to memory: %d", ret);
	uvf_dma_unmap_page(r->dev, ia, PAGE, UVF_DMA_TO_DEVICE);
	uvf_dma_unmap_page(r->dev, ib, PAGE, UVF_DMA_FROM_DEVICE);
	uvf_edu_driver.remove(r->dev, drv);
	munmap(a, PAGE);
	munmap(b, PAGE);
}

static void edu_dma(enum uvf_vfio_backend b)
{
	unsigned char *src = pages(1, 0), *dst = pages(1, 0),
		      *fix = pages(1, 0), *canary = pages(1, 0xa5);
	struct uvf_iova_range rg[32];
	uvf_iova_t is, id, fixed, gone;
	uint32_t st = 0;
	struct rig r;
	int ret, n, j;
	bool below = true;

	if (rig_up(&r, b, UVF_EDU_DMA_MASK, UVF_DOMAIN_TRANSLATED))
		return;
	n = uvf_domain_iova_ranges(r.dom, rg, 32);
	for (j = 0; j < n && j < 32; j++)
		below &= rg[j].last <= UVF_EDU_DMA_MASK;
	tap(n > 0 && below, "iova_last keeps every usable IOVA below 256 MiB");

	fill(src, PAGE, 1);
	ret = uvf_dma_map_page(r.dev, src, PAGE, UVF_DMA_TO_DEVICE, &is);
	if (!tap(!ret && is <= UVF_EDU_DMA_MASK, "map source: iova %#llx (%d)",
		 (unsigned long long)is, ret))
		goto out;
	ret = uvf_dma_map_page(r.dev, dst, PAGE, UVF_DMA_FROM_DEVICE, &id);
	tap(!ret, "map destination: iova %#llx", (unsigned long long)id);
	ret = edu_xfer(r.edu, UVF_EDU_TO_DEVICE, is, false);
	tap(ret == 0, "edu reads %u bytes from memory: %d", XFER, ret);
	ret = edu_xfer(r.edu, UVF_EDU_FROM_DEVICE, id, false);
	tap(ret == 0 && !memcmp(src, dst, XFER) &&
		    all_bytes(dst + XFER, PAGE - XFER, 0),
	    "edu writes them back through the IOMMU, exactly (%d)", ret);
	uvf_dma_unmap_page(r.dev, id, PAGE, UVF_DMA_FROM_DEVICE);

	fixed = pick_iova(r.dom, 64 * PAGE);
	ret = uvf_domain_map(r.dom, fixed, fix, PAGE, UVF_PROT_RW);
	if (tap(!ret, "fixed map at %#llx: %d", (unsigned long long)fixed,
		ret)) {
		ret = edu_xfer(r.edu, UVF_EDU_FROM_DEVICE, fixed, false);
		tap(!ret && !memcmp(src, fix, XFER),
		    "DMA through the fixed IOVA: %d", ret);
		uvf_domain_unmap(r.dom, fixed, PAGE);
	}

	memset(fix, 0, PAGE);
	ret = uvf_vfio_map_kernel_iova(r.dom, fix, PAGE, UVF_PROT_RW, &fixed);
	if (b == UVF_VFIO_IOMMUFD) {
		if (tap(!ret && fixed <= UVF_EDU_DMA_MASK,
			"kernel-chosen IOVA %#llx inside the limit (%d)",
			(unsigned long long)fixed, ret)) {
			ret = edu_xfer(r.edu, UVF_EDU_FROM_DEVICE, fixed,
				       false);
			tap(!ret && !memcmp(src, fix, XFER),
			    "DMA through the kernel-chosen IOVA: %d", ret);
			tap(uvf_domain_unmap(r.dom, fixed, PAGE) == 0,
			    "uvf_domain_unmap undoes it");
		}
	} else {
		tap(ret == -ENOTSUP, "kernel-chosen IOVA is iommufd only: %d",
		    ret);
	}

	/* Blocked: the canary was mapped here once, and is no more. */
	gone = pick_iova(r.dom, 64 * PAGE) + 32 * PAGE;
	ret = uvf_domain_map(r.dom, gone, canary, PAGE, UVF_PROT_RW);
	if (!ret)
		ret = uvf_domain_unmap(r.dom, gone, PAGE);
	tap(!ret, "canary mapped and unmapped at %#llx",
	    (unsigned long long)gone);
	memset(dst, 0x5a, PAGE);
	ret = edu_xfer(r.edu, UVF_EDU_FROM_DEVICE, gone, false);
	diag("DMA to the unmapped IOVA: %d", ret);
	tap(all_bytes(canary, PAGE, 0xa5) && all_bytes(dst, PAGE, 0x5a),
	    "DMA to an unmapped IOVA is blocked: memory untouched");
	/* Read-only for the device: its write is refused. */
	memset(fix, 0x3c, PAGE);
	ret = uvf_dma_map_page(r.dev, fix, PAGE, UVF_DMA_TO_DEVICE, &fixed);
	if (!ret) {
		ret = edu_xfer(r.edu, UVF_EDU_FROM_DEVICE, fixed, false);
		diag("DMA write to a read-only mapping: %d", ret);
		tap(all_bytes(fix, PAGE, 0x3c),
		    "device write to a read-only mapping is blocked");
		uvf_dma_unmap_page(r.dev, fixed, PAGE, UVF_DMA_TO_DEVICE);
	} else {
		tap(false, "read-only map: %d", ret);
	}

	ret = uvf_device_irq_enable(r.dev, UVF_IRQ_MSI, 1);
	if (tap(!ret, "MSI enabled: %d", ret)) {
		ret = edu_xfer(r.edu, UVF_EDU_TO_DEVICE, is, true);
		n = uvf_device_irq_wait(r.dev, 0, 3000);
		uvf_edu_irq_status(r.edu, &st);
		tap(!ret && n >= 1 && (st & UVF_EDU_IRQ_DMA),
		    "DMA completion MSI on the eventfd: %d, status %#x", n, st);
		uvf_edu_irq_ack(r.edu, st);
		uvf_edu_raise_irq(r.edu, 0x4);
		n = uvf_device_irq_wait(r.dev, 0, 3000);
		uvf_edu_irq_status(r.edu, &st);
		tap(n >= 1 && (st & 0x4), "raised MSI on the eventfd: %d", n);
		uvf_edu_irq_ack(r.edu, st);
		uvf_device_irq_disable(r.dev);
	}
	uvf_dma_unmap_page(r.dev, is, PAGE, UVF_DMA_TO_DEVICE);
	driver_model(&r);
out:
	rig_down(&r);
}

/* The physical address of one page, or 0. */
static uint64_t phys_of(int pm, const void *p)
{
	uint64_t e = 0;

	if (pread(pm, &e, 8, (off_t)((uintptr_t)p / PAGE * 8)) != 8 ||
	    !(e & (1ull << 63)))
		return 0;
	return (e & ((1ull << 55) - 1)) * PAGE;
}

static void noiommu_dma(void)
{
	enum { POOL = 16384 };	/* 64 MiB of candidate pages */
	unsigned char *pool = pages(POOL, 0x77), *low[2] = { NULL, NULL };
	struct uvf_domain *dom;
	struct rig r;
	uvf_iova_t a[2], addr;
	int pm = open("/proc/self/pagemap", O_RDONLY), ret, i, k = 0;
	bool contig = true;

	if (rig_up(&r, UVF_VFIO_NOIOMMU, 0, UVF_DOMAIN_DIRECT))
		return;
	ret = uvf_domain_create(r.iommu, UVF_DOMAIN_TRANSLATED, &dom);
	tap(ret == -ENOTSUP, "no translated domain without an IOMMU: %d", ret);
	if (!pool || pm < 0) {
		tap(false, "pool and pagemap");
		goto out;
	}
	/* The device address is the physical one, checked by pagemap. */
	ret = uvf_dma_map_page(r.dev, pool, PAGE, UVF_DMA_BIDIRECTIONAL,
			       &addr);
	tap(!ret && addr == phys_of(pm, pool), "one page: address %#llx (%d)",
	    (unsigned long long)addr, ret);
	for (i = 1; i < 16; i++)
		contig &= phys_of(pm, pool + i * PAGE) ==
			  phys_of(pm, pool) + (uint64_t)i * PAGE;
	ret = uvf_dma_map_page(r.dev, pool, 16 * PAGE, UVF_DMA_BIDIRECTIONAL,
			       &addr);
	tap(contig ? ret == 0 : ret == -ENOTSUP,
	    "16 pages, physically %scontiguous: %d", contig ? "" : "not ",
	    ret);
	/* edu reaches only the low 256 MiB of physical memory. */
	for (i = 0; i < POOL && k < 2; i++) {
		uint64_t pa = phys_of(pm, pool + (size_t)i * PAGE);

		if (pa && pa + PAGE - 1 <= UVF_EDU_DMA_MASK)
			low[k++] = pool + (size_t)i * PAGE;
	}
	if (k < 2) {
		tap_skip("edu DMA with physical addresses",
		     "no two pages below 256 MiB in the pool");
		goto out;
	}
	fill(low[0], PAGE, 9);
	memset(low[1], 0, PAGE);
	ret = uvf_dma_map_page(r.dev, low[0], PAGE, UVF_DMA_TO_DEVICE, &a[0]);
	if (!ret)
		ret = uvf_dma_map_page(r.dev, low[1], PAGE, UVF_DMA_FROM_DEVICE,
				       &a[1]);
	if (!ret)
		ret = edu_xfer(r.edu, UVF_EDU_TO_DEVICE, a[0], false);
	if (!ret)
		ret = edu_xfer(r.edu, UVF_EDU_FROM_DEVICE, a[1], false);
	tap(!ret && !memcmp(low[0], low[1], XFER),
	    "edu DMA round trip at physical %#llx -> %#llx (%d)",
	    (unsigned long long)a[0], (unsigned long long)a[1], ret);
out:
	if (pm >= 0)
		close(pm);
	rig_down(&r);
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend b;
	struct rig r;
	struct uvf_domain *second;
	int ret;

	if (guest_backend_arg(argc, argv, &b)) {
		fprintf(stderr, "usage: %s --type1|--iommufd|--noiommu\n",
			argv[0]);
		return 2;
	}
	if (access("/sys/bus/pci/drivers/vfio-pci/" EDU_BDF, F_OK)) {
		printf("1..0 # SKIP edu is not on vfio-pci\n");
		return 77;
	}
	if (b == UVF_VFIO_IOMMUFD && !uvf_vfio_iommufd_compiled()) {
		printf("1..0 # SKIP iommufd is not compiled in\n");
		return 77;
	}
	diag("backend %s", uvf_vfio_backend_name(b));
	if (b == UVF_VFIO_NOIOMMU) {
		noiommu_dma();
		goto out;
	}

	if (!rig_up(&r, b, 0, UVF_DOMAIN_TRANSLATED)) {
		ret = uvf_domain_create(r.iommu, UVF_DOMAIN_DIRECT, &second);
		tap(ret == -ENOTSUP, "no direct domain through VFIO: %d", ret);
		ret = uvf_domain_create(r.iommu, UVF_DOMAIN_TRANSLATED,
					&second);
		if (b == UVF_VFIO_TYPE1)
			tap(ret == -ENOTSUP,
			    "type1: a second translated domain is -ENOTSUP: %d",
			    ret);
		else if (tap(ret == 0, "iommufd: a second IOAS: %d", ret))
			uvf_domain_destroy(second);
		catalogue(&r);
		reserved(&r);
		rig_down(&r);
	}
	if (b == UVF_VFIO_TYPE1)
		budget();
	edu_dma(b);
out:
	return tap_finish();
}
