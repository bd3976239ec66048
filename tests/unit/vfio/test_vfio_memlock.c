/* SPDX-License-Identifier: MIT */
/*
 * A map the kernel refuses with ENOMEM (its memlock accounting) is named
 * as RLIMIT_MEMLOCK: the limit, its value, the bytes needed and the fix,
 * for type1 and iommufd on the fake kernel; and nothing stays mapped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>

#if __has_include(<linux/iommufd.h>)
#include <linux/iommufd.h>
#endif

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/iommu.h>
#include <uvf/trace.h>

#include "check_main.h"
#include "fake_vfio.h"
#include "util/memlock.h"

#define EDU "0000:00:07.0"
#define LEN (64ul * 4096)

static struct fake_vfio fk;
static enum uvf_vfio_backend backends[2];
static char logged[2048];
static unsigned int nr_logged;

static void log_line(void *arg, const char *line)
{
	(void)arg;
	snprintf(logged, sizeof(logged), "%s", line);
	nr_logged++;
}

static void setup(void)
{
	fk_init(&fk);
	fk_add_dev(&fk, EDU, 4);
	fk_publish(&fk);
	fk_add_dev_iommu(&fk);
	logged[0] = '\0';
	nr_logged = 0;
	uvf_set_log_fn(log_line, NULL);
}

static void teardown(void)
{
	uvf_set_log_fn(NULL, NULL);
	fk_fini(&fk);
}

static unsigned int mapped_entries(void)
{
	unsigned int n = fk.nr_entries;

	for (unsigned int i = 0; i < FK_MAX_IOAS; i++)
		n += fk.ioas_nr[i];
	return n;
}

/* The map request of backend @b, which the fake fails on demand. */
static unsigned long map_request(enum uvf_vfio_backend b)
{
#ifdef IOMMU_IOAS_MAP
	if (b == UVF_VFIO_IOMMUFD)
		return IOMMU_IOAS_MAP;
#endif
	(void)b;
	return VFIO_IOMMU_MAP_DMA;
}

/* The number after @key in @s, or 0. */
static unsigned long long number_after(const char *s, const char *key)
{
	const char *p = strstr(s, key);

	return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

START_TEST(test_kernel_enomem_on_map_names_rlimit_memlock_and_maps_nothing)
{
	enum uvf_vfio_backend b = backends[_i];
	struct rlimit rl;
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	unsigned long long need;
	char want[96];
	uvf_iova_t iova;
	void *mem;

	mem = mmap(NULL, LEN, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
	fk_open_attached(&fk, b, EDU, &iommu, &dev, &dom);
	fk.fail_req = map_request(b);
	fk.fail_err = -ENOMEM;
	ck_assert_int_eq(uvf_dma_map_page(dev, mem, LEN, UVF_DMA_BIDIRECTIONAL,
					  &iova),
			 -ENOMEM);
	ck_assert_uint_eq(nr_logged, 1);
	ck_assert_ptr_nonnull(strstr(logged, b == UVF_VFIO_IOMMUFD ?
				     "vfio: IOMMU_IOAS_MAP failed" :
				     "vfio: VFIO_IOMMU_MAP_DMA failed"));
	ck_assert_int_eq(getrlimit(RLIMIT_MEMLOCK, &rl), 0);
	if (rl.rlim_cur == RLIM_INFINITY)
		snprintf(want, sizeof(want), "RLIMIT_MEMLOCK is unlimited");
	else
		snprintf(want, sizeof(want), "RLIMIT_MEMLOCK is %llu bytes",
			 (unsigned long long)rl.rlim_cur);
	ck_assert_ptr_nonnull(strstr(logged, want));
	/* What is already charged to the counter, plus this mapping. */
	need = number_after(logged, "the mapping needs at least ");
	ck_assert_uint_ge(need, LEN);
	ck_assert_uint_eq(need % 1024, 0);
	snprintf(want, sizeof(want), "ulimit -l %llu`", need / 1024);
	ck_assert_ptr_nonnull(strstr(logged, want));
	ck_assert_ptr_nonnull(strstr(logged, "/etc/security/limits.conf"));
	/* Nothing half-mapped: the next try maps it, and unmaps it. */
	ck_assert_uint_eq(mapped_entries(), 0);
	ck_assert_int_eq(uvf_dma_map_page(dev, mem, LEN, UVF_DMA_BIDIRECTIONAL,
					  &iova),
			 0);
	ck_assert_uint_eq(nr_logged, 1);
	ck_assert_int_eq(uvf_dma_unmap_page(dev, iova, LEN,
					    UVF_DMA_BIDIRECTIONAL),
			 0);
	fk_close_attached(&fk, iommu, dev, dom);
	munmap(mem, LEN);
}
END_TEST

START_TEST(test_other_map_errors_are_not_blamed_on_memlock)
{
	enum uvf_vfio_backend b = backends[_i];
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	uvf_iova_t iova;
	static char page[4096] __attribute__((aligned(4096)));

	fk_open_attached(&fk, b, EDU, &iommu, &dev, &dom);
	fk.fail_req = map_request(b);
	fk.fail_err = -EFAULT;
	ck_assert_int_eq(uvf_dma_map_page(dev, page, sizeof(page),
					  UVF_DMA_TO_DEVICE, &iova),
			 -EFAULT);
	ck_assert_uint_eq(nr_logged, 0);
	fk_close_attached(&fk, iommu, dev, dom);
}
END_TEST

/* The diagnosis itself, with a limit the test chose: the counter's bytes
 * are added to the need, and the user's name goes in the limits.conf line. */
START_TEST(test_diagnosis_adds_what_the_counter_already_holds)
{
	struct rlimit old, rl;
	char diag[1024];
	uint64_t need;

	ck_assert_int_eq(getrlimit(RLIMIT_MEMLOCK, &old), 0);
	rl.rlim_cur = 65536;
	rl.rlim_max = old.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_MEMLOCK, &rl), 0);
	need = uvf_memlock_diagnose(diag, sizeof(diag), "who", "pinning",
				    -ENOMEM, "it", UVF_MEMLOCK_NONE, 8192);
	ck_assert_int_eq(setrlimit(RLIMIT_MEMLOCK, &old), 0);
	ck_assert_uint_eq(need, 8192);
	ck_assert_ptr_nonnull(strstr(diag, "who: pinning failed (Cannot "
					   "allocate memory): RLIMIT_MEMLOCK "
					   "is 65536 bytes (64 KiB)"));
	ck_assert_ptr_nonnull(strstr(diag, "it needs at least 8192 bytes "
					   "(8 KiB) locked. Fix: run `ulimit "
					   "-l 8`"));
	ck_assert_ptr_nonnull(strstr(diag, "LimitMEMLOCK=8K"));
	/* Too small a buffer is cut, never overrun. */
	memset(diag, 'x', sizeof(diag));
	uvf_memlock_diagnose(diag, 16, "who", "pinning", -ENOMEM, "it",
			     UVF_MEMLOCK_VMLCK, 1);
	ck_assert_uint_eq(strlen(diag), 15);
	ck_assert_int_eq(diag[16], 'x');
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_memlock");
	TCase *tc = tcase_create("memlock");
	int n = fk_backends(backends);

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc,
			    test_kernel_enomem_on_map_names_rlimit_memlock_and_maps_nothing,
			    0, n);
	tcase_add_loop_test(tc, test_other_map_errors_are_not_blamed_on_memlock,
			    0, n);
	tcase_add_test(tc, test_diagnosis_adds_what_the_counter_already_holds);
	suite_add_tcase(s, tc);
	return s;
}
