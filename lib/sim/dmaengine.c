/* SPDX-License-Identifier: MIT */
/*
 * The simulated DMA engine: a memcpy engine whose transfers go through the
 * software IOMMU like any bus-master's. A copy runs when START is written,
 * so completion is visible to the very next register read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_priv.h"
#include "util/trace.h"

struct dmae_regs {
	uint64_t src, dst, len, ctrl, status, msi_count, copies;
	/* The engine's internal buffer, sized for the largest copy so the
	 * data path never allocates. Freed with the registers. */
	uint8_t bounce[];
};

static void dmae_run(struct sim_device *sd, struct dmae_regs *r)
{
	if (!r->len || r->len > UVF_SIM_DMAE_MAX_LEN) {
		r->status = UVF_SIM_DMAE_STATUS_INVALID;
	} else if (uvf_sim_dma_read(&sd->dev, r->src, r->bounce, r->len) ||
		   uvf_sim_dma_write(&sd->dev, r->dst, r->bounce, r->len)) {
		r->status = UVF_SIM_DMAE_STATUS_FAULT;
	} else {
		r->status = UVF_SIM_DMAE_STATUS_DONE;
		r->copies++;
	}
	uvf_trace("%s: copy %#llx -> %#llx len %#llx: %s", sd->dev.name,
		  (unsigned long long)r->src, (unsigned long long)r->dst,
		  (unsigned long long)r->len,
		  r->status == UVF_SIM_DMAE_STATUS_DONE ? "done" :
		  r->status == UVF_SIM_DMAE_STATUS_FAULT ? "fault" : "invalid");
	/* Completion interrupt, also on error, as a real engine reports it. */
	if ((r->ctrl & UVF_SIM_DMAE_CTRL_IRQ) && sim_device_raise_irq(sd, 0))
		r->msi_count++;
}

static int dmae_read(struct sim_device *sd, uint64_t off, uint64_t *val,
		     unsigned int len)
{
	struct dmae_regs *r = sd->state;
	uint64_t v;

	if (len != 8 && len != 4)
		return -EINVAL;
	switch (off & ~7ull) {
	case UVF_SIM_DMAE_REG_ID:
		v = UVF_SIM_DMAE_ID;
		break;
	case UVF_SIM_DMAE_REG_SRC:
		v = r->src;
		break;
	case UVF_SIM_DMAE_REG_DST:
		v = r->dst;
		break;
	case UVF_SIM_DMAE_REG_LEN:
		v = r->len;
		break;
	case UVF_SIM_DMAE_REG_CTRL:
		v = r->ctrl & UVF_SIM_DMAE_CTRL_IRQ;
		break;
	case UVF_SIM_DMAE_REG_STATUS:
		v = r->status;
		break;
	case UVF_SIM_DMAE_REG_MSI_COUNT:
		v = r->msi_count;
		break;
	case UVF_SIM_DMAE_REG_COPIES:
		v = r->copies;
		break;
	default:
		v = 0;	/* unassigned registers read as zero */
	}
	if (len == 4)
		v = (off & 4) ? v >> 32 : (uint32_t)v;
	*val = v;
	return 0;
}

static int dmae_write(struct sim_device *sd, uint64_t off, uint64_t val,
		      unsigned int len)
{
	struct dmae_regs *r = sd->state;
	uint64_t *reg;

	if (len != 8 && len != 4)
		return -EINVAL;
	switch (off & ~7ull) {
	case UVF_SIM_DMAE_REG_SRC:
		reg = &r->src;
		break;
	case UVF_SIM_DMAE_REG_DST:
		reg = &r->dst;
		break;
	case UVF_SIM_DMAE_REG_LEN:
		reg = &r->len;
		break;
	case UVF_SIM_DMAE_REG_CTRL:
		r->ctrl = val;
		if (val & UVF_SIM_DMAE_CTRL_START)
			dmae_run(sd, r);
		return 0;
	case UVF_SIM_DMAE_REG_RAISE_MSI:
		if (sim_device_raise_irq(sd, 0))
			r->msi_count++;
		return 0;
	default:
		return 0;	/* read-only or unassigned: ignored */
	}
	if (len == 8)
		*reg = val;
	else if (off & 4)
		*reg = (*reg & 0xffffffffull) | (val << 32);
	else
		*reg = (*reg & ~0xffffffffull) | val;
	return 0;
}

static void dmae_reset(struct sim_device *sd)
{
	struct dmae_regs *r = sd->state;

	memset(r, 0, sizeof(*r));
}

static const struct sim_model dmae_model = {
	.name = "sim-dma",
	.vendor = UVF_SIM_DMAE_VENDOR,
	.device = UVF_SIM_DMAE_DEVICE,
	.class_code = 0x088000,	/* system peripheral, other */
	.bar0_size = UVF_SIM_DMAE_BAR0_SIZE,
	.max_msi = 1,
	.read = dmae_read,
	.write = dmae_write,
	.reset = dmae_reset,
};

int uvf_sim_dmaengine_create(struct uvf_iommu *iommu, uint16_t segment,
			     uint16_t rid, struct uvf_device **out)
{
	struct dmae_regs *r;
	char name[32];
	int ret;

	if (!sim_iommu_of(iommu) || !out)
		return -EINVAL;
	r = calloc(1, sizeof(*r) + UVF_SIM_DMAE_MAX_LEN);
	if (!r)
		return -ENOMEM;
	snprintf(name, sizeof(name), "sim-dma@%04x:%02x:%02x.%x", segment,
		 rid >> 8, (rid >> 3) & 0x1f, rid & 7);
	ret = sim_device_create(iommu, &dmae_model, r, name, segment, rid, out);
	if (ret)
		free(r);
	return ret;
}
