/* SPDX-License-Identifier: MIT */
/*
 * Drawings of page tables (uvf_pgtable_dump) in every format: what a line
 * says about an entry, folding of runs, marks, bad input; and of domains
 * (uvf_domain_dump) on the software model, with direct and reserved
 * regions and the IOTLB marked.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uvf/uvf.h>

#include "check_main.h"
#include "pgt_test.h"

static char *buf;
static size_t buflen;

/* A stream into buf, whose old drawing goes. */
static FILE *fresh_buf(void)
{
	FILE *f;

	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &buflen);
	ck_assert_ptr_nonnull(f);
	return f;
}

/* The drawing of @pt in @form, in buf (freed by the next call). */
static int draw(const struct uvf_pgtable *pt, enum uvf_dump_form form,
		const struct uvf_pgtable_mark *m, size_t n)
{
	FILE *f = fresh_buf();
	int ret = uvf_pgtable_dump(pt, form, m, n, f);

	fclose(f);
	return ret;
}

static void has(const char *s)
{
	ck_assert_msg(strstr(buf, s), "'%s' not in:\n%s", s, buf);
}

static unsigned int count(const char *s)
{
	unsigned int n = 0;
	const char *p;

	for (p = buf; (p = strstr(p, s)); p++)
		n++;
	return n;
}

