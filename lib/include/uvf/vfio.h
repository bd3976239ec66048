/* SPDX-License-Identifier: MIT */
/*
 * Real devices through the kernel's VFIO.
 *
 * A VFIO context is a struct uvf_iommu: the domains, the IOVA allocator,
 * reserved regions and the dma_map_page flow of uvf/iommu.h and uvf/dma.h
 * work on it unchanged, and the devices opened on it are struct uvf_device
 * (uvf/device.h). Three kernel interfaces sit behind it:
 *
 *   type1     a container (/dev/vfio/vfio) with VFIO_TYPE1v2_IOMMU, else
 *             VFIO_TYPE1_IOMMU; a device is opened through its group
 *             (/dev/vfio/N), and every group of the context joins the one
 *             container. The container is the IOMMU: it has exactly one I/O
 *             address space, so a context has at most one translated
 *             domain (a second one is -ENOTSUP) and every device of the
 *             context translates through it from the moment it is opened;
 *             attach and detach only keep uvf's bookkeeping.
 *   iommufd   the device's cdev (/dev/vfio/devices/vfioN) bound to
 *             /dev/iommu; each translated domain is one IOAS, and attach
 *             and detach move the device between IOASes. Compiled in only
 *             when the build had linux/iommufd.h (meson -Diommufd,
 *             -Duapi_headers); otherwise asking for it is -ENOTSUP.
 *   noiommu   unsafe no-IOMMU mode (/dev/vfio/noiommu-N with
 *             VFIO_NOIOMMU_IOMMU): only direct domains, whose device
 *             address is the buffer's physical address from
 *             /proc/self/pagemap (needs CAP_SYS_ADMIN). Nothing protects
 *             memory from the device.
 *
 * With UVF_VFIO_AUTO the backend is decided by the first device opened:
 * noiommu when its group is a noiommu group, else iommufd when iommufd is
 * compiled in and both /dev/iommu and the device's cdev exist, else type1.
 * The environment variable UVF_VFIO_BACKEND=type1|iommufd|noiommu|auto
 * replaces UVF_VFIO_AUTO; an explicit choice in the options wins over it.
 *
 * With iommufd a bound device is blocked until it is attached to a domain
 * (uvf_domain_attach()). On ARM that includes its MSIs, which are DMA
 * writes to the interrupt controller's doorbell through the SMMU: attach
 * before enabling interrupts.
 *
 * The kernel maps firmware direct regions (RMRR, IVMD, RMR) itself; uvf
 * only keeps the reserved regions of each device's IOMMU group
 * (/sys/kernel/iommu_groups/N/reserved_regions) out of its allocator.
 *
 * Mapping budget (type1): the kernel allows dma_entry_limit (65535 by
 * default) mappings per container and does not merge adjacent ones, so
 * every uvf mapping costs one entry whatever its size; uvf_domain_budget()
 * reports the entries left, and a map beyond them is -ENOSPC with nothing
 * else changed. Map large regions once (uvf_dma_register) rather than many
 * small ones when the budget matters. iommufd has no such limit.
 */
#ifndef UVF_VFIO_H
#define UVF_VFIO_H

#include <uvf/pci.h>
#include <uvf/types.h>

struct uvf_device;
struct uvf_domain;
struct uvf_iommu;

enum uvf_vfio_backend {
	UVF_VFIO_AUTO,		/* decided by the first device opened */
	UVF_VFIO_TYPE1,		/* group + container, type1(v2) IOMMU */
	UVF_VFIO_IOMMUFD,	/* device cdev + /dev/iommu */
	UVF_VFIO_NOIOMMU,	/* noiommu group, no translation */
};

/*
 * A kernel node opened by another process, a broker with the rights this
 * one lacks, under the path uvf would open: "/dev/vfio/vfio", the group's
 * "/dev/vfio/12", "/dev/iommu" or the cdev "/dev/vfio/devices/vfio0"
 * (below uvf_vfio_opts.dev_root). See uvf_vfio_broker_open().
 */
struct uvf_vfio_fd {
	const char *path;
	int fd;
};

