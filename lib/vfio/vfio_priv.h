/* SPDX-License-Identifier: MIT */
/*
 * Inside the VFIO layer: the context (a struct uvf_iommu), its devices, the
 * per-backend tables, and the system-call table that unit tests replace to
 * play the kernel.
 */
#ifndef UVF_VFIO_PRIV_H
#define UVF_VFIO_PRIV_H

#include <pthread.h>
#include <stdatomic.h>
#include <sys/types.h>

#include <linux/vfio.h>

#include <uvf/pci.h>
#include <uvf/vfio.h>

#include "device/device_priv.h"
#include "iommu/domain.h"

/* IOVA ranges kept per device or container; the core takes at most 8. */
#define VFIO_MAX_RANGES 8
/* Reserved regions kept per device. */
#define VFIO_MAX_RESV 32
/* Mappable areas of one region (sparse mmap). */
#define VFIO_MAX_AREAS 16

/*
 * Every call the layer makes on a kernel object, each returning a negative
 * errno on failure. Real system calls by default (vfio_sys_default); unit
 * tests pass their own to vfio_open_sys().
 */
struct vfio_sys {
	int (*open)(void *arg, const char *path, int flags);
	int (*dup)(void *arg, int fd);	/* close-on-exec copy */
	void (*close)(void *arg, int fd);
	int (*ioctl)(void *arg, int fd, unsigned long req, void *data);
	ssize_t (*pread)(void *arg, int fd, void *buf, size_t n, off_t off);
	ssize_t (*pwrite)(void *arg, int fd, const void *buf, size_t n,
			  off_t off);
	/* Plain read/write: files that cannot seek (an iommufd fault
	 * queue). */
	ssize_t (*read)(void *arg, int fd, void *buf, size_t n);
	ssize_t (*write)(void *arg, int fd, const void *buf, size_t n);
	/* MAP_FIXED at @addr, which lies inside a reservation of ours. */
	int (*mmap_fixed)(void *arg, void *addr, size_t len, int fd,
			  off_t off);
	void *arg;
};

extern const struct vfio_sys vfio_sys_default;

#ifdef UVF_FAULT_INJECTION
/* Fills @out with @inner's calls, each an injection point (util/fault.h);
 * returns @out. */
const struct vfio_sys *vfio_sys_faulty(struct vfio_sys *out,
				       const struct vfio_sys *inner);
#endif

struct vfio_range_set {
	struct uvf_iova_range v[VFIO_MAX_RANGES];
	size_t n;
};

/* A mappable piece of a region, relative to the region's start. */
struct vfio_area {
	uint64_t offset;
	uint64_t size;
};

struct vfio_region {
	uint64_t size;
	uint64_t offset;	/* in the device fd */
	uint32_t flags;		/* VFIO_REGION_INFO_FLAG_* */
	struct vfio_area area[VFIO_MAX_AREAS];
	unsigned int nr_areas;	/* 0: not mappable */
	bool whole;		/* the areas cover the region */
	unsigned int bar_flags;	/* UVF_BAR_* for BARs */
	/* Reservation of the region's size with the areas mapped into it;
	 * set once, then read without the lock. */
	_Atomic(char *) base;
	size_t base_len;
	int map_err;		/* the mapping was tried and failed */
};

struct vfio_ctx;
struct vfio_group;

struct vfio_device {
	struct uvf_device dev;	/* first: the core hands us this */
	struct vfio_ctx *ctx;
	struct vfio_device *next;	/* the context's devices */
	char bdf[UVF_PCI_BDF_LEN];
	int fd;
	int group_nr;		/* -ENOENT without a group */
	struct vfio_group *group;	/* type1, noiommu */
	uint32_t devid;		/* iommufd */
	/* iommufd: what the device's IOMMU translates */
	struct vfio_range_set ranges;
	struct uvf_resv_region resv[VFIO_MAX_RESV];
	size_t nr_resv;
	uint32_t info_flags;	/* VFIO_DEVICE_FLAGS_* */
	struct vfio_region bar[UVF_MAX_BARS];
	struct vfio_region cfg;
	/* By VFIO IRQ index: enum uvf_irq_type, then error and request. */
	uint32_t irq_count[VFIO_PCI_NUM_IRQS];
	pthread_mutex_t map_lock;	/* lazy BAR mapping */
};

