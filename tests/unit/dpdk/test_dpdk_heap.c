/* SPDX-License-Identifier: MIT */
/*
 * The DMA heap on EAL memory (uvf_dpdk_heap_provider()), EAL in IOVA-as-VA
 * mode: chunks are memzones, mapped into a translated domain of the
 * software IOMMU at IOVAs of its own or, IOVA == VA, at EAL's IOVA; a
 * direct domain uses EAL's IOVA; destroy gives every memzone back; a
 * provider that fails or gives bad chunks rolls growth back with nothing
 * mapped; the EAL-attached domain is refused.
 */
#include <errno.h>
#include <string.h>

#include <rte_eal.h>
#include <rte_malloc.h>
#include <rte_memory.h>
#include <rte_memzone.h>

#include <uvf/dmaheap.h>

#include "dpdkfix.h"
#include "simfix.h"

#define MB2 UVF_SZ_2M

static struct simfix f;

static void up(enum uvf_domain_type type)
{
	dpdkfix_eal_up("va");
	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, type, NULL);
}

static struct uvf_dmaheap *eal_heap(unsigned int flags,
				    const struct uvf_dmaheap_provider *prov)
{
	struct uvf_dmaheap_opts o;
	struct uvf_dmaheap *heap;

	uvf_dmaheap_opts_default(&o);
	o.max_bytes = 16 * MB2;
	o.flags = flags | UVF_DMAHEAP_NO_MLOCK;
	o.provider = prov ? prov : uvf_dpdk_heap_provider();
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), 0);
	return heap;
}

static uint64_t mapped_bytes(void)
{
	struct uvf_domain_stats ds;

	uvf_domain_get_stats(f.dom, &ds);
	return ds.mapped_bytes;
}

/* The device writes @va's byte through the IOMMU at @iova. */
static void assert_device_writes(char *va, uvf_iova_t iova)
{
	uint8_t b = 0xa7;

	va[0] = 0;
	ck_assert_int_eq(uvf_sim_dma_write(f.dev, iova, &b, 1), 0);
	ck_assert_uint_eq((uint8_t)va[0], 0xa7);
}