struct uvf_vfio_opts {
	/* UVF_VFIO_AUTO (0) lets UVF_VFIO_BACKEND or the first device
	 * decide. */
	enum uvf_vfio_backend backend;
	/* Highest IOVA a translated domain of this context hands out or
	 * accepts, for devices that cannot address the whole aperture (a
	 * DMA mask: (1ull << 28) - 1 for a 28-bit device). 0: what the
	 * IOMMU allows. Must be one below a page boundary. */
	uvf_iova_t iova_last;
	/* Roots to look in; NULL for "/sys" and "/dev". */
	const char *sysfs_root;
	const char *dev_root;
	/* Use the already open VFIO container @container_fd, owned by
	 * someone else (DPDK's EAL: see uvf/dpdk.h), instead of opening
	 * /dev/vfio/vfio: type1 only. uvf never closes it, sets its IOMMU
	 * type only when nobody has yet (no group in it), and on teardown
	 * unmaps only what it mapped itself. The owner must keep the fd open
	 * until the context is destroyed. */
	bool shared_container;
	int container_fd;
	/* Nodes a broker opened (SCM_RIGHTS, uvf_vfio_fds_recv()): where
	 * the context would open one of these paths it uses a copy of the
	 * fd instead, once. uvf_vfio_open() duplicates them; the caller
	 * keeps its own and may close them at once. At most 8. */
	const struct uvf_vfio_fd *passed_fds;
	size_t nr_passed_fds;
	/* SR-IOV VF token, a UUID ("2ab74924-c335-45f4-9b16-8569e5b08258");
	 * NULL for none. type1/noiommu pass it when opening a VF whose PF
	 * is on vfio-pci (VFIO_GROUP_GET_DEVICE_FD "BDF vf_token=UUID", as
	 * the kernel requires) and when opening an SR-IOV PF, which sets it
	 * while no VF is in use; iommufd sets it on a PF after the bind. The
	 * cdev bind of the 6.12 uAPI carries no token: a VF of a vfio-pci PF
	 * cannot be opened through iommufd (-ENOTSUP). */
	const char *vf_token;
};

/**
 * uvf_vfio_open() - open a VFIO context (an IOMMU for uvf domains)
 * @opts: options; NULL for all defaults
 * @out: the context; free with uvf_iommu_destroy()
 *
 * An explicit backend opens its container or /dev/iommu now; with
 * UVF_VFIO_AUTO that happens when the first device is opened.
 *
 * With @opts->shared_container the type1 backend is set up on the given
 * container at once: when the container already has an IOMMU (its owner
 * has put a group in it) uvf reads its IOVA ranges and mapping budget and
 * a translated domain can be created before any uvf device is opened;
 * groups uvf adds later join without VFIO_SET_IOMMU.
 *
 * Return: 0; -EINVAL (bad option, or UVF_VFIO_BACKEND holds an unknown
 * name; a passed fd without a path, or more than 8); -EBADF (a shared
 * container fd that is negative or not a VFIO container, or a passed fd
 * that is not open); -ENOTSUP (a shared container with a backend other than auto
 * or type1; iommufd not compiled in, or the kernel lacks the
 * requested interface: no /dev/vfio/vfio or /dev/iommu, no type1 or
 * noiommu IOMMU type); -ENOMEM; or the error opening the kernel interface
 * (-EACCES, ...). Nothing stays open on failure.
 */
int uvf_vfio_open(const struct uvf_vfio_opts *opts, struct uvf_iommu **out);

/**
 * uvf_vfio_broker_open() - open the kernel nodes a driver needs for a device
 * @opts: the driver's options: backend, sysfs_root and dev_root are read
 *	(no shared container, no passed fds); NULL for all defaults
 * @bdf: PCI address of a device bound to vfio-pci
 * @fds: the opened nodes, each with the path the driver's context will look
 *	it up by; release with uvf_vfio_fds_close()
 * @n: number of nodes (2: the container or /dev/iommu, then the group node
 *	or the cdev)
 *
 * For a privileged process that opens devices for drivers that may not
 * (they get the fds with uvf_vfio_fds_send()). The backend is decided as
 * uvf_vfio_device_open() decides it for a new context.
 *
 * Return: 0; -EINVAL (bad argument or option); -ENODEV (no such device, or
 * not on a VFIO driver); -ENOTSUP (the backend is not available for it);
 * -ENOMEM; or the error opening a node (-EACCES, -EBUSY: the group is open
 * elsewhere). Nothing stays open on failure.
 */
