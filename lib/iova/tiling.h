/* SPDX-License-Identifier: MIT */
/*
 * The buddy tiling of a free extent, in O(1): the maximal naturally aligned
 * power-of-two blocks that cover a page-frame range exactly. The free-extent
 * tree (tree.h) keeps iova_extent_orders() of each extent as its augmented
 * value, so "which orders have a free block" is the root's mask and "the
 * lowest free block of order j" one descent.
 */
#ifndef UVF_IOVA_TILING_H
#define UVF_IOVA_TILING_H

#include <stdint.h>

/**
 * iova_extent_orders() - orders of the maximal naturally aligned blocks that
 *                        tile [@start, @end)
 * @start: first frame
 * @end: one past the last frame, > @start, at most 2^52
 *
 * Let t be the top bit where @start and @end differ and m = @end with the
 * bits below t cleared: m is 2^t aligned, @start < m <= @end. The tiling
 * climbs from @start to m in blocks whose sizes are the set bits of
 * m - @start (smallest first) and descends from m to @end in the set bits of
 * @end - m (largest first). No block can be larger: @start and @end share
 * every bit above t.
 *
 * Return: bit k set when a block of 2^k frames is in the tiling.
 */
static inline uint64_t iova_extent_orders(uint64_t start, uint64_t end)
{
	unsigned int t = 63 - (unsigned int)__builtin_clzll(start ^ end);
	uint64_t m = end & ~((1ull << t) - 1);

	return (m - start) | (end - m);
}

/*
 * Set bits of @x. The build does not assume the popcnt instruction, and
 * __builtin_popcountll() is then a library call on the hot path.
 */
static inline unsigned int iova_bits(uint64_t x)
{
	x -= (x >> 1) & 0x5555555555555555ull;
	x = (x & 0x3333333333333333ull) + ((x >> 2) & 0x3333333333333333ull);
	x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (unsigned int)((x * 0x0101010101010101ull) >> 56);
}

/**
 * iova_extent_blocks() - number of blocks in the tiling of [@start, @end)
 * @start: first frame
 * @end: one past the last frame, > @start
 *
 * Return: the count (climbing and descending blocks may share an order).
 */
static inline uint64_t iova_extent_blocks(uint64_t start, uint64_t end)
{
	unsigned int t = 63 - (unsigned int)__builtin_clzll(start ^ end);
	uint64_t m = end & ~((1ull << t) - 1);

	return iova_bits(m - start) + iova_bits(end - m);
}

/**
 * iova_extent_block() - first frame of the lowest block of 2^@order frames
 *                       in the tiling of [@start, @end)
 * @start: first frame
 * @end: one past the last frame
 * @order: an order present in iova_extent_orders()
 *
 * Return: the frame.
 */
static inline uint64_t iova_extent_block(uint64_t start, uint64_t end,
					 unsigned int order)
{
	unsigned int t = 63 - (unsigned int)__builtin_clzll(start ^ end);
	uint64_t m = end & ~((1ull << t) - 1);
	uint64_t bit = 1ull << order;

	/* Climbing blocks smaller than this one come first. */
	if ((m - start) & bit)
		return start + ((m - start) & (bit - 1));
	/* Descending blocks larger than this one come first. */
	return m + ((end - m) & ~((bit << 1) - 1));
}

#endif
