/* SPDX-License-Identifier: MIT */
/*
 * The software IOMMU model: the hardware, when the machine has none.
 *
 * A simulated IOMMU keeps I/O page tables in a real hardware format
 * (uvf/pgtable.h), an IOTLB and a fault log. Simulated devices behind it do
 * DMA through uvf_sim_dma_read()/uvf_sim_dma_write(): the IOVA goes through
 * the IOTLB, else a page-table walk; permissions are checked; a failure is
 * recorded in the fault log and no memory is touched. In the model a
 * physical address is a host virtual address of this process.
 */
#ifndef UVF_SIM_H
#define UVF_SIM_H

#include <uvf/acpi.h>
#include <uvf/iommu.h>
#include <uvf/pgtable.h>

struct uvf_device;

struct uvf_sim_iommu_params {
	enum uvf_pgtable_format format;
	unsigned int iotlb_sets;	/* power of two; default 64 */
	unsigned int iotlb_ways;	/* power of two; default 8 */
	unsigned int fault_log_size;	/* entries; default 256 */
	/* Like VFIO type1's dma_entry_limit, in mapping records (one per
	 * map call): 0 means no limit. */
	uint64_t mapping_limit;
	/* Highest IOVA the IOMMU translates, to model a narrower aperture
	 * (a 32-bit device, say); 0 means the format's full input range. */
	uvf_iova_t aperture_last;
	/* Firmware direct regions (from uvf_acpi_*()); may be NULL. */
	const struct uvf_direct_regions *direct;
	/* Reserved regions every device behind this IOMMU reports (an MSI
	 * window, say); may be NULL. */
	const struct uvf_resv_region *resv;
	size_t nr_resv;
};

enum uvf_access {
	UVF_ACCESS_READ,	/* device reads memory */
	UVF_ACCESS_WRITE,	/* device writes memory */
};

enum uvf_fault_reason {
	UVF_FAULT_NOT_PRESENT,		/* no translation */
	UVF_FAULT_PERMISSION,		/* translation lacks the access */
	UVF_FAULT_OUTSIDE_APERTURE,	/* beyond the format's address bits */
	UVF_FAULT_RESERVED,		/* inside a reserved region */
	UVF_FAULT_NO_DOMAIN,		/* device not attached (no context) */
};

struct uvf_fault {
	uvf_iova_t iova;
	uint16_t segment;
	uint16_t rid;
	uint16_t domid;
	enum uvf_access access;
	enum uvf_fault_reason reason;
};

struct uvf_sim_iotlb_stats {
	uint64_t hits, misses, fills, evictions;
	uint64_t inval_range, inval_domain, inval_global;
	uint64_t entries_invalidated;
	uint64_t walks;			/* page-table walks done on misses */
};

/**
 * uvf_sim_iommu_params_default() - defaults for a format
 * @p: filled in
 * @format: page-table format
 *
 * Return: nothing.
 */
void uvf_sim_iommu_params_default(struct uvf_sim_iommu_params *p,
				  enum uvf_pgtable_format format);

/**
 * uvf_sim_iommu_create() - create a software IOMMU
 * @p: parameters (copied)
 * @out: the IOMMU; free with uvf_iommu_destroy()
 *
 * Return: 0, -EINVAL (unknown format, IOTLB geometry not powers of two,
 * zero fault log), -ENOMEM.
 */
int uvf_sim_iommu_create(const struct uvf_sim_iommu_params *p,
			 struct uvf_iommu **out);

/**
 * uvf_sim_iommu_fault_pop() - take the oldest fault from the fault log
 * @iommu: software IOMMU
 * @f: filled in
 *
 * Return: 0, -ENOENT (log empty), -EINVAL (not a software IOMMU).
 */
int uvf_sim_iommu_fault_pop(struct uvf_iommu *iommu, struct uvf_fault *f);

/**
 * uvf_sim_iommu_faults_dropped() - faults lost because the log was full
 * @iommu: software IOMMU
 *
 * Return: the count (0 for another backend).
 */
uint64_t uvf_sim_iommu_faults_dropped(struct uvf_iommu *iommu);

/**
 * uvf_sim_iommu_iotlb_stats() - IOTLB counters
 * @iommu: software IOMMU
 * @st: filled in
 *
 * Return: 0, -EINVAL (not a software IOMMU).
 */
int uvf_sim_iommu_iotlb_stats(struct uvf_iommu *iommu,
			      struct uvf_sim_iotlb_stats *st);

