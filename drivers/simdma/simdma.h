/* SPDX-License-Identifier: MIT */
/*
 * Driver for the software model's simulated DMA engine (uvf/sim.h), written
 * against the public device and DMA APIs like any other uvf driver. It
 * offers the uniform DMA-engine interface of uvf/driver.h.
 */
#ifndef UVF_DRIVERS_SIMDMA_H
#define UVF_DRIVERS_SIMDMA_H

#include <uvf/driver.h>

extern const struct uvf_driver uvf_simdma_driver;
extern const struct uvf_dmaengine_ops uvf_simdma_ops;

#endif
