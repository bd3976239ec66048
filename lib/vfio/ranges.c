/* SPDX-License-Identifier: MIT */
/* Small operations on sorted sets of inclusive IOVA ranges. */
#include <errno.h>

#include "vfio_priv.h"

int vfio_ranges_append(struct vfio_range_set *s, uvf_iova_t first,
		       uvf_iova_t last)
{
	if (first > last || (s->n && first <= s->v[s->n - 1].last))
		return -EIO;
	if (s->n < VFIO_MAX_RANGES)
		s->v[s->n++] = (struct uvf_iova_range){ first, last };
	return 0;
}

void vfio_ranges_clamp(struct vfio_range_set *s, uvf_iova_t last)
{
	size_t i, n = 0;

	for (i = 0; i < s->n; i++) {
		if (s->v[i].first > last)
			continue;
		s->v[n] = s->v[i];
		if (s->v[n].last > last)
			s->v[n].last = last;
		n++;
	}
	s->n = n;
}

void vfio_ranges_intersect(struct vfio_range_set *a,
			   const struct vfio_range_set *b)
{
	struct vfio_range_set r = { .n = 0 };
	size_t i, j;

	for (i = 0; i < a->n; i++) {
		for (j = 0; j < b->n && r.n < VFIO_MAX_RANGES; j++) {
			uvf_iova_t f = a->v[i].first > b->v[j].first ?
					       a->v[i].first : b->v[j].first;
			uvf_iova_t l = a->v[i].last < b->v[j].last ?
					       a->v[i].last : b->v[j].last;

			if (f <= l)
				r.v[r.n++] = (struct uvf_iova_range){ f, l };
		}
	}
	*a = r;
}

bool vfio_ranges_cover(const struct vfio_range_set *outer,
		       const struct uvf_iova_range *inner, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < outer->n; j++)
			if (outer->v[j].first <= inner[i].first &&
			    inner[i].last <= outer->v[j].last)
				break;
		if (j == outer->n)
			return false;
	}
	return true;
}
