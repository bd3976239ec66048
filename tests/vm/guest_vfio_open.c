/* SPDX-License-Identifier: MIT */
/*
 * guest_vfio_open - runs in the tools/vm guest (static). Opens the edu
 * (00:07.0) and NVMe (00:04.0) devices through uvf's VFIO layer on the
 * backend given as argument and checks the device side: backend choice,
 * failed opens that leave the context usable, configuration space, BAR
 * info / mapping / register access, interrupt vector counts, MSI delivery
 * to an eventfd, reset, and reopening after close.
 *
 * usage: guest_vfio_open --type1|--iommufd|--noiommu (or type1, ...)
 * Prints TAP; exits 0 pass, 1 fail, 77 skip (no device on vfio-pci).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/device.h>
#include <uvf/iommu.h>
#include <uvf/vfio.h>

#include "guest_tap.h"
#include "edu.h"

#define EDU_BDF "0000:00:07.0"
#define NVME_BDF "0000:00:04.0"

static void check_edu(struct uvf_iommu *iommu)
{
	struct uvf_domain *dom = NULL;
	struct uvf_device *edu, *dup;
	struct uvf_bar_info bi;
	uint64_t ident = 0;
	uint16_t id[2] = { 0, 0 };
	void *bar = NULL;
	int ret, n;

	ret = uvf_vfio_device_open(iommu, "00:07.0", &edu);
	if (!tap(ret == 0, "open edu by short address: %d", ret))
		return;
	tap(!strcmp(uvf_device_name(edu), EDU_BDF), "name %s",
	    uvf_device_name(edu));
	tap(uvf_device_rid(edu, NULL) == 0x38, "requester id %#x",
	    uvf_device_rid(edu, NULL));
	tap(uvf_vfio_device_fd(edu) >= 0, "device fd %d",
	    uvf_vfio_device_fd(edu));
	tap(uvf_vfio_device_group(edu) >= 0, "iommu group %d",
	    uvf_vfio_device_group(edu));
	ret = uvf_vfio_device_open(iommu, EDU_BDF, &dup);
	tap(ret == -EBUSY, "second open of edu on the context is -EBUSY: %d",
	    ret);

	ret = uvf_device_cfg_read(edu, 0, id, sizeof(id));
	tap(!ret && id[0] == 0x1234 && id[1] == 0x11e8,
	    "config space IDs %04x:%04x (%d)", id[0], id[1], ret);
	ret = uvf_device_cfg_read(edu, 4090, id, sizeof(id) * 2);
	tap(ret == -ERANGE, "config read past the end is -ERANGE: %d", ret);

	ret = uvf_device_bar_info(edu, 0, &bi);
	tap(!ret && bi.size == 1u << 20 && (bi.flags & UVF_BAR_MMIO) &&
		    (bi.flags & UVF_BAR_MMAP),
	    "BAR0: %#llx bytes, flags %#x (%d)", (unsigned long long)bi.size,
	    bi.flags, ret);
	ret = uvf_device_bar_info(edu, 1, &bi);
	tap(ret == -ENODEV, "BAR1 not implemented: %d", ret);
	ret = uvf_device_bar_map(edu, 0, &bar);
	tap(!ret && bar, "BAR0 mapped at %p (%d)", bar, ret);
	ret = uvf_device_bar_read(edu, 0, 0, &ident, 4);
	tap(!ret && (ident & 0xff) == 0xed, "ident register %#llx (%d)",
	    (unsigned long long)ident, ret);
	if (bar)
		tap(*(volatile uint32_t *)bar == (uint32_t)ident,
		    "ident through the mapping matches");
	ret = uvf_device_bar_read(edu, 0, 1u << 20, &ident, 4);
	tap(ret == -ERANGE, "read past BAR0 is -ERANGE: %d", ret);
	ret = uvf_edu_probe(edu);
	tap(ret == 0, "edu driver probe: %d", ret);

	/* Where MSIs go through the IOMMU (ARM: the write to the ITS
	 * doorbell is a DMA write), a device that is in no I/O address space
	 * -- iommufd's blocking state after bind -- cannot signal. So put edu
	 * in a domain first, as a driver would. */
	ret = uvf_domain_create(iommu, uvf_vfio_backend(iommu) ==
					       UVF_VFIO_NOIOMMU ?
				       UVF_DOMAIN_DIRECT :
				       UVF_DOMAIN_TRANSLATED,
				&dom);
	tap(ret == 0, "domain for edu: %d", ret);
	if (!ret) {
		ret = uvf_domain_attach(dom, edu);
		tap(ret == 0, "edu attached: %d", ret);
	}

	ret = uvf_device_irq_enable(edu, UVF_IRQ_MSI, 2);
	tap(ret == -ENOTSUP, "2 MSI vectors on edu (it has 1) is -ENOTSUP: %d",
	    ret);
	ret = uvf_device_irq_enable(edu, UVF_IRQ_MSIX, 1);
	tap(ret == -ENOTSUP, "MSI-X on edu (it has none) is -ENOTSUP: %d", ret);
	ret = uvf_device_irq_enable(edu, UVF_IRQ_MSI, 1);
	if (tap(ret == 0, "MSI enabled: %d", ret)) {
		struct uvf_edu *e;

		ret = uvf_edu_open(edu, &e);
		if (!ret) {
			uint32_t st = 0;

			uvf_edu_raise_irq(e, 0x1);
			n = uvf_device_irq_wait(edu, 0, 2000);
			tap(n >= 1, "MSI on the eventfd after raise: %d", n);
			uvf_edu_irq_status(e, &st);
			tap(st & 0x1, "interrupt status %#x", st);
			uvf_edu_irq_ack(e, st);
			uvf_edu_close(e);
		} else {
			tap(false, "edu driver open: %d", ret);
		}
		ret = uvf_device_irq_disable(edu);
		tap(ret == 0, "MSI disabled: %d", ret);
	}
	ret = uvf_device_irq_enable(edu, UVF_IRQ_INTX, 1);
	tap(ret == 0, "INTx enabled: %d", ret);
	if (!ret) {
		ret = uvf_vfio_device_intx_unmask(edu);
		tap(ret == 0, "INTx unmask: %d", ret);
		uvf_device_irq_disable(edu);
	}
	ret = uvf_device_reset(edu);
	tap(ret == 0 || ret == -ENOTSUP, "edu reset: %d", ret);
	uvf_device_close(edu);
	if (dom)
		tap(uvf_domain_destroy(dom) == 0, "edu's domain destroyed");
}

