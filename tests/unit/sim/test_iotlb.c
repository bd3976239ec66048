// SPDX-License-Identifier: MIT
/*
 * IOTLB of the software IOMMU model: hits, misses, replacement, the three
 * kinds of invalidation, counters, and lock-free readers racing a writer.
 *
 * UVF_IOTLB_STRESS_ROUNDS=N makes the reader/writer race run N rounds
 * instead of the default.
 */
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "check_main.h"
#include "sim/iotlb.h"

#define PG(vpn) ((uvf_iova_t)(vpn) << UVF_PAGE_SHIFT)
#define TOP_VPN (UINT64_MAX >> UVF_PAGE_SHIFT)

static struct uvf_iotlb *mk(unsigned int sets, unsigned int ways)
{
	struct uvf_iotlb *t = NULL;

	ck_assert_int_eq(uvf_iotlb_create(sets, ways, &t), 0);
	ck_assert_ptr_nonnull(t);
	return t;
}

/* Output page used by the tests for (domid, vpn): unique per page. */
static uint64_t pa_of(uint16_t domid, uint64_t vpn)
{
	return ((uint64_t)domid << 40 | (vpn & 0xffffffful)) << UVF_PAGE_SHIFT;
}

static bool hits(struct uvf_iotlb *t, uint16_t domid, uint64_t vpn)
{
	uint64_t pa;
	int prot;

	return uvf_iotlb_lookup(t, domid, PG(vpn), &pa, &prot);
}

static void fill_pg(struct uvf_iotlb *t, uint16_t domid, uint64_t vpn)
{
	uvf_iotlb_fill(t, domid, PG(vpn), pa_of(domid, vpn), UVF_PROT_RW);
}

static struct uvf_iotlb_stats stats(struct uvf_iotlb *t)
{
	struct uvf_iotlb_stats st;

	uvf_iotlb_get_stats(t, &st);
	return st;
}

START_TEST(test_create_rejects_bad_geometry)
{
	static const unsigned int bad[][2] = {
		{ 0, 4 }, { 3, 4 }, { 4, 0 }, { 4, 6 },
		{ UVF_IOTLB_MAX_SETS * 2, 1 }, { 1, UVF_IOTLB_MAX_WAYS * 2 },
	};
	struct uvf_iotlb *sentinel = (struct uvf_iotlb *)&sentinel, *t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = sentinel;
		ck_assert_int_eq(uvf_iotlb_create(bad[i][0], bad[i][1], &t),
				 -EINVAL);
		ck_assert_ptr_eq(t, sentinel);
	}
	t = mk(1, 1);
	uvf_iotlb_destroy(t);
	uvf_iotlb_destroy(NULL);
}
END_TEST

START_TEST(test_lookup_after_fill_hits_with_page_address_and_prot)
{
	struct uvf_iotlb *t = mk(16, 4);
	uint64_t pa = 0;
	int prot = 0;

	uvf_iotlb_fill(t, 7, 0x12345678, 0xabcdef123, UVF_PROT_READ);
	ck_assert(uvf_iotlb_lookup(t, 7, 0x12345000, &pa, &prot));
	ck_assert_uint_eq(pa, 0xabcdef000);
	ck_assert_int_eq(prot, UVF_PROT_READ);
	pa = 0;
	ck_assert(uvf_iotlb_lookup(t, 7, 0x12345fff, &pa, &prot));
	ck_assert_uint_eq(pa, 0xabcdef000);
	ck_assert_uint_eq(uvf_iotlb_valid_entries(t), 1);
	uvf_iotlb_destroy(t);
}
END_TEST

START_TEST(test_miss_is_counted_and_leaves_outputs_untouched)
{
	struct uvf_iotlb *t = mk(16, 4);
	uint64_t pa = 42;
	int prot = 42;

	fill_pg(t, 7, 0x12345);
	ck_assert(!uvf_iotlb_lookup(t, 7, PG(0x12346), &pa, &prot));
	ck_assert(!uvf_iotlb_lookup(t, 8, PG(0x12345), &pa, &prot));
	ck_assert_uint_eq(pa, 42);
	ck_assert_int_eq(prot, 42);
	ck_assert(hits(t, 7, 0x12345));
	ck_assert_uint_eq(stats(t).misses, 2);
	ck_assert_uint_eq(stats(t).hits, 1);
	uvf_iotlb_destroy(t);
}
END_TEST

