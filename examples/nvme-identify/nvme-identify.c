/* SPDX-License-Identifier: MIT */
/*
 * nvme-identify: bring an NVMe controller up with uvf's userspace driver
 * and print what it says about itself and its namespaces.
 *
 * usage: nvme-identify --device BDF [--backend type1|iommufd|noiommu|auto]
 * The device must be bound to vfio-pci.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nvme_app.h"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: nvme-identify --device BDF [--backend type1|iommufd|noiommu|auto]\n");
}

static void print_size(uint64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB",
					     "PiB" };
	double v = (double)bytes;
	unsigned int u = 0;

	while (v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		u++;
	}
	printf("%.2f %s", v, units[u]);
}

static void print_ctrl(const struct uvf_nvme_ctrl_info *ci)
{
	printf("controller\n");
	printf("  model            %s\n", ci->model);
	printf("  serial           %s\n", ci->serial);
	printf("  firmware         %s\n", ci->firmware);
	printf("  pci vendor       %04x (subsystem %04x), controller id %u\n",
	       ci->vid, ci->ssvid, ci->cntlid);
	printf("  nvme version     %u.%u.%u\n", ci->version >> 16,
	       (ci->version >> 8) & 0xff, ci->version & 0xff);
	printf("  queue entries    up to %u (CAP.MQES)\n", ci->mqes);
	printf("  doorbell stride  %u bytes\n", ci->doorbell_stride);
	printf("  ready timeout    %u ms (CAP.TO)\n", ci->ready_timeout_ms);
	printf("  page size        %u..%u bytes\n", ci->mps_min, ci->mps_max);
	if (ci->mdts)
		printf("  MDTS             %u (%llu KiB)\n", ci->mdts,
		       ((unsigned long long)ci->mps_min << ci->mdts) >> 10);
	else
		printf("  MDTS             0 (no limit)\n");
	printf("  max transfer     %u KiB per command (driver)\n",
	       ci->max_xfer >> 10);
	printf("  namespaces       up to %u\n", ci->nn);
	printf("  write zeroes     %s\n", ci->oncs & (1u << 3) ? "yes" : "no");
	printf("  write cache      %s\n",
	       ci->volatile_write_cache ? "volatile" : "none");
	printf("  io queues        %u granted\n", ci->io_queues);
}

static void print_ns(const struct uvf_nvme_ns_info *ns)
{
	unsigned int i;

	printf("namespace %u\n", ns->nsid);
	printf("  size             %llu blocks (",
	       (unsigned long long)ns->nsze);
	print_size(ns->nsze * ns->block_size);
	printf(")\n  capacity         %llu blocks, %llu in use\n",
	       (unsigned long long)ns->ncap, (unsigned long long)ns->nuse);
	printf("  LBA format       %u: %u-byte blocks, %u metadata bytes\n",
	       ns->lbaf, ns->block_size, ns->ms);
	for (i = 0; i < ns->nlbaf; i++)
		printf("    format %2u      data %6u  metadata %3u  rp %u%s\n",
		       i, 1u << ns->lbafs[i].lbads, ns->lbafs[i].ms,
		       ns->lbafs[i].rp, i == ns->lbaf ? "  (in use)" : "");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "backend", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	enum uvf_vfio_backend backend = UVF_VFIO_AUTO;
	struct uvf_nvme_ctrl_opts opts;
	struct uvf_nvme_ns_info ns;
	const char *bdf = NULL;
	struct nvme_app app;
	uint32_t *ids;
	int c, n, i, ret;

	while ((c = getopt_long(argc, argv, "d:b:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			bdf = optarg;
			break;
		case 'b':
			if (uvf_vfio_backend_parse(optarg, &backend)) {
				fprintf(stderr, "nvme-identify: unknown backend %s\n",
					optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!bdf || optind != argc) {
		usage(stderr);
		return 2;
	}
	uvf_nvme_ctrl_opts_default(&opts);
	opts.io_queues = 1;
	ret = nvme_app_open(&app, bdf, backend, &opts);
	if (ret) {
		fprintf(stderr, "nvme-identify: %s: %s failed: %s\n", bdf,
			app.failed_step, strerror(-ret));
		return 1;
	}
	printf("device %s, backend %s\n", bdf,
	       uvf_vfio_backend_name(uvf_vfio_backend(app.iommu)));
	print_ctrl(uvf_nvme_ctrl_get_info(app.ctrl));
	n = uvf_nvme_ns_list(app.ctrl, NULL, 0);
	ids = calloc(n ? (size_t)n : 1, sizeof(*ids));
	if (!ids) {
		nvme_app_close(&app);
		return 1;
	}
	uvf_nvme_ns_list(app.ctrl, ids, (size_t)n);
	printf("active namespaces: %d\n", n);
	for (i = 0; i < n; i++)
		if (!uvf_nvme_ns_get_info(app.ctrl, ids[i], &ns))
			print_ns(&ns);
	free(ids);
	nvme_app_close(&app);
	return 0;
}
