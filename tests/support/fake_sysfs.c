// SPDX-License-Identifier: MIT
/* Builder of fake sysfs trees; see fake_sysfs.h. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_sysfs.h"
#include "pci/write_hook.h"
#include "pci_emulate.h"

static const char test_ids[] =
	"# pci.ids of the tests\n"
	"1af4  Red Hat, Inc.\n"
	"\t1000  Virtio network device\n"
	"\t\t1af4 0001  Virtio network\n"
	"\t1001  Virtio block device\n"
	"8086  Intel Corporation\n"
	"\t10d3  82574L Gigabit Network Connection\n"
	"\t1c10  6 Series/C200 Series Chipset Family PCI Express Root Port 1\n"
	"C 01  Mass storage controller\n"
	"\t00  SCSI storage controller\n"
	"C 02  Network controller\n"
	"\t00  Ethernet controller\n"
	"C 06  Bridge\n"
	"\t04  PCI bridge\n"
	"\t\t00  Normal decode\n";

static void pathf(char out[PATH_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void pathf(char out[PATH_MAX], const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, PATH_MAX, fmt, ap);
	va_end(ap);
	ck_assert_msg(n > 0 && n < PATH_MAX, "fake path too long");
}

void fake_fmt(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, len, fmt, ap);
	va_end(ap);
	ck_assert_msg(n >= 0 && (size_t)n < len, "text too long for buffer");
}

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];

	pathf(buf, "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		ck_assert_msg(!mkdir(buf, 0755) || errno == EEXIST,
			      "mkdir %s: %s", buf, strerror(errno));
		*p = '/';
	}
	ck_assert_msg(!mkdir(buf, 0755) || errno == EEXIST, "mkdir %s: %s",
		      buf, strerror(errno));
}

static void put_file(const char *path, const char *text, bool append)
{
	FILE *f = fopen(path, append ? "a" : "w");

	ck_assert_msg(f, "open %s: %s", path, strerror(errno));
	fputs(text, f);
	ck_assert_int_eq(fclose(f), 0);
}

static void link_to(const char *target, const char *path)
{
	ck_assert_msg(!symlink(target, path), "symlink %s: %s", path,
		      strerror(errno));
}

/*
 * $TMPDIR, else /dev/shm: a tree is hundreds of small files and links, and
 * on a disk-backed /tmp building them dominates the suite's run time.
 */
static const char *fake_tmpdir(void)
{
	const char *t = getenv("TMPDIR");

	if (t && t[0])
		return t;
	return access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
}

void fake_sysfs_create(struct fake_sysfs *fs)
{
	static const char *const dirs[] = {
		"bus/pci/devices", "bus/pci/drivers", "devices/pci0000:00",
		"kernel/iommu_groups", "block", "class/net",
		"module/vfio/parameters", "module/vfio_pci/parameters",
	};
	char path[PATH_MAX];

	memset(fs, 0, sizeof(*fs));
	pathf(fs->top, "%s/uvf-pci-XXXXXX", fake_tmpdir());
	ck_assert_msg(mkdtemp(fs->top), "mkdtemp: %s", strerror(errno));
	pathf(fs->sys, "%s/sys", fs->top);
	pathf(fs->dev, "%s/dev", fs->top);
	pathf(fs->mounts, "%s/mountinfo", fs->top);
	pathf(fs->swaps, "%s/swaps", fs->top);
	pathf(fs->ids, "%s/pci.ids", fs->top);
	pathf(fs->state, "%s/run/bind-state.json", fs->top);
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		pathf(path, "%s/%s", fs->sys, dirs[i]);
		mkdirs(path);
	}
	mkdirs(fs->dev);
	fake_write(fs, "bus/pci/drivers_probe", "");
	fake_write(fs, "module/vfio/parameters/enable_unsafe_noiommu_mode",
		   "N\n");
	fake_write(fs, "module/vfio_pci/parameters/enable_sriov", "N\n");
	put_file(fs->mounts, "", false);
	put_file(fs->swaps,
		 "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n", false);
	put_file(fs->ids, test_ids, false);
}

