/* SPDX-License-Identifier: MIT */
/* The software IOMMU (create, domain create, attach, map, unmap) and the
 * DMA layer's registered memory and coherent buffers on it. */
#include <string.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/sim.h>

#include "fi.h"
#include "fi_state.h"
#include "iommu/domain.h"

#define NPAGES 16
#define MAP_IOVA 0x100000ull
#define LEN (NPAGES * UVF_PAGE_SIZE)

struct simfi {
	struct uvf_iommu *iommu;
	struct uvf_domain *dom;
	struct uvf_device *dev;
	void *mem;
	void *va;		/* coherent buffer */
	uvf_iova_t iova;
	uvf_iova_t walk;	/* where the call maps, walked in snapshots */
	struct fi_dom_snap before;
};

static void sim_up(struct simfi *f, bool dom, bool dev, bool attach)
{
	struct uvf_sim_iommu_params p;

	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	ck_assert_int_eq(uvf_sim_iommu_create(&p, &f->iommu), 0);
	if (dom)
		ck_assert_int_eq(uvf_domain_create(f->iommu,
				 UVF_DOMAIN_TRANSLATED, &f->dom), 0);
	if (dev)
		ck_assert_int_eq(uvf_sim_dmaengine_create(f->iommu, 0, 0x10,
							  &f->dev), 0);
	if (attach)
		ck_assert_int_eq(uvf_domain_attach(f->dom, f->dev), 0);
	f->mem = fi_pages(NPAGES);
	memset(f->mem, 0x5a, LEN);
}

static void sim_down(struct simfi *f)
{
	if (f->dev)
		uvf_device_close(f->dev);
	if (f->dom)
		ck_assert_int_eq(uvf_domain_destroy(f->dom), 0);
	if (f->iommu)
		ck_assert_int_eq(uvf_iommu_destroy(f->iommu), 0);
	fi_pages_free(f->mem, NPAGES);
	f->iommu = NULL;
	f->dom = NULL;
	f->dev = NULL;
}

static void snap(struct simfi *f)
{
	fi_dom_snap(f->dom, f->walk, &f->before);
}

static void same_as_snap(void *fix)
{
	struct simfi *f = fix;

	fi_dom_assert_same(f->dom, f->walk, &f->before);
}

/* Every page of [@iova, +LEN) translates to f->mem, through the device. */
static void mapped_to_mem(struct simfi *f, uvf_iova_t iova, bool want)
{
	for (size_t i = 0; i < NPAGES; i++) {
		uint8_t b = 0;
		int ret = uvf_sim_dma_read(f->dev, iova + i * UVF_PAGE_SIZE,
					   &b, 1);

		if (want) {
			ck_assert_int_eq(ret, 0);
			ck_assert_uint_eq(b, 0x5a);
		} else {
			ck_assert_int_ne(ret, 0);
		}
	}
	/* Refused reads log faults; they are not the state under test. */
	while (uvf_sim_iommu_fault_pop(f->iommu, &(struct uvf_fault){ 0 }) ==
	       0)
		;
}

/* --- uvf_sim_iommu_create ------------------------------------------ */

static void iommu_setup(void *fix)
{
	struct simfi *f = fix;

	memset(f, 0, sizeof(*f));
	f->mem = fi_pages(NPAGES);
}

static int iommu_call(void *fix)
{
	struct simfi *f = fix;
	struct uvf_sim_iommu_params p;

	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	return uvf_sim_iommu_create(&p, &f->iommu);
}

static void iommu_unchanged(void *fix)
{
	ck_assert_ptr_null(((struct simfi *)fix)->iommu);
}

static void iommu_done(void *fix)
{
	ck_assert_ptr_nonnull(((struct simfi *)fix)->iommu);
}

static void down(void *fix, bool ok)
{
	(void)ok;
	sim_down(fix);
}

/* --- uvf_domain_create --------------------------------------------- */

