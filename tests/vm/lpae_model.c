/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include <uvf/device.h>
#include <uvf/iommu.h>
#include <uvf/sim.h>

#include "simdma.h"
#include "lpae_model.h"

/* edu's address in the guest, 00:07.0, for a fault log that reads alike. */
#define MODEL_RID 0x38

struct model {
	struct uvf_iommu *iommu;
	void *drv;		/* the simdma driver's state */
};

/* The simulated DMA engine reads all of @src before it writes @dst and
 * reports a blocked access as -EIO; the fault log says what happened. */
static int model_copy(void *ctx, uvf_iova_t src, uvf_iova_t dst, uint32_t len)
{
	struct model *m = ctx;
	int ret = uvf_simdma_ops.memcpy_start(m->drv, src, dst, len);

	if (!ret)
		ret = uvf_simdma_ops.memcpy_wait(m->drv, 1000);
	return ret == -EIO ? 0 : ret;
}

/* Fault-log reasons under the SMMUv3's names for the same events. */
static int model_faults(void *ctx, bool blocked, struct lpae_fault *out,
			int max)
{
	struct model *m = ctx;
	struct uvf_fault f;
	int n = 0;

	(void)blocked;	/* the model logs a fault before the copy returns */
	while (n < max && uvf_sim_iommu_fault_pop(m->iommu, &f) == 0) {
		const char *kind;

		switch (f.reason) {
		case UVF_FAULT_NOT_PRESENT:
			kind = "translation";
			break;
		case UVF_FAULT_PERMISSION:
			kind = "permission";
			break;
		default:
			kind = uvf_fault_reason_name(f.reason);
		}
		out[n].write = f.access == UVF_ACCESS_WRITE;
		out[n].iova = f.iova;
		snprintf(out[n].kind, sizeof(out[n].kind), "%s", kind);
		n++;
	}
	return n;
}

void lpae_model_opts_default(struct lpae_model_opts *o)
{
	o->format = UVF_PGTABLE_ARM_LPAE_S1;
	o->msi_window = true;
}

int lpae_model_run(const struct lpae_model_opts *o, FILE *out,
		   struct lpae_seq_result *res)
{
	const struct uvf_resv_region msi = {
		.first = LPAE_SEQ_MSI_FIRST,
		.last = LPAE_SEQ_MSI_LAST,
		.type = UVF_RESV_MSI,
	};
	struct uvf_sim_iommu_params p;
	struct model m = { 0 };
	struct lpae_engine eng = { model_copy, model_faults, &m };
	struct uvf_domain *dom = NULL;
	struct uvf_device *dev = NULL;
	int ret;

	memset(res, 0, sizeof(*res));
	uvf_sim_iommu_params_default(&p, o->format);
	/* The guest's uvf_vfio_opts.iova_last, as the model's aperture. */
	p.aperture_last = LPAE_SEQ_IOVA_LAST;
	if (o->msi_window) {
		p.resv = &msi;
		p.nr_resv = 1;
	}
	ret = uvf_sim_iommu_create(&p, &m.iommu);
	if (!ret)
		ret = uvf_domain_create(m.iommu, UVF_DOMAIN_TRANSLATED, &dom);
	if (!ret)
		ret = uvf_sim_dmaengine_create(m.iommu, 0, MODEL_RID, &dev);
	if (!ret)
		ret = uvf_domain_attach(dom, dev);
	if (!ret)
		ret = uvf_driver_probe(&uvf_simdma_driver, dev, &m.drv);
	if (!ret) {
		ret = lpae_seq_run(dev, &eng, out, res);
		uvf_simdma_driver.remove(dev, m.drv);
	} else {
		fprintf(out, "error: model setup: %d\n", ret);
	}
	if (dom && dev)
		uvf_domain_detach(dom, dev);
	uvf_device_close(dev);
	uvf_domain_destroy(dom);
	uvf_iommu_destroy(m.iommu);
	return ret;
}
