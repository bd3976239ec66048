/* SPDX-License-Identifier: MIT */
/*
 * uvf on EAL memory, EAL in IOVA-as-VA mode, real 2 MiB hugepages: every
 * segment mapped at its IOVA (checked through the software IOMMU's
 * translation), rte_malloc buffers and mbufs resolving to EAL's IOVA,
 * memory hotplug followed both ways, and the bad-input catalogue: EAL not
 * up, double attach, overlap at attach and in a memory event, destroy while
 * attached, direct domains.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memory.h>

#include "dpdkfix.h"
#include "simfix.h"

#define BIG (24u << 20)	/* more than EAL has after init: hotplug */

static struct simfix f;

static void up(enum uvf_domain_type type)
{
	dpdkfix_eal_up("va");
	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, type, NULL);
}

static void down(void)
{
	simfix_teardown(&f);
}

static struct uvf_dpdk_stats stats(void)
{
	struct uvf_dpdk_stats st;

	ck_assert_int_eq(uvf_dpdk_get_stats(f.dom, &st), 0);
	return st;
}

/* The device reaches @va at @iova through the software IOMMU. */
static void assert_reaches(const void *va, uvf_iova_t iova)
{
	uint64_t pa;

	ck_assert_int_eq(uvf_sim_translate(f.dev, iova, UVF_ACCESS_WRITE, &pa),
			 0);
	ck_assert_uint_eq(pa, (uintptr_t)va);
}

static void check_page(void *arg, const void *va, rte_iova_t iova, size_t len)
{
	uvf_iova_t got;
	size_t off;

	(void)arg;
	ck_assert_uint_eq(iova, (uintptr_t)va);	/* VA mode */
	for (off = 0; off < len; off += len / 4) {
		assert_reaches((const char *)va + off, iova + off);
		ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, (const char *)va + off,
						  &got), 0);
		ck_assert_uint_eq(got, iova + off);
	}
}

START_TEST(test_attach_before_eal_init_is_enodev)
{
	struct uvf_iommu *iommu;

	/* First in the suite: with CK_FORK=no EAL is not up yet either. */
	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), -ENODEV);
	ck_assert_int_eq(uvf_dpdk_vfio_open(&iommu), -ENODEV);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), -ENOENT);
	down();
}
END_TEST

START_TEST(test_every_segment_is_mapped_at_its_iova)
{
	struct uvf_domain_stats ds;
	struct uvf_dpdk_stats st;
	unsigned int n;

	up(UVF_DOMAIN_TRANSLATED);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	n = dpdkfix_for_each_page(check_page, NULL);
	ck_assert_uint_gt(n, 0);
	st = stats();
	ck_assert(!st.shared && !st.direct && st.hotplug);
	ck_assert_uint_eq(st.pages, n);
	uvf_domain_get_stats(f.dom, &ds);
	ck_assert_uint_eq(ds.mapped_bytes, st.bytes);
	ck_assert_uint_eq(st.errors, 0);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	down();
}
END_TEST

START_TEST(test_rte_malloc_and_mbufs_resolve_to_eal_iova)
{
	struct rte_mempool *mp;
	struct rte_mbuf *m[8];
	uvf_iova_t iova, viadev;
	char *buf, data[64];
	unsigned int i;

	up(UVF_DOMAIN_TRANSLATED);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	buf = rte_malloc("uvf-test", 3 * 4096, 64);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, buf + 100, &iova), 0);
	ck_assert_uint_eq(iova, rte_malloc_virt2iova(buf) + 100);
	/* The registered-memory lookup of the device answers the same. */
	ck_assert_int_eq(uvf_dma_vtoiova(f.dev, buf + 100, &viadev), 0);
	ck_assert_uint_eq(viadev, iova);
	/* The device writes through the IOMMU into the rte_malloc buffer. */
	memset(data, 0x5a, sizeof(data));
	ck_assert_int_eq(uvf_sim_dma_write(f.dev, iova, data, sizeof(data)),
			 0);
	ck_assert_int_eq(memcmp(buf + 100, data, sizeof(data)), 0);
	rte_free(buf);

	mp = rte_pktmbuf_pool_create("uvf-test-pool", 255, 0, 0,
				     RTE_MBUF_DEFAULT_BUF_SIZE,
				     SOCKET_ID_ANY);
	ck_assert_msg(mp != NULL, "rte_pktmbuf_pool_create: %s",
		      rte_strerror(rte_errno));
	ck_assert_int_eq(rte_pktmbuf_alloc_bulk(mp, m, 8), 0);
	for (i = 0; i < 8; i++) {
		char *d = rte_pktmbuf_mtod(m[i], char *);

		ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, d, &iova), 0);
		ck_assert_uint_eq(iova, rte_pktmbuf_iova(m[i]));
		ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, m[i]->buf_addr,
						  &iova), 0);
		ck_assert_uint_eq(iova, m[i]->buf_iova);
		ck_assert_int_eq(uvf_sim_dma_write(f.dev, rte_pktmbuf_iova(m[i]),
						   data, sizeof(data)), 0);
		ck_assert_int_eq(memcmp(d, data, sizeof(data)), 0);
	}
	rte_pktmbuf_free_bulk(m, 8);
	rte_mempool_free(mp);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	down();
}
END_TEST

