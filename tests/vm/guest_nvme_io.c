/* SPDX-License-Identifier: MIT */
/*
 * guest_nvme_io - runs in the tools/vm guest (static). uvf's NVMe driver on
 * QEMU's controller (00:04.0) over the row's VFIO backend: write, then read
 * back and compare, for transfer sizes from one block to MDTS at several
 * buffer offsets (so PRP1 only, PRP2, and PRP lists), with registered and
 * per-command mapped buffers; Write Zeroes and Flush; an out-of-range read
 * decoded to -ERANGE; 64 commands in flight; MSI-X completion; and two
 * threads with a queue pair each.
 *
 * usage: guest_nvme_io [--type1|--iommufd|--noiommu]
 * Prints TAP; exits 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guest_nvme_data.h"
#include "nvme_app.h"

#define ARENA (8u << 20)	/* registered: write half, read half */

static struct nvme_app app;
static uint8_t *arena;
static uint32_t bsize;		/* namespace block size */
static uint64_t nblocks;

/* guest_nvme_roundtrip() in the namespace's blocks. */
static int roundtrip(struct uvf_nvme_qpair *qp, uint8_t *wr, uint8_t *rd,
		     uint64_t lba, uint32_t nlb, uint32_t seed)
{
	return guest_nvme_roundtrip(qp, wr, rd, lba, nlb, bsize, seed);
}

static void check_sizes(struct uvf_nvme_qpair *qp)
{
	static const size_t offs[] = { 0, 4, 512, 4092 };
	uint32_t max = uvf_nvme_ctrl_get_info(app.ctrl)->max_xfer / bsize;
	uint32_t nlbs[] = { 1, 8, 9, 255, max - 1, max };
	uint64_t lba = 0;
	size_t i, j;
	int ret;

	for (j = 0; j < sizeof(nlbs) / sizeof(nlbs[0]); j++) {
		for (i = 0, ret = 0; i < sizeof(offs) / sizeof(offs[0]) && !ret;
		     i++) {
			lba = (lba + 4099) % (nblocks - max);
			ret = roundtrip(qp, arena + offs[i],
					arena + ARENA / 2 + offs[3 - i], lba,
					nlbs[j], (uint32_t)(i * 31 + j));
		}
		nvme_tap(!ret, "write/read/compare %u blocks at 4 offsets: %d",
			 nlbs[j], ret);
	}
}

/* Not registered: mapped with uvf_dma_map_page for each command. Without
 * an IOMMU that needs physically contiguous memory, so one page. */
static void check_unregistered(struct uvf_nvme_qpair *qp, bool noiommu)
{
	size_t len = noiommu ? 2048 : 128u << 10;
	uint8_t *raw = aligned_alloc(4096, 2 * len + 8192);
	int ret;

	if (len < bsize) {
		nvme_diag("blocks larger than a page fragment: skipped");
		free(raw);
		return;
	}
	if (!raw) {
		nvme_tap(false, "allocate unregistered buffers");
		return;
	}
	/* Both at offset 256, the read buffer from the next free page. */
	ret = roundtrip(qp, raw + 256, raw + ((256 + len + 4095) & ~4095ul) + 256,
			1000, (uint32_t)(len / bsize), 77);
	nvme_tap(!ret, "unregistered %zu-byte buffers, mapped per command: %d",
		 len, ret);
	free(raw);
}

