// SPDX-License-Identifier: MIT
/* First-fit baseline for uvf-bench's iova cases (see firstfit.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "firstfit.h"

int bench_block_cmp(const void *x, const void *y)
{
	const struct bench_block *a = x, *b = y;

	return a->pfn < b->pfn ? -1 : a->pfn > b->pfn;
}

static struct ff_extent *ff_node(struct firstfit *ff)
{
	struct ff_extent *e = ff->spare;

	if (e) {
		ff->spare = e->next;
		return e;
	}
	/* Sized at build time: every live extent is a free block's worth. */
	return ff->used_nodes < ff->nr_nodes ? &ff->nodes[ff->used_nodes++] :
					       NULL;
}

static void ff_put(struct firstfit *ff, struct ff_extent *e)
{
	e->next = ff->spare;
	ff->spare = e;
}

int ff_alloc(struct firstfit *ff, uint64_t pages, uint64_t *pfn)
{
	struct ff_extent **link, *e, *r;
	int ret = -ENOSPC;

	pthread_mutex_lock(&ff->lock);
	for (link = &ff->head; (e = *link); link = &e->next) {
		uint64_t s = (e->start + pages - 1) & ~(pages - 1);

		if (s + pages > e->end)
			continue;
		if (s == e->start && s + pages == e->end) {
			*link = e->next;
			ff_put(ff, e);
		} else if (s == e->start) {
			e->start += pages;
		} else if (s + pages == e->end) {
			e->end = s;
		} else {
			r = ff_node(ff);
			if (!r) {
				ret = -ENOMEM;
				break;
			}
			r->start = s + pages;
			r->end = e->end;
			r->next = e->next;
			e->end = s;
			e->next = r;
		}
		*pfn = s;
		ret = 0;
		break;
	}
	pthread_mutex_unlock(&ff->lock);
	return ret;
}

void ff_free(struct firstfit *ff, uint64_t pfn, uint64_t pages)
{
	struct ff_extent **link = &ff->head, *prev = NULL, *next, *e;

	pthread_mutex_lock(&ff->lock);
	while (*link && (*link)->start < pfn) {
		prev = *link;
		link = &prev->next;
	}
	next = *link;
	if (prev && prev->end == pfn) {
		prev->end += pages;
		if (next && next->start == prev->end) {
			prev->end = next->end;
			prev->next = next->next;
			ff_put(ff, next);
		}
	} else if (next && next->start == pfn + pages) {
		next->start = pfn;
	} else {
		e = ff_node(ff);
		/* Cannot fail: a free never needs more nodes than it held. */
		e->start = pfn;
		e->end = pfn + pages;
		e->next = next;
		*link = e;
	}
	pthread_mutex_unlock(&ff->lock);
}


/* The first-fit list holding exactly @free (sorted, merged on the way). */
int ff_build(struct firstfit *ff, struct bench_block *free_list, size_t n)
{
	struct ff_extent **link = &ff->head, *last = NULL;

	memset(ff, 0, sizeof(*ff));
	qsort(free_list, n, sizeof(*free_list), bench_block_cmp);
	/*
	 * At most one more extent per outstanding allocation (a split), and
	 * there are at most as many of those as threads (main.c caps at 4096).
	 */
	ff->nr_nodes = n + 4096;
	ff->nodes = malloc(ff->nr_nodes * sizeof(*ff->nodes));
	if (!ff->nodes)
		return -ENOMEM;
	pthread_mutex_init(&ff->lock, NULL);
	for (size_t i = 0; i < n; i++) {
		if (last && last->end == free_list[i].pfn) {
			last->end += free_list[i].pages;
			continue;
		}
		last = ff_node(ff);
		last->start = free_list[i].pfn;
		last->end = free_list[i].pfn + free_list[i].pages;
		last->next = NULL;
		*link = last;
		link = &last->next;
	}
	return 0;
}

void ff_destroy(struct firstfit *ff)
{
	pthread_mutex_destroy(&ff->lock);
	free(ff->nodes);
}