int uvf_vfio_broker_open(const struct uvf_vfio_opts *opts, const char *bdf,
			 struct uvf_vfio_fd **fds, size_t *n);

/**
 * uvf_vfio_fds_close() - close and free nodes from uvf_vfio_broker_open()
 *			  or uvf_vfio_fds_recv()
 * @fds: array, or NULL
 * @n: its length
 *
 * Return: nothing.
 */
void uvf_vfio_fds_close(struct uvf_vfio_fd *fds, size_t n);

/**
 * uvf_vfio_fds_send() - send nodes over a unix socket
 * @sock: connected AF_UNIX socket (SOCK_STREAM or SOCK_SEQPACKET)
 * @fds: nodes; the fds stay open in the sender
 * @n: 1 to 8
 *
 * One message: the paths as its bytes, the fds as SCM_RIGHTS.
 *
 * Return: 0; -EINVAL (bad argument, a path missing, paths over 4 KiB);
 * -EPROTO (sent short); or sendmsg()'s error.
 */
int uvf_vfio_fds_send(int sock, const struct uvf_vfio_fd *fds, size_t n);

/**
 * uvf_vfio_fds_recv() - receive nodes sent with uvf_vfio_fds_send()
 * @sock: the other end
 * @fds: the nodes (fds close-on-exec), for uvf_vfio_opts.passed_fds;
 *	release with uvf_vfio_fds_close()
 * @n: their number
 *
 * Return: 0; -EINVAL (bad argument); -EPROTO (no fds, truncated, or paths
 * and fds that do not pair up: every fd received is closed); -ENOMEM; or
 * recvmsg()'s error.
 */
int uvf_vfio_fds_recv(int sock, struct uvf_vfio_fd **fds, size_t *n);

/* A device a hot reset of another would reset too. */
struct uvf_vfio_reset_dev {
	char bdf[UVF_PCI_BDF_LEN];
	bool owned;	/* open on the same context (type1: its group is;
			 * cdev: bound to the same iommufd) */
};

/**
 * uvf_vfio_hot_reset_devices() - the devices a hot reset of @dev resets
 * @dev: VFIO device
 * @devs: array, @dev itself included; free() it
 * @n: its length
 *
 * VFIO_DEVICE_GET_PCI_HOT_RESET_INFO: every device on @dev's bus or slot.
 *
 * Return: 0; -EINVAL (not a VFIO device); -ENODEV (neither the bus nor the
 * slot can be reset); -ENOMEM; or a kernel error.
 */
int uvf_vfio_hot_reset_devices(struct uvf_device *dev,
			       struct uvf_vfio_reset_dev **devs, size_t *n);

/**
 * uvf_vfio_hot_reset() - reset @dev's bus or slot
 * @dev: VFIO device
 *
 * VFIO_DEVICE_PCI_HOT_RESET, with the proof of ownership the kernel asks
 * for: the fds of every affected device's group (type1, noiommu), or, for
 * devices opened as cdevs, an empty array (they are bound to this
 * context's iommufd). Every affected device must be open on this context.
 * uvf_device_reset() uses it when @dev has no function-level reset.
 *
 * Return: 0; -EINVAL (not a VFIO device); -ENODEV (no bus or slot reset);
 * -EBUSY (an affected device is not this context's, named in the trace;
 * nothing was reset); -ENOMEM; or a kernel error.
 */
int uvf_vfio_hot_reset(struct uvf_device *dev);

