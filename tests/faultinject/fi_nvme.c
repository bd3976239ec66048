/* SPDX-License-Identifier: MIT */
/* The NVMe driver on the fake controller: bring-up, I/O queue creation, a
 * write and a controller reset. A failed bring-up leaves nothing mapped
 * and bus mastering off; a failed reset leaves no queue pair pointing
 * into freed memory, and a later reset brings everything back. */
#include <string.h>

#include <uvf/nvme.h>

#include "fi.h"
#include "fi_dev.h"
#include "fi_state.h"
#include "nvme_priv.h"
#include "nvmefix.h"

enum nvme_call { OPEN, QPAIR, WRITE, RESET };

struct nvmefi {
	enum nvme_call call;
	struct nvmefix f;
	struct uvf_nvme_qpair *qp;
	uint16_t command;
	struct fi_dom_snap before;
};

static void nvme_setup(void *fix)
{
	struct nvmefi *n = fix;
	struct uvf_nvme_ctrl_opts o;

	nvmefix_setup(&n->f, NULL);
	fi_quiet_device(n->f.dev);
	n->qp = NULL;
	if (n->call != OPEN) {
		uvf_nvme_ctrl_opts_default(&o);
		o.io_queues = 2;
		nvmefix_open(&n->f, &o);
	}
	if (n->call == WRITE || n->call == RESET)
		ck_assert_int_eq(uvf_nvme_qpair_create(n->f.ctrl, 16, &n->qp),
				 0);
	nvmefix_pattern(n->f.arena, 8 * 512, 7);
	n->command = fi_pci_command(n->f.dev);
	fi_dom_snap(n->f.dom, 0, &n->before);
}

static int nvme_call(void *fix)
{
	struct nvmefi *n = fix;
	struct uvf_nvme_ctrl_opts o;
	struct uvf_nvme_cpl cpl;

	switch (n->call) {
	case OPEN:
		uvf_nvme_ctrl_opts_default(&o);
		o.io_queues = 2;
		return uvf_nvme_ctrl_open(n->f.dev, &o, &n->f.ctrl);
	case QPAIR:
		return uvf_nvme_qpair_create(n->f.ctrl, 16, &n->qp);
	case RESET:
		return uvf_nvme_ctrl_reset(n->f.ctrl);
	default:
		return nvmefix_io(n->qp, NVME_CMD_WRITE, 1, n->f.arena, 0, 8,
				  &cpl);
	}
}

/* @qp's shadow doorbell entries are in the controller's pages, or it has
 * none: never in pages a failed reset freed. */
static void shadow_is_live(const struct uvf_nvme_qpair *qp)
{
	const uint32_t *page = qp->ctrl->dbbuf_shadow;
	const uint32_t *ei = qp->ctrl->dbbuf_eventidx;
	const size_t n = NVME_PAGE_SIZE / sizeof(uint32_t);

	if (!page) {
		ck_assert(!qp->sq_shadow && !qp->cq_shadow);
		ck_assert(!qp->sq_eventidx && !qp->cq_eventidx);
		return;
	}
	ck_assert(qp->sq_shadow >= page && qp->sq_shadow < page + n);
	ck_assert(qp->cq_shadow >= page && qp->cq_shadow < page + n);
	ck_assert(qp->sq_eventidx >= ei && qp->sq_eventidx < ei + n);
	ck_assert(qp->cq_eventidx >= ei && qp->cq_eventidx < ei + n);
}

/* A failed reset may leave the controller failed, never half-built: no
 * pair points into freed pages, and the next reset brings back I/O with
 * as much mapped as before. */
static void reset_recovers(struct nvmefi *n)
{
	struct fi_dom_snap after;

	shadow_is_live(n->f.ctrl->admin);
	shadow_is_live(n->qp);
	ck_assert_int_eq(uvf_nvme_ctrl_reset(n->f.ctrl), 0);
	ck_assert(n->qp->sq_shadow != NULL);
	shadow_is_live(n->qp);
	nvmefix_write_read_verify(&n->f, n->qp, n->f.arena,
				  n->f.arena + 8 * 512, 8, 7);
	fi_dom_snap(n->f.dom, 0, &after);
	ck_assert_uint_eq(after.nr_mappings, n->before.nr_mappings);
	ck_assert_uint_eq(after.mapped_bytes, n->before.mapped_bytes);
}

static void nvme_unchanged(void *fix)
{
	struct nvmefi *n = fix;

	if (n->call == RESET) {
		reset_recovers(n);
		return;
	}
	fi_dom_assert_same(n->f.dom, 0, &n->before);
	ck_assert_uint_eq(fi_pci_command(n->f.dev), n->command);
	if (n->call == OPEN)
		ck_assert_ptr_null(n->f.ctrl);
	if (n->call == QPAIR)
		ck_assert_ptr_null(n->qp);
}

static void nvme_done(void *fix)
{
	struct nvmefi *n = fix;
	struct uvf_nvme_qpair *qp = n->qp;
	uint8_t *back = n->f.arena + 8 * 512;

	if (n->call == OPEN) {
		ck_assert_ptr_nonnull(n->f.ctrl);
		return;
	}
	ck_assert_ptr_nonnull(qp);
	if (n->call == RESET) {
		reset_recovers(n);
		return;
	}
	if (n->call == WRITE) {
		memset(back, 0, 8 * 512);
		ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, back, 0, 8,
					    NULL), 0);
		ck_assert_int_eq(memcmp(back, n->f.arena, 8 * 512), 0);
	}
}

static void nvme_down(void *fix, bool ok)
{
	struct nvmefi *n = fix;

	(void)ok;
	if (n->qp)
		uvf_nvme_qpair_destroy(n->qp);
	nvmefix_teardown(&n->f);
}

START_TEST(test_nvme_bringup_io_and_reset_fail_cleanly_at_every_point)
{
	static const char *const names[] = { "nvme/open", "nvme/qpair-create",
					     "nvme/write", "nvme/reset" };
	static struct nvmefi n;
	struct fi_scenario s = {
		names[_i], nvme_setup, nvme_call, nvme_unchanged, nvme_done,
		nvme_down,
	};

	memset(&n, 0, sizeof(n));
	n.call = (enum nvme_call)_i;
	fi_run(&s, &n);
}
END_TEST

TCase *fi_nvme_tcase(void)
{
	TCase *tc = tcase_create("nvme");

	tcase_add_loop_test(tc, test_nvme_bringup_io_and_reset_fail_cleanly_at_every_point,
			    OPEN, RESET + 1);
	return tc;
}
