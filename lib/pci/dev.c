// SPDX-License-Identifier: MIT
/* Reading one PCI device's sysfs attributes into a snapshot. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pci_priv.h"

/* The kernel's IORESOURCE_* bits (include/linux/ioport.h). */
#define IORESOURCE_IO 0x00000100ull
#define IORESOURCE_MEM 0x00000200ull
#define IORESOURCE_PREFETCH 0x00002000ull
#define IORESOURCE_MEM_64 0x00100000ull

void uvf_pci_dev_free(struct uvf_pci_dev *dev)
{
	if (!dev)
		return;
	free(dev->path);
	free(dev->driver);
	free(dev->override);
	free(dev->vendor_name);
	free(dev->device_name);
	free(dev->class_name);
	free(dev->subsys_name);
	free(dev->class_label);
	free(dev->product_label);
	free(dev->subsys_label);
	free(dev->vfio_group_node);
	free(dev->vfio_cdev);
	free(dev);
}

static int dev_read_links(struct uvf_pci_dev *dev)
{
	char path[PATH_MAX], name[256], *end;
	int err;

	snprintf(path, sizeof(path), "%s/iommu_group", dev->path);
	err = pci_link_name(path, name, sizeof(name));
	dev->iommu_group = -1;
	if (!err) {
		long g = strtol(name, &end, 10);

		if (*end || end == name || g < 0 || g > INT32_MAX)
			return -EINVAL;
		dev->iommu_group = (int)g;
	} else if (err != -ENOENT) {
		return err;
	}

	snprintf(path, sizeof(path), "%s/driver", dev->path);
	err = pci_link_name(path, name, sizeof(name));
	if (!err) {
		dev->driver = strdup(name);
		if (!dev->driver)
			return -ENOMEM;
	} else if (err != -ENOENT) {
		return err;
	}

	snprintf(path, sizeof(path), "%s/driver_override", dev->path);
	err = pci_read_attr(path, name, sizeof(name));
	/* The kernel shows an empty override as "(null)". */
	if (!err && name[0] && strcmp(name, "(null)")) {
		dev->override = strdup(name);
		if (!dev->override)
			return -ENOMEM;
	} else if (err && err != -ENOENT) {
		return err;
	}
	return 0;
}

static unsigned int res_flags(uint64_t raw)
{
	unsigned int f = 0;

	if (raw & IORESOURCE_IO)
		f |= UVF_PCI_RES_IO;
	if (raw & IORESOURCE_MEM)
		f |= UVF_PCI_RES_MEM;
	if (raw & IORESOURCE_PREFETCH)
		f |= UVF_PCI_RES_PREFETCH;
	if (raw & IORESOURCE_MEM_64)
		f |= UVF_PCI_RES_MEM64;
	return f;
}

static int dev_read_resources(struct uvf_pci_dev *dev)
{
	char path[PATH_MAX], line[256];
	FILE *f;
	int err = 0;

	snprintf(path, sizeof(path), "%s/resource", dev->path);
	f = fopen(path, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	while (fgets(line, sizeof(line), f)) {
		struct uvf_pci_resource *r;
		uint64_t s, e, fl;

		if (dev->nres == UVF_PCI_MAX_RESOURCES)
			break;
		if (sscanf(line, "%" SCNx64 " %" SCNx64 " %" SCNx64,
			   &s, &e, &fl) != 3) {
			err = -EINVAL;
			break;
		}
		r = &dev->res[dev->nres++];
		*r = (struct uvf_pci_resource){ s, e, fl, res_flags(fl) };
	}
	fclose(f);
	return err;
}

static int dev_vfio(const struct uvf_pci_ctx *ctx, struct uvf_pci_dev *dev)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (dev->iommu_group >= 0) {
		static const char *const forms[] = { "%s/vfio/%d",
						     "%s/vfio/noiommu-%d" };

		for (size_t i = 0; i < 2 && !dev->vfio_group_node; i++) {
			if (snprintf(path, sizeof(path), forms[i],
				     ctx->dev_root, dev->iommu_group) >=
			    PATH_MAX)
				return -ENAMETOOLONG;
			if (access(path, F_OK) == 0) {
				dev->vfio_group_node = strdup(path);
				if (!dev->vfio_group_node)
					return -ENOMEM;
			}
		}
	}

	snprintf(path, sizeof(path), "%s/vfio-dev", dev->path);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "vfio", 4))
			continue;
		if (asprintf(&dev->vfio_cdev, "%s/vfio/devices/%s",
			     ctx->dev_root, de->d_name) < 0) {
			dev->vfio_cdev = NULL;
			closedir(d);
			return -ENOMEM;
		}
		break;
	}
	closedir(d);
	return 0;
}

int pci_dev_read(struct uvf_pci_ctx *ctx, const char *bdf,
		 const struct pcilib_scan *scan, size_t i,
		 struct uvf_pci_dev **devp)
{
	struct uvf_pci_dev *dev;
	char path[PATH_MAX];
	bool lib_failed = false;
	int err;