/**
 * uvf_vfio_device_open() - open a PCI device bound to a VFIO driver
 * @iommu: VFIO context from uvf_vfio_open()
 * @bdf: PCI address, "0000:00:07.0" or "00:07.0"
 * @out: the device; close with uvf_device_close()
 *
 * type1/noiommu: the device's group is opened and added to the context's
 * container (the first group also sets the container's IOMMU type), then
 * the device fd is taken from the group. iommufd: the device's cdev is
 * opened and bound to the context's iommufd. Region and interrupt
 * information is read once here.
 *
 * Return: 0; -EINVAL (not a PCI address, or not a VFIO context); -ENODEV
 * (no such device, or it is not bound to a VFIO driver); -ENOTSUP (the
 * device cannot use the context's backend, e.g. a noiommu group on a
 * type1 context); -EBUSY (already open on this context, or its group is
 * not viable: another device of the group is bound to a host driver);
 * -ERANGE (the device's IOMMU cannot translate every IOVA of the
 * context's existing translated domain); -ENOMEM; or a kernel error. On
 * failure the context is as it was: the group is not left in the
 * container, the cdev not left bound.
 */
int uvf_vfio_device_open(struct uvf_iommu *iommu, const char *bdf,
			 struct uvf_device **out);

/**
 * uvf_vfio_device_set_vf_token() - set the VF token of an SR-IOV PF
 * @dev: a PF opened with uvf_vfio_device_open()
 * @uuid: the token, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"
 *
 * VFIO_DEVICE_FEATURE_SET of VFIO_DEVICE_FEATURE_PCI_VF_TOKEN: users of
 * the PF's VFs must present @uuid (uvf_vfio_opts.vf_token) to open them.
 *
 * Return: 0; -EINVAL (not a VFIO device, or @uuid is not a UUID);
 * -ENOTSUP (@dev is not an SR-IOV PF on vfio-pci); or a kernel error.
 */
int uvf_vfio_device_set_vf_token(struct uvf_device *dev, const char *uuid);

/**
 * uvf_vfio_backend() - the backend a context uses
 * @iommu: VFIO context
 *
 * Return: UVF_VFIO_TYPE1, UVF_VFIO_IOMMUFD or UVF_VFIO_NOIOMMU; UVF_VFIO_AUTO
 * while no device has decided it; -EINVAL when @iommu is not a VFIO
 * context.
 */
int uvf_vfio_backend(const struct uvf_iommu *iommu);

/**
 * uvf_vfio_backend_name() - "auto", "type1", "iommufd" or "noiommu"
 * @backend: backend
 *
 * Return: a static string ("unknown" for a value outside the enum).
 */
const char *uvf_vfio_backend_name(enum uvf_vfio_backend backend);

/**
 * uvf_vfio_backend_parse() - the backend a name stands for
 * @name: "auto", "type1", "iommufd" or "noiommu" (as uvf_vfio_backend_name()
 *        gives them); NULL or "" mean "auto", as an unset option would
 * @out: the backend
 *
 * Return: 0; -EINVAL for any other name, @out unchanged.
 */
int uvf_vfio_backend_parse(const char *name, enum uvf_vfio_backend *out);

/**
 * uvf_vfio_iommufd_compiled() - whether this build has the iommufd backend
 *
 * Return: true when it was built with linux/iommufd.h.
 */
bool uvf_vfio_iommufd_compiled(void);

/**
 * uvf_vfio_context_fd() - the container fd (type1, noiommu) or the iommufd
 * @iommu: VFIO context
 *
 * For advanced use (extra ioctls); the fd stays owned by the context.
 *
 * Return: the fd; -ENODEV while the backend is undecided; -EINVAL when
 * @iommu is not a VFIO context.
 */
int uvf_vfio_context_fd(const struct uvf_iommu *iommu);

/**
 * uvf_vfio_context_shared() - whether a context runs on a container that
 *                             someone else owns
 * @iommu: VFIO context
 *
 * Return: true when it was opened with uvf_vfio_opts.shared_container,
 * false otherwise (also when @iommu is not a VFIO context).
 */
bool uvf_vfio_context_shared(const struct uvf_iommu *iommu);

