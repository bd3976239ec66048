/* SPDX-License-Identifier: MIT */
/*
 * Sequences of IOVA-allocator, page-table and IOTLB operations, chosen by
 * the fuzzer and checked against a reference model: the whole-stack
 * differential test (tests/unit/integration/test_differential.c) with the
 * fuzzer's bytes in place of its random numbers. Each input picks one of
 * four software IOMMUs (one per page-table format, a 4x2 IOTLB so
 * evictions and stale entries stay in play) and then runs its operations:
 * uvf_dma_map_page() of a piece of an arena, unmaps (right, bogus and
 * partial), device translations and DMA writes. After each, the device's
 * view must match the list of live mappings, and at the end every IOVA is
 * back in the allocator.
 *
 * The IOMMUs are built once (building one costs ~100x an input: the DMA
 * engine's 16 MiB buffer) and put back after each input in the state a
 * fresh one has: nothing mapped, the allocator as created, IOTLB and
 * fault log empty, the arena zeroed; a leftover aborts.
 */
#include <errno.h>

#include "simfix.h"

#include "fuzz_common.h"

#define MAX_LIVE 64
#define ARENA_PAGES 256
#define MAX_OPS 512

struct ref_map {
	uvf_iova_t iova;	/* as returned: includes the offset */
	char *va;
	size_t len;
	enum uvf_dma_dir dir;
};

struct model {
	struct simfix *f;
	struct ref_map live[MAX_LIVE];
	unsigned int nlive;
	char *arena;
	char *dirty_lo, *dirty_hi;	/* arena bytes DMA wrote, [lo, hi) */
	bool wir;		/* the format's writes imply reads */
};

/* Per format: the fixture and its allocator's stats when fresh. */
static struct simfix fixes[4];
static struct uvf_iova_stats fresh_iova[4];
static char *arena;

FUZZ_NO_COVERAGE static bool ref_allows(const struct ref_map *m, enum uvf_access a, bool wir)
{
	switch (m->dir) {
	case UVF_DMA_BIDIRECTIONAL:
		return true;
	case UVF_DMA_TO_DEVICE:
		return a == UVF_ACCESS_READ;
	case UVF_DMA_FROM_DEVICE:
		return a == UVF_ACCESS_WRITE || wir;
	}
	return false;
}

FUZZ_NO_COVERAGE static uvf_iova_t page_first(const struct ref_map *m)
{
	return m->iova & ~(uvf_iova_t)(UVF_PAGE_SIZE - 1);
}

FUZZ_NO_COVERAGE static uvf_iova_t page_last(const struct ref_map *m)
{
	return (m->iova + m->len - 1) | (UVF_PAGE_SIZE - 1);
}

/* The CPU address a device access should reach, or NULL for a fault.
 * The model is the oracle, not the target: left uninstrumented. */
FUZZ_NO_COVERAGE static char *ref_translate(const struct model *m, uvf_iova_t iova,
			   enum uvf_access a)
{
	unsigned int i;

	for (i = 0; i < m->nlive; i++) {
		const struct ref_map *r = &m->live[i];

		if (iova < page_first(r) || iova > page_last(r))
			continue;
		if (!ref_allows(r, a, m->wir))
			return NULL;
		return (char *)(((uintptr_t)r->va & ~(uintptr_t)4095) +
				(iova - page_first(r)));
	}
	return NULL;
}

static void op_map(struct model *m, struct fuzz_in *in)
{
	struct ref_map r;
	unsigned int i;
	int ret;

	r.va = m->arena + fuzz_u32(in) % (ARENA_PAGES * UVF_PAGE_SIZE / 2);
	r.len = 1 + fuzz_u32(in) % (24 * UVF_PAGE_SIZE);
	r.dir = (enum uvf_dma_dir)(fuzz_u8(in) % 3);
	if (m->nlive == MAX_LIVE)
		return;
	ret = uvf_dma_map_page(m->f->dev, r.va, r.len, r.dir, &r.iova);
	FUZZ_CHECK(ret == 0, "map %zu bytes: %d", r.len, ret);
	FUZZ_CHECK((r.iova & 4095) == ((uintptr_t)r.va & 4095),
		   "iova %#llx keeps no offset", (unsigned long long)r.iova);
	for (i = 0; i < m->nlive; i++)
		FUZZ_CHECK(page_last(&r) < page_first(&m->live[i]) ||
			   page_last(&m->live[i]) < page_first(&r),
			   "iova %#llx+%zu handed out twice",
			   (unsigned long long)r.iova, r.len);
	m->live[m->nlive++] = r;
}

