/* SPDX-License-Identifier: MIT */
/*
 * Tracing of the DMA mapping flow: with UVF_TRACE=1 in the environment, or
 * after uvf_trace_enable(true), every step of dma_map_page is logged --
 * direct check, IOVA chosen, page-table levels written, IOTLB invalidation.
 */
#ifndef UVF_TRACE_H
#define UVF_TRACE_H

#include <stdbool.h>

/* Receives one trace line, without the trailing newline. */
typedef void (*uvf_log_fn)(void *arg, const char *line);

/**
 * uvf_trace_enable() - switch tracing on or off (overrides UVF_TRACE)
 * @on: true to trace
 *
 * Return: nothing.
 */
void uvf_trace_enable(bool on);

/**
 * uvf_trace_enabled() - whether tracing is on
 *
 * Return: true when trace lines are being emitted.
 */
bool uvf_trace_enabled(void);

/**
 * uvf_set_log_fn() - send trace lines to @fn instead of stderr
 * @fn: sink, or NULL for stderr
 * @arg: passed to @fn
 *
 * Return: nothing.
 */
void uvf_set_log_fn(uvf_log_fn fn, void *arg);

#endif