static void check_zeroes_flush_range(struct uvf_nvme_qpair *qp)
{
	const struct uvf_nvme_ctrl_info *ci = uvf_nvme_ctrl_get_info(app.ctrl);
	struct uvf_nvme_sync s = { 0 };
	struct uvf_nvme_cpl cpl;
	uint8_t *wr = arena, *rd = arena + ARENA / 2;
	size_t i, bad = 0;
	int ret;

	if (ci->oncs & (1u << 3)) {
		ret = roundtrip(qp, wr, rd, 2000, 16, 5);
		if (!ret)
			ret = uvf_nvme_write_zeroes(qp, 1, 2004, 4,
						    uvf_nvme_sync_cb, &s);
		if (!ret)
			ret = uvf_nvme_sync_wait(qp, &s);
		if (!ret)
			ret = guest_nvme_rw(qp, false, rd, 2000, 16, NULL);
		for (i = 0; !ret && i < 16 * (size_t)bsize; i++) {
			bool zero = i >= 4 * (size_t)bsize &&
				    i < 8 * (size_t)bsize;

			bad += zero ? rd[i] != 0 : rd[i] != wr[i];
		}
		nvme_tap(!ret && !bad,
			 "write zeroes clears 4 of 16 blocks: %d, %zu bad bytes",
			 ret, bad);
	} else {
		nvme_diag("controller has no Write Zeroes");
	}
	s = (struct uvf_nvme_sync){ 0 };
	ret = uvf_nvme_flush(qp, 1, uvf_nvme_sync_cb, &s);
	if (!ret)
		ret = uvf_nvme_sync_wait(qp, &s);
	nvme_tap(!ret, "flush: %d", ret);
	ret = guest_nvme_rw(qp, false, rd, nblocks, 1, &cpl);
	nvme_tap(ret == -ERANGE && UVF_NVME_SC(cpl.status) == 0x80,
		 "read past the end: %d, status %#x (%s)", ret, cpl.status,
		 uvf_nvme_status_str(cpl.status));
	nvme_tap(uvf_nvme_ctrl_error(app.ctrl) == 0,
		 "a failed command leaves the controller working");
}

struct deep {
	unsigned int done, bad;
};

static void deep_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct deep *d = arg;

	(void)cpl;
	d->done++;
	d->bad += err != 0;
}

/* 64 writes in flight, then 64 reads in flight, then compare. */
static void check_deep_queue(struct uvf_nvme_ctrl *ctrl)
{
	struct uvf_nvme_qpair *qp;
	struct deep d = { 0 };
	size_t chunk = 8 * (size_t)bsize;
	unsigned int i;
	int ret;

	ret = uvf_nvme_qpair_create(ctrl, 128, &qp);
	if (!nvme_tap(!ret, "queue pair of 128 entries: %d", ret))
		return;
	guest_fill(arena, 64 * chunk, 64);
	for (i = 0; i < 64 && !ret; i++)
		ret = uvf_nvme_write(qp, 1, arena + i * chunk, 3000 + i * 8u, 8,
				     deep_cb, &d);
	nvme_tap(!ret && uvf_nvme_qpair_outstanding(qp) <= 64,
		 "64 writes submitted: %d (%u outstanding)", ret,
		 uvf_nvme_qpair_outstanding(qp));
	while (uvf_nvme_qpair_outstanding(qp) && ret >= 0)
		ret = uvf_nvme_qpair_wait(qp, 5000);
	memset(arena + ARENA / 2, 0, 64 * chunk);
	for (i = 0, ret = 0; i < 64 && !ret; i++)
		ret = uvf_nvme_read(qp, 1, arena + ARENA / 2 + i * chunk,
				    3000 + i * 8u, 8, deep_cb, &d);
	while (uvf_nvme_qpair_outstanding(qp) && ret >= 0)
		ret = uvf_nvme_qpair_wait(qp, 5000);
	nvme_tap(d.done == 128 && !d.bad &&
			 !memcmp(arena, arena + ARENA / 2, 64 * chunk),
		 "64 reads in flight return what 64 writes wrote (%u done, %u errors)",
		 d.done, d.bad);
	uvf_nvme_qpair_destroy(qp);
}

struct worker {
	pthread_t t;
	unsigned int id;
	int ret;
};

/* Each thread: its own queue pair, its own blocks and buffers. */
static void *worker(void *arg)
{
	struct worker *w = arg;
	struct uvf_nvme_qpair *qp;
	uint8_t *wr = arena + w->id * (1u << 20);
	unsigned int i;

	w->ret = uvf_nvme_qpair_create(app.ctrl, 0, &qp);
	if (w->ret)
		return NULL;
	for (i = 0; i < 50 && !w->ret; i++)
		w->ret = roundtrip(qp, wr, wr + ARENA / 2,
				   20000 + w->id * 4096 + i * 64u,
				   1 + i % 64, w->id * 1000 + i);
	uvf_nvme_qpair_destroy(qp);
	return NULL;
}