static void op_unmap(struct model *m, struct fuzz_in *in)
{
	uint8_t how = fuzz_u8(in);
	uint64_t where = fuzz_u64(in);
	struct ref_map *r;
	int ret;

	if (!m->nlive || how % 8 == 0) {
		/* Unmapping what is not mapped fails and changes nothing. */
		uvf_iova_t bogus = (where % (1ull << 40)) & ~4095ull;

		if (!ref_translate(m, bogus, UVF_ACCESS_WRITE) &&
		    !ref_translate(m, bogus, UVF_ACCESS_READ)) {
			ret = uvf_dma_unmap_page(m->f->dev, bogus, 4096,
						 UVF_DMA_BIDIRECTIONAL);
			FUZZ_CHECK(ret == -ENOENT, "bogus unmap %#llx: %d",
				   (unsigned long long)bogus, ret);
		}
		return;
	}
	r = &m->live[where % m->nlive];
	if (r->len > 4096 && how % 4 == 1) {
		ret = uvf_dma_unmap_page(m->f->dev, r->iova, 1, r->dir);
		FUZZ_CHECK(ret == -ENOENT, "partial unmap: %d", ret);
	}
	ret = uvf_dma_unmap_page(m->f->dev, r->iova, r->len, r->dir);
	FUZZ_CHECK(ret == 0, "unmap %#llx+%zu: %d",
		   (unsigned long long)r->iova, r->len, ret);
	*r = m->live[--m->nlive];
}

/* Mostly near a live mapping: hits, misses just outside, stale ones. */
static uvf_iova_t pick_iova(const struct model *m, struct fuzz_in *in,
			    uint8_t how)
{
	uint64_t v = fuzz_u64(in);
	const struct ref_map *r;

	if (!m->nlive || how % 4 == 0)
		return v % (1ull << 36);
	r = &m->live[(v >> 32) % m->nlive];
	return r->iova - 4096 + (uint32_t)v % (r->len + 8192);
}

static void op_access(struct model *m, struct fuzz_in *in)
{
	uint8_t how = fuzz_u8(in);
	enum uvf_access a = how & 0x10 ? UVF_ACCESS_WRITE : UVF_ACCESS_READ;
	uvf_iova_t iova = pick_iova(m, in, how);
	char *want = ref_translate(m, iova, a);
	uint64_t pa = 0;
	int ret = uvf_sim_translate(m->f->dev, iova, a, &pa);

	if (want)
		FUZZ_CHECK(ret == 0 && (char *)(uintptr_t)pa == want,
			   "translate %#llx: %d, %#llx for %p",
			   (unsigned long long)iova, ret,
			   (unsigned long long)pa, (void *)want);
	else
		FUZZ_CHECK(ret == -EFAULT, "translate %#llx: %d, no fault",
			   (unsigned long long)iova, ret);
}

static void op_dma_write(struct model *m, struct fuzz_in *in)
{
	uint8_t how = fuzz_u8(in);
	uvf_iova_t iova = pick_iova(m, in, how);
	unsigned int i, len = 1 + fuzz_u16(in) % 300;
	char data[300], before;
	bool ok = true;
	char *dst;
	int ret;

	for (i = 0; i < len; i++) {
		data[i] = (char)(how + i);
		ok = ok && ref_translate(m, iova + i, UVF_ACCESS_WRITE);
	}
	dst = ref_translate(m, iova, UVF_ACCESS_WRITE);
	before = dst ? *dst : 0;
	ret = uvf_sim_dma_write(m->f->dev, iova, data, len);
	if (ok) {
		FUZZ_CHECK(ret == 0, "dma write %#llx+%u: %d",
			   (unsigned long long)iova, len, ret);
		for (i = 0; i < len; i++) {
			char *b = ref_translate(m, iova + i, UVF_ACCESS_WRITE);

			FUZZ_CHECK(*b == data[i],
				   "dma write %#llx: byte %u not written",
				   (unsigned long long)iova, i);
			if (b < m->dirty_lo)
				m->dirty_lo = b;
			if (b >= m->dirty_hi)
				m->dirty_hi = b + 1;
		}
	} else {
		FUZZ_CHECK(ret == -EFAULT, "dma write %#llx+%u: %d, no fault",
			   (unsigned long long)iova, len, ret);
		/* A fault writes nothing, not even the start. */
		FUZZ_CHECK(!dst || *dst == before,
			   "faulting dma write %#llx wrote its first byte",
			   (unsigned long long)iova);
	}
}

