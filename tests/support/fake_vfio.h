/* SPDX-License-Identifier: MIT */
/*
 * A fake VFIO kernel for the VFIO layer's unit tests: a struct vfio_sys
 * whose open/ioctl/pread/pwrite/mmap act on in-memory containers, groups,
 * devices (and, when compiled in, an iommufd), together with a fake sysfs
 * and /dev tree (tests/support/fake_sysfs.h) naming them. It keeps the
 * semantics the backends rely on: type1v2 entries with dma_avail, exact
 * unmaps, group viability, the container's IOMMU dropped with its last
 * group, capability chains in the info replies.
 */
#ifndef UVF_TEST_FAKE_VFIO_H
#define UVF_TEST_FAKE_VFIO_H

#include <pthread.h>

#include <linux/vfio.h>

#include "fake_sysfs.h"
#include "vfio/config.h"
#include "vfio/vfio_priv.h"

#if UVF_HAVE_IOMMUFD
#include <linux/iommufd.h>
#endif
/* The HWPT, hardware-info and dirty-tracking calls (6.7+ uAPI). */
#if UVF_HAVE_IOMMUFD && defined(IOMMU_HWPT_GET_DIRTY_BITMAP)
#define UVF_HAVE_HWPT_UAPI 1
#else
#define UVF_HAVE_HWPT_UAPI 0
#endif

/* Fault queues and nested HWPTs (6.11+ uAPI). */
#if UVF_HAVE_HWPT_UAPI && defined(IOMMU_FAULT_QUEUE_ALLOC)
#define UVF_HAVE_FAULT_UAPI 1
#else
#define UVF_HAVE_FAULT_UAPI 0
#endif
/* The selftest mock's nested data: struct iommu_hwpt_selftest (a u32). */
#define FK_HWPT_DATA_SELFTEST 0xdeadu
#define FK_HW_INFO_TYPE_SELFTEST 0xfeedbeefu

#define FK_MAX_DEVS 4
#define FK_MAX_ENTRIES 256
#define FK_MAX_IOAS 4
#define FK_MAX_HWPT 8
#define FK_MAX_DIRTY 64
#define FK_MAX_FAULTQ 2
#define FK_MAX_GROUPS 4		/* page request groups a queue holds */
#define FK_MAX_GROUP_FAULTS 4

struct fk_region {
	uint64_t size;
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
	struct vfio_region_sparse_mmap_area sparse[4];
	unsigned int nr_sparse;	/* > 0: report a sparse-mmap capability */
};

struct fk_dev {
	const char *bdf;
	int group;
	bool noiommu;		/* /dev/vfio/noiommu-N */
	bool cdev;		/* has vfio-dev/vfioN and its /dev node */
	bool conventional;	/* not PCI Express: like vfio-pci, the fake
				 * refuses the error IRQ's info (-EINVAL) */
	bool reset;		/* VFIO_DEVICE_FLAGS_RESET */
	/* SR-IOV: a PF has sriov_* attributes and a VF token (kzalloc'ed
	 * by vfio-pci: all zero until set); a VF names its PF (physfn). */
	bool sriov_pf;
	const char *physfn;
	uint8_t vf_token[16];
	int reset_bus;		/* > 0: on a resettable bus with every other
				 * device of the same number (hot reset) */
	uint32_t irq_count[VFIO_PCI_NUM_IRQS];	/* by VFIO IRQ index */
	struct fk_region region[VFIO_PCI_NUM_REGIONS];
	uint8_t cfg[256];
	uint8_t bar0[0x4000];	/* what pread/pwrite reach */
	/* Recorded by the fake. */
	int open_fds;
	unsigned int set_irqs, resets, mmaps, hot_resets, token_sets;
	uint32_t last_irq_flags, last_irq_index, last_irq_count;
	int32_t last_fds[8];
	/* Error and request triggers, as the kernel keeps them: -1 none. */
	int32_t err_trigger, req_trigger;
	uint32_t ioas;		/* iommufd: attached IOAS or HWPT, 0 none */
	uint32_t devid;		/* iommufd: from the bind */
	bool bound;
	/* iommufd: what IOMMU_GET_HW_INFO reports of the device's IOMMU. */
	uint32_t hw_type;	/* IOMMU_HW_INFO_TYPE_* (default VT-d) */
	bool dirty_cap;		/* IOMMU_HW_CAP_DIRTY_TRACKING */
};