/* The tag splits the domain ID over both words of an entry: IDs equal in
 * their low 12 bits must still never alias. */
START_TEST(test_domains_equal_in_low_id_bits_do_not_alias)
{
	static const uint16_t dom[] = { 0x0001, 0x1001, 0xf001 };
	struct uvf_iotlb *t = mk(1, 4);
	uint64_t pa;
	int prot;
	size_t i;

	fill_pg(t, dom[0], 5);
	ck_assert(!hits(t, dom[1], 5));
	ck_assert(!hits(t, dom[2], 5));
	for (i = 1; i < 3; i++)
		fill_pg(t, dom[i], 5);
	for (i = 0; i < 3; i++) {
		ck_assert(uvf_iotlb_lookup(t, dom[i], PG(5), &pa, &prot));
		ck_assert_uint_eq(pa, pa_of(dom[i], 5));
	}
	uvf_iotlb_inval_domain(t, dom[1]);
	ck_assert(hits(t, dom[0], 5));
	ck_assert(!hits(t, dom[1], 5));
	ck_assert(hits(t, dom[2], 5));
	uvf_iotlb_destroy(t);
}
END_TEST

START_TEST(test_refill_of_cached_page_replaces_it_in_place)
{
	struct uvf_iotlb *t = mk(4, 2);
	uint64_t pa;
	int prot;

	uvf_iotlb_fill(t, 3, PG(9), 0x1000, UVF_PROT_READ);
	uvf_iotlb_fill(t, 3, PG(9), 0x2000, UVF_PROT_WRITE);
	ck_assert(uvf_iotlb_lookup(t, 3, PG(9), &pa, &prot));
	ck_assert_uint_eq(pa, 0x2000);
	ck_assert_int_eq(prot, UVF_PROT_WRITE);
	ck_assert_uint_eq(uvf_iotlb_valid_entries(t), 1);
	ck_assert_uint_eq(stats(t).fills, 2);
	ck_assert_uint_eq(stats(t).evictions, 0);
	uvf_iotlb_destroy(t);
}
END_TEST

/* Pages of one domain whose numbers differ by a multiple of the number of
 * sets share a set; with 2 ways the third evicts the oldest, then the next
 * oldest (round robin). */
START_TEST(test_full_set_evicts_its_oldest_fill)
{
	struct uvf_iotlb *t = mk(4, 2);

	fill_pg(t, 1, 1);	/* another set: must survive */
	fill_pg(t, 1, 0);
	fill_pg(t, 1, 4);
	ck_assert_uint_eq(stats(t).evictions, 0);
	fill_pg(t, 1, 8);
	ck_assert_uint_eq(stats(t).evictions, 1);
	ck_assert(!hits(t, 1, 0));
	ck_assert(hits(t, 1, 4));
	ck_assert(hits(t, 1, 8));
	fill_pg(t, 1, 12);
	ck_assert_uint_eq(stats(t).evictions, 2);
	ck_assert(!hits(t, 1, 4));
	ck_assert(hits(t, 1, 8));
	ck_assert(hits(t, 1, 12));
	ck_assert(hits(t, 1, 1));
	ck_assert_uint_eq(uvf_iotlb_valid_entries(t), 3);
	ck_assert_uint_eq(stats(t).fills, 5);
	uvf_iotlb_destroy(t);
}
END_TEST

START_TEST(test_fill_takes_invalidated_way_before_evicting)
{
	struct uvf_iotlb *t = mk(4, 2);

	fill_pg(t, 1, 0);
	fill_pg(t, 1, 4);
	uvf_iotlb_inval_range(t, 1, PG(4), UVF_PAGE_SIZE);
	fill_pg(t, 1, 8);
	ck_assert_uint_eq(stats(t).evictions, 0);
	ck_assert(hits(t, 1, 0));
	ck_assert(hits(t, 1, 8));
	uvf_iotlb_destroy(t);
}
END_TEST

/* Fill pages [0, n) of domains 1 and 2. */
static struct uvf_iotlb *mk_filled(unsigned int sets, unsigned int ways,
				   uint64_t n)
{
	struct uvf_iotlb *t = mk(sets, ways);
	uint64_t v;

	for (v = 0; v < n; v++) {
		fill_pg(t, 1, v);
		fill_pg(t, 2, v);
	}
	ck_assert_uint_eq(uvf_iotlb_valid_entries(t), 2 * n);
	return t;
}

