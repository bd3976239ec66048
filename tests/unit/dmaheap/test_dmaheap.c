/* SPDX-License-Identifier: MIT */
/* The DMA heap (lib/dmaheap) on the software IOMMU: growth across attached
 * domains, late attach, pools, IOVA == VA accepted and refused, backing and
 * NUMA reporting, the memlock diagnosis, and every bad input. Devices read
 * heap memory through their IOMMU to prove each mapping. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <uvf/uvf.h>

#include "check_main.h"
#include "simfix.h"

#define MB2 (2ul << 20)

static struct simfix fa, fb;
static struct uvf_dmaheap *heap;
static char logged[2048];

static void log_sink(void *arg, const char *line)
{
	(void)arg;
	snprintf(logged, sizeof(logged), "%s", line);
}

static void setup(void)
{
	simfix_setup(&fa, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED, NULL);
	simfix_setup(&fb, UVF_PGTABLE_ARM_LPAE_S1, UVF_DOMAIN_TRANSLATED,
		     NULL);
	heap = NULL;
	logged[0] = '\0';
	uvf_set_log_fn(log_sink, NULL);
}

static void teardown(void)
{
	uvf_set_log_fn(NULL, NULL);
	if (heap) {
		uvf_dmaheap_detach(heap, fa.dom);
		uvf_dmaheap_detach(heap, fb.dom);
	}
	simfix_teardown(&fa);
	simfix_teardown(&fb);
	if (heap)
		ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);
}

static void make_heap(unsigned int flags)
{
	struct uvf_dmaheap_opts o;

	uvf_dmaheap_opts_default(&o);
	o.max_bytes = 16 * MB2;
	o.flags = flags;
	/* Leave the hugetlbfs pool to the DPDK tests: THP, or 4 KiB. */
	o.best = UVF_DMAHEAP_THP;
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), 0);
}

/* The device of @f reads @len bytes at @va through its IOMMU and finds
 * what the CPU wrote there. */
static void device_sees(struct simfix *f, const void *va, size_t len)
{
	char *buf = malloc(len);
	uvf_iova_t iova, reg;

	ck_assert_int_eq(uvf_dmaheap_iova(heap, f->dom, va, len, &iova), 0);
	ck_assert_int_eq(uvf_dma_vtoiova(f->dev, va, &reg), 0);
	ck_assert_uint_eq(reg, iova);
	ck_assert_int_eq(uvf_sim_dma_read(f->dev, iova, buf, len), 0);
	ck_assert_int_eq(memcmp(buf, va, len), 0);
	free(buf);
}

static uint64_t mapped_bytes(struct simfix *f)
{
	struct uvf_domain_stats st;

	uvf_domain_get_stats(f->dom, &st);
	return st.mapped_bytes;
}

START_TEST(test_growth_maps_every_new_chunk_into_every_attached_domain)
{
	struct uvf_dmaheap_info info;
	void *p[3];
	int i;

	make_heap(0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fb.dom), 0);
	ck_assert_uint_eq(mapped_bytes(&fa), 0);	/* nothing backed yet */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &p[i]), 0);
		memset(p[i], 0x40 + i, MB2);
	}
	ck_assert_uint_eq(mapped_bytes(&fa), 3 * MB2);
	ck_assert_uint_eq(mapped_bytes(&fb), 3 * MB2);
	for (i = 0; i < 3; i++) {
		device_sees(&fa, p[i], MB2);
		device_sees(&fb, p[i], MB2);
	}
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_uint_eq(info.bytes, 3 * MB2);
	ck_assert_uint_eq(info.domains, 2);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(uvf_dmaheap_free(heap, p[i]), 0);
}
END_TEST

START_TEST(test_a_domain_attached_late_gets_every_existing_chunk)
{
	void *p, *q;

	make_heap(0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &p), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 3 * 4096, &q), 0);
	memset(p, 0x5a, MB2);
	memset(q, 0xa5, 3 * 4096);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fb.dom), 0);
	ck_assert_uint_eq(mapped_bytes(&fb), 2 * MB2);
	device_sees(&fb, p, MB2);
	device_sees(&fb, q, 3 * 4096);
	ck_assert_int_eq(uvf_dmaheap_free(heap, q), 0);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
}
END_TEST

