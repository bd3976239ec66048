/* SPDX-License-Identifier: MIT */
/* VFIO on the fake kernel, type1 and iommufd: context, device open,
 * domain create, attach, map and unmap. A failed call leaves the fake
 * kernel's objects (fds, groups, IOASes, the map list) as they were. */
#include <stdio.h>
#include <string.h>

#include <uvf/device.h>
#include <uvf/dma.h>
#include <uvf/iommu.h>

#include "fake_vfio.h"
#include "fi.h"
#include "fi_state.h"

#define EDU "0000:00:07.0"
#define NPAGES 16
#define LEN (NPAGES * UVF_PAGE_SIZE)
#define MAP_IOVA 0x100000ull

enum stage { NOTHING, CONTEXT, DEVICE, DOMAIN, ATTACHED, MAPPED };

/* What of the fake kernel a failed call must not change. */
struct fk_snap {
	unsigned int open_fds, groups_in, nr_entries;
	unsigned long iommu;
	struct fk_entry entry[FK_MAX_ENTRIES];
	uint32_t ioas[FK_MAX_IOAS];
	unsigned int ioas_nr[FK_MAX_IOAS];
	struct fk_entry ioas_entry[FK_MAX_IOAS][FK_MAX_ENTRIES];
	uint32_t dev_ioas;
	bool dev_bound;
	int dev_open_fds;
};

struct vfiofi {
	enum uvf_vfio_backend backend;
	enum stage stage;	/* what setup builds; the call adds one */
	struct fake_vfio fk;
	struct uvf_iommu *iommu;
	struct uvf_device *dev;
	struct uvf_domain *dom;
	void *mem;
	struct fk_snap fks;
	struct fi_dom_snap doms;
};

static void fk_snap(struct fake_vfio *fk, struct fk_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->open_fds = fk_open_fds(fk);
	s->groups_in = fk->groups_in;
	s->iommu = fk->iommu;
	s->nr_entries = fk->nr_entries;
	memcpy(s->entry, fk->entry, sizeof(s->entry));
	memcpy(s->ioas, fk->ioas, sizeof(s->ioas));
	memcpy(s->ioas_nr, fk->ioas_nr, sizeof(s->ioas_nr));
	memcpy(s->ioas_entry, fk->ioas_entry, sizeof(s->ioas_entry));
	s->dev_ioas = fk->dev[0].ioas;
	s->dev_bound = fk->dev[0].bound;
	s->dev_open_fds = fk->dev[0].open_fds;
}

/* The IOAS maps are compared as a whole: which slot holds what. */
static void fk_assert_same(struct vfiofi *f)
{
	static struct fk_snap now;

	fk_snap(&f->fk, &now);
	ck_assert_uint_eq(now.open_fds, f->fks.open_fds);
	ck_assert_uint_eq(now.groups_in, f->fks.groups_in);
	ck_assert_uint_eq(now.iommu, f->fks.iommu);
	ck_assert_uint_eq(now.nr_entries, f->fks.nr_entries);
	ck_assert_int_eq(memcmp(now.entry, f->fks.entry, sizeof(now.entry)), 0);
	ck_assert_int_eq(memcmp(now.ioas, f->fks.ioas, sizeof(now.ioas)), 0);
	ck_assert_int_eq(memcmp(now.ioas_nr, f->fks.ioas_nr,
				sizeof(now.ioas_nr)), 0);
	ck_assert_int_eq(memcmp(now.ioas_entry, f->fks.ioas_entry,
				sizeof(now.ioas_entry)), 0);
	ck_assert_uint_eq(now.dev_ioas, f->fks.dev_ioas);
	ck_assert(now.dev_bound == f->fks.dev_bound);
	ck_assert_int_eq(now.dev_open_fds, f->fks.dev_open_fds);
}

static int do_stage(struct vfiofi *f, enum stage s)
{
	struct uvf_vfio_opts o;

	switch (s) {
	case CONTEXT:
		o = fk_opts(&f->fk, f->backend);
		return vfio_open_sys(&o, &f->fk.sys, &f->iommu);
	case DEVICE:
		return uvf_vfio_device_open(f->iommu, EDU, &f->dev);
	case DOMAIN:
		return uvf_domain_create(f->iommu, UVF_DOMAIN_TRANSLATED,
					 &f->dom);
	case ATTACHED:
		return uvf_domain_attach(f->dom, f->dev);
	case MAPPED:
		return uvf_domain_map(f->dom, MAP_IOVA, f->mem, LEN,
				      UVF_PROT_RW);
	default:
		return 0;
	}
}

static void undo_stage(struct vfiofi *f, enum stage s)
{
	switch (s) {
	case CONTEXT:
		ck_assert_int_eq(uvf_iommu_destroy(f->iommu), 0);
		f->iommu = NULL;
		break;
	case DEVICE:
		uvf_device_close(f->dev);
		f->dev = NULL;
		break;
	case DOMAIN:
		ck_assert_int_eq(uvf_domain_destroy(f->dom), 0);
		f->dom = NULL;
		break;
	case ATTACHED:
		ck_assert_int_eq(uvf_domain_detach(f->dom, f->dev), 0);
		break;
	case MAPPED:
		ck_assert_int_eq(uvf_domain_unmap(f->dom, MAP_IOVA, LEN), 0);
		break;
	default:
		break;
	}
}

