/* SPDX-License-Identifier: MIT */
/*
 * PRP construction: for many sizes and offsets the PRP1/PRP2/list
 * structure, followed the way a controller follows it, must name every
 * page of the buffer in order, chain list pages only when more entries
 * follow, and use no more list pages than needed.
 *
 * Buffer addresses are synthetic (the builder only computes with them) and
 * translate to scattered device pages, so a builder that assumed
 * contiguity would be caught. UVF_NVME_PRP_ITERATIONS sets the length of
 * the randomized run (default 500, fixed seed).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "listfix.h"

static int xlate_fail_third_page(const void *ctx, const void *vaddr,
				 uvf_iova_t *iova)
{
	uintptr_t va = (uintptr_t)vaddr;

	(void)ctx;
	if ((va & ~(uintptr_t)4095) == (VA_BASE & ~4095ull) + 2 * 4096)
		return -ENOENT;
	return xlate_scatter(ctx, vaddr, iova);
}

static int xlate_wrong_offset(const void *ctx, const void *vaddr,
			      uvf_iova_t *iova)
{
	(void)ctx;
	*iova = page_iova((uintptr_t)vaddr & ~(uintptr_t)4095) + 8;
	return 0;
}

/* List pages the controller must read for @entries entries. */
static unsigned int expected_lists(size_t entries)
{
	return entries <= 1 ? 0 : (unsigned int)((entries - 1 + 510) / 511);
}

/* Build for @len bytes at VA_BASE + @off and follow the result the way a
 * controller would, checking every page. */
static void check_build(size_t off, size_t len)
{
	uintptr_t va = VA_BASE + off, first_page = va & ~(uintptr_t)4095;
	size_t n = nvme_pages_spanned(va, len), i = 1, slot;
	unsigned int used = 0;
	uint64_t prp1, prp2;
	const uint64_t *list;

	ck_assert_int_eq(nvme_prp_build((void *)va, len, xlate_scatter, NULL,
					lists, NLISTS, &prp1, &prp2), 0);
	ck_assert_uint_eq(prp1, page_iova(first_page) + (va & 4095));
	if (n == 1) {
		ck_assert_uint_eq(prp2, 0);
		return;
	}
	if (n == 2) {
		ck_assert_uint_eq(prp2, page_iova(first_page + 4096));
		return;
	}
	ck_assert_uint_eq(prp2, lists[0].iova);
	list = listfix_page_at(prp2);
	used = 1;
	for (slot = 0; i < n; slot++) {
		if (slot == 511 && n - i > 1) {
			list = listfix_page_at(list[511]);
			used++;
			slot = (size_t)-1;
			continue;
		}
		ck_assert_msg(list[slot] == page_iova(first_page + i * 4096),
			      "off %zu len %zu: page %zu wrong", off, len, i);
		i++;
	}
	ck_assert_uint_eq(used, expected_lists(n - 1));
}

START_TEST(test_single_page_uses_prp1_only)
{
	static const size_t offs[] = { 0, 4, 512, 2048, 4092 };
	size_t i;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		check_build(offs[i], 4);
		check_build(offs[i], 4096 - offs[i]);
	}
	check_build(0, 1);
}
END_TEST

START_TEST(test_two_pages_put_the_second_page_in_prp2)
{
	check_build(0, 8192);
	check_build(4092, 8);
	check_build(512, 4096);
	check_build(4, 8188);
}
END_TEST

