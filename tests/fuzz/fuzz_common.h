/* SPDX-License-Identifier: MIT */
/*
 * Shared by the libFuzzer targets: a reader that hands out the fuzzer's
 * bytes as fields (zeros once they run out, so every input is a complete
 * run), and an invariant check that aborts, which libFuzzer reports as a
 * crash with the input that caused it.
 */
#ifndef UVF_FUZZ_COMMON_H
#define UVF_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                              \
	do {                                                               \
		if (!(cond)) {                                             \
			fprintf(stderr, "%s:%d: invariant broken: %s: ",   \
				__FILE__, __LINE__, #cond);                \
			fprintf(stderr, __VA_ARGS__);                      \
			fputc('\n', stderr);                               \
			abort();                                           \
		}                                                          \
	} while (0)

/* The harness's own bookkeeping (the byte reader, a reference model):
 * no coverage feedback, whose comparison hooks would cost more than the
 * code they watch. ASan and UBSan still check it. */
#define FUZZ_NO_COVERAGE __attribute__((no_sanitize("coverage")))

struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

FUZZ_NO_COVERAGE static inline void fuzz_take(struct fuzz_in *in, void *out, size_t len)
{
	size_t k = len < in->n ? len : in->n;

	memcpy(out, in->p, k);
	memset((uint8_t *)out + k, 0, len - k);
	in->p += k;
	in->n -= k;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	uint8_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	uint32_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	uint64_t v;

	fuzz_take(in, &v, sizeof(v));
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: once, before the first input (what is costly to build). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
