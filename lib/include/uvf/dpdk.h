/* SPDX-License-Identifier: MIT */
/*
 * DPDK EAL interop (built with meson -Ddpdk=enabled|auto when libdpdk is
 * found; link libuvf-dpdk, pkg-config uvf-dpdk).
 *
 * uvf on EAL memory. uvf_dpdk_attach_memory() puts every EAL memory segment
 * into a uvf domain at EAL's own IOVA (rte_memseg.iova: the virtual address
 * in RTE_IOVA_VA mode, the physical address in RTE_IOVA_PA mode), so an
 * mbuf's buf_iova and rte_malloc_virt2iova() are valid device addresses for
 * uvf devices too, and then follows EAL's memory hotplug: memory EAL
 * allocates later is mapped from its RTE_MEM_EVENT_ALLOC callback, which
 * runs before EAL hands the memory to the allocating caller, and memory it
 * frees is unmapped from RTE_MEM_EVENT_FREE before the pages go back.
 * uvf_dpdk_vtoiova() answers the device address of any byte of EAL memory
 * with the O(1) lock-free lookup of registered memory (uvf_dma_vtoiova()
 * on a device of the domain answers the same).
 *
 * Per domain type:
 *   translated, uvf's own IOMMU (software model, uvf's VFIO container,
 *     iommufd): each EAL page is mapped read-write at its IOVA
 *     (uvf_domain_map), one mapping per page, so EAL can free any page.
 *   translated, on EAL's VFIO container (uvf_dpdk_vfio_open()): EAL maps
 *     its memory into that container itself, so uvf maps nothing: it only
 *     reserves the segments' IOVAs in its allocator, so it never hands them
 *     out, and answers lookups. It never unmaps them either. uvf's own
 *     mappings in that container are its own, and uvf unmaps only those.
 *   direct (noiommu, identity): nothing is mapped; each segment's IOVA is
 *     checked against the domain's arithmetic (the physical address for
 *     noiommu, which EAL's PA mode gives; the CPU address for the software
 *     model, which VA mode gives) and lookups answer.
 *
 * Errors in a memory event cannot be returned to EAL (its callbacks return
 * nothing): they are counted in struct uvf_dpdk_stats, the last one kept,
 * and logged through uvf's trace (uvf/trace.h). The page concerned is not
 * mapped and whatever was there (a uvf mapping at the same IOVA, say) is
 * left intact. Device DMA to that page then faults rather than corrupting
 * another mapping.
 *
 * The attachment is a domain cookie (uvf_domain_cookie_set()):
 * uvf_domain_destroy() on an attached domain detaches it first.
 */
#ifndef UVF_DPDK_H
#define UVF_DPDK_H

#include <uvf/types.h>

struct uvf_domain;
struct uvf_dmaheap_provider;
struct uvf_iommu;

struct uvf_dpdk_stats {
	bool shared;		/* on EAL's container: nothing mapped by uvf */
	bool direct;		/* direct domain: nothing mapped */
	bool hotplug;		/* following EAL's memory events (not legacy
				 * memory mode) */
	uint64_t pages;		/* EAL pages currently known */
	uint64_t bytes;		/* their size */
	uint64_t maps;		/* pages added (mapped / reserved / checked) */
	uint64_t unmaps;	/* pages removed */
	uint64_t alloc_events;	/* RTE_MEM_EVENT_ALLOC callbacks seen */
	uint64_t free_events;	/* RTE_MEM_EVENT_FREE callbacks seen */
	uint64_t errors;	/* pages a memory event failed to add */
	int last_error;		/* negative errno of the last one, 0 none */
	uvf_iova_t last_error_iova;	/* its IOVA */
};

/**
 * uvf_dpdk_attach_memory() - put EAL's memory into a domain and follow it
 * @dom: domain; translated or direct
 *
 * Walks every EAL memory segment (rte_memseg_contig_walk) with EAL's
 * memory hotplug read-locked and registers a memory event callback before
 * releasing the lock, so no allocation falls between the two. Segments
 * without an IOVA (external memory registered with RTE_BAD_IOVA) are
 * skipped. In legacy memory mode (no hotplug) no callback is registered.
 *
 * Return: 0; -EINVAL (NULL @dom); -ENODEV (EAL is not initialised);
 * -EEXIST (@dom is already attached, or a segment overlaps a uvf mapping
 * or registered memory of the domain); -ERANGE (a segment's IOVA is
 * outside the domain's usable ranges); -EXDEV (direct domain whose device
 * addresses are not EAL's IOVAs, e.g. the software model with EAL in PA
 * mode; or a shared container that is not EAL's default one); -ENOSPC
 * (mapping budget); -ENOMEM; or an error from EAL (negative rte_errno).
 * On failure nothing stays mapped, reserved or registered.
 */
int uvf_dpdk_attach_memory(struct uvf_domain *dom);

