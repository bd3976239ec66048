/* SPDX-License-Identifier: MIT */
/*
 * guest_nvme_md - runs in the tools/vm guest. uvf's NVMe driver on QEMU's
 * controller (00:04.0) with three namespaces (tools/vm/run --nvme-ns): 1
 * without metadata, 2 with 8 bytes per block after each block's data
 * (mset=1, extended LBAs), 3 with them in a buffer of their own (mset=0,
 * MPTR). On each, 4 KiB, 1 MiB and 4 MiB are written, read back and
 * compared, metadata included; first with PRPs, then with SGLs (QEMU
 * offers them: Identify SGLS).
 *
 * QEMU 7.2 returns wrong metadata on extended namespaces for commands of
 * more than 64 blocks (more than 512 bytes of metadata; the data is right,
 * with PRPs and SGLs alike, and 512 KiB commands fail with Write Fault):
 * namespace 2 runs on a controller opened with max_xfer 32 KiB, so its
 * 1 MiB and 4 MiB requests go out as 63-block children, metadata split in
 * step.
 *
 * usage: guest_nvme_md [--type1|--iommufd|--noiommu]
 * Prints TAP; exits 0 pass, 1 fail, 77 skip.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "guest_nvme_data.h"
#include "nvme_app.h"

#define ARENA (12u << 20)
#define WR 0u			/* data written: up to 4 MiB + metadata */
#define WR_MD (5u << 20)	/* separate metadata written */
#define RD (6u << 20)		/* data read back */
#define RD_MD (11u << 20)	/* separate metadata read back */
#define NR_NS 3

static struct nvme_app app;
static uint8_t *arena;

static int io(struct uvf_nvme_qpair *qp, bool write,
	      const struct uvf_nvme_ns_info *ns, struct uvf_nvme_md_io *r)
{
	struct uvf_nvme_sync s = { 0 };
	int ret;

	if (!ns->ms)
		ret = write ? uvf_nvme_write(qp, ns->nsid, r->buf, r->lba,
					     r->nlb, uvf_nvme_sync_cb, &s)
			    : uvf_nvme_read(qp, ns->nsid, r->buf, r->lba,
					    r->nlb, uvf_nvme_sync_cb, &s);
	else
		ret = write ? uvf_nvme_write_md(qp, ns->nsid, r,
						uvf_nvme_sync_cb, &s)
			    : uvf_nvme_read_md(qp, ns->nsid, r,
					       uvf_nvme_sync_cb, &s);
	return ret ? ret : uvf_nvme_sync_wait(qp, &s);
}

/* Write @bytes of data (and their metadata) at @lba, read back, compare. */
static int roundtrip(struct uvf_nvme_qpair *qp,
		     const struct uvf_nvme_ns_info *ns, size_t bytes,
		     uint64_t lba, uint32_t seed)
{
	uint32_t nlb = (uint32_t)(bytes / ns->block_size);
	bool ext = ns->md_extended;
	struct uvf_nvme_md_io r = {
		.buf = arena + WR,
		.len = (size_t)nlb * (ns->block_size + (ext ? ns->ms : 0)),
		.md = ns->ms && !ext ? arena + WR_MD : NULL,
		.md_len = ns->ms && !ext ? (size_t)nlb * ns->ms : 0,
		.lba = lba,
		.nlb = nlb,
	};
	int ret;

	guest_fill(r.buf, r.len, seed);
	if (r.md)
		guest_fill(r.md, r.md_len, seed + 1);
	memset(arena + RD, 0, r.len);
	memset(arena + RD_MD, 0, r.md_len);
	ret = io(qp, true, ns, &r);
	r.buf = arena + RD;
	r.md = r.md ? arena + RD_MD : NULL;
	if (!ret)
		ret = io(qp, false, ns, &r);
	if (!ret && (memcmp(arena + WR, arena + RD, r.len) ||
		     memcmp(arena + WR_MD, arena + RD_MD, r.md_len)))
		ret = -EILSEQ;
	return ret;
}

static void check_formats(const struct uvf_nvme_ns_info *ns)
{
	nvme_tap(ns[0].ms == 0 && ns[1].ms == 8 && ns[1].md_extended &&
			 ns[2].ms == 8 && !ns[2].md_extended,
		 "formats: ns 1 ms %u, ns 2 ms %u%s, ns 3 ms %u%s", ns[0].ms,
		 ns[1].ms, ns[1].md_extended ? " extended" : "", ns[2].ms,
		 ns[2].md_extended ? " extended" : "");
}

/* QEMU's extended-metadata limit: 64 blocks per command (see above). */
#define EXT_MAX_XFER (32u << 10)

/* With @ext the extended namespace on a controller whose commands stay
 * within QEMU's limit, else the other namespaces. */
static void run(enum uvf_vfio_backend backend, enum uvf_nvme_sgl mode,
		const char *name, bool ext)
{
	static const size_t sizes[] = { 4096, 1u << 20, 4u << 20 };
	struct uvf_nvme_ns_info ns[NR_NS];
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp;
	unsigned int i, j;
	uint32_t ids[NR_NS];
	int ret;

	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	o.sgl = mode;
	o.max_xfer = ext ? EXT_MAX_XFER : 0;
	ret = nvme_app_open(&app, NVME_GUEST_BDF, backend, &o);
	if (!nvme_tap(!ret, "%s: controller open: %d (%s)", name, ret,
		      ret ? app.failed_step : "ok"))
		return;
	nvme_diag("SGLS %#x", uvf_nvme_ctrl_get_info(app.ctrl)->sgls);
	ret = uvf_nvme_ns_list(app.ctrl, ids, NR_NS);
	if (!nvme_tap(ret == NR_NS, "%s: %d namespaces", name, ret))
		goto out;
	for (i = 0; i < NR_NS; i++)
		uvf_nvme_ns_get_info(app.ctrl, ids[i], &ns[i]);
	if (!ext)
		check_formats(ns);
	ret = nvme_app_buf_alloc(&app, ARENA, (void **)&arena);
	if (!nvme_tap(!ret, "%s: I/O memory: %d", name, ret))
		goto out;
	ret = uvf_nvme_qpair_create(app.ctrl, 0, &qp);
	if (nvme_tap(!ret, "%s: queue pair: %d", name, ret)) {
		for (i = 0; i < NR_NS; i++)
			for (j = 0; j < 3 && ns[i].md_extended == ext; j++) {
				ret = roundtrip(qp, &ns[i], sizes[j], 64 + j * 8192,
						i * 16 + j + (mode << 8));
				nvme_tap(!ret, "%s: ns %u: %zu KiB%s: %d", name,
					 ns[i].nsid, sizes[j] >> 10,
					 ns[i].ms ? (ns[i].md_extended
							     ? " + metadata, extended"
							     : " + metadata, separate")
						  : "",
					 ret);
			}
		uvf_nvme_qpair_destroy(qp);
	}
	nvme_app_buf_free(&app, arena, ARENA);
out:
	nvme_app_close(&app);
}

int main(int argc, char **argv)
{
	enum uvf_vfio_backend backend = nvme_guest_backend(argc, argv);
	int ret = nvme_guest_ready(backend);

	if (ret)
		return ret;
	run(backend, UVF_NVME_SGL_OFF, "PRP", false);
	run(backend, UVF_NVME_SGL_OFF, "PRP, 32 KiB commands", true);
	run(backend, UVF_NVME_SGL_ALWAYS, "SGL", false);
	run(backend, UVF_NVME_SGL_ALWAYS, "SGL, 32 KiB commands", true);
	return nvme_tap_done();
}
