/* SPDX-License-Identifier: MIT */
/* What the files of libuvf-dpdk share. */
#ifndef UVF_DPDK_PRIV_H
#define UVF_DPDK_PRIV_H

#include <stdbool.h>

struct uvf_domain;

/* rte_eal_init() has run. */
bool uvf_dpdk_eal_ready(void);
/* uvf_dpdk_attach_memory() put EAL's memory into @dom. */
bool uvf_dpdk_memory_attached(struct uvf_domain *dom);

#endif
