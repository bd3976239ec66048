/* SPDX-License-Identifier: MIT */
/*
 * The built-in provider of the heap's chunks: a PROT_NONE window reserved
 * at create, and chunks mapped over it back to back -- hugetlbfs 1 GiB or 2 MiB pages, else transparent huge
 * pages, else 4 KiB pages -- bound to a NUMA node through libnuma when it
 * is there, and locked. A failure to lock is explained (RLIMIT_MEMLOCK).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef UVF_HAVE_LIBNUMA
#include <numa.h>
#endif

#include "heap_priv.h"
#include "util/memlock.h"

#ifndef MAP_HUGE_SHIFT
#define MAP_HUGE_SHIFT 26
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21 << MAP_HUGE_SHIFT)
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30 << MAP_HUGE_SHIFT)
#endif
#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

int dh_window_reserve(struct dh_window *w, uint64_t len, uint64_t chunk_size,
		      enum uvf_dmaheap_backing best)
{
	uint64_t align = best == UVF_DMAHEAP_HUGETLB_1G ? UVF_SZ_1G : UVF_SZ_2M;
	char *raw, *start;

	/* Over-reserve, then trim to the alignment huge pages need. */
	raw = mmap(NULL, len + align, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return -ENOMEM;
	start = (char *)(((uintptr_t)raw + align - 1) & ~(uintptr_t)(align - 1));
	if (start > raw)
		munmap(raw, start - raw);
	if (raw + align > start)
		munmap(start + len, raw + align - start);
	*w = (struct dh_window){ start, len, chunk_size, 0, best };
	return 0;
}

void dh_window_release(struct dh_window *w)
{
	munmap(w->base, w->len);
}

/* Put the PROT_NONE reservation back over [va, va + len): a failed
 * MAP_FIXED may have taken the old mapping away. Never clobbers another
 * mapping. */
static void rereserve(char *va, uint64_t len)
{
	void *p = mmap(va, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		       MAP_FIXED_NOREPLACE, -1, 0);

	if (p != MAP_FAILED && p != va)
		munmap(p, len);	/* a kernel without NOREPLACE placed it */
}

static int map_fixed(char *va, uint64_t len, int extra)
{
	void *p = mmap(va, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | extra, -1, 0);

	return p == MAP_FAILED ? -errno : 0;
}

/* THP is in use unless the system switched it off. */
static bool thp_enabled(void)
{
	char line[128];
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	bool on = false;

	if (!f)
		return false;
	if (fgets(line, sizeof(line), f))
		on = !strstr(line, "[never]");
	fclose(f);
	return on;
}

/* Map one backing over the chunk; -errno when the system has none. */
static int map_backing(char *va, uint64_t len, enum uvf_dmaheap_backing b)
{
	int ret;

	switch (b) {
	case UVF_DMAHEAP_HUGETLB_1G:
		if (len % UVF_SZ_1G || (uintptr_t)va % UVF_SZ_1G)
			return -EINVAL;
		return map_fixed(va, len, MAP_HUGETLB | MAP_HUGE_1GB);
	case UVF_DMAHEAP_HUGETLB_2M:
		return map_fixed(va, len, MAP_HUGETLB | MAP_HUGE_2MB);
	case UVF_DMAHEAP_THP:
		if (!thp_enabled())
			return -ENOTSUP;
		ret = map_fixed(va, len, 0);
		if (!ret && madvise(va, len, MADV_HUGEPAGE))
			ret = -errno;
		return ret;
	default:
		return map_fixed(va, len, 0);
	}
}

bool dh_numa_usable(int node)
{
#ifdef UVF_HAVE_LIBNUMA
	return node >= 0 && numa_available() >= 0 && node <= numa_max_node();
#else
	(void)node;
	return false;
#endif
}

/* Before any page is touched: pages come from the node's memory. */
static void bind_node(char *va, uint64_t len, int node)
{
#ifdef UVF_HAVE_LIBNUMA
	if (dh_numa_usable(node))
		numa_tonode_memory(va, len, node);
#else
	(void)va;
	(void)len;
	(void)node;
#endif
}

static void chunk_unback(char *va, uint64_t len)
{
	void *p = mmap(va, len, PROT_NONE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
		       -1, 0);

	if (p == MAP_FAILED) {
		munmap(va, len);
		rereserve(va, len);
	}
}

/* Back the window's next chunk, best backing first; on failure the range
 * is reserved again. Diagnoses a failed mlock into req->diag. */
static int window_chunk_get(void *arg, const struct uvf_dmaheap_chunk_req *req,
			    struct uvf_dmaheap_chunk *chunk)
{
	struct dh_window *w = arg;
	uint64_t len = req->len;
	char *va = w->base + w->used;
	enum uvf_dmaheap_backing b = w->best;
	int ret = -ENOMEM;

	if (w->len - w->used < len)
		return -ENOMEM;
	for (; b < UVF_DMAHEAP_NR_BACKINGS; b++) {
		ret = map_backing(va, len, b);
		if (!ret)
			break;
		rereserve(va, len);
	}
	if (ret)
		return -ENOMEM;
	bind_node(va, len, req->numa_node);
	/* The system call itself: sanitizers replace mlock() with a no-op,
	 * which would hide the very failure diagnosed here. */
	if (!(req->flags & UVF_DMAHEAP_NO_MLOCK) &&
	    syscall(SYS_mlock, va, len)) {
		int err = -errno;

		/* EPERM: no CAP_IPC_LOCK and a zero limit; EAGAIN: some
		 * pages could not be locked. Both are a memory limit. */
		ret = err == -EPERM || err == -EAGAIN ? -ENOMEM : err;
		if (req->diag)
			uvf_memlock_diagnose(req->diag, req->diag_len,
					     "dmaheap", "mlock of a new chunk",
					     err, "the heap", UVF_MEMLOCK_NONE,
					     req->heap_bytes + len);
		chunk_unback(va, len);
		return ret;
	}
	/* Fault every page in now, on the bound node, not under a device. */
	memset(va, 0, len);
	w->used += len;
	*chunk = (struct uvf_dmaheap_chunk){ .va = va, .len = len,
					     .iova = UVF_DMAHEAP_NO_IOVA,
					     .backing = b };
	return 0;
}

static void window_chunk_put(void *arg, const struct uvf_dmaheap_chunk *chunk)
{
	struct dh_window *w = arg;

	chunk_unback(chunk->va, chunk->len);
	/* Chunks go back newest first: the window shrinks behind them. */
	if ((char *)chunk->va + chunk->len == w->base + w->used)
		w->used -= chunk->len;
}

const struct uvf_dmaheap_provider dh_builtin_provider = {
	.name = "built-in",
	.chunk_get = window_chunk_get,
	.chunk_put = window_chunk_put,
};
