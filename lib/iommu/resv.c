/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iommu/resv.h"

static int cmp_range(const void *a, const void *b)
{
	const struct uvf_iova_range *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

int uvf_ranges_subtract(const struct uvf_iova_range *in, size_t nin,
			const struct uvf_iova_range *sub, size_t nsub,
			struct uvf_iova_range **out)
{
	struct uvf_iova_range *s = NULL, *res;
	size_t i, j, n = 0;

	/* Each cut can split one piece in two: nin + nsub pieces at most. */
	res = malloc((nin + nsub + 1) * sizeof(*res));
	if (!res)
		return -ENOMEM;
	if (nsub) {
		s = malloc(nsub * sizeof(*s));
		if (!s) {
			free(res);
			return -ENOMEM;
		}
		memcpy(s, sub, nsub * sizeof(*s));
		qsort(s, nsub, sizeof(*s), cmp_range);
	}

	for (i = 0; i < nin; i++) {
		uvf_iova_t cur = in[i].first;
		bool done = false;

		for (j = 0; j < nsub && !done; j++) {
			if (s[j].last < cur || s[j].first > in[i].last)
				continue;
			if (s[j].first > cur)
				res[n++] = (struct uvf_iova_range){ cur,
								    s[j].first - 1 };
			if (s[j].last >= in[i].last)
				done = true;
			else if (s[j].last + 1 > cur)
				cur = s[j].last + 1;
		}
		if (!done)
			res[n++] = (struct uvf_iova_range){ cur, in[i].last };
	}
	free(s);
	qsort(res, n, sizeof(*res), cmp_range);
	*out = res;
	return (int)n;
}