START_TEST(test_detach_unmaps_the_heap_and_a_destroyed_domain_detaches)
{
	struct uvf_dmaheap_info info;
	struct uvf_domain *dom;
	uvf_iova_t iova;
	char c;
	void *p;

	make_heap(0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), 0);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, fa.dom, p, 1, &iova), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, fa.dom), -ENOENT);
	ck_assert_uint_eq(mapped_bytes(&fa), 0);
	ck_assert_int_eq(uvf_sim_dma_read(fa.dev, iova, &c, 1), -EFAULT);
	ck_assert_int_eq(simfix_drain_faults(&fa, NULL), 1);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, fa.dom, p, 1, &iova), -ENOENT);
	ck_assert_int_eq(uvf_dma_vtoiova(fa.dev, p, &iova), -ENOENT);

	ck_assert_int_eq(uvf_domain_create(fa.iommu, UVF_DOMAIN_TRANSLATED,
					   &dom), 0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, dom), 0);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_uint_eq(info.domains, 1);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_uint_eq(info.domains, 0);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
}
END_TEST

START_TEST(test_the_last_hold_detaches_unless_pinned_or_attached)
{
	uvf_iova_t iova;
	void *p;

	make_heap(0);
	/* Two holders: the first attaches, the last one out detaches. */
	ck_assert_int_eq(uvf_dmaheap_hold(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_hold(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc_pinned(heap, fa.dom, 4096, &p,
						  &iova), 0);
	ck_assert_uint_eq(mapped_bytes(&fa), MB2);
	ck_assert_int_eq(uvf_dmaheap_release(heap, fa.dom), 0);
	ck_assert_uint_eq(mapped_bytes(&fa), MB2);
	/* A pin keeps it mapped past the last hold. */
	ck_assert_int_eq(uvf_dmaheap_release(heap, fa.dom), 0);
	ck_assert_uint_eq(mapped_bytes(&fa), MB2);
	ck_assert_int_eq(uvf_dmaheap_release(heap, fa.dom), -ENOENT);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), -EBUSY);
	ck_assert_int_eq(uvf_dmaheap_free_pinned(heap, fa.dom, p), 0);
	ck_assert_int_eq(uvf_dmaheap_free_pinned(heap, fa.dom, p), -ENOENT);
	ck_assert_int_eq(uvf_dmaheap_hold(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_release(heap, fa.dom), 0);
	ck_assert_uint_eq(mapped_bytes(&fa), 0);

	/* Attached explicitly: holds come and go, the attachment stays. */
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fb.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_hold(heap, fb.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_release(heap, fb.dom), 0);
	ck_assert_uint_eq(mapped_bytes(&fb), MB2);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, fb.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_hold(NULL, fb.dom), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_release(heap, NULL), -EINVAL);
}
END_TEST

START_TEST(test_pool_objects_are_aligned_distinct_and_reachable_per_domain)
{
	static const size_t sizes[] = { 4096, 2048 };
	struct uvf_dmaheap_pool *pool;
	enum { N = 100 };
	void *obj[N];
	uvf_iova_t ia, ib;
	size_t k;
	int i, j;

	make_heap(0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fb.dom), 0);
	for (k = 0; k < 2; k++) {
		ck_assert_int_eq(uvf_dmaheap_pool_create(heap, sizes[k], &pool),
				 0);
		for (i = 0; i < N; i++) {
			ck_assert_int_eq(uvf_dmaheap_pool_alloc(pool, fa.dom,
								&obj[i], &ia),
					 0);
			ck_assert_uint_eq((uintptr_t)obj[i] % sizes[k], 0);
			ck_assert_int_eq(uvf_dmaheap_iova(heap, fb.dom, obj[i],
							  sizes[k], &ib), 0);
			ck_assert_uint_eq(ia % sizes[k], 0);
			memset(obj[i], i, sizes[k]);
			for (j = 0; j < i; j++)
				ck_assert_ptr_ne(obj[i], obj[j]);
		}
		for (i = 0; i < N; i++) {
			device_sees(&fa, obj[i], sizes[k]);
			device_sees(&fb, obj[i], sizes[k]);
		}
		ck_assert_int_eq(uvf_dmaheap_pool_destroy(pool), -EBUSY);
		for (i = 0; i < N; i++)
			ck_assert_msg(uvf_dmaheap_pool_free(pool, obj[i]) == 0,
				      "size %zu object %d", sizes[k], i);
		/* Freed objects come back: no new memory. */
		ck_assert_int_eq(uvf_dmaheap_pool_alloc(pool, NULL, &obj[0],
							NULL), 0);
		ck_assert_int_eq(uvf_dmaheap_pool_free(pool, obj[0]), 0);
		ck_assert_int_eq(uvf_dmaheap_pool_destroy(pool), 0);
	}
}
END_TEST

