/* SPDX-License-Identifier: MIT */
/*
 * Basic types shared by every uvf layer.
 *
 * Error convention: every call that can fail returns 0 (or a non-negative
 * value) on success and a negative errno on failure, and leaves all state
 * unchanged when it fails.
 */
#ifndef UVF_TYPES_H
#define UVF_TYPES_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An I/O virtual address: what a device puts on the bus. */
typedef uint64_t uvf_iova_t;

#define UVF_PAGE_SHIFT 12
#define UVF_PAGE_SIZE (1ull << UVF_PAGE_SHIFT)
#define UVF_SZ_2M (1ull << 21)
#define UVF_SZ_1G (1ull << 30)

/* A closed-open range [start, start + len) would overflow at the top of the
 * 64-bit space, so ranges are stored as inclusive [first, last]. */
struct uvf_iova_range {
	uvf_iova_t first;
	uvf_iova_t last;
};

/* Access permissions of a mapping, as the device sees them. */
enum uvf_prot {
	UVF_PROT_READ = 1 << 0,  /* device may read memory */
	UVF_PROT_WRITE = 1 << 1, /* device may write memory */
	UVF_PROT_RW = UVF_PROT_READ | UVF_PROT_WRITE,
};

/**
 * uvf_is_aligned() - whether @x is a multiple of @align
 * @x: value
 * @align: power of two
 *
 * Return: true when @x is aligned.
 */
static inline bool uvf_is_aligned(uint64_t x, uint64_t align)
{
	return (x & (align - 1)) == 0;
}

/**
 * uvf_align_up() - round @x up to a multiple of @align, checking overflow
 * @x: value
 * @align: power of two
 * @out: rounded value
 *
 * Return: 0, or -EOVERFLOW when the result does not fit in 64 bits.
 */
static inline int uvf_align_up(uint64_t x, uint64_t align, uint64_t *out)
{
	uint64_t r;

	if (__builtin_add_overflow(x, align - 1, &r))
		return -EOVERFLOW;
	*out = r & ~(align - 1);
	return 0;
}

/**
 * uvf_range_last() - last byte of [@start, @start + @len)
 * @start: first byte
 * @len: length, not zero
 * @last: inclusive end
 *
 * Return: 0, or -EOVERFLOW when the range wraps past the top of the space.
 */
static inline int uvf_range_last(uint64_t start, uint64_t len, uint64_t *last)
{
	if (__builtin_add_overflow(start, len - 1, last))
		return -EOVERFLOW;
	return 0;
}

#endif