/**
 * uvf_vfio_device_fd() - the VFIO device fd
 * @dev: device from uvf_vfio_device_open()
 *
 * For advanced use (ioctls uvf does not wrap); owned by @dev.
 *
 * Return: the fd, or -EINVAL when @dev is not a VFIO device.
 */
int uvf_vfio_device_fd(const struct uvf_device *dev);

/**
 * uvf_vfio_device_group() - the IOMMU group number of a VFIO device
 * @dev: device from uvf_vfio_device_open()
 *
 * Return: the group number (also for iommufd, from sysfs), -ENOENT when the
 * device has no group, or -EINVAL when @dev is not a VFIO device.
 */
int uvf_vfio_device_group(const struct uvf_device *dev);

/**
 * uvf_vfio_domain_ioas() - the IOAS behind an iommufd domain
 * @dom: translated domain of an iommufd context
 * @id: the IOAS id, for IOMMU_* ioctls on uvf_vfio_context_fd()
 *
 * Return: 0, -ENOTSUP (not an iommufd domain), or -EINVAL.
 */
int uvf_vfio_domain_ioas(const struct uvf_domain *dom, uint32_t *id);

/* uvf_vfio_hwpt_alloc() flags. */
#define UVF_HWPT_DIRTY_TRACKING (1u << 0)	/* can track device writes */
#define UVF_HWPT_NEST_PARENT (1u << 1)		/* stage 2 for nesting */

/**
 * uvf_vfio_hwpt_alloc() - allocate a hardware page table on a domain's IOAS
 * @dom: translated domain of an iommufd context
 * @dev_id: iommufd id of a device bound to the context's iommufd (from
 *	uvf_vfio_device_iommufd_id(), or any other object id the kernel
 *	knows, e.g. a selftest mock device): the HWPT is made for its IOMMU
 * @flags: UVF_HWPT_DIRTY_TRACKING and/or UVF_HWPT_NEST_PARENT
 * @hwpt_id: the HWPT's id
 *
 * IOMMU_HWPT_ALLOC. The HWPT mirrors the domain's mappings and belongs to
 * the domain: it is destroyed with it, and devices of the domain can be
 * moved onto it with uvf_vfio_device_attach_hwpt(). A dirty-tracking HWPT
 * allocated while the domain tracks starts tracking at once. At most 8
 * per domain.
 *
 * Return: 0; -EINVAL (bad argument or flag, direct domain); -ENOTSUP (not
 * an iommufd domain, or built without the 6.7+ uAPI; from the kernel: the
 * IOMMU cannot do what @flags ask); -ENOENT (no such device); -ENOSPC (8
 * HWPTs already); or a kernel error. Nothing is allocated on failure.
 */
int uvf_vfio_hwpt_alloc(struct uvf_domain *dom, uint32_t dev_id,
			uint32_t flags, uint32_t *hwpt_id);

/* I/O page faults: an iommufd fault queue (IOMMU_FAULT_QUEUE_ALLOC). */
struct uvf_vfio_fault_queue;

/* What uvf_vfio_hwpt_alloc_opts() allocates. */
struct uvf_vfio_hwpt_opts {
	uint32_t flags;		/* UVF_HWPT_*; 0 for a nested HWPT */
	/* 0: a paging HWPT on the domain's IOAS. Else a UVF_HWPT_NEST_PARENT
	 * HWPT of the domain: a nested HWPT on it, translating through the
	 * stage-1 table the IOMMU driver takes from @data, then the
	 * domain's mappings. */
	uint32_t parent_id;
	uint32_t data_type;	/* nested: the kernel's IOMMU_HWPT_DATA_* */
	uint32_t data_len;	/* nested: bytes at @data, not 0 */
	const void *data;
	/* NULL, or the queue of the same context that receives the HWPT's
	 * I/O page faults (6.12 takes one only for a nested HWPT). */
	struct uvf_vfio_fault_queue *fault;
};

