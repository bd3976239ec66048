/* SPDX-License-Identifier: MIT */
/*
 * An 82574L model for the e1000e driver's unit tests: a struct uvf_device
 * behind the software IOMMU whose BAR 0 holds the registers the driver
 * uses, with the datasheet's behaviour: CTRL.RST resets the MAC and loads
 * receive address 0 from the EEPROM, statistics clear on read, ICR clears
 * on read or by writing ones. Two queues each way; receive descriptors
 * legacy or extended (RFCTL.EXTEN), transmit ones legacy, extended data
 * or context (checksum offload, computed as the datasheet says: the L4
 * sum includes the driver's pseudo-header seed). A frame longer than a
 * receive buffer (RCTL.BSIZE) spans several descriptors; RCTL.LPE lets
 * frames over 1522 bytes in. Filters: receive address 0, broadcast, the
 * multicast table (offset 0), UPE/MPE. RSS (MRQC, RSSRK, RETA) under
 * QEMU's conditions, and RXCSUM checks, as QEMU reports them. Writing
 * TDT sends the new frames at once (like QEMU); a frame arriving with no
 * free receive descriptor waits in a small FIFO (the on-chip packet
 * buffer) and beyond that is dropped and counted in MPC. Every byte moves
 * through uvf_sim_dma_read/write, so IOMMU permissions apply, and nothing
 * moves while bus mastering is off. Interrupts go to the core's eventfds:
 * MSI-X through IVAR (with EIAC auto-clear), or MSI on a rising ICR & IMS.
 *
 * Two fakes can be connected like QEMU's hub: a frame one sends arrives
 * at the other. An unconnected fake keeps what it sends for the test.
 */
#ifndef UVF_TEST_FAKE_E1000E_H
#define UVF_TEST_FAKE_E1000E_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct uvf_device;
struct uvf_iommu;

#define FAKE_E1000E_FIFO 8	/* frames the packet buffer holds */
#define FAKE_E1000E_MAX_FRAME 9728u	/* longest frame it moves */

struct fake_e1000e_params {
	uint16_t device;	/* PCI device ID; 0x10d3 */
	uint8_t mac[6];		/* what the EEPROM holds */
	uint16_t rid;
	uint64_t bar0_size;	/* 0x20000 */
	bool no_msix;		/* MSI only */
};

/* Misbehaviour, settable at any time. */
struct fake_e1000e_faults {
	bool reset_stuck;	/* CTRL.RST never clears */
	bool no_auto_read;	/* EECD.AUTO_RD never sets */
	bool link_down;		/* STATUS.LU stays clear */
	bool rar_invalid;	/* reset leaves RAH0.AV clear */
	bool eeprom_blank;	/* the EEPROM's MAC words read zero */
	bool rx_bad_frames;	/* received frames carry a CRC error */
	bool tx_hold;		/* TDT noted, frames not sent until release */
};

struct fake_e1000e_stats {
	uint64_t tx_frames, rx_frames;	/* sent; written to the ring */
	uint64_t rx_filtered;		/* not for us */
	uint64_t rx_oversize;		/* too long (RCTL.LPE) */
	uint64_t rx_queue[2], tx_queue[2];	/* frames per queue */
	uint64_t rx_disabled;		/* dropped: receive off or link down */
	uint64_t rx_overflow;		/* dropped: ring and FIFO full */
	uint64_t dma_faults;		/* transfers the IOMMU refused */
	uint64_t dma_blocked;		/* attempted with bus mastering off */
	uint64_t irqs;			/* eventfd signals */
	uint64_t resets;
};

void fake_e1000e_params_default(struct fake_e1000e_params *p);
/* A fake NIC on software IOMMU @iommu; close with uvf_device_close().
 * ck_assert()s on failure. */
struct uvf_device *fake_e1000e_create(struct uvf_iommu *iommu,
				      const struct fake_e1000e_params *p);
/* Frames sent by either arrive at the other (NULL @b: disconnect @a). */
void fake_e1000e_connect(struct uvf_device *a, struct uvf_device *b);
void fake_e1000e_set_faults(struct uvf_device *dev,
			    const struct fake_e1000e_faults *f);
/* Send what tx_hold kept back. */
void fake_e1000e_release(struct uvf_device *dev);
/* A frame from the wire. */
void fake_e1000e_inject(struct uvf_device *dev, const void *frame,
			size_t len);
/* Oldest frame an unconnected fake sent: its length, or -1 for none. */
int fake_e1000e_take_sent(struct uvf_device *dev, void *buf, size_t max);
void fake_e1000e_get_stats(struct uvf_device *dev,
			   struct fake_e1000e_stats *st);
/* Raw register access behind the driver's back (no side effects). */
uint32_t fake_e1000e_peek(struct uvf_device *dev, uint32_t reg);
void fake_e1000e_poke(struct uvf_device *dev, uint32_t reg, uint32_t val);
/* The PCI command register. */
uint16_t fake_e1000e_pci_command(struct uvf_device *dev);
/* Surprise removal: every register reads all ones from now on. */
void fake_e1000e_remove(struct uvf_device *dev);

#endif
