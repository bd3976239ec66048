/* SPDX-License-Identifier: MIT */
/* The trace sinks (lib/util/trace.c): uvf_trace_open()'s specs and errors,
 * which sink gets what, and the JSON the trace file holds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_main.h"
#include "util/trace.h"

static char dir[] = "/tmp/uvf-trace-XXXXXX";
static char path[64];

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(strcpy(dir, "/tmp/uvf-trace-XXXXXX")));
	snprintf(path, sizeof(path), "%s/t.json", dir);
}

static void teardown(void)
{
	uvf_trace_open("off");
	uvf_set_log_fn(NULL, NULL);
	unlink(path);
	rmdir(dir);
}

/* The whole file, NUL-terminated; the caller frees it. */
static char *slurp(const char *p)
{
	FILE *f = fopen(p, "r");
	char *s = calloc(1, 65536);

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(s);
	fread(s, 1, 65535, f);
	fclose(f);
	return s;
}

static char spec[80];

START_TEST(open_refuses_bad_specs_and_keeps_the_current_file)
{
	const struct uvf_trace_arg a[] = { UVF_TA_HEX("iova", 0x1000) };
	char *s;

	snprintf(spec, sizeof(spec), "json:%s", path);
	ck_assert_int_eq(uvf_trace_open(spec), 0);
	ck_assert_int_eq(uvf_trace_open(NULL), -EINVAL);
	ck_assert_int_eq(uvf_trace_open("bogus"), -EINVAL);
	ck_assert_int_eq(uvf_trace_open("json:"), -EINVAL);
	ck_assert_int_eq(uvf_trace_open("chrome:/nonexistent/dir/t.json"),
			 -ENOENT);
	ck_assert(uvf_trace_enabled());
	uvf_trace_event('i', "after_errors", 0, a, 1);
	ck_assert_int_eq(uvf_trace_close(), 0);
	ck_assert(!uvf_trace_enabled());
	s = slurp(path);
	ck_assert_ptr_nonnull(strstr(s, "{\"traceEvents\":[\n"));
	ck_assert_ptr_nonnull(strstr(s, "\"name\":\"after_errors\""));
	ck_assert_ptr_nonnull(strstr(s, "\"args\":{\"iova\":\"0x1000\"}"));
	ck_assert_ptr_nonnull(strstr(s, "\n]}\n"));
	free(s);
}
END_TEST

static int lines;

static void count_line(void *arg, const char *line)
{
	(void)arg;
	(void)line;
	lines++;
}

START_TEST(text_sink_gets_lines_but_not_events)
{
	const struct uvf_trace_arg a[] = { UVF_TA_NUM("level", 1) };

	lines = 0;
	uvf_set_log_fn(count_line, NULL);
	ck_assert_int_eq(uvf_trace_open("text"), 0);
	uvf_trace_event('X', "pgtable_write", uvf_trace_clock(), a, 1);
	ck_assert_int_eq(lines, 0);
	uvf_trace("a line");
	ck_assert_int_eq(lines, 1);
	ck_assert_int_eq(uvf_trace_open("0"), 0);
	ck_assert(!uvf_trace_enabled());
	uvf_trace("not traced");
	ck_assert_int_eq(lines, 1);
}
END_TEST

START_TEST(text_and_file_can_be_on_together)
{
	char *s;

	lines = 0;
	uvf_set_log_fn(count_line, NULL);
	snprintf(spec, sizeof(spec), "chrome:%s", path);
	ck_assert_int_eq(uvf_trace_open(spec), 0);
	uvf_trace_enable(true);
	uvf_trace("both \"sinks\"\n\\");
	uvf_trace_enable(false);
	ck_assert(uvf_trace_enabled());	/* the file is still open */
	ck_assert_int_eq(uvf_trace_close(), 0);
	ck_assert_int_eq(lines, 1);
	s = slurp(path);
	ck_assert_ptr_nonnull(
		strstr(s, "\"msg\":\"both \\\"sinks\\\"\\u000a\\\\\""));
	free(s);
}
END_TEST

START_TEST(step_duration_runs_from_its_start)
{
	const struct uvf_trace_arg a[] = { UVF_TA_NUM("n", 7) };
	double ts, dur;
	char *s, *x;
	uint64_t t0;

	snprintf(spec, sizeof(spec), "json:%s", path);
	ck_assert_int_eq(uvf_trace_open(spec), 0);
	t0 = uvf_trace_clock();
	ck_assert_uint_ne(t0, 0);
	usleep(2000);
	uvf_trace_event('X', "slow_step", t0, a, 1);
	ck_assert_int_eq(uvf_trace_close(), 0);
	s = slurp(path);
	x = strstr(s, "\"name\":\"slow_step\"");
	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(sscanf(strstr(x, "\"ts\":"), "\"ts\":%lf", &ts), 1);
	ck_assert_int_eq(sscanf(strstr(x, "\"dur\":"), "\"dur\":%lf", &dur),
			 1);
	ck_assert(dur >= 2000.0);
	ck_assert(ts >= 0.0);
	free(s);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("trace");
	TCase *tc = tcase_create("sinks");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, open_refuses_bad_specs_and_keeps_the_current_file);
	tcase_add_test(tc, text_sink_gets_lines_but_not_events);
	tcase_add_test(tc, text_and_file_can_be_on_together);
	tcase_add_test(tc, step_duration_runs_from_its_start);
	suite_add_tcase(s, tc);
	return s;
}
