/* SPDX-License-Identifier: MIT */
/*
 * One dirty-tracking test body for every backend that tracks: the software
 * model (unit suite), the fake kernel's HWPTs (unit suite) and the kernel's
 * IOMMUFD_TEST mock domain (vm suite, tests/vm/guest_iommufd_mock.c). It
 * maps pages through uvf, has "the device" write some of them and checks
 * uvf_domain_read_dirty() reports exactly those. Uses no test framework,
 * so a guest program can link it.
 */
#ifndef UVF_TEST_DIRTY_CHECK_H
#define UVF_TEST_DIRTY_CHECK_H

#include <uvf/iommu.h>

#define DIRTY_CHECK_PAGES 16

struct dirty_rig {
	struct uvf_domain *dom;	/* tracking off, nothing mapped at @base */
	uvf_iova_t base;	/* DIRTY_CHECK_PAGES pages are mapped here */
	/* The device writes the 4 KiB page at @iova (DMA through the
	 * domain): 0 or a negative errno. */
	int (*write)(void *arg, uvf_iova_t iova);
	void *arg;
};

/* NULL when every check held; otherwise what failed first (a static
 * string). The mapping is gone and tracking off either way. */
const char *dirty_check_run(const struct dirty_rig *rig);

#endif
