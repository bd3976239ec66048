/* SPDX-License-Identifier: MIT */
/*
 * A process-wide DMA heap, like SPDK's env memory and DPDK's EAL heap:
 * memory registered once and mapped into every domain attached to the heap,
 * so drivers allocate DMA memory instead of mapping their own buffers, and
 * one allocation is reachable from every device of every attached domain.
 *
 *   uvf_dmaheap_create()         reserve a virtual window (nothing backed)
 *   uvf_dmaheap_attach(heap, d)  map every chunk into domain d, and every
 *                                chunk the heap grows by later
 *   uvf_dmaheap_alloc()          contiguous memory (queues, rings)
 *   uvf_dmaheap_pool_*()         fixed-size objects (PRP lists, packet
 *                                buffers): O(1) alloc and free
 *   uvf_dmaheap_iova(), or uvf_dma_vtoiova() on any attached domain's
 *   device: the device address of any heap byte in that domain
 *
 * Memory comes in chunks (2 MiB by default) from a provider
 * (uvf_dmaheap_opts.provider). The built-in one places them back to back in
 * the window; another (DPDK EAL memory, uvf/dpdk.h) gives chunks anywhere,
 * each 2 MiB-aligned, and may give them a device address of their own
 * (struct uvf_dmaheap_chunk.iova), which direct domains then use. A
 * built-in chunk is backed by hugetlbfs pages (1 GiB when the chunk size is
 * a multiple of it, else 2 MiB), else by transparent huge pages (2 MiB
 * aligned anonymous memory with MADV_HUGEPAGE), else by 4 KiB pages;
 * uvf_dmaheap_get_info() says which. With libnuma a chunk's pages come from
 * the requested NUMA node (uvf_dmaheap_pci_node() reads a device's);
 * without it they are unbound and the info says so. Chunks are locked
 * (mlock) unless UVF_DMAHEAP_NO_MLOCK; chunks are never given back before
 * the heap is destroyed.
 *
 * Growth is a notification to every attached domain: a chunk is mapped into
 * each in attach order, and when one refuses, it is unmapped from those
 * that took it and given back, so no chunk is ever half-mapped. A failure
 * to lock memory (mlock, or ENOMEM from a VFIO map: RLIMIT_MEMLOCK) is
 * diagnosed with the limit, what the heap needs and the fix, through the
 * trace sink (uvf_set_log_fn(), stderr by default) whether or not tracing
 * is on, and kept for uvf_dmaheap_diagnosis().
 *
 * Nothing is unmapped under a device: a domain with pinned objects
 * (uvf_dmaheap_pin()) cannot be detached, a pinned object cannot be freed,
 * a heap with domains or allocations cannot be destroyed.
 *
 * Threads: every call may run concurrently with any other, except destroy
 * calls on the object they destroy.
 */
#ifndef UVF_DMAHEAP_H
#define UVF_DMAHEAP_H

#include <stdbool.h>

#include <uvf/types.h>

struct uvf_domain;
struct uvf_dmaheap;
struct uvf_dmaheap_pool;

/* What backs a chunk, best first. */
enum uvf_dmaheap_backing {
	UVF_DMAHEAP_HUGETLB_1G,	/* hugetlbfs 1 GiB pages */
	UVF_DMAHEAP_HUGETLB_2M,	/* hugetlbfs 2 MiB pages */
	UVF_DMAHEAP_THP,	/* anonymous, MADV_HUGEPAGE on 2 MiB alignment */
	UVF_DMAHEAP_4K,		/* anonymous 4 KiB pages */
	UVF_DMAHEAP_NR_BACKINGS,
};

/* uvf_dmaheap_opts.flags */
enum {
	/* Map every chunk at IOVA == its virtual address (DPDK's IOVA-as-VA):
	 * only domains whose usable ranges hold the whole window attach. */
	UVF_DMAHEAP_IOVA_VA = 1 << 0,
	/* Do not mlock chunks (a VFIO type1 or iommufd domain pins them
	 * anyway; noiommu needs them locked). */
	UVF_DMAHEAP_NO_MLOCK = 1 << 1,
};

#define UVF_DMAHEAP_NODE_ANY (-1)

/* uvf_dmaheap_chunk.iova of memory without a device address of its own. */
#define UVF_DMAHEAP_NO_IOVA (~(uvf_iova_t)0)

