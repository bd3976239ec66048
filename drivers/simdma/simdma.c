/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include <uvf/device.h>
#include <uvf/sim.h>

#include "simdma.h"

struct simdma {
	struct uvf_device *dev;
	bool irq;	/* MSI vector 0 enabled by us */
};

static int wr(struct simdma *s, uint64_t off, uint64_t v)
{
	return uvf_device_bar_write(s->dev, 0, off, v, 8);
}

static int simdma_probe(struct uvf_device *dev, void **drvdata)
{
	struct simdma *s;
	uint64_t id;
	int ret;

	ret = uvf_device_bar_read(dev, 0, UVF_SIM_DMAE_REG_ID, &id, 8);
	if (ret)
		return ret;
	if (id != UVF_SIM_DMAE_ID)
		return -ENODEV;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->dev = dev;
	/* Completion interrupts are optional: polling works without them. */
	s->irq = uvf_device_irq_enable(dev, UVF_IRQ_MSI, 1) == 0;
	*drvdata = s;
	return 0;
}

static void simdma_remove(struct uvf_device *dev, void *drvdata)
{
	struct simdma *s = drvdata;

	if (s->irq)
		uvf_device_irq_disable(dev);
	free(s);
}

static int simdma_memcpy_start(void *drvdata, uvf_iova_t src, uvf_iova_t dst,
			       uint64_t len)
{
	struct simdma *s = drvdata;
	int ret;

	if (!len || len > UVF_SIM_DMAE_MAX_LEN)
		return -EINVAL;
	if ((ret = wr(s, UVF_SIM_DMAE_REG_SRC, src)) ||
	    (ret = wr(s, UVF_SIM_DMAE_REG_DST, dst)) ||
	    (ret = wr(s, UVF_SIM_DMAE_REG_LEN, len)))
		return ret;
	return wr(s, UVF_SIM_DMAE_REG_CTRL,
		  UVF_SIM_DMAE_CTRL_START | (s->irq ? UVF_SIM_DMAE_CTRL_IRQ : 0));
}

static int simdma_memcpy_wait(void *drvdata, int timeout_ms)
{
	struct simdma *s = drvdata;
	uint64_t status;
	int ret;

	/* The model completes a copy before the doorbell write returns, so
	 * the status is final here; the interrupt, if any, is consumed. */
	(void)timeout_ms;
	ret = uvf_device_bar_read(s->dev, 0, UVF_SIM_DMAE_REG_STATUS, &status,
				  8);
	if (ret)
		return ret;
	if (s->irq)
		uvf_device_irq_wait(s->dev, 0, 0);
	switch (status) {
	case UVF_SIM_DMAE_STATUS_DONE:
		return 0;
	case UVF_SIM_DMAE_STATUS_IDLE:
		return -ETIMEDOUT;
	default:
		return -EIO;
	}
}

static int simdma_send_msi(void *drvdata)
{
	return wr(drvdata, UVF_SIM_DMAE_REG_RAISE_MSI, 1);
}

static const struct uvf_pci_id simdma_ids[] = {
	{ UVF_SIM_DMAE_VENDOR, UVF_SIM_DMAE_DEVICE },
	{ 0, 0 },
};

const struct uvf_driver uvf_simdma_driver = {
	.name = "simdma",
	.ids = simdma_ids,
	.probe = simdma_probe,
	.remove = simdma_remove,
};

const struct uvf_dmaengine_ops uvf_simdma_ops = {
	.memcpy_start = simdma_memcpy_start,
	.memcpy_wait = simdma_memcpy_wait,
	.send_msi = simdma_send_msi,
	.max_len = UVF_SIM_DMAE_MAX_LEN,
	.dma_mask = UINT64_MAX,
};
