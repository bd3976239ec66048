/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "acpi_test.h"

void ck_region(const struct uvf_direct_region *r, const struct want_region *w)
{
	ck_assert_int_eq(r->source, w->source);
	ck_assert_uint_eq(r->segment, w->segment);
	ck_assert_uint_eq(r->rid_first, w->rid_first);
	ck_assert_uint_eq(r->rid_last, w->rid_last);
	ck_assert_uint_eq(r->first, w->first);
	ck_assert_uint_eq(r->last, w->last);
	ck_assert_int_eq(r->prot, w->prot);
	ck_assert_int_eq(r->relaxable, w->relaxable);
	ck_assert_int_eq(r->attrs, w->attrs);
}

void snapshot_take(struct regions_snapshot *s,
		   const struct uvf_direct_regions *r)
{
	s->nr = r->nr;
	s->nr_unresolved = r->nr_unresolved;
	s->ptr = r->v;
	s->v = NULL;
	if (r->nr) {
		s->v = malloc(r->nr * sizeof(*s->v));
		ck_assert_ptr_nonnull(s->v);
		memcpy(s->v, r->v, r->nr * sizeof(*s->v));
	}
}

void snapshot_check_unchanged(const struct regions_snapshot *s,
			      const struct uvf_direct_regions *r)
{
	ck_assert_uint_eq(r->nr, s->nr);
	ck_assert_uint_eq(r->nr_unresolved, s->nr_unresolved);
	ck_assert_ptr_eq(r->v, s->ptr);
	if (s->nr)
		ck_assert_int_eq(memcmp(r->v, s->v, s->nr * sizeof(*s->v)), 0);
}

void snapshot_free(struct regions_snapshot *s)
{
	free(s->v);
	s->v = NULL;
}

void regions_with_sentinel(struct uvf_direct_regions *out)
{
	memset(out, 0, sizeof(*out));
	out->v = calloc(1, sizeof(*out->v));
	ck_assert_ptr_nonnull(out->v);
	out->v[0] = (struct uvf_direct_region){
		.source = UVF_DIRECT_IVRS_IVMD,
		.segment = 7,
		.rid_first = 0x1234,
		.rid_last = 0x1234,
		.first = 0xabc000,
		.last = 0xabcfff,
		.prot = UVF_PROT_READ,
	};
	out->nr = 1;
	out->nr_unresolved = 3;
}

static bool is_cut(const struct tb *b, size_t len)
{
	size_t i;

	for (i = 0; i < b->nr_cuts; i++)
		if (b->cuts[i] == len)
			return true;
	return false;
}

void ck_every_prefix(const struct tb *b, size_t fixed_len)
{
	struct uvf_direct_regions out;
	struct regions_snapshot snap;
	uint8_t *copy;
	size_t len;
	int ret;

	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	for (len = 0; len < b->len; len++) {
		/* Exact-size heap copy: ASan catches any read past it. */
		copy = malloc(len ? len : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, b->p, len);
		ret = uvf_acpi_parse(copy, len, NULL, NULL, &out);
		ck_assert_msg(ret == -EBADMSG, "prefix %zu: %d", len, ret);
		snapshot_check_unchanged(&snap, &out);
		free(copy);
	}

	for (len = 0; len <= b->len; len++) {
		copy = malloc(len ? len : 1);
		ck_assert_ptr_nonnull(copy);
		memcpy(copy, b->p, len);
		if (len >= 10)
			tb_set_length(copy, (uint32_t)len);
		ret = uvf_acpi_parse(copy, len, NULL, NULL, &out);
		if (len < fixed_len)
			ck_assert_msg(ret == -EBADMSG, "cut %zu: %d", len, ret);
		else if (is_cut(b, len))
			ck_assert_msg(ret == 0, "cut %zu: %d", len, ret);
		else
			ck_assert_msg(ret == -EINVAL, "cut %zu: %d", len, ret);
		if (ret) {
			snapshot_check_unchanged(&snap, &out);
		} else {
			/* Keep comparing against a one-region list. */
			uvf_direct_regions_fini(&out);
			regions_with_sentinel(&out);
			snapshot_free(&snap);
			snapshot_take(&snap, &out);
		}
		free(copy);
	}
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
}
