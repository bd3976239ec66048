// SPDX-License-Identifier: MIT
/*
 * Per-thread IOVA caches (the kernel's rcache, per thread instead of per
 * CPU).
 *
 * Each thread that allocates from an allocator gets one iova_tcache for it:
 * per cached order a "loaded" and a "prev" magazine of up to IOVA_MAG_SIZE
 * blocks, swapped so alternating alloc/free at a magazine boundary does not
 * thrash. Full magazines overflow to a small depot in the allocator (under
 * the pool lock), from which any thread can refill; past that, blocks go
 * back to the pool. Cached blocks stay outstanding in the pool's tree, so
 * taking one out of or putting one into a cache touches nothing shared.
 *
 * Locks, always taken in this order:
 *   1. registry_lock (global): thread and allocator lists of caches, cache
 *      creation, thread exit, allocator destroy, flush and stats;
 *   2. a cache's own lock, held by its thread around each get or put and
 *      by a flush, stats, destroy or thread exit ("inspector") around its
 *      look at the cache. It is asymmetric (cache_enter() below): the owner
 *      only stores a flag and loads another on its own cache line, with no
 *      atomic read-modify-write and no fence, and inspectors, which are
 *      rare, pay for both sides with a membarrier() system call. Without
 *      membarrier() both sides take the flag with an atomic exchange. So
 *      alloc + free_fast touch nothing shared;
 *   3. pool->lock: pool and depot.
 * The owner never takes the registry lock while holding its cache.
 *
 * Lifetime. The cache struct is referenced from both its thread (TLS list)
 * and its allocator, and either may go first:
 *   - thread exit (pthread key destructor), under the registry lock: drains
 *     each live cache into its allocator, unlinks and frees it;
 *   - uvf_iova_allocator_destroy(), under the registry lock: frees the
 *     magazines and marks each cache dead (rc = NULL, id = 0). A dead cache
 *     of the calling thread is freed at once; one of another thread stays in
 *     that thread's list as an empty husk, freed when that thread next looks
 *     for a cache or exits. So an exiting thread never touches a destroyed
 *     allocator and destroy never frees memory another thread might read.
 *     Only the owning thread ever changes its list or frees its caches.
 * The per-thread lookup compares a cache's id with the allocator's; ids are
 * never reused, so a husk (id 0) or the cache of an earlier allocator that
 * lived at the same address never matches.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "rcache.h"

/* 127 pfns and a count fill 1 KiB, as in the kernel. */
#define IOVA_MAG_SIZE 127

struct iova_magazine {
	uint64_t size;
	uint64_t pfns[IOVA_MAG_SIZE];
} __attribute__((aligned(64)));

struct iova_thread;

struct iova_tcache {
	atomic_uint busy;		/* held by the owner or the inspector */
	atomic_uint inspect;		/* an inspector holds or wants it */
	/* Blocks may have come in since the last drain; see flush. */
	atomic_uint dirty;
	_Atomic uint64_t id;		/* rc->id; 0 once rc is destroyed */
	/* Registry lock: */
	struct iova_rcache *rc;		/* NULL once destroyed */
	struct iova_thread *thread;
	struct iova_tcache *rc_next, *rc_prev;
	/* Written by the owning thread only (under the registry lock), so it
	 * can walk its own list without the lock: */
	struct iova_tcache *thread_next;
	/* Under the cache's lock: */
	struct iova_magazine *loaded[IOVA_CACHED_ORDERS];
	struct iova_magazine *prev[IOVA_CACHED_ORDERS];
	uint64_t hits, misses;
} __attribute__((aligned(64)));	/* no false sharing between threads */

struct iova_thread {
	struct iova_tcache *caches;	/* like thread_next */
};

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t key_once = PTHREAD_ONCE_INIT;
static pthread_key_t thread_key;
static int key_err;
static _Atomic uint64_t next_id = 1;

/*
 * initial-exec: one %fs-relative load on the fast path even in the shared
 * library, instead of a __tls_get_addr() call; two pointers of static TLS
 * are well within what glibc sets aside for that.
 */
