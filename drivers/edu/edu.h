/* SPDX-License-Identifier: MIT */
/*
 * A driver for QEMU's "edu" teaching device (PCI 1234:11e8,
 * docs/specs/edu.rst), written only against uvf/device.h and uvf/dma.h so it
 * runs on any uvf device backend.
 *
 * BAR 0 holds 32-bit registers below 0x80 and 64-bit DMA registers above.
 * The DMA engine copies between a device address and the device's own 4 KiB
 * buffer at 0x40000; it masks device addresses to 28 bits, so every IOVA it
 * is given must lie below 256 MiB (open the domain's IOMMU with that limit,
 * e.g. uvf_vfio_opts.iova_last). Interrupts: one MSI vector or INTx, raised
 * by the DMA engine on request or by writing the raise register.
 *
 * For the driver model (uvf/driver.h), uvf_edu_driver's drvdata is a
 * struct uvf_edu, and uvf_edu_dmaengine_ops copies memory to memory in two
 * transfers through the device buffer. edu reports no DMA errors: a
 * blocked transfer completes, and only the data shows it.
 */
#ifndef UVF_DRIVERS_EDU_H
#define UVF_DRIVERS_EDU_H

#include <uvf/driver.h>
#include <uvf/types.h>

struct uvf_device;
struct uvf_edu;

#define UVF_EDU_VENDOR 0x1234
#define UVF_EDU_DEVICE 0x11e8
#define UVF_EDU_BUF 0x40000u		/* device-side DMA buffer */
#define UVF_EDU_BUF_SIZE 4096u
#define UVF_EDU_DMA_MASK ((1ull << 28) - 1)
#define UVF_EDU_IRQ_DMA 0x100u		/* status bit: DMA completed */

enum uvf_edu_dir {
	UVF_EDU_TO_DEVICE,	/* memory -> edu buffer */
	UVF_EDU_FROM_DEVICE,	/* edu buffer -> memory */
};

/**
 * uvf_edu_probe() - whether @dev is an edu device that answers
 * @dev: device
 *
 * Checks the PCI IDs in configuration space and the identification and
 * liveness registers.
 *
 * Return: 0, -ENODEV (another device, or it does not answer like edu), or
 * an access error.
 */
int uvf_edu_probe(struct uvf_device *dev);

/**
 * uvf_edu_open() - probe @dev and enable memory decoding and bus mastering
 * @dev: device; must outlive the handle
 * @out: driver handle
 *
 * Return: 0, an error from uvf_edu_probe(), -ENOMEM, or an access error.
 */
int uvf_edu_open(struct uvf_device *dev, struct uvf_edu **out);

/**
 * uvf_edu_close() - free the handle (the device stays open)
 * @edu: handle, may be NULL
 *
 * Return: nothing.
 */
void uvf_edu_close(struct uvf_edu *edu);

/**
 * uvf_edu_ident() - the identification register, 0xRRrr00ed
 * @edu: handle
 * @ident: value
 *
 * Return: 0 or an access error.
 */
int uvf_edu_ident(struct uvf_edu *edu, uint32_t *ident);

/**
 * uvf_edu_dma_start() - start one transfer between memory and the buffer
 * @edu: handle
 * @dir: direction
 * @addr: device address of the memory side (an IOVA, or a physical address
 *        without an IOMMU), below 256 MiB
 * @buf_off: offset inside the device buffer
 * @len: bytes, at least 1; the transfer must end before the buffer's last
 *       byte (QEMU 7.2 aborts the VM for one ending exactly at the end)
 * @irq: raise UVF_EDU_IRQ_DMA on completion
 *
 * Return: 0; -EINVAL (bad direction or length, outside the buffer);
 * -ERANGE (@addr + @len beyond the 28-bit DMA mask); -EBUSY (a transfer is
 * running); or an access error.
 */
int uvf_edu_dma_start(struct uvf_edu *edu, enum uvf_edu_dir dir,
		      uvf_iova_t addr, uint32_t buf_off, uint32_t len,
		      bool irq);

/**
 * uvf_edu_dma_wait() - wait until the running transfer has finished
 * @edu: handle
 * @timeout_ms: give up after this long (edu takes about 100 ms a transfer)
 *
 * Return: 0, -ETIMEDOUT, or an access error.
 */
int uvf_edu_dma_wait(struct uvf_edu *edu, int timeout_ms);

/**
 * uvf_edu_raise_irq() - make the device raise an interrupt
 * @edu: handle
 * @bits: ORed into the interrupt status register, non-zero
 *
 * Return: 0, -EINVAL (@bits is 0), or an access error.
 */
int uvf_edu_raise_irq(struct uvf_edu *edu, uint32_t bits);

/**
 * uvf_edu_irq_status() - the interrupt status register
 * @edu: handle
 * @bits: value
 *
 * Return: 0 or an access error.
 */
int uvf_edu_irq_status(struct uvf_edu *edu, uint32_t *bits);

/**
 * uvf_edu_irq_ack() - clear bits of the interrupt status register
 * @edu: handle
 * @bits: bits to clear
 *
 * Return: 0 or an access error.
 */
int uvf_edu_irq_ack(struct uvf_edu *edu, uint32_t bits);

extern const struct uvf_driver uvf_edu_driver;
extern const struct uvf_dmaengine_ops uvf_edu_dmaengine_ops;

#endif
