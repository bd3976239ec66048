/* SPDX-License-Identifier: MIT */
/* The NVMe driver's internals, shared by its files and its unit tests. */
#ifndef UVF_NVME_PRIV_H
#define UVF_NVME_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include <uvf/device.h>
#include <uvf/mmio.h>
#include <uvf/nvme.h>

#include "nvme_fault.h"
#include "nvme_regs.h"

/* Largest transfer when MDTS says "no limit": PRP list pages are
 * preallocated per command slot, so some bound is needed. */
#define NVME_DEFAULT_MAX_XFER (4u << 20)
/* Data of one admin command (uvf_nvme_admin()). */
#define NVME_ADMIN_MAX_XFER (64u << 10)
/* Submissions a batch holds back at most before the SQ tail is written
 * anyway: the controller should not sit idle behind a long batch. */
#define NVME_SQ_BATCH_MAX 64u

/* ---- PRP construction (prp.c) ---- */

/* Device address of @vaddr, a byte of a data buffer. */
typedef int (*nvme_xlate_fn)(const void *ctx, const void *vaddr,
			     uvf_iova_t *iova);

/* Memory pages a @len-byte buffer at @vaddr touches. */
static inline size_t nvme_pages_spanned(uintptr_t vaddr, size_t len)
{
	return ((vaddr + len - 1) >> NVME_PAGE_SHIFT) -
	       (vaddr >> NVME_PAGE_SHIFT) + 1;
}

/* Pages a chained list of @entries takes when a page holds @per entries
 * and each page but the last gives one of them to the pointer to the next
 * (PRP lists and SGL segments alike). One entry needs no page: the
 * command holds it. */
static inline unsigned int nvme_chain_pages(size_t entries, size_t per)
{
	if (entries <= 1)
		return 0;
	return (unsigned int)((entries - 1 + per - 2) / (per - 1));
}

/* One PRP list page. */
struct nvme_prp_page {
	uint64_t *va;
	uvf_iova_t iova;
};

/* List pages a command of up to @max_xfer bytes may need. */
unsigned int nvme_prp_list_pages(size_t max_xfer);
/* Fill PRP1/PRP2 and, for more than two pages, the list pages @lists (in
 * chain order) for a @len-byte buffer. */
int nvme_prp_build(const void *buf, size_t len, nvme_xlate_fn xlate,
		   const void *ctx, const struct nvme_prp_page *lists,
		   unsigned int list_pages, uint64_t *prp1, uint64_t *prp2);

/* ---- SGL construction (sgl.c) ---- */

/* Transfers from this size on use SGLs where the controller has them and
 * the options leave the choice to the driver (Linux's sgl_threshold). */
#define NVME_SGL_THRESHOLD (32u << 10)

/* Descriptor pages a command of up to @max_xfer bytes may need. */
unsigned int nvme_sgl_list_pages(size_t max_xfer);
/* List pages each command slot gets: enough for PRPs, and for SGLs when
 * the controller takes them. */
unsigned int nvme_slot_list_pages(const struct uvf_nvme_ctrl *ctrl,
				  size_t max_xfer);
/* Whether a @len-byte Read or Write goes out with SGLs. */
bool nvme_use_sgl(const struct uvf_nvme_ctrl *ctrl, size_t len);
/* Fill SGL1 and, for more than one run of device addresses, the
 * descriptor pages @lists for a @len-byte buffer; @dword: the controller
 * wants dword-aligned data blocks. Return: 0, -E2BIG (more runs than the
 * pages hold), -EINVAL, or the translation's error. */
int nvme_sgl_build(const void *buf, size_t len, bool dword,
		   nvme_xlate_fn xlate, const void *ctx,
		   const struct nvme_prp_page *lists, unsigned int list_pages,
		   struct nvme_sgl_desc *sgl1);

/* ---- Queue ring arithmetic ---- */

static inline uint32_t nvme_ring_next(uint32_t idx, uint32_t size)
{
	return idx + 1 == size ? 0 : idx + 1;
}

