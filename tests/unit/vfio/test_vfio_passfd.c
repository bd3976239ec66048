/* SPDX-License-Identifier: MIT */
/*
 * Kernel nodes opened by a broker (uvf_vfio_broker_open) and passed to a
 * driver's context (uvf_vfio_opts.passed_fds), on the fake kernel for
 * type1 and iommufd; and the SCM_RIGHTS transport on a real socketpair.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/iommu.h>

#include "check_main.h"
#include "fake_vfio.h"

#define EDU "0000:00:07.0"
#define OTHER "0000:00:08.0"
#define PG 4096ul

static struct fake_vfio fk;

static enum uvf_vfio_backend backends[2];

static void setup(void)
{
	fk_init(&fk);
	fk_add_dev(&fk, EDU, 4);
	fk_add_dev(&fk, OTHER, 5);
	fk_publish(&fk);
	fk_add_dev_iommu(&fk);
}

static void teardown(void)
{
	fk_fini(&fk);
}

static void fds_close_fake(struct uvf_vfio_fd *fds, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fk.sys.close(fk.sys.arg, fds[i].fd);
		free((char *)fds[i].path);
	}
	free(fds);
}

START_TEST(test_context_opens_a_device_through_passed_nodes_only)
{
	enum uvf_vfio_backend b = backends[_i];
	struct uvf_vfio_opts o = fk_opts(&fk, b);
	struct uvf_vfio_fd *fds;
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	uvf_iova_t iova;
	size_t n;
	void *mem;

	ck_assert_int_eq(vfio_broker_open_sys(&o, &fk.sys, EDU, &fds, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_nonnull(strstr(fds[0].path, b == UVF_VFIO_IOMMUFD ?
				     "/iommu" : "/vfio/vfio"));
	ck_assert_ptr_nonnull(strstr(fds[1].path, b == UVF_VFIO_IOMMUFD ?
				     "/vfio/devices/vfio" : "/vfio/4"));
	/* Without the fds the driver cannot get in. */
	fk.deny_open = true;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EACCES);
	o.passed_fds = fds;
	o.nr_passed_fds = n;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	/* The context has copies: the broker's may go at once. */
	fds_close_fake(fds, n);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_vfio_backend(iommu), b);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
	mem = mmap(NULL, PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_int_eq(uvf_dma_map_page(dev, mem, PG, UVF_DMA_TO_DEVICE,
					  &iova), 0);
	ck_assert_int_eq(uvf_dma_unmap_page(dev, iova, PG, UVF_DMA_TO_DEVICE),
			 0);
	munmap(mem, PG);
	uvf_domain_detach(dom, dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}
END_TEST

START_TEST(test_passed_fds_nobody_takes_are_closed_with_the_context)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);
	struct uvf_vfio_fd *fds;
	struct uvf_iommu *iommu;
	size_t n;

	ck_assert_int_eq(vfio_broker_open_sys(&o, &fk.sys, OTHER, &fds, &n), 0);
	o.passed_fds = fds;
	o.nr_passed_fds = n;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	fds_close_fake(fds, n);
	/* The container was taken, the group of OTHER never was. */
	ck_assert_uint_eq(fk_open_fds(&fk), 2);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	ck_assert_uint_eq(fk_open_fds(&fk), 0);
}
END_TEST

START_TEST(test_bad_passed_fds_are_refused_and_nothing_stays_open)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);
	struct uvf_vfio_fd many[9], bad = { .path = "/dev/vfio/vfio" };
	struct uvf_iommu *iommu = NULL;
	int fd = fk_open_node(&fk, "vfio/vfio");

	o.passed_fds = &bad;
	o.nr_passed_fds = 1;
	bad.fd = -1;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EBADF);
	bad.fd = 4242;	/* not open */
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EBADF);
	bad.fd = fd;
	bad.path = NULL;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EINVAL);
	for (size_t i = 0; i < 9; i++)
		many[i] = (struct uvf_vfio_fd){ "/dev/vfio/vfio", fd };
	o.passed_fds = many;
	o.nr_passed_fds = 9;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EINVAL);
	o.passed_fds = NULL;
	o.nr_passed_fds = 1;
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), -EINVAL);
	ck_assert_ptr_null(iommu);
	ck_assert_uint_eq(fk_open_fds(&fk), 1);
	fk.sys.close(fk.sys.arg, fd);
}
END_TEST

