/* SPDX-License-Identifier: MIT */
/* What the VFIO layer reads from the kernel: sysfs reserved_regions and
 * the capability chains of info replies, built here by hand. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "check_main.h"
#include "fake_sysfs.h"
#include "vfio/vfio_priv.h"

START_TEST(test_resv_parse_reads_every_kernel_type)
{
	struct uvf_resv_region r[8];
	int n;

	n = vfio_resv_parse("0x0000000000000000 0x0000000000ffffff "
			    "direct-relaxable\n"
			    "0x00000000fee00000 0x00000000feefffff msi\n"
			    "0x000000fd00000000 0x000000ffffffffff reserved\n"
			    "0x0000000000100000 0x00000000001fffff direct\n",
			    r, 8);
	ck_assert_int_eq(n, 4);
	ck_assert_int_eq(r[0].type, UVF_RESV_DIRECT_RELAXABLE);
	ck_assert_uint_eq(r[0].first, 0);
	ck_assert_uint_eq(r[0].last, 0xffffff);
	ck_assert_int_eq(r[1].type, UVF_RESV_MSI);
	ck_assert_uint_eq(r[1].first, 0xfee00000);
	ck_assert_uint_eq(r[1].last, 0xfeefffff);
	ck_assert_int_eq(r[2].type, UVF_RESV_RESERVED);
	ck_assert_uint_eq(r[2].last, 0xffffffffffull);
	ck_assert_int_eq(r[3].type, UVF_RESV_DIRECT);
	ck_assert_int_eq(r[3].prot, UVF_PROT_RW);
}
END_TEST

START_TEST(test_resv_parse_of_empty_text_is_no_region)
{
	struct uvf_resv_region r[1];

	ck_assert_int_eq(vfio_resv_parse("", r, 1), 0);
	ck_assert_int_eq(vfio_resv_parse("\n\n", r, 1), 0);
}
END_TEST

START_TEST(test_resv_parse_rejects_malformed_lines)
{
	static const char *const bad[] = {
		"0xfee00000 0xfeefffff\n",		/* no type */
		"0xfee00000 0xfeefffff bogus\n",	/* unknown type */
		"0xfeefffff 0xfee00000 msi\n",		/* first > last */
		"fee00000 feefffff msi\n",		/* no 0x */
		"0xfee00000 0xfeefffff msi trailing\n",
	};
	struct uvf_resv_region r[4];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(vfio_resv_parse(bad[i], r, 4) == -EINVAL, "%s",
			      bad[i]);
}
END_TEST

START_TEST(test_resv_parse_more_regions_than_room_is_e2big)
{
	struct uvf_resv_region r[1];

	ck_assert_int_eq(vfio_resv_parse("0x1000 0x1fff msi\n"
					 "0x3000 0x3fff msi\n", r, 1), -E2BIG);
}
END_TEST

START_TEST(test_resv_read_from_a_fake_sysfs_group)
{
	struct uvf_resv_region r[4];
	struct fake_sysfs fs;

	fake_sysfs_create(&fs);
	fake_device(&fs, &(struct fake_dev){ .bdf = "0000:00:07.0",
					     .vendor = 0x1234,
					     .device = 0x11e8, .group = 7 });
	fake_write(&fs, "kernel/iommu_groups/7/reserved_regions",
		   "0x00000000fee00000 0x00000000feefffff msi\n");
	ck_assert_int_eq(vfio_resv_read(fs.sys, 7, r, 4), 1);
	ck_assert_int_eq(r[0].type, UVF_RESV_MSI);
	/* A group without the file (noiommu) has none; no group neither. */
	ck_assert_int_eq(vfio_resv_read(fs.sys, 8, r, 4), 0);
	ck_assert_int_eq(vfio_resv_read(fs.sys, -ENOENT, r, 4), 0);
	fake_sysfs_destroy(&fs);
}
END_TEST

/* A region info reply with a capability chain, laid out like the kernel's
 * (header, then 8-byte aligned capabilities). */
struct reply {
	struct vfio_region_info info;
	unsigned char caps[512];
};

static uint32_t put_sparse(struct reply *rp, uint32_t off, uint32_t next,
			   const struct vfio_region_sparse_mmap_area *a,
			   uint32_t n)
{
	struct vfio_region_info_cap_sparse_mmap *c =
		(void *)((char *)rp + off);

	c->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	c->header.version = 1;
	c->header.next = next;
	c->nr_areas = n;
	memcpy(c->areas, a, n * sizeof(*a));
	return off;
}