/* What a provider is asked for: one chunk. */
struct uvf_dmaheap_chunk_req {
	uint64_t len;			/* the heap's chunk size */
	int numa_node;			/* or UVF_DMAHEAP_NODE_ANY */
	unsigned int flags;		/* the heap's UVF_DMAHEAP_* */
	uint64_t heap_bytes;		/* the heap's size before this chunk */
	char *diag;			/* for a failure explained, or NULL */
	size_t diag_len;
};

/* What a provider gives: @len bytes at @va, aligned to 2 MiB. */
struct uvf_dmaheap_chunk {
	void *va;
	uint64_t len;
	/* The memory's own device address (DPDK's rte_memzone.iova),
	 * contiguous over @len, or UVF_DMAHEAP_NO_IOVA. */
	uvf_iova_t iova;
	enum uvf_dmaheap_backing backing;
	void *handle;			/* the provider's own (a memzone) */
};

/*
 * Where a heap's chunks come from. NULL in uvf_dmaheap_opts is the built-in
 * provider: a reserved window filled back to back with hugetlb, THP or 4K
 * chunks. Another provider's chunks may lie anywhere. Calls are made under
 * the heap's lock, never two at once for one heap.
 */
struct uvf_dmaheap_provider {
	const char *name;
	/* Give a chunk of exactly req->len bytes at a 2 MiB-aligned
	 * address: 0 or a negative errno. */
	int (*chunk_get)(void *arg, const struct uvf_dmaheap_chunk_req *req,
			 struct uvf_dmaheap_chunk *chunk);
	/* Take back a chunk chunk_get() gave (growth rolled back, or the
	 * heap destroyed). */
	void (*chunk_put)(void *arg, const struct uvf_dmaheap_chunk *chunk);
	/* May be NULL. Before a domain is attached: 0, or the error that
	 * refuses it (-EEXIST: the domain maps the provider's memory
	 * already). */
	int (*attach_check)(void *arg, struct uvf_domain *dom);
};

struct uvf_dmaheap_opts {
	/* Bytes per growth: a multiple of 2 MiB; 0 picks 2 MiB. */
	uint64_t chunk_size;
	/* The window: most bytes the heap ever holds, a multiple of
	 * chunk_size; 0 picks 1 GiB (or 4 chunks, when larger). */
	uint64_t max_bytes;
	/* The best backing to try first, falling down the list from it;
	 * UVF_DMAHEAP_HUGETLB_1G is tried only when chunk_size is a
	 * multiple of 1 GiB. */
	enum uvf_dmaheap_backing best;
	/* NUMA node for the memory, or UVF_DMAHEAP_NODE_ANY. */
	int numa_node;
	unsigned int flags;	/* UVF_DMAHEAP_* */
	/* Where chunks come from (not copied: it must outlive the heap), and
	 * its argument; NULL for the built-in window. */
	const struct uvf_dmaheap_provider *provider;
	void *provider_arg;
};

struct uvf_dmaheap_info {
	uint64_t chunk_size, max_bytes;
	uint64_t bytes;			/* backed (all chunks) */
	uint64_t chunks[UVF_DMAHEAP_NR_BACKINGS];	/* per backing */
	enum uvf_dmaheap_backing backing;	/* of the newest chunk */
	int numa_node;			/* requested, or NODE_ANY */
	bool numa_bound;		/* bound to it through libnuma */
	bool iova_va;
	unsigned int domains;		/* attached */
	uint64_t grow_failures;		/* growths rolled back */
	void *base;			/* the window; NULL with a provider */
	const char *provider;		/* its name, "built-in" without */
};

/**
 * uvf_dmaheap_opts_default() - options for a 2 MiB-chunk, 1 GiB-window heap
 *                              on any node, best backing first
 * @o: filled in
 *
 * Return: nothing.
 */
void uvf_dmaheap_opts_default(struct uvf_dmaheap_opts *o);

/**
 * uvf_dmaheap_create() - reserve a heap's virtual window
 * @o: options, NULL for uvf_dmaheap_opts_default()
 * @out: the heap
 *
 * Nothing is backed until the first allocation.
 *
 * With a provider, no window is reserved: max_bytes only bounds the heap.
 *
 * Return: 0; -EINVAL (chunk size not a multiple of 2 MiB, window not a
 * multiple of the chunk size, bad backing or flags, a NUMA node that does
 * not exist, a provider without name, chunk_get or chunk_put); -ENOMEM.
 */
int uvf_dmaheap_create(const struct uvf_dmaheap_opts *o,
		       struct uvf_dmaheap **out);