struct vfio_group {
	struct vfio_group *next;
	int nr;
	int fd;
	unsigned int refs;	/* open devices of the group */
};

/* What one backend adds to the context. The context lock is held. */
struct vfio_backend_ops {
	enum uvf_vfio_backend kind;
	/* Open the container or iommufd (ctx->fd). */
	int (*setup)(struct vfio_ctx *ctx);
	void (*teardown)(struct vfio_ctx *ctx);
	/* Give @vd its device fd (group joined / cdev bound); undo
	 * everything on failure. */
	int (*dev_open)(struct vfio_ctx *ctx, struct vfio_device *vd,
			const struct uvf_pci_dev *pd);
	void (*dev_close)(struct vfio_ctx *ctx, struct vfio_device *vd);
	/* The domain table every domain of the context holds. */
	const struct uvf_domain_ops *dom;
	/* uvf_iommu_name() once decided. */
	const char *(*name)(const struct vfio_ctx *ctx);
};

struct vfio_ctx {
	struct uvf_iommu iommu;	/* first */
	const struct vfio_sys *sys;
#ifdef UVF_FAULT_INJECTION
	struct vfio_sys faulty_sys;	/* what sys points at */
#endif
	/* Serialises device open/close, groups and backend state; taken
	 * before a domain lock, never after. */
	pthread_mutex_t lock;
	enum uvf_vfio_backend want;	/* AUTO until a device decides */
	const struct vfio_backend_ops *be;	/* NULL until decided */
	struct uvf_pci_ctx *pci;
	char *sysfs_root;
	char *dev_root;
	uvf_iova_t iova_last;
	int fd;			/* container or iommufd; -1 */
	bool shared;		/* fd is someone else's container */
	bool destroyed;		/* freed when the last device closes */
	struct vfio_device *devices;
	unsigned int nr_devices;
	int pagemap_fd;		/* noiommu; -1 until needed */
	/* Nodes a broker opened (uvf_vfio_opts.passed_fds), our copies;
	 * fd -1 once a backend has taken it. */
	struct {
		char *path;
		int fd;
	} *passed;
	size_t nr_passed;

	/* uvf_vfio_opts.vf_token, checked; "" for none */
	char vf_token[37];

	/* type1 and noiommu */
	struct vfio_group *groups;
	unsigned long iommu_type;	/* VFIO_*_IOMMU to set */
	bool iommu_set;			/* the container has it */
	struct vfio_range_set ranges;	/* the container's */
	bool avail_known;
	uint64_t dma_avail;		/* entries free at the start */
	struct uvf_domain *translated;	/* type1: the one domain */
};

/* The context of a domain made with a backend's table: only a VFIO
 * context hands out those tables, so no check is needed. */
static inline struct vfio_ctx *vfio_ctx_of_dom(const struct uvf_domain *dom)
{
	return (struct vfio_ctx *)dom->iommu;
}

/* Facts the backend choice depends on. */
struct vfio_facts {
	bool iommufd_compiled;
	bool dev_iommu;		/* /dev/iommu exists */
	bool cdev;		/* the device has /dev/vfio/devices/vfioN */
	bool group_node;	/* /dev/vfio/N or /dev/vfio/noiommu-N */
	bool noiommu_group;	/* it is noiommu-N */
};

/* ctx.c */
int vfio_open_sys(const struct uvf_vfio_opts *opts,
		  const struct vfio_sys *sys, struct uvf_iommu **out);
struct vfio_ctx *vfio_ctx_of(const struct uvf_iommu *iommu);
struct vfio_device *vfio_device_of(const struct uvf_device *dev);
int vfio_ioctl(struct vfio_ctx *ctx, int fd, unsigned long req, void *data);
/* A map ioctl on the context's fd; an ENOMEM is diagnosed as the
 * RLIMIT_MEMLOCK shortfall of pinning @len more bytes. */
int vfio_map_ioctl(struct vfio_ctx *ctx, unsigned long req, void *data,
		   const char *what, uint64_t len);
const struct vfio_backend_ops *vfio_backend_for(enum uvf_vfio_backend kind);
void vfio_ctx_set_name(struct vfio_ctx *ctx);
/* Close the backend and free; the core's part is already torn down. */
void vfio_ctx_free(struct vfio_ctx *ctx);