struct span {
	uintptr_t first, last;
	unsigned int inside;
};

static void count_inside(void *arg, const void *va, rte_iova_t iova,
			 size_t len)
{
	struct span *s = arg;

	(void)iova;
	if ((uintptr_t)va + len > s->first && (uintptr_t)va <= s->last)
		s->inside++;
}

START_TEST(test_hotplug_alloc_maps_and_free_unmaps)
{
	struct uvf_dpdk_stats before, during, after;
	struct uvf_domain_stats ds;
	struct span sp;
	uvf_iova_t iova;
	uint64_t pa;
	char *big;
	size_t off;

	up(UVF_DOMAIN_TRANSLATED);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	before = stats();
	big = rte_malloc("uvf-test-big", BIG, 0);
	ck_assert_ptr_nonnull(big);
	during = stats();
	ck_assert_uint_gt(during.alloc_events, before.alloc_events);
	ck_assert_uint_ge(during.pages, before.pages + BIG / (2u << 20));
	ck_assert_uint_eq(during.errors, 0);
	/* Mapped before rte_malloc returned: every page of it reachable. */
	for (off = 0; off < BIG; off += 4096 * 37) {
		ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, big + off, &iova), 0);
		ck_assert_uint_eq(iova, rte_mem_virt2iova(big + off));
		assert_reaches(big + off, iova);
	}
	dpdkfix_for_each_page(check_page, NULL);

	iova = rte_mem_virt2iova(big + BIG / 2);
	sp.first = (uintptr_t)big;
	sp.last = (uintptr_t)big + BIG - 1;
	rte_free(big);
	after = stats();
	/* EAL gave the pages back and told us first. */
	ck_assert_uint_gt(after.free_events, during.free_events);
	ck_assert_uint_lt(after.pages, during.pages);
	ck_assert_uint_eq(after.unmaps - during.unmaps,
			  during.pages - after.pages);
	sp.inside = 0;
	dpdkfix_for_each_page(count_inside, &sp);
	ck_assert_uint_lt(sp.inside, BIG / (2u << 20));
	ck_assert_int_eq(uvf_sim_translate(f.dev, iova, UVF_ACCESS_READ, &pa),
			 -EFAULT);
	simfix_drain_faults(&f, NULL);
	uvf_domain_get_stats(f.dom, &ds);
	ck_assert_uint_eq(ds.mapped_bytes, after.bytes);
	/* What is still EAL's is still mapped. */
	dpdkfix_for_each_page(check_page, NULL);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	down();
}
END_TEST

static unsigned int not_added_lines;

static void count_not_added(void *arg, const char *line)
{
	(void)arg;
	if (strstr(line, "not added"))
		not_added_lines++;
}

