// SPDX-License-Identifier: MIT
/*
 * Persistent binding through generated udev rules (uvf/pci_persist.h): one
 * file a device, written or removed all or nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uvf/pci_persist.h>

#include "plan.h"

#define RULE_PREFIX "90-uvf-"
#define RULE_SUFFIX ".rules"
#define RULE_MARK "# uvf-bind persistent binding\n"
#define RULE_MAX 4096

/* One rule file being written or removed. */
struct rule_file {
	char *path;
	char *tmp;	/* write: the synced new text, renamed over path */
	char *old;	/* its text before, NULL when there was none */
	bool done;	/* renamed in place, or unlinked */
};

static const char *rules_dir_or_default(const char *dir)
{
	return dir ? dir : UVF_PCI_RULES_DIR;
}

static int read_small(const char *path, char **textp)
{
	char *buf = malloc(RULE_MAX + 1);
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
	ssize_t n = 0, got = 0;

	if (fd < 0 || !buf) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	while (n < RULE_MAX && (got = read(fd, buf + n, RULE_MAX - n)) > 0)
		n += got;
	if (got < 0)
		err = -errno;
	else if (n == RULE_MAX)
		err = -EFBIG;	/* not one of ours: they are a few lines */
out:
	if (fd >= 0)
		close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[n] = '\0';
	*textp = buf;
	return 0;
}

/* Writes @text to a new file and syncs it. */
static int write_synced(const char *path, const char *text)
{
	size_t len = strlen(text), off = 0;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);

		if (n < 0) {
			err = -errno;
			break;
		}
		off += (size_t)n;
	}
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (err)
		unlink(path);
	return err;
}

/* Puts @text at @path through a synced temporary file. */
static int replace_synced(const char *path, const char *text)
{
	char *tmp;
	int err;

	if (asprintf(&tmp, "%s.uvf-tmp", path) < 0)
		return -ENOMEM;
	err = write_synced(tmp, text);
	if (!err && rename(tmp, path) < 0) {
		err = -errno;
		unlink(tmp);
	}
	free(tmp);
	return err;
}

static void sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	/* The renames are durable once the directory is; best effort. */
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/*
 * The rule. udev runs it after the kernel's own probe, so it also takes
 * the device from the driver that got there first, as driverctl does.
 */
static char *rule_text(const char *bdf, uint16_t vendor, uint16_t device,
		       const char *driver)
{
	char *text;

	if (asprintf(&text, RULE_MARK
		     "# Binds %s (%04x:%04x) to %s at boot and hot-add.\n"
		     "# Remove with 'uvf-bind unpersist %s'.\n"
		     "ACTION==\"add\", SUBSYSTEM==\"pci\", KERNEL==\"%s\", "
		     "ATTR{vendor}==\"0x%04x\", ATTR{device}==\"0x%04x\", "
		     "ATTR{driver_override}=\"%s\", "
		     "RUN+=\"/sbin/modprobe -bq %s\", "
		     "RUN+=\"/bin/sh -c 'if [ -e /sys/bus/pci/devices/%%k/driver ]; "
		     "then echo %%k > /sys/bus/pci/devices/%%k/driver/unbind; fi; "
		     "echo %%k > /sys/bus/pci/drivers_probe'\"\n",
		     bdf, vendor, device, driver, bdf, bdf, vendor, device,
		     driver, driver) < 0)
		return NULL;
	return text;
}

/* Reads back what rule_text() wrote; anything else is -EBADMSG. */
static int rule_parse(const char *text, struct uvf_pci_persisted *p)
{
	const char *rule = strstr(text, "ACTION==");
	unsigned int vendor, device;
	char bdf[UVF_PCI_BDF_LEN + 1];
	int used = 0;

	if (strncmp(text, RULE_MARK, strlen(RULE_MARK)) || !rule)
		return -EBADMSG;
	if (sscanf(rule, "ACTION==\"add\", SUBSYSTEM==\"pci\", "
		   "KERNEL==\"%16[0-9a-f:.]\", ATTR{vendor}==\"0x%4x\", "
		   "ATTR{device}==\"0x%4x\", ATTR{driver_override}=\"%31[^\"]\"%n",
		   bdf, &vendor, &device, p->driver, &used) != 4 || !used ||
	    uvf_pci_bdf_parse(bdf, p->bdf) || strcmp(bdf, p->bdf))
		return -EBADMSG;
	p->vendor = (uint16_t)vendor;
	p->device = (uint16_t)device;
	return 0;
}

static int rule_path(const char *dir, const char *bdf, char **pathp)
{
	return asprintf(pathp, "%s/" RULE_PREFIX "%s" RULE_SUFFIX, dir,
			bdf) < 0 ? -ENOMEM : 0;
}