/**
 * uvf_vfio_hwpt_alloc_opts() - allocate a paging or nested hardware page
 *                              table, optionally reporting page faults
 * @dom: translated domain of an iommufd context
 * @dev_id: iommufd id of the device the HWPT is made for (as for
 *	uvf_vfio_hwpt_alloc())
 * @opts: what to allocate
 * @hwpt_id: the HWPT's id
 *
 * IOMMU_HWPT_ALLOC, with IOMMU_HWPT_FAULT_ID_VALID and the queue's id when
 * @opts->fault is set. The HWPT belongs to the domain like those of
 * uvf_vfio_hwpt_alloc() (a nested one is destroyed before its parent),
 * and holds its fault queue until then.
 *
 * Return: 0; -EINVAL (bad argument, flag or data, a queue of another
 * context, direct domain); -ENOTSUP (not an iommufd domain, or built
 * without the 6.7+ uAPI, or, with @opts->fault, the 6.11+ uAPI); -ENOENT
 * (@opts->parent_id is not a nesting parent of @dom; from the kernel: no
 * such device or queue); -ENOSPC (8 HWPTs already); or a kernel error
 * (-EOPNOTSUPP: the IOMMU cannot do what @opts asks). Nothing is allocated
 * on failure.
 */
int uvf_vfio_hwpt_alloc_opts(struct uvf_domain *dom, uint32_t dev_id,
			     const struct uvf_vfio_hwpt_opts *opts,
			     uint32_t *hwpt_id);

/**
 * uvf_vfio_device_iommufd_id() - a VFIO device's id in its iommufd
 * @dev: device of an iommufd context
 * @id: the id from VFIO_DEVICE_BIND_IOMMUFD
 *
 * Return: 0; -EINVAL (not a VFIO device, or @id NULL); -ENOTSUP (not an
 * iommufd context, or built without the 6.7+ uAPI).
 */
int uvf_vfio_device_iommufd_id(const struct uvf_device *dev, uint32_t *id);

/**
 * uvf_vfio_device_attach_hwpt() - move an attached device onto another
 *                                 page table of its domain
 * @dev: VFIO device attached to an iommufd domain (uvf_domain_attach())
 * @pt_id: the domain's IOAS (uvf_vfio_domain_ioas()) or one of its HWPTs
 *
 * VFIO_DEVICE_ATTACH_IOMMUFD_PT on an attached device, which the kernel
 * turns into a replace: DMA keeps flowing, now through @pt_id. Every page
 * table of a domain holds the domain's mappings, so nothing else changes.
 * uvf_domain_detach() detaches from whichever the device is on.
 *
 * Return: 0; -EINVAL (not a VFIO device); -ENODEV (not attached to a
 * domain); -ENOTSUP (not an iommufd context, or built without the 6.7+
 * uAPI); -ENOENT (@pt_id is not a page table of the device's domain); or
 * a kernel error, the device staying where it was.
 */
int uvf_vfio_device_attach_hwpt(struct uvf_device *dev, uint32_t pt_id);

/* What IOMMU_GET_HW_INFO says of a device's IOMMU. */
enum uvf_vfio_hw_type {
	UVF_VFIO_HW_NONE,	/* the driver reports no data */
	UVF_VFIO_HW_INTEL_VTD,
	UVF_VFIO_HW_ARM_SMMUV3,
	UVF_VFIO_HW_SELFTEST,	/* the kernel's IOMMUFD_TEST mock */
	UVF_VFIO_HW_OTHER,	/* a type this uvf does not know */
};

/* uvf_vfio_hw_info.caps */
#define UVF_VFIO_CAP_DIRTY_TRACKING (1ull << 0)

struct uvf_vfio_hw_info {
	enum uvf_vfio_hw_type type;
	uint32_t kernel_type;	/* IOMMU_HW_INFO_TYPE_* as reported */
	uint64_t caps;		/* UVF_VFIO_CAP_* */
	uint32_t data_len;	/* bytes of @data filled */
	uint8_t data[64];	/* the type's struct (iommu_hw_info_vtd, ...) */
};