#define IOVA_TLS __attribute__((tls_model("initial-exec")))
static _Thread_local struct iova_tcache *tl_last IOVA_TLS;
static _Thread_local struct iova_thread *tl_thread IOVA_TLS;

/* membarrier() registered: the owner's side of a cache lock is fence-free. */
static bool asymmetric;
static pthread_once_t asym_once = PTHREAD_ONCE_INIT;

static void asym_init(void)
{
	asymmetric = !syscall(__NR_membarrier,
			      MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0);
}

static void xchg_lock(atomic_uint *flag)
{
	while (atomic_exchange_explicit(flag, 1, memory_order_acquire)) {
		while (atomic_load_explicit(flag, memory_order_relaxed))
			sched_yield();
	}
}

/*
 * The owner's side. Dekker's handshake with the fence moved to the
 * inspector: the owner stores busy and then loads inspect with only a
 * compiler barrier between, and the inspector stores inspect, runs
 * membarrier() (a full barrier on every thread of the process, so the
 * owner's store is visible or its coming load sees inspect) and then reads
 * busy. Either the owner sees inspect and backs off, or the inspector sees
 * busy and waits.
 */
static inline void cache_enter(struct iova_tcache *tc)
{
	if (!asymmetric) {
		xchg_lock(&tc->busy);
		return;
	}
	for (;;) {
		atomic_store_explicit(&tc->busy, 1, memory_order_relaxed);
		atomic_signal_fence(memory_order_seq_cst);
		if (!atomic_load_explicit(&tc->inspect, memory_order_acquire))
			return;
		atomic_store_explicit(&tc->busy, 0, memory_order_release);
		while (atomic_load_explicit(&tc->inspect, memory_order_acquire))
			sched_yield();
	}
}

static inline void cache_exit(struct iova_tcache *tc)
{
	atomic_store_explicit(&tc->busy, 0, memory_order_release);
}

/* The inspector's side; inspectors are serialised by the registry lock. */
static void tc_lock(struct iova_tcache *tc)
{
	if (!asymmetric) {
		xchg_lock(&tc->busy);
		return;
	}
	atomic_store_explicit(&tc->inspect, 1, memory_order_seq_cst);
	syscall(__NR_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0);
	while (atomic_load_explicit(&tc->busy, memory_order_acquire))
		sched_yield();
}

static void tc_unlock(struct iova_tcache *tc)
{
	if (!asymmetric)
		atomic_store_explicit(&tc->busy, 0, memory_order_release);
	else
		atomic_store_explicit(&tc->inspect, 0, memory_order_release);
}

static struct iova_magazine *mag_alloc(void)
{
	struct iova_magazine *m = aligned_alloc(_Alignof(struct iova_magazine),
						sizeof(*m));

	if (m)
		m->size = 0;
	return m;
}

/* Pool lock held. */
static void mag_release(struct iova_pool *p, struct iova_magazine *m,
			unsigned int order)
{
	/* Cached blocks are outstanding; -ENOMEM only keeps one out of use. */
	for (uint64_t i = 0; i < m->size; i++)
		(void)iova_pool_release(p, m->pfns[i], order);
	m->size = 0;
}

/* busy held (and the registry lock, so the cache is live). */
static void tc_drain(struct iova_rcache *rc, struct iova_tcache *tc)
{
	iova_pool_lock(rc->pool);
	for (unsigned int o = 0; o < IOVA_CACHED_ORDERS; o++) {
		if (tc->loaded[o])
			mag_release(rc->pool, tc->loaded[o], o);
		if (tc->prev[o])
			mag_release(rc->pool, tc->prev[o], o);
	}
	iova_pool_unlock(rc->pool);
	atomic_store_explicit(&tc->dirty, 0, memory_order_relaxed);
}

static void tc_free_mags(struct iova_tcache *tc)
{
	for (unsigned int o = 0; o < IOVA_CACHED_ORDERS; o++) {
		free(tc->loaded[o]);
		free(tc->prev[o]);
		tc->loaded[o] = NULL;
		tc->prev[o] = NULL;
	}
}

