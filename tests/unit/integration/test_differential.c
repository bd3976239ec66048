/* SPDX-License-Identifier: MIT */
/*
 * Randomized differential test of the whole software stack -- IOVA
 * allocator, page tables, IOTLB, dma_map_page flow -- against a trivial
 * reference: a list of live mappings. After every operation the device's
 * view (translate, DMA) must match the reference. A tiny IOTLB keeps
 * evictions and stale-entry bugs in play. Fixed seeds; UVF_DIFF_ITERS sets
 * the operations per seed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "simfix.h"

#define MAX_LIVE 64
#define ARENA_PAGES 256

struct ref_map {
	uvf_iova_t iova;	/* as returned: includes the offset */
	char *va;
	size_t len;
	enum uvf_dma_dir dir;
};

static struct simfix f;
static struct ref_map live[MAX_LIVE];
static unsigned int nlive;
static char *arena;

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64*: tiny, deterministic, good enough for a test. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static bool ref_allows(const struct ref_map *m, enum uvf_access a,
		       bool write_implies_read)
{
	switch (m->dir) {
	case UVF_DMA_BIDIRECTIONAL:
		return true;
	case UVF_DMA_TO_DEVICE:
		return a == UVF_ACCESS_READ;
	case UVF_DMA_FROM_DEVICE:
		return a == UVF_ACCESS_WRITE || write_implies_read;
	}
	return false;
}

/* The reference's answer for one device access: the CPU address, or NULL
 * for a fault. Mappings cover whole pages, so look at page extents. */
static char *ref_translate(uvf_iova_t iova, enum uvf_access a, bool wir)
{
	unsigned int i;

	for (i = 0; i < nlive; i++) {
		uvf_iova_t first = live[i].iova & ~4095ull;
		uvf_iova_t last = (live[i].iova + live[i].len - 1) | 4095;

		if (iova < first || iova > last)
			continue;
		if (!ref_allows(&live[i], a, wir))
			return NULL;
		return (char *)(((uintptr_t)live[i].va & ~4095ul) +
				(iova - first));
	}
	return NULL;
}

static void check_no_overlap(void)
{
	unsigned int i, j;

	for (i = 0; i < nlive; i++)
		for (j = i + 1; j < nlive; j++) {
			uvf_iova_t a0 = live[i].iova & ~4095ull;
			uvf_iova_t a1 = (live[i].iova + live[i].len - 1) | 4095;
			uvf_iova_t b0 = live[j].iova & ~4095ull;
			uvf_iova_t b1 = (live[j].iova + live[j].len - 1) | 4095;

			ck_assert(a1 < b0 || b1 < a0);
		}
}

static void op_map(void)
{
	struct ref_map m;
	size_t off;

	if (nlive == MAX_LIVE)
		return;
	off = rnd() % (ARENA_PAGES * 4096 / 2);
	m.va = arena + off;
	m.len = 1 + rnd() % (24 * 4096);
	m.dir = (enum uvf_dma_dir)(rnd() % 3);
	ck_assert_int_eq(uvf_dma_map_page(f.dev, m.va, m.len, m.dir, &m.iova),
			 0);
	ck_assert_uint_eq(m.iova & 4095, (uintptr_t)m.va & 4095);
	live[nlive++] = m;
	check_no_overlap();
}

static void op_unmap(void)
{
	unsigned int i;

	if (!nlive || rnd() % 8 == 0) {
		/* Bogus unmaps must fail and change nothing. */
		uvf_iova_t bogus = (rnd() % (1ull << 40)) & ~4095ull;

		if (!ref_translate(bogus, UVF_ACCESS_WRITE, true) &&
		    !ref_translate(bogus, UVF_ACCESS_READ, true))
			ck_assert_int_eq(uvf_dma_unmap_page(
						 f.dev, bogus, 4096,
						 UVF_DMA_BIDIRECTIONAL),
					 -ENOENT);
		return;
	}
	i = rnd() % nlive;
	if (live[i].len > 4096 && rnd() % 4 == 0)
		ck_assert_int_eq(uvf_dma_unmap_page(f.dev, live[i].iova, 1,
						    live[i].dir), -ENOENT);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, live[i].iova, live[i].len,
					    live[i].dir), 0);
	live[i] = live[--nlive];
}