/* An iommufd HWPT on an IOAS (IOMMU_HWPT_ALLOC). */
struct fk_hwpt {
	uint32_t id;		/* 0: free slot */
	uint32_t ioas, dev_id;
	uint32_t flags;		/* IOMMU_HWPT_ALLOC_* */
	bool tracking;
	uint32_t fault_id;	/* IOMMU_HWPT_FAULT_ID_VALID's queue, 0 none */
	uint32_t data_type;	/* nested: IOMMU_HWPT_DATA_* */
	uint64_t dirty[FK_MAX_DIRTY];	/* pages written while tracking */
	unsigned int nr_dirty;
};

/* One I/O page fault as the IOMMU reports it. */
struct fk_iopf {
	uint32_t flags;		/* IOMMU_PGFAULT_FLAGS_PASID_VALID */
	uint32_t pasid, grpid, perm;
	uint64_t addr;
};

/* A page request group: waiting to be read (cookie 0), or read and
 * waiting for its response. */
struct fk_fault_group {
	uint32_t cookie;
	uint32_t dev_id;
	unsigned int n;
	struct fk_iopf f[FK_MAX_GROUP_FAULTS];
};

/* An iommufd fault object (IOMMU_FAULT_QUEUE_ALLOC) and its file. */
struct fk_faultq {
	uint32_t id;		/* 0: free slot */
	struct fk_fault_group wait[FK_MAX_GROUPS];	/* oldest first */
	unsigned int nr_wait;
	struct fk_fault_group sent[FK_MAX_GROUPS];
	unsigned int nr_sent;
	uint32_t next_cookie;
	/* Recorded: page responses sent to devices, the last one's. */
	unsigned int responses;
	uint32_t last_cookie, last_code;
};

struct fk_entry {
	uint64_t iova, size, vaddr;
	uint32_t flags;
};

struct fk_group {
	int nr;
	bool viable;
	bool open;
	bool in_container;
};

struct fake_vfio {
	struct fake_sysfs fs;
	struct vfio_sys sys;
	struct fk_dev dev[FK_MAX_DEVS];
	unsigned int nr_devs;
	struct fk_group group[FK_MAX_DEVS];
	unsigned int nr_groups;
	/* The container. */
	bool type1v2, type1, noiommu_ext;
	unsigned long iommu;		/* set type, 0 none */
	unsigned int groups_in;
	bool report_avail;		/* DMA_AVAIL capability */
	uint32_t dma_entry_limit, dma_avail;
	struct vfio_iova_range ranges[4];
	unsigned int nr_ranges;
	struct fk_entry entry[FK_MAX_ENTRIES];
	unsigned int nr_entries;
	/* iommufd */
	uint32_t next_id;
	uint32_t ioas[FK_MAX_IOAS];
	struct fk_entry ioas_entry[FK_MAX_IOAS][FK_MAX_ENTRIES];
	unsigned int ioas_nr[FK_MAX_IOAS];
	struct fk_hwpt hwpt[FK_MAX_HWPT];
	struct fk_faultq faultq[FK_MAX_FAULTQ];
	/* noiommu pagemap: PFN of page i of any query = base + i * stride. */
	uint64_t pfn_base, pfn_stride;
	bool pfn_present;
	/* Every open is refused with -EACCES, as for a process without
	 * rights on the nodes (fds passed by a broker still work). */
	bool deny_open;
	/* Fail the next ioctl with this request code, after letting
	 * @fail_skip of them through. */
	unsigned long fail_req;
	int fail_err;
	unsigned int fail_skip;
	/* Open fds: kind and object. */
	struct {
		int kind;
		int idx;
		unsigned int ofd;	/* open file: shared by dups */
	} fd[64];
	unsigned int next_ofd;
	unsigned int ioctls;
	bool published;
	/* Like the kernel, one ioctl at a time inside; callers may race. */
	pthread_mutex_t lock;
	/* MAP ioctls (type1 and IOAS) first sleep this long outside the
	 * lock, as pinning pages does, and then wait (up to 2 s) until
	 * @map_rendezvous of them are in flight at once. */
	unsigned int map_sleep_ns;
	unsigned int map_rendezvous;
	unsigned int maps_in_flight, max_maps_in_flight;
	pthread_cond_t map_cond;
	/* MAP ioctls refused because they overlapped a mapping: uvf must
	 * never send one. */
	unsigned int overlap_refusals;
};

