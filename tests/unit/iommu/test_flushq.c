/* SPDX-License-Identifier: MIT */
/* The flush queue (lib/iommu/flushq.c) when its timer thread cannot start.
 * Linked with -Wl,--wrap=pthread_create so the test can refuse the next
 * thread; the domain's private fields are read to check nothing moved. */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "check_main.h"
#include "iommu/domain.h"
#include "simfix.h"

int __real_pthread_create(pthread_t *t, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);
int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg);

/* Errno for the next pthread_create; 0 lets it through. */
static int fail_next_thread;

int __wrap_pthread_create(pthread_t *t, const pthread_attr_t *attr,
			  void *(*fn)(void *), void *arg)
{
	int err = fail_next_thread;

	if (err) {
		fail_next_thread = 0;
		return err;
	}
	return __real_pthread_create(t, attr, fn, arg);
}

struct fq_settings {
	enum uvf_inval_policy policy;
	unsigned int batch, timeout_us;
	const struct uvf_fq_entry *fq;
	bool running;
};

static struct fq_settings fq_settings(const struct uvf_domain *dom)
{
	return (struct fq_settings){ dom->policy, dom->fq_batch,
				     dom->fq_timeout_us, dom->fq,
				     dom->fq_thread_running };
}

static void ck_same_settings(const struct fq_settings *a,
			     const struct fq_settings *b)
{
	ck_assert_int_eq(a->policy, b->policy);
	ck_assert_uint_eq(a->batch, b->batch);
	ck_assert_uint_eq(a->timeout_us, b->timeout_us);
	ck_assert_ptr_eq(a->fq, b->fq);
	ck_assert_int_eq(a->running, b->running);
}

START_TEST(test_failed_timer_start_leaves_queue_and_settings_unchanged)
{
	struct fq_settings before, after;
	struct uvf_domain_stats st;
	struct simfix f;
	char *buf = simfix_pages(1);
	uvf_iova_t iova;

	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	/* A deferred queue that ran once, then strict again: its settings
	 * stay behind while the thread is stopped. */
	ck_assert_int_eq(uvf_domain_set_inval_policy(f.dom, UVF_INVAL_DEFERRED,
						     4, 60000000), 0);
	ck_assert_int_eq(uvf_domain_set_inval_policy(f.dom, UVF_INVAL_STRICT,
						     0, 0), 0);
	before = fq_settings(f.dom);

	fail_next_thread = EAGAIN;
	ck_assert_int_eq(uvf_domain_set_inval_policy(f.dom, UVF_INVAL_DEFERRED,
						     16, 1000), -EAGAIN);
	ck_assert_int_eq(fail_next_thread, 0);
	after = fq_settings(f.dom);
	ck_same_settings(&after, &before);

	/* Still strict: an unmap is invalidated and freed at once. */
	ck_assert_int_eq(uvf_dma_map_page(f.dev, buf, 4096, UVF_DMA_TO_DEVICE,
					  &iova), 0);
	ck_assert_int_eq(uvf_dma_unmap_page(f.dev, iova, 4096,
					    UVF_DMA_TO_DEVICE), 0);
	uvf_domain_get_stats(f.dom, &st);
	ck_assert_uint_eq(st.fq_pending, 0);

	/* And the change works once a thread can start. */
	ck_assert_int_eq(uvf_domain_set_inval_policy(f.dom, UVF_INVAL_DEFERRED,
						     16, 1000), 0);
	ck_assert_uint_eq(f.dom->fq_batch, 16);
	ck_assert(f.dom->fq_thread_running);
	simfix_teardown(&f);
	free(buf);
}
END_TEST

START_TEST(test_failed_first_timer_start_installs_no_queue)
{
	struct fq_settings before, after;
	struct simfix f;

	simfix_setup(&f, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	before = fq_settings(f.dom);
	fail_next_thread = ENOMEM;
	ck_assert_int_eq(uvf_domain_set_inval_policy(f.dom, UVF_INVAL_DEFERRED,
						     8, 5000), -ENOMEM);
	after = fq_settings(f.dom);
	ck_same_settings(&after, &before);
	simfix_teardown(&f);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("flushq");
	TCase *tc = tcase_create("thread_start");

	tcase_add_test(tc, test_failed_timer_start_leaves_queue_and_settings_unchanged);
	tcase_add_test(tc, test_failed_first_timer_start_installs_no_queue);
	suite_add_tcase(s, tc);
	return s;
}