static void op_access(bool wir)
{
	enum uvf_access a = rnd() % 2 ? UVF_ACCESS_WRITE : UVF_ACCESS_READ;
	uvf_iova_t iova;
	uint64_t pa;
	char *want;
	int ret;

	/* Mostly near live mappings (hits, misses just outside, stale). */
	if (nlive && rnd() % 4) {
		const struct ref_map *m = &live[rnd() % nlive];

		iova = m->iova - 4096 + rnd() % (m->len + 8192);
	} else {
		iova = rnd() % (1ull << 36);
	}
	want = ref_translate(iova, a, wir);
	ret = uvf_sim_translate(f.dev, iova, a, &pa);
	if (want) {
		ck_assert_int_eq(ret, 0);
		ck_assert_ptr_eq((void *)(uintptr_t)pa, want);
	} else {
		ck_assert_int_eq(ret, -EFAULT);
	}
}

static void op_dma_write(bool wir)
{
	char data[300], before[300];
	uvf_iova_t iova;
	unsigned int i, len = 1 + rnd() % sizeof(data);
	bool ok = true;
	char *dst;

	if (!nlive)
		return;
	iova = live[rnd() % nlive].iova + rnd() % 8192 - 2048;
	for (i = 0; i < len; i++) {
		data[i] = (char)rnd();
		ok = ok && ref_translate(iova + i, UVF_ACCESS_WRITE, wir);
	}
	dst = ref_translate(iova, UVF_ACCESS_WRITE, wir);
	if (dst)
		memcpy(before, dst, ok ? len : 1);
	if (ok) {
		ck_assert_int_eq(uvf_sim_dma_write(f.dev, iova, data, len), 0);
		for (i = 0; i < len; i++)
			ck_assert_int_eq(*ref_translate(iova + i,
							UVF_ACCESS_WRITE, wir),
					 data[i]);
	} else {
		ck_assert_int_eq(uvf_sim_dma_write(f.dev, iova, data, len),
				 -EFAULT);
		if (dst)	/* a fault writes nothing, not even the start */
			ck_assert_int_eq(*dst, before[0]);
	}
}

static unsigned long iterations(void)
{
	const char *s = getenv("UVF_DIFF_ITERS");

	return s ? strtoul(s, NULL, 0) : 3000;
}

START_TEST(test_stack_matches_reference_model)
{
	bool wir = uvf_pgtable_format_info((enum uvf_pgtable_format)(_i % 4))
			   ->write_implies_read;
	struct uvf_sim_iommu_params p;
	struct uvf_iova_stats st;
	unsigned long n, iters = iterations();

	/* Four formats x three seeds. */
	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)(_i % 4));
	p.iotlb_sets = 4;
	p.iotlb_ways = 2;
	p.fault_log_size = 4;
	simfix_setup(&f, p.format, UVF_DOMAIN_TRANSLATED, &p);
	arena = simfix_pages(ARENA_PAGES);
	nlive = 0;
	rng_state = 0x9e3779b97f4a7c15ull * (uint64_t)(_i / 4 + 1);

	for (n = 0; n < iters; n++) {
		switch (rnd() % 5) {
		case 0:
			op_map();
			break;
		case 1:
			op_unmap();
			break;
		case 2:
		case 3:
			op_access(wir);
			break;
		default:
			op_dma_write(wir);
		}
	}
	while (nlive)
		op_unmap();
	/* Everything went back to the allocator. */
	uvf_iova_flush_caches(uvf_domain_iova_allocator(f.dom));
	uvf_iova_get_stats(uvf_domain_iova_allocator(f.dom), &st);
	ck_assert_uint_eq(st.free_bytes, st.total_bytes);
	simfix_drain_faults(&f, NULL);
	simfix_teardown(&f);
	free(arena);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("differential");
	TCase *tc = tcase_create("differential");

	tcase_set_timeout(tc, 600);
	tcase_add_loop_test(tc, test_stack_matches_reference_model, 0, 12);
	suite_add_tcase(s, tc);
	return s;
}
