/* SPDX-License-Identifier: MIT */
/*
 * The process-wide heap the drivers use when their caller gives them none:
 * created on first use and kept for the life of the process, as DPDK's EAL
 * heap is, so every controller and port of the process shares its chunks.
 */
#include <errno.h>
#include <pthread.h>

#include <uvf/dmaheap.h>

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static struct uvf_dmaheap *shared_heap;

int uvf_dmaheap_shared(struct uvf_dmaheap **out)
{
	struct uvf_dmaheap_opts o;
	int ret = 0;

	if (!out)
		return -EINVAL;
	pthread_mutex_lock(&shared_lock);
	if (!shared_heap) {
		/* Locked chunks: right for every domain, noiommu included,
		 * at the price of counting them twice against
		 * RLIMIT_MEMLOCK under VFIO type1 (mlock and the pin). A
		 * caller that knows better passes its own heap. */
		uvf_dmaheap_opts_default(&o);
		ret = uvf_dmaheap_create(&o, &shared_heap);
	}
	if (!ret)
		*out = shared_heap;
	pthread_mutex_unlock(&shared_lock);
	return ret;
}
