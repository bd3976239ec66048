// SPDX-License-Identifier: MIT
/*
 * Is the host using a device? Taking a device from its driver under a
 * mounted root filesystem or the only network link kills the machine, so
 * bind refuses such devices unless forced.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pci_priv.h"

#define IFF_UP_FLAG 0x1	/* IFF_UP, without dragging in <net/if.h> */
#define HOLDER_DEPTH 8	/* dm on md on partitions is three; cycles stop */

/* A block device below the PCI device, or stacked on one. */
struct blk_node {
	char name[64];		/* "vda1", "dm-0" */
	char devnum[32];	/* "254:1" */
	char dm_name[128];	/* device-mapper name, "" otherwise */
};

struct blk_set {
	struct blk_node *v;
	size_t n, cap;
};

static bool blk_has(const struct blk_set *set, const char *name)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->v[i].name, name))
			return true;
	return false;
}

static int blk_collect(const struct uvf_pci_ctx *ctx, struct blk_set *set,
		       const char *dir, const char *name, bool disk, int depth);

/* Adds what sits on the node in @dir: holders, and a disk's partitions. */
static int blk_collect_children(const struct uvf_pci_ctx *ctx,
				struct blk_set *set, const char *dir,
				bool disk, int depth)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = 0;

	snprintf(path, sizeof(path), "%s/holders", dir);
	d = opendir(path);
	while (d && !err && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		err = pci_sysfs_path(ctx, sub, "block/%s", de->d_name);
		if (!err)
			err = blk_collect(ctx, set, sub, de->d_name, false,
					  depth + 1);
	}
	if (d)
		closedir(d);
	if (err || !disk)
		return err;

	d = opendir(dir);
	while (d && !err && (de = readdir(d))) {
		if (de->d_name[0] == '.' ||
		    snprintf(sub, sizeof(sub), "%s/%s/partition", dir,
			     de->d_name) >= PATH_MAX ||
		    access(sub, F_OK))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name);
		err = blk_collect(ctx, set, sub, de->d_name, false, depth);
	}
	if (d)
		closedir(d);
	return err;
}

static int blk_collect(const struct uvf_pci_ctx *ctx, struct blk_set *set,
		       const char *dir, const char *name, bool disk, int depth)
{
	char path[PATH_MAX];
	struct blk_node *b;

	if (depth > HOLDER_DEPTH || blk_has(set, name) ||
	    strlen(name) >= sizeof(b->name))
		return 0;
	if (set->n == set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 8;
		void *p = realloc(set->v, ncap * sizeof(*set->v));

		if (!p)
			return -ENOMEM;
		set->v = p;
		set->cap = ncap;
	}
	b = &set->v[set->n++];
	memset(b, 0, sizeof(*b));
	strcpy(b->name, name);
	snprintf(path, sizeof(path), "%s/dev", dir);
	if (pci_read_attr(path, b->devnum, sizeof(b->devnum)))
		b->devnum[0] = '\0';
	snprintf(path, sizeof(path), "%s/dm/name", dir);
	if (pci_read_attr(path, b->dm_name, sizeof(b->dm_name)))
		b->dm_name[0] = '\0';
	return blk_collect_children(ctx, set, dir, disk, depth);
}

/* Block devices whose "device" link resolves to @dev or below it. */
static int blk_below(const struct uvf_pci_ctx *ctx,
		     const struct uvf_pci_dev *dev, struct blk_set *set)
{
	char path[PATH_MAX], dir[PATH_MAX];
	struct dirent *de;
	DIR *d;
	int err = pci_sysfs_path(ctx, dir, "block");

	if (err)
		return err;
	d = opendir(dir);
	if (!d)
		return 0;
	while (!err && (de = readdir(d))) {
		char *real;

		if (de->d_name[0] == '.' ||
		    pci_sysfs_path(ctx, path, "block/%s/device", de->d_name))
			continue;
		real = realpath(path, NULL);
		if (real && pci_path_within(real, dev->path)) {
			pci_sysfs_path(ctx, path, "block/%s", de->d_name);
			err = blk_collect(ctx, set, path, de->d_name, true, 0);
		}
		free(real);
	}
	closedir(d);
	return err;
}

static bool blk_match(const struct blk_set *set, const char *source,
		      const char *devnum)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct blk_node *b = &set->v[i];

		if (devnum && b->devnum[0] && !strcmp(devnum, b->devnum))
			return true;
		if (!strncmp(source, "/dev/", 5) &&
		    (!strcmp(source + 5, b->name) ||
		     (b->dm_name[0] && !strncmp(source + 5, "mapper/", 7) &&
		      !strcmp(source + 12, b->dm_name))))
			return true;
	}
	return false;
}

/* Undoes the octal escapes (\040 for a blank) of the mount tables. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') << 6 | (s[2] - '0') << 3 |
				      (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

/*
 * Splits one mount table line into source, mount point and, for
 * mountinfo, the major:minor of the mounted device.
 */
