#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""End-to-end checks of tools/uvf-pgtable.

usage: check_uvf_pgtable.py UVF_PGTABLE

For each of the four formats: runs one script of maps, an unmap and
device touches with a firmware direct region and an MSI window, loads the
JSON drawing with Python's json module and checks the tree against the
script (bytes mapped by leaves of each size, marks, nesting); checks the
text and DOT forms; SVG through Graphviz's dot when it is installed, and
the plain error when it is not (PATH without dot). Then bad input: each
gives one sentence on stderr and a non-zero exit.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

FORMATS = ['vtd-sl4', 'vtd-sl5', 'amd-v1', 'arm-lpae-s1']
SCRIPT = """# 4 KiB pages, a 2 MiB-aligned run, a 1 GiB leaf, a hole
map 0x10000 16K r
map 0x200000 4M rw
map 0x40000000 1G w
map 0x800000 8K
unmap 0x800000 8K
touch 0x10000
touch 0x11000
"""
# Leaf bytes by size: the maps left plus the 128 KiB direct region.
WANT_LEAVES = {4096: 0x4000 + 0x20000, 2 << 20: 4 << 20, 1 << 30: 1 << 30}
REGIONS = ['--direct', '0xe0000-0xfffff', '--reserved',
           '0xfee00000-0xfeefffff']
errors = []


def fail(msg):
    errors.append(msg)


def run(tool, args, env=None):
    return subprocess.run([tool] + args, capture_output=True, text=True,
                          env=env, timeout=60)


def walk(table, level, leaves, marks):
    if table['level'] != level:
        fail(f'table at level {table["level"]}, expected {level}')
    prev_end = -1
    for e in table['entries']:
        first, last = int(e['iova_first'], 16), int(e['iova_last'], 16)
        if first <= prev_end or last < first:
            fail(f'entry ranges out of order: {e}')
        prev_end = last
        for m in e['marks']:
            marks.add(m)
        if e['kind'] == 'leaf':
            size = e['size']
            if last - first + 1 != e['count'] * size:
                fail(f'run of {e["count"]} x {size} covers {first:#x}-'
                     f'{last:#x}')
            leaves[size] = leaves.get(size, 0) + e['count'] * size
        elif e['kind'] == 'table':
            walk(e['table'], level - 1, leaves, marks)
        else:
            fail(f'entry of kind {e["kind"]}: {e}')


def check_format(tool, fmt, script, tmp):
    base = ['--format', fmt, '--script', script] + REGIONS
    r = run(tool, base + ['--output', 'json'])
    if r.returncode:
        return fail(f'{fmt}: json run failed: {r.stderr}')
    doc = json.loads(r.stdout)
    if doc['format'] != fmt:
        fail(f'{fmt}: drawing says format {doc["format"]}')
    kinds = {m['what'] for m in doc['marks']}
    if kinds != {'direct', 'msi', 'iotlb'}:
        fail(f'{fmt}: marks {kinds}')
    iotlb = [m for m in doc['marks'] if m['what'] == 'iotlb']
    if [(m['first'], m['last']) for m in iotlb] != [('0x10000', '0x11fff')]:
        fail(f'{fmt}: iotlb marks {iotlb}, expected the two touched pages')
    leaves, marks = {}, set()
    walk(doc['tree'], doc['levels'], leaves, marks)
    if leaves != WANT_LEAVES:
        fail(f'{fmt}: leaf bytes {leaves}, expected {WANT_LEAVES}')
    if not {'direct', 'iotlb'} <= marks:
        fail(f'{fmt}: entries marked {marks}')

    r = run(tool, base)
    if r.returncode or f'# {fmt}: {doc["levels"]} levels' not in r.stdout \
            or 'x32 ' not in r.stdout or '[direct]' not in r.stdout:
        fail(f'{fmt}: text drawing: {r.stdout}{r.stderr}')

    r = run(tool, base + ['--output', 'dot'])
    nodes = r.stdout.count('<b>L')
    if r.returncode or not r.stdout.startswith('digraph') or \
            r.stdout.count(' -> t') != nodes - 1:
        fail(f'{fmt}: dot drawing: {r.stdout[:200]}{r.stderr}')

    svg = os.path.join(tmp, fmt + '.svg')
    r = run(tool, base + ['--output', 'svg', '--out', svg])
    if shutil.which('dot'):
        if r.returncode or '<svg' not in open(svg).read():
            fail(f'{fmt}: svg drawing failed: {r.stderr}')
    elif r.returncode != 1 or "Graphviz's dot" not in r.stderr:
        fail(f'{fmt}: svg without dot: {r.returncode} {r.stderr}')


def check_bad_input(tool, tmp):
    nodot = dict(os.environ, PATH=tmp)
    cases = [
        (['--format', 'bogus'], 2, None),
        (['--output', 'png'], 2, None),
        (['--script', os.path.join(tmp, 'missing')], 2, None),
        (['--direct', '0x2000-0x1000'], 2, None),
        (['frob'], 2, None),
        (['map', '0x1000'], 2, None),
        (['map', '0x1001', '4K'], 1, None),
        (['unmap', '0x1000', '4K'], 1, None),
        (['--output', 'svg'], 1, nodot),
    ]
    for args, code, env in cases:
        r = run(tool, args, env)
        lines = r.stderr.strip().splitlines()
        if r.returncode != code or len(lines) != 1 or \
                not lines[0].startswith('uvf-pgtable: ') or \
                not lines[0].endswith('.') or r.stdout:
            fail(f'{args}: exit {r.returncode} (want {code}), stderr '
                 f'{r.stderr!r}, stdout {r.stdout[:80]!r}')


def main():
    tool = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as tmp:
        script = os.path.join(tmp, 'steps')
        with open(script, 'w') as f:
            f.write(SCRIPT)
        for fmt in FORMATS:
            check_format(tool, fmt, script, tmp)
        check_bad_input(tool, tmp)
    for e in errors[:20]:
        print('FAIL:', e)
    print(f'{len(FORMATS)} formats, {len(errors)} failure(s)')
    return 1 if errors else 0


if __name__ == '__main__':
    sys.exit(main())
