/* SPDX-License-Identifier: MIT */
/*
 * guest_unplug - runs in the tools/vm guest booted with run --hotplug, where
 * the NVMe controller and the NICs sit behind hot-pluggable PCIe root
 * ports. Drives one device under load, asks the host to hot-unplug it
 * (the console line "UVF-UNPLUG: nvme" or "UVF-UNPLUG: nic0"), and keeps
 * the load going until the kernel asks for the device back through VFIO's
 * request interrupt (uvf_device_event_poll()). Then it stops: what was
 * outstanding completes with an error, the device is released, and the
 * kernel finishes the removal, which it cannot do while the device is
 * held. Neither a hang nor a crash: every wait has a deadline.
 *
 * usage: guest_unplug nvme|nic [--type1|--iommufd]
 * Prints TAP; exits 0 pass, 1 fail, 77 skip.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/e1000e.h>
#include <uvf/mmio.h>
#include <uvf/uvf.h>

#include "guest_tap.h"
#include "nvme_app.h"

#define REQUEST_WAIT_MS 120000u	/* pciehp waits 5 s; TCG is slow */
#define GONE_WAIT_MS 60000u
#define NVME_QD 8u
#define NIC_BURST 16u

static char bdf[256];

static uint64_t now_ms(void)
{
	return uvf_now_ns() / 1000000;
}

static bool sysfs_is(const char *dev, const char *attr, const char *want)
{
	char path[512], val[64] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", dev, attr);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(val, sizeof(val), f))
		val[0] = '\0';
	fclose(f);
	val[strcspn(val, "\n")] = '\0';
	return !strcmp(val, want);
}

/* The first device (in address order) with this vendor and device ID. */
static bool find_device(const char *vendor, const char *device)
{
	struct dirent **names;
	int i, n = scandir("/sys/bus/pci/devices", &names, NULL, alphasort);
	bool found = false;

	for (i = 0; i < n; i++) {
		if (!found && sysfs_is(names[i]->d_name, "vendor", vendor) &&
		    sysfs_is(names[i]->d_name, "device", device)) {
			snprintf(bdf, sizeof(bdf), "%s", names[i]->d_name);
			found = true;
		}
		free(names[i]);
	}
	free(names);
	return found;
}

static bool bound_to_vfio(void)
{
	char path[512], link[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return !strcmp(strrchr(link, '/') + 1, "vfio-pci");
}

static void ask_for_unplug(const char *name)
{
	printf("UVF-UNPLUG: %s\n", name);
	fflush(stdout);
}

/* Polls the device's events: true once the kernel asked for it back. */
static bool requested(struct uvf_device *dev, unsigned int *errors)
{
	int ev = uvf_device_event_poll(dev, 0);

	if (ev > 0 && (ev & UVF_DEVICE_EVENT_ERROR)) {
		diag("the device reported an uncorrectable error");
		(*errors)++;
	}
	return ev > 0 && (ev & UVF_DEVICE_EVENT_REQUEST);
}

/* Once released and removed, the device cannot be had again. */
static void check_reopen_fails(enum uvf_vfio_backend backend)
{
	struct uvf_vfio_opts vo = { .backend = backend };
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	int ret = uvf_vfio_open(&vo, &iommu);

	if (!ret) {
		ret = uvf_vfio_device_open(iommu, bdf, &dev);
		if (!ret)
			uvf_device_close(dev);
		uvf_iommu_destroy(iommu);
	}
	tap(ret < 0, "opening %s again fails: %d", bdf, ret);
}

static void check_gone(void)
{
	char path[512];
	uint64_t t0 = now_ms();

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s", bdf);
	while (!access(path, F_OK) && now_ms() - t0 < GONE_WAIT_MS)
		usleep(100000);
	tap(access(path, F_OK), "released: the kernel removed %s (%llu ms)",
	    bdf, (unsigned long long)(now_ms() - t0));
}

struct nvme_load {
	unsigned int outstanding, done, errors;
};

static void load_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct nvme_load *l = arg;

	(void)cpl;
	l->outstanding--;
	l->done++;
	l->errors += err != 0;
}

