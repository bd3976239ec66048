/* SPDX-License-Identifier: MIT */
/*
 * What the NVMe examples and guest tests share, outside the driver proper:
 * opening the controller at a PCI address through uvf's VFIO layer (context,
 * device, domain, controller), registered I/O memory, and moving the device
 * between vfio-pci and the kernel's nvme driver inside the test guest.
 */
#ifndef UVF_NVME_APP_H
#define UVF_NVME_APP_H

#include <uvf/nvme.h>
#include <uvf/vfio.h>

struct nvme_app {
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	struct uvf_nvme_ctrl *ctrl;
	const char *failed_step;	/* after a failed open: what failed */
};

/* Open @bdf on @backend and bring the controller up with @opts (NULL:
 * defaults). A noiommu context gets a direct domain, the others a
 * translated one. On failure everything is closed again and failed_step
 * names the step. */
int nvme_app_open(struct nvme_app *a, const char *bdf,
		  enum uvf_vfio_backend backend,
		  const struct uvf_nvme_ctrl_opts *opts);
void nvme_app_close(struct nvme_app *a);

/* @len bytes (rounded up to 2 MiB) of I/O memory registered with the
 * device: huge pages when the system has them, locked in memory. */
int nvme_app_buf_alloc(struct nvme_app *a, size_t len, void **out);
void nvme_app_buf_free(struct nvme_app *a, void *buf, size_t len);

/* Inside the tools/vm guest only (refused elsewhere with -EPERM): hand
 * @bdf to @driver ("nvme" or "vfio-pci") through driver_override, unbind,
 * drivers_probe, and wait up to @timeout_ms for the driver to take it. */
int nvme_app_rebind(const char *bdf, const char *driver,
		    unsigned int timeout_ms);
/* The block device of the first namespace the kernel's nvme driver made
 * for @bdf ("/dev/nvme0n1"), waiting up to @timeout_ms for it. */
int nvme_app_kernel_disk(const char *bdf, char *path, size_t len,
			 unsigned int timeout_ms);

/* ---- Guest test programs (tests/vm/guest_nvme*) ---- */

/* The tools/vm guest's NVMe controller. */
#define NVME_GUEST_BDF "0000:00:04.0"

/* TAP: one "ok N - ..." / "not ok N - ..." line; returns @ok. */
bool nvme_tap(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void nvme_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* The plan line; 0 when every check passed, else 1. */
int nvme_tap_done(void);

/* The matrix row's flavour from the trailing arguments (--type1,
 * --iommufd, --noiommu); type1 when none is given. */
enum uvf_vfio_backend nvme_guest_backend(int argc, char **argv);
/* 0 when the guest test can run on @backend: the controller is on
 * vfio-pci and the backend is compiled in; else prints why and returns
 * 77 (skip). Reserves huge pages (noiommu queues need contiguous
 * memory). */
int nvme_guest_ready(enum uvf_vfio_backend backend);

#endif
