/* SPDX-License-Identifier: MIT */
/*
 * Garbage that gets past the header check: random bodies and mutated sample
 * tables, each with a valid signature, length and checksum. The parser must
 * return 0 or a documented error, leave the output alone on error, and only
 * produce sane regions; run under ASan/valgrind it must not read outside
 * the table. Fixed seeds; UVF_ACPI_FUZZ_ITERS and UVF_ACPI_FUZZ_SEED make
 * longer or different runs.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/acpi.h>

#include "../common/check_main.h"
#include "acpi_test.h"
#include "sample_tables.h"

static unsigned long env_ulong(const char *name, unsigned long def)
{
	const char *s = getenv(name);

	return s && *s ? strtoul(s, NULL, 0) : def;
}

/* xorshift64*: reproducible across libcs, unlike rand(). */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 0x9e3779b97f4a7c15ull;
}

static int resolve_some(void *arg, uint16_t segment, uint8_t start_bus,
			const uint8_t *path, size_t hops, uint16_t *rid)
{
	(void)arg;
	(void)segment;
	if (path[0] & 1)
		return -ENODEV;
	*rid = (uint16_t)(start_bus << 8 | path[2 * (hops - 1)] << 3 |
			  path[2 * hops - 1]);
	return 0;
}

/* Parses an exact-size copy of @p and checks the outcome. */
static void ck_garbage(const uint8_t *p, size_t len)
{
	struct uvf_direct_regions out;
	struct regions_snapshot snap;
	uint8_t *copy = malloc(len);
	size_t i;
	int ret;

	ck_assert_ptr_nonnull(copy);
	memcpy(copy, p, len);
	regions_with_sentinel(&out);
	snapshot_take(&snap, &out);
	ret = uvf_acpi_parse(copy, len, resolve_some, NULL, &out);
	ck_assert_msg(ret == 0 || ret == -EINVAL || ret == -EBADMSG,
		      "unexpected %d", ret);
	if (ret) {
		snapshot_check_unchanged(&snap, &out);
	} else {
		ck_assert_uint_ge(out.nr, 1);
		for (i = 1; i < out.nr; i++) {
			ck_assert_uint_le(out.v[i].first, out.v[i].last);
			ck_assert_uint_le(out.v[i].rid_first,
					  out.v[i].rid_last);
			ck_assert_int_eq(out.v[i].first & 0xfff, 0);
			ck_assert_int_eq(out.v[i].last & 0xfff, 0xfff);
		}
	}
	snapshot_free(&snap);
	uvf_direct_regions_fini(&out);
	free(copy);
}

START_TEST(test_random_bodies_with_valid_header)
{
	static const char *const sigs[] = { "DMAR", "IVRS", "IORT" };
	unsigned long iters = env_ulong("UVF_ACPI_FUZZ_ITERS", 2000);
	uint8_t buf[1024];
	unsigned long n;

	rng_seed(env_ulong("UVF_ACPI_FUZZ_SEED", 1) + (uint64_t)_i);
	for (n = 0; n < iters; n++) {
		size_t len = 36 + rng() % (sizeof(buf) - 36 + 1), k;

		for (k = 0; k < len; k++)
			buf[k] = (uint8_t)rng();
		memcpy(buf, sigs[_i], 4);
		/* Steer the first fields towards plausible values so the
		 * walk gets past the first structure now and then. */
		if (len >= 48 && rng() % 2) {
			buf[36] = (uint8_t)(rng() % 8);	/* IORT node count */
			buf[37] = buf[38] = buf[39] = 0;
			buf[40] = 48;			/* IORT node offset */
			buf[41] = buf[42] = buf[43] = 0;
		}
		tb_set_length(buf, (uint32_t)len);
		ck_garbage(buf, len);
	}
}
END_TEST

