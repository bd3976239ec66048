#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""For every PCI device of this host, `uvf-bind list --json` names the same
vendor, device and class as `lspci -nn -mm -D` (both through libpci), and
each device's first line of `uvf-bind list` is the line `lspci -nn -D`
prints for it. Read-only: list changes nothing.

usage: check_lspci.py UVF_BIND
Exit 0 when all match, 1 on a difference, 77 (skip) without lspci.
"""
import json
import shlex
import shutil
import subprocess
import sys


def mixed(name, num, unknown):
    """lspci -nn's form of a name: libpci's numeric fallback "Device 0d57"
    becomes "Device [0d57]", a known name gets " [0d57]" appended."""
    if name == "%s %s" % (unknown, num):
        return "%s [%s]" % (unknown, num)
    return "%s [%s]" % (name, num)


def lspci_devices(lspci):
    out = subprocess.run([lspci, "-nn", "-mm", "-D"], check=True,
                         capture_output=True, text=True).stdout
    devs = {}
    for line in out.splitlines():
        if not line.strip():
            continue
        f = [w for w in shlex.split(line) if not w.startswith("-")]
        # slot, class, vendor, device, subsystem vendor, subsystem device
        devs[f[0]] = {"class": f[1], "vendor": f[2], "device": f[3]}
    return devs


def uvf_devices(uvf_bind):
    out = subprocess.run([uvf_bind, "list", "--json"], check=True,
                         capture_output=True, text=True).stdout
    devs = {}
    for d in json.loads(out)["devices"]:
        devs[d["bdf"]] = {
            "class": mixed(d["class_name"], d["class"][:4], "Class"),
            "vendor": mixed(d["vendor"], d["vendor_id"], "Vendor"),
            "device": mixed(d["device"], d["device_id"], "Device"),
        }
    return devs


def text_lines(cmd):
    """The device lines of lspci -nn -D or uvf-bind list, by address."""
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    return {line.split(" ", 1)[0]: line for line in out.splitlines()
            if line and not line[0].isspace()}


def main():
    if len(sys.argv) != 2:
        print("usage: check_lspci.py UVF_BIND", file=sys.stderr)
        return 2
    lspci = shutil.which("lspci") or next(
        (p for p in ("/usr/bin/lspci", "/usr/sbin/lspci", "/sbin/lspci")
         if shutil.which(p)), None)
    if not lspci:
        print("SKIP: lspci is not installed (Debian: pciutils)")
        return 77
    want = lspci_devices(lspci)
    got = uvf_devices(sys.argv[1])
    bad = 0
    for bdf in sorted(set(want) | set(got)):
        if bdf not in got or bdf not in want:
            print("%s: listed by %s only" %
                  (bdf, "lspci" if bdf in want else "uvf-bind"))
            bad += 1
            continue
        for key in ("vendor", "device", "class"):
            if got[bdf][key] != want[bdf][key]:
                print("%s: %s: uvf-bind '%s', lspci '%s'" %
                      (bdf, key, got[bdf][key], want[bdf][key]))
                bad += 1
    want_text = text_lines([lspci, "-nn", "-D"])
    got_text = text_lines([sys.argv[1], "list"])
    for bdf in sorted(set(want_text) & set(got_text)):
        if got_text[bdf] != want_text[bdf]:
            print("%s: uvf-bind '%s', lspci '%s'" %
                  (bdf, got_text[bdf], want_text[bdf]))
            bad += 1
    print("%d device(s) compared, %d difference(s)" % (len(want), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
