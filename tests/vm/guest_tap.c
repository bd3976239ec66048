/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "guest_tap.h"

static int test_no;
static bool failed;

bool tap(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s %d - ", ok ? "ok" : "not ok", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	failed |= !ok;
	return ok;
}

void tap_skip(const char *what, const char *why)
{
	printf("ok %d - %s # SKIP %s\n", ++test_no, what, why);
	fflush(stdout);
}

void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

int tap_finish(void)
{
	printf("1..%d\n", test_no);
	return failed ? 1 : 0;
}

int guest_backend_arg(int argc, char **argv, enum uvf_vfio_backend *b)
{
	int i;

	for (i = 1; i < argc; i++)
		if (!uvf_vfio_backend_parse(argv[i] + strspn(argv[i], "-"), b) &&
		    *b != UVF_VFIO_AUTO)
			return 0;
	return -EINVAL;
}