/**
 * uvf_sim_iommu_iotlb_flush() - drop every IOTLB entry (global
 *                               invalidation), as after a reset
 * @iommu: software IOMMU
 *
 * Return: 0, -EINVAL (not a software IOMMU).
 */
int uvf_sim_iommu_iotlb_flush(struct uvf_iommu *iommu);

/**
 * uvf_sim_translate() - what the IOMMU does for one device access
 * @dev: simulated device
 * @iova: address the device uses
 * @access: read or write
 * @paddr: translated address
 *
 * IOTLB first, page-table walk (and IOTLB fill) on a miss. A failure is
 * logged in the fault log.
 *
 * Return: 0, or -EFAULT (a fault was recorded).
 */
int uvf_sim_translate(struct uvf_device *dev, uvf_iova_t iova,
		      enum uvf_access access, uint64_t *paddr);

/**
 * uvf_sim_dma_read() - device reads memory at @iova into @buf
 * @dev: simulated device
 * @iova: first address
 * @buf: destination (device-side buffer)
 * @len: bytes
 *
 * Every page is translated before any byte is copied.
 *
 * Return: 0, -EINVAL (zero length, or the range wraps), -EFAULT (a fault
 * was recorded; nothing copied).
 */
int uvf_sim_dma_read(struct uvf_device *dev, uvf_iova_t iova, void *buf,
		     size_t len);

/**
 * uvf_sim_dma_write() - device writes @buf to memory at @iova
 * @dev: simulated device
 * @iova: first address
 * @buf: source (device-side buffer)
 * @len: bytes
 *
 * Every page is translated before any byte is written, so a fault leaves
 * memory untouched.
 *
 * Return: as for uvf_sim_dma_read().
 */
int uvf_sim_dma_write(struct uvf_device *dev, uvf_iova_t iova,
		      const void *buf, size_t len);

/*
 * The simulated DMA engine: copies LEN bytes from IOVA SRC to IOVA DST when
 * START is written to CTRL; STATUS reports the outcome; with IRQ set in CTRL,
 * completion raises MSI vector 0 and counts it in MSI_COUNT. All registers
 * are 64-bit, in BAR 0. Writing RAISE_MSI raises vector 0 at once, for
 * interrupt-path tests.
 */
#define UVF_SIM_DMAE_VENDOR 0x1de5	/* made up; not a real vendor */
#define UVF_SIM_DMAE_DEVICE 0xd0e1
#define UVF_SIM_DMAE_REG_ID 0x00	/* reads UVF_SIM_DMAE_ID */
#define UVF_SIM_DMAE_REG_SRC 0x08
#define UVF_SIM_DMAE_REG_DST 0x10
#define UVF_SIM_DMAE_REG_LEN 0x18
#define UVF_SIM_DMAE_REG_CTRL 0x20
#define UVF_SIM_DMAE_REG_STATUS 0x28
#define UVF_SIM_DMAE_REG_MSI_COUNT 0x30
#define UVF_SIM_DMAE_REG_COPIES 0x38	/* completed copies */
#define UVF_SIM_DMAE_REG_RAISE_MSI 0x40	/* any write raises MSI vector 0 */
#define UVF_SIM_DMAE_BAR0_SIZE 0x1000
#define UVF_SIM_DMAE_ID 0x55564644u	/* "UVFD" */
#define UVF_SIM_DMAE_CTRL_START (1u << 0)
#define UVF_SIM_DMAE_CTRL_IRQ (1u << 1)
#define UVF_SIM_DMAE_STATUS_IDLE 0
#define UVF_SIM_DMAE_STATUS_DONE 1
#define UVF_SIM_DMAE_STATUS_FAULT 2	/* translation fault: nothing copied */
#define UVF_SIM_DMAE_STATUS_INVALID 3	/* zero or oversized length */
#define UVF_SIM_DMAE_MAX_LEN (16ull << 20)

/**
 * uvf_sim_dmaengine_create() - create a simulated DMA engine device
 * @iommu: software IOMMU it sits behind
 * @segment: PCI segment
 * @rid: requester ID (bus << 8 | devfn); firmware direct regions for this
 *       ID apply to it
 * @out: the device; free with uvf_device_close()
 *
 * Return: 0, -EINVAL (not a software IOMMU), -ENOMEM.
 */
int uvf_sim_dmaengine_create(struct uvf_iommu *iommu, uint16_t segment,
			     uint16_t rid, struct uvf_device **out);

/**
 * uvf_fault_reason_name() - "not-present", "permission", ...
 * @reason: reason
 *
 * Return: a static string.
 */
const char *uvf_fault_reason_name(enum uvf_fault_reason reason);

#endif
