/*
 * guest_vfio_probe - runs inside the tools/vm guest (static binary) and checks
 * that the VM matrix row delivers what it promises before any uvf test relies
 * on it: the emulated devices are bound to vfio-pci, their VFIO nodes exist,
 * and the edu device can be opened through the requested VFIO flavour, its
 * registers read and written, its MSI delivered to an eventfd, and (with an
 * IOMMU) driven to DMA through it.
 *
 * usage: guest_vfio_probe [--type1] [--iommufd] [--noiommu] [--no-dma]
 *   --type1    open edu via group + container with the type1v2 IOMMU (default)
 *   --iommufd  expect /dev/iommu and /dev/vfio/devices/vfioN; open edu via the
 *              device cdev bound to an iommufd IOAS
 *   --noiommu  groups are /dev/vfio/noiommu-N; open edu via the noiommu
 *              container (no DMA check: nothing translates addresses)
 *   --no-dma   skip the edu DMA round trip
 * Prints TAP; exits 0 pass, 1 fail, 77 skip (no vfio-pci at all).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* project builds pass -D_GNU_SOURCE already */
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <linux/pci_regs.h>
#include <linux/vfio.h>

/*
 * The cdev/iommufd uAPI (Linux 6.6+) is stable ABI; define what we use when
 * the build host's headers predate it (Debian 12 ships 6.1 headers).
 */
#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif
#ifndef VFIO_DEVICE_BIND_IOMMUFD
struct vfio_device_bind_iommufd {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
};
#define VFIO_DEVICE_BIND_IOMMUFD _IO(VFIO_TYPE, VFIO_BASE + 18)
struct vfio_device_attach_iommufd_pt {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
};
#define VFIO_DEVICE_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#endif
#ifndef IOMMU_IOAS_ALLOC
#define IOMMUFD_TYPE (';')
struct iommu_ioas_alloc {
	__u32 size;
	__u32 flags;
	__u32 out_ioas_id;
};
#define IOMMU_IOAS_ALLOC _IO(IOMMUFD_TYPE, 0x81)
struct iommu_ioas_map {
	__u32 size;
	__u32 flags;
	__u32 ioas_id;
	__u32 __reserved;
	__aligned_u64 user_va;
	__aligned_u64 length;
	__aligned_u64 iova;
};
#define IOMMU_IOAS_MAP _IO(IOMMUFD_TYPE, 0x85)
#define IOMMU_IOAS_MAP_FIXED_IOVA (1 << 0)
#define IOMMU_IOAS_MAP_WRITEABLE (1 << 1)
#define IOMMU_IOAS_MAP_READABLE (1 << 2)
#endif

/* QEMU's edu device (docs/specs/edu.txt). */
#define EDU_IDENT 0x00     /* 0xRRrr00ed: major, minor, 0xed */
#define EDU_LIVENESS 0x04  /* reads back the bitwise inverse */
#define EDU_IRQ_RAISE 0x60
#define EDU_IRQ_ACK 0x64
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_CNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_RUN 0x1
#define EDU_DMA_TO_RAM 0x2
#define EDU_DMA_BUF 0x40000 /* device-side 4 KiB buffer */
/*
 * Less than the whole buffer: QEMU 7.2's edu range check rejects a transfer
 * ending exactly at the buffer's end, and its hw_error() aborts QEMU.
 */
#define EDU_DMA_SIZE 2048
/* edu masks DMA addresses to 28 bits: keep the IOVA well below 256 MiB. */
#define DMA_IOVA 0x100000 /* keep in sync with the test names below */
#define DMA_MAP_SIZE 4096   /* IOMMU mappings are whole pages */

struct expected {
	const char *name;
	unsigned vendor, device, count;
};
static const struct expected expected[] = {
	{ "nvme", 0x1b36, 0x0010, 1 },
	{ "e1000e", 0x8086, 0x10d3, 2 },
	{ "edu", 0x1234, 0x11e8, 1 },
};

static int test_no;
static bool failed;

static void tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (!ok)
		failed = true;
}

static void skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++test_no, what, why);
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static unsigned read_hex(const char *bdf, const char *attr)
{
	char path[PATH_MAX], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, attr);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return (unsigned)strtoul(buf, NULL, 16);
}