static void check_nvme(struct uvf_iommu *iommu)
{
	struct uvf_device *nvme;
	struct uvf_bar_info bi;
	uint64_t cap = 0, vs = 0;
	uint16_t id[2] = { 0, 0 };
	void *bar = NULL;
	unsigned int nvec;
	int ret;

	ret = uvf_vfio_device_open(iommu, NVME_BDF, &nvme);
	if (!tap(ret == 0, "open nvme: %d", ret))
		return;
	ret = uvf_device_cfg_read(nvme, 0, id, sizeof(id));
	tap(!ret && id[0] == 0x1b36 && id[1] == 0x0010,
	    "nvme config IDs %04x:%04x", id[0], id[1]);
	ret = uvf_device_bar_info(nvme, 0, &bi);
	tap(!ret && bi.size >= 0x2000 && (bi.flags & UVF_BAR_64),
	    "nvme BAR0 %#llx bytes, flags %#x", (unsigned long long)bi.size,
	    bi.flags);
	ret = uvf_device_bar_read(nvme, 0, 0, &cap, 8);
	tap(!ret && cap, "CAP %#llx (%d)", (unsigned long long)cap, ret);
	ret = uvf_device_bar_read(nvme, 0, 8, &vs, 4);
	tap(!ret && vs >= 0x10000, "VS %#llx", (unsigned long long)vs);
	ret = uvf_device_bar_map(nvme, 0, &bar);
	tap(ret == 0 || ret == -ENOTSUP, "BAR0 map: %d", ret);
	if (!ret)
		tap(*(volatile uint32_t *)((char *)bar + 8) == (uint32_t)vs,
		    "VS through the mapping matches");
	/* Find the MSI-X vector count by asking for more and more. */
	for (nvec = 1; nvec <= 2048; nvec *= 2) {
		ret = uvf_device_irq_enable(nvme, UVF_IRQ_MSIX, nvec);
		if (ret)
			break;
		uvf_device_irq_disable(nvme);
	}
	tap(nvec > 1 && ret == -ENOTSUP,
	    "MSI-X: %u vectors fit, %u is -ENOTSUP (%d)", nvec / 2, nvec, ret);
	ret = uvf_device_reset(nvme);
	tap(ret == 0 || ret == -ENOTSUP, "nvme reset: %d", ret);
	uvf_device_close(nvme);
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend want;
	struct uvf_vfio_opts o = { 0 };
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	int ret;

	if (guest_backend_arg(argc, argv, &want)) {
		fprintf(stderr, "usage: %s --type1|--iommufd|--noiommu\n",
			argv[0]);
		return 2;
	}
	if (access("/sys/bus/pci/drivers/vfio-pci/" EDU_BDF, F_OK)) {
		printf("1..0 # SKIP edu is not on vfio-pci\n");
		return 77;
	}
	if (want == UVF_VFIO_IOMMUFD && !uvf_vfio_iommufd_compiled()) {
		o.backend = want;
		ret = uvf_vfio_open(&o, &iommu);
		tap(ret == -ENOTSUP, "iommufd not compiled in: open is -ENOTSUP");
		return tap_finish();
	}
	diag("backend %s", uvf_vfio_backend_name(want));

	/* AUTO decides by the first device. */
	ret = uvf_vfio_open(NULL, &iommu);
	if (tap(ret == 0, "open an undecided context: %d", ret)) {
		tap(uvf_vfio_backend(iommu) == UVF_VFIO_AUTO,
		    "undecided until a device opens");
		ret = uvf_vfio_device_open(iommu, "0000:00:1f.6", &dev);
		tap(ret == -ENODEV, "no such device is -ENODEV: %d", ret);
		tap(uvf_vfio_backend(iommu) == UVF_VFIO_AUTO,
		    "a failed open leaves it undecided");
		ret = uvf_vfio_device_open(iommu, EDU_BDF, &dev);
		tap(ret == 0, "auto open of edu: %d", ret);
		if (!ret) {
			diag("auto picked %s (%s)",
			     uvf_vfio_backend_name(uvf_vfio_backend(iommu)),
			     uvf_iommu_name(iommu));
			tap(want != UVF_VFIO_NOIOMMU ||
				    uvf_vfio_backend(iommu) == UVF_VFIO_NOIOMMU,
			    "a noiommu group picks noiommu");
			uvf_device_close(dev);
		}
		tap(uvf_iommu_destroy(iommu) == 0, "destroy");
	}

	o.backend = want;
	ret = uvf_vfio_open(&o, &iommu);
	if (!tap(ret == 0, "open a %s context: %d", uvf_vfio_backend_name(want),
		 ret))
		goto out;
	tap(uvf_vfio_backend(iommu) == (int)want, "backend is %s (%s)",
	    uvf_vfio_backend_name(want), uvf_iommu_name(iommu));
	tap(uvf_vfio_context_fd(iommu) >= 0, "context fd %d",
	    uvf_vfio_context_fd(iommu));
	ret = uvf_vfio_device_open(iommu, "not-a-bdf", &dev);
	tap(ret == -EINVAL, "malformed address is -EINVAL: %d", ret);
	ret = uvf_vfio_device_open(iommu, "0000:00:1f.6", &dev);
	tap(ret == -ENODEV, "no such device is -ENODEV: %d", ret);
	check_edu(iommu);
	check_nvme(iommu);
	tap(uvf_iommu_destroy(iommu) == 0, "destroy the context");

	/* Everything was given back: the same devices open again. */
	ret = uvf_vfio_open(&o, &iommu);
	if (tap(ret == 0, "reopen the context: %d", ret)) {
		ret = uvf_vfio_device_open(iommu, EDU_BDF, &dev);
		tap(ret == 0, "edu opens again after close: %d", ret);
		if (!ret)
			uvf_device_close(dev);
		uvf_iommu_destroy(iommu);
	}
out:
	return tap_finish();
}