/**
 * uvf_dpdk_detach_memory() - undo uvf_dpdk_attach_memory()
 * @dom: attached domain
 *
 * Unregisters the memory event callback (waiting for one that is running),
 * then unmaps (or, on EAL's container, releases the IOVA reservations of)
 * every EAL page and removes them from the lookup.
 *
 * Return: 0, -EINVAL (NULL @dom) or -ENOENT (not attached).
 */
int uvf_dpdk_detach_memory(struct uvf_domain *dom);

/**
 * uvf_dpdk_vtoiova() - device address of a byte of EAL memory
 * @dom: attached domain
 * @vaddr: CPU address (an rte_malloc buffer, a mempool object, an mbuf's
 *         data)
 * @iova: device address; equal to EAL's own (rte_mem_virt2iova())
 *
 * O(1), no lock: the registered-memory table of uvf/dma.h, which also
 * answers for memory registered with uvf_dma_register().
 *
 * Return: 0, or -ENOENT (@vaddr is neither EAL memory nor registered).
 */
int uvf_dpdk_vtoiova(const struct uvf_domain *dom, const void *vaddr,
		     uvf_iova_t *iova);

/**
 * uvf_dpdk_get_stats() - state and counters of an attachment
 * @dom: attached domain
 * @st: filled in
 *
 * Return: 0, -EINVAL (NULL argument) or -ENOENT (not attached).
 */
int uvf_dpdk_get_stats(struct uvf_domain *dom, struct uvf_dpdk_stats *st);

/**
 * uvf_dpdk_vfio_open() - open uvf's VFIO type1 backend on EAL's default
 *                        container
 * @out: the context; free with uvf_iommu_destroy() (the container stays
 *       EAL's and stays open)
 *
 * uvf_vfio_open() with uvf_vfio_opts.shared_container on
 * rte_vfio_get_container_fd(). Devices uvf opens on it join EAL's
 * container, so a DPDK PMD and a uvf driver in one process share one IOMMU
 * domain. Open it after rte_eal_init() has probed EAL's VFIO devices: the
 * first group in a container sets its IOMMU type, and EAL cannot add a
 * group to a container whose type uvf set. EAL maps its memory into the
 * container once it has a device there; then uvf_dpdk_attach_memory() on
 * the context's translated domain keeps uvf's allocator off EAL's IOVAs.
 *
 * Return: 0; -EINVAL (NULL @out); -ENODEV (EAL not initialised); -ENOTSUP
 * (EAL has no VFIO container: VFIO not enabled); or an error from
 * uvf_vfio_open().
 */
int uvf_dpdk_vfio_open(struct uvf_iommu **out);

/**
 * uvf_dpdk_hugepages_reserve() - make sure EAL will find free hugepages
 * @count: free pages of the default hugepage size wanted
 *
 * Call before rte_eal_init(). When fewer than @count pages are free, raises
 * /proc/sys/vm/nr_hugepages by the shortfall (never lowers it, so pages
 * other processes hold stay theirs). Needs root (CAP_SYS_ADMIN) only when
 * the pool must grow.
 *
 * Return: 0 (@count pages are free); -ENOTSUP (no hugetlb in this kernel);
 * -EACCES or -EPERM (the pool must grow and this process may not);
 * -ENOMEM (the kernel could not find the memory; the pool is set back to
 * its old size); or another negative errno from writing the sysctl.
 */
int uvf_dpdk_hugepages_reserve(unsigned int count);

/**
 * uvf_dpdk_heap_provider() - EAL memory as the provider of a DMA heap's
 *                            chunks (uvf_dmaheap_opts.provider)
 *
 * Each chunk is one memzone (rte_memzone_reserve_aligned(), 2 MiB
 * aligned) on the heap's NUMA node as an EAL socket, or any socket;
 * rte_memzone_free() gives it back when the heap is destroyed. When the
 * zone is IOVA-contiguous (always in VA mode; in PA mode a 2 MiB chunk on
 * 2 MiB pages) its IOVA is EAL's (rte_memzone.iova): direct domains use
 * it, and must agree with it (noiommu with EAL in PA mode, the software
 * model with EAL in VA mode; else the growth is -EXDEV). Otherwise direct
 * domains compute an address per page, as for the built-in provider.
 * Translated domains map chunks at IOVAs of their own, or, with
 * UVF_DMAHEAP_IOVA_VA and EAL in VA mode, at EAL's IOVA (== the address),
 * so rte_malloc_virt2iova() and uvf_dmaheap_iova() agree. Use it in a
 * domain uvf_dpdk_attach_memory() did not attach: the heap's attach
 * refuses such a domain with -EEXIST (EAL memory is mapped there
 * already), and uvf_dpdk_attach_memory() refuses, with -EEXIST, a domain
 * where such a heap has chunks (where it has none yet, the heap's next
 * growth is refused with -EEXIST and rolled back). provider_arg is unused (NULL). Chunks are
 * asked for only once EAL is up (-ENODEV before rte_eal_init()).
 *
 * Return: the provider (static, never NULL).
 */
const struct uvf_dmaheap_provider *uvf_dpdk_heap_provider(void);

#endif
