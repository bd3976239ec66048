/* SPDX-License-Identifier: MIT */
/*
 * guest_nvme_matrix - runs in the tools/vm guest. The nvme-settings matrix:
 * several QEMU nvme controllers with different properties in one boot
 * (tools/vm/run --nvme-opts and --nvme-extra), each opened in turn through
 * uvf with interrupts on, two I/O queue pairs asked for and the CMB used
 * where offered. On each: what the controller reported against what its
 * properties promise (MDTS, interrupt vectors, queue pairs granted, SQs in
 * the CMB), then write-then-read-verify of 4 KiB, 128 KiB, 1 MiB and
 * 4 MiB from two threads, a queue pair each; where only one queue pair is
 * granted the second thread's is refused with -ENOSPC, said plainly, and
 * the first runs alone.
 *
 * usage: guest_nvme_matrix BDF,mdts=M,vectors=V,qpairs=Q,cmb=0|1 ...
 *                          [--type1|--iommufd|--noiommu]
 * Prints TAP; exits 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_nvme_data.h"
#include "nvme_app.h"

#define THREADS 2u
#define MAX_LEN (4u << 20)
#define REGION (16u << 20)	/* disk bytes per thread */
#define ARENA (THREADS * 2 * MAX_LEN)

static const uint32_t lens[] = { 4096, 128u << 10, 1u << 20, 4u << 20 };

struct expect {
	char bdf[16];
	unsigned int mdts, vectors, qpairs, cmb;
};

struct worker {
	pthread_t t;
	struct uvf_nvme_ctrl *ctrl;
	struct uvf_nvme_qpair *qp;
	uint8_t *wr, *rd;
	uint32_t bsize;
	unsigned int id;
	int ret;
	uint32_t failed_len;
};

/* Every size once, each in the thread's own region of the disk. */
static void *worker(void *arg)
{
	struct worker *w = arg;
	uint64_t lba = (uint64_t)w->id * (REGION / w->bsize);
	unsigned int i;
	uint32_t nlb;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]) && !w->ret; i++) {
		nlb = lens[i] / w->bsize;
		w->ret = guest_nvme_roundtrip(w->qp, w->wr, w->rd, lba, nlb,
					      w->bsize, w->id * 100 + i);
		if (w->ret)
			w->failed_len = lens[i];
		lba += nlb;
	}
	return NULL;
}

static bool parse(const char *arg, struct expect *e)
{
	int n = 0;

	return sscanf(arg, "%15[^,],mdts=%u,vectors=%u,qpairs=%u,cmb=%u%n",
		      e->bdf, &e->mdts, &e->vectors, &e->qpairs, &e->cmb,
		      &n) == 5 && !arg[n];
}

/* The queue pairs the threads get; a refused one is said plainly. */
static unsigned int make_qpairs(struct uvf_nvme_ctrl *ctrl,
				struct worker *w, const struct expect *e)
{
	unsigned int made = 0, i, granted = uvf_nvme_ctrl_io_queues(ctrl);
	int ret;

	for (i = 0; i < THREADS; i++) {
		ret = uvf_nvme_qpair_create(ctrl, 0, &w[i].qp);
		if (!ret) {
			made++;
			nvme_tap(uvf_nvme_qpair_sq_in_cmb(w[i].qp) == !!e->cmb,
				 "%s: queue pair %u's SQ in %s",
				 e->bdf, uvf_nvme_qpair_id(w[i].qp),
				 uvf_nvme_qpair_sq_in_cmb(w[i].qp)
					 ? "the CMB" : "host memory");
			continue;
		}
		w[i].qp = NULL;
		nvme_tap(ret == -ENOSPC && i >= granted,
			 "%s: thread %u gets no queue pair: the controller granted %u I/O queue pair%s of %u asked for (%d)",
			 e->bdf, i + 1, granted, granted == 1 ? "" : "s",
			 THREADS, ret);
	}
	return made;
}

