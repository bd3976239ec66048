/* SPDX-License-Identifier: MIT */
/*
 * Check's two assertion entry points, for the unit tests' fixtures and
 * device fakes (simfix, fake_nvme, fake_e1000e) running inside a fuzz
 * target rather than a Check test: a passing ck_assert() costs nothing (in
 * Check it reports its location to the test runner, which is not there),
 * a failing one prints and aborts, which libFuzzer reports as a crash.
 * Linked first, these keep Check's own definitions out of the link.
 */
#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void _mark_point(const char *file, int line)
{
	(void)file;
	(void)line;
}

void _ck_assert_failed(const char *file, int line, const char *expr,
		       const char *msg, ...)
{
	va_list ap;

	fprintf(stderr, "%s:%d: %s", file, line, expr);
	if (msg) {
		fputs(": ", stderr);
		va_start(ap, msg);
		vfprintf(stderr, msg, ap);
		va_end(ap);
	}
	fputc('\n', stderr);
	abort();
}
