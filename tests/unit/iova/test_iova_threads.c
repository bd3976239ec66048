// SPDX-License-Identifier: MIT
/*
 * IOVA allocator under threads: no block handed out twice, every page
 * comes back after flush or thread exit, cross-thread cache draining, and
 * the lifetime rules between thread caches and allocator destroy.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "iova_test.h"

#define BASE (1ull << 40)
#define WINDOW_PAGES (1u << 14)
#define NTHREADS 4

/* Owner of each page of the window (0: nobody), to catch double handouts. */
static _Atomic uint32_t page_owner[WINDOW_PAGES];

static void claim(uvf_iova_t iova, uint64_t pages, uint32_t who)
{
	uint64_t first = (iova - BASE) / PG;

	CHECK(iova >= BASE && first + pages <= WINDOW_PAGES);
	for (uint64_t p = first; p < first + pages; p++) {
		uint32_t expected = 0;

		if (!atomic_compare_exchange_strong(&page_owner[p], &expected,
						    who))
			ck_abort_msg("page %llu handed to %u while %u owns it",
				     (unsigned long long)p, who, expected);
	}
}

static void unclaim(uvf_iova_t iova, uint64_t pages)
{
	uint64_t first = (iova - BASE) / PG;

	for (uint64_t p = first; p < first + pages; p++)
		atomic_store(&page_owner[p], 0);
}

struct worker {
	struct uvf_iova_allocator *a;
	uint32_t id;
	uint64_t seed;
	int rounds;
	bool flush_at_end;	/* else: leave blocks cached, exit drains */
	atomic_bool *stop;	/* NULL: run @rounds */
};

static void *stress(void *arg)
{
	struct worker *w = arg;
	uvf_iova_t live[32];
	uint64_t live_pages[32];
	size_t nlive = 0;

	for (int i = 0; w->stop ? !atomic_load(w->stop) : i < w->rounds; i++) {
		/* 1..64 pages, mostly cacheable sizes. */
		uint64_t pages = 1 + rng_below(&w->seed,
					       rng_below(&w->seed, 8) ? 8 : 64);
		uint64_t block = 1;
		uvf_iova_t iova;

		while (block < pages)
			block <<= 1;
		if (nlive == 32 || (nlive && rng_below(&w->seed, 2))) {
			size_t k = rng_below(&w->seed, nlive);

			unclaim(live[k], live_pages[k]);
			if (rng_below(&w->seed, 8))
				uvf_iova_free_fast(w->a, live[k],
						   live_pages[k] * PG);
			else
				CHECK_EQ(uvf_iova_free(w->a, live[k],
						       live_pages[k] * PG), 0);
			live[k] = live[--nlive];
			live_pages[k] = live_pages[nlive];
		}
		if (uvf_iova_alloc(w->a, pages * PG, &iova) == 0) {
			claim(iova, block, w->id);
			live[nlive] = iova;
			live_pages[nlive++] = block;
		}
	}
	while (nlive) {
		nlive--;
		unclaim(live[nlive], live_pages[nlive]);
		uvf_iova_free_fast(w->a, live[nlive], live_pages[nlive] * PG);
	}
	if (w->flush_at_end)
		uvf_iova_flush_caches(w->a);
	return NULL;
}

static void run_workers(struct uvf_iova_allocator *a, bool flush_at_end,
			atomic_bool *stop, int rounds)
{
	pthread_t th[NTHREADS];
	struct worker w[NTHREADS];

	for (uint32_t i = 0; i < NTHREADS; i++) {
		w[i] = (struct worker){ a, i + 1, 0x1234 + i, rounds,
					flush_at_end, stop };
		CHECK_EQ(pthread_create(&th[i], NULL, stress, &w[i]), 0);
	}
	if (stop) {
		/* Flush and read stats while the workers run. */
		for (int i = 0; i < 2000; i++) {
			struct uvf_iova_stats st;

			uvf_iova_flush_caches(a);
			uvf_iova_get_stats(a, &st);
			CHECK(st.free_bytes + st.cached_bytes <= st.total_bytes);
		}
		atomic_store(stop, true);
	}
	for (int i = 0; i < NTHREADS; i++)
		pthread_join(th[i], NULL);
}

