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

#include "fake_sysfs.h"
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

/* The lowest IOMMU group number no device has yet. */
static int emu_free_group(const struct emu_dev *d)
{
	char path[PATH_MAX];
	int g;

	for (g = 0;; g++) {
		emu_path(path, "%s/kernel/iommu_groups/%d", d->root, g);
		if (access(path, F_OK))
			return g;
	}
}

/* The address of VF @i: routing ID of the PF + offset + i * stride. */
static void emu_vf_bdf(const struct emu_dev *pf, unsigned int i,
		       char out[UVF_PCI_BDF_LEN])
{
	unsigned int dom, bus, dev, fn, rid;

	sscanf(pf->bdf, "%x:%x:%x.%x", &dom, &bus, &dev, &fn);
	rid = (bus << 8 | dev << 3 | fn) +
	      (unsigned int)emu_attr(pf, "sriov_offset") +
	      i * (unsigned int)emu_attr(pf, "sriov_stride");
	snprintf(out, UVF_PCI_BDF_LEN, "%04x:%02x:%02x.%x", dom,
		 (rid >> 8) & 0xff, (rid >> 3) & 0x1f, rid & 7);
}

/* Writes attribute @name of @dir; no Check calls here: the fake kernel
 * also runs inside uvf-bind, outside any test. */
