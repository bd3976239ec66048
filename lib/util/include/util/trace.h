/* SPDX-License-Identifier: MIT */
#ifndef UVF_UTIL_TRACE_H
#define UVF_UTIL_TRACE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <uvf/trace.h>

/* True while any sink (text lines, trace file) is on: the one flag every
 * hot path tests. */
extern atomic_bool uvf_trace_on;

void uvf_trace_emit(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
/* A line the user must see (a diagnosis): to the log sink, or stderr,
 * whether or not tracing is on; into the trace file too when one is. */
void uvf_log_emit(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

static inline bool uvf_trace_active(void)
{
	return __builtin_expect(atomic_load_explicit(&uvf_trace_on,
						     memory_order_relaxed), 0);
}

/* A relaxed load and a predicted-not-taken branch on hot paths. */
#define uvf_trace(...)                                                        \
	do {                                                                  \
		if (uvf_trace_active())                                       \
			uvf_trace_emit(__VA_ARGS__);                          \
	} while (0)

/* One argument of a trace event: an address (hex string) or a count. */
struct uvf_trace_arg {
	const char *key;
	uint64_t val;
	bool hex;
};

#define UVF_TA_HEX(k, v) { (k), (uint64_t)(v), true }
#define UVF_TA_NUM(k, v) { (k), (uint64_t)(v), false }

uint64_t uvf_trace_now(void);
void uvf_trace_event(char ph, const char *name, uint64_t t0,
		     const struct uvf_trace_arg *args, unsigned int nargs);

/* Start time of a step: 0, and no clock read, when tracing is off. */
static inline uint64_t uvf_trace_clock(void)
{
	return uvf_trace_active() ? uvf_trace_now() : 0;
}

#define UVF_TRACE_ARGS_(...)                                                  \
	(const struct uvf_trace_arg[]){ __VA_ARGS__ },                        \
	(unsigned int)(sizeof((const struct uvf_trace_arg[]){ __VA_ARGS__ }) /\
		       sizeof(struct uvf_trace_arg))

#define uvf_trace_ev_(ph, name, t0, ...)                                      \
	do {                                                                  \
		if (uvf_trace_active())                                       \
			uvf_trace_event(ph, name, t0,                         \
					UVF_TRACE_ARGS_(__VA_ARGS__));        \
	} while (0)

/*
 * Events of the structured trace (text tracing ignores them: its lines
 * already say the same). A step that began at @t0 (uvf_trace_clock()) and
 * ends now; nothing else may be traced on the thread in between, so that
 * each thread's events stay in time order in the file.
 */
#define uvf_trace_step(name, t0, ...) uvf_trace_ev_('X', name, t0, __VA_ARGS__)
/* A span around steps, and a point in time. */
#define uvf_trace_begin(name, ...) uvf_trace_ev_('B', name, 0, __VA_ARGS__)
#define uvf_trace_end(name, ...) uvf_trace_ev_('E', name, 0, __VA_ARGS__)
#define uvf_trace_point(name, ...) uvf_trace_ev_('i', name, 0, __VA_ARGS__)

#endif
