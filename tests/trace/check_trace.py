#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Checks the structured trace (UVF_TRACE=json:FILE / chrome:FILE).

usage: check_trace.py TRACE_FLOW_PROGRAM [UVF_DEMO]

Runs the program with each file spec, loads the file with Python's json
module and checks it against the Chrome trace-event schema uvf writes
(lib/include/uvf/trace.h): required keys and their types, ts in order on
each thread, dur >= 0, B/E balanced, and every step of each successful
map and unmap present. Then checks that UVF_TRACE=1 still gives text
lines and that an unwritable file is reported. With UVF_DEMO: the demo
prints the paths of its trace and page-table drawings, and they hold
what they should.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

MAP_STEPS = {'direct_check', 'iova_alloc', 'pgtable_write', 'pgtable_level'}
UNMAP_STEPS = {'unmap', 'iotlb_invalidate'}
PHASES = {'X', 'B', 'E', 'i'}
errors = []


def fail(msg):
    errors.append(msg)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_event(i, e):
    """Required keys and types of one event."""
    if not isinstance(e, dict):
        return fail(f'event {i} is not an object')
    want = {'name': str, 'cat': str, 'ph': str, 'pid': int, 'tid': int,
            'args': dict}
    for key, typ in want.items():
        if not isinstance(e.get(key), typ):
            fail(f'event {i}: {key!r} missing or not {typ.__name__}: {e}')
    if e.get('ph') not in PHASES:
        fail(f'event {i}: unknown ph {e.get("ph")!r}')
    if not is_num(e.get('ts')) or e['ts'] < 0:
        fail(f'event {i}: ts missing or negative: {e}')
    if e.get('ph') == 'X' and (not is_num(e.get('dur')) or e['dur'] < 0):
        fail(f'event {i}: complete event without dur >= 0: {e}')
    if e.get('ph') == 'i' and e.get('s') not in ('t', 'p', 'g'):
        fail(f'event {i}: instant event without scope s: {e}')
    for k, v in (e.get('args') or {}).items():
        if not (is_num(v) or isinstance(v, str)):
            fail(f'event {i}: arg {k!r} is neither number nor string')
        if isinstance(v, str) and k != 'msg' and not v.startswith('0x') \
                and v != '0':
            fail(f'event {i}: address arg {k!r}={v!r} is not hex')


def check_threads(events):
    """ts in file order per thread, B/E nesting, steps inside spans."""
    last_ts, stacks = {}, {}
    spans = {'dma_map_page': 0, 'dma_unmap_page': 0}
    for i, e in enumerate(events):
        tid = e['tid']
        if e['ts'] < last_ts.get(tid, 0):
            fail(f'event {i}: ts {e["ts"]} before {last_ts[tid]} on '
                 f'thread {tid}')
        last_ts[tid] = e['ts']
        stack = stacks.setdefault(tid, [])
        if e['ph'] == 'B':
            stack.append((e['name'], set(), e))
        elif e['ph'] == 'E':
            if not stack or stack[-1][0] != e['name']:
                fail(f'event {i}: E {e["name"]} without its B')
                continue
            name, seen, begin = stack.pop()
            check_span(i, name, seen, e)
            if name in spans:
                spans[name] += 1
        elif stack:
            stack[-1][1].add(e['name'])
    for tid, stack in stacks.items():
        if stack:
            fail(f'thread {tid}: {len(stack)} span(s) never ended')
    return spans, len(last_ts)


def check_span(i, name, seen, end):
    ok = end['args'].get('ret', 0) == 0
    if name == 'dma_map_page' and ok and 'iova' in end['args']:
        missing = MAP_STEPS - seen
    elif name == 'dma_unmap_page' and ok:
        missing = UNMAP_STEPS - seen
    else:
        return
    if missing:
        fail(f'event {i}: {name} lacks step(s) {sorted(missing)}')


def run(prog, spec, tmp):
    env = dict(os.environ, UVF_TRACE=spec)
    return subprocess.run([prog], env=env, cwd=tmp, capture_output=True,
                          text=True, timeout=120)


def check_file(prog, kind, tmp):
    path = os.path.join(tmp, f'{kind}.json')
    r = run(prog, f'{kind}:{path}', tmp)
    if r.returncode:
        return fail(f'{kind}: program failed: {r.stderr}')
    if 'uvf:' in r.stderr:
        fail(f'{kind}: text lines on stderr with a trace file: {r.stderr}')
    with open(path) as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or not isinstance(
            doc.get('traceEvents'), list):
        return fail(f'{kind}: no traceEvents list')
    events = doc['traceEvents']
    before = len(errors)
    for i, e in enumerate(events):
        check_event(i, e)
    if len(errors) > before:
        return
    spans, threads = check_threads(events)
    # trace_flow.c: 2 threads x 8 rounds of map + unmap.
    if spans['dma_map_page'] != 16 or spans['dma_unmap_page'] != 16:
        fail(f'{kind}: expected 16 maps and 16 unmaps, got {spans}')
    if threads < 2:
        fail(f'{kind}: events of {threads} thread(s), expected 2')
    levels = {e['args']['level'] for e in events
              if e['name'] == 'pgtable_level'}
    if not {1, 2} <= levels:
        fail(f'{kind}: levels written {sorted(levels)}, expected 1 and 2')
    print(f'{kind}: {len(events)} events, {spans}, {threads} threads')


def check_demo(demo, tmp):
    out = os.path.join(tmp, 'demo')
    r = subprocess.run([demo, '--quiet', '--out-dir', out],
                       capture_output=True, text=True, timeout=120,
                       env={k: v for k, v in os.environ.items()
                            if k != 'UVF_TRACE'})
    if r.returncode:
        return fail(f'demo failed: {r.stderr}')
    for name in ('pgtable.txt', 'pgtable.dot', 'trace.json'):
        if os.path.join(out, name) not in r.stdout:
            fail(f'demo does not print the path of {name}')
    with open(os.path.join(out, 'trace.json')) as f:
        events = json.load(f)['traceEvents']
    for i, e in enumerate(events):
        check_event(i, e)
    spans, _ = check_threads(events)
    if spans['dma_map_page'] != 3 or spans['dma_unmap_page'] != 2:
        fail(f'demo trace: {spans}, expected 3 maps and 2 unmaps')
    with open(os.path.join(out, 'pgtable.txt')) as f:
        text = f.read()
    if '[direct]' not in text or '[iotlb]' not in text:
        fail(f'demo drawing lacks the direct region or the IOTLB: {text}')
    svg = os.path.join(out, 'pgtable.svg')
    if shutil.which('dot') and (svg not in r.stdout or
                                '<svg' not in open(svg).read()):
        fail('demo: dot is installed but no SVG was drawn')
    print(f'demo: {len(events)} events, {spans}')


def main():
    prog = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ('json', 'chrome'):
            check_file(prog, kind, tmp)
        r = run(prog, '1', tmp)
        if r.returncode or 'uvf: dma_map_page' not in r.stderr:
            fail('UVF_TRACE=1: no text trace lines on stderr')
        if os.listdir(tmp) != [] and set(os.listdir(tmp)) != {
                'json.json', 'chrome.json'}:
            fail(f'UVF_TRACE=1 wrote files: {os.listdir(tmp)}')
        r = run(prog, 'json:' + os.path.join(tmp, 'no', 'such', 'x.json'),
                tmp)
        if 'cannot write the trace file' not in r.stderr:
            fail('an unwritable trace file is not reported')
        if len(sys.argv) > 2:
            check_demo(os.path.abspath(sys.argv[2]), tmp)
    for e in errors[:20]:
        print('FAIL:', e)
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