/* Basename of the symlink /sys/bus/pci/devices/<bdf>/<link>, or "" if none. */
static const char *link_name(const char *bdf, const char *link, char *out, size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/%s", bdf, link);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0) {
		out[0] = '\0';
		return out;
	}
	target[n] = '\0';
	snprintf(out, len, "%.*s", (int)len - 1, strrchr(target, '/') ? strrchr(target, '/') + 1 : target);
	return out;
}

/* The first "vfioN" under /sys/bus/pci/devices/<bdf>/vfio-dev, or "". */
static const char *cdev_name(const char *bdf, char *out, size_t len)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	out[0] = '\0';
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/vfio-dev", bdf);
	d = opendir(path);
	if (!d)
		return out;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, "vfio", 4) == 0) {
			snprintf(out, len, "%.*s", (int)len - 1, e->d_name);
			break;
		}
	closedir(d);
	return out;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/* Check every expected device; remember where edu is. */
static void check_devices(bool noiommu, bool iommufd, char *edu_bdf, size_t edu_len)
{
	for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
		const struct expected *x = &expected[i];
		unsigned found = 0;
		struct dirent *e;
		DIR *d = opendir("/sys/bus/pci/devices");

		if (!d) {
			tap(false, "open /sys/bus/pci/devices: %s", strerror(errno));
			return;
		}
		while ((e = readdir(d))) {
			char drv[64], grp[64], cdev[64], node[PATH_MAX];
			const char *bdf = e->d_name;

			if (bdf[0] == '.' || read_hex(bdf, "vendor") != x->vendor ||
			    read_hex(bdf, "device") != x->device)
				continue;
			found++;
			if (strcmp(x->name, "edu") == 0)
				snprintf(edu_bdf, edu_len, "%.*s", (int)edu_len - 1, bdf);

			link_name(bdf, "driver", drv, sizeof(drv));
			tap(strcmp(drv, "vfio-pci") == 0, "%s %s bound to vfio-pci (driver: %s)",
			    x->name, bdf, drv[0] ? drv : "none");

			link_name(bdf, "iommu_group", grp, sizeof(grp));
			snprintf(node, sizeof(node), "/dev/vfio/%s%s", noiommu ? "noiommu-" : "", grp);
			tap(grp[0] && exists(node), "%s %s group node %s exists", x->name, bdf,
			    grp[0] ? node : "(device has no iommu_group)");

			if (iommufd) {
				cdev_name(bdf, cdev, sizeof(cdev));
				snprintf(node, sizeof(node), "/dev/vfio/devices/%s", cdev);
				tap(cdev[0] && exists(node), "%s %s device cdev %s exists", x->name,
				    bdf, cdev[0] ? node : "(no vfio-dev in sysfs)");
			}
		}
		closedir(d);
		tap(found == x->count, "found %u of %u %s device(s) %04x:%04x", found, x->count,
		    x->name, x->vendor, x->device);
	}
}

/* An opened edu: where BAR0 and config space sit in the device fd. */
struct edu {
	int fd;
	off_t bar0, config;
};

static bool edu_read32(const struct edu *edu, uint32_t reg, uint32_t *val)
{
	return pread(edu->fd, val, 4, edu->bar0 + reg) == 4;
}

static bool edu_write32(const struct edu *edu, uint32_t reg, uint32_t val)
{
	return pwrite(edu->fd, &val, 4, edu->bar0 + reg) == 4;
}

static bool locate_regions(struct edu *edu)
{
	struct vfio_region_info bar = { .argsz = sizeof(bar), .index = VFIO_PCI_BAR0_REGION_INDEX };
	struct vfio_region_info cfg = { .argsz = sizeof(cfg), .index = VFIO_PCI_CONFIG_REGION_INDEX };

	if (ioctl(edu->fd, VFIO_DEVICE_GET_REGION_INFO, &bar) || ioctl(edu->fd, VFIO_DEVICE_GET_REGION_INFO, &cfg)) {
		tap(false, "VFIO_DEVICE_GET_REGION_INFO: %s", strerror(errno));
		return false;
	}
	tap(bar.size >= 0x100000, "edu BAR0 region is %llu bytes", (unsigned long long)bar.size);
	edu->bar0 = (off_t)bar.offset;
	edu->config = (off_t)cfg.offset;
	return true;
}

