/* SPDX-License-Identifier: MIT */
/*
 * guest_hotreset - runs in the tools/vm guest booted with run --hotplug,
 * where the NVMe controller sits alone behind a PCIe root port
 * (0000:01:00.0) and edu is on the root bus (0000:00:07.0). Pins
 * uvf_vfio_hot_reset() on a real kernel and device:
 *  - the affected devices are reported: the controller, owned;
 *  - the secondary bus reset really resets it: an enabled controller
 *    (CC.EN, CSTS.RDY) comes back disabled;
 *  - the device is usable after it: re-enabled, an Identify through the
 *    same IOMMU mapping returns the controller's PCI vendor ID;
 *  - a device on the root bus has no bus to reset: -ENODEV from both
 *    calls, and uvf_device_reset() on edu, which has no function reset
 *    either, is -ENOTSUP.
 * type1 proves ownership with the group fd array, iommufd with an empty
 * one (the cdev is bound to the context's iommufd).
 *
 * usage: guest_hotreset [--type1|--iommufd]
 * Prints TAP; exits 0 pass, 1 fail.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uvf/mmio.h>
#include <uvf/uvf.h>

#include "guest_tap.h"

#define NVME_BDF "0000:01:00.0"
#define EDU_BDF "0000:00:07.0"

#define REG_CAP 0x00
#define REG_CC 0x14
#define REG_CSTS 0x1c
#define REG_AQA 0x24
#define REG_ASQ 0x28
#define REG_ACQ 0x30
#define CC_EN 1u
#define CC_QES ((6u << 16) | (4u << 20))	/* 64-byte SQE, 16-byte CQE */
#define CSTS_RDY 1u

/* The admin queues (two entries each) and an Identify buffer, one
 * coherent allocation: SQ at 0, CQ at 4 KiB, data at 8 KiB. */
