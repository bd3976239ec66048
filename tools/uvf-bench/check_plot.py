#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench-plot: `uvf-bench --plot DIR` writes well-formed data files (one CDF
per case with its sample count, rising to 1; the ratios; the fill sweep),
says in one sentence which package is missing when gnuplot is, and refuses
a DIR it cannot write with exit 2, before running anything and without
writing anything.

usage: check_plot.py path/to/uvf-bench
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.dom.minidom

CASES = "fill/iova-firstfit/alloc-free/0%,fill/iova/alloc-free/0%"


def fail(msg):
    print("bench-plot: " + msg, file=sys.stderr)
    sys.exit(1)


def run(exe, *args, env=None):
    p = subprocess.run([exe, *args], capture_output=True, text=True,
                       timeout=120, env=env)
    return p.returncode, p.stdout, p.stderr


def bench(exe, plot_dir, gnuplot):
    env = dict(os.environ, UVF_GNUPLOT=gnuplot)
    return run(exe, "--quick", "--iterations", "2000", "--json",
               "--case", CASES, "--plot", plot_dir, env=env)


def read_cdf(path):
    samples, rows = None, []
    with open(path) as f:
        for line in f:
            if line.startswith("# samples: "):
                samples = int(line.split(": ")[1])
            elif not line.startswith("#"):
                x, y = line.rstrip("\n").split("\t")
                rows.append((float(x), float(y)))
    if samples is None or not rows:
        fail("%s: no sample count or no rows" % path)
    for (x0, y0), (x1, y1) in zip(rows, rows[1:]):
        if x1 < x0 or y1 <= y0:
            fail("%s: not a CDF (x falls or y does not rise) at %r"
                 % (path, (x1, y1)))
    if not 0 < rows[0][1] or abs(rows[-1][1] - 1) > 1e-6:
        fail("%s: fractions do not run from above 0 to 1" % path)
    if len(rows) > min(samples, 320):
        fail("%s: %d rows for %d samples" % (path, len(rows), samples))
    return samples


def slug(name):
    out = ""
    for ch in name:
        if ch.isascii() and (ch.isalnum() or ch in ".-"):
            out += ch
        elif ch == "%":
            out += "pct"
        elif out and out[-1] != "_":
            out += "_"
    return out


def check_data(d, doc):
    cases = doc["cases"]
    if len(cases) != 2:
        fail("want the two fill cases, got %r" % [c["name"] for c in cases])
    for c in cases:
        path = os.path.join(d, "cdf-%s.tsv" % slug(c["name"]))
        if not os.path.exists(path):
            fail("no CDF file for %s" % c["name"])
        if read_cdf(path) != c["samples"]:
            fail("%s: the CDF's sample count is not the case's" % path)
    with open(os.path.join(d, "ratios.tsv")) as f:
        ratios = [l.split("\t") for l in f if not l.startswith("#")]
    if len(ratios) != 1 or len(ratios[0]) != 3:
        fail("ratios.tsv: want one row of three columns, got %r" % ratios)
    with open(os.path.join(d, "fill.tsv")) as f:
        blocks = f.read().strip("\n").split("\n\n\n")
    if len(blocks) != 2 or any(len([l for l in b.splitlines()
                                    if not l.startswith("#")]) != 1
                               for b in blocks):
        fail("fill.tsv: want two series of one point, got %r" % blocks)
    if any(n.startswith(".") for n in os.listdir(d)):
        fail("temporary files were left in %s" % d)


def main():
    exe = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        # Without gnuplot: the data, exit 1 and one sentence naming it.
        d = os.path.join(tmp, "plots")
        rc, out, err = bench(exe, d, "uvf-no-such-gnuplot")
        said = [l for l in err.splitlines() if "--plot" in l]
        if rc != 1 or len(said) != 1 or "gnuplot-nox" not in said[0]:
            fail("without gnuplot: want exit 1 and one line naming "
                 "gnuplot-nox, got %d, %r" % (rc, err))
        check_data(d, json.loads(out))
        if any(n.endswith(".svg") for n in os.listdir(d)):
            fail("SVGs without gnuplot")

        if shutil.which("gnuplot"):
            d = os.path.join(tmp, "drawn")
            rc, out, err = bench(exe, d, "gnuplot")
            if rc != 0:
                fail("with gnuplot: exit %d, %r" % (rc, err))
            check_data(d, json.loads(out))
            for svg in ("ratios.svg", "fill.svg"):
                xml.dom.minidom.parse(os.path.join(d, svg))

        # A DIR that cannot be written: exit 2 at once, nothing written.
        afile = os.path.join(tmp, "a-file")
        with open(afile, "w") as f:
            f.write("keep")
        for bad in (afile, os.path.join(afile, "sub"),
                    os.path.join(tmp, "none", "sub"), "/proc"):
            rc, out, err = run(exe, "--quick", "--case", CASES,
                               "--plot", bad)
            if rc != 2 or out or len(err.strip().splitlines()) != 1:
                fail("--plot %s: want exit 2, empty stdout and one line on "
                     "stderr; got %d, %r, %r" % (bad, rc, out, err))
        with open(afile) as f:
            if f.read() != "keep":
                fail("--plot on a file changed it")
        if os.path.exists(os.path.join(tmp, "none")):
            fail("--plot made a parent directory")
    print("bench-plot: data files, missing gnuplot and bad DIRs checked")


if __name__ == "__main__":
    main()