START_TEST(test_sparse_areas_are_sorted_and_whole_when_they_tile)
{
	static const struct vfio_region_sparse_mmap_area a[] = {
		{ 0x2000, 0x2000 }, { 0x0, 0x2000 },
	};
	struct reply rp = { 0 };
	struct vfio_region r = { .size = 0x4000 };
	uint32_t off = sizeof(rp.info);

	put_sparse(&rp, off, 0, a, 2);
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), off, 0x4000, &r),
			 0);
	ck_assert_uint_eq(r.nr_areas, 2);
	ck_assert_uint_eq(r.area[0].offset, 0);
	ck_assert_uint_eq(r.area[1].offset, 0x2000);
	ck_assert(r.whole);
}
END_TEST

START_TEST(test_sparse_areas_with_a_hole_are_not_whole)
{
	/* Like a BAR with its MSI-X table page carved out. */
	static const struct vfio_region_sparse_mmap_area a[] = {
		{ 0x0, 0x1000 }, { 0x3000, 0x1000 },
	};
	struct reply rp = { 0 };
	struct vfio_region r = { .size = 0x4000 };
	uint32_t off = sizeof(rp.info);

	put_sparse(&rp, off, 0, a, 2);
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), off, 0x4000, &r),
			 0);
	ck_assert_uint_eq(r.nr_areas, 2);
	ck_assert(!r.whole);
}
END_TEST

START_TEST(test_sparse_is_found_behind_another_capability)
{
	static const struct vfio_region_sparse_mmap_area a[] = {
		{ 0x0, 0x4000 },
	};
	struct reply rp = { 0 };
	struct vfio_info_cap_header *other =
		(void *)((char *)&rp + sizeof(rp.info));
	struct vfio_region r = { .size = 0x4000 };
	uint32_t first = sizeof(rp.info), second = first + 16;

	other->id = VFIO_REGION_INFO_CAP_MSIX_MAPPABLE;
	other->version = 1;
	other->next = second;
	put_sparse(&rp, second, 0, a, 1);
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), first, 0x4000,
					   &r), 0);
	ck_assert(r.whole);
}
END_TEST

START_TEST(test_sparse_chain_errors_are_eio)
{
	static const struct vfio_region_sparse_mmap_area beyond[] = {
		{ 0x3000, 0x2000 },
	};
	static const struct vfio_region_sparse_mmap_area overlap[] = {
		{ 0x0, 0x2000 }, { 0x1000, 0x1000 },
	};
	static const struct vfio_region_sparse_mmap_area unaligned[] = {
		{ 0x800, 0x800 },
	};
	struct vfio_region r = { .size = 0x4000 };
	struct reply rp;
	uint32_t off = sizeof(rp.info);
	struct vfio_info_cap_header *h = (void *)((char *)&rp + off);

	memset(&rp, 0, sizeof(rp));
	put_sparse(&rp, off, 0, beyond, 1);
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), off, 0x4000, &r),
			 -EIO);
	memset(&rp, 0, sizeof(rp));
	put_sparse(&rp, off, 0, overlap, 2);
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), off, 0x4000, &r),
			 -EIO);
	memset(&rp, 0, sizeof(rp));
	put_sparse(&rp, off, 0, unaligned, 1);
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), off, 0x4000, &r),
			 -EIO);
	/* More areas claimed than the reply holds. */
	memset(&rp, 0, sizeof(rp));
	put_sparse(&rp, off, 0, overlap, 1);
	((struct vfio_region_info_cap_sparse_mmap *)h)->nr_areas = 1000;
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), off, 0x4000, &r),
			 -EIO);
	/* A chain pointing back at itself, or out of the buffer. */
	memset(&rp, 0, sizeof(rp));
	h->id = 99;
	h->next = off;
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), off, 0x4000, &r),
			 -EIO);
	h->next = sizeof(rp) + 64;
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), off, 0x4000, &r),
			 -EIO);
	/* A chain without it. */
	h->next = 0;
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), off, 0x4000, &r),
			 -ENOENT);
	ck_assert_int_eq(vfio_parse_sparse(&rp, sizeof(rp), 0, 0x4000, &r),
			 -ENOENT);
}
END_TEST