/* Registry lock held. */
static void rc_unlink(struct iova_rcache *rc, struct iova_tcache *tc)
{
	if (tc->rc_prev)
		tc->rc_prev->rc_next = tc->rc_next;
	else
		rc->caches = tc->rc_next;
	if (tc->rc_next)
		tc->rc_next->rc_prev = tc->rc_prev;
}

/* pthread key destructor: the thread is exiting. */
static void thread_exit(void *arg)
{
	struct iova_thread *ts = arg;
	struct iova_tcache *tc;

	pthread_mutex_lock(&registry_lock);
	while ((tc = ts->caches)) {
		struct iova_rcache *rc = tc->rc;

		ts->caches = tc->thread_next;
		if (rc) {
			tc_lock(tc);
			tc_drain(rc, tc);
			rc->retired_hits += tc->hits;
			rc->retired_misses += tc->misses;
			rc_unlink(rc, tc);
			tc_unlock(tc);
		}
		tc_free_mags(tc);
		free(tc);
	}
	pthread_mutex_unlock(&registry_lock);
	free(ts);
	tl_thread = NULL;
	tl_last = NULL;
}

static void make_key(void)
{
	key_err = pthread_key_create(&thread_key, thread_exit);
}

/* Registry lock held. */
static struct iova_thread *this_thread(void)
{
	struct iova_thread *ts = tl_thread;

	if (ts)
		return ts;
	ts = calloc(1, sizeof(*ts));
	if (!ts)
		return NULL;
	if (pthread_setspecific(thread_key, ts)) {
		free(ts);
		return NULL;
	}
	tl_thread = ts;
	return ts;
}

/*
 * Slow path: find or create this thread's cache for @rc, freeing husks of
 * destroyed allocators on the way. NULL (no memory) means "no cache": the
 * caller goes to the pool, which is always correct.
 */
static struct iova_tcache *find_tcache(struct iova_rcache *rc)
{
	struct iova_tcache *tc = NULL, **link;
	struct iova_thread *ts;

	if (pthread_once(&key_once, make_key) || key_err)
		return NULL;
	pthread_mutex_lock(&registry_lock);
	ts = this_thread();
	if (!ts)
		goto out;
	link = &ts->caches;
	while (*link) {
		struct iova_tcache *c = *link;

		if (!c->rc) {
			*link = c->thread_next;
			free(c);
			continue;
		}
		if (c->rc == rc)
			tc = c;
		link = &c->thread_next;
	}
	if (!tc) {
		tc = aligned_alloc(_Alignof(struct iova_tcache), sizeof(*tc));
		if (!tc)
			goto out;
		*tc = (struct iova_tcache){ 0 };
		atomic_init(&tc->busy, 0);
		atomic_init(&tc->inspect, 0);
		atomic_init(&tc->dirty, 0);
		atomic_init(&tc->id, rc->id);
		tc->rc = rc;
		tc->thread = ts;
		tc->thread_next = ts->caches;
		ts->caches = tc;
		tc->rc_next = rc->caches;
		if (rc->caches)
			rc->caches->rc_prev = tc;
		rc->caches = tc;
	}
out:
	pthread_mutex_unlock(&registry_lock);
	/* Also forgets any husk just freed. */
	tl_last = tc;
	return tc;
}

static inline bool tc_for(const struct iova_tcache *tc,
			  const struct iova_rcache *rc)
{
	return atomic_load_explicit(&tc->id, memory_order_relaxed) == rc->id;
}

/*
 * The last cache used, else a lock-free walk of this thread's own list
 * (only this thread changes it), so a thread switching between allocators
 * takes the registry lock only the first time it meets each one.
 */
static inline struct iova_tcache *this_tcache(struct iova_rcache *rc)
{
	struct iova_tcache *tc = tl_last;

	if (tc && tc_for(tc, rc))
		return tc;
	tc = tl_thread ? tl_thread->caches : NULL;
	for (; tc; tc = tc->thread_next) {
		if (tc_for(tc, rc)) {
			tl_last = tc;
			return tc;
		}
	}
	return find_tcache(rc);
}

