// SPDX-License-Identifier: MIT
/*
 * Kernel-design IOVA allocator (see kiova.h), the baseline uvf's allocator
 * is measured against. Written from the design of Linux 6.12
 * drivers/iommu/iova.c, not from its code:
 *
 * Tree. Every allocated range (cached ones too) is a node of a red-black
 * tree keyed by address, plus an anchor node at the top of the frame space.
 * An allocation walks down from the cached node (initially the anchor),
 * taking the highest aligned slot below each node that clears the previous
 * node; if it runs out below the limit it retries once from the top down to
 * where the first walk started, and otherwise fails. The new node is linked
 * starting from its upper neighbour and becomes the cached node. Freeing
 * finds the range from the root, moves the cached node to its successor if
 * it was at or below it, and erases it. The window lies above 4 GiB, so the
 * kernel's separate cached node and size limit for 32-bit DMA never apply
 * and are left out.
 *
 * Caches. Per CPU (here per caller-chosen index) and order 0..5, a loaded
 * and a previous magazine of 127 frames each, swapped when one runs empty
 * or full; full magazines go to a depot of at most 32 per order (the
 * kernel's older fixed bound; 6.12 trims an unbounded list from a timer),
 * and past that back to the tree. An allocation that fails flushes every
 * cache and retries once.
 *
 * Node memory is one 40-byte node per range (the kernel's struct iova: an
 * rb_node and two frame numbers) from malloc, outside the lock, as the
 * kernel takes its slab object before locking.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "kiova.h"

#define KIOVA_MAG_SIZE 127
#define KIOVA_DEPOT_MAGS 32
#define KIOVA_ANCHOR UINT64_MAX

struct kn {
	struct kn *ch[2];	/* [0] lower, [1] higher */
	uintptr_t pc;		/* parent, low bit set when black */
	uint64_t lo, hi;	/* inclusive frames */
};

struct klock {
	enum kiova_lock_kind kind;
	pthread_mutex_t m;
	pthread_spinlock_t s;
};

struct kmag {
	uint64_t size;
	uint64_t pfns[KIOVA_MAG_SIZE];
};

struct kcpu {
	struct klock lock;
	struct kmag *loaded, *prev;
} __attribute__((aligned(64)));

struct krcache {
	struct klock lock;	/* the depot */
	struct kmag *depot[KIOVA_DEPOT_MAGS];
	unsigned int depot_size;
	struct kcpu *cpus;
};

struct kiova {
	struct klock lock;	/* the tree */
	struct kn *root, *cached;
	struct kn anchor;
	uint64_t start_pfn, limit_pfn;
	uint64_t live;		/* nodes in the tree, the anchor not counted */
	unsigned int nr_cpus;
	struct krcache rc[KIOVA_CACHED_ORDERS];
};

/* ---- locks ---- */

static void klock_init(struct klock *l, enum kiova_lock_kind kind)
{
	l->kind = kind;
	if (kind == KIOVA_SPINLOCK)
		pthread_spin_init(&l->s, PTHREAD_PROCESS_PRIVATE);
	else
		pthread_mutex_init(&l->m, NULL);
}

static void klock_fini(struct klock *l)
{
	if (l->kind == KIOVA_SPINLOCK)
		pthread_spin_destroy(&l->s);
	else
		pthread_mutex_destroy(&l->m);
}

static inline void klock(struct klock *l)
{
	if (l->kind == KIOVA_SPINLOCK)
		pthread_spin_lock(&l->s);
	else
		pthread_mutex_lock(&l->m);
}

static inline void kunlock(struct klock *l)
{
	if (l->kind == KIOVA_SPINLOCK)
		pthread_spin_unlock(&l->s);
	else
		pthread_mutex_unlock(&l->m);
}

/* ---- red-black tree, written once for both directions ---- */

static inline struct kn *par(const struct kn *n)
{
	return (struct kn *)(n->pc & ~(uintptr_t)1);
}

static inline bool is_black(const struct kn *n)
{
	return !n || (n->pc & 1);
}

static inline void set_par(struct kn *n, struct kn *p)
{
	n->pc = (uintptr_t)p | (n->pc & 1);
}

static inline void set_black(struct kn *n, bool black)
{
	n->pc = (n->pc & ~(uintptr_t)1) | black;
}

static inline int side(const struct kn *p, const struct kn *n)
{
	return p->ch[1] == n;
}

static void relink(struct kiova *k, struct kn *p, struct kn *old,
		   struct kn *new)
{
	if (p)
		p->ch[side(p, old)] = new;
	else
		k->root = new;
}

