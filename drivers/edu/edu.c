/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <uvf/device.h>

#include "edu.h"

#define REG_IDENT 0x00
#define REG_LIVENESS 0x04
#define REG_IRQ_STATUS 0x24
#define REG_IRQ_RAISE 0x60
#define REG_IRQ_ACK 0x64
#define REG_DMA_SRC 0x80
#define REG_DMA_DST 0x88
#define REG_DMA_COUNT 0x90
#define REG_DMA_CMD 0x98
#define DMA_CMD_START 0x1
#define DMA_CMD_FROM_DEVICE 0x2
#define DMA_CMD_IRQ 0x4

#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEMORY 0x2
#define PCI_COMMAND_MASTER 0x4

struct uvf_edu {
	struct uvf_device *dev;
	/* The second half of a memcpy: buffer -> @copy_dst. */
	uvf_iova_t copy_dst;
	uint32_t copy_len;
};

/* Registers below 0x80 take 32-bit accesses only, the DMA ones 64-bit. */
static int rd32(struct uvf_device *dev, uint64_t off, uint32_t *v)
{
	uint64_t x;
	int ret = uvf_device_bar_read(dev, 0, off, &x, 4);

	if (!ret)
		*v = (uint32_t)x;
	return ret;
}

static int wr32(struct uvf_device *dev, uint64_t off, uint32_t v)
{
	return uvf_device_bar_write(dev, 0, off, v, 4);
}

int uvf_edu_probe(struct uvf_device *dev)
{
	uint16_t id[2];
	uint32_t ident, live;
	int ret;

	if (!dev)
		return -EINVAL;
	ret = uvf_device_cfg_read(dev, 0, id, sizeof(id));
	if (ret)
		return ret;
	if (id[0] != UVF_EDU_VENDOR || id[1] != UVF_EDU_DEVICE)
		return -ENODEV;
	ret = rd32(dev, REG_IDENT, &ident);
	if (!ret)
		ret = wr32(dev, REG_LIVENESS, 0x5a5aa5a5u);
	if (!ret)
		ret = rd32(dev, REG_LIVENESS, &live);
	if (ret)
		return ret;
	return (ident & 0xff) == 0xed && live == ~0x5a5aa5a5u ? 0 : -ENODEV;
}

int uvf_edu_open(struct uvf_device *dev, struct uvf_edu **out)
{
	struct uvf_edu *edu;
	uint16_t cmd;
	int ret;

	if (!out)
		return -EINVAL;
	ret = uvf_edu_probe(dev);
	if (ret)
		return ret;
	ret = uvf_device_cfg_read(dev, PCI_COMMAND, &cmd, sizeof(cmd));
	if (ret)
		return ret;
	edu = calloc(1, sizeof(*edu));
	if (!edu)
		return -ENOMEM;
	cmd |= PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	ret = uvf_device_cfg_write(dev, PCI_COMMAND, &cmd, sizeof(cmd));
	if (ret) {
		free(edu);
		return ret;
	}
	edu->dev = dev;
	*out = edu;
	return 0;
}

void uvf_edu_close(struct uvf_edu *edu)
{
	free(edu);
}

int uvf_edu_ident(struct uvf_edu *edu, uint32_t *ident)
{
	return edu && ident ? rd32(edu->dev, REG_IDENT, ident) : -EINVAL;
}

int uvf_edu_dma_start(struct uvf_edu *edu, enum uvf_edu_dir dir,
		      uvf_iova_t addr, uint32_t buf_off, uint32_t len,
		      bool irq)
{
	uint64_t cmd = DMA_CMD_START, busy;
	uvf_iova_t buf = UVF_EDU_BUF + buf_off;
	int ret;

	if (!edu || (dir != UVF_EDU_TO_DEVICE && dir != UVF_EDU_FROM_DEVICE) ||
	    !len || buf_off >= UVF_EDU_BUF_SIZE ||
	    len >= UVF_EDU_BUF_SIZE - buf_off)
		return -EINVAL;
	if (addr > UVF_EDU_DMA_MASK || len - 1 > UVF_EDU_DMA_MASK - addr)
		return -ERANGE;
	ret = uvf_device_bar_read(edu->dev, 0, REG_DMA_CMD, &busy, 8);
	if (ret)
		return ret;
	if (busy & DMA_CMD_START)
		return -EBUSY;
	if (dir == UVF_EDU_FROM_DEVICE)
		cmd |= DMA_CMD_FROM_DEVICE;
	if (irq)
		cmd |= DMA_CMD_IRQ;
	ret = uvf_device_bar_write(edu->dev, 0, REG_DMA_SRC,
				   dir == UVF_EDU_TO_DEVICE ? addr : buf, 8);
	if (!ret)
		ret = uvf_device_bar_write(edu->dev, 0, REG_DMA_DST,
					   dir == UVF_EDU_TO_DEVICE ? buf : addr,
					   8);
	if (!ret)
		ret = uvf_device_bar_write(edu->dev, 0, REG_DMA_COUNT, len, 8);
	if (!ret)
		ret = uvf_device_bar_write(edu->dev, 0, REG_DMA_CMD, cmd, 8);
	return ret;
}