void iova_rcache_init(struct iova_rcache *rc, struct iova_pool *pool)
{
	pthread_once(&asym_once, asym_init);
	*rc = (struct iova_rcache){
		.id = atomic_fetch_add(&next_id, 1),
		.pool = pool,
	};
}

void iova_rcache_fini(struct iova_rcache *rc)
{
	struct iova_tcache *tc;

	pthread_mutex_lock(&registry_lock);
	while ((tc = rc->caches)) {
		tc_lock(tc);
		rc_unlink(rc, tc);
		tc_free_mags(tc);
		tc->rc = NULL;
		atomic_store_explicit(&tc->id, 0, memory_order_relaxed);
		if (tc->thread == tl_thread) {
			struct iova_tcache **link = &tl_thread->caches;

			while (*link != tc)
				link = &(*link)->thread_next;
			*link = tc->thread_next;
			if (tl_last == tc)
				tl_last = NULL;
			free(tc);
		} else {
			tc_unlock(tc);
		}
	}
	pthread_mutex_unlock(&registry_lock);
	for (unsigned int o = 0; o < IOVA_CACHED_ORDERS; o++) {
		for (unsigned int i = 0; i < rc->depot_size[o]; i++)
			free(rc->depot[o][i]);
		rc->depot_size[o] = 0;
	}
}

/* busy held, loaded[order] empty or missing: refill it from the depot. */
static bool depot_take(struct iova_rcache *rc, struct iova_tcache *tc,
		       unsigned int order)
{
	struct iova_magazine *empty = NULL, *full = NULL;

	iova_pool_lock(rc->pool);
	if (rc->depot_size[order]) {
		full = rc->depot[order][--rc->depot_size[order]];
		empty = tc->loaded[order];
		tc->loaded[order] = full;
	}
	iova_pool_unlock(rc->pool);
	if (!full)
		return false;
	free(empty);
	atomic_store_explicit(&tc->dirty, 1, memory_order_relaxed);
	return true;
}

bool iova_rcache_get(struct iova_rcache *rc, unsigned int order,
		     uint64_t *pfn)
{
	struct iova_tcache *tc = this_tcache(rc);
	struct iova_magazine *m;

	if (!tc)
		return false;
	cache_enter(tc);
	m = tc->loaded[order];
	if (!m || !m->size) {
		struct iova_magazine *prev = tc->prev[order];

		if (prev && prev->size) {
			tc->prev[order] = m;
			tc->loaded[order] = prev;
		} else if (!depot_take(rc, tc, order)) {
			tc->misses++;
			cache_exit(tc);
			return false;
		}
		m = tc->loaded[order];
	}
	*pfn = m->pfns[--m->size];
	tc->hits++;
	cache_exit(tc);
	return true;
}

/*
 * busy held, loaded[order] full: make room. Returns a magazine whose blocks
 * the caller must give back to the pool once busy is dropped (depot full),
 * or sets *ok false when no memory is left for a fresh magazine.
 */
static struct iova_magazine *make_room(struct iova_rcache *rc,
				       struct iova_tcache *tc,
				       unsigned int order, bool *ok)
{
	struct iova_magazine *full = tc->loaded[order], *fresh, *spill = NULL;

	if (!tc->prev[order])
		tc->prev[order] = mag_alloc();
	if (tc->prev[order] && tc->prev[order]->size < IOVA_MAG_SIZE) {
		tc->loaded[order] = tc->prev[order];
		tc->prev[order] = full;
		return NULL;
	}
	fresh = mag_alloc();
	if (!fresh) {
		*ok = false;
		return NULL;
	}
	iova_pool_lock(rc->pool);
	if (rc->depot_size[order] < IOVA_DEPOT_MAGS)
		rc->depot[order][rc->depot_size[order]++] = full;
	else
		spill = full;
	iova_pool_unlock(rc->pool);
	tc->loaded[order] = fresh;
	return spill;
}