/* Lift x's child on side !d into x's place; x goes down on side d. */
static void rotate(struct kiova *k, struct kn *x, int d)
{
	struct kn *y = x->ch[!d];

	x->ch[!d] = y->ch[d];
	if (y->ch[d])
		set_par(y->ch[d], x);
	relink(k, par(x), x, y);
	set_par(y, par(x));
	y->ch[d] = x;
	set_par(x, y);
}

/* Neighbour of @n on side @d (0: rb_prev, 1: rb_next). */
static struct kn *step(const struct kn *n, int d)
{
	const struct kn *p;

	if (n->ch[d]) {
		n = n->ch[d];
		while (n->ch[!d])
			n = n->ch[!d];
		return (struct kn *)n;
	}
	while ((p = par(n)) && p->ch[d] == n)
		n = p;
	return (struct kn *)p;
}

/* Link @n below the descent that starts at @from (the root when NULL). */
static void tree_insert(struct kiova *k, struct kn *n, struct kn *from)
{
	struct kn *p = NULL, *cur = from ? from : k->root, *g, *u;
	int d = 0;

	while (cur) {
		p = cur;
		d = n->lo > cur->lo;
		cur = cur->ch[d];
	}
	n->ch[0] = n->ch[1] = NULL;
	n->pc = (uintptr_t)p;	/* red */
	if (p)
		p->ch[d] = n;
	else
		k->root = n;
	k->live++;
	while ((p = par(n)) && !is_black(p)) {
		g = par(p);	/* exists: the root is black */
		d = side(g, p);
		u = g->ch[!d];
		if (!is_black(u)) {
			set_black(p, true);
			set_black(u, true);
			set_black(g, false);
			n = g;
			continue;
		}
		if (n == p->ch[!d]) {
			rotate(k, p, d);
			n = p;
			p = par(n);
		}
		set_black(p, true);
		set_black(g, false);
		rotate(k, g, !d);
	}
	set_black(k->root, true);
}

static void tree_erase(struct kiova *k, struct kn *n)
{
	struct kn *x, *xp, *w;
	bool removed_black;
	int d;

	if (!n->ch[0] || !n->ch[1]) {
		x = n->ch[0] ? n->ch[0] : n->ch[1];
		xp = par(n);
		removed_black = is_black(n);
		relink(k, xp, n, x);
		if (x)
			set_par(x, xp);
	} else {
		struct kn *y = step(n, 1);

		removed_black = is_black(y);
		x = y->ch[1];
		if (par(y) == n) {
			xp = y;
		} else {
			xp = par(y);
			xp->ch[0] = x;
			if (x)
				set_par(x, xp);
			y->ch[1] = n->ch[1];
			set_par(y->ch[1], y);
		}
		relink(k, par(n), n, y);
		y->pc = n->pc;
		y->ch[0] = n->ch[0];
		set_par(y->ch[0], y);
	}
	k->live--;
	if (!removed_black)
		return;
	while (x != k->root && is_black(x)) {
		/* A NULL x is the empty side; its sibling is not empty. */
		d = x ? side(xp, x) : xp->ch[0] != NULL;
		w = xp->ch[!d];
		if (!is_black(w)) {
			set_black(w, true);
			set_black(xp, false);
			rotate(k, xp, d);
			w = xp->ch[!d];
		}
		if (is_black(w->ch[0]) && is_black(w->ch[1])) {
			set_black(w, false);
			x = xp;
			xp = par(x);
			continue;
		}
		if (is_black(w->ch[!d])) {
			set_black(w->ch[d], true);
			set_black(w, false);
			rotate(k, w, !d);
			w = xp->ch[!d];
		}
		set_black(w, is_black(xp));
		set_black(xp, true);
		set_black(w->ch[!d], true);
		rotate(k, xp, d);
		x = k->root;
	}
	if (x)
		set_black(x, true);
}

/* private_find_iova(): from the root, the range holding @pfn. */
static struct kn *tree_find(const struct kiova *k, uint64_t pfn)
{
	struct kn *n = k->root;

	while (n && !(n->lo <= pfn && pfn <= n->hi))
		n = n->ch[pfn > n->hi];
	return n;
}

/* ---- the tree allocator ---- */

