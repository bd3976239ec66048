/* SPDX-License-Identifier: MIT */
/*
 * A userspace NVMe driver over uvf's device and DMA APIs.
 *
 * A controller (struct uvf_nvme_ctrl) owns the admin queue; each thread
 * doing I/O creates its own queue pair (struct uvf_nvme_qpair). A queue
 * pair is not thread-safe by design, like SPDK's: one thread submits on it
 * and reaps its completions, so the hot path takes no lock. The controller
 * calls (identify, queue creation, uvf_nvme_admin()) are thread-safe.
 *
 * Memory: queues, Identify and shadow doorbell pages and PRP list pages
 * (a pool of 4 KiB objects, taken by a slot at its first command that needs
 * a list) come from a DMA heap (uvf/dmaheap.h; opts.heap, else the
 * process-wide one) attached to the device's domain. Data buffers from
 * uvf_nvme_buf_alloc() are heap memory, so already mapped; buffers
 * registered with uvf_dma_register() are too: for both the driver builds
 * PRPs with uvf_dma_vtoiova(), page by page. A buffer that is
 * not registered is mapped with uvf_dma_map_page() for the one command and
 * unmapped when it completes. Buffers must be 4-byte aligned (the PRP
 * rule). One command carries up to uvf_nvme_ctrl_info.max_xfer bytes (MDTS,
 * capped by the PRP list pages each slot has), and the driver chains PRP
 * list pages as needed. A larger Read or Write is split into child commands
 * of at most max_xfer bytes, as SPDK does: the caller sees one request whose
 * callback runs once, after the last child, with the first child's error.
 * Children that find the queue full wait inside the queue pair and are sent
 * as completions free slots.
 *
 * Doorbells: every doorbell write is an MMIO exit under virtualization and
 * a posted write on real hardware, so the driver writes the submission
 * queue tail once per batch of commands and the completion queue head at
 * most once per batch of completions. A submission to an idle queue pair rings at
 * once (no latency added at queue depth 1); one made while commands are
 * outstanding is held back until uvf_nvme_qpair_process() or
 * uvf_nvme_qpair_wait() runs (both ring before they look for completions,
 * so waiting never deadlocks), until NVME_SQ_BATCH_MAX (64) are held, or
 * until uvf_nvme_qpair_ring(). uvf_nvme_qpair_batch_begin() holds back
 * every submission, idle or not, until the next ring: N commands, one
 * doorbell write. A polled queue pair writes the CQ head only when the
 * controller could otherwise find the completion queue full (entries not
 * yet given back plus commands outstanding reach size - 1), so at queue
 * depth 32 on a 256-entry queue about once per 220 completions; a queue
 * pair with an interrupt writes it after every batch (the write is what
 * lets a level-triggered interrupt drop). UVF_NVME_DOORBELL_PER_CMD
 * restores the old behaviour: one SQ tail write per command and one CQ
 * head write per batch of completions; uvf_nvme_qpair_set_doorbell()
 * switches one queue pair between the two. uvf_nvme_qpair_get_stats()
 * counts the writes. Where the controller offers shadow doorbells (Doorbell Buffer
 * Config, OACS bit 8) the driver also keeps its doorbell values in the
 * shadow buffer and writes the register only when the controller's
 * EventIdx asks for it. A submission held back for a batch is stored in
 * the shadow tail at once, so a controller still working through the
 * queue can take it; the EventIdx check, and the register write, wait for
 * the batch. uvf_nvme_ctrl_opts.no_shadow_doorbells turns shadow doorbells
 * off. The admin queue always rings per command.
 *
 * Completions are reaped by polling the phase bit (uvf_nvme_qpair_process())
 * or, with uvf_nvme_ctrl_opts.interrupts, by waiting on the queue pair's
 * interrupt eventfd (uvf_nvme_qpair_wait()). The driver asks for one vector
 * per queue (admin and I/O); a device with fewer gets them shared (admin
 * with I/O, several I/O queues on one vector), trying MSI-X, then MSI, then
 * INTx, and polling when none works: the vector count never fails a
 * controller (uvf_nvme_ctrl_info.irq_type and irq_vectors say what it got).
 *
 * The controller may grant fewer I/O queue pairs than
 * uvf_nvme_ctrl_opts.io_queues asked for (Set Features, Number of Queues):
 * uvf_nvme_ctrl_io_queues() says how many, and uvf_nvme_qpair_create()
 * fails with -ENOSPC past that number.
 *
 * Errors never hang the caller: every command has a deadline. A command
 * that misses it, a completion the controller should never have posted
 * (unknown command ID, wrong queue), the controller reporting fatal
 * status (CSTS.CFS), or registers reading all ones (the device was
 * removed: -ENODEV) marks the controller failed: it is disabled, which
 * stops its DMA, every outstanding command on every queue pair completes
 * with an error, and later submissions fail with the same error.
 *
 * A failed controller comes back with uvf_nvme_ctrl_reset(): disabled,
 * re-enabled and re-initialised, with every queue pair re-created on it
 * (the same struct uvf_nvme_qpair pointers stay valid). Commands that
 * were outstanding complete with -ECONNRESET (or -ETIMEDOUT, the one that
 * missed its deadline) and status UVF_NVME_STATUS_HOST_ABORTED; I/O
 * submitted after the reset runs normally. With
 * uvf_nvme_ctrl_opts.reset_on_failure the driver does this by itself
 * after a fatal status or a command timeout, inside the
 * uvf_nvme_qpair_process() or uvf_nvme_qpair_wait() call that sees it,
 * which then returns -ECONNRESET. A removed device (-ENODEV) cannot be
 * reset: close the controller, then the device.
 *
 * Asynchronous events (errors, SMART/health, notices) reach a callback
 * registered with uvf_nvme_ctrl_set_event_cb(): the driver keeps
 * Asynchronous Event Requests outstanding, re-arms each as it completes,
 * and after a reset. They are reaped whenever the admin queue is
 * processed: by any admin command, or by uvf_nvme_ctrl_process_events().
 */