static void nvme_case(struct nvme_app *app, struct uvf_nvme_qpair *qp,
		      uint8_t *buf)
{
	struct nvme_load l = { 0 };
	unsigned int dev_errors = 0, before;
	bool req = false;
	uint64_t t0;
	int ret = 0;

	/* Warm up: a round of writes and reads, all fine. */
	while (l.done < 64 && ret >= 0) {
		while (l.outstanding < NVME_QD && !ret) {
			ret = uvf_nvme_write(qp, 1, buf + l.outstanding * 4096,
					     l.outstanding * 8, 8, load_cb, &l);
			l.outstanding += !ret;
		}
		ret = uvf_nvme_qpair_process(qp, 0) < 0 ? -1 : 0;
	}
	tap(ret >= 0 && !l.errors, "I/O runs before the unplug (%u commands)",
	    l.done);
	ask_for_unplug("nvme");
	t0 = now_ms();
	while (!req && now_ms() - t0 < REQUEST_WAIT_MS) {
		while (l.outstanding < NVME_QD &&
		       !uvf_nvme_read(qp, 1, buf + l.outstanding * 4096,
				      l.outstanding * 8, 8, load_cb, &l))
			l.outstanding++;
		if (uvf_nvme_qpair_process(qp, 0) < 0)
			break;	/* the controller failed: its commands did */
		req = requested(app->dev, &dev_errors);
	}
	tap(req, "the kernel asked for the device back (request interrupt) "
		 "after %llu ms, %u commands under load",
	    (unsigned long long)(now_ms() - t0), l.done);
	/* Stop: destroying the queue pair deletes its queues; what the
	 * controller had not done yet completes as aborted (QEMU's is quick:
	 * it may have done them all). */
	before = l.outstanding;
	l.errors = 0;
	l.done = 0;
	uvf_nvme_qpair_destroy(qp);
	tap(!l.outstanding && l.done == before,
	    "the %u outstanding commands completed once each, %u aborted",
	    before, l.errors);
}

static int run_nvme(enum uvf_vfio_backend backend)
{
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp;
	struct nvme_app app;
	uint8_t *buf = NULL;
	int ret;

	if (!find_device("0x1b36", "0x0010") || !bound_to_vfio()) {
		printf("1..0 # SKIP no NVMe controller on vfio-pci\n");
		return 77;
	}
	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	o.cmd_timeout_ms = 10000;
	ret = nvme_app_open(&app, bdf, backend, &o);
	if (!tap(!ret, "open %s: %d (%s)", bdf, ret,
		 app.failed_step ? app.failed_step : "-"))
		return tap_finish();
	ret = uvf_device_event_enable(app.dev, UVF_DEVICE_EVENTS);
	tap(!ret, "error and request interrupts enabled: %d", ret);
	ret = nvme_app_buf_alloc(&app, NVME_QD * 4096, (void **)&buf);
	if (!ret)
		ret = uvf_nvme_qpair_create(app.ctrl, 0, &qp);
	if (tap(!ret, "buffer and queue pair: %d", ret))
		nvme_case(&app, qp, buf);
	if (buf)
		nvme_app_buf_free(&app, buf, NVME_QD * 4096);
	nvme_app_close(&app);
	check_gone();
	check_reopen_fails(backend);
	return tap_finish();
}

/* Post up to @n frames; the count posted, or a negative errno. */
static int send_frames(struct uvf_e1000e *nic, unsigned int n)
{
	struct uvf_e1000e_buf *b[NIC_BURST];
	unsigned int i;
	int sent;

	if (uvf_e1000e_pool_alloc(uvf_e1000e_pool(nic), b, n))
		return 0;	/* all in the ring: reclaimed as it drains */
	for (i = 0; i < n; i++) {
		b[i]->len = 1000;
		memset(b[i]->data, 0xff, 6);	/* broadcast */
		memset(b[i]->data + 6, 0x52, 1000 - 6);
	}
	sent = uvf_e1000e_tx_burst(nic, b, n);
	if (sent < (int)n)
		uvf_e1000e_pool_free(b + (sent > 0 ? sent : 0),
				     n - (unsigned int)(sent > 0 ? sent : 0));
	return sent;
}

