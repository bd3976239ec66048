/* SPDX-License-Identifier: MIT */
/*
 * Typed register access over a mapped BAR, the barriers that order it
 * against DMA memory, and a monotonic clock for register-polling deadlines.
 *
 * The accessors are plain volatile loads and stores of one naturally
 * aligned access at @base + @off: no byte swapping, no barrier. PCI
 * registers are little-endian and so is every host uvf builds for (x86-64,
 * arm64), so a value is read and written as the device holds it. Ordering
 * against memory the device reads or writes by DMA is the caller's,
 * through uvf_mmio_wmb() and uvf_mmio_rmb(), or uvf_mmio_doorbell32()
 * which pairs the first with a write.
 */
#ifndef UVF_MMIO_H
#define UVF_MMIO_H

#include <stdint.h>
#include <time.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "uvf/mmio.h assumes a little-endian host, as PCI devices are"
#endif

/*
 * The barrier instructions, per architecture; the functions below say
 * where each goes.
 */
#if defined(__x86_64__) || defined(__i386__)
/* x86 does not reorder a store with earlier stores, write-back memory
 * against uncached MMIO included, and the UC write leaves the store buffer
 * in order: only the compiler may move them. */
#define UVF_MMIO_WMB_INSN() __asm__ __volatile__("" ::: "memory")
/* x86 does not reorder a load with earlier loads, and an uncached load is
 * not speculated: only the compiler may hoist the data read. */
#define UVF_MMIO_RMB_INSN() __asm__ __volatile__("" ::: "memory")
/* Write-combined and movnt stores are weakly ordered: only sfence puts
 * them ahead of later stores. */
#define UVF_MMIO_WC_WMB_INSN() __asm__ __volatile__("sfence" ::: "memory")
#elif defined(__aarch64__)
/* A DMA master observes the outer-shareable domain; C11 fences name only
 * the inner one (dmb ish). The store half makes descriptor stores visible
 * to the device before the MMIO write... */
#define UVF_MMIO_WMB_INSN() __asm__ __volatile__("dmb oshst" ::: "memory")
/* ...the load half keeps later loads of DMA memory from being satisfied
 * before the status load completes... */
#define UVF_MMIO_RMB_INSN() __asm__ __volatile__("dmb oshld" ::: "memory")
/* ...and Normal non-cacheable (WC) stores need only what any store
 * before a doorbell needs. */
#define UVF_MMIO_WC_WMB_INSN() __asm__ __volatile__("dmb oshst" ::: "memory")
#else
/* Unknown ordering rules: a full fence for each, hoping it covers the
 * device too. */
#define UVF_MMIO_WMB_INSN() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define UVF_MMIO_RMB_INSN() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define UVF_MMIO_WC_WMB_INSN() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif

/**
 * uvf_mmio_wmb() - order earlier stores to DMA memory before a later MMIO write
 *
 * Call between writing descriptors (or data) in memory the device reads by
 * DMA and the doorbell write that lets it fetch them.
 *
 * Return: nothing.
 */
static inline void uvf_mmio_wmb(void)
{
	UVF_MMIO_WMB_INSN();
}

/**
 * uvf_mmio_rmb() - order a status read before later reads of DMA memory
 *
 * Call after the read (of a register, or of a status word the device wrote
 * by DMA) that says the device's data is complete, before reading the data.
 *
 * Return: nothing.
 */
static inline void uvf_mmio_rmb(void)
{
	UVF_MMIO_RMB_INSN();
}

/**
 * uvf_mmio_wc_wmb() - drain write-combined or non-temporal stores
 *
 * Call after writing through a write-combining mapping (or with
 * non-temporal stores), before the write that tells the device to look.
 * Uncached BAR mappings, which is what VFIO gives, do not need it.
 *
 * Return: nothing.
 */
static inline void uvf_mmio_wc_wmb(void)
{
	UVF_MMIO_WC_WMB_INSN();
}

/**
 * uvf_mmio_read8() - read an 8-bit register
 * @base: mapped BAR
 * @off: byte offset of the register
 *
 * Return: the register's value.
 */
static inline uint8_t uvf_mmio_read8(const volatile void *base, uint64_t off)
{
	return *(const volatile uint8_t *)((const volatile char *)base + off);
}

/**
 * uvf_mmio_read16() - read a 16-bit register
 * @base: mapped BAR
 * @off: byte offset of the register, 2-byte aligned
 *
 * Return: the register's value.
 */
static inline uint16_t uvf_mmio_read16(const volatile void *base, uint64_t off)
{
	return *(const volatile uint16_t *)((const volatile char *)base + off);
}