/**
 * uvf_dmaheap_shared() - the process-wide heap, created on first use
 * @out: the heap
 *
 * What the NVMe and e1000e drivers allocate from when their options name
 * no heap. Default options (locked 2 MiB chunks, 1 GiB window, any
 * node). It lives as long as the process: do not destroy it.
 *
 * Return: 0; -EINVAL (NULL @out); or an error of uvf_dmaheap_create().
 */
int uvf_dmaheap_shared(struct uvf_dmaheap **out);

/**
 * uvf_dmaheap_destroy() - give a heap's memory back
 * @heap: heap, may be NULL
 *
 * Return: 0; -EBUSY (domains still attached, or pools or allocations still
 * exist; nothing done).
 */
int uvf_dmaheap_destroy(struct uvf_dmaheap *heap);

/**
 * uvf_dmaheap_attach() - map the heap into a domain, now and at every
 *                        growth, with read-write permission
 * @heap: heap
 * @dom: domain, translated or direct; it may be created after the heap
 *       and after other domains attached
 *
 * Every chunk is registered in the domain's registered memory, so
 * uvf_dma_vtoiova() on a device of @dom translates heap addresses. Should
 * @dom be destroyed while attached, it is detached first.
 *
 * Return: 0; -EINVAL (NULL argument); -EEXIST (already attached, heap
 * memory overlaps memory registered in @dom, or the provider's
 * attach_check() says @dom maps its memory already); -ENOTSUP (IOVA == VA heap
 * and a direct domain); -ERANGE (IOVA == VA heap and the domain's usable
 * ranges do not hold the whole window: reserved regions or a narrower
 * aperture; the trace sink names the range); -ENOMEM (also: memory could
 * not be locked, see uvf_dmaheap_diagnosis()); or a mapping error. On
 * failure nothing stays mapped in @dom (but for a chunk whose unmap the
 * backend refused: then @dom stays attached, for uvf_dmaheap_detach()).
 */
int uvf_dmaheap_attach(struct uvf_dmaheap *heap, struct uvf_domain *dom);

/**
 * uvf_dmaheap_detach() - unmap the heap from a domain
 * @heap: heap
 * @dom: attached domain
 *
 * Return: 0; -EINVAL; -ENOENT (not attached); -EBUSY (objects are pinned
 * in @dom; nothing unmapped); or the error of a refused unmap, in which
 * case @dom stays attached with what is still mapped (a retry may
 * succeed).
 */
int uvf_dmaheap_detach(struct uvf_dmaheap *heap, struct uvf_domain *dom);

/**
 * uvf_dmaheap_hold() - attach the heap to a domain on behalf of a user
 *                      (a driver's controller or pool), counted
 * @heap: heap
 * @dom: domain
 *
 * Attaches as uvf_dmaheap_attach() does when not attached yet, else only
 * counts. Each hold needs one uvf_dmaheap_release().
 *
 * Return: 0, or an error of uvf_dmaheap_attach() (no hold taken).
 */
int uvf_dmaheap_hold(struct uvf_dmaheap *heap, struct uvf_domain *dom);

/**
 * uvf_dmaheap_release() - drop a uvf_dmaheap_hold()
 * @heap: heap
 * @dom: the domain given to it
 *
 * The last hold detaches the heap from @dom, unless uvf_dmaheap_attach()
 * attached it too (then its caller detaches) or objects are still pinned
 * there (then the domain's destruction detaches it).
 *
 * Return: 0; -EINVAL; -ENOENT (no hold in @dom); or the error of a refused
 * unmap (the hold is dropped, the heap stays attached).
 */
int uvf_dmaheap_release(struct uvf_dmaheap *heap, struct uvf_domain *dom);

/**
 * uvf_dmaheap_alloc() - contiguous, zeroed, 4 KiB-aligned heap memory
 * @heap: heap
 * @size: bytes, non-zero, at most the chunk size; rounded up to 4 KiB
 * @vaddr: the memory
 *
 * Contiguous for the device in every translated domain (one chunk is one
 * mapping). In a direct domain (noiommu) only within a page, or a huge
 * page: uvf_dmaheap_iova() says -ENOTSUP otherwise.
 *
 * Return: 0; -EINVAL (also: a provider's chunk misaligned, or of another
 * size than asked); -ENOMEM (window full, or growth failed to get or lock
 * memory, or a provider's chunk short); -EXDEV (a provider's chunk IOVA is
 * not a direct domain's device address); or the error of the domain that refused the new chunk
 * (the growth is rolled back in every domain).
 */
