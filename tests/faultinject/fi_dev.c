/* SPDX-License-Identifier: MIT */
#include "fake_regwin.h"
#include "fi.h"
#include "fi_dev.h"

/* One quiet table per kind of fake, each wrapping that fake's own. */
#define MAX_KINDS 4

static struct {
	const struct fake_regwin_ops *inner;
	struct fake_regwin_ops quiet;
} kinds[MAX_KINDS];

static const struct fake_regwin_ops *inner_of(const struct fake_regwin *w)
{
	for (size_t i = 0; i < MAX_KINDS; i++)
		if (w->ops == &kinds[i].quiet)
			return kinds[i].inner;
	ck_abort_msg("not a quiet fake");
	return NULL;
}

static uint32_t quiet_read(struct fake_regwin *w, uint32_t off)
{
	uint32_t v;

	uvf_fault_suspend();
	v = inner_of(w)->read(w, off);
	uvf_fault_resume();
	return v;
}

static void quiet_write(struct fake_regwin *w, uint32_t off, uint32_t val)
{
	uvf_fault_suspend();
	inner_of(w)->write(w, off, val);
	uvf_fault_resume();
}

static void quiet_after_write(struct fake_regwin *w)
{
	if (!inner_of(w)->after_write)
		return;
	uvf_fault_suspend();
	inner_of(w)->after_write(w);
	uvf_fault_resume();
}

static void quiet_reset(struct fake_regwin *w)
{
	uvf_fault_suspend();
	inner_of(w)->reset(w);
	uvf_fault_resume();
}

static void quiet_destroy(struct fake_regwin *w)
{
	if (inner_of(w)->destroy)
		inner_of(w)->destroy(w);
}

void fi_quiet_device(struct uvf_device *dev)
{
	struct fake_regwin *w = fake_regwin_of(dev);
	size_t i;

	for (i = 0; i < MAX_KINDS && kinds[i].inner &&
		    kinds[i].inner != w->ops; i++)
		;
	ck_assert_uint_lt(i, MAX_KINDS);
	kinds[i].inner = w->ops;
	kinds[i].quiet = (struct fake_regwin_ops){
		.read = quiet_read,
		.write = quiet_write,
		.after_write = quiet_after_write,
		.reset = w->ops->reset ? quiet_reset : NULL,
		.destroy = quiet_destroy,
	};
	w->ops = &kinds[i].quiet;
}

uint16_t fi_pci_command(struct uvf_device *dev)
{
	return fake_regwin_pci_command(fake_regwin_of(dev));
}