START_TEST(test_iova_equals_va_where_the_usable_ranges_allow_it)
{
	uvf_iova_t iova;
	void *p;

	make_heap(UVF_DMAHEAP_IOVA_VA);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fb.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 8192, &p), 0);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, fa.dom, p, 8192, &iova), 0);
	ck_assert_uint_eq(iova, (uintptr_t)p);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, fb.dom, p, 8192, &iova), 0);
	ck_assert_uint_eq(iova, (uintptr_t)p);
	memset(p, 0x77, 8192);
	device_sees(&fa, p, 8192);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
}
END_TEST

START_TEST(test_iova_equals_va_is_refused_outside_the_usable_ranges)
{
	struct uvf_sim_iommu_params prm;
	struct simfix narrow, direct;
	struct uvf_dmaheap_info info;

	make_heap(UVF_DMAHEAP_IOVA_VA);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	/* An aperture that ends inside the window (a narrower device). */
	uvf_sim_iommu_params_default(&prm, UVF_PGTABLE_VTD_SL4);
	prm.aperture_last = (uintptr_t)info.base + info.max_bytes / 2 - 1;
	simfix_setup(&narrow, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_TRANSLATED,
		     &prm);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, narrow.dom), -ERANGE);
	ck_assert_ptr_nonnull(strstr(logged, "IOVA == VA refused"));
	simfix_setup(&direct, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_DIRECT, NULL);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, direct.dom), -ENOTSUP);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_uint_eq(info.domains, 0);
	ck_assert(info.iova_va);
	simfix_teardown(&narrow);
	simfix_teardown(&direct);
}
END_TEST

START_TEST(test_a_direct_domain_gets_per_page_addresses)
{
	struct simfix direct;
	uvf_iova_t iova;
	void *p;

	make_heap(0);
	simfix_setup(&direct, UVF_PGTABLE_VTD_SL4, UVF_DOMAIN_DIRECT, NULL);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, direct.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), 0);
	memset(p, 0x33, 4096);
	ck_assert_int_eq(uvf_dmaheap_iova(heap, direct.dom, p, 4096, &iova), 0);
	ck_assert_int_eq(uvf_dma_vtoiova(direct.dev, p, &iova), 0);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, direct.dom), 0);
	simfix_teardown(&direct);
}
END_TEST

