#!/bin/sh
# Runs INSIDE the tools/vm guest (busybox sh): packets per second of uvf's
# e1000e driver and of DPDK's e1000 PMD (net_e1000_em) on the same two
# NICs, 00:05.0 -> 00:06.0, in this one boot. For each frame size, four
# runs in the order uvf, DPDK, DPDK, uvf (so neither side always goes
# first); each prints one "BENCH {json}" line (tests/vm/guest_dpdk_net.c).
#
# usage: side-by-side-guest.sh BACKEND FRAMES PMD_DIR   (BACKEND: type1|noiommu)
set -u
BACKEND=${1:?usage: side-by-side-guest.sh BACKEND FRAMES PMD_DIR}
FRAMES=${2:?usage: side-by-side-guest.sh BACKEND FRAMES PMD_DIR}
PMD_DIR=${3:?usage: side-by-side-guest.sh BACKEND FRAMES PMD_DIR}
PROG=/uvf/guest_dpdk_net

[ -f /uvf/.run ] || { echo "side-by-side-guest.sh: not in the tools/vm guest" >&2; exit 2; }
rc=0
for size in 60 1514; do
    for drv in uvf dpdk dpdk uvf; do
        $PROG --bench $drv "--$BACKEND" --size $size --count "$FRAMES" \
            --pmd-dir "$PMD_DIR" || rc=1
    done
done
exit $rc