static int alloc_and_insert(struct kiova *k, uint64_t size, struct kn *new)
{
	uint64_t limit = k->limit_pfn + 1, high = limit, low = k->start_pfn;
	uint64_t align = ~(size - 1), new_pfn, retry_pfn;
	struct kn *curr, *prev;

	klock(&k->lock);
	curr = k->cached;
	retry_pfn = curr->hi;
retry:
	do {
		high = high < curr->lo ? high : curr->lo;
		new_pfn = (high - size) & align;
		prev = curr;
		curr = step(curr, 0);
	} while (curr && new_pfn <= curr->hi && new_pfn >= low);
	if (high < size || new_pfn < low) {
		if (low == k->start_pfn && retry_pfn < limit) {
			high = limit;
			low = retry_pfn + 1;
			curr = &k->anchor;	/* the limit is above 4 GiB */
			goto retry;
		}
		kunlock(&k->lock);
		return -ENOSPC;
	}
	new->lo = new_pfn;
	new->hi = new_pfn + size - 1;
	tree_insert(k, new, prev);
	k->cached = new;
	kunlock(&k->lock);
	return 0;
}

int kiova_alloc(struct kiova *k, uint64_t pages, uint64_t *pfn)
{
	struct kn *n = malloc(sizeof(*n));

	if (!n)
		return -ENOMEM;
	if (alloc_and_insert(k, pages, n)) {
		free(n);
		return -ENOSPC;
	}
	*pfn = n->lo;
	return 0;
}

int kiova_reserve(struct kiova *k, uint64_t pfn, uint64_t pages)
{
	struct kn *n = malloc(sizeof(*n));

	if (!n)
		return -ENOMEM;
	n->lo = pfn;
	n->hi = pfn + pages - 1;
	klock(&k->lock);
	tree_insert(k, n, NULL);
	kunlock(&k->lock);
	return 0;
}

/* Tree lock held. */
static void remove_range(struct kiova *k, struct kn *n)
{
	if (n->lo >= k->cached->lo)
		k->cached = step(n, 1);
	tree_erase(k, n);
}

int kiova_free(struct kiova *k, uint64_t pfn)
{
	struct kn *n;

	klock(&k->lock);
	n = tree_find(k, pfn);
	if (n && n != &k->anchor)
		remove_range(k, n);
	else
		n = NULL;
	kunlock(&k->lock);
	if (!n)
		return -ENOENT;
	free(n);
	return 0;
}

/* ---- caches ---- */

static void mag_free_pfns(struct kiova *k, struct kmag *m)
{
	klock(&k->lock);
	for (uint64_t i = 0; i < m->size; i++) {
		struct kn *n = tree_find(k, m->pfns[i]);

		remove_range(k, n);
		free(n);
	}
	kunlock(&k->lock);
	m->size = 0;
}

static unsigned int order_of(uint64_t pages)
{
	return pages == 1 ? 0 : 64 - (unsigned int)__builtin_clzll(pages - 1);
}

static bool rcache_get(struct kiova *k, unsigned int cpu, unsigned int order,
		       uint64_t *pfn)
{
	struct krcache *rc = &k->rc[order];
	struct kcpu *c = &rc->cpus[cpu];
	bool has = false;

	klock(&c->lock);
	if (c->loaded->size) {
		has = true;
	} else if (c->prev->size) {
		struct kmag *t = c->prev;

		c->prev = c->loaded;
		c->loaded = t;
		has = true;
	} else {
		klock(&rc->lock);
		if (rc->depot_size) {
			free(c->loaded);
			c->loaded = rc->depot[--rc->depot_size];
			has = true;
		}
		kunlock(&rc->lock);
	}
	if (has)
		*pfn = c->loaded->pfns[--c->loaded->size];
	kunlock(&c->lock);
	return has;
}

static bool rcache_insert(struct kiova *k, unsigned int cpu,
			  unsigned int order, uint64_t pfn)
{
	struct krcache *rc = &k->rc[order];
	struct kcpu *c = &rc->cpus[cpu];
	struct kmag *spill = NULL;
	bool ok = true;

	klock(&c->lock);
	if (c->loaded->size == KIOVA_MAG_SIZE) {
		if (c->prev->size < KIOVA_MAG_SIZE) {
			struct kmag *t = c->prev;

			c->prev = c->loaded;
			c->loaded = t;
		} else {
			struct kmag *fresh = calloc(1, sizeof(*fresh));

			if (fresh) {
				klock(&rc->lock);
				if (rc->depot_size < KIOVA_DEPOT_MAGS)
					rc->depot[rc->depot_size++] = c->loaded;
				else
					spill = c->loaded;
				kunlock(&rc->lock);
				c->loaded = fresh;
			} else {
				ok = false;
			}
		}
	}
	if (ok)
		c->loaded->pfns[c->loaded->size++] = pfn;
	kunlock(&c->lock);
	if (spill) {
		mag_free_pfns(k, spill);
		free(spill);
	}
	return ok;
}