/**
 * uvf_vfio_hw_info() - the type and capabilities of a device's IOMMU
 * @iommu: iommufd context
 * @dev_id: iommufd id of a bound device (uvf_vfio_device_iommufd_id())
 * @info: filled in
 *
 * IOMMU_GET_HW_INFO.
 *
 * Return: 0; -EINVAL (not a VFIO context, @info NULL); -ENOTSUP (not
 * iommufd, or built without the 6.7+ uAPI); -ENOENT (no such device); or
 * a kernel error, @info unchanged.
 */
int uvf_vfio_hw_info(struct uvf_iommu *iommu, uint32_t dev_id,
		     struct uvf_vfio_hw_info *info);

/* uvf_vfio_fault.flags, as the kernel's IOMMU_PGFAULT_FLAGS_*. */
#define UVF_FAULT_PASID_VALID (1u << 0)
#define UVF_FAULT_LAST_PAGE (1u << 1)	/* the last fault of its group */
/* uvf_vfio_fault.perm, as the kernel's IOMMU_PGFAULT_PERM_*. */
#define UVF_FAULT_PERM_READ (1u << 0)
#define UVF_FAULT_PERM_WRITE (1u << 1)
#define UVF_FAULT_PERM_EXEC (1u << 2)
#define UVF_FAULT_PERM_PRIV (1u << 3)

/* One I/O page fault (the kernel's struct iommu_hwpt_pgfault, same
 * layout). Faults of one page request group share @cookie. */
struct uvf_vfio_fault {
	uint32_t flags;		/* UVF_FAULT_PASID_VALID, UVF_FAULT_LAST_PAGE */
	uint32_t dev_id;	/* iommufd id of the faulting device */
	uint32_t pasid;
	uint32_t grpid;		/* page request group index */
	uint32_t perm;		/* UVF_FAULT_PERM_* asked for */
	uint32_t reserved;
	uint64_t addr;		/* faulting IOVA */
	uint32_t length;	/* hint of bytes the device wants; 0 none */
	uint32_t cookie;	/* echo in the group's response */
};

/* A page response (PCIe 10.4.2.1). */
enum uvf_vfio_fault_code {
	UVF_FAULT_RESP_SUCCESS = 0,	/* mapped now: retry the access */
	UVF_FAULT_RESP_INVALID = 1,	/* cannot be mapped: do not retry */
};

/**
 * uvf_vfio_fault_queue_alloc() - create an I/O page fault queue
 * @iommu: iommufd context
 * @queue: the new queue
 *
 * IOMMU_FAULT_QUEUE_ALLOC. HWPTs allocated with the queue in
 * uvf_vfio_hwpt_opts.fault deliver the I/O page faults of devices
 * attached to them here; its fd (uvf_vfio_fault_queue_fd()) polls
 * readable while faults wait.
 *
 * Return: 0; -EINVAL (not a VFIO context, @queue NULL); -ENOTSUP (not
 * iommufd, or built without the 6.11+ uAPI); -ENOMEM; or a kernel error
 * (-ENOTTY: a kernel without fault queues). Nothing is allocated on
 * failure.
 */
int uvf_vfio_fault_queue_alloc(struct uvf_iommu *iommu,
			       struct uvf_vfio_fault_queue **queue);

/**
 * uvf_vfio_fault_queue_destroy() - destroy a fault queue
 * @queue: queue from uvf_vfio_fault_queue_alloc(); NULL does nothing
 *
 * Faults read and not answered yet are answered UVF_FAULT_RESP_INVALID
 * by the kernel. A queue must go before its context.
 *
 * Return: 0; -EBUSY (an HWPT still delivers to it: destroy its domain
 * first), the queue left as it was.
 */
int uvf_vfio_fault_queue_destroy(struct uvf_vfio_fault_queue *queue);

/**
 * uvf_vfio_fault_queue_fd() - the queue's file, for poll()
 * @queue: fault queue
 *
 * POLLIN while faults wait to be read. uvf owns the fd.
 *
 * Return: the fd, or -EINVAL (@queue NULL).
 */
int uvf_vfio_fault_queue_fd(const struct uvf_vfio_fault_queue *queue);

