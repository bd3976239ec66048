// SPDX-License-Identifier: MIT
/*
 * Kernel nodes opened by another process: a privileged broker opens the
 * container or /dev/iommu and the device's group or cdev, and hands the fds
 * over a unix socket (SCM_RIGHTS) to a driver that may not open them
 * itself. The driver's context takes each fd in place of opening its path,
 * the way QEMU's fd sets stand in for paths.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vfio_priv.h"

/* Enough for a context node and a device node, with room to spare. */
#define PASS_MAX_FDS 8
#define PASS_MAX_TEXT 4096

int vfio_passed_copy(struct vfio_ctx *ctx, const struct uvf_vfio_opts *opts)
{
	size_t n = opts->nr_passed_fds;

	if (!n)
		return 0;
	if (!opts->passed_fds || n > PASS_MAX_FDS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!opts->passed_fds[i].path || !opts->passed_fds[i].path[0])
			return -EINVAL;
		else if (opts->passed_fds[i].fd < 0)
			return -EBADF;
	ctx->passed = calloc(n, sizeof(*ctx->passed));
	if (!ctx->passed)
		return -ENOMEM;
	/* Copies of our own: the caller's fds stay the caller's. */
	for (size_t i = 0; i < n; i++) {
		int fd = ctx->sys->dup(ctx->sys->arg, opts->passed_fds[i].fd);

		ctx->nr_passed = i;
		if (fd < 0) {
			vfio_passed_free(ctx);
			return fd;
		}
		ctx->passed[i].fd = fd;
		ctx->passed[i].path = strdup(opts->passed_fds[i].path);
		ctx->nr_passed = i + 1;
		if (!ctx->passed[i].path) {
			vfio_passed_free(ctx);
			return -ENOMEM;
		}
	}
	return 0;
}

void vfio_passed_free(struct vfio_ctx *ctx)
{
	for (size_t i = 0; i < ctx->nr_passed; i++) {
		if (ctx->passed[i].fd >= 0)
			ctx->sys->close(ctx->sys->arg, ctx->passed[i].fd);
		free(ctx->passed[i].path);
	}
	free(ctx->passed);
	ctx->passed = NULL;
	ctx->nr_passed = 0;
}

int vfio_open_node(struct vfio_ctx *ctx, const char *path, int flags)
{
	for (size_t i = 0; i < ctx->nr_passed; i++) {
		int fd = ctx->passed[i].fd;

		if (fd < 0 || strcmp(ctx->passed[i].path, path))
			continue;
		/* Taken once: its new owner closes it. */
		ctx->passed[i].fd = -1;
		return fd;
	}
	return ctx->sys->open(ctx->sys->arg, path, flags);
}

/* Opens @path into the next slot of @fds. */
static int broker_add(const struct vfio_sys *sys, const char *path,
		      struct uvf_vfio_fd *fds, size_t *n)
{
	char *copy;
	int fd;

	if (!path)
		return -ENOTSUP;
	copy = strdup(path);
	if (!copy)
		return -ENOMEM;
	fd = sys->open(sys->arg, path, O_RDWR);
	if (fd < 0) {
		free(copy);
		return fd;
	}
	fds[*n].path = copy;
	fds[*n].fd = fd;
	(*n)++;
	return 0;
}

static void fds_close(const struct vfio_sys *sys, struct uvf_vfio_fd *fds,
		      size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (fds[i].fd >= 0)
			sys->close(sys->arg, fds[i].fd);
		free((char *)fds[i].path);
	}
	free(fds);
}

int vfio_broker_open_sys(const struct uvf_vfio_opts *opts,
			 const struct vfio_sys *sys, const char *bdf,
			 struct uvf_vfio_fd **fdsp, size_t *np)
{
	static const struct uvf_vfio_opts defaults;
	const struct uvf_pci_ctx_opts popts = {
		.sysfs_root = opts ? opts->sysfs_root : NULL,
		.dev_root = opts ? opts->dev_root : NULL,
		.pci_ids = "",
	};
	const char *dev_root;
	enum uvf_vfio_backend kind;
	struct uvf_pci_ctx *pci;
	struct uvf_pci_dev *pd = NULL;
	struct uvf_vfio_fd *fds;
	struct vfio_facts f;
	char path[4096];
	size_t n = 0;
	int ret;

