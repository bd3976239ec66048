/* SPDX-License-Identifier: MIT */
/* The NVMe driver on the fake controller: bring-up, I/O queue creation and
 * a write. A failed bring-up leaves nothing mapped and bus mastering off. */
#include <string.h>

#include <uvf/nvme.h>

#include "fi.h"
#include "fi_dev.h"
#include "fi_state.h"
#include "nvme_regs.h"
#include "nvmefix.h"

enum nvme_call { OPEN, QPAIR, WRITE };

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
	if (n->call == WRITE)
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
	default:
		return nvmefix_io(n->qp, NVME_CMD_WRITE, 1, n->f.arena, 0, 8,
				  &cpl);
	}
}

static void nvme_unchanged(void *fix)
{
	struct nvmefi *n = fix;

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

START_TEST(test_nvme_bringup_and_io_fail_cleanly_at_every_point)
{
	static const char *const names[] = { "nvme/open", "nvme/qpair-create",
					     "nvme/write" };
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

	tcase_add_loop_test(tc, test_nvme_bringup_and_io_fail_cleanly_at_every_point,
			    OPEN, WRITE + 1);
	return tc;
}
