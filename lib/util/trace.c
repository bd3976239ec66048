/* SPDX-License-Identifier: MIT */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/trace.h"

atomic_bool uvf_trace_on;

static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static uvf_log_fn sink_fn;
static void *sink_arg;

/* UVF_TRACE is read once at load time, so no hot path ever calls getenv. */
__attribute__((constructor)) static void trace_from_env(void)
{
	const char *v = getenv("UVF_TRACE");

	if (v && *v && strcmp(v, "0") != 0)
		atomic_store(&uvf_trace_on, true);
}

void uvf_trace_enable(bool on)
{
	atomic_store(&uvf_trace_on, on);
}

bool uvf_trace_enabled(void)
{
	return atomic_load(&uvf_trace_on);
}

void uvf_set_log_fn(uvf_log_fn fn, void *arg)
{
	pthread_mutex_lock(&sink_lock);
	sink_fn = fn;
	sink_arg = arg;
	pthread_mutex_unlock(&sink_lock);
}

void uvf_trace_emit(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&sink_lock);
	if (sink_fn)
		sink_fn(sink_arg, line);
	else
		fprintf(stderr, "uvf: %s\n", line);
	pthread_mutex_unlock(&sink_lock);
}
