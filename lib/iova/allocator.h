/* SPDX-License-Identifier: MIT */
/*
 * What a struct uvf_iova_allocator is: the shared pool and the per-thread
 * caches in front of it. Private to lib/iova, and to uvf-bench, which times
 * the pool on its own.
 */
#ifndef UVF_IOVA_ALLOCATOR_H
#define UVF_IOVA_ALLOCATOR_H

#include "pool.h"
#include "rcache.h"

struct uvf_iova_allocator {
	struct iova_pool pool;
	struct iova_rcache rcache;
};

#endif
