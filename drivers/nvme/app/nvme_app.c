/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/iommu.h>

#include "nvme_app.h"

#define HUGE_SZ (2u << 20)

void nvme_app_close(struct nvme_app *a)
{
	uvf_nvme_ctrl_close(a->ctrl);
	uvf_device_close(a->dev);	/* detaches from the domain */
	uvf_domain_destroy(a->dom);
	uvf_iommu_destroy(a->iommu);
	a->ctrl = NULL;
	a->dev = NULL;
	a->dom = NULL;
	a->iommu = NULL;
}

int nvme_app_open(struct nvme_app *a, const char *bdf,
		  enum uvf_vfio_backend backend,
		  const struct uvf_nvme_ctrl_opts *opts)
{
	struct uvf_vfio_opts vo = { .backend = backend };
	enum uvf_domain_type type;
	int ret;

	memset(a, 0, sizeof(*a));
	a->failed_step = "uvf_vfio_open";
	ret = uvf_vfio_open(&vo, &a->iommu);
	if (ret)
		goto err;
	a->failed_step = "uvf_vfio_device_open";
	ret = uvf_vfio_device_open(a->iommu, bdf, &a->dev);
	if (ret)
		goto err;
	/* Without an IOMMU there is nothing to translate through. */
	type = uvf_vfio_backend(a->iommu) == UVF_VFIO_NOIOMMU
		       ? UVF_DOMAIN_DIRECT
		       : UVF_DOMAIN_TRANSLATED;
	a->failed_step = "uvf_domain_create";
	ret = uvf_domain_create(a->iommu, type, &a->dom);
	if (ret)
		goto err;
	a->failed_step = "uvf_domain_attach";
	ret = uvf_domain_attach(a->dom, a->dev);
	if (ret)
		goto err;
	a->failed_step = "uvf_nvme_ctrl_open";
	ret = uvf_nvme_ctrl_open(a->dev, opts, &a->ctrl);
	if (ret)
		goto err;
	a->failed_step = NULL;
	return 0;
err:
	{
		const char *step = a->failed_step;

		nvme_app_close(a);
		a->failed_step = step;
	}
	return ret;
}

int nvme_app_buf_alloc(struct nvme_app *a, size_t len, void **out)
{
	size_t size = (len + HUGE_SZ - 1) & ~(size_t)(HUGE_SZ - 1);
	void *p;
	int ret;

	p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | MAP_POPULATE, -1,
		 0);
	if (p == MAP_FAILED)
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	/* Without an IOMMU the device uses physical addresses: the pages
	 * must stay where they are. */
	mlock(p, size);
	ret = uvf_dma_register(a->dev, p, size, NULL);
	if (ret) {
		munmap(p, size);
		return ret;
	}
	*out = p;
	return 0;
}

void nvme_app_buf_free(struct nvme_app *a, void *buf, size_t len)
{
	size_t size = (len + HUGE_SZ - 1) & ~(size_t)(HUGE_SZ - 1);

	if (!buf)
		return;
	uvf_dma_unregister(a->dev, buf, size);
	munmap(buf, size);
}

static int write_attr(const char *bdf, const char *attr, const char *val)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	if (bdf)
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf,
			 attr);
	else
		snprintf(path, sizeof(path), "/sys/bus/pci/%s", attr);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, strlen(val));
	n = n < 0 ? -errno : 0;
	close(fd);
	return (int)n;
}

/* The driver bound to @bdf now, or "" when none. */
static void bound_driver(const char *bdf, char *name, size_t len)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", bdf);
	n = readlink(path, link, sizeof(link) - 1);
	name[0] = '\0';
	if (n > 0) {
		link[n] = '\0';
		snprintf(name, len, "%s", strrchr(link, '/') + 1);
	}
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

int nvme_app_rebind(const char *bdf, const char *driver,
		    unsigned int timeout_ms)
{
	char cur[64];
	unsigned int waited;
	int ret;

	/* The tools/vm guest's /init runs the test as /uvf/.run: never
	 * touch the bindings of a machine that is not that guest. */
	if (access("/uvf/.run", F_OK))
		return -EPERM;
	ret = write_attr(bdf, "driver_override", driver);
	if (ret)
		return ret;
	bound_driver(bdf, cur, sizeof(cur));
	if (cur[0] && strcmp(cur, driver)) {
		ret = write_attr(bdf, "driver/unbind", bdf);
		if (ret)
			return ret;
	}
	if (strcmp(cur, driver))
		write_attr(NULL, "drivers_probe", bdf);
	for (waited = 0;; waited += 10) {
		bound_driver(bdf, cur, sizeof(cur));
		if (!strcmp(cur, driver))
			return 0;
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		sleep_ms(10);
	}
}

/* The controller the nvme driver made for @bdf: "nvme0". */
static int kernel_ctrl(const char *bdf, char *name, size_t len)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int ret = -ENOENT;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/nvme", bdf);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, "nvme", 4) &&
		    strlen(e->d_name) < len) {
			memcpy(name, e->d_name, strlen(e->d_name) + 1);
			ret = 0;
			break;
		}
	closedir(d);
	return ret;
}

int nvme_app_kernel_disk(const char *bdf, char *path, size_t len,
			 unsigned int timeout_ms)
{
	char ctrl[64];
	struct stat st;
	unsigned int waited;

	for (waited = 0;; waited += 10) {
		/* Namespace 1 of controller nvmeX is /dev/nvmeXn1 (with
		 * multipath the subsystem's number, the same here). */
		if (!kernel_ctrl(bdf, ctrl, sizeof(ctrl))) {
			snprintf(path, len, "/dev/%sn1", ctrl);
			if (!stat(path, &st) && S_ISBLK(st.st_mode))
				return 0;
		}
		if (waited >= timeout_ms)
			return -ETIMEDOUT;
		sleep_ms(10);
	}
}

static unsigned int tap_count;
static bool tap_failed;

bool nvme_tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %u - ", ok ? "ok" : "not ok", ++tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	tap_failed |= !ok;
	return ok;
}

void nvme_diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int nvme_tap_done(void)
{
	printf("1..%u\n", tap_count);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

enum uvf_vfio_backend nvme_guest_backend(int argc, char **argv)
{
	enum uvf_vfio_backend b = UVF_VFIO_TYPE1;
	int i;

	for (i = 1; i < argc; i++)
		if (!strncmp(argv[i], "--", 2))
			uvf_vfio_backend_parse(argv[i] + 2, &b);
	return b;
}

int nvme_guest_ready(enum uvf_vfio_backend backend)
{
	char drv[64];
	int fd;

	bound_driver(NVME_GUEST_BDF, drv, sizeof(drv));
	if (strcmp(drv, "vfio-pci")) {
		printf("1..0 # SKIP %s is on \"%s\", not vfio-pci\n",
		       NVME_GUEST_BDF, drv);
		return 77;
	}
	if (backend == UVF_VFIO_IOMMUFD && !uvf_vfio_iommufd_compiled()) {
		printf("1..0 # SKIP iommufd backend not compiled in\n");
		return 77;
	}
	/* Only inside the guest: the host's memory settings are not ours. */
	fd = access("/uvf/.run", F_OK) ? -1 :
	     open("/proc/sys/vm/nr_hugepages", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "64", 2) != 2)
			nvme_diag("could not reserve huge pages: %s",
				  strerror(errno));
		close(fd);
	}
	return 0;
}
