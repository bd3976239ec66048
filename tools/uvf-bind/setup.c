// SPDX-License-Identifier: MIT
/*
 * uvf-bind setup, and --user/--group on bind: what a driver that does not
 * run as root needs. It gets the VFIO nodes of its devices (and /dev/iommu),
 * a memory-lock limit for its DMA mappings and, if asked, hugepages. Each
 * change is printed as it is made; --dry-run prints them as "would".
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "uvf-bind.h"

#define NODE_MODE 0660
#define HUGEPAGES_2M "kernel/mm/hugepages/hugepages-2048kB/nr_hugepages"

/* A numeric id, for users and groups without an entry (containers). */
static int parse_id(const char *name, unsigned int *id)
{
	char *end;
	unsigned long v = strtoul(name, &end, 10);

	if (!*name || *end || v >= UINT_MAX)
		return -ENOENT;
	*id = (unsigned int)v;
	return 0;
}

static int lookup_user(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam(name);

	if (!pw)
		return parse_id(name, uid);
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

static int lookup_group(const char *name, gid_t *gid)
{
	struct group *gr = getgrnam(name);

	if (!gr)
		return parse_id(name, gid);
	*gid = gr->gr_gid;
	return 0;
}

int bind_owner_resolve(struct bind_opts *o)
{
	gid_t primary = (gid_t)-1;

	o->uid = (uid_t)-1;
	o->gid = (gid_t)-1;
	if (o->user && lookup_user(o->user, &o->uid, &primary)) {
		bind_err("no user '%s' on this system.", o->user);
		return BIND_EXIT_USAGE;
	}
	if (o->group && lookup_group(o->group, &o->gid)) {
		bind_err("no group '%s' on this system.", o->group);
		return BIND_EXIT_USAGE;
	}
	/* --user alone: the user's own group, so 0660 lets it in. */
	if (!o->group)
		o->gid = primary;
	return BIND_EXIT_OK;
}

/* Gives one node to the owner, 0660; a node that is right is left alone. */
static int grant_node(const struct bind_opts *o, const char *path,
		      mode_t mode)
{
	struct stat st;
	uid_t uid;
	gid_t gid;

	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		bind_err("cannot read %s: %s.", path, strerror(errno));
		return BIND_EXIT_FAILED;
	}
	uid = o->uid == (uid_t)-1 ? st.st_uid : o->uid;
	gid = o->gid == (gid_t)-1 ? st.st_gid : o->gid;
	if (st.st_uid == uid && st.st_gid == gid &&
	    (st.st_mode & 07777) == mode)
		return 0;
	if (!o->dry_run && (chown(path, uid, gid) < 0 ||
			    chmod(path, mode) < 0)) {
		bind_err("cannot give %s to %u:%u: %s.", path, (unsigned)uid,
			 (unsigned)gid, strerror(errno));
		return BIND_EXIT_FAILED;
	}
	printf("%s %s: owner %u:%u mode %04o (was %u:%u %04o)\n",
	       o->dry_run ? "would change" : "changed", path, (unsigned)uid,
	       (unsigned)gid, (unsigned)mode, (unsigned)st.st_uid,
	       (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777));
	return 0;
}

/* The group node and cdev of @bdf. */
static int grant_device(struct uvf_pci_ctx *ctx, const struct bind_opts *o,
			const char *bdf)
{
	struct uvf_pci_dev *dev;
	const char *node;
	int rc = 0, err = uvf_pci_dev_open(ctx, bdf, &dev);

	if (err)
		return bind_fail(ctx, err);
	if (strcmp(uvf_pci_dev_driver(dev) ? uvf_pci_dev_driver(dev) : "",
		   UVF_PCI_VFIO_DRIVER)) {
		bind_err("%s is not on vfio-pci; bind it first.", bdf);
		uvf_pci_dev_free(dev);
		return BIND_EXIT_FAILED;
	}
	node = uvf_pci_dev_vfio_group_node(dev);
	if (node)
		rc = grant_node(o, node, NODE_MODE);
	node = uvf_pci_dev_vfio_cdev(dev);
	if (!rc && node)
		rc = grant_node(o, node, NODE_MODE);
	uvf_pci_dev_free(dev);
	return rc;
}

/* iommufd's /dev/iommu too: the cdev path opens it, a type1 container
 * opens /dev/vfio/vfio, which the kernel already makes 0666. */
static int grant_shared(const struct bind_opts *o)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/iommu", o->dev_root);
	return grant_node(o, path, NODE_MODE);
}

int bind_grant(struct uvf_pci_ctx *ctx, const struct bind_opts *o,
	       const char *const *bdfs, size_t n)
{
	int rc = 0;

	for (size_t i = 0; i < n && !rc; i++)
		rc = grant_device(ctx, o, bdfs[i]);
	return rc ? rc : grant_shared(o);
}

/* Every device on vfio-pci, when setup names none. */
static int vfio_bdfs(struct uvf_pci_ctx *ctx, const char ***bdfsp, size_t *n,
		     struct uvf_pci_list **listp)
{
	struct uvf_pci_list *list;
	const char **bdfs;
	int err = uvf_pci_list_new(ctx, &list);