static void files_free(struct rule_file *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (f[i].tmp && !f[i].done)
			unlink(f[i].tmp);
		free(f[i].path);
		free(f[i].tmp);
		free(f[i].old);
	}
	free(f);
}

/* Puts back the rules done so far, newest first. */
static void files_undo(struct rule_file *f, size_t n)
{
	while (n--) {
		if (!f[n].done)
			continue;
		if (f[n].old)
			replace_synced(f[n].path, f[n].old);
		else
			unlink(f[n].path);
	}
}

/* Reads the text a file holds now into f->old; none is not an error. */
static int remember_old(struct uvf_pci_ctx *ctx, struct rule_file *f)
{
	int err = read_small(f->path, &f->old);

	if (err == -ENOENT)
		return 0;
	if (err)
		pci_set_error(ctx, "cannot read %s: %s", f->path,
			      strerror(-err));
	return err;
}

static bool plan_persists(const struct plan_entry *e)
{
	return e->dev && (e->step.action == UVF_PCI_ACT_BIND ||
			  e->step.action == UVF_PCI_ACT_NONE);
}

static int prepare_write(struct uvf_pci_ctx *ctx, const char *dir,
			 const struct plan_entry *e, struct rule_file *f)
{
	char *text;
	int err;

	if (rule_path(dir, e->bdf, &f->path) ||
	    asprintf(&f->tmp, "%s.uvf-tmp", f->path) < 0) {
		f->tmp = NULL;
		return -ENOMEM;
	}
	err = remember_old(ctx, f);
	if (err)
		return err;
	text = rule_text(e->bdf, e->dev->ids.vendor, e->dev->ids.device,
			 UVF_PCI_VFIO_DRIVER);
	if (!text)
		return -ENOMEM;
	err = write_synced(f->tmp, text);
	free(text);
	if (err)
		pci_set_error(ctx, "cannot write %s: %s", f->tmp,
			      strerror(-err));
	return err;
}

int uvf_pci_persist_write(struct uvf_pci_ctx *ctx,
			  const struct uvf_pci_plan *plan,
			  const char *rules_dir)
{
	const char *dir = rules_dir_or_default(rules_dir);
	struct rule_file *f;
	size_t n = 0, i;
	int err = 0;

	if (plan->release) {
		pci_set_error(ctx, "only a bind plan can be made persistent");
		return -EINVAL;
	}
	if (access(dir, W_OK) < 0) {
		err = -errno;
		pci_set_error(ctx, "cannot write udev rules in %s: %s", dir,
			      strerror(-err));
		return err;
	}
	f = calloc(plan->n ? plan->n : 1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	for (i = 0; i < plan->n && !err; i++)
		if (plan_persists(plan->e[i]))
			err = prepare_write(ctx, dir, plan->e[i], &f[n++]);
	for (i = 0; i < n && !err; i++) {
		if (rename(f[i].tmp, f[i].path) < 0) {
			err = -errno;
			pci_set_error(ctx, "cannot put %s in place: %s",
				      f[i].path, strerror(-err));
		} else {
			f[i].done = true;
		}
	}
	if (err) {
		if (err == -ENOMEM)
			pci_set_error(ctx, "out of memory");
		files_undo(f, n);
	}
	sync_dir(dir);
	files_free(f, n);
	return err ? err : (int)n;
}

static int cmp_persisted(const void *a, const void *b)
{
	return strcmp(((const struct uvf_pci_persisted *)a)->bdf,
		      ((const struct uvf_pci_persisted *)b)->bdf);
}

static bool is_rule_name(const char *name)
{
	size_t len = strlen(name), pre = strlen(RULE_PREFIX),
	       suf = strlen(RULE_SUFFIX);

	return len > pre + suf && !strncmp(name, RULE_PREFIX, pre) &&
	       !strcmp(name + len - suf, RULE_SUFFIX);
}

static int read_rule(const char *dir, const char *name,
		     struct uvf_pci_persisted *p)
{
	char *path, *text;
	int err;

	if (asprintf(&path, "%s/%s", dir, name) < 0)
		return -ENOMEM;
	err = read_small(path, &text);
	free(path);
	if (err)
		return err == -EFBIG ? -EBADMSG : err;
	err = rule_parse(text, p);
	free(text);
	return err;
}

int uvf_pci_persist_list(const char *rules_dir,
			 struct uvf_pci_persisted **out, size_t *n)
{
	const char *dir = rules_dir_or_default(rules_dir);
	struct uvf_pci_persisted *v = NULL, *grown;
	size_t cnt = 0, cap = 0;
	struct dirent *de;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d && errno != ENOENT)
		return -errno;
	while (d && !err && (errno = 0, de = readdir(d))) {
		if (!is_rule_name(de->d_name))
			continue;
		if (cnt == cap) {
			cap = cap ? 2 * cap : 8;
			grown = realloc(v, cap * sizeof(*v));
			if (!grown) {
				err = -ENOMEM;
				break;
			}
			v = grown;
		}
		err = read_rule(dir, de->d_name, &v[cnt]);
		cnt += !err;
	}
	if (d && !err && errno)
		err = -errno;
	if (d)
		closedir(d);
	if (err) {
		free(v);
		return err;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_persisted);
	*out = v;
	*n = cnt;
	return 0;
}

