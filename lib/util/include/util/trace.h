/* SPDX-License-Identifier: MIT */
#ifndef UVF_UTIL_TRACE_H
#define UVF_UTIL_TRACE_H

#include <stdatomic.h>
#include <stdbool.h>

#include <uvf/trace.h>

extern atomic_bool uvf_trace_on;

void uvf_trace_emit(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* A relaxed load and a predicted-not-taken branch on hot paths. */
#define uvf_trace(...)                                                        \
	do {                                                                  \
		if (__builtin_expect(atomic_load_explicit(&uvf_trace_on,      \
				     memory_order_relaxed), 0))               \
			uvf_trace_emit(__VA_ARGS__);                          \
	} while (0)

#endif