/* Creates the trees; add devices with fk_add_dev(), then fk_publish(). */
void fk_init(struct fake_vfio *fk);
void fk_fini(struct fake_vfio *fk);
/* A device with a 16 KiB mappable BAR0, 4 KiB config, 1 MSI and 8 MSI-X
 * vectors; change fields before fk_publish(). */
struct fk_dev *fk_add_dev(struct fake_vfio *fk, const char *bdf, int group);
/* Writes the sysfs and /dev entries for every device (once). */
void fk_publish(struct fake_vfio *fk);
/* After fk_publish(): the sysfs links of VF number @index of PF @pf
 * (physfn, virtfnN); set the VF's physfn field too for the token check. */
void fk_link_vf(struct fake_vfio *fk, const char *pf, const char *vf,
		unsigned int index);
/* uvf_vfio_opts pointing at the fake trees. */
struct uvf_vfio_opts fk_opts(struct fake_vfio *fk,
			     enum uvf_vfio_backend backend);
/* The flavours with an IOMMU this build has, for loop tests: type1, and
 * iommufd when it is compiled in. Returns how many. */
int fk_backends(enum uvf_vfio_backend out[2]);
/* Creates /dev/iommu in the fake tree: the kernel has iommufd. */
void fk_add_dev_iommu(struct fake_vfio *fk);
/* Signals VFIO IRQ index @index (VFIO_PCI_ERR_IRQ_INDEX or
 * VFIO_PCI_REQ_IRQ_INDEX) of @d as the kernel does on an AER error or an
 * unplug request: true when a trigger was set. */
bool fk_signal_event(struct fk_dev *d, uint32_t index);
/* The HWPT @id, or NULL. */
struct fk_hwpt *fk_hwpt(struct fake_vfio *fk, uint32_t id);
/* A device writes the page of @iova through HWPT @id, as the IOMMU sees
 * it: the page is marked dirty when the HWPT tracks and the IOAS maps it
 * writable. Returns whether it was marked. */
bool fk_hwpt_write(struct fake_vfio *fk, uint32_t id, uint64_t iova);
/* A context of @backend on the fake, device @bdf open and attached to a
 * new translated domain (ck_asserts). */
void fk_open_attached(struct fake_vfio *fk, enum uvf_vfio_backend backend,
		      const char *bdf, struct uvf_iommu **iommu,
		      struct uvf_device **dev, struct uvf_domain **dom);
/* Undoes fk_open_attached(); checks that no fd of the fake stays open. */
void fk_close_attached(struct fake_vfio *fk, struct uvf_iommu *iommu,
		       struct uvf_device *dev, struct uvf_domain *dom);
/* The fault queue @id, or NULL. */
struct fk_faultq *fk_faultq(struct fake_vfio *fk, uint32_t id);
/* Device @dev_id reports a page request group of @n faults (the last
 * flagged LAST_PAGE), as IOMMU_TEST_OP_TRIGGER_IOPF has the mock do:
 * queued on the fault queue of the HWPT the device is attached to.
 * Returns 0, -ENOENT (no such bound device), -EINVAL (its page table
 * reports no faults, or @n is 0 or too many), -ENOSPC (queue full). */
int fk_fault_trigger(struct fake_vfio *fk, uint32_t dev_id,
		     const struct fk_iopf *f, unsigned int n);
/* Open descriptors of this process, eventfds included. */
unsigned int fk_process_fds(void);
/* Open fds the fake handed out that are still open. */
unsigned int fk_open_fds(const struct fake_vfio *fk);
/* Opens @node ("vfio/vfio", "vfio/5") of the fake /dev as another
 * program would (DPDK's EAL owning a container, say); ck_asserts. */
int fk_open_node(struct fake_vfio *fk, const char *node);

#endif
