/* SPDX-License-Identifier: MIT */
/*
 * Every allocation of the program is an injection point: the faultinject
 * executables link with -Wl,--wrap=<each>, so the library's calls (a static
 * archive linked in) land here first. Outside an armed window, or with
 * counting suspended, they go straight through.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "util/fault.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
void *__real_aligned_alloc(size_t align, size_t size);
int __real_posix_memalign(void **p, size_t align, size_t size);
char *__real_strdup(const char *s);
char *__real_strndup(const char *s, size_t n);
void *__real_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);

void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_aligned_alloc(size_t align, size_t size);
int __wrap_posix_memalign(void **p, size_t align, size_t size);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);
int __wrap_asprintf(char **out, const char *fmt, ...);
void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off);

/* Check's own bookkeeping when a test-support helper asserts inside the
 * window (every passed ck_assert records its location) is not the
 * library's: it runs with counting suspended. */
void __real__mark_point(const char *file, int line);
void __wrap__mark_point(const char *file, int line);

void __wrap__mark_point(const char *file, int line)
{
	uvf_fault_suspend();
	__real__mark_point(file, line);
	uvf_fault_resume();
}

#define FAIL_HERE() uvf_fault_hit_at(__builtin_return_address(0))

void *__wrap_malloc(size_t size)
{
	if (FAIL_HERE()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	if (FAIL_HERE()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	if (FAIL_HERE()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_realloc(p, size);
}

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	if (FAIL_HERE()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_aligned_alloc(align, size);
}

int __wrap_posix_memalign(void **p, size_t align, size_t size)
{
	if (FAIL_HERE())
		return ENOMEM;
	return __real_posix_memalign(p, align, size);
}

char *__wrap_strdup(const char *s)
{
	if (FAIL_HERE()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strdup(s);
}

char *__wrap_strndup(const char *s, size_t n)
{
	if (FAIL_HERE()) {
		errno = ENOMEM;
		return NULL;
	}
	return __real_strndup(s, n);
}

/* asprintf has no va_list twin to forward to under --wrap; vasprintf is
 * what it calls. */
int __wrap_asprintf(char **out, const char *fmt, ...)
{
	va_list ap;
	int ret;

	if (FAIL_HERE()) {
		errno = ENOMEM;
		return -1;
	}
	va_start(ap, fmt);
	ret = vasprintf(out, fmt, ap);
	va_end(ap);
	return ret;
}

void *__wrap_mmap(void *addr, size_t len, int prot, int flags, int fd,
		  off_t off)
{
	if (FAIL_HERE()) {
		errno = ENOMEM;
		return MAP_FAILED;
	}
	return __real_mmap(addr, len, prot, flags, fd, off);
}