/**
 * uvf_vfio_fault_read() - take the faults waiting in a queue
 * @queue: fault queue
 * @faults: room for @max faults
 * @max: how many fit
 *
 * Reads whole page request groups, as many as fit, without waiting. Each
 * group read must then be answered (uvf_vfio_fault_respond()) with the
 * cookie of its faults.
 *
 * Return: the number of faults read (0: none wait); -EINVAL (NULL, @max
 * 0, or from the kernel: the first group waiting has more than @max
 * faults, and stays queued); or a kernel error (-ENOMEM: too many groups
 * unanswered), nothing taken.
 */
int uvf_vfio_fault_read(struct uvf_vfio_fault_queue *queue,
			struct uvf_vfio_fault *faults, size_t max);

/**
 * uvf_vfio_fault_respond() - answer a page request group
 * @queue: the queue it was read from
 * @cookie: the cookie of the group's faults
 * @code: UVF_FAULT_RESP_SUCCESS or UVF_FAULT_RESP_INVALID
 *
 * The kernel sends the page response to the device; a cookie is answered
 * once.
 *
 * Return: 0; -EINVAL (NULL, bad @code, or from the kernel: @cookie not
 * read from this queue or answered already); or a kernel error.
 */
int uvf_vfio_fault_respond(struct uvf_vfio_fault_queue *queue,
			   uint32_t cookie, enum uvf_vfio_fault_code code);

/* Handles one fault (maps its page, say): 0 when it can be retried. */
typedef int (*uvf_vfio_fault_fn)(void *arg, const struct uvf_vfio_fault *f);

/**
 * uvf_vfio_fault_service() - handle and answer every waiting fault
 * @queue: fault queue
 * @fn: called once per fault, in order
 * @arg: passed to @fn
 *
 * What a driver does when the queue's fd polls readable: reads the
 * waiting groups, calls @fn on each fault and answers each group
 * UVF_FAULT_RESP_SUCCESS when @fn returned 0 for all its faults, else
 * UVF_FAULT_RESP_INVALID; until none wait.
 *
 * Return: the number of groups answered; -EINVAL (NULL); -ENOMEM; or a
 * kernel error (groups read before it were answered).
 */
int uvf_vfio_fault_service(struct uvf_vfio_fault_queue *queue,
			   uvf_vfio_fault_fn fn, void *arg);

/**
 * uvf_vfio_device_intx_unmask() - unmask INTx after handling an interrupt
 * @dev: device with INTx enabled through uvf_device_irq_enable()
 *
 * VFIO masks a level-triggered INTx line when it fires; the driver unmasks
 * it once the device no longer asserts it.
 *
 * Return: 0, -EINVAL (not a VFIO device or INTx not enabled), or a kernel
 * error.
 */
int uvf_vfio_device_intx_unmask(struct uvf_device *dev);

/**
 * uvf_vfio_map_kernel_iova() - map memory at an IOVA the kernel chooses
 * @dom: translated domain of an iommufd context
 * @vaddr: first byte, page aligned
 * @len: bytes, a non-zero multiple of the page size
 * @prot: UVF_PROT_READ and/or UVF_PROT_WRITE
 * @iova: where the kernel placed it
 *
 * IOMMU_IOAS_MAP without IOMMU_IOAS_MAP_FIXED_IOVA. The kernel allocates
 * only inside the domain's usable ranges (uvf hands them to it with
 * IOMMU_IOAS_ALLOW_IOVAS, so iova_last and reserved regions hold), and the
 * result is taken out of uvf's allocator and recorded like a
 * uvf_domain_map() mapping, so uvf_domain_unmap() undoes it.
 *
 * Return: 0; -EINVAL (bad arguments, direct domain); -EOVERFLOW; -ENOTSUP
 * (not an iommufd domain); -EBUSY (the kernel picked IOVAs uvf has just
 * allocated and not yet mapped: try again);
 * -ENOSPC; -ENOMEM; or a kernel error. Nothing is mapped on failure.
 */
int uvf_vfio_map_kernel_iova(struct uvf_domain *dom, void *vaddr,
			     uint64_t len, int prot, uvf_iova_t *iova);

#endif
