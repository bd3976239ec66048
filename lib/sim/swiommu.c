/* SPDX-License-Identifier: MIT */
/*
 * The software IOMMU as a backend: page tables in a real format per domain,
 * one IOTLB and one fault log per IOMMU, like the hardware units.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "sim_priv.h"
#include "util/trace.h"


static struct sim_domain *sd_of(const struct uvf_domain *dom)
{
	return uvf_domain_priv(dom);
}

static int sim_domain_init(struct uvf_domain *dom)
{
	struct sim_iommu *si = sim_iommu_of(dom->iommu);
	struct sim_domain *sd = calloc(1, sizeof(*sd));
	int ret;

	if (!sd)
		return -ENOMEM;
	if (dom->type == UVF_DOMAIN_TRANSLATED) {
		ret = uvf_pgtable_create(si->params.format, &sd->pt);
		if (ret) {
			free(sd);
			return ret;
		}
	}
	uvf_domain_set_priv(dom, sd);
	return 0;
}

static void sim_domain_fini(struct uvf_domain *dom)
{
	struct sim_iommu *si = sim_iommu_of(dom->iommu);
	struct sim_domain *sd = sd_of(dom);

	uvf_iotlb_inval_domain(si->iotlb, uvf_domain_id(dom));
	uvf_pgtable_destroy(sd->pt);
	free(sd);
}

static int sim_attach(struct uvf_domain *dom, struct uvf_device *dev)
{
	(void)dom;
	(void)dev;
	/* The device's "context entry" is its owner, set by the core. */
	return 0;
}

static void sim_detach(struct uvf_domain *dom, struct uvf_device *dev)
{
	(void)dev;
	/* Its translations may no longer be used through this device. */
	uvf_iotlb_inval_domain(sim_iommu_of(dom->iommu)->iotlb,
			       uvf_domain_id(dom));
}

static int sim_map_phys(struct uvf_domain *dom, uvf_iova_t iova,
			uint64_t paddr, uint64_t len, int prot)
{
	return uvf_pgtable_map(sd_of(dom)->pt, iova, paddr, len, prot, 0, NULL);
}

static int sim_map(struct uvf_domain *dom, uvf_iova_t iova, void *vaddr,
		   uint64_t len, int prot, uint64_t *cookie,
		   struct uvf_pgtable_op_stats *st)
{
	struct sim_iommu *si = sim_iommu_of(dom->iommu);
	struct sim_domain *sd = sd_of(dom);

	/* Like type1's dma_entry_limit: one entry per mapping record. */
	if (si->params.mapping_limit &&
	    uvf_domain_nr_mappings(dom) >= si->params.mapping_limit)
		return -ENOSPC;
	(void)cookie;
	/* In the model, host memory is physical memory. */
	return uvf_pgtable_map(sd->pt, iova, (uintptr_t)vaddr, len, prot, 0, st);
}

static int sim_unmap(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len,
		     uint64_t cookie, struct uvf_pgtable_op_stats *st)
{
	(void)cookie;
	return uvf_pgtable_unmap(sd_of(dom)->pt, iova, len, st);
}

static int sim_direct_addr(struct uvf_domain *dom, const void *vaddr,
			   uint64_t len, uvf_iova_t *addr)
{
	(void)dom;
	(void)len;
	/* Identity: the device sees host memory at its own addresses. */
	*addr = (uintptr_t)vaddr;
	return 0;
}

static int sim_iova_ranges(struct uvf_domain *dom, struct uvf_iova_range *out,
			   size_t *nr)
{
	struct sim_iommu *si = sim_iommu_of(dom->iommu);

	if (*nr < 1)
		return -E2BIG;
	out[0].first = 0;
	out[0].last = si->aperture_last;
	*nr = 1;
	return 0;
}

static int sim_reserved_regions(struct uvf_domain *dom, struct uvf_device *dev,
				struct uvf_resv_region *out, size_t *nr)
{
	struct sim_iommu *si = sim_iommu_of(dom->iommu);

	(void)dev;
	if (*nr < si->params.nr_resv)
		return -E2BIG;
	if (si->params.nr_resv)
		memcpy(out, si->resv, si->params.nr_resv * sizeof(*out));
	*nr = si->params.nr_resv;
	return 0;
}

static int cmp_iova(const void *a, const void *b)
{
	const uvf_iova_t *x = a, *y = b;

	return *x < *y ? -1 : *x > *y;
}