static long meminfo_free_hugepages(void)
{
	char line[128];
	long v = 0;
	FILE *f = fopen("/proc/meminfo", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "HugePages_Free: %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static bool thp_never(void)
{
	char line[128] = "";
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");

	if (!f)
		return true;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	return strstr(line, "[never]") || !line[0];
}

START_TEST(test_the_backing_used_is_reported)
{
	struct uvf_dmaheap_opts o;
	struct uvf_dmaheap_info info;
	void *p;

	uvf_dmaheap_opts_default(&o);
	o.best = UVF_DMAHEAP_4K;
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), 0);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_int_eq(info.backing, UVF_DMAHEAP_4K);
	ck_assert_uint_eq(info.chunks[UVF_DMAHEAP_4K], 1);
	ck_assert_str_eq(uvf_dmaheap_backing_name(info.backing), "4k");
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);

	/* THP unless the system switched it off. */
	uvf_dmaheap_opts_default(&o);
	o.best = UVF_DMAHEAP_THP;
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), 0);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_int_eq(info.backing, thp_never() ? UVF_DMAHEAP_4K
						   : UVF_DMAHEAP_THP);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), 0);

	/* Best first: hugetlbfs only when the pool has a free page. */
	uvf_dmaheap_opts_default(&o);
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &p), 0);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	if (meminfo_free_hugepages() == 0 &&
	    info.backing == UVF_DMAHEAP_HUGETLB_2M)
		ck_abort_msg("hugetlb reported with an empty pool");
	ck_assert_int_ne(info.backing, UVF_DMAHEAP_HUGETLB_1G);
	ck_assert_uint_eq(info.chunks[info.backing], 1);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p), 0);
}
END_TEST

START_TEST(test_numa_node_is_read_from_sysfs_and_binding_reported)
{
	char dir[] = "/tmp/uvf-dhXXXXXX", path[256];
	struct uvf_dmaheap_opts o;
	struct uvf_dmaheap_info info;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bus", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bus/pci", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:00:05.0", dir);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path),
		 "%s/bus/pci/devices/0000:00:05.0/numa_node", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("-1\n", f);
	fclose(f);
	ck_assert_int_eq(uvf_dmaheap_pci_node(dir, "0000:00:05.0"),
			 UVF_DMAHEAP_NODE_ANY);
	f = fopen(path, "w");
	fputs("0\n", f);
	fclose(f);
	ck_assert_int_eq(uvf_dmaheap_pci_node(dir, "0000:00:05.0"), 0);
	ck_assert_int_eq(uvf_dmaheap_pci_node(dir, "0000:00:06.0"), -ENOENT);
	ck_assert_int_eq(uvf_dmaheap_pci_node(dir, "../x"), -EINVAL);
	unlink(path);
	snprintf(path, sizeof(path), "%s/bus/pci/devices/0000:00:05.0", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/bus/pci/devices", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/bus/pci", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/bus", dir);
	rmdir(path);
	rmdir(dir);

	/* Node 0 exists everywhere: bound with libnuma on a NUMA kernel,
	 * otherwise unbound and said so. */
	uvf_dmaheap_opts_default(&o);
	o.numa_node = 0;
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), 0);
	ck_assert_int_eq(uvf_dmaheap_get_info(heap, &info), 0);
	ck_assert_int_eq(info.numa_node, 0);
	if (!info.numa_bound)
		ck_assert_ptr_nonnull(strstr(logged, "not bound"));
	o.numa_node = 4095;
	if (info.numa_bound)
		ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), -EINVAL);
}
END_TEST

/* In a child: a 64 KiB RLIMIT_MEMLOCK and, as root, no CAP_IPC_LOCK. */
START_TEST(test_a_failed_mlock_names_rlimit_memlock_and_the_fix)
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct rlimit rl = { 65536, 65536 };
		char diag[1024];
		void *p;
		int ret;

		if (setrlimit(RLIMIT_MEMLOCK, &rl))
			_exit(10);
		if (getuid() == 0 && (setresgid(65534, 65534, 65534) ||
				      setresuid(65534, 65534, 65534)))
			_exit(11);
		ret = uvf_dmaheap_create(NULL, &heap);
		if (ret)
			_exit(12);
		if (uvf_dmaheap_alloc(heap, 4096, &p) != -ENOMEM)
			_exit(13);
		if (uvf_dmaheap_diagnosis(heap, diag, sizeof(diag)) <= 0)
			_exit(14);
		if (!strstr(diag, "RLIMIT_MEMLOCK is 65536 bytes") ||
		    !strstr(diag, "needs at least 2097152 bytes") ||
		    !strstr(diag, "ulimit -l 2048") ||
		    !strstr(diag, "memlock 2048` to /etc/security/limits.conf"))
			_exit(15);
		/* The same text went to the log sink, tracing off. */
		if (strcmp(diag, logged))
			_exit(16);
		_exit(uvf_dmaheap_destroy(heap) ? 17 : 0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}
