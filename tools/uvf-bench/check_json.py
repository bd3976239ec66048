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
             "ratio_p99", "also_vs"}
VALUE_KEYS = {"name", "unit", "value", "baseline", "ratio"}
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
    if meta.get("timer_correction") not in ("mean", "batch"):
        fail("run.timer_correction does not say how the timer is corrected")
    for k in ("timer_overhead_ns", "timer_overhead_min_ns"):
        if not is_num(meta.get(k)) or meta[k] < 0:
            fail("run.%s is not a non-negative number" % k)
    if meta["timer_overhead_min_ns"] > meta["timer_overhead_ns"]:
        fail("run.timer_overhead_min_ns is above the mean it is subtracted "
             "instead of")
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
    also = c["also_vs"]
    if not isinstance(also, list) or (also and base is None):
        fail("%s: also_vs is not a list, or is given without a baseline"
             % name)
    for a in also:
        if not isinstance(a, dict) or set(a) != {"baseline", "ratio_p50",
                                                 "ratio_p99"}:
            fail("%s: also_vs entry %r is malformed" % (name, a))
        if a["baseline"] not in earlier or a["baseline"] == base:
            fail("%s: also_vs baseline %r is not another earlier case"
                 % (name, a["baseline"]))
        for k in ("ratio_p50", "ratio_p99"):
            if a[k] is not None and (not is_num(a[k]) or a[k] < 0):
                fail("%s: also_vs %s is not a ratio" % (name, k))
    earlier.add(name)


def check_value(v, earlier):
    if not isinstance(v, dict) or set(v) != VALUE_KEYS:
        fail("value %r does not have exactly the keys %s"
             % (v, sorted(VALUE_KEYS)))
    name = v["name"]
    if not isinstance(name, str) or not name or name in earlier:
        fail("value name %r is empty or repeated" % (name,))
    if not isinstance(v["unit"], str) or not v["unit"]:
        fail("%s: no unit" % name)
    if not is_num(v["value"]) or v["value"] < 0:
        fail("%s: value is not a non-negative number" % name)
    if v["baseline"] is None:
        if v["ratio"] is not None:
            fail("%s: a ratio without a baseline" % name)
    elif v["baseline"] not in earlier:
        fail("%s: baseline %r is not an earlier value" % (name, v["baseline"]))
    elif v["ratio"] is not None and (not is_num(v["ratio"]) or v["ratio"] < 0):
        fail("%s: ratio is not a ratio" % name)
    earlier.add(name)


def load_doc(out, what):
    try:
        doc = json.loads(out)
    except ValueError as e:
        fail("%s: stdout is not one JSON document: %s" % (what, e))
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        fail("%s: no 'cases' array" % what)
    if not isinstance(doc.get("values"), list):
        fail("%s: no 'values' array" % what)
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
    doc = load_doc(out, "--quick --json")
    for c in doc["cases"]:
        check_case(c, earlier)
    values = set()
    for v in doc["values"]:
        check_value(v, values)
    names = earlier | values
    # The kernel-design baseline stands beside uvf's allocator in every
    # iova comparison, including the worst cases and the metadata.
    for want in ("kiova-spin/tree/frag95/1thr/mix", "iova/pool/frag95/1thr/mix",
                 "kiova-mutex/alloc-free/frag95/1thr/1p",
                 "iova/alloc-free/frag95/1thr/64p",
                 "iova/metadata/frag95", "kiova/metadata/frag95",
                 "iova/metadata/emptied", "kiova/metadata/emptied",
                 "iova/stress/frag95/1thr", "kiova-spin/stress/frag95/1thr"):
        if not any(n.startswith(want) for n in names):
            fail("no case or value named %s" % want)
    if not any(n.startswith("iova/fail/frag95/1thr/") for n in earlier):
        fail("no failing-request case")
    for c in doc["cases"]:
        if c["name"].startswith("iova/pool/") and len(c["also_vs"]) != 1:
            fail("%s: not compared with both kernel-design locks" % c["name"])

    rc, out, err = run(exe, "--quick", "--json", "--case", "no-such-case-x")
    doc = load_doc(out, "--case no-such-case-x")
    if rc != 1 or doc["cases"] or doc["values"]:
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

    print("bench-smoke: %d cases and %d values checked"
          % (len(earlier), len(values)))


if __name__ == "__main__":
    main()