/**
 * uvf_mmio_read32() - read a 32-bit register
 * @base: mapped BAR
 * @off: byte offset of the register, 4-byte aligned
 *
 * Return: the register's value.
 */
static inline uint32_t uvf_mmio_read32(const volatile void *base, uint64_t off)
{
	return *(const volatile uint32_t *)((const volatile char *)base + off);
}

/**
 * uvf_mmio_read64() - read a 64-bit register in one access
 * @base: mapped BAR
 * @off: byte offset of the register, 8-byte aligned
 *
 * One 8-byte load on 64-bit hosts. A device that only takes dword
 * accesses wants uvf_mmio_read64_lohi().
 *
 * Return: the register's value.
 */
static inline uint64_t uvf_mmio_read64(const volatile void *base, uint64_t off)
{
	return *(const volatile uint64_t *)((const volatile char *)base + off);
}

/**
 * uvf_mmio_write8() - write an 8-bit register
 * @base: mapped BAR
 * @off: byte offset of the register
 * @val: value
 *
 * Return: nothing.
 */
static inline void uvf_mmio_write8(volatile void *base, uint64_t off,
				   uint8_t val)
{
	*(volatile uint8_t *)((volatile char *)base + off) = val;
}

/**
 * uvf_mmio_write16() - write a 16-bit register
 * @base: mapped BAR
 * @off: byte offset of the register, 2-byte aligned
 * @val: value
 *
 * Return: nothing.
 */
static inline void uvf_mmio_write16(volatile void *base, uint64_t off,
				    uint16_t val)
{
	*(volatile uint16_t *)((volatile char *)base + off) = val;
}

/**
 * uvf_mmio_write32() - write a 32-bit register
 * @base: mapped BAR
 * @off: byte offset of the register, 4-byte aligned
 * @val: value
 *
 * Return: nothing.
 */
static inline void uvf_mmio_write32(volatile void *base, uint64_t off,
				    uint32_t val)
{
	*(volatile uint32_t *)((volatile char *)base + off) = val;
}

/**
 * uvf_mmio_write64() - write a 64-bit register in one access
 * @base: mapped BAR
 * @off: byte offset of the register, 8-byte aligned
 * @val: value
 *
 * One 8-byte store on 64-bit hosts. A device that only takes dword
 * accesses wants uvf_mmio_write64_lohi().
 *
 * Return: nothing.
 */
static inline void uvf_mmio_write64(volatile void *base, uint64_t off,
				    uint64_t val)
{
	*(volatile uint64_t *)((volatile char *)base + off) = val;
}

/**
 * uvf_mmio_read64_lohi() - read a 64-bit register as two dwords, low first
 * @base: mapped BAR
 * @off: byte offset of the register, 4-byte aligned
 *
 * For devices that take only dword accesses (NVMe allows either, and
 * names this order). The halves are two reads: a register that changes in
 * between gives a torn value, which the caller must be able to accept.
 *
 * Return: the high dword at @off + 4 above the low dword at @off.
 */
static inline uint64_t uvf_mmio_read64_lohi(const volatile void *base,
					    uint64_t off)
{
	uint32_t lo = uvf_mmio_read32(base, off);

	return (uint64_t)uvf_mmio_read32(base, off + 4) << 32 | lo;
}

/**
 * uvf_mmio_write64_lohi() - write a 64-bit register as two dwords, low first
 * @base: mapped BAR
 * @off: byte offset of the register, 4-byte aligned
 * @val: value
 *
 * For devices that take only dword accesses; the low dword is written
 * first, then the high one at @off + 4.
 *
 * Return: nothing.
 */
static inline void uvf_mmio_write64_lohi(volatile void *base, uint64_t off,
					 uint64_t val)
{
	uvf_mmio_write32(base, off, (uint32_t)val);
	uvf_mmio_write32(base, off + 4, (uint32_t)(val >> 32));
}

/**
 * uvf_mmio_doorbell32() - write a doorbell after earlier DMA-memory stores
 * @base: mapped BAR
 * @off: byte offset of the doorbell, 4-byte aligned
 * @val: value (a queue tail or head)
 *
 * uvf_mmio_wmb() then uvf_mmio_write32(): the device sees every descriptor
 * written before the call once it sees the doorbell.
 *
 * Return: nothing.
 */
static inline void uvf_mmio_doorbell32(volatile void *base, uint64_t off,
				       uint32_t val)
{
	uvf_mmio_wmb();
	uvf_mmio_write32(base, off, val);
}

/**
 * uvf_now_ns() - monotonic time in nanoseconds
 *
 * CLOCK_MONOTONIC, for deadlines and intervals: it does not jump when the
 * wall clock is set.
 *
 * Return: nanoseconds since an unspecified start point.
 */
static inline uint64_t uvf_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
