// SPDX-License-Identifier: MIT
/* Lists of devices: the whole bus, or one IOMMU group. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci_priv.h"

/* Canonical addresses differ in domain width, so sort by value. */
static int bdf_cmp(const char *a, const char *b)
{
	unsigned int x[4] = { 0 }, y[4] = { 0 };

	sscanf(a, "%x:%x:%x.%x", &x[0], &x[1], &x[2], &x[3]);
	sscanf(b, "%x:%x:%x.%x", &y[0], &y[1], &y[2], &y[3]);
	for (int i = 0; i < 4; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static int bdf_qsort_cmp(const void *a, const void *b)
{
	return bdf_cmp(a, b);
}

static int dev_qsort_cmp(const void *a, const void *b)
{
	const struct uvf_pci_dev *const *x = a, *const *y = b;

	return bdf_cmp((*x)->bdf, (*y)->bdf);
}

/* Reads the canonical addresses named in directory @dir. */
static int read_bdf_dir(const char *dir, char (**bdfs)[UVF_PCI_BDF_LEN],
			size_t *n)
{
	char (*v)[UVF_PCI_BDF_LEN] = NULL;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		char bdf[UVF_PCI_BDF_LEN];

		if (uvf_pci_bdf_parse(de->d_name, bdf) ||
		    strcmp(bdf, de->d_name))
			continue;
		if (cnt == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			void *p = realloc(v, ncap * sizeof(*v));

			if (!p) {
				free(v);
				closedir(d);
				return -ENOMEM;
			}
			v = p;
			cap = ncap;
		}
		memcpy(v[cnt++], bdf, UVF_PCI_BDF_LEN);
	}
	closedir(d);
	if (cnt)
		qsort(v, cnt, sizeof(*v), bdf_qsort_cmp);
	*bdfs = v;
	*n = cnt;
	return 0;
}

int pci_group_bdfs(const struct uvf_pci_ctx *ctx, int group,
		   char (**bdfs)[UVF_PCI_BDF_LEN], size_t *n)
{
	char path[PATH_MAX];
	int err = pci_sysfs_path(ctx, path, "kernel/iommu_groups/%d/devices",
				 group);

	return err ? err : read_bdf_dir(path, bdfs, n);
}

static int list_alloc(size_t n, struct uvf_pci_list **listp)
{
	struct uvf_pci_list *list = calloc(1, sizeof(*list));

	if (list)
		list->devs = calloc(n ? n : 1, sizeof(*list->devs));
	if (!list || !list->devs) {
		free(list);
		return -ENOMEM;
	}
	*listp = list;
	return 0;
}

/* Opens every address; devices that vanished in between are skipped. */
static int list_open(struct uvf_pci_ctx *ctx,
		     char (*bdfs)[UVF_PCI_BDF_LEN], size_t n,
		     struct uvf_pci_list **listp)
{
	struct uvf_pci_list *list;
	int err = list_alloc(n, &list);

	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		err = uvf_pci_dev_open(ctx, bdfs[i], &list->devs[list->n]);

		if (err == -ENODEV)
			continue;
		if (err) {
			uvf_pci_list_free(list);
			return err;
		}
		list->n++;
	}
	qsort(list->devs, list->n, sizeof(*list->devs), dev_qsort_cmp);
	*listp = list;
	return 0;
}

int uvf_pci_list_new(struct uvf_pci_ctx *ctx, struct uvf_pci_list **listp)
{
	struct pcilib_scan *scan;
	struct uvf_pci_list *list = NULL;
	size_t n;
	int err = pcilib_scan_new(ctx, &scan);

	if (err)
		return err;
	n = pcilib_scan_count(scan);
	err = list_alloc(n, &list);
	for (size_t i = 0; !err && i < n; i++) {
		err = pci_dev_read(ctx, pcilib_scan_bdf(scan, i), scan, i,
				   &list->devs[list->n]);
		if (!err)
			list->n++;
		else if (err == -ENODEV)	/* vanished since the scan */
			err = 0;
	}
	pcilib_scan_free(ctx, scan);
	if (err) {
		uvf_pci_list_free(list);
		return err;
	}
	*listp = list;
	return 0;
}

int uvf_pci_group_list(struct uvf_pci_ctx *ctx, int group,
		       struct uvf_pci_list **listp)
{
	char (*bdfs)[UVF_PCI_BDF_LEN];
	size_t n;
	int err = pci_group_bdfs(ctx, group, &bdfs, &n);

	if (err) {
		pci_set_error(ctx, "cannot read IOMMU group %d in %s: %s",
			      group, ctx->sysfs_root, strerror(-err));
		return err;
	}
	err = list_open(ctx, bdfs, n, listp);
	free(bdfs);
	return err;
}

size_t uvf_pci_list_count(const struct uvf_pci_list *list)
{
	return list->n;
}

const struct uvf_pci_dev *uvf_pci_list_get(const struct uvf_pci_list *list,
					   size_t i)
{
	return i < list->n ? list->devs[i] : NULL;
}

void uvf_pci_list_free(struct uvf_pci_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->n; i++)
		uvf_pci_dev_free(list->devs[i]);
	free(list->devs);
	free(list);
}