START_TEST(test_type1_info_ranges_and_dma_avail)
{
	/* info | iova-range cap with 2 ranges | dma-avail cap */
	const uint32_t first = sizeof(struct vfio_iommu_type1_info);
	const uint32_t second = first +
		sizeof(struct vfio_iommu_type1_info_cap_iova_range) +
		2 * sizeof(struct vfio_iova_range);
	uint64_t rp[64] = { 0 };	/* 512 bytes: all of it fits */
	struct vfio_iommu_type1_info_cap_iova_range *c =
		(void *)((char *)rp + first);
	struct vfio_iommu_type1_info_dma_avail *av =
		(void *)((char *)rp + second);
	struct vfio_range_set s;
	uint64_t avail = 0;

	c->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	c->header.next = second;
	c->nr_iovas = 2;
	c->iova_ranges[0] = (struct vfio_iova_range){ 0, 0xfedfffff };
	c->iova_ranges[1] = (struct vfio_iova_range){ 0xfef00000,
						      0x7fffffffff };
	av->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	av->avail = 1234;
	ck_assert_int_eq(vfio_parse_iova_ranges(rp, sizeof(rp), first, &s), 0);
	ck_assert_uint_eq(s.n, 2);
	ck_assert_uint_eq(s.v[1].first, 0xfef00000);
	ck_assert_uint_eq(s.v[1].last, 0x7fffffffff);
	ck_assert_int_eq(vfio_parse_dma_avail(rp, sizeof(rp), first, &avail),
			 0);
	ck_assert_uint_eq(avail, 1234);
	/* Truncated reply: the ranges run past its end. */
	ck_assert_int_eq(vfio_parse_iova_ranges(rp, first + sizeof(*c) + 8,
						first, &s), -EIO);
	c->iova_ranges[0].start = 0xfee00000;	/* start > end */
	ck_assert_int_eq(vfio_parse_iova_ranges(rp, sizeof(rp), first, &s),
			 -EIO);
}
END_TEST

/* Found by tests/fuzz/fuzz_vfio_caps (its input is
 * tests/fuzz/corpus/vfio_caps/regress-ranges-partial): a range that fails the check
 * after good ones used to leave those in the caller's set. */
START_TEST(test_failed_range_parse_leaves_the_set_alone)
{
	const uint32_t first = sizeof(struct vfio_iommu_type1_info);
	uint64_t rp[64] = { 0 };
	struct vfio_iommu_type1_info_cap_iova_range *c =
		(void *)((char *)rp + first);
	struct vfio_range_set s = { { { 0x1000, 0x1fff } }, 1 };

	c->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	c->nr_iovas = 2;
	c->iova_ranges[0] = (struct vfio_iova_range){ 0, 0xfedfffff };
	c->iova_ranges[1] = (struct vfio_iova_range){ 0xfef00000, 0x1000 };
	ck_assert_int_eq(vfio_parse_iova_ranges(rp, sizeof(rp), first, &s),
			 -EIO);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.v[0].first, 0x1000);
	ck_assert_uint_eq(s.v[0].last, 0x1fff);
}
END_TEST

/* The type1 side of what tests/fuzz/fuzz_vfio_kernel found for iommufd
 * (see test_vfio_iommufd.c): ranges out of order or overlapping are not
 * the sorted set the rest of lib/vfio assumes. */
START_TEST(test_unsorted_or_overlapping_ranges_are_eio)
{
	const uint32_t first = sizeof(struct vfio_iommu_type1_info);
	uint64_t rp[64] = { 0 };
	struct vfio_iommu_type1_info_cap_iova_range *c =
		(void *)((char *)rp + first);
	struct vfio_range_set s = { .n = 0 };

	c->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	c->nr_iovas = 2;
	c->iova_ranges[0] = (struct vfio_iova_range){ 0xfef00000, 0xffffffff };
	c->iova_ranges[1] = (struct vfio_iova_range){ 0, 0xfedfffff };
	ck_assert_int_eq(vfio_parse_iova_ranges(rp, sizeof(rp), first, &s),
			 -EIO);
	c->iova_ranges[1] = (struct vfio_iova_range){ 0xfeffffff,
						      0x1ffffffff };
	ck_assert_int_eq(vfio_parse_iova_ranges(rp, sizeof(rp), first, &s),
			 -EIO);
	ck_assert_uint_eq(s.n, 0);
	c->iova_ranges[1] = (struct vfio_iova_range){ 0x100000000,
						      0x1ffffffff };
	ck_assert_int_eq(vfio_parse_iova_ranges(rp, sizeof(rp), first, &s),
			 0);
	ck_assert_uint_eq(s.n, 2);
}
END_TEST

