/* SPDX-License-Identifier: MIT */
/*
 * Real DPDK EAL in a unit-test program: --in-memory, --no-pci, one lcore,
 * 2 MiB hugepages. EAL initialises once per process, so each test (a
 * forked child under CK_FORK, the default) brings it up itself with
 * dpdkfix_eal_up(); with CK_FORK=no all tests share the first EAL.
 */
#ifndef UVF_TEST_DPDKFIX_H
#define UVF_TEST_DPDKFIX_H

#include <check.h>
#include <stdbool.h>

#include <rte_memory.h>

#include <uvf/uvf.h>
#include <uvf/dpdk.h>

/* 2 MiB pages the programs need free: EAL's own plus the hotplug tests'
 * allocations. */
#define DPDKFIX_PAGES 48

/* Brings EAL up in this process with --iova-mode=@iova_mode ("va" or
 * "pa") unless it is up already; ck_asserts on failure. */
void dpdkfix_eal_up(const char *iova_mode);
/* Whether EAL can come up in @iova_mode here, tried in a child process;
 * fills @why when not. */
bool dpdkfix_eal_works(const char *iova_mode, char *why, size_t len);
/*
 * main() of every DPDK test program: makes sure DPDKFIX_PAGES hugepages are
 * free (reserving them through /proc/sys/vm/nr_hugepages when root), checks
 * EAL comes up in @iova_mode, then runs @suite. Exit 77 (skip) with the
 * reason on stderr when a prerequisite is missing.
 */
int dpdkfix_main(Suite *(*suite)(void), const char *iova_mode);

/* The EAL pages: callback per page with its VA and IOVA. Returns the
 * number of pages. */
typedef void (*dpdkfix_page_fn)(void *arg, const void *va, rte_iova_t iova,
				size_t len);
unsigned int dpdkfix_for_each_page(dpdkfix_page_fn fn, void *arg);
/* Memzones the DMA heap's EAL provider holds ("uvf-heap-*"). */
unsigned int dpdkfix_heap_zones(void);

#endif