START_TEST(text_tree_names_levels_leaves_and_folds_runs)
{
	struct uvf_pgtable *pt = pt_new(_i);
	char line[160];

	/* 4 pages at 0x10000 with one output run, 2 MiB at 0x200000, and
	 * one page whose output breaks the run at 0x14000. */
	ck_assert_int_eq(uvf_pgtable_map(pt, 0x10000, TEST_PA, 0x4000,
					 UVF_PROT_RW, 0, NULL), 0);
	ck_assert_int_eq(uvf_pgtable_map(pt, 0x14000, TEST_PA + 0x100000,
					 0x1000, UVF_PROT_RW, 0, NULL), 0);
	ck_assert_int_eq(uvf_pgtable_map(pt, 0x200000, TEST_PA, UVF_SZ_2M,
					 UVF_PROT_RW, 0, NULL), 0);
	ck_assert_int_eq(draw(pt, UVF_DUMP_TEXT, NULL, 0), 0);
	snprintf(line, sizeof(line), "# %s: %u levels",
		 uvf_pgtable_info(pt)->name, pt_levels(pt));
	has(line);
	snprintf(line, sizeof(line), "L1[16..19] x4 0x%016llx leaf rw 4K -> "
		 "0x%llx iova 0x10000-0x13fff\n",
		 (unsigned long long)*uvf_pgtable_debug_entry(pt, 0x10000, 1),
		 (unsigned long long)TEST_PA);
	has(line);
	snprintf(line, sizeof(line), "L1[20] 0x%016llx leaf rw 4K -> 0x%llx "
		 "iova 0x14000-0x14fff\n",
		 (unsigned long long)*uvf_pgtable_debug_entry(pt, 0x14000, 1),
		 (unsigned long long)TEST_PA + 0x100000);
	has(line);
	snprintf(line, sizeof(line), "L2[1] 0x%016llx leaf rw 2M -> 0x%llx "
		 "iova 0x200000-0x3fffff\n",
		 (unsigned long long)*uvf_pgtable_debug_entry(pt, 0x200000, 2),
		 (unsigned long long)TEST_PA);
	has(line);
	/* One table line per level above the leaves, indented by depth. */
	ck_assert_uint_eq(count(" table rw "), pt_levels(pt) - 1);
	has("      L1[16..19]");
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(marks_split_runs_and_tag_the_entries_they_cover)
{
	struct uvf_pgtable *pt = pt_new(_i);
	const struct uvf_pgtable_mark m[] = {
		{ 0x11000, 0x11fff, "iotlb" },
		{ 0xfee00000, 0xfeefffff, "msi" },
	};

	ck_assert_int_eq(uvf_pgtable_map(pt, 0x10000, TEST_PA, 0x4000,
					 UVF_PROT_READ, 0, NULL), 0);
	ck_assert_int_eq(draw(pt, UVF_DUMP_TEXT, m, 2), 0);
	has("# mark iotlb [0x11000-0x11fff]\n# mark msi [0xfee00000-0xfeefffff]");
	has("L1[16] ");
	has("iova 0x11000-0x11fff [iotlb]\n");
	has("L1[18..19] x2 ");
	/* Every level on the page's path carries it... */
	ck_assert_uint_eq(count("[iotlb]") + count("[iotlb,msi]"),
			  pt_levels(pt));
	/* ...the MSI window maps nothing: only the tables above 4 GiB. */
	ck_assert_uint_eq(count("[iotlb,msi]"), pt_levels(pt) > 4 ? 2 : 1);
	ck_assert_uint_eq(count("msi]"), pt_levels(pt) > 4 ? 2 : 1);
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(dot_has_a_node_per_table_and_an_edge_per_table_entry)
{
	struct uvf_pgtable *pt = pt_new(_i);
	const struct uvf_pgtable_mark m = { 0x1000, 0x1fff, "direct" };

	ck_assert_int_eq(uvf_pgtable_map(pt, 0x1000, TEST_PA, 0x1000,
					 UVF_PROT_RW, 0, NULL), 0);
	ck_assert_int_eq(uvf_pgtable_map(pt, UVF_SZ_1G, TEST_PA, UVF_SZ_1G,
					 UVF_PROT_RW, 0, NULL), 0);
	ck_assert_int_eq(draw(pt, UVF_DUMP_DOT, &m, 1), 0);
	has("digraph pgtable {");
	ck_assert_uint_eq(count("<b>L"), uvf_pgtable_table_pages(pt));
	ck_assert_uint_eq(count(" -> t"), uvf_pgtable_table_pages(pt) - 1);
	has("bgcolor=\"lightblue\">[1] ");
	has("leaf rw 1G &#8594; ");
	ck_assert_uint_eq(buf[buflen - 2], '}');
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(json_nests_tables_and_counts_runs)
{
	struct uvf_pgtable *pt = pt_new(_i);
	char want[200];

	ck_assert_int_eq(uvf_pgtable_map(pt, 0x10000, TEST_PA, 0x3000,
					 UVF_PROT_WRITE, 0, NULL), 0);
	ck_assert_int_eq(draw(pt, UVF_DUMP_JSON, NULL, 0), 0);
	snprintf(want, sizeof(want), "{\"format\":\"%s\",\"levels\":%u,",
		 uvf_pgtable_info(pt)->name, pt_levels(pt));
	has(want);
	ck_assert_uint_eq(count("\"table\":{"), pt_levels(pt) - 1);
	snprintf(want, sizeof(want), "{\"index\":16,\"count\":3,\"value\":"
		 "\"0x%llx\",\"kind\":\"leaf\",\"prot\":\"%s\",\"iova_first\":"
		 "\"0x10000\",\"iova_last\":\"0x12fff\",\"marks\":[],\"size\":"
		 "4096,\"paddr\":\"0x%llx\"}",
		 (unsigned long long)*uvf_pgtable_debug_entry(pt, 0x10000, 1),
		 uvf_pgtable_info(pt)->write_implies_read ? "rw" : "-w",
		 (unsigned long long)TEST_PA);
	has(want);
	uvf_pgtable_destroy(pt);
}
END_TEST

START_TEST(bad_input_is_refused)
{
	struct uvf_pgtable *pt = pt_new(UVF_PGTABLE_VTD_SL4);
	struct uvf_pgtable_mark m[17];
	static const char *const names[17] = { "a", "b", "c", "d", "e", "f",
		"g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q" };
	unsigned int i;

	for (i = 0; i < 17; i++)
		m[i] = (struct uvf_pgtable_mark){ 0, 0xfff, names[i] };
	ck_assert_int_eq(draw(NULL, UVF_DUMP_TEXT, NULL, 0), -EINVAL);
	ck_assert_int_eq(uvf_pgtable_dump(pt, UVF_DUMP_TEXT, NULL, 0, NULL),
			 -EINVAL);
	ck_assert_int_eq(draw(pt, UVF_DUMP_NR_FORMS, NULL, 0), -EINVAL);
	ck_assert_int_eq(draw(pt, UVF_DUMP_TEXT, NULL, 1), -EINVAL);
	ck_assert_int_eq(draw(pt, UVF_DUMP_TEXT, m, 17), -EINVAL);
	ck_assert_int_eq(draw(pt, UVF_DUMP_TEXT, m, 16), 0);
	m[0].what = "a\"b";
	ck_assert_int_eq(draw(pt, UVF_DUMP_JSON, m, 1), -EINVAL);
	m[0] = (struct uvf_pgtable_mark){ 0x2000, 0x1000, "a" };
	ck_assert_int_eq(draw(pt, UVF_DUMP_TEXT, m, 1), -EINVAL);
	ck_assert_int_eq(uvf_dump_form_by_name("dot"), UVF_DUMP_DOT);
	ck_assert_int_eq(uvf_dump_form_by_name("svg"), -EINVAL);
	ck_assert_int_eq(uvf_dump_form_by_name(NULL), -EINVAL);
	uvf_pgtable_destroy(pt);
}
END_TEST

/* A software IOMMU with an RMRR and an MSI window, one translated domain
 * and a DMA engine in it. */
static struct uvf_iommu *iommu;
static struct uvf_domain *dom;
static struct uvf_device *dev;

static void sim_up(int fmt)
{
	static const struct uvf_direct_region rmrr = {
		.source = UVF_DIRECT_DMAR_RMRR, .rid_first = 0x10,
		.rid_last = 0x10, .first = 0xe0000, .last = 0xfffff,
		.prot = UVF_PROT_RW };
	static const struct uvf_resv_region msi = {
		.first = 0xfee00000, .last = 0xfeefffff, .type = UVF_RESV_MSI };
	struct uvf_direct_regions fw = {
		.v = (struct uvf_direct_region *)&rmrr, .nr = 1 };
	struct uvf_sim_iommu_params p;

	uvf_sim_iommu_params_default(&p, (enum uvf_pgtable_format)fmt);
	p.direct = &fw;
	p.resv = &msi;
	p.nr_resv = 1;
	ck_assert_int_eq(uvf_sim_iommu_create(&p, &iommu), 0);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &dom),
			 0);
	ck_assert_int_eq(uvf_sim_dmaengine_create(iommu, 0, 0x10, &dev), 0);
	ck_assert_int_eq(uvf_domain_attach(dom, dev), 0);
}

static void sim_down(void)
{
	uvf_domain_detach(dom, dev);
	uvf_device_close(dev);
	ck_assert_int_eq(uvf_domain_destroy(dom), 0);
	ck_assert_int_eq(uvf_iommu_destroy(iommu), 0);
}

static int draw_domain(struct uvf_domain *d, enum uvf_dump_form form)
{
	FILE *f = fresh_buf();
	int ret = uvf_domain_dump(d, form, f);

	fclose(f);
	return ret;
}

START_TEST(domain_drawing_marks_direct_reserved_and_iotlb)
{
	char *mem = aligned_alloc(4096, 4 * 4096);
	uvf_iova_t iova;
	uint64_t pa;

	ck_assert_ptr_nonnull(mem);
	sim_up(_i);
	ck_assert_int_eq(uvf_dma_map_page(dev, mem, 4 * 4096,
					  UVF_DMA_BIDIRECTIONAL, &iova), 0);
	ck_assert_int_eq(uvf_sim_translate(dev, iova + 4096, UVF_ACCESS_READ,
					   &pa), 0);
	ck_assert_int_eq(draw_domain(dom, UVF_DUMP_TEXT), 0);
	has("# mark msi [0xfee00000-0xfeefffff]\n");
	has("# mark direct [0xe0000-0xfffff]\n");
	has("L1[224..255] x32 ");
	has("iova 0xe0000-0xfffff [direct]\n");
	ck_assert_uint_eq(count("[iotlb]"), 1);
	ck_assert_int_eq(draw_domain(dom, UVF_DUMP_JSON), 0);
	has("{\"what\":\"iotlb\",\"first\":\"");
	/* The IOTLB's page goes with the IOTLB. */
	ck_assert_int_eq(uvf_dma_unmap_page(dev, iova, 4 * 4096,
					    UVF_DMA_BIDIRECTIONAL), 0);
	ck_assert_int_eq(draw_domain(dom, UVF_DUMP_TEXT), 0);
	ck_assert_uint_eq(count("iotlb"), 0);
	sim_down();
	free(mem);
}
END_TEST

START_TEST(domain_drawing_refuses_bad_input)
{
	struct uvf_domain *direct;

	sim_up(UVF_PGTABLE_VTD_SL4);
	ck_assert_int_eq(uvf_domain_create(iommu, UVF_DOMAIN_DIRECT, &direct),
			 0);
	ck_assert_int_eq(draw_domain(direct, UVF_DUMP_TEXT), -EINVAL);
	ck_assert_int_eq(draw_domain(NULL, UVF_DUMP_TEXT), -EINVAL);
	ck_assert_int_eq(draw_domain(dom, (enum uvf_dump_form)7), -EINVAL);
	ck_assert_int_eq(uvf_domain_dump(dom, UVF_DUMP_TEXT, NULL), -EINVAL);
	ck_assert_int_eq(uvf_domain_destroy(direct), 0);
	sim_down();
}
END_TEST

static void free_buf(void)
{
	free(buf);
	buf = NULL;
}

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("pgtable-dump");
	TCase *tc = tcase_create("dump");

	tcase_add_checked_fixture(tc, NULL, free_buf);
	tcase_add_loop_test(tc, text_tree_names_levels_leaves_and_folds_runs, 0,
			    UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, marks_split_runs_and_tag_the_entries_they_cover,
			    0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc,
			    dot_has_a_node_per_table_and_an_edge_per_table_entry,
			    0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_loop_test(tc, json_nests_tables_and_counts_runs, 0,
			    UVF_PGTABLE_NR_FORMATS);
	tcase_add_test(tc, bad_input_is_refused);
	tcase_add_loop_test(tc, domain_drawing_marks_direct_reserved_and_iotlb,
			    0, UVF_PGTABLE_NR_FORMATS);
	tcase_add_test(tc, domain_drawing_refuses_bad_input);
	suite_add_tcase(s, tc);
	return s;
}