/* Found by tests/fuzz/fuzz_vfio_caps under UBSan (its input is
 * tests/fuzz/corpus/vfio_caps/regress-unaligned-cap): the kernel puts every
 * capability at an 8-byte boundary, and one that is not would have its
 * 64-bit fields read misaligned. */
START_TEST(test_capability_off_an_8_byte_boundary_is_eio)
{
	const uint32_t first = sizeof(struct vfio_iommu_type1_info);
	uint64_t rp[64] = { 0 };
	struct vfio_info_cap_header *h = (void *)((char *)rp + first);
	/* Copied in: a struct access there would itself be misaligned. */
	const struct vfio_info_cap_header misplaced = {
		.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
	};
	struct vfio_range_set s = { .n = 0 };
	uint64_t avail = 7;

	h->id = 99;
	h->next = first + 12;
	memcpy((char *)rp + first + 12, &misplaced, sizeof(misplaced));
	ck_assert_int_eq(vfio_parse_iova_ranges(rp, sizeof(rp), first + 4,
						&s), -EIO);
	ck_assert_int_eq(vfio_parse_iova_ranges(rp, sizeof(rp), first, &s),
			 -EIO);
	ck_assert_int_eq(vfio_parse_dma_avail(rp, sizeof(rp), first, &avail),
			 -EIO);
	ck_assert_uint_eq(s.n, 0);
	ck_assert_uint_eq(avail, 7);
}
END_TEST

START_TEST(test_ranges_intersect_clamp_cover)
{
	struct vfio_range_set a = { { { 0x1000, 0xfedfffff },
				      { 0xfef00000, 0x7fffffffff } }, 2 };
	const struct vfio_range_set b = { { { 0x0, 0xffffffffff } }, 1 };
	const struct vfio_range_set c = { { { 0x0, 0x3fffffff } }, 1 };
	struct uvf_iova_range in[2] = { { 0x2000, 0x2fff },
					{ 0xfef00000, 0xfeffffff } };

	vfio_ranges_intersect(&a, &b);
	ck_assert_uint_eq(a.n, 2);
	ck_assert(vfio_ranges_cover(&a, in, 2));
	in[1].first = 0xfee00000;	/* the hole */
	ck_assert(!vfio_ranges_cover(&a, in, 2));
	vfio_ranges_intersect(&a, &c);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_uint_eq(a.v[0].last, 0x3fffffff);
	vfio_ranges_clamp(&a, 0xfffffff);
	ck_assert_uint_eq(a.n, 1);
	ck_assert_uint_eq(a.v[0].last, 0xfffffff);
	vfio_ranges_clamp(&a, 0xfff);
	ck_assert_uint_eq(a.n, 0);
}
END_TEST

Suite *uvf_test_suite(void)
{
	Suite *s = suite_create("vfio_parse");
	TCase *tc = tcase_create("parse");

	tcase_add_test(tc, test_resv_parse_reads_every_kernel_type);
	tcase_add_test(tc, test_resv_parse_of_empty_text_is_no_region);
	tcase_add_test(tc, test_resv_parse_rejects_malformed_lines);
	tcase_add_test(tc, test_resv_parse_more_regions_than_room_is_e2big);
	tcase_add_test(tc, test_resv_read_from_a_fake_sysfs_group);
	tcase_add_test(tc, test_sparse_areas_are_sorted_and_whole_when_they_tile);
	tcase_add_test(tc, test_sparse_areas_with_a_hole_are_not_whole);
	tcase_add_test(tc, test_sparse_is_found_behind_another_capability);
	tcase_add_test(tc, test_sparse_chain_errors_are_eio);
	tcase_add_test(tc, test_type1_info_ranges_and_dma_avail);
	tcase_add_test(tc, test_failed_range_parse_leaves_the_set_alone);
	tcase_add_test(tc, test_capability_off_an_8_byte_boundary_is_eio);
	tcase_add_test(tc, test_unsorted_or_overlapping_ranges_are_eio);
	tcase_add_test(tc, test_ranges_intersect_clamp_cover);
	suite_add_tcase(s, tc);
	return s;
}
