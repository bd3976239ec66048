/* SPDX-License-Identifier: MIT */
#ifndef UVF_SIM_PRIV_H
#define UVF_SIM_PRIV_H

#include <pthread.h>
#include <stdatomic.h>

#include <uvf/sim.h>

#include "device/device_priv.h"
#include "iommu/domain.h"
#include "iotlb.h"

/* Firmware memory behind a direct region: the model has no real physical
 * memory at firmware addresses, so it backs them lazily. */
struct sim_fw_window {
	uvf_iova_t first, last;
	void *backing;
};

struct sim_iommu {
	struct uvf_iommu iommu;	/* first: the core hands us this pointer */
	struct uvf_sim_iommu_params params;
	const struct uvf_pgtable_info *fmt;
	uvf_iova_t aperture_last;
	struct uvf_resv_region *resv;
	struct uvf_iotlb *iotlb;

	pthread_mutex_t fault_lock;
	struct uvf_fault *faults;
	size_t fault_head, fault_count;
	uint64_t faults_dropped;

	pthread_mutex_t fw_lock;
	struct sim_fw_window *fw;
	size_t nr_fw;
};

struct sim_domain {
	struct uvf_pgtable *pt;
	/* Device writes set their leaf's dirty bit (simdev.c). */
	atomic_bool dirty_tracking;
};

struct sim_device;

/* A simulated device's register model (BAR 0). */
struct sim_model {
	const char *name;
	uint16_t vendor, device;
	uint32_t class_code;
	uint64_t bar0_size;
	unsigned int max_msi;
	int (*read)(struct sim_device *sd, uint64_t off, uint64_t *val,
		    unsigned int len);
	int (*write)(struct sim_device *sd, uint64_t off, uint64_t val,
		     unsigned int len);
	void (*reset)(struct sim_device *sd);
};

struct sim_device {
	struct uvf_device dev;	/* first */
	const struct sim_model *model;
	pthread_mutex_t lock;	/* register state of the model */
	uint8_t cfg[256];
	const int *irq_fds;	/* owned by the core; NULL when disabled */
	unsigned int irq_nvec;
	void *state;		/* the model's registers */
};

extern const struct uvf_iommu_ops uvf_sim_iommu_ops;

/* The software IOMMU behind @iommu, or NULL for another backend. Inline:
 * it sits on every simulated DMA access. */
static inline struct sim_iommu *sim_iommu_of(struct uvf_iommu *iommu)
{
	return iommu && iommu->ops == &uvf_sim_iommu_ops ?
		       (struct sim_iommu *)iommu : NULL;
}
int sim_device_create(struct uvf_iommu *iommu, const struct sim_model *model,
		      void *state, const char *name, uint16_t segment,
		      uint16_t rid, struct uvf_device **out);
/* Signal MSI vector @vec if interrupts are enabled. Device lock held. */
bool sim_device_raise_irq(struct sim_device *sd, unsigned int vec);
/* Host pointer for a translated firmware-window address, or NULL. */
void *sim_fw_resolve(struct sim_iommu *si, uint64_t paddr, uint64_t len);

#endif