START_TEST(test_translated_domain_grows_over_memzones_and_destroy_gives_them_back)
{
	struct uvf_dmaheap_info info;
	struct uvf_dmaheap *heap;
	unsigned int zones0, i;
	uvf_iova_t iova;
	void *p[5];

	up(UVF_DOMAIN_TRANSLATED);
	zones0 = dpdkfix_heap_zones();
	heap = eal_heap(0, NULL);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, f.dom), 0);
	/* A whole chunk each: five memzones. */
	for (i = 0; i < 5; i++) {
		ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &p[i]), 0);
		ck_assert_uint_eq((uintptr_t)p[i] % MB2, 0);
		ck_assert_ptr_nonnull(rte_mem_virt2memseg(p[i], NULL));
		ck_assert_int_eq(uvf_dmaheap_iova(heap, f.dom, p[i], MB2,
						  &iova), 0);
		assert_device_writes(p[i], iova);
		assert_device_writes((char *)p[i] + MB2 - 1, iova + MB2 - 1);
		ck_assert_int_eq(uvf_dma_vtoiova(f.dev, p[i], &iova), 0);
	}
	ck_assert_uint_eq(dpdkfix_heap_zones(), zones0 + 5);
	ck_assert_uint_eq(mapped_bytes(), 5 * MB2);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_str_eq(info.provider, "dpdk-eal");
	ck_assert_ptr_null(info.base);
	ck_assert_uint_eq(info.bytes, 5 * MB2);
	ck_assert_uint_eq(info.chunks[UVF_DMAHEAP_HUGETLB_2M], 5);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(uvf_dmaheap_free(heap, p[i]), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), 0);
	ck_assert_uint_eq(mapped_bytes(), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
	ck_assert_uint_eq(dpdkfix_heap_zones(), zones0);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_iova_va_heap_iova_is_eals_iova)
{
	struct uvf_dmaheap_pool *pool;
	struct uvf_dmaheap *heap;
	uvf_iova_t iova;
	void *p, *obj;

	up(UVF_DOMAIN_TRANSLATED);
	heap = eal_heap(UVF_DMAHEAP_IOVA_VA, NULL);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 3 * 4096, &p), 0);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, f.dom, (char *)p + 100, 1,
					  &iova), 0);
	ck_assert_uint_eq(iova, rte_mem_virt2iova((char *)p + 100));
	ck_assert_uint_eq(iova, (uintptr_t)p + 100);
	assert_device_writes((char *)p + 100, iova);
	ck_assert_int_eq(uvf_dmaheap_pool_create(heap, 2048, &pool), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_alloc(pool, f.dom, &obj, &iova), 0);
	ck_assert_uint_eq(iova, rte_mem_virt2iova(obj));
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, obj), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_destroy(pool), 0);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_direct_domain_uses_eals_iova_contiguous_over_a_chunk)
{
	struct uvf_domain_stats ds;
	struct uvf_dmaheap *heap;
	uvf_iova_t iova;
	void *p;

	up(UVF_DOMAIN_DIRECT);
	heap = eal_heap(0, NULL);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &p), 0);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, f.dom, p, MB2, &iova), 0);
	ck_assert_uint_eq(iova, rte_mem_virt2iova(p));
	uvf_domain_get_stats(f.dom, &ds);
	ck_assert_uint_eq(ds.maps, 0);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_eal_attached_domain_is_refused_both_ways)
{
	struct uvf_dmaheap_info info;
	struct uvf_dmaheap *heap;
	struct uvf_dpdk_stats st;
	unsigned int zones0;
	void *p;

	up(UVF_DOMAIN_TRANSLATED);
	heap = eal_heap(0, NULL);
	/* EAL's memory first: every memzone is mapped there already. */
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, f.dom), -EEXIST);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_uint_eq(info.domains, 0);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	/* The heap first, with a chunk: EAL's attach finds it. */
	ck_assert_int_eq(uvf_dmaheap_attach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), 0);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), -EEXIST);
	ck_assert_uint_eq(mapped_bytes(), MB2);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);

	/* The heap first but without chunks: EAL's attach cannot tell, and
	 * the heap's first growth is refused, rolled back, zone given back. */
	zones0 = dpdkfix_heap_zones();
	heap = eal_heap(0, NULL);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), -EEXIST);
	ck_assert_uint_eq(dpdkfix_heap_zones(), zones0);
	/* All that is mapped is EAL's attachment's. */
	ck_assert_int_eq(uvf_dpdk_get_stats(f.dom, &st), 0);
	ck_assert_uint_eq(mapped_bytes(), st.bytes);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_uint_eq(info.bytes, 0);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	ck_assert_uint_eq(mapped_bytes(), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_frees_of_provider_chunks_tell_foreign_double_and_pinned)
{
	struct uvf_dmaheap_pool *pool;
	struct uvf_dmaheap *heap;
	uvf_iova_t iova;
	void *p, *obj;
	char *foreign;

	up(UVF_DOMAIN_TRANSLATED);
	heap = eal_heap(0, NULL);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc_pinned(heap, f.dom, 8192, &p,
						  &iova), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_create(heap, 256, &pool), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_alloc(pool, NULL, &obj, NULL), 0);
	/* EAL memory of no heap chunk. */
	foreign = rte_malloc("uvf-test", 4096, 4096);
	ck_assert_ptr_nonnull(foreign);
	ck_assert_int_eq(uvf_dmaheap_free(heap, foreign), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, foreign), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_pin(heap, f.dom, foreign), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, f.dom, foreign, 1, &iova),
			 -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_free(heap, (char *)p + 4096), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_free(heap, obj), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), -EBUSY);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), -EBUSY);
	ck_assert_int_eq(uvf_dmaheap_free_pinned(heap, f.dom, p), 0);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), -ENOENT);
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, obj), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, obj), -ENOENT);
	rte_free(foreign);
	ck_assert_int_eq(uvf_dmaheap_pool_destroy(pool), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
	simfix_teardown(&f);
}
END_TEST

