#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every function declared in a public header has a kernel-doc comment
(/** name() - summary ... Return: ... */) right above it.

usage: check_kerneldoc.py HEADER...   (exit 1 and one line per problem)
"""
import re
import sys

# A top-level declaration or inline definition: return type, name, '('.
DECL = re.compile(r'^(?:static\s+inline\s+)?[A-Za-z_][\w\s\*]*?\b([a-z_][a-z0-9_]*)\s*\(',
                  re.M)


def problems(path):
    text = open(path, encoding='utf-8').read()
    # Blank out comments' insides so DECL does not match prose, but keep
    # their positions to find the comment above each declaration.
    comments = [(m.start(), m.end(), m.group(0))
                for m in re.finditer(r'/\*.*?\*/', text, re.S)]
    masked = list(text)
    for start, end, _ in comments:
        for i in range(start, end):
            if masked[i] != '\n':
                masked[i] = ' '
    masked = ''.join(masked)
    for m in DECL.finditer(masked):
        line = masked[m.start():masked.find('\n', m.start())]
        if line.lstrip().startswith(('#', 'typedef', 'return')):
            continue
        depth = masked.count('{', 0, m.start()) - masked.count('}', 0, m.start())
        if depth:
            continue
        name = m.group(1)
        lineno = text.count('\n', 0, m.start()) + 1
        above = [c for c in comments if c[1] <= m.start()]
        doc = above[-1][2] if above else ''
        gap = text[above[-1][1]:m.start()] if above else 'x'
        if not doc.startswith('/**') or gap.strip():
            yield f'{path}:{lineno}: {name}() has no kernel-doc comment above it'
        elif not re.search(r'\b' + re.escape(name) + r'\(\)', doc):
            yield f'{path}:{lineno}: kernel-doc above {name}() documents another name'
        elif 'Return:' not in doc:
            yield f'{path}:{lineno}: kernel-doc of {name}() has no Return: line'


def main():
    found = [p for path in sys.argv[1:] for p in problems(path)]
    for p in found:
        print(p)
    print(f'{len(sys.argv) - 1} headers checked, {len(found)} problem(s)')
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