START_TEST(test_range_inval_drops_exactly_overlapping_pages_of_domain)
{
	struct uvf_iotlb *t = mk_filled(16, 4, 16);
	uint64_t v;

	/* Bytes 0x3800..0x57ff touch pages 3, 4 and 5 only. */
	uvf_iotlb_inval_range(t, 1, 0x3800, 0x2000);
	for (v = 0; v < 16; v++) {
		ck_assert_int_eq(hits(t, 1, v), v < 3 || v > 5);
		ck_assert(hits(t, 2, v));
	}
	ck_assert_uint_eq(stats(t).entries_invalidated, 3);
	ck_assert_uint_eq(stats(t).inval_range, 1);
	ck_assert_uint_eq(uvf_iotlb_valid_entries(t), 29);
	uvf_iotlb_destroy(t);
}
END_TEST

/* More pages than sets: the whole-array path must keep the same bounds. */
START_TEST(test_range_inval_longer_than_sets_keeps_exact_bounds)
{
	struct uvf_iotlb *t = mk_filled(4, 16, 32);
	uint64_t v;

	uvf_iotlb_inval_range(t, 2, PG(3) + 1, PG(20) - PG(3) - 1);
	for (v = 0; v < 32; v++) {
		ck_assert(hits(t, 1, v));
		ck_assert_int_eq(hits(t, 2, v), v < 3 || v > 19);
	}
	ck_assert_uint_eq(stats(t).entries_invalidated, 17);
	uvf_iotlb_destroy(t);
}
END_TEST

START_TEST(test_range_inval_of_zero_length_drops_nothing)
{
	struct uvf_iotlb *t = mk_filled(16, 4, 8);

	uvf_iotlb_inval_range(t, 1, PG(2), 0);
	ck_assert(hits(t, 1, 2));
	ck_assert_uint_eq(uvf_iotlb_valid_entries(t), 16);
	ck_assert_uint_eq(stats(t).inval_range, 1);
	uvf_iotlb_destroy(t);
}
END_TEST

/* Ranges of ~2^52 pages: only the whole-array scan can finish them in time,
 * and they must still spare the other domain and the pages outside. */
START_TEST(test_huge_range_inval_drops_domain_entries_without_page_loop)
{
	struct uvf_iotlb *t = mk(64, 4);

	fill_pg(t, 1, 0);
	fill_pg(t, 1, 0x123456789);
	fill_pg(t, 1, TOP_VPN);
	fill_pg(t, 2, 0x123456789);
	fill_pg(t, 2, TOP_VPN);
	/* Everything below the top page. */
	uvf_iotlb_inval_range(t, 1, 0, 0 - UVF_PAGE_SIZE);
	ck_assert(!hits(t, 1, 0));
	ck_assert(!hits(t, 1, 0x123456789));
	ck_assert(hits(t, 1, TOP_VPN));
	ck_assert(hits(t, 2, 0x123456789));
	uvf_iotlb_inval_range(t, 2, PG(1), UINT64_MAX);	/* clamped at top */
	ck_assert(!hits(t, 2, TOP_VPN));
	ck_assert(!hits(t, 2, 0x123456789));
	ck_assert(hits(t, 1, TOP_VPN));
	ck_assert_uint_eq(stats(t).entries_invalidated, 4);
	ck_assert_uint_eq(uvf_iotlb_valid_entries(t), 1);
	uvf_iotlb_destroy(t);
}
END_TEST

START_TEST(test_domain_inval_drops_every_entry_of_that_domain_only)
{
	struct uvf_iotlb *t = mk_filled(8, 8, 20);
	uint64_t v;

	fill_pg(t, 1, TOP_VPN);
	uvf_iotlb_inval_domain(t, 1);
	for (v = 0; v < 20; v++) {
		ck_assert(!hits(t, 1, v));
		ck_assert(hits(t, 2, v));
	}
	ck_assert(!hits(t, 1, TOP_VPN));
	ck_assert_uint_eq(stats(t).inval_domain, 1);
	ck_assert_uint_eq(stats(t).entries_invalidated, 21);
	ck_assert_uint_eq(uvf_iotlb_valid_entries(t), 20);
	uvf_iotlb_destroy(t);
}
END_TEST