START_TEST(test_broker_open_of_a_busy_group_leaves_nothing_open)
{
	struct uvf_vfio_opts o = fk_opts(&fk, UVF_VFIO_TYPE1);
	struct uvf_vfio_fd *fds;
	size_t n;
	int group = fk_open_node(&fk, "vfio/4");

	ck_assert_int_eq(vfio_broker_open_sys(&o, &fk.sys, EDU, &fds, &n),
			 -EBUSY);
	ck_assert_uint_eq(fk_open_fds(&fk), 1);
	ck_assert_int_eq(vfio_broker_open_sys(&o, &fk.sys, "0000:00:1f.0",
					      &fds, &n), -ENODEV);
	ck_assert_int_eq(vfio_broker_open_sys(&o, &fk.sys, NULL, &fds, &n),
			 -EINVAL);
	ck_assert_uint_eq(fk_open_fds(&fk), 1);
	fk.sys.close(fk.sys.arg, group);
}
END_TEST

static unsigned int open_fds_of_process(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

START_TEST(test_fds_cross_a_unix_socket_with_their_paths)
{
	struct uvf_vfio_fd out[2], *in;
	struct stat a, b;
	int sp[2], p[2];
	size_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
	ck_assert_int_eq(pipe(p), 0);
	out[0] = (struct uvf_vfio_fd){ "/dev/vfio/vfio", p[0] };
	out[1] = (struct uvf_vfio_fd){ "/dev/vfio/12", p[1] };
	ck_assert_int_eq(uvf_vfio_fds_send(sp[0], out, 2), 0);
	ck_assert_int_eq(uvf_vfio_fds_recv(sp[1], &in, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(in[0].path, "/dev/vfio/vfio");
	ck_assert_str_eq(in[1].path, "/dev/vfio/12");
	for (size_t i = 0; i < 2; i++) {
		ck_assert_int_eq(fstat(out[i].fd, &a), 0);
		ck_assert_int_eq(fstat(in[i].fd, &b), 0);
		ck_assert_uint_eq(a.st_ino, b.st_ino);
		ck_assert_int_ne(in[i].fd, out[i].fd);
		ck_assert_int_eq(fcntl(in[i].fd, F_GETFD), FD_CLOEXEC);
	}
	uvf_vfio_fds_close(in, n);
	ck_assert_int_eq(uvf_vfio_fds_send(sp[0], out, 0), -EINVAL);
	out[1].path = NULL;
	ck_assert_int_eq(uvf_vfio_fds_send(sp[0], out, 2), -EINVAL);
	close(p[0]);
	close(p[1]);
	close(sp[0]);
	close(sp[1]);
}
END_TEST

/* A message whose paths and fds do not pair up: every fd is closed. */
START_TEST(test_a_malformed_message_is_refused_and_its_fds_closed)
{
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr msg = { 0 };
	struct iovec iov = { .iov_base = "/dev/iommu", .iov_len = 11 };
	struct uvf_vfio_fd *in;
	struct cmsghdr *cm;
	int sp[2], fds[2];
	unsigned int before;
	size_t n;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp), 0);
	ck_assert_int_eq(pipe(fds), 0);
	memset(&u, 0, sizeof(u));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = u.buf;
	msg.msg_controllen = sizeof(u.buf);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	ck_assert_int_eq(sendmsg(sp[0], &msg, 0), 11);
	before = open_fds_of_process();
	ck_assert_int_eq(uvf_vfio_fds_recv(sp[1], &in, &n), -EPROTO);
	ck_assert_uint_eq(open_fds_of_process(), before);
	/* A message without fds at all. */
	ck_assert_int_eq(write(sp[0], "/dev/iommu", 11), 11);
	ck_assert_int_eq(uvf_vfio_fds_recv(sp[1], &in, &n), -EPROTO);
	ck_assert_uint_eq(open_fds_of_process(), before);
	close(fds[0]);
	close(fds[1]);
	close(sp[0]);
	close(sp[1]);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_passfd");
	TCase *tc = tcase_create("passfd");
	int nb = fk_backends(backends);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, test_context_opens_a_device_through_passed_nodes_only,
			    0, nb);
	tcase_add_test(tc, test_passed_fds_nobody_takes_are_closed_with_the_context);
	tcase_add_test(tc, test_bad_passed_fds_are_refused_and_nothing_stays_open);
	tcase_add_test(tc, test_broker_open_of_a_busy_group_leaves_nothing_open);
	tcase_add_test(tc, test_fds_cross_a_unix_socket_with_their_paths);
	tcase_add_test(tc, test_a_malformed_message_is_refused_and_its_fds_closed);
	suite_add_tcase(s, tc);
	return s;
}
