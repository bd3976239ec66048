/* SPDX-License-Identifier: MIT */
/*
 * A page-frame range linked into one of the pool's trees (tree.h): a free
 * extent or a reservation. One type for both so that a range being given
 * back can become an extent without allocating.
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
	uint64_t own;		/* the augmented value of this node alone */
	uint64_t orders;	/* OR of own over the subtree */
	uint32_t red;
	uint32_t kind;		/* free for the tree's user */
} __attribute__((aligned(64)));

#endif