static void vfio_setup(void *fix)
{
	struct vfiofi *f = fix;
	char path[PATH_MAX];
	FILE *file;

	fk_init(&f->fk);
	fk_add_dev(&f->fk, EDU, 4);
	fk_publish(&f->fk);
	if (f->backend == UVF_VFIO_IOMMUFD) {
		fake_fmt(path, sizeof(path), "%s/iommu", f->fk.fs.dev);
		file = fopen(path, "w");
		ck_assert_ptr_nonnull(file);
		fclose(file);
	}
	f->iommu = NULL;
	f->dev = NULL;
	f->dom = NULL;
	f->mem = fi_pages(NPAGES);
	for (enum stage s = CONTEXT; s <= f->stage; s++)
		ck_assert_int_eq(do_stage(f, s), 0);
	fk_snap(&f->fk, &f->fks);
	if (f->dom)
		fi_dom_snap(f->dom, MAP_IOVA, &f->doms);
}

/* The stage after f->stage: what the call does. */
static enum stage next(const struct vfiofi *f)
{
	return f->stage == MAPPED ? MAPPED : f->stage + 1;
}

static int vfio_call(void *fix)
{
	struct vfiofi *f = fix;

	/* MAPPED as setup stage: the call is the unmap. */
	if (f->stage == MAPPED)
		return uvf_domain_unmap(f->dom, MAP_IOVA, LEN);
	return do_stage(f, next(f));
}

static void vfio_unchanged(void *fix)
{
	struct vfiofi *f = fix;

	fk_assert_same(f);
	switch (next(f)) {
	case CONTEXT:
		ck_assert_ptr_null(f->iommu);
		break;
	case DEVICE:
		ck_assert_ptr_null(f->dev);
		break;
	case DOMAIN:
		ck_assert_ptr_null(f->dom);
		break;
	case ATTACHED:
		ck_assert_ptr_null(uvf_device_domain(f->dev));
		/* fall through */
	default:
		fi_dom_assert_same(f->dom, MAP_IOVA, &f->doms);
	}
}

static void vfio_done(void *fix)
{
	struct vfiofi *f = fix;
	struct fi_dom_snap now;

	switch (next(f)) {
	case CONTEXT:
		ck_assert_ptr_nonnull(f->iommu);
		break;
	case DEVICE:
		ck_assert_ptr_nonnull(f->dev);
		break;
	case DOMAIN:
		ck_assert_ptr_nonnull(f->dom);
		break;
	case ATTACHED:
		ck_assert_ptr_eq(uvf_device_domain(f->dev), f->dom);
		break;
	default:
		fi_dom_snap(f->dom, MAP_IOVA, &now);
		ck_assert_uint_eq(now.nr_mappings, f->stage == MAPPED ? 0 : 1);
	}
}

static void vfio_down(void *fix, bool ok)
{
	struct vfiofi *f = fix;
	enum stage top = f->stage;

	if (f->stage == MAPPED) {
		if (!ok)
			undo_stage(f, MAPPED);
		top = ATTACHED;
	} else if (ok) {
		top = next(f);
	}
	for (enum stage s = top; s >= CONTEXT; s--)
		undo_stage(f, s);
	ck_assert_uint_eq(fk_open_fds(&f->fk), 0);
	ck_assert_uint_eq(f->fk.groups_in, 0);
	fi_pages_free(f->mem, NPAGES);
	fk_fini(&f->fk);
}

static const char *const stage_call[] = {
	[NOTHING] = "context", [CONTEXT] = "device-open",
	[DEVICE] = "domain-create", [DOMAIN] = "attach",
	[ATTACHED] = "map", [MAPPED] = "unmap",
};

static void run_backend(enum uvf_vfio_backend b, const char *bname)
{
	static struct vfiofi f;
	char name[64];

	for (enum stage s = NOTHING; s <= MAPPED; s++) {
		struct fi_scenario sc = {
			name, vfio_setup, vfio_call, vfio_unchanged, vfio_done,
			vfio_down,
		};

		snprintf(name, sizeof(name), "vfio/%s/%s", bname, stage_call[s]);
		memset(&f, 0, sizeof(f));
		f.backend = b;
		f.stage = s;
		fi_run(&sc, &f);
	}
}

START_TEST(test_type1_calls_fail_cleanly_at_every_point)
{
	run_backend(UVF_VFIO_TYPE1, "type1");
}
END_TEST

#ifdef FI_IOMMUFD
START_TEST(test_iommufd_calls_fail_cleanly_at_every_point)
{
	run_backend(UVF_VFIO_IOMMUFD, "iommufd");
}
END_TEST
#endif

TCase *fi_vfio_tcase(void)
{
	TCase *tc = tcase_create("vfio");

	tcase_add_test(tc, test_type1_calls_fail_cleanly_at_every_point);
#ifdef FI_IOMMUFD
	tcase_add_test(tc, test_iommufd_calls_fail_cleanly_at_every_point);
#endif
	return tc;
}