static int emu_put(const char *dir, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int emu_put(const char *dir, const char *name, const char *fmt, ...)
{
	char path[PATH_MAX];
	va_list ap;
	FILE *f;
	int err;

	emu_path(path, "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	va_start(ap, fmt);
	err = vfprintf(f, fmt, ap) < 0 ? -EIO : 0;
	va_end(ap);
	return fclose(f) && !err ? -errno : err;
}

static int emu_put_config(const char *dir, const unsigned char *cfg,
			  size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	int err;

	emu_path(path, "%s/config", dir);
	f = fopen(path, "we");
	if (!f)
		return -errno;
	err = fwrite(cfg, 1, len, f) == len ? 0 : -EIO;
	return fclose(f) && !err ? -errno : err;
}

/* A VF's directory beside its PF's, with what libpci and uvf read, in a
 * group of its own. */
static int emu_vf_create(const struct emu_dev *pf, const char *bdf,
			 char dir[PATH_MAX])
{
	long long vendor = emu_attr(pf, "vendor");
	long long device = emu_attr(pf, "sriov_vf_device");
	long long cls = emu_attr(pf, "class");
	unsigned char cfg[64] = { 0 };
	char path[PATH_MAX], grp[PATH_MAX];
	int g = emu_free_group(pf), err;

	emu_path(dir, "%.*s/%s", (int)(strrchr(pf->dir, '/') - pf->dir),
		 pf->dir, bdf);
	if (mkdir(dir, 0755))
		return -errno;
	cfg[0] = (unsigned char)vendor;
	cfg[1] = (unsigned char)(vendor >> 8);
	cfg[2] = (unsigned char)device;
	cfg[3] = (unsigned char)(device >> 8);
	cfg[9] = (unsigned char)cls;
	cfg[10] = (unsigned char)(cls >> 8);
	cfg[11] = (unsigned char)(cls >> 16);
	err = emu_put(dir, "vendor", "0x%04llx\n", vendor) ?:
	      emu_put(dir, "device", "0x%04llx\n", device) ?:
	      emu_put(dir, "subsystem_vendor", "0x%04llx\n", vendor) ?:
	      emu_put(dir, "subsystem_device", "0x0001\n") ?:
	      emu_put(dir, "class", "0x%06llx\n", cls) ?:
	      emu_put(dir, "revision", "0x00\n") ?:
	      emu_put(dir, "numa_node", "-1\n") ?:
	      emu_put(dir, "driver_override", "(null)\n") ?:
	      emu_put(dir, "resource", "%s", "");
	if (err)
		return err;
	err = emu_put_config(dir, cfg, sizeof(cfg));
	if (err)
		return err;
	emu_path(path, "%s/bus/pci/devices/%s", pf->root, bdf);
	if (symlink(dir, path))
		return -errno;
	emu_path(grp, "%s/kernel/iommu_groups/%d", pf->root, g);
	emu_path(path, "%s/devices", grp);
	if (mkdir(grp, 0755) || mkdir(path, 0755))
		return -errno;
	emu_path(path, "%s/devices/%s", grp, bdf);
	if (symlink(dir, path))
		return -errno;
	emu_path(path, "%s/iommu_group", dir);
	return symlink(grp, path) ? -errno : 0;
}

/* sriov_add_vfs(): each VF gets physfn and virtfnN links and its own
 * group; vfio-pci steers the VFs of its PFs to itself (driver_override)
 * and they are probed when sriov_drivers_autoprobe is set. */
static int emu_vfs_add(struct uvf_pci_ctx *ctx, const struct emu_dev *pf,
		       unsigned int n, bool vfio)
{
	char path[PATH_MAX], dir[PATH_MAX], bdf[UVF_PCI_BDF_LEN];
	int err;

	for (unsigned int i = 0; i < n; i++) {
		struct emu_dev vf;

		emu_vf_bdf(pf, i, bdf);
		err = emu_vf_create(pf, bdf, dir);
		if (err)
			return err;
		if (emu_dev_init(ctx, bdf, &vf))
			return -ENODEV;
		emu_path(path, "%s/physfn", vf.dir);
		if (symlink(pf->dir, path))
			return -errno;
		emu_path(path, "%s/virtfn%u", pf->dir, i);
		if (symlink(vf.dir, path))
			return -errno;
		if (vfio) {
			err = emu_put(vf.dir, "driver_override", "%s\n",
				      UVF_PCI_VFIO_DRIVER);
			if (err)
				return err;
		}
		if (emu_attr(pf, "sriov_drivers_autoprobe") == 1)
			emu_probe(ctx, &vf);
	}
	return 0;
}

/* sriov_del_vfs(): unbinds and removes every VF. */
static void emu_vfs_remove(struct uvf_pci_ctx *ctx, const struct emu_dev *pf)
{
	char path[PATH_MAX], drv[256];

	for (unsigned int i = 0;; i++) {
		char name[64];
		struct emu_dev vf;
		int group;

		emu_path(path, "%s/virtfn%u", pf->dir, i);
		if (pci_link_name(path, name, sizeof(name)) ||
		    emu_dev_init(ctx, name, &vf))
			break;
		emu_driver(&vf, drv, sizeof(drv));
		if (drv[0])
			emu_unbind(ctx, &vf, drv);
		group = emu_group(&vf);
		if (group >= 0) {
			emu_path(path, "%s/kernel/iommu_groups/%d", vf.root,
				 group);
			fake_rm_tree(path);
		}
		emu_path(path, "%s/bus/pci/devices/%s", vf.root, vf.bdf);
		unlink(path);
		fake_rm_tree(vf.dir);
		emu_path(path, "%s/virtfn%u", pf->dir, i);
		unlink(path);
	}
}

/* sriov_numvfs_store(): only a driver that configures SR-IOV can, and
 * vfio-pci only with enable_sriov=1; a change between two non-zero
 * numbers must go through 0. */
static int emu_set_numvfs(struct uvf_pci_ctx *ctx, const char *bdf,
			  const char *value)
{
	char path[PATH_MAX], drv[256], on[16];
	long long total, cur;
	struct emu_dev pf;
	char *end;
	long n;
	int err;

	err = emu_dev_init(ctx, bdf, &pf);
	if (err)
		return err;
	n = strtol(value, &end, 10);
	if (*end || end == value || n < 0)
		return -EINVAL;
	total = emu_attr(&pf, "sriov_totalvfs");
	cur = emu_attr(&pf, "sriov_numvfs");
	if (total < 0)
		return -ENOENT;
	if (n > total)
		return -ERANGE;
	if (n == cur)
		return 0;
	if (n && cur)
		return -EBUSY;
	emu_driver(&pf, drv, sizeof(drv));
	if (!drv[0])
		return -ENOENT;
	emu_path(path, "%s/module/vfio_pci/parameters/enable_sriov", pf.root);
	if (!strcmp(drv, UVF_PCI_VFIO_DRIVER) &&
	    (pci_read_attr(path, on, sizeof(on)) || on[0] != 'Y'))
		return -ENOENT;
	if (!n) {
		emu_vfs_remove(ctx, &pf);
		return 0;
	}
	return emu_vfs_add(ctx, &pf, (unsigned int)n,
			   !strcmp(drv, UVF_PCI_VFIO_DRIVER));
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
	tail = strrchr(attr, '/');
	if (!strncmp(attr, "bus/pci/devices/", 16) && tail &&
	    !strcmp(tail, "/sriov_numvfs")) {
		char bdf[UVF_PCI_BDF_LEN] = "";

		len = (size_t)(tail - (attr + 16));
		if (len < sizeof(bdf)) {
			memcpy(bdf, attr + 16, len);
			bdf[len] = '\0';
		}
		return emu_set_numvfs(ctx, bdf, value);
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
