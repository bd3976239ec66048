/* SPDX-License-Identifier: MIT */
/*
 * Trace sinks: text lines (stderr or a log function) and the structured
 * trace file (Chrome trace-event JSON, see uvf/trace.h). One mutex
 * serialises the sinks; uvf_trace_on, read without it, says whether any
 * sink is on so that hot paths pay one relaxed load when none is.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "util/trace.h"

atomic_bool uvf_trace_on;

static pthread_mutex_t sink_lock = PTHREAD_MUTEX_INITIALIZER;
static uvf_log_fn sink_fn;
static void *sink_arg;
/* Under sink_lock. */
static bool text_on;
static FILE *json;
static bool json_first;		/* no event written yet: no comma */
static uint64_t json_base_ns;	/* ts 0 of the file */

/* Whether the file is open, for event calls made with text only on. */
static atomic_bool json_on;

static void update_flag(void)
{
	atomic_store(&json_on, json != NULL);
	atomic_store(&uvf_trace_on, text_on || json);
}

uint64_t uvf_trace_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int thread_id(void)
{
	static __thread int tid;

	if (!tid)
		tid = (int)syscall(SYS_gettid);
	return tid;
}

/* @s as a JSON string, quotes included. sink_lock serialises writers,
 * so the stream's own lock is not taken per character. */
static void json_string(FILE *f, const char *s)
{
	putc_unlocked('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			putc_unlocked(c, f);
	}
	putc_unlocked('"', f);
}

static void json_args(FILE *f, const struct uvf_trace_arg *a, unsigned int n,
		      const char *msg)
{
	unsigned int i;

	fputs(",\"args\":{", f);
	for (i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_string(f, a[i].key);
		if (a[i].hex)
			fprintf(f, ":\"0x%llx\"", (unsigned long long)a[i].val);
		else
			fprintf(f, ":%llu", (unsigned long long)a[i].val);
	}
	if (msg) {
		fputs("\"msg\":", f);
		json_string(f, msg);
	}
	fputc('}', f);
}

static double to_us(uint64_t ns)
{
	return (double)ns / 1000.0;
}

/* One event of the trace file, sink_lock held and the file open. A step
 * (@ph 'X') started at @t0; other events happen now. */
static void json_event(char ph, const char *name, uint64_t t0,
		       const struct uvf_trace_arg *a, unsigned int n,
		       const char *msg)
{
	uint64_t now = uvf_trace_now(), start = now;

	if (ph == 'X' && t0 >= json_base_ns && t0 <= now)
		start = t0;
	if (start < json_base_ns)
		start = json_base_ns;
	fputs(json_first ? "" : ",\n", json);
	json_first = false;
	fputs("{\"name\":", json);
	json_string(json, name);
	fprintf(json, ",\"cat\":\"uvf\",\"ph\":\"%c\",\"ts\":%.3f,"
		"\"pid\":%d,\"tid\":%d", ph, to_us(start - json_base_ns),
		(int)getpid(), thread_id());
	if (ph == 'X')
		fprintf(json, ",\"dur\":%.3f", to_us(now - start));
	if (ph == 'i')
		fputs(",\"s\":\"t\"", json);
	json_args(json, a, n, msg);
	fputc('}', json);
}

void uvf_trace_event(char ph, const char *name, uint64_t t0,
		     const struct uvf_trace_arg *args, unsigned int nargs)
{
	if (!atomic_load_explicit(&json_on, memory_order_relaxed))
		return;
	pthread_mutex_lock(&sink_lock);
	if (json)
		json_event(ph, name, t0, args, nargs, NULL);
	pthread_mutex_unlock(&sink_lock);
}

/* One line: to the text sink when @always or text tracing is on, and into
 * the trace file when one is open. */
static void emit_line(bool always, const char *fmt, va_list ap)
{
	char line[1024];	/* a memlock diagnosis is ~600 */

	vsnprintf(line, sizeof(line), fmt, ap);
	pthread_mutex_lock(&sink_lock);
	if ((always || text_on) && sink_fn)
		sink_fn(sink_arg, line);
	else if (always || text_on)
		fprintf(stderr, "uvf: %s\n", line);
	if (json)
		json_event('i', "log", 0, NULL, 0, line);
	pthread_mutex_unlock(&sink_lock);
}

void uvf_trace_emit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_line(false, fmt, ap);
	va_end(ap);
}

void uvf_log_emit(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	emit_line(true, fmt, ap);
	va_end(ap);
}

/* Completes and closes the file. sink_lock held. */
static int json_finish(void)
{
	int ret = 0;

	if (!json)
		return 0;
	fputs("\n]}\n", json);
	if (ferror(json))
		ret = -EIO;
	if (fclose(json) && !ret)
		ret = -errno;
	json = NULL;
	update_flag();
	return ret;
}

int uvf_trace_close(void)
{
	int ret;

	pthread_mutex_lock(&sink_lock);
	ret = json_finish();
	pthread_mutex_unlock(&sink_lock);
	return ret;
}

static void close_at_exit(void)
{
	uvf_trace_close();
}

static void register_close_at_exit(void)
{
	atexit(close_at_exit);
}

/* The file named after "json:" or "chrome:", or NULL for another spec. */
static const char *spec_file(const char *spec)
{
	static const char *const prefix[] = { "json:", "chrome:" };
	size_t i;

	for (i = 0; i < 2; i++)
		if (!strncmp(spec, prefix[i], strlen(prefix[i])))
			return spec + strlen(prefix[i]);
	return NULL;
}

static bool spec_is(const char *spec, const char *a, const char *b)
{
	return !strcmp(spec, a) || !strcmp(spec, b);
}

int uvf_trace_open(const char *spec)
{
	static pthread_once_t exit_once = PTHREAD_ONCE_INIT;
	const char *path;
	FILE *f = NULL;

	if (!spec)
		return -EINVAL;
	path = spec_file(spec);
	if (path) {
		if (!*path)
			return -EINVAL;
		f = fopen(path, "w");
		if (!f)
			return -errno;
		pthread_once(&exit_once, register_close_at_exit);
	} else if (!spec_is(spec, "1", "text") && !spec_is(spec, "0", "off")) {
		return -EINVAL;
	}

	pthread_mutex_lock(&sink_lock);
	json_finish();
	text_on = spec_is(spec, "1", "text");
	if (f) {
		json = f;
		json_first = true;
		json_base_ns = uvf_trace_now();
		fputs("{\"traceEvents\":[\n", json);
	}
	update_flag();
	pthread_mutex_unlock(&sink_lock);
	return 0;
}

/*
 * UVF_TRACE is read once at load time, so no hot path ever calls getenv.
 * Any value but "0", "off" and a file spec means text, as it always has.
 */
__attribute__((constructor)) static void trace_from_env(void)
{
	const char *v = getenv("UVF_TRACE");
	int ret;

	if (!v || !*v || spec_is(v, "0", "off"))
		return;
	if (!spec_file(v)) {
		uvf_trace_open("1");
		return;
	}
	ret = uvf_trace_open(v);
	if (ret)
		fprintf(stderr, "uvf: UVF_TRACE=%s: cannot write the trace "
			"file: %s\n", v, strerror(-ret));
}

void uvf_trace_enable(bool on)
{
	pthread_mutex_lock(&sink_lock);
	text_on = on;
	update_flag();
	pthread_mutex_unlock(&sink_lock);
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