static void fixture_setup(enum uvf_pgtable_format fmt)
{
	struct uvf_sim_iommu_params p;
	struct simfix *f = &fixes[fmt];

	uvf_sim_iommu_params_default(&p, fmt);
	p.iotlb_sets = 4;
	p.iotlb_ways = 2;
	p.fault_log_size = 4;
	simfix_setup(f, fmt, UVF_DOMAIN_TRANSLATED, &p);
	uvf_iova_get_stats(uvf_domain_iova_allocator(f->dom), &fresh_iova[fmt]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int fmt;

	(void)argc;
	(void)argv;
	for (fmt = 0; fmt < 4; fmt++)
		fixture_setup((enum uvf_pgtable_format)fmt);
	arena = simfix_pages(ARENA_PAGES);
	return 0;
}

/*
 * Back to the state of a fresh fixture, checked: what the driver had to
 * give back (IOVAs, mappings) it must have; what the device keeps of the
 * past (IOTLB entries, faults) a fresh IOMMU does not have either.
 */
static void fixture_reset(struct model *m, enum uvf_pgtable_format fmt)
{
	struct uvf_iova_allocator *a = uvf_domain_iova_allocator(m->f->dom);
	const struct uvf_iova_stats *fresh = &fresh_iova[fmt];
	struct uvf_domain_stats ds;
	struct uvf_iova_stats st;
	struct uvf_fault flt;

	uvf_iova_flush_caches(a);
	uvf_iova_get_stats(a, &st);
	FUZZ_CHECK(st.free_bytes == st.total_bytes,
		   "%llu of %llu bytes back in the allocator",
		   (unsigned long long)st.free_bytes,
		   (unsigned long long)st.total_bytes);
	FUZZ_CHECK(st.total_bytes == fresh->total_bytes &&
		   st.cached_bytes == 0 &&
		   st.allocated_blocks == fresh->allocated_blocks &&
		   st.free_blocks == fresh->free_blocks,
		   "allocator not as created: %llu blocks allocated, %llu free "
		   "(fresh: %llu, %llu)",
		   (unsigned long long)st.allocated_blocks,
		   (unsigned long long)st.free_blocks,
		   (unsigned long long)fresh->allocated_blocks,
		   (unsigned long long)fresh->free_blocks);
	uvf_domain_get_stats(m->f->dom, &ds);
	FUZZ_CHECK(ds.mapped_bytes == 0 && ds.fq_pending == 0,
		   "%llu bytes still mapped, %llu IOVAs queued",
		   (unsigned long long)ds.mapped_bytes,
		   (unsigned long long)ds.fq_pending);
	FUZZ_CHECK(uvf_sim_iommu_iotlb_flush(m->f->iommu) == 0, "iotlb flush");
	simfix_drain_faults(m->f, NULL);
	FUZZ_CHECK(uvf_sim_iommu_fault_pop(m->f->iommu, &flt) == -ENOENT,
		   "fault log not empty");
	if (m->dirty_lo < m->dirty_hi)
		memset(m->dirty_lo, 0, (size_t)(m->dirty_hi - m->dirty_lo));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct model model;
	struct fuzz_in in = { data, size };
	enum uvf_pgtable_format fmt = (enum uvf_pgtable_format)(fuzz_u8(&in) % 4);
	struct model *m = &model;
	unsigned int ops;

	memset(m, 0, sizeof(*m));
	m->f = &fixes[fmt];
	m->wir = uvf_pgtable_format_info(fmt)->write_implies_read;
	m->arena = arena;
	m->dirty_lo = arena + ARENA_PAGES * UVF_PAGE_SIZE;
	m->dirty_hi = arena;

	for (ops = 0; in.n && ops < MAX_OPS; ops++) {
		switch (fuzz_u8(&in) % 5) {
		case 0:
			op_map(m, &in);
			break;
		case 1:
			op_unmap(m, &in);
			break;
		case 2:
		case 3:
			op_access(m, &in);
			break;
		default:
			op_dma_write(m, &in);
		}
	}
	while (m->nlive) {
		struct ref_map *r = &m->live[--m->nlive];

		FUZZ_CHECK(uvf_dma_unmap_page(m->f->dev, r->iova, r->len,
					      r->dir) == 0, "final unmap");
	}
	fixture_reset(m, fmt);
	return 0;
}