int uvf_edu_dma_wait(struct uvf_edu *edu, int timeout_ms)
{
	const struct timespec tick = { 0, 1000000 };
	uint64_t cmd;
	int waited = 0, ret;

	if (!edu)
		return -EINVAL;
	for (;;) {
		ret = uvf_device_bar_read(edu->dev, 0, REG_DMA_CMD, &cmd, 8);
		if (ret || !(cmd & DMA_CMD_START))
			return ret;
		if (waited++ >= timeout_ms)
			return -ETIMEDOUT;
		nanosleep(&tick, NULL);
	}
}

int uvf_edu_raise_irq(struct uvf_edu *edu, uint32_t bits)
{
	if (!edu || !bits)
		return -EINVAL;
	return wr32(edu->dev, REG_IRQ_RAISE, bits);
}

int uvf_edu_irq_status(struct uvf_edu *edu, uint32_t *bits)
{
	return edu && bits ? rd32(edu->dev, REG_IRQ_STATUS, bits) : -EINVAL;
}

int uvf_edu_irq_ack(struct uvf_edu *edu, uint32_t bits)
{
	return edu ? wr32(edu->dev, REG_IRQ_ACK, bits) : -EINVAL;
}

static int edu_probe(struct uvf_device *dev, void **drvdata)
{
	return uvf_edu_open(dev, (struct uvf_edu **)drvdata);
}

static void edu_remove(struct uvf_device *dev, void *drvdata)
{
	struct uvf_edu *edu = drvdata;

	(void)dev;
	/* A transfer in flight ends within about 100 ms. */
	uvf_edu_dma_wait(edu, 1000);
	uvf_edu_close(edu);
}

static int edu_memcpy_start(void *drvdata, uvf_iova_t src, uvf_iova_t dst,
			    uint64_t len)
{
	struct uvf_edu *edu = drvdata;
	int ret;

	if (!len || len >= UVF_EDU_BUF_SIZE)
		return -EINVAL;
	if (dst > UVF_EDU_DMA_MASK || len - 1 > UVF_EDU_DMA_MASK - dst)
		return -ERANGE;
	ret = uvf_edu_dma_start(edu, UVF_EDU_TO_DEVICE, src, 0,
				(uint32_t)len, false);
	if (ret)
		return ret;
	edu->copy_dst = dst;
	edu->copy_len = (uint32_t)len;
	return 0;
}

static int edu_memcpy_wait(void *drvdata, int timeout_ms)
{
	struct uvf_edu *edu = drvdata;
	uint32_t len = edu->copy_len;
	int ret;

	ret = uvf_edu_dma_wait(edu, timeout_ms);
	if (ret || !len)
		return ret;
	edu->copy_len = 0;
	ret = uvf_edu_dma_start(edu, UVF_EDU_FROM_DEVICE, edu->copy_dst, 0,
				len, false);
	return ret ? ret : uvf_edu_dma_wait(edu, timeout_ms);
}

static int edu_send_msi(void *drvdata)
{
	return uvf_edu_raise_irq(drvdata, 0x1);
}

static const struct uvf_pci_id edu_ids[] = {
	{ UVF_EDU_VENDOR, UVF_EDU_DEVICE },
	{ 0, 0 },
};

const struct uvf_driver uvf_edu_driver = {
	.name = "edu",
	.ids = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

const struct uvf_dmaengine_ops uvf_edu_dmaengine_ops = {
	.memcpy_start = edu_memcpy_start,
	.memcpy_wait = edu_memcpy_wait,
	.send_msi = edu_send_msi,
	.max_len = UVF_EDU_BUF_SIZE - 1,
	.dma_mask = UVF_EDU_DMA_MASK,
};
