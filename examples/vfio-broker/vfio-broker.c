// SPDX-License-Identifier: MIT
/*
 * vfio-broker: a privileged broker opens a device's VFIO nodes and hands
 * them over a unix socket to a driver process that has no rights on them.
 *
 *   vfio-broker [--type1|--iommufd] [--user UID] BDF
 *
 * The broker (this process, root) opens the container or /dev/iommu and the
 * group node or cdev of BDF (an edu device on vfio-pci) with
 * uvf_vfio_broker_open(), forks a driver that drops to UID (default 65534)
 * before it receives anything, and sends the fds with uvf_vfio_fds_send().
 * The driver opens its context from them (uvf_vfio_opts.passed_fds), opens
 * the device, and moves a pattern through edu's DMA engine, to the device
 * and back through its IOMMU domain, and checks it. The exit status is the
 * driver's.
 */
#include <errno.h>
#include <stdbool.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uvf/uvf.h>

#include "edu.h"

#define LEN 2048u

static int fail(const char *what, int err)
{
	fprintf(stderr, "vfio-broker: %s: %s\n", what, strerror(-err));
	return 1;
}

/* Memory to the edu buffer and back into other memory, compared. */
static int edu_round_trip(struct uvf_device *dev)
{
	uint8_t *src = NULL, *dst = NULL;
	uvf_iova_t s = 0, d = 0;
	struct uvf_edu *edu;
	int ret;

	ret = uvf_edu_open(dev, &edu);
	if (ret)
		return fail("edu", ret);
	if (posix_memalign((void **)&src, 4096, 4096) ||
	    posix_memalign((void **)&dst, 4096, 4096)) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned int i = 0; i < LEN; i++)
		src[i] = (uint8_t)(i * 7 + 3);
	memset(dst, 0, LEN);
	ret = uvf_dma_map_page(dev, src, 4096, UVF_DMA_TO_DEVICE, &s);
	if (!ret)
		ret = uvf_dma_map_page(dev, dst, 4096, UVF_DMA_FROM_DEVICE, &d);
	if (!ret)
		ret = uvf_edu_dma_start(edu, UVF_EDU_TO_DEVICE, s, 0, LEN,
					false);
	if (!ret)
		ret = uvf_edu_dma_wait(edu, 5000);
	if (!ret)
		ret = uvf_edu_dma_start(edu, UVF_EDU_FROM_DEVICE, d, 0, LEN,
					false);
	if (!ret)
		ret = uvf_edu_dma_wait(edu, 5000);
	if (!ret && memcmp(src, dst, LEN))
		ret = -EIO;
	if (d)
		uvf_dma_unmap_page(dev, d, 4096, UVF_DMA_FROM_DEVICE);
	if (s)
		uvf_dma_unmap_page(dev, s, 4096, UVF_DMA_TO_DEVICE);
out:
	free(src);
	free(dst);
	uvf_edu_close(edu);
	return ret ? fail("DMA round trip", ret) : 0;
}

static int driver(int sock, const char *bdf, enum uvf_vfio_backend backend,
		  uid_t uid)
{
	struct uvf_vfio_opts o = { .backend = backend,
				   .iova_last = UVF_EDU_DMA_MASK };
	struct uvf_vfio_fd *fds;
	struct uvf_domain *dom;
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	size_t n;
	int ret;

	if (setgroups(0, NULL) || setgid(uid) || setuid(uid)) {
		perror("vfio-broker: dropping privileges");
		return 1;
	}
	ret = uvf_vfio_fds_recv(sock, &fds, &n);
	if (ret)
		return fail("receiving the nodes", ret);
	for (size_t i = 0; i < n; i++)
		printf("driver (uid %u): got %s%s\n", (unsigned)getuid(),
		       fds[i].path, access(fds[i].path, R_OK | W_OK) ?
		       ", which it may not open itself" : "");
	o.passed_fds = fds;
	o.nr_passed_fds = n;
	ret = uvf_vfio_open(&o, &iommu);
	uvf_vfio_fds_close(fds, n);	/* the context has its own copies */
	if (ret)
		return fail("opening the context from the passed nodes", ret);
	ret = uvf_vfio_device_open(iommu, bdf, &dev);
	if (ret) {
		uvf_iommu_destroy(iommu);
		return fail(bdf, ret);
	}
	ret = uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom);
	if (!ret) {
		ret = uvf_domain_attach(dom, dev);
		if (!ret) {
			ret = edu_round_trip(dev);
			uvf_domain_detach(dom, dev);
		} else {
			fail("attach", ret);
		}
		uvf_domain_destroy(dom);
	} else {
		fail("domain", ret);
	}
	uvf_device_close(dev);
	uvf_iommu_destroy(iommu);
	if (!ret)
		printf("driver (uid %u): %s on %s: %u bytes to edu and back "
		       "through the IOMMU, verified\n", (unsigned)getuid(), bdf,
		       uvf_vfio_backend_name(backend), LEN);
	return ret ? 1 : 0;
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend backend = UVF_VFIO_TYPE1;
	const char *bdf = NULL;
	struct uvf_vfio_opts o = { 0 };
	struct uvf_vfio_fd *fds;
	uid_t uid = 65534;
	bool bad = false;
	int sp[2], status, ret;
	size_t n;
	pid_t pid;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--user") && i + 1 < argc)
			uid = (uid_t)strtoul(argv[++i], NULL, 10);
		else if (!strncmp(argv[i], "--", 2) &&
			 !uvf_vfio_backend_parse(argv[i] + 2, &backend))
			;
		else if (argv[i][0] != '-' && !bdf)
			bdf = argv[i];
		else
			bad = true;
	}
	if (bad || !bdf || backend == UVF_VFIO_NOIOMMU) {
		fprintf(stderr, "usage: vfio-broker [--type1|--iommufd] "
			"[--user UID] BDF (noiommu needs root in the driver)\n");
		return 2;
	}
	o.backend = backend;
	ret = uvf_vfio_broker_open(&o, bdf, &fds, &n);
	if (ret)
		return fail("opening the device's nodes", ret);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp) < 0) {
		uvf_vfio_fds_close(fds, n);
		return fail("socketpair", -errno);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(sp[0]);
		uvf_vfio_fds_close(fds, n);	/* only what it is sent */
		_exit(driver(sp[1], bdf, backend, uid));
	}
	close(sp[1]);
	ret = pid < 0 ? -errno : uvf_vfio_fds_send(sp[0], fds, n);
	printf("broker (uid %u): sent %zu nodes of %s\n", (unsigned)getuid(),
	       n, bdf);
	uvf_vfio_fds_close(fds, n);
	close(sp[0]);
	if (ret)
		return fail("sending the nodes", ret);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return 1;
	return WEXITSTATUS(status);
}
