// SPDX-License-Identifier: MIT
/*
 * A stand-in for the kernel's PCI core in a fake sysfs tree, for tests (see
 * pci_emulate.h): it
 * reacts to the writes uvf makes the way drivers/pci/pci-driver.c and
 * drivers/base/bus.c do, by moving driver symlinks. It models just what
 * binding needs: driver_override matching, new_id matching, and the
 * refusals of vfio-pci.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pci/pci_priv.h"
#include "pci_emulate.h"

/* Paths of one device in the fake tree. */
struct emu_dev {
	char bdf[UVF_PCI_BDF_LEN];
	char dir[PATH_MAX];	/* resolved device directory */
	char root[PATH_MAX];	/* resolved sysfs root */
};

/* Fake-tree paths stay far below PATH_MAX; a cut one just fails to open. */
static void emu_path(char out[PATH_MAX], const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void emu_path(char out[PATH_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, PATH_MAX, fmt, ap);
	va_end(ap);
}

static int emu_dev_init(struct uvf_pci_ctx *ctx, const char *bdf,
			struct emu_dev *d)
{
	char path[PATH_MAX];

	if (uvf_pci_bdf_parse(bdf, d->bdf) ||
	    pci_sysfs_path(ctx, path, "bus/pci/devices/%s", d->bdf) ||
	    !realpath(path, d->dir))
		return -ENODEV;
	if (!realpath(ctx->sysfs_root, d->root))
		return -errno;
	return 0;
}

static void emu_driver(const struct emu_dev *d, char *buf, size_t len)
{
	char path[PATH_MAX];

	emu_path(path, "%s/driver", d->dir);
	if (pci_link_name(path, buf, len))
		buf[0] = '\0';
}

static void emu_override(const struct emu_dev *d, char *buf, size_t len)
{
	char path[PATH_MAX];

	emu_path(path, "%s/driver_override", d->dir);
	if (pci_read_attr(path, buf, len) || !strcmp(buf, "(null)"))
		buf[0] = '\0';
}

static long long emu_attr(const struct emu_dev *d, const char *attr)
{
	char path[PATH_MAX];
	long long v;

	emu_path(path, "%s/%s", d->dir, attr);
	return pci_read_number(path, &v) ? -1 : v;
}

/* Whether @driver's dynamic IDs (its new_id file) list the device. */
static bool emu_id_match(const struct emu_dev *d, const char *driver)
{
	char path[PATH_MAX], line[256];
	long long vendor = emu_attr(d, "vendor"), device = emu_attr(d, "device");
	bool match = false;
	FILE *f;

	emu_path(path, "%s/bus/pci/drivers/%s/new_id", d->root,
		 driver);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!match && fgets(line, sizeof(line), f)) {
		unsigned int v, dv;

		match = sscanf(line, "%x %x", &v, &dv) == 2 &&
			v == vendor && dv == device;
	}
	fclose(f);
	return match;
}

/* pci_match_device(): the override decides alone when it is set. */
static bool emu_matches(const struct emu_dev *d, const char *driver)
{
	char ovr[256];

	emu_override(d, ovr, sizeof(ovr));
	return ovr[0] ? !strcmp(ovr, driver) : emu_id_match(d, driver);
}

/* vfio_pci_probe(): type-0 headers only, and an IOMMU group or noiommu. */
static bool emu_vfio_accepts(const struct emu_dev *d)
{
	char path[PATH_MAX], val[16];
	long long cls = emu_attr(d, "class") >> 8;

	if (cls == 0x0604 || cls == 0x0607 || cls == 0x0609)
		return false;
	emu_path(path, "%s/iommu_group", d->dir);
	if (access(path, F_OK) == 0)
		return true;
	emu_path(path, "%s/module/vfio/parameters/enable_unsafe_noiommu_mode",
		 d->root);
	return !pci_read_attr(path, val, sizeof(val)) && val[0] == 'Y';
}

static int emu_group(const struct emu_dev *d)
{
	char path[PATH_MAX], name[64];

	emu_path(path, "%s/iommu_group", d->dir);
	return pci_link_name(path, name, sizeof(name)) ? -1 : atoi(name);
}