START_TEST(test_global_inval_drops_every_entry)
{
	struct uvf_iotlb *t = mk_filled(8, 8, 20);
	uint64_t v;

	uvf_iotlb_inval_all(t);
	for (v = 0; v < 20; v++) {
		ck_assert(!hits(t, 1, v));
		ck_assert(!hits(t, 2, v));
	}
	ck_assert_uint_eq(uvf_iotlb_valid_entries(t), 0);
	ck_assert_uint_eq(stats(t).inval_global, 1);
	ck_assert_uint_eq(stats(t).entries_invalidated, 40);
	uvf_iotlb_destroy(t);
}
END_TEST

START_TEST(test_fill_after_walk_is_dropped_when_inval_intervened)
{
	struct uvf_iotlb *t = mk(16, 4);
	uint64_t gen = uvf_iotlb_gen(t);

	uvf_iotlb_inval_range(t, 9, PG(100), UVF_PAGE_SIZE);
	ck_assert(!uvf_iotlb_fill_walked(t, gen, 1, PG(5), 0x5000,
					 UVF_PROT_RW));
	ck_assert(!hits(t, 1, 5));
	ck_assert_uint_eq(stats(t).stale_fills, 1);
	ck_assert_uint_eq(stats(t).fills, 0);
	gen = uvf_iotlb_gen(t);
	ck_assert(uvf_iotlb_fill_walked(t, gen, 1, PG(5), 0x5000,
					UVF_PROT_RW));
	ck_assert(hits(t, 1, 5));
	ck_assert_uint_eq(stats(t).fills, 1);
	uvf_iotlb_destroy(t);
}
END_TEST

START_TEST(test_stats_count_every_operation)
{
	struct uvf_iotlb *t = mk(2, 1);
	struct uvf_iotlb_stats st;

	fill_pg(t, 1, 0);
	fill_pg(t, 1, 2);	/* evicts page 0 */
	fill_pg(t, 1, 1);
	hits(t, 1, 2);
	hits(t, 1, 1);
	hits(t, 1, 0);
	uvf_iotlb_inval_range(t, 1, PG(1), UVF_PAGE_SIZE);
	uvf_iotlb_inval_domain(t, 3);
	uvf_iotlb_inval_all(t);
	uvf_iotlb_get_stats(t, &st);
	ck_assert_uint_eq(st.hits, 2);
	ck_assert_uint_eq(st.misses, 1);
	ck_assert_uint_eq(st.fills, 3);
	ck_assert_uint_eq(st.evictions, 1);
	ck_assert_uint_eq(st.stale_fills, 0);
	ck_assert_uint_eq(st.inval_range, 1);
	ck_assert_uint_eq(st.inval_domain, 1);
	ck_assert_uint_eq(st.inval_global, 1);
	ck_assert_uint_eq(st.entries_invalidated, 2);
	uvf_iotlb_destroy(t);
}
END_TEST

/* ---- randomized comparison against a map of what may be cached ---- */

#define REF_DOMS 3
#define REF_PAGES 40

struct ref_page {
	bool maybe;	/* filled and not invalidated since */
	uint64_t pa;
	int prot;
};

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Page i of the model: a few low pages plus ones near the top, so the
 * whole-array and per-page invalidation paths both see them. */
static uint64_t ref_vpn(unsigned int i)
{
	return i < REF_PAGES / 2 ? i : TOP_VPN - (REF_PAGES - 1 - i);
}

static void ref_drop(struct ref_page ref[REF_DOMS][REF_PAGES], int d,
		     uint64_t first, uint64_t last)
{
	unsigned int i;
	int dd;

	for (dd = 0; dd < REF_DOMS; dd++)
		for (i = 0; i < REF_PAGES; i++)
			if ((d < 0 || d == dd) && ref_vpn(i) >= first &&
			    ref_vpn(i) <= last)
				ref[dd][i].maybe = false;
}

/* A hit must return the latest fill of a page nothing invalidated since, and
 * every valid entry must be such a page. */