static void domain_setup(void *fix)
{
	struct simfi *f = fix;

	memset(f, 0, sizeof(*f));
	sim_up(f, false, false, false);
}

static int domain_call(void *fix)
{
	struct simfi *f = fix;

	return uvf_domain_create(f->iommu, UVF_DOMAIN_TRANSLATED, &f->dom);
}

static void domain_unchanged(void *fix)
{
	struct simfi *f = fix;

	ck_assert_ptr_null(f->dom);
	/* No half-made domain holds the IOMMU. */
	ck_assert_int_eq(uvf_iommu_destroy(f->iommu), 0);
	f->iommu = NULL;
}

static void domain_done(void *fix)
{
	struct simfi *f = fix;

	ck_assert_ptr_nonnull(f->dom);
	ck_assert_int_eq(uvf_iommu_destroy(f->iommu), -EBUSY);
}

/* --- uvf_domain_attach --------------------------------------------- */

static void attach_setup(void *fix)
{
	struct simfi *f = fix;

	memset(f, 0, sizeof(*f));
	sim_up(f, true, true, false);
	f->walk = MAP_IOVA;
	snap(f);
}

static int attach_call(void *fix)
{
	struct simfi *f = fix;

	return uvf_domain_attach(f->dom, f->dev);
}

static void attach_unchanged(void *fix)
{
	struct simfi *f = fix;

	same_as_snap(f);
	ck_assert_uint_eq(f->dom->nr_devices, 0);
	ck_assert_ptr_null(uvf_device_domain(f->dev));
}

static void attach_done(void *fix)
{
	struct simfi *f = fix;

	ck_assert_uint_eq(f->dom->nr_devices, 1);
	ck_assert_ptr_eq(uvf_device_domain(f->dev), f->dom);
}

/* --- uvf_domain_map / uvf_domain_unmap ----------------------------- */

static void map_setup(void *fix)
{
	struct simfi *f = fix;

	memset(f, 0, sizeof(*f));
	sim_up(f, true, true, true);
	f->walk = MAP_IOVA;
	snap(f);
}

static int map_call(void *fix)
{
	struct simfi *f = fix;

	return uvf_domain_map(f->dom, MAP_IOVA, f->mem, LEN, UVF_PROT_RW);
}

static void map_unchanged(void *fix)
{
	struct simfi *f = fix;

	same_as_snap(f);
	mapped_to_mem(f, MAP_IOVA, false);
}

static void map_done(void *fix)
{
	mapped_to_mem(fix, MAP_IOVA, true);
}

static void map_down(void *fix, bool ok)
{
	struct simfi *f = fix;

	if (ok)
		ck_assert_int_eq(uvf_domain_unmap(f->dom, MAP_IOVA, LEN), 0);
	sim_down(f);
}

static void unmap_setup(void *fix)
{
	struct simfi *f = fix;

	memset(f, 0, sizeof(*f));
	sim_up(f, true, true, true);
	ck_assert_int_eq(uvf_domain_map(f->dom, MAP_IOVA, f->mem, LEN,
					UVF_PROT_RW), 0);
	f->walk = MAP_IOVA;
	snap(f);
}

static int unmap_call(void *fix)
{
	struct simfi *f = fix;

	return uvf_domain_unmap(f->dom, MAP_IOVA, LEN);
}

static void unmap_unchanged(void *fix)
{
	struct simfi *f = fix;

	same_as_snap(f);
	mapped_to_mem(f, MAP_IOVA, true);
}

static void unmap_done(void *fix)
{
	mapped_to_mem(fix, MAP_IOVA, false);
}

static void unmap_down(void *fix, bool ok)
{
	struct simfi *f = fix;

	if (!ok)
		ck_assert_int_eq(uvf_domain_unmap(f->dom, MAP_IOVA, LEN), 0);
	sim_down(f);
}

/* --- uvf_dma_register / uvf_dma_unregister ------------------------- */

/* Where the allocator puts the registration: the same place every run,
 * as each run starts from a fresh domain. */
