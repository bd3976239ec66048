/* SPDX-License-Identifier: MIT */
/* The real system calls behind struct vfio_sys. */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vfio_priv.h"

static int sys_open(void *arg, const char *path, int flags)
{
	int fd = open(path, flags | O_CLOEXEC);

	(void)arg;
	return fd < 0 ? -errno : fd;
}

static int sys_dup(void *arg, int fd)
{
	int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);

	(void)arg;
	return copy < 0 ? -errno : copy;
}

static void sys_close(void *arg, int fd)
{
	(void)arg;
	close(fd);
}

static int sys_ioctl(void *arg, int fd, unsigned long req, void *data)
{
	int ret = ioctl(fd, req, data);

	(void)arg;
	return ret < 0 ? -errno : ret;
}

static ssize_t sys_pread(void *arg, int fd, void *buf, size_t n, off_t off)
{
	ssize_t ret = pread(fd, buf, n, off);

	(void)arg;
	return ret < 0 ? -errno : ret;
}

static ssize_t sys_pwrite(void *arg, int fd, const void *buf, size_t n,
			  off_t off)
{
	ssize_t ret = pwrite(fd, buf, n, off);

	(void)arg;
	return ret < 0 ? -errno : ret;
}

static int sys_mmap_fixed(void *arg, void *addr, size_t len, int fd,
			  off_t off)
{
	void *p = mmap(addr, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_FIXED, fd, off);

	(void)arg;
	return p == MAP_FAILED ? -errno : 0;
}

const struct vfio_sys vfio_sys_default = {
	.open = sys_open,
	.dup = sys_dup,
	.close = sys_close,
	.ioctl = sys_ioctl,
	.pread = sys_pread,
	.pwrite = sys_pwrite,
	.mmap_fixed = sys_mmap_fixed,
};