START_TEST(test_threads_never_share_a_block_and_flush_returns_all)
{
	/* Tight on purpose: allocations fail and drain other caches. */
	struct uvf_iova_allocator *a = make_alloc(BASE, 1024);
	struct uvf_iova_stats initial = stats_of(a), st;

	run_workers(a, false, NULL, 200000);
	st = stats_of(a);
	CHECK_EQ(st.allocated_blocks, 0);
	uvf_iova_flush_caches(a);
	assert_all_free(a, &initial);
	CHECK(stats_of(a).cache_hits > 0);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_flush_and_stats_while_threads_run)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, WINDOW_PAGES);
	struct uvf_iova_stats initial = stats_of(a);
	atomic_bool stop = false;

	run_workers(a, true, &stop, 0);
	uvf_iova_flush_caches(a);
	assert_all_free(a, &initial);
	uvf_iova_allocator_destroy(a);
}
END_TEST

START_TEST(test_thread_exit_drains_its_cache)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, WINDOW_PAGES);
	struct uvf_iova_stats initial = stats_of(a), st;

	/* No flush anywhere: the key destructors must give everything back. */
	run_workers(a, false, NULL, 5000);
	st = stats_of(a);
	CHECK_EQ(st.cached_bytes, 0);
	assert_all_free(a, &initial);
	CHECK(st.cache_hits > 0);
	uvf_iova_allocator_destroy(a);
}
END_TEST

struct holder {
	struct uvf_iova_allocator *a;
	pthread_barrier_t *bar;
	uvf_iova_t got;
	bool cache_again;	/* use a new allocator after the destroy */
};

/* Holds cached blocks, waits for "destroyed", then moves on or exits. */
static void *hold_cache(void *arg)
{
	struct holder *h = arg;
	uvf_iova_t x;

	CHECK_EQ(uvf_iova_alloc(h->a, PG, &x), 0);
	uvf_iova_free_fast(h->a, x, PG);
	pthread_barrier_wait(h->bar);	/* cache is populated */
	pthread_barrier_wait(h->bar);	/* allocator is gone */
	if (h->cache_again) {
		struct uvf_iova_allocator *b = make_alloc(2 * BASE, 64);

		CHECK_EQ(uvf_iova_alloc(b, PG, &h->got), 0);
		uvf_iova_free_fast(b, h->got, PG);
		CHECK_EQ(uvf_iova_alloc(b, PG, &x), 0);
		CHECK_EQ(x, h->got);
		uvf_iova_allocator_destroy(b);
	}
	return NULL;
}

START_TEST(test_destroy_while_other_threads_hold_caches)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 64);
	struct holder h[2];
	pthread_barrier_t bar;
	pthread_t th[2];

	pthread_barrier_init(&bar, NULL, 3);
	for (int i = 0; i < 2; i++) {
		h[i] = (struct holder){ a, &bar, 0, i == 0 };
		CHECK_EQ(pthread_create(&th[i], NULL, hold_cache, &h[i]), 0);
	}
	pthread_barrier_wait(&bar);
	CHECK_EQ(stats_of(a).cached_bytes, 2 * PG);
	uvf_iova_allocator_destroy(a);
	pthread_barrier_wait(&bar);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&bar);
	CHECK(h[0].got >= 2 * BASE);
}
END_TEST

struct switcher {
	struct uvf_iova_allocator *a, *b, *c;
	pthread_barrier_t *bar;
	atomic_bool *stop;
	_Atomic uint64_t rounds;
};

