/* SPDX-License-Identifier: MIT */
/*
 * Mappings: the IOVA comes from the allocator (or the caller), the backend
 * writes the translations, and one record keeps the mapping's length and
 * the backend's cookie until it is unmapped.
 *
 * Backends with unlocked_map (VFIO: the kernel pins pages and keeps its own
 * tables) are called without the domain lock, so mappers of one domain do
 * not queue behind each other's system calls. The range is reserved first
 * -- the allocator holds the IOVA throughout, a fixed IOVA's record is
 * inserted MAPPING, an unmapped record leaves the table -- then the lock is
 * dropped for the call, and the record is committed, removed or put back
 * afterwards. A MAPPING record is invisible to unmaps and the allocator
 * refuses overlaps, so a failed call leaves nothing behind and two threads
 * racing on one range get -EEXIST or -ENOENT, never a half-made mapping.
 */
#include <errno.h>
#include <string.h>

#include <uvf/iova.h>

#include "iommu/domain.h"
#include "flushq.h"
#include "util/trace.h"

static bool prot_valid(int prot)
{
	return prot && !(prot & ~UVF_PROT_RW);
}

/* Checks shared by the fixed-address calls. */
static int check_range(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len)
{
	uint64_t last;

	if (!dom || dom->type != UVF_DOMAIN_TRANSLATED || !len ||
	    !uvf_is_aligned(iova, UVF_PAGE_SIZE) ||
	    !uvf_is_aligned(len, UVF_PAGE_SIZE))
		return -EINVAL;
	if (uvf_range_last(iova, len, &last))
		return -EOVERFLOW;
	return 0;
}

static bool hits_reserved(const struct uvf_domain *dom, uvf_iova_t first,
			  uvf_iova_t last)
{
	size_t i;

	for (i = 0; i < dom->nr_resv; i++)
		if (dom->resv[i].first <= last && first <= dom->resv[i].last)
			return true;
	return false;
}

bool uvf_domain_iova_reserved(const struct uvf_domain *dom, uvf_iova_t iova)
{
	return hits_reserved(dom, iova, iova);
}

static uint64_t record_data(uint64_t kind, int prot, uint64_t cookie)
{
	return kind | (uint64_t)prot << UVF_MAPREC_PROT_SHIFT |
	       cookie << UVF_MAPREC_COOKIE_SHIFT;
}

static void count_map(struct uvf_domain *dom, uint64_t len, uint64_t cookie)
{
	dom->stats.maps++;
	dom->stats.mapped_bytes += len;
	dom->cookie_total += cookie;
}

