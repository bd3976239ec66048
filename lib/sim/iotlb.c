// SPDX-License-Identifier: MIT
/*
 * IOTLB of the software IOMMU model.
 *
 * Layout: an array of sets, each a block of a power-of-two size (64 bytes or
 * more, so a set address is a shift) holding a sequence counter and @ways
 * entries of two 64-bit words. A tag is (domain ID, page
 * number); 16 + 52 bits do not fit in one word, so the page number and the
 * low 12 bits of the domain ID form the key word and the top 4 bits of the
 * domain ID sit next to the valid bit in the low bits of the value word
 * (page output address | domid[15:12] | valid | prot). A lookup compares
 * both words, which the seqlock reads as one consistent snapshot.
 *
 * Seqlock: writers (under t->lock) make the set's counter odd, store the
 * words, then make it even again; a reader retries when the counter was odd
 * or changed across its reads. This is the C11 formulation of Boehm,
 * "Can seqlocks get along with programming language memory models?" (2012):
 * relaxed data accesses, a release fence after the odd store on the write
 * side and an acquire fence before the re-check on the read side.
 *
 * Hit/miss counters live in per-thread slots so lookups on different threads
 * never write the same cache line: a thread claims one of IOTLB_OWNED_SLOTS
 * process-wide slot numbers on its first lookup (released when it exits) and
 * bumps slot[n] of any IOTLB with a plain relaxed load + store. Threads
 * beyond that share one more slot with atomic read-modify-writes.
 */
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "iotlb.h"

#define CACHE_LINE 64

#define KEY_VPN_BITS 52
#define KEY_VPN_MASK ((1ull << KEY_VPN_BITS) - 1)
#define VAL_PROT_MASK 0x3ull
#define VAL_VALID (1ull << 2)
#define VAL_DOMHI_SHIFT 3
#define VAL_META_MASK (VAL_VALID | (0xfull << VAL_DOMHI_SHIFT))
#define VAL_PAGE_MASK (~(UVF_PAGE_SIZE - 1))

#if defined(__x86_64__) || defined(__i386__)
#define cpu_relax() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define cpu_relax() __asm__ __volatile__("yield" ::: "memory")
#else
#define cpu_relax() atomic_signal_fence(memory_order_seq_cst)
#endif

#define IOTLB_OWNED_SLOTS 64
#define IOTLB_SHARED_SLOT IOTLB_OWNED_SLOTS
#define IOTLB_NR_SLOTS (IOTLB_OWNED_SLOTS + 1)

struct iotlb_entry {
	_Atomic uint64_t key;
	_Atomic uint64_t val;
};

struct iotlb_set {
	_Atomic uint32_t seq;
	uint32_t next_victim;	/* round-robin pointer, under t->lock */
	struct iotlb_entry e[];
};

struct iotlb_slot {
	alignas(CACHE_LINE) _Atomic uint64_t hits;
	_Atomic uint64_t misses;
};

struct uvf_iotlb {
	/* Read by every lookup, written only at creation. */
	unsigned char *sets;
	unsigned int set_shift;	/* log2 of a set's size in bytes */
	uint32_t set_mask;
	unsigned int nsets;
	unsigned int ways;
	struct iotlb_slot *slots;

	/* Writer side, on its own lines so invalidations do not evict the
	 * fields above from the readers' caches. */
	alignas(CACHE_LINE) pthread_mutex_t lock;
	_Atomic uint64_t gen;
	unsigned int nvalid;
	struct uvf_iotlb_stats wst;	/* hits and misses unused here */
};

/* ---- per-thread counter slots ---- */

static _Atomic uint64_t slot_bitmap;
static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;
static bool slot_key_ok;
/* initial-exec: a lookup must not pay for __tls_get_addr in the PIC build. */
static __thread unsigned int my_slot __attribute__((tls_model("initial-exec")));