static int emu_touch(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* The nodes vfio creates: the group's, and the device's cdev. */
static int emu_vfio_add(struct uvf_pci_ctx *ctx, const struct emu_dev *d)
{
	char path[PATH_MAX];
	int group = emu_group(d), n;

	emu_path(path, "%s/vfio", ctx->dev_root);
	mkdir(path, 0755);
	emu_path(path, "%s/vfio/devices", ctx->dev_root);
	mkdir(path, 0755);
	if (group >= 0) {
		emu_path(path, "%s/vfio/%d", ctx->dev_root,
			 group);
		if (emu_touch(path))
			return -errno;
	}
	for (n = 0;; n++) {
		emu_path(path, "%s/vfio/devices/vfio%d",
			 ctx->dev_root, n);
		if (access(path, F_OK))
			break;
	}
	if (emu_touch(path))
		return -errno;
	emu_path(path, "%s/vfio-dev", d->dir);
	mkdir(path, 0755);
	emu_path(path, "%s/vfio-dev/vfio%d", d->dir, n);
	return mkdir(path, 0755) ? -errno : 0;
}

/* Whether another member of @group is still on vfio-pci. */
static bool emu_group_busy(struct uvf_pci_ctx *ctx, int group,
			   const char *except)
{
	char (*bdfs)[UVF_PCI_BDF_LEN];
	bool busy = false;
	size_t n;

	if (pci_group_bdfs(ctx, group, &bdfs, &n))
		return false;
	for (size_t i = 0; i < n && !busy; i++) {
		struct emu_dev m;
		char drv[256];

		if (strcmp(bdfs[i], except) && !emu_dev_init(ctx, bdfs[i], &m)) {
			emu_driver(&m, drv, sizeof(drv));
			busy = !strcmp(drv, UVF_PCI_VFIO_DRIVER);
		}
	}
	free(bdfs);
	return busy;
}

static void emu_vfio_remove(struct uvf_pci_ctx *ctx, const struct emu_dev *d)
{
	char path[PATH_MAX], node[PATH_MAX];
	int group = emu_group(d);
	struct dirent *de;
	DIR *dir;

	emu_path(path, "%s/vfio-dev", d->dir);
	dir = opendir(path);
	while (dir && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		emu_path(node, "%s/vfio/devices/%s",
			 ctx->dev_root, de->d_name);
		unlink(node);
		emu_path(node, "%s/%s", path, de->d_name);
		rmdir(node);
	}
	if (dir)
		closedir(dir);
	rmdir(path);
	if (group >= 0 && !emu_group_busy(ctx, group, d->bdf)) {
		emu_path(node, "%s/vfio/%d", ctx->dev_root,
			 group);
		unlink(node);
	}
}

/* really_probe(): links the device and driver; vfio-pci may decline. */
static int emu_attach(struct uvf_pci_ctx *ctx, const struct emu_dev *d,
		      const char *driver)
{
	char drvdir[PATH_MAX], path[PATH_MAX];
	bool vfio = !strcmp(driver, UVF_PCI_VFIO_DRIVER);

	if (vfio && !emu_vfio_accepts(d))
		return -EINVAL;
	emu_path(drvdir, "%s/bus/pci/drivers/%s", d->root,
		 driver);
	emu_path(path, "%s/driver", d->dir);
	if (symlink(drvdir, path))
		return -errno;
	emu_path(path, "%s/%s", drvdir, d->bdf);
	if (symlink(d->dir, path))
		return -errno;
	return vfio ? emu_vfio_add(ctx, d) : 0;
}

static bool emu_driver_exists(const struct emu_dev *d, const char *driver)
{
	char path[PATH_MAX];
	struct stat st;

	emu_path(path, "%s/bus/pci/drivers/%s", d->root, driver);
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* device_attach(): the first matching driver by name takes the device. */
static int emu_probe(struct uvf_pci_ctx *ctx, const struct emu_dev *d)
{
	char path[PATH_MAX], cur[256], *names[256];
	struct dirent *de;
	size_t n = 0;
	DIR *dir;

	emu_driver(d, cur, sizeof(cur));
	if (cur[0])
		return 0;
	emu_path(path, "%s/bus/pci/drivers", d->root);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((de = readdir(dir)) && n < 256)
		if (de->d_name[0] != '.' && emu_driver_exists(d, de->d_name) &&
		    (names[n] = strdup(de->d_name)))
			n++;
	closedir(dir);
	qsort(names, n, sizeof(*names), name_cmp);
	for (size_t i = 0; i < n; i++) {
		/* A declined probe leaves the device unbound, and the
		 * write to drivers_probe still succeeds. */
		if (emu_matches(d, names[i]) && !emu_attach(ctx, d, names[i]))
			break;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return 0;
}

static int emu_unbind(struct uvf_pci_ctx *ctx, const struct emu_dev *d,
		      const char *driver)
{
	char path[PATH_MAX], cur[256];

	emu_driver(d, cur, sizeof(cur));
	if (strcmp(cur, driver))
		return -ENODEV;
	if (!strcmp(driver, UVF_PCI_VFIO_DRIVER))
		emu_vfio_remove(ctx, d);
	emu_path(path, "%s/driver", d->dir);
	unlink(path);
	emu_path(path, "%s/bus/pci/drivers/%s/%s", d->root,
		 driver, d->bdf);
	unlink(path);
	return 0;
}

static int emu_bind(struct uvf_pci_ctx *ctx, const struct emu_dev *d,
		    const char *driver)
{
	char cur[256];

	emu_driver(d, cur, sizeof(cur));
	if (cur[0])
		return -EBUSY;
	if (!emu_matches(d, driver))
		return -ENODEV;
	return emu_attach(ctx, d, driver);
}

int pci_emulate_kernel(struct uvf_pci_ctx *ctx, const char *attr,
		       const char *value, void *arg)
{
	char driver[256];
	const char *tail;
	struct emu_dev d;
	size_t len;
	int err;

	(void)arg;
	if (pci_ctx_is_live(ctx))
		return -EPERM;
	if (!strcmp(attr, "bus/pci/drivers_probe")) {
		err = emu_dev_init(ctx, value, &d);
		return err ? err : emu_probe(ctx, &d);
	}
	/* A driver_override write needs no reaction: the library writes the
	 * file after this hook, and probes read it from there. */
	if (strncmp(attr, "bus/pci/drivers/", 16))
		return 0;
	tail = strchr(attr + 16, '/');
	len = tail ? (size_t)(tail - (attr + 16)) : 0;
	if (!len || len >= sizeof(driver))
		return 0;
	memcpy(driver, attr + 16, len);
	driver[len] = '\0';
	if (strcmp(tail, "/bind") && strcmp(tail, "/unbind"))
		return 0;
	err = emu_dev_init(ctx, value, &d);
	if (err)
		return err;
	return strcmp(tail, "/bind") ? emu_unbind(ctx, &d, driver)
				     : emu_bind(ctx, &d, driver);
}
