// SPDX-License-Identifier: MIT
/*
 * The PCI layer's use of libpci (pciutils): enumeration with
 * pci_scan_bus(), IDs, class, subsystem, revision and NUMA node with
 * pci_fill_info(), and names with pci_lookup_name() from libpci's PCI ID
 * database. libpci's linux_sysfs method reads <sysfs root>/bus/pci, so fake
 * trees work as the real /sys does.
 *
 * libpci reports failures through acc->error, which must not return
 * (pci_init() with an unusable method, a mandatory attribute that cannot be
 * read, a malformed pci.ids, out of memory); its default handler exits. Ours
 * records the message in the context and longjmp()s back to the uvf call
 * that entered libpci (lib_run()), which then fails with -EIO. Code run
 * under lib_run() keeps anything it must release after such a jump in
 * memory reachable from its argument, never only in its own locals.
 * Warnings are recorded and the call goes on; debug messages are dropped.
 */
#include <dirent.h>
#include <errno.h>
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pci_priv.h"

/* Where the ID database is looked for when libpci's default is missing. */
#define PCI_IDS_HWDATA_PATH "/usr/share/hwdata/pci.ids"

/* What pci_fill_info() reads for a snapshot. */
#define FILL_FLAGS (PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | \
		    PCI_FILL_SUBSYS | PCI_FILL_NUMA_NODE)

/* The uvf call currently inside libpci, on this thread. */
struct lib_guard {
	jmp_buf jb;
	struct uvf_pci_ctx *ctx;
	struct lib_guard *prev;
};

static _Thread_local struct lib_guard *lib_guard;

static void lib_record(const char *msg, va_list ap)
{
	struct uvf_pci_ctx *ctx = lib_guard->ctx;
	size_t n;

	n = (size_t)snprintf(ctx->err, sizeof(ctx->err), "libpci: ");
	vsnprintf(ctx->err + n, sizeof(ctx->err) - n, msg, ap);
	/* Some messages end in a newline, some in a period. */
	n = strlen(ctx->err);
	while (n && (ctx->err[n - 1] == '\n' || ctx->err[n - 1] == '.'))
		ctx->err[--n] = '\0';
}

static void __attribute__((noreturn, format(printf, 1, 2)))
lib_error(char *msg, ...)
{
	va_list ap;

	if (!lib_guard) {
		/* Every libpci call is made under lib_run(); returning is not
		 * allowed, and exiting the caller's program is worse. */
		fputs("uvf: libpci reported an error outside a uvf call\n",
		      stderr);
		abort();
	}
	va_start(ap, msg);
	lib_record(msg, ap);
	va_end(ap);
	longjmp(lib_guard->jb, 1);
}

static void __attribute__((format(printf, 1, 2))) lib_warning(char *msg, ...)
{
	va_list ap;

	if (!lib_guard)
		return;
	va_start(ap, msg);
	lib_record(msg, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 1, 2))) lib_debug(char *msg, ...)
{
	(void)msg;
}

/*
 * Runs @fn(@ctx, @arg) with libpci's error handler armed. Return: 0, or
 * -EIO when libpci reported an error (its message is the context's error);
 * the context's libpci handle is then marked stale.
 */
static int lib_run(struct uvf_pci_ctx *ctx,
		   void (*fn)(struct uvf_pci_ctx *, void *), void *arg)
{
	struct lib_guard g = { .ctx = ctx, .prev = lib_guard };

	if (setjmp(g.jb)) {
		lib_guard = g.prev;
		ctx->lib_stale = true;
		return -EIO;
	}
	lib_guard = &g;
	fn(ctx, arg);
	lib_guard = g.prev;
	return 0;
}

static void lib_open(struct uvf_pci_ctx *ctx, void *arg)
{
	struct pci_access *a;

	(void)arg;
	/* pci_alloc() itself can only fail on out-of-memory, which it
	 * reports with libpci's default handler (exit): no handler can be
	 * set before it returns. */
	a = pci_alloc();
	ctx->lib = a;
	a->error = lib_error;
	a->warning = lib_warning;
	a->debug = lib_debug;
	a->method = ctx->lib_method ? ctx->lib_method : PCI_ACCESS_SYS_BUS_PCI;
	/* No ~/.pciids-cache, no DNS: only the database (and, by default,
	 * udev's hwdb, as lspci does). */
	a->id_lookup_mode = 0;
	if (pci_set_param(a, "sysfs.path", ctx->lib_sysfs))
		a->error("this libpci has no sysfs.path parameter");
	pci_init(a);
}

