/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dirty_check.h"

#define PG 4096ull

static char msg[256];

/* Reads pages [@first, @first + @n) of the rig's range and compares with
 * @want (bit i: page @first + i). */
static const char *expect(const struct dirty_rig *r, const char *step,
			  unsigned int first, unsigned int n,
			  unsigned int flags, uint64_t want)
{
	uint64_t got = ~0ull;
	int ret = uvf_domain_read_dirty(r->dom, r->base + first * PG, n * PG,
					PG, &got, flags);

	if (ret) {
		snprintf(msg, sizeof(msg), "%s: read_dirty: %s", step,
			 strerror(-ret));
		return msg;
	}
	if (got != want) {
		snprintf(msg, sizeof(msg),
			 "%s: dirty bitmap %#llx, want %#llx", step,
			 (unsigned long long)got, (unsigned long long)want);
		return msg;
	}
	return NULL;
}

static const char *write_pages(const struct dirty_rig *r, uint64_t pages)
{
	unsigned int i;
	int ret;

	for (i = 0; i < DIRTY_CHECK_PAGES; i++) {
		if (!(pages >> i & 1))
			continue;
		ret = r->write(r->arg, r->base + i * PG);
		if (ret) {
			snprintf(msg, sizeof(msg), "device write of page %u: %s",
				 i, strerror(-ret));
			return msg;
		}
	}
	return NULL;
}

static const char *body(const struct dirty_rig *r)
{
	const uint64_t some = 1u << 1 | 1u << 4 | 1u << 5 | 1u << 13;
	uint64_t bm = 0x5a5a;
	const char *e;
	int ret;

	/* Off: refused, the caller's bitmap untouched. */
	ret = uvf_domain_read_dirty(r->dom, r->base, 4 * PG, PG, &bm, 0);
	if (ret != -EINVAL || bm != 0x5a5a)
		return "read_dirty with tracking off is not -EINVAL";
	ret = uvf_domain_set_dirty_tracking(r->dom, true);
	if (ret) {
		snprintf(msg, sizeof(msg), "enable tracking: %s",
			 strerror(-ret));
		return msg;
	}
	if ((e = expect(r, "fresh", 0, DIRTY_CHECK_PAGES, 0, 0)))
		return e;
	if ((e = write_pages(r, some)) ||
	    (e = expect(r, "after writes", 0, DIRTY_CHECK_PAGES, 0, some)) ||
	    (e = expect(r, "read again", 0, DIRTY_CHECK_PAGES, 0, 0)))
		return e;
	/* NO_CLEAR leaves the bits for the next read. */
	if ((e = write_pages(r, 1u << 2)) ||
	    (e = expect(r, "no-clear", 0, DIRTY_CHECK_PAGES,
			UVF_DIRTY_NO_CLEAR, 1u << 2)) ||
	    (e = expect(r, "after no-clear", 0, DIRTY_CHECK_PAGES, 0,
			1u << 2)) ||
	    (e = expect(r, "cleared", 0, DIRTY_CHECK_PAGES, 0, 0)))
		return e;
	/* Bits count from the start of the range read; a read of part of
	 * the range leaves the rest dirty. */
	if ((e = write_pages(r, 1u << 7 | 1u << 14)) ||
	    (e = expect(r, "sub-range", 4, 8, 0, 1u << 3)) ||
	    (e = expect(r, "rest", 0, DIRTY_CHECK_PAGES, 0, 1u << 14)))
		return e;
	/* Restarting forgets what was written before. */
	if ((e = write_pages(r, 1u << 9)))
		return e;
	if (uvf_domain_set_dirty_tracking(r->dom, false) ||
	    uvf_domain_set_dirty_tracking(r->dom, true))
		return "restart tracking failed";
	return expect(r, "after restart", 0, DIRTY_CHECK_PAGES, 0, 0);
}

const char *dirty_check_run(const struct dirty_rig *r)
{
	size_t len = DIRTY_CHECK_PAGES * PG;
	const char *e;
	void *buf;
	int ret;

	buf = aligned_alloc(PG, len);
	if (!buf)
		return "out of memory";
	memset(buf, 0, len);
	ret = uvf_domain_map(r->dom, r->base, buf, len, UVF_PROT_RW);
	if (ret) {
		snprintf(msg, sizeof(msg), "map: %s", strerror(-ret));
		free(buf);
		return msg;
	}
	e = body(r);
	uvf_domain_set_dirty_tracking(r->dom, false);
	ret = uvf_domain_unmap(r->dom, r->base, len);
	if (!e && ret) {
		snprintf(msg, sizeof(msg), "unmap: %s", strerror(-ret));
		e = msg;
	}
	free(buf);
	return e;
}