START_TEST(test_random_ops_never_return_dropped_or_outdated_entries)
{
	static const uint16_t doms[REF_DOMS] = { 1, 0x1001, 0xffff };
	static struct ref_page ref[REF_DOMS][REF_PAGES];
	struct uvf_iotlb *t = mk(8, 2);
	uint64_t seed = 0x9e3779b97f4a7c15ull, r, pa, first, last;
	unsigned int op, i, d, present;
	int prot;

	memset(ref, 0, sizeof(ref));
	for (op = 0; op < 20000; op++) {
		r = xorshift(&seed);
		d = (unsigned int)(r >> 8) % REF_DOMS;
		i = (unsigned int)(r >> 16) % REF_PAGES;
		switch (r % 8) {
		case 0: case 1: case 2:
			ref[d][i] = (struct ref_page){ true,
				(r >> 24) << UVF_PAGE_SHIFT, (int)(r >> 4) & 3 };
			uvf_iotlb_fill(t, doms[d], PG(ref_vpn(i)), ref[d][i].pa,
				       ref[d][i].prot);
			break;
		case 3:
			first = ref_vpn(i);
			last = first + (r >> 40) % 24;
			if (last < first)
				last = TOP_VPN;
			uvf_iotlb_inval_range(t, doms[d], PG(first),
					      PG(last - first + 1));
			ref_drop(ref, (int)d, first, last);
			break;
		case 4:
			if ((r >> 32) % 16 == 0) {
				uvf_iotlb_inval_all(t);
				ref_drop(ref, -1, 0, TOP_VPN);
			} else if ((r >> 32) % 4 == 0) {
				uvf_iotlb_inval_domain(t, doms[d]);
				ref_drop(ref, (int)d, 0, TOP_VPN);
			}
			break;
		default:
			if (uvf_iotlb_lookup(t, doms[d], PG(ref_vpn(i)) + 0x10,
					     &pa, &prot)) {
				ck_assert_msg(ref[d][i].maybe,
					      "op %u: dropped entry hit", op);
				ck_assert_uint_eq(pa, ref[d][i].pa);
				ck_assert_int_eq(prot, ref[d][i].prot);
			}
		}
	}
	present = 0;
	for (d = 0; d < REF_DOMS; d++)
		for (i = 0; i < REF_PAGES; i++)
			present += hits(t, doms[d], ref_vpn(i));
	ck_assert_uint_eq(present, uvf_iotlb_valid_entries(t));
	ck_assert_uint_gt(stats(t).evictions, 0);
	uvf_iotlb_destroy(t);
}
END_TEST

/* ---- threads ---- */

#define COUNT_THREADS 72	/* more than the 64 private counter slots */
#define COUNT_LOOKUPS 500

struct count_arg {
	struct uvf_iotlb *t;
	pthread_barrier_t *bar;
};

static void *count_thread(void *p)
{
	struct count_arg *a = p;
	unsigned int i;

	pthread_barrier_wait(a->bar);
	for (i = 0; i < COUNT_LOOKUPS; i++)
		hits(a->t, 1, i % 4);	/* pages 0 and 1 are cached */
	return NULL;
}

START_TEST(test_counts_from_many_threads_add_up)
{
	struct uvf_iotlb *t = mk(16, 4);
	pthread_t th[COUNT_THREADS];
	pthread_barrier_t bar;
	struct count_arg a = { t, &bar };
	unsigned int i, round;

	fill_pg(t, 1, 0);
	fill_pg(t, 1, 1);
	/* Twice, so the second batch reuses slots released by the first. */
	for (round = 0; round < 2; round++) {
		ck_assert_int_eq(pthread_barrier_init(&bar, NULL,
						      COUNT_THREADS), 0);
		for (i = 0; i < COUNT_THREADS; i++)
			ck_assert_int_eq(pthread_create(&th[i], NULL,
						count_thread, &a), 0);
		for (i = 0; i < COUNT_THREADS; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&bar);
	}
	ck_assert_uint_eq(stats(t).hits, COUNT_THREADS * COUNT_LOOKUPS);
	ck_assert_uint_eq(stats(t).misses, COUNT_THREADS * COUNT_LOOKUPS);
	uvf_iotlb_destroy(t);
}
END_TEST

/*
 * Readers look up random pages while a writer, round after round, fills
 * every page (value encoding round, domain, page and a variant), keeps
 * refilling them (evicting under the readers) until a reader has hit an
 * entry of the round, and invalidates them all (kind chosen by round). A hit
 * must decode to the page and domain looked up with matching permissions
 * (not torn) and come from a round later than the last invalidation
 * completed before the lookup (not stale).
 */
#define RACE_READERS 3
#define RACE_SETS 16
#define RACE_WAYS 4
#define RACE_PAGES_A 32	/* consecutive: two per set */
#define RACE_PAGES_B 12	/* RACE_SETS apart: all in one set, 3 per way */
#define RACE_DOM_A 0x0005
#define RACE_DOM_B 0x1005	/* same low 12 bits as A */
#define RACE_BASE 0x40000ull
#define RACE_CHURN 16	/* passes over B's set per wait step */