/* Overwrites a random field of @p with a value chosen to hit edges. */
static void mutate(uint8_t *p, size_t len)
{
	static const uint32_t edges[] = {
		0, 1, 2, 3, 4, 6, 16, 20, 24, 28, 32, 36, 48, 0xff, 0xffff,
		0x10000, 0x7fffffff, 0xffffffff,
	};
	size_t off = 10 + rng() % (len - 10);
	size_t width = (size_t)1 << (rng() % 3);
	uint32_t v;
	size_t i;

	if (rng() % 2)
		v = edges[rng() % (sizeof(edges) / sizeof(edges[0]))];
	else
		v = (uint32_t)rng();
	if (rng() % 4 == 0)
		v = (uint32_t)len - (uint32_t)off + (uint32_t)(rng() % 8) - 4;
	for (i = 0; i < width && off + i < len; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

START_TEST(test_mutated_sample_tables)
{
	unsigned long iters = env_ulong("UVF_ACPI_FUZZ_ITERS", 2000);
	struct tb b;
	uint8_t *work;
	unsigned long n;

	if (_i == 0)
		sample_dmar(&b);
	else if (_i == 1)
		sample_ivrs(&b);
	else
		sample_iort(&b, 5, &(struct iort_layout){ 0 });
	work = malloc(b.len);
	ck_assert_ptr_nonnull(work);
	rng_seed(env_ulong("UVF_ACPI_FUZZ_SEED", 1) * 31 + (uint64_t)_i);
	for (n = 0; n < iters; n++) {
		unsigned int k, nmut = 1 + (unsigned int)(rng() % 4);

		memcpy(work, b.p, b.len);
		for (k = 0; k < nmut; k++)
			mutate(work, b.len);
		tb_set_length(work, (uint32_t)b.len);
		ck_garbage(work, b.len);
	}
	free(work);
	tb_free(&b);
}
END_TEST

/*
 * An RMR with 256 descriptors reached through 256 (then 257) root complex
 * mappings yields 65536 (then 65537) regions: the cap is where a hostile
 * table stops making the parser allocate.
 */
static int parse_region_bomb(uint32_t rc_maps, size_t *nr)
{
	struct uvf_direct_regions out = { 0 };
	struct iort_map *m = calloc(rc_maps, sizeof(*m));
	struct rmr_desc d[256];
	struct tb b;
	size_t its, smmu;
	uint32_t i;
	int ret;

	ck_assert_ptr_nonnull(m);
	iort_begin(&b, 5);
	its = iort_its(&b);
	smmu = iort_smmuv3(&b, (uint32_t)its);
	for (i = 0; i < rc_maps; i++)
		m[i] = (struct iort_map){ i, 0, 0x42, (uint32_t)smmu, 0 };
	iort_rc(&b, 0, m, rc_maps);
	for (i = 0; i < 256; i++)
		d[i] = (struct rmr_desc){ 0x80000000ull + i * 0x1000ull,
					  0x1000 };
	iort_rmr(&b, 0, &(struct iort_map){ 0, 0, 0x42, (uint32_t)smmu, 0 },
		 1, d, 256);
	iort_finish(&b, 4);
	ret = uvf_acpi_parse(b.p, b.len, NULL, NULL, &out);
	*nr = out.nr;
	uvf_direct_regions_fini(&out);
	tb_free(&b);
	free(m);
	return ret;
}

START_TEST(test_region_count_is_capped)
{
	size_t nr;

	ck_assert_int_eq(parse_region_bomb(256, &nr), 0);
	ck_assert_uint_eq(nr, 65536);
	ck_assert_int_eq(parse_region_bomb(257, &nr), -EINVAL);
	ck_assert_uint_eq(nr, 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("acpi_fuzz");
	TCase *tc = tcase_create("fuzz");

	tcase_add_loop_test(tc, test_random_bodies_with_valid_header, 0, 3);
	tcase_add_loop_test(tc, test_mutated_sample_tables, 0, 3);
	tcase_add_test(tc, test_region_count_is_capped);
	suite_add_tcase(s, tc);
	return s;
}