/* Marks for the IOTLB's pages of @dom, runs of pages merged, after the
 * @n marks in @m (which has room for as many more as there are pages). */
static size_t iotlb_marks(struct uvf_domain *dom, uvf_iova_t *pages,
			  size_t npages, struct uvf_pgtable_mark *m, size_t n)
{
	size_t i, held;

	/* Lookups fill the IOTLB without the domain lock: it may have
	 * grown since it was counted; the pages that fit are drawn. */
	held = uvf_iotlb_domain_pages(sim_iommu_of(dom->iommu)->iotlb,
				      uvf_domain_id(dom), pages, npages);
	if (held < npages)
		npages = held;
	qsort(pages, npages, sizeof(*pages), cmp_iova);
	for (i = 0; i < npages; i++) {
		if (i && pages[i] == m[n - 1].last + 1) {
			m[n - 1].last += UVF_PAGE_SIZE;
			continue;
		}
		m[n++] = (struct uvf_pgtable_mark){
			pages[i], pages[i] + UVF_PAGE_SIZE - 1, "iotlb" };
	}
	return n;
}

static int sim_dump(struct uvf_domain *dom, enum uvf_dump_form form,
		    const struct uvf_pgtable_mark *marks, size_t nmarks,
		    FILE *out)
{
	struct sim_iommu *si = sim_iommu_of(dom->iommu);
	size_t npages = uvf_iotlb_domain_pages(si->iotlb, uvf_domain_id(dom),
					       NULL, 0);
	uvf_iova_t *pages = malloc((npages + 1) * sizeof(*pages));
	struct uvf_pgtable_mark *m = malloc((nmarks + npages + 1) * sizeof(*m));
	int ret = -ENOMEM;

	if (pages && m) {
		if (nmarks)
			memcpy(m, marks, nmarks * sizeof(*m));
		nmarks = iotlb_marks(dom, pages, npages, m, nmarks);
		ret = uvf_pgtable_dump(sd_of(dom)->pt, form, m, nmarks, out);
	}
	free(pages);
	free(m);
	return ret;
}

static void sim_invalidate(struct uvf_domain *dom, uvf_iova_t iova,
			   uint64_t len)
{
	struct sim_iommu *si = sim_iommu_of(dom->iommu);

	if (len)
		uvf_iotlb_inval_range(si->iotlb, uvf_domain_id(dom), iova, len);
	else
		uvf_iotlb_inval_domain(si->iotlb, uvf_domain_id(dom));
}

static int sim_budget(struct uvf_domain *dom, uint64_t *avail)
{
	struct sim_iommu *si = sim_iommu_of(dom->iommu);
	*avail = si->params.mapping_limit ?
			 si->params.mapping_limit - uvf_domain_nr_mappings(dom) :
			 UINT64_MAX;
	return 0;
}

static void sim_destroy(struct uvf_iommu *iommu)
{
	struct sim_iommu *si = sim_iommu_of(iommu);
	size_t i;

	for (i = 0; i < si->nr_fw; i++)
		if (si->fw[i].backing)
			munmap(si->fw[i].backing,
			       si->fw[i].last - si->fw[i].first + 1);
	free(si->fw);
	uvf_iotlb_destroy(si->iotlb);
	free(si->faults);
	free(si->resv);
	pthread_mutex_destroy(&si->fault_lock);
	pthread_mutex_destroy(&si->fw_lock);
	free(si);
}

