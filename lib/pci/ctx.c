// SPDX-License-Identifier: MIT
/* The PCI context: roots, error text, write hook, and sysfs access helpers. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "pci_priv.h"
#include "util/fault.h"

char *pci_strdup_or_null(const char *s, bool *ok)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		*ok = false;
	return d;
}

int uvf_pci_ctx_new(const struct uvf_pci_ctx_opts *opts,
		    struct uvf_pci_ctx **ctxp)
{
	static const struct uvf_pci_ctx_opts none;
	struct uvf_pci_ctx *ctx = calloc(1, sizeof(*ctx));
	bool ok = true;

	if (!opts)
		opts = &none;
	if (!ctx)
		return -ENOMEM;
	ctx->sysfs_root = pci_strdup_or_null(opts->sysfs_root ?
					     opts->sysfs_root : "/sys", &ok);
	ctx->dev_root = pci_strdup_or_null(opts->dev_root ?
					   opts->dev_root : "/dev", &ok);
	ctx->mounts = pci_strdup_or_null(opts->mounts ?
					 opts->mounts : "/proc/self/mountinfo",
					 &ok);
	ctx->swaps = pci_strdup_or_null(opts->swaps ?
					opts->swaps : "/proc/swaps", &ok);
	ctx->pci_ids = pci_strdup_or_null(opts->pci_ids, &ok);
	if (ok && asprintf(&ctx->lib_sysfs, "%s/bus/pci", ctx->sysfs_root) < 0) {
		ctx->lib_sysfs = NULL;
		ok = false;
	}
	if (!ok) {
		uvf_pci_ctx_free(ctx);
		return -ENOMEM;
	}
	*ctxp = ctx;
	return 0;
}

void uvf_pci_ctx_free(struct uvf_pci_ctx *ctx)
{
	if (!ctx)
		return;
	pcilib_free(ctx);
	free(ctx->sysfs_root);
	free(ctx->dev_root);
	free(ctx->mounts);
	free(ctx->swaps);
	free(ctx->pci_ids);
	free(ctx->lib_sysfs);
	free(ctx);
}

const char *uvf_pci_ctx_error(const struct uvf_pci_ctx *ctx)
{
	return ctx->err;
}

void pci_ctx_set_write_hook(struct uvf_pci_ctx *ctx, pci_write_hook_fn fn,
			    void *arg)
{
	ctx->hook = fn;
	ctx->hook_arg = arg;
}

void pci_set_error(struct uvf_pci_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx->err, sizeof(ctx->err), fmt, ap);
	va_end(ap);
}

bool pci_ctx_is_live(const struct uvf_pci_ctx *ctx)
{
	struct statfs sfs;
	struct stat a, b;

	/* Refuse when unsure: a root that cannot be examined counts as live. */
	if (statfs(ctx->sysfs_root, &sfs) < 0 || sfs.f_type == SYSFS_MAGIC)
		return true;
	if (stat(ctx->dev_root, &a) < 0)
		return errno != ENOENT;
	return stat("/dev", &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int pci_sysfs_path(const struct uvf_pci_ctx *ctx, char out[PATH_MAX],
		   const char *fmt, ...)
{
	va_list ap;
	int n, m;

	n = snprintf(out, PATH_MAX, "%s/", ctx->sysfs_root);
	if (n < 0 || n >= PATH_MAX)
		return -ENAMETOOLONG;
	va_start(ap, fmt);
	m = vsnprintf(out + n, (size_t)(PATH_MAX - n), fmt, ap);
	va_end(ap);
	if (m < 0 || m >= PATH_MAX - n)
		return -ENAMETOOLONG;
	return 0;
}

int pci_read_attr(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		return -errno;
	do {
		r = read(fd, buf, len - 1);
	} while (r < 0 && errno == EINTR);
	if (r < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	close(fd);
	while (r > 0 && (buf[r - 1] == '\n' || buf[r - 1] == ' ' ||
			 buf[r - 1] == '\t'))
		r--;
	buf[r] = '\0';
	return 0;
}

int pci_read_number(const char *path, long long *val)
{
	char buf[64], *end;
	int err = pci_read_attr(path, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*val = strtoll(buf, &end, 0);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

int pci_link_name(const char *path, char *buf, size_t len)
{
	char target[PATH_MAX];
	ssize_t r = readlink(path, target, sizeof(target) - 1);
	const char *base;

	if (r < 0)
		return -errno;
	target[r] = '\0';
	while (r > 1 && target[r - 1] == '/')
		target[--r] = '\0';
	base = strrchr(target, '/');
	base = base ? base + 1 : target;
	if (strlen(base) >= len)
		return -ENAMETOOLONG;
	strcpy(buf, base);
	return 0;
}

bool pci_path_within(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return strncmp(path, dir, n) == 0 &&
	       (path[n] == '/' || path[n] == '\0');
}

int pci_sysfs_write(struct uvf_pci_ctx *ctx, const char *rel,
		    const char *value)
{
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t w;
	int fd, err;

	err = pci_sysfs_path(ctx, path, "%s", rel);
	if (err) {
		pci_set_error(ctx, "path too long under %s", ctx->sysfs_root);
		return err;
	}
	/* The hook plays the kernel's store(); its refusal, like the
	 * kernel's, leaves the attribute as it was. */
	err = uvf_fault_sys(EIO);
	if (err)
		goto fail;
	if (ctx->hook) {
		/* The fake kernel's own allocations are not ours to fail. */
		uvf_fault_suspend();
		err = ctx->hook(ctx, rel, value, ctx->hook_arg);
		uvf_fault_resume();
		if (err)
			goto fail;
	}
	/* O_TRUNC as the shell's ">" does; sysfs ignores it, fake trees
	 * then hold the last value written, as driver_override reads back. */
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	do {
		w = write(fd, value, len);
	} while (w < 0 && errno == EINTR);
	err = w < 0 ? -errno : (size_t)w != len ? -EIO : 0;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err)
		return 0;
fail:
	pci_set_error(ctx, "cannot write \"%s\" to %s: %s",
		      strcmp(value, "\n") ? value : "\\n", path,
		      strerror(-err));
	return err;
}

int pci_read_driver(const struct uvf_pci_ctx *ctx, const char *bdf,
		    char *buf, size_t len)
{
	char path[PATH_MAX];
	int err = pci_sysfs_path(ctx, path, "bus/pci/devices/%s/driver", bdf);

	if (err)
		return err;
	err = pci_link_name(path, buf, len);
	if (err == -ENOENT) {
		buf[0] = '\0';
		return 0;
	}
	return err;
}