/* Advance a completion queue head; the expected phase flips on wrap. */
static inline void nvme_cq_advance(uint32_t *head, uint8_t *phase,
				   uint32_t size)
{
	*head = nvme_ring_next(*head, size);
	if (!*head)
		*phase ^= 1;
}

/* Entries between a queue's head and tail. */
static inline uint32_t nvme_ring_used(uint32_t head, uint32_t tail,
				      uint32_t size)
{
	return tail >= head ? tail - head : size - head + tail;
}

/* BAR 0 offsets of queue @qid's doorbells; @dstrd is CAP.DSTRD. */
static inline uint64_t nvme_sq_doorbell(uint16_t qid, uint32_t dstrd)
{
	return NVME_REG_DBS + (uint64_t)(2u * qid) * (4u << dstrd);
}

static inline uint64_t nvme_cq_doorbell(uint16_t qid, uint32_t dstrd)
{
	return NVME_REG_DBS + (uint64_t)(2u * qid + 1) * (4u << dstrd);
}

/*
 * Shadow doorbells (Doorbell Buffer Config): the host stores the new value
 * in the shadow buffer and writes the register only when the controller's
 * EventIdx lies in [@old, @new), i.e. it asked to hear of that step (the
 * NVMe specification's rule, as Linux's nvme_dbbuf_need_event()).
 */
static inline bool nvme_dbbuf_need_event(uint16_t event_idx, uint16_t new_idx,
					 uint16_t old_idx)
{
	return (uint16_t)(new_idx - event_idx - 1) <
	       (uint16_t)(new_idx - old_idx);
}

/* The 15-bit status field of a completion entry's status word. */
static inline uint16_t nvme_cqe_status(uint16_t raw)
{
	return raw >> 1;
}

/* ---- Controller and queue pairs ---- */

struct nvme_req {
	uvf_nvme_cb cb;
	void *arg;
	uint64_t deadline_ns;
	/* A per-command mapping (buffer not registered); NULL map_vaddr
	 * when there is none. */
	void *map_vaddr;
	uvf_iova_t map_iova;
	size_t map_len;
	enum uvf_dma_dir map_dir;
	/* The same for a separate metadata buffer. */
	void *md_map_vaddr;
	uvf_iova_t md_map_iova;
	size_t md_map_len;
	bool busy;
	bool timed_out;
};

/* A Read or Write larger than max_xfer, sent as children of at most
 * max_xfer bytes each (io.c). It completes once, when its last child has,
 * with the first child's error. Children that find no free slot wait on
 * the queue pair's list and go out as completions free slots. */
struct nvme_split {
	struct nvme_split *next;	/* on the waiting list */
	struct uvf_nvme_qpair *qp;
	uvf_nvme_cb cb;
	void *arg;
	struct uvf_nvme_cmd cmd;	/* children copy it */
	uint8_t *buf;			/* next child's data */
	uint8_t *md;			/* its separate metadata, or NULL */
	uint64_t lba;			/* next child's first block */
	uint32_t left;			/* blocks not sent yet */
	uint32_t chunk;			/* blocks per child at most */
	uint32_t bsize;			/* bytes of @buf per block */
	uint32_t ms;			/* bytes of @md per block */
	enum uvf_dma_dir dir;
	unsigned int outstanding;	/* children sent, not completed */
	bool waiting;			/* on the queue pair's list */
	int err;			/* the first child's error */
	struct uvf_nvme_cpl cpl;	/* its completion, else the last */
};

