/* SPDX-License-Identifier: MIT */
/*
 * Records of live mappings keyed by their first IOVA: an open-addressing
 * hash table with linear probing and backward-shift deletion, so lookups on
 * the unmap path cost a couple of cache lines and no tombstones pile up.
 * Not locked: the owning domain serialises access.
 */
#ifndef UVF_UTIL_MAPTABLE_H
#define UVF_UTIL_MAPTABLE_H

#include <uvf/types.h>

struct uvf_maprec {
	uvf_iova_t iova;
	uint64_t len;		/* 0 marks an empty slot */
	uint64_t data;		/* owner's datum (e.g. the allocated size) */
	uint64_t vaddr;		/* memory mapped there, for drawings */
};

struct uvf_maptable {
	struct uvf_maprec *slot;
	size_t mask;		/* capacity - 1 */
	size_t count;
};

int uvf_maptable_init(struct uvf_maptable *t, size_t capacity_hint);
void uvf_maptable_fini(struct uvf_maptable *t);
/* -EEXIST if @iova is present, -ENOMEM if growing failed (table intact). */
int uvf_maptable_insert(struct uvf_maptable *t, uvf_iova_t iova, uint64_t len,
			uint64_t data, uint64_t vaddr);
struct uvf_maprec *uvf_maptable_find(const struct uvf_maptable *t,
				     uvf_iova_t iova);
void uvf_maptable_remove(struct uvf_maptable *t, struct uvf_maprec *rec);
/*
 * Put back a record removed earlier, when no record for its IOVA has been
 * inserted since. Never grows the table, so it cannot fail: a removal left
 * room, and inserts in between kept the load at or under one half.
 */
void uvf_maptable_restore(struct uvf_maptable *t, const struct uvf_maprec *rec);

#endif