	dev = calloc(1, sizeof(*dev));
	if (!dev)
		return -ENOMEM;
	if (uvf_pci_bdf_parse(bdf, dev->bdf)) {
		pci_set_error(ctx, "'%s' is not a PCI address; expected "
			      "DDDD:BB:DD.F, like 0000:00:03.0", bdf);
		free(dev);
		return -EINVAL;
	}
	err = pci_sysfs_path(ctx, path, "bus/pci/devices/%s", dev->bdf);
	if (!err && !scan && access(path, F_OK) != 0)
		err = errno == ENOENT ? -ENODEV : -errno;
	/* IDs, class, NUMA node and names through libpci; the rest (links,
	 * driver_override, resources, VFIO nodes) from sysfs directly. */
	if (!err) {
		err = pcilib_fill(ctx, scan, i, dev);
		lib_failed = err == -EIO;
	}
	if (!err) {
		dev->path = realpath(path, NULL);
		if (!dev->path)
			err = -errno;
	}
	if (!err)
		err = dev_read_links(dev);
	if (!err)
		err = dev_read_resources(dev);
	if (!err)
		err = dev_vfio(ctx, dev);
	if (err) {
		/* A device removed while being read is simply gone. */
		if (err == -ENOENT && access(path, F_OK) != 0)
			err = -ENODEV;
		if (err == -ENODEV)
			pci_set_error(ctx, "no PCI device %s", dev->bdf);
		else if (!lib_failed)	/* libpci's message stays */
			pci_set_error(ctx, "cannot read PCI device %s in %s: "
				      "%s", dev->bdf, ctx->sysfs_root,
				      strerror(-err));
		uvf_pci_dev_free(dev);
		return err;
	}
	*devp = dev;
	return 0;
}

int uvf_pci_dev_open(struct uvf_pci_ctx *ctx, const char *bdf,
		     struct uvf_pci_dev **devp)
{
	return pci_dev_read(ctx, bdf, NULL, 0, devp);
}

const char *uvf_pci_dev_bdf(const struct uvf_pci_dev *dev)
{
	return dev->bdf;
}

const struct uvf_pci_ids *uvf_pci_dev_ids(const struct uvf_pci_dev *dev)
{
	return &dev->ids;
}

const char *uvf_pci_dev_vendor_name(const struct uvf_pci_dev *dev)
{
	return dev->vendor_name;
}

const char *uvf_pci_dev_device_name(const struct uvf_pci_dev *dev)
{
	return dev->device_name;
}

const char *uvf_pci_dev_class_name(const struct uvf_pci_dev *dev)
{
	return dev->class_name;
}

const char *uvf_pci_dev_subsys_name(const struct uvf_pci_dev *dev)
{
	return dev->subsys_name;
}

const char *uvf_pci_dev_class_label(const struct uvf_pci_dev *dev)
{
	return dev->class_label;
}

const char *uvf_pci_dev_product_label(const struct uvf_pci_dev *dev)
{
	return dev->product_label;
}

const char *uvf_pci_dev_subsys_label(const struct uvf_pci_dev *dev)
{
	return dev->subsys_label;
}

const char *uvf_pci_dev_driver(const struct uvf_pci_dev *dev)
{
	return dev->driver;
}

const char *uvf_pci_dev_driver_override(const struct uvf_pci_dev *dev)
{
	return dev->override;
}

int uvf_pci_dev_iommu_group(const struct uvf_pci_dev *dev)
{
	return dev->iommu_group >= 0 ? dev->iommu_group : -ENOENT;
}

int uvf_pci_dev_numa_node(const struct uvf_pci_dev *dev)
{
	return dev->numa_node >= 0 ? dev->numa_node : -ENOENT;
}

bool uvf_pci_dev_is_bridge(const struct uvf_pci_dev *dev)
{
	uint32_t cs = dev->ids.class_code >> 8;

	return cs == 0x0604 || cs == 0x0607 || cs == 0x0609;
}

unsigned int uvf_pci_dev_resource_count(const struct uvf_pci_dev *dev)
{
	return dev->nres;
}

int uvf_pci_dev_resource(const struct uvf_pci_dev *dev, unsigned int idx,
			 struct uvf_pci_resource *res)
{
	const struct uvf_pci_resource *r;

	if (idx >= dev->nres)
		return -ERANGE;
	r = &dev->res[idx];
	if (!r->start && !r->end && !r->raw_flags)
		return -ENOENT;
	*res = *r;
	return 0;
}

bool uvf_pci_dev_vfio_bound(const struct uvf_pci_dev *dev)
{
	return dev->driver && !strcmp(dev->driver, UVF_PCI_VFIO_DRIVER);
}

const char *uvf_pci_dev_vfio_group_node(const struct uvf_pci_dev *dev)
{
	return dev->vfio_group_node;
}

const char *uvf_pci_dev_vfio_cdev(const struct uvf_pci_dev *dev)
{
	return dev->vfio_cdev;
}
