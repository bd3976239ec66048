/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include "util/maptable.h"

static inline size_t slot_of(const struct uvf_maptable *t, uvf_iova_t iova)
{
	/* Fibonacci hashing of the page number spreads sequential IOVAs. */
	return (size_t)(((iova >> UVF_PAGE_SHIFT) * 0x9e3779b97f4a7c15ull) >>
			20) & t->mask;
}

int uvf_maptable_init(struct uvf_maptable *t, size_t capacity_hint)
{
	size_t cap = 64;

	while (cap < capacity_hint * 2)
		cap <<= 1;
	t->slot = calloc(cap, sizeof(*t->slot));
	if (!t->slot)
		return -ENOMEM;
	t->mask = cap - 1;
	t->count = 0;
	return 0;
}

void uvf_maptable_fini(struct uvf_maptable *t)
{
	free(t->slot);
	t->slot = NULL;
	t->count = 0;
}

static void place(struct uvf_maptable *t, const struct uvf_maprec *rec)
{
	size_t i = slot_of(t, rec->iova);

	while (t->slot[i].len)
		i = (i + 1) & t->mask;
	t->slot[i] = *rec;
	t->count++;
}

static int grow(struct uvf_maptable *t)
{
	struct uvf_maptable bigger;
	size_t i;

	bigger.slot = calloc((t->mask + 1) * 2, sizeof(*bigger.slot));
	if (!bigger.slot)
		return -ENOMEM;
	bigger.mask = t->mask * 2 + 1;
	bigger.count = 0;
	for (i = 0; i <= t->mask; i++)
		if (t->slot[i].len)
			place(&bigger, &t->slot[i]);
	free(t->slot);
	*t = bigger;
	return 0;
}

struct uvf_maprec *uvf_maptable_find(const struct uvf_maptable *t,
				     uvf_iova_t iova)
{
	size_t i = slot_of(t, iova);

	while (t->slot[i].len) {
		if (t->slot[i].iova == iova)
			return &t->slot[i];
		i = (i + 1) & t->mask;
	}
	return NULL;
}

int uvf_maptable_insert(struct uvf_maptable *t, uvf_iova_t iova, uint64_t len,
			uint64_t data, uint64_t vaddr)
{
	struct uvf_maprec rec = { .iova = iova, .len = len, .data = data,
				  .vaddr = vaddr };
	int ret;

	if (uvf_maptable_find(t, iova))
		return -EEXIST;
	/* Keep the load at or under one half so probe runs stay short. */
	if ((t->count + 1) * 2 > t->mask + 1) {
		ret = grow(t);
		if (ret)
			return ret;
	}
	place(t, &rec);
	return 0;
}

void uvf_maptable_remove(struct uvf_maptable *t, struct uvf_maprec *rec)
{
	size_t hole = (size_t)(rec - t->slot);
	size_t i = hole;

	/* Backward-shift: pull later entries of the probe run into the hole
	 * when their home slot does not lie cyclically in (hole, i]. */
	for (;;) {
		size_t home;

		i = (i + 1) & t->mask;
		if (!t->slot[i].len)
			break;
		home = slot_of(t, t->slot[i].iova);
		if (((i - home) & t->mask) >= ((i - hole) & t->mask)) {
			t->slot[hole] = t->slot[i];
			hole = i;
		}
	}
	t->slot[hole].len = 0;
	t->count--;
}

void uvf_maptable_restore(struct uvf_maptable *t, const struct uvf_maprec *rec)
{
	place(t, rec);
}