	if (!bdf || !fdsp || !np)
		return -EINVAL;
	if (!opts)
		opts = &defaults;
	if ((unsigned int)opts->backend > UVF_VFIO_NOIOMMU ||
	    opts->shared_container || opts->nr_passed_fds)
		return -EINVAL;
	dev_root = opts->dev_root ? opts->dev_root : "/dev";
	fds = calloc(2, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	ret = uvf_pci_ctx_new(&popts, &pci);
	if (!ret)
		ret = uvf_pci_dev_open(pci, bdf, &pd);
	if (ret)
		goto out;
	vfio_gather_facts(dev_root, pd, &f);
	ret = vfio_choose_backend(opts->backend, &f, &kind);
	if (ret)
		goto out;
	if (kind == UVF_VFIO_IOMMUFD) {
		snprintf(path, sizeof(path), "%s/iommu", dev_root);
		ret = broker_add(sys, path, fds, &n);
		if (!ret)
			ret = broker_add(sys, uvf_pci_dev_vfio_cdev(pd), fds,
					 &n);
	} else {
		snprintf(path, sizeof(path), "%s/vfio/vfio", dev_root);
		ret = broker_add(sys, path, fds, &n);
		if (!ret)
			ret = broker_add(sys, uvf_pci_dev_vfio_group_node(pd),
					 fds, &n);
	}
out:
	uvf_pci_dev_free(pd);
	uvf_pci_ctx_free(pci);
	if (ret) {
		fds_close(sys, fds, n);
		return ret;
	}
	*fdsp = fds;
	*np = n;
	return 0;
}

int uvf_vfio_broker_open(const struct uvf_vfio_opts *opts, const char *bdf,
			 struct uvf_vfio_fd **fds, size_t *n)
{
	return vfio_broker_open_sys(opts, &vfio_sys_default, bdf, fds, n);
}

void uvf_vfio_fds_close(struct uvf_vfio_fd *fds, size_t n)
{
	if (fds)
		fds_close(&vfio_sys_default, fds, n);
}

/* The message: the paths, each ending in NUL, in the order of the fds. */
int uvf_vfio_fds_send(int sock, const struct uvf_vfio_fd *fds, size_t n)
{
	union {
		char buf[CMSG_SPACE(PASS_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	char text[PASS_MAX_TEXT];
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	struct iovec iov;
	size_t len = 0;
	ssize_t sent;

	if (sock < 0 || !fds || !n || n > PASS_MAX_FDS)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		size_t l = fds[i].path ? strlen(fds[i].path) + 1 : 0;

		if (!l || fds[i].fd < 0 || len + l > sizeof(text))
			return -EINVAL;
		memcpy(text + len, fds[i].path, l);
		len += l;
	}
	memset(&u, 0, sizeof(u));
	iov.iov_base = text;
	iov.iov_len = len;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = CMSG_SPACE(n * sizeof(int));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	for (size_t i = 0; i < n; i++)
		memcpy(CMSG_DATA(cm) + i * sizeof(int), &fds[i].fd,
		       sizeof(int));
	sent = sendmsg(sock, &msg, MSG_NOSIGNAL);
	if (sent < 0)
		return -errno;
	return (size_t)sent == len ? 0 : -EPROTO;
}

/* Pairs the received fds with the paths; -EPROTO if they do not match.
 * On failure the fds are still the caller's to close. */
static int fds_pair(const char *text, size_t len, const int *rfd, size_t n,
		    struct uvf_vfio_fd **fdsp)
{
	struct uvf_vfio_fd *fds;
	size_t off = 0, i;
	int ret = 0;

	if (!len || text[len - 1])
		return -EPROTO;
	fds = calloc(n, sizeof(*fds));
	if (!fds)
		return -ENOMEM;
	for (i = 0; i < n && off < len && !ret; i++) {
		fds[i].path = strdup(text + off);
		fds[i].fd = rfd[i];
		off += strlen(text + off) + 1;
		if (!fds[i].path)
			ret = -ENOMEM;
	}
	if (!ret && (i < n || off != len))
		ret = -EPROTO;
	if (ret) {
		for (size_t k = 0; k < i; k++)
			free((char *)fds[k].path);
		free(fds);
		return ret;
	}
	*fdsp = fds;
	return 0;
}

int uvf_vfio_fds_recv(int sock, struct uvf_vfio_fd **fds, size_t *n)
{
	union {
		char buf[CMSG_SPACE(PASS_MAX_FDS * sizeof(int))];
		struct cmsghdr align;
	} u;
	char text[PASS_MAX_TEXT];
	int rfd[PASS_MAX_FDS];
	struct msghdr msg = { 0 };
	struct cmsghdr *cm;
	struct iovec iov = { .iov_base = text, .iov_len = sizeof(text) };
	size_t nfd = 0;
	ssize_t got;
	int ret;

	if (sock < 0 || !fds || !n)
		return -EINVAL;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	got = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	if (got < 0)
		return -errno;
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		size_t k;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (nfd + k > PASS_MAX_FDS)
			k = PASS_MAX_FDS - nfd;
		memcpy(rfd + nfd, CMSG_DATA(cm), k * sizeof(int));
		nfd += k;
	}
	ret = -EPROTO;
	if (!(msg.msg_flags & (MSG_CTRUNC | MSG_TRUNC)) && nfd)
		ret = fds_pair(text, (size_t)got, rfd, nfd, fds);
	if (ret) {
		for (size_t i = 0; i < nfd; i++)
			close(rfd[i]);
		return ret;
	}
	*n = nfd;
	return 0;
}
