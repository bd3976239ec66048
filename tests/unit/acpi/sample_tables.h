/* SPDX-License-Identifier: MIT */
/*
 * Well-formed DMAR, IVRS and IORT tables exercising every structure the
 * parsers handle; the per-table tests pin what they parse to, the fuzz test
 * mutates them.
 */
#ifndef UVF_TEST_SAMPLE_TABLES_H
#define UVF_TEST_SAMPLE_TABLES_H

#include "table_builder.h"

#define IVMD_UNITY 0x01
#define IVMD_IR 0x02
#define IVMD_IW 0x04
#define IVMD_EXCL 0x08

#define IORT_SINGLE 1u
#define RMR_REMAP_PERMITTED 0x1u
#define RMR_PRIVILEGED 0x2u
#define RMR_ATTR(a) ((uint32_t)(a) << 2)
#define RMR_ATTR_DEVICE_NGNRE 0x01u
#define RMR_ATTR_NORMAL_WB 0x05u

/* Path of the two-hop device scope in sample_dmar(): 00:1c.0 -> 00.0. */
extern const uint8_t sample_behind_bridge_path[4];

void sample_dmar(struct tb *b);
void sample_ivrs(struct tb *b);

/* Node offsets of sample_iort(), for tests that patch it. */
struct iort_layout {
	size_t its, smmu_a, smmu_b, rc0, rc3, rmr1, rmr2, rmr3, rmr4;
	uint32_t nodes;
};

void sample_iort(struct tb *b, uint8_t revision, struct iort_layout *l);

#endif