void kiova_flush(struct kiova *k)
{
	for (unsigned int o = 0; o < KIOVA_CACHED_ORDERS; o++) {
		struct krcache *rc = &k->rc[o];

		for (unsigned int cpu = 0; cpu < k->nr_cpus; cpu++) {
			struct kcpu *c = &rc->cpus[cpu];

			klock(&c->lock);
			mag_free_pfns(k, c->loaded);
			mag_free_pfns(k, c->prev);
			kunlock(&c->lock);
		}
		klock(&rc->lock);
		while (rc->depot_size) {
			struct kmag *m = rc->depot[--rc->depot_size];

			mag_free_pfns(k, m);
			free(m);
		}
		kunlock(&rc->lock);
	}
}

int kiova_alloc_fast(struct kiova *k, unsigned int cpu, uint64_t pages,
		     uint64_t *pfn)
{
	unsigned int order = order_of(pages);

	if (order < KIOVA_CACHED_ORDERS && rcache_get(k, cpu, order, pfn))
		return 0;
	if (!kiova_alloc(k, pages, pfn))
		return 0;
	kiova_flush(k);
	return kiova_alloc(k, pages, pfn);
}

void kiova_free_fast(struct kiova *k, unsigned int cpu, uint64_t pfn,
		     uint64_t pages)
{
	unsigned int order = order_of(pages);

	if (order < KIOVA_CACHED_ORDERS && rcache_insert(k, cpu, order, pfn))
		return;
	kiova_free(k, pfn);
}

/* ---- lifetime ---- */

struct kiova *kiova_create(uint64_t start_pfn, uint64_t limit_pfn,
			   enum kiova_lock_kind kind, unsigned int nr_cpus)
{
	struct kiova *k = calloc(1, sizeof(*k));

	if (!k)
		return NULL;
	klock_init(&k->lock, kind);
	k->start_pfn = start_pfn;
	k->limit_pfn = limit_pfn;
	k->nr_cpus = nr_cpus;
	k->anchor.lo = k->anchor.hi = KIOVA_ANCHOR;
	tree_insert(k, &k->anchor, NULL);
	k->live = 0;
	k->cached = &k->anchor;
	for (unsigned int o = 0; o < KIOVA_CACHED_ORDERS; o++) {
		struct krcache *rc = &k->rc[o];

		klock_init(&rc->lock, kind);
		rc->cpus = aligned_alloc(_Alignof(struct kcpu),
					 nr_cpus * sizeof(*rc->cpus));
		if (!rc->cpus) {
			kiova_destroy(k);
			return NULL;
		}
		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
			struct kcpu *c = &rc->cpus[cpu];

			klock_init(&c->lock, kind);
			c->loaded = calloc(1, sizeof(*c->loaded));
			c->prev = calloc(1, sizeof(*c->prev));
		}
		for (unsigned int cpu = 0; cpu < nr_cpus; cpu++) {
			if (!rc->cpus[cpu].loaded || !rc->cpus[cpu].prev) {
				kiova_destroy(k);
				return NULL;
			}
		}
	}
	return k;
}

static void free_subtree(struct kiova *k, struct kn *n)
{
	while (n) {
		struct kn *right = n->ch[1];

		free_subtree(k, n->ch[0]);
		if (n != &k->anchor)
			free(n);
		n = right;
	}
}

void kiova_destroy(struct kiova *k)
{
	if (!k)
		return;
	for (unsigned int o = 0; o < KIOVA_CACHED_ORDERS; o++) {
		struct krcache *rc = &k->rc[o];

		for (unsigned int cpu = 0; rc->cpus && cpu < k->nr_cpus;
		     cpu++) {
			free(rc->cpus[cpu].loaded);
			free(rc->cpus[cpu].prev);
			klock_fini(&rc->cpus[cpu].lock);
		}
		free(rc->cpus);
		for (unsigned int i = 0; i < rc->depot_size; i++)
			free(rc->depot[i]);
		klock_fini(&rc->lock);
	}
	free_subtree(k, k->root);
	klock_fini(&k->lock);
	free(k);
}

uint64_t kiova_metadata_bytes(struct kiova *k)
{
	uint64_t live;

	klock(&k->lock);
	live = k->live;
	kunlock(&k->lock);
	return live * sizeof(struct kn);
}
