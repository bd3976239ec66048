/* SPDX-License-Identifier: MIT */
/*
 * uvf/mmio.h on ordinary memory: each accessor touches exactly its width
 * at its offset, little-endian; the lo/hi helpers go low dword first
 * (seen through the first fault on a page with no access); uvf_now_ns()
 * moves forward in nanoseconds.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uvf/mmio.h>

#include "check_main.h"

#define FILL 0xa5
#define OFF 8		/* every width's alignment */

static uint8_t win[32] __attribute__((aligned(8)));

static void fill(void)
{
	memset(win, FILL, sizeof(win));
}

/* Every byte outside [@off, @off + @len) still holds FILL. */
static void assert_untouched_outside(size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(win); i++)
		if (i < off || i >= off + len)
			ck_assert_msg(win[i] == FILL, "byte %zu changed", i);
}

START_TEST(test_writes_store_their_width_little_endian_at_the_offset)
{
	static const uint8_t le8[] = { 0x88, 0x77, 0x66, 0x55,
				       0x44, 0x33, 0x22, 0x11 };

	fill();
	uvf_mmio_write8(win, OFF + 1, 0x88);
	ck_assert_uint_eq(win[OFF + 1], 0x88);
	assert_untouched_outside(OFF + 1, 1);

	fill();
	uvf_mmio_write16(win, OFF + 2, 0x7788);
	ck_assert_mem_eq(win + OFF + 2, le8, 2);
	assert_untouched_outside(OFF + 2, 2);

	fill();
	uvf_mmio_write32(win, OFF + 4, 0x55667788);
	ck_assert_mem_eq(win + OFF + 4, le8, 4);
	assert_untouched_outside(OFF + 4, 4);

	fill();
	uvf_mmio_write64(win, OFF, 0x1122334455667788ull);
	ck_assert_mem_eq(win + OFF, le8, 8);
	assert_untouched_outside(OFF, 8);
}
END_TEST

START_TEST(test_reads_load_their_width_little_endian_at_the_offset)
{
	size_t i;

	for (i = 0; i < sizeof(win); i++)
		win[i] = (uint8_t)i;
	ck_assert_uint_eq(uvf_mmio_read8(win, OFF + 3), OFF + 3);
	ck_assert_uint_eq(uvf_mmio_read16(win, OFF + 2), 0x0b0a);
	ck_assert_uint_eq(uvf_mmio_read32(win, OFF + 4), 0x0f0e0d0c);
	ck_assert_uint_eq(uvf_mmio_read64(win, OFF), 0x0f0e0d0c0b0a0908ull);
	ck_assert_uint_eq(uvf_mmio_read64(win, OFF + 8),
			  0x1716151413121110ull);
}
END_TEST

START_TEST(test_doorbell_writes_the_dword_and_nothing_else)
{
	fill();
	uvf_mmio_wmb();
	uvf_mmio_wc_wmb();
	uvf_mmio_doorbell32(win, OFF + 4, 0xdeadbeef);
	uvf_mmio_rmb();
	ck_assert_uint_eq(uvf_mmio_read32(win, OFF + 4), 0xdeadbeef);
	assert_untouched_outside(OFF + 4, 4);
}
END_TEST

START_TEST(test_lohi_puts_the_low_dword_at_the_offset)
{
	fill();
	uvf_mmio_write64_lohi(win, OFF + 4, 0x1122334455667788ull);
	ck_assert_uint_eq(uvf_mmio_read32(win, OFF + 4), 0x55667788);
	ck_assert_uint_eq(uvf_mmio_read32(win, OFF + 8), 0x11223344);
	assert_untouched_outside(OFF + 4, 8);
	ck_assert_uint_eq(uvf_mmio_read64_lohi(win, OFF + 4),
			  0x1122334455667788ull);
}
END_TEST

/* The lo/hi order: a 64-bit register straddling two pages with no
 * access; the first access faults, and its address says which half the
 * helper touched first. */
static sigjmp_buf fault_jmp;
static void *volatile fault_addr;
/* Used, so no optimiser (valgrind's included) drops the loads. */
static volatile uint64_t read_sink;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	fault_addr = si->si_addr;
	siglongjmp(fault_jmp, 1);
}

/* Offset from the register of the first access, or -1 if none faulted. */
static long first_fault(int write)
{
	long page = sysconf(_SC_PAGESIZE);
	struct sigaction sa = { .sa_sigaction = on_segv,
				.sa_flags = SA_SIGINFO };
	struct sigaction old;
	/* Mapped, then made inaccessible: valgrind keeps it addressable
	 * and lets the real fault reach the handler. */
	char *map = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	volatile void *reg = map + page - 4;
	long got;

	ck_assert_ptr_ne(map, MAP_FAILED);
	ck_assert_int_eq(mprotect(map, 2 * (size_t)page, PROT_NONE), 0);
	ck_assert_int_eq(sigaction(SIGSEGV, &sa, &old), 0);
	fault_addr = NULL;
	if (!sigsetjmp(fault_jmp, 1)) {
		if (write)
			uvf_mmio_write64_lohi(reg, 0, 0x1122334455667788ull);
		else
			read_sink = uvf_mmio_read64_lohi(reg, 0);
	}
	got = fault_addr ? (char *)fault_addr - (map + page - 4) : -1;
	ck_assert_int_eq(sigaction(SIGSEGV, &old, NULL), 0);
	ck_assert_int_eq(munmap(map, 2 * (size_t)page), 0);
	return got;
}

START_TEST(test_lohi_write_goes_low_dword_first)
{
	ck_assert_int_eq(first_fault(1), 0);
}
END_TEST

START_TEST(test_lohi_read_goes_low_dword_first)
{
	ck_assert_int_eq(first_fault(0), 0);
}
END_TEST

START_TEST(test_now_ns_never_goes_back_and_counts_nanoseconds)
{
	struct timespec ms2 = { 0, 2000000 };
	uint64_t prev = uvf_now_ns(), now, t0;
	int i;

	for (i = 0; i < 100000; i++) {
		now = uvf_now_ns();
		ck_assert_uint_ge(now, prev);
		prev = now;
	}
	t0 = uvf_now_ns();
	ck_assert_int_eq(nanosleep(&ms2, NULL), 0);
	now = uvf_now_ns();
	ck_assert_uint_ge(now - t0, 2000000);
	ck_assert_uint_lt(now - t0, 2000000000ull);	/* 2 ms, not 2 s */
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("mmio");
	TCase *acc = tcase_create("accessors");
	TCase *clk = tcase_create("now_ns");

	tcase_add_test(acc,
		       test_writes_store_their_width_little_endian_at_the_offset);
	tcase_add_test(acc,
		       test_reads_load_their_width_little_endian_at_the_offset);
	tcase_add_test(acc, test_doorbell_writes_the_dword_and_nothing_else);
	tcase_add_test(acc, test_lohi_puts_the_low_dword_at_the_offset);
	tcase_add_test(acc, test_lohi_write_goes_low_dword_first);
	tcase_add_test(acc, test_lohi_read_goes_low_dword_first);
	tcase_add_test(clk, test_now_ns_never_goes_back_and_counts_nanoseconds);
	suite_add_tcase(s, acc);
	suite_add_tcase(s, clk);
	return s;
}