static void run_ctrl(const struct expect *e, enum uvf_vfio_backend backend)
{
	const struct uvf_nvme_ctrl_info *info;
	struct worker w[THREADS] = { 0 };
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_ns_info ns;
	struct nvme_app app = { 0 };
	uint8_t *arena = NULL;
	unsigned int i, made;
	int ret;

	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = THREADS;
	o.interrupts = true;
	ret = nvme_app_open(&app, e->bdf, backend, &o);
	if (!nvme_tap(!ret, "%s: open with %s, interrupts: %d%s%s", e->bdf,
		      uvf_vfio_backend_name(backend), ret, ret ? " at " : "",
		      ret ? app.failed_step : ""))
		return;
	info = uvf_nvme_ctrl_get_info(app.ctrl);
	nvme_diag("%s: mdts %u (max transfer %u KiB), %s x%u, %u of %u I/O queue pairs, CMB %llu MiB (error %d)",
		  e->bdf, info->mdts, info->max_xfer >> 10, info->irq_type,
		  info->irq_vectors, info->io_queues, info->io_queues_requested,
		  (unsigned long long)(info->cmb_size >> 20), info->cmb_error);
	nvme_tap(info->mdts == e->mdts, "%s: MDTS %u", e->bdf, info->mdts);
	nvme_tap(!strcmp(info->irq_type, "msix") &&
			 info->irq_vectors == e->vectors,
		 "%s: %s with %u vectors", e->bdf, info->irq_type,
		 info->irq_vectors);
	nvme_tap(info->io_queues == e->qpairs,
		 "%s: %u I/O queue pairs granted", e->bdf, info->io_queues);
	nvme_tap((info->cmb_size != 0) == !!e->cmb && !info->cmb_error,
		 "%s: CMB for SQs %s", e->bdf, info->cmb_size ? "on" : "off");
	ret = uvf_nvme_ns_get_info(app.ctrl, 1, &ns);
	if (!ret)
		ret = nvme_app_buf_alloc(&app, ARENA, (void **)&arena);
	if (!nvme_tap(!ret, "%s: namespace 1 (%u-byte blocks), %u MiB of I/O memory: %d",
		      e->bdf, ns.block_size, ARENA >> 20, ret))
		goto out;
	made = make_qpairs(app.ctrl, w, e);
	for (i = 0; i < THREADS; i++) {
		w[i].ctrl = app.ctrl;
		w[i].id = i;
		w[i].bsize = ns.block_size;
		w[i].wr = arena + i * 2 * MAX_LEN;
		w[i].rd = w[i].wr + MAX_LEN;
		if (w[i].qp)
			pthread_create(&w[i].t, NULL, worker, &w[i]);
	}
	for (i = 0; i < THREADS; i++) {
		if (!w[i].qp)
			continue;
		pthread_join(w[i].t, NULL);
		nvme_tap(!w[i].ret,
			 "%s: thread %u on queue pair %u: write-read-verify 4 KiB, 128 KiB, 1 MiB, 4 MiB: %d%s",
			 e->bdf, i + 1, uvf_nvme_qpair_id(w[i].qp), w[i].ret,
			 w[i].ret ? " (at this size)" : "");
		if (w[i].ret)
			nvme_diag("failed at %u bytes", w[i].failed_len);
		uvf_nvme_qpair_destroy(w[i].qp);
	}
	nvme_tap(made == (e->qpairs < THREADS ? e->qpairs : THREADS),
		 "%s: %u thread%s ran", e->bdf, made, made == 1 ? "" : "s");
	nvme_app_buf_free(&app, arena, ARENA);
out:
	nvme_app_close(&app);
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend backend = nvme_guest_backend(argc, argv);
	struct expect e;
	int i, ret = nvme_guest_ready(backend);

	if (ret)
		return ret;
	for (i = 1; i < argc; i++) {
		if (!strncmp(argv[i], "--", 2))
			continue;
		if (!parse(argv[i], &e)) {
			nvme_tap(false, "bad controller description '%s'",
				 argv[i]);
			continue;
		}
		run_ctrl(&e, backend);
	}
	return nvme_tap_done();
}
