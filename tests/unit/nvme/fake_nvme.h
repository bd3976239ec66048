/* SPDX-License-Identifier: MIT */
/*
 * A small NVMe controller model for the driver's unit tests: a struct
 * uvf_device behind the software IOMMU whose BAR 0 holds the NVMe registers.
 * A doorbell write makes it fetch and execute the new commands at once
 * (admin: Identify, Set Features, create/delete queues; I/O: Read, Write,
 * Write Zeroes, Flush against an in-memory namespace) and post their
 * completions, raising MSI-X/MSI through the core's eventfds. Every byte it
 * moves goes through uvf_sim_dma_read/write, so IOMMU permissions are
 * enforced and PRPs are walked as a controller walks them, with the rules
 * checked (offsets, list chaining).
 *
 * It can also misbehave (struct fake_nvme_faults), to show the driver
 * turns that into errors.
 */
#ifndef UVF_TEST_FAKE_NVME_H
#define UVF_TEST_FAKE_NVME_H

#include <stdbool.h>
#include <stdint.h>

struct uvf_device;
struct uvf_iommu;

struct fake_nvme_params {
	uint16_t vendor, device;
	uint32_t class_code;
	uint16_t mqes;		/* CAP.MQES, 0's based */
	uint8_t dstrd;		/* CAP.DSTRD */
	uint8_t to;		/* CAP.TO, 500 ms units */
	uint8_t mpsmin;		/* CAP.MPSMIN */
	uint8_t mdts;		/* Identify MDTS; 0 no limit */
	uint8_t lbads;		/* block size shift */
	uint64_t nsze;		/* blocks of each namespace */
	unsigned int nr_ns;	/* namespaces 1..nr_ns */
	unsigned int max_queues;/* I/O queues Set Features grants */
	unsigned int vectors;	/* MSI-X (or MSI) vectors */
	bool no_msix;		/* MSI only */
	bool write_zeroes;	/* ONCS */
	bool vwc;
	/* OACS bit 8, Doorbell Buffer Config: I/O queues then take their
	 * SQ tail and CQ head from the shadow buffer, and the fake posts
	 * EventIdx as the tail it has fetched to and the head it has seen,
	 * as QEMU does. */
	bool dbbuf;
	/* Identify SGLS, raw: 0 no SGLs (the default here), 1 any
	 * alignment (QEMU), 2 dword-aligned data blocks. */
	uint32_t sgls;
	/* The namespace formatted with @ms bytes of metadata per block (0:
	 * none), extended (after each block's data) or separate (MPTR). */
	uint32_t md_nsid;
	uint16_t ms;
	bool md_extended;
	/* Controller Memory Buffer in BAR 2, cmb_units of 64 KiB (CMBSZ.SZU
	 * 1); 0: none. SQS unless cmb_no_sqs; CMBLOC.OFST cmb_ofst units;
	 * BAR 2 as large as offset and CMB unless cmb_bar_size says. CAP.CMBS
	 * (CMBMSC, NVMe 1.4) unless cmb_legacy: registers valid at once, the
	 * BAR's address decoded. SQ entries at CMB addresses are read from
	 * it; CC.EN going to 0 clears CMBMSC. */
	uint32_t cmb_units;
	bool cmb_no_sqs;
	uint32_t cmb_ofst;
	uint64_t cmb_bar_size;
	bool cmb_legacy;
	/* SR-IOV, as QEMU's sriov_max_vfs: that many secondary controllers
	 * (IDs 2, 3, ... for VFs 1, 2, ...), offline, sharing a pool of
	 * flexible queue and interrupt resources; OACS bit 7 then. */
	unsigned int sriov_vfs;		/* at most 4 */
	/* As QEMU 7.2: SR-IOV and Virtualization Management without
	 * OACS bit 7. */
	bool sriov_no_oacs;
	unsigned int sriov_vq, sriov_vi;
};