#ifndef UVF_NVME_H
#define UVF_NVME_H

#include <assert.h>

#include <uvf/dma.h>
#include <uvf/driver.h>
#include <uvf/types.h>

struct uvf_device;
struct uvf_dmaheap;
struct uvf_nvme_ctrl;
struct uvf_nvme_qpair;

/* PCI class code of an NVM Express controller: mass storage, NVM, NVMe. */
#define UVF_NVME_PCI_CLASS 0x010802u

/* A submission queue entry, as the controller reads it. The driver sets
 * cid, and prp1/prp2 when a data buffer is given with the command;
 * otherwise they go to the controller as they are. */
struct uvf_nvme_cmd {
	uint8_t opc;
	uint8_t flags;
	uint16_t cid;
	uint32_t nsid;
	uint32_t cdw2, cdw3;
	uint64_t mptr;
	uint64_t prp1, prp2;
	uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
static_assert(sizeof(struct uvf_nvme_cmd) == 64, "SQE is 64 bytes");

/*
 * The status field of a completion, without the phase bit: SC in bits 7:0,
 * SCT 10:8, CRD 12:11, M (more) 13, DNR (do not retry) 14.
 */
#define UVF_NVME_SC(status) ((unsigned int)(status) & 0xff)
#define UVF_NVME_SCT(status) (((unsigned int)(status) >> 8) & 0x7)
#define UVF_NVME_DNR(status) (((unsigned int)(status) >> 14) & 1)
#define UVF_NVME_STATUS(sct, sc) ((uint16_t)(((sct) & 7) << 8 | ((sc) & 0xff)))

#define UVF_NVME_SCT_GENERIC 0
#define UVF_NVME_SCT_CMD_SPECIFIC 1
#define UVF_NVME_SCT_MEDIA 2
#define UVF_NVME_SCT_PATH 3
#define UVF_NVME_SCT_VENDOR 7

/* Status the driver gives a command the controller never completed (it
 * timed out, or the controller failed or its queue was deleted first): the
 * specification's "command aborted by host". */
#define UVF_NVME_STATUS_HOST_ABORTED UVF_NVME_STATUS(UVF_NVME_SCT_PATH, 0x71)

/* What the controller answered. */
struct uvf_nvme_cpl {
	uint32_t dw0;		/* command specific result */
	uint16_t status;	/* see UVF_NVME_SC() etc. */
	uint16_t cid;
};

/*
 * Called once per command, from uvf_nvme_qpair_process() or
 * uvf_nvme_qpair_wait() on the queue pair's thread (or from
 * uvf_nvme_qpair_destroy()). @err is 0 or a negative errno: the decoded
 * status (uvf_nvme_status_errno()), or -ETIMEDOUT, -EIO, -EPROTO,
 * -ENODEV, -ECANCELED when the driver gave up on the command, or
 * -ECONNRESET when a controller reset took it away. May submit new
 * commands on the same queue pair.
 */
typedef void (*uvf_nvme_cb)(void *arg, int err, const struct uvf_nvme_cpl *cpl);

/* When a queue pair writes its submission queue tail doorbell. */
enum uvf_nvme_doorbell {
	UVF_NVME_DOORBELL_BATCH = 0,	/* once per batch (the default) */
	UVF_NVME_DOORBELL_PER_CMD,	/* after every command */
};

/* How Reads and Writes point at their data (the raw uvf_nvme_submit()
 * and admin commands always use PRPs). */
enum uvf_nvme_sgl {
	/* SGLs where the controller has them (Identify SGLS) for transfers
	 * of 32 KiB or more, PRPs otherwise and whenever the SGL would need
	 * more descriptor pages than a command slot has. */
	UVF_NVME_SGL_AUTO = 0,
	UVF_NVME_SGL_OFF,	/* PRPs only */
	UVF_NVME_SGL_ALWAYS,	/* SGLs only: open fails without them */
};

/* Whether I/O submission queues go to the Controller Memory Buffer. */
enum uvf_nvme_cmb {
	UVF_NVME_CMB_AUTO = 0,	/* when the controller offers SQS, else host
				 * memory (uvf_nvme_ctrl_info.cmb_error) */
	UVF_NVME_CMB_OFF,	/* always host memory */
	UVF_NVME_CMB_ON,	/* open fails when the CMB cannot take SQs */
};

struct uvf_nvme_ctrl_opts {
	unsigned int io_queues;		/* I/O queue pairs to ask for */
	unsigned int admin_queue_size;	/* entries, 2..4096 */
	unsigned int cmd_timeout_ms;	/* deadline of every command */
	/* Bytes per command at most: 0 for MDTS capped at 4 MiB; larger
	 * values up to MDTS cost PRP list memory per queue entry. */
	uint32_t max_xfer;
	/* Complete by interrupt: MSI-X, else MSI, else INTx, vectors shared
	 * when the device has fewer than queues; polling when none works. */
	bool interrupts;
	/* I/O queue pairs' SQ tail doorbells: batched or per command. */
	enum uvf_nvme_doorbell doorbell;
	/* Write doorbell registers only, even where the controller offers
	 * shadow doorbells. */
	bool no_shadow_doorbells;
	/* After a fatal status (CSTS.CFS) or a command timeout, reset the
	 * controller (uvf_nvme_ctrl_reset()) from the queue pair call that
	 * sees it. Only for controllers whose queue pairs are all used by
	 * one thread: the reset re-creates every queue pair. */
	bool reset_on_failure;
	/* PRPs or SGLs for Read and Write data. */
	enum uvf_nvme_sgl sgl;
	/* I/O submission queues in the Controller Memory Buffer. */
	enum uvf_nvme_cmb cmb;
	/* DMA heap for queues, PRP lists and uvf_nvme_buf_alloc(): NULL for
	 * the process-wide one (uvf_dmaheap_shared()). Held in the device's
	 * domain from open to close (uvf_dmaheap_hold()). */
	struct uvf_dmaheap *heap;
};

struct uvf_nvme_ctrl_info {
	uint16_t vid, ssvid;		/* PCI vendor, subsystem vendor */
	uint16_t cntlid;
	char serial[21];		/* trailing blanks removed */
	char model[41];
	char firmware[9];
	uint32_t version;		/* VS register: major 31:16, minor 15:8 */
	uint64_t cap;			/* CAP register, raw */
	uint32_t mqes;			/* largest I/O queue, entries */
	uint32_t doorbell_stride;	/* bytes */
	uint32_t ready_timeout_ms;	/* CAP.TO */
	uint32_t mps_min, mps_max;	/* memory page size limits, bytes */
	uint8_t mdts;			/* raw; 0: no limit */
	uint32_t max_xfer;		/* bytes per command the driver allows */
	uint32_t nn;			/* highest namespace ID */
	uint16_t oacs;			/* optional admin commands supported */
	uint16_t oncs;			/* optional NVM commands supported */
	bool volatile_write_cache;
	unsigned int io_queues;		/* I/O queue pairs granted */
	unsigned int io_queues_requested; /* uvf_nvme_ctrl_opts.io_queues */
	bool interrupts;		/* queue pairs complete by interrupt */
	const char *irq_type;		/* "msix", "msi", "intx" or "none" */
	unsigned int irq_vectors;	/* enabled; fewer than queues: shared */
	bool shadow_doorbells;		/* Doorbell Buffer Config in use */
	uint8_t aerl;			/* AERs at once, 0's based (raw) */
	unsigned int resets;		/* successful uvf_nvme_ctrl_reset()s,
					 * automatic ones included */
	uint32_t sgls;			/* Identify SGLS, raw; bits 1:0 zero:
					 * no SGLs */
	/* Controller Memory Buffer bytes in use for submission queues (0:
	 * none), and why not when the controller has one the driver could
	 * not use: -ENOTSUP (no SQS, BAR not mappable), -EINVAL (CMBLOC
	 * beyond its BAR, or CBA refused), -ENOSPC (less than a page per
	 * I/O queue), else 0. */
	uint64_t cmb_size;
	int cmb_error;
};

struct uvf_nvme_lbaf {
	uint16_t ms;			/* metadata bytes per block */
	uint8_t lbads;			/* log2 of the data size */
	uint8_t rp;			/* relative performance, 0 best */
};

struct uvf_nvme_ns_info {
	uint32_t nsid;
	uint64_t nsze, ncap, nuse;	/* blocks */
	uint32_t block_size;		/* bytes of data per block */
	uint16_t ms;			/* metadata bytes per block */
	uint8_t lbaf;			/* index of the format in use */
	uint8_t nlbaf;			/* formats */
	struct uvf_nvme_lbaf lbafs[64];
	/* With @ms: metadata follows each block's data in the data buffer
	 * (extended LBAs, FLBAS bit 4), else it goes in a buffer of its own. */
	bool md_extended;
};

/**
 * uvf_nvme_ctrl_opts_default() - default controller options: one I/O queue
 *                                pair per online CPU (at most 64), a
 *                                32-entry admin queue, 30 s command
 *                                timeout, MDTS-limited transfers, polling
 * @opts: filled in
 *
 * Return: nothing.
 */
void uvf_nvme_ctrl_opts_default(struct uvf_nvme_ctrl_opts *opts);

/**
 * uvf_nvme_match() - whether @dev is an NVMe controller: QEMU's 1b36:0010
 *                    by ID, or any device of class 01:08:02
 * @dev: device
 *
 * Return: 1 on a match, 0 on none, or a negative errno when configuration
 * space cannot be read.
 */
int uvf_nvme_match(struct uvf_device *dev);

/**
 * uvf_nvme_ctrl_open() - bring an NVMe controller up
 * @dev: device attached to a domain
 * @opts: options, or NULL for uvf_nvme_ctrl_opts_default()
 * @out: the controller
 *
 * Disables the controller (waiting up to CAP.TO for CSTS.RDY to clear),
 * sets up the admin queue, enables it (again honouring CAP.TO), identifies
 * it and its active namespaces, and asks for @opts->io_queues I/O queue
 * pairs with Set Features (Number of Queues).
 *
 * With @opts->interrupts, enables as many MSI-X (else MSI, else INTx)
 * vectors as there are queues, or fewer, shared; when the device offers
 * no interrupts at all, the queue pairs poll (info.interrupts is false).
 * The controller may grant fewer I/O queue pairs than asked for: see
 * uvf_nvme_ctrl_io_queues().
 *
 * Unless @opts->cmb is UVF_NVME_CMB_OFF, a Controller Memory Buffer that
 * takes submission queues (CMBSZ.SQS) is enabled (CMBMSC, NVMe 1.4, or
 * the pre-1.4 layout), its BAR mapped, and each I/O queue pair's SQ placed
 * in its share of it; without one, SQs stay in host memory.
 *
 * Return: 0; -ENODEV (not an NVMe controller, or CSTS reads all ones: the
 * device is gone); -ENOTSUP (no NVM command set, 4 KiB pages or 64/16-byte
 * queue entries unsupported, or UVF_NVME_SGL_ALWAYS without SGLs);
 * -ETIMEDOUT (CSTS.RDY did not follow CC.EN within CAP.TO); -EIO (fatal
 * status, or an admin command failed); -EINVAL; -ENOMEM; or a DMA or device
 * error. With UVF_NVME_CMB_ON, also what kept the CMB from use: -ENODEV
 * (none), -ENOTSUP (no SQS, BAR not mappable), -EINVAL (CMBLOC beyond
 * its BAR, or CBA refused), -ENOSPC (less than a page per I/O queue). The controller is left disabled on failure and nothing leaks.
 */
int uvf_nvme_ctrl_open(struct uvf_device *dev,
		       const struct uvf_nvme_ctrl_opts *opts,
		       struct uvf_nvme_ctrl **out);

/**
 * uvf_nvme_ctrl_close() - destroy remaining queue pairs, shut the
 *                         controller down (CC.SHN, then CC.EN = 0) and free
 *                         everything
 * @ctrl: controller, may be NULL; no other thread may be using it
 *
 * Return: nothing.
 */
void uvf_nvme_ctrl_close(struct uvf_nvme_ctrl *ctrl);

/**
 * uvf_nvme_ctrl_get_info() - what the controller reported at open
 * @ctrl: controller
 *
 * Return: the information, owned by @ctrl.
 */
const struct uvf_nvme_ctrl_info *uvf_nvme_ctrl_get_info(
	const struct uvf_nvme_ctrl *ctrl);

/**
 * uvf_nvme_ctrl_io_queues() - I/O queue pairs the controller granted
 * @ctrl: controller
 *
 * At most uvf_nvme_ctrl_opts.io_queues, and fewer when the controller
 * grants fewer (Set Features, Number of Queues) or its BAR has room for
 * fewer doorbells. uvf_nvme_qpair_create() fails with -ENOSPC when that
 * many queue pairs exist.
 *
 * Return: the number granted, at least 1.
 */
unsigned int uvf_nvme_ctrl_io_queues(const struct uvf_nvme_ctrl *ctrl);

/**
 * uvf_nvme_ctrl_error() - why the controller failed
 * @ctrl: controller
 *
 * Return: 0 while it works, else the negative errno that failed it
 * (-ETIMEDOUT, -EIO, -EPROTO, ...).
 */
int uvf_nvme_ctrl_error(const struct uvf_nvme_ctrl *ctrl);

/**
 * uvf_nvme_ctrl_reset() - reset and re-initialise a controller
 * @ctrl: controller, working or failed
 *
 * Disables the controller (stopping its DMA), completes every outstanding
 * command on every queue pair with -ECONNRESET (-ETIMEDOUT for one past
 * its deadline), enables it again, sets the number of queues, re-creates
 * every queue pair that exists and re-arms asynchronous events. Queue
 * pairs keep their pointers and IDs. No other thread may be inside a call
 * on @ctrl's queue pairs meanwhile; callbacks run on the caller's thread.
 *
 * On failure the controller is left failed and disabled, with no command
 * outstanding: uvf_nvme_ctrl_error() returns the error, submissions fail
 * with it, and queue pairs can still be destroyed and the controller
 * closed, or the reset tried again.
 *
 * Return: 0; -EINVAL (@ctrl NULL); -ENODEV (the device is gone: registers
 * read all ones); -EIO (fatal status again); -ETIMEDOUT (it never became
 * ready, or an admin command missed its deadline); -ENOSPC (it granted
 * fewer I/O queues than there are queue pairs); or another negative errno
 * from an admin command.
 */
int uvf_nvme_ctrl_reset(struct uvf_nvme_ctrl *ctrl);

/* An asynchronous event, from the Asynchronous Event Request completion. */
struct uvf_nvme_event {
	uint8_t type;		/* 0 error, 1 SMART/health, 2 notice,
				 * 6 I/O command set, 7 vendor */
	uint8_t info;		/* event information, by type */
	uint8_t log_page;	/* the log page that tells more; reading it
				 * (Get Log Page) clears the event */
	uint32_t dw0;		/* the completion's dword 0, raw */
};

/* Called once per event, from whatever processes the admin queue, with
 * the admin queue locked: it must not send admin commands itself (read
 * the log page after it returns). */
typedef void (*uvf_nvme_event_cb)(void *arg, const struct uvf_nvme_event *ev);

/**
 * uvf_nvme_ctrl_set_event_cb() - receive asynchronous events
 * @ctrl: controller
 * @cb: callback, replacing any earlier one
 * @arg: its argument
 *
 * Sends Asynchronous Event Requests until as many are outstanding as the
 * controller allows (Identify AERL + 1, at most 4, leaving the admin
 * queue a free slot); each is re-sent as it completes.
 *
 * Return: 0; -EINVAL (@ctrl or @cb NULL); -ENOSPC (the admin queue has no
 * slot to spare); or the controller's error. On error the earlier
 * callback stays.
 */
int uvf_nvme_ctrl_set_event_cb(struct uvf_nvme_ctrl *ctrl,
			       uvf_nvme_event_cb cb, void *arg);

/**
 * uvf_nvme_ctrl_process_events() - reap the admin queue without an admin
 *                                  command, delivering asynchronous events
 * @ctrl: controller
 *
 * Also checks the controller's health (fatal status, removal) while
 * requests are outstanding. Thread-safe, like the other controller calls.
 *
 * Return: completions reaped (0 or more), or the controller's negative
 * errno once it has failed.
 */
int uvf_nvme_ctrl_process_events(struct uvf_nvme_ctrl *ctrl);

/**
 * uvf_nvme_ctrl_device() - the device under a controller
 * @ctrl: controller
 *
 * Return: the device given to uvf_nvme_ctrl_open().
 */
struct uvf_device *uvf_nvme_ctrl_device(const struct uvf_nvme_ctrl *ctrl);

/**
 * uvf_nvme_ns_list() - active namespace IDs, ascending, as found at open
 * @ctrl: controller
 * @nsids: array to fill, may be NULL when @max is 0
 * @max: entries in @nsids
 *
 * Return: the number of active namespaces (may exceed @max).
 */
int uvf_nvme_ns_list(const struct uvf_nvme_ctrl *ctrl, uint32_t *nsids,
		     size_t max);

/**
 * uvf_nvme_ns_get_info() - identity of an active namespace
 * @ctrl: controller
 * @nsid: namespace ID
 * @info: filled in
 *
 * Return: 0, or -ENOENT (not an active namespace).
 */
int uvf_nvme_ns_get_info(const struct uvf_nvme_ctrl *ctrl, uint32_t nsid,
			 struct uvf_nvme_ns_info *info);

/**
 * uvf_nvme_identify() - raw Identify command
 * @ctrl: controller
 * @cns: controller or namespace structure (0: namespace, 1: controller,
 *       2: active namespace list, ...)
 * @nsid: namespace ID field
 * @buf: receives 4096 bytes
 *
 * Return: 0, or a negative errno as for uvf_nvme_admin().
 */
int uvf_nvme_identify(struct uvf_nvme_ctrl *ctrl, uint8_t cns, uint32_t nsid,
		      void *buf);

/**
 * uvf_nvme_admin() - run one admin command and wait for it
 * @ctrl: controller
 * @cmd: command; cid is filled in, and prp1/prp2 when @buf is given
 * @buf: data buffer (mapped for the command), or NULL
 * @len: bytes in @buf, at most 64 KiB and max_xfer; 0 with a NULL @buf
 * @cpl: receives the completion, may be NULL
 *
 * Thread-safe: admin commands are serialised.
 *
 * Return: 0; the decoded status (uvf_nvme_status_errno()) with @cpl
 * holding the raw one; -ETIMEDOUT (no completion within the command
 * timeout: the controller is failed); -EIO or the error that failed the
 * controller earlier; -EINVAL; or a DMA error.
 */
int uvf_nvme_admin(struct uvf_nvme_ctrl *ctrl, const struct uvf_nvme_cmd *cmd,
		   void *buf, size_t len, struct uvf_nvme_cpl *cpl);

/**
 * uvf_nvme_vf_online() - give an SR-IOV VF's secondary controller queues
 *                        and interrupts, and set it online
 * @ctrl: the primary controller (the PF)
 * @vf_index: the VF, 0 for the first (the PF's virtfn0)
 * @nr_vq: flexible queue resources to assign, the admin queue included
 *	(at least 2)
 * @nr_vi: flexible interrupt resources to assign (at least 1)
 *
 * Finds the VF's controller in the Secondary Controller List (Identify CNS
 * 0x15), sets it offline if it is online (resources change only offline),
 * assigns @nr_vq and @nr_vi with Virtualization Management (0x1C, action
 * 8) and sets it online (action 9). The VF must exist (sriov_numvfs); it
 * takes its resources at its next reset, such as the FLR when VFIO opens
 * it.
 *
 * Return: 0; -EINVAL (@ctrl NULL, @nr_vq < 2, @nr_vi < 1, or above
 * 65535); -ENOTSUP (the controller has no Virtualization Management:
 * neither OACS bit 7 nor a Secondary Controller List, which QEMU 7.2
 * has without the bit);
 * -ENODEV (no secondary controller for that VF); -ENOMEM; or an admin
 * command error, as for uvf_nvme_admin() (-ENOSPC: the PF has not that
 * many flexible resources left; the VF then stays offline).
 */
int uvf_nvme_vf_online(struct uvf_nvme_ctrl *ctrl, unsigned int vf_index,
		       unsigned int nr_vq, unsigned int nr_vi);

/* Entries per queue of uvf_nvme_qpair_create(ctrl, 0, ...). */
#define UVF_NVME_QPAIR_DEFAULT_SIZE 256u

/**
 * uvf_nvme_qpair_create() - create an I/O completion and submission queue
 *                           pair for one thread
 * @ctrl: controller
 * @size: entries per queue, 2..CAP.MQES + 1; 0 picks
 *        min(UVF_NVME_QPAIR_DEFAULT_SIZE, MQES + 1).
 *        At most @size - 1 commands are outstanding at once.
 * @out: the queue pair
 *
 * Return: 0; -ENOSPC (every granted queue ID is in use: the controller
 * granted uvf_nvme_ctrl_io_queues(), which may be fewer than asked for);
 * -EINVAL (bad
 * size); -ENOMEM; a DMA error; or an admin command error, as for
 * uvf_nvme_admin(). Nothing is left on the controller on failure.
 */
int uvf_nvme_qpair_create(struct uvf_nvme_ctrl *ctrl, unsigned int size,
			  struct uvf_nvme_qpair **out);

/**
 * uvf_nvme_qpair_destroy() - delete the queues on the controller (which
 *                            aborts their outstanding commands), complete
 *                            whatever is still outstanding with -ECANCELED,
 *                            and free the pair
 * @qp: queue pair, may be NULL
 *
 * Return: nothing.
 */
void uvf_nvme_qpair_destroy(struct uvf_nvme_qpair *qp);

/**
 * uvf_nvme_qpair_id() - queue ID of the pair on the controller
 * @qp: queue pair
 *
 * Return: the ID, 1..io_queues.
 */
unsigned int uvf_nvme_qpair_id(const struct uvf_nvme_qpair *qp);

/**
 * uvf_nvme_qpair_sq_in_cmb() - whether the pair's submission queue lives in
 *                              the Controller Memory Buffer
 * @qp: queue pair
 *
 * Queues too large for their share of the CMB (its size divided by the
 * granted I/O queues) stay in host memory.
 *
 * Return: true for a CMB queue, false for host memory.
 */
bool uvf_nvme_qpair_sq_in_cmb(const struct uvf_nvme_qpair *qp);

/**
 * uvf_nvme_qpair_outstanding() - commands submitted and not yet completed
 * @qp: queue pair
 *
 * Return: the count.
 */
unsigned int uvf_nvme_qpair_outstanding(const struct uvf_nvme_qpair *qp);

/* A queue pair's counters since it was created (uvf_nvme_qpair_get_stats).
 * Doorbell writes are MMIO writes of the register; a shadow update is a
 * doorbell value stored in the shadow buffer whose EventIdx did not ask
 * for the register. Commands of a split request count one each. */
struct uvf_nvme_qpair_stats {
	uint64_t submitted;		/* commands put in the SQ */
	uint64_t completed;		/* completion entries reaped */
	uint64_t polls;			/* uvf_nvme_qpair_process() calls */
	uint64_t idle_polls;		/* ... that reaped nothing */
	uint64_t sq_doorbell_writes;
	uint64_t cq_doorbell_writes;
	uint64_t sq_shadow_updates;
	uint64_t cq_shadow_updates;
};

/**
 * uvf_nvme_qpair_get_stats() - the pair's submission, completion and
 *                              doorbell counters
 * @qp: queue pair
 * @st: filled in
 *
 * sq_doorbell_writes / submitted is the batching a workload reached: 1.0
 * for UVF_NVME_DOORBELL_PER_CMD, 1/32 for 32 commands per write. Call it
 * from the thread that uses the pair (the counters are not atomic).
 *
 * Return: 0, or -EINVAL for a NULL argument.
 */
int uvf_nvme_qpair_get_stats(const struct uvf_nvme_qpair *qp,
			     struct uvf_nvme_qpair_stats *st);

/**
 * uvf_nvme_buf_alloc() - an I/O buffer the controller reaches without a
 *                        per-command mapping: heap memory, zeroed
 * @ctrl: controller
 * @size: bytes, non-zero, at most the heap's chunk size (2 MiB by default)
 * @buf: the buffer, 4 KiB aligned
 *
 * Free it with uvf_nvme_buf_free() before closing @ctrl.
 *
 * Return: 0; -EINVAL; -ENOMEM (the heap is full or could not grow).
 */
int uvf_nvme_buf_alloc(struct uvf_nvme_ctrl *ctrl, size_t size, void **buf);

/**
 * uvf_nvme_buf_free() - give back a uvf_nvme_buf_alloc() buffer
 * @ctrl: the controller it came from
 * @buf: the buffer
 *
 * Return: 0; -EINVAL (not a buffer of @ctrl's heap); -ENOENT (already
 * free).
 */
int uvf_nvme_buf_free(struct uvf_nvme_ctrl *ctrl, void *buf);

/**
 * uvf_nvme_read() - submit a Read
 * @qp: queue pair
 * @nsid: active namespace
 * @buf: destination, 4-byte aligned, @nlb blocks long
 * @lba: first block
 * @nlb: blocks, 1..65536; more than max_xfer bytes are split into child
 *       commands that complete as this one request
 * @cb: completion callback, called once
 * @arg: its argument
 *
 * A split request is accepted even when the queue lacks slots for all its
 * children: those wait and are sent as completions are reaped. Its
 * callback gets the first failing child's error and completion, or the
 * last child's on success.
 *
 * Return: 0; -EAGAIN (queue full for a request that is not split: reap
 * completions first); -ENOENT (no such
 * namespace); -EINVAL (bad alignment or size); -EIO or the error that failed
 * the controller; or a DMA error. Nothing is submitted on failure.
 */
int uvf_nvme_read(struct uvf_nvme_qpair *qp, uint32_t nsid, void *buf,
		  uint64_t lba, uint32_t nlb, uvf_nvme_cb cb, void *arg);

/**
 * uvf_nvme_write() - submit a Write
 * @qp: queue pair
 * @nsid: active namespace
 * @buf: source, 4-byte aligned, @nlb blocks long
 * @lba: first block
 * @nlb: blocks, 1..65536; split above max_xfer bytes as for
 *       uvf_nvme_read()
 * @cb: completion callback
 * @arg: its argument
 *
 * Return: as for uvf_nvme_read().
 */
int uvf_nvme_write(struct uvf_nvme_qpair *qp, uint32_t nsid, const void *buf,
		   uint64_t lba, uint32_t nlb, uvf_nvme_cb cb, void *arg);

/* A Read or Write on a namespace formatted with metadata. */
struct uvf_nvme_md_io {
	void *buf;		/* data, 4-byte aligned */
	size_t len;		/* @nlb * block_size, plus @nlb * ms when
				 * the namespace's metadata is extended */
	void *md;		/* separate metadata, 4-byte aligned; NULL
				 * when extended */
	size_t md_len;		/* @nlb * ms when separate, else 0 */
	uint64_t lba;		/* first block */
	uint32_t nlb;		/* blocks, 1..65536 */
};

/**
 * uvf_nvme_read_md() - submit a Read that returns data and metadata
 * @qp: queue pair
 * @nsid: active namespace formatted with metadata (ms > 0)
 * @io: buffers, their sizes and the blocks; split above max_xfer bytes of
 *      data as for uvf_nvme_read(), with the metadata split in step
 * @cb: completion callback, called once
 * @arg: its argument
 *
 * Extended namespaces (info.md_extended) take each block's metadata right
 * after its data in @io->buf; the others take it in @io->md, whose device
 * addresses must be contiguous (one registered or unregistered buffer:
 * unregistered ones are mapped for the command).
 *
 * Return: as for uvf_nvme_read(), and -ENOTSUP when the namespace has no
 * metadata, -EINVAL when a size does not match @io->nlb or @io->md is
 * given for an extended namespace or missing for a separate one, or
 * -EINVAL when the metadata is not contiguous in device memory.
 */
int uvf_nvme_read_md(struct uvf_nvme_qpair *qp, uint32_t nsid,
		     const struct uvf_nvme_md_io *io, uvf_nvme_cb cb,
		     void *arg);

/**
 * uvf_nvme_write_md() - submit a Write of data and metadata
 * @qp: queue pair
 * @nsid: active namespace formatted with metadata
 * @io: buffers, sizes and blocks as for uvf_nvme_read_md()
 * @cb: completion callback, called once
 * @arg: its argument
 *
 * Return: as for uvf_nvme_read_md().
 */
int uvf_nvme_write_md(struct uvf_nvme_qpair *qp, uint32_t nsid,
		      const struct uvf_nvme_md_io *io, uvf_nvme_cb cb,
		      void *arg);

/**
 * uvf_nvme_write_zeroes() - submit a Write Zeroes
 * @qp: queue pair
 * @nsid: active namespace
 * @lba: first block
 * @nlb: blocks, 1..65536
 * @cb: completion callback
 * @arg: its argument
 *
 * Return: as for uvf_nvme_read(), and -EOPNOTSUPP when the controller does
 * not offer Write Zeroes (ONCS).
 */
int uvf_nvme_write_zeroes(struct uvf_nvme_qpair *qp, uint32_t nsid,
			  uint64_t lba, uint32_t nlb, uvf_nvme_cb cb,
			  void *arg);

/**
 * uvf_nvme_flush() - submit a Flush (commit the volatile write cache)
 * @qp: queue pair
 * @nsid: active namespace
 * @cb: completion callback
 * @arg: its argument
 *
 * Return: as for uvf_nvme_read().
 */
int uvf_nvme_flush(struct uvf_nvme_qpair *qp, uint32_t nsid, uvf_nvme_cb cb,
		   void *arg);

/**
 * uvf_nvme_submit() - submit a raw I/O command
 * @qp: queue pair
 * @cmd: command; cid is filled in, and prp1/prp2 when @buf is given
 * @buf: data buffer or NULL
 * @len: bytes in @buf, at most max_xfer; 0 with a NULL @buf
 * @dir: direction of the data, for a per-command mapping
 * @cb: completion callback
 * @arg: its argument
 *
 * Return: as for uvf_nvme_read().
 */
int uvf_nvme_submit(struct uvf_nvme_qpair *qp, const struct uvf_nvme_cmd *cmd,
		    void *buf, size_t len, enum uvf_dma_dir dir,
		    uvf_nvme_cb cb, void *arg);

/**
 * uvf_nvme_qpair_set_doorbell() - change when one I/O queue pair writes
 *                                 its doorbells
 * @qp: I/O queue pair
 * @mode: UVF_NVME_DOORBELL_BATCH or UVF_NVME_DOORBELL_PER_CMD
 *
 * The pair starts in uvf_nvme_ctrl_opts.doorbell's mode; this overrides it
 * for @qp alone (as SPDK's per-qpair delay_cmd_submit does) and lasts
 * across uvf_nvme_ctrl_reset(). Switching to per-command first writes the
 * SQ tail of submissions held back and the CQ head of completions reaped,
 * so none stay unannounced. Call it from the thread that owns @qp; nvme-perf
 * --doorbell alternate uses it to interleave the two modes on one pair.
 *
 * Return: 0; -EINVAL (NULL @qp, a mode out of range); or the error of a
 * failed controller (a doorbell write that failed). The mode is unchanged
 * on error.
 */
int uvf_nvme_qpair_set_doorbell(struct uvf_nvme_qpair *qp,
				enum uvf_nvme_doorbell mode);

/**
 * uvf_nvme_qpair_batch_begin() - hold back the SQ tail doorbell of the
 *                                next submissions until
 *                                uvf_nvme_qpair_ring()
 * @qp: queue pair
 *
 * Submissions still go into the queue at once; the controller learns of
 * them all with one doorbell write. uvf_nvme_qpair_process() and
 * uvf_nvme_qpair_wait() ring too, so a forgotten ring cannot hang the
 * caller; so does reaching NVME_SQ_BATCH_MAX held entries. No effect on a
 * queue pair in UVF_NVME_DOORBELL_PER_CMD mode.
 *
 * Return: nothing.
 */
void uvf_nvme_qpair_batch_begin(struct uvf_nvme_qpair *qp);

/**
 * uvf_nvme_qpair_ring() - write the SQ tail doorbell for every submission
 *                         held back, and end a batch begun with
 *                         uvf_nvme_qpair_batch_begin()
 * @qp: queue pair
 *
 * Writes nothing when nothing is held back, and with shadow doorbells only
 * when the controller's EventIdx asks for it.
 *
 * Return: 0, or the error of a failed controller (a doorbell write that
 * failed fails the controller: its commands complete with the error).
 */
int uvf_nvme_qpair_ring(struct uvf_nvme_qpair *qp);

/**
 * uvf_nvme_qpair_process() - reap completions by polling the phase bit,
 *                            calling each command's callback, and check
 *                            deadlines and controller fatal status
 * @qp: queue pair
 * @max: completions to reap at most; 0 for all available
 *
 * Rings the SQ tail doorbell for submissions held back (before returning,
 * so those made by the callbacks go out in the same write), and writes the
 * CQ head doorbell at most once for all the completions reaped (a polled
 * batching pair only when the queue could otherwise fill; see
 * "Doorbells" above).
 *
 * Return: the number of completions reaped (0 when none arrived), or a
 * negative errno once the controller has failed (its outstanding commands
 * were completed with errors first).
 */
int uvf_nvme_qpair_process(struct uvf_nvme_qpair *qp, unsigned int max);

/**
 * uvf_nvme_qpair_wait() - wait until at least one completion was reaped
 * @qp: queue pair
 * @timeout_ms: -1 waits until the earliest command deadline at most; 0
 *              polls once
 *
 * Rings the SQ tail doorbell for submissions held back first, then sleeps
 * on the queue pair's interrupt eventfd when the controller uses
 * interrupts, else spins on the completion queue.
 *
 * Return: the number of completions reaped (at least 1), -ETIMEDOUT
 * (nothing within @timeout_ms), -EAGAIN (nothing outstanding), or the
 * error of a failed controller.
 */
int uvf_nvme_qpair_wait(struct uvf_nvme_qpair *qp, int timeout_ms);

/* Completion record for synchronous use with uvf_nvme_sync_cb(). */
struct uvf_nvme_sync {
	bool done;
	int err;
	struct uvf_nvme_cpl cpl;
};

/**
 * uvf_nvme_sync_cb() - a callback that stores the outcome in a struct
 *                      uvf_nvme_sync passed as @arg
 * @arg: struct uvf_nvme_sync, zeroed before submitting
 * @err: outcome
 * @cpl: completion
 *
 * Return: nothing.
 */
void uvf_nvme_sync_cb(void *arg, int err, const struct uvf_nvme_cpl *cpl);

/**
 * uvf_nvme_sync_wait() - reap completions until @s is done
 * @qp: queue pair the command went to
 * @s: record given to uvf_nvme_sync_cb()
 *
 * Ends within the command timeout even when the controller never answers.
 *
 * Return: the command's outcome, @s->err.
 */
int uvf_nvme_sync_wait(struct uvf_nvme_qpair *qp, struct uvf_nvme_sync *s);

/**
 * uvf_nvme_status_errno() - decode a completion status into an errno
 * @status: status field (struct uvf_nvme_cpl.status)
 *
 * Return: 0 for success, else a negative errno: -EOPNOTSUPP (invalid
 * opcode), -EINVAL (invalid field, queue or PRP/SGL errors), -ENXIO
 * (invalid namespace), -ERANGE (LBA out of range), -ENOSPC (capacity
 * exceeded), -EAGAIN (namespace not ready), -EBUSY (format in progress),
 * -ECANCELED (aborted), -EBADE (reservation conflict), -EACCES (access
 * denied), -EROFS (write to read-only range), -EILSEQ (protection
 * information mismatch), -ENODATA (unrecovered read error, unwritten
 * block), -EBADMSG (compare failure), -EPROTO (command sequence error,
 * command ID conflict), -ENOLINK (path errors), -EIO otherwise.
 */
int uvf_nvme_status_errno(uint16_t status);

/**
 * uvf_nvme_status_str() - the specification's name of a status
 * @status: status field
 *
 * Return: a static string, e.g. "LBA Out of Range"; "Unknown Status" for
 * codes the driver does not know.
 */
const char *uvf_nvme_status_str(uint16_t status);

/**
 * uvf_nvme_driver - the driver model entry: probe opens the controller
 * with default options (drvdata is the struct uvf_nvme_ctrl), remove
 * closes it. Its ID table holds 1b36:0010; class-code matching (01:08:02)
 * is in uvf_nvme_match(), which probe applies as well.
 */
extern const struct uvf_driver uvf_nvme_driver;

#endif
