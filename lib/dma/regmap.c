/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "dma/regmap.h"

/* 48-bit CPU addresses: 18 bits of 1 GiB slots, 9 of 2 MiB, 9 of 4 KiB. */
#define VA_BITS 48
#define L1_SHIFT 30
#define L2_SHIFT 21
#define L1_ENTRIES (1u << (VA_BITS - L1_SHIFT))
#define TBL_ENTRIES 512

#define E_LEAF 1ull	/* delta | E_LEAF: translation */
#define E_TABLE 2ull	/* pointer | E_TABLE: 4 KiB-granular table */
#define E_TAGS 3ull

typedef _Atomic uint64_t entry_t;

struct reg {
	uintptr_t va;
	uint64_t len;
	uvf_iova_t iova;
	uint64_t cookie;
};

struct uvf_regmap {
	_Atomic(entry_t *) l1[L1_ENTRIES];
	pthread_mutex_t lock;
	struct reg *regs;
	size_t nr_regs, cap_regs;
};

int uvf_regmap_create(struct uvf_regmap **out)
{
	/* calloc: the 2 MiB top level costs only the pages touched. */
	struct uvf_regmap *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	*out = m;
	return 0;
}

void uvf_regmap_destroy(struct uvf_regmap *m)
{
	size_t i, j;

	if (!m)
		return;
	for (i = 0; i < L1_ENTRIES; i++) {
		entry_t *l2 = atomic_load_explicit(&m->l1[i],
						   memory_order_relaxed);

		if (!l2)
			continue;
		for (j = 0; j < TBL_ENTRIES; j++) {
			uint64_t e = atomic_load_explicit(&l2[j],
							  memory_order_relaxed);

			if (e & E_TABLE)
				free((void *)(uintptr_t)(e & ~E_TAGS));
		}
		free(l2);
	}
	pthread_mutex_destroy(&m->lock);
	free(m->regs);
	free(m);
}

void uvf_regmap_lock(struct uvf_regmap *m)
{
	pthread_mutex_lock(&m->lock);
}

void uvf_regmap_unlock(struct uvf_regmap *m)
{
	pthread_mutex_unlock(&m->lock);
}

int uvf_regmap_lookup(const struct uvf_regmap *m, const void *vaddr,
		      uvf_iova_t *iova)
{
	uintptr_t va = (uintptr_t)vaddr;
	entry_t *l2;
	uint64_t e;

	if (!m || va >> VA_BITS)
		return -ENOENT;
	l2 = atomic_load_explicit(&((struct uvf_regmap *)m)->l1[va >> L1_SHIFT],
				  memory_order_acquire);
	if (!l2)
		return -ENOENT;
	e = atomic_load_explicit(&l2[(va >> L2_SHIFT) & (TBL_ENTRIES - 1)],
				 memory_order_acquire);
	if (e & E_TABLE) {
		entry_t *l3 = (entry_t *)(uintptr_t)(e & ~E_TAGS);

		e = atomic_load_explicit(
			&l3[(va >> UVF_PAGE_SHIFT) & (TBL_ENTRIES - 1)],
			memory_order_relaxed);
	}
	if (!(e & E_LEAF))
		return -ENOENT;
	*iova = va + (e & ~(uint64_t)(UVF_PAGE_SIZE - 1));
	return 0;
}

static entry_t *l2_of(struct uvf_regmap *m, uintptr_t va, bool create)
{
	entry_t *l2 = atomic_load_explicit(&m->l1[va >> L1_SHIFT],
					   memory_order_relaxed);

	if (!l2 && create) {
		l2 = calloc(TBL_ENTRIES, sizeof(*l2));
		if (l2)
			atomic_store_explicit(&m->l1[va >> L1_SHIFT], l2,
					      memory_order_release);
	}
	return l2;
}

static entry_t *l3_of(entry_t *slot, bool create)
{
	uint64_t e = atomic_load_explicit(slot, memory_order_relaxed);
	entry_t *l3;

	if (e & E_TABLE)
		return (entry_t *)(uintptr_t)(e & ~E_TAGS);
	if (!create || e)
		return NULL;
	l3 = calloc(TBL_ENTRIES, sizeof(*l3));
	if (l3)
		atomic_store_explicit(slot, (uintptr_t)l3 | E_TABLE,
				      memory_order_release);
	return l3;
}