static uvf_iova_t reg_iova;

static void reg_setup(void *fix)
{
	struct simfi *f = fix;

	memset(f, 0, sizeof(*f));
	sim_up(f, true, true, true);
	f->walk = reg_iova;
	snap(f);
}

static int reg_call(void *fix)
{
	struct simfi *f = fix;

	return uvf_dma_register(f->dev, f->mem, LEN, &f->iova);
}

static void reg_unchanged(void *fix)
{
	struct simfi *f = fix;
	uvf_iova_t iova;

	same_as_snap(f);
	ck_assert_int_eq(uvf_dma_vtoiova(f->dev, f->mem, &iova), -ENOENT);
	mapped_to_mem(f, reg_iova, false);
}

static void reg_done(void *fix)
{
	struct simfi *f = fix;
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_dma_vtoiova(f->dev, f->mem, &iova), 0);
	ck_assert_uint_eq(iova, f->iova);
	ck_assert_uint_eq(iova, reg_iova);
	mapped_to_mem(f, iova, true);
}

static void reg_down(void *fix, bool ok)
{
	struct simfi *f = fix;

	if (ok)
		ck_assert_int_eq(uvf_dma_unregister(f->dev, f->mem, LEN), 0);
	sim_down(f);
}

static void unreg_setup(void *fix)
{
	struct simfi *f = fix;

	memset(f, 0, sizeof(*f));
	sim_up(f, true, true, true);
	ck_assert_int_eq(uvf_dma_register(f->dev, f->mem, LEN, &f->iova), 0);
	f->walk = f->iova;
	snap(f);
}

static int unreg_call(void *fix)
{
	struct simfi *f = fix;

	return uvf_dma_unregister(f->dev, f->mem, LEN);
}

static void unreg_unchanged(void *fix)
{
	struct simfi *f = fix;
	uvf_iova_t iova;

	same_as_snap(f);
	ck_assert_int_eq(uvf_dma_vtoiova(f->dev, f->mem, &iova), 0);
	ck_assert_uint_eq(iova, f->iova);
	mapped_to_mem(f, iova, true);
}

static void unreg_done(void *fix)
{
	struct simfi *f = fix;
	uvf_iova_t iova;

	ck_assert_int_eq(uvf_dma_vtoiova(f->dev, f->mem, &iova), -ENOENT);
	mapped_to_mem(f, f->iova, false);
}

static void unreg_down(void *fix, bool ok)
{
	struct simfi *f = fix;

	if (!ok)
		ck_assert_int_eq(uvf_dma_unregister(f->dev, f->mem, LEN), 0);
	sim_down(f);
}

/* --- uvf_dma_alloc_coherent / uvf_dma_free_coherent ---------------- */

static uvf_iova_t coh_iova;

static void coh_setup(void *fix)
{
	struct simfi *f = fix;

	memset(f, 0, sizeof(*f));
	sim_up(f, true, true, true);
	f->walk = coh_iova;
	snap(f);
}

static int coh_call(void *fix)
{
	struct simfi *f = fix;

	return uvf_dma_alloc_coherent(f->dev, LEN, &f->va, &f->iova);
}

static void coh_unchanged(void *fix)
{
	struct simfi *f = fix;

	same_as_snap(f);
	ck_assert_ptr_null(f->va);
}

static void coh_done(void *fix)
{
	struct simfi *f = fix;
	uint32_t v = 0x12345678, back = 0;

	ck_assert_ptr_nonnull(f->va);
	ck_assert_uint_eq(f->iova, coh_iova);
	memcpy(f->va, &v, sizeof(v));
	ck_assert_int_eq(uvf_sim_dma_read(f->dev, f->iova, &back,
					  sizeof(back)), 0);
	ck_assert_uint_eq(back, v);
}