int uvf_dmaheap_alloc(struct uvf_dmaheap *heap, size_t size, void **vaddr);

/**
 * uvf_dmaheap_free() - free uvf_dmaheap_alloc() memory
 * @heap: heap
 * @vaddr: the address it returned
 *
 * Return: 0; -EINVAL (not the start of an allocation of this heap: a
 * foreign pointer, an interior one, or a pool object); -ENOENT (already
 * free); -EBUSY (pinned). Nothing changes on failure.
 */
int uvf_dmaheap_free(struct uvf_dmaheap *heap, void *vaddr);

/**
 * uvf_dmaheap_iova() - device address of heap memory in a domain
 * @heap: heap
 * @dom: attached domain
 * @vaddr: heap address
 * @len: bytes from @vaddr that must be contiguous for the device, non-zero
 * @iova: device address of @vaddr
 *
 * Lock-free: the domain's registered-memory table (per page for a direct
 * domain with @len past the first page).
 *
 * Return: 0; -EINVAL (zero @len, @vaddr + @len outside the window, or,
 * with a provider, first or last byte outside the heap's chunks);
 * -ENOENT (@dom not attached, or the memory not backed yet); -ENOTSUP (not
 * contiguous for the device in @dom).
 */
int uvf_dmaheap_iova(struct uvf_dmaheap *heap, struct uvf_domain *dom,
		     const void *vaddr, size_t len, uvf_iova_t *iova);

/**
 * uvf_dmaheap_pin() - mark an allocation or object as in a device's use in
 *                     a domain, so that it is not freed and the domain not
 *                     detached under the device
 * @heap: heap
 * @dom: attached domain
 * @vaddr: any byte of a live allocation or pool object
 *
 * Pins count: each needs one uvf_dmaheap_unpin().
 *
 * Return: 0; -EINVAL (not heap memory); -ENOENT (not allocated, or @dom not
 * attached); -EOVERFLOW (pinned 65535 times).
 */
int uvf_dmaheap_pin(struct uvf_dmaheap *heap, struct uvf_domain *dom,
		    const void *vaddr);

/**
 * uvf_dmaheap_unpin() - drop one uvf_dmaheap_pin()
 * @heap: heap
 * @dom: the domain given to uvf_dmaheap_pin()
 * @vaddr: the address given to it (or another byte of the object)
 *
 * Return: 0; -EINVAL (not heap memory); -ENOENT (not pinned, or not
 * pinned in @dom).
 */
int uvf_dmaheap_unpin(struct uvf_dmaheap *heap, struct uvf_domain *dom,
		      const void *vaddr);

/**
 * uvf_dmaheap_pool_create() - a pool of fixed-size objects carved from the
 *                             heap
 * @heap: heap
 * @obj_size: a power of two from 64 bytes to the chunk size; objects are
 *            aligned to it, so one of 4 KiB or less never crosses a page
 *            (contiguous for the device even without an IOMMU)
 * @out: the pool
 *
 * Return: 0; -EINVAL; -ENOMEM.
 */
int uvf_dmaheap_pool_create(struct uvf_dmaheap *heap, size_t obj_size,
			    struct uvf_dmaheap_pool **out);

/**
 * uvf_dmaheap_pool_destroy() - give a pool's memory back to the heap
 * @pool: pool, may be NULL
 *
 * Return: 0, or -EBUSY (objects still allocated; nothing done).
 */
int uvf_dmaheap_pool_destroy(struct uvf_dmaheap_pool *pool);

/**
 * uvf_dmaheap_pool_alloc() - take one object
 * @pool: pool
 * @dom: attached domain whose device address to return, or NULL
 * @vaddr: the object (not zeroed)
 * @iova: its device address in @dom; may be NULL when @dom is
 *
 * O(1): a free-list pop, and when the pool is empty a slab from the heap
 * (which may grow the heap).
 *
 * Return: 0; -EINVAL; -ENOENT (@dom not attached; nothing taken); or an
 * error of uvf_dmaheap_alloc().
 */
int uvf_dmaheap_pool_alloc(struct uvf_dmaheap_pool *pool,
			   struct uvf_domain *dom, void **vaddr,
			   uvf_iova_t *iova);

