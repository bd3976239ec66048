/* SPDX-License-Identifier: MIT */
/* The real system calls behind struct vfio_sys. */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/fault.h"
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

static ssize_t sys_read(void *arg, int fd, void *buf, size_t n)
{
	ssize_t ret = read(fd, buf, n);

	(void)arg;
	return ret < 0 ? -errno : ret;
}

static ssize_t sys_write(void *arg, int fd, const void *buf, size_t n)
{
	ssize_t ret = write(fd, buf, n);

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
	.read = sys_read,
	.write = sys_write,
	.mmap_fixed = sys_mmap_fixed,
};

#ifdef UVF_FAULT_INJECTION
/*
 * The same calls with each one an injection point, for any inner table (the
 * real one or a test's fake kernel): an injected failure skips the call, as
 * a kernel refusing it would; the inner table's own allocations (a fake
 * kernel's) are not the library's and are not counted.
 */
#define INNER(arg) ((const struct vfio_sys *)(arg))

/* The body of a wrapper: fail at the armed point, else forward. */
#define FORWARD(type, err, fn, ...)					\
	type ret = uvf_fault_sys(err);					\
									\
	if (ret)							\
		return ret;						\
	uvf_fault_suspend();						\
	ret = INNER(arg)->fn(INNER(arg)->arg, __VA_ARGS__);		\
	uvf_fault_resume();						\
	return ret

static int fault_open(void *arg, const char *path, int flags)
{
	FORWARD(int, ENOMEM, open, path, flags);
}

static int fault_dup(void *arg, int fd)
{
	FORWARD(int, EMFILE, dup, fd);
}

static void fault_close(void *arg, int fd)
{
	uvf_fault_suspend();
	INNER(arg)->close(INNER(arg)->arg, fd);
	uvf_fault_resume();
}

static int fault_ioctl(void *arg, int fd, unsigned long req, void *data)
{
	FORWARD(int, ENOMEM, ioctl, fd, req, data);
}

static ssize_t fault_pread(void *arg, int fd, void *buf, size_t n, off_t off)
{
	FORWARD(ssize_t, EIO, pread, fd, buf, n, off);
}

static ssize_t fault_pwrite(void *arg, int fd, const void *buf, size_t n,
			    off_t off)
{
	FORWARD(ssize_t, EIO, pwrite, fd, buf, n, off);
}

static ssize_t fault_read(void *arg, int fd, void *buf, size_t n)
{
	FORWARD(ssize_t, EIO, read, fd, buf, n);
}

static ssize_t fault_write(void *arg, int fd, const void *buf, size_t n)
{
	FORWARD(ssize_t, EIO, write, fd, buf, n);
}

static int fault_mmap_fixed(void *arg, void *addr, size_t len, int fd,
			    off_t off)
{
	FORWARD(int, ENOMEM, mmap_fixed, addr, len, fd, off);
}

const struct vfio_sys *vfio_sys_faulty(struct vfio_sys *out,
				       const struct vfio_sys *inner)
{
	*out = (struct vfio_sys){
		.open = fault_open,
		.dup = fault_dup,
		.close = fault_close,
		.ioctl = fault_ioctl,
		.pread = fault_pread,
		.pwrite = fault_pwrite,
		.read = fault_read,
		.write = fault_write,
		.mmap_fixed = fault_mmap_fixed,
		.arg = (void *)inner,
	};
	return out;
}
#endif