/* A secondary controller as Virtualization Management left it. */
struct fake_nvme_secondary {
	unsigned int nvq, nvi;
	bool online;
};

/* BAR 2's bus address in the fake's configuration space. */
#define FAKE_NVME_BAR2_ADDR 0x7f0000000000ull

/* Device-side misbehaviour; the I/O ones affect I/O queues only. */
struct fake_nvme_faults {
	bool never_ready;	/* CSTS.RDY never follows CC.EN = 1 */
	bool fatal;		/* CSTS.CFS set, nothing processed */
	bool fatal_until_reset;	/* the same, until CC.EN goes to 0 (then
				 * this clears): a reset recovers it */
	bool drop;		/* I/O commands fetched, never completed */
	bool bogus_cid;		/* completions carry a wrong command ID */
	bool stale_phase;	/* completions posted with the old phase */
	bool hold;		/* doorbells noted, commands not fetched */
};

struct fake_nvme_stats {
	uint64_t admin, reads, writes, write_zeroes, flushes;
	uint64_t bytes_read, bytes_written;
	uint64_t prp_list_pages;	/* list pages walked, all commands */
	unsigned int max_list_pages;	/* most by one command */
	uint64_t aborted_by_delete;	/* completions "SQ deleted" */
	uint64_t dma_faults;		/* transfers the IOMMU refused */
	uint64_t irqs;			/* interrupts raised */
	uint64_t shutdowns;		/* CC.SHN normal requests */
	unsigned int live_io_queues;	/* created and not deleted */
	/* Doorbell register writes to I/O queues (MMIO only, not the
	 * shadow buffer). */
	uint64_t sq_doorbell_writes, cq_doorbell_writes;
	uint64_t dbbuf_configs;		/* Doorbell Buffer Config commands */
	unsigned int aers_pending;	/* Asynchronous Event Requests held */
	uint64_t enables;		/* CC.EN 0 -> 1 */
	uint64_t sgl_cmds;		/* commands whose data came by SGL */
	uint64_t sgl_data_blocks;	/* data block descriptors walked */
	uint64_t sgl_segments;		/* SGL segments read */
	uint64_t md_bytes;		/* separate metadata moved (MPTR) */
	bool cmb_decoded;		/* CMBMSC.CMSE (or legacy) */
	uint64_t cmb_cba;		/* CMBMSC.CBA as last set */
	uint64_t cmbmsc_writes;		/* low-half writes */
	uint64_t cmb_sqe_fetches;	/* SQ entries read from the CMB */
};

void fake_nvme_params_default(struct fake_nvme_params *p);
/* A fake controller on software IOMMU @iommu; close with
 * uvf_device_close(). ck_assert()s on failure. */
struct uvf_device *fake_nvme_create(struct uvf_iommu *iommu,
				    const struct fake_nvme_params *p);
void fake_nvme_set_faults(struct uvf_device *dev,
			  const struct fake_nvme_faults *f);
/* Fetch and execute what "hold" kept back (the shadow tail too). */
void fake_nvme_release(struct uvf_device *dev);
void fake_nvme_get_stats(struct uvf_device *dev, struct fake_nvme_stats *st);
/* Completes the oldest Asynchronous Event Request with an event of @type,
 * @info, for log page @log: false when none was outstanding. */
bool fake_nvme_async_event(struct uvf_device *dev, uint8_t type,
			   uint8_t info, uint8_t log);
/* Secondary controller @i (0 for VF 1). */
struct fake_nvme_secondary fake_nvme_secondary(struct uvf_device *dev,
					       unsigned int i);

/* Surprise removal: every register reads all ones from now on. */
void fake_nvme_remove(struct uvf_device *dev);
/* The namespace's media, for checking what was written. */
uint8_t *fake_nvme_media(struct uvf_device *dev, uint32_t nsid);
/* The metadata namespace's metadata, ms bytes per block. */
uint8_t *fake_nvme_meta(struct uvf_device *dev);

#endif
