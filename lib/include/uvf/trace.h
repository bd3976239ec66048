/* SPDX-License-Identifier: MIT */
/*
 * Tracing of the DMA mapping flow: with UVF_TRACE=1 in the environment, or
 * after uvf_trace_enable(true), every step of dma_map_page is logged --
 * direct check, IOVA chosen, page-table levels written, IOTLB invalidation.
 *
 * Structured trace: UVF_TRACE=json:FILE (or chrome:FILE, the same thing)
 * writes the flow to FILE as a Chrome trace-event document,
 * {"traceEvents":[...]}, one event per line, which Perfetto's UI and
 * chrome://tracing open. Each flow step is a complete event ("ph":"X")
 * with "ts" and "dur" in microseconds: direct_check, iova_alloc,
 * pgtable_write, unmap, iotlb_invalidate. After each pgtable_write, one
 * instant event ("ph":"i") pgtable_level per level that had entries
 * written. dma_map_page and dma_unmap_page are begin/end pairs ("B"/"E")
 * around their steps, and every text line is an instant event "log" with
 * the line in args.msg. Numbers that are addresses are hex strings;
 * counts are JSON numbers. The file is completed (closing brackets) by
 * uvf_trace_close() or at process exit.
 */
#ifndef UVF_TRACE_H
#define UVF_TRACE_H

#include <stdbool.h>

/* Receives one trace line, without the trailing newline. */
typedef void (*uvf_log_fn)(void *arg, const char *line);

/**
 * uvf_trace_enable() - switch text tracing on or off (overrides UVF_TRACE)
 * @on: true to trace
 *
 * A structured trace file opened with uvf_trace_open() stays open either
 * way: text lines and the file can be on together.
 *
 * Return: nothing.
 */
void uvf_trace_enable(bool on);

/**
 * uvf_trace_enabled() - whether tracing is on
 *
 * Return: true when trace lines or events are being emitted.
 */
bool uvf_trace_enabled(void);

/**
 * uvf_set_log_fn() - send trace lines and diagnoses to @fn, not stderr
 * @fn: sink, or NULL for stderr
 * @arg: passed to @fn
 *
 * Return: nothing.
 */
void uvf_set_log_fn(uvf_log_fn fn, void *arg);

/**
 * uvf_trace_open() - choose where the trace goes, as UVF_TRACE does
 * @spec: "1" or "text": text lines only; "json:FILE" or "chrome:FILE":
 *        trace events to FILE only (created or truncated); "0" or "off":
 *        no tracing
 *
 * A trace file open before is completed and closed first.
 *
 * Return: 0; -EINVAL (NULL or unknown @spec, empty FILE); or the negative
 * errno of creating FILE. On error the current tracing is unchanged.
 */
int uvf_trace_open(const char *spec);

/**
 * uvf_trace_close() - complete and close the trace file, if one is open
 *
 * Text tracing, if on, stays on.
 *
 * Return: 0, or the negative errno of a failed write or close (the events
 * written before it are in the file, which may be incomplete).
 */
int uvf_trace_close(void);

#endif
