/* SPDX-License-Identifier: MIT */
/*
 * guest_nvme_kernel - runs in the tools/vm guest (static). Data crosses
 * between uvf's NVMe driver and the kernel's on QEMU's controller (00:04.0):
 * uvf writes, the controller goes to the nvme driver, and an O_DIRECT read
 * of /dev/nvme0n1 must return the same bytes; then the kernel writes with
 * O_DIRECT, the controller goes back to vfio-pci, and uvf must read those
 * bytes. Rebinding happens inside the guest only (nvme_app_rebind refuses
 * anywhere else).
 *
 * usage: guest_nvme_kernel [--type1|--iommufd|--noiommu]
 * Prints TAP; exits 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guest_nvme_data.h"
#include "nvme_app.h"

#define LEN (1u << 20)
#define UVF_OFF (4ull << 20)	/* uvf writes here */
#define KERNEL_OFF (16ull << 20)	/* the kernel writes here */

/* Transfers of at most max_xfer, one after another. */
static int uvf_rw(struct nvme_app *app, bool write, uint8_t *buf,
		  uint64_t off, size_t len)
{
	const struct uvf_nvme_ctrl_info *ci = uvf_nvme_ctrl_get_info(app->ctrl);
	struct uvf_nvme_ns_info ns;
	struct uvf_nvme_qpair *qp;
	size_t done, chunk;
	int ret;

	ret = uvf_nvme_ns_get_info(app->ctrl, 1, &ns);
	if (!ret)
		ret = uvf_nvme_qpair_create(app->ctrl, 0, &qp);
	if (ret)
		return ret;
	for (done = 0; done < len && !ret; done += chunk) {
		struct uvf_nvme_sync s = { 0 };
		uint64_t lba = (off + done) / ns.block_size;
		uint32_t nlb;

		chunk = len - done < ci->max_xfer ? len - done : ci->max_xfer;
		nlb = (uint32_t)(chunk / ns.block_size);
		ret = write ? uvf_nvme_write(qp, 1,
					     buf + done, lba, nlb,
					     uvf_nvme_sync_cb, &s)
			    : uvf_nvme_read(qp, 1, buf + done, lba, nlb,
					    uvf_nvme_sync_cb, &s);
		if (!ret)
			ret = uvf_nvme_sync_wait(qp, &s);
	}
	if (!ret && write) {
		struct uvf_nvme_sync s = { 0 };

		ret = uvf_nvme_flush(qp, 1, uvf_nvme_sync_cb, &s);
		if (!ret)
			ret = uvf_nvme_sync_wait(qp, &s);
	}
	uvf_nvme_qpair_destroy(qp);
	return ret;
}

static int uvf_session(enum uvf_vfio_backend backend, bool write,
		       uint8_t *data, uint64_t off)
{
	struct uvf_nvme_ctrl_opts o;
	struct nvme_app app;
	uint8_t *buf;
	int ret;

	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	ret = nvme_app_open(&app, NVME_GUEST_BDF, backend, &o);
	if (!nvme_tap(!ret, "uvf opens the controller: %d%s%s", ret,
		      ret ? " at " : "", ret ? app.failed_step : ""))
		return ret;
	ret = nvme_app_buf_alloc(&app, LEN, (void **)&buf);
	if (!ret) {
		if (write)
			memcpy(buf, data, LEN);
		ret = uvf_rw(&app, write, buf, off, LEN);
		if (!ret && !write)
			memcpy(data, buf, LEN);
		nvme_app_buf_free(&app, buf, LEN);
	}
	/* Closing shuts the controller down: its cache is on the media. */
	nvme_app_close(&app);
	return ret;
}

static int kernel_rw(const char *disk, bool write, uint8_t *buf,
		     uint64_t off)
{
	ssize_t n;
	int fd, ret = 0;

	fd = open(disk, (write ? O_RDWR : O_RDONLY) | O_DIRECT | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write ? pwrite(fd, buf, LEN, (off_t)off)
		  : pread(fd, buf, LEN, (off_t)off);
	if (n != LEN)
		ret = n < 0 ? -errno : -EIO;
	if (!ret && write && fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend backend = nvme_guest_backend(argc, argv);
	uint8_t *a = aligned_alloc(4096, LEN), *b = aligned_alloc(4096, LEN);
	uint8_t *got = aligned_alloc(4096, LEN);
	char disk[64];
	int ret = nvme_guest_ready(backend);

	if (ret)
		return ret;
	if (!a || !b || !got)
		return 1;
	guest_fill(a, LEN, 1);
	guest_fill(b, LEN, 2);

	ret = uvf_session(backend, true, a, UVF_OFF);
	nvme_tap(!ret, "uvf writes 1 MiB at 4 MiB and flushes: %d", ret);
	ret = nvme_app_rebind(NVME_GUEST_BDF, "nvme", 10000);
	if (!nvme_tap(!ret, "controller handed to the kernel's nvme driver: %d",
		      ret))
		return nvme_tap_done();
	ret = nvme_app_kernel_disk(NVME_GUEST_BDF, disk, sizeof(disk), 30000);
	if (!nvme_tap(!ret, "block device %s: %d", ret ? "-" : disk, ret))
		return nvme_tap_done();
	ret = kernel_rw(disk, false, got, UVF_OFF);
	nvme_tap(!ret && !memcmp(got, a, LEN),
		 "kernel O_DIRECT read returns what uvf wrote: %d", ret);
	ret = kernel_rw(disk, true, b, KERNEL_OFF);
	nvme_tap(!ret, "kernel O_DIRECT write of 1 MiB at 16 MiB, fsync: %d",
		 ret);

	ret = nvme_app_rebind(NVME_GUEST_BDF, "vfio-pci", 10000);
	if (!nvme_tap(!ret, "controller back on vfio-pci: %d", ret))
		return nvme_tap_done();
	memset(got, 0, LEN);
	ret = uvf_session(backend, false, got, KERNEL_OFF);
	nvme_tap(!ret && !memcmp(got, b, LEN),
		 "uvf reads what the kernel wrote: %d", ret);
	memset(got, 0, LEN);
	ret = uvf_session(backend, false, got, UVF_OFF);
	nvme_tap(!ret && !memcmp(got, a, LEN),
		 "uvf's own data survived the kernel's use: %d", ret);
	free(a);
	free(b);
	free(got);
	return nvme_tap_done();
}
