/* SPDX-License-Identifier: MIT */
/*
 * One ACPI table parser (DMAR, IVRS or IORT, chosen at build time by
 * FUZZ_ACPI_SIG) on fuzzer-made bodies. The target writes the signature,
 * the length (the input's size) and the checksum itself, so the fuzzer's
 * effort goes into the structures behind the header. The parser must
 * return 0 or a documented error, leave the output alone on error, only
 * produce sane regions, and (under ASan) never read outside the table.
 */
#include <errno.h>

#include <uvf/acpi.h>

#include "fuzz_common.h"

#define HDR_LEN 36u

/* Resolves half of the bridge paths, so both outcomes are walked. */
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

static void fix_header(uint8_t *t, uint32_t len)
{
	uint8_t sum = 0;
	uint32_t i;

	memcpy(t, FUZZ_ACPI_SIG, 4);
	t[4] = (uint8_t)len;
	t[5] = (uint8_t)(len >> 8);
	t[6] = (uint8_t)(len >> 16);
	t[7] = (uint8_t)(len >> 24);
	t[9] = 0;
	for (i = 0; i < len; i++)
		sum = (uint8_t)(sum + t[i]);
	t[9] = (uint8_t)-sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct uvf_direct_region sentinel = {
		.first = 0x1000, .last = 0x1fff, .rid_first = 7, .rid_last = 7,
	};
	struct uvf_direct_regions out = { 0 };
	struct uvf_direct_region *v0;
	uint8_t *t;
	size_t i;
	int ret;

	if (size < HDR_LEN || size > 1u << 16)
		return 0;
	/* An exact-size copy: ASan sees any read past the table. */
	t = malloc(size);
	FUZZ_CHECK(t, "out of memory");
	memcpy(t, data, size);
	fix_header(t, (uint32_t)size);

	v0 = malloc(sizeof(*v0));
	FUZZ_CHECK(v0, "out of memory");
	*v0 = sentinel;
	out.v = v0;
	out.nr = 1;
	out.nr_unresolved = 3;
	out.nr_skipped = 5;

	ret = uvf_acpi_parse(t, size, resolve_some, NULL, &out);
	FUZZ_CHECK(ret == 0 || ret == -EINVAL || ret == -EBADMSG,
		   "unexpected return %d", ret);
	if (ret) {
		FUZZ_CHECK(out.v == v0 && out.nr == 1 &&
			   out.nr_unresolved == 3 && out.nr_skipped == 5 &&
			   !memcmp(&out.v[0], &sentinel, sizeof(sentinel)),
			   "output changed by a failed parse (%d)", ret);
	} else {
		FUZZ_CHECK(out.nr >= 1 && out.nr_unresolved >= 3 &&
			   out.nr_skipped >= 5 &&
			   !memcmp(&out.v[0], &sentinel, sizeof(sentinel)),
			   "earlier output not kept");
		for (i = 1; i < out.nr; i++) {
			const struct uvf_direct_region *r = &out.v[i];

			FUZZ_CHECK(r->first <= r->last &&
				   r->rid_first <= r->rid_last &&
				   !(r->first & 0xfff) &&
				   (r->last & 0xfff) == 0xfff,
				   "region %zu [%#llx, %#llx] rids [%#x, %#x]",
				   i, (unsigned long long)r->first,
				   (unsigned long long)r->last, r->rid_first,
				   r->rid_last);
			FUZZ_CHECK(!(r->prot & ~UVF_PROT_RW),
				   "region %zu prot %#x", i, r->prot);
		}
	}
	uvf_direct_regions_fini(&out);
	free(t);
	return 0;
}