struct uvf_nvme_qpair {
	struct uvf_nvme_ctrl *ctrl;
	struct uvf_device *dev;
	uint16_t qid;
	uint32_t size;		/* entries per queue */
	uint32_t nslots;	/* size - 1: commands outstanding at most */
	uint32_t max_xfer;	/* bytes per command */
	struct uvf_nvme_cmd *sq;	/* host memory */
	uvf_iova_t sq_addr;		/* its address for Create I/O SQ */
	volatile uint64_t *sq_mmio;	/* the SQ in the CMB, else NULL */
	volatile struct nvme_cqe *cq;
	uint32_t sq_tail, sq_head, cq_head;
	uint8_t phase;
	uint64_t sq_db, cq_db;		/* doorbell offsets in BAR 0 */
	uint32_t sq_rung;		/* SQ tail the controller was given */
	uint32_t cq_unrung;		/* entries reaped since the CQ head write */
	bool ring_per_cmd;		/* no batching: admin, or PER_CMD */
	bool batch_open;		/* uvf_nvme_qpair_batch_begin() */
	/* This queue's shadow doorbell and EventIdx entries; NULL when
	 * shadow doorbells are off. */
	volatile uint32_t *sq_shadow, *cq_shadow;
	volatile uint32_t *sq_eventidx, *cq_eventidx;
	struct nvme_req *reqs;		/* indexed by command ID */
	uint16_t *free_cids;
	uint32_t nfree;
	/* prp_pages list pages per slot, from the heap at the slot's first
	 * command that needs them (va NULL until then). */
	struct nvme_prp_page *prp;
	unsigned int prp_pages;
	void *mem;			/* SQ and CQ, nvme_dma_alloc() */
	size_t mem_size;
	uvf_iova_t mem_iova;
	int irq_vec;			/* -1: completion by polling */
	bool irq_shared;		/* other queues raise irq_vec too */
	struct nvme_split *split_head;	/* splits waiting for free slots */
	struct nvme_split *split_tail;
	uint64_t timeout_ns;
	uint64_t next_check_ns;		/* next CSTS and deadline check */
	uint32_t ns_nsid;		/* last namespace looked up */
	uint32_t ns_block_size;		/* its data bytes per block */
	uint16_t ns_ms;			/* its metadata bytes per block */
	bool ns_md_extended;		/* metadata follows each block */
	struct uvf_nvme_qpair_stats st;
};

struct uvf_nvme_ctrl {
	struct uvf_device *dev;
	struct uvf_nvme_ctrl_opts opts;
	struct uvf_nvme_ctrl_info info;
	volatile uint8_t *bar0;		/* NULL: registers by read/write */
	atomic_int error;		/* 0 while the controller works */
	pthread_mutex_t lock;		/* CC changes, queue IDs */
	pthread_mutex_t admin_lock;	/* the admin queue and idbuf */
	struct uvf_nvme_qpair *admin;
	void *idbuf;			/* 4 KiB for Identify data */
	uvf_iova_t idbuf_iova;
	struct uvf_nvme_ns_info *ns;	/* active namespaces, by nsid */
	size_t nr_ns;
	struct uvf_nvme_qpair **qpairs;	/* by queue ID, 1..io_queues */
	uint64_t bar0_size;
	uint16_t pci_command;		/* as found, restored at close */
	bool pci_command_saved;
	bool enabled;			/* CC.EN set by us */
	bool irq_enabled;
	unsigned int irq_vectors;	/* enabled; fewer than queues: shared */
	enum uvf_irq_type irq_kind;
	/* Shadow doorbell and EventIdx buffers, a page each (dbbuf.c);
	 * NULL when not in use. */
	uint32_t *dbbuf_shadow, *dbbuf_eventidx;
	uvf_iova_t dbbuf_shadow_iova, dbbuf_eventidx_iova;
	/* Asynchronous events (aer.c), under admin_lock. */
	uvf_nvme_event_cb event_cb;
	void *event_arg;
	unsigned int aers_armed;	/* AERs outstanding */
	/* An automatic reset failed: no more until a caller's succeeds. */
	bool auto_reset_failed;
	/* Controller Memory Buffer (cmb.c); NULL cmb when SQs stay in host
	 * memory. Queue ID q's SQ lives at (q - 1) * cmb_slot. */
	volatile uint8_t *cmb;
	uint64_t cmb_addr;		/* its controller address */
	uint64_t cmb_slot;		/* bytes per I/O queue */
	uint32_t cmbsz, cmbloc;		/* as found: a reset must see them */
	/* DMA memory (heap.c): the heap, held in the device's domain
	 * (uvf_dmaheap_hold()), and the PRP list page pool. */
	struct uvf_dmaheap *heap;
	struct uvf_domain *dom;
	struct uvf_dmaheap_pool *prp_pool;
	bool heap_held;
};