static void check_registers(const struct edu *edu)
{
	uint32_t ident = 0, inv = 0;
	bool ok;

	ok = edu_read32(edu, EDU_IDENT, &ident) && (ident & 0xff) == 0xed;
	tap(ok, "edu ident register reads 0x%08x (low byte 0xed)", ident);
	ok = edu_write32(edu, EDU_LIVENESS, 0x12345678) && edu_read32(edu, EDU_LIVENESS, &inv) &&
	     inv == ~0x12345678u;
	tap(ok, "edu liveness register inverts 0x12345678 -> 0x%08x", inv);
}

/*
 * Bus mastering is off after reset; without it QEMU drops the device's DMA
 * and MSI writes.
 */
static void enable_bus_master(const struct edu *edu)
{
	uint16_t cmd;
	bool ok;

	ok = pread(edu->fd, &cmd, 2, edu->config + PCI_COMMAND) == 2;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	ok = ok && pwrite(edu->fd, &cmd, 2, edu->config + PCI_COMMAND) == 2;
	tap(ok, "enable memory decoding and bus mastering on edu");
}

/*
 * edu's MSI, routed to an eventfd by vfio-pci: exercises the (v)IOMMU's
 * interrupt remapping where there is one.
 */
static void check_msi(const struct edu *edu)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_MSI_IRQ_INDEX };
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	struct pollfd pfd = { .fd = efd, .events = POLLIN };
	uint64_t count = 0;
	bool ok;

	ok = ioctl(edu->fd, VFIO_DEVICE_GET_IRQ_INFO, &info) == 0 && info.count >= 1 &&
	     (info.flags & VFIO_IRQ_INFO_EVENTFD);
	tap(ok, "edu has an MSI vector (VFIO_DEVICE_GET_IRQ_INFO count %u)", info.count);

	*set = (struct vfio_irq_set){
		.argsz = sizeof(buf),
		.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_MSI_IRQ_INDEX,
		.start = 0,
		.count = 1,
	};
	memcpy(set->data, &efd, sizeof(int32_t));
	ok = efd >= 0 && ioctl(edu->fd, VFIO_DEVICE_SET_IRQS, set) == 0;
	tap(ok, "VFIO_DEVICE_SET_IRQS: MSI 0 -> eventfd%s%s", ok ? "" : ": ", ok ? "" : strerror(errno));
	if (!ok)
		return;

	ok = edu_write32(edu, EDU_IRQ_RAISE, 1) && poll(&pfd, 1, 5000) == 1 &&
	     read(efd, &count, sizeof(count)) == sizeof(count);
	tap(ok && count >= 1, "edu interrupt arrived on the eventfd (count %llu)", (unsigned long long)count);
	edu_write32(edu, EDU_IRQ_ACK, 1);

	/* Disable again so the next probe path starts from a clean device. */
	*set = (struct vfio_irq_set){
		.argsz = sizeof(*set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = VFIO_PCI_MSI_IRQ_INDEX,
	};
	ioctl(edu->fd, VFIO_DEVICE_SET_IRQS, set);
	close(efd);
}

/* Run one edu DMA transfer and wait for it (edu completes after ~100 ms). */
static bool edu_dma(const struct edu *edu, uint32_t src, uint32_t dst, uint32_t cmd)
{
	struct timespec delay = { 0, 10 * 1000 * 1000 };
	uint32_t status = EDU_DMA_RUN;

	if (!edu_write32(edu, EDU_DMA_SRC, src) || !edu_write32(edu, EDU_DMA_DST, dst) ||
	    !edu_write32(edu, EDU_DMA_CNT, EDU_DMA_SIZE) || !edu_write32(edu, EDU_DMA_CMD, cmd | EDU_DMA_RUN))
		return false;
	for (int i = 0; i < 500 && (status & EDU_DMA_RUN); i++) {
		nanosleep(&delay, NULL);
		if (!edu_read32(edu, EDU_DMA_CMD, &status))
			return false;
	}
	return !(status & EDU_DMA_RUN);
}

/*
 * RAM -> edu -> RAM through DMA_IOVA, which the caller has mapped onto buf:
 * only works if the IOMMU translates the device's reads and writes to buf.
 */