struct admin {
	volatile void *bar;
	uint8_t *mem;
	uvf_iova_t iova;
	unsigned int sq_tail, cq_head, phase, dstrd;
	uint64_t timeout_ms;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool wait_rdy(struct admin *a, uint32_t want)
{
	uint64_t end = now_ms() + a->timeout_ms;

	while ((uvf_mmio_read32(a->bar, REG_CSTS) & CSTS_RDY) != want)
		if (now_ms() > end)
			return false;
	return true;
}

static bool enable(struct admin *a)
{
	memset(a->mem, 0, 8192);
	a->sq_tail = a->cq_head = 0;
	a->phase = 1;
	uvf_mmio_write32(a->bar, REG_AQA, (1u << 16) | 1u);
	uvf_mmio_write64(a->bar, REG_ASQ, a->iova);
	uvf_mmio_write64(a->bar, REG_ACQ, a->iova + 4096);
	uvf_mmio_write32(a->bar, REG_CC, CC_QES | CC_EN);
	return wait_rdy(a, CSTS_RDY);
}

/* Identify Controller; its first two bytes are the PCI vendor ID. */
static int identify_vid(struct admin *a, uint16_t *vid)
{
	uint32_t *sqe = (uint32_t *)(a->mem + a->sq_tail * 64);
	volatile uint32_t *cqe = (uint32_t *)(a->mem + 4096 + a->cq_head * 16);
	uint64_t prp = a->iova + 8192, end;

	memset(sqe, 0, 64);
	memset(a->mem + 8192, 0, 4096);
	sqe[0] = 0x06 | (7u << 16);	/* opcode Identify, CID 7 */
	sqe[6] = (uint32_t)prp;
	sqe[7] = (uint32_t)(prp >> 32);
	sqe[10] = 1;			/* CNS 1: the controller */
	a->sq_tail = (a->sq_tail + 1) % 2;
	uvf_mmio_wmb();
	uvf_mmio_write32(a->bar, 0x1000, a->sq_tail);
	end = now_ms() + a->timeout_ms;
	while (((cqe[3] >> 16) & 1) != a->phase)
		if (now_ms() > end)
			return -ETIMEDOUT;
	uvf_mmio_rmb();
	if ((cqe[3] >> 17) & 0x7fff)
		return -EIO;
	a->cq_head = (a->cq_head + 1) % 2;
	if (!a->cq_head)
		a->phase ^= 1;
	uvf_mmio_write32(a->bar, 0x1000 + (4u << a->dstrd), a->cq_head);
	memcpy(vid, a->mem + 8192, sizeof(*vid));
	return 0;
}

/* Memory decoding and bus mastering, which the driver owns (VFIO keeps
 * them across the reset: it saves and restores config space). */
static int bus_master_on(struct uvf_device *dev)
{
	uint16_t cmd;
	int ret = uvf_device_cfg_read(dev, 0x04, &cmd, sizeof(cmd));

	if (ret)
		return ret;
	cmd |= 0x6;
	return uvf_device_cfg_write(dev, 0x04, &cmd, sizeof(cmd));
}

static void check_reported(struct uvf_device *dev)
{
	struct uvf_vfio_reset_dev *devs = NULL;
	size_t n = 0, i;
	int ret = uvf_vfio_hot_reset_devices(dev, &devs, &n);

	tap(!ret && n == 1 && !strcmp(devs[0].bdf, NVME_BDF) && devs[0].owned,
	    "a hot reset of %s resets it alone, and it is ours: %d, %zu "
	    "device(s)", NVME_BDF, ret, n);
	for (i = 0; !ret && i < n; i++)
		diag("affected: %s%s", devs[i].bdf, devs[i].owned ? " (owned)" :
								     "");
	free(devs);
}

static void check_root_bus_device(struct uvf_iommu *iommu)
{
	struct uvf_vfio_reset_dev *devs = NULL;
	struct uvf_device *edu;
	size_t n = 0;
	int ret = uvf_vfio_device_open(iommu, EDU_BDF, &edu);

	if (!tap(!ret, "edu on the root bus opens: %d", ret))
		return;
	ret = uvf_vfio_hot_reset_devices(edu, &devs, &n);
	tap(ret == -ENODEV && !devs,
	    "a device on the root bus has no bus to reset: %d", ret);
	free(devs);
	ret = uvf_vfio_hot_reset(edu);
	tap(ret == -ENODEV, "and resetting it is -ENODEV: %d", ret);
	/* edu has no FLR, no PM reset, and no bus: no reset at all. */
	ret = uvf_device_reset(edu);
	tap(ret == -ENOTSUP, "uvf_device_reset(edu) is -ENOTSUP: %d", ret);
	uvf_device_close(edu);
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend b = UVF_VFIO_TYPE1;
	struct uvf_vfio_opts o = { 0 };
	struct uvf_iommu *iommu = NULL;
	struct uvf_device *dev = NULL;
	struct uvf_domain *dom = NULL;
	struct admin a = { 0 };
	uint64_t cap;
	uint16_t vid = 0;
	void *bar;
	int ret;

	if (argc > 1 && guest_backend_arg(argc, argv, &b)) {
		fprintf(stderr, "usage: guest_hotreset [--type1|--iommufd]\n");
		return 2;
	}
	o.backend = b;
	ret = uvf_vfio_open(&o, &iommu);
	if (!ret)
		ret = uvf_vfio_device_open(iommu, NVME_BDF, &dev);
	if (!ret)
		ret = uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom);
	if (!ret)
		ret = uvf_domain_attach(dom, dev);
	if (!ret)
		ret = bus_master_on(dev);
	if (!ret)
		ret = uvf_device_bar_map(dev, 0, &bar);
	if (!ret)
		ret = uvf_dma_alloc_coherent(dev, 3 * 4096, (void **)&a.mem,
					     &a.iova);
	if (!tap(!ret, "%s: %s open, attached, BAR 0 and queues mapped: %d",
		 b == UVF_VFIO_IOMMUFD ? "iommufd" : "type1", NVME_BDF, ret))
		return tap_finish();
	a.bar = bar;
	cap = uvf_mmio_read64(a.bar, REG_CAP);
	a.dstrd = (unsigned int)(cap >> 32) & 0xf;
	a.timeout_ms = ((cap >> 24) & 0xff) * 500 + 1000;

	check_reported(dev);
	ret = enable(&a) ? identify_vid(&a, &vid) : -ETIMEDOUT;
	tap(!ret && vid == 0x1b36,
	    "enabled before the reset, Identify VID %#x: %d (CSTS %#x)", vid,
	    ret, uvf_mmio_read32(a.bar, REG_CSTS));

	ret = uvf_vfio_hot_reset(dev);
	tap(ret == 0, "VFIO_DEVICE_PCI_HOT_RESET: %d", ret);
	tap(uvf_mmio_read32(a.bar, REG_CC) == 0 &&
	    !(uvf_mmio_read32(a.bar, REG_CSTS) & CSTS_RDY),
	    "the reset disabled the controller: CC %#x CSTS %#x",
	    uvf_mmio_read32(a.bar, REG_CC), uvf_mmio_read32(a.bar, REG_CSTS));

	vid = 0;
	ret = enable(&a) ? identify_vid(&a, &vid) : -ETIMEDOUT;
	tap(!ret && vid == 0x1b36,
	    "usable after it: enabled again, Identify VID %#x through the "
	    "same mapping: %d (CSTS %#x)", vid, ret,
	    uvf_mmio_read32(a.bar, REG_CSTS));
	uvf_mmio_write32(a.bar, REG_CC, 0);
	wait_rdy(&a, 0);

	check_root_bus_device(iommu);

	ret = uvf_dma_free_coherent(dev, 3 * 4096, a.mem, a.iova);
	tap(ret == 0, "queues freed: %d", ret);
	uvf_domain_detach(dom, dev);
	ret = uvf_domain_destroy(dom);
	uvf_device_close(dev);
	ret = ret ? ret : uvf_iommu_destroy(iommu);
	tap(ret == 0, "domain and context torn down: %d", ret);
	return tap_finish();
}