static void slot_release(void *p)
{
	unsigned int s = (unsigned int)(uintptr_t)p - 1;

	atomic_fetch_and_explicit(&slot_bitmap, ~(1ull << s),
				  memory_order_release);
	my_slot = 0;
}

static void slot_key_create(void)
{
	slot_key_ok = pthread_key_create(&slot_key, slot_release) == 0;
}

/* Records the slot claimed for this thread, plus one, in my_slot. */
static void slot_claim(void)
{
	uint64_t b;
	unsigned int s;

	pthread_once(&slot_once, slot_key_create);
	b = atomic_load_explicit(&slot_bitmap, memory_order_relaxed);
	do {
		if (!slot_key_ok || b == ~0ull) {
			my_slot = IOTLB_SHARED_SLOT + 1;
			return;
		}
		s = (unsigned int)__builtin_ctzll(~b);
	} while (!atomic_compare_exchange_weak_explicit(&slot_bitmap, &b,
			b | (1ull << s), memory_order_acquire,
			memory_order_relaxed));
	if (pthread_setspecific(slot_key, (void *)(uintptr_t)(s + 1))) {
		atomic_fetch_and_explicit(&slot_bitmap, ~(1ull << s),
					  memory_order_release);
		s = IOTLB_SHARED_SLOT;
	}
	my_slot = s + 1;
}

static inline void count(_Atomic uint64_t *c, unsigned int slot)
{
	if (__builtin_expect(slot != IOTLB_SHARED_SLOT, 1))
		atomic_store_explicit(c, atomic_load_explicit(c,
				memory_order_relaxed) + 1, memory_order_relaxed);
	else
		atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

/* ---- tags and sets ---- */

static inline uint64_t make_key(uint16_t domid, uint64_t vpn)
{
	return (vpn & KEY_VPN_MASK) | (uint64_t)(domid & 0xfff) << KEY_VPN_BITS;
}

static inline uint64_t make_meta(uint16_t domid)
{
	return VAL_VALID | (uint64_t)(domid >> 12) << VAL_DOMHI_SHIFT;
}

static inline uint16_t entry_domid(uint64_t key, uint64_t val)
{
	return (uint16_t)((key >> KEY_VPN_BITS) |
			  ((val >> VAL_DOMHI_SHIFT) & 0xf) << 12);
}

static inline struct iotlb_set *set_at(const struct uvf_iotlb *t,
				       uint32_t idx)
{
	return (struct iotlb_set *)(t->sets + ((size_t)idx << t->set_shift));
}

/* Mixing in the domain ID spreads domains that use the same IOVAs (every
 * domain's allocator starts at the same base) over different sets. */
static inline uint32_t set_index(const struct uvf_iotlb *t, uint16_t domid,
				 uint64_t vpn)
{
	uint32_t mix = ((uint32_t)domid * 0x9e3779b1u) >> 12;

	return ((uint32_t)vpn ^ mix) & t->set_mask;
}

static inline void write_begin(struct iotlb_set *s)
{
	uint32_t q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, q + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

static inline void write_end(struct iotlb_set *s)
{
	uint32_t q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, q + 1, memory_order_release);
}

static inline void entry_store(struct iotlb_entry *e, uint64_t key,
			       uint64_t val)
{
	atomic_store_explicit(&e->key, key, memory_order_relaxed);
	atomic_store_explicit(&e->val, val, memory_order_relaxed);
}

static inline uint64_t load_rlx(_Atomic uint64_t *p)
{
	return atomic_load_explicit(p, memory_order_relaxed);
}

/* ---- create / destroy ---- */

static bool is_pow2(unsigned int x)
{
	return x && !(x & (x - 1));
}

static size_t round_up(size_t x, size_t a)
{
	return (x + a - 1) & ~(a - 1);
}

int uvf_iotlb_create(unsigned int sets, unsigned int ways,
		     struct uvf_iotlb **out)
{
	struct uvf_iotlb *t;
	unsigned int i, w, shift = 6;

	if (!out || !is_pow2(sets) || !is_pow2(ways) ||
	    sets > UVF_IOTLB_MAX_SETS || ways > UVF_IOTLB_MAX_WAYS)
		return -EINVAL;
	/* A power-of-two set size turns the set address into a shift. */
	while ((1ul << shift) < sizeof(struct iotlb_set) +
				ways * sizeof(struct iotlb_entry))
		shift++;

	t = aligned_alloc(CACHE_LINE, round_up(sizeof(*t), CACHE_LINE));
	if (!t)
		return -ENOMEM;
	memset(t, 0, sizeof(*t));
	t->sets = aligned_alloc(CACHE_LINE, (size_t)sets << shift);
	t->slots = aligned_alloc(CACHE_LINE,
				 IOTLB_NR_SLOTS * sizeof(*t->slots));
	if (!t->sets || !t->slots || pthread_mutex_init(&t->lock, NULL)) {
		free(t->slots);
		free(t->sets);
		free(t);
		return -ENOMEM;
	}
	t->set_shift = shift;
	t->set_mask = sets - 1;
	t->nsets = sets;
	t->ways = ways;
	atomic_init(&t->gen, 0);
	for (i = 0; i < sets; i++) {
		struct iotlb_set *s = set_at(t, i);

		atomic_init(&s->seq, 0);
		s->next_victim = 0;
		for (w = 0; w < ways; w++) {
			atomic_init(&s->e[w].key, 0);
			atomic_init(&s->e[w].val, 0);
		}
	}
	for (i = 0; i < IOTLB_NR_SLOTS; i++) {
		atomic_init(&t->slots[i].hits, 0);
		atomic_init(&t->slots[i].misses, 0);
	}
	*out = t;
	return 0;
}

void uvf_iotlb_destroy(struct uvf_iotlb *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->lock);
	free(t->slots);
	free(t->sets);
	free(t);
}

