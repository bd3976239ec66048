/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <uvf/iova.h>
#include <uvf/mmio.h>

#include "flushq.h"
#include "util/trace.h"

#define FQ_DEFAULT_BATCH 256
#define FQ_MAX_BATCH 65536
#define FQ_DEFAULT_TIMEOUT_US 10000

void uvf_fq_free(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len,
		 uint64_t data)
{
	/* @len is what was allocated; the allocator rounds it again. */
	int ret;

	if ((data & UVF_MAPREC_KIND_MASK) == UVF_MAPREC_FIXED)
		ret = uvf_iova_free(dom->allocator, iova, len);
	else
		ret = uvf_iova_free_fast(dom->allocator, iova, len);
	/* Only -ENOMEM can happen here: the range stays out of use. */
	if (ret)
		uvf_trace("iova: 0x%llx+0x%llx kept out of use: %d",
			  (unsigned long long)iova, (unsigned long long)len,
			  ret);
}

/* @len 0: the whole domain. Without an invalidate op the kernel has done
 * it within the unmap; the step is still traced, taking no time. */
static void invalidate(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len)
{
	uint64_t t0 = uvf_trace_clock();

	dom->stats.invalidations++;
	if (dom->ops->invalidate)
		dom->ops->invalidate(dom, iova, len);
	uvf_trace_step("iotlb_invalidate", t0, UVF_TA_NUM("domain", dom->id),
		       UVF_TA_HEX("iova", iova), UVF_TA_HEX("len", len));
}

/* Domain lock held. */
static void fq_drain(struct uvf_domain *dom)
{
	size_t i;

	if (!dom->fq_n)
		return;
	uvf_trace("flush queue of domain %u: %zu IOVA(s), one domain-wide "
		  "IOTLB invalidation", dom->id, dom->fq_n);
	invalidate(dom, 0, 0);
	for (i = 0; i < dom->fq_n; i++)
		uvf_fq_free(dom, dom->fq[i].iova, dom->fq[i].len,
			  dom->fq[i].data);
	dom->fq_n = 0;
	dom->stats.fq_flushes++;
}

int uvf_fq_retire(struct uvf_domain *dom, uvf_iova_t iova, uint64_t len,
		  uint64_t data)
{
	if (dom->policy == UVF_INVAL_STRICT) {
		uvf_trace("IOTLB invalidate domain %u iova %#llx len %#llx "
			  "(strict)", dom->id, (unsigned long long)iova,
			  (unsigned long long)len);
		invalidate(dom, iova, len);
		uvf_fq_free(dom, iova, len, data);
		return 0;
	}
	dom->fq[dom->fq_n++] = (struct uvf_fq_entry){ iova, len, data };
	uvf_trace("iova %#llx queued for deferred invalidation (%zu/%u)",
		  (unsigned long long)iova, dom->fq_n, dom->fq_batch);
	if (dom->fq_n == 1) {
		dom->fq_first_ns = uvf_now_ns();
		pthread_cond_signal(&dom->fq_cond);
	}
	if (dom->fq_n >= dom->fq_batch)
		fq_drain(dom);
	return 0;
}

/* The flush-queue timer: drains entries older than the timeout. */
static void *fq_timer(void *arg)
{
	struct uvf_domain *dom = arg;

	pthread_mutex_lock(&dom->lock);
	while (!dom->fq_stop) {
		struct timespec ts;
		uint64_t deadline;

		if (!dom->fq_n) {
			pthread_cond_wait(&dom->fq_cond, &dom->lock);
			continue;
		}
		deadline = dom->fq_first_ns + dom->fq_timeout_us * 1000ull;
		if (uvf_now_ns() >= deadline) {
			fq_drain(dom);
			continue;
		}
		ts.tv_sec = (time_t)(deadline / 1000000000ull);
		ts.tv_nsec = (long)(deadline % 1000000000ull);
		pthread_cond_timedwait(&dom->fq_cond, &dom->lock, &ts);
	}
	pthread_mutex_unlock(&dom->lock);
	return NULL;
}

static int fq_start(struct uvf_domain *dom)
{
	pthread_condattr_t attr;
	int ret;

	ret = -pthread_condattr_init(&attr);
	if (ret)
		return ret;
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	ret = -pthread_cond_init(&dom->fq_cond, &attr);
	pthread_condattr_destroy(&attr);
	if (ret)
		return ret;
	dom->fq_stop = false;
	ret = -pthread_create(&dom->fq_thread, NULL, fq_timer, dom);
	if (ret) {
		pthread_cond_destroy(&dom->fq_cond);
		return ret;
	}
	dom->fq_thread_running = true;
	return 0;
}

void uvf_fq_stop(struct uvf_domain *dom)
{
	pthread_mutex_lock(&dom->lock);
	fq_drain(dom);
	if (!dom->fq_thread_running) {
		pthread_mutex_unlock(&dom->lock);
		return;
	}
	dom->fq_stop = true;
	pthread_cond_signal(&dom->fq_cond);
	pthread_mutex_unlock(&dom->lock);
	pthread_join(dom->fq_thread, NULL);
	pthread_cond_destroy(&dom->fq_cond);
	dom->fq_thread_running = false;
}

int uvf_domain_set_inval_policy(struct uvf_domain *dom,
				enum uvf_inval_policy policy,
				unsigned int batch, unsigned int timeout_us)
{
	struct uvf_fq_entry *fq;
	int ret = 0;

	if (!dom || dom->type != UVF_DOMAIN_TRANSLATED)
		return -EINVAL;
	if (policy != UVF_INVAL_STRICT && policy != UVF_INVAL_DEFERRED)
		return -EINVAL;
	if (batch > FQ_MAX_BATCH)
		return -EINVAL;
	if (policy == UVF_INVAL_STRICT) {
		/* Strict first, so nothing is queued after the drain. */
		pthread_mutex_lock(&dom->lock);
		dom->policy = UVF_INVAL_STRICT;
		pthread_mutex_unlock(&dom->lock);
		uvf_fq_stop(dom);
		return 0;
	}

	batch = batch ? batch : FQ_DEFAULT_BATCH;
	fq = malloc(batch * sizeof(*fq));
	if (!fq)
		return -ENOMEM;
	pthread_mutex_lock(&dom->lock);
	/* The thread first, so a failure to start it changes nothing; it
	 * waits for the lock, then sees the new queue. */
	if (!dom->fq_thread_running)
		ret = fq_start(dom);
	if (ret) {
		pthread_mutex_unlock(&dom->lock);
		free(fq);
		return ret;
	}
	fq_drain(dom);
	free(dom->fq);
	dom->fq = fq;
	dom->fq_batch = batch;
	dom->fq_timeout_us = timeout_us ? timeout_us : FQ_DEFAULT_TIMEOUT_US;
	dom->policy = UVF_INVAL_DEFERRED;
	pthread_mutex_unlock(&dom->lock);
	return 0;
}

int uvf_domain_flush(struct uvf_domain *dom)
{
	if (!dom)
		return -EINVAL;
	pthread_mutex_lock(&dom->lock);
	fq_drain(dom);
	pthread_mutex_unlock(&dom->lock);
	return 0;
}