static void check_dma(const struct edu *edu, uint8_t *buf)
{
	bool ok;

	for (int i = 0; i < EDU_DMA_SIZE; i++)
		buf[i] = (uint8_t)(i * 7 + 3);
	tap(edu_dma(edu, DMA_IOVA, EDU_DMA_BUF, 0), "edu DMA from IOVA 0x%x into the device", DMA_IOVA);
	memset(buf, 0, EDU_DMA_SIZE);
	tap(edu_dma(edu, EDU_DMA_BUF, DMA_IOVA, EDU_DMA_TO_RAM), "edu DMA from the device back to IOVA 0x%x",
	    DMA_IOVA);
	ok = true;
	for (int i = 0; i < EDU_DMA_SIZE; i++)
		ok = ok && buf[i] == (uint8_t)(i * 7 + 3);
	tap(ok, "data survived the DMA round trip through the IOMMU");
}

static uint8_t *dma_buffer(void)
{
	void *p = mmap(NULL, DMA_MAP_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* Run an ioctl that must succeed and report it; returns its result. */
static int tap_ioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int ret = ioctl(fd, req, arg);

	tap(ret >= 0, "%s%s%s", what, ret < 0 ? ": " : "", ret < 0 ? strerror(errno) : "");
	return ret;
}

static int tap_open(const char *path)
{
	int fd = open(path, O_RDWR);

	tap(fd >= 0, "open %s%s%s", path, fd < 0 ? ": " : "", fd < 0 ? strerror(errno) : "");
	return fd;
}

/* File descriptors a probe leaves open; closed between probes. */
struct handles {
	int container, group, iommufd, device;
};

static void close_handles(struct handles *h)
{
	int *fds[] = { &h->device, &h->group, &h->container, &h->iommufd };

	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Legacy path: container + group, with the type1v2 or the noiommu backend. */
static void probe_container(struct handles *h, const char *bdf, bool noiommu, bool dma)
{
	long iommu_type = noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU;
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char grp[64], path[PATH_MAX];
	struct edu edu;
	uint8_t *buf;

	h->container = tap_open("/dev/vfio/vfio");
	if (h->container < 0)
		return;
	tap(ioctl(h->container, VFIO_GET_API_VERSION) == VFIO_API_VERSION, "VFIO_GET_API_VERSION is %d",
	    VFIO_API_VERSION);
	tap(ioctl(h->container, VFIO_CHECK_EXTENSION, iommu_type) == 1, "VFIO_CHECK_EXTENSION(%s)",
	    noiommu ? "VFIO_NOIOMMU_IOMMU" : "VFIO_TYPE1v2_IOMMU");

	link_name(bdf, "iommu_group", grp, sizeof(grp));
	snprintf(path, sizeof(path), "/dev/vfio/%s%s", noiommu ? "noiommu-" : "", grp);
	h->group = tap_open(path);
	if (h->group < 0 || tap_ioctl(h->group, VFIO_GROUP_GET_STATUS, &status, "VFIO_GROUP_GET_STATUS") < 0)
		return;
	tap(status.flags & VFIO_GROUP_FLAGS_VIABLE, "edu group is viable");
	if (tap_ioctl(h->group, VFIO_GROUP_SET_CONTAINER, &h->container, "VFIO_GROUP_SET_CONTAINER") < 0 ||
	    tap_ioctl(h->container, VFIO_SET_IOMMU, (void *)iommu_type, "VFIO_SET_IOMMU") < 0)
		return;
	snprintf(path, sizeof(path), "VFIO_GROUP_GET_DEVICE_FD(%s)", bdf);
	h->device = tap_ioctl(h->group, VFIO_GROUP_GET_DEVICE_FD, (void *)bdf, path);
	edu.fd = h->device;
	if (edu.fd < 0 || !locate_regions(&edu))
		return;
	check_registers(&edu);
	enable_bus_master(&edu);
	check_msi(&edu);

	if (!dma) {
		skip("edu DMA round trip", noiommu ? "no IOMMU to translate DMA in noiommu mode" : "--no-dma");
		return;
	}
	buf = dma_buffer();
	struct vfio_iommu_type1_dma_map map = {
		.argsz = sizeof(map),
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE,
		.vaddr = (uintptr_t)buf,
		.iova = DMA_IOVA,
		.size = DMA_MAP_SIZE,
	};
	if (buf && tap_ioctl(h->container, VFIO_IOMMU_MAP_DMA, &map, "VFIO_IOMMU_MAP_DMA at IOVA 0x100000") == 0)
		check_dma(&edu, buf);
}

/* cdev path: /dev/vfio/devices/vfioN bound to an iommufd, attached to an IOAS. */
static void probe_iommufd(struct handles *h, const char *bdf, bool dma)
{
	struct vfio_device_bind_iommufd bind = { .argsz = sizeof(bind) };
	struct vfio_device_attach_iommufd_pt attach = { .argsz = sizeof(attach) };
	struct iommu_ioas_alloc alloc = { .size = sizeof(alloc) };
	char cdev[64], path[PATH_MAX];
	struct edu edu;
	uint8_t *buf;

	h->iommufd = tap_open("/dev/iommu");
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", cdev_name(bdf, cdev, sizeof(cdev)));
	h->device = tap_open(path);
	if (h->iommufd < 0 || h->device < 0)
		return;

	bind.iommufd = h->iommufd;
	if (tap_ioctl(h->device, VFIO_DEVICE_BIND_IOMMUFD, &bind, "VFIO_DEVICE_BIND_IOMMUFD") < 0 ||
	    tap_ioctl(h->iommufd, IOMMU_IOAS_ALLOC, &alloc, "IOMMU_IOAS_ALLOC") < 0)
		return;
	attach.pt_id = alloc.out_ioas_id;
	if (tap_ioctl(h->device, VFIO_DEVICE_ATTACH_IOMMUFD_PT, &attach, "VFIO_DEVICE_ATTACH_IOMMUFD_PT") < 0)
		return;
	edu.fd = h->device;
	if (!locate_regions(&edu))
		return;
	check_registers(&edu);
	enable_bus_master(&edu);
	check_msi(&edu);

	if (!dma) {
		skip("edu DMA round trip", "--no-dma");
		return;
	}
	buf = dma_buffer();
	struct iommu_ioas_map map = {
		.size = sizeof(map),
		.flags = IOMMU_IOAS_MAP_FIXED_IOVA | IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_WRITEABLE,
		.ioas_id = alloc.out_ioas_id,
		.user_va = (uintptr_t)buf,
		.length = DMA_MAP_SIZE,
		.iova = DMA_IOVA,
	};
	if (buf && tap_ioctl(h->iommufd, IOMMU_IOAS_MAP, &map, "IOMMU_IOAS_MAP at IOVA 0x100000") == 0)
		check_dma(&edu, buf);
}

int main(int argc, char **argv)
{
	bool type1 = false, iommufd = false, noiommu = false, dma = true;
	char edu_bdf[64] = "";

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--type1") == 0)
			type1 = true;
		else if (strcmp(argv[i], "--iommufd") == 0)
			iommufd = true;
		else if (strcmp(argv[i], "--noiommu") == 0)
			noiommu = true;
		else if (strcmp(argv[i], "--no-dma") == 0)
			dma = false;
		else {
			fprintf(stderr, "usage: %s [--type1] [--iommufd] [--noiommu] [--no-dma]\n", argv[0]);
			return 1;
		}
	}
	if (!type1 && !iommufd && !noiommu)
		type1 = true;
	if (noiommu)
		dma = false; /* nothing translates IOVAs: there is no DMA to check */

	printf("TAP version 13\n");
	diag("expecting:%s%s%s%s", type1 ? " type1" : "", iommufd ? " iommufd" : "",
	     noiommu ? " noiommu" : "", dma ? " dma" : "");
	if (!exists("/sys/bus/pci/drivers/vfio-pci")) {
		printf("1..0 # SKIP no vfio-pci driver in this kernel\n");
		return 77;
	}

	check_devices(noiommu, iommufd, edu_bdf, sizeof(edu_bdf));
	if (iommufd)
		tap(exists("/dev/iommu"), "/dev/iommu exists");

	if (!edu_bdf[0]) {
		tap(false, "no edu device to open");
	} else if (!failed) {
		struct handles h = { -1, -1, -1, -1 };

		/* A device is open through one path at a time: close in between. */
		if (type1 || noiommu)
			probe_container(&h, edu_bdf, noiommu, dma);
		close_handles(&h);
		if (iommufd)
			probe_iommufd(&h, edu_bdf, dma);
		close_handles(&h);
	} else {
		diag("not opening edu: the device checks above failed");
	}

	printf("1..%d\n", test_no);
	return failed ? 1 : 0;
}