/* Register access and controller state (regs.c). CSTS reads go through
 * the fault hook. */
int nvme_reg_read32(struct uvf_nvme_ctrl *ctrl, uint32_t off, uint32_t *val);
int nvme_reg_write32(struct uvf_nvme_ctrl *ctrl, uint32_t off, uint32_t val);
int nvme_reg_read64(struct uvf_nvme_ctrl *ctrl, uint32_t off, uint64_t *val);
int nvme_reg_write64(struct uvf_nvme_ctrl *ctrl, uint32_t off, uint64_t val);
int nvme_read_csts(struct uvf_nvme_ctrl *ctrl, uint32_t *csts);
int nvme_ctrl_disable(struct uvf_nvme_ctrl *ctrl);
int nvme_ctrl_enable(struct uvf_nvme_ctrl *ctrl);
void nvme_ctrl_shutdown(struct uvf_nvme_ctrl *ctrl);
/* Mark the controller failed with @err and disable it, once. */
void nvme_ctrl_fail(struct uvf_nvme_ctrl *ctrl, int err);

/* Point the controller at the admin queue (AQA, ASQ, ACQ) (ctrl.c). */
int nvme_admin_queue_program(struct uvf_nvme_ctrl *ctrl);

/* Reset and recovery (reset.c). After @qp saw the controller fail with
 * @err: reset it if its options ask for that and @err is one a reset
 * cures; true when the controller works again. */
bool nvme_ctrl_recover(struct uvf_nvme_qpair *qp, int err);

/* Asynchronous Event Requests (aer.c), admin_lock held: keep as many
 * outstanding as the controller and admin queue allow, once a callback is
 * registered. */
int nvme_aer_arm(struct uvf_nvme_ctrl *ctrl);

/* Queue pairs (qpair.c); the admin queue is queue pair 0. */
int nvme_qpair_alloc(struct uvf_nvme_ctrl *ctrl, uint32_t size,
		     uint32_t max_xfer, struct uvf_nvme_qpair **out);
void nvme_qpair_set_qid(struct uvf_nvme_qpair *qp, uint16_t qid);
void nvme_qpair_free(struct uvf_nvme_qpair *qp);
/* @iova non-NULL: @buf is contiguous device memory at *@iova (coherent),
 * so no translation or mapping is needed. */
int nvme_qpair_submit(struct uvf_nvme_qpair *qp,
		      const struct uvf_nvme_cmd *cmd, void *buf, size_t len,
		      enum uvf_dma_dir dir, const uvf_iova_t *iova,
		      uvf_nvme_cb cb, void *arg);
/* A command's data: the buffer, how to point at it, and metadata. */
struct nvme_xfer {
	void *buf;
	size_t len;
	enum uvf_dma_dir dir;
	const uvf_iova_t *iova;	/* as for nvme_qpair_submit() */
	bool sgl;		/* SGLs for the data, else PRPs */
	void *md;		/* separate metadata (MPTR), or NULL */
	size_t md_len;
};
int nvme_qpair_submit_xfer(struct uvf_nvme_qpair *qp,
			   const struct uvf_nvme_cmd *cmd,
			   const struct nvme_xfer *x, uvf_nvme_cb cb,
			   void *arg);
/* Write the SQ tail doorbell if entries wait unrung. */
int nvme_qpair_ring_sq(struct uvf_nvme_qpair *qp);
/* Complete every outstanding command with @err (host aborted). */
void nvme_qpair_abort_all(struct uvf_nvme_qpair *qp, int err);