struct race {
	struct uvf_iotlb *t;
	_Atomic uint64_t done_inval;	/* last round fully invalidated */
	_Atomic uint64_t seen;	/* latest round any reader hit */
	_Atomic bool stop;
	_Atomic uint64_t torn, stale, hits;
};

struct race_reader {
	struct race *r;
	unsigned int id;
};

/* B's pages share a set, so refilling them keeps replacing a way's tag by
 * another tag of the same domain: the case a torn read would turn into a
 * wrong translation rather than a miss. */
static uint64_t race_vpn(uint16_t domid, unsigned int i)
{
	return RACE_BASE + (domid == RACE_DOM_A ? i : i * RACE_SETS);
}

static uint64_t race_pa(uint64_t round, unsigned int variant, uint16_t domid,
			uint64_t vpn)
{
	return (round << 33 | (uint64_t)variant << 32 |
		(uint64_t)domid << 16 | (vpn & 0xffff)) << UVF_PAGE_SHIFT;
}

static int race_prot(uint64_t round, unsigned int variant, uint64_t vpn)
{
	return (int)((round + variant + vpn) % 3) + 1;
}

static void race_note_seen(struct race *r, uint64_t round)
{
	uint64_t old = atomic_load(&r->seen);

	while (old < round &&
	       !atomic_compare_exchange_weak(&r->seen, &old, round))
		;
}

static void *race_reader(void *p)
{
	struct race_reader *rr = p;
	struct race *r = rr->r;
	uint64_t seed = 0x2545f4914f6cdd1dull * (rr->id + 1), x, vpn, pa;
	uint64_t inv, round, seen = 0;
	unsigned int variant;
	uint16_t domid;
	int prot;

	while (!atomic_load(&r->stop)) {
		x = xorshift(&seed);
		domid = x & 3 ? RACE_DOM_B : RACE_DOM_A;
		vpn = race_vpn(domid, (unsigned int)(x >> 8) %
			       (domid == RACE_DOM_A ? RACE_PAGES_A :
				RACE_PAGES_B));
		inv = atomic_load_explicit(&r->done_inval,
					   memory_order_acquire);
		if (!uvf_iotlb_lookup(r->t, domid, PG(vpn) + (x >> 52), &pa,
				      &prot))
			continue;
		round = pa >> (UVF_PAGE_SHIFT + 33);
		variant = (pa >> (UVF_PAGE_SHIFT + 32)) & 1;
		atomic_fetch_add(&r->hits, 1);
		if (pa != race_pa(round, variant, domid, vpn) ||
		    prot != race_prot(round, variant, vpn))
			atomic_fetch_add(&r->torn, 1);
		else if (round <= inv)
			atomic_fetch_add(&r->stale, 1);
		else if (round > seen) {
			seen = round;
			race_note_seen(r, round);
			/* Let the writer move on soon on a small machine. */
			sched_yield();
		}
	}
	return NULL;
}

static void race_fill(struct race *r, uint64_t round, unsigned int variant,
		      uint16_t domid, unsigned int pages)
{
	uint64_t v;
	unsigned int i;

	for (i = 0; i < pages; i++) {
		v = race_vpn(domid, i);
		uvf_iotlb_fill(r->t, domid, PG(v),
			       race_pa(round, variant, domid, v),
			       race_prot(round, variant, v));
	}
}

static void race_inval(struct race *r, uint64_t round)
{
	unsigned int i;

	switch (round % 4) {
	case 0:
		uvf_iotlb_inval_all(r->t);
		break;
	case 1:
		uvf_iotlb_inval_domain(r->t, RACE_DOM_A);
		uvf_iotlb_inval_domain(r->t, RACE_DOM_B);
		break;
	case 2:	/* per-page path: fewer pages than sets at a time */
		for (i = 0; i < RACE_PAGES_A; i += 8)
			uvf_iotlb_inval_range(r->t, RACE_DOM_A,
					      PG(race_vpn(RACE_DOM_A, i)), PG(8));
		for (i = 0; i < RACE_PAGES_B; i++)
			uvf_iotlb_inval_range(r->t, RACE_DOM_B,
					      PG(race_vpn(RACE_DOM_B, i)), PG(1));
		break;
	default:	/* whole-array path */
		uvf_iotlb_inval_range(r->t, RACE_DOM_A, 0, UINT64_MAX);
		uvf_iotlb_inval_range(r->t, RACE_DOM_B, PG(RACE_BASE),
				      PG(RACE_PAGES_B * RACE_SETS));
	}
}