static void check_threads(void)
{
	struct worker w[2] = { { .id = 0 }, { .id = 1 } };
	unsigned int i;

	for (i = 0; i < 2; i++)
		pthread_create(&w[i].t, NULL, worker, &w[i]);
	for (i = 0; i < 2; i++)
		pthread_join(w[i].t, NULL);
	nvme_tap(!w[0].ret && !w[1].ret,
		 "two threads, a queue pair each, 50 round trips each: %d %d",
		 w[0].ret, w[1].ret);
}

static int open_ctrl(enum uvf_vfio_backend backend, bool irq)
{
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_ns_info ns;
	int ret;

	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 2;
	o.interrupts = irq;
	ret = nvme_app_open(&app, NVME_GUEST_BDF, backend, &o);
	if (!nvme_tap(!ret, "open %s with %s%s: %d%s%s", NVME_GUEST_BDF,
		      uvf_vfio_backend_name(backend),
		      irq ? ", interrupts" : "", ret,
		      ret ? " at " : "", ret ? app.failed_step : ""))
		return ret;
	ret = uvf_nvme_ns_get_info(app.ctrl, 1, &ns);
	if (!nvme_tap(!ret, "namespace 1: %llu blocks of %u bytes",
		      (unsigned long long)ns.nsze, ns.block_size)) {
		nvme_app_close(&app);
		return ret;
	}
	bsize = ns.block_size;
	nblocks = ns.nsze;
	ret = nvme_app_buf_alloc(&app, ARENA, (void **)&arena);
	if (!nvme_tap(!ret, "register %u MiB of I/O memory: %d", ARENA >> 20,
		      ret))
		nvme_app_close(&app);
	return ret;
}

static void close_ctrl(void)
{
	nvme_app_buf_free(&app, arena, ARENA);
	nvme_app_close(&app);
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend backend = nvme_guest_backend(argc, argv);
	struct uvf_nvme_qpair *qp;
	const char *irq;
	int ret = nvme_guest_ready(backend);

	if (ret)
		return ret;
	if (open_ctrl(backend, false))
		return nvme_tap_done();
	nvme_diag("%s, serial %s, firmware %s, max transfer %u KiB",
		  uvf_nvme_ctrl_get_info(app.ctrl)->model,
		  uvf_nvme_ctrl_get_info(app.ctrl)->serial,
		  uvf_nvme_ctrl_get_info(app.ctrl)->firmware,
		  uvf_nvme_ctrl_get_info(app.ctrl)->max_xfer >> 10);
	ret = uvf_nvme_qpair_create(app.ctrl, 0, &qp);
	if (nvme_tap(!ret, "queue pair: %d", ret)) {
		check_sizes(qp);
		check_unregistered(qp, backend == UVF_VFIO_NOIOMMU);
		check_zeroes_flush_range(qp);
		uvf_nvme_qpair_destroy(qp);
	}
	check_deep_queue(app.ctrl);
	check_threads();
	close_ctrl();

	if (open_ctrl(backend, true))
		return nvme_tap_done();
	irq = uvf_nvme_ctrl_get_info(app.ctrl)->irq_type;
	nvme_tap(!strcmp(irq, "msix"), "completions by %s", irq);
	ret = uvf_nvme_qpair_create(app.ctrl, 0, &qp);
	if (nvme_tap(!ret, "queue pair with an interrupt vector: %d", ret)) {
		ret = roundtrip(qp, arena, arena + ARENA / 2, 500, 256, 9);
		nvme_tap(!ret, "round trip completed by MSI-X: %d", ret);
		uvf_nvme_qpair_destroy(qp);
	}
	close_ctrl();
	return nvme_tap_done();
}