/* ---- lookup ---- */

/* A thread's first lookup claims its counter slot here, out of line, so the
 * fast path has no call to save registers around. */
static __attribute__((noinline, cold)) bool
lookup_first(struct uvf_iotlb *t, uint16_t domid, uvf_iova_t iova,
	     uint64_t *page_paddr, int *prot)
{
	slot_claim();
	return uvf_iotlb_lookup(t, domid, iova, page_paddr, prot);
}

bool uvf_iotlb_lookup(struct uvf_iotlb *t, uint16_t domid, uvf_iova_t iova,
		      uint64_t *page_paddr, int *prot)
{
	uint64_t vpn = iova >> UVF_PAGE_SHIFT;
	uint64_t key = make_key(domid, vpn), meta = make_meta(domid);
	struct iotlb_set *s = set_at(t, set_index(t, domid, vpn));
	unsigned int ways = t->ways, w, slot = my_slot;
	uint64_t val = 0;
	uint32_t q;
	bool hit;

	if (__builtin_expect(!slot, 0))
		return lookup_first(t, domid, iova, page_paddr, prot);
	slot--;
	for (;;) {
		q = atomic_load_explicit(&s->seq, memory_order_acquire);
		if (__builtin_expect(q & 1, 0)) {
			cpu_relax();
			continue;
		}
		hit = false;
		for (w = 0; w < ways; w++) {
			if (load_rlx(&s->e[w].key) != key)
				continue;
			val = load_rlx(&s->e[w].val);
			if ((val & VAL_META_MASK) == meta) {
				hit = true;
				break;
			}
		}
		atomic_thread_fence(memory_order_acquire);
		if (atomic_load_explicit(&s->seq, memory_order_relaxed) == q)
			break;
	}

	if (hit) {
		count(&t->slots[slot].hits, slot);
		*page_paddr = val & VAL_PAGE_MASK;
		*prot = (int)(val & VAL_PROT_MASK);
	} else {
		count(&t->slots[slot].misses, slot);
	}
	return hit;
}

/* ---- fill ---- */