/* Drops the libpci handle when a failure left it stale and nothing of it is
 * in use. */
static void lib_drop_stale(struct uvf_pci_ctx *ctx)
{
	if (ctx->lib && ctx->lib_stale && !ctx->lib->devices) {
		pci_cleanup(ctx->lib);
		ctx->lib = NULL;
		ctx->names = PCI_NAMES_UNTRIED;
	}
	if (!ctx->lib)
		ctx->lib_stale = false;
}

/* The context's libpci handle, created on first use. */
static int lib_access(struct uvf_pci_ctx *ctx)
{
	int err;

	lib_drop_stale(ctx);
	if (ctx->lib)
		return 0;
	err = lib_run(ctx, lib_open, NULL);
	if (err) {
		if (ctx->lib)
			pci_cleanup(ctx->lib);
		ctx->lib = NULL;
		ctx->lib_stale = false;
	}
	return err;
}

void pcilib_free(struct uvf_pci_ctx *ctx)
{
	if (ctx->lib)
		pci_cleanup(ctx->lib);
	ctx->lib = NULL;
}

/* The database: the context's file, or libpci's default and then the
 * hwdata location. A file that cannot be parsed leaves names as numbers. */
static void lib_load_names(struct uvf_pci_ctx *ctx, void *arg)
{
	struct pci_access *a = ctx->lib;

	(void)arg;
	if (ctx->pci_ids) {
		pci_set_name_list_path(a, ctx->pci_ids, 0);
		pci_load_name_list(a);
	} else if (!pci_load_name_list(a)) {
		pci_set_name_list_path(a, PCI_IDS_HWDATA_PATH, 0);
		pci_load_name_list(a);
	}
}

static void lib_names(struct uvf_pci_ctx *ctx)
{
	if (ctx->names != PCI_NAMES_UNTRIED)
		return;
	if (ctx->pci_ids && !ctx->pci_ids[0]) {
		ctx->names = PCI_NAMES_NONE;
		return;
	}
	if (lib_run(ctx, lib_load_names, NULL)) {
		/* A parse error: drop what was read, names become numbers.
		 * The handle stays usable. */
		pci_free_name_list(ctx->lib);
		ctx->lib_stale = false;
		ctx->names = PCI_NAMES_NONE;
		return;
	}
	ctx->names = PCI_NAMES_LOADED;
}

struct pcilib_scan {
	size_t n;
	struct pci_dev **devs;
	char (*bdfs)[UVF_PCI_BDF_LEN];
};

static int scan_cmp(const void *x, const void *y)
{
	const struct pci_dev *a = *(struct pci_dev *const *)x;
	const struct pci_dev *b = *(struct pci_dev *const *)y;

	if (a->domain != b->domain)
		return a->domain < b->domain ? -1 : 1;
	if (a->bus != b->bus)
		return a->bus < b->bus ? -1 : 1;
	if (a->dev != b->dev)
		return a->dev < b->dev ? -1 : 1;
	return a->func < b->func ? -1 : a->func > b->func;
}

/*
 * libpci's scan fails on an entry that is not a device address and leaks
 * its directory handle doing so; check the directory before it looks, so
 * that an unreadable or odd bus/pci/devices fails cleanly with an errno.
 */
static int scan_check(struct uvf_pci_ctx *ctx)
{
	char path[PATH_MAX];
	struct dirent *de;
	int err = pci_sysfs_path(ctx, path, "bus/pci/devices");
	DIR *d;

	if (err) {
		pci_set_error(ctx, "path too long under %s", ctx->sysfs_root);
		return err;
	}
	d = opendir(path);
	if (!d) {
		err = -errno;
		pci_set_error(ctx, "cannot read %s: %s", path, strerror(-err));
		return err;
	}
	while ((de = readdir(d))) {
		unsigned int dom, bus, dev;
		int func;

		if (de->d_name[0] == '.')
			continue;
		if (sscanf(de->d_name, "%x:%x:%x.%d", &dom, &bus, &dev,
			   &func) < 4 || dom > 0x7fffffff) {
			pci_set_error(ctx, "cannot read %s: '%s' is not a "
				      "PCI device", path, de->d_name);
			err = -EIO;
			break;
		}
	}
	closedir(d);
	return err;
}