static bool parse_mount_line(char *line, char **source, char **mnt,
			     char **devnum)
{
	char *tok[8], *sep, *save = NULL;
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	sep = strstr(line, " - ");
	if (sep) {
		/* mountinfo: id parent maj:min root mnt ... - type source */
		*sep = '\0';
		for (char *t = strtok_r(line, " ", &save); t && n < 5;
		     t = strtok_r(NULL, " ", &save))
			tok[n++] = t;
		if (n < 5 || !strchr(tok[2], ':'))
			return false;
		*devnum = tok[2];
		*mnt = tok[4];
		save = NULL;
		strtok_r(sep + 3, " ", &save);
		*source = strtok_r(NULL, " ", &save);
		if (!*source)
			return false;
	} else {
		for (char *t = strtok_r(line, " \t", &save); t && n < 2;
		     t = strtok_r(NULL, " \t", &save))
			tok[n++] = t;
		if (n < 2)
			return false;
		*source = tok[0];
		*mnt = tok[1];
		*devnum = NULL;
	}
	unescape(*source);
	unescape(*mnt);
	return true;
}

static int check_mounts(struct uvf_pci_ctx *ctx, const struct blk_set *set,
			char *why, size_t len)
{
	FILE *f = fopen(ctx->mounts, "re");
	char *line = NULL;
	size_t cap = 0;
	int use = UVF_PCI_USE_NONE;

	if (!f) {
		int err = -errno;

		pci_set_error(ctx, "cannot read mount table %s: %s",
			      ctx->mounts, strerror(-err));
		return err;
	}
	while (!use && getline(&line, &cap, f) > 0) {
		char *source, *mnt, *devnum;

		if (parse_mount_line(line, &source, &mnt, &devnum) &&
		    blk_match(set, source, devnum)) {
			snprintf(why, len, "backs mounted filesystem %s (on %s)",
				 source, mnt);
			use = UVF_PCI_USE_MOUNT;
		}
	}
	free(line);
	fclose(f);
	return use;
}

static int check_swaps(struct uvf_pci_ctx *ctx, const struct blk_set *set,
		       char *why, size_t len)
{
	FILE *f = fopen(ctx->swaps, "re");
	char *line = NULL;
	size_t cap = 0;
	int use = UVF_PCI_USE_NONE;

	if (!f) {
		int err = -errno;

		/* A kernel without swap support has no swap table. */
		if (err == -ENOENT)
			return UVF_PCI_USE_NONE;
		pci_set_error(ctx, "cannot read swap table %s: %s",
			      ctx->swaps, strerror(-err));
		return err;
	}
	while (!use && getline(&line, &cap, f) > 0) {
		char *save = NULL, *src = strtok_r(line, " \t\n", &save);

		if (!src || !strcmp(src, "Filename"))
			continue;
		unescape(src);
		if (blk_match(set, src, NULL)) {
			snprintf(why, len, "backs active swap %s", src);
			use = UVF_PCI_USE_SWAP;
		}
	}
	free(line);
	fclose(f);
	return use;
}

static int check_net(const struct uvf_pci_ctx *ctx,
		     const struct uvf_pci_dev *dev, char *why, size_t len)
{
	char path[PATH_MAX], val[64];
	struct dirent *de;
	int use = UVF_PCI_USE_NONE;
	DIR *d;

	if (pci_sysfs_path(ctx, path, "class/net"))
		return -ENAMETOOLONG;
	d = opendir(path);
	if (!d)
		return UVF_PCI_USE_NONE;
	while (!use && (de = readdir(d))) {
		long long flags;
		char *real;
		bool up;

		if (de->d_name[0] == '.' ||
		    pci_sysfs_path(ctx, path, "class/net/%s/device",
				   de->d_name))
			continue;
		real = realpath(path, NULL);
		if (!real || !pci_path_within(real, dev->path)) {
			free(real);
			continue;
		}
		free(real);
		/* Administratively up counts even without a carrier. */
		pci_sysfs_path(ctx, path, "class/net/%s/flags", de->d_name);
		up = !pci_read_number(path, &flags) && (flags & IFF_UP_FLAG);
		pci_sysfs_path(ctx, path, "class/net/%s/operstate",
			       de->d_name);
		if (!pci_read_attr(path, val, sizeof(val)) &&
		    !strcmp(val, "up"))
			up = true;
		if (up) {
			snprintf(why, len,
				 "owns network interface %s, which is up",
				 de->d_name);
			use = UVF_PCI_USE_NET;
		}
	}
	closedir(d);
	return use;
}

int uvf_pci_dev_in_use(struct uvf_pci_ctx *ctx, const struct uvf_pci_dev *dev,
		       char *why, size_t len)
{
	struct blk_set set = { 0 };
	char dummy[8];
	int use;

	if (!why || !len) {
		why = dummy;
		len = sizeof(dummy);
	}
	why[0] = '\0';
	use = blk_below(ctx, dev, &set);
	if (!use && set.n)
		use = check_mounts(ctx, &set, why, len);
	if (!use && set.n)
		use = check_swaps(ctx, &set, why, len);
	free(set.v);
	if (use == -ENOMEM)
		pci_set_error(ctx, "out of memory");
	if (!use)
		use = check_net(ctx, dev, why, len);
	return use;
}