END_TEST

START_TEST(test_bad_frees_are_refused_and_change_nothing)
{
	struct uvf_dmaheap_pool *pool, *other;
	void *obj, *obj2, *raw, *foreign = malloc(4096);
	char c;
	uvf_iova_t iova;

	make_heap(0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_create(heap, 2048, &pool), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_create(heap, 2048, &other), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_alloc(pool, fa.dom, &obj, &iova), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_alloc(other, NULL, &obj2, NULL), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &raw), 0);

	/* Foreign pointers. */
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, foreign), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_free(heap, foreign), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, obj2), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, raw), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_free(heap, obj), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, (char *)obj + 8), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_free(heap, (char *)raw + 8), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_pin(heap, fa.dom, foreign), -EINVAL);

	/* Freeing while pinned: refused, still mapped under the device. */
	ck_assert_int_eq(uvf_dmaheap_pin(heap, fa.dom, obj), 0);
	ck_assert_int_eq(uvf_dmaheap_pin(heap, fa.dom, (char *)raw + 100), 0);
	ck_assert_int_eq(uvf_dmaheap_pin(heap, fb.dom, raw), -ENOENT);
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, obj), -EBUSY);
	ck_assert_int_eq(uvf_dmaheap_free(heap, raw), -EBUSY);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, fa.dom), -EBUSY);
	ck_assert_int_eq(uvf_sim_dma_read(fa.dev, iova, &c, 1), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), -EBUSY);
	ck_assert_int_eq(uvf_dmaheap_unpin(heap, fa.dom, obj), 0);
	ck_assert_int_eq(uvf_dmaheap_unpin(heap, fa.dom, obj), -ENOENT);
	ck_assert_int_eq(uvf_dmaheap_unpin(heap, fa.dom, raw), 0);

	/* Double frees. */
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, obj), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_free(pool, obj), -ENOENT);
	ck_assert_int_eq(uvf_dmaheap_pin(heap, fa.dom, obj), -ENOENT);
	ck_assert_int_eq(uvf_dmaheap_free(heap, raw), 0);
	ck_assert_int_eq(uvf_dmaheap_free(heap, raw), -ENOENT);

	/* A heap with domains, pools or allocations stays. */
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), -EBUSY);
	ck_assert_int_eq(uvf_dmaheap_pool_destroy(other), -EBUSY);
	ck_assert_int_eq(uvf_dmaheap_pool_free(other, obj2), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_destroy(other), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_destroy(pool), 0);
	ck_assert_int_eq(uvf_dmaheap_destroy(heap), -EBUSY);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), -EEXIST);
	free(foreign);
}
END_TEST

START_TEST(test_bad_arguments_are_refused)
{
	struct uvf_dmaheap_opts o;
	struct uvf_dmaheap_pool *pool;
	void *p;

	uvf_dmaheap_opts_default(&o);
	o.chunk_size = 4096;
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), -EINVAL);
	uvf_dmaheap_opts_default(&o);
	o.max_bytes = 3 * MB2 + 4096;
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), -EINVAL);
	uvf_dmaheap_opts_default(&o);
	o.flags = 1u << 9;
	ck_assert_int_eq(uvf_dmaheap_create(&o, &heap), -EINVAL);
	heap = NULL;
	ck_assert_int_eq(uvf_dmaheap_create(NULL, NULL), -EINVAL);
	make_heap(0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 0, &p), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2 + 1, &p), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_pool_create(heap, 3000, &pool), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_pool_create(heap, 32, &pool), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, NULL), -EINVAL);
	ck_assert_int_eq(uvf_dmaheap_detach(heap, fa.dom), -ENOENT);
}
END_TEST