START_TEST(test_memory_event_overlapping_a_uvf_mapping_is_reported)
{
	struct uvf_dpdk_stats st;
	uvf_iova_t victim, iova;
	char *big, *mine;
	uint64_t pa;

	up(UVF_DOMAIN_TRANSLATED);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	/* Learn which pages EAL hands out next, and give them back. */
	big = rte_malloc("uvf-test-big", BIG, 0);
	ck_assert_ptr_nonnull(big);
	victim = rte_mem_virt2iova(big + BIG / 2) & ~(uvf_iova_t)(UVF_SZ_2M - 1);
	rte_free(big);
	ck_assert_int_ne(uvf_dpdk_vtoiova(f.dom, (void *)(uintptr_t)victim,
					  &iova), 0);
	/* A uvf mapping of other memory at that IOVA. */
	mine = mmap(NULL, UVF_SZ_2M, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mine, MAP_FAILED);
	ck_assert_int_eq(uvf_domain_map(f.dom, victim, mine, UVF_SZ_2M,
					UVF_PROT_RW), 0);

	not_added_lines = 0;
	uvf_set_log_fn(count_not_added, NULL);
	uvf_trace_enable(true);
	big = rte_malloc("uvf-test-big", BIG, 0);
	uvf_trace_enable(false);
	uvf_set_log_fn(NULL, NULL);
	ck_assert_ptr_nonnull(big);
	/* Logged through uvf's trace too. */
	ck_assert_uint_eq(not_added_lines, 1);
	ck_assert_msg(rte_malloc_virt2iova(big) <= victim &&
		      victim < rte_malloc_virt2iova(big) + BIG,
		      "EAL did not reuse the freed pages");
	st = stats();
	ck_assert_uint_eq(st.errors, 1);
	ck_assert_int_eq(st.last_error, -EEXIST);
	ck_assert_uint_eq(st.last_error_iova, victim);
	/* Both intact: the uvf mapping still goes to its memory ... */
	ck_assert_int_eq(uvf_sim_translate(f.dev, victim + 4096,
					   UVF_ACCESS_READ, &pa), 0);
	ck_assert_uint_eq(pa, (uintptr_t)mine + 4096);
	/* ... EAL's page is simply not in the lookup, its neighbours are. */
	ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, (void *)(uintptr_t)victim,
					  &iova), -ENOENT);
	ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, big, &iova), 0);
	ck_assert_uint_eq(iova, rte_malloc_virt2iova(big));
	assert_reaches(big + BIG - 1, rte_mem_virt2iova(big + BIG - 1));
	/* Freeing EAL's page leaves the uvf mapping alone. */
	rte_free(big);
	ck_assert_int_eq(uvf_sim_translate(f.dev, victim, UVF_ACCESS_READ,
					   &pa), 0);
	ck_assert_uint_eq(pa, (uintptr_t)mine);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, victim, UVF_SZ_2M), 0);
	munmap(mine, UVF_SZ_2M);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	down();
}
END_TEST

static void first_page(void *arg, const void *va, rte_iova_t iova, size_t len)
{
	struct rte_memseg *ms = arg;

	if (!ms->addr) {
		ms->addr = (void *)va;
		ms->iova = iova;
		ms->len = len;
	}
}

START_TEST(test_attach_overlapping_a_uvf_mapping_fails_and_changes_nothing)
{
	struct uvf_domain_stats ds;
	struct uvf_dpdk_stats st;
	struct rte_memseg ms = { 0 };
	uvf_iova_t iova;
	char *mine;

	up(UVF_DOMAIN_TRANSLATED);
	dpdkfix_for_each_page(first_page, &ms);
	mine = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mine, MAP_FAILED);
	ck_assert_int_eq(uvf_domain_map(f.dom, ms.iova + ms.len - 4096, mine,
					4096, UVF_PROT_RW), 0);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), -EEXIST);
	uvf_domain_get_stats(f.dom, &ds);
	ck_assert_uint_eq(ds.mapped_bytes, 4096);
	ck_assert_int_eq(uvf_dpdk_get_stats(f.dom, &st), -ENOENT);
	ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, ms.addr, &iova), -ENOENT);
	ck_assert_int_eq(uvf_domain_unmap(f.dom, ms.iova + ms.len - 4096,
					  4096), 0);

	/* EAL memory already registered with uvf_dma_register(). */
	ck_assert_int_eq(uvf_dma_register(f.dev, ms.addr, 4096, NULL), 0);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), -EEXIST);
	uvf_domain_get_stats(f.dom, &ds);
	ck_assert_uint_eq(ds.mapped_bytes, 4096);
	ck_assert_int_eq(uvf_dma_unregister(f.dev, ms.addr, 4096), 0);

	/* With nothing in the way it works, and uvf_dma_unregister()
	 * cannot take EAL's pages away. */
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	ck_assert_int_eq(uvf_dma_unregister(f.dev, ms.addr, ms.len), -ENOENT);
	ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, ms.addr, &iova), 0);
	ck_assert_uint_eq(iova, ms.iova);
	munmap(mine, 4096);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	down();
}
END_TEST

START_TEST(test_double_attach_is_eexist_and_changes_nothing)
{
	struct uvf_domain_stats d1, d2;
	struct uvf_dpdk_stats s1, s2;

	up(UVF_DOMAIN_TRANSLATED);
	ck_assert_int_eq(uvf_dpdk_attach_memory(NULL), -EINVAL);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	s1 = stats();
	uvf_domain_get_stats(f.dom, &d1);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), -EEXIST);
	s2 = stats();
	uvf_domain_get_stats(f.dom, &d2);
	ck_assert_mem_eq(&s1, &s2, sizeof(s1));
	ck_assert_uint_eq(d1.maps, d2.maps);
	ck_assert_uint_eq(d1.mapped_bytes, d2.mapped_bytes);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	down();
}
END_TEST