static void nic_case(struct uvf_device *dev, struct uvf_e1000e *nic)
{
	struct uvf_e1000e_stats st;
	unsigned int errors = 0, frames = 0;
	bool req = false;
	uint64_t t0;
	int ret = 0;

	while (frames < 256 && ret >= 0) {
		ret = send_frames(nic, NIC_BURST);
		frames += ret > 0 ? (unsigned int)ret : 0;
	}
	ret = ret < 0 ? ret : uvf_e1000e_tx_flush(nic, 5000);
	if (!ret)
		ret = uvf_e1000e_get_stats(nic, &st);
	tap(!ret && st.tx_packets >= 256,
	    "frames go out before the unplug: %d, %llu sent", ret,
	    (unsigned long long)st.tx_packets);
	ask_for_unplug("nic0");
	t0 = now_ms();
	frames = 0;
	while (!req && now_ms() - t0 < REQUEST_WAIT_MS) {
		ret = send_frames(nic, NIC_BURST);
		if (ret < 0) {
			diag("tx_burst: %d", ret);
			errors++;
			break;
		}
		frames += (unsigned int)ret;
		req = requested(dev, &errors);
	}
	tap(req, "the kernel asked for the device back (request interrupt) "
		 "after %llu ms, %u frames under load",
	    (unsigned long long)(now_ms() - t0), frames);
	ret = uvf_e1000e_tx_flush(nic, 5000);
	tap(!ret || ret == -ENODEV || ret == -ETIMEDOUT,
	    "stopped: the frames still queued drained or failed: %d", ret);
}

static int run_nic(enum uvf_vfio_backend backend)
{
	struct uvf_vfio_opts vo = { .backend = backend };
	struct uvf_e1000e_opts o = { .irq = UVF_E1000E_IRQ_NONE };
	struct uvf_iommu *iommu = NULL;
	struct uvf_device *dev = NULL;
	struct uvf_domain *dom = NULL;
	struct uvf_e1000e *nic = NULL;
	int ret;

	if (!find_device("0x8086", "0x10d3") || !bound_to_vfio()) {
		printf("1..0 # SKIP no e1000e on vfio-pci\n");
		return 77;
	}
	ret = uvf_vfio_open(&vo, &iommu);
	if (!ret)
		ret = uvf_vfio_device_open(iommu, bdf, &dev);
	if (!ret)
		ret = uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom);
	if (!ret)
		ret = uvf_domain_attach(dom, dev);
	if (!ret)
		ret = uvf_e1000e_open(dev, &o, &nic);
	if (tap(!ret, "open %s: %d", bdf, ret)) {
		ret = uvf_device_event_enable(dev, UVF_DEVICE_EVENTS);
		tap(!ret, "error and request interrupts enabled: %d", ret);
		nic_case(dev, nic);
	}
	uvf_e1000e_close(nic);
	if (dom) {
		uvf_domain_detach(dom, dev);
		uvf_domain_destroy(dom);
	}
	uvf_device_close(dev);
	if (iommu)
		uvf_iommu_destroy(iommu);
	check_gone();
	check_reopen_fails(backend);
	return tap_finish();
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend backend;

	if (argc < 2 || guest_backend_arg(argc, argv, &backend))
		backend = UVF_VFIO_TYPE1;
	if (argc >= 2 && !strcmp(argv[1], "nvme"))
		return run_nvme(backend);
	if (argc >= 2 && !strcmp(argv[1], "nic"))
		return run_nic(backend);
	fprintf(stderr, "usage: guest_unplug nvme|nic [--type1|--iommufd]\n");
	return 2;
}