static void fill_locked(struct uvf_iotlb *t, uint16_t domid, uvf_iova_t iova,
			uint64_t page_paddr, int prot)
{
	uint64_t vpn = iova >> UVF_PAGE_SHIFT;
	uint64_t key = make_key(domid, vpn), meta = make_meta(domid);
	struct iotlb_set *s = set_at(t, set_index(t, domid, vpn));
	unsigned int w, way = t->ways, free_way = t->ways;
	uint64_t val;

	for (w = 0; w < t->ways; w++) {
		val = load_rlx(&s->e[w].val);
		if (!(val & VAL_VALID)) {
			if (free_way == t->ways)
				free_way = w;
		} else if (load_rlx(&s->e[w].key) == key &&
			   (val & VAL_META_MASK) == meta) {
			way = w;
			break;
		}
	}
	if (way == t->ways) {
		if (free_way < t->ways) {
			way = free_way;
			t->nvalid++;
		} else {
			way = s->next_victim;
			s->next_victim = (way + 1) & (t->ways - 1);
			t->wst.evictions++;
		}
	}
	val = (page_paddr & VAL_PAGE_MASK) | meta |
	      ((uint64_t)prot & VAL_PROT_MASK);
	write_begin(s);
	entry_store(&s->e[way], key, val);
	write_end(s);
	t->wst.fills++;
}

void uvf_iotlb_fill(struct uvf_iotlb *t, uint16_t domid, uvf_iova_t iova,
		    uint64_t page_paddr, int prot)
{
	pthread_mutex_lock(&t->lock);
	fill_locked(t, domid, iova, page_paddr, prot);
	pthread_mutex_unlock(&t->lock);
}

uint64_t uvf_iotlb_gen(struct uvf_iotlb *t)
{
	/* Pairs with the release in inval_begin(): a walk that starts after
	 * reading the new generation sees the page-table update that preceded
	 * the invalidation. */
	return atomic_load_explicit(&t->gen, memory_order_acquire);
}

bool uvf_iotlb_fill_walked(struct uvf_iotlb *t, uint64_t gen, uint16_t domid,
			   uvf_iova_t iova, uint64_t page_paddr, int prot)
{
	bool fresh;

	pthread_mutex_lock(&t->lock);
	fresh = atomic_load_explicit(&t->gen, memory_order_relaxed) == gen;
	if (fresh)
		fill_locked(t, domid, iova, page_paddr, prot);
	else
		t->wst.stale_fills++;
	pthread_mutex_unlock(&t->lock);
	return fresh;
}

/* ---- invalidation ---- */

enum match_kind { MATCH_ALL, MATCH_DOMAIN, MATCH_RANGE };

struct match {
	enum match_kind kind;
	uint16_t domid;
	uint64_t first_vpn, last_vpn;
};

static bool entry_matches(const struct match *m, uint64_t key, uint64_t val)
{
	uint64_t vpn;

	if (!(val & VAL_VALID))
		return false;
	if (m->kind == MATCH_ALL)
		return true;
	if (entry_domid(key, val) != m->domid)
		return false;
	if (m->kind == MATCH_DOMAIN)
		return true;
	vpn = key & KEY_VPN_MASK;
	return vpn >= m->first_vpn && vpn <= m->last_vpn;
}

/* Readers are only disturbed (made to retry) in sets that really change. */
static void inval_set(struct uvf_iotlb *t, struct iotlb_set *s,
		      const struct match *m)
{
	uint64_t drop = 0;
	unsigned int w, n;

	for (w = 0; w < t->ways; w++)
		if (entry_matches(m, load_rlx(&s->e[w].key),
				  load_rlx(&s->e[w].val)))
			drop |= 1ull << w;
	if (!drop)
		return;
	n = (unsigned int)__builtin_popcountll(drop);
	write_begin(s);
	for (w = 0; w < t->ways; w++)
		if (drop & (1ull << w))
			entry_store(&s->e[w], 0, 0);
	write_end(s);
	t->nvalid -= n;
	t->wst.entries_invalidated += n;
}