int uvf_domain_map(struct uvf_domain *dom, uvf_iova_t iova, void *vaddr,
		   uint64_t len, int prot)
{
	uint64_t vlast, cookie = 0;
	bool unlocked;
	int ret;

	ret = check_range(dom, iova, len);
	if (ret)
		return ret;
	if (!prot_valid(prot) || !vaddr ||
	    !uvf_is_aligned((uintptr_t)vaddr, UVF_PAGE_SIZE))
		return -EINVAL;
	if (uvf_range_last((uintptr_t)vaddr, len, &vlast))
		return -EOVERFLOW;
	unlocked = dom->ops->unlocked_map;

	pthread_mutex_lock(&dom->lock);
	if (hits_reserved(dom, iova, iova + len - 1)) {
		ret = -ERANGE;
		goto out;
	}
	/* -ERANGE outside the usable ranges, -EEXIST on an overlap. */
	ret = uvf_iova_reserve(dom->allocator, iova, len);
	if (ret)
		goto out;
	if (unlocked) {
		ret = uvf_maptable_insert(&dom->maps, iova, len,
					  UVF_MAPREC_FIXED | UVF_MAPREC_MAPPING,
					  (uintptr_t)vaddr);
		if (ret)
			goto out_free;
		pthread_mutex_unlock(&dom->lock);
		ret = dom->ops->map(dom, iova, vaddr, len, prot, &cookie, NULL);
		pthread_mutex_lock(&dom->lock);
		if (ret) {
			uvf_maptable_remove(&dom->maps,
					    uvf_maptable_find(&dom->maps, iova));
			goto out_free;
		}
		uvf_maptable_find(&dom->maps, iova)->data =
			record_data(UVF_MAPREC_FIXED, prot, cookie);
	} else {
		ret = dom->ops->map(dom, iova, vaddr, len, prot, &cookie, NULL);
		if (ret)
			goto out_free;
		ret = uvf_maptable_insert(&dom->maps, iova, len,
					  record_data(UVF_MAPREC_FIXED, prot,
						      cookie),
					  (uintptr_t)vaddr);
		if (ret) {
			dom->ops->unmap(dom, iova, len, cookie, NULL);
			goto out_free;
		}
	}
	count_map(dom, len, cookie);
	goto out;
out_free:
	uvf_iova_free(dom->allocator, iova, len);
out:
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

int uvf_domain_adopt_mapping(struct uvf_domain *dom, uvf_iova_t iova,
			     uint64_t len, uint64_t cookie)
{
	int ret;

	pthread_mutex_lock(&dom->lock);
	/* The kernel only knows mapped IOVAs; uvf's allocator may hold
	 * these for a mapping about to be made. */
	ret = uvf_iova_reserve(dom->allocator, iova, len) ? -EBUSY : 0;
	if (!ret) {
		/* The kernel chose the IOVA; memory and rights are the
		 * caller's to know: the record shows them as unknown. */
		ret = uvf_maptable_insert(&dom->maps, iova, len,
					  record_data(UVF_MAPREC_FIXED, 0,
						      cookie), 0);
		if (ret)
			uvf_iova_free(dom->allocator, iova, len);
		else
			count_map(dom, len, cookie);
	}
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

static void trace_unmap(uvf_iova_t iova, uint64_t len,
			const struct uvf_pgtable_op_stats *st)
{
	if (!st)	/* not tracing */
		return;
	uvf_trace("unmap iova %#llx len %#llx: %u leaf entries cleared, "
		  "%u table(s) freed", (unsigned long long)iova,
		  (unsigned long long)len,
		  st->entries_written[1] + st->entries_written[2] +
			  st->entries_written[3],
		  st->tables_freed);
}

/* The backend's unmap of a whole record, as one step of the flow. */
static int unmap_step(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len,
		      uint64_t data, struct uvf_pgtable_op_stats *st)
{
	uint64_t t0 = uvf_trace_clock();
	int ret = dom->ops->unmap(dom, iova, len, uvf_maprec_cookie(data), st);

	uvf_trace_step("unmap", t0, UVF_TA_HEX("iova", iova),
		       UVF_TA_HEX("len", len), UVF_TA_NUM("ret", -ret),
		       UVF_TA_NUM("tables_freed", st ? st->tables_freed : 0));
	return ret;
}

/* The live record at @iova if it is exactly @len of @kind. Lock held. */
static struct uvf_maprec *find_exact(struct uvf_domain *dom, uvf_iova_t iova,
				     uint64_t len, uint64_t kind)
{
	struct uvf_maprec *rec = uvf_maptable_find(&dom->maps, iova);

	if (!rec || rec->len != len ||
	    (rec->data & (UVF_MAPREC_KIND_MASK | UVF_MAPREC_MAPPING)) != kind)
		return NULL;
	return rec;
}

static void count_unmap(struct uvf_domain *dom, uint64_t len, uint64_t data,
			int sign)
{
	dom->stats.unmaps += sign;
	dom->stats.mapped_bytes -= sign * (int64_t)len;
	dom->cookie_total -= sign * (int64_t)uvf_maprec_cookie(data);
}

/*
 * Without the lock across the ioctl: the record leaves the table first --
 * its IOVA stays allocated, so nothing can be mapped over it -- and comes
 * back if the kernel refuses. Under the strict policy the kernel has
 * invalidated its IOTLB when the ioctl returns, and the IOVA is freed
 * without taking the lock again.
 */
static int unmap_unlocked(struct uvf_domain *dom, uvf_iova_t iova,
			  uint64_t len, uint64_t kind)
{
	struct uvf_pgtable_op_stats st, *stp = uvf_trace_enabled() ? &st : NULL;
	struct uvf_maprec *rec, saved;
	bool strict;
	int ret;

	pthread_mutex_lock(&dom->lock);
	rec = find_exact(dom, iova, len, kind);
	if (!rec) {
		pthread_mutex_unlock(&dom->lock);
		return -ENOENT;
	}
	saved = *rec;
	uvf_maptable_remove(&dom->maps, rec);
	count_unmap(dom, len, saved.data, 1);
	strict = dom->policy == UVF_INVAL_STRICT && !dom->ops->invalidate;
	if (strict)
		dom->stats.invalidations++;
	pthread_mutex_unlock(&dom->lock);

	ret = unmap_step(dom, iova, len, saved.data, stp);
	if (ret) {
		pthread_mutex_lock(&dom->lock);
		uvf_maptable_restore(&dom->maps, &saved);
		count_unmap(dom, len, saved.data, -1);
		if (strict)
			dom->stats.invalidations--;
		pthread_mutex_unlock(&dom->lock);
		return ret;
	}
	trace_unmap(iova, len, stp);
	if (strict) {
		/* The kernel invalidated within the unmap call. */
		uvf_trace_step("iotlb_invalidate", uvf_trace_clock(),
			       UVF_TA_NUM("domain", dom->id),
			       UVF_TA_HEX("iova", iova), UVF_TA_HEX("len", len),
			       UVF_TA_NUM("in_unmap", 1));
		uvf_fq_free(dom, iova, len, saved.data);
		return 0;
	}
	pthread_mutex_lock(&dom->lock);
	ret = uvf_fq_retire(dom, iova, len, saved.data);
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

/*
 * Unmap the record at @iova if it is exactly @len of @kind and not busy;
 * its IOVA goes to the invalidation policy.
 */
static int unmap_record(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len,
			uint64_t kind)
{
	struct uvf_pgtable_op_stats st, *stp = uvf_trace_enabled() ? &st : NULL;
	struct uvf_maprec *rec;
	int ret;

	if (dom->ops->unlocked_map)
		return unmap_unlocked(dom, iova, len, kind);
	pthread_mutex_lock(&dom->lock);
	rec = find_exact(dom, iova, len, kind);
	ret = rec ? unmap_step(dom, iova, len, rec->data, stp) : -ENOENT;
	if (!ret) {
		uint64_t data = rec->data;

		uvf_maptable_remove(&dom->maps, rec);
		count_unmap(dom, len, data, 1);
		trace_unmap(iova, len, stp);
		ret = uvf_fq_retire(dom, iova, len, data);
	}
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

int uvf_domain_unmap(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len)
{
	int ret = check_range(dom, iova, len);

	return ret ? ret : unmap_record(dom, iova, len, UVF_MAPREC_FIXED);
}

int uvf_domain_unmap_free(struct uvf_domain *dom, uvf_iova_t iova,
			  uint64_t len)
{
	return unmap_record(dom, iova, len, UVF_MAPREC_ALLOCATED);
}

static void trace_pgtable_write(const struct uvf_domain *dom, uvf_iova_t iova,
				const struct uvf_pgtable_op_stats *st)
{
	unsigned int level;

	/* Top level first, as the walk writes them. */
	for (level = 5; level >= 1; level--)
		if (st->entries_written[level])
			uvf_trace_point("pgtable_level",
					UVF_TA_NUM("level", level),
					UVF_TA_NUM("entries",
						   st->entries_written[level]),
					UVF_TA_HEX("iova", iova));
	uvf_trace("%s page table of domain %u at iova %#llx: entries written "
		  "L5:%u L4:%u L3:%u L2:%u L1:%u, %u new table(s), leaves "
		  "4K:%llu 2M:%llu 1G:%llu", dom->iommu->name, dom->id,
		  (unsigned long long)iova, st->entries_written[5],
		  st->entries_written[4], st->entries_written[3],
		  st->entries_written[2], st->entries_written[1],
		  st->tables_allocated,
		  (unsigned long long)(st->leaf_bytes[1] >> 12),
		  (unsigned long long)(st->leaf_bytes[2] >> 21),
		  (unsigned long long)(st->leaf_bytes[3] >> 30));
}

/* Segments [i, returned index) whose memory follows on; *run = their bytes. */
static unsigned int contiguous_run(const struct uvf_dma_seg *seg,
				   unsigned int nseg, unsigned int i,
				   uint64_t *run)
{
	*run = seg[i].len;
	for (i++; i < nseg && (const char *)seg[i - 1].vaddr + seg[i - 1].len ==
				      (const char *)seg[i].vaddr; i++)
		*run += seg[i].len;
	return i;
}

/*
 * Map the segments back to back from @iova. Contiguous memory is one
 * backend call: on type1 that is one entry of the mapping budget instead of
 * several. All or nothing.
 */
static int map_segments(struct uvf_domain *dom, uvf_iova_t iova,
			const struct uvf_dma_seg *seg, unsigned int nseg,
			int prot, uint64_t *cookie)
{
	struct uvf_pgtable_op_stats st, *stp = uvf_trace_enabled() ? &st : NULL;
	uint64_t off = 0, run, t0;
	unsigned int i, next;
	int ret = 0;

	for (i = 0; i < nseg; i = next) {
		next = contiguous_run(seg, nseg, i, &run);
		t0 = uvf_trace_clock();
		ret = dom->ops->map(dom, iova + off, seg[i].vaddr, run, prot,
				    cookie, stp);
		uvf_trace_step("pgtable_write", t0, UVF_TA_HEX("iova", iova + off),
			       UVF_TA_HEX("len", run), UVF_TA_NUM("ret", -ret));
		if (ret)
			break;
		if (stp)
			trace_pgtable_write(dom, iova + off, stp);
		off += run;
	}
	/* [iova, iova + off) is mapped: one call takes it all back. */
	if (ret && off)
		dom->ops->unmap(dom, iova, off, *cookie, NULL);
	return ret;
}

int uvf_domain_map_alloc(struct uvf_domain *dom, const struct uvf_dma_seg *seg,
			 unsigned int nseg, int prot, uvf_iova_t *iova)
{
	bool unlocked = dom->ops->unlocked_map, mapped = false;
	uint64_t len = 0, cookie = 0, t0, run, scattered = 0;
	unsigned int i;
	uvf_iova_t addr;
	int ret;

	for (i = 0; i < nseg; i++)
		if (__builtin_add_overflow(len, seg[i].len, &len))
			return -EOVERFLOW;
	if (nseg > 1 && contiguous_run(seg, nseg, 0, &run) < nseg)
		scattered = UVF_MAPREC_SCATTERED;
	t0 = uvf_trace_clock();
	ret = uvf_iova_alloc(dom->allocator, len, &addr);
	uvf_trace_step("iova_alloc", t0, UVF_TA_HEX("iova", ret ? 0 : addr),
		       UVF_TA_HEX("len", len), UVF_TA_NUM("ret", -ret));
	if (ret)
		return ret;
	uvf_trace("iova_alloc: domain %u iova %#llx for %#llx bytes", dom->id,
		  (unsigned long long)addr, (unsigned long long)len);

	/* The allocator gave this IOVA to this call alone: nothing else
	 * can name it until the record exists, so the record is made once
	 * the backend has mapped it. */
	if (unlocked)
		ret = map_segments(dom, addr, seg, nseg, prot, &cookie);
	pthread_mutex_lock(&dom->lock);
	if (!unlocked)
		ret = map_segments(dom, addr, seg, nseg, prot, &cookie);
	mapped = !ret;
	if (!ret) {
		ret = uvf_maptable_insert(&dom->maps, addr, len,
					  record_data(UVF_MAPREC_ALLOCATED |
							      scattered,
						      prot, cookie),
					  (uintptr_t)seg[0].vaddr);
		if (!ret)
			count_map(dom, len, cookie);
		else if (!unlocked)
			dom->ops->unmap(dom, addr, len, cookie, NULL);
	}
	pthread_mutex_unlock(&dom->lock);
	if (ret && unlocked && mapped)
		dom->ops->unmap(dom, addr, len, cookie, NULL);
	if (ret) {
		uvf_fq_free(dom, addr, len, UVF_MAPREC_ALLOCATED);
		return ret;
	}
	*iova = addr;
	return 0;
}
