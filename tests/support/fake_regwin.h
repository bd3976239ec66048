/* SPDX-License-Identifier: MIT */
/*
 * The base of the unit tests' device fakes (tests/unit/nvme/fake_nvme.c,
 * tests/unit/e1000e/fake_e1000e.c): a struct uvf_device whose BAR 0 is a
 * window of 32-bit registers behind a fake's read and write hooks, with a
 * 256-byte configuration space in which only the command register is
 * writable, interrupts on the core's eventfds, and DMA through the software
 * IOMMU. One lock serialises every access; hooks run with it held.
 *
 * A fake embeds struct fake_regwin first and is allocated by
 * fake_regwin_create(); uvf_device_close() frees it.
 */
#ifndef UVF_TEST_FAKE_REGWIN_H
#define UVF_TEST_FAKE_REGWIN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "device/device_priv.h"

struct fake_regwin;

/* What a fake plugs in; read and write are required. */
struct fake_regwin_ops {
	/* One 32-bit register; may have side effects (clear on read). */
	uint32_t (*read)(struct fake_regwin *w, uint32_t off);
	void (*write)(struct fake_regwin *w, uint32_t off, uint32_t val);
	/* After each BAR write, with the lock dropped: for work that takes
	 * another device's lock (a NIC's frames to its peer). Optional. */
	void (*after_write)(struct fake_regwin *w);
	/* Function-level reset; NULL: the device has none (-ENOTSUP). */
	void (*reset)(struct fake_regwin *w);
	/* Frees what the fake allocated itself; the base frees the rest. */
	void (*destroy)(struct fake_regwin *w);
};

struct fake_regwin_desc {
	const char *name;	/* device name, "fake-nvme0" */
	uint16_t rid;		/* requester ID */
	uint16_t vendor, device;
	uint32_t class_code;	/* base class << 16 | subclass << 8 | prog-if */
	uint64_t bar0_size;
	uint32_t bar0_flags;	/* UVF_BAR_* */
	bool split64;		/* a 64-bit access is two 32-bit ones, low
				 * half first; else only 32-bit accesses */
	bool dma_needs_master;	/* no DMA while bus mastering is off */
	unsigned int msix_max;	/* MSI-X vectors accepted; 0: no MSI-X */
	unsigned int msi_max;	/* MSI vectors accepted */
	/* BAR 2: plain memory the fake owns (a CMB), mapped as it is; 0
	 * bar2_size: none. bar2_addr is its bus address in config space. */
	uint64_t bar2_size;
	void *bar2_mem;
	uint64_t bar2_addr;
};

struct fake_regwin {
	struct uvf_device dev;	/* first: the core hands us this pointer */
	pthread_mutex_t lock;
	const struct fake_regwin_ops *ops;
	struct fake_regwin_desc desc;
	uint8_t cfg[256];
	enum uvf_irq_type irq_type;
	const int *irq_fds;	/* NULL while interrupts are off */
	unsigned int irq_nvec;
	/* The fake's counters the base bumps; each may be NULL. */
	uint64_t *irqs;		/* eventfd signals */
	uint64_t *dma_faults;	/* transfers the IOMMU refused */
	uint64_t *dma_blocked;	/* attempted with bus mastering off */
	/* Surprise-removed: reads return all ones, writes and DMA go
	 * nowhere, as on a PCIe link that is down. */
	bool removed;
};

/* Allocates @size zeroed bytes (the fake, struct fake_regwin first) on
 * software IOMMU @iommu; ck_assert()s on failure. */
void *fake_regwin_create(size_t size, const struct fake_regwin_ops *ops,
			 const struct fake_regwin_desc *desc,
			 struct uvf_iommu *iommu);

/* The fake behind a device that fake_regwin_create() made. */
struct fake_regwin *fake_regwin_of(struct uvf_device *dev);

/* Signals interrupt vector @vec, lock held: true when an eventfd was
 * signalled (interrupts on, @vec among them). */
bool fake_regwin_signal(struct fake_regwin *w, unsigned int vec);

/* Device-side DMA through the IOMMU, lock held: 0, -EPERM while bus
 * mastering is off (with dma_needs_master), -EFAULT when refused. */
int fake_regwin_dma_read(struct fake_regwin *w, uint64_t iova, void *buf,
			 size_t len);
int fake_regwin_dma_write(struct fake_regwin *w, uint64_t iova,
			  const void *buf, size_t len);

/* Copies @len bytes from @src to @dst with the lock held: a fake's stats
 * out, or its faults in. */
void fake_regwin_locked_copy(struct fake_regwin *w, void *dst,
			     const void *src, size_t len);

/* Takes the device away (fake_regwin.removed); for good. */
void fake_regwin_remove(struct fake_regwin *w);

/* The PCI command register. */
uint16_t fake_regwin_pci_command(struct fake_regwin *w);

#endif