int uvf_regmap_check_free(struct uvf_regmap *m, const void *vaddr,
			  uint64_t len)
{
	uintptr_t va = (uintptr_t)vaddr, end = va + len, p;

	if (end > (1ull << VA_BITS) || end < va)
		return -EINVAL;
	for (p = va; p < end; p += UVF_PAGE_SIZE) {
		entry_t *l2 = l2_of(m, p, false), *l3;
		uint64_t e;

		if (!l2)
			continue;
		e = atomic_load_explicit(&l2[(p >> L2_SHIFT) & (TBL_ENTRIES - 1)],
					 memory_order_relaxed);
		if (e & E_LEAF)
			return -EEXIST;
		l3 = l3_of(&l2[(p >> L2_SHIFT) & (TBL_ENTRIES - 1)], false);
		if (l3 && (atomic_load_explicit(
				   &l3[(p >> UVF_PAGE_SHIFT) & (TBL_ENTRIES - 1)],
				   memory_order_relaxed) & E_LEAF))
			return -EEXIST;
	}
	return 0;
}

/* Store (or with @clear, remove) the entries of one registration. Tables
 * are created first, so a failure leaves every entry as it was. */
static int set_entries(struct uvf_regmap *m, uintptr_t va, uint64_t len,
		       const uvf_iova_t *page_iova, uvf_iova_t iova, bool clear)
{
	uintptr_t end = va + len, p;
	int pass;

	for (pass = clear ? 1 : 0; pass < 2; pass++) {
		for (p = va; p < end;) {
			uintptr_t chunk = p & ~(UVF_SZ_2M - 1);
			entry_t *l2 = l2_of(m, p, !pass), *slot, *l3;
			bool whole = p == chunk && end - p >= UVF_SZ_2M &&
				     !page_iova;

			if (!l2)
				return -ENOMEM;
			slot = &l2[(p >> L2_SHIFT) & (TBL_ENTRIES - 1)];
			if (whole && !(atomic_load(slot) & E_TABLE)) {
				/* A whole 2 MiB chunk with one delta: a
				 * leaf one level up, one load less. */
				if (pass)
					atomic_store_explicit(
						slot,
						clear ? 0 :
							(iova + (p - va) - p) |
								E_LEAF,
						memory_order_release);
				p += UVF_SZ_2M;
				continue;
			}
			l3 = l3_of(slot, !pass);
			if (!l3)
				return -ENOMEM;
			for (; p < end && (p & ~(UVF_SZ_2M - 1)) == chunk;
			     p += UVF_PAGE_SIZE) {
				uvf_iova_t dev = page_iova ?
					page_iova[(p - va) >> UVF_PAGE_SHIFT] :
					iova + (p - va);

				if (pass)
					atomic_store_explicit(
						&l3[(p >> UVF_PAGE_SHIFT) &
						    (TBL_ENTRIES - 1)],
						clear ? 0 : (dev - p) | E_LEAF,
						memory_order_release);
			}
		}
	}
	return 0;
}

int uvf_regmap_add(struct uvf_regmap *m, const void *vaddr, uint64_t len,
		   const uvf_iova_t *page_iova, uvf_iova_t iova,
		   uint64_t cookie)
{
	int ret;

	if (m->nr_regs == m->cap_regs) {
		size_t cap = m->cap_regs ? m->cap_regs * 2 : 16;
		struct reg *r = realloc(m->regs, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		m->regs = r;
		m->cap_regs = cap;
	}
	ret = set_entries(m, (uintptr_t)vaddr, len, page_iova, iova, false);
	if (ret)
		return ret;
	m->regs[m->nr_regs++] = (struct reg){ (uintptr_t)vaddr, len, iova,
					      cookie };
	return 0;
}

static struct reg *find_reg(struct uvf_regmap *m, const void *vaddr,
			    uint64_t len, uint64_t cookie)
{
	size_t i;

	for (i = 0; i < m->nr_regs; i++) {
		struct reg *r = &m->regs[i];

		if (r->va == (uintptr_t)vaddr && r->len == len &&
		    r->cookie == cookie)
			return r;
	}
	return NULL;
}

int uvf_regmap_find(struct uvf_regmap *m, const void *vaddr, uint64_t len,
		    uint64_t cookie, uvf_iova_t *iova)
{
	struct reg *r = find_reg(m, vaddr, len, cookie);

	if (!r)
		return -ENOENT;
	*iova = r->iova;
	return 0;
}

int uvf_regmap_remove(struct uvf_regmap *m, const void *vaddr, uint64_t len,
		      uint64_t cookie, uvf_iova_t *iova)
{
	struct reg *r = find_reg(m, vaddr, len, cookie);

	if (!r)
		return -ENOENT;
	*iova = r->iova;
	set_entries(m, r->va, r->len, NULL, 0, true);
	*r = m->regs[--m->nr_regs];
	return 0;
}