static const struct uvf_pci_persisted *
find_persisted(const struct uvf_pci_persisted *v, size_t n, const char *bdf)
{
	struct uvf_pci_persisted key;

	snprintf(key.bdf, sizeof(key.bdf), "%s", bdf);
	return n ? bsearch(&key, v, n, sizeof(*v), cmp_persisted) : NULL;
}

/* Marks @bdf and its group mates that have rules in @take. */
static int mark_unit(struct uvf_pci_ctx *ctx, const char *bdf,
		     const struct uvf_pci_persisted *v, size_t n, bool *take)
{
	char (*mates)[UVF_PCI_BDF_LEN] = NULL;
	struct uvf_pci_dev *dev;
	size_t nmates = 0;
	int err;

	take[find_persisted(v, n, bdf) - v] = true;
	err = pci_dev_read(ctx, bdf, NULL, 0, &dev);
	if (err == -ENODEV)
		return 0;	/* gone: its own rule only */
	if (err)
		return err;
	if (dev->iommu_group >= 0)
		err = pci_group_bdfs(ctx, dev->iommu_group, &mates, &nmates);
	uvf_pci_dev_free(dev);
	for (size_t i = 0; i < nmates; i++) {
		const struct uvf_pci_persisted *p =
			find_persisted(v, n, mates[i]);

		if (p)
			take[p - v] = true;
	}
	free(mates);
	return err;
}

static int remove_marked(struct uvf_pci_ctx *ctx, const char *dir,
			 const struct uvf_pci_persisted *v, const bool *take,
			 size_t n, size_t count)
{
	struct rule_file *f = calloc(count, sizeof(*f));
	size_t k = 0, i;
	int err = 0;

	if (!f)
		return -ENOMEM;
	for (i = 0; i < n && !err; i++) {
		if (!take[i])
			continue;
		err = rule_path(dir, v[i].bdf, &f[k].path);
		if (!err)
			err = remember_old(ctx, &f[k]);
		k++;
	}
	for (i = 0; i < k && !err; i++) {
		if (unlink(f[i].path) < 0) {
			err = -errno;
			pci_set_error(ctx, "cannot remove %s: %s", f[i].path,
				      strerror(-err));
		} else {
			f[i].done = true;
		}
	}
	if (err)
		files_undo(f, k);
	sync_dir(dir);
	files_free(f, k);
	return err;
}

int uvf_pci_persist_remove(struct uvf_pci_ctx *ctx, const char *const *bdfs,
			   size_t n, const char *rules_dir, bool dry_run)
{
	const char *dir = rules_dir_or_default(rules_dir);
	char bdf[UVF_PCI_BDF_LEN];
	struct uvf_pci_persisted *v;
	size_t nv, count = 0;
	bool *take;
	int err;

	if (!n) {
		pci_set_error(ctx, "nothing to remove");
		return -EINVAL;
	}
	err = uvf_pci_persist_list(dir, &v, &nv);
	if (err) {
		pci_set_error(ctx, "cannot read the rules in %s: %s", dir,
			      strerror(-err));
		return err;
	}
	take = calloc(nv ? nv : 1, sizeof(*take));
	if (!take)
		err = -ENOMEM;
	for (size_t i = 0; i < n && !err; i++) {
		if (uvf_pci_bdf_parse(bdfs[i], bdf)) {
			pci_set_error(ctx, "'%s' is not a PCI address",
				      bdfs[i]);
			err = -EINVAL;
		} else if (!find_persisted(v, nv, bdf)) {
			pci_set_error(ctx, "%s has no persistent binding in %s",
				      bdf, dir);
			err = -ENOENT;
		} else {
			err = mark_unit(ctx, bdf, v, nv, take);
		}
	}
	for (size_t i = 0; i < nv && !err; i++)
		count += take[i];
	if (!err && !dry_run)
		err = remove_marked(ctx, dir, v, take, nv, count);
	if (err == -ENOMEM)
		pci_set_error(ctx, "out of memory");
	free(take);
	free(v);
	return err ? err : (int)count;
}
