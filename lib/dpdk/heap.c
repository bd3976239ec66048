/* SPDX-License-Identifier: MIT */
/*
 * DPDK EAL memory as a provider of the DMA heap's chunks (uvf/dmaheap.h):
 * each chunk one memzone on the requested socket, 2 MiB aligned, with
 * EAL's IOVA as the chunk's own device address when it is IOVA-contiguous;
 * given back with rte_memzone_free().
 */
#include <errno.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>

#include <rte_errno.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include <uvf/dmaheap.h>
#include <uvf/dpdk.h>

#include "dpdk_priv.h"
#include "util/trace.h"

static enum uvf_dmaheap_backing backing_of(uint64_t page_size)
{
	if (page_size >= UVF_SZ_1G)
		return UVF_DMAHEAP_HUGETLB_1G;
	if (page_size >= UVF_SZ_2M)
		return UVF_DMAHEAP_HUGETLB_2M;
	return UVF_DMAHEAP_4K;	/* EAL with --no-huge */
}

/* EAL's IOVA of the zone when it is contiguous over the zone, page by
 * page, else UVF_DMAHEAP_NO_IOVA. */
static uvf_iova_t zone_iova(const struct rte_memzone *mz)
{
	uint64_t off, step = mz->hugepage_sz ? mz->hugepage_sz : UVF_PAGE_SIZE;

	if (mz->iova == RTE_BAD_IOVA)
		return UVF_DMAHEAP_NO_IOVA;
	/* The first page may start before the zone: step from its end. */
	for (off = step - (uintptr_t)mz->addr % step; off < mz->len;
	     off += step)
		if (rte_mem_virt2iova((const char *)mz->addr + off) !=
		    mz->iova + off)
			return UVF_DMAHEAP_NO_IOVA;
	return mz->iova;
}

static int eal_chunk_get(void *arg, const struct uvf_dmaheap_chunk_req *req,
			 struct uvf_dmaheap_chunk *chunk)
{
	static atomic_uint serial;
	const struct rte_memzone *mz;
	char name[RTE_MEMZONE_NAMESIZE];

	(void)arg;
	if (!uvf_dpdk_eal_ready())
		return -ENODEV;
	/* Memzone names are process-wide and never reused while live. */
	snprintf(name, sizeof(name), "uvf-heap-%u",
		 atomic_fetch_add(&serial, 1));
	/* Not RTE_MEMZONE_IOVA_CONTIG: in PA mode EAL would want the page
	 * before the 2 MiB-aligned zone (its element header) physically
	 * adjacent too, and fail on any fragmented machine, when a 2 MiB
	 * zone on a 2 MiB page is contiguous by itself. zone_iova() says
	 * whether it is. */
	mz = rte_memzone_reserve_aligned(name, req->len,
					 req->numa_node < 0 ? SOCKET_ID_ANY
							    : req->numa_node,
					 0, UVF_SZ_2M);
	if (!mz) {
		int err = rte_errno ? rte_errno : ENOMEM;

		uvf_trace("dpdk: memzone of %#" PRIx64 " bytes for the DMA "
			  "heap: %s", req->len, rte_strerror(err));
		/* ENOSPC: no memzone slot left, no more memory either. */
		return err == ENOSPC ? -ENOMEM : -err;
	}
	*chunk = (struct uvf_dmaheap_chunk){
		.va = mz->addr,
		.len = mz->len,
		.iova = zone_iova(mz),
		.backing = backing_of(mz->hugepage_sz),
		.handle = (void *)mz,
	};
	return 0;
}

static void eal_chunk_put(void *arg, const struct uvf_dmaheap_chunk *chunk)
{
	(void)arg;
	rte_memzone_free(chunk->handle);
}

/* A domain holding all of EAL's memory already (uvf_dpdk_attach_memory)
 * holds every memzone: the heap would map its chunks a second time. */
static int eal_attach_check(void *arg, struct uvf_domain *dom)
{
	(void)arg;
	if (!uvf_dpdk_memory_attached(dom))
		return 0;
	uvf_log_emit("dpdk: a DMA heap on EAL memory cannot attach to a "
		     "domain uvf_dpdk_attach_memory() attached: EAL's memory "
		     "is mapped there already (use one of the two)");
	return -EEXIST;
}

static const struct uvf_dmaheap_provider eal_provider = {
	.name = "dpdk-eal",
	.chunk_get = eal_chunk_get,
	.chunk_put = eal_chunk_put,
	.attach_check = eal_attach_check,
};

const struct uvf_dmaheap_provider *uvf_dpdk_heap_provider(void)
{
	return &eal_provider;
}