	if (err)
		return err;
	bdfs = calloc(uvf_pci_list_count(list) + 1, sizeof(*bdfs));
	if (!bdfs) {
		uvf_pci_list_free(list);
		return -ENOMEM;
	}
	*n = 0;
	for (size_t i = 0; i < uvf_pci_list_count(list); i++) {
		const struct uvf_pci_dev *dev = uvf_pci_list_get(list, i);
		const char *drv = uvf_pci_dev_driver(dev);

		if (drv && !strcmp(drv, UVF_PCI_VFIO_DRIVER))
			bdfs[(*n)++] = uvf_pci_dev_bdf(dev);
	}
	*bdfsp = bdfs;
	*listp = list;
	return 0;
}

/* "unlimited", or kibibytes as limits.conf counts memlock. */
static void memlock_value(const struct bind_opts *o, char *buf, size_t len)
{
	if (!o->memlock_bytes)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%" PRIu64,
			 (o->memlock_bytes + 1023) / 1024);
}

static bool file_holds(const char *path, const char *text)
{
	char buf[2048];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return !strcmp(buf, text);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fputs(text, f) < 0)
		err = -errno;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* pam_limits reads limits.d at login: the limit holds from the next one. */
static int setup_memlock(const struct bind_opts *o)
{
	const char *who = o->user ? o->user : o->group;
	char path[PATH_MAX], text[1024], value[32], entity[128];
	int err;

	memlock_value(o, value, sizeof(value));
	snprintf(entity, sizeof(entity), "%s%s", o->user ? "" : "@", who);
	snprintf(path, sizeof(path), "%s/security/limits.d/90-uvf-%s.conf",
		 o->etc_root, who);
	snprintf(text, sizeof(text),
		 "# uvf-bind setup: memory %s may lock for VFIO DMA mappings.\n"
		 "%s soft memlock %s\n%s hard memlock %s\n",
		 entity, entity, value, entity, value);
	if (file_holds(path, text))
		return 0;
	err = o->dry_run ? 0 : write_text(path, text);
	if (err) {
		bind_err("cannot write %s: %s.", path, strerror(-err));
		return BIND_EXIT_FAILED;
	}
	printf("%s %s: memlock %s%s for %s (from the next login; a running "
	       "process: prlimit --memlock=%s --pid PID)\n",
	       o->dry_run ? "would write" : "wrote", path, value,
	       strcmp(value, "unlimited") ? " KiB" : "", entity, value);
	return 0;
}

static int read_count(const char *path, unsigned long *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%lu", v) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

/* Reserves 2 MiB pages up to o->hugepages; never gives pages back. */
static int setup_hugepages(const struct bind_opts *o)
{
	char path[PATH_MAX], count[32];
	unsigned long have, got;
	int err;

	snprintf(path, sizeof(path), "%s/%s", o->sysfs_root, HUGEPAGES_2M);
	if (read_count(path, &have)) {
		bind_err("this kernel has no 2 MiB hugepages (%s).", path);
		return BIND_EXIT_FAILED;
	}
	if (have >= o->hugepages)
		return 0;
	if (o->dry_run) {
		printf("would write %s: %lu (was %lu)\n", path, o->hugepages,
		       have);
		return 0;
	}
	snprintf(count, sizeof(count), "%lu\n", o->hugepages);
	err = write_text(path, count);
	if (err) {
		bind_err("cannot write %s: %s.", path, strerror(-err));
		return BIND_EXIT_FAILED;
	}
	if (read_count(path, &got))
		got = 0;
	printf("wrote %s: %lu (was %lu; the kernel reserved %lu)\n", path,
	       o->hugepages, have, got);
	if (got < o->hugepages) {
		bind_err("the kernel reserved only %lu of %lu 2 MiB hugepages; "
			 "free memory, or reserve them at boot "
			 "(hugepages=%lu on the kernel command line).", got,
			 o->hugepages, o->hugepages);
		return BIND_EXIT_FAILED;
	}
	return 0;
}

int cmd_setup(struct uvf_pci_ctx *ctx, const struct bind_opts *o)
{
	struct uvf_pci_list *list = NULL;
	const char **bdfs = (const char **)o->bdfs;
	size_t n = (size_t)o->nbdfs;
	int rc, err;

	if (!o->user && !o->group) {
		bind_err("setup prepares for a user: give --user or --group.");
		return BIND_EXIT_USAGE;
	}
	if (!n) {
		err = vfio_bdfs(ctx, &bdfs, &n, &list);
		if (err)
			return bind_fail(ctx, err);
	}
	rc = bind_grant(ctx, o, bdfs, n);
	if (!rc)
		rc = setup_memlock(o);
	if (!rc && o->hugepages)
		rc = setup_hugepages(o);
	if (list) {
		free(bdfs);
		uvf_pci_list_free(list);
	}
	return rc;
}