/* open.c */
void vfio_device_destroy(struct uvf_device *dev);

/* select.c */
/* The facts of @pd, with /dev at @dev_root. */
void vfio_gather_facts(const char *dev_root, const struct uvf_pci_dev *pd,
		       struct vfio_facts *f);

/* passfd.c: kernel nodes opened by a broker. */
int vfio_passed_copy(struct vfio_ctx *ctx, const struct uvf_vfio_opts *opts);
void vfio_passed_free(struct vfio_ctx *ctx);
/* Opens @path: a passed fd for it if there is one left, else the node. */
int vfio_open_node(struct vfio_ctx *ctx, const char *path, int flags);
int vfio_broker_open_sys(const struct uvf_vfio_opts *opts,
			 const struct vfio_sys *sys, const char *bdf,
			 struct uvf_vfio_fd **fds, size_t *n);

int vfio_choose_backend(enum uvf_vfio_backend want,
			const struct vfio_facts *f,
			enum uvf_vfio_backend *out);

/* caps.c: capability chains of VFIO_*_GET_INFO replies. */
/* Make a GET_INFO call whose reply starts with argsz, from @head, growing
 * the buffer until the reply fits; *out (malloc'ed) and its *size. */
int vfio_get_info(struct vfio_ctx *ctx, int fd, unsigned long req,
		  const void *head, size_t head_size, void **out, size_t *size);
int vfio_cap_find(const void *buf, size_t len, uint32_t first, uint16_t id,
		  size_t min_size, const void **cap);
int vfio_parse_iova_ranges(const void *buf, size_t len, uint32_t first,
			   struct vfio_range_set *out);
int vfio_parse_dma_avail(const void *buf, size_t len, uint32_t first,
			 uint64_t *avail);
int vfio_parse_sparse(const void *buf, size_t len, uint32_t first,
		      uint64_t region_size, struct vfio_region *r);

/* vftoken.c: SR-IOV VF tokens. */
/* Parses a UUID in its 36-character form: 0 or -EINVAL. */
int vfio_uuid_parse(const char *s, uint8_t out[16]);
/* Whether @bdf is a VF whose PF is on vfio-pci (the kernel then wants a
 * token), and whether it is an SR-IOV PF. */
void vfio_sriov_role(struct vfio_ctx *ctx, const char *bdf, bool *vf,
		     bool *pf);
/* Sets the context's token on the open PF @fd (VFIO_DEVICE_FEATURE). */
int vfio_set_vf_token(struct vfio_ctx *ctx, int fd, const char *uuid);

/* ranges.c */
/* Adds [@first, @last] from a kernel's answer to the end of @s: -EIO when
 * it is inverted or not above the ranges before it (the kernel reports
 * them sorted and disjoint, which every function here relies on). Past
 * VFIO_MAX_RANGES it is checked and dropped: the first ones are a safe
 * subset. */
int vfio_ranges_append(struct vfio_range_set *s, uvf_iova_t first,
		       uvf_iova_t last);
void vfio_ranges_clamp(struct vfio_range_set *s, uvf_iova_t last);
void vfio_ranges_intersect(struct vfio_range_set *a,
			   const struct vfio_range_set *b);
bool vfio_ranges_cover(const struct vfio_range_set *outer,
		       const struct uvf_iova_range *inner, size_t n);

/* resv.c */
int vfio_resv_parse(const char *text, struct uvf_resv_region *out,
		    size_t max);
int vfio_resv_read(const char *sysfs_root, int group,
		   struct uvf_resv_region *out, size_t max);

/* device.c */
int vfio_device_read_info(struct vfio_device *vd);
void vfio_device_unmap_all(struct vfio_device *vd);
extern const struct uvf_device_ops vfio_device_ops;

/* Backends. */
extern const struct vfio_backend_ops vfio_type1_backend;
extern const struct vfio_backend_ops vfio_noiommu_backend;
/* NULL when iommufd is not compiled in. */
const struct vfio_backend_ops *vfio_iommufd_backend(void);
int vfio_noiommu_direct_addr(struct uvf_domain *dom, const void *vaddr,
			     uint64_t len, uvf_iova_t *addr);
int vfio_reserved_regions(struct uvf_domain *dom, struct uvf_device *dev,
			  struct uvf_resv_region *out, size_t *nr);

#endif
