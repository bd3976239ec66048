/* SPDX-License-Identifier: MIT */
/*
 * A page-frame range linked into one of the pool's two trees: a free extent
 * (extent_tree.h) or an outstanding block (block_tree.h). One type for both
 * so that a block being freed can become an extent without allocating.
 */
#ifndef UVF_IOVA_NODE_H
#define UVF_IOVA_NODE_H

#include <stdint.h>

/* 2^52 frames of 4 KiB cover the whole 64-bit space. */
#define IOVA_MAX_ORDER 52

/* One cache line, so a step down a tree touches one line. */
struct iova_node {
	struct iova_node *left, *right, *parent;
	uint64_t start;		/* first page frame */
	uint64_t end;		/* one past the last page frame */
	union {
		struct {	/* extent tree */
			uint64_t orders;	/* orders in this subtree */
			uint64_t own;		/* orders in this extent */
			int32_t height;		/* leaves are 1 */
		};
		struct {	/* block tree */
			uint32_t red;
			uint32_t kind;		/* enum iova_out_kind */
		};
	};
} __attribute__((aligned(64)));

#endif