static void inval_begin(struct uvf_iotlb *t)
{
	pthread_mutex_lock(&t->lock);
	atomic_store_explicit(&t->gen,
		atomic_load_explicit(&t->gen, memory_order_relaxed) + 1,
		memory_order_release);
}

static void inval_scan_all(struct uvf_iotlb *t, const struct match *m)
{
	unsigned int i;

	for (i = 0; i < t->nsets; i++)
		inval_set(t, set_at(t, i), m);
}

void uvf_iotlb_inval_range(struct uvf_iotlb *t, uint16_t domid,
			   uvf_iova_t iova, uint64_t len)
{
	struct match m = { .kind = MATCH_RANGE, .domid = domid };
	uint64_t last, vpn;

	inval_begin(t);
	t->wst.inval_range++;
	if (len) {
		if (uvf_range_last(iova, len, &last))
			last = UINT64_MAX;
		m.first_vpn = iova >> UVF_PAGE_SHIFT;
		m.last_vpn = last >> UVF_PAGE_SHIFT;
		/* Pages of a range no longer than the number of sets fall in
		 * distinct sets (the index is the page number's low bits,
		 * permuted per domain); past that every set is visited
		 * anyway, so scan each once. */
		if (m.last_vpn - m.first_vpn < t->nsets) {
			for (vpn = m.first_vpn;; vpn++) {
				inval_set(t, set_at(t, set_index(t, domid,
								 vpn)), &m);
				if (vpn == m.last_vpn)
					break;
			}
		} else {
			inval_scan_all(t, &m);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

void uvf_iotlb_inval_domain(struct uvf_iotlb *t, uint16_t domid)
{
	struct match m = { .kind = MATCH_DOMAIN, .domid = domid };

	inval_begin(t);
	t->wst.inval_domain++;
	inval_scan_all(t, &m);
	pthread_mutex_unlock(&t->lock);
}

void uvf_iotlb_inval_all(struct uvf_iotlb *t)
{
	struct match m = { .kind = MATCH_ALL };

	inval_begin(t);
	t->wst.inval_global++;
	inval_scan_all(t, &m);
	pthread_mutex_unlock(&t->lock);
}

/* ---- statistics ---- */

void uvf_iotlb_get_stats(struct uvf_iotlb *t, struct uvf_iotlb_stats *st)
{
	unsigned int i;

	pthread_mutex_lock(&t->lock);
	*st = t->wst;
	pthread_mutex_unlock(&t->lock);
	st->hits = 0;
	st->misses = 0;
	for (i = 0; i < IOTLB_NR_SLOTS; i++) {
		st->hits += load_rlx(&t->slots[i].hits);
		st->misses += load_rlx(&t->slots[i].misses);
	}
}

unsigned int uvf_iotlb_valid_entries(struct uvf_iotlb *t)
{
	unsigned int n;

	pthread_mutex_lock(&t->lock);
	n = t->nvalid;
	pthread_mutex_unlock(&t->lock);
	return n;
}

size_t uvf_iotlb_domain_pages(struct uvf_iotlb *t, uint16_t domid,
			      uvf_iova_t *out, size_t max)
{
	size_t n = 0;
	unsigned int s, w;

	pthread_mutex_lock(&t->lock);
	for (s = 0; s < t->nsets; s++) {
		struct iotlb_set *set = set_at(t, s);

		for (w = 0; w < t->ways; w++) {
			uint64_t key = atomic_load_explicit(&set->e[w].key,
						memory_order_relaxed);
			uint64_t val = atomic_load_explicit(&set->e[w].val,
						memory_order_relaxed);

			if (!(val & VAL_VALID) ||
			    entry_domid(key, val) != domid)
				continue;
			if (n < max)
				out[n] = (key & KEY_VPN_MASK) << UVF_PAGE_SHIFT;
			n++;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return n;
}