/* Has a cache for c, then alternates between a and b until told to stop. */
static void *switch_allocators(void *arg)
{
	struct switcher *w = arg;
	uvf_iova_t x, y;

	CHECK_EQ(uvf_iova_alloc(w->c, PG, &x), 0);
	uvf_iova_free_fast(w->c, x, PG);
	pthread_barrier_wait(w->bar);
	while (!atomic_load(w->stop)) {
		CHECK_EQ(uvf_iova_alloc(w->a, PG, &x), 0);
		CHECK_EQ(uvf_iova_alloc(w->b, 2 * PG, &y), 0);
		CHECK(x < 2 * BASE && y >= 2 * BASE);
		uvf_iova_free_fast(w->a, x, PG);
		uvf_iova_free_fast(w->b, y, 2 * PG);
		atomic_fetch_add(&w->rounds, 1);
	}
	return NULL;
}

START_TEST(test_destroy_while_thread_switches_between_others)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 64);
	struct uvf_iova_allocator *b = make_alloc(2 * BASE, 64);
	struct uvf_iova_allocator *c = make_alloc(3 * BASE, 64);
	struct uvf_iova_stats initial = stats_of(a);
	atomic_bool stop = false;
	struct switcher w = { a, b, c, NULL, &stop, 0 };
	pthread_barrier_t bar;
	pthread_t th;

	pthread_barrier_init(&bar, NULL, 2);
	w.bar = &bar;
	CHECK_EQ(pthread_create(&th, NULL, switch_allocators, &w), 0);
	pthread_barrier_wait(&bar);
	while (atomic_load(&w.rounds) < 100)
		sched_yield();
	/* The worker walks its cache list, c's cache included, meanwhile. */
	uvf_iova_allocator_destroy(c);
	while (atomic_load(&w.rounds) < 2000)
		uvf_iova_flush_caches(a);
	atomic_store(&stop, true);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&bar);
	assert_all_free(a, &initial);
	CHECK(stats_of(b).cache_hits > 0);
	uvf_iova_allocator_destroy(a);
	uvf_iova_allocator_destroy(b);
}
END_TEST

struct sitter {
	struct uvf_iova_allocator *a;
	pthread_barrier_t *bar;
};

/* Fills the whole space into its own cache and idles until told. */
static void *sit_on_everything(void *arg)
{
	struct sitter *s = arg;
	uvf_iova_t x[16];

	for (int i = 0; i < 16; i++)
		CHECK_EQ(uvf_iova_alloc(s->a, PG, &x[i]), 0);
	for (int i = 0; i < 16; i++)
		uvf_iova_free_fast(s->a, x[i], PG);
	pthread_barrier_wait(s->bar);
	pthread_barrier_wait(s->bar);
	return NULL;
}

START_TEST(test_enospc_drains_other_threads_caches)
{
	struct uvf_iova_allocator *a = make_alloc(BASE, 16);
	struct sitter s = { a, NULL };
	pthread_barrier_t bar;
	pthread_t th;
	uvf_iova_t x;

	pthread_barrier_init(&bar, NULL, 2);
	s.bar = &bar;
	CHECK_EQ(pthread_create(&th, NULL, sit_on_everything, &s), 0);
	pthread_barrier_wait(&bar);
	CHECK_EQ(stats_of(a).cached_bytes, 16 * PG);
	CHECK_EQ(uvf_iova_alloc(a, 16 * PG, &x), 0);
	CHECK_EQ(x, BASE);
	CHECK_EQ(stats_of(a).cached_bytes, 0);
	pthread_barrier_wait(&bar);
	pthread_join(th, NULL);
	CHECK_EQ(uvf_iova_free(a, x, 16 * PG), 0);
	uvf_iova_allocator_destroy(a);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("iova_threads");
	TCase *tc = tcase_create("threads");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc,
		       test_threads_never_share_a_block_and_flush_returns_all);
	tcase_add_test(tc, test_flush_and_stats_while_threads_run);
	tcase_add_test(tc, test_thread_exit_drains_its_cache);
	tcase_add_test(tc, test_destroy_while_other_threads_hold_caches);
	tcase_add_test(tc, test_destroy_while_thread_switches_between_others);
	tcase_add_test(tc, test_enospc_drains_other_threads_caches);
	suite_add_tcase(s, tc);
	return s;
}
