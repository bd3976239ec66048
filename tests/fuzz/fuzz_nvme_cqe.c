/* SPDX-License-Identifier: MIT */
/*
 * The NVMe driver against a hostile controller: the unit tests' fake
 * controller (tests/unit/nvme/fake_nvme.c) behind the software IOMMU,
 * whose completion entries the fuzzer rewrites field by field as the
 * driver reads them (the driver's CQE fault hook), and which also forges
 * whole entries in the completion queue. Reads, writes (split into
 * children past an 8 KiB max_xfer) and flushes go to heap buffers (mapped
 * per command) or to a registered arena.
 *
 * The driver may fail the controller, but must not crash or hang, must
 * call every callback exactly once (by the time the queue pair is
 * destroyed), and the device must reach only pages mapped for a live
 * command: device writes go through the IOMMU and memcpy into the heap
 * buffers, so ASan sees one into a buffer already freed (its mapping must
 * be gone by the callback).
 *
 * Heap buffers own whole pages. A device that forges a completion and
 * then executes the command anyway writes through IOVAs that may have
 * been handed to a newer command: what it reaches is that command's pages,
 * and with a buffer sharing a page with other heap data, that data too
 * (the first run of this target found exactly that). The IOMMU maps
 * pages; sub-page isolation is the caller's to provide.
 */
#include <errno.h>
#include <sys/mman.h>

#include "nvme_priv.h"
#include "nvmefix.h"

#include "fuzz_common.h"

#define MAX_OPS 64
#define MAX_CMDS 256
#define ARENA_SLOT (64u << 10)
#define BLOCK 512u

struct cmd {
	unsigned int calls;
	uint8_t *heap;		/* exact-size buffer, NULL: in the arena */
};

static struct nvmefix fix;
static struct fuzz_in in;
static struct cmd cmds[MAX_CMDS];
static unsigned int ncmds;

static void cmd_done(void *arg, int err, const struct uvf_nvme_cpl *cpl)
{
	struct cmd *c = arg;

	(void)err;
	(void)cpl;
	FUZZ_CHECK(c->calls == 0, "command %td completed twice",
		   c - cmds);
	c->calls++;
	/* Its mapping is gone: a late device write must fault, not land. */
	free(c->heap);
	c->heap = NULL;
}

/* The device rewrites what the driver reads of a new entry. */
static void hostile_cqe(void *arg, unsigned int qid, struct nvme_cqe *e)
{
	uint8_t what = fuzz_u8(&in);

	(void)arg;
	(void)qid;
	if (what & 1)
		e->cid = fuzz_u16(&in);
	if (what & 2)
		e->sqhd = fuzz_u16(&in);
	if (what & 4)
		e->sqid = fuzz_u16(&in);
	if (what & 8)
		e->status = (uint16_t)((fuzz_u16(&in) & ~1u) |
				       (e->status & 1));
	if (what & 16)
		e->status ^= 1;		/* looks stale */
	if (what & 32)
		e->dw0 = fuzz_u32(&in);
}

static const struct uvf_nvme_fault_ops hostile = { .cqe = hostile_cqe };

/* A whole entry the controller never had reason to post. */
static void forge_entry(struct uvf_nvme_qpair *qp)
{
	volatile struct nvme_cqe *e = &qp->cq[qp->cq_head];

	e->dw0 = fuzz_u32(&in);
	e->sqhd = fuzz_u16(&in);
	e->sqid = fuzz_u16(&in);
	e->cid = fuzz_u16(&in);
	e->status = (uint16_t)((fuzz_u16(&in) & ~1u) | qp->phase);
}

static void submit(struct uvf_nvme_qpair *qp, uint8_t op)
{
	uint32_t nlb = 1 + fuzz_u8(&in) % 48;
	uint64_t lba = fuzz_u16(&in) % (8192 - nlb);
	struct cmd *c;
	void *buf;
	int ret;

	if (ncmds == MAX_CMDS)
		return;
	c = &cmds[ncmds];
	memset(c, 0, sizeof(*c));
	if (op & 0x80) {
		buf = fix.arena + (op & 0x3f) * ARENA_SLOT;
	} else {
		c->heap = aligned_alloc(UVF_PAGE_SIZE,
					(nlb * BLOCK + UVF_PAGE_SIZE - 1) &
						~(UVF_PAGE_SIZE - 1));
		FUZZ_CHECK(c->heap, "out of memory");
		buf = c->heap;
	}
	switch (op % 3) {
	case 0:
		ret = uvf_nvme_read(qp, 1, buf, lba, nlb, cmd_done, c);
		break;
	case 1:
		ret = uvf_nvme_write(qp, 1, buf, lba, nlb, cmd_done, c);
		break;
	default:
		ret = uvf_nvme_flush(qp, 1, cmd_done, c);
	}
	if (ret) {
		free(c->heap);
		c->heap = NULL;
		return;
	}
	ncmds++;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	nvmefix_setup(&fix, NULL);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_qpair *qp = NULL;
	unsigned int ops, i;

	in = (struct fuzz_in){ data, size };
	ncmds = 0;
	uvf_nvme_ctrl_opts_default(&o);
	o.io_queues = 1;
	o.admin_queue_size = 4;
	o.cmd_timeout_ms = 20;
	o.max_xfer = 8192;
	if (uvf_nvme_ctrl_open(fix.dev, &o, &fix.ctrl))
		return 0;
	if (uvf_nvme_qpair_create(fix.ctrl, 2 + fuzz_u8(&in) % 15, &qp)) {
		uvf_nvme_ctrl_close(fix.ctrl);
		return 0;
	}
	uvf_nvme_fault_set(&hostile);
	for (ops = 0; in.n && ops < MAX_OPS; ops++) {
		uint8_t op = fuzz_u8(&in);

		switch (op >> 4 & 3) {
		case 0:
			submit(qp, op);
			break;
		case 1:
			uvf_nvme_qpair_process(qp, op & 7);
			break;
		case 2:
			forge_entry(qp);
			break;
		default:
			fake_nvme_set_faults(fix.dev,
				&(struct fake_nvme_faults){ .hold = op & 1 });
			if (!(op & 1))
				fake_nvme_release(fix.dev);
		}
	}
	/* The device stops lying; whatever is left completes or aborts. */
	fake_nvme_set_faults(fix.dev, &(struct fake_nvme_faults){ 0 });
	fake_nvme_release(fix.dev);
	uvf_nvme_qpair_process(qp, 0);
	uvf_nvme_qpair_destroy(qp);
	uvf_nvme_fault_set(NULL);
	uvf_nvme_ctrl_close(fix.ctrl);
	fix.ctrl = NULL;
	for (i = 0; i < ncmds; i++)
		FUZZ_CHECK(cmds[i].calls == 1, "command %u completed %u times",
			   i, cmds[i].calls);
	FUZZ_CHECK(nvmefix_mapped(&fix) == NVMEFIX_ARENA,
		   "%llu bytes mapped, the arena is %u",
		   (unsigned long long)nvmefix_mapped(&fix), NVMEFIX_ARENA);
	return 0;
}