static int sim_set_dirty_tracking(struct uvf_domain *dom, bool enable)
{
	struct sim_domain *sd = sd_of(dom);
	uint64_t span = enable ? sim_iommu_of(dom->iommu)->aperture_last + 1
			       : UVF_PAGE_SIZE;
	int ret;

	/* Starting clears the bits of an earlier period, as iommufd does;
	 * stopping only checks that the format has them (-ENOTSUP). */
	pthread_mutex_lock(&dom->lock);
	ret = uvf_pgtable_read_dirty(sd->pt, 0, span, UVF_PAGE_SHIFT, NULL,
				     enable);
	if (!ret)
		atomic_store(&sd->dirty_tracking, enable);
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

static int sim_read_dirty(struct uvf_domain *dom, uvf_iova_t iova,
			  uint64_t len, uint64_t page_size, uint64_t *bitmap,
			  unsigned int flags)
{
	struct sim_domain *sd = sd_of(dom);
	int ret;

	/* Refused before the bitmap is touched. */
	if (iova + len - 1 > sim_iommu_of(dom->iommu)->aperture_last)
		return -ERANGE;
	pthread_mutex_lock(&dom->lock);
	if (!atomic_load(&sd->dirty_tracking)) {
		pthread_mutex_unlock(&dom->lock);
		return -EINVAL;
	}
	uvf_dirty_bitmap_zero(bitmap, len, page_size);
	ret = uvf_pgtable_read_dirty(sd->pt, iova, len,
				     (unsigned int)__builtin_ctzll(page_size),
				     bitmap, !(flags & UVF_DIRTY_NO_CLEAR));
	pthread_mutex_unlock(&dom->lock);
	return ret;
}

/* Page-table writes and walks run under the domain lock (no
 * unlocked_map): the model's tables are plain memory. */
static const struct uvf_domain_ops sim_domain_ops = {
	.domain_init = sim_domain_init,
	.domain_fini = sim_domain_fini,
	.attach = sim_attach,
	.detach = sim_detach,
	.map = sim_map,
	.unmap = sim_unmap,
	.map_phys = sim_map_phys,
	.direct_addr = sim_direct_addr,
	.iova_ranges = sim_iova_ranges,
	.reserved_regions = sim_reserved_regions,
	.invalidate = sim_invalidate,
	.budget = sim_budget,
	.dump = sim_dump,
	.set_dirty_tracking = sim_set_dirty_tracking,
	.read_dirty = sim_read_dirty,
};

static int sim_domain_ops_of(struct uvf_iommu *iommu,
			     enum uvf_domain_type type,
			     const struct uvf_domain_ops **ops)
{
	(void)iommu;
	(void)type;
	*ops = &sim_domain_ops;
	return 0;
}

const struct uvf_iommu_ops uvf_sim_iommu_ops = {
	.domain_ops = sim_domain_ops_of,
	.destroy = sim_destroy,
};

void uvf_sim_iommu_params_default(struct uvf_sim_iommu_params *p,
				  enum uvf_pgtable_format format)
{
	memset(p, 0, sizeof(*p));
	p->format = format;
	p->iotlb_sets = 64;
	p->iotlb_ways = 8;
	p->fault_log_size = 256;
}

static bool pow2(unsigned int x)
{
	return x && !(x & (x - 1));
}

static int copy_fw_windows(struct sim_iommu *si)
{
	const struct uvf_direct_regions *d = si->params.direct;
	size_t i;

	if (!d || !d->nr)
		return 0;
	si->fw = calloc(d->nr, sizeof(*si->fw));
	if (!si->fw)
		return -ENOMEM;
	for (i = 0; i < d->nr; i++) {
		si->fw[i].first = d->v[i].first & ~(UVF_PAGE_SIZE - 1);
		si->fw[i].last = d->v[i].last | (UVF_PAGE_SIZE - 1);
	}
	si->nr_fw = d->nr;
	return 0;
}

int uvf_sim_iommu_create(const struct uvf_sim_iommu_params *p,
			 struct uvf_iommu **out)
{
	struct sim_iommu *si;
	char name[32];
	int ret;

	if (!p || !out || !uvf_pgtable_format_info(p->format) ||
	    (p->aperture_last && ((p->aperture_last + 1) & (UVF_PAGE_SIZE - 1))) ||
	    !pow2(p->iotlb_sets) || !pow2(p->iotlb_ways) ||
	    !p->fault_log_size || (p->nr_resv && !p->resv))
		return -EINVAL;
	si = calloc(1, sizeof(*si));
	if (!si)
		return -ENOMEM;
	si->params = *p;
	si->fmt = uvf_pgtable_format_info(p->format);
	si->aperture_last = si->fmt->ias_bits >= 64 ?
				    UINT64_MAX :
				    (1ull << si->fmt->ias_bits) - 1;
	if (p->aperture_last && p->aperture_last < si->aperture_last)
		si->aperture_last = p->aperture_last;
	snprintf(name, sizeof(name), "sim-%s", si->fmt->name);
	ret = uvf_iommu_init(&si->iommu, &uvf_sim_iommu_ops, name);
	if (ret)
		goto err_free;
	pthread_mutex_init(&si->fault_lock, NULL);
	pthread_mutex_init(&si->fw_lock, NULL);
	ret = -ENOMEM;
	si->faults = calloc(p->fault_log_size, sizeof(*si->faults));
	if (!si->faults)
		goto err;
	if (p->nr_resv) {
		si->resv = malloc(p->nr_resv * sizeof(*si->resv));
		if (!si->resv)
			goto err;
		memcpy(si->resv, p->resv, p->nr_resv * sizeof(*si->resv));
	}
	ret = uvf_iotlb_create(p->iotlb_sets, p->iotlb_ways, &si->iotlb);
	if (ret)
		goto err;
	ret = copy_fw_windows(si);
	if (!ret)
		ret = uvf_iommu_set_direct_regions(&si->iommu, p->direct);
	if (ret)
		goto err;
	/* The params must not point at caller memory from now on. */
	si->params.direct = NULL;
	si->params.resv = NULL;
	*out = &si->iommu;
	return 0;
err:
	uvf_iotlb_destroy(si->iotlb);
	free(si->fw);
	free(si->resv);
	free(si->faults);
	free(si->iommu.direct.v);
	pthread_mutex_destroy(&si->fault_lock);
	pthread_mutex_destroy(&si->fw_lock);
	pthread_mutex_destroy(&si->iommu.lock);
err_free:
	free(si);
	return ret;
}

void *sim_fw_resolve(struct sim_iommu *si, uint64_t paddr, uint64_t len)
{
	void *p = NULL;
	size_t i;

	for (i = 0; i < si->nr_fw; i++) {
		struct sim_fw_window *w = &si->fw[i];

		if (paddr < w->first || paddr > w->last ||
		    w->last - paddr + 1 < len)
			continue;
		pthread_mutex_lock(&si->fw_lock);
		if (!w->backing) {
			void *m = mmap(NULL, w->last - w->first + 1,
				       PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS |
					       MAP_NORESERVE,
				       -1, 0);

			w->backing = m == MAP_FAILED ? NULL : m;
		}
		if (w->backing)
			p = (char *)w->backing + (paddr - w->first);
		pthread_mutex_unlock(&si->fw_lock);
		break;
	}
	return p;
}

int uvf_sim_iommu_fault_pop(struct uvf_iommu *iommu, struct uvf_fault *f)
{
	struct sim_iommu *si = sim_iommu_of(iommu);
	int ret = -ENOENT;

	if (!si || !f)
		return -EINVAL;
	pthread_mutex_lock(&si->fault_lock);
	if (si->fault_count) {
		*f = si->faults[si->fault_head];
		si->fault_head = (si->fault_head + 1) % si->params.fault_log_size;
		si->fault_count--;
		ret = 0;
	}
	pthread_mutex_unlock(&si->fault_lock);
	return ret;
}

uint64_t uvf_sim_iommu_faults_dropped(struct uvf_iommu *iommu)
{
	struct sim_iommu *si = sim_iommu_of(iommu);
	uint64_t n;

	if (!si)
		return 0;
	pthread_mutex_lock(&si->fault_lock);
	n = si->faults_dropped;
	pthread_mutex_unlock(&si->fault_lock);
	return n;
}

int uvf_sim_iommu_iotlb_stats(struct uvf_iommu *iommu,
			      struct uvf_sim_iotlb_stats *st)
{
	struct sim_iommu *si = sim_iommu_of(iommu);
	struct uvf_iotlb_stats t;

	if (!si || !st)
		return -EINVAL;
	uvf_iotlb_get_stats(si->iotlb, &t);
	*st = (struct uvf_sim_iotlb_stats){
		.hits = t.hits,
		.misses = t.misses,
		.fills = t.fills,
		.evictions = t.evictions,
		.inval_range = t.inval_range,
		.inval_domain = t.inval_domain,
		.inval_global = t.inval_global,
		.entries_invalidated = t.entries_invalidated,
		.walks = t.misses,	/* every miss walks the page table */
	};
	return 0;
}

int uvf_sim_iommu_iotlb_flush(struct uvf_iommu *iommu)
{
	struct sim_iommu *si = sim_iommu_of(iommu);

	if (!si)
		return -EINVAL;
	uvf_iotlb_inval_all(si->iotlb);
	return 0;
}

const char *uvf_fault_reason_name(enum uvf_fault_reason reason)
{
	switch (reason) {
	case UVF_FAULT_NOT_PRESENT:
		return "not-present";
	case UVF_FAULT_PERMISSION:
		return "permission";
	case UVF_FAULT_OUTSIDE_APERTURE:
		return "outside-aperture";
	case UVF_FAULT_RESERVED:
		return "reserved";
	case UVF_FAULT_NO_DOMAIN:
		return "no-domain";
	}
	return "unknown";
}
