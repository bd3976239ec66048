/* SPDX-License-Identifier: MIT */
/*
 * Invalidation after unmap. Strict: the IOTLB range is invalidated before
 * unmap returns and the IOVA is free at once. Deferred (the kernel's flush
 * queue): the IOVA waits in a queue; the queue is drained -- one
 * domain-wide invalidation, then every queued IOVA freed -- when it fills
 * up or a timer expires, so an IOVA is never reused while an IOTLB may
 * still translate it.
 */
#ifndef UVF_IOMMU_FLUSHQ_H
#define UVF_IOMMU_FLUSHQ_H

#include "iommu/domain.h"

/* Domain lock held: hand an unmapped IOVA to the policy. */
int uvf_fq_retire(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len,
		  uint64_t data);
/* Give an IOVA no IOTLB can hold back to the allocator (no lock needed). */
void uvf_fq_free(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len,
		 uint64_t data);
/* Stop the timer thread and drain the queue (domain lock not held). */
void uvf_fq_stop(struct uvf_domain *dom);

#endif
