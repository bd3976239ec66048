#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""bench-smoke: run `uvf-bench --quick --json` and check the document's
shape (never its timings), then the exit status of bad options.

usage: check_json.py path/to/uvf-bench
"""
import json
import re
import subprocess
import sys

CASE_KEYS = {"name", "samples", "ops_per_sample", "mean_ns", "p50_ns",
             "p99_ns", "p999_ns", "max_ns", "baseline", "ratio_p50",
             "ratio_p99"}
STATS = ["p50_ns", "p99_ns", "p999_ns", "max_ns"]


def fail(msg):
    print("bench-smoke: " + msg, file=sys.stderr)
    sys.exit(1)


def run(exe, *args):
    p = subprocess.run([exe, *args], capture_output=True, text=True,
                       timeout=280)
    return p.returncode, p.stdout, p.stderr


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def check_run(meta):
    if not isinstance(meta, dict):
        fail("'run' is not an object")
    if meta.get("tool") != "uvf-bench":
        fail("run.tool is not 'uvf-bench'")
    if not isinstance(meta.get("cpu_model"), str) or not meta["cpu_model"]:
        fail("run.cpu_model is missing")
    for k in ("threads", "iterations"):
        if not is_int(meta.get(k)) or meta[k] < 1:
            fail("run.%s is not a positive integer" % k)
    if meta.get("quick") is not True:
        fail("run.quick is not true under --quick")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",
                        str(meta.get("date"))):
        fail("run.date is not an ISO 8601 UTC time")


def check_case(c, earlier):
    if not isinstance(c, dict) or set(c) != CASE_KEYS:
        fail("case %r does not have exactly the keys %s"
             % (c, sorted(CASE_KEYS)))
    name = c["name"]
    if not isinstance(name, str) or not name or name in earlier:
        fail("case name %r is empty or repeated" % (name,))
    if not is_int(c["samples"]) or c["samples"] < 0:
        fail("%s: samples is not a count" % name)
    if not is_int(c["ops_per_sample"]) or c["ops_per_sample"] < 1:
        fail("%s: ops_per_sample is not a positive integer" % name)
    stats = [c["mean_ns"]] + [c[k] for k in STATS]
    if c["samples"] == 0:
        if any(v is not None for v in stats):
            fail("%s: statistics without samples" % name)
    else:
        if not all(is_num(v) and v >= 0 for v in stats):
            fail("%s: statistics are not non-negative numbers" % name)
        # Percentiles of one sorted set cannot decrease, whatever the times.
        ordered = [c[k] for k in STATS]
        if ordered != sorted(ordered) or c["mean_ns"] > c["max_ns"]:
            fail("%s: p50 <= p99 <= p99.9 <= max and mean <= max do not hold"
                 % name)
    base = c["baseline"]
    if base is None:
        if c["ratio_p50"] is not None or c["ratio_p99"] is not None:
            fail("%s: ratios without a baseline" % name)
    else:
        if not isinstance(base, str) or base not in earlier:
            fail("%s: baseline %r is not an earlier case" % (name, base))
        for k in ("ratio_p50", "ratio_p99"):
            if c[k] is not None and (not is_num(c[k]) or c[k] < 0):
                fail("%s: %s is not a ratio" % (name, k))
    earlier.add(name)


def load_doc(out, what):
    try:
        doc = json.loads(out)
    except ValueError as e:
        fail("%s: stdout is not one JSON document: %s" % (what, e))
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        fail("%s: no 'cases' array" % what)
    check_run(doc.get("run"))
    return doc


def main():
    exe = sys.argv[1]

    rc, out, err = run(exe, "--quick", "--json")
    if rc != 0:
        fail("--quick --json exited %d: %s" % (rc, err.strip()))
    if "\r" in err:
        fail("progress was drawn although stderr is not a terminal")
    earlier = set()
    for c in load_doc(out, "--quick --json")["cases"]:
        check_case(c, earlier)

    rc, out, err = run(exe, "--quick", "--json", "--case", "no-such-case-x")
    doc = load_doc(out, "--case no-such-case-x")
    if rc != 1 or doc["cases"]:
        fail("a --case matching nothing must exit 1 with no cases")

    rc, out, err = run(exe, "--list")
    if rc != 0:
        fail("--list exited %d" % rc)

    for bad in (["--threads", "0"], ["--iterations", "lots"], ["--bogus"],
                ["--backend", "xen"], ["--threads"], ["stray"]):
        rc, out, err = run(exe, *bad)
        if rc != 2 or out or len(err.strip().splitlines()) != 1:
            fail("%s: want exit 2, empty stdout and one line on stderr; got "
                 "%d, %r, %r" % (" ".join(bad), rc, out, err))

    print("bench-smoke: %d cases checked" % len(earlier))


if __name__ == "__main__":
    main()
