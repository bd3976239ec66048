/* SPDX-License-Identifier: MIT */
/*
 * A virtual clock for targets whose drivers wait (meson.build links them
 * with --wrap=usleep,nanosleep,clock_gettime): a sleep returns at once and
 * moves CLOCK_MONOTONIC forward by what it asked for. A driver's deadline
 * still passes after as many polls as it would in real time, but costs no
 * wall time: a hostile device that never answers (an admin command whose
 * completion the fuzzer rewrote) is timed out in microseconds rather than
 * in the command's 20 ms, and the target is never idle.
 */
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "fuzz_common.h"

int __real_clock_gettime(clockid_t clk, struct timespec *ts);
int __wrap_clock_gettime(clockid_t clk, struct timespec *ts);
int __wrap_nanosleep(const struct timespec *req, struct timespec *rem);
int __wrap_usleep(useconds_t us);

/* Nanoseconds slept so far; CLOCK_MONOTONIC is ahead of real time by it. */
static _Atomic uint64_t skipped_ns;

int __wrap_clock_gettime(clockid_t clk, struct timespec *ts)
{
	uint64_t ns;
	int ret = __real_clock_gettime(clk, ts);

	if (ret || clk != CLOCK_MONOTONIC)
		return ret;
	ns = (uint64_t)ts->tv_nsec + atomic_load(&skipped_ns);
	ts->tv_sec += (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
	return 0;
}

int __wrap_nanosleep(const struct timespec *req, struct timespec *rem)
{
	FUZZ_CHECK(req->tv_sec >= 0 && req->tv_nsec >= 0 &&
		   req->tv_nsec < 1000000000, "nanosleep(%lld s, %ld ns)",
		   (long long)req->tv_sec, req->tv_nsec);
	atomic_fetch_add(&skipped_ns, (uint64_t)req->tv_sec * 1000000000u +
					      (uint64_t)req->tv_nsec);
	if (rem)
		*rem = (struct timespec){ 0 };
	return 0;
}

int __wrap_usleep(useconds_t us)
{
	atomic_fetch_add(&skipped_ns, (uint64_t)us * 1000u);
	return 0;
}