/* Split requests (io.c): send waiting children while slots are free, and
 * complete the splits that are done; with @err, fail the waiting ones. */
void nvme_split_kick(struct uvf_nvme_qpair *qp);
void nvme_split_abort(struct uvf_nvme_qpair *qp, int err);
/* The vector I/O queue @qid completes on, given @nvec vectors (ctrl.c). */
unsigned int nvme_irq_vector(unsigned int qid, unsigned int nvec);

/* DMA memory from the heap (heap.c). Open attaches the heap and makes
 * the PRP pool; close undoes it, after every object went back. */
int nvme_heap_open(struct uvf_nvme_ctrl *ctrl);
void nvme_heap_close(struct uvf_nvme_ctrl *ctrl);
/* Contiguous, zeroed, pinned device memory of *@size bytes (which grows
 * when a direct domain needs a whole huge page). */
int nvme_dma_alloc(struct uvf_nvme_ctrl *ctrl, size_t *size, void **va,
		   uvf_iova_t *iova);
void nvme_dma_free(struct uvf_nvme_ctrl *ctrl, size_t size, void *va,
		   uvf_iova_t iova);
/* A slot's qp->prp_pages list pages from the pool; on failure none. */
int nvme_prp_lists_fill(struct uvf_nvme_qpair *qp,
			struct nvme_prp_page *lists);
void nvme_prp_lists_release(struct uvf_nvme_qpair *qp,
			    struct nvme_prp_page *lists);

/* Shadow doorbells (dbbuf.c): set up when the controller offers them
 * (OACS bit 8) and the options allow, before I/O queues exist and again
 * after a reset; the queue pair's entries once its ID is known; freed at
 * close. Every queue pair lets go of the old pages before they are freed,
 * on every path, so none writes into freed memory. */
int nvme_dbbuf_setup(struct uvf_nvme_ctrl *ctrl);
void nvme_dbbuf_attach(struct uvf_nvme_qpair *qp);
void nvme_dbbuf_free(struct uvf_nvme_ctrl *ctrl);

/* Controller Memory Buffer (cmb.c): found, mapped and enabled at open
 * as the options say, after the I/O queue count is known; enabled again
 * after a controller reset; each I/O queue pair's SQ placed once its ID
 * is known; an entry written with 64-bit MMIO stores. */
int nvme_cmb_setup(struct uvf_nvme_ctrl *ctrl);
int nvme_cmb_reenable(struct uvf_nvme_ctrl *ctrl);
void nvme_cmb_disable(struct uvf_nvme_ctrl *ctrl);
void nvme_cmb_place_sq(struct uvf_nvme_qpair *qp);
void nvme_cmb_sqe_write(struct uvf_nvme_qpair *qp, uint32_t idx,
			const struct uvf_nvme_cmd *cmd);

/* Admin commands (admin.c); the caller holds admin_lock. */
int nvme_admin_sync(struct uvf_nvme_ctrl *ctrl, const struct uvf_nvme_cmd *cmd,
		    void *buf, size_t len, const uvf_iova_t *iova,
		    struct uvf_nvme_cpl *cpl);
int nvme_identify_all(struct uvf_nvme_ctrl *ctrl);
int nvme_set_num_queues(struct uvf_nvme_ctrl *ctrl, unsigned int want,
			unsigned int *granted);
int nvme_create_io_queues(struct uvf_nvme_qpair *qp);
/* With @reap, the completions the deletion posts are handed back before
 * the CQ goes; without, the commands stay outstanding (a reset aborts
 * them). */
int nvme_delete_io_queues(struct uvf_nvme_qpair *qp, bool reap);
const struct uvf_nvme_ns_info *nvme_ns_find(const struct uvf_nvme_ctrl *ctrl,
					    uint32_t nsid);

/* The fault hook the completion path and CSTS reads consult. */
extern _Atomic(const struct uvf_nvme_fault_ops *) nvme_fault;

#endif