static uint64_t race_rounds(void)
{
	const char *e = getenv("UVF_IOTLB_STRESS_ROUNDS");

	uint64_t n = e ? strtoull(e, NULL, 0) : 0;

	/* race_pa() has 19 bits for the round. */
	return n ? (n < (1u << 19) ? n : (1u << 19) - 1) : 10000;
}

START_TEST(test_concurrent_readers_never_see_torn_or_invalidated_entries)
{
	struct race r = { .t = mk(RACE_SETS, RACE_WAYS) };
	struct race_reader rr[RACE_READERS];
	pthread_t th[RACE_READERS];
	uint64_t round, rounds = race_rounds(), torn, stale, hit;
	unsigned int i, k;

	for (i = 0; i < RACE_READERS; i++) {
		rr[i] = (struct race_reader){ &r, i };
		ck_assert_int_eq(pthread_create(&th[i], NULL, race_reader,
						&rr[i]), 0);
	}
	for (round = 1; round <= rounds; round++) {
		race_fill(&r, round, 0, RACE_DOM_A, RACE_PAGES_A);
		race_fill(&r, round, 0, RACE_DOM_B, RACE_PAGES_B);
		if (round & 1)
			race_fill(&r, round, 1, RACE_DOM_A, RACE_PAGES_A);
		/* While waiting, keep evicting entries of the round under the
		 * readers: each refill rewrites a way they may be reading. */
		do {
			for (k = 0; k < RACE_CHURN; k++)
				race_fill(&r, round, k & 1, RACE_DOM_B,
					  RACE_PAGES_B);
			race_fill(&r, round, round & 1, RACE_DOM_A,
				  RACE_PAGES_A);
			sched_yield();
		} while (atomic_load(&r.seen) < round);
		race_inval(&r, round);
		atomic_store_explicit(&r.done_inval, round,
				      memory_order_release);
	}
	atomic_store(&r.stop, true);
	for (i = 0; i < RACE_READERS; i++)
		pthread_join(th[i], NULL);
	torn = atomic_load(&r.torn);
	stale = atomic_load(&r.stale);
	hit = atomic_load(&r.hits);
	ck_assert_msg(!torn && !stale, "%" PRIu64 " torn and %" PRIu64
		      " stale hits out of %" PRIu64, torn, stale, hit);
	ck_assert_uint_ge(hit, rounds);
	ck_assert_uint_eq(uvf_iotlb_valid_entries(r.t), 0);
	uvf_iotlb_destroy(r.t);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("sim-iotlb");
	TCase *tc = tcase_create("iotlb");

	tcase_add_test(tc, test_create_rejects_bad_geometry);
	tcase_add_test(tc, test_lookup_after_fill_hits_with_page_address_and_prot);
	tcase_add_test(tc, test_miss_is_counted_and_leaves_outputs_untouched);
	tcase_add_test(tc, test_domains_equal_in_low_id_bits_do_not_alias);
	tcase_add_test(tc, test_refill_of_cached_page_replaces_it_in_place);
	tcase_add_test(tc, test_full_set_evicts_its_oldest_fill);
	tcase_add_test(tc, test_fill_takes_invalidated_way_before_evicting);
	tcase_add_test(tc, test_range_inval_drops_exactly_overlapping_pages_of_domain);
	tcase_add_test(tc, test_range_inval_longer_than_sets_keeps_exact_bounds);
	tcase_add_test(tc, test_range_inval_of_zero_length_drops_nothing);
	tcase_add_test(tc, test_huge_range_inval_drops_domain_entries_without_page_loop);
	tcase_add_test(tc, test_domain_inval_drops_every_entry_of_that_domain_only);
	tcase_add_test(tc, test_global_inval_drops_every_entry);
	tcase_add_test(tc, test_fill_after_walk_is_dropped_when_inval_intervened);
	tcase_add_test(tc, test_stats_count_every_operation);
	tcase_add_test(tc, test_random_ops_never_return_dropped_or_outdated_entries);
	tcase_add_test(tc, test_counts_from_many_threads_add_up);
	tcase_add_test(tc, test_concurrent_readers_never_see_torn_or_invalidated_entries);
	suite_add_tcase(s, tc);
	return s;
}