/**
 * uvf_dmaheap_pool_free() - give an object back
 * @pool: pool
 * @vaddr: the object
 *
 * O(1).
 *
 * Return: 0; -EINVAL (not an object of @pool: a foreign pointer, one of
 * another pool, or not an object's start); -ENOENT (already free; a double
 * free); -EBUSY (pinned). Nothing changes on failure.
 */
int uvf_dmaheap_pool_free(struct uvf_dmaheap_pool *pool, void *vaddr);

/**
 * uvf_dmaheap_alloc_pinned() - uvf_dmaheap_alloc(), its device address in
 *                              a domain, and a pin there, in one call
 * @heap: heap
 * @dom: attached domain
 * @size: as for uvf_dmaheap_alloc()
 * @vaddr: the memory
 * @iova: its device address in @dom, contiguous over @size
 *
 * Return: 0; -EINVAL; an error of uvf_dmaheap_alloc(); -ENOENT (@dom not
 * attached); -ENOTSUP (not contiguous for the device in @dom). Nothing
 * is allocated on failure.
 */
int uvf_dmaheap_alloc_pinned(struct uvf_dmaheap *heap, struct uvf_domain *dom,
			     size_t size, void **vaddr, uvf_iova_t *iova);

/**
 * uvf_dmaheap_free_pinned() - unpin in @dom and free
 * @heap: heap
 * @dom: the domain given to uvf_dmaheap_alloc_pinned()
 * @vaddr: the memory
 *
 * Return: 0; an error of uvf_dmaheap_unpin() (nothing freed); or of
 * uvf_dmaheap_free().
 */
int uvf_dmaheap_free_pinned(struct uvf_dmaheap *heap, struct uvf_domain *dom,
			    void *vaddr);

/**
 * uvf_dmaheap_pool_alloc_pinned() - uvf_dmaheap_pool_alloc() and a pin in
 *                                   @dom, in one call
 * @pool: pool
 * @dom: attached domain
 * @vaddr: the object
 * @iova: its device address in @dom
 *
 * Return: 0; -EINVAL; or an error of uvf_dmaheap_pool_alloc() or
 * uvf_dmaheap_pin(). Nothing is taken on failure.
 */
int uvf_dmaheap_pool_alloc_pinned(struct uvf_dmaheap_pool *pool,
				  struct uvf_domain *dom, void **vaddr,
				  uvf_iova_t *iova);

/**
 * uvf_dmaheap_pool_free_pinned() - unpin in @dom and give the object back
 * @pool: pool
 * @dom: the domain given to uvf_dmaheap_pool_alloc_pinned()
 * @vaddr: the object
 *
 * Return: 0; -EINVAL; an error of uvf_dmaheap_unpin() (nothing freed); or
 * of uvf_dmaheap_pool_free().
 */
int uvf_dmaheap_pool_free_pinned(struct uvf_dmaheap_pool *pool,
				 struct uvf_domain *dom, void *vaddr);

/**
 * uvf_dmaheap_get_info() - sizes, backing, NUMA binding and domains
 * @heap: heap
 * @info: filled in
 *
 * Return: 0 or -EINVAL.
 */
int uvf_dmaheap_get_info(struct uvf_dmaheap *heap,
			 struct uvf_dmaheap_info *info);

/**
 * uvf_dmaheap_diagnosis() - the last failure to lock memory, explained
 * @heap: heap
 * @buf: filled with a NUL-terminated message ("" when there was none)
 * @len: bytes in @buf
 *
 * Return: the message length (which may exceed @len - 1: it was cut), or
 * -EINVAL.
 */
int uvf_dmaheap_diagnosis(struct uvf_dmaheap *heap, char *buf, size_t len);

/**
 * uvf_dmaheap_backing_name() - "hugetlb-1G", "hugetlb-2M", "thp" or "4k"
 * @b: backing
 *
 * Return: a static string ("?" for an unknown value).
 */
const char *uvf_dmaheap_backing_name(enum uvf_dmaheap_backing b);

/**
 * uvf_dmaheap_pci_node() - a PCI device's NUMA node, from sysfs numa_node
 * @sysfs_root: sysfs mount point, NULL for /sys
 * @bdf: "0000:00:05.0"
 *
 * Return: the node; UVF_DMAHEAP_NODE_ANY when the platform has none (-1 in
 * sysfs); -ENOENT (no such device or attribute); -EINVAL.
 */
int uvf_dmaheap_pci_node(const char *sysfs_root, const char *bdf);

#endif