START_TEST(test_detach_unmaps_everything)
{
	struct uvf_domain_stats ds;
	struct uvf_dpdk_stats st;
	struct rte_memseg ms = { 0 };
	uvf_iova_t iova;
	uint64_t pa;
	char *big;

	up(UVF_DOMAIN_TRANSLATED);
	ck_assert_int_eq(uvf_dpdk_detach_memory(NULL), -EINVAL);
	ck_assert_int_eq(uvf_dpdk_get_stats(NULL, &st), -EINVAL);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), -ENOENT);
	uvf_domain_get_stats(f.dom, &ds);
	ck_assert_uint_eq(ds.mapped_bytes, 0);
	ck_assert_uint_eq(ds.maps, ds.unmaps);
	dpdkfix_for_each_page(first_page, &ms);
	ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, ms.addr, &iova), -ENOENT);
	ck_assert_int_eq(uvf_sim_translate(f.dev, ms.iova, UVF_ACCESS_READ,
					   &pa), -EFAULT);
	simfix_drain_faults(&f, NULL);
	/* No callback left behind: hotplug changes nothing any more. */
	big = rte_malloc("uvf-test-big", BIG, 0);
	ck_assert_ptr_nonnull(big);
	uvf_domain_get_stats(f.dom, &ds);
	ck_assert_uint_eq(ds.mapped_bytes, 0);
	rte_free(big);
	/* And it attaches again. */
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	down();
}
END_TEST

START_TEST(test_destroying_an_attached_domain_detaches_it)
{
	char *big;

	up(UVF_DOMAIN_TRANSLATED);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	/* simfix_teardown: the device closes, the domain is destroyed with
	 * EAL's memory still attached. */
	down();
	/* The memory event callback is gone with it: hotplug after the
	 * domain's death touches nothing (ASan / valgrind would see a use
	 * after free, and the leak of the attachment). */
	big = rte_malloc("uvf-test-big", BIG, 0);
	ck_assert_ptr_nonnull(big);
	memset(big, 1, BIG);
	rte_free(big);
}
END_TEST

START_TEST(test_direct_domain_maps_nothing_and_answers)
{
	struct uvf_domain_stats ds;
	struct uvf_dpdk_stats st;
	uvf_iova_t iova;
	char *buf;

	/* The software model's direct arithmetic is the CPU address, which
	 * is EAL's IOVA in VA mode. */
	up(UVF_DOMAIN_DIRECT);
	ck_assert_int_eq(uvf_dpdk_attach_memory(f.dom), 0);
	st = stats();
	ck_assert(st.direct && !st.shared);
	ck_assert_uint_gt(st.pages, 0);
	uvf_domain_get_stats(f.dom, &ds);
	ck_assert_uint_eq(ds.maps, 0);
	buf = rte_malloc("uvf-test", BIG, 0);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(uvf_dpdk_vtoiova(f.dom, buf + 12345, &iova), 0);
	ck_assert_uint_eq(iova, rte_malloc_virt2iova(buf) + 12345);
	ck_assert_uint_eq(stats().errors, 0);
	rte_free(buf);
	ck_assert_int_eq(uvf_dpdk_detach_memory(f.dom), 0);
	down();
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dpdk_va");
	TCase *tc = tcase_create("eal-va");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_attach_before_eal_init_is_enodev);
	tcase_add_test(tc, test_every_segment_is_mapped_at_its_iova);
	tcase_add_test(tc, test_rte_malloc_and_mbufs_resolve_to_eal_iova);
	tcase_add_test(tc, test_hotplug_alloc_maps_and_free_unmaps);
	tcase_add_test(tc, test_memory_event_overlapping_a_uvf_mapping_is_reported);
	tcase_add_test(tc, test_attach_overlapping_a_uvf_mapping_fails_and_changes_nothing);
	tcase_add_test(tc, test_double_attach_is_eexist_and_changes_nothing);
	tcase_add_test(tc, test_detach_unmaps_everything);
	tcase_add_test(tc, test_destroying_an_attached_domain_detaches_it);
	tcase_add_test(tc, test_direct_domain_maps_nothing_and_answers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return dpdkfix_main(suite, "va");
}