START_TEST(test_long_transfers_list_every_page_in_order)
{
	static const size_t offs[] = { 0, 4, 512, 4092 };
	static const size_t pages[] = { 3, 4, 17, 128, 511, 512, 513, 514,
					1023, 1024, 1025, 1536, 2048 };
	size_t i, j;

	for (i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		for (j = 0; j < sizeof(pages) / sizeof(pages[0]); j++) {
			check_build(offs[i], pages[j] * 4096 - offs[i]);
			check_build(offs[i], pages[j] * 4096);
			check_build(offs[i], pages[j] * 4096 - 4096 + 4);
		}
}
END_TEST

START_TEST(test_a_list_chains_at_its_last_entry_only_when_more_follow)
{
	uint64_t prp1, prp2;

	/* 513 pages: 512 entries fill one list page, no chain. */
	ck_assert_int_eq(nvme_prp_build((void *)VA_BASE, 513 * 4096,
					xlate_scatter, NULL, lists, NLISTS,
					&prp1, &prp2), 0);
	ck_assert_uint_eq(lists[0].va[511],
			  page_iova((VA_BASE & ~4095ull) + 512 * 4096));
	ck_assert_uint_eq(lists[1].va[0], 0xa5a5a5a5a5a5a5a5ull);
	/* 514 pages: entry 511 points at the next list page. */
	ck_assert_int_eq(nvme_prp_build((void *)VA_BASE, 514 * 4096,
					xlate_scatter, NULL, lists, NLISTS,
					&prp1, &prp2), 0);
	ck_assert_uint_eq(lists[0].va[511], lists[1].iova);
	ck_assert_uint_eq(lists[1].va[0],
			  page_iova((VA_BASE & ~4095ull) + 512 * 4096));
	ck_assert_uint_eq(lists[1].va[1],
			  page_iova((VA_BASE & ~4095ull) + 513 * 4096));
}
END_TEST

START_TEST(test_list_pages_needed_for_a_max_transfer)
{
	ck_assert_uint_eq(nvme_prp_list_pages(4096), 0);
	ck_assert_uint_eq(nvme_prp_list_pages(8192), 1);
	ck_assert_uint_eq(nvme_prp_list_pages(512 << 10), 1);
	ck_assert_uint_eq(nvme_prp_list_pages(2 << 20), 1);
	ck_assert_uint_eq(nvme_prp_list_pages((2 << 20) + 4096), 2);
	ck_assert_uint_eq(nvme_prp_list_pages(4 << 20), 3);
	ck_assert_uint_eq(nvme_prp_list_pages(8 << 20), 5);
}
END_TEST

START_TEST(test_unaligned_or_empty_buffer_is_einval)
{
	uint64_t prp1 = 1, prp2 = 2;

	ck_assert_int_eq(nvme_prp_build((void *)(VA_BASE + 2), 512,
					xlate_scatter, NULL, lists, NLISTS,
					&prp1, &prp2), -EINVAL);
	ck_assert_int_eq(nvme_prp_build((void *)VA_BASE, 0, xlate_scatter,
					NULL, lists, NLISTS, &prp1, &prp2),
			 -EINVAL);
	ck_assert_uint_eq(prp1, 1);
	ck_assert_uint_eq(prp2, 2);
}
END_TEST

START_TEST(test_transfer_beyond_the_list_pages_given_is_einval)
{
	uint64_t prp1 = 1, prp2 = 2;

	/* One list page holds 512 entries: 514 pages need two. */
	ck_assert_int_eq(nvme_prp_build((void *)VA_BASE, 514 * 4096,
					xlate_scatter, NULL, lists, 1, &prp1,
					&prp2), -EINVAL);
	ck_assert_int_eq(nvme_prp_build((void *)VA_BASE, 3 * 4096,
					xlate_scatter, NULL, NULL, 0, &prp1,
					&prp2), -EINVAL);
	ck_assert_uint_eq(prp1, 1);
	ck_assert_uint_eq(prp2, 2);
}
END_TEST

START_TEST(test_translation_error_is_returned_and_prps_untouched)
{
	uint64_t prp1 = 1, prp2 = 2;

	ck_assert_int_eq(nvme_prp_build((void *)VA_BASE, 5 * 4096,
					xlate_fail_third_page, NULL, lists,
					NLISTS, &prp1, &prp2), -ENOENT);
	ck_assert_uint_eq(prp1, 1);
	ck_assert_uint_eq(prp2, 2);
	ck_assert_int_eq(nvme_prp_build((void *)VA_BASE, 512,
					xlate_wrong_offset, NULL, lists,
					NLISTS, &prp1, &prp2), -EINVAL);
}
END_TEST

START_TEST(test_random_sizes_and_offsets_follow_the_rules)
{
	const char *env = getenv("UVF_NVME_PRP_ITERATIONS");
	unsigned long i, iters = env ? strtoul(env, NULL, 0) : 500;
	unsigned int seed = 12345;
	size_t off, len;

	for (i = 0; i < iters; i++) {
		off = (size_t)(rand_r(&seed) % 1024) * 4;
		switch (rand_r(&seed) % 3) {
		case 0:		/* small */
			len = (size_t)(rand_r(&seed) % 16384) + 1;
			break;
		case 1:		/* around the 512-entry boundary */
			len = (size_t)(508 + rand_r(&seed) % 10) * 4096 -
			      (size_t)(rand_r(&seed) % 8192);
			break;
		default:	/* anything up to 4 MiB */
			len = (size_t)(rand_r(&seed) % (4 << 20)) + 1;
		}
		if (nvme_pages_spanned(VA_BASE + off, len) - 1 >
		    NLISTS * 511u)
			continue;
		check_build(off, len);
	}
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("nvme_prp");
	TCase *tc = tcase_create("prp");

	tcase_add_checked_fixture(tc, listfix_setup, listfix_teardown);
	tcase_add_test(tc, test_single_page_uses_prp1_only);
	tcase_add_test(tc, test_two_pages_put_the_second_page_in_prp2);
	tcase_add_test(tc, test_long_transfers_list_every_page_in_order);
	tcase_add_test(tc,
		       test_a_list_chains_at_its_last_entry_only_when_more_follow);
	tcase_add_test(tc, test_list_pages_needed_for_a_max_transfer);
	tcase_add_test(tc, test_unaligned_or_empty_buffer_is_einval);
	tcase_add_test(tc, test_transfer_beyond_the_list_pages_given_is_einval);
	tcase_add_test(tc, test_translation_error_is_returned_and_prps_untouched);
	tcase_add_test(tc, test_random_sizes_and_offsets_follow_the_rules);
	suite_add_tcase(s, tc);
	return s;
}
