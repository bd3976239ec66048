/* SPDX-License-Identifier: MIT */
/* Private structures and helpers shared by the files of the PCI layer. */
#ifndef UVF_PCI_PRIV_H
#define UVF_PCI_PRIV_H

#include <limits.h>
#include <uvf/pci.h>
#include <uvf/pci_bind.h>
#include <uvf/pci_state.h>

#include "write_hook.h"

struct pci_access;

/* How far the PCI ID database of a context has been loaded (pcilib.c). */
enum pci_names {
	PCI_NAMES_UNTRIED,	/* not yet: loaded on the first lookup */
	PCI_NAMES_LOADED,	/* libpci's database, as far as it loaded */
	PCI_NAMES_NONE,		/* none ("" as pci_ids, or a broken file):
				 * names are numbers */
};

struct uvf_pci_ctx {
	char *sysfs_root;
	char *dev_root;
	char *mounts;
	char *swaps;
	char *pci_ids;		/* NULL: libpci's own default */
	char *lib_sysfs;	/* "<sysfs root>/bus/pci", libpci's sysfs.path */
	struct pci_access *lib;	/* created on first use (pcilib.c) */
	unsigned int lib_method; /* libpci access method; 0 for linux_sysfs.
				  * Tests set an unsupported one to make
				  * pci_init() fail. */
	bool lib_stale;		/* libpci failed mid-call: start afresh */
	enum pci_names names;
	pci_write_hook_fn hook;
	void *hook_arg;
	char err[512];
};

struct uvf_pci_dev {
	char bdf[UVF_PCI_BDF_LEN];
	char *path;		/* resolved device directory */
	struct uvf_pci_ids ids;
	int iommu_group;	/* -1 when none */
	int numa_node;		/* -1 when none */
	char *driver;
	char *override;
	unsigned int nres;
	struct uvf_pci_resource res[UVF_PCI_MAX_RESOURCES];
	char *vendor_name;
	char *device_name;
	char *class_name;
	char *subsys_name;
	char *class_label;	/* names as lspci -nn prints them */
	char *product_label;
	char *subsys_label;
	char *vfio_group_node;
	char *vfio_cdev;
};

struct uvf_pci_list {
	struct uvf_pci_dev **devs;
	size_t n;
};

/* Records the reason of a failure for uvf_pci_ctx_error(). */
void pci_set_error(struct uvf_pci_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Builds "<sysfs root>/<rel>"; -ENAMETOOLONG rather than a cut path. */
int pci_sysfs_path(const struct uvf_pci_ctx *ctx, char out[PATH_MAX],
		   const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reads a small attribute, without its trailing newline and blanks. */
int pci_read_attr(const char *path, char *buf, size_t len);

/* Reads an attribute holding one number ("0x1af4", "-1"), base 0. */
int pci_read_number(const char *path, long long *val);

/* Name a symlink points to, its last path component ("vfio-pci"). */
int pci_link_name(const char *path, char *buf, size_t len);

/* Whether @path is @dir or lies below it; both resolved paths. */
bool pci_path_within(const char *path, const char *dir);

/*
 * Writes @value to sysfs attribute @rel (relative to the root) as a shell's
 * "echo -n value > attr" would, then runs the context's write hook. Failures
 * set the context's error.
 */
int pci_sysfs_write(struct uvf_pci_ctx *ctx, const char *rel,
		    const char *value);

/* Re-reads the driver link of @bdf; buf is "" when no driver is bound. */
int pci_read_driver(const struct uvf_pci_ctx *ctx, const char *bdf,
		    char *buf, size_t len);

/* Reads the members of an IOMMU group as addresses, sorted. */
int pci_group_bdfs(const struct uvf_pci_ctx *ctx, int group,
		   char (**bdfs)[UVF_PCI_BDF_LEN], size_t *n);

/*
 * libpci (pcilib.c). Every libpci call runs with error handlers that record
 * libpci's message in the context and return -EIO instead of exiting.
 */
struct pcilib_scan;

/* Enumerates bus/pci/devices with pci_scan_bus(), sorted by address. */
int pcilib_scan_new(struct uvf_pci_ctx *ctx, struct pcilib_scan **scanp);
size_t pcilib_scan_count(const struct pcilib_scan *scan);
const char *pcilib_scan_bdf(const struct pcilib_scan *scan, size_t i);
void pcilib_scan_free(struct uvf_pci_ctx *ctx, struct pcilib_scan *scan);

/*
 * Fills the IDs, NUMA node and names of @dev (whose bdf is set) with
 * pci_fill_info() and pci_lookup_name(): from device @i of @scan, or with
 * @scan NULL from pci_get_dev(). -ENODEV when the device is gone, -EIO when
 * libpci fails otherwise, -ENOMEM.
 */
int pcilib_fill(struct uvf_pci_ctx *ctx, const struct pcilib_scan *scan,
		size_t i, struct uvf_pci_dev *dev);

/* Reads one device: from device @i of @scan, or with @scan NULL looked up
 * by address (uvf_pci_dev_open()). */
int pci_dev_read(struct uvf_pci_ctx *ctx, const char *bdf,
		 const struct pcilib_scan *scan, size_t i,
		 struct uvf_pci_dev **devp);

/* Releases the context's libpci handle. */
void pcilib_free(struct uvf_pci_ctx *ctx);

/* Whether the sysfs or /dev root of @ctx is the live system's. */
bool pci_ctx_is_live(const struct uvf_pci_ctx *ctx);

/* Duplicates @s, or returns NULL for NULL; *ok goes false on ENOMEM. */
char *pci_strdup_or_null(const char *s, bool *ok);

/* Records @bdf unless it already has a record, which then stays. */
int pci_state_add(struct uvf_pci_state *state, const char *bdf,
		  const char *old_driver, const char *old_override);

/* A deep copy, to change and save before committing with a swap. */
int pci_state_copy(const struct uvf_pci_state *src,
		   struct uvf_pci_state **dstp);
void pci_state_swap(struct uvf_pci_state *a, struct uvf_pci_state *b);

/* Drops the record of @bdf, if any. */
void pci_state_remove(struct uvf_pci_state *state, const char *bdf);

#endif
