/* SPDX-License-Identifier: MIT */
/*
 * uvf_domain_dump() of a VFIO domain, on the fake kernel: the kernel's
 * tables cannot be read, so the drawing lists the mappings (IOVA, length,
 * memory, permissions) and the reserved regions, in each form.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/iommu.h>

#include "check_main.h"
#include "fake_vfio.h"

#define EDU "0000:00:07.0"
#define PG 4096ul

static struct fake_vfio fk;
static struct uvf_iommu *iommu;
static struct uvf_device *dev;
static struct uvf_domain *dom;
static char *mem, *buf;
static size_t buflen;

static void setup(void)
{
	struct uvf_vfio_opts o;

	fk_init(&fk);
	fk_add_dev(&fk, EDU, 4);
	fk_publish(&fk);
	fake_write(&fk.fs, "kernel/iommu_groups/4/reserved_regions",
		   "0x00000000fee00000 0x00000000feefffff msi\n");
	o = fk_opts(&fk, UVF_VFIO_TYPE1);
	ck_assert_int_eq(vfio_open_sys(&o, &fk.sys, &iommu), 0);
	ck_assert_int_eq(uvf_vfio_device_open(iommu, EDU, &dev), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
	mem = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(mem, MAP_FAILED);
}

static void teardown(void)
{
	uvf_domain_detach(dom, dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
	munmap(mem, 16 * PG);
	fk_fini(&fk);
	free(buf);
	buf = NULL;
}

static void draw(enum uvf_dump_form form)
{
	FILE *f;

	free(buf);
	f = open_memstream(&buf, &buflen);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(uvf_domain_dump(dom, form, f), 0);
	fclose(f);
}

static void has(const char *s)
{
	ck_assert_msg(strstr(buf, s), "'%s' not in:\n%s", s, buf);
}

START_TEST(vfio_domain_lists_mappings_and_reserved_regions)
{
	struct uvf_sg sg[2] = { { .vaddr = mem, .len = PG },
				{ .vaddr = mem + 8 * PG, .len = PG } };
	char line[160];
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_domain_map(dom, 0x100000, mem, 4 * PG,
					UVF_PROT_READ), 0);
	ck_assert_int_eq(uvf_dma_map_page(dev, mem + 4 * PG, PG,
					  UVF_DMA_FROM_DEVICE, &iova), 0);
	ck_assert_int_eq(uvf_dma_map_sg(dev, sg, 2, UVF_DMA_BIDIRECTIONAL), 2);

	draw(UVF_DUMP_TEXT);
	has("the kernel keeps the page tables (not readable); 3 mapping(s)\n");
	snprintf(line, sizeof(line), "iova 0x100000-0x103fff len 0x4000 va "
		 "%p r-\n", (void *)mem);
	has(line);
	snprintf(line, sizeof(line), "iova 0x%llx-0x%llx len 0x1000 va %p -w\n",
		 (unsigned long long)iova, (unsigned long long)iova + PG - 1,
		 (void *)(mem + 4 * PG));
	has(line);
	snprintf(line, sizeof(line), "len 0x2000 va %p (scattered) rw\n",
		 (void *)mem);
	has(line);
	has("# reserved msi [0xfee00000-0xfeefffff]\n");

	draw(UVF_DUMP_JSON);
	has("\"tables\":false,\"mappings\":[\n{\"iova\":\"0x");
	has("{\"iova\":\"0x100000\",\"len\":\"0x4000\",\"prot\":\"r-\","
	    "\"scattered\":false,\"va\":");
	/* In IOVA order: the allocator's two below the fixed one. */
	ck_assert(strstr(buf, "\"scattered\":true") <
		  strstr(buf, "\"iova\":\"0x100000\""));
	has("\"reserved\":[{\"type\":\"msi\",\"first\":\"0xfee00000\","
	    "\"last\":\"0xfeefffff\"}]}");
	draw(UVF_DUMP_DOT);
	has("digraph domain {");
	has("<tr><td bgcolor=\"lightpink\">msi 0xfee00000-0xfeefffff</td></tr>");

	/* An unmapped range leaves the list. */
	ck_assert_int_eq(uvf_domain_unmap(dom, 0x100000, 4 * PG), 0);
	draw(UVF_DUMP_TEXT);
	has("2 mapping(s)\n");
	ck_assert_ptr_null(strstr(buf, "iova 0x100000-"));
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("domain-dump-vfio");
	TCase *tc = tcase_create("vfio");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, vfio_domain_lists_mappings_and_reserved_regions);
	suite_add_tcase(s, tc);
	return s;
}