static void coh_down(void *fix, bool ok)
{
	struct simfi *f = fix;

	if (ok)
		ck_assert_int_eq(uvf_dma_free_coherent(f->dev, LEN, f->va,
						       f->iova), 0);
	sim_down(f);
}

static void cohfree_setup(void *fix)
{
	struct simfi *f = fix;

	memset(f, 0, sizeof(*f));
	sim_up(f, true, true, true);
	ck_assert_int_eq(uvf_dma_alloc_coherent(f->dev, LEN, &f->va,
						&f->iova), 0);
	memset(f->va, 0x77, LEN);
	f->walk = f->iova;
	snap(f);
}

static int cohfree_call(void *fix)
{
	struct simfi *f = fix;

	return uvf_dma_free_coherent(f->dev, LEN, f->va, f->iova);
}

static void cohfree_unchanged(void *fix)
{
	struct simfi *f = fix;
	uint8_t b = 0;

	same_as_snap(f);
	ck_assert_int_eq(uvf_sim_dma_read(f->dev, f->iova + LEN - 1, &b, 1),
			 0);
	ck_assert_uint_eq(b, 0x77);
}

static void cohfree_done(void *fix)
{
	struct simfi *f = fix;

	ck_assert_uint_eq(uvf_domain_nr_mappings(f->dom), 0);
}

static void cohfree_down(void *fix, bool ok)
{
	struct simfi *f = fix;

	if (!ok)
		ck_assert_int_eq(uvf_dma_free_coherent(f->dev, LEN, f->va,
						       f->iova), 0);
	sim_down(f);
}

static const struct fi_scenario sim_scenarios[] = {
	{ "swiommu/create", iommu_setup, iommu_call, iommu_unchanged,
	  iommu_done, down },
	{ "swiommu/domain-create", domain_setup, domain_call,
	  domain_unchanged, domain_done, down },
	{ "swiommu/attach", attach_setup, attach_call, attach_unchanged,
	  attach_done, down },
	{ "swiommu/map", map_setup, map_call, map_unchanged, map_done,
	  map_down },
	{ "swiommu/unmap", unmap_setup, unmap_call, unmap_unchanged,
	  unmap_done, unmap_down },
	{ "dma/register", reg_setup, reg_call, reg_unchanged, reg_done,
	  reg_down },
	{ "dma/unregister", unreg_setup, unreg_call, unreg_unchanged,
	  unreg_done, unreg_down },
	{ "dma/alloc-coherent", coh_setup, coh_call, coh_unchanged, coh_done,
	  coh_down },
	{ "dma/free-coherent", cohfree_setup, cohfree_call, cohfree_unchanged,
	  cohfree_done, cohfree_down },
};

START_TEST(test_sim_and_dma_calls_fail_cleanly_at_every_point)
{
	const struct fi_scenario *s = &sim_scenarios[_i];
	struct simfi f;

	/* Learn where a fresh domain puts a registration and a coherent
	 * buffer, so snapshots walk the page table there. */
	memset(&f, 0, sizeof(f));
	sim_up(&f, true, true, true);
	ck_assert_int_eq(uvf_dma_register(f.dev, f.mem, LEN, &reg_iova), 0);
	ck_assert_int_eq(uvf_dma_unregister(f.dev, f.mem, LEN), 0);
	sim_down(&f);
	memset(&f, 0, sizeof(f));
	sim_up(&f, true, true, true);
	ck_assert_int_eq(uvf_dma_alloc_coherent(f.dev, LEN, &f.va, &coh_iova),
			 0);
	ck_assert_int_eq(uvf_dma_free_coherent(f.dev, LEN, f.va, coh_iova), 0);
	sim_down(&f);
	fi_run(s, &f);
}
END_TEST

TCase *fi_sim_tcase(void)
{
	TCase *tc = tcase_create("sim");

	tcase_add_loop_test(tc, test_sim_and_dma_calls_fail_cleanly_at_every_point,
			    0, sizeof(sim_scenarios) / sizeof(sim_scenarios[0]));
	return tc;
}