bool iova_rcache_put(struct iova_rcache *rc, unsigned int order,
		     uint64_t pfn)
{
	struct iova_tcache *tc = this_tcache(rc);
	struct iova_magazine *m, *spill = NULL;
	bool ok = true;

	if (!tc)
		return false;
	cache_enter(tc);
	m = tc->loaded[order];
	if (!m) {
		m = tc->loaded[order] = mag_alloc();
		ok = m != NULL;
	} else if (m->size == IOVA_MAG_SIZE) {
		spill = make_room(rc, tc, order, &ok);
		m = tc->loaded[order];
	}
	if (ok) {
		m->pfns[m->size++] = pfn;
		atomic_store_explicit(&tc->dirty, 1, memory_order_relaxed);
	}
	cache_exit(tc);
	if (spill) {
		iova_pool_lock(rc->pool);
		mag_release(rc->pool, spill, order);
		iova_pool_unlock(rc->pool);
		free(spill);
	}
	return ok;
}

void iova_rcache_flush(struct iova_rcache *rc)
{
	pthread_mutex_lock(&registry_lock);
	for (struct iova_tcache *tc = rc->caches; tc; tc = tc->rc_next) {
		/*
		 * A cache that took no block since it was drained is empty,
		 * and locking it costs a membarrier(): a request that fails
		 * again and again must not pay that each time. A block put
		 * concurrently with this flush may be missed, as it would be
		 * had the flush come first.
		 */
		if (!atomic_load_explicit(&tc->dirty, memory_order_acquire))
			continue;
		tc_lock(tc);
		tc_drain(rc, tc);
		tc_unlock(tc);
	}
	iova_pool_lock(rc->pool);
	for (unsigned int o = 0; o < IOVA_CACHED_ORDERS; o++) {
		while (rc->depot_size[o]) {
			struct iova_magazine *m =
				rc->depot[o][--rc->depot_size[o]];

			mag_release(rc->pool, m, o);
			free(m);
		}
	}
	iova_pool_unlock(rc->pool);
	pthread_mutex_unlock(&registry_lock);
}

/* 2^52 pages are 2^64 bytes: only the whole 64-bit space saturates. */
static uint64_t pages_to_bytes(uint64_t pages)
{
	return pages >> (64 - UVF_PAGE_SHIFT) ? UINT64_MAX :
						 pages << UVF_PAGE_SHIFT;
}

void iova_rcache_stats(struct iova_rcache *rc, struct uvf_iova_stats *st)
{
	struct iova_pool *p = rc->pool;
	uint64_t cached_pages = 0, cached_blocks = 0;
	uint64_t hits, misses;
	struct iova_tcache *tc;

	pthread_mutex_lock(&registry_lock);
	hits = rc->retired_hits;
	misses = rc->retired_misses;
	for (tc = rc->caches; tc; tc = tc->rc_next) {
		tc_lock(tc);
		for (unsigned int o = 0; o < IOVA_CACHED_ORDERS; o++) {
			uint64_t n = (tc->loaded[o] ? tc->loaded[o]->size : 0) +
				     (tc->prev[o] ? tc->prev[o]->size : 0);

			cached_pages += n << o;
			cached_blocks += n;
		}
		hits += tc->hits;
		misses += tc->misses;
	}
	iova_pool_lock(p);
	for (unsigned int o = 0; o < IOVA_CACHED_ORDERS; o++) {
		for (unsigned int i = 0; i < rc->depot_size[o]; i++) {
			cached_pages += rc->depot[o][i]->size << o;
			cached_blocks += rc->depot[o][i]->size;
		}
	}
	*st = (struct uvf_iova_stats){
		.total_bytes = pages_to_bytes(p->total_pages),
		.free_bytes = pages_to_bytes(p->free_pages),
		.cached_bytes = pages_to_bytes(cached_pages),
		.allocated_blocks = p->nr_blocks + p->out.count - cached_blocks,
		.free_blocks = iova_pool_free_blocks(p),
		.cache_hits = hits,
		.cache_misses = misses,
		.metadata_bytes = iova_pool_metadata_bytes(p),
	};
	iova_pool_unlock(p);
	for (tc = rc->caches; tc; tc = tc->rc_next)
		tc_unlock(tc);
	pthread_mutex_unlock(&registry_lock);
}