static int rm_entry(const char *path, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int fake_rm_tree(const char *path)
{
	return nftw(path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void fake_sysfs_destroy(struct fake_sysfs *fs)
{
	if (fs->top[0])
		fake_rm_tree(fs->top);
}

void fake_write(struct fake_sysfs *fs, const char *rel, const char *text)
{
	char path[PATH_MAX];

	pathf(path, "%s/%s", fs->sys, rel);
	put_file(path, text, false);
}

const char *fake_read(struct fake_sysfs *fs, const char *rel)
{
	static char buf[4096];
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	pathf(path, "%s/%s", fs->sys, rel);
	f = fopen(path, "r");
	buf[0] = '\0';
	if (!f)
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	while (n && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return buf;
}

const char *fake_driver_of(struct fake_sysfs *fs, const char *bdf)
{
	static char name[256];
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t r;
	char *base;

	pathf(path, "%s/bus/pci/devices/%s/driver", fs->sys, bdf);
	r = readlink(path, target, sizeof(target) - 1);
	if (r < 0)
		return "";
	target[r] = '\0';
	base = strrchr(target, '/');
	fake_fmt(name, sizeof(name), "%s", base ? base + 1 : target);
	return name;
}

bool fake_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

void fake_driver(struct fake_sysfs *fs, const char *name, const char *ids)
{
	char path[PATH_MAX];

	pathf(path, "%s/bus/pci/drivers/%s", fs->sys, name);
	mkdirs(path);
	pathf(path, "bus/pci/drivers/%s/bind", name);
	fake_write(fs, path, "");
	pathf(path, "bus/pci/drivers/%s/unbind", name);
	fake_write(fs, path, "");
	pathf(path, "bus/pci/drivers/%s/new_id", name);
	fake_write(fs, path, ids ? ids : "");
}

static void dev_dir(struct fake_sysfs *fs, const char *bdf, char out[PATH_MAX])
{
	char link[PATH_MAX];

	pathf(link, "%s/bus/pci/devices/%s", fs->sys, bdf);
	ck_assert_msg(realpath(link, out), "no fake device %s", bdf);
}

static void attr(const char *dir, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void attr(const char *dir, const char *name, const char *fmt, ...)
{
	char path[PATH_MAX], text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	pathf(path, "%s/%s", dir, name);
	put_file(path, text, false);
}

/* The first 64 bytes of configuration space, as the "config" attribute
 * shows them: what libpci reads for what sysfs has no attribute for. */
static void config_space(const char *dir, const struct fake_dev *d)
{
	unsigned char c[64] = { 0 };
	char path[PATH_MAX];
	FILE *f;

	c[0x00] = (unsigned char)d->vendor;
	c[0x01] = (unsigned char)(d->vendor >> 8);
	c[0x02] = (unsigned char)d->device;
	c[0x03] = (unsigned char)(d->device >> 8);
	c[0x08] = 2;					/* revision */
	c[0x09] = (unsigned char)d->class_code;		/* prog-if */
	c[0x0a] = (unsigned char)(d->class_code >> 8);	/* subclass */
	c[0x0b] = (unsigned char)(d->class_code >> 16);	/* base class */
	if ((d->class_code >> 8) == 0x0604) {
		c[0x0e] = 1;				/* PCI-to-PCI bridge */
	} else {
		c[0x2c] = c[0x00];			/* subsystem */
		c[0x2d] = c[0x01];
		c[0x2e] = 1;
	}
	pathf(path, "%s/config", dir);
	f = fopen(path, "wb");
	ck_assert_msg(f, "open %s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(c, 1, sizeof(c), f), sizeof(c));
	ck_assert_int_eq(fclose(f), 0);
}

void fake_device(struct fake_sysfs *fs, const struct fake_dev *d)
{
	char dir[PATH_MAX], parent[PATH_MAX], path[PATH_MAX];

	if (d->parent)
		dev_dir(fs, d->parent, parent);
	else
		pathf(parent, "%s/devices/pci0000:00", fs->sys);
	pathf(dir, "%s/%s", parent, d->bdf);
	mkdirs(dir);
	attr(dir, "vendor", "0x%04x\n", d->vendor);
	attr(dir, "device", "0x%04x\n", d->device);
	attr(dir, "subsystem_vendor", "0x%04x\n", d->vendor);
	attr(dir, "subsystem_device", "0x%04x\n", 1);
	attr(dir, "class", "0x%06x\n", d->class_code);
	attr(dir, "revision", "0x%02x\n", 2);
	attr(dir, "numa_node", "%d\n", d->group >= 0 ? 0 : -1);
	attr(dir, "driver_override", "(null)\n");
	config_space(dir, d);
	/* BAR 0: 16K 64-bit prefetchable memory; BAR 2: 32 I/O ports. */
	attr(dir, "resource",
	     "0x00000000fe000000 0x00000000fe003fff 0x000000000014220c\n"
	     "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	     "0x000000000000c000 0x000000000000c01f 0x0000000000040101\n"
	     "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	     "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	     "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
	     "0x0000000000000000 0x0000000000000000 0x0000000000000000\n");
	pathf(path, "%s/bus/pci/devices/%s", fs->sys, d->bdf);
	link_to(dir, path);
	if (d->driver) {
		pathf(parent, "%s/bus/pci/drivers/%s", fs->sys, d->driver);
		ck_assert_msg(fake_exists(parent), "no fake driver %s",
			      d->driver);
		pathf(path, "%s/driver", dir);
		link_to(parent, path);
		pathf(path, "%s/%s", parent, d->bdf);
		link_to(dir, path);
	}
	if (d->group >= 0) {
		pathf(parent, "%s/kernel/iommu_groups/%d/devices", fs->sys,
		      d->group);
		mkdirs(parent);
		pathf(path, "%s/%s", parent, d->bdf);
		link_to(dir, path);
		pathf(parent, "%s/kernel/iommu_groups/%d", fs->sys, d->group);
		pathf(path, "%s/iommu_group", dir);
		link_to(parent, path);
	}
}

void fake_sriov_pf(struct fake_sysfs *fs, const char *bdf, unsigned int total,
		   uint16_t vf_device)
{
	char dir[PATH_MAX];

	dev_dir(fs, bdf, dir);
	attr(dir, "sriov_totalvfs", "%u\n", total);
	attr(dir, "sriov_numvfs", "0\n");
	attr(dir, "sriov_offset", "1\n");
	attr(dir, "sriov_stride", "1\n");
	attr(dir, "sriov_vf_device", "%04x\n", vf_device);
	attr(dir, "sriov_drivers_autoprobe", "1\n");
}

void fake_disk(struct fake_sysfs *fs, const char *name, const char *bdf,
	       const char *devnum)
{
	char pci[PATH_MAX], child[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];

	dev_dir(fs, bdf, pci);
	pathf(child, "%s/virtio-%s", pci, name);
	pathf(dir, "%s/block/%s", child, name);
	mkdirs(dir);
	mkdirs(dir);
	pathf(path, "%s/holders", dir);
	mkdirs(path);
	attr(dir, "dev", "%s\n", devnum);
	pathf(path, "%s/device", dir);
	link_to(child, path);
	pathf(path, "%s/block/%s", fs->sys, name);
	link_to(dir, path);
}

void fake_partition(struct fake_sysfs *fs, const char *disk,
		    const char *name, const char *devnum)
{
	char dir[PATH_MAX], path[PATH_MAX];

	pathf(dir, "%s/block/%s/%s", fs->sys, disk, name);
	mkdirs(dir);
	pathf(path, "%s/holders", dir);
	mkdirs(path);
	attr(dir, "dev", "%s\n", devnum);
	attr(dir, "partition", "1\n");
}

void fake_dm(struct fake_sysfs *fs, const char *name, const char *dm_name,
	     const char *devnum, const char *below_disk, const char *below)
{
	char dir[PATH_MAX], path[PATH_MAX];

	pathf(dir, "%s/devices/virtual/block/%s", fs->sys, name);
	mkdirs(dir);
	pathf(path, "%s/dm", dir);
	mkdirs(path);
	attr(dir, "dm/name", "%s\n", dm_name);
	attr(dir, "dev", "%s\n", devnum);
	pathf(path, "%s/block/%s", fs->sys, name);
	link_to(dir, path);
	if (strcmp(below_disk, below))
		pathf(path, "%s/block/%s/%s/holders/%s", fs->sys, below_disk,
		      below, name);
	else
		pathf(path, "%s/block/%s/holders/%s", fs->sys, below_disk,
		      name);
	link_to(dir, path);
}

void fake_netdev(struct fake_sysfs *fs, const char *name, const char *bdf,
		 bool up)
{
	char pci[PATH_MAX], child[PATH_MAX], dir[PATH_MAX], path[PATH_MAX];

	dev_dir(fs, bdf, pci);
	pathf(child, "%s/virtio-%s", pci, name);
	pathf(dir, "%s/net/%s", child, name);
	mkdirs(dir);
	attr(dir, "flags", "%s\n", up ? "0x1003" : "0x1002");
	attr(dir, "operstate", "%s\n", up ? "up" : "down");
	pathf(path, "%s/device", dir);
	link_to(child, path);
	pathf(path, "%s/class/net/%s", fs->sys, name);
	link_to(dir, path);
}

void fake_mount(struct fake_sysfs *fs, const char *devnum,
		const char *source, const char *mnt)
{
	static int id = 20;
	char line[1024];

	fake_fmt(line, sizeof(line),
		 "%d 1 %s / %s rw,relatime shared:1 - ext4 %s rw\n", id++,
		 devnum, mnt, source);
	put_file(fs->mounts, line, true);
}

void fake_swap(struct fake_sysfs *fs, const char *source)
{
	char line[512];

	fake_fmt(line, sizeof(line), "%s\tpartition\t1048572\t0\t-2\n",
		 source);
	put_file(fs->swaps, line, true);
}

struct uvf_pci_ctx *fake_ctx(struct fake_sysfs *fs)
{
	struct uvf_pci_ctx_opts o = {
		.sysfs_root = fs->sys,
		.dev_root = fs->dev,
		.mounts = fs->mounts,
		.swaps = fs->swaps,
		.pci_ids = fs->ids,
	};
	struct uvf_pci_ctx *ctx;

	ck_assert_int_eq(uvf_pci_ctx_new(&o, &ctx), 0);
	pci_ctx_set_write_hook(ctx, pci_emulate_kernel, NULL);
	return ctx;
}

void fake_standard(struct fake_sysfs *fs)
{
	static const struct fake_dev devs[] = {
		{ "0000:00:01.0", 0x8086, 0x1c10, 0x060400, 1, "pcieport",
		  NULL },
		{ "0000:01:00.0", 0x8086, 0x10d3, 0x020000, 1, "e1000e",
		  "0000:00:01.0" },
		{ "0000:01:00.1", 0x8086, 0x10d3, 0x020000, 1, "e1000e",
		  "0000:00:01.0" },
		{ "0000:00:02.0", 0x1af4, 0x1001, 0x010000, 2, "virtio-pci",
		  NULL },
		{ "0000:00:03.0", 0x1af4, 0x1000, 0x020000, 3, "virtio-pci",
		  NULL },
		{ "0000:00:04.0", 0x1af4, 0x1000, 0x020000, 4, "virtio-pci",
		  NULL },
		{ "0000:00:05.0", 0x1234, 0x5678, 0x0b4000, -1, NULL, NULL },
		{ "0000:00:06.0", 0x1af4, 0x1000, 0x020000, 6, "virtio-pci",
		  NULL },
	};

	fake_driver(fs, "e1000e", "8086 10d3\n");
	fake_driver(fs, "pci-stub", NULL);
	fake_driver(fs, "pcieport", NULL);
	fake_driver(fs, "vfio-pci", NULL);
	fake_driver(fs, "virtio-pci", "1af4 1000\n1af4 1001\n");
	for (size_t i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		fake_device(fs, &devs[i]);
	fake_write(fs, "bus/pci/devices/0000:00:06.0/driver_override",
		   "virtio-pci\n");
	fake_disk(fs, "vda", "0000:00:02.0", "254:0");
	fake_partition(fs, "vda", "vda1", "254:1");
	fake_mount(fs, "254:1", "/dev/vda1", "/");
	fake_netdev(fs, "eth0", "0000:00:03.0", true);
	fake_netdev(fs, "eth1", "0000:00:04.0", false);
}
