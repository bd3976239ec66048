/* SPDX-License-Identifier: MIT */
/* Packet buffer pools: layout, translation, ownership accounting. */
#include <check.h>
#include <stdlib.h>
#include <sys/mman.h>

#include <uvf/dma.h>

#include "check_main.h"
#include "e1kfix.h"

static struct e1kfix f;

static void setup(void)
{
	e1kfix_setup(&f, 1, NULL);
}

static void teardown(void)
{
	e1kfix_teardown(&f);
}

START_TEST(test_every_buffer_sits_in_one_page_at_its_registered_iova)
{
	struct uvf_e1000e_pool *p;
	struct uvf_e1000e_buf *b[33];
	uvf_iova_t iova;
	unsigned int i, j;

	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[0], 33, &p), 0);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(p), 33);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(p, b, 33), 0);
	for (i = 0; i < 33; i++) {
		uintptr_t va = (uintptr_t)b[i]->data;

		ck_assert_uint_eq(va / 4096,
				  (va + UVF_E1000E_BUF_SIZE - 1) / 4096);
		ck_assert_int_eq(uvf_dma_vtoiova(f.dev[0], b[i]->data, &iova),
				 0);
		ck_assert_uint_eq(iova, b[i]->iova);
		ck_assert_ptr_eq(b[i]->pool, p);
		for (j = 0; j < i; j++)
			ck_assert_ptr_ne(b[i]->data, b[j]->data);
	}
	uvf_e1000e_pool_free(b, 33);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(p), 0);
}
END_TEST

START_TEST(test_alloc_is_all_or_nothing)
{
	struct uvf_e1000e_pool *p;
	struct uvf_e1000e_buf *b[8];

	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[0], 6, &p), 0);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(p, b, 4), 0);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(p, b + 4, 3), -ENOBUFS);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(p), 2);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(p, b + 4, 2), 0);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(p), 0);
	uvf_e1000e_pool_free(b, 6);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(p), 6);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(p), 0);
}
END_TEST

START_TEST(test_destroy_with_buffers_out_is_ebusy_and_keeps_the_pool)
{
	struct uvf_e1000e_pool *p;
	struct uvf_e1000e_buf *b;
	uint64_t mapped;

	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[0], 4, &p), 0);
	mapped = e1kfix_mapped(&f);
	ck_assert_uint_ge(mapped, 2 * 4096);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(p, &b, 1), 0);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(p), -EBUSY);
	ck_assert_uint_eq(e1kfix_mapped(&f), mapped);
	((char *)b->data)[0] = 1;	/* still valid memory */
	uvf_e1000e_pool_free(&b, 1);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(p), 0);
	ck_assert_uint_eq(e1kfix_mapped(&f), 0);
}
END_TEST

START_TEST(test_a_buffer_freed_twice_does_not_inflate_the_pool)
{
	struct uvf_e1000e_pool *p;
	struct uvf_e1000e_buf *b[2];

	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[0], 2, &p), 0);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(p, b, 1), 0);
	uvf_e1000e_pool_free(b, 1);
	uvf_e1000e_pool_free(b, 1);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(p), 2);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(p), 0);
}
END_TEST

START_TEST(test_free_skips_null_and_mixes_pools)
{
	struct uvf_e1000e_pool *p, *q;
	struct uvf_e1000e_buf *b[5] = { NULL };

	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[0], 2, &p), 0);
	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[0], 2, &q), 0);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(p, &b[0], 1), 0);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(q, &b[2], 2), 0);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(p, &b[4], 1), 0);
	uvf_e1000e_pool_free(b, 5);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(p), 2);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(q), 2);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(p), 0);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(q), 0);
}
END_TEST

START_TEST(test_bad_arguments_are_einval)
{
	struct uvf_e1000e_pool *p;
	struct uvf_e1000e_buf *b;

	ck_assert_int_eq(uvf_e1000e_pool_create(NULL, 4, &p), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[0], 0, &p), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[0], (1u << 20) + 1,
						&p), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[0], 4, &p), 0);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(p, &b, 0), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(NULL, &b, 1), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(NULL), 0);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(p), 0);
	ck_assert_uint_eq(e1kfix_mapped(&f), 0);
}
END_TEST

START_TEST(test_a_detached_device_cannot_make_a_pool)
{
	struct uvf_e1000e_pool *p;

	ck_assert_int_eq(uvf_domain_detach(f.dom, f.dev[0]), 0);
	ck_assert_int_eq(uvf_e1000e_pool_create(f.dev[0], 4, &p), -EINVAL);
	ck_assert_int_eq(uvf_domain_attach(f.dom, f.dev[0]), 0);
}
END_TEST

START_TEST(test_a_pool_over_caller_memory_uses_its_iovas_and_leaves_it_mapped)
{
	size_t len = 4 * 4096;
	struct uvf_e1000e_pool *p;
	struct uvf_e1000e_buf *b[8];
	uvf_iova_t base, iova;
	char *mem;
	unsigned int i;

	mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	/* Not registered yet: no device address. */
	ck_assert_int_eq(uvf_e1000e_pool_create_mem(f.dev[0], mem, len, &p),
			 -ENOENT);
	ck_assert_int_eq(uvf_dma_register(f.dev[0], mem, len, &base), 0);
	ck_assert_int_eq(uvf_e1000e_pool_create_mem(f.dev[0], mem + 1, len,
						    &p), -EINVAL);
	ck_assert_int_eq(uvf_e1000e_pool_create_mem(f.dev[0], mem, 100, &p),
			 -EINVAL);
	ck_assert_int_eq(uvf_e1000e_pool_create_mem(f.dev[0], NULL, len, &p),
			 -EINVAL);
	ck_assert_int_eq(uvf_e1000e_pool_create_mem(f.dev[0], mem, len, &p),
			 0);
	ck_assert_uint_eq(uvf_e1000e_pool_avail(p), 8);
	ck_assert_int_eq(uvf_e1000e_pool_alloc(p, b, 8), 0);
	for (i = 0; i < 8; i++) {
		ck_assert((char *)b[i]->data >= mem &&
			  (char *)b[i]->data < mem + len);
		ck_assert_uint_eq(b[i]->iova,
				  base + (uvf_iova_t)((char *)b[i]->data - mem));
	}
	uvf_e1000e_pool_free(b, 8);
	ck_assert_int_eq(uvf_e1000e_pool_destroy(p), 0);
	/* Still the caller's: registered, and unregistered only by it. */
	ck_assert_int_eq(uvf_dma_vtoiova(f.dev[0], mem + 5000, &iova), 0);
	ck_assert_uint_eq(iova, base + 5000);
	ck_assert_int_eq(uvf_dma_unregister(f.dev[0], mem, len), 0);
	munmap(mem, len);
	ck_assert_uint_eq(e1kfix_mapped(&f), 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("e1000e_pool");
	TCase *tc = tcase_create("pool");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc,
		       test_every_buffer_sits_in_one_page_at_its_registered_iova);
	tcase_add_test(tc, test_alloc_is_all_or_nothing);
	tcase_add_test(tc,
		       test_destroy_with_buffers_out_is_ebusy_and_keeps_the_pool);
	tcase_add_test(tc, test_a_buffer_freed_twice_does_not_inflate_the_pool);
	tcase_add_test(tc, test_free_skips_null_and_mixes_pools);
	tcase_add_test(tc, test_bad_arguments_are_einval);
	tcase_add_test(tc, test_a_detached_device_cannot_make_a_pool);
	tcase_add_test(tc,
		test_a_pool_over_caller_memory_uses_its_iovas_and_leaves_it_mapped);
	suite_add_tcase(s, tc);
	return s;
}