/* EAL's provider, with the n-th chunk failed or spoiled. */
enum spoil { SPOIL_FAIL, SPOIL_MISALIGNED, SPOIL_SHORT };
static unsigned int gets, spoil_at;
static enum spoil spoil;

static int spoiled_get(void *arg, const struct uvf_dmaheap_chunk_req *req,
		       struct uvf_dmaheap_chunk *chunk)
{
	int ret;

	if (++gets == spoil_at && spoil == SPOIL_FAIL)
		return -ENOMEM;
	ret = uvf_dpdk_heap_provider()->chunk_get(arg, req, chunk);
	if (ret || gets != spoil_at)
		return ret;
	if (spoil == SPOIL_MISALIGNED)
		chunk->va = (char *)chunk->va + 4096;
	else
		chunk->len /= 2;
	return 0;
}

static void spoiled_put(void *arg, const struct uvf_dmaheap_chunk *chunk)
{
	uvf_dpdk_heap_provider()->chunk_put(arg, chunk);
}

static const struct uvf_dmaheap_provider spoiled = {
	.name = "spoiled-eal",
	.chunk_get = spoiled_get,
	.chunk_put = spoiled_put,
};

static void assert_nth_chunk_refused(enum spoil how, int err)
{
	struct uvf_dmaheap_info info;
	struct uvf_dmaheap *heap;
	unsigned int zones0;
	void *p[3];

	zones0 = dpdkfix_heap_zones();
	gets = 0;
	spoil_at = 3;
	spoil = how;
	heap = eal_heap(0, &spoiled);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &p[0]), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &p[1]), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &p[2]), err);
	/* Nothing of it mapped, registered or kept. */
	ck_assert_uint_eq(mapped_bytes(), 2 * MB2);
	ck_assert_uint_eq(dpdkfix_heap_zones(), zones0 + 2);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_uint_eq(info.bytes, 2 * MB2);
	ck_assert_uint_eq(info.grow_failures, 1);
	/* The next chunk is a good one. */
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &p[2]), 0);
	ck_assert_uint_eq(mapped_bytes(), 3 * MB2);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p[0]), 0);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p[1]), 0);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p[2]), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, f.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
	ck_assert_uint_eq(dpdkfix_heap_zones(), zones0);
}

START_TEST(test_failed_or_bad_provider_chunk_rolls_growth_back)
{
	up(UVF_DOMAIN_TRANSLATED);
	assert_nth_chunk_refused(SPOIL_FAIL, -ENOMEM);
	assert_nth_chunk_refused(SPOIL_MISALIGNED, -EINVAL);
	assert_nth_chunk_refused(SPOIL_SHORT, -ENOMEM);
	simfix_teardown(&f);
}
END_TEST

START_TEST(test_provider_without_ops_is_einval)
{
	static const struct uvf_dmaheap_provider no_put = {
		.name = "no-put",
		.chunk_get = spoiled_get,
	};
	struct uvf_dmaheap_opts o;
	struct uvf_dmaheap *heap;

	uvf_dmaheap_opts_default(&o);
	o.provider = &no_put;
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), -EINVAL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dpdk_heap");
	TCase *tc = tcase_create("eal-va");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_provider_without_ops_is_einval);
	tcase_add_test(tc, test_translated_domain_grows_over_memzones_and_destroy_gives_them_back);
	tcase_add_test(tc, test_iova_va_heap_iova_is_eals_iova);
	tcase_add_test(tc, test_direct_domain_uses_eals_iova_contiguous_over_a_chunk);
	tcase_add_test(tc, test_eal_attached_domain_is_refused_both_ways);
	tcase_add_test(tc, test_frees_of_provider_chunks_tell_foreign_double_and_pinned);
	tcase_add_test(tc, test_failed_or_bad_provider_chunk_rolls_growth_back);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dpdkfix_main(suite, "va");
}