static void lib_scan(struct uvf_pci_ctx *ctx, void *arg)
{
	(void)arg;
	pci_scan_bus(ctx->lib);
}

/* Frees the devices libpci linked into the handle. */
static void lib_free_devices(struct uvf_pci_ctx *ctx)
{
	struct pci_dev *d, *next;

	if (!ctx->lib)
		return;
	for (d = ctx->lib->devices; d; d = next) {
		next = d->next;
		pci_free_dev(d);
	}
	ctx->lib->devices = NULL;
}

int pcilib_scan_new(struct uvf_pci_ctx *ctx, struct pcilib_scan **scanp)
{
	struct pcilib_scan *scan;
	struct pci_dev *d;
	size_t n = 0;
	int err;

	err = lib_access(ctx);
	if (!err)
		err = scan_check(ctx);
	if (err)
		return err;
	/* A handle holds one scan at a time. */
	lib_free_devices(ctx);
	err = lib_run(ctx, lib_scan, NULL);
	if (err) {
		lib_free_devices(ctx);
		lib_drop_stale(ctx);
		return err;
	}
	for (d = ctx->lib->devices; d; d = d->next)
		n++;
	scan = calloc(1, sizeof(*scan));
	if (scan) {
		scan->devs = calloc(n ? n : 1, sizeof(*scan->devs));
		scan->bdfs = calloc(n ? n : 1, sizeof(*scan->bdfs));
	}
	if (!scan || !scan->devs || !scan->bdfs) {
		pcilib_scan_free(ctx, scan);
		lib_free_devices(ctx);
		return -ENOMEM;
	}
	for (d = ctx->lib->devices; d; d = d->next)
		scan->devs[scan->n++] = d;
	qsort(scan->devs, n, sizeof(*scan->devs), scan_cmp);
	for (size_t i = 0; i < n; i++) {
		d = scan->devs[i];
		snprintf(scan->bdfs[i], UVF_PCI_BDF_LEN, "%04x:%02x:%02x.%x",
			 (unsigned int)d->domain, d->bus, d->dev, d->func & 7);
	}
	*scanp = scan;
	return 0;
}

size_t pcilib_scan_count(const struct pcilib_scan *scan)
{
	return scan->n;
}

const char *pcilib_scan_bdf(const struct pcilib_scan *scan, size_t i)
{
	return scan->bdfs[i];
}

void pcilib_scan_free(struct uvf_pci_ctx *ctx, struct pcilib_scan *scan)
{
	if (!scan)
		return;
	lib_free_devices(ctx);
	lib_drop_stale(ctx);
	free(scan->devs);
	free(scan->bdfs);
	free(scan);
}

/* One pcilib_fill(): what lib_fill_dev() needs and leaves behind. */
struct fill {
	const struct pcilib_scan *scan;
	size_t i;
	struct uvf_pci_dev *dev;
	struct pci_dev *own;	/* from pci_get_dev(), freed by the caller */
	int err;		/* -ENOMEM from a name */
};

static int name_dup(char **dst, const char *name)
{
	*dst = strdup(name);
	return *dst ? 0 : -ENOMEM;
}

/* The class name without the "[ccss]" libpci appends to a base-class
 * fallback ("Network controller [0280]"). */
static int class_dup(char **dst, const char *name, unsigned int cls)
{
	char tail[16];
	size_t n = strlen(name), t;

	snprintf(tail, sizeof(tail), " [%04x]", cls);
	t = strlen(tail);
	if (n > t && !strcmp(name + n - t, tail))
		n -= t;
	*dst = strndup(name, n);
	return *dst ? 0 : -ENOMEM;
}

/* "<subsystem vendor> <subsystem>", as lspci -v shows it. */
static char *subsys_lookup(struct uvf_pci_ctx *ctx, char *buf, int len,
			   int flags, const struct uvf_pci_ids *id)
{
	return pci_lookup_name(ctx->lib, buf, len,
			       flags | PCI_LOOKUP_VENDOR | PCI_LOOKUP_DEVICE |
			       PCI_LOOKUP_SUBSYSTEM, id->vendor, id->device,
			       id->subsys_vendor, id->subsys_device);
}

