#!/bin/sh
# Runs INSIDE the tools/vm guest (busybox sh), never on a host: it rebinds
# the guest's NVMe controller. 4 KiB random reads at queue depth 1 and 32,
# first through uvf's driver, then through the kernel's nvme driver
# (O_DIRECT on /dev/nvme0n1); one JSON line per run on stdout. With PLOT
# "plot", each run's latency CDF (nvme-perf --plot) and the gnuplot
# scripts are printed too, between "UVF-PLOT-FILE: NAME" and
# "UVF-PLOT-END" lines, for the host to draw (the guest has no gnuplot).
#
# usage: side-by-side-guest.sh BACKEND [SECONDS [PLOT]]   (BACKEND: type1|iommufd|noiommu)
set -u
BACKEND=${1:-type1}
SECS=${2:-10}
PLOT_DIR=
if [ "${3:-}" = plot ]; then
    PLOT_DIR=/tmp/plots
    # The data and scripts only: `true` stands in for gnuplot.
    export UVF_GNUPLOT=true
fi

[ -f /uvf/.run ] || { echo "side-by-side-guest.sh: not in the tools/vm guest" >&2; exit 2; }
# shellcheck source=examples/nvme-perf/guest-lib.sh
. /uvf/guest-lib.sh
echo 64 >/proc/sys/vm/nr_hugepages

rc=0
for qd in 1 32; do
    $PERF --device $BDF --backend "$BACKEND" --rw randread --bs 4096 \
        --qd $qd --time "$SECS" --json ${PLOT_DIR:+--plot $PLOT_DIR} || rc=1
done

to_kernel_driver || exit 1

for qd in 1 32; do
    $PERF --kernel /dev/nvme0n1 --rw randread --bs 4096 --qd $qd \
        --time "$SECS" --json ${PLOT_DIR:+--plot $PLOT_DIR} || rc=1
done

if [ -n "$PLOT_DIR" ]; then
    for f in "$PLOT_DIR"/*.tsv "$PLOT_DIR"/*.gp; do
        [ -f "$f" ] || continue
        echo "UVF-PLOT-FILE: ${f##*/}"
        cat "$f"
        echo "UVF-PLOT-END"
    done
fi
exit $rc
