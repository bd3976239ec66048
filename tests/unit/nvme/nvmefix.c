/* SPDX-License-Identifier: MIT */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "nvme_fault.h"
#include "nvme_regs.h"
#include "nvmefix.h"

void nvmefix_setup(struct nvmefix *f, const struct fake_nvme_params *p)
{
	struct uvf_sim_iommu_params ip;
	struct fake_nvme_params def;

	if (!p) {
		fake_nvme_params_default(&def);
		p = &def;
	}
	memset(f, 0, sizeof(*f));
	uvf_sim_iommu_params_default(&ip, UVF_PGTABLE_VTD_SL4);
	ck_assert_int_eq(uvf_sim_iommu_create(&ip, &f->iommu), 0);
	ck_assert_int_eq(uvf_domain_create(f->iommu, UVF_DOMAIN_TRANSLATED,
					   &f->dom), 0);
	f->dev = fake_nvme_create(f->iommu, p);
	ck_assert_int_eq(uvf_domain_attach(f->dom, f->dev), 0);
	f->arena = mmap(NULL, NVMEFIX_ARENA, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert_ptr_ne(f->arena, MAP_FAILED);
	ck_assert_int_eq(uvf_dma_register(f->dev, f->arena, NVMEFIX_ARENA,
					  NULL), 0);
}

void nvmefix_open(struct nvmefix *f, const struct uvf_nvme_ctrl_opts *o)
{
	struct uvf_nvme_ctrl_opts def;

	if (!o) {
		uvf_nvme_ctrl_opts_default(&def);
		def.io_queues = 4;
		o = &def;
	}
	ck_assert_int_eq(uvf_nvme_ctrl_open(f->dev, o, &f->ctrl), 0);
}

uint64_t nvmefix_mapped(struct nvmefix *f)
{
	struct uvf_domain_stats st;

	uvf_domain_get_stats(f->dom, &st);
	return st.mapped_bytes;
}

void nvmefix_teardown(struct nvmefix *f)
{
	uvf_nvme_fault_set(NULL);
	uvf_nvme_ctrl_close(f->ctrl);
	ck_assert_int_eq(uvf_dma_unregister(f->dev, f->arena, NVMEFIX_ARENA),
			 0);
	munmap(f->arena, NVMEFIX_ARENA);
	ck_assert_uint_eq(nvmefix_mapped(f), 0);
	uvf_device_close(f->dev);
	ck_assert_int_eq(uvf_domain_destroy(f->dom), 0);
	ck_assert_int_eq(uvf_iommu_destroy(f->iommu), 0);
}

int nvmefix_io(struct uvf_nvme_qpair *qp, uint8_t opc, uint32_t nsid,
	       void *buf, uint64_t lba, uint32_t nlb,
	       struct uvf_nvme_cpl *cpl)
{
	struct uvf_nvme_sync s = { 0 };
	int ret;

	switch (opc) {
	case NVME_CMD_READ:
		ret = uvf_nvme_read(qp, nsid, buf, lba, nlb, uvf_nvme_sync_cb,
				    &s);
		break;
	case NVME_CMD_WRITE:
		ret = uvf_nvme_write(qp, nsid, buf, lba, nlb,
				     uvf_nvme_sync_cb, &s);
		break;
	case NVME_CMD_WRITE_ZEROES:
		ret = uvf_nvme_write_zeroes(qp, nsid, lba, nlb,
					    uvf_nvme_sync_cb, &s);
		break;
	default:
		ret = uvf_nvme_flush(qp, nsid, uvf_nvme_sync_cb, &s);
	}
	if (!ret)
		ret = uvf_nvme_sync_wait(qp, &s);
	if (cpl)
		*cpl = s.cpl;
	return ret;
}

void nvmefix_pattern(void *buf, size_t len, uint32_t seed)
{
	uint8_t *p = buf;
	uint32_t x = (seed * 2654435761u) | 1;
	size_t i;

	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = (uint8_t)x;
	}
}

struct uvf_nvme_qpair *nvmefix_qpair(struct nvmefix *f, unsigned int size)
{
	struct uvf_nvme_qpair *qp;

	ck_assert_int_eq(uvf_nvme_qpair_create(f->ctrl, size, &qp), 0);
	return qp;
}

struct fake_nvme_stats nvmefix_stats(struct nvmefix *f)
{
	struct fake_nvme_stats st;

	fake_nvme_get_stats(f->dev, &st);
	return st;
}

void nvmefix_write_read_verify(struct nvmefix *f, struct uvf_nvme_qpair *qp,
			       uint8_t *out, uint8_t *in, uint32_t nlb,
			       uint32_t seed)
{
	size_t len = (size_t)nlb * 512;

	nvmefix_pattern(out, len, seed);
	memset(in, 0, len);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_WRITE, 1, out, 0, nlb, NULL),
			 0);
	ck_assert_int_eq(nvmefix_io(qp, NVME_CMD_READ, 1, in, 0, nlb, NULL),
			 0);
	ck_assert(!memcmp(in, out, len));
	ck_assert(!memcmp(fake_nvme_media(f->dev, 1), out, len));
}
