/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>

#include <uvf/device.h>
#include <uvf/iommu.h>
#include <uvf/sim.h>

#include "vtd_model.h"
#include "vtd_norm.h"
#include "vtd_seq.h"

/* The guest's device, 00:07.0 (edu). */
#define MODEL_RID 0x38

struct model_draw {
	struct uvf_domain *dom;
	unsigned int levels;
};

static int model_draw(void *ctx, FILE *out)
{
	struct model_draw *d = ctx;
	char *text = NULL, err[160];
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	int ret = m ? 0 : -ENOMEM;

	if (m) {
		ret = uvf_domain_dump(d->dom, UVF_DUMP_TEXT, m);
		if (fclose(m) && !ret)
			ret = -EIO;
	}
	if (!ret)
		ret = vtd_norm_model(text, d->levels, out, err, sizeof(err));
	if (ret)
		fprintf(out, "error: the model's table: %d %s\n", ret,
			ret == -EINVAL ? err : "");
	free(text);
	return ret;
}

int vtd_model_run(unsigned int levels, bool write_adds_read, FILE *out)
{
	struct uvf_sim_iommu_params p;
	struct uvf_iommu *iommu = NULL;
	struct model_draw d = { .levels = levels };
	struct vtd_snapshot snap = { model_draw, &d };
	struct uvf_device *dev = NULL;
	void *mem;
	int ret;

	if (levels != 3 && levels != 4)
		return -EINVAL;
	mem = aligned_alloc(VTD_SEQ_MEM_ALIGN, VTD_SEQ_MEM_SIZE);
	if (!mem)
		return -ENOMEM;
	uvf_sim_iommu_params_default(&p, UVF_PGTABLE_VTD_SL4);
	/* intel-iommu's aperture: aw-bits wide. */
	p.aperture_last = (1ull << (12 + 9 * levels)) - 1;
	ret = uvf_sim_iommu_create(&p, &iommu);
	if (!ret)
		ret = uvf_domain_create(iommu, UVF_DOMAIN_TRANSLATED, &d.dom);
	if (!ret)
		ret = uvf_sim_dmaengine_create(iommu, 0, MODEL_RID, &dev);
	if (!ret)
		ret = uvf_domain_attach(d.dom, dev);
	if (!ret)
		ret = vtd_seq_run(d.dom, mem, write_adds_read, &snap, out);
	else
		fprintf(out, "error: model setup: %d\n", ret);
	if (d.dom && dev)
		uvf_domain_detach(d.dom, dev);
	uvf_device_close(dev);
	uvf_domain_destroy(d.dom);
	uvf_iommu_destroy(iommu);
	free(mem);
	return ret;
}