START_TEST(test_a_full_window_is_enomem_and_keeps_what_was_given)
{
	void *p[16], *q;
	int i;

	make_heap(0);	/* 16 chunks */
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), 0);
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(uvf_dmaheap_alloc(heap, MB2, &p[i]), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &q), -ENOMEM);
	ck_assert_uint_eq(mapped_bytes(&fa), 16 * MB2);
	ck_assert_int_eq(uvf_dmaheap_free(heap, p[3]), 0);
	ck_assert_int_eq(uvf_dmaheap_alloc(heap, 4096, &q), 0);
	ck_assert_ptr_eq(q, p[3]);
	p[3] = q;
	for (i = 0; i < 16; i++)
		ck_assert_int_eq(uvf_dmaheap_free(heap, p[i]), 0);
}
END_TEST

struct racer {
	struct uvf_dmaheap_pool *pool;
	void *obj[300];
	void *raw[8];
	int err;
};

static void *race_alloc(void *arg)
{
	struct racer *r = arg;
	uvf_iova_t iova;
	int i;

	for (i = 0; i < 300 && !r->err; i++) {
		r->err = uvf_dmaheap_pool_alloc(r->pool, fa.dom, &r->obj[i],
						&iova);
		if (i % 40 == 0 && !r->err)
			r->err = uvf_dmaheap_alloc(heap, 3 * 4096,
						   &r->raw[i / 40]);
	}
	return NULL;
}

START_TEST(test_threads_sharing_a_pool_never_get_the_same_object)
{
	struct uvf_dmaheap_pool *pool;
	struct racer r[2];
	pthread_t t[2];
	int i, j, k;

	make_heap(0);
	ck_assert_int_eq(uvf_dmaheap_attach(heap, fa.dom), 0);
	ck_assert_int_eq(uvf_dmaheap_pool_create(heap, 2048, &pool), 0);
	memset(r, 0, sizeof(r));
	for (k = 0; k < 2; k++) {
		r[k].pool = pool;
		ck_assert_int_eq(pthread_create(&t[k], NULL, race_alloc, &r[k]),
				 0);
	}
	for (k = 0; k < 2; k++) {
		pthread_join(t[k], NULL);
		ck_assert_int_eq(r[k].err, 0);
	}
	for (i = 0; i < 300; i++)
		for (j = 0; j < 300; j++)
			ck_assert_ptr_ne(r[0].obj[i], r[1].obj[j]);
	for (i = 0; i < 8; i++)
		ck_assert_ptr_ne(r[0].raw[i], r[1].raw[i]);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 300; i++)
			ck_assert_int_eq(uvf_dmaheap_pool_free(pool, r[k].obj[i]),
					 0);
		for (i = 0; i < 8; i++)
			ck_assert_int_eq(uvf_dmaheap_free(heap, r[k].raw[i]), 0);
	}
	ck_assert_int_eq(uvf_dmaheap_pool_destroy(pool), 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("dmaheap");
	TCase *tc = tcase_create("heap");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_growth_maps_every_new_chunk_into_every_attached_domain);
	tcase_add_test(tc, test_a_domain_attached_late_gets_every_existing_chunk);
	tcase_add_test(tc, test_detach_unmaps_the_heap_and_a_destroyed_domain_detaches);
	tcase_add_test(tc, test_the_last_hold_detaches_unless_pinned_or_attached);
	tcase_add_test(tc, test_pool_objects_are_aligned_distinct_and_reachable_per_domain);
	tcase_add_test(tc, test_iova_equals_va_where_the_usable_ranges_allow_it);
	tcase_add_test(tc, test_iova_equals_va_is_refused_outside_the_usable_ranges);
	tcase_add_test(tc, test_a_direct_domain_gets_per_page_addresses);
	tcase_add_test(tc, test_the_backing_used_is_reported);
	tcase_add_test(tc, test_numa_node_is_read_from_sysfs_and_binding_reported);
	tcase_add_test(tc, test_a_failed_mlock_names_rlimit_memlock_and_the_fix);
	tcase_add_test(tc, test_bad_frees_are_refused_and_change_nothing);
	tcase_add_test(tc, test_bad_arguments_are_refused);
	tcase_add_test(tc, test_a_full_window_is_enomem_and_keeps_what_was_given);
	tcase_add_test(tc, test_threads_sharing_a_pool_never_get_the_same_object);
	suite_add_tcase(s, tc);
	return s;
}