static void lib_fill_names(struct uvf_pci_ctx *ctx, struct fill *f)
{
	struct uvf_pci_dev *dev = f->dev;
	const struct uvf_pci_ids *id = &dev->ids;
	int flags = 0;
	char buf[512];

	if (ctx->names == PCI_NAMES_NONE)
		flags = PCI_LOOKUP_SKIP_LOCAL | PCI_LOOKUP_NO_HWDB;
	else if (ctx->pci_ids)	/* only the file asked for */
		flags = PCI_LOOKUP_NO_HWDB;
	f->err = name_dup(&dev->vendor_name,
			  pci_lookup_name(ctx->lib, buf, sizeof(buf),
					  flags | PCI_LOOKUP_VENDOR,
					  id->vendor));
	if (!f->err)
		f->err = name_dup(&dev->device_name,
				  pci_lookup_name(ctx->lib, buf, sizeof(buf),
						  flags | PCI_LOOKUP_DEVICE,
						  id->vendor, id->device));
	if (!f->err)
		f->err = class_dup(&dev->class_name,
				   pci_lookup_name(ctx->lib, buf, sizeof(buf),
						   flags | PCI_LOOKUP_CLASS,
						   id->class_code >> 8),
				   id->class_code >> 8);
	/* The same lookups as lspci -nn makes: libpci writes the numbers in. */
	flags |= PCI_LOOKUP_MIXED;
	if (!f->err)
		f->err = name_dup(&dev->class_label,
				  pci_lookup_name(ctx->lib, buf, sizeof(buf),
						  flags | PCI_LOOKUP_CLASS,
						  id->class_code >> 8));
	if (!f->err)
		f->err = name_dup(&dev->product_label,
				  pci_lookup_name(ctx->lib, buf, sizeof(buf),
						  flags | PCI_LOOKUP_VENDOR |
						  PCI_LOOKUP_DEVICE,
						  id->vendor, id->device));
	if (!f->err)
		f->err = name_dup(&dev->subsys_label,
				  subsys_lookup(ctx, buf, sizeof(buf), flags, id));
	if (!f->err)
		f->err = name_dup(&dev->subsys_name,
				  subsys_lookup(ctx, buf, sizeof(buf),
						flags & ~PCI_LOOKUP_MIXED, id));
}

static void lib_fill_dev(struct uvf_pci_ctx *ctx, void *arg)
{
	struct fill *f = arg;
	struct pci_dev *d;
	unsigned int dom, bus, slot, func;

	if (f->scan) {
		d = f->scan->devs[f->i];
	} else {
		sscanf(f->dev->bdf, "%x:%x:%x.%x", &dom, &bus, &slot, &func);
		d = f->own = pci_get_dev(ctx->lib, (int)dom, (int)bus,
					 (int)slot, (int)func);
	}
	pci_fill_info(d, FILL_FLAGS);
	f->dev->ids = (struct uvf_pci_ids){
		.vendor = d->vendor_id,
		.device = d->device_id,
		.subsys_vendor = d->subsys_vendor_id,
		.subsys_device = d->subsys_id,
		.class_code = (uint32_t)d->device_class << 8 | d->prog_if,
		.revision = d->rev_id,
	};
	f->dev->numa_node = d->numa_node >= 0 ? d->numa_node : -1;
	lib_fill_names(ctx, f);
}

int pcilib_fill(struct uvf_pci_ctx *ctx, const struct pcilib_scan *scan,
		size_t i, struct uvf_pci_dev *dev)
{
	struct fill f = { .scan = scan, .i = i, .dev = dev };
	char path[PATH_MAX];
	int err;

	err = lib_access(ctx);
	if (err)
		return err;
	lib_names(ctx);
	err = lib_run(ctx, lib_fill_dev, &f);
	if (f.own)
		pci_free_dev(f.own);
	if (err) {
		/* A device removed while libpci read it: gone, not broken. */
		if (!pci_sysfs_path(ctx, path, "bus/pci/devices/%s",
				    dev->bdf) &&
		    access(path, F_OK) != 0 && errno == ENOENT) {
			ctx->lib_stale = false;
			return -ENODEV;
		}
		if (!scan)
			lib_drop_stale(ctx);
		return err;
	}
	return f.err;
}
