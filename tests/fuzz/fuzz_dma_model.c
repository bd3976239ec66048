/* SPDX-License-Identifier: MIT */
/*
 * Sequences of IOVA-allocator, page-table and IOTLB operations, chosen by
 * the fuzzer and checked against a reference model: the whole-stack
 * differential test (tests/unit/integration/test_differential.c) with the
 * fuzzer's bytes in place of its random numbers. Each input sets up a
 * fresh software IOMMU (one of the four page-table formats, a 4x2 IOTLB so
 * evictions and stale entries stay in play) and then runs its operations:
 * uvf_dma_map_page() of a piece of an arena, unmaps (right, bogus and
 * partial), device translations and DMA writes. After each, the device's
 * view must match the list of live mappings, and at the end every IOVA is
 * back in the allocator.
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
	struct simfix f;
	struct ref_map live[MAX_LIVE];
	unsigned int nlive;
	char *arena;
	bool wir;		/* the format's writes imply reads */
};

static bool ref_allows(const struct ref_map *m, enum uvf_access a, bool wir)
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

static uvf_iova_t page_first(const struct ref_map *m)
{
	return m->iova & ~(uvf_iova_t)(UVF_PAGE_SIZE - 1);
}

static uvf_iova_t page_last(const struct ref_map *m)
{
	return (m->iova + m->len - 1) | (UVF_PAGE_SIZE - 1);
}

/* The CPU address a device access should reach, or NULL for a fault. */
static char *ref_translate(const struct model *m, uvf_iova_t iova,
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
	ret = uvf_dma_map_page(m->f.dev, r.va, r.len, r.dir, &r.iova);
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
			ret = uvf_dma_unmap_page(m->f.dev, bogus, 4096,
						 UVF_DMA_BIDIRECTIONAL);
			FUZZ_CHECK(ret == -ENOENT, "bogus unmap %#llx: %d",
				   (unsigned long long)bogus, ret);
		}
		return;
	}
	r = &m->live[where % m->nlive];
	if (r->len > 4096 && how % 4 == 1) {
		ret = uvf_dma_unmap_page(m->f.dev, r->iova, 1, r->dir);
		FUZZ_CHECK(ret == -ENOENT, "partial unmap: %d", ret);
	}
	ret = uvf_dma_unmap_page(m->f.dev, r->iova, r->len, r->dir);
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
	int ret = uvf_sim_translate(m->f.dev, iova, a, &pa);

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
	ret = uvf_sim_dma_write(m->f.dev, iova, data, len);
	if (ok) {
		FUZZ_CHECK(ret == 0, "dma write %#llx+%u: %d",
			   (unsigned long long)iova, len, ret);
		for (i = 0; i < len; i++)
			FUZZ_CHECK(*ref_translate(m, iova + i,
						  UVF_ACCESS_WRITE) == data[i],
				   "dma write %#llx: byte %u not written",
				   (unsigned long long)iova, i);
	} else {
		FUZZ_CHECK(ret == -EFAULT, "dma write %#llx+%u: %d, no fault",
			   (unsigned long long)iova, len, ret);
		/* A fault writes nothing, not even the start. */
		FUZZ_CHECK(!dst || *dst == before,
			   "faulting dma write %#llx wrote its first byte",
			   (unsigned long long)iova);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	enum uvf_pgtable_format fmt = (enum uvf_pgtable_format)(fuzz_u8(&in) % 4);
	struct uvf_sim_iommu_params p;
	struct uvf_iova_stats st;
	struct model *m = calloc(1, sizeof(*m));
	unsigned int ops;

	FUZZ_CHECK(m, "out of memory");
	m->wir = uvf_pgtable_format_info(fmt)->write_implies_read;
	uvf_sim_iommu_params_default(&p, fmt);
	p.iotlb_sets = 4;
	p.iotlb_ways = 2;
	p.fault_log_size = 4;
	simfix_setup(&m->f, fmt, UVF_DOMAIN_TRANSLATED, &p);
	m->arena = simfix_pages(ARENA_PAGES);

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

		FUZZ_CHECK(uvf_dma_unmap_page(m->f.dev, r->iova, r->len,
					      r->dir) == 0, "final unmap");
	}
	uvf_iova_flush_caches(uvf_domain_iova_allocator(m->f.dom));
	uvf_iova_get_stats(uvf_domain_iova_allocator(m->f.dom), &st);
	FUZZ_CHECK(st.free_bytes == st.total_bytes,
		   "%llu of %llu bytes back in the allocator",
		   (unsigned long long)st.free_bytes,
		   (unsigned long long)st.total_bytes);
	simfix_drain_faults(&m->f, NULL);
	simfix_teardown(&m->f);
	free(m->arena);
	free(m);
	return 0;
}
