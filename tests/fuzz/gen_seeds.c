/* SPDX-License-Identifier: MIT */
/*
 * Writes the seed corpora that are easier made by code than by hand: the
 * unit tests' sample DMAR, IVRS and IORT tables (tests/unit/acpi), and
 * well-formed VFIO capability chains. Run once by hand:
 *   build-fuzz/tests/fuzz/gen_seeds tests/fuzz/corpus
 * and commit what it writes; the files are small.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/vfio.h>

#include "sample_tables.h"

static void put(const char *root, const char *target, const char *name,
		const void *p, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", root, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(p, 1, len, f) != len || fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void acpi_seeds(const char *root)
{
	struct iort_layout l;
	struct tb b;

	sample_dmar(&b);
	put(root, "acpi_dmar", "sample", b.p, b.len);
	tb_free(&b);
	sample_ivrs(&b);
	put(root, "acpi_ivrs", "sample", b.p, b.len);
	tb_free(&b);
	sample_iort(&b, 5, &l);
	put(root, "acpi_iort", "sample-rev5", b.p, b.len);
	tb_free(&b);
	sample_iort(&b, 3, &l);
	put(root, "acpi_iort", "sample-rev3", b.p, b.len);
	tb_free(&b);
}

/* Target input: first offset (u32), region size (u64), the reply. */
struct caps_seed {
	uint32_t first;
	uint64_t region_size;
	uint64_t reply[32];	/* aligned as vfio_get_info()'s buffer */
};

static void put_caps(const char *root, const char *name,
		     const struct caps_seed *s, size_t len)
{
	uint8_t out[12 + sizeof(s->reply)];

	memcpy(out, &s->first, 4);
	memcpy(out + 4, &s->region_size, 8);
	memcpy(out + 12, s->reply, len);
	put(root, "vfio_caps", name, out, 12 + len);
}

static void caps_seeds(const char *root)
{
	struct caps_seed s;
	struct vfio_iommu_type1_info_cap_iova_range *r;
	struct vfio_iommu_type1_info_dma_avail *a;
	struct vfio_region_info_cap_sparse_mmap *sp;
	size_t len;

	/* GET_INFO: ranges at 24, then the DMA budget. */
	memset(&s, 0, sizeof(s));
	s.first = 24;
	r = (void *)((uint8_t *)s.reply + 24);
	r->header.id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE;
	r->header.version = 1;
	r->nr_iovas = 2;
	r->iova_ranges[0].start = 0;
	r->iova_ranges[0].end = 0xfedfffff;
	r->iova_ranges[1].start = 0xfef00000;
	r->iova_ranges[1].end = (1ull << 48) - 1;
	r->header.next = 24 + sizeof(*r) + 2 * sizeof(r->iova_ranges[0]);
	a = (void *)((uint8_t *)s.reply + r->header.next);
	a->header.id = VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL;
	a->header.version = 1;
	a->avail = 65535;
	len = r->header.next + sizeof(*a);
	put_caps(root, "iommu-info", &s, len);

	/* REGION_INFO: a 64 KiB BAR with the MSI-X table page carved out. */
	memset(&s, 0, sizeof(s));
	s.first = 32;
	s.region_size = 0x10000;
	sp = (void *)((uint8_t *)s.reply + 32);
	sp->header.id = VFIO_REGION_INFO_CAP_SPARSE_MMAP;
	sp->header.version = 1;
	sp->nr_areas = 2;
	sp->areas[0].offset = 0;
	sp->areas[0].size = 0x3000;
	sp->areas[1].offset = 0x4000;
	sp->areas[1].size = 0xc000;
	len = 32 + sizeof(*sp) + 2 * sizeof(sp->areas[0]);
	put_caps(root, "region-sparse", &s, len);
}

/* The differential test's xorshift64* stream, one per page-table format:
 * the fuzzer starts from what the unit test runs. */
static void dma_model_seeds(const char *root)
{
	uint8_t buf[2048];
	char name[32];
	unsigned int fmt;
	size_t i;

	for (fmt = 0; fmt < 4; fmt++) {
		uint64_t x = 0x9e3779b97f4a7c15ull * (fmt + 1);

		for (i = 0; i < sizeof(buf); i++) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
			buf[i] = (uint8_t)((x * 0x2545f4914f6cdd1dull) >> 56);
		}
		buf[0] = (uint8_t)fmt;
		snprintf(name, sizeof(name), "format-%u", fmt);
		put(root, "dma_model", name, buf, sizeof(buf));
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s CORPUS_ROOT\n", argv[0]);
		return 2;
	}
	acpi_seeds(argv[1]);
	caps_seeds(argv[1]);
	dma_model_seeds(argv[1]);
	return 0;
}
